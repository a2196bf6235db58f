import TenkenCheck
import TenkenData
import TenkenEval

/// XCCDF 1.2 results, for SCAP tooling (OpenSCAP and the like): a `Benchmark` describing every
/// rule of the pack (title, the source's text, the catalog id, the fix, in Japanese and
/// English) and one `TestResult` for the facility with a `rule-result` per rule.
///
/// Mapping: pass → `pass`; fail → `fail`; not applicable → `notapplicable`; a person must
/// attest → `notchecked`; attested → `pass`, with who and until when as a message; could not
/// be evaluated → `error`; undecided → `unknown`; waived → `pass` with an `override` by the
/// authority "waiver" recording the original `fail`, the new result and the waiver's reason.
/// Severity: required → high, recommended → medium, optional → low, provider → info.
///
/// XCCDF 1.2 asks that a rule-result's `result` match its override's `new-result`; the
/// official schematron (which `oscap xccdf validate` runs) checks that for *every* rule-result
/// of a TestResult holding an override. So when a waiver overrides a result, every other
/// rule-result of the run carries the record of the same waiver review too: an override whose
/// old and new results are its own result, with the remark that no waiver applies (or that
/// the waiver was past its last day). A run without waivers has no overrides.
///
/// Times are the as-of date (a report never depends on the clock). The score uses the flat
/// model as OpenSCAP computes it: every rule counts 1 in the maximum unless its result is
/// notapplicable, notchecked, notselected or informational (so `error` and `unknown` count,
/// as failures), and `pass` scores 1. The Benchmark carries Dublin Core metadata (title,
/// source, identifier, creator) and the pack's platform (a CPE 2.3 name, when the pack gives
/// one); the TestResult names who performed it (tenken itself, reading the supplied files:
/// neither an authenticated nor a privileged account on the facility's systems). Rules have
/// no `check`: tenken's rules are not SCAP checking-system content (OVAL, OCIL), so
/// `oscap xccdf validate` warns once per rule-result that it has none (docs/xccdf.md).
public enum XCCDFReport: TreeReport {
    /// Dublin Core elements, as XCCDF's `metadata` holds them.
    public static let dublinCore = "http://purl.org/dc/elements/1.1/"

    public static let namespace = "http://checklists.nist.gov/xccdf/1.2"
    /// The reverse-DNS part of every XCCDF id tenken writes.
    static let owner = "jp.tenken"

    static func id(_ kind: String, _ name: String) -> String {
        let safe = String(
            name.unicodeScalars.map { s -> Character in
                ("a"..."z").contains(s) || ("A"..."Z").contains(s) || ("0"..."9").contains(s) || s == "-" || s == "."
                    || s == "_" ? Character(s) : "_"
            })
        return "xccdf_\(owner)_\(kind)_\(safe.isEmpty ? "_" : safe)"
    }

    static func outcome(_ s: RuleState) -> String {
        switch s {
        case .pass, .attested, .waived: "pass"
        case .fail: "fail"
        case .notApplicable: "notapplicable"
        case .manual: "notchecked"
        case .error: "error"
        case .unknown: "unknown"
        }
    }

    static func severity(_ l: Level) -> String {
        switch l {
        case .required: "high"
        case .recommended: "medium"
        case .optional: "low"
        case .provider: "info"
        }
    }

    public static func tree(_ r: ReportInput) -> XMLTree {
        let res = r.result
        let tree = XMLTree(root: "Benchmark")
        tree.setDefaultNamespace(namespace)
        let root = tree.root
        tree.set("id", id("benchmark", res.pack.id), on: root)
        tree.set("resolved", "1", on: root)
        tree.setLanguage(r.lang == .en ? "en" : "ja", on: root)
        let time = "\(res.asOf)T00:00:00+09:00"
        tree.add("status", to: root, ["date": res.asOf.description], text: "accepted")
        func bilingual(_ name: String, _ text: Bilingual, to parent: XMLTree.Element) {
            for (lang, s) in [("ja", text.ja), ("en", text.en)]
            where r.lang == .both || (lang == "ja") == (r.lang == .ja) {
                tree.setLanguage(lang, on: tree.add(name, to: parent, text: s))
            }
        }
        bilingual("title", res.pack.title, to: root)
        tree.add("description", to: root, text: "\(res.pack.source) \(res.pack.edition)")
        if let cpe = res.pack.platform { tree.add("platform", to: root, ["idref": cpe]) }
        tree.add("version", to: root, text: res.pack.version)
        let meta = tree.add("metadata", to: root)
        let dc = tree.declare(prefix: "dc", dublinCore)
        tree.add("title", to: meta, namespace: dc, text: r.lang == .en ? res.pack.title.en : res.pack.title.ja)
        tree.add("source", to: meta, namespace: dc, text: "\(res.pack.source) \(res.pack.edition)")
        tree.add("identifier", to: meta, namespace: dc, text: "\(res.pack.id) \(res.pack.version)")
        tree.add("creator", to: meta, namespace: dc, text: "tenken \(r.toolVersion)")
        tree.add("model", to: root, ["system": "urn:xccdf:scoring:flat"])
        // The catalog items are the pack's own identifiers: `urn:tenken:mcs-catalog` for the MCS pack.
        let identSystem = "urn:tenken:\(res.pack.id)-catalog"
        for (rule, _) in r.items {
            let e = tree.add(
                "Rule", to: root, ["id": id("rule", rule.id), "selected": "true", "severity": severity(rule.level)])
            bilingual("title", rule.title, to: e)
            let sources = r.sources(rule)
            bilingual(
                "description",
                Bilingual(
                    ja: sources.map { "\($0.section)「\($0.ja)」" }.joined(separator: "\n"),
                    en: sources.map { "\($0.section): \($0.en)" }.joined(separator: "\n")), to: e)
            for c in sources { tree.add("reference", to: e, text: "\(res.pack.source) \(c.section) (\(c.id))") }
            for c in rule.implements { tree.add("ident", to: e, ["system": identSystem], text: c) }
            bilingual("fixtext", rule.remediation, to: e)
        }
        let test = tree.add(
            "TestResult", to: root,
            [
                "id": id("testresult", res.facilityID), "start-time": time, "end-time": time,
                "test-system": "tenken \(r.toolVersion)", "version": res.pack.version,
            ])
        tree.add("title", to: test, text: "tenken \(res.pack.id) \(res.pack.version) — \(res.facilityID)")
        tree.add("identity", to: test, ["authenticated": "false", "privileged": "false"], text: "tenken")
        tree.add("target", to: test, text: res.facilityID)
        let facts = tree.add("target-facts", to: test)
        tree.add("fact", to: facts, ["name": "urn:tenken:fact:as-of", "type": "string"], text: res.asOf.description)
        for source in res.sources {
            tree.add("fact", to: facts, ["name": "urn:tenken:fact:input", "type": "string"], text: source)
        }
        for o in res.pack.outOfScope {
            tree.add(
                "fact", to: facts, ["name": "urn:tenken:fact:out-of-scope:\(o.id)", "type": "string"], text: o.reason)
        }
        if let p = res.providerProfile {
            tree.add(
                "fact", to: facts, ["name": "urn:tenken:fact:provider-profile", "type": "string"],
                text: Labels.providerProfile(p).en)
            tree.add(
                "fact", to: facts, ["name": "urn:tenken:fact:provider-profile-stale", "type": "boolean"],
                text: p.stale ? "true" : "false")
        }
        for p in res.params where p.origin != .default {
            tree.add(
                "fact", to: facts, ["name": "urn:tenken:fact:parameter:\(p.name)", "type": "string"],
                text: Labels.override(p))
        }
        for d in res.inputWarnings {
            tree.add(
                "fact", to: facts, ["name": "urn:tenken:fact:input-warning:\(d.id)", "type": "string"],
                text: d.description)
        }
        var passed = 0, scored = 0
        // Whether a waiver overrode a result here: then every rule-result records the review.
        let reviewed = r.items.contains {
            $0.result.waiver != nil || $0.result.expiredWaiver != nil
                || $0.result.violations.contains { $0.waiver != nil }
        }
        for (rule, result) in r.items {
            let rr = tree.add(
                "rule-result", to: test, ["idref": id("rule", rule.id), "severity": severity(rule.level), "time": time])
            let now = outcome(result.state)
            tree.add("result", to: rr, text: now)
            if reviewed {
                let o = tree.add("override", to: rr, ["time": time, "authority": "waiver"])
                tree.add("old-result", to: o, text: result.waiver != nil ? "fail" : now)
                tree.add("new-result", to: o, text: now)
                // A waiver naming elements that covers only some findings: the reason says which.
                let partly = result.violations.contains { $0.waiver != nil }
                let remark =
                    result.waiver != nil || result.expiredWaiver != nil || partly
                    ? result.reason.map(r.lang.pick) ?? "waived"
                    : r.lang.pick(ja: "免除の対象ではありません（結果はそのまま）", en: "no waiver applies; the result stands")
                tree.add("remark", to: o, text: remark)
            }
            for c in rule.implements { tree.add("ident", to: rr, ["system": identSystem], text: c) }
            for v in (result.violations + result.undetermined).prefix(20) {
                tree.add(
                    "message", to: rr, ["severity": rule.level == .required ? "error" : "warning"],
                    text: r.lang.pick(v.message) + (v.location.map { " @ \($0)" } ?? ""))
            }
            let shownViolations = min(result.violations.count, 20)
            for more in [
                Labels.more(result, shown: shownViolations),
                Labels.moreUndetermined(result, shown: min(result.undetermined.count, 20 - shownViolations)),
            ].compactMap({ $0 }) {
                tree.add("message", to: rr, ["severity": "info"], text: r.lang.pick(more))
            }
            if let reason = result.reason, result.state != .waived {
                tree.add("message", to: rr, ["severity": "info"], text: r.lang.pick(reason))
            }
            if result.state == .attested, let a = result.attestation {
                tree.add("message", to: rr, ["severity": "info"], text: Labels.attested(a))
            }
            // OpenSCAP's flat model: what is not notapplicable or notchecked counts; pass scores.
            switch now {
            case "pass": passed += 1; scored += 1
            case "fail", "error", "unknown": scored += 1
            default: break
            }
        }
        tree.add(
            "score", to: test, ["system": "urn:xccdf:scoring:flat", "maximum": String(scored)], text: String(passed))
        return tree
    }
}
