import TenkenCheck
import TenkenEval

/// The auditor's overview: totals, per-rule pass rates (worst first, with the counts they
/// come from, bars coloured by rate) and a heatmap of facilities × rules, worst facilities
/// first, each facility by name and id. Self-contained and printable on A4 landscape: the
/// heatmap's rules are split into column groups narrow enough for the page (and a 1,240-pixel
/// screen), each group a table of every facility whose header row repeats on every printed
/// page, so every rule and every facility is on paper.
public enum AggregateHTML {
    static let colors: [Character: String] = [
        "P": "#2e7d32", "A": "#00897b", "F": "#c62828", "M": "#f9a825", "W": "#8d6e63", "N": "#d0d4da", "E": "#6a1b9a",
        "U": "#d84315",
    ]

    /// Rules per heatmap table: 277 mm of landscape A4 less the facility and count columns
    /// (58 mm) leaves 219 mm, 43 cells of 5 mm; the groups are made even (81 rules: 40 + 41).
    static let maxRulesPerTable = 43

    static let extraCSS = """

        @page { size: A4 landscape; margin: 10mm; }
        main { max-width: 277mm; }
        * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
        table.heat { font-size: 7pt; width: auto; table-layout: fixed; margin-bottom: 4mm; }
        table.heat caption { text-align: left; font-size: 9pt; color: var(--muted); padding-bottom: 1mm; }
        table.heat th.rule { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; padding: 1mm 0; font-weight: normal; width: 5mm; height: 17mm; text-align: left; }
        table.heat td.c { width: 5mm; min-width: 5mm; height: 4.4mm; padding: 0; text-align: center; color: #fff; font-size: 6pt; line-height: 1; }
        table.heat th.fac, table.heat td.fid { width: 48mm; }
        table.heat th.req, table.heat td.n { width: 10mm; }
        table.heat td.fid { padding: .4mm 1mm; line-height: 1.25; overflow-wrap: anywhere; }
        table.heat td.fid .id { color: var(--muted); font-size: 6pt; margin-left: 1mm; white-space: nowrap; }
        table.heat td.n { text-align: right; padding: .4mm 1mm; }
        table.heat tr { break-inside: avoid; }
        .legend span { display: inline-block; margin-right: 4mm; }
        .legend i { display: inline-block; width: 3mm; height: 3mm; margin-right: 1mm; vertical-align: middle; }
        td.bar { width: 26%; }
        td.bar div.track { height: 3mm; background: #eceff1; }
        td.bar div.fill { height: 3mm; }
        td.bar div.r0 { background: #c62828; } td.bar div.r1 { background: #ef6c00; } td.bar div.r2 { background: #9ccc65; } td.bar div.r3 { background: #2e7d32; }
        td.nw { white-space: nowrap; }
        table.rates th { white-space: nowrap; word-break: keep-all; }
        td.rate { white-space: nowrap; text-align: right; font-variant-numeric: tabular-nums; }
        td.load-error { color: #6a1b9a; }
        @media print { section { break-before: page; } section.first { break-before: auto; } table.heat.more { break-before: page; } thead { display: table-header-group; } }
        """

    /// The rules split into `n` even groups of consecutive rules, none over `maxRulesPerTable`.
    static func columnGroups(_ count: Int) -> [Range<Int>] {
        guard count > 0 else { return [] }
        let n = (count + maxRulesPerTable - 1) / maxRulesPerTable
        return (0..<n).map { g in (g * count / n)..<((g + 1) * count / n) }
    }

    /// Whether libxml2 and `SafeText.xml` write these UTF-8 bytes of a name as they are (a
    /// sufficient test): printable ASCII without `<`, `>`, `&` or a quote, and no character
    /// whose UTF-8 begins with C2, D8, E2 or EF, the only lead bytes of the characters
    /// `SafeText.xml` escapes beyond ASCII (C1 controls, U+061C, the bidirectional controls of
    /// U+200E to U+2069, U+FFFE and U+FFFF). A Japanese name passes.
    static func plainName(_ b: UnsafeBufferPointer<UInt8>) -> Bool {
        for x in b {
            if x < 0x80 {
                guard plainASCII(x) else { return false }
            } else if x == 0xC2 || x == 0xD8 || x == 0xE2 || x == 0xEF {
                return false
            }
        }
        return true
    }

    /// Whether libxml2 and `SafeText.xml` write the ASCII byte `x` as it is in text: printable,
    /// and none of `<`, `>`, `&` or a quote.
    @inline(__always)
    static func plainASCII(_ x: UInt8) -> Bool {
        x >= 0x20 && x < 0x7F && x != UInt8(ascii: "<") && x != UInt8(ascii: ">") && x != UInt8(ascii: "&")
            && x != UInt8(ascii: "\"") && x != UInt8(ascii: "'")
    }

    /// A pass rate's bar colour class: below 50 % r0 (red), below 80 % r1 (orange), below
    /// 100 % r2 (light green), 100 % r3 (green).
    static func rateClass(_ rate: Double) -> String {
        rate >= 1 ? "r3" : rate >= 0.8 ? "r2" : rate >= 0.5 ? "r1" : "r0"
    }

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
        for (c, color) in colors.sorted(by: { $0.key < $1.key }) {
            css += "\ntd.s\(c), i.s\(c) { background: \(color); }"
        }
        w.style(css)
        w.close()
        w.open("body")
        w.open("main")
        w.open("header", ["class": "cover"])
        w.element("p", ["class": "brand"], text: "TENKEN · " + t("点検集計", "AUDIT AGGREGATE"))
        w.element("h1", text: t("施設ごとの点検結果", "Results across facilities"))
        w.open("dl", ["class": "meta"])
        let outOfScope = a.outOfScope.map {
            (t("点検しない項目", "Not checked"), t("\($0.id)（範囲外: \($0.reason)）", "\($0.id) (out of scope: \($0.reason))"))
        }
        let meta =
            [(t("基準日", "As of"), a.asOf), (t("パック", "Pack"), "\(a.packID) \(a.packVersion)")]
            + (a.shard.map { [(t("分割", "Shard"), $0)] } ?? []) + outOfScope
        for (k, v) in meta {
            w.element("dt", text: k)
            w.element("dd", text: v)
        }
        w.close()
        w.close()

        w.open("section", ["class": "first"])
        w.element("h2", text: t("要約", "Summary"))
        w.open("table", ["class": "counts"])
        for (k, v) in [
            (t("対象施設", "Facilities found"), a.facilities.count), (t("評価済み", "Evaluated"), a.evaluatedCount),
            (t("読み込みエラー", "Failed to load"), a.failedToLoad),
            (t("判定不能・エラーの規則がある施設", "With undecided rules (unknown or error)"), a.withUndecidedRules),
            (t("必要事項に不合格がある施設", "With required gaps"), a.withRequiredGaps),
            (t("パラメータを緩めた施設", "On loosened parameters"), a.withLoosenedParams),
        ] {
            w.open("tr")
            w.element("th", text: k)
            w.element("td", ["class": "n"], text: String(v))
            w.close()
        }
        w.close()
        // Picked from the rows' bytes; only the facilities listed are decoded.
        let errors = a.facilities.summaries { $0.status == .error }
        if !errors.isEmpty {
            w.element("h3", text: t("読み込めなかった施設", "Facilities that failed to load"))
            w.open("ul")
            for f in errors { w.element("li", text: "\(f.id) (\(f.input)): " + (f.diagnostics.first ?? "")) }
            w.close()
        }
        // Evaluated, but the input warned: what was not read is shown where the verdicts are.
        let warned = a.facilities.summaries { $0.status == .evaluated && $0.diagnosticsCount > 0 }
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
        let loosened = a.facilities.summaries { $0.status == .evaluated && $0.loosenedCount > 0 }
        if !loosened.isEmpty {
            w.element(
                "h3",
                text: t(
                    "緩めたパラメータで判定された施設（各施設のレポートに理由があります）",
                    "Facilities judged on loosened parameters (each facility's report says how)"))
            w.open("ul")
            for f in loosened { w.element("li", text: "\(f.id): " + f.loosened.joined(separator: ", ")) }
            w.close()
        }
        if !a.ignored.isEmpty {
            w.element(
                "h3",
                text: t(
                    "読まなかったファイル（施設のフォルダでも *.json でもありません）",
                    "Files not read (neither a facility folder nor a *.json snapshot)"))
            w.open("ul")
            for f in a.ignored { w.element("li", text: f) }
            w.close()
        }
        w.element("h2", text: t("規則ごとの合格率（低い順）", "Pass rate by rule (worst first)"))
        w.open("table", ["class": "rates"])
        w.open("thead")
        w.open("tr")
        for c in [
            t("項目", "Items"), t("規則", "Rule"), t("水準", "Level"), t("不合格", "Fail"), t("判定不能", "Unknown"),
            t("エラー", "Error"),
            t("要確認", "Manual"), t("合格率", "Pass rate"), "",
        ] { w.element("th", text: c) }
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
            for s in [RuleState.fail, .unknown, .error, .manual] {
                w.element("td", ["class": "n"], text: String(st.counts[s] ?? 0))
            }
            // The rate with the counts it comes from: passed (or attested) of the facilities
            // where the rule applied.
            w.element(
                "td", ["class": "rate"],
                text: st.passRate.map { "\(Int(($0 * 100).rounded()))% (\(st.passed)/\(st.applicable))" } ?? "—")
            w.open("td", ["class": "bar"])
            if let rate = st.passRate {
                w.open("div", ["class": "track"])
                w.element(
                    "div", ["class": "fill \(rateClass(rate))", "style": "width: \(Int((rate * 100).rounded()))%"])
                w.close()
            }
            w.close()
            w.close()
        }
        w.close()
        w.close()
        w.close()

        w.open("section")
        w.element("h2", text: t("施設 × 規則（悪い順）", "Facilities × rules (worst first)"))
        w.open("p", ["class": "legend"])
        for st in [RuleState.fail, .unknown, .error, .manual, .waived, .attested, .pass, .notApplicable] {
            let c = FacilitySummary.letter(st)
            w.open("span")
            w.element("i", ["class": "s\(c)"])
            w.text("\(c) " + lang.pick(Labels.state(st)))
            w.close()
        }
        w.close()
        let worst = a.worstFirst
        let groups = columnGroups(a.rules.count)
        func cell(_ w: HTMLStream, _ i: Int, _ c: Character) {
            w.element(
                "td",
                [
                    "class": "c s\(c)",
                    "title": "\(a.rules[i].implements.first ?? a.rules[i].id): "
                        + lang.pick(Labels.state(FacilitySummary.state(c) ?? .error)),
                ],
                text: c == "F" || c == "U" || c == "E" || c == "M" ? String(c) : "")
        }
        // A rule's cell is one of eight: each is written once by libxml2 and copied into every
        // row that has it. Writing them afresh, facility by facility, was most of the cost of the
        // aggregate, which is written after the last facility, when only one core can work.
        let letters = RuleState.allCases.map(FacilitySummary.byte)
        let fragments = HTMLStream()
        let cells: [[[UInt8]]] = a.rules.indices.map { i in
            letters.map { b in
                cell(fragments, i, Character(Unicode.Scalar(b)))
                return fragments.take()
            }
        }
        var slots = [Int](repeating: -1, count: 256)
        for (k, b) in letters.enumerated() where slots[Int(b)] < 0 { slots[Int(b)] = k }
        let required = a.rules.map { $0.level == .required }
        let fail = FacilitySummary.byte(.fail)
        var row: [UInt8] = []
        for (g, cols) in groups.enumerated() {
            w.open("table", ["class": g == 0 ? "heat" : "heat more"])
            let first = a.rules[cols.lowerBound], last = a.rules[cols.upperBound - 1]
            w.element(
                "caption",
                text: t(
                    "規則 \(cols.lowerBound + 1)〜\(cols.upperBound)（全 \(a.rules.count) "
                        + "規則のうち、\(first.implements.first ?? first.id) から "
                        + "\(last.implements.first ?? last.id)）・\(groups.count) 表のうち \(g + 1)",
                    "Rules \(cols.lowerBound + 1)–\(cols.upperBound) of \(a.rules.count) "
                        + "(\(first.implements.first ?? first.id) to \(last.implements.first ?? last.id)) · table "
                        + "\(g + 1) of \(groups.count)"
                ))
            w.open("thead")
            w.open("tr")
            w.element("th", ["class": "fac"], text: t("施設", "Facility"))
            w.element("th", ["class": "req"], text: t("必要不合格", "Req. fails"))
            for r in a.rules[cols] {
                w.element("th", ["class": "rule", "title": lang.pick(r.title)], text: r.implements.first ?? r.id)
            }
            w.close()
            w.close()
            w.open("tbody")
            try w.drain()
            for (k, fi) in worst.enumerated() {
                // The usual row, an evaluated facility with an id of plain ASCII and a name that
                // needs no escaping (or none), is put together as bytes from the facility's compact
                // row (nothing decoded): libxml2 would write these very bytes, at some thousands of
                // instructions a call, several calls a row. Any other row is decoded and written by
                // libxml2.
                let plain = a.facilities.withRaw(fi) { f in
                    f.status == .evaluated && plainRow(f, cols, slots: slots, cells: cells, into: &row)
                }
                if plain {
                    w.raw(bytes: row)
                    if k % 200 == 199 { try w.drain() }
                    continue
                }
                let f = a.facilities[fi]
                w.open("tr")
                w.open("td", ["class": "fid"])
                if let name = f.name, !name.isEmpty {
                    w.text(name)
                    w.element("span", ["class": "id"], text: f.id)
                } else {
                    w.text(f.id)
                }
                w.close()
                if f.status == .error {
                    w.element("td", ["class": "n"], text: "—")
                    w.element(
                        "td", ["colspan": String(cols.count), "class": "load-error"],
                        text: t("読み込みエラー: ", "failed to load: ") + (f.diagnostics.first ?? ""))
                } else {
                    w.element("td", ["class": "n"], text: String(a.requiredGaps(f)))
                    let states = Array(f.states.utf8)
                    row.removeAll(keepingCapacity: true)
                    for i in cols {
                        let b = i < states.count ? states[i] : UInt8(ascii: "E")
                        if let k = letters.firstIndex(of: b) {
                            row += cells[i][k]
                        } else {
                            w.raw(bytes: row)
                            row.removeAll(keepingCapacity: true)
                            cell(w, i, Character(Unicode.Scalar(b)))
                        }
                    }
                    w.raw(bytes: row)
                }
                w.close()
                if k % 200 == 199 { try w.drain() }
            }
            w.close()
            w.close()
        }
        w.close()
        w.close()
        w.close()
        w.close()
        try w.finish()

        /// The heatmap row of `f` over the rules `cols` as libxml2 writes it
        /// (`<tr><td class="fid">ID</td><td class="n">3</td>` then the cells, then `</tr>`; with a
        /// name, `NAME<span class="id">ID</span>` in the first cell), into `row`; false, with `row`
        /// left to be overwritten, when the id is not plain ASCII that neither libxml2 nor
        /// `SafeText.xml` changes, the name may hold a character either would change
        /// (`plainName`), or a state is not one of the cells'.
        /// `slots` is each letter byte's index into `letters` (-1 for none), 256 entries.
        func plainRow(
            _ f: FacilityRows.Raw, _ cols: Range<Int>, slots: [Int], cells: [[[UInt8]]], into row: inout [UInt8]
        ) -> Bool {
            row.removeAll(keepingCapacity: true)
            row.append(contentsOf: "<tr><td class=\"fid\">".utf8)
            guard f.id.allSatisfy(plainASCII) else { return false }
            if let name = f.name, !name.isEmpty {
                guard plainName(name) else { return false }
                row.append(contentsOf: name)
                row.append(contentsOf: "<span class=\"id\">".utf8)
                row.append(contentsOf: f.id)
                row.append(contentsOf: "</span>".utf8)
            } else {
                row.append(contentsOf: f.id)
            }
            row.append(contentsOf: "</td><td class=\"n\">".utf8)
            // `a.requiredGaps`, from the letters' bytes.
            var gaps = 0
            for (i, b) in f.states.enumerated() where i < required.count && b == fail && required[i] {
                gaps += 1
            }
            Aggregate.appendDecimal(gaps, to: &row)
            row.append(contentsOf: "</td>".utf8)
            var i = cols.lowerBound
            for b in f.states.dropFirst(cols.lowerBound) {
                guard i < cols.upperBound else { break }
                let k = slots[Int(b)]
                guard k >= 0 else { return false }
                row += cells[i][k]
                i += 1
            }
            // A row with fewer letters than rules shows `E` cells, written by libxml2's path.
            guard i == cols.upperBound else { return false }
            row.append(contentsOf: "</tr>".utf8)
            return true
        }
    }
}
