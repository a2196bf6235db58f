import TenkenSyntax

/// A section of a pack's schema: its key in a snapshot, one record or a collection, the
/// record, and what it holds.
public struct SectionSchema: Sendable {
    /// One record (`facility`), or a collection of records, each with its own row.
    public enum Shape: Sendable { case single, collection }
    public let name: String
    public let shape: SectionSchema.Shape
    public let record: RecordSchema
    public let doc: String
    /// Where it is declared.
    public let location: SourceLocation
}

/// One key of the profile table: its section (`service.password` for a record-typed field of
/// `service`), and the field with its index in that section's record.
public typealias ProfileKey = (key: String, section: String, field: FieldSchema, index: Int)

/// A pack's data model, read from its schema file (`schema.tenken`, docs/dsl.md "The schema
/// file") and checked: the sections of a snapshot in order, every record and field with what
/// its blank means, its labels, headers and choice words, and the tables of a facility folder.
/// `compile` reports every error of the file, located, and builds nothing when there is one.
///
/// A value built once per pack and never changed: the indexes the loaders and the checker look
/// names up in are worked out here, when it is built, so every reader of the schema shares them.
public final class PackSchema: Sendable {
    /// The sections in the order the file declares them; `Facility.roots` is indexed the same.
    public let sections: [SectionSchema]
    /// A section's index by its name (`staff` → 4).
    public let sectionIndex: [String: Int]
    /// A section's index by a top-level key as a person writes it (`keyForm`): its name in any
    /// case or width, or the Japanese name of its table (`職員` is `staff`).
    let sectionKeyIndex: [String: Int]
    /// Every record reachable from the sections, by name (a field read names its record).
    public let records: [String: RecordSchema]
    /// Every name of the schema (sections and the fields of every record, nested ones too) and
    /// the reserved top-level keys: the names a diagnostic's JSON pointer may show
    /// (`JSONReader.ShownKeys`).
    public let names: Set<String>
    /// The tables of a facility folder, in the order the file declares them.
    public let tables: [TableSpec]
    /// The columns of the profile table (`key`, `value`, `description`); empty without one.
    public let profileColumns: [FieldSchema]
    /// The keys of the profile table: every field of the single sections, in order, a
    /// record-typed field's fields as keys of their own (`service.password.min_length`).
    public let profileKeys: [ProfileKey]
    /// A profile key's index in `profileKeys` by the key, or by a Japanese label that names one
    /// field only.
    public let profileKeyIndex: [String: Int]
    /// Per section, the file of the table that holds it (the profile table's for a single
    /// section), for "this rule needs table X".
    public let tableForSection: [String]
    /// The named choice sets' values, in the order written (`job`, `role`, …).
    public let choiceSets: [String: [String]]
    /// The engine's mechanisms the pack declares (statements, the published profile), resolved
    /// to section and field indexes; see `Mechanisms`.
    public let mechanisms: Mechanisms
    /// The sections' names as bytes, for `SnapshotScanner`; unusable when a section takes a
    /// name the tree path reads as something else (`SchemaBuilder.reservedKeys`, which the
    /// schema checker refuses as section names anyway).
    let scanSections: ScanNames
    /// Each section's JSON pointer (`/` and its escaped name), for `SnapshotScanner`: spelled once
    /// here rather than for every snapshot read.
    let scanPointers: [String]

    /// The schema file's name, beside the pack's manifest.
    public static let fileName = "schema.tenken"

    init(
        sections: [SectionSchema], tables: [TableSpec], choiceSets: [String: [String]],
        mechanisms: Mechanisms = Mechanisms()
    ) {
        self.sections = sections
        self.mechanisms = mechanisms
        self.tables = tables
        self.choiceSets = choiceSets
        var byName: [String: Int] = [:]
        for (i, s) in sections.enumerated() { byName[s.name] = i }
        sectionIndex = byName
        var byKey: [String: Int] = [:]
        for (i, s) in sections.enumerated() { byKey[SnapshotSchema.keyForm(s.name)] = i }
        for t in tables { if case .collection(let si) = t.shape { byKey[SnapshotSchema.keyForm(t.nameJa)] = si } }
        sectionKeyIndex = byKey
        var records: [String: RecordSchema] = [:]
        var names = SchemaBuilder.reservedKeys
        func visit(_ r: RecordSchema) {
            guard records[r.name] == nil else { return }
            records[r.name] = r
            for f in r.fields {
                switch f.type {
                case .record(let inner), .list(.record(let inner)): visit(inner)
                default: continue
                }
            }
        }
        func addNames(_ r: RecordSchema) {
            for f in r.fields {
                names.insert(f.name)
                var t = f.type
                while case .list(let inner) = t { t = inner }
                if case .record(let inner) = t { addNames(inner) }
            }
        }
        for s in sections {
            visit(s.record)
            names.insert(s.name)
            addNames(s.record)
        }
        self.records = records
        self.names = names
        let profile = tables.first { if case .profile = $0.shape { true } else { false } }
        profileColumns = profile?.rowSchema.fields ?? []
        let keys = SnapshotTables.profileKeys(of: sections.map { ($0.name, $0.shape, $0.record) })
        profileKeys = keys
        var keyIndex: [String: Int] = [:]
        for (i, k) in keys.enumerated() { keyIndex[k.key] = i }
        var seen: [String: Int] = [:]
        for (i, k) in keys.enumerated() where !k.field.docJa.isEmpty {
            seen[k.field.docJa] = seen[k.field.docJa] == nil ? i : -1
        }
        for (label, i) in seen where i >= 0 && keyIndex[label] == nil { keyIndex[label] = i }
        profileKeyIndex = keyIndex
        let sectionNames = sections.map(\.name)
        scanSections = ScanNames(
            sectionNames, usable: !sectionNames.contains(where: SchemaBuilder.reservedKeys.contains))
        scanPointers = sectionNames.map { "/" + escapePointerToken($0) }
        tableForSection = sections.indices.map { i in
            for t in tables { if case .collection(let si) = t.shape, si == i { return t.fileName } }
            return profile?.fileName ?? ""
        }
    }

    /// The section a top-level key names, as a person writes it (`keyForm`): a section's name
    /// in any case or width, or the Japanese name of its table (`職員` is `staff`).
    public func section(forKey key: String) -> Int? { sectionKeyIndex[SnapshotSchema.keyForm(key)] }

    /// The table named `name` (its English file base name).
    public func table(_ name: String) -> TableSpec? { tables.first { $0.name == name } }

    /// The file's schema, or nil and the errors (syntax and meaning, all of them), sorted by
    /// place as a rule file's are, whatever order the checks found them in.
    /// `lint: false` leaves out `SchemaLint` (a quarter of compiling): for the built-in schema,
    /// compiled at every start, which the tests hold to have no diagnostic at all.
    public static func compile(_ text: String, file: String, lint: Bool = true) -> (PackSchema?, [Diagnostic]) {
        func byPlace(_ ds: [Diagnostic]) -> [Diagnostic] {
            var bag = DiagnosticBag(cap: .max)
            bag.add(contentsOf: ds)
            return bag.sorted
        }
        let (tree, syntax) = SchemaParser.parse(text, file: file)
        guard !syntax.contains(where: { $0.severity == .error }) else { return (nil, byPlace(syntax)) }
        var b = SchemaBuilder(tree)
        let schema = b.build()
        let errors = byPlace(syntax + b.diagnostics + (lint ? SchemaLint.check(tree) : []))
        return (errors.contains { $0.severity == .error } ? nil : schema, errors)
    }
}

/// Turns a schema file's tree into the record schemas the loaders and the checker use,
/// checking every name, type and word on the way.
struct SchemaBuilder {
    let file: SchemaFile
    var diagnostics: [Diagnostic] = []
    var choiceSets: [String: ChoiceSetDecl] = [:]
    var recordDecls: [String: RecordDecl] = [:]
    var sectionDecls: [String: SectionDecl] = [:]
    var built: [String: RecordSchema] = [:]
    var building: Set<String> = []
    /// Records that failed, reported once; what depends on them is skipped without a word.
    var failed: Set<String> = []

    /// Records hold records at most this deep (the builder recurses on each).
    static let maxNesting = 16

    init(_ file: SchemaFile) { self.file = file }

    func loc(_ s: Span) -> SourceLocation { SourceLocation(file: file.path, line: s.line, column: s.column) }

    mutating func error(_ id: DiagnosticID, _ message: String, at span: Span, help: String? = nil) {
        diagnostics.append(Diagnostic(id.rawValue, .error, message, at: loc(span), help: help))
    }

    /// Declarations by name; a second one of a name is an error naming the first's place.
    mutating func index<T>(_ decls: [T], _ what: String, name: (T) -> Name) -> [String: T] {
        var out: [String: T] = [:]
        for d in decls {
            let n = name(d)
            if let first = out[n.text] {
                let s = name(first).span
                error(
                    .schemaDuplicateName, "\(what) `\(n.text)` is declared twice (first at line \(s.line))", at: n.span)
            } else {
                out[n.text] = d
            }
        }
        return out
    }

    mutating func build() -> PackSchema? {
        choiceSets = index(file.choiceSets, "the choice set", name: \.name)
        recordDecls = index(file.records, "the record", name: \.name)
        sectionDecls = index(file.sections, "the section", name: \.name)
        for set in file.choiceSets { checkChoices(set.choices, in: "choice set `\(set.name.text)`") }
        // Past the cap nothing more is shown: each error's "did you mean" scans every name.
        for r in file.records where diagnostics.count < DiagnosticBag.packCap { _ = record(r.name.text) }
        var sections: [SectionSchema] = []
        for s in file.sections {
            guard let r = record(s.record.text, at: s.record.span) else { continue }
            if let doc = s.doc, doc.isEmpty {
                error(.schemaInvalid, "section `\(s.name.text)` has an empty description", at: s.name.span)
            }
            sections.append(
                SectionSchema(
                    name: s.name.text, shape: s.collection ? .collection : .single, record: r, doc: s.doc ?? "",
                    location: loc(s.name.span)))
        }
        if sections.isEmpty, diagnostics.isEmpty {
            error(.schemaInvalid, "the schema declares no section", at: Span(line: 1, column: 1, offset: 0))
        }
        let tables = self.tables(sections)
        let mechanisms = self.mechanisms(sections, tables)
        return PackSchema(
            sections: sections, tables: tables,
            choiceSets: choiceSets.mapValues { $0.choices.map(\.value) }, mechanisms: mechanisms)
    }

    // MARK: choices

    /// No value twice, no Japanese word for two values, no word that is another value: a table
    /// cell is read as either, so each must name one value.
    mutating func checkChoices(_ choices: [ChoiceDecl], in what: String) {
        var values: [String: ChoiceDecl] = [:]
        var words: [String: ChoiceDecl] = [:]
        var folded: [String: ChoiceDecl] = [:]
        for c in choices where folded[SnapshotSchema.keyForm(c.value)] == nil {
            folded[SnapshotSchema.keyForm(c.value)] = c
        }
        for c in choices {
            if values[c.value] != nil {
                error(.schemaChoiceCollision, "`\(c.value)` is listed twice in \(what)", at: c.span)
            }
            values[c.value] = c
        }
        for c in choices {
            guard let ja = c.ja else { continue }
            if ja.isEmpty { error(.schemaInvalid, "the Japanese word of `\(c.value)` is empty", at: c.span) }
            if let other = words[ja] {
                error(
                    .schemaChoiceCollision,
                    "`\(c.value)` and `\(other.value)` have the same Japanese word \(Formatter.quote(ja)) in \(what): a table "
                        + "cell with it would name either", at: c.span)
            }
            words[ja] = c
            if let other = folded[SnapshotSchema.keyForm(ja)], other.value != c.value {
                error(
                    .schemaChoiceCollision,
                    "the Japanese word \(Formatter.quote(ja)) of `\(c.value)` is the value `\(other.value)` in \(what)",
                    at: c.span)
            }
        }
    }

    // MARK: records

    /// The record named `name`, built once (its record-typed fields first); nil after an error.
    mutating func record(_ name: String, at span: Span? = nil) -> RecordSchema? {
        if let r = built[name] { return r }
        if failed.contains(name) { return nil }
        guard let d = recordDecls[name] else {
            if let span {
                error(
                    .schemaUnknownType, "no record is named `\(name)`", at: span,
                    help: closestMatch(to: name, in: recordDecls.keys).map { "did you mean `\($0)`?" })
            }
            return nil
        }
        guard building.count < SchemaBuilder.maxNesting else {
            error(.schemaInvalid, "records nest more than \(SchemaBuilder.maxNesting) deep", at: span ?? d.name.span)
            return nil
        }
        guard building.insert(name).inserted else {
            error(.schemaInvalid, "record `\(name)` contains itself", at: span ?? d.name.span)
            return nil
        }
        defer { building.remove(name) }
        let before = diagnostics.count
        let fieldNames = index(d.fields, "the field", name: \.name)
        var fields: [FieldSchema] = []
        for f in d.fields {
            if let fs = field(f, of: d, names: fieldNames) { fields.append(fs) }
        }
        let id: String?
        switch d.id {
        case nil: id = fieldNames["id"] == nil ? nil : "id"
        case .some(nil):
            id = nil
            if d.unique != nil {
                error(.schemaInvalid, "a record without ids cannot say they are unique", at: d.name.span)
            }
        case .some(.some(let n)):
            id = n.text
            requireField(n, in: d, names: fieldNames)
        }
        let exclusions = d.exclusions.compactMap { x -> RecordSchema.Exclusion? in
            guard requireField(x.excluded, in: d, names: fieldNames, type: x.when == .given ? nil : "a date") else {
                return nil
            }
            guard let vals = stateValues(x.state, x.values, in: d, names: fieldNames) else { return nil }
            let when: RecordSchema.Exclusion.When =
                switch x.when {
                case .given: .given
                case .onOrBeforeAsOf: .onOrBeforeAsOf
                case .afterAsOf: .afterAsOf
                }
            return .init(field: x.state.text, values: vals, excludes: x.excluded.text, when: when)
        }
        let nonEmpty = d.nonEmpty.compactMap { n -> RecordSchema.NonEmpty? in
            guard requireField(n.list, in: d, names: fieldNames, type: "a list"),
                let vals = stateValues(n.state, n.values, in: d, names: fieldNames)
            else { return nil }
            return .init(n.list.text, when: n.state.text, in: vals)
        }
        let denials = d.denials.compactMap { x -> RecordSchema.Denial? in
            guard requireField(x.flag, in: d, names: fieldNames, type: "bool"),
                let inner = listRecord(x.list, in: d, names: fieldNames)
            else { return nil }
            let innerNames = Dictionary(inner.fields.map { ($0.name.text, $0) }) { a, _ in a }
            var any: [(field: String, values: [Value])] = []
            for (f, vs) in x.any {
                guard let fd = innerNames[f.text] else {
                    unknownField(f, in: inner)
                    return nil
                }
                guard let vals = values(vs, for: fd, at: f.span) else { return nil }
                any.append((f.text, vals))
            }
            if let e = x.except, !requireField(e, in: inner, names: innerNames) { return nil }
            return .init(x.flag.text, list: x.list.text, any: any, pastWhen: x.except?.text)
        }
        let bounds = d.bounds.compactMap { b -> RecordSchema.Bound? in
            guard requireField(b.field, in: d, names: fieldNames, type: "int"),
                let vals = stateValues(b.state, b.values, in: d, names: fieldNames)
            else { return nil }
            if let lo = b.min, let hi = b.max, lo > hi {
                error(
                    .schemaInvalid, "the bound on `\(b.field.text)` admits no value (\(lo) > \(hi))", at: b.field.span)
            }
            if b.because.isEmpty { error(.schemaInvalid, "a bound needs its reason", at: b.field.span) }
            return .init(b.field.text, min: b.min, max: b.max, when: b.state.text, in: vals, why: b.because)
        }
        // The engine resolves cross-record conditions with a 64-bit mask of field indexes.
        for (i, f) in d.fields.enumerated() where i >= 64 {
            if f.absent?.unless.contains(where: { if case .element = $0.scope { false } else { true } }) == true {
                error(
                    .schemaInvalid,
                    "a field whose blank other records can contradict must be among the first 64 of its record",
                    at: f.name.span)
            }
        }
        guard diagnostics.count == before, fields.count == d.fields.count else {
            // The headers are still checked, from the declarations, so every fault is reported.
            checkHeaders(d.fields, record: name)
            failed.insert(name)
            return nil
        }
        let r = RecordSchema(
            name, id: id, unique: d.unique, exclusions: exclusions, nonEmpty: nonEmpty, denials: denials,
            bounds: bounds, fields)
        checkHeaders(r, d.fields)
        guard r.headerCollisions.isEmpty else {
            failed.insert(name)
            return nil
        }
        built[name] = r
        return r
    }

    static func show(_ l: Literal) -> String {
        switch l {
        case .string(let s): "\(Formatter.quote(s))"
        case .int(let i): "\(i)"
        case .bool(let b): "\(b)"
        case .null: "null"
        case .date(let d): d
        case .duration(let n, let u): "\(n) \(u.rawValue)"
        }
    }

    /// The same check as `checkHeaders(_:_:)` from the declarations alone, for a record that
    /// could not be built.
    mutating func checkHeaders(_ fields: [FieldDecl], record: String) {
        var owner: [String: String] = [:]
        for f in fields {
            for (h, span) in [(f.name.text, f.name.span)] + (f.ja.map { [($0, f.name.span)] } ?? []) + f.aliases {
                let k = SnapshotSchema.keyForm(h)
                if let o = owner[k], o != f.name.text {
                    error(
                        .schemaDuplicateHeader,
                        "the header \(Formatter.quote(h)) of `\(f.name.text)` is also `\(o)`'s in record `\(record)`: a column "
                            + "with it would fill either", at: span)
                } else {
                    owner[k] = f.name.text
                }
            }
        }
    }

    /// Two fields of one record answering to one header (after `SnapshotSchema.keyForm`: case,
    /// width, spaces): a column with it would fill either. Found while the record's header
    /// index is built (`RecordSchema.headerCollisions`), so checking costs nothing more.
    mutating func checkHeaders(_ r: RecordSchema, _ fields: [FieldDecl]) {
        for c in r.headerCollisions where c.field < fields.count && c.other < fields.count {
            let f = fields[c.field]
            let span = f.aliases.first { $0.text == c.header }?.span ?? f.name.span
            error(
                .schemaDuplicateHeader,
                "the header \(Formatter.quote(c.header)) of `\(f.name.text)` is also `\(fields[c.other].name.text)`'s in record "
                    + "`\(r.name)`: a column with it would fill either", at: span)
        }
    }

    /// The record of a list-of-records field of `d`, or nil after an error.
    mutating func listRecord(_ list: Name, in d: RecordDecl, names: [String: FieldDecl]) -> RecordDecl? {
        guard let f = names[list.text] else {
            unknownField(list, in: d)
            return nil
        }
        guard case .list(.named(let inner)) = f.type, let r = recordDecls[inner.text] else {
            error(.schemaInvalid, "`\(list.text)` is not a list of records", at: list.span)
            return nil
        }
        return r
    }

    mutating func unknownField(_ n: Name, in d: RecordDecl) {
        error(
            .schemaUnknownField, "record `\(d.name.text)` has no field `\(n.text)`", at: n.span,
            help: closestMatch(to: n.text, in: d.fields.map(\.name.text)).map { "did you mean `\($0)`?" })
    }

    /// Whether `n` is a field of `d` (of the kind `type` names: `a date`, `int`, `bool`, `a list`).
    @discardableResult
    mutating func requireField(_ n: Name, in d: RecordDecl, names: [String: FieldDecl], type: String? = nil) -> Bool {
        guard let f = names[n.text] ?? d.fields.first(where: { $0.name.text == n.text }) else {
            unknownField(n, in: d)
            return false
        }
        guard let type else { return true }
        let ok: Bool
        switch (type, f.type) {
        case ("a list", .list): ok = true
        case ("a date", .named(let t)): ok = t.text == "date"
        case ("int", .named(let t)), ("bool", .named(let t)): ok = t.text == type
        default: ok = false
        }
        if !ok {
            error(
                .schemaInvalid, "`\(n.text)` must be \(type == "int" || type == "bool" ? "an \(type)" : type) field",
                at: n.span)
        }
        return ok
    }

    /// The values a state field is compared with, checked against its choices.
    mutating func stateValues(
        _ state: Name, _ values: SchemaValuesDecl, in d: RecordDecl, names: [String: FieldDecl]
    ) -> [String]? {
        guard requireField(state, in: d, names: names) else { return nil }
        let allowed = choices(of: names[state.text]?.type)
        let vs: [(String, Span)]
        switch values {
        case .choiceSet(let n):
            guard let set = choiceSets[n.text] else {
                error(.schemaUnknownType, "no choice set is named `\(n.text)`", at: n.span)
                return nil
            }
            vs = set.choices.map { ($0.value, n.span) }
        case .list(let lits, let span):
            var out: [(String, Span)] = []
            for l in lits {
                guard case .string(let s) = l else {
                    error(.schemaInvalid, "a state's values are strings", at: span)
                    return nil
                }
                out.append((s, span))
            }
            vs = out
        }
        guard let allowed else {
            error(.schemaInvalid, "`\(state.text)` must be a choice field", at: state.span)
            return nil
        }
        for (v, span) in vs where !allowed.contains(v) {
            error(
                .schemaInvalid, "`\(v)` is not a value of `\(state.text)` (\(allowed.joined(separator: ", ")))",
                at: span)
            return nil
        }
        return vs.map(\.0)
    }

    func choices(of t: SchemaTypeDecl?) -> [String]? {
        switch t {
        case .choiceSet(let n)?: choiceSets[n.text]?.choices.map(\.value)
        case .choices(let cs)?: cs.map(\.value)
        case .list(let inner)?: choices(of: inner)
        default: nil
        }
    }

    /// Literals as the values a condition compares `field` with, checked against its type.
    mutating func values(_ lits: [Literal], for field: FieldDecl, at span: Span) -> [Value]? {
        var out: [Value] = []
        for l in lits {
            let v: Value
            let ok: Bool
            switch l {
            case .null:
                v = .null
                ok = true
            case .bool(let b):
                v = .bool(b)
                if case .named(let t) = field.type { ok = t.text == "bool" } else { ok = false }
            case .int(let i):
                v = .int(i)
                if case .named(let t) = field.type { ok = t.text == "int" } else { ok = false }
            case .string(let s):
                v = .string(s)
                if let cs = choices(of: field.type) {
                    ok = cs.contains(s)
                } else if case .named(let t) = field.type {
                    ok = t.text == "string"
                } else {
                    ok = false
                }
            default:
                v = .null
                ok = false
            }
            guard ok else {
                error(.schemaInvalid, "\(SchemaBuilder.show(l)) is not a value of field `\(field.name.text)`", at: span)
                return nil
            }
            out.append(v)
        }
        return out
    }

    /// The record of a section that is a collection, or nil after an error.
    mutating func collection(_ n: Name) -> RecordDecl? {
        guard let s = sectionDecls[n.text] else {
            error(
                .schemaUnknownSection, "no section is named `\(n.text)`", at: n.span,
                help: closestMatch(to: n.text, in: sectionDecls.keys).map { "did you mean `\($0)`?" })
            return nil
        }
        guard s.collection else {
            error(.schemaInvalid, "section `\(n.text)` is one record, not a collection", at: n.span)
            return nil
        }
        guard let r = recordDecls[s.record.text] else { return nil }
        return r
    }

    mutating func field(_ f: FieldDecl, of d: RecordDecl, names: [String: FieldDecl]) -> FieldSchema? {
        guard let type = resolve(f.type, at: f.typeSpan) else { return nil }
        var choicesJa: [String: String] = [:]
        var cs: [ChoiceDecl] = []
        var t = f.type
        while case .list(let inner) = t { t = inner }
        switch t {
        case .choiceSet(let n): cs = choiceSets[n.text]?.choices ?? []
        case .choices(let inline):
            cs = inline
            checkChoices(inline, in: "field `\(f.name.text)`")
        default: break
        }
        for c in cs { if let ja = c.ja { choicesJa[c.value] = ja } }
        // Two values with one word are reported where the set is declared; nothing is built.
        guard Set(choicesJa.values).count == choicesJa.count else { return nil }
        if let nb = f.notBefore {
            requireField(nb, in: d, names: names, type: "a date")
            if case .named(let own) = f.type, own.text != "date" {
                error(.schemaInvalid, "only a date can be `not_before` another", at: nb.span)
            }
        }
        if let r = f.references, collection(r) != nil {
            var base = f.type
            if case .list(let inner) = base { base = inner }
            if case .named(let n) = base, n.text == "string" {
            } else {
                error(.schemaInvalid, "a field that references ids is a string or a list of strings", at: r.span)
            }
        }
        if f.zeroAmbiguous {
            switch type {
            case .int, .duration: break
            default: error(.schemaInvalid, "only an int or a duration can have an ambiguous zero", at: f.name.span)
            }
        }
        if f.past, !(type == .date || type == .list(.date)) {
            error(.schemaInvalid, "only a date (or a list of dates) can be `past`", at: f.name.span)
        }
        if f.doc?.isEmpty ?? true {
            error(.schemaInvalid, "field `\(f.name.text)` needs a description (`doc \"…\"`)", at: f.name.span)
        }
        var absent = Absence.unknown
        if let a = f.absent {
            var conditions: [AbsenceCondition] = []
            for c in a.unless {
                if let cond = condition(c, of: d, names: names) { conditions.append(cond) }
            }
            if let lit = a.assumed {
                guard let v = values([lit], for: f, at: a.span)?.first else { return nil }
                absent = .assumed(v, en: a.en, ja: a.ja, unless: conditions)
            } else {
                absent = .none(en: a.en, ja: a.ja, unless: conditions)
            }
            if a.en.isEmpty || a.ja.isEmpty {
                error(.schemaInvalid, "what a blank means is said in both languages", at: a.span)
            }
        }
        return FieldSchema(
            name: f.name.text, type: type, aliases: (f.ja.map { [$0] } ?? []) + f.aliases.map(\.text),
            doc: f.doc ?? "", docJa: f.ja ?? "", choicesJa: choicesJa, absent: absent, notBefore: f.notBefore?.text,
            pastOnly: f.past, references: f.references?.text, identifier: f.identifier,
            zeroIsAmbiguous: f.zeroAmbiguous)
    }

    mutating func condition(_ c: SchemaConditionDecl, of d: RecordDecl, names: [String: FieldDecl]) -> AbsenceCondition?
    {
        let target: RecordDecl
        let scope: AbsenceCondition.Scope
        switch c.scope {
        case .element:
            target = d
            scope = .element
        case .single(let section):
            guard let r = single(section) else { return nil }
            target = r
            scope = .single(section: section.text)
        case .nested(let list):
            guard let r = listRecord(list, in: d, names: names) else { return nil }
            target = r
            scope = .nested(list: list.text)
        case .related(let collection, let key):
            guard let r = self.collection(collection) else { return nil }
            let keyNames = Dictionary(r.fields.map { ($0.name.text, $0) }) { a, _ in a }
            guard requireField(key, in: r, names: keyNames) else { return nil }
            target = r
            scope = .related(collection: collection.text, key: key.text)
        }
        guard let fd = target.fields.first(where: { $0.name.text == c.field.text }) else {
            unknownField(c.field, in: target)
            return nil
        }
        guard let vs = values(c.values, for: fd, at: c.field.span) else { return nil }
        return AbsenceCondition(scope, field: c.field.text, values: vs)
    }

    mutating func resolve(_ t: SchemaTypeDecl, at span: Span) -> FieldType? {
        switch t {
        case .duration(let u): return .duration(unit: u)
        case .list(let inner): return resolve(inner, at: span).map { .list($0) }
        case .choices(let cs):
            guard !cs.isEmpty else {
                error(.schemaInvalid, "a choice needs at least one value", at: span)
                return nil
            }
            return .enumeration(cs.map(\.value))
        case .choiceSet(let n):
            guard let set = choiceSets[n.text] else {
                error(
                    .schemaUnknownType, "no choice set is named `\(n.text)`", at: n.span,
                    help: closestMatch(to: n.text, in: choiceSets.keys).map { "did you mean `\($0)`?" })
                return nil
            }
            return .enumeration(set.choices.map(\.value))
        case .named(let n):
            switch n.text {
            case "int": return .int
            case "bool": return .bool
            case "string": return .string
            case "date": return .date
            default:
                guard recordDecls[n.text] != nil else {
                    error(
                        .schemaUnknownType,
                        "`\(n.text)` is no type: int, bool, string, date, duration UNIT, choice …, [type] or a record",
                        at: n.span,
                        help: closestMatch(to: n.text, in: ["int", "bool", "string", "date"] + recordDecls.keys).map {
                            "did you mean `\($0)`?"
                        })
                    return nil
                }
                return record(n.text, at: n.span).map { .record($0) }
            }
        }
    }

    // MARK: tables

    mutating func tables(_ sections: [SectionSchema]) -> [TableSpec] {
        var out: [TableSpec] = []
        _ = index(file.tables, "the table", name: \.name)
        var jaNames: [String: Name] = [:]
        for t in file.tables {
            if let other = jaNames[t.ja], other.text != t.name.text {
                error(
                    .schemaDuplicateName,
                    "tables `\(other.text)` and `\(t.name.text)` have the Japanese name \(Formatter.quote(t.ja))",
                    at: t.name.span)
            }
            jaNames[t.ja] = t.name
            guard let spec = table(t, sections, out) else { continue }
            // A table's own columns beside its record's fields (a link column) share its headers.
            for c in spec.rowSchema.headerCollisions {
                error(
                    .schemaDuplicateHeader,
                    "the header \(Formatter.quote(c.header)) of column `\(spec.rowSchema.fields[c.field].name)` is also column "
                        + "`\(spec.rowSchema.fields[c.other].name)`'s in table `\(t.name.text)`", at: t.name.span)
            }
            out.append(spec)
        }
        return out
    }

    /// The names of the tables declared before `t`.
    func declaredBefore(_ t: TableDecl) -> Set<String> {
        Set(file.tables.prefix { $0.name.span != t.name.span }.map(\.name.text))
    }

    /// The record's fields that a table holds (`without`, `only`), each checked.
    mutating func kept(_ t: TableDecl, _ r: RecordSchema) -> [FieldSchema] {
        for n in t.without + (t.only ?? []) where r.field(n.text) == nil {
            error(.schemaUnknownField, "record `\(r.name)` has no field `\(n.text)`", at: n.span)
        }
        let without = Set(t.without.map(\.text))
        let only = t.only.map { Set($0.map(\.text)) }
        return r.fields.filter { !without.contains($0.name) && (only?.contains($0.name) ?? true) }
    }

    mutating func table(_ t: TableDecl, _ sections: [SectionSchema], _ earlier: [TableSpec]) -> TableSpec? {
        let own = t.fields.compactMap { f in
            field(
                f, of: RecordDecl(name: t.name, fields: t.fields),
                names: Dictionary(t.fields.map { ($0.name.text, $0) }) { a, _ in a })
        }
        guard own.count == t.fields.count else { return nil }
        let docJa = t.docJa ?? ""
        switch t.shape {
        case nil:
            error(
                .schemaInvalid,
                "table `\(t.name.text)` needs its shape: `profile`, `section`, `nested` or `supplement`",
                at: t.name.span)
            return nil
        case .profile?:
            guard !own.isEmpty else {
                error(.schemaInvalid, "the profile table declares its columns (`field key: string …`)", at: t.name.span)
                return nil
            }
            let id = t.rowID?.text ?? own[0].name
            if own.first(where: { $0.name == id }) == nil, let n = t.rowID {
                error(.schemaUnknownField, "table `\(t.name.text)` has no column `\(n.text)`", at: n.span)
            }
            return TableSpec(
                name: t.name.text, nameJa: t.ja, doc: t.doc ?? "", docJa: docJa, shape: .profile, record: nil,
                rowSchema: RecordSchema(t.row?.text ?? "profile_row", id: id, own))
        case .section(let n)?:
            guard let i = sections.firstIndex(where: { $0.name == n.text }) else {
                if sectionDecls[n.text] != nil { return nil }  // its record failed, reported there
                error(.schemaUnknownSection, "no section is named `\(n.text)`", at: n.span)
                return nil
            }
            let s = sections[i]
            guard s.shape == .collection else {
                error(.schemaInvalid, "section `\(n.text)` is one record: it lives in the profile table", at: n.span)
                return nil
            }
            let fields = kept(t, s.record)
            return TableSpec(
                name: t.name.text, nameJa: t.ja, doc: t.doc ?? s.doc, docJa: docJa, shape: .collection(root: i),
                record: s.record,
                rowSchema: fields.count == s.record.fields.count
                    ? s.record : RecordSchema(s.record.name, id: s.record.idField, own + fields))
        case .nested(let parent, let list, let link)?:
            guard let p = earlier.first(where: { $0.name == parent.text }), case .collection = p.shape,
                let pr = p.record
            else {
                if declaredBefore(t).contains(parent.text) { return nil }  // it failed, reported there
                error(
                    .schemaUnknownSection, "no table of a section is named `\(parent.text)` before this one",
                    at: parent.span)
                return nil
            }
            guard let lf = pr.field(list.text), case .list(.record(let inner)) = lf.type else {
                error(.schemaInvalid, "`\(list.text)` is no list of records of `\(pr.name)`", at: list.span)
                return nil
            }
            guard own.contains(where: { $0.name == link.text }) else {
                error(
                    .schemaUnknownField,
                    "the link column `\(link.text)` is declared in the table (`field \(link.text): string …`)",
                    at: link.span)
                return nil
            }
            return TableSpec(
                name: t.name.text, nameJa: t.ja, doc: t.doc ?? "", docJa: docJa,
                shape: .nested(parent: parent.text, listField: list.text, link: link.text), record: inner,
                rowSchema: RecordSchema(t.row?.text ?? inner.name + "_row", id: inner.idField, own + kept(t, inner)))
        case .supplement(let of, let key)?:
            guard let base = earlier.first(where: { $0.name == of.text }), case .nested = base.shape,
                let r = base.record
            else {
                if declaredBefore(t).contains(of.text) { return nil }  // it failed, reported there
                error(.schemaUnknownSection, "no nested table is named `\(of.text)` before this one", at: of.span)
                return nil
            }
            let fields = own + kept(t, r)
            guard fields.contains(where: { $0.name == key.text }) else {
                error(.schemaUnknownField, "table `\(t.name.text)` has no column `\(key.text)`", at: key.span)
                return nil
            }
            return TableSpec(
                name: t.name.text, nameJa: t.ja, doc: t.doc ?? "", docJa: docJa,
                shape: .supplement(of: of.text, key: key.text), record: r,
                rowSchema: RecordSchema(t.row?.text ?? r.name + "_row", id: r.idField, fields))
        }
    }
}
