import Foundation
import Testing

/// A pack written before categories, scopes and risks were declared (the MCS pack without its
/// taxonomy lines, as the peer benchmark's pack is): it still loads, `lint` says once per kind
/// what it took as declared, and pasting the lines that warning gives changes no report.
struct ImpliedTaxonomyTests {
    /// A copy of Rules/mcs whose manifest declares no category, scope or risk.
    static func undeclaredCopy() throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-implied-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("Rules/mcs"), to: dir)
        let manifest = dir.appendingPathComponent("pack.tenken")
        let kept = try String(contentsOf: manifest, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        ).filter { line in
            !["category ", "scope ", "risk "].contains { line.trimmingCharacters(in: .whitespaces).hasPrefix($0) }
        }
        try kept.joined(separator: "\n").write(to: manifest, atomically: true, encoding: .utf8)
        return dir
    }

    /// The declarations `lint`'s `check.implied-terms` notes give, indented for the `pack` block.
    static func linesToPaste(_ err: String) -> [String] {
        err.split(separator: "\n").compactMap { line -> String? in
            let l = line.trimmingCharacters(in: .whitespaces)
            guard l.hasPrefix("note: "), ["category ", "scope ", "risk "].contains(where: l.dropFirst(6).hasPrefix)
            else { return nil }
            return "  " + l.dropFirst(6)
        }
    }

    /// `lines` pasted at the top of the `pack` block of the pack in `dir`, as the warning's help says.
    static func paste(_ lines: [String], into dir: URL) throws {
        let manifest = dir.appendingPathComponent("pack.tenken")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        let brace = try #require(text.range(of: "{\n"))
        try text.replacingCharacters(in: brace, with: "{\n" + lines.joined(separator: "\n") + "\n")
            .write(to: manifest, atomically: true, encoding: .utf8)
    }

    @Test func anUndeclaredTaxonomyLintsWithOneWarningPerKindAndPastingItChangesNoReport() throws {
        let implied = try Self.undeclaredCopy()
        defer { try? FileManager.default.removeItem(at: implied) }
        let lint = runCLI(["lint", "--rules", implied.path])
        #expect(lint.code == 0, "\(lint.err)")
        let warnings = lint.err.split(separator: "\n").filter { $0.contains("warning[") }
        #expect(
            warnings.count == 3 && warnings.allSatisfy { $0.contains("warning[check.implied-terms]") }, "\(lint.err)")
        // At the manifest's name (`pack mcs`, after the file's opening comments).
        #expect(lint.err.contains("\(implied.path)/pack.tenken:7:6: warning[check.implied-terms]: "), "\(lint.err)")
        #expect(
            lint.err.contains(
                "the manifest declares no scopes: the 2 the rules and catalog name (mcs, outside-mcs) are taken as "
                    + "declared, labelled by their ids"), "\(lint.err)")
        #expect(lint.err.contains("  note: scope outside-mcs ja \"outside-mcs\" en \"outside-mcs\"\n"))

        // The explicit copy: the warning's lines pasted into the manifest, as its help says.
        let pasted = implied.deletingLastPathComponent().appendingPathComponent("tenken-pasted-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: implied, to: pasted)
        defer { try? FileManager.default.removeItem(at: pasted) }
        let lines = Self.linesToPaste(lint.err)
        #expect(lines.count == 4 + 2 + 4)
        try Self.paste(lines, into: pasted)
        let clean = runCLI(["lint", "--rules", pasted.path])
        #expect(clean.code == 0 && !clean.err.contains("warning"), "\(clean.err)")

        for format in ["text", "json", "html", "sarif", "junit", "csv", "xccdf"] {
            func report(_ rules: URL) -> String {
                let r = runCLI([
                    "check", "--rules", rules.path, "Fixtures/clinic-momiji", "--as-of", "2026-11-01", "--format",
                    format,
                ])
                #expect(r.code == 1, "\(format): \(r.err)")
                return r.out
            }
            // The one difference allowed: the pack's folder, where a report cites its provider.json.
            let a = report(implied), b = report(pasted).replacingOccurrences(of: pasted.path, with: implied.path)
            #expect(!a.isEmpty && a == b, "\(format) differs")
        }
    }
}
