import Foundation
import TenkenBenchKit

// tenken-bench generate DIR --count N [--seed S] [--corrupt-every K]
// tenken-bench huge DIR [--divide D]
// tenken-bench eval-loop N [--rules DIR] [--jsonl FILE]   (evaluation only, for profilers)
// tenken-bench run …  (see bench/run)
// tenken-bench workbook [--smoke]   (only the workbook reader against the CSV reader, then a clinic
//                                    read end to end and checked as a workbook and as CSV tables)
// tenken-bench workbook-loop N [--csv|--typed] [--facility]   (reads 10 clinics' workbooks, their CSV tables, or
//                                               their CSV tables typed, N times, for profilers; --facility:
//                                               the typed facility from disk, as the commands read it)
let args = Array(CommandLine.arguments.dropFirst())
func option(_ name: String) -> String? {
    guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
    return args[i + 1]
}
func fail(_ s: String) -> Never {
    FileHandle.standardError.write(Data((s + "\n").utf8))
    exit(64)
}

switch args.first {
case "generate":
    guard args.count >= 2, let count = Int(option("--count") ?? "") else {
        fail("usage: tenken-bench generate DIR --count N [--seed S] [--corrupt-every K]")
    }
    let seed = UInt64(option("--seed") ?? "") ?? 20_251_101
    let corrupt = try Generator.writeBatch(
        to: args[1], count: count, seed: seed, corruptEvery: option("--corrupt-every").flatMap(Int.init),
        clinicsOnly: args.contains("--clinics"))
    print("wrote \(count) facilities to \(args[1]) (\(corrupt) corrupt), consistent with as-of \(Generator.asOf)")
case "eval-loop":
    EvalLoop.run(Int(args.dropFirst().first ?? "") ?? 10, rules: option("--rules"), jsonl: option("--jsonl"))
case "rss-probe":
    RSSProbe.run(args[1], step: Int(args[2]) ?? 500, evaluate: !args.contains("--load-only"))
case "huge":
    guard args.count >= 2 else { fail("usage: tenken-bench huge DIR [--divide D]") }
    let d = Int(option("--divide") ?? "") ?? 1
    let size = FacilitySize.huge.scaled(by: d)
    let (snap, csv) = Generator.facility(id: "F-HUGE-\(d)", size: size, seed: 7)
    try FileManager.default.createDirectory(atPath: args[1], withIntermediateDirectories: true)
    try Data(snap.utf8).write(to: URL(fileURLWithPath: args[1] + "/snapshot.json"))
    try Data(csv.utf8).write(to: URL(fileURLWithPath: args[1] + "/devices.csv"))
    print("wrote one facility (\(size)) to \(args[1])")
case "workbook-loop":
    WorkbookBench.loop(
        Int(args.dropFirst().first ?? "") ?? 10, csv: args.contains("--csv"), typed: args.contains("--typed"),
        facility: args.contains("--facility"))
case "workbook":
    let r = WorkbookBench.run(smoke: args.contains("--smoke"), time: BenchmarkMain.time)
    print("\(r.what): \(r.measured)")
    let exe = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
        "tenken"
    ).path
    let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-bench-wb-\(getpid())").path
    defer { try? FileManager.default.removeItem(atPath: tmp) }
    for e in try WorkbookBench.endToEnd(smoke: args.contains("--smoke"), exe: exe, dir: tmp, time: BenchmarkMain.time) {
        print("\(e.what): \(e.measured) (target \(e.target))")
    }
    if !args.contains("--smoke") { print(WorkbookBench.breakdown(time: BenchmarkMain.time)) }
default:
    try BenchmarkMain.run(args)
}
