import Foundation
import TenkenData

/// The MCS pack's schema for the data tests, compiled from the repository's
/// `Rules/mcs/schema.tenken` (the file the embedded pack is generated from), so these tests need
/// neither the embedded pack nor TenkenAudit.
enum TestSchema {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let mcs: PackSchema = {
        let path = root.appendingPathComponent("Rules/mcs/" + PackSchema.fileName).path
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            fatalError("cannot read \(path)")
        }
        let (schema, diagnostics) = PackSchema.compile(text, file: "Rules/mcs/" + PackSchema.fileName)
        guard let schema else { fatalError("Rules/mcs/schema.tenken has errors: \(diagnostics)") }
        return schema
    }()

    /// A record of the MCS schema by its name (`device`, `attestation`): these tests name the MCS
    /// pack's records because they test it; the engine reads them through the pack's declarations.
    static func record(_ name: String) -> RecordSchema {
        guard let r = mcs.records[name] else { fatalError("the MCS schema has no record `\(name)`") }
        return r
    }

    /// The values of a choice field of an MCS record, in order.
    static func choices(_ record: String, _ field: String) -> [String] {
        if case .enumeration(let vs)? = Self.record(record).field(field)?.type { vs } else { [] }
    }
}
