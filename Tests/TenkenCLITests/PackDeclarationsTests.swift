import Foundation
import Testing

/// Step 4b of issue 19 (docs/design/pack-data-model-phase2.md): the loaders, the table writer and
/// the audit layer read what the pack declares (subject, snapshot version, the profile table's
/// sections, companions, published profile, statements, `near_reference`), not MCS names. These
/// run the fleet pack (`Rules/fleet`, a schema of its own) through every command that does not
/// evaluate rules, and the MCS pack where only it declares the mechanism.
struct PackDeclarationsTests {
    static let fleet = "Rules/fleet"

    /// A copy of the fleet pack with `edits` made to its schema file.
    static func fleetCopy(_ tag: String, _ edits: [(String, String)]) throws -> URL {
        let dir = tempDir(tag)
        let pack = dir.appendingPathComponent("fleet")
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent(fleet), to: pack)
        let file = pack.appendingPathComponent("schema.tenken")
        var text = try String(contentsOf: file, encoding: .utf8)
        for (old, new) in edits {
            #expect(text.contains(old), "\(old)")
            text = text.replacingOccurrences(of: old, with: new)
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
        return pack
    }

    /// A fleet site goes to the pack's own tables and back unchanged: the profile table holds
    /// both single sections (`facility.*`, `password_policy.*`) with the two columns the table
    /// declares and no `schema_version` row (the pack declares no `snapshot version`), and each
    /// collection has its own table.
    @Test func aPacksOwnSchemaRoundTripsThroughItsTables() throws {
        let dir = tempDir("fleet-tables")
        defer { try? FileManager.default.removeItem(at: dir) }
        let tables = dir.appendingPathComponent("site").path
        let toCSV = runCLI([
            "convert", "Fixtures/fleet/site-gaps.json", "--rules", Self.fleet, "--to", "csv", tables,
        ])
        #expect(toCSV.code == 0, "\(toCSV.err)")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: tables).sorted()
                == ["accounts.csv", "devices.csv", "site.csv"])
        let profile = try String(contentsOfFile: tables + "/site.csv", encoding: .utf8)
        // CSV rows end in CRLF, a grapheme of its own.
        let lines = profile.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").map(String.init)
        #expect(lines.first?.hasSuffix("項目,値") == true, "\(profile)")
        #expect(lines.contains("facility.id,SITE-0042"), "\(profile)")
        #expect(lines.contains { $0.hasPrefix("password_policy.min_length,") }, "\(profile)")
        #expect(!profile.contains("schema_version"))
        #expect(lines.dropFirst().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 2 })

        let back = runCLI(["convert", tables, "--rules", Self.fleet, "--to", "json"])
        #expect(back.code == 0, "\(back.err)")
        let direct = runCLI(["convert", "Fixtures/fleet/site-gaps.json", "--rules", Self.fleet, "--to", "json"])
        #expect(direct.code == 0, "\(direct.err)")
        #expect(back.out == direct.out)
        #expect(!back.out.contains("schema_version"))
    }

    /// `init` writes the pack's example as its own tables, and they read back.
    @Test func initWritesAPacksOwnTables() throws {
        let dir = tempDir("fleet-init")
        defer { try? FileManager.default.removeItem(at: dir) }
        let site = dir.appendingPathComponent("site").path
        let run = runCLI(["init", site, "--rules", Self.fleet, "--kind", "pharmacy"])
        #expect(run.code == 0, "\(run.err)")
        #expect(run.out.contains("site.csv, accounts.csv, devices.csv, README.txt"), "\(run.out)")
        let json = runCLI(["convert", site, "--rules", Self.fleet, "--to", "json"])
        #expect(json.code == 0, "\(json.err)")
        #expect(json.out.contains("\"type\": \"pharmacy\""), "the subject's kind field is set: \(json.out)")
    }

    /// Without `snapshot version`, no version key is required and `schema_version` is a key
    /// like any other the schema does not know: a warning, never a verdict-changing error.
    @Test func schemaVersionIsAnUnknownKeyForAPackWithoutOne() throws {
        let dir = tempDir("fleet-version")
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("site.json").path
        try writeText(#"{"schema_version": 1, "facility": {"id": "SITE-1", "type": "lab"}}"#, file)
        let run = runCLI(["convert", file, "--rules", Self.fleet, "--to", "json"])
        #expect(run.code == 0, "\(run.err)")
        #expect(run.err.contains("warning[data.unknown-field]"), "\(run.err)")
        #expect(!run.err.contains("schema-version"), "\(run.err)")
    }

    /// What a pack that declares no companion, published profile, statements or subject kind
    /// gets: `--devices` and `--provider` are usage errors (64) naming the pack, `attest` exits 2
    /// before asking anything, and `init --kind` is a usage error while `init` alone works.
    @Test func optionsOfUndeclaredMechanismsAreRefused() throws {
        for option in ["--devices", "--provider"] {
            for command in [
                ["check", "Fixtures/fleet/site-ok.json"],
                ["explain", "a_password_policy", "Fixtures/fleet/site-ok.json"],
            ] {
                let run = runCLI(command + ["--rules", Self.fleet, option, "x.json", "--as-of", "2026-11-25"])
                #expect(run.code == 64, "\(command) \(option): \(run.err)")
                #expect(run.err.contains("`\(option)`: the rule pack \(Self.fleet) declares no"), "\(run.err)")
            }
        }
        let attest = runCLI(["attest", "Fixtures/fleet", "--rules", Self.fleet, "--answers", "x.csv"])
        #expect(attest.code == 2, "\(attest.err)")
        #expect(attest.err.contains("declares no statements"), "\(attest.err)")

        let pack = try Self.fleetCopy(
            "fleet-nokind", [("subject facility { id id  kind type }", "subject facility { id id }")])
        defer { try? FileManager.default.removeItem(at: pack.deletingLastPathComponent()) }
        let out = pack.deletingLastPathComponent().appendingPathComponent("site").path
        let kind = runCLI(["init", out, "--rules", pack.path, "--kind", "lab"])
        #expect(kind.code == 64, "\(kind.err)")
        #expect(kind.err.contains("declares no kind of its subject"), "\(kind.err)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let plain = runCLI(["init", out, "--rules", pack.path])
        #expect(plain.code == 0, "\(plain.err)")
    }

    /// Without `subject`, a facility is named by its file: the tables of a folder by the folder.
    @Test func withoutASubjectTheFacilityIsNamedByItsFile() throws {
        let pack = try Self.fleetCopy("fleet-nosubject", [("subject facility { id id  kind type }", "")])
        defer { try? FileManager.default.removeItem(at: pack.deletingLastPathComponent()) }
        let run = runCLI(["schema", "--rules", pack.path])
        #expect(run.code == 0, "\(run.err)")
        let init_ = runCLI([
            "init", pack.deletingLastPathComponent().appendingPathComponent("s").path, "--rules", pack.path, "--kind",
            "lab",
        ])
        #expect(init_.code == 64, "no subject, no kind: \(init_.err)")
    }

    /// `near_reference` (the MCS refusal's `party`): a party that differs from a group member's
    /// facility id only in case, dashes or spaces is warned about at the party, naming the place
    /// of the id it likely means.
    @Test func aNearReferenceIsWarnedAboutAtTheValue() throws {
        let dir = tempDir("near-reference")
        defer { try? FileManager.default.removeItem(at: dir) }
        let text = try String(
            contentsOf: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/snapshot.json"), encoding: .utf8)
        #expect(text.contains(#""party": "F-CARE-0009""#))
        let file = dir.appendingPathComponent("snapshot.json").path
        try writeText(text.replacingOccurrences(of: #""party": "F-CARE-0009""#, with: #""party": "f-ph 0002""#), file)
        let run = runCLI(["convert", file, "--to", "json"])
        let warning = run.err.split(separator: "\n").first { $0.contains("warning[data.near-reference]") }
        #expect(warning != nil, "\(run.err)")
        #expect(warning?.contains("party") == true, "\(run.err)")
        #expect(warning?.contains("matches no `facility_id` of groups.members") == true, "\(run.err)")
        let exact = runCLI(["convert", "Fixtures/clinic-sakura/snapshot.json", "--to", "json"])
        #expect(!exact.err.contains("data.near-reference"), "\(exact.err)")
    }

    /// A `provider.json` in a pack without `published` is not read, and `lint` says so.
    @Test func aProfileWithoutPublishedIsNotReadAndLintSaysSo() throws {
        let pack = try Self.fleetCopy("fleet-provider", [])
        defer { try? FileManager.default.removeItem(at: pack.deletingLastPathComponent()) }
        try writeText(#"{"facility": {"id": "X"}}"#, pack.appendingPathComponent("provider.json").path)
        let lint = runCLI(["lint", "--rules", pack.path])
        #expect(lint.code == 0, "\(lint.err)")
        #expect(lint.err.contains("provider.json: warning[check.unread-profile]"), "\(lint.err)")
        let plain = runCLI(["lint", "--rules", Self.fleet])
        #expect(!plain.err.contains("check.unread-profile"), "\(plain.err)")
    }
}
