import Foundation
import TenkenCheck
import TenkenData
import TenkenEval

/// JUnit XML for CI dashboards (Jenkins, GitLab): one testsuite per category, one testcase per
/// rule. Failures carry the messages and evidence; not-applicable, manual and waived items are
/// skipped with their reason, in the `message` attribute (Jenkins) and as the element's text
/// (GitLab shows only that); rules that could not be evaluated are errors. Each testcase names
/// in `file` (which GitLab shows and links) the input file that settles it: the file of its
/// first finding, else the facility's first input, relative to the working directory (or
/// `--sarif-base`) when it is inside it.
public enum JUnitReport: TreeReport {
    public static func tree(_ r: ReportInput) -> XMLTree {
        let tree = XMLTree(root: "testsuites")
        let root = tree.root
        let res = r.result
        let fid = res.facilityID
        tree.set("name", "tenken \(res.pack.id) \(res.pack.version) — \(fid)", on: root)
        func counts(_ items: [(rule: CheckedRule, result: RuleResult)]) -> [(String, String)] {
            [
                ("tests", String(items.count)),
                ("failures", String(items.filter { $0.result.state == .fail }.count)),
                ("errors", String(items.filter { $0.result.state == .error || $0.result.state == .unknown }.count)),
                (
                    "skipped",
                    String(items.filter { [.notApplicable, .manual, .waived].contains($0.result.state) }.count)
                ),
                ("time", "0"),
            ]
        }
        for (k, v) in counts(r.items) { tree.set(k, v, on: root) }
        for section in Labels.sections(r.pack.info) {
            let items = r.items.filter { $0.rule.category == section.category }
            if items.isEmpty { continue }
            let suite = tree.add("testsuite", to: root, ["name": "\(fid).\(section.id)"])
            for (k, v) in counts(items) { tree.set(k, v, on: suite) }
            let props = tree.add("properties", to: suite)
            for (k, v) in [
                ("facility", fid), ("as_of", res.asOf.description), ("pack", "\(res.pack.id) \(res.pack.version)"),
                ("source", "\(res.pack.source) \(res.pack.edition)"),
            ] {
                tree.add("property", to: props, ["name": k, "value": v])
            }
            for o in res.pack.outOfScope {
                tree.add("property", to: props, ["name": "out of scope \(o.id)", "value": o.reason])
            }
            if let p = res.providerProfile {
                tree.add("property", to: props, ["name": "provider_profile", "value": Labels.providerProfile(p).en])
                if let w = p.warning {
                    tree.add("property", to: props, ["name": "provider_profile_warning", "value": w.en])
                }
            }
            for p in res.params where p.origin != .default {
                tree.add(
                    "property", to: props,
                    [
                        "name": "parameter \(p.name)",
                        "value": Labels.override(p),
                    ])
            }
            for (i, d) in res.inputWarnings.enumerated() {
                tree.add("property", to: props, ["name": "input_warning \(i + 1)", "value": d.description])
            }
            for (rule, result) in items {
                let tc = tree.add(
                    "testcase", to: suite,
                    [
                        "classname": "\(fid).\(section.id)",
                        "name": "\(rule.implements.joined(separator: ",")) \(rule.id): \(r.lang.pick(rule.title))",
                        "file": file(result, r), "time": "0",
                    ])
                switch result.state {
                case .fail:
                    let msg = result.violations.first.map { r.lang.pick($0.message) } ?? ""
                    let more = result.violationCount > 1 ? " (+\(result.violationCount - 1) more)" : ""
                    tree.add(
                        "failure", to: tc, ["message": msg + more, "type": rule.level.rawValue],
                        text: body(result, rule, r))
                case .error:
                    tree.add("error", to: tc, ["message": result.reason.map(r.lang.pick) ?? "error", "type": "input"])
                case .unknown:
                    let msg =
                        result.undetermined.first.map { r.lang.pick($0.message) } ?? result.reason.map(r.lang.pick)
                        ?? "unknown"
                    let more = result.undeterminedCount > 1 ? " (+\(result.undeterminedCount - 1) more)" : ""
                    tree.add("error", to: tc, ["message": msg + more, "type": "unknown"], text: body(result, rule, r))
                case .notApplicable, .manual, .waived:
                    let why = r.lang.pick(skipReason(result))
                    tree.add("skipped", to: tc, ["message": why], text: why)
                case .attested:
                    if let a = result.attestation {
                        tree.add("system-out", to: tc, text: Labels.attested(a))
                    }
                case .pass:
                    break
                }
            }
        }
        return tree
    }

    /// "state: reason", in each language; a reason that already starts with its state's word
    /// (a waiver's `waived: …`) is not prefixed twice.
    static func skipReason(_ result: RuleResult) -> Bilingual {
        let label = Labels.state(result.state), reason = result.reason ?? Bilingual(ja: "", en: "")
        func join(_ l: String, _ r: String) -> String {
            if r.isEmpty { return l }
            return r.hasPrefix(l + ":") || r.hasPrefix(l + "：") ? r : "\(l): \(r)"
        }
        return Bilingual(ja: join(label.ja, reason.ja), en: join(label.en, reason.en))
    }

    /// The input file that settles a rule: its first finding's, else the facility's first input.
    static func file(_ result: RuleResult, _ r: ReportInput) -> String {
        let finding = (result.violations + result.undetermined).lazy.compactMap {
            $0.location?.file ?? $0.evidence.first?.location?.file
        }.first
        guard let f = finding ?? r.result.sources.first else { return "" }
        return (r.sarifBase ?? SARIFBase(FileManager.default.currentDirectoryPath)).relative(f) ?? f
    }

    static func body(_ result: RuleResult, _ rule: CheckedRule, _ r: ReportInput) -> String {
        var lines: [String] = []
        for c in r.sources(rule) { lines.append("[\(c.id) \(c.section)] \(r.lang == .en ? c.en : c.ja)") }
        // A failure's reason is a waiver's word (one past its last day, or one that covers only
        // some findings): the failure stands, and the reader is told why the waiver did not hide it.
        if result.state == .fail, let reason = result.reason { lines.append(r.lang.pick(reason)) }
        for v in result.violations + result.undetermined {
            lines.append("- " + r.lang.pick(v.message) + (v.location.map { " @ \($0)" } ?? ""))
            for e in v.evidence { lines.append("    \(e.label) = \(e.value)" + (e.location.map { " @ \($0)" } ?? "")) }
        }
        if let more = Labels.more(result, shown: result.violations.count) { lines.append(r.lang.pick(more)) }
        if let more = Labels.moreUndetermined(result, shown: result.undetermined.count) {
            lines.append(r.lang.pick(more))
        }
        lines.append("fix: " + r.lang.pick(rule.remediation))
        return lines.joined(separator: "\n")
    }
}
