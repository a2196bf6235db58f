import TenkenCheck
import TenkenData
import TenkenEval
import TenkenSyntax

/// The terminal report: grouped by category, gaps first with the source's words, evidence
/// and remediation. Colour only when asked (a TTY without NO_COLOR); wrapped only when a
/// width is given (a terminal's), with Japanese line-breaking rules (`LineBreaker`); a file or
/// a pipe gets one line per paragraph, so nothing a program greps for is split.
public struct TextReport {
    public var lang: Language
    public var color: Bool
    /// Columns to wrap at; nil: no wrapping.
    public var width: Int?

    public init(lang: Language, color: Bool = false, width: Int? = nil) {
        self.lang = lang
        self.color = color
        self.width = width.map { max($0, 40) }
    }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    func mark(_ s: RuleState) -> String {
        switch s {
        case .pass: paint("✓", "32")
        case .attested: paint("✓", "36")
        case .fail: paint("✗", "31;1")
        case .error: paint("!", "35;1")
        case .manual: paint("?", "33")
        case .unknown: paint("◌", "31")
        case .waived: paint("~", "33")
        case .notApplicable: paint("-", "2")
        }
    }

    /// `text` after `indent` spaces (and `first` on the first line), wrapped to the width with
    /// continuation lines indented, when there is a width.
    func wrap(_ text: String, indent: Int, first: String = "") -> String {
        guard let width else { return String(repeating: " ", count: indent) + first + text }
        return LineBreaker(width: width).wrap(text, indent: indent, first: first)
    }

    public static func charWidth(_ c: Character) -> Int {
        guard let u = c.unicodeScalars.first?.value else { return 1 }
        if (0x1100...0x115F).contains(u) || (0x2E80...0xA4CF).contains(u) || (0xAC00...0xD7A3).contains(u)
            || (0xF900...0xFAFF).contains(u) || (0xFE30...0xFE4F).contains(u) || (0xFF00...0xFF60).contains(u)
            || (0xFFE0...0xFFE6).contains(u) || (0x20000...0x3FFFD).contains(u)
        {
            return 2
        }
        return 1
    }

    public static func displayWidth(_ s: String) -> Int { s.reduce(0) { $0 + charWidth($1) } }

    public func render(_ r: FacilityResult, _ pack: CheckedPack) -> String {
        var out: [String] = []
        let t = lang.pick(ja: "点検レポート", en: "Compliance report")
        // Every string from the inputs or the pack goes through `e`: a control character in an
        // id, a name or a value is shown escaped, never sent to the terminal (SafeText).
        let e = SafeText.terminal
        // A heading line: its label, then its text wrapped under an indent of two.
        func line(_ label: String, _ text: String) -> String {
            wrap(text, indent: 2, first: label + ": ").replacingPrefix(2, with: "")
        }
        out.append(
            paint(
                wrap("tenken \(t) — \(e(lang.pick(r.pack.title))) \(e(r.pack.version))", indent: 2).replacingPrefix(
                    2, with: ""), "1"))
        out.append(line(lang.pick(ja: "出典", en: "Source"), "\(e(r.pack.source)) \(e(r.pack.edition))"))
        let name = r.facilityName.map { " (\(e($0)))" } ?? ""
        out.append(
            line(
                lang.pick(ja: "施設", en: "Facility"),
                "\(e(r.facilityID))\(name)   " + lang.pick(ja: "基準日", en: "As of") + ": \(r.asOf)"))
        if !r.sources.isEmpty { out.append(line(lang.pick(ja: "入力", en: "Inputs"), e(r.inputsText))) }
        for o in Labels.outOfScope(r.pack) {
            out.append(line(lang.pick(ja: "点検しない項目", en: "Not checked"), e(lang.pick(o))))
        }
        if let p = r.providerProfile {
            out.append(
                line(lang.pick(Labels.providerProfileHeading(p)), e(lang.pick(Labels.providerProfile(p)))))
            if let w = p.warning {
                out.append(paint(wrap("⚠ " + e(lang.pick(w)), indent: 2).replacingPrefix(2, with: ""), "33;1"))
            }
        }
        out.append("")
        // Summary table.
        let states = Labels.stateOrder
        let head = states.map { lang == .ja ? Labels.state($0).ja : Labels.state($0).en }
        // Each column as wide as its heading and two spaces (80 columns in Japanese), no
        // trailing blanks.
        let col = 16, widths = head.map { max(TextReport.displayWidth($0) + 2, 5) }
        func cell(_ s: String, _ w: Int) -> String {
            s + String(repeating: " ", count: max(1, w - TextReport.displayWidth(s)))
        }
        func row(_ first: String, _ cells: [String]) -> String {
            var line = cell(first, col) + zip(cells, widths).map { cell($0, $1) }.joined()
            while line.last == " " { line.removeLast() }
            return line
        }
        out.append(row(lang.pick(ja: "要約", en: "Summary"), head))
        for lv in Level.allCases {
            let counts = states.map { r.count(lv, $0, rules: pack.rules) }
            if counts.allSatisfy({ $0 == 0 }) { continue }
            out.append(row("  " + (lang == .ja ? Labels.level(lv).ja : Labels.level(lv).en), counts.map(String.init)))
        }
        let overridden = r.params.filter { $0.origin != .default }
        if !overridden.isEmpty {
            out.append("")
            out.append(lang.pick(ja: "上書きされたパラメータ", en: "Overridden parameters") + ":")
            for p in overridden {
                let line = wrap(
                    e(Labels.overriddenParameter(p, lang)) + (p.looseningNote.map { " ⚠ " + e(lang.pick($0)) } ?? ""),
                    indent: 4
                )
                .replacingPrefix(4, with: "  ")
                // A parameter that loosens the source, or the pack's default from the facility's own snapshot, is a
                // warning.
                out.append(p.flagged ? paint(line, "33;1") : line)
            }
        }
        if !r.inputWarnings.isEmpty {
            out.append("")
            out.append(
                paint(
                    lang.pick(ja: "入力の警告（読まなかった・選んだ入力）", en: "Input warnings (input not read, or chosen between)")
                        + ":", "33;1"))
            for d in r.inputWarnings {
                out.append(wrap("⚠ " + e(d.description), indent: 4).replacingPrefix(4, with: "  "))
            }
        }
        let catalog = Dictionary(uniqueKeysWithValues: pack.catalog.map { ($0.id, $0) })
        let word = pack.info.sourceWord
        for section in Labels.sections(pack.info) {
            let items = zip(pack.rules, r.results).filter { $0.0.category == section.category }
            if items.isEmpty { continue }
            out.append("")
            out.append(paint("■ " + e(lang.pick(section.label)), "1"))
            // Gaps and items needing a person first, then the rest, each in pack order.
            let ordered =
                items.filter { [.fail, .unknown, .error, .manual].contains($0.1.state) }
                + items.filter { ![.fail, .unknown, .error, .manual].contains($0.1.state) }
            for (rule, res) in ordered {
                let st = lang == .ja ? Labels.state(res.state).ja : Labels.state(res.state).en
                let lvl = lang == .ja ? Labels.level(rule.level).ja : Labels.level(rule.level).en
                // The title wraps; its tag stays whole, after it or on a line of its own.
                let tag = "[\(st) · \(lvl) · \(e(rule.implements.joined(separator: ", ")))]"
                var title = wrap(e(lang.pick(rule.title)), indent: 6, first: "")
                let last = title.split(separator: "\n", omittingEmptySubsequences: false).last.map(String.init) ?? ""
                title +=
                    width.map { TextReport.displayWidth(last) + 2 + TextReport.displayWidth(tag) > $0 } == true
                    ? "\n      " + tag : "  " + tag
                out.append(title.replacingPrefix(6, with: "  \(mark(res.state)) "))
                guard Labels.openStates.contains(res.state) else {
                    // A statement is shown with who made it; "not applicable" by statement with why.
                    if let a = res.attestation, res.state == .attested || res.state == .notApplicable {
                        if res.state == .notApplicable, let reason = res.reason {
                            out.append(wrap(e(lang.pick(reason)), indent: 6))
                        }
                        out.append(wrap(e(lang.pick(Labels.attestedBy(a))), indent: 6))
                    }
                    continue
                }
                for id in rule.implements {
                    if let c = catalog[id] {
                        if lang != .en {
                            out.append(wrap("「\(e(c.ja))」", indent: 6, first: "\(e(word.ja)) \(e(c.section)): "))
                        }
                        if lang != .ja {
                            out.append(wrap(e(c.en), indent: 6, first: "\(e(word.en)) \(e(c.section)): "))
                        }
                    }
                }
                if let reason = res.reason { out.append(wrap(e(lang.pick(reason)), indent: 6)) }
                findings(
                    res.violations, bullet: "•", more: Labels.more(res, shown: min(res.violations.count, 20)),
                    into: &out)
                if res.undeterminedCount > 0 {
                    if res.violationCount > 0 {
                        out.append("      " + lang.pick(ja: "判定できなかったもの:", en: "Not decided:"))
                    }
                    findings(
                        res.undetermined, bullet: "◌",
                        more: Labels.moreUndetermined(res, shown: min(res.undetermined.count, 20)), into: &out)
                }
                out.append(
                    wrap(
                        e(lang.pick(rule.remediation)), indent: 6,
                        first: lang == .ja ? "対応: " : lang == .en ? "Fix: " : "対応 / Fix: "))
            }
        }
        out.append("")
        return out.joined(separator: "\n")
    }
}

extension TextReport {
    /// Findings with their evidence, the first 20 in full.
    func findings(_ list: [Violation], bullet: String, more: Bilingual?, into out: inout [String]) {
        let e = SafeText.terminal
        for v in list.prefix(20) {
            out.append(wrap(e(lang.pick(v.message)), indent: 8, first: "").replacingPrefix(8, with: "      \(bullet) "))
            for ev in v.evidence.prefix(6) {
                out.append(
                    "          \(e(Labels.evidenceName(ev, lang))) = \(e(Labels.evidenceValue(ev, lang)))"
                        + (ev.location.map { "  (\(e($0.description)))" } ?? ""))
            }
        }
        if let more { out.append(wrap(lang.pick(more), indent: 6)) }
    }
}

extension String {
    /// Replaces the first `n` characters (the indentation) with `s`.
    func replacingPrefix(_ n: Int, with s: String) -> String {
        s + dropFirst(n)
    }
}
