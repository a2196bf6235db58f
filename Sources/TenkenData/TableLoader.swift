import Foundation
import TenkenSyntax

/// A file name as a file system that ignores case and Unicode normalisation sees it (macOS
/// and Windows volumes, most network shares): names equal here may be one file there.
public func foldedFileName(_ name: String) -> String {
    // ASCII is its own canonical form (a batch folds every facility's id).
    if name.utf8.allSatisfy({ $0 < 0x80 }) { return name.lowercased() }
    return name.precomposedStringWithCanonicalMapping.lowercased()
}

/// The table files found in a folder, by table name.
public struct TableFolder: Sendable {
    /// The folder, or for a workbook (`isWorkbook`) the .xlsx file itself.
    public let dir: String
    /// For a folder: the table files found, by table name. Empty for a workbook, whose sheets
    /// are found when it is read.
    public let files: [String: String]
    /// The facility is one .xlsx workbook at `dir`, one sheet per table.
    public var isWorkbook = false
    /// The tables of the pack's companions (`PackSchema.companionTables`): files a snapshot
    /// folder may also hold.
    public var companionTables: Set<String> = []

    init(dir: String, files: [String: String], companionTables: Set<String> = []) {
        self.dir = dir
        self.files = files
        self.companionTables = companionTables
    }

    /// A facility kept as one workbook.
    public static func workbook(_ path: String) -> TableFolder {
        var t = TableFolder(dir: path, files: [:])
        t.isWorkbook = true
        return t
    }

    /// Finds the tables of `schema` in `dir` under their English or Japanese file names.
    public static func scan(_ dir: String, schema: PackSchema) -> (TableFolder, [Diagnostic]) {
        var files: [String: String] = [:]
        var diags: [Diagnostic] = []
        // Matched against the folder's listing, not probed with fileExists: on a case-insensitive
        // file system `staff.CSV` would "exist" beside `staff.csv`. Names are compared as a
        // case- and normalisation-folding file system would (`Staff.CSV`, a decomposed
        // `職員.csv`), so two spellings of one table are both found, and refused, rather than
        // one read and the other silently left out.
        let listing = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        for t in schema.tables {
            let wanted: Set<String> = [foldedFileName(t.name + ".csv"), foldedFileName(t.nameJa + ".csv")]
            let english = t.name + ".csv"
            var names: [String] = listing.filter { wanted.contains(foldedFileName($0)) }
            // The plain English name first, as before; the rest in listing order.
            if let i = names.firstIndex(of: english), i > 0 { names.insert(names.remove(at: i), at: 0) }
            let found: [String] = names.map { (dir as NSString).appendingPathComponent($0) }
            if found.count > 1 {
                diags.append(
                    Diagnostic(
                        "data.duplicate-table", .error,
                        "both \((found[0] as NSString).lastPathComponent) and "
                            + "\((found[1] as NSString).lastPathComponent) are present; keep one",
                        at: SourceLocation(file: found[1])))
            }
            if let p = found.first { files[t.name] = p }
        }
        return (TableFolder(dir: dir, files: files, companionTables: schema.companionTables), diags)
    }

    /// True when the folder holds tables beyond the pack's companions (a device inventory, which
    /// a snapshot folder may also have).
    public var hasSnapshotTables: Bool { files.keys.contains { !companionTables.contains($0) } }
}

extension SnapshotLoader {
    /// Loads a facility kept as a folder of tables. Each value keeps its file, row and
    /// column header; a missing table leaves its section absent, and the facility records
    /// which table each section would have come from.
    public mutating func loadTables(_ folder: TableFolder) -> Facility? {
        if folder.isWorkbook {
            guard let read = readWorkbookTables(folder.dir) else { return nil }
            return assembleTables(folder, rows: read.rows, places: read.places, sources: [folder.dir])
        }
        var sources: [String] = []
        var rows: [String: [Record]] = [:]
        /// Where each table read lies, for messages about the table as a whole.
        var places: [String: SourceFile] = [:]
        let diagnosticsBefore = diagnostics.count
        for t in schema.tables {
            guard let path = folder.files[t.name] else { continue }
            let bytes: [UInt8]
            do { bytes = try readInput(path, maxBytes: options.limits.maxBytes).get() } catch {
                diagnostics.append(error); continue
            }
            sources.append(path)
            let notes: Set<String> = if case .profile = t.shape { ["description"] } else { [] }
            guard case .list(let xs)? = loadTable(bytes: bytes, path: path, schema: t.rowSchema, notes: notes) else {
                continue
            }
            if xs.count > options.maxCollection {
                diagnostics.append(
                    Diagnostic(
                        "data.too-many-elements", .error,
                        "\(xs.count) rows, over the limit of \(options.maxCollection)",
                        at: SourceLocation(file: path)))
                continue
            }
            rows[t.name] = xs.compactMap { if case .record(let r) = $0 { r } else { nil } }
            places[t.name] = SourceFile(path: path, kind: .csv, lines: LineIndex([]))
        }
        // One note for a folder saved as Shift_JIS, not one per table.
        let detected = diagnostics[diagnosticsBefore...].filter { $0.id == "data.encoding-detected" }
        if detected.count > 1 {
            let others = diagnostics[diagnosticsBefore...].filter { $0.id != "data.encoding-detected" }
            diagnostics.removeSubrange(diagnosticsBefore...)
            diagnostics.append(
                Diagnostic(
                    "data.encoding-detected", .note, "\(detected.count) tables are not UTF-8; read them as Shift_JIS",
                    at: SourceLocation(file: folder.dir)))
            diagnostics += others
        }
        return assembleTables(folder, rows: rows, places: places, sources: sources)
    }

    /// The facility from the rows of its tables, however they were read (CSV files or the
    /// sheets of a workbook): the profile, nested tables linked to their parents, supplements.
    /// `places`: each table read, for messages about it as a whole.
    mutating func assembleTables(
        _ folder: TableFolder, rows: [String: [Record]], places: [String: SourceFile], sources: [String]
    ) -> Facility? {
        var roots = [Value?](filling: nil, count: schema.sections.count)
        var rootLocations = SectionPlaces(count: schema.sections.count)
        var overrides: [ParamOverride] = []
        func whole(_ name: String) -> SourceLocation { places[name]?.place() ?? SourceLocation(file: folder.dir) }
        if rows.isEmpty && folder.files.isEmpty && !folder.isWorkbook {
            diagnostics.append(
                Diagnostic(
                    "data.no-tables", .error,
                    "folder holds neither snapshot.json nor any table ("
                        + (schema.exampleTables.map(\.fileName) + ["…"]).joined(separator: ", ") + ")",
                    at: SourceLocation(file: folder.dir), help: "write blank tables with `tenken init \(folder.dir)`"))
            return nil
        }
        if let name = schema.profileTable?.name, let profile = rows[name] {
            loadProfile(profile, into: &roots, locations: &rootLocations, overrides: &overrides)
        }
        // Nested tables first (completed by their supplements), so parents get their lists.
        var children: [String: [String: [Value]]] = [:]
        for t in schema.tables {
            guard case .nested(let parent, _, _) = t.shape else { continue }
            // Without its supplement (invitations.csv), the fields it holds are unknown, not "none".
            let supplementAbsent = schema.tables.contains {
                if case .supplement(t.name, _) = $0.shape { rows[$0.name] == nil } else { false }
            }
            children[t.name] = nested(
                t, rows: rows[t.name], parentRows: rows[parent], unmappedAs: supplementAbsent ? .unknown : .null,
                files: folder.files)
        }
        for t in schema.tables {
            guard case .supplement(let of, _) = t.shape, let extra = rows[t.name], let target = schema.table(of),
                case .nested(let parent, _, _) = target.shape
            else { continue }
            // A supplement completes the lists its base table gives; without that table the
            // lists stay unknown (a group's members are not "the invited ones").
            guard children[of] != nil else {
                diagnostics.append(
                    Diagnostic(
                        "data.missing-table", .warning,
                        "\(tableLabel(t.name)) is read only together with \(tableLabel(target.name)), which the "
                            + "\(folder.isWorkbook ? "workbook" : "folder") does not have; the lists it would complete "
                            + "are unknown",
                        at: whole(t.name), help: "add \(tableLabel(target.name)) (header only if there are none)"))
                continue
            }
            children[of] = supplement(children[of], with: extra, spec: t, parentRows: rows[parent])
        }
        for t in schema.tables {
            guard case .collection(let ri) = t.shape, let record = t.record, let rs = rows[t.name],
                let table = places[t.name]
            else { continue }
            rootLocations[ri] = table.place(line: 1)
            // The nested table that holds a list field of these rows, if any.
            let child = schema.tables.lazy.compactMap { c -> (spec: TableSpec, field: String)? in
                if case .nested(t.name, let field, _) = c.shape { (c, field) } else { nil }
            }.first
            if let child, children[child.spec.name] == nil, !rs.isEmpty {
                diagnostics.append(
                    Diagnostic(
                        "data.missing-table", .warning,
                        "\(tableLabel(t.name)) has \(rs.count) rows but there is no \(tableLabel(child.spec.name)); "
                            + "each row's `\(child.field)` is unknown",
                        at: table.place(), help: "add \(tableLabel(child.spec.name)) (header only if there are none)"))
            }
            guard let first = rs.first else { roots[ri] = .list([]); continue }
            let m = mapping(first, to: record)
            var lists: (index: Int, byParent: [String: [Value]])?
            if let child, let byParent = children[child.spec.name], let fi = record.index[child.field] {
                lists = (fi, byParent)
            }
            roots[ri] = .list(
                rs.map { r in
                    .record(remap(r, m, list: lists.map { ($0.index, .list($0.byParent[r.displayID ?? ""] ?? [])) }))
                })
        }
        var id =
            folder.isWorkbook
            ? ((folder.dir as NSString).lastPathComponent as NSString).deletingPathExtension
            : (folder.dir as NSString).lastPathComponent
        if let s = schema.subjectID(in: roots) { id = s }
        var facility = Facility(id: id, roots: roots, schema: schema, overrides: overrides, sources: sources)
        facility.rootLocations = rootLocations
        facility.tables =
            folder.isWorkbook
            ? schema.tableForSection.map { file in
                tableLabel(schema.tables.first { $0.fileName == file }?.name ?? schema.profileTable?.name ?? "")
            } : schema.tableForSection
        facility.tablesInWorkbook = folder.isWorkbook
        return facility
    }

    /// How the rows of one table become elements of a record schema, worked out once per
    /// table (the rows share their headers): the target field of each column, and the headers
    /// of the target's fields. Fields the table does not hold are named with the table that does
    /// (`elsewhere`), so a finding about a missing approval says where to add it.
    struct RowMapping {
        let target: RecordSchema
        let fieldOf: [Int]
        let headers: [String]
        let identity: Bool
    }

    /// `files`: the facility's table files by table name, so the other table is named as the
    /// facility's own (`招待.csv` or `invitations.csv`).
    func mapping(
        _ row: Record, to schema: RecordSchema, elsewhere: TableSpec? = nil, files: [String: String] = [:]
    ) -> RowMapping {
        let japanese = zip(row.schema.fields, row.headers ?? []).contains { $0.name != $1.lowercased() }
        var headers = schema.fields.map { f in
            guard let other = elsewhere, other.rowSchema.index[f.name] != nil else { return f.name }
            let file =
                tableLabels[other.name] ?? files[other.name].map { ($0 as NSString).lastPathComponent }
                ?? (japanese ? other.nameJa + ".csv" : other.fileName)
            return japanese ? "\(f.aliases.first ?? f.name)（\(file) に行がありません）" : "\(f.name) (no row in \(file))"
        }
        var fieldOf = [Int](repeating: -1, count: row.schema.fields.count)
        for (ci, fld) in row.schema.fields.enumerated() {
            guard let fi = schema.index[fld.name] else { continue }
            fieldOf[ci] = fi
            headers[fi] = row.headers?[ci] ?? fld.name
        }
        return RowMapping(target: schema, fieldOf: fieldOf, headers: headers, identity: row.schema === schema)
    }

    /// A row of a table's own schema as an element of the record schema it stands for.
    /// Target fields the row's table does not hold are `unmappedAs`: `.null` where another
    /// table that holds them was read (and had no row), `.unknown` where none was.
    func remap(
        _ row: Record, _ m: RowMapping, list: (index: Int, value: Value)? = nil, unmappedAs: Value = .null
    ) -> Record {
        if m.identity && list == nil { return row }
        let n = m.target.fields.count
        var values = [Value](filling: unmappedAs, count: n)
        var offsets = [Int32](filling: -1, count: n)
        for (ci, fi) in m.fieldOf.enumerated() where fi >= 0 {
            values[fi] = row.values[ci]
            offsets[fi] = row.offsets[ci]
        }
        if let list { values[list.index] = list.value }
        return Record.make(schema: m.target, values: values, origin: row.origin, offsets: offsets, headers: m.headers)
    }

    func linkValue(_ r: Record, _ link: String) -> String? {
        if case .string(let s) = r[link], !s.isEmpty { return s }
        return nil
    }

    /// Groups a nested table's rows by their parent's id; nil when the table is absent.
    mutating func nested(
        _ t: TableSpec, rows: [Record]?, parentRows: [Record]?, unmappedAs: Value, files: [String: String] = [:]
    ) -> [String: [Value]]? {
        guard let rows, case .nested(let parent, _, let link) = t.shape, let record = t.record else { return nil }
        let parentIDs = Set((parentRows ?? []).compactMap(\.displayID))
        var out: [String: [Value]] = [:]
        guard let first = rows.first else { return out }
        let supplement = schema.tables.first {
            if case .supplement(let of, _) = $0.shape { of == t.name } else { false }
        }
        let m = mapping(first, to: record, elsewhere: supplement, files: files)
        for r in rows {
            guard
                let pid = checkedLink(
                    r, link: link, parent: parent, parentIDs: parentIDs, parentPresent: parentRows != nil)
            else { continue }
            out[pid, default: []].append(.record(remap(r, m, unmappedAs: unmappedAs)))
        }
        return out
    }

    mutating func checkedLink(
        _ r: Record, link: String, parent: String, parentIDs: Set<String>, parentPresent: Bool
    ) -> String? {
        let li = r.schema.index[link]
        let header = li.flatMap { r.headers?[$0] } ?? link
        let place = li.map { r.location(ofField: $0) } ?? r.origin.resolved
        guard let pid = linkValue(r, link) else {
            diagnostics.append(
                Diagnostic(
                    "data.missing-link", .error,
                    "row has no `\(header)`; expected the id of a row of \(tableLabel(parent))", at: place))
            return nil
        }
        guard parentIDs.contains(pid) else {
            diagnostics.append(
                Diagnostic(
                    "data.orphan-row", .error,
                    parentPresent
                        ? "`\(header)` is not an id in \(tableLabel(parent)) (found \(ValueShape.of(pid)))"
                        : "the row refers to \(tableLabel(parent)), which the "
                            + "\(tableLabels.isEmpty ? "folder" : "workbook") does not have",
                    at: place, help: closestMatch(to: pid, in: Array(parentIDs)).map { "did you mean `\($0)`?" }))
            return nil
        }
        return pid
    }

    /// Completes nested elements with a supplementary table's columns (group members with
    /// their invitations). A supplementary row with no element to complete becomes one.
    mutating func supplement(
        _ base: [String: [Value]]?, with rows: [Record], spec t: TableSpec, parentRows: [Record]?
    ) -> [String: [Value]] {
        guard case .supplement(let of, let key) = t.shape, let target = self.schema.table(of),
            case .nested(let parent, _, let link) = target.shape, let schema = t.record
        else { return base ?? [:] }
        var out = base ?? [:]
        let parentIDs = Set((parentRows ?? []).compactMap(\.displayID))
        var used: Set<String> = []
        guard let first = rows.first else { return out }
        let m = mapping(first, to: schema)
        for r in rows {
            guard
                let pid = checkedLink(
                    r, link: link, parent: parent, parentIDs: parentIDs, parentPresent: parentRows != nil)
            else { continue }
            let ki = r.schema.index[key]
            let keyPlace = ki.map { r.location(ofField: $0) } ?? r.origin.resolved
            guard case .string(let k) = r[key] else {
                diagnostics.append(
                    Diagnostic(
                        "data.missing-link", .error, "row has no `\(ki.flatMap { r.headers?[$0] } ?? key)`",
                        at: keyPlace))
                continue
            }
            if !used.insert(pid + "\u{0}" + k).inserted {
                diagnostics.append(
                    Diagnostic(
                        "data.duplicate-row", .error,
                        "a second row for the same member of `\(pid)`; one row per member",
                        at: keyPlace))
                continue
            }
            // Changed in place: a copy of the group's list per invitation would be quadratic.
            guard
                let at = out[pid]?.firstIndex(where: {
                    if case .record(let mem) = $0, case .string(k) = mem[key] { true } else { false }
                }),
                case .record(let mem)? = out[pid]?[at]
            else {
                // A member known only from its invitation: what group_members.csv would say is unknown.
                out[pid, default: []].append(.record(remap(r, m, unmappedAs: .unknown)))
                continue
            }
            // Merge: the member's own fields, then this row's; each keeps its file.
            var values = Array(mem.values), offsets = mem.offsets, headers = mem.headers ?? schema.fields.map(\.name)
            var sources = mem.fieldSources ?? [SourceFile?](filling: nil, count: schema.fields.count)
            for (ci, fld) in r.schema.fields.enumerated() where fld.name != key && fld.name != link {
                guard let fi = schema.index[fld.name] else { continue }
                values[fi] = r.values[ci]
                offsets[fi] = r.offset(ci)
                headers[fi] = r.headers?[ci] ?? fld.name
                sources[fi] = r.origin.source
            }
            out[pid, default: []][at] = .record(
                Record.make(
                    schema: schema, values: values, origin: mem.origin, offsets: offsets, headers: headers,
                    fieldSources: sources))
        }
        return out
    }

    /// The profile table: `key,value` rows for the single sections and parameter overrides.
    mutating func loadProfile(
        _ rows: [Record], into roots: inout [Value?], locations: inout SectionPlaces,
        overrides: inout [ParamOverride]
    ) {
        struct Section { var values: [Value]; var offsets: [Int32]; var headers: [String]; var origin: LazyLocation }
        var sections: [String: Section] = [:]
        var seenKeys: [String: SourceLocation] = [:]
        let version = schema.mechanisms.snapshotVersion
        for r in rows {
            guard case .string(let key) = r["key"] else { continue }
            let keyLoc = r.location(ofField: 0)
            let valueText: String? = if case .string(let s) = r["value"] { s } else { nil }
            let valueLoc = r.location(ofField: 1)
            if let prev = seenKeys[key] {
                // A key of the profile is named; any other may be a value in the wrong column.
                let named =
                    schema.profileKeyIndex[key] != nil || (key == "schema_version" && version != nil)
                    ? "key `\(key)`" : "a key"
                diagnostics.append(
                    Diagnostic(
                        "data.duplicate-key", .error, "\(named) appears twice (first at row \(prev.line))", at: keyLoc))
                continue
            }
            seenKeys[key] = keyLoc
            if key == "schema_version", let version {
                if valueText != String(version) {
                    diagnostics.append(
                        Diagnostic(
                            "data.unknown-schema-version", .error,
                            "unsupported schema_version (found \(valueText.map(ValueShape.of) ?? "a blank"), not "
                                + "\(version)); this tenken reads version \(version)",
                            at: valueLoc))
                }
                continue
            }
            if let name = ["parameter.", "parameters."].lazy.compactMap({
                key.hasPrefix($0) ? String(key.dropFirst($0.count)) : nil
            }).first {
                if let valueText {
                    overrides.append(
                        ParamOverride(
                            name: name, value: SnapshotLoader.rawParam(cell: valueText), location: valueLoc,
                            origin: "snapshot"))
                }
                continue
            }
            guard let ki = schema.profileKeyIndex[key] else {
                // An unknown key is never shown: it may be a value typed into the key column.
                if let why = RefusedNames.described(key) {
                    diagnostics.append(
                        Diagnostic(
                            "data.forbidden-field", .error, "the key \(why); its value is not read", at: keyLoc,
                            help: "remove the row; use pseudonymous ids only"))
                } else {
                    diagnostics.append(
                        Diagnostic(
                            "data.unknown-field", .warning,
                            "a key this table does not know is ignored (it is not shown)", at: keyLoc,
                            help: closestMatch(to: key, in: schema.profileKeys.map(\.key)).map {
                                "did you mean `\($0)`?"
                            }))
                }
                continue
            }
            let pk = schema.profileKeys[ki]
            let schema = self.schema.profileSchema(pk.section)
            let fi = pk.index
            var s =
                sections[pk.section]
                ?? Section(
                    values: [Value](filling: .null, count: schema.fields.count),
                    offsets: [Int32](filling: -1, count: schema.fields.count),
                    headers: schema.fields.map { "\(pk.section).\($0.name)" }, origin: r.origin)
            s.offsets[fi] = r.offset(1)
            s.headers[fi] = key
            if let valueText { s.values[fi] = convertCell(valueText, of: pk.field, at: valueLoc) }
            sections[pk.section] = s
        }
        func build(_ name: String, extra: [String: Value] = [:]) -> Record? {
            guard let s = sections[name] else { return nil }
            let schema = self.schema.profileSchema(name)
            var values = s.values
            for (k, v) in extra { if let i = schema.index[k] { values[i] = v } }
            return Record.make(schema: schema, values: values, origin: s.origin, offsets: s.offsets, headers: s.headers)
        }
        // Every single section, with the records its record-typed fields hold (`service.password`)
        // built first: a section given only through a nested key is there, its own fields blank.
        for (ri, section) in schema.sections.enumerated() where section.shape == .single {
            var extra: [String: Value] = [:]
            for f in section.record.fields {
                guard case .record = f.type, let nested = build("\(section.name).\(f.name)") else { continue }
                extra[f.name] = .record(nested)
                if sections[section.name] == nil, let p = sections["\(section.name).\(f.name)"] {
                    let n = section.record.fields.count
                    sections[section.name] = Section(
                        values: [Value](filling: .null, count: n), offsets: [Int32](filling: -1, count: n),
                        headers: section.record.fields.map { "\(section.name).\($0.name)" }, origin: p.origin)
                }
            }
            guard let rec = build(section.name, extra: extra) else { continue }
            roots[ri] = .record(rec)
            locations[ri] = rec.origin.resolved
        }
    }

    /// A parameter override from a cell: a whole number, yes/no, a `;` list, else text
    /// (the pack's declaration types it later).
    static func rawParam(cell s: String) -> ParamOverride.Raw {
        if s.contains(";") {
            return .list(s.split(separator: ";").map { rawParam(cell: CellText.trimmed($0)) })
        }
        if let n = Int(s) { return .int(n) }
        if s == "true" { return .bool(true) }
        if s == "false" { return .bool(false) }
        return .string(s)
    }
}

extension PackSchema {
    /// The record a profile key's section names: a single section (`facility`), or a
    /// record-typed field of one (`service.password`: the password policy).
    func profileSchema(_ section: String) -> RecordSchema {
        let parts = section.split(separator: ".", maxSplits: 1).map(String.init)
        // Profile keys come from the single sections (`profileKeys`), so the names are there.
        let record = sections[sectionIndex[parts[0]] ?? 0].record
        guard parts.count == 2, case .record(let inner)? = record.field(parts[1])?.type else { return record }
        return inner
    }
}
