import Foundation
import Testing

@testable import TenkenCLI

/// A parameter a rule compares with a choice field (`d.wifi not in param.wifi.forbidden`) holds
/// values of that choice set. A word outside it never matches a value, so "OPEN", a fullwidth or
/// padded word, or a typo in the default would pass a device on an open network (break-19v F1).
struct ParamChoiceTests {
    static let site = "Fixtures/fleet/site-gaps.json"
    static let args = ["--rules", FleetPack.rules, "--as-of", FleetPack.asOf, "--format", "json"]

    @Test func aCommandLineWordOutsideTheChoiceIsRefused() {
        for value in [#"["OPEN","WEP"]"#, #"["open ","wep"]"#, #"["wep","open","wpa9"]"#] {
            let run = runCLI(["check", Self.site, "--param", "wifi.forbidden=\(value)"] + Self.args)
            #expect(run.code == 2, "\(value): \(run.err)")
            #expect(run.out.isEmpty, "no report is written: \(run.out.prefix(200))")
            #expect(run.err.contains("error[data.bad-param]: parameter `wifi.forbidden`"), "\(run.err)")
            #expect(run.err.contains(#"expected values among "wpa3", "wpa2-aes", "open", "wep""#), "\(run.err)")
        }
        let upper = runCLI(["check", Self.site, "--param", #"wifi.forbidden=["OPEN","WEP"]"#] + Self.args)
        #expect(upper.err.contains(#"found "OPEN", "WEP""#), "\(upper.err)")
    }

    @Test func aSnapshotWordOutsideTheChoiceIsRefused() throws {
        let dir = tempDir("param-choice").path
        let text = try String(contentsOfFile: "Fixtures/fleet/site-ok.json", encoding: .utf8)
        let body = text.drop { $0 != "{" }.dropFirst()
        let snapshot = "\(dir)/site.json"
        try (#"{ "parameters": { "wifi.forbidden": ["ｏｐｅｎ", "wep"] },"# + body)
            .write(toFile: snapshot, atomically: true, encoding: .utf8)
        let run = runCLI(["check", snapshot] + Self.args)
        #expect(run.code == 2, "\(run.err)")
        #expect(run.out.isEmpty)
        #expect(run.err.contains("error[data.bad-param]: parameter `wifi.forbidden`"), "\(run.err)")
        // A word from the facility's data is shown by its shape only, as every data error does.
        #expect(!run.err.contains("ｏｐｅｎ"), "\(run.err)")
    }

    @Test func aCorrectOverrideStillApplies() throws {
        let run = runCLI(
            ["check", Self.site, "--param", #"wifi.forbidden=["open","wep","wpa2-aes"]"#] + Self.args)
        #expect(run.code == 1, "\(run.err)")
        let report = try #require(try JSONSerialization.jsonObject(with: Data(run.out.utf8)) as? [String: Any])
        let failing = try FleetPack.failures(report, site: "SITE-0042")
        let g = try #require(failing["g_no_open_or_wep_wifi"])
        #expect(g.contains("SITE-0042-D005") && g.contains("SITE-0042-D006"))
    }

    /// The rule as the pack writes it, and the same comparison through a loop over the parameter.
    @Test(arguments: [
        "d.wifi not in param.wifi.forbidden",
        "not (some w in param.wifi.forbidden : w == d.wifi)",
    ])
    func aDefaultWordOutsideTheChoiceIsALintError(condition: String) throws {
        let dir = tempDir("param-choice-pack").path
        try FileManager.default.removeItem(atPath: dir)
        try FileManager.default.copyItem(atPath: FleetPack.rules, toPath: dir)
        let manifest = "\(dir)/pack.tenken"
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        let typo = #"wifi.forbidden: [string] = ["open", "wep", "opne"]"#
        let edited = text.replacingOccurrences(of: #"wifi.forbidden: [string] = ["open", "wep"]"#, with: typo)
        #expect(edited != text)
        try edited.write(toFile: manifest, atomically: true, encoding: .utf8)
        let rule = "\(dir)/rules/g_no_open_or_wep_wifi.tenken"
        let ruleText = try String(contentsOfFile: rule, encoding: .utf8)
        let written = "d.wifi not in param.wifi.forbidden"
        #expect(ruleText.contains(written))
        try ruleText.replacingOccurrences(of: written, with: condition)
            .write(toFile: rule, atomically: true, encoding: .utf8)
        let lint = runCLI(["lint", "--rules", dir])
        #expect(lint.code == 2)
        let lines = edited.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let line = try #require(lines.firstIndex { $0.contains("wifi.forbidden:") })
        let column = try #require(lines[line].range(of: "\"opne\"")).lowerBound.utf16Offset(in: lines[line])
        #expect(
            lint.err.contains("pack.tenken:\(line + 1):\(column + 1): error[check.unknown-enum-value]"),
            "\(lint.err)")
        #expect(lint.err.contains(#"parameter `wifi.forbidden` is compared with a choice field, and "opne""#))
    }
}
