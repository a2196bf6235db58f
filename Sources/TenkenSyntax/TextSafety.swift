/// Which characters no text of tenken's inputs may hold (a snapshot's values and keys, a
/// table's cells, a rule pack's strings and catalog): they would reach a terminal, a join or an
/// XML report, where they break the output or show text other than it is.
public enum TextSafety {
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
        // Japanese text without a look at the character's properties (two lookups of some 350
        // instructions each, for every character of every label of a pack at every start): CJK
        // punctuation, kana, the ideographs of the basic and first extension blocks, and the
        // full-width forms hold no control, format character, separator or noncharacter
        // (`fastRangesAgreeWithProperties` checks every one of them).
        case _ where isCommonJapanese(u.value): return false
        default: return isForbiddenByProperties(u)
        }
    }

    /// CJK punctuation, kana, the ideographs of the basic and first extension blocks, and the
    /// full-width and half-width forms: the characters of Japanese text, none of them a control,
    /// format character, separator or noncharacter, so decided by code point alone here and in
    /// `CellText.clean`.
    @inline(__always)
    public static func isCommonJapanese(_ v: UInt32) -> Bool {
        switch v {
        case 0x3000...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xFF01...0xFF9F: true
        default: false
        }
    }

    /// `isForbidden` of a character outside the ranges it decides by code point alone.
    static func isForbiddenByProperties(_ u: Unicode.Scalar) -> Bool {
        switch u.properties.generalCategory {
        case .control, .format, .lineSeparator, .paragraphSeparator: return true
        default: return u.properties.isNoncharacterCodePoint
        }
    }

    /// How a refused character is named in a message: its code point and what it is (a
    /// short name for the common ones, else its Unicode name); the character itself is never
    /// printed.
    public static func describe(_ u: Unicode.Scalar) -> String {
        let hex = String(u.value, radix: 16, uppercase: true)
        let code = "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        let name: String? =
            switch u.value {
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
            // Any other: its Unicode name (`U+2800 (braille pattern blank)`).
            default:
                u.properties.name.map { $0.lowercased() }
                    ?? (u.properties.generalCategory == .format ? "invisible format character" : nil)
            }
        return name.map { "\(code) (\($0))" } ?? code
    }

    /// The first refused character of `s`, if any.
    public static func firstForbidden(_ s: some StringProtocol) -> Unicode.Scalar? {
        s.unicodeScalars.first(where: isForbidden)
    }
}
