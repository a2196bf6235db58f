import Foundation
import TenkenSyntax

/// A pack's guide to filling in a facility (`guide.txt` beside `pack.tenken`; docs/dsl.md "The
/// guide file"): the text `tenken init` writes as README.txt, in blocks. `[tables]` guides a
/// folder of tables, with the lines `{{tables}}` (one line per table) and `{{choices}}` (the
/// words of every choice column) filled from the schema; `[json]` guides a snapshot.json. A
/// block's text is its lines as written, up to the next block, without trailing blank lines.
/// Lines before the first block are comments (`#`) or blank. A pack without a guide, or without
/// a block, gets the generic one (`FacilityTemplate.genericTableGuide`, `genericJSONGuide`).
public struct PackGuide: Sendable, Equatable {
    public static let fileName = "guide.txt"
    /// The blocks, and the `{{…}}` lines each fills.
    public static let blocks: [(name: String, fills: [String])] = [
        ("tables", ["{{tables}}", "{{choices}}"]), ("json", []),
    ]

    /// The `[tables]` block's text, each line ending in a line break; nil without one.
    public var tables: String?
    /// The `[json]` block's text; nil without one.
    public var json: String?

    public init(tables: String? = nil, json: String? = nil) {
        self.tables = tables
        self.json = json
    }

    /// The guide of `text` (the file `file`), and an error (`check.bad-guide`) for each line
    /// before the first block that is neither blank nor a comment, each unknown or repeated
    /// block, and each `{{…}}` line its block does not fill. The guide keeps what is readable.
    public static func parse(_ text: String, file: String) -> (PackGuide, [Diagnostic]) {
        var guide = PackGuide()
        var diags: [Diagnostic] = []
        var current: (name: String, lines: [String])?
        var seen: Set<String> = []
        func error(_ line: Int, _ message: String, help: String? = nil) {
            diags.append(
                Diagnostic(
                    DiagnosticID.checkBadGuide.rawValue, .error, message,
                    at: SourceLocation(file: file, line: line, column: 1), help: help))
        }
        func close() {
            guard let (name, lines) = current else { return }
            var kept = lines[...]
            while let last = kept.last, last.allSatisfy(\.isWhitespace) { kept = kept.dropLast() }
            let body = kept.map { $0 + "\n" }.joined()
            if name == "tables" { guide.tables = body } else if name == "json" { guide.json = body }
            current = nil
        }
        let names = blocks.map(\.name)
        let lines = TextLines.split(text).map(String.init)
        for (i, line) in lines.enumerated() {
            let n = i + 1
            if line.hasPrefix("["), line.hasSuffix("]"), line.count > 2 {
                close()
                let name = String(line.dropFirst().dropLast())
                guard names.contains(name) else {
                    error(
                        n, "unknown block [\(name)]",
                        help: "the blocks are " + names.map { "[\($0)]" }.joined(separator: ", "))
                    current = ("", [])
                    continue
                }
                if !seen.insert(name).inserted { error(n, "the block [\(name)] is given twice") }
                current = (name, [])
                continue
            }
            guard let block = current else {
                if !line.allSatisfy(\.isWhitespace) && !line.hasPrefix("#") {
                    error(
                        n, "text before the first block",
                        help: "begin the text with [tables] or [json]; comment lines begin with #")
                }
                continue
            }
            let bare = Spaces.trimmed(line)
            if bare.hasPrefix("{{"), bare.hasSuffix("}}"), !block.name.isEmpty,
                !(blocks.first { $0.name == block.name }?.fills.contains(bare) ?? false)
            {
                let fills = blocks.first { $0.name == block.name }?.fills ?? []
                error(
                    n, "[\(block.name)] does not fill \(bare)",
                    help: fills.isEmpty ? "[\(block.name)] fills no lines" : "it fills " + fills.joined(separator: ", ")
                )
            }
            current?.lines.append(line)
        }
        close()
        return (guide, diags)
    }
}
