import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// Runs the built `tenken` on a pseudo-terminal, as a person at a terminal would: the child
/// starts a new session and opens the terminal as its controlling terminal, so its standard
/// input is a TTY and Ctrl-C (byte 0x03) becomes SIGINT from the line discipline.
final class PseudoTerminal {
    let master: Int32
    let pid: pid_t
    private(set) var transcript = ""
    private var buffer: [UInt8] = []

    enum Failure: Error, CustomStringConvertible {
        case setup(String)
        case timeout(waitingFor: String, transcript: String)
        var description: String {
            switch self {
            case .setup(let s): "pty setup failed: \(s)"
            case .timeout(let w, let t): "timed out waiting for \(w.debugDescription); transcript so far:\n\(t)"
            }
        }
    }

    /// The C library's pseudo-terminal calls, which the Glibc module does not export.
    private static func libc<T>(_ name: String, as: T.Type) throws -> T {
        guard let h = dlopen(nil, RTLD_NOW), let sym = dlsym(h, name) else {
            throw Failure.setup("no \(name) in the C library")
        }
        return unsafeBitCast(sym, to: T.self)
    }

    init(executable: String, arguments: [String]) throws {
        typealias FdCall = @convention(c) (Int32) -> Int32
        typealias NameCall = @convention(c) (Int32, UnsafeMutablePointer<CChar>, Int) -> Int32
        let openpt = try Self.libc("posix_openpt", as: FdCall.self)
        let grant = try Self.libc("grantpt", as: FdCall.self), unlock = try Self.libc("unlockpt", as: FdCall.self)
        let ptsname = try Self.libc("ptsname_r", as: NameCall.self)
        master = openpt(O_RDWR | O_NOCTTY)
        guard master >= 0, grant(master) == 0, unlock(master) == 0 else { throw Failure.setup("posix_openpt") }
        var nameBuf = [CChar](repeating: 0, count: 128)
        guard ptsname(master, &nameBuf, nameBuf.count) == 0 else { throw Failure.setup("ptsname_r") }
        let slavePath = String(cString: nameBuf)

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        // Opened after setsid (glibc runs the session change first), so it becomes the
        // child's controlling terminal.
        posix_spawn_file_actions_addopen(&actions, 0, slavePath, O_RDWR, 0)
        posix_spawn_file_actions_adddup2(&actions, 0, 1)
        posix_spawn_file_actions_adddup2(&actions, 0, 2)
        posix_spawn_file_actions_addclose(&actions, master)
        var attr = posix_spawnattr_t()
        posix_spawnattr_init(&attr)
        defer { posix_spawnattr_destroy(&attr) }
        let POSIX_SPAWN_SETSID: Int32 = 0x80
        var defaultSignals = sigset_t()
        sigemptyset(&defaultSignals)
        sigaddset(&defaultSignals, SIGINT)
        posix_spawnattr_setsigdefault(&attr, &defaultSignals)
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attr, &noSignals)
        posix_spawnattr_setflags(&attr, Int16(POSIX_SPAWN_SETSID | POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK))

        var env = ProcessInfo.processInfo.environment
        env["SWIFT_BACKTRACE"] = "enable=no"
        env["ASAN_OPTIONS"] = "detect_leaks=0"
        env["TERM"] = "xterm"
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = env.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { (argv + envp).forEach { free($0) } }
        var child: pid_t = 0
        // The child starts in this process's directory; tests keep it at the repository root
        // (changing it here would race with tests running in parallel).
        let rc = posix_spawn(&child, executable, &actions, &attr, argv, envp)
        guard rc == 0 else { throw Failure.setup("posix_spawn: \(rc)") }
        pid = child
        _ = fcntl(master, F_SETFL, fcntl(master, F_GETFL) | O_NONBLOCK)
    }

    deinit {
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, WNOHANG)
        close(master)
    }

    /// Reads what the child wrote until `text` appears after the last match.
    @discardableResult
    func expect(_ text: String, timeout: TimeInterval = 30) throws -> String {
        let deadline = Date().addingTimeInterval(timeout)
        while true {
            let s = String(decoding: buffer, as: UTF8.self)
            if let r = s.range(of: text) {
                let consumed = String(s[..<r.upperBound])
                buffer = Array(s[r.upperBound...].utf8)
                return consumed
            }
            if Date() > deadline { throw Failure.timeout(waitingFor: text, transcript: transcript) }
            pump(wait: 50)
        }
    }

    private func pump(wait ms: Int32) {
        var fds = pollfd(fd: master, events: Int16(POLLIN), revents: 0)
        guard poll(&fds, 1, ms) > 0 else { return }
        var chunk = [UInt8](repeating: 0, count: 4096)
        let n = read(master, &chunk, chunk.count)
        if n > 0 {
            buffer += chunk[0..<n]
            transcript += String(decoding: chunk[0..<n], as: UTF8.self)
        }
    }

    func send(_ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBufferPointer { write(master, $0.baseAddress, $0.count) }
    }

    /// Waits for the child to end; its exit code, or 128 + signal.
    func wait(timeout: TimeInterval = 30) throws -> Int32 {
        let deadline = Date().addingTimeInterval(timeout)
        var status: Int32 = 0
        while waitpid(pid, &status, WNOHANG) == 0 {
            if Date() > deadline { throw Failure.timeout(waitingFor: "exit", transcript: transcript) }
            pump(wait: 20)
        }
        pump(wait: 0)
        let sig = status & 0x7f
        return sig == 0 ? (status >> 8) & 0xff : 128 + sig
    }
}
