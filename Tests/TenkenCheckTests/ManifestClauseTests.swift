import TenkenAudit
import Testing

@testable import TenkenCheck

/// A manifest clause that says one thing of the pack is given once, and every label it
/// declares is a word: what the schema file already asks of its own labels.
struct ManifestClauseTests {
    /// The mini pack with `lines` added at the end of its `pack` block.
    static func check(_ lines: String) -> CheckOutcome {
        let manifest = miniManifest.replacingOccurrences(of: "\n}", with: "\n" + lines + "\n}")
        return Checker.check(
            PackSource(
                files: [("m/pack.tenken", manifest), ("m/r.tenken", ruleText("  expect facility.uses_wifi"))],
                catalog: ("m/catalog.tsv", miniCatalog)),
            schema: PackLoader.builtInSchema)
    }

    @Test(arguments: [
        ("title ja \"二\" en \"two\"", "title"),
        ("version \"2\"", "version"),
        ("report title ja \"a\" en \"b\"\n  report title ja \"c\" en \"d\"", "report title"),
        ("source \"S\" edition \"E\" called ja \"c\" en \"d\"\n  source \"S2\" edition \"E2\"", "source"),
        ("platform \"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\"\n  platform \"cpe:2.3:a:v:q:*:*:*:*:*:*:*:*\"", "platform"),
    ])
    func aClauseGivenTwiceIsRefusedAtTheSecondAndTheFirstKept(lines: String, clause: String) throws {
        let o = Self.check(lines)
        let dup = o.diagnostics.filter { $0.id == "check.duplicate-clause" }
        #expect(dup.count == 1, "\(o.diagnostics)")
        #expect(dup.first?.message.hasPrefix("`\(clause)` is already given at m/pack.tenken:") == true, "\(dup)")
        let at = try #require(dup.first?.location)
        let lastLine =
            miniManifest.split(separator: "\n", omittingEmptySubsequences: false).count
            + lines.split(separator: "\n").count - 1
        #expect(at.line == lastLine, "\(at)")
        #expect(o.pack == nil)
    }

    @Test(arguments: [
        "report title ja \"\" en \"\"", "source \"S\" edition \"E\" called ja \"規程\" en \" \"",
        "category physical ja \"物理的\" en \" \"", "risk R9 ja \"  \" en \"x\"", "scope cloud ja \"クラウド \" en \"Cloud\"",
    ])
    func anEmptyOrPaddedLabelIsRefused(line: String) {
        let o = Self.check(line)
        #expect(o.diagnostics.contains { $0.id == "check.bad-label" }, "\(line): \(o.diagnostics)")
        #expect(o.pack == nil)
    }

    @Test func theMiniPackItselfIsClean() {
        #expect(Self.check("report title ja \"報告\" en \"Report\"").diagnostics.isEmpty)
    }
}
