import Foundation
import TenkenAudit
import Testing

@testable import TenkenCLI
@testable import TenkenReport

/// A large inventory: every report keeps the exact count of findings, lists at most the cap
/// per rule, says how many it left out and how to list them all. Blank cells make findings
/// the rules could not decide (state unknown); definite bad values make violations. Both
/// lists are capped the same way.
@Suite struct FindingsReportTests {
    /// The sakura fixture with `rows` more devices: every cell but the id blank, or a copy of a
    /// good PC whose screen lock is 60 minutes (a definite violation).
    func inventory(_ rows: Int, blank: Bool, tag: String) throws -> URL {
        let dir = tempDir(tag)
        let fixture = Repo.root.appendingPathComponent("Fixtures/clinic-sakura")
        try FileManager.default.copyItem(
            at: fixture.appendingPathComponent("snapshot.json"), to: dir.appendingPathComponent("snapshot.json"))
        let csv = try String(contentsOf: fixture.appendingPathComponent("devices.csv"), encoding: .utf8)
        let lines = csv.split(whereSeparator: \.isNewline).map(String.init)
        let header = lines[0].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let template = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let lock = try #require(header.firstIndex(of: "screen_lock_minutes"))
        let extra = (0..<rows).map { i -> String in
            if blank { return "D-\(i)" + String(repeating: ",", count: header.count - 1) }
            var row = template
            row[0] = "D-\(i)"
            row[lock] = "60"
            return row.joined(separator: ",")
        }
        try writeText((lines + extra).joined(separator: "\n") + "\n", dir.path + "/devices.csv")
        return dir
    }

    func args(_ dir: URL, _ extra: [String]) -> [String] {
        [
            "check", "--snapshot", dir.path + "/snapshot.json", "--devices", dir.path + "/devices.csv", "--as-of",
            "2026-11-01", "--lang", "en",
        ] + extra
    }

    /// The JSON report per rule, for one list (`violations` or `undetermined`):
    /// (count, unlisted, listed).
    func counts(_ data: Data, _ list: String = "violations") throws -> [String: (Int, Int, Int)] {
        let doc = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        let count = list == "violations" ? "violation_count" : "undetermined_count"
        let unlisted = list == "violations" ? "unlisted_violations" : "unlisted_undetermined"
        var out: [String: (Int, Int, Int)] = [:]
        for r in doc["results"] as? [[String: Any]] ?? [] where (r[count] as? Int ?? 0) > 0 {
            out[r["rule"] as! String] = (r[count] as! Int, r[unlisted] as! Int, (r[list] as! [Any]).count)
        }
        return out
    }

    @Test(arguments: [false, true])
    func everyFormatKeepsTheCountAndSaysWhatIsLeftOut(blank: Bool) throws {
        // 150 devices and a cap of 100 (the default, 1,000, is the engine's test).
        let dir = try inventory(150, blank: blank, tag: "cap")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let r = runCLI(
            args(
                dir, ["--format", "json,text,sarif,junit,xccdf,html,csv", "--output-dir", out, "--max-findings", "100"])
        )
        #expect(r.code == (blank ? 2 : 1), "undecided rules exit 2, gaps 1: \(r.err)")
        let list = blank ? "undetermined" : "violations"
        let capped = try counts(try Data(contentsOf: URL(fileURLWithPath: out + "/report.json")), list)
        let big = capped.filter { $0.value.0 == 150 }
        #expect(!big.isEmpty, "rules with a finding for every added device: \(capped)")
        for (rule, c) in big { #expect(c.1 == 50 && c.2 == 100, "\(rule): \(c)") }
        let text = try String(contentsOfFile: out + "/report.txt", encoding: .utf8).split(
            whereSeparator: \.isWhitespace
        ).joined(separator: " ")
        #expect(
            text.contains(
                "… and 130 more (50 of the 150 are past the limit of 100 findings listed per rule and not in the "
                    + "report; --all-findings lists them all)"
            ), "\(text.prefix(3000))")
        let sarif = try String(contentsOfFile: out + "/report.sarif", encoding: .utf8)
        #expect(
            sarif.contains("\"toolExecutionNotifications\"")
                && sarif.contains(blank ? "150 undetermined findings, 100 listed" : "150 violations, 100 listed"))
        let junit = try String(contentsOfFile: out + "/report.junit.xml", encoding: .utf8)
        #expect(junit.contains("(+149 more)"))
        let xsd = try String(contentsOf: Repo.root.appendingPathComponent("docs/junit.xsd"), encoding: .utf8)
        #expect(XMLValidation.validate(xml: junit, xsd: xsd).isEmpty)
        let csv = String(decoding: try Data(contentsOf: URL(fileURLWithPath: out + "/report.csv")), as: UTF8.self)
        #expect(csv.contains(blank ? ",unknown,150," : ",fail,150,"))
        let html = try String(contentsOfFile: out + "/report.html", encoding: .utf8)
        #expect(html.contains("… and 100 more (50 of the 150"))
        let xccdf = try String(contentsOfFile: out + "/report.xccdf.xml", encoding: .utf8)
        #expect(xccdf.contains("… and 130 more"))
    }

    @Test func aFlagListsThemAllAnotherSetsTheCap() throws {
        let dir = try inventory(120, blank: true, tag: "cap-flags")
        defer { try? FileManager.default.removeItem(at: dir) }
        let all = runCLI(args(dir, ["--format", "json", "--all-findings"]))
        let listed = try counts(Data(all.out.utf8), "undetermined")
        #expect(listed.values.contains { $0.0 == 120 })
        for (rule, c) in listed { #expect(c.1 == 0 && c.2 == c.0, "\(rule): \(c)") }
        let three = runCLI(args(dir, ["--format", "json", "--max-findings", "3"]))
        for list in ["violations", "undetermined"] {
            for (rule, c) in try counts(Data(three.out.utf8), list) where c.0 > 3 {
                #expect(c.2 == 3 && c.1 == c.0 - 3, "\(rule) \(list): \(c)")
            }
        }
        #expect(runCLI(args(dir, ["--max-findings", "0"])).code == 64)
        #expect(runCLI(args(dir, ["--max-findings", "5", "--all-findings"])).code == 64)
    }

    /// A baseline cannot know the violations a capped run did not list: they count as new
    /// (a gate errs towards failing), and a capped baseline says so.
    @Test func aCappedResultNeverPassesABaselineGate() throws {
        let dir = try inventory(120, blank: false, tag: "cap-base")
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
        let args = [
            "check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", f.rawValue, "--lang", "both",
        ]
        let shown = runCLI(args)
        let written = runCLI(args + ["--output", dir.path + "/r"])
        #expect(written.code == shown.code)
        #expect(try Data(contentsOf: dir.appendingPathComponent("r")) == Data(shown.out.utf8), "\(f)")
    }
}
