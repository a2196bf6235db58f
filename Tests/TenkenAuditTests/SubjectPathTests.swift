import TenkenData
import Testing

@testable import TenkenAudit

/// A batch's refusal of an id names where the id is from the pack's `subject` declaration,
/// never from MCS's section name (found by break-19v: a renamed pack was told `#/facility/id`).
struct SubjectPathTests {
    @Test func theIdPathFollowsTheDeclaredSubject() throws {
        let text = """
            subject site { id code }
            section site: site doc "the site"
            record site { field code: string doc "the site's code" }
            table profile ja "概要" { profile row profile_row id key  field key: string doc "key"  field value: string doc "value" }
            """
        let (schema, diags) = PackSchema.compile(text, file: "schema.tenken")
        let s = try #require(schema, "\(diags)")
        #expect(BatchRun.subjectIDPath(s, json: true) == "/site/code")
        #expect(BatchRun.subjectIDPath(s, json: false) == "site.code")
        #expect(BatchRun.subjectIDPath(PackLoader.builtInSchema, json: true) == "/facility/id")
    }

    @Test func aPackWithoutASubjectGivesNoPath() throws {
        let text = """
            section site: site doc "the site"
            record site { field code: string doc "the site's code" }
            table profile ja "概要" { profile row profile_row id key  field key: string doc "key"  field value: string doc "value" }
            """
        let s = try #require(PackSchema.compile(text, file: "schema.tenken").0)
        #expect(BatchRun.subjectIDPath(s, json: true) == nil)
    }
}
