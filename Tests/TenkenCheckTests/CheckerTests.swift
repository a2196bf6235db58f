import Foundation
import TenkenPack
import Testing

@testable import TenkenAudit
@testable import TenkenCheck
@testable import TenkenSyntax

let miniCatalog = """
    id\tsection\tcategory\tlevel\tscope\trisks\tevidence\tja\ten
    X-REQ-01\t2-1\thuman-organizational\trequired\tmcs\tR1\tstaff\t必要\tneeded
    """

/// A catalog with an item the mini pack's rules do not implement.
let twoItemCatalog =
    miniCatalog + "\nX-REC-01\t2-2\ttechnical\trecommended\toutside-mcs\tR3\tdevices\t推奨\trecommended\n"

let miniManifest = """
    pack mini {
      version "1"
      title ja "ミニ" en "mini"
      param grace: duration = 7 days limit <= 14 days
        because "promptly"
      param kinds: [string] = ["tablet"]
        because "mobile"
      category human-organizational ja "人的・組織的対策" en "Human and organisational"
      category technical ja "技術的対策" en "Technical"
      scope mcs ja "MCS" en "MCS"
      scope outside-mcs ja "MCS外" en "Outside MCS"
      risk R1 ja "不正な閲覧" en "Unauthorised viewing"
      risk R3 ja "脆弱性の悪用" en "Exploited vulnerability"
    }
    """

func checkPack(_ rules: String) -> CheckOutcome {
    Checker.check(
        PackSource(
            files: [("m/pack.tenken", miniManifest), ("m/r.tenken", rules)], catalog: ("m/catalog.tsv", miniCatalog)),
        schema: PackLoader.builtInSchema)
}

func ruleText(
    _ body: String, level: String = "required", category: String = "human-organizational",
    implements: String = "X-REQ-01"
) -> String {
    """
    rule r1 {
      implements \(implements)
      level \(level)
      category \(category)
      scope mcs
      title ja "t" en "t"
      remediation ja "r" en "r"
    \(body)
    }
    """
}

struct CheckerTests {
    @Test func aValidRuleChecks() {
        let o = checkPack(
            ruleText("  expect every s in staff where s.left_on is present : s.left_on + param.grace < as_of"))
        #expect(o.diagnostics.isEmpty, "\(o.diagnostics)")
        #expect(o.pack?.rules.count == 1)
    }

    // Each row: rule body, expected diagnostic id, line and column (the body starts on line 8).
    @Test(arguments: [
        ("  expect every s in staff : s.pledge_signed", "check.unknown-field", 8, 31),
        ("  expect every s in staf : s.id is present", "check.unknown-name", 8, 21),
        ("  expect every s in staff : s.hired_on < 3", "check.type-mismatch", 8, 29),
        ("  expect every s in staff : s.hired_on + 7 < as_of", "check.type-mismatch", 8, 29),
        ("  expect param.grase < 3 days", "check.unknown-param", 8, 10),
        ("  expect every d in devices : d.kind == \"laptop\"", "check.unknown-enum-value", 8, 41),
        ("  expect every d in devices : d.kind in [\"tablet\", \"phone\"]", "check.unknown-enum-value", 8, 52),
        ("  expect facility.beds", "check.type-mismatch", 8, 10),
        ("  expect every x in facility : true", "check.not-a-collection", 8, 21),
        ("  expect every s in staff : every s in staff : true", "check.shadowed-name", 8, 35),
        ("  expect count(s in staff : s.id) > 1", "check.bad-aggregate", 8, 10),
        ("  expect len(3) == 1", "check.type-mismatch", 8, 14),
        ("  expect frobnicate(3) == 1", "check.unknown-function", 8, 10),
        ("  expect facility.committee_established_on < 2023-02-30", "check.bad-date", 8, 46),
        ("  expect 1 == 1", "check.always-true", 8, 10),
        ("  applies when false\n  expect facility.uses_wifi", "check.never-applies", 8, 16),
        ("  expect every s in staff where 1 == 2 : s.uses_mcs", "check.unreachable", 8, 10),
        ("  expect facility.uses_wifi\n    message ja \"{s.id}\" en \"x\"", "check.unknown-name", 9, 13),
        ("  expect facility.uses_wifi\n    message ja \"{oops\" en \"x\"", "check.bad-template", 9, 13),
        ("  risks R9\n  expect facility.uses_wifi", "check.unknown-risk", 8, 9),
        // `== null` on a field: absence is tested with `is missing` / `is present` (review 12 #15).
        ("  expect none d in devices : d.device_lock == null", "check.null-comparison", 8, 47),
        ("  expect every d in devices : d.device_lock != null", "check.null-comparison", 8, 48),
        ("  expect every d in devices : null == d.device_lock", "check.null-comparison", 8, 31),
        ("  expect every d in devices : d.device_lock not in [\"none\", null]", "check.null-comparison", 8, 61),
        ("  attestation \"k\" by operations-lead, boss renew 365 days", "check.unknown-role", 8, 39),
    ])
    func diagnosticsAreLocated(_ body: String, _ id: String, _ line: Int, _ column: Int) {
        let o = checkPack(ruleText(body))
        let d = o.diagnostics.first { $0.id == id }
        #expect(d != nil, "expected \(id), got \(o.diagnostics.map(\.description))")
        #expect(d?.location?.line == line)
        #expect(d?.location?.column == column)
    }

    @Test func suggestionsNameTheClosestField() {
        let o = checkPack(ruleText("  expect every s in staff : s.pledge_signed is present"))
        #expect(o.diagnostics.first?.help == "did you mean `pledge_signed_on`?")
    }

    @Test func catalogAgreement() {
        let o = checkPack(ruleText("  expect facility.uses_wifi", level: "recommended", category: "technical"))
        #expect(o.diagnostics.filter { $0.id == "check.catalog-mismatch" }.count == 2)
        let u = checkPack(ruleText("  expect facility.uses_wifi", implements: "X-REQ-02"))
        let unknown = u.diagnostics.first { $0.id == "check.unknown-catalog-id" }
        #expect(unknown?.help == "did you mean `X-REQ-01`?")
    }

    @Test func missingClausesAndDuplicates() {
        let o = checkPack("rule a {\n  level required\n}\nrule a {\n  level required\n}")
        let ids = o.diagnostics.map(\.id)
        #expect(ids.contains("check.duplicate-rule"))
        #expect(ids.filter { $0 == "check.missing-clause" }.count == 6)
        #expect(o.pack == nil)
    }

    @Test func parameterDeclarationsAreChecked() {
        let bad = """
            pack p {
              version "1"
              title ja "p" en "p"
              param a: int = "x"
                because "r"
              param b: duration = 20 days limit <= 14 days
                because "r"
              param c: int = staff
                because "r"
              param a: int = 1
                because "r"
              param d: int = 1
                because " "
              category human-organizational ja "人的・組織的対策" en "Human and organisational"
              scope mcs ja "MCS" en "MCS"
              risk R1 ja "不正な閲覧" en "Unauthorised viewing"
            }
            """
        let o = Checker.check(
            PackSource(files: [("p.tenken", bad)], catalog: ("c.tsv", miniCatalog)), schema: PackLoader.builtInSchema)
        #expect(
            o.diagnostics.map(\.id) == [
                "check.type-mismatch", "check.bad-limit", "check.not-constant", "check.duplicate-param",
                "check.missing-reason",
                "check.no-rules",
            ])
    }

    /// A named condition is checked as if it were written where it is used: the expansion is the
    /// inline text, argument for variable, and a variable bound again inside it is left alone.
    @Test func namedConditionsExpandToTheirText() throws {
        let manifest = miniManifest.replacingOccurrences(
            of: "  version \"1\"",
            with: """
                  version "1"
                  define in_use(d) = d.status not in ["returned", "retired", "lost"] and d.used_for_mcs != false
                  define has_account(s) = some a in accounts : a.staff_id == s.id and a.status == "active"
                  define mobile_in_use(d) = d.kind in param.kinds and in_use(d)
                """)
        var checker = Checker(schema: PackLoader.builtInSchema)
        var diags: [Diagnostic] = []
        let (tree, parseDiags) = Parser.parse(manifest, file: "m/pack.tenken")
        #expect(parseDiags.isEmpty, "\(parseDiags)")
        for case .pack(let p) in tree.items { _ = checker.manifest(p, file: "m/pack.tenken") }
        #expect(checker.bag.items.isEmpty, "\(checker.bag.items)")
        var defs = checker.definitions
        func expanded(_ text: String) throws -> String {
            let e = try #require(Parser.parseExpression(text).0)
            return Formatter.expr(defs.expand(e, file: "m/r.tenken", into: &diags))
        }
        func inline(_ text: String) throws -> String { Formatter.expr(try #require(Parser.parseExpression(text).0)) }
        #expect(
            try expanded("every x in devices where in_use(x) : x.vpn")
                == inline(
                    "every x in devices where x.status not in [\"returned\", \"retired\", \"lost\"] and "
                        + "x.used_for_mcs != false : x.vpn"
                ))
        #expect(
            try expanded("every m in staff where has_account(m) : m.hired_on is present")
                == inline(
                    "every m in staff where (some a in accounts : a.staff_id == m.id and a.status == \"active\") : "
                        + "m.hired_on is present"
                ))
        #expect(
            try expanded("every y in devices where mobile_in_use(y) : y.vpn")
                == inline(
                    "every y in devices where y.kind in param.kinds and (y.status not in [\"returned\", \"retired\", "
                        + "\"lost\"] and y.used_for_mcs != false) : y.vpn"
                ))
        #expect(diags.isEmpty, "\(diags)")

        // The checked pack keeps each condition as written, for `explain`; the ones a condition
        // uses are found through other conditions, once each, and only as whole words.
        var fresh = Checker(schema: PackLoader.builtInSchema)
        let info = fresh.manifest(
            try #require(tree.items.compactMap { if case .pack(let p) = $0 { p } else { nil } }.first),
            file: "m/pack.tenken")
        #expect(info.conditions.map(\.name) == ["in_use", "has_account", "mobile_in_use"])
        #expect(info.conditions.first?.location.line == 3)
        let used = NamedCondition.used(in: "every y in devices where mobile_in_use(y) : y.vpn", from: info.conditions)
        #expect(used.map(\.name) == ["mobile_in_use", "in_use"])
        #expect(NamedCondition.used(in: "x.not_in_use(d) or my_in_use(d)", from: info.conditions).isEmpty)

        // Used in a rule, it checks clean, and `tenken fmt` keeps the definition as written.
        let o = Checker.check(
            PackSource(
                files: [
                    ("m/pack.tenken", manifest),
                    ("m/r.tenken", ruleText("  expect every d in devices where in_use(d) : d.vpn")),
                ],
                catalog: ("m/catalog.tsv", miniCatalog)), schema: PackLoader.builtInSchema)
        // The two conditions no rule uses are warned of.
        #expect(o.diagnostics.map(\.id) == ["check.unused-define", "check.unused-define"], "\(o.diagnostics)")
        // The rule keeps its text as written for `explain`.
        #expect(o.pack?.rules.first?.expects.first?.source == "every d in devices where in_use(d) : d.vpn")
        #expect(
            TenkenSyntax.Formatter.format(tree).contains(
                "  define in_use(d) = d.status not in [\"returned\", \"retired\", \"lost\"] and d.used_for_mcs != "
                    + "false\n"
            ))
        #expect(Dump.file(tree).contains("  define in_use d (and "))
    }

    /// A name defined twice or taken from a built-in, a variable named twice, a use with the
    /// wrong number of arguments and a condition that uses itself are errors at their place.
    @Test func namedConditionErrors() {
        func ids(_ defines: String, _ body: String) -> [String] {
            let manifest = miniManifest.replacingOccurrences(of: "  version \"1\"", with: "  version \"1\"\n" + defines)
            let o = Checker.check(
                PackSource(
                    files: [("m/pack.tenken", manifest), ("m/r.tenken", ruleText(body))],
                    catalog: ("m/catalog.tsv", miniCatalog)), schema: PackLoader.builtInSchema)
            return o.diagnostics.map(\.id)
        }
        let use = "  expect every d in devices where in_use(d) : d.vpn"
        #expect(ids("  define in_use(d) = d.vpn\n  define in_use(d) = d.vpn", use) == ["check.duplicate-define"])
        #expect(ids("  define len(d) = d.vpn\n  define in_use(d) = d.vpn", use) == ["check.duplicate-define"])
        #expect(
            ids("  define in_use(d, d) = d.vpn", "  expect every d in devices where in_use(d, d) : d.vpn").contains(
                "check.duplicate-define"))
        #expect(
            ids("  define in_use(d) = d.vpn", "  expect every d in devices where in_use(d, d) : d.vpn") == [
                "check.bad-arguments"
            ])
        #expect(ids("  define in_use(d) = again(d)\n  define again(d) = in_use(d)", use) == ["check.recursive-define"])
        #expect(
            ids("  define in_use(d) = d.vpn", "  expect every d in devices where undefined(d) : d.vpn") == [
                "check.unused-define", "check.unknown-function",
            ])
    }

    /// The diagnostics of the mini pack with `defines` in its manifest and one rule expecting `body`.
    static func defineDiags(
        _ defines: String, _ body: String = "  expect every d in devices where in_use(d) : d.vpn"
    ) -> [Diagnostic] {
        let manifest = miniManifest.replacingOccurrences(of: "  version \"1\"", with: "  version \"1\"\n" + defines)
        return Checker.check(
            PackSource(
                files: [("m/pack.tenken", manifest), ("m/r.tenken", ruleText(body))],
                catalog: ("m/catalog.tsv", miniCatalog)), schema: PackLoader.builtInSchema
        ).diagnostics
    }

    /// Conditions that use each other twice per level double at each level: 12 or 30 levels
    /// (2^30 copies) are one located error, quickly, not a crash; a condition using itself twice
    /// is a cycle, named in full, at the definition, once. A chain of 40 that never cycles is fine.
    @Test func namedConditionsAreBoundedAndCyclesFound() {
        func doubling(_ n: Int) -> String {
            (1..<n).map { "  define a\($0)(d) = a\($0 + 1)(d) and a\($0 + 1)(d)" }.joined(separator: "\n")
                + "\n  define a\(n)(d) = d.status not in [\"returned\", \"retired\", \"lost\"] and d.vpn\n  define "
                + "in_use(d) = a1(d)"
        }
        for n in [12, 30] {
            let ds = Self.defineDiags(doubling(n))
            #expect(
                !ds.isEmpty
                    && ds.allSatisfy { $0.id == "check.define-too-large" && $0.location?.file == "m/pack.tenken" },
                "\(ds)")
        }
        let selfUse = Self.defineDiags("  define in_use(d) = in_use(d) and in_use(d)")
        #expect(selfUse.map(\.id) == ["check.recursive-define"])
        #expect(selfUse.first?.location?.description == "m/pack.tenken:3:10")
        let through = Self.defineDiags(
            "  define in_use(d) = a(d)\n  define a(d) = b(d) and d.vpn\n  define b(d) = in_use(d) or a(d)")
        #expect(through.map(\.id) == ["check.recursive-define"], "\(through)")
        #expect(through.first?.message.contains("`a` → `b` → `in_use` → `a`") == true, "\(through)")
        let chain =
            (1..<40).map { "  define a\($0)(d) = a\($0 + 1)(d)" }.joined(separator: "\n")
            + "\n  define a40(d) = d.vpn\n  define in_use(d) = a1(d)"
        #expect(Self.defineDiags(chain).isEmpty)
        // Nesting uses in arguments is bounded at the use, by size and by the parser's depth.
        let nested = Self.defineDiags(
            "  define in_use(d) = f(d)\n  define f(x) = x and x",
            "  expect every d in devices where " + String(repeating: "f(", count: 40) + "d.vpn"
                + String(repeating: ")", count: 40) + " : d.vpn")
        #expect(nested.map(\.id) == ["check.unused-define", "check.define-too-large"], "\(nested)")
        // At the use where the bound is passed.
        #expect(nested.last?.location?.file == "m/r.tenken" && nested.last?.location?.line == 8, "\(nested)")
        let deepDefine = "  define in_use(d) = g(d.vpn)\n  define g(x) = " + String(repeating: "not ", count: 100) + "x"
        #expect(Self.defineDiags(deepDefine).isEmpty)
        let deep = Self.defineDiags(
            deepDefine,
            "  expect every d in devices where " + String(repeating: "g(", count: 100) + "d.vpn"
                + String(repeating: ")", count: 100) + " : d.vpn")
        #expect(deep.map(\.id) == ["check.unused-define", "check.define-too-large"], "\(deep)")
        #expect(deep.last?.message.contains("128 levels") == true, "\(deep)")
    }

    /// A condition's body sees its variables, the snapshot and parameters, nothing of the rule
    /// that uses it; its errors are reported once at the definition, used or not, and an error
    /// that depends on the arguments is reported at the use with a note naming the definition.
    @Test func namedConditionsAreHygienicAndCheckedWhereDefined() {
        // A misspelt variable would read the caller's `d`: an error at the definition.
        let dyn = Self.defineDiags("  define in_use(dev) = d.vpn")
        #expect(dyn.map(\.id) == ["check.unknown-name"])
        #expect(dyn.first?.location?.description == "m/pack.tenken:3:24")
        // Unused, and broken: still checked, once each, and warned as unused.
        let unused = Self.defineDiags(
            "  define in_use(d) = d.vpn\n  define spare(d) = zz.q and len(d) + 1 and nosuch(d)",
            "  expect facility.uses_wifi")
        #expect(
            unused.map(\.id).sorted() == [
                "check.unknown-function", "check.unknown-name", "check.unused-define", "check.unused-define",
            ], "\(unused)")
        #expect(unused.allSatisfy { $0.location?.file == "m/pack.tenken" })
        #expect(Self.defineDiags("  define in_use(d) = len(d) + 1").map(\.id) == ["check.type-mismatch"])
        // Used twice, an error that depends on the argument: at each use, with the definition named.
        let enumTypo = Self.defineDiags(
            "  define in_use(d) = d.status != \"retird\"",
            "  expect every d in devices where in_use(d) : d.vpn\n  expect every e in devices where in_use(e) : e.vpn")
        #expect(enumTypo.map(\.id) == ["check.unknown-enum-value"], "\(enumTypo)")
        #expect(enumTypo.first?.location?.description == "m/r.tenken:8:35")
        #expect(
            enumTypo.first?.notes == ["in condition `in_use`, defined at m/pack.tenken:3:10; the same at 1 other use"],
            "\(enumTypo)")
        // A variable the condition binds is renamed where the rule binds the same name.
        let paired =
            "  define in_use(d) = d.vpn\n  define paired(d) = some x in devices where x.id != d.id : "
            + "x.assigned_staff_id == d.assigned_staff_id"
        #expect(Self.defineDiags(paired, "  expect every x in devices where paired(x) and in_use(x) : x.vpn").isEmpty)
        #expect(
            Self.defineDiags(
                paired,
                "  expect every x in devices where paired(x) and in_use(x) and (some x_2 in devices : x_2.vpn) : x.vpn"
            ).isEmpty)
    }

    /// Reserved words and names that would hide the snapshot are refused; "defined twice" says
    /// where first; a misspelt use is offered the defined names; a message cannot use one.
    @Test func namedConditionNamesAndMessages() {
        for bad in [
            "  define not(d) = d.vpn", "  define every(d) = d.vpn", "  define param(d) = d.vpn",
            "  define f(true) = true", "  define f(devices) = true", "  define f(as_of) = true",
            "  define f(d, e, d) = d.vpn",
        ] {
            #expect(
                Self.defineDiags("  define in_use(d) = d.vpn\n" + bad).map(\.id) == ["check.duplicate-define"], "\(bad)"
            )
        }
        #expect(
            Self.defineDiags("  define f(d, e, d) = d.vpn", "  expect facility.uses_wifi").first?.location?.description
                == "m/pack.tenken:3:18")
        let twice = Self.defineDiags("  define in_use(d) = d.vpn\n  define in_use(d) = d.vpn")
        #expect(twice.first?.message.contains("first at m/pack.tenken:3:10") == true, "\(twice)")
        let misspelt = Self.defineDiags(
            "  define in_use(d) = d.vpn", "  expect every d in devices where in_usee(d) : d.vpn")
        #expect(misspelt.last?.help == "did you mean `in_use`?", "\(misspelt)")
        let message = Self.defineDiags(
            "  define in_use(d) = d.vpn",
            "  expect every d in devices where in_use(d) : d.vpn\n    message ja \"{in_use(d)}\" en \"x\"")
        #expect(message.map(\.id) == ["check.define-in-message"], "\(message)")
    }

    /// A pack checks everything its catalog lists, or says which items it leaves out and why.
    @Test func everyCatalogItemIsImplementedOrOutOfScope() {
        func check(_ manifestExtra: String, _ rules: String = ruleText("  expect facility.uses_wifi")) -> [Diagnostic] {
            let manifest = miniManifest.replacingOccurrences(
                of: "  version \"1\"", with: "  version \"1\"\n" + manifestExtra)
            return Checker.check(
                PackSource(
                    files: [("m/pack.tenken", manifest), ("m/r.tenken", rules)],
                    catalog: ("m/catalog.tsv", twoItemCatalog)), schema: PackLoader.builtInSchema
            ).diagnostics
        }
        let missing = check("")
        #expect(missing.map(\.id) == ["check.unimplemented-item"])
        #expect(missing.first?.location?.description == "m/catalog.tsv:3:1")
        #expect(check("  out_of_scope X-REC-01\n    because \"not offered here\"").isEmpty)
        let both = check("  out_of_scope X-REQ-01\n    because \"x\"\n  out_of_scope X-REC-01\n    because \"y\"")
        #expect(both.map(\.id) == ["check.out-of-scope-implemented"])
        #expect(check("  out_of_scope X-REC-02\n    because \"z\"").map(\.id).contains("check.unknown-catalog-id"))
        #expect(check("  out_of_scope X-REC-01\n    because \" \"").map(\.id) == ["check.missing-reason"])
        let none = Checker.check(
            PackSource(files: [("m/pack.tenken", miniManifest)], catalog: ("m/catalog.tsv", miniCatalog)),
            schema: PackLoader.builtInSchema)
        #expect(none.pack == nil && none.diagnostics.map(\.id) == ["check.no-rules"])
        // The formatter keeps the clause.
        let text = miniManifest.replacingOccurrences(
            of: "  version \"1\"", with: "  version \"1\"\n  out_of_scope X-REC-01\n    because \"not offered here\"")
        let (tree, _) = Parser.parse(text, file: "p")
        #expect(Formatter.format(tree).contains("  out_of_scope X-REC-01\n    because \"not offered here\"\n"))
    }

    /// `platform` takes a CPE 2.3 formatted string (the XCCDF report's platform); anything else
    /// is an error at the clause, and the formatter keeps it.
    @Test func platformIsACPE23Name() throws {
        func check(_ platform: String) -> CheckOutcome {
            let manifest = miniManifest.replacingOccurrences(
                of: "  version \"1\"", with: "  version \"1\"\n  platform \"\(platform)\"")
            return Checker.check(
                PackSource(
                    files: [("m/pack.tenken", manifest), ("m/r.tenken", ruleText("  expect facility.uses_wifi"))],
                    catalog: ("m/catalog.tsv", miniCatalog)), schema: PackLoader.builtInSchema)
        }
        let good = check("cpe:2.3:a:embrace:medical_care_station:*:*:*:*:*:*:*:*")
        #expect(
            good.diagnostics.isEmpty
                && good.pack?.info.platform == "cpe:2.3:a:embrace:medical_care_station:*:*:*:*:*:*:*:*")
        for bad in [
            "cpe:/a:embrace:mcs", "cpe:2.3:a:embrace:mcs", "cpe:2.3:x:v:p:*:*:*:*:*:*:*:*",
            "cpe:2.3:a:v:p q:*:*:*:*:*:*:*",
        ] {
            let out = check(bad)
            #expect(out.diagnostics.map(\.id) == ["check.bad-platform"], "\(bad)")
            #expect(out.diagnostics.first?.location?.line == 3)
        }
        #expect(
            PackInfo.isCPE23(#"cpe:2.3:a:v:p\!x:1.0:*:*:ja:-:*:*:*"#)
                && PackInfo.isCPE23("cpe:2.3:o:v:p:1.?:*:*:*:*:*:*:*"))
        #expect(!PackInfo.isCPE23("cpe:2.3:a:v:p:1*0:*:*:*:*:*:*:*"))
        #expect(
            try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack).info
                .platform?.hasPrefix(
                    "cpe:2.3:a:embrace:") == true)
        let text = miniManifest.replacingOccurrences(
            of: "  version \"1\"", with: "  version \"1\"\n  platform \"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\"")
        #expect(
            Formatter.format(Parser.parse(text, file: "p").0).contains("  platform \"cpe:2.3:a:v:p:*:*:*:*:*:*:*:*\"\n")
        )
    }

    @Test func joinsOnTopLevelCollectionsBecomeLookups() throws {
        let o = checkPack(
            ruleText("  expect every a in accounts : some s in staff where s.id == a.staff_id and s.uses_mcs"))
        let rule = try #require(o.pack?.rules.first)
        guard case .perElement(_, let loop) = rule.expects[0].shape, case .quantifier(_, let inner)? = loop.body else {
            Issue.record("shape"); return
        }
        guard case .lookup = inner.bindings[0].source else {
            Issue.record("the join was not indexed: \(inner.bindings[0].source)"); return
        }
        #expect(inner.filter != nil)
    }
}

struct BundledPackTests {
    static var root: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
    }

    /// What Rules/mcs/catalog.tsv says, read without the checker: its items (rows after the
    /// header) and the distinct rules its `rules` column names.
    static func catalogCounts() throws -> (items: Int, rules: Int) {
        let text = try String(contentsOf: root.appendingPathComponent("Rules/mcs/catalog.tsv"), encoding: .utf8)
        let rows = text.split(separator: "\n").map { $0.split(separator: "\t", omittingEmptySubsequences: false) }
        let header = try #require(rows.first)
        let col = try #require(header.firstIndex(of: "rules"))
        let items = rows.dropFirst().filter { $0.count > col }
        let rules = Set(items.flatMap { $0[col].split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) } })
        return (items.count, rules.count)
    }

    @Test func theMCSPackChecksCleanAndCoversTheCatalog() throws {
        let loaded = PackLoader.embedded()
        let o = Checker.check(loaded.source, schema: PackLoader.builtInSchema)
        #expect(o.diagnostics.isEmpty, "\(o.diagnostics)")
        let pack = try #require(o.pack)
        let counts = try Self.catalogCounts()
        #expect(pack.catalog.count == counts.items)
        for item in pack.catalog {
            let rules = pack.rules.filter { $0.implements.contains(item.id) }
            #expect(!rules.isEmpty, "\(item.id) has no rule")
            for r in rules {
                #expect(r.level == item.level && r.category == item.category, "\(r.id) disagrees with \(item.id)")
            }
        }
    }

    /// The binary's copy of the pack is exactly Rules/mcs: scripts/embed-pack was run.
    @Test func embeddedPackMatchesRulesDirectory() throws {
        let dir = Self.root.appendingPathComponent("Rules/mcs")
        let disk = try #require(try? PackLoader.directory(dir.path).get())
        let embedded = PackLoader.embedded()
        let diskTexts = Dictionary(
            uniqueKeysWithValues: disk.source.files.map { (String($0.path.dropFirst(dir.path.count + 1)), $0.text) })
        let embTexts = Dictionary(
            uniqueKeysWithValues: embedded.source.files.map { (String($0.path.dropFirst("Rules/mcs/".count)), $0.text) }
        )
        #expect(diskTexts == embTexts, "run scripts/embed-pack")
        #expect(disk.source.catalog?.text == embedded.source.catalog?.text, "run scripts/embed-pack")
        #expect(disk.tests.map(\.bytes) == embedded.tests.map(\.bytes), "run scripts/embed-pack")
        #expect(disk.provider?.bytes == embedded.provider?.bytes, "run scripts/embed-pack")
    }

    /// The pack's catalog started as a copy of the shared one and was then read against the
    /// source line by line (docs/fidelity.md says what changed and why: levels, the source's
    /// exact words, new items). No item of the shared catalog may disappear. Checked only
    /// when the shared folder is present; the project never needs it.
    @Test func catalogKeepsEverySharedItem() throws {
        let shared = Self.root.deletingLastPathComponent().appendingPathComponent("shared/requirements/mcs-catalog.tsv")
        guard let theirs = try? String(contentsOf: shared, encoding: .utf8) else { return }
        let ours = try String(contentsOf: Self.root.appendingPathComponent("Rules/mcs/catalog.tsv"), encoding: .utf8)
        let ids = { (t: String) in Set(CatalogParser.parse(t, file: "c.tsv").0.map(\.id)) }
        #expect(ids(theirs).subtracting(ids(ours)).isEmpty)
    }

    @Test func checkingThePackIsFast() throws {
        // Not a timing test: the benchmark measures speed. This guards the size of the work.
        let o = Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema)
        let expected = try Self.catalogCounts().rules
        #expect((o.pack?.rules.count ?? 0) == expected)
    }
}
