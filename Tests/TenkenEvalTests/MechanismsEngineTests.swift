import Foundation
import TenkenAudit
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenEval

/// The MCS schema's mechanism declarations (docs/dsl.md, "Mechanisms") hold the values the
/// engine still hard-codes, so switching the engine over to them changes no verdict or word.
/// (The sections and fields are held to `SnapshotRoot` in SchemaMechanismsTests.)
struct MechanismsEngineTests {
    let m = PackLoader.builtInSchema.mechanisms

    /// Signers: the director (院長・管理者) stands in for the three leads (section 3).
    @Test func theDirectorStandsInForTheLeadsSignersNames() throws {
        let ap = try #require(m.appointments)
        #expect(ap.standIns.map(\.holder) == ["director"])
        #expect(Set(ap.standIns.flatMap(\.roles)) == Signers.directorStandsIn)
        #expect(ap.standIns.flatMap(\.roles).count == Signers.directorStandsIn.count)
    }

    /// The labels are the words of the engine's messages today.
    @Test func labelsAreTheEngineMessagesWords() throws {
        let roster = try #require(m.roster)
        let day = try #require(Day(iso: "2026-04-01"))
        let gap = try #require(Roster.employmentGap(of: "S-9", on: day, staff: .list([])))
        #expect(gap.ja.contains(roster.label.ja) && gap.en.contains(roster.label.en), "\(gap)")

        let ap = try #require(m.appointments)
        var roots = [Value?](repeating: nil, count: PackLoader.builtInSchema.sections.count)
        roots[ap.section] = .list([])
        let refusal = try #require(
            Signers(roots: roots, schema: PackLoader.builtInSchema).refusal(by: "S-9", role: "operations-lead", on: day)
        )
        #expect(refusal.ja.contains("\(ap.label.ja)で") && refusal.en.contains(ap.label.en), "\(refusal)")

        let pub = try #require(m.published)
        #expect(pub.maxAgeParam == ProviderProfile.maxAgeParam)
        let warning = try #require(ProviderProfile(asOf: nil, location: nil, maxAge: nil, stale: true).warning)
        #expect(warning.ja.hasPrefix(pub.label.ja) && warning.ja.contains("\(pub.publisher.ja)の最新"), "\(warning)")
        #expect(
            warning.en.hasPrefix("the \(pub.label.en)") && warning.en.contains("\(pub.publisher.en)'s latest"),
            "\(warning)")
        #expect(m.snapshotVersion == 1, "every MCS snapshot and fixture carries version 1")
    }

    /// FacilityInput reads a device inventory from exactly the declared JSON files: two of them
    /// in one folder are two accounts of the devices.
    @Test func theDeviceInventoryFilesAreTheOnesFacilityInputReads() throws {
        let devices = try #require(m.companions.first { $0.section == SnapshotRoot.devices.index })
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
        #expect(m.companions.map(\.section) == [SnapshotRoot.devices.index, SnapshotRoot.attestations.index])
    }
}
