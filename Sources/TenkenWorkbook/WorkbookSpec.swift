/// A value to write into a cell.
public enum CellValue: Sendable, Hashable {
    case empty
    /// Written as a shared string; a formula character first (`=`) is still text, never a formula.
    case text(String)
    case number(Double)
    case bool(Bool)
    /// Written as a date serial with a `yyyy-mm-dd` format, so spreadsheet programs treat it as
    /// a date; dates before 1900-03-01 (which the 1900 system cannot place) are written as text.
    case date(year: Int, month: Int, day: Int)

    /// `2025-04-01` as a date; nil for anything else, including days that do not exist.
    public static func date(iso: String) -> CellValue? {
        let p = iso.split(separator: "-", omittingEmptySubsequences: false)
        guard p.count == 3, p[0].count == 4, p[1].count == 2, p[2].count == 2,
            let y = Int(p[0]), let m = Int(p[1]), let d = Int(p[2]), y >= 1, (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        let days = DateSerial.daysFromCivil(y, m, d)
        guard DateSerial.civilFromDays(days) == (y, m, d) else { return nil }
        return .date(year: y, month: m, day: d)
    }
}

/// A message a spreadsheet program shows: an input message when a cell is selected, or an
/// error alert. Excel allows a title of 32 characters and a text of 255; longer ones are cut
/// (with `…`) so the file stays valid.
public struct ValidationMessage: Sendable, Hashable {
    public var title: String
    public var text: String

    public init(title: String, text: String) {
        self.title = title
        self.text = text
    }
}

/// How a column's cells are formatted, which also decides what a person typing into an empty
/// cell of the column gets.
public enum ColumnFormat: Sendable, Hashable {
    /// Excel's General.
    case general
    /// Text (`@`): typed numbers stay text, so `001` and `17.0` keep their form.
    case text
    /// `yyyy-mm-dd`; typed dates become date serials.
    case date
    /// General, for numbers.
    case number
}

/// One column of a table sheet.
public struct ColumnSpec: Sendable, Hashable {
    /// The header cell's text (row 1).
    public var header: String
    public var format: ColumnFormat
    /// A drop-down list on every data cell of the column (rows 2 to 1,048,576). Other values
    /// draw a warning that the person may dismiss (the tables also take the English values).
    public var choices: [String]?
    /// The input message on the header cell: what goes in the column.
    public var prompt: ValidationMessage?
    /// In characters of the default font; nil fits the header and the cells (East Asian wide
    /// characters count as 2).
    public var width: Double?

    public init(
        header: String, format: ColumnFormat = .general, choices: [String]? = nil, prompt: ValidationMessage? = nil,
        width: Double? = nil
    ) {
        self.header = header
        self.format = format
        self.choices = choices
        self.prompt = prompt
        self.width = width
    }
}

/// A data validation on a rectangle of cells (1-based, inclusive): a drop-down list, an input
/// message, or both. Rectangles of one sheet should not overlap (a cell keeps one validation).
public struct DataValidation: Sendable, Hashable {
    public var firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int
    /// Drop-down choices; nil for an input message only.
    public var choices: [String]?
    public var prompt: ValidationMessage?
    /// Shown when a typed value is not in `choices`.
    public var error: ValidationMessage?
    /// Refuse values not in `choices` (Excel's "stop") instead of warning.
    public var strict: Bool

    public init(
        rows: ClosedRange<Int>, columns: ClosedRange<Int>, choices: [String]? = nil, prompt: ValidationMessage? = nil,
        error: ValidationMessage? = nil, strict: Bool = false
    ) {
        firstRow = rows.lowerBound; lastRow = rows.upperBound
        firstColumn = columns.lowerBound; lastColumn = columns.upperBound
        self.choices = choices
        self.prompt = prompt
        self.error = error
        self.strict = strict
    }
}

/// A line of a guide sheet.
public struct GuideLine: Sendable, Hashable {
    public enum Style: Sendable, Hashable { case title, heading, text }
    public var text: String
    public var style: Style

    public init(_ text: String, _ style: Style = .text) {
        self.text = text
        self.style = style
    }
}

/// One sheet to write.
public struct SheetSpec: Sendable, Hashable {
    public enum Layout: Sendable, Hashable {
        /// A header row (styled, frozen, with input messages), then data rows.
        case table(columns: [ColumnSpec], rows: [[CellValue]])
        /// Lines of text in column A, wrapped: a title, headings and paragraphs.
        case guide([GuideLine])
    }

    /// 1–31 characters, none of `: \ / ? * [ ]`, not starting or ending with `'`.
    public var name: String
    public var layout: Layout
    /// More validations beyond the columns' drop-downs (the key/value facility sheet puts a
    /// different list on each row's value cell).
    public var validations: [DataValidation]
    public var hidden: Bool

    public init(name: String, layout: Layout, validations: [DataValidation] = [], hidden: Bool = false) {
        self.name = name
        self.layout = layout
        self.validations = validations
        self.hidden = hidden
    }

    public static func table(
        _ name: String, columns: [ColumnSpec], rows: [[CellValue]], validations: [DataValidation] = []
    ) -> SheetSpec {
        SheetSpec(name: name, layout: .table(columns: columns, rows: rows), validations: validations)
    }

    public static func guide(_ name: String, _ lines: [GuideLine]) -> SheetSpec {
        SheetSpec(name: name, layout: .guide(lines))
    }
}
