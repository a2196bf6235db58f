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
    public init(statements: Statements? = nil, published: Published? = nil) {
        self.statements = statements
        self.published = published
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
    /// Why it does not apply (a string field), if the pack keeps one.
    public let reason: Int?
    /// The answer field's values meaning yes, no and not applicable.
    public let yes: String
    public let no: String
    public let notApplicable: String
    /// The role field's values, in the order written: the roles an attestation may name.
    public let roles: [String]
}

/// `published SECTION { dated F  label ja "…" en "…" }`: the provider's published profile.
public struct Published: Sendable, Equatable {
    /// The single section holding the profile.
    public let section: Int
    /// The date it was published (a date field of the section's record).
    public let dated: Int
    /// What reports call it (`事業者プロファイル` / `provider profile`).
    public let label: Bilingual
}

extension SchemaBuilder {
    /// The mechanism declarations of the file, checked against the built sections: unknown
    /// section or field (`schema.unknown-section`, `schema.unknown-field`); a field of the
    /// wrong type, a section of the wrong shape, an answer word its field cannot hold, a
    /// required clause left out or a mechanism declared twice (`schema.mechanism`).
    mutating func mechanisms(_ sections: [SectionSchema]) -> Mechanisms {
        var out = Mechanisms()
        if let d = first(file.statements, "statements", span: \.span) {
            out.statements = statements(d, sections)
        }
        if let d = first(file.published, "published", span: \.span) {
            out.published = published(d, sections)
        }
        return out
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
        _ n: Name, _ sections: [SectionSchema], collection: Bool, for what: String
    ) -> (Int, SectionSchema)? {
        guard let decl = sectionDecls[n.text] else {
            error(
                .schemaUnknownSection, "no section is named `\(n.text)`", at: n.span,
                help: closestMatch(to: n.text, in: sectionDecls.keys).map { "did you mean `\($0)`?" })
            return nil
        }
        guard decl.collection == collection else {
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
        guard let n else {
            error(.schemaMechanism, "`\(what)` has no `\(clause)` clause: \(description)", at: declSpan)
            return nil
        }
        guard let i = s.record.index[n.text] else {
            error(
                .schemaUnknownField, "record `\(s.record.name)` has no field `\(n.text)`", at: n.span,
                help: closestMatch(to: n.text, in: s.record.fields.map(\.name)).map { "did you mean `\($0)`?" })
            return nil
        }
        let t = s.record.fields[i].type
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
        ]
        let found = clauses.map { c in field(c.1, of: s, clause: c.0, in: what, at: d.span, must: c.2, c.3) }
        // Optional: checked only when written, and then it must resolve like the others.
        let reason =
            d.reason == nil
            ? nil
            : field(
                d.reason, of: s, clause: "reason", in: what, at: d.span, must: "a string field (the reason)",
                Self.isString)
        let answer = found[1]
        var words: [String] = []
        if let answer, case .enumeration(let values) = s.record.fields[answer].type {
            var seen: [String: String] = [:]
            for (clause, word) in [("yes", d.yes), ("no", d.no), ("not_applicable", d.notApplicable)] {
                guard let word else { continue }
                if !values.contains(word.text) {
                    error(
                        .schemaMechanism,
                        "\"\(word.text)\" is not a value of `\(s.record.fields[answer].name)` "
                            + "(\(values.joined(separator: ", ")))", at: word.span)
                } else if let other = seen[word.text] {
                    error(.schemaMechanism, "`\(clause)` and `\(other)` are both \"\(word.text)\"", at: word.span)
                } else {
                    seen[word.text] = clause
                    words.append(word.text)
                }
            }
        }
        guard let item = found[0], let answer, let signed = found[2], let role = found[3], let signer = found[4],
            d.reason == nil || reason != nil, words.count == 3,
            case .enumeration(let roles) = s.record.fields[role].type
        else { return nil }
        return Statements(
            section: si, item: item, answer: answer, signedOn: signed, role: role, signer: signer, reason: reason,
            yes: words[0], no: words[1], notApplicable: words[2], roles: roles)
    }

    private mutating func published(_ d: PublishedDecl, _ sections: [SectionSchema]) -> Published? {
        let what = "published"
        guard let (si, s) = section(d.section, sections, collection: false, for: what) else { return nil }
        let dated = field(
            d.dated, of: s, clause: "dated", in: what, at: d.span, must: "a date field (the day it was published)",
            Self.isDate)
        guard let label = d.label else {
            error(
                .schemaMechanism, "`published` has no `label` clause: what reports call the profile, ja and en",
                at: d.span)
            return nil
        }
        for text in [label.ja, label.en] {
            guard let problem = SchemaLint.wordProblem(text) else { continue }
            error(.schemaInvalid, "the label \"\(text)\" \(problem)", at: label.span)
            return nil
        }
        guard let dated else { return nil }
        return Published(section: si, dated: dated, label: Bilingual(ja: label.ja, en: label.en))
    }
}
