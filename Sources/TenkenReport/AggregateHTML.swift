import TenkenCheck
import TenkenEval

/// The auditor's overview: totals, per-rule pass rates (worst first) and a heatmap of
/// facilities × rules, worst facilities first. Self-contained and printable (landscape).
public enum AggregateHTML {
    static let colors: [Character: String] = ["P": "#2e7d32", "A": "#00897b", "F": "#c62828", "M": "#f9a825", "W": "#8d6e63", "N": "#d0d4da", "E": "#6a1b9a", "U": "#d84315"]

    static let extraCSS = """

    @page { size: A4 landscape; margin: 10mm; }
    main { max-width: 277mm; }
    table.heat { font-size: 7.5pt; width: auto; }
    table.heat th.rule { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; padding: 1mm .3mm; font-weight: normal; }
    table.heat td.c { width: 3.2mm; min-width: 3.2mm; padding: 0; text-align: center; color: #fff; font-size: 6.5pt; }
    table.heat td.fid { white-space: nowrap; }
    table.heat td.n { text-align: right; }
    .legend span { display: inline-block; margin-right: 4mm; }
    .legend i { display: inline-block; width: 3mm; height: 3mm; margin-right: 1mm; vertical-align: middle; }
    td.bar { width: 30%; }
    td.bar div { height: 3mm; background: #2e7d32; }
    td.nw { white-space: nowrap; }
    td.load-error { color: #6a1b9a; }
    @media print { section { break-before: page; } section.first { break-before: auto; } thead { display: table-header-group; } }
    """

    /// Writes the aggregate page with libxml2's streaming writer, one heatmap row at a time,
    /// so memory stays flat however many facilities there are.
    public static func write(_ a: Aggregate, lang: Language, to out: OutputFile) throws(WriteError) {
        func t(_ ja: String, _ en: String) -> String { lang.pick(ja: ja, en: en) }
        let w = HTMLStream(out: out)
        w.raw("<!DOCTYPE html>\n")
        w.open("html", ["lang": lang == .en ? "en" : "ja"])
        w.open("head")
        w.void("meta", ["charset": "UTF-8"])
        w.element("title", text: t("点検集計", "Audit aggregate") + " — \(a.packID) \(a.packVersion) — \(a.asOf)")
        var css = HTMLReport.css + extraCSS
        for (c, color) in colors.sorted(by: { $0.key < $1.key }) { css += "\ntd.s\(c), i.s\(c) { background: \(color); }" }
        w.style(css)
        w.close()
        w.open("body")
        w.open("main")
        w.open("header", ["class": "cover"])
        w.element("p", ["class": "brand"], text: "TENKEN · " + t("点検集計", "AUDIT AGGREGATE"))
        w.element("h1", text: t("会員施設の点検結果", "Results across facilities"))
        w.open("dl", ["class": "meta"])
        for (k, v) in [(t("基準日", "As of"), a.asOf), (t("パック", "Pack"), "\(a.packID) \(a.packVersion)")] + (a.shard.map { [(t("分割", "Shard"), $0)] } ?? [])
            + a.outOfScope.map { (t("点検しない項目", "Not checked"), t("\($0.id)（範囲外: \($0.reason)）", "\($0.id) (out of scope: \($0.reason))")) } {
            w.element("dt", text: k)
            w.element("dd", text: v)
        }
        w.close()
        w.close()

        w.open("section", ["class": "first"])
        w.element("h2", text: t("要約", "Summary"))
        w.open("table", ["class": "counts"])
        for (k, v) in [(t("対象施設", "Facilities found"), a.facilities.count), (t("評価済み", "Evaluated"), a.evaluatedCount),
                       (t("読み込みエラー", "Failed to load"), a.failedToLoad),
                       (t("判定不能・エラーの規則がある施設", "With undecided rules (unknown or error)"), a.withUndecidedRules),
                       (t("必要事項に不合格がある施設", "With required gaps"), a.withRequiredGaps)] {
            w.open("tr")
            w.element("th", text: k)
            w.element("td", ["class": "n"], text: String(v))
            w.close()
        }
        w.close()
        let errors = a.facilities.filter { $0.status == .error }
        if !errors.isEmpty {
            w.element("h3", text: t("読み込めなかった施設", "Facilities that failed to load"))
            w.open("ul")
            for f in errors { w.element("li", text: "\(f.id) (\(f.input)): " + (f.diagnostics.first ?? "")) }
            w.close()
        }
        // Evaluated, but the input warned: what was not read is shown where the verdicts are.
        let warned = a.facilities.filter { $0.status == .evaluated && !$0.diagnostics.isEmpty }
        if !warned.isEmpty {
            w.element("h3", text: t("入力に警告がある施設", "Facilities whose input gave warnings"))
            w.open("ul")
            for f in warned {
                w.open("li")
                w.text("\(f.id) (\(f.input))")
                w.open("ul")
                for d in f.diagnostics { w.element("li", text: d) }
                w.close()
                w.close()
            }
            w.close()
        }
        w.element("h2", text: t("規則ごとの合格率（低い順）", "Pass rate by rule (worst first)"))
        w.open("table")
        w.open("thead")
        w.open("tr")
        for c in [t("項目", "Items"), t("規則", "Rule"), t("水準", "Level"), t("不合格", "Fail"), t("判定不能", "Unknown"), t("エラー", "Error"),
                  t("要確認", "Manual"), t("合格率", "Pass rate"), ""] { w.element("th", text: c) }
        w.close()
        w.close()
        w.open("tbody")
        let order = a.rules.indices.sorted { x, y in
            let px = a.stats(x).passRate ?? 2, py = a.stats(y).passRate ?? 2
            return px != py ? px < py : a.rules[x].id < a.rules[y].id
        }
        for i in order {
            let r = a.rules[i], st = a.stats(i)
            w.open("tr")
            w.element("td", ["class": "nw"], text: r.implements.joined(separator: ", "))
            w.element("td", text: lang.pick(r.title))
            w.element("td", ["class": "nw"], text: lang.pick(Labels.level(r.level)))
            for s in [RuleState.fail, .unknown, .error, .manual] { w.element("td", ["class": "n"], text: String(st.counts[s] ?? 0)) }
            w.element("td", ["class": "n"], text: st.passRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "—")
            w.open("td", ["class": "bar"])
            w.element("div", ["style": "width: \(Int(((st.passRate ?? 0) * 100).rounded()))%"])
            w.close()
            w.close()
        }
        w.close()
        w.close()
        w.close()

        w.open("section")
        w.element("h2", text: t("施設 × 規則（悪い順）", "Facilities × rules (worst first)"))
        w.open("p", ["class": "legend"])
        for c in ["F", "U", "E", "M", "W", "A", "P", "N"] {
            w.open("span")
            w.element("i", ["class": "s\(c)"])
            w.text("\(c) " + lang.pick(Labels.state(FacilitySummary.state(Character(c))!)))
            w.close()
        }
        w.close()
        w.open("table", ["class": "heat"])
        w.open("thead")
        w.open("tr")
        w.element("th", text: t("施設", "Facility"))
        w.element("th", text: t("必要不合格", "Req. fails"))
        for r in a.rules { w.element("th", ["class": "rule", "title": lang.pick(r.title)], text: r.implements.first ?? r.id) }
        w.close()
        w.close()
        w.open("tbody")
        try w.drain()
        for (k, fi) in a.worstFirst.enumerated() {
            let f = a.facilities[fi]
            w.open("tr")
            w.element("td", ["class": "fid", "title": f.name ?? ""], text: f.id)
            if f.status == .error {
                w.element("td", ["class": "n"], text: "—")
                w.element("td", ["colspan": String(a.rules.count), "class": "load-error"], text: t("読み込みエラー: ", "failed to load: ") + (f.diagnostics.first ?? ""))
            } else {
                w.element("td", ["class": "n"], text: String(a.requiredGaps(f)))
                for c in f.states { w.element("td", ["class": "c s\(c)"], text: c == "F" || c == "U" || c == "E" || c == "M" ? String(c) : "") }
            }
            w.close()
            if k % 200 == 199 { try w.drain() }
        }
        w.close()
        w.close()
        w.close()
        w.close()
        w.close()
        w.close()
        try w.finish()
    }
}
