import Foundation
import TenkenAudit
import TenkenReport
import TenkenSyntax
import TenkenWorkbook
import Testing

@testable import TenkenCLI
@testable import TenkenData

/// A facility kept as one Excel workbook: the same verdicts as its CSV and JSON forms, every
/// value carried through `convert` all ways, places as Excel names them, the fill-in workbook
/// `init` writes, and `attest` appending to the 確認 sheet without touching anything else.
@Suite struct WorkbookFacilityTests {
    /// Every fixture (golden reports in every format: `GoldenReportTests`, which has the two
    /// kept as workbooks too).
    static let fixtures = GoldenReportTests.fixtures
    /// Facilities kept as workbooks, and the fixture each was made from (same verdicts).
    static let workbookFixtures = [("clinic-momiji", "messy-tsubaki"), ("pharmacy-kiri", "pharmacy-midori")]

    /// Rule → state, from a JSON report.
    static func states(_ args: [String]) throws -> [String: String] {
        let r = runCLI(["check"] + args + ["--as-of", "2026-11-01", "--format", "json", "--fail-on", "never"])
        #expect(r.code == 0, "\(args): \(r.err)")
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any])
        let results = try #require(doc["results"] as? [[String: Any]])
        return Dictionary(uniqueKeysWithValues: results.map { ($0["rule"] as! String, $0["state"] as! String) })
    }

    static func read(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Every fixture, written as a workbook (Japanese and English sheets), gives the verdicts
    /// of its own form and converts back to the same JSON, byte for byte.
    @Test(arguments: fixtures)
    func everyFixtureAsAWorkbookKeepsItsVerdictsAndValues(_ fixture: String) throws {
        let dir = tempDir("wb-\(fixture)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let original = try Self.states(["Fixtures/\(fixture)"])
        #expect(runCLI(["convert", "Fixtures/\(fixture)", "--to", "json", dir + "/a.json"]).code == 0)
        for lang in ["ja", "en"] {
            let book = "\(dir)/\(fixture).\(lang).xlsx"
            let w = runCLI(["convert", "Fixtures/\(fixture)", "--to", "xlsx", book, "--lang", lang])
            #expect(w.code == 0, "\(w.err)")
            #expect(try Self.states([book]) == original, "\(fixture) as a workbook (\(lang)) changed a verdict")
            // workbook → JSON is the JSON the fixture converts to; workbook → tables → JSON too.
            #expect(runCLI(["convert", book, "--to", "json", dir + "/b.\(lang).json"]).code == 0)
            #expect(
                try Self.read(dir + "/a.json") == Self.read(dir + "/b.\(lang).json"),
                "\(fixture): JSON → xlsx → JSON lost something (\(lang))")
            #expect(runCLI(["convert", book, "--to", "csv", dir + "/t.\(lang)", "--lang", lang]).code == 0)
            #expect(runCLI(["convert", dir + "/t.\(lang)", "--to", "json", dir + "/c.\(lang).json"]).code == 0)
            #expect(
                try Self.read(dir + "/a.json") == Self.read(dir + "/c.\(lang).json"),
                "\(fixture): xlsx → tables → JSON lost something (\(lang))")
            // tables → workbook → tables gives the same files.
            #expect(runCLI(["convert", dir + "/t.\(lang)", "--to", "xlsx", dir + "/t.\(lang).xlsx"]).code == 0)
            #expect(
                runCLI(["convert", dir + "/t.\(lang).xlsx", "--to", "csv", dir + "/u.\(lang)", "--lang", lang]).code
                    == 0)
            let names = try FileManager.default.contentsOfDirectory(atPath: dir + "/t.\(lang)").sorted()
            #expect(names == (try FileManager.default.contentsOfDirectory(atPath: dir + "/u.\(lang)").sorted()))
            for n in names {
                #expect(
                    try Self.read("\(dir)/t.\(lang)/\(n)") == Self.read("\(dir)/u.\(lang)/\(n)"),
                    "\(fixture) \(n): tables → xlsx → tables")
            }
        }
    }

    /// `--snapshot` tells a workbook, a folder and a JSON file apart as the positional
    /// argument does (one shared function), in `check` and in `explain`: a workbook named by
    /// `--snapshot` is read as a workbook, not as JSON.
    @Test func snapshotOptionReadsAWorkbookAsThePositionalDoes() throws {
        let dir = tempDir("wb-snapshot-option").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let book = dir + "/clinic.xlsx"
        let w = runCLI(["convert", "Fixtures/clinic-sakura", "--to", "xlsx", book])
        #expect(w.code == 0, "\(w.err)")
        let original = try Self.states(["Fixtures/clinic-sakura"])
        #expect(try Self.states([book]) == original)
        #expect(try Self.states(["--snapshot", book]) == original)
        #expect(try Self.states(["--snapshot", "Fixtures/clinic-sakura"]) == original)
        // A folder or a workbook named by --snapshot is a whole facility: beside a folder it is
        // refused, naming both, never judged in its place (the folder's rows, a "no" statement
        // among them, would vanish) nor as its snapshot with the folder's statements.
        for (folder, other) in [
            ("Fixtures/clinic-kaede", "Fixtures/clinic-sakura"), ("Fixtures/clinic-sakura", "Fixtures/clinic-kaede"),
            ("Fixtures/clinic-kaede", book),
        ] {
            for command in [["check"], ["explain", "no-written-credentials"]] {
                let both = runCLI(command + [folder, "--snapshot", other, "--as-of", "2026-11-01"])
                #expect(both.code == 64, "\(command) \(folder) --snapshot \(other): \(both.out.prefix(300))")
                #expect(
                    both.err.contains("`\(folder)` and `--snapshot \(other)` both name a whole facility")
                        && both.err.contains("--snapshot takes a JSON snapshot only"), "\(both.err)")
                #expect(both.out.isEmpty)
            }
        }
        // A JSON snapshot beside a folder is still taken, in place of the folder's own.
        #expect(
            try Self.states(["Fixtures/clinic-sakura", "--snapshot", "Fixtures/clinic-sakura/snapshot.json"])
                == original)
        let asOf = ["--as-of", "2026-11-01", "--lang", "en"]
        let positional = runCLI(["explain", "no-written-credentials", book] + asOf)
        let option = runCLI(["explain", "no-written-credentials", "--snapshot", book] + asOf)
        #expect(positional.code == 0 && option.code == 0, "\(option.err)")
        #expect(option.out == positional.out && !option.out.isEmpty)
        // One table is not a facility, by either route.
        let table = runCLI(["check", "--snapshot", "Fixtures/clinic-kaede/staff.csv", "--as-of", "2026-11-01"])
        #expect(table.code == 64 && table.err.contains("is one table"), "\(table.err)")
    }

    /// The fixtures kept as workbooks (one saved by LibreOffice with Japanese sheets and a
    /// person's own coloured sheet, one built by openpyxl with English sheets, real dates and
    /// booleans) judge as the facilities they were made from.
    @Test(arguments: workbookFixtures)
    func workbookFixturesJudgeAsTheirSources(_ pair: (String, String)) throws {
        #expect(try Self.states(["Fixtures/\(pair.0)"]) == Self.states(["Fixtures/\(pair.1)"]))
    }

    /// Findings name the sheet, the cell and its header; SARIF names them as logical
    /// locations (a workbook has no lines of text).
    @Test func findingsAreLocatedAsExcelNamesTheCell() throws {
        let text = runCLI(["check", "Fixtures/clinic-momiji/momiji.xlsx", "--as-of", "2026-11-01", "--lang", "en"])
        #expect(text.code == 1)
        #expect(text.out.contains("(Fixtures/clinic-momiji/momiji.xlsx [職員] D3 [退職日])"), "\(text.out.prefix(2000))")
        let sarif = runCLI([
            "check", "Fixtures/clinic-momiji/momiji.xlsx", "--as-of", "2026-11-01", "--format", "sarif",
        ]).out
        #expect(sarif.contains("\"fullyQualifiedName\": \"職員!D3\""))
        #expect(sarif.contains("\"fullyQualifiedName\": \"職員!D3[退職日]\""))
        #expect(!sarif.contains("\"startLine\""), "no text region in a binary file")
        let json = runCLI(["check", "Fixtures/clinic-momiji/momiji.xlsx", "--as-of", "2026-11-01", "--format", "json"])
            .out
        #expect(json.contains("\"sheet\": \"職員\"") && json.contains("\"cell\": \"D3\""))
    }

    /// A bad cell is an error at its cell with its header, as in a CSV table; a renamed sheet
    /// is named and its table is missing; an English header on a Japanese sheet reads; a date
    /// typed as text reads as a date; cells right of the header are warned about, not read.
    @Test func aNewUsersMistakesAreLocated() throws {
        let dir = tempDir("wb-mistakes").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let book = dir + "/clinic.xlsx"
        #expect(runCLI(["init", book]).code == 0)
        let wb = try #require(Workbook.open(bytes: Array(try Self.read(book)), file: book).0)
        // Rebuild the workbook with the edits a person makes, through the writer.
        func sheet(_ name: String) throws -> [[CellValue]] {
            let info = try #require(wb.sheet(named: name))
            let ws = try #require(wb.read(info).0)
            return ws.rows.map { r in r.texts(width: ws.columnCount).map { $0.isEmpty ? CellValue.empty : .text($0) } }
        }
        var staff = try sheet("職員")
        staff[0][2] = .text("hired_on")  // an English header on a Japanese sheet
        staff[1][2] = .text("2024/4/1")  // a date typed as text
        staff[1][4] = .text("たぶん")  // not a yes/no
        staff[1] += [.empty, .empty, .empty, .empty, .empty, .text("メモ")]  // right of the header
        var sheets: [SheetSpec] = []
        for info in wb.sheets where info.visibility == .visible && info.name != "説明" {
            let rows = info.name == "職員" ? staff : try sheet(info.name)
            let name = info.name == "ネットワーク" ? "ネットワーク一覧" : info.name  // a renamed tab
            sheets.append(
                .table(
                    name,
                    columns: rows[0].map {
                        if case .text(let h) = $0 { ColumnSpec(header: h) } else { ColumnSpec(header: "") }
                    }, rows: Array(rows.dropFirst())))
        }
        let bytes = try WorkbookWriter.write(sheets).get()
        try Data(bytes).write(to: URL(fileURLWithPath: book))
        let r = runCLI(["check", book, "--as-of", "2026-11-01", "--lang", "en"])
        #expect(r.code == 2)
        #expect(r.err.contains("clinic.xlsx [職員] E2 [MCS利用]: error[data.type-mismatch]"), "\(r.err)")
        #expect(
            r.err.contains("clinic.xlsx [ネットワーク一覧]: warning[data.unknown-sheet]")
                && r.err.contains("name the sheet `ネットワーク`"), "\(r.err)")
        #expect(r.err.contains("warning[data.cell-outside-table]"), "\(r.err)")
        #expect(!r.err.contains("[hired_on]"), "the English header and the text date read: \(r.err)")
        #expect(!r.err.contains("タブン") && !r.err.contains("たぶん"), "no cell value is quoted")
    }

    /// `.xls`, `.ods` and a text file named `.xlsx`, given to every command that reads a
    /// facility, are refused with what to do; batch lists them as failed facilities.
    @Test func otherSpreadsheetFilesAreRefusedByEveryCommand() throws {
        let corpus = "Fixtures/invalid/workbooks"
        let dir = tempDir("wb-other").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The corpus's OpenDocument file from LibreOffice, under the name a person gives it.
        try FileManager.default.copyItem(atPath: "\(corpus)/opendocument-named.xlsx", toPath: dir + "/clinic.ods")
        for (path, id, words) in [
            ("\(corpus)/legacy.xls", "workbook.legacy-xls", "save it as .xlsx"),
            (dir + "/clinic.ods", "workbook.not-xlsx", "OpenDocument"),
        ] {
            for args in [["check", path], ["explain", "vpn", path], ["convert", path, "--to", "json"]] {
                let r = runCLI(args)
                #expect(r.code == 2, "\(args): \(r.err)")
                #expect(r.err.contains("error[\(id)]") && r.err.contains(words), "\(args): \(r.err)")
            }
            let a = runCLI(["attest", path, "--answers", "Fixtures/clinic-kaede/attestations.csv"])
            #expect(a.code == 2 && a.err.contains("error[\(id)]"), "\(a.err)")
        }
        let i = runCLI(["init", dir + "/never.xls"])
        #expect(i.code == 64 && i.err.contains(".xlsx"))
        try FileManager.default.removeItem(atPath: dir + "/clinic.ods")
        try FileManager.default.copyItem(atPath: "\(corpus)/legacy.xls", toPath: dir + "/old.xls")
        try FileManager.default.copyItem(atPath: "Fixtures/pharmacy-kiri/kiri.xlsx", toPath: dir + "/kiri.xlsx")
        try Data("owner".utf8).write(to: URL(fileURLWithPath: dir + "/~$kiri.xlsx"))
        let b = runCLI(["batch", dir, "--output-dir", dir + "-out", "--as-of", "2026-11-01"])
        defer { try? FileManager.default.removeItem(atPath: dir + "-out") }
        let agg = try String(contentsOfFile: dir + "-out/aggregate.json", encoding: .utf8)
        #expect(agg.contains("F-PH-0012"), "the workbook is a facility of the batch: \(b.err)")
        #expect(agg.contains("workbook.legacy-xls"), "the .xls is a failed facility, named")
    }

    /// A workbook and tables (or a snapshot) in one folder are two accounts of one facility:
    /// refused when read, and never made by `convert` or `init`.
    @Test func aWorkbookBesideTablesIsAmbiguous() throws {
        let dir = try fixtureCopy("clinic-kaede", tag: "wb-ambiguous")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let into = runCLI(["convert", dir.path, "--to", "xlsx", dir.path + "/kaede.xlsx"])
        #expect(into.code == 2 && into.err.contains("input facility folder"), "\(into.err)")
        try FileManager.default.copyItem(atPath: "Fixtures/pharmacy-kiri/kiri.xlsx", toPath: dir.path + "/kiri.xlsx")
        let r = runCLI(["check", dir.path, "--as-of", "2026-11-01"])
        #expect(r.code == 2 && r.err.contains("data.ambiguous-input") && r.err.contains("kiri.xlsx"), "\(r.err)")
        let other = tempDir("wb-ambiguous-out").path
        defer { try? FileManager.default.removeItem(atPath: other) }
        try FileManager.default.copyItem(atPath: "Fixtures/pharmacy-kiri/kiri.xlsx", toPath: other + "/kiri.xlsx")
        let tables = runCLI(["convert", "Fixtures/clinic-sakura", "--to", "csv", other])
        #expect(tables.code == 2 && tables.err.contains("holds the workbook kiri.xlsx"), "\(tables.err)")
        let initInto = runCLI(["init", other])
        #expect(initInto.code == 2 && initInto.err.contains("holds the workbook kiri.xlsx"), "\(initInto.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: other) == ["kiri.xlsx"])
    }

    /// `init clinic.xlsx`: 説明 first, a sheet per table with its Japanese header frozen, an
    /// input message on every header, a drop-down on every choice and yes/no column, dates
    /// as dates, one example row; it checks without errors and never overwrites.
    @Test func initWritesAWorkbookToFillIn() throws {
        let dir = tempDir("wb-init").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let book = dir + "/clinic.xlsx"
        let r = runCLI(["init", book, "--kind", "clinic"])
        #expect(r.code == 0, "\(r.err)")
        let bytes = Array(try Self.read(book))
        let wb = try #require(Workbook.open(bytes: bytes, file: book).0)
        #expect(wb.sheets.first?.name == "説明")
        for t in PackLoader.builtInSchema.tables {
            let info = try #require(wb.sheet(named: t.nameJa), "no sheet \(t.nameJa)")
            let ws = try #require(wb.read(info).0)
            let header = ws.rows[0].texts(width: ws.columnCount)
            #expect(header == t.columns.map { $0.aliases.first ?? $0.name }, "\(t.nameJa): Japanese headers")
            #expect(ws.rows.count >= 2, "\(t.nameJa): an example row")
            let sheetPart = try #require(info.part)
            let xml = String(decoding: try wb.archive.contents(ofEntryNamed: sheetPart).get(), as: UTF8.self)
            #expect(xml.contains("state=\"frozen\""), "\(t.nameJa): header frozen")
            guard case .profile = t.shape else {
                for (i, c) in t.columns.enumerated() {
                    let col = SourceLocation.columnLetters(i + 1)
                    var type = c.type
                    if case .list = type { continue }
                    if case .enumeration = type {} else if case .bool = type {} else { type = .string }
                    if case .string = type { continue }
                    #expect(xml.contains("sqref=\"\(col)2:\(col)1048576\""), "\(t.nameJa) \(c.name): drop-down")
                }
                for (i, c) in t.columns.enumerated() {
                    if case .date = c.type, let cell = ws.rows[1].cell(column: i + 1) {
                        #expect(cell.kind == .date, "\(t.nameJa) \(c.name): a date")
                    }
                }
                continue
            }
            #expect(xml.contains("<dataValidation") && xml.contains("はい"), "facility: per-row drop-downs")
        }
        let c = runCLI(["check", book, "--as-of", "2026-11-01"])
        #expect(c.code != 2, "\(c.err)")
        #expect(runCLI(["init", book]).code == 2, "never overwrites")
        #expect(try Array(Self.read(book)) == bytes)
    }

    /// `attest clinic.xlsx` appends the answers to the 確認 sheet and copies every other
    /// part byte for byte (a person's own sheet and colours, saved by LibreOffice); a program
    /// saving the workbook in between keeps its change; an open workbook is refused.
    @Test func attestAppendsToTheAttestationSheetOnly() throws {
        let dir = try fixtureCopy("clinic-momiji", tag: "wb-attest")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let book = dir.appendingPathComponent("momiji.xlsx").path
        let before = Array(try Self.read(book))
        let answers = dir.path + "-answers.csv"
        try writeText("item,answer,by_role,by\nno-written-credentials,yes,operations-lead,S-1\n", answers)
        try Data("owner".utf8).write(to: URL(fileURLWithPath: dir.path + "/~$momiji.xlsx"))
        let open = runCLI(["attest", book, "--answers", answers, "--as-of", "2026-11-01"])
        #expect(open.code == 2 && open.err.contains("attest.workbook-open"), "\(open.err)")
        #expect(try Array(Self.read(book)) == before)
        try FileManager.default.removeItem(atPath: dir.path + "/~$momiji.xlsx")
        let r = runCLI(["attest", book, "--answers", answers, "--as-of", "2026-11-01", "--lang", "en"])
        #expect(r.code == 0, "\(r.err)")
        let old = try #require(ZipArchive.open(before, file: book).0),
            new = try #require(ZipArchive.open(Array(try Self.read(book)), file: book).0)
        let wb = try #require(Workbook.open(bytes: Array(try Self.read(book)), file: book).0)
        let part = try #require(wb.sheet(named: "確認")?.part)
        #expect(old.entries.map(\.name) == new.entries.map(\.name))
        for e in old.entries where e.name != part {
            let same = try #require(new.entry(named: e.name))
            #expect(try old.contents(of: e).get() == new.contents(of: same).get(), "\(e.name) changed")
        }
        let attestations = try #require(wb.sheet(named: "確認"))
        let ws = try #require(wb.read(attestations).0)
        let last = ws.rows.last!.texts(width: ws.columnCount)
        #expect(last[0] == "no-written-credentials" && last[1] == "はい" && last[4] == "2026-11-01", "\(last)")
        #expect(ws.rows.last!.cell(column: 5)?.kind == .date, "the date is a date")
        // The answer counts at the next check.
        #expect(try Self.states([book])["no-written-credentials"] == "attested")
    }

    /// A workbook without a 確認 sheet is refused before any question, saying what to add; a
    /// blank 確認 sheet gets the header row with the first answer.
    @Test func attestNeedsAnAttestationSheet() throws {
        let dir = tempDir("wb-attest-sheet").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        #expect(runCLI(["init", dir + "/clinic.xlsx"]).code == 0)
        let wb = try #require(Workbook.open(bytes: Array(try Self.read(dir + "/clinic.xlsx")), file: "clinic.xlsx").0)
        func rebuilt(attestations: SheetSpec?) throws -> [UInt8] {
            var sheets: [SheetSpec] = []
            for info in wb.sheets where info.visibility == .visible && info.name != "説明" && info.name != "確認" {
                let ws = try #require(wb.read(info).0)
                let rows = ws.rows.map { r in
                    r.texts(width: ws.columnCount).map { $0.isEmpty ? CellValue.empty : .text($0) }
                }
                sheets.append(
                    .table(
                        info.name,
                        columns: rows[0].map {
                            if case .text(let h) = $0 { ColumnSpec(header: h) } else { ColumnSpec(header: "") }
                        },
                        rows: Array(rows.dropFirst())))
            }
            return try WorkbookWriter.write(sheets + (attestations.map { [$0] } ?? [])).get()
        }
        try writeText(
            "item,answer,by_role,by\nno-written-credentials,yes,operations-lead,S-001\n", dir + "/answers.csv")
        try Data(try rebuilt(attestations: nil)).write(to: URL(fileURLWithPath: dir + "/none.xlsx"))
        let none = runCLI(["attest", dir + "/none.xlsx", "--answers", dir + "/answers.csv", "--as-of", "2026-11-01"])
        #expect(
            none.code == 2 && none.err.contains("data.missing-table") && none.err.contains("add a sheet named 確認"),
            "\(none.err)")
        try Data(try rebuilt(attestations: .guide("確認", []))).write(to: URL(fileURLWithPath: dir + "/blank.xlsx"))
        let blank = runCLI(["attest", dir + "/blank.xlsx", "--answers", dir + "/answers.csv", "--as-of", "2026-11-01"])
        #expect(blank.code == 0, "\(blank.err)")
        #expect(try Self.states([dir + "/blank.xlsx"])["no-written-credentials"] == "attested")
    }

    /// Excel (which takes no lock) saves the workbook between tenken's read and its rename:
    /// tenken sees it at the last look and appends to what Excel saved.
    @Test func aWorkbookSavedInBetweenKeepsItsChange() throws {
        let dir = try fixtureCopy("clinic-momiji", tag: "wb-excel")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let book = dir.appendingPathComponent("momiji.xlsx").path
        final class Once: @unchecked Sendable { var done = false }
        let once = Once()
        AttestationLog.beforeLastLook = { path in
            guard path == book, !once.done else { return }
            once.done = true
            let current = (try? readInput(path, maxBytes: 1 << 30, binary: true).get()) ?? []
            let row: [String: Value] = [
                "item": .string("no-credential-sharing"), "answer": .string("yes"),
                "by_role": .string("operations-lead"),
                "by": .string("S-1"), "signed_on": .date(Day(year: 2026, month: 10, day: 30)!),
            ]
            if let table = PackLoader.builtInSchema.table("attestations"),
                let record = PackLoader.builtInSchema.records["attestation"],
                case .success(let b) = WorkbookTables.appendingRows(
                    to: current, file: path, tables: PackLoader.builtInSchema, table: table,
                    schema: record, rows: [row], japanese: true)
            {
                try? Data(b).write(to: URL(fileURLWithPath: path), options: .atomic)
            }
        }
        defer { AttestationLog.beforeLastLook = nil }
        try writeText(
            "item,answer,by_role,by\nno-written-credentials,yes,operations-lead,S-1\n", dir.path + "-answers.csv")
        let r = runCLI(["attest", book, "--answers", dir.path + "-answers.csv", "--as-of", "2026-11-01"])
        #expect(r.code == 0, "\(r.err)")
        #expect(once.done)
        let wb = try #require(Workbook.open(bytes: Array(try Self.read(book)), file: book).0)
        let attestations = try #require(wb.sheet(named: "確認"))
        let ws = try #require(wb.read(attestations).0)
        let items = ws.rows.suffix(2).map { $0.texts(width: 1)[0] }
        #expect(items == ["no-credential-sharing", "no-written-credentials"], "the program's row, then ours")
    }

    /// Killed at any moment while saving, attest leaves the old workbook or the new one,
    /// whole: never a half-written file, never a lost row.
    @Test func killedDuringAttestNothingIsLost() throws {
        let dir = try fixtureCopy("clinic-momiji", tag: "wb-kill")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let book = dir.appendingPathComponent("momiji.xlsx").path
        let before = Array(try Self.read(book))
        try writeText(
            "item,answer,by_role,by\nno-written-credentials,yes,operations-lead,S-1\n", dir.path + "-answers.csv")
        for delay in [0, 20_000, 60_000, 120_000, 250_000] {
            let p = try spawnTenken([
                "attest", book, "--answers", dir.path + "-answers.csv", "--as-of", "2026-11-01", "--same-day",
            ])
            usleep(useconds_t(delay))
            kill(p.processIdentifier, SIGKILL)
            waitFor(p)
            let now = Array(try Self.read(book))
            let wb = Workbook.open(bytes: now, file: book).0
            #expect(wb != nil, "the workbook opens after a kill at \(delay) µs")
            if let wb, let ws = wb.read(wb.sheet(named: "確認")!).0 {
                #expect(now == before || ws.rows.last?.texts(width: 1) == ["no-written-credentials"])
            }
        }
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { !$0.hasPrefix(".") }.sorted() == [
                "momiji.xlsx"
            ], "nothing left beside it")
    }
}
