import TenkenSyntax

/// One entry of a zip container, as its central directory and local header describe it.
public struct ZipEntry: Sendable, Hashable {
    /// The entry's name (`xl/worksheets/sheet1.xml`), UTF-8.
    public let name: String
    /// 0 stored, 8 deflate.
    public let method: UInt16
    public let crc32: UInt32
    public let compressedSize: Int
    public let uncompressedSize: Int
    /// Where its local header starts in the container.
    public let localHeaderOffset: Int
    /// Where its compressed data starts (after the local header, name and extra field).
    let dataOffset: Int
    /// The bytes of its central-directory record, copied as they are when the container is rewritten.
    let centralRecord: Range<Int>
    /// Where the local-header offset is stored inside `centralRecord` (4 bytes, or 8 in a ZIP64
    /// extra field), so a rewrite can move the entry.
    let offsetField: (position: Int, width: Int)

    public static func == (a: ZipEntry, b: ZipEntry) -> Bool {
        a.name == b.name && a.localHeaderOffset == b.localHeaderOffset
    }
    public func hash(into h: inout Hasher) { h.combine(name); h.combine(localHeaderOffset) }
}

/// A zip container read from memory (APPNOTE 6.3: central directory, local headers, ZIP64
/// records; stored and deflate entries). Opening checks every structure against the bytes and
/// the limits before anything is inflated: names that could escape a folder (`..`, absolute
/// paths, backslashes, drive letters), duplicate names, encrypted entries, other compression
/// methods, entries that overlap or point outside the file (the trick of the "better zip bomb"),
/// and declared sizes and ratios over `WorkbookLimits`. Reading an entry then inflates it into
/// a buffer of its declared size and checks its length and CRC-32.
///
/// Errors are located as `FILE [entry name]`; ids are listed in docs/workbook.md.
public struct ZipArchive: Sendable {
    public let file: String
    public let bytes: [UInt8]
    /// In central-directory order.
    public let entries: [ZipEntry]
    public let limits: WorkbookLimits
    /// Lowercased name → index in `entries` (OPC part names compare case-insensitively).
    let index: [String: Int]
    /// Where the central directory starts, and the archive comment's bytes.
    let centralStart: Int
    let comment: ArraySlice<UInt8>

    /// Reads the container's directory. Returns nil with every problem found when it cannot be
    /// used; a container that opens may still fail to yield one entry (`contents(of:)`).
    public static func open(
        _ bytes: [UInt8], file: String, limits: WorkbookLimits = WorkbookLimits()
    ) -> (ZipArchive?, [Diagnostic]) {
        var r = ZipDirectoryReader(bytes: bytes, file: file, limits: limits)
        let archive = r.read()
        return (r.diagnostics.contains { $0.severity == .error } ? nil : archive, r.diagnostics)
    }

    public func entry(named name: String) -> ZipEntry? {
        index[ZipArchive.key(name)].map { entries[$0] }
    }

    static func key(_ name: String) -> String { String(name.lowercased()) }

    /// The entry's uncompressed bytes, checked against its declared size and CRC-32.
    public func contents(of entry: ZipEntry) -> Result<[UInt8], Diagnostic> {
        let at = SourceLocation(file: file, path: entry.name)
        let end = entry.dataOffset + entry.compressedSize
        guard entry.dataOffset >= 0, end <= bytes.count else {
            return .failure(Diagnostic("workbook.bad-zip", .error, "entry data runs past the end of the file", at: at))
        }
        let result: Result<[UInt8], Diagnostic> = bytes.withUnsafeBufferPointer { all in
            let data = UnsafeBufferPointer(rebasing: all[entry.dataOffset..<end])
            if entry.method == 0 {
                guard entry.compressedSize == entry.uncompressedSize else {
                    return .failure(
                        Diagnostic(
                            "workbook.bad-zip", .error,
                            "stored entry declares \(entry.compressedSize) bytes compressed but "
                                + "\(entry.uncompressedSize) uncompressed",
                            at: at))
                }
                return .success(Array(data))
            }
            switch Zlib.inflate(data, expected: entry.uncompressedSize) {
            case .success(let out): return .success(out)
            case .failure(.longerThanDeclared):
                return .failure(
                    Diagnostic(
                        "workbook.bad-zip", .error,
                        "entry inflates to more than the \(entry.uncompressedSize) bytes its header declares", at: at))
            case .failure(.truncated):
                return .failure(
                    Diagnostic(
                        "workbook.bad-zip", .error,
                        "entry's compressed data ends early (the file is truncated or its sizes are wrong)", at: at))
            case .failure(.corrupt(let why)):
                return .failure(
                    Diagnostic("workbook.bad-zip", .error, "entry's compressed data is damaged (\(why))", at: at))
            }
        }
        if case .success(let out) = result, Zlib.crc32(out) != entry.crc32 {
            return .failure(
                Diagnostic(
                    "workbook.crc-mismatch", .error, "entry's CRC-32 does not match its contents (the file is damaged)",
                    at: at))
        }
        return result
    }

    /// The entry's bytes by name; a missing entry is `workbook.missing-part`.
    public func contents(ofEntryNamed name: String) -> Result<[UInt8], Diagnostic> {
        guard let e = entry(named: name) else {
            return .failure(
                Diagnostic(
                    "workbook.missing-part", .error, "the workbook has no part \(name)",
                    at: SourceLocation(file: file, path: name)))
        }
        return contents(of: e)
    }
}

/// Little-endian reads that never trap: out of range gives nil.
struct ByteReader {
    let bytes: [UInt8]
    func u16(_ at: Int) -> Int? {
        guard at >= 0, at + 2 <= bytes.count else { return nil }
        return Int(bytes[at]) | Int(bytes[at + 1]) << 8
    }
    func u32(_ at: Int) -> Int? {
        guard at >= 0, at + 4 <= bytes.count else { return nil }
        return Int(bytes[at]) | Int(bytes[at + 1]) << 8 | Int(bytes[at + 2]) << 16 | Int(bytes[at + 3]) << 24
    }
    /// A 64-bit field as an Int; values that do not fit in 63 bits give nil (no file is that big).
    func u64(_ at: Int) -> Int? {
        guard let lo = u32(at), let hi = u32(at + 4), hi < 0x8000_0000 else { return nil }
        return lo | hi << 32
    }
}

/// Parses the end records and the central directory, and checks each local header.
struct ZipDirectoryReader {
    let bytes: [UInt8]
    let file: String
    let limits: WorkbookLimits
    var diagnostics: [Diagnostic] = []
    let r: ByteReader

    static let localSig = 0x0403_4B50, centralSig = 0x0201_4B50, endSig = 0x0605_4B50
    static let zip64EndSig = 0x0606_4B50, zip64LocatorSig = 0x0706_4B50

    init(bytes: [UInt8], file: String, limits: WorkbookLimits) {
        self.bytes = bytes
        self.file = file
        self.limits = limits
        r = ByteReader(bytes: bytes)
    }

    mutating func error(
        _ id: String, _ message: String, entry: String? = nil, help: String? = nil, notes: [String] = []
    ) {
        diagnostics.append(
            Diagnostic(id, .error, message, at: SourceLocation(file: file, path: entry), notes: notes, help: help))
    }

    /// The end-of-central-directory record: the last signature from which a whole record and
    /// its comment fit in the file.
    func findEnd() -> Int? {
        guard bytes.count >= 22 else { return nil }
        var i = bytes.count - 22
        let lowest = max(0, bytes.count - 22 - 0xFFFF)
        var loose: Int?
        while i >= lowest {
            if bytes[i] == 0x50, r.u32(i) == Self.endSig, let n = r.u16(i + 20) {
                if i + 22 + n == bytes.count { return i }
                if loose == nil, i + 22 + n <= bytes.count { loose = i }
            }
            i -= 1
        }
        return loose
    }

    mutating func read() -> ZipArchive? {
        guard let end = findEnd() else {
            error(
                "workbook.bad-zip", "no zip end record found (the file is truncated or not a zip container)",
                help: "save the workbook again as .xlsx (Excel Workbook)")
            return nil
        }
        guard var count = r.u16(end + 10), var cdSize = r.u32(end + 12), var cdOffset = r.u32(end + 16),
            let diskNo = r.u16(end + 4), let cdDisk = r.u16(end + 6), let commentLength = r.u16(end + 20)
        else {
            error("workbook.bad-zip", "zip end record is cut short"); return nil
        }
        if diskNo != 0 || cdDisk != 0 {
            error("workbook.bad-zip", "zip container is split across several disks"); return nil
        }
        // ZIP64: the classic record's fields are saturated and the real values live in the
        // ZIP64 end record, found through the locator just before the classic record.
        if count == 0xFFFF || cdSize == 0xFFFF_FFFF || cdOffset == 0xFFFF_FFFF {
            guard end >= 20, r.u32(end - 20) == Self.zip64LocatorSig, let at = r.u64(end - 12), at + 56 <= end,
                r.u32(at) == Self.zip64EndSig, let n = r.u64(at + 32), let size = r.u64(at + 40),
                let offset = r.u64(at + 48)
            else {
                error("workbook.bad-zip", "ZIP64 end record is missing or damaged"); return nil
            }
            count = n; cdSize = size; cdOffset = offset
        }
        guard count <= limits.maxEntries else {
            error(
                "workbook.too-many", "zip container declares \(count) entries, over the limit of \(limits.maxEntries)");
            return nil
        }
        guard cdOffset <= end, cdSize <= end - cdOffset else {
            error(
                "workbook.bad-zip", "central directory (\(cdSize) bytes at byte \(cdOffset)) lies outside the file",
                help: "the file is truncated or damaged; save it again")
            return nil
        }
        var entries: [ZipEntry] = []
        var index: [String: Int] = [:]
        var p = cdOffset
        var totalDeclared = 0
        for n in 0..<count {
            guard r.u32(p) == Self.centralSig, p + 46 <= end,
                let flags = r.u16(p + 8), let method = r.u16(p + 10), let crc = r.u32(p + 16),
                var csize = r.u32(p + 20), var usize = r.u32(p + 24), let nameLength = r.u16(p + 28),
                let extraLength = r.u16(p + 30), let commentLen = r.u16(p + 32), let disk = r.u16(p + 34),
                var offset = r.u32(p + 42), p + 46 + nameLength + extraLength + commentLen <= end
            else {
                error(
                    "workbook.bad-zip",
                    "central directory record \(n + 1) of \(count) is damaged or cut short (at byte \(p))")
                return nil
            }
            let nameBytes = bytes[(p + 46)..<(p + 46 + nameLength)]
            let name = String(decoding: nameBytes, as: UTF8.self)
            var offsetField = (position: p + 42, width: 4)
            // ZIP64 extended information: present fields follow in a fixed order, each only
            // when the classic field is saturated.
            if usize == 0xFFFF_FFFF || csize == 0xFFFF_FFFF || offset == 0xFFFF_FFFF || disk == 0xFFFF {
                var q = p + 46 + nameLength
                let extraEnd = q + extraLength
                var found = false
                while q + 4 <= extraEnd, let id = r.u16(q), let len = r.u16(q + 2), q + 4 + len <= extraEnd {
                    if id == 1 {
                        var f = q + 4
                        let fend = f + len
                        func next() -> Int? {
                            guard f + 8 <= fend, let v = r.u64(f) else { return nil }; f += 8; return v
                        }
                        if usize == 0xFFFF_FFFF { usize = next() ?? -1 }
                        if csize == 0xFFFF_FFFF { csize = next() ?? -1 }
                        if offset == 0xFFFF_FFFF { offsetField = (f, 8); offset = next() ?? -1 }
                        found = true
                        break
                    }
                    q += 4 + len
                }
                if !found || usize < 0 || csize < 0 || offset < 0 {
                    error(
                        "workbook.bad-zip", "entry's ZIP64 sizes are missing or beyond what a workbook can hold",
                        entry: name)
                    return nil
                }
            }
            let record = p..<(p + 46 + nameLength + extraLength + commentLen)
            p = record.upperBound
            if let problem = Self.unsafeName(nameBytes, name) {
                error(
                    "workbook.unsafe-entry-name", "zip entry name \(Self.quoted(name)) \(problem)", entry: nil,
                    help: "a workbook's parts never have such names; the file was not made by a spreadsheet program")
                continue
            }
            if flags & 0x41 != 0 || method == 99 {
                error(
                    "workbook.encrypted", "zip entry is encrypted", entry: name,
                    help: "remove the password from the workbook and save it again as .xlsx")
                continue
            }
            guard method == 0 || method == 8 else {
                error(
                    "workbook.unsupported-compression",
                    "zip entry uses compression method \(method); only stored (0) and deflate (8) are read",
                    entry: name, help: "save the workbook again as .xlsx in a spreadsheet program")
                continue
            }
            if usize > limits.maxPartBytes {
                error(
                    "workbook.too-large",
                    "part would inflate to \(usize) bytes, over the limit of \(limits.maxPartBytes)", entry: name)
                continue
            }
            if usize >= limits.ratioFloorBytes, usize / max(csize, 1) > limits.maxCompressionRatio {
                error(
                    "workbook.compression-ratio",
                    "part would inflate \(usize / max(csize, 1))× (\(csize) bytes to \(usize)), over the limit of "
                        + "\(limits.maxCompressionRatio)×",
                    entry: name,
                    help: "this is the shape of a zip bomb; a spreadsheet program's parts compress far less")
                continue
            }
            totalDeclared += usize
            let key = ZipArchive.key(name)
            if index[key] != nil {
                error(
                    "workbook.duplicate-entry", "zip container holds two entries named \(Self.quoted(name))",
                    entry: name,
                    help: "a reader could take either one; the file was not made by a spreadsheet program")
                continue
            }
            guard
                let dataOffset = checkLocalHeader(
                    at: offset, name: nameBytes, method: method, flags: flags, csize: csize, cdStart: cdOffset,
                    entry: name)
            else { continue }
            index[key] = entries.count
            entries.append(
                ZipEntry(
                    name: name, method: UInt16(method), crc32: UInt32(crc), compressedSize: csize,
                    uncompressedSize: usize,
                    localHeaderOffset: offset, dataOffset: dataOffset, centralRecord: record, offsetField: offsetField))
        }
        if totalDeclared > limits.maxTotalBytes {
            error(
                "workbook.too-large",
                "parts would inflate to \(totalDeclared) bytes in all, over the limit of \(limits.maxTotalBytes)")
        }
        // Entries must not share bytes: overlapping entries let a small file inflate one
        // compressed block many times.
        let byOffset = entries.sorted { $0.localHeaderOffset < $1.localHeaderOffset }
        for (a, b) in zip(byOffset, byOffset.dropFirst()) where a.dataOffset + a.compressedSize > b.localHeaderOffset {
            error(
                "workbook.bad-zip", "zip entries \(Self.quoted(a.name)) and \(Self.quoted(b.name)) overlap",
                entry: b.name,
                help: "this is the shape of a zip bomb; the file was not made by a spreadsheet program")
        }
        if diagnostics.contains(where: { $0.severity == .error }) { return nil }
        let commentStart = min(end + 22, bytes.count)
        return ZipArchive(
            file: file, bytes: bytes, entries: entries, limits: limits, index: index, centralStart: cdOffset,
            comment: bytes[commentStart..<min(commentStart + commentLength, bytes.count)])
    }

    /// Checks the local header against the central record; returns where the data starts.
    mutating func checkLocalHeader(
        at offset: Int, name: ArraySlice<UInt8>, method: Int, flags: Int, csize: Int, cdStart: Int, entry: String
    ) -> Int? {
        guard r.u32(offset) == Self.localSig, let lflags = r.u16(offset + 6), let lmethod = r.u16(offset + 8),
            let nameLength = r.u16(offset + 26), let extraLength = r.u16(offset + 28)
        else {
            error(
                "workbook.bad-zip", "local header at byte \(offset) is missing or damaged", entry: entry,
                help: "the file is truncated or damaged; save it again")
            return nil
        }
        let nameStart = offset + 30, dataStart = nameStart + nameLength + extraLength
        guard dataStart <= cdStart, bytes[nameStart..<min(nameStart + nameLength, bytes.count)].elementsEqual(name)
        else {
            error("workbook.bad-zip", "local header names a different entry than the central directory", entry: entry)
            return nil
        }
        guard lmethod == method, lflags & 1 == flags & 1 else {
            error(
                "workbook.bad-zip",
                "local header and central directory disagree on the entry's compression or encryption", entry: entry)
            return nil
        }
        guard csize <= cdStart - dataStart else {
            error(
                "workbook.bad-zip", "entry's \(csize) compressed bytes run past the start of the central directory",
                entry: entry,
                help: "the file is truncated or damaged; save it again")
            return nil
        }
        return dataStart
    }

    /// Why a name is refused, or nil: it could name a place outside a folder, or hides bytes.
    static func unsafeName(_ raw: ArraySlice<UInt8>, _ name: String) -> String? {
        if raw.isEmpty { return "is empty" }
        if raw.contains(0) { return "contains a NUL byte" }
        if raw.contains(UInt8(ascii: "\\")) { return "contains a backslash" }
        if raw.first == UInt8(ascii: "/") { return "is an absolute path" }
        let segments = name.split(separator: "/", omittingEmptySubsequences: false)
        if segments.contains("..") { return "contains a `..` segment" }
        if let first = segments.first, first.count == 2, first.last == ":" { return "starts with a drive letter" }
        return nil
    }

    /// A name for a message: control characters shown as escapes, long names cut.
    static func quoted(_ name: String) -> String {
        var s = ""
        for u in name.unicodeScalars.prefix(120) {
            if u.value < 0x20 || (0x7F...0x9F).contains(u.value) {
                s += "\\u{\(String(u.value, radix: 16))}"
            } else {
                s.unicodeScalars.append(u)
            }
        }
        if name.unicodeScalars.count > 120 { s += "…" }
        return "`\(s)`"
    }
}
