import Foundation
import TenkenAudit
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCLI
@testable import TenkenData

/// The limit on elements in one collection (1,000,000 by default) holds on every route: it
/// was not applied to an inventory given with --devices or kept beside snapshot.json. Here
/// with a small limit, so the tests stay quick.
@Suite struct CollectionLimitTests {
    func folder() throws -> URL {
        let dir = tempDir("limit")
        for f in ["snapshot.json", "devices.csv"] {
            try FileManager.default.copyItem(
                at: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/\(f)"), to: dir.appendingPathComponent(f))
        }
        try writeText("id,kind\n" + (0..<6).map { "D-\($0),pc\n" }.joined(), dir.path + "/six.csv")
        return dir
    }

    var five: LoadOptions { var o = LoadOptions(); o.maxCollection = 5; return o }

    func refused(_ diags: [Diagnostic], _ file: String) -> Bool {
        diags.contains { $0.id == "data.too-many-elements" && $0.location?.file.hasSuffix(file) == true }
    }

    @Test func everyInputRouteHoldsTheLimit() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        // --devices FILE
        let explicit = FacilityInput(
            snapshot: dir.path + "/snapshot.json", devices: dir.path + "/six.csv", schema: PackLoader.builtInSchema
        ).load(
            options: five, pack: nil)
        #expect(refused(explicit.1, "six.csv"))
        // devices.csv beside snapshot.json
        try FileManager.default.removeItem(atPath: dir.path + "/devices.csv")
        try FileManager.default.copyItem(atPath: dir.path + "/six.csv", toPath: dir.path + "/devices.csv")
        let beside = try FacilityInput.folder(dir.path, schema: PackLoader.builtInSchema).get().load(
            options: five, pack: nil)
        #expect(refused(beside.1, "devices.csv"))
        // attestations.csv beside snapshot.json
        try FileManager.default.removeItem(atPath: dir.path + "/devices.csv")
        try writeText(
            "item,answer,by_role,by,signed_on\n"
                + (0..<6).map { "k\($0),yes,operations-lead,S-1,2026-01-01\n" }.joined(), dir.path + "/attestations.csv"
        )
        let attest = try FacilityInput.folder(dir.path, schema: PackLoader.builtInSchema).get().load(
            options: five, pack: nil)
        #expect(refused(attest.1, "attestations.csv"))
        // a list in one cell
        try writeText("id,kind,ownership\nD-1,pc;pc;pc;pc;pc;pc,facility\n", dir.path + "/cell.csv")
        var l = SnapshotLoader(options: five, schema: PackLoader.builtInSchema)
        _ = l.loadInventory(
            path: dir.path + "/cell.csv", section: 0,
            schema: try #require(
                PackSchema.compile(
                    """
                    section t: [t] doc "t"
                    record t { field id: string doc "id"  field kind: [string] doc "k"  field ownership: string doc "o" }
                    table t ja "表" { section t }
                    """, file: "t.tenken"
                ).0
            ).sections[0].record)
        #expect(
            l.diagnostics.contains { $0.id == "data.too-many-elements" && $0.message.contains("values in one cell") })
    }

    @Test func waiversBatchListsAggregatesAndBaselinesHoldTheLimit() throws {
        let dir = try folder()
        defer { try? FileManager.default.removeItem(at: dir) }
        let waiver =
            "{\"rule\": \"r\", \"justification\": \"j\", \"requested_by\": \"a\", \"approved_by\": \"b\", "
            + "\"granted_on\": \"2026-01-01\", \"expires_on\": \"2026-02-01\"}"
        try writeText(
            "{\"waivers\": [" + Array(repeating: waiver, count: 3).joined(separator: ",") + "]}", dir.path + "/w.json")
        #expect(refused(WaiverFile.load(dir.path + "/w.json", maxCollection: 2).1, "w.json"))
        #expect(WaiverFile.load(dir.path + "/w.json", maxCollection: 3).0.count == 3)
        try writeText("a\nb\nc\n", dir.path + "/list.txt")
        if case .failure(let d) = BatchDiscovery.entries(dir.path + "/list.txt", maxCollection: 2) {
            #expect(d.id == "data.too-many-elements")
        } else {
            Issue.record("list accepted")
        }
        let out = dir.appendingPathComponent("out").path
        #expect(
            runCLI([
                "batch", Repo.root.appendingPathComponent("Fixtures").path + "/clinic-kaede/..", "--output-dir", out,
                "--as-of", "2026-11-01", "--format", "none",
            ]).code != 64)
        if case .failure(let d) = AggregateReader.load(out + "/aggregate.json", maxCollection: 2) {
            #expect(d.id == "data.too-many-elements")
        } else {
            Issue.record("aggregate accepted")
        }
        #expect(refused(Baseline.load(out + "/aggregate.json", maxCollection: 2).1, "aggregate.json"))
    }
}
