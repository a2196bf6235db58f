import TenkenSyntax

/// The pack's named conditions (`define in_use(d) = …`), and their expansion: a use
/// `in_use(x)` is replaced by the condition with `d` replaced by `x`, before a rule is
/// compiled, so the rule is checked and evaluated exactly as if the condition were written in
/// it. Every node of an expansion takes the use's place in the rule file, so a diagnostic
/// about it points at the rule.
struct Definitions {
    /// How deep definitions may use one another; deeper is a cycle.
    static let maxDepth = 16

    private(set) var byName: [String: DefineDecl] = [:]

    /// Adds the manifest's definitions; a name used twice, or one that is a built-in function,
    /// is an error.
    mutating func add(_ d: DefineDecl, file: String, into diags: inout [Diagnostic]) {
        let at = SourceLocation(file: file, line: d.name.span.line, column: d.name.span.column)
        if Builtin(rawValue: d.name.text) != nil || ["count", "min", "max"].contains(d.name.text) {
            diags.append(Diagnostic(.checkDuplicateDefine, .error, "`\(d.name.text)` is a built-in function; name the condition otherwise", at: at))
            return
        }
        if byName[d.name.text] != nil {
            diags.append(Diagnostic(.checkDuplicateDefine, .error, "condition `\(d.name.text)` is defined twice", at: at))
            return
        }
        let names = d.parameters.map(\.text)
        if Set(names).count != names.count {
            diags.append(Diagnostic(.checkDuplicateDefine, .error, "condition `\(d.name.text)` names a variable twice", at: at))
            return
        }
        byName[d.name.text] = d
    }

    /// `e` with every use of a definition expanded.
    func expand(_ e: Expr, file: String, into diags: inout [Diagnostic]) -> Expr {
        byName.isEmpty ? e : expand(e, depth: 0, file: file, diags: &diags)
    }

    private func expand(_ e: Expr, depth: Int, file: String, diags: inout [Diagnostic]) -> Expr {
        func go(_ x: Expr) -> Expr { expand(x, depth: depth, file: file, diags: &diags) }
        func bindings(_ bs: [Binding]) -> [Binding] { bs.map { Binding(variable: $0.variable, collection: go($0.collection)) } }
        let kind: ExprKind
        switch e.kind {
        case .literal, .name, .param: return e
        case .member(let base, let field): kind = .member(go(base), field)
        case .unary(let op, let x): kind = .unary(op, go(x))
        case .binary(let op, let a, let b): kind = .binary(op, go(a), go(b))
        case .list(let xs): kind = .list(xs.map(go))
        case .presence(let x, let present): kind = .presence(go(x), present: present)
        case .quantifier(let k, let bs, let f, let b): kind = .quantifier(k, bindings(bs), filter: f.map(go), body: b.map(go))
        case .aggregate(let k, let bs, let f, let b): kind = .aggregate(k, bindings(bs), filter: f.map(go), body: b.map(go))
        case .call(let name, let args):
            let args = args.map(go)
            guard let d = byName[name.text] else { return Expr(.call(name, args), e.span) }
            let at = SourceLocation(file: file, line: name.span.line, column: name.span.column)
            guard args.count == d.parameters.count else {
                diags.append(Diagnostic(.checkBadArguments, .error,
                    "condition `\(name.text)` takes \(d.parameters.count) argument\(d.parameters.count == 1 ? "" : "s"), given \(args.count)", at: at))
                return Expr(.literal(.null), e.span)
            }
            guard depth < Definitions.maxDepth else {
                diags.append(Diagnostic(.checkRecursiveDefine, .error, "condition `\(name.text)` uses itself, directly or through another", at: at))
                return Expr(.literal(.null), e.span)
            }
            let values = Dictionary(zip(d.parameters.map(\.text), args), uniquingKeysWith: { a, _ in a })
            let body = Definitions.substitute(d.body, values, at: e.span)
            return expand(body, depth: depth + 1, file: file, diags: &diags)
        }
        return Expr(kind, e.span)
    }

    /// `e` with each free use of a variable in `values` replaced, and every node placed at `span`.
    /// A quantifier or aggregate that binds one of the names again hides it from its filter,
    /// its body and the collections after the binding.
    static func substitute(_ e: Expr, _ values: [String: Expr], at span: Span) -> Expr {
        func go(_ x: Expr) -> Expr { substitute(x, values, at: span) }
        func scoped(_ bs: [Binding], _ f: Expr?, _ b: Expr?) -> ([Binding], Expr?, Expr?) {
            var visible = values
            var out: [Binding] = []
            for bind in bs {
                out.append(Binding(variable: Name(bind.variable.text, span), collection: substitute(bind.collection, visible, at: span)))
                visible[bind.variable.text] = nil
            }
            return (out, f.map { substitute($0, visible, at: span) }, b.map { substitute($0, visible, at: span) })
        }
        let kind: ExprKind
        switch e.kind {
        case .name(let n):
            if let v = values[n] { return v }
            kind = .name(n)
        case .literal, .param: kind = e.kind
        case .member(let base, let field): kind = .member(go(base), Name(field.text, span))
        case .unary(let op, let x): kind = .unary(op, go(x))
        case .binary(let op, let a, let b): kind = .binary(op, go(a), go(b))
        case .list(let xs): kind = .list(xs.map(go))
        case .presence(let x, let present): kind = .presence(go(x), present: present)
        case .quantifier(let k, let bs, let f, let b):
            let (bs, f, b) = scoped(bs, f, b)
            kind = .quantifier(k, bs, filter: f, body: b)
        case .aggregate(let k, let bs, let f, let b):
            let (bs, f, b) = scoped(bs, f, b)
            kind = .aggregate(k, bs, filter: f, body: b)
        case .call(let name, let args): kind = .call(Name(name.text, span), args.map(go))
        }
        return Expr(kind, span)
    }
}
