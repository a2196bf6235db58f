import Foundation
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax
import Testing

@testable import TenkenAudit

/// The pieces of a run that moved out of the command line (issue 18), called as a library:
/// no process, no console. The CLI tests still run them end to end.
@Suite struct AuditLibraryTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func fixture(_ name: String) -> String { root.appendingPathComponent("Fixtures/\(name)").path }

    static let loaded = PackLoader.embedded()
    /// The file names of an MCS facility folder.
    static let names = FacilityFiles(schema: PackLoader.builtInSchema)

    static func pack() throws -> CheckedPack {
        try #require(Checker.check(loaded.source, schema: PackLoader.builtInSchema).pack)
    }

    /// A fresh folder under the temporary directory, removed by the caller.
    static func scratch(_ tag: String) throws -> String {
        let dir = NSTemporaryDirectory() + "tenken-audit-\(tag)-\(getpid())-\(UUID().uuidString.prefix(8))"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    static let facilities = [
        "clinic-kaede", "clinic-momiji", "clinic-sakura", "dental-tsukushi", "hospital-aoba", "pharmacy-kiri",
        "pharmacy-midori", "visiting-nurse-hikari", "invalid",
    ]

    func run(_ pack: CheckedPack, outDir: String) throws -> BatchRun {
        BatchRun(
            pack: pack, loaded: Self.loaded, asOf: try #require(Day(iso: "2026-11-01")), options: LoadOptions(),
            cliParams: [], waivers: [], baseline: nil, formats: [], lang: .en, outDir: outDir, toolVersion: "test")
    }

    // MARK: the worker pool

    /// Whatever order four workers finish in, the summaries come back in the entries' order,
    /// the same as one worker gives, one per entry (a facility that fails to load included).
    @Test func workersKeepTheEntriesOrder() throws {
        let pack = try Self.pack()
        let out = try Self.scratch("order")
        defer { try? FileManager.default.removeItem(atPath: out) }
        // Each facility twice over, reversed, so that the order is not the folders' sorted one.
        let names = (Self.facilities + Self.facilities.reversed())
        let entries = names.enumerated().map { i, n in BatchEntry(input: Self.fixture(n), name: "\(n)-\(i)") }
        let one = try run(pack, outDir: out).evaluate(entries, jobs: 1)
        let four = try run(pack, outDir: out).evaluate(entries, jobs: 4)
        #expect(one.count == entries.count)
        #expect(one.map(\.input) == entries.map(\.input))
        #expect(four.map(\.input) == entries.map(\.input))
        // A facility read twice has one id for two inputs: both are errors, in both runs alike.
        #expect(four.map(\.status) == one.map(\.status))
        #expect(four.map(\.id) == one.map(\.id))
        #expect(four.map(\.states) == one.map(\.states))
        #expect(one.contains { $0.diagnostics.contains { $0.contains("batch.duplicate-id") } })
    }

    /// Distinct facilities evaluate; the progress line counts each one and is cleared at the end.
    @Test func progressCountsEveryFacility() throws {
        let pack = try Self.pack()
        let out = try Self.scratch("progress")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let entries = Self.facilities.dropLast().map { BatchEntry(input: Self.fixture($0), name: $0) }
        let lines = Locked<[String]>([])
        let progress = BatchProgress(total: entries.count, write: { s in lines.withLock { $0.append(s) } })
        let summaries = try run(pack, outDir: out).evaluate(entries, jobs: 3, progress: progress)
        progress.finish()
        #expect(summaries.allSatisfy { $0.status == .evaluated }, "\(summaries.map(\.diagnostics))")
        let shown = lines.withLock { $0 }
        // The last tick is always shown (the count is complete), then the line is cleared.
        #expect(shown.dropLast().last?.contains("\(entries.count)/\(entries.count) facilities") == true)
        #expect(shown.last == "\r\u{1B}[K")
        // Without a writer nothing is shown and nothing fails.
        let silent = BatchProgress(total: 1, write: nil)
        silent.tick()
        silent.finish()
    }

    /// A run that has stopped (here: a write already failed, as a full disk does) evaluates
    /// nothing more: every entry is still summarised, in order, as not evaluated.
    @Test func aStoppedRunEvaluatesNothingAndDropsNothing() throws {
        let pack = try Self.pack()
        let out = try Self.scratch("stop")
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = try run(pack, outDir: out)
        r.writeFailures.withLock { $0.append(WriteError(path: "x", kind: .other, reason: "disk full")) }
        let entries = Self.facilities.map { BatchEntry(input: Self.fixture($0), name: $0) }
        let s = r.evaluate(entries, jobs: 4)
        #expect(s.map(\.id) == Self.facilities)
        #expect(s.allSatisfy { $0.status == .error && $0.diagnostics.first?.hasSuffix("the run stopped") == true })
    }

    // MARK: staged output folders

    /// A batch's output folder, discarded (a failed write): the staging goes, the previous
    /// results and the person's files stay, and the lock is free for the next run.
    @Test func aDiscardedBatchOutputLeavesThePreviousResults() throws {
        let dir = try Self.scratch("discard")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("old\n".utf8).write(to: URL(fileURLWithPath: dir + "/aggregate.json"))
        try Data("mine\n".utf8).write(to: URL(fileURLWithPath: dir + "/notes.txt"))
        let out = try BatchOutput(dir: dir, graceful: false)
        try OutputFile.write(Array("new\n".utf8), to: out.path("aggregate.json"))
        #expect(FileManager.default.fileExists(atPath: out.staging))
        out.discard()
        #expect(!FileManager.default.fileExists(atPath: out.staging))
        #expect(try String(contentsOfFile: dir + "/aggregate.json", encoding: .utf8) == "old\n")
        #expect(try String(contentsOfFile: dir + "/notes.txt", encoding: .utf8) == "mine\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/.tenken.lock"))
        // Published, the new aggregate replaces the old one and nothing else changes.
        let next = try BatchOutput(dir: dir, graceful: false)
        try OutputFile.write(Array("new\n".utf8), to: next.path("aggregate.json"))
        try next.publish(replacing: [])
        #expect(try String(contentsOfFile: dir + "/aggregate.json", encoding: .utf8) == "new\n")
        #expect(try String(contentsOfFile: dir + "/notes.txt", encoding: .utf8) == "mine\n")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["aggregate.json", "notes.txt"])
    }

    /// A second run on a held folder is turned away, and says so in the CLI's words.
    @Test func aHeldOutputFolderIsRefused() throws {
        let dir = try Self.scratch("held")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let first = try BatchOutput(dir: dir, graceful: false)
        defer { first.discard() }
        do {
            _ = try BatchOutput(dir: dir, graceful: false)
            Issue.record("a second run opened a held folder")
        } catch {
            guard case .busy(let f) = error else { Issue.record("\(error)"); return }
            let text = f.message(folder: dir)
            #expect(text.hasPrefix("error: another tenken run (process \(getpid())) is writing to "))
            #expect(text.hasSuffix("  help: wait for it to finish, or choose another output folder\n"))
        }
        #expect(OutputFolder.problem(dir + "/sub/deeper") == nil, "a missing folder is made")
        try Data().write(to: URL(fileURLWithPath: dir + "/file"))
        #expect(OutputFolder.problem(dir + "/file")?.reason == "it is a file, not a folder")
    }

    /// A staged set whose write fails publishes nothing and leaves no staging behind.
    @Test func aFailedStagedSetLeavesTheFolderAsItWas() throws {
        let dir = try Self.scratch("staged")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Data("kept\n".utf8).write(to: URL(fileURLWithPath: dir + "/staff.csv"))
        let before = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        // A name with a folder in it cannot be written into the staging folder.
        #expect(throws: WriteError.self) {
            try StagedFolder.publish(
                [("facility.csv", Array("a\n".utf8)), ("no/such/folder.csv", [])], into: dir, names: Self.names,
                replaces: { _ in true })
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == before)
        #expect(try String(contentsOfFile: dir + "/staff.csv", encoding: .utf8) == "kept\n")
    }

    // MARK: conversion and the template

    /// Tables never go over their own input folder, nor over existing tables without force;
    /// the refusal carries the words the CLI prints.
    @Test func tablesAreRefusedOverInputsAndExistingTables() throws {
        let dir = try Self.scratch("convert")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        var inputs = InputSet()
        inputs.add(folder: Self.fixture("clinic-kaede"))
        guard
            case .failure(let own) = FacilityConversion.writeTables(
                [], into: Self.fixture("clinic-kaede"), names: Self.names, force: true, inputs: inputs,
                note: { _ in })
        else {
            Issue.record("tables written over their input folder"); return
        }
        #expect(own.message?.contains("it is the input folder") == true)
        try Data("x\n".utf8).write(to: URL(fileURLWithPath: dir + "/staff.csv"))
        guard
            case .failure(let clash) = FacilityConversion.writeTables(
                [("staff.csv", Array("y\n".utf8))], into: dir, names: Self.names, force: false, inputs: InputSet(),
                note: { _ in })
        else { Issue.record("an existing table replaced without force"); return }
        #expect(clash.message == "\(dir)/staff.csv already exists; nothing was written")
        #expect(clash.help == "pass --force to replace")
        _ = try FacilityConversion.writeTables(
            [("staff.csv", Array("y\n".utf8))], into: dir, names: Self.names, force: true, inputs: InputSet(),
            note: { _ in }
        ).get()
        #expect(try String(contentsOfFile: dir + "/staff.csv", encoding: .utf8) == "y\n")
    }

    /// The template loads as a facility, and its folder is written once and never over a file.
    @Test func theTemplateIsWrittenOnceAndNeverOverAFile() throws {
        let dir = try Self.scratch("init") + "/clinic"
        defer { try? FileManager.default.removeItem(atPath: FilePath.parent(dir)) }
        let (facility, files) = try FacilityTemplate.files(kind: "clinic", json: true, pack: Self.loaded).get()
        #expect(facility.id == "F-0001")
        #expect(files.map(\.0) == ["snapshot.json", "devices.csv", "README.txt"])
        _ = try FacilityTemplate.writeFolder(files, into: dir, names: Self.names, tables: false, note: { _ in }).get()
        let written = try String(contentsOfFile: dir + "/snapshot.json", encoding: .utf8)
        guard
            case .failure(let again) = FacilityTemplate.writeFolder(
                files, into: dir, names: Self.names, tables: false, note: { _ in })
        else { Issue.record("init wrote over its own files"); return }
        #expect(again.message?.hasSuffix("already exists; tenken init never overwrites a file") == true)
        #expect(try String(contentsOfFile: dir + "/snapshot.json", encoding: .utf8) == written)
    }

    /// The example facility is the pack's data: every kind of the schema gets its own kind and
    /// the pack's values for it; the table forms keep one row per list, the JSON form all.
    @Test func theExampleFacilityComesFromThePack() throws {
        let example = try #require(Self.loaded.example).bytes
        for kind in PackLoader.builtInSchema.mechanisms.subject?.kinds ?? [] {
            let full = try #require(FacilityTemplate.template(kind: kind, schema: Self.loaded.schema, example: example))
            let one = try #require(
                FacilityTemplate.template(kind: kind, schema: Self.loaded.schema, oneRowEach: true, example: example))
            let text = full.render()
            #expect(text.hasPrefix("{\n  \"schema_version\": 1,"))
            #expect(text.contains("\"kind\": \"\(kind)\""))
            #expect(text.contains("\"beds\": \(kind == "hospital" ? 200 : 0)"))
            let job = ["pharmacy": "pharmacist", "visiting-nurse": "nurse", "dental-clinic": "dentist"][kind]
            if let job { #expect(text.contains("\"job\": \"\(job)\"")) }
            guard case .object(let all) = full, case .object(let first) = one else {
                Issue.record("not an object"); continue
            }
            for ((k, a), (_, b)) in zip(all, first) {
                guard case .array(let rows) = a, case .array(let kept) = b else { continue }
                #expect(kept.count == min(rows.count, 1), "\(k)")
            }
            #expect(all.contains { k, v in if case .array(let r) = v { k == "roles" && r.count == 4 } else { false } })
        }
        // A value by kind that points at nothing is no example: refused, never half applied.
        let bad = Array(
            #"{"snapshot": {"facility": {"kind": "clinic"}}, "by_kind": {"care": {"/staff/0/job": "x"}}}"#.utf8)
        #expect(FacilityTemplate.template(kind: "care", schema: Self.loaded.schema, example: bad) == nil)
        #expect(FacilityTemplate.template(kind: "clinic", schema: Self.loaded.schema, example: bad) != nil)
    }

    // MARK: attestations

    /// Saving appends rows to the table and keeps every row it had; the same person's answer
    /// to the same item on the same day is refused unless asked for, and nothing is saved then.
    @Test func attestationsAreAppendedNeverRewritten() throws {
        let dir = try Self.scratch("attest") + "/kaede"
        defer { try? FileManager.default.removeItem(atPath: FilePath.parent(dir)) }
        try FileManager.default.copyItem(atPath: Self.fixture("clinic-kaede"), toPath: dir)
        let pack = try Self.pack()
        let input = try FacilityInput.folder(dir, schema: PackLoader.builtInSchema).get()
        let facility = try #require(input.load(options: LoadOptions(), pack: Self.loaded).0)
        let table = dir + "/attestations.csv"
        let asOf = try #require(Day(iso: "2026-11-01"))
        let log = try #require(
            AttestationLog(pack: pack, facility: facility, asOf: asOf, japanese: false, target: table))
        let before = try Data(contentsOf: URL(fileURLWithPath: table))
        #expect(throws: Never.self) { try log.tableCanHoldAnswers().get() }
        let row = try log.row(
            item: "no-written-credentials", answer: "yes", role: "operations-lead", by: "S-001", on: asOf, reason: nil
        ).get()
        final class Calls: @unchecked Sendable { var will = 0, did = 0 }
        let calls = Calls()
        var hooked = log
        hooked.willSave = { calls.will += 1 }
        hooked.didSave = { calls.did += 1 }
        _ = try hooked.save([row]).get()
        #expect(calls.will == 1 && calls.did == 1, "the save is one critical section")
        let after = try Data(contentsOf: URL(fileURLWithPath: table))
        #expect(after.starts(with: before), "the rows on file are kept byte for byte")
        #expect(
            String(decoding: after.dropFirst(before.count), as: UTF8.self)
                == "no-written-credentials,yes,operations-lead,S-001,2026-11-01,\r\n")
        guard case .failure(let r) = log.save([row]) else { Issue.record("a same-day answer was saved"); return }
        #expect(r.id == "attest.same-day")
        #expect(r.help == "pass --same-day to record another answer for that day")
        #expect(try Data(contentsOf: URL(fileURLWithPath: table)) == after, "nothing was saved")
        _ = try log.save([row], sameDay: true).get()
        #expect(try Data(contentsOf: URL(fileURLWithPath: table)).count > after.count)
        #expect(!FileManager.default.fileExists(atPath: dir + "/.attestations.csv.tenken-lock"))
    }

    /// Every row saved passes the cell rules of the table's reader: a row holding a cell the
    /// loader would refuse (a bidi control in the reason, an invisible character in the id) is
    /// refused by the row builder and by `save` alike, and nothing is written; a cell the
    /// reader would trim is saved as it will be read.
    @Test func aRowTheReaderWouldRefuseIsNeverSaved() throws {
        let dir = try Self.scratch("attest-cells") + "/kaede"
        defer { try? FileManager.default.removeItem(atPath: FilePath.parent(dir)) }
        try FileManager.default.copyItem(atPath: Self.fixture("clinic-kaede"), toPath: dir)
        let facility = try #require(
            try FacilityInput.folder(dir, schema: PackLoader.builtInSchema).get().load(
                options: LoadOptions(), pack: Self.loaded
            ).0)
        let table = dir + "/attestations.csv"
        let asOf = try #require(Day(iso: "2026-11-01"))
        let log = try #require(
            AttestationLog(pack: try Self.pack(), facility: facility, asOf: asOf, japanese: false, target: table))
        let before = try Data(contentsOf: URL(fileURLWithPath: table))
        guard
            case .failure(let d) = log.row(
                item: "logout-after-use", answer: "not-applicable", role: "operations-lead", by: "S-001", on: asOf,
                reason: "a\u{202E}b")
        else { Issue.record("a bidi control was accepted"); return }
        #expect(d.id == "data.control-character" && d.location?.file == table)
        // A row built by hand goes through the same check in `save`.
        let raw: [String: Value] = [
            "item": .string("logout-after-use"), "answer": .string("no"), "by_role": .string("operations-lead"),
            "by": .string("S-001"), "signed_on": .date(asOf), "reason": .string("plan\u{0}"),
        ]
        guard case .failure(let r) = log.save([raw]) else { Issue.record("a NUL was saved"); return }
        #expect(r.diagnostics.map(\.id) == ["data.control-character"])
        var hidden = raw
        hidden["reason"] = nil
        hidden["by"] = .string("S-001\u{FE0F}")
        guard case .failure(let h) = log.save([hidden]) else { Issue.record("an invisible id was saved"); return }
        #expect(h.diagnostics.map(\.id) == ["data.control-character"])
        #expect(try Data(contentsOf: URL(fileURLWithPath: table)) == before, "nothing was saved")
        let trimmed = try log.row(
            item: "logout-after-use", answer: "no", role: "operations-lead", by: "S-001", on: asOf,
            reason: "plan\u{3000}"
        ).get()
        #expect(trimmed["reason"] == .string("plan"))
        _ = try log.save([trimmed]).get()
        let facilityAfter = try FacilityInput.folder(dir, schema: PackLoader.builtInSchema).get().load(
            options: LoadOptions(), pack: Self.loaded)
        #expect(!facilityAfter.1.contains { $0.severity == .error }, "\(facilityAfter.1)")
    }

    /// Answers from a file are checked whole: one bad row and no row is returned to save.
    @Test func oneBadAnswerSavesNone() throws {
        let dir = try Self.scratch("answers") + "/kaede"
        defer { try? FileManager.default.removeItem(atPath: FilePath.parent(dir)) }
        try FileManager.default.copyItem(atPath: Self.fixture("clinic-kaede"), toPath: dir)
        let facility = try #require(
            try FacilityInput.folder(dir, schema: PackLoader.builtInSchema).get().load(
                options: LoadOptions(), pack: Self.loaded
            ).0)
        let asOf = try #require(Day(iso: "2026-11-01"))
        let log = try #require(
            AttestationLog(
                pack: try Self.pack(), facility: facility, asOf: asOf, japanese: false,
                target: dir + "/attestations.csv"))
        let answers = FilePath.parent(dir) + "/answers.csv"
        try Data(
            "item,answer,by_role,by\nno-written-credentials,yes,operations-lead,S-001\nno-such-item,yes,operations-lead,S-001\n"
                .utf8
        ).write(to: URL(fileURLWithPath: answers))
        let (rows, diagnostics) = log.answers(from: answers, sameDay: false, options: LoadOptions())
        #expect(rows == nil)
        #expect(diagnostics.map(\.id) == ["attest.unknown-item"])
        try Data("item,answer,by_role,by\nno-written-credentials,yes,operations-lead,S-001\n".utf8).write(
            to: URL(fileURLWithPath: answers))
        let good = log.answers(from: answers, sameDay: false, options: LoadOptions())
        #expect(good.rows?.count == 1)
        #expect(good.diagnostics.isEmpty)
    }

    /// The rows to save are checked again against the table as it is under the lock: an
    /// answer another writer saved meanwhile that the report would weigh instead (a later one,
    /// or one without a date) makes the save refuse, and nothing is written; the rows were
    /// checked only against the table as it was first read.
    @Test func anAnswerSavedMeanwhileThatTheReportWouldWeighInsteadStopsTheSave() throws {
        let dir = try Self.scratch("attest-meanwhile") + "/kaede"
        defer { try? FileManager.default.removeItem(atPath: FilePath.parent(dir)) }
        try FileManager.default.copyItem(atPath: Self.fixture("clinic-kaede"), toPath: dir)
        let facility = try #require(
            try FacilityInput.folder(dir, schema: PackLoader.builtInSchema).get().load(
                options: LoadOptions(), pack: Self.loaded
            ).0)
        let table = dir + "/attestations.csv"
        let asOf = try #require(Day(iso: "2026-11-01"))
        let earlier = try #require(Day(iso: "2026-10-01"))
        let log = try #require(
            AttestationLog(pack: try Self.pack(), facility: facility, asOf: asOf, japanese: false, target: table))
        let row = try log.row(
            item: "logout-after-use", answer: "no", role: "operations-lead", by: "S-001", on: earlier, reason: nil
        ).get()
        let original = try String(contentsOfFile: table, encoding: .utf8)
        for (meanwhile, id) in [
            ("logout-after-use,yes,operations-lead,S-002,2026-10-20,\r\n", "attest.superseded"),
            ("logout-after-use,yes,operations-lead,S-002,,\r\n", "attest.undated-on-file"),
        ] {
            try (original + meanwhile).write(toFile: table, atomically: true, encoding: .utf8)
            let saved = try Data(contentsOf: URL(fileURLWithPath: table))
            guard case .failure(let r) = log.save([row], sameDay: true) else {
                Issue.record("an answer the report would not weigh was saved")
                continue
            }
            #expect(r.id == id, "\(r.message)")
            #expect(r.message?.contains("was saved meanwhile") == true, "\(r.message ?? "")")
            #expect(try Data(contentsOf: URL(fileURLWithPath: table)) == saved, "nothing was saved")
        }
        // As first read, the same row is saved.
        try original.write(toFile: table, atomically: true, encoding: .utf8)
        _ = try log.save([row], sameDay: true).get()
    }
}
