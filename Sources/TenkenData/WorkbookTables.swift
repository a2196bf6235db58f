import Foundation
import TenkenSyntax
import TenkenWorkbook

/// A facility kept as one Excel workbook (.xlsx): one sheet per table, named as the CSV
/// tables are (`職員` or `staff`), with the same headers, choice words and cell conventions
/// (docs/tables.md). The workbook only supplies rows of cells with their places; the table
/// loader types them exactly as it types a CSV file's, so a rule's verdict is the same in
/// both forms. Sheets are matched ignoring case, as Excel compares tab names.
public enum WorkbookTables {
    /// Sheets that are part of a workbook tenken writes but hold no table: the guide and the
    /// hidden sheet of long drop-down lists. A person's other sheets are warned about.
    public static let guideSheetNames: Set<String> = ["説明", "guide", "readme", WorkbookWriter.listSheetName]

    /// The table of `schema` a sheet name stands for, by its English or Japanese name; nil for
    /// any other. Names are folded as tab names compare.
    public static func table(forSheet name: String, schema: PackSchema) -> TableSpec? {
        let folded = foldedFileName(name.trimmingCharacters(in: .whitespaces))
        return schema.tables.first { foldedFileName($0.name) == folded || foldedFileName($0.nameJa) == folded }
    }

    /// The table sheets of a workbook, by table name, with what is wrong with the set: two
    /// sheets for one table (`data.duplicate-table`), visible sheets that are no table
    /// (`data.unknown-sheet`, a warning naming the closest table: a renamed tab).
    /// `japanese`: the tables are named in Japanese (so are the ones it lacks, in messages).
    public static func sheets(
        of book: Workbook, schema: PackSchema
    ) -> (sheets: [String: SheetInfo], japanese: Bool, diagnostics: [Diagnostic]) {
        var found: [String: SheetInfo] = [:]
        var diags: [Diagnostic] = []
        var japanese = false, english = false
        // Sheets named as a copy of a table's (Excel's `職員 (2)`, LibreOffice's `職員_2`), by table.
        var copies: [String: [SheetInfo]] = [:]
        for info in book.sheets where info.visibility == .visible && table(forSheet: info.name, schema: schema) == nil {
            if let t = copiedTable(info.name, schema: schema) { copies[t.name, default: []].append(info) }
        }
        for info in book.sheets {
            guard let t = table(forSheet: info.name, schema: schema) else {
                if let t = copiedTable(info.name, schema: schema), info.visibility == .visible {
                    // A copied tab the person edits while the old one stays (often hidden):
                    // reading either could pass on what the person no longer sees, so neither is
                    // chosen.
                    let original = book.sheets.first { table(forSheet: $0.name, schema: schema)?.name == t.name }
                    diags.append(
                        Diagnostic(
                            "data.copied-table", .error,
                            "the sheet \(info.name) is named as a copy of the table \(t.nameJa) (\(t.name))"
                                + (original.map {
                                    "; the sheet \($0.name)\($0.visibility == .visible ? "" : ", hidden,") holds "
                                        + "that table too, so it is not known which one is current"
                                } ?? ", so its rows would go unread"),
                            at: SourceLocation(file: book.file, sheet: info.name),
                            help:
                                "keep one: delete the old sheet and rename the current one to "
                                + "\(original?.name ?? t.nameJa)"
                        ))
                    continue
                }
                let folded = foldedFileName(info.name)
                if info.visibility == .visible, !guideSheetNames.contains(where: { foldedFileName($0) == folded }) {
                    // A person's own sheet is a note; one named nearly as a table (a renamed
                    // tab, `職員一覧`, `Staff list`) a warning, as its rows are not read.
                    let names = schema.tables.flatMap { [$0.name, $0.nameJa] }
                    let near =
                        closestMatch(to: info.name, in: names)
                        ?? names.first { info.name.lowercased().contains($0.lowercased()) && $0.count >= 2 }
                    diags.append(
                        Diagnostic(
                            "data.unknown-sheet", near == nil ? .note : .warning,
                            "the sheet is not one of the tables and is not read",
                            at: SourceLocation(file: book.file, sheet: info.name),
                            help: near.map { "if it holds the table `\($0)`, name the sheet `\($0)`" }
                                ?? "the tables' sheets are named "
                                + "\(schema.tables.map(\.nameJa).joined(separator: ", ")) (or in English: "
                                + "\(schema.tables.map(\.name).joined(separator: ", ")))"
                        ))
                }
                continue
            }
            if let first = found[t.name] {
                diags.append(
                    Diagnostic(
                        "data.duplicate-table", .error,
                        "both the sheets \(first.name) and \(info.name) hold the table \(t.name); keep one",
                        at: SourceLocation(file: book.file, sheet: info.name)))
                continue
            }
            found[t.name] = info
            if info.visibility != .visible, copies[t.name] == nil {
                // What a person cannot see is not what they would have checked: a hidden tab is
                // most often an old copy kept out of the way.
                diags.append(
                    Diagnostic(
                        "data.hidden-table", .error,
                        "the sheet \(info.name) holding the table \(t.nameJa) (\(t.name)) is " + "hidden"
                            + "\(info.visibility == .veryHidden ? " (very hidden: only a macro or the VBA editor shows it)" : "")"
                            + ", so it may not be what the person sees and keeps",
                        at: SourceLocation(file: book.file, sheet: info.name),
                        help: "unhide the sheet (right-click a tab → Unhide) if it is the table, or delete it"))
            }
            if foldedFileName(info.name) == foldedFileName(t.nameJa) { japanese = true } else { english = true }
        }
        return (found, japanese || !english, diags)
    }

    /// The table a sheet name stands for once a spreadsheet program's copy suffix is taken off:
    /// Excel names a copied tab `職員 (2)`, LibreOffice `職員_2`. Nil for any other name.
    static func copiedTable(_ name: String, schema: PackSchema) -> TableSpec? {
        var s = Substring(name.trimmingCharacters(in: .whitespaces))
        if s.hasSuffix(")") || s.hasSuffix("）") {
            s = s.dropLast()
            let digits = s.reversed().prefix { $0.isASCII && $0.isNumber }.count
            guard digits > 0 else { return nil }
            s = s.dropLast(digits)
            guard s.hasSuffix("(") || s.hasSuffix("（") else { return nil }
            s = s.dropLast()
        } else {
            let digits = s.reversed().prefix { $0.isASCII && $0.isNumber }.count
            guard digits > 0, s.dropLast(digits).hasSuffix("_") else { return nil }
            s = s.dropLast(digits + 1)
        }
        return table(forSheet: String(s), schema: schema)
    }

    /// How messages name each table of a workbook: its sheet, `[職員]`; a table the workbook
    /// lacks by the name it would have (in the language of the others).
    static func labels(_ sheets: [String: SheetInfo], japanese: Bool, schema: PackSchema) -> [String: String] {
        var out: [String: String] = [:]
        for t in schema.tables { out[t.name] = "[\(sheets[t.name]?.name ?? (japanese ? t.nameJa : t.name))]" }
        return out
    }

    /// A sheet as the rows of a CSV table: the first row that holds a value is the header
    /// (a blank sheet is no table: nil with a warning, `data.empty-sheet`); the table's
    /// columns are the header's non-blank cells, its width the last of them. A row costs what
    /// it holds: it gives the cells up to the last header that names a field of `schema` (every
    /// header when nil), and further ones only where it has a cell, so a stray value far right
    /// in the header (`XFD1`) does not make every row 16,384 cells wide.
    /// A merged range in one column gives its top-left value to every cell of it (what a person
    /// sees, `Worksheet.mergesApplied`); one spanning columns of the table, or reaching into
    /// the header, is an error at the range (`data.merged-cells`). Error cells and formulas
    /// saved without a result are errors at the cell (`Worksheet.cellDiagnostics`), never a
    /// blank; a value right of the header is not read and is warned about once. The offsets
    /// are cell numbers of the returned `SheetPlaces`.
    public static func table(
        _ sheet: Worksheet, maxRows: Int, schema: RecordSchema? = nil, maxCells: Int = 5_000_000
    )
        -> (table: CSVTable?, places: SheetPlaces?, diagnostics: [Diagnostic])
    {
        guard let head = sheet.rows.first else {
            // A blank tab (just added, or cleared) is a table the workbook does not have yet:
            // a rule that needs it says so, and `attest` writes the header with its first answer.
            return (
                nil, nil,
                [
                    Diagnostic(
                        "data.empty-sheet", .warning,
                        "the sheet is empty, so its table is missing; a table starts with a header row",
                        at: sheet.location(),
                        help: "type the headers into row 1 (`tenken init clinic.xlsx` writes a workbook with them)")
                ]
            )
        }
        var diags: [Diagnostic] = []
        // The table's columns, in order: the header's non-blank cells (sheet column numbers).
        let columns = head.cells.filter { !$0.text.isEmpty }.map(\.column)
        guard let width = columns.last else {
            return (
                nil, nil,
                [
                    Diagnostic(
                        "data.empty-file", .error, "the sheet has no header row", at: sheet.location(row: head.number))
                ]
            )
        }
        if sheet.rows.count - 1 > maxRows {
            return (
                nil, nil,
                [
                    Diagnostic(
                        "data.too-many-elements", .error, "\(sheet.rows.count - 1) rows, over the limit of \(maxRows)",
                        at: sheet.location())
                ]
            )
        }
        guard let (ws, spanning) = sheet.mergesApplied(below: head.number, columns: Set(columns), maxCells: maxCells)
        else {
            return (
                nil, nil,
                [
                    Diagnostic(
                        "data.too-many-elements", .error,
                        "the merged ranges cover more than \(maxCells) cells of the table", at: sheet.location())
                ]
            )
        }
        for m in spanning {
            diags.append(
                Diagnostic(
                    "data.merged-cells", .error,
                    "the cells \(m.reference) are merged "
                        + "\(m.firstRow <= head.number ? "with the header row" : "across columns of the table"), so it "
                        + "is not known which column's value the merged cell holds",
                    at: ws.location(row: m.firstRow, column: m.firstColumn),
                    help:
                        "unmerge the cells (Home → Merge & Center → Unmerge Cells) and type each cell's value in its "
                        + "own cell"
                ))
        }
        // Sheet column → table column (0-based; -1 under a blank header), for columns 1…width.
        var index = [Int](repeating: -1, count: width + 1)
        for (i, c) in columns.enumerated() { index[c] = i }
        // Rows reach the last column a field is read from; further only where a row has a cell.
        let known =
            schema.map { s in
                (head.cells.lastIndex {
                    !$0.text.isEmpty
                        && s.headerIndex[SnapshotSchema.keyForm(CellText.trimmed(Substring($0.text)))] != nil
                }
                .map { index[head.cells[$0].column] + 1 }) ?? 1
            } ?? columns.count
        let places = SheetPlaces(
            sheet: ws.name, rows: ws.rows.map { Int32(clamping: $0.number) }, columns: columns.map { Int32($0) })
        guard places.number(row: ws.rows.count - 1, column: columns.count) != nil else {
            return (
                nil, nil,
                [
                    Diagnostic(
                        "data.too-many-elements", .error,
                        "\(ws.rows.count) rows of \(columns.count) columns, over the limit of cells a table is read "
                            + "with",
                        at: ws.location())
                ]
            )
        }
        var headers: [Int: String] = [:]
        for c in head.cells where !c.text.isEmpty { headers[c.column] = CellText.trimmed(Substring(c.text)) }
        // A header whose value is not known (an error, a formula without its result) names no
        // column, and the column's cells would go unread: said at the header cell.
        diags += ws.cellDiagnostics(
            columns: Set(head.cells.filter { $0.text.isEmpty || $0.kind == .error }.map(\.column)),
            rows: head.number...head.number)
        diags += ws.cellDiagnostics(columns: Set(headers.keys), headers: headers, rows: (head.number + 1)...Int.max)
        var outside: (first: WorkbookCell, count: Int)?
        func record(_ r: WorksheetRow, _ i: Int, count: Int) -> CSVRow {
            var n = max(count, 1)
            for c in r.cells where c.column <= width { n = max(n, index[c.column] + 1) }
            var cells = [String](repeating: "", count: n)
            for c in r.cells {
                guard c.column <= width else {
                    if c.kind != .empty { outside = (outside?.first ?? c, (outside?.count ?? 0) + 1) }
                    continue
                }
                // A cell under a blank header is read by no column (as a CSV's unnamed column).
                let k = index[c.column]
                if k >= 0, c.kind != .error { cells[k] = c.text }
            }
            // The cell numbers `places.number(row: i, column:)` gives; the guard above showed the
            // last row's last one fits, so none of these overflows.
            let first = i * places.width
            return CSVRow(cells: cells, offsets: Array(first..<(first + n)), line: r.number)
        }
        let header = record(head, 0, count: columns.count)
        let rows = ws.rows.dropFirst().enumerated().map { record($1, $0 + 1, count: known) }
        if let outside {
            diags.append(
                Diagnostic(
                    "data.cell-outside-table", .warning,
                    "\(outside.count == 1 ? "a cell holds" : "\(outside.count) cells hold") a value right of the "
                        + "last header (\(SourceLocation.columnLetters(width))1); "
                        + "\(outside.count == 1 ? "it is" : "they are") not read",
                    at: ws.location(row: outside.first.row, column: outside.first.column),
                    help: "give the column a header of the table, or move the note to a sheet of its own"))
        }
        return (CSVTable(header: header, rows: rows, utf8: []), places, diags)
    }
}

extension SnapshotLoader {
    /// Reads the table sheets of the workbook at `path` into rows of their tables' schemas.
    /// Nil when the workbook cannot be opened or has no facility sheet.
    mutating func readWorkbookTables(_ path: String) -> (rows: [String: [Record]], places: [String: SourceFile])? {
        switch readInput(path, maxBytes: options.limits.maxBytes, binary: true) {
        case .success(let bytes): return readWorkbookTables(bytes: bytes, path: path)
        case .failure(let d): diagnostics.append(d); return nil
        }
    }

    /// A facility kept as a workbook, from its bytes (`path` names it in places): what
    /// `loadTables(.workbook(path))` gives for the file.
    public mutating func loadWorkbook(bytes: [UInt8], path: String) -> Facility? {
        guard let read = readWorkbookTables(bytes: bytes, path: path) else { return nil }
        return assembleTables(.workbook(path), rows: read.rows, places: read.places, sources: [path])
    }

    /// The rows of one table of a workbook given as bytes (`attest` reads its attestations
    /// sheet this way, as it is now); nil when the workbook or the sheet cannot be read, or
    /// the workbook has no such sheet.
    public mutating func loadWorkbookTable(bytes: [UInt8], path: String, table name: String) -> Value? {
        guard let read = readWorkbookTables(bytes: bytes, path: path, only: name), let rows = read.rows[name] else {
            return nil
        }
        return .list(rows.map { .record($0) })
    }

    mutating func readWorkbookTables(
        bytes: [UInt8], path: String, only: String? = nil
    ) -> (rows: [String: [Record]], places: [String: SourceFile])? {
        let (opened, openDiags) = Workbook.open(bytes: bytes, file: path)
        diagnostics += openDiags
        guard let book = opened else { return nil }
        let (sheets, japanese, sheetDiags) = WorkbookTables.sheets(of: book, schema: schema)
        diagnostics += sheetDiags
        tableLabels = WorkbookTables.labels(sheets, japanese: japanese, schema: schema)
        let profile = schema.profileTable
        guard profile.map({ sheets[$0.name] != nil }) ?? true || only != nil else {
            let examples = schema.exampleTables
            diagnostics.append(
                Diagnostic(
                    sheets.isEmpty ? "data.no-tables" : "data.missing-table", .error,
                    sheets.isEmpty
                        ? "the workbook has no sheet named as a table ("
                            + (examples.map(\.nameJa) + ["…"]).joined(separator: ", ") + " or "
                            + (examples.map(\.name) + ["…"]).joined(separator: ", ") + ")"
                        : "the workbook has no sheet \(profile?.nameJa ?? "") (\(profile?.name ?? "")), the "
                            + "\(profile?.name ?? "") profile",
                    at: SourceLocation(file: path),
                    help:
                        "name the sheets as the tables are (docs/tables.md); `tenken init clinic.xlsx` writes a "
                        + "workbook to fill in"
                ))
            return nil
        }
        var rows: [String: [Record]] = [:]
        var places: [String: SourceFile] = [:]
        var blankProfile = false
        for t in schema.tables where only == nil || only == t.name {
            guard let info = sheets[t.name] else { continue }
            let (ws, readDiags) = book.read(info)
            diagnostics += readDiags
            guard let ws else { continue }
            let (table, where_, tableDiags) = WorkbookTables.table(
                ws, maxRows: options.maxCollection, schema: t.rowSchema)
            if t.name == profile?.name, ws.rows.isEmpty {
                // The profile is what makes the workbook a facility: a blank 施設 sheet is
                // refused as a missing one is, not evaluated under the file's name.
                diagnostics.append(
                    Diagnostic(
                        "data.missing-table", .error,
                        "the sheet \(info.name) is empty: the workbook has no \(t.name) profile",
                        at: ws.location(),
                        help:
                            "type the profile's rows, a key and its value each (docs/tables.md), or run `tenken init "
                            + "clinic.xlsx` for a workbook to fill in"
                    ))
                blankProfile = true
                continue
            }
            diagnostics += tableDiags
            guard let table, let where_ else { continue }
            let src = SourceFile(workbook: path, places: where_)
            let notes: Set<String> = if case .profile = t.shape { ["description"] } else { [] }
            guard case .list(let xs)? = loadTable(table, src: src, schema: t.rowSchema, notes: notes, unescape: false)
            else { continue }
            rows[t.name] = xs.compactMap { if case .record(let r) = $0 { r } else { nil } }
            places[t.name] = src
        }
        return blankProfile ? nil : (rows, places)
    }
}

// MARK: writing

extension WorkbookTables {
    /// The facility as a workbook a person can fill in: a guide sheet first (`guide`), then one
    /// sheet per table named in Japanese (`japanese`) or English, each with the header row
    /// frozen and styled, an input message on each header saying what goes there and what a
    /// blank means, a drop-down list on every choice and yes/no column (the facility sheet:
    /// on each value cell whose key takes choices), dates as dates, ids and other text as
    /// text (so `001` stays `001`), whole numbers as numbers. The cells are those of
    /// `SnapshotWriter.tables`, so the workbook reads back to the same facility.
    /// `refusals` as for the tables: write nothing when there are any.
    public static func workbook(
        _ facility: Facility, japanese: Bool, file: String, guide: [GuideLine]? = nil
    )
        -> (
            bytes: Result<[UInt8], Diagnostic>, tables: [SnapshotWriter.TableFile], notes: [String],
            refusals: [Diagnostic]
        )
    {
        let (files, notes, refusals) = SnapshotWriter.tables(facility, japanese: japanese)
        var sheets: [SheetSpec] = []
        if let guide { sheets.append(.guide(japanese ? "説明" : "guide", guide)) }
        for f in files { sheets.append(sheet(f, japanese: japanese, schema: facility.schema)) }
        return (WorkbookWriter.write(sheets, file: file), files, notes, refusals)
    }

    /// The words a choice or yes/no field takes in a sheet: Japanese words or English values.
    static func choices(_ field: FieldSchema, japanese: Bool) -> [String]? {
        var type = field.type
        if case .list(let inner) = type { type = inner }
        switch type {
        case .bool: return japanese ? ["はい", "いいえ"] : ["true", "false"]
        case .enumeration(let vs):
            // A list column takes several words separated by `;`: no drop-down (it would warn).
            if case .list = field.type { return nil }
            return japanese ? vs.map(field.label) : vs
        default: return nil
        }
    }

    static func prompt(_ field: FieldSchema, header: String, japanese: Bool) -> ValidationMessage {
        let what = japanese && !field.docJa.isEmpty ? field.docJa : field.doc
        var text = what
        switch field.type {
        case .date: text += japanese ? "。日付（2025-04-01）" : ". A date (2025-04-01)"
        case .list: text += japanese ? "。複数は ; で区切る。ひとつもないときは「なし」" : ". Several separated by ;, none: none"
        case .duration(let unit):
            text += japanese ? "。数字は\(unit.rawValue)単位、または「30 days」" : ". A number of \(unit.rawValue), or \"30 days\""
        default: break
        }
        if let meaning = field.absent.meaning {
            text += japanese ? "。空欄: \(meaning.ja)" : ". Blank: \(meaning.en)"
        } else {
            text += japanese ? "。空欄: 不明" : ". Blank: not known"
        }
        return ValidationMessage(title: header, text: text)
    }

    static func format(_ type: FieldType) -> ColumnFormat {
        switch type {
        case .date: .date
        case .int: .number
        default: .text
        }
    }

    /// A cell's text as the cell a spreadsheet should hold: a date as a date, a whole number
    /// in a number column as a number (one a double holds exactly), anything else as text.
    static func value(_ text: String, _ format: ColumnFormat) -> CellValue {
        if text.isEmpty { return .empty }
        switch format {
        case .date: return CellValue.date(iso: text) ?? .text(text)
        case .number:
            if let n = Int(text), n.magnitude < (1 << 53), String(n) == text { return .number(Double(n)) }
            return .text(text)
        default: return .text(text)
        }
    }

    static func sheet(_ f: SnapshotWriter.TableFile, japanese: Bool, schema: PackSchema) -> SheetSpec {
        let name = japanese ? f.spec.nameJa : f.spec.name
        if case .profile = f.spec.shape {
            // Key, value, description; each value cell gets its key's list and format.
            let keys = Dictionary(
                schema.profileKeys.map { ($0.key, $0.field) }, uniquingKeysWith: { a, _ in a })
            var validations: [DataValidation] = []
            var rows: [[CellValue]] = []
            for (i, r) in f.cells.enumerated() {
                let field = keys[r[0]]
                let fmt: ColumnFormat = field.map { if case .date = $0.type { .date } else { .text } } ?? .text
                rows.append([.text(r[0]), value(r[1], fmt), r.count > 2 ? value(r[2], .text) : .empty])
                if let field, let list = choices(field, japanese: japanese) {
                    validations.append(
                        DataValidation(
                            rows: (i + 2)...(i + 2), columns: 2...2, choices: list,
                            prompt: prompt(field, header: r[0], japanese: japanese)))
                } else if let field {
                    validations.append(
                        DataValidation(
                            rows: (i + 2)...(i + 2), columns: 2...2,
                            prompt: prompt(field, header: r[0], japanese: japanese)))
                }
            }
            let cols = zip(f.header, f.spec.columns).map { h, c in
                ColumnSpec(
                    header: h, format: .text,
                    prompt: ValidationMessage(title: h, text: japanese && !c.docJa.isEmpty ? c.docJa : c.doc))
            }
            return .table(name, columns: cols, rows: rows, validations: validations)
        }
        let formats = f.spec.columns.map { format($0.type) }
        let cols = zip(f.header, f.spec.columns).enumerated().map { i, hc in
            ColumnSpec(
                header: hc.0, format: formats[i], choices: choices(hc.1, japanese: japanese),
                prompt: prompt(hc.1, header: hc.0, japanese: japanese))
        }
        let rows = f.cells.map { r in r.enumerated().map { value($1, formats[$0]) } }
        return .table(name, columns: cols, rows: rows)
    }

    // MARK: appending (attest)

    /// The workbook with `rows` (field name → value) appended to its attestations sheet
    /// (`確認` or `attestations`), in that sheet's header order and words, through
    /// `Workbook.appendingRows`: only that sheet's part is rewritten, every other part is
    /// copied byte for byte. Fails naming the sheet when the workbook has none, and, as
    /// `TableAppender` does, when the sheet lacks a column for a value (`data.missing-column`).
    public static func appendingRows(
        to bytes: [UInt8], file: String, tables: PackSchema, table: TableSpec, schema: RecordSchema,
        rows: [[String: Value]], japanese: Bool
    ) -> Result<[UInt8], Diagnostic> {
        let (opened, diags) = Workbook.open(bytes: bytes, file: file)
        guard let book = opened else {
            return .failure(
                diags.first { $0.severity == .error }
                    ?? Diagnostic(
                        "workbook.not-xlsx", .error, "cannot open the workbook", at: SourceLocation(file: file)))
        }
        let (sheets, bookJapanese, _) = WorkbookTables.sheets(of: book, schema: tables)
        guard let info = sheets[table.name] else {
            let (nameJa, name) = (table.nameJa, table.name)
            let headers = schema.fields.map { bookJapanese ? ($0.aliases.first ?? $0.name) : $0.name }
            return .failure(
                Diagnostic(
                    "data.missing-table", .error,
                    "the workbook has no sheet \(nameJa) (\(name)) to record answers in",
                    at: SourceLocation(file: file),
                    help:
                        "add a sheet named \(bookJapanese ? nameJa : name) with the headers "
                        + "\(headers.joined(separator: ", ")) in row 1, then run again"
                ))
        }
        let (ws, readDiags) = book.read(info)
        guard let ws else {
            return .failure(
                readDiags.first { $0.severity == .error }
                    ?? Diagnostic(
                        "workbook.xml-syntax", .error, "cannot read the sheet",
                        at: SourceLocation(file: file, sheet: info.name)))
        }
        var newRows: [[CellValue]] = []
        let columns: [Int?]
        let wordsJapanese: Bool
        if let head = ws.rows.first {
            let headers = head.texts(width: head.cells.last?.column ?? 0).map { CellText.trimmed(Substring($0)) }
            switch TableAppender.columns(
                headers: headers, schema: schema, rows: rows, at: ws.location(row: head.number))
            {
            case .failure(let d): return .failure(d)
            case .success(let c): (columns, wordsJapanese) = (c.columns, c.japanese)
            }
        } else {
            // An empty sheet gets the header row first.
            wordsJapanese = japanese
            columns = schema.fields.indices.map { $0 }
            newRows.append(schema.fields.map { .text(japanese ? ($0.aliases.first ?? $0.name) : $0.name) })
        }
        for r in rows {
            newRows.append(
                columns.map { fi in
                    guard let fi, let v = r[schema.fields[fi].name], !v.isNull else { return .empty }
                    if case .date(let d) = v { return CellValue.date(iso: d.description) ?? .text(d.description) }
                    return .text(SnapshotWriter.cell(v, of: schema.fields[fi], japanese: wordsJapanese))
                })
        }
        return book.appendingRows(newRows, to: info)
    }
}

// MARK: the guide sheet

extension WorkbookTables {
    /// The 説明 (guide) sheet: what to do, the cell conventions, the sheets, and the words of
    /// every choice column (from the schema, so it never drifts). Japanese first, then English.
    public static func guide(japanese: Bool, schema: PackSchema) -> [GuideLine] {
        var g: [GuideLine] = [GuideLine("tenken 点検ブック — 記入のしかた / how to fill in this workbook", .title)]
        g += [
            GuideLine("手順", .heading),
            GuideLine("1. 各シートの例の行（2行目）を実際の内容に書き換え、行を追加します。当てはまるものがないシートは見出しの行だけを残します。"),
            GuideLine("2. 氏名・住所・電話番号・パスワードは書きません。職員ID・患者IDなどの仮名IDを使います。"),
            GuideLine("3. 見出しのセルを選ぶと、その列に書く内容が表示されます。選択肢のある列はセルの ▼ から選べます。"),
            GuideLine(
                "4. .xlsx のまま保存し、tenken check このファイル.xlsx で点検します。指摘は「ファイル [シート] セル」で示されます（例: clinic.xlsx [職員] F5）。"),
            GuideLine(
                "5. 人が確認するしかない項目は tenken attest このファイル.xlsx で答えます。回答は「確認」シートに追記され、ほかのシートや書式はそのまま残ります（ブックを Excel "
                    + "で閉じてから実行します）。"
            ),
            GuideLine("セルの書き方", .heading),
            GuideLine("日付: 2025-04-01 または 2025/4/1（日付として入力）。はい/いいえ: はい・いいえ。複数の値: セミコロンで区切る（2025-04-01; 2025-10-01）。"),
            GuideLine("空欄は「分からない・記録がない」。「なし」は「ひとつもない」という意味です。期間: 数字だけなら見出しの単位、または「30 days」。"),
            GuideLine("シート名は変えないでください（日本語名か英語名: 職員 または staff）。自分用のシートや列、色や書式は自由に追加できます（読まれません）。"),
            GuideLine("シートの一覧", .heading),
        ]
        for t in schema.tables {
            g.append(
                GuideLine("\(japanese ? t.nameJa : t.name)（\(japanese ? t.name : t.nameJa)）: \(t.docJa) / \(t.doc)"))
        }
        g.append(GuideLine("選択肢のある列", .heading))
        for t in schema.tables {
            for c in t.columns {
                guard case .enumeration(let vs) = c.type else { continue }
                g.append(
                    GuideLine(
                        "\(japanese ? t.nameJa : t.name) \(japanese ? (c.aliases.first ?? c.name) : c.name): "
                            + "\(vs.map { japanese ? c.label($0) : $0 }.joined(separator: japanese ? "、" : ", "))"
                    ))
            }
            if case .profile = t.shape {
                for pk in schema.profileKeys {
                    guard case .enumeration(let vs) = pk.field.type else { continue }
                    g.append(
                        GuideLine(
                            "\(japanese ? t.nameJa : t.name) \(pk.key): "
                                + "\(vs.map { japanese ? pk.field.label($0) : $0 }.joined(separator: japanese ? "、" : ", "))"
                        ))
                }
            }
        }
        g += [
            GuideLine("In English", .heading),
            GuideLine(
                "Each sheet is one table of the facility (docs/tables.md). Replace the example row, add rows, keep "
                    + "only the header row where nothing applies. Use pseudonymous ids, never names or passwords. "
                    + "Select a header cell to see what goes in the column; choice columns have a drop-down."
            ),
            GuideLine(
                "Dates as dates (2025-04-01), yes/no as はい/いいえ or true/false, several values separated by ;, a blank "
                    + "cell means \"not known\" and なし (none) means \"there are none\". Keep the sheet names; your own "
                    + "sheets, columns and colours are kept and not read."
            ),
            GuideLine(
                "Then run `tenken check this.xlsx`; findings name the sheet and cell (clinic.xlsx [職員] F5). `tenken "
                    + "attest this.xlsx` asks what only a person can answer and appends the answers to the 確認 "
                    + "(attestations) sheet; close the workbook in Excel first."
            ),
        ]
        return g
    }
}
