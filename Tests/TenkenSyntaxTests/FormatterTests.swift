import Foundation
import Testing

@testable import TenkenSyntax

struct FormatterTests {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    static var ruleFiles: [String] {
        let dir = root.appendingPathComponent("Rules")
        let e = FileManager.default.enumerator(atPath: dir.path)!
        // Schema files (`schema.tenken`) are kept as written; `SchemaFileCommandTests` has them.
        return e.compactMap { $0 as? String }.filter { $0.hasSuffix(".tenken") && !$0.hasSuffix("/schema.tenken") }
            .sorted().map { dir.appendingPathComponent($0).path }
    }

    /// parse(format(x)) has the same tree as x, and format is idempotent, for every rule in the pack.
    @Test func roundTripOnThePack() throws {
        #expect(Self.ruleFiles.count >= 70)
        for path in Self.ruleFiles {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            let (tree, d1) = Parser.parse(text, file: path)
            #expect(d1.isEmpty, "\(path): \(d1)")
            let once = Formatter.format(tree)
            let (again, d2) = Parser.parse(once, file: path)
            #expect(d2.isEmpty, "\(path) reformatted: \(d2)")
            #expect(Dump.file(again) == Dump.file(tree), "\(path)")
            #expect(Formatter.format(again) == once, "\(path) not idempotent")
        }
    }

    /// The pack is kept in canonical form, so `tenken fmt --check` stays green.
    @Test func packIsCanonical() throws {
        for path in Self.ruleFiles {
            let text = try String(contentsOfFile: path, encoding: .utf8)
            #expect(
                Formatter.format(Parser.parse(text, file: path).0) == text,
                "\(path) is not in canonical form; run tenken fmt --write")
        }
    }

    /// Comments before a block's closing `}` stay there, in packs and rules, and formatting them
    /// is idempotent; nothing is dropped.
    /// The manifest's report words: `called` stays on the `source` line, `report title` aligns
    /// its languages as `title` does, and both read back as written.
    @Test func reportWordsFormatAndReadBack() {
        let text = """
            pack p {
              source   "S" edition "1"  called ja "基準"
                en "Baseline"
              report title ja "設定基準 点検レポート" en "Baseline report"
            }

            """
        let formatted = Formatter.format(Parser.parse(text, file: "p").0)
        #expect(
            formatted == """
                pack p {
                  source "S" edition "1" called ja "基準" en "Baseline"
                  report title ja "設定基準 点検レポート"
                               en "Baseline report"
                }

                """, "\(formatted)")
        #expect(Formatter.format(Parser.parse(formatted, file: "p").0) == formatted)
        let dump = Dump.file(Parser.parse(formatted, file: "p").0)
        #expect(
            dump.contains("  source S|1 called 基準|Baseline")
                && dump.contains("  report title 設定基準 点検レポート|Baseline report"))
        #expect(Parser.parse("pack p {\n  report ja \"x\"\n}\n", file: "p").1.first?.id == "syntax.unexpected-token")
    }

    @Test func commentsBeforeAClosingBraceAreKept() {
        let text = """
            pack p {
              version "1"
              # the device rules use this
              # (second line)
            }

            rule r {
              level required
              expect true
              # kept before the brace
            }
            # after everything

            """
        let (tree, d) = Parser.parse(text, file: "t.tenken")
        #expect(d.isEmpty, "\(d)")
        let once = Formatter.format(tree)
        for c in ["# the device rules use this", "# (second line)", "# kept before the brace", "# after everything"] {
            #expect(once.contains(c), "\(c) lost:\n\(once)")
        }
        #expect(Formatter.format(Parser.parse(once, file: "t.tenken").0) == once)
        #expect(Formatter.droppedComments(source: text, formatted: once, file: "t.tenken").isEmpty)
    }

    /// A comment inside an expression has no place in the canonical form: it is reported at the
    /// token it stood before, so `fmt` can refuse rather than lose it.
    @Test func aCommentInsideAnExpressionIsReportedNotLost() {
        let text = """
            rule r {
              level required
              expect every s in staff
                # only the employed
                where s.left_on is missing : s.pledge_signed_on is present
            }

            """
        let (tree, d) = Parser.parse(text, file: "t.tenken")
        #expect(d.isEmpty, "\(d)")
        let dropped = Formatter.droppedComments(source: text, formatted: Formatter.format(tree), file: "t.tenken")
        #expect(dropped.map(\.id) == ["syntax.comment-dropped"])
        #expect(dropped.first?.location?.line == 5)
    }

    /// Generated expressions survive print and re-parse with the same tree.
    @Test func roundTripOnGeneratedExpressions() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<2000 {
            let e = Self.randomExpr(&rng, depth: 4)
            let printed = Formatter.expr(e)
            let (back, diags) = Parser.parseExpression(printed)
            #expect(diags.isEmpty, "\(printed): \(diags)")
            #expect(back.map(Dump.expr) == Dump.expr(e), "\(printed)")
        }
    }

    static func randomExpr(_ r: inout SplitMix, depth: Int) -> Expr {
        let s = Span.unknown
        func leaf() -> Expr {
            switch r.next() % 6 {
            case 0: return Expr(.literal(.int(Int(r.next() % 100))), s)
            case 1: return Expr(.literal(.string("s\(r.next() % 9)")), s)
            case 2: return Expr(.name(["a", "b", "as_of", "staff"][Int(r.next() % 4)]), s)
            case 3: return Expr(.member(Expr(.name("x"), s), Name("f")), s)
            case 4: return Expr(.literal(.duration(Int(r.next() % 40), .days)), s)
            default: return Expr(.param("p.q"), s)
            }
        }
        if depth == 0 { return leaf() }
        let sub = { (r: inout SplitMix) in randomExpr(&r, depth: depth - 1) }
        switch r.next() % 9 {
        case 0: return Expr(.binary([.and, .or][Int(r.next() % 2)], sub(&r), sub(&r)), s)
        case 1:
            return Expr(
                .binary([.eq, .ne, .lt, .le, .gt, .ge, .in, .notIn, .within][Int(r.next() % 9)], sub(&r), sub(&r)), s)
        case 2: return Expr(.binary([.add, .sub][Int(r.next() % 2)], sub(&r), sub(&r)), s)
        case 3: return Expr(.unary(.not, sub(&r)), s)
        case 4:
            return Expr(
                .quantifier(
                    [.every, .some, .none][Int(r.next() % 3)],
                    [Binding(variable: Name("v"), collection: Expr(.name("staff"), s))],
                    filter: r.next() % 2 == 0 ? sub(&r) : nil, body: sub(&r)), s)
        case 5:
            return Expr(
                .aggregate(
                    .count, [Binding(variable: Name("v"), collection: Expr(.name("staff"), s))], filter: sub(&r),
                    body: nil), s)
        case 6: return Expr(.presence(sub(&r), present: r.next() % 2 == 0), s)
        case 7: return Expr(.list([sub(&r), sub(&r)]), s)
        default: return Expr(.unary(.negate, leaf()), s)
        }
    }

    /// Random bytes never crash the parser, and it always returns a tree.
    @Test func randomInputNeverCrashes() {
        var rng = SplitMix(seed: 42)
        let alphabet = Array(
            "rule pack {}()[]\",.:=<>!-+# \n\tabcxyz0123every some none in where expect level 日本".unicodeScalars)
        for _ in 0..<3000 {
            var s = ""
            for _ in 0..<Int(rng.next() % 120) {
                s.unicodeScalars.append(alphabet[Int(rng.next() % UInt64(alphabet.count))])
            }
            _ = Parser.parse(s, file: "fuzz")
        }
    }
}

/// A small deterministic generator, so property tests are reproducible.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
