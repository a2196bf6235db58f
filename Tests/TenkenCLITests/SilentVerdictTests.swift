import Foundation
import TenkenAudit
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenCLI

/// No silent verdicts: each case an auditor found (issue "no silent verdicts"), as the user
/// meets it on the command line. The engine, loaders and exit codes are tested for the whole
/// kind elsewhere (ThreeValuedLogicTests, AbsencePropertyTests, the malformed-input corpus).
@Suite struct SilentVerdictTests {
    /// A copy of a fixture folder to damage.
    func copy(_ fixture: String) throws -> String { try copyFixture(fixture, tag: "silent") }

    /// A copy of messy-tsubaki whose patient groups have no `members` key.
    func messyWithoutMembers() throws -> String {
        let dir = try copy("messy-tsubaki")
        do {
            var doc = try #require(
                try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/snapshot.json")))
                    as? [String: Any])
            var groups = try #require(doc["groups"] as? [[String: Any]])
            for i in groups.indices { groups[i]["members"] = nil }
            doc["groups"] = groups
            try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: "\(dir)/snapshot.json"))
            return dir
        } catch {
            try? FileManager.default.removeItem(atPath: dir)
            throw error
        }
    }

    /// The states of a run's JSON report, by rule.
    func states(_ args: [String]) throws -> (code: Int32, states: [String: String], err: String) {
        let r = runCLI(args + ["--as-of", "2026-11-01", "--format", "json"])
        guard !r.out.isEmpty else { return (r.code, [:], r.err) }
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let results = try #require(doc["results"] as? [[String: Any]])
        return (
            r.code, Dictionary(uniqueKeysWithValues: results.map { ($0["rule"] as! String, $0["state"] as! String) }),
            r.err
        )
    }

    static let memberRules = [
        "invitations-approved", "leavers-removed-from-groups", "left-care-members-removed",
        "partial-refusals-respected",
    ]

    /// 1. A group with no `members` key, or tables without group_members.csv: not "none".
    @Test func absentMembersAreNotNone() throws {
        Repo.enter()
        let dir = try messyWithoutMembers()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let (code, s, _) = try states(["check", dir])
        #expect(code == 2)
        for rule in Self.memberRules { #expect(s[rule] != "pass", "\(rule): \(s[rule] ?? "-")") }
        #expect(s["leavers-removed-from-groups"] == "unknown" && s["left-care-members-removed"] == "unknown")

        let tables = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: tables) }
        try FileManager.default.removeItem(atPath: "\(tables)/group_members.csv")
        try FileManager.default.removeItem(atPath: "\(tables)/invitations.csv")
        // With a leaver on the roster, whether she is still in a group matters.
        try String(contentsOfFile: "\(tables)/staff.csv", encoding: .utf8)
            .replacingOccurrences(of: "S-006,clerk,2024-04-01,,", with: "S-006,clerk,2024-04-01,2026-01-31,")
            .write(toFile: "\(tables)/staff.csv", atomically: true, encoding: .utf8)
        let (tcode, ts, terr) = try states(["check", tables])
        #expect(tcode == 2 && terr.contains("group_members.csv"))
        for rule in Self.memberRules { #expect(ts[rule] != "pass", "\(rule): \(ts[rule] ?? "-")") }
    }

    /// 1b. Either table of a pair missing on its own: the lists stay unknown.
    @Test func invitationsWithoutMembersOrMembersWithoutInvitations() throws {
        let noMembers = try copy("dental-tsukushi")
        defer { try? FileManager.default.removeItem(atPath: noMembers) }
        try FileManager.default.removeItem(atPath: "\(noMembers)/グループメンバー.csv")
        let (code, s, err) = try states(["check", noMembers])
        #expect(code == 2 && err.contains("data.missing-table"))
        for rule in Self.memberRules { #expect(s[rule] != "pass", "\(rule): \(s[rule] ?? "-")") }

        let noInvitations = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: noInvitations) }
        try FileManager.default.removeItem(atPath: "\(noInvitations)/invitations.csv")
        let (_, s2, _) = try states(["check", noInvitations])
        #expect(s2["invitations-approved"] == "unknown", "\(s2["invitations-approved"] ?? "-")")
    }

    /// 1c. A column left out is unknown in every row, whatever a blank cell would mean.
    @Test func aMissingColumnIsUnknownNotNone() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Make S-006 a leaver with an active account, then drop the 退職日 / left_on column.
        let staff = try String(contentsOfFile: "\(dir)/staff.csv", encoding: .utf8)
            .replacingOccurrences(of: "S-006,clerk,2024-04-01,,", with: "S-006,clerk,2024-04-01,2026-01-31,")
        let lines = staff.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let dropped = lines.map { line -> String in
            var cells = line.split(separator: ",", omittingEmptySubsequences: false)
            cells.remove(at: 3)
            return cells.joined(separator: ",")
        }
        try (dropped.joined(separator: "\r\n") + "\r\n").write(
            toFile: "\(dir)/staff.csv", atomically: true, encoding: .utf8)
        let (code, s, err) = try states(["check", dir])
        #expect(code == 2 && err.contains("data.missing-column") && err.contains("left_on"), "\(err)")
        #expect(s["leaver-accounts-deleted"] == "unknown", "\(s["leaver-accounts-deleted"] ?? "-")")
    }

    /// 1d. JSON: an empty string is a blank; `Left_On` is `left_on`; a misspelt key that would
    /// leave a documented meaning in place is refused.
    @Test func jsonKeysAndBlanksAreReadAsAPersonWould() throws {
        func load(_ body: String) -> (Facility?, [Diagnostic]) {
            var l = SnapshotLoader(schema: PackLoader.builtInSchema)
            let f = l.loadSnapshot(bytes: Array(("{\"schema_version\": 1, " + body + "}").utf8), path: "s.json")
            return (f, l.diagnostics)
        }
        let (f, d) = load("\"staff\": [{\"id\": \"S-1\", \"Left_On \": \"2026-01-31\", \"hired_on\": \"  \"}]")
        #expect(d.isEmpty, "\(d)")
        guard case .list(let staff)? = f?[root: "staff"], case .record(let s)? = staff.first else {
            Issue.record("no staff"); return
        }
        #expect(s["left_on"] == .date(Day(iso: "2026-01-31")!))
        #expect(s["hired_on"].isNull)
        let (_, d2) = load("\"staff\": [{\"id\": \"S-1\", \"left\": \"2026-01-31\"}]")
        #expect(d2.contains { $0.id == "data.unknown-field" && $0.severity == .error })
    }

    /// 2. Left before hired is a contradiction, not a 2023 leaver.
    @Test func leftBeforeHiredIsADataError() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // S-003 (line 4): hired 2023-04-01, "left" the day before.
        let csv = try String(contentsOfFile: "\(dir)/staff.csv", encoding: .utf8)
            .replacingOccurrences(of: "S-003,nurse,2021-04-01,,", with: "S-003,nurse,2023-04-01,2023-03-31,")
        try csv.write(toFile: "\(dir)/staff.csv", atomically: true, encoding: .utf8)
        let r = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(r.code == 2 && r.out.isEmpty)
        #expect(
            r.err.contains("error[data.contradiction]") && r.err.contains("staff.csv:4:") && r.err.contains("[left_on]")
        )
    }

    /// 3. `S-006` with a full-width or no-break space after it is `S-006`.
    @Test(arguments: ["\u{3000}", "\u{00A0}", " \u{2003}"])
    func invisibleSpacesDoNotBreakAJoin(_ space: String) throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // Staff S-006 left in January; her account's owner id gets an invisible space after it.
        let staff = try String(contentsOfFile: "\(dir)/staff.csv", encoding: .utf8)
        try staff.replacingOccurrences(of: "S-006,clerk,2024-04-01,,", with: "S-006,clerk,2024-04-01,2026-01-31,")
            .write(toFile: "\(dir)/staff.csv", atomically: true, encoding: .utf8)
        let accounts = try String(contentsOfFile: "\(dir)/accounts.csv", encoding: .utf8)
        try accounts.replacingOccurrences(of: "A-006,S-006,active,", with: "A-006,S-006\(space),active,")
            .write(toFile: "\(dir)/accounts.csv", atomically: true, encoding: .utf8)
        let after = try states(["check", dir])
        #expect(after.states["leaver-accounts-deleted"] == "fail", "\(after.err)")
    }

    /// 4. A table saved with `;` between columns is one error at its first cell.
    @Test func semicolonSeparatedTableIsAnError() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = try String(contentsOfFile: "\(dir)/devices.csv", encoding: .utf8).replacingOccurrences(
            of: ",", with: ";")
        try csv.write(toFile: "\(dir)/devices.csv", atomically: true, encoding: .utf8)
        let r = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(r.code == 2 && r.out.isEmpty)
        #expect(r.err.contains("devices.csv:1:1: error[data.wrong-separator]"))
        #expect(!r.err.contains("unknown-column"))
    }

    /// 5. A pack with no rules, or an item no rule implements, is an error everywhere.
    @Test func emptyAndPartialPacksAreErrors() throws {
        let pack = tempDir("pack").path
        defer { try? FileManager.default.removeItem(atPath: pack) }
        try FileManager.default.createDirectory(atPath: "\(pack)/rules", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: "Rules/mcs/pack.tenken", toPath: "\(pack)/pack.tenken")
        try FileManager.default.copyItem(atPath: "Rules/mcs/catalog.tsv", toPath: "\(pack)/catalog.tsv")
        for cmd in [
            ["lint", "--rules", pack], ["check", "Fixtures/clinic-sakura", "--rules", pack, "--as-of", "2026-11-01"],
            ["test", "--rules", pack],
        ] {
            let r = runCLI(cmd)
            #expect(r.code == 2, "\(cmd): \(r.code)")
            #expect(r.err.contains("check.no-rules"), "\(cmd): \(r.err)")
        }
        // One rule file deleted: its item is named, not silently dropped.
        for f in try FileManager.default.contentsOfDirectory(atPath: "Rules/mcs/rules") where f != "screen-lock.tenken"
        {
            try FileManager.default.copyItem(atPath: "Rules/mcs/rules/\(f)", toPath: "\(pack)/rules/\(f)")
        }
        let partial = runCLI(["lint", "--rules", pack])
        #expect(
            partial.code == 2 && partial.err.contains("check.unimplemented-item") && partial.err.contains("T-REQ-01"))
        let batchDir = tempDir("partial-batch").path
        defer { try? FileManager.default.removeItem(atPath: batchDir) }
        let b = runCLI(["batch", "Fixtures/clinic-sakura", "--rules", pack, "--output-dir", batchDir])
        #expect(b.code == 2 && b.err.contains("T-REQ-01"))
        // Declared out of scope, with a reason: accepted, and every report says so.
        var manifest = try String(contentsOfFile: "\(pack)/pack.tenken", encoding: .utf8)
        manifest = manifest.replacingOccurrences(
            of: "  source ",
            with:
                "  out_of_scope T-REQ-01\n    because \"no device ever left unattended in this deployment\"\n  source ")
        try manifest.write(toFile: "\(pack)/pack.tenken", atomically: true, encoding: .utf8)
        #expect(runCLI(["lint", "--rules", pack]).code == 0)
        for format in ["text", "json", "html", "junit", "sarif", "csv", "xccdf"] {
            let r = runCLI([
                "check", "Fixtures/clinic-sakura", "--rules", pack, "--as-of", "2026-11-01", "--format", format,
                "--lang", "en",
            ])
            #expect(r.out.contains("T-REQ-01") && r.out.contains("no device ever left unattended"), "\(format)")
        }
    }

    /// 6. A batch in which a facility has rules in `error` is not green.
    @Test func batchIsNotGreenWhenRulesCouldNotBeEvaluated() throws {
        let root = tempDir("batch-errors").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let member = "\(root)/in/kaede"
        try FileManager.default.createDirectory(atPath: "\(root)/in", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: try copy("clinic-kaede"), toPath: member)
        try FileManager.default.removeItem(atPath: "\(member)/devices.csv")
        #expect(runCLI(["check", member, "--as-of", "2026-11-01"]).code == 2)
        let r = runCLI([
            "batch", "\(root)/in", "--output-dir", "\(root)/out", "--as-of", "2026-11-01", "--format", "none",
        ])
        #expect(r.code == 2)
        #expect(r.err.contains("未決定の規則あり（判定不能・エラー） 1"), "\(r.err)")
        let merged = runCLI(["merge", "\(root)/out/aggregate.json", "--output-dir", "\(root)/merged"])
        #expect(merged.code == 2)
    }

    /// 6b. Nothing to check, a damaged aggregate, or shards missing: never green.
    @Test func incompleteBatchesAndMergesAreNotGreen() throws {
        let root = tempDir("incomplete").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        try FileManager.default.createDirectory(atPath: "\(root)/empty", withIntermediateDirectories: true)
        #expect(runCLI(["batch", "\(root)/empty", "--output-dir", "\(root)/o"]).code == 2)
        // Three of four shards.
        try FileManager.default.createDirectory(atPath: "\(root)/in", withIntermediateDirectories: true)
        for f in ["clinic-sakura", "pharmacy-midori", "hospital-aoba", "clinic-kaede"] {
            try FileManager.default.copyItem(atPath: try copy(f), toPath: "\(root)/in/\(f)")
        }
        var parts: [String] = []
        for i in 1...4 {
            _ = runCLI([
                "batch", "\(root)/in", "--shard", "\(i)/4", "--output-dir", "\(root)/s\(i)", "--as-of", "2026-11-01",
                "--format", "none",
            ])
            parts.append("\(root)/s\(i)/aggregate.json")
        }
        let three = runCLI(["merge"] + parts.dropLast() + ["--output-dir", "\(root)/m3"])
        #expect(three.code == 2 && three.err.contains("4/4"), "\(three.err)")
        let twice = runCLI(["merge"] + parts + [parts[0], "--output-dir", "\(root)/m5"])
        #expect(twice.code == 2)
        #expect(runCLI(["merge"] + parts + ["--output-dir", "\(root)/m4"]).code != 2)
        // A facility with fewer results than rules.
        let text = try String(contentsOfFile: parts[0], encoding: .utf8)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
        var fs = try #require(doc["facilities"] as? [[String: Any]])
        if let i = fs.firstIndex(where: { $0["status"] as? String == "evaluated" }) { fs[i]["states"] = "PP" }
        var doc2 = doc
        doc2["facilities"] = fs
        try JSONSerialization.data(withJSONObject: doc2).write(to: URL(fileURLWithPath: "\(root)/short.json"))
        #expect(runCLI(["merge", "\(root)/short.json", "--output-dir", "\(root)/ms"]).code == 2)
    }

    /// 7b. A baseline forgives known failures, never an item still waiting for a person.
    @Test func baselinesDoNotTurnOffTheManualGate() throws {
        let dir = try copy("clinic-sakura")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let base = "\(dir)/baseline.json"
        _ = runCLI(["check", dir, "--as-of", "2026-11-01", "--format", "json", "--output", base])
        var doc = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/snapshot.json")))
                as? [String: Any])
        var atts = try #require(doc["attestations"] as? [[String: Any]])
        atts.removeFirst()
        doc["attestations"] = atts
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: "\(dir)/snapshot.json"))
        #expect(runCLI(["check", dir, "--as-of", "2026-11-01", "--fail-on", "strict", "--baseline", base]).code == 1)
        #expect(runCLI(["check", dir, "--as-of", "2026-11-01", "--baseline", base]).code == 0)
    }

    /// 7. `--fail-on required,manual` (or `strict`) makes an unattested required item gate.
    @Test func manualCanGate() throws {
        let dir = try copy("clinic-sakura")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var doc = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(dir)/snapshot.json")))
                as? [String: Any])
        var atts = try #require(doc["attestations"] as? [[String: Any]])
        atts.removeFirst()
        doc["attestations"] = atts
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: "\(dir)/snapshot.json"))
        let base = ["check", dir, "--as-of", "2026-11-01"]
        #expect(runCLI(base).code == 0, "manual alone does not gate by default")
        #expect(runCLI(base + ["--fail-on", "required,manual"]).code == 1)
        #expect(runCLI(base + ["--fail-on", "strict"]).code == 1)
        #expect(runCLI(base + ["--fail-on", "never,manual"]).code == 64)
        #expect(runCLI(base + ["--fail-on", "bogus"]).code == 64)
    }

    /// XCCDF's flat score counts an undecided rule (`unknown`, `error`) towards its maximum, as
    /// the flat model leaves out only notapplicable and notchecked: an undecided audit never
    /// shows full marks in a SCAP dashboard (break 12, minor).
    @Test func xccdfScoreCountsUndecidedRules() throws {
        Repo.enter()
        let dir = try messyWithoutMembers()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = runCLI(["check", dir, "--as-of", "2026-11-01", "--format", "xccdf"])
        #expect(r.code == 2)
        func count(_ result: String) -> Int { r.out.components(separatedBy: "<result>\(result)</result>").count - 1 }
        #expect(count("unknown") > 0)
        let scored = count("pass") + count("fail") + count("error") + count("unknown")
        let score = try #require(
            r.out.range(of: #"<score[^>]*maximum="(\d+)"[^>]*>(\d+)</score>"#, options: .regularExpression).map {
                String(r.out[$0])
            })
        #expect(score.contains("maximum=\"\(scored)\"") && score.hasSuffix(">\(count("pass"))</score>"), "\(score)")
    }
}
