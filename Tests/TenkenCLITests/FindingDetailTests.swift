import Foundation
import TenkenBenchKit
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCheck
@testable import TenkenData
@testable import TenkenEval

/// A batch that writes no report per facility evaluates with `FindingDetail.elements`: no
/// tracing, evidence or messages. What its aggregate, waivers and baseline read must be what
/// a full evaluation gives: every rule's state, each finding's element and expectation, the
/// counts of findings listed, unlisted and undetermined, and the elements examined.
@Suite struct FindingDetailTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// What a rule's result says apart from its words and places, one line per finding.
    static func outline(_ r: RuleResult) -> [String] {
        func finding(_ v: Violation) -> String { "\(v.element ?? "-")#\(v.expect.map(String.init) ?? "-")" }
        return [
            "\(r.ruleID) \(r.state.rawValue) examined \(r.examined) unlisted \(r.unlisted)/\(r.unlistedUndetermined)"
                + " attestation \(r.attestation?.key ?? "-")"
        ] + r.violations.map { "  violation " + finding($0) } + r.undetermined.map { "  undetermined " + finding($0) }
    }

    /// Evaluates `facility` both ways, with and without a cap on the findings listed, and
    /// compares the outlines; returns how many findings the full evaluation gave.
    static func compare(_ facility: Facility, _ name: String, asOf: Day, pack: CheckedPack) -> Int {
        var findings = 0
        for cap in [nil, 2] {
            let engine = Engine(pack: pack, maxFindings: cap)
            let (full, _) = engine.evaluate(facility, asOf: asOf, detail: .full)
            let (lean, _) = engine.evaluate(facility, asOf: asOf, detail: .elements)
            #expect(full.results.count == lean.results.count)
            for (f, l) in zip(full.results, lean.results) {
                #expect(outline(f) == outline(l), "\(name), cap \(cap.map(String.init) ?? "none"): \(f.ruleID)")
                // The elements-only findings carry nothing a report would show.
                #expect(l.violations.allSatisfy { $0.evidence.isEmpty && !$0.hasLocation } || l.attestation != nil)
                findings += f.violationCount + f.undeterminedCount
            }
            #expect(full.loosenedParams == lean.loosenedParams)
        }
        return findings
    }

    @Test(arguments: [
        "clinic-kaede", "clinic-momiji", "clinic-sakura", "dental-tsukushi", "hospital-aoba", "messy-tsubaki",
        "pharmacy-kiri", "pharmacy-midori", "visiting-nurse-hikari",
    ])
    func fixturesGiveTheSameVerdictsAndElements(_ name: String) throws {
        let loaded = PackLoader.embedded()
        let pack = try #require(Checker.check(loaded.source, schema: PackLoader.builtInSchema).pack)
        let input = try FacilityInput.folder(
            Self.root.appendingPathComponent("Fixtures/\(name)").path, schema: PackLoader.builtInSchema
        ).get()
        let facility = try #require(input.load(options: LoadOptions(), pack: loaded).0)
        for day in ["2026-11-01", Generator.asOf] {
            _ = Self.compare(facility, name, asOf: try #require(Day(iso: day)), pack: pack)
        }
    }

    @Test func generatedFacilitiesGiveTheSameVerdictsAndElements() throws {
        let loaded = PackLoader.embedded()
        let pack = try #require(Checker.check(loaded.source, schema: PackLoader.builtInSchema).pack)
        let asOf = try #require(Day(iso: Generator.asOf))
        var findings = 0
        for i in 0..<12 {
            let (snapshot, _) = Generator.facility(
                id: "F-\(i)", size: Generator.size(for: i, seed: 11), seed: UInt64(i) &+ 99)
            var loader = SnapshotLoader(schema: PackLoader.builtInSchema)
            let loadedFacility = loader.loadSnapshot(bytes: Array(snapshot.utf8), path: "f.json")
            let facility = try #require(loadedFacility)
            findings += Self.compare(facility, "F-\(i)", asOf: asOf, pack: pack)
        }
        // The comparison means something only over facilities that fail and leave things undecided.
        #expect(findings > 100)
    }
}
