import TenkenData
import TenkenCheck
import TenkenSyntax

enum LintCommand {
    static let spec = CommandSpec(
        name: "lint", summary: "Statically check a rule pack: syntax, names, types against the snapshot schema, parameters, catalog ids.",
        usage: "tenken lint [--rules DIR]", options: [CLI.rulesOption])

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        guard let (_, pack) = CLI.checkedPack(p, console) else { return ExitCode.inputError }
        let ids = Set(pack.rules.flatMap(\.implements))
        console.out("\(pack.info.id) \(pack.info.version): \(pack.rules.count) rules, \(pack.params.count) parameters, "
            + "\(ids.count)/\(pack.catalog.count) catalog items implemented — no errors\n")
        return ExitCode.ok
    }
}

enum FmtCommand {
    static let spec = CommandSpec(
        name: "fmt", summary: "Print rule files in canonical form (or rewrite them in place with --write).",
        usage: "tenken fmt [--write | --check] FILE...",
        options: [
            OptionSpec("--write", help: "rewrite the files in place (atomically)"),
            OptionSpec("--check", help: "exit 1 if any file is not in canonical form"),
        ], minPositionals: 1, maxPositionals: 10_000)

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        var status = ExitCode.ok
        for path in p.positionals {
            let (bytes, err) = readInputFile(path, maxBytes: 64 << 20)
            guard let bytes else {
                console.err(DiagnosticPrinter().render(err!))
                status = ExitCode.inputError
                continue
            }
            let text = String(decoding: bytes, as: UTF8.self)
            let (tree, diags) = Parser.parse(text, file: path)
            if diags.contains(where: { $0.severity == .error }) {
                let printer = DiagnosticPrinter(sources: [path: text])
                for d in diags { console.err(printer.render(d)) }
                console.err("error: \(path) has syntax errors; it was not formatted\n")
                status = ExitCode.inputError
                continue
            }
            let formatted = Formatter.format(tree)
            if p.flag("--check") {
                if formatted != text {
                    console.err("\(path): not in canonical form\n")
                    if status == ExitCode.ok { status = ExitCode.gaps }
                }
            } else if p.flag("--write") {
                if formatted != text {
                    do { try CLI.writeAtomically(formatted, to: path) } catch {
                        console.err("error: \(error)\n")
                        status = ExitCode.inputError
                    }
                }
            } else {
                console.out(formatted)
            }
        }
        return status
    }
}
