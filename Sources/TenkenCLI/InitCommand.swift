import Foundation
import TenkenAudit
import TenkenData
import TenkenReport
import TenkenSyntax

/// Writes a blank facility folder: one spreadsheet table per section with Japanese headers
/// and one example row each, and a short guide. `--json` writes a snapshot and a device
/// inventory instead; a name ending in `.xlsx` writes one workbook to fill in (a 説明 guide
/// sheet first, a sheet per table with drop-downs and input messages). Never overwrites.
enum InitCommand {
    static let spec = CommandSpec(
        name: "init",
        summary:
            "Write blank spreadsheet tables, an Excel workbook (.xlsx) or a JSON snapshot for a facility to fill in.",
        usage: "tenken init DIR|FILE.xlsx [--kind " + builtInKinds.map(\.value).joined(separator: "|")
            + "] [--json] [--rules DIR]",
        options: [
            // The kinds, in usage and help alike, are the built-in schema's.
            OptionSpec(
                "--kind", value: "KIND", choices: builtInKinds.map(\.value),
                help: "kind of facility: "
                    + builtInKinds.enumerated().map { i, k in "\(k.value) (\(k.label)\(i == 0 ? ", default" : ""))" }
                    .joined(separator: ", ")),
            OptionSpec("--json", help: "write snapshot.json and devices.csv instead of tables"),
            OptionSpec(
                "--rules", value: "DIR", help: "the example facility and schema of the rule pack in DIR (example.json)"),
        ],
        minPositionals: 1, maxPositionals: 1)

    /// The built-in pack's subject kinds with their Japanese labels; the first is the default.
    static var builtInKinds: [(value: String, label: String)] {
        let schema = PackLoader.builtInSchema
        guard let subject = schema.mechanisms.subject, let field = subject.kind else { return [] }
        let f = schema.sections[subject.section].record.fields[field]
        return subject.kinds.map { ($0, f.label($0)) }
    }

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        guard let pack = CLI.loadedPack(p, console) else { return ExitCode.inputError }
        // The kinds are the choices of the subject's kind field (`subject … kind F`); a pack that
        // declares none has no `--kind`.
        var kind: String?
        if let kinds = pack.schema.mechanisms.subject?.kinds, !kinds.isEmpty {
            switch ArgumentParser.choice(p, "--kind", kinds, default: kinds[0]) {
            case .success(let k): kind = k
            case .failure(let e): CLI.usage(e, console); return ExitCode.usage
            }
        } else if p.value("--kind") != nil {
            CLI.usage(
                UsageError(
                    message:
                        "`--kind`: the rule pack \(pack.root) declares no kind of its subject (`subject … kind F` in "
                        + "its schema)", help: "leave out --kind"), console)
            return ExitCode.usage
        }
        let dir = p.positionals[0]
        let json = p.flag("--json")
        Interruption.sayOnStop(console, "init", "\(dir) is as it was")
        if FilePath.fileExtension(dir) == "xlsx", json {
            CLI.usage(
                UsageError(
                    message: "`--json` writes a folder; `\(dir)` names a workbook",
                    help: "tenken init my-clinic --json, or tenken init \(dir)"), console)
            return ExitCode.usage
        }
        let facility: Facility, files: [(String, String)]
        switch FacilityTemplate.files(kind: kind, json: json, pack: pack) {
        case .success(let t): (facility, files) = t
        case .failure(let r): return CLI.refused(r, console)
        }
        if FilePath.fileExtension(dir) == "xlsx" {
            let tables: [SnapshotWriter.TableFile]
            switch FacilityTemplate.writeWorkbook(facility, to: dir) {
            case .success(let t): tables = t
            case .failure(let r): return CLI.refused(r, console)
            }
            console.out(
                "wrote \(dir): 説明 + \(tables.count) sheets (" + tables.map(\.spec.nameJa).joined(separator: ", ")
                    + ")\n"
                    + "次に / next: 説明シートを読み、各シートの例の行を書き換えてから / read the 説明 sheet, replace the example rows, then run\n"
                    + "  tenken check \(p.value("--rules").map { "--rules \($0) " } ?? "")\(dir)\n")
            return Interruption.afterPublishing(console, "the workbook") ?? ExitCode.ok
        }
        if FacilityInput.isWorkbook(dir) {
            CLI.usage(
                UsageError(
                    message: "`\(dir)`: tenken writes workbooks as .xlsx",
                    help: "tenken init \(((dir as NSString).deletingPathExtension)).xlsx"), console)
            return ExitCode.usage
        }
        if case .failure(let r) = FacilityTemplate.writeFolder(
            files, into: dir, names: FacilityFiles(schema: pack.schema), tables: !json,
            note: { console.err("note: \($0)\n") })
        {
            return CLI.refused(r, console)
        }
        console.out(
            "wrote \(files.count) files to \(dir): " + files.map(\.0).joined(separator: ", ") + "\n"
                + "次に / next: README.txt を読み、例の行を実際の内容に書き換えてから / read README.txt, replace the example rows, then run\n"
                + "  tenken check \(p.value("--rules").map { "--rules \($0) " } ?? "")\(dir)\n")
        return Interruption.afterPublishing(console, "the new files") ?? ExitCode.ok
    }
}
