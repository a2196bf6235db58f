import TenkenCheck
import TenkenData
import TenkenSyntax

/// The provider's published profile (the pack's `published` section, docs/dsl.md "Mechanisms")
/// as every report states it: its date, where it came from, and whether it is older than the
/// pack allows. MCS: the provider's measures of 1-2 change with the service (「MCSの機能変更など
/// に伴って…改訂される場合があります」, はじめに), so a profile dated long before the audit may
/// no longer describe it. A pack that declares no published profile gets no profile line or
/// warning; a facility whose pack declares one and that gives none (no `--provider`, no
/// section of its own, no copy in the pack) gets the line "none given" and a warning when a rule
/// of the pack reads the section: a profile that is not there is never read as a fresh one.
public struct ProviderProfile: Sendable {
    /// The profile's date (its `dated` field); nil when the profile does not say.
    public var asOf: Day?
    /// Where the date is (or the section, when it has none).
    public var location: SourceLocation?
    /// The pack's `max_age param`, when it declares one and the parameter is a duration.
    public var maxAge: Duration?
    /// The profile is older than `maxAge` on the as-of date, or has no date.
    public var stale: Bool
    /// What the pack calls the profile and its publisher (`published … label …  publisher …`),
    /// and the date field's header and name: the words of `warning`.
    public var label: Bilingual
    public var publisher: Bilingual
    public var dated: Bilingual
    /// False when the facility gives no profile at all (then `asOf` is nil and it is `stale`).
    public var given = true

    public init(
        asOf: Day?, location: SourceLocation?, maxAge: Duration?, stale: Bool, label: Bilingual,
        publisher: Bilingual, dated: Bilingual
    ) {
        self.asOf = asOf
        self.location = location
        self.maxAge = maxAge
        self.stale = stale
        self.label = label
        self.publisher = publisher
        self.dated = dated
    }

    /// The facility's published section, judged on the as-of date; nil when the pack declares
    /// none. A facility without one (absent, or not a record) has a profile that is not
    /// `given`, stale, with no date, when a rule of the pack reads the section (`read`); when
    /// none does, nil, as for a pack without a profile (nothing is judged against it).
    static func of(_ roots: [Value?], pack: CheckedPack, params: [Value], asOf: Day, read: Bool) -> ProviderProfile? {
        guard let published = pack.schema.mechanisms.published else { return nil }
        var maxAge: Duration?
        if let p = published.maxAgeParam, let i = pack.paramIndex[p], case .duration(let d) = params[i] { maxAge = d }
        let section = pack.schema.sections[published.section]
        guard case .record(let r)? = roots[published.section], published.dated < r.values.count else {
            guard read else { return nil }
            var p = ProviderProfile(
                asOf: nil, location: nil, maxAge: maxAge, stale: true, label: published.label,
                publisher: published.publisher, dated: Words.header(section.record.fields[published.dated]))
            p.given = false
            return p
        }
        let field = published.dated
        var date: Day?
        if case .date(let d) = r.values[field] { date = d }
        let stale = date.map { d in maxAge.map { d.adding($0) < asOf } ?? false } ?? true
        return ProviderProfile(
            asOf: date, location: r.location(ofField: field), maxAge: maxAge, stale: stale, label: published.label,
            publisher: published.publisher, dated: Words.header(r.schema.fields[field]))
    }

    /// The warning reports print when the profile is stale.
    public var warning: Bilingual? {
        guard stale else { return nil }
        guard given else {
            return Bilingual(
                ja: "\(label.ja)がありません。\(publisher.ja)の措置に関する項目は判定できません。\(publisher.ja)の最新の公表内容を"
                    + "指定してください（--provider）",
                en: "no \(label.en) is given, so the \(publisher.en)'s measures cannot be judged; give the "
                    + "\(publisher.en)'s latest published measures (--provider)")
        }
        guard let asOf else {
            return Bilingual(
                ja: "\(label.ja)に\(dated.ja)（\(dated.en)）がありません。\(publisher.ja)の最新の公表内容で確認してください",
                en:
                    "the \(label.en) has no date (\(dated.en)); check it against the \(publisher.en)'s latest "
                    + "published measures"
            )
        }
        let age = maxAge.map { ($0.descriptionJa, $0.description) } ?? ("", "")
        return Bilingual(
            ja: "\(label.ja)は \(asOf) 時点のもので、基準日より \(age.0)以上前です。\(publisher.ja)の最新の公表内容で更新してください（--provider）",
            en:
                "the \(label.en) is dated \(asOf), more than \(age.1) before the as-of date; update it from the "
                + "\(publisher.en)'s latest published measures (--provider)"
        )
    }
}
