import TenkenSyntax

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A JSON value with the byte offset where it starts, so every value can be located by
/// line and column as well as by JSON pointer (Foundation's parsers give neither).
public struct JSONNode: Sendable {
    public var value: JSONValue
    public var offset: Int
    public init(value: JSONValue, offset: Int) {
        self.value = value
        self.offset = offset
    }
}

public struct JSONMember: Sendable {
    public var key: String
    public var keyOffset: Int
    public var node: JSONNode
    public init(key: String, keyOffset: Int, node: JSONNode) {
        self.key = key
        self.keyOffset = keyOffset
        self.node = node
    }
}

/// Not `indirect`: arrays already make the recursion, and boxing every scalar would cost an
/// allocation per value.
public enum JSONValue: Sendable {
    case null
    case bool(Bool)
    /// Integers that fit in 64 bits.
    case int(Int)
    /// Any other number (fraction, exponent or too large for Int), kept as written.
    case number(String)
    case string(String)
    case array([JSONNode])
    case object([JSONMember])

    public var typeName: String {
        switch self {
        case .null: "null"
        case .bool: "boolean"
        case .int, .number: "number"
        case .string: "string"
        case .array: "array"
        case .object: "object"
        }
    }
}

/// Maps byte offsets to 1-based line and column (columns count Unicode scalars).
///
/// Only every 16th line start is kept (a checkpoint); a position is found from the nearest
/// checkpoint before it. A file of 200 MB of newlines used to cost 1.6 GB of line starts
/// (8 bytes a line); this costs half a byte a line, and finding the checkpoints uses memchr.
public struct LineIndex: Sendable {
    static let every = 16
    /// The offset where lines 1, 17, 33, … start.
    let checkpoints: [Int]
    let bytes: [UInt8]
    /// The line the bytes start on in their file: 1, or a JSON Lines snapshot's line.
    public let firstLine: Int

    public init(_ bytes: [UInt8], firstLine: Int = 1) {
        self.firstLine = firstLine
        var cps = [0]
        cps.reserveCapacity(bytes.count / 1024 + 1)
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            var i = 0, line = 1
            while i < buf.count, let hit = memchr(base + i, 10, buf.count - i) {
                i = UnsafeRawPointer(hit) - UnsafeRawPointer(base) + 1
                line += 1
                if (line - 1) % LineIndex.every == 0 { cps.append(i) }
            }
        }
        checkpoints = cps
        self.bytes = bytes
    }

    public func position(of offset: Int) -> (line: Int, column: Int) {
        var lo = 0, hi = checkpoints.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if checkpoints[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let start = checkpoints[lo]
        return bytes.withUnsafeBufferPointer { buf in
            LineIndex.advance(
                buf, from: start, to: min(max(offset, start), buf.count), line: lo * LineIndex.every + firstLine,
                column: 1)
        }
    }

    /// The position at byte `to`, from `line` and `column` at byte `from`: lines found with
    /// memchr, columns (Unicode scalars: bytes that are not UTF-8 continuation bytes) counted
    /// in a loop the compiler vectorises.
    static func advance(
        _ buf: UnsafeBufferPointer<UInt8>, from: Int, to: Int, line: Int, column: Int
    ) -> (line: Int, column: Int) {
        guard from < to, let base = buf.baseAddress else { return (line, column) }
        var line = line, column = column, i = from, start = from
        while i < to, let hit = memchr(base + i, 10, to - i) {
            let k = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
            line += 1
            column = 1
            start = k + 1
            i = k + 1
        }
        var n = 0
        for k in start..<to { n &+= buf[k] & 0xC0 != 0x80 ? 1 : 0 }
        return (line, column + n)
    }
}

public struct JSONLimits: Sendable {
    public var maxDepth: Int
    public var maxBytes: Int
    public init(maxDepth: Int = 256, maxBytes: Int = 256 << 20) {
        self.maxDepth = maxDepth
        self.maxBytes = maxBytes
    }
}

/// A strict RFC 8259 reader over bytes. Syntax errors stop the parse (there is no sensible
/// tree after one) but come back as a located diagnostic; duplicate keys are collected.
public struct JSONReader {
    public struct Failure: Error, Sendable {
        public var diagnostic: Diagnostic
    }

    let file: String
    let limits: JSONLimits
    public private(set) var warnings: [Diagnostic] = []

    public init(file: String, limits: JSONLimits = JSONLimits()) {
        self.file = file
        self.limits = limits
    }

    /// Which keys a diagnostic's JSON pointer may name. A key may be a value typed in the wrong
    /// place (a password as a key, a patient's name as an object's key), so a pointer stops at
    /// the first key that is not one of the file's own names; the line and column still name
    /// the place exactly.
    public enum ShownKeys: Sendable {
        /// Every key (files of the rule pack's authors, never facility data).
        case all
        /// Only these names.
        case only(Set<String>)

        func shows(_ key: String) -> Bool {
            switch self {
            case .all: true
            case .only(let names): names.contains(key)
            }
        }
    }

    public static func parse(
        _ bytes: [UInt8], file: String, limits: JSONLimits = JSONLimits(),
        shownKeys: ShownKeys = .only([]), firstLine: Int = 1
    ) -> (JSONNode?, [Diagnostic], LineIndex) {
        let index = LineIndex(bytes, firstLine: firstLine)
        var diags: [Diagnostic] = []
        if bytes.count > limits.maxBytes {
            diags.append(
                Diagnostic(
                    "data.too-large", .error,
                    "file is \(bytes.count) bytes, over the limit of \(limits.maxBytes) bytes",
                    at: SourceLocation(file: file),
                    help: "raise the limit with --max-input-bytes if the file is genuine"))
            return (nil, diags, index)
        }
        var state = State(file: file, index: index, maxDepth: limits.maxDepth, shownKeys: shownKeys)
        let node: JSONNode? = bytes.withUnsafeBufferPointer { buf in
            state.buf = buf
            do throws(Failure) {
                return try state.document()
            } catch {
                state.diagnostics.append(error.diagnostic)
                return nil
            }
        }
        diags += state.diagnostics
        return (node, diags, index)
    }

    struct State {
        var buf: UnsafeBufferPointer<UInt8> = UnsafeBufferPointer(start: nil, count: 0)
        var i = 0
        let file: String
        let index: LineIndex
        let maxDepth: Int
        var depth = 0
        /// The path to the current value; spelled out as a JSON pointer only for a diagnostic.
        enum Step { case key(String), index(Int) }
        var pointer: [Step] = []
        var diagnostics: [Diagnostic] = []
        let shownKeys: ShownKeys

        init(file: String, index: LineIndex, maxDepth: Int, shownKeys: ShownKeys) {
            self.file = file
            self.index = index
            self.shownKeys = shownKeys
            self.maxDepth = maxDepth
        }

        func location(_ offset: Int) -> SourceLocation {
            let p = index.position(of: offset)
            return SourceLocation(file: file, line: p.line, column: p.column, path: pointerString)
        }

        var pointerString: String {
            var out = ""
            for step in pointer {
                switch step {
                case .key(let k):
                    guard shownKeys.shows(k) else { return out }
                    out += "/" + escapePointerToken(k)
                case .index(let i): out += "/" + String(i)
                }
            }
            return out
        }

        func fail(_ id: String, _ message: String, at offset: Int? = nil) -> Failure {
            Failure(diagnostic: Diagnostic(id, .error, message, at: location(offset ?? i)))
        }

        func found() -> String {
            guard i < buf.count else { return "end of file" }
            let b = buf[i]
            if b >= 0x20 && b < 0x7F { return "`\(Character(Unicode.Scalar(b)))`" }
            return "byte 0x" + String(b, radix: 16, uppercase: true)
        }

        mutating func skipWS() {
            while i < buf.count {
                let b = buf[i]
                if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { break }
            }
        }

        mutating func document() throws(Failure) -> JSONNode {
            if buf.count >= 2, (buf[0] == 0xFE && buf[1] == 0xFF) || (buf[0] == 0xFF && buf[1] == 0xFE) {
                throw fail("data.unsupported-encoding", "file is UTF-16; expected UTF-8 JSON", at: 0)
            }
            if buf.count >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF { i = 3 }
            skipWS()
            if i >= buf.count { throw fail("data.empty-file", "file is empty; expected a JSON object") }
            let v = try value()
            skipWS()
            if i < buf.count {
                throw fail("data.trailing-content", "expected end of file after the JSON value, found \(found())")
            }
            return v
        }

        mutating func value() throws(Failure) -> JSONNode {
            skipWS()
            guard i < buf.count else { throw fail("data.unexpected-end", "unexpected end of file, expected a value") }
            let start = i
            switch buf[i] {
            case UInt8(ascii: "{"): return JSONNode(value: try object(), offset: start)
            case UInt8(ascii: "["): return JSONNode(value: try array(), offset: start)
            case UInt8(ascii: "\""): return JSONNode(value: .string(try string()), offset: start)
            case UInt8(ascii: "t"): try word("true"); return JSONNode(value: .bool(true), offset: start)
            case UInt8(ascii: "f"): try word("false"); return JSONNode(value: .bool(false), offset: start)
            case UInt8(ascii: "n"): try word("null"); return JSONNode(value: .null, offset: start)
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                return JSONNode(value: try number(), offset: start)
            default:
                throw fail("data.json-syntax", "expected a JSON value, found \(found())")
            }
        }

        mutating func word(_ w: StaticString) throws(Failure) {
            let n = w.utf8CodeUnitCount
            let p = w.utf8Start
            guard i + n <= buf.count else { throw fail("data.json-syntax", "expected `\(w)`, found \(found())") }
            for k in 0..<n where buf[i + k] != p[k] {
                throw fail("data.json-syntax", "expected `\(w)`, found \(found())")
            }
            i += n
        }

        mutating func enter() throws(Failure) {
            depth += 1
            if depth > maxDepth { throw fail("data.too-deep", "nesting deeper than \(maxDepth) levels") }
        }

        mutating func object() throws(Failure) -> JSONValue {
            try enter()
            defer { depth -= 1 }
            i += 1
            var members: [JSONMember] = []
            // Small objects are checked for duplicate keys by a scan; hashing pays off later.
            var seen: Set<String>?
            skipWS()
            if i < buf.count, buf[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            // Room for a typical record's fields, allocated once rather than grown four times.
            members.reserveCapacity(16)
            while true {
                skipWS()
                guard i < buf.count, buf[i] == UInt8(ascii: "\"") else {
                    throw fail("data.json-syntax", "expected a string key, found \(found())")
                }
                let keyOffset = i
                let key = try string()
                skipWS()
                guard i < buf.count, buf[i] == UInt8(ascii: ":") else {
                    throw fail("data.json-syntax", "expected `:` after the key, found \(found())")
                }
                i += 1
                pointer.append(.key(key))
                let v = try value()
                let duplicate: Bool
                if members.count < 16 {
                    duplicate = members.contains { $0.key == key }
                } else {
                    var keys = seen ?? Set(members.map(\.key))
                    duplicate = !keys.insert(key).inserted
                    seen = keys
                }
                if duplicate {
                    diagnostics.append(
                        Diagnostic(
                            "data.duplicate-key", .error,
                            "a key appears twice in this object (the second time here); JSON readers disagree on "
                                + "which one wins",
                            at: location(keyOffset)))
                }
                pointer.removeLast()
                members.append(JSONMember(key: key, keyOffset: keyOffset, node: v))
                skipWS()
                guard i < buf.count else {
                    throw fail("data.unexpected-end", "unexpected end of file, expected `,` or `}`")
                }
                if buf[i] == UInt8(ascii: ",") { i += 1; continue }
                if buf[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
                throw fail("data.json-syntax", "expected `,` or `}` in the object, found \(found())")
            }
        }

        mutating func array() throws(Failure) -> JSONValue {
            try enter()
            defer { depth -= 1 }
            i += 1
            var items: [JSONNode] = []
            skipWS()
            if i < buf.count, buf[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            while true {
                pointer.append(.index(items.count))
                items.append(try value())
                pointer.removeLast()
                skipWS()
                guard i < buf.count else {
                    throw fail("data.unexpected-end", "unexpected end of file, expected `,` or `]`")
                }
                if buf[i] == UInt8(ascii: ",") { i += 1; continue }
                if buf[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
                throw fail("data.json-syntax", "expected `,` or `]` in the array, found \(found())")
            }
        }

        mutating func number() throws(Failure) -> JSONValue {
            let start = i
            if buf[i] == UInt8(ascii: "-") { i += 1 }
            func digit(_ k: Int) -> Bool { k < buf.count && buf[k] >= 48 && buf[k] <= 57 }
            guard digit(i) else { throw fail("data.json-syntax", "expected a digit, found \(found())") }
            if buf[i] == 48 {
                i += 1
                if digit(i) { throw fail("data.json-syntax", "numbers must not have leading zeros") }
            } else {
                while digit(i) { i += 1 }
            }
            var integral = true
            if i < buf.count, buf[i] == UInt8(ascii: ".") {
                integral = false
                i += 1
                guard digit(i) else { throw fail("data.json-syntax", "expected a digit after `.`, found \(found())") }
                while digit(i) { i += 1 }
            }
            if i < buf.count, buf[i] == UInt8(ascii: "e") || buf[i] == UInt8(ascii: "E") {
                integral = false
                i += 1
                if i < buf.count, buf[i] == UInt8(ascii: "+") || buf[i] == UInt8(ascii: "-") { i += 1 }
                guard digit(i) else {
                    throw fail("data.json-syntax", "expected a digit in the exponent, found \(found())")
                }
                while digit(i) { i += 1 }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: buf[start..<i]), as: UTF8.self)
            if integral, let n = Int(text) { return .int(n) }
            return .number(text)
        }

        mutating func string() throws(Failure) -> String {
            let open = i
            i += 1
            let start = i
            var ascii = true
            // Fast path: no escapes.
            while i < buf.count {
                let b = buf[i]
                if b == UInt8(ascii: "\"") {
                    let slice = UnsafeBufferPointer(rebasing: buf[start..<i])
                    i += 1
                    if ascii { return String(decoding: slice, as: UTF8.self) }
                    guard let s = String(validating: slice, as: UTF8.self) else {
                        throw fail("data.invalid-utf8", "string is not valid UTF-8", at: open)
                    }
                    return s
                }
                if b == UInt8(ascii: "\\") { break }
                if b < 0x20 { throw fail("data.json-syntax", "control character in string; escape it as \\u00XX") }
                if b >= 0x80 { ascii = false }
                i += 1
            }
            guard i < buf.count else { throw fail("data.unexpected-end", "unterminated string", at: open) }
            // Slow path with escapes.
            var bytes = Array(UnsafeBufferPointer(rebasing: buf[start..<i]))
            while i < buf.count {
                let b = buf[i]
                if b == UInt8(ascii: "\"") {
                    i += 1
                    guard let s = String(validating: bytes, as: UTF8.self) else {
                        throw fail("data.invalid-utf8", "string is not valid UTF-8", at: open)
                    }
                    return s
                }
                if b < 0x20 { throw fail("data.json-syntax", "control character in string; escape it as \\u00XX") }
                if b != UInt8(ascii: "\\") { bytes.append(b); i += 1; continue }
                i += 1
                guard i < buf.count else { break }
                let e = buf[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""): bytes.append(0x22)
                case UInt8(ascii: "\\"): bytes.append(0x5C)
                case UInt8(ascii: "/"): bytes.append(0x2F)
                case UInt8(ascii: "b"): bytes.append(0x08)
                case UInt8(ascii: "f"): bytes.append(0x0C)
                case UInt8(ascii: "n"): bytes.append(0x0A)
                case UInt8(ascii: "r"): bytes.append(0x0D)
                case UInt8(ascii: "t"): bytes.append(0x09)
                case UInt8(ascii: "u"):
                    var code = try hex4()
                    if (0xD800...0xDBFF).contains(code) {
                        guard i + 1 < buf.count, buf[i] == UInt8(ascii: "\\"), buf[i + 1] == UInt8(ascii: "u") else {
                            throw fail("data.json-syntax", "unpaired surrogate in \\u escape")
                        }
                        i += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else {
                            throw fail("data.json-syntax", "unpaired surrogate in \\u escape")
                        }
                        code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(code) {
                        throw fail("data.json-syntax", "unpaired surrogate in \\u escape")
                    }
                    guard let scalar = Unicode.Scalar(code) else {
                        throw fail("data.json-syntax", "invalid \\u escape")
                    }
                    bytes.append(contentsOf: Array(String(Character(scalar)).utf8))
                default:
                    throw fail(
                        "data.json-syntax", "unknown escape `\\\(Character(Unicode.Scalar(e)))` in string", at: i - 2)
                }
            }
            throw fail("data.unexpected-end", "unterminated string", at: open)
        }

        mutating func hex4() throws(Failure) -> UInt32 {
            guard i + 4 <= buf.count else { throw fail("data.unexpected-end", "truncated \\u escape") }
            var v: UInt32 = 0
            for _ in 0..<4 {
                let b = buf[i]
                let d: UInt32
                switch b {
                case 48...57: d = UInt32(b - 48)
                case 65...70: d = UInt32(b - 55)
                case 97...102: d = UInt32(b - 87)
                default: throw fail("data.json-syntax", "expected a hex digit in \\u escape, found \(found())")
                }
                v = v * 16 + d
                i += 1
            }
            return v
        }
    }
}

/// RFC 6901: `~` becomes `~0` and `/` becomes `~1` inside a pointer token.
public func escapePointerToken(_ s: String) -> String {
    guard s.utf8.contains(where: { $0 == 0x7E || $0 == 0x2F }) else { return s }
    var out = ""
    for c in s.unicodeScalars {
        switch c {
        case "~": out += "~0"
        case "/": out += "~1"
        default: out.unicodeScalars.append(c)
        }
    }
    return out
}

extension JSONValue {
    public subscript(_ key: String) -> JSONValue? {
        if case .object(let ms) = self { return ms.first { $0.key == key }?.node.value }
        return nil
    }
    public var string: String? { if case .string(let s) = self { s } else { nil } }
    public var int: Int? { if case .int(let n) = self { n } else { nil } }
    public var bool: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var array: [JSONValue]? { if case .array(let xs) = self { xs.map(\.value) } else { nil } }
}
