import Foundation
import Testing

/// Reports group rules by the categories the pack declares, in the manifest's order, with the
/// pack's labels; a pack that declares none is reported as one section.
struct TaxonomyReportTests {
    /// A copy of the MCS pack with `edit` applied to its manifest, rules and catalog.
    static func editedPack(
        manifest: (String) -> String, rule: (String) -> String = { $0 }, catalog: (String) -> String = { $0 }
    ) throws -> URL {
        let fm = FileManager.default
        let dir = fm.temporaryDirectory.appendingPathComponent("tenken-taxonomy-\(UUID().uuidString)")
        try fm.copyItem(at: root.appendingPathComponent("Rules/mcs"), to: dir)
        func edit(_ path: URL, _ f: (String) -> String) throws {
            try f(try String(contentsOf: path, encoding: .utf8)).write(to: path, atomically: true, encoding: .utf8)
        }
        try edit(dir.appendingPathComponent("pack.tenken"), manifest)
        try edit(dir.appendingPathComponent("catalog.tsv"), catalog)
        for f in try fm.contentsOfDirectory(atPath: dir.appendingPathComponent("rules").path) {
            try edit(dir.appendingPathComponent("rules/\(f)"), rule)
        }
        return dir
    }

    static func check(_ pack: URL, _ format: String, lang: String = "ja") -> (code: Int32, out: String, err: String) {
        cli([
            "check", "Fixtures/clinic-sakura", "--as-of", "2026-11-01", "--format", format, "--lang", lang,
            "--fail-on", "never", "--rules", pack.path,
        ])
    }

    static func dropLines(_ prefix: String) -> (String) -> String {
        { text in
            text.split(separator: "\n", omittingEmptySubsequences: false).filter { !$0.hasPrefix(prefix) }
                .joined(separator: "\n")
        }
    }

    /// Declaring `provider` first moves its section to the top of the text and HTML reports and
    /// the JUnit suites; the labels are the manifest's.
    @Test func sectionsFollowTheDeclarationOrder() throws {
        let pack = try Self.editedPack(manifest: { text in
            let line = #"  category provider ja "事業者側の対策" en "Provider""#
            return text.replacingOccurrences(of: line + "\n", with: "").replacingOccurrences(
                of: #"  category human-organizational"#, with: line + "\n" + #"  category human-organizational"#
            )
            .replacingOccurrences(of: #"ja "技術的対策" en "Technical""#, with: #"ja "技術的な対策" en "Technology""#)
        })
        defer { try? FileManager.default.removeItem(at: pack) }
        let text = Self.check(pack, "text")
        #expect(text.code == 0, "\(text.err)")
        let headings = text.out.split(separator: "\n").filter { $0.hasPrefix("■ ") }
        #expect(headings == ["■ 事業者側の対策", "■ 人的・組織的対策", "■ 技術的な対策", "■ 物理的対策"])
        let en = Self.check(pack, "text", lang: "en").out.split(separator: "\n").filter { $0.hasPrefix("■ ") }
        #expect(en == ["■ Provider", "■ Human and organisational", "■ Technology", "■ Physical"])
        let html = Self.check(pack, "html").out
        let ids = html.components(separatedBy: #"<section class="category" id=""#).dropFirst().map {
            String($0.prefix { $0 != "\"" })
        }
        #expect(ids == ["cat-provider", "cat-human-organizational", "cat-technical", "cat-physical"])
        let junit = Self.check(pack, "junit").out
        let suites = junit.components(separatedBy: #"<testsuite name=""#).dropFirst().map {
            String($0.prefix { $0 != "\"" })
        }
        #expect(
            suites.map { $0.split(separator: ".").last.map(String.init) ?? "" } == [
                "provider", "human-organizational", "technical", "physical",
            ])
    }

    /// The MCS pack without categories: the same verdicts, one section of all the rules, and
    /// `null` for each rule's category in the JSON report.
    @Test func aPackWithoutCategoriesIsOneSection() throws {
        let pack = try Self.editedPack(
            manifest: Self.dropLines("  category "), rule: Self.dropLines("  category "),
            catalog: { text in
                text.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                    var cells = line.split(separator: "\t", omittingEmptySubsequences: false)
                    if cells.count > 2 { cells.remove(at: 2) }
                    return cells.joined(separator: "\t")
                }.joined(separator: "\n")
            })
        defer { try? FileManager.default.removeItem(at: pack) }
        let text = Self.check(pack, "text")
        #expect(text.code == 0, "\(text.err)")
        #expect(text.out.split(separator: "\n").filter { $0.hasPrefix("■ ") } == ["■ 点検項目"])
        let html = Self.check(pack, "html").out
        #expect(html.components(separatedBy: #"<section class="category""#).count == 2)
        #expect(html.contains(#"id="cat-all""#))
        #expect(Self.check(pack, "junit").out.contains(#"<testsuite name="F-CL-0001.all""#))

        func states(_ json: String) throws -> [String: String] {
            let o = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
            let results = try #require(o?["results"] as? [[String: Any]])
            return Dictionary(
                uniqueKeysWithValues: results.map { ($0["rule"] as? String ?? "?", $0["state"] as? String ?? "?") })
        }
        let json = Self.check(pack, "json").out
        #expect(json.contains(#""category": null"#) && !json.contains(#""category": "technical""#))
        #expect(try states(json) == states(report("clinic-sakura", "json")))
        #expect(try states(json).count == packRuleCount)
    }
}
