import Foundation
import Testing

/// Invariants live in types, not in `!`: this counts the force-unwraps (`x!`, `try!`, `as!`)
/// left in Sources, outside strings and comments, against a short list of known ones. A new
/// one fails here; so does a listed one that has gone (lower the count).
struct ForceUnwrapTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Known force-unwraps by file. XMLDocument: libxml2 returns no element only when it cannot
    /// allocate one.
    static let known: [String: Int] = [
        "Sources/TenkenReport/XMLDocument.swift": 1
    ]

    /// The source with string literals and comments blanked (line breaks kept).
    static func code(_ text: String) -> String {
        let s = Array(text.unicodeScalars)
        var out = String.UnicodeScalarView()
        var i = 0
        func blank(_ j: Int) {
            for k in i..<min(j, s.count) { out.append(s[k] == "\n" ? "\n" : " ") }; i = min(j, s.count)
        }
        func starts(_ p: String, at k: Int) -> Bool {
            let ps = Array(p.unicodeScalars)
            return k + ps.count <= s.count && Array(s[k..<k + ps.count]) == ps
        }
        while i < s.count {
            if starts("//", at: i) {
                var j = i
                while j < s.count && s[j] != "\n" { j += 1 }
                blank(j)
            } else if starts("/*", at: i) {
                var j = i + 2
                while j < s.count && !starts("*/", at: j) { j += 1 }
                blank(j + 2)
            } else if starts("\"\"\"", at: i) {
                var j = i + 3
                while j < s.count && !starts("\"\"\"", at: j) { j += 1 }
                blank(j + 3)
            } else if s[i] == "\"" {
                // A one-line string; interpolations are blanked with it (they rarely unwrap).
                var j = i + 1, depth = 0
                while j < s.count && s[j] != "\n" {
                    if s[j] == "\\" && j + 1 < s.count && s[j + 1] == "(" { depth += 1; j += 2; continue }
                    if s[j] == "\\" { j += 2; continue }
                    if depth > 0 && s[j] == "(" {
                        depth += 1
                    } else if depth > 0 && s[j] == ")" {
                        depth -= 1
                    } else if s[j] == "\"" && depth == 0 {
                        break
                    }
                    j += 1
                }
                blank(j + 1)
            } else {
                out.append(s[i])
                i += 1
            }
        }
        return String(out)
    }

    static func count(_ text: String) -> Int {
        let re = try! NSRegularExpression(pattern: #"[A-Za-z0-9_\)\]\?]!(?!=)|\btry!|\bas!"#)
        let c = code(text)
        return re.numberOfMatches(in: c, range: NSRange(c.startIndex..., in: c))
    }

    @Test func theCounterSeesUnwrapsAndNothingElse() {
        #expect(Self.count("let a = b!\nlet c = try! d()\nlet e = f as! G") == 3)
        #expect(Self.count("if a != b, !c { print(\"hi!\") } // d!\n/* e! */") == 0)
        #expect(Self.count("let s = \"\\(x!)\"") == 0)
    }

    @Test func forceUnwrapsInSourcesAreOnlyTheKnownOnes() throws {
        let base = Self.root.appendingPathComponent("Sources")
        var found: [String: Int] = [:]
        for rel in FileManager.default.enumerator(atPath: base.path)?.compactMap({ $0 as? String }) ?? [] {
            guard rel.hasSuffix(".swift"), !rel.hasSuffix("EmbeddedPack.swift") else { continue }
            let text = try String(contentsOf: base.appendingPathComponent(rel), encoding: .utf8)
            let n = Self.count(text)
            if n > 0 { found["Sources/" + rel] = n }
        }
        #expect(found == Self.known, "force-unwraps by file: \(found.sorted { $0.key < $1.key })")
    }
}
