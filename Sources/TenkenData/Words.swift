import Foundation

/// The words a person reads for the schema's values and fields, in Japanese or English: the
/// one place every writer (reports, `explain`, `attest`, `diff`) turns a stored value into
/// text. Japanese uses the words a Japanese table uses — a choice's Japanese word (`clerk` →
/// `事務職員`), はい/いいえ, periods as `60日`, a field by its column header (`退職日`) — so what
/// a report shows can be found in the table; English uses the stored values and field names,
/// which are the English table's words.
public enum Words {
    /// One value of `field`.
    public static func value(_ v: Value, of field: FieldSchema, ja: Bool) -> String {
        value(v, of: field, ja: ja, choiceJa: { _ in nil })
    }

    /// One value of `field` (nil: a value with no field, such as an element of a rule's own
    /// list, whose choice word is used when the whole of `schema` gives it only one).
    public static func value(_ v: Value, of field: FieldSchema?, ja: Bool, in schema: PackSchema) -> String {
        value(v, of: field, ja: ja, choiceJa: { choiceJa($0, in: schema) })
    }

    static func value(
        _ v: Value, of field: FieldSchema?, ja: Bool, choiceJa: (String) -> String?
    ) -> String {
        guard ja else { return v.display }
        switch v {
        case .null: return "（なし）"
        case .unknown: return "（不明）"
        case .bool(let b): return b ? "はい" : "いいえ"
        case .duration(let d): return d.descriptionJa
        case .string(let s):
            guard let field else { return choiceJa(s) ?? s }
            return field.choicesJa[s] ?? s
        case .list(let xs):
            if xs.isEmpty { return "なし" }
            return xs.map { value($0, of: field, ja: true, choiceJa: choiceJa) }.joined(separator: "、")
        case .int, .date, .record: return v.display
        }
    }

    /// The value in the language of `lang` (both: Japanese, then English when it differs).
    public static func value(_ v: Value, of field: FieldSchema) -> Bilingual {
        Bilingual(ja: value(v, of: field, ja: true), en: value(v, of: field, ja: false))
    }

    /// A field as its table's column is headed: `退職日` / `left_on`.
    public static func header(_ field: FieldSchema, ja: Bool) -> String {
        ja && !field.docJa.isEmpty ? field.docJa : field.name
    }

    public static func header(_ field: FieldSchema) -> Bilingual {
        Bilingual(ja: header(field, ja: true), en: header(field, ja: false))
    }

    /// A stored choice value's Japanese word when the schema gives that value one word in all
    /// its fields (`operations-lead` → `運用責任者`, `clerk` → `事務職員`); nil when it has none
    /// or several (`active` is 有効 for an account and 使用中 for a device).
    public static func choiceJa(_ s: String, in schema: PackSchema) -> String? {
        var word: String?
        for r in schema.records.values {
            for f in r.fields {
                guard let w = f.choicesJa[s] else { continue }
                if let word, word != w { return nil }
                word = w
            }
        }
        return word
    }

    /// Every English choice value whose Japanese word the schema gives, with the words:
    /// what a Japanese report must never show bare (tests scan for them).
    public static func choiceWords(in schema: PackSchema) -> [String: Set<String>] {
        var out: [String: Set<String>] = [:]
        for r in schema.records.values {
            for f in r.fields {
                for (v, w) in f.choicesJa where v != w { out[v, default: []].insert(w) }
            }
        }
        return out
    }

    // MARK: roles

    /// The statements' role field (`statements … { role F }`, docs/dsl.md "Mechanisms"): its
    /// choices are the roles an attestation may name, with their words; nil for a pack that
    /// declares no statements.
    static func roleField(_ schema: PackSchema) -> FieldSchema? {
        guard let st = schema.mechanisms.statements else { return nil }
        let fields = schema.sections[st.section].record.fields
        return st.role < fields.count ? fields[st.role] : nil
    }

    /// The roles a statement may name, in schema order (`operations-lead`, …); none for a pack
    /// that declares no statements.
    public static func roleIDs(in schema: PackSchema) -> [String] { schema.mechanisms.statements?.roles ?? [] }

    /// A role's Japanese word (`運用責任者`); the id itself for a role the schema does not list.
    static func roleWord(_ id: String, in schema: PackSchema) -> String { roleField(schema)?.label(id) ?? id }

    /// A role as a reader knows it: `運用責任者` / `operations-lead`.
    public static func role(_ id: String, ja: Bool, in schema: PackSchema) -> String {
        ja ? roleWord(id, in: schema) : id
    }

    /// Several roles, as alternatives: `運用責任者・システム管理者` / `operations-lead or system-admin`.
    public static func roles(_ ids: [String], ja: Bool, in schema: PackSchema) -> String {
        ids.map { role($0, ja: ja, in: schema) }.joined(separator: ja ? "・" : " or ")
    }

    public static func roles(_ ids: [String], in schema: PackSchema) -> Bilingual {
        Bilingual(ja: roles(ids, ja: true, in: schema), en: roles(ids, ja: false, in: schema))
    }

    /// The role a person typed or a table holds: the id (`operations-lead`), its Japanese word
    /// (`運用責任者`) or both as a menu shows them (`運用責任者 (operations-lead)`), in any width
    /// or case; nil when it names no role.
    public static func roleID(_ text: String, in schema: PackSchema) -> String? {
        let t = text.precomposedStringWithCompatibilityMapping.trimmingCharacters(in: .whitespaces)
        let lower = t.lowercased()
        for id in roleIDs(in: schema)
        where id == lower || roleWord(id, in: schema) == t || "\(roleWord(id, in: schema)) (\(id))" == lower {
            return id
        }
        return nil
    }

    /// The roles as a list for a message: `operations-lead (運用責任者), …`.
    public static func roleList(in schema: PackSchema) -> String {
        roleIDs(in: schema).map { "\($0) (\(roleWord($0, in: schema)))" }.joined(separator: ", ")
    }
}
