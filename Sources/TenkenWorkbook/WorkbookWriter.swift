import TenkenSyntax

/// Writes SpreadsheetML workbooks (.xlsx) that Excel, LibreOffice and openpyxl open: sheets in
/// the order given, the first visible one selected; text as shared strings; dates as serials
/// of the 1900 system with a `yyyy-mm-dd` format; table sheets with a bold, shaded, frozen
/// header row, an input message on each header cell, drop-down lists (list data validations)
/// and column widths that fit. The same specification always gives the same bytes.
public enum WorkbookWriter {
    /// The hidden sheet that holds drop-down choices too long for an inline list (Excel
    /// allows 255 characters) or holding a comma or a quote. Written only when needed.
    public static let listSheetName = "選択肢"

    /// Cell styles (`cellXfs` indexes) of the styles part.
    enum Style: Int {
        case normal = 0, header, date, text, title, heading, paragraph
    }

    /// The workbook's bytes, or a diagnostic (`workbook.bad-sheet-name`, `workbook.too-large`,
    /// `workbook.too-many`) naming the sheet and cell that cannot be written, located in `file`
    /// (the name the workbook will be saved under).
    public static func write(_ sheets: [SheetSpec], file: String = "workbook.xlsx") -> Result<[UInt8], Diagnostic> {
        do throws(Diagnostic) {
            return .success(try build(sheets, file: file))
        } catch {
            return .failure(error)
        }
    }

    static func build(_ specs: [SheetSpec], file: String) throws(Diagnostic) -> [UInt8] {
        var sheets = specs
        try checkNames(sheets, file: file)
        var strings = SharedStrings()
        var lists = ListSheet()
        var parts: [(name: String, xml: String)] = []
        // Lists go to the hidden sheet first, so its contents are known before the sheets
        // that point at it are written.
        for s in sheets { lists.collect(s) }
        if !lists.columns.isEmpty {
            if sheets.contains(where: { $0.name.lowercased() == listSheetName.lowercased() }) {
                throw Diagnostic(
                    "workbook.bad-sheet-name", .error,
                    "a sheet is named \(listSheetName), which holds the long drop-down lists",
                    at: SourceLocation(file: file, sheet: listSheetName))
            }
            sheets.append(SheetSpec(name: listSheetName, layout: .table(columns: [], rows: lists.rows), hidden: true))
        }
        let selected = sheets.firstIndex { !$0.hidden } ?? 0
        for (i, s) in sheets.enumerated() {
            var w = SheetXML(spec: s, file: file, selected: i == selected, lists: lists)
            let xml = try w.render(&strings)
            // The zip is written without ZIP64: every part under 4 GiB.
            guard xml.utf8.count < Int(UInt32.max) else {
                throw Diagnostic(
                    "workbook.too-large", .error,
                    "sheet would take \(xml.utf8.count) bytes, more than a workbook part can hold",
                    at: SourceLocation(file: file, sheet: s.name))
            }
            parts.append(("xl/worksheets/sheet\(i + 1).xml", xml))
        }
        var zip = ZipWriter()
        zip.add("[Content_Types].xml", Array(contentTypes(sheetCount: sheets.count).utf8))
        zip.add("_rels/.rels", Array(packageRels.utf8))
        zip.add("docProps/app.xml", Array(appProperties.utf8))
        zip.add("xl/workbook.xml", Array(workbook(sheets, selected: selected).utf8))
        zip.add("xl/_rels/workbook.xml.rels", Array(workbookRels(sheetCount: sheets.count).utf8))
        zip.add("xl/styles.xml", Array(styles.utf8))
        zip.add("xl/sharedStrings.xml", Array(strings.xml.utf8))
        for p in parts { zip.add(p.name, Array(p.xml.utf8)) }
        return zip.finish()
    }

    /// Excel's rules for sheet names, and unique names ignoring case.
    static func checkNames(_ sheets: [SheetSpec], file: String) throws(Diagnostic) {
        var seen: Set<String> = []
        for s in sheets {
            let n = s.name
            let why: String? =
                n.isEmpty
                ? "is empty"
                : n.utf16.count > 31
                    ? "is longer than 31 characters"
                    : n.contains(where: { ":\\/?*[]".contains($0) })
                        ? "contains one of : \\ / ? * [ ]"
                        : (n.hasPrefix("'") || n.hasSuffix("'"))
                            ? "starts or ends with an apostrophe"
                            : n.unicodeScalars.contains(where: { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) })
                                ? "contains a control character"
                                : !seen.insert(n.lowercased()).inserted ? "is given to two sheets" : nil
            if let why {
                throw Diagnostic(
                    "workbook.bad-sheet-name", .error, "sheet name \(ZipDirectoryReader.quoted(n)) \(why)",
                    at: SourceLocation(file: file, sheet: n))
            }
        }
        if sheets.isEmpty {
            throw Diagnostic(
                "workbook.too-many", .error, "a workbook needs at least one sheet", at: SourceLocation(file: file))
        }
        // Every sheet is a zip entry, and the zip is written without ZIP64 (65,535 entries).
        if sheets.count > 10_000 {
            throw Diagnostic(
                "workbook.too-many", .error, "\(sheets.count) sheets, more than the 10,000 a workbook is written with",
                at: SourceLocation(file: file))
        }
    }

    static let mainNS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    static let relNS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    static let declaration = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n"

    static func contentTypes(sheetCount: Int) -> String {
        var s = declaration + "<Types xmlns=\"http://schemas.openxmlformats.org/package/2006/content-types\">"
        s += "<Default Extension=\"rels\" ContentType=\"application/vnd.openxmlformats-package.relationships+xml\"/>"
        s += "<Default Extension=\"xml\" ContentType=\"application/xml\"/>"
        s +=
            "<Override PartName=\"/docProps/app.xml\" "
            + "ContentType=\"application/vnd.openxmlformats-officedocument.extended-properties+xml\"/>"
        s +=
            "<Override PartName=\"/xl/workbook.xml\" "
            + "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml\"/>"
        s +=
            "<Override PartName=\"/xl/styles.xml\" "
            + "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml\"/>"
        s +=
            "<Override PartName=\"/xl/sharedStrings.xml\" "
            + "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml\"/>"
        for i in 1...sheetCount {
            s +=
                "<Override PartName=\"/xl/worksheets/sheet\(i).xml\" "
                + "ContentType=\"application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml\"/>"
        }
        return s + "</Types>"
    }

    static let packageRels =
        declaration + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        + "<Relationship Id=\"rId1\" Type=\"\(relNS)/officeDocument\" Target=\"xl/workbook.xml\"/>"
        + "<Relationship Id=\"rId2\" Type=\"\(relNS)/extended-properties\" Target=\"docProps/app.xml\"/>"
        + "</Relationships>"

    static let appProperties =
        declaration + "<Properties xmlns=\"http://schemas.openxmlformats.org/officeDocument/2006/extended-properties\">"
        + "<Application>tenken</Application></Properties>"

    static func workbook(_ sheets: [SheetSpec], selected: Int) -> String {
        var s = declaration + "<workbook xmlns=\"\(mainNS)\" xmlns:r=\"\(relNS)\">"
        s += "<workbookPr/><bookViews><workbookView activeTab=\"\(selected)\"/></bookViews><sheets>"
        for (i, sh) in sheets.enumerated() {
            s +=
                "<sheet name=\"\(XMLEscape.attribute(sh.name))\" "
                + "sheetId=\"\(i + 1)\"\(sh.hidden ? " state=\"hidden\"" : "") r:id=\"rId\(i + 1)\"/>"
        }
        return s + "</sheets></workbook>"
    }

    static func workbookRels(sheetCount: Int) -> String {
        var s = declaration + "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">"
        for i in 1...sheetCount {
            s += "<Relationship Id=\"rId\(i)\" Type=\"\(relNS)/worksheet\" Target=\"worksheets/sheet\(i).xml\"/>"
        }
        s += "<Relationship Id=\"rId\(sheetCount + 1)\" Type=\"\(relNS)/styles\" Target=\"styles.xml\"/>"
        s += "<Relationship Id=\"rId\(sheetCount + 2)\" Type=\"\(relNS)/sharedStrings\" Target=\"sharedStrings.xml\"/>"
        return s + "</Relationships>"
    }

    /// Fonts: 0 normal, 1 bold, 2 bold and larger (titles). Fill 2: the header's pale blue.
    /// Formats: 164 `yyyy-mm-dd`; 49 is the built-in text format `@`.
    static let styles: String = {
        let font = "<sz val=\"11\"/><name val=\"游ゴシック\"/><family val=\"3\"/><charset val=\"128\"/>"
        var s = declaration + "<styleSheet xmlns=\"\(mainNS)\">"
        s += "<numFmts count=\"1\"><numFmt numFmtId=\"164\" formatCode=\"yyyy-mm-dd\"/></numFmts>"
        s += "<fonts count=\"3\"><font>\(font)</font><font><b/>\(font)</font>"
        s += "<font><b/><sz val=\"14\"/><name val=\"游ゴシック\"/><family val=\"3\"/><charset val=\"128\"/></font></fonts>"
        s +=
            "<fills count=\"3\"><fill><patternFill patternType=\"none\"/></fill><fill><patternFill "
            + "patternType=\"gray125\"/></fill>"
        s +=
            "<fill><patternFill patternType=\"solid\"><fgColor rgb=\"FFDDEBF7\"/><bgColor "
            + "indexed=\"64\"/></patternFill></fill></fills>"
        s += "<borders count=\"2\"><border><left/><right/><top/><bottom/><diagonal/></border>"
        s +=
            "<border><left/><right/><top/><bottom style=\"thin\"><color "
            + "auto=\"1\"/></bottom><diagonal/></border></borders>"
        s += "<cellStyleXfs count=\"1\"><xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\"/></cellStyleXfs>"
        s += "<cellXfs count=\"7\">"
        s += "<xf numFmtId=\"0\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\"/>"
        s +=
            "<xf numFmtId=\"49\" fontId=\"1\" fillId=\"2\" borderId=\"1\" xfId=\"0\" applyNumberFormat=\"1\" "
            + "applyFont=\"1\" applyFill=\"1\" applyBorder=\"1\" applyAlignment=\"1\"><alignment "
            + "vertical=\"center\"/></xf>"
        s += "<xf numFmtId=\"164\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        s += "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\"/>"
        s +=
            "<xf numFmtId=\"49\" fontId=\"2\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" "
            + "applyFont=\"1\"/>"
        s +=
            "<xf numFmtId=\"49\" fontId=\"1\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" "
            + "applyFont=\"1\"/>"
        s +=
            "<xf numFmtId=\"49\" fontId=\"0\" fillId=\"0\" borderId=\"0\" xfId=\"0\" applyNumberFormat=\"1\" "
            + "applyAlignment=\"1\"><alignment vertical=\"top\" wrapText=\"1\"/></xf>"
        s += "</cellXfs><cellStyles count=\"1\"><cellStyle name=\"Normal\" xfId=\"0\" builtinId=\"0\"/></cellStyles>"
        return s + "</styleSheet>"
    }()
}

/// The shared-string table, in order of first use.
struct SharedStrings {
    private var index: [String: Int] = [:]
    private var ordered: [String] = []
    private var uses = 0

    mutating func id(_ s: String) -> Int {
        uses += 1
        if let i = index[s] { return i }
        index[s] = ordered.count
        ordered.append(s)
        return ordered.count - 1
    }

    var xml: String {
        var s =
            WorkbookWriter.declaration
            + "<sst xmlns=\"\(WorkbookWriter.mainNS)\" count=\"\(uses)\" uniqueCount=\"\(ordered.count)\">"
        for t in ordered { s += "<si>" + XMLEscape.textElement(t) + "</si>" }
        return s + "</sst>"
    }
}

/// Drop-down lists that cannot be written inline: one column each on the hidden list sheet.
struct ListSheet {
    var columns: [[String]] = []
    private var index: [[String]: Int] = [:]

    static func fitsInline(_ choices: [String]) -> Bool {
        !choices.contains { $0.contains(",") || $0.contains("\"") } && choices.joined(separator: ",").utf16.count <= 255
    }

    mutating func collect(_ s: SheetSpec) {
        var all: [[String]] = s.validations.compactMap(\.choices)
        if case .table(let columns, _) = s.layout { all += columns.compactMap(\.choices) }
        for c in all where !c.isEmpty && !ListSheet.fitsInline(c) && index[c] == nil {
            index[c] = columns.count
            columns.append(c)
        }
    }

    /// The formula for a validation's list: inline (`"a,b"`) or a range of the list sheet.
    func formula(_ choices: [String]) -> String {
        if ListSheet.fitsInline(choices) { return "\"" + choices.joined(separator: ",") + "\"" }
        let col = SourceLocation.columnLetters((index[choices] ?? 0) + 1)
        return "'\(WorkbookWriter.listSheetName)'!$\(col)$1:$\(col)$\(max(choices.count, 1))"
    }

    var rows: [[CellValue]] {
        let height = columns.map(\.count).max() ?? 0
        return (0..<height).map { r in columns.map { r < $0.count ? .text($0[r]) : .empty } }
    }
}

/// Escaping for the XML the writer builds by hand.
enum XMLEscape {
    /// Element text: `& < >` escaped; characters XML cannot hold as `_xHHHH_`.
    static func text(_ s: String) -> String {
        var out = ""
        for u in OOXMLEscape.encode(s).unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            default: out.unicodeScalars.append(u)
            }
        }
        return out
    }

    /// A `<t>` element, keeping leading and trailing spaces and line breaks.
    static func textElement(_ s: String) -> String {
        let keep =
            s.first.map { $0.isWhitespace } ?? false || s.last.map { $0.isWhitespace } ?? false || s.contains("\n")
        return (keep ? "<t xml:space=\"preserve\">" : "<t>") + text(s) + "</t>"
    }

    /// Attribute values: `& < > "` escaped, tab and line breaks as character references,
    /// other control characters dropped (an attribute cannot carry them).
    static func attribute(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            switch u {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "\n": out += "&#10;"
            case "\r": out += "&#13;"
            case "\t": out += "&#9;"
            default:
                if u.value >= 0x20 && u.value != 0xFFFE && u.value != 0xFFFF { out.unicodeScalars.append(u) }
            }
        }
        return out
    }
}

/// Display width: East Asian wide and fullwidth characters count 2, others 1 (Unicode UAX #11,
/// the common ranges); a multi-line text counts its longest line.
enum DisplayWidth {
    static func of(_ s: String) -> Int {
        var best = 0, cur = 0
        for u in s.unicodeScalars {
            if u == "\n" { best = max(best, cur); cur = 0; continue }
            cur += isWide(u.value) ? 2 : 1
        }
        return max(best, cur)
    }

    static func isWide(_ v: UInt32) -> Bool {
        switch v {
        case 0x1100...0x115F, 0x2E80...0x303E, 0x3041...0x33FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xA000...0xA4CF,
            0xAC00...0xD7A3, 0xF900...0xFAFF, 0xFE30...0xFE4F, 0xFF00...0xFF60, 0xFFE0...0xFFE6,
            0x1F300...0x1F64F, 0x1F900...0x1F9FF, 0x20000...0x3FFFD:
            true
        default:
            false
        }
    }
}
