import TenkenData
import TenkenSyntax

/// A condition's value in Kleene's three-valued logic: a rule over an unknown value is
/// neither met nor violated, it is undecided (docs/dsl.md has the truth tables).
public enum Truth: UInt8, Sendable {
    case no, yes, unknown

    public init(_ v: Value) {
        switch v {
        case .bool(true): self = .yes
        case .unknown: self = .unknown
        default: self = .no
        }
    }

    public var value: Value { self == .unknown ? .unknown : .bool(self == .yes) }

    public static prefix func ! (t: Truth) -> Truth {
        switch t {
        case .no: .yes
        case .yes: .no
        case .unknown: .unknown
        }
    }

    /// Kleene conjunction: false wins, then unknown.
    public func and(_ o: Truth) -> Truth {
        if self == .no || o == .no { return .no }
        return self == .yes && o == .yes ? .yes : .unknown
    }

    /// What one element contributes to `every x in C where F : P`: `not F or P`, where F is
    /// how certain it is that the element belongs (`self`) and P is the body.
    public func implies(_ p: Truth) -> Truth { (!self).or(p) }

    /// Kleene disjunction: true wins, then unknown.
    public func or(_ o: Truth) -> Truth {
        if self == .yes || o == .yes { return .yes }
        return self == .no && o == .no ? .no : .unknown
    }
}

/// Scalar operations shared by the constant folder and the evaluator, so both agree.
///
/// Two kinds of absence (see `Absence`): `null`, an absent value whose absence the schema
/// documents (equal only to null, unequal to everything else, without order, and false as a
/// condition), and `unknown`, which every operation carries through: a comparison,
/// membership, `within`, arithmetic or function with an unknown operand is unknown.
public enum Ops {
    @inline(__always)
    public static func compare(_ op: CompareOp, _ a: Value, _ b: Value) -> Value {
        if a.isUnknown || b.isUnknown {
            // An unknown value is some value; a documented absence is none: never equal.
            if a.isNull || b.isNull { return .bool(op == .ne) }
            return .unknown
        }
        return .bool(compareKnown(op, a, b))
    }

    /// `n op v` where n is only known to lie in `lo...hi` (a count with uncertain elements):
    /// definite when every n in the range gives the same answer.
    public static func compareRange(_ op: CompareOp, _ lo: Int, _ hi: Int, _ v: Int, rangeOnLeft: Bool) -> Value {
        let a = rangeOnLeft ? cmp(op, lo, v) : cmp(op, v, lo)
        let b = rangeOnLeft ? cmp(op, hi, v) : cmp(op, v, hi)
        // eq/ne can differ inside the range even when both ends agree (v strictly inside).
        if (op == .eq || op == .ne), lo < v, v < hi { return .unknown }
        return a == b ? .bool(a) : .unknown
    }

    /// Comparison of two values neither of which is unknown.
    @inline(__always)
    public static func compareKnown(_ op: CompareOp, _ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case let (.int(x), .int(y)): return cmp(op, x, y)
        case let (.string(x), .string(y)): return cmp(op, x, y)
        case let (.date(x), .date(y)): return cmp(op, x, y)
        case let (.duration(x), .duration(y)): return cmp(op, x, y)
        case let (.bool(x), .bool(y)):
            switch op {
            case .eq: return x == y
            case .ne: return x != y
            default: return false
            }
        // A documented absence equals only another; it has no order.
        case (.null, .null): return op == .eq
        case (.null, _), (_, .null): return op == .ne
        default:
            switch op {
            case .eq: return a == b
            case .ne: return a != b
            default: return false
            }
        }
    }

    /// `op` on two known values. Inlinable: the evaluator's fast path compares counts with it
    /// in its hot loop, across the module boundary.
    @inlinable @inline(__always)
    public static func cmp<T: Comparable>(_ op: CompareOp, _ x: T, _ y: T) -> Bool {
        switch op {
        case .eq: x == y
        case .ne: x != y
        case .lt: x < y
        case .le: x <= y
        case .gt: x > y
        case .ge: x >= y
        }
    }

    /// Every operand is bounded where it enters (periods within ±10,000 years, dates within
    /// years 1–9999), and every operation is checked besides: an overflow is `unknown`, never a trap.
    public static func arith(_ k: ArithKind, _ a: Value, _ b: Value) -> Value {
        if a.isUnknown || b.isUnknown { return .unknown }
        switch (k, a, b) {
        case let (.intAdd, .int(x), .int(y)): return checked(x.addingReportingOverflow(y))
        case let (.intSub, .int(x), .int(y)): return checked(x.subtractingReportingOverflow(y))
        case let (.durAdd, .duration(x), .duration(y)):
            return duration(
                months: x.months.addingReportingOverflow(y.months),
                minutes: x.minutes.addingReportingOverflow(y.minutes))
        case let (.durSub, .duration(x), .duration(y)):
            return duration(
                months: x.months.subtractingReportingOverflow(y.months),
                minutes: x.minutes.subtractingReportingOverflow(y.minutes))
        case let (.dateAddDur, .date(x), .duration(y)): return y.isInRange ? .date(x.adding(y)) : .unknown
        case let (.dateSubDur, .date(x), .duration(y)): return y.isInRange ? .date(x.subtracting(y)) : .unknown
        case let (.dateSubDate, .date(x), .date(y)):
            return duration(
                months: (0, false), minutes: (x.rawValue - y.rawValue).multipliedReportingOverflow(by: 1440))
        default: return .null
        }
    }

    static func checked(_ r: (partialValue: Int, overflow: Bool)) -> Value {
        r.overflow ? .unknown : .int(r.partialValue)
    }

    static func duration(
        months: (partialValue: Int, overflow: Bool), minutes: (partialValue: Int, overflow: Bool)
    ) -> Value {
        guard !months.overflow, !minutes.overflow else { return .unknown }
        let d = Duration(months: months.partialValue, minutes: minutes.partialValue)
        return d.isInRange ? .duration(d) : .unknown
    }

    public static func negate(_ v: Value) -> Value {
        switch v {
        case .unknown: return .unknown
        case .int(let n): return n == Int.min ? .unknown : .int(-n)
        case .duration(let d): return .duration(Duration(months: -d.months, minutes: -d.minutes))
        default: return .null
        }
    }

    /// `x in list`: unknown when `x` or the list is unknown, or when no element matches and
    /// some element is unknown.
    public static func member(_ x: Value, _ list: Value) -> Truth {
        if x.isNull || list.isNull { return .no }
        if x.isUnknown || list.isUnknown { return .unknown }
        guard case .list(let xs) = list else { return .no }
        var sawUnknown = false
        for e in xs {
            if e.isUnknown { sawUnknown = true } else if compareKnown(.eq, x, e) { return .yes }
        }
        return sawUnknown ? .unknown : .no
    }

    /// `date within period`: the date lies in [as_of - period, as_of].
    public static func within(_ d: Value, _ p: Value, asOf: Day) -> Truth {
        if d.isUnknown || p.isUnknown { return .unknown }
        guard case .date(let x) = d, case .duration(let dur) = p, dur.isInRange else { return .no }
        return x >= asOf.subtracting(dur) && x <= asOf ? .yes : .no
    }

    public static func call(_ f: Builtin, _ args: [Value]) -> Value {
        guard let a = args.first else { return .null }
        if a.isUnknown { return .unknown }
        switch f {
        case .len:
            if case .list(let xs) = a { return .int(xs.count) }
            if case .string(let s) = a { return .int(s.count) }
            return .null
        case .lower:
            if case .string(let s) = a { return .string(s.lowercased()) }
            return .null
        case .minutes, .hours, .days, .weeks, .months, .years:
            guard case .int(let n) = a, let unit = DurationUnit(rawValue: f.rawValue) else { return .null }
            return Duration(n, unit).map(Value.duration) ?? .unknown
        }
    }

    public static func truth(_ v: Value) -> Truth { Truth(v) }
}

/// Folds nodes that read no snapshot, parameter or variable to a value. Each node is folded
/// once (a chain of n `and`s costs O(n)); `folds` counts the visits, for a complexity test.
public struct ConstantFolder {
    public private(set) var folds = 0

    public init() {}

    public static func fold(_ n: Node) -> Value? {
        var f = ConstantFolder()
        return f.fold(n)
    }

    public mutating func fold(_ n: Node) -> Value? {
        folds += 1
        switch n {
        case .const(let v): return v
        case .negate(let x): return fold(x).map(Ops.negate)
        case .not(let x): return fold(x).map { (!Truth($0)).value }
        case .and(let a, let b):
            let x = fold(a).map(Truth.init), y = fold(b).map(Truth.init)
            if x == .no || y == .no { return .bool(false) }
            guard let x, let y else { return nil }
            return x.and(y).value
        case .or(let a, let b):
            let x = fold(a).map(Truth.init), y = fold(b).map(Truth.init)
            if x == .yes || y == .yes { return .bool(true) }
            guard let x, let y else { return nil }
            return x.or(y).value
        case .compare(let op, let a, let b):
            let x = fold(a), y = fold(b)
            guard let x, let y else { return nil }
            return Ops.compare(op, x, y)
        case .arith(let k, let a, let b):
            let x = fold(a), y = fold(b)
            guard let x, let y else { return nil }
            return Ops.arith(k, x, y)
        case .member(let a, let b, let neg):
            let x = fold(a), y = fold(b)
            guard let x, let y else { return nil }
            let t = Ops.member(x, y)
            return (neg ? !t : t).value
        case .list(let xs):
            var out: [Value] = []
            for x in xs { guard let v = fold(x) else { return nil }; out.append(v) }
            return .list(out)
        case .call(let f, let args):
            var out: [Value] = []
            for x in args { guard let v = fold(x) else { return nil }; out.append(v) }
            return Ops.call(f, out)
        default: return nil
        }
    }
}
