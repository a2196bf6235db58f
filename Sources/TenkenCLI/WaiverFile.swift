import TenkenData
import TenkenEval
import TenkenSyntax

/// Reads a waiver file: `{"waivers": [{"rule", "facility", "justification", "requested_by",
/// "approved_by", "granted_on", "expires_on"}]}`. Every malformed entry is reported.
public enum WaiverFile {
    /// The keys of a waiver file, which its diagnostics' pointers may name.
    static let names: Set<String> = ["waivers", "rule", "facility", "justification", "requested_by", "approved_by", "granted_on", "expires_on"]

    public static func load(_ path: String, maxCollection: Int = LoadOptions().maxCollection) -> ([Waiver], [Diagnostic]) {
        let (bytes, err) = readInputFile(path, maxBytes: 64 << 20)
        guard let bytes else { return ([], [err!]) }
        let (node, diags, lines) = JSONReader.parse(bytes, file: path, shownKeys: .only(WaiverFile.names))
        guard let node else { return ([], diags) }
        let src = SourceFile(path: path, kind: .json, lines: lines)
        guard case .object(let top) = node.value, let list = top.first(where: { $0.key == "waivers" })?.node, case .array(let items) = list.value else {
            return ([], diags + [Diagnostic("waiver.bad-file", .error, "expected {\"waivers\": [ … ]}", at: src.location(offset: node.offset, path: ""))])
        }
        if items.count > maxCollection {
            return ([], diags + [Diagnostic("data.too-many-elements", .error, "\(items.count) waivers, over the limit of \(maxCollection)",
                                            at: src.location(offset: list.offset, path: "/waivers"))])
        }
        var out: [Waiver] = []
        var problems = diags
        for (i, item) in items.enumerated() {
            let ptr = "/waivers/\(i)"
            let loc = src.location(offset: item.offset, path: ptr)
            let v = item.value
            func text(_ k: String) -> String? { v[k]?.string.flatMap { $0.isEmpty ? nil : $0 } }
            var missing: [String] = []
            for k in ["rule", "justification", "requested_by", "approved_by", "granted_on", "expires_on"] where text(k) == nil { missing.append(k) }
            if !missing.isEmpty {
                problems.append(Diagnostic("waiver.missing-field", .error, "waiver lacks \(missing.map { "`\($0)`" }.joined(separator: ", "))", at: loc))
                continue
            }
            guard let granted = Day(iso: text("granted_on")!), let expires = Day(iso: text("expires_on")!) else {
                problems.append(Diagnostic("waiver.bad-date", .error, "waiver dates must be YYYY-MM-DD", at: loc))
                continue
            }
            let facility = text("facility").flatMap { $0 == "*" ? nil : $0 }
            out.append(Waiver(rule: text("rule")!, facility: facility, justification: text("justification")!, requestedBy: text("requested_by")!,
                              approvedBy: text("approved_by")!, grantedOn: granted, expiresOn: expires, location: loc))
        }
        return (out, problems)
    }
}

/// Failures already known from a previous run: a JSON report of one facility, or an aggregate.
/// Only failures that are not in the baseline gate the exit code.
public struct Baseline: Sendable {
    /// `facility|rule|element`, with `*` for "the whole rule".
    var known: Set<String> = []

    public static func load(_ path: String, maxCollection: Int = LoadOptions().maxCollection) -> (Baseline?, [Diagnostic]) {
        let (bytes, err) = readInputFile(path, maxBytes: 1 << 30)
        guard let bytes else { return (nil, [err!]) }
        let (node, diags, _) = JSONReader.parse(bytes, file: path, limits: JSONLimits(maxDepth: 64, maxBytes: 1 << 30))
        guard let v = node?.value else { return (nil, diags) }
        // The collection limit holds here too: a baseline's lists are read into one set.
        if let d = Baseline.tooMany(v, path, maxCollection) { return (nil, diags + [d]) }
        var b = Baseline()
        var notes = diags
        if v["tenken_report_version"] != nil {
            let fid = v["facility"]?["id"]?.string ?? ""
            var capped: [String] = []
            for r in v["results"]?.array ?? [] where r["state"]?.string == "fail" {
                let rule = r["rule"]?.string ?? ""
                for viol in r["violations"]?.array ?? [] { b.known.insert("\(fid)|\(rule)|\(viol["element"]?.string ?? "*")") }
                if (r["unlisted_violations"]?.int ?? 0) > 0 { capped.append(rule) }
            }
            // Failures past the cap are not in the baseline: they count as new (never as known).
            if !capped.isEmpty {
                notes.append(Diagnostic("data.baseline-capped", .warning,
                    "the baseline lists only some violations of \(capped.count) rule\(capped.count == 1 ? "" : "s"); the others count as new",
                    at: SourceLocation(file: path), help: "make the baseline report with --all-findings for an exact comparison"))
            }
        } else if v["tenken_aggregate_version"] != nil {
            let rules = (v["rules"]?.array ?? []).compactMap { $0["rule"]?.string }
            for f in v["facilities"]?.array ?? [] {
                guard let fid = f["id"]?.string, let states = f["states"]?.string else { continue }
                for (i, c) in states.enumerated() where c == "F" && i < rules.count { b.known.insert("\(fid)|\(rules[i])|*") }
            }
        } else {
            return (nil, diags + [Diagnostic("data.bad-baseline", .error, "not a tenken JSON report or aggregate", at: SourceLocation(file: path))])
        }
        return (b, notes)
    }

    /// A report or aggregate with a list longer than the collection limit (its results, a
    /// result's violations, its facilities), as a diagnostic.
    static func tooMany(_ v: JSONValue, _ path: String, _ limit: Int) -> Diagnostic? {
        let results = v["results"]?.array ?? []
        let sizes = [results.count, v["facilities"]?.array?.count ?? 0] + results.map { $0["violations"]?.array?.count ?? 0 }
        guard let big = sizes.max(), big > limit else { return nil }
        return Diagnostic("data.too-many-elements", .error, "\(big) elements in one list, over the limit of \(limit)", at: SourceLocation(file: path))
    }

    public func isKnown(facility: String, rule: String, element: String?) -> Bool {
        known.contains("\(facility)|\(rule)|*") || known.contains("\(facility)|\(rule)|\(element ?? "*")")
    }

    /// Whether a failing result has a violation the baseline does not know. Violations past
    /// the findings cap are not listed, so a new one could hide among them: unless the whole
    /// rule is known, such a result counts as new (a gate errs towards failing, never passing).
    public func hasNew(facility: String, _ r: RuleResult) -> Bool {
        guard r.state == .fail else { return false }
        if r.violations.isEmpty { return !isKnown(facility: facility, rule: r.ruleID, element: nil) }
        if r.unlisted > 0, !known.contains("\(facility)|\(r.ruleID)|*") { return true }
        return r.violations.contains { !isKnown(facility: facility, rule: r.ruleID, element: $0.element) }
    }
}
