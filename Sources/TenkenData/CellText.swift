import Foundation
import TenkenSyntax

/// Every string that enters from an input (a CSV cell or header, a JSON string or key) is
/// read as a person reads it: Unicode spaces at either end are trimmed (a full-width space
/// after `S-006` does not make another id), the text is NFC-normalised (a name saved
/// decomposed by macOS equals the one typed in), and control and invisible characters are
/// refused with their place, so none ever reaches a join, a terminal or a report.
public enum CellText {
    /// White space a keyboard or a spreadsheet leaves at the ends of a cell: ASCII space and
    /// tab, no-break space, the ideographic space of Japanese input, the other Unicode spaces,
    /// and the invisible zero-width space and byte-order mark.
    public static func isSpace(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09, 0x20, 0xA0, 0x1680, 0x180E, 0x2000...0x200B, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }

    public static func isForbidden(_ u: Unicode.Scalar) -> Bool { TextSafety.isForbidden(u) }
    public static func describe(_ u: Unicode.Scalar) -> String { TextSafety.describe(u) }

    /// The cleaned text, and the first refused character it holds (nil when none).
    public static func clean(_ s: Substring) -> (text: String, refused: Unicode.Scalar?) {
        // Fast path: printable ASCII throughout (most ids, dates and numbers).
        if s.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }) { return (String(s), nil) }
        let t = trimmed(s)
        var refused: Unicode.Scalar?
        var combining = false
        for u in t.unicodeScalars {
            if refused == nil, isForbidden(u) { refused = u }
            if u.value >= 0x300, u.properties.canonicalCombiningClass != .notReordered || (0x1100...0x11FF).contains(u.value) { combining = true }
        }
        return (combining ? t.precomposedStringWithCanonicalMapping : t, refused)
    }

    public static func clean(_ s: String) -> (text: String, refused: Unicode.Scalar?) { clean(Substring(s)) }

    /// An id as a person reads it: full-width letters and digits are the ASCII ones (NFKC:
    /// `Ｓ－００６` is `S-006`) and every dash is a hyphen-minus, so an id typed with the IME
    /// on joins the same row as one typed without. Only ids and references are folded; other
    /// text keeps what was written.
    public static func identifier(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s }
        var out = String.UnicodeScalarView()
        for u in s.precomposedStringWithCompatibilityMapping.unicodeScalars {
            switch u.value {
            case 0x2010...0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D: out.append("-")
            default: out.append(u)
            }
        }
        return String(out)
    }

    /// Trims `isSpace` characters at both ends.
    public static func trimmed(_ s: Substring) -> String {
        let u = s.unicodeScalars
        var start = u.startIndex, end = u.endIndex
        while start < end, isSpace(u[start]) { start = u.index(after: start) }
        while end > start, isSpace(u[u.index(before: end)]) { end = u.index(before: end) }
        return String(String.UnicodeScalarView(u[start..<end]))
    }
}
