import Foundation
import TenkenData
import TenkenSyntax

/// Where one facility's evidence comes from. A facility folder holds either `snapshot.json`
/// (with an optional device inventory `devices.csv` or `.json`, and `attestations.csv` that
/// `tenken attest` keeps), or a set of spreadsheet tables (`facility.csv`, `staff.csv`, …).
public struct FacilityInput: Sendable {
    public var snapshot: String?
    public var tables: TableFolder?
    public var devices: String?
    /// Attestation rows kept beside a JSON snapshot; added to its `attestations`.
    public var attestations: String?
    public var provider: String?
    /// Problems found while looking at the folder, reported with the load.
    var folderDiagnostics: [Diagnostic] = []

    public init(snapshot: String, devices: String? = nil, provider: String? = nil) {
        self.snapshot = snapshot
        self.devices = devices
        self.provider = provider
    }

    init(tables: TableFolder) { self.tables = tables }

    /// The file to name when the facility as a whole is meant.
    public var primaryFile: String { snapshot ?? tables.map { $0.files["facility"] ?? $0.dir } ?? "" }

    /// Reads a facility folder: a snapshot with its companions, or a folder of tables.
    public static func folder(_ dir: String) -> Result<FacilityInput, Diagnostic> {
        let (found, diags) = TableFolder.scan(dir)
        let snap = (dir as NSString).appendingPathComponent("snapshot.json")
        var input: FacilityInput
        if FileManager.default.fileExists(atPath: snap) {
            input = FacilityInput(snapshot: snap)
            input.devices = found.files["devices"] ?? ["devices.json", "端末.json"].map { (dir as NSString).appendingPathComponent($0) }
                .first { FileManager.default.fileExists(atPath: $0) }
            input.attestations = found.files["attestations"]
            if found.hasSnapshotTables {
                let names = found.files.keys.filter { $0 != "devices" && $0 != "attestations" }.sorted().map { $0 + ".csv" }.joined(separator: ", ")
                input.folderDiagnostics.append(Diagnostic("data.tables-ignored", .warning,
                    "the folder has snapshot.json, so the tables \(names) are not read", at: SourceLocation(file: dir),
                    help: "keep one form: remove snapshot.json to use the tables, or the tables to use the snapshot"))
            }
        } else if found.files["facility"] != nil {
            input = FacilityInput(tables: found)
        } else if !found.files.isEmpty {
            // Without its profile a folder of tables is not a facility (a stray devices.csv).
            return .failure(Diagnostic("data.missing-table", .error,
                "facility folder has tables (\(found.files.keys.sorted().map { $0 + ".csv" }.joined(separator: ", "))) but no facility.csv and no snapshot.json",
                at: SourceLocation(file: dir), help: "add facility.csv (施設.csv), the facility profile; `tenken init` writes one"))
        } else {
            return .failure(Diagnostic("data.file-not-found", .error, "facility folder has neither snapshot.json nor tables (facility.csv, staff.csv, …)",
                                       at: SourceLocation(file: dir),
                                       help: "write blank tables with `tenken init \(dir)`, or pass --snapshot FILE"))
        }
        input.folderDiagnostics += diags
        return .success(input)
    }

    /// Loads everything into one facility. The provider profile comes from `--provider`, else
    /// the snapshot's own `provider` section, else the pack's published profile (none when
    /// `pack` is nil: `convert` keeps exactly what the input says).
    /// With `asOf`, the facility is also checked for contradictions (`Consistency`).
    public func load(options: LoadOptions, pack: LoadedPack?, asOf: Day? = nil) -> (Facility?, [Diagnostic]) {
        var loader = SnapshotLoader(options: options)
        loader.append(contentsOf: folderDiagnostics)
        let loadedFacility: Facility? = if let tables { loader.loadTables(tables) } else if let snapshot { loader.loadSnapshot(path: snapshot) } else { nil }
        guard var facility = loadedFacility else { return (nil, loader.diagnostics) }
        if let attestations, tables == nil {
            let ai = SnapshotSchema.rootIndex["attestations"]!
            if case .list(let rows)? = loader.loadInventory(path: attestations, schema: SnapshotSchema.attestation) {
                let before: [Value] = if case .list(let xs)? = facility.roots[ai] { xs } else { [] }
                facility.roots[ai] = .list(before + rows)
                facility.sources.append(attestations)
            }
        }
        if let devices {
            let inv = loader.loadInventory(path: devices)
            if facility[root: "devices"] != nil {
                loader.append(Diagnostic("data.devices-replaced", .warning,
                    "the snapshot's `devices` section is replaced by the inventory \(devices)", at: SourceLocation(file: primaryFile, path: "/devices")))
            }
            let di = SnapshotSchema.rootIndex["devices"]!
            facility.roots[di] = inv
            facility.rootLocations[di] = SourceLocation(file: devices, line: 1, column: 1)
            facility.sources.append(devices)
        }
        let pi = SnapshotSchema.rootIndex["provider"]!
        if let provider {
            var pl = SnapshotLoader(options: options)
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
        if let asOf { loader.append(contentsOf: Consistency.check(facility, asOf: asOf)) }
        return (facility, loader.diagnostics)
    }
}

extension SnapshotLoader {
    public mutating func append(_ d: Diagnostic) { append(contentsOf: [d]) }
}

extension CLI {
    enum FacilityArgumentError: Error {
        case usage(UsageError)
        case input(Diagnostic)
    }

    /// What a command says when no facility is given: how an installed user starts one.
    static let noFacilityGiven = UsageError(message: "give a facility: a folder of tables, a JSON snapshot file, or --snapshot FILE",
                                            help: "to start one, run `tenken init ./my-clinic`, fill in its tables, then `tenken check ./my-clinic`")

    /// The facility a command's positional argument names: a folder (of tables, or with
    /// snapshot.json), or a JSON snapshot file. One table is not a facility: its folder is.
    static func facility(at path: String) -> Result<FacilityInput, FacilityArgumentError> {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            return .failure(.input(Diagnostic("data.file-not-found", .error, "no such file or folder", at: SourceLocation(file: path),
                                              help: "give a facility folder or a snapshot file; `tenken init \(path)` writes blank tables there")))
        }
        guard !isDir.boolValue else { return FacilityInput.folder(path).mapError { .input($0) } }
        let ext = (path as NSString).pathExtension.lowercased()
        if ["csv", "xlsx", "tsv"].contains(ext) {
            let dir = (path as NSString).deletingLastPathComponent
            return .failure(.usage(UsageError(message: "`\(path)` is one table; a facility is the folder of its tables, or a JSON snapshot",
                                              help: "give the folder: tenken check \(dir.isEmpty ? "." : dir)")))
        }
        return .success(FacilityInput(snapshot: path))
    }
}

extension FacilityInput {
    /// A facility folder, or a snapshot file.
    public static func at(_ path: String) -> Result<FacilityInput, Diagnostic> {
        var isDir: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDir), isDir.boolValue { return folder(path) }
        return .success(FacilityInput(snapshot: path))
    }
}
