import TenkenCheck
import TenkenData
import TenkenEval

/// A single self-contained HTML file: inline CSS and SVG, no scripts, nothing from the network,
/// printable on A4. Gaps come first with the source's words, evidence and remediation.
public enum HTMLReport: TreeReport {
    static let stateColors: [(RuleState, String)] = [
        (.fail, "#c62828"), (.unknown, "#d84315"), (.error, "#6a1b9a"), (.manual, "#f9a825"), (.waived, "#8d6e63"),
        (.attested, "#00897b"), (.pass, "#2e7d32"), (.notApplicable, "#b0b0b0"),
    ]

    static let css = """
        :root { --ink: #1d2330; --muted: #5b6475; --line: #d9dde5; --fail: #c62828; --pass: #2e7d32; --manual: #b78103; --att: #00897b; --err: #6a1b9a; --na: #8a8f99; }
        * { box-sizing: border-box; }
        body { font-family: "Noto Sans CJK JP", "Noto Sans JP", "Hiragino Sans", "Yu Gothic", "Meiryo", sans-serif; color: var(--ink); margin: 0; line-height: 1.55; font-size: 10.5pt; background: #fff; }
        main { max-width: 190mm; margin: 0 auto; padding: 12mm 0; }
        header.cover { border-bottom: 3px solid var(--ink); padding-bottom: 4mm; margin-bottom: 6mm; }
        .brand { font-size: 9pt; letter-spacing: .08em; color: var(--muted); margin: 0; }
        h1 { font-size: 20pt; margin: 1mm 0 2mm; }
        h1 .fid { font-size: 11pt; color: var(--muted); font-weight: normal; margin-left: .5em; }
        h2 { font-size: 14pt; border-left: 5px solid var(--ink); padding-left: 3mm; margin: 8mm 0 3mm; }
        h3 { font-size: 11.5pt; margin: 0; }
        dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 1mm 5mm; margin: 0; font-size: 9.5pt; }
        dl.meta dt { color: var(--muted); }
        dl.meta dd { margin: 0; }
        .verdict { font-size: 13pt; font-weight: bold; padding: 3mm 4mm; border-radius: 2mm; margin: 3mm 0; }
        .verdict.bad { background: #fdecea; color: var(--fail); border: 1px solid #f5c2c0; }
        .verdict.good { background: #e8f5e9; color: var(--pass); border: 1px solid #bfe3c1; }
        table { border-collapse: collapse; width: 100%; font-size: 9.5pt; }
        th, td { border: 1px solid var(--line); padding: 1.2mm 2mm; text-align: left; vertical-align: top; }
        th { background: #f3f5f8; font-weight: 600; }
        table.counts td.n { text-align: right; font-variant-numeric: tabular-nums; }
        table.counts td.n.hot { color: var(--fail); font-weight: bold; }
        figure { margin: 4mm 0; }
        figcaption { font-size: 9pt; color: var(--muted); }
        .params li.loosened { color: var(--fail); font-weight: 600; }
        p.warning { color: var(--fail); font-weight: 600; font-size: 9.5pt; margin: 2mm 0 0; }
        article.item { border: 1px solid var(--line); border-left: 6px solid var(--na); border-radius: 1.5mm; padding: 3mm 4mm; margin: 0 0 4mm; }
        article.s-fail { border-left-color: var(--fail); }
        article.s-error { border-left-color: var(--err); }
        article.s-manual { border-left-color: var(--manual); }
        article.s-waived { border-left-color: #8d6e63; }
        .item header { display: flex; flex-wrap: wrap; gap: 2mm; align-items: baseline; margin-bottom: 2mm; }
        .badge { display: inline-block; font-size: 8.5pt; font-weight: bold; padding: .3mm 2mm; border-radius: 1mm; color: #fff; background: var(--na); white-space: nowrap; }
        .badge.fail { background: var(--fail); } .badge.pass { background: var(--pass); } .badge.manual { background: var(--manual); }
        .badge.attested { background: var(--att); } .badge.error { background: var(--err); } .badge.waived { background: #8d6e63; } .badge.unknown { background: #d84315; }
        .tag { font-size: 8.5pt; color: var(--muted); border: 1px solid var(--line); border-radius: 1mm; padding: 0 1.5mm; white-space: nowrap; }
        blockquote { margin: 1mm 0 2mm; padding: 1.5mm 3mm; background: #f7f8fa; border-left: 3px solid var(--line); font-size: 9.5pt; }
        blockquote p { margin: 0; }
        blockquote .gloss { color: var(--muted); margin-top: 1mm; }
        table.findings { margin: 2mm 0; font-size: 8.5pt; line-height: 1.35; table-layout: fixed; }
        table.findings th, table.findings td { padding: .6mm 1.5mm; }
        table.findings th.no { width: 7mm; } table.findings th.msg { width: 38%; } table.findings th.field { width: 16%; }
        table.findings th.val { width: 13%; } table.findings th.loc { width: auto; }
        table.findings td.no { white-space: nowrap; text-align: right; color: var(--muted); font-variant-numeric: tabular-nums; }
        table.findings td.msg p { margin: 0; }
        table.findings tbody { break-inside: avoid; }
        table.findings tbody + tbody { border-top: 1.5px solid var(--line); }
        table.findings td { overflow-wrap: anywhere; }
        table.findings td.loc { font-family: "Noto Sans Mono", "DejaVu Sans Mono", monospace; font-size: 7.5pt; word-break: break-all; color: var(--muted); }
        table.findings td.field { word-break: keep-all; }
        .fix { margin: 2mm 0 0; padding: 2mm 3mm; background: #eef6ff; border-radius: 1mm; }
        .reason { color: var(--muted); margin: 1mm 0; }
        table.ok { font-size: 8.5pt; line-height: 1.35; }
        table.ok th, table.ok td { padding: .5mm 1.5mm; }
        table.ok td.state, table.ok td.ids { white-space: nowrap; }
        span.nw { white-space: nowrap; }
        table.ok th.title { width: 46%; }
        table.ok .badge { font-size: 7.5pt; padding: 0 1.5mm; }
        footer { margin-top: 8mm; padding-top: 3mm; border-top: 1px solid var(--line); font-size: 8.5pt; color: var(--muted); }
        @page { size: A4; margin: 14mm 12mm; }
        @media print {
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          main { max-width: none; padding: 0; }
          body { font-size: 10pt; }
          /* Sections follow on from each other (a page each left many pages half empty). */
          h2 { margin-top: 6mm; }
          h2, h3, .item header, blockquote, p.reason { break-after: avoid; }
          .item header, blockquote, .fix, tr, table.findings tbody { break-inside: avoid; }
          article.item { padding: 2mm 3mm; margin-bottom: 3mm; }
          thead { display: table-header-group; }
          p, li { orphans: 3; widows: 3; }
        }
        """

    public static func tree(_ r: ReportInput) -> XMLTree {
        let res = r.result
        let L = r.lang
        func t(_ ja: String, _ en: String) -> String { L.pick(ja: ja, en: en) }
        let tree = XMLTree(htmlLang: L == .en ? "en" : "ja")
        let html = tree.root
        let head = tree.add("head", to: html)
        tree.add("meta", to: head, ["charset": "UTF-8"])
        tree.add("meta", to: head, ["name": "viewport", "content": "width=device-width, initial-scale=1"])
        tree.add("meta", to: head, ["name": "generator", "content": "tenken \(r.toolVersion)"])
        tree.add(
            "title", to: head,
            text: "\(t("点検レポート", "Compliance report")) — \(res.facilityName ?? res.facilityID) — \(res.asOf)")
        tree.add("style", to: head, text: css)
        let body = tree.add("body", to: html)
        let main = tree.add("main", to: body)

        // Cover.
        let cover = tree.add("header", to: main, ["class": "cover"])
        tree.add(
            "p", to: cover, ["class": "brand"], text: "TENKEN · " + L.pick(res.pack.reportTitle))
        let h1 = tree.add("h1", to: cover, text: res.facilityName ?? res.facilityID)
        // A subject without a name is headed by its id, once.
        if res.facilityName != nil { tree.add("span", to: h1, ["class": "fid"], text: res.facilityID) }
        let meta = tree.add("dl", to: cover, ["class": "meta"])
        for (k, v) in [
            (t("基準日", "As of"), res.asOf.description),
            (L.pick(res.pack.sourceWord), "\(res.pack.source) \(res.pack.edition)"),
            (t("パック", "Pack"), "\(L.pick(res.pack.title)) (\(res.pack.id) \(res.pack.version))"),
            (t("入力", "Inputs"), res.inputsText),
        ]
            + (res.providerProfile.map {
                [(L.pick(Labels.providerProfileHeading($0)), L.pick(Labels.providerProfile($0)))]
            }
                ?? [])
            + Labels.outOfScope(res.pack).map { (t("点検しない項目", "Not checked"), L.pick($0)) }
        {
            tree.add("dt", to: meta, text: k)
            tree.add("dd", to: meta, text: v)
        }
        if let w = res.providerProfile?.warning {
            tree.add("p", to: cover, ["class": "warning"], text: "⚠ " + L.pick(w))
        }

        // Summary.
        let summary = tree.add("section", to: main, ["class": "summary"])
        tree.add("h2", to: summary, text: t("要約", "Summary"))
        let requiredGaps = r.items.filter { $0.rule.level == .required && $0.result.state == .fail }.count
        let needPerson = r.items.filter { $0.result.state == .manual }.count
        let errors = r.items.filter { $0.result.state == .error || $0.result.state == .unknown }.count
        let verdictText =
            requiredGaps + errors == 0
            ? t("必要事項はすべて満たしています", "All required items are met")
                + (needPerson > 0 ? t("（要確認 \(needPerson) 件）", " (\(needPerson) to check by hand)") : "")
            : t("必要事項の不合格 \(requiredGaps) 件", "\(requiredGaps) required item\(requiredGaps == 1 ? "" : "s") not met")
                + (errors > 0 ? t("・判定できない規則 \(errors) 件", ", \(errors) could not be decided") : "")
        tree.add(
            "p", to: summary, ["class": "verdict " + (requiredGaps + errors == 0 ? "good" : "bad")], text: verdictText)
        let counts = tree.add("table", to: summary, ["class": "counts"])
        let hr = tree.add("tr", to: tree.add("thead", to: counts))
        tree.add("th", to: hr, text: t("水準", "Level"))
        // A pack without statements has no attested column, and only the levels its rules use
        // have a row (the fleet pack's are all `required`; no `provider` row for a pack that
        // has no provider's measures).
        let states = Labels.stateOrder.filter { $0 != .attested || r.pack.schema.mechanisms.statements != nil }
        for st in states { tree.add("th", to: hr, text: L.pick(Labels.state(st))) }
        let tb = tree.add("tbody", to: counts)
        for lv in Level.allCases where r.pack.rules.contains(where: { $0.level == lv }) {
            let row = tree.add("tr", to: tb)
            tree.add("th", to: row, text: L.pick(Labels.level(lv)))
            for st in states {
                let n = res.count(lv, st, rules: r.pack.rules)
                tree.add("td", to: row, ["class": n > 0 && st == .fail ? "n hot" : "n"], text: String(n))
            }
        }
        chart(tree, summary, r)
        let overridden = res.params.filter { $0.origin != .default }
        if !overridden.isEmpty {
            let box = tree.add("div", to: summary, ["class": "params"])
            tree.add("h3", to: box, text: t("上書きされたパラメータ", "Overridden parameters"))
            let ul = tree.add("ul", to: box)
            for p in overridden {
                let li = tree.add(
                    "li", to: ul, p.flagged ? ["class": "loosened"] : [:], text: Labels.overriddenParameter(p, L))
                if let note = p.looseningNote { tree.text(" ⚠ " + L.pick(note), in: li) }
            }
        }
        if !res.inputWarnings.isEmpty {
            let box = tree.add("div", to: summary, ["class": "params input-warnings"])
            tree.add(
                "h3", to: box, text: t("入力の警告（読まなかった・選んだ入力）", "Input warnings (input not read, or chosen between)"))
            let ul = tree.add("ul", to: box)
            for d in res.inputWarnings { tree.add("li", to: ul, ["class": "loosened"], text: "⚠ " + d.description) }
        }

        // One section per category: gaps and items needing a person first, then a table of the rest.
        for section in Labels.sections(r.pack.info) {
            let items = r.items.filter { $0.rule.category == section.category }
            if items.isEmpty { continue }
            let sec = tree.add("section", to: main, ["class": "category", "id": "cat-\(section.id)"])
            tree.add("h2", to: sec, text: L.pick(section.label))
            let open = items.filter { Labels.openStates.contains($0.result.state) }
            for (rule, result) in open { article(tree, sec, rule, result, r) }
            let rest = items.filter { !Labels.openStates.contains($0.result.state) }
            if !rest.isEmpty {
                let tbl = tree.add("table", to: sec, ["class": "ok"])
                let h = tree.add("tr", to: tree.add("thead", to: tbl))
                for (c, cls) in [
                    (t("状態", "State"), "state"), (t("項目", "Items"), "ids"), (t("内容", "Item"), "title"),
                    (t("根拠", "Basis"), "basis"),
                ] {
                    tree.add("th", to: h, ["class": cls], text: c)
                }
                let b = tree.add("tbody", to: tbl)
                for (rule, result) in rest {
                    let row = tree.add("tr", to: b)
                    let st = tree.add("td", to: row, ["class": "state"])
                    tree.add(
                        "span", to: st, ["class": "badge \(badgeClass(result.state))"],
                        text: L.pick(Labels.state(result.state)))
                    tree.add("td", to: row, ["class": "ids"], text: rule.implements.joined(separator: ", "))
                    tree.add("td", to: row, text: L.pick(rule.title))
                    var basis = ""
                    if let a = result.attestation, result.state == .attested {
                        basis = L.pick(Labels.attestedBy(a))
                    } else if let reason = result.reason {
                        basis = L.pick(reason)
                    } else if result.examined > 0 {
                        basis = t("\(result.examined) 件を確認", "\(result.examined) checked")
                    }
                    prose(tree, tree.add("td", to: row), basis)
                }
            }
        }
        let footer = tree.add("footer", to: main)
        tree.add(
            "p", to: footer,
            text: "tenken \(r.toolVersion) · \(res.pack.id) \(res.pack.version) · " + t("基準日", "as of")
                + " \(res.asOf) · "
                + (r.pack.schema.mechanisms.statements != nil
                    ? t("この報告は入力されたデータと証明にもとづきます。", "This report rests on the data and attestations supplied.")
                    : t("この報告は入力されたデータにもとづきます。", "This report rests on the data supplied.")))
        return tree
    }

    /// Text with `code` spans (an attestation item, a condition in English) as `<code>`: the
    /// backticks are plain-text markup, not for a reader to see.
    static func prose(_ tree: XMLTree, _ e: XMLTree.Element, _ text: String) {
        let parts = text.split(separator: "`", omittingEmptySubsequences: false)
        // Unpaired backticks (text from the inputs) are text.
        guard parts.count % 2 == 1 else { return dated(tree, e, text) }
        for (i, part) in parts.enumerated() where !part.isEmpty {
            if i % 2 == 1 { tree.add("code", to: e, text: String(part)) } else { dated(tree, e, String(part)) }
        }
    }

    /// Text with each date (`2027-04-01`) in a `span.nw`, so a narrow cell never breaks it
    /// at a hyphen.
    static func dated(_ tree: XMLTree, _ e: XMLTree.Element, _ text: String) {
        let chars = Array(text.unicodeScalars)
        func digits(_ i: Int, _ n: Int) -> Bool {
            i + n <= chars.count && chars[i..<(i + n)].allSatisfy { $0.value >= 0x30 && $0.value <= 0x39 }
        }
        var start = 0, i = 0
        while i < chars.count {
            if digits(i, 4), i + 10 <= chars.count, chars[i + 4] == "-", digits(i + 5, 2), chars[i + 7] == "-",
                digits(i + 8, 2),
                i == 0 || !digits(i - 1, 1), i + 10 == chars.count || !digits(i + 10, 1)
            {
                if i > start { tree.text(String(String.UnicodeScalarView(chars[start..<i])), in: e) }
                tree.add("span", to: e, ["class": "nw"], text: String(String.UnicodeScalarView(chars[i..<(i + 10)])))
                i += 10
                start = i
            } else {
                i += 1
            }
        }
        if start < chars.count { tree.text(String(String.UnicodeScalarView(chars[start...])), in: e) }
    }

    static func badgeClass(_ s: RuleState) -> String {
        switch s {
        case .pass: "pass"
        case .fail: "fail"
        case .manual: "manual"
        case .attested: "attested"
        case .error: "error"
        case .unknown: "unknown"
        case .waived: "waived"
        case .notApplicable: "na"
        }
    }

    static func article(
        _ tree: XMLTree, _ parent: XMLTree.Element, _ rule: CheckedRule, _ result: RuleResult, _ r: ReportInput
    ) {
        let L = r.lang
        let a = tree.add(
            "article", to: parent, ["class": "item s-\(badgeClass(result.state))", "id": "rule-\(rule.id)"])
        let h = tree.add("header", to: a)
        tree.add(
            "span", to: h, ["class": "badge \(badgeClass(result.state))"], text: L.pick(Labels.state(result.state)))
        tree.add("span", to: h, ["class": "tag"], text: L.pick(Labels.level(rule.level)))
        tree.add("span", to: h, ["class": "tag"], text: rule.implements.joined(separator: ", "))
        tree.add("h3", to: h, text: L.pick(rule.title))
        for c in r.sources(rule) {
            let q = tree.add("blockquote", to: a)
            if L != .en { tree.add("p", to: q, ["lang": "ja"], text: "\(c.section)「\(c.ja)」") }
            if L != .ja {
                tree.add("p", to: q, ["lang": "en", "class": L == .both ? "gloss" : ""], text: "\(c.section): \(c.en)")
            }
        }
        if let reason = result.reason { prose(tree, tree.add("p", to: a, ["class": "reason"]), L.pick(reason)) }
        findings(tree, a, result.violations, more: Labels.more(result, shown: min(result.violations.count, 50)), r)
        if result.undeterminedCount > 0 {
            tree.add(
                "p", to: a, ["class": "reason"],
                text: L.pick(ja: "判定できなかったもの（記入が必要な値）", en: "Not decided (values to fill in)"))
            findings(
                tree, a, result.undetermined,
                more: Labels.moreUndetermined(result, shown: min(result.undetermined.count, 50)), r)
        }
        let fix = tree.add("p", to: a, ["class": "fix"])
        tree.add("strong", to: fix, text: L.pick(ja: "対応", en: "Fix") + " ")
        tree.text(L.pick(rule.remediation), in: fix)
    }

    /// The findings of a rule as one table: a numbered row group per finding, its message
    /// beside the evidence it rests on (field, value, place), the column headers once. Each
    /// finding's rows stay together on paper; the header repeats on a new page.
    static func findings(_ tree: XMLTree, _ a: XMLTree.Element, _ list: [Violation], more: Bilingual?, _ r: ReportInput)
    {
        let L = r.lang
        if !list.isEmpty {
            let tbl = tree.add("table", to: a, ["class": "findings"])
            let hr = tree.add("tr", to: tree.add("thead", to: tbl))
            for (c, cls) in [
                ("#", "no"), (L.pick(ja: "指摘", en: "Finding"), "msg"), (L.pick(ja: "項目", en: "Field"), "field"),
                (L.pick(ja: "値", en: "Value"), "val"), (L.pick(ja: "場所", en: "Location"), "loc"),
            ] {
                tree.add("th", to: hr, ["class": cls], text: c)
            }
            for (n, v) in list.prefix(50).enumerated() {
                let body = tree.add("tbody", to: tbl)
                let span = String(max(1, v.evidence.count))
                var row = tree.add("tr", to: body)
                tree.add("td", to: row, ["class": "no", "rowspan": span], text: String(n + 1))
                prose(
                    tree, tree.add("p", to: tree.add("td", to: row, ["class": "msg", "rowspan": span])),
                    L.pick(v.message))
                if v.evidence.isEmpty { tree.add("td", to: row, ["class": "none", "colspan": "3"]) }
                for (k, e) in v.evidence.enumerated() {
                    if k > 0 { row = tree.add("tr", to: body) }
                    tree.add("td", to: row, ["class": "field"], text: Labels.evidenceName(e, L))
                    tree.add("td", to: row, text: Labels.evidenceValue(e, L))
                    tree.add("td", to: row, ["class": "loc"], text: e.location.map(r.result.place) ?? "")
                }
            }
            if let more {
                tree.add("p", to: a, ["class": "reason"], text: L.pick(more))
            }
        }
    }

    /// A stacked bar per category: how many items pass, fail, need a person, do not apply.
    static func chart(_ tree: XMLTree, _ parent: XMLTree.Element, _ r: ReportInput) {
        let L = r.lang
        let cats = Labels.sections(r.pack.info).filter { c in r.items.contains { $0.rule.category == c.category } }
        let labelW = 150, barW = 500, rowH = 26, top = 8
        let height = top + cats.count * rowH + 40
        let fig = tree.add("figure", to: parent)
        let svg = tree.add(
            "svg", to: fig,
            [
                "xmlns": "http://www.w3.org/2000/svg", "viewBox": "0 0 \(labelW + barW + 20) \(height)",
                "width": "100%", "role": "img",
                "aria-label": L.pick(ja: "分野別の結果", en: "Results by category"),
            ])
        for (i, cat) in cats.enumerated() {
            let y = top + i * rowH
            let total = r.items.filter { $0.rule.category == cat.category }.count
            tree.add(
                "text", to: svg,
                [
                    "x": String(labelW - 8), "y": String(y + 16), "text-anchor": "end", "font-size": "12",
                    "fill": "#1d2330",
                ],
                text: L == .both ? cat.label.ja : L.pick(cat.label))
            var x = Double(labelW)
            for (st, color) in stateColors {
                let n = r.count(cat.category, st)
                if n == 0 { continue }
                let w = Double(barW) * Double(n) / Double(max(total, 1))
                tree.add(
                    "rect", to: svg,
                    ["x": fmt(x), "y": String(y + 2), "width": fmt(w), "height": String(rowH - 8), "fill": color])
                if w >= 16 {
                    tree.add(
                        "text", to: svg,
                        [
                            "x": fmt(x + w / 2), "y": String(y + 16), "text-anchor": "middle", "font-size": "11",
                            "fill": st == .notApplicable || st == .manual ? "#1d2330" : "#ffffff",
                        ], text: String(n))
                }
                x += w
            }
        }
        // Legend.
        var lx = labelW
        let ly = top + cats.count * rowH + 14
        for (st, color) in stateColors where st != .attested || r.pack.schema.mechanisms.statements != nil {
            tree.add("rect", to: svg, ["x": String(lx), "y": String(ly), "width": "10", "height": "10", "fill": color])
            let label = L == .en ? Labels.state(st).en : Labels.state(st).ja
            tree.add(
                "text", to: svg, ["x": String(lx + 14), "y": String(ly + 9), "font-size": "10", "fill": "#1d2330"],
                text: label)
            lx += 14 + label.count * (L == .en ? 6 : 11) + 14
        }
        tree.add("figcaption", to: fig, text: L.pick(ja: "分野別の結果（項目数）", en: "Results by category (number of items)"))
    }

    static func fmt(_ d: Double) -> String {
        let r = (d * 10).rounded() / 10
        return r == r.rounded() ? String(Int(r)) : String(r)
    }
}
