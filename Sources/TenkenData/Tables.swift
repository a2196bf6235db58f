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

/// Helpers of a facility folder's tables that name no pack; the tables themselves are the
/// schema value's (`PackSchema.tables`, `profileKeys`, `tableForSection`).
public enum SnapshotTables {
    /// The profile keys of a schema's single sections, in order: a record-typed field's fields
    /// are keys of their own (`service.password.min_length`).
    public static func profileKeys(
        of sections: [(name: String, shape: SectionSchema.Shape, record: RecordSchema)]
    )
        -> [ProfileKey]
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
