import TenkenSyntax

/// Writes a zip container deterministically: entries in the order added, every timestamp
/// 1980-01-01 00:00 (the earliest a zip can say), no extra fields, no data descriptors, names
/// flagged UTF-8 when they are not ASCII, deflate at zlib's default level. The same entries give
/// the same bytes with the same zlib (goldens compare bytes).
public struct ZipWriter: Sendable {
    fileprivate var out: [UInt8] = []
    fileprivate var central: [UInt8] = []
    fileprivate var count = 0
    /// Old local-header offset → new, for entries copied from another container.
    fileprivate var newOffsets: [Int: Int] = [:]

    public init() {}

    /// Adds an entry, deflated unless `compress` is false (then stored). ZIP64 is never
    /// written: callers keep entries under 4 GiB and fewer than 65,536 (`WorkbookWriter` and
    /// `ZipArchive.replacing` check both).
    public mutating func add(_ name: String, _ data: [UInt8], compress: Bool = true) {
        let deflated = compress ? Zlib.deflate(data) : data
        let crc = Zlib.crc32(data)
        let nameBytes = Array(name.utf8)
        let flags: UInt16 = nameBytes.allSatisfy { $0 < 0x80 } ? 0 : 0x0800
        let offset = out.count
        // Local file header.
        put32(&out, 0x0403_4B50)
        put16(&out, 20)  // version needed: 2.0 (deflate)
        put16(&out, flags)
        put16(&out, compress ? 8 : 0)
        put16(&out, 0)  // time 00:00:00
        put16(&out, 0x21)  // date 1980-01-01
        put32(&out, crc)
        put32(&out, UInt32(deflated.count))
        put32(&out, UInt32(data.count))
        put16(&out, UInt16(nameBytes.count))
        put16(&out, 0)
        out += nameBytes
        out += deflated
        // Central directory record.
        put32(&central, 0x0201_4B50)
        put16(&central, 20)  // made by: MS-DOS attributes, 2.0
        put16(&central, 20)
        put16(&central, flags)
        put16(&central, compress ? 8 : 0)
        put16(&central, 0)
        put16(&central, 0x21)
        put32(&central, crc)
        put32(&central, UInt32(deflated.count))
        put32(&central, UInt32(data.count))
        put16(&central, UInt16(nameBytes.count))
        put16(&central, 0)  // extra
        put16(&central, 0)  // comment
        put16(&central, 0)  // disk
        put16(&central, 0)  // internal attributes
        put32(&central, 0)  // external attributes
        put32(&central, UInt32(offset))
        central += nameBytes
        count += 1
    }

    /// The finished container, with `comment` (at most 65,535 bytes) after the end record.
    public func finish(comment: ArraySlice<UInt8> = []) -> [UInt8] {
        var b = out
        let cdOffset = b.count
        b += central
        put32(&b, 0x0605_4B50)
        put16(&b, 0)
        put16(&b, 0)
        put16(&b, UInt16(count))
        put16(&b, UInt16(count))
        put32(&b, UInt32(central.count))
        put32(&b, UInt32(cdOffset))
        let c = comment.prefix(0xFFFF)
        put16(&b, UInt16(c.count))
        b += c
        return b
    }

    private func put16(_ b: inout [UInt8], _ v: UInt16) { b.append(UInt8(v & 0xFF)); b.append(UInt8(v >> 8)) }
    private func put32(_ b: inout [UInt8], _ v: UInt32) {
        for i in 0..<4 { b.append(UInt8(truncatingIfNeeded: v >> (8 * i))) }
    }
    private func put16(_ b: inout [UInt8], _ v: Int) { put16(&b, UInt16(truncatingIfNeeded: v)) }
}

extension ZipArchive {
    /// The container with one entry's contents replaced (deflated) and every other entry
    /// copied byte for byte — compressed data, local header, data descriptor and central
    /// record (only its offset changes) — in the same order, with the same archive comment.
    /// This is how a workbook is edited in place: the user's formatting, colours, pictures and
    /// extra sheets live in parts that are never decoded.
    ///
    /// Fails (`workbook.missing-part`) when the entry does not exist, and (`workbook.too-large`)
    /// when the result would need ZIP64 (over 65,535 entries or 4 GiB).
    public func replacing(_ name: String, with data: [UInt8]) -> Result<[UInt8], Diagnostic> {
        guard let target = entry(named: name) else {
            return .failure(
                Diagnostic(
                    "workbook.missing-part", .error, "the workbook has no part \(name) to replace",
                    at: SourceLocation(file: file, path: name)))
        }
        guard entries.count <= 0xFFFF, data.count < Int(UInt32.max) else {
            return .failure(
                Diagnostic(
                    "workbook.too-large", .error, "the rewritten workbook would need ZIP64",
                    at: SourceLocation(file: file)))
        }
        // Each entry owns the bytes from its local header to the next entry's (or to the
        // central directory): data descriptors and any padding travel with it.
        let starts = entries.map(\.localHeaderOffset).sorted()
        func end(of e: ZipEntry) -> Int {
            starts.first { $0 > e.localHeaderOffset } ?? centralStart
        }
        let byOffset = entries.sorted { $0.localHeaderOffset < $1.localHeaderOffset }
        var w = ZipWriter()
        // Bytes before the first entry (a self-extractor's stub) are kept where they were.
        let prefix = bytes[0..<(byOffset.first?.localHeaderOffset ?? centralStart)]
        w.out += prefix
        var placed: [String: (Int, [UInt8])] = [:]
        for e in byOffset {
            if e == target {
                var one = ZipWriter()
                one.add(e.name, data)
                let offset = w.out.count
                w.out += one.out
                placed[e.name] = (offset, one.central)
            } else {
                w.copyLocal(bytes[e.localHeaderOffset..<end(of: e)], for: e)
            }
        }
        guard w.out.count < Int(UInt32.max) else {
            return .failure(
                Diagnostic(
                    "workbook.too-large", .error, "the rewritten workbook would need ZIP64",
                    at: SourceLocation(file: file)))
        }
        // The central directory in its original order.
        for e in entries {
            if e == target, let (offset, record) = placed[e.name] {
                var r = record
                for i in 0..<4 { r[42 + i] = UInt8(truncatingIfNeeded: offset >> (8 * i)) }
                w.central += r
                w.count += 1
            } else if let offset = w.newOffsets[e.localHeaderOffset] {
                var record = Array(bytes[e.centralRecord])
                let at = e.offsetField.position - e.centralRecord.lowerBound
                guard e.offsetField.width == 8 || offset <= Int(UInt32.max) else {
                    return .failure(
                        Diagnostic(
                            "workbook.too-large", .error, "the rewritten workbook would need ZIP64",
                            at: SourceLocation(file: file)))
                }
                for i in 0..<e.offsetField.width { record[at + i] = UInt8(truncatingIfNeeded: offset >> (8 * i)) }
                w.central += record
                w.count += 1
            }
        }
        return .success(w.finish(comment: comment))
    }
}

extension ZipWriter {
    fileprivate mutating func copyLocal(_ local: ArraySlice<UInt8>, for e: ZipEntry) {
        newOffsets[e.localHeaderOffset] = out.count
        out += local
    }
}
