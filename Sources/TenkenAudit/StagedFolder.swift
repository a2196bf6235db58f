import Foundation
import TenkenData
import TenkenReport
import TenkenSyntax

/// The file names of a facility folder of one pack's schema, compared as a case- or
/// normalisation-folding file system compares them (`Staff.CSV`, a decomposed `職員.csv`).
public struct FacilityFiles: Sendable {
    public static func fold(_ name: String) -> String { FileNames.fold(name) }

    /// Every table of the schema, by its English and its Japanese name (a file a run may
    /// replace or must not overwrite).
    public let tables: Set<String>
    /// What the loaders read from a facility folder: its tables, `snapshot.json`, and the JSON
    /// companions beside a snapshot (`companion S replaces json …`).
    public let read: Set<String>
    /// What `convert --to csv` and `init` write into one: tables, `snapshot.json`, `README.txt`.
    public let written: Set<String>

    /// The files of a facility folder read with `schema` (`LoadedPack.schema`).
    public init(schema: PackSchema) {
        tables = Set(schema.tables.flatMap { [Self.fold($0.name + ".csv"), Self.fold($0.nameJa + ".csv")] })
        read = tables.union((["snapshot.json"] + (schema.replacingCompanion?.jsonFiles ?? [])).map(Self.fold))
        written = tables.union(["snapshot.json", "README.txt"].map(Self.fold))
    }

    public func isTable(_ name: String) -> Bool { tables.contains(Self.fold(name)) }
    /// A workbook in a facility folder is read too (as the facility, or refused beside tables).
    public func isRead(_ name: String) -> Bool {
        read.contains(Self.fold(name)) || (Self.isWorkbook(name) && !name.hasPrefix("~$"))
    }
    public func isWritten(_ name: String) -> Bool { written.contains(Self.fold(name)) }

    /// Extensions read as a workbook: `.xlsx` and `.xlsm`, and the spreadsheet files a person
    /// may give instead (`.xls`, `.xlsb`, `.ods`), which the workbook reader refuses saying
    /// how to save them as `.xlsx`.
    public static let workbookExtensions: Set<String> = ["xlsx", "xlsm", "xls", "xlsb", "ods"]

    /// Whether `path` names a workbook (by its extension, case-insensitively).
    public static func isWorkbook(_ path: String) -> Bool {
        workbookExtensions.contains(FilePath.fileExtension(path))
    }
}

/// A set of files published into a folder as one, touching nothing else in it.
///
/// - A folder that does not exist yet is written whole beside it (`.NAME.tenken-<run>`) and
///   renamed into place in one step.
/// - Into a folder that exists, the set is written into a hidden folder inside it
///   (`.tenken-staging-<run>`); then a journal naming the files to move in and the old
///   spellings to drop (`.publish`) is written durably — the point of no return — and the
///   files are renamed in one by one. A run stopped before the journal leaves the folder as it
///   was; one stopped after it is finished by the next `convert` or `init` into the folder, and
///   until then `check` refuses the folder (`data.unfinished-write`) instead of reading a
///   mixture. The person's other files and folders are never moved, and the folder itself
///   stays the same folder (a shell inside it stays inside it).
/// - A signal stops the run cleanly before the journal (graceful, at its next file); after
///   it, the publication finishes first (`Interruption.publishing`).
/// - What stopped runs left is cleared only as far as it is tenken's own (`recover`): a file
///   the set writes goes, anything else is moved back into the folder or left and named.
///
/// `convert --to csv` and `init` write this way.
public final class StagedFolder {
    public let final: String
    public let staging: String
    /// The folder did not exist: the set is renamed into place whole.
    public let fresh: Bool
    /// The names the set may hold (the pack's tables, `snapshot.json`, `README.txt`).
    public let files: FacilityFiles
    private let lock: FileLock
    private var token: Int?
    private var done = false

    public static let insidePrefix = ".tenken-staging-"
    public static let journal = ".publish"

    public init(final given: String, files: FacilityFiles) throws(WriteError) {
        self.files = files
        // A link to a folder is followed: the folder it names is the one written.
        final = StagedFolder.resolved(given)
        let parent = StagedFolder.parent(of: final)
        let e = OutputFile.makeFolders(parent)
        if e != 0 { throw WriteError(path: final, errno: e, folder: OutputFile.existingAncestor(parent)) }
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: final, isDirectory: &isDir)
        if exists, !isDir.boolValue {
            throw WriteError(path: given, kind: .refused, reason: "it is a file, not a folder")
        }
        fresh = !exists
        let path =
            fresh
            ? (parent as NSString).appendingPathComponent(
                ".\((final as NSString).lastPathComponent).tenken-\(RunID.current)")
            : (final as NSString).appendingPathComponent(StagedFolder.insidePrefix + RunID.current)
        // Held while the staging folder lives, so a later run can tell a dead run's from a live one's.
        switch FileLock.acquire(path + ".lock", wait: 0) {
        case .success(let l): lock = l
        case .failure(.io(let w)): throw WriteError(path: final, kind: w.kind, reason: w.reason)
        case .failure(.busy): throw WriteError(path: final, kind: .other, reason: "another tenken run is writing it")
        }
        if mkdir(path, 0o777) != 0 {
            let code = errno
            lock.release()
            throw WriteError(path: final, errno: code, folder: FilePath.parent(path))
        }
        staging = path
        // Graceful: the signal is acted on by this thread at its next file, so the staging
        // folder is removed by the thread that writes it, never raced by the handler, and
        // never once the journal exists (the handler leaves a publication alone).
        let l = lock
        token = Interruption.onInterrupt(graceful: true) {
            removeOwnedTree(path, own: StagedFolder.ownEntry(files))
            l.release()
        }
    }

    public static func resolved(_ path: String) -> String {
        guard let r = realpath(path, nil) else { return path }
        defer { free(r) }
        return String(cString: r)
    }

    public static func parent(of path: String) -> String {
        let p = FilePath.parent(path)
        return p.isEmpty ? "." : p
    }

    /// What a staging folder may hold: the set's files (`files.written`), temporaries and the
    /// journal, flat.
    public static func ownEntry(_ files: FacilityFiles) -> @Sendable ([String], Bool) -> Bool {
        { rel, isDir in
            guard rel.count == 1, !isDir else { return false }
            return files.isWritten(rel[0]) || RunID.isTemporaryName(rel[0]) || rel[0] == journal
        }
    }

    /// Writes one file of the set; once the run is asked to stop, cleans up and exits instead.
    public func write(_ name: String, _ bytes: [UInt8]) throws(WriteError) {
        if Interruption.requested != 0 { Interruption.exitForSignal() }
        let f = try OutputFile(
            path: (staging as NSString).appendingPathComponent(name), durable: false, createFolders: false)
        do {
            try f.write(bytes: bytes)
            try f.commit()
        } catch {
            f.abandon()
            throw WriteError(
                path: (final as NSString).appendingPathComponent(name), kind: error.kind, reason: error.reason)
        }
    }

    /// Publishes the set. `replaces` says which names already in the folder belong to the old
    /// set (compared as a folding file system would): they go; everything else stays untouched.
    public func commit(replaces: (String) -> Bool) throws(WriteError) {
        defer { finish() }
        let fm = FileManager.default
        let ours = ((try? fm.contentsOfDirectory(atPath: staging)) ?? []).filter { files.isWritten($0) }
            .sorted()
        // Durable before visible.
        for n in ours {
            let fd = open((staging as NSString).appendingPathComponent(n), O_RDONLY | O_CLOEXEC)
            if fd >= 0 { _ = fsync(fd); close(fd) }
        }
        StagedFolder.sync(staging)
        // Asked to stop before the point of no return: nothing is published.
        if Interruption.requested != 0 { Interruption.exitForSignal() }
        if fresh {
            try Interruption.publishing { () throws(WriteError) in
                if rename(staging, final) != 0 {
                    throw WriteError(path: final, errno: errno, folder: StagedFolder.parent(of: final))
                }
            }
            StagedFolder.sync(StagedFolder.parent(of: final))
            return
        }
        let oursFolded = Set(ours.map(FacilityFiles.fold))
        let stale = ((try? fm.contentsOfDirectory(atPath: final)) ?? []).filter { n in
            !ours.contains(n) && (replaces(n) || oursFolded.contains(FacilityFiles.fold(n)))
                && StagedFolder.isRegularFile((final as NSString).appendingPathComponent(n))
        }.sorted()
        let text = (ours.map { "+" + $0 } + stale.map { "-" + $0 }).joined(separator: "\n") + "\n"
        try Interruption.publishing { () throws(WriteError) in
            // The journal, on disk, is the point of no return.
            try OutputFile.write(
                Array(text.utf8), to: (staging as NSString).appendingPathComponent(StagedFolder.journal))
            if let problem = StagedFolder.apply(staging: staging, into: final, files: files) {
                throw WriteError(path: final, kind: .other, reason: problem)
            }
        }
        removeOwnedTree(staging, own: StagedFolder.ownEntry(files))
    }

    /// Drops the staging folder (nothing was published).
    public func abandon() {
        guard !done else { return }
        removeOwnedTree(staging, own: StagedFolder.ownEntry(files))
        finish()
    }

    private func finish() {
        done = true
        if let t = token { Interruption.remove(t) }
        token = nil
        lock.release()
    }

    deinit { if !done { abandon() } }

    // MARK: the journal

    /// Carries out a staging folder's journal: each listed file moved in (it replaces the one
    /// of that name), then each listed old spelling removed; the journal goes last. Idempotent,
    /// so a run stopped half-way is finished by the next. Only the set's own names are acted
    /// on, never a path. Returns what went wrong, or nil.
    public static func apply(staging: String, into final: String, files: FacilityFiles) -> String? {
        let journalPath = (staging as NSString).appendingPathComponent(journal)
        guard case .success(let bytes) = readInput(journalPath, maxBytes: 1 << 20) else {
            return "cannot read \(journalPath)"
        }
        let lines = String(decoding: bytes, as: UTF8.self).split(separator: "\n").map(String.init)
        func named(_ l: String) -> String? {
            let n = String(l.dropFirst())
            return files.isWritten(n) && !n.contains("/") ? n : nil
        }
        var failed: [String] = []
        for l in lines where l.hasPrefix("+") {
            guard let n = named(l) else { continue }
            let from = (staging as NSString).appendingPathComponent(n),
                to = (final as NSString).appendingPathComponent(n)
            if access(from, F_OK) == 0, rename(from, to) != 0 {
                failed.append("\(n): \(String(cString: strerror(errno)))")
            }
        }
        guard failed.isEmpty else {
            return
                "could not move \(failed.joined(separator: ", ")) into place; the new set waits in \(staging), and "
                + "the next `tenken convert` or `tenken init` into \(final) finishes moving it in"
        }
        for l in lines where l.hasPrefix("-") {
            guard let n = named(l) else { continue }
            let p = (final as NSString).appendingPathComponent(n)
            if isRegularFile(p) { unlink(p) }
        }
        sync(final)
        unlink(journalPath)
        return nil
    }

    public static func isRegularFile(_ path: String) -> Bool {
        var st = stat()
        return lstat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFREG
    }

    public static func sync(_ dir: String) {
        let fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 { _ = fsync(fd); close(fd) }
    }

    // MARK: what stopped runs left

    /// The staging folder in `folder` whose journal says a publication was stopped half-way
    /// (no live run holds it), if any. A live run's is waited for, briefly: it is moving a
    /// handful of files.
    public static func unfinishedPublication(in folder: String) -> String? {
        let deadline = Date().addingTimeInterval(5)
        while true {
            var live = false
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []
            where isRunFolder(entry, prefix: insidePrefix) {
                let full = (folder as NSString).appendingPathComponent(entry)
                guard access((full as NSString).appendingPathComponent(journal), F_OK) == 0 else { continue }
                switch FileLock.acquire(full + ".lock", wait: 0) {
                case .success(let l):
                    l.release()
                    return full
                case .failure: live = true
                }
            }
            if !live || Date() >= deadline { return nil }
            usleep(20_000)
        }
    }

    public static func isRunFolder(_ entry: String, prefix: String) -> Bool {
        guard entry.hasPrefix(prefix) else { return false }
        let rest = entry.dropFirst(prefix.count)
        return rest.count == 16 && rest.allSatisfy(\.isHexDigit)
    }

    /// Finishes and clears what stopped runs left in and beside `folder` before a new run
    /// writes there: a journaled publication is finished; a staging folder is emptied of the
    /// set's files; anything else in one (a person's file an older tenken moved there while
    /// swapping folders) is moved back into the folder when its name is free there, and
    /// otherwise left where it is. Returns notes for the person, naming what was left or moved.
    public static func recover(_ given: String, files: FacilityFiles) -> [String] {
        let final = resolved(given)
        let parent = parent(of: final)
        let name = (final as NSString).lastPathComponent
        let fm = FileManager.default
        var folderExists: Bool {
            var isDir: ObjCBool = false
            return fm.fileExists(atPath: final, isDirectory: &isDir) && isDir.boolValue
        }
        var notes: [String] = []
        func clear(_ leftover: String, lockPath: String?) {
            var held: FileLock?
            if let lockPath {
                guard case .success(let l) = FileLock.acquire(lockPath, wait: 0) else { return }  // a live run's
                held = l
            }
            defer { held?.release() }
            if access((leftover as NSString).appendingPathComponent(journal), F_OK) == 0, folderExists {
                if let problem = apply(staging: leftover, into: final, files: files) { notes.append(problem); return }
            }
            notes += salvage(leftover, into: folderExists ? final : nil, files: files)
        }
        if folderExists {
            for entry in (try? fm.contentsOfDirectory(atPath: final)) ?? [] {
                let full = (final as NSString).appendingPathComponent(entry)
                if isRunFolder(entry, prefix: insidePrefix) {
                    clear(full, lockPath: full + ".lock")
                } else if entry.hasSuffix(".lock"), isRunFolder(String(entry.dropLast(5)), prefix: insidePrefix),
                    access(String(full.dropLast(5)), F_OK) != 0,
                    case .success(let l) = FileLock.acquire(full, wait: 0)
                {
                    l.release()  // a lock whose run died before (or after) its staging folder lived
                } else if entry.hasPrefix("." + insidePrefix), entry.hasSuffix("-removing") {
                    clear(full, lockPath: nil)  // left by an older tenken's removal
                }
            }
        }
        // Beside the folder: a new folder's staging, and what older versions left (a swapped-out folder).
        let prefix = ".\(name).tenken-"
        for entry in (try? fm.contentsOfDirectory(atPath: parent)) ?? []
        where entry.hasPrefix(prefix) || entry.hasPrefix("." + prefix) {
            let full = (parent as NSString).appendingPathComponent(entry)
            if entry.hasPrefix("." + prefix) {
                if entry.hasSuffix("-removing") { clear(full, lockPath: nil) }
                continue
            }
            let rest = String(entry.dropFirst(prefix.count))
            let id = String(rest.prefix(16))
            guard id.count == 16, id.allSatisfy(\.isHexDigit) else { continue }
            let lockPath = (parent as NSString).appendingPathComponent(prefix + id + ".lock")
            switch rest.dropFirst(16) {
            case "-old" where !folderExists:
                // An older tenken moved the folder aside and was stopped before the new one took its place.
                if rename(full, final) == 0 {
                    notes.append("moved \(final) back from \(full), where a stopped tenken run had left it")
                }
            case "", "-old":
                clear(full, lockPath: lockPath)
            case ".lock" where access(String(full.dropLast(5)), F_OK) != 0:
                if case .success(let l) = FileLock.acquire(full, wait: 0) { l.release() }
            default:
                break
            }
        }
        return notes
    }

    /// Empties a leftover staging folder: the set's own files go; a person's entry is moved
    /// back into `final` when its name is free there (an extra hard link to the very file
    /// there is dropped); what cannot go back stays, and the notes say where.
    public static func salvage(_ leftover: String, into final: String?, files: FacilityFiles) -> [String] {
        let ownEntry = ownEntry(files)
        var notes: [String] = []
        var st = stat()
        guard lstat(leftover, &st) == 0, (st.st_mode & S_IFMT) == S_IFDIR else { return [] }
        if let final {
            for entry in (try? FileManager.default.contentsOfDirectory(atPath: leftover)) ?? []
            where !ownEntry([entry], false) || !isRegularFile((leftover as NSString).appendingPathComponent(entry)) {
                let from = (leftover as NSString).appendingPathComponent(entry),
                    to = (final as NSString).appendingPathComponent(entry)
                var a = stat(), b = stat()
                if lstat(to, &b) != 0 {
                    if rename(from, to) == 0 {
                        notes.append("moved \(to) back from \(leftover), where a stopped tenken run had left it")
                    }
                } else if lstat(from, &a) == 0, (a.st_mode & S_IFMT) == S_IFREG, a.st_dev == b.st_dev,
                    a.st_ino == b.st_ino
                {
                    unlink(from)  // the same file, linked twice
                }
            }
        }
        let kept = removeOwnedTree(leftover, own: ownEntry)
        if !kept.isEmpty {
            notes.append(
                "\(leftover) holds \(kept.count) entr\(kept.count == 1 ? "y" : "ies") tenken did not write "
                    + "(\(kept.prefix(3).map { ($0 as NSString).lastPathComponent }.joined(separator: ", "))"
                    + "\(kept.count > 3 ? ", …" : "")); "
                    + "they are left there: move them where they belong")
        }
        return notes
    }
}
