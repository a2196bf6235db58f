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
    /// Elements of root `root` whose field `field` equals `key`. `label` names the field as
    /// the rule wrote it (`a.staff_id`), for evidence when its value is unknown.
    case lookup(root: Int, field: Int, key: Node, label: String)
    /// Elements of root `root` whose list field `field` contains `key`.
    case lookupContains(root: Int, field: Int, key: Node, label: String)
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

    /// The nodes directly below this one (loop parts included).
    public var children: [Node] {
        switch self {
        case .const, .asOf, .local, .param, .root: return []
        case .field(let b, _, _), .not(let b), .negate(let b), .presence(let b, _): return [b]
        case .and(let a, let b), .or(let a, let b), .compare(_, let a, let b), .arith(_, let a, let b),
            .member(let a, let b, _), .within(let a, let b):
            return [a, b]
        case .list(let xs), .call(_, let xs): return xs
        case .quantifier(_, let l), .aggregate(_, let l): return l.nodes
        }
    }

    /// The top-level sections this node reads, joins included.
    public var readRoots: Set<Int> {
        var s = Set<Int>()
        roots(into: &s)
        return s
    }

    /// Whether this node or any below it satisfies `pred`.
    public func contains(where pred: (Node) -> Bool) -> Bool {
        pred(self) || children.contains { $0.contains(where: pred) }
    }

    /// Roots of the snapshot this node reads, including those a join looks up.
    public func roots(into set: inout Set<Int>) {
        if case .root(let i) = self { set.insert(i) }
        if case .quantifier(_, let l) = self { set.formUnion(l.lookupRoots) }
        if case .aggregate(_, let l) = self { set.formUnion(l.lookupRoots) }
        for c in children { c.roots(into: &set) }
    }

    /// Roots a condition cannot be decided without: every root `roots(into:)` names, except a
    /// section the condition only tests for presence (`networks is present`) and one it reads
    /// only to the right of such a test in a conjunction (`networks is present and some n in
    /// networks …`), which `and` never evaluates when the section is absent. What an
    /// `applies when` needs; an absent section it does not need leaves it decidable.
    public func neededRoots(into set: inout Set<Int>, guarded: Set<Int> = []) {
        switch self {
        case .presence(.root, _):
            return
        case .and(let a, let b):
            a.neededRoots(into: &set, guarded: guarded)
            b.neededRoots(into: &set, guarded: guarded.union(a.sectionsTestedPresent))
            return
        default:
            break
        }
        var mine = Set<Int>()
        if case .root(let i) = self { mine.insert(i) }
        if case .quantifier(_, let l) = self { mine.formUnion(l.lookupRoots) }
        if case .aggregate(_, let l) = self { mine.formUnion(l.lookupRoots) }
        set.formUnion(mine.subtracting(guarded))
        for c in children { c.neededRoots(into: &set, guarded: guarded) }
    }

    /// The sections a conjunction tests present (`R is present and …`), at its top level.
    var sectionsTestedPresent: Set<Int> {
        switch self {
        case .presence(.root(let r), present: true): [r]
        case .and(let a, let b): a.sectionsTestedPresent.union(b.sectionsTestedPresent)
        default: []
        }
    }

    /// Whether this node reads any of the given variable slots.
    public func uses(slots: Set<Int>) -> Bool {
        contains { if case .local(let s) = $0 { slots.contains(s) } else { false } }
    }

    /// Whether this node reads parameter `i`.
    public func readsParam(_ i: Int) -> Bool {
        contains { if case .param(let j) = $0 { i == j } else { false } }
    }
}

extension Loop {
    /// Every expression of the loop: collections, lookup keys, filter and body.
    public var nodes: [Node] {
        var out: [Node] = []
        for b in bindings {
            switch b.source {
            case .scan(let n): out.append(n)
            case .lookup(_, _, let k, _), .lookupContains(_, _, let k, _): out.append(k)
            }
        }
        if let f = filter { out.append(f) }
        if let b = body { out.append(b) }
        return out
    }

    var lookupRoots: [Int] {
        bindings.compactMap { b in
            switch b.source {
            case .scan: nil
            case .lookup(let r, _, _, _), .lookupContains(let r, _, _, _): r
            }
        }
    }

    /// The top-level sections the loop reads, joins included.
    public var readRoots: Set<Int> {
        var s = Set<Int>()
        roots(into: &s)
        return s
    }

    func roots(into set: inout Set<Int>) {
        set.formUnion(lookupRoots)
        for n in nodes { n.roots(into: &set) }
    }

    func uses(slots: Set<Int>) -> Bool { nodes.contains { $0.uses(slots: slots) } }

    public func readsParam(_ i: Int) -> Bool { nodes.contains { $0.readsParam(i) } }
}
