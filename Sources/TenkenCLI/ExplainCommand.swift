import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

enum ExplainCommand {
    static let spec = CommandSpec(
        name: "explain",
        summary:
            "Show how one rule was evaluated on a facility: elements considered, values read and where, what "
            + "decided.\nRULE is a rule id (leaver-accounts-deleted) or a catalog item id (H-REQ-09: each rule "
            + "implementing it).",
        usage: "tenken explain RULE|ITEM [FOLDER | SNAPSHOT.json] [--snapshot FILE] [--devices FILE] [options]",
        options: [
            OptionSpec(
                "--snapshot", value: "FILE",
                help:
                    "the facility: a JSON snapshot, a workbook (.xlsx) or a folder; beside FOLDER, a JSON snapshot only (it replaces the folder's)"
            ),
            OptionSpec("--devices", value: "FILE", help: "the device inventory (CSV or JSON)"),
            OptionSpec("--provider", value: "FILE", help: "the provider's service profile"),
            CLI.rulesOption,
            OptionSpec("--as-of", value: "DATE", help: "audit date YYYY-MM-DD (default: today)"),
            OptionSpec("--param", value: "NAME=VALUE", repeatable: true, help: "override a pack parameter"),
            OptionSpec("--all", help: "list passing elements too (default: failing ones, then a count)"),
            OptionSpec("--lang", value: "LANG", choices: ["ja", "en"], help: "ja or en (default en)"),
        ],
        minPositionals: 1, maxPositionals: 2)

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        let asOf: Day, ja: Bool
        do {
            asOf = try CLI.asOf(p).get()
            ja = try ArgumentParser.choice(p, "--lang", ["ja", "en"], default: "en").get() == "ja"
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
            positional: p.positionals.count > 1 ? p.positionals[1] : nil, snapshotOption: p.value("--snapshot"),
            schema: loaded.schema)
        {
        case .success(let i)?: input = i
        case .failure(.usage(let e))?: CLI.usage(e, console); return ExitCode.usage
        case .failure(.input(let d))?: console.err(DiagnosticPrinter().render(d)); return ExitCode.inputError
        case nil:
            CLI.usage(CLI.noFacilityGiven, console)
            return ExitCode.usage
        }
        if let d = p.value("--devices") { input.devices = d; input.devicesBesideSnapshot = false }
        input.provider = p.value("--provider")
        // A rule id, or a catalog item's id: every rule implementing it is explained.
        let asked = p.positionals[0]
        let ruleIDs =
            pack.rules.contains(where: { $0.id == asked })
            ? [asked]
            : pack.rules.filter { $0.implements.contains(asked.uppercased()) }.map(\.id)
        guard !ruleIDs.isEmpty else {
            let help =
                closestMatch(to: asked, in: pack.rules.map(\.id) + pack.catalog.map(\.id)).map {
                    "did you mean `\($0)`?"
                }
                ?? "give a rule id (`tenken coverage` lists them) or a catalog item id such as H-REQ-09"
            CLI.usage(UsageError(message: "no rule or catalog item `\(asked)` in the pack", help: help), console)
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
        let engine = Engine(pack: pack)
        for (i, id) in ruleIDs.enumerated() {
            guard let x = engine.explain(ruleID: id, facility, asOf: asOf, params: values, settings: settings) else {
                return ExitCode.inputError
            }
            let rule = x.rule
            let params = settings.enumerated().filter { rule.usesParam($0.offset) }.map(\.element)
            console.out(
                (i > 0 ? "\n" : "")
                    + render(
                        x, all: p.flag("--all"), ja: ja, asOf: asOf, schema: pack.schema, params: params,
                        taxonomy: pack.info.taxonomy,
                        conditions: pack.info.conditions))
        }
        return ExitCode.ok
    }

    /// A value read, named as its table's column is headed, with the rule's path for the
    /// condition shown above it. Values, ids and places come from the inputs: shown escaped
    /// (`SafeText`), never raw.
    static func ev(_ e: Evidence, ja: Bool) -> String {
        // English names the field as the path does (`s.left_on`); Japanese by its header.
        let name = ja ? e.header.map { "\($0.ja) (\(e.label))" } ?? e.label : e.label
        return SafeText.terminal("\(name) = \(ja ? e.valueJa : e.value)" + (e.location.map { "  (\($0))" } ?? ""))
    }

    static func mark(_ t: Truth) -> String { t == .yes ? "✓" : t == .no ? "✗" : "◌" }

    static func render(
        _ x: Explanation, all: Bool, ja: Bool, asOf: Day, schema: PackSchema, params: [ParamSetting] = [],
        taxonomy: Taxonomy = Taxonomy(), conditions: [NamedCondition] = []
    ) -> String {
        func t(_ j: String, _ e: String) -> String { ja ? j : e }
        // What each named condition a condition uses stands for, with where it is defined.
        func namedConditions(_ source: String) -> String {
            NamedCondition.used(in: source, from: conditions).map { c in
                t("  名前付き条件 ", "  where ") + SafeText.terminal(c.text) + t("（\(c.location)）", "  (\(c.location))")
                    + "\n"
            }.joined()
        }
        func pick(_ b: Bilingual) -> String { ja ? b.ja : b.en }
        let r = x.rule
        var out =
            t("規則 ", "rule ")
            + "\(r.id) [\(pick(Labels.level(r.level))) · \(r.category.map { SafeText.terminal(pick(taxonomy.label($0))) } ?? "-") · "
            + "\(r.implements.joined(separator: ", "))] "
            + t("基準日 \(asOf)", "as of \(asOf)") + "\n"
        out += "  \(SafeText.terminal(pick(r.title)))\n"
        out += t("  定義: ", "  defined at ") + "\(r.location)\n"
        // The parameters the conditions below name (`param.leaver.grace`), with their values.
        if !params.isEmpty {
            out +=
                t("  パラメータ: ", "  parameters: ")
                + params.map { p in
                    "\(p.name) = "
                        + (ja
                            ? "\(p.valueJa)（\(Labels.origin(p.origin).ja)）"
                            : "\(p.value.display) (\(p.origin.rawValue))")
                }.joined(separator: t("、", ", ")) + "\n"
        }
        out += "\n"
        let read = t("読んだ値", "read"), decided = t("決め手", "decided by")
        if let a = x.applies {
            let verdict =
                switch a.value {
                case .yes: t("満たす: この規則を適用します", "true: the rule applies")
                case .no: t("満たさない: 対象外です", "false: not applicable")
                case .unknown:
                    t("不明: 読んだ値が不明なため、この規則は判定不能です", "unknown: a value it reads is unknown, so the rule is undecided")
                }
            out +=
                t("適用条件（規則の記述）: ", "applies when ") + "\(a.source)\n" + namedConditions(a.source)
                + "  → \(verdict)\n"
            for e in a.reads { out += "      \(read) \(ev(e, ja: ja))\n" }
            out += "\n"
        }
        for (i, e) in x.expectations.enumerated() {
            out +=
                t("条件 #\(i + 1)（\(e.location)）:", "expect #\(i + 1) (\(e.location)):") + "\n  \(e.source)\n"
                + namedConditions(e.source)
            if e.perElement {
                let bad = e.elements.filter { $0.outcome == .no }
                let undecided = e.elements.filter { $0.outcome == .unknown }
                out +=
                    t(
                        "  対象 \(e.examined) 件、違反 \(bad.count) 件"
                            + (undecided.isEmpty ? "" : "、判定不能 \(undecided.count) 件（値が不明）"),
                        "  \(e.examined) element\(e.examined == 1 ? "" : "s") passed the filter; \(bad.count) "
                            + "violate\(bad.count == 1 ? "s" : "")"
                            + (undecided.isEmpty ? "" : ", \(undecided.count) undecided (a value is unknown)")) + "\n"
                for el in e.elements where !el.passed || all {
                    out += "  \(mark(el.outcome)) \(SafeText.terminal(el.element))\n"
                    if let d = el.decidedBy { out += "      \(decided) \(ev(d, ja: ja))\n" }
                    for rd in el.reads where rd != el.decidedBy { out += "      \(read) \(ev(rd, ja: ja))\n" }
                }
                if e.examined > e.elements.count {
                    out +=
                        t(
                            "  …ほか \(e.examined - e.elements.count) 件は表示していません",
                            "  … \(e.examined - e.elements.count) more elements not listed") + "\n"
                }
                let passing = e.elements.count - bad.count - undecided.count
                if !all, passing > 0 {
                    out +=
                        t(
                            "  （満たしている \(passing) 件は省略。--all ですべて表示）",
                            "  (\(passing) passing elements hidden; --all lists them)") + "\n"
                }
            } else if let el = e.elements.first {
                out +=
                    "  → "
                    + (el.outcome == .yes
                        ? t("満たす", "true") : el.outcome == .no ? t("満たさない", "false") : t("不明", "unknown")) + "\n"
                if let d = el.decidedBy { out += "      \(decided) \(ev(d, ja: ja))\n" }
                for rd in el.reads where rd != el.decidedBy { out += "      \(read) \(ev(rd, ja: ja))\n" }
            }
            out += "\n"
        }
        if let a = r.attestation {
            // The period as evaluated, and the parameter that sets it (for --param).
            let period = x.renewal.map { ja ? $0.descriptionJa : $0.description } ?? a.renewSource
            let param = a.renewSource.hasPrefix("param.") ? String(a.renewSource.dropFirst(6)) : nil
            out +=
                t(
                    "証明「\(a.key)」: \(Words.roles(a.roles, ja: true, in: schema))が\(period)ごとに更新"
                        + (param.map { "（パラメータ \($0)）" } ?? ""),
                    "attestation `\(a.key)` by \(Words.roles(a.roles, ja: false, in: schema)), renewed every \(period)"
                        + (param.map { " (parameter \($0))" } ?? ""))
                + (a.unlessSource.map { t("。データが次を満たせば不要: \($0)", ", not needed when \($0)") } ?? "") + "\n"
        }
        let res = x.result
        out += t("結果: ", "result: ") + pick(Labels.state(res.state))
        if let reason = res.reason { out += " — \(SafeText.terminal(pick(reason)))" }
        if let a = res.attestation {
            // "Valid until" only for a statement that counts; a refused or lapsed one is on file.
            let label =
                res.state == .attested || res.state == .notApplicable
                ? Labels.attestedBy(a) : Labels.statementOnFile(a)
            out += SafeText.terminal(ja ? "（\(label.ja)）" : " (\(label.en))")
        }
        return out + "\n"
    }
}
