import Foundation
import TenkenSyntax
import TenkenData
import TenkenReport

/// A file or folder as the file system knows it: device and inode, so two paths that reach
/// the same file (symbolic and hard links, `..`, a name differing only in case or Unicode
/// normalisation on a file system that folds them) compare equal.
struct FileIdentity: Hashable {
    let device: UInt64
    let inode: UInt64

    init?(_ path: String) {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        device = UInt64(st.st_dev)
        inode = UInt64(st.st_ino)
    }
}

/// Names as a file system that ignores case or Unicode normalisation sees them (macOS and
/// Windows volumes, network shares): `Staff.CSV`, `staff.csv` and a decomposed `職員.csv` are
/// one file there, so tenken never lets two of them stand for two things.
enum FileNames {
    static func fold(_ s: String) -> String { foldedFileName(s) }
}

/// The files and folders a run reads. An output that is, or resolves to, one of them is
/// refused before anything is written: a report never replaces the data it was made from.
struct InputSet {
    private var files: [FileIdentity: String] = [:]
    private var folders: [FileIdentity: String] = [:]

    mutating func add(file path: String?) {
        guard let path, let id = FileIdentity(path) else { return }
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { folders[id] = path } else { files[id] = path }
    }

    mutating func add(folder path: String?) {
        guard let path, let id = FileIdentity(path) else { return }
        folders[id] = path
    }

    mutating func add(_ input: FacilityInput) {
        add(file: input.snapshot)
        add(file: input.devices)
        add(file: input.attestations)
        add(file: input.provider)
        if let t = input.tables {
            add(folder: t.dir)
            for f in t.files.values { add(file: f) }
        }
    }

    /// The input folder that `path` is (by identity), if any.
    func inputFolder(_ path: String) -> String? { FileIdentity(path).flatMap { folders[$0] } }

    /// Why writing the file `path` would harm an input, or nil.
    func refusal(file path: String) -> WriteError? {
        if let id = FileIdentity(path), let input = files[id] {
            return WriteError(path: path, kind: .refused, reason: input == path ? "it is one of this run's inputs; tenken never writes over its own input"
                              : "it is the same file as the input \(input); tenken never writes over its own input")
        }
        return nil
    }

    /// Why replacing or filling the folder `path` would harm an input, or nil: the folder is
    /// an input folder, lies inside one, or (with `holding`) holds an input.
    func refusal(folder path: String, holding: Bool = true) -> WriteError? {
        let chain = InputSet.ancestors(of: path)
        for (i, a) in chain.enumerated() {
            guard let id = FileIdentity(a), let input = folders[id] else { continue }
            return WriteError(path: path, kind: .refused, reason: i == 0 ? "it is the input folder \(input); write the output elsewhere"
                              : "it is inside the input folder \(input); write the output elsewhere")
        }
        guard holding, let out = FileIdentity(path) else { return nil }
        for input in Array(files.values) + Array(folders.values) where InputSet.ancestors(of: input).dropFirst().contains(where: { FileIdentity($0) == out }) {
            return WriteError(path: path, kind: .refused, reason: "it holds the input \(input); write the output elsewhere")
        }
        return nil
    }

    /// The path and every folder above it that exists, resolved (`..` and links followed).
    static func ancestors(of path: String) -> [String] {
        var cur = (path as NSString).standardizingPath
        if !cur.hasPrefix("/") { cur = (FileManager.default.currentDirectoryPath as NSString).appendingPathComponent(cur) }
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
final class FileLock {
    let path: String
    private var fd: Int32

    private init(path: String, fd: Int32) {
        self.path = path
        self.fd = fd
    }

    enum Failure: Error {
        case busy(holder: String?)
        case io(WriteError)
    }

    /// Takes the lock, waiting up to `wait` seconds for another holder (0: do not wait).
    static func acquire(_ path: String, wait: TimeInterval) -> Result<FileLock, Failure> {
        let deadline = Date().addingTimeInterval(wait)
        while true {
            let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o666)
            guard fd >= 0 else { return .failure(.io(WriteError(path: path, errno: errno, folder: FilePath.parent(path)))) }
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
                let holder = n > 0 ? String(decoding: buf[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : nil
                return .failure(.busy(holder: holder?.isEmpty == false ? holder : nil))
            }
            usleep(20_000)
        }
    }

    func release() {
        guard fd >= 0 else { return }
        unlink(path)
        close(fd)
        fd = -1
    }

    deinit { release() }
}

/// Signals that end a run (SIGTERM, SIGINT, SIGHUP): work in progress is abandoned cleanly.
/// Commands register what to remove; the handler runs on a queue, not in signal context.
/// A graceful registrant (a batch) is only told, and stops itself between facilities; a
/// second signal, or one with no graceful registrant, cleans up and exits at once.
enum Interruption {
    private struct Entry { let cleanup: () -> Void; let graceful: Bool }
    private static let state = Locked<(installed: Bool, entries: [Int: Entry], next: Int, signal: Int32)>((false, [:], 0, 0))
    nonisolated(unsafe) private static var sources: [DispatchSourceSignal] = []

    /// The signal that asked the run to stop, or 0.
    static var requested: Int32 { state.withLock { $0.signal } }

    /// Installs the handlers (once) and registers a cleanup; returns a token to unregister.
    @discardableResult
    static func onInterrupt(graceful: Bool = false, _ cleanup: @escaping () -> Void) -> Int {
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
                src.setEventHandler {
                    let wait = state.withLock { s -> Bool in
                        let first = s.signal == 0
                        s.signal = sig
                        return first && s.entries.values.contains { $0.graceful }
                    }
                    if !wait { exitForSignal() }
                }
                src.resume()
                sources.append(src)
            }
        }
        return token
    }

    static func remove(_ token: Int) { state.withLock { _ = $0.entries.removeValue(forKey: token) } }

    /// Runs the cleanups and exits as the signal would have.
    static func exitForSignal() -> Never {
        let (cleanups, sig) = state.withLock { s in (s.entries.sorted { $0.key < $1.key }.map(\.value.cleanup), s.signal) }
        for c in cleanups { c() }
        _exit(128 + sig)
    }
}

/// Removes a folder tree, first moving it aside so nothing can add to it meanwhile; a file a
/// writer was finishing as it moved (through a folder it had open) is caught by a second pass.
func removeTree(_ path: String) {
    let doomed = FilePath.parent(path) + "/.\((path as NSString).lastPathComponent).tenken-\(RunID.current)-removing"
    let victim = rename(path, doomed) == 0 ? doomed : path
    for attempt in 0..<10 {
        try? FileManager.default.removeItem(atPath: victim)
        if access(victim, F_OK) != 0 { return }
        usleep(UInt32(attempt + 1) * 5_000)
    }
}

/// Exchanges two paths in one step (Linux `renameat2(RENAME_EXCHANGE)`); false when the
/// system cannot.
func exchangePaths(_ a: String, _ b: String) -> Bool {
    typealias Renameat2 = @convention(c) (Int32, UnsafePointer<CChar>, Int32, UnsafePointer<CChar>, UInt32) -> Int32
    struct Fn: @unchecked Sendable { let f: Renameat2? }
    enum Cache {
        static let fn: Fn = {
            #if os(Linux)
            guard let h = dlopen(nil, RTLD_NOW), let sym = dlsym(h, "renameat2") else { return Fn(f: nil) }
            return Fn(f: unsafeBitCast(sym, to: Renameat2.self))
            #else
            return Fn(f: nil)
            #endif
        }()
    }
    guard let f = Cache.fn.f else { return false }
    return f(AT_FDCWD, a, AT_FDCWD, b, 2 /* RENAME_EXCHANGE */) == 0
}

/// A set of files published into a folder as one: written into a hidden sibling folder,
/// which is then swapped in for the folder in one step (the files of the old folder that
/// are not part of the set are kept). A run that stops half-way, by a full disk or a kill,
/// leaves the folder as it was. `convert --to csv` and `init` write this way.
///
/// Where the folder's parent takes no new entries (a home folder under a read-only /home),
/// the set is staged inside the folder instead and moved in file by file: each file whole, the
/// set not at once (`oneByOne` says so, and the command tells the person).
final class StagedFolder {
    let final: String
    let staging: String
    /// Staged inside the folder: published file by file, not in one step.
    let oneByOne: Bool
    private let lock: FileLock
    private var token: Int?
    private var done = false

    static let insidePrefix = ".tenken-staging-"

    init(final given: String) throws(WriteError) {
        // A link to a folder is followed: the folder it names is the one replaced.
        var resolved = given
        if let r = realpath(given, nil) { resolved = String(cString: r); free(r) }
        final = resolved
        let rawParent = FilePath.parent(final)
        let parent = rawParent.isEmpty ? "." : rawParent
        let name = ((resolved as NSString).standardizingPath as NSString).lastPathComponent
        let e = OutputFile.makeFolders(parent)
        if e != 0 { throw WriteError(path: final, errno: e, folder: OutputFile.existingAncestor(parent)) }
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: final, isDirectory: &isDir)
        if exists, !isDir.boolValue { throw WriteError(path: given, kind: .refused, reason: "it is a file, not a folder") }
        StagedFolder.sweep(in: parent, prefix: ".\(name).tenken-")
        if exists { StagedFolder.sweep(in: final, prefix: StagedFolder.insidePrefix) }
        var candidates = [((parent as NSString).appendingPathComponent(".\(name).tenken-\(RunID.current)"), false)]
        if exists { candidates.append(((final as NSString).appendingPathComponent(StagedFolder.insidePrefix + RunID.current), true)) }
        var chosen: (String, Bool, FileLock)?
        var firstError: WriteError?
        attempts: for (path, inside) in candidates {
            // Held while the staging folder lives, so a later run can tell a dead run's from a live one's.
            let l: FileLock
            switch FileLock.acquire(path + ".lock", wait: 0) {
            case .success(let held): l = held
            case .failure(.io(let w)):
                if firstError == nil { firstError = WriteError(path: final, kind: w.kind, reason: w.reason) }
                if w.kind == .permission { continue attempts } else { break attempts }
            case .failure(.busy):
                if firstError == nil { firstError = WriteError(path: final, kind: .other, reason: "another tenken run is writing it") }
                continue attempts
            }
            if mkdir(path, 0o777) == 0 { chosen = (path, inside, l); break attempts }
            let code = errno
            l.release()
            if firstError == nil { firstError = WriteError(path: final, errno: code, folder: FilePath.parent(path)) }
            // Only a parent that refuses new entries is worth the fallback.
            if code != EACCES && code != EPERM { break attempts }
        }
        guard let (path, inside, l) = chosen else { throw firstError ?? WriteError(path: final, kind: .other, reason: "no staging folder") }
        staging = path
        oneByOne = inside
        lock = l
        // Graceful: the signal is acted on by this thread at its next file, so the staging
        // folder is removed by the thread that writes it, not raced by the handler.
        token = Interruption.onInterrupt(graceful: true) {
            removeTree(path)
            l.release()
        }
    }

    /// Removes what killed runs left: staging folders starting with `prefix` followed by a run
    /// id, whose lock no live process holds, their lone lock files, and half-removed ones.
    static func sweep(in folder: String, prefix: String) {
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? [] {
            let full = (folder as NSString).appendingPathComponent(entry)
            // A staging folder a killed removal left under its doomed name.
            if entry.hasPrefix("." + prefix), entry.hasSuffix("-removing") {
                removeTree(full)
                continue
            }
            guard entry.hasPrefix(prefix) else { continue }
            let rest = entry.dropFirst(prefix.count)
            if rest.count == 16, rest.allSatisfy(\.isHexDigit) {
                if case .success(let l) = FileLock.acquire(full + ".lock", wait: 0) {
                    removeTree(full)
                    l.release()
                }
            } else if rest.count == 21, rest.hasSuffix(".lock"), rest.prefix(16).allSatisfy(\.isHexDigit),
                      access(String(full.dropLast(5)), F_OK) != 0, case .success(let l) = FileLock.acquire(full, wait: 0) {
                l.release()  // a lock whose run died before (or after) its staging folder lived
            } else if rest.hasSuffix("-removing") {
                removeTree(full)
            }
        }
    }

    /// Writes one file of the set; once the run is asked to stop, cleans up and exits instead.
    func write(_ name: String, _ bytes: [UInt8]) throws(WriteError) {
        if Interruption.requested != 0 { Interruption.exitForSignal() }
        let f = try OutputFile(path: (staging as NSString).appendingPathComponent(name), durable: false, createFolders: false)
        do {
            try f.write(bytes: bytes)
            try f.commit()
        } catch {
            f.abandon()
            throw WriteError(path: (final as NSString).appendingPathComponent(name), kind: error.kind, reason: error.reason)
        }
    }

    /// Swaps the set in. `replaces` says which names already in the folder belong to the
    /// old set (compared as a case-folding file system would); everything else is kept.
    /// Returns the names of old entries it could not carry over (left in the hidden folder).
    @discardableResult
    func commit(replaces: (String) -> Bool) throws(WriteError) -> [String] {
        defer { finish() }
        let fm = FileManager.default
        let ours = ((try? fm.contentsOfDirectory(atPath: staging)) ?? []).filter { $0 != ".lock" }
        // Durable before visible.
        for n in ours {
            let fd = open((staging as NSString).appendingPathComponent(n), O_RDONLY | O_CLOEXEC)
            if fd >= 0 { _ = fsync(fd); close(fd) }
        }
        let oursFolded = Set(ours.map(FileNames.fold))
        func keep(_ n: String) -> Bool { !replaces(n) && !oursFolded.contains(FileNames.fold(n)) }
        if oneByOne {
            // Each file whole; then the old set's other spellings go.
            for n in ours where rename((staging as NSString).appendingPathComponent(n), (final as NSString).appendingPathComponent(n)) != 0 {
                throw WriteError(path: (final as NSString).appendingPathComponent(n), errno: errno, folder: final)
            }
            for n in (try? fm.contentsOfDirectory(atPath: final)) ?? [] where !keep(n) && !ours.contains(n) {
                unlink((final as NSString).appendingPathComponent(n))
            }
            removeTree(staging)
            return []
        }
        var isDir: ObjCBool = false
        guard fm.fileExists(atPath: final, isDirectory: &isDir) else {
            if rename(staging, final) == 0 { return [] }
            throw WriteError(path: final, errno: errno, folder: FilePath.parent(final))
        }
        guard isDir.boolValue else { throw WriteError(path: final, kind: .refused, reason: "it is a file, not a folder") }
        // Files to keep are linked into the new folder first, so they are there the moment it
        // is swapped in; folders and anything added meanwhile move across right after.
        for n in (try? fm.contentsOfDirectory(atPath: final)) ?? [] where keep(n) {
            _ = linkat(AT_FDCWD, (final as NSString).appendingPathComponent(n), AT_FDCWD, (staging as NSString).appendingPathComponent(n), 0)
        }
        let old: String
        if exchangePaths(staging, final) {
            old = staging
        } else {
            old = staging + "-old"
            if rename(final, old) != 0 { throw WriteError(path: final, errno: errno, folder: FilePath.parent(final)) }
            if rename(staging, final) != 0 {
                let e = errno
                _ = rename(old, final)
                throw WriteError(path: final, errno: e, folder: FilePath.parent(final))
            }
        }
        var left: [String] = []
        for n in (try? fm.contentsOfDirectory(atPath: old)) ?? [] where keep(n) {
            let dest = (final as NSString).appendingPathComponent(n)
            if fm.fileExists(atPath: dest) { continue }
            if rename((old as NSString).appendingPathComponent(n), dest) != 0 { left.append(n) }
        }
        if left.isEmpty { removeTree(old) }
        return left.map { (old as NSString).appendingPathComponent($0) }
    }

    /// Drops the staging folder (nothing was published).
    func abandon() {
        guard !done else { return }
        removeTree(staging)
        finish()
    }

    private func finish() {
        done = true
        if let t = token { Interruption.remove(t) }
        token = nil
        lock.release()
    }

    deinit { if !done { abandon() } }
}
