import Foundation
import TenkenSyntax
import Testing

@testable import TenkenWorkbook

struct WriterRoundTripTests {
    static let staff = SheetSpec.table(
        "職員",
        columns: [
            ColumnSpec(header: "職員ID", format: .text, prompt: ValidationMessage(title: "職員ID", text: "仮名のID。氏名は書かない")),
            ColumnSpec(header: "職種", format: .text, choices: ["医師", "看護師", "事務職員"]),
            ColumnSpec(header: "入職日", format: .date),
            ColumnSpec(header: "MCS利用", format: .text, choices: ["はい", "いいえ"]),
            ColumnSpec(header: "人数", format: .number),
        ],
        rows: [
            [.text("S-001"), .text("医師"), .date(year: 2020, month: 4, day: 1), .text("はい"), .number(3)],
            [.text("=SUM(1)"), .text("看護師"), .date(year: 1904, month: 1, day: 1), .bool(true), .number(1.5)],
            [.text(" spaced <&> \"q\" _x0041_ \u{1}\nline"), .empty, .empty, .empty, .empty],
        ])

    @Test func readsBackWhatItWrote() throws {
        let bytes = try WorkbookWriter.write([
            .guide("説明", [GuideLine("使い方", .title), GuideLine("表に記入します")]), Self.staff,
        ]).get()
        let (wb, diags) = Workbook.open(bytes: bytes, file: "clinic.xlsx")
        #expect(diags.isEmpty, "\(diags)")
        let book = try #require(wb)
        #expect(book.sheets.map(\.name) == ["説明", "職員"])
        let (sheet, sd) = book.read(try #require(book.sheet(named: "職員")))
        #expect(sd.isEmpty, "\(sd)")
        let s = try #require(sheet)
        #expect(s.rows.map(\.number) == [1, 2, 3, 4])
        #expect(s.rows[0].texts(width: 5) == ["職員ID", "職種", "入職日", "MCS利用", "人数"])
        #expect(s.rows[1].texts(width: 5) == ["S-001", "医師", "2020-04-01", "はい", "3"])
        #expect(s.rows[1].cells.map(\.kind) == [.text, .text, .date, .text, .number])
        #expect(s.rows[2].texts(width: 5) == ["=SUM(1)", "看護師", "1904-01-01", "true", "1.5"])
        #expect(s.rows[3].texts(width: 1) == [" spaced <&> \"q\" _x0041_ \u{1}\nline"])
        #expect(s.cell(row: 2, column: 3)?.reference == "C2")
        #expect(s.location(row: 2, column: 3, header: "入職日").description == "clinic.xlsx [職員] C2 [入職日]")
    }

    @Test func sameInputSameBytes() throws {
        let a = try WorkbookWriter.write([Self.staff]).get()
        let b = try WorkbookWriter.write([Self.staff]).get()
        #expect(a == b)
    }
}

struct WriterDetailTests {
    /// The parts of a written workbook, as text.
    static func part(_ bytes: [UInt8], _ name: String) throws -> String {
        let (z, _) = ZipArchive.open(bytes, file: "w.xlsx")
        return String(decoding: try #require(z).contents(ofEntryNamed: name).get(), as: UTF8.self)
    }

    @Test func headerIsFrozenStyledAndPromptedAndChoicesAreDropDowns() throws {
        let b = try WorkbookWriter.write([WriterRoundTripTests.staff]).get()
        let xml = try Self.part(b, "xl/worksheets/sheet1.xml")
        #expect(xml.contains("<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"))
        #expect(xml.contains("<c r=\"A1\" s=\"1\" t=\"s\">"), "header cells carry the header style")
        #expect(
            xml.contains(
                "<dataValidation allowBlank=\"1\" showInputMessage=\"1\" promptTitle=\"職員ID\" "
                    + "prompt=\"仮名のID。氏名は書かない\" sqref=\"A1\"/>"
            ))
        #expect(
            xml.contains("<dataValidation type=\"list\" errorStyle=\"warning\" allowBlank=\"1\" showErrorMessage=\"1\"")
        )
        #expect(xml.contains("sqref=\"B2:B1048576\"><formula1>\"医師,看護師,事務職員\"</formula1></dataValidation>"))
        #expect(
            xml.contains("<col min=\"3\" max=\"3\" width=\"11.5\" style=\"2\" customWidth=\"1\"/>"),
            "date column: date style, fits yyyy-mm-dd")
        #expect(xml.contains("<c r=\"C2\" s=\"2\"><v>43922</v></c>"), "2020-04-01 is serial 43922")
        let wb = try Self.part(b, "xl/workbook.xml")
        #expect(wb.contains("<sheet name=\"職員\" sheetId=\"1\" r:id=\"rId1\"/>"))
        let styles = try Self.part(b, "xl/styles.xml")
        #expect(styles.contains("formatCode=\"yyyy-mm-dd\""))
    }

    @Test func longOrCommaChoicesGoToAHiddenListSheet() throws {
        let many = (1...40).map { "選択肢その\($0)" }
        let sheet = SheetSpec.table(
            "端末", columns: [ColumnSpec(header: "種別", choices: many), ColumnSpec(header: "x", choices: ["a,b", "c"])],
            rows: [])
        let b = try WorkbookWriter.write([sheet]).get()
        let (wb, d) = Workbook.open(bytes: b, file: "w.xlsx")
        #expect(d.isEmpty)
        let book = try #require(wb)
        #expect(book.sheets.map(\.name) == ["端末", WorkbookWriter.listSheetName])
        #expect(book.sheets.map(\.visibility) == [.visible, .hidden])
        let lists = try #require(book.read(book.sheets[1]).0)
        #expect(lists.rows.first?.texts(width: 2) == ["選択肢その1", "a,b"])
        #expect(lists.rows.count == 40)
        let xml = try Self.part(b, "xl/worksheets/sheet1.xml")
        #expect(xml.contains("<formula1>'選択肢'!$A$1:$A$40</formula1>"))
        #expect(xml.contains("<formula1>'選択肢'!$B$1:$B$2</formula1>"))
    }

    @Test func perCellValidationsForKeyValueSheets() throws {
        let facility = SheetSpec.table(
            "施設", columns: [ColumnSpec(header: "項目"), ColumnSpec(header: "値")],
            rows: [[.text("facility.kind"), .text("診療所")]],
            validations: [
                DataValidation(
                    rows: 2...2, columns: 2...2, choices: ["診療所", "病院"],
                    prompt: ValidationMessage(title: "施設種別", text: "選ぶ"), strict: true)
            ])
        let xml = try Self.part(try WorkbookWriter.write([facility]).get(), "xl/worksheets/sheet1.xml")
        #expect(
            xml.contains(
                "<dataValidation type=\"list\" allowBlank=\"1\" showInputMessage=\"1\" showErrorMessage=\"1\" "
                    + "promptTitle=\"施設種別\" prompt=\"選ぶ\" sqref=\"B2\"><formula1>\"診療所,病院\"</formula1></dataValidation>"
            ))
        let bad = SheetSpec.table(
            "x", columns: [], rows: [], validations: [DataValidation(rows: 0...1, columns: 1...1, choices: ["a"])])
        #expect(throws: Diagnostic.self) { try WorkbookWriter.write([bad]).get() }
    }

    @Test func everythingIsEscaped() throws {
        let evil = "</t><script>&\"'"
        let sheet = SheetSpec.table(
            "a&b<c>",
            columns: [
                ColumnSpec(
                    header: evil, choices: ["<x>", "&"],
                    prompt: ValidationMessage(title: "\"t\"", text: "line\nnext\u{7}"))
            ],
            rows: [[.text(evil)]])
        let b = try WorkbookWriter.write([sheet]).get()
        let (wb, d) = Workbook.open(bytes: b, file: "w.xlsx")
        #expect(d.isEmpty)
        let book = try #require(wb)
        #expect(book.sheets.first?.name == "a&b<c>")
        #expect(Pkg.cells(book.read(book.sheets[0]).0) == ["A1=\(evil)", "A2=\(evil)"])
        let xml = try Self.part(b, "xl/worksheets/sheet1.xml")
        #expect(xml.contains("promptTitle=\"&quot;t&quot;\" prompt=\"line&#10;next\""))
        #expect(xml.contains("<formula1>\"&lt;x&gt;,&amp;\"</formula1>"))
    }

    @Test(arguments: [
        "", "a:b", "a/b", "a?b", "a*b", "a[b", "a]b", "a\\b", "'ab", "ab'", String(repeating: "長", count: 32), "a\u{1}",
    ])
    func badSheetNamesAreRefused(_ name: String) {
        guard case .failure(let d) = WorkbookWriter.write([.table(name, columns: [], rows: [])]) else {
            Issue.record("wrote \(name)"); return
        }
        #expect(d.id == "workbook.bad-sheet-name")
    }

    @Test func duplicateSheetNamesIgnoringCaseAreRefused() {
        guard
            case .failure(let d) = WorkbookWriter.write([
                .table("Staff", columns: [], rows: []), .table("staff", columns: [], rows: []),
            ])
        else { return }
        #expect(d.id == "workbook.bad-sheet-name")
        #expect(
            WorkbookWriter.write([], file: "o.xlsx").map { _ in 0 }
                == .failure(
                    Diagnostic(
                        "workbook.too-many", .error, "a workbook needs at least one sheet",
                        at: SourceLocation(file: "o.xlsx"))))
    }

    @Test func cellsLongerThanExcelHoldsAreRefused() {
        let long = String(repeating: "a", count: 32_768)
        guard
            case .failure(let d) = WorkbookWriter.write(
                [.table("s", columns: [], rows: [[.empty, .text(long)]])], file: "out.xlsx")
        else { Issue.record("wrote it"); return }
        #expect(d.id == "workbook.too-large")
        #expect(d.location?.description == "out.xlsx [s] B1")
        #expect(throws: Diagnostic.self) {
            try WorkbookWriter.write([.table("s", columns: [], rows: [[.number(.nan)]])]).get()
        }
    }

    @Test func widthsCountEastAsianCharactersAsTwo() {
        #expect(DisplayWidth.of("abc") == 3)
        #expect(DisplayWidth.of("職員ID") == 6)
        #expect(DisplayWidth.of("ｶﾀｶﾅ") == 4, "halfwidth katakana is narrow")
        #expect(DisplayWidth.of("ＡＢ") == 4, "fullwidth letters are wide")
        #expect(DisplayWidth.of("一行目\nab") == 6)
        #expect(SheetXML.cut("abcdef", 4) == "abc…")
        #expect(SheetXML.cut("abc", 4) == "abc")
        #expect(
            SheetXML.decimal(11.5) == "11.5" && SheetXML.decimal(8.43) == "8.43" && SheetXML.decimal(60) == "60"
                && SheetXML.decimal(9.05) == "9.05")
    }

    @Test func guideSheetIsTextInOneWrappedColumn() throws {
        let b = try WorkbookWriter.write([
            .guide(
                "説明",
                [GuideLine("記入のしかた", .title), GuideLine(""), GuideLine("表ごとにシートがあります", .heading), GuideLine("本文")])
        ]).get()
        let xml = try Self.part(b, "xl/worksheets/sheet1.xml")
        #expect(!xml.contains("<pane"), "a guide has no frozen header")
        #expect(
            xml.contains("<c r=\"A1\" s=\"4\" t=\"s\">") && xml.contains("<c r=\"A3\" s=\"5\" t=\"s\">")
                && xml.contains("<c r=\"A4\" s=\"6\" t=\"s\">"))
        #expect(xml.contains("tabSelected=\"1\""))
    }

    @Test func datesBeforeMarch1900AreWrittenAsText() throws {
        let b = try WorkbookWriter.write([
            .table(
                "s", columns: [ColumnSpec(header: "d", format: .date)], rows: [[.date(year: 1900, month: 2, day: 28)]])
        ]).get()
        #expect(Pkg.cells(Pkg.read(b).0) == ["A1=d", "A2=1900-02-28"])
        #expect(CellValue.date(iso: "2024-02-29") == .date(year: 2024, month: 2, day: 29))
        #expect(
            CellValue.date(iso: "2023-02-29") == nil && CellValue.date(iso: "2023/02/01") == nil
                && CellValue.date(iso: "20230201") == nil)
    }
}

struct NumberFormatTests {
    @Test(arguments: [
        ("General", NumberFormatClass.number), ("0", .number), ("0.00", .number), ("#,##0", .number),
        ("0.00E+00", .number), ("0%", .number),
        ("@", .number), ("\"yd\"0", .number), ("[Red]0;[Blue]-0", .number), ("0_);\\(0\\)", .number),
        ("[$€-407]#,##0.00", .number),
        ("yyyy-mm-dd", .date), ("yyyy/m/d", .date), ("d-mmm-yy", .date), ("mmm-yy", .date), ("m/d/yyyy h:mm", .date),
        ("[$-411]ggge\"年\"m\"月\"d\"日\"", .date), ("yyyy\"年\"m\"月\"d\"日\"", .date), ("ge.m.d", .date),
        ("[$-F800]dddd, mmmm dd, yyyy", .date),
        ("e\"年\"", .date), ("mm", .date), ("yyyy\\-mm\\-dd", .date),
        ("h:mm", .time), ("hh:mm:ss", .time), ("mm:ss", .time), ("[h]:mm:ss", .time), ("[mm]:ss", .time),
        ("h:mm AM/PM", .time),
        ("h\"時\"mm\"分\"", .time), ("h:mm a/p", .time),
        // Japanese Excel's date formats carry a text section: the first section is the date's.
        ("yyyy/m/d;@", .date), ("[$-411]ge.m.d;@", .date), ("[$-411]ggge\"年\"m\"月\"d\"日\";@", .date),
        ("yyyy\"年\"m\"月\"d\"日\";@", .date),
        ("m/d/yyyy;@", .date), ("h:mm;@", .time), ("0;-0;0;@", .number), ("@;yyyy", .number), ("0;[Red]yyyy", .number),
    ])
    func classifiesFormatCodes(_ code: String, _ cls: NumberFormatClass) {
        #expect(NumberFormatClass.classify(code: code) == cls, "\(code)")
    }

    @Test func builtInFormats() {
        let dates = [14, 15, 16, 17, 22, 27, 28, 29, 30, 31, 34, 35, 36, 50, 51, 52, 53, 54, 55, 56, 57, 58]
        let times = [18, 19, 20, 21, 32, 33, 45, 46, 47]
        for i in 0...200 {
            let want: NumberFormatClass = dates.contains(i) ? .date : times.contains(i) ? .time : .number
            #expect(NumberFormatClass.builtIn(i) == want, "built-in \(i)")
        }
    }

    @Test func serialsRoundTripEveryDayFromMarch1900() {
        var day = DateSerial.daysFromCivil(1900, 3, 1)
        let last = DateSerial.daysFromCivil(9999, 12, 31)
        var checked = 0
        while day <= last {
            let (y, m, d) = DateSerial.civilFromDays(day)
            let serial = DateSerial.serial(year: y, month: m, day: d)!
            #expect(DateSerial.isoDate(serialDay: serial, date1904: false) == DateSerial.iso(y, m, d))
            day += 97
            checked += 1
        }
        #expect(checked > 30_000)
        #expect(DateSerial.serial(year: 2025, month: 4, day: 1) == 45748)
        #expect(DateSerial.serial(year: 1900, month: 3, day: 1) == 61)
        #expect(DateSerial.serial(year: 2023, month: 2, day: 30) == nil)
        #expect(DateSerial.isoDate(serialDay: 2958466, date1904: false) == nil)
        #expect(DateSerial.isoDate(serialDay: -1, date1904: true) == nil)
        #expect(DateSerial.text(serial: 0.25, as: .time, date1904: false) == "06:00")
        #expect(DateSerial.text(serial: 45748 + 1.0 / 86_400 * 61, as: .date, date1904: false) == "2025-04-01 00:01:01")
        #expect(DateSerial.text(serial: .infinity, as: .date, date1904: false) == nil)
    }

    @Test func cellReferences() {
        #expect(CellReference.parse("A1")! == (1, 1))
        #expect(CellReference.parse("xfd1048576")! == (1_048_576, 16_384))
        for bad in ["", "A", "1", "A0", "1A", "AAAA1", "A12345678", "$A$1", "A-1", "Ａ1"] {
            #expect(CellReference.parse(bad) == nil, "\(bad)")
        }
        #expect(
            CellReference.column(letters: "AB") == 28 && CellReference.column(letters: "") == nil
                && CellReference.column(letters: "A1") == nil)
        #expect(CellReference.name(row: 5, column: 6) == "F5")
    }
}
