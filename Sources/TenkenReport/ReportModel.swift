import Foundation
import TenkenCheck
import TenkenEval
import TenkenSyntax

/// What every writer needs: the result, the checked pack it came from, and the language.
public struct ReportInput: Sendable {
    public var result: FacilityResult
    public var pack: CheckedPack
    public var lang: Language
    public var toolVersion: String
    /// The folder SARIF artifact URIs are relative to; nil for the working directory.
    public var sarifBase: SARIFBase?

    public init(
        result: FacilityResult, pack: CheckedPack, lang: Language, toolVersion: String, sarifBase: SARIFBase? = nil
    ) {
        self.result = result
        self.pack = pack
        self.lang = lang
        self.toolVersion = toolVersion
        self.sarifBase = sarifBase
    }

    public var items: [(rule: CheckedRule, result: RuleResult)] { Array(zip(pack.rules, result.results)) }

    public var catalog: [String: CatalogItem] { Dictionary(uniqueKeysWithValues: pack.catalog.map { ($0.id, $0) }) }

    public func sources(_ rule: CheckedRule) -> [CatalogItem] {
        let c = catalog
        return rule.implements.compactMap { c[$0] }
    }

    /// Counts by category and state, for charts.
    public func count(_ category: Category?, _ state: RuleState) -> Int {
        items.filter { $0.rule.category == category && $0.result.state == state }.count
    }
}

/// The report writers: the one table each format's `--format` word, file name, description
/// and writer come from, so the command line's choices, its help, the completions and the
/// man page cannot disagree. Every writer works from the same result model.
public enum ReportFormat: String, Sendable, CaseIterable {
    case text, json, html, junit, sarif, csv, xccdf

    /// The file a format is written to in an output folder.
    public var fileName: String {
        switch self {
        case .text: "report.txt"
        case .json: "report.json"
        case .html: "report.html"
        case .junit: "report.junit.xml"
        case .sarif: "report.sarif"
        case .csv: "report.csv"
        case .xccdf: "report.xccdf.xml"
        }
    }

    /// What the format is for, in a few words (help, man page).
    public var summary: String {
        switch self {
        case .text: "for a person at a terminal"
        case .json: "everything, for programs (docs/report.schema.json)"
        case .html: "one self-contained page, on screen or printed on A4"
        case .junit: "JUnit XML for test dashboards (Jenkins, GitLab)"
        case .sarif: "SARIF 2.1.0 for code scanning (GitHub)"
        case .csv: "one row per rule, for Excel"
        case .xccdf: "XCCDF 1.2 for SCAP tools (OpenSCAP)"
        }
    }

    /// `text, json, html, …`: the `--format` choices.
    public static var words: String { allCases.map(\.rawValue).joined(separator: ", ") }

    /// `report.txt, report.json, …`: what `--output-dir` holds.
    public static var fileNames: String { allCases.map(\.fileName).joined(separator: ", ") }

    /// Writes the report into a file (or any sink) as it is made: JSON and SARIF finding by
    /// finding, the XML formats straight from their tree, so a report is never held whole on
    /// its way to the file. `text` is laid out by `textStyle`.
    public func write(_ input: ReportInput, textStyle: TextReport, to sink: ReportSink) throws(WriteError) {
        switch self {
        case .text: try sink.write(textStyle.render(input.result, input.pack))
        case .json: try JSONReport.write(input.result, input.pack, to: sink)
        case .html: try HTMLReport.write(input, to: sink)
        case .junit: try JUnitReport.write(input, to: sink)
        case .sarif: try SARIFReport.write(input, to: sink)
        case .csv: try sink.write(CSVReport.render(input))
        case .xccdf: try XCCDFReport.write(input, to: sink)
        }
    }
}

/// FNV-1a, a stable hash for SARIF fingerprints (Swift's Hasher is seeded per process).
func stableHash(_ s: String) -> String {
    var h: UInt64 = 0xcbf2_9ce4_8422_2325
    for b in s.utf8 {
        h ^= UInt64(b)
        h = h &* 0x0000_0100_0000_01b3
    }
    let hex = String(h, radix: 16)
    return String(repeating: "0", count: 16 - hex.count) + hex
}

extension SourceLocation {
    /// `file:line:col` plus the pointer or CSV header, as people read it.
    public var display: String { description }
}

extension FacilityResult {
    /// The input files for a person to read: files of one folder are named once by the folder
    /// (`Fixtures/x/ (facility.csv, staff.csv, …)`), as a folder of tables has many.
    public var inputsText: String {
        let dirs = Set(sources.map { FilePath.parent($0) })
        guard sources.count > 2, dirs.count == 1, let dir = dirs.first else { return sources.joined(separator: ", ") }
        return (dir.isEmpty ? "" : dir + "/") + " ("
            + sources.map { ($0 as NSString).lastPathComponent }.joined(separator: ", ") + ")"
    }

    /// A place in the input, without the facility's folder when all its inputs share one (the
    /// report's cover names the folder): `snapshot.json:3439:17#/patients/147/status`.
    public func place(_ l: SourceLocation) -> String {
        let dirs = Set(sources.map { FilePath.parent($0) })
        let text = l.description
        guard dirs.count == 1, let dir = dirs.first, !dir.isEmpty, text.hasPrefix(dir + "/") else { return text }
        return String(text.dropFirst(dir.count + 1))
    }
}
