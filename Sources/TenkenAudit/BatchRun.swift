import Foundation
import Synchronization
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

/// The progress line of a batch: count, rate and time left, at most five times a second. It
/// writes through `write` (the command passes standard error, and only on a terminal), so the
/// library never prints by itself.
public final class BatchProgress: @unchecked Sendable {
    let total: Int
    let write: ((String) -> Void)?
    let start = Date()
    let state = Locked<(done: Int, last: Date)>((0, Date.distantPast))

    /// `write` nil: no progress is shown (not a terminal, `--quiet`).
    public init(total: Int, write: ((String) -> Void)?) {
        self.total = total
        self.write = write
    }

    /// One more facility done.
    public func tick() {
        guard let write else { return }
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
        if let line { write(line) }
    }

    /// Clears the line.
    public func finish() { write?("\r\u{1B}[K") }
}

/// The per-facility work of a batch, shared read-only by the workers: each facility is
/// loaded, evaluated, waived and its reports written into `outDir/facilities/<id>/`; the
/// summaries come back in input order. Warnings and failed writes are collected, never
/// printed.
public final class BatchRun: @unchecked Sendable {
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
    public let warnings = Locked<[Diagnostic]>([])
    /// Report writes that failed (a full disk, say): the run is then incomplete.
    public let writeFailures = Locked<[WriteError]>([])

    let maxFindings: Int?
    let sarifBase: SARIFBase?
    /// The version the reports name as their tool's.
    let toolVersion: String

    public init(
        pack: CheckedPack, loaded: LoadedPack, asOf: Day, options: LoadOptions, cliParams: [ParamOverride],
        waivers: [Waiver],
        baseline: Baseline?, gate: Gate = Gate(level: .required), formats: [ReportFormat], lang: Language,
        outDir: String,
        maxFindings: Int? = Engine.defaultMaxFindings, sarifBase: SARIFBase? = nil, toolVersion: String
    ) {
        self.pack = pack
        self.toolVersion = toolVersion
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

    /// Evaluates `entries` on up to `jobs` workers. The result has one summary per entry, in
    /// the entries' order whatever order the workers finished in; once a signal or a failed
    /// write stops the run, the entries not yet started are summarised as not evaluated.
    public func evaluate(_ entries: [BatchEntry], jobs: Int, progress: BatchProgress? = nil) -> [FacilitySummary] {
        Array(evaluateRows(entries, jobs: jobs, progress: progress))
    }

    /// As `evaluate`, the summaries kept as compact rows (`FacilityRows`): what a batch holds
    /// of each facility until its aggregate is written, a few dozen bytes rather than a
    /// `FacilitySummary` and its strings.
    public func evaluateRows(_ entries: [BatchEntry], jobs: Int, progress: BatchProgress? = nil) -> FacilityRows {
        // Each worker encodes its summary on its own and appends the row under the lock.
        let rows = Locked(FacilityRows(unset: entries.count))
        let next = Atomic<Int>(0)
        let workers = max(1, min(jobs, entries.count))
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            // Each worker evaluates with its own compiled copy of the pack: sharing one tree
            // makes every core bump the same reference counts, which does not scale.
            let own =
                w == 0
                ? engine
                : (Checker.check(loaded.source, schema: loaded.schema).pack.map {
                    Engine(pack: $0, maxFindings: maxFindings)
                } ?? engine)
            var row: [UInt8] = []
            while true {
                let i = next.add(1, ordering: .relaxed).oldValue
                if i >= entries.count { break }
                let s: FacilitySummary
                // Stopped (a signal, or a write failed so nothing will be published): the rest
                // are not evaluated.
                if Interruption.requested != 0 || !writeFailures.withLock({ $0.isEmpty }) {
                    s = FacilitySummary(
                        id: entries[i].name, name: nil, input: entries[i].input, status: .error, states: "",
                        diagnostics: ["\(entries[i].input): not evaluated: the run stopped"])
                } else {
                    s = process(entries[i], index: i, engine: own)
                    progress?.tick()
                }
                row.removeAll(keepingCapacity: true)
                FacilityRows.encode(s, into: &row)
                rows.withLock { $0.set(i, encoded: row) }
            }
        }
        var out = rows.withLock { r in
            // The lock's copy is emptied, so `out` is the only one and changes in place.
            defer { r = FacilityRows() }
            return r
        }
        // Every row is filled by a worker; one that is not is reported, never dropped.
        for i in entries.indices where !out.isSet(i) {
            out.set(
                i,
                FacilitySummary(
                    id: entries[i].name, name: nil, input: entries[i].input, status: .error, states: "",
                    diagnostics: ["\(entries[i].input): not evaluated"]))
        }
        // Two inputs with the same facility id (or ids differing only in case): neither is
        // reported, both are errors.
        let dup = contested.withLock { $0 }
        if !dup.isEmpty {
            for i in out.indices where out.view(i).status == .evaluated {
                if let ids = dup[FileNames.fold(out.id(i))] { out.set(i, duplicate(out[i], ids)) }
            }
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
        if let line = e.line {
            input = FacilityInput(snapshot: line.file, schema: loaded.schema)
            input.jsonLine = line
        } else if e.isFolder ?? Self.isFolder(e.input) {
            switch FacilityInput.folder(e.input, schema: loaded.schema) {
            case .success(let i): input = i
            case .failure(let d): return failure(e, id: nil, [d])
            }
        } else {
            input = FacilityInput.file(e.input, schema: loaded.schema)
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
                            path: Self.subjectIDPath(loaded.schema, json: input.tables == nil)))
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
        // With no report per facility, what follows reads only states, counts and each
        // finding's element and expectation (the aggregate, waivers, the baseline).
        var (result, pd) = engine.evaluate(
            facility, asOf: asOf, commandLine: cliParams, detail: formats.isEmpty ? .elements : .full)
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
                result: result, pack: pack, lang: lang, toolVersion: toolVersion, sarifBase: sarifBase)
            let style = TextReport(lang: lang, color: false)
            for f in formats {
                // Named in messages where it will be published, not in the staging folder.
                let shown = "facilities/\(facility.id)/\(f.fileName)"
                do throws(WriteError) {
                    let file = try OutputFile(
                        path: (facilityDir(facility.id) as NSString).appendingPathComponent(f.fileName), durable: false)
                    do throws(WriteError) {
                        try f.write(report, textStyle: style, to: file)
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

    /// Writes the aggregate's four files (`aggregate.json`, `.html`, and the facilities' and
    /// rules' CSV) into `dir`. Each file is streamed to a temporary file and renamed into place when complete. With
    /// more than one job the four files are written side by side: they only read the
    /// aggregate, and written one after another they were the serial end of a batch, which
    /// is what kept two jobs from twice the speed of one.
    public static func writeAggregate(_ a: Aggregate, to dir: String, lang: Language, jobs: Int = 1) throws(WriteError)
    {
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

extension ExitPolicy {
    /// A batch's or a merge's exit code, from its aggregate: 2 when a facility failed to load or has a rule in `error` or `unknown`; 1 for gaps at
    /// the gate's level (with a baseline: failures at that level the baseline does not know,
    /// and items still awaiting an attestation under `,manual`); else 0. `--fail-on never`
    /// never gives 1.
    public static func code(
        _ a: Aggregate, gate: Gate, newGaps: Int? = nil, counts: [Gate.Verdict: Int]? = nil
    ) -> Int32 {
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
}

extension BatchRun {
    static func isFolder(_ path: String) -> Bool {
        var isDir: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
    }

    /// Where the subject's id is, as a JSON pointer (`/facility/id`) or a table key
    /// (`facility.id`), from the pack's `subject` declaration; nil for a pack without one.
    static func subjectIDPath(_ schema: PackSchema, json: Bool) -> String? {
        guard let s = schema.mechanisms.subject else { return nil }
        let section = schema.sections[s.section]
        let field = section.record.fields[s.id].name
        return json ? "/\(section.name)/\(field)" : "\(section.name).\(field)"
    }
}
