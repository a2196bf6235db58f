import TenkenCheck
import TenkenData
import TenkenSyntax

/// One evaluation of compiled nodes over one facility. Single-threaded and short-lived:
/// a batch runs one machine per facility, in parallel, sharing nothing mutable.
///
/// Conditions are three-valued (`Truth`): a field whose absence the schema leaves unknown
/// reads as `Value.unknown`, and every operator, join and quantifier carries it through, so
/// a verdict that depends on it is `unknown`, never a silent pass.
final class Machine {
    /// The loop variables (`SlotStore`: records held unretained).
    let slotStore: SlotStore
    var slots: Slots { slotStore.view }
    let params: [Value]
    let roots: [Value?]
    /// The schema `roots` was read with.
    let schema: PackSchema
    /// Each section that is a record, unretained (`roots` holds it), for `FastEval`.
    let rootRecords: UnsafeMutablePointer<Unmanaged<Record>?>
    let asOf: Day
    /// The join indexes built, by root, field and kind (`index`): a facility's rules join on a
    /// few fields, so a list searched in order costs less than a dictionary to build.
    var indexes: [(id: Int, index: JoinIndex)] = []
    /// `FastEval`'s join index for each lookup binding of the engine's program, once built
    /// (unretained: `indexes` holds it).
    var lookupIndexes: UnsafeMutablePointer<Unmanaged<JoinIndex>?>
    let lookupCount: Int
    var tracing = false
    var trace: [Read] = []
    /// Tracing to name the unknown values behind an undecided verdict (`Engine.undecided`).
    var undecidedMode = false
    /// How much of each finding to build (`FindingDetail`).
    var detail = FindingDetail.full
    /// The table each section comes from, when the facility is a folder of tables.
    var tables: [String]?
    var tablesInWorkbook = false
    /// Where each section starts in the input: the place of a finding about a row that is
    /// missing from it.
    var rootLocations = SectionPlaces(count: 0)
    /// Who may sign statements; built on the first attestation weighed.
    lazy var signers = Signers(roots: roots, schema: schema)

    struct Read {
        var label: String
        var record: Record
        var field: Int
        var isRecordValue: Bool { if case .record = record.values[field] { true } else { false } }
        /// The field is absent and its absence means "not known".
        var isUnknown: Bool {
            record.effective(field).isUnknown
        }
    }

    /// The join index of lookup binding number `n` of the engine's program (`index`), kept
    /// by position.
    @inline(__always)
    func index(lookup n: Int, root: Int, field: Int, contains: Bool) -> Unmanaged<JoinIndex> {
        // A machine made for fewer lookups than this program has: `indexes` still keeps it.
        guard n < lookupCount else {
            return Unmanaged.passUnretained(index(root: root, field: field, contains: contains))
        }
        if let ix = lookupIndexes[n] { return ix }
        let ix = Unmanaged.passUnretained(index(root: root, field: field, contains: contains))
        lookupIndexes[n] = ix
        return ix
    }

    /// What the visitor of a loop tells the loop: stop (this element decided the answer),
    /// go on and forget what this element read, or go on and keep it (it left the answer
    /// unknown, so its reads are evidence).
    enum Step { case stop, next, keep }

    init(roots: [Value?], schema: PackSchema, params: [Value], asOf: Day, slots: Int, lookups: Int = 0) {
        self.roots = roots
        self.schema = schema
        self.params = params
        self.asOf = asOf
        slotStore = SlotStore(count: slots)
        lookupCount = max(lookups, 1)
        lookupIndexes = .allocate(capacity: lookupCount)
        lookupIndexes.initialize(repeating: nil, count: lookupCount)
        rootRecords = .allocate(capacity: max(roots.count, 1))
        for (i, r) in roots.enumerated() {
            if case .record(let x)? = r { rootRecords[i] = Unmanaged.passUnretained(x) } else { rootRecords[i] = nil }
        }
    }

    deinit {
        rootRecords.deallocate()
        lookupIndexes.deallocate()
    }

    func ensureSlots(_ n: Int) { slotStore.ensure(n) }

    @inline(__always) func cond(_ n: Node) -> Truth { Truth(eval(n)) }

    func eval(_ n: Node) -> Value {
        switch n {
        case .const(let v): return v
        case .root(let i): return roots[i] ?? .null
        case .asOf: return .date(asOf)
        case .local(let s): return slots[s]
        case .field(let b, let i, _):
            let base = eval(b)
            guard case .record(let r) = base else { return base.isUnknown ? .unknown : .null }
            if tracing, case .field(_, _, let label) = n { trace.append(Read(label: label, record: r, field: i)) }
            return r.effective(i)
        case .param(let i): return params[i]
        case .not(let x): return (!cond(x)).value
        case .negate(let x): return Ops.negate(eval(x))
        case .and(let a, let b):
            let x = cond(a)
            return x == .no ? .bool(false) : x.and(cond(b)).value
        case .or(let a, let b):
            let x = cond(a)
            return x == .yes ? .bool(true) : x.or(cond(b)).value
        case .compare(let op, let a, let b):
            // A count with uncertain elements lies in a range; compared with a number, the
            // whole range may still give one answer (3 certain smartphones are more than 1).
            if case .aggregate(.count, let loop) = a, case .int(let v) = eval(b) {
                let (lo, hi) = countRange(loop)
                return lo == hi ? .bool(Ops.cmp(op, lo, v)) : Ops.compareRange(op, lo, hi, v, rangeOnLeft: true)
            }
            if case .aggregate(.count, let loop) = b, case .int(let v) = eval(a) {
                let (lo, hi) = countRange(loop)
                return lo == hi ? .bool(Ops.cmp(op, v, lo)) : Ops.compareRange(op, lo, hi, v, rangeOnLeft: false)
            }
            return Ops.compare(op, eval(a), eval(b))
        case .arith(let k, let a, let b): return Ops.arith(k, eval(a), eval(b))
        case .member(let a, let b, let neg):
            let t = Ops.member(eval(a), eval(b))
            return (neg ? !t : t).value
        case .within(let a, let b): return Ops.within(eval(a), eval(b), asOf: asOf).value
        case .presence(let x, let present):
            // Definite, as SQL's IS NULL, for a field of a known element: whether the input
            // gives the value, whatever a blank means. It is how a rule gives absence a meaning
            // of its own (a fallback, or a gap); `lint --unknowns` lists such tests on fields
            // whose blank means unknown. Of an element that is itself unknown (an unknown
            // list's stand-in), or of a computed unknown, presence is unknown too.
            if case .field(let b, let i, _) = x {
                let base = eval(b)
                guard case .record(let r) = base else { return base.isUnknown ? .unknown : .bool(!present) }
                if tracing, case .field(_, _, let label) = x { trace.append(Read(label: label, record: r, field: i)) }
                // A blank is definite, unless its documented meaning is contradicted by another
                // field (then whether the thing happened is unknown) or its column is missing.
                let v = r.values[i]
                if v.isUnknown || r.blankIsContradicted(i) { return .unknown }
                return .bool(v.isNull != present)
            }
            let v = eval(x)
            return v.isUnknown ? .unknown : .bool(v.isNull != present)
        case .list(let xs): return .list(xs.map(eval))
        case .call(let f, let args): return Ops.call(f, args.map(eval))
        case .quantifier(let k, let loop): return quantify(k, loop).value
        case .aggregate(let k, let loop): return aggregate(k, loop)
        }
    }

    // MARK: loops

    func index(root: Int, field: Int, contains: Bool) -> JoinIndex {
        let id = (root << 16) | (field << 1) | (contains ? 1 : 0)
        for e in indexes where e.id == id { return e.index }
        var xs: [Value] = []
        if case .list(let l)? = roots[root] { xs = l }
        let ix = JoinIndex(xs, field: field, contains: contains)
        indexes.append((id, ix))
        return ix
    }

    /// Calls `visit` for every combination of the loop's bindings that the filter does not
    /// rule out, with how certain it is that the combination belongs (`.yes`, or `.unknown`
    /// when a collection, a join key or the filter is unknown). Stops when `visit` says so.
    /// While tracing, the reads of a combination the filter rules out are dropped, and so are
    /// the body's reads of one the visitor passes over (`.next`): what is left is evidence.
    @discardableResult
    func forEach(_ loop: Loop, _ k: Int = 0, _ certain: Truth = .yes, _ visit: (Truth) -> Step) -> Step {
        if k == loop.bindings.count {
            let mark = trace.count
            var inc = certain
            if let f = loop.filter { inc = inc.and(cond(f)) }
            if inc == .no {
                if tracing { trace.removeSubrange(mark...) }
                return .next
            }
            let bodyMark = trace.count
            let step = visit(inc)
            // Evidence of a violation keeps what the filter read; evidence of an undecided
            // verdict keeps only the elements that left it undecided.
            if step == .next, tracing { trace.removeSubrange((undecidedMode ? mark : bodyMark)...) }
            return step
        }
        let b = loop.bindings[k]
        func each(_ x: Value, _ c: Truth) -> Bool {
            slots[b.slot] = x
            return forEach(loop, k + 1, c, visit) != .stop
        }
        switch b.source {
        case .scan(let n):
            switch eval(n) {
            case .list(let xs):
                for x in xs { if !each(x, certain) { return .stop } }
            case .unknown:
                // The collection itself is unknown: one stand-in element, itself unknown.
                if !each(.unknown, certain.and(.unknown)) { return .stop }
            default: break
            }
        case .lookup(let root, let field, let key, let label), .lookupContains(let root, let field, let key, let label):
            let kv = eval(key)
            if kv.isUnknown {
                // Any element might match an unknown key, except one whose field is a documented
                // absence (an unknown value is some value, never none): a scan, each uncertain.
                guard case .list(let xs)? = roots[root] else { break }
                for x in xs {
                    guard case .record(let r) = x, !r.effective(field).isNull else { continue }
                    if !each(x, certain.and(.unknown)) { return .stop }
                }
                break
            }
            var contains = false
            if case .lookupContains = b.source { contains = true }
            let ix = index(root: root, field: field, contains: contains)
            // A null key equals only null fields; an unknown field is some value, not none.
            if kv.isNull {
                if !contains { for x in ix.nullKeyed { if !each(x, certain) { return .stop } } }
                break
            }
            for x in ix.matches(kv) { if !each(x, certain) { return .stop } }
            for x in ix.unknownKeyed {
                guard case .record(let r) = x else { continue }
                // The element might match: its unknown join field is evidence if it decides.
                let mark = trace.count
                if tracing { trace.append(Read(label: label, record: r, field: field)) }
                slots[b.slot] = x
                switch forEach(loop, k + 1, certain.and(.unknown), visit) {
                case .stop: return .stop
                case .next: if tracing { trace.removeSubrange(mark...) }
                case .keep: break
                }
            }
        }
        return .next
    }

    /// `every` is the conjunction over the elements of (not filter or body), `some` the
    /// disjunction of (filter and body), `none` the negation of `some`.
    func quantify(_ kind: QuantifierKind, _ loop: Loop) -> Truth {
        var acc = Machine.quantifierStart(kind)
        forEach(loop) { inc in Machine.quantifierStep(kind, inc, loop.body.map(cond) ?? .yes, &acc) }
        return Machine.quantifierResult(kind, acc)
    }

    /// How many elements certainly pass the loop's filter, and how many might.
    func countRange(_ loop: Loop) -> (Int, Int) {
        let wasTracing = tracing
        defer { tracing = wasTracing }
        var certain = 0, uncertain = 0
        forEach(loop) { inc in
            if inc == .unknown { uncertain += 1; return .keep }
            certain += 1
            if !undecidedMode && certain >= 5 { tracing = false }
            return undecidedMode ? .next : .keep
        }
        return (certain, certain + uncertain)
    }

    /// While tracing, an aggregate keeps the reads of the first few elements it counted
    /// (the ones that make `count(…) <= 1` fail), not of every element it scanned. An element
    /// that might or might not be counted makes the count unknown; so does an unknown value
    /// under `min` or `max`.
    func aggregate(_ kind: AggregateKind, _ loop: Loop) -> Value {
        let wasTracing = tracing
        defer { tracing = wasTracing }
        // A count keeps tracing for its first five elements; min and max trace only what left
        // them unknown, when the evidence for an undecided verdict is gathered.
        if kind != .count && !undecidedMode { tracing = false }
        var uncertain = false
        switch kind {
        case .count:
            let (lo, hi) = countRange(loop)
            return lo == hi ? .int(lo) : .unknown
        case .min, .max:
            var best: Value = .null
            forEach(loop) { inc in
                guard let body = loop.body else { return .next }
                return Machine.extremumStep(kind, inc, eval(body), &best, &uncertain)
            }
            return uncertain ? .unknown : best
        }
    }
}
