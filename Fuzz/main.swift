import Foundation
import TenkenAudit
import TenkenCLI
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax
import TenkenWorkbook

// tenken-fuzz TARGET [libFuzzer options…] — TARGET is `parser`, `json`, `csv`, `snapshot`,
// `workbook` (bytes as an .xlsx: zip container, then every part), `sheet` (bytes as one XML
// part of a fixed, valid package, so mutations reach SpreadsheetML past the zip's CRC checks),
// `rules` (bytes as a rule file: parsed, checked against the schema and the pack's manifest and
// catalog, and, when it checks clean, evaluated over a fixture facility) or `pipeline` (bytes as
// a snapshot, through everything `tenken check` does: load, consistency, evaluation with the
// embedded pack, and every report format).
// Built by scripts/fuzz.sh with coverage instrumentation and libFuzzer linked in; in a
// normal build the driver is absent and this says so (the target still compiles and links).

typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
typealias Driver =
    @convention(c) (
        UnsafeMutablePointer<Int32>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>, Callback
    ) -> Int32

func bytes(_ data: UnsafePointer<UInt8>?, _ size: Int) -> [UInt8] {
    guard let data, size > 0 else { return [] }
    return Array(UnsafeBufferPointer(start: data, count: size))
}

let parserTarget: Callback = { data, size in
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    let (file, _) = Parser.parse(text, file: "fuzz.tenken")
    _ = Formatter.format(file)
    return 0
}

/// A pack's schema file: parsed, checked and built; every error names the file.
let schemaTarget: Callback = { data, size in
    let text = String(decoding: bytes(data, size), as: UTF8.self)
    let (_, diags) = PackSchema.compile(text, file: "fuzz.tenken")
    for d in diags where d.location?.file != "fuzz.tenken" { fatalError("diagnostic outside the file: \(d)") }
    return 0
}

let jsonTarget: Callback = { data, size in
    _ = JSONReader.parse(bytes(data, size), file: "fuzz.json", limits: JSONLimits(maxDepth: 256, maxBytes: 1 << 20))
    return 0
}

/// The device inventory's record: the fuzzed table is read as the MCS pack's `devices`.
let deviceRecord: RecordSchema = {
    let schema = PackLoader.builtInSchema
    guard let i = schema.sectionIndex["devices"] else { fatalError("the MCS schema has no devices section") }
    return schema.sections[i].record
}()

let csvTarget: Callback = { data, size in
    var l = SnapshotLoader(schema: PackLoader.builtInSchema)
    _ = l.loadTable(bytes: bytes(data, size), path: "fuzz.csv", schema: deviceRecord)
    return 0
}

let snapshotTarget: Callback = { data, size in
    var l = SnapshotLoader(schema: PackLoader.builtInSchema)
    if let f = l.loadSnapshot(bytes: bytes(data, size), path: "fuzz.json") {
        // Every located value must resolve to a place inside the input.
        for case .list(let xs)? in f.roots { for case .record(let r) in xs { _ = r.origin.resolved } }
    }
    return 0
}

/// Limits small enough that one run stays fast, with the same checks as the defaults.
let fuzzLimits: WorkbookLimits = {
    var l = WorkbookLimits()
    l.maxPartBytes = 4 << 20
    l.maxTotalBytes = 8 << 20
    l.maxCells = 200_000
    l.maxSharedStrings = 100_000
    return l
}()

/// Appends a row to a sheet that reads; the result must open and read, with the row last.
func appendToSheet(_ wb: Workbook, _ s: SheetInfo) {
    let row: [CellValue] = [.text("fuzz <&>"), .date(year: 2026, month: 11, day: 30), .number(1.5), .bool(true)]
    guard case .success(let out) = wb.appendingRows([row], to: s) else { return }
    guard let again = Workbook.open(bytes: out, file: "fuzz.xlsx", limits: fuzzLimits).0,
        let s2 = again.sheet(named: s.name),
        let ws = again.read(s2).0, let last = ws.rows.last
    else { fatalError("an appended workbook does not read back") }
    if last.cells.first?.text != "fuzz <&>" { fatalError("the appended row is not the last row") }
}

/// Opens a workbook and reads every sheet; every place named must be in the workbook's file.
func readWorkbook(_ b: [UInt8], append: Bool = false) {
    let (wb, diags) = Workbook.open(bytes: b, file: "fuzz.xlsx", limits: fuzzLimits)
    for d in diags where d.location?.file != "fuzz.xlsx" { fatalError("diagnostic outside the workbook: \(d)") }
    guard let wb else { return }
    for s in wb.sheets {
        let (ws, _) = wb.read(s)
        if let ws {
            _ = ws.cellDiagnostics()
            // What the table loader relies on: rows and cells ascending, each cell in its row.
            for (a, b) in zip(ws.rows, ws.rows.dropFirst()) where a.number >= b.number {
                fatalError("rows out of order")
            }
            for r in ws.rows {
                for (a, b) in zip(r.cells, r.cells.dropFirst()) where a.column >= b.column {
                    fatalError("cells out of order")
                }
                for c in r.cells where c.row != r.number || c.column < 1 { fatalError("cell outside its row") }
                _ = r.texts(width: min(ws.columnCount, 64))
            }
            if append && ws.rows.count < 1000 { appendToSheet(wb, s) }
        }
    }
}

let workbookTarget: Callback = { data, size in
    let b = bytes(data, size)
    readWorkbook(b)
    // The facility read from the workbook, as `tenken check clinic.xlsx` reads it.
    var loader = SnapshotLoader(schema: PackLoader.builtInSchema)
    _ = loader.loadWorkbook(bytes: b, path: "fuzz.xlsx")
    for d in loader.diagnostics where d.location?.file != "fuzz.xlsx" {
        fatalError("facility diagnostic outside the workbook: \(d)")
    }
    return 0
}

/// The first byte picks the part the rest replaces: 0 the sheet, 1 the shared strings,
/// 2 the styles, 3 the workbook part, 4 the workbook's relationships.
let sheetTarget: Callback = { data, size in
    let b = bytes(data, size)
    guard let which = b.first else { return 0 }
    let main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    let rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    var parts: [(String, [UInt8])] = [
        (
            "xl/workbook.xml",
            Array(
                ("<workbook xmlns=\"\(main)\" xmlns:r=\"\(rel)\"><sheets><sheet name=\"職員\" sheetId=\"1\" "
                    + "r:id=\"rId1\"/></sheets></workbook>")
                    .utf8)
        ),
        (
            "xl/_rels/workbook.xml.rels",
            Array(
                ("<Relationships "
                    + "xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\"><Relationship "
                    + "Id=\"rId1\" Type=\"\(rel)/worksheet\" Target=\"worksheets/sheet1.xml\"/>"
                    + "<Relationship Id=\"rId2\" Type=\"\(rel)/sharedStrings\" "
                    + "Target=\"sharedStrings.xml\"/><Relationship Id=\"rId3\" Type=\"\(rel)/styles\" "
                    + "Target=\"styles.xml\"/></Relationships>")
                    .utf8)
        ),
        (
            "xl/sharedStrings.xml",
            Array("<sst xmlns=\"\(main)\"><si><t>医師</t></si><si><r><t>a</t></r><rPh><t>b</t></rPh></si></sst>".utf8)
        ),
        (
            "xl/styles.xml",
            Array(
                ("<styleSheet xmlns=\"\(main)\"><numFmts><numFmt numFmtId=\"164\" "
                    + "formatCode=\"yyyy-mm-dd\"/></numFmts><cellXfs><xf numFmtId=\"0\"/><xf numFmtId=\"164\"/><xf "
                    + "numFmtId=\"46\"/></cellXfs></styleSheet>")
                    .utf8)
        ),
        (
            "xl/worksheets/sheet1.xml",
            Array(
                ("<worksheet xmlns=\"\(main)\"><sheetData><row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" "
                    + "s=\"1\"><v>45748</v></c></row></sheetData></worksheet>")
                    .utf8)
        ),
    ]
    let index = [4, 2, 3, 0, 1][Int(which) % 5]
    parts[index].1 = Array(b.dropFirst())
    var z = ZipWriter()
    z.add("[Content_Types].xml", Array("<Types/>".utf8), compress: false)
    for (name, data) in parts { z.add(name, data, compress: false) }
    readWorkbook(z.finish(), append: true)
    return 0
}

/// The embedded pack, loaded and checked once.
let embeddedPack = PackLoader.embedded()
/// The day every fuzz run is judged on (fixed, so a finding reproduces).
let fuzzDay = Day(year: 2026, month: 11, day: 1)!

/// The manifest (`pack.tenken`, for its parameters) without its comments and with one-word
/// reasons: the same declarations in a quarter of the text, parsed again for every input.
let packManifest: (path: String, text: String) = {
    let m = embeddedPack.source.files.first { $0.path.hasSuffix("/pack.tenken") }!
    let lines = m.text.split(separator: "\n").filter { !$0.drop { $0 == " " }.hasPrefix("#") }
        .map { $0.drop { $0 == " " }.hasPrefix("because ") ? "    because \"source\"" : String($0) }
    return (m.path, lines.joined(separator: "\n") + "\n")
}()
/// The catalog's header, and each item's line by its id.
let catalogHeader = embeddedPack.source.catalog!.text.prefix { $0 != "\n" }
let catalogItems: [String: Substring] = Dictionary(
    embeddedPack.source.catalog!.text.split(separator: "\n").dropFirst()
        .map { (String($0.prefix { $0 != "\t" }), $0) }, uniquingKeysWith: { a, _ in a })

/// The catalog ids that occur in `text` as words (letters, digits and `-`), in order, once each.
func catalogIDs(in text: [UInt8]) -> [String] {
    var out: [String] = [], seen = Set<String>(), start = 0
    func isWord(_ b: UInt8) -> Bool {
        (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || b == 0x2D
    }
    for i in 0...text.count where i == text.count || !isWord(text[i]) {
        if i > start, i - start <= 16, let id = String(bytes: text[start..<i], encoding: .ascii),
            catalogItems[id] != nil, seen.insert(id).inserted
        {
            out.append(id)
        }
        start = i + 1
    }
    return out
}

/// The fixture facility rules are evaluated over: `Fixtures/clinic-sakura` (a snapshot with a
/// device inventory), read once from the working directory (scripts/fuzz.sh runs at the root).
let rulesFacility: Facility = {
    guard case .success(let input) = FacilityInput.folder("Fixtures/clinic-sakura", schema: PackLoader.builtInSchema),
        case let (f?, diags) = input.load(
            options: LoadOptions(), pack: embeddedPack, asOf: fuzzDay, wholeStatements: true),
        !diags.contains(where: { $0.severity == .error })
    else { fatalError("Fixtures/clinic-sakura does not load; run from the repository root") }
    return f
}()

/// Rule text → parse → check → evaluate. The pack is the manifest plus the input as one rule
/// file, and a catalog of the items the input names: a pack must implement its whole catalog,
/// so the full catalog would make every input fail the coverage check and stop before
/// evaluation.
let rulesTarget: Callback = { data, size in
    let b = bytes(data, size)
    let text = String(decoding: b, as: UTF8.self)
    let catalog = ([catalogHeader] + catalogIDs(in: b).compactMap { catalogItems[$0] }).joined(separator: "\n") + "\n"
    let source = PackSource(
        files: [packManifest, (path: PackLoader.embeddedRoot + "/rules/fuzz.tenken", text: text)],
        catalog: (path: PackLoader.embeddedRoot + "/catalog.tsv", text: catalog))
    let outcome = Checker.check(source, schema: PackLoader.builtInSchema)
    guard let pack = outcome.pack else {
        if !outcome.diagnostics.contains(where: { $0.severity == .error }) { fatalError("no pack and no error") }
        return 0
    }
    let (result, _) = Engine(pack: pack).evaluate(rulesFacility, asOf: fuzzDay)
    if result.results.count != pack.rules.count { fatalError("a rule without a result") }
    _ = CLI.render(
        .text, ReportInput(result: result, pack: pack, lang: .en, toolVersion: CLI.version),
        textStyle: TextReport(lang: .en))
    return 0
}

/// The embedded pack as `tenken check` checks it.
let checkedPack: CheckedPack = {
    guard let p = Checker.check(embeddedPack.source, schema: PackLoader.builtInSchema).pack else {
        fatalError("the embedded pack does not check")
    }
    return p
}()

/// Snapshot bytes → everything `tenken check` does with them, in memory: load, the pack's
/// provider profile where the snapshot has none, consistency, evaluation, and every report
/// format (text in both languages). The JSON and SARIF reports must read back as JSON.
let pipelineTarget: Callback = { data, size in
    var loader = SnapshotLoader(schema: PackLoader.builtInSchema)
    guard var facility = loader.loadSnapshot(bytes: bytes(data, size), path: "fuzz.json") else { return 0 }
    if let pi = PackLoader.builtInSchema.mechanisms.published?.section, facility.roots[pi] == nil,
        let bundled = embeddedPack.providerProfile
    {
        facility.roots[pi] = bundled.value
        facility.rootLocations[pi] = bundled.location
    }
    loader.append(contentsOf: Consistency.check(facility, asOf: fuzzDay))
    if loader.diagnostics.contains(where: { $0.severity == .error }) { return 0 }
    var (result, diags) = Engine(pack: checkedPack).evaluate(facility, asOf: fuzzDay)
    if diags.contains(where: { $0.severity == .error }) { return 0 }
    if result.results.count != checkedPack.rules.count { fatalError("a rule without a result") }
    result.inputWarnings = (loader.diagnostics + diags).filter { $0.severity == .warning }
    for lang in [Language.ja, .en] {
        let input = ReportInput(result: result, pack: checkedPack, lang: lang, toolVersion: CLI.version)
        _ = CLI.render(.text, input, textStyle: TextReport(lang: lang))
    }
    let input = ReportInput(result: result, pack: checkedPack, lang: .ja, toolVersion: CLI.version)
    for f in ReportFormat.allCases where f != .text {
        let out = CLI.render(f, input, textStyle: TextReport(lang: .ja))
        if f == .json || f == .sarif {
            let (node, errs, _) = JSONReader.parse(
                Array(out.utf8), file: "report", limits: JSONLimits(maxDepth: 256, maxBytes: 1 << 30))
            if node == nil || !errs.isEmpty {
                fatalError("the \(f.rawValue) report is not JSON: \(errs.first.map { "\($0)" } ?? "")")
            }
        }
    }
    return 0
}

let targets: [String: Callback] = [
    "parser": parserTarget, "schema": schemaTarget, "json": jsonTarget, "csv": csvTarget, "snapshot": snapshotTarget,
    "workbook": workbookTarget, "sheet": sheetTarget, "rules": rulesTarget, "pipeline": pipelineTarget,
]
var args = CommandLine.arguments
guard args.count >= 2, let target = targets[args[1]] else {
    FileHandle.standardError.write(
        Data(
            "usage: tenken-fuzz parser|schema|json|csv|snapshot|workbook|sheet|rules|pipeline [libFuzzer options]\n"
                .utf8))
    exit(64)
}
args.remove(at: 1)
guard let sym = dlsym(dlopen(nil, RTLD_NOW), "LLVMFuzzerRunDriver") else {
    FileHandle.standardError.write(Data("libFuzzer is not linked in; build with scripts/fuzz.sh\n".utf8))
    exit(70)
}
let driver = unsafeBitCast(sym, to: Driver.self)
var argc = Int32(args.count)
var argv: [UnsafeMutablePointer<CChar>?] = args.map { strdup($0) } + [nil]
let code = argv.withUnsafeMutableBufferPointer { buf -> Int32 in
    var base = buf.baseAddress
    return driver(&argc, &base, target)
}
exit(code)
