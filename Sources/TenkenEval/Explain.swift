import TenkenCheck
import TenkenData
import TenkenSyntax

/// How one rule was evaluated on one facility: the applicability condition, every element
/// each expectation considered, the values read (with locations) and the one that decided.
public struct Explanation: Sendable {
    public struct Element: Sendable {
        public var element: String
        public var passed: Bool
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
    public var applies: (source: String, value: Bool, reads: [Evidence])?
    public var expectations: [Expectation]
    public var result: RuleResult
}

extension Engine {
    public func explain(ruleID: String, _ facility: Facility, asOf: Day, params: [Value], settings: [ParamSetting], limit: Int = 200) -> Explanation? {
        guard let rule = pack.rules.first(where: { $0.id == ruleID }) else { return nil }
        let m = Machine(roots: facility.roots, params: params, asOf: asOf, slots: rule.slotCount)
        let result = evaluate(rule, m)
        func traced(_ body: () -> Bool) -> (Bool, [Evidence], Evidence?) {
            m.tracing = true
            m.trace.removeAll()
            let v = body()
            m.tracing = false
            let decisive = m.trace.last { !$0.isRecordValue }.map { Evidence(label: $0.label, record: $0.record, field: $0.field) }
            return (v, evidence(m), decisive)
        }
        var applies: (String, Bool, [Evidence])?
        if let a = rule.applies {
            let (v, reads, _) = traced { m.truthy(a) }
            applies = (rule.appliesSource ?? "", v, reads)
            if !v { return Explanation(rule: rule, applies: applies, expectations: [], result: result) }
        }
        var exps: [Explanation.Expectation] = []
        for e in rule.expects {
            switch e.shape {
            case .single(let n):
                let (v, reads, decided) = traced { m.truthy(n) }
                exps.append(.init(source: e.source, location: e.location, perElement: false,
                                  elements: [.init(element: "—", passed: v, reads: reads, decidedBy: decided)], examined: 1))
            case .perElement(let kind, let loop):
                var elements: [Explanation.Element] = []
                var examined = 0
                m.forEach(loop) {
                    examined += 1
                    guard elements.count < limit else { return true }
                    let name = loop.bindings.map { m.slots[$0.slot].display }.joined(separator: " / ")
                    let (v, reads, decided) = traced {
                        if let f = loop.filter { _ = m.eval(f) }
                        let b = loop.body.map(m.truthy) ?? true
                        return kind == .every ? b : !b
                    }
                    elements.append(.init(element: name, passed: v, reads: reads, decidedBy: decided))
                    return true
                }
                exps.append(.init(source: e.source, location: e.location, perElement: true, elements: elements, examined: examined))
            }
        }
        return Explanation(rule: rule, applies: applies, expectations: exps, result: result)
    }
}
