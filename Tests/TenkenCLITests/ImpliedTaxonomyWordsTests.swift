import Foundation
import Testing

/// The words a pack without taxonomy declarations is taken to declare are exactly the ones its
/// manifest could declare: a catalog word that is not a name is an error at its cell, two
/// spellings of one word (width, case) are one error naming both places, a refused row adds
/// nothing, every word is placed, and the lines the warning gives paste without a syntax error.
struct ImpliedTaxonomyWordsTests {
    /// The undeclared MCS copy with the risks cells of catalog lines 3–7 replaced.
    static func hostileCopy() throws -> (URL, [String]) {
        let dir = try ImpliedTaxonomyTests.undeclaredCopy()
        let catalog = dir.appendingPathComponent("catalog.tsv")
        var lines = try String(contentsOf: catalog, encoding: .utf8).components(separatedBy: "\n")
        for (i, risks) in [(2, "R1,Ｒ１"), (3, "R1,リスク1"), (4, "R1,\"R3\""), (5, "R1,r1"), (6, "R1,\u{202e}R2evil")] {
            var cells = lines[i].components(separatedBy: "\t")
            cells[5] = risks
            lines[i] = cells.joined(separator: "\t")
        }
        try lines.joined(separator: "\n").write(to: catalog, atomically: true, encoding: .utf8)
        return (dir, lines)
    }

    /// Where the risks cell of catalog line `n` (1-based) starts.
    static func risksCell(_ lines: [String], _ n: Int) -> String {
        let cells = lines[n - 1].components(separatedBy: "\t")
        return "catalog.tsv:\(n):\(cells[..<5].reduce(1) { $0 + $1.unicodeScalars.count + 1 })"
    }

    @Test func wordsNoManifestCouldDeclareAreErrorsAtTheirCellsAndNeverImplied() throws {
        let (dir, lines) = try Self.hostileCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lint = runCLI(["lint", "--rules", dir.path])
        #expect(lint.code == 2, "\(lint.err)")
        let err = lint.err.replacingOccurrences(of: dir.path + "/", with: "")
        for n in [3, 4, 5] {
            #expect(err.contains("\(Self.risksCell(lines, n)): error[check.invalid-term]: risk "), "\(n): \(err)")
        }
        #expect(err.contains("risk `Ｒ１` cannot be declared"), "\(err)")
        #expect(err.contains("help: did you mean `R1`?"), "\(err)")
        // The twin: one error, at the second spelling, naming the first.
        let twins = err.split(separator: "\n").filter { $0.contains("error[check.term-twins]") }
        #expect(twins.count == 1, "\(err)")
        #expect(
            twins.first?.hasPrefix(
                "\(Self.risksCell(lines, 6)): error[check.term-twins]: risk `r1` is `R1` (first named at "
                    + "catalog.tsv:2:") == true, "\(err)")
        // The control character is placed at its cell, and its row adds no word.
        #expect(err.contains("\(Self.risksCell(lines, 7)): error[check.control-character]"), "\(err)")
        #expect(!err.contains("R2evil") && !err.contains("Ｒ１ ja") && !err.contains("リスク1 ja"), "\(err)")
        #expect(!err.contains("check.unknown-risk"), "\(err)")
        // Every implied word is placed.
        for word in ["R1", "r1", "R2", "R3", "R4"] {
            #expect(err.contains("note: `\(word)` is first named at catalog.tsv:"), "\(word): \(err)")
        }
    }

    @Test func theLinesTheWarningGivesPasteWithoutASyntaxError() throws {
        let (dir, _) = try Self.hostileCopy()
        defer { try? FileManager.default.removeItem(at: dir) }
        let lint = runCLI(["lint", "--rules", dir.path])
        let pasted = ImpliedTaxonomyTests.linesToPaste(lint.err)
        #expect(pasted.contains("  risk r1 ja \"r1\" en \"r1\""), "\(lint.err)")
        try ImpliedTaxonomyTests.paste(pasted, into: dir)
        let again = runCLI(["lint", "--rules", dir.path])
        // Only the catalog's own slips remain: the pasted declarations are all well-formed.
        let ids = Set(
            again.err.split(separator: "\n").compactMap { l -> String? in
                guard let r = l.range(of: "error[") else { return nil }
                return String(l[r.upperBound...].prefix { $0 != "]" })
            })
        #expect(ids == ["check.invalid-term", "check.control-character", "check.unknown-catalog-id"], "\(again.err)")
    }
}
