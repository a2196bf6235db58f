import Foundation
import Testing

@testable import TenkenData
@testable import TenkenSyntax

struct LoaderTests {
    func load(_ json: String) -> (Facility?, [Diagnostic]) {
        var l = SnapshotLoader(schema: TestSchema.mcs)
        let f = l.loadSnapshot(bytes: Array(json.utf8), path: "s.json")
        return (f, l.diagnostics)
    }

    @Test func typedValuesWithProvenance() throws {
        let (f, d) = load(
            """
            {"schema_version": 1,
             "staff": [{"id": "S-1", "job": "nurse", "hired_on": "2024-02-29", "training_dates": ["2025-01-01"]}],
             "devices": [{"id": "D-1", "screen_lock_minutes": 5}, {"id": "D-2", "screen_lock_minutes": "2 hours"}]}
            """)
        #expect(d.isEmpty)
        guard case .list(let staff)? = f?[root: "staff"], case .record(let s) = staff[0] else {
            Issue.record("staff"); return
        }
        #expect(s["hired_on"] == .date(Day(iso: "2024-02-29")!))
        let loc = s.location(ofField: TestSchema.record("staff_member").index["hired_on"]!)
        #expect(loc.path == "/staff/0/hired_on")
        #expect(loc.line == 2)
        #expect(loc.column == 54)
        guard case .list(let devs)? = f?[root: "devices"], case .record(let d2) = devs[1] else {
            Issue.record("devices"); return
        }
        #expect(d2["screen_lock_minutes"] == .duration(Duration(120, .minutes)!))
        #expect(f?[root: "networks"] == nil)
    }

    @Test(arguments: [
        ("{\"schema_version\": 1, \"staff\": [{\"hired_on\": \"2023-02-30\"}]}", "data.bad-date", "/staff/0/hired_on"),
        (
            "{\"schema_version\": 1, \"staff\": [{\"hired_on\": \"2023-04-01T09:00:00+09:00\"}]}", "data.bad-date",
            "/staff/0/hired_on"
        ),
        ("{\"schema_version\": 1, \"staff\": [{\"uses_mcs\": \"yes\"}]}", "data.type-mismatch", "/staff/0/uses_mcs"),
        ("{\"schema_version\": 1, \"facility\": {\"beds\": 1e3}}", "data.number-out-of-range", "/facility/beds"),
        (
            "{\"schema_version\": 1, \"facility\": {\"beds\": 99999999999999999999}}", "data.number-out-of-range",
            "/facility/beds"
        ),
        (
            "{\"schema_version\": 1, \"networks\": [{\"encryption\": \"WPA2_AES\"}]}", "data.bad-value",
            "/networks/0/encryption"
        ),
        (
            "{\"schema_version\": 1, \"devices\": [{\"screen_lock_minutes\": -5}]}", "data.negative-duration",
            "/devices/0/screen_lock_minutes"
        ),
        ("{\"schema_version\": 1, \"staff\": {}}", "data.type-mismatch", "/staff"),
        ("{\"schema_version\": 2}", "data.unknown-schema-version", "/schema_version"),
        ("{\"staff\": []}", "data.missing-schema-version", ""),
        (
            "{\"schema_version\": 1, \"accounts\": [{\"id\": \"A\", \"password\": \"hunter2\"}]}",
            "data.forbidden-field", "/accounts/0"
        ),
        (
            "{\"schema_version\": 1, \"patients\": [{\"id\": \"P\", \"name\": \"山田太郎\"}]}", "data.forbidden-field",
            "/patients/0"
        ),
        ("[]", "data.type-mismatch", ""),
    ])
    func errorsAreLocatedByPointer(_ json: String, _ id: String, _ pointer: String) {
        let (_, d) = load(json)
        let hit = d.first { $0.severity == .error }
        #expect(hit?.id == id, "\(d)")
        #expect(hit?.location?.path == pointer)
    }

    @Test func secretsAndNamesAreNeverEchoed() {
        let (_, d) = load(
            "{\"schema_version\": 1, \"accounts\": [{\"id\": \"A\", \"password\": \"hunter2\"}], \"patients\": "
                + "[{\"name\": \"山田太郎\"}]}"
        )
        let all = d.map { $0.description + ($0.help ?? "") }.joined()
        #expect(!all.contains("hunter2"))
        #expect(!all.contains("山田"))
    }

    @Test func unknownFieldsWarnWithASuggestion() {
        let (f, d) = load("{\"schema_version\": 1, \"staff\": [{\"id\": \"S\", \"hired_onn\": \"2024-01-01\"}]}")
        #expect(f != nil)
        #expect(d.map(\.id) == ["data.unknown-field"])
        #expect(d.first?.severity == .warning)
        #expect(d.first?.help == "did you mean `hired_on`?")
        // A date under a key not read may be a left-out field whose blank has a meaning: those
        // read as unknown in that element, and the warning says which.
        #expect(d.first?.message.contains("it may hold `left_on`") == true, "\(d.first?.message ?? "")")
        if case .list(let staff)? = f?[root: "staff"], case .record(let s)? = staff.first {
            #expect(s["left_on"].isUnknown && s["hired_on"].isNull)
        } else {
            Issue.record("no staff element")
        }
        // Near a field whose blank has a meaning ("not signed"), a misspelling is an error: the
        // meaning would otherwise be taken silently.
        let (_, d2) = load("{\"schema_version\": 1, \"staff\": [{\"id\": \"S\", \"pledge_signed\": \"2024-01-01\"}]}")
        #expect(d2.first?.severity == .error && d2.first?.help == "did you mean `pledge_signed_on`?")
    }

    @Test func errorsAreCollectedNotStopAtFirst() {
        let (_, d) = load(
            """
            {"schema_version": 1, "staff": [{"hired_on": "x"}, {"hired_on": "2023-02-29"}, {"uses_mcs": 1}]}
            """)
        #expect(d.filter { $0.severity == .error }.count == 3)
    }

    @Test func inventoryCSVWithJapaneseHeadersAndExcelValues() throws {
        let csv =
            "\u{FEFF}端末ID,端末種別,画面ロック(分),ウイルス対策,OS更新日,謎の列\r\nPC-1,pc,5,○,2026/4/1,x\r\nPC-2,tablet,abc,はい,2026-02-30,y"
            + "\r\n"
        var l = SnapshotLoader(schema: TestSchema.mcs)
        let v = l.loadTable(bytes: Array(csv.utf8), path: "d.csv", schema: TestSchema.record("device"))
        guard case .list(let rows)? = v, case .record(let r) = rows[0] else { Issue.record("rows"); return }
        #expect(r["antimalware"] == .bool(true))
        #expect(r["os_updated_on"] == .date(Day(iso: "2026-04-01")!))
        let loc = r.location(ofField: TestSchema.record("device").index["screen_lock_minutes"]!)
        #expect(loc.line == 2 && loc.column == 9 && loc.path == "画面ロック(分)")
        let ds = l.diagnostics.filter { $0.id != "data.missing-column" }
        #expect(ds.map(\.id) == ["data.unknown-column", "data.bad-duration", "data.bad-date"])
        #expect(ds[1].location?.line == 3)
        #expect(ds[1].location?.path == "画面ロック(分)")
        // Columns the table does not have are unknown in every row, and said so once.
        #expect(l.diagnostics.filter { $0.id == "data.missing-column" }.count == 1)
        #expect(r["returned_on"].isUnknown && r["screen_lock_minutes"] == .duration(Duration(5, .minutes)!))
    }

    /// Choice columns take the Japanese word or the English value; a mistake lists both.
    @Test func choicesInJapanese() throws {
        let csv = "端末ID,端末種別,状態,施設外接続\nPC-1,パソコン,使用中,携帯回線\nPC-2,tablet,active,none\nPC-3,ノートPC,使用中,none\n"
        var l = SnapshotLoader(schema: TestSchema.mcs)
        guard
            case .list(let rows)? = l.loadTable(
                bytes: Array(csv.utf8), path: "d.csv", schema: TestSchema.record("device")),
            case .record(let a) = rows[0], case .record(let b) = rows[1]
        else { Issue.record("rows"); return }
        #expect(
            a["kind"] == .string("pc") && a["status"] == .string("active")
                && a["offsite_connection"] == .string("cellular"))
        #expect(b["kind"] == .string("tablet") && b["offsite_connection"] == .string("none"))
        let ds = l.diagnostics.filter { $0.id != "data.missing-column" }
        #expect(ds.count == 1)
        #expect(
            ds.first?.message
                == "expected one of pc (パソコン), tablet (タブレット), smartphone (スマートフォン), found text of 5 characters")
        #expect(ds.first?.location?.description == "d.csv:4:6 [端末種別]")
    }

    @Test func trimmingKeepsInnerSpacesAndDropsUnicodeOnes() {
        #expect(CellText.trimmed("\u{3000} 端末ID\t\u{3000}") == "端末ID")
        #expect(CellText.trimmed(" a b ") == "a b")
        #expect(CellText.trimmed("\u{3000}") == "")
        #expect(CellText.trimmed("見直し日") == "見直し日")
        #expect(CellText.trimmed("x\u{3000}y") == "x\u{3000}y")
        #expect(CellText.trimmed("\u{00A0}S-006\u{2003}\u{200B}\u{FEFF}") == "S-006")
    }

    @Test func cellsAreCleanedAsAPersonReadsThem() {
        #expect(CellText.clean("S-006\u{3000}").text == "S-006")
        #expect(CellText.clean("\u{00A0}S-006 ").text == "S-006")
        // NFD (as macOS saves names) becomes NFC: が = か + U+3099.
        #expect(Array(CellText.clean("か\u{3099}").text.unicodeScalars) == Array("が".unicodeScalars))
        #expect(CellText.clean("a\u{1B}]0;x\u{07}").refused == "\u{1B}")
        #expect(CellText.clean("S-0\n06").refused == "\n")
        #expect(CellText.clean("x\u{202E}y").refused == "\u{202E}")
        #expect(CellText.clean("S-0\u{200B}06").refused == "\u{200B}")
        #expect(CellText.clean("普通の文字列").refused == nil)
        #expect(CellText.describe("\u{1B}") == "U+001B (escape)")
    }

    /// Ids are read as a person reads them: an id typed with the IME on joins the same row.
    @Test func identifiersFoldWidthAndDashes() {
        #expect(CellText.identifier("Ｆ‐CARE−０００９") == "F-CARE-0009")
        #expect(CellText.identifier("S-006") == "S-006")
        var l = SnapshotLoader(schema: TestSchema.mcs)
        let f = l.loadSnapshot(
            bytes: Array(
                ("{\"schema_version\": 1, \"consents\": [{\"id\": \"C-1\", \"refusals\": [{\"clause\": \"第3項\", "
                    + "\"party\": \"Ｆ‐CARE-0009\"}]}]}")
                    .utf8), path: "s.json")
        guard case .list(let cs)? = f?[root: "consents"], case .record(let c)? = cs.first,
            case .list(let rs) = c["refusals"],
            case .record(let r)? = rs.first
        else { Issue.record("no refusal"); return }
        #expect(r["party"] == .string("F-CARE-0009"))
        // Free text keeps what was written.
        #expect(r["clause"] == .string("第3項"))
    }

    @Test func excelDateTimesGetAHint() {
        var l = SnapshotLoader(schema: TestSchema.mcs)
        _ = l.loadTable(
            bytes: Array("id,OS更新日\nPC-1,2025/4/1 0:00\n".utf8), path: "d.csv", schema: TestSchema.record("device"))
        let bad = l.diagnostics.first { $0.id != "data.missing-column" }
        #expect(bad?.id == "data.bad-date")
        #expect(bad?.help == "dates carry no time; format the column as a date, or keep only the date before the space")
    }

    @Test func csvRefusesPasswordColumns() {
        var l = SnapshotLoader(schema: TestSchema.mcs)
        _ = l.loadTable(
            bytes: Array("id,パスワード\nPC-1,secret123\n".utf8), path: "d.csv", schema: TestSchema.record("device"))
        #expect(l.diagnostics.first?.id == "data.forbidden-field")
        #expect(!l.diagnostics.map(\.description).joined().contains("secret123"))
    }
}

/// A large file that is not text is refused from its first 4 KiB, before the rest is read:
/// a 2 GB sparse file took minutes and 2 GB of memory to be told byte 0 was invalid.
struct SniffTests {
    func scratch(_ name: String) -> String {
        NSTemporaryDirectory() + "tenken-sniff-\(UInt32.random(in: 0...UInt32.max))-" + name
    }

    @Test func aLargeFileOfNULsIsRefusedUnread() throws {
        let path = scratch("zeros.json")
        defer { unlink(path) }
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        #expect(fd >= 0)
        // Sparse: 2 GiB that would be read whole (and cost 2 GiB of memory) without the sniff.
        #expect(ftruncate(fd, 2 << 30) == 0)
        close(fd)
        let read = readInput(path, maxBytes: 3 << 30)
        guard case .failure(let d) = read else { Issue.record("a 2 GiB sparse file was read"); return }
        #expect(
            d.id == "data.not-text" && d.location?.line == 1 && d.location?.column == 1, "\(d)")
    }

    @Test func theSniffNamesThePlaceAndLeavesUTF16ToTheParsers() throws {
        // Text, then a NUL on line 3: refused at its place.
        let path = scratch("late.csv")
        defer { unlink(path) }
        var text = Array("id,name\nD-1,x\nab".utf8) + [0] + Array(repeating: UInt8(ascii: "a"), count: 2 << 20)
        #expect(FileManager.default.createFile(atPath: path, contents: Data(text)))
        guard case .failure(let d) = readInput(path, maxBytes: 16 << 20) else {
            Issue.record("a NUL on line 3 was read"); return
        }
        #expect(d.id == "data.not-text" && d.location?.line == 3 && d.location?.column == 3, "\(d)")
        // UTF-16 (NULs on alternate bytes) is read, for the parser to name the encoding.
        let wide = scratch("wide.csv")
        defer { unlink(wide) }
        text = Array(
            String(repeating: "id,name\r\n", count: 150_000).utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        #expect(FileManager.default.createFile(atPath: wide, contents: Data(text)))
        let wideRead = readInput(wide, maxBytes: 16 << 20)
        #expect((try? wideRead.get()) != nil, "\(wideRead)")
        // Small files are left to the parsers' own, more precise messages.
        let small = scratch("small.json")
        defer { unlink(small) }
        #expect(FileManager.default.createFile(atPath: small, contents: Data([0x7B, 0, 0x7D])))
        #expect((try? readInput(small, maxBytes: 1 << 20).get()) != nil)
    }
}
