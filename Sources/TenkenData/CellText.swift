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
        case 0x09, 0x20, 0xA0, 0x1680, 0x180E, 0x2000...0x200B, 0x202F, 0x205F, 0x3000, 0xFEFF: true
        default: false
        }
    }

    /// Characters refused anywhere in a value: controls (C0 and C1, so line breaks and tabs
    /// inside a value too: a cell is one line), DEL, the line and paragraph separators,
    /// noncharacters (which XML forbids), and every invisible format character: direction
    /// overrides and marks (which make text display other than it is), zero-width spaces and
    /// joiners, the word joiner, soft hyphens, tags and byte-order marks, which would split an
    /// id without showing it; and the Hangul fillers, which render as nothing.
    public static func isForbidden(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F, 0x3164, 0xFFA0: return true
        case 0x20...0x7E, 0xA0...0xAC, 0xAE...0x05FF: return false
        default:
            switch u.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator: return true
            default: return u.properties.isNoncharacterCodePoint
            }
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
        case 0x202A...0x202E, 0x2066...0x2069, 0x200E, 0x200F, 0x061C: "bidirectional control"
        case 0x200C: "zero-width non-joiner"
        case 0x200D: "zero-width joiner"
        case 0x00AD: "soft hyphen"
        case 0x2060: "word joiner"
        case 0x80...0x9F: "C1 control"
        default: u.properties.generalCategory == .format ? "invisible format character" : nil
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
