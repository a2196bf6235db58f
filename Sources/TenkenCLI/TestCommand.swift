import TenkenAudit
import TenkenCheck
import TenkenSyntax

enum TestCommand {
    static let spec = CommandSpec(
        name: "test", summary: "Run the rule test cases kept next to the rules (tests/*.test.json in the pack).",
        usage: "tenken test [--rules DIR] [--rule ID] [--verbose]",
        options: [
            CLI.rulesOption,
            OptionSpec("--rule", value: "ID", help: "run only this rule's cases"),
            OptionSpec("--verbose", help: "list every case, not only failures"),
        ])

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        guard let (loaded, pack) = CLI.checkedPack(p, console, printWarnings: false) else { return ExitCode.inputError }
        let (outcomes, diags) = RuleTestRunner.run(loaded, pack, only: p.value("--rule"))
        let printer = DiagnosticPrinter(color: false)
        for d in diags { console.err(printer.render(d)) }
        for o in outcomes where !o.passed || p.flag("--verbose") {
            console.out(
                (o.passed ? "ok   " : "FAIL ") + "\(o.rule): \(o.caseName)" + (o.problem.map { "\n       \($0)" } ?? "")
                    + "\n")
        }
        var failed = outcomes.filter { !$0.passed }.count + diags.filter { $0.severity == .error }.count
        if p.value("--rule") == nil {
            for g in RuleTestRunner.gaps(pack, outcomes) {
                console.out("FAIL \(g.rule): has no \(g.missing)\n")
                failed += 1
            }
        }
        let passed = outcomes.filter(\.passed).count
        console.out("rule tests: \(Set(outcomes.map(\.rule)).count) rules, \(outcomes.count) cases\n")
        console.out("\(passed) passed, \(failed) failed\n")
        return failed == 0 ? ExitCode.ok : ExitCode.gaps
    }
}
