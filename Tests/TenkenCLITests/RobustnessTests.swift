import Foundation
import TenkenAudit
import TenkenBenchKit
import TenkenData
import TenkenReport
import Testing

@testable import TenkenCLI
@testable import TenkenSyntax

struct RobustnessTests {
    /// A 10 MB rule file is read, and its error found, without trouble.
    @Test func tenMegabyteRuleFile() throws {
        let dir = tempDir("bigrules")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(
            at: dir.appendingPathComponent("rules"), withIntermediateDirectories: true)
        for f in ["pack.tenken", "catalog.tsv"] {
            try FileManager.default.copyItem(
                at: Repo.root.appendingPathComponent("Rules/mcs/\(f)"), to: dir.appendingPathComponent(f))
        }
        var text = String(repeating: "# " + String(repeating: "x", count: 97) + "\n", count: 100_000)
        text += "rule huge {\n  implements T-REQ-01\n  level required\n  category technical\n  scope outside-mcs\n"
        text +=
            "  title ja \"t\" en \"t\"\n  remediation ja \"r\" en \"r\"\n  expect every d in devices : d.screen_lok "
            + "is present\n}\n"
        #expect(text.utf8.count > 10_000_000)
        try text.write(to: dir.appendingPathComponent("rules/huge.tenken"), atomically: true, encoding: .utf8)
        let (code, _, err) = runCLI(["lint", "--rules", dir.path])
        #expect(code == 2)
        #expect(err.contains("huge.tenken:100008:33: error[check.unknown-field]"), "\(err.prefix(300))")
    }

    /// Hostile strings from the inputs stay inert in every format.
    @Test func hostileStringsAreEscapedEverywhere() throws {
        let dir = tempDir("hostile")
        defer { try? FileManager.default.removeItem(at: dir) }
        var doc = try readJSON(Repo.root.appendingPathComponent("Fixtures/messy-tsubaki/snapshot.json"))
        var networks = doc["networks"] as! [[String: Any]]
        networks[0]["ssid"] = "=HYPERLINK(\"http://x\")\"><img src=x onerror=alert(1)>&amp;]]>"
        doc["networks"] = networks
        let snap = dir.appendingPathComponent("s.json")
        try JSONSerialization.data(withJSONObject: doc).write(to: snap)
        // A device whose id is a spreadsheet formula; it fails rules, so it starts CSV cells.
        let devices = try String(
            contentsOf: Repo.root.appendingPathComponent("Fixtures/messy-tsubaki/devices.csv"), encoding: .utf8
        )
        .replacingOccurrences(of: "\r\nPC-1,", with: "\r\n=SUM(1+1),")
        let inv = dir.appendingPathComponent("d.csv")
        try devices.write(to: inv, atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out")
        _ = runCLI([
            "check", "--snapshot", snap.path, "--devices", inv.path, "--as-of", "2026-11-01",
            "--format", "html,junit,sarif,csv,json", "--output-dir", out.path, "--lang", "en",
        ])
        let html = try String(contentsOf: out.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(!html.contains("<img src=x"))
        let junit = try String(contentsOf: out.appendingPathComponent("report.junit.xml"), encoding: .utf8)
        #expect(!junit.contains("<img src=x") && !junit.contains("]]>\""))
        let xsd = try String(contentsOf: Repo.root.appendingPathComponent("docs/junit.xsd"), encoding: .utf8)
        #expect(XMLValidation.validate(xml: junit, xsd: xsd).isEmpty, "still well-formed and valid")
        let sarif = try Data(contentsOf: out.appendingPathComponent("report.sarif"))
        #expect((try? JSONSerialization.jsonObject(with: sarif)) != nil)
        let csv = String(decoding: try Data(contentsOf: out.appendingPathComponent("report.csv")), as: UTF8.self)
        #expect(csv.contains(",'=SUM(1+1),"), "the formula cell is neutralised")
        #expect(!csv.contains(",=SUM(1+1)"))
    }
}
