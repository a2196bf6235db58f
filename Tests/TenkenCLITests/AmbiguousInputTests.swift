import Foundation
import TenkenAudit
import TenkenReport
import Testing

@testable import TenkenCLI

/// Two accounts of one facility in one folder are refused (nothing says which is current), and
/// what the input warned about reaches every report, not only the terminal.
@Suite struct AmbiguousInputTests {
    /// A copy of a fixture folder to add to.
    func copy(_ fixture: String) throws -> String { try copyFixture(fixture, tag: "ambiguous") }

    /// snapshot.json beside a newer staff.csv: the tables were silently not read.
    @Test func snapshotBesideTablesIsRefused() throws {
        Repo.enter()
        let dir = try copy("clinic-sakura")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: "Fixtures/clinic-kaede/staff.csv", toPath: "\(dir)/staff.csv")
        let r = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(r.code == 2)
        #expect(
            r.err.contains("error[data.ambiguous-input]") && r.err.contains("staff.csv")
                && r.err.contains("snapshot.json"), "\(r.err)")
    }

    /// devices.csv and devices.json in one folder: two inventories.
    @Test func twoInventoriesAreRefused() throws {
        Repo.enter()
        let dir = try copy("clinic-sakura")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try #"[{"id": "PC-01", "kind": "pc", "antimalware": false}]"#.write(
            toFile: "\(dir)/devices.json", atomically: true, encoding: .utf8)
        let r = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(r.code == 2)
        #expect(
            r.err.contains("error[data.ambiguous-input]") && r.err.contains("devices.csv and devices.json"), "\(r.err)")
    }

    /// A snapshot with its own `devices` and an inventory beside it: refused; named with
    /// `--devices`, the inventory is the run's choice, and every report says so.
    @Test func snapshotDevicesAndInventory() throws {
        Repo.enter()
        let dir = tempDir("ambiguous-devices").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.copyItem(atPath: "Rules/mcs/tests/base/clinic.json", toPath: "\(dir)/snapshot.json")
        try FileManager.default.copyItem(atPath: "Fixtures/clinic-sakura/devices.csv", toPath: "\(dir)/devices.csv")
        let folder = runCLI(["check", dir, "--as-of", "2026-11-01"])
        #expect(
            folder.code == 2 && folder.err.contains("error[data.ambiguous-input]")
                && folder.err.contains("`devices` section"), "\(folder.err)")

        let out = "\(dir)/out"
        let chosen = runCLI([
            "check", "--snapshot", "\(dir)/snapshot.json", "--devices", "\(dir)/devices.csv", "--as-of", "2026-11-01",
            "--format", "text,json,html,junit,sarif,csv,xccdf", "--output-dir", out,
        ])
        #expect(chosen.code != 2, "\(chosen.err)")
        #expect(chosen.err.contains("warning[data.devices-replaced]"))
        for f in ReportFormat.allCases {
            let text = try String(contentsOfFile: "\(out)/\(f.fileName)", encoding: .utf8)
            #expect(
                text.contains("data.devices-replaced") && text.contains("is replaced by the inventory"),
                "\(f.fileName) does not show the warning")
        }
        let json = try #require(
            try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(out)/report.json")))
                as? [String: Any])
        let warnings = try #require(json["input_warnings"] as? [[String: Any]])
        #expect(warnings.map { $0["id"] as? String } == ["data.devices-replaced"])
        #expect((warnings.first?["location"] as? [String: Any])?["pointer"] as? String == "/devices")

        // Without a warning the list is there and empty (the schema requires it).
        let clean = runCLI(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--format", "json"])
        let cleanDoc = try #require(try JSONSerialization.jsonObject(with: Data(clean.out.utf8)) as? [String: Any])
        #expect((cleanDoc["input_warnings"] as? [Any])?.isEmpty == true)
    }

    /// In a batch, a facility whose input warned: its reports and the aggregate say so.
    @Test func batchCarriesInputWarnings() throws {
        Repo.enter()
        let root = tempDir("ambiguous-batch").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let member = "\(root)/in/f1"
        try FileManager.default.createDirectory(atPath: member, withIntermediateDirectories: true)
        // An unknown field is ignored with a warning.
        var doc = try #require(
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: URL(fileURLWithPath: "Fixtures/clinic-sakura/snapshot.json"))) as? [String: Any])
        var facility = try #require(doc["facility"] as? [String: Any])
        facility["favourite_colour"] = "blue"
        doc["facility"] = facility
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: "\(member)/snapshot.json"))
        try FileManager.default.copyItem(atPath: "Fixtures/clinic-sakura/devices.csv", toPath: "\(member)/devices.csv")
        let r = runCLI([
            "batch", "\(root)/in", "--output-dir", "\(root)/out", "--as-of", "2026-11-01", "--format", "json,html,csv",
        ])
        #expect(r.code != 64, "\(r.err)")
        let agg = try String(contentsOfFile: "\(root)/out/aggregate.json", encoding: .utf8)
        #expect(
            agg.contains("data.unknown-field") && !agg.contains("favourite_colour"),
            "aggregate.json carries the warning, without the key")
        let html = try String(contentsOfFile: "\(root)/out/aggregate.html", encoding: .utf8)
        #expect(
            html.contains("data.unknown-field") && !html.contains("favourite_colour"),
            "aggregate.html carries the warning, without the key")
        let sub = try FileManager.default.contentsOfDirectory(atPath: "\(root)/out/facilities")
        let report = try String(
            contentsOfFile: "\(root)/out/facilities/\(try #require(sub.first))/report.json", encoding: .utf8)
        #expect(report.contains("data.unknown-field") && !report.contains("favourite_colour"))
    }

    /// A JSON key that names no field may be a field written another way (`retired_on` for
    /// `left_on`): the element's blanks of that type whose meaning would decide ("still
    /// employed") read as unknown, as a table's missing column does; text that could be no such
    /// field (`memo`) changes nothing.
    @Test func anIgnoredKeyMakesTheBlanksItMayHoldUnknown() throws {
        Repo.enter()
        func run(_ key: String, _ value: Any) throws -> (code: Int32, state: String?, err: String) {
            let dir = tempDir("ignored-key").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            var doc = try #require(
                try JSONSerialization.jsonObject(
                    with: Data(contentsOf: URL(fileURLWithPath: "Fixtures/clinic-sakura/snapshot.json")))
                    as? [String: Any])
            var staff = try #require(doc["staff"] as? [[String: Any]])
            let i = try #require(staff.firstIndex { $0["left_on"] == nil })
            staff[i][key] = value
            doc["staff"] = staff
            try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: "\(dir)/snapshot.json"))
            try FileManager.default.copyItem(atPath: "Fixtures/clinic-sakura/devices.csv", toPath: "\(dir)/devices.csv")
            let r = runCLI(["check", dir, "--as-of", "2026-11-01", "--format", "json"])
            let out = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
            let results = try #require(out["results"] as? [[String: Any]])
            return (
                r.code, results.first { $0["rule"] as? String == "leaver-accounts-deleted" }?["state"] as? String, r.err
            )
        }
        let retired = try run("retired_on", "2026-06-30")
        #expect(retired.code == 2 && retired.state == "unknown", "\(retired)")
        #expect(
            retired.err.contains("is ignored (its name is not shown); it may hold `left_on`")
                && !retired.err.contains("retired_on"))
        let memo = try run("memo", "see the paper file")
        #expect(
            memo.state == "pass" && memo.err.contains("is ignored (its name is not shown)")
                && !memo.err.contains("may hold"), "\(memo)")
    }
}
