import Foundation
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCheck
@testable import TenkenReport

/// The batch aggregate on paper: every rule and every facility, by name, in tables that fit
/// landscape A4 (and a 1,240-pixel screen); pass rates with their counts; bars coloured by rate.
struct AggregateHTMLTests {
    /// `a`'s page in Japanese, as `AggregateHTML.write` puts it in a file.
    static func render(_ a: Aggregate) throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-agg-\(UUID().uuidString).html")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        let out = try OutputFile(path: path)
        try AggregateHTML.write(a, lang: .ja, to: out)
        return try String(contentsOfFile: path, encoding: .utf8)
    }

    static func page(facilities: Int) throws -> (Aggregate, String) {
        let pack = try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack)
        let letters = Array("PFMAWNUE")
        var list: [FacilitySummary] = (1...facilities).map { i in
            let states = String((0..<pack.rules.count).map { letters[($0 * 7 + i) % letters.count] })
            return FacilitySummary(
                id: "F-\(String(format: "%04d", i))", name: i % 3 == 0 ? nil : "医療法人 第\(i)診療所 <b>&", input: "in/\(i)",
                status: .evaluated, states: states, diagnostics: [])
        }
        list.append(
            FacilitySummary(
                id: "broken", name: nil, input: "in/broken", status: .error, states: "",
                diagnostics: ["in/broken: error[x]: bad"]))
        let a = Aggregate(pack: pack, asOf: "2026-11-01", facilities: list, shard: nil)
        return (a, try Self.render(a))
    }

    @Test func everyRuleAndFacilityIsInTablesThatFitThePage() throws {
        let (a, html) = try Self.page(facilities: 30)
        let tables = html.components(separatedBy: "<table class=\"heat").dropFirst()
        #expect(tables.count == 2, "81 rules in two tables of at most \(AggregateHTML.maxRulesPerTable)")
        var seen: [String] = []
        for t in tables {
            let headers = t.components(separatedBy: "<th class=\"rule\"").dropFirst().map { h in
                String(h[h.index(after: h.firstIndex(of: ">")!)...].prefix { $0 != "<" })
            }
            #expect(headers.count <= AggregateHTML.maxRulesPerTable)
            seen += headers
            // Every facility in every table, by name and id; the one that failed to load says so.
            for f in a.facilities {
                if let name = f.name {
                    #expect(
                        t.contains(
                            "<td class=\"fid\">"
                                + "\(name.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;"))<span class=\"id\">\(f.id)</span></td>"
                        ))
                } else {
                    #expect(t.contains("<td class=\"fid\">\(f.id)</td>"))
                }
            }
            #expect(t.contains("読み込みエラー: in/broken: error[x]: bad"))
            // Each evaluated facility has one cell per rule of the table.
            #expect(t.components(separatedBy: "<td class=\"c s").count - 1 == headers.count * a.evaluatedCount)
        }
        #expect(seen == a.rules.map { $0.implements.first ?? $0.id }, "every rule once, in order")
        #expect(
            html.contains("print-color-adjust: exact"), "colours print even with the browser's background printing off")
        #expect(XMLValidation.htmlTexts(html, tag: "h2")?.count == 3)
    }

    /// The pass-rate table's headers (エラー, 不合格, 判定不能) are never broken inside a word
    /// (a line starting with ー breaks kinsoku).
    @Test func passRateHeadersDoNotWrap() throws {
        let (_, html) = try Self.page(facilities: 3)
        #expect(html.contains("<table class=\"rates\">"))
        #expect(AggregateHTML.extraCSS.contains("table.rates th { white-space: nowrap; word-break: keep-all; }"))
    }

    @Test func passRatesCarryTheirCountsAndBarsTheirColour() throws {
        let (a, html) = try Self.page(facilities: 30)
        for i in a.rules.indices {
            let st = a.stats(i)
            guard let rate = st.passRate else { continue }
            #expect(st.applicable == a.evaluatedCount - (st.counts[.notApplicable] ?? 0))
            #expect(html.contains("\(Int((rate * 100).rounded()))% (\(st.passed)/\(st.applicable))"))
            #expect(
                html.contains(
                    "class=\"fill \(AggregateHTML.rateClass(rate))\" style=\"width: \(Int((rate * 100).rounded()))%\""))
        }
        #expect(
            AggregateHTML.rateClass(0.2) == "r0" && AggregateHTML.rateClass(0.5) == "r1"
                && AggregateHTML.rateClass(0.95) == "r2" && AggregateHTML.rateClass(1) == "r3")
        #expect(
            AggregateHTML.columnGroups(81) == [0..<40, 40..<81] && AggregateHTML.columnGroups(43) == [0..<43]
                && AggregateHTML.columnGroups(0) == [])
    }

    /// A heatmap row whose name needs no escaping is put together as bytes; one that might is
    /// written by libxml2. Either way the name reads as `SafeText.xml` and XML escaping leave it.
    @Test func namedRowsAreWrittenAsLibxml2WritesThem() throws {
        let names = [
            "施設 F-00006", "Plain Name", "A\u{202E}B", "x\u{85}y", "tab\there", "a<b>&c", "zero\u{200B}width",
            "ｶﾅ", "emoji 🏥", "\u{FFFE}", "",
        ]
        let pack = try #require(Checker.check(PackLoader.embedded().source, schema: PackLoader.builtInSchema).pack)
        let list = names.enumerated().map { i, n in
            FacilitySummary(
                id: "F-\(i)", name: n, input: "in/\(i)", status: .evaluated,
                states: String(repeating: "P", count: pack.rules.count), diagnostics: [])
        }
        let a = Aggregate(pack: pack, asOf: "2026-11-01", facilities: list, shard: nil)
        let html = try Self.render(a)
        for (i, n) in names.enumerated() {
            let shown = SafeText.xml(n).replacingOccurrences(of: "&", with: "&amp;")
                .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
            let cell =
                n.isEmpty
                ? "<td class=\"fid\">F-\(i)</td>" : "<td class=\"fid\">\(shown)<span class=\"id\">F-\(i)</span></td>"
            #expect(html.components(separatedBy: cell).count - 1 == 2, "\(n.debugDescription) in both tables")
        }
        func plain(_ s: String) -> Bool { Array(s.utf8).withUnsafeBufferPointer { AggregateHTML.plainName($0) } }
        #expect(plain("施設 F-00006") && plain("Plain Name") && plain("emoji 🏥"))
        // Half-width kana share U+FFFE's lead byte: written by libxml2, as the page above shows.
        #expect(!plain("ｶﾅ"))
        #expect(
            !plain("A\u{202E}B") && !plain("x\u{85}y") && !plain("tab\there") && !plain("a<b") && !plain("\u{FFFE}"))
    }
}
