import Foundation
import TenkenAudit
import TenkenData
import TenkenReport
import Testing

@testable import TenkenAudit
@testable import TenkenCLI
@testable import TenkenCheck

struct RulePackTests {
    /// The schema is the pack's value: the embedded pack carries the built-in schema (compiled
    /// once per process, the same declarations as the repository's file), and a `--rules` pack
    /// whose schema file is that file, or that has none, reads facilities with the same value.
    @Test func aPackCarriesItsSchema() throws {
        #expect(PackLoader.embedded().schema === PackLoader.builtInSchema)
        let file = Repo.root.appendingPathComponent("Rules/mcs/schema.tenken").path
        let (compiled, diags) = PackSchema.compile(
            try String(contentsOfFile: file, encoding: .utf8), file: "Rules/mcs/schema.tenken")
        #expect(diags.isEmpty)
        let schema = try #require(compiled)
        #expect(schema.mechanisms == PackLoader.builtInSchema.mechanisms)
        #expect(schema.sections.map(\.name) == PackLoader.builtInSchema.sections.map(\.name))
        let dir = try PackLoader.directory(Repo.root.appendingPathComponent("Rules/mcs").path).get()
        #expect(dir.schema === PackLoader.builtInSchema)
        let checked = try #require(Checker.check(dir.source, schema: dir.schema).pack)
        #expect(checked.schema === PackLoader.builtInSchema)
    }

    /// `tenken test` is part of `swift test`: every case of every rule passes.
    @Test func everyRuleTestCasePasses() throws {
        let loaded = PackLoader.embedded()
        let pack = try #require(Checker.check(loaded.source, schema: PackLoader.builtInSchema).pack)
        let (outcomes, diags) = RuleTestRunner.run(loaded, pack)
        #expect(diags.isEmpty, "\(diags)")
        #expect(outcomes.count >= 2 * pack.rules.count)
        for o in outcomes where !o.passed {
            Issue.record("\(o.rule): \(o.caseName): \(o.problem ?? "")")
        }
        #expect(RuleTestRunner.gaps(pack, outcomes).isEmpty)
    }

    @Test func coverageIsComplete() throws {
        let loaded = PackLoader.embedded()
        let pack = try #require(Checker.check(loaded.source, schema: PackLoader.builtInSchema).pack)
        let rows = Coverage.matrix(pack, RuleTestRunner.run(loaded, pack).0)
        #expect(rows.count == pack.catalog.count)
        for r in rows where !r.problems.isEmpty { Issue.record("\(r.item.id): \(r.problems)") }
        let (code, out, _) = runCLI(["coverage"])
        #expect(code == 0)
        #expect(out.hasSuffix("coverage: \(rows.count)/\(rows.count) catalog items implemented and tested\n"))
    }

    /// The catalog's evidence, scope and risks columns say what its rules do: evidence names
    /// exactly the snapshot sections the item's rules read (`applies when`, the expectations,
    /// `unless`, and `attestations` for a rule that asks for a statement); every rule has the
    /// item's scope; the rules' risks together are the item's. None of them can drift.
    @Test func catalogColumnsAgreeWithTheRules() throws {
        let pack = try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack)
        for item in pack.catalog {
            let rules = pack.rules.filter { $0.implements.contains(item.id) }
            var roots = Set<Int>()
            for r in rules {
                r.applies?.roots(into: &roots)
                roots.formUnion(r.expectRoots)
                r.attestation?.unless?.roots(into: &roots)
                if r.attestation != nil {
                    roots.formUnion(PackLoader.builtInSchema.sectionIndex["attestations"].map { [$0] } ?? [])
                }
            }
            let read = Set(roots.map { PackLoader.builtInSchema.sections[$0].name })
            #expect(
                Set(item.evidence) == read,
                "\(item.id): evidence \(item.evidence.sorted()), its rules read \(read.sorted())")
            for r in rules where r.scope != item.scope {
                Issue.record(
                    "\(item.id): rule \(r.id) has scope \(r.scope?.rawValue ?? "none"), the catalog \(item.scope?.rawValue ?? "none")"
                )
            }
            let risks = Set(rules.flatMap(\.risks))
            #expect(Set(item.risks) == risks, "\(item.id): risks \(item.risks.sorted()), its rules \(risks.sorted())")
        }
    }

    /// The runner itself can fail: a wrong expectation is reported, not ignored.
    @Test func aWrongExpectationFails() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-pack-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("Rules/mcs"), to: tmp)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let file = tmp.appendingPathComponent("tests/vpn.test.json")
        let text = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
            of: "\"expect\": \"fail\"", with: "\"expect\": \"pass\"")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let (code, out, _) = runCLI(["test", "--rules", tmp.path])
        #expect(code == 1)
        #expect(out.contains("FAIL vpn: two devices without VPN"))
        #expect(out.contains("FAIL vpn: has no failing case"))
    }

    @Test func lintAndFmtOnThePack() throws {
        let pack = try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack)
        let (code, out, _) = runCLI(["lint"])
        #expect(code == 0)
        let (rules, items) = (pack.rules.count, pack.catalog.count)
        #expect(out.contains("\(rules) rules") && out.contains("\(items)/\(items) catalog items"))
        let files =
            (try? FileManager.default.contentsOfDirectory(
                atPath: Repo.root.appendingPathComponent("Rules/mcs/rules").path)) ?? []
        let (fc, _, ferr) = runCLI(["fmt", "--check"] + files.sorted().map { "Rules/mcs/rules/\($0)" })
        #expect(fc == 0, "\(ferr)")
    }
}

/// `fmt` never loses a comment: a file whose canonical form has no place for one is neither
/// printed, checked as canonical nor rewritten.
struct FormatKeepsCommentsTests {
    @Test func fmtRefusesRatherThanDropAComment() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fmt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let file = dir.appendingPathComponent("r.tenken").path
        let text =
            "rule r {\n  level required\n  expect every s in staff\n    # only the employed\n    where s.left_on is "
            + "missing : s.pledge_signed_on is present\n}\n"
        try text.write(toFile: file, atomically: true, encoding: .utf8)
        for mode in [["--write"], ["--check"], []] {
            let (code, out, err) = runCLI(["fmt"] + mode + [file])
            #expect(code == 2 && out.isEmpty, "\(mode): \(code) \(out)")
            #expect(err.contains("syntax.comment-dropped") && err.contains("r.tenken:5:5"), "\(err)")
            #expect(try String(contentsOfFile: file, encoding: .utf8) == text)
        }
    }
}

struct GoldenReportTests {
    /// The last two are kept as workbooks (Fixtures/<name>/<name>.xlsx).
    static let fixtures = [
        "clinic-sakura", "hospital-aoba", "visiting-nurse-hikari", "pharmacy-midori", "messy-tsubaki", "clinic-kaede",
        "dental-tsukushi",
        "clinic-momiji", "pharmacy-kiri",
    ]
    static let formats: [(String, [String])] = [
        ("report.ja.txt", ["--lang", "ja"]), ("report.en.txt", ["--lang", "en"]),
        ("report.json", ["--format", "json"]),
        ("report.html", ["--format", "html", "--lang", "both"]),
        ("report.junit.xml", ["--format", "junit", "--lang", "en"]),
        ("report.sarif", ["--format", "sarif", "--lang", "en"]), ("report.csv", ["--format", "csv"]),
        ("report.xccdf.xml", ["--format", "xccdf", "--lang", "both"]),
    ]

    /// Reports are compared byte for byte; `TENKEN_RECORD=1 swift test` re-records them.
    @Test(arguments: fixtures)
    func reportsMatchGoldenFiles(_ fixture: String) throws {
        for (name, args) in Self.formats {
            let (code, out, err) = runCLI(
                ["check", "Fixtures/\(fixture)", "--as-of", "2026-11-01", "--fail-on", "never"] + args)
            #expect(code == 0, "\(err)")
            try Self.matchGolden(out, "Fixtures/\(fixture)/expected/\(name)")
        }
    }

    /// `out` equals the golden file at `path` (relative to the repository), or is recorded there
    /// under `TENKEN_RECORD=1`. SARIF names its base folder, the repository's place on this
    /// machine: the golden file holds a stand-in.
    static func matchGolden(_ report: String, _ path: String) throws {
        var out = report
        for here in [Repo.root.path, FileManager.default.currentDirectoryPath] {
            out = out.replacingOccurrences(
                of: "\"uri\": \"\(SARIFBase(here).uri)\"", with: "\"uri\": \"file:///REPOSITORY/\"")
        }
        let golden = Repo.root.appendingPathComponent(path)
        if Repo.recording {
            try FileManager.default.createDirectory(
                at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(out.utf8).write(to: golden)
            return
        }
        // Bytes, not String(contentsOf:), which would drop the CSV's BOM.
        let expected = String(decoding: try Data(contentsOf: golden), as: UTF8.self)
        #expect(out == expected, "\(path) differs from the golden file; inspect, then TENKEN_RECORD=1 swift test")
    }

    @Test func reportsAreDeterministic() {
        let a = runCLI(["check", "Fixtures/hospital-aoba", "--as-of", "2026-11-01", "--format", "json"])
        let b = runCLI(["check", "Fixtures/hospital-aoba", "--as-of", "2026-11-01", "--format", "json"])
        #expect(a.out == b.out && !a.out.isEmpty)
    }

    @Test func expectedOutcomesOfTheFixtures() throws {
        func summary(_ f: String) throws -> [String: [String: Int]] {
            let (_, out, _) = runCLI(["check", "Fixtures/\(f)", "--as-of", "2026-11-01", "--format", "json"])
            let doc = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
            return doc?["summary"] as? [String: [String: Int]] ?? [:]
        }
        let clinic = try summary("clinic-sakura")
        #expect(
            clinic["required"]?["fail"] == 0 && clinic["recommended"]?["fail"] == 0
                && clinic["required"]?["manual"] == 0)
        #expect(clinic["required"]?["attested"] ?? 0 >= 15)
        let messy = try summary("messy-tsubaki")
        #expect(messy["required"]?["fail"] ?? 0 >= 25)
        let hospital = try summary("hospital-aoba")
        #expect(hospital["required"]?["fail"] ?? 0 > 0 && hospital["required"]?["pass"] ?? 0 > 15)
        // The provider's own measures (1-2) are counted apart from the facility's items.
        #expect(hospital["provider"]?["pass"] == 12)
    }

    @Test func hostileStringsStayText() {
        let (_, out, _) = runCLI(["check", "Fixtures/messy-tsubaki", "--as-of", "2026-11-01", "--format", "json"])
        #expect(out.contains("<script>alert(1)</script>"))
    }
}
