import TenkenCheck
import TenkenData
import TenkenSyntax

/// Evaluates a checked pack against facilities. Pure: the as-of date and parameters are
/// inputs; nothing reads the clock, the environment or a file.
public final class Engine: Sendable {
    public let pack: CheckedPack
    let attestationsRoot = SnapshotSchema.rootIndex["attestations"]!
    let maxSlots: Int
    /// The most violations a rule lists; the rest are counted (`RuleResult.unlisted`), not
    /// built, so an inventory of 20,000 blank rows cannot fill memory with findings.
    public let maxFindings: Int
    public static let defaultMaxFindings = 1000

    public convenience init(pack: CheckedPack) { self.init(pack: pack, maxFindings: Engine.defaultMaxFindings) }

    /// - Parameter maxFindings: violations listed per rule (nil: all of them).
    public init(pack: CheckedPack, maxFindings: Int?) {
        self.pack = pack
        maxSlots = pack.rules.map(\.slotCount).max() ?? 1
        self.maxFindings = max(1, maxFindings ?? Int.max)
    }

    public func evaluate(_ facility: Facility, asOf: Day, params: [Value], settings: [ParamSetting]) -> FacilityResult {
        let m = Machine(roots: facility.roots, params: params, asOf: asOf, slots: maxSlots)
        m.tables = facility.tables
        var results: [RuleResult] = []
        results.reserveCapacity(pack.rules.count)
        for rule in pack.rules {
            var r = evaluate(rule, m)
            // A finding that read no element points at the first section its rule examines.
            if r.state == .fail {
                let fallback = rule.expectRoots.sorted().lazy.compactMap { facility.rootLocations[$0] }.first
                for i in r.violations.indices where !r.violations[i].hasLocation { r.violations[i].location = fallback }
            }
            results.append(r)
        }
        var name: String?
        if let f = facility.facilityRecord, case .string(let s) = f["name"] { name = s }
        return FacilityResult(facilityID: facility.id, facilityName: name, asOf: asOf, pack: pack.info, params: settings,
                              results: results, sources: facility.sources)
    }

    /// Resolves parameters and evaluates in one call.
    public func evaluate(_ facility: Facility, asOf: Day, commandLine: [ParamOverride] = []) -> (FacilityResult, [Diagnostic]) {
        let (values, settings, diags) = ParamResolver.resolve(pack, overrides: facility.overrides + commandLine)
        return (evaluate(facility, asOf: asOf, params: values, settings: settings), diags)
    }

    func missingSection(_ roots: Set<Int>, _ m: Machine) -> RuleResult? {
        let missing = roots.sorted().filter { m.roots[$0] == nil }
        guard !missing.isEmpty else { return nil }
        if let tables = m.tables {
            let files = Array(Set(missing.map { tables[$0] })).sorted().joined(separator: ", ")
            return RuleResult(ruleID: "", state: .error,
                              reason: Bilingual(ja: "この規則に必要な表 \(files) がフォルダにありません",
                                                en: "this rule needs the table \(files), which the folder does not have"),
                              violations: [], attestation: nil, examined: 0)
        }
        let list = missing.map { "`\(SnapshotSchema.roots[$0].name)`" }.joined(separator: ", ")
        return RuleResult(ruleID: "", state: .error,
                          reason: Bilingual(ja: "この規則に必要なセクション \(list) が入力にありません",
                                            en: "the input has no \(list) section, which this rule needs"),
                          violations: [], attestation: nil, examined: 0)
    }

    func evaluate(_ rule: CheckedRule, _ m: Machine) -> RuleResult {
        m.ensureSlots(rule.slotCount)
        if var r = missingSection(rule.appliesRoots, m) { r.ruleID = rule.id; return r }
        if let a = rule.applies, !m.truthy(a) {
            let reason = rule.otherwise ?? Bilingual(ja: "適用条件 `\(rule.appliesSource ?? "")` を満たしません",
                                                     en: "does not apply: `\(rule.appliesSource ?? "")` is false")
            return RuleResult(ruleID: rule.id, state: .notApplicable, reason: reason, violations: [], attestation: nil, examined: 0)
        }
        if var r = missingSection(rule.expectRoots, m) { r.ruleID = rule.id; return r }
        var violations: [Violation] = []
        var examined = 0, unlisted = 0
        for e in rule.expects {
            examined += check(e, m, into: &violations, unlisted: &unlisted)
        }
        if !violations.isEmpty {
            return RuleResult(ruleID: rule.id, state: .fail, reason: nil, violations: violations, attestation: nil, examined: examined, unlisted: unlisted)
        }
        if let att = rule.attestation {
            var r = attest(att, rule, m)
            r.examined = examined
            return r
        }
        return RuleResult(ruleID: rule.id, state: .pass, reason: nil, violations: [], attestation: nil, examined: examined)
    }

    /// Checks one expectation; appends a violation per offending element. Returns how many
    /// elements were examined.
    func check(_ e: CheckedExpect, _ m: Machine, into out: inout [Violation], unlisted: inout Int) -> Int {
        switch e.shape {
        case .single(let n):
            if m.truthy(n) { return 1 }
            if out.count >= maxFindings { unlisted += 1; return 1 }
            m.tracing = true
            m.trace.removeAll()
            _ = m.eval(n)
            m.tracing = false
            let decisive = m.trace.last { !$0.isRecordValue }.map { $0.record.lazyLocation(ofField: $0.field) }
            let ev = evidence(m)
            out.append(Violation(message: render(e.message, m) ?? Bilingual(ja: "条件を満たしていません: \(e.source)", en: "condition not met: \(e.source)"),
                                 element: nil, place: decisive ?? ev.first?.place, evidence: ev))
            return 1
        case .perElement(let kind, let loop):
            // The visitor captures one reference: copying the expectation into the closure
            // context would happen again at every level of the loop, for every element.
            let ctx = ElementCheck(engine: self, expect: e, loop: loop, every: kind == .every, machine: m, room: maxFindings - out.count)
            m.forEach(loop) { ctx.visit() }
            out += ctx.violations
            unlisted += ctx.unlisted
            return ctx.examined
        }
    }

    func evidence(_ m: Machine) -> [Evidence] {
        struct Key: Hashable { let record: ObjectIdentifier; let field: Int; let label: String }
        var seen = Set<Key>()
        var out: [Evidence] = []
        for r in m.trace where !r.isRecordValue {
            guard seen.insert(Key(record: ObjectIdentifier(r.record), field: r.field, label: r.label)).inserted else { continue }
            out.append(Evidence(label: r.label, record: r.record, field: r.field))
        }
        m.trace.removeAll()
        return out
    }

    func render(_ t: BilingualTemplate?, _ m: Machine) -> Bilingual? {
        guard let t else { return nil }
        let was = m.tracing
        m.tracing = false
        defer { m.tracing = was }
        func one(_ tpl: Template, ja: Bool) -> String {
            tpl.parts.map { part in
                switch part {
                case .text(let s): s
                case .value(let n): ja ? m.eval(n).displayJa : m.eval(n).display
                }
            }.joined()
        }
        return Bilingual(ja: one(t.ja, ja: true), en: one(t.en, ja: false))
    }

    // MARK: attestation

    func attest(_ a: CheckedAttestation, _ rule: CheckedRule, _ m: Machine) -> RuleResult {
        let renew: Duration
        if case .duration(let d) = m.eval(a.renew) { renew = d } else { renew = Duration(months: 12) }
        var latest: Record?
        if case .list(let xs)? = m.roots[attestationsRoot] {
            for case .record(let r) in xs {
                guard case .string(let item) = r["item"], item == a.key else { continue }
                guard case .date(let d) = r["signed_on"] else { continue }
                // On the same date the later row wins: `tenken attest` appends, never rewrites.
                if let l = latest, case .date(let ld) = l["signed_on"], ld > d { continue }
                latest = r
            }
        }
        let roles = a.roles.joined(separator: ", ")
        guard let rec = latest, case .date(let signed) = rec["signed_on"] else {
            return RuleResult(ruleID: rule.id, state: .manual,
                              reason: Bilingual(ja: "\(roles) による証明 `\(a.key)`（\(renew.descriptionJa)ごとに更新）が必要です",
                                                en: "needs attestation `\(a.key)` by \(roles), renewed every \(renew)"),
                              violations: [], attestation: nil, examined: 0)
        }
        let answer = rec["answer"].isNull ? "yes" : rec["answer"].display
        let byRole = rec["by_role"].isNull ? nil : rec["by_role"].display
        let until = signed.adding(renew)
        let info = AttestationInfo(key: a.key, answer: answer, byRole: byRole, by: rec["by"].isNull ? nil : rec["by"].display,
                                   signedOn: signed, validUntil: until, location: rec.origin.resolved)
        let signedField = SnapshotSchema.attestation.index["signed_on"]!
        let signedPlace = rec.lazyLocation(ofField: signedField)
        func fail(_ ja: String, _ en: String) -> RuleResult {
            RuleResult(ruleID: rule.id, state: .fail, reason: nil,
                       violations: [Violation(message: Bilingual(ja: ja, en: en), element: a.key, place: signedPlace,
                                              evidence: [Evidence(label: "attestation.signed_on", record: rec, field: signedField)])],
                       attestation: info, examined: 0)
        }
        if signed > m.asOf {
            return RuleResult(ruleID: rule.id, state: .manual,
                              reason: Bilingual(ja: "証明 `\(a.key)` の日付 \(signed) が基準日より後です", en: "attestation `\(a.key)` is dated \(signed), after the as-of date"),
                              violations: [], attestation: info, examined: 0)
        }
        if let byRole, !a.roles.contains(byRole) {
            return RuleResult(ruleID: rule.id, state: .manual,
                              reason: Bilingual(ja: "証明 `\(a.key)` の署名者の役割 \(byRole) は \(roles) ではありません",
                                                en: "attestation `\(a.key)` was signed by role \(byRole), but this item needs \(roles)"),
                              violations: [], attestation: info, examined: 0)
        }
        switch answer {
        case "no":
            return fail("\(byRole ?? "責任者") が \(signed) に「満たしていない」と回答しました",
                        "\(byRole ?? "the responsible person") answered on \(signed) that this is not met")
        case "not-applicable":
            let why = rec["reason"].isNull ? "" : rec["reason"].display
            return RuleResult(ruleID: rule.id, state: .notApplicable,
                              reason: Bilingual(ja: "証明により対象外: \(why)", en: "not applicable by attestation: \(why)"),
                              violations: [], attestation: info, examined: 0)
        default:
            if until < m.asOf {
                return fail("証明 `\(a.key)` は \(until) に期限切れです（\(signed) 署名、\(renew.descriptionJa)ごとに更新）",
                            "attestation `\(a.key)` expired on \(until) (signed \(signed), renewed every \(renew))")
            }
            return RuleResult(ruleID: rule.id, state: .attested, reason: nil, violations: [], attestation: info, examined: 0)
        }
    }
}

/// The per-element work of one `every`/`none` expectation, held by reference.
final class ElementCheck {
    let engine: Engine
    let expect: CheckedExpect
    let loop: Loop
    let body: Node?
    let every: Bool
    let m: Machine
    var examined = 0
    var violations: [Violation] = []
    /// Violations found past `room`: counted, not built.
    var unlisted = 0
    let room: Int

    init(engine: Engine, expect: CheckedExpect, loop: Loop, every: Bool, machine: Machine, room: Int) {
        self.engine = engine
        self.expect = expect
        self.loop = loop
        body = loop.body
        self.every = every
        m = machine
        self.room = room
    }

    @inline(__always)
    func visit() -> Bool {
        examined += 1
        let holds = body.map { m.truthy($0) } ?? true
        if every ? !holds : holds {
            if violations.count < room { record() } else { unlisted += 1 }
        }
        return true
    }

    /// Re-runs this element with tracing on to record the values that decided it.
    func record() {
        m.tracing = true
        m.trace.removeAll()
        if let f = loop.filter { _ = m.eval(f) }
        let bodyStart = m.trace.count
        if let b = loop.body { _ = m.eval(b) }
        m.tracing = false
        let records = loop.bindings.compactMap { b -> Record? in
            if case .record(let r) = m.slots[b.slot] { return r }
            return nil
        }
        // Point at the value that decided: the last scalar the condition read from the
        // innermost element (`and` stops at the false one), else from any bound element,
        // else the element itself.
        let bodyReads = m.trace[bodyStart...].filter { !$0.isRecordValue }
        let decisive = bodyReads.last { $0.record === records.last }
            ?? bodyReads.last { r in records.contains { $0 === r.record } }
        let location = decisive.map { $0.record.lazyLocation(ofField: $0.field) } ?? records.last?.origin
        let ev = engine.evidence(m)
        let element = loop.bindings.map { m.slots[$0.slot].display }.joined(separator: " / ")
        let msg = engine.render(expect.message, m)
            ?? Bilingual(ja: "\(element) が条件を満たしていません: \(expect.source)", en: "\(element) does not meet: \(expect.source)")
        violations.append(Violation(message: msg, element: element, place: location, evidence: ev))
    }
}
