import Foundation
import TenkenSyntax
import Testing

@testable import TenkenWorkbook

/// attest's path: answers appended to one sheet, everything else kept.
struct AppendRowsTests {
    static let answers: [[CellValue]] = [
        [
            .text("no-credential-sharing"), .text("はい"), .text("運用責任者"), .text("S-001"),
            .date(year: 2026, month: 11, day: 30), .empty,
        ],
        [
            .text("<&> 特殊"), .text("対象外"), .empty, .text(" S-002 "), .date(year: 2026, month: 12, day: 1),
            .text("理由\n二行目"),
        ],
    ]

    static func named(_ wb: Workbook, _ name: String) throws -> SheetInfo { try #require(wb.sheet(named: name)) }

    static func grid(_ wb: Workbook, _ name: String) throws -> [[String]] {
        let s = try named(wb, name)
        let ws = try #require(wb.read(s).0)
        return ws.rows.map { $0.texts(width: ws.columnCount) }
    }

    @Test func appendsBelowTheLastValueAndKeepsEverythingElse() throws {
        let sheet = SheetSpec.table(
            "確認",
            columns: [
                ColumnSpec(header: "確認項目", format: .text),
                ColumnSpec(header: "回答", format: .text, choices: ["はい", "いいえ", "対象外"]),
                ColumnSpec(header: "回答者の役割", format: .text), ColumnSpec(header: "回答者ID", format: .text),
                ColumnSpec(header: "回答日", format: .date), ColumnSpec(header: "理由", format: .text),
            ],
            rows: [
                [
                    .text("logout-after-use"), .text("いいえ"), .text("運用責任者"), .text("S-001"),
                    .date(year: 2026, month: 11, day: 1), .text("計画中"),
                ]
            ])
        let original = try WorkbookWriter.write([.guide("説明", [GuideLine("x")]), sheet]).get()
        let wb = try #require(Workbook.open(bytes: original, file: "c.xlsx").0)
        let out = try wb.appendingRows(Self.answers, to: try Self.named(wb, "確認")).get()
        let (wb2, d) = Workbook.open(bytes: out, file: "c.xlsx")
        #expect(d.isEmpty)
        let after = try #require(wb2)
        #expect(
            try Self.grid(after, "確認") == [
                ["確認項目", "回答", "回答者の役割", "回答者ID", "回答日", "理由"],
                ["logout-after-use", "いいえ", "運用責任者", "S-001", "2026-11-01", "計画中"],
                ["no-credential-sharing", "はい", "運用責任者", "S-001", "2026-11-30", ""],
                ["<&> 特殊", "対象外", "", " S-002 ", "2026-12-01", "理由\n二行目"],
            ])
        let ws = try #require(after.read(try Self.named(after, "確認")).0)
        #expect(ws.cell(row: 3, column: 5)?.kind == .date, "a date under dates is a date serial with their format")
        // Every other part is the same bytes; the sheet keeps its validations and frozen header.
        let z1 = wb.archive, z2 = after.archive
        for e in z1.entries where e.name != "xl/worksheets/sheet2.xml" {
            let f = try #require(z2.entry(named: e.name))
            #expect(
                z1.bytes[e.localHeaderOffset..<(e.dataOffset + e.compressedSize)].elementsEqual(
                    z2.bytes[f.localHeaderOffset..<(f.dataOffset + f.compressedSize)]))
        }
        let xml = String(decoding: try z2.contents(ofEntryNamed: "xl/worksheets/sheet2.xml").get(), as: UTF8.self)
        #expect(xml.contains("state=\"frozen\"") && xml.contains("<formula1>\"はい,いいえ,対象外\"</formula1>"))
        #expect(xml.contains("<dimension ref=\"A1:F4\"/>"))
        #expect(xml.contains("xml:space=\"preserve\""))
    }

    @Test func libreOfficeSheetKeepsItsDatesAndDescriptors() throws {
        let wb = try #require(
            Workbook.open(bytes: try WorkbookFixtures.bytes("libreoffice-clinic.xlsx"), file: "lo.xlsx").0)
        let out = try wb.appendingRows(
            [[.text("PC-02"), .date(year: 2026, month: 1, day: 5)]], to: try Self.named(wb, "端末")
        ).get()
        let after = try #require(Workbook.open(bytes: out, file: "lo.xlsx").0)
        #expect(try Self.grid(after, "端末") == [["端末ID", "返却日"], ["PC-01", "2025-03-31"], ["PC-02", "2026-01-05"]])
        #expect(try Self.grid(after, "職員") == Self.grid(wb, "職員"))
        let ws = try #require(after.read(try Self.named(after, "端末")).0)
        #expect(ws.cell(row: 3, column: 2)?.kind == .date)
    }

    @Test func formattedEmptyRowsBelowTheDataAreReused() throws {
        // openpyxl's 職員 has values to row 4 and a filled, empty row 8.
        let wb = try #require(
            Workbook.open(bytes: try WorkbookFixtures.bytes("openpyxl-clinic.xlsx"), file: "py.xlsx").0)
        let rows: [[CellValue]] = (1...5).map { [.text("N-\($0)"), .empty, .date(year: 2026, month: 2, day: $0)] }
        let out = try wb.appendingRows(rows, to: try Self.named(wb, "職員")).get()
        let after = try #require(Workbook.open(bytes: out, file: "py.xlsx").0)
        let ws = try #require(after.read(try Self.named(after, "職員")).0)
        #expect(ws.rows.map(\.number) == [1, 2, 3, 4, 5, 6, 7, 8, 9])
        #expect(ws.rows[4...].map { $0.texts(width: 3) } == (1...5).map { ["N-\($0)", "", "2026-02-0\($0)"] })
        // The style above column C is a date-time format: dates keep it.
        #expect(ws.cell(row: 9, column: 3)?.kind == .date)
        let xml = String(
            decoding: try after.archive.contents(ofEntryNamed: "xl/worksheets/sheet1.xml").get(), as: UTF8.self)
        #expect(xml.components(separatedBy: "<row r=\"8\"").count == 2, "row 8 is reused, not doubled")
    }

    @Test func datesUnderTextAreDatesWhenTheWorkbookHasADateFormat() throws {
        // Under a text-formatted cell (rows a person formatted ahead), a date still goes in as
        // a date, under the workbook's date format: Excel would show text with a warning.
        let plain = try WorkbookWriter.write([
            .table("s", columns: [ColumnSpec(header: "d", format: .text)], rows: [[.text("x")]])
        ]).get()
        let wb = try #require(Workbook.open(bytes: plain, file: "p.xlsx").0)
        let out = try wb.appendingRows([[.date(year: 2026, month: 3, day: 1)], [.number(5)]], to: wb.sheets[0]).get()
        let ws = try #require(Workbook.open(bytes: out, file: "p.xlsx").0.flatMap { $0.read($0.sheets[0]).0 })
        #expect(ws.cell(row: 3, column: 1).map { "\($0.kind):\($0.text)" } == "date:2026-03-01")
        #expect(ws.cell(row: 4, column: 1).map { "\($0.kind):\($0.text)" } == "number:5")
        // A workbook without any date format gets the date as text, which the loader reads.
        let noDates = Pkg.xlsx(
            [("s", Pkg.sheet("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>d</t></is></c></row>"))],
            styles: Pkg.styles([0, 49]))
        let nd = try #require(Workbook.open(bytes: noDates, file: "n.xlsx").0)
        let out2 = try nd.appendingRows([[.date(year: 2026, month: 3, day: 1)]], to: nd.sheets[0]).get()
        let ws2 = try #require(Workbook.open(bytes: out2, file: "n.xlsx").0.flatMap { $0.read($0.sheets[0]).0 })
        #expect(ws2.cell(row: 2, column: 1).map { "\($0.kind):\($0.text)" } == "text:2026-03-01")
        let broken = Pkg.xlsx([("s", Pkg.sheet("<row r=\"2\"><c r=\"A2\" t=\"s\"><v>7</v></c></row>"))])
        let bad = try #require(Workbook.open(bytes: broken, file: "b.xlsx").0)
        guard case .failure(let e) = bad.appendingRows([[.text("a")]], to: bad.sheets[0]) else {
            Issue.record("appended to a broken sheet"); return
        }
        #expect(e.id == "workbook.bad-cell")
    }
}
