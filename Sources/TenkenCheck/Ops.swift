import TenkenData

/// Scalar operations shared by the constant folder and the evaluator, so both agree.
/// A missing value (`null`) is equal only to null and unequal to everything else; ordering
/// comparisons with it are false; arithmetic on it is null.
public enum Ops {
    @inline(__always)
    public static func compare(_ op: CompareOp, _ a: Value, _ b: Value) -> Bool {
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
        // A missing value equals only another missing value; it has no order.
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

    @inline(__always)
    static func cmp<T: Comparable>(_ op: CompareOp, _ x: T, _ y: T) -> Bool {
        switch op {
        case .eq: x == y
        case .ne: x != y
        case .lt: x < y
        case .le: x <= y
        case .gt: x > y
        case .ge: x >= y
        }
    }

    public static func arith(_ k: ArithKind, _ a: Value, _ b: Value) -> Value {
        switch (k, a, b) {
        case let (.intAdd, .int(x), .int(y)): let (r, o) = x.addingReportingOverflow(y); return o ? .null : .int(r)
        case let (.intSub, .int(x), .int(y)): let (r, o) = x.subtractingReportingOverflow(y); return o ? .null : .int(r)
        case let (.durAdd, .duration(x), .duration(y)): return .duration(Duration(months: x.months + y.months, minutes: x.minutes + y.minutes))
        case let (.durSub, .duration(x), .duration(y)): return .duration(Duration(months: x.months - y.months, minutes: x.minutes - y.minutes))
        case let (.dateAddDur, .date(x), .duration(y)): return .date(x.adding(y))
        case let (.dateSubDur, .date(x), .duration(y)): return .date(x.subtracting(y))
        case let (.dateSubDate, .date(x), .date(y)): return .duration(Duration(minutes: (x.rawValue - y.rawValue) * 1440))
        default: return .null
        }
    }

    public static func negate(_ v: Value) -> Value {
        switch v {
        case .int(let n): return n == Int.min ? .null : .int(-n)
        case .duration(let d): return .duration(Duration(months: -d.months, minutes: -d.minutes))
        default: return .null
        }
    }

    public static func member(_ x: Value, _ list: Value) -> Bool {
        guard case .list(let xs) = list, !x.isNull else { return false }
        for e in xs where compare(.eq, x, e) { return true }
        return false
    }

    /// `date within period`: the date lies in [as_of - period, as_of].
    public static func within(_ d: Value, _ p: Value, asOf: Day) -> Bool {
        guard case .date(let x) = d, case .duration(let dur) = p else { return false }
        return x >= asOf.subtracting(dur) && x <= asOf
    }

    public static func call(_ f: Builtin, _ args: [Value]) -> Value {
        guard let a = args.first else { return .null }
        switch f {
        case .len:
            if case .list(let xs) = a { return .int(xs.count) }
            if case .string(let s) = a { return .int(s.count) }
            return .null
        case .lower:
            if case .string(let s) = a { return .string(s.lowercased()) }
            return .null
        case .minutes, .hours, .days, .weeks, .months, .years:
            guard case .int(let n) = a else { return .null }
            let unit: DurationUnitName = DurationUnitName(rawValue: f.rawValue)!
            return .duration(unit.duration(n))
        }
    }

    public static func truthy(_ v: Value) -> Bool {
        if case .bool(true) = v { return true }
        return false
    }
}

enum DurationUnitName: String {
    case minutes, hours, days, weeks, months, years
    func duration(_ n: Int) -> Duration {
        switch self {
        case .minutes: Duration(minutes: n)
        case .hours: Duration(minutes: n * 60)
        case .days: Duration(minutes: n * 1440)
        case .weeks: Duration(minutes: n * 10080)
        case .months: Duration(months: n)
        case .years: Duration(months: n * 12)
        }
    }
}

/// Folds nodes that read no snapshot, parameter or variable to a value.
public enum ConstantFolder {
    public static func fold(_ n: Node) -> Value? {
        switch n {
        case .const(let v): return v
        case .negate(let x): return fold(x).map(Ops.negate)
        case .not(let x): return fold(x).map { .bool(!Ops.truthy($0)) }
        case .and(let a, let b):
            if let x = fold(a), !Ops.truthy(x) { return .bool(false) }
            if let y = fold(b), !Ops.truthy(y) { return .bool(false) }
            guard let x = fold(a), let y = fold(b) else { return nil }
            return .bool(Ops.truthy(x) && Ops.truthy(y))
        case .or(let a, let b):
            if let x = fold(a), Ops.truthy(x) { return .bool(true) }
            if let y = fold(b), Ops.truthy(y) { return .bool(true) }
            guard let x = fold(a), let y = fold(b) else { return nil }
            return .bool(Ops.truthy(x) || Ops.truthy(y))
        case .compare(let op, let a, let b):
            guard let x = fold(a), let y = fold(b) else { return nil }
            return .bool(Ops.compare(op, x, y))
        case .arith(let k, let a, let b):
            guard let x = fold(a), let y = fold(b) else { return nil }
            return Ops.arith(k, x, y)
        case .member(let a, let b, let neg):
            guard let x = fold(a), let y = fold(b) else { return nil }
            return .bool(Ops.member(x, y) != neg)
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
