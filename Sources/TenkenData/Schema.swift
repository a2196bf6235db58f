import Foundation
import TenkenSyntax

/// The type of one snapshot field, as the loader enforces it and the checker types rules.
public indirect enum FieldType: Sendable, Hashable, CustomStringConvertible {
    case int, bool, string, date
    /// A period; JSON and CSV may give a bare integer in `unit`, or text like `30 minutes`.
    case duration(unit: DurationUnit)
    /// A string from a closed set of values.
    case enumeration([String])
    case list(FieldType)
    case record(RecordSchema)

    public var description: String {
        switch self {
        case .int: "int"
        case .bool: "bool"
        case .string: "string"
        case .date: "date"
        case .duration: "duration"
        case .enumeration(let vs): "one of " + vs.map { "\"\($0)\"" }.joined(separator: ", ")
        case .list(let t): "[\(t)]"
        case .record(let r): r.name
        }
    }

    public static func == (a: FieldType, b: FieldType) -> Bool {
        switch (a, b) {
        case (.int, .int), (.bool, .bool), (.string, .string), (.date, .date): true
        case let (.duration(x), .duration(y)): x == y
        case let (.enumeration(x), .enumeration(y)): x == y
        case let (.list(x), .list(y)): x == y
        case let (.record(x), .record(y)): x === y
        default: false
        }
    }

    public func hash(into h: inout Hasher) { h.combine(description) }
}

/// What a field's absence means (a key left out of JSON, `null`, or a blank cell). Decided per
/// field, so missing evidence never reads as "none" unless that is what a blank means there.
public enum Absence: Sendable {
    /// Not known. A rule whose verdict depends on the value ends `unknown` (判定不能) and names
    /// the field's place; it never passes on it.
    case unknown
    /// A documented meaning with no value, e.g. `left_on` absent = still employed. Rules see
    /// a definite `null`, unless other evidence contradicts the meaning (`unless`, any of the
    /// conditions): a patient whose status is `transferred-out` has no "not transferred"
    /// blank, and neither has one with a re-consent on file, so there the blank is unknown.
    case none(en: String, ja: String, unless: [AbsenceCondition] = [])
    /// A documented value assumed when the field is absent, e.g. a device's `used_for_mcs`
    /// absent = used for MCS (the strict reading). Rules see the value, unless other evidence
    /// contradicts the assumption (`unless`), and then the blank is unknown.
    case assumed(Value, en: String, ja: String, unless: [AbsenceCondition] = [])

    /// The value a rule reads for an absent field, when no condition applies.
    public var value: Value {
        switch self {
        case .unknown: .unknown
        case .none: .null
        case .assumed(let v, _, _, _): v
        }
    }

    /// `a、b、または c`: Japanese for "a, b or c".
    static func orJa(_ xs: [String]) -> String {
        guard let last = xs.last else { return "" }
        return xs.count == 1 ? last : xs.dropLast().joined(separator: "、") + "、または " + last
    }

    /// What a blank means, in words, for the docs and the table guide; nil for `unknown`.
    public var meaning: Bilingual? {
        switch self {
        case .unknown: nil
        case .none(let en, let ja, let c), .assumed(_, let en, let ja, let c):
            c.isEmpty
                ? Bilingual(ja: ja, en: en)
                : Bilingual(
                    ja: ja + "（" + Absence.orJa(c.map(\.textJa)) + "ときは不明）",
                    en: en + " (unknown when " + c.map(\.text).joined(separator: ", or ") + ")")
        }
    }

    /// The conditions under which the documented meaning gives way to unknown.
    public var conditions: [AbsenceCondition] {
        switch self {
        case .unknown: []
        case .none(_, _, let c), .assumed(_, _, _, let c): c
        }
    }
}

/// When a documented meaning of a blank does not hold: other evidence says the thing happened
/// (a status of `transferred-out`, an `approved_by`, a re-consent on file, a facility that
/// says it uses patient accounts), or is itself unknown. The other evidence is a field of the
/// same element, of the facility profile, of the elements of a nested list, or of the elements
/// of a collection that point at this one (`Scope`); for the last three the blank is worked
/// out once per facility (`Facility.normalised`).
public struct AbsenceCondition: Sendable {
    public enum Scope: Sendable, Equatable {
        /// Another field of the same element.
        case element
        /// A field of the facility profile (`facility.uses_patient_accounts`).
        case facility
        /// A field of any element of a list of the same element (a group's `members`).
        case nested(list: String)
        /// A field of any element of a top-level collection whose `key` holds this element's
        /// id (the `consents` whose `patient_id` is this patient).
        case related(collection: String, key: String)
    }
    public let scope: Scope
    public let field: String
    /// The other field's values that contradict the meaning; empty: any value it has.
    public let values: [Value]

    public init(_ scope: Scope = .element, field: String, values: [Value]) {
        self.scope = scope
        self.field = field
        self.values = values
    }

    /// Whether a value of the other field contradicts the meaning (unknown counts: then
    /// whether the thing happened is not known).
    func contradicts(_ other: Value) -> Bool {
        other.isUnknown || (values.isEmpty ? !other.isNull : values.contains(other))
    }

    var valuesText: String {
        values.isEmpty ? "given" : values.map { $0.isNull ? "blank" : $0.display }.joined(separator: " or ")
    }
    var valuesTextJa: String {
        values.isEmpty ? " がある" : " が " + values.map { $0.isNull ? "空欄" : $0.display }.joined(separator: "・") + " である"
    }

    var text: String {
        switch scope {
        case .element: "`\(field)` is \(valuesText)"
        case .facility: "`facility.\(field)` is \(valuesText)"
        case .nested(let list): "an element of `\(list)` has `\(field)` \(valuesText)"
        case .related(let collection, let key):
            "an element of `\(collection)` naming it in `\(key)` has `\(field)` \(valuesText)"
        }
    }
    var textJa: String {
        switch scope {
        case .element: "\(field)\(valuesTextJa)"
        case .facility: "facility.\(field)\(valuesTextJa)"
        case .nested(let list): "\(list) のいずれかの \(field)\(valuesTextJa)"
        case .related(let collection, let key): "\(key) でこれを指す \(collection) のいずれかの \(field)\(valuesTextJa)"
        }
    }
}

/// Text in both languages.
public struct Bilingual: Sendable, Hashable, Codable {
    public var ja: String
    public var en: String
    public init(ja: String, en: String) {
        self.ja = ja
        self.en = en
    }
}

/// One field of a record schema. A class, not a struct: schemas are process-wide constants
/// read for every value loaded and every record checked, and a struct of this size was
/// copied (a dozen reference counts) at each `fields[i]`.
public final class FieldSchema: Sendable {
    public let name: String
    public let type: FieldType
    /// What absence means; see `Absence`.
    public let absent: Absence
    /// Another field of the same record this one may not be earlier than (`left_on` not before
    /// `hired_on`): an end before its start is a data error.
    public let notBefore: String?
    /// An event that must have happened by the as-of date (a pledge signed, a training
    /// attended): a later date is a data error.
    public let pastOnly: Bool
    /// The top-level collection whose ids this field holds (`accounts.staff_id` → `staff`): a
    /// value that is no id there is a data error.
    public let references: String?
    /// The field holds an id (its record's id, a reference, or another facility's or person's
    /// id): read with `CellText.identifier`, so look-alike characters join.
    public let identifier: Bool
    /// A zero is refused (`data.ambiguous-zero`): for a time or a count after which something
    /// locks, logs out, expires or is backed up, device and MDM exports write 0 for "never"
    /// (Windows' screen saver timeout, an account lockout threshold, a password's maximum
    /// age) while it would read as "at once", which passes every bound.
    public let zeroIsAmbiguous: Bool
    /// Other headers accepted in CSV tables (Japanese first), e.g. `端末ID` for `id`.
    public let aliases: [String]
    public let doc: String
    public let docJa: String
    /// Japanese words for the values of a choice field (`doctor` → `医師`): tables written in
    /// Japanese use them, and tables are read with either. JSON keeps the English values.
    public let choicesJa: [String: String]
    /// The other way: `医師` → `doctor`.
    public let choiceByLabel: [String: String]

    init(
        name: String, type: FieldType, aliases: [String], doc: String, docJa: String, choicesJa: [String: String],
        absent: Absence = .unknown, notBefore: String? = nil, pastOnly: Bool = false, references: String? = nil,
        identifier: Bool = false,
        zeroIsAmbiguous: Bool = false
    ) {
        self.identifier = identifier || references != nil
        self.zeroIsAmbiguous = zeroIsAmbiguous
        self.name = name
        self.type = type
        self.absent = absent
        self.notBefore = notBefore
        self.pastOnly = pastOnly
        self.references = references
        self.aliases = aliases
        self.doc = doc
        self.docJa = docJa
        self.choicesJa = choicesJa
        choiceByLabel = Dictionary(uniqueKeysWithValues: choicesJa.map { ($0.value, $0.key) })
    }

    /// A value as a Japanese table shows it.
    public func label(_ value: String) -> String { choicesJa[value] ?? value }

    /// The error for a zero this field refuses (`zeroIsAmbiguous`), or nil. The place is
    /// worked out only for a zero refused: this runs for every value loaded.
    public func zeroProblem(_ v: Value, at place: @autoclosure () -> SourceLocation) -> Diagnostic? {
        guard zeroIsAmbiguous else { return nil }
        switch v {
        case .int(0): break
        case .duration(let d) where d.months == 0 && d.minutes == 0: break
        default: return nil
        }
        let blank = absent.meaning.map { "leave it blank for \"\($0.en)\"" } ?? "leave it blank if it is not known"
        return Diagnostic(
            "data.ambiguous-zero", .error,
            "0 is ambiguous here: device and MDM exports write 0 for \"never\", which read as \"at once\" would pass "
                + "every bound",
            at: place(),
            help:
                "write the value itself "
                + "(\(doc.split(separator: "(").first.map { $0.trimmingCharacters(in: .whitespaces) } ?? name)); "
                + "\(blank)"
        )
    }
}

public final class RecordSchema: Sendable {
    public let name: String
    public let fields: [FieldSchema]
    public let index: [String: Int]
    /// The field that names an element in messages (pseudonymous id).
    public let idField: String?

    /// No two elements of one collection share an id (a data error otherwise). True by
    /// default for an `id` field; false where the id field names a kind (an attestation's
    /// item, a role).
    public let uniqueIDs: Bool

    /// A state that a date contradicts: an `active` account with a deletion date, a patient
    /// in care whose care ended (by the as-of date), a discharged patient whose care ends later.
    public struct Exclusion: Sendable {
        public enum When: Sendable { case given, onOrBeforeAsOf, afterAsOf }
        public let field: String
        public let values: [String]
        public let excludes: String
        public let when: When
        public init(field: String, values: [String], excludes: String, when: When = .given) {
            self.field = field
            self.values = values
            self.excludes = excludes
            self.when = when
        }
    }
    public let exclusions: [Exclusion]

    /// A list a state needs filled: a patient group (`kind` patient) is about one patient,
    /// so its `patient_ids` may not be empty (an empty list would make every rule over the
    /// group's patients pass with nothing to check).
    public struct NonEmpty: Sendable {
        public let list: String
        public let field: String
        public let values: [String]
        public init(_ list: String, when field: String, in values: [String]) {
            self.list = list
            self.field = field
            self.values = values
        }
    }
    public let nonEmpty: [NonEmpty]

    /// A yes/no field that its own nested list contradicts: a group that says it does not
    /// share outside (`shares_outside` false) while a current member (no `removed_on`) is
    /// from outside (`external` true, or a `facility_id` given).
    public struct Denial: Sendable {
        public let flag: String
        public let list: String
        /// The member fields that say otherwise, with their contradicting values (empty: any value).
        public let any: [(field: String, values: [Value])]
        /// Elements with this field given are past and do not count.
        public let pastWhen: String?
        public init(_ flag: String, list: String, any: [(field: String, values: [Value])], pastWhen: String?) {
            self.flag = flag
            self.list = list
            self.any = any
            self.pastWhen = pastWhen
        }
    }
    public let denials: [Denial]

    /// A count that a state bounds: what the state means in law fixes the range the count may
    /// take (a 診療所 has at most 19 beds). Outside it, the two fields contradict each other and
    /// a rule that reads one of them would decide on a state that cannot be true.
    public struct Bound: Sendable {
        public let field: String
        public let min: Int?
        public let max: Int?
        /// The state field and its values the bound holds for.
        public let when: String
        public let values: [String]
        /// Why, in words a person reads in the error (with its source).
        public let why: String
        public init(_ field: String, min: Int? = nil, max: Int? = nil, when: String, in values: [String], why: String) {
            self.field = field
            self.min = min
            self.max = max
            self.when = when
            self.values = values
            self.why = why
        }
    }
    public let bounds: [Bound]

    public init(
        _ name: String, id: String? = "id", unique: Bool? = nil, exclusions: [Exclusion] = [],
        nonEmpty: [NonEmpty] = [],
        denials: [Denial] = [], bounds: [Bound] = [], _ fields: [FieldSchema]
    ) {
        self.name = name
        // The id field is an identifier whatever its declaration says.
        self.fields = fields.map { f in
            f.name == id && !f.identifier
                ? FieldSchema(
                    name: f.name, type: f.type, aliases: f.aliases, doc: f.doc, docJa: f.docJa, choicesJa: f.choicesJa,
                    absent: f.absent, notBefore: f.notBefore, pastOnly: f.pastOnly, references: f.references,
                    identifier: true,
                    zeroIsAmbiguous: f.zeroIsAmbiguous)
                : f
        }
        self.exclusions = exclusions
        self.nonEmpty = nonEmpty
        self.denials = denials
        self.bounds = bounds
        uniqueIDs = unique ?? (id == "id")
        var idx: [String: Int] = [:]
        for (i, f) in fields.enumerated() { idx[f.name] = i }
        index = idx
        idField = id
        idIndex = id.flatMap { idx[$0] }
        notBeforeIndex = fields.map { f in f.notBefore.flatMap { idx[$0] } }
        boundIndices = bounds.map { b in idx[b.when].flatMap { s in idx[b.field].map { (state: s, count: $0) } } }
        exclusionIndices = exclusions.map { x in
            idx[x.field].flatMap { s in idx[x.excludes].map { (state: s, excluded: $0) } }
        }
        absentValues = fields.map(\.absent.value)
        conditions = fields.map { f in
            let own = f.absent.conditions.filter { $0.scope == .element }.compactMap { c in
                idx[c.field].map { (field: $0, values: c.values) }
            }
            return own.isEmpty ? nil : own
        }
        let cross = fields.enumerated().compactMap { i, f in
            let cs = f.absent.conditions.filter { $0.scope != .element }
            return cs.isEmpty ? nil : (field: i, conditions: cs)
        }
        crossConditions = cross
        precondition(
            cross.allSatisfy { $0.field < 64 },
            "a field with a cross-record absence condition must be among the first 64 of its record")
        needsResolution =
            !cross.isEmpty
            || fields.contains { f in
                switch f.type {
                case .record(let r), .list(.record(let r)): r.needsResolution
                default: false
                }
            }
        var byHeader: [String: Int] = [:]
        for (i, fld) in fields.enumerated() {
            byHeader[SnapshotSchema.keyForm(fld.name)] = i
            for a in fld.aliases { byHeader[SnapshotSchema.keyForm(a)] = i }
        }
        headerIndex = byHeader
    }

    public func field(_ name: String) -> FieldSchema? { index[name].map { fields[$0] } }

    /// The field a JSON key or a table header names: its name or one of its headers (the
    /// Japanese one first), as a person reads them — any case, full- or half-width, spaces at
    /// the ends (`SnapshotSchema.keyForm`). `left_on`, `Left_On`, `ｌｅｆｔ＿ｏｎ` and `退職日`
    /// are all `left_on`. The one matching function for JSON keys and CSV headers.
    public func fieldIndex(forKey key: String) -> Int? { index[key] ?? headerIndex[SnapshotSchema.keyForm(key)] }

    /// The field named exactly `key`, looked for from field `from` on and then from the start:
    /// keys mostly come in an order of their own, and comparing a short name costs far less
    /// than hashing it. Falls back to `fieldIndex(forKey:)` (other spellings, headers).
    @inline(__always)
    public func fieldIndex(forKey key: String, from: Int) -> Int? {
        let n = fields.count
        if n <= 32 {
            var k = from < n ? from : 0
            for _ in 0..<n {
                if fields[k].name == key { return k }
                k = k + 1 == n ? 0 : k + 1
            }
        }
        return fieldIndex(forKey: key)
    }

    /// The index of `idField`, if the record has it.
    public let idIndex: Int?
    /// Field indexes worked out once, for `Consistency`, which checks every record: each
    /// field's `notBefore` field, and the fields of each bound and exclusion (nil where the
    /// record lacks one).
    public let notBeforeIndex: [Int?]
    public let boundIndices: [(state: Int, count: Int)?]
    public let exclusionIndices: [(state: Int, excluded: Int)?]

    /// What a rule reads for each field when it is absent (`Absence.value`), in field order.
    public let absentValues: [Value]
    /// Per field, the conditions on other fields of the same element under which its
    /// documented meaning gives way to unknown: the index of the other field and the values
    /// that contradict the meaning.
    public let conditions: [[(field: Int, values: [Value])]?]
    /// The fields whose documented meaning other records can contradict (`AbsenceCondition`
    /// with a scope other than `element`), resolved once per facility.
    public let crossConditions: [(field: Int, conditions: [AbsenceCondition])]
    /// This record or a record nested in it has `crossConditions`.
    public let needsResolution: Bool

    /// Field names and headers (`SnapshotSchema.keyForm`) to field indexes; built once, as
    /// every table read needs it.
    public let headerIndex: [String: Int]
}

/// A field; its Japanese label doubles as the Japanese CSV header unless `aliases` says more.
func fieldSchema(
    _ name: String, _ type: FieldType, _ doc: String, ja: String = "", aliases: [String] = [],
    choices: [String: String] = [:],
    absent: Absence = .unknown, notBefore: String? = nil, past: Bool = false, ref: String? = nil,
    identifier: Bool = false,
    zeroIsAmbiguous: Bool = false
) -> FieldSchema {
    FieldSchema(
        name: name, type: type, aliases: aliases.isEmpty && !ja.isEmpty ? [ja] : aliases, doc: doc, docJa: ja,
        choicesJa: choices,
        absent: absent, notBefore: notBefore, pastOnly: past, references: ref, identifier: identifier,
        zeroIsAmbiguous: zeroIsAmbiguous)
}

/// Absence with a documented meaning and no value.
func none(_ en: String, _ ja: String, unless field: String? = nil, in values: [Value] = []) -> Absence {
    .none(en: en, ja: ja, unless: field.map { [AbsenceCondition(field: $0, values: values)] } ?? [])
}

/// A top-level section of a snapshot. Its raw value is its index in `SnapshotSchema.roots` and
/// `Facility.roots`, so code that needs a section names it here (`SnapshotRoot.provider.index`)
/// rather than looking a string up and unwrapping the answer.
public enum SnapshotRoot: Int, CaseIterable, Sendable {
    case facility, roles, service, provider, staff, accounts, devices, networks, patients, groups, consents, documents,
        incidents,
        monitoring, attestations

    /// The section's key in a snapshot (`provider`).
    public var name: String { "\(self)" }
    /// Its index in `SnapshotSchema.roots` and `Facility.roots`.
    public var index: Int { rawValue }
}

/// A top-level section of a snapshot: one record, or a collection of records.
public struct RootSchema: Sendable {
    public enum Shape: Sendable { case single, collection }
    public let root: SnapshotRoot
    public var name: String { root.name }
    public let shape: Shape
    public let record: RecordSchema
    public let doc: String
}

/// The snapshot schema: the one source of truth for the loader, the checker, the
/// published `docs/snapshot.schema.json` and the CSV header aliases.
public enum SnapshotSchema {
    public static let version = 1

    public static let facilityKinds = ["clinic", "hospital", "dental-clinic", "visiting-nurse", "pharmacy", "care"]
    /// Professions. The licensed ones carry a statutory duty of confidentiality (S-REQ-02 reads
    /// it from the pack's `confidentiality.statutory_jobs`): a certified care worker (介護福祉士)
    /// or social worker (社会福祉士) does, a care worker or social worker without the licence
    /// does not, so they are separate values.
    public static let jobs = [
        "doctor", "dentist", "nurse", "assistant-nurse", "public-health-nurse", "midwife", "pharmacist",
        "therapist", "dental-hygienist", "care-manager", "certified-care-worker", "care-worker",
        "certified-social-worker", "psychiatric-social-worker", "social-worker", "clerk", "other",
    ]
    static let jobsJa = [
        "doctor": "医師", "dentist": "歯科医師", "nurse": "看護師", "assistant-nurse": "准看護師", "public-health-nurse": "保健師",
        "midwife": "助産師", "pharmacist": "薬剤師", "therapist": "療法士", "dental-hygienist": "歯科衛生士",
        "care-manager": "ケアマネジャー",
        "certified-care-worker": "介護福祉士", "care-worker": "介護職員", "certified-social-worker": "社会福祉士",
        "psychiatric-social-worker": "精神保健福祉士", "social-worker": "ソーシャルワーカー", "clerk": "事務職員", "other": "その他",
    ]

    /// The beds a kind of facility can have. 医療法 第1条の5: a 病院 has facilities for 20 or
    /// more inpatients (第1項), a 診療所 none or 19 or fewer (第2項); a dental clinic is a
    /// 診療所 too. A pharmacy (医薬品医療機器等法 第2条第12項: a place where medicines are
    /// dispensed) and a visiting-nurse station (care given in the patient's home) admit no one.
    /// A care facility (介護事業所) may have beds (a nursing home's), so it has no bound here.
    static let bedBounds: [RecordSchema.Bound] = [
        .init(
            "beds", max: 19, when: "kind", in: ["clinic", "dental-clinic"],
            why: "a 診療所 has at most 19 beds (医療法 第1条の5第2項)"),
        .init("beds", min: 20, when: "kind", in: ["hospital"], why: "a 病院 has at least 20 beds (医療法 第1条の5第1項)"),
        .init(
            "beds", max: 0, when: "kind", in: ["pharmacy", "visiting-nurse"],
            why: "a pharmacy or a visiting-nurse station admits no inpatients, so it has no beds"),
        .init("beds", min: 0, when: "kind", in: facilityKinds, why: "a number of beds is not negative"),
    ]

    public static let facility = RecordSchema(
        "facility", bounds: bedBounds,
        [
            fieldSchema("id", .string, "pseudonymous facility id", ja: "施設ID"),
            fieldSchema("name", .string, "facility name (an organisation, not a person)", ja: "施設名"),
            fieldSchema(
                "kind", .enumeration(facilityKinds), "kind of facility", ja: "施設種別",
                choices: [
                    "clinic": "診療所", "hospital": "病院", "dental-clinic": "歯科診療所", "visiting-nurse": "訪問看護ステーション",
                    "pharmacy": "薬局", "care": "介護事業所",
                ]),
            fieldSchema("beds", .int, "number of beds (0 for 無床)", ja: "病床数"),
            fieldSchema("uses_wifi", .bool, "staff use MCS over Wi-Fi at the facility", ja: "Wi-Fiを利用"),
            fieldSchema("lends_devices", .bool, "the facility lends devices to staff (貸与端末)", ja: "端末を貸与"),
            fieldSchema("allows_personal_devices", .bool, "staff may use their own devices (BYOD)", ja: "私物端末を許可"),
            fieldSchema("uses_patient_accounts", .bool, "patients or families have MCS accounts", ja: "患者アカウントを利用"),
            fieldSchema(
                "shares_outside", .bool, "patient information is shared with other facilities through MCS", ja: "施設外と共有"
            ),
            fieldSchema(
                "committee_established_on", .date, "date the information-system management committee was set up",
                ja: "情報システム管理委員会設置日", absent: none("no committee has been set up", "委員会は未設置"), past: true),
        ])

    /// The responsibilities of the roles table (section 3), which attestations are signed in.
    public static let roles = [
        "operations-lead", "system-admin", "privacy-lead", "audit-lead", "mcs-admin", "director",
    ]
    static let rolesJa = [
        "operations-lead": "運用責任者", "system-admin": "システム管理者", "privacy-lead": "個人情報保護責任者", "audit-lead": "監査責任者",
        "mcs-admin": "MCS管理者", "director": "院長・管理者",
    ]

    public static let role = RecordSchema(
        "role", id: "role",
        [
            fieldSchema(
                "role", .enumeration(roles),
                "the responsibility held; the director (院長, or the 管理者 of a pharmacy or station) holds the three "
                    + "leads' roles unless others are named (3: 院長をもってそれに充てること)",
                ja: "役割",
                choices: rolesJa),
            fieldSchema("staff_id", .string, "who holds it", ja: "職員ID", ref: "staff"),
            fieldSchema("since", .date, "assigned on", ja: "任命日", past: true),
        ])

    public static let passwordPolicy = RecordSchema(
        "password_policy", id: nil,
        [
            fieldSchema("min_length", .int, "minimum password length the facility requires", ja: "最小文字数"),
            fieldSchema("requires_letters", .bool, "letters required", ja: "英字必須"),
            fieldSchema("requires_digits", .bool, "digits required", ja: "数字必須"),
            fieldSchema("requires_symbols", .bool, "symbols required", ja: "記号必須"),
            fieldSchema(
                "max_age", .duration(unit: .days), "longest time before a change is required (absent: never)",
                ja: "変更周期", absent: none("passwords never have to be changed", "変更の義務なし"), zeroIsAmbiguous: true),
        ])

    public static let service = RecordSchema(
        "service", id: nil,
        [
            fieldSchema("password", .record(passwordPolicy), "the facility's password policy for MCS", ja: "パスワード方針"),
            fieldSchema(
                "invitation_approval", .bool, "administrator approval of invitations is switched on", ja: "招待承認機能"),
            fieldSchema("client_certificates", .bool, "client-certificate authentication is in use", ja: "クライアント証明書"),
            fieldSchema(
                "official_contacts_published", .bool, "staff are told the official MCS site and mail senders",
                ja: "公式サイト・送信元の周知"),
        ])

    public static let provider = RecordSchema(
        "provider", id: nil,
        [
            fieldSchema("name", .string, "service name", ja: "サービス名"),
            fieldSchema("profile_as_of", .date, "date of the published profile", ja: "公表日"),
            fieldSchema("unique_user_ids", .bool, "users authenticate with a unique ID and password", ja: "固有ID認証"),
            fieldSchema("password_min_length", .int, "shortest password the service accepts", ja: "パスワード最小文字数"),
            fieldSchema(
                "password_requires_letters_and_digits", .bool, "the service requires letters and digits", ja: "英数字必須"),
            fieldSchema(
                "supports_long_passwords", .bool, "13+ character passwords with symbols are accepted", ja: "長いパスワード対応"),
            fieldSchema(
                "lockout_attempts", .int, "failed logins before lockout", ja: "ロックアウト回数", zeroIsAmbiguous: true),
            fieldSchema(
                "lockout_duration", .duration(unit: .minutes), "lockout time", ja: "ロックアウト時間", zeroIsAmbiguous: true),
            fieldSchema(
                "idle_logout", .duration(unit: .minutes), "automatic logout after inactivity", ja: "自動ログアウト",
                zeroIsAmbiguous: true),
            fieldSchema(
                "backup_interval", .duration(unit: .hours), "time between backups", ja: "バックアップ間隔",
                zeroIsAmbiguous: true),
            fieldSchema("backup_generations", .int, "backup generations kept", ja: "バックアップ世代数"),
            fieldSchema("failure_detection", .bool, "infrastructure failures are detected and answered", ja: "障害検知"),
            fieldSchema("redundant_infrastructure", .bool, "redundant cloud infrastructure", ja: "冗長化"),
            fieldSchema("business_continuity_plan", .bool, "a BCP is in place", ja: "事業継続計画"),
            fieldSchema(
                "waf_protections", .list(.enumeration(["ddos", "xss", "sql-injection"])),
                "what the WAF protects against", ja: "WAF防御",
                choices: ["ddos": "DDoS攻撃", "xss": "クロスサイトスクリプティング(XSS)", "sql-injection": "SQLインジェクション"]),
            fieldSchema("security_testing", .bool, "security and availability testing with fixes", ja: "セキュリティ試験"),
            fieldSchema(
                "vulnerability_monitoring", .bool, "vulnerability information followed and fixed at once", ja: "脆弱性対応"),
            fieldSchema(
                "database_encryption", .bool, "databases with confidential information are encrypted", ja: "DB暗号化"),
            fieldSchema(
                "tls_min_version", .enumeration(["1.0", "1.1", "1.2", "1.3"]), "lowest TLS version accepted",
                ja: "TLS最低バージョン"),
            fieldSchema("client_certificate_mfa", .bool, "client-certificate MFA is offered", ja: "クライアント証明書MFA"),
            fieldSchema(
                "professional_verification", .bool, "verification of healthcare professionals is offered", ja: "医療者認証"),
            fieldSchema("patient_verification", .bool, "patient identity verification is offered", ja: "患者本人確認"),
        ])

    public static let staff = RecordSchema(
        "staff_member",
        [
            fieldSchema("id", .string, "pseudonymous staff id", ja: "職員ID", aliases: ["職員ID", "staff_id"]),
            fieldSchema(
                "job", .enumeration(jobs),
                "profession; decides the statutory confidentiality duty (care-worker and social-worker: without the "
                    + "介護福祉士 / 社会福祉士 licence)",
                ja: "職種", aliases: ["職種"],
                choices: jobsJa),
            fieldSchema("hired_on", .date, "first day of employment", ja: "入職日", aliases: ["入職日"]),
            fieldSchema(
                "left_on", .date, "last day of employment, if left", ja: "退職日", aliases: ["退職日"],
                absent: none("still employed", "在職中"), notBefore: "hired_on", past: true),
            fieldSchema("uses_mcs", .bool, "the staff member uses MCS", ja: "MCS利用", aliases: ["MCS利用"]),
            fieldSchema(
                "account_id", .string, "the MCS account this staff member logs in with", ja: "アカウントID",
                aliases: ["アカウントID"], absent: none("has no MCS account", "MCSアカウントなし"), ref: "accounts"),
            fieldSchema(
                "pledge_signed_on", .date, "staff pledge (スタッフ誓約書) signed on", ja: "誓約書署名日", aliases: ["誓約書署名日"],
                absent: none("the pledge has not been signed", "誓約書は未署名"), past: true),
            fieldSchema(
                "nda_signed_on", .date, "non-disclosure agreement signed on", ja: "秘密保持契約締結日", aliases: ["秘密保持契約締結日"],
                absent: none("no non-disclosure agreement has been signed", "秘密保持契約は未締結"), past: true),
            fieldSchema(
                "training_dates", .list(.date), "dates of security training attended", ja: "研修受講日", aliases: ["研修受講日"],
                past: true),
        ])

    public static let account = RecordSchema(
        "account", exclusions: [.init(field: "status", values: ["active"], excludes: "deleted_on")],
        [
            fieldSchema("id", .string, "MCS account id (pseudonymous)", ja: "アカウントID", aliases: ["アカウントID"]),
            fieldSchema(
                "staff_id", .string, "the staff member who owns the account", ja: "職員ID", aliases: ["職員ID"],
                absent: none("no staff member owns the account (a shared or unowned account)", "所有者の職員なし（共用または所有者不明）"),
                ref: "staff"),
            fieldSchema(
                "status", .enumeration(["active", "suspended", "deleted"]), "account state", ja: "状態", aliases: ["状態"],
                choices: ["active": "有効", "suspended": "停止", "deleted": "削除"]),
            fieldSchema("is_admin", .bool, "has MCS administrator rights", ja: "管理者権限", aliases: ["管理者権限"]),
            fieldSchema("created_on", .date, "registered on", ja: "登録日", aliases: ["登録日"], past: true),
            fieldSchema(
                "deleted_on", .date, "deleted on", ja: "削除日", aliases: ["削除日"],
                absent: none("not deleted", "削除していない", unless: "status", in: [.string("deleted")]),
                notBefore: "created_on", past: true),
            fieldSchema(
                "suspended_on", .date, "suspended on", ja: "停止日", aliases: ["停止日"],
                absent: none("not suspended", "停止していない", unless: "status", in: [.string("suspended")]),
                notBefore: "created_on", past: true),
            fieldSchema(
                "password_changed_on", .date, "password last changed on", ja: "パスワード変更日", aliases: ["パスワード変更日"],
                past: true),
            fieldSchema("profile_photo", .bool, "profile and face photo set", ja: "プロフィール写真", aliases: ["プロフィール写真"]),
            fieldSchema(
                "identity_verified", .bool, "verified as a healthcare or care professional", ja: "本人認証",
                aliases: ["本人認証"]),
        ])

    public static let device = RecordSchema(
        "device", exclusions: [.init(field: "status", values: ["active"], excludes: "returned_on")],
        [
            fieldSchema("id", .string, "device id (asset tag)", ja: "端末ID", aliases: ["端末ID", "device_id"]),
            fieldSchema(
                "kind", .enumeration(["pc", "tablet", "smartphone"]), "kind of device", ja: "端末種別",
                aliases: ["端末種別", "種別"],
                choices: ["pc": "パソコン", "tablet": "タブレット", "smartphone": "スマートフォン"]),
            fieldSchema(
                "ownership", .enumeration(["facility", "personal"]), "facility-issued (貸与) or personal (BYOD)",
                ja: "所有", aliases: ["所有", "所有区分"],
                choices: ["facility": "施設貸与", "personal": "私物"]),
            fieldSchema(
                "assigned_staff_id", .string, "staff member the device is issued to or belongs to", ja: "利用者職員ID",
                aliases: ["利用者職員ID", "職員ID"],
                absent: none("a shared device, issued to no one person", "共用端末（特定の職員に貸与していない）"), ref: "staff"),
            fieldSchema(
                "status", .enumeration(["active", "returned", "retired", "lost"]), "device state", ja: "状態",
                aliases: ["状態"],
                choices: ["active": "使用中", "returned": "返却済", "retired": "廃棄", "lost": "紛失"],
                absent: .assumed(.string("active"), en: "in use (a listed device is taken to be in use)", ja: "使用中とみなす")
            ),
            fieldSchema(
                "used_for_mcs", .bool, "MCS is used on this device", ja: "MCS利用", aliases: ["MCS利用"],
                absent: .assumed(
                    .bool(true), en: "used for MCS (a listed device is taken to be used for MCS)", ja: "MCSに利用しているとみなす")
            ),
            fieldSchema("os", .string, "operating system", ja: "OS", aliases: ["OS"]),
            fieldSchema("os_version", .string, "operating system version", ja: "OSバージョン", aliases: ["OSバージョン"]),
            fieldSchema(
                "os_up_to_date", .bool, "the latest OS version offered for the device is installed", ja: "OS最新",
                aliases: ["OS最新"],
                absent: none("not stated; the date of the last OS update decides", "記載なし（OS更新日で判断）")),
            fieldSchema(
                "os_updated_on", .date, "last OS update applied on; when given it decides, not os_up_to_date",
                ja: "OS更新日", aliases: ["OS更新日"],
                absent: none("not recorded; the up-to-date flag decides", "記載なし（OS最新で判断）"), past: true),
            fieldSchema(
                "screen_lock_minutes", .duration(unit: .minutes), "idle time before the screen locks (absent: never)",
                ja: "画面ロック(分)", aliases: ["画面ロック(分)", "画面ロック分"],
                absent: none("the screen never locks by itself", "自動ロックなし"), zeroIsAmbiguous: true),
            fieldSchema(
                "device_lock", .enumeration(["none", "pin", "pattern", "password", "biometric"]), "device lock method",
                ja: "デバイスロック", aliases: ["デバイスロック"],
                choices: ["none": "ロックなし", "pin": "PIN", "pattern": "パターン", "password": "パスワード", "biometric": "生体認証"]),
            fieldSchema("antimalware", .bool, "anti-malware protection active", ja: "ウイルス対策", aliases: ["ウイルス対策"]),
            fieldSchema(
                "antimalware_updated_on", .date, "anti-malware definitions last updated on", ja: "定義更新日",
                aliases: ["定義更新日"], past: true),
            fieldSchema("mdm", .bool, "enrolled in mobile device management", ja: "MDM", aliases: ["MDM"]),
            fieldSchema("remote_wipe", .bool, "remote wipe available", ja: "リモートワイプ", aliases: ["リモートワイプ"]),
            fieldSchema("vpn", .bool, "MCS is used over a VPN", ja: "VPN", aliases: ["VPN"]),
            fieldSchema(
                "client_certificate", .bool, "client certificate installed for MCS", ja: "クライアント証明書",
                aliases: ["クライアント証明書"]),
            fieldSchema(
                "app_source", .enumeration(["app-store", "google-play", "browser", "other"]),
                "where the MCS app came from (browser: no app)", ja: "アプリ入手元", aliases: ["アプリ入手元"],
                choices: ["app-store": "App Store", "google-play": "Google Play", "browser": "ブラウザ", "other": "その他"]),
            fieldSchema(
                "offsite_connection", .enumeration(["none", "cellular", "mobile-router", "public-wifi", "home-wifi"]),
                "how the device connects outside the facility", ja: "施設外接続", aliases: ["施設外接続"],
                choices: [
                    "none": "施設外で使わない", "cellular": "携帯回線", "mobile-router": "モバイルルーター", "public-wifi": "公衆Wi-Fi",
                    "home-wifi": "自宅Wi-Fi",
                ]),
            fieldSchema(
                "locked_storage", .bool,
                "kept under lock when not in use: a locked place, or for a computer a physical security lock (2-3)",
                ja: "施錠保管", aliases: ["施錠保管"]),
            fieldSchema(
                "privacy_filter", .bool, "protected against shoulder surfing (覗き見対策): a privacy filter or the like",
                ja: "覗き見防止", aliases: ["覗き見防止"]),
            fieldSchema(
                "managed_by", .string,
                "for a shared device with no single user: the department or role that manages it", ja: "管理部署",
                aliases: ["管理部署"],
                absent: none("not a shared device", "共用端末ではない")),
            fieldSchema(
                "offsite_wifi_encryption",
                .enumeration(["WPA3", "WPA2-AES", "WPA2-TKIP", "WPA", "WEP", "open", "unknown"]),
                "for a device on public or home Wi-Fi outside the facility: the weakest encryption of those networks",
                ja: "施設外Wi-Fi暗号化", aliases: ["施設外Wi-Fi暗号化"],
                choices: ["open": "暗号化なし", "unknown": "不明"]),
            fieldSchema(
                "public_wifi_autojoin", .bool, "the device joins public Wi-Fi networks automatically",
                ja: "公衆Wi-Fi自動接続", aliases: ["公衆Wi-Fi自動接続"]),
            fieldSchema(
                "returned_on", .date, "returned to the facility on", ja: "返却日", aliases: ["返却日"],
                absent: none("not returned", "返却していない", unless: "status", in: [.string("returned")]), past: true),
        ])

    public static let network = RecordSchema(
        "network",
        [
            fieldSchema("id", .string, "network id", ja: "ネットワークID"),
            fieldSchema("ssid", .string, "SSID", ja: "SSID"),
            fieldSchema(
                "encryption", .enumeration(["WPA3", "WPA2-AES", "WPA2-TKIP", "WPA", "WEP", "open", "unknown"]),
                "Wi-Fi encryption", ja: "暗号化方式",
                choices: ["open": "暗号化なし", "unknown": "不明"]),
            fieldSchema(
                "operator", .enumeration(["facility", "home", "public", "unknown"]), "who runs the network",
                ja: "管理者区分",
                choices: ["facility": "施設", "home": "自宅", "public": "公衆", "unknown": "不明"]),
            fieldSchema(
                "used_for_mcs", .bool, "MCS is used over this network", ja: "MCS利用",
                absent: .assumed(
                    .bool(true), en: "used for MCS (a listed network is taken to carry MCS)", ja: "MCSに利用しているとみなす")),
        ])

    public static let patient = RecordSchema(
        "patient",
        exclusions: [
            .init(field: "status", values: ["active"], excludes: "care_ended_on", when: .onOrBeforeAsOf),
            .init(
                field: "status", values: ["discharged", "transferred-out", "deceased"], excludes: "care_ended_on",
                when: .afterAsOf),
        ],
        [
            fieldSchema("id", .string, "pseudonymous patient id (never a name)", ja: "患者ID"),
            fieldSchema(
                "status", .enumeration(["active", "discharged", "transferred-out", "deceased"]), "care state", ja: "状態",
                choices: ["active": "診療中", "discharged": "終了", "transferred-out": "転出", "deceased": "死亡"]),
            fieldSchema(
                "care_ended_on", .date, "date the facility stopped caring for the patient", ja: "診療終了日",
                absent: none(
                    "still in the facility's care", "診療継続中", unless: "status",
                    in: [.string("discharged"), .string("transferred-out"), .string("deceased")]),
                notBefore: "transferred_in_on"),
            fieldSchema(
                "has_account", .bool, "the patient or family has an MCS account", ja: "患者アカウント",
                absent: .assumed(
                    .bool(false), en: "no MCS account (accounts are created by the facility, which records them)",
                    ja: "アカウントなしとみなす",
                    unless: [AbsenceCondition(.facility, field: "uses_patient_accounts", values: [.bool(true)])])),
            fieldSchema(
                "account_verified_on", .date, "patient identity confirmed on", ja: "本人確認日",
                absent: none("identity not confirmed", "本人確認していない"), past: true),
            fieldSchema(
                "transferred_in_on", .date, "management moved to this facility on", ja: "転入日",
                absent: .none(
                    en: "not received from another facility", ja: "他施設からの受け入れではない",
                    unless: [
                        AbsenceCondition(
                            .related(collection: "consents", key: "patient_id"), field: "kind",
                            values: [.string("re-consent")])
                    ]), past: true),
            fieldSchema(
                "transferred_out_on", .date, "management moved to another facility on", ja: "転出日",
                absent: none(
                    "not transferred to another facility", "他施設への移行なし", unless: "status",
                    in: [.string("transferred-out")]), past: true),
            fieldSchema(
                "receiving_facility_accepted_on", .date, "the receiving facility accepted responsibility on",
                ja: "転出先受入日", absent: none("no acceptance from a receiving facility", "移行先の承諾なし"), past: true),
        ])

    public static let member = RecordSchema(
        "member", id: "account_id", unique: true,
        [
            fieldSchema("account_id", .string, "member's MCS account", ja: "アカウントID"),
            fieldSchema(
                "staff_id", .string, "member's staff id, for this facility's staff", ja: "職員ID",
                absent: none(
                    "not identified as this facility's staff (an outside member)", "自施設の職員ではない（施設外のメンバー）",
                    unless: "external", in: [.bool(false), .null]), ref: "staff"),
            fieldSchema(
                "facility_id", .string, "member's facility, for members from outside", ja: "所属施設ID",
                absent: none("no other facility named", "所属施設の記載なし", unless: "external", in: [.bool(true)]),
                identifier: true),
            fieldSchema(
                "external", .bool, "the member belongs to another facility", ja: "施設外",
                absent: none("a member of this facility", "自施設のメンバー", unless: "facility_id")),
            fieldSchema(
                "job", .enumeration(jobs),
                "profession of a member from outside (this facility's staff: the roster's job)", ja: "職種",
                choices: jobsJa),
            fieldSchema(
                "invited_on", .date, "invited on", ja: "招待日", absent: none("joined without an invitation", "招待なし"),
                past: true),
            fieldSchema(
                "approved_by", .string, "account id of the administrator who approved the invitation", ja: "承認者アカウントID",
                absent: none("not approved", "未承認", unless: "approved_on"), identifier: true),
            fieldSchema(
                "approved_on", .date, "invitation approved on", ja: "承認日",
                absent: none("not approved", "未承認", unless: "approved_by"), notBefore: "invited_on", past: true),
            fieldSchema("joined_on", .date, "joined on", ja: "参加日", notBefore: "invited_on", past: true),
            fieldSchema(
                "in_charge_until", .date, "last day the member was in charge of the patient", ja: "担当終了日",
                absent: none("still in charge of the patient", "担当継続中"), notBefore: "joined_on"),
            fieldSchema(
                "removed_on", .date, "removed from the group on", ja: "退出日", absent: none("still a member", "メンバーのまま"),
                notBefore: "joined_on", past: true),
        ])

    public static let group = RecordSchema(
        "group", nonEmpty: [.init("patient_ids", when: "kind", in: ["patient"])],
        denials: [
            .init(
                "shares_outside", list: "members",
                any: [(field: "external", values: [.bool(true)]), (field: "facility_id", values: [])],
                pastWhen: "removed_on")
        ],
        [
            fieldSchema("id", .string, "group id", ja: "グループID"),
            fieldSchema(
                "kind", .enumeration(["patient", "free"]), "patient group (患者グループ) or free group", ja: "グループ種別",
                choices: ["patient": "患者グループ", "free": "フリーグループ"]),
            fieldSchema("patient_ids", .list(.string), "patients the group is about", ja: "患者ID", ref: "patients"),
            fieldSchema("created_on", .date, "created on", ja: "作成日", past: true),
            fieldSchema(
                "created_by", .string, "account id of who created the group (a member without an invitation)",
                ja: "作成者アカウントID",
                absent: none("the creator is not recorded: every member needs an approval", "作成者の記録なし（全メンバーに承認が必要）"),
                identifier: true),
            fieldSchema(
                "first_shared_on", .date, "first post shared on", ja: "初回共有日",
                absent: .none(
                    en: "nothing shared yet", ja: "未共有",
                    unless: [
                        AbsenceCondition(field: "shares_outside", values: [.bool(true)]),
                        AbsenceCondition(.nested(list: "members"), field: "external", values: [.bool(true)]),
                        AbsenceCondition(.nested(list: "members"), field: "facility_id", values: []),
                    ]), notBefore: "created_on", past: true),
            fieldSchema("shares_outside", .bool, "members from other facilities", ja: "施設外と共有"),
            fieldSchema(
                "archived_on", .date, "moved to the archive (保管庫) on", ja: "保管庫移動日",
                absent: none("not archived", "保管庫に移動していない"), notBefore: "created_on", past: true),
            fieldSchema("reviewed_on", .list(.date), "membership reviews", ja: "メンバー見直し日", past: true),
            fieldSchema("members", .list(.record(member)), "members", ja: "メンバー"),
        ])

    public static let refusal = RecordSchema(
        "refusal", id: "clause",
        [
            fieldSchema("clause", .string, "the clause refused (e.g. 第3項)", ja: "不同意項目"),
            fieldSchema(
                "party", .string, "facility id the patient refused sharing with", ja: "不同意の相手",
                absent: none("the refusal names a profession", "職種を指定した不同意", unless: "party_job", in: [.null]),
                identifier: true),
            fieldSchema(
                "party_job", .enumeration(jobs), "profession the patient refused sharing with", ja: "不同意の職種",
                choices: jobsJa,
                absent: none("the refusal names a facility", "施設を指定した不同意", unless: "party", in: [.null])),
            fieldSchema(
                "recorded_on", .date, "written on the consent form on", ja: "記載日",
                absent: none("not written on the consent form", "同意書に記載なし"), past: true),
        ])

    public static let consent = RecordSchema(
        "consent",
        [
            fieldSchema("id", .string, "consent record id", ja: "同意ID"),
            fieldSchema("patient_id", .string, "the patient", ja: "患者ID", ref: "patients"),
            fieldSchema(
                "method", .enumeration(["opt-in", "implied", "verbal"]), "how consent was given", ja: "同意方法",
                choices: ["opt-in": "明示の同意", "implied": "黙示の同意", "verbal": "口頭の同意"]),
            fieldSchema("signed_on", .date, "obtained on", ja: "同意日", past: true),
            fieldSchema("form_on_file", .bool, "signed consent form kept", ja: "同意書保管"),
            fieldSchema(
                "kind", .enumeration(["initial", "re-consent"]),
                "first consent, or consent obtained again for a transfer of management to this facility (5-3)",
                ja: "同意区分",
                choices: ["initial": "初回", "re-consent": "再同意"]),
            fieldSchema(
                "withdrawn_on", .date, "withdrawn on", ja: "撤回日", absent: none("not withdrawn", "撤回なし"),
                notBefore: "signed_on", past: true),
            fieldSchema("refusals", .list(.record(refusal)), "partial refusals (一部不同意)", ja: "一部不同意"),
        ])

    public static let document = RecordSchema(
        "document",
        [
            fieldSchema("id", .string, "document id", ja: "文書ID"),
            fieldSchema(
                "kind",
                .enumeration([
                    "operations-rules", "manual", "device-management", "backup-plan", "post-employment-privacy",
                    "pledge-template", "training-plan",
                    "audit-lead-duties", "committee-rules",
                ]),
                "what the document is (operations-rules: the facility's MCS 運用管理規程; manual: how to use the system, "
                    + "for users; pledge-template: the staff pledge covering 4-1 (1)–(5); audit-lead-duties: the audit "
                    + "lead's duties (監査責任者の責務); committee-rules: how the information-system management committee is "
                    + "run)",
                ja: "文書種別",
                choices: [
                    "operations-rules": "運用管理規程", "manual": "操作マニュアル", "device-management": "端末管理規程",
                    "backup-plan": "バックアップ計画", "post-employment-privacy": "退職後の個人情報保護", "pledge-template": "誓約書ひな形",
                    "training-plan": "教育計画",
                    "audit-lead-duties": "監査責任者の責務", "committee-rules": "委員会運営規程",
                ]),
            fieldSchema("adopted_on", .date, "adopted on", ja: "制定日", past: true),
            fieldSchema(
                "reviewed_on", .date, "last reviewed on", ja: "見直し日",
                absent: none("not reviewed since it was adopted", "制定後の見直しなし"), notBefore: "adopted_on", past: true),
            fieldSchema("communicated", .bool, "made known to the staff concerned", ja: "周知済み"),
        ])

    public static let incident = RecordSchema(
        "incident",
        [
            fieldSchema("id", .string, "incident id", ja: "インシデントID"),
            fieldSchema(
                "kind",
                .enumeration([
                    "device-lost", "device-stolen", "password-leak", "unauthorized-access", "wrong-post",
                    "inappropriate-post",
                ]), "what happened", ja: "種別",
                choices: [
                    "device-lost": "端末紛失", "device-stolen": "端末盗難", "password-leak": "パスワード流出",
                    "unauthorized-access": "不正アクセス", "wrong-post": "誤投稿", "inappropriate-post": "不適切な投稿",
                ]),
            fieldSchema("occurred_on", .date, "occurred on", ja: "発生日", past: true),
            fieldSchema(
                "discovered_on", .date, "discovered on, when later than it occurred", ja: "発見日",
                absent: none("discovered the day it occurred", "発生日に発見"), notBefore: "occurred_on", past: true),
            fieldSchema(
                "reported_on", .date, "reported to the administrator on", ja: "報告日",
                absent: none("not reported", "報告なし"), notBefore: "occurred_on", past: true),
            fieldSchema(
                "account_id", .string, "account concerned", ja: "アカウントID",
                absent: none("no account concerned", "該当アカウントなし"), ref: "accounts"),
            fieldSchema(
                "device_id", .string, "device concerned", ja: "端末ID", absent: none("no device concerned", "該当端末なし"),
                ref: "devices"),
            fieldSchema(
                "action", .enumeration(["password-changed", "account-suspended", "post-deleted", "none"]),
                "what was done", ja: "対応",
                choices: [
                    "password-changed": "パスワード変更", "account-suspended": "アカウント停止", "post-deleted": "投稿削除",
                    "none": "対応なし",
                ], absent: none("nothing recorded as done", "対応の記録なし")),
            fieldSchema(
                "action_on", .date, "done on", ja: "対応日",
                absent: none(
                    "nothing done yet", "未対応", unless: "action",
                    in: [.string("password-changed"), .string("account-suspended"), .string("post-deleted")]),
                notBefore: "occurred_on", past: true),
            fieldSchema(
                "other_patient", .bool,
                "for a post: it put information about a patient other than the group's own into a patient group "
                    + "(3-2(2) 別の患者の情報を書き込まない)",
                ja: "別患者の情報"),
        ])

    public static let monitoring = RecordSchema(
        "monitoring_record",
        [
            fieldSchema("id", .string, "record id", ja: "記録ID"),
            fieldSchema(
                "kind", .enumeration(["post-monitoring", "access-review"]),
                "what was monitored (access-review: every patient group's membership reviewed)", ja: "種別",
                choices: ["post-monitoring": "投稿の監視", "access-review": "アクセス確認"]),
            fieldSchema("performed_on", .date, "performed on", ja: "実施日", past: true),
            fieldSchema("by", .string, "pseudonymous id of who performed it", ja: "実施者ID", identifier: true),
        ])

    public static let attestation = RecordSchema(
        "attestation", id: "item",
        [
            fieldSchema("item", .string, "the attestation key the rule names", ja: "確認項目"),
            fieldSchema(
                "answer", .enumeration(["yes", "no", "not-applicable"]), "the answer", ja: "回答",
                choices: ["yes": "はい", "no": "いいえ", "not-applicable": "対象外"]),
            fieldSchema(
                "by_role", .enumeration(roles), "role the person attests in (one of the roles table's)", ja: "回答者の役割",
                choices: rolesJa),
            fieldSchema("by", .string, "pseudonymous id of the person attesting", ja: "回答者ID", identifier: true),
            fieldSchema("signed_on", .date, "signed on", ja: "回答日", past: true),
            fieldSchema(
                "reason", .string, "reason, for not-applicable", ja: "理由", absent: none("no reason given", "理由なし")),
        ])

    /// Every name of the schema (sections and the fields of every record, nested ones too),
    /// the names a diagnostic's JSON pointer may show (`JSONReader.ShownKeys`).
    public static let names: Set<String> = {
        var out: Set<String> = ["schema_version", "parameters", "$schema", "comment"]
        func add(_ r: RecordSchema) {
            for f in r.fields {
                out.insert(f.name)
                var t = f.type
                while case .list(let inner) = t { t = inner }
                if case .record(let inner) = t { add(inner) }
            }
        }
        for root in roots { out.insert(root.name); add(root.record) }
        return out
    }()

    /// The sections, in `SnapshotRoot` order (so `roots[r.index]` is `r`'s).
    public static let roots: [RootSchema] = SnapshotRoot.allCases.map { r in
        switch r {
        case .facility: RootSchema(root: r, shape: .single, record: facility, doc: "facility profile")
        case .roles: RootSchema(root: r, shape: .collection, record: role, doc: "responsibilities held (organisation)")
        case .service: RootSchema(root: r, shape: .single, record: service, doc: "the facility's MCS settings")
        case .provider:
            RootSchema(root: r, shape: .single, record: provider, doc: "the provider's published service profile")
        case .staff: RootSchema(root: r, shape: .collection, record: staff, doc: "staff roster")
        case .accounts: RootSchema(root: r, shape: .collection, record: account, doc: "MCS accounts of the facility")
        case .devices: RootSchema(root: r, shape: .collection, record: device, doc: "device inventory")
        case .networks: RootSchema(root: r, shape: .collection, record: network, doc: "Wi-Fi networks")
        case .patients: RootSchema(root: r, shape: .collection, record: patient, doc: "patients (pseudonymous)")
        case .groups: RootSchema(root: r, shape: .collection, record: group, doc: "MCS groups")
        case .consents: RootSchema(root: r, shape: .collection, record: consent, doc: "patient consents")
        case .documents: RootSchema(root: r, shape: .collection, record: document, doc: "policies on file")
        case .incidents: RootSchema(root: r, shape: .collection, record: incident, doc: "incidents")
        case .monitoring:
            RootSchema(root: r, shape: .collection, record: monitoring, doc: "monitoring and review records")
        case .attestations:
            RootSchema(root: r, shape: .collection, record: attestation, doc: "signed statements by responsible people")
        }
    }

    /// A top-level key as a person reads it (`SnapshotSchema.keyForm`): a section's name in
    /// any case or width, or the Japanese name of its table (`職員` is `staff`).
    public static func rootIndex(forKey key: String) -> Int? { rootKeyIndex[keyForm(key)] }

    static let rootKeyIndex: [String: Int] = {
        var d: [String: Int] = [:]
        for (i, r) in roots.enumerated() { d[keyForm(r.name)] = i }
        for t in SnapshotTables.all { if case .collection(let ri) = t.shape { d[keyForm(t.nameJa)] = ri } }
        return d
    }()

    public static let rootIndex: [String: Int] = {
        var d: [String: Int] = [:]
        for (i, r) in roots.enumerated() { d[r.name] = i }
        return d
    }()

    /// Every record schema reachable from the roots, by name (a field read names its record).
    public static let records: [String: RecordSchema] = {
        var out: [String: RecordSchema] = [:]
        func visit(_ r: RecordSchema) {
            guard out[r.name] == nil else { return }
            out[r.name] = r
            for f in r.fields {
                switch f.type {
                case .record(let inner), .list(.record(let inner)): visit(inner)
                default: continue
                }
            }
        }
        for root in roots { visit(root.record) }
        return out
    }()

    /// A key or header as it is matched: trimmed and cleaned (`CellText`), full-width forms
    /// folded (NFKC: `ｌｅｆｔ＿ｏｎ` is `left_on`, `画面ロック（分）` is `画面ロック(分)`), lower case.
    public static func keyForm(_ s: String) -> String {
        CellText.clean(s).text.precomposedStringWithCompatibilityMapping.lowercased()
    }

    /// The field a key that matches none may have meant: the same words written another way
    /// (`LeftOn`, `leftOn`, `left-on`, `left on` are `left_on`), a near spelling, or a key
    /// sharing a field's first word (`left_date`). Nil when none is near.
    public static func nearField(_ key: String, in schema: RecordSchema) -> FieldSchema? {
        let words = RefusedNames.words(key.precomposedStringWithCompatibilityMapping)
        let snake = words.joined(separator: "_")
        if let i = schema.headerIndex[snake] { return schema.fields[i] }
        let names = schema.fields.map(\.name)
        if let guess = closestMatch(to: snake.isEmpty ? keyForm(key) : snake, in: names)
            ?? closestMatch(to: keyForm(key), in: schema.fields.flatMap { $0.aliases.map(keyForm) }).flatMap({ a in
                schema.headerIndex[a].map { names[$0] }
            })
        {
            return schema.field(guess)
        }
        // Sharing the first word with a field whose blank has a meaning (`left_date`).
        guard let first = words.first else { return nil }
        return schema.fields.first {
            $0.absent.meaning != nil && $0.name.split(separator: "_").first.map(String.init) == first
        }
    }

    /// The schema of a field a rule reads.
    public static func field(_ record: String, _ field: String) -> FieldSchema? { records[record]?.field(field) }

    /// Why a field name (an unknown JSON key, CSV column or facility.csv key) is refused, or
    /// nil. Names that would put a secret or a person's data in a snapshot — and from there in
    /// a report — are refused, and their values are never shown. The lists are
    /// `RefusedNames`, documented in docs/robustness.md; the schema's own fields
    /// (`password_changed_on`, `facility.name`) are known before this is asked.
    public static func forbiddenKeyReason(_ key: String) -> String? { RefusedNames.reason(key) }
}

/// The names of secrets and of personal data that no snapshot or table may carry, in English
/// and Japanese. An English name is split into words (`apiKey`, `API_KEY` and `api-key` are
/// all `api key`) and matched as a word (`pin`, but not `shipping`) or as a run of words
/// (`password` in `admin_password`); a Japanese name is matched as a substring. Full-width and
/// half-width forms count as the same (NFKC), as do upper and lower case.
public enum RefusedNames {
    /// Secrets: a word, or a run of words written together.
    public static let secretWords: Set<String> = [
        "pwd", "pw", "pass", "pin", "otp", "totp", "hotp", "cvv", "cvc", "2fa", "mfa", "psk",
    ]
    /// Wi-Fi keys are written next to SSIDs as `PSK`, `wifi_key`, `network key`, `WPA key`.
    public static let secretRuns = [
        "password", "passwd", "passphrase", "passcode", "pincode", "secret", "credential", "credentials",
        "token", "apikey", "accesskey", "privatekey", "secretkey", "authcode", "onetime",
        "wifikey", "networkkey", "securitykey", "encryptionkey", "wepkey", "wpakey", "wpa2key", "wpa3key",
        "presharedkey", "sharedkey", "ssidkey", "wlankey", "keyphrase", "loginid", "loginname", "signinid",
    ]
    public static let secretJa = [
        "パスワード", "パス", "暗証", "秘密", "ワンタイム", "認証コード", "トークン", "合言葉", "秘密鍵",
        "ネットワークキー", "セキュリティキー", "暗号化キー", "暗号キー", "共有キー", "事前共有キー", "wepキー",
        "wpaキー", "認証情報", "資格情報", "ログインid", "ログイン名",
    ]
    /// Secret words refused as the whole name only: `key` or `login` alone beside an SSID is
    /// the Wi-Fi key or the router's login; `key_date` and `last_login` are not secrets
    /// (facility.csv's own `key` column is known before this is asked).
    public static let secretWhole: Set<String> = ["key", "login", "logon", "signin"]
    /// Japanese secret words refused as the whole name only (`キー` alone is a key; `キー番号`
    /// is a locker's, `最終ログイン日` a date).
    public static let secretJaWhole: Set<String> = ["キー", "鍵", "ログイン", "サインイン"]

    /// Personal data: a word, or a run of words written together.
    public static let personalWords: Set<String> = [
        "dob", "tel", "fax", "mail", "email", "phone", "ssn", "kana", "furigana", "surname",
        "gender", "sex", "diagnosis", "disease", "allergy", "allergies", "symptom", "symptoms",
        "prescription", "passport", "zip", "zipcode", "postcode",
    ]
    public static let personalRuns = [
        "birth", "fullname", "firstname", "lastname", "familyname", "givenname", "middlename", "maidenname",
        "username", "nickname", "realname", "displayname", "patientname", "staffname", "membername", "email",
        "phonenumber", "mobilephone", "mobilenumber", "cellphone", "telephone", "homeaddress", "mailaddress",
        "postalcode", "socialsecurity", "mynumber", "insurancenumber", "licensenumber", "medicalhistory",
        "medicalrecord",
    ]
    public static let personalJa = [
        "氏名", "名前", "姓", "苗字", "名字", "フリガナ", "ふりがな", "カナ", "患者名", "者名", "生年月日", "誕生", "生年",
        "電話", "携帯番号", "携帯電話", "メールアドレス", "メアド", "eメール", "住所", "郵便番号", "連絡先", "マイナンバー", "個人番号", "保険証", "被保険者", "免許証",
        "病名", "傷病", "疾患", "病歴", "既往歴", "診断", "処方", "症状", "アレルギー", "性別", "本名", "旧姓",
        "保険者番号", "カルテ番号", "カルテno", "カルテid", "診察券番号",
    ]
    /// Japanese names refused only as the whole name (as parts they are common in device
    /// columns: `メール通知`, `携帯端末`).
    public static let personalJaWhole: Set<String> = ["名", "メール", "携帯"]
    /// `address` is personal, except a device's or network's (`ip_address`, `MACアドレス`).
    public static let machineQualifiers: Set<String> = [
        "ip", "ipv4", "ipv6", "mac", "hardware", "server", "network", "wifi", "ble", "bluetooth",
        "device", "wan", "lan", "gateway", "router", "host",
    ]
    /// A person's `name`: the whole name, the last part of a dotted key (`contact.name` in
    /// facility.csv), or after a word about a person.
    public static let personQualifiers: Set<String> = [
        "patient", "staff", "user", "member", "person", "contact", "doctor", "nurse", "owner",
        "holder", "family", "first", "last", "given", "full", "real", "legal", "display", "admin",
        "manager", "lead", "responsible", "signer", "emergency",
    ]

    public static func reason(_ key: String) -> String? { match(key)?.reason }

    /// The reason with the refused word that matched, for a message that must not show the
    /// name itself (it may be the secret): `looks like a password or secret (\`pw\`)`.
    public static func described(_ key: String) -> String? { match(key).map { "\($0.reason) (`\($0.word)`)" } }

    /// Why a name is refused and the word of these lists that matched (never the name).
    public static func match(_ key: String) -> (reason: String, word: String)? {
        let nfkc = key.precomposedStringWithCompatibilityMapping
        let folded = nfkc.lowercased()
        let words = RefusedNames.words(nfkc)
        let compact = words.joined()
        let secret = "looks like a password or secret", personal = "looks like personal information"
        if let w = words.first(where: secretWords.contains) ?? secretRuns.first(where: compact.contains)
            ?? secretJa.first(where: folded.contains)
            ?? secretJaWhole.first(where: { $0 == folded })
        {
            return (secret, w)
        }
        if let w = words.first(where: personalWords.contains) ?? personalRuns.first(where: compact.contains)
            ?? personalJa.first(where: folded.contains) ?? personalJaWhole.first(where: { $0 == folded })
        {
            return (personal, w)
        }
        // A whole name that is a secret on its own (`key`, `login`), never a part (`key_date`).
        if let w = secretWhole.first(where: { words == [$0] }) { return (secret, w) }
        // An address, unless it is a machine's (`ip_address`, `MACアドレス`).
        for w in ["address", "addr"] {
            if let i = words.firstIndex(of: w), !(i > 0 && machineQualifiers.contains(words[i - 1])) {
                return (personal, w)
            }
        }
        if folded.contains("アドレス"), !words.contains(where: machineQualifiers.contains) {
            return (personal, "アドレス")
        }
        // A person's name: the whole key, the last part of a dotted key, or after a word about a person.
        let lastSegment = folded.split(separator: ".").last.map(String.init) ?? folded
        if lastSegment == "name" || lastSegment == "名前" { return (personal + ": a person's name", lastSegment) }
        if let i = words.firstIndex(of: "name"), i > 0, personQualifiers.contains(words[i - 1]) {
            return (personal + ": a person's name", words[i - 1] + " name")
        }
        return nil
    }

    /// The lowercase ASCII words of a name: split at anything that is not an ASCII letter or
    /// digit, between a lower-case and an upper-case letter (`adminPin`), and before the last
    /// capital of a run followed by a lower-case letter (`PINCode` is `pin code`).
    static func words(_ s: String) -> [String] {
        let u = Array(s.unicodeScalars)
        func isUpper(_ c: Unicode.Scalar) -> Bool { ("A"..."Z").contains(c) }
        func isLower(_ c: Unicode.Scalar) -> Bool { ("a"..."z").contains(c) }
        func isWordChar(_ c: Unicode.Scalar) -> Bool { isUpper(c) || isLower(c) || ("0"..."9").contains(c) }
        var out: [String] = []
        var cur = ""
        for (i, c) in u.enumerated() {
            guard isWordChar(c) else {
                if !cur.isEmpty { out.append(cur.lowercased()) }
                cur = ""
                continue
            }
            if !cur.isEmpty, isUpper(c), let p = cur.unicodeScalars.last,
                isLower(p) || (isUpper(p) && i + 1 < u.count && isLower(u[i + 1]))
            {
                out.append(cur.lowercased())
                cur = ""
            }
            cur.unicodeScalars.append(c)
        }
        if !cur.isEmpty { out.append(cur.lowercased()) }
        return out
    }
}
