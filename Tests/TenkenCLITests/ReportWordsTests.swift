import Foundation
import TenkenAudit
import TenkenData
import Testing

@testable import TenkenCLI

/// What a reader of each fixture's report sees: a Japanese report says the schema's values in
/// the schema's Japanese words (never `clerk`, `home-wifi`, `operations-lead`), the HTML shows
/// no plain-text markup, and every finding names the place that settles it.
@Suite struct ReportWordsTests {
    /// Maximal runs of ASCII letters, digits and the characters ids, paths and e-mail
    /// addresses are made of: `clerk` is a token, `password.long_min_length`,
    /// `facility.csv` and `manual-always-available` are tokens of their own.
    static func tokens(_ s: String) -> Set<String> {
        var out: Set<String> = []
        var cur = ""
        for ch in s {
            if ch.isASCII, ch.isLetter || ch.isNumber || "._-@/:#".contains(ch) {
                cur.append(ch)
            } else {
                if !cur.isEmpty { out.insert(cur) }
                cur = ""
            }
        }
        if !cur.isEmpty { out.insert(cur) }
        return out
    }

    /// The text a browser shows: no style sheet, no tags, entities decoded.
    static func visibleText(_ html: String) -> String {
        var s = html
        if let a = s.range(of: "<style>"), let b = s.range(of: "</style>") {
            s.removeSubrange(a.lowerBound..<b.upperBound)
        }
        s = s.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
        for (e, c) in [("&lt;", "<"), ("&gt;", ">"), ("&quot;", "\""), ("&#39;", "'"), ("&amp;", "&")] {
            s = s.replacingOccurrences(of: e, with: c)
        }
        return s
    }

    /// Every English choice value the schema gives a Japanese word for.
    static let englishChoices = Set(Words.choiceWords(in: PackLoader.builtInSchema).keys)

    func check(_ fixture: String, _ args: [String]) -> String {
        let r = runCLI(["check", "Fixtures/\(fixture)", "--as-of", "2026-11-01", "--fail-on", "never"] + args)
        #expect(r.code == 0, "\(r.err)")
        return r.out
    }

    @Test(arguments: GoldenReportTests.fixtures)
    func japaneseReportsUseTheSchemasWords(_ fixture: String) throws {
        let text = check(fixture, ["--lang", "ja"])
        let html = Self.visibleText(check(fixture, ["--format", "html", "--lang", "ja"]))
        for (name, shown) in [("text", text), ("html", html)] {
            let leaks = Self.tokens(shown).intersection(Self.englishChoices)
            #expect(leaks.isEmpty, "\(fixture) \(name) shows English choice words: \(leaks.sorted())")
        }
        #expect(!html.contains("`"), "\(fixture): backticks in the HTML")
        // The JSON report's Japanese strings: messages, reasons, values and field names.
        let doc = try #require(
            try JSONSerialization.jsonObject(with: Data(check(fixture, ["--format", "json"]).utf8)) as? [String: Any])
        var ja: [String] = []
        func collect(_ v: Any) {
            if let d = v as? [String: Any] {
                for (k, x) in d {
                    if (k == "ja" || k == "value_ja"), let s = x as? String { ja.append(s) } else { collect(x) }
                }
            } else if let a = v as? [Any] {
                a.forEach(collect)
            }
        }
        collect(doc["results"] as Any)
        let leaks = Self.tokens(ja.joined(separator: "\n")).intersection(Self.englishChoices)
        #expect(leaks.isEmpty, "\(fixture) json ja strings show English choice words: \(leaks.sorted())")
        // The CSV report's columns for people (the state, level and category columns are
        // tenken's own words for programs).
        let csv = check(fixture, ["--format", "csv", "--lang", "ja"])
        let human = csv.split(separator: "\r\n").dropFirst().map {
            $0.split(separator: ",", omittingEmptySubsequences: false).suffix(5).joined(separator: ",")
        }
        let csvLeaks = Self.tokens(human.joined(separator: "\n")).intersection(Self.englishChoices)
        #expect(csvLeaks.isEmpty, "\(fixture) csv shows English choice words: \(csvLeaks.sorted())")
    }

    /// Every violation and every undetermined finding names a place: the cell, the row, or —
    /// for a row that is missing — the table or section it is missing from.
    @Test(arguments: GoldenReportTests.fixtures)
    func everyFindingHasALocation(_ fixture: String) throws {
        let doc = try #require(
            try JSONSerialization.jsonObject(with: Data(check(fixture, ["--format", "json"]).utf8)) as? [String: Any])
        var findings = 0
        for r in doc["results"] as? [[String: Any]] ?? [] {
            for list in ["violations", "undetermined"] {
                for v in r[list] as? [[String: Any]] ?? [] {
                    findings += 1
                    #expect(
                        v["location"] is [String: Any],
                        "\(fixture) \(r["rule"] ?? "") \(list): \(v["message"] ?? "") has no location")
                    for e in v["evidence"] as? [[String: Any]] ?? [] {
                        #expect(
                            e["location"] is [String: Any],
                            "\(fixture) \(r["rule"] ?? ""): evidence \(e["path"] ?? "") has no location")
                    }
                }
            }
        }
        if fixture == "messy-tsubaki" { #expect(findings > 50) }
    }

    /// A finding about a row no table has (no monitoring record, no device-management rule)
    /// points at the table the row belongs in.
    @Test func aMissingRowPointsAtItsTable() throws {
        let text = check("messy-tsubaki", ["--lang", "ja"])
        #expect(
            text.contains("モニタリング = （条件を満たす行がありません）  (Fixtures/messy-tsubaki/snapshot.json:311:17#/monitoring)"),
            "\(text)")
        #expect(text.contains("文書 = （条件を満たす行がありません）  (Fixtures/messy-tsubaki/snapshot.json:290:16#/documents)"))
    }
}
