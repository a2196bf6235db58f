import Foundation
import Testing

@testable import TenkenAudit
@testable import TenkenCheck
@testable import TenkenData
@testable import TenkenEval

/// The findings a rule lists are capped; the count stays exact. An inventory of 20,000 device
/// ids with every other cell blank made each device fail about nine rules: gigabytes of
/// findings and reports. Past the cap, violations are counted instead of built.
struct FindingsCapTests {
    func result(
        devices: Int, maxFindings: Int?,
        rule: String = """
          expect every d in devices : d.os is present
          expect every d in devices : d.mdm is present
        """
    ) throws -> RuleResult {
        let pack = try onePack(rule)
        let list = (0..<devices).map { "{\"id\": \"D-\($0)\"}" }.joined(separator: ", ")
        var l = SnapshotLoader(schema: PackLoader.builtInSchema)
        let loaded = l.loadSnapshot(
            bytes: Array("{\"schema_version\": 1, \"devices\": [\(list)]}".utf8), path: "s.json")
        let f = try #require(loaded)
        return Engine(pack: pack, maxFindings: maxFindings).evaluate(f, asOf: Day(iso: "2026-11-01")!).0.results[0]
    }

    @Test func theListIsCappedAndTheCountExact() throws {
        let all = try result(devices: 50, maxFindings: nil)
        #expect(all.state == .fail && all.violations.count == 100 && all.unlisted == 0 && all.violationCount == 100)
        // The cap holds across both expectations of the rule.
        let capped = try result(devices: 50, maxFindings: 7)
        #expect(capped.state == .fail)
        #expect(capped.violations.count == 7 && capped.unlisted == 93 && capped.violationCount == 100)
        #expect(capped.violations.map(\.element) == all.violations.prefix(7).map(\.element), "the first ones, in order")
        #expect(capped.examined == all.examined)
        // The default cap.
        let big = try result(devices: 1500, maxFindings: Engine.defaultMaxFindings)
        #expect(big.violations.count == Engine.defaultMaxFindings && big.violationCount == 3000)
    }

    /// Undecided elements (a blank value the verdict needs) are capped the same way.
    @Test func undeterminedFindingsAreCappedAndCounted() throws {
        let rule = "  expect every d in devices : d.mdm == true\n"
        let all = try result(devices: 50, maxFindings: nil, rule: rule)
        #expect(
            all.state == .unknown && all.undetermined.count == 50 && all.unlistedUndetermined == 0
                && all.undeterminedCount == 50)
        let capped = try result(devices: 50, maxFindings: 7, rule: rule)
        #expect(capped.state == .unknown, "a capped list still leaves the rule undecided")
        #expect(capped.undetermined.count == 7 && capped.unlistedUndetermined == 43 && capped.undeterminedCount == 50)
        #expect(capped.undetermined.map(\.element) == all.undetermined.prefix(7).map(\.element))
        // Beside violations, each list has its own cap.
        let mixed = try result(
            devices: 50, maxFindings: 5,
            rule: """
                  expect every d in devices : d.os is present
                  expect every d in devices : d.mdm == true
                """)
        #expect(mixed.state == .fail && mixed.violations.count == 5 && mixed.violationCount == 50)
        #expect(mixed.undetermined.count == 5 && mixed.undeterminedCount == 50)
    }
}
