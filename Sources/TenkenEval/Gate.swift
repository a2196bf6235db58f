import TenkenCheck

/// Which results stop a run: the policy behind `--fail-on` and the exit codes of `check`,
/// `batch` and `merge` (docs/ci.md).
///
/// A run is `undecided` when any rule, at any level, could not be evaluated (`error`) or
/// decided (`unknown`): a gate never goes green on evidence it could not see. Otherwise it
/// has `gaps` when a rule at the gate's level or stricter failed, or, with `manual`, still
/// waits for a person's attestation, or, with `loosened`, runs on a parameter the report flags
/// as loosened (`ParamSetting.flagged`); else it is `met`.
public struct Gate: Sendable, Equatable {
    public enum Verdict: Sendable, Hashable { case met, gaps, undecided }

    /// Failures at this level or stricter are gaps; nil (`never`): no failure is.
    public var level: Level?
    /// Items still waiting for an attestation (`manual`) at the gated levels are gaps too.
    public var manual: Bool
    /// A facility judged on a loosened parameter (past the source's bound, or looser than the
    /// pack's default in its own snapshot) has a gap.
    public var loosened: Bool

    public init(level: Level?, manual: Bool = false, loosened: Bool = false) {
        self.level = level
        self.manual = manual
        self.loosened = loosened
    }

    /// `required`, `recommended`, `never`, optionally with `,manual` and `,loosened`
    /// (`required,manual,loosened`); `strict` is `required,manual,loosened`. Nil for anything else.
    public init?(_ text: String) {
        var level: Level?? = nil
        var manual = false, loosened = false
        for part in text.split(separator: ",", omittingEmptySubsequences: false).map(String.init) {
            switch part {
            case "required", "recommended", "optional":
                guard level == nil else { return nil }
                level = Level(rawValue: part)
            case "never":
                guard level == nil else { return nil }
                level = .some(nil)
            case "manual": manual = true
            case "loosened": loosened = true
            case "strict":
                guard level == nil else { return nil }
                level = .required
                manual = true
                loosened = true
            default: return nil
            }
        }
        guard let level else { return nil }
        if (manual || loosened) && level == nil { return nil }
        self.init(level: level, manual: manual, loosened: loosened)
    }

    public static let words =
        "required, recommended or never, optionally with ,manual and ,loosened (e.g. required,manual); strict = "
        + "required,manual,loosened"

    /// The verdict over `(level, state, counts)` triples; `counts` is false for a failure a
    /// baseline already knew (it still makes a run undecided if it is undecided).
    /// Inlinable, so that a caller's lazy sequence is specialised rather than walked through
    /// generic witnesses (the aggregate calls this for every facility).
    @inlinable
    public func verdict(
        _ items: some Sequence<(level: Level, state: RuleState, counts: Bool)>, loosened flagged: Bool = false
    ) -> Verdict {
        var gaps = loosened && flagged
        for (lv, st, counts) in items {
            if st == .error || st == .unknown { return .undecided }
            guard let threshold = level, lv <= threshold else { continue }
            // A baseline forgives known failures, never an item still waiting for a person.
            if (st == .fail && counts) || (manual && st == .manual) { gaps = true }
        }
        return gaps ? .gaps : .met
    }

    /// Whether some result is a gap at the gate's level (whether or not others are undecided).
    @inlinable
    public func hasGaps(_ items: some Sequence<(Level, RuleState)>, loosened flagged: Bool = false) -> Bool {
        guard let threshold = level else { return false }
        if loosened && flagged { return true }
        return items.contains { lv, st in lv <= threshold && (st == .fail || (manual && st == .manual)) }
    }

    /// The verdict of one facility's results.
    public func verdict(
        _ r: FacilityResult, rules: [CheckedRule], counts: (RuleResult) -> Bool = { _ in true }
    ) -> Verdict {
        verdict(
            zip(rules, r.results).map { (level: $0.0.level, state: $0.1.state, counts: counts($0.1)) },
            loosened: !r.loosenedParams.isEmpty)
    }
}
