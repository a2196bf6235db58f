import TenkenSyntax

/// One spreadsheet table of a facility kept as a folder of CSV files. Together the tables
/// hold exactly what a JSON snapshot holds: the profile table carries the single sections as
/// key/value rows, a collection is one table, and a list nested in a collection (group
/// members, partial refusals) is a table of its own linked by the parent's id.
public struct TableSpec: Sendable {
    public enum Shape: Sendable {
        /// Key/value rows: `facility.*`, `service.*`, `service.password.*`, `provider.*`,
        /// `parameter.*` and `schema_version`.
        case profile
        /// One row per element of a top-level collection.
        case collection(root: Int)
        /// One row per element of a list field of another table's rows, linked by `link`.
        case nested(parent: String, listField: String, link: String)
        /// More columns for another nested table's rows, matched on its link and `key`
        /// (invitations complete group members).
        case supplement(of: String, key: String)
    }

    /// File base name, in English (`staff` → `staff.csv`).
    public let name: String
    /// The Japanese file name also accepted (`職員` → `職員.csv`).
    public let nameJa: String
    public let doc: String
    public let docJa: String
    public let shape: Shape
    /// The schema of the elements the rows become; nil for the profile.
    public let record: RecordSchema?
    /// The table's columns in order: link columns first, then the record's fields it holds.
    public let rowSchema: RecordSchema

    public var fileName: String { name + ".csv" }
    public var columns: [FieldSchema] { rowSchema.fields }
}

/// The tables of a facility folder, in the order a person fills them in.
public enum SnapshotTables {
    /// The member fields kept in invitations.csv rather than group_members.csv.
    static let invitationFields = ["invited_on", "approved_by", "approved_on"]

    public static let profileColumns = [
        fieldSchema(
            "key", .string,
            "what the row sets: `facility.kind`, `service.password.min_length`, `parameter.training.period`…",
            ja: "項目"),
        fieldSchema("value", .string, "the value; blank when unknown", ja: "値"),
        fieldSchema("description", .string, "what the key means (not read)", ja: "説明"),
    ]

    public static let all: [TableSpec] = {
        func collection(_ root: SnapshotRoot, _ ja: String, _ docJa: String, excluding: [String] = []) -> TableSpec {
            let r = SnapshotSchema.roots[root.index]
            return TableSpec(
                name: root.name, nameJa: ja, doc: r.doc, docJa: docJa, shape: .collection(root: root.index),
                record: r.record,
                rowSchema: excluding.isEmpty
                    ? r.record
                    : RecordSchema(
                        r.record.name, id: r.record.idField, r.record.fields.filter { !excluding.contains($0.name) }))
        }
        let groupLink = fieldSchema("group_id", .string, "the group (groups.csv)", ja: "グループID")
        let member = SnapshotSchema.member
        return [
            TableSpec(
                name: "facility", nameJa: "施設",
                doc: "facility profile, MCS settings, provider profile and parameter overrides (key/value)",
                docJa: "施設の基本情報・MCSの設定・パラメータ（項目と値）", shape: .profile, record: nil,
                rowSchema: RecordSchema("profile_row", id: "key", profileColumns)),
            collection(.roles, "役割", "責任者の任命"),
            collection(.staff, "職員", "職員名簿（仮名IDのみ）"),
            collection(.accounts, "アカウント", "MCSアカウント"),
            collection(.devices, "端末", "端末台帳"),
            collection(.networks, "ネットワーク", "Wi-Fiネットワーク"),
            collection(.patients, "患者", "患者（仮名IDのみ）"),
            collection(.groups, "グループ", "MCSグループ", excluding: ["members"]),
            TableSpec(
                name: "group_members", nameJa: "グループメンバー", doc: "members of each group", docJa: "グループのメンバー",
                shape: .nested(parent: "groups", listField: "members", link: "group_id"), record: member,
                rowSchema: RecordSchema(
                    "group_member_row", id: "account_id",
                    [groupLink] + member.fields.filter { !invitationFields.contains($0.name) })),
            TableSpec(
                name: "invitations", nameJa: "招待", doc: "invitations of group members and their approval",
                docJa: "メンバーの招待と承認",
                shape: .supplement(of: "group_members", key: "account_id"), record: member,
                rowSchema: RecordSchema(
                    "invitation_row", id: "account_id",
                    [groupLink] + member.fields.filter { $0.name == "account_id" || invitationFields.contains($0.name) }
                )),
            collection(.consents, "同意", "患者の同意", excluding: ["refusals"]),
            TableSpec(
                name: "consent_refusals", nameJa: "一部不同意", doc: "partial refusals written on consent forms",
                docJa: "同意書の一部不同意",
                shape: .nested(parent: "consents", listField: "refusals", link: "consent_id"),
                record: SnapshotSchema.refusal,
                rowSchema: RecordSchema(
                    "refusal_row", id: "clause",
                    [fieldSchema("consent_id", .string, "the consent (consents.csv)", ja: "同意ID")]
                        + SnapshotSchema.refusal.fields)),
            collection(.documents, "文書", "規程・文書"),
            collection(.incidents, "インシデント", "インシデント"),
            collection(.monitoring, "モニタリング", "モニタリング・アクセス確認の記録"),
            collection(.attestations, "確認", "責任者による確認（自己申告）"),
        ]
    }()

    public static func spec(_ name: String) -> TableSpec? { all.first { $0.name == name } }

    /// The table that holds a top-level section, for "this rule needs table X".
    public static let tableForRoot: [String] = SnapshotSchema.roots.enumerated().map { i, r in
        for t in all { if case .collection(let ri) = t.shape, ri == i { return t.fileName } }
        return "facility.csv"
    }

    /// Profile keys of the single sections, in order: `facility.id` … `provider.patient_verification`.
    /// Every key of the profile table: its section (`service.password`), and the field with its
    /// index in that section's schema (`profileSchema(section)`).
    public static let profileKeys: [(key: String, section: String, field: FieldSchema, index: Int)] = profileKeys(
        of: SnapshotSchema.roots.map { ($0.name, $0.shape, $0.record) })

    /// The profile keys of a schema's single sections, in order: a record-typed field's fields
    /// are keys of their own (`service.password.min_length`).
    public static func profileKeys(
        of sections: [(name: String, shape: RootSchema.Shape, record: RecordSchema)]
    )
        -> [(key: String, section: String, field: FieldSchema, index: Int)]
    {
        var out: [(String, String, FieldSchema, Int)] = []
        for (section, shape, schema) in sections where shape == .single {
            for (fi, fld) in schema.fields.enumerated() {
                if case .record(let inner) = fld.type {
                    for (gi, g) in inner.fields.enumerated() {
                        out.append(("\(section).\(fld.name).\(g.name)", "\(section).\(fld.name)", g, gi))
                    }
                } else {
                    out.append(("\(section).\(fld.name)", section, fld, fi))
                }
            }
        }
        return out
    }

    /// Words for an explicitly empty list in a cell; a blank cell means "not known".
    public static let emptyListWords: Set<String> = ["なし", "none", "-", "ー"]
}
