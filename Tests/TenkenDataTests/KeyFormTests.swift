import Foundation
import Testing

@testable import TenkenData

/// `SnapshotSchema.keyForm`'s shortcut for words of kanji and kana gives what the full path
/// (clean, NFKC, lower case) gives, for every kana, a sample of the ideographs, and the
/// characters just outside its ranges, which it must leave to the full path.
struct KeyFormTests {
    static func full(_ s: String) -> String {
        CellText.clean(s).text.precomposedStringWithCompatibilityMapping.lowercased()
    }

    @Test func kanjiAndKanaAreTheirOwnKeyForm() {
        let ranges: [ClosedRange<UInt32>] = [0x3041...0x3096, 0x30A1...0x30FC]
        var scalars = ranges.flatMap { Array($0) }
        scalars += Array(stride(from: UInt32(0x4E00), through: 0x9FFF, by: 37)) + [0x9FFF]
        for v in scalars {
            guard let u = Unicode.Scalar(v) else { continue }
            for s in [String(u), "A" + String(u) + "Z", String(u) + "ー" + String(u), "x-" + String(u)] {
                let fast = SnapshotSchema.kanjiKanaKeyForm(s)
                #expect(fast == Self.full(s), "U+\(String(v, radix: 16, uppercase: true)) in \(s)")
            }
        }
    }

    @Test func everythingElseTakesTheFullPath() {
        let outside: [UInt32] = [
            0x20, 0x3000, 0x3040, 0x3097, 0x3099, 0x309B, 0x309F, 0x30A0, 0x30FD, 0x30FF, 0x4DFF, 0xA000, 0xFF08,
            0xFF21, 0xF900, 0x2F00, 0x0301, 0x00E9,
        ]
        for v in outside {
            guard let u = Unicode.Scalar(v) else { continue }
            let s = "画面" + String(u) + "ロック"
            #expect(SnapshotSchema.kanjiKanaKeyForm(s) == nil, "U+\(String(v, radix: 16, uppercase: true))")
        }
        #expect(SnapshotSchema.keyForm("画面ロック（分）") == Self.full("画面ロック（分）"))
        #expect(SnapshotSchema.keyForm("退職日") == "退職日")
        #expect(SnapshotSchema.keyForm("OS種別") == "os種別")
    }
}
