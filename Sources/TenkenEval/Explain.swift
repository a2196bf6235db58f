import TenkenCheck
import TenkenData
import TenkenSyntax

/// How one rule was evaluated on one facility: the applicability condition, every element
/// each expectation considered, the values read (with locations) and the one that decided.
public struct Explanation: Sendable {
    public struct Element: Sendable {
        public var element: String
        /// Whether the element meets the expectation: yes, no, or unknown (a value it needs is unknown).
        public var outcome: Truth
        public var passed: Bool { outcome == .yes }
        public var reads: [Evidence]
        public var decidedBy: Evidence?
    }
    public struct Expectation: Sendable {
        public var source: String
        public var location: SourceLocation
        public var perElement: Bool
        /// Elements that passed the filter, in input order (failing ones first is up to the reader).
        public var elements: [Element]
        public var examined: Int
    }
    public var rule: CheckedRule
    public var applies: (source: String, value: Truth, reads: [Evidence])?
    public var expectations: [Expectation]
    public var result: RuleResult
    /// How often the rule's attestation is renewed, as evaluated (a parameter's value).
    public var renewal: Duration?
}

extension Engine {
    public func explain(
        ruleID: String, _ facility: Facility, asOf: Day, params: [Value], settings: [ParamSetting], limit: Int = 200
    ) -> Explanation? {
        guard let ri = pack.rules.firstIndex(where: { $0.id == ruleID }) else { return nil }
        let rule = pack.rules[ri]
        let m = Machine(
            roots: facility.roots, schema: facility.schema, params: params, asOf: asOf, slots: rule.slotCount,
            lookups: program.lookupCount)
        m.tables = facility.tables
        m.tablesInWorkbook = facility.tablesInWorkbook
        m.rootLocations = facility.rootLocations
        let result = evaluate(rule, program.rules[ri], m)
        var renewal: Duration?
        if let a = rule.attestation, case .duration(let d) = m.eval(a.renew) { renewal = d }
        func traced(_ body: () -> Truth) -> (Truth, [Evidence], Evidence?) {
            m.tracing = true
            m.trace.removeAll()
            let v = body()
            m.tracing = false
            let decisive = m.trace.last { !$0.isRecordValue }.map {
                Evidence(label: $0.label, record: $0.record, field: $0.field)
            }
            return (v, evidence(m), decisive)
        }
        var applies: (String, Truth, [Evidence])?
        if let a = rule.applies {
            let (v, reads, _) = traced { m.cond(a) }
            applies = (rule.appliesSource ?? "", v, reads)
            if v != .yes {
                return Explanation(rule: rule, applies: applies, expectations: [], result: result, renewal: renewal)
            }
        }
        var exps: [Explanation.Expectation] = []
        for e in rule.expects {
            switch e.shape {
            case .single(let n):
                let (v, reads, decided) = traced { m.cond(n) }
                exps.append(
                    .init(
                        source: e.source, location: e.location, perElement: false,
                        elements: [.init(element: "—", outcome: v, reads: reads, decidedBy: decided)], examined: 1))
            case .perElement(let kind, let loop):
                var elements: [Explanation.Element] = []
                var examined = 0
                m.forEach(loop) { inc in
                    examined += 1
                    guard elements.count < limit else { return .next }
                    let name = loop.bindings.map { m.slots[$0.slot].display }.joined(separator: " / ")
                    let (v, reads, decided) = traced {
                        if let f = loop.filter { _ = m.eval(f) }
                        let p = loop.body.map(m.cond) ?? .yes
                        return kind == .every ? inc.implies(p) : !(inc.and(p))
                    }
                    elements.append(.init(element: name, outcome: v, reads: reads, decidedBy: decided))
                    return .next
                }
                exps.append(
                    .init(
                        source: e.source, location: e.location, perElement: true, elements: elements, examined: examined
                    ))
            }
        }
        return Explanation(rule: rule, applies: applies, expectations: exps, result: result, renewal: renewal)
    }
}
