import CLibXML2
import Foundation
import TenkenAudit
import TenkenBenchKit
import TenkenData
import TenkenWorkbook

/// The workbook reader alone against the CSV reader alone, on the same clinics: each facility's
/// tables as the CSV files `tenken convert` writes, and as one workbook with a sheet per table
/// (dates as date serials with a date format, whole numbers as numbers, the rest as text, as
/// a person's workbook holds them). CSV: decode and parse every table to cells. Workbook: open
/// the zip, read the workbook, shared strings and styles, and read every sheet to cells.
/// Issue 17 asks that a clinic's workbook cost no more than twice its CSV tables end to end;
/// this measures the readers, which are the part that differs.
enum WorkbookBench {
    struct Facility {
        var tables: [(file: String, bytes: [UInt8], schema: RecordSchema)]
        var workbook: [UInt8]
    }

    static func prepare(count: Int) -> [Facility] {
        (0..<count).map { i in
            let (snap, _) = Generator.facility(id: "F-WB-\(i)", size: .clinic, seed: UInt64(i) &+ 500)
            var loader = SnapshotLoader(schema: PackLoader.builtInSchema)
            let f = loader.loadSnapshot(bytes: Array(snap.utf8), path: "f.json")!
            let files = SnapshotWriter.tables(f, japanese: true).files
            var sheets: [SheetSpec] = []
            for t in files {
                guard let table = CSVReader.parse(text: t.text, file: t.spec.fileName).0 else { continue }
                let columns = table.header.cells.map { ColumnSpec(header: $0, format: .text) }
                let rows: [[CellValue]] = table.rows.map { r in
                    r.cells.map { c in
                        if c.isEmpty { return .empty }
                        if let d = CellValue.date(iso: c) { return d }
                        if let n = Int(c) { return .number(Double(n)) }
                        return .text(c)
                    }
                }
                sheets.append(.table(t.spec.nameJa, columns: columns, rows: rows))
            }
            let book = try! WorkbookWriter.write(sheets).get()
            return Facility(
                tables: files.map { ($0.spec.fileName, Array($0.text.utf8), $0.spec.rowSchema) }, workbook: book)
        }
    }

    static func readCSV(_ f: Facility) -> Int {
        var cells = 0
        for t in f.tables {
            guard let utf8 = CSVReader.decode(t.bytes, encoding: .auto, file: t.file).0,
                let table = CSVReader.parse(utf8: utf8, file: t.file).0
            else { continue }
            cells += table.rows.reduce(table.header.cells.count) { $0 + $1.cells.count }
        }
        return cells
    }

    static func readWorkbook(_ f: Facility) -> Int {
        guard let book = Workbook.open(bytes: f.workbook, file: "clinic.xlsx").0 else { return 0 }
        var cells = 0
        for s in book.sheets {
            guard let ws = book.read(s).0 else { continue }
            cells += ws.rows.reduce(0) { $0 + $1.cells.count }
        }
        return cells
    }

    /// Where the workbook's time goes: opening (zip directory, workbook, shared strings,
    /// styles), inflating every part, reading every sheet; `tenken-bench workbook` prints it.
    static func breakdown(time: (Int, () -> Void) -> Double) -> String {
        let n = 100, reps = 7
        let facilities = prepare(count: n)
        let books = facilities.map { Workbook.open(bytes: $0.workbook, file: "c.xlsx").0! }
        let zips = facilities.map { ZipArchive.open($0.workbook, file: "c.xlsx").0! }
        let tOpen = time(reps) { for f in facilities { _ = Workbook.open(bytes: f.workbook, file: "c.xlsx") } }
        let tZip = time(reps) { for f in facilities { _ = ZipArchive.open(f.workbook, file: "c.xlsx") } }
        let tInflate = time(reps) { for z in zips { for e in z.entries { _ = z.contents(of: e) } } }
        let tRead = time(reps) { for b in books { for s in b.sheets { _ = b.read(s) } } }
        // The floor: libxml2's streaming reader alone, visiting every node of the same sheets.
        let sheetXML = zip(books, zips).flatMap { b, z in
            b.sheets.compactMap { $0.part }.compactMap { try? z.contents(ofEntryNamed: $0).get() }
        }
        let tFloor = time(reps) { for x in sheetXML { walk(x) } }
        let xml = zips.reduce(0) { $0 + $1.entries.reduce(0) { $0 + $1.uncompressedSize } } / n
        let csv = facilities.reduce(0) { $0 + $1.tables.reduce(0) { $0 + $1.bytes.count } } / n
        func ms(_ t: Double) -> String { String(format: "%.2f ms", t / Double(n) * 1000) }
        return
            "per clinic: \(xml / 1024) KiB of XML (\(csv / 1024) KiB as CSV); open \(ms(tOpen)) (zip directory "
            + "\(ms(tZip))), "
            + "inflate every part \(ms(tInflate)), read every sheet \(ms(tRead)) (libxml2's reader alone walking the "
            + "same sheets: \(ms(tFloor)))"
    }

    /// Reads ten clinics' workbooks (or their CSV tables) `n` times and nothing else, for
    /// profilers: under `valgrind --tool=callgrind` the instruction counts compare the readers
    /// on a machine too busy for wall-clock times.
    static func loop(_ n: Int, csv: Bool, typed: Bool = false, facility: Bool = false) {
        if facility {
            // The facility read from disk as the commands read it (`endToEnd`'s first row).
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-wb-loop-\(getpid())").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            guard let (folders, books) = try? writeClinics(10, to: dir, seed: 900) else { return }
            for _ in 0..<n {
                for t in csv ? folders : books {
                    var l = SnapshotLoader(schema: PackLoader.builtInSchema); _ = l.loadTables(t)
                }
            }
            return
        }
        let facilities = prepare(count: 10)
        for _ in 0..<n {
            for f in facilities {
                if typed {
                    // The CSV tables typed as the table loader types them (what a workbook
                    // sheet will also go through in part 2).
                    var loader = SnapshotLoader(schema: PackLoader.builtInSchema)
                    for t in f.tables { _ = loader.loadTable(bytes: t.bytes, path: t.file, schema: t.schema) }
                } else {
                    _ = csv ? readCSV(f) : readWorkbook(f)
                }
            }
        }
    }

    static func walk(_ xml: [UInt8]) {
        xml.withUnsafeBufferPointer { buf in
            buf.baseAddress!.withMemoryRebound(to: CChar.self, capacity: buf.count) { p in
                let r = xmlReaderForMemory(
                    p, Int32(buf.count), "s.xml", nil, Int32(XML_PARSE_NONET.rawValue | XML_PARSE_COMPACT.rawValue))
                while xmlTextReaderRead(r) == 1 { _ = xmlTextReaderNodeType(r) }
                xmlFreeTextReader(r)
            }
        }
    }

    /// A row of the benchmark table.
    static func run(smoke: Bool, time: (Int, () -> Void) -> Double) -> BenchmarkMain.Row {
        let n = smoke ? 5 : 100
        let facilities = prepare(count: n)
        let reps = smoke ? 1 : 7
        let csv = time(reps) { _ = facilities.reduce(0) { $0 + readCSV($1) } }
        let book = time(reps) { _ = facilities.reduce(0) { $0 + readWorkbook($1) } }
        let csvBytes = facilities.reduce(0) { $0 + $1.tables.reduce(0) { $0 + $1.bytes.count } }
        let bookBytes = facilities.reduce(0) { $0 + $1.workbook.count }
        let ratio = book / csv
        return BenchmarkMain.Row(
            what:
                "reading a clinic's tables (\(facilities.first.map { $0.tables.count } ?? 0) tables) as one .xlsx vs "
                + "as CSV files, readers alone, \(n) clinics "
                + "(\(bookBytes / n / 1024) KiB vs \(csvBytes / n / 1024) KiB each)",
            measured: String(
                format: "%.2f ms vs %.2f ms per clinic = %.2f×", book / Double(n) * 1000, csv / Double(n) * 1000,
                ratio),
            target: "— (issue 17's ≤ 2× is end to end)", met: nil)
    }

    /// `n` generated clinics written to `dir`, each as a folder of CSV tables and as the
    /// workbook `tenken convert --to xlsx` writes (drop-downs, guide sheet and all).
    static func writeClinics(
        _ n: Int, to dir: String, seed: UInt64
    ) throws -> (folders: [TableFolder], books: [TableFolder]) {
        var folders: [TableFolder] = [], books: [TableFolder] = []
        for i in 0..<n {
            let (snap, _) = Generator.facility(id: "F-WE-\(i)", size: .clinic, seed: UInt64(i) &+ seed)
            var loader = SnapshotLoader(schema: PackLoader.builtInSchema)
            let f = loader.loadSnapshot(bytes: Array(snap.utf8), path: "f.json")!
            let folder = dir + "/csv-\(i)"
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            for t in SnapshotWriter.tables(f, japanese: true).files {
                try Data(t.text.utf8).write(to: URL(fileURLWithPath: folder + "/" + t.spec.fileName))
            }
            let path = dir + "/book-\(i).xlsx"
            let bytes = try WorkbookTables.workbook(
                f, japanese: true, file: path, guide: WorkbookTables.guide(japanese: true, schema: f.schema)
            ).bytes.get()
            try Data(bytes).write(to: URL(fileURLWithPath: path))
            folders.append(TableFolder.scan(folder, schema: PackLoader.builtInSchema).0)
            books.append(.workbook(path))
        }
        return (folders, books)
    }

    /// Issue 17's measure: one clinic read end to end as the commands read it, from disk into
    /// a typed facility (`SnapshotLoader.loadTables`), as the workbook `tenken convert --to xlsx`
    /// writes (drop-downs, guide sheet and all) and as its folder of CSV tables; and a whole
    /// `tenken check` process of each, which is what a person waits for.
    static func endToEnd(
        smoke: Bool, exe: String, dir: String, time: (Int, () -> Void) -> Double
    ) throws -> [BenchmarkMain.Row] {
        let n = smoke ? 5 : 100
        let reps = smoke ? 1 : 7
        let (folders, books) = try writeClinics(n, to: dir, seed: 900)
        let tCSV = time(reps) {
            for t in folders { var l = SnapshotLoader(schema: PackLoader.builtInSchema); _ = l.loadTables(t) }
        }
        let tBook = time(reps) {
            for t in books { var l = SnapshotLoader(schema: PackLoader.builtInSchema); _ = l.loadTables(t) }
        }
        // Whole processes: medians of alternating runs over the first clinic.
        var pc: [Double] = [], pb: [Double] = []
        for _ in 0..<(smoke ? 1 : 15) {
            pc.append(
                BenchmarkMain.measured(exe, ["check", folders[0].dir, "--as-of", Generator.asOf, "--format", "json"]).0)
            pb.append(
                BenchmarkMain.measured(exe, ["check", books[0].dir, "--as-of", Generator.asOf, "--format", "json"]).0)
        }
        let (c, b) = (BenchmarkMain.median(pc), BenchmarkMain.median(pb))
        return [
            BenchmarkMain.Row(
                what:
                    "one clinic read end to end into a typed facility: its workbook vs its folder of CSV tables, "
                    + "from disk, \(n) clinics",
                measured: String(
                    format: "%.2f ms vs %.2f ms per clinic = %.2f×", tBook / Double(n) * 1000, tCSV / Double(n) * 1000,
                    tBook / tCSV),
                target: "≤ 2× (issue 17)", met: smoke ? nil : tBook / tCSV <= 2),
            BenchmarkMain.Row(
                what:
                    "`tenken check` of one clinic, whole process: its workbook vs its folder of CSV tables (median "
                    + "of \(pc.count))",
                measured: String(format: "%.1f ms vs %.1f ms = %.2f×", b * 1000, c * 1000, b / c),
                target: "≤ 2× (issue 17)", met: smoke ? nil : b / c <= 2),
        ]
    }
}
