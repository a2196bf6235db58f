import Foundation
import Testing

@testable import TenkenSyntax

/// `FilePath.parent` replaces Foundation's `deletingLastPathComponent`, which traps on a
/// one-character relative path (`--output-dir o` crashed with exit 132).
struct FilePathTests {
    @Test(arguments: [
        ("o", ""), ("ab", ""), ("a/b", "a"), ("a/b/", "a"), ("/a", "/"), ("/", "/"), ("", ""),
        ("a//b", "a"), ("x/", ""), ("/x/y/z.json", "/x/y"), ("./o", "."), ("../o", ".."), ("職員/表.csv", "職員"),
    ])
    func parentIsTheFolderPart(_ c: (String, String)) {
        #expect(FilePath.parent(c.0) == c.1, "\(c.0)")
    }

    /// Agrees with Foundation wherever Foundation does not trap.
    @Test func agreesWithFoundation() {
        for p in ["ab", "a/b", "a/b/", "/a", "/", "a//b", "/x/y/z.json", "./o", "//a"] {  // not "x/": it traps too
            #expect(FilePath.parent(p) == (p as NSString).deletingLastPathComponent, "\(p)")
        }
    }

    /// `FilePath.fileExtension` is `NSString.pathExtension` lowercased, read from bytes: equal on
    /// every ASCII extension, and where the two could differ (a combining mark after the dot)
    /// neither names an extension tenken reads.
    @Test func fileExtensionAgreesWithFoundation() {
        let paths = [
            "a.xlsx", "dir/a.XLSX", "a", ".xlsx", "dir/.xlsx", "a.", "a.b.c", "dir.x/a", "a.xlsx/", "a.xlsx//", "/", "",
            ".", "..", "a..b", "dir/..", "a. b", "a.x y", "施設.xlsx", "a.ｘｌｓｘ", "./a.json", "a/.b.json", "~$a.XlSm",
            "a.json ", "a .json", "a.js/on", "//a.jsonl", "a.ÄB", "snap/F00001.json", "a.NDJSON", "x/y.Csv",
        ]
        for p in paths {
            #expect(FilePath.fileExtension(p) == (p as NSString).pathExtension.lowercased(), "\(p.debugDescription)")
        }
        #expect(FilePath.fileExtension("a.\u{301}xlsx") != "xlsx")
    }

    /// The kind, not the case: nothing in the sources calls the trapping API.
    @Test func noSourceUsesTheTrappingCall() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let sources = root.appendingPathComponent("Sources")
        let files =
            FileManager.default.enumerator(atPath: sources.path)?.compactMap { $0 as? String }.filter {
                $0.hasSuffix(".swift")
            } ?? []
        #expect(!files.isEmpty)
        for f in files where !f.hasSuffix("FilePath.swift") {
            let text = try String(contentsOf: sources.appendingPathComponent(f), encoding: .utf8)
            #expect(!text.contains("deletingLastPathComponent"), "\(f)")
        }
    }
}
