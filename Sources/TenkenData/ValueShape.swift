import TenkenSyntax

/// What a diagnostic says about a value it will not show.
///
/// A value that failed to read as what its field holds may be anything: a password typed into
/// the wrong column, a patient's name pasted one cell to the left, a row of data where a header
/// was expected. So no message about facility data quotes one (nor an unknown key or column
/// header, which may be such a value too): it names the place — file, line and column, JSON
/// pointer, column header — and describes the value's shape, which says what is wrong without
/// saying what was written (`found text of 9 characters`, `found a negative whole number`).
///
/// Values that have been read as their field's type (a calendar date, a word of the field's
/// list, an element's own id) are what reports show as evidence, and messages may name them.
public enum ValueShape {
    /// The shape of a text value, as a noun phrase: `an empty text`, `a whole number`,
    /// `a negative whole number`, `a number with a fraction`, `a date that is not on the
    /// calendar`, `a date in another form`, `a date followed by more text`, `text of N characters`.
    public static func of(_ s: String) -> String { TextShape.of(s) }

    /// The shape of a JSON value: a text's as `of(_:)`, else its kind (`a whole number`,
    /// `true or false`, `an array of 3 elements`, `an object`, `null`).
    public static func of(json v: JSONValue) -> String {
        switch v {
        case .string(let s): of(s)
        case .int(let n): n < 0 ? "a negative whole number" : "a whole number"
        case .number(let s): of(s) == "a number with a fraction" ? "a number with a fraction" : "a number out of range"
        case .bool: "true or false"
        case .null: "null"
        case .array(let xs): "an array of \(xs.count) element\(xs.count == 1 ? "" : "s")"
        case .object: "an object"
        }
    }

    /// The shape of a parameter override's value (a snapshot's `parameters`, a `facility.csv`
    /// `parameter.NAME` row).
    public static func of(raw r: ParamOverride.Raw) -> String {
        switch r {
        case .int(let n): n < 0 ? "a negative whole number" : "a whole number"
        case .bool: "true or false"
        case .string(let s): of(s)
        case .list(let xs): "a list of \(xs.count) value\(xs.count == 1 ? "" : "s")"
        }
    }

    /// Where an unknown name stood, for a message that does not show it: `column 5`.
    public static func column(_ index: Int) -> String { "column \(index + 1)" }
}
