import Foundation
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

/// The command line: a dispatcher over one file per command. Commands return exit codes;
/// nothing here exits the process, so tests can run them in-process.
public enum CLI {
    public static let version = "0.1.0"

    /// A subcommand: its spec (options, usage, help), a one-line description for the command
    /// list, and what runs it.
    struct Command: Sendable {
        let name: String
        let brief: String
        let run: @Sendable ([String], Console) -> Int32
        let makeSpec: @Sendable () -> CommandSpec
        /// Made when asked for, not when the table is: the specs of `init` and `attest` list
        /// the built-in schema's kinds and roles, and compiling that schema for every run of
        /// every command was half the start of a batch whose pack has its own schema.
        var spec: CommandSpec { makeSpec() }

        init(
            _ name: String, spec: @escaping @autoclosure @Sendable () -> CommandSpec, brief: String,
            run: @escaping @Sendable ([String], Console) -> Int32
        ) {
            self.name = name
            self.makeSpec = spec
            self.brief = brief
            self.run = run
        }
    }

    /// Every subcommand, in the order `--help` lists them: the one table the dispatcher, the
    /// help, the shell completions and the man page are made from.
    static let registry: [Command] = [
        Command(
            "check", spec: CheckCommand.spec,
            brief: "evaluate one facility against the rule pack and print a gap report",
            run: CheckCommand.run),
        Command(
            "batch", spec: BatchCommand.spec, brief: "evaluate many facilities in parallel, with an aggregate report",
            run: BatchCommand.run),
        Command(
            "merge", spec: MergeCommand.spec, brief: "combine partial aggregates from sharded batches",
            run: MergeCommand.run),
        Command(
            "diff", spec: DiffCommand.spec, brief: "compare two reports or two aggregates: fixed, new, unchanged",
            run: DiffCommand.run),
        Command(
            "explain", spec: ExplainCommand.spec, brief: "show how one rule was evaluated on a facility",
            run: ExplainCommand.run),
        Command(
            "lint", spec: LintCommand.spec, brief: "statically check a rule pack (no data is read)",
            run: LintCommand.run),
        Command(
            "fmt", spec: FmtCommand.spec, brief: "print rule files in canonical form, or rewrite them with --write",
            run: FmtCommand.run),
        Command(
            "test", spec: TestCommand.spec, brief: "run the rule test cases kept next to the rules",
            run: TestCommand.run),
        Command(
            "coverage", spec: CoverageCommand.spec,
            brief: "show which rules and test cases implement each catalog item",
            run: CoverageCommand.run),
        Command(
            "init", spec: InitCommand.spec, brief: "write blank spreadsheet tables for a facility to fill in",
            run: InitCommand.run),
        Command(
            "convert", spec: ConvertCommand.spec,
            brief: "convert a facility between a JSON snapshot and spreadsheet tables",
            run: ConvertCommand.run),
        Command(
            "attest", spec: AttestCommand.spec, brief: "answer the items only a person can vouch for, in the terminal",
            run: AttestCommand.run),
        Command(
            "params", spec: ParamsCommand.spec, brief: "list the pack's parameters with defaults, bounds and reasons",
            run: ParamsCommand.run),
        Command(
            "schema", spec: SchemaCommand.spec,
            brief: "print the snapshot schema (JSON Schema or Markdown) or the table reference",
            run: SchemaCommand.run),
        Command(
            "help", spec: HelpCommand.spec, brief: "show the help of tenken or of one command", run: HelpCommand.run),
        Command(
            "completions", spec: CompletionsCommand.spec, brief: "print a completion script for bash, zsh or fish",
            run: CompletionsCommand.run),
        Command("man", spec: ManCommand.spec, brief: "print the manual page (tenken.1)", run: ManCommand.run),
    ]

    static func command(_ name: String) -> Command? { registry.first { $0.name == name } }

    public static var usageText: String {
        var s =
            "tenken \(version) — compliance auditor for the MCS operational management rules\n\nusage: tenken "
            + "<command> [options]\n       tenken --version\n\ncommands:\n"
        let w = (registry.map(\.name.count).max() ?? 0) + 2
        for c in registry { s += "  " + c.name + String(repeating: " ", count: w - c.name.count) + c.brief + "\n" }
        s += "\nRun `tenken <command> --help` (or `tenken help <command>`) for a command's options.\n"
        return s
    }

    public static func run(_ args: [String], console: Console) -> Int32 {
        guard let cmd = args.first else {
            console.err(usageText)
            return ExitCode.usage
        }
        let rest = Array(args.dropFirst())
        if let c = command(cmd) { return c.run(rest, console) }
        switch cmd {
        case "--help", "-h":
            console.out(usageText)
            return ExitCode.ok
        case "--version", "-V", "version":
            console.out("tenken \(version)\n")
            return ExitCode.ok
        default:
            let guess = closestMatch(to: cmd, in: registry.map(\.name))
            console.err(
                "error: unknown command `\(SafeText.terminal(cmd))`" + (guess.map { "; did you mean `\($0)`?" } ?? "")
                    + "\n\n" + usageText)
            return ExitCode.usage
        }
    }

    /// Parses, printing help or a usage error. Returns nil when the command should stop.
    static func parse(_ args: [String], _ spec: CommandSpec, _ console: Console) -> (ParsedArguments?, Int32) {
        switch ArgumentParser.parse(args, spec) {
        case .success(var p):
            // `--output -` is standard output, as in most tools; never a file named `-`.
            if p.values["--output"]?.last == "-" { p.values["--output"] = nil }
            if p.help {
                console.out(spec.helpText)
                return (nil, ExitCode.ok)
            }
            return (p, 0)
        case .failure(let e):
            usage(e, console)
            return (nil, ExitCode.usage)
        }
    }

    static func usage(_ e: UsageError, _ console: Console) {
        // Usage errors quote the arguments, which may come from a script or a config file.
        console.err(
            "error: \(SafeText.terminal(e.message))\n" + (e.help.map { "  help: \(SafeText.terminal($0))\n" } ?? ""))
    }

    static let rulesOption = OptionSpec(
        "--rules", value: "DIR", help: "use the rule pack in DIR instead of the built-in MCS pack")

    // Options that `check` and `batch` share, so they read and behave the same.
    static let asOfOption = OptionSpec(
        "--as-of", value: "DATE", help: "audit date YYYY-MM-DD (default: today); every period counts from it")
    static let langOption = OptionSpec(
        "--lang", value: "LANG", choices: ["ja", "en", "both"], help: "ja, en or both (default ja)")
    /// `--fail-on`, as check, batch and merge read it.
    static let failOnOption = OptionSpec(
        "--fail-on", value: "LEVEL",
        choices: [
            "required", "recommended", "never", "strict", "required,manual", "recommended,manual", "required,loosened",
            "recommended,loosened", "never,loosened", "required,manual,loosened", "recommended,manual,loosened",
        ],
        help: "which results make the exit code 1: " + Gate.words + " (default required)")
    static let paramOption = OptionSpec(
        "--param", value: "NAME=VALUE", repeatable: true, help: "override a pack parameter for this run")
    static let waiverOptions = [
        OptionSpec(
            "--waivers", value: "FILE", help: "accepted exceptions: a waived failure is reported but does not gate"),
        OptionSpec("--waiver-max-term", value: "PERIOD", help: "longest waiver accepted (default 180 days)"),
    ]
    /// How many findings each rule lists (the count is always exact).
    static let findingsOptions = [
        OptionSpec(
            "--max-findings", value: "N",
            help:
                "findings listed per rule (default \(Engine.defaultMaxFindings)); the rest are counted and the "
                + "report says how many"
        ),
        OptionSpec(
            "--all-findings", help: "list every finding of every rule (no cap; large inventories make large reports)"),
    ]

    /// `--max-findings N` / `--all-findings`: nil lists all.
    static func maxFindings(_ p: ParsedArguments) -> Result<Int?, UsageError> {
        if p.flag("--all-findings") {
            if p.value("--max-findings") != nil {
                return .failure(UsageError(message: "give `--max-findings` or `--all-findings`, not both", help: nil))
            }
            return .success(nil)
        }
        guard let v = p.value("--max-findings") else { return .success(Engine.defaultMaxFindings) }
        guard let n = Int(v), n >= 1 else {
            return .failure(
                UsageError(
                    message: "`--max-findings` needs a whole number of at least 1, not `\(v)`",
                    help: "or --all-findings for no limit"))
        }
        return .success(n)
    }

    static let sarifBaseOption = OptionSpec(
        "--sarif-base", value: "DIR",
        help:
            "SARIF artifact URIs are relative to DIR (default: the working directory, as code scanning expects the "
            + "repository root)"
    )

    /// `--sarif-base DIR`: an existing folder; the working directory when not given.
    static func sarifBase(_ p: ParsedArguments) -> Result<SARIFBase, UsageError> {
        guard let d = p.value("--sarif-base") else {
            return .success(SARIFBase(FileManager.default.currentDirectoryPath))
        }
        var isDir: ObjCBool = false
        guard !d.isEmpty, FileManager.default.fileExists(atPath: d, isDirectory: &isDir), isDir.boolValue else {
            return .failure(
                UsageError(
                    message: "`--sarif-base` needs an existing folder, not `\(d)`", help: "usually the repository root")
            )
        }
        return .success(SARIFBase(d))
    }

    static let inputOptions = [
        OptionSpec(
            "--encoding", value: "ENC", choices: ["auto", "utf-8", "shift_jis"],
            help: "encoding of CSV tables read: auto, utf-8 or shift_jis (default auto, per file)"),
        OptionSpec("--max-input-bytes", value: "N", help: "largest input file accepted (default 256 MiB)"),
        OptionSpec("--max-depth", value: "N", help: "deepest JSON nesting accepted (default 256)"),
    ]

    /// `--devices` and `--provider` name files of the pack's mechanisms (`companion S replaces`,
    /// `published S`): for a pack that declares none, giving one is a usage error naming the pack.
    static func mechanismOptions(_ p: ParsedArguments, _ pack: LoadedPack) -> UsageError? {
        if p.value("--devices") != nil, pack.schema.replacingCompanion == nil {
            return UsageError(
                message: "`--devices`: the rule pack \(pack.root) declares no inventory a file replaces (`companion S "
                    + "replaces` in its schema)", help: "leave out --devices; the snapshot holds every section")
        }
        if p.value("--provider") != nil, pack.schema.mechanisms.published == nil {
            return UsageError(
                message: "`--provider`: the rule pack \(pack.root) declares no published profile (`published S` in "
                    + "its schema)", help: "leave out --provider")
        }
        return nil
    }

    /// `--fail-on`, default `required`.
    static func gate(_ p: ParsedArguments) -> Result<Gate, UsageError> {
        let text = p.value("--fail-on") ?? "required"
        guard let g = Gate(text) else {
            return .failure(UsageError(message: "`--fail-on` takes \(Gate.words), not `\(text)`", help: nil))
        }
        return .success(g)
    }

    /// The `--param NAME=VALUE` overrides of a run.
    static func commandLineParams(_ p: ParsedArguments) -> Result<[ParamOverride], UsageError> {
        var out: [ParamOverride] = []
        for a in p.all("--param") {
            guard let o = ParamResolver.parseCommandLine(a) else {
                return .failure(UsageError(message: "`--param` needs NAME=VALUE, not `\(a)`", help: nil))
            }
            // The same parameter twice would silently take the last value: a wrapper script
            // that appends an override could loosen a bar unseen. Refused, as a repeated key is.
            if out.contains(where: { $0.name.lowercased() == o.name.lowercased() }) {
                return .failure(
                    UsageError(message: "`--param \(o.name)` is given twice", help: "give each parameter once"))
            }
            out.append(o)
        }
        return .success(out)
    }

    /// `--waiver-max-term`, default 180 days.
    static func waiverMaxTerm(_ p: ParsedArguments) -> Result<Duration, UsageError> {
        guard let t = p.value("--waiver-max-term") else { return .success(Duration.days(180)) }
        guard let d = Duration(text: t), !d.isNegative else {
            return .failure(UsageError(message: "`--waiver-max-term` needs a period like \"180 days\"", help: nil))
        }
        return .success(d)
    }

    /// The pack (`--rules DIR` or the built-in one) for a command that needs its data model and
    /// not its rules (`convert`, `schema`, `init`): loaded, with its schema file's errors
    /// printed (then nil); the rules are not checked.
    static func loadedPack(_ p: ParsedArguments, _ console: Console) -> LoadedPack? {
        guard let dir = p.value("--rules") else { return PackLoader.embedded() }
        switch PackLoader.directory(dir) {
        case .success(let loaded):
            let errors = PackLoader.schemaDiagnostics(loaded).filter { $0.severity == .error }
            guard errors.isEmpty else {
                let printer = DiagnosticPrinter(
                    sources: loaded.texts, color: console.useColor("auto", tty: console.stderrIsTTY))
                for d in errors { console.err(printer.render(d)) }
                console.err("error: the rule pack's schema has \(errors.count) error\(errors.count == 1 ? "" : "s")\n")
                return nil
            }
            return loaded
        case .failure(let d):
            console.err(DiagnosticPrinter().render(d))
            return nil
        }
    }

    /// Loads and checks the pack (`--rules DIR` or the built-in one), printing diagnostics.
    static func checkedPack(
        _ p: ParsedArguments, _ console: Console, printWarnings: Bool = true
    ) -> (LoadedPack, CheckedPack)? {
        let loaded: LoadedPack
        if let dir = p.value("--rules") {
            switch PackLoader.directory(dir) {
            case .success(let l): loaded = l
            case .failure(let d):
                console.err(DiagnosticPrinter().render(d))
                return nil
            }
        } else {
            loaded = PackLoader.embedded()
        }
        let outcome = Checker.check(loaded.source, schema: loaded.schema)
        let diagnostics =
            PackLoader.schemaDiagnostics(loaded) + outcome.diagnostics
            + (outcome.pack.map {
                PackLoader.profileParamDiagnostics($0, builtInSchema: loaded.schemaFile == nil)
            } ?? [])
        let printer = DiagnosticPrinter(
            sources: loaded.texts, color: console.useColor("auto", tty: console.stderrIsTTY))
        for d in diagnostics where d.severity == .error || printWarnings { console.err(printer.render(d)) }
        guard let pack = outcome.pack, !diagnostics.contains(where: { $0.severity == .error }) else {
            let n = diagnostics.filter { $0.severity == .error }.count
            console.err("error: the rule pack has \(n) error\(n == 1 ? "" : "s")\n")
            return nil
        }
        return (loaded, pack)
    }

    static func loadOptions(_ p: ParsedArguments) -> Result<LoadOptions, UsageError> {
        var o = LoadOptions()
        if let e = p.value("--encoding") {
            guard let enc = TextEncoding(rawValue: e) else {
                return .failure(
                    UsageError(message: "`--encoding` must be auto, utf-8 or shift_jis, not `\(e)`", help: nil))
            }
            o.encoding = enc
        }
        if let m = p.value("--max-input-bytes") {
            guard let n = Int(m), n > 0 else {
                return .failure(UsageError(message: "`--max-input-bytes` needs a positive whole number", help: nil))
            }
            o.limits.maxBytes = n
        }
        if let m = p.value("--max-depth") {
            guard let n = Int(m), n > 0, n <= 10_000 else {
                return .failure(UsageError(message: "`--max-depth` needs a whole number from 1 to 10000", help: nil))
            }
            o.limits.maxDepth = n
        }
        return .success(o)
    }

    /// `--format a,b,c`; several formats need `--output-dir`.
    static func formats(_ p: ParsedArguments) -> Result<[ReportFormat], UsageError> {
        let raw = (p.value("--format") ?? "text").split(separator: ",").map(Spaces.trimmed)
        var out: [ReportFormat] = []
        for r in raw {
            guard let f = ReportFormat(rawValue: r) else {
                return .failure(
                    UsageError(
                        message: "`--format`: unknown format `\(r)`; expected \(ReportFormat.words)",
                        help: closestMatch(to: r, in: ReportFormat.allCases.map(\.rawValue)).map {
                            "did you mean `\($0)`?"
                        }))
            }
            if !out.contains(f) { out.append(f) }
        }
        if out.isEmpty { return .failure(UsageError(message: "`--format` needs at least one format", help: nil)) }
        if out.count > 1, p.value("--output-dir") == nil {
            return .failure(UsageError(message: "several formats need `--output-dir DIR` (one file each)", help: nil))
        }
        if p.value("--output") != nil, p.value("--output-dir") != nil {
            return .failure(UsageError(message: "give `--output` or `--output-dir`, not both", help: nil))
        }
        return .success(out)
    }

    /// One report format rendered whole into a string (standard output, the fuzz targets).
    public static func render(_ f: ReportFormat, _ input: ReportInput, textStyle: TextReport) -> String {
        let s = StringSink()
        try? write(f, input, textStyle: textStyle, to: s)  // memory never fails
        return s.text
    }

    /// Writes one format into a file (or any sink) as it is made (`ReportFormat.write`).
    static func write(
        _ f: ReportFormat, _ input: ReportInput, textStyle: TextReport, to sink: ReportSink
    ) throws(WriteError) {
        try f.write(input, textStyle: textStyle, to: sink)
    }

    /// Writes each format to standard output, `--output` or `--output-dir`. Every file is
    /// refused up front if it is one of the run's `inputs`; all are written first and
    /// published together at the end, so a failure publishes none of them. A folder is held
    /// locked against a second run writing there at the same time.
    static func emit(
        _ formats: [ReportFormat], _ input: ReportInput, textStyle: TextReport, _ p: ParsedArguments,
        _ console: Console,
        inputs: InputSet
    ) -> Bool {
        let dir = p.value("--output-dir")
        let targets: [String]
        if let dir {
            targets = formats.map { (dir as NSString).appendingPathComponent($0.fileName) }
        } else if let output = p.value("--output") {
            targets = formats.map { _ in output }
        } else {
            for f in formats { console.out(render(f, input, textStyle: textStyle)) }
            return true
        }
        Interruption.sayOnStop(
            console, "check", dir.map { "\($0) is as it was" } ?? "\(targets[0]) is as it was")
        for t in targets {
            if let refusal = inputs.refusal(file: t) {
                console.err("error: \(refusal)\n")
                return false
            }
        }
        var lock: FileLock?
        var token: Int?
        if let dir {
            if let problem = OutputFolder.problem(dir) {
                console.err("error: \(problem)\n")
                return false
            }
            switch FileLock.acquire((dir as NSString).appendingPathComponent(".tenken.lock"), wait: 0) {
            case .success(let l):
                lock = l
                // A signal ends the run at once (the reports are unnamed until published), but
                // the lock file goes with it.
                token = Interruption.onInterrupt { l.release() }
            case .failure(let f):
                console.err(f.message(folder: dir))
                return false
            }
            OutputFile.sweepAbandonedTemporaries(in: dir)
        }
        return emitFiles(formats, input, textStyle: textStyle, targets, console, lock: lock, token: token)
    }

    static func emitFiles(
        _ formats: [ReportFormat], _ input: ReportInput, textStyle: TextReport, _ targets: [String], _ console: Console,
        lock: FileLock?, token: Int?
    ) -> Bool {
        defer {
            lock?.release()
            if let token { Interruption.remove(token) }
        }
        var files: [OutputFile] = []
        do throws(WriteError) {
            for (f, t) in zip(formats, targets) {
                let file = try OutputFile(path: t)
                files.append(file)
                try write(f, input, textStyle: textStyle, to: file)
            }
            // The commits are the point of no return: a signal meanwhile waits for them all.
            try Interruption.publishing { () throws(WriteError) in
                for file in files { try file.commit() }
            }
            for file in files {
                if file.direct {
                    console.err(
                        "note: \(file.path) is \(file.targetKind); the report was written to it directly, not "
                            + "atomically\n"
                    )
                }
                if let n = file.linkNote { console.err("note: \(SafeText.terminal(n))\n") }
            }
        } catch {
            for file in files { file.abandon() }
            console.err("error: \(error)\n")
            return false
        }
        return true
    }

    /// Every file a `check`-like run reads: the facility's, waivers, baseline and rule files.
    static func inputs(of input: FacilityInput?, _ p: ParsedArguments, _ pack: LoadedPack?) -> InputSet {
        var s = InputSet()
        if let input { s.add(input) }
        s.add(file: p.value("--waivers"))
        s.add(file: p.value("--baseline"))
        if p.value("--rules") != nil, let pack {
            for path in pack.texts.keys { s.add(file: path) }
            s.add(file: pack.provider?.path)
        }
        return s
    }

    static func asOf(_ p: ParsedArguments) -> Result<Day, UsageError> {
        guard let s = p.value("--as-of") else {
            // The one place the clock is read: the default as-of date is today (UTC+9, as the
            // facilities keep Japanese dates). Every computation below takes it as an input.
            let now = Date().timeIntervalSince1970 + 9 * 3600
            return .success(Day(rawValue: Int((now / 86400).rounded(.down))))
        }
        guard let d = Day(iso: s) else {
            return .failure(UsageError(message: "`--as-of` needs a calendar date YYYY-MM-DD, not `\(s)`", help: nil))
        }
        return .success(d)
    }

    /// Writes the whole file or nothing (see `OutputFile`).
    public static func writeAtomically(_ text: String, to path: String) throws(WriteError) {
        try OutputFile.write(Array(text.utf8), to: path)
    }
}

extension InputSet {
    /// Every file and folder a facility's input names.
    mutating func add(_ input: FacilityInput) {
        add(file: input.snapshot)
        add(file: input.devices)
        add(file: input.attestations)
        add(file: input.provider)
        add(facilityFolder: input.folder, names: FacilityFiles(schema: input.schema))
        if let t = input.tables {
            // A workbook is one file; a folder of tables, a folder.
            if t.isWorkbook { add(file: t.dir) } else { add(folder: t.dir) }
            for f in t.files.values { add(file: f) }
        }
    }
}
