import TenkenSyntax

/// The engine's mechanisms a pack declares in its schema file (docs/dsl.md, "Mechanisms"),
/// each resolved to the index of its section in `PackSchema.sections` and of its fields in
/// that section's record, so nothing is looked up by name at run time. A mechanism the pack
/// does not declare is nil, and the code using it must say what happens without it
/// (docs/design/pack-data-model-phase2.md §2).
public struct Mechanisms: Sendable, Equatable {
    /// Attestations: the rows that answer a rule's `attestation` clause.
    public var statements: Statements?
    /// The provider's published profile.
    public var published: Published?
    /// The single section naming the audited subject.
    public var subject: Subject?
    /// The `schema_version` a snapshot must carry (`snapshot version N`).
    public var snapshotVersion: Int?
    /// Who was on the staff on a day.
    public var roster: StaffRoster?
    /// Who holds which role since when.
    public var appointments: Appointments?
    /// Files kept beside `snapshot.json`, in the order declared.
    public var companions: [Companion]
    /// Fields whose values are checked for near misses of another section's ids, in the order
    /// their records are declared.
    public var nearReferences: [NearReference]
    public init(
        statements: Statements? = nil, published: Published? = nil, subject: Subject? = nil,
        snapshotVersion: Int? = nil, roster: StaffRoster? = nil, appointments: Appointments? = nil,
        companions: [Companion] = [], nearReferences: [NearReference] = []
    ) {
        self.statements = statements
        self.published = published
        self.subject = subject
        self.snapshotVersion = snapshotVersion
        self.roster = roster
        self.appointments = appointments
        self.companions = companions
        self.nearReferences = nearReferences
    }
}

/// `statements SECTION { … }`: where a rule's `attestation "key" by ROLE…` clause finds its
/// answer. Indexes are of `PackSchema.sections` and of the section record's `fields`.
public struct Statements: Sendable, Equatable {
    /// The collection whose rows are statements.
    public let section: Int
    /// The attestation key a rule names (a string field).
    public let item: Int
    /// The answer (a choice field holding `yes`, `no` and `notApplicable`).
    public let answer: Int
    /// The day a statement was signed on (a date field); renewals count from it.
    public let signedOn: Int
    /// The role the signer answers in (a choice field; its values are `roles`).
    public let role: Int
    /// The signer's id (a string field).
    public let signer: Int
    /// Why a not-applicable answer does not apply (a string field); required, as a not-applicable
    /// answer without a reason never counts.
    public let reason: Int
    /// The answer field's values meaning yes, no and not applicable.
    public let yes: String
    public let no: String
    public let notApplicable: String
    /// The role field's values, in the order written: the roles an attestation may name.
    public let roles: [String]
}

/// `published SECTION { dated F  max_age param P  label ja "…" en "…"  publisher ja "…" en "…" }`:
/// the provider's published profile.
public struct Published: Sendable, Equatable {
    /// The single section holding the profile.
    public let section: Int
    /// The date it was published (a date field of the section's record).
    public let dated: Int
    /// What reports call it (`事業者プロファイル` / `provider profile`).
    public let label: Bilingual
    /// Who publishes it (`事業者` / `provider`): "check it against the provider's latest …".
    public let publisher: Bilingual
    /// The manifest parameter (a duration) past which the profile is stale
    /// (`provider.profile_max_age`); nil: it never is. Not resolved here: the schema is built
    /// without the manifest, so whether the pack declares it is the pack loader's to check.
    public let maxAgeParam: String?
    /// Where `maxAgeParam` is written in the schema file: the checker, which has the manifest,
    /// reports there a parameter that is not declared or not a duration (`check.unknown-param`).
    public let maxAgeLocation: SourceLocation?
    public init(
        section: Int, dated: Int, label: Bilingual, publisher: Bilingual, maxAgeParam: String? = nil,
        maxAgeLocation: SourceLocation? = nil
    ) {
        self.section = section
        self.dated = dated
        self.label = label
        self.publisher = publisher
        self.maxAgeParam = maxAgeParam
        self.maxAgeLocation = maxAgeLocation
    }
}

/// `subject SECTION { id F  name F  kind F }`: the single section naming the audited subject in
/// reports, batch folders and aggregates. Indexes are of its record's fields.
public struct Subject: Sendable, Equatable {
    public let section: Int
    /// The subject's id (a string field).
    public let id: Int
    /// Its name (a string field), if the pack keeps one.
    public let name: Int?
    /// Its kind (a choice field; `init --kind` sets it), if the pack has kinds.
    public let kind: Int?
    /// The kind field's values, in the order written; empty without `kind`.
    public let kinds: [String]
}

/// `roster SECTION { person F  from F  until F  not_people S  label ja "…" en "…" }`: who was on
/// the staff on a day. A signer, a waiver's requester and approver must be listed, there from
/// `from`, not yet gone by `until`, and no id of `notPeople`.
public struct StaffRoster: Sendable, Equatable {
    /// The collection listing the people.
    public let section: Int
    /// A person's id (a string field).
    public let person: Int
    /// The day they joined, and the day they left (date fields).
    public let from: Int
    public let until: Int
    /// The collection (a section index) whose ids are never a person of the roster.
    public let notPeople: Int?
    /// What messages call the roster (`職員名簿` / `staff table`).
    public let label: Bilingual
}

/// `appointments SECTION { role F  person F  since F  label ja "…" en "…"  stand_in … }`: who
/// holds which role since when.
public struct Appointments: Sendable, Equatable {
    /// The collection of appointments.
    public let section: Int
    /// The role held (a choice field), the holder's id (a string field), the day since which
    /// it is held (a date field).
    public let role: Int
    public let person: Int
    public let since: Int
    /// What messages call the appointments (`役割表` / `roles table`).
    public let label: Bilingual
    /// The roles a holder takes on when no one holds them, in the order written.
    public let standIns: [StandIn]
}

/// `stand_in "director" for "operations-lead", …`: `holder` answers for each of `roles` that
/// no one holds (section 3: 「院長をもってそれに充てること」). All are role-field values.
public struct StandIn: Sendable, Equatable {
    public let holder: String
    public let roles: [String]
}

/// `companion SECTION replaces json "a.json", …` / `companion SECTION appends`: a file kept
/// beside `snapshot.json` for a collection section. Its table is the section's (`devices.csv`
/// / `端末.csv`); `replaces` also reads one of the JSON files, and the section's rows in the
/// snapshot give way to it; `appends` adds its rows to the snapshot's.
public struct Companion: Sendable, Equatable {
    public enum Mode: Sendable, Equatable {
        case replaces(json: [String])
        case appends
    }
    public let section: Int
    public let mode: Mode
    /// The JSON file names that stand for the section (`replaces json "devices.json", …`).
    public var jsonFiles: [String] { if case .replaces(let names) = mode { names } else { [] } }
}

/// `field F: string … near_reference S.L.F2`: a value of `F` that matches no `F2` of the
/// elements of list `L` of section `S` exactly but does once case, width, dashes and spaces
/// are folded is a likely slip (`data.near-reference`). Indexes: `field` of `record`'s fields,
/// `list` of section `S`'s record, `target` of the list's element record.
public struct NearReference: Sendable, Equatable {
    /// The record holding the field (by name: records may be nested anywhere).
    public let record: String
    public let field: Int
    public let section: Int
    public let list: Int
    public let target: Int
}

extension SchemaBuilder {
    /// The mechanism declarations of the file, checked against the built sections: unknown
    /// section or field (`schema.unknown-section`, `schema.unknown-field`); a field of the
    /// wrong type, a section of the wrong shape, an answer word its field cannot hold, a
    /// required clause left out or a mechanism declared twice (`schema.mechanism`).
    ///
    /// Also refuses a section named like a reserved top-level key (`schema.invalid`).
    mutating func mechanisms(_ sections: [SectionSchema], _ tables: [TableSpec]) -> Mechanisms {
        for s in file.sections where Self.reservedKeys.contains(s.name.text) {
            error(
                .schemaInvalid,
                "`\(s.name.text)` is a reserved top-level key of a snapshot (\(Self.reservedKeys.sorted().joined(separator: ", "))): "
                    + "a section may not be named so", at: s.name.span)
        }
        var out = Mechanisms()
        if let d = first(file.statements, "statements", span: \.span) {
            out.statements = statements(d, sections)
        }
        if let d = first(file.published, "published", span: \.span) {
            out.published = published(d, sections)
        }
        if let d = first(file.subject, "subject", span: \.span) { out.subject = subject(d, sections) }
        if let d = first(file.snapshotVersion, "snapshot version", span: \.span) {
            if d.version >= 1 {
                out.snapshotVersion = d.version
            } else {
                error(
                    .schemaMechanism, "a snapshot version is a whole number from 1, not \(d.version)", at: d.versionSpan
                )
            }
        }
        if let d = first(file.roster, "roster", span: \.span) { out.roster = roster(d, sections) }
        if let d = first(file.appointments, "appointments", span: \.span) {
            out.appointments = appointments(d, sections)
            // A role a statement may name that no appointment can hold could never be signed in:
            // every such statement would be refused as "not appointed".
            if let st = out.statements, let ap = out.appointments, let n = d.role,
                case .enumeration(let held) = sections[ap.section].record.fields[ap.role].type
            {
                let never = st.roles.filter { !held.contains($0) }
                if !never.isEmpty {
                    error(
                        .schemaMechanism,
                        "the statements' roles \(never.map(Formatter.quote).joined(separator: ", ")) are not values of "
                            + "`\(n.text)`, so no one could ever hold them", at: n.span,
                        help: "give the two fields the same `choices` set")
                    out.appointments = nil
                }
            }
        }
        out.companions = companions(sections, tables)
        out.nearReferences = nearReferences(sections)
        return out
    }

    /// Top-level keys of a snapshot that are not sections, whatever the pack
    /// (`$schema` cannot be written as a name; it is listed for the message).
    static let reservedKeys: Set<String> = ["parameters", "$schema", "comment", "schema_version"]

    /// `schema.unknown-section` at `n`, with the closest section's name.
    private mutating func unknownSection(_ n: Name) {
        error(
            .schemaUnknownSection, "no section is named `\(n.text)`", at: n.span,
            help: closestMatch(to: n.text, in: sectionDecls.keys).map { "did you mean `\($0)`?" })
    }

    /// The record of a section of one record, or nil after an error.
    mutating func single(_ n: Name) -> RecordDecl? {
        guard let s = sectionDecls[n.text] else {
            unknownSection(n)
            return nil
        }
        guard !s.collection else {
            error(.schemaInvalid, "section `\(n.text)` is a collection, not one record", at: n.span)
            return nil
        }
        return recordDecls[s.record.text]
    }

    /// The first declaration of a mechanism; every further one is an error at it.
    private mutating func first<T>(_ decls: [T], _ what: String, span: (T) -> Span) -> T? {
        for d in decls.dropFirst() {
            error(
                .schemaMechanism,
                "`\(what)` is declared twice (first at line \(span(decls[0]).line)): a pack has one",
                at: span(d))
        }
        return decls.first
    }

    /// The section a mechanism names, with its index, when it is of the shape it needs; nil
    /// after an error (none when the section itself failed to build: that was reported).
    private mutating func section(
        _ n: Name, _ sections: [SectionSchema], collection: Bool?, for what: String
    ) -> (Int, SectionSchema)? {
        guard let decl = sectionDecls[n.text] else {
            unknownSection(n)
            return nil
        }
        if let collection, decl.collection != collection {
            error(
                .schemaMechanism,
                "`\(what)` needs \(collection ? "a collection" : "a section of one record"); section `\(n.text)` is "
                    + (decl.collection ? "a collection" : "one record"), at: n.span)
            return nil
        }
        guard let i = sections.firstIndex(where: { $0.name == n.text }) else { return nil }
        return (i, sections[i])
    }

    /// The index of the field a clause names, checked to be of the type `accepts` allows.
    private mutating func field(
        _ n: Name?, of s: SectionSchema, clause: String, in what: String, at declSpan: Span,
        must description: String, _ accepts: (FieldType) -> Bool
    ) -> Int? {
        field(n, of: s.record, clause: clause, in: what, at: declSpan, must: description, accepts)
    }

    /// The index of the field a clause names in `record`, checked to be of the type `accepts` allows.
    private mutating func field(
        _ n: Name?, of record: RecordSchema, clause: String, in what: String, at declSpan: Span,
        must description: String, _ accepts: (FieldType) -> Bool
    ) -> Int? {
        guard let n else {
            error(.schemaMechanism, "`\(what)` has no `\(clause)` clause: \(description)", at: declSpan)
            return nil
        }
        guard let i = record.index[n.text] else {
            error(
                .schemaUnknownField, "record `\(record.name)` has no field `\(n.text)`", at: n.span,
                help: closestMatch(to: n.text, in: record.fields.map(\.name)).map { "did you mean `\($0)`?" })
            return nil
        }
        let t = record.fields[i].type
        guard accepts(t) else {
            error(.schemaMechanism, "`\(clause) \(n.text)` must name \(description); `\(n.text)` is \(t)", at: n.span)
            return nil
        }
        return i
    }

    private static func isString(_ t: FieldType) -> Bool { t == .string }
    private static func isDate(_ t: FieldType) -> Bool { t == .date }
    private static func isChoice(_ t: FieldType) -> Bool {
        if case .enumeration = t { true } else { false }
    }

    private mutating func statements(_ d: StatementsDecl, _ sections: [SectionSchema]) -> Statements? {
        let what = "statements"
        guard let (si, s) = section(d.section, sections, collection: true, for: what) else { return nil }
        let clauses: [(String, Name?, String, (FieldType) -> Bool)] = [
            ("item", d.item, "a string field (the attestation key)", Self.isString),
            ("answer", d.answer, "a choice field (the answer)", Self.isChoice),
            ("signed", d.signed, "a date field (the day it was signed)", Self.isDate),
            ("role", d.role, "a choice field (the signer's role)", Self.isChoice),
            ("signer", d.signer, "a string field (the signer's id)", Self.isString),
            // Required: "not applicable" is never taken without a reason (`tenken attest` refuses
            // such a row, and the engine would otherwise count one it refuses).
            ("reason", d.reason, "a string field (why a not-applicable answer does not apply)", Self.isString),
        ]
        let found = clauses.map { c in field(c.1, of: s, clause: c.0, in: what, at: d.span, must: c.2, c.3) }
        let answer = found[1]
        var words: [String] = []
        if let answer, case .enumeration(let values) = s.record.fields[answer].type {
            var seen: [String: String] = [:]
            for (clause, word) in [("yes", d.yes), ("no", d.no), ("not_applicable", d.notApplicable)] {
                guard let word else { continue }
                if !values.contains(word.text) {
                    error(
                        .schemaMechanism,
                        "\(Formatter.quote(word.text)) is not a value of `\(s.record.fields[answer].name)` "
                            + "(\(values.joined(separator: ", ")))", at: word.span)
                } else if let other = seen[word.text] {
                    error(
                        .schemaMechanism, "`\(clause)` and `\(other)` are both \(Formatter.quote(word.text))",
                        at: word.span)
                } else {
                    seen[word.text] = clause
                    words.append(word.text)
                }
            }
            // Only the declared words are answers: a fourth value would be neither yes, no nor
            // not applicable, a row no rule could weigh.
            let extra = values.filter { !seen.keys.contains($0) }
            if words.count == 3, !extra.isEmpty, let n = d.answer {
                error(
                    .schemaMechanism,
                    "`\(n.text)` has values that are not an answer: \(extra.map(Formatter.quote).joined(separator: ", "))",
                    at: n.span,
                    help: "an answer field's choices are exactly its `yes`, `no` and `not_applicable` words")
                words = []
            }
        }
        guard let item = found[0], let answer, let signed = found[2], let role = found[3], let signer = found[4],
            let reason = found[5], words.count == 3,
            case .enumeration(let roles) = s.record.fields[role].type
        else { return nil }
        return Statements(
            section: si, item: item, answer: answer, signedOn: signed, role: role, signer: signer, reason: reason,
            yes: words[0], no: words[1], notApplicable: words[2], roles: roles)
    }

    /// A `label`/`publisher` clause: required, and words a person reads (not empty or padded).
    private mutating func words(
        _ w: BilingualDecl?, _ clause: String, in what: String, at span: Span, _ description: String
    )
        -> Bilingual?
    {
        guard let w else {
            error(.schemaMechanism, "`\(what)` has no `\(clause)` clause: \(description), ja and en", at: span)
            return nil
        }
        for text in [w.ja, w.en] {
            guard let problem = SchemaLint.wordProblem(text) else { continue }
            error(.schemaInvalid, "the \(clause) \(Formatter.quote(text)) \(problem)", at: w.span)
            return nil
        }
        return Bilingual(ja: w.ja, en: w.en)
    }

    private mutating func published(_ d: PublishedDecl, _ sections: [SectionSchema]) -> Published? {
        let what = "published"
        guard let (si, s) = section(d.section, sections, collection: false, for: what) else { return nil }
        let dated = field(
            d.dated, of: s, clause: "dated", in: what, at: d.span, must: "a date field (the day it was published)",
            Self.isDate)
        let label = words(d.label, "label", in: what, at: d.span, "what reports call the profile")
        let publisher = words(d.publisher, "publisher", in: what, at: d.span, "who publishes the profile")
        guard let dated, let label, let publisher else { return nil }
        return Published(
            section: si, dated: dated, label: label, publisher: publisher, maxAgeParam: d.maxAge?.text,
            maxAgeLocation: d.maxAge.map { loc($0.span) })
    }

    private mutating func subject(_ d: SubjectDecl, _ sections: [SectionSchema]) -> Subject? {
        let what = "subject"
        guard let (si, s) = section(d.section, sections, collection: false, for: what) else { return nil }
        let id = field(d.id, of: s, clause: "id", in: what, at: d.span, must: "a string field (its id)", Self.isString)
        let name =
            d.name == nil
            ? nil : field(d.name, of: s, clause: "name", in: what, at: d.span, must: "a string field", Self.isString)
        let kind =
            d.kind == nil
            ? nil
            : field(d.kind, of: s, clause: "kind", in: what, at: d.span, must: "a choice field", Self.isChoice)
        guard let id, d.name == nil || name != nil, d.kind == nil || kind != nil else { return nil }
        var kinds: [String] = []
        if let kind, case .enumeration(let values) = s.record.fields[kind].type { kinds = values }
        return Subject(section: si, id: id, name: name, kind: kind, kinds: kinds)
    }

    private mutating func roster(_ d: RosterDecl, _ sections: [SectionSchema]) -> StaffRoster? {
        let what = "roster"
        guard let (si, s) = section(d.section, sections, collection: true, for: what) else { return nil }
        let person = field(
            d.person, of: s, clause: "person", in: what, at: d.span, must: "a string field (a person's id)",
            Self.isString)
        let from = field(
            d.from, of: s, clause: "from", in: what, at: d.span, must: "a date field (the day they joined)", Self.isDate
        )
        let until = field(
            d.until, of: s, clause: "until", in: what, at: d.span, must: "a date field (the day they left)", Self.isDate
        )
        var notPeople: Int?
        if let n = d.notPeople, let (ni, _) = section(n, sections, collection: true, for: "roster … not_people") {
            if ni == si {
                error(.schemaMechanism, "`not_people` names the roster's own section `\(n.text)`", at: n.span)
            } else {
                notPeople = ni
            }
        }
        let label = words(d.label, "label", in: what, at: d.span, "what messages call the roster")
        guard let person, let from, let until, let label, d.notPeople == nil || notPeople != nil else { return nil }
        return StaffRoster(section: si, person: person, from: from, until: until, notPeople: notPeople, label: label)
    }

    private mutating func appointments(_ d: AppointmentsDecl, _ sections: [SectionSchema]) -> Appointments? {
        let what = "appointments"
        guard let (si, s) = section(d.section, sections, collection: true, for: what) else { return nil }
        let role = field(
            d.role, of: s, clause: "role", in: what, at: d.span, must: "a choice field (the role)", Self.isChoice)
        let person = field(
            d.person, of: s, clause: "person", in: what, at: d.span, must: "a string field (the holder's id)",
            Self.isString)
        let since = field(
            d.since, of: s, clause: "since", in: what, at: d.span, must: "a date field (the day it is held since)",
            Self.isDate)
        let label = words(d.label, "label", in: what, at: d.span, "what messages call the appointments")
        var standIns: [StandIn] = []
        var ok = true
        if let role, case .enumeration(let values) = s.record.fields[role].type {
            let roleName = s.record.fields[role].name
            var covered: [String: String] = [:]
            var coveredAt: [String: Span] = [:]
            func isRole(_ w: (text: String, span: Span)) -> Bool {
                guard values.contains(w.text) else {
                    error(
                        .schemaMechanism,
                        "\(Formatter.quote(w.text)) is not a value of `\(roleName)` (\(values.joined(separator: ", ")))",
                        at: w.span,
                        help: closestMatch(to: w.text, in: values).map { "did you mean \(Formatter.quote($0))?" })
                    ok = false
                    return false
                }
                return true
            }
            for si in d.standIns {
                guard isRole(si.holder) else { continue }
                var roles: [String] = []
                for r in si.roles where isRole(r) {
                    if r.text == si.holder.text {
                        error(.schemaMechanism, "\(Formatter.quote(r.text)) cannot stand in for itself", at: r.span)
                        ok = false
                    } else if let other = covered[r.text] {
                        error(
                            .schemaMechanism,
                            "\(Formatter.quote(r.text)) already has a stand-in (\(Formatter.quote(other))): a role has one",
                            at: r.span)
                        ok = false
                    } else {
                        covered[r.text] = si.holder.text
                        coveredAt[r.text] = r.span
                        roles.append(r.text)
                    }
                }
                standIns.append(StandIn(holder: si.holder.text, roles: roles))
            }
            // Each role has one stand-in, so following them from a role either ends or comes back
            // round: a cycle of stand-ins, which no one outside it answers for. Reported once, at
            // the first of its roles declared.
            var reported: Set<String> = []
            for si in d.standIns {
                for r in si.roles where coveredAt[r.text] == r.span && !reported.contains(r.text) {
                    var chain = [r.text]
                    while let next = covered[chain[chain.count - 1]], next != r.text, !chain.contains(next) {
                        chain.append(next)
                    }
                    guard covered[chain[chain.count - 1]] == r.text else { continue }
                    reported.formUnion(chain)
                    error(
                        .schemaMechanism,
                        "the stand-ins go round: "
                            + (chain.reversed() + [chain[chain.count - 1]]).map(Formatter.quote).joined(
                                separator: " for "),
                        at: r.span, help: "a role's stand-in must not itself be stood in for by that role")
                    ok = false
                }
            }
        }
        guard let role, let person, let since, let label, ok else { return nil }
        return Appointments(
            section: si, role: role, person: person, since: since, label: label, standIns: standIns)
    }

    /// The JSON names a facility folder's reader gives their own meaning (the snapshot), which a
    /// companion file may not take, in any case or width.
    static let reservedJSONFiles: Set<String> = [SnapshotSchema.keyForm("snapshot.json")]

    private mutating func companions(_ sections: [SectionSchema], _ tables: [TableSpec]) -> [Companion] {
        var out: [Companion] = []
        var first: [String: Int] = [:]
        var jsonFiles: [String: String] = [:]
        var modeAt: [String: Int] = [:]
        for d in file.companions {
            if let line = first[d.section.text] {
                error(
                    .schemaMechanism,
                    "`companion \(d.section.text)` is declared twice (first at line \(line)): a section has one",
                    at: d.span)
                continue
            }
            first[d.section.text] = d.span.line
            // The folder reader reads one companion of each mode (the device inventory it replaces,
            // the statements it appends): a second would be declared and never read.
            let mode = if case .appends = d.mode { "appends" } else { "replaces" }
            if let line = modeAt[mode] {
                error(
                    .schemaMechanism,
                    "a second `companion … \(mode)` (the first at line \(line)): a pack has one of each mode",
                    at: d.span, help: "a folder's reader reads one companion that \(mode); its file would be dropped")
                continue
            }
            modeAt[mode] = d.span.line
            guard let (si, _) = section(d.section, sections, collection: true, for: "companion") else { continue }
            guard tables.contains(where: { if case .collection(let c) = $0.shape { c == si } else { false } }) else {
                error(
                    .schemaMechanism,
                    "`companion \(d.section.text)` needs a table of its own (`table … { section \(d.section.text) }`): "
                        + "it is the companion file", at: d.section.span)
                continue
            }
            switch d.mode {
            case .appends: out.append(Companion(section: si, mode: .appends))
            case .replaces(let files):
                var ok = true
                for f in files {
                    let problem =
                        !f.text.lowercased().hasSuffix(".json") || f.text.count <= 5
                        ? "is not a JSON file's name (NAME.json)" : SchemaLint.fileNameProblem(f.text)
                    if let problem {
                        error(.schemaInvalid, "the companion file \(Formatter.quote(f.text)) \(problem)", at: f.span)
                        ok = false
                    } else if Self.reservedJSONFiles.contains(SnapshotSchema.keyForm(f.text)) {
                        error(
                            .schemaMechanism,
                            "the companion file \(Formatter.quote(f.text)) is the snapshot's own name in a facility "
                                + "folder", at: f.span, help: "name it after its section, as \"devices.json\"")
                        ok = false
                    } else if let other = jsonFiles[SnapshotSchema.keyForm(f.text)] {
                        error(
                            .schemaMechanism,
                            "the companion file \(Formatter.quote(f.text)) is also given for `\(other)`",
                            at: f.span)
                        ok = false
                    } else {
                        jsonFiles[SnapshotSchema.keyForm(f.text)] = d.section.text
                    }
                }
                if ok { out.append(Companion(section: si, mode: .replaces(json: files.map(\.text)))) }
            }
        }
        return out
    }

    private mutating func nearReferences(_ sections: [SectionSchema]) -> [NearReference] {
        var out: [NearReference] = []
        for r in file.records {
            for f in r.fields {
                guard let (sn, ln, fn) = f.nearReference else { continue }
                let what = "near_reference"
                // The record failed to build: reported there.
                guard let own = built[r.name.text], let fi = own.index[f.name.text] else { continue }
                if own.fields[fi].type != .string {
                    error(
                        .schemaMechanism,
                        "only a string field can be a `near_reference`; `\(f.name.text)` is \(own.fields[fi].type)",
                        at: sn.span)
                    continue
                }
                guard let (si, s) = section(sn, sections, collection: nil, for: what) else { continue }
                guard
                    let li = field(
                        ln, of: s, clause: what, in: what, at: sn.span, must: "a list of records",
                        { if case .list(.record) = $0 { true } else { false } }),
                    case .list(.record(let element)) = s.record.fields[li].type,
                    let ti = field(
                        fn, of: element, clause: what, in: what, at: sn.span, must: "a string field", Self.isString)
                else { continue }
                if element.name == r.name.text, ti == fi {
                    // Every row of that list matches itself, so the warning could never be given.
                    error(
                        .schemaMechanism,
                        "`\(f.name.text)` is a `near_reference` to itself (\(sn.text).\(ln.text).\(fn.text)): every value "
                            + "matches its own row", at: sn.span,
                        help: "name the field of the other list it should match")
                    continue
                }
                out.append(NearReference(record: r.name.text, field: fi, section: si, list: li, target: ti))
            }
        }
        return out
    }
}

extension PackSchema {
    /// The subject's record among a facility's sections (`subject S`: section `S`), nil when the
    /// pack declares no subject or the input lacks the section.
    public func subjectRecord(in roots: [Value?]) -> Record? {
        guard let subject = mechanisms.subject, subject.section < roots.count,
            case .record(let r)? = roots[subject.section]
        else { return nil }
        return r
    }

    /// The subject's id (`subject S { id F }`), when the input gives one as a string: what
    /// reports, batch folders and aggregates name the facility by.
    public func subjectID(in roots: [Value?]) -> String? {
        guard let subject = mechanisms.subject, let r = subjectRecord(in: roots),
            case .string(let s) = r.values[subject.id]
        else { return nil }
        return s
    }
}

extension PackSchema {
    /// The table holding collection `section` (`devices`), nil when no table of its own does.
    public func collectionTable(_ section: Int) -> TableSpec? {
        tables.first { if case .collection(let si) = $0.shape { si == section } else { false } }
    }

    /// The names of the tables of the pack's companions (`companion S …`): files a snapshot
    /// folder may hold beside `snapshot.json`.
    public var companionTables: Set<String> {
        Set(mechanisms.companions.compactMap { collectionTable($0.section)?.name })
    }

    /// The profile table (the single sections as key/value rows), nil when the pack has none.
    public var profileTable: TableSpec? {
        tables.first { if case .profile = $0.shape { true } else { false } }
    }
}

extension PackSchema {
    /// Two tables messages give as examples of a facility's tables: the profile table and the
    /// roster's table (else the first collection's), as in "facility.csv, staff.csv, …".
    public var exampleTables: [TableSpec] {
        let people =
            mechanisms.roster.flatMap { collectionTable($0.section) }
            ?? tables.first { if case .collection = $0.shape { true } else { false } }
        return [profileTable, people].compactMap { $0 }
    }
}

extension PackSchema {
    /// The companion that replaces its section (`companion S replaces json …`: the device
    /// inventory of `--devices`), if the pack declares one.
    public var replacingCompanion: Companion? {
        mechanisms.companions.first { if case .replaces = $0.mode { true } else { false } }
    }
    /// The companion whose rows are added to the snapshot's (`companion S appends`).
    public var appendingCompanion: Companion? { mechanisms.companions.first { $0.mode == .appends } }
}
