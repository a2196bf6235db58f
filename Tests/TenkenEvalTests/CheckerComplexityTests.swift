import Testing

@testable import TenkenCheck

/// The checker stays linear in the length of an `and`/`or` chain (issue 18, defect 2): the
/// constant folder once folded each operand twice, so `lint` on a 30-term chain took 14 s.
/// Asserted by the work the folder counts, not by time.
struct CheckerComplexityTests {
    /// The folds one pass over the compiled expectation costs, for a chain of `n` terms.
    func folds(_ n: Int, _ op: String) throws -> Int {
        let terms = (0..<n).map { $0 % 2 == 0 ? "facility.uses_wifi" : "facility.uses_patient_accounts" }
        let pack = try onePack("  expect " + terms.joined(separator: " \(op) "))
        guard case .single(let node)? = pack.rules.first?.expects.first?.shape else {
            Issue.record("the expectation did not compile to one condition")
            return 0
        }
        var f = ConstantFolder()
        _ = f.fold(node)
        return f.folds
    }

    @Test(arguments: ["and", "or"])
    func doublingTheTermsAtMostDoublesTheWork(_ op: String) throws {
        let small = try folds(50, op), large = try folds(100, op)
        #expect(small >= 50, "every term is visited")
        #expect(large <= 2 * small + 2, "\(small) folds for 50 terms, \(large) for 100")
    }
}
