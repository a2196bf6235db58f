import Foundation
import TenkenBenchKit
import TenkenCheck
import TenkenCLI
import TenkenData
import TenkenEval

#if canImport(Glibc)
import Glibc
#endif

/// `tenken-bench run [--smoke] [--write FILE]`: measures what issue 6 asks for, side by side in
/// one run (the machines are shared and noisy, so the targets are ratios), prints a table and
/// writes it as Markdown.
enum BenchmarkMain {
    struct Row {
        var what: String
        var measured: String
        var target: String
        var met: Bool?
    }

    static func now() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func median(_ xs: [Double]) -> Double { let s = xs.sorted(); return s[s.count / 2] }

    static func time(_ runs: Int, _ body: () -> Void) -> Double {
        median((0..<runs).map { _ in let t = now(); body(); return now() - t })
    }

    /// Runs a child process; returns wall seconds and its peak RSS in KiB (from wait4).
    static func measured(_ exe: String, _ args: [String]) -> (Double, Int, Int32) {
        var pid: pid_t = 0
        var fa = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&fa)
        posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([exe] + args).map { strdup($0) } + [nil]
        defer { for a in argv { free(a) }; posix_spawn_file_actions_destroy(&fa) }
        let t = now()
        guard posix_spawn(&pid, exe, &fa, nil, argv, environ) == 0 else { return (0, 0, -1) }
        var status: Int32 = 0
        var ru = rusage()
        wait4(pid, &status, 0, &ru)
        return (now() - t, ru.ru_maxrss, (status >> 8) & 0xff)
    }

    static func machine() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        let mem = ProcessInfo.processInfo.physicalMemory / (1 << 30)
        return "\(ProcessInfo.processInfo.activeProcessorCount) cores (\(cpu)), \(mem) GiB, Linux"
    }

    static func run(_ args: [String]) throws {
        guard args.first == "run" else {
            print("usage: tenken-bench run [--smoke] [--write FILE]  |  generate DIR --count N  |  huge DIR [--divide D]")
            return
        }
        let smoke = args.contains("--smoke")
        let write = args.firstIndex(of: "--write").map { args[$0 + 1] }
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-bench-\(getpid())").path
        try? FileManager.default.removeItem(atPath: tmp)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tenken").path
        guard FileManager.default.isExecutableFile(atPath: exe) else {
            print("error: build the tenken binary first (it is looked for next to tenken-bench: \(exe))")
            exit(2)
        }
        var rows: [Row] = []
        func log(_ s: String) { FileHandle.standardError.write(Data((s + "\n").utf8)) }

        // 1. Pack parse + check: runs on every invocation.
        let source = PackLoader.embedded().source
        let packTime = time(smoke ? 3 : 30) { _ = Checker.check(source) }
        rows.append(Row(what: "rule pack parse + check (73 rules)", measured: String(format: "%.1f ms", packTime * 1000), target: "≤ 20 ms", met: packTime <= 0.020))
        let pack = Checker.check(source).pack!
        let engine = Engine(pack: pack)
        log("pack: \(packTime * 1000) ms")

        // 2. Load throughput and 3. eval vs load, on the same snapshot files.
        let n = smoke ? 20 : 300
        var files: [(path: String, bytes: [UInt8])] = []
        for i in 0..<n {
            let (snap, _) = Generator.facility(id: "F-\(i)", size: Generator.size(for: i, seed: 11), seed: UInt64(i) &+ 99)
            files.append(("bench-\(i).json", Array(snap.utf8)))
        }
        let totalBytes = Double(files.reduce(0) { $0 + $1.bytes.count })
        let reps = smoke ? 1 : 3
        let ours = time(reps) { for f in files { _ = JSONReader.parse(f.bytes, file: f.path) } }
        let foundation = time(reps) { for f in files { _ = try? JSONSerialization.jsonObject(with: Data(f.bytes)) } }
        var facilities: [Facility] = []
        let loadTime = time(reps) {
            facilities = files.map { f in var l = SnapshotLoader(); return l.loadSnapshot(bytes: f.bytes, path: f.path)! }
        }
        let asOf = Day(iso: Generator.asOf)!
        let evalTime = time(reps) { for f in facilities { _ = engine.evaluate(f, asOf: asOf) } }
        let mb = totalBytes / 1_048_576
        rows.append(Row(what: "JSON reader (positions kept) vs JSONSerialization, same \(n) snapshots (\(String(format: "%.0f", mb)) MB)",
                        measured: String(format: "%.0f MB/s vs %.0f MB/s = %.1f×", mb / ours, mb / foundation, foundation / ours),
                        target: "≥ 3×", met: foundation / ours >= 3))
        rows.append(Row(what: "typed snapshot load (reader + schema)", measured: String(format: "%.0f MB/s, %.2f ms per facility", mb / loadTime, loadTime / Double(n) * 1000), target: "—", met: nil))
        rows.append(Row(what: "evaluating the whole pack vs loading, per facility", measured: String(format: "%.2f ms vs %.2f ms = %.2f", evalTime / Double(n) * 1000, loadTime / Double(n) * 1000, evalTime / loadTime),
                        target: "eval / load ≤ 1.0", met: evalTime / loadTime <= 1.0))
        log("load \(loadTime) eval \(evalTime)")

        // 4. Batch throughput, 1 job vs all cores, as a user runs it.
        let count = smoke ? 40 : 1000
        let batchDir = tmp + "/batch"
        try Generator.writeBatch(to: batchDir, count: count, seed: 1, corruptEvery: nil)
        let cores = ProcessInfo.processInfo.activeProcessorCount
        let (t1, _, _) = measured(exe, ["batch", batchDir, "--output-dir", tmp + "/o1", "--as-of", Generator.asOf, "--format", "none", "--jobs", "1"])
        let (tN, _, _) = measured(exe, ["batch", batchDir, "--output-dir", tmp + "/oN", "--as-of", Generator.asOf, "--format", "none", "--jobs", String(cores)])
        rows.append(Row(what: "batch of \(count) mixed facilities (clinics to 300-bed hospitals), no reports", measured: String(format: "%.0f/s with 1 job, %.0f/s with %d", Double(count) / t1, Double(count) / tN, cores),
                        target: "—", met: nil))
        rows.append(Row(what: "batch scaling from 1 to \(cores) jobs", measured: String(format: "%.2f×", t1 / tN), target: cores >= 2 ? "≥ 1.8× (2 jobs)" : "—", met: cores >= 2 ? t1 / tN >= 1.8 : nil))
        let clinicDir = tmp + "/clinics"
        try Generator.writeBatch(to: clinicDir, count: count, seed: 2, corruptEvery: nil, clinicsOnly: true)
        let (tc, _, _) = measured(exe, ["batch", clinicDir, "--output-dir", tmp + "/oc", "--as-of", Generator.asOf, "--format", "none", "--jobs", String(cores)])
        rows.append(Row(what: "batch of \(count) clinics (6 staff, 10 devices, 50 patients), all cores", measured: String(format: "%.0f facilities/s", Double(count) / tc), target: "—", met: nil))
        log("batch done")

        // 5. Peak RSS: 1,000 vs 10,000 facilities (streaming).
        let small = smoke ? 30 : 1000, large = smoke ? 300 : 10000
        let rssDir = tmp + "/rss"
        try Generator.writeBatch(to: rssDir, count: large, seed: 3, corruptEvery: nil, clinicsOnly: true)
        let listSmall = tmp + "/small.txt"
        try (0..<small).map { String(format: "rss/f-%05d", $0) }.joined(separator: "\n").write(toFile: listSmall, atomically: true, encoding: .utf8)
        let (_, rssS, _) = measured(exe, ["batch", listSmall, "--output-dir", tmp + "/rs", "--as-of", Generator.asOf, "--format", "json"])
        let (_, rssL, _) = measured(exe, ["batch", rssDir, "--output-dir", tmp + "/rl", "--as-of", Generator.asOf, "--format", "json"])
        rows.append(Row(what: "peak RSS, \(small) vs \(large) clinics (with JSON reports)", measured: String(format: "%.0f MiB vs %.0f MiB = %.2f×", Double(rssS) / 1024, Double(rssL) / 1024, Double(rssL) / Double(rssS)),
                        target: "≤ 1.2×", met: Double(rssL) / Double(rssS) <= 1.2))
        try? FileManager.default.removeItem(atPath: rssDir)
        log("rss done")

        // 6. The huge facility vs a sibling 1/100 its size: joins must be indexed.
        let hugeDiv = smoke ? 100 : 1
        func facilityTime(_ d: Int) throws -> (Double, FacilitySize) {
            let size = FacilitySize.huge.scaled(by: d)
            let (snap, csv) = Generator.facility(id: "F-H\(d)", size: size, seed: 5)
            let dir = tmp + "/huge\(d)"
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try Data(snap.utf8).write(to: URL(fileURLWithPath: dir + "/snapshot.json"))
            try Data(csv.utf8).write(to: URL(fileURLWithPath: dir + "/devices.csv"))
            let input = try FacilityInput.folder(dir).get()
            let loaded = PackLoader.embedded()
            let t = time(d >= 100 ? 5 : 1) {
                let (f, _) = input.load(options: LoadOptions(), pack: loaded)
                _ = engine.evaluate(f!, asOf: asOf)
            }
            return (t, size)
        }
        let (hugeT, hugeSize) = try facilityTime(hugeDiv)
        let (sibT, _) = try facilityTime(hugeDiv * 100)
        rows.append(Row(what: "one huge facility (\(hugeSize)) vs a sibling 1/100 its size, load + eval",
                        measured: String(format: "%.2f s vs %.1f ms = %.0f×", hugeT, sibT * 1000, hugeT / sibT), target: "≤ 150×", met: hugeT / sibT <= 150))
        log("huge done")

        // 7. End to end: `tenken check` on the small clinic fixture, as a process.
        let fixture = FileManager.default.currentDirectoryPath + "/Fixtures/clinic-sakura"
        if FileManager.default.fileExists(atPath: fixture) {
            let e2e = median((0..<(smoke ? 3 : 15)).map { _ in measured(exe, ["check", fixture, "--as-of", "2026-11-01"]).0 })
            rows.append(Row(what: "`tenken check Fixtures/clinic-sakura`, whole process", measured: String(format: "%.0f ms", e2e * 1000), target: "well under 100 ms", met: e2e < 0.1))
        }

        var md = "| measurement | result | target | met |\n|---|---|---|---|\n"
        for r in rows { md += "| \(r.what) | \(r.measured) | \(r.target) | \(r.met.map { $0 ? "yes" : "**no**" } ?? "—") |\n" }
        let stamp = ISO8601DateFormatter().string(from: Date()).prefix(10)
        let header = "Measured \(stamp) on \(machine()), `swift build -c release`\(smoke ? ", smoke sizes (not meaningful as figures)" : "").\n\n"
        print(header + md)
        if let write {
            try (header + md).write(toFile: write, atomically: true, encoding: .utf8)
        }
        if smoke {
            // The smoke run checks that every measurement still runs, not the figures.
            print("benchmark smoke: \(rows.count) measurements ran")
        }
    }
}

/// `tenken-bench eval-loop N`: evaluates generated facilities repeatedly (for profilers).
enum EvalLoop {
    static func run(_ n: Int) {
        let pack = Checker.check(PackLoader.embedded().source).pack!
        let engine = Engine(pack: pack)
        let facilities: [Facility] = (0..<50).map { i in
            let (snap, _) = Generator.facility(id: "F-\(i)", size: Generator.size(for: i, seed: 11), seed: UInt64(i) &+ 99)
            var l = SnapshotLoader()
            return l.loadSnapshot(bytes: Array(snap.utf8), path: "f.json")!
        }
        let asOf = Day(iso: Generator.asOf)!
        for _ in 0..<n { for f in facilities { _ = engine.evaluate(f, asOf: asOf) } }
    }
}

/// `tenken-bench rss-probe LIST STEP`: loads and evaluates facilities one by one and prints
/// the resident set every STEP facilities, to tell retention from fragmentation.
enum RSSProbe {
    static func rss() -> Int {
        let s = (try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8)) ?? "0 0"
        return (Int(s.split(separator: " ")[1]) ?? 0) * 4
    }
    static func run(_ list: String, step: Int, evaluate: Bool) {
        let loaded = PackLoader.embedded()
        let pack = Checker.check(loaded.source).pack!
        let engine = Engine(pack: pack)
        let asOf = Day(iso: Generator.asOf)!
        let paths = ((try? String(contentsOfFile: list, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
        for (i, p) in paths.enumerated() {
            let input = try! FacilityInput.folder(p).get()
            let (f, _) = input.load(options: LoadOptions(), pack: loaded)
            if evaluate { _ = engine.evaluate(f!, asOf: asOf) }
            if i % step == 0 { print("\(i) \(rss()) KiB") }
        }
    }
}
