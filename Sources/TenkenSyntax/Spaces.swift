import Foundation

/// Foundation's `trimmingCharacters(in: .whitespaces)` (tabs and the Unicode space
/// separators), with the usual case answered without it: text whose first and last scalars
/// are ASCII other than a space or tab has nothing to trim. Foundation bridges every string it
/// trims, which made trimming the cells of a catalog a tenth of checking a pack at start-up.
public enum Spaces {
    public static func trimmed<S: StringProtocol>(_ s: S) -> String where S.UTF8View: BidirectionalCollection {
        guard let first = s.utf8.first, let last = s.utf8.last else { return "" }
        if isSolidASCII(first), isSolidASCII(last) { return String(s) }
        return s.trimmingCharacters(in: .whitespaces)
    }

    /// Whether `s` is empty once trimmed: any ASCII byte other than a space or tab is a scalar
    /// that stays.
    public static func isBlank<S: StringProtocol>(_ s: S) -> Bool {
        if s.utf8.contains(where: isSolidASCII) { return false }
        return s.trimmingCharacters(in: .whitespaces).isEmpty
    }

    /// An ASCII byte that is not in `.whitespaces` (which holds only the space and the tab of ASCII).
    @inline(__always) static func isSolidASCII(_ b: UInt8) -> Bool { b < 0x80 && b != 0x20 && b != 0x09 }
}

/// The lines of a text file a person edits (a catalog, a guide, a rule file quoted in a
/// diagnostic), ending in LF or CRLF. Splitting a `String` on the `Character` `"\n"` misses
/// every CRLF line end, which Swift reads as one `Character` (`"\r\n"`): a catalog saved on
/// Windows was one long line.
public enum TextLines {
    /// The lines of `text` without their ends; an empty last line where the text ends in a line end.
    public static func split(_ text: String) -> [Substring] {
        text.split(omittingEmptySubsequences: false) { $0 == "\n" || $0 == "\r\n" }
    }
}
