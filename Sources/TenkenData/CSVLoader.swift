import Foundation
import TenkenSyntax

/// CSV tables: device inventories, and every table of a facility kept as a folder of tables.
extension SnapshotLoader {
    // MARK: device inventory

    /// Loads a companion file (CSV or JSON, by extension) of collection `section`: a device
    /// inventory, or statements kept beside a snapshot. `optional` are columns the table may
    /// leave out without a warning (for `attest --answers`: the signing date, which then is the
    /// as-of date, and the reason). `schema`: the record of the rows, by default the section's.
    public mutating func loadInventory(
        path: String, section: Int, schema: RecordSchema? = nil, optional: Set<String> = []
    ) -> Value? {
        let bytes: [UInt8]
        do { bytes = try readInput(path, maxBytes: options.limits.maxBytes).get() } catch {
            diagnostics.append(error); return nil
        }
        if path.lowercased().hasSuffix(".json") { return loadInventoryJSON(bytes: bytes, path: path, section: section) }
        return loadTable(
            bytes: bytes, path: path, schema: schema ?? self.schema.sections[section].record, notes: optional)
    }

    /// A JSON companion: a list of elements, or an object holding the list under the section's
    /// name (`{"devices": [...]}`).
    mutating func loadInventoryJSON(bytes: [UInt8], path: String, section: Int) -> Value? {
        let (node, diags, lines) = JSONReader.parse(
            bytes, file: path, limits: options.limits, shownKeys: .only(schema.names))
        diagnostics += diags
        guard let node else { return nil }
        let src = SourceFile(path: path, kind: .json, lines: lines)
        let s = schema.sections[section]
        if case .object(let members) = node.value, let m = members.first(where: { $0.key == s.name }) {
            return collection(m.node, s.record, src: src, pointer: "/" + escapePointerToken(s.name))
        }
        return collection(node, s.record, src: src, pointer: "")
    }

    /// A CSV table whose header names schema fields (English or Japanese aliases).
    /// `notes` are columns a person may leave out without a warning (the profile's 説明).
    public mutating func loadTable(
        bytes: [UInt8], path: String, schema: RecordSchema, notes: Set<String> = []
    ) -> Value? {
        let (decoded, encDiags) = CSVReader.decode(bytes, encoding: options.encoding, file: path)
        diagnostics += encDiags
        guard let decoded else { return nil }
        let (table, csvDiags) = CSVReader.parse(utf8: decoded, file: path)
        diagnostics += csvDiags
        guard let table else { return nil }
        // The collection limit holds on every route: an inventory given with --devices or kept
        // beside snapshot.json, an attestations table, answers, as for a folder's tables.
        if table.rows.count > options.maxCollection {
            diagnostics.append(
                Diagnostic(
                    "data.too-many-elements", .error,
                    "\(table.rows.count) rows, over the limit of \(options.maxCollection)",
                    at: SourceLocation(file: path)))
            return nil
        }
        let src = SourceFile(path: path, kind: .csv, lines: LineIndex(table.utf8))
        // A table saved with another separator (a European-locale Excel uses `;`) reads as one
        // column: say so, instead of loading every row as an empty record.
        let separators: [(Character, String)] = [
            (";", "semicolons"), ("\t", "tabs"), ("，", "full-width commas"), ("、", "ideographic commas"),
            ("|", "vertical bars"), ("｜", "full-width vertical bars"), ("；", "full-width semicolons"), (":", "colons"),
        ]
        if table.header.cells.count == 1,
            let (sep, name) = separators.first(where: { table.header.cells[0].contains($0.0) })
        {
            diagnostics.append(
                Diagnostic(
                    "data.wrong-separator", .error,
                    "the header is one cell holding `\(sep == "\t" ? "\\t" : String(sep))`: the table was saved with "
                        + "\(name) between columns, not commas",
                    at: SourceLocation(file: path, line: 1, column: 1),
                    help:
                        "save it again as CSV with commas (Excel: 名前を付けて保存 → CSV UTF-8 (コンマ区切り)), or change the list "
                        + "separator to a comma"
                ))
            return nil
        }
        return loadTable(table, src: src, schema: schema, notes: notes, unescape: true)
    }

    /// Types the cells of a table already split into rows (a CSV file's, or a workbook sheet's
    /// read by `WorkbookTables`): the header names schema fields (English or Japanese aliases),
    /// and each cell becomes a value located in `src`. `unescape` removes the apostrophe the
    /// CSV writer puts before a formula character; a workbook cell holds its text as typed.
    mutating func loadTable(
        _ table: CSVTable, src: SourceFile, schema: RecordSchema, notes: Set<String>, unescape: Bool
    ) -> Value? {
        // Map header cells to fields.
        let byHeader = schema.headerIndex
        var columnField = [Int?](repeating: nil, count: table.header.cells.count)
        var headers = schema.fields.map(\.name)
        var seen: [Int: String] = [:]
        var unknownHeaders: [(Int, String)] = []
        // A column by its number in the file: a sheet's table reads only the columns its
        // header names, so its index is not the sheet's column.
        func columnName(_ c: Int) -> String {
            if let p = src.places?.cell(table.header.offsets[c]) { return ValueShape.column(p.column - 1) }
            return ValueShape.column(c)
        }
        for (c, raw) in table.header.cells.enumerated() {
            let (h, refused) = CellText.clean(Substring(raw))
            if let refused {
                diagnostics.append(
                    Diagnostic(
                        "data.control-character", .error,
                        "the header holds the control character \(CellText.describe(refused)); the column is not read",
                        at: src.location(offset: table.header.offsets[c], path: "column \(c + 1)"),
                        help: "retype the header"))
                continue
            }
            let hloc = src.location(offset: table.header.offsets[c], path: h)
            guard let fi = byHeader[SnapshotSchema.keyForm(h)] else {
                if h.isEmpty { continue }
                // A header that is no column of the table is never shown: it may be a value (a
                // table saved without its header row starts with a row of data). It is named by
                // its column number.
                let place = src.location(offset: table.header.offsets[c], path: columnName(c))
                if let why = RefusedNames.described(h)
                    ?? (["name", "氏名"].contains(h.lowercased())
                        ? "looks like personal information (`\(h.lowercased())`)" : nil)
                {
                    diagnostics.append(
                        Diagnostic(
                            "data.forbidden-field", .error, "the column's header \(why); its values are not read",
                            at: place,
                            help: "remove the column; use pseudonymous ids only"))
                } else {
                    unknownHeaders.append((c, h))
                }
                continue
            }
            if let prev = seen[fi] {
                diagnostics.append(
                    Diagnostic(
                        "data.duplicate-column", .error,
                        "column `\(h)` repeats `\(prev)` (both mean `\(schema.fields[fi].name)`)", at: hloc))
                continue
            }
            seen[fi] = h
            columnField[c] = fi
            headers[fi] = h
        }
        if seen.isEmpty, !unknownHeaders.isEmpty {
            // Not one header cell names a column: the first line is most likely a row of data
            // (a table saved without its header row). Said once, without quoting the line.
            diagnostics.append(
                Diagnostic(
                    "data.no-header", .error,
                    "the first \(src.kind == .sheet ? "row" : "line") is not a header row: none of its "
                        + "\(table.header.cells.count) cells "
                        + "names a column of this table, so no value of it can be read",
                    at: src.place(line: 1),
                    help:
                        "put the header row back as the first line (`tenken init` writes one; docs/tables.md lists "
                        + "the columns)"
                ))
            return nil
        }
        for (c, h) in unknownHeaders {
            // A misspelt column is not read: its field is unknown in every row (see below).
            diagnostics.append(
                Diagnostic(
                    "data.unknown-column", .warning,
                    "\(columnName(c)) is not a column of this table and is ignored (its header is not shown)",
                    at: src.location(offset: table.header.offsets[c], path: columnName(c)),
                    help: closestMatch(to: h, in: schema.fields.map(\.name) + schema.fields.flatMap(\.aliases)).map {
                        "did you mean `\($0)`?"
                    }))
        }
        // A field with no column is unknown in every row: what a blank cell means (say, "still
        // employed" for 退職日) is about a blank in a column the table has.
        var template = [Value](filling: .null, count: schema.fields.count)
        var missing: [String] = []
        for (fi, f) in schema.fields.enumerated() where seen[fi] == nil {
            template[fi] = .unknown
            if !notes.contains(f.name) { missing.append(f.aliases.first.map { "\($0) (\(f.name))" } ?? f.name) }
        }
        if !missing.isEmpty, !table.rows.isEmpty {
            diagnostics.append(
                Diagnostic(
                    "data.missing-column", .warning,
                    "the table has no column for \(missing.joined(separator: ", ")); "
                        + "\(missing.count == 1 ? "its values are" : "their values are") unknown",
                    at: src.place(line: 1), help: "add the column (blank cells where there is nothing to say)"))
        }
        var out: [Value] = []
        out.reserveCapacity(table.rows.count)
        for row in table.rows {
            var values = [Value](copying: template)
            var offsets = [Int32](filling: -1, count: schema.fields.count)
            for (c, cell) in row.cells.enumerated() {
                guard let fi = columnField[c] else { continue }
                offsets[fi] = Int32(clamping: row.offsets[c])
                values[fi] = readCell(
                    cell, of: schema.fields[fi], unescape: unescape,
                    at: src.location(offset: row.offsets[c], path: headers[fi]))
            }
            // Named by its line, which is the spreadsheet's row number unless a cell holds a line break.
            let origin = LazyLocation(source: src, offset: row.offsets.first ?? 0, path: "row \(row.line)")
            out.append(
                .record(Record.make(schema: schema, values: values, origin: origin, offsets: offsets, headers: headers))
            )
        }
        return .list(out)
    }

    /// One cell's text as the field's value, with the cell rules every table applies: the text
    /// is read as a person reads it (`CellText.clean`; a control character is refused), a
    /// formula guard's apostrophe is removed (`unescape`, for CSV), a blank is null, and the
    /// rest is converted to the field's type (`convertCell`). Errors go to `diagnostics`.
    mutating func readCell(
        _ cell: String, of field: FieldSchema, unescape: Bool, at place: @autoclosure () -> SourceLocation
    ) -> Value {
        let (cleaned, refused) = CellText.clean(cell)
        if let refused {
            diagnostics.append(
                Diagnostic(
                    "data.control-character", .error,
                    "the cell holds the control character \(CellText.describe(refused)); a cell is one line "
                        + "of visible text",
                    at: place(), help: "retype the cell without line breaks or special characters"))
            return .null
        }
        let text = unescape ? CSVCell.unescape(cleaned) : cleaned
        if text.isEmpty { return .null }
        return convertCell(text, of: field, at: place())
    }

    /// What a table's reader makes of a cell written as `text` in `field`'s column: the value
    /// and the errors it would report there (a control character, an invisible character in an
    /// id, a word that is no choice of the field…), located at `place`. A writer asks before it
    /// writes, so tenken never writes a cell it would itself refuse. `unescape`: the cell is
    /// read as a CSV table's (`CSVCell.unescape`), not as a workbook's.
    public static func readBack(
        _ text: String, of field: FieldSchema, unescape: Bool, at place: SourceLocation
    ) -> (value: Value, errors: [Diagnostic]) {
        // A cell's reading needs no section of a schema.
        var loader = SnapshotLoader(schema: .empty)
        let value = loader.readCell(text, of: field, unescape: unescape, at: place)
        return (value, loader.diagnostics.filter { $0.severity == .error })
    }

    static let trueWords: Set<String> = ["true", "yes", "y", "1", "はい", "有", "あり", "○", "〇", "済"]
    static let falseWords: Set<String> = ["false", "no", "n", "0", "いいえ", "無", "なし", "×", "未"]

    /// A cell's text as a value of the field's type; choice fields also take their Japanese words.
    mutating func convertCell(_ s: String, of field: FieldSchema, at place: @autoclosure () -> SourceLocation) -> Value
    {
        let v = convertCell(s, field.type, field: field, at: place())
        if let zero = field.zeroProblem(v, at: place()) {
            diagnostics.append(zero)
            return .null
        }
        return v
    }

    /// `type` is the field's, or its element type inside a list.
    mutating func convertCell(
        _ s: String, _ type: FieldType, field: FieldSchema, at place: @autoclosure () -> SourceLocation
    ) -> Value {
        switch type {
        case .int:
            if let n = Int(s) { return .int(n) }
            diagnostics.append(
                Diagnostic(
                    "data.type-mismatch", .error, "expected a whole number, found \(ValueShape.of(s))", at: place()))
        case .bool:
            // The words tables mostly hold, before hashing for the sets.
            if s == "yes" || s == "true" { return .bool(true) }
            if s == "no" || s == "false" { return .bool(false) }
            if SnapshotLoader.trueWords.contains(s) { return .bool(true) }
            if SnapshotLoader.falseWords.contains(s) { return .bool(false) }
            let k = s.lowercased()
            if SnapshotLoader.trueWords.contains(k) { return .bool(true) }
            if SnapshotLoader.falseWords.contains(k) { return .bool(false) }
            diagnostics.append(
                Diagnostic(
                    "data.type-mismatch", .error, "expected yes/no (true/false, はい/いいえ), found \(ValueShape.of(s))",
                    at: place()))
        case .string:
            guard field.identifier else { return .string(s) }
            return identifierText(s, at: place()).map(Value.string) ?? .null
        case .date:
            return parseDate(s, at: place(), lenient: true).map(Value.date) ?? .null
        case .duration(let unit):
            if let n = Int(s) {
                if n >= 0, let d = Duration(n, unit) { return .duration(d) }
                if n >= 0 {
                    diagnostics.append(
                        Diagnostic(
                            "data.number-out-of-range", .error, "the period is longer than 10,000 years", at: place()))
                    return .null
                }
                diagnostics.append(
                    Diagnostic(
                        "data.negative-duration", .error,
                        "expected a period of zero or more \(unit.rawValue), found a negative number", at: place()))
                return .null
            }
            if let d = Duration(text: s), !d.isNegative { return .duration(d) }
            let shape = ValueShape.of(s)
            diagnostics.append(
                Diagnostic(
                    "data.bad-duration", .error,
                    "expected a number of \(unit.rawValue) or a period like \"30 days\", found \(shape)", at: place(),
                    help: shape.hasPrefix("a time")
                        ? "type the period as a number of \(unit.rawValue) (30 for half an hour in a column of "
                            + "minutes), not as a time such as 0:30"
                        : nil))
        case .enumeration(let allowed):
            if allowed.contains(s) { return .string(s) }
            if let token = field.choiceByLabel[s] { return .string(token) }
            let lower = s.lowercased()
            if let v = allowed.first(where: { $0.lowercased() == lower }) { return .string(v) }
            let words = allowed.map { v in field.choicesJa[v].map { "\(v) (\($0))" } ?? v }
            diagnostics.append(
                Diagnostic(
                    "data.bad-value", .error,
                    "expected one of \(words.joined(separator: ", ")), found \(ValueShape.of(s))", at: place(),
                    help: closestMatch(to: s, in: allowed + Array(field.choiceByLabel.keys)).map {
                        "did you mean \"\($0)\"?"
                    }))
        case .list(let inner):
            // Several values in one cell are separated by `;`; `なし` is an empty list.
            if SnapshotTables.emptyListWords.contains(s.lowercased()) { return .list([]) }
            // Counted before splitting, so a hostile cell cannot make the list first.
            let values = s.utf8.reduce(1) { $1 == 0x3B ? $0 + 1 : $0 }
            if values > options.maxCollection {
                diagnostics.append(
                    Diagnostic(
                        "data.too-many-elements", .error,
                        "\(values) values in one cell, over the limit of \(options.maxCollection)", at: place()))
                return .null
            }
            let parts = s.split(separator: ";").map(CellText.trimmed).filter { !$0.isEmpty }
            // Only `なし` says "none"; a cell of separators says nothing (blank: unknown).
            if parts.isEmpty { return .null }
            return .list(parts.map { convertCell($0, inner, field: field, at: place()) }.filter { !$0.isNull })
        case .record:
            diagnostics.append(
                Diagnostic("data.type-mismatch", .error, "nested records cannot be given in a CSV cell", at: place()))
        }
        return .null
    }
}
