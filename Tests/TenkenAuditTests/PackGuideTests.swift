import Foundation
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenAudit

/// The guide `tenken init` writes is the pack's (`guide.txt`, docs/dsl.md "The guide file"): its
/// blocks are read as written, its mistakes are located errors, and a pack without one gets the
/// generic steps, naming nothing of MCS.
struct PackGuideTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    @Test func blocksAreTheirLinesWithoutTrailingBlanks() {
        let (g, diags) = PackGuide.parse("# about\n\n[tables]\na\n{{tables}}\n  b\n\n\n[json]\nj\n", file: "guide.txt")
        #expect(diags.isEmpty, "\(diags)")
        #expect(g == PackGuide(tables: "a\n{{tables}}\n  b\n", json: "j\n"))
        // The placeholder lines are filled from the schema; the rest stays as written.
        let filled = FacilityTemplate.tableGuide(PackLoader.builtInSchema, template: g.tables ?? "")
        #expect(filled.hasPrefix("a\n  facility.csv ") && filled.hasSuffix("\n  b\n"), "\(filled)")
    }

    @Test func eachMistakeIsALocatedError() {
        let text = "stray text\n[tables]\n{{choices}}\n{{json}}\n[tables]\n[readme]\nx\n[json]\n{{tables}}\n"
        let (_, diags) = PackGuide.parse(text, file: "p/guide.txt")
        #expect(diags.allSatisfy { $0.id == "check.bad-guide" && $0.severity == .error })
        #expect(
            diags.map { "\($0.location?.line ?? 0): \($0.message)" } == [
                "1: text before the first block", "4: [tables] does not fill {{json}}",
                "5: the block [tables] is given twice", "6: unknown block [readme]",
                "9: [json] does not fill {{tables}}",
            ])
    }

    /// The MCS pack's guide is read from its folder and embedded alike, and has no errors.
    @Test func theMCSGuideIsThePacks() throws {
        let dir = try PackLoader.directory(Self.root + "/Rules/mcs").get()
        #expect(dir.guide != nil && dir.guide == PackLoader.embedded().guide)
        #expect(dir.guideDiagnostics.isEmpty, "\(dir.guideDiagnostics)")
        #expect(dir.guide?.tables?.contains("roles.csv には") == true)
    }

    /// A pack without a guide (the fleet pack) gets the generic steps: its own tables, and
    /// nothing of MCS (no roles.csv, no patient ids, no docs/tables.md, no `tenken attest`).
    @Test func aPackWithoutAGuideGetsTheGenericSteps() throws {
        let fleet = try PackLoader.directory(Self.root + "/Rules/fleet").get()
        #expect(fleet.guide == nil)
        let (_, tables) = try FacilityTemplate.files(kind: nil, json: false, pack: fleet).get()
        let (_, json) = try FacilityTemplate.files(kind: nil, json: true, pack: fleet).get()
        for (what, files) in [("tables", tables), ("json", json)] {
            let readme = try #require(files.first { $0.0 == "README.txt" }?.1)
            for word in [
                "MCS", "規程", "患者", "職員", "roles.csv", "docs/tables.md", "tenken attest", "devices.csv    端末台帳。",
            ] {
                #expect(!readme.contains(word), "\(what): \(word) in\n\(readme)")
            }
            #expect(readme.contains("tenken check <このフォルダ>"))
        }
        let readme = try #require(tables.first { $0.0 == "README.txt" }?.1)
        #expect(readme.contains("  site.csv              ") && readme.contains("site.csv は「項目」「値」の2列です"))
    }
}
