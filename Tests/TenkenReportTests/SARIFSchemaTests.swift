import Foundation
import TenkenAudit
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenCLI
@testable import TenkenCheck
@testable import TenkenEval
@testable import TenkenReport

/// The official SARIF 2.1.0 schema (OASIS, errata 01), kept in Tests/Schemas with its notice.
enum SARIFSchema {
    static let url = root.appendingPathComponent("Tests/Schemas/sarif-schema-2.1.0.json")
    static let check: JSONSchemaCheck = try! JSONSchemaCheck(schema: Array(Data(contentsOf: url)))

    /// Whether `python3` with `jsonschema` is installed here (the second, independent check).
    static let python: Bool = run(["-c", "import jsonschema"]).code == 0

    /// Runs python3; (exit code, standard output and error).
    static func run(_ args: [String]) -> (code: Int32, out: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = ["python3"] + args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (127, "\(error)") }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// How many errors python's Draft4Validator finds in each file, in order, and whether it
    /// checks the `uri` formats (only with the optional rfc3987 package installed).
    static func pythonErrors(_ files: [String]) -> (counts: [Int], checksURIs: Bool)? {
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            checker = jsonschema.Draft4Validator.FORMAT_CHECKER
            print("uri" in checker.checkers and "uri-reference" in checker.checkers)
            v = jsonschema.Draft4Validator(schema, format_checker=checker)
            for f in sys.argv[2:]:
                print(len(list(v.iter_errors(json.load(open(f, encoding="utf-8"))))))
            """
        let r = run(["-c", script, url.path] + files)
        guard r.code == 0 else { Issue.record("python3 failed: \(r.out)"); return nil }
        let lines = r.out.split(separator: "\n")
        return (lines.dropFirst().compactMap { Int($0) }, lines.first == "True")
    }

    static func errors(_ text: String) -> [String] { check.errors(Array(text.utf8)) }
}

/// What GitHub code scanning documents beyond the schema: at most 20 runs in a file and
/// 25,000 results in a run, a location on every result, ≤ 20 distinct tags on a rule, a
/// `security-severity` from 0 to 10 with the tag `security`, fingerprints, a category per
/// run (each run its own, as code scanning no longer combines runs of one category), and
/// (tenken's promise) relative artifact URIs for files under the base folder.
func codeScanningProblems(_ text: String) -> [String] {
    guard let doc = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any],
        let runs = doc["runs"] as? [[String: Any]]
    else { return ["not a SARIF log"] }
    var out: [String] = []
    if runs.count > SARIFReport.maxRunsPerFile { out.append("\(runs.count) runs in one file") }
    var categories = Set<String>()
    for run in runs {
        let category = ((run["automationDetails"] as? [String: Any])?["id"] as? String) ?? ""
        if category.isEmpty || !categories.insert(category).inserted {
            out.append("run category `\(category)` missing or repeated")
        }
        let base =
            ((run["originalUriBaseIds"] as? [String: Any])?[SARIFReport.baseID] as? [String: Any])?["uri"] as? String
            ?? ""
        if !base.hasPrefix("file:///") || !base.hasSuffix("/") {
            out.append("SRCROOT is not an absolute folder URI: \(base)")
        }
        let rules = ((run["tool"] as? [String: Any])?["driver"] as? [String: Any])?["rules"] as? [[String: Any]] ?? []
        for rule in rules {
            let p = rule["properties"] as? [String: Any] ?? [:]
            let tags = p["tags"] as? [String] ?? []
            if !tags.contains("security") || tags.count > 20 || Set(tags).count != tags.count {
                out.append("rule \(rule["id"] ?? "?") tags \(tags)")
            }
            if let s = p["security-severity"] as? String, let n = Double(s), (0...10).contains(n) {
            } else {
                out.append("rule \(rule["id"] ?? "?") security-severity")
            }
        }
        let results = run["results"] as? [[String: Any]] ?? []
        if results.count > SARIFReport.maxResultsPerRun { out.append("\(results.count) results in a run") }
        var fingerprints = Set<String>()
        for r in results {
            let id = r["ruleId"] as? String ?? "?"
            let locations = r["locations"] as? [[String: Any]] ?? []
            if locations.isEmpty || locations.count > 1000 { out.append("\(id): \(locations.count) locations") }
            guard let fp = (r["partialFingerprints"] as? [String: String])?["tenken/v1"],
                fingerprints.insert(fp).inserted
            else { out.append("\(id): fingerprint missing or repeated"); continue }
            if let s = (r["properties"] as? [String: Any])?["security-severity"] as? String, let n = Double(s),
                (0...10).contains(n)
            {
            } else {
                out.append("\(id): security-severity")
            }
            // SARIF 3.27.10: a result whose kind is not `fail` has the level `none`.
            if let kind = r["kind"] as? String, kind != "fail", r["level"] as? String != "none" {
                out.append("\(id): kind \(kind) with level \(r["level"] ?? "")")
            }
            for l in locations {
                let a = (l["physicalLocation"] as? [String: Any])?["artifactLocation"] as? [String: Any] ?? [:]
                let uri = a["uri"] as? String ?? ""
                if uri.hasPrefix("file:") == (a["uriBaseId"] != nil) {
                    out.append("\(id): uri \(uri) with uriBaseId \(a["uriBaseId"] ?? "none")")
                }
                if base.hasPrefix("file://"), uri.hasPrefix(base) {
                    out.append("\(id): \(uri) is under the base but absolute")
                }
            }
        }
    }
    return out
}

struct SARIFSchemaTests {
    /// Every fixture's SARIF, in each language, is valid SARIF 2.1.0 and follows code scanning's rules.
    @Test(arguments: fixtures)
    func validatesAgainstTheOfficialSchema(_ fixture: String) throws {
        for lang in ["en", "ja"] {
            let sarif = report(fixture, "sarif", lang: lang)
            #expect(SARIFSchema.errors(sarif) == [], "\(fixture) \(lang)")
            #expect(codeScanningProblems(sarif) == [], "\(fixture) \(lang)")
        }
    }

    /// A waived failure stays in the log, suppressed, with the waiver's justification and term.
    @Test func waivedFailuresStaySuppressed() throws {
        let sarif = try waived()
        #expect(SARIFSchema.errors(sarif) == [])
        #expect(codeScanningProblems(sarif) == [])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])
        let results = ((doc["runs"] as! [[String: Any]])[0]["results"] as! [[String: Any]]).filter {
            $0["ruleId"] as? String == "wifi-encrypted"
        }
        #expect(results.count == 2, "both Wi-Fi networks stay as results")
        for r in results {
            let s = try #require((r["suppressions"] as? [[String: Any]])?.first)
            #expect(s["kind"] as? String == "external" && s["status"] as? String == "accepted")
            #expect(s["justification"] as? String == "the WEP access point is replaced on 2026-12-10")
            let p = try #require(s["properties"] as? [String: String])
            #expect(
                p == [
                    "requested_by": "S-1", "approved_by": "S-2", "granted_on": "2026-10-01", "expires_on": "2027-01-15",
                ])
            #expect((r["properties"] as? [String: Any])?["state"] as? String == "waived")
        }
        // The same findings unwaived have the same fingerprints: the alerts are kept, not closed.
        let plain =
            try JSONSerialization.jsonObject(with: Data(report("messy-tsubaki", "sarif", lang: "en").utf8))
            as! [String: Any]
        let before = ((plain["runs"] as! [[String: Any]])[0]["results"] as! [[String: Any]]).filter {
            $0["ruleId"] as? String == "wifi-encrypted"
        }
        #expect(
            Set(before.map { "\($0["partialFingerprints"]!)" }) == Set(results.map { "\($0["partialFingerprints"]!)" }))
        #expect(before.allSatisfy { $0["suppressions"] == nil })
    }

    func waived() throws -> String { try waivedReport("sarif") }

    /// Documents that break the schema one keyword at a time; the checker must see each.
    static func broken(_ valid: String) -> [(String, String)] {
        func edit(_ what: String, _ from: String, _ to: String) -> (String, String) {
            precondition(valid.contains(from), what)
            return (what, valid.replacingOccurrences(of: from, with: to))
        }
        return [
            edit("version enum", "\"version\": \"2.1.0\"", "\"version\": \"2.1\""),
            edit("required runs", "\"runs\": [", "\"runz\": ["),
            edit("level enum", "\"level\": \"error\"", "\"level\": \"fatal\""),
            edit("type string", "\"ruleId\": \"wifi-encrypted\"", "\"ruleId\": 7"),
            edit("minimum", "\"startLine\": 147", "\"startLine\": 0"),
            edit("additionalProperties false", "\"columnKind\":", "\"columnKindd\":"),
            edit("uniqueItems", "\"tags\": [\n", "\"tags\": [\n                \"security\",\n"),
            edit(
                "format uri", "\"informationUri\": \"https://tenken.invalid/\"",
                "\"informationUri\": \"tenken invalid\""),
            edit(
                "format uri-reference", "\"uri\": \"Fixtures/messy-tsubaki/snapshot.json\"",
                "\"uri\": \"Fixtures/messy tsubaki/snapshot.json\""),
            edit(
                "oneOf / anyOf (message without text or id)", "\"message\": {\n            \"text\"",
                "\"message\": {\n            \"texts\""),
            edit("suppression status enum", "\"status\": \"accepted\"", "\"status\": \"waived\""),
        ]
    }

    @Test func theCheckerSeesEachBrokenKeyword() throws {
        let valid = try waived()
        #expect(SARIFSchema.errors(valid) == [])
        for (what, doc) in Self.broken(valid) {
            #expect(!SARIFSchema.errors(doc).isEmpty, "\(what) was not caught")
        }
    }

    /// Python's jsonschema (an independent implementation) agrees with the checker: the fixtures
    /// are valid and each broken document is not.
    @Test(
        .enabled(
            if: SARIFSchema.python, "python3 with jsonschema is not installed; the in-process schema check still runs"))
    func pythonJSONSchemaAgrees() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-sarif-py-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let valid = try waived()
        var docs: [(String, String, Bool)] =
            fixtures.map { ($0, report($0, "sarif", lang: "ja"), true) } + [("waived", valid, true)]
        docs += Self.broken(valid).map { ($0.0, $0.1, false) }
        var files: [String] = []
        for (i, d) in docs.enumerated() {
            let f = dir.appendingPathComponent("\(i).sarif").path
            try d.1.write(toFile: f, atomically: true, encoding: .utf8)
            files.append(f)
        }
        let (counts, checksURIs) = try #require(SARIFSchema.pythonErrors(files))
        #expect(counts.count == docs.count)
        for (d, n) in zip(docs, counts) {
            // Without rfc3987, python's jsonschema does not check the uri formats: only the checker does.
            if !checksURIs && d.0.hasPrefix("format uri") { continue }
            if d.2 {
                #expect(n == 0, "python: \(d.0) has \(n) errors")
            } else {
                #expect(n > 0, "python: \(d.0) passed")
            }
            #expect((n == 0) == SARIFSchema.errors(d.1).isEmpty, "python and the checker disagree on \(d.0)")
        }
    }

    /// Relative URIs for files under the base, `file:` URIs for the rest; `--sarif-base` moves it.
    @Test func urisAreRelativeToTheBase() throws {
        let base = SARIFBase("/repo/x", cwd: "/elsewhere")
        #expect(base.path == "/repo/x" && base.uri == "file:///repo/x/")
        #expect(base.relative("/repo/x/facilities/a/snapshot.json") == "facilities/a/snapshot.json")
        #expect(base.relative("/repo/x/./facilities/../b.json") == "b.json")
        #expect(base.relative("/repo/xy/a.json") == nil && base.relative("/repo/x") == nil)
        #expect(SARIFBase("sub/../y", cwd: "/w").path == "/w/y")
        #expect(SARIFBase("/", cwd: "/w").relative("/tmp/a.json") == "tmp/a.json")
        #expect(SARIFBase("/w/日本", cwd: "/").uri == "file:///w/%E6%97%A5%E6%9C%AC/")

        let b = cli([
            "check", root.path + "/Fixtures/hospital-aoba", "--as-of", "2026-11-01", "--format", "sarif", "--fail-on",
            "never",
            "--sarif-base", "Fixtures",
        ])
        #expect(b.code == 0, "\(b.err)")
        #expect(
            b.out.contains("\"uri\": \"hospital-aoba/snapshot.json\""), "an absolute input under the base is relative")
        #expect(b.out.contains("\"uri\": \"\(SARIFBase(root.path + "/Fixtures").uri)\""))
        #expect(!b.out.contains("\"uri\": \"file://\(root.path)/Fixtures/hospital-aoba"))
        #expect(codeScanningProblems(b.out) == [])
        let bad = cli(["check", "Fixtures/hospital-aoba", "--format", "sarif", "--sarif-base", "no/such/folder"])
        #expect(bad.code == 64 && bad.err.contains("--sarif-base"))
    }

    /// A facility with 40,000 findings (30,000 of one rule, 10,000 of another, as --all-findings
    /// gives a large inventory): the run holds at most 25,000 results — every rule listing up to
    /// the same share, so the smaller keeps all 10,000 — and says what it left out.
    @Test func aRunStaysWithinCodeScanningsResultLimit() throws {
        FileManager.default.changeCurrentDirectoryPath(root.path)
        let loaded = PackLoader.embedded()
        let pack = try #require(Checker.check(loaded.source, schema: PackLoader.builtInSchema).pack)
        let (facility, diags) = try FacilityInput.folder("Fixtures/clinic-sakura", schema: PackLoader.builtInSchema)
            .get().load(
                options: LoadOptions(), pack: loaded, asOf: Day(iso: "2026-11-01"))
        #expect(!diags.contains { $0.severity == .error })
        var (result, _) = Engine(pack: pack).evaluate(try #require(facility), asOf: Day(iso: "2026-11-01")!)
        let loc = SourceLocation(file: "Fixtures/clinic-sakura/devices.csv", line: 2, column: 3)
        for (k, n) in [(0, 30_000), (1, 10_000)] {
            result.results[k].state = .fail
            result.results[k].violations = (0..<n).map { i in
                Violation(
                    message: Bilingual(ja: "端末 D-\(i)", en: "device D-\(i)"), element: "D-\(i)", location: loc,
                    evidence: [])
            }
        }
        let sarif = SARIFReport.render(ReportInput(result: result, pack: pack, lang: .en, toolVersion: "test"))
        #expect(codeScanningProblems(sarif) == [])
        let run = try #require(
            ((try JSONSerialization.jsonObject(with: Data(sarif.utf8)) as? [String: Any])?["runs"] as? [[String: Any]])?
                .first)
        let results = try #require(run["results"] as? [[String: Any]])
        let byRule = Dictionary(grouping: results, by: { $0["ruleId"] as! String }).mapValues(\.count)
        let share = try #require(byRule[pack.rules[0].id])
        #expect(byRule[pack.rules[1].id] == 10_000)
        // Only the largest rule is cut, so the largest share that fits fills the run exactly.
        #expect(results.count == SARIFReport.maxResultsPerRun)
        let notes =
            ((run["invocations"] as? [[String: Any]])?.first?["toolExecutionNotifications"] as? [[String: Any]]) ?? []
        #expect(
            notes.contains {
                (($0["message"] as? [String: Any])?["text"] as? String)?.contains(
                    "30000 findings, \(share) in this log") == true
            })
        #expect(
            !notes.contains {
                (($0["message"] as? [String: Any])?["text"] as? String)?.hasPrefix(
                    "\(pack.rules[1].id): 10000 findings") == true
            })
    }

    /// GitHub rejects a run of more than 25,000 results: each rule lists an equal share.
    @Test func fairShareKeepsARunWithinTheLimit() {
        #expect(SARIFReport.fairShare([3, 4, 5], limit: 100) == 5)
        #expect(SARIFReport.fairShare([30_000, 10, 1], limit: 25_000) == 24_989)
        #expect(SARIFReport.fairShare([20_000, 20_000, 1], limit: 25_000) == 12_499)
        let k = SARIFReport.fairShare([40_000, 30_000, 5_000, 81], limit: 25_000)
        #expect([40_000, 30_000, 5_000, 81].reduce(0) { $0 + min($1, k) } <= 25_000)
        #expect([40_000, 30_000, 5_000, 81].reduce(0) { $0 + min($1, k + 1) } > 25_000)
    }
}
