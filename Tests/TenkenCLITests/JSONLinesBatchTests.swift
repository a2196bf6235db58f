import Foundation
import TenkenAudit
import Testing

@testable import TenkenCLI
@testable import TenkenData

/// `tenken batch FILE.jsonl`: one snapshot per line, each checked as the same snapshot in a
/// file of its own would be, with places as file:line:column.
struct JSONLinesBatchTests {
    /// A pretty-printed snapshot on one line. Safe to join: a JSON string cannot hold a raw line
    /// feed, so the white space at the start of a line is never inside a string.
    func oneLine(_ fixture: String) throws -> String {
        let text = try String(contentsOfFile: "\(Repo.root.path)/Fixtures/\(fixture)/snapshot.json", encoding: .utf8)
        return text.split(separator: "\n").map { $0.drop { $0 == " " } }.joined()
    }

    func states(_ aggregate: URL) throws -> [String: String] {
        let facilities = try readJSON(aggregate)["facilities"] as! [[String: Any]]
        return Dictionary(
            uniqueKeysWithValues: facilities.map { ($0["id"] as! String, "\($0["status"]!) \($0["states"]!)") })
    }

    @Test func linesAreCheckedAsTheirOwnFilesWithLocatedErrors() throws {
        let dir = tempDir("jsonl")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fixtures = ["clinic-sakura", "pharmacy-midori", "visiting-nurse-hikari"]
        // The same snapshots as files of their own: the reference.
        let files = dir.appendingPathComponent("files")
        try FileManager.default.createDirectory(at: files, withIntermediateDirectories: true)
        for f in fixtures {
            try oneLine(f).write(to: files.appendingPathComponent("\(f).json"), atomically: true, encoding: .utf8)
        }
        let ref = runCLI([
            "batch", files.path, "--output-dir", dir.appendingPathComponent("ref").path, "--as-of", "2026-11-01",
            "--format", "none", "--lang", "en",
        ])
        #expect(ref.err.contains("3 found, 3 evaluated, 0 failed to load"), "\(ref.err)")

        // Line 5 is hospital-aoba with a month 13: its own error, at its line, column and pointer.
        var bad = try oneLine("hospital-aoba")
        let found = bad.range(of: #""hired_on": ""#)
        let at = try #require(found)
        // The value's opening quote is where the error points.
        let column = bad[..<at.upperBound].unicodeScalars.count
        bad.replaceSubrange(at.upperBound..<bad.index(at.upperBound, offsetBy: 10), with: "2021-13-01")
        let lines = [
            try oneLine(fixtures[0]), "", " \t ", try oneLine(fixtures[1]) + "\r", bad, try oneLine(fixtures[2]),
        ]
        let jsonl = dir.appendingPathComponent("members.jsonl")
        // A byte order mark, CRLF on one line, and no line feed after the last.
        try Data([0xEF, 0xBB, 0xBF] + Array(lines.joined(separator: "\n").utf8)).write(to: jsonl)
        let out = dir.appendingPathComponent("out")
        let run = runCLI([
            "batch", jsonl.path, "--output-dir", out.path, "--as-of", "2026-11-01", "--format", "json", "--lang", "en",
        ])
        #expect(run.code == 2, "a facility failed to load: \(run.err)")
        #expect(run.err.contains("4 found, 3 evaluated, 1 failed to load"), "\(run.err)")

        var got = try states(out.appendingPathComponent("aggregate.json"))
        let failed = got.filter { $0.value.hasPrefix("error") }
        #expect(failed.count == 1)
        for k in failed.keys { got[k] = nil }
        #expect(
            got == (try states(dir.appendingPathComponent("ref/aggregate.json"))),
            "every other line gives what its own file gives")

        let facilities = try readJSON(out.appendingPathComponent("aggregate.json"))["facilities"] as! [[String: Any]]
        let badRow = try #require(facilities.first { $0["status"] as? String == "error" })
        #expect(badRow["input"] as? String == "\(jsonl.path):5")
        let diagnostics = (badRow["diagnostics"] as? [String] ?? []).joined(separator: "\n")
        #expect(
            diagnostics.contains("\(jsonl.path):5:\(column)#/staff/")
                && diagnostics.contains("/hired_on: error[data.bad-date]"), "\(diagnostics)")
        #expect(run.err.contains("members.jsonl:5:\(column)#/staff/"), "the summary names the place")
        // Reports of the lines that loaded, under their facility ids.
        let reports = try FileManager.default.contentsOfDirectory(atPath: out.appendingPathComponent("facilities").path)
        #expect(reports.count == 3)
    }

    /// A 2 GiB line (sparse) is refused as a 2 GiB file is, without being read into memory; the
    /// lines around it are checked.
    @Test func aHugeLineIsRefusedAndTheOthersChecked() throws {
        let dir = tempDir("jsonl-huge")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("huge.jsonl").path
        let first = Array((try oneLine("clinic-sakura") + "\n").utf8)
        let last = Array(("\n" + (try oneLine("pharmacy-midori")) + "\n").utf8)
        let fd = open(path, O_CREAT | O_WRONLY | O_TRUNC, 0o644)
        #expect(fd >= 0)
        let hole = 2 << 30
        #expect(first.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) } == first.count)
        #expect(last.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, off_t(first.count + hole)) } == last.count)
        close(fd)

        let scanned = try JSONLines.scan(path, maxLines: 10).get()
        #expect(scanned.map(\.line) == [1, 2, 3])
        #expect(scanned[1].length == hole)
        let read = JSONLines.read(scanned[1], maxBytes: LoadOptions().limits.maxBytes)
        guard case .failure(let d) = read else { Issue.record("a 2 GiB line was read"); return }
        #expect(d.id == "data.too-large" && d.location?.line == 2 && d.location?.file == path, "\(d)")

        let out = dir.appendingPathComponent("out")
        let run = runCLI([
            "batch", path, "--output-dir", out.path, "--as-of", "2026-11-01", "--format", "none", "--lang", "en",
        ])
        #expect(run.code == 2)
        #expect(run.err.contains("3 found, 2 evaluated, 1 failed to load"), "\(run.err)")
        #expect(run.err.contains("huge.jsonl:2:1: error[data.too-large]"), "\(run.err)")
    }

    /// The scan itself: blank lines skipped and counted, the last line without a line feed,
    /// a list of paths not taken for JSON Lines, and the limit on the number of snapshots.
    @Test func scanningLines() throws {
        let dir = tempDir("jsonl-scan")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("x.txt").path
        try Data("\n  {\"a\":1}\n\n\t\n{}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(JSONLines.isJSONLines(path), "a file whose first text is `{` is JSON Lines whatever its name")
        let lines = try JSONLines.scan(path, maxLines: 10).get()
        #expect(lines.map(\.line) == [2, 5] && lines.map(\.offset) == [1, 14] && lines.map(\.length) == [9, 2])
        #expect(
            String(decoding: ((try? JSONLines.read(lines[0], maxBytes: 100).get()) ?? []), as: UTF8.self)
                == "  {\"a\":1}")
        if case .failure(let d) = JSONLines.scan(path, maxLines: 1) {
            #expect(d.id == "data.too-many-elements")
        } else {
            Issue.record("limit not kept")
        }
        let list = dir.appendingPathComponent("list.txt").path
        try Data("# members\nclinic-a\n".utf8).write(to: URL(fileURLWithPath: list))
        #expect(!JSONLines.isJSONLines(list))
        // Positions inside a line are the file's: line 5, the column in that line.
        var loader = SnapshotLoader(schema: PackLoader.builtInSchema)
        _ = loader.loadSnapshot(bytes: Array("{\"schema_version\": 2}".utf8), path: path, line: 5)
        #expect(
            loader.diagnostics.first?.location?.line == 5 && loader.diagnostics.first?.location?.column == 20,
            "\(loader.diagnostics)")
    }
}
