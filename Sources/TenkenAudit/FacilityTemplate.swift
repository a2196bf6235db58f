import Foundation
import TenkenData
import TenkenReport
import TenkenSyntax

/// What `tenken init` writes for a facility to fill in: the example facility (a snapshot with
/// one example row per table, or every role and document the rules look for), the guides, and
/// the folder or workbook written without ever replacing a file.
public enum FacilityTemplate {
    /// The files of a blank facility folder, by name, with the example facility they show:
    /// the tables and `README.txt`, or (`json`) `snapshot.json`, `devices.csv` and `README.txt`.
    public static func files(
        kind: String, json: Bool
    ) -> Result<(facility: Facility, files: [(String, String)]), WriteRefusal> {
        // Both forms come from the one example facility; its device inventory is a table in both.
        let example = template(kind: kind, oneRowEach: !json)
        var loader = SnapshotLoader()
        guard let facility = loader.loadSnapshot(bytes: Array(example.render().utf8), path: "template") else {
            return .failure(WriteRefusal(message: "internal: the template does not load"))
        }
        let tables = SnapshotWriter.tables(facility, japanese: true).files
        guard json else {
            return .success((facility, tables.map { ($0.spec.fileName, $0.text) } + [("README.txt", tableGuide)]))
        }
        // The devices go to devices.csv only: a snapshot section beside it would be replaced.
        guard case .object(let sections) = example, let devices = tables.first(where: { $0.spec.name == "devices" })
        else { return .failure(WriteRefusal(message: "internal: the template has no devices table")) }
        return .success(
            (
                facility,
                [
                    ("snapshot.json", JSON.object(sections.filter { $0.0 != "devices" }).render() + "\n"),
                    ("devices.csv", devices.text), ("README.txt", jsonGuide),
                ]
            ))
    }

    /// Writes the blank folder `dir` (made if missing) as one set, never over a file: refused
    /// when the folder holds a snapshot (tables beside it would not be read), a workbook (a
    /// second account of the facility), or any file of the set in a spelling the folder scan
    /// or a case-folding file system takes for it. Notes on what stopped runs left go to `note`.
    public static func writeFolder(
        _ files: [(String, String)], into dir: String, tables: Bool, note: (String) -> Void
    ) -> Result<Void, WriteRefusal> {
        // What stopped runs left is finished or cleared first, so the folder is looked at as it is.
        for n in StagedFolder.recover(dir) { note(n) }
        // Tables beside a snapshot would be ignored (the snapshot wins): say so instead.
        if tables, FileManager.default.fileExists(atPath: (dir as NSString).appendingPathComponent("snapshot.json")) {
            return .failure(
                WriteRefusal(
                    message: "\(dir) already holds snapshot.json; tables written beside it would not be read",
                    help: "to keep the facility as tables, run `tenken convert \(dir) --to csv NEWDIR`"))
        }
        let listing = (try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []
        if let book = listing.sorted().first(where: { FacilityInput.isWorkbook($0) && !$0.hasPrefix("~$") }) {
            return .failure(
                WriteRefusal(
                    message: "\(dir) already holds the workbook \(book); tables written beside it would be a second "
                        + "account of the facility",
                    help: "keep the facility in the workbook, or write the tables to a new folder"))
        }
        let wanted = Set(files.map { FileNames.fold($0.0) })
        if let clash = listing.sorted().first(where: {
            wanted.contains(FileNames.fold($0)) || (tables && FacilityFiles.isTable($0))
        }) {
            return .failure(
                WriteRefusal(
                    message: "\((dir as NSString).appendingPathComponent(clash)) already exists; tenken init never "
                        + "overwrites a file"))
        }
        do throws(WriteError) {
            try StagedFolder.publish(files.map { ($0.0, Array($0.1.utf8)) }, into: dir, replaces: { _ in false })
        } catch {
            return .failure(WriteRefusal(message: "\(error); nothing was written"))
        }
        return .success(())
    }

    /// Writes the fill-in workbook (a 説明 guide sheet, then a sheet per table), never over an
    /// existing file, not even one that appears while it is written. Returns its tables.
    public static func writeWorkbook(
        _ facility: Facility, to path: String
    ) -> Result<
        [SnapshotWriter.TableFile], WriteRefusal
    > {
        let exists = WriteRefusal(message: "\(path) already exists; tenken init never overwrites a file")
        if FileManager.default.fileExists(atPath: path) { return .failure(exists) }
        let (bytes, tables, _, _) = WorkbookTables.workbook(
            facility, japanese: true, file: path, guide: WorkbookTables.guide(japanese: true))
        switch bytes {
        case .failure(let d):
            return .failure(WriteRefusal([d], message: "nothing was written"))
        case .success(let b):
            do throws(WriteError) {
                // Created, never replaced: a file that appeared meanwhile is kept.
                let f = try OutputFile(path: path)
                try f.write(bytes: b)
                guard !FileManager.default.fileExists(atPath: path) else {
                    f.abandon()
                    return .failure(exists)
                }
                try f.commit()
            } catch {
                return .failure(WriteRefusal(message: "\(error); nothing was written"))
            }
        }
        return .success(tables)
    }

    /// The example facility. Tables get one example row each (`oneRowEach`); the JSON form
    /// names every role and document the rules look for.
    public static func template(kind: String, oneRowEach: Bool = false) -> JSON {
        let roles = ["operations-lead", "system-admin", "privacy-lead", "mcs-admin"].prefix(oneRowEach ? 1 : 4)
        let documents = ["operations-rules", "device-management", "backup-plan", "post-employment-privacy"].prefix(
            oneRowEach ? 1 : 4)
        let beds = kind == "hospital" ? 200 : 0
        let job =
            ["pharmacy": "pharmacist", "visiting-nurse": "nurse", "dental-clinic": "dentist", "care": "care-manager"][
                kind] ?? "doctor"
        return .object([
            ("schema_version", .int(SnapshotSchema.version)),
            (
                "comment",
                .string(
                    "tenken snapshot template: replace the example values; ids are pseudonymous, never names. See "
                        + "docs/snapshot.md."
                )
            ),
            (
                "facility",
                .object([
                    ("id", .string("F-0001")), ("name", .string("施設名をここに")), ("kind", .string(kind)),
                    ("beds", .int(beds)),
                    ("uses_wifi", .bool(true)), ("lends_devices", .bool(true)),
                    ("allows_personal_devices", .bool(false)),
                    ("uses_patient_accounts", .bool(false)), ("shares_outside", .bool(true)),
                ])
            ),
            (
                "roles",
                .array(
                    roles.map {
                        .object([
                            ("role", .string($0)), ("staff_id", .string("S-001")), ("since", .string("2024-04-01")),
                        ])
                    })
            ),
            (
                "service",
                .object([
                    (
                        "password",
                        .object([
                            ("min_length", .int(13)), ("requires_letters", .bool(true)),
                            ("requires_digits", .bool(true)), ("requires_symbols", .bool(true)),
                        ])
                    ),
                    ("invitation_approval", .bool(true)), ("client_certificates", .bool(false)),
                    ("official_contacts_published", .bool(true)),
                ])
            ),
            (
                "staff",
                .array([
                    .object([
                        ("id", .string("S-001")), ("job", .string(job)), ("hired_on", .string("2024-04-01")),
                        ("uses_mcs", .bool(true)),
                        ("account_id", .string("A-001")), ("pledge_signed_on", .string("2024-04-01")),
                        ("training_dates", .array([.string("2025-06-01")])),
                    ])
                ])
            ),
            (
                "accounts",
                .array([
                    .object([
                        ("id", .string("A-001")), ("staff_id", .string("S-001")), ("status", .string("active")),
                        ("is_admin", .bool(true)),
                        ("created_on", .string("2024-04-01")), ("profile_photo", .bool(true)),
                        ("identity_verified", .bool(true)),
                    ])
                ])
            ),
            (
                "networks",
                .array([
                    .object([
                        ("id", .string("N-01")), ("ssid", .string("staff-wifi")), ("encryption", .string("WPA3")),
                        ("operator", .string("facility")), ("used_for_mcs", .bool(true)),
                    ])
                ])
            ),
            ("patients", .array([.object([("id", .string("P-0001")), ("status", .string("active"))])])),
            (
                "groups",
                .array([
                    .object([
                        ("id", .string("G-001")), ("kind", .string("patient")),
                        ("patient_ids", .array([.string("P-0001")])), ("created_on", .string("2025-01-10")),
                        ("first_shared_on", .string("2025-01-15")), ("shares_outside", .bool(true)),
                        ("reviewed_on", .array([.string("2025-07-01")])),
                        (
                            "members",
                            .array([
                                .object([
                                    ("account_id", .string("A-001")), ("staff_id", .string("S-001")),
                                    ("invited_on", .string("2025-01-10")), ("approved_by", .string("A-001")),
                                    ("approved_on", .string("2025-01-10")), ("joined_on", .string("2025-01-10")),
                                ])
                            ])
                        ),
                    ])
                ])
            ),
            (
                "consents",
                .array([
                    .object([
                        ("id", .string("C-0001")), ("patient_id", .string("P-0001")), ("method", .string("opt-in")),
                        ("signed_on", .string("2025-01-09")),
                        ("form_on_file", .bool(true)), ("kind", .string("initial")),
                        (
                            "refusals",
                            .array([
                                .object([
                                    ("clause", .string("第3項")), ("party", .string("F-0099")),
                                    ("recorded_on", .string("2025-01-09")),
                                ])
                            ])
                        ),
                    ])
                ])
            ),
            (
                "documents",
                .array(
                    documents.enumerated().map { i, k in
                        .object([
                            ("id", .string("D-0\(i + 1)")), ("kind", .string(k)), ("adopted_on", .string("2024-04-01")),
                            ("communicated", .bool(true)),
                        ])
                    })
            ),
            (
                "incidents",
                .array([
                    .object([
                        ("id", .string("I-001")), ("kind", .string("device-lost")),
                        ("occurred_on", .string("2025-03-02")), ("reported_on", .string("2025-03-02")),
                        ("device_id", .string("PC-01")), ("action", .string("password-changed")),
                        ("action_on", .string("2025-03-02")),
                    ])
                ])
            ),
            (
                "devices",
                .array([
                    .object([
                        ("id", .string("PC-01")), ("kind", .string("pc")), ("ownership", .string("facility")),
                        ("assigned_staff_id", .string("S-001")),
                        ("status", .string("active")), ("used_for_mcs", .bool(true)), ("os", .string("Windows")),
                        ("os_version", .string("11")),
                        ("os_up_to_date", .bool(true)), ("os_updated_on", .string("2025-06-01")),
                        ("screen_lock_minutes", .int(5)),
                        ("device_lock", .string("password")), ("antimalware", .bool(true)),
                        ("antimalware_updated_on", .string("2025-06-01")),
                        ("mdm", .bool(false)), ("remote_wipe", .bool(false)), ("vpn", .bool(false)),
                        ("client_certificate", .bool(false)),
                        ("app_source", .string("browser")), ("offsite_connection", .string("none")),
                        ("locked_storage", .bool(true)), ("privacy_filter", .bool(false)),
                        ("public_wifi_autojoin", .bool(false)),
                    ])
                ])
            ),
            (
                "monitoring",
                .array([
                    .object([
                        ("id", .string("M-001")), ("kind", .string("post-monitoring")),
                        ("performed_on", .string("2025-06-30")), ("by", .string("S-001")),
                    ])
                ])
            ),
            (
                "attestations",
                .array([
                    .object([
                        ("item", .string("no-written-credentials")), ("answer", .string("yes")),
                        ("by_role", .string("operations-lead")),
                        ("by", .string("S-001")), ("signed_on", .string("2025-04-01")),
                    ])
                ])
            ),
        ])
    }

    public static let jsonGuide = """
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

    /// The guide to the tables: short steps, the cell conventions, then one line per table
    /// and the allowed words of each choice column (from the schema, so it never drifts).
    public static var tableGuide: String {
        var s = """
            tenken 施設フォルダの記入のしかた

            1. 各表（CSV）を Excel で開き、例の行（1行目の下の1行）を実際の内容に書き換えます。
               行は何行でも増やせます。当てはまるものがない表は、見出しの行だけを残します。
            2. 氏名・住所・電話番号・パスワードは書きません。職員ID・患者IDなどの仮名IDを使います。
            3. 保存は「CSV UTF-8（コンマ区切り）」または「CSV（コンマ区切り）」（Shift_JIS）のどちらでも構いません。
            4. tenken check <このフォルダ> で点検し、指摘された「ファイル名:行」のセルを直します。
            5. 人が確認するしかない項目は tenken attest <このフォルダ> で答えます。

            セルの書き方
              日付        2025-04-01 または 2025/4/1
              はい/いいえ  はい・いいえ（true/false、○/× も可）
              複数の値    セミコロンで区切る: 2025-04-01; 2025-10-01
              空欄        分からない・記録がない。「なし」は「ひとつもない」という意味です。
              期間        数字だけなら見出しの単位（分・日）。「30 minutes」のようにも書けます。
              選択肢      下の一覧の語を書きます（例: 職種は 医師、看護師 …）。英語の語（doctor など）も使えます。

            表の一覧
            """
        s += "\n"
        for t in SnapshotTables.all {
            s += "  " + t.fileName.padding(toLength: 22, withPad: " ", startingAt: 0) + t.docJa + "\n"
        }
        s += "\n  facility.csv は「項目」「値」の2列です。項目は書き換えず、値の列だけを埋めます。\n"
        s += "  roles.csv には 運用責任者・システム管理者・個人情報保護責任者・MCS管理者 を1行ずつ、\n"
        s += "  documents.csv には 運用管理規程・端末管理規程・バックアップ計画・退職後の個人情報保護 を1行ずつ書きます。\n\n選択肢のある列\n"
        var seen: Set<String> = []
        for t in SnapshotTables.all {
            for c in t.columns {
                guard case .enumeration(let vs) = c.type else { continue }
                let label = "\(t.fileName) \(c.aliases.first ?? c.name)"
                if seen.insert(label).inserted { s += "  \(label): \(vs.map(c.label).joined(separator: "、"))\n" }
            }
            if t.name == "facility" {
                for pk in SnapshotTables.profileKeys {
                    if case .enumeration(let vs) = pk.field.type {
                        s += "  facility.csv \(pk.key): \(vs.map(pk.field.label).joined(separator: "、"))\n"
                    }
                }
            }
        }
        s += """

            In English: each CSV file is one table of the facility. Replace the example row, add rows as
            needed, keep only the header row where nothing applies. Use pseudonymous ids, never names or
            passwords. Dates are YYYY-MM-DD, yes/no cells take はい/いいえ or true/false, several values are
            separated by `;`, a blank cell means "not known" and なし (none) means "there are none".
            Choice columns take the Japanese words listed above or the English values (docs/tables.md).
            Then run `tenken check <this folder>`; `tenken attest <this folder>` asks the questions only a
            person can answer. docs/tables.md describes every table and column.

            """
        return s
    }
}
