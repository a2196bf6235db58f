import TenkenData
import TenkenSyntax

/// Types and compiles expressions of one rule. Variables live in numbered slots; every name
/// is resolved here so the evaluator never looks anything up by name.
struct ExprCompiler {
    let params: [ParamInfo]
    let paramIndex: [String: Int]
    let file: String
    let indexJoins: Bool
    var diags: [Diagnostic] = []
    var scope: [(name: String, slot: Int, type: ValueType)] = []
    var maxSlots = 0
    var allowSnapshot = true
    /// Fields read so far, and those read by `is present` / `is missing` (with their place).
    var reads: Set<FieldRead> = []
    var presenceTests: [(read: FieldRead, at: SourceLocation, present: Bool)] = []
    /// The pack's named conditions. A use left after expansion is one whose error is already
    /// reported (at the definition or the use): it compiles silently to an unknown value.
    let defineNames: Set<String>
    let functionNames: [String]
    /// The schema names resolve in.
    let schema: PackSchema
    /// Compiling a message placeholder, where named conditions are not expanded.
    var inTemplate = false
    /// Parameters compared with a choice field (`==`, `!=`, `in`, `not in`, either side), with
    /// the choice set's values: an override or default outside them would never match a value.
    var paramChoices: [(param: Int, values: [String])] = []
    /// Loop variables ranging over a parameter (`some w in param.wifi.forbidden`), by slot: a
    /// comparison with one of them is a comparison with the parameter's values.
    var paramLoopSlots: [Int: Int] = [:]

    init(checker: Checker, file: String) {
        params = checker.params
        paramIndex = checker.paramIndex
        indexJoins = checker.options.indexJoins
        defineNames = Set(checker.definitions.byName.keys)
        functionNames = checker.definitions.functionNames
        schema = checker.schema
        self.file = file
    }

    func loc(_ s: Span) -> SourceLocation { SourceLocation(file: file, line: s.line, column: s.column) }

    mutating func error(_ id: String, _ msg: String, _ s: Span, help: String? = nil) {
        diags.append(Diagnostic(id, .error, msg, at: loc(s), help: help))
    }

    mutating func compileCondition(_ e: Expr, what: String) -> Node {
        let (n, t) = compile(e)
        if t != .bool && t != .any && t != .null {
            error("check.type-mismatch", "\(what) must be true or false, found \(t)", e.span)
        }
        return n
    }

    /// `source` is the condition as the rule writes it (before named conditions are expanded).
    mutating func compileExpect(_ e: Expr, message: Text?, span: Span, source: String? = nil) -> CheckedExpect? {
        let source = source ?? Formatter.expr(e)
        if case .quantifier(let k, let bindings, let filter, let body) = e.kind, k != .some {
            var tmpl: BilingualTemplate?
            let loop = compileLoop(bindings, filter: filter, body: body, skipsArePermissive: true) { c in
                tmpl = message.map { c.template($0) }
            }
            if let b = loop.body, k == .every, case .bool(true)? = ConstantFolder.fold(b) {
                diags.append(
                    Diagnostic(
                        "check.always-true", .error, "this condition is always true; the expectation can never fail",
                        at: loc(e.span)))
            }
            if let f = loop.filter, case .bool(false)? = ConstantFolder.fold(f) {
                diags.append(
                    Diagnostic(
                        "check.unreachable", .error, "the `where` filter is always false; no element is ever checked",
                        at: loc(e.span)))
            }
            return CheckedExpect(shape: .perElement(k, loop), message: tmpl, source: source, location: loc(span))
        }
        let n = compileCondition(e, what: "an `expect` condition")
        if case .bool(true)? = ConstantFolder.fold(n) {
            diags.append(
                Diagnostic(
                    "check.always-true", .error, "this condition is always true; the expectation can never fail",
                    at: loc(e.span)))
        }
        return CheckedExpect(
            shape: .single(n), message: message.map { template($0) }, source: source, location: loc(span))
    }

    // MARK: templates

    mutating func template(_ t: Text) -> BilingualTemplate {
        let ja = t.ja ?? t.en ?? "", en = t.en ?? t.ja ?? ""
        return BilingualTemplate(ja: template(ja, t.span), en: template(en, t.span))
    }

    /// `{expr}` is replaced by the value; `{{` and `}}` are literal braces.
    mutating func template(_ s: String, _ span: Span) -> Template {
        var parts: [Template.Part] = []
        var text = ""
        let it = Array(s)
        var i = 0
        while i < it.count {
            let c = it[i]
            if c == "{", i + 1 < it.count, it[i + 1] == "{" { text.append("{"); i += 2; continue }
            if c == "}", i + 1 < it.count, it[i + 1] == "}" { text.append("}"); i += 2; continue }
            if c == "{" {
                guard let close = it[(i + 1)...].firstIndex(of: "}") else {
                    error(
                        "check.bad-template", "`{` in a message is never closed; write `{{` for a literal brace", span)
                    break
                }
                let inner = String(it[(i + 1)..<close])
                let (expr, pd) = Parser.parseExpression(inner, file: file)
                if let expr, pd.isEmpty {
                    if !text.isEmpty { parts.append(.text(text)); text = "" }
                    // Positions inside `{…}` are relative to the placeholder: report at the text.
                    // What a message shows is no evidence the verdict reads.
                    let before = diags.count, readsBefore = reads, testsBefore = presenceTests
                    inTemplate = true
                    parts.append(.value(compile(expr).0))
                    inTemplate = false
                    reads = readsBefore
                    presenceTests = testsBefore
                    for k in before..<diags.count { diags[k].location = loc(span) }
                } else {
                    error("check.bad-template", "cannot read `{\(inner)}` in the message as an expression", span)
                }
                i = close + 1
                continue
            }
            text.append(c)
            i += 1
        }
        if !text.isEmpty { parts.append(.text(text)) }
        return Template(parts: parts)
    }

    // MARK: loops

    /// `skipsArePermissive`: the loop is an `every` or `none`, so an element the filter leaves
    /// out can only make it hold (for `some`, leaving one out can only make it fail).
    mutating func compileLoop(
        _ bindings: [Binding], filter: Expr?, body: Expr?, skipsArePermissive: Bool = false,
        inScope: (inout ExprCompiler) -> Void = { _ in }
    ) -> Loop {
        let base = scope.count
        var compiled: [(name: String, slot: Int, node: Node, rootCollection: Int?)] = []
        for b in bindings {
            let (n, t) = compile(b.collection)
            var elem: ValueType = .any
            switch t {
            case .list(let e): elem = e
            case .any: break
            default:
                error(
                    "check.not-a-collection",
                    "`\(Formatter.expr(b.collection))` is \(t), not a collection to range over", b.collection.span)
            }
            if scope.contains(where: { $0.name == b.variable.text }) {
                error(
                    "check.shadowed-name", "variable `\(b.variable.text)` is already bound here; pick another name",
                    b.variable.span)
            }
            var rootCollection: Int?
            if case .root(let r) = n, schema.sections[r].shape == .collection { rootCollection = r }
            let slot = scope.count
            if case .param(let name) = b.collection.kind, let i = paramIndex[name] { paramLoopSlots[slot] = i }
            scope.append((b.variable.text, slot, elem))
            maxSlots = max(maxSlots, scope.count)
            compiled.append((b.variable.text, slot, n, rootCollection))
        }
        let testsBefore = presenceTests.count
        let f = filter.map { compileCondition($0, what: "a `where` filter") }
        if skipsArePermissive { warnBlankSkips(since: testsBefore, in: "the `where` filter of an `every` or `none`") }
        let bd = body.map { compileCondition($0, what: "a quantifier's condition") }
        inScope(&self)
        scope.removeLast(scope.count - base)
        paramLoopSlots = paramLoopSlots.filter { $0.key < base }

        // Turn `x.f == key` (key not depending on x or later variables) into an index lookup.
        var conjuncts = f.map(ExprCompiler.conjuncts) ?? []
        var out: [LoopBinding] = []
        for (k, b) in compiled.enumerated() {
            var source = Source.scan(b.node)
            if indexJoins, let root = b.rootCollection {
                let later = Set(compiled[k...].map(\.slot))
                if let (ci, src) = ExprCompiler.findLookup(conjuncts, slot: b.slot, root: root, later: later) {
                    source = src
                    conjuncts.remove(at: ci)
                }
            }
            out.append(LoopBinding(name: b.name, slot: b.slot, source: source))
        }
        let rest = conjuncts.isEmpty ? nil : ExprCompiler.and(conjuncts[...])
        return Loop(bindings: out, filter: rest, body: bd)
    }

    /// `x is present` in a filter or an applicability condition skips the elements where x
    /// is blank; where the schema says a blank means unknown, that skips the very elements
    /// whose verdict is open, and the rule may pass without their evidence.
    mutating func warnBlankSkips(since: Int, in what: String) {
        for t in presenceTests[since...] where t.present {
            guard let f = schema.records[t.read.record]?.field(t.read.field), f.absent.meaning == nil else {
                continue
            }
            diags.append(
                Diagnostic(
                    "check.blank-skips-element", .warning,
                    "`is present` in \(what) skips elements whose `\(t.read.field)` is blank, and a blank there "
                        + "means unknown: they would never be checked",
                    at: t.at,
                    help:
                        "compare the value itself (an unknown value makes the element undecided), or give the blank "
                        + "a meaning in the schema"
                ))
        }
    }

    /// The conjunction of `cs` in their order, as a balanced tree: as deep as the logarithm of
    /// their number (a long chain rebuilt left-deep would be as deep as it is long, and every
    /// pass over it recurses that deep). Up to three it is the left-deep chain the parser builds.
    static func and(_ cs: ArraySlice<Node>) -> Node {
        if cs.count == 1 { return cs[cs.startIndex] }
        let mid = cs.startIndex + (cs.count + 1) / 2
        return .and(and(cs[..<mid]), and(cs[mid...]))
    }

    static func conjuncts(_ n: Node) -> [Node] {
        if case .and(let a, let b) = n { return conjuncts(a) + conjuncts(b) }
        return [n]
    }

    static func findLookup(_ cs: [Node], slot: Int, root: Int, later: Set<Int>) -> (Int, Source)? {
        for (i, c) in cs.enumerated() {
            switch c {
            case .compare(.eq, let a, let b):
                if case .field(.local(slot), let f, let label) = a, !b.uses(slots: later) {
                    return (i, .lookup(root: root, field: f, key: b, label: label))
                }
                if case .field(.local(slot), let f, let label) = b, !a.uses(slots: later) {
                    return (i, .lookup(root: root, field: f, key: a, label: label))
                }
            case .member(let key, .field(.local(slot), let f, let label), negated: false) where !key.uses(slots: later):
                return (i, .lookupContains(root: root, field: f, key: key, label: label))
            default: continue
            }
        }
        return nil
    }

    // MARK: expressions

    mutating func compile(_ e: Expr) -> (Node, ValueType) {
        switch e.kind {
        case .literal(let l):
            switch l {
            case .int(let n): return (.const(.int(n)), .int)
            case .string(let s): return (.const(.string(s)), .plainString)
            case .bool(let b): return (.const(.bool(b)), .bool)
            case .null: return (.const(.null), .null)
            case .duration(let n, let u):
                guard let d = Duration(n, u) else {
                    error("check.number-out-of-range", "`\(n) \(u.rawValue)` is longer than 10,000 years", e.span)
                    return (.const(.unknown), .duration)
                }
                return (.const(.duration(d)), .duration)
            case .date(let s):
                guard let d = Day(iso: s) else {
                    error("check.bad-date", "`\(s)` is not a calendar date", e.span)
                    return (.const(.null), .date)
                }
                return (.const(.date(d)), .date)
            }
        case .name(let n):
            if let v = scope.last(where: { $0.name == n }) { return (.local(v.slot), v.type) }
            if n == "as_of" { return (.asOf, .date) }
            if let ri = schema.sectionIndex[n] {
                if !allowSnapshot {
                    error("check.not-constant", "`\(n)` reads the snapshot; only constants are allowed here", e.span)
                    return (.const(.null), .any)
                }
                let root = schema.sections[ri]
                return (.root(ri), root.shape == .single ? .record(root.record) : .list(.record(root.record)))
            }
            let candidates = scope.map(\.name) + schema.sections.map(\.name) + ["as_of"]
            error(
                "check.unknown-name", "unknown name `\(n)`", e.span,
                help: closestMatch(to: n, in: candidates).map { "did you mean `\($0)`?" })
            return (.const(.null), .any)
        case .member(let base, let field):
            let (bn, bt) = compile(base)
            switch bt {
            case .record(let rs):
                guard let fi = rs.index[field.text] else {
                    error(
                        "check.unknown-field", "`\(rs.name)` has no field `\(field.text)`", field.span,
                        help: closestMatch(to: field.text, in: rs.fields.map(\.name)).map { "did you mean `\($0)`?" })
                    return (.const(.null), .any)
                }
                reads.insert(FieldRead(record: rs.name, field: rs.fields[fi].name))
                return (.field(bn, fi, label: Formatter.expr(e)), ValueType(rs.fields[fi].type))
            case .any: return (.const(.null), .any)
            default:
                error(
                    "check.not-a-record", "`\(Formatter.expr(base))` is \(bt); it has no field `\(field.text)`",
                    field.span)
                return (.const(.null), .any)
            }
        case .param(let name):
            guard let i = paramIndex[name] else {
                error(
                    "check.unknown-param", "unknown parameter `\(name)`", e.span,
                    help: closestMatch(to: name, in: paramIndex.keys).map { "did you mean `param.\($0)`?" })
                return (.const(.null), .any)
            }
            return (.param(i), params[i].type)
        case .unary(.not, let x):
            return (.not(compileCondition(x, what: "the operand of `not`")), .bool)
        case .unary(.negate, let x):
            let (n, t) = compile(x)
            if t != .int && t != .duration && t != .any {
                error("check.type-mismatch", "cannot negate \(t); expected int or duration", e.span)
            }
            return (.negate(n), t)
        case .binary(let op, let l, let r):
            return binary(op, l, r, e)
        case .list(let items):
            var nodes: [Node] = []
            var elem: ValueType?
            for it in items {
                let (n, t) = compile(it)
                nodes.append(n)
                if let el = elem, !el.compatible(t) {
                    error("check.type-mismatch", "list mixes \(el) and \(t)", it.span)
                } else if elem == nil || elem == .null {
                    elem = t
                }
            }
            // A list of constants is built once, not on every evaluation.
            let node = Node.list(nodes)
            return (ConstantFolder.fold(node).map(Node.const) ?? node, .list(elem ?? .any))
        case .presence(let x, let present):
            let n = compile(x).0
            if case .member(let base, let field) = x.kind {
                // The base's type, for the record the field belongs to (its errors are already reported).
                let saved = diags.count
                let (_, bt) = compile(base)
                diags.removeSubrange(saved...)
                if case .record(let rs) = bt {
                    presenceTests.append((FieldRead(record: rs.name, field: field.text), loc(e.span), present))
                }
            }
            return (.presence(n, present: present), .bool)
        case .quantifier(let k, let bindings, let filter, let body):
            let loop = compileLoop(bindings, filter: filter, body: body, skipsArePermissive: k != .some)
            return (.quantifier(k, loop), .bool)
        case .aggregate(let k, let bindings, let filter, let body):
            if k == .count {
                if body != nil {
                    error("check.bad-aggregate", "`count(…)` takes a `where` filter, not `: value`", e.span)
                }
                return (.aggregate(.count, compileLoop(bindings, filter: filter, body: nil)), .int)
            }
            // The value is compiled while the loop's variables are in scope.
            var bodyType: ValueType = .any
            var bodyNode: Node?
            var loop = compileLoop(bindings, filter: filter, body: nil) { c in
                if let b = body { (bodyNode, bodyType) = c.compile(b) }
            }
            loop.body = bodyNode
            if ![.int, .date, .duration, .any].contains(bodyType) {
                error(
                    "check.type-mismatch", "`\(k.rawValue)(…)` needs int, date or duration values, found \(bodyType)",
                    e.span)
            }
            return (.aggregate(k, loop), bodyType)
        case .call(let name, let args):
            if defineNames.contains(name.text) {
                if inTemplate {
                    error(
                        "check.define-in-message",
                        "named condition `\(name.text)` cannot be used in a message; a message shows values, not "
                            + "conditions",
                        name.span,
                        help: "show the fields the condition reads instead, e.g. `{d.status}`")
                }
                // Unknown, not null: it must not fold into a filter that is always false.
                return (.const(.unknown), .any)
            }
            guard let f = Builtin(rawValue: name.text) else {
                error(
                    "check.unknown-function", "unknown function `\(name.text)`", name.span,
                    help: closestMatch(to: name.text, in: functionNames).map { "did you mean `\($0)`?" })
                return (.const(.null), .any)
            }
            guard args.count == 1 else {
                error("check.bad-arguments", "`\(f.rawValue)` takes one argument, given \(args.count)", name.span)
                return (.const(.null), .any)
            }
            let (n, t) = compile(args[0])
            switch f {
            case .len:
                if case .list = t {
                } else if case .string = t {
                } else if t != .any {
                    error("check.type-mismatch", "`len` needs a list or string, found \(t)", args[0].span)
                }
                return (.call(f, [n]), .int)
            case .lower:
                if case .string = t {
                } else if t != .any {
                    error("check.type-mismatch", "`lower` needs a string, found \(t)", args[0].span)
                }
                return (.call(f, [n]), .plainString)
            default:
                if t != .int && t != .any {
                    error("check.type-mismatch", "`\(f.rawValue)` needs an int, found \(t)", args[0].span)
                }
                return (.call(f, [n]), .duration)
            }
        }
    }

    /// Records that parameter `other` (when it is one) is compared with a value of type `a`
    /// (when it is a choice): the parameter's values must then be values of that choice set.
    mutating func noteParamChoice(_ a: ValueType, _ other: Expr) {
        guard case .string(let vs?) = a else { return }
        switch other.kind {
        case .param(let name): if let i = paramIndex[name] { paramChoices.append((i, vs)) }
        case .name(let n):
            if let v = scope.last(where: { $0.name == n }), let i = paramLoopSlots[v.slot] {
                paramChoices.append((i, vs))
            }
        default: break
        }
    }

    mutating func checkEnum(_ a: ValueType, _ bExpr: Expr) {
        guard case .string(let vs?) = a else { return }
        var lits: [(String, Span)] = []
        if case .literal(.string(let s)) = bExpr.kind { lits = [(s, bExpr.span)] }
        if case .list(let items) = bExpr.kind {
            for it in items { if case .literal(.string(let s)) = it.kind { lits.append((s, it.span)) } }
        }
        for (s, sp) in lits where !vs.contains(s) {
            error(
                "check.unknown-enum-value",
                "\"\(s)\" is never a value of this field; expected one of "
                    + "\(vs.map { "\"\($0)\"" }.joined(separator: ", "))",
                sp, help: closestMatch(to: s, in: vs).map { "did you mean \"\($0)\"?" })
        }
    }

    /// `x == null`, `x != null`, `x in [null, …]`: a blank field reads as unknown or as what
    /// the schema says its blank means (often not `null`), so the comparison would not ask
    /// what its author meant, and an unknown value compared with `null` is definite — a silent
    /// verdict. Absence is tested with `is missing` / `is present`, which `lint --unknowns`
    /// lists and the checker warns about like every presence test.
    mutating func refuseNull(_ op: BinaryOp, _ operands: [Expr]) {
        for x in operands {
            let nulls: [Expr] =
                switch x.kind {
                case .literal(.null): [x]
                case .list(let items): items.filter { if case .literal(.null) = $0.kind { true } else { false } }
                default: []
                }
            for n in nulls {
                error(
                    "check.null-comparison",
                    "`\(op.rawValue)` with `null` does not test whether a value is given: a blank reads as unknown "
                        + "or as its documented meaning",
                    n.span, help: "write `x is missing` (no value given) or `x is present`")
            }
        }
    }

    mutating func binary(_ op: BinaryOp, _ l: Expr, _ r: Expr, _ e: Expr) -> (Node, ValueType) {
        if [.eq, .ne, .lt, .le, .gt, .ge, .in, .notIn].contains(op) { refuseNull(op, [l, r]) }
        switch op {
        case .and, .or:
            let a = compileCondition(l, what: "an operand of `\(op.rawValue)`")
            let b = compileCondition(r, what: "an operand of `\(op.rawValue)`")
            return (op == .and ? .and(a, b) : .or(a, b), .bool)
        case .eq, .ne, .lt, .le, .gt, .ge:
            let (a, at) = compile(l), (b, bt) = compile(r)
            if !at.compatible(bt) {
                error("check.type-mismatch", "cannot compare \(at) with \(bt)", e.span)
            } else if op != .eq && op != .ne,
                [ValueType.bool].contains(at)
                    || {
                        if case .list = at { return true }; if case .record = at { return true }; return false
                    }()
            {
                error("check.type-mismatch", "`\(op.rawValue)` does not order \(at) values", e.span)
            }
            checkEnum(at, r)
            checkEnum(bt, l)
            noteParamChoice(at, r)
            noteParamChoice(bt, l)
            let cop: CompareOp =
                switch op {
                case .eq: .eq
                case .ne: .ne
                case .lt: .lt
                case .le: .le
                case .gt: .gt
                default: .ge
                }
            return (.compare(cop, a, b), .bool)
        case .add, .sub:
            let (a, at) = compile(l), (b, bt) = compile(r)
            let kind: ArithKind?
            let type: ValueType
            switch (at, bt, op) {
            case (.int, .int, .add): kind = .intAdd; type = .int
            case (.int, .int, .sub): kind = .intSub; type = .int
            case (.duration, .duration, .add): kind = .durAdd; type = .duration
            case (.duration, .duration, .sub): kind = .durSub; type = .duration
            case (.date, .duration, .add): kind = .dateAddDur; type = .date
            case (.date, .duration, .sub): kind = .dateSubDur; type = .date
            case (.date, .date, .sub): kind = .dateSubDate; type = .duration
            case (.any, _, _), (_, .any, _): kind = nil; type = .any
            default:
                error(
                    "check.type-mismatch",
                    "cannot \(op == .add ? "add" : "subtract") \(bt) \(op == .add ? "to" : "from") \(at)", e.span,
                    help: at == .date && bt == .int ? "write a period such as `30 days` or `days(n)`" : nil)
                kind = nil; type = .any
            }
            return (kind.map { .arith($0, a, b) } ?? .const(.null), type)
        case .in, .notIn:
            let (a, at) = compile(l), (b, bt) = compile(r)
            switch bt {
            case .list(let el):
                if !el.compatible(at) {
                    error("check.type-mismatch", "cannot look for \(at) in a list of \(el)", e.span)
                }
                checkEnum(at, r)
                noteParamChoice(at, r)
                noteParamChoice(el, l)
            case .any: break
            default: error("check.type-mismatch", "`in` needs a list on the right, found \(bt)", r.span)
            }
            return (.member(a, b, negated: op == .notIn), .bool)
        case .within:
            let (a, at) = compile(l), (b, bt) = compile(r)
            if at != .date && at != .any {
                error("check.type-mismatch", "`within` needs a date on the left, found \(at)", l.span)
            }
            if bt != .duration && bt != .any {
                error("check.type-mismatch", "`within` needs a period on the right, found \(bt)", r.span)
            }
            return (.within(a, b), .bool)
        }
    }
}
