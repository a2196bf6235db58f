import TenkenSyntax

/// Streams one worksheet part (`<sheetData>`: `<row>`, `<c>`, `<v>`, `<f>`, `<is>`) into a
/// `Worksheet`. Structural errors (malformed XML, a DTD, a cell reference out of place, a
/// limit passed) stop the sheet; value errors (a shared-string index that does not exist, a
/// boolean that is neither 0 nor 1) are collected for every cell. A sheet with any error
/// comes back nil, so a half-read sheet is never taken for the whole.
struct SheetParser {
    let workbook: Workbook
    let sheet: SheetInfo
    let part: String
    var bag = DiagnosticBag()

    init(workbook: Workbook, sheet: SheetInfo, part: String) {
        self.workbook = workbook
        self.sheet = sheet
        self.part = part
    }

    var limits: WorkbookLimits { workbook.archive.limits }

    func location(_ row: Int, _ column: Int) -> SourceLocation {
        SourceLocation(file: workbook.file, line: row, column: row > 0 ? column : 0, sheet: sheet.name)
    }

    /// A cell's `t` attribute.
    enum CellType: Equatable {
        case number, shared, formulaString, inline, bool, error, isoDate
        /// Anything else, kept to name it in the error.
        case unknown(String)

        init(_ p: UnsafePointer<UInt8>) {
            switch p[0] {
            case UInt8(ascii: "n") where p[1] == 0: self = .number
            case UInt8(ascii: "s") where p[1] == 0: self = .shared
            case UInt8(ascii: "b") where p[1] == 0: self = .bool
            case UInt8(ascii: "e") where p[1] == 0: self = .error
            case UInt8(ascii: "d") where p[1] == 0: self = .isoDate
            default:
                if XMLStream.equal(p, "str") {
                    self = .formulaString
                } else if XMLStream.equal(p, "inlineStr") {
                    self = .inline
                } else {
                    self = .unknown(XMLStream.string(p))
                }
            }
        }
    }

    /// The cell being read.
    struct PendingCell {
        var row = 0, column = 0
        var style = 0
        var type = CellType.number
        var hasFormula = false
        var value: [UInt8] = []
        var inValue = false
        var inInline = false
        var sawInline = false
        var rich: RichText

        init(limit: Int) { rich = RichText(limit: limit) }

        mutating func reset(row: Int, column: Int) {
            self.row = row; self.column = column; style = 0; type = .number
            hasFormula = false
            value.removeAll(keepingCapacity: true)
            inValue = false; inInline = false; sawInline = false
            rich.reset()
        }
    }

    /// A non-negative decimal number of at most `digits` digits from a C string; nil otherwise.
    static func whole(_ p: UnsafePointer<UInt8>, digits: Int = 9) -> Int? {
        var n = 0, i = 0
        while p[i] != 0 {
            let d = p[i] &- 48
            guard d < 10, i < digits else { return nil }
            n = n * 10 + Int(d)
            i += 1
        }
        return i == 0 ? nil : n
    }

    /// An A1 reference from a C string.
    static func reference(_ p: UnsafePointer<UInt8>) -> (row: Int, column: Int)? {
        var n = 0
        while p[n] != 0 { n += 1 }
        return CellReference.parse(bytes: UnsafeBufferPointer(start: p, count: n))
    }

    mutating func parse(_ xml: [UInt8]) -> (Worksheet?, [Diagnostic]) {
        let limits = self.limits
        var rows: [WorksheetRow] = []
        var merges: [CellRange] = []
        var ordered = true
        var this = self
        let result = XMLStream.parse(xml, url: part) { (x) throws(XMLStream.Failure) -> Void in
            var inSheetData = false
            var rowNumber = 0, lastRow = 0, lastColumn = 0
            var cells: [WorkbookCell] = []
            var rowOrdered = true
            var cellCount = 0
            var cell = PendingCell(limit: limits.maxCellTextBytes)
            var inCell = false
            func fail(_ id: String, _ message: String, row: Int? = nil, column: Int? = nil) -> XMLStream.Failure {
                XMLStream.Failure(
                    id: id, message: message, line: x.line, column: x.column,
                    cellRow: row ?? (inCell ? cell.row : rowNumber), cellColumn: column ?? (inCell ? cell.column : 0))
            }
            func flushRow() {
                guard rowNumber > 0 else { return }
                if !cells.isEmpty {
                    if !rowOrdered { cells.sort { $0.column < $1.column } }
                    rows.append(WorksheetRow(number: rowNumber, cells: cells))
                }
                cells.removeAll(keepingCapacity: true)
                rowNumber = 0
            }
            func finishCell() {
                inCell = false
                if let c = this.decode(&cell) { cells.append(c) }
            }
            while try x.next() {
                if !inSheetData {
                    if x.known == .sheetData, x.type == .element { inSheetData = !x.isEmptyElement }
                    if x.type == .element, XMLStream.equal(x.name, "mergeCell") {
                        // A merged range shows one value over all its cells (WorkbookTables
                        // gives it to each); its reference is named by shape only.
                        guard let ref = x.attributes(["ref"])[0], let range = CellRange(ref) else {
                            throw fail(
                                "workbook.bad-cell-reference",
                                "a merged range's reference is not a range of cells (such as D6:D7)", row: 0, column: 0)
                        }
                        guard merges.count < limits.maxCells else {
                            throw fail(
                                "workbook.too-many", "sheet holds more than \(limits.maxCells) merged ranges", row: 0,
                                column: 0)
                        }
                        merges.append(range)
                    }
                    continue
                }
                if inCell {
                    if cell.inInline {
                        if x.known == .is, x.type == .endElement {
                            cell.inInline = false
                        } else {
                            try cell.rich.take(x)
                        }
                        continue
                    }
                    switch (x.known, x.type) {
                    case (.c, .endElement):
                        finishCell()
                    case (.v, .element):
                        cell.inValue = !x.isEmptyElement
                    case (.v, .endElement):
                        cell.inValue = false
                    case (_, .text), (_, .cdata), (_, .whitespace), (_, .significantWhitespace):
                        if cell.inValue, !x.appendText(to: &cell.value, limit: limits.maxCellTextBytes) {
                            throw fail("workbook.too-large", "cell value passes \(limits.maxCellTextBytes) bytes")
                        }
                    case (.f, .element):
                        cell.hasFormula = true
                        try x.skipElement()
                    case (.is, .element):
                        cell.sawInline = true
                        cell.inInline = !x.isEmptyElement
                    case (_, .element):
                        // Extensions inside a cell (`<extLst>`): not values.
                        try x.skipElement()
                    default:
                        break
                    }
                    continue
                }
                switch (x.known, x.type) {
                case (.row, .element):
                    flushRow()
                    var given: Int?, bad: String?
                    x.forEachShortAttribute { name, value in
                        guard name == UInt8(ascii: "r") else { return }
                        if let n = SheetParser.whole(value, digits: 9), n >= 1 {
                            given = n
                        } else {
                            bad = XMLStream.string(value)
                        }
                    }
                    if let bad {
                        throw fail(
                            "workbook.bad-cell-reference", "a row's number (\(TextShape.of(bad))) is not a row number")
                    }
                    rowNumber = given ?? lastRow + 1
                    guard rowNumber <= limits.maxRows else {
                        throw fail("workbook.too-many", "row \(rowNumber) is past the limit of \(limits.maxRows) rows")
                    }
                    if rowNumber <= lastRow { ordered = false }
                    lastRow = rowNumber
                    lastColumn = 0
                    rowOrdered = true
                    if x.isEmptyElement { rowNumber = 0 }
                case (.row, .endElement):
                    flushRow()
                case (.c, .element):
                    guard rowNumber > 0 else { throw fail("workbook.bad-cell-reference", "cell outside a row") }
                    cellCount += 1
                    guard cellCount <= limits.maxCells else {
                        throw fail("workbook.too-many", "sheet holds more than \(limits.maxCells) cells")
                    }
                    cell.reset(row: rowNumber, column: lastColumn + 1)
                    var badReference: String?, badStyle: String?
                    x.forEachShortAttribute { name, value in
                        switch name {
                        case UInt8(ascii: "r"):
                            if let (row, col) = SheetParser.reference(value), row == rowNumber {
                                cell.column = col
                            } else {
                                badReference = XMLStream.string(value)
                            }
                        case UInt8(ascii: "s"):
                            if let n = SheetParser.whole(value) {
                                cell.style = n
                            } else {
                                badStyle = XMLStream.string(value)
                            }
                        case UInt8(ascii: "t"):
                            cell.type = CellType(value)
                        default:
                            break
                        }
                    }
                    if let badReference {
                        throw fail(
                            "workbook.bad-cell-reference",
                            "a cell's reference (\(TextShape.of(badReference))) is not a cell of row \(rowNumber)",
                            column: 0)
                    }
                    let column = cell.column
                    guard column <= limits.maxColumns else {
                        throw fail(
                            "workbook.too-many", "column \(column) is past the limit of \(limits.maxColumns) columns",
                            column: column)
                    }
                    if let badStyle {
                        throw fail(
                            "workbook.bad-cell",
                            "the cell's style index (\(TextShape.of(badStyle))) is not a whole number")
                    }
                    if column <= lastColumn { rowOrdered = false; ordered = false }
                    lastColumn = column
                    inCell = true
                    if x.isEmptyElement { finishCell() }
                case (.sheetData, .endElement):
                    flushRow()
                    inSheetData = false
                default:
                    break
                }
            }
            flushRow()
        }
        self = this
        switch result {
        case .failure(let f):
            var notes = ["in the part \(part)" + (f.line > 0 ? ", line \(f.line), column \(f.column)" : "")]
            // The parser reads ahead, so a syntax error is placed by its line and column in
            // the part; the cell whose XML holds that place is named for the person.
            if f.cellRow == 0, f.line > 0, let near = SheetParser.cellNear(xml, line: f.line, column: f.column) {
                notes.append("near cell \(near)")
            }
            if f.id == "workbook.dtd" {
                notes.append(
                    "document type declarations and entities are refused, so no external file or network address is "
                        + "ever read"
                )
            }
            bag.add(Diagnostic(f.id, .error, f.message, at: location(f.cellRow, f.cellColumn), notes: notes))
            return (nil, bag.sorted)
        case .success:
            break
        }
        if !ordered {
            // Out of order (SpreadsheetML asks for ascending rows and cells, but a reader can
            // still place every cell); a place given twice is ambiguous and refused.
            rows.sort { $0.number < $1.number }
            var merged: [WorksheetRow] = []
            for r in rows {
                if let last = merged.last, last.number == r.number {
                    merged[merged.count - 1] = WorksheetRow(
                        number: r.number, cells: (last.cells + r.cells).sorted { $0.column < $1.column })
                } else {
                    merged.append(r)
                }
            }
            rows = merged
            for r in rows {
                for (a, b) in zip(r.cells, r.cells.dropFirst()) where a.column == b.column {
                    bag.add(
                        Diagnostic(
                            "workbook.duplicate-cell", .error,
                            "cell \(b.reference) is given twice, with different values possible",
                            at: location(b.row, b.column), notes: ["in the part \(part)"]))
                }
            }
        }
        if bag.hasErrors { return (nil, bag.sorted) }
        return (Worksheet(file: workbook.file, name: sheet.name, rows: rows, merges: merges), bag.sorted)
    }

    /// The cell's kind and text, or nil when it holds nothing (or is wrong, which is reported).
    mutating func decode(_ c: inout PendingCell) -> WorkbookCell? {
        let row = c.row, column = c.column, formula = c.hasFormula
        func make(_ kind: CellKind, _ text: String) -> WorkbookCell? {
            if kind == .empty || (kind == .text && text.isEmpty) {
                return formula ? WorkbookCell(row: row, column: column, kind: .empty, text: "", hasFormula: true) : nil
            }
            return WorkbookCell(row: row, column: column, kind: kind, text: text, hasFormula: formula)
        }
        func bad(_ message: String) -> WorkbookCell? {
            bag.add(
                Diagnostic(
                    "workbook.bad-cell", .error, message, at: location(row, column), notes: ["in the part \(part)"]))
            return nil
        }
        // The value without the white space around it (text types keep theirs).
        var lo = 0, hi = c.value.count
        while lo < hi, SheetParser.isSpace(c.value[lo]) { lo += 1 }
        while hi > lo, SheetParser.isSpace(c.value[hi - 1]) { hi -= 1 }
        let v = c.value[lo..<hi]
        func text(_ b: ArraySlice<UInt8>) -> String { String(decoding: b, as: UTF8.self) }
        switch c.type {
        case .number:
            if v.isEmpty { return make(.empty, "") }
            guard let d = SheetParser.number(v) else {
                return bad("cell holds \(TextShape.of(text(v))) where its type (a number) needs digits")
            }
            let cls: NumberFormatClass
            if c.style == 0 && workbook.styleClasses.isEmpty {
                cls = .number
            } else if c.style < workbook.styleClasses.count {
                cls = workbook.styleClasses[c.style]
            } else {
                return bad("cell's style \(c.style) is not in the styles part (it has \(workbook.styleClasses.count))")
            }
            if cls != .number, let t = DateSerial.text(serial: d, as: cls, date1904: workbook.date1904) {
                return make(cls == .date ? .date : .time, t)
            }
            return make(.number, SheetParser.numberText(d))
        case .shared:
            guard let i = SheetParser.whole(v), i < workbook.sharedStrings.count else {
                return bad(
                    "cell names a shared string (\(TextShape.of(text(v)))) the workbook does not have (it has "
                        + "\(workbook.sharedStrings.count))"
                )
            }
            return make(.text, workbook.sharedStrings[i])
        case .formulaString:
            return make(.text, OOXMLEscape.decode(text(c.value[...])))
        case .inline:
            return make(.text, c.sawInline ? c.rich.string : OOXMLEscape.decode(text(c.value[...])))
        case .bool:
            switch text(v) {
            case "1", "true": return make(.bool, "true")
            case "0", "false": return make(.bool, "false")
            default: return bad("cell holds \(TextShape.of(text(v))) where its type (a boolean) needs 1 or 0")
            }
        case .error:
            // Only Excel's own codes are kept (and shown); any other text is an error of no
            // known kind, never echoed.
            let code = text(v)
            return make(.error, v.isEmpty ? "#VALUE!" : WorkbookCell.errorCodes.contains(code) ? code : "")
        case .isoDate:
            if v.isEmpty { return make(.empty, "") }
            guard let t = SheetParser.isoDateTime(text(v)) else {
                return bad("cell holds \(TextShape.of(text(v))) where its type (a date) needs an ISO 8601 date")
            }
            return make(.date, t)
        case .unknown(let t):
            return bad("the cell's type (\(TextShape.of(t))) is not one of n, s, str, inlineStr, b, e, d")
        }
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }

    /// A decimal digit string of at most nine digits.
    static func whole(_ b: ArraySlice<UInt8>) -> Int? {
        guard !b.isEmpty, b.count <= 9 else { return nil }
        var n = 0
        for u in b {
            let d = u &- 48
            guard d < 10 else { return nil }
            n = n * 10 + Int(d)
        }
        return n
    }

    /// The reference of the last `<c r="…">` that starts before a line and column of the
    /// XML (columns counted in bytes, as libxml2 reports them for UTF-8).
    static func cellNear(_ xml: [UInt8], line: Int, column: Int) -> String? {
        var offset = 0, l = 1
        while l < line, offset < xml.count {
            if xml[offset] == 10 { l += 1 }
            offset += 1
        }
        offset = min(offset + max(column - 1, 0), xml.count)
        var i = offset - 1
        while i >= 2 {
            // `<c ` then, within the tag, ` r="`.
            if xml[i - 2] == UInt8(ascii: "<"), xml[i - 1] == UInt8(ascii: "c"),
                xml[i] == 0x20 || xml[i] == 0x09 || xml[i] == 0x0A || xml[i] == 0x0D
            {
                var j = i
                while j + 4 < offset, xml[j] != UInt8(ascii: ">") {
                    if xml[j] == UInt8(ascii: "r"), xml[j + 1] == UInt8(ascii: "="), xml[j + 2] == UInt8(ascii: "\""),
                        xml[j - 1] == 0x20 || xml[j - 1] == 0x09
                    {
                        var k = j + 3
                        var ref: [UInt8] = []
                        while k < xml.count, xml[k] != UInt8(ascii: "\""), ref.count < 12 { ref.append(xml[k]); k += 1 }
                        let s = String(decoding: ref, as: UTF8.self)
                        return CellReference.parse(s) != nil ? s : nil
                    }
                    j += 1
                }
                return nil
            }
            i -= 1
        }
        return nil
    }

    /// A number as SpreadsheetML writes one: decimal digits, sign, point and exponent only
    /// (Swift's parser would also take `nan`, `inf` and hexadecimal).
    static func number(_ b: ArraySlice<UInt8>) -> Double? {
        guard !b.isEmpty, b.count <= 64 else { return nil }
        // Whole numbers, the common case, without a trip through a string.
        var n = 0, digits = 0, negative = false, plain = true
        for (i, u) in b.enumerated() {
            if u >= 48 && u <= 57 {
                n = n &* 10 &+ Int(u - 48); digits += 1
            } else if i == 0 && u == 45 {
                negative = true
            } else {
                plain = false; break
            }
        }
        if plain, digits > 0, digits <= 15 { return Double(negative ? -n : n) }
        guard b.allSatisfy({ ($0 >= 48 && $0 <= 57) || $0 == 46 || $0 == 43 || $0 == 45 || $0 == 69 || $0 == 101 }),
            let d = Double(String(decoding: b, as: UTF8.self)), d.isFinite
        else { return nil }
        return d
    }

    /// Whole numbers without `.0`; others in the shortest form that reads back the same.
    static func numberText(_ d: Double) -> String {
        if d == d.rounded(), abs(d) < 1e15 { return String(Int(d)) }
        return "\(d)"
    }

    /// A strict-OOXML ISO date (`2025-04-01`, `2025-04-01T00:00:00`, `…T09:30:00Z`) as the
    /// tables hold it.
    static func isoDateTime(_ s: String) -> String? {
        let u = Array(s.utf8)
        func digits(_ r: Range<Int>) -> Int? {
            guard r.upperBound <= u.count else { return nil }
            var n = 0
            for i in r { guard u[i] >= 48, u[i] <= 57 else { return nil }; n = n * 10 + Int(u[i] - 48) }
            return n
        }
        guard u.count >= 10, let y = digits(0..<4), u[4] == 45, let m = digits(5..<7), u[7] == 45,
            let d = digits(8..<10),
            (1...12).contains(m), (1...31).contains(d)
        else { return nil }
        let date = DateSerial.iso(y, m, d)
        if u.count == 10 { return date }
        guard u[10] == UInt8(ascii: "T"), let hh = digits(11..<13), u.count >= 16, u[13] == 58,
            let mm = digits(14..<16), hh < 24, mm < 60
        else { return nil }
        var ss = 0
        if u.count >= 19, u[16] == 58 { guard let s = digits(17..<19), s < 60 else { return nil }; ss = s }
        let seconds = hh * 3600 + mm * 60 + ss
        return seconds == 0 ? date : date + " " + DateSerial.clock(seconds: seconds)
    }
}
