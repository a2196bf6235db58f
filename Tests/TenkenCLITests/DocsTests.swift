import Foundation
import TenkenAudit
import TenkenData
import Testing

@testable import TenkenAudit
@testable import TenkenCLI
@testable import TenkenCheck

/// Reference documents are generated from their single sources; these tests keep them in step.
struct DocsTests {
    func read(_ path: String) throws -> String {
        try String(contentsOf: Repo.root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func snapshotSchemaIsCurrent() throws {
        #expect(
            try read("docs/snapshot.schema.json") == Docs.snapshotJSONSchema(PackLoader.builtInSchema),
            "run: tenken schema > docs/snapshot.schema.json")
    }

    @Test func snapshotFieldTablesAreCurrent() throws {
        let doc = try read("docs/snapshot.md")
        #expect(
            doc.hasSuffix(Docs.snapshotFieldTables(PackLoader.builtInSchema)),
            "regenerate the tables with tenken schema --format markdown")
        #expect(
            try read("docs/tables.md").hasSuffix(Docs.tableReference(PackLoader.builtInSchema)),
            "regenerate with tenken schema --format tables"
        )
    }

    @Test func parameterTableIsCurrent() throws {
        let pack = try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack)
        #expect(try read("docs/parameters.md").hasSuffix(Docs.parameterTable(pack)), "regenerate with tenken params")
    }

    /// docs/fidelity.md has one row per catalog item, quoting the catalog's words and naming
    /// every rule that implements it: a new item or rule cannot go in without its row.
    @Test func fidelityPageHasARowPerCatalogItem() throws {
        let pack = try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack)
        let rows = try read("docs/fidelity.md").split(separator: "\n").filter { $0.hasPrefix("| **") }
        #expect(rows.count == pack.catalog.count)
        for item in pack.catalog {
            let row = rows.first { $0.hasPrefix("| **\(item.id)**") }
            #expect(
                row?.contains("「\(item.ja.replacingOccurrences(of: "|", with: "\\|"))」") == true,
                "\(item.id): the row quotes the catalog's words")
            for rule in pack.rules where rule.implements.contains(item.id) {
                #expect(row?.contains("`\(rule.id)`") == true, "\(item.id): the row names \(rule.id)")
            }
        }
    }

    @Test func readmeNamesTheTwoCommandsAndCIRunsTheTestOne() throws {
        let readme = try read("README.md")
        #expect(readme.contains("swift run -c release tenken check Fixtures/clinic-sakura"))
        #expect(readme.contains("\nswift test "))
        let ci = try read(".ci/run")
        #expect(ci.split(separator: "\n").contains("swift test"))
        // What README says CI runs is what it runs: every command of .ci/run is named there.
        let commands = ci.split(separator: "\n").map(String.init).filter {
            !$0.hasPrefix("#") && !$0.hasPrefix("set ") && !$0.hasPrefix("cd ") && !$0.isEmpty
        }
        for c in commands { #expect(readme.contains("`\(c)`"), "README does not say .ci/run runs `\(c)`") }
        #expect(!readme.contains("runs exactly `swift test`"))
        // And how to install: where the binary is, the scripts, PATH.
        for s in [
            ".build/release/tenken", "scripts/release.sh", "scripts/install.sh", "PATH", "tenken completions",
            "tenken man",
        ] {
            #expect(readme.contains(s), "README lacks \(s)")
        }
    }

    /// The JSON report has every property the published schema requires, at every level.
    @Test func reportFollowsItsSchema() throws {
        let schema =
            try JSONSerialization.jsonObject(with: Data(read("docs/report.schema.json").utf8)) as! [String: Any]
        let report =
            try JSONSerialization.jsonObject(with: Data(read("Fixtures/messy-tsubaki/expected/report.json").utf8))
            as! [String: Any]
        let top = schema["required"] as! [String]
        #expect(Set(report.keys) == Set(top))
        let itemSchema =
            ((schema["properties"] as! [String: Any])["results"] as! [String: Any])["items"] as! [String: Any]
        let required = itemSchema["required"] as! [String]
        for r in report["results"] as! [[String: Any]] { #expect(Set(r.keys) == Set(required)) }
    }
}
