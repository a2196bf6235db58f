import Foundation
import TenkenSyntax
import Testing

@testable import TenkenWorkbook

/// The workbooks of the malformed-input corpus, `Fixtures/invalid/workbooks/`: each line of its
/// `cases.tsv` names a file, the diagnostic id it must draw and the place it must name. Most
/// files are made here (`TENKEN_RECORD=1 swift test --filter HostileWorkbookCorpus` writes
/// them again); `legacy.xls`, `password.xlsx` and `opendocument-named.xlsx` come from
/// LibreOffice and msoffcrypto-tool (scripts/workbook-fixtures.py).
struct HostileWorkbookCorpus {
    static var dir: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
            .appendingPathComponent("Fixtures/invalid/workbooks")
    }

    static let staffSheet = Pkg.sheet("<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>職員ID</t></is></c></row>")

    static func valid(extra: [(String, [UInt8])] = [], sheet: String = staffSheet, sst: String? = nil) -> [UInt8] {
        Pkg.xlsx([("職員", sheet)], sst: sst, extra: extra)
    }

    /// The files this test makes, by name.
    static let generated: [(String, @Sendable () -> [UInt8])] = [
        ("bomb-ratio.xlsx", { valid(sheet: Pkg.sheet(String(repeating: "<row/>", count: 700_000))) }),
        (
            "bomb-declared.xlsx",
            {
                var e = RawZip.Entry("xl/worksheets/sheet1.xml", Array(staffSheet.utf8), deflate: true)
                e.usize = 0xFFFF_FF00
                return RawZip(entries: [.init("[Content_Types].xml", Array("<Types/>".utf8)), e]).bytes
            }
        ),
        ("traversal.xlsx", { valid(extra: [("../../evil.sh", Array("#!/bin/sh\n".utf8))]) }),
        ("absolute.xlsx", { valid(extra: [("/tmp/evil.xml", Array("<x/>".utf8))]) }),
        ("backslash.xlsx", { valid(extra: [("xl\\worksheets\\sheet9.xml", Array("<x/>".utf8))]) }),
        ("duplicate.xlsx", { valid(extra: [("xl/worksheets/sheet1.xml", Array(Pkg.sheet("").utf8))]) }),
        (
            "encrypted-entry.xlsx",
            {
                var e = RawZip.Entry("xl/workbook.xml", Array("<workbook/>".utf8))
                e.flags = 1
                return RawZip(entries: [.init("[Content_Types].xml", Array("<Types/>".utf8)), e]).bytes
            }
        ),
        (
            "unknown-method.xlsx",
            {
                var e = RawZip.Entry("xl/workbook.xml", Array("<workbook/>".utf8))
                e.method = 14
                return RawZip(entries: [.init("[Content_Types].xml", Array("<Types/>".utf8)), e]).bytes
            }
        ),
        (
            "overlap.xlsx",
            {
                var a = RawZip.Entry("[Content_Types].xml", Array("<Types/>".utf8))
                let b = RawZip.Entry("xl/workbook.xml", Array("<workbook/>".utf8))
                a.csize = UInt32(a.data.count + 30 + b.name.count + b.data.count)
                return RawZip(entries: [a, b]).bytes
            }
        ),
        (
            "truncated.xlsx",
            {
                let b = valid(); return Array(b.prefix(b.count / 2))
            }
        ),
        ("no-end-record.xlsx", { Array(valid().dropLast(22)) }),
        (
            "crc.xlsx",
            {
                let parts = valid()
                let z = ZipArchive.open(parts, file: "x").0!
                let e = z.entry(named: "xl/worksheets/sheet1.xml")!
                var b = parts
                b[e.centralRecord.lowerBound + 16] ^= 0xFF
                return b
            }
        ),
        (
            "lying-size.xlsx",
            {
                var e = RawZip.Entry("xl/worksheets/sheet1.xml", Array(staffSheet.utf8), deflate: true)
                e.usize -= 8
                let good = ZipArchive.open(valid(), file: "x").0!
                let others = good.entries.filter { $0.name != "xl/worksheets/sheet1.xml" }.map {
                    RawZip.Entry($0.name, try! good.contents(of: $0).get())
                }
                return RawZip(entries: others + [e]).bytes
            }
        ),
        (
            "zip64-huge-count.xlsx",
            {
                let inner = RawZip(entries: [.init("[Content_Types].xml", Array("<Types/>".utf8))]).bytes
                let endAt = inner.count - 22
                var b = Array(inner[0..<endAt])
                let z64 = b.count
                b +=
                    RawZip.le32(0x0606_4B50) + RawZip.le64(44) + RawZip.le16(45) + RawZip.le16(45) + RawZip.le32(0)
                    + RawZip.le32(0)
                b +=
                    RawZip.le64(1 << 40) + RawZip.le64(1 << 40) + RawZip.le64(46 + 19)
                    + RawZip.le64(UInt64(RawZip.le32Int(inner, endAt + 16)))
                b += RawZip.le32(0x0706_4B50) + RawZip.le32(0) + RawZip.le64(UInt64(z64)) + RawZip.le32(1)
                return b + RawZip.le32(0x0605_4B50) + RawZip.le16(0) + RawZip.le16(0) + RawZip.le16(0xFFFF)
                    + RawZip.le16(0xFFFF)
                    + RawZip.le32(0xFFFF_FFFF) + RawZip.le32(0xFFFF_FFFF) + RawZip.le16(0)
            }
        ),
        (
            "xxe.xlsx",
            {
                valid(
                    sheet:
                        "<?xml version=\"1.0\"?><!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "
                        + "\"file:///etc/passwd\">]><worksheet xmlns=\"\(Pkg.main)\"><sheetData><row r=\"1\"><c "
                        + "r=\"A1\" t=\"inlineStr\"><is><t>&xxe;</t></is></c></row></sheetData></worksheet>"
                )
            }
        ),
        (
            "billion-laughs.xlsx",
            {
                var dtd = "<!ENTITY l0 \"ha\">"
                for i in 1...9 { dtd += "<!ENTITY l\(i) \"" + String(repeating: "&l\(i - 1);", count: 10) + "\">" }
                return valid(
                    sst:
                        "<?xml version=\"1.0\"?><!DOCTYPE sst [\(dtd)]><sst "
                        + "xmlns=\"\(Pkg.main)\"><si><t>&l9;</t></si></sst>"
                )
            }
        ),
        (
            "huge-string.xlsx",
            { valid(sst: Pkg.sst(["<si><t>" + String(repeating: "あいうえお", count: 10_000) + "</t></si>"])) }
        ),
        (
            "error-cell.xlsx",
            {
                valid(
                    sheet: Pkg.sheet(
                        "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>職員ID</t></is></c></row><row r=\"5\"><c "
                            + "r=\"F5\" t=\"e\"><f>#REF!+1</f><v>#REF!</v></c></row>"
                    ))
            }
        ),
        (
            "bad-shared-string.xlsx",
            {
                valid(
                    sheet: Pkg.sheet("<row r=\"2\"><c r=\"B2\" t=\"s\"><v>99</v></c></row>"),
                    sst: Pkg.sst(["<si><t>a</t></si>"]))
            }
        ),
        ("bad-reference.xlsx", { valid(sheet: Pkg.sheet("<row r=\"5\"><c r=\"A9\"><v>1</v></c></row>")) }),
        ("malformed-xml.xlsx", { valid(sheet: Pkg.sheet("<row r=\"3\"><c r=\"D3\"><v>1</v></row>")) }),
        ("empty.xlsx", { [] }),
        ("csv-named.xlsx", { Array("職員ID,職種\nS-001,医師\n".utf8) }),
    ]

    struct Case: CustomStringConvertible, Sendable {
        var file: String, id: String, location: String
        var description: String { file }
    }

    static var cases: [Case] {
        let text = (try? String(contentsOf: dir.appendingPathComponent("cases.tsv"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n").filter { !$0.hasPrefix("#") }.map { line in
            let c = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
            return Case(file: c[0], id: c.count > 1 ? c[1] : "", location: c.count > 2 ? c[2] : "")
        }
    }

    @Test func recordOrCheckGeneratedFiles() throws {
        let record = ProcessInfo.processInfo.environment["TENKEN_RECORD"] != nil
        for (name, make) in Self.generated {
            let url = Self.dir.appendingPathComponent(name)
            if record { try Data(make()).write(to: url) }
            #expect(try Data(contentsOf: url) == Data(make()), "\(name) is what its generator makes")
        }
    }

    @Test func everyFileHasACaseAndEveryCaseAFile() throws {
        let files = Set(try FileManager.default.contentsOfDirectory(atPath: Self.dir.path).filter { $0 != "cases.tsv" })
        #expect(Set(Self.cases.map(\.file)) == files)
        #expect(Self.cases.count >= 25)
    }

    /// Read as the table loader will: open, read every sheet, look at every cell. Each file
    /// must draw its diagnostic at its place, and nothing else may go wrong.
    @Test(arguments: cases)
    func hostileWorkbook(_ c: Case) throws {
        let bytes = Array(try Data(contentsOf: Self.dir.appendingPathComponent(c.file)))
        var diags: [Diagnostic]
        let (wb, d) = Workbook.open(bytes: bytes, file: c.file)
        diags = d
        if let wb {
            for s in wb.sheets {
                let (ws, sd) = wb.read(s)
                diags += sd + (ws?.cellDiagnostics() ?? [])
            }
        }
        #expect(diags.contains { $0.id == c.id && $0.severity == .error }, "\(diags)")
        #expect(
            diags.contains { $0.location?.description == c.location },
            "\(diags.map { $0.location?.description ?? "-" })")
    }
}
