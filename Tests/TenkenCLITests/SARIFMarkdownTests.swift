import Foundation
import Testing

@testable import TenkenReport

/// SARIF's `help.markdown` is rendered by GitHub: every word the pack puts there is literal
/// text, never markup, a link, an image or an HTML tag.
struct SARIFMarkdownTests {
    static let hostile = [
        "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "**bold** and __under__ ~~gone~~",
        "[x](javascript:alert(1))", "![i](https://evil.example/p.png)", "`code` and ``more``", "a | b | c",
        "&amp; &lt;tag&gt; &#60;", "back\\slash\\*", "https://www.medical-care.net/*, then *",
    ]

    /// Every special character of `md` outside tenken's own `**…**` labels has a backslash before it.
    static func unescaped(_ md: String, labels: [String]) -> [Character] {
        var body = md
        for l in labels { body = body.replacingOccurrences(of: "**\(l)**", with: "") }
        var bad: [Character] = []
        var escaped = false
        for c in body {
            if escaped {
                escaped = false
                continue
            }
            if c == "\\" {
                escaped = true
            } else if MarkdownText.special.contains(c) {
                bad.append(c)
            }
        }
        return bad
    }

    @Test(arguments: hostile)
    func theEscapeLeavesNoMarkup(text: String) {
        let e = MarkdownText.escaped(text)
        #expect(Self.unescaped(e, labels: []).isEmpty, "\(e)")
        // Removing the escapes gives the text back: nothing is lost.
        var back = ""
        var skip = false
        for c in e {
            if !skip, c == "\\" {
                skip = true
                continue
            }
            skip = false
            back.append(c)
        }
        #expect(back == text)
    }

    @Test func aPacksHostileWordsReachTheSARIFHelpAsLiteralText() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-sarif-md-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("Rules/mcs"), to: dir)
        defer { try? FileManager.default.removeItem(at: dir) }
        func edit(_ file: String, _ change: (String) -> String) throws {
            let url = dir.appendingPathComponent(file)
            try change(try String(contentsOf: url, encoding: .utf8)).write(to: url, atomically: true, encoding: .utf8)
        }
        try edit("pack.tenken") {
            $0.replacingOccurrences(
                of: "called ja \"規程\" en \"Source\"", with: "called ja \"規程<b>\" en \"[S](javascript:x)\"")
        }
        try edit("catalog.tsv") { text in
            var lines = text.components(separatedBy: "\n")
            var cells = lines[2].components(separatedBy: "\t")
            cells[8] = Self.hostile.prefix(4).joined(separator: " ")
            lines[2] = cells.joined(separator: "\t")
            return lines.joined(separator: "\n")
        }
        try edit("rules/no-credential-sharing.tenken") {
            $0.replacingOccurrences(of: "  remediation ja \"", with: "  remediation ja \"`x` | <img src=x onerror=y> ")
        }
        let r = runCLI([
            "check", "--rules", dir.path, "Fixtures/clinic-momiji", "--as-of", "2026-11-01", "--format", "sarif",
        ])
        #expect(r.code == 1, "\(r.err)")
        let sarif = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let runs = try #require(sarif["runs"] as? [[String: Any]])
        let driver = try #require((runs.first?["tool"] as? [String: Any])?["driver"] as? [String: Any])
        let rules = try #require(driver["rules"] as? [[String: Any]])
        var all = ""
        for rule in rules {
            let md = try #require((rule["help"] as? [String: Any])?["markdown"] as? String)
            let bad = Self.unescaped(md, labels: ["\\[S\\](javascript:x) / 規程\\<b\\>", "Fix", "対応"])
            #expect(bad.isEmpty, "\(rule["id"] ?? ""): \(bad) in \(md)")
            all += md
        }
        for literal in ["\\<script\\>", "\\<img src=x onerror=y\\>", "\\[x\\](javascript:alert(1))", "\\`x\\` \\|"] {
            #expect(all.contains(literal), "\(literal) did not reach the help")
        }
    }
}
