import Foundation
import Testing
import TenkenCheck
import TenkenData
@testable import TenkenEval
import TenkenSyntax
@testable import TenkenCLI

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
func checkStates(_ args: [String]) throws -> (code: Int32, states: [String: String], reasons: [String: String], err: String) {
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
            d["documents"] = (d["documents"] as! [[String: Any]]).filter { $0["kind"] as? String != "device-management" }
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
        #expect(runCLI(["check", "--snapshot", before, "--as-of", "2026-11-01", "--format", "json", "--output", report]).code == 1)
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
            r["violations"] = (r["violations"] as? [[String: Any]])?.map { v in var v = v; v["expect"] = nil; return v }
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
        #expect(runCLI(["batch", c.path("in"), "--output-dir", first, "--as-of", "2026-11-01", "--format", "none"]).code == 0)
        // A new recommended gap: PC-01 without a VPN.
        try c.write("in/f1/snapshot") { d in
            var devices = d["devices"] as! [[String: Any]]
            devices[0]["vpn"] = false
            d["devices"] = devices
        }
        let base = first + "/aggregate.json"
        func batch(_ gate: String, _ out: String) -> (code: Int32, err: String) {
            let r = runCLI(["batch", c.path("in"), "--output-dir", c.path(out), "--as-of", "2026-11-01", "--format", "none",
                            "--fail-on", gate, "--baseline", base])
            return (r.code, r.err)
        }
        let rec = batch("recommended", "o2")
        #expect(rec.code == 1 && rec.err.contains("1 with new gaps (recommended)"), "\(rec.err)")
        #expect(runCLI(["check", c.path("in/f1"), "--as-of", "2026-11-01", "--fail-on", "recommended", "--baseline", base]).code == 1)
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
        let r = runCLI(["batch", c.path("in"), "--output-dir", c.path("out"), "--as-of", "2026-11-01", "--format", "none"])
        #expect(r.code == 1, "\(r.err)")
        #expect(r.err.contains("2 found, 1 other file ignored, 2 evaluated"), "\(r.err)")
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
            let r = runCLI(["batch", c.path("in"), "--output-dir", out, "--as-of", "2026-11-01", "--format", "none", "--shard", "\(i)/2"])
            #expect(r.code <= 1, "\(r.err)")
            return out + "/aggregate.json"
        }
    }

    func edited(_ c: BaseClinic, _ part: String, _ name: String, _ change: (inout [String: Any]) -> Void) throws -> String {
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
        let holder = try #require(try parts.first { p in
            ((try readJSON(URL(fileURLWithPath: p)))["facilities"] as! [[String: Any]]).contains { $0["id"] as? String == "F-X-2" }
        })
        let other = parts.first { $0 != holder }!
        let cases: [(String, (inout [String: Any]) -> Void, String)] = [
            ("dropped", { d in d["facilities"] = (d["facilities"] as! [[String: Any]]).filter { $0["id"] as? String != "F-X-2" } }, "#/totals/found"),
            ("states", { d in
                d["facilities"] = (d["facilities"] as! [[String: Any]]).map { f in
                    var f = f
                    if f["id"] as? String == "F-X-2" { f["states"] = (f["states"] as! String).replacingOccurrences(of: "F", with: "P") }
                    return f
                }
            }, "F-X-2"),
            ("norules", { d in d["rules"] = nil }, "no `rules` list"),
            ("emptyrules", { d in d["rules"] = [Any]() }, "`rules` list is empty"),
            ("nofacilities", { d in d["facilities"] = nil }, "no `facilities` list"),
        ]
        for (name, change, words) in cases {
            let bad = try edited(c, holder, name + ".json", change)
            let r = merge(c, [bad, other])
            #expect(r.code == 2 && r.err.contains("merge.bad-aggregate") && r.err.contains(name + ".json") && r.err.contains(words), "\(name): \(r.err)")
        }
    }

    @Test func partsWithNoFacilityAtAllAreRefused() throws {
        let c = BaseClinic("merge-empty")
        defer { c.remove() }
        let part = try shards(c)[0]
        let empty = try edited(c, part, "empty.json") { d in
            d["facilities"] = [Any]()
            d["shard"] = nil
            d["totals"] = ["found": 0, "evaluated": 0, "failed_to_load": 0, "with_undecided_rules": 0, "with_required_gaps": 0]
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
