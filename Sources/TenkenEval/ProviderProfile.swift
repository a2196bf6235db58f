import TenkenCheck
import TenkenData
import TenkenSyntax

/// The provider's published profile (the `provider` section) as every report states it: its
/// date, where it came from, and whether it is older than the pack allows. The provider's
/// measures of 1-2 change with the service (「MCSの機能変更などに伴って…改訂される場合が
/// あります」, はじめに), so a profile dated long before the audit may no longer describe it.
public struct ProviderProfile: Sendable {
    /// `profile_as_of`; nil when the profile does not say.
    public var asOf: Day?
    /// Where the date is (or the section, when it has none).
    public var location: SourceLocation?
    /// The pack's `provider.profile_max_age`, when it declares one.
    public var maxAge: Duration?
    /// The profile is older than `maxAge` on the as-of date, or has no date.
    public var stale: Bool

    /// The parameter a pack declares to bound the profile's age.
    public static let maxAgeParam = "provider.profile_max_age"

    /// The facility's provider section, judged on the as-of date; nil when there is none.
    static func of(_ roots: [Value?], pack: CheckedPack, params: [Value], asOf: Day) -> ProviderProfile? {
        guard case .record(let r)? = roots[SnapshotRoot.provider.index], let field = r.schema.index["profile_as_of"]
        else { return nil }
        var maxAge: Duration?
        if let i = pack.paramIndex[maxAgeParam], case .duration(let d) = params[i] { maxAge = d }
        var date: Day?
        if case .date(let d) = r.values[field] { date = d }
        let stale = date.map { d in maxAge.map { d.adding($0) < asOf } ?? false } ?? true
        return ProviderProfile(asOf: date, location: r.location(ofField: field), maxAge: maxAge, stale: stale)
    }

    /// The warning reports print when the profile is stale.
    public var warning: Bilingual? {
        guard stale else { return nil }
        guard let asOf else {
            return Bilingual(
                ja: "事業者プロファイルに公表日（profile_as_of）がありません。事業者の最新の公表内容で確認してください",
                en:
                    "the provider profile has no date (profile_as_of); check it against the provider's latest "
                    + "published measures"
            )
        }
        let age = maxAge.map { ($0.descriptionJa, $0.description) } ?? ("", "")
        return Bilingual(
            ja: "事業者プロファイルは \(asOf) 時点のもので、基準日より \(age.0)以上前です。事業者の最新の公表内容で更新してください（--provider）",
            en:
                "the provider profile is dated \(asOf), more than \(age.1) before the as-of date; update it from the "
                + "provider's latest published measures (--provider)"
        )
    }
}
