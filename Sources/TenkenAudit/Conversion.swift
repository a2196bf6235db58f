import Foundation
import TenkenData
import TenkenReport
import TenkenSyntax

/// Why a conversion or a write did not happen, as a person is told it: the located
/// diagnostics first, then one line (`error: <message>`, or `error[<id>]: …`) and a hint
/// (`help: …`). Nothing was written when it is returned.
public struct WriteRefusal: Error {
    public var diagnostics: [Diagnostic]
    public var id: String?
    public var message: String?
    public var help: String?

    public init(_ diagnostics: [Diagnostic] = [], id: String? = nil, message: String?, help: String? = nil) {
        self.diagnostics = diagnostics
        self.id = id
        self.message = message
        self.help = help
    }
}

/// A facility converted between its three forms — a JSON snapshot, a folder of spreadsheet
/// tables, one Excel workbook — keeping every value, and the files written whole or not at
/// all (`tenken convert`). Nothing here prints: notes go to the `note` closure as they arise,
/// refusals come back as `WriteRefusal`.
public enum FacilityConversion {
    /// Refuses a facility that neither form can write without changing its meaning: an unknown
    /// value where a blank cell or a missing key would mean "none" (or "still employed").
    public static func sayable(_ facility: Facility) -> Result<Void, WriteRefusal> {
        let unsayable = SnapshotWriter.unknownWithMeaning(facility)
        guard unsayable.isEmpty else {
            return .failure(
                WriteRefusal(
                    unsayable,
                    message: "neither form can say what the input leaves unknown here; nothing was written"))
        }
        return .success(())
    }

    /// The workbook's bytes and its sheets (one per table, in the order written), for a file
    /// named `file`, with its guide sheet in the chosen language.
    public static func workbook(
        _ facility: Facility, japanese: Bool, file: String, note: (String) -> Void
    ) -> Result<(bytes: [UInt8], tables: [SnapshotWriter.TableFile]), WriteRefusal> {
        let (bytes, tables, notes, refusals) = WorkbookTables.workbook(
            facility, japanese: japanese, file: file,
            guide: WorkbookTables.guide(japanese: japanese, schema: facility.schema))
        guard refusals.isEmpty else {
            return .failure(
                WriteRefusal(
                    refusals, message: "the workbook cannot say what the snapshot leaves unknown; nothing was written"))
        }
        for n in notes { note(n) }
        switch bytes {
        case .failure(let d): return .failure(WriteRefusal([d], message: "nothing was written"))
        case .success(let b): return .success((b, tables))
        }
    }

    /// The folder's tables as files (name, bytes, the table), in UTF-8 with a BOM or in
    /// Shift_JIS; a cell Shift_JIS cannot encode is refused naming its file (in `folder`) and line.
    public static func tables(
        _ facility: Facility, japanese: Bool, shiftJIS: Bool, folder: String, note: (String) -> Void
    ) -> Result<[(name: String, bytes: [UInt8], table: SnapshotWriter.TableFile)], WriteRefusal> {
        let (files, notes, refusals) = SnapshotWriter.tables(facility, japanese: japanese)
        guard refusals.isEmpty else {
            return .failure(
                WriteRefusal(
                    refusals, message: "the tables cannot say what the snapshot leaves unknown; nothing was written"))
        }
        for n in notes { note(n) }
        var out: [(name: String, bytes: [UInt8], table: SnapshotWriter.TableFile)] = []
        for f in files {
            guard shiftJIS else {
                out.append((f.spec.fileName, Array(f.text.utf8), f))
                continue
            }
            // Shift_JIS has no BOM, and cannot hold every character: say which cell.
            let body = String(f.text.dropFirst())
            guard let data = body.data(using: .shiftJIS) else {
                let line =
                    body.components(separatedBy: "\r\n").firstIndex { $0.data(using: .shiftJIS) == nil }.map {
                        $0 + 1
                    } ?? 0
                let path = (folder as NSString).appendingPathComponent(f.spec.fileName)
                return .failure(
                    WriteRefusal(
                        [
                            Diagnostic(
                                "data.not-shift-jis", .error, "a cell holds a character Shift_JIS cannot encode",
                                at: SourceLocation(file: path, line: line), help: "write the tables as utf-8")
                        ], message: nil))
            }
            out.append((f.spec.fileName, [UInt8](data), f))
        }
        return .success(out)
    }

    /// Writes one output file whole or not at all: never over an input, never over an
    /// existing file without `force`.
    public static func writeFile(
        _ bytes: [UInt8], to output: String, force: Bool, inputs: InputSet, note: (String) -> Void
    ) -> Result<Void, WriteRefusal> {
        if let refusal = inputs.refusal(file: output) { return .failure(WriteRefusal(message: "\(refusal)")) }
        if !force, FileManager.default.fileExists(atPath: output) {
            return .failure(
                WriteRefusal(message: "\(output) already exists; nothing was written", help: "pass --force to replace"))
        }
        do throws(WriteError) {
            let f = try OutputFile(path: output)
            try f.write(bytes: bytes)
            // The commit is the point of no return: a signal meanwhile waits for it.
            try Interruption.publishing { () throws(WriteError) in try f.commit() }
            if f.direct { note("\(output) is \(f.targetKind); written to it directly, not atomically") }
            if let n = f.linkNote { note(SafeText.terminal(n)) }
        } catch {
            return .failure(WriteRefusal(message: "\(error); nothing was written"))
        }
        return .success(())
    }

    /// Publishes a whole set of tables into `dir`, or nothing: every table of the folder's old
    /// set is replaced (only with `force`), every other file in it is left untouched, and a
    /// failure or a kill before the point of no return leaves the folder as it was; one after
    /// it is finished by the next run (see `StagedFolder`).
    /// `names`: the file names of a facility folder of the pack (`FacilityFiles(schema:)`).
    public static func writeTables(
        _ files: [(name: String, bytes: [UInt8])], into dir: String, names: FacilityFiles, force: Bool,
        inputs: InputSet, note: (String) -> Void
    ) -> Result<Void, WriteRefusal> {
        // Tables over the tables they were read from: refused, as every output over its input.
        if let folder = inputs.inputFolder(dir) {
            return .failure(
                WriteRefusal(
                    message: "cannot write \(dir): it is the input folder \(folder); write the tables to another folder"
                ))
        }
        // What stopped runs left is finished or cleared first, so the folder is looked at as it is.
        for n in StagedFolder.recover(dir, files: names) { note(n) }
        let existing = ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted()
        if let book = existing.first(where: { FacilityInput.isWorkbook($0) && !$0.hasPrefix("~$") }) {
            return .failure(
                WriteRefusal(
                    message: "\(dir) holds the workbook \(book); tables written beside it would be two accounts of "
                        + "one facility; nothing was written",
                    help: "write the tables to a new folder"))
        }
        if existing.contains("snapshot.json") {
            return .failure(
                WriteRefusal(
                    message: "\(dir) holds snapshot.json; tables written beside it would not be read; nothing was "
                        + "written",
                    help: "write the tables to a new folder"))
        }
        let clashing = existing.filter(names.isTable)
        for n in clashing {
            if let refusal = inputs.refusal(file: (dir as NSString).appendingPathComponent(n)) {
                return .failure(WriteRefusal(message: "\(refusal)"))
            }
        }
        if !force, !clashing.isEmpty {
            let list = clashing.map { (dir as NSString).appendingPathComponent($0) }
            return .failure(
                WriteRefusal(
                    message: "\(list.joined(separator: ", ")) already exist\(list.count == 1 ? "s" : ""); nothing was "
                        + "written",
                    help: "pass --force to replace"))
        }
        do throws(WriteError) {
            try StagedFolder.publish(files, into: dir, names: names, replaces: names.isTable)
        } catch {
            return .failure(WriteRefusal(message: "\(error); nothing was written, \(dir) is as it was"))
        }
        return .success(())
    }
}

extension StagedFolder {
    /// Writes `files` into a staged copy of `dir` and publishes them as one (see the type);
    /// `replaces` names the old files the set takes the place of. On failure nothing is
    /// published and the staging is removed.
    /// `names`: the file names the set may hold (`FacilityFiles`).
    public static func publish(
        _ files: [(name: String, bytes: [UInt8])], into dir: String, names: FacilityFiles, replaces: (String) -> Bool
    ) throws(WriteError) {
        let staged = try StagedFolder(final: dir, files: names)
        do throws(WriteError) {
            for (name, bytes) in files { try staged.write(name, bytes) }
            try staged.commit(replaces: replaces)
        } catch {
            staged.abandon()
            throw error
        }
    }
}
