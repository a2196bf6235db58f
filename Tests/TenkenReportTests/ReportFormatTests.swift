import Foundation
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenCLI
@testable import TenkenReport

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

final class Box: @unchecked Sendable { var out = ""; var err = "" }

/// The number of rules in the MCS pack: every report has one entry per rule.
let packRuleCount =
    Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack?.rules.count ?? -1

func report(_ fixture: String, _ format: String, lang: String = "ja") -> String {
    cli([
        "check", "Fixtures/\(fixture)", "--as-of", "2026-11-01", "--format", format, "--lang", lang, "--fail-on",
        "never",
    ]).out
}

/// Runs the CLI in the repository root: exit code, standard output, standard error.
func cli(_ args: [String]) -> (code: Int32, out: String, err: String) {
    _ = FileManager.default.changeCurrentDirectoryPath(root.path)
    let b = Box()
    let code = CLI.run(
        args,
        console: Console(
            out: { b.out += $0 }, err: { b.err += $0 }, environment: [:], stdoutIsTTY: false, stderrIsTTY: false))
    return (code, b.out, b.err)
}

/// messy-tsubaki's report with its WEP network waived (S-1 asked, S-2 approved, until 2027-01-15).
func waivedReport(_ format: String, lang: String = "en") throws -> String {
    let w = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-waivers-\(UUID().uuidString).json")
        .path
    defer { try? FileManager.default.removeItem(atPath: w) }
    try
        #"{ "waivers": [ { "rule": "wifi-encrypted", "facility": "F-CL-0005", "justification": "the WEP access point is replaced on 2026-12-10", "requested_by": "S-1", "approved_by": "S-2", "granted_on": "2026-10-01", "expires_on": "2027-01-15" } ] }"#
        .write(toFile: w, atomically: true, encoding: .utf8)
    return cli([
        "check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", format, "--lang", lang, "--waivers", w,
    ]).out
}

/// Dates in the facility HTML's prose (the passed table's basis: `証明: 運用責任者 S-001
/// （2026-04-01〜2027-04-01）`) are kept whole, never split at a hyphen.
@Test func facilityHTMLKeepsDatesWhole() throws {
    let html = cli(["check", "Fixtures/clinic-kaede", "--as-of", "2026-11-01", "--format", "html"]).out
    #expect(html.contains("span.nw { white-space: nowrap; }"))
    let basis = try #require(html.components(separatedBy: "証明: ").dropFirst().first)
    let cell = String(basis.split(separator: "</td>", maxSplits: 1)[0])
    func count(_ pattern: String) -> Int {
        (try? NSRegularExpression(pattern: pattern).numberOfMatches(
            in: cell, range: NSRange(cell.startIndex..., in: cell))) ?? -1
    }
    #expect(count(#"\d{4}-\d{2}-\d{2}"#) == 2 && count(#"<span class="nw">\d{4}-\d{2}-\d{2}</span>"#) == 2, "\(cell)")
}

/// A waiver naming one of two failing networks (N-1 of N-1, N-2): the rule still fails, and
/// every report marks the covered finding and only it.
struct PartialWaiverTests {
    func report(_ format: String, lang: String = "en") throws -> String {
        let w = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tenken-partial-\(UUID().uuidString).json"
        ).path
        defer { try? FileManager.default.removeItem(atPath: w) }
        try
            #"{ "waivers": [ { "rule": "wifi-encrypted", "facility": "F-CL-0005", "justification": "N-1 is replaced on 2026-12-10", "requested_by": "S-1", "approved_by": "S-2", "granted_on": "2026-10-01", "expires_on": "2027-01-15", "elements": ["N-1"] } ] }"#
            .write(toFile: w, atomically: true, encoding: .utf8)
        return cli([
            "check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", format, "--lang", lang, "--waivers",
            w,
        ]).out
    }

    @Test func sarifSuppressesOnlyTheCoveredResult() throws {
        let doc = try JSONSerialization.jsonObject(with: Data(try report("sarif").utf8)) as! [String: Any]
        let results = ((doc["runs"] as! [[String: Any]])[0]["results"] as! [[String: Any]]).filter {
            $0["ruleId"] as? String == "wifi-encrypted"
        }
        let byElement = Dictionary(
            uniqueKeysWithValues: results.map { (($0["properties"] as! [String: Any])["element"] as! String, $0) })
        #expect(Set(byElement.keys) == ["N-1", "N-2"])
        let s = byElement["N-1"]?["suppressions"] as? [[String: Any]]
        #expect(
            s?.count == 1 && s?[0]["kind"] as? String == "external"
                && s?[0]["justification"] as? String == "N-1 is replaced on 2026-12-10")
        #expect((byElement["N-1"]?["properties"] as? [String: Any])?["state"] as? String == "waived")
        #expect(byElement["N-2"]?["suppressions"] == nil)
        #expect((byElement["N-2"]?["properties"] as? [String: Any])?["state"] as? String == "fail")
    }

    @Test func jsonMarksTheWaivedFindingAndTheRuleStillFails() throws {
        let doc = try JSONSerialization.jsonObject(with: Data(try report("json").utf8)) as! [String: Any]
        let r = (doc["results"] as! [[String: Any]]).first { $0["rule"] as? String == "wifi-encrypted" }!
        #expect(r["state"] as? String == "fail")
        let vs = r["violations"] as! [[String: Any]]
        #expect(vs.map { $0["element"] as? String } == ["N-1", "N-2"])
        #expect(vs.map { $0["waived"] as? Bool } == [true, nil])
    }

    @Test func xccdfRemarkSaysWhatTheWaiverCovers() throws {
        for lang in ["ja", "en"] {
            let xml = try report("xccdf", lang: lang)
            let start = try #require(xml.range(of: "idref=\"xccdf_jp.tenken_rule_wifi-encrypted\""))
            let rr = String(xml[start.upperBound...].split(separator: "</rule-result>", maxSplits: 1)[0])
            #expect(!rr.contains("免除の対象ではありません") && !rr.contains("no waiver applies"), "\(lang): \(rr)")
            #expect(rr.contains(lang == "ja" ? "N-1 を対象とし、N-2 は対象外" : "covers N-1; not N-2"), "\(lang): \(rr)")
        }
    }
}

let fixtures = [
    "clinic-sakura", "hospital-aoba", "visiting-nurse-hikari", "pharmacy-midori", "messy-tsubaki", "clinic-kaede",
    "dental-tsukushi",
    "clinic-momiji", "pharmacy-kiri",
]

struct XCCDFTests {
    func xsd() throws -> String {
        try String(contentsOf: root.appendingPathComponent("docs/xccdf.xsd"), encoding: .utf8)
    }

    @Test(arguments: fixtures)
    func validatesAgainstTheXCCDFSubset(_ fixture: String) throws {
        for lang in ["ja", "en", "both"] {
            #expect(
                XMLValidation.validate(xml: report(fixture, "xccdf", lang: lang), xsd: try xsd()) == [],
                "\(fixture) \(lang)")
        }
    }

    @Test func theSchemaRejectsWhatXCCDFForbids() throws {
        let ok = report("messy-tsubaki", "xccdf", lang: "en")
        #expect(
            XMLValidation.validate(
                xml: ok.replacingOccurrences(of: "<result>fail</result>", with: "<result>failed</result>"),
                xsd: try xsd()) != [])
        #expect(
            XMLValidation.validate(
                xml: ok.replacingOccurrences(of: "xccdf_jp.tenken_rule_", with: "rule_"), xsd: try xsd()) != [])
    }

    /// A waived failure is a pass with an override recording the fail and the waiver's reason.
    @Test func waiversAreOverrides() throws {
        let xml = try waivedReport("xccdf")
        #expect(XMLValidation.validate(xml: xml, xsd: try xsd()) == [])
        let results = xml.components(separatedBy: "<rule-result ").dropFirst()
        let rr = try #require(results.first { $0.hasPrefix("idref=\"xccdf_jp.tenken_rule_wifi-encrypted\"") })
        #expect(
            rr.contains("<result>pass</result>") && rr.contains("<old-result>fail</old-result>")
                && rr.contains("<new-result>pass</new-result>"))
        #expect(rr.contains("the WEP access point is replaced on 2026-12-10"))
        // The schematron OpenSCAP runs wants every rule-result of a TestResult with an override
        // to carry one whose new-result is its result: the others record the waiver review.
        #expect(results.count == packRuleCount)
        for r in results {
            let result = try #require(r.components(separatedBy: "<result>").dropFirst().first?.prefix { $0 != "<" })
            #expect(r.contains("<new-result>\(result)</new-result>"), "\(r.prefix(80))")
            if !r.hasPrefix("idref=\"xccdf_jp.tenken_rule_wifi-encrypted\"") {
                #expect(
                    r.contains("<old-result>\(result)</old-result>")
                        && r.contains("<remark>no waiver applies; the result stands</remark>"))
            }
        }
        #expect(!report("messy-tsubaki", "xccdf", lang: "en").contains("<override"), "no waivers, no overrides")
    }

    /// OpenSCAP's flat model: `error` and `unknown` rules count in the maximum, as failures.
    @Test func errorRulesCountInTheScore() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tenken-xccdf-errors-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.copyItem(at: root.appendingPathComponent("Fixtures/clinic-kaede"), to: dir)
        try FileManager.default.removeItem(at: dir.appendingPathComponent("devices.csv"))
        try? FileManager.default.removeItem(at: dir.appendingPathComponent("expected"))
        let xml = cli(["check", dir.path, "--as-of", "2026-11-01", "--format", "xccdf", "--lang", "en"]).out
        func count(_ r: String) -> Int { xml.components(separatedBy: "<result>\(r)</result>").count - 1 }
        #expect(count("error") > 0)
        let scored = count("pass") + count("fail") + count("error") + count("unknown")
        #expect(xml.contains("<score system=\"urn:xccdf:scoring:flat\" maximum=\"\(scored)\">\(count("pass"))</score>"))
        #expect(XMLValidation.validate(xml: xml, xsd: try xsd()) == [])
    }

    /// Dublin Core metadata, the pack's platform and the identity that performed the test.
    @Test func metadataPlatformAndIdentity() {
        let xml = report("clinic-sakura", "xccdf", lang: "ja")
        #expect(xml.contains("<platform idref=\"cpe:2.3:a:embrace:medical_care_station:*:*:*:*:*:*:*:*\"/>"))
        #expect(xml.contains("xmlns:dc=\"http://purl.org/dc/elements/1.1/\""))
        #expect(
            xml.contains("<dc:title>MCS 運用管理規程 第2版 点検パック</dc:title>")
                && xml.contains("<dc:identifier>mcs 2.0.0</dc:identifier>"))
        #expect(xml.contains("<identity authenticated=\"false\" privileged=\"false\">tenken</identity>"))
    }

    static let oscap =
        FileManager.default.isExecutableFile(atPath: "/usr/bin/oscap")
        || FileManager.default.isExecutableFile(atPath: "/usr/local/bin/oscap")

    /// OpenSCAP accepts every fixture's XCCDF, in each language, waived, with an expired
    /// waiver and with rules in error (scripts/validate-xccdf.sh; its last output is in docs/xccdf.md).
    @Test(
        .enabled(
            if: XCCDFTests.oscap,
            "oscap is not installed (apt-get install openscap-scanner); scripts/validate-xccdf.sh was not run"))
    func openSCAPValidatesEveryFixture() throws {
        let exe = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tenken"),
            root.appendingPathComponent(".build/debug/tenken"),
        ].first { FileManager.default.isExecutableFile(atPath: $0.path) }
        let binary = try #require(exe, "the tenken binary is built with the tests")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/bash")
        p.arguments = [root.appendingPathComponent("scripts/validate-xccdf.sh").path]
        p.environment = ProcessInfo.processInfo.environment.merging(["TENKEN": binary.path]) { $1 }
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let out = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0, "\(out)")
        #expect(out.contains(" 0 invalid"), "\(out)")
    }

    /// Every rule has a result; states map as documented; the flat score counts passes.
    @Test func resultsAndScore() throws {
        let xml = report("messy-tsubaki", "xccdf", lang: "en")
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(report("messy-tsubaki", "json").utf8)) as? [String: Any])
        let results = try #require(json["results"] as? [[String: Any]])
        let states = results.map { $0["state"] as! String }
        #expect(xml.components(separatedBy: "<rule-result ").count - 1 == states.count)
        let fails = states.filter { $0 == "fail" }.count,
            passes = states.filter { ["pass", "attested", "waived"].contains($0) }.count
        #expect(xml.components(separatedBy: "<result>fail</result>").count - 1 == fails)
        #expect(
            xml.contains("<score system=\"urn:xccdf:scoring:flat\" maximum=\"\(fails + passes)\">\(passes)</score>"))
        #expect(xml.contains("<result>notchecked</result>") == states.contains("manual"))
        #expect(xml.contains("start-time=\"2026-11-01T00:00:00+09:00\""))
        #expect(xml.contains("&lt;script&gt;alert(1)&lt;/script&gt;"), "input text is escaped")
    }
}

struct JUnitTests {
    @Test(arguments: fixtures)
    func validatesAgainstTheXSD(_ fixture: String) throws {
        let xsd = try String(contentsOf: root.appendingPathComponent("docs/junit.xsd"), encoding: .utf8)
        let xml = report(fixture, "junit")
        #expect(XMLValidation.validate(xml: xml, xsd: xsd) == [])
    }

    @Test func theValidatorRejectsWhatTheSchemaForbids() throws {
        let xsd = try String(contentsOf: root.appendingPathComponent("docs/junit.xsd"), encoding: .utf8)
        #expect(!XMLValidation.validate(xml: "<testsuites tests=\"x\" failures=\"0\" errors=\"0\"/>", xsd: xsd).isEmpty)
        #expect(!XMLValidation.validate(xml: "<testsuites", xsd: xsd).isEmpty)
    }

    @Test func failuresSkipsAndCounts() {
        let xml = report("messy-tsubaki", "junit", lang: "en")
        #expect(xml.contains("<testsuite name=\"F-CL-0005.technical\""))
        #expect(
            xml.contains(
                "<failure message=\"Wi-Fi N-1 (tsubaki) with WEP encryption run by facility is not acceptable (+1 "
                    + "more)\" type=\"required\">"
            ))
        #expect(xml.contains("<skipped message=\"manual: needs attestation `no-guessable-passwords`"))
        #expect(xml.contains("tests=\"\(packRuleCount)\""))
    }

    /// GitLab shows a skipped case's text, Jenkins its message: both hold the reason, and a
    /// waiver's reason is not prefixed with "waived" twice, in either language. Every case
    /// names the input file that settles it, relative to the working directory.
    @Test func skippedReasonsAndFiles() throws {
        let xsd = try String(contentsOf: root.appendingPathComponent("docs/junit.xsd"), encoding: .utf8)
        for lang in ["en", "ja", "both"] {
            let xml = try waivedReport("junit", lang: lang)
            #expect(XMLValidation.validate(xml: xml, xsd: xsd) == [], "\(lang)")
            #expect(!xml.contains("waived: waived") && !xml.contains("免除: 免除"), "\(lang)")
            if lang != "ja" {
                #expect(
                    xml.contains(
                        "waived: the WEP access point is replaced on 2026-12-10 (covers the whole rule; requested by "
                            + "S-1, approved by S-2, until 2027-01-15)"
                    ))
            }
            if lang != "en" {
                #expect(
                    xml.contains(
                        "免除: the WEP access point is replaced on 2026-12-10（対象: 規則全体、申請 S-1、承認 S-2、2027-01-15 まで）"))
            }
            let skipped = xml.components(separatedBy: "<skipped ").dropFirst()
            // Not applicable, manual and waived results are skipped: as many as the JSON report has.
            let json =
                try JSONSerialization.jsonObject(with: Data(try waivedReport("json", lang: lang).utf8))
                as? [String: Any]
            let states = (json?["results"] as? [[String: Any]] ?? []).compactMap { $0["state"] as? String }
            #expect(skipped.count == states.filter { ["not-applicable", "manual", "waived"].contains($0) }.count)
            #expect(skipped.count > 0)
            for sk in skipped {
                let message = try #require(sk.split(separator: "\"", maxSplits: 2).dropFirst().first)
                #expect(sk.contains("\">\(message)</skipped>"), "the text is the message: \(sk.prefix(120))")
            }
            let files = xml.components(separatedBy: " file=\"").dropFirst().map { String($0.prefix { $0 != "\"" }) }
            #expect(files.count == packRuleCount)
            #expect(Set(files) == ["Fixtures/messy-tsubaki/snapshot.json", "Fixtures/messy-tsubaki/devices.csv"])
        }
    }
}

struct HTMLTests {
    @Test(arguments: fixtures)
    func parsesBackWithLibxml2(_ fixture: String) throws {
        let html = report(fixture, "html")
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        let sections = try #require(XMLValidation.htmlTexts(html, tag: "h2"))
        #expect(sections.count >= 5, "summary and one section per category")
        #expect(XMLValidation.htmlTexts(html, tag: "script") == [], "no scripts")
        #expect(!html.contains("http://") || !html.contains("src=\"http"), "nothing loaded from the network")
        #expect(!html.contains("<link"))
    }

    /// Printed, a report does not waste pages: categories follow on from each other, a rule's
    /// findings are one table (headers once, each finding's rows kept together), passed items
    /// a compact table whose catalog ids never wrap, and places drop the facility's folder the
    /// cover already names.
    @Test func printLayout() throws {
        let html = report("hospital-aoba", "html", lang: "both")
        #expect(!html.contains("section.category { break-before: page; }"))
        #expect(html.contains("table.ok td.state, table.ok td.ids { white-space: nowrap; }"))
        #expect(html.contains("<td class=\"ids\">H-REQ-01</td>"))
        #expect(
            html.contains("table.findings tbody { break-inside: avoid; }") && html.contains("print-color-adjust: exact")
        )
        let findings = html.components(separatedBy: "<table class=\"findings\">").count - 1
        #expect(findings > 0 && !html.contains("class=\"evidence\""))
        #expect(
            html.components(separatedBy: "<th class=\"msg\">").count - 1 == findings,
            "one header row per findings table")
        #expect(html.contains("<td class=\"loc\">snapshot.json:"))
        #expect(
            html.contains("Fixtures/hospital-aoba/snapshot.json, Fixtures/hospital-aoba/devices.csv"),
            "the cover names the inputs as given")
    }

    @Test func hostileTextStaysText() throws {
        let html = report("messy-tsubaki", "html")
        #expect(!html.contains("<script>alert(1)</script>"))
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        // Parsed back, the device id is text inside an element, not an element.
        let paragraphs = try #require(XMLValidation.htmlTexts(html, tag: "p"))
        #expect(paragraphs.contains { $0.contains("<script>alert(1)</script>") })
    }

    @Test func summaryChartAndLanguages() throws {
        let ja = report("messy-tsubaki", "html", lang: "ja")
        #expect(ja.contains("<html lang=\"ja\">"))
        #expect(ja.contains("<svg"))
        #expect(ja.contains("必要事項の不合格"))
        #expect(ja.contains("規程の基準（&gt;= 13）を緩めています"))
        let en = report("clinic-sakura", "html", lang: "en")
        #expect(en.contains("<html lang=\"en\">"))
        #expect(en.contains("All required items are met"))
        #expect(!en.contains("必要事項の不合格"))
        #expect(en.contains("@media print"))
        #expect(en.contains("size: A4"))
    }
}

struct SARIFTests {
    /// Artifact locations are valid URIs even for Japanese file names (RFC 3986).
    @Test func artifactURIsArePercentEncoded() {
        #expect(SARIFReport.uri("Fixtures/dental-tsukushi/職員.csv") == "Fixtures/dental-tsukushi/%E8%81%B7%E5%93%A1.csv")
        #expect(SARIFReport.uri("/tmp/a b#c%d.json") == "file:///tmp/a%20b%23c%25d.json")
        #expect(SARIFReport.uri("snap_v1-2.json") == "snap_v1-2.json")
    }

    func results(_ fixture: String) throws -> [[String: Any]] {
        let doc = try JSONSerialization.jsonObject(with: Data(report(fixture, "sarif").utf8)) as! [String: Any]
        #expect(doc["version"] as? String == "2.1.0")
        let run = (doc["runs"] as! [[String: Any]])[0]
        let rules = ((run["tool"] as! [String: Any])["driver"] as! [String: Any])["rules"] as! [[String: Any]]
        #expect(rules.count == packRuleCount)
        return run["results"] as! [[String: Any]]
    }

    func region(_ r: [String: Any]) -> (String, Int, Int)? {
        let loc = ((r["locations"] as! [[String: Any]])[0]["physicalLocation"] as! [String: Any])
        let uri = (loc["artifactLocation"] as! [String: Any])["uri"] as! String
        guard let reg = loc["region"] as? [String: Any] else { return nil }
        return (uri, reg["startLine"] as! Int, reg["startColumn"] as! Int)
    }

    /// Regions point at the offending value; the positions below were counted by hand in the
    /// fixture files (line numbers from `grep -n`, columns from the start of the value).
    @Test func regionsPointAtTheOffendingLines() throws {
        let rs = try results("messy-tsubaki")
        func find(_ rule: String, _ nth: Int = 0) -> (String, Int, Int)? {
            let hits = rs.filter { $0["ruleId"] as? String == rule }
            return nth < hits.count ? region(hits[nth]) : nil
        }
        // "requires_symbols": false — line 31 of snapshot.json, the value starts at column 27.
        #expect(
            find("password-policy-strength").map { "\($0.0):\($0.1):\($0.2)" }
                == "Fixtures/messy-tsubaki/snapshot.json:31:27")
        // Device PC-1 has an empty screen_lock_minutes cell: devices.csv line 2, column 59.
        #expect(find("screen-lock").map { "\($0.0):\($0.1):\($0.2)" } == "Fixtures/messy-tsubaki/devices.csv:2:59")
        // Network N-1 "encryption": "WEP" is on line 147, value at column 21.
        #expect(
            find("wifi-encrypted").map { "\($0.0):\($0.1):\($0.2)" } == "Fixtures/messy-tsubaki/snapshot.json:147:21")
        // Staff S-3 uses account A-2: "account_id": "A-2" on line 62, value at column 21.
        #expect(
            find("one-person-one-account", 1).map { "\($0.0):\($0.1):\($0.2)" }
                == "Fixtures/messy-tsubaki/snapshot.json:62:21")
        for r in rs where r["level"] as? String == "error" || r["level"] as? String == "warning" {
            if (r["properties"] as? [String: Any])?["state"] as? String == "fail" {
                #expect(region(r) != nil, "\(r["ruleId"]!)")
            }
        }
    }

    @Test func levelsFollowTheRuleLevel() throws {
        let rs = try results("visiting-nurse-hikari")
        let byRule = Dictionary(grouping: rs, by: { $0["ruleId"] as! String })
        #expect(byRule["mdm-remote-wipe"]?.first?["level"] as? String == "warning")
        #expect(byRule["app-from-official-stores"]?.first?["level"] as? String == "error")
        let fps = rs.compactMap { ($0["partialFingerprints"] as? [String: String])?["tenken/v1"] }
        #expect(Set(fps).count == fps.count, "fingerprints are unique per finding")
    }
}

struct AggregateTests {
    /// Facilities that failed to load first, then most required gaps, then recommended gaps,
    /// items to check, errors; ties by id. Counts and stats agree with the letters.
    @Test func worstFirstAndCounts() {
        let t = Bilingual(ja: "t", en: "t")
        let rules = [
            AggregateRule(
                id: "a", implements: ["X-1"], level: .required, category: Category(rawValue: "technical"), title: t),
            AggregateRule(
                id: "b", implements: ["X-2"], level: .recommended, category: Category(rawValue: "technical"), title: t),
        ]
        func f(_ id: String, _ states: String, error: Bool = false) -> FacilitySummary {
            FacilitySummary(
                id: id, name: nil, input: id, status: error ? .error : .evaluated, states: states, diagnostics: [])
        }
        let a = Aggregate(
            asOf: "2026-11-01", packID: "p", packVersion: "1", rules: rules,
            facilities: [
                f("F-4", "PP"), f("F-3", "PF"), f("F-9", "", error: true), f("F-2", "FP"), f("F-1", "FF"),
                f("F-5", "PM"),
            ], shard: nil)
        #expect(a.worstFirst.map { a.facilities[$0].id } == ["F-9", "F-1", "F-2", "F-3", "F-5", "F-4"])
        #expect(a.facilities.map(\.id) == ["F-1", "F-2", "F-3", "F-4", "F-5", "F-9"])
        #expect(a.evaluatedCount == 5 && a.failedToLoad == 1 && a.withRequiredGaps == 2)
        #expect(a.stats(0).counts == [.fail: 2, .pass: 3] && a.stats(0).passRate == 0.6)
        #expect(a.stats(1).counts == [.fail: 2, .pass: 2, .manual: 1])
    }
}

struct CSVTests {
    /// Rows built as bytes copy a cell as it is when `CSVCell.isPlain` says so: never a cell that
    /// `escape` or `SafeText.terminal` would change, and every cell of plain ASCII ids and counts.
    @Test func aPlainCellIsOneEscapeLeavesAsItIs() {
        func plain(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer(CSVCell.isPlain) }
        var cells = ["", "F00001", "S-006", "12", "clinic sakura", "a;b", "=x", "+81", "-1", "@c", "a,b", "a\"b", "'a"]
        for b in UInt8(0)...UInt8(0xFF) {
            let c = String(decoding: [b], as: UTF8.self)
            cells += [c, "a" + c, c + "a"]
        }
        cells += ["é", "医師", "\u{202E}x", "x\u{200F}"]
        for s in cells where plain(s) { #expect(CSVCell.escape(SafeText.terminal(s)) == s, "\(s.debugDescription)") }
        for s in ["F00001", "S-006", "12", "clinic sakura", "a;b", ""] { #expect(plain(s), "\(s)") }
        for s in ["=x", "+81", "-1", "@c", "a,b", "a\"b", "'a", "\t", "é"] { #expect(!plain(s), "\(s)") }
    }

    @Test func bomQuotingAndFormulaNeutralisation() {
        #expect(CSVCell.escape("=SUM(A1)") == "'=SUM(A1)")
        #expect(CSVCell.escape("+81") == "'+81")
        #expect(CSVCell.escape("-1") == "'-1")
        #expect(CSVCell.escape("@cmd") == "'@cmd")
        #expect(CSVCell.escape("a,\"b\"") == "\"a,\"\"b\"\"\"")
        #expect(CSVCell.escape("line\nbreak") == "\"line\nbreak\"")
        #expect(CSVCell.escape("plain") == "plain")
        let csv = report("messy-tsubaki", "csv")
        #expect(csv.unicodeScalars.first == "\u{FEFF}")
        #expect(csv.unicodeScalars.dropFirst().starts(with: "facility_id,as_of,".unicodeScalars))
        #expect((CSVReader.parse(text: csv, file: "report.csv").0?.rows.count ?? 0) == packRuleCount)
    }

    @Test func csvParsesBackRow( /* every row has the header's cell count */) throws {
        let csv = report("hospital-aoba", "csv")
        let (parsed, diags) = CSVReader.parse(text: csv, file: "report.csv")
        #expect(diags.isEmpty)
        #expect(parsed?.rows.count == packRuleCount)
    }
}

struct TextTests {
    @Test func wrapsToWidthCountingWideCharacters() {
        let t = TextReport(lang: .ja, width: 40)
        for line in t.wrap(String(repeating: "日本語の文章と English words mixed ", count: 6), indent: 4).split(
            separator: "\n")
        {
            #expect(TextReport.displayWidth(String(line)) <= 40)
        }
    }

    /// Japanese line breaking (禁則処理): no line starts with closing punctuation or ends with an
    /// opening bracket, an ASCII word (an id, an e-mail address) is never split, and no line
    /// passes the width unless one word alone is longer.
    @Test(arguments: [20, 24, 30, 41, 57, 80])
    func wrapsByJapaneseRules(_ width: Int) {
        let text =
            "対応: 公式サイト（https://www.medical-care.net/）と公式の送信元（no-reply@medical-care.net、support@embrace.co.jp）を職員に周知し、"
            + "証明を記録してください。「運用責任者」が年1回確認します。H-REQ-09 と T-REQ-03 は必要事項です。"
        let noStart = Set("。、，．・）」』】〕ー"), noEnd = Set("「（『【〔")
        let lines = LineBreaker(width: width).wrap(text, indent: 4).split(separator: "\n").map(String.init)
        #expect(lines.count > 1)
        for (i, line) in lines.enumerated() {
            let body = line.drop { $0 == " " }
            #expect(line.hasPrefix("    "), "\(line)")
            if i > 0 { #expect(!noStart.contains(body.first!), "line starts with \(body.first!): \(line)") }
            #expect(!noEnd.contains(body.last!), "line ends with \(body.last!): \(line)")
            // Only a piece that cannot be broken may run past the width, alone on its line.
            #expect(TextReport.displayWidth(line) <= width || LineBreaker.units(String(body)).count == 1, "\(line)")
        }
        // Nothing lost, no word split: joining the lines gives the text back (spaces at breaks aside).
        let joined = lines.map { $0.drop { $0 == " " } }.joined()
        #expect(joined.replacingOccurrences(of: " ", with: "") == text.replacingOccurrences(of: " ", with: ""))
        for word in [
            "https://www.medical-care.net/", "no-reply@medical-care.net", "support@embrace.co.jp", "H-REQ-09",
            "T-REQ-03",
        ] {
            #expect(lines.contains { $0.contains(word) }, "\(word) was split at width \(width)")
        }
    }

    /// A report to a file or a pipe is not wrapped: a paragraph is one line.
    @Test func noWidthNoWrapping() {
        let t = TextReport(lang: .ja)
        let long = String(repeating: "日本語の文章と English words mixed ", count: 6)
        #expect(t.wrap(long, indent: 4) == "    " + long)
    }

    @Test func colourOnlyOnATerminalAndNotWithNOCOLOR() {
        let c = Console(out: { _ in }, err: { _ in }, environment: [:], stdoutIsTTY: true, stderrIsTTY: true)
        #expect(c.useColor("auto", tty: true))
        #expect(!c.useColor("auto", tty: false))
        c.environment["NO_COLOR"] = "1"
        #expect(!c.useColor("auto", tty: true))
        #expect(c.useColor("always", tty: false))
    }
}
