import Foundation
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCLI
@testable import TenkenEval

/// The pack's passing base clinic (`Rules/mcs/tests/base/clinic.json`), patched and written
/// to a folder of its own, for the gate's tests: each changes one thing and runs the CLI.
struct BaseClinic {
    let dir: URL

    init(_ tag: String) {
        dir = tempDir("gate-\(tag)")
    }

    static func document() throws -> [String: Any] {
        try readJSON(Repo.root.appendingPathComponent("Rules/mcs/tests/base/clinic.json"))
    }

    /// Writes the base clinic, changed by `patch`, as `NAME.json`; returns its path.
    @discardableResult
    func write(_ name: String = "snapshot", _ patch: (inout [String: Any]) throws -> Void = { _ in }) throws -> String {
        var doc = try BaseClinic.document()
        try patch(&doc)
        let url = dir.appendingPathComponent("\(name).json")
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try JSONSerialization.data(withJSONObject: doc, options: [.sortedKeys]).write(to: url)
        return url.path
    }

    func path(_ name: String) -> String { dir.appendingPathComponent(name).path }

    func remove() { try? FileManager.default.removeItem(at: dir) }
}

/// Edits of the base clinic's lists, by id.
extension Dictionary where Key == String, Value == Any {
    mutating func edit(_ list: String, id: String, _ change: (inout [String: Any]) -> Void) {
        var xs = self[list] as! [[String: Any]]
        let i = xs.firstIndex { ($0["id"] as? String) == id }!
        change(&xs[i])
        self[list] = xs
    }

    mutating func editAll(_ list: String, _ change: (inout [String: Any]) -> Void) {
        var xs = self[list] as! [[String: Any]]
        for i in xs.indices { change(&xs[i]) }
        self[list] = xs
    }
}

/// The JSON report of one `check`, by rule: state and reason (English).
func checkStates(
    _ args: [String]
) throws -> (code: Int32, states: [String: String], reasons: [String: String], err: String) {
    let r = runCLI(["check"] + args + ["--as-of", "2026-11-01", "--format", "json"])
    guard !r.out.isEmpty else { return (r.code, [:], [:], r.err) }
    let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
    let results = try #require(doc["results"] as? [[String: Any]])
    var states: [String: String] = [:], reasons: [String: String] = [:]
    for x in results {
        let id = x["rule"] as! String
        states[id] = x["state"] as? String
        reasons[id] = (x["reason"] as? [String: String])?["en"]
    }
    return (r.code, states, reasons, r.err)
}

/// Baselines forgive what they knew and nothing more (review 12, #4 and #5).
@Suite struct BaselineGateTests {
    /// #4: a finding about no element ("no device-management rule is on file") is known as
    /// that finding, not as the whole rule: a new device with nobody responsible is new.
    @Test func anElementlessFindingDoesNotForgiveTheRule() throws {
        let c = BaseClinic("baseline-elementless")
        defer { c.remove() }
        func noDocument(_ d: inout [String: Any]) {
            d["documents"] = (d["documents"] as! [[String: Any]]).filter {
                $0["kind"] as? String != "device-management"
            }
        }
        let before = try c.write("before", noDocument)
        let after = try c.write("after") { d in
            noDocument(&d)
            var pc = (d["devices"] as! [[String: Any]])[0]
            pc["id"] = "PC-99"
            pc["assigned_staff_id"] = nil
            d["devices"] = (d["devices"] as! [[String: Any]]) + [pc]
        }
        let report = c.path("before.report.json")
        #expect(
            runCLI(["check", "--snapshot", before, "--as-of", "2026-11-01", "--format", "json", "--output", report])
                .code == 1)
        let same = runCLI(["check", "--snapshot", before, "--as-of", "2026-11-01", "--baseline", report])
        #expect(same.code == 0, "the known finding is forgiven: \(same.err)")
        let later = runCLI(["check", "--snapshot", after, "--as-of", "2026-11-01", "--baseline", report])
        #expect(later.code == 1 && later.err.contains("new: device-management-defined"), "\(later.err)")

        // The report numbers the expectation of every finding, and the element-less one has it too.
        let doc = try readJSON(URL(fileURLWithPath: report))
        let rule = (doc["results"] as! [[String: Any]]).first { $0["rule"] as? String == "device-management-defined" }!
        let v = (rule["violations"] as! [[String: Any]])[0]
        #expect(v["element"] is NSNull && (v["expect"] as? Int) == 1)

        // A report from before expectations were numbered: its element-less finding is still
        // only that one.
        var legacy = doc
        legacy["results"] = (doc["results"] as! [[String: Any]]).map { r in
            var r = r
            r["violations"] = (r["violations"] as? [[String: Any]])?.map { v in
                var v = v; v["expect"] = nil; return v
            }
            return r
        }
        let old = c.path("legacy.json")
        try JSONSerialization.data(withJSONObject: legacy).write(to: URL(fileURLWithPath: old))
        #expect(runCLI(["check", "--snapshot", before, "--as-of", "2026-11-01", "--baseline", old]).code == 0)
        #expect(runCLI(["check", "--snapshot", after, "--as-of", "2026-11-01", "--baseline", old]).code == 1)
    }

    /// The same element failing another expectation of the rule is new.
    @Test func theSameElementUnderAnotherExpectationIsNew() {
        var b = Baseline()
        b.known.insert(Baseline.key("F", "r", expect: 1, element: "PC-01"))
        func fail(_ expect: Int?, _ element: String?) -> RuleResult {
            var v = Violation(message: .init(ja: "", en: ""), element: element, location: nil, evidence: [])
            v.expect = expect
            return RuleResult(ruleID: "r", state: .fail, reason: nil, violations: [v], attestation: nil, examined: 1)
        }
        #expect(!b.hasNew(facility: "F", fail(1, "PC-01")))
        #expect(b.hasNew(facility: "F", fail(2, "PC-01")))
        #expect(b.hasNew(facility: "F", fail(1, nil)))
        #expect(b.hasNew(facility: "G", fail(1, "PC-01")))
        // An aggregate's `*` is the whole rule, as documented.
        b.known.insert("F|r|*")
        #expect(!b.hasNew(facility: "F", fail(3, nil)))
    }

    /// #5: `batch --baseline` counts new gaps at the `--fail-on` level, and `never` never gates.
    @Test func batchBaselineFollowsTheGate() throws {
        let c = BaseClinic("baseline-batch")
        defer { c.remove() }
        try c.write("in/f1/snapshot")
        let first = c.path("out1")
        #expect(
            runCLI(["batch", c.path("in"), "--output-dir", first, "--as-of", "2026-11-01", "--format", "none"]).code
                == 0)
        // A new recommended gap: PC-01 without a VPN.
        try c.write("in/f1/snapshot") { d in
            var devices = d["devices"] as! [[String: Any]]
            devices[0]["vpn"] = false
            d["devices"] = devices
        }
        let base = first + "/aggregate.json"
        func batch(_ gate: String, _ out: String) -> (code: Int32, err: String) {
            let r = runCLI([
                "batch", c.path("in"), "--output-dir", c.path(out), "--as-of", "2026-11-01", "--format", "none",
                "--fail-on", gate, "--baseline", base,
            ])
            return (r.code, r.err)
        }
        let rec = batch("recommended", "o2")
        #expect(rec.code == 1 && rec.err.contains("新たな不合格あり 1（recommended 以上）"), "\(rec.err)")
        #expect(
            runCLI(["check", c.path("in/f1"), "--as-of", "2026-11-01", "--fail-on", "recommended", "--baseline", base])
                .code == 1)
        #expect(batch("required", "o3").code == 0, "a recommended gap does not gate at the required level")
        #expect(batch("never", "o4").code == 0)
        let agg = try readJSON(URL(fileURLWithPath: c.path("o2/aggregate.json")))
        let f = (agg["facilities"] as! [[String: Any]])[0]
        #expect((f["new_gaps"] as? Int) == 1)
    }
}

/// A batch reads everything in its folder or says what it did not (review 12, #16).
@Suite struct BatchFolderTests {
    @Test func snapshotsBesideFoldersAreFacilitiesAndOtherFilesAreNamed() throws {
        let c = BaseClinic("batch-loose")
        defer { c.remove() }
        try c.write("in/f1/snapshot")
        // A failing facility kept as a snapshot file beside the folder: S-006 left with her
        // account still active.
        try c.write("in/f2") { d in
            var f = d["facility"] as! [String: Any]
            f["id"] = "F-CL-0002"
            d["facility"] = f
            d.edit("staff", id: "S-006") { $0["left_on"] = "2026-09-30" }
        }
        try "notes".write(toFile: c.path("in/notes.txt"), atomically: true, encoding: .utf8)
        let r = runCLI([
            "batch", c.path("in"), "--output-dir", c.path("out"), "--as-of", "2026-11-01", "--format", "none",
        ])
        #expect(r.code == 1, "\(r.err)")
        #expect(r.err.contains("2 施設（ほかのファイル 1 件は対象外）: 評価 2"), "\(r.err)")
        #expect(r.err.contains("notes.txt: warning[batch.ignored-entry]"), "\(r.err)")
        let agg = try readJSON(URL(fileURLWithPath: c.path("out/aggregate.json")))
        #expect((agg["ignored"] as? [String])?.first?.hasSuffix("notes.txt") == true)
    }
}

/// `merge` takes only whole, self-consistent parts (review 12, #17; break 12, F7).
@Suite struct MergeValidationTests {
    /// Two shards of three facilities; F-X-2 has a required gap.
    func shards(_ c: BaseClinic) throws -> [String] {
        for n in 1...3 {
            try c.write("in/f\(n)/snapshot") { d in
                var f = d["facility"] as! [String: Any]
                f["id"] = "F-X-\(n)"
                d["facility"] = f
                if n == 2 { d.edit("staff", id: "S-006") { $0["left_on"] = "2026-09-30" } }
            }
        }
        return try (1...2).map { i in
            let out = c.path("s\(i)")
            let r = runCLI([
                "batch", c.path("in"), "--output-dir", out, "--as-of", "2026-11-01", "--format", "none", "--shard",
                "\(i)/2",
            ])
            #expect(r.code <= 1, "\(r.err)")
            return out + "/aggregate.json"
        }
    }

    func edited(
        _ c: BaseClinic, _ part: String, _ name: String, _ change: (inout [String: Any]) -> Void
    ) throws -> String {
        var doc = try readJSON(URL(fileURLWithPath: part))
        change(&doc)
        let p = c.path(name)
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: p))
        return p
    }

    func merge(_ c: BaseClinic, _ parts: [String]) -> (code: Int32, err: String) {
        let r = runCLI(["merge"] + parts + ["--output-dir", c.path("merged-\(UUID().uuidString)")])
        return (r.code, r.err)
    }

    @Test func damagedPartsAreRefused() throws {
        let c = BaseClinic("merge-damaged")
        defer { c.remove() }
        let parts = try shards(c)
        #expect(merge(c, parts).code == 1, "the whole run has a gap")
        // Which shard holds the failing facility depends on the shard hash: damage that one.
        let holder = try #require(
            try parts.first { p in
                ((try readJSON(URL(fileURLWithPath: p)))["facilities"] as! [[String: Any]]).contains {
                    $0["id"] as? String == "F-X-2"
                }
            })
        let other = parts.first { $0 != holder }!
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            (
                "dropped",
                { d in d["facilities"] = (d["facilities"] as! [[String: Any]]).filter { $0["id"] as? String != "F-X-2" }
                }, "#/totals/found"
            ),
            (
                "states",
                { d in
                    d["facilities"] = (d["facilities"] as! [[String: Any]]).map { f in
                        var f = f
                        if f["id"] as? String == "F-X-2" {
                            f["states"] = (f["states"] as! String).replacingOccurrences(of: "F", with: "P")
                        }
                        return f
                    }
                }, "F-X-2"
            ),
            ("norules", { d in d["rules"] = nil }, "no `rules` list"),
            (
                // The key is always written: null for a pack that declares no categories.
                "nocategory",
                { d in
                    d["rules"] = (d["rules"] as! [[String: Any]]).enumerated().map { i, r in
                        var r = r
                        if i == 0 { r["category"] = nil }
                        return r
                    }
                }, "rule 1 has no id, level or category"
            ),
            ("emptyrules", { d in d["rules"] = [Any]() }, "`rules` list is empty"),
            ("nofacilities", { d in d["facilities"] = nil }, "no `facilities` list"),
            (
                "beforeloosened",
                { d in
                    var t = d["totals"] as! [String: Any]
                    t["with_loosened_params"] = nil
                    d["totals"] = t
                }, "written by an earlier tenken"
            ),
        ]
        for (name, change, words) in cases {
            let bad = try edited(c, holder, name + ".json", change)
            let r = merge(c, [bad, other])
            #expect(
                r.code == 2 && r.err.contains("merge.bad-aggregate") && r.err.contains(name + ".json")
                    && r.err.contains(words), "\(name): \(r.err)")
        }
    }

    /// A pack that declares no categories writes `"category": null` for each rule; its parts merge.
    @Test func partsOfAPackWithoutCategoriesMerge() throws {
        let c = BaseClinic("merge-nocategory")
        defer { c.remove() }
        let parts = try shards(c).enumerated().map { i, part in
            try edited(c, part, "nocat\(i).json") { d in
                d["rules"] = (d["rules"] as! [[String: Any]]).map { r in
                    var r = r
                    r["category"] = NSNull()
                    return r
                }
            }
        }
        let r = merge(c, parts)
        #expect(r.code == 1 && !r.err.contains("merge.bad-aggregate"), "the whole run has a gap: \(r.err)")
    }

    @Test func partsWithNoFacilityAtAllAreRefused() throws {
        let c = BaseClinic("merge-empty")
        defer { c.remove() }
        let part = try shards(c)[0]
        let empty = try edited(c, part, "empty.json") { d in
            d["facilities"] = [Any]()
            d["shard"] = nil
            d["totals"] = [
                "found": 0, "evaluated": 0, "failed_to_load": 0, "with_undecided_rules": 0, "with_required_gaps": 0,
                "with_loosened_params": 0,
            ]
            d["rules"] = (d["rules"] as! [[String: Any]]).map { r in
                var r = r
                r["counts"] = Dictionary(uniqueKeysWithValues: (r["counts"] as! [String: Any]).keys.map { ($0, 0) })
                return r
            }
        }
        let r = merge(c, [empty])
        #expect(r.code == 2 && r.err.contains("no part holds a facility"), "\(r.err)")
    }
}

/// A statement vouches only when it is whole and its signer could give it that day
/// (review 12, #6 and #7; break 12, F5).
@Suite struct AttestationJudgementTests {
    /// #6: an attestations table without its reason column is an error, not "not applicable
    /// because (unknown)"; with the column and a blank cell, the item waits for a reason.
    @Test func aTableWithoutTheReasonColumnIsRefused() throws {
        let c = BaseClinic("att-noreason")
        defer { c.remove() }
        try c.write("f/snapshot")
        let header = "確認項目,回答,回答者の役割,回答者ID,回答日"
        let row = "no-written-credentials,対象外,operations-lead,S-001,2026-10-01"
        try "\(header)\r\n\(row)\r\n".write(toFile: c.path("f/attestations.csv"), atomically: true, encoding: .utf8)
        let r = try checkStates([c.path("f"), "--fail-on", "strict"])
        #expect(
            r.code == 2 && r.err.contains("attestations.csv:1:1: error[data.missing-column]") && r.err.contains("理由"),
            "\(r.err)")
        try "\(header),理由\r\n\(row),\r\n".write(toFile: c.path("f/attestations.csv"), atomically: true, encoding: .utf8)
        let blank = try checkStates([c.path("f")])
        #expect(blank.states["no-written-credentials"] == "manual")

        // The same in a folder of tables, and in a batch.
        let kaede = c.path("kaede")
        try FileManager.default.copyItem(atPath: "Fixtures/clinic-kaede", toPath: kaede)
        try FileManager.default.removeItem(atPath: kaede + "/expected")
        let lines = try String(contentsOfFile: kaede + "/attestations.csv", encoding: .utf8).components(
            separatedBy: "\r\n"
        ).filter { !$0.isEmpty }
        let cut = lines.map {
            $0.split(separator: ",", omittingEmptySubsequences: false).dropLast().joined(separator: ",")
        }
        try (cut.joined(separator: "\r\n") + "\r\n").write(
            toFile: kaede + "/attestations.csv", atomically: true, encoding: .utf8)
        let t = try checkStates([kaede])
        #expect(t.code == 2 && t.err.contains("error[data.missing-column]"), "\(t.err)")
        try FileManager.default.createDirectory(atPath: c.path("batch"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(atPath: kaede, toPath: c.path("batch/kaede"))
        let b = runCLI([
            "batch", c.path("batch"), "--output-dir", c.path("out"), "--as-of", "2026-11-01", "--format", "none",
        ])
        #expect(b.code == 2 && b.err.contains("読み込めず 1"), "\(b.err)")
    }

    /// F5: a reason that only fills the cell is no reason.
    @Test(arguments: ["なし", "-", "ー", "none", "n/a", ".", "不明", "？", "0", "N/A", "　なし　", "--", "…"])
    func aNoneWordIsNoReason(_ reason: String) throws {
        let c = BaseClinic("att-noneword")
        defer { c.remove() }
        let s = try c.write { d in
            d["attestations"] =
                (d["attestations"] as! [[String: Any]]) + [
                    [
                        "item": "no-written-credentials", "answer": "not-applicable", "by_role": "operations-lead",
                        "by": "S-001",
                        "signed_on": "2026-10-01", "reason": reason,
                    ]
                ]
        }
        let r = try checkStates(["--snapshot", s, "--fail-on", "strict"])
        #expect(
            r.states["no-written-credentials"] == "manual", "\(reason): \(r.reasons["no-written-credentials"] ?? "-")")
        #expect(r.code == 1)
    }

    @Test func aRealReasonStillCounts() {
        #expect(!Statement.saysNothing("no Wi-Fi at the facility"))
        #expect(!Statement.saysNothing("Wi-Fiなし"))
        #expect(!Statement.saysNothing("院内にWi-Fiはありません"))
        #expect(Statement.saysNothing("特になし"))
    }

    /// #7: an unsigned "no" is not replaced by the data's showing (the `unless` holds here:
    /// a pledge template is on file).
    @Test func anIncompleteNoIsNeverShownByData() throws {
        let c = BaseClinic("att-no")
        defer { c.remove() }
        func with(
            _ row: [String: Any]
        ) throws -> (code: Int32, states: [String: String], reasons: [String: String], err: String) {
            let s = try c.write { d in d["attestations"] = (d["attestations"] as! [[String: Any]]) + [row] }
            return try checkStates(["--snapshot", s, "--fail-on", "strict"])
        }
        let base: [String: Any] = [
            "item": "staff-pledge-content", "answer": "no", "by_role": "privacy-lead", "signed_on": "2026-10-01",
        ]
        let unsigned = try with(base)
        #expect(unsigned.states["staff-pledge-signed"] == "manual", "\(unsigned.reasons["staff-pledge-signed"] ?? "-")")
        #expect(unsigned.reasons["staff-pledge-signed"]?.contains("does not say who gave it") == true)
        #expect(unsigned.code == 1, "manual gates under strict")
        var undated = base
        undated["by"] = "S-001"
        undated["signed_on"] = nil
        #expect(try with(undated).states["staff-pledge-signed"] == "manual")
        var wrongRole = base
        wrongRole["by"] = "S-001"
        wrongRole["by_role"] = "system-admin"
        #expect(try with(wrongRole).states["staff-pledge-signed"] == "manual")
        var signed = base
        signed["by"] = "S-001"
        #expect(try with(signed).states["staff-pledge-signed"] == "fail")
        // An incomplete "yes" is still not needed where the data shows the item met.
        var yes = base
        yes["answer"] = "yes"
        #expect(try with(yes).states["staff-pledge-signed"] == "pass")
    }

    /// F5: a statement signed before the signer was hired, before the role, or after leaving
    /// does not vouch; nor does one by someone not on the roster.
    @Test(arguments: [
        ("hired later", "not yet hired"),
        ("appointed later", "before S-001 took the role operations-lead"),
        ("left before", "had left"),
        ("not on the roster", "not in the staff table"),
        ("no hiring date", "no hiring date"),
    ])
    func aSignerMustBeThereThatDay(_ name: String, _ words: String) throws {
        func change(_ d: inout [String: Any]) {
            switch name {
            case "hired later": d.edit("staff", id: "S-001") { $0["hired_on"] = "2026-05-01" }
            case "appointed later":
                d.editAll("roles") { if $0["role"] as? String == "operations-lead" { $0["since"] = "2026-06-01" } }
            case "left before":
                d.edit("staff", id: "S-006") { $0["left_on"] = "2026-03-01" }
                d.editAll("roles") { if $0["role"] as? String == "operations-lead" { $0["staff_id"] = "S-006" } }
                d.editAll("attestations") { if $0["by_role"] as? String == "operations-lead" { $0["by"] = "S-006" } }
            case "not on the roster":
                d["roles"] = nil
                d.editAll("attestations") { if $0["by_role"] as? String == "operations-lead" { $0["by"] = "S-999" } }
            default: d.edit("staff", id: "S-001") { $0["hired_on"] = nil }
            }
        }
        let c = BaseClinic("att-signer")
        defer { c.remove() }
        let s = try c.write("snapshot", change)
        let r = try checkStates(["--snapshot", s])
        #expect(
            r.states["no-written-credentials"] == "manual",
            "\(name): \(r.states["no-written-credentials"] ?? "-") \(r.err)")
        #expect(
            r.reasons["no-written-credentials"]?.contains(words) == true,
            "\(name): \(r.reasons["no-written-credentials"] ?? "-")")
    }
}

/// A facility's own snapshot may not lower the bar for itself unflagged (review 12 #3,
/// break 12 F4): where the source sets no bound, the pack's default is the bar.
@Suite struct LoosenedParameterTests {
    func clinic(_ c: BaseClinic, _ name: String, _ params: [String: Any]) throws -> String {
        try c.write(name) { d in d["parameters"] = params }
    }

    func setting(_ path: String, _ name: String, extra: [String] = []) throws -> [String: Any] {
        let r = runCLI(["check", "--snapshot", path, "--as-of", "2026-11-01", "--format", "json"] + extra)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any], "\(r.err)")
        return try #require((doc["parameters"] as? [[String: Any]])?.first { $0["name"] as? String == name })
    }

    @Test(arguments: [
        ("leaver.grace", "\"100 years\"", true),  // a longer period asks less
        ("leaver.grace", "\"3 days\"", false),  // a shorter one asks more
        ("screen_lock.max", "\"1 day\"", true),
        ("hospital.audit_beds", "500", true),  // fewer hospitals audited
        ("hospital.audit_beds", "20", false),
        ("mcs_admin.at_medical_association", "true", true),
    ])
    func aSnapshotLooserThanTheDefaultIsFlagged(_ name: String, _ json: String, _ flagged: Bool) throws {
        let c = BaseClinic("loosened-\(name)-\(flagged)")
        defer { c.remove() }
        let value = try JSONSerialization.jsonObject(with: Data(json.utf8), options: .fragmentsAllowed)
        let p = try clinic(c, "snapshot", [name: value])
        let s = try setting(p, name)
        #expect(s["origin"] as? String == "snapshot")
        #expect(s["loosens_default"] as? Bool == flagged)
        #expect(s["loosens_source"] as? Bool == false, "the source sets no bound here")
    }

    /// A run's own `--param` that asks less than the default is flagged too, as set by the run
    /// (break-12b F5: `loosens_default` describes the value, whoever set it), and gates under
    /// `strict`; one that asks more is not.
    @Test func theRunsOwnLooserParamIsFlaggedAsSetByTheRun() throws {
        let c = BaseClinic("loosened-cli")
        defer { c.remove() }
        let p = try c.write()
        let s = try setting(p, "leaver.grace", extra: ["--param", "leaver.grace=100 years"])
        #expect(s["origin"] as? String == "command line" && s["loosens_default"] as? Bool == true)
        #expect(
            try setting(p, "leaver.grace", extra: ["--param", "leaver.grace=3 days"])["loosens_default"] as? Bool
                == false)
        let text = runCLI([
            "check", "--snapshot", p, "--as-of", "2026-11-01", "--lang", "en", "--param", "leaver.grace=100 years",
            "--fail-on", "strict",
        ])
        #expect(
            text.code == 1 && text.out.contains("set by the run (--param) looser than the pack's default"),
            "\(text.out)")
        // A run's --param over the snapshot's value takes the flag away with the value.
        let q = try clinic(c, "both", ["leaver.grace": "100 years"])
        #expect(
            try setting(q, "leaver.grace", extra: ["--param", "leaver.grace=7 days"])["loosens_default"] as? Bool
                == false)
    }

    @Test func reportsSayItAndTheGateCanStopIt() throws {
        let c = BaseClinic("loosened-gate")
        defer { c.remove() }
        let p = try clinic(c, "snapshot", ["leaver.grace": "100 years"])
        let text = runCLI(["check", "--snapshot", p, "--as-of", "2026-11-01", "--lang", "en"])
        #expect(text.code == 0, "the base clinic passes: \(text.err)")
        #expect(
            text.out.contains("leaver.grace") && text.out.contains("looser than the pack's default 7 days"),
            "\(text.out)")
        #expect(
            runCLI(["check", "--snapshot", p, "--as-of", "2026-11-01", "--fail-on", "required,loosened"]).code == 1)
        #expect(runCLI(["check", "--snapshot", p, "--as-of", "2026-11-01", "--fail-on", "strict"]).code == 1)
        let plain = try c.write("plain")
        #expect(runCLI(["check", "--snapshot", plain, "--as-of", "2026-11-01", "--fail-on", "strict"]).code == 0)
        #expect(runCLI(["check", "--snapshot", p, "--as-of", "2026-11-01", "--fail-on", "never,loosened"]).code == 64)
    }

    @Test func theAggregateNamesThemAndMergeKeepsThem() throws {
        let c = BaseClinic("loosened-batch")
        defer { c.remove() }
        for n in 1...2 {
            try c.write("in/f\(n)/snapshot") { d in
                var f = d["facility"] as! [String: Any]
                f["id"] = "F-L-\(n)"
                d["facility"] = f
                if n == 2 { d["parameters"] = ["attestation.renewal": "100 years"] }
            }
        }
        let out = c.path("out")
        let r = runCLI([
            "batch", c.path("in"), "--output-dir", out, "--as-of", "2026-11-01", "--format", "none", "--fail-on",
            "strict",
        ])
        #expect(r.code == 1 && r.err.contains("緩めたパラメータで判定 1"), "\(r.err)")
        #expect(
            runCLI(["batch", c.path("in"), "--output-dir", c.path("out0"), "--as-of", "2026-11-01", "--format", "none"])
                .code == 0)
        let agg = try readJSON(URL(fileURLWithPath: out + "/aggregate.json"))
        let fs = agg["facilities"] as! [[String: Any]]
        #expect(fs.first { $0["id"] as? String == "F-L-2" }?["loosened_params"] as? [String] == ["attestation.renewal"])
        #expect(fs.first { $0["id"] as? String == "F-L-1" }?["loosened_params"] as? [String] == [])
        #expect((agg["totals"] as? [String: Any])?["with_loosened_params"] as? Int == 1)
        let html = try String(contentsOf: URL(fileURLWithPath: out + "/aggregate.html"), encoding: .utf8)
        #expect(html.contains("F-L-2: attestation.renewal"))
        // Shards keep the flag through merge, and shards run with different --param do not merge.
        let s1 = c.path("s1"), s2 = c.path("s2")
        _ = runCLI([
            "batch", c.path("in"), "--output-dir", s1, "--as-of", "2026-11-01", "--format", "none", "--shard", "1/2",
        ])
        _ = runCLI([
            "batch", c.path("in"), "--output-dir", s2, "--as-of", "2026-11-01", "--format", "none", "--shard", "2/2",
        ])
        let m = runCLI([
            "merge", s1 + "/aggregate.json", s2 + "/aggregate.json", "--output-dir", c.path("m"), "--fail-on", "strict",
        ])
        #expect(m.code == 1 && m.err.contains("緩めたパラメータで判定 1"), "\(m.err)")
        let s3 = c.path("s3")
        _ = runCLI([
            "batch", c.path("in"), "--output-dir", s3, "--as-of", "2026-11-01", "--format", "none", "--shard", "2/2",
            "--param", "leaver.grace=100 years",
        ])
        let d = runCLI(["merge", s1 + "/aggregate.json", s3 + "/aggregate.json", "--output-dir", c.path("m2")])
        #expect(d.code == 2 && d.err.contains("different --param"), "\(d.err)")
    }
}
