import TenkenCheck
import TenkenData
import TenkenEval

/// The facilities of a batch's aggregate, each summary kept as one compact row of bytes in a
/// single growing buffer: a batch of many thousands holds a few dozen bytes per facility (its
/// strings' UTF-8 and their lengths) instead of a `FacilitySummary` with a heap allocation for
/// every string over 15 bytes and for every array, which kept a batch's memory growing by some
/// 900 bytes a facility.
///
/// A collection of `FacilitySummary`: reading an element decodes its row. The passes that run
/// over every facility (counts, verdicts, the order worst first) read the rows' bytes through
/// `view(_:)` without building strings.
///
/// A row: a flags byte (error status, a name, new gaps, id and input in ASCII); the new gaps
/// (zigzag varint, when present); the id, the name (when present), the input and the states,
/// each as a varint length and its UTF-8; then the diagnostics and the loosened parameters,
/// each a varint count and that many strings. Rows need not lie in order in the buffer: a
/// replaced summary is appended and its index points at the new row.
public struct FacilityRows: RandomAccessCollection, Sendable {
    var bytes: [UInt8] = []
    /// Where each facility's row begins in `bytes`, in the collection's order; -1 for a row
    /// not set yet (`init(unset:)`).
    var starts: [Int] = []

    public init() {}

    /// `count` facilities with no row yet: each must be `set` before it is read.
    public init(unset count: Int) { starts = Array(repeating: -1, count: count) }

    public init<S: Sequence<FacilitySummary>>(_ summaries: S) {
        for s in summaries { append(s) }
    }

    public var startIndex: Int { 0 }
    public var endIndex: Int { starts.count }
    public subscript(i: Int) -> FacilitySummary { decode(at: starts[i]) }

    public mutating func append(_ s: FacilitySummary) {
        starts.append(bytes.count)
        FacilityRows.encode(s, into: &bytes)
    }

    /// Facility `i` is now `s` (a previous row stays in the buffer, unread).
    public mutating func set(_ i: Int, _ s: FacilitySummary) {
        starts[i] = bytes.count
        FacilityRows.encode(s, into: &bytes)
    }

    /// Facility `i` is the row `encoded` (made by `encode`).
    public mutating func set(_ i: Int, encoded: [UInt8]) {
        starts[i] = bytes.count
        bytes.append(contentsOf: encoded)
    }

    /// Whether facility `i` has a row.
    public func isSet(_ i: Int) -> Bool { starts[i] >= 0 }

    // MARK: encoding

    static let errorFlag: UInt8 = 1, nameFlag: UInt8 = 2, gapsFlag: UInt8 = 4, asciiFlag: UInt8 = 8

    /// `s` as a row, appended to `out`.
    public static func encode(_ s: FacilitySummary, into out: inout [UInt8]) {
        var flags: UInt8 = s.status == .error ? errorFlag : 0
        if s.name != nil { flags |= nameFlag }
        if s.newGaps != nil { flags |= gapsFlag }
        if isASCII(s.id) && isASCII(s.input) { flags |= asciiFlag }
        out.append(flags)
        if let g = s.newGaps { varint(UInt64(bitPattern: Int64((g << 1) ^ (g >> (Int.bitWidth - 1)))), &out) }
        string(s.id, &out)
        if let n = s.name { string(n, &out) }
        string(s.input, &out)
        string(s.states, &out)
        varint(UInt64(s.diagnostics.count), &out)
        for d in s.diagnostics { string(d, &out) }
        varint(UInt64(s.loosened.count), &out)
        for l in s.loosened { string(l, &out) }
    }

    static func isASCII(_ s: String) -> Bool {
        s.utf8.withContiguousStorageIfAvailable { b in b.allSatisfy { $0 < 0x80 } }
            ?? s.utf8.allSatisfy { $0 < 0x80 }
    }

    static func varint(_ v: UInt64, _ out: inout [UInt8]) {
        var v = v
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v >>= 7
        }
        out.append(UInt8(v))
    }

    static func string(_ s: String, _ out: inout [UInt8]) {
        varint(UInt64(s.utf8.count), &out)
        out.append(contentsOf: s.utf8)
    }

    // MARK: decoding

    /// A row's fields as places in the buffer: read without making any string.
    struct Fields {
        var status: FacilitySummary.Status
        var ascii: Bool
        var newGaps: Int?
        var id: Range<Int>
        var name: Range<Int>?
        var input: Range<Int>
        var states: Range<Int>
        var diagnosticsCount: Int
        /// Where the diagnostics begin (their count read).
        var diagnostics: Int
    }

    func readVarint(_ p: inout Int) -> UInt64 { FacilityRows.varint(in: bytes, &p) }

    /// The unsigned LEB128 number at `p` in `b` (as `varint(_:_:)` writes it); `p` moves past it.
    @inline(__always)
    static func varint<B: RandomAccessCollection<UInt8>>(in b: B, _ p: inout Int) -> UInt64 where B.Index == Int {
        var v: UInt64 = 0, shift: UInt64 = 0
        while true {
            let x = b[p]
            p += 1
            v |= UInt64(x & 0x7F) << shift
            if x < 0x80 { return v }
            shift += 7
        }
    }

    func readRange(_ p: inout Int) -> Range<Int> {
        let n = Int(readVarint(&p))
        defer { p += n }
        return p..<(p + n)
    }

    func fields(at start: Int) -> Fields {
        var p = start
        let flags = bytes[p]
        p += 1
        var gaps: Int?
        if flags & FacilityRows.gapsFlag != 0 {
            let z = readVarint(&p)
            gaps = Int(Int64(bitPattern: (z >> 1) ^ (0 &- (z & 1))))
        }
        let id = readRange(&p)
        let name = flags & FacilityRows.nameFlag != 0 ? readRange(&p) : nil
        let input = readRange(&p)
        let states = readRange(&p)
        let nd = Int(readVarint(&p))
        return Fields(
            status: flags & FacilityRows.errorFlag != 0 ? .error : .evaluated,
            ascii: flags & FacilityRows.asciiFlag != 0, newGaps: gaps, id: id, name: name, input: input,
            states: states, diagnosticsCount: nd, diagnostics: p)
    }

    func text(_ r: Range<Int>) -> String {
        bytes.withUnsafeBufferPointer { b in
            String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self)
        }
    }

    func decode(at start: Int) -> FacilitySummary {
        let f = fields(at: start)
        var p = f.diagnostics
        var diagnostics: [String] = []
        diagnostics.reserveCapacity(f.diagnosticsCount)
        for _ in 0..<f.diagnosticsCount { diagnostics.append(text(readRange(&p))) }
        let nl = Int(readVarint(&p))
        var loosened: [String] = []
        loosened.reserveCapacity(nl)
        for _ in 0..<nl { loosened.append(text(readRange(&p))) }
        return FacilitySummary(
            id: text(f.id), name: f.name.map(text), input: text(f.input), status: f.status, states: text(f.states),
            diagnostics: diagnostics, newGaps: f.newGaps, loosened: loosened)
    }

    /// A row's fields as bytes, for writers that copy them out as they are (the aggregate's
    /// JSON and CSV rows): no `FacilitySummary`, no string made for a field that needs no
    /// escaping.
    struct Raw {
        let b: UnsafeBufferPointer<UInt8>
        let f: Fields
        /// Where the loosened parameters' count stands.
        let loosenedAt: Int

        var status: FacilitySummary.Status { f.status }
        var newGaps: Int? { f.newGaps }
        var id: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[f.id]) }
        var name: UnsafeBufferPointer<UInt8>? { f.name.map { UnsafeBufferPointer(rebasing: b[$0]) } }
        var input: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[f.input]) }
        var states: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: b[f.states]) }
        var diagnosticsCount: Int { f.diagnosticsCount }

        /// Each diagnostic's bytes, in order.
        func diagnostics(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
            var p = f.diagnostics
            for _ in 0..<f.diagnosticsCount { body(string(&p)) }
        }

        /// Each loosened parameter's bytes, in order.
        func loosened(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
            var p = loosenedAt
            let n = Int(varint(&p))
            for _ in 0..<n { body(string(&p)) }
        }

        func varint(_ p: inout Int) -> UInt64 { FacilityRows.varint(in: b, &p) }

        func string(_ p: inout Int) -> UnsafeBufferPointer<UInt8> {
            let n = Int(varint(&p))
            defer { p += n }
            return UnsafeBufferPointer(rebasing: b[p..<(p + n)])
        }
    }

    /// `body` given facility `i`'s row as bytes (`Raw`), valid only inside `body`.
    func withRaw<R>(_ i: Int, _ body: (Raw) -> R) -> R {
        let f = fields(at: starts[i])
        var p = f.diagnostics
        for _ in 0..<f.diagnosticsCount { _ = readRange(&p) }
        return bytes.withUnsafeBufferPointer { b in body(Raw(b: b, f: f, loosenedAt: p)) }
    }

    /// Facility `i`'s id (decoding only it).
    public func id(_ i: Int) -> String { text(fields(at: starts[i]).id) }

    /// What the passes over every facility read of facility `i`, without its strings.
    public func view(_ i: Int) -> View {
        let f = fields(at: starts[i])
        var p = f.diagnostics
        for _ in 0..<f.diagnosticsCount { _ = readRange(&p) }
        let nl = Int(readVarint(&p))
        return View(
            status: f.status, states: bytes[f.states], diagnosticsCount: f.diagnosticsCount, loosenedCount: nl,
            newGaps: f.newGaps)
    }

    /// How many facilities' views pass `p`: read from the rows' bytes, no string made.
    public func countViews(where p: (View) -> Bool) -> Int { indices.reduce(0) { $0 + (p(view($1)) ? 1 : 0) } }

    /// The facilities whose views pass `p`, in order; only they are decoded.
    public func summaries(where p: (View) -> Bool) -> [FacilitySummary] {
        indices.filter { p(view($0)) }.map { self[$0] }
    }

    /// A facility's status, states and counts, read from its row.
    public struct View {
        public var status: FacilitySummary.Status
        /// The state letters (ASCII).
        public var states: ArraySlice<UInt8>
        public var diagnosticsCount: Int
        public var loosenedCount: Int
        public var newGaps: Int?

        public func has(_ state: RuleState) -> Bool { states.contains(FacilitySummary.byte(state)) }

        /// As `FacilitySummary.count`.
        public func count(_ level: Level?, _ state: RuleState, _ rules: [AggregateRule]) -> Int {
            FacilitySummary.count(states, level, state, rules)
        }
    }

    // MARK: order

    /// Sorted by id, then input, as `(id, input) < (id, input)` orders the summaries: rows whose
    /// id and input are ASCII are compared as bytes (the same order), any other as strings.
    mutating func sortByIDAndInput() {
        let keys = starts.map { s in
            let f = fields(at: s)
            return (id: f.id, input: f.input, ascii: f.ascii)
        }
        var order = Array(starts.indices)
        bytes.withUnsafeBufferPointer { b in
            order.sort { i, j in
                let x = keys[i], y = keys[j]
                if x.ascii && y.ascii {
                    let xi = UnsafeBufferPointer(rebasing: b[x.id]), yi = UnsafeBufferPointer(rebasing: b[y.id])
                    if !xi.elementsEqual(yi) { return xi.lexicographicallyPrecedes(yi) }
                    return UnsafeBufferPointer(rebasing: b[x.input]).lexicographicallyPrecedes(
                        UnsafeBufferPointer(rebasing: b[y.input]))
                }
                return (text(x.id), text(x.input)) < (text(y.id), text(y.input))
            }
        }
        starts = order.map { starts[$0] }
    }
}
