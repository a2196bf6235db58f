import TenkenCheck
import TenkenData
import TenkenPack
import TenkenSyntax
import Testing

@testable import TenkenAudit

/// Files a person edits may end their lines in CRLF (saved on Windows). Swift reads `"\r\n"` as
/// one `Character`, so splitting on `"\n"` saw one long line: each reader of such a file reads
/// the CRLF form exactly as the LF form.
struct LineEndTests {
    static func crlf(_ s: String) -> String { s.replacingOccurrences(of: "\n", with: "\r\n") }

    static func embedded(_ path: String) throws -> String {
        try #require(EmbeddedPack.files.first { $0.path == path }?.text)
    }

    @Test func splitsOnBothLineEnds() {
        #expect(TextLines.split("a\tb\r\nc\nd\r\n") == ["a\tb", "c", "d", ""])
        #expect(TextLines.split("") == [""])
        // A lone CR is not a line end here (the lexer does not count it as one either).
        #expect(TextLines.split("a\rb") == ["a\rb"])
    }

    @Test func aCatalogSavedWithCRLFReadsAsWithLF() throws {
        let text = try Self.embedded("catalog.tsv")
        let lf = CatalogParser.parse(text, file: "catalog.tsv")
        let cr = CatalogParser.parse(Self.crlf(text), file: "catalog.tsv")
        #expect(lf.0.count > 50)
        #expect(cr.0 == lf.0)
        #expect(cr.1.map { $0.message } == lf.1.map { $0.message })
    }

    @Test func aGuideSavedWithCRLFReadsAsWithLF() throws {
        let text = try Self.embedded(PackGuide.fileName)
        let lf = PackGuide.parse(text, file: "guide.txt")
        let cr = PackGuide.parse(Self.crlf(text), file: "guide.txt")
        #expect(lf.0.tables != nil)
        #expect(cr.0 == lf.0)
        #expect(cr.1.map { $0.message } == lf.1.map { $0.message })
    }

    @Test func aRuleFileWithCRLFIsQuotedAtItsLine() {
        let text = Self.crlf("rule a {\n  level required\n  expect facility.uses_wifi\n}\n")
        let d = Diagnostic(
            "check.example", .error, "example", at: SourceLocation(file: "r.tenken", line: 3, column: 10))
        let shown = DiagnosticPrinter(sources: ["r.tenken": text]).render(d)
        #expect(shown.contains("3 |   expect facility.uses_wifi\n"), "\(shown)")
        #expect(!shown.contains("\r"), "\(shown)")
    }
}
