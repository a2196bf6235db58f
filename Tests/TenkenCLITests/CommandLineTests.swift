import Foundation
import TenkenAudit
import Testing

@testable import TenkenCLI
@testable import TenkenReport

struct ArgumentParserTests {
    static let spec = CommandSpec(
        name: "x", summary: "s", usage: "tenken x [FILE]",
        options: [
            OptionSpec("--format", value: "F", help: "h"),
            OptionSpec("--param", value: "P", repeatable: true, help: "h"),
            OptionSpec("--write", help: "h"),
        ], minPositionals: 0, maxPositionals: 1)

    @Test func forms() throws {
        let p = try ArgumentParser.parse(
            ["--format=json", "a.json", "--param", "x=1", "--param=y=2", "--write"], Self.spec
        ).get()
        #expect(p.value("--format") == "json")
        #expect(p.all("--param") == ["x=1", "y=2"])
        #expect(p.flag("--write"))
        #expect(p.positionals == ["a.json"])
        let q = try ArgumentParser.parse(["--", "--format"], Self.spec).get()
        #expect(q.positionals == ["--format"])
        #expect(try ArgumentParser.parse(["-h"], Self.spec).get().help)
    }

    @Test(arguments: [
        (["--formt", "json"], "unknown option `--formt` for `tenken x`"),
        (["--format"], "option `--format` needs a value (F)"),
        (["--format", "a", "--format", "b"], "option `--format` is given more than once"),
        (["--write=yes"], "option `--write` takes no value"),
        (["a", "b"], "unexpected argument `b`; usage: tenken x [FILE]"),
    ])
    func errors(_ args: [String], _ message: String) {
        guard case .failure(let e) = ArgumentParser.parse(args, Self.spec) else {
            Issue.record("accepted \(args)"); return
        }
        #expect(e.message == message)
    }

    @Test func suggestion() {
        guard case .failure(let e) = ArgumentParser.parse(["--formt"], Self.spec) else { return }
        #expect(e.help == "did you mean `--format`?")
    }
}

struct InvalidInputCorpusTests {
    struct Case: CustomStringConvertible, Sendable {
        var args: [String], id: String, location: String, exit: Int32
        var description: String { args.joined(separator: " ") }
    }

    static var cases: [Case] {
        let text =
            (try? String(contentsOf: Repo.root.appendingPathComponent("Fixtures/invalid/cases.tsv"), encoding: .utf8))
            ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Case(
                args: c[0].split(separator: " ").map(String.init), id: c[1], location: c[2], exit: Int32(c[3]) ?? -1)
        }
    }

    @Test func corpusIsLarge() { #expect(Self.cases.count >= 40) }

    /// Every malformed input gets its diagnostic id, its place and its exit code, never a crash.
    @Test(arguments: cases)
    func malformedInput(_ c: Case) {
        let (code, out, err) = runCLI(c.args)
        #expect(code == c.exit, "\(err)")
        #expect(out.isEmpty, "no report may be written for bad input")
        if c.id != "usage" { #expect(err.contains("[\(c.id)]"), "\(err)") }
        #expect(err.contains(c.location), "\(err)")
    }
}

struct EndToEndTests {
    @Test func helpAndVersion() throws {
        let h = try runBinary(["--help"])
        #expect(h.code == 0 && h.out.contains("usage: tenken <command>"))
        for cmd in ["check", "lint", "fmt", "test", "coverage", "init"] {
            let r = try runBinary([cmd, "--help"])
            #expect(r.code == 0 && r.out.contains("usage: tenken \(cmd)"), "\(cmd)")
        }
        #expect(try runBinary([]).code == 64)
        let bad = try runBinary(["chek"])
        #expect(bad.code == 64 && bad.err.contains("did you mean `check`?"))
    }

    @Test func exitCodesFollowTheGaps() throws {
        let ok = try runBinary(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01"])
        #expect(ok.code == 0 && ok.out.contains("さくら内科クリニック"))
        #expect(!ok.out.contains("\u{1B}["), "no colour when piped")
        let gaps = try runBinary(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01"])
        #expect(gaps.code == 1)
        #expect(
            try runBinary(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--fail-on", "never"]).code == 0)
        // The pharmacy has only recommended gaps.
        #expect(try runBinary(["check", "Fixtures/pharmacy-midori", "--as-of", "2026-11-01"]).code == 0)
        #expect(
            try runBinary(["check", "Fixtures/pharmacy-midori", "--as-of", "2026-11-01", "--fail-on", "recommended"])
                .code == 1)
        let colour = try runBinary(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--color", "always"])
        #expect(colour.out.contains("\u{1B}["))
    }

    /// A report to a file or a pipe is not wrapped (a line a program greps for stays whole);
    /// on a terminal it is wrapped to the terminal's width by Japanese rules.
    @Test func textWrapsOnlyOnATerminal() throws {
        let piped = try runBinary(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01"])
        #expect(
            piped.out.contains(
                "公式サイト（https://www.medical-care.net/）と公式の送信元（no-reply@medical-care.net、support@embrace.co.jp）を職員に周知し"))
        #expect(
            piped.out.split(separator: "\n").contains { TextReport.displayWidth(String($0)) > 100 },
            "piped output is not wrapped at 100")
        Repo.enter()
        let c = Captured()
        let console = Console(
            out: { c.out += $0 }, err: { c.err += $0 }, environment: [:], stdoutIsTTY: true, stderrIsTTY: true,
            terminalWidth: 60)
        _ = CLI.run(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--color", "never"], console: console)
        let all = c.out.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        // The summary table (80 columns in Japanese) is a table, not prose.
        let table = try #require(all.firstIndex { $0.hasPrefix("要約") })
        let tableEnd = try #require(all[table...].firstIndex { $0.isEmpty })
        #expect(all[table..<tableEnd].allSatisfy { TextReport.displayWidth($0) <= 80 })
        let lines = Array(all[..<table] + all[tableEnd...])
        let noStart = Set("。、）」』】ー")
        for line in lines where !line.hasPrefix("          ") {
            // Evidence lines (file places) stay whole; prose fits, or is one unbreakable piece.
            #expect(
                TextReport.displayWidth(line) <= 60
                    || LineBreaker.units(line.trimmingCharacters(in: .whitespaces)).count == 1, "\(line)")
            if let first = line.trimmingCharacters(in: .whitespaces).first {
                #expect(!noStart.contains(first), "\(line)")
            }
        }
        #expect(lines.contains { $0.contains("support@embrace.co.jp") })
    }

    /// `--output -` is standard output (break-16 #15): no file named `-` is written.
    @Test func outputDashIsStandardOutput() throws {
        Repo.enter()
        let r = runCLI([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--format", "json", "--output", "-",
        ])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.hasPrefix("{"), "the report is on standard output")
        #expect(!FileManager.default.fileExists(atPath: "-"))
    }

    /// A report written to a file leaves a line on standard error: what it holds, the exit
    /// code and what it means, and where it went.
    @Test func aReportToAFileSaysSoOnStandardError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-summary-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = try runBinary([
            "check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", "sarif,junit", "--output-dir",
            dir.path, "--lang", "en",
        ])
        #expect(r.code == 1 && r.out.isEmpty)
        #expect(
            r.err.contains(
                "tenken: F-CL-0005 (as of 2026-11-01): 47 fail, 14 manual, 1 attested, 19 pass, 4 not applicable → "
                    + "exit 1, gaps at the --fail-on level (required); report in \(dir.path)/report.sarif, "
                    + "\(dir.path)/report.junit.xml"
            ), "\(r.err)")
        let ja = try runBinary([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--format", "json", "--output",
            dir.path + "/r.json",
        ])
        #expect(
            ja.code == 0 && ja.err.contains("→ 終了コード 0（--fail-on required の不合格なし）。報告書: \(dir.path)/r.json"), "\(ja.err)"
        )
        // Standard output gets the report and no such line.
        #expect(!(try runBinary(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01"])).err.contains("終了コード"))
    }

    @Test func missingSectionMakesThatRuleAnError() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-e2e-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        var snap =
            try JSONSerialization.jsonObject(
                with: Data(contentsOf: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/snapshot.json")))
            as! [String: Any]
        snap["networks"] = nil
        try JSONSerialization.data(withJSONObject: snap).write(to: dir.appendingPathComponent("snapshot.json"))
        let r = try runBinary([
            "check", "--snapshot", dir.appendingPathComponent("snapshot.json").path, "--devices",
            "Fixtures/clinic-sakura/devices.csv",
            "--as-of", "2026-11-01", "--lang", "en",
        ])
        #expect(r.code == 2)
        #expect(r.out.contains("the input has no `networks` section, which this rule needs"))
        #expect(r.out.contains("Credentials are never written down"), "all other rules still run")
    }

    @Test func outputFileIsWrittenWhole() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-out-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("nested/report.json").path
        let r = try runBinary([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--format", "json", "--output", path,
        ])
        #expect(r.code == 0 && r.out.isEmpty)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect((try? JSONSerialization.jsonObject(with: data)) != nil)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir.appendingPathComponent("nested").path)
        #expect(leftovers == ["report.json"], "no temporary file is left behind")
    }

    @Test func paramOverrideFromTheCommandLineIsReported() throws {
        let r = try runBinary([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--lang", "en", "--param",
            "password.long_min_length=10",
        ])
        #expect(
            r.out.contains(
                "password.long_min_length = 10 (command line; default 13) ⚠ loosens the source's bound >= 13"))
        let wep = try runBinary([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--lang", "en", "--param",
            "wifi.acceptable=[\"WPA3\", \"WPA2-AES\", \"WEP\"]",
        ])
        #expect(
            wep.out.contains(
                "wifi.acceptable = [WPA3, WPA2-AES, WEP] (command line; default [WPA3, WPA2-AES, WPA2-TKIP]) ⚠ "
                    + "loosens the source's bound ⊆ [WPA3, WPA2-AES, WPA2-TKIP]"
            ))
        let narrower = try runBinary([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--lang", "en", "--param",
            "wifi.acceptable=[\"WPA3\"]",
        ])
        #expect(narrower.out.contains("wifi.acceptable = [WPA3] (command line; default [WPA3, WPA2-AES, WPA2-TKIP])\n"))
        let bad = try runBinary(["check", "Fixtures/clinic-sakura", "--param", "password.long_min_length=ten"])
        #expect(bad.code == 2 && bad.err.contains("[data.bad-param]"))
    }

    /// 1-2 lists what the provider does itself: a provider that accepts TLS 1.0 is reported,
    /// under its own level, and is not the facility's required gap.
    @Test func providerMeasuresAreReportedButNeverTheFacilitysGap() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-provider-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let provider = try String(contentsOfFile: "Rules/mcs/provider.json", encoding: .utf8)
            .replacingOccurrences(of: "\"tls_min_version\": \"1.2\"", with: "\"tls_min_version\": \"1.0\"")
        let path = dir.appendingPathComponent("provider.json").path
        try provider.write(toFile: path, atomically: true, encoding: .utf8)
        let r = try runBinary([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--lang", "en", "--provider", path,
        ])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("✗ Traffic is encrypted with TLS 1.2 or later  [fail · provider · V-REQ-12]"))
        #expect(r.out.contains("  required      0 "))
        let json = try runBinary([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--format", "json", "--provider", path,
        ])
        let summary = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])?["summary"]
                as? [String: [String: Int]])
        #expect(summary["provider"]?["fail"] == 1 && summary["required"]?["fail"] == 0)
    }

    /// Every report says which provider profile the provider items were judged on, and warns
    /// when it is older than provider.profile_max_age on the as-of date.
    @Test func providerProfileDateIsShownAndAnOldOneWarns() throws {
        let old = try runBinary(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--lang", "en"])
        #expect(
            old.out.contains(
                "Provider profile: 2023-04-01 (Rules/mcs/provider.json:6:22#/provider/profile_as_of)\n⚠ the provider "
                    + "profile is dated 2023-04-01, more than 1 year before the as-of date"
            ))
        // A profile published within the year does not warn.
        let recent = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tenken-provider-\(UUID().uuidString).json"
        ).path
        defer { try? FileManager.default.removeItem(atPath: recent) }
        try String(contentsOfFile: "Rules/mcs/provider.json", encoding: .utf8).replacingOccurrences(
            of: "2023-04-01", with: "2026-04-01"
        )
        .write(toFile: recent, atomically: true, encoding: .utf8)
        let fresh = try runBinary([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--lang", "en", "--provider", recent,
        ])
        #expect(fresh.out.contains("Provider profile: 2026-04-01") && !fresh.out.contains("⚠ the provider profile"))
        let longer = try runBinary([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--lang", "en", "--param",
            "provider.profile_max_age=5 years",
        ])
        #expect(!longer.out.contains("⚠ the provider profile"))
        let json = try runBinary(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--format", "json"])
        let profile = try #require(
            (try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])?["provider_profile"]
                as? [String: Any])
        #expect(
            profile["as_of"] as? String == "2023-04-01" && profile["stale"] as? Bool == true
                && profile["max_age"] as? String == "1 year")
        for format in ["junit", "sarif", "xccdf", "csv", "html"] {
            let r = try runBinary(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--format", format])
            #expect(r.out.contains("2023-04-01"), "\(format) names the profile's date")
        }
    }

    @Test func initWritesATemplateThatChecks() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-init-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        #expect(try runBinary(["init", dir.path, "--kind", "hospital"]).code == 0)
        let r = try runBinary(["check", dir.path, "--as-of", "2025-08-01", "--format", "json"])
        #expect(r.code == 1, "the template has gaps to fill, but loads cleanly: \(r.err)")
        #expect(r.err.isEmpty)
        let again = try runBinary(["init", dir.path])
        #expect(again.code == 2 && again.err.contains("never overwrites"))
    }

    @Test func worksFromAnyDirectory() throws {
        // The child runs in `/`; this process's own directory is left alone, since other
        // tests run in parallel and rely on it.
        let clinic = Repo.root.appendingPathComponent("Fixtures/clinic-sakura").path
        let exe = Repo.root.appendingPathComponent(".build/debug/tenken")
        let p = Process()
        p.executableURL = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("tenken")
        if !FileManager.default.isExecutableFile(atPath: p.executableURL!.path) { p.executableURL = exe }
        p.arguments = ["check", clinic, "--as-of", "2026-11-01"]
        p.currentDirectoryURL = URL(fileURLWithPath: "/")
        p.standardOutput = FileHandle.nullDevice
        p.environment = ["SWIFT_BACKTRACE": "enable=no", "ASAN_OPTIONS": "detect_leaks=0"]
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
    }
}
