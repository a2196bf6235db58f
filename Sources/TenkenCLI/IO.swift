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

    public init(
        out: @escaping (String) -> Void, err: @escaping (String) -> Void, environment: [String: String],
        stdoutIsTTY: Bool, stderrIsTTY: Bool, terminalWidth: Int = 100,
        readLine: @escaping () -> String? = { nil }, stdinIsTTY: Bool = false
    ) {
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
        if let c = Int(env["COLUMNS"] ?? ""), c > 0 {
            width = c
        } else if isatty(1) != 0, ioctl(1, UInt(TIOCGWINSZ), &ws) == 0, ws.ws_col > 0 {
            width = Int(ws.ws_col)
        }
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
        let bytes = Array(s.utf8)
        var done = 0
        while done < bytes.count {
            // `done < bytes.count`: the buffer is not empty, so it has an address.
            guard
                let n = bytes.withUnsafeBytes({ raw in raw.baseAddress.map { write(fd, $0 + done, raw.count - done) } })
            else { return false }
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

extension Interruption {
    /// What the run says, in one line on standard error, when a signal stops it before its
    /// point of no return: `convert: interrupted; nothing was published, out is as it was`
    /// (`Interruption.onStop`, called after the cleanups). Also installs the handlers, so a stop
    /// at any point from here goes through the cleanups and says it.
    static func sayOnStop(_ console: Console, _ command: String, _ rest: String) {
        let line = "\(command): interrupted; nothing was published, \(rest)\n"
        onStop { _ in console.err(line) }
        onInterrupt {}
    }

    /// The exit code of a run whose work was published whole although a signal asked it to
    /// stop meanwhile (nil when none did); the command says so first.
    static func afterPublishing(_ console: Console, _ what: String) -> Int32? {
        let sig = requested
        guard sig != 0 else { return nil }
        console.err(
            "note: interrupted by signal \(sig) while \(what) was being published; it was published whole before "
                + "stopping\n"
        )
        return 128 + sig
    }
}
