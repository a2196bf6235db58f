import Foundation
import Synchronization
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

/// Results of workers, written by index: each index is written by exactly one worker.
final class Slots<T>: @unchecked Sendable {
    let buffer: UnsafeMutableBufferPointer<T?>
    init(_ n: Int) {
        buffer = .allocate(capacity: n)
        buffer.initialize(repeating: nil)
    }
    deinit {
        buffer.deinitialize()
        buffer.deallocate()
    }
}

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
        guard let (loaded, pack) = CLI.checkedPack(p, console, printWarnings: false) else { return ExitCode.inputError }
        let printer = DiagnosticPrinter()
        let all: [BatchEntry], ignored: [String]
        switch BatchDiscovery.discover(p.positionals[0]) {
        case .success(let found):
            all = found.entries
            ignored = found.ignored
        case .failure(let d):
            console.err(printer.render(d))
            return ExitCode.inputError
        }
        let entries = all.filter { BatchDiscovery.inShard($0, shard) }
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
        for e in all where e.line == nil { inputs.add(file: e.input) }
        if let r = inputs.refusal(folder: outDir, holding: false) ?? inputs.refusal(
            folder: (outDir as NSString).appendingPathComponent("facilities"))
            ?? BatchOutput.besideFacilities.lazy.compactMap({
                inputs.refusal(file: (outDir as NSString).appendingPathComponent($0))
            }).first
        {
            console.err("error: \(r); nothing was written\n")
            return ExitCode.inputError
        }
        guard let output = BatchOutput.opened(outDir, graceful: true, console) else { return ExitCode.inputError }
        let run = BatchRun(
            pack: pack, loaded: loaded, asOf: asOf, options: options, cliParams: cliParams, waivers: waivers,
            baseline: baseline, gate: gate, formats: formats, lang: lang, outDir: output.staging,
            maxFindings: maxFindings, sarifBase: sarifBase)
        let progress = Progress(
            total: entries.count, enabled: console.stderrIsTTY && !p.flag("--quiet"), console: console)
        // The summaries go straight into the aggregate, which sorts them without a copy.
        var aggregate = Aggregate(
            pack: pack, asOf: asOf.description, facilities: run.evaluate(entries, jobs: jobs, progress: progress),
            shard: shard.map { "\($0.index)/\($0.count)" })
        aggregate.ignored = ignored
        aggregate.runParameters = cliParams.map { "\($0.name)=\(ParamResolver.render($0.value))" }.sorted()
        progress.finish()
        if Interruption.requested != 0 {
            console.err("batch: interrupted; nothing was published, \(outDir) holds the previous results\n")
            Interruption.exitForSignal()
        }
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
            do throws(WriteError) { try writeAggregate(aggregate, to: output.staging, lang: lang, jobs: jobs) } catch {
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
        let newGaps = baseline.map { _ in aggregate.facilities.filter { ($0.newGaps ?? 0) > 0 }.count }
        let counts = aggregate.verdictCounts(gate: gate)
        let exit = exitCode(aggregate, gate: gate, newGaps: newGaps, counts: counts)
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
        let failed = a.facilities.filter { $0.status == .error }
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
        let waiting = a.facilities.filter { $0.status == .evaluated && $0.states.contains("M") }.count
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

    /// 2 when a facility failed to load or has a rule in `error` or `unknown`; 1 for gaps at
    /// the gate's level (with a baseline: failures at that level the baseline does not know,
    /// and items still awaiting an attestation under `,manual`); else 0. `--fail-on never`
    /// never gives 1.
    static func exitCode(_ a: Aggregate, gate: Gate, newGaps: Int? = nil, counts: [Gate.Verdict: Int]? = nil) -> Int32 {
        let v = counts ?? a.verdictCounts(gate: gate)
        if (v[.undecided] ?? 0) > 0 { return ExitCode.inputError }
        guard gate.level != nil else { return ExitCode.ok }
        if let newGaps {
            // Known failures are forgiven; an item still waiting for a person is not.
            let waiting =
                gate.manual
                && a.facilities.contains { f in
                    zip(a.rules, f.states).contains { r, c in c == "M" && gate.level.map { r.level <= $0 } == true }
                }
            // A facility judged on a loosened parameter is not excused by a baseline either.
            let loosened = gate.loosened && a.withLoosenedParams > 0
            return newGaps > 0 || waiting || loosened ? ExitCode.gaps : ExitCode.ok
        }
        return (v[.gaps] ?? 0) > 0 ? ExitCode.gaps : ExitCode.ok
    }

    /// Each file is streamed to a temporary file and renamed into place when complete. With
    /// more than one job the four files are written side by side: they only read the
    /// aggregate, and written one after another they were the serial end of a batch, which
    /// is what kept two jobs from twice the speed of one.
    static func writeAggregate(_ a: Aggregate, to dir: String, lang: Language, jobs: Int = 1) throws(WriteError) {
        @Sendable func stream(_ name: String, _ body: (OutputFile) throws(WriteError) -> Void) throws(WriteError) {
            let s = try OutputFile(path: (dir as NSString).appendingPathComponent(name))
            do throws(WriteError) { try body(s) } catch { s.abandon(); throw error }
        }
        // Largest first, so that two workers finish together.
        @Sendable func write(_ k: Int) throws(WriteError) {
            switch k {
            case 0:
                try stream("aggregate.json") { (f: OutputFile) throws(WriteError) in
                    try a.writeJSON(to: f); try f.commit()
                }
            case 1:
                try stream("aggregate.html") { (f: OutputFile) throws(WriteError) in
                    try AggregateHTML.write(a, lang: lang, to: f)
                }
            case 2:
                try stream("aggregate-facilities.csv") { (f: OutputFile) throws(WriteError) in
                    try a.writeFacilitiesCSV(to: f); try f.commit()
                }
            default:
                try stream("aggregate-rules.csv") { (f: OutputFile) throws(WriteError) in
                    try a.writeRulesCSV(to: f); try f.commit()
                }
            }
        }
        guard jobs > 1 else {
            for k in 0..<4 { try write(k) }
            return
        }
        let failures = Locked<[(Int, WriteError)]>([])
        DispatchQueue.concurrentPerform(iterations: 4) { k in
            do throws(WriteError) { try write(k) } catch { failures.withLock { $0.append((k, error)) } }
        }
        if let first = failures.withLock({ $0 }).min(by: { $0.0 < $1.0 }) { throw first.1 }
    }
}

/// Progress on standard error, only on a terminal: count, rate and time left.
final class Progress: @unchecked Sendable {
    let total: Int
    let enabled: Bool
    let console: Console
    let start = Date()
    let state = Locked<(done: Int, last: Date)>((0, Date.distantPast))

    init(total: Int, enabled: Bool, console: Console) {
        self.total = total
        self.enabled = enabled
        self.console = console
    }

    func tick() {
        guard enabled else { return }
        let line: String? = state.withLock { s in
            s.done += 1
            let now = Date()
            guard now.timeIntervalSince(s.last) > 0.2 || s.done == total else { return nil }
            s.last = now
            let elapsed = now.timeIntervalSince(start)
            let rate = Double(s.done) / max(elapsed, 0.001)
            let eta = rate > 0 ? Double(total - s.done) / rate : 0
            return "\r\u{1B}[K  \(s.done)/\(total) facilities · \(Int(rate))/s · \(Int(eta.rounded()))s left"
        }
        if let line { console.err(line) }
    }

    func finish() { if enabled { console.err("\r\u{1B}[K") } }
}

/// The per-facility work of a batch, shared read-only by the workers.
final class BatchRun: @unchecked Sendable {
    let pack: CheckedPack
    let loaded: LoadedPack
    let engine: Engine
    let asOf: Day
    let options: LoadOptions
    let cliParams: [ParamOverride]
    let waivers: [Waiver]
    let baseline: Baseline?
    /// The run's `--fail-on`: with a baseline, new failures are counted at its level.
    let gate: Gate
    let formats: [ReportFormat]
    let lang: Language
    let outDir: String
    /// Facility ids by their folded form: ids differing only in case would share one report
    /// folder on a case-insensitive file system, so they count as the same id.
    let claims = Locked<[String: String]>([:])
    let contested = Locked<[String: Set<String>]>([:])
    let warnings = Locked<[Diagnostic]>([])
    /// Report writes that failed (a full disk, say): the run is then incomplete.
    let writeFailures = Locked<[WriteError]>([])

    let maxFindings: Int?
    let sarifBase: SARIFBase?

    init(
        pack: CheckedPack, loaded: LoadedPack, asOf: Day, options: LoadOptions, cliParams: [ParamOverride],
        waivers: [Waiver],
        baseline: Baseline?, gate: Gate = Gate(level: .required), formats: [ReportFormat], lang: Language,
        outDir: String,
        maxFindings: Int? = Engine.defaultMaxFindings, sarifBase: SARIFBase? = nil
    ) {
        self.pack = pack
        self.sarifBase = sarifBase
        self.loaded = loaded
        self.maxFindings = maxFindings
        engine = Engine(pack: pack, maxFindings: maxFindings)
        self.asOf = asOf
        self.options = options
        self.cliParams = cliParams
        self.waivers = waivers
        self.baseline = baseline
        self.gate = gate
        self.formats = formats
        self.lang = lang
        self.outDir = outDir
    }

    func evaluate(_ entries: [BatchEntry], jobs: Int, progress: Progress) -> [FacilitySummary] {
        let slots = Slots<FacilitySummary>(entries.count)
        let next = Atomic<Int>(0)
        let workers = max(1, min(jobs, entries.count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            // Each worker evaluates with its own compiled copy of the pack: sharing one tree
            // makes every core bump the same reference counts, which does not scale.
            let own =
                w == 0
                ? engine
                : (Checker.check(loaded.source).pack.map { Engine(pack: $0, maxFindings: maxFindings) } ?? engine)
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                if i >= entries.count { break }
                // Stopped (a signal, or a write failed so nothing will be published): the rest
                // are not evaluated.
                if Interruption.requested != 0 || !writeFailures.withLock({ $0.isEmpty }) {
                    slots.buffer[i] = FacilitySummary(
                        id: entries[i].name, name: nil, input: entries[i].input, status: .error, states: "",
                        diagnostics: ["\(entries[i].input): not evaluated: the run stopped"])
                    continue
                }
                slots.buffer[i] = process(entries[i], index: i, engine: own)
                progress.tick()
            }
        }
        // Every slot is filled by a worker; one that is not is reported, never dropped.
        var out = (0..<entries.count).map { i in
            slots.buffer[i]
                ?? FacilitySummary(
                    id: entries[i].name, name: nil, input: entries[i].input, status: .error, states: "",
                    diagnostics: ["\(entries[i].input): not evaluated"])
        }
        // Two inputs with the same facility id (or ids differing only in case): neither is
        // reported, both are errors.
        let dup = contested.withLock { $0 }
        for i in out.indices where out[i].status == .evaluated {
            if let ids = dup[FileNames.fold(out[i].id)] { out[i] = duplicate(out[i], ids) }
        }
        for (_, ids) in dup {
            for id in ids {
                removeOwnedTree(facilityDir(id)) { rel, isDir in
                    rel.count == 1 && !isDir
                        && (BatchOutput.reportNames.contains(rel[0]) || RunID.isTemporaryName(rel[0]))
                }
            }
        }
        return out
    }

    func duplicate(_ s: FacilitySummary, _ ids: Set<String>) -> FacilitySummary {
        let why =
            ids.count > 1
            ? "facility ids \(ids.sorted().map { "`\($0)`" }.joined(separator: " and ")) differ only in case; on "
                + "many file systems their report folders would be one"
            : "facility id `\(s.id)` is used by more than one input"
        return FacilitySummary(
            id: s.id, name: s.name, input: s.input, status: .error, states: "",
            diagnostics: ["\(s.input): error[batch.duplicate-id]: \(why)"])
    }

    func facilityDir(_ id: String) -> String {
        ((outDir as NSString).appendingPathComponent("facilities") as NSString).appendingPathComponent(id)
    }

    func failure(_ e: BatchEntry, id: String?, _ diags: [Diagnostic]) -> FacilitySummary {
        FacilitySummary(
            id: id ?? e.name, name: nil, input: e.input, status: .error, states: "",
            diagnostics: diags.filter { $0.severity == .error }.prefix(10).map(\.description))
    }

    func process(_ e: BatchEntry, index: Int, engine: Engine) -> FacilitySummary {
        var input: FacilityInput
        var isDir: ObjCBool = false
        if let line = e.line {
            input = FacilityInput(snapshot: line.file)
            input.jsonLine = line
        } else if FileManager.default.fileExists(atPath: e.input, isDirectory: &isDir), isDir.boolValue {
            switch FacilityInput.folder(e.input) {
            case .success(let i): input = i
            case .failure(let d): return failure(e, id: nil, [d])
            }
        } else {
            input = FacilityInput.file(e.input)
        }
        let (facility, diags) = input.load(options: options, pack: loaded, asOf: asOf, wholeStatements: true)
        guard let facility, !diags.contains(where: { $0.severity == .error }) else {
            return failure(e, id: facility?.id, diags)
        }
        guard BatchDiscovery.safeName(facility.id) else {
            return failure(
                e, id: e.name,
                [
                    Diagnostic(
                        "batch.unsafe-id", .error,
                        "the facility id cannot name a report folder (letters, digits, `.`, `_`, `-` only; no `..`; "
                            + "found \(ValueShape.of(facility.id)))",
                        at: SourceLocation(
                            file: input.primaryFile, line: e.line?.line ?? 0,
                            path: input.tables == nil ? "/facility/id" : "facility.id"))
                ])
        }
        let key = FileNames.fold(facility.id)
        let first = claims.withLock { c -> String? in
            if let other = c[key] { return other }
            c[key] = facility.id
            return nil
        }
        if let first {
            let ids = contested.withLock { c -> Set<String> in
                c[key, default: []].formUnion([first, facility.id])
                return c[key, default: []]
            }
            return duplicate(
                FacilitySummary(
                    id: facility.id, name: nil, input: e.input, status: .evaluated, states: "", diagnostics: []), ids)
        }
        var (result, pd) = engine.evaluate(facility, asOf: asOf, commandLine: cliParams)
        if pd.contains(where: { $0.severity == .error }) { return failure(e, id: facility.id, pd) }
        let notes = WaiverPolicy.apply(waivers, to: &result, facility: facility)
        // A waiver whose people are not this facility's staff: the facility is not judged.
        if notes.contains(where: { $0.severity == .error }) { return failure(e, id: facility.id, notes) }
        if !notes.isEmpty { warnings.withLock { $0 += notes } }
        // What the facility's input warned about goes into its reports and the aggregate,
        // which is all an auditor of a batch reads.
        result.inputWarnings = (diags + pd + notes).filter { $0.severity == .warning }
        if !formats.isEmpty {
            let report = ReportInput(
                result: result, pack: pack, lang: lang, toolVersion: CLI.version, sarifBase: sarifBase)
            let style = TextReport(lang: lang, color: false)
            for f in formats {
                // Named in messages where it will be published, not in the staging folder.
                let shown = "facilities/\(facility.id)/\(f.fileName)"
                do throws(WriteError) {
                    let file = try OutputFile(
                        path: (facilityDir(facility.id) as NSString).appendingPathComponent(f.fileName), durable: false)
                    do throws(WriteError) {
                        try CLI.write(f, report, textStyle: style, to: file)
                        try file.commit()
                    } catch {
                        file.abandon()
                        throw error
                    }
                } catch {
                    writeFailures.withLock {
                        $0.append(WriteError(path: shown, kind: error.kind, reason: error.reason))
                    }
                    break
                }
            }
        }
        var s = FacilitySummary.of(result, input: e.input)
        if let baseline {
            // Counted at the gate's level, as `check --baseline` gates: none under `never`.
            s.newGaps =
                zip(pack.rules, result.results).filter { rule, r in
                    gate.level.map { rule.level <= $0 } == true && baseline.hasNew(facility: facility.id, r)
                }.count
        }
        return s
    }
}
