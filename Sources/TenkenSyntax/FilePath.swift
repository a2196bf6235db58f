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
}
