import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCheck

/// Categories, scopes and risks are the pack's words (`category`, `scope`, `risk` in the
/// manifest), not the engine's: the checker refuses any other at the rule clause or the catalog
/// cell that names it, and a pack that declares none of a kind works without them.
struct TaxonomyTests {
    /// The mini pack with its manifest's taxonomy lines replaced by `declarations`, one rule
    /// (`rule`) and `catalog`.
    static func check(declarations: String?, rule: String, catalog: String = miniCatalog) -> CheckOutcome {
        var manifest = miniManifest
        if let declarations {
            let kept = manifest.split(separator: "\n", omittingEmptySubsequences: false).filter {
                !["category ", "scope ", "risk "].contains(where: $0.trimmingCharacters(in: .whitespaces).hasPrefix)
            }
            manifest = kept.joined(separator: "\n").replacingOccurrences(
                of: "\n}", with: (declarations.isEmpty ? "" : "\n" + declarations) + "\n}")
        }
        return Checker.check(
            PackSource(
                files: [("m/pack.tenken", manifest), ("m/r.tenken", rule)], catalog: ("m/catalog.tsv", catalog)),
            schema: PackLoader.builtInSchema)
    }

    @Test func theMiniPackDeclaresItsWordsInOrder() throws {
        let o = Self.check(declarations: nil, rule: ruleText("  expect facility.uses_wifi"))
        let pack = try #require(o.pack, "\(o.diagnostics)")
        #expect(pack.info.taxonomy.categories.map(\.id) == ["human-organizational", "technical"])
        #expect(pack.info.taxonomy.label(Category(rawValue: "technical")) == Bilingual(ja: "技術的対策", en: "Technical"))
        #expect(pack.info.taxonomy.scopes.map(\.id) == ["mcs", "outside-mcs"])
        #expect(pack.info.taxonomy.risks.first?.location?.description == "m/pack.tenken:12:8")
        #expect(pack.rules.first?.category == Category(rawValue: "human-organizational"))
    }

    /// A rule naming an undeclared word: the error is at the word, with the nearest declared one.
    @Test(arguments: [
        ("human-organisational", "mcs", "R1", "check.unknown-category", 4, 12, "did you mean `human-organizational`?"),
        ("human-organizational", "mcx", "R1", "check.unknown-scope", 5, 9, "did you mean `mcs`?"),
        ("human-organizational", "mcs", "R3x", "check.unknown-risk", 6, 9, "did you mean `R3`?"),
    ])
    func aRuleNamingAnUndeclaredWordIsRefused(
        _ category: String, _ scope: String, _ risk: String, _ id: String, _ line: Int, _ column: Int, _ help: String
    ) {
        let rule = """
            rule r1 {
              implements X-REQ-01
              level required
              category \(category)
              scope \(scope)
              risks \(risk)
              title ja "t" en "t"
              remediation ja "r" en "r"
              expect facility.uses_wifi
            }
            """
        let o = Self.check(declarations: nil, rule: rule)
        #expect(o.pack == nil)
        let d = o.diagnostics.first { $0.id == id }
        #expect(d?.location?.description == "m/r.tenken:\(line):\(column)", "\(o.diagnostics)")
        #expect(d?.help == help)
        #expect(d?.message.contains("the pack declares") == true)
    }

    /// A catalog row naming an undeclared word: the error is at its cell (line and column).
    @Test func aCatalogRowNamingAnUndeclaredWordIsRefusedAtItsCell() {
        let catalog = miniCatalog.replacingOccurrences(of: "\thuman-organizational\t", with: "\thuman-organisation\t")
            .replacingOccurrences(of: "\tR1\t", with: "\tR1,R9\t")
        let o = Self.check(declarations: nil, rule: ruleText("  expect facility.uses_wifi"), catalog: catalog)
        let cat = o.diagnostics.first { $0.id == "check.unknown-category" }
        // X-REQ-01<tab>2-1<tab>: the category starts at column 14.
        #expect(cat?.location?.description == "m/catalog.tsv:2:14", "\(o.diagnostics)")
        #expect(cat?.help == "did you mean `human-organizational`?")
        let risk = o.diagnostics.first { $0.id == "check.unknown-risk" }
        #expect(risk?.location?.line == 2 && risk?.message.contains("`R9`") == true, "\(o.diagnostics)")
        #expect(o.pack == nil)
    }

    /// A pack without categories, scopes or risks: its rules and catalog name none, and it checks.
    /// Naming one anyway is refused, saying the pack declares none.
    @Test func aPackMayDeclareNoTaxonomy() throws {
        let catalog = "id\tsection\tlevel\tevidence\tja\ten\nX-REQ-01\t1\trequired\tfacility\t必要\tneeded\n"
        let rule = """
            rule r1 {
              implements X-REQ-01
              level required
              title ja "t" en "t"
              remediation ja "r" en "r"
              expect facility.uses_wifi
            }
            """
        let o = Self.check(declarations: "", rule: rule, catalog: catalog)
        let pack = try #require(o.pack, "\(o.diagnostics)")
        #expect(o.diagnostics.isEmpty, "\(o.diagnostics)")
        #expect(pack.info.taxonomy == Taxonomy())
        #expect(pack.rules.first?.category == nil && pack.rules.first?.scope == nil)
        #expect(pack.catalog.first?.category == nil && pack.catalog.first?.risks == [])

        let named = Self.check(
            declarations: "",
            rule: rule.replacingOccurrences(of: "  level required", with: "  level required\n  category technical"),
            catalog: catalog)
        // Naming one anyway takes it as declared (`check.implied-terms`), as if pasted: the catalog then needs the column.
        #expect(named.diagnostics.map(\.id).contains("check.catalog-column"), "\(named.diagnostics)")
        #expect(
            named.diagnostics.first { $0.id == "check.implied-terms" }?.notes == [
                "`technical` is first named at m/r.tenken:4:12", "category technical ja \"technical\" en \"technical\"",
            ])
        // A catalog that still has the column, with empty cells, is the same pack.
        let withColumns =
            "id\tsection\tcategory\tlevel\tscope\trisks\tevidence\tja\ten\nX-REQ-01\t1\t\trequired\t\t\tfacility\t必要\tneeded\n"
        #expect(Self.check(declarations: "", rule: rule, catalog: withColumns).diagnostics.isEmpty)
    }

    /// A pack that declares no word of a kind (one written before the taxonomy was declared):
    /// the words its catalog, then its rules, name are taken as declared, labelled by their ids,
    /// with one warning per kind at the manifest's name giving the lines to paste.
    @Test func undeclaredWordsAreImpliedWithOneWarningPerKind() throws {
        let catalog = twoItemCatalog
        let second = ruleText(
            "  expect facility.uses_wifi", level: "recommended", category: "technical", implements: "X-REC-01"
        ).replacingOccurrences(of: "rule r1", with: "rule r2").replacingOccurrences(
            of: "scope mcs", with: "scope outside-mcs")
        let rule =
            ruleText("  expect facility.uses_wifi")
            .replacingOccurrences(of: "  scope mcs\n", with: "  scope mcs\n  risks R1, R7\n") + "\n" + second
        let o = Self.check(declarations: "", rule: rule, catalog: catalog)
        let pack = try #require(o.pack, "\(o.diagnostics)")
        let t = pack.info.taxonomy
        #expect(t.categories.map(\.id) == ["human-organizational", "technical"])
        #expect(t.scopes.map(\.id) == ["mcs", "outside-mcs"])
        #expect(t.risks.map(\.id) == ["R1", "R3", "R7"])
        #expect(t.label(Category(rawValue: "technical")) == Bilingual(ja: "technical", en: "technical"))
        #expect(o.diagnostics.allSatisfy { $0.id == "check.implied-terms" && $0.severity == .warning })
        #expect(o.diagnostics.count == 3, "\(o.diagnostics)")
        let risk = try #require(o.diagnostics.first { $0.message.contains("risks") })
        #expect(risk.location?.description == "m/pack.tenken:1:6")
        #expect(
            risk.message
                == "the manifest declares no risks: the 3 the rules and catalog name (R1, R3, R7) are taken as declared, "
                + "labelled by their ids")
        #expect(
            risk.notes == [
                "`R1` is first named at m/catalog.tsv:2:48", "`R3` is first named at m/catalog.tsv:3:48",
                "`R7` is first named at m/r.tenken:6:13", "risk R1 ja \"R1\" en \"R1\"", "risk R3 ja \"R3\" en \"R3\"",
                "risk R7 ja \"R7\" en \"R7\"",
            ])
        #expect(
            risk.help
                == "paste the risk lines above into the `pack` block and give them labels; once a pack declares one risk, "
                + "every word it does not declare is an error")
        let scope = o.diagnostics.first { $0.message.contains("scopes") }
        #expect(scope?.notes.first == "`mcs` is first named at m/catalog.tsv:2:44")
    }

    /// Declaring one word of a kind keeps that kind strict, while a kind declared not at all is implied.
    @Test func oneDeclaredWordKeepsItsKindStrict() {
        let rule = ruleText("  expect facility.uses_wifi", category: "human-organisational")
        let o = Self.check(
            declarations: "  category human-organizational ja \"人的\" en \"Human\"", rule: rule)
        #expect(o.pack == nil)
        let d = o.diagnostics.first { $0.id == "check.unknown-category" }
        #expect(d?.location?.description == "m/r.tenken:4:12", "\(o.diagnostics)")
        #expect(d?.help == "did you mean `human-organizational`?")
        #expect(
            o.diagnostics.filter { $0.id == "check.implied-terms" }.map { $0.message.contains("categories") } == [
                false, false,
            ])
    }

    /// Declaring categories makes them needed: a rule without one, a catalog without the column.
    @Test func declaredWordsAreNeeded() {
        let rule = ruleText("  expect facility.uses_wifi").replacingOccurrences(
            of: "  category human-organizational\n", with: "")
        let o = Self.check(declarations: nil, rule: rule)
        #expect(
            o.diagnostics.map(\.message) == ["rule `r1` needs a `category`"], "\(o.diagnostics)")
        let noColumn =
            "id\tsection\tlevel\tscope\trisks\tevidence\tja\ten\nX-REQ-01\t2-1\trequired\tmcs\tR1\tstaff\tx\tx\n"
        let c = Self.check(declarations: nil, rule: ruleText("  expect facility.uses_wifi"), catalog: noColumn)
        #expect(c.diagnostics.first?.id == "check.catalog-column", "\(c.diagnostics)")
        #expect(c.diagnostics.first?.message == "catalog header lacks column `category`")
        let blank = miniCatalog.replacingOccurrences(of: "\thuman-organizational\t", with: "\t\t")
        let b = Self.check(declarations: nil, rule: ruleText("  expect facility.uses_wifi"), catalog: blank)
        #expect(
            b.diagnostics.contains {
                $0.id == "check.catalog-row" && $0.location?.description == "m/catalog.tsv:2:14"
            })
    }

    @Test func aWordDeclaredTwiceOrWithoutLabelsIsAnError() {
        let o = Self.check(
            declarations: """
                  category human-organizational ja "人的" en "Human"
                  category technical ja "技術"
                  category human-organizational ja "人的" en "Human"
                  scope mcs ja "MCS" en "MCS"
                  risk R1 ja "r" en "r"
                """, rule: ruleText("  expect facility.uses_wifi"))
        #expect(o.diagnostics.map(\.id) == ["check.missing-clause", "check.duplicate-clause"], "\(o.diagnostics)")
        #expect(o.diagnostics.last?.message.contains("already declared at m/pack.tenken:") == true)
    }

    /// A rule and its catalog item agree on the scope as on the level and category.
    @Test func theScopeMustAgreeWithTheCatalog() {
        let rule = ruleText("  expect facility.uses_wifi").replacingOccurrences(
            of: "  scope mcs", with: "  scope outside-mcs")
        let o = Self.check(declarations: nil, rule: rule)
        #expect(o.diagnostics.map(\.id) == ["check.catalog-mismatch"], "\(o.diagnostics)")
        #expect(o.diagnostics.first?.location?.description == "m/r.tenken:5:9")
    }

    /// A level is the engine's: a pack cannot add one, in a rule or in the catalog.
    @Test func levelsAreTheEngines() {
        let catalog = miniCatalog.replacingOccurrences(of: "\trequired\t", with: "\trequird\t")
        let o = Self.check(declarations: nil, rule: ruleText("  expect facility.uses_wifi"), catalog: catalog)
        let d = o.diagnostics.first { $0.id == "check.unknown-level" }
        #expect(d?.location?.description == "m/catalog.tsv:2:35", "\(o.diagnostics)")
        #expect(d?.help == "did you mean `required`?")
    }

    /// The MCS pack declares the source's words; its categories' order is the reports' order.
    @Test func theMCSPackDeclaresItsTaxonomy() throws {
        let pack = try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack)
        let t = pack.info.taxonomy
        #expect(t.categories.map(\.id) == ["human-organizational", "technical", "physical", "provider"])
        #expect(t.scopes.map(\.id) == ["mcs", "outside-mcs"])
        #expect(t.risks.map(\.id) == ["R1", "R2", "R3", "R4"])
        #expect(t.scopes.last?.label == Bilingual(ja: "MCS外", en: "Outside MCS"))
        #expect(t.risks.first?.label.ja == "正当なもの以外による利用者個人情報/患者個人情報の不正な閲覧や作成、更新が行われる")
    }

    /// The formatter keeps a declaration on one line, and reads back what it wrote.
    @Test func declarationsFormatOnOneLine() {
        let text = "pack p {\n  version \"1\"\n  category a-b   ja \"甲\"\n     en \"A\"\n  risk R1 en \"r\"\n}\n"
        let formatted = Formatter.format(Parser.parse(text, file: "p").0)
        #expect(formatted.contains("  category a-b ja \"甲\" en \"A\"\n  risk R1 en \"r\"\n"), "\(formatted)")
        #expect(Formatter.format(Parser.parse(formatted, file: "p").0) == formatted)
    }
}
