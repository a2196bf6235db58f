import Foundation
import TenkenCheck
import TenkenData
import TenkenSyntax
import Testing

@testable import TenkenEval

/// Nothing in the evaluator or the checker reads the statements, the roster or the
/// appointments by name: in a copy of the MCS pack whose `attestations`, `staff` and `roles`
/// sections and their mechanism fields are renamed (schema, manifest, rules, catalog, and the
/// fixtures' JSON keys), every JSON fixture gets the same state per rule and the same number of
/// violations as with the MCS names. A name the engine still looked up would find nothing in the
/// renamed copy, and a statement or signer check would come out differently.
struct RenamedMechanismsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The MCS names renamed: the three sections and the fields of `statements`, `roster` and
    /// `appointments` that are not also keywords of the mechanism declarations (`role`, `by`).
    static let renamed = ["attestations", "staff", "roles", "signed_on", "by_role", "hired_on", "left_on", "staff_id"]

    /// Every whole-word use of a renamed name in a text (identifiers, and templates' `{…}`).
    static func rename(_ text: String) -> String {
        var out = text
        for name in renamed {
            out = out.replacingOccurrences(
                of: "(?<![A-Za-z0-9_-])" + name + "(?![A-Za-z0-9_-])", with: "z_" + name, options: .regularExpression)
        }
        return out
    }

    /// A JSON value with every object key that is a renamed name renamed.
    static func rename(json: Any) -> Any {
        if let o = json as? [String: Any] {
            var r: [String: Any] = [:]
            for (k, v) in o { r[renamed.contains(k) ? "z_" + k : k] = rename(json: v) }
            return r
        }
        if let a = json as? [Any] { return a.map(rename(json:)) }
        return json
    }

    static func read(_ rel: String) throws -> String {
        try String(contentsOf: root.appendingPathComponent(rel), encoding: .utf8)
    }

    /// The MCS pack, checked against its schema, with every text passed through `edit`.
    static func pack(_ edit: (String) -> String) throws -> (CheckedPack, PackSchema) {
        try pack(schema: edit, rules: edit, catalog: edit)
    }

    /// The MCS pack, checked against its schema, with the schema file passed through `schema`,
    /// the manifest and rule files through `rules` and the catalog through `catalog`.
    static func pack(
        schema edit: (String) -> String, rules editRules: (String) -> String, catalog editCatalog: (String) -> String
    ) throws -> (CheckedPack, PackSchema) {
        let dir = "Rules/mcs/"
        let (schema, diags) = PackSchema.compile(edit(try read(dir + PackSchema.fileName)), file: "schema.tenken")
        let s = try #require(schema, "\(diags.filter { $0.severity == .error })")
        let rules = try FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent(dir + "rules").path)
            .filter { $0.hasSuffix(".tenken") }.sorted()
        var files = [(path: "pack.tenken", text: editRules(try read(dir + "pack.tenken")))]
        for r in rules { files.append((path: "rules/" + r, text: editRules(try read(dir + "rules/" + r)))) }
        let o = Checker.check(
            PackSource(files: files, catalog: ("catalog.tsv", editCatalog(try read(dir + "catalog.tsv")))), schema: s)
        let errors = o.diagnostics.filter { $0.severity == .error }
        #expect(errors.isEmpty, "\(errors.prefix(5))")
        return (try #require(o.pack), s)
    }

    @Test func renamedSectionsAndFieldsGiveTheSameVerdicts() throws {
        let (mcs, mcsSchema) = try Self.pack { $0 }
        let (renamed, renamedSchema) = try Self.pack(Self.rename)
        // The renamed schema's mechanisms sit where MCS's do, under the new names.
        let st = try #require(renamedSchema.mechanisms.statements)
        #expect(renamedSchema.sections[st.section].name == "z_attestations")
        #expect(renamedSchema.sections[st.section].record.fields[st.signedOn].name == "z_signed_on")
        let roster = try #require(renamedSchema.mechanisms.roster)
        #expect(renamedSchema.sections[roster.section].name == "z_staff")
        #expect(renamedSchema.sections[try #require(renamedSchema.mechanisms.appointments).section].name == "z_roles")

        let (attested, signerRefusals) = try Self.sameVerdicts(
            mcs: (mcs, mcsSchema), renamed: (renamed, renamedSchema), renameJSON: Self.rename(json:))
        // The fixtures exercise what the rename is about: statements that count, and signers refused.
        #expect(attested > 0 && signerRefusals > 0, "attested \(attested), signer refusals \(signerRefusals)")
    }

    /// Every JSON fixture (`Fixtures/*/snapshot.json`) evaluated with `mcs` and, its keys passed
    /// through `renameJSON`, with `renamed`: the same rules, and per rule the same state and the
    /// same numbers of violations and undetermined elements. Returns how many rules were
    /// attested, and how many refused a signer, over all fixtures.
    static func sameVerdicts(
        mcs: (CheckedPack, PackSchema), renamed: (CheckedPack, PackSchema), renameJSON: (Any) -> Any
    ) throws -> (attested: Int, signerRefusals: Int) {
        let (mcs, mcsSchema) = mcs
        let (renamed, renamedSchema) = renamed
        let fixtures = try FileManager.default.contentsOfDirectory(
            atPath: Self.root.appendingPathComponent("Fixtures").path
        ).sorted().filter {
            FileManager.default.fileExists(
                atPath: Self.root.appendingPathComponent("Fixtures/\($0)/snapshot.json").path)
        }
        #expect(fixtures.count >= 5, "\(fixtures)")
        let asOf = try #require(Day(iso: "2026-11-01"))
        var attested = 0
        var signerRefusals = 0
        for name in fixtures {
            let bytes = try Data(contentsOf: Self.root.appendingPathComponent("Fixtures/\(name)/snapshot.json"))
            let renamedBytes = try JSONSerialization.data(
                withJSONObject: renameJSON(try JSONSerialization.jsonObject(with: bytes)), options: [.sortedKeys]
            )
            func run(_ pack: CheckedPack, _ schema: PackSchema, _ b: Data) throws -> FacilityResult {
                var l = SnapshotLoader(schema: schema)
                let loaded = l.loadSnapshot(bytes: Array(b), path: name + ".json")
                let f = try #require(loaded, "\(name): \(l.diagnostics.filter { $0.severity == .error })")
                return Engine(pack: pack).evaluate(f, asOf: asOf).0
            }
            let a = try run(mcs, mcsSchema, bytes)
            let b = try run(renamed, renamedSchema, renamedBytes)
            #expect(a.results.map(\.ruleID) == b.results.map(\.ruleID))
            for (x, y) in zip(a.results, b.results) {
                #expect(
                    x.state == y.state && x.violationCount == y.violationCount
                        && x.undeterminedCount == y.undeterminedCount,
                    "\(name) \(x.ruleID): \(x.state) \(x.violationCount) / renamed \(y.state) \(y.violationCount)")
                if x.state == .attested { attested += 1 }
                if x.reason?.ja.contains("回答者 ") == true { signerRefusals += 1 }
            }
            #expect(
                (a.providerProfile?.asOf, a.providerProfile?.stale) == (
                    b.providerProfile?.asOf, b.providerProfile?.stale
                ))
        }
        return (attested, signerRefusals)
    }
}
