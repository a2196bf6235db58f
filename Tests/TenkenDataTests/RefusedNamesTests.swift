import Foundation
import Testing

@testable import TenkenData

/// The documented lists of secret and personal-data names (docs/robustness.md), English and
/// Japanese: each is refused, in the spellings people use; ordinary names are not.
struct RefusedNamesTests {
    static let secrets = [
        "pwd", "PWD", "pw", "pass", "pin", "PIN", "user_pin", "adminPin", "PINCode", "pin-code", "api_key", "apiKey",
        "API-KEY", "access_key",
        "credential", "credentials", "client_secret", "otp", "totp", "auth_token", "password_hint", "passcode", "パス",
        "パスワード", "ﾊﾟｽﾜｰﾄﾞ",
        "ＰＡＳＳＷＯＲＤ", "暗証番号", "秘密の質問", "ワンタイムパスワード", "認証コード", "トークン", "合言葉",
        // Wi-Fi keys and logins, as clinics write them next to an SSID (break-14 F8).
        "PSK", "psk", "wifi_key", "WiFiKey", "wifi-key", "key", "Key", "network_key", "security key", "encryption_key",
        "WPA2 key", "pre-shared key",
        "login", "Login", "login_id", "ネットワークキー", "セキュリティキー", "暗号化キー", "認証情報", "パスフレーズ", "キー", "ログイン", "ログインID", "ＰＳＫ",
    ]
    static let personal = [
        "name", "Name", "full_name", "firstName", "last_name", "surname", "user_name", "staff_name", "patient_name",
        "contact.name", "admin.name",
        "email", "e-mail", "EMail", "email_address", "mail", "phone", "phone_number", "tel", "fax", "address",
        "home_address", "zip_code",
        "birth_date", "date_of_birth", "birthday", "dob", "kana", "furigana", "ssn", "my_number", "diagnosis",
        "disease", "gender",
        "生年月日", "誕生日", "フリガナ", "ふりがな", "カナ氏名", "マイナンバー", "個人番号", "病名", "傷病名", "既往歴", "姓", "名", "氏名", "名前",
        "患者名", "利用者名", "電話番号", "携帯番号", "メール", "メールアドレス", "住所", "郵便番号", "連絡先", "保険証番号", "性別", "旧姓", "アドレス",
        "addr", "home_addr", "保険者番号", "カルテ番号", "診察券番号",
    ]
    static let ordinary = [
        "model", "model_name", "device_name", "group_name", "hostname", "os_name", "ip_address", "mac_address",
        "IPアドレス", "MACアドレス",
        "機種名", "備考", "notes", "comment", "serial", "shipping", "spin_lock", "compass", "pinned", "location", "floor",
        "携帯端末", "メール通知",
        "asset_tag", "購入日", "部署", "key_date", "keyboard", "last_login", "login_count", "最終ログイン日", "キー番号", "電子カルテ",
        "ip_addr",
    ]

    @Test(arguments: secrets)
    func secretNamesAreRefused(_ name: String) {
        #expect(SnapshotSchema.forbiddenKeyReason(name) == "looks like a password or secret", "\(name)")
    }

    @Test(arguments: personal)
    func personalNamesAreRefused(_ name: String) {
        #expect(
            SnapshotSchema.forbiddenKeyReason(name)?.hasPrefix("looks like personal information") == true, "\(name)")
    }

    /// What a message says about a refused name is the word of the list that matched, never
    /// the name itself (a header like `pw=hunter2` is the secret).
    @Test func theDescriptionNamesTheWordNotTheName() {
        #expect(RefusedNames.described("pw=hunter2") == "looks like a password or secret (`pw`)")
        #expect(RefusedNames.described("山田太郎のパスワード") == "looks like a password or secret (`パスワード`)")
        #expect(RefusedNames.described("contact.name") == "looks like personal information: a person's name (`name`)")
        #expect(RefusedNames.described("model") == nil)
    }

    @Test(arguments: ordinary)
    func ordinaryNamesAreNot(_ name: String) {
        #expect(SnapshotSchema.forbiddenKeyReason(name) == nil, "\(name)")
    }

    @Test func wordsSplitAsPeopleWriteThem() {
        #expect(RefusedNames.words("adminPinCode") == ["admin", "pin", "code"])
        #expect(RefusedNames.words("PINCode") == ["pin", "code"])
        #expect(RefusedNames.words("api-key_ID") == ["api", "key", "id"])
        #expect(RefusedNames.words("端末ID") == ["id"])
    }

    /// The documented list is the list: every name the code refuses is in docs/robustness.md.
    @Test func theDocumentationListsEveryName() throws {
        let doc = try String(
            contentsOf: URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("docs/robustness.md"), encoding: .utf8)
        let all =
            Array(RefusedNames.secretWords) + RefusedNames.secretRuns + RefusedNames.secretJa
            + Array(RefusedNames.personalWords)
            + RefusedNames.personalRuns + RefusedNames.personalJa + Array(RefusedNames.personalJaWhole)
            + Array(RefusedNames.machineQualifiers)
            + Array(RefusedNames.personQualifiers) + Array(RefusedNames.secretWhole) + Array(RefusedNames.secretJaWhole)
        for name in all { #expect(doc.contains("`\(name)`"), "docs/robustness.md does not list `\(name)`") }
    }
}
