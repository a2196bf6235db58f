import Foundation
import Testing
@testable import TenkenCLI
@testable import TenkenReport

/// A large blank inventory: every report keeps the exact count of findings, lists at most the
/// cap per rule, says how many it left out and how to list them all.
@Suite struct FindingsReportTests {
    /// The sakura snapshot with an inventory of `rows` device ids and every other cell blank.
    func blankInventory(_ rows: Int, tag: String) throws -> URL {
        let dir = tempDir(tag)
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/snapshot.json"), to: dir.appendingPathComponent("snapshot.json"))
        try writeText("id,kind,ownership,status\n" + (0..<rows).map { "D-\($0),,,\n" }.joined(), dir.path + "/blank.csv")
        return dir
    }

    func args(_ dir: URL, _ extra: [String]) -> [String] {
        ["check", "--snapshot", dir.path + "/snapshot.json", "--devices", dir.path + "/blank.csv", "--as-of", "2026-11-01", "--lang", "en"] + extra
    }

    /// The JSON report per rule: (violation_count, unlisted_violations, listed).
    func counts(_ data: Data) throws -> [String: (Int, Int, Int)] {
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var out: [String: (Int, Int, Int)] = [:]
        for r in doc["results"] as? [[String: Any]] ?? [] where r["state"] as? String == "fail" {
            out[r["rule"] as! String] = (r["violation_count"] as! Int, r["unlisted_violations"] as! Int, (r["violations"] as! [Any]).count)
        }
        return out
    }

    @Test func everyFormatKeepsTheCountAndSaysWhatIsLeftOut() throws {
        // 150 devices and a cap of 100 (the default, 1,000, is the engine's test).
        let dir = try blankInventory(150, tag: "cap")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let r = runCLI(args(dir, ["--format", "json,text,sarif,junit,xccdf,html,csv", "--output-dir", out, "--max-findings", "100"]))
        #expect(r.code == 1, "\(r.err)")
        let capped = try counts(try Data(contentsOf: URL(fileURLWithPath: out + "/report.json")))
        let big = capped.filter { $0.value.0 == 150 }
        #expect(!big.isEmpty, "rules failing for every device: \(capped)")
        for (rule, c) in big { #expect(c.1 == 50 && c.2 == 100, "\(rule): \(c)") }
        let text = try String(contentsOfFile: out + "/report.txt", encoding: .utf8).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("… and 130 more (50 of the 150 are past the limit of 100 findings listed per rule and not in the report; --all-findings lists them all)"), "\(text.prefix(3000))")
        let sarif = try String(contentsOfFile: out + "/report.sarif", encoding: .utf8)
        #expect(sarif.contains("\"toolExecutionNotifications\"") && sarif.contains("150 violations, 100 listed"))
        let junit = try String(contentsOfFile: out + "/report.junit.xml", encoding: .utf8)
        #expect(junit.contains("(+149 more)"))
        let xsd = try String(contentsOf: Repo.root.appendingPathComponent("docs/junit.xsd"), encoding: .utf8)
        #expect(XMLValidation.validate(xml: junit, xsd: xsd).isEmpty)
        let csv = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/report.csv")), as: UTF8.self)
        #expect(csv.contains(",fail,150,"))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("… and 100 more (50 of the 150"))
        let xccdf = try String(contentsOfFile: out + "/report.xccdf.xml", encoding: .utf8)
        #expect(xccdf.contains("… and 130 more"))
    }

    @Test func aFlagListsThemAllAnotherSetsTheCap() throws {
        let dir = try blankInventory(120, tag: "cap-flags")
        defer { try? FileManager.default.removeItem(at: dir) }
        let all = runCLI(args(dir, ["--format", "json", "--all-findings"]))
        #expect(try counts(Data(all.out.utf8)).values.contains { $0.0 == 120 })
        for (rule, c) in try counts(Data(all.out.utf8)) { #expect(c.1 == 0 && c.2 == c.0, "\(rule): \(c)") }
        let three = runCLI(args(dir, ["--format", "json", "--max-findings", "3"]))
        for (rule, c) in try counts(Data(three.out.utf8)) where c.0 > 3 { #expect(c.2 == 3 && c.1 == c.0 - 3, "\(rule): \(c)") }
        #expect(runCLI(args(dir, ["--max-findings", "0"])).code == 64)
        #expect(runCLI(args(dir, ["--max-findings", "5", "--all-findings"])).code == 64)
    }

    /// A baseline cannot know the violations a capped run did not list: they count as new
    /// (a gate errs towards failing), and a capped baseline says so.
    @Test func aCappedResultNeverPassesABaselineGate() throws {
        let dir = try blankInventory(120, tag: "cap-base")
        defer { try? FileManager.default.removeItem(at: dir) }
        let baseline = dir.path + "/baseline.json"
        #expect(runCLI(args(dir, ["--format", "json", "--output", baseline, "--max-findings", "100"])).code == 1)
        let r = runCLI(args(dir, ["--baseline", baseline, "--max-findings", "100"]))
        #expect(r.code == 1, "the same capped failures: not provably known")
        #expect(r.err.contains("warning[data.baseline-capped]") && r.err.contains("--all-findings"), "\(r.err)")
        // With every finding listed on both sides, the same failures are known.
        let exact = dir.path + "/exact.json"
        #expect(runCLI(args(dir, ["--format", "json", "--output", exact, "--all-findings"])).code == 1)
        let e = runCLI(args(dir, ["--baseline", exact, "--all-findings"]))
        #expect(e.code == 0, "\(e.err)")
        // diff cannot call the 20 elements the capped report left out "fixed", and says so.
        let d = runCLI(["diff", exact, baseline])
        #expect(d.out.contains("a report lists only some violations of this rule"), "\(d.out)")
    }
}

/// Reports written to a file are streamed (JSON and SARIF finding by finding, XML straight
/// from the tree); the bytes are the same as on standard output, which the goldens pin.
@Suite struct StreamedReportTests {
    @Test(arguments: ReportFormat.allCases)
    func aFileHoldsExactlyWhatStandardOutputShows(_ f: ReportFormat) throws {
        let dir = tempDir("stream")
        defer { try? FileManager.default.removeItem(at: dir) }
        let args = ["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", f.rawValue, "--lang", "both"]
        let shown = runCLI(args)
        let written = runCLI(args + ["--output", dir.path + "/r"])
        #expect(written.code == shown.code)
        #expect(try Data(contentsOf: dir.appendingPathComponent("r")) == Data(shown.out.utf8), "\(f)")
    }
}
