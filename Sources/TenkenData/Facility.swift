import TenkenSyntax

/// A raw parameter override from a snapshot's `parameters` section or `--param`; typed later
/// against the pack's declaration.
public struct ParamOverride: Sendable {
    public enum Raw: Sendable, Equatable {
        case int(Int), bool(Bool), string(String), list([Raw])
    }
    public var name: String
    public var value: Raw
    public var location: SourceLocation
    /// `snapshot` or `command line`.
    public var origin: String

    public init(name: String, value: Raw, location: SourceLocation, origin: String) {
        self.name = name
        self.value = value
        self.location = location
        self.origin = origin
    }
}

/// One facility's evidence: every top-level section of the snapshot schema, with `nil` for a
/// section the inputs did not contain (a rule that needs it then reports `error`).
public struct Facility: Sendable {
    public var id: String
    public var roots: [Value?]
    /// Where each section starts in the input, for findings that name no element
    /// (e.g. "no backup plan on file" points at `documents`); resolved when read.
    public var rootLocations: SectionPlaces
    public var overrides: [ParamOverride]
    /// Input files, for reports (SARIF artifacts).
    public var sources: [String]
    /// For a facility kept as tables: the table file each section comes from, so a rule
    /// that needs an absent section can name the table to add.
    public var tables: [String]?
    /// The tables are the sheets of one workbook (`tables` names sheets, `[職員]`).
    public var tablesInWorkbook = false
    /// `normalised()` has been applied: ids take one spelling, and blanks other records
    /// contradict are unknown.
    public var isNormalised = false
    /// The schema the evidence was read with (`roots` is indexed by its sections): one reference
    /// per facility, so a section by name, the consistency checks and normalising need no more.
    public let schema: PackSchema

    public init(
        id: String, roots: [Value?], schema: PackSchema, overrides: [ParamOverride] = [], sources: [String] = []
    ) {
        self.id = id
        self.schema = schema
        self.roots = roots
        rootLocations = SectionPlaces(count: roots.count)
        self.overrides = overrides
        self.sources = sources
    }

    public subscript(root name: String) -> Value? {
        guard let i = schema.sectionIndex[name] else { return nil }
        return roots[i]
    }

    /// The record of the audited subject: the single section the pack's `subject` names, nil
    /// when the pack declares none or the input lacks it.
    public var facilityRecord: Record? { schema.subjectRecord(in: roots) }

    /// The subject's name (`subject S { name F }`), when the pack declares one and the input
    /// gives it.
    public var subjectName: String? {
        guard let f = schema.mechanisms.subject?.name, let r = facilityRecord, case .string(let s) = r.values[f]
        else { return nil }
        return s
    }
}

/// Where each top-level section of a facility starts, by section index. A snapshot's places are
/// kept as byte offsets and turned into line and column only when read: most facilities never
/// show one (a finding names a section only when no element of it is at fault), and working out
/// every section's line for every facility was 5% of an 8-rule batch (issue 15).
public struct SectionPlaces: Sendable, Equatable {
    enum Place: Sendable {
        case none
        case shown(SourceLocation)
        /// Byte `offset` of `source`, with the section's JSON pointer.
        case offset(SourceFile, Int, String?)
    }
    var places: [Place]

    /// `count` sections, none with a place.
    public init(count: Int) { places = [Place](filling: .none, count: count) }

    public var count: Int { places.count }

    /// Section `i`'s place (line and column worked out now), nil when it has none.
    public subscript(i: Int) -> SourceLocation? {
        get {
            switch places[i] {
            case .none: nil
            case .shown(let l): l
            case .offset(let src, let offset, let path): src.location(offset: offset, path: path)
            }
        }
        set { places[i] = newValue.map(Place.shown) ?? .none }
    }

    /// Section `i` starts at byte `offset` of `source` (negative: the file as a whole), at JSON
    /// pointer `path`.
    public mutating func set(_ i: Int, source: SourceFile, offset: Int, path: String?) {
        places[i] = .offset(source, offset, path)
    }

    /// Equal when every section shows the same place.
    public static func == (a: SectionPlaces, b: SectionPlaces) -> Bool {
        a.count == b.count && a.places.indices.allSatisfy { a[$0] == b[$0] }
    }
}
