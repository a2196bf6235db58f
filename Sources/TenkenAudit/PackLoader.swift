import Foundation
import TenkenCheck
import TenkenData
import TenkenPack
import TenkenSyntax

/// A rule pack as files: rules, catalog, optional provider profile and rule tests.
public struct LoadedPack: Sendable {
    public var source: PackSource
    /// All text files by display path, for diagnostics with source lines.
    public var texts: [String: String]
    public var provider: (path: String, bytes: [UInt8])?
    /// The provider profile, read once when the pack is assembled (a batch would otherwise
    /// parse it again for every facility).
    public var providerProfile: (value: Value, location: SourceLocation?)?
    public var tests: [(path: String, bytes: [UInt8])]
    public var root: String
    /// The example facility `tenken init` writes (`example.json`: the snapshot, and the values
    /// that differ by facility kind), when the pack has one.
    public var example: (path: String, bytes: [UInt8])? = nil
    /// The pack's schema file (`schema.tenken` beside `pack.tenken`), if it has one.
    public var schemaFile: (path: String, text: String)?
    /// The schema the pack's rules are checked against and its facilities read with: its own
    /// schema file compiled, or the built-in schema (`PackLoader.builtInSchema`) for a pack
    /// without one, or whose file has errors (`schemaDiagnostics` reports them).
    public var schema: PackSchema
    /// The guide `tenken init` writes (`guide.txt`, `PackGuide`), when the pack has one; its
    /// errors are `guideDiagnostics`.
    public var guide: PackGuide? = nil
    public var guideDiagnostics: [Diagnostic] = []
}

public enum PackLoader {
    public static let embeddedRoot = "Rules/mcs"

    /// The embedded pack's schema (`Rules/mcs/schema.tenken`), compiled once per process; also
    /// the schema of a `--rules` pack without a schema file. A built-in schema that fails its own
    /// checks stops the program with the errors (tests run the same checks first, and the lint,
    /// which is left out here).
    public static let builtInSchema: PackSchema = {
        guard let text = EmbeddedPack.files.first(where: { $0.path == PackSchema.fileName })?.text else {
            fatalError("the built-in pack has no \(PackSchema.fileName); run scripts/embed-pack")
        }
        let (schema, diagnostics) = PackSchema.compile(
            text, file: embeddedRoot + "/" + PackSchema.fileName, lint: false)
        let problems = diagnostics.filter { $0.severity == .error }
        guard let schema, problems.isEmpty else {
            fatalError(
                "the built-in schema has errors; fix Rules/mcs/schema.tenken and run scripts/embed-pack:\n"
                    + problems.map(\.description).joined(separator: "\n"))
        }
        return schema
    }()

    /// The MCS pack compiled into the binary.
    public static func embedded() -> LoadedPack {
        assemble(EmbeddedPack.files.map { ($0.path, Array($0.text.utf8)) }, root: embeddedRoot)
    }

    /// A pack directory: `*.tenken` anywhere below it (rule tests under `tests/`),
    /// `catalog.tsv` and `provider.json` at its top.
    public static func directory(_ dir: String) -> Result<LoadedPack, Diagnostic> {
        var isDir: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: dir, isDirectory: &isDir)
        guard exists, isDir.boolValue else {
            let why = exists ? "is a file, not a directory: a rule pack is a folder" : "rule pack directory not found"
            return .failure(Diagnostic("check.no-pack", .error, why, at: SourceLocation(file: dir)))
        }
        guard let e = FileManager.default.enumerator(atPath: dir) else {
            return .failure(
                Diagnostic(
                    "check.no-pack", .error, "cannot list the rule pack directory", at: SourceLocation(file: dir)))
        }
        var files: [(String, [UInt8])] = []
        for case let rel as String in e {
            guard
                rel.hasSuffix(".tenken") || rel.hasSuffix(".tsv") || rel.hasSuffix(".json") || rel == PackGuide.fileName
            else { continue }
            let full = (dir as NSString).appendingPathComponent(rel)
            switch readInput(full, maxBytes: 64 << 20) {
            case .success(let bytes): files.append((rel, bytes))
            case .failure(let d): return .failure(d)
            }
        }
        files.sort { $0.0 < $1.0 }
        let root = dir.hasSuffix("/") ? String(dir.dropLast()) : dir
        return .success(assemble(files, root: root))
    }

    /// The pack's schema file checked: its own errors (syntax and meaning), and a warning for a
    /// `provider.json` the schema declares no `published` profile for (`check.unread-profile`).
    /// No errors for a pack without a schema file, which is read with the built-in one. At most
    /// `DiagnosticBag.packCap` of them, as for the rule files.
    public static func schemaDiagnostics(_ pack: LoadedPack) -> [Diagnostic] {
        var bag = DiagnosticBag(cap: DiagnosticBag.packCap)
        bag.add(contentsOf: uncappedSchemaDiagnostics(pack))
        return bag.items
    }

    static func uncappedSchemaDiagnostics(_ pack: LoadedPack) -> [Diagnostic] {
        // The guide's errors (`guide.txt`, located), then a published profile the schema has no
        // place for, which is not read: said, never silent.
        let unread: [Diagnostic] =
            pack.guideDiagnostics
            + (pack.schema.mechanisms.published != nil || pack.provider == nil
                ? []
                : [
                    Diagnostic(
                        DiagnosticID.checkUnreadProfile.rawValue, .warning,
                        "the pack's schema declares no published profile (`published S`), so this file is not read",
                        at: SourceLocation(file: pack.provider?.path ?? ""),
                        help: "declare `published S { … }` in the schema, or remove the file")
                ])
        guard let (path, text) = pack.schemaFile else { return unread }
        if text == builtInText { return unread }
        return PackSchema.compile(text, file: path).1 + unread
    }

    /// `published … max_age param P`: the schema is built without the manifest, so the loader
    /// checks here that the manifest declares `P` as a duration; an error at the schema's clause
    /// (`check.unknown-param`), as without it the profile's age would silently never be checked.
    /// `builtInSchema`: the pack has no schema file and reads the built-in one, whose clause names
    /// the built-in manifest's parameter; a pack of other rules that does not declare it gets a
    /// warning that the age is not checked (said, not silent), not an error it could not fix in
    /// its own files.
    public static func profileParamDiagnostics(_ pack: CheckedPack, builtInSchema: Bool = false) -> [Diagnostic] {
        guard let pub = pack.schema.mechanisms.published, let p = pub.maxAgeParam else { return [] }
        let problem =
            pack.paramIndex[p].map {
                pack.params[$0].type == .duration ? nil : "is \(pack.params[$0].type), not a duration"
            } ?? "is not a parameter of the manifest"
        guard let problem else { return [] }
        return [
            Diagnostic(
                DiagnosticID.checkUnknownParam.rawValue, builtInSchema ? .warning : .error,
                "`max_age param \(p)`: `\(p)` \(problem), so the profile's age "
                    + (builtInSchema ? "is not checked" : "would never be checked"),
                at: pub.maxAgeLocation,
                help: closestMatch(to: p, in: pack.params.map(\.name)).map { "did you mean `\($0)`?" }
                    ?? "declare `param \(p): duration = …` in pack.tenken")
        ]
    }

    /// The text of the embedded pack's schema file.
    static var builtInText: String? { EmbeddedPack.files.first { $0.path == PackSchema.fileName }?.text }

    static func assemble(_ files: [(String, [UInt8])], root: String) -> LoadedPack {
        var rules: [(path: String, text: String)] = []
        var catalog: (path: String, text: String)?
        var provider: (path: String, bytes: [UInt8])?
        var tests: [(path: String, bytes: [UInt8])] = []
        var example: (path: String, bytes: [UInt8])?
        var texts: [String: String] = [:]
        var schema: (path: String, text: String)?
        var guide: (PackGuide, [Diagnostic])?
        for (rel, bytes) in files {
            let path = root + "/" + rel
            if rel.hasPrefix("tests/") {
                if rel.hasSuffix(".json") { tests.append((path, bytes)) }
                continue
            }
            let text = String(decoding: bytes, as: UTF8.self)
            if rel == PackSchema.fileName {
                schema = (path, text)
                texts[path] = text
            } else if rel.hasSuffix(".tenken") {
                rules.append((path, text))
                texts[path] = text
            } else if rel == "catalog.tsv" {
                catalog = (path, text)
                texts[path] = text
            } else if rel == "provider.json" {
                provider = (path, bytes)
            } else if rel == "example.json" {
                example = (path, bytes)
            } else if rel == PackGuide.fileName {
                guide = PackGuide.parse(text, file: path)
                texts[path] = text
            }
        }
        // The pack's own schema where it has one that passes its checks; else the built-in one,
        // compiled only then (a third of the start of a batch whose pack has its own).
        var own: PackSchema?
        if let schema, schema.text != builtInText {
            let (compiled, diags) = PackSchema.compile(schema.text, file: schema.path)
            if let compiled, !diags.contains(where: { $0.severity == .error }) { own = compiled }
        }
        let packSchema = own ?? builtInSchema
        var profile: (Value, SourceLocation?)?
        if let provider, let pi = packSchema.mechanisms.published?.section {
            var l = SnapshotLoader(schema: packSchema)
            if let f = l.loadSnapshot(bytes: provider.bytes, path: provider.path), let v = f.roots[pi] {
                profile = (v, f.rootLocations[pi])
            }
        }
        return LoadedPack(
            source: PackSource(files: rules, catalog: catalog), texts: texts, provider: provider,
            providerProfile: profile,
            tests: tests, root: root, example: example, schemaFile: schema, schema: packSchema, guide: guide?.0,
            guideDiagnostics: guide?.1 ?? [])
    }
}
