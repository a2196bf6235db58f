import Foundation
import Testing

@testable import TenkenData
@testable import TenkenSyntax

/// The snapshot scanner (`SnapshotScanner`) against the tree path it stands in for: on every
/// fixture snapshot and thousands of variants of them, it either gives up or builds the very
/// facility the tree path builds (every value, offset, origin, section place and id), and the
/// loader's diagnostics are the same whether it runs or not.
struct SnapshotScannerTests {
    /// The scanner types printable ASCII without a space (`plain`) straight from its bytes, skipping
    /// `CellText.clean`, `identifier` and `invisible`, because they leave such text as it is. Should
    /// any of them ever change such text (fold `_`, or case), this fails instead of the two paths
    /// reading one value two ways.
    /// The eight-bytes-at-a-time tests the scanner skips ordinary string bytes with, against the
    /// byte-by-byte ones: every byte value in every position of a word, and random words.
    @Test func wordTestsAgreeWithByteTests() {
        func check(_ bytes: [UInt8]) {
            let w = UInt64(littleEndian: bytes.withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) })
            #expect((SWAR.hasLess(w, 0x20) != 0) == bytes.contains { $0 < 0x20 }, "\(bytes)")
            for b: UInt8 in [0x20, 0x22, 0x5C, 0x7F] {
                #expect((SWAR.hasByte(w, b) != 0) == bytes.contains(b), "\(bytes) \(b)")
            }
            #expect((w & SWAR.high != 0) == bytes.contains { $0 >= 0x80 })
            // The lowest set bit marks the first byte that passes.
            let stop = SWAR.hasLess(w, 0x20) | SWAR.hasByte(w, 0x22) | SWAR.hasByte(w, 0x5C)
            let first = bytes.firstIndex { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C } ?? 8
            #expect((stop == 0 ? 8 : stop.trailingZeroBitCount / 8) == first, "\(bytes)")
        }
        for b in UInt8.min...UInt8.max {
            for k in 0..<8 {
                for fill: UInt8 in [0x41, 0x21, 0x7E, 0xE3] {
                    var bytes = [UInt8](repeating: fill, count: 8)
                    bytes[k] = b
                    check(bytes)
                }
            }
        }
        var g = SystemRandomNumberGenerator()
        for _ in 0..<20_000 { check((0..<8).map { _ in UInt8.random(in: 0...255, using: &g) }) }
    }

    /// Names compared a word at a time (`ScanNames`), against comparing strings: keys of every
    /// length up to 20, equal to a name, a byte short or long of one, or one byte changed, placed
    /// in the middle of a snapshot and at its very end (where the last word cannot be loaded).
    @Test func namesMatchAWordAtATimeAsStringsDo() {
        let names = (0...20).map { String("abcdefghijklmnopqrstu".prefix($0)) } + ["password_changed_on", "id", "x_y"]
        let scan = ScanNames(names)
        #expect(scan.usable)
        var keys = names + names.map { $0 + "z" } + names.filter { !$0.isEmpty }.map { String($0.dropLast()) + "Z" }
        keys += ["", "password_changed_om", "ic", "abcdefgh\u{80}"]
        for key in keys {
            let expected = names.firstIndex(of: key)
            for tail in ["\"", "\":1}", "\"" + String(repeating: " ", count: 30)] {
                let bytes = Array(("{\"" + key + tail).utf8)
                bytes.withUnsafeBufferPointer { buf in
                    let p = buf.baseAddress! + 2
                    let k = UnsafeBufferPointer(start: p, count: key.utf8.count)
                    let readable = buf.count - 2 >= (k.count + 7) & ~7
                    for from in [0, 5, names.count - 1, names.count] {
                        #expect(scan.index(of: k, readable: readable, from: from) == expected, "\(key) \(tail)")
                        // In place (up to the closing quote) when the words can be loaded; else nil.
                        let inPlace = scan.index(at: p, available: buf.count - 2, from: from)
                        #expect(inPlace == expected || (inPlace == nil && !readable), "\(key) \(tail)")
                    }
                    // As a key with its colon right after it (`isKey`): true exactly for that name
                    // so spelled, where the words of name, quote and colon can be loaded.
                    for k in names.indices {
                        let loadable = buf.count - 2 >= (names[k].utf8.count + 2 + 7) & ~7
                        let spelled = key == names[k] && tail.hasPrefix("\":")
                        #expect(
                            scan.isKey(k, at: p, available: buf.count - 2) == (spelled && loadable),
                            "\(key) \(tail) \(k)")
                    }
                }
            }
        }
    }

    /// `true`, `false` and `null` compared four bytes at once (`SnapshotScanner.word`), against
    /// comparing bytes: the word, each byte of it changed, cut short by the end of the snapshot,
    /// and followed by more bytes; a match consumes exactly the word, a mismatch gives up.
    @Test func wordsMatchAsTheirBytesDo() {
        let src = SourceFile(path: "w.json", kind: .json, lines: LineIndex([], firstLine: 1))
        for word: StaticString in ["null", "true", "false"] {
            let bytes = Array(UnsafeBufferPointer(start: word.utf8Start, count: word.utf8CodeUnitCount))
            var inputs = [bytes, bytes + Array(",1]".utf8), Array("x".utf8) + bytes]
            for k in bytes.indices {
                for b: UInt8 in [0, 0x20, bytes[k] ^ 0x20, bytes[k] &+ 1, 0xFF] {
                    var changed = bytes
                    changed[k] = b
                    inputs += [changed, changed + Array("}".utf8)]
                }
                inputs.append(Array(bytes[..<k]))
            }
            for input in inputs {
                for at in [0, 1] where at <= input.count {
                    input.withUnsafeBufferPointer { buf in
                        var s = SnapshotScanner(buf: buf, src: src, options: LoadOptions())
                        s.i = at
                        let expected = input[at...].starts(with: bytes)
                        do throws(SnapshotScanner.GiveUp) {
                            try s.word(word)
                            #expect(expected && s.i == at + bytes.count, "\(word) in \(input) at \(at)")
                        } catch {
                            #expect(!expected && s.i == at, "\(word) in \(input) at \(at)")
                        }
                    }
                }
            }
        }
    }

    /// Short strings made as small strings (`SmallASCII`), against `String(decoding:as:)`: bit for
    /// bit, for every length 0…15, every ASCII byte in every position, read a word at a time and a
    /// byte at a time; 16 bytes or more, and any byte at or above 0x80, are left to the decoder.
    @Test func smallStringsAreTheDecodersBitForBit() {
        #expect(SmallASCII.holds)
        func check(_ bytes: [UInt8]) {
            let padded = bytes + [UInt8](repeating: 0xFF, count: 16)
            padded.withUnsafeBufferPointer { b in
                let part = UnsafeBufferPointer(rebasing: b[..<bytes.count])
                let decoded = String(decoding: part, as: UTF8.self)
                for wordsReadable in [true, false] {
                    let made = SmallASCII.string(part, wordsReadable: wordsReadable)
                    if bytes.isEmpty || bytes.count > 15 || bytes.contains(where: { $0 >= 0x80 }) {
                        #expect(made == nil, "\(bytes)")
                    } else if let made {
                        #expect(made == decoded && made.utf8.elementsEqual(bytes), "\(bytes)")
                        #expect(SmallASCII.bits(made) == SmallASCII.bits(decoded), "\(bytes)")
                    } else {
                        Issue.record("\(bytes) not made")
                    }
                }
            }
        }
        for n in 0...17 {
            for b in UInt8.min...UInt8.max {
                for k in 0..<max(n, 1) where n > 0 || k == 0 {
                    var bytes = [UInt8](repeating: 0x41 &+ UInt8(n), count: n)
                    if n > 0 { bytes[k] = b }
                    check(bytes)
                }
            }
        }
        var g = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            check((0..<Int.random(in: 1...15, using: &g)).map { _ in UInt8.random(in: 0x21...0x7E, using: &g) })
        }
    }

    /// The elements of a collection with their keys in a different order and a different choice
    /// from one element to the next, fields left out, and keys the element before did not have:
    /// `RecordHints` only changes where the scanner looks first, so each is read as the tree
    /// path reads it; a key repeated, or an unknown key, after the hints have learnt an order
    /// still gives up.
    @Test func hintsFromTheElementBeforeChangeNothingRead() {
        let hints = RecordHints(fields: 4)
        defer { hints.free() }
        #expect((0...4).map { hints.next(after: $0) } == [0, 1, 2, 3, 4])
        #expect((0..<4).map { hints.choice($0) } == [0, 0, 0, 0])
        hints.follow(2, with: 0)
        hints.setChoice(3, 2)
        #expect(hints.next(after: 2) == 0 && hints.choice(3) == 2 && hints.choice(2) == 0)

        let fields: [(String, (Int) -> String)] = [
            ("id", { "\"A-\($0)\"" }), ("staff_id", { "\"S-\($0 % 7)\"" }),
            ("status", { ["\"active\"", "\"suspended\"", "\"deleted\"", "null"][$0 % 4] }),
            ("is_admin", { $0 % 3 == 0 ? "true" : "false" }),
            ("created_on", { "\"2024-0\($0 % 9 + 1)-1\($0 % 10)\"" }),
            ("password_changed_on", { $0 % 5 == 0 ? "\"\"" : "\"2025-01-2\($0 % 10)\"" }),
        ]
        func element(_ e: Int, extra: String? = nil) -> String {
            var order = Array(fields.indices)
            order = Array(order[(e % order.count)...] + order[..<(e % order.count)])
            if e % 3 == 0 { order.reverse() }
            if e % 4 == 1 { order.remove(at: e % order.count) }
            if e >= 8 && e < 12 { order = Array(fields.indices) }
            var members = order.map { "\"\(fields[$0].0)\":\(fields[$0].1(e))" }
            if let extra { members.insert(extra, at: members.count / 2) }
            return "{" + members.joined(separator: e % 2 == 0 ? "," : ", ") + "}"
        }
        func snapshot(_ bad: Int? = nil, extra: String = "") -> [UInt8] {
            let elements = (0..<30).map { element($0, extra: $0 == bad ? extra : nil) }
            return Array(("{\"schema_version\":1,\"accounts\":[" + elements.joined(separator: ",") + "]}").utf8)
        }
        #expect(Self.compare(snapshot(), name: "orders"))
        for bad in [2, 9, 10, 29] {
            #expect(!Self.compare(snapshot(bad, extra: #""status":"active""#), name: "repeated at \(bad)"))
            #expect(!Self.compare(snapshot(bad, extra: #""id":"A-x""#), name: "repeated id at \(bad)"))
            #expect(!Self.compare(snapshot(bad, extra: #""colour":"red""#), name: "unknown at \(bad)"))
            #expect(!Self.compare(snapshot(bad, extra: #""status":"lost""#), name: "bad choice at \(bad)"))
        }
    }

    @Test func plainASCIIIsLeftAsItIsByTheTextFunctionsTheScannerSkips() {
        for b in UInt8(0x21)...UInt8(0x7E) {
            let c = String(UnicodeScalar(b))
            for s in [c, "A\(c)b", "\(c)\(c)9", "S-00\(c)"] {
                #expect(CellText.clean(s).text == s && CellText.clean(s).refused == nil, "\(s)")
                #expect(CellText.identifier(s) == s, "\(s)")
                #expect(CellText.invisible(in: s) == nil, "\(s)")
            }
        }
    }

    /// Origins are spelled into one buffer (`SnapshotScanner.pointer`): the very strings the
    /// tree path joins piece by piece, for any index and for names with multi-byte text.
    @Test func pointersAreSpelledAsTheTreePathJoinsThem() {
        let bases = ["", "/staff", "/groups/12/members", "/施設/3", String(repeating: "/x", count: 40)]
        for base in bases {
            for k in [0, 1, 9, 10, 99, 100, 12_345, -1, -10, Int.max, Int.min] {
                #expect(SnapshotScanner.pointer(base, index: k) == base + "/" + String(k))
            }
            for name in ["id", "training_dates", "", "名前", "a~b/c"] {
                #expect(SnapshotScanner.pointer(base, name: name) == base + "/" + name)
            }
        }
    }

    static let fleet: PackSchema = {
        let path = TestSchema.root.appendingPathComponent("Rules/fleet/" + PackSchema.fileName).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8),
            let schema = PackSchema.compile(text, file: "Rules/fleet/" + PackSchema.fileName).0
        else { fatalError("cannot compile \(path)") }
        return schema
    }()

    /// Every JSON file of the fixtures (reports and invalid ones too: they must give up), and
    /// each line of the JSON Lines fixtures.
    static let inputs: [(name: String, bytes: [UInt8], line: Int?)] = {
        var out: [(String, [UInt8], Int?)] = []
        let fm = FileManager.default
        let root = TestSchema.root.appendingPathComponent("Fixtures")
        guard let walk = fm.enumerator(atPath: root.path) else { return [] }
        for rel in (walk.allObjects as? [String] ?? []).sorted() {
            let url = root.appendingPathComponent(rel)
            guard let data = try? Data(contentsOf: url) else { continue }
            if rel.hasSuffix(".json") { out.append(("Fixtures/" + rel, Array(data), nil)) }
            if rel.hasSuffix(".jsonl") {
                for (k, l) in data.split(separator: 10, omittingEmptySubsequences: false).enumerated() where !l.isEmpty
                {
                    out.append(("Fixtures/" + rel, Array(l), k + 1))
                }
            }
        }
        return out
    }()

    /// Loads `bytes` with the scanner on and off; records a difference as an issue. True when
    /// the scanner read it.
    @discardableResult
    static func compare(
        _ bytes: [UInt8], name: String, line: Int? = nil, schema: PackSchema = TestSchema.mcs,
        options: LoadOptions = LoadOptions(), sourceLocation: Testing.SourceLocation = #_sourceLocation
    ) -> Bool {
        var off = options
        off.scanSnapshots = false
        var on = options
        on.scanSnapshots = true
        var tree = SnapshotLoader(options: off, schema: schema)
        var fast = SnapshotLoader(options: on, schema: schema)
        let a = tree.loadSnapshot(bytes: bytes, path: "s.json", line: line)
        let b = fast.loadSnapshot(bytes: bytes, path: "s.json", line: line)
        #expect(tree.scanned == 0, sourceLocation: sourceLocation)
        #expect(tree.diagnostics == fast.diagnostics, "\(name): diagnostics differ", sourceLocation: sourceLocation)
        if fast.scanned == 1 {
            #expect(
                tree.diagnostics.isEmpty, "\(name): scanned but the tree path says something",
                sourceLocation: sourceLocation)
        }
        if let why = FacilityDifference.of(a, b) {
            Issue.record("\(name): \(why)", sourceLocation: sourceLocation)
        }
        return fast.scanned == 1
    }

    @Test func everyFixtureReadsTheSameEitherWay() {
        var scanned: [String] = []
        for input in Self.inputs {
            let schema = input.name.hasPrefix("Fixtures/fleet/") ? Self.fleet : TestSchema.mcs
            if Self.compare(input.bytes, name: input.name, line: input.line, schema: schema) {
                scanned.append(input.name)
            }
        }
        // Not vacuous: the ordinary snapshots are the scanner's (messy-tsubaki gives parameters,
        // which the scanner leaves to the tree path).
        for name in [
            "clinic-sakura", "hospital-aoba", "pharmacy-midori", "visiting-nurse-hikari",
        ] {
            #expect(scanned.contains("Fixtures/\(name)/snapshot.json"), "\(name) not scanned")
        }
        #expect(scanned.contains("Fixtures/fleet/site-ok.json"))
        #expect(scanned.filter { $0 == "Fixtures/fleet/sites.jsonl" }.count > 1)
        // An invalid fixture the loader says nothing about (its error is a consistency check's,
        // after loading) may be scanned; one it diagnoses never is (`compare`).
        #expect(scanned.contains("Fixtures/invalid/left-before-hired.json"))
        #expect(!scanned.contains("Fixtures/invalid/bad-date.json"))
    }

    /// The ordinary snapshots, each in several layouts and with its keys in another order, are
    /// all the scanner's.
    @Test func layoutsAndKeyOrderAreScanned() throws {
        for name in ["clinic-sakura", "pharmacy-midori", "visiting-nurse-hikari"] {
            let tree = try Self.tree("Fixtures/\(name)/snapshot.json")
            for style in Render.Style.allCases {
                #expect(Self.compare(Render.bytes(tree, style), name: "\(name) \(style)"), "\(name) \(style)")
                #expect(Self.compare(Render.bytes(tree.reordered, style), name: "\(name) reordered \(style)"))
            }
        }
    }

    /// Every value of the fixtures replaced in turn by each of many others (wrong types, escapes,
    /// non-ASCII and folded text, blanks, big numbers, nested objects…), every object given an
    /// unknown, folded or repeated key, every list a null or blank element: the scanner either
    /// gives up or agrees with the tree path, under several load options.
    @Test func variantsReadTheSameEitherWay() throws {
        var small = LoadOptions()
        small.maxCollection = 3
        small.limits.maxDepth = 3
        var folding = LoadOptions()
        folding.noteFoldedIDs = true
        var taken = 0, total = 0
        for name in ["clinic-sakura", "pharmacy-midori", "visiting-nurse-hikari", "messy-tsubaki"] {
            let tree = try Self.tree("Fixtures/\(name)/snapshot.json")
            let paths = tree.paths
            for (k, variant) in Variant.all.enumerated() {
                // Each variant at a spread of places (a stride through them, from a different start).
                let stride = max(1, paths.count / 12)
                for p in Swift.stride(from: k % stride, to: paths.count, by: stride) {
                    guard let mutated = variant.apply(tree, paths[p]) else { continue }
                    let style = Render.Style.allCases[(k + p) % Render.Style.allCases.count]
                    let bytes = Render.bytes(mutated, style)
                    let label = "\(name) \(variant.name) at \(paths[p]) \(style)"
                    total += 1
                    if Self.compare(bytes, name: label) { taken += 1 }
                    if p % 5 == 0 {
                        Self.compare(bytes, name: label + " small", options: small)
                        Self.compare(bytes, name: label + " folding", options: folding)
                    }
                }
            }
            for variant in Variant.document {
                Self.compare(variant.1(Render.bytes(tree, .compact)), name: "\(name) \(variant.0)")
            }
        }
        // Both ways were exercised.
        #expect(taken > total / 10, "scanned \(taken) of \(total)")
        #expect(taken < total * 9 / 10, "scanned \(taken) of \(total)")
    }

    /// Text the scanner keeps (non-ASCII, inner spaces, NFC already) is read by it; text that
    /// `CellText` changes is read the same either way.
    @Test func textIsCleanedAsTheTreePathCleansIt() {
        func snapshot(_ name: String) -> [UInt8] {
            Array(#"{"schema_version": 1, "facility": {"id": "F-1", "name": "\#(name)"}}"#.utf8)
        }
        #expect(Self.compare(snapshot("さくら 診療所"), name: "kanji"))
        #expect(Self.compare(snapshot("Sakura Clinic"), name: "space"))
        #expect(Self.compare(snapshot(""), name: "empty"))
        #expect(Self.compare(snapshot("  "), name: "blank"))
        Self.compare(snapshot(" Sakura\u{3000}"), name: "trimmed")
        Self.compare(snapshot("Cafe\u{301}"), name: "decomposed")
        #expect(!Self.compare(snapshot("Sa\\u006Bura"), name: "escape"))
        #expect(!Self.compare(snapshot("Sa\u{200B}kura"), name: "zero-width"))
        #expect(!Self.compare(snapshot("Sa\u{7F}kura"), name: "delete"))
    }

    static func tree(_ path: String) throws -> Tree {
        let bytes = Array(try Data(contentsOf: TestSchema.root.appendingPathComponent(path)))
        let (node, diags, _) = JSONReader.parse(bytes, file: path)
        guard let node, diags.isEmpty else { throw CocoaError(.fileReadCorruptFile) }
        return Tree(node)
    }
}

/// A JSON value to mutate and render; `raw` is written as it stands (bad syntax, invalid UTF-8).
indirect enum Tree: Sendable {
    case null, bool(Bool), int(Int), number(String), string(String)
    case array([Tree])
    case object([(String, Tree)])
    case raw([UInt8])

    init(_ node: JSONNode) {
        switch node.value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let n): self = .int(n)
        case .number(let s): self = .number(s)
        case .string(let s): self = .string(s)
        case .array(let xs): self = .array(xs.map(Tree.init))
        case .object(let ms): self = .object(ms.map { ($0.key, Tree($0.node)) })
        }
    }

    /// Every value's place, as indexes into arrays and objects' members (the root excluded).
    var paths: [[Int]] {
        var out: [[Int]] = []
        func visit(_ t: Tree, _ at: [Int]) {
            if !at.isEmpty { out.append(at) }
            switch t {
            case .array(let xs): for (k, x) in xs.enumerated() { visit(x, at + [k]) }
            case .object(let ms): for (k, m) in ms.enumerated() { visit(m.1, at + [k]) }
            default: break
            }
        }
        visit(self, [])
        return out
    }

    subscript(_ path: ArraySlice<Int>) -> Tree {
        get {
            guard let k = path.first else { return self }
            switch self {
            case .array(let xs): return xs[k][path.dropFirst()]
            case .object(let ms): return ms[k].1[path.dropFirst()]
            default: return self
            }
        }
        set {
            guard let k = path.first else { self = newValue; return }
            switch self {
            case .array(var xs):
                xs[k][path.dropFirst()] = newValue
                self = .array(xs)
            case .object(var ms):
                ms[k].1[path.dropFirst()] = newValue
                self = .object(ms)
            default: break
            }
        }
    }

    /// The key of the member at the end of `path`, when its parent is an object.
    func key(at path: [Int]) -> String? {
        guard let last = path.last, case .object(let ms) = self[path.dropLast()] else { return nil }
        return ms[last].0
    }

    /// Every object's members in reverse order.
    var reordered: Tree {
        switch self {
        case .array(let xs): .array(xs.map(\.reordered))
        case .object(let ms): .object(ms.reversed().map { ($0.0, $0.1.reordered) })
        default: self
        }
    }
}

enum Render {
    enum Style: CaseIterable { case compact, pretty, tabsCRLF, spaced }

    static func bytes(_ t: Tree, _ style: Style) -> [UInt8] {
        var out: [UInt8] = []
        write(t, style, level: 0, into: &out)
        return out
    }

    static func string(_ s: String, into out: inout [UInt8]) {
        var text = ""
        JSON.escape(s, into: &text)
        out += text.utf8
    }

    static func write(_ t: Tree, _ style: Style, level: Int, into out: inout [UInt8]) {
        func newline(_ level: Int) {
            switch style {
            case .compact: break
            case .pretty: out += Array(("\n" + String(repeating: "  ", count: level)).utf8)
            case .tabsCRLF: out += Array(("\r\n" + String(repeating: "\t", count: level)).utf8)
            case .spaced: out += [0x20]
            }
        }
        switch t {
        case .null: out += "null".utf8
        case .bool(let b): out += (b ? "true" : "false").utf8
        case .int(let n): out += String(n).utf8
        case .number(let s): out += s.utf8
        case .string(let s): string(s, into: &out)
        case .raw(let r): out += r
        case .array(let xs):
            out.append(UInt8(ascii: "["))
            for (k, x) in xs.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                write(x, style, level: level + 1, into: &out)
            }
            if !xs.isEmpty { newline(level) }
            out.append(UInt8(ascii: "]"))
        case .object(let ms):
            out.append(UInt8(ascii: "{"))
            for (k, m) in ms.enumerated() {
                if k > 0 { out.append(UInt8(ascii: ",")) }
                newline(level + 1)
                string(m.0, into: &out)
                out += style == .compact ? [UInt8(ascii: ":")] : Array(" : ".utf8)
                write(m.1, style, level: level + 1, into: &out)
            }
            if !ms.isEmpty { newline(level) }
            out.append(UInt8(ascii: "}"))
        }
    }
}

/// A change to the value at a place of a snapshot.
struct Variant: Sendable {
    let name: String
    let apply: @Sendable (Tree, [Int]) -> Tree?

    static func replace(_ name: String, _ with: @escaping @Sendable (Tree) -> Tree?) -> Variant {
        Variant(name: name) { tree, path in
            guard let new = with(tree[path[...]]) else { return nil }
            var t = tree
            t[path[...]] = new
            return t
        }
    }

    static func raw(_ text: String) -> Variant { replace("raw \(text)") { _ in .raw(Array(text.utf8)) } }

    static func text(_ name: String, _ f: @escaping @Sendable (String) -> String) -> Variant {
        replace(name) { if case .string(let s) = $0 { .string(f(s)) } else { nil } }
    }

    static func members(_ name: String, _ f: @escaping @Sendable ([(String, Tree)]) -> [(String, Tree)]?) -> Variant {
        replace(name) { if case .object(let ms) = $0 { f(ms).map(Tree.object) } else { nil } }
    }

    static func elements(_ name: String, _ f: @escaping @Sendable ([Tree]) -> [Tree]?) -> Variant {
        replace(name) { if case .array(let xs) = $0 { f(xs).map(Tree.array) } else { nil } }
    }

    /// Full-width letters and digits, and a full-width dash, for ASCII ones.
    static func fullWidth(_ s: String) -> String {
        String(
            String.UnicodeScalarView(
                s.unicodeScalars.map { u in
                    if u == "-" { return "\u{FF0D}" }
                    if u.properties.isAlphabetic || ("0"..."9").contains(u), u.isASCII {
                        return Unicode.Scalar(u.value + 0xFEE0) ?? u
                    }
                    return u
                }))
    }

    static let all: [Variant] = [
        raw("0"), raw("-1"), raw("12"), raw("-0"), raw("1.5"), raw("1e3"), raw("99999999999999999999"),
        raw("007"), raw("true"), raw("false"), raw("null"), raw("[]"), raw("{}"), raw("[\"x\"]"), raw("[null]"),
        raw("[\"\"]"), raw("[1, 2]"), raw("{\"id\": \"X-1\"}"), raw("\"2025-01-01\""), raw("\"2025-02-30\""),
        raw("\"30 minutes\""), raw("\"-5 days\""), raw("\"0 days\""), raw("\"nurse\""), raw("\"1\""), raw("\"\""),
        raw("\"   \""), raw("\"\u{3000}\""), raw("\"\\u0041\""), raw("\"a\\/b\""), raw("\"tab\there\""),
        raw("\"\u{7F}\""), raw("nul"), raw("\"unterminated"), raw("[1,]"),
        replace("invalid UTF-8") { _ in .raw([0x22, 0x61, 0xFF, 0x62, 0x22]) },
        text("escaped") { s in s.isEmpty ? "\\" : "\\" + s },
        text("kanji") { $0 + "（本院）" },
        text("full-width") { fullWidth($0) },
        text("padded") { " " + $0 + "\u{3000}" },
        text("inner space") { $0 + " x" },
        text("decomposed") { $0 + "e\u{301}" },
        text("composed") { $0 + "\u{E9}" },
        text("zero-width") { $0 + "\u{200B}x" },
        text("empty") { _ in "" },
        text("upper") { $0.uppercased() },
        text("variation selector") { $0 + "\u{FE0F}" },
        text("newline") { $0 + "\n" },
        members("unknown key") { $0 + [("zz_unknown", .int(1))] },
        members("folded key") { ms in ms.first.map { [($0.0.uppercased(), $0.1)] + ms.dropFirst() } },
        members("duplicate key") { ms in ms.first.map { ms + [$0] } },
        members("repeated key spelled otherwise") { ms in ms.first.map { ms + [($0.0.uppercased(), $0.1)] } },
        members("reversed") { $0.reversed() },
        members("emptied") { _ in [] },
        members("secret") { $0 + [("password", .string("hunter2"))] },
        members("nested") { ms in ms.map { ($0.0, .object([("id", $0.1)])) } },
        elements("null element") { $0 + [.null] },
        elements("blank element") { $0 + [.string("")] },
        elements("repeated element") { xs in xs.first.map { xs + [$0] } },
        elements("nested array") { [.array($0)] },
        elements("emptied") { _ in [] },
    ]

    /// Changes to the document as a whole.
    static let document: [(String, @Sendable ([UInt8]) -> [UInt8])] = [
        ("bom", { [0xEF, 0xBB, 0xBF] + $0 }),
        ("utf-16 bom", { [0xFF, 0xFE] + $0 }),
        ("trailing", { $0 + Array(" x".utf8) }),
        ("trailing white space", { $0 + Array("\n\r\n\t ".utf8) }),
        ("leading white space", { Array("\n  ".utf8) + $0 }),
        ("second document", { $0 + $0 }),
        ("truncated", { Array($0.dropLast()) }),
        ("no version", { replacing($0, "\"schema_version\":1,", "") }),
        ("version 2", { replacing($0, "\"schema_version\":1", "\"schema_version\":2") }),
        ("version text", { replacing($0, "\"schema_version\":1", "\"schema_version\":\"1\"") }),
        ("version fraction", { replacing($0, "\"schema_version\":1", "\"schema_version\":1.0") }),
        ("version twice", { replacing($0, "\"schema_version\":1", "\"schema_version\":1,\"schema_version\":1") }),
        ("comment", { replacing($0, "\"schema_version\":1", "\"schema_version\":1,\"comment\":\"x\"") }),
        ("parameters", { replacing($0, "\"schema_version\":1", "\"schema_version\":1,\"parameters\":{}") }),
        ("unknown section", { replacing($0, "\"schema_version\":1", "\"schema_version\":1,\"zz\":[]") }),
        ("array", { Array("[".utf8) + $0 + Array("]".utf8) }),
        ("empty object", { _ in Array("{}".utf8) }),
        ("only the version", { _ in Array("{\"schema_version\":1}".utf8) }),
    ]

    static func replacing(_ bytes: [UInt8], _ a: String, _ b: String) -> [UInt8] {
        Array(String(decoding: bytes, as: UTF8.self).replacingOccurrences(of: a, with: b).utf8)
    }
}

/// The first way two loads differ, in words; nil when they are the same in every value, offset,
/// origin, section place, override and id.
enum FacilityDifference {
    static func of(_ a: Facility?, _ b: Facility?) -> String? {
        guard let a, let b else { return (a == nil) == (b == nil) ? nil : "one load gave no facility" }
        if a.id != b.id { return "id \(a.id) vs \(b.id)" }
        if a.rootLocations != b.rootLocations { return "section places \(a.rootLocations) vs \(b.rootLocations)" }
        if a.sources != b.sources || a.tables != b.tables || a.tablesInWorkbook != b.tablesInWorkbook
            || a.isNormalised != b.isNormalised || a.schema !== b.schema
        {
            return "facility attributes"
        }
        if a.overrides.count != b.overrides.count { return "override count" }
        for (x, y) in zip(a.overrides, b.overrides)
        where x.name != y.name || x.value != y.value || x.location != y.location || x.origin != y.origin {
            return "override \(x.name)"
        }
        if a.roots.count != b.roots.count { return "section count" }
        for (k, (x, y)) in zip(a.roots, b.roots).enumerated() {
            switch (x, y) {
            case (nil, nil): continue
            case (let x?, let y?): if let d = value(x, y) { return "section \(k): \(d)" }
            default: return "section \(k) present in one load only"
            }
        }
        return nil
    }

    static func value(_ a: Value, _ b: Value) -> String? {
        switch (a, b) {
        case (.string(let x), .string(let y)):
            return Array(x.utf8) == Array(y.utf8) ? nil : "text \(x.debugDescription) vs \(y.debugDescription)"
        case (.list(let xs), .list(let ys)):
            if xs.count != ys.count { return "list of \(xs.count) vs \(ys.count)" }
            for (k, (x, y)) in zip(xs, ys).enumerated() { if let d = value(x, y) { return "[\(k)] \(d)" } }
            return nil
        case (.record(let x), .record(let y)): return record(x, y)
        default: return a == b ? nil : "\(a) vs \(b)"
        }
    }

    static func record(_ a: Record, _ b: Record) -> String? {
        let at = a.origin.path
        if a.schema !== b.schema { return "\(at): schema" }
        if a.origin.offset != b.origin.offset || a.origin.path != b.origin.path || a.origin.row != b.origin.row
            || a.origin.source.path != b.origin.source.path || a.origin.source.kind != b.origin.source.kind
        {
            return "origin \(a.origin.path)@\(a.origin.offset) vs \(b.origin.path)@\(b.origin.offset)"
        }
        if a.offsets != b.offsets { return "\(at): offsets \(a.offsets) vs \(b.offsets)" }
        if a.headers != b.headers || (a.fieldSources == nil) != (b.fieldSources == nil)
            || a.contradictedBlanks != b.contradictedBlanks
        {
            return "\(at): record attributes"
        }
        for (k, (x, y)) in zip(a.values, b.values).enumerated() {
            if let d = value(x, y) { return "\(at)/\(a.schema.fields[k].name): \(d)" }
        }
        return nil
    }
}
