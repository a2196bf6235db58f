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

public struct FieldSchema: Sendable {
    public let name: String
    public let type: FieldType
    /// Other headers accepted in CSV tables (Japanese first), e.g. `端末ID` for `id`.
    public let aliases: [String]
    public let doc: String
    public let docJa: String
    /// Japanese words for the values of a choice field (`doctor` → `医師`): tables written in
    /// Japanese use them, and tables are read with either. JSON keeps the English values.
    public let choicesJa: [String: String]
    /// The other way: `医師` → `doctor`.
    public let choiceByLabel: [String: String]

    init(name: String, type: FieldType, aliases: [String], doc: String, docJa: String, choicesJa: [String: String]) {
        self.name = name
        self.type = type
        self.aliases = aliases
        self.doc = doc
        self.docJa = docJa
        self.choicesJa = choicesJa
        choiceByLabel = Dictionary(uniqueKeysWithValues: choicesJa.map { ($0.value, $0.key) })
    }

    /// A value as a Japanese table shows it.
    public func label(_ value: String) -> String { choicesJa[value] ?? value }
}

public final class RecordSchema: Sendable {
    public let name: String
    public let fields: [FieldSchema]
    public let index: [String: Int]
    /// The field that names an element in messages (pseudonymous id).
    public let idField: String?

    public init(_ name: String, id: String? = "id", _ fields: [FieldSchema]) {
        self.name = name
        self.fields = fields
        var idx: [String: Int] = [:]
        for (i, f) in fields.enumerated() { idx[f.name] = i }
        index = idx
        idField = id
        var byHeader: [String: Int] = [:]
        for (i, fld) in fields.enumerated() {
            byHeader[fld.name.lowercased()] = i
            for a in fld.aliases { byHeader[a.lowercased()] = i }
        }
        headerIndex = byHeader
    }

    public func field(_ name: String) -> FieldSchema? { index[name].map { fields[$0] } }

    /// CSV headers (field names and aliases, lowercased) to field indexes; built once, as
    /// every table read needs it.
    public let headerIndex: [String: Int]
}

/// A field; its Japanese label doubles as the Japanese CSV header unless `aliases` says more.
func f(_ name: String, _ type: FieldType, _ doc: String, ja: String = "", aliases: [String] = [], choices: [String: String] = [:]) -> FieldSchema {
    FieldSchema(name: name, type: type, aliases: aliases.isEmpty && !ja.isEmpty ? [ja] : aliases, doc: doc, docJa: ja, choicesJa: choices)
}

/// A top-level section of a snapshot: one record, or a collection of records.
public struct RootSchema: Sendable {
    public enum Shape: Sendable { case single, collection }
    public let name: String
    public let shape: Shape
    public let record: RecordSchema
    public let doc: String
}

/// The snapshot schema: the one source of truth for the loader, the checker, the
/// published `docs/snapshot.schema.json` and the CSV header aliases.
public enum SnapshotSchema {
    public static let version = 1

    public static let facilityKinds = ["clinic", "hospital", "dental-clinic", "visiting-nurse", "pharmacy", "care"]
    public static let jobs = [
        "doctor", "dentist", "nurse", "assistant-nurse", "public-health-nurse", "midwife", "pharmacist",
        "therapist", "care-manager", "care-worker", "social-worker", "clerk", "other",
    ]

    public static let facility = RecordSchema("facility", [
        f("id", .string, "pseudonymous facility id", ja: "施設ID"),
        f("name", .string, "facility name (an organisation, not a person)", ja: "施設名"),
        f("kind", .enumeration(facilityKinds), "kind of facility", ja: "施設種別",
          choices: ["clinic": "診療所", "hospital": "病院", "dental-clinic": "歯科診療所", "visiting-nurse": "訪問看護ステーション", "pharmacy": "薬局", "care": "介護事業所"]),
        f("beds", .int, "number of beds (0 for 無床)", ja: "病床数"),
        f("uses_wifi", .bool, "staff use MCS over Wi-Fi at the facility", ja: "Wi-Fiを利用"),
        f("lends_devices", .bool, "the facility lends devices to staff (貸与端末)", ja: "端末を貸与"),
        f("allows_personal_devices", .bool, "staff may use their own devices (BYOD)", ja: "私物端末を許可"),
        f("uses_patient_accounts", .bool, "patients or families have MCS accounts", ja: "患者アカウントを利用"),
        f("shares_outside", .bool, "patient information is shared with other facilities through MCS", ja: "施設外と共有"),
        f("committee_established_on", .date, "date the information-system management committee was set up", ja: "情報システム管理委員会設置日"),
    ])

    public static let role = RecordSchema("role", id: "role", [
        f("role", .enumeration(["operations-lead", "system-admin", "privacy-lead", "audit-lead", "mcs-admin"]),
          "the responsibility held", ja: "役割",
          choices: ["operations-lead": "運用責任者", "system-admin": "システム管理者", "privacy-lead": "個人情報保護責任者", "audit-lead": "監査責任者", "mcs-admin": "MCS管理者"]),
        f("staff_id", .string, "who holds it", ja: "職員ID"),
        f("since", .date, "assigned on", ja: "任命日"),
    ])

    public static let passwordPolicy = RecordSchema("password_policy", id: nil, [
        f("min_length", .int, "minimum password length the facility requires", ja: "最小文字数"),
        f("requires_letters", .bool, "letters required", ja: "英字必須"),
        f("requires_digits", .bool, "digits required", ja: "数字必須"),
        f("requires_symbols", .bool, "symbols required", ja: "記号必須"),
        f("max_age", .duration(unit: .days), "longest time before a change is required (absent: never)", ja: "変更周期"),
    ])

    public static let service = RecordSchema("service", id: nil, [
        f("password", .record(passwordPolicy), "the facility's password policy for MCS", ja: "パスワード方針"),
        f("invitation_approval", .bool, "administrator approval of invitations is switched on", ja: "招待承認機能"),
        f("client_certificates", .bool, "client-certificate authentication is in use", ja: "クライアント証明書"),
        f("official_contacts_published", .bool, "staff are told the official MCS site and mail senders", ja: "公式サイト・送信元の周知"),
    ])

    public static let provider = RecordSchema("provider", id: nil, [
        f("name", .string, "service name", ja: "サービス名"),
        f("profile_as_of", .date, "date of the published profile", ja: "公表日"),
        f("unique_user_ids", .bool, "users authenticate with a unique ID and password", ja: "固有ID認証"),
        f("password_min_length", .int, "shortest password the service accepts", ja: "パスワード最小文字数"),
        f("password_requires_letters_and_digits", .bool, "the service requires letters and digits", ja: "英数字必須"),
        f("supports_long_passwords", .bool, "13+ character passwords with symbols are accepted", ja: "長いパスワード対応"),
        f("lockout_attempts", .int, "failed logins before lockout", ja: "ロックアウト回数"),
        f("lockout_duration", .duration(unit: .minutes), "lockout time", ja: "ロックアウト時間"),
        f("idle_logout", .duration(unit: .minutes), "automatic logout after inactivity", ja: "自動ログアウト"),
        f("backup_interval", .duration(unit: .hours), "time between backups", ja: "バックアップ間隔"),
        f("backup_generations", .int, "backup generations kept", ja: "バックアップ世代数"),
        f("failure_detection", .bool, "infrastructure failures are detected and answered", ja: "障害検知"),
        f("redundant_infrastructure", .bool, "redundant cloud infrastructure", ja: "冗長化"),
        f("business_continuity_plan", .bool, "a BCP is in place", ja: "事業継続計画"),
        f("waf_protections", .list(.enumeration(["ddos", "xss", "sql-injection"])), "what the WAF protects against", ja: "WAF防御"),
        f("security_testing", .bool, "security and availability testing with fixes", ja: "セキュリティ試験"),
        f("vulnerability_monitoring", .bool, "vulnerability information followed and fixed at once", ja: "脆弱性対応"),
        f("database_encryption", .bool, "databases with confidential information are encrypted", ja: "DB暗号化"),
        f("tls_min_version", .enumeration(["1.0", "1.1", "1.2", "1.3"]), "lowest TLS version accepted", ja: "TLS最低バージョン"),
        f("client_certificate_mfa", .bool, "client-certificate MFA is offered", ja: "クライアント証明書MFA"),
        f("professional_verification", .bool, "verification of healthcare professionals is offered", ja: "医療者認証"),
        f("patient_verification", .bool, "patient identity verification is offered", ja: "患者本人確認"),
    ])

    public static let staff = RecordSchema("staff_member", [
        f("id", .string, "pseudonymous staff id", ja: "職員ID", aliases: ["職員ID", "staff_id"]),
        f("job", .enumeration(jobs), "profession; decides the statutory confidentiality duty", ja: "職種", aliases: ["職種"],
          choices: ["doctor": "医師", "dentist": "歯科医師", "nurse": "看護師", "assistant-nurse": "准看護師", "public-health-nurse": "保健師", "midwife": "助産師", "pharmacist": "薬剤師", "therapist": "療法士", "care-manager": "ケアマネジャー", "care-worker": "介護職員", "social-worker": "ソーシャルワーカー", "clerk": "事務職員", "other": "その他"]),
        f("hired_on", .date, "first day of employment", ja: "入職日", aliases: ["入職日"]),
        f("left_on", .date, "last day of employment, if left", ja: "退職日", aliases: ["退職日"]),
        f("uses_mcs", .bool, "the staff member uses MCS", ja: "MCS利用", aliases: ["MCS利用"]),
        f("account_id", .string, "the MCS account this staff member logs in with", ja: "アカウントID", aliases: ["アカウントID"]),
        f("pledge_signed_on", .date, "staff pledge (スタッフ誓約書) signed on", ja: "誓約書署名日", aliases: ["誓約書署名日"]),
        f("nda_signed_on", .date, "non-disclosure agreement signed on", ja: "秘密保持契約締結日", aliases: ["秘密保持契約締結日"]),
        f("training_dates", .list(.date), "dates of security training attended", ja: "研修受講日", aliases: ["研修受講日"]),
    ])

    public static let account = RecordSchema("account", [
        f("id", .string, "MCS account id (pseudonymous)", ja: "アカウントID", aliases: ["アカウントID"]),
        f("staff_id", .string, "the staff member who owns the account", ja: "職員ID", aliases: ["職員ID"]),
        f("status", .enumeration(["active", "suspended", "deleted"]), "account state", ja: "状態", aliases: ["状態"],
          choices: ["active": "有効", "suspended": "停止", "deleted": "削除"]),
        f("is_admin", .bool, "has MCS administrator rights", ja: "管理者権限", aliases: ["管理者権限"]),
        f("created_on", .date, "registered on", ja: "登録日", aliases: ["登録日"]),
        f("deleted_on", .date, "deleted on", ja: "削除日", aliases: ["削除日"]),
        f("suspended_on", .date, "suspended on", ja: "停止日", aliases: ["停止日"]),
        f("password_changed_on", .date, "password last changed on", ja: "パスワード変更日", aliases: ["パスワード変更日"]),
        f("profile_photo", .bool, "profile and face photo set", ja: "プロフィール写真", aliases: ["プロフィール写真"]),
        f("identity_verified", .bool, "verified as a healthcare or care professional", ja: "本人認証", aliases: ["本人認証"]),
    ])

    public static let device = RecordSchema("device", [
        f("id", .string, "device id (asset tag)", ja: "端末ID", aliases: ["端末ID", "device_id"]),
        f("kind", .enumeration(["pc", "tablet", "smartphone"]), "kind of device", ja: "端末種別", aliases: ["端末種別", "種別"],
          choices: ["pc": "パソコン", "tablet": "タブレット", "smartphone": "スマートフォン"]),
        f("ownership", .enumeration(["facility", "personal"]), "facility-issued (貸与) or personal (BYOD)", ja: "所有", aliases: ["所有", "所有区分"],
          choices: ["facility": "施設貸与", "personal": "私物"]),
        f("assigned_staff_id", .string, "staff member the device is issued to or belongs to", ja: "利用者職員ID", aliases: ["利用者職員ID", "職員ID"]),
        f("status", .enumeration(["active", "returned", "retired", "lost"]), "device state", ja: "状態", aliases: ["状態"],
          choices: ["active": "使用中", "returned": "返却済", "retired": "廃棄", "lost": "紛失"]),
        f("used_for_mcs", .bool, "MCS is used on this device", ja: "MCS利用", aliases: ["MCS利用"]),
        f("os", .string, "operating system", ja: "OS", aliases: ["OS"]),
        f("os_version", .string, "operating system version", ja: "OSバージョン", aliases: ["OSバージョン"]),
        f("os_up_to_date", .bool, "the latest OS version offered for the device is installed", ja: "OS最新", aliases: ["OS最新"]),
        f("os_updated_on", .date, "last OS update applied on", ja: "OS更新日", aliases: ["OS更新日"]),
        f("screen_lock_minutes", .duration(unit: .minutes), "idle time before the screen locks (absent: never)", ja: "画面ロック(分)", aliases: ["画面ロック(分)", "画面ロック分"]),
        f("device_lock", .enumeration(["none", "pin", "pattern", "password", "biometric"]), "device lock method", ja: "デバイスロック", aliases: ["デバイスロック"],
          choices: ["none": "ロックなし", "pin": "PIN", "pattern": "パターン", "password": "パスワード", "biometric": "生体認証"]),
        f("antimalware", .bool, "anti-malware protection active", ja: "ウイルス対策", aliases: ["ウイルス対策"]),
        f("antimalware_updated_on", .date, "anti-malware definitions last updated on", ja: "定義更新日", aliases: ["定義更新日"]),
        f("mdm", .bool, "enrolled in mobile device management", ja: "MDM", aliases: ["MDM"]),
        f("remote_wipe", .bool, "remote wipe available", ja: "リモートワイプ", aliases: ["リモートワイプ"]),
        f("vpn", .bool, "MCS is used over a VPN", ja: "VPN", aliases: ["VPN"]),
        f("client_certificate", .bool, "client certificate installed for MCS", ja: "クライアント証明書", aliases: ["クライアント証明書"]),
        f("app_source", .enumeration(["app-store", "google-play", "browser", "other"]), "where the MCS app came from (browser: no app)", ja: "アプリ入手元", aliases: ["アプリ入手元"],
          choices: ["app-store": "App Store", "google-play": "Google Play", "browser": "ブラウザ", "other": "その他"]),
        f("offsite_connection", .enumeration(["none", "cellular", "mobile-router", "public-wifi", "home-wifi"]), "how the device connects outside the facility", ja: "施設外接続", aliases: ["施設外接続"],
          choices: ["none": "施設外で使わない", "cellular": "携帯回線", "mobile-router": "モバイルルーター", "public-wifi": "公衆Wi-Fi", "home-wifi": "自宅Wi-Fi"]),
        f("locked_storage", .bool, "stored locked away when not in use", ja: "施錠保管", aliases: ["施錠保管"]),
        f("privacy_filter", .bool, "privacy filter fitted", ja: "覗き見防止", aliases: ["覗き見防止"]),
        f("returned_on", .date, "returned to the facility on", ja: "返却日", aliases: ["返却日"]),
    ])

    public static let network = RecordSchema("network", [
        f("id", .string, "network id", ja: "ネットワークID"),
        f("ssid", .string, "SSID", ja: "SSID"),
        f("encryption", .enumeration(["WPA3", "WPA2-AES", "WPA2-TKIP", "WPA", "WEP", "open", "unknown"]), "Wi-Fi encryption", ja: "暗号化方式",
          choices: ["open": "暗号化なし", "unknown": "不明"]),
        f("operator", .enumeration(["facility", "home", "public", "unknown"]), "who runs the network", ja: "管理者区分",
          choices: ["facility": "施設", "home": "自宅", "public": "公衆", "unknown": "不明"]),
        f("used_for_mcs", .bool, "MCS is used over this network", ja: "MCS利用"),
    ])

    public static let patient = RecordSchema("patient", [
        f("id", .string, "pseudonymous patient id (never a name)", ja: "患者ID"),
        f("status", .enumeration(["active", "discharged", "transferred-out", "deceased"]), "care state", ja: "状態",
          choices: ["active": "診療中", "discharged": "終了", "transferred-out": "転出", "deceased": "死亡"]),
        f("care_ended_on", .date, "date the facility stopped caring for the patient", ja: "診療終了日"),
        f("has_account", .bool, "the patient or family has an MCS account", ja: "患者アカウント"),
        f("account_verified_on", .date, "patient identity confirmed on", ja: "本人確認日"),
        f("transferred_in_on", .date, "management moved to this facility on", ja: "転入日"),
        f("transferred_out_on", .date, "management moved to another facility on", ja: "転出日"),
        f("receiving_facility_accepted_on", .date, "the receiving facility accepted responsibility on", ja: "転出先受入日"),
    ])

    public static let member = RecordSchema("member", id: "account_id", [
        f("account_id", .string, "member's MCS account", ja: "アカウントID"),
        f("staff_id", .string, "member's staff id, for this facility's staff", ja: "職員ID"),
        f("facility_id", .string, "member's facility, for members from outside", ja: "所属施設ID"),
        f("external", .bool, "the member belongs to another facility", ja: "施設外"),
        f("invited_on", .date, "invited on", ja: "招待日"),
        f("approved_by", .string, "account id of the administrator who approved the invitation", ja: "承認者アカウントID"),
        f("approved_on", .date, "invitation approved on", ja: "承認日"),
        f("joined_on", .date, "joined on", ja: "参加日"),
        f("in_charge_until", .date, "last day the member was in charge of the patient", ja: "担当終了日"),
        f("removed_on", .date, "removed from the group on", ja: "退出日"),
    ])

    public static let group = RecordSchema("group", [
        f("id", .string, "group id", ja: "グループID"),
        f("kind", .enumeration(["patient", "free"]), "patient group (患者グループ) or free group", ja: "グループ種別",
          choices: ["patient": "患者グループ", "free": "フリーグループ"]),
        f("patient_ids", .list(.string), "patients the group is about", ja: "患者ID"),
        f("created_on", .date, "created on", ja: "作成日"),
        f("first_shared_on", .date, "first post shared on", ja: "初回共有日"),
        f("shares_outside", .bool, "members from other facilities", ja: "施設外と共有"),
        f("archived_on", .date, "moved to the archive (保管庫) on", ja: "保管庫移動日"),
        f("reviewed_on", .list(.date), "membership reviews", ja: "メンバー見直し日"),
        f("members", .list(.record(member)), "members", ja: "メンバー"),
    ])

    public static let refusal = RecordSchema("refusal", id: "clause", [
        f("clause", .string, "the clause refused (e.g. 第3項)", ja: "不同意項目"),
        f("party", .string, "facility id or profession the patient refused sharing with", ja: "不同意の相手"),
        f("recorded_on", .date, "written on the consent form on", ja: "記載日"),
    ])

    public static let consent = RecordSchema("consent", [
        f("id", .string, "consent record id", ja: "同意ID"),
        f("patient_id", .string, "the patient", ja: "患者ID"),
        f("method", .enumeration(["opt-in", "implied", "verbal"]), "how consent was given", ja: "同意方法",
          choices: ["opt-in": "明示の同意", "implied": "黙示の同意", "verbal": "口頭の同意"]),
        f("signed_on", .date, "obtained on", ja: "同意日"),
        f("form_on_file", .bool, "signed consent form kept", ja: "同意書保管"),
        f("kind", .enumeration(["initial", "re-consent"]), "first consent or consent obtained again after a transfer", ja: "同意区分",
          choices: ["initial": "初回", "re-consent": "再同意"]),
        f("withdrawn_on", .date, "withdrawn on", ja: "撤回日"),
        f("refusals", .list(.record(refusal)), "partial refusals (一部不同意)", ja: "一部不同意"),
    ])

    public static let document = RecordSchema("document", [
        f("id", .string, "document id", ja: "文書ID"),
        f("kind", .enumeration([
            "operations-rules", "device-management", "backup-plan", "post-employment-privacy", "pledge-template", "training-plan",
        ]), "what the document is", ja: "文書種別",
          choices: ["operations-rules": "運用管理規程", "device-management": "端末管理規程", "backup-plan": "バックアップ計画", "post-employment-privacy": "退職後の個人情報保護", "pledge-template": "誓約書ひな形", "training-plan": "教育計画"]),
        f("adopted_on", .date, "adopted on", ja: "制定日"),
        f("reviewed_on", .date, "last reviewed on", ja: "見直し日"),
        f("communicated", .bool, "made known to the staff concerned", ja: "周知済み"),
    ])

    public static let incident = RecordSchema("incident", [
        f("id", .string, "incident id", ja: "インシデントID"),
        f("kind", .enumeration(["device-lost", "device-stolen", "password-leak", "unauthorized-access", "wrong-post", "inappropriate-post"]), "what happened", ja: "種別",
          choices: ["device-lost": "端末紛失", "device-stolen": "端末盗難", "password-leak": "パスワード流出", "unauthorized-access": "不正アクセス", "wrong-post": "誤投稿", "inappropriate-post": "不適切な投稿"]),
        f("occurred_on", .date, "occurred on", ja: "発生日"),
        f("reported_on", .date, "reported to the administrator on", ja: "報告日"),
        f("account_id", .string, "account concerned", ja: "アカウントID"),
        f("device_id", .string, "device concerned", ja: "端末ID"),
        f("action", .enumeration(["password-changed", "account-suspended", "post-deleted", "none"]), "what was done", ja: "対応",
          choices: ["password-changed": "パスワード変更", "account-suspended": "アカウント停止", "post-deleted": "投稿削除", "none": "対応なし"]),
        f("action_on", .date, "done on", ja: "対応日"),
    ])

    public static let monitoring = RecordSchema("monitoring_record", [
        f("id", .string, "record id", ja: "記録ID"),
        f("kind", .enumeration(["post-monitoring", "access-review"]), "what was monitored", ja: "種別",
          choices: ["post-monitoring": "投稿の監視", "access-review": "アクセス確認"]),
        f("performed_on", .date, "performed on", ja: "実施日"),
        f("by", .string, "pseudonymous id of who performed it", ja: "実施者ID"),
    ])

    public static let attestation = RecordSchema("attestation", id: "item", [
        f("item", .string, "the attestation key the rule names", ja: "確認項目"),
        f("answer", .enumeration(["yes", "no", "not-applicable"]), "the answer", ja: "回答",
          choices: ["yes": "はい", "no": "いいえ", "not-applicable": "対象外"]),
        f("by_role", .string, "role of the person attesting", ja: "回答者の役割"),
        f("by", .string, "pseudonymous id of the person attesting", ja: "回答者ID"),
        f("signed_on", .date, "signed on", ja: "回答日"),
        f("reason", .string, "reason, for not-applicable", ja: "理由"),
    ])

    public static let roots: [RootSchema] = [
        RootSchema(name: "facility", shape: .single, record: facility, doc: "facility profile"),
        RootSchema(name: "roles", shape: .collection, record: role, doc: "responsibilities held (organisation)"),
        RootSchema(name: "service", shape: .single, record: service, doc: "the facility's MCS settings"),
        RootSchema(name: "provider", shape: .single, record: provider, doc: "the provider's published service profile"),
        RootSchema(name: "staff", shape: .collection, record: staff, doc: "staff roster"),
        RootSchema(name: "accounts", shape: .collection, record: account, doc: "MCS accounts of the facility"),
        RootSchema(name: "devices", shape: .collection, record: device, doc: "device inventory"),
        RootSchema(name: "networks", shape: .collection, record: network, doc: "Wi-Fi networks"),
        RootSchema(name: "patients", shape: .collection, record: patient, doc: "patients (pseudonymous)"),
        RootSchema(name: "groups", shape: .collection, record: group, doc: "MCS groups"),
        RootSchema(name: "consents", shape: .collection, record: consent, doc: "patient consents"),
        RootSchema(name: "documents", shape: .collection, record: document, doc: "policies on file"),
        RootSchema(name: "incidents", shape: .collection, record: incident, doc: "incidents"),
        RootSchema(name: "monitoring", shape: .collection, record: monitoring, doc: "monitoring and review records"),
        RootSchema(name: "attestations", shape: .collection, record: attestation, doc: "signed statements by responsible people"),
    ]

    public static let rootIndex: [String: Int] = {
        var d: [String: Int] = [:]
        for (i, r) in roots.enumerated() { d[r.name] = i }
        return d
    }()

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
    public static let secretWords: Set<String> = ["pwd", "pw", "pass", "pin", "otp", "totp", "hotp", "cvv", "cvc", "2fa", "mfa"]
    public static let secretRuns = ["password", "passwd", "passphrase", "passcode", "pincode", "secret", "credential", "credentials",
                                    "token", "apikey", "accesskey", "privatekey", "secretkey", "authcode", "onetime"]
    public static let secretJa = ["パスワード", "パス", "暗証", "秘密", "ワンタイム", "認証コード", "トークン", "合言葉", "秘密鍵"]

    /// Personal data: a word, or a run of words written together.
    public static let personalWords: Set<String> = ["dob", "tel", "fax", "mail", "email", "phone", "ssn", "kana", "furigana", "surname",
                                                    "gender", "sex", "diagnosis", "disease", "allergy", "allergies", "symptom", "symptoms",
                                                    "prescription", "passport", "zip", "zipcode", "postcode"]
    public static let personalRuns = ["birth", "fullname", "firstname", "lastname", "familyname", "givenname", "middlename", "maidenname",
                                      "username", "nickname", "realname", "displayname", "patientname", "staffname", "membername", "email",
                                      "phonenumber", "mobilephone", "mobilenumber", "cellphone", "telephone", "homeaddress", "mailaddress",
                                      "postalcode", "socialsecurity", "mynumber", "insurancenumber", "licensenumber", "medicalhistory",
                                      "medicalrecord"]
    public static let personalJa = ["氏名", "名前", "姓", "苗字", "名字", "フリガナ", "ふりがな", "カナ", "患者名", "者名", "生年月日", "誕生", "生年",
                                    "電話", "携帯番号", "携帯電話", "メールアドレス", "メアド", "eメール", "住所", "郵便番号", "連絡先", "マイナンバー", "個人番号", "保険証", "被保険者", "免許証",
                                    "病名", "傷病", "疾患", "病歴", "既往歴", "診断", "処方", "症状", "アレルギー", "性別", "本名", "旧姓"]
    /// Japanese names refused only as the whole name (as parts they are common in device
    /// columns: `メール通知`, `携帯端末`).
    public static let personalJaWhole: Set<String> = ["名", "メール", "携帯"]
    /// `address` is personal, except a device's or network's (`ip_address`, `MACアドレス`).
    public static let machineQualifiers: Set<String> = ["ip", "ipv4", "ipv6", "mac", "hardware", "server", "network", "wifi", "ble", "bluetooth",
                                                 "device", "wan", "lan", "gateway", "router", "host"]
    /// A person's `name`: the whole name, the last part of a dotted key (`contact.name` in
    /// facility.csv), or after a word about a person.
    public static let personQualifiers: Set<String> = ["patient", "staff", "user", "member", "person", "contact", "doctor", "nurse", "owner",
                                                "holder", "family", "first", "last", "given", "full", "real", "legal", "display", "admin",
                                                "manager", "lead", "responsible", "signer", "emergency"]

    public static func reason(_ key: String) -> String? {
        let nfkc = key.precomposedStringWithCompatibilityMapping
        let folded = nfkc.lowercased()
        let words = RefusedNames.words(nfkc)
        let compact = words.joined()
        if words.contains(where: secretWords.contains) || secretRuns.contains(where: compact.contains)
            || secretJa.contains(where: folded.contains) {
            return "looks like a password or secret"
        }
        if words.contains(where: personalWords.contains) || personalRuns.contains(where: compact.contains)
            || personalJa.contains(where: folded.contains) || personalJaWhole.contains(folded) {
            return "looks like personal information"
        }
        // An address, unless it is a machine's (`ip_address`, `MACアドレス`).
        if let i = words.firstIndex(of: "address"), !(i > 0 && machineQualifiers.contains(words[i - 1])) {
            return "looks like personal information"
        }
        if folded.contains("アドレス"), !words.contains(where: machineQualifiers.contains) {
            return "looks like personal information"
        }
        // A person's name: the whole key, the last part of a dotted key, or after a word about a person.
        let lastSegment = folded.split(separator: ".").last.map(String.init) ?? folded
        if lastSegment == "name" || lastSegment == "名前" { return "looks like personal information (a person's name)" }
        if let i = words.firstIndex(of: "name"), i > 0, personQualifiers.contains(words[i - 1]) {
            return "looks like personal information (a person's name)"
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
               isLower(p) || (isUpper(p) && i + 1 < u.count && isLower(u[i + 1])) {
                out.append(cur.lowercased())
                cur = ""
            }
            cur.unicodeScalars.append(c)
        }
        if !cur.isEmpty { out.append(cur.lowercased()) }
        return out
    }
}
