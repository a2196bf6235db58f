import Foundation
import TenkenAudit
import TenkenBenchKit
import Testing

@testable import TenkenAudit
@testable import TenkenCLI
@testable import TenkenReport

/// A batch's output folder holds one whole run: the previous one until the new one is
/// complete, never a mixture; nothing the run did not create is removed; a second writer is
/// turned away; every failed write is named and the run says it is incomplete.
@Suite struct BatchSafetyTests {
    /// A generated batch of `count` facilities under `dir/in`.
    func members(_ dir: URL, count: Int, seed: UInt64 = 5) throws -> String {
        let input = dir.appendingPathComponent("in").path
        try Generator.writeBatch(to: input, count: count, seed: seed, corruptEvery: nil, clinicsOnly: true)
        return input
    }

    func asOfs(_ out: String) -> Set<String> {
        var seen: Set<String> = []
        for (rel, data) in snapshotTree(out) where rel.hasSuffix("report.json") || rel == "aggregate.json" {
            if let j = try? JSONSerialization.jsonObject(with: data) as? [String: Any], let a = j["as_of"] as? String {
                seen.insert(a)
            }
        }
        return seen
    }

    func hidden(_ dir: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).filter { $0.hasPrefix(".") }
    }

    /// Killed at any moment (SIGKILL), a re-run with another as-of date never leaves the
    /// folder mixing two runs: it holds the previous run, whole, until a run completes; the
    /// next run clears what the killed one left.
    @Test func aKilledRunNeverMixesTwoRuns() throws {
        let dir = tempDir("batch-kill")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try members(dir, count: 50)
        let out = dir.appendingPathComponent("out").path
        let base = ["batch", input, "--output-dir", out, "--format", "json,html", "--jobs", "2"]
        #expect([0, 1].contains(runCLI(base + ["--as-of", "2025-11-01"]).code))
        let first = snapshotTree(out)
        #expect(asOfs(out) == ["2025-11-01"])
        var killed = 0
        for delay in [150_000, 400_000, 800_000] as [UInt32] {
            let p = try spawnTenken(base + ["--as-of", "2025-12-01"])
            usleep(delay)
            if p.isRunning { kill(p.processIdentifier, SIGKILL); killed += 1 }
            #expect(waitFor(p))
            if p.terminationReason == .uncaughtSignal {
                var now = snapshotTree(out)
                now = now.filter { !$0.key.hasPrefix(".") }
                #expect(now == first, "a killed run changed the published results (delay \(delay))")
            }
        }
        #expect(killed > 0)
        #expect([0, 1].contains(runCLI(base + ["--as-of", "2025-12-01"]).code))
        #expect(asOfs(out) == ["2025-12-01"], "one run, whole")
        #expect(hidden(out).isEmpty, "nothing the killed runs left: \(hidden(out))")
    }

    /// Ctrl-C pressed twice while a run publishes (after its marker): the publication
    /// finishes before the run exits 130, so the notes a person put into `facilities/<id>/`
    /// are carried over, never deleted with the run's hidden folder.
    @Test func aDoubleInterruptWhilePublishingKeepsThePersonsFiles() throws {
        let dir = tempDir("batch-int2")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try members(dir, count: 40)
        let out = dir.appendingPathComponent("out").path
        let base = ["batch", input, "--output-dir", out, "--format", "json", "--as-of", Generator.asOf, "--jobs", "2"]
        #expect([0, 1].contains(runCLI(base).code))
        let facilities = out + "/facilities"
        for id in try FileManager.default.contentsOfDirectory(atPath: facilities) {
            for k in 0..<50 { try writeText("note \(k)\n", "\(facilities)/\(id)/auditor-note-\(k).txt") }
        }
        func notes() -> Int { snapshotTree(facilities).keys.filter { $0.contains("auditor-note-") }.count }
        let before = notes()
        #expect(before == 40 * 50)
        for round in 0..<4 {
            let p = try spawnTenken(base)
            let deadline = Date().addingTimeInterval(60)
            func marked() -> Bool { hidden(out).contains { access("\(out)/\($0)/.complete", F_OK) == 0 } }
            while p.isRunning, Date() < deadline, !marked() { usleep(200) }
            usleep(UInt32(round) * 10_000)
            kill(p.processIdentifier, SIGINT)
            kill(p.processIdentifier, SIGINT)
            #expect(waitFor(p, timeout: 60))
            #expect([0, 1, 128 + SIGINT].contains(p.terminationStatus), "round \(round): exit \(p.terminationStatus)")
            #expect(notes() == before, "round \(round): the person's notes are all in facilities/")
        }
        #expect([0, 1].contains(runCLI(base).code))
        #expect(notes() == before)
        #expect(hidden(out).filter { $0 != ".tenken.lock" }.isEmpty, "\(hidden(out))")
    }

    /// `facilities/` (or an aggregate file) that is a symbolic link: publishing replaced the
    /// link with a folder and moved the person's files out of the folder it named. Refused
    /// before anything is written; the link and the linked folder stay as they were.
    @Test func aSymbolicallyLinkedFacilitiesFolderIsRefused() throws {
        let dir = tempDir("batch-link")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try members(dir, count: 3)
        let out = dir.appendingPathComponent("out").path
        let ext = dir.appendingPathComponent("ext").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: ext, withIntermediateDirectories: true)
        try writeText("mine\n", ext + "/mine.txt")
        try FileManager.default.createSymbolicLink(atPath: out + "/facilities", withDestinationPath: "../ext")
        let r = runCLI(["batch", input, "--output-dir", out, "--as-of", Generator.asOf])
        #expect(r.code == 2 && r.err.contains("it is a symbolic link"), "\(r.err)")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: out + "/facilities")) == "../ext")
        #expect(try FileManager.default.contentsOfDirectory(atPath: ext) == ["mine.txt"])
    }

    /// SIGTERM (Kubernetes stopping a pod, Ctrl-C): the run stops between facilities, removes
    /// what it wrote and its lock, publishes nothing, exits 128+15 and says so in one line
    /// (whether it stopped while evaluating or while writing the aggregate).
    @Test func aTerminatedRunCleansUpAndPublishesNothing() throws {
        let dir = tempDir("batch-term")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try members(dir, count: 150)
        let out = dir.appendingPathComponent("out").path
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try writeText("mine\n", out + "/.notes.tmp")
        let errFile = dir.appendingPathComponent("stderr.txt").path
        let p = try spawnTenken(
            [
                "batch", input, "--output-dir", out, "--format", "json,html", "--as-of", Generator.asOf, "--jobs", "2",
            ], stderr: errFile)
        let deadline = Date().addingTimeInterval(30)
        while p.isRunning, Date() < deadline, !hidden(out).contains(where: { $0.hasPrefix(".tenken-run-") }) {
            usleep(5_000)
        }
        usleep(200_000)
        kill(p.processIdentifier, SIGTERM)
        #expect(waitFor(p, timeout: 30))
        #expect(p.terminationStatus == 128 + SIGTERM, "exit \(p.terminationStatus)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: out) == [".notes.tmp"], "only the user's file is left")
        #expect(
            try String(contentsOfFile: errFile, encoding: .utf8)
                == "batch: interrupted; nothing was published, \(out) holds the previous results\n")
    }

    /// A batch used to delete every `.*.tmp` under its output folder — a user's own file, and
    /// the files in progress of another batch writing there. Now a second batch is turned away
    /// while the first runs, and nothing the run did not create is removed; notes a person put
    /// in a facility's report folder are carried over into the new run's.
    @Test func aSecondWriterIsTurnedAwayAndOthersFilesStay() throws {
        let dir = tempDir("batch-two")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try members(dir, count: 6)
        let out = dir.appendingPathComponent("out").path
        let args = ["batch", input, "--output-dir", out, "--as-of", Generator.asOf]
        #expect([0, 1].contains(runCLI(args).code))
        let someID = try #require(
            try FileManager.default.contentsOfDirectory(atPath: out + "/facilities").sorted().first)
        try writeText("mine\n", out + "/.draft.tmp")
        try writeText("old style\n", out + "/facilities/\(someID)/.report.json.123.456.tmp")
        try writeText("follow up in March\n", out + "/facilities/\(someID)/notes.txt")
        // Another batch holds the folder.
        guard case .success(let held) = FileLock.acquire(out + "/.tenken.lock", wait: 0) else {
            Issue.record("cannot lock"); return
        }
        let busy = runCLI(args)
        #expect(
            busy.code == 2 && busy.err.contains("another tenken run (process \(getpid())) is writing to"), "\(busy.err)"
        )
        held.release()
        #expect([0, 1].contains(runCLI(args).code))
        let tree = snapshotTree(out)
        #expect(tree[".draft.tmp"] == Data("mine\n".utf8))
        #expect(tree["facilities/\(someID)/notes.txt"] == Data("follow up in March\n".utf8), "carried over")
        #expect(tree["facilities/\(someID)/.report.json.123.456.tmp"] != nil, "not ours by name: left alone")
        #expect(hidden(out) == [".draft.tmp"])
        // A run with no reports (--format none) drops the old reports but keeps the notes.
        #expect([0, 1].contains(runCLI(args + ["--format", "none"]).code))
        let after = snapshotTree(out)
        #expect(after["facilities/\(someID)/notes.txt"] == Data("follow up in March\n".utf8))
        #expect(
            !after.keys.contains { $0.hasSuffix("report.json") && $0.hasPrefix("facilities/") },
            "no stale report of the earlier run")
        // An output folder that is a file is said to be one.
        let file = runCLI(["batch", input, "--output-dir", out + "/aggregate.json", "--as-of", Generator.asOf])
        #expect(file.code == 2 && file.err.contains("it is a file, not a folder"), "\(file.err)")
    }

    /// Every failed report write is named, the run says it is incomplete (exit 2), nothing is
    /// published and the previous results stay; a write failure is not "failed to load".
    @Test func failedWritesAreNamedAndNothingIsPublished() throws {
        let dir = tempDir("batch-full")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try members(dir, count: 8)
        let out = dir.appendingPathComponent("out").path
        let args = ["batch", input, "--output-dir", out, "--as-of", Generator.asOf, "--jobs", "1"]
        #expect([0, 1].contains(runCLI(args + ["--format", "json"]).code))
        let before = snapshotTree(out)
        WriteFaults.inject(.init(folder: out + "/.tenken-run-", errno: ENOSPC, step: .create, afterFiles: 3))
        defer { WriteFaults.clear(folder: out + "/.tenken-run-") }
        let r = runCLI(args + ["--format", "json,html"])
        #expect(r.code == 2)
        let named = r.err.split(separator: "\n").filter {
            $0.hasPrefix("error[batch.write-failed]: cannot write facilities/")
        }
        #expect(!named.isEmpty && named.allSatisfy { $0.contains("the disk is full") }, "\(r.err)")
        #expect(r.err.contains("the run is incomplete and nothing was published"), "\(r.err)")
        #expect(!r.err.contains("failed to load"))
        #expect(snapshotTree(out) == before, "the previous results, whole")
    }

    /// The same on a real full tmpfs, where the tests may mount one.
    @Test func aFullVolumeKeepsThePreviousRun() throws {
        guard let vol = ScratchVolume(size: "600k", inodes: 2000) else { return }
        let dir = tempDir("batch-vol")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try members(dir, count: 40)
        let out = vol.path + "/out"
        #expect(
            [0, 1].contains(
                runCLI(["batch", input, "--output-dir", out, "--as-of", Generator.asOf, "--format", "none"]).code))
        let before = snapshotTree(out)
        let r = runCLI(["batch", input, "--output-dir", out, "--as-of", Generator.asOf, "--format", "json,html"])
        #expect(r.code == 2 && r.err.contains("the disk is full"), "\(r.err.suffix(500))")
        #expect(snapshotTree(out) == before)
        #expect(hidden(out).isEmpty, "\(hidden(out))")
    }

    /// A run stopped while moving its results in is finished by the next one: the marker says
    /// the new set is whole, so it is moved in rather than thrown away.
    @Test func aHalfPublishedRunIsCompletedByTheNext() throws {
        let dir = tempDir("batch-roll")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.path
        let fm = FileManager.default
        // The old run: facilities and an aggregate.
        try fm.createDirectory(atPath: out + "/facilities/F-1", withIntermediateDirectories: true)
        try writeText("old report\n", out + "/facilities/F-1/report.json")
        for n in BatchOutput.aggregateNames { try writeText("old \(n)\n", out + "/" + n) }
        try fm.createDirectory(atPath: out + "/sarif", withIntermediateDirectories: true)
        try writeText("old sarif\n", out + "/sarif/tenken-0001.sarif")
        // The new run, marked complete, stopped after moving facilities in.
        let staging = out + "/.tenken-run-00000000000000aa"
        try fm.createDirectory(atPath: staging + "/.replaced", withIntermediateDirectories: true)
        try fm.moveItem(atPath: out + "/facilities", toPath: staging + "/.replaced/facilities")
        try fm.createDirectory(atPath: out + "/facilities/F-2", withIntermediateDirectories: true)
        try writeText("new report\n", out + "/facilities/F-2/report.json")
        for n in BatchOutput.aggregateNames { try writeText("new \(n)\n", staging + "/" + n) }
        try fm.createDirectory(atPath: staging + "/sarif", withIntermediateDirectories: true)
        try writeText("new sarif\n", staging + "/sarif/tenken-0001.sarif")
        try writeText(BatchOutput.published.map { "+" + $0 }.joined(separator: "\n") + "\n", staging + "/.complete")
        // And a dead run that never finished writing.
        try fm.createDirectory(
            atPath: out + "/.tenken-run-00000000000000bb/facilities", withIntermediateDirectories: true)
        BatchOutput.recover(out)
        let tree = snapshotTree(out)
        #expect(tree["facilities/F-2/report.json"] == Data("new report\n".utf8))
        #expect(tree["facilities/F-1/report.json"] == nil)
        for n in BatchOutput.aggregateNames { #expect(tree[n] == Data("new \(n)\n".utf8), "\(n)") }
        #expect(tree["sarif/tenken-0001.sarif"] == Data("new sarif\n".utf8))
        #expect(hidden(out).isEmpty)
    }

    /// Outputs over inputs: the output folder inside the folder of facilities (it would become
    /// a member), a baseline that the new aggregate would replace, a merge over its part.
    @Test func outputsOverInputsAreRefused() throws {
        let dir = tempDir("batch-in")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = try members(dir, count: 3)
        let inside = runCLI(["batch", input, "--output-dir", input + "/out", "--as-of", Generator.asOf])
        #expect(inside.code == 2 && inside.err.contains("inside the input folder"), "\(inside.err)")
        #expect(!FileManager.default.fileExists(atPath: input + "/out"))
        let out = dir.appendingPathComponent("out").path
        #expect([0, 1].contains(runCLI(["batch", input, "--output-dir", out, "--as-of", Generator.asOf]).code))
        let baseline = try Data(contentsOf: URL(fileURLWithPath: out + "/aggregate.json"))
        let b = runCLI([
            "batch", input, "--output-dir", out, "--as-of", Generator.asOf, "--baseline", out + "/aggregate.json",
        ])
        #expect(b.code == 2 && b.err.contains("never writes over its own input"), "\(b.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/aggregate.json")) == baseline)
        let m = runCLI(["merge", out + "/aggregate.json", "--output-dir", out])
        #expect(m.code == 2 && m.err.contains("never writes over its own input"), "\(m.err)")
    }

    /// Facility ids that differ only in case would share one report folder on a case-
    /// insensitive volume (macOS, Windows shares): both are errors, as for equal ids.
    @Test func idsDifferingOnlyInCaseAreDuplicates() throws {
        let dir = tempDir("batch-case")
        defer { try? FileManager.default.removeItem(at: dir) }
        let input = dir.appendingPathComponent("in").path
        for (folder, id) in [("a", "F-CASE-1"), ("b", "f-case-1"), ("c", "F-OTHER")] {
            let f = (input as NSString).appendingPathComponent(folder)
            try FileManager.default.createDirectory(atPath: f, withIntermediateDirectories: true)
            let g = Generator.facility(id: id, size: .clinic, seed: 1)
            try writeText(g.snapshot, f + "/snapshot.json")
            try writeText(g.devicesCSV, f + "/devices.csv")
        }
        let out = dir.appendingPathComponent("out").path
        let r = runCLI(["batch", input, "--output-dir", out, "--as-of", Generator.asOf])
        #expect(r.code == 2)
        let agg = try String(contentsOfFile: out + "/aggregate.json", encoding: .utf8)
        #expect(agg.contains("facility ids `F-CASE-1` and `f-case-1` differ only in case"), "\(agg.prefix(2000))")
        let folders = try FileManager.default.contentsOfDirectory(atPath: out + "/facilities")
        #expect(folders == ["F-OTHER"])
    }
}

/// What a batch may clean up in its hidden run folder: its own reports, aggregate and SARIF
/// bundle files, nothing a person put there.
struct BatchOwnEntryTests {
    @Test func theSARIFBundleIsTenkensOwnAndNothingElseInItsFolder() {
        #expect(BatchOutput.ownEntry(["sarif"], true))
        #expect(BatchOutput.ownEntry(["sarif", "tenken-0001.sarif"], false))
        #expect(BatchOutput.ownEntry(["sarif", "tenken-123456.sarif"], false))
        #expect(BatchOutput.ownEntry([".replaced", "sarif", "tenken-0002.sarif"], false))
        #expect(BatchOutput.ownEntry([".replaced", "sarif.1", "tenken-0002.sarif"], false))
        #expect(!BatchOutput.ownEntry(["sarif"], false), "a file named sarif is not the bundle")
        #expect(!BatchOutput.ownEntry(["sarif", "notes.txt"], false))
        #expect(!BatchOutput.ownEntry(["sarif", "tenken-01.sarif"], false))
        #expect(!BatchOutput.ownEntry(["sarif", "tenken-0001.sarif"], true))
        #expect(!BatchOutput.ownEntry(["sarif", "sub", "tenken-0001.sarif"], false))
        #expect(BatchOutput.ownEntry(["aggregate.json"], false))
        #expect(!BatchOutput.ownEntry(["aggregate.json"], true))
    }
}
