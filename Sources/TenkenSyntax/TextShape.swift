/// The shape of a text a message will not show (`ValueShape` in TenkenData says why): here,
/// below every reader, so the workbook reader describes a cell it cannot read in the words
/// the table loader uses.
public enum TextShape {
    /// The shape of a text value, as a noun phrase: `an empty text`, `a whole number`,
    /// `a negative whole number`, `a number with a fraction`, `a date that is not on the
    /// calendar`, `a date in another form`, `a date followed by more text`, `text of N characters`.
    public static func of(_ s: String) -> String {
        let u = Array(s.unicodeScalars)
        if u.isEmpty { return "an empty text" }
        func digit(_ i: Int) -> Bool { i < u.count && ("0"..."9").contains(u[i]) }
        func digits(from i: Int) -> Int {
            var j = i
            while digit(j) { j += 1 }
            return j - i
        }
        // Numbers: an optional sign, digits, an optional fraction and exponent.
        var i = 0
        let negative = u[0] == "-"
        if u[0] == "-" || u[0] == "+" { i = 1 }
        let whole = digits(from: i)
        if whole > 0 || (i < u.count && u[i] == ".") {
            var j = i + whole
            var fraction = false
            if j < u.count, u[j] == "." { fraction = true; j += 1; j += digits(from: j) }
            if j < u.count, u[j] == "e" || u[j] == "E" {
                fraction = true
                j += 1
                if j < u.count, u[j] == "-" || u[j] == "+" { j += 1 }
                j += digits(from: j)
            }
            if j == u.count, whole > 0 || fraction {
                if fraction { return "a number with a fraction" }
                return negative ? "a negative whole number" : "a whole number"
            }
        }
        // Dates: four digits, a separator, one or two digits, a separator, one or two digits.
        if digits(from: 0) == 4, u.count >= 8 {
            let sep1 = u[4]
            let m = digits(from: 5)
            if [Unicode.Scalar("-"), "/", ".", "年"].contains(sep1), (1...2).contains(m), 5 + m < u.count {
                let sep2 = u[5 + m]
                let d = digits(from: 6 + m)
                if [Unicode.Scalar("-"), "/", ".", "月"].contains(sep2), (1...2).contains(d) {
                    let end = 6 + m + d
                    let rest = end < u.count && u[end] == "日" ? end + 1 : end
                    if rest < u.count { return "a date followed by more text" }
                    if sep1 == "-", sep2 == "-", m == 2, d == 2, end == u.count {
                        return "a date that is not on the calendar"
                    }
                    return "a date in another form"
                }
            }
        }
        // Times and durations (`0:30`, `12:30:00`, a cell formatted as a time in a workbook).
        if (1...4).contains(digits(from: 0)) {
            var j = digits(from: 0), parts = 1
            while j < u.count, u[j] == ":", digits(from: j + 1) == 2, parts < 3 { j += 3; parts += 1 }
            if parts >= 2, j == u.count { return parts == 2 ? "a time (h:mm)" : "a time (h:mm:ss)" }
        }
        let n = s.count
        return "text of \(n) character\(n == 1 ? "" : "s")"
    }
}
