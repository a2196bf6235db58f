import TenkenCheck
import TenkenData
import TenkenSyntax

/// One evaluation of compiled nodes over one facility. Single-threaded and short-lived:
/// a batch runs one machine per facility, in parallel, sharing nothing mutable.
final class Machine {
    var slots: [Value]
    let params: [Value]
    let roots: [Value?]
    let asOf: Day
    var indexes: [Int: [Value: [Value]]] = [:]
    var tracing = false
    var trace: [Read] = []
    /// The table each section comes from, when the facility is a folder of tables.
    var tables: [String]?

    struct Read {
        var label: String
        var record: Record
        var field: Int
        var isRecordValue: Bool { if case .record = record.values[field] { true } else { false } }
    }

    init(roots: [Value?], params: [Value], asOf: Day, slots: Int) {
        self.roots = roots
        self.params = params
        self.asOf = asOf
        self.slots = [Value](repeating: .null, count: max(slots, 1))
    }

    func ensureSlots(_ n: Int) {
        if slots.count < n { slots += [Value](repeating: .null, count: n - slots.count) }
    }

    @inline(__always) func truthy(_ n: Node) -> Bool { Ops.truthy(eval(n)) }

    func eval(_ n: Node) -> Value {
        switch n {
        case .const(let v): return v
        case .root(let i): return roots[i] ?? .null
        case .asOf: return .date(asOf)
        case .local(let s): return slots[s]
        case .field(let b, let i, _):
            guard case .record(let r) = eval(b) else { return .null }
            if tracing, case .field(_, _, let label) = n { trace.append(Read(label: label, record: r, field: i)) }
            return r.values[i]
        case .param(let i): return params[i]
        case .not(let x): return .bool(!truthy(x))
        case .negate(let x): return Ops.negate(eval(x))
        case .and(let a, let b): return .bool(truthy(a) && truthy(b))
        case .or(let a, let b): return .bool(truthy(a) || truthy(b))
        case .compare(let op, let a, let b): return .bool(Ops.compare(op, eval(a), eval(b)))
        case .arith(let k, let a, let b): return Ops.arith(k, eval(a), eval(b))
        case .member(let a, let b, let neg): return .bool(Ops.member(eval(a), eval(b)) != neg)
        case .within(let a, let b): return .bool(Ops.within(eval(a), eval(b), asOf: asOf))
        case .presence(let x, let present): return .bool(eval(x).isNull != present)
        case .list(let xs): return .list(xs.map(eval))
        case .call(let f, let args): return Ops.call(f, args.map(eval))
        case .quantifier(let k, let loop): return .bool(quantify(k, loop))
        case .aggregate(let k, let loop): return aggregate(k, loop)
        }
    }

    // MARK: loops

    /// Elements of one binding: a scan, or a hash lookup built on first use.
    func elements(_ b: LoopBinding) -> ArraySlice<Value> {
        switch b.source {
        case .scan(let n):
            if case .list(let xs) = eval(n) { return xs[...] }
            return []
        case .lookup(let root, let field, let key):
            let k = eval(key)
            if k.isNull { return [] }
            return index(root: root, field: field, contains: false)[k]?[...] ?? []
        case .lookupContains(let root, let field, let key):
            let k = eval(key)
            if k.isNull { return [] }
            return index(root: root, field: field, contains: true)[k]?[...] ?? []
        }
    }

    func index(root: Int, field: Int, contains: Bool) -> [Value: [Value]] {
        let id = (root << 16) | (field << 1) | (contains ? 1 : 0)
        if let ix = indexes[id] { return ix }
        var ix: [Value: [Value]] = [:]
        if case .list(let xs)? = roots[root] {
            for x in xs {
                guard case .record(let r) = x else { continue }
                let v = r.values[field]
                if contains {
                    if case .list(let items) = v { for it in Set(items) where !it.isNull { ix[it, default: []].append(x) } }
                } else if !v.isNull {
                    ix[v, default: []].append(x)
                }
            }
        }
        indexes[id] = ix
        return ix
    }

    /// Calls `visit` for every combination of the loop's bindings that passes the filter;
    /// `visit` returns false to stop. Returns false if stopped.
    @discardableResult
    func forEach(_ loop: Loop, _ k: Int = 0, _ visit: () -> Bool) -> Bool {
        if k == loop.bindings.count {
            // Reads of an element the filter leaves out are never evidence.
            let mark = trace.count
            if let f = loop.filter, !truthy(f) {
                if tracing { trace.removeSubrange(mark...) }
                return true
            }
            return visit()
        }
        let b = loop.bindings[k]
        for x in elements(b) {
            slots[b.slot] = x
            if !forEach(loop, k + 1, visit) { return false }
        }
        return true
    }

    func quantify(_ kind: QuantifierKind, _ loop: Loop) -> Bool {
        // While tracing, keep only the reads of the element that decided the answer.
        var result: Bool
        switch kind {
        case .every:
            result = true
            forEach(loop) {
                let mark = trace.count
                if let body = loop.body, !truthy(body) { result = false; return false }
                if tracing { trace.removeSubrange(mark...) }
                return true
            }
        case .some, .none:
            var found = false
            forEach(loop) {
                let mark = trace.count
                if loop.body.map(truthy) ?? true { found = true; return false }
                if tracing { trace.removeSubrange(mark...) }
                return true
            }
            result = kind == .some ? found : !found
        }
        return result
    }

    /// While tracing, an aggregate keeps the reads of the first few elements it counted
    /// (the ones that make `count(…) <= 1` fail), not of every element it scanned.
    func aggregate(_ kind: AggregateKind, _ loop: Loop) -> Value {
        let wasTracing = tracing
        defer { tracing = wasTracing }
        // A count keeps tracing for its first five elements; min and max trace nothing.
        if kind != .count { tracing = false }
        switch kind {
        case .count:
            var n = 0
            forEach(loop) {
                n += 1
                if n >= 5 { tracing = false }
                return true
            }
            return .int(n)
        case .min, .max:
            var best: Value = .null
            forEach(loop) {
                guard let body = loop.body else { return true }
                let v = eval(body)
                if v.isNull { return true }
                if best.isNull || Ops.compare(kind == .min ? .lt : .gt, v, best) { best = v }
                return true
            }
            return best
        }
    }
}
