import Foundation
import TenkenAudit
import TenkenWorkbook
import Testing

@testable import TenkenCLI
@testable import TenkenData

/// No value of facility data is ever shown in a diagnostic (break-14 F2 and F7, break-12 F8).
/// A password typed into a date column, a patient's name pasted into a status or an id column,
/// a secret in a key or a header, a table saved without its header row: each error names the
/// place and the value's shape, never the value — on the terminal, and in the aggregate a
/// batch publishes. Two sentinels are put into every field type and every error path the
/// routes reach (JSON snapshots, folders of tables, inventories, parameters, answers, waivers,
/// baselines, batches, convert), and neither may appear in stdout, stderr or a written file.
@Suite struct NoValueInDiagnosticsTests {
    static let secret = "PW-SENTINEL-1234"
    static let name = "山田太郎"

    func leaked(_ text: String) -> Bool { text.contains(Self.secret) || text.contains(Self.name) }

    /// Expects every diagnostic id in `ids` to be reported (so the path was reached) and no
    /// sentinel in what the run printed.
    func expectReached(
        _ ids: [String], _ r: (code: Int32, out: String, err: String), _ what: String,
        sourceLocation: SourceLocation = #_sourceLocation
    ) {
        for id in ids {
            #expect(r.err.contains("[\(id)]"), "\(what): \(id) not reported\n\(r.err)", sourceLocation: sourceLocation)
        }
        #expect(
            !leaked(r.out + r.err), "\(what): a sentinel is shown\n\(r.out)\n\(r.err)", sourceLocation: sourceLocation)
    }

    // MARK: inputs

    /// The sakura snapshot with `change` applied to its JSON object, written to `dir/snapshot.json`.
    func snapshot(_ dir: String, _ change: (inout [String: Any]) -> Void, tail: String? = nil) throws -> String {
        let data = try Data(contentsOf: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/snapshot.json"))
        var json = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        change(&json)
        var text = String(
            decoding: try JSONSerialization.data(withJSONObject: json, options: [.sortedKeys]), as: UTF8.self)
        // Members JSONSerialization cannot make (a duplicate key) go in as text.
        if let tail { text = String(text.dropLast()) + "," + tail + "}" }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try writeText(text, dir + "/snapshot.json")
        return dir + "/snapshot.json"
    }

    func setFirst(_ json: inout [String: Any], _ section: String, _ key: String, _ value: Any, at index: Int = 0) {
        var list = json[section] as? [[String: Any]] ?? []
        list[index][key] = value
        json[section] = list
    }

    /// A CSV table of a folder, as header and rows of cells (the fixtures quote nothing).
    struct Table {
        var header: [String]
        var rows: [[String]]
        init(_ path: String) throws {
            let text = String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self)
            var lines = text.replacingOccurrences(of: "\r\n", with: "\n").split(separator: "\n").map {
                $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            }
            header = lines.removeFirst()
            if header[0].hasPrefix("\u{FEFF}") { header[0].removeFirst() }
            rows = lines
        }
        mutating func set(_ column: String, _ value: String, row: Int = 0) {
            rows[row][header.firstIndex(of: column)!] = value
        }
        mutating func addColumn(_ name: String, _ value: String) {
            header.append(name)
            for i in rows.indices { rows[i].append(value) }
        }
        func write(_ path: String, header keep: Bool = true) throws {
            try writeText(
                "\u{FEFF}" + ((keep ? [header] : []) + rows).map { $0.joined(separator: ",") }.joined(separator: "\r\n")
                    + "\r\n", path)
        }
    }

    func edit(_ path: String, _ change: (inout Table) -> Void) throws {
        var t = try Table(path)
        change(&t)
        try t.write(path)
    }

    func append(_ path: String, _ rows: String) throws {
        try writeText(String(decoding: try Data(contentsOf: URL(fileURLWithPath: path)), as: UTF8.self) + rows, path)
    }

    /// The facilities of the test, each in its own folder under `root`; the names say what is damaged.
    func facilities(_ root: String) throws -> [String: String] {
        let s = Self.secret, n = Self.name
        var out: [String: String] = [:]
        // JSON: a typed value of each kind.
        out["json-typed"] = try snapshot(root + "/json-typed") { j in
            setFirst(&j, "staff", "hired_on", s)
            setFirst(&j, "accounts", "status", n)
            setFirst(&j, "staff", "uses_mcs", s, at: 1)
            setFirst(&j, "staff", "pledge_signed_on", n, at: 2)
            var f = j["facility"] as! [String: Any]
            f["beds"] = s
            j["facility"] = f
            j["devices"] = [["id": "PC-X", "screen_lock_minutes": s, "os_updated_on": "2026-01-01T" + s]]
        }
        // JSON: ids that are not ids.
        out["json-ids"] = try snapshot(root + "/json-ids") { j in
            setFirst(&j, "accounts", "staff_id", s)
            setFirst(&j, "consents", "patient_id", n)
            var staff = j["staff"] as! [[String: Any]]
            staff.append(staff[0])
            j["staff"] = staff
        }
        // JSON: keys and the version.
        out["json-keys"] = try snapshot(
            root + "/json-keys",
            { j in
                j["schema_version"] = s
                j[n] = ["x": 1]
                setFirst(&j, "staff", s, "1")
                setFirst(&j, "staff", n, "1", at: 1)
                setFirst(&j, "accounts", "password-" + s, "1")
            }, tail: "\"\(s)\": 1, \"\(s)\": 2")
        // JSON: parameters (resolved only when the rest loads).
        out["json-params"] = try snapshot(root + "/json-params") { j in
            j["parameters"] = [s: 14, "leaver.grace": n]
        }
        // Tables: a typed cell of each kind, ids that are not ids.
        let kaede = Repo.root.appendingPathComponent("Fixtures/clinic-kaede").path
        func tables(_ name: String) throws -> String {
            let dir = root + "/" + name
            try FileManager.default.copyItem(atPath: kaede, toPath: dir)
            try? FileManager.default.removeItem(atPath: dir + "/expected")
            return dir
        }
        let cells = try tables("tables-cells")
        try edit(cells + "/staff.csv") {
            $0.set("hired_on", s); $0.set("uses_mcs", n, row: 1)
        }
        try edit(cells + "/accounts.csv") {
            $0.set("status", n); $0.set("staff_id", s, row: 1)
        }
        try edit(cells + "/devices.csv") {
            $0.set("screen_lock_minutes", s); $0.set("os_updated_on", n, row: 1)
        }
        try edit(cells + "/group_members.csv") { $0.set("group_id", s) }
        out["tables-cells"] = cells
        // Tables: headers, a table without its header row, and the profile's keys.
        let headers = try tables("tables-headers")
        // (The secret sentinel is itself a refused name, `pw`: the name one reaches the unknown paths.)
        try edit(headers + "/staff.csv") {
            $0.addColumn(n, "1"); $0.addColumn(s, "1")
        }
        try edit(headers + "/devices.csv") { $0.addColumn("PSK-" + s, s) }
        var patients = try Table(headers + "/patients.csv")
        patients.rows.insert([n, s] + Array(repeating: "", count: patients.header.count - 2), at: 0)
        try patients.write(headers + "/patients.csv", header: false)
        let profile = headers + "/facility.csv"
        try writeText(
            String(decoding: try Data(contentsOf: URL(fileURLWithPath: profile)), as: UTF8.self)
                .replacingOccurrences(of: "schema_version,1,", with: "schema_version,\(s),"), profile)
        try append(profile, "\(n),1,\r\nservice.password_\(n),\(s),\r\n\(n),2,\r\n\(s),3,\r\n")
        out["tables-headers"] = headers
        // Tables: parameters in the profile.
        let params = try tables("tables-params")
        try append(params + "/facility.csv", "parameter.\(s),1,\r\nparameter.leaver.grace,\(n),\r\n")
        out["tables-params"] = params
        for (name, path) in try workbooks(root) { out[name] = path }
        return out
    }

    /// Workbooks (sakura as .xlsx) with the sentinels planted where a reader or a hostile file
    /// puts them: a cell whose type does not fit its text, an error cell with no Excel code,
    /// references, row numbers, style indexes, cell types and merged ranges that are values,
    /// entity and tag names, bytes that are not UTF-8, and typed cells the loader refuses.
    func workbooks(_ root: String) throws -> [(String, String)] {
        let s = Self.secret, n = Self.name
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        let base = root + "/base.xlsx.src"
        #expect(runCLI(["convert", "Fixtures/clinic-sakura", "--to", "xlsx", base + ".xlsx"]).code == 0)
        let bytes = Array(try Data(contentsOf: URL(fileURLWithPath: base + ".xlsx")))
        try FileManager.default.removeItem(atPath: base + ".xlsx")
        let staffA2 = "<c r=\"A2\" s=\"3\" t=\"s\"><v>112</v></c>"
        let cases: [(String, String, [(String, [UInt8])])] = [
            ("wb-number", "職員", [(staffA2, Array("<c r=\"A2\" s=\"3\"><v>\(s)</v></c>".utf8))]),
            ("wb-bool", "職員", [(staffA2, Array("<c r=\"A2\" t=\"b\"><v>\(n)</v></c>".utf8))]),
            ("wb-isodate", "職員", [(staffA2, Array("<c r=\"A2\" t=\"d\"><v>\(s)</v></c>".utf8))]),
            ("wb-sst", "職員", [(staffA2, Array("<c r=\"A2\" t=\"s\"><v>\(s)</v></c>".utf8))]),
            ("wb-type", "職員", [(staffA2, Array("<c r=\"A2\" t=\"\(n)\"><v>1</v></c>".utf8))]),
            ("wb-error", "職員", [(staffA2, Array("<c r=\"A2\" t=\"e\"><v>\(s)</v></c>".utf8))]),
            ("wb-ref", "職員", [(staffA2, Array("<c r=\"\(s)\" t=\"s\"><v>112</v></c>".utf8))]),
            ("wb-row", "職員", [("<row r=\"2\">", Array("<row r=\"\(n)\">".utf8))]),
            ("wb-style", "職員", [(staffA2, Array("<c r=\"A2\" s=\"\(s)\" t=\"s\"><v>112</v></c>".utf8))]),
            (
                "wb-merge", "職員",
                [("</sheetData>", Array("</sheetData><mergeCells><mergeCell ref=\"\(s)\"/></mergeCells>".utf8))]
            ),
            ("wb-entity", "職員", [(staffA2, Array("<c r=\"A2\" t=\"inlineStr\"><is><t>&\(s);</t></is></c>".utf8))]),
            ("wb-tag", "職員", [(staffA2, Array("<c r=\"A2\"><v>1</\(n)></c>".utf8))]),
            (
                "wb-utf8", "職員",
                [
                    (
                        staffA2,
                        Array("<c r=\"A2\" t=\"inlineStr\"><is><t>".utf8) + [0xFF, 0xFE]
                            + Array("\(s)</t></is></c>".utf8)
                    )
                ]
            ),
            // Typed cells: a date column, an id, a yes/no, through the table loader.
            (
                "wb-typed", "職員",
                [
                    (
                        "<c r=\"C2\" s=\"2\"><v>43556</v></c>",
                        Array("<c r=\"C2\" t=\"inlineStr\"><is><t>\(s)</t></is></c>".utf8)
                    ),
                    (
                        "<c r=\"E2\" s=\"3\" t=\"s\"><v>78</v></c>",
                        Array("<c r=\"E2\" t=\"inlineStr\"><is><t>\(n)</t></is></c>".utf8)
                    ),
                ]
            ),
        ]
        var out: [(String, String)] = []
        for (name, sheet, edits) in cases {
            let book = try #require(Workbook.open(bytes: bytes, file: "t.xlsx").0)
            let info = try #require(book.sheet(named: sheet))
            let part = try #require(info.part)
            var xml = try book.archive.contents(ofEntryNamed: part).get()
            for (old, new) in edits {
                let o = Array(old.utf8)
                let at = try #require(xml.indices.first { xml[$0...].starts(with: o) }, "\(name): \(old)")
                xml.replaceSubrange(at..<(at + o.count), with: new)
            }
            let path = "\(root)/\(name).xlsx"
            try Data(try book.archive.replacing(part, with: xml).get()).write(to: URL(fileURLWithPath: path))
            out.append((name, path))
        }
        return out
    }

    // MARK: tests

    @Test func noSentinelReachesTheTerminal() throws {
        let root = tempDir("novalue").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let f = try facilities(root)
        let asOf = ["--as-of", "2026-11-01"]
        expectReached(
            ["data.bad-date", "data.bad-value", "data.type-mismatch", "data.bad-duration"],
            runCLI(["check", "--snapshot", f["json-typed"]!] + asOf), "json-typed")
        expectReached(
            ["data.dangling-reference", "data.duplicate-id"], runCLI(["check", "--snapshot", f["json-ids"]!] + asOf),
            "json-ids")
        expectReached(
            ["data.unknown-schema-version", "data.unknown-field", "data.forbidden-field", "data.duplicate-key"],
            runCLI(["check", "--snapshot", f["json-keys"]!] + asOf), "json-keys")
        expectReached(
            ["data.unknown-param", "data.bad-param"], runCLI(["check", "--snapshot", f["json-params"]!] + asOf),
            "json-params")
        expectReached(
            ["data.bad-date", "data.bad-value", "data.type-mismatch", "data.bad-duration", "data.orphan-row"],
            runCLI(["check", f["tables-cells"]!] + asOf), "tables-cells")
        expectReached(
            [
                "data.unknown-column", "data.forbidden-field", "data.no-header", "data.unknown-field",
                "data.duplicate-key",
                "data.unknown-schema-version",
            ], runCLI(["check", f["tables-headers"]!] + asOf), "tables-headers")
        expectReached(
            ["data.unknown-param", "data.bad-param"], runCLI(["check", f["tables-params"]!] + asOf), "tables-params")
        // Workbooks: the reader's own errors and the loader's, through check and convert.
        for (name, ids) in [
            ("wb-number", ["workbook.bad-cell"]), ("wb-bool", ["workbook.bad-cell"]),
            ("wb-isodate", ["workbook.bad-cell"]),
            ("wb-sst", ["workbook.bad-cell"]), ("wb-type", ["workbook.bad-cell"]),
            ("wb-error", ["workbook.error-cell"]),
            ("wb-ref", ["workbook.bad-cell-reference"]), ("wb-row", ["workbook.bad-cell-reference"]),
            ("wb-style", ["workbook.bad-cell"]),
            ("wb-merge", ["workbook.bad-cell-reference"]), ("wb-entity", ["workbook.xml-syntax"]),
            ("wb-tag", ["workbook.xml-syntax"]),
            ("wb-utf8", ["workbook.xml-syntax"]), ("wb-typed", ["data.bad-date", "data.type-mismatch"]),
        ] {
            expectReached(ids, runCLI(["check", f[name]!] + asOf), name)
            expectReached(
                ids, runCLI(["convert", f[name]!, "--to", "json", root + "/\(name).json"]), "convert \(name)")
        }
        // The same tables read by convert.
        expectReached(
            ["data.bad-date", "data.orphan-row"],
            runCLI(["convert", f["tables-cells"]!, "--to", "json", root + "/c.json"]), "convert")
        // An inventory given with --devices.
        let devices = root + "/devices.csv"
        try FileManager.default.copyItem(
            atPath: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/devices.csv").path, toPath: devices)
        try edit(devices) {
            $0.set("mdm", Self.secret); $0.set("screen_lock_minutes", Self.name, row: 1);
            $0.set("os_updated_on", Self.secret, row: 2)
        }
        expectReached(
            ["data.type-mismatch", "data.bad-duration", "data.bad-date"],
            runCLI(["check", "--snapshot", "Fixtures/clinic-sakura/snapshot.json", "--devices", devices] + asOf),
            "devices")
        // Answers for attest.
        let answers = root + "/answers.csv"
        let s = Self.secret, n = Self.name
        try writeText(
            "item,answer,by_role,by,signed_on,reason\n\(s),yes,operations-lead,S-001,2026-10-01,\n"
                + "no-written-credentials,yes,\(n),S-001,2026-10-01,\nno-written-credentials,\(s),operations-lead,S-0"
                + "01,2026-10-01,\n"
                + "no-written-credentials,yes,operations-lead,\(n),2026-10-01,\nno-written-credentials,yes,operations"
                + "-lead,S-001,\(s),\n",
            answers)
        let kaede = root + "/attest"
        try FileManager.default.copyItem(
            atPath: Repo.root.appendingPathComponent("Fixtures/clinic-kaede").path, toPath: kaede)
        expectReached(
            ["attest.unknown-item", "data.bad-value", "attest.bad-id", "data.bad-date"],
            runCLI(["attest", kaede, "--answers", answers, "--lang", "en"] + asOf), "answers")
        // Waivers and a baseline.
        let waivers = root + "/waivers.json"
        try writeText(
            """
            {"waivers": [
              {"rule": "\(s)", "facility": "\(n)", "justification": "x", "requested_by": "\(s)", "approved_by": "\(s)", "granted_on": "2026-01-01", "expires_on": "2026-02-01"},
              {"rule": "T-REQ-03", "justification": "x", "requested_by": "S-1", "approved_by": "S-2", "granted_on": "\(n)", "expires_on": "2026-02-01"}
            ]}
            """, waivers)
        expectReached(
            ["waiver.unknown-rule", "waiver.self-approved", "waiver.bad-date"],
            runCLI(["check", "Fixtures/clinic-sakura", "--waivers", waivers] + asOf), "waivers")
        let baseline = root + "/baseline.json"
        try writeText(
            """
            {"tenken_report_version": 1, "facility": {"id": "\(s)"}, "results": [{"rule": "\(s)", "state": "fail", "violations": [{"element": "\(n)"}], "unlisted_violations": 3}]}
            """, baseline)
        expectReached(
            ["data.baseline-capped"], runCLI(["check", "Fixtures/clinic-sakura", "--baseline", baseline] + asOf),
            "baseline")
    }

    /// A batch publishes the diagnostics of the facilities that failed to load in its
    /// aggregate (JSON, HTML, CSV): they carry what the terminal shows, and no sentinel.
    @Test func noSentinelReachesABatchsFiles() throws {
        let root = tempDir("novalue-batch").path
        defer { try? FileManager.default.removeItem(atPath: root) }
        let members = root + "/members"
        _ = try facilities(members)
        // A snapshot facility keeps its name: JSON ones are folders holding snapshot.json already.
        let out = root + "/out"
        let r = runCLI([
            "batch", members, "--output-dir", out, "--as-of", "2026-11-01", "--format", "json,html,csv,sarif",
        ])
        #expect(r.code == 2, "\(r.err)")
        #expect(!leaked(r.out + r.err), "\(r.err)")
        let tree = snapshotTree(out)
        #expect(tree["aggregate.json"] != nil)
        let aggregate = String(decoding: tree["aggregate.json"] ?? Data(), as: UTF8.self)
        for id in [
            "data.bad-date", "data.dangling-reference", "data.forbidden-field", "data.no-header", "data.unknown-param",
            "workbook.bad-cell", "workbook.error-cell", "workbook.xml-syntax",
        ] {
            #expect(aggregate.contains(id), "the aggregate carries \(id)")
        }
        for (file, data) in tree {
            #expect(!leaked(String(decoding: data, as: UTF8.self)), "\(file) holds a sentinel")
        }
    }

    /// Shapes say what is wrong without the value.
    @Test func shapesDescribeWithoutShowing() {
        #expect(ValueShape.of("PW-hunter2") == "text of 10 characters")
        #expect(ValueShape.of("山田太郎") == "text of 4 characters")
        #expect(ValueShape.of("") == "an empty text")
        #expect(ValueShape.of("-5") == "a negative whole number")
        #expect(ValueShape.of("12") == "a whole number")
        #expect(ValueShape.of("1.5") == "a number with a fraction")
        #expect(ValueShape.of("2023-02-30") == "a date that is not on the calendar")
        #expect(ValueShape.of("2023/4/1") == "a date in another form")
        #expect(ValueShape.of("2025年4月1日") == "a date in another form")
        #expect(ValueShape.of("2025/4/1 0:00") == "a date followed by more text")
        #expect(ValueShape.of("0:30") == "a time (h:mm)" && ValueShape.of("12:30:05") == "a time (h:mm:ss)")
        #expect(ValueShape.of("1:2") == "text of 3 characters" && ValueShape.of("1:30:") == "text of 5 characters")
        #expect(ValueShape.of(json: .array([])) == "an array of 0 elements")
    }
}
