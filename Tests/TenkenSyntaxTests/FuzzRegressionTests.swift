import Foundation
import Testing

@testable import TenkenSyntax

/// Inputs the fuzzers found; each once crashed or hung. They must now parse to a tree with
/// diagnostics, promptly.
struct FuzzRegressionTests {
    static var dir: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Regressions")
    }

    @Test func everyRegressionInputParses() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.dir.path).sorted()
        #expect(!files.isEmpty)
        for f in files {
            let data = try Data(contentsOf: Self.dir.appendingPathComponent(f))
            let (tree, diags) = Parser.parse(String(decoding: data, as: UTF8.self), file: f)
            _ = Formatter.format(tree)
            #expect(!diags.isEmpty, "\(f) is malformed and must be reported")
        }
    }

    /// The shape of the first hang: a rule clause keyword at the start of a line in a pack.
    @Test func ruleClauseInsidePackIsReportedNotLooped() {
        let (f, diags) = Parser.parse("pack p {\n  version \"1\"\nimplements X-1\n}\n", file: "p.tenken")
        #expect(diags.map(\.id) == ["syntax.unknown-clause"])
        #expect(diags.first?.location?.line == 3)
        #expect(f.items.count == 1)
    }
}
