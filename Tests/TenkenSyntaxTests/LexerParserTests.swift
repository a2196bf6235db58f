import Testing

@testable import TenkenSyntax

struct LexerTests {
    @Test(arguments: [
        ("a.b == 3", "ident:a dot ident:b eq int:3"),
        ("\"x\\\"y\" 2026-02-28", "string:x\"y date:2026-02-28"),
        (
            "30 minutes <= param.screen_lock.max",
            "int:30 ident:minutes le ident:param dot ident:screen_lock dot ident:max"
        ),
        ("not x != y # trailing comment", "ident:not ident:x ne ident:y"),
        ("H-REQ-03", "ident:H minus ident:REQ minus int:03"),
        ("「」", "invalid invalid"),
    ])
    func tokens(_ input: String, _ expected: String) {
        let (toks, _) = Lexer.tokenize(input, file: "t")
        let text = toks.dropLast().map { t -> String in
            switch t.kind {
            case .ident: "ident:\(t.text)"
            case .int: "int:\(t.text)"
            case .string: "string:\(t.text)"
            case .date: "date:\(t.text)"
            default: "\(t.kind)"
            }
        }.joined(separator: " ")
        #expect(text == expected)
    }

    @Test func positionsAreOneBasedAndCountScalars() {
        let (toks, _) = Lexer.tokenize("rule x {\n  title ja \"日本語\" en \"y\"\n}", file: "t")
        let en = toks.first { $0.text == "en" }!
        #expect(en.span.line == 2)
        #expect(en.span.column == 18)
    }

    @Test(arguments: [
        ("\"abc", "syntax.unterminated-string"),
        ("\"a\\qb\"", "syntax.bad-escape"),
        ("30minutes", "syntax.bad-number"),
        ("2026-02-281", "syntax.bad-date"),
        ("a ; b", "syntax.invalid-character"),
    ])
    func lexicalErrors(_ input: String, _ id: String) {
        let (_, diags) = Lexer.tokenize(input, file: "t")
        #expect(diags.map(\.id).contains(id))
    }
}

struct ExpressionParserTests {
    @Test(arguments: [
        ("a and b or c", "(or (and a b) c)"),
        ("a or b and c", "(or a (and b c))"),
        ("not a and b", "(and (not a) b)"),
        ("x.y.z == 3", "(== (. (. x y) z) 3)"),
        ("d + 30 days < as_of", "(< (+ d 30 days) as_of)"),
        ("a - b - c", "(- (- a b) c)"),
        ("s.job not in [\"clerk\", \"other\"]", "(not in (. s job) [\"clerk\" \"other\"])"),
        ("t within param.training.period", "(within t (param training.period))"),
        ("x is missing or x is present", "(or (missing x) (present x))"),
        ("every s in staff where s.uses_mcs : s.id is present", "(every (s staff) (. s uses_mcs) (present (. s id)))"),
        (
            "some a in accounts : a.is_admin and a.status == \"active\"",
            "(some (a accounts) _ (and (. a is_admin) (== (. a status) \"active\")))"
        ),
        ("none g in groups, m in g.members where m.external", "(none (g groups) (m (. g members)) (. m external) _)"),
        ("count(s in staff where s.id == a.id) <= 1", "(<= (count (s staff) (== (. s id) (. a id)) _) 1)"),
        ("max(t in s.training_dates : t)", "(max (t (. s training_dates)) _ t)"),
        ("len(g.patient_ids) == 1", "(== (len (. g patient_ids)) 1)"),
        ("-2 months", "(- 2 months)"),
        ("1 day", "1 day"),
    ])
    func precedenceAndShape(_ input: String, _ dump: String) {
        let (e, diags) = Parser.parseExpression(input)
        #expect(diags.isEmpty, "\(diags)")
        #expect(e.map(Dump.expr) == dump)
    }

    @Test(arguments: [
        ("a ==", "syntax.unexpected-token", 5),
        ("every s in staff s.id", "syntax.expected-body", 18),
        ("(a and b", "syntax.unexpected-token", 9),
        ("a is maybe", "syntax.unexpected-token", 6),
        ("every in staff : x", "syntax.unexpected-token", 1),
    ])
    func errors(_ input: String, _ id: String, _ column: Int) {
        let (e, diags) = Parser.parseExpression(input)
        #expect(e == nil)
        #expect(diags.first?.id == id)
        #expect(diags.first?.location?.column == column)
    }

    @Test func deepNestingIsAnErrorNotACrash() {
        let deep = String(repeating: "(", count: 5000) + "a" + String(repeating: ")", count: 5000)
        let (_, diags) = Parser.parseExpression(deep)
        #expect(diags.map(\.id).contains("syntax.too-deep"))
        let nots = String(repeating: "not ", count: 5000) + "a"
        #expect(Parser.parseExpression(nots).1.map(\.id).contains("syntax.too-deep"))
    }

    /// A long chain builds a tree as deep as it is long, so its terms count as levels too; a
    /// chain that fits is still accepted whole.
    @Test(arguments: [" or ", " and ", " + ", " - "])
    func longChainsAreAnErrorNotACrash(_ op: String) {
        let long = Array(repeating: "a", count: 5000).joined(separator: op)
        #expect(Parser.parseExpression(long).1.map(\.id) == ["syntax.too-deep"])
        let fits = Array(repeating: "a", count: 100).joined(separator: op)
        #expect(Parser.parseExpression(fits).1.isEmpty)
    }

    @Test func longPathsAndSignsAreAnErrorNotACrash() {
        #expect(Parser.parseExpression(String(repeating: "-", count: 5000) + "1").1.map(\.id) == ["syntax.too-deep"])
        #expect(Parser.parseExpression("a" + String(repeating: ".b", count: 5000)).1.map(\.id) == ["syntax.too-deep"])
    }
}

struct FileParserTests {
    static let sample = """
        # pack comment
        pack demo {
          version "1.0"
          title ja "デモ" en "Demo"
          param leaver.grace: duration = 7 days limit <= 14 days
            because "promptly"
        }

        rule demo-rule {
          implements X-1, X-2
          level required
          # why this applies
          applies when facility.uses_wifi
            otherwise ja "なし" en "none"
          expect every n in networks : n.encryption in ["WPA3"]
            message ja "{n.id} は不可" en "{n.id} is not allowed"
          attestation "k" by operations-lead, system-admin renew 1 year
            unless facility.uses_wifi
        }
        """

    @Test func dumpsTheWholeFile() {
        let (f, diags) = Parser.parse(Self.sample, file: "demo.tenken")
        #expect(diags.isEmpty)
        #expect(
            Dump.file(f) == """
                pack demo
                  version 1.0
                  title デモ|Demo
                  param leaver.grace duration 7 days <=14 days promptly
                rule demo-rule
                  implements X-1,X-2
                  level required
                  ;# why this applies
                  applies (. facility uses_wifi) なし|none
                  expect (every (n networks) _ (in (. n encryption) ["WPA3"])) {n.id} は不可|{n.id} is not allowed
                  attestation k operations-lead,system-admin 1 year (. facility uses_wifi)
                """)
    }

    @Test func recoversAndReportsEveryClauseError() {
        let text = """
            rule a {
              levl required
              expect 1 +
              category technical
            }
            rule b {
              title ja "x"
            }
            """
        let (f, diags) = Parser.parse(text, file: "x.tenken")
        #expect(diags.map(\.id) == ["syntax.unknown-clause", "syntax.unexpected-token"])
        #expect(diags.map { $0.location!.line } == [2, 4])
        #expect(f.items.count == 2)
        if case .rule(let r) = f.items[0] {
            #expect(r.clauses.count == 1)
        }
        #expect(diags[0].help == "did you mean `level`?")
    }

    @Test func garbageAtTopLevelIsReportedOnce() {
        let (f, diags) = Parser.parse("hello world\nrule a { level required }", file: "x")
        #expect(diags.map(\.id) == ["syntax.unexpected-token"])
        #expect(f.items.count == 1)
    }

    /// A pack's texts reach every report: control characters and line breaks are refused.
    @Test func controlCharactersInStringsAreRefused() {
        for text in ["\"a\u{1B}[2Jb\"", "\"a\\nb\"", "\"a\u{202E}b\""] {
            let (_, d) = Parser.parse("pack p {\n  version \(text)\n}\n", file: "p")
            #expect(d.contains { $0.id == "syntax.control-character" }, "\(text)")
        }
    }
}
