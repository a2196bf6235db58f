import Foundation
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenEval
import Testing

@testable import TenkenAudit
@testable import TenkenCLI

/// Facilities kept as spreadsheet tables: reading, converting both ways, `init`, and the
/// places findings name.
@Suite struct TableTests {
    static let jsonFixtures = [
        "clinic-sakura", "hospital-aoba", "visiting-nurse-hikari", "pharmacy-midori", "messy-tsubaki",
    ]
    static let tableFixtures = ["clinic-kaede", "dental-tsukushi"]

    func temp(_ name: String) -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-\(name)-\(UUID().uuidString)")
            .path
        return dir
    }

    func files(_ dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for n in try FileManager.default.contentsOfDirectory(atPath: dir) where n.hasSuffix(".csv") {
            out[n] = try Data(contentsOf: URL(fileURLWithPath: (dir as NSString).appendingPathComponent(n)))
        }
        return out
    }

    /// JSON → tables → JSON gives the same snapshot, and the same report results.
    @Test(arguments: jsonFixtures)
    func jsonToTablesAndBackIsIdentity(_ fixture: String) throws {
        let dir = temp(fixture)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let direct = runCLI(["convert", "Fixtures/\(fixture)", "--to", "json"])
        #expect(direct.code == 0, "\(direct.err)")
        let toTables = runCLI(["convert", "Fixtures/\(fixture)", "--to", "csv", dir])
        #expect(toTables.code == 0, "\(toTables.err)")
        let back = runCLI(["convert", dir, "--to", "json"])
        #expect(back.code == 0, "\(back.err)")
        #expect(back.out == direct.out)
        // Both forms give the same verdicts and the same number of findings per rule.
        func verdicts(_ input: String) throws -> [String] {
            let (_, out, _) = runCLI(["check", input, "--as-of", "2026-11-01", "--format", "json"])
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
            let results = try #require(doc["results"] as? [[String: Any]])
            return results.map { "\($0["rule"]!) \($0["state"]!) \(($0["violations"] as? [Any])?.count ?? 0)" }
        }
        #expect(try verdicts("Fixtures/\(fixture)") == verdicts(dir))
    }

    /// Tables → JSON → tables gives the same files, byte for byte, in either encoding.
    @Test(arguments: tableFixtures)
    func tablesToJSONAndBackIsIdentity(_ fixture: String) throws {
        let json = temp(fixture) + ".json", dir = temp(fixture)
        defer { try? FileManager.default.removeItem(atPath: json); try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["convert", "Fixtures/\(fixture)", "--to", "json", json]).code == 0)
        let sjis = fixture == "dental-tsukushi"
        let r = runCLI(
            ["convert", json, "--to", "csv", dir] + (sjis ? ["--table-encoding", "shift_jis"] : ["--lang", "en"]))
        #expect(r.code == 0, "\(r.err)")
        let original = try files("Fixtures/\(fixture)")
        var written = try files(dir)
        if sjis {
            // The fixture keeps Japanese file names; convert writes English ones.
            written = Dictionary(
                uniqueKeysWithValues: written.map { name, data in
                    (
                        PackLoader.builtInSchema.tables.first { $0.fileName == name }.map { $0.nameJa + ".csv" }
                            ?? name, data
                    )
                })
        }
        #expect(Set(written.keys) == Set(original.keys))
        for (name, data) in original { #expect(written[name] == data, "\(name) differs after the round trip") }
    }

    @Test func shiftJISFixtureIsShiftJISWithJapaneseHeaders() throws {
        let bytes = [UInt8](try Data(contentsOf: Repo.root.appendingPathComponent("Fixtures/dental-tsukushi/職員.csv")))
        #expect(String(validating: bytes, as: UTF8.self) == nil, "the fixture must stay Shift_JIS")
        let text = try #require(String(data: Data(bytes), encoding: .shiftJIS))
        #expect(text.hasPrefix("職員ID,職種,入職日"))
    }

    @Test func findingsNameTheFileRowAndColumn() {
        let en = runCLI(["check", "Fixtures/clinic-kaede", "--as-of", "2026-11-01", "--lang", "en"])
        #expect(en.code == 1)
        // Each value is named by its column's header, as the table has it; a blank says what it means.
        #expect(
            en.out.contains(
                "pledge_signed_on = (blank: the pledge has not been signed)  (Fixtures/clinic-kaede/staff.csv:5:36 "
                    + "[pledge_signed_on])"
            ), "\(en.out)")
        #expect(
            en.out.contains(
                "approved_by = (blank: not approved)  (Fixtures/clinic-kaede/invitations.csv:4:26 [approved_by])"))
        let ja = runCLI(["check", "Fixtures/dental-tsukushi", "--as-of", "2026-11-01"])
        #expect(ja.out.contains("退職日 = 2026-06-30  (Fixtures/dental-tsukushi/職員.csv:6:23 [退職日])"))
        // A choice reads as the Japanese table writes it.
        #expect(ja.out.contains("状態 = 有効  (Fixtures/dental-tsukushi/アカウント.csv:6:13 [状態])"))
        #expect(ja.out.contains("(Fixtures/dental-tsukushi/確認.csv:2:39 [回答日])"), "\(ja.out)")
        #expect(ja.err.contains("note[data.encoding-detected]: 16 tables are not UTF-8"))
    }

    /// A table may be missing when the rules that need it do not apply; otherwise the report
    /// names the table the rule needed.
    @Test func missingTablesAreNamed() throws {
        let dir = temp("missing")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["convert", "Fixtures/clinic-sakura", "--to", "csv", dir]).code == 0)
        // clinic-kaede has no networks.csv and no Wi-Fi: nothing needs it.
        let kaede = runCLI(["check", "Fixtures/clinic-kaede", "--as-of", "2026-11-01", "--format", "json"])
        #expect(!kaede.out.contains("\"state\": \"error\""))
        try FileManager.default.removeItem(atPath: dir + "/networks.csv")
        let r = runCLI(["check", dir, "--as-of", "2026-11-01", "--lang", "en"])
        #expect(r.code == 2)
        #expect(r.out.contains("this rule needs the table networks.csv, which the folder does not have"))
        let ja = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(ja.out.contains("この規則に必要な表 networks.csv がフォルダにありません"))
        try FileManager.default.removeItem(atPath: dir + "/group_members.csv")
        try FileManager.default.removeItem(atPath: dir + "/invitations.csv")
        let w = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(w.err.contains("warning[data.missing-table]: groups.csv has 8 rows but there is no group_members.csv"))
    }

    /// A member with no invitation row: the finding about its approval names the table to add
    /// it to, not a column the members' table does not have.
    @Test func aFieldOfTheOtherTableNamesThatTable() throws {
        let dir = temp("elsewhere")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["convert", "Fixtures/clinic-kaede", "--to", "csv", dir]).code == 0)
        let path = dir + "/invitations.csv"
        let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
        try Data(text.components(separatedBy: "\r\n").filter { !$0.contains("X-PH-17") }.joined(separator: "\r\n").utf8)
            .write(to: URL(fileURLWithPath: path))
        let r = runCLI(["check", dir, "--as-of", "2026-11-01"])
        // The member's row (not its first cell), and the table the invitation is missing from.
        #expect(
            r.out.contains(
                "承認者アカウントID = （空欄: 未承認）  (\(dir)/group_members.csv:4 [承認者アカウントID（invitations.csv に行がありません）])"),
            "\(r.out)")
    }

    /// The facility's own file name for the other table (`招待.csv`, not `invitations.csv`).
    @Test func theOtherTableIsNamedAsTheFacilityNamesIt() throws {
        let dir = temp("elsewhere-ja")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: "Fixtures/dental-tsukushi", toPath: dir)
        let path = dir + "/招待.csv"
        var lines = try Data(contentsOf: URL(fileURLWithPath: path)).split(
            separator: 0x0A, omittingEmptySubsequences: false)
        #expect(String(decoding: lines[3], as: UTF8.self).hasPrefix("G-001,X-PH-17,"))
        lines.remove(at: 3)
        try Data(lines.joined(separator: [0x0A])).write(to: URL(fileURLWithPath: path))
        let r = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(r.out.contains("（招待.csv に行がありません）"), "\(r.out)")
        #expect(!r.out.contains("invitations.csv"), "\(r.out)")
    }

    @Test func linkErrorsAreLocatedAndCollected() throws {
        let dir = temp("links")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["convert", "Fixtures/clinic-sakura", "--to", "csv", dir, "--lang", "en"]).code == 0)
        let members = dir + "/group_members.csv"
        var text = try String(contentsOfFile: members, encoding: .utf8)
        let columns = text.prefix { !$0.isNewline }.split(separator: ",", omittingEmptySubsequences: false).count
        text =
            text.replacingOccurrences(of: "G-002,A-001", with: "G-0002,A-001") + ",A-009"
            + String(repeating: ",", count: columns - 2) + "\r\n"
        try text.write(toFile: members, atomically: true, encoding: .utf8)
        let r = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(r.code == 2)
        #expect(
            r.err.contains(
                "group_members.csv:5:1 [group_id]: error[data.orphan-row]: `group_id` is not an id in groups.csv "
                    + "(found text of 6 characters)"
            ))
        #expect(r.err.contains("help: did you mean `G-002`?"))
        #expect(r.err.contains("error[data.missing-link]: row has no `group_id`"))
        #expect(r.err.contains("no report was written"))
    }

    @Test func japaneseAndEnglishFileNamesButNotBoth() throws {
        let dir = temp("names")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["convert", "Fixtures/clinic-sakura", "--to", "csv", dir]).code == 0)
        try FileManager.default.moveItem(atPath: dir + "/staff.csv", toPath: dir + "/職員.csv")
        #expect(runCLI(["check", dir, "--as-of", "2026-11-01"]).code == 0)
        try FileManager.default.copyItem(atPath: dir + "/職員.csv", toPath: dir + "/staff.csv")
        let r = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(r.code == 2 && r.err.contains("error[data.duplicate-table]: both staff.csv and 職員.csv are present"))
    }

    @Test func profileKeysAreChecked() throws {
        let dir = temp("profile")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["convert", "Fixtures/clinic-sakura", "--to", "csv", dir, "--lang", "en"]).code == 0)
        let path = dir + "/facility.csv"
        let text =
            try String(contentsOfFile: path, encoding: .utf8)
            + "facility.uses_wfi,true,\r\nservice.admin_password,hunter2,\r\nfacility.beds,many,\r\nparameter.trainin"
            + "g.period,2 years,\r\n"
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        let r = runCLI(["check", dir, "--as-of", "2026-11-01", "--lang", "en"])
        #expect(
            r.err.contains(
                "facility.csv:21:1 [key]: warning[data.unknown-field]: a key this table does not know is ignored (it "
                    + "is not shown)"
            ))
        #expect(r.err.contains("did you mean `facility.uses_wifi`?"))
        #expect(
            r.err.contains(
                "facility.csv:22:1 [key]: error[data.forbidden-field]: the key looks like a password or secret "
                    + "(`password`)"
            ))
        #expect(!r.err.contains("hunter2") && !r.err.contains("uses_wfi") && !r.err.contains("admin_password"))
        #expect(
            r.err.contains(
                "facility.csv:23:1 [key]: error[data.duplicate-key]: key `facility.beds` appears twice (first at row 6)"
            ))
        #expect(r.code == 2)
    }

    @Test func convertRefusesToOverwriteAndReportsUnencodableText() throws {
        let dir = temp("overwrite")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["convert", "Fixtures/pharmacy-midori", "--to", "csv", dir]).code == 0)
        let again = runCLI(["convert", "Fixtures/pharmacy-midori", "--to", "csv", dir])
        #expect(again.code == 2 && again.err.contains("already exist") && again.err.contains("--force"))
        #expect(runCLI(["convert", "Fixtures/pharmacy-midori", "--to", "csv", dir, "--force"]).code == 0)
        // An emoji has no Shift_JIS code: the cell is named, nothing is written.
        let snap = dir + "/emoji.json"
        try #"{"schema_version": 1, "facility": {"id": "F-1", "name": "にこにこ🏥"}}"#.write(
            toFile: snap, atomically: true, encoding: .utf8)
        let sj = runCLI(["convert", snap, "--to", "csv", dir + "/sj", "--table-encoding", "shift_jis"])
        #expect(sj.code == 2 && sj.err.contains("sj/facility.csv:4: error[data.not-shift-jis]"))
        #expect(!FileManager.default.fileExists(atPath: dir + "/sj/facility.csv"))
        #expect(runCLI(["convert", "Fixtures/clinic-sakura", "--to", "yaml"]).code == 64)
        #expect(runCLI(["convert", "Fixtures/clinic-sakura", "--to", "csv"]).code == 64)
    }

    /// `convert` refuses what `check` refuses, in every form: load errors and the contradictions
    /// (a reference to no element, an end before its start), located, exit 2, nothing written.
    /// A date after the as-of date is refused only with `--as-of` (convert has no audit date).
    @Test func convertRefusesWhatCheckRefuses() throws {
        let dir = temp("contradictions")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let sakura = try Data(contentsOf: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/snapshot.json"))
        var doc = try #require(try JSONSerialization.jsonObject(with: sakura) as? [String: Any])
        var roles = try #require(doc["roles"] as? [[String: Any]])
        roles[0]["staff_id"] = "S-999"
        doc["roles"] = roles
        var staff = try #require(doc["staff"] as? [[String: Any]])
        staff[0]["left_on"] = "2018-03-31"
        doc["staff"] = staff
        let snap = dir + "/contradicts.json"
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: snap))
        let check = runCLI(["check", snap, "--as-of", "2026-11-01"])
        #expect(check.code == 2)
        for (to, out) in [("csv", dir + "/tables"), ("xlsx", dir + "/book.xlsx"), ("json", dir + "/copy.json")] {
            let r = runCLI(["convert", snap, "--to", to, out])
            #expect(r.code == 2, "\(to): \(r.err)")
            #expect(r.err.contains("#/roles/0/staff_id: error[data.dangling-reference]"), "\(to): \(r.err)")
            #expect(r.err.contains("#/staff/0/left_on: error[data.contradiction]"), "\(to): \(r.err)")
            #expect(r.err.contains("nothing was written"))
            #expect(!FileManager.default.fileExists(atPath: out), "\(to): nothing written")
        }
        // A pledge signed after the audit date: refused with --as-of, as check refuses it.
        staff = try #require(
            (try JSONSerialization.jsonObject(with: sakura) as? [String: Any])?["staff"] as? [[String: Any]])
        staff[0]["pledge_signed_on"] = "2026-12-24"
        doc = try #require(try JSONSerialization.jsonObject(with: sakura) as? [String: Any])
        doc["staff"] = staff
        let later = dir + "/later.json"
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: later))
        let dated = runCLI(["convert", later, "--to", "csv", dir + "/dated", "--as-of", "2026-11-01"])
        #expect(dated.code == 2 && dated.err.contains("error[data.future-date]"), "\(dated.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/dated"))
        let undated = runCLI(["convert", later, "--to", "csv", dir + "/undated"])
        #expect(undated.code == 0, "\(undated.err)")
    }

    /// An id is folded as it is read (`Ｓ－００３` is `S-003`), so what convert writes is the
    /// folded form, not the text typed: convert says so at each place, a note, up to 20.
    @Test func convertSaysWhereAnIdIsWrittenFolded() throws {
        let dir = temp("folded")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let text = try String(
            contentsOf: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/snapshot.json"), encoding: .utf8)
        let snap = dir + "/wide.json"
        try text.replacingOccurrences(of: "\"S-003\"", with: "\"Ｓ－００３\"").write(
            toFile: snap, atomically: true, encoding: .utf8)
        let r = runCLI(["convert", snap, "--to", "csv", dir + "/t"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.err.contains("#/staff/2/id: note[data.id-folded]"), "\(r.err)")
        #expect(r.err.contains("#/accounts/2/staff_id: note[data.id-folded]"), "\(r.err)")
        #expect(!r.err.contains("Ｓ－００３"), "the note names the place, not the value")
        #expect(try String(contentsOfFile: dir + "/t/staff.csv", encoding: .utf8).contains("\nS-003,"))
        // check reads the same ids without a note.
        #expect(!runCLI(["check", snap, "--as-of", "2026-11-01"]).err.contains("id-folded"))
        // Many: the first 20 places, then no more.
        let many = dir + "/many.json"
        try text.replacingOccurrences(of: "\"S-", with: "\"Ｓ－").write(toFile: many, atomically: true, encoding: .utf8)
        let m = runCLI(["convert", many, "--to", "json"])
        #expect(m.code == 0)
        #expect(m.err.components(separatedBy: "[data.id-folded]").count - 1 == 20, "\(m.err)")
        #expect(m.err.contains("further ids folded the same way are not listed"))
    }

    /// A member list one group leaves unknown cannot go into a table that holds every group's
    /// members: there it would read as "none" and the leaver rules could pass. convert refuses
    /// and names the group; with no group giving members the table is left out (still unknown).
    @Test func convertRefusesAMemberListItCannotSay() throws {
        let dir = temp("unknown-members")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var doc = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/snapshot.json")))
                as? [String: Any])
        var groups = try #require(doc["groups"] as? [[String: Any]])
        groups[1].removeValue(forKey: "members")
        doc["groups"] = groups
        let snap = dir + "/one-unknown.json"
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: snap))
        let r = runCLI(["convert", snap, "--to", "csv", dir + "/out"])
        #expect(
            r.code == 2 && r.err.contains("error[data.unknown-member-list]") && r.err.contains("#/groups/1/members"),
            "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"), "nothing written")
        // No group gives members: no member table, and the lists stay unknown after the trip.
        doc["groups"] = groups.map {
            var g = $0; g.removeValue(forKey: "members"); return g
        }
        let none = dir + "/all-unknown.json"
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: none))
        let all = runCLI(["convert", none, "--to", "csv", dir + "/all"])
        #expect(all.code == 0, "\(all.err)")
        #expect(!FileManager.default.fileExists(atPath: dir + "/all/group_members.csv"))
        let back = runCLI([
            "check", dir + "/all", "--devices", "Fixtures/clinic-sakura/devices.csv", "--as-of", "2026-11-01",
            "--format", "json",
        ])
        #expect(back.code == 2 && back.out.contains("\"unknown\""), "the leaver rules cannot be decided")
    }

    /// `init` writes every table with Japanese headers and one example row; the folder loads
    /// without a single diagnostic and checks.
    @Test(arguments: ["clinic", "hospital", "visiting-nurse", "pharmacy"])
    func initWritesTablesThatCheck(_ kind: String) throws {
        let dir = temp("init")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = runCLI(["init", dir, "--kind", kind])
        #expect(r.code == 0, "\(r.err)")
        for t in PackLoader.builtInSchema.tables {
            let text = try String(contentsOfFile: dir + "/" + t.fileName, encoding: .utf8)
            let lines = text.split(separator: "\r\n")
            let header = t.columns.map { $0.aliases.first ?? $0.name }.joined(separator: ",")
            #expect(lines.first.map { $0.hasSuffix(header) } == true, "\(t.fileName) header")
            if t.name != "facility" { #expect(lines.count == 2, "\(t.fileName) has one example row") }
        }
        let guide = try String(contentsOfFile: dir + "/README.txt", encoding: .utf8)
        #expect(guide.contains("記入のしかた") && guide.contains("staff.csv") && guide.contains("職種: 医師、歯科医師"))
        let check = runCLI(["check", dir, "--as-of", "2025-08-01", "--format", "json"])
        #expect(check.err.isEmpty, "\(check.err)")
        // Choices are written in their Japanese words (`clinic` → 診療所) and read back as values.
        let label = try #require(PackLoader.builtInSchema.records["facility"]?.field("kind")).label(kind)
        #expect(label != kind)
        #expect(try String(contentsOfFile: dir + "/facility.csv", encoding: .utf8).contains("facility.kind,\(label),"))
        let json = runCLI(["init", dir + "-json", "--json"])
        defer { try? FileManager.default.removeItem(atPath: dir + "-json") }
        #expect(json.code == 0 && FileManager.default.fileExists(atPath: dir + "-json/snapshot.json"))
        // The JSON form loads without a diagnostic too (its devices are in devices.csv only).
        let jsonCheck = runCLI(["check", dir + "-json", "--as-of", "2025-08-01", "--format", "json"])
        #expect(jsonCheck.err.isEmpty, "\(jsonCheck.err)")
        // Tables beside a snapshot would never be read: init refuses and points at convert.
        let beside = runCLI(["init", dir + "-json"])
        #expect(
            beside.code == 2 && beside.err.contains("already holds snapshot.json")
                && beside.err.contains("tenken convert"))
    }

    /// A batch takes folders of tables beside snapshot folders.
    @Test func batchMixesTablesAndSnapshots() throws {
        let dir = temp("batch")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for f in ["clinic-kaede", "dental-tsukushi", "clinic-sakura"] {
            try FileManager.default.createDirectory(atPath: dir + "/in", withIntermediateDirectories: true)
            try FileManager.default.copyItem(
                atPath: Repo.root.appendingPathComponent("Fixtures/\(f)").path, toPath: dir + "/in/" + f)
        }
        let r = runCLI([
            "batch", dir + "/in", "--output-dir", dir + "/out", "--as-of", "2026-11-01", "--format", "json",
        ])
        #expect(r.code == 1, "\(r.err)")
        #expect(r.err.contains("3 施設: 評価 3、読み込めず 0"))
        for id in ["F-CL-0004", "F-DC-0005", "F-CL-0001"] {
            #expect(FileManager.default.fileExists(atPath: dir + "/out/facilities/\(id)/report.json"), "\(id)")
        }
    }

    @Test func apostrophesSurviveTheRoundTrip() {
        for s in ["=SUM(A1)", "'=x", "''=y", "-5", "'", "'plain", "@home", "+81"] {
            #expect(
                CSVCell.unescape(CSVCell.escape(s).trimmingCharacters(in: CharacterSet(charactersIn: "\""))) == s,
                "\(s)")
        }
    }
}

/// Random damage to a folder of tables (cells replaced, rows dropped or repeated, tables
/// removed, headers changed) never crashes the loader or the evaluator; every error names a
/// file of the folder; and a folder that loads without errors evaluates.
@Suite struct TableDamageTests {
    struct Rng {
        var state: UInt64
        mutating func next(_ n: Int) -> Int {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Int((state >> 33) % UInt64(n))
        }
    }

    static let junk = [
        "", "なし", "x", "2026-13-01", "2026/2/30", "'=1+1", "G-999", "\"", "はい", "-5", "🏥", "30 minutes",
        "doctor", "医師", String(repeating: "長", count: 300), "C-0001", "A-001", "yes;no", "2026-11-01",
    ]

    @Test func damagedTablesNeverCrash() throws {
        let pack = try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack)
        let engine = Engine(pack: pack)
        let source = Repo.root.appendingPathComponent("Fixtures/clinic-kaede").path
        var originals: [String: [String]] = [:]
        for n in try FileManager.default.contentsOfDirectory(atPath: source) where n.hasSuffix(".csv") {
            originals[n] = try String(contentsOfFile: source + "/" + n, encoding: .utf8).components(separatedBy: "\r\n")
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-damage-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var rng = Rng(state: 2026)
        var loadedCleanly = 0
        for round in 0..<120 {
            try? FileManager.default.removeItem(atPath: dir)
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            var tables = originals
            for _ in 0..<(1 + rng.next(4)) {
                let names = tables.keys.sorted()
                let name = names[rng.next(names.count)]
                var lines = tables[name]!
                switch rng.next(6) {
                case 0 where name != "facility.csv": tables[name] = nil; continue
                case 1 where lines.count > 2: lines.remove(at: 1 + rng.next(lines.count - 2))
                case 2 where lines.count > 2: lines.insert(lines[1 + rng.next(lines.count - 2)], at: 1)
                case 3:
                    var h = lines[0].components(separatedBy: ",");
                    h[rng.next(h.count)] = Self.junk[rng.next(Self.junk.count)]; lines[0] = h.joined(separator: ",")
                default:
                    guard lines.count > 2 else { break }
                    let r = 1 + rng.next(lines.count - 2)
                    var cells = lines[r].components(separatedBy: ",")
                    cells[rng.next(cells.count)] = Self.junk[rng.next(Self.junk.count)]
                    lines[r] = cells.joined(separator: ",")
                }
                tables[name] = lines
            }
            for (name, lines) in tables {
                try lines.joined(separator: "\r\n").write(toFile: dir + "/" + name, atomically: false, encoding: .utf8)
            }
            let (folder, scanDiags) = TableFolder.scan(dir, schema: PackLoader.builtInSchema)
            var loader = SnapshotLoader(schema: PackLoader.builtInSchema)
            let facility = loader.loadTables(folder)
            let diags = scanDiags + loader.diagnostics
            for d in diags where d.severity == .error {
                #expect(d.location?.file.hasPrefix(dir) == true, "round \(round): \(d)")
            }
            if let facility, !diags.contains(where: { $0.severity == .error }) {
                loadedCleanly += 1
                let (result, _) = engine.evaluate(facility, asOf: Day(iso: "2026-11-01")!)
                #expect(result.results.count == pack.rules.count)
            }
        }
        // The damage is not all fatal: some rounds load and are evaluated.
        #expect(loadedCleanly > 10)
    }
}
