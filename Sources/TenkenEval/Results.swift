import TenkenCheck
import TenkenData
import TenkenSyntax

public enum RuleState: String, Sendable, Codable, CaseIterable {
    case pass, fail, waived
    case notApplicable = "not-applicable"
    case manual, attested, error
    /// 判定不能: the verdict depends on a value the input leaves unknown (see `Absence`);
    /// `RuleResult.undetermined` names each one and where to fill it in.
    case unknown
}

/// A value read while deciding a violation: the path as written in the rule, the value, and
/// where in the input it came from.
public struct Evidence: Sendable, Equatable {
    /// The path as the rule wrote it (`s.left_on`): for programs and rule authors.
    public var label: String
    public var value: String
    /// The value as a Japanese report shows it (`Words`): a choice by its Japanese word
    /// (`有効`), yes/no as はい/いいえ, periods and "none" in Japanese, as a Japanese table has it.
    public var valueJa: String
    /// The field as its table's column is headed (`退職日` / `left_on`), for people; nil when
    /// the value is no field's.
    public var header: Bilingual?
    var place: LazyLocation?
    var fixedLocation: SourceLocation?
    public var location: SourceLocation? { fixedLocation ?? place?.resolved }

    public init(label: String, value: String, valueJa: String? = nil, header: Bilingual? = nil, place: LazyLocation?) {
        self.label = label
        self.value = value
        self.valueJa = valueJa ?? value
        self.header = header
        self.place = place
    }

    /// A section (a table) in which no row meets what a rule asks: the place is the section,
    /// and the value says no row was found.
    public init(section root: Int, at location: SourceLocation, schema: PackSchema) {
        let name = schema.sections[root].name
        let ja =
            schema.tables.first { if case .collection(let r) = $0.shape { r == root } else { false } }?.nameJa
            ?? name
        self.init(
            label: name, value: "(no row meets the condition)", valueJa: "（条件を満たす行がありません）",
            header: Bilingual(ja: ja, en: name), place: nil)
        fixedLocation = location
    }

    /// A field of a loaded record, read by a rule.
    public init(label: String, record: Record, field: Int) {
        let schema = record.schema.fields[field]
        // An absent field shows what a rule read for it: unknown, none, or the assumed value.
        let v = record.effective(field)
        var assumed = false
        if record.values[field].isNull, case .assumed = schema.absent { assumed = true }
        var en = v.display + (assumed ? " (assumed: blank)" : ""),
            ja = Words.value(v, of: schema, ja: true) + (assumed ? "（空欄のためみなし）" : "")
        // A blank with a documented meaning says it (`left_on` blank: still employed).
        if v.isNull, case .none(let meaningEn, let meaningJa, _) = schema.absent {
            en = "(blank: \(meaningEn))"
            ja = "（空欄: \(meaningJa)）"
        }
        self.init(
            label: label, value: en, valueJa: ja, header: Words.header(schema),
            place: record.lazyLocation(ofField: field))
    }

    /// What a reader calls the value: the column header in `ja`, else the English one; the
    /// rule's path when the value is no field's.
    public func name(ja: Bool) -> String { header.map { ja ? $0.ja : $0.en } ?? label }

    public static func == (a: Evidence, b: Evidence) -> Bool {
        a.label == b.label && a.value == b.value && a.place?.offset == b.place?.offset && a.place?.path == b.place?.path
            && a.fixedLocation == b.fixedLocation
    }
}

public struct Violation: Sendable {
    public var message: Bilingual
    /// Pseudonymous id(s) of the offending element, e.g. `S-004` or `G-12 / A-7`.
    public var element: String?
    /// Which of the rule's expectations (1-based, in the order written) found it; nil for a
    /// finding of the attestation step. With `element`, it names the finding across runs: a
    /// baseline keys on both, so a new failure of another expectation is never "known".
    public var expect: Int?
    var place: LazyLocation?
    var fixedLocation: SourceLocation?
    public var evidence: [Evidence]
    /// The waiver in force that covers this finding, if any: every finding of a waived
    /// rule, or those a waiver naming `elements` lists while the rule still fails for others.
    public var waiver: WaiverInfo?

    /// Resolved when looked at; most batch runs never print it.
    public var location: SourceLocation? {
        get { fixedLocation ?? place?.resolved }
        set { fixedLocation = newValue; place = nil }
    }
    public var hasLocation: Bool { fixedLocation != nil || place != nil }

    init(message: Bilingual, element: String?, place: LazyLocation?, evidence: [Evidence]) {
        self.message = message
        self.element = element
        self.place = place
        self.evidence = evidence
    }

    init(message: Bilingual, element: String?, location: SourceLocation?, evidence: [Evidence]) {
        self.message = message
        self.element = element
        fixedLocation = location
        self.evidence = evidence
    }

    /// A finding as `FindingDetail.elements` keeps it: its element only, no message, evidence
    /// or place.
    init(element: String?) {
        self.init(message: Bilingual(ja: "", en: ""), element: element, place: nil, evidence: [])
    }
}

/// How much of each finding an evaluation builds. The states, counts, elements and
/// expectation numbers are the same either way; only what a report shows differs.
public enum FindingDetail: Sendable {
    /// Every finding with its message, evidence and place: what a report shows.
    case full
    /// Each finding's element and expectation, nothing more: what an aggregate, a waiver and
    /// a baseline read, for a batch that writes no report per facility. Skips re-running a
    /// finding's conditions with tracing, its evidence and its message.
    case elements
}

/// An accepted exception as applied to one rule at one facility: who asked, who approved,
/// why, and the days it runs (`grantedOn` to `expiresOn`, both included).
public struct WaiverInfo: Sendable, Equatable {
    public var justification: String
    public var requestedBy: String
    public var approvedBy: String
    public var grantedOn: Day
    public var expiresOn: Day

    public init(justification: String, requestedBy: String, approvedBy: String, grantedOn: Day, expiresOn: Day) {
        self.justification = justification
        self.requestedBy = requestedBy
        self.approvedBy = approvedBy
        self.grantedOn = grantedOn
        self.expiresOn = expiresOn
    }
}

public struct AttestationInfo: Sendable {
    public var key: String
    public var answer: String
    public var byRole: String?
    public var by: String?
    public var signedOn: Day?
    public var validUntil: Day?
    public var location: SourceLocation?
    /// The role as a Japanese reader knows it (`運用責任者`; the id for a role the schema does
    /// not list), worked out from the schema when the statement is weighed.
    public var byRoleJa: String? = nil
}

public struct RuleResult: Sendable {
    public var ruleID: String
    public var state: RuleState
    public var reason: Bilingual?
    public var violations: [Violation]
    /// Elements (or the whole condition) the rule could not decide because a value it needs
    /// is unknown: each names the element, the unknown values as evidence with their places,
    /// and what to fill in. With no violation, they make the state `unknown`; beside
    /// violations (state `fail`) they say what else could not be checked.
    public var undetermined: [Violation] = []
    public var attestation: AttestationInfo?
    /// The waiver that accepts this rule's failures at this facility, when one does (the state
    /// is then `waived`, or `unknown` when elements stay undecided beside the waived failures).
    public var waiver: WaiverInfo?
    /// A waiver for this rule and facility that ran out before the as-of date (the failure
    /// stands again, and reports say so).
    public var expiredWaiver: WaiverInfo?
    /// Elements examined by the rule's per-element expectations.
    public var examined: Int
    /// Violations found beyond the engine's `maxFindings`: counted exactly, not listed.
    public var unlisted = 0
    /// Undetermined findings beyond the engine's `maxFindings`: counted exactly, not listed.
    public var unlistedUndetermined = 0

    /// Every violation found, listed or not.
    public var violationCount: Int { violations.count + unlisted }
    /// Every undetermined finding, listed or not.
    public var undeterminedCount: Int { undetermined.count + unlistedUndetermined }
}

public struct ParamSetting: Sendable {
    public enum Origin: String, Sendable { case `default`, snapshot, commandLine = "command line" }
    public var name: String
    public var value: Value
    public var defaultValue: Value
    public var origin: Origin
    /// The override goes past the bound the source sets (e.g. a shorter password).
    public var loosened: Bool
    public var limit: String?
    public var location: SourceLocation?
    /// Where the source sets no bound: the override is looser than the pack's default (a
    /// longer period, a larger number, another yes/no or set), whoever set it: the audited
    /// facility's own snapshot, or the run's `--param` (in CI often assembled from files a
    /// vendor controls). The note says which (`origin`).
    public var loosensDefault: Bool = false
    /// The schema whose choice words the values are shown in (`valueJa`).
    public var schema: PackSchema
    /// What the pack calls its source (`PackInfo.sourceWord`; MCS: 規程), for `looseningNote`.
    public var sourceWord = Bilingual(ja: "出典", en: "Source")

    /// The value and the default in a Japanese reader's words.
    public var valueJa: String { Words.value(value, of: nil, ja: true, in: schema) }
    public var defaultValueJa: String { Words.value(defaultValue, of: nil, ja: true, in: schema) }

    /// Whether every report flags the override: it loosens the source's bound, or it is
    /// looser than the pack's default of an unbounded parameter.
    public var flagged: Bool { loosened || loosensDefault }

    /// Why the override is flagged, for every report; nil when it is not.
    public var looseningNote: Bilingual? {
        if loosened {
            return Bilingual(
                ja: "\(sourceWord.ja)の基準（\(limit ?? "")）を緩めています", en: "loosens the source's bound \(limit ?? "")")
        }
        if loosensDefault, origin == .commandLine {
            return Bilingual(
                ja: "この実行の --param がパックの既定（\(defaultValue.displayJa)）より緩めています",
                en: "set by the run (--param) looser than the pack's default \(defaultValue.display)")
        }
        if loosensDefault {
            return Bilingual(
                ja: "施設自身のスナップショットがパックの既定（\(defaultValue.displayJa)）より緩めています",
                en: "the facility's own snapshot sets it looser than the pack's default \(defaultValue.display)")
        }
        return nil
    }
}

public struct FacilityResult: Sendable {
    public var facilityID: String
    public var facilityName: String?
    public var asOf: Day
    public var pack: PackInfo
    public var params: [ParamSetting]
    public var results: [RuleResult]
    public var sources: [String]
    /// The provider profile the provider items were judged on: its date and whether it is stale.
    public var providerProfile: ProviderProfile? = nil
    /// Warnings (not notes such as a detected encoding) from reading the input, its parameters and the waivers (a field
    /// or table that
    /// was not read, an inventory that replaced the snapshot's devices, a reference that is near
    /// an id but not it). Every report format shows them, so what the run could not see, or
    /// chose between, is never said only on a terminal that a CI log or a report folder does
    /// not keep.
    public var inputWarnings: [Diagnostic] = []

    /// The parameters every report flags as loosened (`ParamSetting.flagged`), by name.
    public var loosenedParams: [String] { params.filter(\.flagged).map(\.name) }

    public func count(_ level: Level? = nil, _ state: RuleState, rules: [CheckedRule]) -> Int {
        zip(rules, results).filter { (level == nil || $0.0.level == level) && $0.1.state == state }.count
    }
}
