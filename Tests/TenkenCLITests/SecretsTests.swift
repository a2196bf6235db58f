import Foundation
import TenkenAudit
import TenkenReport
import TenkenSyntax
import Testing

@testable import TenkenCLI
@testable import TenkenData

/// A refused value is never printed: not in the message, and not in a quoted source line —
/// the printer used to say "its value is not shown" and then print the line holding it (for
/// JSON keys, facility.csv key rows, and any CSV row with another error). An unknown field's
/// value is never echoed either.
@Suite struct SecretsTests {
    static let secret = "HUNTER2-SECRET-9931"

    func snapshot(_ dir: URL, accounts: String) throws -> String {
        var text = try String(
            contentsOf: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/snapshot.json"), encoding: .utf8)
        let start = try #require(text.range(of: "\"accounts\": ["))
        text.replaceSubrange(start, with: "\"accounts\": [\n    " + accounts + ",")
        let path = dir.path + "/snapshot.json"
        try writeText(text, path)
        return path
    }

    func check(_ args: [String]) -> (Int32, String) {
        let r = runCLI(args + ["--as-of", "2026-11-01"])
        return (r.code, r.out + r.err)
    }

    /// Every name of the documented lists, as a JSON key, a CSV column and a facility.csv key:
    /// refused, located, and its value nowhere in the output.
    @Test(arguments: ["pwd", "pin", "api_key", "credential", "パス", "otp", "生年月日", "フリガナ", "マイナンバー", "email", "病名", "姓"])
    func aRefusedNameIsRefusedEverywhereAndItsValueNeverShown(_ name: String) throws {
        let dir = tempDir("secret")
        defer { try? FileManager.default.removeItem(at: dir) }
        // JSON key, with another error on the same line.
        let snap = try snapshot(
            dir, accounts: "{\"id\": \"A-X\", \"\(name)\": \"\(Self.secret)\", \"created_on\": \"2023-13-45\"}")
        let (code, text) = check(["check", "--snapshot", snap])
        #expect(code == 2)
        #expect(text.contains("error[data.forbidden-field]: a field here looks like"), "\(name): \(text)")
        #expect(!text.contains(Self.secret), "\(name): the value is printed")
        // CSV column, with a bad date in the same row.
        let kaede = try fixtureCopy("clinic-kaede", tag: "secret-csv")
        defer { try? FileManager.default.removeItem(at: kaede.deletingLastPathComponent()) }
        let devices = kaede.appendingPathComponent("devices.csv").path
        var lines = try String(contentsOfFile: devices, encoding: .utf8).components(separatedBy: "\r\n")
        lines[0] += ",\(name)"
        lines[1] = lines[1].replacingOccurrences(of: "2026-", with: "2026-13-") + ",\(Self.secret)"
        try writeText(lines.joined(separator: "\r\n"), devices)
        let (c2, t2) = check(["check", kaede.path])
        #expect(c2 == 2 && t2.contains("error[data.forbidden-field]: the column's header looks like"), "\(name): \(t2)")
        #expect(!t2.contains(Self.secret), "\(name): the value is printed")
        // A facility.csv key row.
        let profile = kaede.appendingPathComponent("facility.csv").path
        try writeText(
            try String(contentsOfFile: profile, encoding: .utf8) + "service.\(name),\(Self.secret),\r\n", profile)
        let (c3, t3) = check(["check", kaede.path])
        #expect(c3 == 2 && t3.contains("error[data.forbidden-field]: the key looks like"), "\(name): \(t3)")
        #expect(!t3.contains("service.\(name)"), "\(name): the refused key is shown whole")
        #expect(!t3.contains(Self.secret), "\(name): the value is printed")
    }

    /// A `name` key in facility.csv rows about people.
    @Test func aPersonsNameInTheProfileIsRefused() throws {
        let kaede = try fixtureCopy("clinic-kaede", tag: "secret-profile")
        defer { try? FileManager.default.removeItem(at: kaede.deletingLastPathComponent()) }
        let profile = kaede.appendingPathComponent("facility.csv").path
        try writeText(
            try String(contentsOfFile: profile, encoding: .utf8)
                + "operations_lead.name,山田 太郎,\r\ncontact.name,佐藤 花子,\r\n", profile)
        let (code, text) = check(["check", kaede.path])
        let refused =
            text.components(
                separatedBy:
                    "error[data.forbidden-field]: the key looks like personal information: a person's name (`name`)"
            ).count - 1
        #expect(code == 2 && refused == 2, "\(text)")
        #expect(!text.contains("山田") && !text.contains("佐藤"))
    }

    /// A JSON syntax error on the line of a refused value: the line is not quoted.
    @Test func aSyntaxErrorNeverQuotesTheLine() throws {
        let dir = tempDir("secret-syntax")
        defer { try? FileManager.default.removeItem(at: dir) }
        let snap = try snapshot(dir, accounts: "{\"id\": \"A-X\", \"password\": \"\(Self.secret)\",}")
        let (code, text) = check(["check", "--snapshot", snap])
        #expect(code == 2 && text.contains("error[data.json-syntax]"), "\(text)")
        #expect(!text.contains(Self.secret))
    }

    /// An unknown field is warned about by its place (its name may be data too); its value is
    /// never echoed.
    @Test func anUnknownFieldsValueIsNeverEchoed() throws {
        let dir = tempDir("secret-unknown")
        defer { try? FileManager.default.removeItem(at: dir) }
        let snap = try snapshot(dir, accounts: "{\"id\": \"A-X\", \"remarks\": \"\(Self.secret)\"}")
        let r = runCLI([
            "check", "--snapshot", snap, "--devices",
            Repo.root.appendingPathComponent("Fixtures/clinic-sakura/devices.csv").path, "--as-of", "2026-11-01",
        ])
        #expect(
            r.err.contains("#/accounts/0: warning[data.unknown-field]: a field this schema does not know is ignored"),
            "\(r.err)")
        #expect(!r.err.contains("remarks"))
        #expect(!(r.out + r.err).contains(Self.secret))
    }

    /// Rule files are still quoted with a caret (they hold no facility data).
    @Test func ruleFilesAreStillQuoted() {
        let d = Diagnostic(
            "check.unknown-field", .error, "no field", at: SourceLocation(file: "r.tenken", line: 2, column: 9))
        let out = DiagnosticPrinter(sources: ["r.tenken": "rule x {\n  expect d.os_versoin is present\n}"]).render(d)
        #expect(out.contains("2 |   expect d.os_versoin is present") && out.contains("^"))
    }

    /// A file name with control characters (a member's upload) and a key with them: the
    /// diagnostics show them escaped, the aggregate stays well-formed.
    @Test func controlCharactersInNamesAndKeysAreShownEscaped() throws {
        let dir = tempDir("ctl")
        defer { try? FileManager.default.removeItem(at: dir) }
        let hostile = "m\u{1B}]0;owned\u{07}\r\n✓ fake"
        let folder = dir.appendingPathComponent("in/\(hostile)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try writeText(
            "{\"schema_version\": 1, \"facility\": {\"id\": \"F-1\"}, \"x\\u001b]0;t\\u0007\": 1, \"staff\": "
                + "[{\"id\": 3}]}",
            folder + "/snapshot.json")
        let r = runCLI(["check", folder, "--as-of", "2026-11-01"])
        #expect(r.code == 2)
        for c in ["\u{1B}", "\u{07}", "\r"] {
            #expect(!r.err.contains(c), "raw \(c.unicodeScalars.first!.value) in: \(r.err)")
        }
        #expect(!r.err.split(separator: "\n").contains { $0.hasPrefix("✓ fake") })
        #expect(r.err.contains("\\u{1b}]0;owned"))
        let out = dir.appendingPathComponent("out").path
        _ = runCLI(["batch", dir.path + "/in", "--output-dir", out, "--as-of", "2026-11-01"])
        let html = try String(contentsOfFile: out + "/aggregate.html", encoding: .utf8)
        #expect(!html.contains("\u{1B}") && !html.contains("\u{07}"))
        #expect(XMLValidation.htmlTexts(html, tag: "td") != nil)
    }
}
