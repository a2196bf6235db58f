import Foundation
import TenkenAudit

@testable import TenkenCLI

enum Repo {
    static let root: URL = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Commands print paths as given; tests give them relative to the repository root.
    static func enter() {
        FileManager.default.changeCurrentDirectoryPath(root.path)
    }

    static var recording: Bool { ProcessInfo.processInfo.environment["TENKEN_RECORD"] == "1" }
}

final class Captured: @unchecked Sendable {
    var out = ""
    var err = ""
}

/// Runs a command in-process with captured output, as a pipe would see it (no TTY).
func runCLI(_ args: [String], env: [String: String] = [:]) -> (code: Int32, out: String, err: String) {
    Repo.enter()
    let c = Captured()
    let console = Console(
        out: { c.out += $0 }, err: { c.err += $0 }, environment: env, stdoutIsTTY: false, stderrIsTTY: false)
    let code = CLI.run(args, console: console)
    return (code, c.out, c.err)
}

/// Runs the built `tenken` binary with a time limit; a crash must not hang the suite.
func runBinary(
    _ args: [String], env extra: [String: String] = [:], timeout: TimeInterval = 60
) throws -> (code: Int32, out: String, err: String) {
    Repo.enter()
    let candidates = [
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tenken"),
        Repo.root.appendingPathComponent(".build/debug/tenken"),
    ]
    guard let exe = candidates.first(where: { FileManager.default.isExecutableFile(atPath: $0.path) }) else {
        throw CocoaError(.fileNoSuchFile, userInfo: [NSFilePathErrorKey: "tenken binary"])
    }
    let p = Process()
    p.executableURL = exe
    p.arguments = args
    var env = ProcessInfo.processInfo.environment
    env["SWIFT_BACKTRACE"] = "enable=no"
    // Under scripts/sanitize.sh the children are instrumented too; their exit-time leak check
    // cannot symbolize Swift's one-time statics to suppress them, and would change the exit
    // code. The same code is leak-checked in-process by the test runner.
    env["ASAN_OPTIONS"] = "detect_leaks=0"
    env["NO_COLOR"] = nil
    for (k, v) in extra { env[k] = v }
    p.environment = env
    let outPipe = Pipe(), errPipe = Pipe()
    p.standardOutput = outPipe
    p.standardError = errPipe
    try p.run()
    let outData = Captured()
    // Both pipes are drained at once: a child that fills one while the reader waits on the
    // other would otherwise block forever. Each drain has a thread of its own: on the shared
    // global queue, blocking reads of tests running in parallel could use up its threads, and
    // a drain that never starts looked like a child that timed out (seen once in CI).
    let group = DispatchGroup()
    for (pipe, isOut) in [(outPipe, true), (errPipe, false)] {
        group.enter()
        Thread {
            let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            if isOut { outData.out = text } else { outData.err = text }
            group.leave()
        }.start()
    }
    if group.wait(timeout: .now() + timeout) == .timedOut {
        // SIGKILL, not SIGTERM: a child stuck in the kernel (a blocking open) must not outlive the test.
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        throw CocoaError(.executableLoad, userInfo: [NSLocalizedDescriptionKey: "tenken \(args) timed out"])
    }
    p.waitUntilExit()
    return (p.terminationStatus, outData.out, outData.err)
}

/// A copy of a fixture folder without its expected reports, in a fresh temporary folder, for a
/// test to damage or add to.
func copyFixture(_ fixture: String, tag: String) throws -> String {
    let dir = tempDir("\(tag)-\(fixture)").path
    for n in try FileManager.default.contentsOfDirectory(atPath: "Fixtures/\(fixture)") where n != "expected" {
        try FileManager.default.copyItem(atPath: "Fixtures/\(fixture)/\(n)", toPath: "\(dir)/\(n)")
    }
    return dir
}
