import Foundation
import Testing
@testable import TenkenCLI
import TenkenSyntax
import TenkenWorkbook

/// What an independent tester did to the workbook form (break-17), each as the kind of thing a
/// person or another program does to a workbook: the verdict is never a pass the person's
/// own view of the workbook would not give.
@Suite struct WorkbookBreakTests {
    /// sakura as a workbook, with S-006 (who keeps the active account A-006) still on row 7
    /// of 職員 and 退職日 in column D.
    static func sakura(_ tag: String) throws -> (dir: String, bytes: [UInt8]) {
        let dir = tempDir("wb-break-\(tag)").path
        let book = dir + "/sakura.xlsx"
        let r = runCLI(["convert", "Fixtures/clinic-sakura", "--to", "xlsx", book])
        #expect(r.code == 0, "\(r.err)")
        return (dir, Array(try Data(contentsOf: URL(fileURLWithPath: book))))
    }

    /// The workbook with a sheet's XML edited (each `(old, new)` replaces the first `old`).
    static func edited(_ bytes: [UInt8], sheet: String, _ edits: [(String, String)]) throws -> [UInt8] {
        let book = try #require(Workbook.open(bytes: bytes, file: "t.xlsx").0)
        let info = try #require(book.sheet(named: sheet))
        let part = try #require(info.part)
        var xml = String(decoding: try book.archive.contents(ofEntryNamed: part).get(), as: UTF8.self)
        for (old, new) in edits {
            let r = try #require(xml.range(of: old), "\(old) not in \(sheet)'s XML")
            xml.replaceSubrange(r, with: new)
        }
        return try book.archive.replacing(part, with: Array(xml.utf8)).get()
    }

    /// The workbook.xml part edited the same way.
    static func editedWorkbookPart(_ bytes: [UInt8], _ edits: [(String, String)]) throws -> [UInt8] {
        let zip = try #require(ZipArchive.open(bytes, file: "t.xlsx").0)
        var xml = String(decoding: try zip.contents(ofEntryNamed: "xl/workbook.xml").get(), as: UTF8.self)
        for (old, new) in edits {
            let r = try #require(xml.range(of: old), "\(old) not in workbook.xml")
            xml.replaceSubrange(r, with: new)
        }
        return try zip.replacing("xl/workbook.xml", with: Array(xml.utf8)).get()
    }

    static func check(_ bytes: [UInt8], _ dir: String, _ name: String) throws -> (code: Int32, out: String, err: String) {
        let path = "\(dir)/\(name).xlsx"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        return runCLI(["check", path, "--as-of", "2026-11-01", "--lang", "en"])
    }

    /// openpyxl (and any script that fills formulas) saves `=DATE(2026,1,31)` without its
    /// result. Read as blank, 退職日 would mean "still employed" and the leaver rules pass.
    @Test func aFormulaWithoutItsResultIsNeverBlank() throws {
        let (dir, bytes) = try Self.sakura("formula")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let ok = try Self.check(bytes, dir, "as-is")
        #expect(ok.code == 0, "\(ok.err)")
        let book = try Self.edited(bytes, sheet: "職員", [("<c r=\"E7\"", "<c r=\"D7\"><f>DATE(2026,1,31)</f></c><c r=\"E7\"")])
        let r = try Self.check(book, dir, "formula")
        #expect(r.code == 2, "\(r.err)")
        #expect(r.err.contains("[職員] D7 [退職日]: error[workbook.formula-without-value]"), "\(r.err)")
        // A header given by a formula without its result names no column: said at the header.
        let head = try Self.edited(bytes, sheet: "職員", [("</c></row><row r=\"2\"", "</c><c r=\"Z1\"><f>\"x\"</f></c></row><row r=\"2\"")])
        let h = try Self.check(head, dir, "header")
        #expect(h.code == 2 && h.err.contains("[職員] Z1: error[workbook.formula-without-value]"), "\(h.err)")
    }

    /// A person copies the 職員 tab (Excel names it `職員 (2)`), edits the copy and hides the
    /// old one: neither may be read as the table.
    @Test func aHiddenOrCopiedTableSheetIsRefused() throws {
        let (dir, bytes) = try Self.sakura("copies")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, edits, expect) in [
            ("hidden", [("<sheet name=\"職員\"", "<sheet state=\"hidden\" name=\"職員\"")], "[職員]: error[data.hidden-table]"),
            ("very-hidden", [("<sheet name=\"職員\"", "<sheet state=\"veryHidden\" name=\"職員\"")], "[職員]: error[data.hidden-table]"),
            ("copy-beside-hidden", [("<sheet name=\"職員\"", "<sheet state=\"hidden\" name=\"職員\""), ("<sheet name=\"アカウント\"", "<sheet name=\"職員 (2)\"")],
             "[職員 (2)]: error[data.copied-table]"),
            ("libreoffice-copy", [("<sheet name=\"アカウント\"", "<sheet name=\"職員_2\"")], "[職員_2]: error[data.copied-table]"),
        ] {
            let r = try Self.check(try Self.editedWorkbookPart(bytes, edits), dir, name)
            #expect(r.code == 2, "\(name): \(r.err)")
            #expect(r.err.contains(expect), "\(name): \(r.err)")
        }
        let both = try Self.check(try Self.editedWorkbookPart(bytes, [("<sheet name=\"職員\"", "<sheet state=\"hidden\" name=\"職員\""), ("<sheet name=\"アカウント\"", "<sheet name=\"職員 (2)\"")]), dir, "both")
        #expect(both.err.contains("the sheet 職員, hidden, holds that table too"), "both sheets are named: \(both.err)")
        #expect(!both.err.contains("data.hidden-table"), "said once, at the copy")
    }
}
