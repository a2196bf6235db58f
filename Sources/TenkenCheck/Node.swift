import TenkenData
import TenkenSyntax

public enum CompareOp: Sendable { case eq, ne, lt, le, gt, ge }

public enum ArithKind: Sendable {
    case intAdd, intSub, durAdd, durSub, dateAddDur, dateSubDur, dateSubDate
}

public enum Builtin: String, Sendable, CaseIterable {
    case len, lower, minutes, hours, days, weeks, months, years
}

/// How a quantifier binding finds its elements: a plain scan, or a hash lookup on one
/// field of a top-level collection (`s in staff where s.id == m.staff_id`), built once per
/// facility, so joins cost O(n) rather than O(n·m).
public enum Source: Sendable {
    case scan(Node)
    /// Elements of root `root` whose field `field` equals `key`.
    case lookup(root: Int, field: Int, key: Node)
    /// Elements of root `root` whose list field `field` contains `key`.
    case lookupContains(root: Int, field: Int, key: Node)
}

public struct LoopBinding: Sendable {
    public var name: String
    public var slot: Int
    public var source: Source
}

public struct Loop: Sendable {
    public var bindings: [LoopBinding]
    public var filter: Node?
    public var body: Node?
}

/// The checked, compiled form of an expression. Names are resolved to slots and field
/// indices; the evaluator never looks anything up by name.
public indirect enum Node: Sendable {
    case const(Value)
    case root(Int)
    case asOf
    case local(Int)
    /// `base.field`; `label` is the path as written (`s.left_on`), for evidence.
    case field(Node, Int, label: String)
    case param(Int)
    case not(Node)
    case negate(Node)
    case and(Node, Node)
    case or(Node, Node)
    case compare(CompareOp, Node, Node)
    case arith(ArithKind, Node, Node)
    case member(Node, Node, negated: Bool)
    /// `date within duration`: as_of - duration <= date <= as_of
    case within(Node, Node)
    case presence(Node, present: Bool)
    case list([Node])
    case quantifier(QuantifierKind, Loop)
    case aggregate(AggregateKind, Loop)
    case call(Builtin, [Node])

    /// Roots of the snapshot this node reads.
    public func roots(into set: inout Set<Int>) {
        switch self {
        case .root(let i): set.insert(i)
        case .const, .asOf, .local, .param: break
        case .field(let b, _, _), .not(let b), .negate(let b), .presence(let b, _): b.roots(into: &set)
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .arith(_, let a, let b),
             .member(let a, let b, _), .within(let a, let b):
            a.roots(into: &set)
            b.roots(into: &set)
        case .list(let xs), .call(_, let xs): for x in xs { x.roots(into: &set) }
        case .quantifier(_, let l), .aggregate(_, let l): l.roots(into: &set)
        }
    }

    /// Whether this node reads any of the given variable slots.
    public func uses(slots: Set<Int>) -> Bool {
        switch self {
        case .local(let s): return slots.contains(s)
        case .const, .asOf, .param, .root: return false
        case .field(let b, _, _), .not(let b), .negate(let b), .presence(let b, _): return b.uses(slots: slots)
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .arith(_, let a, let b),
             .member(let a, let b, _), .within(let a, let b):
            return a.uses(slots: slots) || b.uses(slots: slots)
        case .list(let xs), .call(_, let xs): return xs.contains { $0.uses(slots: slots) }
        case .quantifier(_, let l), .aggregate(_, let l): return l.uses(slots: slots)
        }
    }
}

extension Loop {
    func roots(into set: inout Set<Int>) {
        for b in bindings {
            switch b.source {
            case .scan(let n): n.roots(into: &set)
            case .lookup(let r, _, let k), .lookupContains(let r, _, let k):
                set.insert(r)
                k.roots(into: &set)
            }
        }
        filter?.roots(into: &set)
        body?.roots(into: &set)
    }

    func uses(slots: Set<Int>) -> Bool {
        for b in bindings {
            switch b.source {
            case .scan(let n): if n.uses(slots: slots) { return true }
            case .lookup(_, _, let k), .lookupContains(_, _, let k): if k.uses(slots: slots) { return true }
            }
        }
        return (filter?.uses(slots: slots) ?? false) || (body?.uses(slots: slots) ?? false)
    }
}
