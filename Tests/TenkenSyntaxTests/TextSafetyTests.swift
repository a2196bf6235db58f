import Testing

@testable import TenkenSyntax

/// `TextSafety.isForbidden` decides Japanese text by code point alone: it must answer as the
/// character properties do for every character of those ranges.
struct TextSafetyTests {
    @Test func fastRangesAgreeWithProperties() {
        for range in [0x3000...0x30FF, 0x3400...0x4DBF, 0x4E00...0x9FFF, 0xFF01...0xFF9F] {
            for v in range {
                let u = Unicode.Scalar(UInt32(v))!
                #expect(!TextSafety.isForbiddenByProperties(u), "U+\(String(v, radix: 16))")
                #expect(!TextSafety.isForbidden(u))
            }
        }
        // Their neighbours stay forbidden: the Hangul filler, the byte-order mark, a direction mark.
        for v: UInt32 in [0x3164, 0xFEFF, 0xFFA0, 0x200E, 0xFFFE] {
            #expect(TextSafety.isForbidden(Unicode.Scalar(v)!), "U+\(String(v, radix: 16))")
        }
    }
}
