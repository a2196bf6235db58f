import Foundation
import TenkenData
import TenkenSyntax

/// Where one facility's evidence comes from: a snapshot, optionally an inventory and a
/// provider profile. A facility folder holds `snapshot.json` and `devices.csv` (or `.json`).
public struct FacilityInput: Sendable {
    public var snapshot: String
    public var devices: String?
    public var provider: String?

    public init(snapshot: String, devices: String? = nil, provider: String? = nil) {
        self.snapshot = snapshot
        self.devices = devices
        self.provider = provider
    }

    /// Reads a facility folder's conventional file names.
    public static func folder(_ dir: String) -> Result<FacilityInput, Diagnostic> {
        let fm = FileManager.default
        let snap = (dir as NSString).appendingPathComponent("snapshot.json")
        guard fm.fileExists(atPath: snap) else {
            return .failure(Diagnostic("data.file-not-found", .error, "facility folder has no snapshot.json", at: SourceLocation(file: dir),
                                       help: "write one with `tenken init \(dir)`, or pass --snapshot FILE"))
        }
        var devices: String?
        for name in ["devices.csv", "devices.json"] {
            let p = (dir as NSString).appendingPathComponent(name)
            if fm.fileExists(atPath: p) { devices = p; break }
        }
        return .success(FacilityInput(snapshot: snap, devices: devices))
    }

    /// Loads everything into one facility. The provider profile comes from `--provider`, else
    /// the snapshot's own `provider` section, else the pack's published profile.
    public func load(options: LoadOptions, pack: LoadedPack) -> (Facility?, [Diagnostic]) {
        var loader = SnapshotLoader(options: options)
        guard var facility = loader.loadSnapshot(path: snapshot) else { return (nil, loader.diagnostics) }
        if let devices {
            let inv = loader.loadInventory(path: devices)
            if facility[root: "devices"] != nil {
                loader.append(Diagnostic("data.devices-replaced", .warning,
                    "the snapshot's `devices` section is replaced by the inventory \(devices)", at: SourceLocation(file: snapshot, path: "/devices")))
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
        } else if facility.roots[pi] == nil, let bundled = pack.providerProfile {
            facility.roots[pi] = bundled.value
            facility.rootLocations[pi] = bundled.location
        }
        return (facility, loader.diagnostics)
    }
}

extension SnapshotLoader {
    public mutating func append(_ d: Diagnostic) { append(contentsOf: [d]) }
}
