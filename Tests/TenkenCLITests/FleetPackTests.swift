import Foundation
import TenkenReport
import Testing

@testable import TenkenCLI

/// The second pack, `Rules/fleet/`: a vendor's CI gate over the bench-peers fleet export, with a
/// schema of its own (docs/packs.md, docs/design/pack-data-model-phase2.md §3).
enum FleetPack {
    static let rules = "Rules/fleet"
    static let asOf = "2026-11-25"

    /// Words of the MCS pack that no report of this pack may carry: the engine must take every
    /// word of a report from the pack it runs (and a pack without statements has no attestations).
    static let mcsWords = ["MCS", "運用管理規程", "規程", "院長", "事業者プロファイル", "attestation"]

    static let ruleIDs = [
        "a_password_policy", "b_no_shared_accounts", "c_no_retired_accounts", "d_mobile_screen_lock",
        "e_antimalware", "f_app_store_only", "g_no_open_or_wep_wifi", "h_mobile_stored_locked",
    ]

    /// Each site's failing rules and their offender ids, as bench-peers' `py_rules` gives them
    /// (Fixtures/fleet/reference.py wrote the file; a violation without an element is the site's).
    static func reference() throws -> [String: [String: [String]]] {
        let doc = try readJSON(Repo.root.appendingPathComponent("Fixtures/fleet/expected/reference.json"))
        let sites = try #require(doc["sites"] as? [String: [String: [String]]])
        return sites
    }

    /// The failing rules of one JSON report with their offender ids, sorted, as `reference()` has them.
    static func failures(_ report: [String: Any], site: String) throws -> [String: [String]] {
        let results = try #require(report["results"] as? [[String: Any]])
        var got: [String: [String]] = [:]
        for r in results where r["state"] as? String == "fail" {
            let rule = try #require(r["rule"] as? String)
            let violations = try #require(r["violations"] as? [[String: Any]])
            #expect(r["unlisted_violations"] as? Int == 0, "\(site) \(rule): every violation is listed")
            got[rule] = violations.map { ($0["element"] as? String) ?? site }.sorted()
        }
        return got
    }

    /// Every file below `dir`, with its path relative to it.
    static func files(below dir: String) -> [String] {
        var found: [String] = []
        for p in FileManager.default.enumerator(atPath: dir)?.compactMap({ $0 as? String }) ?? [] {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: "\(dir)/\(p)", isDirectory: &isDir), !isDir.boolValue {
                found.append(p)
            }
        }
        return found.sorted()
    }
}

struct FleetPackTests {
    @Test func lintTestAndCoverageAreClean() {
        let lint = runCLI(["lint", "--rules", FleetPack.rules])
        #expect(lint.code == 0, "\(lint.err)")
        let test = runCLI(["test", "--rules", FleetPack.rules])
        #expect(test.code == 0, "\(test.out)\(test.err)")
        let coverage = runCLI(["coverage", "--rules", FleetPack.rules])
        #expect(coverage.code == 0, "\(coverage.err)")
        #expect(
            coverage.out.hasSuffix("coverage: 8/8 catalog items implemented and tested\n"), "\(coverage.out)")
    }

    /// The CI gate: a site with gaps exits 1 and fails every rule with the offenders the
    /// reference names; a compliant one exits 0 and passes every rule.
    @Test func checkGatesOnTheExitCode() throws {
        let gaps = runCLI([
            "check", "Fixtures/fleet/site-gaps.json", "--rules", FleetPack.rules, "--as-of", FleetPack.asOf,
            "--format", "json",
        ])
        #expect(gaps.code == 1, "\(gaps.err)")
        let report = try #require(
            try JSONSerialization.jsonObject(with: Data(gaps.out.utf8)) as? [String: Any])
        let failing = try FleetPack.failures(report, site: "SITE-0042")
        #expect(
            failing == [
                "a_password_policy": ["SITE-0042"],
                "b_no_shared_accounts": ["SITE-0042-A002"],
                "c_no_retired_accounts": ["SITE-0042-A003"],
                "d_mobile_screen_lock": ["SITE-0042-D001", "SITE-0042-D002"],
                "e_antimalware": ["SITE-0042-D003"],
                "f_app_store_only": ["SITE-0042-D004"],
                "g_no_open_or_wep_wifi": ["SITE-0042-D005", "SITE-0042-D006"],
                "h_mobile_stored_locked": ["SITE-0042-D007"],
            ])

        let ok = runCLI([
            "check", "Fixtures/fleet/site-ok.json", "--rules", FleetPack.rules, "--as-of", FleetPack.asOf,
            "--format", "json",
        ])
        #expect(ok.code == 0, "\(ok.err)")
        let okReport = try #require(try JSONSerialization.jsonObject(with: Data(ok.out.utf8)) as? [String: Any])
        let results = try #require(okReport["results"] as? [[String: Any]])
        #expect(results.map { $0["rule"] as? String ?? "" }.sorted() == FleetPack.ruleIDs)
        for r in results {
            #expect(r["state"] as? String == "pass", "\(r["rule"] ?? "?"): \(r["state"] ?? "?")")
        }
    }

    /// `tenken batch` over the 25 benchmark sites, read as gen.py writes them, agrees with the
    /// benchmark's Python reference on every site: the failing rules (aggregate CSV and JSON
    /// reports) and the offender ids (JSON reports), as bench-peers' compare.py checks them.
    @Test func batchAgreesWithThePythonReference() throws {
        let dir = tempDir("fleet-batch")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let run = runCLI([
            "batch", "Fixtures/fleet/sites.jsonl", "--rules", FleetPack.rules, "--output-dir", out, "--as-of",
            FleetPack.asOf, "--format", "json", "--jobs", "2",
        ])
        #expect(run.code == 1, "some sites fail a required rule: \(run.err)")
        let reference = try FleetPack.reference()
        #expect(reference.count == 25)

        // Folders are named by each site's `facility.id` (the schema's `subject`).
        let folders = try FileManager.default.contentsOfDirectory(atPath: "\(out)/facilities")
        #expect(Set(folders) == Set(reference.keys))
        for (site, want) in reference {
            let report = try readJSON(URL(fileURLWithPath: "\(out)/facilities/\(site)/report.json"))
            let got = try FleetPack.failures(report, site: site)
            #expect(got == want, "\(site): tenken \(got), reference \(want)")
            let results = try #require(report["results"] as? [[String: Any]])
            for r in results {
                let state = r["state"] as? String ?? "?"
                #expect(state == "pass" || state == "fail", "\(site) \(r["rule"] ?? "?"): \(state)")
            }
        }

        // The aggregate table compare.py reads: one row per site, a column per rule.
        var csv = try String(contentsOfFile: "\(out)/aggregate-facilities.csv", encoding: .utf8)
        if csv.hasPrefix("\u{FEFF}") { csv.removeFirst() }
        // Rows end in CRLF (RFC 4180), which Swift reads as one character: split on either ending.
        let lines = csv.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").map(String.init)
        let header = try #require(lines.first).split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        let idColumn = try #require(header.firstIndex(of: "facility_id"))
        let statusColumn = try #require(header.firstIndex(of: "status"))
        var rows = 0
        for line in lines.dropFirst() where !line.isEmpty {
            let cells = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            #expect(cells.count == header.count, "\(line)")
            guard cells.count == header.count else { continue }
            rows += 1
            let site = cells[idColumn]
            #expect(cells[statusColumn] == "evaluated", "\(site): \(cells[statusColumn])")
            let want = try #require(reference[site], "\(site) is not a site of sites.jsonl")
            for rule in FleetPack.ruleIDs {
                let column = try #require(header.firstIndex(of: rule), "no column \(rule)")
                #expect(cells[column] == (want[rule] == nil ? "pass" : "fail"), "\(site) \(rule): \(cells[column])")
            }
        }
        #expect(rows == 25)
    }

    /// No report of the fleet pack, in any format or language, carries a word of the MCS pack:
    /// its title, source and every other word come from Rules/fleet.
    @Test func reportsCarryNoWordOfTheMCSPack() throws {
        let dir = tempDir("fleet-words")
        defer { try? FileManager.default.removeItem(at: dir) }
        let formats = ReportFormat.allCases.map(\.rawValue).joined(separator: ",")
        for lang in ["ja", "en", "both"] {
            for site in ["site-gaps", "site-ok"] {
                let out = dir.appendingPathComponent("\(site)-\(lang)").path
                let run = runCLI([
                    "check", "Fixtures/fleet/\(site).json", "--rules", FleetPack.rules, "--as-of", FleetPack.asOf,
                    "--format", formats, "--lang", lang, "--output-dir", out,
                ])
                #expect(run.code == (site == "site-ok" ? 0 : 1), "\(run.err)")
            }
            let out = dir.appendingPathComponent("batch-\(lang)").path
            let batch = runCLI([
                "batch", "Fixtures/fleet/sites.jsonl", "--rules", FleetPack.rules, "--output-dir", out, "--as-of",
                FleetPack.asOf, "--format", formats, "--lang", lang, "--jobs", "2",
            ])
            #expect(batch.code == 1, "\(batch.err)")
        }
        let written = FleetPack.files(below: dir.path)
        #expect(written.count >= 6 * ReportFormat.allCases.count)
        for f in written {
            // The JSON report's `attestation` key is its format's (null for a pack without
            // statements), not a word a person reads.
            let text = try String(contentsOfFile: "\(dir.path)/\(f)", encoding: .utf8)
                .replacingOccurrences(of: "\"attestation\": null", with: "")
            for w in FleetPack.mcsWords where text.contains(w) {
                Issue.record("\(f) contains \(w)")
            }
        }
    }

    /// The reports of `site-gaps` in every format equal the goldens in Fixtures/fleet/expected
    /// (`TENKEN_RECORD=1 swift test` records them again), each run exiting 1: the gate fails.
    @Test func siteGapsReportsMatchGoldenFiles() throws {
        for (name, args) in GoldenReportTests.formats {
            let run = runCLI(
                ["check", "Fixtures/fleet/site-gaps.json", "--rules", FleetPack.rules, "--as-of", FleetPack.asOf] + args
            )
            #expect(run.code == 1, "\(name): \(run.err)")
            try GoldenReportTests.matchGolden(run.out, "Fixtures/fleet/expected/\(name)")
        }
    }

    /// The aggregate of the 25 benchmark sites equals its golden, byte for byte.
    @Test func batchAggregateMatchesItsGolden() throws {
        let dir = tempDir("fleet-aggregate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.appendingPathComponent("out").path
        let run = runCLI([
            "batch", "Fixtures/fleet/sites.jsonl", "--rules", FleetPack.rules, "--output-dir", out, "--as-of",
            FleetPack.asOf, "--format", "none", "--jobs", "2",
        ])
        #expect(run.code == 1, "\(run.err)")
        let csv = String(
            decoding: try Data(contentsOf: URL(fileURLWithPath: "\(out)/aggregate-facilities.csv")), as: UTF8.self)
        try GoldenReportTests.matchGolden(csv, "Fixtures/fleet/expected/aggregate-facilities.csv")
    }

    /// A vendor starts from `init`: its tables go to JSON and back to tables byte for byte, and
    /// to a workbook and back to the same JSON; the next step it prints names the pack.
    @Test func initConvertRoundTripsAreByteIdentical() throws {
        let dir = tempDir("fleet-roundtrip")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = dir.appendingPathComponent("site").path
        let made = runCLI(["init", site, "--rules", FleetPack.rules])
        #expect(made.code == 0, "\(made.err)")
        #expect(made.out.contains("tenken check --rules \(FleetPack.rules) \(site)\n"), "\(made.out)")
        let json = dir.appendingPathComponent("site.json").path
        let toJSON = runCLI(["convert", site, "--rules", FleetPack.rules, "--to", "json", json])
        #expect(toJSON.code == 0, "\(toJSON.err)")
        let tables = dir.appendingPathComponent("tables").path
        let toCSV = runCLI(["convert", json, "--rules", FleetPack.rules, "--to", "csv", tables])
        #expect(toCSV.code == 0, "\(toCSV.err)")
        for table in ["site.csv", "accounts.csv", "devices.csv"] {
            let a = try Data(contentsOf: URL(fileURLWithPath: "\(site)/\(table)"))
            let b = try Data(contentsOf: URL(fileURLWithPath: "\(tables)/\(table)"))
            #expect(a == b, "\(table) changed on the way through JSON")
        }
        let book = dir.appendingPathComponent("site.xlsx").path
        let toXLSX = runCLI(["convert", json, "--rules", FleetPack.rules, "--to", "xlsx", book])
        #expect(toXLSX.code == 0, "\(toXLSX.err)")
        let back = runCLI(["convert", book, "--rules", FleetPack.rules, "--to", "json"])
        #expect(back.code == 0, "\(back.err)")
        #expect(Data(back.out.utf8) == (try Data(contentsOf: URL(fileURLWithPath: json))))
        let check = runCLI(["check", site, "--rules", FleetPack.rules, "--as-of", FleetPack.asOf])
        #expect(check.code == 0, "the example site is compliant: \(check.out)\(check.err)")
    }

    /// `tenken schema --rules` describes the pack's export, not the built-in snapshot.
    @Test func schemaNamesThePacksSchemaFile() {
        let run = runCLI(["schema", "--rules", FleetPack.rules])
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains("from Rules/fleet/schema.tenken"), "\(run.out.prefix(400))")
        #expect(!run.out.contains("Schema.swift") && !run.out.contains("schema_version"))
        #expect(run.out.contains("\"password_policy\""))
    }
}
