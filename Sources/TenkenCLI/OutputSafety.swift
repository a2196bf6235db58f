import Foundation
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
    static func fold(_ s: String) -> String { s.precomposedStringWithCanonicalMapping.lowercased() }
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
            return WriteError(path: path, kind: .refused, reason: input == path ? "it is one of this run's inputs; tenken never writes a report over its input"
                              : "it is the same file as the input \(input); tenken never writes a report over its input")
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
            let up = (cur as NSString).deletingLastPathComponent
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
            guard fd >= 0 else { return .failure(.io(WriteError(path: path, errno: errno, folder: (path as NSString).deletingLastPathComponent))) }
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
