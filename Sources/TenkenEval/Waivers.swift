import TenkenCheck
import TenkenData
import TenkenSyntax

/// An accepted exception: a rule's failure at one facility (or all) is known and approved
/// through a date (`expiresOn`, its last day: in force on it, not after). Waivers never hide
/// an `error` result and never outlive that day.
public struct Waiver: Sendable {
    public var rule: String
    /// A facility id, or nil for every facility.
    public var facility: String?
    public var justification: String
    public var requestedBy: String
    public var approvedBy: String
    public var grantedOn: Day
    public var expiresOn: Day
    /// The elements the waiver covers, as reports name them (`N-1`, `G-12 / A-7`); nil: every
    /// failure of the rule at the facility, whatever its element (the rule-wide form).
    public var elements: [String]?
    public var location: SourceLocation

    public init(
        rule: String, facility: String?, justification: String, requestedBy: String, approvedBy: String,
        grantedOn: Day, expiresOn: Day, elements: [String]? = nil, location: SourceLocation
    ) {
        self.rule = rule
        self.facility = facility
        self.justification = justification
        self.requestedBy = requestedBy
        self.approvedBy = approvedBy
        self.grantedOn = grantedOn
        self.expiresOn = expiresOn
        self.elements = elements
        self.location = location
    }

    /// Whether the waiver covers a violation: any, for a rule-wide waiver; else one whose
    /// element it names (ids read as a person reads them). A violation about no element is
    /// covered only by a rule-wide waiver.
    public func covers(_ v: Violation) -> Bool {
        guard let elements else { return true }
        guard let e = v.element else { return false }
        return elements.contains { Roster.fold($0) == Roster.fold(e) }
    }
}

public enum WaiverPolicy {
    /// Checks waivers against the pack and the rules of good practice: the approver differs
    /// from the requester, the term is at most `maxTerm`, the rule exists, the dates make sense.
    public static func validate(
        _ ws: [Waiver], pack: CheckedPack, maxTerm: Duration, knownFacilities: Set<String>?
    ) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let rules = Set(pack.rules.map(\.id))
        for w in ws {
            if !rules.contains(w.rule) {
                out.append(
                    Diagnostic(
                        "waiver.unknown-rule", .error,
                        "waiver names a rule this pack does not have (found \(ValueShape.of(w.rule)))", at: w.location,
                        help: closestMatch(to: w.rule, in: rules).map { "did you mean `\($0)`?" }))
            }
            // Facility ids are read as everywhere else: `ｆ－ｃｌ－０００５` is F-CL-0005.
            if let f = w.facility, let known = knownFacilities,
                !known.contains(where: { Roster.fold($0) == Roster.fold(f) })
            {
                out.append(
                    Diagnostic(
                        "waiver.unknown-facility", .error,
                        "waiver names a facility that is not in this run (found \(ValueShape.of(f)))", at: w.location,
                        help: closestMatch(to: f, in: known).map { "did you mean `\($0)`?" }))
            }
            // Ids are compared as a person reads them, as everywhere (`CellText.identifierKey`):
            // `S-001　`, `s-001` and `Ｓ－００１` are S-001.
            let person = Roster.fold
            // A rule id the pack does not have is never shown: it may be a value typed in the wrong place.
            let of = rules.contains(w.rule) ? " of `\(w.rule)`" : ""
            if person(w.approvedBy) == person(w.requestedBy) {
                out.append(
                    Diagnostic(
                        "waiver.self-approved", .error,
                        "waiver is approved by its own requester; a second person must approve it", at: w.location))
            }
            if CellText.clean(w.justification).text.isEmpty || person(w.approvedBy).isEmpty
                || person(w.requestedBy).isEmpty
            {
                out.append(
                    Diagnostic(
                        "waiver.incomplete", .error, "waiver\(of) needs a justification, a requester and an approver",
                        at: w.location))
            } else if Statement.saysNothing(w.justification) {
                // `なし`, `-`, `n/a`: the cell is filled and says nothing.
                out.append(
                    Diagnostic(
                        "waiver.no-justification", .error,
                        "waiver\(of) gives no justification (it holds only a word that says nothing)", at: w.location,
                        help: "say why the gap is accepted and until when it is closed"))
            }
            if let elements = w.elements, elements.isEmpty || elements.contains(where: { person($0).isEmpty }) {
                out.append(
                    Diagnostic(
                        "waiver.incomplete", .error, "waiver\(of) lists `elements`, but not one that names an element",
                        at: w.location,
                        help:
                            "name the elements as the report names them, or leave `elements` out to waive the whole "
                            + "rule"
                    ))
            }
            for (what, text) in [
                ("justification", w.justification), ("requested_by", w.requestedBy), ("approved_by", w.approvedBy),
            ] {
                if let bad = CellText.clean(text).refused {
                    out.append(
                        Diagnostic(
                            "waiver.control-character", .error,
                            "`\(what)` holds the control character \(CellText.describe(bad))", at: w.location))
                }
            }
            if w.expiresOn < w.grantedOn {
                out.append(
                    Diagnostic(
                        "waiver.bad-dates", .error,
                        "waiver is valid until \(w.expiresOn), before the day it is granted (\(w.grantedOn))",
                        at: w.location))
            } else if w.grantedOn.adding(maxTerm) < w.expiresOn {
                out.append(
                    Diagnostic(
                        "waiver.too-long", .error,
                        "waiver runs from \(w.grantedOn) to \(w.expiresOn), longer than the maximum of \(maxTerm)",
                        at: w.location,
                        help: "grant a shorter waiver and renew it, or raise --waiver-max-term"))
            }
        }
        return out
    }

    /// Checks the people of the waivers that concern this facility against its roster (the
    /// pack's `roster`, docs/dsl.md "Mechanisms"): the requester and the approver must be on
    /// it, employed on `granted_on`, and neither may be an id of its `not_people` section (MCS:
    /// a patient's). A waiver naming the facility is checked whether or not it is used; a
    /// waiver for every facility (`*`) where it waives a failure. Errors, located at the
    /// waiver. A pack that declares no roster takes the people as written (docs/ci.md).
    ///
    /// A facility that gives no `not_people` section (absent; an empty one is a real "none")
    /// cannot show that the two ids are not in it: that is never read as "not a patient's".
    /// The roster still has to show both employed, so the waiver stands, with a warning
    /// (`waiver.unchecked-person`) saying which check could not be made.
    public static func checkPeople(_ ws: [Waiver], _ result: FacilityResult, facility: Facility) -> [Diagnostic] {
        guard let roster = facility.schema.mechanisms.roster else { return [] }
        let staff = facility.roots[roster.section]
        let section = facility.schema.sections[roster.section].name
        var notPeople = Set<String>()
        // The `not_people` section the pack declares and the facility does not give.
        var unchecked: Int?
        if let np = roster.notPeople {
            if case .list(let xs)? = facility.roots[np] {
                for case .record(let r) in xs { if let id = r.displayID { notPeople.insert(Roster.fold(id)) } }
            } else {
                unchecked = np
            }
        }
        // One element of a section, by its record's name: `a patient`, `a staff member`.
        func one(_ section: Int?) -> String {
            let name = section.map { facility.schema.sections[$0].record.name.replacingOccurrences(of: "_", with: " ") }
            guard let name else { return "" }
            return ("aeiou".contains(name.prefix(1)) ? "an " : "a ") + name
        }
        var out: [Diagnostic] = []
        for w in ws where w.facility.map({ Roster.fold($0) == Roster.fold(result.facilityID) }) ?? isUsed(w, result) {
            guard staff != nil else {
                out.append(
                    Diagnostic(
                        "waiver.unknown-person", .error,
                        "waiver of `\(w.rule)`: \(result.facilityID) has no staff roster to check its requester and "
                            + "approver against",
                        at: w.location,
                        help: "add the \(section) section (\(facility.schema.tableForSection[roster.section])) to the "
                            + "facility"))
                continue
            }
            if let np = unchecked {
                let name = facility.schema.sections[np].name
                out.append(
                    Diagnostic(
                        "waiver.unchecked-person", .warning,
                        "waiver of `\(w.rule)`: \(result.facilityID) gives no \(name) section, so its `requested_by` "
                            + "and `approved_by` cannot be checked not to be \(one(np))'s id",
                        at: w.location,
                        help: "add the \(name) section (\(facility.schema.tableForSection[np])) to the facility"))
            }
            for (what, id) in [("requested_by", w.requestedBy), ("approved_by", w.approvedBy)] {
                if notPeople.contains(Roster.fold(id)) {
                    out.append(
                        Diagnostic(
                            "waiver.unknown-person", .error,
                            "waiver of `\(w.rule)`: `\(what)` `\(id)` is \(one(roster.notPeople))'s id at "
                                + "\(result.facilityID), not \(one(roster.section))'s",
                            at: w.location))
                } else if let gap = Roster.employmentGap(of: id, on: w.grantedOn, in: roster, people: staff) {
                    out.append(
                        Diagnostic(
                            "waiver.unknown-person", .error,
                            "waiver of `\(w.rule)` granted on \(w.grantedOn): `\(what)` names no one employed at "
                                + "\(result.facilityID) that day (\(gap.en))",
                            at: w.location,
                            help: "a waiver is requested and approved by the facility's own staff"))
                }
            }
        }
        return out
    }

    /// Whether a waiver is in force for one of this facility's failures.
    static func isUsed(_ w: Waiver, _ result: FacilityResult) -> Bool {
        w.grantedOn <= result.asOf && result.results.contains { $0.ruleID == w.rule && $0.state == .fail }
    }

    /// Applies waivers to one facility's results; returns warnings for waivers that expire
    /// soon. With the facility, the waivers' people are checked first (`checkPeople`): errors
    /// are returned without applying anything, warnings (a check that could not be made) with
    /// the other notes.
    public static func apply(
        _ ws: [Waiver], to result: inout FacilityResult, facility: Facility? = nil,
        warnWithin: Duration = Duration.days(30)
    ) -> [Diagnostic] {
        let mine = ws.filter { w in w.facility.map { Roster.fold($0) == Roster.fold(result.facilityID) } ?? true }
        // No waiver for this facility (a batch without a waiver file): nothing to check or
        // apply. Checking the people first read the facility's non-staff ids into a set, and
        // each rule's result was copied to find no waiver for it, for every facility.
        guard !mine.isEmpty else { return [] }
        var notes: [Diagnostic] = []
        if let facility {
            let problems = checkPeople(mine, result, facility: facility)
            if problems.contains(where: { $0.severity == .error }) { return problems }
            notes = problems
        }
        let asOf = result.asOf
        for i in result.results.indices {
            let r = result.results[i]
            let matching = mine.filter { $0.rule == r.ruleID }
            guard !matching.isEmpty, r.state == .fail else { continue }
            // The waivers already granted, longest-running first.
            let granted = matching.filter { $0.grantedOn <= asOf }.sorted { $0.expiresOn > $1.expiresOn }
            guard let w = granted.first else { continue }
            let inForce = granted.filter { $0.expiresOn >= asOf }
            if inForce.isEmpty {
                // `expires_on` is the waiver's last day (it is in force on it): past it, the
                // waiver *was valid until* that day; "expired on" it would read as if it never
                // covered that day.
                result.results[i].expiredWaiver = WaiverInfo(
                    justification: w.justification, requestedBy: w.requestedBy, approvedBy: w.approvedBy,
                    grantedOn: w.grantedOn, expiresOn: w.expiresOn)
                result.results[i].reason = Bilingual(
                    ja: "免除は \(w.expiresOn) まで有効でした（理由: \(w.justification)）",
                    en: "the waiver was valid until \(w.expiresOn) (justification: \(w.justification))")
                continue
            }
            // Each violation needs a waiver in force that covers it; one naming elements
            // covers only those.
            let uncovered = r.violations.filter { v in !inForce.contains { $0.covers(v) } }
            let covered = r.violations.filter { v in inForce.contains { $0.covers(v) } }
            let used = inForce.first { x in covered.contains { x.covers($0) } } ?? inForce[0]
            let names = Waiver.list(covered)
            // Each covered finding carries its waiver, so a report can mark (SARIF: suppress)
            // exactly those, also while the rule still fails for the others.
            for j in result.results[i].violations.indices {
                if let x = inForce.first(where: { $0.covers(result.results[i].violations[j]) }) {
                    result.results[i].violations[j].waiver = x.info
                }
            }
            // A waiver covers the failures it was granted for; elements the rule could not
            // decide stay undecided, so the rule is `unknown`, never green by a waiver.
            // Findings past the cap are not listed: only a rule-wide waiver can cover them.
            let whole = uncovered.isEmpty && (r.unlisted == 0 || inForce.contains { $0.elements == nil })
            if !whole {
                let open = Waiver.list(uncovered) + (r.unlisted > 0 ? " (+\(r.unlisted) unlisted)" : "")
                result.results[i].reason = Bilingual(
                    ja: "免除（\(used.expiresOn) まで）は \(names.isEmpty ? "どの指摘も" : names + " を")対象とし、\(open) は対象外です",
                    en:
                        "the waiver (until \(used.expiresOn)) covers "
                        + "\(names.isEmpty ? "none of the findings" : names); not \(open)"
                )
                continue
            }
            result.results[i].state = r.undetermined.isEmpty ? .waived : .unknown
            result.results[i].waiver = used.info
            let scope =
                used.elements == nil
                ? Bilingual(ja: "規則全体", en: "the whole rule")
                : Bilingual(ja: names, en: names)
            result.results[i].reason = Bilingual(
                ja:
                    "免除: \(used.justification)（対象: \(scope.ja)、申請 \(used.requestedBy)、承認 "
                    + "\(used.approvedBy)、\(used.expiresOn) まで）",
                en:
                    "waived: \(used.justification) (covers \(scope.en); requested by \(used.requestedBy), approved "
                    + "by \(used.approvedBy), until \(used.expiresOn))"
            )
            if used.expiresOn <= asOf.adding(warnWithin) {
                notes.append(
                    Diagnostic(
                        "waiver.expiring", .warning,
                        "waiver of `\(used.rule)` for \(result.facilityID) is valid until \(used.expiresOn) (its "
                            + "last day), within \(warnWithin)",
                        at: used.location))
            }
        }
        return notes
    }
}

extension Waiver {
    /// The waiver as results carry it.
    var info: WaiverInfo {
        WaiverInfo(
            justification: justification, requestedBy: requestedBy, approvedBy: approvedBy, grantedOn: grantedOn,
            expiresOn: expiresOn)
    }

    /// The elements of some findings, as a report names them: `N-1, N-3` (an element-less
    /// finding as "(no element)"), at most ten and a count.
    static func list(_ vs: [Violation]) -> String {
        let names = vs.map { $0.element ?? "(no element)" }
        return names.prefix(10).joined(separator: ", ") + (names.count > 10 ? " (+\(names.count - 10))" : "")
    }
}
