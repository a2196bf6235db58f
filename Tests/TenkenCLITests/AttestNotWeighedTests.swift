import Foundation
import Testing

@testable import TenkenCLI

/// `tenken attest` saves only answers the report will weigh. The report (`Engine.attest`)
/// weighs only the latest dated answer to an item, and none while an answer without a date is
/// on file: an answer recorded beside such rows read as given ("recorded 1 answer", "saved")
/// while the report still asked for it. `--answers` refused a row older than one on file
/// (`attest.superseded`) but recorded one beside an undated row, and the questions in the
/// terminal recorded both kinds.
@Suite struct AttestNotWeighedTests {
    func copy(_ fixture: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-weigh-\(UUID().uuidString)")
            .path
        try FileManager.default.copyItem(
            atPath: Repo.root.appendingPathComponent("Fixtures/\(fixture)").path, toPath: dir)
        try? FileManager.default.removeItem(atPath: dir + "/expected")
        return dir
    }

    func append(_ line: String, to path: String) throws {
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seekToEnd()
        try h.write(contentsOf: Data(line.utf8))
    }

    /// An undated answer on file leaves the item manual in the report whatever else is on file,
    /// so an answer from `--answers` is refused (`attest.undated-on-file`), nothing is saved,
    /// and the report is unchanged.
    @Test func anAnswerBesideAnUndatedOneOnFileIsRefused() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let table = dir + "/attestations.csv"
        try append("logout-after-use,no,operations-lead,S-001,,\n", to: table)
        let before = runCLI(["check", dir, "--as-of", "2026-11-01", "--lang", "en", "--fail-on", "never"])
        #expect(before.out.contains("attestation `logout-after-use` has an answer without a date"), "\(before.out)")
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        try "item,answer,by_role,by\nlogout-after-use,yes,operations-lead,S-001\n".write(
            toFile: answers, atomically: true, encoding: .utf8)
        let original = try Data(contentsOf: URL(fileURLWithPath: table))
        let r = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(r.code == 2, "\(r.err)")
        #expect(
            r.err.contains("error[attest.undated-on-file]: `logout-after-use` has an answer on file without a date"),
            "\(r.err)")
        #expect(r.err.contains("attestations.csv:22"), "\(r.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: table)) == original)
    }

    /// In the terminal, an item whose answer would not count (an undated answer on file, or one
    /// dated after the as-of date) is not asked: it says why and what to fix, in the session's
    /// language, saves nothing for it, and says at the end how many were not asked.
    @Test func theTerminalDoesNotAskWhatItWouldNotCount() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let table = dir + "/attestations.csv"
        try append("logout-after-use,no,operations-lead,S-001,2026-12-01,\n", to: table)
        try append("logout-when-away,yes,operations-lead,S-001,,\n", to: table)
        let original = try Data(contentsOf: URL(fileURLWithPath: table))
        let binary = AttestTests().binary
        let en = try PseudoTerminal(
            executable: binary,
            arguments: [
                "attest", dir, "--as-of", "2026-11-01", "--lang", "en", "--role", "operations-lead", "--by", "S-001",
            ])
        try en.expect(
            "signed on 2026-11-01, but `logout-after-use` has a later answer (signed on 2026-12-01) on file: the check "
                + "weighs only the latest answer")
        try en.expect("is dated after the as-of date 2026-11-01: correct its signed_on")
        try en.expect("Skipped.")
        try en.expect("`logout-when-away` has an answer on file without a date")
        try en.expect("2 items were not asked")
        #expect(try en.wait() == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: table)) == original)
        let ja = try PseudoTerminal(
            executable: binary,
            arguments: ["attest", dir, "--as-of", "2026-11-01", "--role", "operations-lead", "--by", "S-001"])
        try ja.expect("2026-12-01 の回答があるため、2026-11-01 の回答は点検で数えられません")
        try ja.expect("飛ばします")
        try ja.expect("日付のない回答があるため")
        try ja.expect("尋ねなかった項目が 2 件あります")
        #expect(try ja.wait() == 0)
        #expect(try Data(contentsOf: URL(fileURLWithPath: table)) == original)
    }
}
