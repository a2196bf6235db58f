import Foundation
import TenkenData
import TenkenReport
import TenkenSyntax

/// A file or folder as the file system knows it: device and inode, so two paths that reach
/// the same file (symbolic and hard links, `..`, a name differing only in case or Unicode
/// normalisation on a file system that folds them) compare equal.
public struct FileIdentity: Hashable {
    public let device: UInt64
    public let inode: UInt64

    public init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        self.init(st)
    }

    init(_ st: stat) {
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

/// Names as a file system that ignores case or Unicode normalisation sees them (macOS and
/// Windows volumes, network shares): `Staff.CSV`, `staff.csv` and a decomposed `職員.csv` are
/// one file there, so tenken never lets two of them stand for two things.
public enum FileNames {
    public static func fold(_ s: String) -> String { foldedFileName(s) }
}

/// The files and folders a run reads. An output that is, or resolves to, one of them is
/// refused before anything is written: a report never replaces the data it was made from.
public struct InputSet {
    private var files: [FileIdentity: String] = [:]
    private var folders: [FileIdentity: String] = [:]
    /// Facility folders read whole: a file written into one may be read as one of its tables.
    private var facilityFolders: [FileIdentity: (path: String, names: FacilityFiles)] = [:]

    public init() {}

    /// A file or a folder, told apart by the one `stat` that also identifies it (a batch adds
    /// every facility's input). Returns whether it is a folder, nil when it is not there.
    @discardableResult
    public mutating func add(file path: String?) -> Bool? {
        var st = stat()
        guard let path, stat(path, &st) == 0 else { return nil }
        let isFolder = (st.st_mode & S_IFMT) == S_IFDIR
        if isFolder { folders[FileIdentity(st)] = path } else { files[FileIdentity(st)] = path }
        return isFolder
    }

    public mutating func add(folder path: String?) {
        guard let path, let id = FileIdentity(path) else { return }
        folders[id] = path
    }

    /// A facility folder read whole (its scan reads any file named as `names` has them).
    public mutating func add(facilityFolder path: String?, names: FacilityFiles) {
        guard let path, let id = FileIdentity(path) else { return }
        facilityFolders[id] = (path, names)
    }

    /// The input folder that `path` is (by identity), if any.
    public func inputFolder(_ path: String) -> String? { FileIdentity(path).flatMap { folders[$0] } }

    /// Why writing the file `path` would harm an input, or nil.
    public func refusal(file path: String) -> WriteError? {
        if let id = FileIdentity(path), let input = files[id] {
            return WriteError(
                path: path, kind: .refused,
                reason: input == path
                    ? "it is one of this run's inputs; tenken never writes over its own input"
                    : "it is the same file as the input \(input); tenken never writes over its own input")
        }
        // Into a facility folder under a name its scan reads (a table in any spelling a
        // folding file system takes for it, snapshot.json, an inventory beside it): the next run
        // would read the report as the facility's data, or refuse the folder.
        let name = (path as NSString).lastPathComponent
        let parent = FilePath.parent(path)
        if let id = FileIdentity(parent.isEmpty ? "." : parent), let (folder, names) = facilityFolders[id],
            names.isRead(name)
        {
            return WriteError(
                path: path, kind: .refused,
                reason:
                    "it is in the input facility folder \(folder), where the next run would read it as the "
                    + "facility's data; write the report elsewhere"
            )
        }
        return nil
    }

    /// Why replacing or filling the folder `path` would harm an input, or nil: the folder is
    /// an input folder, lies inside one, or (with `holding`) holds an input.
    public func refusal(folder path: String, holding: Bool = true) -> WriteError? {
        let chain = InputSet.ancestors(of: path)
        for (i, a) in chain.enumerated() {
            guard let id = FileIdentity(a), let input = folders[id] else { continue }
            return WriteError(
                path: path, kind: .refused,
                reason: i == 0
                    ? "it is the input folder \(input); write the output elsewhere"
                    : "it is inside the input folder \(input); write the output elsewhere")
        }
        guard holding, let out = FileIdentity(path) else { return nil }
        for input in Array(files.values) + Array(folders.values)
        where InputSet.ancestors(of: input).dropFirst().contains(where: { FileIdentity($0) == out }) {
            return WriteError(
                path: path, kind: .refused, reason: "it holds the input \(input); write the output elsewhere")
        }
        return nil
    }

    /// The path and every folder above it that exists, resolved (`..` and links followed).
    public static func ancestors(of path: String) -> [String] {
        var cur = (path as NSString).standardizingPath
        if !cur.hasPrefix("/") {
            cur = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(cur)
        }
        if let r = realpath(cur, nil) { cur = String(cString: r); free(r) }
        var out: [String] = []
        while true {
            out.append(cur)
            let up = FilePath.parent(cur)
            if up == cur || up.isEmpty { break }
            cur = up
        }
        return out
    }
}

/// An advisory lock held on a lock file for as long as the value lives (`flock`, which a
/// killed process releases by itself). The file is removed on release; a process that locked
/// a file someone removed meanwhile notices and locks the new one.
public final class FileLock {
    public let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    public enum Failure: Error {
        case busy(holder: String?)
        case io(WriteError)
    }

    /// Takes the lock, waiting up to `wait` seconds for another holder (0: do not wait).
    public static func acquire(_ path: String, wait: TimeInterval) -> Result<FileLock, Failure> {
        let deadline = Date().addingTimeInterval(wait)
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o666)
            guard fd >= 0 else {
                return .failure(.io(WriteError(path: path, errno: errno, folder: FilePath.parent(path))))
            }
            if flock(fd, LOCK_EX | LOCK_NB) == 0 {
                // The holder before us may have removed the file: lock the one at the path.
                var a = stat(), b = stat()
                if fstat(fd, &a) == 0, stat(path, &b) == 0, a.st_dev == b.st_dev, a.st_ino == b.st_ino {
                    let me = Array("\(getpid())\n".utf8)
                    _ = ftruncate(fd, 0)
                    _ = me.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
                    return .success(FileLock(path: path, fd: fd))
                }
                close(fd)
                continue
            }
            var buf = [UInt8](repeating: 0, count: 32)
            let n = buf.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
            close(fd)
            if Date() >= deadline {
                let holder =
                    n > 0
                    ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
                return .failure(.busy(holder: holder?.isEmpty == false ? holder : nil))
            }
            usleep(20_000)
        }
    }

    public func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    deinit { release() }
}

extension FileLock.Failure {
    /// What a person is told when an output folder's lock is not taken: "another tenken run
    /// is writing to DIR" (with its process id when known), or why the lock file could not be
    /// made. One or two lines, each ending in a newline, for standard error.
    public func message(folder: String) -> String {
        switch self {
        case .busy(let holder):
            return
                "error: another tenken run\(holder.map { " (process \(SafeText.terminal($0)))" } ?? "") is writing "
                + "to \(SafeText.terminal(folder)); nothing was written\n"
                + "  help: wait for it to finish, or choose another output folder\n"
        case .io(let e):
            return "error: \(e)\n"
        }
    }
}

/// An output folder as a run first meets it.
public enum OutputFolder {
    /// Why `dir` cannot be an output folder (it cannot be made, or it is a file), or nil once
    /// it exists as a folder (made here, with its parents, when missing).
    public static func problem(_ dir: String) -> WriteError? {
        let e = OutputFile.makeFolders(dir)
        if e != 0 { return WriteError(path: dir, errno: e, folder: OutputFile.existingAncestor(dir)) }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: dir, isDirectory: &isDir), !isDir.boolValue {
            return WriteError(path: dir, kind: .refused, reason: "it is a file, not a folder")
        }
        return nil
    }
}

/// Signals that end a run (SIGTERM, SIGINT, SIGHUP). Commands register what to remove; the
/// handler runs on a queue, not in signal context, and acts once:
///
/// - A graceful registrant (a batch, a set of tables being staged) is only told by the first
///   signal, and stops itself at its next step; a second signal, or one with no graceful
///   registrant, runs the cleanups and exits 128+signal.
/// - Once a run is past its point of no return (`publishing`: a batch's marker, a set's
///   journal), no signal runs a cleanup or exits: the publication finishes, and the command
///   then says it was interrupted and exits 128+signal. A cleanup therefore only ever removes
///   what the run made and has not published.
/// - Cleanups run once: a signal that arrives while they run, or while the run stops itself,
///   changes nothing.
public enum Interruption {
    private struct Entry { let cleanup: () -> Void; let graceful: Bool }
    private struct State {
        var installed = false
        var entries: [Int: Entry] = [:]
        var next = 0
        /// The first signal that asked the run to stop, or 0.
        var signal: Int32 = 0
        /// The cleanups are running and the process is about to exit.
        var exiting = false
        /// Publications past their point of no return.
        var publishing = 0
        /// What the command says when a signal stops the run (`onStop`).
        var report: ((Int32) -> Void)?
    }
    private static let state = Locked(State())
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// The signal that asked the run to stop, or 0.
    public static var requested: Int32 { state.withLock { $0.signal } }

    /// Installs the handlers (once) and registers a cleanup; returns a token to unregister.
    @discardableResult
    public static func onInterrupt(graceful: Bool = false, _ cleanup: @escaping () -> Void) -> Int {
        let (token, install) = state.withLock { s -> (Int, Bool) in
            s.next += 1
            s.entries[s.next] = Entry(cleanup: cleanup, graceful: graceful)
            let first = !s.installed
            s.installed = true
            return (s.next, first)
        }
        if install {
            for sig in [SIGTERM, SIGINT, SIGHUP] {
                signal(sig, SIG_IGN)
                let src = DispatchSource.makeSignalSource(signal: sig, queue: .global())
                src.setEventHandler { handle(sig) }
                src.resume()
                sources.append(src)
            }
        }
        return token
    }

    /// Gives what the run says when a signal stops it before its point of no return, in one
    /// line: what was and was not published (`batch: interrupted; nothing was published, out
    /// holds the previous results`). The library prints nothing; the command gives `report`,
    /// which is called once, with the signal, after the cleanups and just before the exit, on
    /// the thread that exits (a dispatch queue's or the run's, never inside a signal handler,
    /// so it may write as the command always does). Not for a reader gone away (SIGPIPE): that
    /// stop is quiet. A later call replaces the report.
    public static func onStop(_ report: @escaping (Int32) -> Void) { state.withLock { $0.report = report } }

    public static func remove(_ token: Int) { state.withLock { _ = $0.entries.removeValue(forKey: token) } }

    private static func handle(_ sig: Int32) {
        let exitNow = state.withLock { s -> Bool in
            let first = s.signal == 0
            if first { s.signal = sig }
            // An exit under way, or a publication that must finish: only noted.
            if s.exiting || s.publishing > 0 { return false }
            if first && s.entries.values.contains(where: \.graceful) { return false }
            s.exiting = true
            return true
        }
        if exitNow { cleanUpAndExit() }
    }

    /// Runs the cleanups and exits as the signal would have (a run stopping itself).
    public static func exitForSignal() -> Never {
        let mine = state.withLock { s -> Bool in
            if s.exiting { return false }
            s.exiting = true
            return true
        }
        // Another thread is already cleaning up and exiting.
        if !mine { while true { pause() } }
        cleanUpAndExit()
    }

    /// Standard output's reader went away (`tenken … | head -1`): the run stops quietly, as
    /// one killed by SIGPIPE would (exit 141), after the cleanups, so nothing it was making
    /// is left behind. During a publication past its point of no return the output is only
    /// dropped, and the publication finishes.
    public static func brokenPipe() {
        let exitNow = state.withLock { s -> Bool in
            if s.exiting || s.publishing > 0 { return false }
            if s.signal == 0 { s.signal = SIGPIPE }
            s.exiting = true
            return true
        }
        if exitNow { cleanUpAndExit() }
    }

    private static func cleanUpAndExit() -> Never {
        let (cleanups, sig, report) = state.withLock { s in
            (s.entries.sorted { $0.key < $1.key }.map(\.value.cleanup), s.signal, s.report)
        }
        for c in cleanups { c() }
        if sig != SIGPIPE { report?(sig) }
        _exit(128 + sig)
    }

    /// Runs `body`, a publication past its point of no return, to its end whatever signals
    /// arrive; they are noted in `requested`. If an exit was already under way, the
    /// publication never starts (and the process exits).
    public static func publishing<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        let start = state.withLock { s -> Bool in
            if s.exiting { return false }
            s.publishing += 1
            return true
        }
        if !start { while true { pause() } }
        defer { state.withLock { $0.publishing -= 1 } }
        return try body()
    }
}

/// Removes a folder tree a tenken run made, entry by entry, keeping anything `own` does not
/// vouch for (by its path inside the tree, as components, and whether it is a folder); a
/// symbolic link is never followed and never removed. The folder itself goes once empty.
/// Returns the paths kept: never a person's file, whatever was put into a hidden folder.
@discardableResult
public func removeOwnedTree(_ path: String, own: ([String], Bool) -> Bool) -> [String] {
    var kept: [String] = []
    func walk(_ dir: String, _ rel: [String]) -> Bool {
        var empty = true
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            let full = (dir as NSString).appendingPathComponent(name)
            var st = stat()
            guard lstat(full, &st) == 0 else { continue }
            let r = rel + [name]
            switch st.st_mode & S_IFMT {
            case S_IFDIR where own(r, true):
                if walk(full, r), rmdir(full) == 0 { continue }
                empty = false
            case S_IFREG where own(r, false):
                if unlink(full) == 0 || errno == ENOENT { continue }
                kept.append(full)
                empty = false
            default:
                kept.append(full)
                empty = false
            }
        }
        return empty
    }
    var st = stat()
    guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { return [] }
    // Twice: a file a writer was finishing (through a folder it had open) is caught the second time.
    for attempt in 0..<2 {
        if walk(path, []), rmdir(path) == 0 { return [] }
        if attempt == 0 { kept.removeAll(); usleep(5_000) }
    }
    return kept
}
