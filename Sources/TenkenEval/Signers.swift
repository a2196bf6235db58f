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
    /// Staff records by id; nil when the facility has no staff section.
    let staff: [String: Record]?
    /// Staff ids holding each role; nil when the facility has no roles section.
    let holders: [String: Set<String>]?

    /// The roles the director holds when no one else is named for them (section 3).
    public static let directorStandsIn: Set<String> = ["operations-lead", "system-admin", "privacy-lead"]

    public init(roots: [Value?]) {
        if case .list(let xs)? = roots[SnapshotSchema.rootIndex["staff"]!] {
            var byID: [String: Record] = [:]
            for case .record(let r) in xs { if let id = r.displayID, byID[id] == nil { byID[id] = r } }
            staff = byID
        } else {
            staff = nil
        }
        if case .list(let xs)? = roots[SnapshotSchema.rootIndex["roles"]!] {
            var h: [String: Set<String>] = [:]
            for case .record(let r) in xs {
                if case .string(let role) = r["role"], case .string(let who) = r["staff_id"] { h[role, default: []].insert(who) }
            }
            holders = h
        } else {
            holders = nil
        }
    }

    public init(_ facility: Facility) { self.init(roots: facility.roots) }

    /// Why a signer may not sign: the reason, and the field of the statement at fault (`by`:
    /// the person; `by_role`: the role they claim).
    public struct Refusal: Sendable {
        public var reason: Bilingual
        public var field: String
    }

    /// Why `by` may not sign in `role` on `day`, in words; nil when they may.
    public func refusal(by: String, role: String, on day: Day) -> Bilingual? { check(by: by, role: role, on: day)?.reason }

    /// Why `by` may not sign in `role` on `day`, with the field at fault; nil when they may.
    public func check(by: String, role: String, on day: Day) -> Refusal? {
        let roleJa = Words.role(role, ja: true)
        if let staff {
            guard let person = staff[by] else {
                return Refusal(reason: Bilingual(ja: "回答者 \(by) は職員名簿にいません", en: "the signer \(by) is not in the staff table"), field: "by")
            }
            if case .date(let hired) = person["hired_on"], hired > day {
                return Refusal(reason: Bilingual(ja: "回答者 \(by) の入職日 \(hired) は回答日 \(day) より後です",
                                                 en: "the signer \(by) was hired on \(hired), after the signing day \(day)"), field: "by")
            }
            if case .date(let left) = person["left_on"], left < day {
                return Refusal(reason: Bilingual(ja: "回答者 \(by) は回答日 \(day) より前の \(left) に退職しています",
                                                 en: "the signer \(by) left on \(left), before the signing day \(day)"), field: "by")
            }
        }
        if let holders, !holds(by, role, holders) {
            let named = (holders[role] ?? []).sorted()
            let who = named.isEmpty
                ? (Signers.directorStandsIn.contains(role)
                    ? Bilingual(ja: "任命された職員も院長・管理者もいません", en: "no one, and no director, holds it")
                    : Bilingual(ja: "任命された職員はいません", en: "no one holds it"))
                : Bilingual(ja: "任命されているのは \(named.joined(separator: "、")) です", en: "it is held by \(named.joined(separator: ", "))")
            return Refusal(reason: Bilingual(ja: "回答者 \(by) は役割表で\(roleJa)に任命されていません（\(who.ja)）",
                                             en: "the signer \(by) does not hold the role \(role) in the roles table (\(who.en))"), field: "by_role")
        }
        return nil
    }

    func holds(_ by: String, _ role: String, _ holders: [String: Set<String>]) -> Bool {
        if holders[role]?.contains(by) == true { return true }
        // The director stands in for a lead no one else is named for.
        return Signers.directorStandsIn.contains(role) && (holders[role] ?? []).isEmpty && holders["director"]?.contains(by) == true
    }
}
