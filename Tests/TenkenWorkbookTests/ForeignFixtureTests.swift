import Foundation
import TenkenSyntax
import Testing

@testable import TenkenWorkbook

/// Workbooks saved by other programs (scripts/workbook-fixtures.py made them with LibreOffice
/// Calc 7.4 and openpyxl 3.1). The expected cells are what those programs show (LibreOffice's
/// CSV export of each sheet, with values "as shown"), written here by hand, in the table
/// conventions: dates as YYYY-MM-DD, booleans as true/false.
struct ForeignFixtureTests {
    static func sheets(_ file: String) throws -> [String: (Worksheet, [Diagnostic])] {
        let (wb, d) = Workbook.open(bytes: try WorkbookFixtures.bytes(file), file: file)
        #expect(d.isEmpty, "\(d)")
        let book = try #require(wb)
        var out: [String: (Worksheet, [Diagnostic])] = [:]
        for s in book.sheets {
            let (ws, sd) = book.read(s)
            out[s.name] = (try #require(ws), sd)
        }
        return out
    }

    static func grid(_ s: Worksheet) -> [[String]] {
        let w = s.columnCount
        return s.rows.map { $0.texts(width: w) }
    }

    @Test func libreOfficeClinic() throws {
        let sheets = try Self.sheets("libreoffice-clinic.xlsx")
        #expect(Set(sheets.keys) == ["職員", "端末"])
        let (staff, d) = try #require(sheets["職員"])
        #expect(d.isEmpty)
        #expect(
            Self.grid(staff) == [
                ["職員ID", "職種", "入職日", "誓約書署名日", "計算", "エラー", "MCS利用"],
                // 入職日 is typed as a date (yyyy-mm-dd), 誓約書署名日 as a date shown 2023年5月10日, and
                // as text 2024/4/1; 計算 is =1+2 with its result; エラー is =NA(); LibreOffice saves
                // booleans as the numbers 1 and 0.
                ["S-001", "医師", "2020-04-01", "2023-05-10", "3", "#N/A", "1"],
                ["S-002", "看護師", "2021-10-15", "2024/4/1", "2.5", "", "0"],
            ], "the styled blank row 4 is left out")
        #expect(staff.cell(row: 2, column: 4)?.kind == .date && staff.cell(row: 3, column: 4)?.kind == .text)
        #expect(staff.cell(row: 2, column: 5)?.hasFormula == true)
        let errors = staff.cellDiagnostics(headers: [6: "エラー"])
        #expect(
            errors.map { "\($0.id) \($0.location!)" } == ["workbook.error-cell libreoffice-clinic.xlsx [職員] F2 [エラー]"])
        #expect(Self.grid(try #require(sheets["端末"]).0) == [["端末ID", "返却日"], ["PC-01", "2025-03-31"]])
    }

    @Test func libreOfficeFromCSVTypesSlashDatesAsDates() throws {
        let (devices, _) = try #require(try Self.sheets("libreoffice-from-csv.xlsx")["devices"])
        // LibreOffice shows these as "Apr 01" (a format without the year); the serial is the date.
        #expect(
            Self.grid(devices) == [
                ["端末ID", "端末種別", "OS更新日", "画面ロック(分)"],
                ["PC-01", "パソコン", "2025-04-01", "5"], ["SP-02", "スマートフォン", "2025-10-31", "1"],
            ])
    }

    @Test func openpyxlClinic() throws {
        let sheets = try Self.sheets("openpyxl-clinic.xlsx")
        let (staff, _) = try #require(sheets["職員"])
        #expect(
            Self.grid(staff) == [
                ["職員ID", "職種", "入職日", "MCS利用", "研修時間", "備考"],
                // Rich text runs are joined; a datetime at midnight is the day.
                ["S-001", "医師", "2020-04-01", "true", "1.5", "太字混在"],
                // openpyxl saves =1+2 without a result: no text, and an error at the cell.
                ["S-002", "看護師", "2021-10-15", "false", "", "#N/A"],
                // A time of day stays, so a date column refuses it as it refuses such CSV cells.
                ["001", "事務職員", "2022-01-05 09:30", "", "0.1", ""],
            ], "the styled blank row 8 is left out")
        #expect(
            staff.cellDiagnostics().map { "\($0.id) \($0.location!)" } == [
                "workbook.formula-without-value openpyxl-clinic.xlsx [職員] E3",
                "workbook.error-cell openpyxl-clinic.xlsx [職員] F3",
            ])
        #expect(Self.grid(try #require(sheets["端末"]).0) == [["端末ID", "端末種別"], ["PC-01", "パソコン"]])
    }

    @Test func the1904DateSystemFromBothWriters() throws {
        let lo = try #require(try Self.sheets("libreoffice-1904.xlsx")["日付"]).0
        #expect(Self.grid(lo) == [["when"], ["2025-04-01"], ["1904-01-01"]])
        let py = try #require(try Self.sheets("openpyxl-1904.xlsx")["dates"]).0
        #expect(Self.grid(py) == [["when", "serial"], ["2025-04-01", "1"], ["1904-01-01", "2"]])
    }

    /// attest's path: one part rewritten, every other part of a LibreOffice package (which
    /// writes data descriptors after each entry) copied as it was.
    @Test func rewritingOneSheetOfALibreOfficeWorkbookKeepsTheRest() throws {
        let bytes = try WorkbookFixtures.bytes("libreoffice-clinic.xlsx")
        let (zip, _) = ZipArchive.open(bytes, file: "lo.xlsx")
        let z = try #require(zip)
        let sheet2 = try z.contents(ofEntryNamed: "xl/worksheets/sheet2.xml").get()
        let edited = String(decoding: sheet2, as: UTF8.self).replacingOccurrences(
            of: "</sheetData>",
            with: "<row r=\"3\"><c r=\"A3\" t=\"inlineStr\"><is><t>PC-02</t></is></c></row></sheetData>")
        let out = try z.replacing("xl/worksheets/sheet2.xml", with: Array(edited.utf8)).get()
        let (wb, d) = Workbook.open(bytes: out, file: "lo.xlsx")
        #expect(d.isEmpty)
        let book = try #require(wb)
        let devices = try #require(book.sheet(named: "端末"))
        #expect(
            Self.grid(try #require(book.read(devices).0)) == [
                ["端末ID", "返却日"], ["PC-01", "2025-03-31"], ["PC-02", ""],
            ])
        let z2 = try #require(ZipArchive.open(out, file: "lo.xlsx").0)
        for e in z.entries where e.name != "xl/worksheets/sheet2.xml" {
            let f = try #require(z2.entry(named: e.name))
            #expect(
                z.bytes[e.localHeaderOffset..<(e.dataOffset + e.compressedSize + 16)].elementsEqual(
                    z2.bytes[f.localHeaderOffset..<(f.dataOffset + f.compressedSize + 16)]),
                "\(e.name): local header, data and data descriptor unchanged")
            #expect(z.bytes[e.centralRecord].count == z2.bytes[f.centralRecord].count)
        }
    }
}

/// A batch reads facilities on several threads: workbooks read side by side give what they give
/// one at a time.
struct ConcurrentReadingTests {
    @Test func threadsReadTheSameCells() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: WorkbookFixtures.dir.path).filter {
            $0.hasSuffix(".xlsx")
        }.sorted()
        let inputs = try files.map { try WorkbookFixtures.bytes($0) }
        @Sendable func cells(_ b: [UInt8]) -> [String] {
            guard let wb = Workbook.open(bytes: b, file: "x.xlsx").0 else { return ["unreadable"] }
            return wb.sheets.flatMap { Pkg.cells(wb.read($0).0) }
        }
        let expected = inputs.map(cells)
        let n = 64
        let results = Results(count: n)
        DispatchQueue.concurrentPerform(iterations: n) { i in results.set(i, cells(inputs[i % inputs.count])) }
        for i in 0..<n { #expect(results.get(i) == expected[i % inputs.count]) }
    }

    final class Results: @unchecked Sendable {
        private var items: [[String]]
        private let lock = NSLock()
        init(count: Int) { items = Array(repeating: [], count: count) }
        func set(_ i: Int, _ v: [String]) { lock.lock(); items[i] = v; lock.unlock() }
        func get(_ i: Int) -> [String] { lock.lock(); defer { lock.unlock() }; return items[i] }
    }
}
