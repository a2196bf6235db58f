import TenkenCheck
import TenkenData

/// One statement a person has to make (or make again): an attestation key, the rules and
/// catalog items it stands for, who may make it, and why it is due now.
public struct DueAttestation: Sendable {
    public enum Why: Sendable, Equatable {
        /// No statement on file.
        case missing
        /// A statement is on file, but the report does not count it (a signer it refuses, a
        /// not-applicable without a reason, a date after the as-of date, a lapsed
        /// not-applicable…): the engine's reason.
        case notCounted(Bilingual)
        /// The last statement ran out: valid until the date (inclusive), no longer.
        case expired(Day)
        /// The last statement is valid until the date (inclusive), within the warning window.
        case expiring(Day)
        /// The last statement said "no".
        case answeredNo
    }

    public var key: String
    public var rules: [CheckedRule]
    public var roles: [String]
    public var why: Why
    public var current: AttestationInfo?
}

public enum AttestationPlan {
    /// The attestations due for a facility: missing, on file but not counted, answered "no",
    /// expired, or running out within `window` of the as-of date. Rules that do not apply are
    /// left out. One entry per key, in pack order. `facility` (the one `result` judged) tells
    /// a statement on file that is too incomplete to be weighed (undated, no answer) from no
    /// statement at all; without it such a one is `missing`.
    public static func due(
        pack: CheckedPack, result: FacilityResult, window: Duration, facility: Facility? = nil
    ) -> [DueAttestation] {
        let horizon = result.asOf.adding(window)
        // The items some row of the statements names, however incomplete the row.
        var named: Set<String> = []
        if let st = pack.schema.mechanisms.statements, case .list(let xs)? = facility?.roots[st.section] {
            for case .record(let r) in xs { if case .string(let k) = r.values[st.item] { named.insert(k) } }
        }
        var out: [DueAttestation] = []
        var byKey: [String: Int] = [:]
        for (rule, r) in zip(pack.rules, result.results) {
            guard let a = rule.attestation else { continue }
            let why: DueAttestation.Why?
            switch (r.state, r.attestation) {
            // A "not applicable" that has run out leaves the rule manual: due again, as expired.
            case (.manual, let info?)
            where info.answer == pack.schema.mechanisms.statements?.notApplicable
                && info.validUntil.map { $0 < result.asOf } == true:
                why = info.validUntil.map(DueAttestation.Why.expired) ?? .missing
            // A statement on file that does not count (weighed, or too incomplete to weigh): why
            // not, in the engine's words.
            case (.manual, let info) where info != nil || named.contains(a.key):
                why = r.reason.map(DueAttestation.Why.notCounted) ?? .missing
            case (.manual, _), (.error, _): why = .missing
            case (.fail, let info?):
                // The pack's own word for "no" (`statements … no "…"`), not MCS's spelling.
                if info.answer == pack.schema.mechanisms.statements?.no {
                    why = .answeredNo
                } else {
                    why = info.validUntil.map(DueAttestation.Why.expired) ?? .missing
                }
            case (.attested, let info?), (.notApplicable, let info?), (.waived, let info?):
                if let until = info.validUntil, until <= horizon { why = .expiring(until) } else { why = nil }
            default: why = nil
            }
            guard let why else { continue }
            if let i = byKey[a.key] {
                out[i].rules.append(rule)
                out[i].roles = out[i].roles.filter(a.roles.contains)
            } else {
                byKey[a.key] = out.count
                out.append(DueAttestation(key: a.key, rules: [rule], roles: a.roles, why: why, current: r.attestation))
            }
        }
        return out
    }

    /// Every attestation key the pack knows, with the roles that may sign it.
    public static func keys(_ pack: CheckedPack) -> [String: [String]] {
        var out: [String: [String]] = [:]
        for r in pack.rules {
            guard let a = r.attestation else { continue }
            out[a.key] = out[a.key].map { $0.filter(a.roles.contains) } ?? a.roles
        }
        return out
    }
}

extension Engine {
    /// How long a statement on each attestation item counts from the day it is signed (its
    /// rules' `renew`, evaluated with the facility's parameters and `commandLine`'s, as the
    /// report evaluates them); the shortest where rules sharing an item renew it differently,
    /// so a statement recorded within it counts for every one of them.
    public func renewals(_ facility: Facility, asOf: Day, commandLine: [ParamOverride] = []) -> [String: Duration] {
        let (values, _, _) = ParamResolver.resolve(pack, overrides: facility.overrides + commandLine)
        let m = machine(facility, params: values, asOf: asOf)
        var out: [String: Duration] = [:]
        for rule in pack.rules {
            guard let a = rule.attestation else { continue }
            // As the report weighs a statement (`Engine.renewal`).
            let renew = Engine.renewal(m.eval(a.renew))
            // Compared by where they end from one day (a month is not a fixed number of days).
            if let old = out[a.key], asOf.adding(old) <= asOf.adding(renew) { continue }
            out[a.key] = renew
        }
        return out
    }
}
