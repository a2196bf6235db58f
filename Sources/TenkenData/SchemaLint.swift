import TenkenSyntax

/// The checks of a schema file that hold its words and tables to what the readers and writers
/// do with them, beyond names and types (`SchemaBuilder`): docs/dsl.md, "The schema file".
///
/// - Words: a choice value, a choice's Japanese word, a field's Japanese label or an alias is
///   neither empty nor padded with white space (a table cell and a header are trimmed when
///   read, `CellText.clean`), and no two of one set are equal once folded as the reader folds
///   them (`SnapshotSchema.keyForm`: trim, NFKC, case): otherwise a value written to a table
///   comes back as another one. Equal words before folding are the builder's to report.
/// - Tables: every collection section is the rows of exactly one table and the single sections
///   have one profile table; a table keeps its record's id column and at least one column;
///   every field a table leaves out is held by a nested or supplement table; `only` and
///   `without` are not said together.
/// - File names: a table's name and Japanese name are plain, portable file names (no path
///   separator, `..`, control character or name Windows reserves) and name one table once
///   folded across both languages, as `foldedFileName` and the key reader fold them.
/// - Declarations that mean nothing: a field compared with itself (`not_before`, `unless`),
///   a list as a record's id, a record named like a built-in type.
///
/// Each mistake is reported once, located; what the builder already refuses (an unknown
/// section, a missing field) is skipped without a word here.
/// The rule every label and word a pack declares is held to, in the schema file and the
/// manifest alike: why `w` is not one (empty, or white space at an end), or nil.
public func labelProblem(_ w: String) -> String? { SchemaLint.wordProblem(w) }

struct SchemaLint {
    let file: SchemaFile
    var diagnostics: [Diagnostic] = []

    static func check(_ file: SchemaFile) -> [Diagnostic] {
        var l = SchemaLint(file: file)
        l.run()
        return l.diagnostics
    }

    /// Built-in type names a record may not take (`record int` would hide the type).
    static let builtInTypes: Set<String> = ["int", "bool", "string", "date", "duration", "choice"]

    /// Names Windows reserves for devices, in any case and with any extension.
    static let reservedFileNames: Set<String> = {
        var s: Set<String> = ["con", "prn", "aux", "nul", "conin$", "conout$"]
        for d in Array("123456789¹²³") {
            s.insert("com\(d)")
            s.insert("lpt\(d)")
        }
        return s
    }()

    /// A file name's bytes at most, leaving room for `.csv` and a temporary suffix.
    static let maxFileNameBytes = 200

    mutating func error(_ id: DiagnosticID, _ message: String, at span: Span, help: String? = nil) {
        diagnostics.append(
            Diagnostic(
                id.rawValue, .error, message, at: SourceLocation(file: file.path, line: span.line, column: span.column),
                help: help))
    }

    mutating func run() {
        for r in file.records where SchemaLint.builtInTypes.contains(r.name.text) {
            error(
                .schemaInvalid, "a record may not be named `\(r.name.text)`: it is a built-in type", at: r.name.span)
        }
        for set in file.choiceSets { choices(set.choices, in: "choice set `\(set.name.text)`") }
        for r in file.records { record(r) }
        for t in file.tables {
            for f in t.fields { field(f, in: "table `\(t.name.text)`") }
        }
        fileNames()
        coverage()
    }

    // MARK: words

    /// Why a word cannot be written to a table and read back as itself, or nil.
    static func wordProblem(_ w: String) -> String? {
        guard let first = w.unicodeScalars.first, let last = w.unicodeScalars.last else { return "is empty" }
        if CellText.isSpace(first) || CellText.isSpace(last) || first.properties.isWhitespace
            || last.properties.isWhitespace
        {
            return "has white space at an end, which a table's reader trims"
        }
        return nil
    }

    /// Values and Japanese words of one set: well formed, and distinct once folded. Exact
    /// repeats and an empty Japanese word are the builder's (`SchemaBuilder.checkChoices`).
    mutating func choices(_ cs: [ChoiceDecl], in what: String) {
        var values: [String: ChoiceDecl] = [:]
        var words: [String: ChoiceDecl] = [:]
        for c in cs {
            // A word that collides once trimmed or folded is reported as the collision alone.
            let v = SnapshotSchema.keyForm(c.value)
            if let o = values[v], o.value != c.value {
                error(
                    .schemaChoiceCollision,
                    "`\(c.value)` and `\(o.value)` in \(what) differ only in case, width or spaces: a table cell "
                        + "\(Formatter.quote(c.value.uppercased())) would name either", at: c.span)
            } else {
                if values[v] == nil { values[v] = c }
                if let p = SchemaLint.wordProblem(c.value) {
                    error(.schemaInvalid, "the choice value \(Formatter.quote(c.value)) in \(what) \(p)", at: c.span)
                }
            }
            guard let ja = c.ja, !ja.isEmpty else { continue }
            let k = SnapshotSchema.keyForm(ja)
            if let o = words[k], o.ja != ja {
                error(
                    .schemaChoiceCollision,
                    "the Japanese words \(Formatter.quote(ja)) of `\(c.value)` and \(Formatter.quote(o.ja ?? "")) of `\(o.value)` in \(what) "
                        + "differ only in case, width or spaces: a table cell with either would name one value",
                    at: c.span)
            } else {
                if words[k] == nil { words[k] = c }
                if let p = SchemaLint.wordProblem(ja) {
                    error(
                        .schemaInvalid, "the Japanese word \(Formatter.quote(ja)) of `\(c.value)` in \(what) \(p)",
                        at: c.span)
                }
            }
        }
    }

    /// A field's own headers (name, Japanese label, aliases): well formed and each said once.
    mutating func field(_ f: FieldDecl, in what: String) {
        var seen: [String: String] = [SnapshotSchema.keyForm(f.name.text): f.name.text]
        if let ja = f.ja {
            // A label may be the name in other letters (`ja "OS"` for `os`).
            if let p = SchemaLint.wordProblem(ja) {
                error(
                    .schemaInvalid, "the Japanese label \(Formatter.quote(ja)) of `\(f.name.text)` in \(what) \(p)",
                    at: f.name.span)
            }
            seen[SnapshotSchema.keyForm(ja)] = ja
        }
        for a in f.aliases {
            if let p = SchemaLint.wordProblem(a.text) {
                error(
                    .schemaInvalid, "the alias \(Formatter.quote(a.text)) of `\(f.name.text)` in \(what) \(p)",
                    at: a.span)
            } else if let o = seen[SnapshotSchema.keyForm(a.text)] {
                error(
                    .schemaDuplicateHeader,
                    "the alias \(Formatter.quote(a.text)) of `\(f.name.text)` in \(what) is its header \(Formatter.quote(o)) again",
                    at: a.span)
            } else {
                seen[SnapshotSchema.keyForm(a.text)] = a.text
            }
        }
        var t = f.type
        while case .list(let inner) = t { t = inner }
        if case .choices(let inline) = t { choices(inline, in: "field `\(f.name.text)`") }
    }

    // MARK: records

    mutating func record(_ r: RecordDecl) {
        for f in r.fields {
            field(f, in: "record `\(r.name.text)`")
            if let nb = f.notBefore, nb.text == f.name.text {
                error(.schemaInvalid, "`\(f.name.text)` cannot be `not_before` itself", at: nb.span)
            }
            for c in f.absent?.unless ?? [] {
                guard case .element = c.scope, c.field.text == f.name.text else { continue }
                error(
                    .schemaInvalid,
                    "what a blank `\(f.name.text)` means cannot depend on `\(f.name.text)` itself: it is blank",
                    at: c.field.span)
            }
        }
        if let id = idField(r), let f = r.fields.first(where: { $0.name.text == id.text }),
            case .list = f.type
        {
            error(.schemaInvalid, "the id of record `\(r.name.text)` cannot be a list (`\(id.text)`)", at: id.span)
        }
    }

    /// The field naming a record's elements (`id F`, or a field `id`), or nil.
    func idField(_ r: RecordDecl) -> Name? {
        switch r.id {
        case nil: r.fields.first { $0.name.text == "id" }?.name
        case .some(nil): nil
        case .some(.some(let n)): n
        }
    }

    // MARK: file names

    /// Why `name` is not a plain, portable file name (`NAME.csv`), or nil.
    static func fileNameProblem(_ name: String) -> String? {
        if name.isEmpty { return "is empty" }
        if let u = name.unicodeScalars.first(where: { TextSafety.isForbidden($0) }) {
            return "holds \(TextSafety.describe(u))"
        }
        if let c = name.first(where: { "/\\:*?\"<>|".contains($0) }) { return "holds `\(c)`, which a file name cannot" }
        if name.hasPrefix(".") { return "starts with a dot (`..` climbs out of the folder; `.x` is hidden)" }
        if name.hasSuffix(".") || name.unicodeScalars.first.map(CellText.isSpace) == true
            || name.unicodeScalars.last.map(CellText.isSpace) == true
        {
            return "starts or ends with a space or ends with a dot, which Windows drops"
        }
        let base = SnapshotSchema.keyForm(name).split(separator: ".", maxSplits: 1).first.map(String.init) ?? ""
        if reservedFileNames.contains(SnapshotSchema.keyForm(base)) { return "is a device name Windows reserves" }
        if name.utf8.count > maxFileNameBytes { return "is longer than \(maxFileNameBytes) bytes" }
        return nil
    }

    /// Each table's file names are safe and name it alone once folded, in either language.
    mutating func fileNames() {
        var owner: [String: (table: String, word: String, which: String)] = [:]
        for t in file.tables {
            for (word, which) in [(t.name.text, "name"), (t.ja, "Japanese name")] {
                if let p = SchemaLint.fileNameProblem(word) {
                    error(
                        .schemaFileName,
                        "the \(which) \(Formatter.quote(word)) of table `\(t.name.text)`, a file name in a facility folder, \(p)",
                        at: t.name.span)
                    continue
                }
                let k = SnapshotSchema.keyForm(word)
                guard let o = owner[k] else {
                    owner[k] = (t.name.text, word, which)
                    continue
                }
                // The same table's two names may agree; an exact repeat is the builder's to report.
                guard o.table != t.name.text, o.word != word || o.which != which else { continue }
                error(
                    .schemaDuplicateName,
                    "the \(which) \(Formatter.quote(word)) of table `\(t.name.text)` is \(Formatter.quote(o.word)) of table `\(o.table)` once "
                        + "case and width are folded: both would be one file", at: t.name.span)
            }
        }
    }

    // MARK: coverage

    /// Every field of every section is a column of exactly one table (docs/tables.md): a section
    /// no table holds, or a field no table holds, is lost on `convert --to csv` without a word.
    mutating func coverage() {
        let records = Dictionary(file.records.map { ($0.name.text, $0) }) { a, _ in a }
        let sections = Dictionary(file.sections.map { ($0.name.text, $0) }) { a, _ in a }
        var holder: [String: TableDecl] = [:]
        var profile: TableDecl?
        var nestedHolder: [String: TableDecl] = [:]
        // Tables reported already (`only` with `without`, a second table of one section): not checked further.
        var unclear: Set<String> = []
        for t in file.tables {
            if t.only != nil, !t.without.isEmpty {
                error(
                    .schemaTableCoverage, "table `\(t.name.text)` says both `only` and `without`: say one",
                    at: t.without[0].span)
                unclear.insert(t.name.text)
            }
            switch t.shape {
            case .profile?:
                if let p = profile {
                    error(
                        .schemaTableCoverage,
                        "table `\(t.name.text)` is a second profile table (the first is `\(p.name.text)`)",
                        at: t.name.span)
                } else {
                    profile = t
                }
            case .section(let s)?:
                if let o = holder[s.text] {
                    error(
                        .schemaTableCoverage,
                        "section `\(s.text)` is already the rows of table `\(o.name.text)`: a folder with both "
                            + "would hold it twice", at: s.span)
                    unclear.insert(t.name.text)
                } else {
                    holder[s.text] = t
                }
            case .nested(let parent, let list, _)?:
                let k = parent.text + "." + list.text
                if let o = nestedHolder[k] {
                    error(
                        .schemaTableCoverage, "`\(k)` is already the rows of table `\(o.name.text)`", at: list.span)
                    unclear.insert(t.name.text)
                } else {
                    nestedHolder[k] = t
                }
            default: break
            }
        }
        // A table naming what is not there (reported by the builder) may be the one meant to hold
        // what looks lost: what nothing holds is said once that is fixed.
        let tableNames = Set(file.tables.map(\.name.text))
        let lists = Set(
            file.records.flatMap { r in
                r.fields.compactMap { f -> String? in
                    if case .list(.named(let n)) = f.type, records[n.text] != nil { f.name.text } else { nil }
                }
            })
        let unresolved = file.tables.contains { t in
            switch t.shape {
            case .section(let s)?: sections[s.text].map { !$0.collection } ?? true
            case .nested(let parent, let list, _)?: !tableNames.contains(parent.text) || !lists.contains(list.text)
            case .supplement(let of, _)?: !tableNames.contains(of.text)
            default: false
            }
        }
        for s in file.sections where !unresolved {
            if s.collection {
                if holder[s.name.text] == nil {
                    error(
                        .schemaTableCoverage,
                        "no table holds section `\(s.name.text)`: `convert --to csv` would drop it",
                        at: s.name.span, help: "declare `table \(s.name.text) ja \"…\" { section \(s.name.text) }`")
                }
            } else if profile == nil {
                error(
                    .schemaTableCoverage,
                    "section `\(s.name.text)` is one record, and no `profile` table holds the single sections",
                    at: s.name.span)
            }
        }
        // The record each section or nested table holds, to check what it keeps.
        var tableRecord: [String: RecordDecl] = [:]
        for t in file.tables {
            let r: RecordDecl?
            switch t.shape {
            case .section(let s)?:
                r = sections[s.text].flatMap { $0.collection ? records[$0.record.text] : nil }
            case .nested(let parent, let list, _)?:
                r = tableRecord[parent.text].flatMap { p in
                    p.fields.first { $0.name.text == list.text }.flatMap { f -> RecordDecl? in
                        if case .list(.named(let inner)) = f.type { records[inner.text] } else { nil }
                    }
                }
            default: r = nil
            }
            guard let r else { continue }
            tableRecord[t.name.text] = r
            guard !unclear.contains(t.name.text) else { continue }
            let names = Set(r.fields.map(\.name.text))
            // Unknown names in `without`/`only` are the builder's to report.
            guard t.without.allSatisfy({ names.contains($0.text) }),
                (t.only ?? []).allSatisfy({ names.contains($0.text) })
            else { continue }
            let kept = keptFields(t, r)
            if kept.isEmpty && t.fields.isEmpty {
                error(
                    .schemaTableCoverage, "table `\(t.name.text)` keeps no column of `\(r.name.text)`", at: t.name.span)
                continue
            }
            if let id = idField(r), !kept.contains(id.text) {
                error(
                    .schemaTableCoverage,
                    "table `\(t.name.text)` leaves out `\(id.text)`, the id of `\(r.name.text)`: its rows could not "
                        + "be told apart or joined", at: (t.without.first { $0.text == id.text } ?? t.name).span)
            }
            // What the table leaves out is held by a nested table of it, or by a supplement of it.
            var supplemented: Set<String> = []
            for s in file.tables {
                guard case .supplement(let of, _)? = s.shape, of.text == t.name.text else { continue }
                supplemented.formUnion(keptFields(s, r))
            }
            var lost: [String] = []
            var nestable = false
            for f in r.fields where !kept.contains(f.name.text) && !supplemented.contains(f.name.text) {
                if let id = idField(r), id.text == f.name.text { continue }  // reported above
                if case .list(.named(let n)) = f.type, records[n.text] != nil {
                    if nestedHolder[t.name.text + "." + f.name.text] != nil { continue }
                    nestable = true
                }
                lost.append(f.name.text)
            }
            guard !lost.isEmpty, !unresolved else { continue }
            let lostNames = lost.map { "`\($0)`" }.joined(separator: ", ")
            error(
                .schemaTableCoverage,
                "table `\(t.name.text)` leaves out \(lostNames) and no other table holds \(lost.count == 1 ? "it" : "them"): "
                    + "`convert --to csv` would drop \(lost.count == 1 ? "it" : "them")",
                at: (t.without.first { lost.contains($0.text) } ?? t.name).span,
                help: nestable
                    ? "keep it, or hold a list of records in a `nested \(t.name.text).FIELD` table" : "keep it")
        }
    }

    /// The names of a record's fields a table keeps (`without`, `only`).
    func keptFields(_ t: TableDecl, _ r: RecordDecl) -> Set<String> {
        let without = Set(t.without.map(\.text))
        let only = t.only.map { Set($0.map(\.text)) }
        return Set(
            r.fields.map(\.name.text).filter { !without.contains($0) && (only?.contains($0) ?? true) })
    }
}
