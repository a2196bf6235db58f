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
        ] + CLI.inputOptions,
        minPositionals: 1, maxPositionals: 2)

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        let to: String, lang: String, encoding: String, options: LoadOptions
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
            if to == "csv" && p.positionals.count < 2 {
                throw UsageError(
                    message: "`--to csv` needs an output folder", help: "tenken convert INPUT --to csv OUTDIR")
            }
            if to == "xlsx" && p.positionals.count < 2 {
                throw UsageError(
                    message: "`--to xlsx` needs an output file", help: "tenken convert INPUT --to xlsx clinic.xlsx")
            }
            if to == "xlsx", let out = p.positionals.last, (out as NSString).pathExtension.lowercased() != "xlsx" {
                throw UsageError(
                    message: "`--to xlsx` writes an .xlsx workbook; name the output file with .xlsx (found `\(out)`)",
                    help: nil)
            }
        } catch let e as UsageError {
            CLI.usage(e, console)
            return ExitCode.usage
        } catch { return ExitCode.usage }
        let input: FacilityInput
        switch FacilityInput.at(p.positionals[0]) {
        case .success(let i): input = i
        case .failure(let d): console.err(DiagnosticPrinter().render(d)); return ExitCode.inputError
        }
        guard let facility = CLI.loadFacility(input, options: options, pack: nil, console) else {
            return ExitCode.inputError
        }
        let output = p.positionals.count > 1 ? p.positionals[1] : nil
        var inputs = InputSet()
        inputs.add(input)
        inputs.add(file: p.positionals[0])
        // Unknown is never written as a blank that means "none" (or "still employed"): refused.
        let unsayable = SnapshotWriter.unknownWithMeaning(facility)
        guard unsayable.isEmpty else {
            for d in unsayable { console.err(DiagnosticPrinter().render(d)) }
            console.err("error: neither form can say what the input leaves unknown here; nothing was written\n")
            return ExitCode.inputError
        }
        if to == "xlsx", let output {
            let (bytes, tables, notes, refusals) = WorkbookTables.workbook(
                facility, japanese: lang == "ja", file: output,
                guide: WorkbookTables.guide(japanese: lang == "ja"))
            guard refusals.isEmpty else {
                for d in refusals { console.err(DiagnosticPrinter().render(d)) }
                console.err("error: the workbook cannot say what the snapshot leaves unknown; nothing was written\n")
                return ExitCode.inputError
            }
            for n in notes { console.err("note: \(n)\n") }
            switch bytes {
            case .failure(let d):
                console.err(DiagnosticPrinter().render(d) + "error: nothing was written\n")
                return ExitCode.inputError
            case .success(let b):
                guard writeFile(b, to: output, force: p.flag("--force"), inputs: inputs, console) else {
                    return ExitCode.inputError
                }
            }
            console.err(
                "wrote \(tables.count) sheets to \(output): "
                    + tables.map { "\(lang == "ja" ? $0.spec.nameJa : $0.spec.name) (\($0.rows))" }.joined(
                        separator: ", ") + "\n")
            return ExitCode.ok
        }
        if to == "json" {
            let text = SnapshotWriter.json(facility)
            guard let output else { console.out(text); return ExitCode.ok }
            guard writeFile(Array(text.utf8), to: output, force: p.flag("--force"), inputs: inputs, console) else {
                return ExitCode.inputError
            }
            return ExitCode.ok
        }
        guard let output else { return ExitCode.usage }  // checked above: `--to csv` has an output folder
        let (files, notes, refusals) = SnapshotWriter.tables(facility, japanese: lang == "ja")
        guard refusals.isEmpty else {
            for d in refusals { console.err(DiagnosticPrinter().render(d)) }
            console.err("error: the tables cannot say what the snapshot leaves unknown; nothing was written\n")
            return ExitCode.inputError
        }
        for n in notes { console.err("note: \(n)\n") }
        var out: [(String, [UInt8])] = []
        for f in files {
            if encoding == "shift_jis" {
                // Shift_JIS has no BOM, and cannot hold every character: say which cell.
                let body = String(f.text.dropFirst())
                guard let data = body.data(using: .shiftJIS) else {
                    let line =
                        body.components(separatedBy: "\r\n").firstIndex { $0.data(using: .shiftJIS) == nil }.map {
                            $0 + 1
                        } ?? 0
                    let path = (output as NSString).appendingPathComponent(f.spec.fileName)
                    console.err(
                        DiagnosticPrinter().render(
                            Diagnostic(
                                "data.not-shift-jis", .error, "a cell holds a character Shift_JIS cannot encode",
                                at: SourceLocation(file: path, line: line), help: "write the tables as utf-8")))
                    return ExitCode.inputError
                }
                out.append((f.spec.fileName, [UInt8](data)))
            } else {
                out.append((f.spec.fileName, Array(f.text.utf8)))
            }
        }
        guard writeTables(out, into: output, force: p.flag("--force"), inputs: inputs, console) else {
            return ExitCode.inputError
        }
        console.err(
            "wrote \(files.count) tables to \(output): "
                + files.map { "\($0.spec.fileName) (\($0.rows))" }.joined(separator: ", ") + "\n")
        return Interruption.afterPublishing(console, "the set of tables") ?? ExitCode.ok
    }

    /// Writes one output file whole or not at all: never over an input, never over an
    /// existing file without `force`.
    static func writeFile(
        _ bytes: [UInt8], to output: String, force: Bool, inputs: InputSet, _ console: Console
    ) -> Bool {
        if let refusal = inputs.refusal(file: output) { console.err("error: \(refusal)\n"); return false }
        if !force, FileManager.default.fileExists(atPath: output) {
            console.err("error: \(output) already exists; nothing was written\n  help: pass --force to replace\n")
            return false
        }
        do throws(WriteError) {
            let f = try OutputFile(path: output)
            try f.write(bytes: bytes)
            try f.commit()
            if f.direct { console.err("note: \(output) is \(f.targetKind); written to it directly, not atomically\n") }
            if let n = f.linkNote { console.err("note: \(SafeText.terminal(n))\n") }
        } catch {
            console.err("error: \(error); nothing was written\n")
            return false
        }
        return true
    }

    /// Whether a file name is one of the facility tables in any of the spellings the folder
    /// scan, or a case- or normalisation-folding file system, would take for it.
    static func isTableName(_ name: String) -> Bool { FacilityFiles.isTable(name) }

    /// Publishes a whole set of tables into `dir`, or nothing: every table of the folder's old
    /// set is replaced (only with `force`), every other file in it is left untouched, and a
    /// failure or a kill before the point of no return leaves the folder as it was; one after
    /// it is finished by the next run (see `StagedFolder`).
    static func writeTables(
        _ files: [(String, [UInt8])], into dir: String, force: Bool, inputs: InputSet, _ console: Console
    ) -> Bool {
        // Tables over the tables they were read from: refused, as every output over its input.
        if let folder = inputs.inputFolder(dir) {
            console.err(
                "error: cannot write \(dir): it is the input folder \(folder); write the tables to another folder\n")
            return false
        }
        // What stopped runs left is finished or cleared first, so the folder is looked at as it is.
        for n in StagedFolder.recover(dir) { console.err("note: \(n)\n") }
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        if let book = existing.first(where: { FacilityInput.isWorkbook($0) && !$0.hasPrefix("~$") }) {
            console.err(
                "error: \(dir) holds the workbook \(book); tables written beside it would be two accounts of one "
                    + "facility; nothing was written\n"
                    + "  help: write the tables to a new folder\n")
            return false
        }
        if existing.contains("snapshot.json") {
            console.err(
                "error: \(dir) holds snapshot.json; tables written beside it would not be read; nothing was written\n"
                    + "  help: write the tables to a new folder\n")
            return false
        }
        let clashing = existing.filter(isTableName)
        for n in clashing {
            if let refusal = inputs.refusal(file: (dir as NSString).appendingPathComponent(n)) {
                console.err("error: \(refusal)\n"); return false
            }
        }
        if !force, !clashing.isEmpty {
            let list = clashing.map { (dir as NSString).appendingPathComponent($0) }
            console.err(
                "error: \(list.joined(separator: ", ")) already exist\(list.count == 1 ? "s" : ""); nothing was "
                    + "written\n  help: pass --force to replace\n"
            )
            return false
        }
        do throws(WriteError) {
            let staged = try StagedFolder(final: dir)
            do throws(WriteError) {
                for (name, bytes) in files { try staged.write(name, bytes) }
                try staged.commit(replaces: isTableName)
            } catch {
                staged.abandon()
                throw error
            }
        } catch {
            console.err("error: \(error); nothing was written, \(dir) is as it was\n")
            return false
        }
        return true
    }
}

extension CLI {
    /// Loads a facility, printing its diagnostics. Nil on errors.
    static func loadFacility(
        _ input: FacilityInput, options: LoadOptions, pack: LoadedPack?, _ console: Console
    ) -> Facility? {
        let (facility, diags) = input.load(options: options, pack: pack)
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
