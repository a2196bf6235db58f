import Foundation
import Synchronization
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

enum BatchCommand {
    static let spec = CommandSpec(
        name: "batch", summary: "Evaluate many facilities in parallel: a report per facility and an aggregate.",
        usage: "tenken batch FOLDER|LIST|FILE.jsonl --output-dir DIR [options]",
        options: [
            OptionSpec(
                "--output-dir", value: "DIR", help: "where facility reports (facilities/<id>/) and the aggregate go"),
            OptionSpec(
                "--format", value: "LIST", choices: ReportFormat.allCases.map(\.rawValue) + ["none"], list: true,
                help:
                    "per-facility report formats (\(ReportFormat.words), several separated by commas), or `none` "
                    + "(default json)"
            ),
            OptionSpec("--jobs", value: "N", help: "parallel workers (default: all cores)"),
            OptionSpec(
                "--shard", value: "I/N",
                help: "evaluate share I of N and write a partial aggregate (combine with tenken merge)"),
            CLI.rulesOption, CLI.asOfOption, CLI.langOption, CLI.paramOption,
        ] + CLI.waiverOptions + [
            CLI.failOnOption,
            OptionSpec(
                "--baseline", value: "FILE",
                help:
                    "a previous aggregate.json: only gaps at the --fail-on level it does not know make the exit code "
                    + "1"),
            OptionSpec("--quiet", help: "no progress line even on a terminal"),
            CLI.sarifBaseOption,
        ] + CLI.findingsOptions + CLI.inputOptions,
        minPositionals: 1, maxPositionals: 1)

    static func parseShard(_ s: String?) -> Result<(index: Int, count: Int)?, UsageError> {
        guard let s else { return .success(nil) }
        let parts = s.split(separator: "/")
        guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, (1...n).contains(i) else {
            return .failure(
                UsageError(message: "`--shard` needs I/N with 1 ≤ I ≤ N, not `\(s)`", help: "for example --shard 2/8"))
        }
        return .success((i, n))
    }

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        let formats: [ReportFormat], lang: Language, asOf: Day, options: LoadOptions, shard: (index: Int, count: Int)?
        var jobs = ProcessInfo.processInfo.activeProcessorCount
        let maxTerm: Duration, cliParams: [ParamOverride], gate: Gate, maxFindings: Int?, sarifBase: SARIFBase
        do {
            guard let out = p.value("--output-dir"), !out.isEmpty else {
                throw UsageError(message: "`tenken batch` needs --output-dir DIR", help: nil)
            }
            if p.value("--format") == "none" {
                formats = []
            } else {
                let f = (p.value("--format") ?? "json").split(separator: ",").map(String.init)
                formats = try f.map { s in
                    guard let x = ReportFormat(rawValue: s) else {
                        throw UsageError(
                            message: "`--format`: unknown format `\(s)`; expected \(ReportFormat.words) or none",
                            help: closestMatch(to: s, in: ReportFormat.allCases.map(\.rawValue)).map {
                                "did you mean `\($0)`?"
                            })
                    }
                    return x
                }
            }
            // `choice` admits only the three words, each a language.
            lang =
                Language(rawValue: try ArgumentParser.choice(p, "--lang", ["ja", "en", "both"], default: "ja").get())
                ?? .ja
            asOf = try CLI.asOf(p).get()
            options = try CLI.loadOptions(p).get()
            shard = try parseShard(p.value("--shard")).get()
            if let j = p.value("--jobs") {
                guard let n = Int(j), (1...512).contains(n) else {
                    throw UsageError(message: "`--jobs` needs a whole number from 1 to 512", help: nil)
                }
                jobs = n
            }
            maxTerm = try CLI.waiverMaxTerm(p).get()
            cliParams = try CLI.commandLineParams(p).get()
            gate = try CLI.gate(p).get()
            maxFindings = try CLI.maxFindings(p).get()
            sarifBase = try CLI.sarifBase(p).get()
        } catch let e as UsageError {
            CLI.usage(e, console)
            return ExitCode.usage
        } catch {
            return ExitCode.usage
        }
        guard let outDir = p.value("--output-dir") else {
            CLI.usage(UsageError(message: "batch needs --output-dir DIR", help: nil), console)
            return ExitCode.usage
        }
        Interruption.sayOnStop(console, "batch", "\(outDir) holds the previous results")
        guard let (loaded, pack) = CLI.checkedPack(p, console, printWarnings: false) else { return ExitCode.inputError }
        let printer = DiagnosticPrinter()
        var all: [BatchEntry], ignored: [String]
        switch BatchDiscovery.discover(p.positionals[0]) {
        case .success(let found):
            all = found.entries
            ignored = found.ignored
        case .failure(let d):
            console.err(printer.render(d))
            return ExitCode.inputError
        }
        // A file lying beside the facilities is named, never passed over in silence.
        for f in ignored {
            let name = (f as NSString).lastPathComponent
            if (name.hasPrefix("~$") || name.hasPrefix(".~lock."))
                && FacilityInput.isWorkbook(name.hasSuffix("#") ? String(name.dropLast()) : name)
            {
                // A spreadsheet program's owner file: the workbook beside it is open, and read
                // as last saved.
                console.err(
                    printer.render(
                        Diagnostic(
                            "batch.ignored-entry", .note,
                            "a spreadsheet program's owner file (the workbook is open in Excel or LibreOffice) is "
                                + "not a facility and is not read",
                            at: SourceLocation(file: f),
                            help:
                                "the workbook is read as it was last saved; save and close it to check its latest edits"
                        )))
                continue
            }
            console.err(
                printer.render(
                    Diagnostic(
                        "batch.ignored-entry", .warning,
                        "not a facility: only folders, `*.json` snapshots and `*.xlsx` workbooks are read, so this "
                            + "file is ignored",
                        at: SourceLocation(file: f),
                        help: "move it out of the folder, or into a facility's folder if it belongs to one")))
        }
        // Nothing to check is not "everything passed".
        if all.isEmpty {
            console.err(
                printer.render(
                    Diagnostic(
                        "batch.no-input", .error, "no facility folders or snapshots found",
                        at: SourceLocation(file: p.positionals[0]))))
            return ExitCode.inputError
        }
        var waivers: [Waiver] = []
        if let wf = p.value("--waivers") {
            let (ws, wd) = WaiverFile.load(wf)
            let problems = wd + WaiverPolicy.validate(ws, pack: pack, maxTerm: maxTerm, knownFacilities: nil)
            for d in problems { console.err(printer.render(d)) }
            if problems.contains(where: { $0.severity == .error }) { return ExitCode.inputError }
            waivers = ws
        }
        var baseline: Baseline?
        if let bf = p.value("--baseline") {
            let (b, bd) = Baseline.load(bf, pack: pack.info)
            for d in bd { console.err(printer.render(d)) }
            guard let b else { return ExitCode.inputError }
            baseline = b
        }

        // Never over an input: not into a facility folder, not over a baseline or a folder of facilities.
        var inputs = CLI.inputs(of: nil, p, loaded)
        inputs.add(file: p.positionals[0])
        // The one look at each input also tells the run whether it is a folder.
        for i in all.indices where all[i].line == nil { all[i].isFolder = inputs.add(file: all[i].input) }
        // Not sharded: the entries are the list found, not a copy of it (a batch keeps its
        // entries until the end).
        let entries = shard == nil ? all : all.filter { BatchDiscovery.inShard($0, shard) }
        all = []
        if let r = inputs.refusal(folder: outDir, holding: false) ?? inputs.refusal(
            folder: (outDir as NSString).appendingPathComponent("facilities"))
            ?? BatchOutput.besideFacilities.lazy.compactMap({
                inputs.refusal(file: (outDir as NSString).appendingPathComponent($0))
            }).first
        {
            console.err("error: \(r); nothing was written\n")
            return ExitCode.inputError
        }
        // Every input's identity, one per facility, is not needed any more.
        inputs = InputSet()
        guard let output = BatchOutput.opened(outDir, graceful: true, console) else { return ExitCode.inputError }
        let run = BatchRun(
            pack: pack, loaded: loaded, asOf: asOf, options: options, cliParams: cliParams, waivers: waivers,
            baseline: baseline, gate: gate, formats: formats, lang: lang, outDir: output.staging,
            maxFindings: maxFindings, sarifBase: sarifBase, toolVersion: CLI.version)
        // The progress line only on a terminal, and not under --quiet.
        let showProgress: ((String) -> Void)? =
            console.stderrIsTTY && !p.flag("--quiet") ? { [console] line in console.err(line) } : nil
        let progress = BatchProgress(total: entries.count, write: showProgress)
        // The summaries, compact rows, go straight into the aggregate, which sorts them without a copy.
        var aggregate = Aggregate(
            pack: pack, asOf: asOf.description, rows: run.evaluateRows(entries, jobs: jobs, progress: progress),
            shard: shard.map { "\($0.index)/\($0.count)" })
        aggregate.ignored = ignored
        aggregate.runParameters = cliParams.map { "\($0.name)=\(ParamResolver.render($0.value))" }.sorted()
        progress.finish()
        // Asked to stop meanwhile: nothing is published (the line is `sayOnStop`'s).
        if Interruption.requested != 0 { Interruption.exitForSignal() }
        // A waiver may name only facilities of this run (a shard cannot know the others).
        if !waivers.isEmpty, shard == nil {
            let known = Set(aggregate.facilities.map(\.id))
            for d in WaiverPolicy.validate(waivers, pack: pack, maxTerm: maxTerm, knownFacilities: known)
            where d.id == "waiver.unknown-facility" {
                console.err(printer.render(d))
                return ExitCode.inputError
            }
        }
        var writeFailures = run.writeFailures.withLock { $0 }
        if writeFailures.isEmpty {
            do throws(WriteError) {
                try BatchRun.writeAggregate(aggregate, to: output.staging, lang: lang, jobs: jobs)
            } catch {
                writeFailures.append(error)
            }
        }
        // The facilities' SARIF again, in files code scanning accepts in one upload each.
        if writeFailures.isEmpty, formats.contains(.sarif) {
            do throws(SARIFBundle.Failure) {
                let sources = try SARIFBundle.sources(aggregate) { _ in output.staging }.get()
                try SARIFBundle.write(sources, into: output.staging, base: sarifBase)
            } catch {
                writeFailures.append(
                    WriteError(
                        path: SARIFBundle.published(error.path, staging: output.staging), kind: .other,
                        reason: error.why))
            }
        }
        for w in run.warnings.withLock({ $0 }).sorted(by: { $0.description < $1.description }).prefix(50) {
            console.err(printer.render(w))
        }
        if !writeFailures.isEmpty {
            // All or nothing: the previous results stay, rather than a mixture of two runs.
            output.discard()
            for w in writeFailures.sorted(by: { $0.path < $1.path }) {
                console.err("error[batch.write-failed]: \(w)\n")
            }
            console.err(
                "batch: \(writeFailures.count) write\(writeFailures.count == 1 ? "" : "s") failed; the run is "
                    + "incomplete and nothing was published: "
                    + "\(outDir) holds the previous results\n")
            return ExitCode.inputError
        }
        do throws(WriteError) {
            for n in try output.publish(replacing: BatchOutput.published) { console.err("note: \(n)\n") }
        } catch {
            console.err(
                "error[batch.write-failed]: \(error)\nbatch: the run is incomplete and nothing was published: "
                    + "\(outDir) holds the previous results\n"
            )
            return ExitCode.inputError
        }
        let newGaps = baseline.map { _ in aggregate.facilities.countViews { ($0.newGaps ?? 0) > 0 } }
        let counts = aggregate.verdictCounts(gate: gate)
        let exit = ExitPolicy.code(aggregate, gate: gate, newGaps: newGaps, counts: counts)
        let ja = lang == .ja
        for line in loadFailures(aggregate, ja: ja) { console.err("batch: " + line + "\n") }
        console.err(
            "batch: " + summary(aggregate, gate: gate, newGaps: newGaps, ja: ja, counts: counts)
                + (ja ? "。集計: \(outDir) → 終了コード \(exit)" : "; aggregate in \(outDir) → exit \(exit)")
                + exitMeaning(exit, ja: ja) + "\n")
        return Interruption.afterPublishing(console, "the run") ?? exit
    }

    /// One line per facility that failed to load (at most `limit`, then how many more): its
    /// id, its input as given and its first error, so a CI log names what to fix.
    static func loadFailures(_ a: Aggregate, ja: Bool, limit: Int = 10) -> [String] {
        let failed = a.facilities.summaries { $0.status == .error }
        var out = failed.prefix(limit).map { f in
            let why = f.diagnostics.first ?? (ja ? "理由の記録なし" : "no reason recorded")
            return ja ? "\(f.id)（\(f.input)）を読み込めません: \(why)" : "failed to load \(f.id) (\(f.input)): \(why)"
        }
        if failed.count > limit {
            let n = failed.count - limit
            out.append(
                ja
                    ? "ほかに \(n) 施設を読み込めません（aggregate.json にすべて記載）"
                    : "\(n) more failed to load (aggregate.json lists them all)")
        }
        return out
    }

    /// The run in one line: how many facilities were found, failed to load, could not be
    /// decided, have gaps at the gate's level, and wait for an attestation; Japanese when
    /// `ja` (the reports' language).
    /// `counts`: `a.verdictCounts(gate:)` when the caller has it.
    static func summary(
        _ a: Aggregate, gate: Gate, newGaps: Int? = nil, ja: Bool = false, counts: [Gate.Verdict: Int]? = nil
    ) -> String {
        let v = counts ?? a.verdictCounts(gate: gate)
        let waiting = a.facilities.countViews { $0.status == .evaluated && $0.has(.manual) }
        let undecided = (v[.undecided] ?? 0) - a.failedToLoad
        if ja {
            return "\(a.facilities.count) 施設"
                + (a.ignored.isEmpty ? "" : "（ほかのファイル \(a.ignored.count) 件は対象外）")
                + ": 評価 \(a.evaluatedCount)、読み込めず \(a.failedToLoad)、未決定の規則あり（判定不能・エラー） \(undecided)、不合格あり "
                + "\(v[.gaps] ?? 0)"
                + (gate.level.map { "（\($0.rawValue) 以上\(gate.manual ? "・証明待ちを含む" : "")）" } ?? "")
                + (newGaps.map { n in "、新たな不合格あり \(n)" + (gate.level.map { "（\($0.rawValue) 以上）" } ?? "") } ?? "")
                + "、証明待ち \(waiting)"
                + (a.withLoosenedParams > 0 ? "、緩めたパラメータで判定 \(a.withLoosenedParams)" : "")
        }
        return "\(a.facilities.count) found, "
            + (a.ignored.isEmpty ? "" : "\(a.ignored.count) other file\(a.ignored.count == 1 ? "" : "s") ignored, ")
            + "\(a.evaluatedCount) evaluated, \(a.failedToLoad) failed to load, "
            + "\(undecided) with undecided rules (unknown or error), \(v[.gaps] ?? 0) with gaps"
            + (gate.level.map { " (\($0.rawValue)\(gate.manual ? " or awaiting attestation" : ""))" } ?? "")
            + (newGaps.map { n in ", \(n) with new gaps" + (gate.level.map { " (\($0.rawValue))" } ?? "") } ?? "")
            + ", \(waiting) awaiting an attestation"
            + (a.withLoosenedParams > 0 ? ", \(a.withLoosenedParams) on loosened parameters" : "")
    }

    /// What a batch's exit code says, after the code.
    static func exitMeaning(_ code: Int32, ja: Bool = false) -> String {
        if ja {
            switch code {
            case ExitCode.ok: return "（すべて評価でき、不合格なし）"
            case ExitCode.gaps: return "（--fail-on の水準の不合格あり）"
            default: return "（読み込めない施設、または未決定の規則あり）"
            }
        }
        return switch code {
        case ExitCode.ok: ", every facility evaluated and none with gaps"
        case ExitCode.gaps: ", gaps at the --fail-on level"
        default: ", a facility failed to load or has undecided rules"
        }
    }
}

extension BatchOutput {
    /// Opens the folder for a run, or says why not (another run holds it, it cannot be made),
    /// printing the notes on earlier runs' leftovers.
    static func opened(_ dir: String, graceful: Bool, _ console: Console) -> BatchOutput? {
        do {
            let out = try BatchOutput(dir: dir, graceful: graceful)
            for n in out.notes { console.err("note: \(n)\n") }
            return out
        } catch {
            switch error {
            case .busy(let f): console.err(f.message(folder: dir))
            case .write(let w): console.err("error: \(w); nothing was written\n")
            }
            return nil
        }
    }
}
