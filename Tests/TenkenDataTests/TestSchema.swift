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
}
