/// Breaks text into lines of a terminal's width the way Japanese typesetting does (JIS X 4051
/// line-breaking rules, 禁則処理, in their common strict form), for text that mixes Japanese
/// and ASCII:
///
/// - a line may break between any two Japanese characters, and at a space;
/// - a run of ASCII without spaces (a word, an id such as `H-REQ-09`, a path, an e-mail
///   address, a number with its unit) is never split: when it does not fit it starts the next
///   line, and one longer than a whole line stands alone and runs past the width;
/// - no line starts with closing or trailing punctuation (`。、）」』】〕，．・ー`, small kana,
///   `) ] } , . ; : ! ?`): it stays with the character before it;
/// - no line ends with an opening bracket (`「（『【〔` and `( [ {`): it goes with what follows.
///
/// Widths count East Asian wide characters as two columns, as terminals draw them.
public struct LineBreaker: Sendable {
    public var width: Int

    public init(width: Int) { self.width = width }

    /// Characters a line may not start with (行頭禁則).
    static let noStart: Set<Character> = Set("。、，．・：；？！）」』】〕〉》｝］〙〗ー―‐〜～…‥ゝゞヽヾ々ぁぃぅぇぉっゃゅょゎゕゖァィゥェォッャュョヮヵヶ゛゜%),.;:!?]}")
    /// Characters a line may not end with (行末禁則).
    static let noEnd: Set<Character> = Set("「『（【〔〈《｛［〘〖([{")

    /// One piece the breaker never splits, and whether a space came before it.
    struct Unit {
        var text: String
        var width: Int
        var spaces: Int
    }

    /// Splits `text` into units: an ASCII run without spaces, or one other character; then
    /// glues closing punctuation to what precedes it and opening brackets to what follows.
    static func units(_ text: String) -> [Unit] {
        var raw: [Unit] = []
        var spaces = 0
        var word = ""
        func flushWord() {
            guard !word.isEmpty else { return }
            raw.append(Unit(text: word, width: word.count, spaces: spaces))
            spaces = 0
            word = ""
        }
        for ch in text {
            if ch == " " {
                flushWord()
                spaces += 1
            } else if ch.isASCII {
                word.append(ch)
            } else {
                flushWord()
                raw.append(Unit(text: String(ch), width: TextReport.charWidth(ch), spaces: spaces))
                spaces = 0
            }
        }
        flushWord()
        var out: [Unit] = []
        var glueNext = false
        for u in raw {
            let closes = u.spaces == 0 && u.text.first.map(noStart.contains) == true
            if let last = out.indices.last, glueNext || closes {
                out[last].text += String(repeating: " ", count: u.spaces) + u.text
                out[last].width += u.spaces + u.width
            } else {
                out.append(u)
            }
            glueNext = u.text.last.map(noEnd.contains) == true
        }
        return out
    }

    /// `text` as lines: the first starts with `first` after `indent` spaces, the rest with
    /// `indent` spaces. Lines are joined with newlines.
    public func wrap(_ text: String, indent: Int, first: String = "") -> String {
        let pad = String(repeating: " ", count: indent)
        var lines: [String] = []
        var cur = pad + first
        var curWidth = TextReport.displayWidth(cur)
        var empty = first.isEmpty
        for u in LineBreaker.units(text) {
            let gap = empty ? 0 : u.spaces
            if !empty, curWidth + gap + u.width > width {
                lines.append(cur)
                cur = pad + u.text
                curWidth = indent + u.width
                continue
            }
            cur += String(repeating: " ", count: gap) + u.text
            curWidth += gap + u.width
            empty = false
        }
        lines.append(cur)
        return lines.joined(separator: "\n")
    }
}
