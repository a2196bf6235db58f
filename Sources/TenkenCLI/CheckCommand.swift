import Foundation
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

enum CheckCommand {
    static let spec = CommandSpec(
        name: "check",
        summary:
            "Evaluate one facility against the rule pack and report its gaps.\nFOLDER holds spreadsheet tables "
            + "(facility.csv, staff.csv, …) or snapshot.json with devices.csv; a JSON snapshot file may be given "
            + "instead of a folder.",
        usage: "tenken check [FOLDER | SNAPSHOT.json] [--snapshot FILE] [--devices FILE] [options]",
        options: [
            OptionSpec(
                "--snapshot", value: "FILE",
                help:
                    "the facility: a JSON snapshot, a workbook (.xlsx) or a folder; beside FOLDER, a JSON snapshot only (it replaces the folder's)"
            ),
            OptionSpec("--devices", value: "FILE", help: "the device inventory (CSV or JSON)"),
            OptionSpec("--provider", value: "FILE", help: "the provider's service profile (default: the pack's)"),
            CLI.rulesOption,
            CLI.asOfOption,
            OptionSpec(
                "--format", value: "LIST", choices: ReportFormat.allCases.map(\.rawValue), list: true,
                help: "\(ReportFormat.words), or several separated by commas (default text)"),
            CLI.langOption,
            OptionSpec(
                "--output", value: "FILE",
                help: "write the report here (atomically) instead of standard output; `-` is standard output"),
            OptionSpec(
                "--output-dir", value: "DIR", help: "write one file per format here (\(ReportFormat.fileNames))"),
            CLI.failOnOption,
            CLI.paramOption,
        ] + CLI.waiverOptions + [
            OptionSpec(
                "--baseline", value: "FILE",
                help: "a previous JSON report: only failures not in it make the exit code 1"),
            OptionSpec(
                "--color", value: "WHEN", choices: ["auto", "always", "never"],
                help: "auto, always or never (default auto; NO_COLOR is respected)"),
            CLI.sarifBaseOption,
        ] + CLI.findingsOptions + CLI.inputOptions,
        minPositionals: 0, maxPositionals: 1)

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        // Options first, so a typo costs nothing.
        let formats: [ReportFormat], lang: Language, gate: Gate, color: String, asOf: Day, options: LoadOptions
        let cliParams: [ParamOverride], maxTerm: Duration, maxFindings: Int?, sarifBase: SARIFBase
        do {
            formats = try CLI.formats(p).get()
            lang = try ArgumentParser.choice(p, "--lang", default: Language.ja).get()
            gate = try CLI.gate(p).get()
            color = try ArgumentParser.choice(p, "--color", ["auto", "always", "never"], default: "auto").get()
            asOf = try CLI.asOf(p).get()
            options = try CLI.loadOptions(p).get()
            cliParams = try CLI.commandLineParams(p).get()
            maxTerm = try CLI.waiverMaxTerm(p).get()
            maxFindings = try CLI.maxFindings(p).get()
            sarifBase = try CLI.sarifBase(p).get()
        } catch {
            CLI.usage(error, console)
            return ExitCode.usage
        }
        // The pack first: its schema names the tables a facility folder holds.
        guard let (loaded, pack) = CLI.checkedPack(p, console, printWarnings: false) else { return ExitCode.inputError }
        if let e = CLI.mechanismOptions(p, loaded) {
            CLI.usage(e, console)
            return ExitCode.usage
        }
        var input: FacilityInput
        switch CLI.facility(
            positional: p.positionals.first, snapshotOption: p.value("--snapshot"), schema: loaded.schema)
        {
        case .success(let i)?: input = i
        case .failure(.usage(let e))?:
            CLI.usage(e, console)
            return ExitCode.usage
        case .failure(.input(let d))?:
            console.err(DiagnosticPrinter().render(d))
            return ExitCode.inputError
        case nil:
            CLI.usage(CLI.noFacilityGiven, console)
            return ExitCode.usage
        }
        if let d = p.value("--devices") { input.devices = d; input.devicesBesideSnapshot = false }
        input.provider = p.value("--provider")

        let printer = DiagnosticPrinter(color: console.useColor(color, tty: console.stderrIsTTY))
        let (facility, loadDiags) = input.load(options: options, pack: loaded, asOf: asOf, wholeStatements: true)
        var diags = DiagnosticBag()
        diags.add(contentsOf: loadDiags)
        guard let facility, !diags.hasErrors else {
            for d in diags.sorted { console.err(printer.render(d)) }
            reportDropped(diags, console)
            console.err("error: the input has errors; no report was written\n")
            return ExitCode.inputError
        }
        let engine = Engine(pack: pack, maxFindings: maxFindings)
        var (result, paramDiags) = engine.evaluate(facility, asOf: asOf, commandLine: cliParams)
        diags.add(contentsOf: paramDiags)
        if let wf = p.value("--waivers") {
            let (ws, wd) = WaiverFile.load(wf)
            diags.add(contentsOf: wd + WaiverPolicy.validate(ws, pack: pack, maxTerm: maxTerm, knownFacilities: nil))
            if !diags.hasErrors { diags.add(contentsOf: WaiverPolicy.apply(ws, to: &result, facility: facility)) }
        }
        var baseline: Baseline?
        if let bf = p.value("--baseline") {
            let (b, bd) = Baseline.load(bf, pack: pack.info)
            diags.add(contentsOf: bd)
            baseline = b
        }
        for d in diags.sorted { console.err(printer.render(d)) }
        reportDropped(diags, console)
        if diags.hasErrors {
            console.err("error: the input has errors; no report was written\n")
            return ExitCode.inputError
        }
        result.inputWarnings = diags.sorted.filter { $0.severity == .warning }
        let report = ReportInput(result: result, pack: pack, lang: lang, toolVersion: CLI.version, sarifBase: sarifBase)
        let toStdout = p.value("--output") == nil && p.value("--output-dir") == nil
        let tty = toStdout && console.stdoutIsTTY
        // Wrapped only for a terminal: a file or a pipe keeps each paragraph on one line.
        let textStyle = TextReport(
            lang: report.lang, color: toStdout && console.useColor(color, tty: tty),
            width: tty ? console.terminalWidth : nil)
        guard CLI.emit(formats, report, textStyle: textStyle, p, console, inputs: CLI.inputs(of: input, p, loaded))
        else { return ExitCode.inputError }
        let exit: Int32
        if let baseline {
            let failing = zip(pack.rules, result.results).filter { $0.1.state == .fail }
            let new = failing.filter { baseline.hasNew(facility: result.facilityID, $0.1) }
            console.err(
                "baseline: \(new.count) rule\(new.count == 1 ? "" : "s") with new failures, "
                    + "\(failing.count - new.count) known\n"
            )
            for (rule, _) in new { console.err("  new: \(rule.id) [\(rule.level.rawValue)]\n") }
            exit = exitCode(
                result, pack, gate: gate, console, counts: { baseline.hasNew(facility: result.facilityID, $0) })
        } else {
            exit = exitCode(result, pack, gate: gate, console)
        }
        // A report in a file leaves the terminal (a CI log) empty: say in one line what it holds.
        if !toStdout {
            let files =
                p.value("--output-dir").map { d in formats.map { (d as NSString).appendingPathComponent($0.fileName) } }
                ?? p.value("--output").map { [$0] } ?? []
            console.err(
                summaryLine(
                    result, files: files, code: exit, gate: gate, baseline: baseline != nil, ja: report.lang == .ja))
        }
        return Interruption.afterPublishing(console, "the reports") ?? exit
    }

    /// `tenken: F-CL-0005 (as of 2026-11-01): 34 fail, 12 manual, … → exit 1, gaps at the
    /// --fail-on level (required); report in out/report.sarif, out/report.junit.xml`.
    static func summaryLine(
        _ r: FacilityResult, files: [String], code: Int32, gate: Gate, baseline: Bool, ja: Bool
    ) -> String {
        let counts = Labels.stateOrder.compactMap { st -> String? in
            let n = r.results.filter { $0.state == st }.count
            return n == 0 ? nil : ja ? "\(Labels.state(st).ja) \(n)" : "\(n) \(Labels.state(st).en)"
        }.joined(separator: ja ? "、" : ", ")
        let level = gate.level.map { $0.rawValue + (gate.manual ? ",manual" : "") } ?? "never"
        let meaning: String =
            switch code {
            case ExitCode.ok: ja ? "--fail-on \(level) の不合格なし" : "no gap at the --fail-on level (\(level))"
            case ExitCode.gaps:
                ja
                    ? (baseline ? "基準線にない新しい不合格あり" : "--fail-on \(level) の不合格あり")
                    : (baseline ? "new gaps not in the baseline" : "gaps at the --fail-on level (\(level))")
            default: ja ? "判定できない項目あり（判定不能またはエラー）" : "items not decided (unknown or error)"
            }
        let where_ = SafeText.terminal(files.joined(separator: ", "))
        let id = SafeText.terminal(r.facilityID)
        return ja
            ? "tenken: \(id)（基準日 \(r.asOf)）: \(counts) → 終了コード \(code)（\(meaning)）。報告書: \(where_)\n"
            : "tenken: \(id) (as of \(r.asOf)): \(counts) → exit \(code), \(meaning); report in \(where_)\n"
    }

    static func reportDropped(_ bag: DiagnosticBag, _ console: Console) {
        if bag.dropped > 0 { console.err("note: \(bag.dropped) more diagnostics were not shown\n") }
    }

    /// The exit code (`ExitPolicy`); an undecided run says why on standard error.
    static func exitCode(
        _ r: FacilityResult, _ pack: CheckedPack, gate: Gate, _ console: Console,
        counts: (RuleResult) -> Bool = { _ in true }
    ) -> Int32 {
        let (code, note) = ExitPolicy.code(r, pack, gate: gate, counts: counts)
        if let note { console.err(note) }
        return code
    }
}
