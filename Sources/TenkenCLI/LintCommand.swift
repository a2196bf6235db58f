import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenSyntax

enum LintCommand {
    static let spec = CommandSpec(
        name: "lint",
        summary:
            "Statically check a rule pack: syntax, names, types against the snapshot schema, parameters, catalog ids.",
        usage: "tenken lint [--rules DIR] [--unknowns]",
        options: [
            CLI.rulesOption,
            OptionSpec(
                "--unknowns",
                help:
                    "list, per rule, the fields whose blank means unknown (the rule is then undecided) and where it "
                    + "tests a field's presence"
            ),
        ])

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        guard let (_, pack) = CLI.checkedPack(p, console) else { return ExitCode.inputError }
        let ids = Set(pack.rules.flatMap(\.implements))
        if p.flag("--unknowns") { console.out(unknowns(pack)) }
        console.out(
            "\(pack.info.id) \(pack.info.version): \(pack.rules.count) rules, \(pack.params.count) parameters, "
                + "\(ids.count)/\(pack.catalog.count) catalog items implemented"
                + (pack.info.outOfScope.isEmpty ? "" : ", \(pack.info.outOfScope.count) out of scope")
                + " — no errors\n")
        return ExitCode.ok
    }

    /// Per rule: the fields it reads that a blank leaves unknown (so the rule can end
    /// `unknown`), and its presence tests, which decide on a blank without the schema's word:
    /// where the field's blank means unknown, such a test is the rule's own reading of it.
    static func unknowns(_ pack: CheckedPack) -> String {
        var out = ""
        for rule in pack.rules {
            let unknown = rule.reads.filter { pack.schema.field($0)?.absent.value.isUnknown ?? false }
                .map { "\($0.record).\($0.field)" }.sorted()
            out += "\(rule.id) [\(rule.implements.joined(separator: ", "))]\n"
            out += "  may be unknown: " + (unknown.isEmpty ? "(none)" : unknown.joined(separator: ", ")) + "\n"
            for t in rule.presenceTests {
                let meaning = pack.schema.field(t.read)?.absent.meaning
                out +=
                    "  tests presence of \(t.read.record).\(t.read.field) at \(t.location): "
                    + (meaning.map { "blank means \"\($0.en)\"" }
                        ?? "blank means unknown — the rule gives it a meaning of its own") + "\n"
            }
        }
        return out
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
            let bytes: [UInt8]
            do { bytes = try readInput(path, maxBytes: 64 << 20).get() } catch {
                console.err(DiagnosticPrinter().render(error))
                status = ExitCode.inputError
                continue
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if SchemaParser.looksLikeSchema(text) {
                // A schema file has no canonical form yet: its syntax is checked, its text kept.
                let errors = SchemaParser.parse(text, file: path).1.filter { $0.severity == .error }
                let printer = DiagnosticPrinter(sources: [path: text])
                for d in errors { console.err(printer.render(d)) }
                if !errors.isEmpty { status = ExitCode.inputError }
                if errors.isEmpty, !p.flag("--check"), !p.flag("--write") { console.out(text) }
                continue
            }
            let (tree, diags) = Parser.parse(text, file: path)
            if diags.contains(where: { $0.severity == .error }) {
                let printer = DiagnosticPrinter(sources: [path: text])
                for d in diags { console.err(printer.render(d)) }
                console.err("error: \(path) has syntax errors; it was not formatted\n")
                status = ExitCode.inputError
                continue
            }
            let formatted = Formatter.format(tree)
            // A comment the canonical form has no place for is never lost: the file is left as it is.
            let dropped = Formatter.droppedComments(source: text, formatted: formatted, file: path)
            if !dropped.isEmpty {
                let printer = DiagnosticPrinter(sources: [path: text])
                for d in dropped { console.err(printer.render(d)) }
                console.err(
                    "error: \(path) was not formatted: its canonical form would lose \(dropped.count) "
                        + "comment\(dropped.count == 1 ? "" : "s")\n"
                )
                status = ExitCode.inputError
                continue
            }
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
