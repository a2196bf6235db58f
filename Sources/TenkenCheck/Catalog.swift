import TenkenSyntax

public enum CatalogParser {
    /// Reads the catalog TSV (header row, then one item per row). Every bad row is reported
    /// with its line and column and skipped. An optional `rules` column names, comma-separated,
    /// the rules that implement each item (`Checker.coverage` holds the pack to it).
    public static func parse(_ text: String, file: String) -> ([CatalogItem], [Diagnostic]) {
        var items: [CatalogItem] = []
        var diags: [Diagnostic] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.hasSuffix("\r") ? String($0.dropLast()) : String($0)
        }
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) else {
            return ([], [Diagnostic("check.catalog-empty", .error, "catalog is empty", at: SourceLocation(file: file))])
        }
        let want = ["id", "section", "category", "level", "scope", "risks", "evidence", "ja", "en"]
        var col: [String: Int] = [:]
        for (i, h) in header.enumerated() { col[h.trimmingCharacters(in: .whitespaces)] = i }
        for w in want where col[w] == nil {
            diags.append(
                Diagnostic(
                    "check.catalog-column", .error, "catalog header lacks column `\(w)`",
                    at: SourceLocation(file: file, line: 1)))
        }
        guard let c = Columns(col) else { return ([], diags) }
        var seen: Set<String> = []
        for (n, line) in lines.enumerated().dropFirst() where !line.trimmingCharacters(in: .whitespaces).isEmpty {
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let loc = SourceLocation(file: file, line: n + 1, column: 1)
            guard cells.count == header.count else {
                diags.append(
                    Diagnostic(
                        "check.catalog-row", .error, "row has \(cells.count) cells, the header has \(header.count)",
                        at: loc))
                continue
            }
            if let (k, bad) = cells.lazy.enumerated().compactMap({ i, c in TextSafety.firstForbidden(c).map { (i, $0) }
            }).first {
                diags.append(
                    Diagnostic(
                        "check.control-character", .error,
                        "column \(header[k]) holds the control character \(TextSafety.describe(bad))", at: loc))
                continue
            }
            guard let cat = Category(rawValue: cells[c.category]), let lvl = Level(rawValue: cells[c.level]),
                let scope = Scope(rawValue: cells[c.scope])
            else {
                diags.append(
                    Diagnostic(
                        "check.catalog-row", .error,
                        "row has an unknown category, level or scope (`\(cells[c.category])`, `\(cells[c.level])`, "
                            + "`\(cells[c.scope])`)",
                        at: loc))
                continue
            }
            let id = cells[c.id]
            if !seen.insert(id).inserted {
                diags.append(Diagnostic("check.catalog-row", .error, "catalog id `\(id)` appears twice", at: loc))
                continue
            }
            items.append(
                CatalogItem(
                    id: id, section: cells[c.section], category: cat, level: lvl, scope: scope,
                    risks: cells[c.risks].split(separator: ",").map(String.init),
                    evidence: cells[c.evidence].split(separator: ",").map(String.init), ja: cells[c.ja],
                    en: cells[c.en],
                    location: loc,
                    rules: c.rules.map {
                        cells[$0].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                            !$0.isEmpty
                        }
                    }))
        }
        return (items, diags)
    }
}

/// Where each column of the catalog is: every required one, and `rules` when given.
private struct Columns {
    let id, section, category, level, scope, risks, evidence, ja, en: Int
    let rules: Int?

    init?(_ col: [String: Int]) {
        guard let id = col["id"], let section = col["section"], let category = col["category"],
            let level = col["level"],
            let scope = col["scope"], let risks = col["risks"], let evidence = col["evidence"], let ja = col["ja"],
            let en = col["en"]
        else { return nil }
        (self.id, self.section, self.category, self.level, self.scope) = (id, section, category, level, scope)
        (self.risks, self.evidence, self.ja, self.en, rules) = (risks, evidence, ja, en, col["rules"])
    }
}
