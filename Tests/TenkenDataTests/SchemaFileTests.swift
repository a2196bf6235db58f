import Foundation
import TenkenSyntax
import Testing

@testable import TenkenData

/// Rules/mcs/schema.tenken, the MCS pack's data model as pack data, against the schema the
/// engine reads snapshots with: every section, record, field and table, attribute by attribute.
struct SchemaEquivalenceTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func mcsSchema() throws -> PackSchema {
        let path = repo.appendingPathComponent("Rules/mcs/schema.tenken").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let (schema, diags) = PackSchema.compile(text, file: "Rules/mcs/schema.tenken")
        #expect(diags.isEmpty, "\(diags.map(\.description))")
        return try #require(schema)
    }

    /// Every attribute of a value in words, so a difference names where it is.
    static func describe(_ v: Value) -> String { "\(v)" }

    static func describe(_ c: AbsenceCondition) -> String {
        "\(c.scope) \(c.field) \(c.values.map(describe))"
    }

    static func describe(_ a: Absence) -> String {
        switch a {
        case .unknown: "unknown"
        case .none(let en, let ja, let cs):
            "none \(en) | \(ja) | \(cs.map(describe)) | \(a.meaning.map { "\($0)" } ?? "")"
        case .assumed(let v, let en, let ja, let cs):
            "assumed \(describe(v)) \(en) | \(ja) | \(cs.map(describe)) | \(a.meaning.map { "\($0)" } ?? "")"
        }
    }

    static func describe(_ t: FieldType) -> String {
        switch t {
        case .record(let r): "record(" + describe(r) + ")"
        case .list(let inner): "list(" + describe(inner) + ")"
        case .duration(let u): "duration(\(u))"
        default: t.description
        }
    }

    static func describe(_ f: FieldSchema) -> [String] {
        [
            "name \(f.name)", "type \(describe(f.type))", "absent \(describe(f.absent))",
            "notBefore \(f.notBefore ?? "-")", "past \(f.pastOnly)", "references \(f.references ?? "-")",
            "identifier \(f.identifier)", "zero \(f.zeroIsAmbiguous)", "aliases \(f.aliases)", "doc \(f.doc)",
            "docJa \(f.docJa)", "choicesJa \(f.choicesJa.sorted { $0.key < $1.key })",
            "byLabel \(f.choiceByLabel.sorted { $0.key < $1.key })",
        ].map { "\(f.name): \($0)" }
    }

    static func describe(_ r: RecordSchema) -> String { describeLines(r).joined(separator: "\n") }

    static func describeLines(_ r: RecordSchema) -> [String] {
        var out = [
            "record \(r.name) id \(r.idField ?? "-") unique \(r.uniqueIDs) idIndex \(String(describing: r.idIndex))",
            "exclusions "
                + r.exclusions.map { "\($0.field) \($0.values) \($0.excludes) \($0.when)" }.joined(separator: "; "),
            "nonEmpty " + r.nonEmpty.map { "\($0.list) \($0.field) \($0.values)" }.joined(separator: "; "),
            "denials "
                + r.denials.map { d in
                    "\(d.flag) \(d.list) \(d.any.map { "\($0.field) \($0.values.map(describe))" }) \(d.pastWhen ?? "-")"
                }.joined(separator: "; "),
            "bounds "
                + r.bounds.map {
                    "\($0.field) \(String(describing: $0.min)) \(String(describing: $0.max)) \($0.when) \($0.values) \($0.why)"
                }
                .joined(separator: "; "),
            "headers \(r.headerIndex.sorted { $0.key < $1.key })",
            "needsResolution \(r.needsResolution) cross \(r.crossConditions.map { "\($0.field) \($0.conditions.map(describe))" })",
        ]
        for f in r.fields { out += describe(f) }
        return out
    }

    static func describe(_ t: TableSpec) -> [String] {
        let shape: String =
            switch t.shape {
            case .profile: "profile"
            case .collection(let i): "collection \(i)"
            case .nested(let p, let l, let k): "nested \(p) \(l) \(k)"
            case .supplement(let o, let k): "supplement \(o) \(k)"
            }
        return [
            "table \(t.name) \(t.nameJa) \(t.doc) \(t.docJa) \(shape) record \(t.record?.name ?? "-")",
            "row \(t.rowSchema.name) same-as-record \(t.record.map { $0 === t.rowSchema } ?? false)",
        ] + describeLines(t.rowSchema)
    }

    @Test func theSchemaFileIsTheSchemaTheEngineReadsWith() throws {
        let file = try Self.mcsSchema()
        #expect(file.sections.map(\.name) == SnapshotSchema.roots.map(\.name))
        for (a, b) in zip(file.sections, SnapshotSchema.roots) {
            #expect(a.shape == b.shape && a.doc == b.doc, "section \(a.name)")
            let (x, y) = (Self.describeLines(a.record), Self.describeLines(b.record))
            #expect(x == y, "section \(a.name): \(zip(x, y).filter { $0 != $1 }.prefix(3))")
        }
        #expect(file.tables.map(\.name) == SnapshotTables.all.map(\.name))
        for (a, b) in zip(file.tables, SnapshotTables.all) {
            let (x, y) = (Self.describe(a), Self.describe(b))
            #expect(x == y, "table \(a.name): \(zip(x, y).filter { $0 != $1 }.prefix(3))")
        }
        #expect(file.choiceSets["job"] == SnapshotSchema.jobs)
        #expect(file.choiceSets["role"] == SnapshotSchema.roles)
        #expect(file.choiceSets["facility_kind"] == SnapshotSchema.facilityKinds)
    }
}
