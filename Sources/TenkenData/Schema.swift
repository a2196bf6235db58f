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
    }

    public func field(_ name: String) -> FieldSchema? { index[name].map { fields[$0] } }
}

func f(_ name: String, _ type: FieldType, _ doc: String, ja: String = "", aliases: [String] = []) -> FieldSchema {
    FieldSchema(name: name, type: type, aliases: aliases, doc: doc, docJa: ja)
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
        f("kind", .enumeration(facilityKinds), "kind of facility", ja: "施設種別"),
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
          "the responsibility held", ja: "役割"),
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
        f("name", .string, "service name"),
        f("profile_as_of", .date, "date of the published profile"),
        f("unique_user_ids", .bool, "users authenticate with a unique ID and password"),
        f("password_min_length", .int, "shortest password the service accepts"),
        f("password_requires_letters_and_digits", .bool, "the service requires letters and digits"),
        f("supports_long_passwords", .bool, "13+ character passwords with symbols are accepted"),
        f("lockout_attempts", .int, "failed logins before lockout"),
        f("lockout_duration", .duration(unit: .minutes), "lockout time"),
        f("idle_logout", .duration(unit: .minutes), "automatic logout after inactivity"),
        f("backup_interval", .duration(unit: .hours), "time between backups"),
        f("backup_generations", .int, "backup generations kept"),
        f("failure_detection", .bool, "infrastructure failures are detected and answered"),
        f("redundant_infrastructure", .bool, "redundant cloud infrastructure"),
        f("business_continuity_plan", .bool, "a BCP is in place"),
        f("waf_protections", .list(.enumeration(["ddos", "xss", "sql-injection"])), "what the WAF protects against"),
        f("security_testing", .bool, "security and availability testing with fixes"),
        f("vulnerability_monitoring", .bool, "vulnerability information followed and fixed at once"),
        f("database_encryption", .bool, "databases with confidential information are encrypted"),
        f("tls_min_version", .enumeration(["1.0", "1.1", "1.2", "1.3"]), "lowest TLS version accepted"),
        f("client_certificate_mfa", .bool, "client-certificate MFA is offered"),
        f("professional_verification", .bool, "verification of healthcare professionals is offered"),
        f("patient_verification", .bool, "patient identity verification is offered"),
    ])

    public static let staff = RecordSchema("staff_member", [
        f("id", .string, "pseudonymous staff id", ja: "職員ID", aliases: ["職員ID", "staff_id"]),
        f("job", .enumeration(jobs), "profession; decides the statutory confidentiality duty", ja: "職種", aliases: ["職種"]),
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
        f("status", .enumeration(["active", "suspended", "deleted"]), "account state", ja: "状態", aliases: ["状態"]),
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
        f("kind", .enumeration(["pc", "tablet", "smartphone"]), "kind of device", ja: "端末種別", aliases: ["端末種別", "種別"]),
        f("ownership", .enumeration(["facility", "personal"]), "facility-issued (貸与) or personal (BYOD)", ja: "所有", aliases: ["所有", "所有区分"]),
        f("assigned_staff_id", .string, "staff member the device is issued to or belongs to", ja: "利用者職員ID", aliases: ["利用者職員ID", "職員ID"]),
        f("status", .enumeration(["active", "returned", "retired", "lost"]), "device state", ja: "状態", aliases: ["状態"]),
        f("used_for_mcs", .bool, "MCS is used on this device", ja: "MCS利用", aliases: ["MCS利用"]),
        f("os", .string, "operating system", ja: "OS", aliases: ["OS"]),
        f("os_version", .string, "operating system version", ja: "OSバージョン", aliases: ["OSバージョン"]),
        f("os_up_to_date", .bool, "the latest OS version offered for the device is installed", ja: "OS最新", aliases: ["OS最新"]),
        f("os_updated_on", .date, "last OS update applied on", ja: "OS更新日", aliases: ["OS更新日"]),
        f("screen_lock_minutes", .duration(unit: .minutes), "idle time before the screen locks (absent: never)", ja: "画面ロック(分)", aliases: ["画面ロック(分)", "画面ロック分"]),
        f("device_lock", .enumeration(["none", "pin", "pattern", "password", "biometric"]), "device lock method", ja: "デバイスロック", aliases: ["デバイスロック"]),
        f("antimalware", .bool, "anti-malware protection active", ja: "ウイルス対策", aliases: ["ウイルス対策"]),
        f("antimalware_updated_on", .date, "anti-malware definitions last updated on", ja: "定義更新日", aliases: ["定義更新日"]),
        f("mdm", .bool, "enrolled in mobile device management", ja: "MDM", aliases: ["MDM"]),
        f("remote_wipe", .bool, "remote wipe available", ja: "リモートワイプ", aliases: ["リモートワイプ"]),
        f("vpn", .bool, "MCS is used over a VPN", ja: "VPN", aliases: ["VPN"]),
        f("client_certificate", .bool, "client certificate installed for MCS", ja: "クライアント証明書", aliases: ["クライアント証明書"]),
        f("app_source", .enumeration(["app-store", "google-play", "browser", "other"]), "where the MCS app came from (browser: no app)", ja: "アプリ入手元", aliases: ["アプリ入手元"]),
        f("offsite_connection", .enumeration(["none", "cellular", "mobile-router", "public-wifi", "home-wifi"]), "how the device connects outside the facility", ja: "施設外接続", aliases: ["施設外接続"]),
        f("locked_storage", .bool, "stored locked away when not in use", ja: "施錠保管", aliases: ["施錠保管"]),
        f("privacy_filter", .bool, "privacy filter fitted", ja: "覗き見防止", aliases: ["覗き見防止"]),
        f("returned_on", .date, "returned to the facility on", ja: "返却日", aliases: ["返却日"]),
    ])

    public static let network = RecordSchema("network", [
        f("id", .string, "network id"),
        f("ssid", .string, "SSID"),
        f("encryption", .enumeration(["WPA3", "WPA2-AES", "WPA2-TKIP", "WPA", "WEP", "open", "unknown"]), "Wi-Fi encryption"),
        f("operator", .enumeration(["facility", "home", "public", "unknown"]), "who runs the network"),
        f("used_for_mcs", .bool, "MCS is used over this network"),
    ])

    public static let patient = RecordSchema("patient", [
        f("id", .string, "pseudonymous patient id (never a name)"),
        f("status", .enumeration(["active", "discharged", "transferred-out", "deceased"]), "care state"),
        f("care_ended_on", .date, "date the facility stopped caring for the patient"),
        f("has_account", .bool, "the patient or family has an MCS account"),
        f("account_verified_on", .date, "patient identity confirmed on"),
        f("transferred_in_on", .date, "management moved to this facility on"),
        f("transferred_out_on", .date, "management moved to another facility on"),
        f("receiving_facility_accepted_on", .date, "the receiving facility accepted responsibility on"),
    ])

    public static let member = RecordSchema("member", id: "account_id", [
        f("account_id", .string, "member's MCS account"),
        f("staff_id", .string, "member's staff id, for this facility's staff"),
        f("facility_id", .string, "member's facility, for members from outside"),
        f("external", .bool, "the member belongs to another facility"),
        f("invited_on", .date, "invited on"),
        f("approved_by", .string, "account id of the administrator who approved the invitation"),
        f("approved_on", .date, "invitation approved on"),
        f("joined_on", .date, "joined on"),
        f("in_charge_until", .date, "last day the member was in charge of the patient"),
        f("removed_on", .date, "removed from the group on"),
    ])

    public static let group = RecordSchema("group", [
        f("id", .string, "group id"),
        f("kind", .enumeration(["patient", "free"]), "patient group (患者グループ) or free group"),
        f("patient_ids", .list(.string), "patients the group is about"),
        f("created_on", .date, "created on"),
        f("first_shared_on", .date, "first post shared on"),
        f("shares_outside", .bool, "members from other facilities"),
        f("archived_on", .date, "moved to the archive (保管庫) on"),
        f("reviewed_on", .list(.date), "membership reviews"),
        f("members", .list(.record(member)), "members"),
    ])

    public static let refusal = RecordSchema("refusal", id: "clause", [
        f("clause", .string, "the clause refused (e.g. 第3項)"),
        f("party", .string, "facility id or profession the patient refused sharing with"),
        f("recorded_on", .date, "written on the consent form on"),
    ])

    public static let consent = RecordSchema("consent", [
        f("id", .string, "consent record id"),
        f("patient_id", .string, "the patient"),
        f("method", .enumeration(["opt-in", "implied", "verbal"]), "how consent was given"),
        f("signed_on", .date, "obtained on"),
        f("form_on_file", .bool, "signed consent form kept"),
        f("kind", .enumeration(["initial", "re-consent"]), "first consent or consent obtained again after a transfer"),
        f("withdrawn_on", .date, "withdrawn on"),
        f("refusals", .list(.record(refusal)), "partial refusals (一部不同意)"),
    ])

    public static let document = RecordSchema("document", [
        f("id", .string, "document id"),
        f("kind", .enumeration([
            "operations-rules", "device-management", "backup-plan", "post-employment-privacy", "pledge-template", "training-plan",
        ]), "what the document is"),
        f("adopted_on", .date, "adopted on"),
        f("reviewed_on", .date, "last reviewed on"),
        f("communicated", .bool, "made known to the staff concerned"),
    ])

    public static let incident = RecordSchema("incident", [
        f("id", .string, "incident id"),
        f("kind", .enumeration(["device-lost", "device-stolen", "password-leak", "unauthorized-access", "wrong-post", "inappropriate-post"]), "what happened"),
        f("occurred_on", .date, "occurred on"),
        f("reported_on", .date, "reported to the administrator on"),
        f("account_id", .string, "account concerned"),
        f("device_id", .string, "device concerned"),
        f("action", .enumeration(["password-changed", "account-suspended", "post-deleted", "none"]), "what was done"),
        f("action_on", .date, "done on"),
    ])

    public static let monitoring = RecordSchema("monitoring_record", [
        f("id", .string, "record id"),
        f("kind", .enumeration(["post-monitoring", "access-review"]), "what was monitored"),
        f("performed_on", .date, "performed on"),
        f("by", .string, "pseudonymous id of who performed it"),
    ])

    public static let attestation = RecordSchema("attestation", id: "item", [
        f("item", .string, "the attestation key the rule names"),
        f("answer", .enumeration(["yes", "no", "not-applicable"]), "the answer"),
        f("by_role", .string, "role of the person attesting"),
        f("by", .string, "pseudonymous id of the person attesting"),
        f("signed_on", .date, "signed on"),
        f("reason", .string, "reason, for not-applicable"),
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

    /// Keys that are never accepted because they would put a secret or a person's name in
    /// the snapshot (and so, potentially, in a report).
    public static func forbiddenKeyReason(_ key: String) -> String? {
        let k = key.lowercased()
        for s in ["password", "passwd", "passphrase", "secret", "token", "pin_code", "パスワード", "暗証"] where k.contains(s) {
            return "looks like a password or secret"
        }
        for s in ["patient_name", "full_name", "kana", "氏名", "患者名", "名前", "address", "住所", "phone", "電話", "birth"] where k.contains(s) {
            return "looks like personal information"
        }
        return nil
    }
}
