/// Prints a rule file in canonical form. `parse(format(x))` has the same tree as `x`
/// (spans aside), and formatting is idempotent; comments before items and clauses are kept.
public enum Formatter {
    public static func format(_ file: RuleFile) -> String {
        var out = ""
        for (i, item) in file.items.enumerated() {
            if i > 0 { out += "\n" }
            switch item {
            case .pack(let p): out += pack(p)
            case .rule(let r): out += rule(r)
            }
        }
        for c in file.trailingComments { out += (out.isEmpty ? "" : "\n") + c + "\n" }
        return out
    }

    static func comments(_ cs: [String], indent: String) -> String {
        cs.map { indent + $0 + "\n" }.joined()
    }

    /// The comments before a block's closing `}`, set off from the last clause by a blank line.
    static func closing(_ cs: [String], after empty: Bool) -> String {
        cs.isEmpty ? "" : (empty ? "" : "\n") + comments(cs, indent: "  ")
    }

    /// The comments of `source` that `formatted` no longer has, each with the line of the token
    /// it stood before: what `fmt` would lose. Empty when formatting keeps every comment; `fmt`
    /// refuses to print or write a file for which it is not.
    public static func droppedComments(source: String, formatted: String, file: String) -> [Diagnostic] {
        var kept: [String: Int] = [:]
        for t in Lexer.tokenize(formatted, file: file).0 {
            for c in t.leadingComments { kept[c, default: 0] += 1 }
        }
        var out: [Diagnostic] = []
        for t in Lexer.tokenize(source, file: file).0 {
            for c in t.leadingComments {
                let key = c
                if let n = kept[key], n > 0 { kept[key] = n - 1; continue }
                out.append(
                    Diagnostic(
                        "syntax.comment-dropped", .error,
                        "the canonical form has no place for the comment before this token, so formatting would lose "
                            + "it",
                        at: SourceLocation(file: file, line: t.span.line, column: t.span.column),
                        help: "move the comment to its own line before a clause, a rule or a pack"))
            }
        }
        return out
    }

    static func pack(_ p: PackDecl) -> String {
        var s = comments(p.comments, indent: "") + "pack \(p.name.text) {\n"
        for (i, c) in p.clauses.enumerated() {
            // A commented clause starts a new group: keep a blank line before it.
            if i > 0, !c.comments.isEmpty { s += "\n" }
            s += comments(c.comments, indent: "  ")
            switch c.kind {
            case .version(let v): s += "  version \(quote(v))\n"
            case .title(let t): s += "  title " + text(t, column: 8) + "\n"
            case .source(let src, let ed, let called):
                s += "  source \(quote(src))" + (ed.map { " edition \(quote($0))" } ?? "")
                // The word stays on the line, like a declared word's label.
                s +=
                    (called.map {
                        " called "
                            + [$0.ja.map { "ja " + quote($0) }, $0.en.map { "en " + quote($0) }]
                            .compactMap { $0 }.joined(separator: " ")
                    } ?? "") + "\n"
            case .reportTitle(let t): s += "  report title " + text(t, column: 15) + "\n"
            case .platform(let p): s += "  platform \(quote(p))\n"
            case .param(let p):
                s += "  param \(p.name.text): \(type(p.type)) = \(expr(p.defaultValue))"
                if let l = p.limit { s += " limit \(l.op.rawValue) \(expr(l.value))" }
                s += "\n    because \(quote(p.reason))\n"
            case .outOfScope(let item, let reason):
                s += "  out_of_scope \(item.text)\n    because \(quote(reason))\n"
            case .define(let d):
                s += "  define \(d.name.text)(\(d.parameters.map(\.text).joined(separator: ", "))) = \(expr(d.body))\n"
            case .term(let kind, let id, let label):
                // A declared word stays on one line, so the declarations read as a table.
                let ja = label.ja.map { "ja " + quote($0) }, en = label.en.map { "en " + quote($0) }
                s += "  \(kind.rawValue) \(id.text) " + [ja, en].compactMap { $0 }.joined(separator: " ") + "\n"
            }
        }
        return s + closing(p.closingComments, after: p.clauses.isEmpty) + "}\n"
    }

    static func rule(_ r: RuleDecl) -> String {
        var s = comments(r.comments, indent: "") + "rule \(r.id.text) {\n"
        for (i, c) in r.clauses.enumerated() {
            if i > 0, !c.comments.isEmpty { s += "\n" }
            s += comments(c.comments, indent: "  ")
            switch c.kind {
            case .implements(let ns): s += "  implements " + ns.map(\.text).joined(separator: ", ") + "\n"
            case .level(let n): s += "  level \(n.text)\n"
            case .category(let n): s += "  category \(n.text)\n"
            case .scope(let n): s += "  scope \(n.text)\n"
            case .risks(let ns): s += "  risks " + ns.map(\.text).joined(separator: ", ") + "\n"
            case .section(let v): s += "  section \(quote(v))\n"
            case .title(let t): s += "  title " + text(t, column: 8) + "\n"
            case .remediation(let t): s += "  remediation " + text(t, column: 14) + "\n"
            case .applies(let e, let otherwise):
                s += "  applies when \(expr(e))\n"
                if let o = otherwise { s += "    otherwise " + text(o, column: 14) + "\n" }
            case .expect(let e, let message):
                s += "  expect \(expr(e))\n"
                if let m = message { s += "    message " + text(m, column: 12) + "\n" }
            case .attestation(let key, let roles, let renew, let unless):
                s +=
                    "  attestation \(quote(key)) by " + roles.map(\.text).joined(separator: ", ")
                    + " renew \(expr(renew))\n"
                if let u = unless { s += "    unless \(expr(u))\n" }
            }
        }
        return s + closing(r.closingComments, after: r.clauses.isEmpty) + "}\n"
    }

    static func text(_ t: Text, column: Int) -> String {
        var parts: [String] = []
        if let ja = t.ja { parts.append("ja " + quote(ja)) }
        if let en = t.en { parts.append("en " + quote(en)) }
        return parts.joined(separator: "\n" + String(repeating: " ", count: column))
    }

    public static func quote(_ s: String) -> String {
        var out = "\""
        for c in s.unicodeScalars {
            switch c {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            default: out.unicodeScalars.append(c)
            }
        }
        return out + "\""
    }

    static func type(_ t: TypeRef) -> String {
        switch t {
        case .int: "int"
        case .bool: "bool"
        case .string: "string"
        case .date: "date"
        case .duration: "duration"
        case .list(let inner): "[\(type(inner))]"
        }
    }

    // Precedence: 0 quantifier (extends as far as it can), 1 or, 2 and, 3 not, 4 comparison,
    // 5 additive, 6 unary minus, 7 postfix and primary.
    static func prec(_ e: Expr) -> Int {
        switch e.kind {
        case .quantifier: 0
        case .binary(let op, _, _):
            switch op {
            case .or: 1
            case .and: 2
            case .add, .sub: 5
            default: 4
            }
        case .unary(.not, _): 3
        case .presence: 4
        case .unary(.negate, _): 6
        default: 7
        }
    }

    public static func expr(_ e: Expr) -> String { expr(e, min: 0) }

    static func expr(_ e: Expr, min: Int) -> String {
        let p = prec(e)
        let s = bare(e)
        return p < min ? "(\(s))" : s
    }

    static func bindings(_ bs: [Binding], _ filter: Expr?, _ body: Expr?) -> String {
        var s = bs.map { "\($0.variable.text) in \(expr($0.collection, min: 5))" }.joined(separator: ", ")
        if let f = filter { s += " where " + expr(f, min: 1) }
        if let b = body { s += " : " + expr(b, min: 0) }
        return s
    }

    static func bare(_ e: Expr) -> String {
        switch e.kind {
        case .literal(let l): return literal(l)
        case .name(let n): return n
        case .member(let base, let f): return expr(base, min: 7) + "." + f.text
        case .param(let n): return "param." + n
        case .unary(.not, let x): return "not " + expr(x, min: 3)
        case .unary(.negate, let x): return "-" + expr(x, min: 7)
        case .binary(let op, let l, let r):
            let p = prec(e)
            switch op {
            case .or:
                // `and` inside `or` is always parenthesised, so readers need not recall precedence.
                // Each operand is formatted once: formatting it twice per level made a chain of
                // n `or`s cost 2ⁿ (issue 18).
                let leftMin: Int
                if case .binary(.or, _, _) = l.kind { leftMin = p } else { leftMin = 3 }
                return expr(l, min: leftMin) + " or " + expr(r, min: 3)
            case .and, .add, .sub:
                // Left-associative: the right operand at the same level needs parentheses.
                return expr(l, min: p) + " \(op.rawValue) " + expr(r, min: p + 1)
            default:
                return expr(l, min: 5) + " \(op.rawValue) " + expr(r, min: 5)
            }
        case .list(let items): return "[" + items.map { expr($0) }.joined(separator: ", ") + "]"
        case .presence(let x, let present): return expr(x, min: 5) + (present ? " is present" : " is missing")
        case .quantifier(let k, let bs, let f, let b): return k.rawValue + " " + bindings(bs, f, b)
        case .aggregate(let k, let bs, let f, let b): return k.rawValue + "(" + bindings(bs, f, b) + ")"
        case .call(let n, let args): return n.text + "(" + args.map { expr($0) }.joined(separator: ", ") + ")"
        }
    }

    static func literal(_ l: Literal) -> String {
        switch l {
        case .int(let n): String(n)
        case .string(let s): quote(s)
        case .bool(let b): b ? "true" : "false"
        case .date(let d): d
        case .duration(let n, let u): "\(n) \(n == 1 ? String(u.rawValue.dropLast()) : u.rawValue)"
        case .null: "null"
        }
    }
}

/// A span-free S-expression of a tree, for table-driven tests and round-trip properties.
public enum Dump {
    public static func expr(_ e: Expr) -> String {
        switch e.kind {
        case .literal(let l): return Formatter.literal(l)
        case .name(let n): return n
        case .member(let b, let f): return "(. \(expr(b)) \(f.text))"
        case .param(let n): return "(param \(n))"
        case .unary(let op, let x): return "(\(op.rawValue) \(expr(x)))"
        case .binary(let op, let l, let r): return "(\(op.rawValue) \(expr(l)) \(expr(r)))"
        case .list(let items): return "[" + items.map(expr).joined(separator: " ") + "]"
        case .presence(let x, let p): return "(\(p ? "present" : "missing") \(expr(x)))"
        case .quantifier(let k, let bs, let f, let b):
            return quant(k.rawValue, bs, f, b)
        case .aggregate(let k, let bs, let f, let b):
            return quant(k.rawValue, bs, f, b)
        case .call(let n, let args): return "(\(n.text) " + args.map(expr).joined(separator: " ") + ")"
        }
    }

    static func quant(_ name: String, _ bs: [Binding], _ f: Expr?, _ b: Expr?) -> String {
        let bind = bs.map { "(\($0.variable.text) \(expr($0.collection)))" }.joined(separator: " ")
        return "(\(name) \(bind) \(f.map(expr) ?? "_") \(b.map(expr) ?? "_"))"
    }

    public static func file(_ f: RuleFile) -> String {
        var out: [String] = []
        for item in f.items {
            switch item {
            case .pack(let p):
                out.append("pack \(p.name.text)")
                for c in p.clauses {
                    switch c.kind {
                    case .version(let v): out.append("  version \(v)")
                    case .title(let t): out.append("  title \(t.ja ?? "-")|\(t.en ?? "-")")
                    case .source(let s, let e, let called):
                        out.append(
                            "  source \(s)|\(e ?? "-")"
                                + (called.map { " called \($0.ja ?? "-")|\($0.en ?? "-")" } ?? ""))
                    case .reportTitle(let t): out.append("  report title \(t.ja ?? "-")|\(t.en ?? "-")")
                    case .platform(let p): out.append("  platform \(p)")
                    case .param(let p):
                        out.append(
                            "  param \(p.name.text) \(Formatter.type(p.type)) \(expr(p.defaultValue)) "
                                + (p.limit.map { "\($0.op.rawValue)\(expr($0.value))" } ?? "_") + " \(p.reason)")
                    case .outOfScope(let item, let reason): out.append("  out_of_scope \(item.text) \(reason)")
                    case .define(let d):
                        out.append(
                            "  define \(d.name.text) \(d.parameters.map(\.text).joined(separator: " ")) \(expr(d.body))"
                        )
                    case .term(let kind, let id, let t):
                        out.append("  \(kind.rawValue) \(id.text) \(t.ja ?? "-")|\(t.en ?? "-")")
                    }
                    out += c.comments.map { "  ;\($0)" }
                }
            case .rule(let r):
                out.append("rule \(r.id.text)")
                for c in r.clauses {
                    out += c.comments.map { "  ;\($0)" }
                    switch c.kind {
                    case .implements(let ns): out.append("  implements " + ns.map(\.text).joined(separator: ","))
                    case .level(let n): out.append("  level \(n.text)")
                    case .category(let n): out.append("  category \(n.text)")
                    case .scope(let n): out.append("  scope \(n.text)")
                    case .risks(let ns): out.append("  risks " + ns.map(\.text).joined(separator: ","))
                    case .section(let s): out.append("  section \(s)")
                    case .title(let t): out.append("  title \(t.ja ?? "-")|\(t.en ?? "-")")
                    case .remediation(let t): out.append("  remediation \(t.ja ?? "-")|\(t.en ?? "-")")
                    case .applies(let e, let o):
                        out.append("  applies \(expr(e)) \(o.map { "\($0.ja ?? "-")|\($0.en ?? "-")" } ?? "_")")
                    case .expect(let e, let m):
                        out.append("  expect \(expr(e)) \(m.map { "\($0.ja ?? "-")|\($0.en ?? "-")" } ?? "_")")
                    case .attestation(let k, let roles, let renew, let unless):
                        out.append(
                            "  attestation \(k) \(roles.map(\.text).joined(separator: ",")) \(expr(renew)) "
                                + "\(unless.map(expr) ?? "_")"
                        )
                    }
                }
            }
        }
        out += f.trailingComments.map { ";\($0)" }
        return out.joined(separator: "\n")
    }
}
