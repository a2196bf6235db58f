import Foundation
import TenkenSyntax
import Testing

/// `DiagnosticID` is the catalogue of diagnostic ids: these tests hold it, the sources that emit
/// the ids and the page that documents them (docs/diagnostics.md) to one another.
struct DiagnosticIDTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let families = Set(DiagnosticID.allCases.map(\.family))

    /// Every `family.kind` token of a known family that `pattern` captures in the text (group 1).
    static func ids(in text: String, pattern: String) -> Set<String> {
        let re = try! NSRegularExpression(pattern: pattern)
        var out = Set<String>()
        for m in re.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
            guard let r = Range(m.range(at: 1), in: text) else { continue }
            let id = String(text[r])
            if families.contains(String(id.prefix { $0 != "." })) { out.insert(id) }
        }
        return out
    }

    static func files(under dir: String, suffix: String) -> [URL] {
        let base = root.appendingPathComponent(dir)
        let e = FileManager.default.enumerator(atPath: base.path)
        return (e?.compactMap { $0 as? String } ?? []).filter { $0.hasSuffix(suffix) }.sorted().map {
            base.appendingPathComponent($0)
        }
    }

    static let idShape = #"[a-z]+\.[a-z][a-z0-9]*(?:-[a-z0-9]+)*"#

    /// The ids the sources emit: a case of the enum (`Diagnostic(.dataTooLarge, …)`), a string
    /// literal that is a whole id (`Diagnostic("check.x", …)`, `error("check.x", …)`), or an id
    /// printed in brackets (`error[batch.write-failed]`).
    static var emitted: Set<String> {
        var out = Set<String>()
        let byCaseName = Dictionary(
            uniqueKeysWithValues: DiagnosticID.allCases.map { (String(describing: $0), $0.rawValue) })
        let caseRE = try! NSRegularExpression(pattern: #"\.([a-z]+[A-Z][A-Za-z]*)\b"#)
        for f in files(under: "Sources", suffix: ".swift") where f.lastPathComponent != "DiagnosticID.swift" {
            guard let text = try? String(contentsOf: f, encoding: .utf8) else { continue }
            out.formUnion(ids(in: text, pattern: #"""# + "(" + idShape + ")" + #"""#))
            out.formUnion(ids(in: text, pattern: #"\[("# + idShape + #")\]"#))
            for m in caseRE.matches(in: text, range: NSRange(text.startIndex..., in: text)) {
                if let r = Range(m.range(at: 1), in: text), let id = byCaseName[String(text[r])] { out.insert(id) }
            }
        }
        // Not ids: default file names.
        out.remove("workbook.xlsx")
        out.remove("schema.tenken")
        return out
    }

    @Test func idsAreUniqueAndWellFormed() {
        let raw = DiagnosticID.allCases.map(\.rawValue)
        #expect(Set(raw).count == raw.count)
        let re = try! NSRegularExpression(pattern: "^" + Self.idShape + "$")
        for id in raw { #expect(re.firstMatch(in: id, range: NSRange(id.startIndex..., in: id)) != nil, "\(id)") }
        #expect(DiagnosticID(rawValue: "check.unknown-field") == .checkUnknownField)
        #expect(Diagnostic(.dataBadDate, .error, "x").id == "data.bad-date")
        #expect(Diagnostic("data.bad-date", .error, "x").kind == .dataBadDate)
    }

    /// Every id the sources emit is in the catalogue, and every id in the catalogue is emitted.
    @Test func catalogueMatchesTheSources() {
        let listed = Set(DiagnosticID.allCases.map(\.rawValue))
        let emitted = Self.emitted
        #expect(emitted.count > 100, "the scan of Sources found too few ids: \(emitted.count)")
        let unlisted = emitted.subtracting(listed).sorted()
        let stale = listed.subtracting(emitted).sorted()
        #expect(unlisted.isEmpty, "emitted but not in DiagnosticID: \(unlisted)")
        #expect(stale.isEmpty, "in DiagnosticID but emitted nowhere: \(stale)")
    }

    /// docs/diagnostics.md lists every id once, in its family's table, and no other.
    @Test func referencePageListsEveryIDAndNoOther() throws {
        let page = try String(contentsOf: Self.root.appendingPathComponent("docs/diagnostics.md"), encoding: .utf8)
        var rows: [String] = []
        for line in page.split(separator: "\n") where line.hasPrefix("| `") {
            rows.append(String(line.dropFirst(3).prefix { $0 != "`" }))
        }
        #expect(Set(rows).count == rows.count, "an id is listed twice")
        let listed = Set(DiagnosticID.allCases.map(\.rawValue))
        #expect(Set(rows).subtracting(listed).sorted() == [], "documented but not an id")
        #expect(listed.subtracting(rows).sorted() == [], "not documented in docs/diagnostics.md")
        // Warnings and notes say so.
        for line in page.split(separator: "\n") where line.contains("`data.encoding-detected`") {
            #expect(line.contains("| note |"))
        }
    }

    /// Every id the other pages and the README name (`check.x` in backticks, `error[check.x]`) is a
    /// real one, so no page keeps an id that was renamed or dropped. Parameters share a prefix
    /// with one family (`attestation.renewal`), so that family is checked on the reference page only.
    /// A plan under docs/design/ names the ids it will add before they exist, so it is not checked.
    @Test func noPageNamesAStaleID() throws {
        let listed = Set(DiagnosticID.allCases.map(\.rawValue))
        var pages = Self.files(under: "docs", suffix: ".md").filter { !$0.path.contains("/docs/design/") }
        pages.append(Self.root.appendingPathComponent("README.md"))
        for page in pages {
            let text = try String(contentsOf: page, encoding: .utf8)
            let named = Self.ids(in: text, pattern: "`(" + Self.idShape + ")`").union(
                Self.ids(in: text, pattern: #"\[("# + Self.idShape + #")\]"#))
            // File names (`workbook.md`) have an id's shape too.
            let files: Set<String> = ["md", "json", "csv", "tsv", "txt", "xlsx", "xml", "html", "sarif", "tenken"]
            let stale = named.filter { id in
                !id.hasPrefix("attestation.") && !listed.contains(id)
                    && !files.contains(String(id.split(separator: ".").last ?? ""))
            }.sorted()
            #expect(stale.isEmpty, "\(page.lastPathComponent) names ids that do not exist: \(stale)")
        }
    }

    /// docs/dsl.md, which describes `tenken lint`, names every `check.*` and `syntax.*` id or sends
    /// the reader to the reference page.
    @Test func dslPageCoversTheCheckerFamilies() throws {
        let text = try String(contentsOf: Self.root.appendingPathComponent("docs/dsl.md"), encoding: .utf8)
        #expect(text.contains("diagnostics.md"))
        let named = Self.ids(in: text, pattern: "`(" + Self.idShape + ")`")
        let checker = DiagnosticID.allCases.filter { $0.family == "check" }.map(\.rawValue)
        let missing = checker.filter { id in
            !named.contains(id) && !text.contains("`" + id.dropFirst("check.".count) + "`")
        }
        #expect(missing.isEmpty, "docs/dsl.md does not name \(missing)")
    }
}
