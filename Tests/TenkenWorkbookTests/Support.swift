import Foundation
import TenkenSyntax

@testable import TenkenWorkbook

/// The test fixtures beside this file.
enum WorkbookFixtures {
    static var dir: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    }
    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: dir.appendingPathComponent(name)))
    }
}

/// Hand-built packages: the smallest parts a reader needs, with the XML the test gives.
enum Pkg {
    static let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"

    static func attr(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;")
    }

    static func sheet(_ rows: String, before: String = "", after: String = "") -> String {
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?><worksheet "
            + "xmlns=\"\(main)\">\(before)<sheetData>\(rows)</sheetData>\(after)</worksheet>"
    }

    static func sst(_ items: [String]) -> String {
        "<sst xmlns=\"\(main)\" count=\"\(items.count)\" uniqueCount=\"\(items.count)\">" + items.joined() + "</sst>"
    }

    /// Styles whose cellXfs use these number formats (index = the `s` attribute).
    static func styles(_ numFmtIds: [Int], custom: [Int: String] = [:]) -> String {
        var s = "<styleSheet xmlns=\"\(main)\">"
        if !custom.isEmpty {
            s +=
                "<numFmts count=\"\(custom.count)\">"
                + custom.sorted { $0.key < $1.key }.map {
                    "<numFmt numFmtId=\"\($0.key)\" formatCode=\"\(attr($0.value))\"/>"
                }.joined() + "</numFmts>"
        }
        s += "<cellStyleXfs count=\"1\"><xf numFmtId=\"14\"/></cellStyleXfs>"
        s +=
            "<cellXfs count=\"\(numFmtIds.count)\">" + numFmtIds.map { "<xf numFmtId=\"\($0)\" xfId=\"0\"/>" }.joined()
            + "</cellXfs></styleSheet>"
        return s
    }

    /// A workbook with these sheets (name, sheet XML) and optional shared strings and styles.
    static func xlsx(
        _ sheets: [(String, String)], sst: String? = nil, styles: String? = nil, workbookPr: String = "",
        namespace: String = main, relNamespace: String = rel, extra: [(String, [UInt8])] = []
    ) -> [UInt8] {
        var z = ZipWriter()
        z.add(
            "[Content_Types].xml",
            Array("<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\"/>".utf8))
        z.add(
            "_rels/.rels",
            Array(
                ("<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
                    + "<Relationship Id=\"rId1\" Type=\"\(relNamespace)/officeDocument\" "
                    + "Target=\"xl/workbook.xml\"/></Relationships>")
                    .utf8))
        var wb = "<workbook xmlns=\"\(namespace)\" xmlns:r=\"\(relNamespace)\">\(workbookPr)<sheets>"
        var rels = "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        for (i, s) in sheets.enumerated() {
            wb += "<sheet name=\"\(attr(s.0))\" sheetId=\"\(i + 1)\" r:id=\"rId\(i + 1)\"/>"
            rels +=
                "<Relationship Id=\"rId\(i + 1)\" Type=\"\(relNamespace)/worksheet\" "
                + "Target=\"worksheets/sheet\(i + 1).xml\"/>"
        }
        if sst != nil {
            rels += "<Relationship Id=\"rIdS\" Type=\"\(relNamespace)/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        }
        if styles != nil {
            rels += "<Relationship Id=\"rIdT\" Type=\"\(relNamespace)/styles\" Target=\"/xl/styles.xml\"/>"
        }
        z.add("xl/workbook.xml", Array((wb + "</sheets></workbook>").utf8))
        z.add("xl/_rels/workbook.xml.rels", Array((rels + "</Relationships>").utf8))
        if let sst { z.add("xl/sharedStrings.xml", Array(sst.utf8)) }
        if let styles { z.add("xl/styles.xml", Array(styles.utf8)) }
        for (i, s) in sheets.enumerated() { z.add("xl/worksheets/sheet\(i + 1).xml", Array(s.1.utf8)) }
        for (n, b) in extra { z.add(n, b) }
        return z.finish()
    }

    /// Opens and reads the first sheet; the diagnostics of both steps.
    static func read(
        _ bytes: [UInt8], file: String = "t.xlsx", limits: WorkbookLimits = WorkbookLimits()
    ) -> (Worksheet?, [Diagnostic]) {
        let (wb, d) = Workbook.open(bytes: bytes, file: file, limits: limits)
        guard let wb, let first = wb.sheets.first else { return (nil, d) }
        let (s, d2) = wb.read(first)
        return (s, d + d2)
    }

    /// The one-sheet workbook's cells as `A1=text` (kind-tagged when not text).
    static func cells(_ s: Worksheet?) -> [String] {
        (s?.rows ?? []).flatMap {
            $0.cells.map { "\($0.reference)=\($0.text)" + ($0.kind == .text ? "" : "(\($0.kind.rawValue))") }
        }
    }
}

/// A zip container built field by field, for headers that lie.
struct RawZip {
    struct Entry {
        var name: [UInt8]
        var data: [UInt8]  // as stored (already compressed when method 8)
        var method: UInt16 = 0
        var flags: UInt16 = 0
        var crc: UInt32
        var csize: UInt32
        var usize: UInt32
        var localName: [UInt8]?
        var offsetOverride: UInt32?

        init(_ name: String, _ plain: [UInt8], deflate: Bool = false) {
            self.name = Array(name.utf8)
            data = deflate ? Zlib.deflate(plain) : plain
            method = deflate ? 8 : 0
            crc = Zlib.crc32(plain)
            csize = UInt32(data.count)
            usize = UInt32(plain.count)
        }
    }

    var entries: [Entry]
    var entryCountOverride: UInt16?

    static func le16(_ v: UInt16) -> [UInt8] { [UInt8(v & 0xFF), UInt8(v >> 8)] }
    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }

    var bytes: [UInt8] {
        var out: [UInt8] = [], central: [UInt8] = []
        for e in entries {
            let offset = UInt32(out.count)
            let ln = e.localName ?? e.name
            out +=
                Self.le32(0x0403_4B50) + Self.le16(20) + Self.le16(e.flags) + Self.le16(e.method) + Self.le16(0)
                + Self.le16(0x21)
            out +=
                Self.le32(e.crc) + Self.le32(e.csize) + Self.le32(e.usize) + Self.le16(UInt16(ln.count)) + Self.le16(0)
                + ln + e.data
            central +=
                Self.le32(0x0201_4B50) + Self.le16(20) + Self.le16(20) + Self.le16(e.flags) + Self.le16(e.method)
                + Self.le16(0) + Self.le16(0x21)
            central +=
                Self.le32(e.crc) + Self.le32(e.csize) + Self.le32(e.usize) + Self.le16(UInt16(e.name.count))
                + Self.le16(0) + Self.le16(0)
            central += Self.le16(0) + Self.le16(0) + Self.le32(0) + Self.le32(e.offsetOverride ?? offset) + e.name
        }
        let cd = UInt32(out.count)
        let n = entryCountOverride ?? UInt16(entries.count)
        return out + central + Self.le32(0x0605_4B50) + Self.le16(0) + Self.le16(0) + Self.le16(n) + Self.le16(n)
            + Self.le32(UInt32(central.count)) + Self.le32(cd) + Self.le16(0)
    }
}
