import Foundation
import TenkenData
import TenkenReport
import TenkenSyntax

/// What `tenken init` writes for a facility to fill in: the pack's example facility
/// (`example.json`; a snapshot with one example row per table, or every role and document the
/// rules look for), the guides, and the folder or workbook written without ever replacing a file.
public enum FacilityTemplate {
    /// The files of a blank facility folder, by name, with the example facility they show:
    /// the tables and `README.txt`, or (`json`) `snapshot.json`, the table of the pack's replacing
    /// companion (MCS: its device inventory) and `README.txt`. The guides are the pack's
    /// (`guide.txt`, `PackGuide`), else the generic ones. `kind`: the subject's kind (`subject … kind F`),
    /// nil for a pack that declares none.
    public static func files(
        kind: String?, json: Bool, pack: LoadedPack
    ) -> Result<(facility: Facility, files: [(String, String)]), WriteRefusal> {
        guard let given = pack.example else {
            return .failure(WriteRefusal(message: "the rule pack has no example facility (example.json)"))
        }
        // Both forms come from the one example facility; its replacing companion is a table in both.
        var loader = SnapshotLoader(schema: pack.schema)
        guard let example = template(kind: kind, schema: pack.schema, oneRowEach: !json, example: given.bytes),
            let facility = loader.loadSnapshot(bytes: Array(example.render().utf8), path: "template")
        else {
            return .failure(WriteRefusal(message: "internal: the template does not load"))
        }
        let tables = SnapshotWriter.tables(facility, japanese: true).files
        guard json else {
            return .success(
                (facility, tables.map { ($0.spec.fileName, $0.text) } + [("README.txt", tableGuide(pack))]))
        }
        guard case .object(let sections) = example else {
            return .failure(WriteRefusal(message: "internal: the template is not an object"))
        }
        // The replacing companion's rows go to its table only: a snapshot section beside it would
        // be replaced.
        guard let companion = pack.schema.replacingCompanion else {
            return .success((facility, [("snapshot.json", example.render() + "\n"), ("README.txt", jsonGuide(pack))]))
        }
        let name = pack.schema.sections[companion.section].name
        guard let table = pack.schema.collectionTable(companion.section),
            let rows = tables.first(where: { $0.spec.name == table.name })
        else { return .failure(WriteRefusal(message: "internal: the template has no \(name) table")) }
        return .success(
            (
                facility,
                [
                    ("snapshot.json", JSON.object(sections.filter { $0.0 != name }).render() + "\n"),
                    (table.fileName, rows.text), ("README.txt", jsonGuide(pack)),
                ]
            ))
    }

    /// Writes the blank folder `dir` (made if missing) as one set, never over a file: refused
    /// when the folder holds a snapshot (tables beside it would not be read), a workbook (a
    /// second account of the facility), or any file of the set in a spelling the folder scan
    /// or a case-folding file system takes for it. Notes on what stopped runs left go to `note`.
    /// `names`: the file names of a facility folder of the pack (`FacilityFiles(schema:)`).
    public static func writeFolder(
        _ files: [(String, String)], into dir: String, names: FacilityFiles, tables: Bool, note: (String) -> Void
    ) -> Result<Void, WriteRefusal> {
        // What stopped runs left is finished or cleared first, so the folder is looked at as it is.
        for n in StagedFolder.recover(dir, files: names) { note(n) }
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
            wanted.contains(FileNames.fold($0)) || (tables && names.isTable($0))
        }) {
            return .failure(
                WriteRefusal(
                    message: "\((dir as NSString).appendingPathComponent(clash)) already exists; tenken init never "
                        + "overwrites a file"))
        }
        do throws(WriteError) {
            try StagedFolder.publish(
                files.map { ($0.0, Array($0.1.utf8)) }, into: dir, names: names, replaces: { _ in false })
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
            facility, japanese: true, file: path, guide: WorkbookTables.guide(japanese: true, schema: facility.schema))
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
                // The commit is the point of no return: a signal meanwhile waits for it.
                try Interruption.publishing { () throws(WriteError) in try f.commit() }
            } catch {
                return .failure(WriteRefusal(message: "\(error); nothing was written"))
            }
        }
        return .success(tables)
    }

    /// The example facility of a pack's `example.json` as a snapshot: its `snapshot` with the
    /// schema version first (`snapshot version`), the subject's kind field (`/facility/kind`) set to
    /// `kind` and that kind's values of `by_kind`
    /// (JSON pointers to values of the snapshot) put in. Tables get one example row each
    /// (`oneRowEach`: each list of the snapshot keeps its first row); the JSON form names every
    /// role and document the rules look for. Nil when the file is not such an example.
    public static func template(
        kind: String?, schema: PackSchema, oneRowEach: Bool = false, example: [UInt8]
    ) -> JSON? {
        let (node, diags, _) = JSONReader.parse(example, file: "example.json", shownKeys: .all)
        guard let node, diags.isEmpty, case .object(let top)? = json(node),
            case .object(let sections)? = top.first(where: { $0.0 == "snapshot" })?.1
        else { return nil }
        var patches: [(String, JSON)] = []
        if let kind, let subject = schema.mechanisms.subject, let field = subject.kind {
            let section = schema.sections[subject.section]
            patches.append(
                (
                    "/" + escapePointerToken(section.name) + "/"
                        + escapePointerToken(section.record.fields[field].name),
                    .string(kind)
                ))
        }
        if let kind, case .object(let kinds)? = top.first(where: { $0.0 == "by_kind" })?.1,
            case .object(let own)? = kinds.first(where: { $0.0 == kind })?.1
        {
            patches += own
        }
        var snapshot = JSON.object(sections)
        for (pointer, value) in patches {
            let path = pointer.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map {
                $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            }
            guard let next = replacing(snapshot, at: path[...], with: value) else { return nil }
            snapshot = next
        }
        guard case .object(var patched) = snapshot else { return nil }
        if oneRowEach {
            patched = patched.map { k, v in
                if case .array(let rows) = v { (k, .array(Array(rows.prefix(1)))) } else { (k, v) }
            }
        }
        let version = schema.mechanisms.snapshotVersion.map { [("schema_version", JSON.int($0))] } ?? []
        return .object(version + patched)
    }

    /// A parsed JSON value as the writer's; nil for a number that is not a whole one (the
    /// snapshot has none).
    static func json(_ n: JSONNode) -> JSON? {
        switch n.value {
        case .null: return .null
        case .bool(let b): return .bool(b)
        case .int(let i): return .int(i)
        case .number: return nil
        case .string(let s): return .string(s)
        case .array(let xs):
            let items = xs.compactMap(json)
            return items.count == xs.count ? .array(items) : nil
        case .object(let ms):
            let items = ms.compactMap { m in json(m.node).map { (m.key, $0) } }
            return items.count == ms.count ? .object(items) : nil
        }
    }

    /// `j` with the value at `path` (keys and list indexes) replaced; nil when there is none.
    static func replacing(_ j: JSON, at path: ArraySlice<String>, with value: JSON) -> JSON? {
        guard let key = path.first else { return value }
        switch j {
        case .object(var kvs):
            guard let i = kvs.firstIndex(where: { $0.0 == key }),
                let v = replacing(kvs[i].1, at: path.dropFirst(), with: value)
            else { return nil }
            kvs[i].1 = v
            return .object(kvs)
        case .array(var xs):
            guard let i = Int(key), xs.indices.contains(i), let v = replacing(xs[i], at: path.dropFirst(), with: value)
            else { return nil }
            xs[i] = v
            return .array(xs)
        default: return nil
        }
    }

    /// The guide beside snapshot.json: the pack's `[json]` guide, else the generic one.
    public static func jsonGuide(_ pack: LoadedPack) -> String {
        pack.guide?.json ?? genericJSONGuide(pack.schema)
    }

    /// The guide beside snapshot.json of a pack without one: the snapshot, and the table of its
    /// replacing companion (the one table read beside a snapshot), from the schema.
    public static func genericJSONGuide(_ schema: PackSchema) -> String {
        let companion = schema.replacingCompanion.flatMap { schema.collectionTable($0.section) }
        let width = max(15, (companion?.fileName.count ?? 0) + 2)
        func name(_ s: String) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
        var s = "tenken 施設フォルダ / facility folder\n\n"
        s += name("snapshot.json") + "点検する内容（JSON）。例の値を実際の内容に置き換えてください。パスワードは書かないでください。\n"
        if let t = companion { s += name(t.fileName) + t.docJa + "。1行に1件。\n" }
        s += "次に: tenken check <このフォルダ> で点検します。\n\n"
        s += name("snapshot.json") + "what is checked (JSON). Replace the example values; never write a password.\n"
        if let t = companion { s += name(t.fileName) + t.doc + ", one per row.\n" }
        s += "Then run: tenken check <this folder>.\n"
        return s
    }

    /// The guide to the tables of a pack without one: the generic steps and cell conventions,
    /// then the tables and the choice columns (`{{tables}}`, `{{choices}}`), and how a profile
    /// table is filled. Statements to answer add `tenken attest`.
    public static func genericTableGuide(_ schema: PackSchema) -> String {
        let attest = schema.mechanisms.statements != nil
        var s = """
            tenken 施設フォルダの記入のしかた

            1. 各表（CSV）を Excel で開き、例の行（1行目の下の1行）を実際の内容に書き換えます。
               行は何行でも増やせます。当てはまるものがない表は、見出しの行だけを残します。
            2. パスワードや秘密の値、個人の氏名は書きません。
            3. 保存は「CSV UTF-8（コンマ区切り）」または「CSV（コンマ区切り）」（Shift_JIS）のどちらでも構いません。
            4. tenken check <このフォルダ> で点検し、指摘された「ファイル名:行」のセルを直します。

            """
        if attest { s += "5. 人が確認するしかない項目は tenken attest <このフォルダ> で答えます。\n" }
        s += """

            セルの書き方
              日付        2025-04-01 または 2025/4/1
              はい/いいえ  はい・いいえ（true/false、○/× も可）
              複数の値    セミコロンで区切る: 2025-04-01; 2025-10-01
              空欄        分からない・記録がない。「なし」は「ひとつもない」という意味です。
              期間        数字だけなら見出しの単位。「30 minutes」のようにも書けます。
              選択肢      下の一覧の語を書きます。英語の語も使えます。

            表の一覧
            {{tables}}

            """
        for t in schema.tables {
            if case .profile = t.shape { s += "\n  \(t.fileName) は「項目」「値」の2列です。項目は書き換えず、値の列だけを埋めます。\n" }
        }
        s += """

            選択肢のある列
            {{choices}}

            In English: each CSV file is one table. Replace the example row, add rows as needed, keep only
            the header row where nothing applies. Never write passwords, secrets or names. Dates are
            YYYY-MM-DD, yes/no cells take はい/いいえ or true/false, several values are separated by `;`, a
            blank cell means "not known" and なし (none) means "there are none". Choice columns take the
            Japanese words listed above or the English values. Then run `tenken check <this folder>`.

            """
        if attest { s += "`tenken attest <this folder>` asks the questions only a person can answer.\n" }
        return s
    }

    /// The guide to the tables: the pack's `[tables]` guide (else the generic one) with its
    /// `{{tables}}` line filled with one line per table and its `{{choices}}` line with the
    /// allowed words of each choice column (from the schema, so it never drifts).
    public static func tableGuide(_ pack: LoadedPack) -> String {
        tableGuide(pack.schema, template: pack.guide?.tables ?? genericTableGuide(pack.schema))
    }

    static func tableGuide(_ schema: PackSchema, template: String) -> String {
        var list = ""
        for t in schema.tables {
            list += "  " + t.fileName.padding(toLength: 22, withPad: " ", startingAt: 0) + t.docJa + "\n"
        }
        var choices = ""
        var seen: Set<String> = []
        for t in schema.tables {
            for c in t.columns {
                guard case .enumeration(let vs) = c.type else { continue }
                let label = "\(t.fileName) \(c.aliases.first ?? c.name)"
                if seen.insert(label).inserted { choices += "  \(label): \(vs.map(c.label).joined(separator: "、"))\n" }
            }
            if case .profile = t.shape {
                for pk in schema.profileKeys {
                    if case .enumeration(let vs) = pk.field.type {
                        choices += "  \(t.fileName) \(pk.key): \(vs.map(pk.field.label).joined(separator: "、"))\n"
                    }
                }
            }
        }
        var out = ""
        for line in template.split(separator: "\n", omittingEmptySubsequences: false).dropLast() {
            switch line.trimmingCharacters(in: .whitespaces) {
            case "{{tables}}": out += list
            case "{{choices}}": out += choices
            default: out += line + "\n"
            }
        }
        return out
    }
}
