import TenkenCheck
import TenkenData
import TenkenEval

/// Which language(s) a human-readable report is written in.
public enum Language: String, Sendable, CaseIterable {
    case ja, en, both

    public func pick(_ b: Bilingual) -> String {
        switch self {
        case .ja: b.ja
        case .en: b.en
        case .both: b.ja == b.en ? b.ja : "\(b.ja) / \(b.en)"
        }
    }

    public func pick(ja: String, en: String) -> String { pick(Bilingual(ja: ja, en: en)) }
}

public enum Labels {
    /// A statement on file, as the machine-read formats (JUnit, XCCDF) give it.
    static func attested(_ a: AttestationInfo) -> String {
        "attested by \(a.byRole ?? "?") \(a.by ?? "") on \(a.signedOn?.description ?? "?"), valid until "
            + "\(a.validUntil?.description ?? "?")"
    }

    /// A value read as evidence, named as its table's column is headed (`退職日` / `left_on`).
    public static func evidenceName(_ e: Evidence, _ lang: Language) -> String {
        e.header.map(lang.pick) ?? e.label
    }

    /// An evidence value in the reader's words (`有効` / `active`).
    public static func evidenceValue(_ e: Evidence, _ lang: Language) -> String {
        lang.pick(Bilingual(ja: e.valueJa, en: e.value))
    }

    /// Who made a statement on file: `運用責任者 S-1` / `operations-lead S-1`.
    public static func signer(_ a: AttestationInfo) -> Bilingual {
        let role = a.byRoleJa ?? a.byRole ?? "", by = a.by ?? ""
        return Bilingual(ja: "\(role) \(by)", en: "\(a.byRole ?? "") \(by)")
    }

    /// A statement on file that does not settle the rule (refused, lapsed, incomplete): who
    /// signed it and when, never a "valid until" that would read as if it counted.
    public static func statementOnFile(_ a: AttestationInfo) -> Bilingual {
        let s = signer(a), on = a.signedOn?.description ?? ""
        return Bilingual(ja: "証明あり: \(s.ja)（\(on) 署名）", en: "statement on file: \(s.en), signed on \(on)")
    }

    /// A statement on file for a person to read: who, from when until when.
    public static func attestedBy(_ a: AttestationInfo) -> Bilingual {
        let s = signer(a), from = a.signedOn?.description ?? "", until = a.validUntil?.description ?? ""
        return Bilingual(
            ja: "証明: \(s.ja)（\(from)〜\(until)）", en: "attested by \(s.en) on \(from), valid until \(until)")
    }

    /// Where a parameter's value was set.
    public static func origin(_ o: ParamSetting.Origin) -> Bilingual {
        switch o {
        case .default: Bilingual(ja: "既定", en: "default")
        case .snapshot: Bilingual(ja: "施設の入力", en: "snapshot")
        case .commandLine: Bilingual(ja: "コマンドライン", en: "command line")
        }
    }

    /// An overridden parameter for a person: `name = 60日（施設の入力、既定 7日）`.
    public static func overriddenParameter(_ p: ParamSetting, _ lang: Language) -> String {
        let ja =
            "\(p.name) = \(p.valueJa)（\(origin(p.origin).ja)、既定 \(p.defaultValueJa)）"
        let en = "\(p.name) = \(p.value.display) (\(p.origin.rawValue); default \(p.defaultValue.display))"
        return lang.pick(Bilingual(ja: ja, en: en))
    }

    /// An overridden parameter for the machine-read formats: its value, where it was set, and
    /// why it is flagged when it loosens the checks.
    static func override(_ p: ParamSetting) -> String {
        "\(p.value.display) (\(p.origin.rawValue))" + (p.looseningNote.map { " — " + $0.en } ?? "")
    }

    /// The catalog items a pack declares out of scope, one per line: `X-1 — why`.
    public static func outOfScope(_ pack: PackInfo) -> [Bilingual] {
        pack.outOfScope.map {
            Bilingual(ja: "\($0.id)（範囲外: \($0.reason)）", en: "\($0.id) (out of scope: \($0.reason))")
        }
    }

    /// The heading of the provider profile's line: the pack's word for it (`published … label`),
    /// its English word capitalised as a heading (`provider profile` → `Provider profile`).
    public static func providerProfileHeading(_ p: ProviderProfile) -> Bilingual {
        Bilingual(ja: p.label.ja, en: p.label.en.prefix(1).uppercased() + p.label.en.dropFirst())
    }

    /// The provider profile's date and where it came from, as every report states it.
    public static func providerProfile(_ p: ProviderProfile) -> Bilingual {
        guard p.given else { return Bilingual(ja: "なし（入力にありません）", en: "none given (not in the input)") }
        let place = p.location.map { " (\($0))" } ?? ""
        return Bilingual(ja: (p.asOf?.description ?? "公表日なし") + place, en: (p.asOf?.description ?? "no date") + place)
    }

    public static func state(_ s: RuleState) -> Bilingual {
        switch s {
        case .pass: Bilingual(ja: "合格", en: "pass")
        case .fail: Bilingual(ja: "不合格", en: "fail")
        case .waived: Bilingual(ja: "免除", en: "waived")
        case .notApplicable: Bilingual(ja: "対象外", en: "not applicable")
        case .manual: Bilingual(ja: "要確認", en: "manual")
        case .attested: Bilingual(ja: "証明済", en: "attested")
        case .error: Bilingual(ja: "エラー", en: "error")
        case .unknown: Bilingual(ja: "判定不能", en: "unknown")
        }
    }

    public static func level(_ l: Level) -> Bilingual {
        switch l {
        case .required: Bilingual(ja: "必要事項", en: "required")
        case .recommended: Bilingual(ja: "推奨事項", en: "recommended")
        case .optional: Bilingual(ja: "選択的", en: "optional")
        case .provider: Bilingual(ja: "事業者の対策", en: "provider")
        }
    }

    /// A group of rules as the reports show them: a category the pack declares, or (for a pack
    /// that declares none) all the rules.
    public struct Section: Sendable {
        /// Nil for the one section of a pack without categories.
        public var category: Category?
        public var label: Bilingual
        /// The category's id, or `all`: an HTML anchor, a JUnit suite's name.
        public var id: String { category?.rawValue ?? "all" }
    }

    /// The sections reports group rules into: the categories the manifest declares, in its
    /// order; a pack that declares none has one section, "点検項目 / Checks".
    public static func sections(_ pack: PackInfo) -> [Section] {
        let declared = pack.taxonomy.categories.map {
            Section(category: Category(rawValue: $0.id), label: $0.label)
        }
        return declared.isEmpty ? [Section(category: nil, label: Bilingual(ja: "点検項目", en: "Checks"))] : declared
    }

    /// "… and N more" under a list of `shown` findings of a rule, saying how many the report
    /// does not hold at all (past the engine's cap) and how to get them; nil when all are shown.
    public static func more(_ r: RuleResult, shown: Int) -> Bilingual? {
        more(listed: r.violations.count, unlisted: r.unlisted, shown: shown)
    }

    /// The same line for the undetermined findings of a rule.
    public static func moreUndetermined(_ r: RuleResult, shown: Int) -> Bilingual? {
        more(listed: r.undetermined.count, unlisted: r.unlistedUndetermined, shown: shown)
    }

    static func more(listed: Int, unlisted: Int, shown: Int) -> Bilingual? {
        let total = listed + unlisted
        guard total > shown else { return nil }
        var b = Bilingual(ja: "…ほか \(total - shown) 件", en: "… and \(total - shown) more")
        if unlisted > 0 {
            b.ja += "（全 \(total) 件のうち \(unlisted) 件は規則ごとの上限 \(listed) 件を超えたため報告書に載っていません。すべて載せるには --all-findings）"
            b.en +=
                " (\(unlisted) of the \(total) are past the limit of \(listed) findings listed per rule and not in "
                + "the report; --all-findings lists them all)"
        }
        return b
    }

    /// The order states are listed in summaries.
    public static let stateOrder: [RuleState] = [
        .fail, .unknown, .error, .manual, .waived, .attested, .pass, .notApplicable,
    ]

    /// States that need the reader's attention: shown in full, before the rest.
    public static let openStates: Set<RuleState> = [.fail, .unknown, .error, .manual, .waived]
}
