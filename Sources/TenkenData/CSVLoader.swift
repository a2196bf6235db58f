import Foundation
import TenkenSyntax

/// CSV tables: device inventories, and every table of a facility kept as a folder of tables.
extension SnapshotLoader {
    // MARK: device inventory

    /// Loads a device inventory (CSV or JSON, by extension) into the `devices` section.
    public mutating func loadInventory(path: String, schema: RecordSchema = SnapshotSchema.device) -> Value? {
        let (bytes, err) = readInputFile(path, maxBytes: options.limits.maxBytes)
        guard let bytes else { diagnostics.append(err!); return nil }
        if path.lowercased().hasSuffix(".json") { return loadInventoryJSON(bytes: bytes, path: path) }
        return loadTable(bytes: bytes, path: path, schema: schema)
    }

    mutating func loadInventoryJSON(bytes: [UInt8], path: String) -> Value? {
        let (node, diags, lines) = JSONReader.parse(bytes, file: path, limits: options.limits)
        diagnostics += diags
        guard let node else { return nil }
        let src = SourceFile(path: path, kind: .json, lines: lines)
        if case .object(let members) = node.value, let m = members.first(where: { $0.key == "devices" }) {
            return collection(m.node, SnapshotSchema.device, src: src, pointer: "/devices")
        }
        return collection(node, SnapshotSchema.device, src: src, pointer: "")
    }

    /// A CSV table whose header names schema fields (English or Japanese aliases).
    public mutating func loadTable(bytes: [UInt8], path: String, schema: RecordSchema) -> Value? {
        let (decoded, encDiags) = CSVReader.decode(bytes, encoding: options.encoding, file: path)
        diagnostics += encDiags
        guard let decoded else { return nil }
        let (table, csvDiags) = CSVReader.parse(utf8: decoded, file: path)
        diagnostics += csvDiags
        guard let table else { return nil }
        // The collection limit holds on every route: an inventory given with --devices or kept
        // beside snapshot.json, an attestations table, answers, as for a folder's tables.
        if table.rows.count > options.maxCollection {
            diagnostics.append(Diagnostic("data.too-many-elements", .error, "\(table.rows.count) rows, over the limit of \(options.maxCollection)",
                                          at: SourceLocation(file: path)))
            return nil
        }
        let src = SourceFile(path: path, kind: .csv, lines: LineIndex(table.utf8))
        // Map header cells to fields.
        let byHeader = schema.headerIndex
        var columnField = [Int?](repeating: nil, count: table.header.cells.count)
        var headers = schema.fields.map(\.name)
        var seen: [Int: String] = [:]
        for (c, raw) in table.header.cells.enumerated() {
            let h = spaceTrimmed(Substring(raw))
            let hloc = src.location(offset: table.header.offsets[c], path: h)
            guard let fi = byHeader[h.lowercased()] else {
                if h.isEmpty { continue }
                if let why = SnapshotSchema.forbiddenKeyReason(h) ?? (["name", "氏名"].contains(h.lowercased()) ? "looks like personal information" : nil) {
                    diagnostics.append(Diagnostic("data.forbidden-field", .error, "column `\(h)` \(why); its values are not read", at: hloc,
                                                  help: "remove the column; use pseudonymous ids only"))
                } else {
                    diagnostics.append(Diagnostic("data.unknown-column", .warning, "unknown column `\(h)` is ignored", at: hloc,
                        help: closestMatch(to: h, in: schema.fields.map(\.name) + schema.fields.flatMap(\.aliases)).map { "did you mean `\($0)`?" }))
                }
                continue
            }
            if let prev = seen[fi] {
                diagnostics.append(Diagnostic("data.duplicate-column", .error, "column `\(h)` repeats `\(prev)` (both mean `\(schema.fields[fi].name)`)", at: hloc))
                continue
            }
            seen[fi] = h
            columnField[c] = fi
            headers[fi] = h
        }
        var out: [Value] = []
        out.reserveCapacity(table.rows.count)
        for row in table.rows {
            var values = [Value](repeating: .null, count: schema.fields.count)
            var offsets = [Int32](repeating: -1, count: schema.fields.count)
            for (c, cell) in row.cells.enumerated() {
                guard let fi = columnField[c] else { continue }
                let text = CSVCell.unescape(asciiTrimmed(cell))
                offsets[fi] = Int32(clamping: row.offsets[c])
                if text.isEmpty { continue }
                values[fi] = convertCell(text, of: schema.fields[fi], at: src.location(offset: row.offsets[c], path: headers[fi]))
            }
            // Named by its line, which is the spreadsheet's row number unless a cell holds a line break.
            let origin = LazyLocation(source: src, offset: row.offsets.first ?? 0, path: "row \(row.line)")
            out.append(.record(Record(schema: schema, values: values, origin: origin, offsets: offsets, headers: headers)))
        }
        return .list(out)
    }

    static let trueWords: Set<String> = ["true", "yes", "y", "1", "はい", "有", "あり", "○", "〇", "済"]
    static let falseWords: Set<String> = ["false", "no", "n", "0", "いいえ", "無", "なし", "×", "未"]

    /// A cell's text as a value of the field's type; choice fields also take their Japanese words.
    mutating func convertCell(_ s: String, of field: FieldSchema, at place: @autoclosure () -> SourceLocation) -> Value {
        convertCell(s, field.type, field: field, at: place())
    }

    /// `type` is the field's, or its element type inside a list.
    mutating func convertCell(_ s: String, _ type: FieldType, field: FieldSchema, at place: @autoclosure () -> SourceLocation) -> Value {
        switch type {
        case .int:
            if let n = Int(s) { return .int(n) }
            diagnostics.append(Diagnostic("data.type-mismatch", .error, "expected a whole number, found \"\(s)\"", at: place()))
        case .bool:
            if SnapshotLoader.trueWords.contains(s) { return .bool(true) }
            if SnapshotLoader.falseWords.contains(s) { return .bool(false) }
            let k = s.lowercased()
            if SnapshotLoader.trueWords.contains(k) { return .bool(true) }
            if SnapshotLoader.falseWords.contains(k) { return .bool(false) }
            diagnostics.append(Diagnostic("data.type-mismatch", .error, "expected yes/no (true/false, はい/いいえ), found \"\(s)\"", at: place()))
        case .string:
            return .string(s)
        case .date:
            return parseDate(s, at: place(), lenient: true).map(Value.date) ?? .null
        case .duration(let unit):
            if let n = Int(s) {
                if n >= 0 { return .duration(Duration(n, unit)) }
                diagnostics.append(Diagnostic("data.negative-duration", .error, "expected a period of zero or more \(unit.rawValue), found \(n)", at: place()))
                return .null
            }
            if let d = Duration(text: s), !d.isNegative { return .duration(d) }
            diagnostics.append(Diagnostic("data.bad-duration", .error, "expected a number of \(unit.rawValue), found \"\(s)\"", at: place()))
        case .enumeration(let allowed):
            if allowed.contains(s) { return .string(s) }
            if let token = field.choiceByLabel[s] { return .string(token) }
            let lower = s.lowercased()
            if let v = allowed.first(where: { $0.lowercased() == lower }) { return .string(v) }
            let words = allowed.map { v in field.choicesJa[v].map { "\(v) (\($0))" } ?? v }
            diagnostics.append(Diagnostic("data.bad-value", .error, "expected one of \(words.joined(separator: ", ")), found \"\(s)\"", at: place(),
                                          help: closestMatch(to: s, in: allowed + Array(field.choiceByLabel.keys)).map { "did you mean \"\($0)\"?" }))
        case .list(let inner):
            // Several values in one cell are separated by `;`; `なし` is an empty list.
            if SnapshotTables.emptyListWords.contains(s.lowercased()) { return .list([]) }
            // Counted before splitting, so a hostile cell cannot make the list first.
            let values = s.utf8.reduce(1) { $1 == 0x3B ? $0 + 1 : $0 }
            if values > options.maxCollection {
                diagnostics.append(Diagnostic("data.too-many-elements", .error, "\(values) values in one cell, over the limit of \(options.maxCollection)", at: place()))
                return .null
            }
            let parts = s.split(separator: ";").map(spaceTrimmed).filter { !$0.isEmpty }
            return .list(parts.map { convertCell($0, inner, field: field, at: place()) }.filter { !$0.isNull })
        case .record:
            diagnostics.append(Diagnostic("data.type-mismatch", .error, "nested records cannot be given in a CSV cell", at: place()))
        }
        return .null
    }
}

/// Trims spaces and tabs without a trip through Foundation (this runs for every CSV cell).
func asciiTrimmed(_ s: String) -> String {
    let u = s.utf8
    guard let f = u.first, let l = u.last, f == 0x20 || f == 0x09 || l == 0x20 || l == 0x09 else { return s }
    var start = u.startIndex, end = u.endIndex
    while start < end, u[start] == 0x20 || u[start] == 0x09 { start = u.index(after: start) }
    while end > start, u[u.index(before: end)] == 0x20 || u[u.index(before: end)] == 0x09 { end = u.index(before: end) }
    return String(s[start..<end])
}

/// Trims spaces, tabs and the ideographic space (U+3000) a Japanese keyboard types, without
/// Foundation's bridging (this runs for every header and every part of a list cell).
func spaceTrimmed(_ s: Substring) -> String {
    let u = s.utf8
    var start = u.startIndex, end = u.endIndex
    // U+3000 is E3 80 80 in UTF-8; spaces and tabs are one byte.
    func ideographic(at i: Substring.UTF8View.Index) -> Bool {
        u[i] == 0xE3 && u.distance(from: i, to: end) >= 3 && u[u.index(i, offsetBy: 1)] == 0x80 && u[u.index(i, offsetBy: 2)] == 0x80
    }
    while start < end {
        if u[start] == 0x20 || u[start] == 0x09 { start = u.index(after: start) } else if ideographic(at: start) { start = u.index(start, offsetBy: 3) } else { break }
    }
    while end > start {
        let last = u.index(before: end)
        if u[last] == 0x20 || u[last] == 0x09 { end = last; continue }
        if u.distance(from: start, to: end) >= 3, u[last] == 0x80, u[u.index(end, offsetBy: -2)] == 0x80, u[u.index(end, offsetBy: -3)] == 0xE3 {
            end = u.index(end, offsetBy: -3); continue
        }
        break
    }
    return String(s[start..<end])
}
