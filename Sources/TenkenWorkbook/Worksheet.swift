import TenkenSyntax

/// What a cell holds, after its type and number format are applied.
public enum CellKind: String, Sendable, Hashable {
    /// Shared, inline or formula string.
    case text
    /// A number not formatted as a date or time.
    case number
    /// TRUE or FALSE.
    case bool
    /// A number formatted as a date (or an ISO date in a strict-OOXML `t="d"` cell).
    case date
    /// A number formatted as a time of day or a duration, with no date part.
    case time
    /// A formula error such as `#N/A` or `#REF!`.
    case error
    /// No value known: a formula saved without its result (never read as blank; see
    /// `Worksheet.cellDiagnostics`).
    case empty
}

/// One cell, as the CSV tables would hold it.
public struct WorkbookCell: Sendable, Hashable {
    /// 1-based spreadsheet row.
    public let row: Int
    /// 1-based column (A = 1).
    public let column: Int
    public let kind: CellKind
    /// The cell's text as a CSV table would hold it:
    /// - text: the string as stored (rich-text runs joined, phonetic guides (ルビ) left out,
    ///   `_xHHHH_` escapes decoded);
    /// - number: whole numbers without `.0` (`42`), others in the shortest form that reads
    ///   back to the same double (`0.1`, `1e-05`); the number format is not applied;
    /// - bool: `true` or `false`, as the English tables write them;
    /// - date: `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM[:SS]` when the serial has a time of day;
    ///   the 1900 system's phantom day 60 is `1900-02-29` and day 0 is `1900-01-00`;
    /// - time: `HH:MM[:SS]` (hours past 23 for durations);
    /// - error: the error as Excel shows it (`#N/A`, `#REF!`, `#DIV/0!`; one of `errorCodes`),
    ///   `""` for any other text in an error cell;
    /// - empty: `""`.
    public let text: String
    /// The cell holds a formula; `text` is its cached result.
    public let hasFormula: Bool

    public init(row: Int, column: Int, kind: CellKind, text: String, hasFormula: Bool = false) {
        self.row = row
        self.column = column
        self.kind = kind
        self.text = text
        self.hasFormula = hasFormula
    }

    /// `F5`.
    public var reference: String { CellReference.name(row: row, column: column) }

    /// Excel's error codes: the only texts an error cell is shown with (an error cell holding
    /// anything else reads as an error with no text, so no value travels in a message).
    public static let errorCodes: Set<String> = [
        "#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA",
        "#SPILL!", "#CALC!", "#FIELD!", "#BLOCKED!", "#CONNECT!", "#BUSY!", "#UNKNOWN!", "#EXTERNAL!", "#PYTHON!",
    ]
}

/// One row that holds at least one cell with a value (or a formula without one).
public struct WorksheetRow: Sendable, Hashable {
    /// 1-based spreadsheet row.
    public let number: Int
    /// Ascending by column; absent columns hold nothing.
    public let cells: [WorkbookCell]

    /// The texts of columns 1…`width`, `""` where the row has no cell: the row as a CSV
    /// record. Cells beyond `width` are left out.
    public func texts(width: Int) -> [String] {
        var out = [String](repeating: "", count: max(width, 0))
        for c in cells where c.column <= width { out[c.column - 1] = c.text }
        return out
    }

    /// The cell in `column`, if the row has one.
    public func cell(column: Int) -> WorkbookCell? {
        var lo = 0, hi = cells.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if cells[mid].column < column { lo = mid + 1 } else { hi = mid }
        }
        return lo < cells.count && cells[lo].column == column ? cells[lo] : nil
    }
}

/// A sheet's cells, sparse: rows with nothing in them (blank, or only formatted) are left out,
/// so trailing blank rows and blank rows between records vanish as blank lines of a CSV do;
/// row numbers keep the gaps visible.
public struct Worksheet: Sendable {
    /// The workbook's file name as given to `Workbook.open`.
    public let file: String
    /// The sheet's name as on its tab.
    public let name: String
    /// Ascending by row number.
    public let rows: [WorksheetRow]
    /// The highest column that holds a cell (0 for an empty sheet).
    public let columnCount: Int
    /// The merged ranges (`<mergeCells>`), as in the file: a merged range shows its top-left
    /// cell's value over the whole range, and the file holds it in that cell only.
    public let merges: [CellRange]

    public init(file: String, name: String, rows: [WorksheetRow], merges: [CellRange] = []) {
        self.file = file
        self.name = name
        self.rows = rows
        self.merges = merges
        columnCount = rows.reduce(0) { max($0, $1.cells.last?.column ?? 0) }
    }

    /// The index in `rows` of the first row numbered `number` or more.
    func rowIndex(atLeast number: Int) -> Int {
        var lo = 0, hi = rows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if rows[mid].number < number { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The sheet as a person sees it in `columns` below the row `below`: every merged range
    /// there that lies in one column gives its top-left cell (its value, or its blank) to every
    /// cell of the range in the rows the sheet holds (a row with nothing of its own stays
    /// absent). Ranges there that span columns are returned, not applied: which column's field
    /// the value belongs to is not known. `maxCells` bounds the cells given (hostile files
    /// can overlap ranges); nil when it is passed.
    public func mergesApplied(
        below: Int, columns: Set<Int>, maxCells: Int
    ) -> (sheet: Worksheet, spanning: [CellRange])? {
        var spanning: [CellRange] = []
        var fills: [Int: [Int: WorkbookCell?]] = [:]  // row index → column → the cell it shows
        var given = 0
        for m in merges where m.lastRow > below {
            let inTable = (m.firstColumn...m.lastColumn).contains { columns.contains($0) }
            guard inTable else { continue }
            if m.firstColumn != m.lastColumn || m.firstRow <= below {
                spanning.append(m)
                continue
            }
            let top = cell(row: m.firstRow, column: m.firstColumn)
            var i = rowIndex(atLeast: m.firstRow + 1)
            while i < rows.count, rows[i].number <= m.lastRow {
                given += 1
                guard given <= maxCells else { return nil }
                fills[i, default: [:]][m.firstColumn] =
                    top.map {
                        WorkbookCell(
                            row: rows[i].number, column: $0.column, kind: $0.kind, text: $0.text,
                            hasFormula: $0.hasFormula)
                    } ?? .some(nil)
                i += 1
            }
        }
        guard !fills.isEmpty else { return (self, spanning) }
        var out = rows
        for (i, byColumn) in fills {
            var cells = out[i].cells.filter { byColumn[$0.column] == nil }
            for case let c?? in byColumn.values { cells.append(c) }
            cells.sort { $0.column < $1.column }
            out[i] = WorksheetRow(number: out[i].number, cells: cells)
        }
        return (Worksheet(file: file, name: name, rows: out.filter { !$0.cells.isEmpty }, merges: merges), spanning)
    }

    /// The cell at a place, if there is one.
    public func cell(row: Int, column: Int) -> WorkbookCell? {
        var lo = 0, hi = rows.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if rows[mid].number < row { lo = mid + 1 } else { hi = mid }
        }
        guard lo < rows.count, rows[lo].number == row else { return nil }
        return rows[lo].cell(column: column)
    }

    /// A place in this sheet, shown as `clinic.xlsx [職員] F5` (a cell), `clinic.xlsx [職員] row 5`
    /// (column 0) or `clinic.xlsx [職員]` (row 0); `header` is added as `[誓約書署名日]`.
    public func location(row: Int = 0, column: Int = 0, header: String? = nil) -> SourceLocation {
        SourceLocation(file: file, line: row, column: row > 0 ? column : 0, path: header, sheet: name)
    }

    /// Located diagnostics for cells that cannot stand for a value, both errors: an error cell
    /// (`workbook.error-cell`) and a formula saved without its result
    /// (`workbook.formula-without-value`: its value is not known, and reading it as blank
    /// could pass a rule, since a blank 退職日 means "still employed"). Only columns in
    /// `columns` are looked at when it is given (a table's known columns), so a user's own
    /// scratch columns do not stop a check.
    /// `rows`: the row numbers looked at.
    public func cellDiagnostics(
        columns: Set<Int>? = nil, headers: [Int: String] = [:], rows: ClosedRange<Int> = 1...Int.max
    ) -> [Diagnostic] {
        var out: [Diagnostic] = []
        for r in self.rows where rows.contains(r.number) {
            for c in r.cells where columns?.contains(c.column) ?? true {
                if c.kind == .error {
                    out.append(
                        Diagnostic(
                            "workbook.error-cell", .error,
                            "cell holds "
                                + "\(c.text.isEmpty ? "an error that is not one of Excel's codes" : "the error \(c.text)")\(c.hasFormula ? " from its formula" : "")"
                                + ", not a value",
                            at: location(row: c.row, column: c.column, header: headers[c.column]),
                            help: "correct the formula or type the value in the cell"))
                } else if c.kind == .empty && c.hasFormula {
                    // Never blank: a blank cell has a meaning in many columns (退職日: still
                    // employed), and the formula's value is simply not known.
                    out.append(
                        Diagnostic(
                            "workbook.formula-without-value", .error,
                            "cell holds a formula saved without its result, so its value is not known",
                            at: location(row: c.row, column: c.column, header: headers[c.column]),
                            help: "open the workbook in a spreadsheet program and save it, so the result is stored"))
                }
            }
        }
        return out
    }
}

/// A rectangle of cells, `D6:D7`.
public struct CellRange: Sendable, Hashable {
    public let firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int

    public init(firstRow: Int, firstColumn: Int, lastRow: Int, lastColumn: Int) {
        self.firstRow = firstRow; self.firstColumn = firstColumn; self.lastRow = lastRow; self.lastColumn = lastColumn
    }

    /// `D6:D7` (either corner first); nil for anything else.
    public init?(_ ref: String) {
        let parts = ref.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let a = CellReference.parse(parts[0]), let b = CellReference.parse(parts[1]) else {
            return nil
        }
        self.init(
            firstRow: min(a.row, b.row), firstColumn: min(a.column, b.column), lastRow: max(a.row, b.row),
            lastColumn: max(a.column, b.column))
    }

    /// `D6:D7`.
    public var reference: String {
        CellReference.name(row: firstRow, column: firstColumn) + ":"
            + CellReference.name(row: lastRow, column: lastColumn)
    }
}

/// A1 references: `F5` ↔ row 5, column 6.
public enum CellReference {
    /// `F5` for row 5, column 6.
    public static func name(row: Int, column: Int) -> String { SourceLocation.columnLetters(column) + String(row) }

    /// `XFD` → 16384. Letters only, 1–3 of them, A–Z (either case); nil otherwise.
    public static func column(letters: some StringProtocol) -> Int? {
        var n = 0, count = 0
        for u in letters.utf8 {
            let up = u & 0xDF
            guard up >= 65, up <= 90 else { return nil }
            n = n * 26 + Int(up - 64)
            count += 1
            if count > 3 { return nil }
        }
        return count == 0 ? nil : n
    }

    /// `F5` → (5, 6). Nil for anything else (`$F$5`, `F`, `5`, `F0`, four letters, eight digits).
    public static func parse(_ ref: some StringProtocol) -> (row: Int, column: Int)? { parse(bytes: ref.utf8) }

    /// The same, over UTF-8 bytes (the reader's hot path hands libxml2's bytes straight in).
    static func parse(bytes: some Sequence<UInt8>) -> (row: Int, column: Int)? {
        var col = 0, row = 0, letters = 0, digits = 0
        for u in bytes {
            let up = u & 0xDF
            if digits == 0, up >= 65, up <= 90 {
                letters += 1
                guard letters <= 3 else { return nil }
                col = col * 26 + Int(up - 64)
            } else if u >= 48, u <= 57, letters > 0 {
                digits += 1
                guard digits <= 7 else { return nil }
                row = row * 10 + Int(u - 48)
            } else {
                return nil
            }
        }
        guard letters > 0, digits > 0, row > 0 else { return nil }
        return (row, col)
    }
}
