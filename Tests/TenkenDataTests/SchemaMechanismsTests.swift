import Foundation
import TenkenSyntax
import Testing

@testable import TenkenData

/// The mechanism declarations of a schema file (`statements`, `published`; docs/dsl.md
/// "Mechanisms"): MCS's resolve to the sections and fields the engine uses today, and each
/// mistake is one located error.
struct SchemaMechanismsTests {
    /// MCS's declarations name the sections and fields the engine once found by name (the MCS
    /// sections by index, `"profile_as_of"`, the role choices), so moving onto them changed nothing.
    @Test func mcsDeclaresTheSectionsAndFieldsTheEngineUses() throws {
        let schema = try SchemaEquivalenceTests.mcsSchema()
        let st = try #require(schema.mechanisms.statements)
        #expect(st.section == schema.sectionIndex["attestations"])
        let record = schema.sections[st.section].record
        #expect(record.name == "attestation")
        let names = [st.item, st.answer, st.signedOn, st.role, st.signer, st.reason].map { record.fields[$0].name }
        #expect(names == ["item", "answer", "signed_on", "by_role", "by", "reason"])
        #expect([st.yes, st.no, st.notApplicable] == ["yes", "no", "not-applicable"])
        #expect(st.roles == TestSchema.choices("role", "role"))
        #expect(st.roles.first == "operations-lead")
        let pub = try #require(schema.mechanisms.published)
        #expect(pub.section == schema.sectionIndex["provider"])
        #expect(schema.sections[pub.section].record.fields[pub.dated].name == "profile_as_of")
        #expect(pub.label == Bilingual(ja: "事業者プロファイル", en: "provider profile"))
        #expect(pub.publisher == Bilingual(ja: "事業者", en: "provider"))
        // ProviderProfile.maxAgeParam (TenkenEval; MechanismsEngineTests holds the two together).
        #expect(pub.maxAgeParam == "provider.profile_max_age")
        func name(_ section: Int, _ field: Int?) -> String? {
            field.map { schema.sections[section].record.fields[$0].name }
        }
        // Loader.swift and TableLoader.swift read `facility.id`; InitCommand sets `facility.kind`.
        let subject = try #require(schema.mechanisms.subject)
        #expect(subject.section == schema.sectionIndex["facility"])
        #expect([name(0, subject.id), name(0, subject.name), name(0, subject.kind)] == ["id", "name", "kind"])
        #expect(subject.kinds == TestSchema.choices("facility", "kind"))
        #expect(schema.mechanisms.snapshotVersion == 1, "every MCS snapshot and fixture carries version 1")
        // Roster.employmentGap reads `id`, `hired_on`, `left_on` of `staff`; Waivers.checkPeople
        // refuses the ids of `patients`.
        let roster = try #require(schema.mechanisms.roster)
        #expect(roster.section == schema.sectionIndex["staff"])
        let rs = roster.section
        #expect(
            [name(rs, roster.person), name(rs, roster.from), name(rs, roster.until)] == ["id", "hired_on", "left_on"])
        #expect(roster.notPeople == schema.sectionIndex["patients"])
        #expect(roster.label == Bilingual(ja: "職員名簿", en: "staff table"))
        // Signers reads `role`, `staff_id`, `since` of `roles`; the director stands in for
        // Signers.directorStandsIn (MechanismsEngineTests).
        let ap = try #require(schema.mechanisms.appointments)
        #expect(ap.section == schema.sectionIndex["roles"])
        let a = ap.section
        #expect([name(a, ap.role), name(a, ap.person), name(a, ap.since)] == ["role", "staff_id", "since"])
        #expect(ap.label == Bilingual(ja: "役割表", en: "roles table"))
        #expect(
            ap.standIns == [StandIn(holder: "director", roles: ["operations-lead", "system-admin", "privacy-lead"])])
        // FacilityInput: devices.json / 端末.json beside snapshot.json, attestations.csv appended.
        #expect(
            schema.mechanisms.companions == [
                Companion(
                    section: try #require(schema.sectionIndex["devices"]),
                    mode: .replaces(json: ["devices.json", "端末.json"])),
                Companion(section: try #require(schema.sectionIndex["attestations"]), mode: .appends),
            ])
        // Consistency.refusalParties: a refusal's `party` against groups' members' `facility_id`.
        let near = try #require(schema.mechanisms.nearReferences.first)
        #expect(schema.mechanisms.nearReferences.count == 1)
        #expect(near.record == "refusal" && schema.records["refusal"]?.fields[near.field].name == "party")
        #expect(near.section == schema.sectionIndex["groups"])
        let groups = schema.sections[near.section].record
        #expect(groups.fields[near.list].name == "members")
        guard case .list(.record(let member)) = groups.fields[near.list].type else {
            Issue.record("members is not a list of records")
            return
        }
        #expect(member.fields[near.target].name == "facility_id")
    }

    static let base = """
        section people: [person] doc "people"
        section vendor: profile doc "the vendor's profile"
        section statements: [statement] doc "signed statements"
        choices role { "lead" ja "責任者"  "admin" ja "管理者" }
        record person { field id: string doc "id" }
        record profile { id none  field name: string doc "name"  field dated: date doc "published on" }
        record statement {
          id item
          field item: string doc "the key"
          field answer: choice ["yes", "no", "n/a"] doc "the answer"
          field on: date doc "signed on"
          field role: choice role doc "the signer's role"
          field by: string doc "the signer"
          field why: string doc "the reason" absent none en "none" ja "なし"
          field count: int doc "a number"
        }
        statements statements {
          item item
          answer answer  yes "yes"  no "no"  not_applicable "n/a"
          signed on
          role role
          signer by
          reason why
        }
        published vendor { dated dated  label ja "事業者" en "vendor profile"  publisher ja "会社" en "vendor" }
        table vendor ja "事業者" { profile row vendor_row id key  field key: string doc "key"  field value: string doc "value" }
        table people ja "人" { section people }
        table statements ja "確認" { section statements }

        """

    func compile(
        _ edits: [(String, String)] = [], _ extra: String = "", base: String = base
    ) -> (
        PackSchema?, [(String, Int, String)]
    ) {
        var text = base
        for (a, b) in edits {
            #expect(text.contains(a), "\(a)")
            text = text.replacingOccurrences(of: a, with: b)
        }
        let (schema, diags) = PackSchema.compile(text + extra, file: "m.tenken")
        #expect(diags.allSatisfy { $0.location?.file == "m.tenken" && ($0.location?.line ?? 0) > 0 })
        return (schema, diags.map { ($0.id, $0.location?.line ?? 0, $0.message) })
    }

    func expectOne(_ id: String, line: Int, _ edits: [(String, String)], _ extra: String = "", base: String = base) {
        let f = compile(edits, extra, base: base).1
        #expect(f.count == 1 && f.first?.0 == id && f.first?.1 == line, "\(edits) \(extra): \(f)")
    }

    @Test func theBaseResolvesToIndexes() throws {
        let (schema, errors) = compile()
        #expect(errors.isEmpty, "\(errors)")
        let m = try #require(schema?.mechanisms)
        #expect(
            m.statements
                == Statements(
                    section: 2, item: 0, answer: 1, signedOn: 2, role: 3, signer: 4, reason: 5, yes: "yes", no: "no",
                    notApplicable: "n/a", roles: ["lead", "admin"]))
        #expect(
            m.published
                == Published(
                    section: 1, dated: 1, label: Bilingual(ja: "事業者", en: "vendor profile"),
                    publisher: Bilingual(ja: "会社", en: "vendor")))
    }

    @Test func aPackMayDeclareNone() throws {
        let (schema, errors) = compile([
            ("statements statements {", "#"), ("  item item\n", ""), ("  answer answer", "#"), ("  signed on\n", ""),
            ("  role role\n", ""), ("  signer by\n", ""), ("  reason why\n}", ""), ("published vendor", "#"),
        ])
        #expect(errors.isEmpty, "\(errors)")
        #expect(try #require(schema).mechanisms == Mechanisms())
    }

    /// A not-applicable answer never counts without a reason, and `tenken attest` refuses one
    /// without it: a pack without the field would have `check` take what `attest` refuses.
    @Test func theReasonIsRequired() throws {
        expectOne("schema.mechanism", line: 17, [("  reason why\n", "")])
        let f = compile([("  reason why\n", "")]).1
        #expect(f.first?.2.hasPrefix("`statements` has no `reason` clause") == true, "\(f)")
    }

    /// The declared `yes` is the only yes: an answer field with a fourth value would hold rows
    /// that are neither yes, no nor not applicable.
    @Test func theAnswerHoldsExactlyTheThreeWords() throws {
        let edit = [("[\"yes\", \"no\", \"n/a\"]", "[\"yes\", \"no\", \"n/a\", \"pending\"]")]
        expectOne("schema.mechanism", line: 19, edit)
        let f = compile(edit).1
        #expect(f.first?.2 == "`answer` has values that are not an answer: \"pending\"", "\(f)")
        #expect(compile(edit).0?.mechanisms.statements == nil)
    }

    @Test func unknownSectionsAndFieldsAreLocated() {
        expectOne("schema.unknown-section", line: 17, [("statements statements {", "statements statement {")])
        expectOne("schema.unknown-section", line: 25, [("published vendor", "published vendors")])
        expectOne("schema.unknown-field", line: 18, [("  item item", "  item key")])
        expectOne("schema.unknown-field", line: 20, [("  signed on", "  signed signed_on")])
        expectOne("schema.unknown-field", line: 22, [("  signer by", "  signer signer")])
        expectOne("schema.unknown-field", line: 23, [("  reason why", "  reason because")])
        expectOne("schema.unknown-field", line: 25, [("dated dated", "dated date")])
        let f = compile([("  item item", "  item key")]).1
        #expect(f.first?.2 == "record `statement` has no field `key`", "\(f)")
    }

    @Test func aFieldOfTheWrongTypeIsRefused() {
        expectOne("schema.mechanism", line: 18, [("  item item", "  item count")])
        expectOne("schema.mechanism", line: 19, [("  answer answer", "  answer item")])
        expectOne("schema.mechanism", line: 20, [("  signed on", "  signed by")])
        expectOne("schema.mechanism", line: 21, [("  role role", "  role by")])
        expectOne("schema.mechanism", line: 22, [("  signer by", "  signer on")])
        expectOne("schema.mechanism", line: 23, [("  reason why", "  reason count")])
        expectOne("schema.mechanism", line: 25, [("dated dated", "dated name")])
        let f = compile([("  signed on", "  signed by")]).1
        #expect(f.first?.2 == "`signed by` must name a date field (the day it was signed); `by` is string", "\(f)")
    }

    /// Errors are collected: a bad `reason` does not hide a bad answer word after it.
    @Test func everyFaultOfADeclarationIsReported() {
        let f = compile([("  reason why", "  reason count"), ("not_applicable \"n/a\"", "not_applicable \"na\"")]).1
        #expect(f.map(\.0) == ["schema.mechanism", "schema.mechanism"], "\(f)")
        #expect(Set(f.map(\.1)) == [19, 23], "\(f)")
    }

    @Test func answerWordsMustBeDistinctValuesOfTheAnswer() {
        expectOne("schema.mechanism", line: 19, [("not_applicable \"n/a\"", "not_applicable \"na\"")])
        expectOne("schema.mechanism", line: 19, [("no \"no\"", "no \"yes\"")])
    }

    @Test func sectionsOfTheWrongShapeAreRefused() {
        expectOne("schema.mechanism", line: 17, [("statements statements {", "statements vendor {")])
        expectOne("schema.mechanism", line: 25, [("published vendor", "published people")])
    }

    @Test func aRequiredClauseLeftOutIsLocatedAtTheDeclaration() {
        for clause in ["  item item\n", "  signed on\n", "  role role\n", "  signer by\n"] {
            expectOne("schema.mechanism", line: 17, [(clause, "")])
        }
        expectOne(
            "schema.mechanism", line: 17, [("  answer answer  yes \"yes\"  no \"no\"  not_applicable \"n/a\"\n", "")])
        expectOne("schema.mechanism", line: 25, [("dated dated  ", "")])
        expectOne("schema.mechanism", line: 25, [("  label ja \"事業者\" en \"vendor profile\"", "")])
        expectOne("schema.invalid", line: 25, [("en \"vendor profile\"", "en \" vendor\"")])
        expectOne("schema.mechanism", line: 25, [("  publisher ja \"会社\" en \"vendor\"", "")])
        expectOne("schema.invalid", line: 25, [("ja \"会社\"", "ja \"\"")])
    }

    @Test func aMechanismDeclaredTwiceIsRefused() {
        expectOne("schema.mechanism", line: 29, [], "published vendor { dated dated  label ja \"x\" en \"x\" }\n")
        expectOne(
            "schema.mechanism", line: 29, [],
            "statements statements { item item answer answer yes \"yes\" no \"no\" not_applicable \"n/a\" "
                + "signed on role role signer by }\n")
        let f = compile([], "published vendor { dated dated  label ja \"x\" en \"x\" }\n").1
        #expect(f.first?.2 == "`published` is declared twice (first at line 25): a pack has one", "\(f)")
    }

    @Test func syntaxErrorsAreLocated() {
        expectOne("syntax.unexpected-token", line: 20, [("  signed on", "  signed on signed on")])
        expectOne("syntax.unknown-clause", line: 20, [("  signed on", "  sigend on")])
        expectOne("syntax.unexpected-token", line: 19, [("yes \"yes\"", "yes yes")])
    }

    // MARK: subject, snapshot version, roster, appointments, companion, near_reference

    /// `base` with a person's dates, a site, posts and groups, and every other mechanism.
    static let full =
        base.replacingOccurrences(
            of: "record person { field id: string doc \"id\" }",
            with: "record person { field id: string doc \"id\"  field joined: date doc \"joined\"  "
                + "field left: date doc \"left\" absent none en \"here\" ja \"在籍\" unless site.kind in [\"shop\"] }")
            + """
            section site: site doc "the audited site"
            section posts: [post] doc "who holds which post"
            section groups: [group] doc "groups"
            record site { id none  field code: string doc "code"  field title: string doc "title"  field kind: choice ["shop", "office"] doc "kind"  field opened: date doc "opened" }
            record post { id none  field post: choice role doc "post"  field who: string doc "who" references people  field since: date doc "since" }
            record group { field id: string doc "id"  field members: [member] doc "members"  field peer: string doc "a peer site" near_reference groups.members.site_id }
            record member { id none  field site_id: string doc "site" }
            table posts ja "役職" { section posts }
            table groups ja "グループ" { section groups }
            subject site { id code  name title  kind kind }
            snapshot version 2
            roster people { person id  from joined  until left  not_people groups  label ja "名簿" en "people table" }
            appointments posts { role post  person who  since since  label ja "役職表" en "posts table"
              stand_in "lead" for "admin" }
            companion people replaces json "people.json", "人.json"
            companion statements appends

            """

    @Test func everyMechanismResolvesToIndexes() throws {
        let (schema, errors) = compile(base: Self.full)
        #expect(errors.isEmpty, "\(errors)")
        let m = try #require(schema?.mechanisms)
        #expect(m.subject == Subject(section: 3, id: 0, name: 1, kind: 2, kinds: ["shop", "office"]))
        #expect(m.snapshotVersion == 2)
        #expect(
            m.roster
                == StaffRoster(
                    section: 0, person: 0, from: 1, until: 2, notPeople: 5,
                    label: Bilingual(ja: "名簿", en: "people table")
                ))
        #expect(
            m.appointments
                == Appointments(
                    section: 4, role: 0, person: 1, since: 2, label: Bilingual(ja: "役職表", en: "posts table"),
                    standIns: [StandIn(holder: "lead", roles: ["admin"])]))
        #expect(
            m.companions == [
                Companion(section: 0, mode: .replaces(json: ["people.json", "人.json"])),
                Companion(section: 2, mode: .appends),
            ])
        #expect(m.nearReferences == [NearReference(record: "group", field: 2, section: 5, list: 1, target: 0)])
        // The absence condition on a single section other than `facility`.
        let left = try #require(schema?.sections[0].record.fields[2])
        #expect(left.absent.conditions.map(\.scope) == [.single(section: "site")])
    }

    @Test func optionalClausesMayBeLeftOut() throws {
        let (schema, errors) = compile(
            [
                ("  name title  kind kind", ""), ("  not_people groups", ""),
                ("\n  stand_in \"lead\" for \"admin\"", ""),
            ],
            base: Self.full)
        #expect(errors.isEmpty, "\(errors)")
        let m = try #require(schema?.mechanisms)
        #expect(m.subject == Subject(section: 3, id: 0, name: nil, kind: nil, kinds: []))
        #expect(m.roster?.notPeople == nil)
        #expect(m.appointments?.standIns == [])
    }

    @Test func newMechanismsNameDeclaredSectionsAndFields() {
        let f = Self.full
        expectOne("schema.unknown-section", line: 38, [("subject site", "subject sites")], base: f)
        expectOne("schema.unknown-section", line: 40, [("roster people", "roster peoples")], base: f)
        expectOne("schema.unknown-section", line: 40, [("not_people groups", "not_people group")], base: f)
        expectOne("schema.unknown-section", line: 41, [("appointments posts", "appointments post")], base: f)
        expectOne("schema.unknown-section", line: 43, [("companion people", "companion persons")], base: f)
        expectOne("schema.unknown-section", line: 34, [("near_reference groups.", "near_reference group.")], base: f)
        expectOne("schema.unknown-field", line: 38, [("id code", "id cod")], base: f)
        expectOne("schema.unknown-field", line: 38, [("kind kind", "kind sort")], base: f)
        expectOne("schema.unknown-field", line: 40, [("from joined", "from hired")], base: f)
        expectOne("schema.unknown-field", line: 40, [("until left", "until gone")], base: f)
        expectOne("schema.unknown-field", line: 41, [("since since", "since from")], base: f)
        expectOne("schema.unknown-field", line: 34, [(".members.site_id", ".member.site_id")], base: f)
        expectOne("schema.unknown-field", line: 34, [(".members.site_id", ".members.site")], base: f)
        let m = compile([("from joined", "from joind")], base: f).1
        #expect(m.first?.2 == "record `person` has no field `joind`", "\(m)")
    }

    @Test func newMechanismsRefuseTheWrongTypeOrShape() {
        let f = Self.full
        expectOne("schema.mechanism", line: 38, [("subject site", "subject people")], base: f)
        expectOne("schema.mechanism", line: 38, [("id code", "id opened")], base: f)
        expectOne("schema.mechanism", line: 38, [("name title", "name kind")], base: f)
        expectOne("schema.mechanism", line: 38, [("kind kind", "kind title")], base: f)
        expectOne("schema.mechanism", line: 40, [("roster people", "roster vendor")], base: f)
        expectOne("schema.mechanism", line: 40, [("person id  from", "person joined  from")], base: f)
        expectOne("schema.mechanism", line: 40, [("from joined", "from id")], base: f)
        expectOne("schema.mechanism", line: 40, [("until left", "until id")], base: f)
        expectOne("schema.mechanism", line: 40, [("not_people groups", "not_people site")], base: f)
        expectOne("schema.mechanism", line: 40, [("not_people groups", "not_people people")], base: f)
        expectOne("schema.mechanism", line: 41, [("role post", "role who")], base: f)
        expectOne("schema.mechanism", line: 41, [("person who", "person since")], base: f)
        expectOne("schema.mechanism", line: 41, [("since since", "since who")], base: f)
        expectOne("schema.mechanism", line: 43, [("companion people", "companion vendor")], base: f)
        expectOne(
            "schema.mechanism", line: 34, [("near_reference groups.members", "near_reference groups.id")], base: f)
        expectOne("schema.mechanism", line: 34, [("field site_id: string", "field site_id: int")], base: f)
        expectOne(
            "schema.mechanism", line: 34,
            [("field peer: string doc \"a peer site\"", "field peer: int doc \"a peer site\"")], base: f)
        expectOne("schema.mechanism", line: 39, [("snapshot version 2", "snapshot version 0")], base: f)
    }

    @Test func standInsAreRoleValuesEachRoleOnce() {
        let f = Self.full
        let line = 42
        expectOne("schema.mechanism", line: line, [("stand_in \"lead\"", "stand_in \"boss\"")], base: f)
        expectOne("schema.mechanism", line: line, [("for \"admin\"", "for \"admn\"")], base: f)
        expectOne("schema.mechanism", line: line, [("for \"admin\"", "for \"lead\"")], base: f)
        expectOne("schema.mechanism", line: line, [("for \"admin\"", "for \"admin\", \"admin\"")], base: f)
        let m = compile([("stand_in \"lead\"", "stand_in \"boss\"")], base: f).1
        #expect(m.first?.2 == "\"boss\" is not a value of `post` (lead, admin)", "\(m)")
    }

    @Test func newMechanismsNeedTheirClausesAndLabels() {
        let f = Self.full
        expectOne("schema.mechanism", line: 38, [("id code  ", "")], base: f)
        for clause in ["person id  ", "from joined  ", "until left  ", "  label ja \"名簿\" en \"people table\""] {
            expectOne("schema.mechanism", line: 40, [(clause, "")], base: f)
        }
        for clause in ["role post  ", "person who  ", "since since  ", "  label ja \"役職表\" en \"posts table\""] {
            expectOne("schema.mechanism", line: 41, [(clause, "")], base: f)
        }
        expectOne("schema.invalid", line: 40, [("en \"people table\"", "en \"people table \"")], base: f)
    }

    @Test func newMechanismsDeclaredTwiceAreRefused() {
        let f = Self.full
        expectOne("schema.mechanism", line: 45, [], "subject site { id code }\n", base: f)
        expectOne("schema.mechanism", line: 45, [], "snapshot version 3\n", base: f)
        expectOne("schema.mechanism", line: 45, [], "roster people { person id }\n", base: f)
        expectOne("schema.mechanism", line: 45, [], "appointments posts { role post }\n", base: f)
        expectOne("schema.mechanism", line: 45, [], "companion statements appends\n", base: f)
        // One companion of each mode: the folder reader reads one, a second's file would be dropped.
        expectOne("schema.mechanism", line: 45, [], "companion posts appends\n", base: f)
        expectOne("schema.mechanism", line: 45, [], "companion posts replaces json \"posts.json\"\n", base: f)
        let two = compile([], "companion posts appends\n", base: f).1
        #expect(
            two.first?.2 == "a second `companion … appends` (the first at line 44): a pack has one of each mode",
            "\(two)")
        let m = compile([], "roster people { person id }\n", base: f).1
        #expect(m.first?.2 == "`roster` is declared twice (first at line 40): a pack has one", "\(m)")
    }

    /// A role a statement may name must be one an appointment can hold: else every statement
    /// in it is refused as "not appointed" (review of issue 19, F7).
    @Test func theStatementsRolesAreRolesOfTheAppointments() {
        let edits = [
            ("field post: choice role", "field post: choice [\"lead\"]"), ("\n  stand_in \"lead\" for \"admin\"", ""),
        ]
        expectOne("schema.mechanism", line: 41, edits, base: Self.full)
        let f = compile(edits, base: Self.full).1
        #expect(
            f.first?.2 == "the statements' roles \"admin\" are not values of `post`, so no one could ever hold them",
            "\(f)")
    }

    @Test func companionFilesAreJSONFileNamesGivenOnce() {
        let f = Self.full
        expectOne("schema.invalid", line: 43, [("\"人.json\"", "\"人.csv\"")], base: f)
        expectOne("schema.invalid", line: 43, [("\"人.json\"", "\"a/b.json\"")], base: f)
        expectOne("schema.invalid", line: 43, [("\"人.json\"", "\".json\"")], base: f)
        expectOne("schema.mechanism", line: 43, [("\"人.json\"", "\"People.JSON\"")], base: f)
        expectOne("schema.mechanism", line: 43, [("\"人.json\"", "\"人.json\", \"People.json\"")], base: f)
    }

    /// `S.F` in an absence condition names any single section; the word `facility` is not special.
    @Test func absenceConditionsNameAnySingleSection() {
        let f = Self.full
        expectOne("schema.unknown-section", line: 5, [("unless site.kind", "unless sight.kind")], base: f)
        expectOne("schema.invalid", line: 5, [("unless site.kind", "unless people.kind")], base: f)
        expectOne("schema.unknown-field", line: 5, [("unless site.kind", "unless site.sort")], base: f)
        expectOne("schema.invalid", line: 5, [("[\"shop\"]", "[\"factory\"]")], base: f)
        expectOne("schema.unknown-section", line: 5, [("unless site.kind", "unless facility.kind")], base: f)
    }

    @Test func reservedKeysAreNotSectionNames() {
        for name in ["parameters", "comment", "schema_version"] {
            expectOne(
                "schema.invalid", line: 29, [], "section \(name): profile doc \"reserved\"\n")
        }
        let m = compile([], "section comment: profile doc \"x\"\n").1
        #expect(m.first?.2.hasPrefix("`comment` is a reserved top-level key of a snapshot") == true, "\(m)")
    }

    @Test func newSyntaxErrorsAreLocated() {
        let f = Self.full
        expectOne("syntax.unexpected-token", line: 40, [("until left", "until left until left")], base: f)
        expectOne("syntax.unknown-clause", line: 41, [("since since", "sinse since")], base: f)
        expectOne("syntax.unexpected-token", line: 43, [("replaces json", "replaces csv")], base: f)
        expectOne("syntax.unexpected-token", line: 44, [("statements appends", "statements adds")], base: f)
        expectOne("syntax.unexpected-token", line: 39, [("version 2", "version two")], base: f)
        let short = compile([("groups.members.site_id", "groups.members")], base: f).1
        #expect(short.first?.0 == "syntax.unexpected-token" && short.first?.1 == 34, "\(short)")
        expectOne("syntax.unexpected-token", line: 42, [("for \"admin\"", "\"admin\"")], base: f)
    }
}
