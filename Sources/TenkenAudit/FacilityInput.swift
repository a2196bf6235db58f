import Foundation
import TenkenData
import TenkenSyntax

/// Where one facility's evidence comes from. A facility folder holds either `snapshot.json`
/// (with an optional device inventory `devices.csv` or `.json`, and `attestations.csv` that
/// `tenken attest` keeps), or a set of spreadsheet tables (`facility.csv`, `staff.csv`, …).
public struct FacilityInput: Sendable {
    public var snapshot: String?
    /// The snapshot is this line of the JSON Lines file `snapshot` (`tenken batch FILE.jsonl`).
    public var jsonLine: JSONLine?
    public var tables: TableFolder?
    public var devices: String?
    /// `devices` was found in the facility folder beside `snapshot.json` (not named with
    /// `--devices`): then a snapshot that has its own `devices` section is ambiguous.
    public var devicesBesideSnapshot = false
    /// Attestation rows kept beside a JSON snapshot; added to its `attestations`.
    public var attestations: String?
    public var provider: String?
    /// The facility folder this input was read from (`folder(_:)`), if any: an output must
    /// not land in it under a name the next run would read.
    public var folder: String?
    /// Problems found while looking at the folder, reported with the load.
    public var folderDiagnostics: [Diagnostic] = []
    /// The schema the evidence is read with: the pack's (`LoadedPack.schema`).
    public var schema: PackSchema

    public init(snapshot: String, devices: String? = nil, provider: String? = nil, schema: PackSchema) {
        self.schema = schema
        self.snapshot = snapshot
        self.devices = devices
        self.provider = provider
    }

    public init(tables: TableFolder, schema: PackSchema) {
        self.tables = tables
        self.schema = schema
    }

    /// Whether `path` names a workbook (`FacilityFiles.isWorkbook`).
    public static func isWorkbook(_ path: String) -> Bool { FacilityFiles.isWorkbook(path) }

    /// A facility kept in one file: a workbook (by its extension), else a JSON snapshot.
    public static func file(_ path: String, schema: PackSchema) -> FacilityInput {
        guard isWorkbook(path) else { return FacilityInput(snapshot: path, schema: schema) }
        var input = FacilityInput(tables: .workbook(path), schema: schema)
        input.folderDiagnostics += WorkbookLockFile.notes(for: path)
        return input
    }

    /// The facility is one workbook.
    public var workbook: String? { tables.flatMap { $0.isWorkbook ? $0.dir : nil } }

    /// The file to name when the facility as a whole is meant.
    public var primaryFile: String {
        snapshot ?? tables.map { t in schema.profileTable.flatMap { t.files[$0.name] } ?? t.dir } ?? ""
    }

    /// Reads a facility folder: a snapshot with its companions, or a folder of tables.
    public static func folder(_ dir: String, schema: PackSchema) -> Result<FacilityInput, Diagnostic> {
        // A set of tables stopped half-way through being moved in is not read as a mixture.
        if let staging = StagedFolder.unfinishedPublication(in: dir) {
            return .failure(
                Diagnostic(
                    "data.unfinished-write", .error,
                    "a `tenken convert` or `tenken init` was stopped while moving a new set of tables into this "
                        + "folder; it holds part of the old set and part of the new, so it is not read",
                    at: SourceLocation(file: dir),
                    help:
                        "the next `tenken convert … --to csv` or `tenken init` into the folder finishes moving the "
                        + "new set in from \(staging) first (`tenken init \(dir)` does only that here, then stops "
                        + "as the tables exist)"
                ))
        }
        let (found, diags) = TableFolder.scan(dir, schema: schema)
        let snap = (dir as NSString).appendingPathComponent("snapshot.json")
        var input: FacilityInput
        var input0Diagnostics: [Diagnostic] = []
        // A device inventory beside the snapshot: the CSV table or a JSON list. Two of them are
        // two accounts of the same devices, and nothing says which is current.
        let listing = Set((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? [])
        let replacing = schema.replacingCompanion
        let jsonInventories = (replacing?.jsonFiles ?? []).filter { listing.contains($0) }.map {
            (dir as NSString).appendingPathComponent($0)
        }
        let inventories =
            (replacing.flatMap { schema.collectionTable($0.section) }.flatMap { found.files[$0.name] }.map { [$0] }
                ?? []) + jsonInventories
        if inventories.count > 1 {
            input0Diagnostics.append(
                Diagnostic(
                    "data.ambiguous-input", .error,
                    "the folder has two device inventories, "
                        + "\(inventories.map { ($0 as NSString).lastPathComponent }.joined(separator: " and ")); "
                        + "nothing says which one is current",
                    at: SourceLocation(file: inventories[1]), help: "keep one inventory in the folder"))
        }
        // Workbooks in the folder (not the owner files of open ones).
        let books = listing.filter { FacilityInput.isWorkbook($0) && !$0.hasPrefix("~$") && !$0.hasPrefix(".~lock.") }
            .sorted()
        let profileFile = schema.profileTable.flatMap { found.files[$0.name] }
        if !books.isEmpty, FileManager.default.fileExists(atPath: snap) || profileFile != nil {
            // A workbook beside a snapshot or tables: two accounts of one facility.
            input0Diagnostics.append(
                Diagnostic(
                    "data.ambiguous-input", .error,
                    "the folder has both "
                        + "\(FileManager.default.fileExists(atPath: snap) ? "snapshot.json" : "tables") and the "
                        + "workbook \(books[0]); "
                        + "they are two accounts of one facility and nothing says which is current",
                    at: SourceLocation(file: (dir as NSString).appendingPathComponent(books[0])),
                    help: "keep one form in the folder (`tenken convert` turns one into the other)"))
        }
        if FileManager.default.fileExists(atPath: snap) {
            input = FacilityInput(snapshot: snap, schema: schema)
            input.devices = inventories.first
            input.devicesBesideSnapshot = input.devices != nil
            input.attestations = schema.appendingCompanion.flatMap { schema.collectionTable($0.section) }.flatMap {
                found.files[$0.name]
            }
            if found.hasSnapshotTables {
                // Two forms of one facility: the snapshot would be read and the tables, which may
                // be newer, silently left out. Refused, as every ambiguous input is.
                let names = found.files.keys.filter { !found.companionTables.contains($0) }.sorted().map {
                    ((found.files[$0] ?? $0) as NSString).lastPathComponent
                }
                input.folderDiagnostics.append(
                    Diagnostic(
                        "data.ambiguous-input", .error,
                        "the folder has both snapshot.json and the tables \(names.joined(separator: ", ")); they are "
                            + "two accounts of one facility and nothing says which is current",
                        at: SourceLocation(file: dir),
                        help:
                            "keep one form: remove snapshot.json to use the tables, or the tables to use the "
                            + "snapshot (`tenken convert` turns one into the other)"
                    ))
            }
        } else if profileFile != nil {
            input = FacilityInput(tables: found, schema: schema)
        } else if found.files.isEmpty, !books.isEmpty {
            // A facility folder that holds its workbook: read as the workbook itself.
            guard books.count == 1 else {
                return .failure(
                    Diagnostic(
                        "data.ambiguous-input", .error,
                        "the folder has \(books.count) workbooks (\(books.joined(separator: ", "))) and no tables; "
                            + "nothing says which one is the facility",
                        at: SourceLocation(file: dir),
                        help:
                            "keep one workbook in the folder, or give the workbook itself: tenken check "
                            + "\((dir as NSString).appendingPathComponent(books[0]))"
                    ))
            }
            input = FacilityInput.file((dir as NSString).appendingPathComponent(books[0]), schema: schema)
        } else if !found.files.isEmpty {
            // Without its profile a folder of tables is not a facility (a stray devices.csv).
            return .failure(
                Diagnostic(
                    "data.missing-table", .error,
                    "facility folder has tables "
                        + "(\(found.files.keys.sorted().map { $0 + ".csv" }.joined(separator: ", "))) but no "
                        + "\(schema.profileTable?.fileName ?? "profile table") and no snapshot.json",
                    at: SourceLocation(file: dir),
                    help:
                        "add \(schema.profileTable?.fileName ?? "") (\(schema.profileTable?.nameJa ?? "").csv), the "
                        + "\(schema.profileTable?.name ?? "") profile; `tenken init` writes one"))
        } else {
            return .failure(
                Diagnostic(
                    "data.file-not-found", .error,
                    "facility folder has neither snapshot.json nor tables ("
                        + (schema.exampleTables.map(\.fileName) + ["…"]).joined(separator: ", ") + ")",
                    at: SourceLocation(file: dir),
                    help: "write blank tables with `tenken init \(dir)`, or pass --snapshot FILE"))
        }
        input.folderDiagnostics += input0Diagnostics + diags
        input.folder = dir
        return .success(input)
    }

    /// Loads everything into one facility. The provider profile comes from `--provider`, else
    /// the snapshot's own `provider` section, else the pack's published profile (none when
    /// `pack` is nil: `convert` keeps exactly what the input says).
    /// With `asOf`, or `contradictions` (`convert`: the checks that hold whatever the date),
    /// the facility is also checked for contradictions (`Consistency`).
    ///
    /// With `wholeStatements` (`check`, `batch`, `explain`: the runs that judge statements), a
    /// column missing from the attestations table is an error: a statement is whole or it
    /// vouches for nothing, and a reason column lost in Excel must not read as "no reason
    /// needed". `attest` appends to such a table and refuses it in its own words.
    public func load(
        options: LoadOptions, pack: LoadedPack?, asOf: Day? = nil, contradictions: Bool = false,
        wholeStatements: Bool = false
    ) -> (Facility?, [Diagnostic]) {
        let (facility, diags) = loadParts(
            options: options, pack: pack, asOf: asOf, contradictions: contradictions)
        let statementsTable = schema.mechanisms.statements.flatMap { schema.collectionTable($0.section) }?.name
        guard wholeStatements, let statementsTable,
            let table = tables?.files[statementsTable] ?? workbook ?? (tables == nil ? attestations : nil)
        else { return (facility, diags) }
        // In a workbook, the statements' sheet (English or Japanese name).
        let sheet: (String?) -> Bool = { s in
            workbook == nil
                || s.flatMap { WorkbookTables.table(forSheet: $0, schema: schema) }?.name == statementsTable
        }
        return (
            facility,
            diags.map { d in
                guard d.id == "data.missing-column", d.severity == .warning, d.location?.file == table,
                    sheet(d.location?.sheet)
                else { return d }
                var e = d
                e.severity = .error
                e.message += "; an attestation needs every column of the table"
                return e
            }
        )
    }

    public func loadParts(
        options: LoadOptions, pack: LoadedPack?, asOf: Day?, contradictions: Bool = false
    ) -> (Facility?, [Diagnostic]) {
        var loader = SnapshotLoader(options: options, schema: schema)
        loader.append(contentsOf: folderDiagnostics)
        let loadedFacility: Facility? =
            if let tables { loader.loadTables(tables) } else if let jsonLine {
                loader.loadSnapshot(line: jsonLine)
            } else if let snapshot { loader.loadSnapshot(path: snapshot) } else { nil }
        guard var facility = loadedFacility else { return (nil, loader.diagnostics) }
        if let attestations, tables == nil, let ai = schema.appendingCompanion?.section {
            if case .list(let rows)? = loader.loadInventory(path: attestations, section: ai) {
                let before: [Value] = if case .list(let xs)? = facility.roots[ai] { xs } else { [] }
                facility.roots[ai] = .list(before + rows)
                facility.sources.append(attestations)
            }
        }
        if let devices, let di = schema.replacingCompanion?.section {
            let inv = loader.loadInventory(path: devices, section: di)
            let name = schema.sections[di].name
            if facility.roots[di] != nil {
                // Named on the command line, the inventory is the run's choice (said in every
                // report); found beside a snapshot that lists devices too, nothing says which
                // list is current.
                loader.append(
                    devicesBesideSnapshot
                        ? Diagnostic(
                            "data.ambiguous-input", .error,
                            "the snapshot has its own `\(name)` section and the folder also has the inventory "
                                + "\((devices as NSString).lastPathComponent); nothing says which one is current",
                            at: SourceLocation(file: primaryFile, path: "/" + name),
                            help: "keep one: remove the snapshot's `\(name)` section, or the inventory file")
                        : Diagnostic(
                            "data.devices-replaced", .warning,
                            "the snapshot's `\(name)` section is replaced by the inventory \(devices)",
                            at: SourceLocation(file: primaryFile, path: "/" + name)))
            }
            facility.roots[di] = inv
            facility.rootLocations[di] = SourceLocation(file: devices, line: 1, column: 1)
            facility.sources.append(devices)
        }
        if let pi = schema.mechanisms.published?.section {
            loadPublished(pi, into: &facility, loader: &loader, options: options, pack: pack)
        }
        if asOf != nil || contradictions { loader.append(contentsOf: Consistency.check(facility, asOf: asOf)) }
        return (facility, loader.diagnostics)
    }

    /// The published profile (`published S`): `--provider FILE`, else the snapshot's own
    /// section `S`, else the pack's copy.
    func loadPublished(
        _ pi: Int, into facility: inout Facility, loader: inout SnapshotLoader, options: LoadOptions,
        pack: LoadedPack?
    ) {
        if let provider {
            var pl = SnapshotLoader(options: options, schema: schema)
            if let p = pl.loadSnapshot(path: provider) {
                facility.roots[pi] = p.roots[pi]
                facility.rootLocations[pi] = p.rootLocations[pi]
                facility.sources.append(provider)
            }
            loader.append(contentsOf: pl.diagnostics)
        } else if facility.roots[pi] == nil, let bundled = pack?.providerProfile {
            facility.roots[pi] = bundled.value
            facility.rootLocations[pi] = bundled.location
        }
    }
}

extension SnapshotLoader {
    public mutating func append(_ d: Diagnostic) { append(contentsOf: [d]) }
}

extension FacilityInput {
    /// A facility folder, or a snapshot file.
    public static func at(_ path: String, schema: PackSchema) -> Result<FacilityInput, Diagnostic> {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue {
            return folder(path, schema: schema)
        }
        return .success(FacilityInput.file(path, schema: schema))
    }
}

/// The owner file Excel (and LibreOffice, `.~lock.clinic.xlsx#`) keeps beside a workbook it
/// has open: what tenken reads is the last saved state, and a program holding the workbook
/// open will write over anything `attest` appends when it saves.
public enum WorkbookLockFile {
    /// The lock files present beside `path`.
    public static func present(for path: String) -> [String] {
        let dir = FilePath.parent(path)
        let name = (path as NSString).lastPathComponent
        // Excel writes `~$` and the name, dropping its first two characters when it is long.
        let candidates = ["~$" + name, "~$" + String(name.dropFirst(2)), ".~lock." + name + "#"]
        return Array(Set(candidates)).sorted().map { dir.isEmpty ? $0 : (dir as NSString).appendingPathComponent($0) }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }

    public static func notes(for path: String) -> [Diagnostic] {
        present(for: path).prefix(1).map { lock in
            Diagnostic(
                "data.workbook-open", .note,
                "the workbook is open in a spreadsheet program (\((lock as NSString).lastPathComponent) is beside "
                    + "it); tenken reads what was last saved",
                at: SourceLocation(file: path), help: "save the workbook to check what is on the screen")
        }
    }
}
