import Foundation
import TenkenAudit
import Testing

@testable import TenkenCLI

/// `tenken attest`: answers from a file, and the interactive flow through a pseudo-terminal.
@Suite struct AttestTests {
    /// A copy of a fixture folder to answer in.
    func copy(_ fixture: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-attest-\(UUID().uuidString)")
            .path
        try FileManager.default.copyItem(
            atPath: Repo.root.appendingPathComponent("Fixtures/\(fixture)").path, toPath: dir)
        try? FileManager.default.removeItem(atPath: dir + "/expected")
        return dir
    }

    func lines(_ path: String) throws -> [String] {
        // Decoded by hand: Foundation's String(contentsOfFile:) would drop the BOM.
        String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self).split(separator: "\r\n").map(
            String.init)
    }

    @Test func answersFromAFileAreAppendedAndChangeTheReport() throws {
        let dir = try copy("dental-tsukushi")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = runCLI(["check", dir, "--as-of", "2026-11-01", "--lang", "en"])
        #expect(before.out.contains("attestation `no-written-credentials` was valid until 2026-09-01"))
        let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/確認.csv"))
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        try
            ("item,answer,by_role,by,reason\nno-written-credentials,yes,operations-lead,S-001,\nlogout-after-use,not-"
            + "applicable,system-admin,S-001,MCS is used on no shared device\n")
            .write(toFile: answers, atomically: true, encoding: .utf8)
        let r = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers, "--lang", "en"])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("recorded 2 answers"))
        // The table keeps every byte it had, stays Shift_JIS, and gains two rows.
        let after = try Data(contentsOf: URL(fileURLWithPath: dir + "/確認.csv"))
        #expect(after.prefix(original.count) == original)
        let added = try #require(String(data: after.suffix(from: original.count), encoding: .shiftJIS))
        // The table has Japanese headers, so the answers are written in its Japanese words.
        #expect(
            added
                == "no-written-credentials,はい,運用責任者,S-001,2026-11-01,\r\nlogout-after-use,対象外,システム管理者,S-001,2026-11-0"
                + "1,MCS is used on no shared device\r\n"
        )
        let check = runCLI(["check", dir, "--as-of", "2026-11-01", "--lang", "en"])
        #expect(!check.out.contains("no-written-credentials` was valid until"))
        #expect(check.out.contains("not applicable by attestation: MCS is used on no shared device"))
        // The same answers again on the same day need --same-day.
        let again = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(
            again.code == 2 && again.err.contains("error[attest.same-day]") && again.err.contains("nothing was saved"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/確認.csv")) == after)
        #expect(runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers, "--same-day"]).code == 0)
    }

    @Test func badAnswersAreAllReportedAndNothingIsWritten() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/attestations.csv"))
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        try """
        確認項目,回答,回答者の役割,回答者ID,理由
        no-writen-credentials,はい,operations-lead,S-001,
        logout-after-use,対象外,operations-lead,S-001,
        logout-after-use,yes,audit-lead,S-001,
        no-credential-sharing,maybe,operations-lead,S-001,
        no-credential-sharing,yes,operations-lead,山田 太郎,

        """.write(toFile: answers, atomically: true, encoding: .utf8)
        let r = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(r.code == 2)
        for id in ["attest.unknown-item", "data.bad-value", "attest.wrong-role", "attest.bad-id"] {
            #expect(r.err.contains("[\(id)]"), "\(id)")
        }
        #expect(r.err.contains("did you mean `no-written-credentials`?"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/attestations.csv")) == original)
    }

    @Test func aJSONFolderGetsAnAttestationsTable() throws {
        let dir = try copy("clinic-sakura")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        try "item,answer,by_role,by\nno-written-credentials,no,operations-lead,S-001\n".write(
            toFile: answers, atomically: true, encoding: .utf8)
        #expect(runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers]).code == 0)
        #expect(
            try lines(dir + "/attestations.csv") == [
                "\u{FEFF}確認項目,回答,回答者の役割,回答者ID,回答日,理由", "no-written-credentials,いいえ,運用責任者,S-001,2026-11-01,",
            ])
        let r = runCLI(["check", dir, "--as-of", "2026-11-01", "--lang", "en"])
        #expect(r.code == 1 && r.out.contains("answered on 2026-11-01 that this is not met"))
    }

    /// The answers table as `--help` documents it: signed_on may be left out (the as-of date,
    /// no warning); a wrong role is named as given, in both languages; a cell the loader
    /// refused gets that one error, not a second "row has no by_role".
    @Test func answersAsDocumentedAndOneErrorPerCell() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        #expect(runCLI(["attest", "--help"]).out.contains("signed_on may be left out"))
        try "item,answer,by_role,by,signed_on,reason\nno-written-credentials,yes,監査責任者,S-001,2026-11-01,\n".write(
            toFile: answers, atomically: true, encoding: .utf8)
        let wrong = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(wrong.code == 2)
        #expect(
            wrong.err.contains("[attest.wrong-role]") && wrong.err.contains("the row gives audit-lead (監査責任者)")
                && wrong.err.contains("この行の役割は 監査責任者 です") && !wrong.err.contains("characters"), "\(wrong.err)")
        try "item,answer,by_role,by,signed_on,reason\nno-written-credentials,yes,監査,S-001,2026-11-01,\n".write(
            toFile: answers, atomically: true, encoding: .utf8)
        let invalid = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(invalid.code == 2 && invalid.err.contains("error[data.bad-value]"), "\(invalid.err)")
        #expect(!invalid.err.contains("row has no by_role"), "\(invalid.err)")
        try "item,answer,by_role,by,reason\nno-written-credentials,yes,システム管理者,S-001,\n".write(
            toFile: answers, atomically: true, encoding: .utf8)
        let ok = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(ok.code == 0 && !ok.err.contains("warning"), "\(ok.err)")
        #expect(
            try lines(dir + "/attestations.csv").last == "no-written-credentials,yes,system-admin,S-001,2026-11-01,")
    }

    /// An attestation the check cannot count names the cell that settles it.
    @Test func uncountableAttestationNamesItsCell() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/attestations.csv"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("\nno-written-credentials,yes,operations-lead,S-001"))
        try text.replacingOccurrences(
            of: "\nno-written-credentials,yes,operations-lead,S-001",
            with: "\nno-written-credentials,yes,operations-lead,S-999"
        )
        .write(toFile: path, atomically: true, encoding: .utf8)
        for lang in ["ja", "en"] {
            let r = runCLI(["check", dir, "--as-of", "2026-11-01", "--lang", lang])
            let line = r.out.split(separator: "\n").first { $0.contains(lang == "ja" ? "を数えられません" : "cannot count") }
            #expect(
                line?.contains("attestations.csv:2:") == true && line?.contains("[by]") == true,
                "\(lang): \(line ?? "")")
        }
    }

    /// Roles are taken as the id or the Japanese word, in the answers and on the command line;
    /// an answer the check would not count (a signer not on the staff, or not holding the
    /// role) is refused with its cell named, and nothing is written.
    @Test func rolesInEitherLanguageAndSignersChecked() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/attestations.csv"))
        try """
        確認項目,回答,回答者の役割,回答者ID,理由
        no-written-credentials,はい,運用責任者,S-999,
        logout-after-use,はい,システム管理者,S-002,
        no-credential-sharing,はい,個人情報保護責任者,S-001,

        """.write(toFile: answers, atomically: true, encoding: .utf8)
        let bad = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(bad.code == 2)
        #expect(
            bad.err.contains(
                "-answers.csv:2:33 [回答者ID]: error[attest.not-signer]: the signer S-999 is not in the staff table"),
            "\(bad.err)")
        #expect(
            bad.err.contains(
                "-answers.csv:3:21 [回答者の役割]: error[attest.not-signer]: the signer S-002 does not hold the role "
                    + "system-admin"
            ), "\(bad.err)")
        #expect(
            bad.err.contains("[attest.wrong-role]: `no-credential-sharing` is answered by operations-lead (運用責任者)"),
            "\(bad.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/attestations.csv")) == original)
        try "確認項目,回答,回答者の役割,回答者ID\nno-written-credentials,はい,運用責任者,S-001\n".write(
            toFile: answers, atomically: true, encoding: .utf8)
        let ok = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(ok.code == 0, "\(ok.err)")
        // The table has English headers: the role is written as its id there.
        #expect(
            try lines(dir + "/attestations.csv").last == "no-written-credentials,yes,operations-lead,S-001,2026-11-01,")
        // An unknown role on the command line is refused, listing the roles in both languages.
        let role = runCLI(["attest", dir, "--role", "boss"])
        #expect(
            role.code == 64 && role.err.contains("`--role boss` names no role")
                && role.err.contains("operations-lead (運用責任者)"), "\(role.err)")
    }

    /// An answer the report would not count is refused, as the questions in the terminal
    /// refuse it: a not-applicable reason that says nothing (`なし`, `n/a`, `-`:
    /// `Statement.saysNothing`, the engine's test), and a yes or not-applicable signed so long
    /// ago that it has run out, naming the day it was valid until. A "no" never runs out in the
    /// report and is recorded whatever its age; a yes signed on the earliest day that still
    /// counts is recorded, and both count in the report.
    @Test func answersTheReportWouldNotCountAreRefused() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let header = "\u{FEFF}item,answer,by_role,by,signed_on,reason\n"
        try header.write(toFile: dir + "/attestations.csv", atomically: true, encoding: .utf8)
        let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/attestations.csv"))
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        try """
        item,answer,by_role,by,signed_on,reason
        logout-after-use,not-applicable,operations-lead,S-001,2026-10-01,なし
        logout-when-away,not-applicable,operations-lead,S-001,2026-10-01,n/a
        no-guessable-passwords,not-applicable,operations-lead,S-001,2026-10-01,-
        no-written-credentials,yes,operations-lead,S-001,2025-10-31,
        no-credential-sharing,not-applicable,operations-lead,S-001,2025-06-01,no paper is used anywhere here

        """.write(toFile: answers, atomically: true, encoding: .utf8)
        let bad = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(bad.code == 2)
        #expect(bad.err.components(separatedBy: "error[attest.empty-reason]").count - 1 == 3, "\(bad.err)")
        #expect(bad.err.contains("-answers.csv:2:"), "\(bad.err)")
        #expect(
            bad.err.contains(
                "-answers.csv:5:50 [signed_on]: error[attest.lapsed]: signed on 2025-10-31, renewed every 1 year: it was "
                    + "valid until 2026-10-31, before the as-of date 2026-11-01"), "\(bad.err)")
        #expect(bad.err.contains("2025-10-31 の回答は 2026-10-31 まで有効でした"), "\(bad.err)")
        #expect(bad.err.contains("it was valid until 2026-06-01"), "\(bad.err)")
        #expect(!bad.err.contains("なし") && !bad.err.contains("no paper"), "the reason is free text, not shown")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/attestations.csv")) == original)
        // The report agrees: the refused rows, recorded by hand, would not count.
        func state(_ rule: String) throws -> String? {
            let r = runCLI(["check", dir, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never"])
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
            let results = try #require(doc["results"] as? [[String: Any]])
            return results.first { $0["rule"] as? String == rule }?["state"] as? String
        }
        for (row, rule, expected) in [
            ("logout-after-use,not-applicable,operations-lead,S-001,2026-10-01,なし", "logout-after-use", "manual"),
            ("no-written-credentials,yes,operations-lead,S-001,2025-10-31,", "no-written-credentials", "fail"),
        ] {
            try (header + row + "\n").write(toFile: dir + "/attestations.csv", atomically: true, encoding: .utf8)
            #expect(try state(rule) == expected, "\(row)")
        }
        try header.write(toFile: dir + "/attestations.csv", atomically: true, encoding: .utf8)
        try """
        item,answer,by_role,by,signed_on,reason
        no-written-credentials,yes,operations-lead,S-001,2025-11-01,
        no-credential-sharing,no,operations-lead,S-001,2024-01-01,

        """.write(toFile: answers, atomically: true, encoding: .utf8)
        let ok = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(ok.code == 0, "\(ok.err)")
        #expect(try state("no-written-credentials") == "attested")
        #expect(try state("no-credential-sharing") == "fail")
    }

    /// A statement on file that the report does not count is due with the engine's reason,
    /// never as "no answer on file": one signed by someone not on the staff, and one with no
    /// date (too incomplete to be weighed, known from the table's rows). `explain` shows such
    /// a statement as on file, never as "valid until", which reads as if it counted.
    @Test func aStatementOnFileThatDoesNotCountIsSaidSo() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let path = dir + "/attestations.csv"
        let text = try String(contentsOfFile: path, encoding: .utf8)
        try text.replacingOccurrences(
            of: "\nno-written-credentials,yes,operations-lead,S-001,2026-04-01",
            with: "\nno-written-credentials,yes,operations-lead,S-999,2026-04-01"
        ).replacingOccurrences(
            of: "\nno-credential-sharing,yes,operations-lead,S-001,2026-04-01",
            with: "\nno-credential-sharing,yes,operations-lead,S-001,"
        ).write(toFile: path, atomically: true, encoding: .utf8)
        let t = try PseudoTerminal(
            executable: binary,
            arguments: [
                "attest", dir, "--as-of", "2026-11-01", "--lang", "en", "--role", "operations-lead", "--by", "S-001",
            ])
        // Both are due (in pack order). The first is asked and skipped; the undated one is not
        // asked, since the report weighs no answer to the item while that row is undated
        // (AttestNotWeighedTests).
        try t.expect("Is this met?")
        t.send("s\n")
        try t.expect("`no-credential-sharing` has an answer on file without a date")
        try t.expect("Recorded 0 answers")
        #expect(try t.wait() == 0)
        for said in [
            "status: an answer is on file, but the check does not count it: attestation `no-written-credentials` "
                + "cannot count: the signer S-999 is not in the staff table",
            "status: an answer is on file, but the check does not count it: attestation `no-credential-sharing` has "
                + "an answer without a date",
        ] {
            #expect(t.transcript.contains(said), "\(t.transcript)")
        }
        #expect(!t.transcript.contains("no answer on file"), "\(t.transcript)")
        let refused = runCLI(["explain", "no-written-credentials", dir, "--as-of", "2026-11-01", "--lang", "en"])
        #expect(
            refused.out.contains("(statement on file: operations-lead S-999, signed on 2026-04-01)"), "\(refused.out)")
        #expect(!refused.out.contains("valid until"), "\(refused.out)")
        // A lapsed one (a "yes" past its period fails): on file, not "valid until".
        let lapsed = runCLI([
            "explain", "no-credential-sharing", "Fixtures/clinic-kaede", "--as-of", "2027-04-02", "--lang", "en",
        ])
        #expect(
            lapsed.out.contains("result: fail (statement on file: operations-lead S-001, signed on 2026-04-01)"),
            "\(lapsed.out)")
        let counted = runCLI([
            "explain", "no-credential-sharing", "Fixtures/clinic-kaede", "--as-of", "2027-04-01", "--lang", "en",
        ])
        #expect(
            counted.out.contains("(attested by operations-lead S-001 on 2026-04-01, valid until 2027-04-01)"),
            "\(counted.out)")
    }

    @Test func refusesWithoutATerminalOrAnswers() {
        let r = runCLI(["attest", "Fixtures/clinic-kaede"])
        #expect(r.code == 64 && r.err.contains("--answers FILE"))
    }

    // MARK: through a pseudo-terminal

    var binary: String {
        let candidates = [
            URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tenken")
                .path,
            Repo.root.appendingPathComponent(".build/debug/tenken").path,
        ]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) } ?? candidates[1]
    }

    @Test func interactiveFlowInJapanese() throws {
        let dir = try copy("dental-tsukushi")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/確認.csv"))
        let t = try PseudoTerminal(executable: binary, arguments: ["attest", dir, "--as-of", "2026-11-01"])
        try t.expect("回答が必要な項目が 2 件あります")
        try t.expect("番号または名前: ")
        t.send("9\n")
        // Only the roles that can answer the items due are offered.
        try t.expect("1〜2 の番号か")
        t.send("1\n")
        try t.expect("あなたの職員ID")
        t.send("山田\n")
        try t.expect("氏名は入力しません")
        try t.expect("あなたの職員ID")
        t.send("S-001\n")
        try t.expect("[1/2] アカウント情報を紙や付箋にメモしない")
        try t.expect("状態: 2026-09-01 まで有効でした")
        try t.expect("規程（2-1）: 「アカウント情報(IDおよびパスワード)を紙や付箋")
        try t.expect("実務では: ")
        try t.expect("満たしていますか?")
        t.send("maybe\n")
        try t.expect("y, n, na, s, q のどれか")
        t.send("y\n")
        try t.expect("保存しました。")
        try t.expect("[2/2] 利用が終わったらログアウトする")
        try t.expect("満たしていますか?")
        t.send("na\n")
        try t.expect("対象外とする理由: ")
        t.send("\n")
        try t.expect("理由を入力してください")
        t.send("共用端末なし\n")
        try t.expect("2 件の回答を")
        #expect(try t.wait() == 0)
        let after = try Data(contentsOf: URL(fileURLWithPath: dir + "/確認.csv"))
        #expect(after.prefix(original.count) == original)
        let added = try #require(String(data: after.suffix(from: original.count), encoding: .shiftJIS))
        #expect(
            added
                == "no-written-credentials,はい,運用責任者,S-001,2026-11-01,\r\nlogout-after-use,対象外,運用責任者,S-001,2026-11-01,"
                + "共用端末なし\r\n"
        )
        let check = runCLI(["check", dir, "--as-of", "2026-11-01", "--format", "json"])
        #expect(!check.out.contains("was valid until"))
    }

    /// The role given as the menu shows it (its Japanese word) is taken; a signer not on the
    /// staff is asked again, never recorded.
    @Test func interactiveRoleByItsJapaneseWordAndSignerChecked() throws {
        let dir = try copy("dental-tsukushi")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let t = try PseudoTerminal(executable: binary, arguments: ["attest", dir, "--as-of", "2026-11-01"])
        try t.expect("番号または名前: ")
        t.send("システム管理者\n")
        try t.expect("あなたの職員ID")
        t.send("S-999\n")
        try t.expect("回答者 S-999 は職員名簿にいません")
        try t.expect("あなたの職員ID")
        t.send("S-001\n")
        try t.expect("[1/2] アカウント情報を紙や付箋にメモしない  [必要事項]")
        try t.expect("回答者: 運用責任者・システム管理者")
        t.send("q\n")
        #expect(try t.wait() == 0)
        // Given on the command line, the Japanese word is the role; a signer not holding it stops the run.
        let u = try PseudoTerminal(
            executable: binary, arguments: ["attest", dir, "--as-of", "2026-11-01", "--role", "監査責任者", "--by", "S-001"])
        try u.expect("回答者 S-001 は役割表で監査責任者に任命されていません")
        #expect(try u.wait() == 64)
    }

    /// S-001 answering as operations lead in English, as of 2027-03-20 (items running out on 2027-04-01).
    func operationsLeadInEnglish(_ dir: String) throws -> PseudoTerminal {
        try PseudoTerminal(
            executable: binary,
            arguments: [
                "attest", dir, "--as-of", "2027-03-20", "--lang", "en", "--role", "operations-lead", "--by", "S-001",
            ])
    }

    /// A note or reason typed in the terminal passes the cell rules the table's reader applies:
    /// one holding a bidi control (U+202E) is asked again with the reader's reason, never
    /// saved, and the table saved stays one that `check` reads.
    @Test func interactiveTextTheReaderWouldRefuseIsAskedAgain() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try lines(dir + "/attestations.csv")
        let t = try operationsLeadInEnglish(dir)
        try t.expect("Is this met?")
        t.send("n\n")
        try t.expect("what is missing, or the plan (optional, Enter to skip): ")
        t.send("plan \u{202E}abc\n")
        try t.expect("this cannot be saved: the cell holds the control character U+202E")
        try t.expect("what is missing, or the plan (optional, Enter to skip): ")
        t.send("plan abc\n")
        try t.expect("saved.")
        try t.expect("Is this met?")
        t.send("na\n")
        try t.expect("why it does not apply: ")
        t.send("\u{200F}none\n")
        try t.expect("this cannot be saved")
        try t.expect("why it does not apply: ")
        t.send("no shared terminal\n")
        try t.expect("saved.")
        try t.expect("Is this met?")
        t.send("q\n")
        #expect(try t.wait() == 0)
        let after = try lines(dir + "/attestations.csv")
        #expect(after.count == before.count + 2)
        #expect(!after.joined().unicodeScalars.contains { $0.value == 0x202E || $0.value == 0x200F })
        let check = runCLI(["check", dir, "--as-of", "2027-03-20"])
        #expect(check.code != 2, "\(check.err)")
    }

    /// A not-applicable reason typed in the terminal that the report would not count (`なし`,
    /// `n/a`, `-`: `Statement.saysNothing`) is asked again, never saved; one that says why is.
    @Test func interactiveReasonThatSaysNothingIsAskedAgain() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try lines(dir + "/attestations.csv")
        let t = try operationsLeadInEnglish(dir)
        try t.expect("Is this met?")
        t.send("na\n")
        for filler in ["なし", "n/a", "-"] {
            try t.expect("why it does not apply: ")
            t.send(filler + "\n")
            try t.expect("\"\(filler)\" gives no reason")
            try t.expect("so the check would not count it; say why it does not apply.")
        }
        try t.expect("why it does not apply: ")
        t.send("no shared terminal\n")
        try t.expect("saved.")
        try t.expect("Is this met?")
        t.send("q\n")
        #expect(try t.wait() == 0)
        let after = try lines(dir + "/attestations.csv")
        #expect(after.count == before.count + 1)
        #expect(after.last?.hasSuffix(",no shared terminal") == true, "\(after.last ?? "")")
    }

    /// A reason cell the loader refuses (a control character) gets that one error, not also
    /// "not-applicable needs a reason": one error per cell, whatever the follow-on error.
    @Test func aRefusedReasonCellHasOneError() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        try
            "item,answer,by_role,by,signed_on,reason\nlogout-after-use,not-applicable,operations-lead,S-001,,a\u{202E}b\n"
            .write(toFile: answers, atomically: true, encoding: .utf8)
        let r = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(r.code == 2)
        #expect(r.err.components(separatedBy: "error[").count - 1 == 1, "\(r.err)")
        #expect(r.err.contains("[data.control-character]") && !r.err.contains("attest.missing-reason"), "\(r.err)")
    }

    /// Ctrl-C keeps what was answered, leaves nothing half-written and no temporary file.
    @Test func ctrlCKeepsTheAnswersGivenSoFar() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = try lines(dir + "/attestations.csv")
        let t = try operationsLeadInEnglish(dir)
        try t.expect("need an answer")
        try t.expect("[1/")
        try t.expect("status: valid until 2027-04-01, soon")
        try t.expect("Is this met?")
        t.send("n\n")
        try t.expect("what is missing, or the plan (optional, Enter to skip): ")
        t.send("one sticky note found; removed by December\n")
        try t.expect("saved.")
        try t.expect("Is this met?")
        t.send("\u{03}")
        try t.expect("interrupted; the answers given so far are saved")
        #expect(try t.wait() == 130)
        let after = try lines(dir + "/attestations.csv")
        #expect(after.count == before.count + 1)
        #expect(
            after.last
                == "no-written-credentials,no,operations-lead,S-001,2027-03-20,one sticky note found; removed by "
                + "December"
        )
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: dir).filter { !$0.hasSuffix(".csv") }
        #expect(leftovers.isEmpty, "\(leftovers)")
    }
}
