import Foundation
import TenkenAudit
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenEval

/// The engine's messages about statements, signers and the provider profile are assembled from
/// the MCS schema's mechanism declarations (docs/dsl.md, "Mechanisms"), and come out word for
/// word as the reports have always said them.
struct MechanismsEngineTests {
    let m = PackLoader.builtInSchema.mechanisms

    /// Signers: the declared stand-in (the director, 院長・管理者) answers for the three leads
    /// no one holds (section 3), and the message names it by its choice word.
    @Test func theDeclaredStandInAnswersForTheLeads() throws {
        let ap = try #require(m.appointments)
        #expect(ap.standIns.map(\.holder) == ["director"])
        let day = try #require(Day(iso: "2026-04-01"))
        // S-9 is on the staff (so only the role is at stake) and no one holds any role.
        var l = SnapshotLoader(schema: PackLoader.builtInSchema)
        let json =
            "{\"schema_version\": 1, \"staff\": [{\"id\": \"S-9\", \"hired_on\": \"2020-01-01\"}], \"roles\": []}"
        let loaded = l.loadSnapshot(bytes: Array(json.utf8), path: "s.json")
        let facility = try #require(loaded)
        #expect(!l.diagnostics.contains { $0.severity == .error }, "\(l.diagnostics)")
        let signers = Signers(facility)
        #expect(
            signers.refusal(by: "S-9", role: "operations-lead", on: day)
                == Bilingual(
                    ja: "回答者 S-9 は役割表で運用責任者に任命されていません（任命された職員も院長・管理者もいません）",
                    en: "the signer S-9 does not hold the role operations-lead in the roles table (no one, and no "
                        + "director, holds it)"))
        // A role no one stands in for.
        let other = try #require(
            PackLoader.builtInSchema.mechanisms.statements?.roles.first { r in
                !ap.standIns.contains { $0.roles.contains(r) || $0.holder == r }
            })
        #expect(signers.refusal(by: "S-9", role: other, on: day)?.en.hasSuffix("(no one holds it)") == true)
    }

    /// The labels are the words of the engine's messages.
    @Test func labelsAreTheEngineMessagesWords() throws {
        let roster = try #require(m.roster)
        let day = try #require(Day(iso: "2026-04-01"))
        let gap = try #require(Roster.employmentGap(of: "S-9", on: day, in: roster, people: .list([])))
        #expect(gap == ("S-9 は職員名簿にいません", "S-9 is not in the staff table"), "\(gap)")
        // No roster section: nothing shows S-9 employed, in the roster's own words.
        let none = try #require(Roster.employmentGap(of: "S-9", on: day, in: roster, people: nil))
        #expect(
            none
                == (
                    "S-9 を確かめられません: 職員名簿がないため、2026-04-01 に在職していたか分かりません",
                    "S-9 cannot be checked: the facility gives no staff table, so it cannot show they were employed on "
                        + "2026-04-01"
                ), "\(none)")

        let pub = try #require(m.published)
        let profile = ProviderProfile(
            asOf: nil, location: nil, maxAge: nil, stale: true, label: pub.label, publisher: pub.publisher,
            dated: Bilingual(ja: "公表日", en: "profile_as_of"))
        let warning = try #require(profile.warning)
        #expect(
            warning
                == Bilingual(
                    ja: "事業者プロファイルに公表日（profile_as_of）がありません。事業者の最新の公表内容で確認してください",
                    en: "the provider profile has no date (profile_as_of); check it against the provider's latest "
                        + "published measures"))
        #expect(m.snapshotVersion == 1, "every MCS snapshot and fixture carries version 1")
    }

    /// FacilityInput reads a device inventory from exactly the declared JSON files: two of them
    /// in one folder are two accounts of the devices.
    @Test func theDeviceInventoryFilesAreTheOnesFacilityInputReads() throws {
        let devices = try #require(
            m.companions.first { $0.section == PackLoader.builtInSchema.sectionIndex["devices"] })
        guard case .replaces(let files) = devices.mode else {
            Issue.record("devices is not replaced: \(devices)")
            return
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("mech-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for name in ["snapshot.json"] + files {
            try Data("{}".utf8).write(to: URL(fileURLWithPath: (dir as NSString).appendingPathComponent(name)))
        }
        guard case .success(let input) = FacilityInput.folder(dir, schema: PackLoader.builtInSchema) else {
            Issue.record("the folder was not read")
            return
        }
        let ambiguous = input.folderDiagnostics.filter { $0.id == "data.ambiguous-input" }
        #expect(ambiguous.count == 1 && files.allSatisfy { ambiguous[0].message.contains($0) }, "\(ambiguous)")
        #expect(
            m.companions.map(\.section)
                == ["devices", "attestations"].map { PackLoader.builtInSchema.sectionIndex[$0] })
    }
}
