import TenkenCheck
import TenkenData
import TenkenSyntax

/// The untraced evaluation of a `Program` over one machine's facility: what decides every
/// verdict. It gives the same values as `Machine.eval` on the same nodes with tracing off (the
/// same three-valued logic, join indexes and count ranges), and leaves tracing to the tree:
/// an element found to violate, or left undecided, is evaluated again there for its evidence.
///
/// Everything it reads in the hot loop is a plain pointer copied in once per call, so an
/// instruction, a loop variable or a record's field is read without retaining anything and
/// without the dynamic exclusivity checks that a class's `var` properties cost.
struct FastEval {
    let ops: UnsafeMutablePointer<Program.Inst>
    let consts: UnsafeMutablePointer<Value>
    let args: UnsafeMutablePointer<Int32>
    let loops: UnsafeMutablePointer<Program.FlatLoop>
    let bindings: UnsafeMutablePointer<Program.FlatBinding>
    let strings: UnsafeMutablePointer<String>
    let slots: Slots
    /// The machine, for its roots, parameters and join indexes. Unretained: a `FastEval`
    /// lives only inside a call on the machine.
    unowned(unsafe) let m: Machine

    init(_ p: Program, _ m: Machine) {
        ops = p.ops
        consts = p.consts
        args = p.args
        loops = p.loops
        bindings = p.bindings
        strings = p.strings
        slots = m.slotStore.view
        self.m = m
    }

    /// A record read in place: an unretained reference, or what stands for "no record".
    enum Ref {
        case record(Unmanaged<Record>)
        case unknown
        case other
    }

    /// `Truth(eval(i))`, with the operators whose value is a truth answered as one: no
    /// `Value` is made for their answer, and none destroyed after (an outlined call each).
    func cond(_ i: Int32) -> Truth {
        let n = ops[Int(i)]
        switch n.op {
        case .and:
            let x = cond(n.a)
            return x == .no ? .no : x.kleeneAnd(cond(n.b))
        case .or:
            let x = cond(n.a)
            return x == .yes ? .yes : x.kleeneOr(cond(n.b))
        case .not: return cond(n.a).negated
        case .compare: return compare(n)
        case .member: return member(n)
        case .quantifier: return quantify(n.quant, n.a)
        default: return Truth(eval(i))
        }
    }

    /// `n`, a comparison, as `eval` gives it: a count with uncertain elements lies in a range
    /// (`Machine.eval`); otherwise `Ops.compare`, spelled out here (an unknown operand is
    /// some value, a documented absence none: never equal).
    @inline(__always)
    func compare(_ n: Program.Inst) -> Truth {
        let l = ops[Int(n.a)], r = ops[Int(n.b)]
        if l.op == .aggregate, l.agg == .count, case .int(let v) = eval(n.b) {
            let (lo, hi) = countRange(l.a)
            return lo == hi
                ? (Ops.cmp(n.cmp, lo, v) ? .yes : .no)
                : Truth(Ops.compareRange(n.cmp, lo, hi, v, rangeOnLeft: true))
        }
        if r.op == .aggregate, r.agg == .count, case .int(let v) = eval(n.a) {
            let (lo, hi) = countRange(r.a)
            return lo == hi
                ? (Ops.cmp(n.cmp, v, lo) ? .yes : .no)
                : Truth(Ops.compareRange(n.cmp, lo, hi, v, rangeOnLeft: false))
        }
        let a = operand(n.a), b = operand(n.b)
        if a.isUnknown || b.isUnknown {
            if a.isNull || b.isNull { return n.cmp == .ne ? .yes : .no }
            return .unknown
        }
        return Ops.compareKnown(n.cmp, a, b) ? .yes : .no
    }

    /// `n`, `a in b` or `a not in b`, as `eval` gives it.
    @inline(__always)
    func member(_ n: Program.Inst) -> Truth {
        let l = ops[Int(n.b)]
        let t: Truth
        if n.c >= 0 {
            // A written list of strings (`Program.Inst.c`): a string is in it when it equals
            // one of them (`Ops.member`: no item is unknown); anything else is weighed by
            // `Ops.member`.
            let x = operand(n.a)
            if case .string(let s) = x {
                var found = false
                for k in Int(n.c)..<Int(n.c + n.d) where s == strings[k] {
                    found = true
                    break
                }
                t = found ? .yes : .no
            } else {
                t = Ops.member(x, operand(n.b))
            }
        } else if l.op == .const, case .list(let xs) = consts[Int(l.a)] {
            t = FastEval.member(operand(n.a), xs)
        } else {
            t = Ops.member(operand(n.a), operand(n.b))
        }
        return n.flag ? t.negated : t
    }

    /// Field `f` of `r`, as a record read in place (what `eval` of the field would give,
    /// classified: a record, unknown, or anything else).
    @inline(__always)
    static func fieldRef(_ r: Record, _ f: Int) -> Ref {
        let v = r.values[f]
        if case .record(let x) = v { return .record(Unmanaged.passUnretained(x)) }
        if v.isNull { return r.effective(f).isUnknown ? .unknown : .other }
        return v.isUnknown ? .unknown : .other
    }

    /// `r.effective(f)`: a value the input gives is read here, in place (`Record.value` is
    /// inlinable, `effective` a call into another module); only a blank asks what its absence
    /// means.
    @inline(__always)
    static func read(_ r: Record, _ f: Int) -> Value {
        let v = r.value(f)
        if case .null = v { return r.effective(f) }
        return v
    }

    /// `Ops.member(x, .list(xs))` for a list written in the rule (a constant), with its
    /// commonest case, a string among strings, compared here: a string equals only a string
    /// (`Ops.compareKnown`), and an unknown item leaves a miss unknown.
    @inline(__always)
    static func member(_ x: Value, _ xs: [Value]) -> Truth {
        guard case .string(let s) = x else { return Ops.member(x, .list(xs)) }
        var sawUnknown = false
        for e in xs {
            switch e {
            case .string(let t): if s == t { return .yes }
            case .unknown: sawUnknown = true
            default: continue
            }
        }
        return sawUnknown ? .unknown : .no
    }

    /// The record instruction `i` evaluates to, without retaining it.
    func ref(_ i: Int32) -> Ref {
        let n = ops[Int(i)]
        switch n.op {
        case .local:
            if let r = slots.records[Int(n.a)] { return .record(r) }
            return slots.values[Int(n.a)].isUnknown ? .unknown : .other
        case .fieldLocal:
            guard let r = slots.records[Int(n.a)] else {
                return slots.values[Int(n.a)].isUnknown ? .unknown : .other
            }
            return r._withUnsafeGuaranteedRef { FastEval.fieldRef($0, Int(n.b)) }
        case .field:
            switch ref(n.a) {
            case .record(let r): return r._withUnsafeGuaranteedRef { FastEval.fieldRef($0, Int(n.b)) }
            case .unknown: return .unknown
            case .other: return .other
            }
        case .root:
            if let r = m.rootRecords[Int(n.a)] { return .record(r) }
            return (m.roots[Int(n.a)] ?? .null).isUnknown ? .unknown : .other
        default:
            let v = eval(i)
            // Every record is an element or field of the facility the machine holds.
            if case .record(let r) = v { return .record(Unmanaged.passUnretained(r)) }
            return v.isUnknown ? .unknown : .other
        }
    }

    func eval(_ i: Int32) -> Value {
        let n = ops[Int(i)]
        switch n.op {
        case .const: return consts[Int(n.a)]
        case .root: return m.roots[Int(n.a)] ?? .null
        case .asOf: return .date(m.asOf)
        case .local: return slots[Int(n.a)]
        case .fieldLocal:
            guard let r = slots.records[Int(n.a)] else { return slots.values[Int(n.a)].isUnknown ? .unknown : .null }
            return r._withUnsafeGuaranteedRef { FastEval.read($0, Int(n.b)) }
        case .field:
            switch ref(n.a) {
            case .record(let r): return r._withUnsafeGuaranteedRef { FastEval.read($0, Int(n.b)) }
            case .unknown: return .unknown
            case .other: return .null
            }
        case .param: return m.params[Int(n.a)]
        case .not, .and, .or, .compare, .member: return cond(i).value
        case .negate: return Ops.negate(eval(n.a))
        case .arith: return Ops.arith(n.arith, operand(n.a), operand(n.b))
        case .within: return Ops.within(operand(n.a), operand(n.b), asOf: m.asOf).value
        case .presence:
            let x = ops[Int(n.a)]
            if x.op == .field || x.op == .fieldLocal {
                // As `Machine.eval`: definite for a field of a known element.
                let base: Ref
                if x.op == .field {
                    base = ref(x.a)
                } else if let r = slots.records[Int(x.a)] {
                    base = .record(r)
                } else {
                    base = slots.values[Int(x.a)].isUnknown ? .unknown : .other
                }
                switch base {
                case .unknown: return .unknown
                case .other: return .bool(!n.flag)
                case .record(let u):
                    return u._withUnsafeGuaranteedRef { r in
                        let f = Int(x.b)
                        let v = r.values[f]
                        // Given: present, unless it is a missing column's unknown.
                        if !v.isNull { return v.isUnknown ? .unknown : .bool(n.flag) }
                        return r.blankIsContradicted(f) ? .unknown : .bool(!n.flag)
                    }
                }
            }
            let v = eval(n.a)
            return v.isUnknown ? .unknown : .bool(v.isNull != n.flag)
        case .list: return .list(values(n.a, n.b))
        case .call: return Ops.call(n.builtin, values(n.a, n.b))
        case .quantifier: return quantify(n.quant, n.a).value
        case .aggregate: return aggregate(n.agg, n.a)
        }
    }

    /// `eval(i)`, with the commonest operands of an operator read here instead of through
    /// another call: a constant, and a field of a bound record.
    @inline(__always)
    func operand(_ i: Int32) -> Value {
        let x = ops[Int(i)]
        if x.op == .const { return consts[Int(x.a)] }
        if x.op == .fieldLocal, let r = slots.records[Int(x.a)] {
            return r._withUnsafeGuaranteedRef { FastEval.read($0, Int(x.b)) }
        }
        return eval(i)
    }

    func values(_ start: Int32, _ count: Int32) -> [Value] {
        (0..<Int(count)).map { eval(args[Int(start) + $0]) }
    }

    // MARK: loops

    /// `Machine.forEach` without tracing: calls `visit` for every combination of the loop's
    /// bindings the filter does not rule out, with how certain it is that it belongs.
    @discardableResult
    func forEach(
        _ li: Int32, _ k: Int32 = 0, _ certain: Truth = .yes, _ visit: (Truth) -> Machine.Step
    )
        -> Machine.Step
    {
        let loop = loops[Int(li)]
        if k == loop.count {
            var inc = certain
            if loop.filter >= 0 { inc = inc.kleeneAnd(cond(loop.filter)) }
            if inc == .no { return .next }
            return visit(inc)
        }
        let b = bindings[Int(loop.first + k)]
        let slot = Int(b.slot)
        // Binds each element in turn; false when the visitor stopped the loop.
        func each(_ xs: ArraySlice<Value>, _ c: Truth) -> Bool {
            xs.withUnsafeBufferPointer { buf in
                for j in buf.indices {
                    slots.set(slot, buf[j])
                    if forEach(li, k + 1, c, visit) == .stop { return false }
                }
                return true
            }
        }
        switch b.kind {
        case .scan:
            switch eval(b.node) {
            case .list(let xs):
                if !each(xs[...], certain) { return .stop }
            case .unknown:
                // The collection itself is unknown: one stand-in element, itself unknown.
                slots.set(slot, .unknown)
                if forEach(li, k + 1, certain.kleeneAnd(.unknown), visit) == .stop { return .stop }
            default: break
            }
        case .lookup, .lookupContains:
            let root = Int(b.root), field = Int(b.field)
            let kv = eval(b.node)
            if kv.isUnknown {
                // Any element might match an unknown key, except one whose field is a
                // documented absence: a scan, each uncertain.
                guard case .list(let xs)? = m.roots[root] else { break }
                let stopped = xs.withUnsafeBufferPointer { buf in
                    for j in buf.indices {
                        guard case .record(let r) = buf[j], !r.effective(field).isNull else { continue }
                        slots.set(slot, buf[j])
                        if forEach(li, k + 1, certain.kleeneAnd(.unknown), visit) == .stop { return true }
                    }
                    return false
                }
                if stopped { return .stop }
                break
            }
            let contains = b.kind == .lookupContains
            let stopped = m.index(lookup: Int(b.lookup), root: root, field: field, contains: contains)
                ._withUnsafeGuaranteedRef { ix in
                    // A null key equals only null fields; an unknown field is some value, not none.
                    if kv.isNull { return !contains && !each(ix.nullKeyed[...], certain) }
                    if let g = ix.group(kv),
                        !each(ix.grouped[Int(ix.starts[g])..<Int(ix.starts[g + 1])], certain)
                    {
                        return true
                    }
                    // Elements whose join field is unknown might match: each uncertain.
                    return !each(ix.unknownKeyed[...], certain.kleeneAnd(.unknown))
                }
            if stopped { return .stop }
        }
        return .next
    }

    /// `forEach` for a loop of one binding (nearly every loop): the same elements, in the same
    /// order, with the same certainty, but without recursion, so that inlined into its caller
    /// the visitor is compiled in place instead of called through a closure, its context
    /// retained and released, for every element.
    @inline(__always) @discardableResult
    func forEachSingle(_ loop: Program.FlatLoop, _ visit: (Truth) -> Machine.Step) -> Machine.Step {
        let b = bindings[Int(loop.first)]
        let slot = Int(b.slot), filter = loop.filter
        // Binds `x`, weighs the filter and visits; false when the visitor stopped the loop.
        @inline(__always)
        func one(_ x: Value, _ certain: Truth) -> Bool {
            slots.set(slot, x)
            var inc = certain
            if filter >= 0 { inc = inc.kleeneAnd(cond(filter)) }
            if inc == .no { return true }
            return visit(inc) != .stop
        }
        @inline(__always)
        func each(_ xs: ArraySlice<Value>, _ c: Truth) -> Bool {
            xs.withUnsafeBufferPointer { buf in
                for j in buf.indices where !one(buf[j], c) { return false }
                return true
            }
        }
        switch b.kind {
        case .scan:
            switch eval(b.node) {
            case .list(let xs):
                if !each(xs[...], .yes) { return .stop }
            case .unknown:
                // The collection itself is unknown: one stand-in element, itself unknown.
                if !one(.unknown, .unknown) { return .stop }
            default: break
            }
        case .lookup, .lookupContains:
            let root = Int(b.root), field = Int(b.field)
            let kv = eval(b.node)
            if kv.isUnknown {
                // Any element might match an unknown key, except one whose field is a
                // documented absence: a scan, each uncertain.
                guard case .list(let xs)? = m.roots[root] else { break }
                let stopped = xs.withUnsafeBufferPointer { buf in
                    for j in buf.indices {
                        guard case .record(let r) = buf[j], !r.effective(field).isNull else { continue }
                        if !one(buf[j], .unknown) { return true }
                    }
                    return false
                }
                return stopped ? .stop : .next
            }
            let contains = b.kind == .lookupContains
            let stopped = m.index(lookup: Int(b.lookup), root: root, field: field, contains: contains)
                ._withUnsafeGuaranteedRef { ix in
                    // A null key equals only null fields; an unknown field is some value, not none.
                    if kv.isNull { return !contains && !each(ix.nullKeyed[...], .yes) }
                    // The group's elements read in place, without a slice of the array.
                    if let g = ix.group(kv) {
                        let (start, end) = (Int(ix.starts[g]), Int(ix.starts[g + 1]))
                        let stop = ix.grouped.withUnsafeBufferPointer { buf in
                            for j in start..<end where !one(buf[j], .yes) { return true }
                            return false
                        }
                        if stop { return true }
                    }
                    // Elements whose join field is unknown might match: each uncertain.
                    return !ix.unknownKeyed.isEmpty && !each(ix.unknownKeyed[...], .unknown)
                }
            if stopped { return .stop }
        }
        return .next
    }

    /// `Machine.quantify` without tracing.
    func quantify(_ kind: QuantifierKind, _ li: Int32) -> Truth {
        let loop = loops[Int(li)]
        let body = loop.body
        var acc = Machine.quantifierStart(kind)
        if loop.count == 1 {
            forEachSingle(loop) { inc in Machine.quantifierStep(kind, inc, body >= 0 ? cond(body) : .yes, &acc) }
        } else {
            forEach(li) { inc in Machine.quantifierStep(kind, inc, body >= 0 ? cond(body) : .yes, &acc) }
        }
        return Machine.quantifierResult(kind, acc)
    }

    /// How many elements certainly pass the loop's filter, and how many might.
    func countRange(_ li: Int32) -> (Int, Int) {
        var certain = 0, uncertain = 0
        let loop = loops[Int(li)]
        if loop.count == 1 {
            forEachSingle(loop) { inc in
                if inc == .unknown { uncertain += 1 } else { certain += 1 }
                return .next
            }
        } else {
            forEach(li) { inc in
                if inc == .unknown { uncertain += 1 } else { certain += 1 }
                return .next
            }
        }
        return (certain, certain + uncertain)
    }

    /// `Machine.aggregate` without tracing.
    func aggregate(_ kind: AggregateKind, _ li: Int32) -> Value {
        switch kind {
        case .count:
            let (lo, hi) = countRange(li)
            return lo == hi ? .int(lo) : .unknown
        case .min, .max:
            let body = loops[Int(li)].body
            var best: Value = .null
            var uncertain = false
            forEach(li) { inc in
                guard body >= 0 else { return .next }
                return Machine.extremumStep(kind, inc, eval(body), &best, &uncertain)
            }
            return uncertain ? .unknown : best
        }
    }
}

extension Machine {
    /// A quantifier's answer before any element: `every` is true of nothing, `some` false.
    @inline(__always)
    static func quantifierStart(_ kind: QuantifierKind) -> Truth { kind == .every ? .yes : .no }

    /// Folds one element into a quantifier's answer `acc`, given how certain it is that the
    /// element belongs (`inc`) and its body: `every` is the conjunction of `inc implies body`,
    /// `some` and `none` the disjunction of `inc and body`. Stops at the first decisive element;
    /// one that leaves the answer unknown is kept (its reads are evidence).
    @inline(__always)
    static func quantifierStep(_ kind: QuantifierKind, _ inc: Truth, _ body: Truth, _ acc: inout Truth) -> Step {
        if kind == .every {
            switch (!inc).kleeneOr(body) {
            case .no: acc = .no; return .stop
            case .unknown: acc = .unknown; return .keep
            case .yes: return .next
            }
        }
        switch inc.kleeneAnd(body) {
        case .yes: acc = .yes; return .stop
        case .unknown: acc = .unknown; return .keep
        case .no: return .next
        }
    }

    /// Folds one element's value `v` into `min` or `max` (`best`): an element that might not
    /// belong, or an unknown value, makes the answer unknown (`uncertain`); a null is skipped.
    @inline(__always)
    static func extremumStep(
        _ kind: AggregateKind, _ inc: Truth, _ v: Value, _ best: inout Value, _ uncertain: inout Bool
    ) -> Step {
        if inc == .unknown || v.isUnknown { uncertain = true; return .keep }
        if v.isNull { return .next }
        if best.isNull || Ops.compareKnown(kind == .min ? .lt : .gt, v, best) { best = v }
        return .next
    }

    /// The quantifier's answer from the folded one: `none` is the negation of `some`.
    @inline(__always)
    static func quantifierResult(_ kind: QuantifierKind, _ acc: Truth) -> Truth { kind == .none ? !acc : acc }
}

extension Truth {
    /// `and` (`Truth.and`), inlined here: the evaluator calls it at every filter and element.
    @inline(__always)
    func kleeneAnd(_ o: Truth) -> Truth {
        if self == .no || o == .no { return .no }
        return self == .yes && o == .yes ? .yes : .unknown
    }

    /// `or` (`Truth.or`), inlined here.
    @inline(__always)
    func kleeneOr(_ o: Truth) -> Truth {
        if self == .yes || o == .yes { return .yes }
        return self == .no && o == .no ? .no : .unknown
    }

    /// `implies` (`Truth.implies`: `not self or p`), inlined here: what an element of an
    /// `every` contributes.
    @inline(__always)
    func kleeneImplies(_ p: Truth) -> Truth {
        if self == .no || p == .yes { return .yes }
        return self == .yes && p == .no ? .no : .unknown
    }

    /// `!self` (`Truth.!`), inlined here.
    @inline(__always)
    var negated: Truth {
        switch self {
        case .no: .yes
        case .yes: .no
        case .unknown: .unknown
        }
    }

    /// `not (self and p)`, inlined here: what an element of a `none` contributes.
    @inline(__always)
    func kleeneNand(_ p: Truth) -> Truth {
        if self == .no || p == .no { return .yes }
        return self == .yes && p == .yes ? .no : .unknown
    }
}
