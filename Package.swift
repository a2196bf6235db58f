// swift-tools-version:6.0
import PackageDescription

// Data flows one way: Syntax → Data → Check → Eval → Report, with a thin CLI on top.
// Data (snapshot schema and loaders) sits before Check because the checker types rules
// against the snapshot schema, which lives with the loaders as its single source of truth.
let package = Package(
    name: "tenken",
    products: [
        .executable(name: "tenken", targets: ["tenken"])
    ],
    targets: [
        .target(name: "TenkenSyntax"),
        // The snapshot schema is a value (`PackSchema`) the pack brings; TenkenAudit compiles the
        // embedded pack's once per process and hands it to every reader.
        .target(name: "TenkenData", dependencies: ["TenkenSyntax", "TenkenWorkbook"]),
        .target(name: "TenkenCheck", dependencies: ["TenkenSyntax", "TenkenData"]),
        .target(name: "TenkenEval", dependencies: ["TenkenSyntax", "TenkenData", "TenkenCheck"]),
        // The system libxml2 (Debian: libxml2-dev), for XML and HTML built with its tree API.
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .target(
            name: "TenkenReport",
            dependencies: ["TenkenSyntax", "TenkenData", "TenkenCheck", "TenkenEval", "CLibXML2"]),
        // The system zlib (zlib1g-dev, which a Swift toolchain on Linux already needs), for the
        // zip container of .xlsx workbooks.
        .systemLibrary(name: "CZlib", providers: [.apt(["zlib1g-dev"])]),
        // Excel workbooks (.xlsx): the zip container, SpreadsheetML read with libxml2's streaming
        // reader, and a writer. Knows nothing of the snapshot schema; the table loader builds on it.
        .target(name: "TenkenWorkbook", dependencies: ["TenkenSyntax", "CZlib", "CLibXML2"]),
        // The MCS rule pack, embedded as generated Swift source (scripts/embed-pack).
        .target(name: "TenkenPack"),
        // What a run does besides reading its arguments: loading the pack (embedded or a
        // folder), the rule-test runner, waivers and baselines, the exit-code policy, the
        // machinery that writes atomically and never over an input, a batch's worker pool and
        // output folder, conversion, init's template and attestation saves. It prints nothing;
        // the CLI parses, calls, prints.
        .target(
            name: "TenkenAudit",
            dependencies: [
                "TenkenSyntax", "TenkenData", "TenkenCheck", "TenkenEval", "TenkenReport", "TenkenPack",
            ]),
        .target(
            name: "TenkenCLI",
            dependencies: [
                "TenkenSyntax", "TenkenData", "TenkenCheck", "TenkenEval", "TenkenReport", "TenkenPack", "TenkenAudit",
            ]),
        .executableTarget(name: "tenken", dependencies: ["TenkenCLI"]),
        // The benchmark: a deterministic facility generator and the runner behind bench/run.
        .target(name: "TenkenBenchKit", dependencies: ["TenkenSyntax"], path: "bench/Kit"),
        .executableTarget(
            name: "tenken-bench",
            dependencies: ["TenkenBenchKit", "TenkenAudit", "TenkenCLI", "TenkenWorkbook", "TenkenPack", "CLibXML2"],
            path: "bench/Runner"),
        // libFuzzer targets; scripts/fuzz.sh builds them instrumented.
        .executableTarget(
            name: "tenken-fuzz",
            dependencies: [
                "TenkenSyntax", "TenkenData", "TenkenWorkbook", "TenkenCheck", "TenkenEval",
                "TenkenReport", "TenkenPack", "TenkenAudit", "TenkenCLI",
            ], path: "Fuzz"),
        .testTarget(name: "TenkenSyntaxTests", dependencies: ["TenkenSyntax"]),
        .testTarget(name: "TenkenDataTests", dependencies: ["TenkenData"]),
        .testTarget(
            name: "TenkenWorkbookTests",
            dependencies: ["TenkenWorkbook", "TenkenSyntax", "TenkenBenchKit", "CZlib", "CLibXML2"],
            exclude: ["Fixtures"]),
        .testTarget(name: "TenkenCheckTests", dependencies: ["TenkenCheck", "TenkenPack", "TenkenAudit"]),
        // The library under the CLI, called directly: the batch's worker pool and output folder,
        // conversion, the init template, attestation saves.
        .testTarget(
            name: "TenkenAuditTests",
            dependencies: ["TenkenAudit", "TenkenCheck", "TenkenData", "TenkenEval", "TenkenReport", "TenkenSyntax"]),
        .testTarget(name: "TenkenEvalTests", dependencies: ["TenkenEval", "TenkenCheck", "TenkenData", "TenkenAudit"]),
        // The report tests that run whole `check` commands (formats end to end, SARIF bundles) need the CLI.
        .testTarget(name: "TenkenReportTests", dependencies: ["TenkenReport", "TenkenAudit", "TenkenCLI", "CLibXML2"]),
        .testTarget(
            name: "TenkenCLITests",
            dependencies: [
                "TenkenCLI", "TenkenAudit", "TenkenPack", "TenkenBenchKit", "TenkenCheck", "TenkenData", "TenkenEval",
                "TenkenReport", "TenkenWorkbook", "tenken",
            ]),
    ],
    swiftLanguageModes: [.v6]
)
