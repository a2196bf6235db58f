import Foundation
import Testing

@testable import TenkenData
@testable import TenkenSyntax

/// `CellText.clean` keeps Japanese text as written without looking a character up
/// (`isKeptAsWritten`): it must give what the character-by-character reading gives, for text
/// that takes the fast path and for text that only nearly does.
struct CellTextTests {
    /// Every character the fast path keeps is one the slow path neither refuses nor composes;
    /// the only ones it would trim are the two spaces, which the fast path takes only inside.
    @Test func keptCharactersNeedNoLookUp() {
        for v in UInt32(0)...0x10FFFF where CellText.isKept(v) {
            let u = Unicode.Scalar(v)!
            #expect(!CellText.isForbidden(u), "U+\(String(v, radix: 16))")
            #expect(u.properties.canonicalCombiningClass == .notReordered, "U+\(String(v, radix: 16))")
            #expect(!(0x1100...0x11FF).contains(v))
            #expect(!CellText.isSpace(u) || v == 0x20 || v == 0x3000, "U+\(String(v, radix: 16))")
        }
    }

    /// The fast path is taken by Japanese text as typed, and only by text it keeps.
    @Test func fastPathTakesTextAsTyped() {
        for s in ["職員 一郎", "ｽﾀｯﾌ", "Ｓ－００６", "カード「A」、済。", "e-Learning 研修"] {
            #expect(CellText.isKeptAsWritten(Substring(s)), "\(s)")
        }
        for s in ["", " 職員", "職員\u{3000}", "か\u{3099}", "職員\u{200B}", "é", "𠮷", "\u{1100}\u{1161}", "職\u{9}員"] {
            #expect(!CellText.isKeptAsWritten(Substring(s)), "\(s.unicodeScalars.map(\.value))")
        }
    }

    static let pieces: [String] = [
        "職員", "ｽﾀｯﾌ", "ﾞ", "ﾟ", "Ｓ－００６", "かな", "カナ", "ー", "、", "。", "「", "」", "々", "〆", "S-006", "a", " ", "\u{3000}",
        "\u{A0}", "\u{200B}", "\u{FEFF}", "\u{9}", "\u{A}", "\u{D}", "\u{0}", "\u{7F}", "\u{85}", "\u{AD}", "\u{200E}",
        "\u{2028}", "\u{3099}", "\u{309A}", "\u{302A}", "\u{301}", "e", "\u{1100}", "\u{1161}", "\u{3164}", "\u{FFA0}",
        "\u{FE0F}", "\u{E0100}", "𠮷", "😀", "\u{F900}", "\u{2F00}", "é", "ß", "\u{FFFE}", "\u{30FF}", "\u{309F}",
        "\u{3030}", "\u{3029}", "\u{30FC}", "\u{FF9F}", "\u{FFA1}", "\u{4DBF}", "\u{4DC0}", "\u{9FFF}", "\u{A000}",
    ]

    @Test func fastPathAgreesWithSlowPath() {
        var inputs: [String] = Self.pieces
        for a in Self.pieces {
            for b in Self.pieces { inputs.append(a + b) }
        }
        // Longer mixes, the same every run.
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> Int {
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return Int(truncatingIfNeeded: seed >> 33)
        }
        for _ in 0..<20_000 {
            let n = 1 + next() % 8
            inputs.append((0..<n).map { _ in Self.pieces[next() % Self.pieces.count] }.joined())
        }
        // Every character of the ranges the fast path keeps, alone and inside text.
        for v in UInt32(0x3000)...0x30FF { inputs.append("職" + String(Unicode.Scalar(v)!) + "員") }
        for v in UInt32(0xFF00)...0xFFA0 { inputs.append(String(Unicode.Scalar(v)!)) }
        for s in inputs {
            let slow = CellText.cleanedSlowly(Substring(s))
            let fast = CellText.clean(s)
            // A slice of a longer string, as the scanner and the CSV reader give.
            let whole = "<" + s + ">"
            let u = whole.unicodeScalars
            let sub = Substring(u[u.index(after: u.startIndex)..<u.index(before: u.endIndex)])
            let fastSub = CellText.clean(sub)
            let slowSub = CellText.cleanedSlowly(sub)
            #expect(fast.text == slow.text && fast.refused == slow.refused, "\(s.unicodeScalars.map(\.value))")
            #expect(
                fastSub.text == slowSub.text && fastSub.refused == slowSub.refused, "\(s.unicodeScalars.map(\.value))")
            // Byte for byte, not only canonically equal.
            #expect(Array(fast.text.utf8) == Array(slow.text.utf8))
        }
    }
}
