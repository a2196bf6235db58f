import Foundation
import TenkenAudit
import TenkenData
import TenkenSyntax

/// Where a command writes, and what it knows of its environment; tests give their own.
public final class Console: @unchecked Sendable {
    public var out: (String) -> Void
    public var err: (String) -> Void
    public var environment: [String: String]
    public var stdoutIsTTY: Bool
    public var stderrIsTTY: Bool
    public var terminalWidth: Int
    /// One line of the person's input, without its newline; nil at end of input.
    public var readLine: () -> String?
    public var stdinIsTTY: Bool

    public init(out: @escaping (String) -> Void, err: @escaping (String) -> Void, environment: [String: String],
                stdoutIsTTY: Bool, stderrIsTTY: Bool, terminalWidth: Int = 100,
                readLine: @escaping () -> String? = { nil }, stdinIsTTY: Bool = false) {
        self.out = out
        self.err = err
        self.environment = environment
        self.stdoutIsTTY = stdoutIsTTY
        self.stderrIsTTY = stderrIsTTY
        self.terminalWidth = terminalWidth
        self.readLine = readLine
        self.stdinIsTTY = stdinIsTTY
    }

    public static func standard() -> Console {
        // A closed pipe shows as EPIPE from write(2), so a report file or pipe is named in an
        // error and standard output stops quietly; never a death halfway through a write.
        signal(SIGPIPE, SIG_IGN)
        let env = ProcessInfo.processInfo.environment
        // The terminal's width: COLUMNS when set (as `ls` reads it), else the terminal's own,
        // else 100.
        var width = 100
        var ws = winsize()
        if let c = Int(env["COLUMNS"] ?? ""), c > 0 { width = c } else if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 { width = Int(ws.ws_col) }
        return Console(
            out: { s in
                // The reader went away (`tenken … | head -1`): stop quietly as a pipeline
                // expects, after the cleanups (see `Interruption.brokenPipe`).
                if !writeAll(1, s) { Interruption.brokenPipe() }
            },
            err: { s in _ = writeAll(2, s) },
            environment: env, stdoutIsTTY: isatty(1) != 0, stderrIsTTY: isatty(2) != 0, terminalWidth: width,
            readLine: { Swift.readLine(strippingNewline: true) }, stdinIsTTY: isatty(0) != 0)
    }

    /// Writes all of `s` to descriptor `fd`; false once the reader has gone (EPIPE) or the
    /// write fails otherwise. SIGPIPE is ignored (`Interruption.install`), so a closed pipe
    /// is an error here, never a silent death mid-write.
    static func writeAll(_ fd: Int32, _ s: String) -> Bool {
        var bytes = Array(s.utf8)
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { write(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return false
            }
            done += n
        }
        return true
    }

    /// Colour on a terminal unless NO_COLOR is set (https://no-color.org) or asked otherwise.
    public func useColor(_ mode: String, tty: Bool) -> Bool {
        switch mode {
        case "always": return true
        case "never": return false
        default: return tty && (environment["NO_COLOR"] ?? "").isEmpty && environment["TERM"] != "dumb"
        }
    }
}

public enum ExitCode {
    public static let ok: Int32 = 0
    public static let gaps: Int32 = 1
    public static let inputError: Int32 = 2
    public static let usage: Int32 = 64
}

/// Renders diagnostics like rustc and swift-syntax: `path:line:col: error[id]: message`, then,
/// for a rule file, the source line with a caret.
///
/// Facility data (snapshots, tables, inventories, answers, waivers, baselines) is never quoted:
/// any of its lines may hold a value tenken refuses (a password column, a key like `pwd`) or
/// does not understand (an unknown field's value), and the location — line and column, JSON
/// pointer or column header — already names the place. Everything shown is escaped for the
/// terminal (`SafeText.terminal`): a control character in a path, a key or a value cannot
/// move the cursor, retitle the window or forge a line.
public struct DiagnosticPrinter {
    var sources: [String: String] = [:]
    let color: Bool

    public init(sources: [String: String] = [:], color: Bool = false) {
        self.sources = sources
        self.color = color
    }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    public func render(_ d: Diagnostic) -> String {
        var s = ""
        if let l = d.location { s += paint("\(SafeText.terminal(l.description)): ", "1") }
        let sev = d.severity.rawValue
        s += paint("\(sev)[\(SafeText.terminal(d.id))]", d.severity == .error ? "31;1" : d.severity == .warning ? "33;1" : "36") + ": \(SafeText.terminal(d.message))\n"
        if let l = d.location, l.line > 0, let text = ruleText(l.file) {
            let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
            if l.line - 1 < lines.count {
                var line = String(lines[l.line - 1])
                if line.hasSuffix("\r") { line.removeLast() }
                if line.count <= 300 {
                    let num = String(l.line)
                    s += "\(String(repeating: " ", count: num.count)) |\n\(num) | \(SafeText.terminal(line))\n"
                    if l.column > 0 {
                        let before = SafeText.terminal(String(String.UnicodeScalarView(line.unicodeScalars.prefix(l.column - 1))))
                        let prefix = String(repeating: " ", count: before.count)
                        s += "\(String(repeating: " ", count: num.count)) | \(prefix)" + paint("^", "32;1") + "\n"
                    }
                }
            }
        }
        for n in d.notes { s += "  note: \(SafeText.terminal(n))\n" }
        if let h = d.help { s += "  help: \(SafeText.terminal(h))\n" }
        return s
    }

    /// The text of a rule file to quote from: given by the caller (a pack's files), or a
    /// `.tenken` file read from disk. Nil for everything else (facility data is never quoted).
    func ruleText(_ file: String) -> String? {
        if let t = sources[file] { return t }
        guard file.hasSuffix(".tenken") else { return nil }
        // The same careful reader as the loaders: no directories, pipes or devices, nothing huge.
        let (bytes, _) = readInputFile(file, maxBytes: 8 << 20)
        guard let bytes else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}

extension Interruption {
    /// The exit code of a run whose work was published whole although a signal asked it to
    /// stop meanwhile (nil when none did); the command says so first.
    static func afterPublishing(_ console: Console, _ what: String) -> Int32? {
        let sig = requested
        guard sig != 0 else { return nil }
        console.err("note: interrupted by signal \(sig) while \(what) was being published; it was published whole before stopping\n")
        return 128 + sig
    }
}
