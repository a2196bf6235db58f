import TenkenSyntax

/// A relationship of an OPC part (`Id`, `Type`, resolved `Target`).
struct Relationship {
    var id: String
    var type: String
    /// The target as a part name (no leading `/`), or nil for an external target.
    var target: String?
}

/// Reads the package's parts in order: relationships → workbook → its relationships → shared
/// strings and styles. Errors go to `diagnostics`, located at the part.
struct PackageReader {
    let archive: ZipArchive
    var diagnostics: [Diagnostic] = []
    var limits: WorkbookLimits { archive.limits }

    init(archive: ZipArchive) { self.archive = archive }

    mutating func fail(_ f: XMLStream.Failure, part: String) {
        diagnostics.append(
            Diagnostic(
                f.id, .error, f.message, at: SourceLocation(file: archive.file, path: part),
                notes: f.line > 0 ? ["at line \(f.line), column \(f.column) of the part \(part)"] : []))
    }

    mutating func bytes(_ part: String) -> [UInt8]? {
        switch archive.contents(ofEntryNamed: part) {
        case .success(let b): return b
        case .failure(let d): diagnostics.append(d); return nil
        }
    }

    mutating func readWorkbook() -> Workbook? {
        // The package relationships name the workbook part; `xl/workbook.xml` is what every
        // writer uses, so a package without them is still read.
        var workbookPart = "xl/workbook.xml"
        if archive.entry(named: "_rels/.rels") != nil {
            guard let rels = relationships(of: "") else { return nil }
            if let main = rels.first(where: { $0.type.hasSuffix("/officeDocument") }), let t = main.target {
                workbookPart = t
            }
        }
        guard let wbXML = bytes(workbookPart) else { return nil }
        guard let rels = relationships(of: workbookPart) else { return nil }
        var relById: [String: Relationship] = [:]
        for r in rels { relById[r.id] = r }

        struct RawSheet { var name: String, state: String?, rid: String? }
        let parsed = XMLStream.parse(wbXML, url: workbookPart) { (x) throws(XMLStream.Failure) -> (Bool, [RawSheet]) in
            var date1904 = false
            var sheets: [RawSheet] = []
            while try x.next() {
                if x.isStart("workbookPr") {
                    let v = x.attributes(["date1904"])[0]
                    date1904 = v == "1" || v == "true"
                } else if x.isStart("sheet") {
                    let a = x.attributes(["name", "state"])
                    sheets.append(
                        RawSheet(
                            name: a[0] ?? "", state: a[1], rid: x.attribute("id", in: Namespace.officeRelationships)))
                    if sheets.count > archive.limits.maxSheets {
                        throw XMLStream.Failure(
                            id: "workbook.too-many",
                            message: "workbook lists more than \(archive.limits.maxSheets) sheets",
                            line: x.line, column: x.column)
                    }
                }
            }
            return (date1904, sheets)
        }
        guard case .success(let (date1904, raw)) = parsed else {
            if case .failure(let f) = parsed { fail(f, part: workbookPart) }
            return nil
        }
        var sheets: [SheetInfo] = []
        var seen: Set<String> = []
        for (i, s) in raw.enumerated() {
            let rel = s.rid.flatMap { relById[$0] }
            let isWorksheet = rel?.type.hasSuffix("/worksheet") ?? false
            // A name goes into every place printed for the sheet, so one that could carry a
            // terminal escape (no spreadsheet program lets a person type one) is refused.
            let control = s.name.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
            if s.name.isEmpty || control || !seen.insert(s.name.lowercased()).inserted {
                diagnostics.append(
                    Diagnostic(
                        "workbook.bad-sheet-name", .error,
                        s.name.isEmpty
                            ? "sheet \(i + 1) has no name"
                            : control
                                ? "sheet \(i + 1)'s name \(ZipDirectoryReader.quoted(s.name)) holds control characters"
                                : "two sheets are named \(ZipDirectoryReader.quoted(s.name))",
                        at: SourceLocation(file: archive.file, path: workbookPart)))
            }
            let vis: SheetInfo.Visibility =
                s.state == "hidden" ? .hidden : s.state == "veryHidden" ? .veryHidden : .visible
            sheets.append(
                SheetInfo(
                    name: s.name, index: i, visibility: vis, kind: isWorksheet ? .worksheet : .other,
                    part: isWorksheet ? rel?.target : nil))
        }
        var shared: [String] = []
        if let ss = rels.first(where: { $0.type.hasSuffix("/sharedStrings") })?.target, archive.entry(named: ss) != nil
        {
            guard let b = bytes(ss), let s = sharedStrings(b, part: ss) else { return nil }
            shared = s
        }
        var styles: [NumberFormatClass] = []
        if let st = rels.first(where: { $0.type.hasSuffix("/styles") })?.target, archive.entry(named: st) != nil {
            guard let b = bytes(st), let s = styleClasses(b, part: st) else { return nil }
            styles = s
        }
        return Workbook(
            file: archive.file, sheets: sheets, date1904: date1904, archive: archive, workbookPart: workbookPart,
            sharedStrings: shared, styleClasses: styles)
    }

    /// The relationships of a part (`""` for the package's own), from `_rels/…rels` beside it.
    mutating func relationships(of part: String) -> [Relationship]? {
        let dir = PackageReader.folder(of: part)
        let relsPart = dir + "_rels/" + String(part.dropFirst(dir.count)) + ".rels"
        guard archive.entry(named: relsPart) != nil else { return [] }
        guard let b = bytes(relsPart) else { return nil }
        let parsed = XMLStream.parse(b, url: relsPart) {
            (x) throws(XMLStream.Failure) -> [(String, String, String, Bool)] in
            var out: [(String, String, String, Bool)] = []
            while try x.next() {
                if x.isStart("Relationship", Namespace.packageRelationships) {
                    let a = x.attributes(["Id", "Type", "Target", "TargetMode"])
                    out.append((a[0] ?? "", a[1] ?? "", a[2] ?? "", a[3] == "External"))
                    if out.count > archive.limits.maxEntries + archive.limits.maxSheets {
                        throw XMLStream.Failure(
                            id: "workbook.too-many", message: "part has too many relationships", line: x.line,
                            column: x.column)
                    }
                }
            }
            return out
        }
        switch parsed {
        case .failure(let f):
            fail(f, part: relsPart)
            return nil
        case .success(let raw):
            var out: [Relationship] = []
            for (id, type, target, external) in raw {
                var resolved: String?
                if !external {
                    resolved = PackageReader.resolve(target, from: dir)
                    if resolved == nil {
                        diagnostics.append(
                            Diagnostic(
                                "workbook.unsafe-entry-name", .error,
                                "relationship \(id) points outside the package (\(ZipDirectoryReader.quoted(target)))",
                                at: SourceLocation(file: archive.file, path: relsPart)))
                        return nil
                    }
                }
                out.append(Relationship(id: id, type: type, target: resolved))
            }
            return out
        }
    }

    static func folder(of part: String) -> String {
        guard let slash = part.lastIndex(of: "/") else { return "" }
        return String(part[...slash])
    }

    /// A relationship target as a part name: relative to `base` unless it starts with `/`,
    /// `.` and `..` resolved, `%XX` decoded. Nil when it climbs out of the package or is empty.
    static func resolve(_ target: String, from base: String) -> String? {
        let decoded = percentDecoded(target)
        var segments: [Substring] = decoded.hasPrefix("/") ? [] : base.split(separator: "/")
        for s in decoded.split(separator: "/", omittingEmptySubsequences: true) {
            switch s {
            case ".": continue
            case "..":
                if segments.isEmpty { return nil }
                segments.removeLast()
            default: segments.append(s)
            }
        }
        if segments.isEmpty || decoded.contains("\\") { return nil }
        return segments.joined(separator: "/")
    }

    static func percentDecoded(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return s }
        var out: [UInt8] = []
        var it = Array(s.utf8)[...]
        while let c = it.popFirst() {
            if c == UInt8(ascii: "%"), it.count >= 2, let h = hex(it[it.startIndex]), let l = hex(it[it.startIndex + 1])
            {
                out.append(h << 4 | l)
                it = it.dropFirst(2)
            } else {
                out.append(c)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    static func hex(_ c: UInt8) -> UInt8? {
        switch c {
        case 48...57: c - 48
        case 65...70: c - 55
        case 97...102: c - 87
        default: nil
        }
    }

    /// The shared-string table: each `<si>`'s text runs joined, phonetic guides (`<rPh>`) left
    /// out, `_xHHHH_` escapes decoded. The `count`/`uniqueCount` attributes are not trusted.
    mutating func sharedStrings(_ b: [UInt8], part: String) -> [String]? {
        let limits = self.limits
        let parsed = XMLStream.parse(b, url: part) { (x) throws(XMLStream.Failure) -> [String] in
            var out: [String] = []
            var total = 0
            var text = RichText(limit: limits.maxCellTextBytes)
            var inItem = false
            while try x.next() {
                let ended: Bool
                if x.known == .si, x.type == .element {
                    text.reset()
                    inItem = !x.isEmptyElement
                    ended = x.isEmptyElement
                } else if x.known == .si, x.type == .endElement {
                    inItem = false
                    ended = true
                } else {
                    if inItem { try text.take(x) }
                    ended = false
                }
                if ended {
                    let s = text.string
                    total += s.utf8.count
                    out.append(s)
                    if out.count > limits.maxSharedStrings {
                        throw XMLStream.Failure(
                            id: "workbook.too-many",
                            message: "shared-string table holds more than \(limits.maxSharedStrings) strings",
                            line: x.line, column: x.column)
                    }
                    if total > limits.maxSharedStringBytes {
                        throw XMLStream.Failure(
                            id: "workbook.too-large",
                            message: "shared strings pass \(limits.maxSharedStringBytes) bytes",
                            line: x.line, column: x.column)
                    }
                }
            }
            return out
        }
        switch parsed {
        case .success(let s): return s
        case .failure(let f): fail(f, part: part); return nil
        }
    }

    /// Per `cellXfs` entry, the class of its number format (custom `numFmts` first, then the
    /// built-in ids).
    mutating func styleClasses(_ b: [UInt8], part: String) -> [NumberFormatClass]? {
        let limits = self.limits
        let parsed = XMLStream.parse(b, url: part) { (x) throws(XMLStream.Failure) -> [NumberFormatClass] in
            var custom: [Int: NumberFormatClass] = [:]
            var xfIds: [Int] = []
            var inCellXfs = false
            while try x.next() {
                if x.isStart("numFmt") {
                    let a = x.attributes(["numFmtId", "formatCode"])
                    if let id = a[0].flatMap({ Int($0) }), let code = a[1] {
                        custom[id] = NumberFormatClass.classify(code: code)
                    }
                } else if x.isStart("cellXfs") {
                    inCellXfs = !x.isEmptyElement
                } else if x.isEnd("cellXfs") {
                    inCellXfs = false
                } else if inCellXfs, x.isStart("xf") {
                    xfIds.append(x.attributes(["numFmtId"])[0].flatMap { Int($0) } ?? 0)
                    if xfIds.count > limits.maxCells {
                        throw XMLStream.Failure(
                            id: "workbook.too-many",
                            message: "styles part holds more than \(limits.maxCells) cell formats", line: x.line,
                            column: x.column)
                    }
                }
            }
            return xfIds.map { custom[$0] ?? NumberFormatClass.builtIn($0) }
        }
        switch parsed {
        case .success(let s): return s
        case .failure(let f): fail(f, part: part); return nil
        }
    }
}

/// Collects the text of a shared or inline string: `<t>` runs directly in the item or in rich
/// runs (`<r>`), not the phonetic guides (`<rPh>`, Japanese ルビ) that Excel keeps beside
/// them.
struct RichText {
    let limit: Int
    private var bytes: [UInt8] = []
    private var inT = false
    private var phoneticDepth = 0

    init(limit: Int) { self.limit = limit }

    mutating func reset() {
        bytes.removeAll(keepingCapacity: true)
        inT = false
        phoneticDepth = 0
    }

    /// Feeds one node from inside the item.
    mutating func take(_ x: XMLStream) throws(XMLStream.Failure) {
        switch (x.known, x.type) {
        case (.rPh, .element):
            if !x.isEmptyElement { phoneticDepth += 1 }
        case (.rPh, .endElement):
            phoneticDepth -= 1
        case (.t, .element):
            inT = !x.isEmptyElement
        case (.t, .endElement):
            inT = false
        default:
            if inT, phoneticDepth == 0, x.isText, !x.appendText(to: &bytes, limit: limit) {
                throw XMLStream.Failure(
                    id: "workbook.too-large", message: "a string passes \(limit) bytes", line: x.line, column: x.column)
            }
        }
    }

    var string: String { OOXMLEscape.decode(String(decoding: bytes, as: UTF8.self)) }
}

/// OOXML's escape for characters XML cannot carry in text: `_xHHHH_` (ECMA-376 Part 1,
/// §22.9.2.19, ST_Xstring), with `_x005F_` escaping a literal underscore that would otherwise
/// start one.
enum OOXMLEscape {
    static func decode(_ s: String) -> String {
        guard s.utf8.contains(UInt8(ascii: "_")) else { return s }
        let u = Array(s.utf8)
        var out: [UInt8] = []
        out.reserveCapacity(u.count)
        var i = 0
        while i < u.count {
            if u[i] == UInt8(ascii: "_"), i + 6 < u.count, u[i + 1] == UInt8(ascii: "x"), u[i + 6] == UInt8(ascii: "_"),
                let a = PackageReader.hex(u[i + 2]), let b = PackageReader.hex(u[i + 3]),
                let c = PackageReader.hex(u[i + 4]), let d = PackageReader.hex(u[i + 5])
            {
                let v = UInt32(a) << 12 | UInt32(b) << 8 | UInt32(c) << 4 | UInt32(d)
                if let scalar = Unicode.Scalar(v) {
                    out.append(contentsOf: String(Character(scalar)).utf8)
                    i += 7
                    continue
                }
            }
            out.append(u[i])
            i += 1
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Escapes what XML 1.0 text cannot hold (control characters other than tab and line
    /// feed, carriage return, U+FFFE, U+FFFF) and a literal `_xHHHH_` so it reads back as itself.
    static func encode(_ s: String) -> String {
        var out = ""
        let scalars = Array(s.unicodeScalars)
        var i = 0
        while i < scalars.count {
            let c = scalars[i]
            let v = c.value
            if (v < 0x20 && v != 0x09 && v != 0x0A) || v == 0xFFFE || v == 0xFFFF {
                out += "_x" + hex4(v) + "_"
            } else if c == "_", i + 6 < scalars.count, scalars[i + 1] == "x", scalars[i + 6] == "_",
                scalars[(i + 2)...(i + 5)].allSatisfy({ $0.properties.isASCIIHexDigit })
            {
                out += "_x005F_"
            } else {
                out.unicodeScalars.append(c)
            }
            i += 1
        }
        return out
    }

    static func hex4(_ v: UInt32) -> String {
        let h = String(v, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - h.count)) + h
    }
}
