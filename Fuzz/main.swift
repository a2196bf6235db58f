import Foundation
import TenkenData
import TenkenSyntax

// tenken-fuzz TARGET [libFuzzer options…] — TARGET is `parser`, `json`, `csv` or `snapshot`.
// Built by scripts/fuzz.sh with coverage instrumentation and libFuzzer linked in; in a
// normal build the driver is absent and this says so (the target still compiles and links).

typealias Callback = @convention(c) (UnsafePointer<UInt8>?, Int) -> Int32
typealias Driver = @convention(c) (UnsafeMutablePointer<Int32>, UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>, Callback) -> Int32

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

let jsonTarget: Callback = { data, size in
    _ = JSONReader.parse(bytes(data, size), file: "fuzz.json", limits: JSONLimits(maxDepth: 256, maxBytes: 1 << 20))
    return 0
}

let csvTarget: Callback = { data, size in
    var l = SnapshotLoader()
    _ = l.loadTable(bytes: bytes(data, size), path: "fuzz.csv", schema: SnapshotSchema.device)
    return 0
}

let snapshotTarget: Callback = { data, size in
    var l = SnapshotLoader()
    if let f = l.loadSnapshot(bytes: bytes(data, size), path: "fuzz.json") {
        // Every located value must resolve to a place inside the input.
        for case .list(let xs)? in f.roots { for case .record(let r) in xs { _ = r.origin.resolved } }
    }
    return 0
}

let targets: [String: Callback] = ["parser": parserTarget, "json": jsonTarget, "csv": csvTarget, "snapshot": snapshotTarget]
var args = CommandLine.arguments
guard args.count >= 2, let target = targets[args[1]] else {
    FileHandle.standardError.write(Data("usage: tenken-fuzz parser|json|csv|snapshot [libFuzzer options]\n".utf8))
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
