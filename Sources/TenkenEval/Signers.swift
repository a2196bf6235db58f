import TenkenData
import TenkenSyntax

/// Who may sign a statement in a role on a day, from the facility's roster and appointments
/// (`roster` and `appointments`, docs/dsl.md "Mechanisms"): the one check both the engine
/// (weighing a statement on file) and `tenken attest` (before recording one) make, so a
/// statement `attest` records is one the report counts.
///
/// A signer must be on the roster, employed on the signing day (not there from a later day,
/// not gone earlier), and hold the role in the appointments — or be a stand-in holder (MCS:
/// the director, 院長・管理者) when the role is one it stands in for and no one held it that day
/// (section 3: 「院長をもってそれに充てること」). A row that names the role but leaves its holder
/// blank, a blank the pack gives no meaning (MCS: 不明), says someone holds it, who is unknown:
/// it shows no signer entitled and keeps the stand-in out. Where the pack declares the roster or the
/// appointments but the facility gives no such section (absent; an empty one is a real "no
/// one"), the signer cannot be shown entitled and the statement does not count: a missing
/// section never reads as "nothing wrong". A pack that declares no roster has its signers' employment unchecked
/// (`check.unchecked-signers`); one that declares no appointments has roles checked against the
/// rule's `by` roles only (the engine does that before asking here).
public struct Signers: Sendable {
    /// The roster and its section as the facility has it; nil when the pack declares no roster.
    let roster: (mechanism: StaffRoster, people: Value?)?
    /// The appointments the pack declares; nil when it declares none.
    let appointments: Appointments?
    /// Since when an appointment is held, read with the schema's meaning of a blank: a day, a
    /// blank the pack declares harmless (`absent …`: the appointment stands), or unknown (a
    /// blank without `absent`, or contradicted: it cannot show the role was held).
    enum Since: Equatable {
        case on(Day)
        case always
        case unknown
    }
    /// For each role, the (folded) ids holding it and since when; nil when there is no
    /// appointments section (or the pack declares none).
    let holders: [String: [String: [Since]]]?
    /// For each role, since when a row names it without saying who holds it (a blank person
    /// the pack gives no meaning: someone holds it, who is unknown). Such a row may be the
    /// signer's, so it shows no one entitled, and it may be the role's holder that day, so it
    /// keeps the stand-in out.
    let unnamed: [String: [Since]]
    /// The schema the roles' words come from.
    let schema: PackSchema

    public init(roots: [Value?], schema: PackSchema) {
        self.schema = schema
        let m = schema.mechanisms
        roster = m.roster.map { ($0, roots[$0.section]) }
        appointments = m.appointments
        var u: [String: [Since]] = [:]
        if let ap = m.appointments, case .list(let xs)? = roots[ap.section] {
            var h: [String: [String: [Since]]] = [:]
            for case .record(let r) in xs {
                guard case .string(let role) = r.values[ap.role] else { continue }
                let since: Since =
                    switch r.effective(ap.since) {
                    case .date(let d): .on(d)
                    case .unknown: .unknown
                    default: .always
                    }
                switch r.effective(ap.person) {
                case .string(let who): h[role, default: [:]][Roster.fold(who), default: []].append(since)
                // A blank the pack gives no meaning (MCS: 不明): the role is held, by someone unknown.
                case .unknown: u[role, default: []].append(since)
                // A blank the pack declares harmless (`absent …`): the row names no holder.
                default: continue
                }
            }
            holders = h
        } else {
            holders = nil
        }
        unnamed = u
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
        // A roster the facility does not give cannot show the signer employed: `employmentGap`
        // says so, as it does for an id the roster lacks.
        if let roster, let gap = Roster.employmentGap(of: by, on: day, in: roster.mechanism, people: roster.people) {
            return Refusal(
                reason: Bilingual(ja: "回答者 " + gap.ja, en: "the signer " + gap.en),
                field: signerFieldName(\.signer, "signer"))
        }
        guard let appointments else { return nil }
        let roleField = signerFieldName(\.role, "role")
        // Declared, but the facility gives no appointments section (an empty one is a real
        // "no one holds a role"): nothing shows the signer holds the role, so the statement
        // cannot count.
        guard let holders else {
            let section = schema.sections[appointments.section].name
            return Refusal(
                reason: Bilingual(
                    ja: "\(appointments.label.ja)（\(section)）がないため、回答者 \(by) が\(roleJa)に任命されているか確かめられません",
                    en: "the facility gives no \(appointments.label.en) (`\(section)`), so the signer \(by) cannot be "
                        + "checked to hold the role \(role)"),
                field: roleField)
        }
        let key = Roster.fold(by)
        func since(_ r: String) -> [Since]? { holders[r]?[key] }
        // Held in its own right, else as a stand-in for a role no one held that day: one
        // appointed only later left the role to the stand-in when the statement was signed; one
        // whose appointment date is unknown may have held it, so the stand-in cannot be shown.
        let standIn = appointments.standIns.first { $0.roles.contains(role) }
        // Whether an appointment may have been held on the day: from then or before, or since
        // a day the table does not give.
        func mayHold(_ s: Since) -> Bool {
            switch s {
            case .always, .unknown: true
            case .on(let d): d <= day
            }
        }
        // A row that names the role but not its holder, in force that day: someone held it,
        // who is not said. One dated after the day says nothing about the day.
        let unnamedThatDay = (unnamed[role] ?? []).contains(where: mayHold)
        // A row that names the role but not its holder may be one held that day too.
        let heldThatDay = unnamedThatDay || (holders[role] ?? [:]).values.contains { $0.contains(where: mayHold) }
        let dates = since(role) ?? ((standIn != nil && !heldThatDay) ? standIn.flatMap { since($0.holder) } : nil)
        guard let dates else {
            let named = (holders[role] ?? [:]).keys.sorted()
            let label = appointments.label
            // Someone holds it, who is not said: the signer may be the holder, but nothing shows it.
            if unnamedThatDay {
                let others =
                    named.isEmpty
                    ? Bilingual(ja: "", en: "")
                    : Bilingual(
                        ja: "。ほかに任命されているのは \(named.joined(separator: "、")) です",
                        en: "; it names \(named.joined(separator: ", ")) as well")
                return Refusal(
                    reason: Bilingual(
                        ja: "\(label.ja)は\(roleJa)を挙げていますが、誰が任命されているかが書かれていないため、"
                            + "回答者 \(by) が\(roleJa)に任命されているか確かめられません\(others.ja)",
                        en: "the \(label.en) names the role \(role) without saying who holds it, so the signer \(by) "
                            + "cannot be shown to hold it\(others.en)"),
                    field: roleField)
            }
            var who =
                named.isEmpty
                ? (standIn.map {
                    Bilingual(
                        ja: "任命された職員も\(Words.role($0.holder, ja: true, in: schema))もいません",
                        en: "no one, and no \($0.holder), holds it")
                }
                    ?? Bilingual(ja: "任命された職員はいません", en: "no one holds it"))
                : Bilingual(
                    ja: "任命されているのは \(named.joined(separator: "、")) です",
                    en: "it is held by \(named.joined(separator: ", "))")
            // A row without a holder from a later day: not the day's, but said, as the table has it.
            let laterUnnamed = (unnamed[role] ?? []).compactMap { s -> Day? in
                if case .on(let d) = s, d > day { d } else { nil }
            }.min()
            if let later = laterUnnamed {
                who.ja += "。\(later) からの行は\(roleJa)を挙げていますが、誰が任命されているかは書かれていません（署名日より後）"
                who.en += "; a row from \(later), after the signing day, names it without saying who holds it"
            }
            return Refusal(
                reason: Bilingual(
                    ja: "回答者 \(by) は\(label.ja)で\(roleJa)に任命されていません（\(who.ja)）",
                    en: "the signer \(by) does not hold the role \(role) in the \(label.en) (\(who.en))"),
                field: roleField)
        }
        // Held by then, or from a blank the pack declares harmless: the appointment stands.
        let known = dates.compactMap { if case .on(let d) = $0 { d } else { nil } }
        if dates.contains(.always) || known.contains(where: { $0 <= day }) { return nil }
        if dates.contains(.unknown) {
            let sinceName = schema.sections[appointments.section].record.fields[appointments.since].name
            return Refusal(
                reason: Bilingual(
                    ja: "\(by) が\(roleJa)に任命された日が\(appointments.label.ja)になく、\(day) に任命されていたか分かりません",
                    en: "the \(appointments.label.en) does not say since when \(by) holds the role \(role) "
                        + "(\(sinceName) unknown), so it cannot show they held it on \(day)"), field: roleField)
        }
        if let first = known.min() {
            return Refusal(
                reason: Bilingual(
                    ja: "\(day) の回答時、\(by) はまだ\(roleJa)ではありません（任命日 \(first)）",
                    en: "signed on \(day), before \(by) took the role \(role) on \(first)"), field: roleField)
        }
        return nil
    }

    /// The name of a statement's field (MCS: `by`, `by_role`) as the pack declares it; for a
    /// pack without statements, whose signers nothing asks about, the declaration's own word
    /// (`fallback`: `signer`, `role`).
    func signerFieldName(_ field: KeyPath<Statements, Int>, _ fallback: String) -> String {
        guard let st = schema.mechanisms.statements else { return fallback }
        return schema.sections[st.section].record.fields[st[keyPath: field]].name
    }
}
