import Foundation
import TenkenAudit
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenCLI

/// The pack's schema file from the command line: `lint` checks it with the rules, `fmt` keeps
/// it, and a `--rules` pack's schema that is not the built-in one is refused, not ignored.
struct SchemaFileCommandTests {
    func packCopy() throws -> URL {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-schema-\(UUID().uuidString)")
        try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("Rules/mcs"), to: tmp)
        return tmp
    }

    func edit(_ pack: URL, _ edits: [(String, String)]) throws {
        let file = pack.appendingPathComponent(PackSchema.fileName)
        var text = try String(contentsOf: file, encoding: .utf8)
        for (a, b) in edits {
            #expect(text.contains(a), "\(a)")
            text = text.replacingOccurrences(of: a, with: b)
        }
        try text.write(to: file, atomically: true, encoding: .utf8)
    }

    @Test func lintChecksAPacksSchemaWithItsRules() throws {
        let pack = try packCopy()
        defer { try? FileManager.default.removeItem(at: pack) }
        // A copy of the built-in schema, comments and all, is the built-in schema.
        try edit(pack, [("# The MCS pack's data model", "# A copy of the MCS pack's data model")])
        #expect(runCLI(["lint", "--rules", pack.path]).code == 0)
        try edit(pack, [("field vpn: bool", "field vpn: boolean"), ("not_before hired_on", "not_before hire_on")])
        let (code, _, err) = runCLI(["lint", "--rules", pack.path])
        #expect(code == 2)
        let path = pack.appendingPathComponent(PackSchema.fileName).path
        #expect(err.contains("\(path):") && err.contains("error[schema.unknown-type]: `boolean` is no type"))
        #expect(err.contains("error[schema.unknown-field]: record `staff_member` has no field `hire_on`"))
        #expect(err.contains("did you mean `hired_on`?"))
    }

    /// A schema with thousands of errors prints the first `DiagnosticBag.packCap`, as rule files
    /// do, each quoting its own line (the printer splits a file into lines once, not per error).
    @Test func schemaErrorsAreCappedLikeRules() throws {
        let pack = try packCopy()
        defer { try? FileManager.default.removeItem(at: pack) }
        let file = pack.appendingPathComponent(PackSchema.fileName)
        let text = try String(contentsOf: file, encoding: .utf8)
        let extra = (0..<3_000).map { "record e\($0) { field a: nosuch\($0) doc \"x\" }\n" }.joined()
        try (text + extra).write(to: file, atomically: true, encoding: .utf8)
        let (code, _, err) = runCLI(["lint", "--rules", pack.path])
        #expect(code == 2)
        let errors = err.split(separator: "\n").filter { $0.contains("error[schema.") }
        #expect(errors.count == DiagnosticBag.packCap, "\(errors.count)")
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).count
        for i in [0, 7, 250] {
            #expect(err.contains("\(lines + i) | record e\(i) { field a: nosuch\(i) doc \"x\" }"), "e\(i)")
        }
    }

    /// A `--rules` pack's own schema file is the one its rules are checked against and its
    /// facilities read with, whatever it says: a field's doc changed is shown by `schema`, and
    /// lint and check run as with the built-in one.
    @Test func aSchemaOtherThanTheBuiltInOneIsThePacks() throws {
        let pack = try packCopy()
        defer { try? FileManager.default.removeItem(at: pack) }
        try edit(pack, [("doc \"MCS is used over a VPN\"", "doc \"MCS is used over a VPN tunnel\"")])
        let lint = runCLI(["lint", "--rules", pack.path])
        #expect(lint.code == 0, "\(lint.err)")
        let mine = runCLI(["check", "Fixtures/clinic-sakura", "--rules", pack.path, "--format", "json"])
        let builtIn = runCLI(["check", "Fixtures/clinic-sakura", "--format", "json"])
        #expect(mine.code == builtIn.code, "\(mine.err)")
        #expect(!mine.err.contains("error["), "\(mine.err)")
        let schema = runCLI(["schema", "--rules", pack.path])
        #expect(schema.out.contains("MCS is used over a VPN tunnel"), "\(schema.err)")
    }

    @Test func fmtKeepsASchemaFileAndChecksItsSyntax() throws {
        let (code, out, _) = runCLI(["fmt", "Rules/mcs/schema.tenken"])
        #expect(code == 0)
        #expect(
            out
                == (try String(contentsOf: Repo.root.appendingPathComponent("Rules/mcs/schema.tenken"), encoding: .utf8))
        )
        #expect(runCLI(["fmt", "--check", "Rules/mcs/schema.tenken"]).code == 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("fmt-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let bad = dir.appendingPathComponent("schema.tenken")
        try "record a {\n  field x string doc \"x\"\n}\n".write(to: bad, atomically: true, encoding: .utf8)
        let (bc, _, berr) = runCLI(["fmt", "--write", bad.path])
        #expect(bc == 2)
        #expect(berr.contains("\(bad.path):2:11: error[syntax.unexpected-token]"))
    }

    /// `schema`, `convert` and `init` read with the schema of the pack `--rules` names: a copy
    /// of the built-in pack gives what the built-in one gives, and a pack whose schema file has
    /// errors is refused with them, before anything is read or written.
    @Test func schemaConvertAndInitTakeTheRulesPacksSchema() throws {
        let pack = try packCopy()
        let out = tempDir("rules-schema")
        defer {
            try? FileManager.default.removeItem(at: pack)
            try? FileManager.default.removeItem(at: out)
        }
        for format in ["markdown", "tables"] {
            let builtIn = runCLI(["schema", "--format", format])
            let copy = runCLI(["schema", "--format", format, "--rules", pack.path])
            #expect(copy.code == 0 && copy.out == builtIn.out, "\(format)")
        }
        // The JSON Schema names the schema file it was generated from.
        let copy = runCLI(["schema", "--rules", pack.path])
        #expect(copy.code == 0 && copy.out == Docs.snapshotJSONSchema(PackLoader.builtInSchema, packDir: pack.path))
        #expect(copy.out.contains("from \(pack.path)/schema.tenken"))
        let converted = runCLI(["convert", "Fixtures/clinic-sakura", "--to", "json", "--rules", pack.path])
        #expect(converted.code == 0)
        #expect(converted.out == runCLI(["convert", "Fixtures/clinic-sakura", "--to", "json"]).out)
        let folder = out.appendingPathComponent("clinic").path
        #expect(runCLI(["init", folder, "--rules", pack.path]).code == 0)
        #expect(FileManager.default.fileExists(atPath: folder + "/facility.csv"))
        try edit(pack, [("field vpn: bool", "field vpn: boolean")])
        for args in [
            ["schema"], ["convert", "Fixtures/clinic-sakura", "--to", "json"],
            ["init", out.appendingPathComponent("other").path],
        ] {
            let (code, stdout, err) = runCLI(args + ["--rules", pack.path])
            #expect(code == 2 && stdout.isEmpty, "\(args)")
            #expect(err.contains("error[schema.unknown-type]: `boolean` is no type"), "\(args)")
        }
        #expect(!FileManager.default.fileExists(atPath: out.appendingPathComponent("other").path))
    }
}
