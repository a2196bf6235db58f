import TenkenSyntax

/// Renders one worksheet part. Element order follows the schema's sequence (CT_Worksheet):
/// dimension, sheetViews, sheetFormatPr, cols, sheetData, dataValidations, pageMargins.
struct SheetXML {
    /// Characters of a guide paragraph that fit on one line of its 100-wide column.
    static let guideWrap = 90

    let spec: SheetSpec
    let file: String
    let selected: Bool
    let lists: ListSheet

    /// Excel's limit on a cell's text, in UTF-16 code units.
    static let maxCellText = 32_767
    static let lastRow = 1_048_576

    func fail(_ message: String, row: Int = 0, column: Int = 0) -> Diagnostic {
        Diagnostic(
            "workbook.too-large", .error, message,
            at: SourceLocation(file: file, line: row, column: column, sheet: spec.name))
    }

    mutating func render(_ strings: inout SharedStrings) throws(Diagnostic) -> String {
        var sheetData = ""
        var widths: [Double] = []
        var columnStyles: [WorkbookWriter.Style?] = []
        var validations: [DataValidation] = spec.validations
        var lastRow = 0, lastColumn = 0
        var frozen = false

        // Every cell names its style, even the default: LibreOffice gives a cell without `s`
        // its column's style (Excel gives it style 0), and a boolean under a text column's
        // `@` format then shows as 1.
        func cell(_ v: CellValue, row: Int, column: Int, format: ColumnFormat) throws(Diagnostic) -> String {
            let ref = CellReference.name(row: row, column: column)
            switch v {
            case .empty:
                return ""
            case .text(let t):
                guard t.utf16.count <= SheetXML.maxCellText else {
                    throw fail(
                        "cell text has \(t.utf16.count) characters; a cell holds at most \(SheetXML.maxCellText)",
                        row: row, column: column)
                }
                let style: WorkbookWriter.Style = format == .text || format == .date ? .text : .normal
                return "<c r=\"\(ref)\" s=\"\(style.rawValue)\" t=\"s\"><v>\(strings.id(t))</v></c>"
            case .number(let d):
                guard d.isFinite else {
                    throw fail("a number cell holds \(d), which a workbook cannot store", row: row, column: column)
                }
                return "<c r=\"\(ref)\" s=\"0\"><v>\(SheetParser.numberText(d))</v></c>"
            case .bool(let b):
                return "<c r=\"\(ref)\" s=\"0\" t=\"b\"><v>\(b ? 1 : 0)</v></c>"
            case .date(let y, let m, let d):
                guard let serial = DateSerial.serial(year: y, month: m, day: d) else {
                    return try cell(.text(DateSerial.iso(y, m, d)), row: row, column: column, format: .text)
                }
                return "<c r=\"\(ref)\" s=\"\(WorkbookWriter.Style.date.rawValue)\"><v>\(serial)</v></c>"
            }
        }

        func measure(_ v: CellValue) -> Int {
            switch v {
            case .empty: 0
            case .text(let t): DisplayWidth.of(t)
            case .number(let d): SheetParser.numberText(d).count
            case .bool: 5
            case .date: 10
            }
        }

        switch spec.layout {
        case .table(let columns, let rows):
            let width = max(columns.count, rows.map(\.count).max() ?? 0)
            guard width <= 16_384, rows.count + (columns.isEmpty ? 0 : 1) <= SheetXML.lastRow else {
                throw fail("sheet has \(rows.count) rows and \(width) columns, more than a worksheet holds")
            }
            var fit = [Int](repeating: 0, count: width)
            var r = 0
            if !columns.isEmpty {
                r = 1
                frozen = true
                var xml = "<row r=\"1\">"
                for (i, c) in columns.enumerated() {
                    xml +=
                        "<c r=\"\(CellReference.name(row: 1, column: i + 1))\" "
                        + "s=\"\(WorkbookWriter.Style.header.rawValue)\" t=\"s\"><v>\(strings.id(c.header))</v></c>"
                    // Bold text is wider; leave room for a filter button.
                    fit[i] = DisplayWidth.of(c.header) + 2
                    if let p = c.prompt {
                        validations.append(DataValidation(rows: 1...1, columns: (i + 1)...(i + 1), prompt: p))
                    }
                    if let choices = c.choices, !choices.isEmpty {
                        validations.append(
                            DataValidation(
                                rows: 2...SheetXML.lastRow, columns: (i + 1)...(i + 1), choices: choices,
                                error: ValidationMessage(
                                    title: "一覧にない値です",
                                    text:
                                        "一覧から選んでください（英語の値も使えます）。Choose from the list (the English values are also "
                                        + "accepted)."
                                )))
                    }
                }
                sheetData += xml + "</row>"
                lastRow = 1
            }
            for row in rows {
                r += 1
                var xml = ""
                for (i, v) in row.enumerated() {
                    let format = i < columns.count ? columns[i].format : .general
                    let c = try cell(v, row: r, column: i + 1, format: format)
                    if !c.isEmpty { xml += c; lastColumn = max(lastColumn, i + 1) }
                    fit[i] = max(fit[i], measure(v))
                }
                if !xml.isEmpty {
                    sheetData += "<row r=\"\(r)\">" + xml + "</row>"
                    lastRow = r
                }
            }
            lastColumn = max(lastColumn, columns.count)
            for i in 0..<width {
                let spec = i < columns.count ? columns[i] : nil
                if let w = spec?.width { widths.append(w); continue }
                var w = fit[i]
                if spec?.format == .date { w = max(w, 10) }
                if let choices = spec?.choices { w = max(w, choices.map(DisplayWidth.of).max() ?? 0) }
                // A little padding; never narrower than Excel's default, never absurdly wide.
                widths.append(min(max(Double(w) + 1.5, 8.43), 60))
            }
            columnStyles = (0..<width).map { i in
                guard i < columns.count else { return nil }
                switch columns[i].format {
                case .text: return .text
                case .date: return .date
                case .general, .number: return nil
                }
            }
        case .guide(let lines):
            var r = 0
            var widest = 0
            for line in lines {
                r += 1
                guard line.text.utf16.count <= SheetXML.maxCellText else {
                    throw fail(
                        "guide line has \(line.text.utf16.count) characters; a cell holds at most "
                            + "\(SheetXML.maxCellText)",
                        row: r, column: 1)
                }
                guard r <= SheetXML.lastRow else { throw fail("guide has more lines than a worksheet holds") }
                if line.text.isEmpty { continue }
                let style: WorkbookWriter.Style =
                    switch line.style {
                    case .title: .title
                    case .heading: .heading
                    case .text: .paragraph
                    }
                // A paragraph longer than the column wraps; spreadsheet programs keep a row's
                // default height on opening a file (LibreOffice drew the wrapped lines over the
                // next rows), so the row is given the height of its lines.
                let width = DisplayWidth.of(line.text)
                let lines = (width + SheetXML.guideWrap - 1) / SheetXML.guideWrap
                let height = lines > 1 && line.style == .text ? " ht=\"\(lines * 18)\" customHeight=\"1\"" : ""
                sheetData +=
                    "<row r=\"\(r)\"\(height)><c r=\"A\(r)\" s=\"\(style.rawValue)\" "
                    + "t=\"s\"><v>\(strings.id(line.text))</v></c></row>"
                widest = max(widest, width)
                lastRow = r
                lastColumn = 1
            }
            // Long paragraphs wrap in a column about 100 characters wide (`guideWrap` of them
            // to a line, allowing for the font's margins).
            widths = [min(max(Double(widest) + 2, 20), 100)]
            columnStyles = [nil]
        }

        var s =
            WorkbookWriter.declaration
            + "<worksheet xmlns=\"\(WorkbookWriter.mainNS)\" xmlns:r=\"\(WorkbookWriter.relNS)\">"
        s +=
            "<dimension ref=\""
            + (lastRow > 0 && lastColumn > 0 ? "A1:" + CellReference.name(row: lastRow, column: lastColumn) : "A1")
            + "\"/>"
        s += "<sheetViews><sheetView workbookViewId=\"0\"\(selected ? " tabSelected=\"1\"" : "")>"
        if frozen {
            s += "<pane ySplit=\"1\" topLeftCell=\"A2\" activePane=\"bottomLeft\" state=\"frozen\"/>"
            s += "<selection pane=\"bottomLeft\" activeCell=\"A2\" sqref=\"A2\"/>"
        }
        s += "</sheetView></sheetViews><sheetFormatPr defaultRowHeight=\"18.75\"/>"
        if !widths.isEmpty {
            s += "<cols>"
            for (i, w) in widths.enumerated() {
                let style = columnStyles.indices.contains(i) ? columnStyles[i] : nil
                s +=
                    "<col min=\"\(i + 1)\" max=\"\(i + 1)\" "
                    + "width=\"\(SheetXML.decimal(w))\"\(style.map { " style=\"\($0.rawValue)\"" } ?? "") "
                    + "customWidth=\"1\"/>"
            }
            s += "</cols>"
        }
        s += sheetData.isEmpty ? "<sheetData/>" : "<sheetData>" + sheetData + "</sheetData>"
        if !validations.isEmpty {
            s += "<dataValidations count=\"\(validations.count)\">"
            for v in validations { s += try validation(v) }
            s += "</dataValidations>"
        }
        s += "<pageMargins left=\"0.7\" right=\"0.7\" top=\"0.75\" bottom=\"0.75\" header=\"0.3\" footer=\"0.3\"/>"
        return s + "</worksheet>"
    }

    func validation(_ v: DataValidation) throws(Diagnostic) -> String {
        guard v.firstRow >= 1, v.firstColumn >= 1, v.lastRow >= v.firstRow, v.lastColumn >= v.firstColumn,
            v.lastRow <= SheetXML.lastRow, v.lastColumn <= 16_384
        else {
            throw fail(
                "data validation covers rows \(v.firstRow)–\(v.lastRow), columns \(v.firstColumn)–\(v.lastColumn), "
                    + "which is not a range of a worksheet"
            )
        }
        let from = CellReference.name(row: v.firstRow, column: v.firstColumn)
        let to = CellReference.name(row: v.lastRow, column: v.lastColumn)
        let sqref = from == to ? from : from + ":" + to
        var a = ""
        if v.choices != nil { a += " type=\"list\"" }
        if v.choices != nil, !v.strict { a += " errorStyle=\"warning\"" }
        a += " allowBlank=\"1\""
        if v.prompt != nil { a += " showInputMessage=\"1\"" }
        if v.choices != nil { a += " showErrorMessage=\"1\"" }
        if let e = v.error {
            a +=
                " errorTitle=\"\(XMLEscape.attribute(SheetXML.cut(e.title, 32)))\" "
                + "error=\"\(XMLEscape.attribute(SheetXML.cut(e.text, 225)))\""
        }
        if let p = v.prompt {
            a +=
                " promptTitle=\"\(XMLEscape.attribute(SheetXML.cut(p.title, 32)))\" "
                + "prompt=\"\(XMLEscape.attribute(SheetXML.cut(p.text, 255)))\""
        }
        a += " sqref=\"\(sqref)\""
        guard let choices = v.choices else { return "<dataValidation\(a)/>" }
        return "<dataValidation\(a)><formula1>\(XMLEscape.text(lists.formula(choices)))</formula1></dataValidation>"
    }

    /// Excel's limits on validation texts (32 for titles, 255 for input messages, 225 for
    /// error messages), counted in UTF-16 code units.
    static func cut(_ s: String, _ limit: Int) -> String {
        guard s.utf16.count > limit else { return s }
        var out = ""
        for c in s {
            if out.utf16.count + c.utf16.count > limit - 1 { break }
            out.append(c)
        }
        return out + "…"
    }

    /// A width with at most two decimals, without a trailing `.0`.
    static func decimal(_ w: Double) -> String {
        let hundredths = Int((w * 100).rounded())
        let whole = hundredths / 100, frac = hundredths % 100
        if frac == 0 { return String(whole) }
        return "\(whole)." + (frac % 10 == 0 ? String(frac / 10) : (frac < 10 ? "0\(frac)" : String(frac)))
    }
}
