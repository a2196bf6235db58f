import Foundation
import TenkenData
import TenkenReport

/// The output folder of a batch (or a merge), written as one run or not at all.
///
/// - A lock file (`.tenken.lock`) keeps a second run from writing there at the same time.
/// - Everything the run writes goes into a hidden folder of its own, `.tenken-run-<run id>/`,
///   inside the output folder; the old results stay untouched meanwhile.
/// - At the end a marker (`.complete`, listing what the run produced) is written, and the
///   new `facilities/`, `sarif/` and aggregate files are moved in, the old ones out, name by name.
///   A run stopped before the marker leaves the old results in place; one stopped during the
///   moves is finished by the next run (the marker says the new set is whole). A failed
///   write, or an interruption, publishes nothing.
/// - Files a person put into the old `facilities/` (anything but tenken's own reports) are
///   carried over into the new one; nothing else in the output folder is ever touched.
final class BatchOutput {
    static let published = ["facilities", "aggregate.json", "aggregate-facilities.csv", "aggregate-rules.csv", "aggregate.html", SARIFBundle.folder]
    static let marker = ".complete"
    static let stagingPrefix = ".tenken-run-"

    let dir: String
    let staging: String
    private let lock: FileLock
    private var token: Int?
    private var finished = false

    enum Failure: Error {
        case busy(FileLock.Failure)
        case write(WriteError)
    }

    /// Locks the folder, finishes or removes what earlier runs left, and makes the staging folder.
    init(dir: String, graceful: Bool) throws(Failure) {
        self.dir = dir
        if let problem = CLI.folderProblem(dir) { throw .write(problem) }
        switch FileLock.acquire((dir as NSString).appendingPathComponent(".tenken.lock"), wait: 0) {
        case .success(let l): lock = l
        case .failure(let f): throw .busy(f)
        }
        staging = (dir as NSString).appendingPathComponent(BatchOutput.stagingPrefix + RunID.current)
        BatchOutput.recover(dir)
        if mkdir(staging, 0o777) != 0 { throw .write(WriteError(path: dir, errno: errno, folder: dir)) }
        let (s, l) = (staging, lock)
        token = Interruption.onInterrupt(graceful: graceful) {
            removeTree(s)
            l.release()
        }
    }

    /// Opens the folder for a run, or says why not (another run holds it, it cannot be made).
    static func opened(_ dir: String, graceful: Bool, _ console: Console) -> BatchOutput? {
        do { return try BatchOutput(dir: dir, graceful: graceful) } catch {
            switch error {
            case .busy(let f): console.err(CLI.lockMessage(f, folder: dir))
            case .write(let w): console.err("error: \(w); nothing was written\n")
            }
            return nil
        }
    }

    /// Where the run writes `name` (a facility's report folder lives under `facilities/`).
    func path(_ name: String) -> String { (staging as NSString).appendingPathComponent(name) }

    /// Publishes what the run wrote under the published names. `replacing` names the old
    /// results that go even when this run did not produce them (a batch with `--format none`
    /// leaves no stale `facilities/` behind); others are left alone (a merge has no reports).
    func publish(replacing: [String]) throws(WriteError) {
        let produced = BatchOutput.published.filter { FileManager.default.fileExists(atPath: path($0)) }
        let manifest = (produced.map { "+" + $0 } + replacing.filter { !produced.contains($0) }.map { "-" + $0 }).joined(separator: "\n") + "\n"
        BatchOutput.syncFileSystem(staging)
        try OutputFile.write(Array(manifest.utf8), to: path(BatchOutput.marker))
        BatchOutput.finish(staging, in: dir)
        close()
    }

    /// Drops everything the run wrote; the output folder keeps the previous results.
    func discard() {
        guard !finished else { return }
        removeTree(staging)
        close()
    }

    private func close() {
        finished = true
        if let t = token { Interruption.remove(t) }
        token = nil
        lock.release()
    }

    deinit { discard() }

    // MARK: finishing and recovering

    /// Completes a staged run whose marker exists; idempotent, so a run killed half-way
    /// through is completed by the next one.
    static func finish(_ staging: String, in dir: String) {
        let fm = FileManager.default
        // The loaders' reader (FileManager.contents(atPath:) leaks its buffer on an empty file, seen under ASan).
        guard let data = readInputFile((staging as NSString).appendingPathComponent(marker), maxBytes: 1 << 20).0 else { return }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let produced = lines.filter { $0.hasPrefix("+") }.map { String($0.dropFirst()) }
        let stale = lines.filter { $0.hasPrefix("-") }.map { String($0.dropFirst()) }
        let aside = (staging as NSString).appendingPathComponent(".replaced")
        _ = mkdir(aside, 0o777)
        // A person's files in the old facilities/ go into the new one — or into one of their own
        // when this run wrote no reports (--format none), rather than with the old reports.
        let cur = (dir as NSString).appendingPathComponent("facilities"), new = (staging as NSString).appendingPathComponent("facilities")
        if fm.fileExists(atPath: cur) {
            let made = !fm.fileExists(atPath: new) && (stale.contains("facilities") || produced.contains("facilities"))
            if made { _ = mkdir(new, 0o777) }
            // (A merge neither writes nor replaces facilities/: it is left alone.)
            if made || (produced.contains("facilities") && fm.fileExists(atPath: new)) { carryOver(from: cur, into: new) }
            if made, ((try? fm.contentsOfDirectory(atPath: new)) ?? []).isEmpty { _ = rmdir(new) }
        }
        for name in published {
            let current = (dir as NSString).appendingPathComponent(name), next = (staging as NSString).appendingPathComponent(name)
            if fm.fileExists(atPath: next) {
                if fm.fileExists(atPath: current) { moveAside(current, into: aside) }
                _ = rename(next, current)
            } else if stale.contains(name), fm.fileExists(atPath: current) {
                moveAside(current, into: aside)
            }
        }
        removeTree(staging)
    }

    /// Before a run: a staging folder with its marker is finished; one without (a run that
    /// died mid-way — the lock says no live run owns it) is removed.
    static func recover(_ dir: String) {
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            let full = (dir as NSString).appendingPathComponent(name)
            if name.hasPrefix(stagingPrefix), name.count == stagingPrefix.count + 16 {
                if FileManager.default.fileExists(atPath: (full as NSString).appendingPathComponent(marker)) { finish(full, in: dir) } else { removeTree(full) }
            } else if name.hasPrefix("."), name.hasSuffix("-removing"), name.contains(".tenken-") {
                removeTree(full)
            }
        }
        OutputFile.sweepAbandonedTemporaries(in: dir)
    }

    static func moveAside(_ path: String, into aside: String) {
        var dest = (aside as NSString).appendingPathComponent((path as NSString).lastPathComponent)
        var n = 1
        while FileManager.default.fileExists(atPath: dest) { dest = (aside as NSString).appendingPathComponent("\((path as NSString).lastPathComponent).\(n)"); n += 1 }
        _ = rename(path, dest)
    }

    /// Moves every file under the old `facilities/` that tenken did not write into the new one.
    static func carryOver(from old: String, into new: String) {
        let fm = FileManager.default
        let reports = Set(ReportFormat.allCases.map(\.fileName))
        guard let ids = try? fm.contentsOfDirectory(atPath: old) else { return }
        for id in ids {
            let o = (old as NSString).appendingPathComponent(id), n = (new as NSString).appendingPathComponent(id)
            var isDir: ObjCBool = false
            guard fm.fileExists(atPath: o, isDirectory: &isDir) else { continue }
            if !isDir.boolValue {
                if !fm.fileExists(atPath: n) { _ = rename(o, n) }
                continue
            }
            for entry in (try? fm.contentsOfDirectory(atPath: o)) ?? [] where !reports.contains(entry) && !RunID.isTemporaryName(entry) {
                let dest = (n as NSString).appendingPathComponent(entry)
                if fm.fileExists(atPath: dest) { continue }
                _ = OutputFile.makeFolders(n)
                _ = rename((o as NSString).appendingPathComponent(entry), dest)
            }
        }
    }

    /// Flushes the file system holding `path` (Linux `syncfs`), so the files are on disk
    /// before the marker that publishes them; a no-op where the call is missing.
    static func syncFileSystem(_ path: String) {
        typealias SyncFS = @convention(c) (Int32) -> Int32
        struct Fn: @unchecked Sendable { let f: SyncFS? }
        enum Cache {
            static let fn: Fn = {
                #if os(Linux)
                guard let h = dlopen(nil, RTLD_NOW), let sym = dlsym(h, "syncfs") else { return Fn(f: nil) }
                return Fn(f: unsafeBitCast(sym, to: SyncFS.self))
                #else
                return Fn(f: nil)
                #endif
            }()
        }
        guard let f = Cache.fn.f else { return }
        let fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard fd >= 0 else { return }
        _ = f(fd)
        Foundation.close(fd)
    }
}
