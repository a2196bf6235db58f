import Foundation
import TenkenBenchKit
import TenkenSyntax
import Testing

@testable import TenkenWorkbook

struct ZipReaderTests {
    @Test func readsStoredAndDeflatedEntries() throws {
        var w = ZipWriter()
        let text = Array(String(repeating: "点検 tenken ", count: 500).utf8)
        w.add("a/deflated.xml", text)
        w.add("stored.bin", [1, 2, 3], compress: false)
        w.add("empty", [])
        let (zip, d) = ZipArchive.open(w.finish(), file: "t.zip")
        #expect(d.isEmpty)
        let z = try #require(zip)
        #expect(z.entries.map(\.name) == ["a/deflated.xml", "stored.bin", "empty"])
        #expect(try z.contents(ofEntryNamed: "a/deflated.xml").get() == text)
        #expect(try z.contents(ofEntryNamed: "A/DEFLATED.XML").get() == text, "part names compare ignoring case")
        #expect(try z.contents(ofEntryNamed: "stored.bin").get() == [1, 2, 3])
        #expect(try z.contents(ofEntryNamed: "empty").get() == [])
        guard case .failure(let e) = z.contents(ofEntryNamed: "nope") else {
            Issue.record("found a missing entry"); return
        }
        #expect(e.id == "workbook.missing-part")
    }

    static func ids(_ bytes: [UInt8], limits: WorkbookLimits = WorkbookLimits()) -> [String] {
        ZipArchive.open(bytes, file: "t.zip", limits: limits).1.map(\.id)
    }

    @Test(arguments: ["../evil.xml", "/etc/passwd", "a\\b.xml", "C:/x.xml", "xl/../../up.xml", "a/\u{0}b", ""])
    func refusesNamesThatLeaveTheFolder(_ name: String) {
        let ids = Self.ids(RawZip(entries: [.init(name, [1])]).bytes)
        #expect(ids == ["workbook.unsafe-entry-name"])
    }

    @Test func namesThatMerelyContainDotsAreFine() {
        #expect(Self.ids(RawZip(entries: [.init("a..b/c.d.xml", [1]), .init(".rels", [2])]).bytes).isEmpty)
    }

    @Test func refusesDuplicateNamesIgnoringCase() {
        #expect(
            Self.ids(RawZip(entries: [.init("xl/a.xml", [1]), .init("XL/A.xml", [2])]).bytes) == [
                "workbook.duplicate-entry"
            ])
    }

    @Test func refusesEncryptedAndUnknownMethods() {
        var e = RawZip.Entry("x.xml", [1, 2])
        e.flags = 1
        #expect(Self.ids(RawZip(entries: [e]).bytes) == ["workbook.encrypted"])
        var aes = RawZip.Entry("x.xml", [1, 2])
        aes.method = 99
        #expect(Self.ids(RawZip(entries: [aes]).bytes) == ["workbook.encrypted"])
        var bz = RawZip.Entry("x.xml", [1, 2])
        bz.method = 12
        #expect(Self.ids(RawZip(entries: [bz]).bytes) == ["workbook.unsupported-compression"])
    }

    @Test func refusesBombsBeforeInflating() {
        // 4 MiB of zeros deflate to about 4 KiB: a ratio near 1,000.
        let zeros = RawZip.Entry("xl/worksheets/sheet1.xml", [UInt8](repeating: 0x20, count: 4 << 20), deflate: true)
        #expect(Self.ids(RawZip(entries: [zeros]).bytes) == ["workbook.compression-ratio"])
        var small = WorkbookLimits()
        small.maxPartBytes = 1000
        #expect(
            Self.ids(RawZip(entries: [.init("a", [UInt8](repeating: 1, count: 1001))]).bytes, limits: small) == [
                "workbook.too-large"
            ])
        var total = WorkbookLimits()
        total.maxTotalBytes = 1500
        #expect(
            Self.ids(
                RawZip(entries: [
                    .init("a", [UInt8](repeating: 1, count: 1000)), .init("b", [UInt8](repeating: 1, count: 1000)),
                ]).bytes, limits: total)
                == ["workbook.too-large"])
        var few = WorkbookLimits()
        few.maxEntries = 2
        #expect(
            Self.ids(RawZip(entries: (0..<3).map { .init("e\($0)", [1]) }).bytes, limits: few) == ["workbook.too-many"])
        // A declared size far past the limit: refused from the header, nothing allocated.
        var lie = RawZip.Entry("a", [1, 2, 3])
        lie.usize = 0xFFFF_FFF0
        #expect(Self.ids(RawZip(entries: [lie]).bytes) == ["workbook.too-large"])
    }

    @Test func overlappingEntriesAreABombShape() {
        // The first entry's data claims to run over the second entry's header: one block of
        // compressed bytes would be counted twice.
        var a = RawZip.Entry("a.xml", Array("<x/>".utf8))
        let b = RawZip.Entry("b.xml", Array("<y/>".utf8))
        a.csize = UInt32(a.data.count + 30 + b.name.count + b.data.count)
        let d = ZipArchive.open(RawZip(entries: [a, b]).bytes, file: "t.zip").1
        #expect(d.map(\.id) == ["workbook.bad-zip"])
        #expect(d.first?.message.contains("overlap") == true)
    }

    @Test func lyingSizesAndChecksumsAreCaughtOnRead() throws {
        let plain = Array(String(repeating: "<row/>", count: 200).utf8)
        func read(_ e: RawZip.Entry) -> String? {
            let (z, d) = ZipArchive.open(RawZip(entries: [e]).bytes, file: "t.zip")
            guard let z else { return d.first?.id }
            if case .failure(let f) = z.contents(of: z.entries[0]) { return f.id + ":" + f.message }
            return nil
        }
        var shorter = RawZip.Entry("s.xml", plain, deflate: true)
        shorter.usize -= 10
        #expect(read(shorter)?.contains("inflates to more") == true)
        var longer = RawZip.Entry("s.xml", plain, deflate: true)
        longer.usize += 10
        #expect(read(longer)?.contains("ends early") == true)
        var crc = RawZip.Entry("s.xml", plain, deflate: true)
        crc.crc ^= 1
        #expect(read(crc)?.hasPrefix("workbook.crc-mismatch") == true)
        var garbage = RawZip.Entry("s.xml", plain)
        garbage.method = 8
        garbage.data = [0xFF, 0xFF, 0xFF, 0xFF]
        garbage.csize = 4
        #expect(read(garbage)?.contains("damaged") == true)
        var stored = RawZip.Entry("s.xml", plain)
        stored.usize += 1
        #expect(read(stored)?.hasPrefix("workbook.bad-zip") == true)
    }

    @Test func headersThatDisagreeAreRefused() {
        var renamed = RawZip.Entry("a.xml", [1])
        renamed.localName = Array("b.xml".utf8)
        #expect(Self.ids(RawZip(entries: [renamed]).bytes) == ["workbook.bad-zip"])
        var past = RawZip.Entry("a.xml", [1, 2, 3])
        past.csize = 5000
        #expect(Self.ids(RawZip(entries: [past]).bytes) == ["workbook.bad-zip"])
        var elsewhere = RawZip.Entry("a.xml", [1])
        elsewhere.offsetOverride = 0x7000_0000
        #expect(Self.ids(RawZip(entries: [elsewhere]).bytes) == ["workbook.bad-zip"])
        var more = RawZip(entries: [.init("a.xml", [1])])
        more.entryCountOverride = 5
        #expect(Self.ids(more.bytes) == ["workbook.bad-zip"])
    }

    @Test func everyTruncationIsAnErrorNeverACrash() throws {
        let full = try WorkbookWriter.write([WriterRoundTripTests.staff]).get()
        #expect(Workbook.open(bytes: full, file: "t.xlsx").0 != nil)
        for n in 0..<full.count {
            let (wb, d) = Workbook.open(bytes: Array(full.prefix(n)), file: "t.xlsx")
            #expect(wb == nil && d.contains { $0.severity == .error }, "prefix of \(n) bytes")
            #expect(d.allSatisfy { $0.location?.file == "t.xlsx" })
        }
    }

    @Test func flippedBytesNeverCrash() throws {
        let full = try WorkbookWriter.write([WriterRoundTripTests.staff]).get()
        var rng = SplitMix64(seed: 17)
        for _ in 0..<2000 {
            var b = full
            for _ in 0..<(1 + Int(rng.next() % 4)) {
                b[Int(rng.next() % UInt64(b.count))] = UInt8(truncatingIfNeeded: rng.next())
            }
            let (wb, _) = Workbook.open(bytes: b, file: "t.xlsx")
            if let wb { for s in wb.sheets { _ = wb.read(s) } }
        }
    }

    @Test func zip64RecordsWithinLimitsAreRead() {
        // The classic end record saturated, the real values in ZIP64 records.
        let inner = RawZip(entries: [.init("a.xml", Array("<a/>".utf8))]).bytes
        let endAt = inner.count - 22
        let cdOffset = UInt64(RawZip.le32Int(inner, endAt + 16)), cdSize = UInt64(RawZip.le32Int(inner, endAt + 12))
        var b = Array(inner[0..<endAt])
        let z64 = b.count
        b +=
            RawZip.le32(0x0606_4B50) + RawZip.le64(44) + RawZip.le16(45) + RawZip.le16(45) + RawZip.le32(0)
            + RawZip.le32(0)
        b += RawZip.le64(1) + RawZip.le64(1) + RawZip.le64(cdSize) + RawZip.le64(cdOffset)
        b += RawZip.le32(0x0706_4B50) + RawZip.le32(0) + RawZip.le64(UInt64(z64)) + RawZip.le32(1)
        let classic =
            RawZip.le32(0x0605_4B50) + RawZip.le16(0) + RawZip.le16(0) + RawZip.le16(0xFFFF) + RawZip.le16(0xFFFF)
            + RawZip.le32(0xFFFF_FFFF) + RawZip.le32(0xFFFF_FFFF) + RawZip.le16(0)
        let (z, d) = ZipArchive.open(b + classic, file: "t.zip")
        #expect(d.isEmpty, "\(d)")
        #expect(z?.entries.map(\.name) == ["a.xml"])
        // The same records declaring 2^40 entries.
        var huge = b
        let countAt = z64 + 24
        for (i, v) in RawZip.le64(1 << 40).enumerated() { huge[countAt + i] = v; huge[countAt + 8 + i] = v }
        #expect(Self.ids(huge + classic) == ["workbook.too-many"])
        // A saturated record with no ZIP64 locator.
        #expect(Self.ids(Array(inner[0..<endAt]) + classic) == ["workbook.bad-zip"])
    }
}

struct ZipRewriteTests {
    @Test func replacingOnePartCopiesEveryOtherEntryByteForByte() throws {
        var w = ZipWriter()
        w.add("[Content_Types].xml", Array("<Types/>".utf8))
        w.add("xl/a.xml", Array(String(repeating: "a", count: 3000).utf8))
        w.add("xl/b.bin", [9, 8, 7], compress: false)
        w.add("xl/c.xml", Array("<c/>".utf8))
        let (zip, _) = ZipArchive.open(w.finish(comment: Array("note".utf8)[...]), file: "t.zip")
        let z = try #require(zip)
        let out = try z.replacing("xl/b.bin", with: Array("new contents".utf8)).get()
        let (zip2, d) = ZipArchive.open(out, file: "t.zip")
        #expect(d.isEmpty)
        let z2 = try #require(zip2)
        #expect(z2.entries.map(\.name) == z.entries.map(\.name))
        #expect(try z2.contents(ofEntryNamed: "xl/b.bin").get() == Array("new contents".utf8))
        for name in ["[Content_Types].xml", "xl/a.xml", "xl/c.xml"] {
            let a = try #require(z.entry(named: name)), b = try #require(z2.entry(named: name))
            #expect(
                z.bytes[a.localHeaderOffset..<(a.dataOffset + a.compressedSize)].elementsEqual(
                    z2.bytes[b.localHeaderOffset..<(b.dataOffset + b.compressedSize)]))
            #expect(try z2.contents(of: b).get() == z.contents(of: a).get())
        }
        #expect(out.suffix(4).elementsEqual(Array("note".utf8)), "the archive comment is kept")
        guard case .failure(let e) = z.replacing("nope", with: []) else {
            Issue.record("replaced a missing part"); return
        }
        #expect(e.id == "workbook.missing-part")
    }
}

extension RawZip {
    static func le64(_ v: UInt64) -> [UInt8] { (0..<8).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
    static func le32Int(_ b: [UInt8], _ at: Int) -> Int {
        Int(b[at]) | Int(b[at + 1]) << 8 | Int(b[at + 2]) << 16 | Int(b[at + 3]) << 24
    }
}
