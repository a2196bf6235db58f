import Foundation
import TenkenAudit
import Testing

@testable import TenkenCLI
@testable import TenkenData

/// Special files as inputs: a named pipe with no writer used to block `open()` forever (one
/// such facility stopped a whole batch); a device was read as if it were data. Every input
/// route refuses them at once with a located error. Each case runs the built binary under a
/// time limit, so a hang fails the test instead of stopping the suite.
@Suite struct InputRouteTests {
    /// A scratch folder with a named pipe `fifo`, the sakura snapshot and inventory, and a
    /// copy of the kaede tables.
    static func scratch() throws -> URL {
        let dir = tempDir("routes")
        let fm = FileManager.default
        #expect(mkfifo(dir.appendingPathComponent("fifo").path, 0o644) == 0)
        for f in ["snapshot.json", "devices.csv"] {
            try fm.copyItem(
                at: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/\(f)"), to: dir.appendingPathComponent(f))
        }
        try fm.copyItem(
            at: Repo.root.appendingPathComponent("Fixtures/clinic-kaede"), to: dir.appendingPathComponent("kaede"))
        try? fm.removeItem(at: dir.appendingPathComponent("kaede/expected"))
        return dir
    }

    /// (name, arguments with `$D` for the scratch folder, how the folder is prepared)
    static let routes: [(String, [String], String)] = [
        ("snapshot", ["check", "--snapshot", "$D/fifo", "--as-of", "2026-11-01"], ""),
        ("devices", ["check", "--snapshot", "$D/snapshot.json", "--devices", "$D/fifo", "--as-of", "2026-11-01"], ""),
        (
            "provider", ["check", "--snapshot", "$D/snapshot.json", "--provider", "$D/fifo", "--as-of", "2026-11-01"],
            ""
        ),
        ("waivers", ["check", "--snapshot", "$D/snapshot.json", "--waivers", "$D/fifo", "--as-of", "2026-11-01"], ""),
        (
            "baseline", ["check", "--snapshot", "$D/snapshot.json", "--baseline", "$D/fifo", "--as-of", "2026-11-01"],
            ""
        ),
        ("devices.csv beside snapshot.json", ["check", "$D/json", "--as-of", "2026-11-01"], "json-devices-fifo"),
        (
            "attestations.csv beside snapshot.json", ["check", "$D/json", "--as-of", "2026-11-01"],
            "json-attestations-fifo"
        ),
        ("a table of a folder", ["check", "$D/kaede", "--as-of", "2026-11-01"], "table-fifo"),
        ("answers", ["attest", "$D/kaede", "--answers", "$D/fifo", "--as-of", "2026-11-01"], ""),
        ("batch list", ["batch", "$D/fifo", "--output-dir", "$D/out"], ""),
        ("a batch member", ["batch", "$D/members", "--output-dir", "$D/out", "--as-of", "2026-11-01"], "member-fifo"),
        ("merge part", ["merge", "$D/fifo", "--output-dir", "$D/out"], ""),
        ("diff side", ["diff", "$D/fifo", "$D/fifo"], ""),
        ("rule file", ["lint", "--rules", "$D/rules"], "rules-fifo"),
        ("fmt file", ["fmt", "$D/fifo.tenken"], "fmt-fifo"),
        ("convert input", ["convert", "$D/fifo", "--to", "json"], ""),
        ("a character device", ["check", "--snapshot", "/dev/zero", "--as-of", "2026-11-01"], ""),
    ]

    static func prepare(_ dir: URL, _ how: String) throws {
        let fm = FileManager.default
        let d = dir.path
        switch how {
        case "json-devices-fifo", "json-attestations-fifo":
            try fm.createDirectory(atPath: d + "/json", withIntermediateDirectories: true)
            try fm.copyItem(atPath: d + "/snapshot.json", toPath: d + "/json/snapshot.json")
            if how == "json-devices-fifo" {
                mkfifo(d + "/json/devices.csv", 0o644)
            } else {
                try fm.copyItem(atPath: d + "/devices.csv", toPath: d + "/json/devices.csv")
                mkfifo(d + "/json/attestations.csv", 0o644)
            }
        case "table-fifo":
            try fm.removeItem(atPath: d + "/kaede/staff.csv")
            mkfifo(d + "/kaede/staff.csv", 0o644)
        case "member-fifo":
            try fm.createDirectory(atPath: d + "/members/b", withIntermediateDirectories: true)
            try fm.copyItem(atPath: d + "/kaede", toPath: d + "/members/a")
            mkfifo(d + "/members/b/snapshot.json", 0o644)
        case "rules-fifo":
            try fm.copyItem(at: Repo.root.appendingPathComponent("Rules/mcs"), to: dir.appendingPathComponent("rules"))
            mkfifo(d + "/rules/rules/zz-pipe.tenken", 0o644)
        case "fmt-fifo":
            mkfifo(d + "/fifo.tenken", 0o644)
        default: break
        }
    }

    @Test(arguments: routes.indices)
    func aNamedPipeOrDeviceIsRefusedAtOnce(_ i: Int) throws {
        let (name, template, how) = Self.routes[i]
        let dir = try Self.scratch()
        defer { try? FileManager.default.removeItem(at: dir) }
        try Self.prepare(dir, how)
        let args = template.map { $0.replacingOccurrences(of: "$D", with: dir.path) }
        // A hang is what fails here; the limit is generous for slow (sanitized, loaded) runs.
        let r = try runBinary(args, timeout: 120)
        #expect(r.code == 2, "\(name): exit \(r.code)\n\(r.err.prefix(600))")
        if how == "member-fifo" {
            // The other member of the batch is still evaluated; the pipe is named in the aggregate.
            #expect(r.err.contains("2 施設: 評価 1、読み込めず 1"), "\(r.err.suffix(300))")
            let agg = try String(contentsOf: dir.appendingPathComponent("out/aggregate.json"), encoding: .utf8)
            #expect(agg.contains("members/b/snapshot.json: error[data.not-a-file]"))
        } else {
            #expect(r.err.contains("error[data.not-a-file]"), "\(name): \(r.err.prefix(600))")
        }
    }

    /// Reading a file costs its size once: the buffer is sized from the file and not regrown.
    @Test func readingAFilePeaksAtItsSize() throws {
        let dir = tempDir("read1x")
        defer { try? FileManager.default.removeItem(at: dir) }
        let path = dir.appendingPathComponent("big.json").path
        let size = 10_000_000
        #expect(FileManager.default.createFile(atPath: path, contents: Data(repeating: 0x20, count: size)))
        let b = try readInput(path, maxBytes: 1 << 30).get()
        #expect(b.count == size)
        // One allocation of size + 1 (rounded by the allocator), never a doubled one.
        #expect(b.capacity < size + size / 100, "capacity \(b.capacity) for \(size) bytes")
    }
}
