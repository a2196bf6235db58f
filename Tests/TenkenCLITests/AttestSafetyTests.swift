import Foundation
import TenkenAudit
import TenkenCheck
import Testing

@testable import TenkenAudit
@testable import TenkenCLI
@testable import TenkenData
@testable import TenkenEval

/// `tenken attest` never reports an answer saved that was not: writers in parallel each get
/// every answer in, a program that saves the table in between keeps its rows, and a table
/// that cannot hold the date or the reason is refused before anything is asked.
@Suite struct AttestSafetyTests {
    /// (item, a role that may answer it) for every attestation item of the MCS pack.
    static let items: [(String, String)] = {
        let pack = CLI.checkedPackForTests()
        return AttestationPlan.keys(pack).map { ($0.key, $0.value[0]) }.sorted { $0.0 < $1.0 }
    }()

    func rows(by: String, day: String) -> String {
        Self.items.map { "\($0.0),yes,\($0.1),\(by),\(day)\n" }.joined()
    }

    /// Three writers at once, each saving four times: three attest runs at once used to lose
    /// answers reported as saved. Every answer is in the table exactly once afterwards.
    @Test func parallelWritersLoseNothing() throws {
        let dir = try fixtureCopy("clinic-kaede", tag: "attest-race")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let table = dir.appendingPathComponent("attestations.csv").path
        // A long history (6,000 earlier answers) makes each save take long enough for the
        // writers to overlap, as they did when answers were lost.
        let history = (0..<6_000).map { "no-written-credentials,yes,operations-lead,S-H\($0),2025-01-01,\r\n" }.joined()
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: table))
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(history.utf8))
        try handle.close()
        let original = try Data(contentsOf: URL(fileURLWithPath: table))
        let writers = 3, rounds = 4
        // Each save is by a signer the check counts: on the staff, holding every role that
        // answers. All are dated the same day: an answer dated before one already on file is
        // never weighed by the report, so attest refuses it (`attest.superseded`), and the
        // writers' order is not known.
        let signers = (0..<writers).flatMap { w in (0..<rounds).map { "S-R\(w)-\($0)" } }
        try appendText(
            signers.map { "\($0),doctor,2019-04-01,,false,,2019-04-01,,2026-06-09\n" }.joined(),
            dir.path + "/staff.csv")
        try appendText(
            signers.flatMap { s in Set(Self.items.map(\.1)).sorted().map { "\($0),\(s),2021-06-01\n" } }
                .joined(), dir.path + "/roles.csv")
        var expected: Set<String> = []
        let day = "2026-10-10"
        for w in 0..<writers {
            for r in 0..<rounds {
                try writeText(
                    "item,answer,by_role,by,signed_on\n" + rows(by: "S-R\(w)-\(r)", day: day),
                    dir.path + "-answers-\(w)-\(r).csv")
                for (item, _) in Self.items { expected.insert("\(item)|S-R\(w)-\(r)|\(day)") }
            }
        }
        final class Codes: @unchecked Sendable { var all: [Int32] = []; let lock = NSLock() }
        let codes = Codes()
        DispatchQueue.concurrentPerform(iterations: writers) { w in
            for r in 0..<rounds {
                guard
                    let p = try? spawnTenken([
                        "attest", dir.path, "--answers", dir.path + "-answers-\(w)-\(r).csv", "--as-of", "2026-11-01",
                    ])
                else { continue }
                _ = waitFor(p)
                codes.lock.lock(); codes.all.append(p.terminationStatus); codes.lock.unlock()
            }
        }
        #expect(codes.all == Array(repeating: 0, count: writers * rounds), "every run saved: \(codes.all)")
        let after = try Data(contentsOf: URL(fileURLWithPath: table))
        #expect(after.prefix(original.count) == original, "the rows already there are untouched")
        let lines = String(decoding: after.suffix(from: original.count), as: UTF8.self).split(
            whereSeparator: \.isNewline)
        let got = lines.map { l -> String in
            let c = l.split(separator: ",", omittingEmptySubsequences: false); return "\(c[0])|\(c[3])|\(c[4])"
        }
        #expect(got.count == expected.count, "\(got.count) rows for \(expected.count) answers")
        #expect(Set(got) == expected)
        #expect(
            !FileManager.default.fileExists(atPath: dir.path + "/.attestations.csv.tenken-lock"),
            "the lock file goes with the last writer")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).allSatisfy { !$0.hasPrefix(".") },
            "nothing hidden left")
    }

    /// A program that takes no lock (Excel) saves the table between tenken's read and its
    /// rename: tenken sees it at its last look, reads the table again and appends to that.
    @Test func aTableSavedInBetweenKeepsItsRows() throws {
        let dir = try fixtureCopy("clinic-kaede", tag: "attest-excel")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let table = dir.appendingPathComponent("attestations.csv").path
        let excelRow = "no-credential-sharing,yes,operations-lead,S-001,2026-10-30,\r\n"
        final class Once: @unchecked Sendable { var done = false }
        let once = Once()
        AttestationLog.beforeLastLook = { path in
            guard path == table, !once.done else { return }
            once.done = true
            // Excel's way: a whole new file renamed over the old one.
            let current = Data((try? readInput(path, maxBytes: 1 << 30).get()) ?? [])
            try? (current + Data(excelRow.utf8)).write(to: URL(fileURLWithPath: path), options: .atomic)
        }
        defer { AttestationLog.beforeLastLook = nil }
        try writeText(
            "item,answer,by_role,by\nno-written-credentials,yes,operations-lead,S-001\n", dir.path + "-answers.csv")
        let r = runCLI([
            "attest", dir.path, "--answers", dir.path + "-answers.csv", "--as-of", "2026-11-01", "--lang", "en",
        ])
        #expect(r.code == 0, "\(r.err)")
        #expect(once.done)
        let text = try String(contentsOfFile: table, encoding: .utf8)
        #expect(text.contains(excelRow), "Excel's row is kept")
        #expect(text.hasSuffix("no-written-credentials,yes,operations-lead,S-001,2026-11-01,\r\n"), "ours follows it")
    }

    /// A table without the date or reason column (an older layout, or a column deleted in
    /// Excel) used to get "saved" rows without them, so check went on asking. Now nothing is
    /// asked or saved, and the message says which headers to add.
    @Test(arguments: [("回答日", "signed_on"), ("理由", "reason")])
    func aTableWithoutAColumnIsRefusedBeforeAnything(_ header: String, _ field: String) throws {
        let dir = try fixtureCopy("dental-tsukushi", tag: "attest-cols")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let table = dir.appendingPathComponent("確認.csv").path
        // Drop the column: rebuild the Shift_JIS table without it.
        let text = try #require(String(data: try Data(contentsOf: URL(fileURLWithPath: table)), encoding: .shiftJIS))
        let lines = text.components(separatedBy: "\r\n").filter { !$0.isEmpty }
        let header0 = lines[0].split(separator: ",", omittingEmptySubsequences: false)
        let drop = try #require(header0.firstIndex { String($0) == header })
        let rebuilt =
            lines.map { l in
                l.split(separator: ",", omittingEmptySubsequences: false).enumerated().filter { $0.offset != drop }.map
                { String($0.element) }.joined(separator: ",")
            }
            .joined(separator: "\r\n") + "\r\n"
        try #require(rebuilt.data(using: .shiftJIS)).write(to: URL(fileURLWithPath: table))
        let before = try Data(contentsOf: URL(fileURLWithPath: table))
        try writeText(
            "item,answer,by_role,by,reason\nlogout-after-use,not-applicable,system-admin,S-001,no shared device\n",
            dir.path + "-answers.csv")
        let r = runCLI([
            "attest", dir.path, "--answers", dir.path + "-answers.csv", "--as-of", "2026-11-01", "--lang", "en",
        ])
        #expect(r.code == 2, "\(r.err)")
        #expect(
            r.err.contains("error[data.missing-column]") && r.err.contains("(\(field))")
                && r.err.contains("add the header \(header)"), "\(r.err)")
        #expect(!r.out.contains("recorded"), "never said saved")
        #expect(try Data(contentsOf: URL(fileURLWithPath: table)) == before)
    }

    /// The answers file may not be the table it would be appended to.
    @Test func answersFromTheTableItselfAreRefused() throws {
        let dir = try fixtureCopy("clinic-kaede", tag: "attest-self")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let table = dir.appendingPathComponent("attestations.csv").path
        let before = try Data(contentsOf: URL(fileURLWithPath: table))
        let r = runCLI(["attest", dir.path, "--answers", table, "--as-of", "2026-11-01", "--same-day"])
        #expect(r.code == 2 && r.err.contains("it is the answers file"), "\(r.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: table)) == before)
    }

    /// A read-only volume says so, and nothing is reported saved.
    @Test func aReadOnlyFolderSaysSo() throws {
        guard let vol = ScratchVolume(size: "1m") else { return }
        let dir = vol.url.appendingPathComponent("kaede")
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("Fixtures/clinic-kaede"), to: dir)
        try writeText(
            "item,answer,by_role,by\nno-written-credentials,yes,operations-lead,S-001\n",
            vol.path + "/../answers-\(getpid()).csv")
        defer { try? FileManager.default.removeItem(atPath: vol.path + "/../answers-\(getpid()).csv") }
        #expect(vol.remount(readOnly: true))
        let r = runCLI([
            "attest", dir.path, "--answers", vol.path + "/../answers-\(getpid()).csv", "--as-of", "2026-11-01",
            "--lang", "en",
        ])
        #expect(r.code == 2 && r.err.contains("read-only") && r.err.contains("nothing was saved"), "\(r.err)")
        #expect(!r.out.contains("recorded"))
    }
}

extension CLI {
    /// The built-in pack, checked (for tests that need its attestation items).
    static func checkedPackForTests() -> CheckedPack {
        Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack!
    }
}
