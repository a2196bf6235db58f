/// Path arithmetic on strings, without Foundation's `deletingLastPathComponent`, which traps
/// on a one-character relative path (`"o"`) in this toolchain's corelibs-foundation: a user's
/// `--output-dir o` crashed the run (exit 132).
public enum FilePath {
    /// The folder part of `path`, as `NSString.deletingLastPathComponent` defines it:
    /// `"a/b"` → `"a"`, `"/a"` → `"/"`, `"a"` → `""`, `"a/b/"` → `"a"`, `"/"` → `"/"`.
    public static func parent(_ path: String) -> String {
        var p = Substring(path)
        while p.count > 1, p.hasSuffix("/") { p = p.dropLast() }
        guard let slash = p.lastIndex(of: "/") else { return "" }
        if slash == p.startIndex { return "/" }
        var head = p[..<slash]
        while head.count > 1, head.hasSuffix("/") { head = head.dropLast() }
        return String(head)
    }

    /// The extension of `path`'s last component, lowercased: `"dir/A.XLSX"` → `"xlsx"`,
    /// `"a.b.c"` → `"c"`, `"a.xlsx/"` → `"xlsx"`; `""` when the component has no dot, starts with
    /// its only dot (`".xlsx"`) or ends with one (`"a."`). As `NSString.pathExtension`
    /// followed by `lowercased()`, read from the path's bytes (the names the file system sees):
    /// Foundation's version cost about 32 K instructions a call, which was 6 % of an 8-rule
    /// facility read from its own file (issue 15). ASCII is lowercased byte by byte; any other
    /// extension goes through `String.lowercased()`.
    public static func fileExtension(_ path: String) -> String {
        var path = path
        return path.withUTF8 { b -> String in
            var end = b.count
            while end > 0, b[end - 1] == UInt8(ascii: "/") { end -= 1 }
            var start = end
            while start > 0, b[start - 1] != UInt8(ascii: "/") { start -= 1 }
            var dot = end
            while dot > start, b[dot - 1] != UInt8(ascii: ".") { dot -= 1 }
            // No dot (`dot == start`), or the component's first byte is its last dot.
            guard dot > start + 1, dot < end else { return "" }
            let ext = UnsafeBufferPointer(rebasing: b[dot..<end])
            guard ext.allSatisfy({ $0 < 0x80 }) else { return String(decoding: ext, as: UTF8.self).lowercased() }
            return String(unsafeUninitializedCapacity: ext.count) { out in
                for (i, c) in ext.enumerated() {
                    out[i] = c >= UInt8(ascii: "A") && c <= UInt8(ascii: "Z") ? c | 0x20 : c
                }
                return ext.count
            }
        }
    }
}
