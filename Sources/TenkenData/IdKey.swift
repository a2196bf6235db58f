/// An id's `CellText.identifierKey`, in a form compared as two machine words instead of a
/// hashed string. `Consistency` looks up every id and reference of a facility; hashing each
/// one (and the copy a dictionary keeps) cost more than the rest of the check.
///
/// A key of ASCII up to 15 bytes (nearly every id: `S-006`, `F00001-A001`) is packed big-endian
/// into `head` and `tail` with its length in the last byte, so two such keys are equal exactly
/// when their bytes are, and order as their bytes do. Any other key is kept whole in `long` and
/// compared as a `String` (by canonical equivalence, as the dictionaries it replaces did); it
/// orders after every packed key. An ASCII key is never canonically equivalent to a non-ASCII one
/// here, since `identifierKey` has already folded compatibility forms (NFKC).
struct IdKey: Comparable, Sendable {
    var head: UInt64 = 0
    var tail: UInt64 = 0
    var long: String?

    /// The key of the id `s` (`CellText.identifierKey(s)`).
    @inline(__always)
    init(_ s: String) {
        // A small ASCII id without lower case (`S-006`, `F00001-A001`): its own key, packed
        // from the string value's own words (`InlineASCII`), inline where the key is needed.
        if let w = InlineASCII.words(s), !SWAR.hasASCIILower(w.head), !SWAR.hasASCIILower(w.tail) {
            self.init(head: w.head, tail: w.tail)
            return
        }
        self = IdKey.general(s)
    }

    /// The key of any other id.
    @inline(never)
    private static func general(_ s: String) -> IdKey {
        // An id that is its own key (ASCII without lower case, the usual export) is packed from
        // its bytes in one pass, without making the key as a string first.
        if let k = IdKey.packed(s, ownKeyOnly: true) { return k }
        let key = CellText.identifierKey(s)
        return IdKey.packed(key, ownKeyOnly: false) ?? IdKey(long: key)
    }

    private init(long: String) { self.long = long }
    private init(head: UInt64, tail: UInt64) {
        self.head = head
        self.tail = tail
    }

    /// `s` packed, when it is ASCII (and its own key, if `ownKeyOnly`) and at most 15 bytes;
    /// `IdKey(long: s)` when it is its own key but longer; nil otherwise.
    private static func packed(_ s: String, ownKeyOnly: Bool) -> IdKey? {
        var s = s
        let n = s.utf8.count
        if n > 15 {
            if ownKeyOnly { return CellText.isOwnKey(s) ? IdKey(long: s) : nil }
            return nil
        }
        return s.withUTF8 { b -> IdKey? in
            // The bytes as two big-endian words, zero past the end, tested eight at a time: no
            // byte with its high bit set (not ASCII) and, for `ownKeyOnly`, none in `a`...`z`.
            var words: (UInt64, UInt64) = (0, 0)
            withUnsafeMutableBytes(of: &words) { $0.copyMemory(from: UnsafeRawBufferPointer(b)) }
            let head = UInt64(bigEndian: words.0), tail = UInt64(bigEndian: words.1)
            if (head | tail) & SWAR.high != 0 { return nil }
            if ownKeyOnly && (SWAR.hasASCIILower(head) || SWAR.hasASCIILower(tail)) { return nil }
            return IdKey(head: head, tail: tail | UInt64(b.count))
        }
    }

    static func == (a: IdKey, b: IdKey) -> Bool {
        if a.long == nil && b.long == nil { return a.head == b.head && a.tail == b.tail }
        return a.head == b.head && a.tail == b.tail && a.long == b.long
    }

    static func < (a: IdKey, b: IdKey) -> Bool {
        // Two packed keys (nearly every comparison) without copying the optional strings.
        if a.long == nil && b.long == nil { return a.head != b.head ? a.head < b.head : a.tail < b.tail }
        return switch (a.long, b.long) {
        case (nil, nil): a.head != b.head ? a.head < b.head : a.tail < b.tail
        case (nil, _?): true
        case (_?, nil): false
        case (let x?, let y?): x < y
        }
    }
}

/// The ids of one list of records by `IdKey`: which key each record holds, whether a key is
/// among them, and which records repeat an earlier record's key. A sorted array searched by
/// halves: for the dozens to thousands of ids of a collection, cheaper to build and to search
/// than a dictionary of strings, and it makes no hash of its own.
///
/// Packed keys (nearly every id) are kept apart from the few long ones, as plain words: the
/// table then sorts, searches and frees without a reference count touched per id. A class, so
/// that handing a table to each reference check retains one object.
final class IdTable {
    /// (key, position in the list) of the packed keys, sorted by key and then position: the first
    /// record with each key comes first among those holding it.
    private let packed: [(head: UInt64, tail: UInt64, at: Int32)]
    /// The same for the keys kept whole (`IdKey.long`), which order after every packed key.
    private let long: [(key: String, at: Int32)]
    /// The records that repeat an earlier record's key, in list order: (position, position of
    /// the first record with the key).
    let repeats: [(at: Int, first: Int)]
    /// The list and the field the ids were read from, for the spellings of a suggestion.
    private let list: [Value]
    private let field: Int

    /// The ids at field `field` of the records of `list`, for which `holds` is true.
    init(_ list: [Value], field: Int, where holds: ((Record) -> Bool)? = nil) {
        self.list = list
        self.field = field
        // Built in locals and stored once: a class's `var` is checked for exclusive access at
        // every touch.
        var packed: [(head: UInt64, tail: UInt64, at: Int32)] = []
        var long: [(key: String, at: Int32)] = []
        var repeats: [(at: Int, first: Int)] = []
        packed.reserveCapacity(list.count)
        var sorted = true
        for i in list.indices {
            guard case .record(let r) = list[i], holds?(r) ?? true, field < r.count,
                case .string(let s) = r.slots[field].value
            else { continue }
            let key = IdKey(s)
            if let k = key.long {
                long.append((k, Int32(i)))
                continue
            }
            // Lists are often in id order already: then sorting is skipped.
            if let last = packed.last, !(last.head < key.head || (last.head == key.head && last.tail < key.tail)) {
                sorted = false
            }
            packed.append((key.head, key.tail, Int32(i)))
        }
        if !sorted {
            packed.sort { ($0.head, $0.tail, $0.at) < ($1.head, $1.tail, $1.at) }
        }
        if long.count > 1 { long.sort { $0.key < $1.key || ($0.key == $1.key && $0.at < $1.at) } }
        var start = 0
        for k in packed.indices.dropFirst() {
            if packed[k].head == packed[start].head && packed[k].tail == packed[start].tail {
                repeats.append((Int(packed[k].at), Int(packed[start].at)))
            } else {
                start = k
            }
        }
        start = 0
        for k in long.indices.dropFirst() {
            if long[k].key == long[start].key {
                repeats.append((Int(long[k].at), Int(long[start].at)))
            } else {
                start = k
            }
        }
        if repeats.count > 1 { repeats.sort { $0.at < $1.at } }
        self.packed = packed
        self.long = long
        self.repeats = repeats
    }

    /// Whether some record holds the id `s` (as `CellText.identifierKey` compares).
    func contains(_ s: String) -> Bool {
        let key = IdKey(s)
        if let k = key.long {
            var lo = 0, hi = long.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if long[mid].key < k { lo = mid + 1 } else { hi = mid }
            }
            return lo < long.count && long[lo].key == k
        }
        return packed.withUnsafeBufferPointer { p in
            var lo = 0, hi = p.count
            while lo < hi {
                let mid = (lo &+ hi) / 2
                if p[mid].head < key.head || (p[mid].head == key.head && p[mid].tail < key.tail) {
                    lo = mid &+ 1
                } else {
                    hi = mid
                }
            }
            return lo < p.count && p[lo].head == key.head && p[lo].tail == key.tail
        }
    }

    /// The first spelling of each id, in key order (packed keys first), for a suggestion (made
    /// only when a message needs one).
    var spellings: [String] {
        var out: [String] = []
        func spelling(_ at: Int32) {
            if case .record(let r) = list[Int(at)], case .string(let s) = r.values[field] { out.append(s) }
        }
        for (k, e) in packed.enumerated() where k == 0 || packed[k - 1].head != e.head || packed[k - 1].tail != e.tail {
            spelling(e.at)
        }
        for (k, e) in long.enumerated() where k == 0 || long[k - 1].key != e.key { spelling(e.at) }
        return out
    }
}
