import Testing

@testable import TenkenData
@testable import TenkenSyntax

struct JSONReaderTests {
    func parse(_ s: String) -> (JSONNode?, [Diagnostic]) {
        let (n, d, _) = JSONReader.parse(Array(s.utf8), file: "t.json")
        return (n, d)
    }

    @Test func valuesAndOffsets() throws {
        let (n, d) = parse("{\"a\": [1, -2.5e3, \"x\\u00e9\\ud83d\\ude00\", true, null], \"b\": {}}")
        #expect(d.isEmpty)
        guard case .object(let ms)? = n?.value, case .array(let xs) = ms[0].node.value else {
            Issue.record("shape"); return
        }
        #expect(ms.map(\.key) == ["a", "b"])
        #expect(xs.count == 5)
        if case .int(let i) = xs[0].value { #expect(i == 1) } else { Issue.record("int") }
        if case .number(let t) = xs[1].value { #expect(t == "-2.5e3") } else { Issue.record("number") }
        if case .string(let t) = xs[2].value { #expect(t == "xé😀") } else { Issue.record("string") }
        #expect(xs[3].offset == 41)
    }

    @Test func lineAndColumnCountScalarsNotBytes() {
        let text = "{\n  \"名前\": \"値\", \"k\": 1\n}"
        let bytes = Array(text.utf8)
        let (n, _, lines) = JSONReader.parse(bytes, file: "t.json")
        guard case .object(let ms)? = n?.value else { Issue.record("shape"); return }
        let pos = lines.position(of: ms[1].node.offset)
        #expect(pos.line == 2)
        #expect(pos.column == 19)
    }

    @Test(arguments: [
        ("", "data.empty-file", 1, 1),
        ("{\"a\": 1", "data.unexpected-end", 1, 8),
        ("{\"a\": 1,}", "data.json-syntax", 1, 9),
        ("{\"a\": NaN}", "data.json-syntax", 1, 7),
        ("{\"a\": Infinity}", "data.json-syntax", 1, 7),
        ("[01]", "data.json-syntax", 1, 3),
        ("{\"a\": 1} x", "data.trailing-content", 1, 10),
        ("{\"a\": \"\\x\"}", "data.json-syntax", 1, 8),
        ("{\"a\": \"line\nbreak\"}", "data.json-syntax", 1, 12),
        ("{\n\"a\": 1,\n\"a\": 2}", "data.duplicate-key", 3, 1),
        ("[\"\\ud800\"]", "data.json-syntax", 1, 9),
        ("{'a': 1}", "data.json-syntax", 1, 2),
    ])
    func syntaxErrorsAreLocated(_ input: String, _ id: String, _ line: Int, _ column: Int) {
        let (_, d) = parse(input)
        #expect(d.first?.id == id, "\(d)")
        #expect(d.first?.location?.line == line)
        #expect(d.first?.location?.column == column)
    }

    @Test func invalidUTF8IsRejected() {
        let bytes: [UInt8] = Array("{\"a\": \"".utf8) + [0xC3, 0x28] + Array("\"}".utf8)
        let (_, d, _) = JSONReader.parse(bytes, file: "t")
        #expect(d.first?.id == "data.invalid-utf8")
    }

    @Test func bomIsAcceptedAndUTF16Refused() {
        let (n, d, _) = JSONReader.parse([0xEF, 0xBB, 0xBF] + Array("{}".utf8), file: "t")
        #expect(n != nil && d.isEmpty)
        let (_, d16, _) = JSONReader.parse([0xFF, 0xFE, 0x7B, 0x00, 0x7D, 0x00], file: "t")
        #expect(d16.first?.id == "data.unsupported-encoding")
    }

    @Test func nestingLimitIsAnErrorNotAStackOverflow() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        let (_, d, _) = JSONReader.parse(Array(deep.utf8), file: "t")
        #expect(d.first?.id == "data.too-deep")
    }

    @Test func pointerInErrorsEscapesTokens() {
        let bytes = Array("{\"a/b\": {\"c~d\": [1, tru]}}".utf8)
        let (_, d, _) = JSONReader.parse(bytes, file: "t", shownKeys: .all)
        #expect(d.first?.location?.path == "/a~1b/c~0d/1")
    }

    /// A pointer names only the file's own keys: it stops at the first other one (a key may
    /// be a value typed in the wrong place), and the line and column still name the place.
    @Test func pointerStopsAtAKeyItMayNotShow() {
        let bytes = Array("{\"staff\": [{\"PW-hunter2\": [1, tru]}]}".utf8)
        let (_, d, _) = JSONReader.parse(bytes, file: "t", shownKeys: .only(["staff"]))
        #expect(d.first?.location?.path == "/staff/0")
        #expect(d.first?.location?.column == 31)
        let (_, hidden, _) = JSONReader.parse(bytes, file: "t")
        #expect(hidden.first?.location?.path == "")
    }

    @Test func randomBytesNeverCrash() {
        var state: UInt64 = 99
        let alphabet: [UInt8] = Array("{}[]\":,0123456789-+.eEtrufalsn \\\n".utf8) + [0xE3, 0x81, 0x82, 0xFF, 0x00]
        for _ in 0..<5000 {
            var b: [UInt8] = []
            for _ in 0..<Int(state % 64) {
                state = state &* 6364136223846793005 &+ 1442695040888963407
                b.append(alphabet[Int((state >> 33) % UInt64(alphabet.count))])
            }
            _ = JSONReader.parse(b, file: "fuzz")
        }
    }
}

struct CSVReaderTests {
    @Test func quotingCRLFAndEmbeddedNewlines() throws {
        let text = "id,os\r\n\"PC-1\",\"Win, \"\"11\"\"\"\r\nPC-2,\"multi\nline\"\r\n\r\nPC-3,mac\n"
        let (t, d) = CSVReader.parse(utf8: Array(text.utf8), file: "d.csv")
        #expect(d.isEmpty)
        let table = try #require(t)
        #expect(table.rows.map(\.cells) == [["PC-1", "Win, \"11\""], ["PC-2", "multi\nline"], ["PC-3", "mac"]])
        #expect(table.rows.map(\.line) == [2, 3, 6])
    }

    /// Cells are read as slices of the text (a quoted one without `""` too); a quoted cell with
    /// doubled quotes reads each pair as one quote, wherever the pairs lie.
    @Test func cellsReadAsSlicesAndDoubledQuotes() throws {
        let cells = [
            "", "\"\"", "\"\"\"\"", "\"a\"\"\"", "\"\"\"b\"", "\"x\"\"y\"\"z\"", "\"\"\"\"\"\"", "\"点検\"\"済\"", "plain",
            "\"q,1\"", "端末",
        ]
        let text = "h\n" + cells.joined(separator: "\n") + "\n"
        let (t, d) = CSVReader.parse(utf8: Array(text.utf8), file: "d.csv")
        #expect(d.isEmpty)
        let table = try #require(t)
        // Blank lines are skipped: the empty cell's row is not there.
        #expect(
            table.rows.map(\.cells) == [
                [""], ["\""], ["a\""], ["\"b"], ["x\"y\"z"], ["\"\""], ["点検\"済"], ["plain"], ["q,1"], ["端末"],
            ])
    }

    /// A file whose every row failed is not called empty; a JSON inventory read as CSV (named
    /// without `.json`) says so in the first error's help.
    @Test func aFileOfBadRowsIsNotEmptyAndJSONIsNamed() {
        let json = "\u{FEFF} [{\"id\": \"PC-01\", \"kind\": \"pc\"}]\n"
        let (t, d) = CSVReader.parse(utf8: Array(json.utf8), file: "devices")
        #expect(t == nil)
        #expect(!d.contains { $0.id == "data.empty-file" })
        #expect(d.first?.id == "data.csv-bad-quote")
        #expect(d.first?.help?.contains(".json") == true)
        let (_, plain) = CSVReader.parse(utf8: Array("wi\"n\n".utf8), file: "d.csv")
        #expect(!plain.contains { $0.id == "data.empty-file" })
        #expect(plain.first?.help == nil)
    }

    @Test(arguments: [
        ("id,os\nPC-1,win,extra\n", "data.csv-ragged-row", 2),
        ("id,os\nPC-1,\"win\n", "data.csv-unterminated-quote", 2),
        ("id,os\nPC-1,wi\"n\n", "data.csv-bad-quote", 2),
        ("id,os\nPC-1,\"win\"x\n", "data.csv-bad-quote", 2),
        ("", "data.empty-file", 0),
    ])
    func errors(_ text: String, _ id: String, _ line: Int) {
        let (_, d) = CSVReader.parse(utf8: Array(text.utf8), file: "d.csv")
        #expect(d.first?.id == id)
        #expect(d.first?.location?.line == line)
    }

    @Test func encodings() {
        let sjis: [UInt8] = [0x92, 0x5B, 0x96, 0x96, 0x49, 0x44, 0x0D, 0x0A]  // 端末ID\r\n in Shift_JIS
        let (auto, notes) = CSVReader.decode(sjis, encoding: .auto, file: "d.csv")
        #expect(auto.map { String(decoding: $0, as: UTF8.self) } == "端末ID\r\n")
        #expect(notes.first?.id == "data.encoding-detected")
        let (strict, errs) = CSVReader.decode(sjis, encoding: .utf8, file: "d.csv")
        #expect(strict == nil && errs.first?.id == "data.invalid-utf8")
        let (bom, _) = CSVReader.decode([0xEF, 0xBB, 0xBF] + Array("id\n".utf8), encoding: .auto, file: "d.csv")
        #expect(bom == Array("id\n".utf8))
        #expect(
            CSVReader.decode([0xFF, 0xFE, 0x41, 0x00], encoding: .auto, file: "d.csv").1.first?.id
                == "data.unsupported-encoding")
    }
}

struct DayTests {
    @Test(arguments: [
        "2023-02-30", "2023-13-01", "2023-00-10", "2023-4-01", "2023-04-01T00:00:00Z", "20230401", "2100-02-29",
    ])
    func invalidDates(_ s: String) { #expect(Day(iso: s) == nil) }

    @Test func leapYearsAndMonthEnds() {
        #expect(Day(iso: "2024-02-29") != nil)
        #expect(Day(iso: "2000-02-29") != nil)
        #expect(Day(iso: "2024-01-31")!.addingMonths(1).description == "2024-02-29")
        #expect(Day(iso: "2023-01-31")!.addingMonths(1).description == "2023-02-28")
        #expect(Day(iso: "2024-02-29")!.addingMonths(12).description == "2025-02-28")
        #expect(Day(iso: "2024-03-31")!.subtracting(Duration(1, .months)!).description == "2024-02-29")
        #expect(Day(iso: "2026-12-31")!.adding(Duration(1, .days)!).description == "2027-01-01")
        #expect(Day(iso: "1970-01-01")!.rawValue == 0)
        for s in ["1999-12-31", "2000-03-01", "2026-11-25", "0001-01-01", "9999-12-31"] {
            #expect(Day(iso: s)!.description == s)
        }
    }

    @Test func durations() {
        #expect(Duration(text: "30 minutes") == Duration(30, .minutes)!)
        #expect(Duration(text: "1 day") == Duration(1440, .minutes)!)
        #expect(Duration(text: "2 months")!.description == "2 months")
        #expect(Duration(2, .months)! == Duration(60, .days)!)
        #expect(Duration(1, .years)!.descriptionJa == "1年")
        #expect(Duration(text: "thirty days") == nil)
    }
}

/// The line index keeps only every 16th line start: every position still comes out as a
/// full index would give it (lines of every length, multi-byte text, CRLF, no final newline).
struct LineIndexTests {
    func naive(_ b: [UInt8], _ offset: Int) -> (Int, Int) {
        var line = 1, col = 1
        for i in 0..<min(offset, b.count) {
            if b[i] == 10 { line += 1; col = 1 } else if b[i] & 0xC0 != 0x80 { col += 1 }
        }
        return (line, col)
    }

    @Test func sparseCheckpointsGiveExactPositions() {
        var rng = SystemRandomNumberGenerator()
        let pieces = ["", "a", "点検", "\r", "xyz,", "\"q\"", "職員.csv"]
        for round in 0..<20 {
            var text = ""
            for _ in 0..<(round * 37 + 5) {
                text += pieces.randomElement(using: &rng)!
                if Bool.random(using: &rng) { text += "\n" }
            }
            let b = Array(text.utf8)
            let index = LineIndex(b)
            for off in stride(from: 0, through: b.count + 1, by: max(1, b.count / 97)) {
                let p = index.position(of: off)
                #expect(p.line == naive(b, off).0 && p.column == naive(b, off).1, "offset \(off) of \(b.count)")
            }
        }
        let lines = Array(String(repeating: "\n", count: 100).utf8)
        #expect(LineIndex(lines).position(of: 100) == (101, 1) ? true : false)
        #expect(LineIndex([]).position(of: 0) == (1, 1) ? true : false)
    }
}
