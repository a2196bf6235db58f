import Foundation
import TenkenData
import TenkenSyntax

/// Free text a person gives as a reason: an attestation's "not applicable" reason, a waiver's
/// justification. Some answers fill the cell and say nothing: the words a table uses for
/// "none" (`なし`, `-`, `ー`), "not known" (`不明`, `?`), placeholders (`n/a`, `.`, `0`). Such a
/// text is no reason, exactly as a blank cell is.
public enum Statement {
    /// Words that give no reason, compared by their letters alone (NFKC-folded, lower-cased,
    /// every space, digit, punctuation mark and symbol taken out: `N/A.` and `n/a` are `na`,
    /// `see above` is `seeabove`): "none", "not applicable", "ditto", "not known",
    /// placeholders and test words.
    static let emptyWords: Set<String> = [
        "none", "na", "nil", "null", "no", "nothing", "tbd", "todo", "unknown", "test", "testing", "dummy", "asdf",
        "qwerty",
        "xxx", "xx", "x", "abc", "notapplicable", "seeabove", "asabove", "ditto", "same", "sameasabove", "reason",
        "fixme", "tba",
        "なし", "無し", "ない", "特になし", "とくになし", "不明", "未定", "未記入", "空欄", "該当なし", "該当無し", "該当せず", "非該当",
        "対象外", "対象なし", "適用外", "同上", "上記", "上記のとおり", "上記の通り", "前記のとおり", "理由", "略", "省略", "テスト", "てすと",
        "あ", "ああ", "特に無し", "無", "未", "済",
    ]

    /// How much a text says, by its letters: a kanji or kana counts 2 (one carries a word's
    /// worth of meaning), any other letter 1. A reason needs `minimumWeight`: `Wi-Fiなし` (8),
    /// `No Wi-Fi` (6) and `未導入` (6) say something; `x`, `あ`, `同上` (4) do not.
    static let minimumWeight = 6

    /// Whether `text` gives no reason: blank; only digits, punctuation, symbols and dashes
    /// (`-`, `ー`, `.`, `？`, `…`, `〃`); a word of `emptyWords` (also repeated: `なし なし`),
    /// whatever punctuation, spacing or case it is written with; one letter repeated
    /// (`ああああ`); or fewer letters than `minimumWeight`. The one place that decides this for
    /// a waiver's justification and an attestation's "not applicable" reason alike.
    public static func saysNothing(_ text: String) -> Bool {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
        // The long-vowel mark and the ditto and iteration marks stand alone for "none" /
        // "same as above": they are not letters of a reason.
        let marks: Set<UInt32> = [0x30FC, 0xFF70, 0x3003, 0x309D, 0x309E, 0x30FD, 0x30FE, 0x3005]
        let letters = folded.unicodeScalars.filter { u in
            !marks.contains(u.value) && u.properties.isAlphabetic && u.properties.numericType == nil
        }
        guard let first = letters.first else { return true }
        let core = String(String.UnicodeScalarView(letters))
        if emptyWords.contains(core) { return true }
        // A filler word said more than once (`なし なし`, `n/a n/a`).
        if emptyWords.contains(where: { w in
            !w.isEmpty && core.count % w.count == 0 && core.count > w.count
                && String(repeating: w, count: core.count / w.count) == core
        }) {
            return true
        }
        if letters.allSatisfy({ $0 == first }) { return true }
        let weight = letters.reduce(0) { sum, u in
            let v = u.value
            let wide =
                (0x3040...0x30FF).contains(v) || (0x3400...0x9FFF).contains(v) || (0xF900...0xFAFF).contains(v)
                || (0x20000...0x2FFFF).contains(v)
            return sum + (wide ? 2 : 1)
        }
        return weight < minimumWeight
    }
}

/// The staff roster as a gate reads it (`roster`, docs/dsl.md "Mechanisms"): whether a person
/// named by a statement or a waiver was on the facility's staff on a given day.
public enum Roster {
    /// An id as a person reads it: width, dashes and case folded (`Ｓ－００１` and `s-001` are `S-001`).
    public static func fold(_ id: String) -> String { CellText.identifierKey(CellText.clean(id).text) }

    /// Why `id` cannot be taken as employed on `day`, if so: `roster` does not list them, or
    /// they were there only from a later day or had gone by then (its `from` and `until`
    /// fields). A date the roster leaves unknown cannot show they were there, and neither can a
    /// roster the facility does not give (`people` nil: no roster section; an empty list is a
    /// real "no one", and lists no one). Nil only when they were employed. The messages name the roster by its label (`職員名簿` / `staff table`).
    public static func employmentGap(
        of id: String, on day: Day, in roster: StaffRoster, people: Value?
    ) -> (
        ja: String, en: String
    )? {
        // No roster section (absent, or not a list): nothing shows the person employed, which
        // is not the same as showing them employed.
        guard case .list(let people)? = people else {
            return (
                "\(id) を確かめられません: \(roster.label.ja)がないため、\(day) に在職していたか分かりません",
                "\(id) cannot be checked: the facility gives no \(roster.label.en), so it cannot show they were "
                    + "employed on \(day)"
            )
        }
        let key = fold(id)
        guard
            let person = people.lazy.compactMap({ v -> Record? in
                if case .record(let r) = v, roster.person < r.values.count,
                    case .string(let s) = r.values[roster.person],
                    fold(s) == key
                {
                    return r
                }
                return nil
            }).first
        else {
            return ("\(id) は\(roster.label.ja)にいません", "\(id) is not in the \(roster.label.en)")
        }
        // Each read with the schema's meaning of a blank (`absent`): a blank that is unknown is unknown.
        switch person.effective(roster.from) {
        case .date(let hired) where day < hired:
            return (
                "\(id) は \(day) の時点でまだ入職していません（入職日 \(hired)）", "\(id) was not yet hired on \(day) (hired on \(hired))"
            )
        case .date: break
        default:
            return (
                "\(id) の入職日が名簿になく、\(day) に在職していたか分かりません",
                "\(id) has no hiring date in the \(roster.label.en), so it cannot show they were employed on \(day)"
            )
        }
        switch person.effective(roster.until) {
        case .date(let left) where day > left:
            return ("\(id) は \(day) の時点で退職していました（退職日 \(left)）", "\(id) had left by \(day) (left on \(left))")
        case .unknown:
            return (
                "\(id) の退職日が分からず、\(day) に在職していたか分かりません",
                "\(id) has an unknown leaving date (\(person.schema.fields[roster.until].name)), so the "
                    + "\(roster.label.en) cannot show they were employed on \(day)"
            )
        default: return nil
        }
    }
}
