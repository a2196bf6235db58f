import Foundation
import TenkenSyntax
import Testing

@testable import TenkenWorkbook

struct SheetReaderTests {
    @Test func sharedStringsJoinRichRunsAndLeaveOutPhoneticGuides() throws {
        let sst = Pkg.sst([
            "<si><t>医師</t></si>",
            "<si><r><t>東京</t></r><r><rPr><b/></rPr><t xml:space=\"preserve\">都 </t></r><rPh sb=\"0\" "
                + "eb=\"2\"><t>トウキョウ</t></rPh><phoneticPr fontId=\"1\"/></si>",
            "<si/>",
            "<si><t>line_x000D_\nbreak and _x005F_x0041_</t></si>",
        ])
        let xml = Pkg.sheet(
            "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c><c r=\"C1\" "
                + "t=\"s\"><v>2</v></c><c r=\"D1\" t=\"s\"><v>3</v></c></row>"
        )
        let (s, d) = Pkg.read(Pkg.xlsx([("s", xml)], sst: sst))
        #expect(d.isEmpty, "\(d)")
        #expect(Pkg.cells(s) == ["A1=医師", "B1=東京都 ", "D1=line\r\nbreak and _x0041_"], "an empty string is no cell")
    }

    @Test func valuesOfEveryCellType() throws {
        let rows = """
            <row r="1">
              <c r="A1" t="inlineStr"><is><t>inline</t><rPh><t>x</t></rPh></is></c>
              <c r="B1"><v>42</v></c><c r="C1"><v>42.0</v></c><c r="D1"><v>1.5</v></c><c r="E1"><v>1E-3</v></c><c r="F1"><v>-0</v></c>
              <c r="G1" t="b"><v>1</v></c><c r="H1" t="b"><v>0</v></c>
              <c r="I1"><f>1+1</f><v>2</v></c><c r="J1" t="str"><f>"a"&amp;"b"</f><v>ab</v></c>
              <c r="K1"><f>NOW()</f></c><c r="L1" t="e"><f>1/0</f><v>#DIV/0!</v></c><c r="M1" t="e"><v>#N/A</v></c>
              <c r="N1" t="n"><v> 7 </v></c><c r="O1" s="0"/><c r="P1" t="d"><v>2025-04-01T00:00:00</v></c><c r="Q1" t="d"><v>2025-04-01T09:30:00Z</v></c>
              <c r="R1"><v>123456789012345678</v></c>
            </row>
            """
        let (s, d) = Pkg.read(Pkg.xlsx([("s", Pkg.sheet(rows))]))
        #expect(d.isEmpty, "\(d)")
        #expect(
            Pkg.cells(s) == [
                "A1=inline", "B1=42(number)", "C1=42(number)", "D1=1.5(number)", "E1=0.001(number)", "F1=0(number)",
                "G1=true(bool)", "H1=false(bool)", "I1=2(number)", "J1=ab", "K1=(empty)", "L1=#DIV/0!(error)",
                "M1=#N/A(error)",
                "N1=7(number)", "P1=2025-04-01(date)", "Q1=2025-04-01 09:30(date)", "R1=1.2345678901234568e+17(number)",
            ])
        let sheet = try #require(s)
        #expect(sheet.cell(row: 1, column: 9)?.hasFormula == true)
        // Error cells and formulas saved without their value, located as Excel shows them.
        let cd = sheet.cellDiagnostics(headers: [13: "職種"])
        #expect(cd.map(\.id) == ["workbook.formula-without-value", "workbook.error-cell", "workbook.error-cell"])
        #expect(cd.map { $0.location?.description ?? "" } == ["t.xlsx [s] K1", "t.xlsx [s] L1", "t.xlsx [s] M1 [職種]"])
        #expect(cd.allSatisfy { $0.severity == .error }, "a formula without its result is not known, never blank")
        #expect(sheet.cellDiagnostics(columns: [1, 2]).isEmpty, "columns outside a table's are not looked at")
    }

    @Test func datesFollowTheCellsNumberFormat() throws {
        // s: 0 General, 1 built-in 14, 2 custom 年月日, 3 custom number, 4 [h]:mm:ss, 5 h:mm AM/PM,
        // 6 Japanese built-in 31, 7 text, 8 built-in 22 (date and time), 9 quoted "d" only.
        let styles = Pkg.styles(
            [0, 14, 176, 177, 46, 18, 31, 49, 22, 178],
            custom: [176: "yyyy\"年\"m\"月\"d\"日\"", 177: "#,##0.00_);[Red]\\(#,##0.00\\)", 178: "0\" days\""])
        let rows = """
            <row r="2"><c r="A2"><v>45748</v></c><c r="B2" s="1"><v>45748</v></c><c r="C2" s="2"><v>45748</v></c><c r="D2" s="3"><v>45748</v></c>
            <c r="E2" s="4"><v>1.5</v></c><c r="F2" s="5"><v>0.75</v></c><c r="G2" s="6"><v>45748</v></c><c r="H2" s="7"><v>45748</v></c>
            <c r="I2" s="8"><v>45748.5</v></c><c r="J2" s="9"><v>3</v></c></row>
            <row r="3"><c r="A3" s="1"><v>59</v></c><c r="B3" s="1"><v>60</v></c><c r="C3" s="1"><v>61</v></c><c r="D3" s="1"><v>1</v></c>
            <c r="E3" s="1"><v>0</v></c><c r="F3" s="1"><v>-1</v></c><c r="G3" s="1"><v>2958465</v></c><c r="H3" s="1"><v>2958466</v></c>
            <c r="I3" s="1"><v>45748.99999999</v></c></row>
            """
        let (s, d) = Pkg.read(Pkg.xlsx([("s", Pkg.sheet(rows))], styles: styles))
        #expect(d.isEmpty, "\(d)")
        #expect(
            Pkg.cells(s) == [
                "A2=45748(number)", "B2=2025-04-01(date)", "C2=2025-04-01(date)", "D2=45748(number)", "E2=36:00(time)",
                "F2=18:00(time)",
                "G2=2025-04-01(date)", "H2=45748(number)", "I2=2025-04-01 12:00(date)", "J2=3(number)",
                // The 1900 system: day 60 is Lotus's phantom leap day, day 0 is "January 0".
                "A3=1900-02-28(date)", "B3=1900-02-29(date)", "C3=1900-03-01(date)", "D3=1900-01-01(date)",
                "E3=1900-01-00(date)",
                "F3=-1(number)", "G3=9999-12-31(date)", "H3=2958466(number)", "I3=2025-04-02(date)",
            ])
    }

    @Test func the1904DateSystem() throws {
        let rows =
            "<row r=\"1\"><c r=\"A1\" s=\"1\"><v>0</v></c><c r=\"B1\" s=\"1\"><v>44286</v></c><c r=\"C1\" "
            + "s=\"1\"><v>59</v></c></row>"
        let (s, d) = Pkg.read(
            Pkg.xlsx([("s", Pkg.sheet(rows))], styles: Pkg.styles([0, 14]), workbookPr: "<workbookPr date1904=\"1\"/>"))
        #expect(d.isEmpty)
        #expect(Pkg.cells(s) == ["A1=1904-01-01(date)", "B1=2025-04-01(date)", "C1=1904-02-29(date)"])
    }

    @Test func sparseRowsMissingReferencesAndBlankTrailingRows() throws {
        let rows = """
            <row><c><v>1</v></c><c><v>2</v></c><c r="E1"><v>5</v></c><c><v>6</v></c></row>
            <row r="4" spans="1:3"><c r="B4" t="inlineStr"><is><t>b</t></is></c></row>
            <row/>
            <row r="9" s="3" customFormat="1"><c r="A9" s="0"/><c r="B9" t="inlineStr"><is><t></t></is></c></row>
            <row r="1048576" ht="20" customHeight="1"/>
            """
        let (s, d) = Pkg.read(Pkg.xlsx([("s", Pkg.sheet(rows))]))
        #expect(d.isEmpty)
        let sheet = try #require(s)
        #expect(sheet.rows.map(\.number) == [1, 4], "rows with nothing in them are left out")
        #expect(Pkg.cells(sheet) == ["A1=1(number)", "B1=2(number)", "E1=5(number)", "F1=6(number)", "B4=b"])
        #expect(sheet.rows[1].texts(width: 3) == ["", "b", ""])
        #expect(sheet.columnCount == 6)
    }

    @Test func attributeValuesWithCharacterReferences() throws {
        let sst = Pkg.sst(["<si><t>a&amp;b</t></si>"])
        let rows =
            "<row r=\"&#50;\"><c r=\"B&#50;\" t=\"&#115;\"><v>0</v></c><c r=\"C2\" t=\"s&amp;\"><v>0</v></c></row>"
        let (_, d) = Pkg.read(Pkg.xlsx([("s", Pkg.sheet(rows))], sst: sst))
        #expect(
            d.map { "\($0.id) \($0.location!)" } == ["workbook.bad-cell t.xlsx [s] C2"],
            "B2 reads; the type `s&` is wrong")
        #expect(
            d.first?.message.contains("(text of 2 characters)") == true && d.first?.message.contains("s&") == false,
            "described by its shape")
        let (s, d2) = Pkg.read(
            Pkg.xlsx([("s", Pkg.sheet("<row r=\"&#50;\"><c r=\"B&#50;\" t=\"&#115;\"><v>0</v></c></row>"))], sst: sst))
        #expect(d2.isEmpty && Pkg.cells(s) == ["B2=a&b"])
    }

    @Test func outOfOrderCellsArePlacedAndDuplicatesRefused() throws {
        let rows =
            "<row r=\"3\"><c r=\"B3\"><v>2</v></c><c r=\"A3\"><v>1</v></c></row><row r=\"1\"><c "
            + "r=\"A1\"><v>0</v></c></row>"
        let (s, d) = Pkg.read(Pkg.xlsx([("s", Pkg.sheet(rows))]))
        #expect(d.isEmpty)
        #expect(Pkg.cells(s) == ["A1=0(number)", "A3=1(number)", "B3=2(number)"])
        let dup = "<row r=\"2\"><c r=\"A2\"><v>1</v></c></row><row r=\"2\"><c r=\"A2\"><v>9</v></c></row>"
        let (s2, d2) = Pkg.read(Pkg.xlsx([("s", Pkg.sheet(dup))]))
        #expect(s2 == nil)
        #expect(d2.map(\.id) == ["workbook.duplicate-cell"])
        #expect(d2.first?.location?.description == "t.xlsx [s] A2")
    }

    @Test(arguments: [
        ("<row r=\"4\"><c r=\"A5\"><v>1</v></c></row>", "workbook.bad-cell-reference", "t.xlsx [s] row 4"),
        ("<row r=\"0\"/>", "workbook.bad-cell-reference", "t.xlsx [s]"),
        ("<row r=\"x\"/>", "workbook.bad-cell-reference", "t.xlsx [s]"),
        ("<row r=\"1\"><c r=\"1A\"/></row>", "workbook.bad-cell-reference", "t.xlsx [s] row 1"),
        ("<row r=\"1\"><c r=\"AAAA1\"/></row>", "workbook.bad-cell-reference", "t.xlsx [s] row 1"),
        ("<row r=\"1048577\"/>", "workbook.too-many", "t.xlsx [s] row 1048577"),
        ("<row r=\"1\"><c r=\"XFE1\"/></row>", "workbook.too-many", "t.xlsx [s] XFE1"),
        ("<row r=\"2\"><c r=\"A2\" t=\"s\"><v>0</v></c></row>", "workbook.bad-cell", "t.xlsx [s] A2"),
        ("<row r=\"2\"><c r=\"C2\" t=\"b\"><v>yes</v></c></row>", "workbook.bad-cell", "t.xlsx [s] C2"),
        ("<row r=\"2\"><c r=\"C2\"><v>0x10</v></c></row>", "workbook.bad-cell", "t.xlsx [s] C2"),
        ("<row r=\"2\"><c r=\"C2\"><v>nan</v></c></row>", "workbook.bad-cell", "t.xlsx [s] C2"),
        ("<row r=\"2\"><c r=\"C2\" t=\"q\"><v>1</v></c></row>", "workbook.bad-cell", "t.xlsx [s] C2"),
        ("<row r=\"2\"><c r=\"C2\" s=\"4\"><v>1</v></c></row>", "workbook.bad-cell", "t.xlsx [s] C2"),
        ("<row r=\"2\"><c r=\"C2\" t=\"d\"><v>2025-13-01</v></c></row>", "workbook.bad-cell", "t.xlsx [s] C2"),
        ("<row r=\"2\"><c r=\"B2\"><v>1</v></c><c r=\"C2\"><v>1</c></row>", "workbook.xml-syntax", "t.xlsx [s]"),
        ("<c r=\"A1\"/>", "workbook.bad-cell-reference", "t.xlsx [s]"),
    ])
    func malformedCellsAreLocated(_ rows: String, _ id: String, _ place: String) {
        let (s, d) = Pkg.read(Pkg.xlsx([("s", Pkg.sheet(rows))]))
        #expect(s == nil)
        #expect(d.map(\.id) == [id], "\(d)")
        #expect(d.first?.location?.description == place)
    }

    @Test func syntaxErrorsNameTheCellTheyAreIn() {
        let (_, d) = Pkg.read(
            Pkg.xlsx([("s", Pkg.sheet("<row r=\"2\"><c r=\"B2\"><v>1</v></c><c r=\"C2\"><v>1</c></row>"))]))
        #expect(d.first?.notes.last == "near cell C2", "\(d)")
        #expect(d.first?.notes.first?.hasPrefix("in the part xl/worksheets/sheet1.xml, line 1, column") == true)
    }

    @Test func valueErrorsAreCollectedNotStoppedAtTheFirst() {
        let rows =
            "<row r=\"2\"><c r=\"A2\" t=\"s\"><v>5</v></c><c r=\"B2\" t=\"b\"><v>2</v></c></row><row r=\"3\"><c "
            + "r=\"A3\" t=\"s\"><v>-1</v></c></row>"
        let (s, d) = Pkg.read(Pkg.xlsx([("s", Pkg.sheet(rows))]))
        #expect(s == nil)
        #expect(d.map { $0.location?.description ?? "" } == ["t.xlsx [s] A2", "t.xlsx [s] B2", "t.xlsx [s] A3"])
    }

    /// No DTD is ever processed: no external entity is fetched, no entity expanded.
    @Test(arguments: [
        "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM \"file:///etc/passwd\">]><worksheet "
            + "xmlns=\"\(Pkg.main)\"><sheetData><row r=\"1\"><c r=\"A1\" "
            + "t=\"inlineStr\"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>",
        "<?xml version=\"1.0\"?><!DOCTYPE worksheet SYSTEM \"http://127.0.0.1:9/x.dtd\"><worksheet "
            + "xmlns=\"\(Pkg.main)\"/>",
        "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\"><!ENTITY lol2 "
            + "\"&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;\"><!ENTITY lol3 "
            + "\"&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;\">]><worksheet "
            + "xmlns=\"\(Pkg.main)\"><sheetData><row r=\"1\"><c r=\"A1\" "
            + "t=\"inlineStr\"><is><t>&lol3;</t></is></c></row></sheetData></worksheet>",
    ])
    func documentTypesAreRefused(_ xml: String) {
        let (s, d) = Pkg.read(Pkg.xlsx([("s", xml)]))
        #expect(s == nil)
        #expect(d.map(\.id) == ["workbook.dtd"])
        #expect(d.first?.location?.description == "t.xlsx [s]")
        #expect(d.first?.notes.contains { $0.contains("xl/worksheets/sheet1.xml") } == true)
    }

    @Test func documentTypesInOtherPartsAreRefusedToo() {
        let sst =
            "<!DOCTYPE sst [<!ENTITY e SYSTEM \"file:///etc/hostname\">]><sst "
            + "xmlns=\"\(Pkg.main)\"><si><t>&e;</t></si></sst>"
        let (wb, d) = Workbook.open(bytes: Pkg.xlsx([("s", Pkg.sheet(""))], sst: sst), file: "t.xlsx")
        #expect(wb == nil)
        #expect(d.map(\.id) == ["workbook.dtd"])
        #expect(d.first?.location?.description == "t.xlsx [xl/sharedStrings.xml]")
    }

    @Test func sharedStringTablesAreBoundedWhateverTheyClaim() {
        // A huge declared count allocates nothing.
        let claims =
            "<sst xmlns=\"\(Pkg.main)\" count=\"4294967295\" uniqueCount=\"4294967295\"><si><t>a</t></si></sst>"
        #expect(Workbook.open(bytes: Pkg.xlsx([("s", Pkg.sheet(""))], sst: claims), file: "t.xlsx").0 != nil)
        var limits = WorkbookLimits()
        limits.maxSharedStrings = 1000
        let many = Pkg.sst([String](repeating: "<si/>", count: 1001))
        let (wb, d) = Workbook.open(bytes: Pkg.xlsx([("s", Pkg.sheet(""))], sst: many), file: "t.xlsx", limits: limits)
        #expect(wb == nil && d.map(\.id) == ["workbook.too-many"])
        limits.maxCellTextBytes = 10
        let long = Pkg.sst(["<si><t>0123456789A</t></si>"])
        #expect(
            Workbook.open(bytes: Pkg.xlsx([("s", Pkg.sheet(""))], sst: long), file: "t.xlsx", limits: limits).1.map(
                \.id) == ["workbook.too-large"])
        var total = WorkbookLimits()
        total.maxSharedStringBytes = 20
        let big = Pkg.sst([String](repeating: "<si><t>0123456789</t></si>", count: 3))
        #expect(
            Workbook.open(bytes: Pkg.xlsx([("s", Pkg.sheet(""))], sst: big), file: "t.xlsx", limits: total).1.map(\.id)
                == ["workbook.too-large"])
    }

    @Test func cellAndRowLimits() {
        var limits = WorkbookLimits()
        limits.maxCells = 3
        let four = "<row r=\"1\"><c r=\"A1\"/><c r=\"B1\"/><c r=\"C1\"/><c r=\"D1\"/></row>"
        #expect(Pkg.read(Pkg.xlsx([("s", Pkg.sheet(four))]), limits: limits).1.map(\.id) == ["workbook.too-many"])
        limits = WorkbookLimits()
        limits.maxRows = 10
        #expect(
            Pkg.read(Pkg.xlsx([("s", Pkg.sheet("<row r=\"11\"/>"))]), limits: limits).1.map(\.id) == [
                "workbook.too-many"
            ])
        limits = WorkbookLimits()
        limits.maxColumns = 2
        #expect(
            Pkg.read(Pkg.xlsx([("s", Pkg.sheet("<row r=\"1\"><c r=\"C1\"/></row>"))]), limits: limits).1.map(\.id) == [
                "workbook.too-many"
            ])
    }

    @Test func sheetsInTabOrderWithVisibilityAndKinds() throws {
        var z = ZipWriter()
        z.add("[Content_Types].xml", Array("<Types/>".utf8))
        z.add(
            "_rels/.rels",
            Array(
                ("<Relationships "
                    + "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"a\" "
                    + "Type=\"http://purl.oclc.org/ooxml/officeDocument/relationships/officeDocument\" "
                    + "Target=\"/book/wb.xml\"/></Relationships>")
                    .utf8))
        // Strict OOXML namespaces, a workbook in a folder of its own, percent-encoded targets.
        let strict = "http://purl.oclc.org/ooxml/spreadsheetml/main",
            srel = "http://purl.oclc.org/ooxml/officeDocument/relationships"
        z.add(
            "book/wb.xml",
            Array(
                ("<workbook xmlns=\"\(strict)\" xmlns:r=\"\(srel)\"><sheets><sheet name=\"表 1\" sheetId=\"3\" "
                    + "r:id=\"r1\"/><sheet name=\"隠し\" sheetId=\"1\" state=\"hidden\" r:id=\"r2\"/><sheet name=\"グラフ\" "
                    + "sheetId=\"2\" r:id=\"r3\"/></sheets></workbook>")
                    .utf8))
        z.add(
            "book/_rels/wb.xml.rels",
            Array(
                ("<Relationships "
                    + "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"r1\" "
                    + "Type=\"\(srel)/worksheet\" Target=\"s/my%20sheet.xml\"/><Relationship Id=\"r2\" "
                    + "Type=\"\(srel)/worksheet\" Target=\"./s/../s/two.xml\"/><Relationship Id=\"r3\" "
                    + "Type=\"\(srel)/chartsheet\" Target=\"c.xml\"/><Relationship Id=\"x\" Type=\"\(srel)/hyperlink\" "
                    + "Target=\"https://example.com/\" TargetMode=\"External\"/></Relationships>")
                    .utf8))
        z.add(
            "book/s/my sheet.xml",
            Array(
                ("<worksheet xmlns=\"\(strict)\"><sheetData><row r=\"1\"><c r=\"A1\" "
                    + "t=\"d\"><v>2025-04-01</v></c></row></sheetData></worksheet>")
                    .utf8))
        z.add("book/s/two.xml", Array("<worksheet xmlns=\"\(strict)\"/>".utf8))
        let (wb, d) = Workbook.open(bytes: z.finish(), file: "strict.xlsx")
        #expect(d.isEmpty, "\(d)")
        let book = try #require(wb)
        #expect(book.sheets.map(\.name) == ["表 1", "隠し", "グラフ"])
        #expect(book.sheets.map(\.visibility) == [.visible, .hidden, .visible])
        #expect(book.sheets.map(\.kind) == [.worksheet, .worksheet, .other])
        #expect(book.sheets.map(\.part) == ["book/s/my sheet.xml", "book/s/two.xml", nil])
        #expect(Pkg.cells(book.read(book.sheets[0]).0) == ["A1=2025-04-01(date)"])
        #expect(book.read(book.sheets[1]).0?.rows.isEmpty == true)
        #expect(book.read(book.sheets[2]).1.map(\.id) == ["workbook.not-a-worksheet"])
        #expect(
            book.sheet(named: "表 1")?.index == 0 && book.sheet(named: "グラフ")?.index == 2
                && book.sheet(named: "nope") == nil)
    }

    @Test func relationshipsThatLeaveThePackageAreRefused() {
        var z = ZipWriter()
        z.add("[Content_Types].xml", Array("<Types/>".utf8))
        z.add("xl/workbook.xml", Array("<workbook xmlns=\"\(Pkg.main)\"/>".utf8))
        z.add(
            "xl/_rels/workbook.xml.rels",
            Array(
                ("<Relationships "
                    + "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"r1\" "
                    + "Type=\"t/worksheet\" Target=\"../../etc/passwd\"/></Relationships>")
                    .utf8))
        let (wb, d) = Workbook.open(bytes: z.finish(), file: "t.xlsx")
        #expect(wb == nil && d.map(\.id) == ["workbook.unsafe-entry-name"])
    }

    @Test func aMissingSheetPartIsNamed() throws {
        var bytes = Pkg.xlsx([("職員", Pkg.sheet(""))])
        let (zip, _) = ZipArchive.open(bytes, file: "t.xlsx")
        bytes = try #require(zip).replacing(
            "xl/_rels/workbook.xml.rels",
            with: Array(
                ("<Relationships "
                    + "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship "
                    + "Id=\"rId1\" Type=\"x/worksheet\" Target=\"worksheets/gone.xml\"/></Relationships>")
                    .utf8)
        ).get()
        let (wb, _) = Workbook.open(bytes: bytes, file: "t.xlsx")
        let book = try #require(wb)
        let (s, d) = book.read(book.sheets[0])
        #expect(s == nil && d.map(\.id) == ["workbook.missing-part"])
        #expect(d.first?.notes == ["the sheet 職員 is stored in the part xl/worksheets/gone.xml"])
    }

    @Test func sheetNamesMustBePresentUniqueAndPrintable() throws {
        let (wb, d) = Workbook.open(bytes: Pkg.xlsx([("a", Pkg.sheet("")), ("A", Pkg.sheet(""))]), file: "t.xlsx")
        #expect(wb == nil && d.map(\.id) == ["workbook.bad-sheet-name"])
        // A line break or a C1 control (U+009B is a terminal's CSI) in a name would be printed
        // in every place named in the sheet. (XML 1.0 cannot carry U+001B at all.)
        for (ref, shown) in [("&#10;", "\\u{a}"), ("&#x9B;", "\\u{9b}")] {
            let z = try #require(ZipArchive.open(Pkg.xlsx([("x", Pkg.sheet(""))]), file: "t.xlsx").0)
            let wbXML =
                "<workbook xmlns=\"\(Pkg.main)\" xmlns:r=\"\(Pkg.rel)\"><sheets><sheet name=\"x\(ref)31m\" "
                + "sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>"
            let (wb2, d2) = Workbook.open(
                bytes: try z.replacing("xl/workbook.xml", with: Array(wbXML.utf8)).get(), file: "t.xlsx")
            #expect(wb2 == nil && d2.map(\.id) == ["workbook.bad-sheet-name"])
            #expect(d2.first?.message == "sheet 1's name `x\(shown)31m` holds control characters")
        }
    }
}

struct FileKindTests {
    @Test func oldBinaryWorkbooksAndEncryptedOnesAreExplained() {
        let ole = FileSniffer.ole2Magic + [UInt8](repeating: 0, count: 504)
        let xls = ole + Array("W\0o\0r\0k\0b\0o\0o\0k\0".utf8)
        let (w1, d1) = Workbook.open(bytes: xls, file: "old.xls")
        #expect(w1 == nil && d1.map(\.id) == ["workbook.legacy-xls"])
        #expect(d1.first?.help?.contains(".xlsx") == true)
        let enc = ole + "EncryptionInfo".utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        let (w2, d2) = Workbook.open(bytes: enc, file: "locked.xlsx")
        #expect(w2 == nil && d2.map(\.id) == ["workbook.encrypted"])
        #expect(d2.first?.help?.contains("remove the password") == true)
    }

    @Test func otherFilesAreNamedForWhatTheyAre() {
        func id(_ b: [UInt8]) -> [String] { Workbook.open(bytes: b, file: "x").1.map(\.id) }
        #expect(id([]) == ["workbook.empty-file"])
        #expect(id(Array("職員ID,職種\nS-1,医師\n".utf8)) == ["workbook.not-xlsx"])
        var ods = ZipWriter()
        ods.add("mimetype", Array("application/vnd.oasis.opendocument.spreadsheet".utf8), compress: false)
        #expect(Workbook.open(bytes: ods.finish(), file: "x").1.first?.message.contains(".ods") == true)
        var xlsb = ZipWriter()
        xlsb.add("[Content_Types].xml", [])
        xlsb.add("xl/workbook.bin", [0])
        #expect(Workbook.open(bytes: xlsb.finish(), file: "x").1.first?.message.contains(".xlsb") == true)
        var plain = ZipWriter()
        plain.add("readme.txt", [65])
        #expect(id(plain.finish()) == ["workbook.not-xlsx"])
        #expect(id([0x00, 0x01, 0x02, 0x03, 0x04]) == ["workbook.bad-zip"])
    }
}

struct XMLEncodingTests {
    /// A part in another encoding is read; bytes that are not in it are a located error, and
    /// libxml2 prints nothing of its own.
    @Test func declaredEncodingsAndBadBytes() throws {
        let sjis =
            Array(
                ("<?xml version=\"1.0\" encoding=\"Shift_JIS\"?><worksheet xmlns=\"\(Pkg.main)\"><sheetData><row "
                    + "r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>")
                    .utf8)
            + [0x88, 0xE3, 0x8E, 0x74] + Array("</t></is></c></row></sheetData></worksheet>".utf8)
        var z = ZipWriter()
        z.add("[Content_Types].xml", [])
        z.add(
            "xl/workbook.xml",
            Array(
                ("<workbook xmlns=\"\(Pkg.main)\" xmlns:r=\"\(Pkg.rel)\"><sheets><sheet name=\"s\" sheetId=\"1\" "
                    + "r:id=\"a\"/></sheets></workbook>")
                    .utf8))
        z.add(
            "xl/_rels/workbook.xml.rels",
            Array(
                ("<Relationships "
                    + "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship Id=\"a\" "
                    + "Type=\"x/worksheet\" Target=\"s.xml\"/></Relationships>")
                    .utf8))
        z.add("xl/s.xml", sjis)
        #expect(Pkg.cells(Pkg.read(z.finish()).0) == ["A1=医師"])
        let bad = Pkg.sheet("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>ok</t></is></c></row>")
            .replacingOccurrences(
                of: "<?xml version=\"1.0\" encoding=\"UTF-8\"?>", with: "<?xml version=\"1.0\" encoding=\"UTF-16\"?>")
        let (s, d) = Pkg.read(Pkg.xlsx([("s", bad)]))
        #expect(s == nil && d.map(\.id) == ["workbook.xml-syntax"], "\(d)")
    }
}
