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
        if allBytes(s, { $0 > 0x20 && $0 < 0x7F }) { return (String(s), nil) }
        // Japanese text as typed: nothing to trim, refuse or compose (`isKept`).
        if isKeptAsWritten(s) { return (String(s), nil) }
        return cleanedSlowly(s)
    }

    /// `clean` character by character: what the fast paths must agree with (`CellTextTests`).
    static func cleanedSlowly(_ s: Substring) -> (text: String, refused: Unicode.Scalar?) {
        let t = trimmed(s)
        var refused: Unicode.Scalar?
        var combining = false
        for u in t.unicodeScalars {
            if refused == nil, isForbidden(u) { refused = u }
            if u.value >= 0x300,
                u.properties.canonicalCombiningClass != .notReordered || (0x1100...0x11FF).contains(u.value)
            {
                combining = true
            }
        }
        return (combining ? t.precomposedStringWithCanonicalMapping : t, refused)
    }

    public static func clean(_ s: String) -> (text: String, refused: Unicode.Scalar?) {
        // The same fast path without copying the string into a new one.
        if allBytes(s, { $0 > 0x20 && $0 < 0x7F }) { return (s, nil) }
        let whole = Substring(s)
        if isKeptAsWritten(whole) { return (s, nil) }
        return cleanedSlowly(whole)
    }

    /// An id as a person reads it: full-width letters and digits are the ASCII ones (NFKC:
    /// `Ｓ－００６` is `S-006`) and every dash is a hyphen-minus, so an id typed with the IME
    /// on joins the same row as one typed without. The katakana long-vowel mark `ー` (U+30FC,
    /// and the half-width `ｰ` U+FF70, which NFKC makes U+30FC) is what the IME often gives for
    /// a dash: between two ASCII letters or digits (`FーPHー0002`) it is one. Only ids and
    /// references are folded; other text keeps what was written. Case is kept as written and
    /// compared with `identifierKey`.
    public static func identifier(_ s: String) -> String {
        if isASCII(s) { return s }
        let scalars = Array(s.precomposedStringWithCompatibilityMapping.unicodeScalars)
        var out = String.UnicodeScalarView()
        func isASCIIAlnum(_ i: Int) -> Bool {
            guard scalars.indices.contains(i) else { return false }
            let u = scalars[i].value
            return (0x30...0x39).contains(u) || (0x41...0x5A).contains(u) || (0x61...0x7A).contains(u)
        }
        for (i, u) in scalars.enumerated() {
            switch u.value {
            case 0x2010...0x2015, 0x2212, 0xFE58, 0xFE63, 0xFF0D: out.append("-")
            case 0x30FC where isASCIIAlnum(i - 1) && isASCIIAlnum(i + 1): out.append("-")
            default: out.append(u)
            }
        }
        return String(out)
    }

    /// What two ids are compared by: the folded id (`identifier`) without regard to case, so
    /// `s-006`, `S-006` and `Ｓ－００６` are one id. Every comparison of ids goes through this
    /// one function: joins, references and duplicates in a facility (`Facility.normalised`,
    /// `Consistency`), and the ids a waiver or an attestation names.
    public static func identifierKey(_ s: String) -> String {
        // Fast path: ASCII with no lower-case letter is its own key.
        if isOwnKey(s) { return s }
        let folded = identifier(s)
        if isOwnKey(folded) { return folded }
        return folded.uppercased()
    }

    /// The first character of an id that shows as nothing (or as a blank) and is neither
    /// trimmed nor refused everywhere: a variation selector, the combining grapheme joiner,
    /// a Hangul or Khmer filler, the braille blank, the ideographic half fill space. In free
    /// text these have uses (a variation selector picks a kanji's form); in an id they make two
    /// ids that look the same differ, so an id holding one is refused with the character named.
    public static func invisible(in s: String) -> Unicode.Scalar? {
        if isASCII(s) { return nil }
        return s.unicodeScalars.first { u in
            u.properties.isDefaultIgnorableCodePoint || [0x2800, 0x303F].contains(u.value)
        }
    }

    /// Whether every byte of `s`'s UTF-8 meets `test`: over the contiguous bytes where the
    /// string has them (every native string), which the compiler turns into a tight loop.
    /// These checks run for every id and text value loaded.
    @inline(__always)
    static func allBytes<S: StringProtocol>(_ s: S, _ test: (UInt8) -> Bool) -> Bool {
        if let r = s.utf8.withContiguousStorageIfAvailable({ b in
            var ok = true
            for x in b { ok = ok && test(x) }
            return ok
        }) {
            return r
        }
        return s.utf8.allSatisfy(test)
    }

    /// Whether `clean` keeps `s` as written: every character `isKept`, and neither end a space.
    /// Japanese text (kana, kanji, full-width forms, CJK punctuation) is read without looking up
    /// a property of any character.
    static func isKeptAsWritten(_ s: Substring) -> Bool {
        let u = s.unicodeScalars
        guard let first = u.first, let last = u.last, !isSpace(first), !isSpace(last) else { return false }
        return u.allSatisfy { isKept($0.value) }
    }

    /// A character `clean` keeps as it is wherever it stands (a space only inside the text):
    /// printable ASCII, and the characters of Japanese text (`TextSafety.isCommonJapanese`)
    /// without the combining marks (U+302A–U+302F, U+3099, U+309A). None is refused, none
    /// combines, none is trimmed but the spaces (`keptCharactersNeedNoLookUp` checks every one).
    @inline(__always)
    static func isKept(_ v: UInt32) -> Bool {
        switch v {
        case 0x20...0x7E: true
        case 0x302A...0x302F, 0x3099, 0x309A: false
        default: TextSafety.isCommonJapanese(v)
        }
    }

    /// Plain ASCII throughout.
    public static func isASCII(_ s: String) -> Bool { allBytes(s) { $0 < 0x80 } }

    /// `s` is its own `identifierKey`: ASCII without a lower-case letter. No two different
    /// strings of this form are one id.
    /// Eight bytes at a time (`SWAR`): it runs for every id of every facility loaded.
    @inline(__always)
    public static func isOwnKey(_ s: String) -> Bool {
        // A small ASCII string (nearly every id) from the string value's own words, as they
        // lie: a lower-case test needs neither the bytes in order nor the bytes past the end
        // masked (zero in a small string, and a zero byte is not lower case), only the last byte
        // (the mark and length) left out. No byte swap, no mask worked out from the length.
        if let (lo, hi) = InlineASCII.rawWords(s) {
            return !SWAR.hasASCIILower(lo) && !SWAR.hasASCIILower(hi & 0x00FF_FFFF_FFFF_FFFF)
        }
        return s.utf8.withContiguousStorageIfAvailable { SWAR.isASCIIWithoutLower($0) }
            ?? s.utf8.allSatisfy { $0 < 0x80 && !(0x61...0x7A).contains($0) }
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
