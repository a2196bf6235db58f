import TenkenCheck
import TenkenData
import TenkenSyntax

/// The pack's compiled nodes flattened into arrays of plain values, for the evaluation that
/// decides verdicts: one instruction per `Node`, its operands as `Int32` indexes of other
/// instructions, constants in a side table, loops and their bindings in tables of their own.
/// Reading an instruction copies a few bytes and retains nothing, where walking the
/// `indirect enum Node` retained a box (and a label string) at every step.
///
/// Only the untraced evaluation runs here (`FastEval`). Evidence is gathered by re-running a
/// decided element through the `Node` tree with tracing on (`Machine.eval`), as before: the
/// two evaluators implement the same semantics, node for node, and the tests check both
/// (every finding's evidence comes from the tree, every verdict from this form).
final class Program: @unchecked Sendable {
    /// What an instruction does. Operands: `a`, `b` (instruction indexes unless noted).
    enum Op: UInt8 {
        /// `consts[a]`
        case const
        /// top-level section `a`
        case root
        case asOf
        /// slot `a`
        case local
        /// field `b` of the record `a` evaluates to
        case field
        /// field `b` of the record in slot `a` (`s.left_on`): the commonest read, fused
        case fieldLocal
        /// parameter `a`
        case param
        case not, negate, and, or
        /// `cmp` of `a` and `b`; a count on either side is compared as a range
        case compare
        case arith
        /// `a in b`; `flag`: `not in`
        case member
        case within
        /// `a is present` (`flag`) or `is absent`
        case presence
        /// the list of the `b` instructions listed at `args[a...]`
        case list
        /// quantifier `quant` over loop `a`
        case quantifier
        /// aggregate `agg` over loop `a`
        case aggregate
        /// builtin `builtin` of the `b` instructions listed at `args[a...]`
        case call
    }

    struct Inst {
        var op: Op
        var cmp: CompareOp = .eq
        var arith: ArithKind = .intAdd
        var builtin: Builtin = .len
        var quant: QuantifierKind = .every
        var agg: AggregateKind = .count
        var flag = false
        var a: Int32 = 0
        var b: Int32 = 0
        /// For `member` against a list written in the rule of strings only: its strings,
        /// `strings[c ..< c + d]` (-1: not such a list).
        var c: Int32 = -1
        var d: Int32 = 0
    }

    /// A loop: bindings `bindings[first ..< first + count]`, filter and body (-1: none).
    struct FlatLoop {
        var first: Int32
        var count: Int32
        var filter: Int32
        var body: Int32
    }

    struct FlatBinding {
        enum Kind: UInt8 { case scan, lookup, lookupContains }
        var kind: Kind
        var slot: Int32
        /// For a lookup: the root and the field of its elements the key is matched against.
        var root: Int32 = 0
        var field: Int32 = 0
        /// The collection (scan) or the key (lookup).
        var node: Int32
        /// For a lookup: its number among the program's lookups (`Builder.lookups`), so a
        /// machine finds the binding's join index by position rather than by hashing.
        var lookup: Int32 = 0
    }

    /// What one rule's verdict needs, as indexes into the program.
    struct RuleCode {
        enum Expect {
            case single(Int32)
            /// The loop, its body (-1: none), and whether it is an `every` (else a `none`).
            case perElement(loop: Int32, body: Int32, every: Bool)
        }
        var applies: Int32?
        var expects: [Expect]
        /// The sections the rule's `applies when` and its expectations need, as lists: a
        /// facility that has them all (nearly always) is checked without building a set.
        var appliesRoots: [Int]
        var expectRoots: [Int]
        /// The attestation's period and its `unless` condition.
        var renew: Int32? = nil
        var unless: Int32? = nil
    }

    let ops: UnsafeMutablePointer<Inst>
    let consts: UnsafeMutablePointer<Value>
    let args: UnsafeMutablePointer<Int32>
    let loops: UnsafeMutablePointer<FlatLoop>
    let bindings: UnsafeMutablePointer<FlatBinding>
    /// The strings of the written lists that `member` compares in place (`Inst.c`).
    let strings: UnsafeMutablePointer<String>
    /// Parallel to the pack's rules.
    let rules: [RuleCode]

    init(pack: CheckedPack) {
        var b = Builder()
        rules = pack.rules.map { rule in
            RuleCode(
                applies: rule.applies.map { b.add($0) },
                expects: rule.expects.map { e in
                    switch e.shape {
                    case .single(let n): return .single(b.add(n))
                    case .perElement(let kind, let loop):
                        return .perElement(
                            loop: b.add(loop), body: loop.body.map { b.add($0) } ?? -1, every: kind == .every)
                    }
                }, appliesRoots: rule.appliesRoots.sorted(), expectRoots: rule.expectRoots.sorted(),
                renew: rule.attestation.map { b.add($0.renew) }, unless: rule.attestation?.unless.map { b.add($0) })
        }
        func frozen<T>(_ xs: [T]) -> UnsafeMutablePointer<T> {
            let p = UnsafeMutablePointer<T>.allocate(capacity: max(xs.count, 1))
            for (i, x) in xs.enumerated() { (p + i).initialize(to: x) }
            return p
        }
        ops = frozen(b.ops)
        consts = frozen(b.consts)
        args = frozen(b.args)
        loops = frozen(b.loops)
        bindings = frozen(b.bindings)
        strings = frozen(b.strings)
        stringCount = b.strings.count
        constCount = b.consts.count
        lookupCount = Int(b.lookups)
    }

    private let constCount: Int
    private let stringCount: Int
    /// How many lookup bindings the program has.
    let lookupCount: Int

    deinit {
        // The instructions, operands, loops and bindings are plain values; only constants
        // hold references.
        consts.deinitialize(count: constCount)
        consts.deallocate()
        strings.deinitialize(count: stringCount)
        strings.deallocate()
        ops.deallocate()
        args.deallocate()
        loops.deallocate()
        bindings.deallocate()
    }

    /// Flattens nodes. A loop's body is added both inside its loop and, for a per-element
    /// expectation, on its own; nodes are small, so sharing is not worth a table.
    struct Builder {
        var ops: [Inst] = []
        var consts: [Value] = []
        var args: [Int32] = []
        var loops: [FlatLoop] = []
        var bindings: [FlatBinding] = []
        var lookups: Int32 = 0
        var strings: [String] = []

        mutating func emit(_ i: Inst) -> Int32 {
            ops.append(i)
            return Int32(ops.count - 1)
        }

        mutating func list(_ xs: [Node]) -> (Int32, Int32) {
            let ixs = xs.map { add($0) }
            let start = Int32(args.count)
            args += ixs
            return (start, Int32(ixs.count))
        }

        mutating func add(_ n: Node) -> Int32 {
            switch n {
            case .const(let v):
                consts.append(v)
                return emit(Inst(op: .const, a: Int32(consts.count - 1)))
            case .root(let i): return emit(Inst(op: .root, a: Int32(i)))
            case .asOf: return emit(Inst(op: .asOf))
            case .local(let s): return emit(Inst(op: .local, a: Int32(s)))
            case .field(.local(let s), let i, _): return emit(Inst(op: .fieldLocal, a: Int32(s), b: Int32(i)))
            case .field(let base, let i, _):
                let x = add(base)
                return emit(Inst(op: .field, a: x, b: Int32(i)))
            case .param(let i): return emit(Inst(op: .param, a: Int32(i)))
            case .not(let x): return emit(Inst(op: .not, a: add(x)))
            case .negate(let x): return emit(Inst(op: .negate, a: add(x)))
            case .and(let x, let y):
                let (a, b) = (add(x), add(y))
                return emit(Inst(op: .and, a: a, b: b))
            case .or(let x, let y):
                let (a, b) = (add(x), add(y))
                return emit(Inst(op: .or, a: a, b: b))
            case .compare(let op, let x, let y):
                let (a, b) = (add(x), add(y))
                return emit(Inst(op: .compare, cmp: op, a: a, b: b))
            case .arith(let k, let x, let y):
                let (a, b) = (add(x), add(y))
                return emit(Inst(op: .arith, arith: k, a: a, b: b))
            case .member(let x, let y, let neg):
                let (a, b) = (add(x), add(y))
                var i = Inst(op: .member, flag: neg, a: a, b: b)
                // A list written in the rule, of strings only: its strings side by side, so a
                // string is looked for without a `Value` copied for each item.
                if case .const(.list(let items)) = y {
                    let ss = items.compactMap { x -> String? in if case .string(let s) = x { s } else { nil } }
                    if ss.count == items.count {
                        i.c = Int32(strings.count)
                        i.d = Int32(ss.count)
                        strings += ss
                    }
                }
                return emit(i)
            case .within(let x, let y):
                let (a, b) = (add(x), add(y))
                return emit(Inst(op: .within, a: a, b: b))
            case .presence(let x, let present): return emit(Inst(op: .presence, flag: present, a: add(x)))
            case .list(let xs):
                let (start, count) = list(xs)
                return emit(Inst(op: .list, a: start, b: count))
            case .call(let f, let xs):
                let (start, count) = list(xs)
                return emit(Inst(op: .call, builtin: f, a: start, b: count))
            case .quantifier(let k, let loop): return emit(Inst(op: .quantifier, quant: k, a: add(loop)))
            case .aggregate(let k, let loop): return emit(Inst(op: .aggregate, agg: k, a: add(loop)))
            }
        }

        mutating func add(_ loop: Loop) -> Int32 {
            var flat: [FlatBinding] = loop.bindings.map { b in
                switch b.source {
                case .scan(let n): return FlatBinding(kind: .scan, slot: Int32(b.slot), node: add(n))
                case .lookup(let root, let field, let key, _):
                    return FlatBinding(
                        kind: .lookup, slot: Int32(b.slot), root: Int32(root), field: Int32(field), node: add(key))
                case .lookupContains(let root, let field, let key, _):
                    return FlatBinding(
                        kind: .lookupContains, slot: Int32(b.slot), root: Int32(root), field: Int32(field),
                        node: add(key))
                }
            }
            for i in flat.indices where flat[i].kind != .scan {
                flat[i].lookup = lookups
                lookups += 1
            }
            let first = Int32(bindings.count)
            bindings += flat
            let filter = loop.filter.map { add($0) } ?? -1
            let body = loop.body.map { add($0) } ?? -1
            loops.append(FlatLoop(first: first, count: Int32(flat.count), filter: filter, body: body))
            return Int32(loops.count - 1)
        }
    }
}

/// The variables of a machine's loops. A record bound to a slot is kept as an unretained
/// reference beside an empty value, so binding each element of a loop retains and releases
/// nothing. Safe because records are never created during evaluation: every record a slot
/// can hold is an element or field of the facility's sections, which the machine holds
/// strongly (`Machine.roots`) for as long as it runs, and a record never changes.
final class SlotStore {
    private(set) var count: Int
    private(set) var values: UnsafeMutablePointer<Value>
    private(set) var records: UnsafeMutablePointer<Unmanaged<Record>?>

    init(count n: Int) {
        count = max(n, 1)
        values = .allocate(capacity: count)
        values.initialize(repeating: .null, count: count)
        records = .allocate(capacity: count)
        records.initialize(repeating: nil, count: count)
    }

    deinit {
        values.deinitialize(count: count)
        values.deallocate()
        records.deallocate()
    }

    /// Makes room for `n` slots (the slots of the rule about to run), keeping what they hold.
    func ensure(_ n: Int) {
        guard n > count else { return }
        let v = UnsafeMutablePointer<Value>.allocate(capacity: n)
        v.moveInitialize(from: values, count: count)
        (v + count).initialize(repeating: .null, count: n - count)
        let r = UnsafeMutablePointer<Unmanaged<Record>?>.allocate(capacity: n)
        r.moveInitialize(from: records, count: count)
        (r + count).initialize(repeating: nil, count: n - count)
        values.deallocate()
        records.deallocate()
        values = v
        records = r
        count = n
    }

    var view: Slots { Slots(values: values, records: records) }
}

/// Access to a `SlotStore`'s storage (valid until it grows, which happens only between rules).
struct Slots {
    let values: UnsafeMutablePointer<Value>
    let records: UnsafeMutablePointer<Unmanaged<Record>?>

    subscript(_ s: Int) -> Value {
        get {
            if let r = records[s] { return .record(r.takeUnretainedValue()) }
            return values[s]
        }
        nonmutating set { set(s, newValue) }
    }

    @inline(__always)
    func set(_ s: Int, _ v: Value) {
        if case .record(let r) = v {
            records[s] = Unmanaged.passUnretained(r)
            if !values[s].isNull { values[s] = .null }
        } else {
            records[s] = nil
            values[s] = v
        }
    }
}
