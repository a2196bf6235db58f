import TenkenCheck
import TenkenEval

/// The process exit codes every command uses.
public enum ExitCode {
    public static let ok: Int32 = 0
    public static let gaps: Int32 = 1
    public static let inputError: Int32 = 2
    public static let usage: Int32 = 64
}

/// What a facility's result means for the exit code: 2 when a rule could not be evaluated or
/// decided, 1 when a gap at the `--fail-on` level remains (`Gate`), else 0.
public enum ExitPolicy {
    /// The exit code, and for an undecided run the line that says why (for standard error).
    /// `counts` narrows the failures that gate (a baseline's new ones).
    public static func code(
        _ r: FacilityResult, _ pack: CheckedPack, gate: Gate,
        counts: (RuleResult) -> Bool = { _ in true }
    ) -> (code: Int32, note: String?) {
        switch gate.verdict(r, rules: pack.rules, counts: counts) {
        case .met: return (ExitCode.ok, nil)
        case .gaps: return (ExitCode.gaps, nil)
        case .undecided:
            let unknown = r.results.filter { $0.state == .unknown }.count,
                error = r.results.filter { $0.state == .error }.count
            return (
                ExitCode.inputError,
                "tenken: not every item could be decided (unknown: \(unknown), error: \(error)); "
                    + "the report lists the values and tables to fill in\n"
            )
        }
    }
}
