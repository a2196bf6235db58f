import Foundation
import TenkenData
import TenkenReport
import TenkenSyntax

/// Converts a facility between a JSON snapshot and a folder of spreadsheet tables, keeping
/// every value; refuses to overwrite files unless told to.
enum ConvertCommand {
    static let spec = CommandSpec(
        name: "convert", summary: "Convert a facility between a JSON snapshot and a folder of spreadsheet tables.",
        usage: "tenken convert INPUT --to json [OUTPUT.json]  |  tenken convert INPUT --to csv OUTDIR",
        options: [
            OptionSpec("--to", value: "FORMAT", help: "json (one snapshot file; standard output if no OUTPUT) or csv (a folder of tables)"),
            OptionSpec("--lang", value: "LANG", help: "table headers, yes/no and choice words: ja (default) or en"),
            OptionSpec("--table-encoding", value: "ENC", help: "tables written as utf-8 (with BOM, default) or shift_jis"),
            OptionSpec("--force", help: "replace files that already exist"),
        ] + CLI.inputOptions,
        minPositionals: 1, maxPositionals: 2)

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        let to: String, lang: String, encoding: String, options: LoadOptions
        do {
            guard p.value("--to") != nil else { throw UsageError(message: "`--to` is required: json or csv", help: "for example: tenken convert Fixtures/clinic-sakura --to csv /tmp/sakura") }
            to = try ArgumentParser.choice(p, "--to", ["json", "csv"], default: "json").get()
            lang = try ArgumentParser.choice(p, "--lang", ["ja", "en"], default: "ja").get()
            encoding = try ArgumentParser.choice(p, "--table-encoding", ["utf-8", "shift_jis"], default: "utf-8").get()
            options = try CLI.loadOptions(p).get()
            if to == "csv" && p.positionals.count < 2 { throw UsageError(message: "`--to csv` needs an output folder", help: "tenken convert INPUT --to csv OUTDIR") }
        } catch let e as UsageError {
            CLI.usage(e, console)
            return ExitCode.usage
        } catch { return ExitCode.usage }
        let input: FacilityInput
        switch FacilityInput.at(p.positionals[0]) {
        case .success(let i): input = i
        case .failure(let d): console.err(DiagnosticPrinter().render(d)); return ExitCode.inputError
        }
        guard let facility = CLI.loadFacility(input, options: options, pack: nil, console) else { return ExitCode.inputError }
        let output = p.positionals.count > 1 ? p.positionals[1] : nil
        if to == "json" {
            let text = SnapshotWriter.json(facility)
            guard let output else { console.out(text); return ExitCode.ok }
            return write([(output, Data(text.utf8))], force: p.flag("--force"), console) ? ExitCode.ok : ExitCode.inputError
        }
        guard let output else { return ExitCode.usage }  // checked above: `--to csv` has an output folder
        let (files, notes) = SnapshotWriter.tables(facility, japanese: lang == "ja")
        for n in notes { console.err("note: \(n)\n") }
        var out: [(String, Data)] = []
        for f in files {
            let path = (output as NSString).appendingPathComponent(f.spec.fileName)
            if encoding == "shift_jis" {
                // Shift_JIS has no BOM, and cannot hold every character: say which cell.
                let body = String(f.text.dropFirst())
                guard let data = body.data(using: .shiftJIS) else {
                    let line = body.components(separatedBy: "\r\n").firstIndex { $0.data(using: .shiftJIS) == nil }.map { $0 + 1 } ?? 0
                    console.err(DiagnosticPrinter().render(Diagnostic("data.not-shift-jis", .error, "a cell holds a character Shift_JIS cannot encode",
                                                                      at: SourceLocation(file: path, line: line), help: "write the tables as utf-8")))
                    return ExitCode.inputError
                }
                out.append((path, data))
            } else {
                out.append((path, Data(f.text.utf8)))
            }
        }
        do { try FileManager.default.createDirectory(atPath: output, withIntermediateDirectories: true) } catch {
            console.err("error: cannot create \(output): \(error.localizedDescription)\n")
            return ExitCode.inputError
        }
        guard write(out, force: p.flag("--force"), console) else { return ExitCode.inputError }
        console.err("wrote \(files.count) tables to \(output): " + files.map { "\($0.spec.fileName) (\($0.rows))" }.joined(separator: ", ") + "\n")
        return ExitCode.ok
    }

    /// Writes every file or none: existing files are refused up front unless `force`.
    static func write(_ files: [(String, Data)], force: Bool, _ console: Console) -> Bool {
        if !force {
            let existing = files.map(\.0).filter { FileManager.default.fileExists(atPath: $0) }
            if !existing.isEmpty {
                console.err("error: \(existing.joined(separator: ", ")) already exist\(existing.count == 1 ? "s" : ""); nothing was written\n  help: pass --force to replace\n")
                return false
            }
        }
        for (path, data) in files {
            do { try OutputFile.write([UInt8](data), to: path) } catch {
                console.err("error: \(error)\n")
                return false
            }
        }
        return true
    }
}

extension CLI {
    /// Loads a facility, printing its diagnostics. Nil on errors.
    static func loadFacility(_ input: FacilityInput, options: LoadOptions, pack: LoadedPack?, _ console: Console) -> Facility? {
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
