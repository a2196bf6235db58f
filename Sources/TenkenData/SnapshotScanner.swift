import TenkenSyntax

/// Names as UTF-8 bytes laid end to end, worked out once with the schema, so the scanner
/// matches a key by comparing bytes instead of making a string of every key.
struct ScanNames: Sendable {
    /// Each name's bytes as little-endian words, the last one padded with zero bytes: name `k`
    /// is `words[starts[k]..<starts[k + 1]]`, `counts[k]` bytes long. A key is compared eight
    /// bytes at a time (`index(of:readable:from:)`).
    let words: [UInt64]
    let starts: [Int]
    let counts: [Int]
    /// Each name as a key spells it with no white space: its bytes, then the closing quote and
    /// the colon, as little-endian words padded with zero bytes (`keyWords[keyStarts[k]..<
    /// keyStarts[k + 1]]`, `counts[k] + 2` bytes). The key expected next is compared with these
    /// first (`isKey(_:at:available:)`), a word or two and no separate look for the quote and colon.
    let keyWords: [UInt64]
    let keyStarts: [Int]
    /// The names are distinct and plain (no quote, backslash or control byte): a key's raw
    /// bytes equal to one of them then mean exactly that name.
    let usable: Bool

    init(_ names: [String], usable: Bool = true) {
        var words: [UInt64] = []
        var starts = [0]
        var counts: [Int] = []
        var keyWords: [UInt64] = []
        var keyStarts = [0]
        var plain = true
        counts.reserveCapacity(names.count)
        starts.reserveCapacity(names.count + 1)
        keyStarts.reserveCapacity(names.count + 1)
        for n in names {
            let first = words.count
            var count = 0
            var word: UInt64 = 0
            for b in n.utf8 {
                if b < 0x20 || b == 0x22 || b == 0x5C { plain = false }
                word |= UInt64(b) &<< UInt64((count & 7) &* 8)
                count += 1
                if count & 7 == 0 {
                    words.append(word)
                    word = 0
                }
            }
            if count & 7 != 0 { words.append(word) }
            counts.append(count)
            starts.append(words.count)
            // As a key: the name's whole words, then its last bytes (`word`, zero when none) with
            // the quote and the colon after them, spilling into one more word past eight bytes.
            keyWords.append(contentsOf: words[first..<(first + count / 8)])
            let rest = count & 7
            let tail = word | (UInt64(UInt8(ascii: "\"")) &<< UInt64(rest &* 8))
            if rest == 7 {
                keyWords.append(tail)
                keyWords.append(UInt64(UInt8(ascii: ":")))
            } else {
                keyWords.append(tail | (UInt64(UInt8(ascii: ":")) &<< UInt64((rest &+ 1) &* 8)))
            }
            keyStarts.append(keyWords.count)
        }
        self.words = words
        self.starts = starts
        self.counts = counts
        self.keyWords = keyWords
        self.keyStarts = keyStarts
        self.usable = usable && plain && Set(names).count == names.count
    }

    /// The name whose bytes are `key`'s, looked for from `from` on and then from the start (keys
    /// mostly come in schema order); nil when none is. `readable`: at least `key.count` rounded
    /// up to eight bytes can be read from `key`'s start (the rest of a whole word), so the key is
    /// loaded a word at a time; otherwise a byte at a time.
    @inline(__always)
    func index(of key: UnsafeBufferPointer<UInt8>, readable: Bool, from: Int) -> Int? {
        // (A key lies inside the snapshot's bytes, so it always has a base address.)
        guard let base = key.baseAddress else { return nil }
        return first(from: from) { name, count in
            count == key.count && ScanNames.equal(name, base, count, readable: readable)
        }
    }

    /// The name spelled at `p` and closed by a quote there, looked for from `from` on and then
    /// from the start, where `available` bytes from `p` on lie in the snapshot; nil when none is
    /// (or too near the end to load a word at a time). A name holds no quote, backslash or
    /// control byte (`usable`), so a key whose bytes up to its quote are a name's is that name,
    /// as `stringBytes` and `index(of:readable:from:)` would read it.
    @inline(__always)
    func index(at p: UnsafePointer<UInt8>, available: Int, from: Int) -> Int? {
        first(from: from) { name, c in
            available > c && available >= (c &+ 7) & ~7 && p[c] == UInt8(ascii: "\"")
                && ScanNames.equal(name, p, c, readable: true)
        }
    }

    /// Whether name `k` (a valid index) is spelled at `p` as a key with no white space: its
    /// bytes, the closing quote and the colon, where `available` bytes from `p` on lie in the
    /// snapshot. False (nothing decided) when fewer than that length rounded up to eight bytes
    /// are available: the caller then looks the slow way. A name holds no quote (`usable`), so
    /// such bytes are exactly the key `index(at:available:from:)` finds for `k`.
    @inline(__always)
    func isKey(_ k: Int, at p: UnsafePointer<UInt8>, available: Int) -> Bool {
        let n = counts[k] &+ 2
        guard available >= (n &+ 7) & ~7 else { return false }
        return keyWords.withUnsafeBufferPointer { words in
            keyStarts.withUnsafeBufferPointer { starts in
                guard let words = words.baseAddress else { return false }
                return ScanNames.equal(words + starts[k], p, n, readable: true)
            }
        }
    }

    /// The first name `matches` (given its words and its length in bytes), looked for from `from`
    /// on and then from the start; nil when none does, or when there are no names or every name
    /// is empty (no words: the tree path reads the key).
    @inline(__always)
    func first(from: Int, where matches: (UnsafePointer<UInt64>, Int) -> Bool) -> Int? {
        let n = counts.count
        guard n > 0 else { return nil }
        return words.withUnsafeBufferPointer { words -> Int? in
            guard let words = words.baseAddress else { return nil }
            return starts.withUnsafeBufferPointer { starts in
                counts.withUnsafeBufferPointer { counts -> Int? in
                    var k = from < n ? from : 0
                    for _ in 0..<n {
                        if matches(words + starts[k], counts[k]) { return k }
                        k = k &+ 1 == n ? 0 : k &+ 1
                    }
                    return nil
                }
            }
        }
    }

    /// Whether the `count` bytes at `key` are the name whose words start at `name`.
    @inline(__always)
    static func equal(
        _ name: UnsafePointer<UInt64>, _ key: UnsafePointer<UInt8>, _ count: Int, readable: Bool
    ) -> Bool {
        var j = 0, w = 0
        let raw = UnsafeRawPointer(key)
        while j &+ 8 <= count {
            if UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self)) != name[w] { return false }
            j &+= 8
            w &+= 1
        }
        let rest = count &- j
        if rest == 0 { return true }
        var last: UInt64 = 0
        if readable {
            last = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: j, as: UInt64.self))
            last &= (1 &<< UInt64(rest &* 8)) &- 1
        } else {
            for k in 0..<rest { last |= UInt64(key[j &+ k]) &<< UInt64(k &* 8) }
        }
        return last == name[w]
    }
}

/// What the scanner needs of a record, worked out once when the schema is built: its field
/// names as bytes and, per field, the words of its choice type (through lists) as bytes. A class:
/// reading a record then retains the plan once, not each of its arrays.
final class RecordScanPlan: Sendable {
    let names: ScanNames
    /// Per field, its choices (`FieldType.enumeration`, or a list of one), empty otherwise.
    let choices: [ScanNames]
    /// Per field, what the scanner reads without its `FieldSchema` (`ScanField`).
    let scalars: [ScanField]
    /// Per field, the words of its choice type (not through lists), for a value read as one.
    let words: [[String]]

    init(_ fields: [FieldSchema]) {
        names = ScanNames(fields.map(\.name))
        choices = fields.map { f in
            var t = f.type
            while case .list(let inner) = t { t = inner }
            if case .enumeration(let words) = t { return ScanNames(words) }
            return ScanNames([])
        }
        scalars = fields.map(ScanField.init)
        words = fields.map { f in if case .enumeration(let words) = f.type { words } else { [] } }
    }
}

/// A field as the scanner's common case reads it: a scalar type and two flags, all plain values,
/// so reading a field of a record copies nothing that is reference-counted (the `FieldSchema`
/// and its `FieldType` are read only for lists, records, periods, and text that is not plain).
struct ScanField: Sendable {
    enum Kind: UInt8, Sendable { case other, string, date, bool, int, choice }
    let kind: Kind
    /// `FieldSchema.zeroIsAmbiguous`: a value read needs `zeroProblem`'s look.
    let zeroIsAmbiguous: Bool

    init(_ f: FieldSchema) {
        kind =
            switch f.type {
            case .string: .string
            case .date: .date
            case .bool: .bool
            case .int: .int
            case .enumeration: .choice
            default: .other
            }
        zeroIsAmbiguous = f.zeroIsAmbiguous
    }
}

/// `String(decoding: bytes, as: UTF8.self)` for 1 to 15 ASCII bytes, made without the decoder:
/// such a string is the standard library's small string, its bytes in two words and its count and
/// flags in the top byte (0xE0: immortal, small, ASCII). The layout is the runtime's, so it is
/// probed once (`holds`: every length spelled both ways, bit for bit); where it differs, or for
/// other text, `string` is nil and the caller decodes.
enum SmallASCII {
    /// The bits of a string: its two words as they lie in memory.
    static func bits(_ s: String) -> (UInt64, UInt64) { unsafeBitCast(s, to: (UInt64, UInt64).self) }

    /// Whether this runtime spells every ASCII string of 0 to 15 bytes as `made` does.
    static let holds: Bool = {
        // A string of two words (64-bit platforms); elsewhere every value is decoded.
        guard MemoryLayout<String>.size == 16 else { return false }
        let probe = Array("~0a Z!9}-_./:;@".utf8)
        return probe.withUnsafeBufferPointer { b in
            (0...15).allSatisfy { n in
                let bytes = UnsafeBufferPointer(rebasing: b[..<n])
                let decoded = bits(String(decoding: bytes, as: UTF8.self))
                return decoded == made(bytes, wordsReadable: false)
            }
        }
    }()

    /// The small string's two words for at most 15 bytes; a byte at or above 0x80 stays in the
    /// words (`string` looks). `wordsReadable`: 16 bytes from the start can be read, so the bytes
    /// are loaded two words at once and the rest masked off; otherwise a byte at a time.
    @inline(__always)
    static func made(_ bytes: UnsafeBufferPointer<UInt8>, wordsReadable: Bool) -> (UInt64, UInt64) {
        let n = bytes.count
        var lo: UInt64 = 0, hi: UInt64 = 0
        if wordsReadable, let p = bytes.baseAddress {
            let raw = UnsafeRawPointer(p)
            lo = UInt64(littleEndian: raw.loadUnaligned(as: UInt64.self))
            hi = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            if n < 8 {
                lo &= (1 &<< UInt64(n &* 8)) &- 1
                hi = 0
            } else {
                hi &= (1 &<< UInt64((n &- 8) &* 8)) &- 1
            }
        } else {
            for k in 0..<n {
                if k < 8 {
                    lo |= UInt64(bytes[k]) &<< UInt64(k &* 8)
                } else {
                    hi |= UInt64(bytes[k]) &<< UInt64((k &- 8) &* 8)
                }
            }
        }
        return (lo, hi | (UInt64(0xE0 | n) &<< 56))
    }

    /// The string of `bytes` when they are 1 to 15 ASCII bytes and the layout `holds` (`layout`:
    /// `holds` as the caller read it once, so a string made asks no lazily made flag); else nil.
    @inline(__always)
    static func string(
        _ bytes: UnsafeBufferPointer<UInt8>, wordsReadable: Bool, layout: Bool = holds
    ) -> String? {
        guard layout, bytes.count > 0, bytes.count <= 15 else { return nil }
        let (lo, hi) = made(bytes, wordsReadable: wordsReadable)
        // Every byte ASCII (the top byte of `hi` is the flags' 0xE0 | count).
        guard lo & SWAR.high == 0, hi & SWAR.high == 0x80 &<< 56 else { return nil }
        return unsafeBitCast((lo, hi), to: String.self)
    }
}

/// Where a collection's scanner looks first, learnt from the elements read so far: per field,
/// the field whose key followed it last time (and the first key's field), and the choice its
/// value was last. Only the order of the search changes (a name or choice found is the same one
/// wherever the search starts: `ScanNames` holds distinct names), never what is read. One block,
/// made and freed by `SnapshotScanner.collection` (a pointer: reading an element copies nothing
/// that is reference-counted).
struct RecordHints {
    let fields: Int
    /// `fields + 1` successors (index `after`: 0 before the first key, field `k` at `k + 1`), then
    /// `fields` last choices.
    let block: UnsafeMutablePointer<Int32>

    /// Hints that guess schema order (each field followed by the next) and each field's first
    /// choice: the guesses the scanner makes without hints.
    init(fields: Int) {
        self.fields = fields
        block = .allocate(capacity: 2 &* fields &+ 1)
        for k in 0...fields { (block + k).initialize(to: Int32(truncatingIfNeeded: k)) }
        (block + fields + 1).initialize(repeating: 0, count: fields)
    }

    func free() { block.deallocate() }

    /// The field guessed to come after `after` (0: the first key; field `k`: `k + 1`).
    @inline(__always) func next(after: Int) -> Int { Int(block[after]) }
    /// Field `field` came after `after`.
    @inline(__always) func follow(_ after: Int, with field: Int) {
        block[after] = Int32(truncatingIfNeeded: field)
    }
    /// The choice field `field` was last.
    @inline(__always) func choice(_ field: Int) -> Int { Int(block[fields &+ 1 &+ field]) }
    @inline(__always) func setChoice(_ field: Int, _ choice: Int) {
        block[fields &+ 1 &+ field] = Int32(truncatingIfNeeded: choice)
    }
}

/// Reads a JSON snapshot's bytes straight into a typed `Facility`, guided by the pack's schema:
/// no `JSONNode` tree, no string per key, values typed as they are scanned, and every value's
/// byte offset kept as the tree path keeps it (`SnapshotLoader.loadSnapshot(bytes:path:line:)`).
///
/// It reads only the ordinary snapshot, the one the tree path reads without a single diagnostic,
/// and reads it to exactly the facility the tree path builds. The moment it meets anything else
/// (a key that is not byte for byte a field's name, a duplicate, an escape, text `CellText.clean`
/// would refuse (text it only trims or composes is read cleaned, as the tree path reads it), a type
/// mismatch, a bad date or choice, a refused zero, a byte-order
/// mark, a syntax error…) it gives up, and the tree path reads the snapshot from the start, so
/// every diagnostic stays its own.
struct SnapshotScanner {
    /// The snapshot is not an ordinary one: the tree path reads it.
    struct GiveUp: Error {}

    let buf: UnsafeBufferPointer<UInt8>
    var i = 0
    var depth = 0
    let src: SourceFile
    let options: LoadOptions
    /// `SmallASCII.holds`, read once per snapshot rather than once per string made.
    let smallASCII = SmallASCII.holds

    /// The facility the tree path would build from `bytes` with no diagnostic, or nil when it
    /// would build another or say anything.
    static func read(
        _ bytes: [UInt8], path: String, line: Int?, schema: PackSchema, options: LoadOptions
    ) -> Facility? {
        guard bytes.count <= options.limits.maxBytes, schema.scanSections.usable else { return nil }
        let src = SourceFile(path: path, kind: .json, lines: LineIndex(bytes, firstLine: line ?? 1))
        return bytes.withUnsafeBufferPointer { buf -> Facility? in
            var s = SnapshotScanner(buf: buf, src: src, options: options)
            do throws(GiveUp) {
                let (roots, places) = try s.document(schema)
                return SnapshotLoader.facility(
                    roots: roots, places: places, overrides: [], src: src, path: path, line: line, schema: schema)
            } catch {
                return nil
            }
        }
    }

    // MARK: Structure

    @inline(__always)
    mutating func skipWS() {
        while i < buf.count {
            let b = buf[i]
            if b == 0x20 || b == 0x0A || b == 0x0D || b == 0x09 { i += 1 } else { break }
        }
    }

    /// The current byte (after white space), or nil at the end.
    @inline(__always)
    mutating func next() -> UInt8? {
        skipWS()
        return i < buf.count ? buf[i] : nil
    }

    @inline(__always)
    mutating func expect(_ b: UInt8) throws(GiveUp) {
        guard next() == b else { throw GiveUp() }
        i += 1
    }

    /// An object or array opens: the tree path refuses nesting deeper than the limit.
    mutating func enter() throws(GiveUp) {
        depth += 1
        if depth > options.limits.maxDepth { throw GiveUp() }
        i += 1
    }

    /// After a member or an element: true when another follows, false at the `close` byte.
    @inline(__always)
    mutating func more(_ close: UInt8) throws(GiveUp) -> Bool {
        switch next() {
        case UInt8(ascii: ","): i += 1; return true
        case close: i += 1; depth -= 1; return false
        default: throw GiveUp()
        }
    }

    /// Whether the container just entered is empty (`{}` or `[]`); consumes the close.
    @inline(__always)
    mutating func closesAtOnce(_ close: UInt8) -> Bool {
        guard next() == close else { return false }
        i += 1
        depth -= 1
        return true
    }

    /// A string's bytes between its quotes, with i after the closing quote. `plain`: every byte
    /// is printable ASCII other than space (`CellText.clean` keeps such text as it is); `ascii`:
    /// every byte is ASCII. An escape or a control byte gives up.
    @inline(__always)
    mutating func stringBytes() throws(GiveUp) -> (bytes: UnsafeBufferPointer<UInt8>, plain: Bool, ascii: Bool) {
        guard i < buf.count, buf[i] == UInt8(ascii: "\"") else { throw GiveUp() }
        i += 1
        let start = i
        var plain = true, ascii = true
        // Eight bytes at a time. The lowest set bit of `stop` is exactly the first quote,
        // backslash or control byte of the word (the tests' false positives lie only above a
        // true one), so the bytes before it are the string's and that byte ends it or gives up.
        if let base = buf.baseAddress {
            while i &+ 8 <= buf.count {
                let w = UInt64(littleEndian: UnsafeRawPointer(base + i).loadUnaligned(as: UInt64.self))
                let stop = SWAR.hasLess(w, 0x20) | SWAR.hasByte(w, 0x22) | SWAR.hasByte(w, 0x5C)
                let n = stop == 0 ? 8 : stop.trailingZeroBitCount &>> 3
                let before: UInt64 = n == 8 ? ~0 : (1 &<< UInt64(n &* 8)) &- 1
                let high = w & SWAR.high & before
                if high != 0 { ascii = false }
                if high | ((SWAR.hasByte(w, 0x20) | SWAR.hasByte(w, 0x7F)) & before) != 0 { plain = false }
                i &+= n
                if n < 8 {
                    guard buf[i] == UInt8(ascii: "\"") else { throw GiveUp() }
                    i &+= 1
                    return (UnsafeBufferPointer(rebasing: buf[start..<i - 1]), plain, ascii)
                }
            }
        }
        while i < buf.count {
            let b = buf[i]
            if b == UInt8(ascii: "\"") {
                i += 1
                return (UnsafeBufferPointer(rebasing: buf[start..<i - 1]), plain, ascii)
            }
            if b == UInt8(ascii: "\\") || b < 0x20 { throw GiveUp() }
            if b >= 0x7F || b == 0x20 {
                plain = false
                if b >= 0x80 { ascii = false }
            }
            i += 1
        }
        throw GiveUp()
    }

    /// A key and its colon; i at the value.
    @inline(__always)
    mutating func key() throws(GiveUp) -> UnsafeBufferPointer<UInt8> {
        skipWS()
        let k = try stringBytes().bytes
        try expect(UInt8(ascii: ":"))
        skipWS()
        return k
    }

    /// An integer as the tree path reads one (`JSONValue.int`); a fraction, an exponent, a
    /// number beyond 64 bits or bad syntax gives up.
    mutating func integer() throws(GiveUp) -> Int {
        guard i < buf.count else { throw GiveUp() }
        let negative = buf[i] == UInt8(ascii: "-")
        if negative { i += 1 }
        func digit(_ k: Int) -> Bool { k < buf.count && buf[k] >= 48 && buf[k] <= 57 }
        guard digit(i) else { throw GiveUp() }
        var n = 0
        if buf[i] == 48 {
            i += 1
        } else {
            while digit(i) {
                let (m, o1) = n.multipliedReportingOverflow(by: 10)
                let (s, o2) = m.addingReportingOverflow(Int(buf[i] - 48))
                if o1 || o2 { throw GiveUp() }
                n = s
                i += 1
            }
        }
        // A fraction or an exponent (a `.number` to the tree path), or a leading zero.
        if i < buf.count, buf[i] == UInt8(ascii: ".") || buf[i] | 0x20 == UInt8(ascii: "e") || digit(i) {
            throw GiveUp()
        }
        return negative ? -n : n
    }

    /// `true`, `false` or `null` (a word of four bytes or more): its first four bytes compared as
    /// one word, then any fifth.
    @inline(__always)
    mutating func word(_ w: StaticString) throws(GiveUp) {
        let n = w.utf8CodeUnitCount
        guard n >= 4, i &+ n <= buf.count, let base = buf.baseAddress else { throw GiveUp() }
        let have = UnsafeRawPointer(base + i).loadUnaligned(as: UInt32.self)
        guard have == UnsafeRawPointer(w.utf8Start).loadUnaligned(as: UInt32.self) else { throw GiveUp() }
        for k in 4..<n where buf[i &+ k] != w.utf8Start[k] { throw GiveUp() }
        i &+= n
    }

    /// The common key: a field's name in quotes right at i (no white space, no escape), then its
    /// colon; i at the value. Nil, with nothing consumed, for any other key (`key()` reads it).
    @inline(__always)
    mutating func knownKey(_ names: ScanNames, from: Int) throws(GiveUp) -> Int? {
        guard i < buf.count, buf[i] == UInt8(ascii: "\""), let base = buf.baseAddress,
            let k = names.index(at: base + i + 1, available: buf.count - i - 1, from: from)
        else { return nil }
        i += names.counts[k] + 2
        try expect(UInt8(ascii: ":"))
        skipWS()
        return k
    }

    /// The key expected next, `from` (or the first name when `from` is past the last), when it
    /// is spelled right at i with its colon right after it (no white space, no escape: name,
    /// quote and colon compared a word at a time, `ScanNames.isKey`); i then at the value. Nil,
    /// with nothing consumed, otherwise (`knownKey` looks further). Mostly keys come in the
    /// order they came before (`RecordHints`), so this is the key read; it throws nothing, and is
    /// compiled into the record's loop.
    @inline(__always)
    mutating func expectedKey(_ names: ScanNames, from: Int) -> Int? {
        let n = names.counts.count
        guard n > 0, i < buf.count, buf[i] == UInt8(ascii: "\""), let base = buf.baseAddress else { return nil }
        let k = from < n ? from : 0
        guard names.isKey(k, at: base + i + 1, available: buf.count - i - 1) else { return nil }
        i += names.counts[k] + 3
        skipWS()
        return k
    }

    /// Whether the string `s` (bytes of the snapshot) can be loaded a whole word at a time: the
    /// bytes from its start to its length rounded up to eight lie in the snapshot.
    @inline(__always)
    func readable(_ s: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let b = buf.baseAddress, let p = s.baseAddress else { return false }
        return (b + buf.count) - p >= (s.count &+ 7) & ~7
    }

    /// A plain string's text (`String(decoding:as:)`), short ones made as small strings
    /// (`SmallASCII`).
    @inline(__always)
    func text(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        let wordsReadable: Bool
        if let b = buf.baseAddress, let p = bytes.baseAddress {
            wordsReadable = (b + buf.count) - p >= 16
        } else {
            wordsReadable = false
        }
        return SmallASCII.string(bytes, wordsReadable: wordsReadable, layout: smallASCII)
            ?? String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Pointers

    /// `base + "/" + String(index)`, spelled into one buffer: a record's origin is made for
    /// every element, and joining strings piece by piece cost more than reading the element.
    static func pointer(_ base: String, index: Int) -> String {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)  // room for the 20 digits of any Int
        return withUnsafeMutableBytes(of: &digits) { d in
            var n = index.magnitude, k = d.count
            repeat {
                k -= 1
                d[k] = UInt8(truncatingIfNeeded: 48 + n % 10)
                n /= 10
            } while n > 0
            if index < 0 {
                k -= 1
                d[k] = UInt8(ascii: "-")
            }
            return joined(base, UnsafeRawBufferPointer(rebasing: d[k...]).assumingMemoryBound(to: UInt8.self))
        }
    }

    /// `base + "/" + name` (a field's name, not escaped, as the tree path joins it).
    static func pointer(_ base: String, name: String) -> String {
        var name = name
        return name.withUTF8 { joined(base, $0) }
    }

    static func joined(_ base: String, _ tail: UnsafeBufferPointer<UInt8>) -> String {
        var base = base
        return base.withUTF8 { head in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: head.count + 1 + tail.count) { out in
                var j = 0
                for b in head { out[j] = b; j += 1 }
                out[j] = UInt8(ascii: "/")
                j += 1
                for b in tail { out[j] = b; j += 1 }
                return String(decoding: UnsafeBufferPointer(rebasing: out[0..<j]), as: UTF8.self)
            }
        }
    }

    // MARK: Snapshot

    /// The key of the snapshot's version, as bytes.
    static let versionKey = Array("schema_version".utf8)

    /// The top-level object: each section's value and where it starts, in the order given.
    mutating func document(
        _ schema: PackSchema
    ) throws(GiveUp) -> (
        roots: [Value?], places: [(root: Int, offset: Int, path: String?)]
    ) {
        // A byte-order mark, or anything but an object, is the tree path's to read.
        guard next() == UInt8(ascii: "{") else { throw GiveUp() }
        try enter()
        var roots = [Value?](filling: nil, count: schema.sections.count)
        var places: [(root: Int, offset: Int, path: String?)] = []
        places.reserveCapacity(schema.sections.count)
        let version = schema.mechanisms.snapshotVersion
        var sawVersion = false
        if !closesAtOnce(UInt8(ascii: "}")) {
            repeat {
                let k = try key()
                if let version, k.count == SnapshotScanner.versionKey.count, k.elementsEqual(SnapshotScanner.versionKey)
                {
                    guard !sawVersion, try integer() == version else { throw GiveUp() }
                    sawVersion = true
                    continue
                }
                guard let ri = schema.scanSections.index(of: k, readable: readable(k), from: places.count),
                    !places.contains(where: { $0.root == ri })
                else { throw GiveUp() }
                let pointer = schema.scanPointers[ri]
                places.append((ri, i, pointer))
                // The section's parts read in place (copying a `SectionSchema` retains its strings).
                let rs = schema.sections[ri].record
                switch schema.sections[ri].shape {
                case .single: roots[ri] = .record(try record(rs, pointer: pointer))
                case .collection: roots[ri] = .list(try collection(rs, pointer: pointer))
                }
            } while try more(UInt8(ascii: "}"))
        }
        skipWS()
        guard i == buf.count, sawVersion || version == nil else { throw GiveUp() }
        return (roots, places)
    }

    mutating func collection(_ schema: RecordSchema, pointer: String) throws(GiveUp) -> [Value] {
        guard next() == UInt8(ascii: "[") else { throw GiveUp() }
        try enter()
        var out: [Value] = []
        if closesAtOnce(UInt8(ascii: "]")) { return out }
        // The elements of a collection mostly spell the same keys in the same order, and often
        // the same choices: each element's keys and choices are looked for first where the
        // element before found them (`RecordHints`).
        let hints = RecordHints(fields: schema.fields.count)
        defer { hints.free() }
        // Room for a typical collection at once (growing from one element doubled the array
        // four times on the way to 16, each a copy and a free).
        out.reserveCapacity(16)
        // The elements' slots are carved from blocks of 16 records' worth (`RecordSlotBlock`):
        // one allocation for many records instead of one each.
        let width = schema.fields.count
        var block: RecordSlotBlock? = nil
        var used = 0
        repeat {
            guard out.count < options.maxCollection else { throw GiveUp() }
            // The block passed unretained: `block` holds it, and each record made in it retains it once.
            var carved: (Unmanaged<RecordSlotBlock>, UnsafeMutablePointer<RecordSlot>)? = nil
            if width > 0 {
                let b: RecordSlotBlock
                if let block, used &+ width <= block.capacity {
                    b = block
                } else {
                    b = RecordSlotBlock(capacity: width &* 16)
                    block = b
                    used = 0
                }
                carved = (Unmanaged.passUnretained(b), b.base + used)
                used &+= width
            }
            out.append(.record(try record(schema, list: pointer, index: out.count, hints: hints, carved: carved)))
        } while try more(UInt8(ascii: "]"))
        return out
    }

    /// An object read as a record of `schema`, its origin at `pointer`, or at element `index`
    /// of the list at `list` (its pointer spelled out only when read: `LazyLocation.path`).
    mutating func record(
        _ schema: RecordSchema, pointer: String = "", list: String? = nil, index: Int = -1,
        hints: RecordHints? = nil, carved: (Unmanaged<RecordSlotBlock>, UnsafeMutablePointer<RecordSlot>)? = nil
    ) throws(GiveUp)
        -> Record
    {
        let plan = schema.scanPlan
        guard next() == UInt8(ascii: "{"), plan.names.usable else { throw GiveUp() }
        let start = i
        try enter()
        let fields = schema.fields
        // The fields are read straight into the record's own slots (no arrays in between); a
        // give-up frees the half-read record.
        let origin =
            list.map { LazyLocation(source: src, offset: start, list: $0, index: index) }
            ?? LazyLocation(source: src, offset: start, path: pointer)
        // Reads the fields into the record's slots.
        func fill(_ slots: UnsafeMutablePointer<RecordSlot>) throws(GiveUp) {
            if closesAtOnce(UInt8(ascii: "}")) { return }
            // The field read last, plus one (0 before the first): the next key is looked for first
            // where it followed that field last time (`hints`), or in schema order after it.
            var after = 0
            repeat {
                let guess = hints?.next(after: after) ?? after
                // A key not byte for byte a field's name (another spelling, an unknown key), or a
                // field given twice, is the tree path's to report.
                let fi: Int
                if let expected = expectedKey(plan.names, from: guess) {
                    fi = expected
                } else if let known = try knownKey(plan.names, from: guess) {
                    fi = known
                } else {
                    let k = try key()
                    guard let named = plan.names.index(of: k, readable: readable(k), from: guess) else {
                        throw GiveUp()
                    }
                    fi = named
                }
                guard slots[fi].offset < 0 else { throw GiveUp() }
                hints?.follow(after, with: fi)
                after = fi &+ 1
                let at = i
                let sf = plan.scalars[fi]
                let v: Value
                if let scalar = try scalar(sf, plan, fields, fi, hints: hints) {
                    v = scalar
                } else {
                    let f = fields[fi]
                    switch f.type {
                    case .list, .record:
                        v = try value(f.type, identifier: f.identifier, choices: plan, fi) {
                            SnapshotScanner.pointer(origin.path, name: f.name)
                        }
                    default:
                        // A scalar never asks for its pointer: a closure capturing nothing retains nothing.
                        v = try value(f.type, identifier: f.identifier, choices: plan, fi) { "" }
                    }
                }
                if sf.zeroIsAmbiguous, fields[fi].zeroProblem(v, at: SourceLocation(file: "")) != nil {
                    throw GiveUp()
                }
                // The slot is unread (offset -1), so it holds `.null`: nothing to release.
                (slots + fi).initialize(to: RecordSlot(value: v, offset: Int32(clamping: at)))
            } while try more(UInt8(ascii: "}"))
        }
        return try Record.make(
            schema: schema, count: fields.count, origin: origin,
            carved: carved.map { ($0.0.takeUnretainedValue(), $0.1) }, fill: fill)
    }

    /// The common scalar cases of `value`, read from the plan alone: `null`, a plain string of a
    /// text, date or choice field, `true`/`false` for a yes/no field and a number for an integer
    /// one, each exactly as `value` reads it. Nil, with nothing consumed, for every other case
    /// (`value` then reads it); a string that is not plain is finished by `typedString` with the
    /// field's type.
    mutating func scalar(
        _ sf: ScanField, _ plan: RecordScanPlan, _ fields: [FieldSchema], _ fi: Int, hints: RecordHints? = nil
    ) throws(GiveUp) -> Value? {
        guard sf.kind != .other, i < buf.count else { return nil }
        switch (buf[i], sf.kind) {
        case (UInt8(ascii: "n"), _):
            try word("null")
            return .null
        case (UInt8(ascii: "\""), .string), (UInt8(ascii: "\""), .date), (UInt8(ascii: "\""), .choice):
            let (bytes, plain, ascii) = try stringBytes()
            guard plain else {
                let f = fields[fi]
                return try typedString(bytes, ascii: ascii, f.type, identifier: f.identifier)
            }
            if bytes.isEmpty { return .null }
            switch sf.kind {
            case .string: return .string(text(bytes))
            case .date:
                guard let d = Day(isoBytes: bytes) else { throw GiveUp() }
                return .date(d)
            default:
                let from = hints?.choice(fi) ?? 0
                guard let j = plan.choices[fi].index(of: bytes, readable: readable(bytes), from: from) else {
                    throw GiveUp()
                }
                hints?.setChoice(fi, j)
                return .string(plan.words[fi][j])
            }
        case (_, .bool), (_, .int):
            return try boolOrInt(sf.kind)
        default:
            return nil
        }
    }

    /// `true`/`false` for a yes/no field (`kind` `.bool`), a number for an integer one (`.int`),
    /// as `value` reads them; nil, with nothing consumed, for any other byte.
    @inline(__always)
    mutating func boolOrInt(_ kind: ScanField.Kind) throws(GiveUp) -> Value? {
        switch (buf[i], kind) {
        case (UInt8(ascii: "t"), .bool):
            try word("true")
            return .bool(true)
        case (UInt8(ascii: "f"), .bool):
            try word("false")
            return .bool(false)
        case (UInt8(ascii: "-"), .int), (48...57, .int):
            return .int(try integer())
        default:
            return nil
        }
    }

    /// A field's value of `type` (`SnapshotLoader.convert` without a diagnostic); i at the value.
    /// Its choices (an enumeration's, or a list of one's) are `plan.choices[fi]`, looked up only
    /// when a choice is read (copying a `ScanNames` retains each of its arrays).
    mutating func value(
        _ type: FieldType, identifier: Bool, choices plan: RecordScanPlan, _ fi: Int, pointer: () -> String
    ) throws(GiveUp) -> Value {
        guard i < buf.count else { throw GiveUp() }
        switch (buf[i], type) {
        case (UInt8(ascii: "n"), _):
            try word("null")
            return .null
        case (UInt8(ascii: "\""), _):
            return try string(type, identifier: identifier, choices: plan, fi)
        case (_, .bool), (_, .int):
            guard let v = try boolOrInt(type == .bool ? .bool : .int) else { throw GiveUp() }
            return v
        case (UInt8(ascii: "-"), .duration(let unit)), (48...57, .duration(let unit)):
            let n = try integer()
            guard n >= 0, let d = Duration(n, unit) else { throw GiveUp() }
            return .duration(d)
        case (UInt8(ascii: "["), .list(let inner)):
            try enter()
            var out: [Value] = []
            if closesAtOnce(UInt8(ascii: "]")) { return .list(out) }
            repeat {
                guard out.count < options.maxCollection else { throw GiveUp() }
                skipWS()
                let k = out.count
                let v = try value(inner, identifier: identifier, choices: plan, fi) {
                    SnapshotScanner.pointer(pointer(), index: k)
                }
                // A null or blank element is refused by the tree path; nothing else reads as null
                // without a diagnostic.
                if v.isNull { throw GiveUp() }
                out.append(v)
            } while try more(UInt8(ascii: "]"))
            return .list(out)
        case (UInt8(ascii: "{"), .record(let rs)):
            return .record(try record(rs, pointer: pointer()))
        default:
            throw GiveUp()
        }
    }

    /// A string value of `type`: `SnapshotLoader.text`, `identifierText` and `convertString`
    /// where they say nothing. Printable ASCII without spaces is what `CellText` keeps as it is,
    /// and is typed straight from its bytes; other text goes through the same functions the
    /// tree path calls.
    mutating func string(
        _ type: FieldType, identifier: Bool, choices plan: RecordScanPlan, _ fi: Int
    ) throws(GiveUp) -> Value {
        let (bytes, plain, ascii) = try stringBytes()
        if plain {
            // An empty string is a blank.
            if bytes.isEmpty { return .null }
            switch type {
            case .string: return .string(text(bytes))
            case .date:
                guard let d = Day(isoBytes: bytes) else { throw GiveUp() }
                return .date(d)
            case .enumeration(let allowed):
                guard let j = plan.choices[fi].index(of: bytes, readable: readable(bytes), from: 0) else {
                    throw GiveUp()
                }
                return .string(allowed[j])
            case .duration: return try typed(String(decoding: bytes, as: UTF8.self), type)
            default: throw GiveUp()
            }
        }
        return try typedString(bytes, ascii: ascii, type, identifier: identifier)
    }

    /// A string that is not plain (`stringBytes`), cleaned as the tree path cleans it, as a value
    /// of `type`.
    func typedString(
        _ bytes: UnsafeBufferPointer<UInt8>, ascii: Bool, _ type: FieldType, identifier: Bool
    ) throws(GiveUp) -> Value {
        let raw: String
        if ascii {
            raw = String(decoding: bytes, as: UTF8.self)
        } else {
            guard let s = String(validating: bytes, as: UTF8.self) else { throw GiveUp() }
            raw = s
        }
        let (text, refused) = CellText.clean(raw)
        guard refused == nil else { throw GiveUp() }
        if text.isEmpty { return .null }
        guard identifier else { return try typed(text, type) }
        guard CellText.invisible(in: text) == nil else { throw GiveUp() }
        let id = CellText.identifier(text)
        if options.noteFoldedIDs, id != text { throw GiveUp() }
        return try typed(id, type)
    }

    /// Cleaned text as a value of `type` (`SnapshotLoader.convertString` where it says nothing).
    func typed(_ s: String, _ type: FieldType) throws(GiveUp) -> Value {
        switch type {
        case .string: return .string(s)
        case .date:
            guard let d = Day(iso: s) else { throw GiveUp() }
            return .date(d)
        case .duration:
            guard let d = Duration(text: s), !d.isNegative else { throw GiveUp() }
            return .duration(d)
        case .enumeration(let allowed):
            guard allowed.contains(s) else { throw GiveUp() }
            return .string(s)
        default: throw GiveUp()
        }
    }
}
