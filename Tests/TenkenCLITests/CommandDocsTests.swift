import Foundation
import Testing
@testable import TenkenCLI
import TenkenReport

/// The shell completions and the man page are made from the same command specs as `--help`:
/// each names every command and every option, and the values a closed option takes; each is
/// well-formed for its consumer (checked with the shell or groff when they are installed).
@Suite struct CommandDocsTests {
    static let outputs: [(String, [String])] = [
        ("bash", ["completions", "bash"]), ("zsh", ["completions", "zsh"]), ("fish", ["completions", "fish"]), ("man", ["man"]),
    ]

    @Test(arguments: outputs.map(\.0))
    func everyCommandAndOptionIsThere(_ kind: String) throws {
        let args = try #require(Self.outputs.first { $0.0 == kind }?.1)
        let (code, out, err) = runCLI(args)
        #expect(code == 0, "\(err)")
        // The man page writes a hyphen in an option as a minus sign (`\-`).
        let text = kind == "man" ? out.replacingOccurrences(of: "\\-", with: "-") : out
        for c in CLI.registry {
            #expect(text.contains(c.name), "\(kind): command \(c.name)")
            for o in c.spec.options {
                // fish names a long option without its dashes (`-l format`).
                let name = kind == "fish" ? "-l " + o.name.dropFirst(2) : o.name
                #expect(text.contains(name), "\(kind): \(c.name) \(o.name)")
                if kind != "man" { for v in o.choices { #expect(text.contains(v), "\(kind): \(c.name) \(o.name) value \(v)") } }
            }
        }
        if kind == "man" { for f in ReportFormat.allCases { #expect(text.contains(f.fileName), "man: \(f.fileName)") } }
    }

    /// Each is read by its consumer without complaint, where that program is installed.
    @Test(arguments: outputs.map(\.0))
    func wellFormedForItsConsumer(_ kind: String) throws {
        let args = try #require(Self.outputs.first { $0.0 == kind }?.1)
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-\(kind)-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: file) }
        try Data(runCLI(args).out.utf8).write(to: file)
        let checker: [String] = switch kind {
        case "bash": ["/bin/bash", "-n", file.path]
        case "zsh": ["/usr/bin/zsh", "-n", file.path]
        case "fish": ["/usr/bin/fish", "--no-execute", file.path]
        default: ["/usr/bin/groff", "-k", "-man", "-Tutf8", "-ww", "-z", file.path]
        }
        guard FileManager.default.isExecutableFile(atPath: checker[0]) else { return }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: checker[0])
        p.arguments = Array(checker.dropFirst())
        let errPipe = Pipe()
        p.standardError = errPipe
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        let err = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 0 && err.isEmpty, "\(kind): \(err)")
    }

    /// `--output-dir`'s help names every format's file; `--format`'s lists every format.
    @Test func checkHelpNamesEveryReportFile() {
        let (_, out, _) = runCLI(["check", "--help"])
        for f in ReportFormat.allCases {
            #expect(out.contains(f.fileName), "\(f.fileName)")
            #expect(out.contains(f.rawValue))
        }
    }

    /// A snapshot file is a facility too; one table is not (its folder is); no facility at all
    /// gets a suggestion an installed user can follow (not a path in the repository).
    @Test func whatAFacilityArgumentMayBe() {
        let file = runCLI(["check", "Fixtures/clinic-sakura/snapshot.json", "--devices", "Fixtures/clinic-sakura/devices.csv", "--as-of", "2026-11-01", "--format", "json"])
        let folder = runCLI(["check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--format", "json"])
        #expect(file.code == 0 && file.out == folder.out, "\(file.err)")
        let table = runCLI(["check", "Fixtures/clinic-kaede/staff.csv"])
        #expect(table.code == 64 && table.err.contains("is one table") && table.err.contains("tenken check Fixtures/clinic-kaede"), "\(table.err)")
        let none = runCLI(["check"])
        #expect(none.code == 64 && none.err.contains("tenken init ./my-clinic") && !none.err.contains("Fixtures/"), "\(none.err)")
        let missing = runCLI(["check", "no-such-folder"])
        #expect(missing.code == 2 && missing.err.contains("no-such-folder: error[data.file-not-found]: no such file or folder"))
        let explain = runCLI(["explain", "vpn", "Fixtures/clinic-sakura/snapshot.json", "--as-of", "2026-11-01"])
        #expect(explain.code == 0 && explain.out.contains("rule vpn ["), "\(explain.err)")
    }

    @Test func helpVersionAndInit() {
        let h = runCLI(["help", "check"])
        #expect(h.code == 0 && h.out.hasPrefix("Evaluate one facility") && h.out.contains("--output-dir"))
        #expect(runCLI(["help"]).out.contains("usage: tenken <command>"))
        let bad = runCLI(["help", "chek"])
        #expect(bad.code == 64 && bad.err.contains("did you mean `check`?"))
        for v in ["-V", "--version", "version"] { #expect(runCLI([v]).out == "tenken \(CLI.version)\n") }
        // init's usage and its --kind help list the same kinds: the schema's.
        let initHelp = runCLI(["init", "--help"]).out
        let usage = initHelp.split(separator: "\n").first { $0.hasPrefix("usage:") } ?? ""
        for k in ["clinic", "hospital", "dental-clinic", "visiting-nurse", "pharmacy", "care"] {
            #expect(usage.contains(k), "usage lacks \(k)")
            #expect(initHelp.contains("\(k) ("), "--kind help lacks \(k)")
        }
    }
}
