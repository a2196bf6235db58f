import Foundation
import TenkenData
import TenkenReport

/// The output folder of a batch (or a merge), written as one run or not at all. It prints
/// nothing: what the person should know comes back as `notes` and errors.
///
/// - A lock file (`.tenken.lock`) keeps a second run from writing there at the same time.
/// - Everything the run writes goes into a hidden folder of its own, `.tenken-run-<run id>/`,
///   inside the output folder; the old results stay untouched meanwhile.
/// - At the end a marker (`.complete`, listing what the run produced) is written — the point
///   of no return — and the new `facilities/`, `sarif/` and aggregate files are moved in, the old ones
///   out, name by name. A run stopped before the marker leaves the old results in place; one
///   stopped during the moves is finished by the next run (the marker says the new set is
///   whole); a signal during the moves is noted and the moves finish first. A failed write,
///   or an interruption before the marker, publishes nothing.
/// - Files a person put into the old `facilities/` (anything but tenken's own reports) are
///   carried over into the new one; nothing else in the output folder is ever touched, and
///   nothing is deleted that is not tenken's own report or aggregate (`ownEntry`): whatever
///   else is found in a run's hidden folder is left there and named.
/// - `facilities/`, `sarif/` or an aggregate file that is a symbolic link is refused: publishing
///   replaces them whole, which would replace the link and move the person's files out of
///   the folder it names.
public final class BatchOutput {
    public static let published = [
        "facilities", "aggregate.json", "aggregate-facilities.csv", "aggregate-rules.csv", "aggregate.html",
        SARIFBundle.folder,
    ]
    /// What is published beside `facilities/`: the aggregate files and the SARIF bundle (all a
    /// merge writes, and what a batch's inputs must not be).
    public static let besideFacilities = published.filter { $0 != "facilities" }
    public static let marker = ".complete"
    public static let stagingPrefix = ".tenken-run-"

    public let dir: String
    public let staging: String
    private let lock: FileLock
    private var token: Int?
    private var finished = false
    /// What the person should know about leftovers of earlier runs (printed by `opened`).
    public private(set) var notes: [String] = []

    public enum Failure: Error {
        case busy(FileLock.Failure)
        case write(WriteError)
    }

    /// Locks the folder, finishes or removes what earlier runs left, and makes the staging folder.
    public init(dir: String, graceful: Bool) throws(Failure) {
        self.dir = dir
        if let problem = OutputFolder.problem(dir) { throw .write(problem) }
        for name in BatchOutput.published {
            var st = stat()
            let path = (dir as NSString).appendingPathComponent(name)
            if lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFLNK {
                throw .write(
                    WriteError(
                        path: path, kind: .refused,
                        reason:
                            "it is a symbolic link; a batch replaces \(name) as a whole, which would replace the link"
                            + (BatchOutput.aggregateNames.contains(name)
                                ? "" : " and move your files out of the folder it names")
                            + "; make it a \(BatchOutput.aggregateNames.contains(name) ? "file" : "folder") of its "
                            + "own, or choose another output folder"
                    ))
            }
        }
        switch FileLock.acquire((dir as NSString).appendingPathComponent(".tenken.lock"), wait: 0) {
        case .success(let l): lock = l
        case .failure(let f): throw .busy(f)
        }
        staging = (dir as NSString).appendingPathComponent(BatchOutput.stagingPrefix + RunID.current)
        notes = BatchOutput.recover(dir)
        if mkdir(staging, 0o777) != 0 { throw .write(WriteError(path: dir, errno: errno, folder: dir)) }
        let (s, l) = (staging, lock)
        // Before the marker the folder holds only what this run wrote; the handler never runs
        // this once the publication has begun.
        token = Interruption.onInterrupt(graceful: graceful) {
            removeOwnedTree(s, own: BatchOutput.ownEntry)
            l.release()
        }
    }

    /// Where the run writes `name` (a facility's report folder lives under `facilities/`).
    public func path(_ name: String) -> String { (staging as NSString).appendingPathComponent(name) }

    /// Publishes what the run wrote under the published names. `replacing` names the old
    /// results that go even when this run did not produce them (a batch with `--format none`
    /// leaves no stale `facilities/` behind); others are left alone (a merge has no reports).
    /// Returns notes for the person (files of theirs that could not be carried over, left in
    /// the run's hidden folder).
    @discardableResult
    public func publish(replacing: [String]) throws(WriteError) -> [String] {
        let produced = BatchOutput.published.filter { FileManager.default.fileExists(atPath: path($0)) }
        let manifest =
            (produced.map { "+" + $0 } + replacing.filter { !produced.contains($0) }.map { "-" + $0 }).joined(
                separator: "\n") + "\n"
        BatchOutput.syncFileSystem(staging)
        // Asked to stop before the point of no return: nothing is published.
        if Interruption.requested != 0 { Interruption.exitForSignal() }
        let notes = try Interruption.publishing { () throws(WriteError) -> [String] in
            try OutputFile.write(Array(manifest.utf8), to: path(BatchOutput.marker))
            return BatchOutput.finish(staging, in: dir)
        }
        close()
        return notes
    }

    /// Drops everything the run wrote; the output folder keeps the previous results.
    public func discard() {
        guard !finished else { return }
        removeOwnedTree(staging, own: BatchOutput.ownEntry)
        close()
    }

    /// What a run's hidden folder may hold, by path inside it: the aggregate files, the
    /// marker, `facilities/<id>/` with report files, temporaries, and the same under
    /// `.replaced/` (the results a publication moved out, possibly with a `.N` suffix).
    public static func ownEntry(_ rel: [String], _ isDir: Bool) -> Bool {
        guard var first = rel.first else { return false }
        if first == ".replaced", rel.count == 1 { return isDir }
        var rest = Array(rel.dropFirst())
        if first == ".replaced" {
            // moveAside names a second result `facilities.1`.
            first = rest.removeFirst()
            if let dot = first.lastIndex(of: "."), first[first.index(after: dot)...].allSatisfy(\.isNumber),
                !first[first.index(after: dot)...].isEmpty,
                published.contains(String(first[..<dot]))
            {
                first = String(first[..<dot])
            }
        } else if rel.count == 1, !isDir, first == marker || RunID.isTemporaryName(first) {
            return true
        }
        if first == "facilities" {
            switch rest.count {
            case 0, 1: return isDir
            case 2: return !isDir && (reportNames.contains(rest[1]) || RunID.isTemporaryName(rest[1]))
            default: return false
            }
        }
        if first == SARIFBundle.folder {
            switch rest.count {
            case 0: return isDir
            case 1: return !isDir && (SARIFBundle.isFileName(rest[0]) || RunID.isTemporaryName(rest[0]))
            default: return false
            }
        }
        return rest.isEmpty && !isDir && (aggregateNames.contains(first) || RunID.isTemporaryName(first))
    }

    /// The aggregate's file names: what is published beside the two folders.
    public static let aggregateNames = Set(besideFacilities.filter { $0 != SARIFBundle.folder })

    /// The file names of a facility's reports.
    public static let reportNames = Set(ReportFormat.allCases.map(\.fileName))

    private func close() {
        finished = true
        if let t = token { Interruption.remove(t) }
        token = nil
        lock.release()
    }

    deinit { discard() }

    // MARK: finishing and recovering

    /// Completes a staged run whose marker exists; idempotent, so a run killed half-way
    /// through is completed by the next one. Returns notes on what could not be cleared.
    static func finish(_ staging: String, in dir: String) -> [String] {
        let fm = FileManager.default
        // The loaders' reader (FileManager.contents(atPath:) leaks its buffer on an empty file, seen under ASan).
        guard
            case .success(let data) = readInput((staging as NSString).appendingPathComponent(marker), maxBytes: 1 << 20)
        else {
            return []
        }
        let lines = String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
        let produced = lines.filter { $0.hasPrefix("+") }.map { String($0.dropFirst()) }
        let stale = lines.filter { $0.hasPrefix("-") }.map { String($0.dropFirst()) }
        let aside = (staging as NSString).appendingPathComponent(".replaced")
        _ = mkdir(aside, 0o777)
        // A person's files in the old facilities/ go into the new one — or into one of their own
        // when this run wrote no reports (--format none), rather than with the old reports.
        let cur = (dir as NSString).appendingPathComponent("facilities"),
            new = (staging as NSString).appendingPathComponent("facilities")
        if fm.fileExists(atPath: cur) {
            let made = !fm.fileExists(atPath: new) && (stale.contains("facilities") || produced.contains("facilities"))
            if made { _ = mkdir(new, 0o777) }
            // (A merge neither writes nor replaces facilities/: it is left alone.)
            if made || (produced.contains("facilities") && fm.fileExists(atPath: new)) {
                carryOver(from: cur, into: new)
            }
            if made, ((try? fm.contentsOfDirectory(atPath: new)) ?? []).isEmpty { _ = rmdir(new) }
        }
        for name in published {
            let current = (dir as NSString).appendingPathComponent(name),
                next = (staging as NSString).appendingPathComponent(name)
            if fm.fileExists(atPath: next) {
                if fm.fileExists(atPath: current) { moveAside(current, into: aside) }
                _ = rename(next, current)
            } else if stale.contains(name), fm.fileExists(atPath: current) {
                moveAside(current, into: aside)
            }
        }
        // Published: the marker goes first, so the folder is no longer a publication to finish.
        unlink((staging as NSString).appendingPathComponent(marker))
        return cleared(staging)
    }

    /// Removes a run's hidden folder as far as it is tenken's own; notes what was left.
    static func cleared(_ staging: String) -> [String] {
        let kept = removeOwnedTree(staging, own: ownEntry)
        guard !kept.isEmpty else { return [] }
        return [
            "\(staging) holds \(kept.count) entr\(kept.count == 1 ? "y" : "ies") tenken did not write "
                + "(\(kept.prefix(3).joined(separator: ", "))\(kept.count > 3 ? ", …" : "")); "
                + "they are left there: move them where they belong"
        ]
    }

    /// Before a run (the folder's lock held, so no live run owns them): a staging folder with
    /// its marker is finished; one without (a run that died mid-way) is cleared as far as it
    /// is tenken's own. Returns notes on anything left.
    public static func recover(_ dir: String) -> [String] {
        var notes: [String] = []
        for name in (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [] {
            let full = (dir as NSString).appendingPathComponent(name)
            if name.hasPrefix(stagingPrefix), name.count == stagingPrefix.count + 16 {
                notes +=
                    FileManager.default.fileExists(atPath: (full as NSString).appendingPathComponent(marker))
                    ? finish(full, in: dir) : cleared(full)
            } else if name.hasPrefix("." + stagingPrefix), name.hasSuffix("-removing") {
                notes += cleared(full)  // left by an older tenken's removal
            }
        }
        OutputFile.sweepAbandonedTemporaries(in: dir)
        return notes
    }

    static func moveAside(_ path: String, into aside: String) {
        var dest = (aside as NSString).appendingPathComponent((path as NSString).lastPathComponent)
        var n = 1
        while FileManager.default.fileExists(atPath: dest) {
            dest = (aside as NSString).appendingPathComponent("\((path as NSString).lastPathComponent).\(n)"); n += 1
        }
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
            for entry in (try? fm.contentsOfDirectory(atPath: o)) ?? []
            where !reports.contains(entry) && !RunID.isTemporaryName(entry) {
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
