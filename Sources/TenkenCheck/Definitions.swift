import TenkenData
import TenkenSyntax

/// The pack's named conditions (`define in_use(d) = …`), and their expansion: a use
/// `in_use(x)` is replaced by the condition with `d` replaced by `x`, before a rule is
/// compiled, so the rule is checked and evaluated exactly as if the condition were written in
/// it.
///
/// Each definition is checked once, at its own place in the manifest, whether used or not
/// (`finish`): names (a body sees only its variables, the variables it binds, the snapshot's
/// root collections, `as_of`, `param.*` and functions: nothing of the rule that uses it), uses
/// of other conditions (a cycle on the graph of uses is `check.recursive-define`, named in
/// full), types as far as they do not depend on the arguments, and the size of its expansion
/// (`check.define-too-large`: at most `maxNodes` nodes and `Parser.maxDepth` levels, the
/// parser's own bound, so no expansion can exhaust a stack or double itself out of memory).
/// A condition with such an error is never expanded: its uses stay as calls that the
/// expression compiler passes over silently, and its error is reported once, at the define.
///
/// Expansion is hygienic: a variable the body binds is renamed where the rule (or an
/// argument) already uses its name. Every node of an expansion takes the use's place in the
/// rule file; an error found only there (it depends on the arguments' types) is reported at
/// the use, with a note naming the definition's place (`useSites`).
struct Definitions {
    /// The most nodes one condition may hold once its named conditions are expanded.
    static let maxNodes = 10_000
    /// The budget left when an expansion went deeper than `Parser.maxDepth`.
    static let tooDeep = Int.min / 2

    /// What bound `e`, expanded with `budget` left, is past ("10000 nodes"), or nil.
    static func overflow(_ e: Expr, _ budget: Int) -> String? {
        if budget == tooDeep || (budget >= 0 && deeper(e, than: Parser.maxDepth)) { return "\(Parser.maxDepth) levels" }
        return budget < 0 ? "\(maxNodes) nodes" : nil
    }

    /// The schema whose section names a condition's variables may not hide.
    let schema: PackSchema
    init(schema: PackSchema) { self.schema = schema }
    private(set) var byName: [String: DefineDecl] = [:]
    /// Where each definition is (the manifest's path and the name's place).
    private(set) var location: [String: SourceLocation] = [:]
    /// Each sound definition's body with the conditions it uses expanded (its own variables free).
    private var expandedBody: [String: Expr] = [:]
    /// Definitions used by a rule or by another definition.
    private(set) var used: Set<String> = []
    /// The uses expanded by the last `expand`, by place in the rule file.
    private(set) var useSites: [Span: String] = [:]

    /// Adds the manifest's definitions; a name used twice, or one that is a built-in function
    /// or a reserved word, and a variable named twice or named as a reserved word, a root
    /// collection or `as_of` (which it would hide), are errors (`check.duplicate-define`).
    mutating func add(_ d: DefineDecl, file: String, into diags: inout [Diagnostic]) {
        func at(_ n: Name) -> SourceLocation { SourceLocation(file: file, line: n.span.line, column: n.span.column) }
        let name = d.name.text
        if Builtin(rawValue: name) != nil || ["count", "min", "max"].contains(name) {
            diags.append(
                Diagnostic(
                    .checkDuplicateDefine, .error, "`\(name)` is a built-in function; name the condition otherwise",
                    at: at(d.name)))
            return
        }
        if Parser.reserved.contains(name) {
            diags.append(
                Diagnostic(
                    .checkDuplicateDefine, .error, "`\(name)` is a reserved word; name the condition otherwise",
                    at: at(d.name)))
            return
        }
        if let first = location[name] {
            diags.append(
                Diagnostic(
                    .checkDuplicateDefine, .error, "condition `\(name)` is defined twice; first at \(first)",
                    at: at(d.name)))
            return
        }
        var seen = Set<String>()
        for p in d.parameters {
            let why: String? =
                Parser.reserved.contains(p.text)
                ? "is a reserved word"
                : schema.sectionIndex[p.text] != nil || p.text == "as_of"
                    ? "would hide the snapshot's `\(p.text)`"
                    : !seen.insert(p.text).inserted ? "is named twice" : nil
            if let why {
                diags.append(
                    Diagnostic(
                        .checkDuplicateDefine, .error, "variable `\(p.text)` of condition `\(name)` \(why)", at: at(p)))
                return
            }
        }
        byName[name] = d
        location[name] = at(d.name)
    }

    // MARK: checking the definitions

    /// Checks every definition at its place: names, the graph of uses (cycles), types that do
    /// not depend on the arguments, and the expansion's size. Call once, after `add`.
    mutating func finish(checker: Checker, into diags: inout [Diagnostic]) {
        var broken = Set<String>()
        // Names and arity, in the definition's own scope.
        for (name, d) in byName.sorted(by: { $0.key < $1.key }) {
            let before = diags.count
            checkNames(d.body, bound: Set(d.parameters.map(\.text)), file: place(name).file, into: &diags)
            if diags[before...].contains(where: { $0.severity == .error }) { broken.insert(name) }
        }
        // Cycles: depth-first over the uses; a use of a condition still on the path closes one.
        var state: [String: Int] = [:]  // 1 on the path, 2 done
        var order: [String] = []  // callees before callers
        var path: [String] = []
        var cyclic = Set<String>()
        func visit(_ n: String) {
            state[n] = 1
            path.append(n)
            for c in byName[n].map({ Definitions.calls(in: $0.body) }) ?? [] where byName[c] != nil {
                if c != n { used.insert(c) }
                switch state[c] {
                case 1?:
                    let cycle = path.lastIndex(of: c).map { Array(path[$0...]) + [c] } ?? [c, c]
                    if !cycle.dropLast().allSatisfy(cyclic.contains) {
                        diags.append(
                            Diagnostic(
                                .checkRecursiveDefine, .error,
                                "condition `\(c)` uses itself: \(cycle.map { "`\($0)`" }.joined(separator: " → "))",
                                at: place(c),
                                help:
                                    "a condition cannot use itself, directly or through another; write the repeated "
                                    + "part out"
                            ))
                    }
                    cyclic.formUnion(cycle)
                    broken.formUnion(cycle)
                case nil: visit(c)
                default: break
                }
            }
            path.removeLast()
            state[n] = 2
            order.append(n)
        }
        for name in byName.keys.sorted() where state[name] == nil { visit(name) }
        // Expansion, callees first, bounded; then the types of what does not depend on the arguments.
        for name in order where !broken.contains(name) {
            guard let d = byName[name] else { continue }
            var budget = Definitions.maxNodes
            var ignored: [Span: String] = [:]
            let body = expandUses(d.body, scope: Set(d.parameters.map(\.text)), budget: &budget, sites: &ignored)
            if let over = Definitions.overflow(body, budget) {
                diags.append(
                    Diagnostic(
                        .checkDefineTooLarge, .error, "condition `\(name)` expands to more than \(over)",
                        at: place(name), help: "the conditions it uses repeat one another; write a smaller condition"))
                broken.insert(name)
                continue
            }
            var compiler = ExprCompiler(checker: checker, file: place(name).file)
            for p in d.parameters { compiler.scope.append((p.text, compiler.scope.count, .any)) }
            compiler.maxSlots = compiler.scope.count
            _ = compiler.compileCondition(body, what: "condition `\(name)`")
            let errors = compiler.diags.filter { $0.severity == .error }
            diags += errors
            if errors.isEmpty { expandedBody[name] = body } else { broken.insert(name) }
        }
    }

    /// The free names and the uses in a definition's body: a name must be one of its
    /// variables, one it binds, a root collection or `as_of`; a function must be a built-in
    /// or another condition, with as many arguments as it takes.
    private func checkNames(_ e: Expr, bound: Set<String>, file: String, into diags: inout [Diagnostic]) {
        func at(_ s: Span) -> SourceLocation { SourceLocation(file: file, line: s.line, column: s.column) }
        func go(_ x: Expr) { checkNames(x, bound: bound, file: file, into: &diags) }
        func scoped(_ bs: [Binding], _ rest: [Expr?]) {
            var inner = bound
            for b in bs {
                checkNames(b.collection, bound: inner, file: file, into: &diags)
                if inner.contains(b.variable.text) {
                    diags.append(
                        Diagnostic(
                            .checkShadowedName, .error,
                            "variable `\(b.variable.text)` is already bound here; pick another name",
                            at: at(b.variable.span)))
                }
                inner.insert(b.variable.text)
            }
            for x in rest.compactMap({ $0 }) { checkNames(x, bound: inner, file: file, into: &diags) }
        }
        switch e.kind {
        case .literal, .param: return
        case .name(let n):
            if bound.contains(n) || n == "as_of" || schema.sectionIndex[n] != nil { return }
            diags.append(
                Diagnostic(
                    .checkUnknownName, .error,
                    "unknown name `\(n)`: a condition sees only its own variables, the variables it binds, the "
                        + "snapshot's collections, `as_of` and `param.*`",
                    at: at(e.span),
                    help: closestMatch(to: n, in: bound.sorted() + schema.sections.map(\.name)).map {
                        "did you mean `\($0)`?"
                    }))
        case .member(let base, _): go(base)
        case .unary(_, let x): go(x)
        case .binary(_, let a, let b): go(a); go(b)
        case .list(let xs): xs.forEach(go)
        case .presence(let x, _): go(x)
        case .quantifier(_, let bs, let f, let b): scoped(bs, [f, b])
        case .aggregate(_, let bs, let f, let b): scoped(bs, [f, b])
        case .call(let name, let args):
            args.forEach(go)
            if let d = byName[name.text] {
                if d.parameters.count != args.count {
                    diags.append(Diagnostic(.checkBadArguments, .error, arityMessage(d, args.count), at: at(name.span)))
                }
            } else if Builtin(rawValue: name.text) == nil {
                diags.append(
                    Diagnostic(
                        .checkUnknownFunction, .error, "unknown function `\(name.text)`", at: at(name.span),
                        help: closestMatch(to: name.text, in: functionNames).map { "did you mean `\($0)`?" }))
            }
        }
    }

    /// The built-in functions and the defined conditions, for "did you mean".
    var functionNames: [String] { Builtin.allCases.map(\.rawValue) + ["count", "min", "max"] + byName.keys.sorted() }

    private func arityMessage(_ d: DefineDecl, _ given: Int) -> String {
        let n = d.parameters.count
        return "condition `\(d.name.text)` takes \(n) argument\(n == 1 ? "" : "s"), given \(given)"
    }

    /// The names of the functions `e` calls, each once, in order.
    static func calls(in e: Expr) -> [String] {
        var out: [String] = []
        visit(e) { x in if case .call(let n, _) = x.kind, !out.contains(n.text) { out.append(n.text) } }
        return out
    }

    /// The expressions directly inside `e`, in reading order.
    static func children(_ e: Expr) -> [Expr] {
        switch e.kind {
        case .literal, .param, .name: []
        case .member(let base, _): [base]
        case .unary(_, let a), .presence(let a, _): [a]
        case .binary(_, let a, let b): [a, b]
        case .list(let xs), .call(_, let xs): xs
        case .quantifier(_, let bs, let f, let b), .aggregate(_, let bs, let f, let b):
            bs.map(\.collection) + [f, b].compactMap { $0 }
        }
    }

    /// Calls `f` on `e` and every expression inside it, outside in.
    static func visit(_ e: Expr, _ f: (Expr) -> Void) {
        f(e)
        for c in children(e) { visit(c, f) }
    }

    // MARK: expansion

    /// `e` (a rule's condition) with every use of a sound definition expanded. A use with the
    /// wrong number of arguments is an error at the use; so is an expansion past the size
    /// bound. A use that is not expanded stays a call, which the compiler passes over (its
    /// error is already reported). `useSites` then holds the places of the uses expanded.
    mutating func expand(_ e: Expr, file: String, into diags: inout [Diagnostic]) -> Expr {
        useSites = [:]
        guard !byName.isEmpty else { return e }
        var budget = Definitions.maxNodes
        var sites: [Span: String] = [:]
        let arity = Definitions.arityErrors(e, byName)
        for (span, given, d) in arity {
            diags.append(
                Diagnostic(
                    .checkBadArguments, .error, arityMessage(d, given),
                    at: SourceLocation(file: file, line: span.line, column: span.column),
                    notes: [definedAt(d.name.text)]))
        }
        let out = expandUses(e, scope: [], budget: &budget, sites: &sites)
        used.formUnion(Definitions.calls(in: e).filter { byName[$0] != nil })
        if let over = Definitions.overflow(out, budget), let first = sites.min(by: { $0.key.offset < $1.key.offset }) {
            diags.append(
                Diagnostic(
                    .checkDefineTooLarge, .error,
                    "this condition expands to more than \(over) once its named conditions are written out",
                    at: SourceLocation(file: file, line: first.key.line, column: first.key.column),
                    notes: [definedAt(first.value)],
                    help: "use fewer named conditions inside one another's arguments"))
            return Expr(.call(Name(first.value, e.span), []), e.span)
        }
        useSites = sites
        return out
    }

    /// Where definition `name` is.
    func place(_ name: String) -> SourceLocation { location[name] ?? SourceLocation(file: "", line: 0, column: 0) }

    func definedAt(_ name: String) -> String {
        "in condition `\(name)`, defined at \(location[name].map { "\($0)" } ?? "the manifest")"
    }

    /// The uses in `e` with the wrong number of arguments: place, arguments given, definition.
    private static func arityErrors(_ e: Expr, _ byName: [String: DefineDecl]) -> [(Span, Int, DefineDecl)] {
        var out: [(Span, Int, DefineDecl)] = []
        visit(e) { x in
            if case .call(let n, let args) = x.kind, let d = byName[n.text], d.parameters.count != args.count {
                out.append((n.span, args.count, d))
            }
        }
        return out
    }

    /// `e` with each use of a sound definition replaced by its expanded body, hygienically;
    /// `scope` holds the variables bound around `e`. Stops (budget below zero) past `maxNodes`.
    private func expandUses(_ e: Expr, scope: Set<String>, budget: inout Int, sites: inout [Span: String]) -> Expr {
        if budget < 0 { return e }
        func go(_ x: Expr) -> Expr { expandUses(x, scope: scope, budget: &budget, sites: &sites) }
        func scoped(_ bs: [Binding], _ f: Expr?, _ b: Expr?) -> ([Binding], Expr?, Expr?) {
            var inner = scope
            var out: [Binding] = []
            for bind in bs {
                out.append(
                    Binding(
                        variable: bind.variable,
                        collection: expandUses(bind.collection, scope: inner, budget: &budget, sites: &sites)))
                inner.insert(bind.variable.text)
            }
            return (
                out, f.map { expandUses($0, scope: inner, budget: &budget, sites: &sites) },
                b.map { expandUses($0, scope: inner, budget: &budget, sites: &sites) }
            )
        }
        switch e.kind {
        case .literal, .name, .param: return e
        case .call(let name, let args):
            let args = args.map(go)
            guard budget >= 0, let d = byName[name.text], let body = expandedBody[name.text],
                args.count == d.parameters.count
            else {
                return Expr(.call(name, args), e.span)
            }
            sites[e.span] = name.text
            // A variable the body binds is renamed where the rule or an argument uses its name.
            var avoid = scope
            for a in args { Definitions.names(in: a, into: &avoid) }
            var taken = avoid
            Definitions.names(in: body, into: &taken)
            let values = Dictionary(
                zip(d.parameters.map(\.text), args.map { ($0, Definitions.size($0, cap: Definitions.maxNodes + 1)) }),
                uniquingKeysWith: { a, _ in a })
            let out = Definitions.instantiate(body, values, avoid: avoid, taken: &taken, at: e.span, budget: &budget)
            // Checked at each use, so no argument of a later use is deeper than the bound.
            if budget >= 0, Definitions.deeper(out, than: Parser.maxDepth) { budget = Definitions.tooDeep }
            return out
        default: return Expr(Definitions.rebuilt(e.kind, go: go, scoped: scoped, name: { $0 }), e.span)
        }
    }

    /// `kind` with its parts rebuilt: `go` for each expression outside a binding, `scoped` for
    /// a quantifier's or aggregate's bindings, filter and body, `name` for each field or function name.
    static func rebuilt(
        _ kind: ExprKind, go: (Expr) -> Expr, scoped: ([Binding], Expr?, Expr?) -> ([Binding], Expr?, Expr?),
        name: (Name) -> Name
    ) -> ExprKind {
        switch kind {
        case .literal, .name, .param: return kind
        case .member(let base, let field): return .member(go(base), name(field))
        case .unary(let op, let x): return .unary(op, go(x))
        case .binary(let op, let a, let b): return .binary(op, go(a), go(b))
        case .list(let xs): return .list(xs.map(go))
        case .presence(let x, let present): return .presence(go(x), present: present)
        case .quantifier(let k, let bs, let f, let b):
            let (bs, f, b) = scoped(bs, f, b)
            return .quantifier(k, bs, filter: f, body: b)
        case .aggregate(let k, let bs, let f, let b):
            let (bs, f, b) = scoped(bs, f, b)
            return .aggregate(k, bs, filter: f, body: b)
        case .call(let n, let args): return .call(name(n), args.map(go))
        }
    }

    /// `e` with each free variable in `values` replaced by its argument (counted by its size
    /// against `budget`), each bound variable whose name is in `avoid` renamed to one not in
    /// `taken`, and every node of `e` placed at `span`.
    static func instantiate(
        _ e: Expr, _ values: [String: (Expr, Int)], avoid: Set<String>, taken: inout Set<String>,
        at span: Span, budget: inout Int
    ) -> Expr {
        budget -= 1
        if budget < 0 { return Expr(.literal(.null), span) }
        func go(_ x: Expr) -> Expr { instantiate(x, values, avoid: avoid, taken: &taken, at: span, budget: &budget) }
        func scoped(_ bs: [Binding], _ f: Expr?, _ b: Expr?) -> ([Binding], Expr?, Expr?) {
            var visible = values
            var out: [Binding] = []
            for bind in bs {
                let collection = instantiate(
                    bind.collection, visible, avoid: avoid, taken: &taken, at: span, budget: &budget)
                var name = bind.variable.text
                if avoid.contains(name) {
                    var k = 2
                    while taken.contains("\(bind.variable.text)_\(k)") { k += 1 }
                    name = "\(bind.variable.text)_\(k)"
                    taken.insert(name)
                    visible[bind.variable.text] = (Expr(.name(name), span), 1)
                } else {
                    visible[bind.variable.text] = nil
                }
                out.append(Binding(variable: Name(name, span), collection: collection))
            }
            return (
                out, f.map { instantiate($0, visible, avoid: avoid, taken: &taken, at: span, budget: &budget) },
                b.map { instantiate($0, visible, avoid: avoid, taken: &taken, at: span, budget: &budget) }
            )
        }
        if case .name(let n) = e.kind, let (v, size) = values[n] {
            budget -= size
            return v
        }
        return Expr(rebuilt(e.kind, go: go, scoped: scoped, name: { Name($0.text, span) }), span)
    }

    /// Every variable name `e` uses or binds.
    static func names(in e: Expr, into out: inout Set<String>) {
        var found = Set<String>()
        visit(e) { x in
            switch x.kind {
            case .name(let n): found.insert(n)
            case .quantifier(_, let bs, _, _), .aggregate(_, let bs, _, _): found.formUnion(bs.map(\.variable.text))
            default: break
            }
        }
        out.formUnion(found)
    }

    /// The number of nodes of `e`, counting no further than `cap`.
    static func size(_ e: Expr, cap: Int) -> Int {
        var n = 0
        func walk(_ x: Expr) {
            n += 1
            for c in children(x) where n <= cap { walk(c) }
        }
        walk(e)
        return n
    }

    /// Whether `e` is more than `limit` levels deep (looking no deeper than that).
    static func deeper(_ e: Expr, than limit: Int) -> Bool {
        limit < 1 || children(e).contains { deeper($0, than: limit - 1) }
    }

    /// Warns of each definition no rule and no other definition uses (it is still checked).
    func reportUnused(into diags: inout [Diagnostic]) {
        for (name, at) in location.sorted(by: { $0.value < $1.value }) where !used.contains(name) {
            diags.append(
                Diagnostic(
                    .checkUnusedDefine, .warning, "condition `\(name)` is never used", at: at,
                    help: "use it in a rule, or remove it"))
        }
    }
}
