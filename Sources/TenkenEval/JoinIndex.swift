import TenkenData

/// A hash index on one field of a top-level collection, and the elements whose field is
/// unknown: those might match any key, so a lookup visits them as uncertain matches.
///
/// The elements that share a key sit next to each other in one array (`grouped`), in the
/// collection's order, so a lookup hands back a slice and building the index makes no
/// array per key. Keys are found by `Value ==`, exactly as before; only the hash is cheaper
/// than the standard one where it can be shown to agree with `==` (`JoinIndex.quickHash`).
/// An index with any key outside that set, or a lookup of such a key, goes through a
/// standard dictionary instead.
final class JoinIndex {
    /// The elements, grouped by key: group `g` is `grouped[starts[g]..<starts[g + 1]]`.
    let grouped: [Value]
    let starts: [Int32]
    /// Each group's key, and its quick hash (when every key has one).
    let keys: [Value]
    let hashes: [Int]
    /// Open addressing over `keys` by quick hash (-1: empty); empty when some key has none.
    let table: [Int32]
    let unknownKeyed: [Value]
    /// Elements whose field is a documented absence: they match a null key, as `==` says.
    let nullKeyed: [Value]
    /// The groups by the standard hash, built on the first lookup that needs it.
    private var exact: [Value: Int32]?

    /// Indexes field `field` of the records in `xs`; `contains`: the field is a list, and an
    /// element is found under each distinct item of it.
    init(_ xs: [Value], field: Int, contains: Bool) {
        var unknownKeyed: [Value] = []
        var nullKeyed: [Value] = []
        // Each (group, element) pair in the collection's order.
        var pairs: [(group: Int32, element: Int32)] = []
        pairs.reserveCapacity(xs.count)
        var keys = KeyTable(capacity: xs.count)
        // The last element filed under each group: an item listed twice files it once.
        var last: [Int32] = []
        for (i, x) in xs.enumerated() {
            guard case .record(let r) = x else { continue }
            let v = r.effective(field)
            if v.isUnknown { unknownKeyed.append(x); continue }
            if v.isNull { if !contains { nullKeyed.append(x) }; continue }
            if contains {
                guard case .list(let items) = v else { continue }
                for it in items where !it.isNull {
                    let g = keys.group(of: it)
                    if Int(g) == last.count { last.append(-1) }
                    if last[Int(g)] == Int32(i) { continue }
                    last[Int(g)] = Int32(i)
                    pairs.append((g, Int32(i)))
                }
            } else {
                pairs.append((keys.group(of: v), Int32(i)))
            }
        }
        if pairs.count == keys.keys.count {
            // Every element under a key of its own (ids, most joins): the groups are numbered
            // as the pairs were made, so pair g is group g, already in order.
            grouped = pairs.map { xs[Int($0.element)] }
            starts = (0...pairs.count).map { Int32($0) }
        } else {
            // Counting sort by group, stable: each group keeps the collection's order.
            var starts = [Int32](repeating: 0, count: keys.keys.count + 1)
            for p in pairs { starts[Int(p.group) + 1] += 1 }
            for g in keys.keys.indices { starts[g + 1] += starts[g] }
            var next = starts
            var grouped = [Value](repeating: .null, count: pairs.count)
            for p in pairs {
                grouped[Int(next[Int(p.group)])] = xs[Int(p.element)]
                next[Int(p.group)] += 1
            }
            self.grouped = grouped
            self.starts = starts
        }
        self.keys = keys.keys
        self.hashes = keys.hashes
        self.table = keys.quick ? keys.table : []
        exact = keys.quick ? nil : keys.exact
        self.unknownKeyed = unknownKeyed
        self.nullKeyed = nullKeyed
    }

    /// The elements whose field equals `key` (a known, non-null value), in the collection's
    /// order.
    func matches(_ key: Value) -> ArraySlice<Value> {
        guard let g = group(key) else { return [] }
        return grouped[Int(starts[g])..<Int(starts[g + 1])]
    }

    /// The group of the key equal to `key`, if any.
    @inline(__always)
    func group(_ key: Value) -> Int? {
        if !table.isEmpty, let h = JoinIndex.quickHash(key) {
            return table.withUnsafeBufferPointer { t in
                let mask = t.count - 1
                var i = h & mask
                while true {
                    let g = Int(t[i])
                    if g < 0 { return nil }
                    if hashes[g] == h, keys[g] == key { return g }
                    i = (i + 1) & mask
                }
            }
        }
        // A key without a quick hash may still equal one with it ("K" and the Kelvin sign
        // are the same string): the standard hash agrees with `==` for every value.
        let d: [Value: Int32]
        if let e = exact {
            d = e
        } else {
            var built: [Value: Int32] = [:]
            built.reserveCapacity(keys.count)
            for (g, k) in keys.enumerated() { built[k] = Int32(g) }
            exact = built
            d = built
        }
        return d[key].map(Int.init)
    }

    /// A hash that equal values share, for the values whose equality is plain: integers,
    /// booleans, dates, records (by identity) and strings of ASCII only (two such strings are
    /// canonically equivalent only when their bytes are the same; a string with any other
    /// character may equal an ASCII one, so it has none). Nil for anything else.
    @inline(__always)
    static func quickHash(_ v: Value) -> Int? {
        switch v {
        case .int(let n): return mix(UInt64(bitPattern: Int64(n)) ^ 0x1)
        case .bool(let b): return mix(b ? 0x2 : 0x3)
        case .date(let d): return mix(UInt64(bitPattern: Int64(d.rawValue)) &* 0x9E37_79B9_7F4A_7C15 ^ 0x4)
        case .record(let r): return mix(UInt64(UInt(bitPattern: ObjectIdentifier(r))) ^ 0x5)
        case .string(let s):
            return s.utf8.withContiguousStorageIfAvailable { bytes -> Int? in
                // FNV-1a over the bytes, and whether any is outside ASCII.
                var h: UInt64 = 0xCBF2_9CE4_8422_2325
                var high: UInt8 = 0
                for b in bytes {
                    high |= b
                    h = (h ^ UInt64(b)) &* 0x0000_0100_0000_01B3
                }
                return high < 0x80 ? mix(h ^ UInt64(bytes.count)) : nil
            } ?? nil
        default: return nil
        }
    }

    /// Spreads the bits (a 64-bit finaliser), so the low bits pick a slot well.
    @inline(__always)
    static func mix(_ x: UInt64) -> Int {
        var z = x
        z = (z ^ (z >> 33)) &* 0xFF51_AFD7_ED55_8CCD
        z = (z ^ (z >> 33)) &* 0xC4CE_B9FE_1A85_EC53
        return Int(bitPattern: UInt(z ^ (z >> 33)))
    }
}

/// The distinct keys of an index being built, numbered in order of first appearance: by
/// quick hash while every key has one, else by the standard dictionary.
private struct KeyTable {
    var keys: [Value] = []
    var hashes: [Int] = []
    var table: [Int32]
    /// False once a key without a quick hash has been seen: from then on `exact` numbers them.
    var quick = true
    var exact: [Value: Int32] = [:]

    init(capacity: Int) {
        var n = 8
        while n < capacity * 2 { n <<= 1 }
        table = [Int32](repeating: -1, count: n)
        // At most one key per element: the arrays never grow by copying.
        keys.reserveCapacity(capacity)
        hashes.reserveCapacity(capacity)
    }

    /// The group of `key`, a new one if no key so far equals it.
    mutating func group(of key: Value) -> Int32 {
        if quick, let h = JoinIndex.quickHash(key) {
            let mask = table.count - 1
            var i = h & mask
            while true {
                let g = table[i]
                if g < 0 { break }
                if hashes[Int(g)] == h, keys[Int(g)] == key { return g }
                i = (i + 1) & mask
            }
            let g = Int32(keys.count)
            keys.append(key)
            hashes.append(h)
            table[i] = g
            if keys.count * 2 > table.count { grow() }
            return g
        }
        if quick {
            // The first key without a quick hash: number the keys so far by the standard hash.
            quick = false
            for (g, k) in keys.enumerated() { exact[k] = Int32(g) }
        }
        if let g = exact[key] { return g }
        let g = Int32(keys.count)
        keys.append(key)
        hashes.append(0)
        exact[key] = g
        return g
    }

    mutating func grow() {
        var t = [Int32](repeating: -1, count: table.count * 2)
        let mask = t.count - 1
        for (g, h) in hashes.enumerated() {
            var i = h & mask
            while t[i] >= 0 { i = (i + 1) & mask }
            t[i] = Int32(g)
        }
        table = t
    }
}
