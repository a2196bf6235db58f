import TenkenCheck
import TenkenData
import TenkenEval
import TenkenSyntax

/// Reads a waiver file: `{"waivers": [{"rule", "facility", "justification", "requested_by",
/// "approved_by", "granted_on", "expires_on"[, "elements"]}]}`. Every malformed entry is reported.
public enum WaiverFile {
    /// The keys of a waiver file, which its diagnostics' pointers may name.
    static let names: Set<String> = [
        "waivers", "rule", "facility", "justification", "requested_by", "approved_by", "granted_on", "expires_on",
    ]
    /// The fields every waiver must give, in the order a missing one is named.
    static let required = ["rule", "justification", "requested_by", "approved_by", "granted_on", "expires_on"]

    public static func load(
        _ path: String, maxCollection: Int = LoadOptions().maxCollection
    ) -> ([Waiver], [Diagnostic]) {
        let bytes: [UInt8]
        do { bytes = try readInput(path, maxBytes: 64 << 20).get() } catch { return ([], [error]) }
        let (node, diags, lines) = JSONReader.parse(bytes, file: path, shownKeys: .only(WaiverFile.names))
        guard let node else { return ([], diags) }
        let src = SourceFile(path: path, kind: .json, lines: lines)
        guard case .object(let top) = node.value, let list = top.first(where: { $0.key == "waivers" })?.node,
            case .array(let items) = list.value
        else {
            return (
                [],
                diags + [
                    Diagnostic(
                        "waiver.bad-file", .error, "expected {\"waivers\": [ … ]}",
                        at: src.location(offset: node.offset, path: ""))
                ]
            )
        }
        if items.count > maxCollection {
            return (
                [],
                diags + [
                    Diagnostic(
                        "data.too-many-elements", .error, "\(items.count) waivers, over the limit of \(maxCollection)",
                        at: src.location(offset: list.offset, path: "/waivers"))
                ]
            )
        }
        var out: [Waiver] = []
        var problems = diags
        for (i, item) in items.enumerated() {
            let ptr = "/waivers/\(i)"
            let loc = src.location(offset: item.offset, path: ptr)
            let v = item.value
            func text(_ k: String) -> String? { v[k]?.string.flatMap { $0.isEmpty ? nil : $0 } }
            guard let rule = text("rule"), let justification = text("justification"),
                let requestedBy = text("requested_by"),
                let approvedBy = text("approved_by"), let grantedText = text("granted_on"),
                let expiresText = text("expires_on")
            else {
                let missing = WaiverFile.required.filter { text($0) == nil }
                problems.append(
                    Diagnostic(
                        "waiver.missing-field", .error,
                        "waiver lacks \(missing.map { "`\($0)`" }.joined(separator: ", "))", at: loc))
                continue
            }
            guard let granted = Day(iso: grantedText), let expires = Day(iso: expiresText) else {
                problems.append(Diagnostic("waiver.bad-date", .error, "waiver dates must be YYYY-MM-DD", at: loc))
                continue
            }
            let facility = text("facility").flatMap { $0 == "*" ? nil : $0 }
            // `elements`, when given, limits the waiver to those elements: a list of ids.
            var elements: [String]?
            if let e = v["elements"] {
                guard let xs = e.array, let ids = Optional(xs.compactMap(\.string)), ids.count == xs.count else {
                    problems.append(
                        Diagnostic(
                            "waiver.bad-elements", .error,
                            "`elements` must be a list of element ids, as the report names them",
                            at: src.location(offset: item.offset, path: ptr + "/elements")))
                    continue
                }
                elements = ids
            }
            out.append(
                Waiver(
                    rule: rule, facility: facility, justification: justification, requestedBy: requestedBy,
                    approvedBy: approvedBy, grantedOn: granted, expiresOn: expires, elements: elements, location: loc))
        }
        return (out, problems)
    }
}

/// Failures already known from a previous run: a JSON report of one facility, or an aggregate.
/// Only failures that are not in the baseline gate the exit code.
///
/// A report names each violation by its rule, the expectation that found it and its element
/// (`facility|rule|#2|PC-01`); a violation about no element (a single-shape `expect`: "no
/// device-management rule is on file") is keyed by its expectation alone (`facility|rule|#1|`),
/// so it forgives that finding and nothing else. An aggregate keeps one letter per rule, so
/// its failures are whole rules (`facility|rule|*`): every failure of that rule counts as known.
public struct Baseline: Sendable {
    var known: Set<String> = []

    static func key(_ facility: String, _ rule: String, expect: Int?, element: String?) -> String {
        "\(facility)|\(rule)|#\(expect.map(String.init) ?? "?")|\(element ?? "")"
    }

    public static func load(
        _ path: String, maxCollection: Int = LoadOptions().maxCollection,
        pack: PackInfo? = nil
    ) -> (Baseline?, [Diagnostic]) {
        let bytes: [UInt8]
        do { bytes = try readInput(path, maxBytes: 1 << 30).get() } catch { return (nil, [error]) }
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
                for viol in r["violations"]?.array ?? [] {
                    // A report from before expectations were recorded: `#?` matches the element
                    // under any expectation of the rule, and an element-less finding only
                    // element-less ones — never the whole rule.
                    b.known.insert(key(fid, rule, expect: viol["expect"]?.int, element: viol["element"]?.string))
                }
                if (r["unlisted_violations"]?.int ?? 0) > 0 { capped.append(rule) }
            }
            // Failures past the cap are not in the baseline: they count as new (never as known).
            if !capped.isEmpty {
                notes.append(
                    Diagnostic(
                        "data.baseline-capped", .warning,
                        "the baseline lists only some violations of \(capped.count) "
                            + "rule\(capped.count == 1 ? "" : "s"); the others count as new",
                        at: SourceLocation(file: path),
                        help: "make the baseline report with --all-findings for an exact comparison"))
            }
        } else if v["tenken_aggregate_version"] != nil {
            let rules = (v["rules"]?.array ?? []).compactMap { $0["rule"]?.string }
            for f in v["facilities"]?.array ?? [] {
                guard let fid = f["id"]?.string, let states = f["states"]?.string else { continue }
                for (i, c) in states.enumerated() where c == "F" && i < rules.count {
                    b.known.insert("\(fid)|\(rules[i])|*")
                }
            }
        } else {
            return (
                nil,
                diags + [
                    Diagnostic(
                        "data.bad-baseline", .error, "not a tenken JSON report or aggregate",
                        at: SourceLocation(file: path))
                ]
            )
        }
        // Expectations are numbered within a pack version: another version may number them
        // differently, so say so (the comparison stays per element).
        if let pack, let id = v["pack"]?["id"]?.string, let version = v["pack"]?["version"]?.string,
            id != pack.id || version != pack.version
        {
            notes.append(
                Diagnostic(
                    "data.baseline-other-pack", .warning,
                    "the baseline was made with pack \(id) \(version), this run uses \(pack.id) \(pack.version); "
                        + "findings are compared by rule, expectation and element",
                    at: SourceLocation(file: path),
                    help: "accept a new baseline made with this pack once its report is reviewed"))
        }
        return (b, notes)
    }

    /// A report or aggregate with a list longer than the collection limit (its results, a
    /// result's violations, its facilities), as a diagnostic.
    public static func tooMany(_ v: JSONValue, _ path: String, _ limit: Int) -> Diagnostic? {
        let results = v["results"]?.array ?? []
        let sizes =
            [results.count, v["facilities"]?.array?.count ?? 0] + results.map { $0["violations"]?.array?.count ?? 0 }
        guard let big = sizes.max(), big > limit else { return nil }
        return Diagnostic(
            "data.too-many-elements", .error, "\(big) elements in one list, over the limit of \(limit)",
            at: SourceLocation(file: path))
    }

    /// Whether the baseline knows this finding: the whole rule (an aggregate's `*`), or the
    /// same expectation and element (a report made before expectations were numbered: the
    /// same element under any expectation).
    public func isKnown(facility: String, rule: String, _ v: Violation) -> Bool {
        known.contains("\(facility)|\(rule)|*")
            || known.contains(Baseline.key(facility, rule, expect: v.expect, element: v.element))
            || known.contains(Baseline.key(facility, rule, expect: nil, element: v.element))
    }

    /// Whether a failing result has a violation the baseline does not know. Violations past
    /// the findings cap are not listed, so a new one could hide among them: unless the whole
    /// rule is known, such a result counts as new (a gate errs towards failing, never passing).
    /// A failure with no violation listed is known only when the whole rule is.
    public func hasNew(facility: String, _ r: RuleResult) -> Bool {
        guard r.state == .fail else { return false }
        if known.contains("\(facility)|\(r.ruleID)|*") { return false }
        if r.violations.isEmpty || r.unlisted > 0 { return true }
        return r.violations.contains { !isKnown(facility: facility, rule: r.ruleID, $0) }
    }
}
