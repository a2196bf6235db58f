import Foundation
import TenkenAudit
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenCLI
@testable import TenkenEval

/// Follow-ups to "no silent verdicts" found by an adversarial tester (break-12b): each a false
/// pass or a misleading result, tested as the user meets it.
@Suite struct SilentVerdictFollowUpTests {
    /// A copy of a fixture with `old` in its snapshot.json replaced by `new` (only the first
    /// time with `once`); the text must be there.
    func edited(_ fixture: String, tag: String, _ old: String, _ new: String, once: Bool = false) throws -> String {
        let dir = try copyFixture(fixture, tag: tag)
        let path = "\(dir)/snapshot.json"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let at = try #require(text.range(of: old), "\(old) in \(fixture)")
        try (once ? text.replacingCharacters(in: at, with: new) : text.replacingOccurrences(of: old, with: new))
            .write(toFile: path, atomically: true, encoding: .utf8)
        return dir
    }

    func load(_ body: String) -> (Facility?, [Diagnostic]) {
        var l = SnapshotLoader(schema: PackLoader.builtInSchema)
        let f = l.loadSnapshot(bytes: Array(("{\"schema_version\": 1, " + body + "}").utf8), path: "s.json")
        return (f, l.diagnostics)
    }

    /// F1. Two keys of one object that fold to one field (case, width, a Japanese header) are
    /// refused as a table's two columns for one field are, in whichever order; never last-wins.
    @Test(arguments: [
        ("\"left_on\": \"2026-03-31\", \"Left_On\": \"\"", "Left_On", "left_on"),
        ("\"Left_On\": \"\", \"left_on\": \"2026-03-31\"", "left_on", "Left_On"),
        ("\"退職日\": \"2026-03-31\", \"left_on\": null", "left_on", "退職日"),
        ("\"left_on\": \"2026-03-31\", \"ｌｅｆｔ＿ｏｎ\": \"  \"", "ｌｅｆｔ＿ｏｎ", "left_on"),
    ])
    func aFieldGivenTwiceUnderTwoSpellingsIsAnError(_ keys: String, _ second: String, _ first: String) throws {
        let (_, d) = load("\"staff\": [{\"id\": \"S-1\", \"role\": \"clerk\", \(keys)}]")
        let dup = try #require(d.first { $0.id == "data.duplicate-key" }, "\(d)")
        #expect(dup.severity == .error)
        #expect(dup.message.contains("`\(second)` repeats `\(first)`") && dup.message.contains("`left_on`"))
        #expect(dup.location?.line == 1 && dup.location?.path == "/staff/0/" + second)
        #expect(!dup.message.contains("2026-03-31"))
    }

    /// F1 on the command line: in a snapshot (a sound value replaced by a weak one after it) and
    /// in a JSON device inventory, exit 2 with both places, and no value shown.
    @Test func foldedDuplicateKeysAreRefusedOnTheCommandLine() throws {
        Repo.enter()
        let dir = try edited(
            "clinic-sakura", tag: "fold", "\"encryption\": \"WPA3\",",
            "\"encryption\": \"WEP\", \"Encryption\": \"WPA3\",")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(r.code == 2, "\(r.err)")
        #expect(
            r.err.contains("snapshot.json:188:") && r.err.contains("data.duplicate-key")
                && r.err.contains("`Encryption` repeats `encryption` (line 188"))
        #expect(!r.err.contains("WEP") && !r.err.contains("WPA3"))

        // The snapshot as given, and the inventory as JSON with one field twice.
        try Data(contentsOf: URL(fileURLWithPath: "Fixtures/clinic-sakura/snapshot.json")).write(
            to: URL(fileURLWithPath: "\(dir)/snapshot.json"))
        try FileManager.default.removeItem(atPath: "\(dir)/devices.csv")
        try """
        {"devices": [{"id": "PC-01", "kind": "pc", "screen_lock_minutes": 60, "Screen_Lock_Minutes": 5}]}
        """.write(toFile: "\(dir)/devices.json", atomically: true, encoding: .utf8)
        let j = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(j.code == 2)
        #expect(
            j.err.contains("devices.json:1:") && j.err.contains("`Screen_Lock_Minutes` repeats `screen_lock_minutes`"))

        // Two spellings of one section are refused the same way.
        let (_, d) = load("\"staff\": [], \"Staff\": []")
        #expect(d.contains { $0.id == "data.duplicate-key" && $0.message.contains("`Staff` repeats `staff`") })
    }
}

extension SilentVerdictFollowUpTests {
    /// F13. `convert` never writes an unknown field as a blank whose meaning decides a rule:
    /// JSON → tables with `left_on` shadowed by an ignored key, and tables → JSON with the
    /// `left_on` column headed another way, both exit 2 with nothing written.
    @Test func convertRefusesToTurnUnknownIntoABlankWithAMeaning() throws {
        Repo.enter()
        let json = try edited(
            "messy-tsubaki", tag: "conv", "\"left_on\": \"2026-03-31\"", "\"retired_on\": \"2026-03-31\"")
        defer { try? FileManager.default.removeItem(atPath: json) }
        let out = NSTemporaryDirectory() + "tenken-conv-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = runCLI(["convert", json, "--to", "csv", out])
        #expect(r.code == 2, "\(r.err)")
        #expect(
            r.err.contains("data.unknown-not-writable") && r.err.contains("`left_on`")
                && r.err.contains("still employed"))
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(!r.err.contains("2026-03-31"))

        let tables = try copyFixture("clinic-kaede", tag: "conv")
        defer { try? FileManager.default.removeItem(atPath: tables) }
        let staff = try String(contentsOfFile: "\(tables)/staff.csv", encoding: .utf8)
        try staff.replacingOccurrences(of: "S-006,clerk,2024-04-01,,", with: "S-006,clerk,2024-04-01,2026-03-31,")
            .replacingOccurrences(of: "hired_on,left_on,", with: "hired_on,退職年月日,")
            .write(toFile: "\(tables)/staff.csv", atomically: true, encoding: .utf8)
        let j = runCLI(["convert", tables, "--to", "json", out + ".json"])
        defer { try? FileManager.default.removeItem(atPath: out + ".json") }
        #expect(j.code == 2, "\(j.err)")
        #expect(j.err.contains("data.unknown-not-writable") && j.err.contains("staff.csv"))
        #expect(!FileManager.default.fileExists(atPath: out + ".json"))
    }
}

extension SilentVerdictFollowUpTests {
    /// F14. A kind of facility and its beds that cannot both be true (医療法 第1条の5) are a
    /// located contradiction, not a clinic that escapes the hospital items.
    @Test(arguments: [
        ("clinic", 200, true), ("clinic", 19, false), ("dental-clinic", 20, true), ("hospital", 10, true),
        ("hospital", 20, false), ("pharmacy", 2, true), ("visiting-nurse", 0, false), ("care", 80, false),
        ("clinic", -1, true),
    ])
    func kindAndBedsThatContradictAreADataError(_ kind: String, _ beds: Int, _ contradicts: Bool) throws {
        let (f, loaded) = load("\"facility\": {\"id\": \"F\", \"kind\": \"\(kind)\", \"beds\": \(beds)}")
        let d = loaded + Consistency.check(try #require(f), asOf: Day(iso: "2026-11-01")!)
        let c = d.first { $0.id == "data.contradiction" }
        #expect((c != nil) == contradicts, "\(d)")
        if let c {
            #expect(c.severity == .error && c.location?.path == "/facility/beds" && c.message.contains("`\(kind)`"))
        }
    }

    @Test func aClinicWithTwoHundredBedsStopsTheRun() throws {
        Repo.enter()
        let dir = try edited("hospital-aoba", tag: "beds", "\"kind\": \"hospital\"", "\"kind\": \"clinic\"")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(r.code == 2)
        #expect(r.err.contains("snapshot.json:7:") && r.err.contains("data.contradiction") && r.err.contains("医療法"))
    }
}

extension SilentVerdictFollowUpTests {
    /// A copy of the MCS pack to damage.
    func packCopy() throws -> String {
        let dir = NSTemporaryDirectory() + "tenken-pack-\(UUID().uuidString)"
        try FileManager.default.copyItem(atPath: "Rules/mcs", toPath: dir)
        return dir
    }

    /// F2. A pack with one rule file deleted, while another rule still implements the same
    /// item, is not "83/83 implemented": the catalog names every item's rules, so lint, test
    /// and check exit 2, whether or not the rule's test file is kept. An extra rule the catalog
    /// does not name is refused the same way.
    @Test func aPackWithARuleDeletedOrAddedIsAnError() throws {
        Repo.enter()
        let pack = try packCopy()
        defer { try? FileManager.default.removeItem(atPath: pack) }
        try FileManager.default.removeItem(atPath: "\(pack)/rules/wifi-encrypted.tenken")
        for args in [
            ["lint", "--rules", pack], ["test", "--rules", pack],
            ["check", "Fixtures/clinic-sakura", "--rules", pack, "--as-of", "2026-11-01"],
        ] {
            let r = runCLI(args)
            #expect(r.code == 2, "\(args[0]): \(r.code)")
            #expect(
                r.err.contains("check.missing-rule") && r.err.contains("T-REQ-03")
                    && r.err.contains("`wifi-encrypted`"), "\(args[0])")
        }
        try FileManager.default.removeItem(atPath: "\(pack)/tests/wifi-encrypted.test.json")
        #expect(runCLI(["test", "--rules", pack]).code == 2)

        try FileManager.default.copyItem(
            atPath: "Rules/mcs/rules/wifi-encrypted.tenken", toPath: "\(pack)/rules/wifi-encrypted.tenken")
        try String(contentsOfFile: "Rules/mcs/rules/wifi-encrypted.tenken", encoding: .utf8)
            .replacingOccurrences(of: "rule wifi-encrypted {", with: "rule wifi-encrypted-too {")
            .write(toFile: "\(pack)/rules/extra.tenken", atomically: true, encoding: .utf8)
        let extra = runCLI(["lint", "--rules", pack])
        #expect(extra.code == 2 && extra.err.contains("check.undeclared-rule") && extra.err.contains("extra.tenken:"))
    }
}

extension SilentVerdictFollowUpTests {
    /// F4. A justification or a "not applicable" reason must say something: the words a cell
    /// is filled with (in any punctuation or case), a word said twice, one letter repeated or
    /// too few letters are no reason. `Statement.saysNothing` decides for waivers and
    /// attestations alike.
    @Test(arguments: [
        "x", "あ", "test", "N/A.", "n/a", "N / A", "該当なし", "該当なし。", "同上", "see above", "理由", "なし なし",
        "asdf", "xxx", "ああああ", "TBD!", "対象外", "〃", "...", "12/3", "ok",
    ])
    func fillerSaysNothing(_ text: String) {
        #expect(Statement.saysNothing(text), "\(text)")
    }

    @Test(arguments: [
        "Wi-Fiなし", "No Wi-Fi", "未導入", "院内にWi-Fiはありません", "no Wi-Fi at the facility",
        "the WEP access point is replaced on 2026-12-10", "訪問看護のみ", "共用端末なし",
    ])
    func aReasonSaysSomething(_ text: String) {
        #expect(!Statement.saysNothing(text), "\(text)")
    }

    /// F4 on the command line: the tester's waiver with `N/A.` and the others that got
    /// through stop the run (exit 2), as `なし` does.
    @Test(arguments: ["x", "N/A.", "該当なし", "同上", "test"])
    func fillerWaiverIsRefused(_ why: String) throws {
        Repo.enter()
        let dir = try edited("clinic-sakura", tag: "filler", "\"encryption\": \"WPA3\"", "\"encryption\": \"WEP\"")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let waivers = "\(dir)/waivers.json"
        try """
        {"waivers": [{"rule": "wifi-encrypted", "facility": "F-CL-0001", "justification": "\(why)", "requested_by": "S-001", "approved_by": "S-002", "granted_on": "2026-10-01", "expires_on": "2027-01-15"}]}
        """.write(toFile: waivers, atomically: true, encoding: .utf8)
        let r = runCLI(["check", dir, "--as-of", "2026-11-01", "--waivers", waivers])
        #expect(r.code == 2 && r.err.contains("waiver.no-justification"), "\(why): \(r.code)")
    }
}

extension SilentVerdictFollowUpTests {
    /// F6. The same `--param` twice is a usage error (exit 64), not the last one silently, in
    /// every command that takes it.
    @Test func aRepeatedParamIsAUsageError() throws {
        Repo.enter()
        for cmd in [
            ["check", "Fixtures/clinic-sakura"], ["explain", "leaver-accounts-deleted", "Fixtures/clinic-sakura"],
        ] {
            let r = runCLI(
                cmd + ["--as-of", "2026-11-01", "--param", "leaver.grace=7 days", "--param", "Leaver.Grace=100 years"])
            #expect(r.code == 64 && r.err.contains("given twice"), "\(cmd[0]): \(r.code) \(r.err)")
        }
    }
}

extension SilentVerdictFollowUpTests {
    /// F7. An attestation for an item no rule asks for (a typo) is a located warning with
    /// "did you mean", in the terminal and in the report, not silently ignored.
    @Test func anAttestationForAnUnknownItemIsNamed() throws {
        Repo.enter()
        let dir = try edited(
            "clinic-sakura", tag: "orphan", "\"item\": \"no-written-credentials\"",
            "\"item\": \"no-written-credential\"", once: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = runCLI(["check", dir, "--as-of", "2026-11-01", "--format", "json"])
        #expect(
            r.err.contains("attestation.unknown-item") && r.err.contains("#/attestations/0/item")
                && r.err.contains("did you mean `no-written-credentials`?"))
        #expect(!r.err.contains("no-written-credential`,") && r.out.contains("attestation.unknown-item"))
        // The fixture as given has no such warning.
        #expect(!runCLI(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01"]).err.contains("unknown-item"))
    }
}

extension SilentVerdictFollowUpTests {
    /// F8. In SARIF an undecided required rule is an `error` as its failure would be, and a run
    /// with a rule undecided is not `executionSuccessful`; a decided run still is.
    @Test func sarifDoesNotPassAnUndecidedRequiredRule() throws {
        Repo.enter()
        let dir = try copyFixture("messy-tsubaki", tag: "sarif")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = "\(dir)/snapshot.json"
        var doc = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: path))) as? [String: Any])
        var groups = try #require(doc["groups"] as? [[String: Any]])
        for i in groups.indices { groups[i]["members"] = nil }
        doc["groups"] = groups
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: path))
        let r = runCLI(["check", dir, "--as-of", "2026-11-01", "--format", "sarif"])
        #expect(r.code == 2)
        let log = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let run = try #require((log["runs"] as? [[String: Any]])?.first)
        let invocation = try #require((run["invocations"] as? [[String: Any]])?.first)
        #expect(invocation["executionSuccessful"] as? Bool == false)
        let notes = invocation["toolExecutionNotifications"] as? [[String: Any]] ?? []
        #expect(
            notes.contains {
                $0["level"] as? String == "error"
                    && (($0["message"] as? [String: Any])?["text"] as? String ?? "").contains(
                        "leavers-removed-from-groups")
            })
        let results = try #require(run["results"] as? [[String: Any]])
        let undecided = results.filter { $0["ruleId"] as? String == "leavers-removed-from-groups" }
        #expect(!undecided.isEmpty && undecided.allSatisfy { $0["level"] as? String == "error" })

        let ok = runCLI(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--format", "sarif"])
        let okRun = try #require(
            ((try JSONSerialization.jsonObject(with: Data(ok.out.utf8)) as? [String: Any])?["run" + "s"]
                as? [[String: Any]])?
                .first)
        #expect(((okRun["invocations"] as? [[String: Any]])?.first?["executionSuccessful"] as? Bool) == true)
    }
}
