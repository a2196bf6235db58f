import Foundation
import TenkenAudit
import TenkenData
import TenkenReport
import TenkenSyntax
import Testing

@testable import TenkenCLI
@testable import TenkenEval

/// Waivers, statements and `tenken attest` where a verdict could be trusted more than it
/// should: an inclusive last day worded as an expiry, attest and check weighing statements with
/// different parameters or counting different rows, a check that could not be made read as
/// passed, a missing provider profile read as a fresh one, and a refusal worded for another day.
@Suite struct VerdictTrustLeftoverTests {
    /// A copy of a fixture folder to change.
    func copy(_ fixture: String) throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-trust-\(UUID().uuidString)")
            .path
        try FileManager.default.copyItem(
            atPath: Repo.root.appendingPathComponent("Fixtures/\(fixture)").path, toPath: dir)
        try? FileManager.default.removeItem(atPath: dir + "/expected")
        return dir
    }

    func write(_ text: String, to path: String) throws {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
    }

    /// The state and English reason of one rule in a JSON report.
    func state(_ out: String, _ rule: String) throws -> (state: String?, reason: String?) {
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any])
        let results = try #require(doc["results"] as? [[String: Any]])
        let r = results.first { $0["rule"] as? String == rule }
        return (r?["state"] as? String, (r?["reason"] as? [String: String])?["en"])
    }

    func waivers(
        _ dir: String, facility: String, rule: String, expires: String, granted: String = "2026-10-01"
    )
        throws -> String
    {
        let path = dir + "-waivers.json"
        try write(
            """
            {"waivers": [{"rule": "\(rule)", "facility": "\(facility)", "justification": "replaced in December",
              "requested_by": "S-1", "approved_by": "S-2", "granted_on": "\(granted)", "expires_on": "\(expires)"}]}
            """, to: path)
        return path
    }

    // MARK: 1. a waiver's last day

    /// `expires_on` is the waiver's last day: it is in force on it (waived), and from the next
    /// day every report, in both languages, says it *was valid until* that day, never that it
    /// "expired on" it; the warning before it says the same day as the last.
    @Test func aWaiverPastItsLastDayWasValidUntilItInEveryFormat() throws {
        let dir = try copy("messy-tsubaki")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let w = try waivers(dir, facility: "F-CL-0005", rule: "wifi-encrypted", expires: "2026-10-31")
        defer { try? FileManager.default.removeItem(atPath: w) }
        // On its last day it is in force, and the warning names that day as the last.
        let onTheDay = runCLI(["check", dir, "--as-of", "2026-10-31", "--format", "json", "--waivers", w])
        #expect(try state(onTheDay.out, "wifi-encrypted").state == "waived", "\(onTheDay.err)")
        #expect(
            onTheDay.err.contains("waiver of `wifi-encrypted` for F-CL-0005 is valid until 2026-10-31 (its last day)"),
            "\(onTheDay.err)")
        #expect(!onTheDay.err.contains("expires on"), "\(onTheDay.err)")
        // The day after, in every format and both languages.
        for lang in ["en", "ja"] {
            for format in ReportFormat.allCases {
                let r = runCLI([
                    "check", dir, "--as-of", "2026-11-01", "--format", format.rawValue, "--lang", lang, "--waivers", w,
                    "--fail-on", "never",
                ])
                #expect(r.code == 0, "\(format) \(lang): \(r.err)")
                #expect(!r.out.contains("expired on") && !r.out.contains("期限切れ"), "\(format) \(lang)")
                if format == .json {
                    #expect(
                        try state(r.out, "wifi-encrypted").reason
                            == "the waiver was valid until 2026-10-31 (justification: replaced in December)")
                }
                let said = lang == "en" ? "the waiver was valid until 2026-10-31" : "免除は 2026-10-31 まで有効でした"
                // CSV carries no reasons; every other format says it where it gives the reason
                // (HTML with each date in a span, SARIF at each finding the waiver no longer hides).
                let plain =
                    format == .html
                    ? r.out.replacingOccurrences(of: "<[^>]+>", with: "", options: .regularExpression) : r.out
                if format != .csv { #expect(plain.contains(said), "\(format) \(lang)") }
                if format == .sarif {
                    #expect(r.out.contains("\"waiver_valid_until\": \"2026-10-31\""), "\(format) \(lang)")
                }
            }
        }
        // A waiver whose last day is before the day it is granted says so in the same words.
        let bad = try waivers(dir, facility: "F-CL-0005", rule: "wifi-encrypted", expires: "2026-09-30")
        let b = runCLI(["check", dir, "--as-of", "2026-11-01", "--waivers", bad])
        #expect(b.code == 2)
        #expect(
            b.err.contains("waiver is valid until 2026-09-30, before the day it is granted (2026-10-01)"), "\(b.err)")
    }

    // MARK: 2. attest weighs with the report's parameters

    /// `tenken attest --param` takes the same overrides as `check`: a shorter renewal period
    /// makes the statements signed on 2026-04-01 lapse by 2026-11-01 in both, so attest lists
    /// them as due (interactive) and refuses an answers row the check would not count, and an
    /// unknown parameter stops attest as it stops check.
    @Test func attestTakesTheReportsParameters() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let six = "attestation.renewal=6 months"
        // The report: a year counts 2026-04-01's statements; six months do not.
        let year = runCLI(["check", dir, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never"])
        #expect(try state(year.out, "no-written-credentials").state == "attested")
        let half = runCLI([
            "check", dir, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never", "--param", six,
        ])
        let lapsed = try state(half.out, "no-written-credentials")
        #expect(lapsed.state == "fail")
        #expect(lapsed.reason == nil || lapsed.reason?.contains("expired") == false)
        // An answers row signed on 2026-04-15: counted with a year, lapsed with six months.
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        try write(
            "item,answer,by_role,by,signed_on,reason\nno-written-credentials,yes,operations-lead,S-001,2026-04-15,\n",
            to: answers)
        let original = try Data(contentsOf: URL(fileURLWithPath: dir + "/attestations.csv"))
        let refused = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers, "--param", six])
        #expect(refused.code == 2, "\(refused.err)")
        #expect(
            refused.err.contains(
                "error[attest.lapsed]: signed on 2026-04-15, renewed every 6 months: it was valid until 2026-10-15"),
            "\(refused.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/attestations.csv")) == original)
        // An override the report refuses stops attest before anything is asked or saved.
        let unknown = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers, "--param", "renewl=1"])
        #expect(unknown.code == 2)
        #expect(unknown.err.contains("[data.unknown-param]") && unknown.err.contains("nothing was saved"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: dir + "/attestations.csv")) == original)
        // The questions in the terminal: due with six months, as the report says.
        let binary = AttestTests().binary
        let t = try PseudoTerminal(
            executable: binary,
            arguments: [
                "attest", dir, "--as-of", "2026-11-01", "--lang", "en", "--role", "operations-lead", "--by", "S-001",
                "--param", six,
            ])
        try t.expect("status: was valid until 2026-10-01")
        t.send("q\n")
        #expect(try t.wait() == 0)
        let none = try PseudoTerminal(
            executable: binary,
            arguments: [
                "attest", dir, "--as-of", "2026-11-01", "--lang", "en", "--role", "operations-lead", "--by", "S-001",
            ])
        try none.expect("Nothing needs an answer now.")
        #expect(try none.wait() == 0)
    }

    // MARK: 3. an old "no", and answers the report would never weigh

    /// A "no" does not run out in the report: the latest answer "no", however old, fails the
    /// rule until a later answer replaces it. So attest records an old "no" (a yes that old is
    /// refused as lapsed) and the report fails the rule with it. A row dated before another
    /// answer to the same item, on file or in the same answers, is never the one the report
    /// weighs: it is refused (`attest.superseded`), a "no" as much as a "yes", and nothing is
    /// saved.
    @Test func attestRecordsOnlyWhatTheReportWeighs() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let table = dir + "/attestations.csv"
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        let header = "item,answer,by_role,by,signed_on,reason\n"
        func check(_ rule: String) throws -> (state: String?, reason: String?) {
            try state(
                runCLI(["check", dir, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never"]).out, rule)
        }
        // On file: yes, 2026-04-01. An older "no" would be recorded and never weighed.
        try write(header + "no-credential-sharing,no,operations-lead,S-001,2026-03-01,\n", to: answers)
        let original = try Data(contentsOf: URL(fileURLWithPath: table))
        let older = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(older.code == 2)
        #expect(
            older.err.contains(
                "error[attest.superseded]: signed on 2026-03-01, but `no-credential-sharing` has a later answer (signed "
                    + "on 2026-04-01)"), "\(older.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: table)) == original)
        #expect(try check("no-credential-sharing").state == "attested")
        // Two rows of the same answers: the earlier one is refused.
        try write(
            header + "logout-after-use,no,operations-lead,S-001,2026-10-01,\n"
                + "logout-after-use,yes,operations-lead,S-001,2026-10-20,\n", to: answers)
        let pair = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(pair.code == 2)
        #expect(pair.err.contains("answers.csv:2:"), "\(pair.err)")
        #expect(
            pair.err.contains("signed on 2026-10-01, but `logout-after-use` has a later answer (signed on 2026-10-20)"))
        #expect(try Data(contentsOf: URL(fileURLWithPath: table)) == original)
        // With no statements on file: an old "no" is recorded, and fails the rule in the report;
        // a yes of the same age is refused as lapsed.
        try write("\u{FEFF}" + header, to: table)
        try write(header + "no-credential-sharing,no,operations-lead,S-001,2024-01-01,\n", to: answers)
        let oldNo = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(oldNo.code == 0, "\(oldNo.err)")
        let failed = try check("no-credential-sharing")
        #expect(failed.state == "fail")
        try write(header + "no-written-credentials,yes,operations-lead,S-001,2024-01-01,\n", to: answers)
        let oldYes = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
        #expect(oldYes.code == 2 && oldYes.err.contains("[attest.lapsed]"), "\(oldYes.err)")
        // The same day as the latest on file is recorded: a later row of a day wins.
        try write(header + "no-credential-sharing,yes,operations-lead,S-001,2024-01-01,\n", to: answers)
        let sameDay = runCLI([
            "attest", dir, "--as-of", "2024-06-01", "--answers", answers, "--same-day",
        ])
        #expect(sameDay.code == 0, "\(sameDay.err)")
    }

    // MARK: 4. a waiver's people without the patients section

    /// The requester and approver of a waiver must not be a patient's id. A facility that gives
    /// no patients section cannot show that: the waiver still needs both on the staff roster,
    /// and applies, with a warning that names the check not made, never silently.
    @Test func aWaiverWhosePeopleCannotBeCheckedAgainstThePatientsSaysSo() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let before = runCLI(["check", dir, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never"])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(before.out.utf8)) as? [String: Any])
        let results = try #require(doc["results"] as? [[String: Any]])
        let failing = try #require(results.first { $0["state"] as? String == "fail" }?["rule"] as? String)
        let facility = try #require((doc["facility"] as? [String: Any])?["id"] as? String)
        let path = dir + "-waivers.json"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try write(
            """
            {"waivers": [{"rule": "\(failing)", "facility": "\(facility)", "justification": "replaced in December",
              "requested_by": "S-001", "approved_by": "S-002", "granted_on": "2026-10-01", "expires_on": "2026-12-31"}]}
            """, to: path)
        let args = ["check", dir, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never", "--waivers", path]
        let with = runCLI(args)
        #expect(try state(with.out, failing).state == "waived", "\(with.err)")
        #expect(!with.err.contains("waiver.unchecked-person"))
        // A patient's id as the approver is refused while the patients are known.
        try write(
            try String(contentsOfFile: path, encoding: .utf8).replacingOccurrences(of: "S-002", with: "P-0001"),
            to: path + ".p")
        defer { try? FileManager.default.removeItem(atPath: path + ".p") }
        let patient = runCLI(args.dropLast() + [path + ".p"])
        #expect(patient.code == 2 && patient.err.contains("is a patient's id"), "\(patient.err)")
        try FileManager.default.removeItem(atPath: dir + "/patients.csv")
        let without = runCLI(args)
        #expect(try state(without.out, failing).state == "waived", "\(without.err)")
        #expect(
            without.err.contains(
                "warning[waiver.unchecked-person]: waiver of `\(failing)`: \(facility) gives no patients section, so "
                    + "its `requested_by` and `approved_by` cannot be checked not to be a patient's id"),
            "\(without.err)")
        // The report carries the warning too.
        #expect(without.out.contains("waiver.unchecked-person"))
    }

    // MARK: 5. no provider profile is not a fresh one

    /// A pack that declares a published provider profile, and a facility that gives none (no
    /// `--provider`, no section, no copy in the pack): the report says none was given and
    /// warns, in every language, as it does for a stale one; never silence, which reads as fresh.
    @Test func noProviderProfileIsNeverReadAsFresh() throws {
        let pack = NSTemporaryDirectory() + "tenken-pack-\(UUID().uuidString)"
        Repo.enter()
        try FileManager.default.copyItem(atPath: "Rules/mcs", toPath: pack)
        defer { try? FileManager.default.removeItem(atPath: pack) }
        try FileManager.default.removeItem(atPath: pack + "/provider.json")
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let en = runCLI(["check", dir, "--as-of", "2026-11-01", "--rules", pack, "--lang", "en", "--fail-on", "never"])
        #expect(en.out.contains("Provider profile"), "\(en.out)")
        #expect(en.out.contains("none given (not in the input)"), "\(en.out)")
        #expect(
            en.out.contains("⚠ no provider profile is given, so the provider's measures cannot be judged"), "\(en.out)")
        let ja = runCLI(["check", dir, "--as-of", "2026-11-01", "--rules", pack, "--fail-on", "never"])
        #expect(ja.out.contains("事業者プロファイルがありません"), "\(ja.out)")
        let json = runCLI([
            "check", dir, "--as-of", "2026-11-01", "--rules", pack, "--format", "json", "--fail-on", "never",
        ])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let profile = try #require(doc["provider_profile"] as? [String: Any])
        #expect(profile["stale"] as? Bool == true)
        #expect(profile["warning"] != nil && !(profile["warning"] is NSNull))
        // With the pack's copy, the profile is there and dated.
        let bundled = runCLI(["check", dir, "--as-of", "2026-11-01", "--lang", "en", "--fail-on", "never"])
        #expect(!bundled.out.contains("none given"))
    }

    /// A pack whose rules never read the provider's section (the peers' 8-rule bench, a vendor's
    /// CI gate) judges nothing against a profile: a facility without one gets no profile line and
    /// no warning, as with a pack that declares none; the warning is for packs that need it.
    @Test func noProviderProfileIsNoiseOnlyForAPackThatNeverReadsIt() throws {
        let pack = NSTemporaryDirectory() + "tenken-pack-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: pack + "/rules", withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: pack) }
        try """
        pack onerule {
          version "1.0.0"
          title ja "一規則" en "One rule"
          source "test" edition "2026-12"
        }
        """.write(toFile: pack + "/pack.tenken", atomically: true, encoding: .utf8)
        try
            "id\tsection\tcategory\tlevel\tscope\trisks\tevidence\tja\ten\nONE-A\ta\thuman-organizational\trequired\tmcs\tR1\tservice\tパスワード\tpassword\n"
            .write(toFile: pack + "/catalog.tsv", atomically: true, encoding: .utf8)
        try """
        rule a_password {
          implements ONE-A
          level required
          category human-organizational
          scope mcs
          risks R1
          section "a"
          title ja "パスワード" en "Password"
          remediation ja "直してください。" en "Fix it."
          expect service.password.min_length >= 1
            message ja "短い" en "short"
        }
        """.write(toFile: pack + "/rules/a.tenken", atomically: true, encoding: .utf8)
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let en = runCLI(["check", dir, "--as-of", "2026-11-01", "--rules", pack, "--lang", "en", "--fail-on", "never"])
        #expect(en.code == 0, "\(en.out)\(en.err)")
        #expect(en.out.contains("Password"), "\(en.out)")
        #expect(!en.out.contains("Provider profile"), "\(en.out)")
        #expect(!en.out.contains("provider profile is given"), "\(en.out)")
        let json = runCLI([
            "check", dir, "--as-of", "2026-11-01", "--rules", pack, "--format", "json", "--fail-on", "never",
        ])
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        #expect(doc["provider_profile"] == nil || doc["provider_profile"] is NSNull, "\(json.out)")
    }

    // MARK: 6. a roles row without a holder, dated after the signing day

    /// A roles row that names a role without its holder speaks from its `since` on: for a
    /// statement signed before it, a signer who does not hold the role is told so, not that the
    /// table "names the role without saying who holds it" (true only later); the later row is
    /// still mentioned. Signed on or after that day, the unnamed holder is the reason.
    @Test func aHolderlessRoleRowAfterTheSigningDayIsNotThatDaysReason() throws {
        let dir = try copy("clinic-kaede")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try write(
            "\u{FEFF}role,staff_id,since\noperations-lead,S-001,2021-06-01\nsystem-admin,S-001,2021-06-01\n"
                + "privacy-lead,S-001,2021-06-01\nmcs-admin,S-001,2021-06-01\ndirector,S-001,2019-04-01\n"
                + "operations-lead,,2026-10-15\n", to: dir + "/roles.csv")
        let answers = dir + "-answers.csv"
        defer { try? FileManager.default.removeItem(atPath: answers) }
        func attest(_ signed: String) throws -> String {
            try write(
                "item,answer,by_role,by,signed_on,reason\nno-written-credentials,yes,operations-lead,S-002,\(signed),\n",
                to: answers)
            let r = runCLI(["attest", dir, "--as-of", "2026-11-01", "--answers", answers])
            #expect(r.code == 2)
            return r.err
        }
        let before = try attest("2026-10-01")
        #expect(
            before.contains(
                "the signer S-002 does not hold the role operations-lead in the roles table (it is held by S-001; a row "
                    + "from 2026-10-15, after the signing day, names it without saying who holds it)"), "\(before)")
        #expect(!before.contains("names the role operations-lead without saying who holds it"), "\(before)")
        let after = try attest("2026-10-20")
        #expect(after.contains("names the role operations-lead without saying who holds it"), "\(after)")
        // The engine words it the same way at the report's statement.
        let signers = Signers(
            try #require(
                FacilityInput.folder(dir, schema: PackLoader.builtInSchema).get().load(
                    options: LoadOptions(), pack: nil, asOf: nil
                ).0))
        let day = try #require(Day(iso: "2026-10-01"))
        let why = try #require(signers.check(by: "S-002", role: "operations-lead", on: day))
        #expect(why.reason.ja.contains("2026-10-15 からの行は運用責任者を挙げていますが"), "\(why.reason.ja)")
        #expect(!why.reason.ja.contains("誰が任命されているかが書かれていないため"), "\(why.reason.ja)")
    }
}
