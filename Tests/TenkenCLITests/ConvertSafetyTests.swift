import Foundation
import TenkenAudit
import TenkenBenchKit
import Testing

@testable import TenkenAudit
@testable import TenkenCLI
@testable import TenkenData
@testable import TenkenReport

/// `convert --to csv` and `init` publish a whole set of tables or nothing: a full disk or a
/// kill half-way used to leave new tables beside old ones, which `check` loaded silently.
@Suite struct ConvertSafetyTests {
    /// The file names of an MCS facility folder.
    static let names = FacilityFiles(schema: PackLoader.builtInSchema)

    /// A folder holding an old set of tables (kaede, in English) plus a file of the user's.
    func oldSet(_ root: URL) throws -> String {
        let out = root.appendingPathComponent("tables").path
        #expect(
            runCLI([
                "convert", Repo.root.appendingPathComponent("Fixtures/clinic-kaede").path, "--to", "csv", out, "--lang",
                "en",
            ]).code == 0)
        try writeText("my notes\n", out + "/notes.txt")
        return out
    }

    /// A generated facility (snapshot and inventory) in `dir`.
    func generated(_ dir: String, id: String, size: FacilitySize, seed: UInt64) throws {
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let f = Generator.facility(id: id, size: size, seed: seed)
        try writeText(f.snapshot, dir + "/snapshot.json")
        try writeText(f.devicesCSV, dir + "/devices.csv")
    }

    /// The person's own sub-folders beside the tables (200 scans, to widen any window).
    func addScans(_ out: String) throws {
        for i in 0..<200 {
            try FileManager.default.createDirectory(atPath: out + "/scans-\(i)", withIntermediateDirectories: true)
            try writeText("scan \(i)\n", out + "/scans-\(i)/consent.pdf")
        }
    }

    func hidden(_ parent: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: parent)) ?? []).filter { $0.hasPrefix(".") }
    }

    /// A disk that fills half-way through the new set: the folder keeps the old set, whole,
    /// and nothing hidden is left. A real small tmpfs with room for about half of the new set
    /// where the tests may mount; the fault seam (the fourth new file refused) otherwise.
    @Test func aFullDiskLeavesTheOldSet() throws {
        // A facility whose tables are larger than the old set's, so the old way (table by
        // table) also ran out half-way.
        let scratch = tempDir("convert-ref").path
        defer { try? FileManager.default.removeItem(atPath: scratch) }
        let source = scratch + "/big", reference = scratch + "/t"
        try generated(source, id: "F-MID", size: FacilitySize.huge.scaled(by: 50), seed: 3)
        #expect(runCLI(["convert", source, "--to", "csv", reference]).code == 0)
        let newSize = snapshotTree(reference).values.reduce(0) { $0 + (($1.count + 4095) / 4096) * 4096 }
        let vol = ScratchVolume(size: "4m", inodes: 2000)
        let root = vol?.url ?? tempDir("convert-full")
        defer { if vol == nil { try? FileManager.default.removeItem(at: root) } }
        let out = try oldSet(root)
        let before = snapshotTree(out)
        if vol != nil {
            // Leave room for about half of the new set.
            var n = 0
            while true {
                var fs = statvfs()
                statvfs(root.path, &fs)
                if Int(fs.f_bavail) * Int(fs.f_frsize) <= newSize / 2 { break }
                if !FileManager.default.createFile(
                    atPath: root.path + "/filler\(n)", contents: Data(repeating: 1, count: 4096))
                {
                    break
                }
                n += 1
            }
        } else {
            WriteFaults.inject(.init(folder: root.path + "/", errno: ENOSPC, step: .create, afterFiles: 3))
        }
        defer { WriteFaults.clear(folder: root.path + "/") }
        let r = runCLI(["convert", source, "--to", "csv", out, "--force"])
        #expect(r.code == 2, "\(r.err)")
        #expect(r.err.contains("the disk is full") && r.err.contains("is as it was"), "\(r.err)")
        #expect(snapshotTree(out) == before, "the old set, whole")
        #expect(hidden(root.path).isEmpty, "no staging folder left: \(hidden(root.path))")
        #expect(runCLI(["check", out, "--as-of", "2026-11-01"]).code != 2, "what is there still loads")
    }

    /// Killed at any moment, the folder holds exactly the old set or exactly the new one, or
    /// (killed after the journal, while the files move in) `check` refuses it as unfinished
    /// and the next run finishes the new set; the person's own files and folders are never
    /// moved or lost; the next run removes what the killed one left.
    @Test func aKilledConvertLeavesOneWholeSet() throws {
        let root = tempDir("convert-kill")
        defer { try? FileManager.default.removeItem(at: root) }
        let big = root.appendingPathComponent("big").path
        try generated(big, id: "F-BIG", size: FacilitySize.huge.scaled(by: 20), seed: 7)
        let reference = root.appendingPathComponent("reference").path
        #expect(runCLI(["convert", big, "--to", "csv", reference]).code == 0)
        let newSet = snapshotTree(reference)
        let out = try oldSet(root)
        // The person's folders beside the tables (scans), many of them to widen any window.
        try addScans(out)
        let mine = snapshotTree(out).filter { !Self.names.isWritten($0.key) }
        let oldSet = snapshotTree(out).filter { Self.names.isWritten($0.key) }
        var killed = 0, unfinished = 0
        // Killed as soon as writing begins (a hidden file or folder appears), then a little
        // later, and at fixed times.
        for round in 0..<9 {
            let p = try spawnTenken(["convert", big, "--to", "csv", out, "--force"])
            if round < 6 {
                let deadline = Date().addingTimeInterval(30)
                while p.isRunning, Date() < deadline, hidden(root.path).isEmpty, hidden(out).isEmpty { usleep(500) }
                usleep(UInt32(round) * 3_000)
            } else {
                usleep(UInt32(round - 5) * 400_000)
            }
            if p.isRunning { kill(p.processIdentifier, SIGKILL); killed += 1 }
            #expect(waitFor(p))
            var now = snapshotTree(out).filter { Self.names.isWritten($0.key) }
            #expect(
                snapshotTree(out).filter { !Self.names.isWritten($0.key) && !$0.key.hasPrefix(".") } == mine,
                "the person's files and folders are kept in place (round \(round))")
            if now != oldSet, now != newSet {
                // Stopped after the journal: refused, never read as a mixture; the next run finishes it.
                let c = runCLI(["check", out, "--as-of", "2026-11-01"])
                #expect(c.code == 2 && c.err.contains("data.unfinished-write"), "round \(round): \(c.err.prefix(300))")
                unfinished += 1
                _ = StagedFolder.recover(out, files: Self.names)
                now = snapshotTree(out).filter { Self.names.isWritten($0.key) }
            }
            #expect(
                now == oldSet || now == newSet,
                "after a kill in round \(round): \(now.count) files, neither the old set nor the new")
            if now == newSet {
                // Back to the old set for the next round.
                #expect(
                    runCLI([
                        "convert", Repo.root.appendingPathComponent("Fixtures/clinic-kaede").path, "--to", "csv", out,
                        "--lang", "en", "--force",
                    ]).code == 0)
            }
        }
        #expect(killed > 0, "at least one run was killed mid-way")
        // A run that completes removes what the killed ones left, and keeps the person's files.
        #expect(runCLI(["convert", big, "--to", "csv", out, "--force"]).code == 0)
        #expect(hidden(root.path).isEmpty, "\(hidden(root.path))")
        #expect(hidden(out).isEmpty, "\(hidden(out))")
        #expect(snapshotTree(out).filter { !Self.names.isWritten($0.key) } == mine)
        #expect(snapshotTree(out).filter { Self.names.isWritten($0.key) } == newSet)
        _ = unfinished
    }

    /// Ctrl-C pressed twice, at any moment: the run stops with 130 (never a success that lost
    /// something), and the person's folders stay where they were.
    @Test func aDoubleInterruptNeverLosesThePersonsFiles() throws {
        let root = tempDir("convert-int2")
        defer { try? FileManager.default.removeItem(at: root) }
        let big = root.appendingPathComponent("big").path
        try generated(big, id: "F-BIG", size: FacilitySize.huge.scaled(by: 10), seed: 11)
        let out = try oldSet(root)
        try addScans(out)
        let mine = snapshotTree(out).filter { !Self.names.isWritten($0.key) }
        for round in 0..<6 {
            let p = try spawnTenken(["convert", big, "--to", "csv", out, "--force"])
            let deadline = Date().addingTimeInterval(30)
            while p.isRunning, Date() < deadline, hidden(out).isEmpty { usleep(500) }
            usleep(UInt32(round) * 20_000)
            kill(p.processIdentifier, SIGINT)
            usleep(1_000)
            kill(p.processIdentifier, SIGINT)
            #expect(waitFor(p))
            // Under load the signal can come before the run installs its handlers (the wait
            // for the staging folder timed out): then SIGINT's default action ends it, which is
            // also no success, and it had written nothing yet.
            let killedBySignal = p.terminationReason == .uncaughtSignal && p.terminationStatus == SIGINT
            #expect(
                killedBySignal || p.terminationStatus == 0 || p.terminationStatus == 128 + SIGINT,
                "round \(round): exit \(p.terminationStatus) (\(p.terminationReason == .uncaughtSignal ? "signal" : "exit"))"
            )
            _ = StagedFolder.recover(out, files: Self.names)
            #expect(
                snapshotTree(out).filter { !Self.names.isWritten($0.key) } == mine,
                "round \(round): the person's files are where they were")
            #expect(hidden(out).isEmpty, "round \(round): \(hidden(out))")
        }
    }

    /// A SIGTERM (or Ctrl-C) stops the run and removes its staging folder at once, and says
    /// in one line that nothing was published.
    @Test func aTerminatedConvertCleansUp() throws {
        let root = tempDir("convert-term")
        defer { try? FileManager.default.removeItem(at: root) }
        let big = root.appendingPathComponent("big").path
        try generated(big, id: "F-BIG", size: FacilitySize.huge.scaled(by: 10), seed: 9)
        let out = try oldSet(root)
        let before = snapshotTree(out)
        let errFile = root.appendingPathComponent("stderr.txt").path
        let p = try spawnTenken(["convert", big, "--to", "csv", out, "--force"], stderr: errFile)
        // Wait for the staging folder to appear, then ask the run to stop.
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning, Date() < deadline, !hidden(root.path).contains(where: { !$0.hasSuffix(".lock") }) {
            usleep(5_000)
        }
        kill(p.processIdentifier, SIGTERM)
        #expect(waitFor(p))
        if p.terminationStatus == 128 + SIGTERM {
            #expect(snapshotTree(out) == before)
            #expect(
                try String(contentsOfFile: errFile, encoding: .utf8)
                    == "convert: interrupted; nothing was published, \(out) is as it was\n")
        }
        #expect(hidden(root.path).isEmpty, "\(hidden(root.path))")
    }

    /// Table names a case- or normalisation-folding file system takes for one file: `STAFF.CSV`
    /// or a Japanese name are the old set's too, and never end up beside the new `staff.csv`.
    @Test func tableNamesAreComparedAsAFoldingFileSystemWould() throws {
        let root = tempDir("convert-fold")
        defer { try? FileManager.default.removeItem(at: root) }
        let out = root.appendingPathComponent("t").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try writeText("id\n", out + "/STAFF.CSV")
        try writeText("id\n", out + "/" + "職員.csv".decomposedStringWithCanonicalMapping)
        let refused = runCLI([
            "convert", Repo.root.appendingPathComponent("Fixtures/clinic-kaede").path, "--to", "csv", out,
        ])
        #expect(
            refused.code == 2 && refused.err.contains("STAFF.CSV") && refused.err.contains("--force"), "\(refused.err)")
        #expect(
            runCLI([
                "convert", Repo.root.appendingPathComponent("Fixtures/clinic-kaede").path, "--to", "csv", out,
                "--force",
            ]).code == 0)
        let names = try FileManager.default.contentsOfDirectory(atPath: out)
        #expect(
            !names.contains("STAFF.CSV") && names.contains("staff.csv")
                && !names.contains { $0.precomposedStringWithCanonicalMapping == "職員.csv" })
        #expect(runCLI(["check", out, "--as-of", "2026-11-01"]).err.contains("duplicate-table") == false)
        // init refuses a folder holding a table in any spelling.
        let other = root.appendingPathComponent("u").path
        try FileManager.default.createDirectory(atPath: other, withIntermediateDirectories: true)
        try writeText("id\n", other + "/Devices.CSV")
        let i = runCLI(["init", other])
        #expect(i.code == 2 && i.err.contains("Devices.CSV") && i.err.contains("never overwrites"), "\(i.err)")
    }

    /// convert over its own input: the snapshot file, or the folder of tables it reads.
    @Test func convertOverItsInputIsRefused() throws {
        let dir = try fixtureCopy("clinic-kaede", tag: "convert-self")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let before = snapshotTree(dir.path)
        let r = runCLI(["convert", dir.path, "--to", "csv", dir.path, "--force", "--lang", "en"])
        #expect(r.code == 2 && r.err.contains("it is the input folder"), "\(r.err)")
        #expect(snapshotTree(dir.path) == before)
        let json = dir.deletingLastPathComponent().appendingPathComponent("s.json").path
        #expect(runCLI(["convert", dir.path, "--to", "json", json]).code == 0)
        let j = runCLI(["convert", json, "--to", "json", json, "--force"])
        #expect(j.code == 2 && j.err.contains("never writes over its own input"), "\(j.err)")
    }

    /// Reading a folder: a table under a spelling a case-folding file system takes for it is
    /// found (Windows keeps `Staff.Csv`), and two spellings of one table are refused, never
    /// one read and the other silently left out.
    @Test func theFolderScanFindsEverySpellingOfATable() throws {
        let kaede = try fixtureCopy("clinic-kaede", tag: "scan-fold")
        defer { try? FileManager.default.removeItem(at: kaede.deletingLastPathComponent()) }
        let d = kaede.path
        try FileManager.default.moveItem(atPath: d + "/staff.csv", toPath: d + "/Staff.Csv")
        let (one, oneDiags) = TableFolder.scan(d, schema: PackLoader.builtInSchema)
        #expect(one.files["staff"] == d + "/Staff.Csv" && oneDiags.isEmpty)
        try FileManager.default.copyItem(atPath: d + "/Staff.Csv", toPath: d + "/STAFF.CSV")
        #expect(TableFolder.scan(d, schema: PackLoader.builtInSchema).1.contains { $0.id == "data.duplicate-table" })
        try FileManager.default.removeItem(atPath: d + "/STAFF.CSV")
        // Both normalisation forms of グループ.csv (グ decomposes), made byte for byte (Foundation would fold them).
        let bytes = try Data(contentsOf: URL(fileURLWithPath: d + "/groups.csv"))
        try FileManager.default.removeItem(atPath: d + "/groups.csv")
        var made = 0
        for name in ["グループ.csv".decomposedStringWithCanonicalMapping, "グループ.csv".precomposedStringWithCanonicalMapping]
        {
            let fd = open(d + "/" + name, O_CREAT | O_EXCL | O_WRONLY, 0o644)
            if fd >= 0 { _ = bytes.withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }; close(fd); made += 1 }
        }
        // Linux file systems keep both forms as two files; a folding one (macOS) makes one.
        #expect(made == 2)
        #expect(
            TableFolder.scan(d, schema: PackLoader.builtInSchema).1.contains {
                $0.id == "data.duplicate-table" && $0.message.contains("グループ")
            })
    }

    /// A folder whose parent takes no new entries (a home folder under a read-only /home):
    /// `init` and `convert` stage inside the folder, so they need nothing of the parent.
    /// (As root, an immutable parent stands in for an unwritable one.)
    @Test func aParentThatTakesNoEntriesIsNotNeeded() throws {
        let root = tempDir("convert-parent")
        let parent = root.appendingPathComponent("home").path
        let folder = parent + "/clinic"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        guard ScratchVolume.sh(["chattr", "+i", parent]) else { try? FileManager.default.removeItem(at: root); return }
        defer {
            _ = ScratchVolume.sh(["chattr", "-i", parent])
            try? FileManager.default.removeItem(at: root)
        }
        let i = runCLI(["init", folder])
        #expect(i.code == 0, "\(i.err)")
        #expect(FileManager.default.fileExists(atPath: folder + "/facility.csv"))
        let c = runCLI([
            "convert", Repo.root.appendingPathComponent("Fixtures/clinic-kaede").path, "--to", "csv", folder, "--force",
            "--lang", "en",
        ])
        #expect(c.code == 0, "\(c.err)")
        #expect(hidden(folder).isEmpty && hidden(parent).isEmpty)
        #expect(runCLI(["check", folder, "--as-of", "2026-11-01"]).code != 2)
    }
}
