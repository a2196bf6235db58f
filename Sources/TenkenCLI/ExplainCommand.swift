import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

enum ExplainCommand {
    static let spec = CommandSpec(
        name: "explain", summary: "Show how one rule was evaluated on a facility: elements considered, values read and where, what decided.",
        usage: "tenken explain RULE [FOLDER] [--snapshot FILE] [--devices FILE] [options]",
        options: [
            OptionSpec("--snapshot", value: "FILE", help: "the facility snapshot (JSON)"),
            OptionSpec("--devices", value: "FILE", help: "the device inventory (CSV or JSON)"),
            OptionSpec("--provider", value: "FILE", help: "the provider's service profile"),
            CLI.rulesOption,
            OptionSpec("--as-of", value: "DATE", help: "audit date YYYY-MM-DD (default: today)"),
            OptionSpec("--param", value: "NAME=VALUE", repeatable: true, help: "override a pack parameter"),
            OptionSpec("--all", help: "list passing elements too (default: failing ones, then a count)"),
            OptionSpec("--lang", value: "LANG", help: "ja or en for messages (default en)"),
        ],
        minPositionals: 1, maxPositionals: 2)

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        let asOf: Day
        switch CLI.asOf(p) {
        case .success(let d): asOf = d
        case .failure(let e): CLI.usage(e, console); return ExitCode.usage
        }
        var input: FacilityInput
        if p.positionals.count > 1 {
            switch FacilityInput.folder(p.positionals[1]) {
            case .success(let i): input = i
            case .failure(let d): console.err(DiagnosticPrinter().render(d)); return ExitCode.inputError
            }
        } else if let s = p.value("--snapshot") {
            input = FacilityInput(snapshot: s)
        } else {
            CLI.usage(UsageError(message: "give a facility folder or --snapshot FILE", help: nil), console)
            return ExitCode.usage
        }
        if let d = p.value("--devices") { input.devices = d; input.devicesBesideSnapshot = false }
        input.provider = p.value("--provider")
        guard let (loaded, pack) = CLI.checkedPack(p, console, printWarnings: false) else { return ExitCode.inputError }
        let ruleID = p.positionals[0]
        guard pack.rules.contains(where: { $0.id == ruleID }) else {
            let byCatalog = pack.rules.filter { $0.implements.contains(ruleID) }.map(\.id)
            let help = byCatalog.isEmpty ? closestMatch(to: ruleID, in: pack.rules.map(\.id)).map { "did you mean `\($0)`?" }
                : "catalog item \(ruleID) is implemented by " + byCatalog.map { "`\($0)`" }.joined(separator: ", ")
            CLI.usage(UsageError(message: "no rule `\(ruleID)` in the pack", help: help), console)
            return ExitCode.usage
        }
        let (facility, diags) = input.load(options: LoadOptions(), pack: loaded, asOf: asOf, wholeStatements: true)
        let printer = DiagnosticPrinter()
        guard let facility, !diags.contains(where: { $0.severity == .error }) else {
            for d in diags { console.err(printer.render(d)) }
            return ExitCode.inputError
        }
        let cli: [ParamOverride]
        switch CLI.commandLineParams(p) {
        case .success(let o): cli = o
        case .failure(let e): CLI.usage(e, console); return ExitCode.usage
        }
        let (values, settings, pd) = ParamResolver.resolve(pack, overrides: facility.overrides + cli)
        if pd.contains(where: { $0.severity == .error }) {
            for d in pd { console.err(printer.render(d)) }
            return ExitCode.inputError
        }
        let ja = p.value("--lang") == "ja"
        guard let x = Engine(pack: pack).explain(ruleID: ruleID, facility, asOf: asOf, params: values, settings: settings) else { return ExitCode.inputError }
        console.out(render(x, all: p.flag("--all"), ja: ja, asOf: asOf))
        return ExitCode.ok
    }

    /// Values, ids and places come from the inputs: shown escaped (`SafeText`), never raw.
    static func ev(_ e: Evidence) -> String { SafeText.terminal("\(e.label) = \(e.value)" + (e.location.map { "  (\($0))" } ?? "")) }

    static func mark(_ t: Truth) -> String { t == .yes ? "✓" : t == .no ? "✗" : "◌" }

    static func render(_ x: Explanation, all: Bool, ja: Bool, asOf: Day) -> String {
        let r = x.rule
        var out = "rule \(r.id) [\(r.level.rawValue) · \(r.category.rawValue) · \(r.implements.joined(separator: ", "))] as of \(asOf)\n"
        out += "  \(ja ? r.title.ja : r.title.en)\n"
        out += "  defined at \(r.location)\n\n"
        if let a = x.applies {
            let verdict = switch a.value {
            case .yes: "true: the rule applies"
            case .no: "false: not applicable"
            case .unknown: "unknown: a value it reads is unknown, so the rule is undecided"
            }
            out += "applies when \(a.source)\n  → \(verdict)\n"
            for e in a.reads { out += "      read \(ev(e))\n" }
            out += "\n"
        }
        for (i, e) in x.expectations.enumerated() {
            out += "expect #\(i + 1) (\(e.location)):\n  \(e.source)\n"
            if e.perElement {
                let bad = e.elements.filter { $0.outcome == .no }
                let undecided = e.elements.filter { $0.outcome == .unknown }
                out += "  \(e.examined) element\(e.examined == 1 ? "" : "s") passed the filter; \(bad.count) violate\(bad.count == 1 ? "s" : "")"
                    + (undecided.isEmpty ? "" : ", \(undecided.count) undecided (a value is unknown)") + "\n"
                for el in e.elements where !el.passed || all {
                    out += "  \(mark(el.outcome)) \(SafeText.terminal(el.element))\n"
                    if let d = el.decidedBy { out += "      decided by \(ev(d))\n" }
                    for rd in el.reads where rd != el.decidedBy { out += "      read \(ev(rd))\n" }
                }
                if e.examined > e.elements.count { out += "  … \(e.examined - e.elements.count) more elements not listed\n" }
                let passing = e.elements.count - bad.count - undecided.count
                if !all, passing > 0 { out += "  (\(passing) passing elements hidden; --all lists them)\n" }
            } else if let el = e.elements.first {
                out += "  → \(el.outcome == .yes ? "true" : el.outcome == .no ? "false" : "unknown")\n"
                if let d = el.decidedBy { out += "      decided by \(ev(d))\n" }
                for rd in el.reads where rd != el.decidedBy { out += "      read \(ev(rd))\n" }
            }
            out += "\n"
        }
        if let a = r.attestation {
            out += "attestation `\(a.key)` by \(a.roles.joined(separator: ", ")), renewed every \(a.renewSource)"
                + (a.unlessSource.map { ", not needed when \($0)" } ?? "") + "\n"
        }
        let res = x.result
        out += "result: \(res.state.rawValue)"
        if let reason = res.reason { out += " — \(SafeText.terminal(ja ? reason.ja : reason.en))" }
        if let a = res.attestation { out += " (attestation signed \(a.signedOn?.description ?? "?") by \(SafeText.terminal(a.byRole ?? "?")), valid until \(a.validUntil?.description ?? "?"))" }
        return out + "\n"
    }
}
