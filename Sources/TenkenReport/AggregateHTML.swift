import TenkenCheck
import TenkenEval

/// The auditor's overview: totals, per-rule pass rates (worst first) and a heatmap of
/// facilities × rules, worst facilities first. Self-contained and printable (landscape).
public enum AggregateHTML {
    static let colors: [Character: String] = ["P": "#2e7d32", "A": "#00897b", "F": "#c62828", "M": "#f9a825", "W": "#8d6e63", "N": "#d0d4da", "E": "#6a1b9a"]

    public static func render(_ a: Aggregate, lang: Language) -> String {
        func t(_ ja: String, _ en: String) -> String { lang.pick(ja: ja, en: en) }
        let tree = XMLTree(htmlLang: lang == .en ? "en" : "ja")
        let head = tree.add("head", to: tree.root)
        tree.add("meta", to: head, ["charset": "UTF-8"])
        tree.add("title", to: head, text: t("点検集計", "Audit aggregate") + " — \(a.packID) \(a.packVersion) — \(a.asOf)")
        tree.add("style", to: head, text: HTMLReport.css + """

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
        td.nw { white-space: nowrap; }
        td.bar div { height: 3mm; background: #2e7d32; }
        @media print { section { break-before: page; } section.first { break-before: auto; } thead { display: table-header-group; } }
        """)
        let main = tree.add("main", to: tree.add("body", to: tree.root))
        let cover = tree.add("header", to: main, ["class": "cover"])
        tree.add("p", to: cover, ["class": "brand"], text: "TENKEN · " + t("点検集計", "AUDIT AGGREGATE"))
        tree.add("h1", to: cover, text: t("会員施設の点検結果", "Results across facilities"))
        let meta = tree.add("dl", to: cover, ["class": "meta"])
        for (k, v) in [(t("基準日", "As of"), a.asOf), (t("パック", "Pack"), "\(a.packID) \(a.packVersion)")] + (a.shard.map { [(t("分割", "Shard"), $0)] } ?? []) {
            tree.add("dt", to: meta, text: k)
            tree.add("dd", to: meta, text: v)
        }

        let s1 = tree.add("section", to: main, ["class": "first"])
        tree.add("h2", to: s1, text: t("要約", "Summary"))
        let totals = tree.add("table", to: s1, ["class": "counts"])
        for (k, v) in [(t("対象施設", "Facilities found"), a.facilities.count), (t("評価済み", "Evaluated"), a.evaluated.count),
                       (t("読み込みエラー", "Failed to load"), a.failedToLoad), (t("必要事項に不合格がある施設", "With required gaps"), a.withRequiredGaps)] {
            let row = tree.add("tr", to: totals)
            tree.add("th", to: row, text: k)
            tree.add("td", to: row, ["class": "n"], text: String(v))
        }
        let errors = a.facilities.filter { $0.status == .error }
        if !errors.isEmpty {
            tree.add("h3", to: s1, text: t("読み込めなかった施設", "Facilities that failed to load"))
            let ul = tree.add("ul", to: s1)
            for f in errors { tree.add("li", to: ul, text: "\(f.id) (\(f.input)): " + (f.diagnostics.first ?? "")) }
        }

        // Per-rule pass rates, worst first.
        tree.add("h2", to: s1, text: t("規則ごとの合格率（低い順）", "Pass rate by rule (worst first)"))
        let rt = tree.add("table", to: s1)
        let hr = tree.add("tr", to: tree.add("thead", to: rt))
        for c in [t("項目", "Items"), t("規則", "Rule"), t("水準", "Level"), t("不合格", "Fail"), t("要確認", "Manual"), t("合格率", "Pass rate"), ""] { tree.add("th", to: hr, text: c) }
        let rb = tree.add("tbody", to: rt)
        let order = a.rules.indices.sorted { x, y in
            let px = a.stats(x).passRate ?? 2, py = a.stats(y).passRate ?? 2
            return px != py ? px < py : a.rules[x].id < a.rules[y].id
        }
        for i in order {
            let r = a.rules[i], st = a.stats(i)
            let row = tree.add("tr", to: rb)
            tree.add("td", to: row, ["class": "nw"], text: r.implements.joined(separator: ", "))
            tree.add("td", to: row, text: lang.pick(r.title))
            tree.add("td", to: row, ["class": "nw"], text: lang.pick(Labels.level(r.level)))
            tree.add("td", to: row, ["class": "n"], text: String(st.counts[.fail] ?? 0))
            tree.add("td", to: row, ["class": "n"], text: String(st.counts[.manual] ?? 0))
            tree.add("td", to: row, ["class": "n"], text: st.passRate.map { "\(Int(($0 * 100).rounded()))%" } ?? "—")
            let bar = tree.add("td", to: row, ["class": "bar"])
            tree.add("div", to: bar, ["style": "width: \(Int(((st.passRate ?? 0) * 100).rounded()))%"])
        }

        // Heatmap.
        let s2 = tree.add("section", to: main)
        tree.add("h2", to: s2, text: t("施設 × 規則（悪い順）", "Facilities × rules (worst first)"))
        let legend = tree.add("p", to: s2, ["class": "legend"])
        for c in ["F", "E", "M", "W", "A", "P", "N"] {
            let span = tree.add("span", to: legend)
            tree.add("i", to: span, ["style": "background: \(colors[Character(c)]!)"])
            tree.text("\(c) " + lang.pick(Labels.state(FacilitySummary.state(Character(c))!)), in: span)
        }
        let heat = tree.add("table", to: s2, ["class": "heat"])
        let hh = tree.add("tr", to: tree.add("thead", to: heat))
        tree.add("th", to: hh, text: t("施設", "Facility"))
        tree.add("th", to: hh, text: t("必要不合格", "Req. fails"))
        for r in a.rules { tree.add("th", to: hh, ["class": "rule", "title": lang.pick(r.title)], text: r.implements.first ?? r.id) }
        let hb = tree.add("tbody", to: heat)
        for f in a.worstFirst {
            let row = tree.add("tr", to: hb)
            tree.add("td", to: row, ["class": "fid", "title": f.name ?? ""], text: f.id)
            if f.status == .error {
                tree.add("td", to: row, ["class": "n"], text: "—")
                tree.add("td", to: row, ["colspan": String(a.rules.count), "style": "color: #6a1b9a"], text: t("読み込みエラー: ", "failed to load: ") + (f.diagnostics.first ?? ""))
                continue
            }
            tree.add("td", to: row, ["class": "n"], text: String(a.requiredGaps(f)))
            for c in f.states {
                tree.add("td", to: row, ["class": "c", "style": "background: \(colors[c] ?? "#fff")"], text: c == "F" || c == "E" || c == "M" ? String(c) : "")
            }
        }
        return tree.serialize()
    }
}
