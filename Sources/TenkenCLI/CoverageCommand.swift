import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenReport

/// The traceability matrix: catalog item → rules → test cases.
public struct CoverageRow: Sendable {
    public var item: CatalogItem
    public var rules: [String]
    public var passingCases: Int
    public var failingCases: Int
    public var problems: [String]
}

public enum Coverage {
    public static func matrix(_ pack: CheckedPack, _ outcomes: [RuleTestOutcome]) -> [CoverageRow] {
        pack.catalog.map { item in
            let rules = pack.rules.filter { $0.implements.contains(item.id) }
            let cases = outcomes.filter { o in rules.contains { $0.id == o.rule } }
            var problems: [String] = []
            if rules.isEmpty { problems.append("no rule implements it") }
            for r in rules {
                let rc = cases.filter { $0.rule == r.id }
                if !rc.contains(where: { [.pass, .attested].contains($0.expected) }) {
                    problems.append("\(r.id) has no passing case")
                }
                if !rc.contains(where: { $0.expected == .fail }) { problems.append("\(r.id) has no failing case") }
                if rc.contains(where: { !$0.passed }) { problems.append("\(r.id) has failing test cases") }
            }
            return CoverageRow(
                item: item, rules: rules.map(\.id),
                passingCases: cases.filter { [.pass, .attested].contains($0.expected) }.count,
                failingCases: cases.filter { $0.expected == .fail }.count, problems: problems)
        }
    }
}

enum CoverageCommand {
    static let spec = CommandSpec(
        name: "coverage",
        summary: "Show the traceability matrix: each catalog item, the rules that implement it, and their test cases.",
        usage: "tenken coverage [--rules DIR] [--format text|csv]",
        options: [
            CLI.rulesOption,
            OptionSpec("--format", value: "FORMAT", choices: ["text", "csv"], help: "text or csv (default text)"),
        ])

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        let format: String
        switch ArgumentParser.choice(p, "--format", ["text", "csv"], default: "text") {
        case .success(let f): format = f
        case .failure(let e): CLI.usage(e, console); return ExitCode.usage
        }
        guard let (loaded, pack) = CLI.checkedPack(p, console, printWarnings: false) else { return ExitCode.inputError }
        let (outcomes, _) = RuleTestRunner.run(loaded, pack)
        let rows = Coverage.matrix(pack, outcomes)
        let covered = rows.filter { $0.problems.isEmpty }.count
        if format == "csv" {
            var out = "item,level,category,rules,passing_cases,failing_cases,problems\r\n"
            for r in rows {
                out +=
                    [
                        r.item.id, r.item.level.rawValue, r.item.category?.rawValue ?? "",
                        r.rules.joined(separator: " "),
                        String(r.passingCases), String(r.failingCases), r.problems.joined(separator: "; "),
                    ].map(CSVCell.escape).joined(separator: ",") + "\r\n"
            }
            console.out(out)
        } else {
            for r in rows {
                let mark = r.problems.isEmpty ? "✓" : "✗"
                console.out(
                    "\(mark) \(r.item.id.padding(9)) \(r.item.level.rawValue.padding(12)) "
                        + "\(r.rules.joined(separator: ", "))  "
                        + "[cases: \(r.passingCases) passing, \(r.failingCases) failing]"
                        + (r.problems.isEmpty ? "" : "  — " + r.problems.joined(separator: "; ")) + "\n")
            }
            console.out("coverage: \(covered)/\(rows.count) catalog items implemented and tested\n")
        }
        return covered == rows.count ? ExitCode.ok : ExitCode.gaps
    }
}

extension String {
    func padding(_ n: Int) -> String { count >= n ? self : self + String(repeating: " ", count: n - count) }
}
