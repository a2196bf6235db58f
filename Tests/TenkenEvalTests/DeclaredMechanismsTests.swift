import Foundation
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenEval

/// The evaluator and the checker read statements, the roster, the appointments and the
/// published profile from a pack's declarations (docs/dsl.md, "Mechanisms"), here a small
/// hand-written schema with names MCS does not use, and a pack that leaves one out gets what the
/// table "A pack that does not declare one" says.
struct DeclaredMechanismsTests {
    static let schema = """
        subject site { id id }
        snapshot version 1
        section site: site doc "the audited site"
        section people: [person] doc "people"
        section posts: [post] doc "who holds which post"
        section statements: [statement] doc "signed statements"
        section vendor: profile doc "the vendor's profile"
        choices role { "lead" ja "責任者"  "admin" ja "管理者"  "clerk" ja "事務" }
        record site { field id: string doc "id" }
        record person { field id: string doc "id"  field joined: date doc "joined"  field left: date doc "left" absent none en "here" ja "在籍" }
        record post { id none  field post: choice role doc "post"  field who: string doc "who"  field since: date doc "since" }
        record profile { id none  field dated: date ja "日付" doc "published on" }
        record statement {
          id item
          field item: string doc "the key"
          field answer: choice ["yes", "no", "n/a"] doc "the answer"
          field on: date doc "signed on"
          field role: choice role doc "the signer's role"
          field by: string doc "the signer"
          field why: string doc "the reason" absent none en "none" ja "なし"
        }
        table profile ja "概要" { profile row profile_row id key  field key: string doc "key"  field value: string doc "value" }
        table people ja "人" { section people }
        table posts ja "役職" { section posts }
        table statements ja "確認" { section statements }
        statements statements { item item  answer answer  yes "yes"  no "no"  not_applicable "n/a"  signed on  role role  signer by  reason why }
        roster people { person id  from joined  until left  label ja "名簿" en "people table" }
        appointments posts { role post  person who  since since  label ja "役職表" en "posts table"  stand_in "lead" for "admin" }
        published vendor { dated dated  label ja "業者表" en "vendor sheet"  publisher ja "会社" en "vendor" }

        """

    /// A rule whose only requirement is `clause`: eight lines, the clause on the last but one.
    static func rule(_ id: String, _ clause: String) -> String {
        """
        rule \(id) {
          implements X-1
          level required
          category human-organizational
          scope mcs
          title ja "t" en "t"
          remediation ja "r" en "r"
          \(clause)
        }
        """
    }

    /// Two attested rules; their clauses are on lines 8 and 17.
    static let rules =
        rule("a", "attestation \"k\" by lead, admin renew 1 year") + "\n"
        + rule("b", "attestation \"m\" by clerk renew 1 year")

    /// The schema with each `(old, new)` replaced (a declaration left out).
    static func schema(_ edits: [(String, String)]) throws -> PackSchema {
        var text = schema
        for (a, b) in edits {
            #expect(text.contains(a), "\(a)")
            text = text.replacingOccurrences(of: a, with: b)
        }
        let (s, diags) = PackSchema.compile(text, file: "schema.tenken")
        return try #require(s, "\(diags)")
    }

    static func check(_ schema: PackSchema) -> CheckOutcome {
        Checker.check(
            PackSource(files: [("pack.tenken", manifest), ("r.tenken", rules)], catalog: ("c.tsv", catalog)),
            schema: schema)
    }

    /// Evaluates both rules on a site whose people, posts, statements and vendor sheet are given.
    static func run(
        _ schema: PackSchema, people: String = "[]", posts: String = "[]", statements: String,
        vendor: String = "{\"dated\": \"2020-01-01\"}"
    ) throws -> FacilityResult {
        try facility(schema, people: people, posts: posts, statements: statements, vendor: vendor).0
    }

    static func facility(
        _ schema: PackSchema, people: String = "[]", posts: String = "[]", statements: String,
        vendor: String = "{\"dated\": \"2020-01-01\"}"
    ) throws -> (FacilityResult, Facility) {
        let pack = try #require(check(schema).pack, "\(check(schema).diagnostics)")
        var l = SnapshotLoader(schema: schema)
        let json = """
            {"schema_version": 1, "site": {"id": "F-1"}, "people": \(people), "posts": \(posts),
             "statements": \(statements), "vendor": \(vendor)}
            """
        let loaded = l.loadSnapshot(bytes: Array(json.utf8), path: "s.json")
        let f = try #require(loaded, "\(l.diagnostics)")
        #expect(!l.diagnostics.contains { $0.severity == .error }, "\(l.diagnostics)")
        return (Engine(pack: pack).evaluate(f, asOf: try #require(Day(iso: "2026-11-01"))).0, f)
    }

    /// P-1 holds the lead and clerk posts since 2021.
    static let posts =
        #"[{"post": "lead", "who": "P-1", "since": "2021-01-01"}, {"post": "clerk", "who": "P-1", "since": "2021-01-01"}]"#

    static let signedByP1 = """
        [{"item": "k", "answer": "yes", "on": "2026-06-01", "role": "lead", "by": "P-1"},
         {"item": "m", "answer": "yes", "on": "2026-06-01", "role": "clerk", "by": "P-1"}]
        """

    /// `tenken attest` names a statement the pack's own "no" word answered as answered no, not
    /// as expired: the plan compares the declared word, never the MCS spelling.
    @Test func theDeclaredNoWordIsDueAsAnsweredNo() throws {
        let s = try Self.schema([
            ("[\"yes\", \"no\", \"n/a\"]", "[\"yes\", \"nein\", \"n/a\"]"), ("no \"no\"", "no \"nein\""),
        ])
        let pack = try #require(Self.check(s).pack)
        let statements = """
            [{"item": "k", "answer": "nein", "on": "2026-06-01", "role": "lead", "by": "P-1"},
             {"item": "m", "answer": "yes", "on": "2026-06-01", "role": "clerk", "by": "P-1"}]
            """
        let people = #"[{"id": "P-1", "joined": "2020-01-01"}]"#
        let result = try Self.run(s, people: people, posts: Self.posts, statements: statements)
        #expect(result.results.map(\.state) == [.fail, .attested])
        let due = AttestationPlan.due(pack: pack, result: result, window: Duration(30, .days)!)
        #expect(due.map(\.key) == ["k"])
        #expect(due.map(\.why) == [.answeredNo])
    }

    /// The stand-in (`stand_in "lead" for "admin"`) answers for a post no one held on the day
    /// of the statement: one appointed only later does not take it away, one appointed by then
    /// or on an unknown day does (section 3: 「院長をもってそれに充てること」).
    @Test func theStandInAnswersForAPostNoOneHeldThatDay() throws {
        let s = try Self.schema([])
        let people = #"[{"id": "P-1", "joined": "2020-01-01"}, {"id": "P-2", "joined": "2020-01-01"}]"#
        func state(adminSince: String, signed: String) throws -> RuleState? {
            let posts =
                #"[{"post": "lead", "who": "P-1", "since": "2021-01-01"}, {"post": "admin", "who": "P-2""#
                + (adminSince.isEmpty ? "}]" : #", "since": ""# + adminSince + #""}]"#)
            let statements =
                #"[{"item": "k", "answer": "yes", "on": ""# + signed + #"", "role": "admin", "by": "P-1"}]"#
            return try Self.run(s, people: people, posts: posts, statements: statements).results.first?.state
        }
        #expect(try state(adminSince: "2026-07-01", signed: "2026-06-01") == .attested)
        #expect(try state(adminSince: "2026-07-01", signed: "2026-08-01") == .manual)
        #expect(try state(adminSince: "2026-06-01", signed: "2026-06-01") == .manual)
        #expect(try state(adminSince: "", signed: "2026-06-01") == .manual)
    }

    /// A row that names a post but leaves its holder blank (a blank `who` the schema gives no
    /// meaning: someone holds it, who is unknown) keeps the stand-in out, as a named holder
    /// does, and shows no signer entitled; the message says the post is named without its
    /// holder, not that no one holds it. A pack that declares the blank (`absent none`: vacant)
    /// names no holder, and the stand-in answers.
    @Test func aPostWhoseHolderIsBlankKeepsTheStandInOut() throws {
        let s = try Self.schema([])
        let people = #"[{"id": "P-1", "joined": "2020-01-01"}, {"id": "P-2", "joined": "2020-01-01"}]"#
        func run(_ schema: PackSchema, admin: String, by: String = "P-1") throws -> RuleResult {
            let posts = #"[{"post": "lead", "who": "P-1", "since": "2021-01-01"}, "# + admin + "]"
            let statements =
                #"[{"item": "k", "answer": "yes", "on": "2026-06-01", "role": "admin", "by": ""# + by + #""}]"#
            return try #require(
                try Self.run(schema, people: people, posts: posts, statements: statements).results.first)
        }
        // The lead (the stand-in) signs for admin while a row names admin without its holder.
        let blank = try run(s, admin: #"{"post": "admin", "since": "2021-01-01"}"#)
        #expect(blank.state == .manual, "\(blank)")
        #expect(
            blank.reason?.en.contains(
                "the posts table names the role admin without saying who holds it, so the signer P-1 cannot be shown to hold it"
            ) == true, "\(blank)")
        #expect(
            blank.reason?.ja.contains("役職表は管理者を挙げていますが、誰が任命されているかが書かれていないため、回答者 P-1 が管理者に任命されているか確かめられません")
                == true, "\(blank)")
        #expect(blank.reason?.en.contains("no one") == false, "\(blank)")
        // Null, or a blank appointment date too: the same.
        #expect(try run(s, admin: #"{"post": "admin", "who": null, "since": "2021-01-01"}"#).state == .manual)
        #expect(try run(s, admin: #"{"post": "admin"}"#).state == .manual)
        // Beside a named holder: the named one signs, anyone else is refused and both are said.
        let both = #"{"post": "admin", "since": "2021-01-01"}, {"post": "admin", "who": "P-2", "since": "2021-01-01"}"#
        #expect(try run(s, admin: both, by: "P-2").state == .attested)
        let other = try run(s, admin: both)
        #expect(other.state == .manual)
        #expect(other.reason?.en.contains("it names P-2 as well") == true, "\(other)")
        // Appointed only after the statement was signed: no one held it that day, the stand-in answers.
        #expect(try run(s, admin: #"{"post": "admin", "since": "2026-07-01"}"#).state == .attested)
        // A blank the pack declares (vacant): the row names no holder, the stand-in answers.
        let vacant = try Self.schema([
            (#"field who: string doc "who""#, #"field who: string doc "who" absent none en "vacant" ja "空席""#)
        ])
        #expect(try run(vacant, admin: #"{"post": "admin", "since": "2021-01-01"}"#).state == .attested)
    }

    /// A signer's id is matched as every id is (docs/tables.md, docs/snapshot.md): in any
    /// case and width, so `p-1` and `Ｐ－１` sign as P-1 of the roster and the posts table.
    @Test func aSignersIdIsMatchedInAnyCaseAndWidth() throws {
        let s = try Self.schema([])
        for by in ["p-1", "Ｐ－１"] {
            let statements = Self.signedByP1.replacingOccurrences(of: "\"by\": \"P-1\"", with: "\"by\": \"\(by)\"")
            #expect(statements.contains(by))
            let r = try Self.run(
                s, people: #"[{"id": "P-1", "joined": "2020-01-01"}]"#, posts: Self.posts, statements: statements)
            #expect(r.results.map(\.state) == [.attested, .attested], "\(by): \(r.results.map(\.reason))")
        }
    }

    @Test func theDeclaredSectionsAnswerAndCheckTheSigner() throws {
        let s = try Self.schema([])
        #expect(Self.check(s).diagnostics.isEmpty, "\(Self.check(s).diagnostics)")
        // P-1 is on the roster and holds both posts: both statements count.
        let ok = try Self.run(
            s, people: #"[{"id": "P-1", "joined": "2020-01-01"}]"#,
            posts: Self.posts, statements: Self.signedByP1)
        #expect(ok.results.map(\.state) == [.attested, .attested], "\(ok.results.map(\.reason))")
        // Not on the roster: the message names the roster by its label.
        let absent = try Self.run(
            s, posts: Self.posts, statements: Self.signedByP1
        )
        #expect(absent.results.map(\.state) == [.manual, .manual])
        #expect(absent.results[0].reason?.ja.contains("回答者 P-1 は名簿にいません") == true, "\(absent.results[0])")
        #expect(
            absent.results[0].reason?.en.contains("P-1 is not in the people table (s.json:2:") == true,
            "\(absent.results[0])")
        // On the roster, holding no post: the appointments' label, and the stand-in's word for a
        // role it stands in for.
        let noPost = try Self.run(
            s, people: #"[{"id": "P-1", "joined": "2020-01-01"}]"#,
            statements: #"[{"item": "k", "answer": "yes", "on": "2026-06-01", "role": "admin", "by": "P-1"}]"#)
        #expect(
            noPost.results[0].reason?.ja
                == "証明「k」を数えられません: 回答者 P-1 は役職表で管理者に任命されていません（任命された職員も責任者もいません）（s.json:2:76#/statements/0/role）",
            "\(noPost.results[0])")
        #expect(
            noPost.results[0].reason?.en.contains(
                "P-1 does not hold the role admin in the posts table (no one, and no lead, holds it)") == true)
        // The published profile: dated, labelled and stale as declared.
        let profile = try #require(ok.providerProfile)
        #expect(profile.asOf == Day(iso: "2020-01-01") && !profile.stale)
        let undated = try #require(
            try Self.run(s, statements: "[]", vendor: "{}").providerProfile?.warning)
        #expect(undated.ja == "業者表に日付（dated）がありません。会社の最新の公表内容で確認してください", "\(undated)")
        #expect(undated.en.hasPrefix("the vendor sheet has no date (dated); check it against the vendor's latest"))
    }

    /// No `statements`: an `attestation` clause is an error at the clause.
    @Test func withoutStatementsAnAttestationIsAnErrorAtTheClause() throws {
        let s = try Self.schema([
            ("statements statements {", "# statements statements {"),
            ("roster people", "# roster people"), ("appointments posts", "# appointments posts"),
        ])
        let o = Self.check(s)
        #expect(o.pack == nil)
        let errors = o.diagnostics.filter { $0.severity == .error }
        #expect(errors.map(\.id) == ["check.no-attestations", "check.no-attestations"], "\(o.diagnostics)")
        #expect(errors.map { $0.location?.line } == [8, 17], "\(errors)")
        #expect(errors.allSatisfy { $0.location?.file == "r.tenken" && $0.location?.column == 3 })
    }

    /// No `roster`: signers' employment is not checked, and lint says so once, at the first clause.
    @Test func withoutARosterSignersAreNotCheckedAndLintNotesIt() throws {
        let s = try Self.schema([("roster people", "# roster people")])
        let notes = Self.check(s).diagnostics
        #expect(notes.map(\.id) == ["check.unchecked-signers"], "\(notes)")
        #expect(notes.first?.severity == .note && notes.first?.location?.line == 8)
        // P-1 is on no roster, yet holds the posts: both count.
        let r = try Self.run(
            s, posts: Self.posts, statements: Self.signedByP1
        )
        #expect(r.results.map(\.state) == [.attested, .attested], "\(r.results.map(\.reason))")
    }

    /// A waiver's requester and approver are checked against the declared roster (its label
    /// in the message); without a roster they are taken as written.
    @Test func waiverPeopleAreCheckedAgainstTheDeclaredRosterOnly() throws {
        let day = try #require(Day(iso: "2026-10-01"))
        let w = Waiver(
            rule: "a", facility: "F-1", justification: "the vendor replaces the device in December",
            requestedBy: "P-1", approvedBy: "P-9", grantedOn: day, expiresOn: try #require(Day(iso: "2026-12-01")),
            location: SourceLocation(file: "waivers.json", line: 1, column: 1))
        let people = #"[{"id": "P-1", "joined": "2020-01-01"}]"#
        let (r, f) = try Self.facility(try Self.schema([]), people: people, statements: "[]")
        let d = WaiverPolicy.checkPeople([w], r, facility: f)
        #expect(d.map(\.id) == ["waiver.unknown-person"], "\(d)")
        #expect(d.first?.message.contains("(P-9 is not in the people table)") == true, "\(d)")
        let (r2, f2) = try Self.facility(
            try Self.schema([("roster people", "# roster people")]), people: people, statements: "[]")
        #expect(WaiverPolicy.checkPeople([w], r2, facility: f2).isEmpty)
    }

    /// No `appointments`: a signer's role is checked against the rule's `by` roles only.
    @Test func withoutAppointmentsRolesAreTheRulesOnly() throws {
        let s = try Self.schema([("appointments posts", "# appointments posts")])
        // Never silent: a note once, at the first clause (section 3 asks that the leads be appointed).
        let notes = Self.check(s).diagnostics
        #expect(notes.map(\.id) == ["check.unchecked-roles"], "\(notes)")
        #expect(notes.first?.severity == .note && notes.first?.location?.line == 8)
        let r = try Self.run(s, people: #"[{"id": "P-1", "joined": "2020-01-01"}]"#, statements: Self.signedByP1)
        #expect(r.results.map(\.state) == [.attested, .attested], "\(r.results.map(\.reason))")
        // A role the rule does not name still cannot answer it.
        let wrong = try Self.run(
            s, people: #"[{"id": "P-1", "joined": "2020-01-01"}]"#,
            statements: #"[{"item": "m", "answer": "yes", "on": "2026-06-01", "role": "lead", "by": "P-1"}]"#)
        #expect(wrong.results[1].state == .manual)
        #expect(wrong.results[1].reason?.en.contains("was signed by role lead, but this item needs clerk") == true)
    }

    /// No `published`: no profile line or warning, though the section is there.
    @Test func withoutAPublishedProfileReportsStateNone() throws {
        let s = try Self.schema([("published vendor", "# published vendor")])
        let r = try Self.run(s, statements: "[]", vendor: "{}")
        #expect(r.providerProfile == nil)
    }

    /// The role of an attestation is checked against the statements' role field, and the
    /// message names the appointments' label (or, without them, what a statement may name).
    @Test func anUnknownRoleIsCheckedAgainstTheStatementsRoleField() throws {
        let bad = Self.rules.replacingOccurrences(of: "by clerk", with: "by clerks")
        for (edits, words) in [
            ([(String, String)](), "is not a role of the posts table (lead, admin, clerk)"),
            (
                [("appointments posts", "# appointments posts")],
                "is not a role a statement may name (lead, admin, clerk)"
            ),
        ] {
            let o = Checker.check(
                PackSource(files: [("pack.tenken", manifest), ("r.tenken", bad)], catalog: ("c.tsv", catalog)),
                schema: try Self.schema(edits))
            let e = o.diagnostics.filter { $0.id == "check.unknown-role" }
            #expect(e.count == 1 && e[0].message == "`clerks` \(words)", "\(o.diagnostics)")
            #expect(e.first?.help == "did you mean `clerk`?")
        }
    }

    /// The reviewer's false passes (review of issue 19, F3 and F5/P3), each on this hand-written
    /// schema: a blank the schema leaves unknown never lets a signer count.
    @Test func aBlankLeavingDateThatIsUnknownNeverCountsAsStillHere() throws {
        // `left` without `absent`: a blank is unknown, not "still here".
        let s = try Self.schema([(#" absent none en "here" ja "在籍""#, "")])
        let r = try Self.run(
            s, people: #"[{"id": "P-1", "joined": "2020-01-01"}]"#, posts: Self.posts, statements: Self.signedByP1)
        #expect(r.results.map(\.state) == [.manual, .manual], "\(r.results.map(\.reason))")
        #expect(
            r.results[0].reason?.en.contains("P-1 has an unknown leaving date (left), so the people table cannot show")
                == true, "\(r.results[0])")
        // The same roster read for a waiver's requester.
        let w = Waiver(
            rule: "a", facility: "F-1", justification: "the vendor replaces the device in December",
            requestedBy: "P-1", approvedBy: "P-1", grantedOn: try #require(Day(iso: "2026-10-01")),
            expiresOn: try #require(Day(iso: "2026-12-01")),
            location: SourceLocation(file: "waivers.json", line: 1, column: 1))
        let (r2, f2) = try Self.facility(s, people: #"[{"id": "P-1", "joined": "2020-01-01"}]"#, statements: "[]")
        #expect(!WaiverPolicy.checkPeople([w], r2, facility: f2).isEmpty)
        // With the schema's `absent none` the blank means "still here": both count.
        let here = try Self.run(
            try Self.schema([]), people: #"[{"id": "P-1", "joined": "2020-01-01"}]"#, posts: Self.posts,
            statements: Self.signedByP1)
        #expect(here.results.map(\.state) == [.attested, .attested], "\(here.results.map(\.reason))")
    }

    @Test func aBlankAppointmentDateThatIsUnknownNeverLetsTheAppointmentStand() throws {
        let s = try Self.schema([])
        let r = try Self.run(
            s, people: #"[{"id": "P-1", "joined": "2020-01-01"}]"#,
            posts: #"[{"post": "lead", "who": "P-1"}, {"post": "clerk", "who": "P-1", "since": "2021-01-01"}]"#,
            statements: Self.signedByP1)
        #expect(r.results.map(\.state) == [.manual, .attested], "\(r.results.map(\.reason))")
        #expect(
            r.results[0].reason?.en.contains(
                "the posts table does not say since when P-1 holds the role lead (since unknown)") == true,
            "\(r.results[0])")
        // A pack that says what a blank means (`absent none …`) lets the appointment stand.
        let declared = try Self.schema([
            (#"field since: date doc "since" }"#, #"field since: date doc "since" absent none en "always" ja "常に" }"#)
        ])
        let ok = try Self.run(
            declared, people: #"[{"id": "P-1", "joined": "2020-01-01"}]"#,
            posts: #"[{"post": "lead", "who": "P-1"}, {"post": "clerk", "who": "P-1"}]"#, statements: Self.signedByP1)
        #expect(ok.results.map(\.state) == [.attested, .attested], "\(ok.results.map(\.reason))")
    }

    /// `published … max_age param P`: P must be a duration parameter of the manifest, checked
    /// at the schema's clause; else the profile's age would silently never be checked.
    @Test func theProfilesMaxAgeParameterIsChecked() throws {
        let typo = try Self.schema([
            ("published vendor { dated dated", "published vendor { dated dated  max_age param periode")
        ])
        let e = PackLoader.profileParamDiagnostics(try #require(Self.check(typo).pack))
        #expect(e.map(\.id) == ["check.unknown-param"] && e.first?.severity == .error, "\(e)")
        #expect(e.first?.message.hasPrefix("`max_age param periode`: `periode` is not a parameter") == true, "\(e)")
        #expect(e.first?.location?.file == "schema.tenken" && e.first?.location?.line == 29, "\(e)")
        #expect(e.first?.help == "did you mean `period`?", "\(e)")
        #expect(e.first?.severity == .error, "\(e)")
        // A pack without a schema file reads the built-in schema, whose clause names the built-in
        // manifest's parameter: said as a warning, since the pack cannot fix the schema it borrows.
        let borrowed = PackLoader.profileParamDiagnostics(try #require(Self.check(typo).pack), builtInSchema: true)
        #expect(borrowed.map(\.severity) == [.warning], "\(borrowed)")
        #expect(borrowed.first?.message.hasSuffix("so the profile's age is not checked") == true, "\(borrowed)")
        let good = try Self.schema([
            ("published vendor { dated dated", "published vendor { dated dated  max_age param period")
        ])
        #expect(PackLoader.profileParamDiagnostics(try #require(Self.check(good).pack)).isEmpty)
        // The built-in pack's schema and manifest agree.
        #expect(
            PackLoader.profileParamDiagnostics(
                try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack)
            ).isEmpty)
    }
}
