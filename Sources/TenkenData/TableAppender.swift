import Foundation
import TenkenSyntax

/// Adds rows to the end of a CSV table without touching what is there: the bytes already in
/// the file stay as they are, new rows follow its header's column order, encoding (UTF-8 or
/// Shift_JIS) and line ends. Columns it does not know are left blank in the new rows; a value
/// for which the table has no column is never dropped: the append fails and names the columns
/// to add (`data.missing-column`).
public enum TableAppender {
    /// The new file content. `rows` map field names to values; `japanese` picks the headers
    /// and words of a new file; an existing one keeps its own (Japanese headers, Japanese words).
    public static func append(
        to existing: [UInt8]?, file: String, schema: RecordSchema, rows: [[String: Value]],
        japanese: Bool
    ) -> Result<[UInt8], Diagnostic> {
        func cell(_ v: Value?, _ fi: Int?, japanese: Bool) -> String {
            guard let v, let fi else { return "" }
            return CSVCell.escape(SnapshotWriter.cell(v, of: schema.fields[fi], japanese: japanese))
        }
        let hasContent =
            existing.map { b in
                (b.starts(with: [0xEF, 0xBB, 0xBF]) ? b.dropFirst(3) : b[...]).contains {
                    $0 != 0x20 && $0 != 0x0A && $0 != 0x0D
                }
            } ?? false
        guard let existing, hasContent else {
            let header = schema.fields.map { CSVCell.escape(japanese ? ($0.aliases.first ?? $0.name) : $0.name) }
                .joined(separator: ",")
            let body = rows.map { r in
                schema.fields.indices.map { cell(r[schema.fields[$0].name], $0, japanese: japanese) }.joined(
                    separator: ",")
            }
            return .success(Array(("\u{FEFF}" + ([header] + body).map { $0 + "\r\n" }.joined()).utf8))
        }
        let (decoded, diags) = CSVReader.decode(existing, encoding: .auto, file: file)
        guard let decoded else {
            return .failure(
                diags.first
                    ?? Diagnostic(
                        "data.bad-encoding", .error, "cannot decode the table", at: SourceLocation(file: file)))
        }
        let shiftJIS = diags.contains { $0.id == "data.encoding-detected" }
        let (table, csvDiags) = CSVReader.parse(utf8: decoded, file: file)
        guard let table else {
            return .failure(
                csvDiags.first
                    ?? Diagnostic("data.bad-csv", .error, "cannot read the table", at: SourceLocation(file: file)))
        }
        let headers = table.header.cells.map { CellText.trimmed(Substring($0)) }
        let columns: [Int?], tableIsJapanese: Bool
        switch TableAppender.columns(
            headers: headers, schema: schema, rows: rows, at: SourceLocation(file: file, line: 1, column: 1))
        {
        case .failure(let d): return .failure(d)
        case .success(let c): (columns, tableIsJapanese) = c
        }
        let eol = existing.contains(0x0D) ? "\r\n" : "\n"
        var text = existing.last == 0x0A ? "" : eol
        for r in rows {
            text +=
                columns.map { fi in cell(fi.map { r[schema.fields[$0].name] } ?? nil, fi, japanese: tableIsJapanese) }
                .joined(separator: ",") + eol
        }
        if shiftJIS {
            guard let data = text.data(using: .shiftJIS) else {
                return .failure(
                    Diagnostic(
                        "data.not-shift-jis", .error, "the new rows hold a character Shift_JIS cannot encode",
                        at: SourceLocation(file: file),
                        help:
                            "the table is Shift_JIS; use characters Japanese Excel can save, or save the table as "
                            + "CSV UTF-8"
                    ))
            }
            return .success(existing + [UInt8](data))
        }
        return .success(existing + Array(text.utf8))
    }

    /// The field of each header (nil for a column the schema does not know) and whether the
    /// table is written in Japanese; fails when a value of `rows` has no column to go in (an
    /// older layout, or a column deleted in Excel: the value would be lost silently), naming
    /// the headers to add. `at`: the header row.
    public static func columns(
        headers: [String], schema: RecordSchema, rows: [[String: Value]], at: SourceLocation
    ) -> Result<(columns: [Int?], japanese: Bool), Diagnostic> {
        let byHeader = schema.headerIndex
        let columns = headers.map { byHeader[SnapshotSchema.keyForm($0)] }
        let tableIsJapanese = zip(headers, columns).contains { h, fi in
            fi.map { schema.fields[$0].name != h.lowercased() } ?? false
        }
        let present = Set(columns.compactMap { $0 })
        let missing = schema.fields.indices.filter { fi in
            !present.contains(fi) && rows.contains { r in r[schema.fields[fi].name].map { !$0.isNull } ?? false }
        }
        if !missing.isEmpty {
            let names = missing.map { fi in
                tableIsJapanese ? (schema.fields[fi].aliases.first ?? schema.fields[fi].name) : schema.fields[fi].name
            }
            let described = missing.map { fi in
                "`\(schema.fields[fi].aliases.first ?? schema.fields[fi].name)` (\(schema.fields[fi].name))"
            }
            return .failure(
                Diagnostic(
                    "data.missing-column", .error,
                    "the table has no column for \(described.joined(separator: ", ")); a row written here would lose "
                        + "\(missing.count == 1 ? "that value" : "those values")",
                    at: at,
                    help:
                        "add the header\(names.count == 1 ? "" : "s") \(names.joined(separator: ",")) at the end of "
                        + "the first \(at.sheet == nil ? "line" : "row") (in Excel: type "
                        + "\(names.count == 1 ? "it" : "them") into the next empty "
                        + "column\(names.count == 1 ? "" : "s") of row 1), then run again"
                ))
        }
        return .success((columns, tableIsJapanese))
    }
}
