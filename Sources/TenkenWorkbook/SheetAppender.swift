import CLibXML2
import TenkenSyntax

extension Workbook {
    /// The workbook with `rows` appended to one sheet, below the last row that holds a value;
    /// every other part of the package is copied byte for byte (`ZipArchive.replacing`), and
    /// in the sheet only the new rows and the `<dimension>` change, so the person's formatting,
    /// colours, column widths, other sheets and drop-downs survive. This is what `attest`
    /// needs to add answers to the attestation sheet.
    ///
    /// Each new cell takes the style of the cell above it in the same column (the last row that
    /// holds values), so a new date looks like the dates above it. A date goes in as a date
    /// serial under that style when it is a date format, else under the workbook's first date
    /// format, and as `YYYY-MM-DD` text only when there is none (the table loader reads both); a number under a date
    /// format gets the default style instead. Text is
    /// written as inline strings, so the shared strings are not touched. Empty rows formatted
    /// beneath the data are reused, keeping their row formatting.
    ///
    /// Fails with the sheet's own reading errors, `workbook.too-many` past Excel's last row,
    /// or `workbook.xml-syntax` if the sheet cannot be parsed as a tree.
    public func appendingRows(_ rows: [[CellValue]], to sheet: SheetInfo) -> Result<[UInt8], Diagnostic> {
        let (ws, diags) = read(sheet)
        guard let ws, let part = sheet.part else {
            return .failure(
                diags.first { $0.severity == .error }
                    ?? Diagnostic(
                        "workbook.not-a-worksheet", .error, "sheet cannot be appended to",
                        at: SourceLocation(file: file, sheet: sheet.name)))
        }
        let last = ws.rows.last
        let start = (last?.number ?? 0) + 1
        guard start + rows.count - 1 <= archive.limits.maxRows else {
            return .failure(
                Diagnostic(
                    "workbook.too-many", .error, "appending \(rows.count) rows would pass the last row of a sheet",
                    at: ws.location(row: start)))
        }
        let xml: [UInt8]
        switch archive.contents(ofEntryNamed: part) {
        case .success(let b): xml = b
        case .failure(let d): return .failure(d)
        }
        // Styles of the cells above, by column, from the raw XML of the last value row.
        var editor = SheetTreeEditor(workbook: self, sheet: sheet, part: part)
        switch editor.append(rows, startingAt: start, styleRow: last?.number, to: xml) {
        case .failure(let d): return .failure(d)
        case .success(let edited): return archive.replacing(part, with: edited)
        }
    }
}

/// Edits one sheet part as a libxml2 tree (the streaming reader cannot write). The part was
/// already read by `Workbook.read`, so it is well-formed and has no document type; the tree
/// parser runs with the same options (no network, no entity substitution).
struct SheetTreeEditor {
    let workbook: Workbook
    let sheet: SheetInfo
    let part: String

    func fail(_ message: String) -> Diagnostic {
        Diagnostic(
            "workbook.xml-syntax", .error, message, at: SourceLocation(file: workbook.file, sheet: sheet.name),
            notes: ["in the part \(part)"])
    }

    static func local(_ n: UnsafeMutablePointer<xmlNode>?, _ name: StaticString) -> Bool {
        guard let n, n.pointee.type == XML_ELEMENT_NODE else { return false }
        return XMLStream.equal(n.pointee.name, name) && XMLStream.isSpreadsheet(n.pointee.ns?.pointee.href)
    }

    static func attribute(_ n: UnsafeMutablePointer<xmlNode>, _ name: String) -> String? {
        guard let v = xmlGetNoNsProp(n, name) else { return nil }
        defer { tenken_xmlFree(v) }
        return XMLStream.string(v)
    }

    static func children(_ n: UnsafeMutablePointer<xmlNode>) -> [UnsafeMutablePointer<xmlNode>] {
        var out: [UnsafeMutablePointer<xmlNode>] = []
        var c = n.pointee.children
        while let x = c { out.append(x); c = x.pointee.next }
        return out
    }

    mutating func append(
        _ rows: [[CellValue]], startingAt start: Int, styleRow: Int?, to xml: [UInt8]
    ) -> Result<[UInt8], Diagnostic> {
        if XMLStream.prologDocumentType(xml) != nil { return .failure(fail("the sheet declares a document type")) }
        _ = XMLStream.initialised
        tenken_silence_errors()
        let options = Int32(XML_PARSE_NONET.rawValue | XML_PARSE_NOERROR.rawValue | XML_PARSE_NOWARNING.rawValue)
        let parsed = xml.withUnsafeBufferPointer { buf in
            buf.baseAddress.flatMap { base in
                base.withMemoryRebound(to: CChar.self, capacity: buf.count) {
                    xmlReadMemory($0, Int32(buf.count), part, nil, options)
                }
            }
        }
        guard let doc = parsed else { return .failure(fail("the sheet could not be parsed to be edited")) }
        defer { xmlFreeDoc(doc) }
        guard let root = xmlDocGetRootElement(doc),
            let sheetData = SheetTreeEditor.children(root).first(where: { SheetTreeEditor.local($0, "sheetData") })
        else {
            return .failure(fail("the sheet has no sheetData element"))
        }
        let ns = sheetData.pointee.ns
        var rowElements: [(number: Int, node: UnsafeMutablePointer<xmlNode>)] = []
        var previous = 0
        for n in SheetTreeEditor.children(sheetData) where SheetTreeEditor.local(n, "row") {
            let number = SheetTreeEditor.attribute(n, "r").flatMap { Int($0) } ?? previous + 1
            rowElements.append((number, n))
            previous = number
        }
        // The style of each column's cell in the last row with values (nil: the cell names
        // none, which LibreOffice reads as the column's style, so the new cell names none too).
        var above: [Int: Int?] = [:]
        if let styleRow, let r = rowElements.last(where: { $0.number == styleRow }) {
            var col = 0
            for c in SheetTreeEditor.children(r.node) where SheetTreeEditor.local(c, "c") {
                col = SheetTreeEditor.attribute(c, "r").flatMap { CellReference.parse($0)?.column } ?? col + 1
                above[col] = .some(SheetTreeEditor.attribute(c, "s").flatMap { Int($0) })
            }
        }
        var lastColumn = 0
        for (i, values) in rows.enumerated() {
            let number = start + i
            // A formatted row already there (it holds no value, or the reader would have
            // placed the new rows below it) is reused; its cells make way for the new ones.
            let existing = rowElements.first { $0.number == number }?.node
            let row: UnsafeMutablePointer<xmlNode>
            if let existing {
                row = existing
                for c in SheetTreeEditor.children(existing) where SheetTreeEditor.local(c, "c") {
                    xmlUnlinkNode(c)
                    xmlFreeNode(c)
                }
                xmlUnsetProp(row, "spans")
            } else {
                guard let made = xmlNewDocNode(doc, ns, "row", nil) else { return .failure(fail("out of memory")) }
                row = made
                xmlNewProp(row, "r", String(number))
                if let after = rowElements.last(where: { $0.number < number })?.node {
                    xmlAddNextSibling(after, row)
                } else if let before = rowElements.first(where: { $0.number > number })?.node {
                    xmlAddPrevSibling(before, row)
                } else {
                    xmlAddChild(sheetData, row)
                }
                rowElements.append((number, row))
                rowElements.sort { $0.number < $1.number }
            }
            for (j, v) in values.enumerated() {
                let column = j + 1
                guard
                    let cell = makeCell(
                        v, doc: doc, ns: ns, reference: CellReference.name(row: number, column: column),
                        style: above[column] ?? nil)
                else { continue }
                xmlAddChild(row, cell)
                lastColumn = max(lastColumn, column)
            }
        }
        updateDimension(root, lastRow: start + rows.count - 1, lastColumn: lastColumn)
        var out: UnsafeMutablePointer<xmlChar>?
        var size: Int32 = 0
        xmlDocDumpMemoryEnc(doc, &out, &size, "UTF-8")
        guard let out else { return .failure(fail("the edited sheet could not be written")) }
        defer { tenken_xmlFree(out) }
        return .success(Array(UnsafeBufferPointer(start: out, count: Int(size))))
    }

    func makeCell(
        _ v: CellValue, doc: xmlDocPtr, ns: xmlNsPtr?, reference: String, style: Int?
    ) -> UnsafeMutablePointer<xmlNode>? {
        let cls = style.map { $0 < workbook.styleClasses.count ? workbook.styleClasses[$0] : .number } ?? .number
        func node(style: Int?, type: String?, value: String?) -> UnsafeMutablePointer<xmlNode>? {
            guard let c = xmlNewDocNode(doc, ns, "c", nil) else { return nil }
            xmlNewProp(c, "r", reference)
            if let style { xmlNewProp(c, "s", String(style)) }
            if let type { xmlNewProp(c, "t", type) }
            if let value { xmlNewTextChild(c, ns, "v", value) }
            return c
        }
        func text(_ s: String) -> UnsafeMutablePointer<xmlNode>? {
            guard !s.isEmpty, let c = node(style: style, type: "inlineStr", value: nil),
                let inline = xmlNewChild(c, ns, "is", nil),
                let t = xmlNewTextChild(inline, ns, "t", OOXMLEscape.encode(s))
            else { return nil }
            if s.first?.isWhitespace == true || s.last?.isWhitespace == true || s.contains("\n") {
                xmlNodeSetSpacePreserve(t, 1)
            }
            return c
        }
        switch v {
        case .empty: return nil
        case .text(let s): return text(s)
        case .number(let d):
            guard d.isFinite else { return nil }
            return node(style: cls == .number ? style : 0, type: nil, value: SheetParser.numberText(d))
        case .bool(let b): return node(style: cls == .number ? style : 0, type: "b", value: b ? "1" : "0")
        case .date(let y, let m, let d):
            // A date is a date: under the style above when that shows dates, else under the
            // workbook's first date format (rows a person formatted ahead often have none),
            // and as text only when the workbook has no date format at all.
            let dateStyle = cls == .date ? style : workbook.styleClasses.firstIndex(of: .date)
            if let dateStyle,
                let serial = workbook.date1904
                    ? DateSerial.serial(year: y, month: m, day: d).map({ $0 - 1462 })
                    : DateSerial.serial(year: y, month: m, day: d)
            {
                return node(style: dateStyle, type: nil, value: String(serial))
            }
            return text(DateSerial.iso(y, m, d))
        }
    }

    /// Widens `<dimension ref="A1:G4">` to cover the new rows and columns.
    func updateDimension(_ root: UnsafeMutablePointer<xmlNode>, lastRow: Int, lastColumn: Int) {
        guard let dim = SheetTreeEditor.children(root).first(where: { SheetTreeEditor.local($0, "dimension") }) else {
            return
        }
        let ref = SheetTreeEditor.attribute(dim, "ref") ?? "A1"
        let parts = ref.split(separator: ":")
        let first = parts.first.map(String.init) ?? "A1"
        let end = (parts.count > 1 ? CellReference.parse(parts[1]) : CellReference.parse(first)) ?? (1, 1)
        let to = CellReference.name(row: max(end.row, lastRow), column: max(end.column, lastColumn))
        xmlSetProp(dim, "ref", first == to ? first : first + ":" + to)
    }
}
