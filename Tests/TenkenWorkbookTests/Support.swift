import Foundation
import TenkenSyntax
@testable import TenkenWorkbook

/// The test fixtures beside this file.
enum WorkbookFixtures {
    static var dir: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures") }
    static func bytes(_ name: String) throws -> [UInt8] { Array(try Data(contentsOf: dir.appendingPathComponent(name))) }
}

/// A zip container built field by field, for headers that lie.
struct RawZip {
    struct Entry {
        var name: [UInt8]
        var data: [UInt8]              // as stored (already compressed when method 8)
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
            out += Self.le32(0x0403_4B50) + Self.le16(20) + Self.le16(e.flags) + Self.le16(e.method) + Self.le16(0) + Self.le16(0x21)
            out += Self.le32(e.crc) + Self.le32(e.csize) + Self.le32(e.usize) + Self.le16(UInt16(ln.count)) + Self.le16(0) + ln + e.data
            central += Self.le32(0x0201_4B50) + Self.le16(20) + Self.le16(20) + Self.le16(e.flags) + Self.le16(e.method) + Self.le16(0) + Self.le16(0x21)
            central += Self.le32(e.crc) + Self.le32(e.csize) + Self.le32(e.usize) + Self.le16(UInt16(e.name.count)) + Self.le16(0) + Self.le16(0)
            central += Self.le16(0) + Self.le16(0) + Self.le32(0) + Self.le32(e.offsetOverride ?? offset) + e.name
        }
        let cd = UInt32(out.count)
        let n = entryCountOverride ?? UInt16(entries.count)
        return out + central + Self.le32(0x0605_4B50) + Self.le16(0) + Self.le16(0) + Self.le16(n) + Self.le16(n)
            + Self.le32(UInt32(central.count)) + Self.le32(cd) + Self.le16(0)
    }
}
