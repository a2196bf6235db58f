import Foundation
import TenkenSyntax
import Testing

@testable import TenkenData

/// The mechanism declarations of a schema file (`statements`, `published`; docs/dsl.md
/// "Mechanisms"): MCS's resolve to the sections and fields the engine uses today, and each
/// mistake is one located error.
struct SchemaMechanismsTests {
    /// MCS's declarations name exactly what the engine still finds by name (`SnapshotRoot`,
    /// `"profile_as_of"`, `TestSchema.mcs.roles`), so moving the engine onto them changes nothing.
    @Test func mcsDeclaresTheSectionsAndFieldsTheEngineUses() throws {
        let schema = try SchemaEquivalenceTests.mcsSchema()
        let st = try #require(schema.mechanisms.statements)
        #expect(st.section == SnapshotRoot.attestations.index)
        let record = schema.sections[st.section].record
        #expect(record.name == "attestation")
        let names = [st.item, st.answer, st.signedOn, st.role, st.signer, st.reason].map {
            $0.map { record.fields[$0].name }
        }
        #expect(names == ["item", "answer", "signed_on", "by_role", "by", "reason"])
        #expect([st.yes, st.no, st.notApplicable] == ["yes", "no", "not-applicable"])
        #expect(st.roles == TestSchema.mcs.roles)
        #expect(st.roles.first == "operations-lead")
        let pub = try #require(schema.mechanisms.published)
        #expect(pub.section == SnapshotRoot.provider.index)
        #expect(schema.sections[pub.section].record.fields[pub.dated].name == "profile_as_of")
        #expect(pub.label == Bilingual(ja: "事業者プロファイル", en: "provider profile"))
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
        published vendor { dated dated  label ja "事業者" en "vendor profile" }
        table vendor ja "事業者" { profile row vendor_row id key  field key: string doc "key"  field value: string doc "value" }
        table people ja "人" { section people }
        table statements ja "確認" { section statements }

        """

    func compile(_ edits: [(String, String)] = [], _ extra: String = "") -> (PackSchema?, [(String, Int, String)]) {
        var text = Self.base
        for (a, b) in edits {
            #expect(text.contains(a), "\(a)")
            text = text.replacingOccurrences(of: a, with: b)
        }
        let (schema, diags) = PackSchema.compile(text + extra, file: "m.tenken")
        #expect(diags.allSatisfy { $0.location?.file == "m.tenken" && ($0.location?.line ?? 0) > 0 })
        return (schema, diags.map { ($0.id, $0.location?.line ?? 0, $0.message) })
    }

    func expectOne(_ id: String, line: Int, _ edits: [(String, String)], _ extra: String = "") {
        let f = compile(edits, extra).1
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
        #expect(m.published == Published(section: 1, dated: 1, label: Bilingual(ja: "事業者", en: "vendor profile")))
    }

    @Test func aPackMayDeclareNone() throws {
        let (schema, errors) = compile([
            ("statements statements {", "#"), ("  item item\n", ""), ("  answer answer", "#"), ("  signed on\n", ""),
            ("  role role\n", ""), ("  signer by\n", ""), ("  reason why\n}", ""), ("published vendor", "#"),
        ])
        #expect(errors.isEmpty, "\(errors)")
        #expect(try #require(schema).mechanisms == Mechanisms())
    }

    @Test func theReasonIsOptional() throws {
        let (schema, errors) = compile([("  reason why\n", "")])
        #expect(errors.isEmpty, "\(errors)")
        #expect(try #require(schema?.mechanisms.statements).reason == nil)
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
}
