/// Text from inputs made safe to show. An id, a cell or a file name may carry control
/// characters: an ESC or OSC sequence that recolours the terminal or sets its title, a BEL, a
/// C1 control (U+009B is a one-character CSI), a carriage return that overwrites the line, a
/// newline that forges a report line (`✓ … [pass · required]`), or a bidirectional override
/// that reorders what is displayed. Each is replaced by a visible escape (`\u{1b}`, `\n`), so
/// the text stays readable and inert.
public enum SafeText {
    /// For a terminal and the text report: every C0 and C1 control, DEL, the bidirectional
    /// controls and the Unicode line and paragraph separators are escaped.
    public static func terminal(_ s: String) -> String { escaping(s, where: needsTerminalEscape) }

    /// For XML and HTML text and attributes: the characters XML 1.0 does not allow (C0 but tab,
    /// line feed and carriage return; U+FFFE, U+FFFF), DEL and the C1 controls, which it
    /// discourages, and the bidirectional controls are escaped, so the document stays
    /// well-formed and shows what it holds.
    public static func xml(_ s: String) -> String { escaping(s, where: needsXMLEscape) }

    /// `s` with every scalar `needs` picks escaped; `s` itself (no copy) when there is none.
    static func escaping(_ s: String, where needs: (Unicode.Scalar) -> Bool) -> String {
        guard s.unicodeScalars.contains(where: needs) else { return s }
        var out = ""
        out.reserveCapacity(s.utf8.count + 8)
        for u in s.unicodeScalars {
            if needs(u) { out += escape(u) } else { out.unicodeScalars.append(u) }
        }
        return out
    }

    static func needsTerminalEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x2028, 0x2029: true
        default: false
        }
    }

    static func needsXMLEscape(_ u: Unicode.Scalar) -> Bool {
        switch u.value {
        case 0x09, 0x0A, 0x0D: false
        case 0x00...0x1F, 0x7F...0x9F, 0xFFFE, 0xFFFF: true
        // A bidirectional override would reorder what a browser shows (a value made to read
        // as something else).
        case 0x061C, 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069: true
        default: false
        }
    }

    static func escape(_ u: Unicode.Scalar) -> String {
        switch u {
        case "\n": "\\n"
        case "\r": "\\r"
        case "\t": "\\t"
        default: "\\u{" + String(u.value, radix: 16) + "}"
        }
    }
}
