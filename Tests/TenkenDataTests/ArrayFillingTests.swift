import Testing

@testable import TenkenData

/// `Array(filling:count:)`, which the loaders allocate each record's arrays with, makes what
/// `Array(repeating:count:)` makes.
struct ArrayFillingTests {
    @Test func makesWhatRepeatingMakes() {
        for n in 0..<40 {
            #expect([Value](filling: .null, count: n) == [Value](repeating: .null, count: n))
            #expect([Value](filling: .string("S-001"), count: n) == [Value](repeating: .string("S-001"), count: n))
            #expect([Int32](filling: -1, count: n) == [Int32](repeating: -1, count: n))
            #expect([Value?](filling: nil, count: n) == [Value?](repeating: nil, count: n))
            let long = String(repeating: "長い値", count: 20)
            let a = [Value](filling: .string(long), count: n)
            #expect(a.count == n && a.allSatisfy { $0 == .string(long) })
        }
    }
}
