public struct ParseError: Error {
    public var diagnostic: Diagnostic
}

/// Recursive-descent parser for rule files. It recovers at clause boundaries, so every
/// syntax error in a file is reported in one run and a tree is always returned.
public struct Parser {
    private var tokens: [Token]
    private var pos = 0
    /// Line of the last token consumed, to tell whether the current token starts a line.
    private var lastLine = 0
    private let file: String
    private var depth = 0
    public static let maxDepth = 128
    public private(set) var diagnostics: [Diagnostic] = []

    static let ruleClauseKeywords: Set<String> = [
        "implements", "level", "category", "scope", "risks", "section", "title", "remediation",
        "applies", "expect", "attestation",
    ]
    static let packClauseKeywords: Set<String> = [
        "version", "title", "source", "platform", "param", "out_of_scope", "define", "category", "scope", "risk",
        "report",
    ]
    /// The words of the language, which no name may take.
    public static let reserved: Set<String> = [
        "and", "or", "not", "in", "where", "every", "some", "none", "is", "missing", "present",
        "within", "true", "false", "null", "param", "message", "otherwise", "unless",
    ]

    public init(text: String, file: String) {
        let (toks, lexDiags) = Lexer.tokenize(text, file: file)
        tokens = toks
        self.file = file
        diagnostics = lexDiags
    }

    /// Parses a whole rule file. Never throws: errors are in `diagnostics`.
    public static func parse(_ text: String, file: String) -> (RuleFile, [Diagnostic]) {
        var p = Parser(text: text, file: file)
        let f = p.parseFile()
        return (f, p.diagnostics)
    }

    /// Parses a single expression (used for `--param` values and tests).
    public static func parseExpression(_ text: String, file: String = "<expr>") -> (Expr?, [Diagnostic]) {
        var p = Parser(text: text, file: file)
        do throws(ParseError) {
            let e = try p.expr()
            if p.cur.kind != .eof {
                throw p.error("syntax.unexpected-token", "expected end of expression, found \(p.describe(p.cur))")
            }
            return (e, p.diagnostics)
        } catch {
            p.diagnostics.append(error.diagnostic)
            return (nil, p.diagnostics)
        }
    }

    // MARK: tokens

    private var cur: Token { tokens[pos] }
    private func peekTok(_ k: Int) -> Token { tokens[min(pos + k, tokens.count - 1)] }
    @discardableResult private mutating func bump() -> Token {
        let t = tokens[pos]
        lastLine = t.span.line
        if pos < tokens.count - 1 { pos += 1 }
        return t
    }
    private func isWord(_ w: String) -> Bool { cur.kind == .ident && cur.text == w }

    /// A clause keyword first on its line: an unfinished expression before it ends there.
    private var atClauseStart: Bool {
        cur.kind == .ident && cur.span.line > lastLine && lastLine > 0
            && (Parser.ruleClauseKeywords.contains(cur.text) || Parser.packClauseKeywords.contains(cur.text))
    }
    private func loc(_ s: Span) -> SourceLocation { SourceLocation(file: file, line: s.line, column: s.column) }

    func describe(_ t: Token) -> String {
        switch t.kind {
        case .eof: "end of file"
        case .ident: "`\(t.text)`"
        case .string: "string \"\(t.text)\""
        case .int, .date: "`\(t.text)`"
        default: "`\(t.text)`"
        }
    }

    func error(_ id: String, _ msg: String, at span: Span? = nil, help: String? = nil) -> ParseError {
        ParseError(diagnostic: Diagnostic(id, .error, msg, at: loc(span ?? cur.span), help: help))
    }

    private mutating func expect(_ kind: TokenKind, _ what: String) throws(ParseError) -> Token {
        guard cur.kind == kind else {
            throw error("syntax.unexpected-token", "expected \(what), found \(describe(cur))")
        }
        return bump()
    }

    private mutating func expectWord(_ w: String) throws(ParseError) {
        guard isWord(w) else { throw error("syntax.unexpected-token", "expected `\(w)`, found \(describe(cur))") }
        bump()
    }

    /// A name that may contain `-` between adjacent parts: `H-REQ-03`, `outside-mcs`.
    private mutating func dashedName(_ what: String) throws(ParseError) -> Name {
        guard cur.kind == .ident || cur.kind == .int else {
            throw error("syntax.expected-name", "expected \(what), found \(describe(cur))")
        }
        let first = bump()
        var text = first.text
        var end = first.end
        while cur.kind == .minus, cur.span.offset == end, peekTok(1).span.offset == cur.end,
            peekTok(1).kind == .ident || peekTok(1).kind == .int
        {
            bump()
            let part = bump()
            text += "-" + part.text
            end = part.end
        }
        return Name(text, first.span)
    }

    /// Whether `text` is, whole, a name the manifest could declare (`category`, `scope` and
    /// `risk` ids, catalog ids): identifier or digit parts joined by `-` with nothing between
    /// them, as `H-REQ-03` or `outside-mcs`. A word that is not cannot be pasted into a pack.
    public static func isDashedName(_ text: String) -> Bool {
        var p = Parser(text: text, file: "<name>")
        guard p.diagnostics.isEmpty, let name = try? p.dashedName("a name") else { return false }
        return name.text == text && p.cur.kind == .eof
    }

    /// One identifier.
    private mutating func ident(_ what: String) throws(ParseError) -> Name {
        guard cur.kind == .ident else {
            throw error("syntax.expected-name", "expected \(what), found \(describe(cur))")
        }
        let t = bump()
        return Name(t.text, t.span)
    }

    /// `a.b.c` written without spaces.
    private mutating func dottedName(_ what: String) throws(ParseError) -> Name {
        guard cur.kind == .ident else {
            throw error("syntax.expected-name", "expected \(what), found \(describe(cur))")
        }
        let first = bump()
        var text = first.text
        var end = first.end
        while cur.kind == .dot, cur.span.offset == end, peekTok(1).kind == .ident, peekTok(1).span.offset == cur.end {
            bump()
            let part = bump()
            text += "." + part.text
            end = part.end
        }
        return Name(text, first.span)
    }

    private mutating func stringLit(_ what: String) throws(ParseError) -> String {
        try expect(.string, what).text
    }

    // MARK: file structure

    mutating func parseFile() -> RuleFile {
        var items: [Item] = []
        while cur.kind != .eof {
            let start = cur
            if isWord("rule") {
                if let r = ruleDecl() { items.append(.rule(r)) }
            } else if isWord("pack") {
                if let p = packDecl() { items.append(.pack(p)) }
            } else {
                diagnostics.append(
                    Diagnostic(
                        "syntax.unexpected-token", .error,
                        "expected `rule` or `pack`, found \(describe(cur))", at: loc(cur.span)))
                // Skip to the next top-level keyword.
                bump()
                while cur.kind != .eof, !(isWord("rule") || isWord("pack")) { bump() }
            }
            if pos == tokens.count - 1, start == cur { break }
        }
        return RuleFile(path: file, items: items, trailingComments: cur.leadingComments)
    }

    private mutating func block<K>(
        _ keywords: Set<String>, _ what: String,
        _ clause: (inout Parser) throws(ParseError) -> K
    ) -> (clauses: [Clause<K>], closingComments: [String]) {
        var out: [Clause<K>] = []
        guard cur.kind == .lbrace else {
            diagnostics.append(
                Diagnostic(
                    "syntax.unexpected-token", .error,
                    "expected `{` to open the \(what), found \(describe(cur))", at: loc(cur.span)))
            return (out, [])
        }
        bump()
        while cur.kind != .rbrace && cur.kind != .eof {
            if isWord("rule") || isWord("pack") { break }
            let start = cur
            let startPos = pos
            do throws(ParseError) {
                guard cur.kind == .ident, keywords.contains(cur.text) else {
                    let known = keywords.sorted().map { "`\($0)`" }.joined(separator: ", ")
                    var help: String?
                    if cur.kind == .ident, let m = closestMatch(to: cur.text, in: keywords) {
                        help = "did you mean `\(m)`?"
                    }
                    throw error(
                        "syntax.unknown-clause", "expected a \(what) clause (\(known)), found \(describe(cur))",
                        help: help)
                }
                let k = try clause(&self)
                out.append(Clause(k, span: start.span, comments: start.leadingComments))
            } catch {
                diagnostics.append(error.diagnostic)
                synchronize(keywords)
                // Recovery always moves on: a token that is a clause keyword elsewhere (a rule
                // clause inside a pack block) must not be retried forever.
                if pos == startPos {
                    bump()
                    synchronize(keywords)
                }
            }
        }
        // Comments right before the closing brace belong to the block (`fmt` keeps them there).
        var closing: [String] = []
        if cur.kind == .rbrace {
            closing = bump().leadingComments
        } else {
            diagnostics.append(
                Diagnostic(
                    "syntax.unclosed-block", .error,
                    "expected `}` to close the \(what), found \(describe(cur))", at: loc(cur.span)))
        }
        return (out, closing)
    }

    /// Skips to the next clause keyword that starts a line, or to the end of the block.
    private mutating func synchronize(_ keywords: Set<String>) {
        if cur.kind == .rbrace || cur.kind == .eof || atClauseStart { return }
        var prevLine = cur.span.line
        bump()
        while cur.kind != .eof && cur.kind != .rbrace {
            if cur.kind == .ident, cur.span.line > prevLine,
                keywords.contains(cur.text) || cur.text == "rule" || cur.text == "pack"
            {
                return
            }
            prevLine = cur.span.line
            bump()
        }
    }

    private mutating func ruleDecl() -> RuleDecl? {
        let kw = bump()
        let id: Name
        do { id = try dashedName("a rule id") } catch {
            diagnostics.append(error.diagnostic)
            synchronize(["rule", "pack"])
            return nil
        }
        let (clauses, closing) = block(Parser.ruleClauseKeywords, "rule") { (p: inout Parser) throws(ParseError) in
            try p.ruleClause()
        }
        return RuleDecl(id: id, clauses: clauses, comments: kw.leadingComments, span: kw.span, closingComments: closing)
    }

    private mutating func packDecl() -> PackDecl? {
        let kw = bump()
        let name: Name
        do { name = try dashedName("a pack name") } catch {
            diagnostics.append(error.diagnostic)
            synchronize(["rule", "pack"])
            return nil
        }
        let (clauses, closing) = block(Parser.packClauseKeywords, "pack") { (p: inout Parser) throws(ParseError) in
            try p.packClause()
        }
        return PackDecl(
            name: name, clauses: clauses, comments: kw.leadingComments, span: kw.span, closingComments: closing)
    }

    private mutating func text() throws(ParseError) -> Text {
        var t = Text(span: cur.span)
        var any = false
        while isWord("ja") || isWord("en") {
            let lang = bump().text
            let s = try stringLit("a string after `\(lang)`")
            if lang == "ja" { t.ja = s } else { t.en = s }
            any = true
        }
        if !any { throw error("syntax.expected-text", "expected `ja \"…\"` and/or `en \"…\"`, found \(describe(cur))") }
        return t
    }

    private mutating func nameList(_ what: String) throws(ParseError) -> [Name] {
        var names = [try dashedName(what)]
        while cur.kind == .comma { bump(); names.append(try dashedName(what)) }
        return names
    }

    mutating func ruleClause() throws(ParseError) -> RuleClause {
        let kw = bump().text
        switch kw {
        case "implements": return .implements(try nameList("a catalog id"))
        case "level": return .level(try dashedName("a level"))
        case "category": return .category(try dashedName("a category"))
        case "scope": return .scope(try dashedName("a scope"))
        case "risks": return .risks(try nameList("a risk id"))
        case "section": return .section(try stringLit("a section string"))
        case "title": return .title(try text())
        case "remediation": return .remediation(try text())
        case "applies":
            try expectWord("when")
            let e = try expr()
            var otherwise: Text?
            if isWord("otherwise") { bump(); otherwise = try text() }
            return .applies(e, otherwise: otherwise)
        case "expect":
            let e = try expr()
            var message: Text?
            if isWord("message") { bump(); message = try text() }
            return .expect(e, message: message)
        case "attestation":
            let key = try stringLit("the attestation key as a string")
            try expectWord("by")
            let roles = try nameList("a role")
            try expectWord("renew")
            let renew = try expr()
            var unless: Expr?
            if isWord("unless") { bump(); unless = try expr() }
            return .attestation(key: key, roles: roles, renew: renew, unless: unless)
        default:
            throw error("syntax.unknown-clause", "unknown rule clause `\(kw)`")
        }
    }

    mutating func packClause() throws(ParseError) -> PackClause {
        let kw = bump().text
        switch kw {
        case "version": return .version(try stringLit("a version string"))
        case "title": return .title(try text())
        case "source":
            let s = try stringLit("the source document's title")
            var edition: String?
            if isWord("edition") { bump(); edition = try stringLit("the edition") }
            var called: Text?
            if isWord("called") { bump(); called = try text() }
            return .source(s, edition: edition, called: called)
        case "report":
            try expectWord("title")
            return .reportTitle(try text())
        case "platform":
            return .platform(try stringLit("a CPE 2.3 name such as \"cpe:2.3:a:vendor:product:*:*:*:*:*:*:*:*\""))
        case "param":
            let start = cur.span
            let name = try dottedName("a parameter name")
            _ = try expect(.colon, "`:` and a type after the parameter name")
            let type = try typeRef()
            _ = try expect(.assign, "`=` and a default value")
            let dflt = try expr()
            var limit: (LimitOp, Expr)?
            if isWord("limit") {
                bump()
                let op: LimitOp
                switch cur.kind {
                case .ge: op = .ge
                case .le: op = .le
                default:
                    throw error(
                        "syntax.unexpected-token", "expected `>=` or `<=` after `limit`, found \(describe(cur))")
                }
                bump()
                limit = (op, try expr())
            }
            try expectWord("because")
            let reason = try stringLit("the reason for the default")
            return .param(
                ParamDecl(name: name, type: type, defaultValue: dflt, limit: limit, reason: reason, span: start))
        case "define":
            let start = cur.span
            let name = try ident("the condition's name")
            _ = try expect(.lparen, "`(` and the names of the condition's variables")
            var parameters = [try ident("a variable name")]
            while cur.kind == .comma {
                bump()
                parameters.append(try ident("a variable name"))
            }
            _ = try expect(.rparen, "`)` after the variable names")
            _ = try expect(.assign, "`=` and the condition")
            return .define(DefineDecl(name: name, parameters: parameters, body: try expr(), span: start))
        case "out_of_scope":
            let item = try dashedName("a catalog id")
            try expectWord("because")
            return .outOfScope(item, reason: try stringLit("why the item is out of scope"))
        case "category", "scope", "risk":
            let kind = TermKind(rawValue: kw) ?? .category
            return .term(kind, try dashedName("the \(kw)'s id"), label: try text())
        default:
            throw error("syntax.unknown-clause", "unknown pack clause `\(kw)`")
        }
    }

    private mutating func typeRef() throws(ParseError) -> TypeRef {
        if cur.kind == .lbracket {
            bump()
            let inner = try typeRef()
            _ = try expect(.rbracket, "`]` to close the list type")
            return .list(inner)
        }
        guard cur.kind == .ident else { throw error("syntax.expected-type", "expected a type, found \(describe(cur))") }
        let t = bump()
        switch t.text {
        case "int": return .int
        case "bool": return .bool
        case "string": return .string
        case "date": return .date
        case "duration": return .duration
        default:
            throw error(
                "syntax.expected-type",
                "unknown type `\(t.text)`, expected int, bool, string, date, duration or [type]", at: t.span)
        }
    }

    // MARK: expressions

    public mutating func expr() throws(ParseError) -> Expr {
        try deeper()
        defer { depth -= 1 }
        return try orExpr()
    }

    /// One level more in the tree being built. Every level counts: brackets, `not`, `-`, and
    /// each further term of an `and`/`or`/`+`/`-` chain or `.field` path, since each makes the
    /// tree one deeper and every later pass walks it recursively (a 1,000-term `or` chain once
    /// overflowed a test thread's stack). Throws `syntax.too-deep` past `maxDepth`.
    private mutating func deeper() throws(ParseError) {
        depth += 1
        if depth > Parser.maxDepth {
            depth -= 1
            throw error(
                "syntax.too-deep",
                "expression more than \(Parser.maxDepth) levels deep (brackets, `not`, and the terms of one "
                    + "`and`/`or`/`+` chain all count); split the rule or test membership with `in [...]`"
            )
        }
    }

    private mutating func orExpr() throws(ParseError) -> Expr {
        var l = try andExpr()
        var steps = 0
        defer { depth -= steps }
        while isWord("or") {
            bump()
            try deeper(); steps += 1
            let r = try andExpr()
            l = Expr(.binary(.or, l, r), l.span)
        }
        return l
    }

    private mutating func andExpr() throws(ParseError) -> Expr {
        var l = try notExpr()
        var steps = 0
        defer { depth -= steps }
        while isWord("and") {
            bump()
            try deeper(); steps += 1
            let r = try notExpr()
            l = Expr(.binary(.and, l, r), l.span)
        }
        return l
    }

    /// The quantifier that starts here (`every x in …`), if one does.
    private var quantifierHere: QuantifierKind? {
        guard cur.kind == .ident, let kind = QuantifierKind(rawValue: cur.text), peekTok(1).kind == .ident,
            peekTok(2).kind == .ident,
            peekTok(2).text == "in"
        else { return nil }
        return kind
    }

    private mutating func notExpr() throws(ParseError) -> Expr {
        if isWord("not") {
            let t = bump()
            try deeper()
            defer { depth -= 1 }
            return Expr(.unary(.not, try notExpr()), t.span)
        }
        if let kind = quantifierHere {
            let t = bump()
            let (bindings, filter, body) = try quantifierTail(requireBody: kind == .every)
            return Expr(.quantifier(kind, bindings, filter: filter, body: body), t.span)
        }
        return try comparison()
    }

    /// `x in C [, y in D] [where F] [: body]`
    private mutating func quantifierTail(requireBody: Bool) throws(ParseError) -> ([Binding], Expr?, Expr?) {
        var bindings: [Binding] = []
        repeat {
            if !bindings.isEmpty { bump() }  // the comma
            guard cur.kind == .ident, !Parser.reserved.contains(cur.text) else {
                throw error("syntax.expected-name", "expected a variable name, found \(describe(cur))")
            }
            let v = bump()
            try expectWord("in")
            let c = try additive()
            bindings.append(Binding(variable: Name(v.text, v.span), collection: c))
        } while cur.kind == .comma
        var filter: Expr?
        if isWord("where") { bump(); filter = try expr() }
        var body: Expr?
        if cur.kind == .colon {
            bump(); body = try expr()
        } else if requireBody {
            throw error(
                "syntax.expected-body", "expected `:` and a condition every element must meet, found \(describe(cur))")
        }
        return (bindings, filter, body)
    }

    private mutating func comparison() throws(ParseError) -> Expr {
        let l = try additive()
        let op: BinaryOp
        switch cur.kind {
        case .eq: op = .eq
        case .ne: op = .ne
        case .lt: op = .lt
        case .le: op = .le
        case .gt: op = .gt
        case .ge: op = .ge
        case .ident where cur.text == "in": op = .in
        case .ident where cur.text == "within": op = .within
        case .ident where cur.text == "not" && peekTok(1).kind == .ident && peekTok(1).text == "in":
            bump()
            op = .notIn
        case .ident where cur.text == "is":
            bump()
            if isWord("missing") { bump(); return Expr(.presence(l, present: false), l.span) }
            if isWord("present") { bump(); return Expr(.presence(l, present: true), l.span) }
            throw error("syntax.unexpected-token", "expected `missing` or `present` after `is`, found \(describe(cur))")
        default:
            return l
        }
        bump()
        let r = try additive()
        return Expr(.binary(op, l, r), l.span)
    }

    private mutating func additive() throws(ParseError) -> Expr {
        var l = try unary()
        var steps = 0
        defer { depth -= steps }
        while cur.kind == .plus || cur.kind == .minus {
            let op: BinaryOp = bump().kind == .plus ? .add : .sub
            try deeper(); steps += 1
            let r = try unary()
            l = Expr(.binary(op, l, r), l.span)
        }
        return l
    }

    private mutating func unary() throws(ParseError) -> Expr {
        if cur.kind == .minus {
            let t = bump()
            try deeper()
            defer { depth -= 1 }
            return Expr(.unary(.negate, try unary()), t.span)
        }
        return try postfix()
    }

    private mutating func postfix() throws(ParseError) -> Expr {
        var e = try primary()
        var steps = 0
        defer { depth -= steps }
        while cur.kind == .dot {
            bump()
            try deeper(); steps += 1
            guard cur.kind == .ident else {
                throw error("syntax.expected-name", "expected a field name after `.`, found \(describe(cur))")
            }
            let f = bump()
            e = Expr(.member(e, Name(f.text, f.span)), e.span)
        }
        return e
    }

    private mutating func primary() throws(ParseError) -> Expr {
        let t = cur
        switch t.kind {
        case .int:
            bump()
            guard let n = Int(t.text) else {
                throw error("syntax.number-out-of-range", "integer `\(t.text)` is too large", at: t.span)
            }
            if cur.kind == .ident, let unit = DurationUnit(word: cur.text) {
                bump()
                return Expr(.literal(.duration(n, unit)), t.span)
            }
            return Expr(.literal(.int(n)), t.span)
        case .string:
            bump()
            return Expr(.literal(.string(t.text)), t.span)
        case .date:
            bump()
            return Expr(.literal(.date(t.text)), t.span)
        case .lparen:
            bump()
            let e = try expr()
            _ = try expect(.rparen, "`)`")
            return e
        case .lbracket:
            bump()
            var items: [Expr] = []
            while cur.kind != .rbracket {
                items.append(try expr())
                if cur.kind == .comma { bump() } else { break }
            }
            _ = try expect(.rbracket, "`]` or `,` in the list")
            return Expr(.list(items), t.span)
        case .ident:
            switch t.text {
            case "true", "false":
                bump()
                return Expr(.literal(.bool(t.text == "true")), t.span)
            case "null":
                bump()
                return Expr(.literal(.null), t.span)
            case "param":
                bump()
                _ = try expect(.dot, "`.` and a parameter name after `param`")
                let n = try dottedName("a parameter name")
                return Expr(.param(n.text), t.span)
            default:
                break
            }
            if peekTok(1).kind == .lparen {
                bump()
                bump()
                if let agg = AggregateKind(rawValue: t.text), cur.kind == .ident, peekTok(1).kind == .ident,
                    peekTok(1).text == "in"
                {
                    let (bindings, filter, body) = try quantifierTail(requireBody: agg != .count)
                    _ = try expect(.rparen, "`)` to close `\(t.text)(…)`")
                    return Expr(.aggregate(agg, bindings, filter: filter, body: body), t.span)
                }
                var args: [Expr] = []
                while cur.kind != .rparen {
                    args.append(try expr())
                    if cur.kind == .comma { bump() } else { break }
                }
                _ = try expect(.rparen, "`)` or `,` in the call")
                return Expr(.call(Name(t.text, t.span), args), t.span)
            }
            if Parser.reserved.contains(t.text) {
                throw error("syntax.unexpected-token", "expected an expression, found keyword `\(t.text)`")
            }
            if atClauseStart {
                throw error("syntax.unexpected-token", "expected an expression before the next clause `\(t.text)`")
            }
            bump()
            return Expr(.name(t.text), t.span)
        default:
            throw error("syntax.unexpected-token", "expected an expression, found \(describe(t))")
        }
    }
}
