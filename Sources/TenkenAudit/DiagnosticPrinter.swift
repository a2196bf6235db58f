import TenkenData
import TenkenReport
import TenkenSyntax

/// Renders diagnostics like rustc and swift-syntax: `path:line:col: error[id]: message`, then,
/// for a rule file, the source line with a caret.
///
/// Facility data (snapshots, tables, inventories, answers, waivers, baselines) is never quoted:
/// any of its lines may hold a value tenken refuses (a password column, a key like `pwd`) or
/// does not understand (an unknown field's value), and the location — line and column, JSON
/// pointer or column header — already names the place. Everything shown is escaped for the
/// terminal (`SafeText.terminal`): a control character in a path, a key or a value cannot
/// move the cursor, retitle the window or forge a line.
public struct DiagnosticPrinter {
    var sources: [String: String] = [:]
    let color: Bool
    /// Each quoted file's lines, split once per file: a file with thousands of errors is not
    /// re-split for every one of them (that made printing quadratic in errors × file size).
    let lineCache = Locked<[String: [Substring]]>([:])

    public init(sources: [String: String] = [:], color: Bool = false) {
        self.sources = sources
        self.color = color
    }

    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }

    public func render(_ d: Diagnostic) -> String {
        var s = ""
        if let l = d.location { s += paint("\(SafeText.terminal(l.description)): ", "1") }
        let sev = d.severity.rawValue
        s +=
            paint(
                "\(sev)[\(SafeText.terminal(d.id))]",
                d.severity == .error ? "31;1" : d.severity == .warning ? "33;1" : "36")
            + ": \(SafeText.terminal(d.message))\n"
        if let l = d.location, l.line > 0, let lines = lines(of: l.file) {
            if l.line - 1 < lines.count {
                var line = String(lines[l.line - 1])
                if line.hasSuffix("\r") { line.removeLast() }
                if line.count <= 300 {
                    let num = String(l.line)
                    s += "\(String(repeating: " ", count: num.count)) |\n\(num) | \(SafeText.terminal(line))\n"
                    if l.column > 0 {
                        let before = SafeText.terminal(
                            String(String.UnicodeScalarView(line.unicodeScalars.prefix(l.column - 1))))
                        let prefix = String(repeating: " ", count: before.count)
                        s += "\(String(repeating: " ", count: num.count)) | \(prefix)" + paint("^", "32;1") + "\n"
                    }
                }
            }
        }
        for n in d.notes { s += "  note: \(SafeText.terminal(n))\n" }
        if let h = d.help { s += "  help: \(SafeText.terminal(h))\n" }
        return s
    }

    /// The lines of a rule file to quote from (`ruleText`), split on first use and kept.
    func lines(of file: String) -> [Substring]? {
        if let cached = lineCache.withLock({ $0[file] }) { return cached }
        // A file that cannot be quoted is remembered as having no lines, and not read again.
        let lines = ruleText(file).map(TextLines.split) ?? []
        lineCache.withLock { $0[file] = lines }
        return lines
    }

    /// The text of a rule file to quote from: given by the caller (a pack's files), or a
    /// `.tenken` file read from disk. Nil for everything else (facility data is never quoted).
    func ruleText(_ file: String) -> String? {
        if let t = sources[file] { return t }
        guard file.hasSuffix(".tenken") else { return nil }
        // The same careful reader as the loaders: no directories, pipes or devices, nothing huge.
        guard case .success(let bytes) = readInput(file, maxBytes: 8 << 20) else { return nil }
        return String(validating: bytes, as: UTF8.self)
    }
}
