/// RFC 4180 cells, neutralised against formula injection: a cell a spreadsheet would read as
/// a formula (`=`, `+`, `-`, `@`, tab, carriage return first) gets a leading apostrophe.
public enum CSVCell {
    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
    /// The same as bytes, compared one by one (`isPlain` runs for every cell of an aggregate).
    static let formulaStartBytes: [UInt8] = formulaStarts.map { UInt8($0.value) }

    /// Text a spreadsheet would take for a formula, or that `unescape` would otherwise misread:
    /// a formula character first, or apostrophes before one.
    static func needsApostrophe(_ u: Substring.UnicodeScalarView) -> Bool {
        var i = u.startIndex
        while i < u.endIndex, u[i] == "'" { i = u.index(after: i) }
        return i < u.endIndex && formulaStarts.contains(u[i])
    }

    /// `s` with the apostrophe a spreadsheet needs before a formula character (`escape`
    /// without the quoting), as a cell holds it once its CSV quotes are read.
    public static func neutralised(_ s: String) -> String {
        needsApostrophe(Substring(s).unicodeScalars) ? "'" + s : s
    }

    /// Whether `escape` and `SafeText.terminal` leave these UTF-8 bytes as they are (a sufficient
    /// test, for rows built as bytes): printable ASCII without a comma, quote or apostrophe, and
    /// no formula character first.
    public static func isPlain(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        if let first = b.first, formulaStartBytes.contains(first) { return false }
        var ok = true
        for x in b { ok = ok && x >= 0x20 && x < 0x7F && x != 0x2C && x != 0x22 && x != 0x27 }
        return ok
    }

    public static func escape(_ s: String) -> String {
        let v = neutralised(s)
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingAll("\"", with: "\"\"") + "\""
        }
        return v
    }

    /// Undoes `escape`'s apostrophe, so a table tenken wrote reads back exactly: `'=x` is `=x`
    /// and `''=x` is `'=x`. An apostrophe before ordinary text is kept.
    public static func unescape(_ s: String) -> String {
        guard s.utf8.first == 0x27 else { return s }
        let rest = Substring(s).unicodeScalars.dropFirst()
        return needsApostrophe(rest) ? String(String.UnicodeScalarView(rest)) : s
    }
}

extension String {
    /// Replaces every occurrence of one character (Foundation-free, for hot paths).
    public func replacingAll(_ c: Character, with b: String) -> String {
        split(separator: c, omittingEmptySubsequences: false).joined(separator: b)
    }
}
