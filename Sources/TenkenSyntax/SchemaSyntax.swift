/// The tree of a pack's schema file (`schema.tenken`): the data model a pack's rules are
/// typed against and its snapshots are read with — named choice sets, records and their
/// fields, the snapshot's sections and the tables of a facility folder. Names keep where they
/// were written, so every error the schema checker finds is `path:line:col`. Written in the
/// rule language's lexer (comments, Japanese strings); docs/dsl.md, "The schema file".
public struct SchemaFile: Sendable {
    public var path: String
    public var choiceSets: [ChoiceSetDecl] = []
    public var records: [RecordDecl] = []
    /// In the order written: the order of the snapshot's sections.
    public var sections: [SectionDecl] = []
    /// In the order written: the order a person fills the tables in.
    public var tables: [TableDecl] = []
    /// `statements …` declarations; more than one is an error the schema checker reports.
    public var statements: [StatementsDecl] = []
    /// `published …` declarations; more than one is an error the schema checker reports.
    public var published: [PublishedDecl] = []
    /// `subject …`, `snapshot version …`, `roster …` and `appointments …` declarations; more
    /// than one of a kind is an error the schema checker reports.
    public var subject: [SubjectDecl] = []
    public var snapshotVersion: [SnapshotVersionDecl] = []
    public var roster: [RosterDecl] = []
    public var appointments: [AppointmentsDecl] = []
    /// `companion …` declarations, one per section.
    public var companions: [CompanionDecl] = []
    public init(path: String) { self.path = path }
}

/// `statements SECTION { item F  answer F yes "…" no "…" not_applicable "…"  signed F  role F
/// signer F  reason F }`: the section whose rows answer a rule's `attestation` clause, and
/// which of its fields hold each part of a statement. A clause left out is nil here; the
/// schema checker says which are required.
public struct StatementsDecl: Sendable {
    /// The `statements` keyword, where errors about the whole declaration point.
    public var span: Span
    public var section: Name
    public var item: Name?
    public var answer: Name?
    /// The answer field's values for yes, no and not applicable, where written.
    public var yes: (text: String, span: Span)?
    public var no: (text: String, span: Span)?
    public var notApplicable: (text: String, span: Span)?
    public var signed: Name?
    public var role: Name?
    public var signer: Name?
    public var reason: Name?
}

/// `ja "…" en "…"`: words in both languages, where written.
public typealias BilingualDecl = (ja: String, en: String, span: Span)

/// `published SECTION { dated F  max_age param P  label ja "…" en "…"  publisher ja "…" en "…" }`:
/// the section holding a provider's published profile, the field dating it, the parameter
/// giving its greatest age, what reports call it and who publishes it.
public struct PublishedDecl: Sendable {
    public var span: Span
    public var section: Name
    public var dated: Name?
    /// The parameter's dotted name (`provider.profile_max_age`), spanning its first part.
    public var maxAge: Name?
    public var label: BilingualDecl?
    public var publisher: BilingualDecl?
}

/// `subject SECTION { id F  name F  kind F }`: the single section naming the audited subject,
/// its id and name, and the choice field `init --kind` sets.
public struct SubjectDecl: Sendable {
    public var span: Span
    public var section: Name
    public var id: Name?
    public var name: Name?
    public var kind: Name?
}

/// `snapshot version N`: the `schema_version` a snapshot must carry.
public struct SnapshotVersionDecl: Sendable {
    public var span: Span
    public var version: Int
    public var versionSpan: Span
}

/// `roster SECTION { person F  from F  until F  not_people S  label ja "…" en "…" }`: who was
/// on the staff on a day, and the collection whose ids are never a person of it.
public struct RosterDecl: Sendable {
    public var span: Span
    public var section: Name
    public var person: Name?
    public var from: Name?
    public var until: Name?
    public var notPeople: Name?
    public var label: BilingualDecl?
}

/// `appointments SECTION { role F  person F  since F  label ja "…" en "…"
/// stand_in "holder" for "role", … }`: who holds which role since when, and the roles a
/// holder takes on when no one else is named for them.
public struct AppointmentsDecl: Sendable {
    public var span: Span
    public var section: Name
    public var role: Name?
    public var person: Name?
    public var since: Name?
    public var label: BilingualDecl?
    public var standIns: [(holder: (text: String, span: Span), roles: [(text: String, span: Span)])] = []
}

/// `companion SECTION replaces json "a.json", …` or `companion SECTION appends`: a file kept
/// beside `snapshot.json` that replaces the section (its table, or one of the JSON files) or
/// whose rows are appended to it.
public struct CompanionDecl: Sendable {
    public enum Mode: Sendable {
        case replaces(json: [(text: String, span: Span)])
        case appends
    }
    public var span: Span
    public var section: Name
    public var mode: Mode
}

/// One value of a closed set, with its Japanese word (`"clinic" ja "診療所"`).
public struct ChoiceDecl: Sendable {
    public var value: String
    public var ja: String?
    public var span: Span
}

/// `choices NAME { "value" ja "word" … }`.
public struct ChoiceSetDecl: Sendable {
    public var name: Name
    public var choices: [ChoiceDecl]
}

/// A field's type as written; names are resolved by the schema checker.
public indirect enum SchemaTypeDecl: Sendable {
    /// `int`, `bool`, `string`, `date`, or a record's name.
    case named(Name)
    case duration(DurationUnit)
    /// `choice NAME`: a named choice set.
    case choiceSet(Name)
    /// `choice ["a" ja "…", "b"]`: a set of the field's own.
    case choices([ChoiceDecl])
    case list(SchemaTypeDecl)
}

/// A value set after `in`: a list of literals, or a named choice set's values.
public enum SchemaValuesDecl: Sendable {
    case list([Literal], Span)
    case choiceSet(Name)
}

/// When other evidence contradicts what a blank means (`unless status in ["deleted"]`).
public struct SchemaConditionDecl: Sendable {
    public enum Scope: Sendable {
        /// `field …`: another field of the same element.
        case element
        /// `section.field …`: a field of a single section (`facility.uses_patient_accounts`).
        case single(section: Name)
        /// `some list.field …`: a field of an element of a list of the same element.
        case nested(list: Name)
        /// `some collection.field … via key`: an element of a collection naming this one in `key`.
        case related(collection: Name, key: Name)
    }
    public var scope: Scope
    public var field: Name
    /// The contradicting values; empty for `given` (any value).
    public var values: [Literal]
}

/// `absent none en "…" ja "…" [unless …]` or `absent assumed VALUE en "…" ja "…" [unless …]`.
public struct AbsenceDecl: Sendable {
    /// Nil for `none`; the assumed value otherwise.
    public var assumed: Literal?
    public var en: String
    public var ja: String
    public var unless: [SchemaConditionDecl]
    public var span: Span
}

/// `field NAME: TYPE` and its attributes.
public struct FieldDecl: Sendable {
    public var name: Name
    public var type: SchemaTypeDecl
    public var typeSpan: Span
    public var ja: String?
    public var doc: String?
    public var aliases: [(text: String, span: Span)] = []
    public var past = false
    public var notBefore: Name?
    public var references: Name?
    public var identifier = false
    public var zeroAmbiguous = false
    public var absent: AbsenceDecl?
    /// `near_reference S.L.F`: a value matching field `F` of the elements of list `L` of
    /// section `S` only once folded is a likely slip for it.
    public var nearReference: (section: Name, list: Name, field: Name)?
}

/// The record clauses besides fields.
public struct ExclusionDecl: Sendable {
    public enum When: Sendable { case given, onOrBeforeAsOf, afterAsOf }
    public var excluded: Name
    public var when: When
    public var state: Name
    public var values: SchemaValuesDecl
}

public struct NonEmptyDecl: Sendable {
    public var list: Name
    public var state: Name
    public var values: SchemaValuesDecl
}

public struct DenialDecl: Sendable {
    public var flag: Name
    public var list: Name
    public var any: [(field: Name, values: [Literal])]
    public var except: Name?
}

public struct BoundDecl: Sendable {
    public var field: Name
    public var min: Int?
    public var max: Int?
    public var state: Name
    public var values: SchemaValuesDecl
    public var because: String
}

/// `record NAME { … }`.
public struct RecordDecl: Sendable {
    public var name: Name
    /// `id F` (nil: the default, `id`); `id none` is `.some(nil)`.
    public var id: Name??
    public var unique: Bool?
    public var exclusions: [ExclusionDecl] = []
    public var nonEmpty: [NonEmptyDecl] = []
    public var denials: [DenialDecl] = []
    public var bounds: [BoundDecl] = []
    public var fields: [FieldDecl] = []
    public init(name: Name, fields: [FieldDecl] = []) {
        self.name = name
        self.fields = fields
    }
}

/// `section NAME: RECORD doc "…"` (one record) or `section NAME: [RECORD] doc "…"` (a collection).
public struct SectionDecl: Sendable {
    public var name: Name
    public var record: Name
    public var collection: Bool
    public var doc: String?
}

/// `table NAME ja "…" { … }`: one table of a facility folder.
public struct TableDecl: Sendable {
    public enum Shape: Sendable {
        case profile
        case section(Name)
        case nested(parent: Name, list: Name, link: Name)
        case supplement(of: Name, key: Name)
    }
    public var name: Name
    public var ja: String
    public var shape: Shape?
    public var row: Name?
    public var rowID: Name?
    public var doc: String?
    public var docJa: String?
    public var without: [Name] = []
    public var only: [Name]?
    /// The table's own columns: the profile's, or a nested table's link.
    public var fields: [FieldDecl] = []
}

/// Recursive-descent parser for schema files. Like the rule parser it recovers at the next
/// declaration or clause, so every syntax error of a file is reported in one run.
public struct SchemaParser {
    private var tokens: [Token]
    private var pos = 0
    private let file: String
    public private(set) var diagnostics: [Diagnostic] = []
    /// List types nest at most this deep (`[[int]]` is 2): the parser recurses on each.
    public static let maxTypeDepth = 8

    static let topKeywords: Set<String> = [
        "choices", "record", "section", "table", "statements", "published", "subject", "snapshot", "roster",
        "appointments", "companion",
    ]
    static let recordKeywords: Set<String> = ["id", "exclude", "non_empty", "denial", "bound", "field"]
    static let fieldAttributes: Set<String> = [
        "ja", "doc", "aliases", "past", "not_before", "references", "identifier", "zero_ambiguous", "absent",
        "near_reference",
    ]
    static let statementsKeywords: Set<String> = Set(statementFields.keys).union(["answer"])
    static let publishedKeywords: Set<String> = ["dated", "max_age", "label", "publisher"]
    static let subjectKeywords: Set<String> = ["id", "name", "kind"]
    static let rosterKeywords: Set<String> = ["person", "from", "until", "not_people", "label"]
    static let appointmentsKeywords: Set<String> = ["role", "person", "since", "label", "stand_in"]
    /// Every word the schema language gives a meaning (its declarations' and clauses' first
    /// words): a literal equal to one in its parser is the language's, not a pack's field.
    static var keywords: Set<String> {
        topKeywords.union(recordKeywords).union(fieldAttributes).union(statementsKeywords).union(publishedKeywords)
            .union(subjectKeywords).union(rosterKeywords).union(appointmentsKeywords).union(tableKeywords)
    }
    static let tableKeywords: Set<String> = [
        "doc", "doc_ja", "profile", "section", "nested", "supplement", "without", "only", "field",
    ]

    /// Parses a whole schema file. Never throws: errors are in the diagnostics.
    public static func parse(_ text: String, file: String) -> (SchemaFile, [Diagnostic]) {
        var p = SchemaParser(text: text, file: file)
        let f = p.parseFile()
        return (f, p.diagnostics)
    }

    /// Whether a file's first word makes it a schema file rather than rules (`fmt`, `lint`).
    public static func looksLikeSchema(_ text: String) -> Bool {
        var lx = Lexer(text, file: "")
        let t = lx.next()
        return t.kind == .ident && topKeywords.contains(t.text)
    }

    init(text: String, file: String) {
        let (toks, lexDiags) = Lexer.tokenize(text, file: file)
        tokens = toks
        self.file = file
        diagnostics = lexDiags
    }

    // MARK: tokens

    private var cur: Token { tokens[pos] }
    @discardableResult private mutating func bump() -> Token {
        let t = tokens[pos]
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }
    private func isWord(_ w: String) -> Bool { cur.kind == .ident && cur.text == w }
    private func loc(_ s: Span) -> SourceLocation { SourceLocation(file: file, line: s.line, column: s.column) }

    private func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: "end of file"
        case .string: "string \"\(t.text)\""
        default: "`\(t.text)`"
        }
    }

    private func error(_ msg: String, id: String = "syntax.unexpected-token", help: String? = nil) -> ParseError {
        ParseError(diagnostic: Diagnostic(id, .error, msg, at: loc(cur.span), help: help))
    }

    private mutating func expect(_ kind: TokenKind, _ what: String) throws(ParseError) -> Token {
        guard cur.kind == kind else { throw error("expected \(what), found \(describe(cur))") }
        return bump()
    }

    private mutating func expectWord(_ w: String) throws(ParseError) {
        guard isWord(w) else { throw error("expected `\(w)`, found \(describe(cur))") }
        bump()
    }

    private mutating func name(_ what: String) throws(ParseError) -> Name {
        guard cur.kind == .ident else {
            throw error("expected \(what), found \(describe(cur))", id: "syntax.expected-name")
        }
        let t = bump()
        return Name(t.text, t.span)
    }

    private mutating func string(_ what: String) throws(ParseError) -> String { try expect(.string, what).text }

    /// `a, b, c`: names separated by commas.
    private mutating func names(_ what: String) throws(ParseError) -> [Name] {
        var out = [try name(what)]
        while cur.kind == .comma {
            bump()
            out.append(try name(what))
        }
        return out
    }

    /// Whether the current token is one of `keywords` (a clause's first word).
    private func at(_ keywords: Set<String>) -> Bool { cur.kind == .ident && keywords.contains(cur.text) }

    /// Skips to the next of `keywords` that starts a line, a closing brace, or the end.
    private mutating func synchronize(_ keywords: Set<String>) {
        var prevLine = cur.span.line
        bump()
        while cur.kind != .eof, cur.kind != .rbrace {
            if cur.span.line > prevLine, at(keywords) || at(SchemaParser.topKeywords) { return }
            prevLine = cur.span.line
            bump()
        }
    }

    // MARK: declarations

    mutating func parseFile() -> SchemaFile {
        var out = SchemaFile(path: file)
        while cur.kind != .eof {
            let start = pos
            do throws(ParseError) {
                switch cur.kind == .ident ? cur.text : "" {
                case "choices": out.choiceSets.append(try choiceSet())
                case "record": out.records.append(try record())
                case "section": out.sections.append(try section())
                case "table": out.tables.append(try table())
                case "statements": out.statements.append(try statements())
                case "published": out.published.append(try published())
                case "subject": out.subject.append(try subject())
                case "snapshot": out.snapshotVersion.append(try snapshotVersion())
                case "roster": out.roster.append(try roster())
                case "appointments": out.appointments.append(try appointments())
                case "companion": out.companions.append(try companion())
                default:
                    throw error(
                        "expected `choices`, `record`, `section`, `table`, or a mechanism (`statements`, "
                            + "`published`, `subject`, `snapshot`, `roster`, `appointments`, `companion`), found "
                            + describe(cur),
                        help: at(["field", "rule", "pack"])
                            ? "a schema file declares records, sections and tables" : nil)
                }
            } catch {
                diagnostics.append(error.diagnostic)
                // Skip to the next declaration that starts a line.
                if pos == start { bump() }
                while cur.kind != .eof,
                    !(at(SchemaParser.topKeywords) && cur.span.line > tokens[max(pos - 1, 0)].span.line)
                {
                    bump()
                }
            }
        }
        return out
    }

    private mutating func openBrace(_ what: String) throws(ParseError) {
        guard cur.kind == .lbrace else { throw error("expected `{` to open the \(what), found \(describe(cur))") }
        bump()
    }

    /// The clauses of a block up to its `}`, each parsed by `clause`; errors are collected and
    /// the parser moves on to the next clause keyword.
    private mutating func block(
        _ keywords: Set<String>, _ what: String, _ clause: (inout SchemaParser) throws(ParseError) -> Void
    ) throws(ParseError) {
        try openBrace(what)
        while cur.kind != .rbrace, cur.kind != .eof {
            if at(SchemaParser.topKeywords) && !at(keywords) { break }
            let start = pos
            do throws(ParseError) {
                guard at(keywords) else {
                    let known = keywords.sorted().map { "`\($0)`" }.joined(separator: ", ")
                    throw error(
                        "expected a \(what) clause (\(known)), found \(describe(cur))", id: "syntax.unknown-clause",
                        help: cur.kind == .ident
                            ? closestMatch(to: cur.text, in: keywords).map { "did you mean `\($0)`?" }
                            : nil)
                }
                try clause(&self)
            } catch {
                diagnostics.append(error.diagnostic)
                // The block's `}` (or the end) where a clause broke off closes the block: never skipped.
                if pos == start || !(at(keywords) || cur.kind == .rbrace || cur.kind == .eof) { synchronize(keywords) }
            }
        }
        guard cur.kind == .rbrace else {
            diagnostics.append(
                Diagnostic(
                    "syntax.unclosed-block", .error, "expected `}` to close the \(what), found \(describe(cur))",
                    at: loc(cur.span)))
            return
        }
        bump()
    }

    private mutating func choice() throws(ParseError) -> ChoiceDecl {
        let t = try expect(.string, "a choice value (a string)")
        var ja: String?
        if isWord("ja") {
            bump()
            ja = try string("the value's Japanese word")
        }
        return ChoiceDecl(value: t.text, ja: ja, span: t.span)
    }

    private mutating func choiceSet() throws(ParseError) -> ChoiceSetDecl {
        bump()
        let n = try name("the choice set's name")
        try openBrace("choice set")
        var out: [ChoiceDecl] = []
        while cur.kind != .rbrace, cur.kind != .eof, !at(SchemaParser.topKeywords) {
            out.append(try choice())
            if cur.kind == .comma { bump() }
        }
        guard cur.kind == .rbrace else { throw error("expected `}` to close the choice set, found \(describe(cur))") }
        bump()
        return ChoiceSetDecl(name: n, choices: out)
    }

    private mutating func record() throws(ParseError) -> RecordDecl {
        bump()
        var r = RecordDecl(name: try name("the record's name"))
        try block(SchemaParser.recordKeywords, "record") { (p: inout SchemaParser) throws(ParseError) in
            try p.recordClause(&r)
        }
        return r
    }

    private mutating func recordClause(_ r: inout RecordDecl) throws(ParseError) {
        switch bump().text {
        case "id":
            let n = try name("the id field's name, or `none`")
            r.id = .some(n.text == "none" ? nil : n)
            if isWord("unique") || isWord("shared") { r.unique = bump().text == "unique" }
        case "exclude":
            let excluded = try name("the field the state excludes")
            var when = ExclusionDecl.When.given
            if cur.kind == .le || cur.kind == .gt {
                when = bump().kind == .le ? .onOrBeforeAsOf : .afterAsOf
                try expectWord("as_of")
            }
            try expectWord("when")
            let (state, values) = try stateValues()
            r.exclusions.append(ExclusionDecl(excluded: excluded, when: when, state: state, values: values))
        case "non_empty":
            let list = try name("the list that must not be empty")
            try expectWord("when")
            let (state, values) = try stateValues()
            r.nonEmpty.append(NonEmptyDecl(list: list, state: state, values: values))
        case "denial":
            let flag = try name("the yes/no field the list contradicts")
            try expectWord("by")
            let list = try name("the list field")
            try expectWord("where")
            var any: [(Name, [Literal])] = []
            repeat {
                if isWord("or") { bump() }
                let f = try name("a field of the list's elements")
                any.append((f, try valuesOrGiven()))
            } while isWord("or")
            var except: Name?
            if isWord("except") {
                bump()
                except = try name("the field that makes an element past")
                try expectWord("given")
            }
            r.denials.append(DenialDecl(flag: flag, list: list, any: any, except: except))
        case "bound":
            let f = try name("the bounded field")
            var lo: Int?
            var hi: Int?
            while cur.kind == .ge || cur.kind == .le {
                let op = bump().kind
                let v = try integer()
                if op == .ge { lo = v } else { hi = v }
            }
            guard lo != nil || hi != nil else { throw error("expected `>= N` or `<= N`, found \(describe(cur))") }
            try expectWord("when")
            let (state, values) = try stateValues()
            try expectWord("because")
            r.bounds.append(
                BoundDecl(
                    field: f, min: lo, max: hi, state: state, values: values, because: try string("the reason")))
        default:
            r.fields.append(try field())
        }
    }

    private mutating func integer() throws(ParseError) -> Int {
        var sign = 1
        if cur.kind == .minus {
            bump()
            sign = -1
        }
        let t = try expect(.int, "a whole number")
        guard let v = Int(t.text) else {
            throw ParseError(
                diagnostic: Diagnostic(
                    "syntax.number-out-of-range", .error, "the number is too large", at: loc(t.span)))
        }
        return sign * v
    }

    /// `STATE in [..]` or `STATE in CHOICE_SET`.
    private mutating func stateValues() throws(ParseError) -> (Name, SchemaValuesDecl) {
        let state = try name("the state field")
        try expectWord("in")
        if cur.kind == .ident { return (state, .choiceSet(try name("a choice set"))) }
        let span = cur.span
        return (state, .list(try literals(), span))
    }

    /// `[v, …]` of strings, numbers, true, false and null.
    private mutating func literals() throws(ParseError) -> [Literal] {
        _ = try expect(.lbracket, "`[`")
        var out: [Literal] = []
        while cur.kind != .rbracket {
            switch cur.kind {
            case .string: out.append(.string(bump().text))
            case .int, .minus: out.append(.int(try integer()))
            case .ident where ["true", "false"].contains(cur.text): out.append(.bool(bump().text == "true"))
            case .ident where cur.text == "null":
                bump()
                out.append(.null)
            default: throw error("expected a value (a string, a number, true, false or null), found \(describe(cur))")
            }
            if cur.kind == .comma {
                bump()
            } else if cur.kind != .rbracket {
                throw error("expected `,` or `]`, found \(describe(cur))")
            }
        }
        bump()
        return out
    }

    /// `in [...]` or `given` (any value; an empty list).
    private mutating func valuesOrGiven() throws(ParseError) -> [Literal] {
        if isWord("given") {
            bump()
            return []
        }
        try expectWord("in")
        let vs = try literals()
        if vs.isEmpty { throw error("an empty list matches nothing; write `given` for any value") }
        return vs
    }

    private mutating func type(depth: Int = 0) throws(ParseError) -> SchemaTypeDecl {
        if cur.kind == .lbracket {
            guard depth < SchemaParser.maxTypeDepth else {
                throw error("lists nest at most \(SchemaParser.maxTypeDepth) deep", id: "syntax.too-deep")
            }
            bump()
            let inner = try type(depth: depth + 1)
            _ = try expect(.rbracket, "`]` to close the list type")
            return .list(inner)
        }
        let n = try name("a type (int, bool, string, date, duration UNIT, choice …, [type] or a record)")
        switch n.text {
        case "duration":
            let u = try name("the duration's unit (minutes, hours, days, weeks, months or years)")
            guard let unit = DurationUnit(word: u.text) else {
                throw ParseError(
                    diagnostic: Diagnostic(
                        "syntax.expected-type", .error,
                        "`\(u.text)` is not a unit: minutes, hours, days, weeks, months or years", at: loc(u.span)))
            }
            return .duration(unit)
        case "choice":
            guard cur.kind == .lbracket else { return .choiceSet(try name("a choice set or `[`")) }
            bump()
            var out: [ChoiceDecl] = []
            while cur.kind != .rbracket {
                out.append(try choice())
                if cur.kind == .comma {
                    bump()
                } else if cur.kind != .rbracket {
                    throw error("expected `,` or `]`, found \(describe(cur))")
                }
            }
            bump()
            return .choices(out)
        default: return .named(n)
        }
    }

    private mutating func field() throws(ParseError) -> FieldDecl {
        let n = try name("the field's name")
        _ = try expect(.colon, "`:` and the field's type")
        let typeSpan = cur.span
        var f = FieldDecl(name: n, type: try type(), typeSpan: typeSpan)
        var seen: Set<String> = []
        while at(SchemaParser.fieldAttributes) {
            let kw = bump()
            guard seen.insert(kw.text).inserted else {
                throw ParseError(
                    diagnostic: Diagnostic(
                        "syntax.unexpected-token", .error, "`\(kw.text)` is given twice for field `\(n.text)`",
                        at: loc(kw.span)))
            }
            switch kw.text {
            case "ja": f.ja = try string("the field's Japanese label")
            case "doc": f.doc = try string("the field's description")
            case "aliases":
                _ = try expect(.lbracket, "`[`")
                while cur.kind != .rbracket {
                    let t = try expect(.string, "a header (a string)")
                    f.aliases.append((t.text, t.span))
                    if cur.kind == .comma {
                        bump()
                    } else if cur.kind != .rbracket {
                        throw error("expected `,` or `]`, found \(describe(cur))")
                    }
                }
                bump()
            case "past": f.past = true
            case "not_before": f.notBefore = try name("the field it may not be earlier than")
            case "references": f.references = try name("the section whose ids it holds")
            case "identifier": f.identifier = true
            case "zero_ambiguous": f.zeroAmbiguous = true
            case "near_reference":
                let section = try name("the section it likely means")
                _ = try expect(.dot, "`.` and the section's list field")
                let list = try name("the section's list field")
                _ = try expect(.dot, "`.` and a field of the list's elements")
                f.nearReference = (section, list, try name("a field of the list's elements"))
            default: f.absent = try absence(kw.span)
            }
        }
        return f
    }

    private mutating func absence(_ span: Span) throws(ParseError) -> AbsenceDecl {
        var assumed: Literal?
        if isWord("assumed") {
            bump()
            switch cur.kind {
            case .string: assumed = .string(bump().text)
            case .int, .minus: assumed = .int(try integer())
            case .ident where ["true", "false"].contains(cur.text): assumed = .bool(bump().text == "true")
            default:
                throw error("expected the assumed value (a string, a number, true or false), found \(describe(cur))")
            }
        } else {
            try expectWord("none")
        }
        try expectWord("en")
        let en = try string("what a blank means, in English")
        try expectWord("ja")
        let ja = try string("what a blank means, in Japanese")
        var conditions: [SchemaConditionDecl] = []
        if isWord("unless") {
            repeat {
                bump()
                conditions.append(try condition())
            } while isWord("or")
        }
        return AbsenceDecl(assumed: assumed, en: en, ja: ja, unless: conditions, span: span)
    }

    private mutating func condition() throws(ParseError) -> SchemaConditionDecl {
        if isWord("some") {
            bump()
            let list = try name("a list field or a section")
            _ = try expect(.dot, "`.` and a field of its elements")
            let f = try name("a field of its elements")
            let vs = try valuesOrGiven()
            if isWord("via") {
                bump()
                let key = try name("the field of the section's elements that holds this element's id")
                return SchemaConditionDecl(scope: .related(collection: list, key: key), field: f, values: vs)
            }
            return SchemaConditionDecl(scope: .nested(list: list), field: f, values: vs)
        }
        let first = try name("a field, or a single section")
        if cur.kind == .dot {
            bump()
            let f = try name("a field of the section")
            return SchemaConditionDecl(scope: .single(section: first), field: f, values: try valuesOrGiven())
        }
        return SchemaConditionDecl(scope: .element, field: first, values: try valuesOrGiven())
    }

    private mutating func section() throws(ParseError) -> SectionDecl {
        bump()
        let n = try name("the section's name")
        _ = try expect(.colon, "`:` and the section's record")
        var collection = false
        if cur.kind == .lbracket {
            bump()
            collection = true
        }
        let r = try name("the section's record")
        if collection { _ = try expect(.rbracket, "`]`") }
        var s = SectionDecl(name: n, record: r, collection: collection)
        if isWord("doc") {
            bump()
            s.doc = try string("the section's description")
        }
        return s
    }

    private mutating func table() throws(ParseError) -> TableDecl {
        bump()
        let n = try name("the table's file name")
        try expectWord("ja")
        var t = TableDecl(name: n, ja: try string("the table's Japanese file name"))
        try block(SchemaParser.tableKeywords, "table") { (p: inout SchemaParser) throws(ParseError) in
            try p.tableClause(&t)
        }
        return t
    }

    private mutating func tableClause(_ t: inout TableDecl) throws(ParseError) {
        let kw = bump()
        func shape(_ s: TableDecl.Shape) throws(ParseError) {
            guard t.shape == nil else {
                throw ParseError(
                    diagnostic: Diagnostic(
                        "syntax.unexpected-token", .error,
                        "the table's shape is given twice (`profile`, `section`, `nested` or `supplement`)",
                        at: loc(kw.span)))
            }
            t.shape = s
        }
        switch kw.text {
        case "doc": t.doc = try string("the table's description")
        case "doc_ja": t.docJa = try string("the table's description in Japanese")
        case "profile": try shape(.profile)
        case "section": try shape(.section(try name("the section the table holds")))
        case "nested":
            let parent = try name("the parent table")
            _ = try expect(.dot, "`.` and the parent's list field")
            let list = try name("the parent's list field")
            try expectWord("link")
            try shape(.nested(parent: parent, list: list, link: try name("the column linking a row to its parent")))
        case "supplement":
            let of = try name("the table it completes")
            try expectWord("key")
            try shape(.supplement(of: of, key: try name("the column matching its rows")))
        case "without": t.without = try names("a field left out of the table")
        case "only": t.only = try names("a field the table holds")
        default:
            t.fields.append(try field())
            return
        }
        if ["profile", "nested", "supplement"].contains(kw.text), isWord("row") {
            bump()
            t.row = try name("the row schema's name")
            if isWord("id") {
                bump()
                t.rowID = try name("the row's id column")
            }
        }
    }

    // MARK: mechanisms

    /// A clause keyword's second appearance in one declaration is an error at it. The clause is
    /// still parsed, so the parser goes on at the next clause rather than inside this one.
    private mutating func once(_ kw: Token, _ given: Bool, in what: String) {
        guard given else { return }
        diagnostics.append(
            Diagnostic(
                "syntax.unexpected-token", .error, "`\(kw.text)` is given twice in the \(what)", at: loc(kw.span)))
    }

    private mutating func answerWord(_ w: String) throws(ParseError) -> (text: String, span: Span) {
        try expectWord(w)
        let t = try expect(.string, "the answer field's value for `\(w)` (a string)")
        return (t.text, t.span)
    }

    /// The clauses of `statements` that name one field, with what the name is.
    static var statementFields: [String: (WritableKeyPath<StatementsDecl, Name?>, String)] {
        [
            "item": (\.item, "the field holding the attestation key"),
            "signed": (\.signed, "the date field a statement is signed on"),
            "role": (\.role, "the choice field holding the signer's role"),
            "signer": (\.signer, "the field holding the signer's id"),
            "reason": (\.reason, "the field holding the reason for not applicable"),
        ]
    }

    private mutating func statements() throws(ParseError) -> StatementsDecl {
        let kw = bump()
        var d = StatementsDecl(span: kw.span, section: try name("the section holding the statements"))
        try block(SchemaParser.statementsKeywords, "statements declaration") {
            (p: inout SchemaParser) throws(ParseError) in
            let kw = p.bump()
            if let (path, what) = SchemaParser.statementFields[kw.text] {
                p.once(kw, d[keyPath: path] != nil, in: "statements declaration")
                d[keyPath: path] = try p.name(what)
                return
            }
            p.once(kw, d.answer != nil, in: "statements declaration")
            d.answer = try p.name("the field holding the answer")
            d.yes = try p.answerWord("yes")
            d.no = try p.answerWord("no")
            d.notApplicable = try p.answerWord("not_applicable")
        }
        return d
    }

    private mutating func published() throws(ParseError) -> PublishedDecl {
        let kw = bump()
        var d = PublishedDecl(span: kw.span, section: try name("the section holding the published profile"))
        try block(SchemaParser.publishedKeywords, "published declaration") {
            (p: inout SchemaParser) throws(ParseError) in
            let kw = p.bump()
            let what = "published declaration"
            switch kw.text {
            case "dated":
                p.once(kw, d.dated != nil, in: what)
                d.dated = try p.name("the date field the profile is published on")
            case "max_age":
                p.once(kw, d.maxAge != nil, in: what)
                try p.expectWord("param")
                d.maxAge = try p.dottedName("the parameter giving the profile's greatest age")
            case "label":
                p.once(kw, d.label != nil, in: what)
                d.label = try p.bilingual(kw, "what reports call the profile")
            default:
                p.once(kw, d.publisher != nil, in: what)
                d.publisher = try p.bilingual(kw, "who publishes the profile")
            }
        }
        return d
    }

    /// `ja "…" en "…"` after `kw`.
    private mutating func bilingual(_ kw: Token, _ what: String) throws(ParseError) -> BilingualDecl {
        try expectWord("ja")
        let ja = try string("\(what), in Japanese")
        try expectWord("en")
        return (ja, try string("\(what), in English"), kw.span)
    }

    /// `a.b.c`: one name, its parts joined by dots, spanning the first.
    private mutating func dottedName(_ what: String) throws(ParseError) -> Name {
        let first = try name(what)
        var text = first.text
        while cur.kind == .dot {
            bump()
            text += "." + (try name("the rest of \(what)")).text
        }
        return Name(text, first.span)
    }

    /// The clauses of a mechanism that name one field (or section), each once.
    private mutating func fieldClauses<D>(
        _ d: inout D, _ kw: Token, _ fields: [String: (WritableKeyPath<D, Name?>, String)], in what: String
    ) throws(ParseError) -> Bool {
        guard let (path, description) = fields[kw.text] else { return false }
        once(kw, d[keyPath: path] != nil, in: what)
        d[keyPath: path] = try name(description)
        return true
    }

    private mutating func subject() throws(ParseError) -> SubjectDecl {
        let kw = bump()
        var d = SubjectDecl(span: kw.span, section: try name("the single section naming the subject"))
        let fields: [String: (WritableKeyPath<SubjectDecl, Name?>, String)] = [
            "id": (\.id, "the field holding the subject's id"),
            "name": (\.name, "the field holding the subject's name"),
            "kind": (\.kind, "the choice field holding the subject's kind"),
        ]
        try block(SchemaParser.subjectKeywords, "subject declaration") { (p: inout SchemaParser) throws(ParseError) in
            let kw = p.bump()
            _ = try p.fieldClauses(&d, kw, fields, in: "subject declaration")
        }
        return d
    }

    private mutating func snapshotVersion() throws(ParseError) -> SnapshotVersionDecl {
        let kw = bump()
        try expectWord("version")
        let span = cur.span
        return SnapshotVersionDecl(span: kw.span, version: try integer(), versionSpan: span)
    }

    private mutating func roster() throws(ParseError) -> RosterDecl {
        let kw = bump()
        var d = RosterDecl(span: kw.span, section: try name("the collection listing the staff"))
        let fields: [String: (WritableKeyPath<RosterDecl, Name?>, String)] = [
            "person": (\.person, "the field holding a person's id"),
            "from": (\.from, "the date field a person joined on"),
            "until": (\.until, "the date field a person left on"),
            "not_people": (\.notPeople, "the collection whose ids are never a person"),
        ]
        try block(SchemaParser.rosterKeywords, "roster declaration") { (p: inout SchemaParser) throws(ParseError) in
            let kw = p.bump()
            guard try !p.fieldClauses(&d, kw, fields, in: "roster declaration") else { return }
            p.once(kw, d.label != nil, in: "roster declaration")
            d.label = try p.bilingual(kw, "what messages call the roster")
        }
        return d
    }

    private mutating func appointments() throws(ParseError) -> AppointmentsDecl {
        let kw = bump()
        var d = AppointmentsDecl(span: kw.span, section: try name("the collection of appointments"))
        let fields: [String: (WritableKeyPath<AppointmentsDecl, Name?>, String)] = [
            "role": (\.role, "the choice field holding the role"),
            "person": (\.person, "the field holding the holder's id"),
            "since": (\.since, "the date field the role is held since"),
        ]
        let what = "appointments declaration"
        try block(SchemaParser.appointmentsKeywords, what) { (p: inout SchemaParser) throws(ParseError) in
            let kw = p.bump()
            guard try !p.fieldClauses(&d, kw, fields, in: what) else { return }
            if kw.text == "label" {
                p.once(kw, d.label != nil, in: what)
                d.label = try p.bilingual(kw, "what messages call the appointments")
                return
            }
            let holder = try p.expect(.string, "the role that stands in (a string)")
            try p.expectWord("for")
            var roles = [try p.expect(.string, "a role it stands in for (a string)")]
            while p.cur.kind == .comma {
                p.bump()
                roles.append(try p.expect(.string, "a role it stands in for (a string)"))
            }
            d.standIns.append(((holder.text, holder.span), roles.map { ($0.text, $0.span) }))
        }
        return d
    }

    private mutating func companion() throws(ParseError) -> CompanionDecl {
        let kw = bump()
        let section = try name("the section the companion file holds")
        if isWord("appends") {
            bump()
            return CompanionDecl(span: kw.span, section: section, mode: .appends)
        }
        guard isWord("replaces") else {
            throw error("expected `replaces json \"…\"` or `appends`, found \(describe(cur))")
        }
        bump()
        try expectWord("json")
        var files = [try expect(.string, "a JSON file's name (a string)")]
        while cur.kind == .comma {
            bump()
            files.append(try expect(.string, "a JSON file's name (a string)"))
        }
        return CompanionDecl(span: kw.span, section: section, mode: .replaces(json: files.map { ($0.text, $0.span) }))
    }
}
