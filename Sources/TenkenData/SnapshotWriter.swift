import TenkenSyntax

/// Writes a loaded facility back out, as a canonical JSON snapshot or as a folder of tables.
/// Both keep every value the schema knows, so JSON → tables → JSON and tables → JSON →
/// tables give back what they started from (tests check this on every fixture).
public enum SnapshotWriter {
    // MARK: JSON

    /// The snapshot as JSON: sections and fields in schema order, absent fields left out.
    public static func json(_ facility: Facility) -> String {
        // The version key where the pack declares `snapshot version N`; none otherwise.
        var top: [(String, JSON)] =
            facility.schema.mechanisms.snapshotVersion.map { [("schema_version", .int($0))] } ?? []
        for (i, root) in facility.schema.sections.enumerated() {
            guard let v = facility.roots[i] else { continue }
            top.append((root.name, json(v, root.shape == .single ? .record(root.record) : .list(.record(root.record)))))
        }
        if !facility.overrides.isEmpty {
            top.append(("parameters", .object(facility.overrides.map { ($0.name, json($0.value)) })))
        }
        return JSON.object(top).render() + "\n"
    }

    static func json(_ v: Value, _ type: FieldType) -> JSON {
        switch v {
        case .null, .unknown: return .null
        case .bool(let b): return .bool(b)
        case .int(let n): return .int(n)
        case .string(let s): return .string(s)
        case .date(let d): return .string(d.description)
        case .duration(let d):
            if case .duration(let unit) = type, let n = whole(d, unit) { return .int(n) }
            return .string(d.description)
        case .list(let xs):
            let inner: FieldType = if case .list(let t) = type { t } else { type }
            return .array(xs.map { json($0, inner) })
        case .record(let r):
            return .object(
                r.schema.fields.enumerated().compactMap { i, fld in
                    r.values[i].isNull ? nil : (fld.name, json(r.values[i], fld.type))
                })
        }
    }

    static func json(_ raw: ParamOverride.Raw) -> JSON {
        switch raw {
        case .int(let n): .int(n)
        case .bool(let b): .bool(b)
        case .string(let s): .string(s)
        case .list(let xs): .array(xs.map(json))
        }
    }

    /// The period as a whole number of the field's unit, when it is one.
    static func whole(_ d: Duration, _ unit: DurationUnit) -> Int? {
        guard let one = Duration(1, unit) else { return nil }
        if one.months > 0 {
            return d.minutes == 0 && d.months % one.months == 0 ? d.months / one.months : nil
        }
        return d.months == 0 && d.minutes % one.minutes == 0 ? d.minutes / one.minutes : nil
    }

    /// What neither form can say: a field that reads as unknown (a key or column that may hold
    /// it was ignored, or its column is missing) although its blank has a documented meaning
    /// (`left_on` blank = still employed). Written out, JSON leaves it out and a table leaves
    /// its cell blank, and either would read back as that meaning: an undecided rule would
    /// pass. One error per section and field, at its first element, with the count; no value
    /// is shown. `convert` writes nothing when there are any.
    public static func unknownWithMeaning(_ facility: Facility) -> [Diagnostic] {
        var first: [String: (location: SourceLocation, count: Int, record: String, field: String, meaning: String)] =
            [:]
        var order: [String] = []
        func walk(_ v: Value) {
            switch v {
            case .list(let xs): xs.forEach(walk)
            case .record(let r):
                for (i, f) in r.schema.fields.enumerated() {
                    if r.values[i].isUnknown, let meaning = f.absent.meaning {
                        let key = r.schema.name + "." + f.name
                        if var e = first[key] {
                            e.count += 1; first[key] = e
                        } else {
                            first[key] = (r.location(ofField: i), 1, r.schema.name, f.name, meaning.en)
                            order.append(key)
                        }
                    }
                    walk(r.values[i])
                }
            default: break
            }
        }
        for case let v? in facility.roots { walk(v) }
        return order.compactMap { key in
            guard let e = first[key] else { return nil }
            return Diagnostic(
                "data.unknown-not-writable", .error,
                "`\(e.field)` of "
                    + "\(e.count == 1 ? "this \(e.record) element" : "\(e.count) \(e.record) elements (the first here)")"
                    + " is unknown (a key or column that may hold it was ignored, or its column is missing); written out as a blank it would read as \"\(e.meaning)\"",
                at: e.location,
                help:
                    "name the key or column as the field it holds (see the warnings above), or give the field, then "
                    + "convert again"
            )
        }
    }

    // MARK: tables

    public struct TableFile: Sendable {
        public let spec: TableSpec
        /// The CSV file: UTF-8 with a BOM, CRLF, cells escaped (`CSVCell.escape`).
        public let text: String
        public let rows: Int
        /// The header row and the data rows as cell texts, before CSV escaping (what a
        /// workbook's cells hold).
        public let header: [String]
        public let cells: [[String]]
    }

    /// The facility as tables: headers in Japanese (`ja`) or English, yes/no as はい/いいえ or
    /// true/false, UTF-8 with a BOM and CRLF line ends, as Excel writes "CSV UTF-8".
    /// `notes` says where a table cannot tell two things the JSON could. `refusals` names
    /// what a table cannot say at all: a member list that is unknown for one parent while
    /// another parent gives its list. A nested table holds every parent's members, so a
    /// parent without rows in it reads back as "none"; writing it would turn "not known"
    /// into "none" and could make a failing facility pass. Write nothing when there are
    /// refusals.
    public static func tables(
        _ facility: Facility, japanese: Bool
    ) -> (files: [TableFile], notes: [String], refusals: [Diagnostic]) {
        var files: [TableFile] = []
        var notes: [String] = []
        var refusals: [Diagnostic] = []
        func header(_ t: TableSpec) -> [String] { t.columns.map { japanese ? ($0.aliases.first ?? $0.name) : $0.name } }
        func emit(_ t: TableSpec, _ rows: [[String]]) {
            let text =
                "\u{FEFF}"
                + ([header(t)] + rows).map { $0.map(CSVCell.escape).joined(separator: ",") + "\r\n" }.joined()
            files.append(TableFile(spec: t, text: text, rows: rows.count, header: header(t), cells: rows))
        }
        func cells(_ r: Record, _ t: TableSpec, link: String? = nil) -> [String] {
            t.columns.map { col in
                guard let fi = r.schema.index[col.name] else { return link ?? "" }
                return cell(r.values[fi], of: r.schema.fields[fi], japanese: japanese)
            }
        }
        for t in facility.schema.tables {
            switch t.shape {
            case .profile:
                var rows: [[String]] = []
                for pk in facility.schema.profileKeys {
                    let parts = pk.section.split(separator: ".")
                    guard case .record(var rec)? = facility[root: String(parts[0])] else { continue }
                    if parts.count == 2 {
                        guard case .record(let inner) = rec[String(parts[1])] else { continue }
                        rec = inner
                    }
                    let desc = japanese && !pk.field.docJa.isEmpty ? pk.field.docJa : pk.field.doc
                    rows.append([pk.key, cell(rec[pk.field.name], of: pk.field, japanese: japanese), desc])
                }
                for o in facility.overrides {
                    rows.append(["parameter." + o.name, cell(o.value), japanese ? "パラメータの上書き" : "parameter override"])
                }
                if !rows.isEmpty {
                    let version = facility.schema.mechanisms.snapshotVersion.map {
                        [["schema_version", String($0), japanese ? "表の形式の版" : "table format version"]]
                    }
                    // The description is a third column where the table declares one.
                    emit(t, ((version ?? []) + rows).map { Array($0.prefix(t.columns.count)) })
                }
            case .collection(let ri):
                guard case .list(let xs)? = facility.roots[ri] else { continue }
                emit(t, xs.compactMap { if case .record(let r) = $0 { cells(r, t) } else { nil } })
            case .nested(let parent, let listField, _):
                guard let pi = facility.schema.sectionIndex[parent], case .list(let parents)? = facility.roots[pi]
                else {
                    continue
                }
                var rows: [[String]] = []
                var unknown: [Diagnostic] = []
                var any = false
                for case .record(let p) in parents {
                    guard let li = p.schema.index[listField] else { continue }
                    let given = p.effective(li)
                    guard case .list(let children) = given else {
                        if given.isUnknown {
                            unknown.append(
                                Diagnostic(
                                    "data.unknown-member-list", .error,
                                    "\(parent) `\(p.displayID ?? "?")` does not say its `\(listField)`; in "
                                        + "\(t.fileName) it would read as none",
                                    at: p.location(ofField: li),
                                    help:
                                        "give `\(listField)` for every \(parent) element (an empty list [] when "
                                        + "there are none), or leave it out of all of them"
                                ))
                        }
                        continue
                    }
                    any = true
                    if !children.isEmpty && p.displayID == nil {
                        notes.append(
                            "a row of \(parent) without an id has \(listField); they cannot be linked in "
                                + "\(t.fileName) and are left out"
                        )
                        continue
                    }
                    for case .record(let c) in children { rows.append(cells(c, t, link: p.displayID)) }
                }
                // Only a written table turns an absent list into an empty one: with no parent
                // giving its list, the table is left out and every list stays unknown.
                if any { emit(t, rows); refusals += unknown }
            case .supplement(let of, let key):
                // Written beside its nested table: a row for every element with one of its own fields.
                guard files.contains(where: { $0.spec.name == of }), let target = facility.schema.table(of),
                    case .nested(let parent, let listField, let link) = target.shape,
                    let pi = facility.schema.sectionIndex[parent], case .list(let parents)? = facility.roots[pi]
                else { continue }
                let own = t.columns.map(\.name).filter { $0 != link && $0 != key }
                var rows: [[String]] = []
                for case .record(let p) in parents {
                    guard case .list(let children) = p[listField] else { continue }
                    for case .record(let c) in children where own.contains(where: { !c[$0].isNull }) {
                        rows.append(cells(c, t, link: p.displayID))
                    }
                }
                emit(t, rows)
            }
        }
        return (files, notes, refusals)
    }

    /// A field's value as a spreadsheet cell; in Japanese, a choice is its Japanese word.
    public static func cell(_ v: Value, of field: FieldSchema, japanese: Bool) -> String {
        cell(v, field.type, japanese: japanese, field: field)
    }

    /// `type` is the field's, or its element type inside a list.
    static func cell(_ v: Value, _ type: FieldType, japanese: Bool, field: FieldSchema) -> String {
        switch v {
        case .null, .unknown: return ""
        case .bool(let b): return japanese ? (b ? "はい" : "いいえ") : (b ? "true" : "false")
        case .int(let n): return String(n)
        case .string(let s): return japanese ? field.label(s) : s
        case .date(let d): return d.description
        case .duration(let d):
            if case .duration(let unit) = type, let n = whole(d, unit) { return String(n) }
            return d.description
        case .list(let xs):
            if xs.isEmpty { return japanese ? "なし" : "none" }
            let inner: FieldType = if case .list(let t) = type { t } else { type }
            return xs.map { cell($0, inner, japanese: japanese, field: field) }.joined(separator: "; ")
        case .record(let r): return r.displayID ?? ""
        }
    }

    static func cell(_ raw: ParamOverride.Raw) -> String {
        switch raw {
        case .int(let n): String(n)
        case .bool(let b): b ? "true" : "false"
        case .string(let s): s
        case .list(let xs): xs.map(cell).joined(separator: "; ") + (xs.count == 1 ? ";" : "")
        }
    }
}
