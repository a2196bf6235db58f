import TenkenCheck
import TenkenData
import TenkenSyntax

/// An accepted exception: a rule's failure at one facility (or all) is known and approved
/// until a date. Waivers never hide an `error` result and never outlive their expiry.
public struct Waiver: Sendable {
    public var rule: String
    /// A facility id, or nil for every facility.
    public var facility: String?
    public var justification: String
    public var requestedBy: String
    public var approvedBy: String
    public var grantedOn: Day
    public var expiresOn: Day
    public var location: SourceLocation

    public init(rule: String, facility: String?, justification: String, requestedBy: String, approvedBy: String,
                grantedOn: Day, expiresOn: Day, location: SourceLocation) {
        self.rule = rule
        self.facility = facility
        self.justification = justification
        self.requestedBy = requestedBy
        self.approvedBy = approvedBy
        self.grantedOn = grantedOn
        self.expiresOn = expiresOn
        self.location = location
    }
}

public enum WaiverPolicy {
    /// Checks waivers against the pack and the rules of good practice: the approver differs
    /// from the requester, the term is at most `maxTerm`, the rule exists, the dates make sense.
    public static func validate(_ ws: [Waiver], pack: CheckedPack, maxTerm: Duration, knownFacilities: Set<String>?) -> [Diagnostic] {
        var out: [Diagnostic] = []
        let rules = Set(pack.rules.map(\.id))
        for w in ws {
            if !rules.contains(w.rule) {
                out.append(Diagnostic("waiver.unknown-rule", .error, "waiver names a rule this pack does not have (found \(ValueShape.of(w.rule)))", at: w.location,
                                      help: closestMatch(to: w.rule, in: rules).map { "did you mean `\($0)`?" }))
            }
            if let f = w.facility, let known = knownFacilities, !known.contains(f) {
                out.append(Diagnostic("waiver.unknown-facility", .error, "waiver names a facility that is not in this run (found \(ValueShape.of(f)))", at: w.location,
                                      help: closestMatch(to: f, in: known).map { "did you mean `\($0)`?" }))
            }
            // Ids are compared as a person reads them: `S-001　` and `s-001` are S-001.
            func person(_ s: String) -> String { CellText.clean(s).text.lowercased() }
            if person(w.approvedBy) == person(w.requestedBy) {
                out.append(Diagnostic("waiver.self-approved", .error, "waiver is approved by its own requester; a second person must approve it", at: w.location))
            }
            if CellText.clean(w.justification).text.isEmpty || person(w.approvedBy).isEmpty || person(w.requestedBy).isEmpty {
                out.append(Diagnostic("waiver.incomplete", .error, "waiver\(rules.contains(w.rule) ? " of `\(w.rule)`" : "") needs a justification, a requester and an approver", at: w.location))
            }
            for (what, text) in [("justification", w.justification), ("requested_by", w.requestedBy), ("approved_by", w.approvedBy)] {
                if let bad = CellText.clean(text).refused {
                    out.append(Diagnostic("waiver.control-character", .error, "`\(what)` holds the control character \(CellText.describe(bad))", at: w.location))
                }
            }
            if w.expiresOn < w.grantedOn {
                out.append(Diagnostic("waiver.bad-dates", .error, "waiver expires (\(w.expiresOn)) before it is granted (\(w.grantedOn))", at: w.location))
            } else if w.grantedOn.adding(maxTerm) < w.expiresOn {
                out.append(Diagnostic("waiver.too-long", .error,
                    "waiver runs from \(w.grantedOn) to \(w.expiresOn), longer than the maximum of \(maxTerm)", at: w.location,
                    help: "grant a shorter waiver and renew it, or raise --waiver-max-term"))
            }
        }
        return out
    }

    /// Applies waivers to one facility's results; returns warnings for waivers that expire soon.
    public static func apply(_ ws: [Waiver], to result: inout FacilityResult, warnWithin: Duration = Duration.days(30)) -> [Diagnostic] {
        var notes: [Diagnostic] = []
        let asOf = result.asOf
        for i in result.results.indices {
            let r = result.results[i]
            let matching = ws.filter { $0.rule == r.ruleID && ($0.facility == nil || $0.facility == result.facilityID) }
            guard !matching.isEmpty, r.state == .fail else { continue }
            // The waiver that runs longest among those already granted.
            let granted = matching.filter { $0.grantedOn <= asOf }.sorted { $0.expiresOn > $1.expiresOn }
            guard let w = granted.first else { continue }
            if w.expiresOn < asOf {
                result.results[i].reason = Bilingual(
                    ja: "免除は \(w.expiresOn) に期限切れです（理由: \(w.justification)）",
                    en: "the waiver expired on \(w.expiresOn) (justification: \(w.justification))")
                continue
            }
            // A waiver covers the failures it was granted for; elements the rule could not
            // decide stay undecided, so the rule is `unknown`, never green by a waiver.
            result.results[i].state = r.undetermined.isEmpty ? .waived : .unknown
            result.results[i].reason = Bilingual(
                ja: "免除: \(w.justification)（申請 \(w.requestedBy)、承認 \(w.approvedBy)、\(w.expiresOn) まで）",
                en: "waived: \(w.justification) (requested by \(w.requestedBy), approved by \(w.approvedBy), until \(w.expiresOn))")
            if w.expiresOn <= asOf.adding(warnWithin) {
                notes.append(Diagnostic("waiver.expiring", .warning,
                    "waiver of `\(w.rule)` for \(result.facilityID) expires on \(w.expiresOn), within \(warnWithin)", at: w.location))
            }
        }
        return notes
    }
}
