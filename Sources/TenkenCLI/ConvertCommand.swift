import Foundation
import TenkenAudit
import TenkenData
import TenkenReport
import TenkenSyntax

/// Converts a facility between a JSON snapshot, a folder of spreadsheet tables and one Excel
/// workbook, all ways, keeping every value; refuses to overwrite files unless told to.
enum ConvertCommand {
    static let spec = CommandSpec(
        name: "convert",
        summary: "Convert a facility between a JSON snapshot, a folder of spreadsheet tables and an Excel workbook.",
        usage:
            "tenken convert INPUT --to json [OUTPUT.json]  |  tenken convert INPUT --to csv OUTDIR  |  tenken "
            + "convert INPUT --to xlsx OUTPUT.xlsx",
        options: [
            OptionSpec(
                "--to", value: "FORMAT", choices: ["json", "csv", "xlsx"],
                help:
                    "json (one snapshot file; standard output if no OUTPUT), csv (a folder of tables) or xlsx (one "
                    + "workbook, a sheet per table)"
            ),
            OptionSpec(
                "--lang", value: "LANG", choices: ["ja", "en"],
                help: "table headers, yes/no and choice words: ja (default) or en"),
            OptionSpec(
                "--table-encoding", value: "ENC", choices: ["utf-8", "shift_jis"],
                help: "tables written as utf-8 (with BOM, default) or shift_jis"),
            OptionSpec("--force", help: "replace files that already exist"),
            OptionSpec(
                "--as-of", value: "DATE",
                help:
                    "also refuse what check refuses as of this date YYYY-MM-DD (an event dated after it); without "
                    + "it, only the contradictions that hold whatever the date"),
            OptionSpec(
                "--rules", value: "DIR", help: "read and write the facility with the schema of the rule pack in DIR"),
        ] + CLI.inputOptions,
        minPositionals: 1, maxPositionals: 2)

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        let to: String, lang: String, encoding: String, asOf: Day?
        var options: LoadOptions
        do {
            guard p.value("--to") != nil else {
                throw UsageError(
                    message: "`--to` is required: json, csv or xlsx",
                    help: "for example: tenken convert Fixtures/clinic-sakura --to csv /tmp/sakura")
            }
            to = try ArgumentParser.choice(p, "--to", ["json", "csv", "xlsx"], default: "json").get()
            lang = try ArgumentParser.choice(p, "--lang", ["ja", "en"], default: "ja").get()
            encoding = try ArgumentParser.choice(p, "--table-encoding", ["utf-8", "shift_jis"], default: "utf-8").get()
            options = try CLI.loadOptions(p).get()
            // What convert writes is the id as read (folded), which it says place by place.
            options.noteFoldedIDs = true
            asOf = p.value("--as-of") == nil ? nil : try CLI.asOf(p).get()
            if to == "csv" && p.positionals.count < 2 {
                throw UsageError(
                    message: "`--to csv` needs an output folder", help: "tenken convert INPUT --to csv OUTDIR")
            }
            if to == "xlsx" && p.positionals.count < 2 {
                throw UsageError(
                    message: "`--to xlsx` needs an output file", help: "tenken convert INPUT --to xlsx clinic.xlsx")
            }
            if to == "xlsx", let out = p.positionals.last, FilePath.fileExtension(out) != "xlsx" {
                throw UsageError(
                    message: "`--to xlsx` writes an .xlsx workbook; name the output file with .xlsx (found `\(out)`)",
                    help: nil)
            }
        } catch let e as UsageError {
            CLI.usage(e, console)
            return ExitCode.usage
        } catch { return ExitCode.usage }
        // The pack's schema: the sections and tables a facility is converted between.
        guard let schema = CLI.loadedPack(p, console)?.schema else { return ExitCode.inputError }
        let input: FacilityInput
        switch FacilityInput.at(p.positionals[0], schema: schema) {
        case .success(let i): input = i
        case .failure(let d): console.err(DiagnosticPrinter().render(d)); return ExitCode.inputError
        }
        // Refused as `check` refuses it: load errors and the contradictions (a reference to no
        // element, an end before its start…), the date-bound ones only with --as-of.
        guard
            let facility = CLI.loadFacility(
                input, options: options, pack: nil, asOf: asOf, contradictions: true, console)
        else {
            return ExitCode.inputError
        }
        let output = p.positionals.count > 1 ? p.positionals[1] : nil
        if let output { Interruption.sayOnStop(console, "convert", "\(output) is as it was") }
        var inputs = InputSet()
        inputs.add(input)
        inputs.add(file: p.positionals[0])
        // Unknown is never written as a blank that means "none" (or "still employed"): refused.
        let note: (String) -> Void = { console.err("note: \($0)\n") }
        let force = p.flag("--force")
        if case .failure(let r) = FacilityConversion.sayable(facility) { return CLI.refused(r, console) }
        if to == "xlsx", let output {
            let tables: [SnapshotWriter.TableFile]
            switch FacilityConversion.workbook(facility, japanese: lang == "ja", file: output, note: note)
                .flatMap({ w in
                    FacilityConversion.writeFile(w.bytes, to: output, force: force, inputs: inputs, note: note).map {
                        w.tables
                    }
                })
            {
            case .success(let t): tables = t
            case .failure(let r): return CLI.refused(r, console)
            }
            console.err(
                "wrote \(tables.count) sheets to \(output): "
                    + tables.map { "\(lang == "ja" ? $0.spec.nameJa : $0.spec.name) (\($0.rows))" }.joined(
                        separator: ", ") + "\n")
            return Interruption.afterPublishing(console, "the workbook") ?? ExitCode.ok
        }
        if to == "json" {
            let text = SnapshotWriter.json(facility)
            guard let output else { console.out(text); return ExitCode.ok }
            if case .failure(let r) = FacilityConversion.writeFile(
                Array(text.utf8), to: output, force: force, inputs: inputs, note: note)
            {
                return CLI.refused(r, console)
            }
            return Interruption.afterPublishing(console, "the snapshot") ?? ExitCode.ok
        }
        guard let output else { return ExitCode.usage }  // checked above: `--to csv` has an output folder
        let files: [(name: String, bytes: [UInt8], table: SnapshotWriter.TableFile)]
        switch FacilityConversion.tables(
            facility, japanese: lang == "ja", shiftJIS: encoding == "shift_jis", folder: output, note: note)
        {
        case .success(let f): files = f
        case .failure(let r): return CLI.refused(r, console)
        }
        if case .failure(let r) = FacilityConversion.writeTables(
            files.map { ($0.name, $0.bytes) }, into: output, names: FacilityFiles(schema: facility.schema),
            force: force,
            inputs: inputs, note: note)
        {
            return CLI.refused(r, console)
        }
        console.err(
            "wrote \(files.count) tables to \(output): "
                + files.map { "\($0.table.spec.fileName) (\($0.table.rows))" }.joined(separator: ", ") + "\n")
        return Interruption.afterPublishing(console, "the set of tables") ?? ExitCode.ok
    }
}

extension CLI {
    /// Prints why nothing was written; the input error exit code.
    static func refused(_ r: WriteRefusal, _ console: Console) -> Int32 {
        let printer = DiagnosticPrinter()
        for d in r.diagnostics { console.err(printer.render(d)) }
        if let m = r.message {
            console.err("error\(r.id.map { "[\($0)]" } ?? ""): \(m)\n" + (r.help.map { "  help: \($0)\n" } ?? ""))
        }
        return ExitCode.inputError
    }

    /// Loads a facility, printing its diagnostics. Nil on errors.
    static func loadFacility(
        _ input: FacilityInput, options: LoadOptions, pack: LoadedPack?, asOf: Day? = nil,
        contradictions: Bool = false, _ console: Console
    ) -> Facility? {
        let (facility, diags) = input.load(
            options: options, pack: pack, asOf: asOf, contradictions: contradictions)
        var bag = DiagnosticBag()
        bag.add(contentsOf: diags)
        let printer = DiagnosticPrinter()
        for d in bag.sorted { console.err(printer.render(d)) }
        guard let facility, !bag.hasErrors else {
            console.err("error: the input has errors; nothing was written\n")
            return nil
        }
        return facility
    }
}
