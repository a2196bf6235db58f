import Foundation
import TenkenAudit
import TenkenBenchKit
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCLI
@testable import TenkenCheck
@testable import TenkenData
@testable import TenkenEval
@testable import TenkenReport

func tempDir(_ tag: String) -> URL {
    let d = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-\(tag)-\(UUID().uuidString)")
    try? FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
    return d
}

func readJSON(_ url: URL) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: Data(contentsOf: url)) as! [String: Any]
}

struct BatchTests {
    /// A generated batch of 1,000 facilities, one in 50 corrupt: every facility is accounted
    /// for, corrupt ones carry their diagnostics, and the exit code says there were errors.
    @Test func thousandFacilitiesWithCorruptOnes() throws {
        let dir = tempDir("batch1k")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in").path, out = dir.appendingPathComponent("out")
        let corrupt = try Generator.writeBatch(to: input, count: 1000, seed: 42, corruptEvery: 50)
        #expect(corrupt == 20)
        let (code, _, err) = runCLI([
            "batch", input, "--output-dir", out.path, "--as-of", Generator.asOf, "--format", "none", "--jobs", "2",
        ])
        #expect(code == 2, "errors make the exit code 2")
        #expect(err.contains("batch: 1000 施設: 評価 980、読み込めず 20"))
        let agg = try readJSON(out.appendingPathComponent("aggregate.json"))
        let totals = agg["totals"] as! [String: Int]
        #expect(totals["found"] == 1000 && totals["evaluated"] == 980 && totals["failed_to_load"] == 20)
        let facilities = agg["facilities"] as! [[String: Any]]
        #expect(facilities.count == 1000)
        let errors = facilities.filter { $0["status"] as? String == "error" }
        #expect(errors.allSatisfy { !(($0["diagnostics"] as? [String]) ?? []).isEmpty })
        let ids: [String] = errors.flatMap { ($0["diagnostics"] as? [String]) ?? [] }.compactMap { line in
            guard let open = line.range(of: "error["), let close = line[open.upperBound...].firstIndex(of: "]") else {
                return nil
            }
            return String(line[open.upperBound..<close])
        }
        #expect(
            Set(ids).isSuperset(of: [
                "data.unexpected-end", "data.bad-date", "data.type-mismatch", "data.missing-table", "batch.unsafe-id",
                "data.csv-ragged-row",
            ]))
        // The unsafe id `../../etc/…` was refused, never followed.
        #expect(!FileManager.default.fileExists(atPath: dir.appendingPathComponent("etc").path))
        #expect(
            !FileManager.default.fileExists(atPath: out.appendingPathComponent("facilities").path),
            "--format none writes no facility reports")
    }

    @Test func perFacilityReportsAndAggregateFiles() throws {
        let dir = tempDir("batchsmall")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in").path, out = dir.appendingPathComponent("out")
        try Generator.writeBatch(to: input, count: 12, seed: 3, corruptEvery: nil)
        let (code, _, _) = runCLI([
            "batch", input, "--output-dir", out.path, "--as-of", Generator.asOf, "--format", "json,html",
        ])
        #expect(code == 1 || code == 0)
        for name in ["aggregate.json", "aggregate.html", "aggregate-facilities.csv", "aggregate-rules.csv"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        let reports = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("facilities").path)
        #expect(reports.count == 12)
        #expect(
            FileManager.default.fileExists(atPath: out.appendingPathComponent("facilities/F-00003/report.html").path))
        let html = try String(contentsOf: out.appendingPathComponent("aggregate.html"), encoding: .utf8)
        #expect(XMLValidation.htmlTexts(html, tag: "h2")?.count == 3)
        let csv = String(
            decoding: try Data(contentsOf: out.appendingPathComponent("aggregate-facilities.csv")), as: UTF8.self)
        #expect((CSVReader.parse(text: csv, file: "report.csv").0?.rows.count ?? 0) == 12)
    }

    /// Sharded runs merged give exactly the files a single run gives.
    @Test func mergedShardsEqualTheUnshardedRun() throws {
        let dir = tempDir("shards")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in").path
        try Generator.writeBatch(to: input, count: 45, seed: 9, corruptEvery: 11)
        let whole = dir.appendingPathComponent("whole")
        _ = runCLI(["batch", input, "--output-dir", whole.path, "--as-of", Generator.asOf, "--format", "none"])
        var parts: [String] = []
        var shardCounts = 0
        for i in 1...3 {
            let d = dir.appendingPathComponent("shard\(i)")
            _ = runCLI([
                "batch", input, "--output-dir", d.path, "--as-of", Generator.asOf, "--format", "none", "--shard",
                "\(i)/3", "--jobs", "1",
            ])
            parts.append(d.appendingPathComponent("aggregate.json").path)
            shardCounts += ((try readJSON(d.appendingPathComponent("aggregate.json")))["totals"] as! [String: Int])[
                "found"]!
        }
        #expect(shardCounts == 45, "the shards cover every facility exactly once")
        let merged = dir.appendingPathComponent("merged")
        let (mc, _, merr) = runCLI(["merge"] + parts + ["--output-dir", merged.path])
        #expect(mc == 2, "\(merr)")
        for name in ["aggregate.json", "aggregate.html", "aggregate-facilities.csv", "aggregate-rules.csv"] {
            let a = try Data(contentsOf: whole.appendingPathComponent(name)),
                b = try Data(contentsOf: merged.appendingPathComponent(name))
            #expect(a == b, "\(name) differs between merged and unsharded")
        }
        // The shard folders themselves, as `batch --shard` wrote them, merge the same.
        let fromFolders = dir.appendingPathComponent("merged-folders")
        let (fc, _, ferr) = runCLI(
            ["merge"] + (1...3).map { dir.appendingPathComponent("shard\($0)").path } + [
                "--output-dir", fromFolders.path,
            ])
        #expect(fc == 2, "\(ferr)")
        #expect(
            try Data(contentsOf: fromFolders.appendingPathComponent("aggregate.json"))
                == Data(contentsOf: whole.appendingPathComponent("aggregate.json")))
    }

    @Test func jobsDoNotChangeTheResult() throws {
        let dir = tempDir("jobs")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in").path
        try Generator.writeBatch(to: input, count: 30, seed: 5, corruptEvery: 7)
        _ = runCLI([
            "batch", input, "--output-dir", dir.appendingPathComponent("a").path, "--as-of", Generator.asOf, "--format",
            "json", "--jobs", "1",
        ])
        _ = runCLI([
            "batch", input, "--output-dir", dir.appendingPathComponent("b").path, "--as-of", Generator.asOf, "--format",
            "json", "--jobs", "4",
        ])
        #expect(
            try Data(contentsOf: dir.appendingPathComponent("a/aggregate.json"))
                == Data(contentsOf: dir.appendingPathComponent("b/aggregate.json")))
        #expect(
            try Data(contentsOf: dir.appendingPathComponent("a/facilities/F-00004/report.json"))
                == Data(contentsOf: dir.appendingPathComponent("b/facilities/F-00004/report.json")))
    }

    @Test func duplicateIdsAreErrorsForBoth() throws {
        let dir = tempDir("dup")
        defer { try? FileManager.default.removeItem(at: dir) }
        for n in ["one", "two"] {
            let d = dir.appendingPathComponent("in/\(n)")
            try FileManager.default.createDirectory(at: d, withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                at: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/snapshot.json"),
                to: d.appendingPathComponent("snapshot.json"))
        }
        let out = dir.appendingPathComponent("out")
        let (code, _, _) = runCLI([
            "batch", dir.appendingPathComponent("in").path, "--output-dir", out.path, "--as-of", "2026-11-01",
        ])
        #expect(code == 2)
        let agg = try readJSON(out.appendingPathComponent("aggregate.json"))
        let fs = agg["facilities"] as! [[String: Any]]
        #expect(fs.count == 2 && fs.allSatisfy { $0["status"] as? String == "error" })
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("facilities/F-CL-0001").path))
    }

    /// A facility that failed to load is named on standard error with its input and why, in
    /// the reports' language; merge says the same and explains its exit code as batch does.
    @Test func failedToLoadNamesEachFacility() throws {
        let dir = tempDir("named-failures")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in")
        try FileManager.default.createDirectory(
            at: input.appendingPathComponent("broken"), withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            atPath: Repo.root.path + "/Fixtures/clinic-sakura", toPath: input.appendingPathComponent("sakura").path)
        try "{".write(to: input.appendingPathComponent("broken/snapshot.json"), atomically: true, encoding: .utf8)
        for lang in ["ja", "en"] {
            let out = dir.appendingPathComponent("out-\(lang)")
            let (code, _, err) = runCLI([
                "batch", input.path, "--output-dir", out.path, "--as-of", "2026-11-01", "--format", "none", "--lang",
                lang,
            ])
            #expect(code == 2)
            let named = err.split(separator: "\n").filter {
                $0.contains("broken/snapshot.json") && $0.hasPrefix("batch: ")
            }
            #expect(
                named.count == 1 && named[0].contains("error[")
                    && named[0].contains(lang == "ja" ? "を読み込めません" : "failed to load"), "\(err)")
            #expect(
                err.contains(lang == "ja" ? "→ 終了コード 2（読み込めない施設、または未決定の規則あり）" : "→ exit 2, a facility failed to load"),
                "\(err)")
            let merged = runCLI([
                "merge", out.path, "--output-dir", dir.appendingPathComponent("merged-\(lang)").path, "--lang", lang,
            ])
            #expect(merged.code == 2)
            #expect(
                merged.err.split(separator: "\n").contains {
                    $0.hasPrefix("merge: ") && $0.contains("broken/snapshot.json") && $0.contains("error[")
                }, "\(merged.err)")
            #expect(merged.err.contains(lang == "ja" ? "→ 終了コード 2" : "→ exit 2"), "\(merged.err)")
        }
    }

    @Test func listFileAndShardSyntax() throws {
        let dir = tempDir("list")
        defer { try? FileManager.default.removeItem(at: dir) }
        let list = dir.appendingPathComponent("facilities.txt")
        try
            ("# member "
            + "facilities\n\(Repo.root.path)/Fixtures/clinic-sakura\n\(Repo.root.path)/Fixtures/pharmacy-midori\n")
            .write(to: list, atomically: true, encoding: .utf8)
        let (code, _, err) = runCLI([
            "batch", list.path, "--output-dir", dir.appendingPathComponent("out").path, "--as-of", "2026-11-01",
        ])
        #expect(code == 0, "\(err)")
        #expect(err.contains("2 施設: 評価 2、読み込めず 0"))
        #expect(runCLI(["batch", list.path, "--output-dir", "x", "--shard", "4/3"]).code == 64)
        #expect(runCLI(["batch", list.path]).code == 64)
    }
}

struct WaiverTests {
    func waiverFile(_ dir: URL, _ entries: [String]) throws -> String {
        let p = dir.appendingPathComponent("waivers.json")
        try "{\"waivers\": [\(entries.joined(separator: ","))]}".write(to: p, atomically: true, encoding: .utf8)
        return p.path
    }

    func waiver(
        rule: String = "wifi-encrypted", facility: String = "F-CL-0005", granted: String = "2026-10-01",
        expires: String, approver: String = "S-2"
    ) -> String {
        "{\"rule\": \"\(rule)\", \"facility\": \"\(facility)\", \"justification\": \"WEP access point replaced in "
            + "December\", \"requested_by\": \"S-1\", \"approved_by\": \"\(approver)\", \"granted_on\": "
            + "\"\(granted)\", \"expires_on\": \"\(expires)\"}"
    }

    func wifiState(_ out: String) throws -> (String, String?) {
        let doc = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        let r = (doc["results"] as! [[String: Any]]).first { $0["rule"] as? String == "wifi-encrypted" }!
        return (r["state"] as! String, (r["reason"] as? [String: String])?["en"])
    }

    @Test(arguments: [
        ("2026-11-01", "waived"),  // expires on the as-of date: still in force
        ("2026-10-31", "fail"),  // its last day was the day before
        ("2027-03-30", "waived"),
    ])
    func expiryAroundTheAsOfDate(_ expires: String, _ state: String) throws {
        let dir = tempDir("waiver")
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = try waiverFile(dir, [waiver(expires: expires)])
        let (_, out, err) = runCLI([
            "check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", "json", "--waivers", w,
        ])
        let (s, reason) = try wifiState(out)
        #expect(s == state, "\(err)")
        if state == "fail" {
            #expect(reason?.contains("the waiver was valid until 2026-10-31") == true, "\(reason ?? "")")
        }
        if state == "waived" { #expect(reason?.contains("WEP access point replaced") == true) }
        #expect(
            err.contains("[waiver.expiring]") == (expires == "2026-11-01"), "a waiver expiring within 30 days warns")
    }

    @Test func waivedGapsNoLongerGate() throws {
        let dir = tempDir("gate")
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = try waiverFile(dir, [waiver(rule: "privacy-filter", facility: "F-PH-0002", expires: "2027-01-31")])
        #expect(
            runCLI(["check", "Fixtures/pharmacy-midori", "--as-of", "2026-11-01", "--fail-on", "recommended"]).code == 1
        )
        #expect(
            runCLI([
                "check", "Fixtures/pharmacy-midori", "--as-of", "2026-11-01", "--fail-on", "recommended", "--waivers",
                w,
            ]).code == 1,
            "the pharmacy still has another recommended gap")
    }

    @Test(arguments: [
        (
            "{\"rule\": \"wifi-encryptd\", \"facility\": \"*\", \"justification\": \"x\", \"requested_by\": \"A\", "
                + "\"approved_by\": \"B\", \"granted_on\": \"2026-10-01\", \"expires_on\": \"2026-12-01\"}",
            "waiver.unknown-rule"
        ),
        (
            "{\"rule\": \"vpn\", \"justification\": \"x\", \"requested_by\": \"A\", \"approved_by\": \"A\", "
                + "\"granted_on\": \"2026-10-01\", \"expires_on\": \"2026-12-01\"}",
            "waiver.self-approved"
        ),
        (
            "{\"rule\": \"vpn\", \"justification\": \"x\", \"requested_by\": \"A\", \"approved_by\": \"B\", "
                + "\"granted_on\": \"2026-01-01\", \"expires_on\": \"2026-12-01\"}",
            "waiver.too-long"
        ),
        (
            "{\"rule\": \"vpn\", \"requested_by\": \"A\", \"approved_by\": \"B\", \"granted_on\": \"2026-10-01\", "
                + "\"expires_on\": \"2026-12-01\"}",
            "waiver.missing-field"
        ),
        (
            "{\"rule\": \"vpn\", \"justification\": \"x\", \"requested_by\": \"A\", \"approved_by\": \"B\", "
                + "\"granted_on\": \"2026-12-01\", \"expires_on\": \"2026-10-01\"}",
            "waiver.bad-dates"
        ),
    ])
    func invalidWaiversAreErrors(_ entry: String, _ id: String) throws {
        let dir = tempDir("badwaiver")
        defer { try? FileManager.default.removeItem(at: dir) }
        let w = try waiverFile(dir, [entry])
        let (code, out, err) = runCLI(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--waivers", w])
        #expect(code == 2 && out.isEmpty)
        #expect(err.contains("[\(id)]"), "\(err)")
        #expect(err.contains("waivers.json") && err.contains("#/waivers/0"))
    }

    /// A waiver is requested and approved by two people of the facility's own staff, ids read
    /// as everywhere else (break 12 F6): a full-width copy of the requester is self-approval;
    /// someone not on the roster, a patient's id, or a leaver as of `granted_on` cannot
    /// approve; a justification that only fills the cell gives none.
    @Test(arguments: [
        ("Ｓ－１", "WEP access point replaced in December", "waiver.self-approved"),  // the requester, S-1, in full width
        ("s-1", "WEP access point replaced in December", "waiver.self-approved"),
        ("S-99", "WEP access point replaced in December", "waiver.unknown-person"),
        ("P-1", "WEP access point replaced in December", "waiver.unknown-person"),
        ("S-5", "WEP access point replaced in December", "waiver.unknown-person"),  // left on 2026-03-31
        ("S-2", "なし", "waiver.no-justification"),
        ("S-2", "-", "waiver.no-justification"),
        ("S-2", "n/a", "waiver.no-justification"),
        ("S-2", "ー", "waiver.no-justification"),
    ])
    func waiverPeopleAndJustificationAreChecked(_ approver: String, _ why: String, _ id: String) throws {
        let dir = tempDir("waiverpeople")
        defer { try? FileManager.default.removeItem(at: dir) }
        let entry =
            "{\"rule\": \"wifi-encrypted\", \"facility\": \"F-CL-0005\", \"justification\": \"\(why)\", "
            + "\"requested_by\": \"S-1\", \"approved_by\": \"\(approver)\", \"granted_on\": \"2026-10-01\", "
            + "\"expires_on\": \"2027-01-15\"}"
        let w = try waiverFile(dir, [entry])
        let (code, out, err) = runCLI([
            "check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", "json", "--waivers", w,
        ])
        #expect(code == 2 && out.isEmpty, "a bad waiver stops the run: \(err)")
        #expect(err.contains("[\(id)]"), "\(err)")
        #expect(err.contains("waivers.json"))
        // The same waiver in a batch: the facility is not judged, and the run says so.
        let list = dir.appendingPathComponent("facilities.txt")
        try "\(Repo.root.path)/Fixtures/messy-tsubaki\n".write(to: list, atomically: true, encoding: .utf8)
        let (bcode, _, berr) = runCLI([
            "batch", list.path, "--output-dir", dir.appendingPathComponent("out").path,
            "--as-of", "2026-11-01", "--waivers", w,
        ])
        #expect(bcode == 2, "\(berr)")
        if id == "waiver.unknown-person" {
            // Only the facility's roster can tell: that facility is not judged, and the aggregate says why.
            #expect(berr.contains("読み込めず 1"), "\(berr)")
            let aggregate = try String(contentsOf: dir.appendingPathComponent("out/aggregate.json"), encoding: .utf8)
            #expect(aggregate.contains("[\(id)]"), "the aggregate names why the facility was not judged")
        } else {
            // The waiver file alone shows it: the run stops before any facility.
            #expect(berr.contains("[\(id)]"), "\(berr)")
        }
    }

    /// A waiver naming `elements` covers those findings only (review 12 #18): a second open
    /// network found later is not waived with the first.
    @Test func waiverWithElementsCoversOnlyThose() throws {
        let dir = tempDir("waiverelements")
        defer { try? FileManager.default.removeItem(at: dir) }
        func run(_ elements: String) throws -> (Int32, String, String?) {
            let entry =
                "{\"rule\": \"wifi-encrypted\", \"facility\": \"F-CL-0005\", \"justification\": \"N-1 is replaced in "
                + "December\", \"requested_by\": \"S-1\", \"approved_by\": \"S-2\", \"granted_on\": "
                + "\"2026-10-01\", \"expires_on\": \"2027-01-15\", \"elements\": \(elements)}"
            let w = try waiverFile(dir, [entry])
            let (code, out, err) = runCLI([
                "check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", "json", "--waivers", w,
            ])
            guard code != 2 else { return (code, "", err) }
            let (s, reason) = try wifiState(out)
            return (code, s, reason)
        }
        let (_, one, reason) = try run("[\"N-1\"]")
        #expect(one == "fail", "N-2 is not waived")
        #expect(reason?.contains("covers N-1") == true && reason?.contains("not N-2") == true, "\(reason ?? "")")
        let (_, both, reason2) = try run("[\"Ｎ－１\", \"n-2\"]")
        #expect(both == "waived", "element ids are read width- and case-blind")
        #expect(reason2?.contains("covers N-1, N-2") == true || reason2?.contains("Ｎ－１") == true, "\(reason2 ?? "")")
        #expect(try run("[]").0 == 2, "an empty list names nothing")
        #expect(try run("[\"N-1\", 3]").0 == 2, "an element is an id")
    }

    /// A waiver for every facility (`*`) is checked against the roster where it waives a failure.
    @Test func waiverForEveryFacilityIsCheckedWhereUsed() throws {
        let dir = tempDir("waiverstar")
        defer { try? FileManager.default.removeItem(at: dir) }
        let entry =
            "{\"rule\": \"wifi-encrypted\", \"facility\": \"*\", \"justification\": \"association-wide Wi-Fi "
            + "replacement\", \"requested_by\": \"S-1\", \"approved_by\": \"S-77\", \"granted_on\": "
            + "\"2026-10-01\", \"expires_on\": \"2027-01-15\"}"
        let w = try waiverFile(dir, [entry])
        let (code, _, err) = runCLI(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--waivers", w])
        #expect(code == 2 && err.contains("[waiver.unknown-person]"), "\(err)")
        // Where wifi-encrypted does not fail, the waiver is not used and not checked.
        #expect(runCLI(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--waivers", w]).code != 2)
    }

    @Test func waiversNeverHideErrors() throws {
        var r = FacilityResult(
            facilityID: "F", facilityName: nil, asOf: Day(iso: "2026-11-01")!,
            pack: .init(id: "p", version: "1", title: .init(ja: "", en: ""), source: "", edition: ""), params: [],
            results: [
                RuleResult(ruleID: "vpn", state: .error, reason: nil, violations: [], attestation: nil, examined: 0)
            ], sources: [])
        let w = Waiver(
            rule: "vpn", facility: nil, justification: "j", requestedBy: "a", approvedBy: "b",
            grantedOn: Day(iso: "2026-10-01")!,
            expiresOn: Day(iso: "2026-12-01")!, location: .init(file: "w"))
        _ = WaiverPolicy.apply([w], to: &r)
        #expect(r.results[0].state == .error)
    }
}

struct BaselineDiffExplainTests {
    @Test func baselineGatesOnlyNewFailures() throws {
        let dir = tempDir("baseline")
        defer { try? FileManager.default.removeItem(at: dir) }
        let old = dir.appendingPathComponent("old.json").path
        #expect(
            runCLI(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", "json", "--output", old])
                .code == 1)
        let (same, _, err) = runCLI(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--baseline", old])
        #expect(same == 0, "known gaps do not fail the build: \(err)")
        #expect(err.contains("baseline: 0 rules with new failures"))
        // A new gap on top of the known ones fails the build.
        let snap = dir.appendingPathComponent("s.json")
        var doc = try readJSON(Repo.root.appendingPathComponent("Fixtures/messy-tsubaki/snapshot.json"))
        var facility = doc["facility"] as! [String: Any]
        facility["uses_patient_accounts"] = true
        doc["facility"] = facility
        var patients = doc["patients"] as! [[String: Any]]
        patients[0]["has_account"] = true
        doc["patients"] = patients
        try JSONSerialization.data(withJSONObject: doc).write(to: snap)
        let (new, _, err2) = runCLI([
            "check", "--snapshot", snap.path, "--devices", "Fixtures/messy-tsubaki/devices.csv", "--as-of",
            "2026-11-01",
            "--baseline", old, "--fail-on", "recommended",
        ])
        #expect(new == 1, "\(err2)")
        #expect(err2.contains("new: patient-identity-confirmed"))
    }

    /// Losing the evidence of a failure is no fix: fail → unknown or error is a change, and
    /// pass → unknown is new.
    @Test func diffDoesNotCallLostEvidenceAFix() {
        #expect(AuditDiff.classify("fail", "pass") == .fixed)
        #expect(AuditDiff.classify("fail", "attested") == .fixed)
        // A waiver is an accepted exception, not a fix.
        #expect(AuditDiff.classify("fail", "waived") == .waived)
        #expect(AuditDiff.classify("waived", "fail") == .new)
        #expect(AuditDiff.classify("fail", "unknown") == .changed)
        #expect(AuditDiff.classify("fail", "error") == .changed)
        #expect(AuditDiff.classify("fail", "absent") == .changed)
        #expect(AuditDiff.classify("pass", "unknown") == .new)
        #expect(AuditDiff.classify("pass", "fail") == .new)
    }

    /// Waiver ids are compared as a person reads them; an empty justification is no waiver.
    @Test func waiversAreReadAsAPersonReadsThem() throws {
        let pack = try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack)
        func w(_ requested: String, _ approved: String, _ why: String = "order placed") -> [Diagnostic] {
            WaiverPolicy.validate(
                [
                    Waiver(
                        rule: "wifi-encrypted", facility: nil, justification: why, requestedBy: requested,
                        approvedBy: approved,
                        grantedOn: Day(iso: "2026-10-01")!, expiresOn: Day(iso: "2026-12-01")!,
                        location: TenkenSyntax.SourceLocation(file: "w"))
                ],
                pack: pack, maxTerm: Duration.days(180), knownFacilities: nil)
        }
        #expect(w("S-001", "S-002").isEmpty)
        #expect(w("S-001", "S-001\u{3000}").map(\.id) == ["waiver.self-approved"])
        #expect(w("S-001", "s-001").map(\.id) == ["waiver.self-approved"])
        #expect(w("S-001", "Ｓ－００１").map(\.id) == ["waiver.self-approved"])
        #expect(w("S-001", "S\u{2010}001").map(\.id) == ["waiver.self-approved"])
        #expect(w("S-001", "S-002", "   ").map(\.id) == ["waiver.incomplete"])
        #expect(w("S-001", "S-002", "access point replaced soon\u{1B}[2J").map(\.id) == ["waiver.control-character"])
    }

    /// A failure now covered by a waiver is `waived` (免除), never `fixed` (解消).
    @Test func diffCallsAWaivedFailureWaived() throws {
        let dir = tempDir("diff-waived")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.json").path, b = dir.appendingPathComponent("b.json").path,
            w = dir.appendingPathComponent("w.json").path
        try
            #"{ "waivers": [ { "rule": "wifi-encrypted", "facility": "F-CL-0005", "justification": "replaced on 2026-12-10", "requested_by": "S-1", "approved_by": "S-2", "granted_on": "2026-10-01", "expires_on": "2027-01-15" } ] }"#
            .write(toFile: w, atomically: true, encoding: .utf8)
        _ = runCLI(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", "json", "--output", a])
        _ = runCLI([
            "check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", "json", "--output", b, "--waivers",
            w,
        ])
        let en = runCLI(["diff", a, b])
        #expect(en.out.contains("waived    wifi-encrypted: fail → waived") && en.out.contains("fixed: 0"), "\(en.out)")
        let ja = runCLI(["diff", a, b, "--lang", "ja"])
        #expect(ja.out.contains("免除") && ja.out.contains("解消: 0") && !ja.out.contains("解消  "), "\(ja.out)")
    }

    @Test func diffOfTwoReports() throws {
        let dir = tempDir("diff")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.appendingPathComponent("a.json").path, b = dir.appendingPathComponent("b.json").path
        _ = runCLI(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", "json", "--output", a])
        _ = runCLI([
            "check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", "json", "--output", b, "--param",
            "leaver.grace=400 days",
        ])
        let (code, out, _) = runCLI(["diff", a, b, "--format", "json"])
        #expect(code == 0)
        let doc = try JSONSerialization.jsonObject(with: Data(out.utf8)) as! [String: Any]
        let diff = doc["diff"] as! [String: Any]
        let rules = diff["rules"] as! [[String: Any]]
        let leaver = rules.first { $0["rule"] as? String == "leaver-accounts-deleted" }!
        #expect(leaver["change"] as? String == "fixed")
        #expect((diff["counts"] as! [String: Int])["new"] == 0)
        let (_, text, _) = runCLI(["diff", b, a])
        #expect(text.contains("new       leaver-accounts-deleted: pass → fail"))
        #expect(runCLI(["diff", a, "Fixtures/invalid/empty.json"]).code == 2)
    }

    @Test func explainShowsWhatDecided() {
        let (code, out, _) = runCLI(["explain", "wifi-encrypted", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01"])
        #expect(code == 0)
        #expect(
            out.contains(
                "applies when facility.uses_wifi or (networks is present and (some n in networks : n.used_for_mcs != "
                    + "false))\n  → true"
            ))
        #expect(out.contains("2 elements passed the filter; 2 violate"))
        #expect(
            out.contains(
                "decided by n.operator = facility  (Fixtures/messy-tsubaki/snapshot.json:148:19#/networks/0/operator)")
                || out.contains(
                    "decided by n.encryption = WEP  "
                        + "(Fixtures/messy-tsubaki/snapshot.json:147:21#/networks/0/encryption)"
                ))
        #expect(out.contains("result: fail"))
        // A catalog item is explained by every rule implementing it.
        let (c2, o2, _) = runCLI(["explain", "T-REQ-03", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01"])
        #expect(
            c2 == 0 && o2.contains("rule offsite-wifi-encrypted [") && o2.contains("rule wifi-encrypted ["), "\(o2)")
        let (c3, _, e3) = runCLI(["explain", "T-REQ-3", "Fixtures/messy-tsubaki"])
        #expect(
            c3 == 64 && e3.contains("no rule or catalog item `T-REQ-3`") && e3.contains("did you mean `T-REQ-03`?"),
            "\(e3)")
    }

    /// A rule that uses a named condition shows what it stands for and where it is defined,
    /// under the condition that uses it, in both languages.
    @Test func explainShowsTheNamedConditionsARuleUses() {
        let (code, out, _) = runCLI([
            "explain", "antimalware-active", "Fixtures/clinic-sakura", "--as-of", "2026-11-01",
        ])
        #expect(code == 0)
        let pack = (try? String(contentsOfFile: "Rules/mcs/pack.tenken", encoding: .utf8)) ?? ""
        let lines = pack.components(separatedBy: "\n")
        let line = (lines.firstIndex { $0.contains("define in_use(") } ?? -2) + 1
        let column =
            line > 0
            ? (lines[line - 1].range(of: "in_use(").map {
                lines[line - 1].distance(from: lines[line - 1].startIndex, to: $0.lowerBound)
            } ?? -2) + 1 : 0
        #expect(
            out.contains(
                "where in_use(d) = d.status not in [\"returned\", \"retired\", \"lost\"] and d.used_for_mcs != false  "
                    + "(Rules/mcs/pack.tenken:\(line):\(column))"), "\(out)")
        let (_, ja, _) = runCLI([
            "explain", "antimalware-active", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--lang", "ja",
        ])
        #expect(ja.contains("名前付き条件 in_use(d) = d.status not in"), "\(ja)")
        // A rule without one shows none.
        let (_, plain, _) = runCLI(["explain", "wifi-encrypted", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01"])
        #expect(!plain.contains("\n  where "), "\(plain)")
    }

    /// `explain --lang ja` is Japanese throughout: labels, states, values in the table's words,
    /// fields by their headers, and the renewal period instead of the parameter's name.
    @Test func explainInJapanese() {
        let (code, out, _) = runCLI([
            "explain", "H-REQ-09", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--lang", "ja",
        ])
        #expect(code == 0)
        #expect(out.contains("規則 leaver-accounts-deleted [必要事項 · 人的・組織的対策 · H-REQ-09]"), "\(out)")
        #expect(out.contains("決め手 状態 (a.status) = 有効"))
        #expect(out.contains("結果: 不合格"))
        for english in ["decided by", "result:", "read ", "elements passed", "active"] {
            #expect(!out.contains(english), "\(english)")
        }
        let (_, att, _) = runCLI([
            "explain", "logout-when-away", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--lang", "ja",
        ])
        #expect(att.contains("運用責任者・システム管理者が1年ごとに更新"), "\(att)")
        #expect(!att.contains("param.attestation.renewal") && !att.contains("operations-lead"))
    }
}
