import Foundation
import Testing

/// The words a report uses for the pack (the HTML cover's title, the word before a source
/// item's section) are the manifest's `report title` and `source … called`, and a pack without
/// them gets general ones: `TENKEN · <pack title>` and 出典 / Source.
struct PackReportWordsTests {
    /// A copy of Rules/mcs with `edit` applied to its manifest.
    static func copy(_ edit: (String) -> String) throws -> URL {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-words-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("Rules/mcs"), to: dir)
        let manifest = dir.appendingPathComponent("pack.tenken")
        try edit(try String(contentsOf: manifest, encoding: .utf8)).write(
            to: manifest, atomically: true, encoding: .utf8)
        return dir
    }

    static func report(_ rules: URL?, _ format: String, lang: String = "both") -> String {
        let r = runCLI(
            ["check"] + (rules.map { ["--rules", $0.path] } ?? []) + [
                "Fixtures/clinic-momiji", "--as-of", "2026-11-01", "--format", format, "--lang", lang,
            ])
        #expect(r.code == 1, "\(r.err)")
        return r.out
    }

    @Test func theMCSPackSaysItsOwnWords() {
        #expect(Self.report(nil, "html").contains("TENKEN · MCS 運用管理規程 点検レポート"))
        #expect(Self.report(nil, "html", lang: "en").contains("TENKEN · MCS compliance report"))
        #expect(Self.report(nil, "text").contains("\n      規程 2-1: 「"))
        #expect(Self.report(nil, "sarif").contains("**Source / 規程**: "))
    }

    @Test func aPackWithoutReportWordsGetsGeneralOnes() throws {
        let dir = try Self.copy { text in
            text.split(separator: "\n", omittingEmptySubsequences: false).filter {
                !$0.hasPrefix("  report title") && !$0.hasPrefix("               en \"MCS compliance")
            }.joined(separator: "\n").replacingOccurrences(of: " called ja \"規程\" en \"Source\"", with: "")
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let lint = runCLI(["lint", "--rules", dir.path])
        #expect(lint.code == 0, "\(lint.err)")
        let html = Self.report(dir, "html"), text = Self.report(dir, "text"), sarif = Self.report(dir, "sarif")
        #expect(html.contains("TENKEN · MCS 運用管理規程 第2版 点検パック"), "the pack's title")
        #expect(!html.contains("点検レポート</p>"))
        #expect(html.contains("<dt>出典</dt>") || html.contains("<dt>出典 / Source</dt>"))
        #expect(text.contains("\n      出典 2-1: 「") && !text.contains("規程 2-1:"))
        #expect(text.contains("\n      Source 2-1: "))
        #expect(sarif.contains("**Source / 出典**: ") && !sarif.contains("**Source / 規程**"))
    }

    @Test func otherWordsReachEveryPlace() throws {
        let dir = try Self.copy { text in
            text.replacingOccurrences(of: "called ja \"規程\" en \"Source\"", with: "called ja \"基準\" en \"Baseline\"")
                .replacingOccurrences(of: "ja \"MCS 運用管理規程 点検レポート\"", with: "ja \"設定基準 点検レポート\"")
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let html = Self.report(dir, "html", lang: "ja"), text = Self.report(dir, "text")
        #expect(html.contains("TENKEN · 設定基準 点検レポート") && html.contains("<dt>基準</dt>"))
        #expect(text.contains("\n      基準 2-1: 「") && text.contains("\n      Baseline 2-1: "))
        #expect(Self.report(dir, "sarif").contains("**Baseline / 基準**: "))
    }

    /// Each needs both languages, at the clause.
    @Test func aWordInOneLanguageIsAnError() throws {
        let dir = try Self.copy { text in
            text.replacingOccurrences(of: "called ja \"規程\" en \"Source\"", with: "called ja \"規程\"")
                .replacingOccurrences(of: "               en \"MCS compliance report\"\n", with: "")
        }
        defer { try? FileManager.default.removeItem(at: dir) }
        let lint = runCLI(["lint", "--rules", dir.path])
        #expect(lint.code == 2)
        #expect(lint.err.contains("/pack.tenken:11:3: error[check.missing-clause]: `called` needs"), "\(lint.err)")
        #expect(lint.err.contains("/pack.tenken:12:3: error[check.missing-clause]: `report title` needs"))
    }
}
