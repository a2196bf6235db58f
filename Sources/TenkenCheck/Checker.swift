import TenkenData
import TenkenSyntax

/// The text of a rule pack: rule files (`*.tenken`) and the catalog (`catalog.tsv`),
/// from a directory or from the copy embedded in the binary.
public struct PackSource: Sendable {
    public var files: [(path: String, text: String)]
    public var catalog: (path: String, text: String)?
    public init(files: [(path: String, text: String)], catalog: (path: String, text: String)?) {
        self.files = files
        self.catalog = catalog
    }
}

public struct CheckOutcome: Sendable {
    public var pack: CheckedPack?
    public var diagnostics: [Diagnostic]
    public var files: [RuleFile]
}

/// Static checking of a whole pack before any data is read: syntax, names, types against
/// the snapshot schema, parameters, catalog ids, and level/category agreement.
public struct CheckOptions: Sendable {
    /// Turn equality joins into hash lookups. Off only in tests that compare both ways.
    public var indexJoins = true
    public init(indexJoins: Bool = true) { self.indexJoins = indexJoins }
}

public struct Checker {
    var bag = DiagnosticBag(cap: DiagnosticBag.packCap)
    var options = CheckOptions()
    var params: [ParamInfo] = []
    var paramIndex: [String: Int] = [:]
    var declaredParams: Set<String> = []
    /// Each parameter's default as written, and the choice values its rules compare it with.
    var paramDefaults: [Int: (expr: Expr, file: String)] = [:]
    var paramChoices: [Int: [String]] = [:]
    /// A rule in such a file may lack clauses only because they did not parse: say nothing.
    var filesWithSyntaxErrors: Set<String> = []
    var catalog: [CatalogItem] = []
    var catalogIndex: [String: CatalogItem] = [:]
    var outOfScopeSpans: [String: SourceLocation] = [:]
    /// The categories, scopes and risks the manifest declares.
    var taxonomy = Taxonomy()
    /// The manifest's named conditions, expanded into the rules that use them.
    var definitions: Definitions
    struct ExpansionKey: Hashable { var name, id, message: String }
    /// Diagnostics found in expansions, each with the number of uses it was found at.
    var byExpansion: [ExpansionKey: (Diagnostic, Int)] = [:]
    var expansionOrder: [ExpansionKey] = []
    /// `check.unchecked-signers` and `check.unchecked-roles` are each said once per pack, at the
    /// first attestation clause.
    var uncheckedNoted: Set<String> = []

    /// The schema rules are typed against: the environment the checker takes as input, as
    /// cel-go's checker takes its declarations.
    let schema: PackSchema

    init(schema: PackSchema) {
        self.schema = schema
        definitions = Definitions(schema: schema)
    }

    public static func check(
        _ source: PackSource, schema: PackSchema, options: CheckOptions = CheckOptions()
    ) -> CheckOutcome {
        var c = Checker(schema: schema)
        c.options = options
        return c.run(source)
    }

    mutating func run(_ source: PackSource) -> CheckOutcome {
        var files: [RuleFile] = []
        for f in source.files.sorted(by: { $0.path < $1.path }) {
            let (tree, diags) = Parser.parse(f.text, file: f.path)
            bag.add(contentsOf: diags)
            if diags.contains(where: { $0.severity == .error }) { filesWithSyntaxErrors.insert(f.path) }
            files.append(tree)
        }
        // The taxonomy first: the catalog's rows and the rules name its words.
        for f in files {
            if let p = f.items.lazy.compactMap({ item -> PackDecl? in
                if case .pack(let p) = item { return p } else { return nil }
            }).first {
                taxonomy = declaredTaxonomy(p, file: f.path)
                impliedTaxonomy(files: files, catalog: source.catalog, manifest: loc(f.path, p.name.span))
                break
            }
        }
        if let cat = source.catalog {
            let (items, diags) = CatalogParser.parse(cat.text, file: cat.path, taxonomy: taxonomy)
            bag.add(contentsOf: diags)
            catalog = items
            for i in items { catalogIndex[i.id] = i }
        } else {
            bag.add(
                Diagnostic(
                    "check.no-catalog", .error, "the pack has no catalog.tsv listing the source items it implements"))
        }
        // The manifest first: rules refer to its parameters.
        var info: PackInfo?
        for f in files {
            for case .pack(let p) in f.items {
                if info != nil {
                    bag.add(
                        Diagnostic(
                            "check.duplicate-pack", .error, "a second `pack` declaration; a pack has one manifest",
                            at: loc(f.path, p.span)))
                    continue
                }
                info = manifest(p, file: f.path)
            }
        }
        if info == nil {
            bag.add(Diagnostic("check.no-manifest", .error, "no `pack` declaration found; add a pack.tenken manifest"))
        }
        var rules: [CheckedRule] = []
        var seen: [String: SourceLocation] = [:]
        for f in files {
            for case .rule(let r) in f.items {
                let l = loc(f.path, r.id.span)
                if let prev = seen[r.id.text] {
                    bag.add(
                        Diagnostic(
                            "check.duplicate-rule", .error, "rule id `\(r.id.text)` is already used at \(prev)", at: l))
                    continue
                }
                seen[r.id.text] = l
                if let cr = rule(r, file: f.path) { rules.append(cr) }
            }
        }
        reportExpansionDiagnostics()
        checkParamChoices()
        var unused: [Diagnostic] = []
        definitions.reportUnused(into: &unused)
        bag.add(contentsOf: unused)
        coverage(files: files, hasManifest: info != nil)
        let order = Dictionary(uniqueKeysWithValues: catalog.enumerated().map { ($1.id, $0) })
        rules.sort { a, b in
            let x = a.implements.compactMap { order[$0] }.min() ?? Int.max
            let y = b.implements.compactMap { order[$0] }.min() ?? Int.max
            return x != y ? x < y : a.id < b.id
        }
        let diags = bag.sorted
        guard let info, !bag.hasErrors else { return CheckOutcome(pack: nil, diagnostics: diags, files: files) }
        return CheckOutcome(
            pack: CheckedPack(
                info: info, params: params, paramIndex: paramIndex, rules: rules, catalog: catalog, schema: schema),
            diagnostics: diags, files: files)
    }

    func loc(_ file: String, _ s: Span) -> SourceLocation { SourceLocation(file: file, line: s.line, column: s.column) }

    /// A parameter compared with a choice field holds values of that choice set: a word outside
    /// it never matches, so `d.wifi not in param.wifi.forbidden` with "opne" would pass an open
    /// network. A default's stray word is an error at the word; overrides are checked against
    /// `ParamInfo.choiceValues` when they are resolved.
    mutating func checkParamChoices() {
        for (i, vs) in paramChoices.sorted(by: { $0.key < $1.key }) {
            params[i].choiceValues = vs
            guard let (e, file) = paramDefaults[i] else { continue }
            let items: [Expr]
            if case .list(let xs) = e.kind { items = xs } else { items = [e] }
            for it in items {
                guard case .literal(.string(let w)) = it.kind, !vs.contains(w) else { continue }
                bag.add(
                    Diagnostic(
                        "check.unknown-enum-value", .error,
                        "parameter `\(params[i].name)` is compared with a choice field, and "
                            + "\(Formatter.quote(w)) is never one of its values; expected one of "
                            + vs.map { "\"\($0)\"" }.joined(separator: ", "),
                        at: loc(file, it.span), help: closestMatch(to: w, in: vs).map { "did you mean \"\($0)\"?" }))
            }
        }
    }

    /// A pack must check what its catalog lists: a pack with no rules, or a catalog item that
    /// no rule implements and the manifest does not declare out of scope, is an error (a
    /// deleted rule file must not make its item vanish from every report).
    mutating func coverage(files: [RuleFile], hasManifest: Bool) {
        var implemented = Set<String>()
        var anyRule = false
        var implementers: [String: [String]] = [:]
        var ruleAt: [String: SourceLocation] = [:]
        for f in files {
            for case .rule(let r) in f.items {
                anyRule = true
                ruleAt[r.id.text] = loc(f.path, r.id.span)
                for c in r.clauses {
                    if case .implements(let ns) = c.kind {
                        implemented.formUnion(ns.map(\.text))
                        for n in ns { implementers[n.text, default: []].append(r.id.text) }
                    }
                }
            }
        }
        declaredRules(implementers: implementers, ruleAt: ruleAt)
        if !anyRule, hasManifest {
            bag.add(
                Diagnostic(
                    "check.no-rules", .error,
                    "the pack has no rules; a pack with nothing to check would pass everything",
                    help: "add rule files (*.tenken) under rules/"))
        }
        for item in catalog {
            if let at = outOfScopeSpans[item.id] {
                if implemented.contains(item.id) {
                    bag.add(
                        Diagnostic(
                            "check.out-of-scope-implemented", .error,
                            "`\(item.id)` is declared out of scope, but a rule implements it", at: at,
                            help: "remove the `out_of_scope` clause or the rule"))
                }
                continue
            }
            if !implemented.contains(item.id), anyRule {
                bag.add(
                    Diagnostic(
                        "check.unimplemented-item", .error, "catalog item \(item.id) is implemented by no rule",
                        at: item.location,
                        help:
                            "add a rule that `implements \(item.id)`, or declare `out_of_scope \(item.id) because "
                            + "\"…\"` in the manifest"
                    ))
            }
        }
    }

    /// When the catalog names each item's rules (its `rules` column), the pack holds exactly
    /// those: a rule named and missing (a deleted file, while another rule still implements
    /// the item) is `check.missing-rule`, a rule that implements an item without being named
    /// there is `check.undeclared-rule` (an item declared `out_of_scope` needs none of its
    /// rules). Both are errors, so `lint`, `check`, `batch` and
    /// `test` refuse a pack that is not the one its catalog describes.
    mutating func declaredRules(implementers: [String: [String]], ruleAt: [String: SourceLocation]) {
        guard catalog.contains(where: { $0.rules != nil }) else { return }
        for item in catalog {
            let declared = item.rules ?? []
            let actual = Set(implementers[item.id] ?? [])
            // An item the manifest declares out of scope says so in every report; its rule is
            // gone on purpose (and a rule still implementing it is `out-of-scope-implemented`).
            for rule in declared where !actual.contains(rule) && outOfScopeSpans[item.id] == nil {
                let why =
                    ruleAt[rule] == nil ? "the pack has no rule `\(rule)`" : "rule `\(rule)` does not implement it"
                bag.add(
                    Diagnostic(
                        "check.missing-rule", .error, "catalog item \(item.id) names rule `\(rule)`, but \(why)",
                        at: item.location,
                        help:
                            "restore rules/\(rule).tenken from the published pack, or correct the catalog's `rules` "
                            + "column"
                    ))
            }
            for rule in actual.sorted() where !declared.contains(rule) {
                bag.add(
                    Diagnostic(
                        "check.undeclared-rule", .error,
                        "rule `\(rule)` implements \(item.id), but the catalog does not name it in that item's `rules`",
                        at: ruleAt[rule] ?? item.location,
                        help: "add `\(rule)` to the `rules` column of \(item.id) in catalog.tsv"))
            }
        }
    }

    // MARK: manifest

    mutating func manifest(_ p: PackDecl, file: String) -> PackInfo {
        var version: String?, title: Text?, source: String?, edition: String?, platform: String?
        var reportTitle: Text?, sourceWord: Text?
        var outOfScope: [(Name, String)] = []
        var conditions: [NamedCondition] = []
        var given: [String: SourceLocation] = [:]
        for c in p.clauses {
            // A clause that says one thing of the pack says it once: the second is refused, the first kept.
            if let clause = c.kind.onceName {
                if let first = given[clause] {
                    bag.add(
                        Diagnostic(
                            .checkDuplicateClause, .error, "`\(clause)` is already given at \(first)",
                            at: loc(file, c.span), help: "keep one `\(clause)` clause"))
                    continue
                }
                given[clause] = loc(file, c.span)
            }
            switch c.kind {
            case .version(let v): version = v
            case .title(let t):
                title = t
                label(t, of: "`title`", file: file)
            case .source(let s, let e, let called):
                source = s
                edition = e
                sourceWord = called
                if let called { label(called, of: "`called`", file: file) }
                if let called, called.ja == nil || called.en == nil {
                    bag.add(
                        Diagnostic(
                            .checkMissingClause, .error, "`called` needs the source's word in ja and en",
                            at: loc(file, c.span), help: "`called ja \"…\" en \"…\"`"))
                }
            case .reportTitle(let t):
                reportTitle = t
                label(t, of: "`report title`", file: file)
                if t.ja == nil || t.en == nil {
                    bag.add(
                        Diagnostic(
                            .checkMissingClause, .error, "`report title` needs the title in ja and en",
                            at: loc(file, c.span)))
                }
            case .platform(let name):
                if PackInfo.isCPE23(name) {
                    platform = name
                } else {
                    bag.add(
                        Diagnostic(
                            "check.bad-platform", .error,
                            "`\(name)` is not a CPE 2.3 name "
                                + "(cpe:2.3:part:vendor:product:version:update:edition:language:sw_edition:target_sw:ta"
                                + "rget_hw:other)",
                            at: loc(file, c.span), help: "for example \"cpe:2.3:a:vendor:product:*:*:*:*:*:*:*:*\""))
                }
            case .param(let d): param(d, file: file)
            case .outOfScope(let item, let reason): outOfScope.append((item, reason))
            case .define(let d):
                var diags: [Diagnostic] = []
                definitions.add(d, file: file, into: &diags)
                bag.add(contentsOf: diags)
                conditions.append(
                    NamedCondition(
                        name: d.name.text, parameters: d.parameters.map(\.text), source: Formatter.expr(d.body),
                        location: loc(file, d.name.span)))
            case .term: break  // read before the catalog, by `declaredTaxonomy`
            }
        }
        // Every definition is checked once, at its place, before any rule uses it.
        var defs = definitions, defineDiags: [Diagnostic] = []
        defs.finish(checker: self, into: &defineDiags)
        definitions = defs
        bag.add(contentsOf: defineDiags)
        let l = loc(file, p.span)
        if version == nil { bag.add(Diagnostic("check.missing-clause", .error, "pack needs a `version`", at: l)) }
        if title?.ja == nil || title?.en == nil {
            bag.add(Diagnostic("check.missing-clause", .error, "pack needs a `title` in ja and en", at: l))
        }
        var seen = Set<String>()
        for (item, reason) in outOfScope {
            if catalogIndex[item.text] == nil {
                bag.add(
                    Diagnostic(
                        "check.unknown-catalog-id", .error, "`\(item.text)` is not an item of the catalog",
                        at: loc(file, item.span),
                        help: closestMatch(to: item.text, in: catalogIndex.keys).map { "did you mean `\($0)`?" }))
            } else if !seen.insert(item.text).inserted {
                bag.add(
                    Diagnostic(
                        "check.duplicate-clause", .error, "`\(item.text)` is declared out of scope twice",
                        at: loc(file, item.span)))
            }
            if Spaces.isBlank(reason) {
                bag.add(
                    Diagnostic(
                        "check.missing-reason", .error, "`out_of_scope \(item.text)` needs a reason after `because`",
                        at: loc(file, item.span)))
            }
        }
        outOfScopeSpans = Dictionary(
            outOfScope.map { ($0.0.text, loc(file, $0.0.span)) }, uniquingKeysWith: { a, _ in a })
        return PackInfo(
            id: p.name.text, version: version ?? "0", title: Bilingual(ja: title?.ja ?? "", en: title?.en ?? ""),
            source: source ?? "", edition: edition ?? "", platform: platform,
            declaredReportTitle: reportTitle.map { Bilingual(ja: $0.ja ?? $0.en ?? "", en: $0.en ?? $0.ja ?? "") },
            declaredSourceWord: sourceWord.map { Bilingual(ja: $0.ja ?? $0.en ?? "", en: $0.en ?? $0.ja ?? "") },
            outOfScope: outOfScope.filter { catalogIndex[$0.0.text] != nil }.map {
                OutOfScopeItem(id: $0.0.text, reason: $0.1)
            }, taxonomy: taxonomy, conditions: conditions)
    }

    /// `check.bad-label` for each language of `text` that is empty or padded with white space,
    /// the rule the schema file holds its labels to (`labelProblem`): a report would print it as
    /// nothing, or misaligned.
    mutating func label(_ text: Text, of what: String, file: String) {
        for (lang, s) in [("ja", text.ja), ("en", text.en)] {
            guard let s, let why = labelProblem(s) else { continue }
            bag.add(
                Diagnostic(
                    .checkBadLabel, .error, "\(what)'s \(lang) text \(why)", at: loc(file, text.span),
                    help: "write the words themselves, without spaces around them"))
        }
    }

    /// The manifest's `category`, `scope` and `risk` declarations, in order. A word declared
    /// twice is `check.duplicate-clause` (the error says where first), one without a label in
    /// both languages is `check.missing-clause`; either way it is still declared, so the rules
    /// and catalog rows naming it report nothing more.
    mutating func declaredTaxonomy(_ p: PackDecl, file: String) -> Taxonomy {
        var t = Taxonomy()
        for c in p.clauses {
            guard case .term(let kind, let id, let label) = c.kind else { continue }
            let at = loc(file, id.span)
            if let first = t.term(kind, id.text) {
                bag.add(
                    Diagnostic(
                        .checkDuplicateClause, .error,
                        "\(kind.rawValue) `\(id.text)` is already declared at \(first.location.map(\.description) ?? "?")",
                        at: at))
                continue
            }
            if label.ja == nil || label.en == nil {
                bag.add(
                    Diagnostic(
                        .checkMissingClause, .error, "\(kind.rawValue) `\(id.text)` needs a label in ja and en", at: at,
                        help: "`\(kind.rawValue) \(id.text) ja \"…\" en \"…\"`"))
            }
            self.label(label, of: "\(kind.rawValue) `\(id.text)`", file: file)
            let term = TaxonomyTerm(
                id: id.text, label: Bilingual(ja: label.ja ?? label.en ?? id.text, en: label.en ?? label.ja ?? id.text),
                location: at)
            switch kind {
            case .category: t.categories.append(term)
            case .scope: t.scopes.append(term)
            case .risk: t.risks.append(term)
            }
        }
        return t
    }

    /// The migration of packs written before the taxonomy was declared: for each kind the
    /// manifest declares no word of, the words the catalog (in row order) and then the rules (in
    /// file order) name are taken as declared, labelled by their ids, exactly as if the lines
    /// the warning gives were pasted into the manifest. One `check.implied-terms` warning per
    /// kind, at the manifest's name, lists them, so the implication is never silent. A kind of
    /// which the manifest declares at least one word is left strict.
    mutating func impliedTaxonomy(files: [RuleFile], catalog: (path: String, text: String)?, manifest: SourceLocation) {
        // A pack declaring words of every kind implies none: skip reading the catalog a second
        // time (a fifth of `tenken check`'s instructions for the MCS pack).
        guard TermKind.allCases.contains(where: { taxonomy.terms($0).isEmpty }) else { return }
        var used = catalog.map { CatalogParser.words($0.text, file: $0.path) } ?? []
        for f in files {
            for case .rule(let r) in f.items {
                for c in r.clauses {
                    let names: [(TermKind, Name)] =
                        switch c.kind {
                        case .category(let n): [(.category, n)]
                        case .scope(let n): [(.scope, n)]
                        case .risks(let ns): ns.map { (.risk, $0) }
                        default: []
                        }
                    used += names.map { ($0.0, $0.1.text, loc(f.path, $0.1.span)) }
                }
            }
        }
        for kind in TermKind.allCases where taxonomy.terms(kind).isEmpty {
            // A word no manifest could declare is never implied: the catalog's reading refuses
            // it at its cell (`check.invalid-term`), so the lines to paste always lint.
            var words: [(word: String, at: SourceLocation)] = []
            for u in used
            where u.kind == kind && Parser.isDashedName(u.word) && !words.contains(where: { $0.word == u.word }) {
                if let first = words.first(where: { Taxonomy.folded($0.word) == Taxonomy.folded(u.word) }) {
                    // Still implied, so the slip is one error, not one more at every use.
                    bag.add(
                        Diagnostic(
                            .checkTermTwins, .error,
                            "\(kind.rawValue) `\(Taxonomy.shown(u.word))` is `\(Taxonomy.shown(first.word))` (first "
                                + "named at \(first.at)) written with another width or case",
                            at: u.at, help: "write `\(Taxonomy.shown(first.word))` in both places"))
                }
                words.append((u.word, u.at))
            }
            guard !words.isEmpty else { continue }
            let terms = words.map { TaxonomyTerm(id: $0.word, label: Bilingual(ja: $0.word, en: $0.word)) }
            switch kind {
            case .category: taxonomy.categories = terms
            case .scope: taxonomy.scopes = terms
            case .risk: taxonomy.risks = terms
            }
            let one = words.count == 1
            bag.add(
                Diagnostic(
                    .checkImpliedTerms, .warning,
                    "the manifest declares no \(kind.plural): the \(one ? "one" : String(words.count)) the rules and "
                        + "catalog name (\(words.map { Taxonomy.shown($0.word) }.joined(separator: ", "))) "
                        + (one
                            ? "is taken as declared, labelled by its id"
                            : "are taken as declared, labelled by their ids"),
                    at: manifest,
                    notes: words.map { "`\(Taxonomy.shown($0.word))` is first named at \($0.at)" }
                        + words.map { "\(kind.rawValue) \($0.word) ja \"\($0.word)\" en \"\($0.word)\"" },
                    help:
                        "paste the \(kind.rawValue) lines above into the `pack` block and give them labels; "
                        + "once a pack declares one \(kind.rawValue), every word it does not declare is an error"))
        }
    }

    /// The word a rule's `category`, `scope` or `risks` clause names, if the manifest declares
    /// it; otherwise `check.unknown-category` (`-scope`, `-risk`) with the nearest declared word.
    mutating func declared(_ kind: TermKind, _ n: Name, file: String) -> String? {
        if taxonomy.term(kind, n.text) != nil { return n.text }
        let (message, help) = taxonomy.refusal(kind, n.text)
        bag.add(Diagnostic(Taxonomy.unknownID(kind), .error, message, at: loc(file, n.span), help: help))
        return nil
    }

    mutating func param(_ d: ParamDecl, file: String) {
        let l = loc(file, d.name.span)
        if !declaredParams.insert(d.name.text).inserted {
            bag.add(Diagnostic("check.duplicate-param", .error, "parameter `\(d.name.text)` is declared twice", at: l))
            return
        }
        let type = ValueType(d.type)
        // Defaults are constants: no snapshot, no other parameters (so no cycles).
        guard let v = constant(d.defaultValue, file: file, expected: type, what: "default of `\(d.name.text)`") else {
            return
        }
        var limit: (LimitOp, Value)?
        if let lim = d.limit {
            if let lv = constant(lim.value, file: file, expected: type, what: "limit of `\(d.name.text)`") {
                limit = (lim.op, lv)
                if !Checker.satisfies(v, lim.op, lv) {
                    bag.add(
                        Diagnostic(
                            "check.bad-limit", .error,
                            "default \(v.display) is already past its own limit \(ParamInfo.limitText(lim.op, lv))",
                            at: loc(file, d.defaultValue.span)))
                }
            }
        }
        if Spaces.isBlank(d.reason) {
            bag.add(
                Diagnostic(
                    "check.missing-reason", .error,
                    "parameter `\(d.name.text)` needs a one-line reason after `because`", at: l))
        }
        paramIndex[d.name.text] = params.count
        paramDefaults[params.count] = (d.defaultValue, file)
        params.append(
            ParamInfo(name: d.name.text, type: type, defaultValue: v, limit: limit, reason: d.reason, location: l))
    }

    /// Whether `v` stays within the source's bound. For a list, `<=` means every value is one
    /// the bound lists (a subset: adding WEP to the acceptable Wi-Fi encryptions widens the
    /// source's set), and `>=` means every value the bound lists is kept (a superset: dropping
    /// smartphones from the mobile devices narrows what a rule checks).
    public static func satisfies(_ v: Value, _ op: LimitOp, _ bound: Value) -> Bool {
        switch (v, bound) {
        case let (.list(xs), .list(bs)): return op == .le ? xs.allSatisfy(bs.contains) : bs.allSatisfy(xs.contains)
        case let (.int(a), .int(b)): return op == .ge ? a >= b : a <= b
        case let (.duration(a), .duration(b)): return op == .ge ? a >= b : a <= b
        case let (.date(a), .date(b)): return op == .ge ? a >= b : a <= b
        default: return true
        }
    }

    mutating func constant(_ e: Expr, file: String, expected: ValueType, what: String) -> Value? {
        var ctx = ExprCompiler(checker: self, file: file)
        ctx.allowSnapshot = false
        let (node, type) = ctx.compile(e)
        bag.add(contentsOf: ctx.diags)
        guard !ctx.diags.contains(where: { $0.severity == .error }) else { return nil }
        guard expected.compatible(type) else {
            bag.add(
                Diagnostic(
                    "check.type-mismatch", .error, "\(what) is \(type), expected \(expected)", at: loc(file, e.span)))
            return nil
        }
        guard let v = ConstantFolder.fold(node) else {
            bag.add(Diagnostic("check.not-constant", .error, "\(what) must be a constant", at: loc(file, e.span)))
            return nil
        }
        return v
    }

    // MARK: rules

    mutating func rule(_ r: RuleDecl, file: String) -> CheckedRule? {
        let l = loc(file, r.id.span)
        var implements: [Name] = [], level: Name?, category: Name?, scope: Name?, risks: [Name] = []
        var section: String?, title: Text?, remediation: Text?
        // Each condition as checked (named conditions expanded) and as written (for explain).
        var applies: (Expr, Text?, written: Expr)?
        var expects: [(Expr, Text?, Span, written: Expr)] = []
        var attestation: (String, [Name], Expr, Expr?, Span, written: (renew: Expr, unless: Expr?))?
        func once<T>(_ slot: inout T?, _ v: T, _ name: String, _ s: Span) {
            if slot != nil {
                bag.add(
                    Diagnostic(
                        "check.duplicate-clause", .error, "`\(name)` is given twice in rule `\(r.id.text)`",
                        at: loc(file, s)))
            }
            slot = v
        }
        // Named conditions are expanded first: a rule is checked as if it held them.
        // An error found only in an expansion (it depends on the arguments) is reported at the
        // use, with a note naming the definition.
        var expansionDiags: [Diagnostic] = []
        var useSites: [SourceLocation: String] = [:]
        func expanded(_ e: Expr) -> Expr {
            let out = definitions.expand(e, file: file, into: &expansionDiags)
            for (span, name) in definitions.useSites { useSites[loc(file, span)] = name }
            return out
        }
        defer { bag.add(contentsOf: expansionDiags) }
        for c in r.clauses {
            switch c.kind {
            case .implements(let ns): implements += ns
            case .level(let n): once(&level, n, "level", c.span)
            case .category(let n): once(&category, n, "category", c.span)
            case .scope(let n): once(&scope, n, "scope", c.span)
            case .risks(let ns): risks += ns
            case .section(let s): once(&section, s, "section", c.span)
            case .title(let t): once(&title, t, "title", c.span)
            case .remediation(let t): once(&remediation, t, "remediation", c.span)
            case .applies(let e, let o): once(&applies, (expanded(e), o, e), "applies when", c.span)
            case .expect(let e, let m): expects.append((expanded(e), m, c.span, e))
            case .attestation(let k, let roles, let renew, let unless):
                once(
                    &attestation, (k, roles, expanded(renew), unless.map(expanded), c.span, (renew, unless)),
                    "attestation", c.span)
            }
        }
        var ok = true
        let quiet = filesWithSyntaxErrors.contains(file)
        func need(_ present: Bool, _ what: String) {
            if !present {
                ok = false
                if quiet { return }
                bag.add(Diagnostic("check.missing-clause", .error, "rule `\(r.id.text)` needs \(what)", at: l))
            }
        }
        need(!implements.isEmpty, "`implements` with at least one catalog id")
        need(level != nil, "a `level`")
        // A category (and a scope) is needed when the pack declares some, and refused below when it declares none.
        need(category != nil || taxonomy.categories.isEmpty, "a `category`")
        need(scope != nil || taxonomy.scopes.isEmpty, "a `scope`")
        need(title?.ja != nil && title?.en != nil, "a `title` in ja and en")
        need(remediation?.ja != nil && remediation?.en != nil, "a `remediation` in ja and en")
        need(!expects.isEmpty || attestation != nil, "at least one `expect` or an `attestation`")

        let lv = level.flatMap { n in self.level(n, file: file) }
        let cat = category.flatMap { n in declared(.category, n, file: file).map(Category.init) }
        let sc = scope.flatMap { n in declared(.scope, n, file: file).map(Scope.init) }
        if category != nil, cat == nil { ok = false }
        if scope != nil, sc == nil { ok = false }
        for rk in risks { _ = declared(.risk, rk, file: file) }
        for id in implements {
            guard let item = catalogIndex[id.text] else {
                bag.add(
                    Diagnostic(
                        "check.unknown-catalog-id", .error, "`\(id.text)` is not an item of the catalog",
                        at: loc(file, id.span),
                        help: closestMatch(to: id.text, in: catalogIndex.keys).map { "did you mean `\($0)`?" }))
                ok = false
                continue
            }
            if let lv, let level, lv != item.level {
                bag.add(
                    Diagnostic(
                        "check.catalog-mismatch", .error,
                        "rule level `\(lv.rawValue)` disagrees with catalog item \(item.id), which is "
                            + "`\(item.level.rawValue)`",
                        at: loc(file, level.span)))
            }
            agree(.category, cat?.rawValue, category, item.category?.rawValue, item: item.id, file: file)
            agree(.scope, sc?.rawValue, scope, item.scope?.rawValue, item: item.id, file: file)
        }

        var compiler = ExprCompiler(checker: self, file: file)
        var appliesNode: Node?
        var appliesRoots = Set<Int>(), expectRoots = Set<Int>()
        if let (e, _, _) = applies {
            let testsBefore = compiler.presenceTests.count
            appliesNode = compiler.compileCondition(e, what: "the `applies when` condition")
            compiler.warnBlankSkips(since: testsBefore, in: "the `applies when` condition")
            // A section the condition reads only after testing it present is not needed to
            // decide it (`facility.uses_wifi or (networks is present and …)`).
            appliesNode?.neededRoots(into: &appliesRoots)
            if let n = appliesNode, case .bool(false)? = ConstantFolder.fold(n) {
                compiler.diags.append(
                    Diagnostic(
                        "check.never-applies", .error,
                        "the `applies when` condition is always false; the rule can never apply",
                        at: loc(file, e.span)))
            }
        }
        var checkedExpects: [CheckedExpect] = []
        for (e, m, span, written) in expects {
            if let ce = compiler.compileExpect(e, message: m, span: span, source: Formatter.expr(written)) {
                switch ce.shape {
                case .single(let n): n.roots(into: &expectRoots)
                case .perElement(_, let loop): loop.roots(into: &expectRoots)
                }
                checkedExpects.append(ce)
            }
        }
        var att: CheckedAttestation?
        if let (key, roles, renew, unless, clause, written) = attestation {
            let (node, type) = compiler.compile(renew)
            if type != .duration && type != .any {
                compiler.diags.append(
                    Diagnostic(
                        "check.type-mismatch", .error, "`renew` needs a duration, found \(type)",
                        at: loc(file, renew.span)))
            }
            // The sections `unless` reads are not the rule's: without them the data shows
            // nothing, and a person's statement is needed as usual.
            let unlessNode = unless.map { compiler.compileCondition($0, what: "the `unless` condition") }
            // The clause is answered by the pack's statements (docs/dsl.md "Mechanisms"): a pack
            // that declares none has nothing to answer it with.
            if let st = schema.mechanisms.statements {
                // A role a statement cannot name could never sign: the item would stay unanswered.
                let held =
                    schema.mechanisms.appointments.map { "a role of the \($0.label.en)" }
                    ?? "a role a statement may name"
                for role in roles where !st.roles.contains(role.text) {
                    compiler.diags.append(
                        Diagnostic(
                            "check.unknown-role", .error,
                            "`\(role.text)` is not \(held) (\(st.roles.joined(separator: ", ")))",
                            at: loc(file, role.span),
                            help: closestMatch(to: role.text, in: st.roles).map { "did you mean `\($0)`?" }))
                }
                // A signer check the schema leaves out is less assurance, never silent: a note once
                // per pack, at the first clause. Without a roster, employment is not checked;
                // without appointments, anyone who may sign may claim any role the rule accepts.
                let unchecked: [(Bool, String, String, String)] = [
                    (
                        schema.mechanisms.roster == nil, "check.unchecked-signers",
                        "`roster`, so whether a statement's signer was on the staff when signing is not checked",
                        "roster SECTION { person F  from F  until F … }"
                    ),
                    (
                        schema.mechanisms.appointments == nil, "check.unchecked-roles",
                        "`appointments`, so whether a statement's signer holds the role they sign in is not checked "
                            + "(only that the rule accepts the role)",
                        "appointments SECTION { role F  person F  since F … }"
                    ),
                ]
                for (missing, id, what, decl) in unchecked where missing && !uncheckedNoted.contains(id) {
                    uncheckedNoted.insert(id)
                    compiler.diags.append(
                        Diagnostic(
                            id, .note, "the schema declares no \(what)", at: loc(file, clause),
                            help: "declare `\(decl)` in schema.tenken to check it"))
                }
            } else {
                compiler.diags.append(
                    Diagnostic(
                        "check.no-attestations", .error,
                        "`attestation` needs statements to answer it, and the pack's schema declares none",
                        at: loc(file, clause),
                        help:
                            "declare `statements SECTION { item F  answer F … }` in schema.tenken, or remove the clause"
                    ))
            }
            att = CheckedAttestation(
                key: key, roles: roles.map(\.text), renew: node, renewSource: Formatter.expr(written.renew),
                unless: unlessNode, unlessSource: written.unless.map(Formatter.expr))
        }
        for (i, vs) in compiler.paramChoices {
            paramChoices[i] = paramChoices[i].map { old in old.filter(vs.contains) } ?? vs
        }
        if compiler.diags.contains(where: { $0.severity == .error }) { ok = false }
        for d in compiler.diags {
            if let at = d.location, let name = useSites[at] { expansionDiagnostic(d, in: name) } else { bag.add(d) }
        }
        guard ok, let lv, let titleJa = title?.ja, let titleEn = title?.en,
            let remediationJa = remediation?.ja, let remediationEn = remediation?.en
        else { return nil }
        return CheckedRule(
            id: r.id.text, implements: implements.map(\.text), level: lv, category: cat, scope: sc,
            risks: risks.map(\.text),
            section: section ?? "", title: Bilingual(ja: titleJa, en: titleEn),
            remediation: Bilingual(ja: remediationJa, en: remediationEn),
            applies: appliesNode, appliesSource: applies.map { Formatter.expr($0.written) },
            otherwise: applies?.1.map { Bilingual(ja: $0.ja ?? $0.en ?? "", en: $0.en ?? $0.ja ?? "") },
            expects: checkedExpects, attestation: att, appliesRoots: appliesRoots, expectRoots: expectRoots,
            slotCount: compiler.maxSlots, reads: compiler.reads,
            presenceTests: compiler.presenceTests.map { PresenceTest(read: $0.read, location: $0.at) }, location: l)
    }

    /// A diagnostic found in the expansion of condition `name` (it depends on the arguments):
    /// the same one at several uses is reported once, at the first, with the definition's
    /// place and the number of other uses (`reportExpansionDiagnostics`).
    mutating func expansionDiagnostic(_ d: Diagnostic, in name: String) {
        let key = ExpansionKey(name: name, id: d.id, message: d.message)
        if byExpansion[key] == nil { expansionOrder.append(key) }
        byExpansion[key, default: (d, 0)].1 += 1
    }

    mutating func reportExpansionDiagnostics() {
        for key in expansionOrder {
            guard var (d, uses) = byExpansion[key] else { continue }
            d.notes.append(
                definitions.definedAt(key.name)
                    + (uses > 1 ? "; the same at \(uses - 1) other use\(uses == 2 ? "" : "s")" : ""))
            bag.add(d)
        }
    }

    /// A rule's category (or scope) must be its catalog item's: `check.catalog-mismatch` at the
    /// clause otherwise. A catalog cell naming no declared word is already an error at the cell.
    mutating func agree(
        _ kind: TermKind, _ ruleWord: String?, _ clause: Name?, _ itemWord: String?, item: String, file: String
    ) {
        guard let ruleWord, let clause, let itemWord, ruleWord != itemWord, taxonomy.term(kind, itemWord) != nil
        else { return }
        bag.add(
            Diagnostic(
                .checkCatalogMismatch, .error,
                "rule \(kind.rawValue) `\(ruleWord)` disagrees with catalog item \(item), which is `\(itemWord)`",
                at: loc(file, clause.span)))
    }

    /// The level a rule names: one of the engine's four, whose meaning for the exit code the
    /// engine fixes; any other word is `check.unknown-level`.
    mutating func level(_ n: Name, file: String) -> Level? {
        if let v = Level(rawValue: n.text) { return v }
        bag.add(Level.refusal(n.text, at: loc(file, n.span)))
        return nil
    }
}

extension PackClause {
    /// The clause's keyword when the manifest may give it once (each says one thing of the
    /// whole pack); nil for those it may repeat (`param`, `define`, `out_of_scope`, taxonomy words).
    fileprivate var onceName: String? {
        switch self {
        case .version: "version"
        case .title: "title"
        case .source: "source"
        case .reportTitle: "report title"
        case .platform: "platform"
        case .param, .outOfScope, .define, .term: nil
        }
    }
}
