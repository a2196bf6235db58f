extension Array {
    /// `count` copies of `value`, appended into room reserved once. `Array(repeating:count:)`
    /// (and the copy an array makes when a shared one is first changed) allocates through the
    /// standard library's unspecialised code, which looks up the storage class's generic
    /// metadata at every call: about 450 instructions on Linux, paid for every record loaded.
    /// Appending stays in code specialised for `Element`.
    @inline(__always)
    static func filled(_ value: Element, count: Int) -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(count)
        for _ in 0..<count { out.append(value) }
        return out
    }

    /// A fresh copy of `source` (the same elements, storage of its own), made as `filled` is.
    @inline(__always)
    static func copied(_ source: [Element]) -> [Element] {
        var out: [Element] = []
        out.reserveCapacity(source.count)
        for v in source { out.append(v) }
        return out
    }
}
