import Foundation
import TenkenData
import TenkenSyntax

/// Free text a person gives as a reason: an attestation's "not applicable" reason, a waiver's
/// justification. Some answers fill the cell and say nothing: the words a table uses for
/// "none" (`なし`, `-`, `ー`), "not known" (`不明`, `?`), placeholders (`n/a`, `.`, `0`). Such a
/// text is no reason, exactly as a blank cell is.
public enum Statement {
    /// Words (compared after NFKC folding, lower-cased and trimmed) that give no reason.
    static let emptyWords: Set<String> = [
        "none", "n/a", "na", "nil", "null", "no", "nothing", "tbd", "todo", "unknown", "-",
        "なし", "無し", "ない", "特になし", "とくになし", "不明", "未定", "未記入", "空欄", "なし。", "不明。",
    ]

    /// Whether `text` gives no reason: blank, one of `emptyWords`, only digits, or only
    /// punctuation, symbols and dashes (`-`, `ー`, `.`, `？`, `…`, `〃`).
    public static func saysNothing(_ text: String) -> Bool {
        let folded = text.precomposedStringWithCompatibilityMapping.lowercased()
            .trimmingCharacters(in: .whitespacesAndNewlines.union(CharacterSet(charactersIn: "\u{3000}")))
        if folded.isEmpty || emptyWords.contains(folded) { return true }
        return folded.unicodeScalars.allSatisfy { u in
            switch u.properties.generalCategory {
            case .decimalNumber, .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
                 .initialPunctuation, .finalPunctuation, .otherPunctuation, .mathSymbol, .currencySymbol,
                 .modifierSymbol, .otherSymbol, .spaceSeparator:
                true
            default:
                // The long-vowel mark and the ditto marks stand alone for "none" / "same as above".
                u.value == 0x30FC || u.value == 0xFF70 || u.value == 0x3003 || u.value == 0x309D || u.value == 0x30FD
            }
        }
    }
}

/// The staff roster as a gate reads it: whether a person named by a statement or a waiver
/// was on the facility's staff on a given day.
public enum Roster {
    /// An id as a person reads it: width, dashes and case folded (`Ｓ－００１` and `s-001` are `S-001`).
    public static func fold(_ id: String) -> String { CellText.identifierKey(CellText.clean(id).text) }

    /// Why `id` cannot be taken as employed on `day`, if so: the roster does not list them,
    /// or they were hired later or had left by then. A date the roster leaves unknown cannot
    /// show they were there. Nil when they were employed, or when there is no roster to ask
    /// (`staff` nil: the facility has no staff section).
    public static func employmentGap(of id: String, on day: Day, staff: Value?) -> (ja: String, en: String)? {
        guard case .list(let people)? = staff else { return nil }
        let key = fold(id)
        guard let person = people.lazy.compactMap({ v -> Record? in
            if case .record(let r) = v, case .string(let s) = r["id"], fold(s) == key { return r }
            return nil
        }).first else {
            return ("\(id) は職員名簿にいません", "\(id) is not in the staff table")
        }
        switch person["hired_on"] {
        case .date(let hired) where day < hired:
            return ("\(id) は \(day) の時点でまだ入職していません（入職日 \(hired)）", "\(id) was not yet hired on \(day) (hired on \(hired))")
        case .date: break
        default:
            return ("\(id) の入職日が名簿になく、\(day) に在職していたか分かりません",
                    "\(id) has no hiring date in the staff table, so it cannot show they were employed on \(day)")
        }
        switch person["left_on"] {
        case .date(let left) where day > left:
            return ("\(id) は \(day) の時点で退職していました（退職日 \(left)）", "\(id) had left by \(day) (left on \(left))")
        case .unknown:
            return ("\(id) の退職日が分からず、\(day) に在職していたか分かりません",
                    "\(id) has an unknown leaving date (left_on), so the staff table cannot show they were employed on \(day)")
        default: return nil
        }
    }
}
