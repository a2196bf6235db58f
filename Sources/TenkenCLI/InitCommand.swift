import Foundation
import TenkenData
import TenkenReport

/// Writes a blank facility folder: a snapshot with one example element per section, a device
/// inventory with every column and an example row, and a short guide. Never overwrites.
enum InitCommand {
    static let spec = CommandSpec(
        name: "init", summary: "Write a blank snapshot and device inventory for a facility to fill in.",
        usage: "tenken init DIR [--kind clinic|hospital|visiting-nurse|pharmacy|care]",
        options: [OptionSpec("--kind", value: "KIND", help: "kind of facility (default clinic)")],
        minPositionals: 1, maxPositionals: 1)

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        let kind: String
        switch ArgumentParser.choice(p, "--kind", ["clinic", "hospital", "dental-clinic", "visiting-nurse", "pharmacy", "care"], default: "clinic") {
        case .success(let k): kind = k
        case .failure(let e): CLI.usage(e, console); return ExitCode.usage
        }
        let dir = p.positionals[0]
        let files = [("snapshot.json", template(kind: kind).render() + "\n"), ("devices.csv", inventoryTemplate()), ("README.txt", guide)]
        for (name, _) in files {
            let path = (dir as NSString).appendingPathComponent(name)
            if FileManager.default.fileExists(atPath: path) {
                console.err("error: \(path) already exists; tenken init never overwrites a file\n")
                return ExitCode.inputError
            }
        }
        for (name, text) in files {
            do { try CLI.writeAtomically(text, to: (dir as NSString).appendingPathComponent(name)) } catch {
                console.err("error: cannot write \(name) in \(dir): \(error.localizedDescription)\n")
                return ExitCode.inputError
            }
        }
        console.out("wrote \(dir)/snapshot.json, devices.csv and README.txt\nnext: fill them in, then run `tenken check \(dir)`\n")
        return ExitCode.ok
    }

    static func template(kind: String) -> JSON {
        let beds = kind == "hospital" ? 200 : 0
        return .object([
            ("schema_version", .int(SnapshotSchema.version)),
            ("comment", .string("tenken snapshot template: replace the example values; ids are pseudonymous, never names. See docs/snapshot.md.")),
            ("facility", .object([
                ("id", .string("F-0001")), ("name", .string("施設名をここに")), ("kind", .string(kind)), ("beds", .int(beds)),
                ("uses_wifi", .bool(true)), ("lends_devices", .bool(true)), ("allows_personal_devices", .bool(false)),
                ("uses_patient_accounts", .bool(false)), ("shares_outside", .bool(true)),
            ])),
            ("roles", .array(["operations-lead", "system-admin", "privacy-lead", "mcs-admin"].map {
                .object([("role", .string($0)), ("staff_id", .string("S-001")), ("since", .string("2024-04-01"))])
            })),
            ("service", .object([
                ("password", .object([("min_length", .int(13)), ("requires_letters", .bool(true)), ("requires_digits", .bool(true)), ("requires_symbols", .bool(true))])),
                ("invitation_approval", .bool(true)), ("client_certificates", .bool(false)), ("official_contacts_published", .bool(true)),
            ])),
            ("staff", .array([.object([
                ("id", .string("S-001")), ("job", .string("doctor")), ("hired_on", .string("2024-04-01")), ("uses_mcs", .bool(true)),
                ("account_id", .string("A-001")), ("pledge_signed_on", .string("2024-04-01")), ("training_dates", .array([.string("2025-06-01")])),
            ])])),
            ("accounts", .array([.object([
                ("id", .string("A-001")), ("staff_id", .string("S-001")), ("status", .string("active")), ("is_admin", .bool(true)),
                ("created_on", .string("2024-04-01")), ("profile_photo", .bool(true)), ("identity_verified", .bool(true)),
            ])])),
            ("networks", .array([.object([
                ("id", .string("N-01")), ("ssid", .string("staff-wifi")), ("encryption", .string("WPA3")), ("operator", .string("facility")), ("used_for_mcs", .bool(true)),
            ])])),
            ("patients", .array([.object([("id", .string("P-0001")), ("status", .string("active"))])])),
            ("groups", .array([.object([
                ("id", .string("G-001")), ("kind", .string("patient")), ("patient_ids", .array([.string("P-0001")])), ("created_on", .string("2025-01-10")),
                ("first_shared_on", .string("2025-01-15")), ("shares_outside", .bool(true)), ("reviewed_on", .array([.string("2025-07-01")])),
                ("members", .array([.object([
                    ("account_id", .string("A-001")), ("staff_id", .string("S-001")), ("approved_by", .string("A-001")),
                    ("approved_on", .string("2025-01-10")), ("joined_on", .string("2025-01-10")),
                ])])),
            ])])),
            ("consents", .array([.object([
                ("id", .string("C-0001")), ("patient_id", .string("P-0001")), ("method", .string("opt-in")), ("signed_on", .string("2025-01-09")),
                ("form_on_file", .bool(true)), ("kind", .string("initial")), ("refusals", .array([])),
            ])])),
            ("documents", .array(["operations-rules", "device-management", "backup-plan", "post-employment-privacy"].enumerated().map { i, k in
                .object([("id", .string("D-0\(i + 1)")), ("kind", .string(k)), ("adopted_on", .string("2024-04-01")), ("communicated", .bool(true))])
            })),
            ("incidents", .array([])),
            ("monitoring", .array([.object([("id", .string("M-001")), ("kind", .string("post-monitoring")), ("performed_on", .string("2025-06-30")), ("by", .string("S-001"))])])),
            ("attestations", .array([.object([
                ("item", .string("no-written-credentials")), ("answer", .string("yes")), ("by_role", .string("operations-lead")),
                ("by", .string("S-001")), ("signed_on", .string("2025-04-01")),
            ])])),
        ])
    }

    static func inventoryTemplate() -> String {
        let fields = SnapshotSchema.device.fields
        let header = fields.map { $0.aliases.first ?? $0.name }
        let example: [String: String] = [
            "id": "PC-01", "kind": "pc", "ownership": "facility", "assigned_staff_id": "S-001", "status": "active", "used_for_mcs": "はい",
            "os": "Windows", "os_version": "11", "os_up_to_date": "はい", "os_updated_on": "2025-06-01", "screen_lock_minutes": "5",
            "device_lock": "password", "antimalware": "はい", "antimalware_updated_on": "2025-06-01", "mdm": "いいえ", "remote_wipe": "いいえ",
            "vpn": "いいえ", "client_certificate": "いいえ", "app_source": "browser", "offsite_connection": "none", "locked_storage": "はい",
            "privacy_filter": "いいえ", "returned_on": "",
        ]
        // UTF-8 with BOM so Japanese Excel opens it correctly; tenken reads it back either way.
        return "\u{FEFF}" + header.map(CSVCell.escape).joined(separator: ",") + "\r\n"
            + fields.map { CSVCell.escape(example[$0.name] ?? "") }.joined(separator: ",") + "\r\n"
    }

    static let guide = """
    tenken 施設フォルダ / facility folder

    snapshot.json  施設・職員・アカウント・グループ・同意などの状況（JSON）。例の値を実際の内容に置き換えてください。
                   氏名は書かず、職員ID・患者IDなどの仮名IDだけを使います。パスワードは書かないでください。
    devices.csv    端末台帳。1行に1台。Excel で編集して「CSV UTF-8」または「CSV」で保存できます。
    次に: tenken check <このフォルダ> で点検します。項目の意味は docs/snapshot.md を参照してください。

    snapshot.json  the facility's state (staff, accounts, groups, consents …). Replace the example values.
                   Use pseudonymous ids only, never names, and never a password.
    devices.csv    device inventory, one device per row; Excel can save it as CSV UTF-8 or CSV.
    Then run: tenken check <this folder>. docs/snapshot.md explains every field.

    """
}
