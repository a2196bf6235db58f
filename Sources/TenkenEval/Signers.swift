import TenkenData
import TenkenSyntax

/// Who may sign a statement in a role on a day, from the facility's staff and roles tables:
/// the one check both the engine (weighing a statement on file) and `tenken attest` (before
/// recording one) make, so a statement `attest` records is one the report counts.
///
/// A signer must be on the staff table, employed on the signing day (not hired later, not
/// left earlier), and hold the role on the roles table — or be the director (院長・管理者) when
/// the role is one of the three leads no one else is named for (section 3: 「院長をもってそれに
/// 充てること」). A facility without a staff or roles table cannot be checked on that count:
/// the rules that need those tables report them missing.
public struct Signers: Sendable {
    /// The staff section as the roster reads it; nil when the facility has no staff section.
    let staff: Value?
    /// For each role, the (folded) ids holding it and the dates they took it (nil: an
    /// unrecorded date, which lets the appointment stand); nil when there is no roles section.
    let holders: [String: [String: [Day?]]]?
    /// The schema the roles' words come from.
    let schema: PackSchema

    /// The roles the director holds when no one else is named for them (section 3).
    public static let directorStandsIn: Set<String> = ["operations-lead", "system-admin", "privacy-lead"]

    public init(roots: [Value?], schema: PackSchema) {
        self.schema = schema
        staff = roots[SnapshotRoot.staff.index]
        if case .list(let xs)? = roots[SnapshotRoot.roles.index] {
            var h: [String: [String: [Day?]]] = [:]
            for case .record(let r) in xs {
                guard case .string(let role) = r["role"], case .string(let who) = r["staff_id"] else { continue }
                let since: Day? = if case .date(let d) = r["since"] { d } else { nil }
                h[role, default: [:]][Roster.fold(who), default: []].append(since)
            }
            holders = h
        } else {
            holders = nil
        }
    }

    public init(_ facility: Facility) { self.init(roots: facility.roots, schema: facility.schema) }

    /// Why a signer may not sign: the reason, and the field of the statement at fault (`by`:
    /// the person; `by_role`: the role they claim).
    public struct Refusal: Sendable {
        public var reason: Bilingual
        public var field: String
    }

    /// Why `by` may not sign in `role` on `day`, in words; nil when they may.
    public func refusal(by: String, role: String, on day: Day) -> Bilingual? {
        check(by: by, role: role, on: day)?.reason
    }

    /// Why `by` may not sign in `role` on `day`, with the field at fault; nil when they may.
    /// Ids are compared as everywhere (`Roster.fold`); employment is the roster's
    /// (`Roster.employmentGap`: a hiring or leaving date the roster leaves unknown cannot show
    /// they were there); a role taken after `day` (`roles.since`) was not yet held.
    public func check(by: String, role: String, on day: Day) -> Refusal? {
        let roleJa = Words.role(role, ja: true, in: schema)
        if let gap = Roster.employmentGap(of: by, on: day, staff: staff) {
            return Refusal(reason: Bilingual(ja: "回答者 " + gap.ja, en: "the signer " + gap.en), field: "by")
        }
        guard let holders else { return nil }
        let key = Roster.fold(by)
        func since(_ r: String) -> [Day?]? { holders[r]?[key] }
        // Held in its own right, else as the director standing in for a lead no one holds.
        let dates =
            since(role)
            ?? ((Signers.directorStandsIn.contains(role) && (holders[role] ?? [:]).isEmpty) ? since("director") : nil)
        guard let dates else {
            let named = (holders[role] ?? [:]).keys.sorted()
            let who =
                named.isEmpty
                ? (Signers.directorStandsIn.contains(role)
                    ? Bilingual(ja: "任命された職員も院長・管理者もいません", en: "no one, and no director, holds it")
                    : Bilingual(ja: "任命された職員はいません", en: "no one holds it"))
                : Bilingual(
                    ja: "任命されているのは \(named.joined(separator: "、")) です",
                    en: "it is held by \(named.joined(separator: ", "))")
            return Refusal(
                reason: Bilingual(
                    ja: "回答者 \(by) は役割表で\(roleJa)に任命されていません（\(who.ja)）",
                    en: "the signer \(by) does not hold the role \(role) in the roles table (\(who.en))"),
                field: "by_role")
        }
        // Appointed from an unrecorded date: the appointment stands; else the earliest date counts.
        if !dates.contains(where: { $0 == nil }), let first = dates.compactMap({ $0 }).min(), day < first {
            return Refusal(
                reason: Bilingual(
                    ja: "\(day) の回答時、\(by) はまだ\(roleJa)ではありません（任命日 \(first)）",
                    en: "signed on \(day), before \(by) took the role \(role) on \(first)"), field: "by_role")
        }
        return nil
    }
}
