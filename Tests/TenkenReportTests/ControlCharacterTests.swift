import Foundation
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCheck
@testable import TenkenData
@testable import TenkenEval
@testable import TenkenReport

/// Control characters from the inputs never reach a terminal raw and never make XML
/// ill-formed: an OSC sequence set the terminal's title, a newline in an id forged a report
/// line (`✓ … [pass · required]`), and the same bytes made JUnit and XCCDF ill-formed. The
/// loader refuses them in cells (issue 12); the writers do not rely on it. The results here are
/// made in memory, so the writers are tested whatever the loader lets through.
struct ControlCharacterTests {
    static let hostile = "F-1\u{1B}]0;owned\u{07}\r\n  ✓ 偽の項目 fake  [pass · required]\u{9B}2J\u{202E}txt.exe\u{0}"

    /// The messy fixture's result with the hostile text in the facility's id and name, a
    /// finding's element, message and evidence, a reason, and a parameter.
    func hostileInput(_ lang: Language) throws -> ReportInput {
        let loaded = PackLoader.embedded()
        let pack = try #require(Checker.check(loaded.source, schema: PackLoader.builtInSchema).pack)
        var l = SnapshotLoader(schema: PackLoader.builtInSchema)
        let loadedFacility = l.loadSnapshot(
            path: root.appendingPathComponent("Fixtures/messy-tsubaki/snapshot.json").path)
        let f = try #require(loadedFacility)
        var result = Engine(pack: pack).evaluate(f, asOf: Day(iso: "2026-11-01")!).0
        result.facilityID = Self.hostile
        result.facilityName = Self.hostile
        result.sources.append("/tmp/\(Self.hostile).csv")
        let i = try #require(result.results.firstIndex { $0.state == .fail && !$0.violations.isEmpty })
        result.results[i].violations[0].element = Self.hostile
        result.results[i].violations[0].message = Bilingual(ja: Self.hostile, en: Self.hostile)
        if !result.results[i].violations[0].evidence.isEmpty {
            result.results[i].violations[0].evidence[0].value = Self.hostile
        }
        if let j = result.results.firstIndex(where: { $0.state == .manual }) {
            result.results[j].reason = Bilingual(ja: Self.hostile, en: Self.hostile)
        }
        return ReportInput(result: result, pack: pack, lang: lang, toolVersion: "test")
    }

    func raw(_ s: String) -> [String] {
        var found: [String] = []
        for u in s.unicodeScalars {
            switch u.value {
            case 0x1B, 0x07, 0x00, 0x0D, 0x9B, 0x202E: found.append(String(u.value, radix: 16))
            default: continue
            }
        }
        return found
    }

    @Test(arguments: [Language.ja, .en, .both])
    func theTextReportEscapesEverything(_ lang: Language) throws {
        let text = TextReport(lang: lang).render(try hostileInput(lang).result, try hostileInput(lang).pack)
        #expect(raw(text).isEmpty, "raw control characters: \(raw(text))")
        #expect(!text.split(separator: "\n").contains { $0.hasPrefix("  ✓ 偽の項目") }, "a forged report line")
        #expect(text.contains("F-1\\u{1b}]0;owned\\u{7}\\r\\n"))
        // With colour on, only tenken's own sequences start with ESC.
        let colored = TextReport(lang: lang, color: true).render(
            try hostileInput(lang).result, try hostileInput(lang).pack)
        #expect(!colored.contains("\u{1B}]"), "an OSC sequence from the input")
    }

    @Test(arguments: [ReportFormat.junit, .xccdf])
    func xmlStaysWellFormedAndValid(_ f: ReportFormat) throws {
        let input = try hostileInput(.both)
        let xml = f == .junit ? JUnitReport.render(input) : XCCDFReport.render(input)
        let xsd = try String(
            contentsOf: root.appendingPathComponent(f == .junit ? "docs/junit.xsd" : "docs/xccdf.xsd"), encoding: .utf8)
        #expect(
            XMLValidation.validate(xml: xml, xsd: xsd).isEmpty,
            "\(XMLValidation.validate(xml: xml, xsd: xsd).prefix(3))")
        #expect(raw(xml).filter { $0 != "d" }.isEmpty)
    }

    @Test func htmlParsesBackWithTheTextEscaped() throws {
        let html = HTMLReport.render(try hostileInput(.en))
        let titles = try #require(XMLValidation.htmlTexts(html, tag: "h1"))
        #expect(titles.contains { $0.contains("F-1\\u{1b}]0;owned") })
        #expect(raw(html).filter { $0 != "d" }.isEmpty)
    }

    @Test func machineFormatsKeepTheExactValueEscapedForTheirSyntax() throws {
        let input = try hostileInput(.en)
        for text in [JSONReport.render(input.result, input.pack), SARIFReport.render(input)] {
            let doc = try JSONSerialization.jsonObject(with: Data(text.utf8))
            #expect(raw(text).isEmpty)
            #expect(String(describing: doc).contains("owned"))
        }
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(JSONReport.render(input.result, input.pack).utf8))
                as? [String: Any])
        #expect((json["facility"] as? [String: Any])?["id"] as? String == Self.hostile, "JSON round-trips the exact id")
    }

    /// CSV reports (a check's, a batch's aggregates) are read with `cat` as often as with a
    /// spreadsheet: a facility folder named with ESC/BEL retitled the terminal from
    /// aggregate-facilities.csv, and a newline forged a row. Escaped as on the terminal.
    @Test func csvReportsEscapeControlCharacters() throws {
        let text = CSVReport.render(try hostileInput(.en))
        #expect(raw(text).filter { $0 != "d" }.isEmpty, "raw control characters: \(raw(text))")
        #expect(!text.contains("\r\n  ✓ 偽の項目"), "a forged row")
        #expect(text.contains("F-1\\u{1b}]0;owned\\u{7}"))
        #expect(CSVReport.line(["a\u{1B}b", "=1+1", "x,y"]) == "a\\u{1b}b,'=1+1,\"x,y\"\r\n")
    }

    @Test func diagnosticsAreEscaped() {
        let d = Diagnostic(
            "data.unknown-field", .warning, "unknown field `\(Self.hostile)` is ignored",
            at: SourceLocation(file: "/tmp/\(Self.hostile).json", line: 3, column: 4, path: "/x/\(Self.hostile)"),
            notes: [Self.hostile], help: Self.hostile)
        let out = DiagnosticPrinter(color: true).render(d)
        #expect(
            !out.contains("\u{1B}]") && !out.contains("\u{07}") && !out.contains("\r") && !out.contains("\u{9B}")
                && !out.contains("\u{202E}"))
        #expect(out.split(separator: "\n").count == 3, "one line each for the diagnostic, the note and the help")
    }

    @Test func safeTextKeepsOrdinaryTextAsItIs() {
        for s in ["点検レポート", "S-001", "タブ\tなし?", "Ünïcödé ✓"] where !s.contains("\t") {
            #expect(SafeText.terminal(s) == s && SafeText.xml(s) == s)
        }
        #expect(SafeText.terminal("a\tb") == "a\\tb" && SafeText.xml("a\tb") == "a\tb")
        #expect(SafeText.xml("x\u{1B}y\u{FFFE}") == "x\\u{1b}y\\u{fffe}")
    }
}
