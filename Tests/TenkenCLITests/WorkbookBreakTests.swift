import Foundation
import TenkenAudit
import TenkenSyntax
import TenkenWorkbook
import Testing

@testable import TenkenCLI
@testable import TenkenData

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

    static func check(_ bytes: [UInt8], _ dir: String, _ name: String) throws -> (code: Int32, out: String, err: String)
    {
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
        let book = try Self.edited(
            bytes, sheet: "職員", [("<c r=\"E7\"", "<c r=\"D7\"><f>DATE(2026,1,31)</f></c><c r=\"E7\"")])
        let r = try Self.check(book, dir, "formula")
        #expect(r.code == 2, "\(r.err)")
        #expect(r.err.contains("[職員] D7 [退職日]: error[workbook.formula-without-value]"), "\(r.err)")
        // A header given by a formula without its result names no column: said at the header.
        let head = try Self.edited(
            bytes, sheet: "職員", [("</c></row><row r=\"2\"", "</c><c r=\"Z1\"><f>\"x\"</f></c></row><row r=\"2\"")])
        let h = try Self.check(head, dir, "header")
        #expect(h.code == 2 && h.err.contains("[職員] Z1: error[workbook.formula-without-value]"), "\(h.err)")
    }

    /// A person copies the 職員 tab (Excel names it `職員 (2)`), edits the copy and hides the
    /// old one: neither may be read as the table.
    @Test func aHiddenOrCopiedTableSheetIsRefused() throws {
        let (dir, bytes) = try Self.sakura("copies")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        for (name, edits, expect) in [
            (
                "hidden", [("<sheet name=\"職員\"", "<sheet state=\"hidden\" name=\"職員\"")],
                "[職員]: error[data.hidden-table]"
            ),
            (
                "very-hidden", [("<sheet name=\"職員\"", "<sheet state=\"veryHidden\" name=\"職員\"")],
                "[職員]: error[data.hidden-table]"
            ),
            (
                "copy-beside-hidden",
                [
                    ("<sheet name=\"職員\"", "<sheet state=\"hidden\" name=\"職員\""),
                    ("<sheet name=\"アカウント\"", "<sheet name=\"職員 (2)\""),
                ],
                "[職員 (2)]: error[data.copied-table]"
            ),
            (
                "libreoffice-copy", [("<sheet name=\"アカウント\"", "<sheet name=\"職員_2\"")],
                "[職員_2]: error[data.copied-table]"
            ),
        ] {
            let r = try Self.check(try Self.editedWorkbookPart(bytes, edits), dir, name)
            #expect(r.code == 2, "\(name): \(r.err)")
            #expect(r.err.contains(expect), "\(name): \(r.err)")
        }
        let both = try Self.check(
            try Self.editedWorkbookPart(
                bytes,
                [
                    ("<sheet name=\"職員\"", "<sheet state=\"hidden\" name=\"職員\""),
                    ("<sheet name=\"アカウント\"", "<sheet name=\"職員 (2)\""),
                ]), dir, "both")
        #expect(both.err.contains("the sheet 職員, hidden, holds that table too"), "both sheets are named: \(both.err)")
        #expect(!both.err.contains("data.hidden-table"), "said once, at the copy")
    }

    /// Rule → state from the JSON report.
    static func states(_ bytes: [UInt8], _ dir: String, _ name: String) throws -> [String: String] {
        let path = "\(dir)/\(name).xlsx"
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let r = runCLI(["check", path, "--as-of", "2026-11-01", "--format", "json", "--fail-on", "never"])
        #expect(r.code == 0, "\(name): \(r.err.prefix(1000))")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let results = try #require(doc["results"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: results.map { ($0["rule"] as! String, $0["state"] as! String) })
    }

    /// S-005 and S-006 left on the same day, written once in a merged 退職日 (D6:D7): S-006
    /// (whose account is still active) is a leaver, as the person sees, not "still employed".
    @Test func aMergedCellGivesItsValueToEveryCellItCovers() throws {
        let (dir, bytes) = try Self.sakura("merged")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let date = "<c r=\"D6\" s=\"2\"><v>46053</v></c><c r=\"E6\""
        let typedTwice = try Self.edited(
            bytes, sheet: "職員",
            [("<c r=\"E6\"", date), ("<c r=\"E7\"", "<c r=\"D7\" s=\"2\"><v>46053</v></c><c r=\"E7\"")])
        let merged = try Self.edited(
            bytes, sheet: "職員",
            [
                ("<c r=\"E6\"", date),
                ("</sheetData>", "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"D6:D7\"/></mergeCells>"),
            ])
        let seen = try Self.states(typedTwice, dir, "twice")
        #expect(seen["leaver-accounts-deleted"] == "fail", "the leaver with an active account fails")
        #expect(try Self.states(merged, dir, "merged") == seen, "the merged date reads on both rows")
        // A range across columns of the table, or into the header, holds a value of no one column.
        for (name, ref) in [("across", "D6:E6"), ("header", "D1:D2")] {
            let r = try Self.check(
                try Self.edited(
                    bytes, sheet: "職員",
                    [("</sheetData>", "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"\(ref)\"/></mergeCells>")]),
                dir, name)
            #expect(
                r.code == 2 && r.err.contains("[職員] \(ref.prefix(2)): error[data.merged-cells]"), "\(name): \(r.err)")
        }
        // Right of the table or above its header (a title), a merge is the person's own.
        let title = try Self.edited(
            bytes, sheet: "職員",
            [("</sheetData>", "</sheetData><mergeCells count=\"1\"><mergeCell ref=\"K2:L9\"/></mergeCells>")])
        #expect(try Self.states(title, dir, "title") == Self.states(bytes, dir, "plain"))
        // A merged range's reference is checked, and named by shape only.
        let bad = try Self.check(
            try Self.edited(
                bytes, sheet: "職員",
                [("</sheetData>", "</sheetData><mergeCells><mergeCell ref=\"SECRET-7\"/></mergeCells>")]), dir, "bad")
        #expect(
            bad.code == 2 && bad.err.contains("workbook.bad-cell-reference") && !bad.err.contains("SECRET"),
            "\(bad.err)")
    }

    /// One note typed far right of a header (XFD1) does not make every row 16,384 cells wide:
    /// a row costs what it holds.
    @Test func aStrayHeaderCellDoesNotWidenEveryRow() throws {
        var rows =
            "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>端末ID</t></is></c><c r=\"B1\" "
            + "t=\"inlineStr\"><is><t>OS更新日</t></is></c>"
            + "<c r=\"XFD1\" t=\"inlineStr\"><is><t>メモ</t></is></c></row>"
        for i in 2...2001 { rows += "<row r=\"\(i)\"><c r=\"A\(i)\" t=\"inlineStr\"><is><t>PC-\(i)</t></is></c></row>" }
        let xml =
            "<worksheet "
            + "xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>\(rows)</sheetData></"
            + "worksheet>"
        var z = ZipWriter()
        z.add(
            "[Content_Types].xml",
            Array("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".utf8))
        z.add(
            "_rels/.rels",
            Array(
                ("<Relationships "
                    + "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
                    + "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument\" "
                    + "Target=\"xl/workbook.xml\"/></Relationships>")
                    .utf8))
        z.add(
            "xl/workbook.xml",
            Array(
                ("<workbook xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\" "
                    + "xmlns:r=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships\">"
                    + "<sheets><sheet name=\"端末\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>").utf8))
        z.add(
            "xl/_rels/workbook.xml.rels",
            Array(
                ("<Relationships "
                    + "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"rId1\" "
                    + "Type=\"http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet\" "
                    + "Target=\"worksheets/sheet1.xml\"/></Relationships>")
                    .utf8))
        z.add("xl/worksheets/sheet1.xml", Array(xml.utf8))
        let book = try #require(Workbook.open(bytes: z.finish(), file: "wide.xlsx").0)
        let info = try #require(book.sheet(named: "端末"))
        let ws = try #require(book.read(info).0)
        let spec = try #require(WorkbookTables.table(forSheet: "端末", schema: PackLoader.builtInSchema))
        let (table, places, diags) = WorkbookTables.table(ws, maxRows: 100_000, schema: spec.rowSchema)
        let t = try #require(table)
        #expect(diags.isEmpty, "\(diags)")
        #expect(t.header.cells == ["端末ID", "OS更新日", "メモ"], "the header's own cells, not 16,384")
        #expect(
            t.rows.count == 2000 && t.rows.allSatisfy { $0.cells.count == 2 }, "each row up to the last known column")
        // Places still name the sheet's columns.
        let p = try #require(places)
        let far = try #require(p.cell(t.header.offsets[2]))
        #expect(far.row == 1 && far.column == 16384)
        var loader = SnapshotLoader(schema: PackLoader.builtInSchema)
        let src = SourceFile(workbook: "wide.xlsx", places: p)
        _ = loader.loadTable(t, src: src, schema: spec.rowSchema, notes: [], unescape: false)
        #expect(loader.diagnostics.contains { $0.id == "data.unknown-column" && $0.message.hasPrefix("column 16384 ") })
    }

    /// Japanese Excel formats a date column as `yyyy/m/d;@` or `[$-411]ggge"年"m"月"d"日";@`
    /// (a text section after the date's): the cells are dates, and S-006's 退職日 counts.
    @Test func japaneseExcelDateFormatsAreDates() throws {
        let (dir, bytes) = try Self.sakura("ja-dates")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let zip = try #require(ZipArchive.open(bytes, file: "t.xlsx").0)
        let styles = String(decoding: try zip.contents(ofEntryNamed: "xl/styles.xml").get(), as: UTF8.self)
        let xfs = try #require(styles.range(of: "<cellXfs count=\""))
        let count = try #require(Int(styles[xfs.upperBound...].prefix { $0.isNumber }))
        let leaver = try Self.edited(
            bytes, sheet: "職員", [("<c r=\"E7\"", "<c r=\"D7\" s=\"2\"><v>46053</v></c><c r=\"E7\"")])
        let seen = try Self.states(leaver, dir, "plain-date")
        #expect(seen["leaver-accounts-deleted"] == "fail")
        for (i, code) in ["yyyy/m/d;@", "[$-411]ggge&quot;年&quot;m&quot;月&quot;d&quot;日&quot;;@", "m/d/yyyy;@"]
            .enumerated()
        {
            // One more number format, and a cell format using it that D7 takes.
            let st = styles.replacingOccurrences(
                of: "</numFmts>", with: "<numFmt numFmtId=\"\(300 + i)\" formatCode=\"\(code)\"/></numFmts>"
            )
            .replacingOccurrences(
                of: "</cellXfs>", with: "<xf numFmtId=\"\(300 + i)\" applyNumberFormat=\"1\"/></cellXfs>")
            #expect(st != styles)
            let restyled = try zip.replacing("xl/styles.xml", with: Array(st.utf8)).get()
            let book = try Self.edited(
                restyled, sheet: "職員", [("<c r=\"E7\"", "<c r=\"D7\" s=\"\(count)\"><v>46053</v></c><c r=\"E7\"")])
            #expect(try Self.states(book, dir, "fmt\(i)") == seen, "\(code)")
        }
    }

    /// A period typed as a time (`0:30`) in a column of minutes is refused saying what to type.
    @Test func aPeriodTypedAsATimeSaysWhatToType() throws {
        let dir = tempDir("wb-break-time").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let csv = String(
            decoding: try Data(contentsOf: URL(fileURLWithPath: "Fixtures/clinic-sakura/devices.csv")), as: UTF8.self)
        try writeText(csv.replacingOccurrences(of: "2026-10-20,5,", with: "2026-10-20,0:30,"), dir + "/devices.csv")
        let r = runCLI([
            "check", "--snapshot", "Fixtures/clinic-sakura/snapshot.json", "--devices", dir + "/devices.csv", "--as-of",
            "2026-11-01", "--lang", "en",
        ])
        #expect(
            r.code == 2 && r.err.contains("found a time (h:mm)") && r.err.contains("not as a time such as 0:30"),
            "\(r.err)")
    }

    /// Smaller things: batch names Excel's owner file for what it is (and lists .xlsx among
    /// what it reads); a blank 施設 sheet is refused as a missing one is.
    @Test func ownerFilesAndABlankProfileSheet() throws {
        let (dir, bytes) = try Self.sakura("small")
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let members = dir + "/members"
        try FileManager.default.createDirectory(atPath: members, withIntermediateDirectories: true)
        try Data(bytes).write(to: URL(fileURLWithPath: members + "/sakura.xlsx"))
        try Data([0x01, 0x02]).write(to: URL(fileURLWithPath: members + "/~$sakura.xlsx"))
        try writeText("x", members + "/notes.txt")
        let b = runCLI(["batch", members, "--output-dir", dir + "/out", "--as-of", "2026-11-01", "--format", "json"])
        #expect(
            b.err.contains("~$sakura.xlsx: note[batch.ignored-entry]: a spreadsheet program's owner file"), "\(b.err)")
        #expect(
            b.err.contains(
                "notes.txt: warning[batch.ignored-entry]: not a facility: only folders, `*.json` snapshots and "
                    + "`*.xlsx` workbooks are read"
            ), "\(b.err)")
        let book = try #require(Workbook.open(bytes: bytes, file: "t.xlsx").0)
        let profile = try #require(book.sheet(named: "施設"))
        let part = try #require(profile.part)
        let blank =
            "<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData/></worksheet>"
        let r = try Self.check(try book.archive.replacing(part, with: Array(blank.utf8)).get(), dir, "blank-profile")
        #expect(r.code == 2 && r.err.contains("[施設]: error[data.missing-table]: the sheet 施設 is empty"), "\(r.err)")
        #expect(!r.err.contains("evaluated") && !r.out.contains("F-"), "no report under the file's name")
    }
}
