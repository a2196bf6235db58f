import Foundation

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
        case 0x09, 0x20, 0xA0, 0x1680, 0x2000...0x200B, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }

    /// Characters refused anywhere in a value: C0 and C1 controls (line breaks and tabs
    /// included: a cell is one line), DEL, the line and paragraph separators, the
    /// noncharacters XML forbids, bidirectional overrides (which make text display other
    /// than it is), and invisible characters that would split an id (zero-width space, word
    /// joiner, byte-order mark).
    public static func isForbidden(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x200B, 0x2028, 0x2029, 0x202A...0x202E, 0x2060, 0x2066...0x2069, 0xFEFF, 0xFFFE, 0xFFFF: true
        default: false
        }
    }

    /// How a refused character is named in a message: its code point and, for the common
    /// ones, what it is (the character itself is never printed).
    public static func describe(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let name: String? = switch u.value {
        case 0x0A: "line feed"
        case 0x0D: "carriage return"
        case 0x09: "tab"
        case 0x1B: "escape"
        case 0x07: "bell"
        case 0x00: "null"
        case 0x7F: "delete"
        case 0x200B: "zero-width space"
        case 0xFEFF: "byte-order mark"
        case 0x2028: "line separator"
        case 0x2029: "paragraph separator"
        case 0x202A...0x202E, 0x2066...0x2069: "bidirectional control"
        case 0x80...0x9F: "C1 control"
        default: nil
        }
        return name.map { "\(code) (\($0))" } ?? code
    }

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

    /// Trims `isSpace` characters at both ends.
    public static func trimmed(_ s: Substring) -> String {
        let u = s.unicodeScalars
        var start = u.startIndex, end = u.endIndex
        while start < end, isSpace(u[start]) { start = u.index(after: start) }
        while end > start, isSpace(u[u.index(before: end)]) { end = u.index(before: end) }
        return String(String.UnicodeScalarView(u[start..<end]))
    }
}
