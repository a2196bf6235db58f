/// Where a diagnostic or a value comes from.
///
/// Rule files give `file:line:col`; JSON snapshots give a JSON pointer (plus line and column,
/// so SARIF can point at the value); CSV inventories give a row and a column header; workbook
/// cells give the sheet, the row and the column, shown as Excel names the cell
/// (`clinic.xlsx [職員] F5`).
public struct SourceLocation: Hashable, Sendable, Comparable, CustomStringConvertible {
    public var file: String
    /// 1-based; 0 when unknown. For a workbook cell, the spreadsheet row.
    public var line: Int
    /// 1-based, counted in Unicode scalars; 0 when unknown. For a workbook cell, the column
    /// number (A = 1).
    public var column: Int
    /// JSON pointer (`/staff/3/pledge_signed_on`) or CSV column header; nil for rule files.
    public var path: String?
    /// The sheet's name, for a place in a workbook; `line` and `column` are then a cell.
    public var sheet: String?

    public init(file: String, line: Int = 0, column: Int = 0, path: String? = nil, sheet: String? = nil) {
        self.file = file
        self.line = line
        self.column = column
        self.path = path
        self.sheet = sheet
    }

    public var description: String {
        var s = file
        if let sheet {
            // As a person finds it in Excel: the sheet tab, then the cell (or the row).
            s += " [\(sheet)]"
            if line > 0 { s += column > 0 ? " " + SourceLocation.columnLetters(column) + String(line) : " row \(line)" }
        } else if line > 0 {
            s += ":\(line)"
            if column > 0 { s += ":\(column)" }
        }
        if let path, !path.isEmpty { s += path.hasPrefix("/") ? "#\(path)" : " [\(path)]" }
        return s
    }

    /// A spreadsheet column's letters: 1 → `A`, 26 → `Z`, 27 → `AA`, 16384 → `XFD`.
    /// Returns an empty string for numbers below 1.
    public static func columnLetters(_ n: Int) -> String {
        var n = n, scalars: [Unicode.Scalar] = []
        while n > 0 {
            let r = (n - 1) % 26
            scalars.append(Unicode.Scalar(UInt8(65 + r)))
            n = (n - 1) / 26
        }
        return String(String.UnicodeScalarView(scalars.reversed()))
    }

    public static func < (a: SourceLocation, b: SourceLocation) -> Bool {
        (a.file, a.sheet ?? "", a.line, a.column, a.path ?? "") < (
            b.file, b.sheet ?? "", b.line, b.column, b.path ?? ""
        )
    }
}

public enum Severity: String, Sendable, Comparable, Codable {
    case note, warning, error

    private var rank: Int {
        switch self {
        case .note: 0
        case .warning: 1
        case .error: 2
        }
    }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// The one diagnostic type every phase reports with. `id` is stable and namespaced
/// (`syntax.unexpected-token`, `check.unknown-field`, `data.bad-date`); tests match on it.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var id: String
    public var severity: Severity
    public var message: String
    public var location: SourceLocation?
    public var notes: [String]
    public var help: String?

    public init(
        _ id: String, _ severity: Severity = .error, _ message: String,
        at location: SourceLocation? = nil, notes: [String] = [], help: String? = nil
    ) {
        self.id = id
        self.severity = severity
        self.message = message
        self.location = location
        self.notes = notes
        self.help = help
    }

    public var description: String {
        var s = ""
        if let location { s += "\(location): " }
        s += "\(severity.rawValue)[\(id)]: \(message)"
        return s
    }
}

/// Collects diagnostics without stopping at the first; capped so hostile input cannot
/// make the list itself the problem.
public struct DiagnosticBag: Sendable {
    public private(set) var items: [Diagnostic] = []
    public private(set) var dropped = 0
    public let cap: Int

    public init(cap: Int = 200) { self.cap = cap }

    /// The errors reported for one pack file kind at most (its rule files, its schema file):
    /// enough for any real mistake, and a damaged or generated file of 20 000 errors still
    /// prints in well under a second.
    public static let packCap = 500

    public mutating func add(_ d: Diagnostic) {
        if items.count < cap { items.append(d) } else { dropped += 1 }
    }

    public mutating func add(contentsOf ds: [Diagnostic]) { for d in ds { add(d) } }

    public var hasErrors: Bool { items.contains { $0.severity == .error } }

    /// Sorted by location, then id, so output never depends on discovery order.
    public var sorted: [Diagnostic] {
        items.enumerated().sorted { x, y in
            let a = x.element, b = y.element
            switch (a.location, b.location) {
            case let (la?, lb?) where la != lb: return la < lb
            case (nil, _?): return false
            case (_?, nil): return true
            default: return x.offset < y.offset
            }
        }.map(\.element)
    }
}

/// "Did you mean" for unknown names: the closest candidate within a small edit distance.
/// None among more than `maxSuggestionCandidates` names: a schema of 20 000 records with an
/// error in each would otherwise cost errors × names edit distances (minutes), and no list a
/// person picks a name from is that long.
public func closestMatch(to name: String, in candidates: some Sequence<String>) -> String? {
    var best: (String, Int)?
    let x = Array(name.unicodeScalars)
    let n = x.count
    // Names longer than any identifier get no suggestion; a hostile 100 KB cell must not cost
    // a quadratic edit distance against every candidate.
    guard n <= 64, candidates.underestimatedCount <= maxSuggestionCandidates else { return nil }
    let limit = max(1, n / 3)
    for c in candidates {
        // The distance is at least the difference in length (a scalar is 1 to 4 UTF-8 bytes).
        let bytes = c.utf8.count
        if bytes + limit < n || bytes > 4 * (n + limit) { continue }
        let y = Array(c.unicodeScalars)
        if abs(y.count - n) > limit { continue }
        let d = editDistance(x, y)
        guard d <= limit else { continue }
        if let (bc, bd) = best, bd < d || (bd == d && bc <= c) { continue }
        best = (c, d)
    }
    return best?.0
}

/// The most names `closestMatch` looks through.
public let maxSuggestionCandidates = 2_000

public func editDistance(_ a: String, _ b: String) -> Int {
    editDistance(Array(a.unicodeScalars), Array(b.unicodeScalars))
}

func editDistance(_ x: [Unicode.Scalar], _ y: [Unicode.Scalar]) -> Int {
    if x.isEmpty { return y.count }
    if y.isEmpty { return x.count }
    var prev = [Int](repeating: 0, count: y.count + 1)
    for j in prev.indices { prev[j] = j }
    var cur = [Int](repeating: 0, count: y.count + 1)
    for i in 1...x.count {
        cur[0] = i
        for j in 1...y.count {
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
        }
        swap(&prev, &cur)
    }
    return prev[y.count]
}
extension Diagnostic: Error {}
