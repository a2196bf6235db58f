import TenkenSyntax

public enum CatalogParser {
    /// Reads the catalog TSV (header row, then one item per row). Every bad row is reported
    /// with its line and column and skipped. An optional `rules` column names, comma-separated,
    /// the rules that implement each item (`Checker.coverage` holds the pack to it).
    ///
    /// The `category`, `scope` and `risks` cells name words of the pack's `taxonomy`: a word
    /// the manifest does not declare is `check.unknown-category` (`-scope`, `-risk`) at its
    /// cell, with the nearest declared word; a row of a pack that declares categories must name
    /// one (and likewise a scope). A pack that declares none of a kind may leave its column out.
    public static func parse(
        _ text: String, file: String, taxonomy: Taxonomy = Taxonomy()
    ) -> (
        [CatalogItem], [Diagnostic]
    ) {
        var items: [CatalogItem] = []
        var diags: [Diagnostic] = []
        let lines = TextLines.split(text).map(String.init)
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false).map(String.init) else {
            return ([], [Diagnostic("check.catalog-empty", .error, "catalog is empty", at: SourceLocation(file: file))])
        }
        let want =
            ["id", "section", "level", "evidence", "ja", "en"]
            + TermKind.allCases.filter { !taxonomy.terms($0).isEmpty }.map(\.column)
        var col: [String: Int] = [:]
        for (i, h) in header.enumerated() { col[Spaces.trimmed(h)] = i }
        for w in want where col[w] == nil {
            diags.append(
                Diagnostic(
                    "check.catalog-column", .error, "catalog header lacks column `\(w)`",
                    at: SourceLocation(file: file, line: 1)))
        }
        guard want.allSatisfy({ col[$0] != nil }), let c = Columns(col) else { return ([], diags) }
        var seen: Set<String> = []
        for (n, line) in lines.enumerated().dropFirst() where !Spaces.isBlank(line) {
            let cells = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            let loc = SourceLocation(file: file, line: n + 1, column: 1)
            guard cells.count == header.count else {
                diags.append(
                    Diagnostic(
                        "check.catalog-row", .error, "row has \(cells.count) cells, the header has \(header.count)",
                        at: loc))
                continue
            }
            /// Where cell `k` starts on the line, counted in Unicode scalars as rule files are.
            func cell(_ k: Int) -> SourceLocation {
                SourceLocation(
                    file: file, line: n + 1, column: cells[..<k].reduce(1) { $0 + $1.unicodeScalars.count + 1 })
            }
            if let (k, bad) = cells.lazy.enumerated().compactMap({ i, c in TextSafety.firstForbidden(c).map { (i, $0) }
            }).first {
                diags.append(
                    Diagnostic(
                        .checkControlCharacter, .error,
                        "column \(header[k]) holds the control character \(TextSafety.describe(bad))", at: cell(k)))
                continue
            }
            // A refused row is refused whole: its words are neither checked nor implied.
            guard let lvl = Level(rawValue: cells[c.level]) else {
                diags.append(Level.refusal(cells[c.level], at: cell(c.level)))
                continue
            }
            let id = cells[c.id]
            if !seen.insert(id).inserted {
                diags.append(Diagnostic("check.catalog-row", .error, "catalog id `\(id)` appears twice", at: loc))
                continue
            }
            func words(_ kind: TermKind) -> [String] {
                guard let k = c.column(kind) else { return [] }
                let ws = cells[k].split(separator: ",").map(Spaces.trimmed)
                return kind == .risk ? ws.filter { !$0.isEmpty } : (cells[k].isEmpty ? [] : [cells[k]])
            }
            for kind in TermKind.allCases {
                for w in words(kind) where taxonomy.term(kind, w) == nil {
                    let (message, help) = taxonomy.refusal(kind, w)
                    diags.append(
                        Parser.isDashedName(w)
                            ? Diagnostic(
                                Taxonomy.unknownID(kind), .error, message, at: c.column(kind).map(cell), help: help)
                            : Taxonomy.undeclarable(kind, w, at: c.column(kind).map(cell), near: taxonomy.terms(kind)))
                }
                if kind != .risk, !taxonomy.terms(kind).isEmpty, words(kind).isEmpty {
                    diags.append(
                        Diagnostic(
                            .checkCatalogRow, .error,
                            "catalog item \(cells[c.id]) names no \(kind.rawValue); the pack declares "
                                + taxonomy.terms(kind).map(\.id).joined(separator: ", "),
                            at: c.column(kind).map(cell)))
                }
            }
            items.append(
                CatalogItem(
                    id: id, section: cells[c.section], category: words(.category).first.map(Category.init),
                    level: lvl, scope: words(.scope).first.map(Scope.init), risks: words(.risk),
                    evidence: cells[c.evidence].split(separator: ",").map(String.init), ja: cells[c.ja],
                    en: cells[c.en],
                    location: loc,
                    rules: c.rules.map {
                        cells[$0].split(separator: ",").map(Spaces.trimmed).filter {
                            !$0.isEmpty
                        }
                    }))
        }
        return (items, diags)
    }
}

extension CatalogParser {
    /// The category, scope and risk words the catalog's rows name, in row order with the cell
    /// each is named in (a word may come more than once): what a pack that declares none of a
    /// kind is taken to declare (`Checker.impliedTaxonomy`). Only the rows `parse` accepts are
    /// read, so a refused row (control character, bad level, id given twice) adds no word; a
    /// catalog too malformed to read names none.
    public static func words(_ text: String, file: String) -> [(kind: TermKind, word: String, at: SourceLocation)] {
        let lines = TextLines.split(text).map(String.init)
        guard let header = lines.first?.split(separator: "\t", omittingEmptySubsequences: false) else { return [] }
        let items = parse(text, file: file).0
        var out: [(kind: TermKind, word: String, at: SourceLocation)] = []
        for kind in TermKind.allCases {
            guard let k = header.firstIndex(where: { Spaces.trimmed($0) == kind.column }) else {
                continue
            }
            for item in items {
                guard let line = item.location?.line, line - 1 < lines.count else { continue }
                let cells = lines[line - 1].split(separator: "\t", omittingEmptySubsequences: false)
                let at = SourceLocation(
                    file: file, line: line, column: cells[..<k].reduce(1) { $0 + $1.unicodeScalars.count + 1 })
                let ws: [String] =
                    switch kind {
                    case .category: item.category.map { [$0.rawValue] } ?? []
                    case .scope: item.scope.map { [$0.rawValue] } ?? []
                    case .risk: item.risks
                    }
                out += ws.map { (kind, $0, at) }
            }
        }
        return out
    }
}

/// Where each column of the catalog is: every required one, and `rules` and the taxonomy's
/// columns when given.
private struct Columns {
    let id, section, level, evidence, ja, en: Int
    let category, scope, risks, rules: Int?

    init?(_ col: [String: Int]) {
        guard let id = col["id"], let section = col["section"], let level = col["level"],
            let evidence = col["evidence"], let ja = col["ja"], let en = col["en"]
        else { return nil }
        (self.id, self.section, self.level, self.evidence, self.ja, self.en) = (id, section, level, evidence, ja, en)
        (category, scope, risks, rules) = (col["category"], col["scope"], col["risks"], col["rules"])
    }

    func column(_ kind: TermKind) -> Int? {
        switch kind {
        case .category: category
        case .scope: scope
        case .risk: risks
        }
    }
}
