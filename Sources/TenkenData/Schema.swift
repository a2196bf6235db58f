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
        /// A field of a single section (`facility.uses_patient_accounts`).
        case single(section: String)
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
        case .single(let section): "`\(section).\(field)` is \(valuesText)"
        case .nested(let list): "an element of `\(list)` has `\(field)` \(valuesText)"
        case .related(let collection, let key):
            "an element of `\(collection)` naming it in `\(key)` has `\(field)` \(valuesText)"
        }
    }
    var textJa: String {
        switch scope {
        case .element: "\(field)\(valuesTextJa)"
        case .single(let section): "\(section).\(field)\(valuesTextJa)"
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
        absentValues = fields.map(\.absent.value)
        identifierWalk = IdentifierSpellings.walk(self.fields, idField: id, uniqueIDs: uniqueIDs)
        consistency = Consistency.Plan(
            fields: self.fields, index: idx, notBefore: notBeforeIndex, bounds: bounds, exclusions: exclusions,
            nonEmpty: nonEmpty, denials: denials)
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
        var collisions: [(header: String, field: Int, other: Int)] = []
        for (i, fld) in fields.enumerated() {
            for h in [fld.name] + fld.aliases {
                let k = SnapshotSchema.keyForm(h)
                if let o = byHeader[k], o != i { collisions.append((h, i, o)) }
                byHeader[k] = i
            }
        }
        headerIndex = byHeader
        headerCollisions = collisions
        scanPlan = RecordScanPlan(self.fields)
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
    /// Each field's `notBefore` field, by index (nil where the record lacks one).
    public let notBeforeIndex: [Int?]
    /// What `Consistency` checks in this schema's records, resolved once: it checks every record.
    let consistency: Consistency.Plan
    /// The fields `Facility.normalised` reads (`IdentifierSpellings.walk`).
    let identifierWalk: [(field: Int, unified: Bool)]

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
    /// Headers (a name or an alias) that fold to another field's (`SnapshotSchema.keyForm`):
    /// the header, its field and the other field. The schema checker refuses them
    /// (`schema.duplicate-header`); a column with one would fill either.
    public let headerCollisions: [(header: String, field: Int, other: Int)]
    /// The field names (and choice words) as bytes, for `SnapshotScanner`.
    let scanPlan: RecordScanPlan
}

/// The pure helpers of snapshot reading that name no pack: the snapshot format's version, the
/// key form headers are matched in, near-miss field names and refused names. The schema itself is
/// a value (`PackSchema`) the pack brings; the built-in pack's is compiled once per process by
/// TenkenAudit (`PackLoader.builtInSchema`) and passed to every reader.
public enum SnapshotSchema {
    /// A key or header as it is matched: trimmed and cleaned (`CellText`), full-width forms
    /// folded (NFKC: `ｌｅｆｔ＿ｏｎ` is `left_on`, `画面ロック（分）` is `画面ロック(分)`), lower case.
    public static func keyForm(_ s: String) -> String {
        // Printable ASCII without capitals is its own key form (most names and headers).
        if CellText.allBytes(s, { $0 > 0x20 && $0 < 0x7F && !(0x41...0x5A).contains($0) }) { return s }
        if let k = kanjiKanaKeyForm(s) { return k }
        return CellText.clean(s).text.precomposedStringWithCompatibilityMapping.lowercased()
    }

    /// The key form of a word of kanji, kana and printable ASCII (most Japanese headers and
    /// choice words): nothing in it is trimmed, refused, combined or changed by NFKC, and only
    /// ASCII has case. Nil for anything else. Compiling a schema folds hundreds of them, and
    /// Foundation's NFKC was a tenth of a batch's start.
    static func kanjiKanaKeyForm(_ s: String) -> String? {
        var capitals = false
        for u in s.unicodeScalars {
            switch u.value {
            case 0x41...0x5A: capitals = true
            // Printable ASCII but the space; hiragana ぁ–ゖ (not the combining or spacing
            // sound marks, nor ゟ); katakana ァ–ヺ, ・ and ー (not ヿ); CJK unified ideographs.
            case 0x21...0x7E, 0x3041...0x3096, 0x30A1...0x30FC, 0x4E00...0x9FFF: continue
            default: return nil
            }
        }
        return capitals ? s.lowercased() : s
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

extension PackSchema {
    /// A schema of no sections, for a reader that reads single cells only.
    static let empty = PackSchema(sections: [], tables: [], choiceSets: [:])

    /// The schema of a field a rule reads.
    public func field(_ record: String, _ field: String) -> FieldSchema? { records[record]?.field(field) }
}
