import Foundation
import Testing

/// The workbook diagnostics are a closed, documented set: every id the module can emit is in
/// docs/workbook.md's table, and the table lists no id the module does not emit.
struct WorkbookDiagnosticDocsTests {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static func ids(in text: String) -> Set<String> {
        let regex = try! NSRegularExpression(pattern: "workbook\\.[a-z][a-z0-9-]*[a-z0-9]")
        let ns = text as NSString
        return Set(
            regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
        )
    }

    @Test func everyIdIsDocumented() throws {
        let dir = Self.root.appendingPathComponent("Sources/TenkenWorkbook")
        var emitted: Set<String> = []
        for f in try FileManager.default.contentsOfDirectory(atPath: dir.path) where f.hasSuffix(".swift") {
            let text = try String(contentsOf: dir.appendingPathComponent(f), encoding: .utf8)
            // Ids appear as string literals: `"workbook.bad-zip"`.
            // (`workbook.xlsx`, `workbook.xml` are file names, not ids.)
            emitted.formUnion(
                Self.ids(in: text).filter {
                    text.contains("\"\($0)\"") && !["workbook.xlsx", "workbook.xml", "workbook.bin"].contains($0)
                })
        }
        let doc = try String(contentsOf: Self.root.appendingPathComponent("docs/workbook.md"), encoding: .utf8)
        let table = doc.split(separator: "\n").filter { $0.hasPrefix("| `workbook.") }.joined(separator: "\n")
        let documented = Self.ids(in: table)
        #expect(emitted.count >= 20)
        #expect(emitted.subtracting(documented).isEmpty, "undocumented: \(emitted.subtracting(documented).sorted())")
        #expect(
            documented.subtracting(emitted).isEmpty,
            "documented but never emitted: \(documented.subtracting(emitted).sorted())")
    }
}
