import Foundation
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

/// Reads aggregates back (for `tenken merge` and `tenken diff`).
public enum AggregateReader {
    public static func load(
        _ path: String, maxCollection: Int = LoadOptions().maxCollection
    ) -> Result<Aggregate, Diagnostic> {
        let bytes: [UInt8]
        do { bytes = try readInput(path, maxBytes: 1 << 30).get() } catch { return .failure(error) }
        let (node, diags, _) = JSONReader.parse(bytes, file: path, limits: JSONLimits(maxDepth: 64, maxBytes: 1 << 30))
        guard let v = node?.value else {
            return .failure(
                diags.first ?? Diagnostic("merge.bad-aggregate", .error, "cannot read", at: SourceLocation(file: path)))
        }
        guard v["tenken_aggregate_version"]?.int == Aggregate.version, let asOf = v["as_of"]?.string,
            let packID = v["pack"]?["id"]?.string, let packVersion = v["pack"]?["version"]?.string
        else {
            return .failure(
                Diagnostic(
                    "merge.bad-aggregate", .error, "not a tenken aggregate (version \(Aggregate.version))",
                    at: SourceLocation(file: path)))
        }
        var rules: [AggregateRule] = []
        // A part that cannot be read whole is refused: a facility or rule left out would make
        // the merged run look better than it was.
        func damaged(_ what: String, at pointer: String? = nil) -> Result<Aggregate, Diagnostic> {
            .failure(
                Diagnostic(
                    "merge.bad-aggregate", .error, "the aggregate is damaged: \(what)",
                    at: SourceLocation(file: path, path: pointer)))
        }
        guard let ruleList = v["rules"]?.array else { return damaged("it has no `rules` list") }
        guard let listed = v["facilities"]?.array else { return damaged("it has no `facilities` list") }
        guard let totals = v["totals"], case .object = totals else { return damaged("it has no `totals`") }
        // An aggregate of no rule checked nothing; its facilities would all look complete.
        if ruleList.isEmpty { return damaged("its `rules` list is empty", at: "/rules") }
        if listed.count > maxCollection || ruleList.count > maxCollection {
            return .failure(
                Diagnostic(
                    "data.too-many-elements", .error,
                    "\(max(listed.count, ruleList.count)) elements in one list, over the limit of \(maxCollection)",
                    at: SourceLocation(file: path)))
        }
        for (i, r) in ruleList.enumerated() {
            // The category is a word of the pack, null for a pack that declares none; the key is always written.
            let category: Category??
            switch r["category"] {
            case .string(let c)?: category = .some(Category(rawValue: c))
            case .null?: category = .some(nil)
            default: category = nil
            }
            guard let id = r["rule"]?.string, let lv = r["level"]?.string.flatMap(Level.init(rawValue:)),
                let cat = category
            else { return damaged("rule \(i + 1) has no id, level or category", at: "/rules/\(i)") }
            rules.append(
                AggregateRule(
                    id: id, implements: (r["implements"]?.array ?? []).compactMap(\.string), level: lv, category: cat,
                    title: Bilingual(ja: r["title"]?["ja"]?.string ?? "", en: r["title"]?["en"]?.string ?? "")))
        }
        if Set(rules.map(\.id)).count != rules.count { return damaged("a rule is listed twice", at: "/rules") }
        var facilities: [FacilitySummary] = []
        for (i, f) in listed.enumerated() {
            guard let id = f["id"]?.string, let st = f["status"]?.string.flatMap(FacilitySummary.Status.init(rawValue:))
            else {
                return damaged("facility \(i + 1) has no id or status", at: "/facilities/\(i)")
            }
            let states = f["states"]?.string ?? ""
            if st == .evaluated {
                if states.count != rules.count {
                    return damaged(
                        "facility `\(id)` has results for \(states.count) rules, the aggregate lists \(rules.count)",
                        at: "/facilities/\(i)/states")
                }
                if let bad = states.first(where: { FacilitySummary.state($0) == nil }) {
                    return damaged(
                        "facility `\(id)` has the state letter `\(bad)`, which is no state",
                        at: "/facilities/\(i)/states")
                }
            }
            let summary = FacilitySummary(
                id: id, name: f["name"]?.string, input: f["input"]?.string ?? "", status: st,
                states: states, diagnostics: (f["diagnostics"]?.array ?? []).compactMap(\.string),
                newGaps: f["new_gaps"]?.int, loosened: (f["loosened_params"]?.array ?? []).compactMap(\.string))
            // The counts were written from the states: a facility whose counts say otherwise
            // has been edited or cut, and either could be the true one.
            for lv in Level.allCases {
                for state in RuleState.allCases {
                    let written = f["counts"]?[lv.rawValue]?[state.rawValue]?.int
                    let derived = summary.count(lv, state, rules)
                    if written != derived {
                        return damaged(
                            "facility `\(id)`: its counts say \(written.map(String.init) ?? "nothing") "
                                + "\(lv.rawValue) \(state.rawValue), its states \(derived)",
                            at: "/facilities/\(i)/counts/\(lv.rawValue)/\(state.rawValue)")
                    }
                }
            }
            facilities.append(summary)
        }
        var a = Aggregate(
            asOf: asOf, packID: packID, packVersion: packVersion, rules: rules, facilities: facilities,
            shard: v["shard"]?.string)
        // Written by every batch since run parameters were recorded; a part without the key ran with none.
        a.runParameters = (v["parameters"]?.array ?? []).compactMap(\.string)
        // The totals and per-rule counts were written from the facility list: a part that lost
        // a facility (or gained one) no longer adds up.
        let recount: [(String, Int)] = [
            ("found", a.facilities.count), ("evaluated", a.evaluatedCount), ("failed_to_load", a.failedToLoad),
            ("with_undecided_rules", a.withUndecidedRules), ("with_required_gaps", a.withRequiredGaps),
            ("with_loosened_params", a.withLoosenedParams),
        ]
        if totals["with_loosened_params"] == nil {
            // Written before loosened parameters were recorded: its facilities may have been
            // judged on them, and nothing here could say so.
            return damaged(
                "it does not record which facilities were judged on loosened parameters (no "
                    + "`totals.with_loosened_params`; "
                    + "written by an earlier tenken): run that batch again", at: "/totals")
        }
        for (key, n) in recount where totals[key]?.int != n {
            return damaged(
                "its totals say \(totals[key]?.int.map(String.init) ?? "nothing") "
                    + "\(key.replacingOccurrences(of: "_", with: " ")), its facility list \(n)",
                at: "/totals/\(key)")
        }
        for (i, r) in ruleList.enumerated() {
            let st = a.stats(i)
            for state in RuleState.allCases where r["counts"]?[state.rawValue]?.int != (st.counts[state] ?? 0) {
                return damaged(
                    "rule `\(rules[i].id)`: its counts say "
                        + "\(r["counts"]?[state.rawValue]?.int.map(String.init) ?? "nothing") \(state.rawValue), its "
                        + "facilities \(st.counts[state] ?? 0)",
                    at: "/rules/\(i)/counts/\(state.rawValue)")
            }
        }
        a.ignored = (v["ignored"]?.array ?? []).compactMap(\.string)
        a.outOfScope = (v["pack"]?["out_of_scope"]?.array ?? []).compactMap { o in
            o["id"]?.string.map { OutOfScopeItem(id: $0, reason: o["reason"]?.string ?? "") }
        }
        return .success(a)
    }

    /// Combines partial aggregates into the aggregate one run over all facilities gives.
    public struct MergeError: Error, Sendable { public var why: String }

    public static func merge(_ parts: [Aggregate]) -> Result<Aggregate, MergeError> {
        guard let first = parts.first else { return .failure(MergeError(why: "nothing to merge")) }
        for p in parts.dropFirst() {
            if p.asOf != first.asOf {
                return .failure(MergeError(why: "as-of dates differ (\(first.asOf) and \(p.asOf))"))
            }
            if p.packID != first.packID || p.packVersion != first.packVersion {
                return .failure(
                    MergeError(
                        why: "packs differ (\(first.packID) \(first.packVersion) and \(p.packID) \(p.packVersion))"))
            }
            if p.rules != first.rules { return .failure(MergeError(why: "the rule lists differ")) }
            if p.runParameters != first.runParameters {
                return .failure(
                    MergeError(
                        why:
                            "the parts ran with different --param overrides "
                            + "([\(first.runParameters.joined(separator: ", "))] and "
                            + "[\(p.runParameters.joined(separator: ", "))])"
                    ))
            }
        }
        // Shards of one batch merge only when all are there, each once.
        let shards = parts.map {
            $0.shard.flatMap { s -> (Int, Int)? in
                let p = s.split(separator: "/").compactMap { Int($0) }
                return p.count == 2 ? (p[0], p[1]) : nil
            }
        }
        if shards.contains(where: { $0 != nil }) {
            let given = shards.compactMap { $0 }
            guard given.count == parts.count, let n = given.first?.1, given.allSatisfy({ $0.1 == n }) else {
                return .failure(MergeError(why: "the parts mix shards of different batches, or shards with whole runs"))
            }
            let indexes = given.map(\.0)
            if Set(indexes).count != indexes.count { return .failure(MergeError(why: "a shard is given twice")) }
            let missing = (1...n).filter { !indexes.contains($0) }
            if !missing.isEmpty {
                return .failure(
                    MergeError(
                        why:
                            "shard\(missing.count == 1 ? "" : "s") "
                            + "\(missing.map { "\($0)/\(n)" }.joined(separator: ", ")) of \(n) "
                            + "\(missing.count == 1 ? "is" : "are") missing"
                    ))
            }
        }
        var all = parts.flatMap(\.facilities)
        // Nothing found in any part is not "everything passed", as for a batch.
        if all.isEmpty { return .failure(MergeError(why: "no part holds a facility")) }
        // The same facility in two shards is an error for both, as in a single run.
        let counts = Dictionary(grouping: all.filter { $0.status == .evaluated }, by: \.id).filter {
            $0.value.count > 1
        }
        for i in all.indices where all[i].status == .evaluated && counts[all[i].id] != nil {
            all[i] = FacilitySummary(
                id: all[i].id, name: all[i].name, input: all[i].input, status: .error, states: "",
                diagnostics: [
                    "\(all[i].input): error[batch.duplicate-id]: facility id `\(all[i].id)` is used by more than one "
                        + "input"
                ])
        }
        var merged = Aggregate(
            asOf: first.asOf, packID: first.packID, packVersion: first.packVersion, rules: first.rules, facilities: all,
            shard: nil)
        merged.runParameters = first.runParameters
        merged.outOfScope = first.outOfScope
        // Shards of one folder each saw its stray files: listed once.
        merged.ignored = Array(Set(parts.flatMap(\.ignored))).sorted()
        return .success(merged)
    }
}

enum MergeCommand {
    static let spec = CommandSpec(
        name: "merge", summary: "Combine partial aggregates from `tenken batch --shard` into one aggregate.",
        usage: "tenken merge AGGREGATE.json|DIR... --output-dir DIR [--lang ja|en|both]",
        options: [
            OptionSpec("--output-dir", value: "DIR", help: "where the merged aggregate goes"),
            OptionSpec(
                "--lang", value: "LANG", choices: ["ja", "en", "both"], help: "language of the HTML (default ja)"),
            CLI.failOnOption,
            CLI.sarifBaseOption,
        ],
        minPositionals: 1, maxPositionals: 100_000)

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        guard let out = p.value("--output-dir") else {
            CLI.usage(UsageError(message: "`tenken merge` needs --output-dir DIR", help: nil), console)
            return ExitCode.usage
        }
        Interruption.sayOnStop(console, "merge", "\(out) holds the previous results")
        let lang: Language, gate: Gate, sarifBase: SARIFBase
        do {
            lang = try ArgumentParser.choice(p, "--lang", default: Language.ja).get()
            gate = try CLI.gate(p).get()
            sarifBase = try CLI.sarifBase(p).get()
        } catch let e as UsageError {
            CLI.usage(e, console)
            return ExitCode.usage
        } catch {
            return ExitCode.usage
        }
        // A shard's output folder (what `batch --shard --output-dir` wrote) stands for its aggregate.
        let paths = p.positionals.map { path -> String in
            var isDir: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue else {
                return path
            }
            return (path as NSString).appendingPathComponent("aggregate.json")
        }
        var parts: [Aggregate] = []
        // The folder each facility's reports are in: beside the part it came from.
        var folders: [String: String] = [:]
        for path in paths {
            switch AggregateReader.load(path) {
            case .success(let a):
                parts.append(a)
                for f in a.facilities where f.status == .evaluated { folders[f.id] = FilePath.parent(path) }
            case .failure(let d):
                console.err(DiagnosticPrinter().render(d))
                return ExitCode.inputError
            }
        }
        switch AggregateReader.merge(parts) {
        case .failure(let e):
            console.err("error[merge.mismatch]: cannot merge: \(e.why)\n")
            return ExitCode.inputError
        case .success(let merged):
            var inputs = InputSet()
            for path in paths { inputs.add(file: path) }
            if let r = BatchOutput.besideFacilities.lazy.compactMap({
                inputs.refusal(file: (out as NSString).appendingPathComponent($0))
            }).first {
                console.err("error: \(r); nothing was written\n")
                return ExitCode.inputError
            }
            let bundle: [SARIFBundle.Source]?
            switch SARIFBundle.merged(merged, folders: folders) {
            case .success(let b): bundle = b
            case .failure(let f):
                console.err(
                    "error[merge.sarif]: \(f.path): \(f.why); run every shard with --format including sarif, or none "
                        + "of them; nothing was written\n"
                )
                return ExitCode.inputError
            }
            // Locked, staged and published whole, as a batch's aggregate; reports are left alone.
            guard let output = BatchOutput.opened(out, graceful: true, console) else { return ExitCode.inputError }
            do throws(WriteError) {
                try BatchRun.writeAggregate(merged, to: output.staging, lang: lang)
                // The shards' SARIF, when they wrote it, in files code scanning accepts.
                if let sources = bundle {
                    do throws(SARIFBundle.Failure) {
                        try SARIFBundle.write(sources, into: output.staging, base: sarifBase)
                    } catch {
                        throw WriteError(
                            path: SARIFBundle.published(error.path, staging: output.staging), kind: .other,
                            reason: error.why)
                    }
                }
                // Asked to stop while writing: nothing is published (the handler only took note).
                if Interruption.requested != 0 { Interruption.exitForSignal() }
                for n in try output.publish(replacing: BatchOutput.besideFacilities) { console.err("note: \(n)\n") }
            } catch {
                output.discard()
                console.err("error: \(error); nothing was written, \(out) is as it was\n")
                return ExitCode.inputError
            }
            // As batch says it: each facility that failed to load, then the line with the exit code.
            let exit = ExitPolicy.code(merged, gate: gate)
            let ja = lang == .ja
            for line in BatchCommand.loadFailures(merged, ja: ja) { console.err("merge: " + line + "\n") }
            console.err(
                "merge: " + (ja ? "\(parts.count) 部分; " : "\(parts.count) parts; ")
                    + BatchCommand.summary(merged, gate: gate, ja: ja)
                    + (ja ? "。集計: \(out) → 終了コード \(exit)" : "; aggregate in \(out) → exit \(exit)")
                    + BatchCommand.exitMeaning(exit, ja: ja) + "\n")
            return Interruption.afterPublishing(console, "the merged aggregate") ?? exit
        }
    }
}
