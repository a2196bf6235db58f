import Foundation
import TenkenSyntax

/// Text encodings a CSV table may come in. Japanese Excel saves "CSV" as Shift_JIS (CP932).
public enum TextEncoding: String, Sendable, CaseIterable {
    case auto, utf8 = "utf-8", shiftJIS = "shift_jis"
}

/// One parsed CSV record: its cells, the byte offset of each cell in the UTF-8 text,
/// and the physical line where the record starts.
public struct CSVRow: Sendable {
    public var cells: [String]
    public var offsets: [Int]
    public var line: Int
}

public struct CSVTable: Sendable {
    public var header: CSVRow
    public var rows: [CSVRow]
    /// The text as UTF-8 bytes (after any Shift_JIS decoding), which offsets index.
    public var utf8: [UInt8]
}

public enum CSVReader {
    /// Decodes bytes to UTF-8: strips a UTF-8 BOM; with `.auto`, text that is not valid UTF-8
    /// is read as Shift_JIS. Returns the bytes and a note about what was detected.
    public static func decode(_ bytes: [UInt8], encoding: TextEncoding, file: String) -> ([UInt8]?, [Diagnostic]) {
        if bytes.count >= 2, (bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF) {
            return (
                nil,
                [
                    Diagnostic(
                        "data.unsupported-encoding", .error, "file is UTF-16; expected UTF-8 or Shift_JIS",
                        at: SourceLocation(file: file), help: "save the table as \"CSV UTF-8\" in Excel")
                ]
            )
        }
        var body = bytes
        if body.starts(with: [0xEF, 0xBB, 0xBF]) { body.removeFirst(3) }
        switch encoding {
        case .utf8:
            if String(validating: body, as: UTF8.self) == nil {
                return (
                    nil,
                    [
                        Diagnostic(
                            "data.invalid-utf8", .error, "file is not valid UTF-8",
                            at: SourceLocation(file: file, line: firstInvalidUTF8Line(body)),
                            help: "if it came from Japanese Excel, pass --encoding shift_jis")
                    ]
                )
            }
            return (body, [])
        case .shiftJIS:
            guard let s = String(data: Data(body), encoding: .shiftJIS) else {
                return (
                    nil,
                    [
                        Diagnostic(
                            "data.bad-encoding", .error, "file is not valid Shift_JIS", at: SourceLocation(file: file))
                    ]
                )
            }
            return (Array(s.utf8), [])
        case .auto:
            if String(validating: body, as: UTF8.self) != nil { return (body, []) }
            if let s = String(data: Data(body), encoding: .shiftJIS) {
                return (
                    Array(s.utf8),
                    [
                        Diagnostic(
                            "data.encoding-detected", .note, "file is not UTF-8; read it as Shift_JIS",
                            at: SourceLocation(file: file))
                    ]
                )
            }
            return (
                nil,
                [
                    Diagnostic(
                        "data.invalid-utf8", .error, "file is neither UTF-8 nor Shift_JIS",
                        at: SourceLocation(file: file, line: firstInvalidUTF8Line(body)))
                ]
            )
        }
    }

    /// Parses text already decoded (a leading BOM is skipped).
    public static func parse(text: String, file: String) -> (CSVTable?, [Diagnostic]) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        return parse(utf8: bytes, file: file)
    }

    static func firstInvalidUTF8Line(_ b: [UInt8]) -> Int {
        var line = 1, start = 0
        for (i, c) in b.enumerated() where c == 10 {
            if String(validating: b[start..<i], as: UTF8.self) == nil { return line }
            line += 1
            start = i + 1
        }
        return line
    }

    /// RFC 4180: comma-separated, CRLF or LF, `"` quoting with `""` inside, newlines allowed in
    /// quoted cells. Blank lines are skipped. Errors are collected and the bad record dropped.
    public static func parse(utf8 b: [UInt8], file: String) -> (CSVTable?, [Diagnostic]) {
        var diags: [Diagnostic] = []
        let lines = LineIndex(b)
        func loc(_ off: Int) -> SourceLocation {
            let p = lines.position(of: off)
            return SourceLocation(file: file, line: p.line, column: p.column)
        }
        var records: [CSVRow] = []
        var i = 0
        let n = b.count
        // Rows come in order: their line numbers are counted as the parse goes.
        var lineNo = 1, counted = 0
        var width = 0
        func line(at off: Int) -> Int {
            while counted < off {
                if b[counted] == 0x0A { lineNo += 1 }
                counted += 1
            }
            return lineNo
        }
        while i < n {
            // Skip blank lines between records.
            if b[i] == 0x0A { i += 1; continue }
            if b[i] == 0x0D, i + 1 < n, b[i + 1] == 0x0A { i += 2; continue }
            var row = CSVRow(cells: [], offsets: [], line: line(at: i))
            // A row has as many cells as the header, mostly: made room for once, not grown.
            row.cells.reserveCapacity(width)
            row.offsets.reserveCapacity(width)
            var bad = false
            while true {
                let cellStart = i
                // The cell's text is a slice of `b` (an unquoted cell, a quoted one without a
                // doubled quote) made a string once, not a byte array grown a byte at a time.
                let text: String
                if i < n, b[i] == 0x22 {
                    i += 1
                    let contentStart = i
                    var doubled = false
                    var closed = false
                    while i < n {
                        if b[i] == 0x22 {
                            if i + 1 < n, b[i + 1] == 0x22 { doubled = true; i += 2; continue }
                            closed = true
                            break
                        }
                        i += 1
                    }
                    if !closed {
                        diags.append(
                            Diagnostic(
                                "data.csv-unterminated-quote", .error,
                                "quoted cell is never closed; expected a `\"` before the end of the file",
                                at: loc(cellStart)))
                        return (nil, diags)
                    }
                    text =
                        doubled ? undoubled(b[contentStart..<i]) : String(decoding: b[contentStart..<i], as: UTF8.self)
                    i += 1
                    if i < n, b[i] != 0x2C, b[i] != 0x0A, b[i] != 0x0D {
                        diags.append(
                            Diagnostic(
                                "data.csv-bad-quote", .error,
                                "unexpected text after a closing quote; expected `,` or the end of the row", at: loc(i))
                        )
                        bad = true
                        while i < n, b[i] != 0x2C, b[i] != 0x0A, b[i] != 0x0D { i += 1 }
                    }
                } else {
                    while i < n, b[i] != 0x2C, b[i] != 0x0A, b[i] != 0x0D {
                        if b[i] == 0x22, !bad {
                            diags.append(
                                Diagnostic(
                                    "data.csv-bad-quote", .error,
                                    "`\"` inside an unquoted cell; quote the whole cell and double the inner quotes",
                                    at: loc(i)))
                            bad = true
                        }
                        i += 1
                    }
                    text = String(decoding: b[cellStart..<i], as: UTF8.self)
                }
                row.cells.append(text)
                row.offsets.append(cellStart)
                if i < n, b[i] == 0x2C { i += 1; continue }
                if i < n, b[i] == 0x0D { i += 1 }
                if i < n, b[i] == 0x0A { i += 1 }
                break
            }
            if !bad {
                if records.isEmpty { width = row.cells.count }
                records.append(row)
            }
        }
        guard let header = records.first else {
            // Only a file with no row at all is empty: one whose rows all failed has said why.
            if let k = diags.firstIndex(where: { $0.severity == .error }) {
                // A JSON inventory named without `.json` (`devices`, `d.jsonl`) reads as CSV; no
                // CSV header starts with `[` or `{`.
                if let c = JSONLines.firstByte(b[...]), c == UInt8(ascii: "[") || c == UInt8(ascii: "{") {
                    diags[k].help = "this file looks like JSON, not CSV: give a JSON file a name ending in `.json`"
                }
            } else {
                diags.append(
                    Diagnostic(
                        "data.empty-file", .error, "file is empty; expected a header row",
                        at: SourceLocation(file: file)))
            }
            return (nil, diags)
        }
        var rows: [CSVRow] = []
        for r in records.dropFirst() {
            if r.cells.count != header.cells.count {
                diags.append(
                    Diagnostic(
                        "data.csv-ragged-row", .error,
                        "row has \(r.cells.count) cells but the header has \(header.cells.count)",
                        at: SourceLocation(file: file, line: r.line, column: 1)))
                continue
            }
            rows.append(r)
        }
        return (CSVTable(header: header, rows: rows, utf8: b), diags)
    }

    /// A quoted cell's text between its quotes, every `""` read as one `"` (inside the quotes a
    /// quote comes only doubled).
    static func undoubled(_ bytes: ArraySlice<UInt8>) -> String {
        var cell: [UInt8] = []
        cell.reserveCapacity(bytes.count)
        var j = bytes.startIndex
        while j < bytes.endIndex {
            cell.append(bytes[j])
            j += bytes[j] == 0x22 ? 2 : 1
        }
        return String(decoding: cell, as: UTF8.self)
    }
}
