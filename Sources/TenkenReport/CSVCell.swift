/// RFC 4180 cells, neutralised against formula injection: a cell a spreadsheet would read as
/// a formula (`=`, `+`, `-`, `@`, tab, carriage return first) gets a leading apostrophe.
public enum CSVCell {
    public static func escape(_ s: String) -> String {
        var v = s
        if let f = v.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(f) { v = "'" + v }
        if v.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
            return "\"" + v.replacingAll("\"", with: "\"\"") + "\""
        }
        return v
    }
}

extension String {
    func replacingAll(_ c: Character, with b: String) -> String {
        split(separator: c, omittingEmptySubsequences: false).joined(separator: b)
    }
}
