import Foundation
import TenkenSyntax

/// Why a file could not be written, in words a person can act on: a full disk, a file system
/// out of inodes and a read-only volume each say so (never "permission"), and an output that
/// tenken refuses says why.
public struct WriteError: Error, Sendable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        case diskFull, noInodes, quota, readOnly, permission, noFolder, ioError, tooLarge, noReader, refused, other
    }
    /// The path as the person gave it (or the file inside a folder they gave).
    public var path: String
    public var kind: Kind
    public var reason: String

    public init(path: String, kind: Kind, reason: String) {
        self.path = path
        self.kind = kind
        self.reason = reason
    }

    /// Classifies `errno` from a failed call on a file in `folder` (statvfs tells a full disk
    /// from one out of inodes: both are ENOSPC).
    public init(path: String, errno code: Int32, folder: String) {
        self.path = path
        switch code {
        case ENOSPC:
            var fs = statvfs()
            if statvfs(folder.isEmpty ? "." : folder, &fs) == 0, fs.f_files > 0, fs.f_favail == 0 {
                kind = .noInodes
                reason = "the file system has no free inodes left (too many files); remove files or use another disk"
            } else {
                kind = .diskFull
                reason = "the disk is full (no space left on the device); free some space or write elsewhere"
            }
        case EDQUOT:
            kind = .quota
            reason = "the disk quota is used up; free some space or write elsewhere"
        case EROFS:
            kind = .readOnly
            reason = "the file system is read-only; write elsewhere"
        case EACCES, EPERM:
            kind = .permission
            reason = "permission denied"
        case ENOENT, ENOTDIR:
            kind = .noFolder
            reason = "the folder does not exist"
        case EIO:
            kind = .ioError
            reason = "input/output error (the disk or network share may be failing)"
        case EFBIG:
            kind = .tooLarge
            reason = "the file is too large for the file system"
        case ENXIO:
            kind = .noReader
            reason = "no process is reading the named pipe; start the reader first"
        case EPIPE:
            kind = .noReader
            reason = "the reader closed the pipe before the report was complete; the report is incomplete"
        default:
            kind = .other
            reason = String(cString: strerror(code))
        }
    }

    public var description: String { SafeText.terminal("cannot write \(path): \(reason)") }
}

/// A process-wide id carried in the name of every temporary file and folder this run makes,
/// so it only ever removes its own, and can tell them from a user's `.x.tmp`.
public enum RunID {
    public static let current: String = {
        let n = UInt64.random(in: 0...UInt64.max)
        let h = String(n, radix: 16)
        return String(repeating: "0", count: 16 - h.count) + h
    }()

    /// `.NAME.tenken-<16 hex>-<n>.tmp`: a temporary file of some tenken run.
    public static func isTemporaryName(_ name: String) -> Bool {
        guard name.hasPrefix("."), name.hasSuffix(".tmp"), let r = name.range(of: ".tenken-", options: .backwards)
        else { return false }
        let tail = name[r.upperBound..<name.index(name.endIndex, offsetBy: -4)]
        let parts = tail.split(separator: "-")
        return parts.count == 2 && parts[0].count == 16 && parts[0].allSatisfy(\.isHexDigit)
            && parts[1].allSatisfy(\.isNumber)
    }
}

/// A write-fault seam for tests: an error injected for files written under a folder, at a
/// step, after some bytes. (Tests that can mount a small tmpfs use a real full disk instead.)
enum WriteFaults {
    struct Rule {
        var folder: String
        var errno: Int32
        var step: Step
        var afterBytes = 0
        /// Files created under the folder before the fault starts.
        var afterFiles = 0
    }
    enum Step { case create, write, commit }

    nonisolated(unsafe) private static var rules: [Rule] = []
    private static let lock = NSLock()

    static func inject(_ r: Rule) { lock.lock(); rules.append(r); lock.unlock() }
    static func clear(folder: String) { lock.lock(); rules.removeAll { $0.folder == folder }; lock.unlock() }

    static func fault(for path: String, _ step: Step, bytes: Int = 0) -> Int32? {
        lock.lock()
        defer { lock.unlock() }
        guard !rules.isEmpty else { return nil }
        guard
            let i = rules.firstIndex(where: {
                path.hasPrefix($0.folder) && $0.step == step && (step != .write || bytes > $0.afterBytes)
            })
        else { return nil }
        if step == .create, rules[i].afterFiles > 0 {
            rules[i].afterFiles -= 1
            return nil
        }
        return rules[i].errno
    }
}

/// A file written in pieces and published whole. A regular file (or a new one) is written to
/// an unnamed temporary file in the same folder (Linux `O_TMPFILE`; elsewhere a hidden
/// `.NAME.tenken-<run>-<n>.tmp` held under an advisory lock) and renamed over the target only
/// when complete, keeping the target's permissions; a run killed at any point leaves the old
/// file whole and no temporary behind. A symbolic link is written through, to its target. A
/// character device or a named pipe is written directly (`direct`, not atomic), a pipe only
/// when a reader is there; a folder, a block device or a socket is refused.
public final class OutputFile {
    /// The path as given, for messages.
    public let path: String
    /// Where the bytes go (symbolic links followed).
    public let target: String
    /// True for a device or a named pipe: written in place, not atomically.
    public let direct: Bool
    /// What the target is, for the note about a direct write ("a character device").
    public let targetKind: String
    /// How many other names (hard links) the replaced file had: they keep its old content,
    /// as the new file is renamed over this name only (`linkNote` says so).
    public private(set) var otherLinks = 0

    let fd: Int32
    let dirFD: Int32
    let folder: String
    let base: String
    var tempName: String?
    let keepMode: mode_t?
    let keepOwner: (uid_t, gid_t)?
    let durable: Bool
    var buffer: [UInt8] = []
    var written = 0
    var finished = false

    static let counter = NSLock()
    nonisolated(unsafe) static var serial = 0

    /// - Parameters:
    ///   - durable: fsync the file and its folder before reporting success (off for the many
    ///     per-facility files of a batch, which are published together by a folder rename).
    ///   - createFolders: create missing parent folders.
    public init(path: String, durable: Bool = true, createFolders: Bool = true) throws(WriteError) {
        self.path = path
        self.durable = durable
        var st = stat()
        var resolved = path
        var existing: stat?
        if path.hasSuffix("/") && stat(path, &st) != 0 {
            throw WriteError(path: path, kind: .refused, reason: "it ends with `/`, as a folder does; give a file name")
        }
        // The process's own descriptors (`/dev/stdout`, `/dev/fd/N`, `/proc/self/fd/N`): written
        // through the descriptor, at its offset, never resolved to the file behind it and
        // replaced (that lost a log the shell was appending to, and what it wrote after).
        // Written in place, not atomically: a descriptor of this process, a device, a pipe.
        var directWrite: (fd: Int32, kind: String)?
        switch OutputFile.descriptor(named: path) {
        case .some(.some(let n)):
            guard fstat(n, &st) == 0 else {
                throw WriteError(
                    path: path, kind: .refused, reason: "it names descriptor \(n) of this process, which is not open")
            }
            if (st.st_mode & S_IFMT) == S_IFDIR {
                throw WriteError(
                    path: path, kind: .refused, reason: "it names descriptor \(n), which is a folder; give a file name")
            }
            let f = fcntl(n, F_DUPFD_CLOEXEC, 0)
            guard f >= 0 else { throw WriteError(path: path, errno: errno, folder: FilePath.parent(path)) }
            directWrite = (
                f, n == 1 ? "the standard output" : n == 2 ? "the standard error" : "descriptor \(n) of this process"
            )
        case .some(.none):
            throw WriteError(
                path: path, kind: .refused, reason: "it names a descriptor of another process; give a file name")
        case .none:
            break
        }
        if directWrite != nil {
            // Nothing to resolve.
        } else if stat(path, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFREG:
                existing = st
                otherLinks = max(0, Int(st.st_nlink) - 1)
                if let r = realpath(path, nil) { resolved = String(cString: r); free(r) }
            case S_IFCHR, S_IFIFO:
                let kind = (st.st_mode & S_IFMT) == S_IFCHR ? "a character device" : "a named pipe (FIFO)"
                // A pipe with no reader would block open() forever: open without waiting, then
                // let writes wait for the reader as usual.
                let flags = O_WRONLY | O_CLOEXEC | O_NOCTTY | ((st.st_mode & S_IFMT) == S_IFIFO ? O_NONBLOCK : 0)
                let f = open(path, flags)
                guard f >= 0 else {
                    let code = errno
                    if code == ENXIO, (st.st_mode & S_IFMT) == S_IFCHR {
                        // Not a pipe: a device with nothing behind it (`/dev/tty` without a controlling terminal).
                        throw WriteError(
                            path: path, kind: .other,
                            reason:
                                "the device is not available (for /dev/tty: this process has no controlling terminal)")
                    }
                    throw WriteError(path: path, errno: code, folder: FilePath.parent(path))
                }
                if (st.st_mode & S_IFMT) == S_IFIFO { _ = fcntl(f, F_SETFL, fcntl(f, F_GETFL) & ~O_NONBLOCK) }
                directWrite = (f, kind)
            case S_IFDIR:
                throw WriteError(
                    path: path, kind: .refused,
                    reason: "it is a folder; give a file name (or --output-dir for a folder)")
            case S_IFBLK:
                throw WriteError(
                    path: path, kind: .refused,
                    reason: "it is a block device (a disk); tenken never writes a report onto one")
            default:
                throw WriteError(
                    path: path, kind: .refused,
                    reason: "it is a socket or another special file, not a file tenken can write")
            }
        } else if errno == ENOENT {
            resolved = OutputFile.danglingTarget(path) ?? path
        } else {
            throw WriteError(path: path, errno: errno, folder: FilePath.parent(path))
        }
        if let (f, kind) = directWrite {
            fd = f
            dirFD = -1
            target = path
            direct = true
            targetKind = kind
            folder = ""
            base = ""
            keepMode = nil
            keepOwner = nil
            buffer.reserveCapacity(1 << 16)
            return
        }
        target = resolved
        direct = false
        targetKind = "a file"
        let dir = FilePath.parent(resolved)
        folder = dir.isEmpty ? "." : dir
        base = (resolved as NSString).lastPathComponent
        keepMode = existing.map { $0.st_mode & 0o7777 }
        keepOwner = existing.flatMap { geteuid() == 0 ? ($0.st_uid, $0.st_gid) : nil }
        if createFolders, access(folder, F_OK) != 0 {
            let e = OutputFile.makeFolders(folder)
            if e != 0 { throw WriteError(path: path, errno: e, folder: OutputFile.existingAncestor(folder)) }
        }
        let d = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard d >= 0 else { throw WriteError(path: path, errno: errno, folder: folder) }
        dirFD = d
        if let e = WriteFaults.fault(for: resolved, .create) {
            close(d)
            throw WriteError(path: path, errno: e, folder: folder)
        }
        var f: Int32 = -1
        #if os(Linux) && (arch(x86_64) || arch(arm64))
        // O_TMPFILE is `__O_TMPFILE | O_DIRECTORY` (asm-generic); Glibc does not export it to Swift.
        let oTmpfile = Int32(0o20000000) | O_DIRECTORY
        // Unnamed until committed: a kill leaves nothing behind. New files get 0666 less the
        // umask. Naming it at the end goes through /proc, so without /proc a named one is used.
        if OutputFile.procFD {
            f = openat(d, ".", oTmpfile | O_WRONLY | O_CLOEXEC, existing == nil ? 0o666 : 0o600)
        }
        if f < 0, ![EOPNOTSUPP, EISDIR, EINVAL, ENOENT].contains(errno) {
            let e = errno
            close(d)
            throw WriteError(path: path, errno: e, folder: folder)
        }
        #endif
        if f < 0 {
            // A named temporary, locked while alive so a later run can tell it from a dead one's.
            while true {
                let name = OutputFile.temporaryName(for: base)
                f = openat(d, name, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, existing == nil ? 0o666 : 0o600)
                if f < 0 {
                    if errno == EEXIST { continue }
                    let e = errno
                    close(d)
                    throw WriteError(path: path, errno: e, folder: folder)
                }
                _ = flock(f, LOCK_EX)
                // A sweeper may have removed the name between open and lock: start again.
                if OutputFile.sameFile(fd: f, dir: d, name: name) { tempName = name; break }
                close(f)
            }
        } else {
            _ = flock(f, LOCK_EX)
        }
        fd = f
        buffer.reserveCapacity(1 << 16)
    }

    /// A note for the person when the replaced file had other names, or nil.
    public var linkNote: String? {
        guard otherLinks > 0 else { return nil }
        return
            "\(path) had \(otherLinks) other name\(otherLinks == 1 ? "" : "s") (hard "
            + "link\(otherLinks == 1 ? "" : "s")); the new file replaces this name only, and the other "
            + "name\(otherLinks == 1 ? " keeps" : "s keep") the old content"
    }

    /// Whether `path`, or a symbolic link on the way to its end, names an open descriptor: the
    /// descriptor's number for this process's own (`/dev/stdout`, `/dev/fd/1`,
    /// `/proc/self/fd/1`, `/proc/<own pid>/fd/1`), `.some(nil)` for another process's, nil
    /// for an ordinary path.
    static func descriptor(named path: String) -> Int32?? {
        let own: Set<String> = ["self", "thread-self", String(getpid())]
        // Lexically only: Foundation's standardizingPath follows links on Linux.
        func parts(_ p: String) -> [String] {
            var out: [String] = []
            for c in p.split(separator: "/", omittingEmptySubsequences: true) where c != "." {
                if c == "..", p.hasPrefix("/") { _ = out.popLast() } else { out.append(String(c)) }
            }
            return out
        }
        // Relative to the working folder (`../../dev/stdout`), as the kernel resolves it.
        var cur = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        for _ in 0..<40 {
            let parts = parts(cur)
            if cur.hasPrefix("/") {
                if parts.count == 2, parts[0] == "dev", let n = ["stdin": 0, "stdout": 1, "stderr": 2][parts[1]] {
                    return .some(Int32(n))
                }
                if parts.count == 3, parts[0] == "dev", parts[1] == "fd", let n = Int32(parts[2]) { return .some(n) }
                if parts.count == 4, parts[0] == "proc", parts[2] == "fd", let n = Int32(parts[3]) {
                    return own.contains(parts[1]) ? .some(n) : .some(nil)
                }
            }
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let len = readlink(cur, &buf, buf.count - 1)
            guard len > 0 else { return nil }
            let link = String(decoding: buf[0..<len].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            cur = link.hasPrefix("/") ? link : (FilePath.parent(cur) + "/" + link)
        }
        return nil
    }

    /// Whether /proc/self/fd is there to give an unnamed file its name.
    static let procFD: Bool = access("/proc/self/fd", F_OK) == 0

    /// The last target of a chain of symbolic links whose end does not exist yet.
    static func danglingTarget(_ path: String) -> String? {
        var cur = path
        var hops = 0
        var st = stat()
        while lstat(cur, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK, hops < 40 {
            var buf = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
            let n = readlink(cur, &buf, buf.count - 1)
            guard n > 0 else { return nil }
            let dest = String(decoding: buf[0..<n].map { UInt8(bitPattern: $0) }, as: UTF8.self)
            cur = dest.hasPrefix("/") ? dest : (FilePath.parent(cur) as NSString).appendingPathComponent(dest)
            hops += 1
        }
        return hops > 0 ? cur : nil
    }

    /// `mkdir -p`; 0 or the errno of the step that failed.
    public static func makeFolders(_ dir: String) -> Int32 {
        if dir.isEmpty || access(dir, F_OK) == 0 { return 0 }
        let parent = FilePath.parent(dir)
        if parent != dir, !parent.isEmpty {
            let e = makeFolders(parent)
            if e != 0 { return e }
        }
        if mkdir(dir, 0o777) != 0, errno != EEXIST { return errno }
        return 0
    }

    public static func existingAncestor(_ dir: String) -> String {
        var d = dir
        while !d.isEmpty, d != "/", access(d, F_OK) != 0 { d = FilePath.parent(d) }
        return d.isEmpty ? "." : d
    }

    static func temporaryName(for base: String) -> String {
        counter.lock()
        serial += 1
        let n = serial
        counter.unlock()
        // A long name is shortened, so the temporary name stays within the 255-byte limit.
        var stem = base
        while stem.utf8.count > 120 { stem.removeLast() }
        return ".\(stem).tenken-\(RunID.current)-\(n).tmp"
    }

    static func sameFile(fd: Int32, dir: Int32, name: String) -> Bool {
        var a = stat(), b = stat()
        return fstat(fd, &a) == 0 && fstatat(dir, name, &b, AT_SYMLINK_NOFOLLOW) == 0 && a.st_dev == b.st_dev
            && a.st_ino == b.st_ino
    }

    public func write(_ s: String) throws(WriteError) {
        buffer.append(contentsOf: s.utf8)
        if buffer.count >= 1 << 16 { try flush() }
    }

    /// `b` appended as it is: a writer's own buffer, with no array or string made of it first.
    public func write(bytes b: UnsafeBufferPointer<UInt8>) throws(WriteError) {
        buffer.append(contentsOf: b)
        if buffer.count >= 1 << 16 { try flush() }
    }

    public func write(bytes: [UInt8]) throws(WriteError) {
        if buffer.isEmpty && bytes.count >= 1 << 16 {
            try writeAll(bytes)
            return
        }
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 16 { try flush() }
    }

    func flush() throws(WriteError) {
        guard !buffer.isEmpty else { return }
        try writeAll(buffer)
        buffer.removeAll(keepingCapacity: true)
    }

    func writeAll(_ bytes: [UInt8]) throws(WriteError) {
        if !direct, let e = WriteFaults.fault(for: target, .write, bytes: written + bytes.count) {
            throw WriteError(path: path, errno: e, folder: folder)
        }
        var off = 0
        while off < bytes.count {
            // `off < bytes.count`: the buffer is not empty, so it has an address.
            guard
                let n = bytes.withUnsafeBytes({ raw in
                    raw.baseAddress.map { Foundation.write(fd, $0 + off, raw.count - off) }
                })
            else {
                throw WriteError(path: path, errno: EIO, folder: folder)
            }
            if n < 0 {
                if errno == EINTR { continue }
                throw WriteError(path: path, errno: errno, folder: direct ? FilePath.parent(path) : folder)
            }
            off += n
        }
        written += bytes.count
    }

    /// Publishes the file: everything written so far replaces the target in one step.
    public func commit() throws(WriteError) {
        precondition(!finished, "committed twice")
        do { try flush() } catch { abandon(); throw error }
        finished = true
        if direct {
            close(fd)
            return
        }
        defer { close(fd); close(dirFD) }
        func fail(_ code: Int32) -> WriteError {
            if let t = tempName { unlinkat(dirFD, t, 0) }
            return WriteError(path: path, errno: code, folder: folder)
        }
        if let e = WriteFaults.fault(for: target, .commit) { throw fail(e) }
        if let m = keepMode { _ = fchmod(fd, m) }
        if let (u, g) = keepOwner { _ = fchown(fd, u, g) }
        if durable, fsync(fd) != 0, errno != EINVAL { throw fail(errno) }
        let named: String
        if let tempName {
            named = tempName
        } else {
            // Give the unnamed file a (temporary) name: link it through /proc.
            let name = OutputFile.temporaryName(for: base)
            if linkat(AT_FDCWD, "/proc/self/fd/\(fd)", dirFD, name, AT_SYMLINK_FOLLOW) != 0 {
                let e = errno
                throw WriteError(path: path, errno: e, folder: folder)
            }
            tempName = name
            named = name
        }
        if renameat(dirFD, named, dirFD, base) != 0 { throw fail(errno) }
        tempName = nil
        if durable { _ = fsync(dirFD) }
    }

    /// Drops what was written; the target is untouched.
    public func abandon() {
        guard !finished else { return }
        finished = true
        if let t = tempName, dirFD >= 0 { unlinkat(dirFD, t, 0) }
        close(fd)
        if dirFD >= 0 { close(dirFD) }
    }

    deinit { abandon() }

    /// Writes `bytes` to `path` whole, or not at all.
    public static func write(_ bytes: [UInt8], to path: String, durable: Bool = true) throws(WriteError) {
        let f = try OutputFile(path: path, durable: durable)
        do {
            try f.write(bytes: bytes)
            try f.commit()
        } catch {
            f.abandon()
            throw error
        }
    }

    /// Removes the temporaries that tenken runs killed in this folder left behind: hidden
    /// `.NAME.tenken-<run>-<n>.tmp` files that no live process holds locked. Nothing else is
    /// ever removed (a user's `.notes.tmp`, another run's file in progress).
    @discardableResult
    public static func sweepAbandonedTemporaries(in folder: String) -> Int {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else { return 0 }
        let d = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard d >= 0 else { return 0 }
        defer { close(d) }
        var removed = 0
        for name in names where RunID.isTemporaryName(name) {
            let f = openat(d, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC)
            guard f >= 0 else { continue }
            var st = stat()
            if fstat(f, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG, flock(f, LOCK_EX | LOCK_NB) == 0,
                sameFile(fd: f, dir: d, name: name)
            {
                if unlinkat(d, name, 0) == 0 { removed += 1 }
            }
            close(f)
        }
        return removed
    }
}
