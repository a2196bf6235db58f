import Foundation
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenSyntax

/// SARIF 2.1.0 (OASIS, errata 01) for code-scanning tools, written to be accepted by GitHub
/// code scanning as it documents its SARIF support and limits:
///
/// - every rule in `tool.driver.rules`, with `properties.security-severity` (see
///   `securitySeverity`) and the tag `security`, so code scanning files the alerts as security
///   alerts with a severity;
/// - a result per finding (a violation, or an element the rule could not decide), located in
///   the input file with a region (line and column, in Unicode code points, of the offending
///   JSON value or CSV cell); a result per rule that could not be evaluated (`error`) or waits
///   for a person (`manual`, kind `review`);
/// - a waived failure stays, with an accepted external `suppression` carrying the waiver's
///   justification, requester, approver and dates, so code scanning keeps the alert (as
///   suppressed) instead of closing it as fixed;
/// - `partialFingerprints` on every result, stable across runs and line moves;
/// - artifact URIs relative to a base folder (`uriBaseId` `SRCROOT`, given in
///   `originalUriBaseIds`): code scanning resolves relative URIs against the repository root,
///   so the base is the folder tenken runs in (or `--sarif-base`). A file outside the base
///   keeps an absolute `file:` URI;
/// - at most 25,000 results per run (GitHub's hard limit): past it, each rule lists an equal
///   share and a notification says how many were left out.
///
/// Each run is one facility, with the category `tenken/<pack>/<facility>/` in
/// `automationDetails.id`, so runs of many facilities can share an upload (see `SARIFBundle`).
public enum SARIFReport {
    /// The official schema's id.
    public static let schemaURI =
        "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
    /// GitHub code scanning rejects a run with more results than this.
    public static let maxResultsPerRun = 25_000
    /// GitHub code scanning rejects a file with more runs than this.
    public static let maxRunsPerFile = 20
    /// The `uriBaseId` of every artifact under the base folder.
    public static let baseID = "SRCROOT"

    static func level(_ l: Level) -> String {
        switch l {
        case .required: "error"
        case .recommended: "warning"
        case .optional, .provider: "note"
        }
    }

    /// GitHub's security severity (a number from 0.0 to 10.0, as a string) by rule level:
    /// required 8.0 (high), recommended 5.0 (medium), provider 4.0 (medium: the service's own
    /// measure exposes every facility, though only the provider can change it), optional 2.0
    /// (low). Code scanning reads ≥ 9.0 as critical, 7.0–8.9 high, 4.0–6.9 medium, 0.1–3.9 low.
    public static func securitySeverity(_ l: Level) -> String {
        switch l {
        case .required: "8.0"
        case .recommended: "5.0"
        case .provider: "4.0"
        case .optional: "2.0"
        }
    }

    static func text(_ s: String) -> JSON { .object([("text", .string(s))]) }

    public static func render(_ r: ReportInput) -> String {
        let s = StringSink()
        try? write(r, to: s)  // memory never fails
        return s.text
    }

    /// Writes the log as it is made: results one at a time, so an uncapped report of a huge
    /// inventory is never built whole.
    public static func write(_ r: ReportInput, to sink: ReportSink) throws(WriteError) {
        try log(count: 1) { _ in run(r) }.write(to: sink.write)
        try sink.write("\n")
    }

    /// A SARIF log of `count` runs, the i-th made by `run(i)` when it is written.
    public static func log(count: Int, run: @escaping (Int) -> JSONPart) -> JSONPart {
        .object([
            ("$schema", .value(.string(schemaURI))),
            ("version", .value(.string("2.1.0"))),
            ("runs", .array(count: count, element: run)),
        ])
    }

    /// The run of one facility.
    public static func run(_ r: ReportInput) -> JSONPart {
        let res = r.result
        let base = r.sarifBase ?? SARIFBase(FileManager.default.currentDirectoryPath)
        let fallback = SourceLocation(file: res.sources.first ?? res.facilityID)
        // The findings each rule reports, capped so the run stays within the results limit.
        var found: [[Slot]] = []
        for (_, result) in r.items {
            switch result.state {
            case .fail, .unknown, .waived:
                // An undecided element is a problem to look at too: a value the verdict needs is blank.
                let listed =
                    result.violations.indices.map { Slot.violation($0) }
                    + result.undetermined.indices.map { Slot.undetermined($0) }
                found.append(listed.isEmpty ? [.rule] : listed)
            case .error, .manual:
                found.append([.rule])
            default:
                found.append([])
            }
        }
        let share = fairShare(found.map(\.count), limit: maxResultsPerRun)
        // The artifacts come before the results in the log, so their list is made first, in
        // the order the results name them.
        var artifacts: [String] = res.sources
        var artifactIndexes: [String: Int] = [:]
        for (i, a) in artifacts.enumerated() where artifactIndexes[a] == nil { artifactIndexes[a] = i }
        func note(_ file: String) {
            if artifactIndexes[file] == nil { artifactIndexes[file] = artifacts.count; artifacts.append(file) }
        }
        var slots: [(Int, Slot)] = []
        for (k, list) in found.enumerated() {
            let result = r.items[k].result
            for slot in list.prefix(share) {
                if let v = slot.finding(in: result) {
                    note((v.location ?? v.evidence.first?.location ?? fallback).file)
                    for e in v.evidence { if let l = e.location { note(l.file) } }
                } else {
                    note(fallback.file)
                }
                slots.append((k, slot))
            }
        }
        func artifactLocation(_ file: String, index: Int?) -> JSON {
            var kv: [(String, JSON)]
            if let rel = base.relative(file) {
                kv = [("uri", .string(uri(rel))), ("uriBaseId", .string(baseID))]
            } else {
                kv = [("uri", .string(uri(base.absolute(file))))]
            }
            if let index { kv.append(("index", .int(index))) }
            return .object(kv)
        }
        func physical(_ l: SourceLocation) -> JSON {
            var kv: [(String, JSON)] = [
                ("artifactLocation", artifactLocation(l.file, index: artifactIndexes[l.file] ?? 0))
            ]
            // A workbook is a binary file: lines and columns of text mean nothing in it, so its
            // place is the logical location (the sheet and cell) alone.
            if l.line > 0, l.sheet == nil {
                var region: [(String, JSON)] = [("startLine", .int(l.line))]
                if l.column > 0 { region.append(("startColumn", .int(l.column))) }
                kv.append(("region", .object(region)))
            }
            return .object(kv)
        }
        func location(_ l: SourceLocation, _ message: String? = nil) -> JSON {
            var kv: [(String, JSON)] = [("physicalLocation", physical(l))]
            var logical: [JSON] = []
            if let sheet = l.sheet {
                // `職員!F5`, as Excel's formulas name a cell; the header, if known, as a member of it.
                let cell =
                    l.line > 0
                    ? (l.column > 0 ? SourceLocation.columnLetters(l.column) + String(l.line) : "\(l.line):\(l.line)")
                    : nil
                let name = cell.map { "\(sheet)!\($0)" } ?? sheet
                logical.append(
                    .object([
                        ("name", .string(cell ?? sheet)), ("fullyQualifiedName", .string(name)),
                        ("kind", .string(cell == nil ? "module" : "element")),
                    ]))
                if let p = l.path, !p.isEmpty {
                    logical.append(
                        .object([
                            ("name", .string(p)), ("fullyQualifiedName", .string("\(name)[\(p)]")),
                            ("kind", .string("member")),
                        ]))
                }
            } else if let p = l.path {
                logical.append(
                    .object([
                        ("fullyQualifiedName", .string(p)), ("kind", .string(p.hasPrefix("/") ? "object" : "member")),
                    ]))
            }
            if !logical.isEmpty { kv.append(("logicalLocations", .array(logical))) }
            if let message { kv.append(("message", text(message))) }
            return .object(kv)
        }
        let rules: [JSON] = r.pack.rules.map { rule in
            let src = r.sources(rule)
            let help = rule.remediation.en + "\n" + rule.remediation.ja
            // Every word from the pack is escaped: GitHub renders this as Markdown.
            let e = MarkdownText.escaped
            let md =
                "**\(e(r.pack.info.sourceWord.en)) / \(e(r.pack.info.sourceWord.ja))**: "
                + src.map { "\(e($0.id)) (\(e($0.section))): \(e($0.ja)) — \(e($0.en))" }.joined(separator: "; ")
                + "\n\n**Fix**: \(e(rule.remediation.en))\n\n**対応**: \(e(rule.remediation.ja))"
            return .object([
                ("id", .string(rule.id)),
                (
                    "name",
                    .string(rule.id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined())
                ),
                ("shortDescription", text(r.lang.pick(rule.title))),
                ("fullDescription", text(src.map { "\($0.id): \($0.ja) / \($0.en)" }.joined(separator: " "))),
                ("help", .object([("text", .string(help)), ("markdown", .string(md))])),
                ("defaultConfiguration", .object([("level", .string(level(rule.level)))])),
                (
                    "properties",
                    .object([
                        ("security-severity", .string(securitySeverity(rule.level))),
                        ("tags", .array(tags(rule).map(JSON.string))),
                        ("level", .string(rule.level.rawValue)),
                        ("category", rule.category.map { .string($0.rawValue) } ?? .null),
                        ("scope", rule.scope.map { .string($0.rawValue) } ?? .null),
                        ("catalog", .array(rule.implements.map(JSON.string))),
                        ("risks", .array(rule.risks.map(JSON.string))), ("section", .string(rule.section)),
                        ("title", .object([("ja", .string(rule.title.ja)), ("en", .string(rule.title.en))])),
                    ])
                ),
            ])
        }
        let items = r.items
        func fingerprint(_ s: String) -> JSON { .object([("tenken/v1", .string(stableHash(s)))]) }
        func result(_ slot: (Int, Slot)) -> JSON {
            let (rule, result) = items[slot.0]
            var kv: [(String, JSON)] = [("ruleId", .string(rule.id)), ("ruleIndex", .int(slot.0))]
            let severity: (String, JSON) = ("security-severity", .string(securitySeverity(rule.level)))
            guard let v = slot.1.finding(in: result) else {
                // The rule as a whole: it could not be evaluated, or it waits for a person. A
                // result whose kind is not `fail` has the level `none` (SARIF 3.27.10).
                switch result.state {
                case .manual: kv += [("kind", .string("review")), ("level", .string("none"))]
                case .fail, .waived: kv.append(("level", .string(level(rule.level))))
                // Undecided weighs as a failure of the rule would: a required item that could
                // not be decided blocks a code-scanning gate as its failure would (exit 2).
                case .unknown: kv.append(("level", .string(level(rule.level))))
                default: kv.append(("level", .string("error")))
                }
                kv.append(("message", text(result.reason.map(r.lang.pick) ?? result.state.rawValue)))
                kv.append(("locations", .array([location(fallback)])))
                kv.append(("partialFingerprints", fingerprint("\(res.facilityID)|\(rule.id)|\(result.state.rawValue)")))
                if result.state == .waived, let w = result.waiver { kv.append(("suppressions", suppressions(w))) }
                kv.append(("properties", .object([severity, ("state", .string(result.state.rawValue))])))
                return .object(kv)
            }
            let isViolation = slot.1.isViolation
            // A waiver naming elements covers some findings of a rule that still fails.
            let waiver = isViolation ? result.waiver ?? v.waiver : nil
            let state = isViolation ? (waiver != nil ? "waived" : "fail") : "unknown"
            kv.append(("level", .string(level(rule.level))))
            kv.append(("message", text(r.lang.pick(v.message))))
            let loc = v.location ?? v.evidence.first?.location ?? fallback
            kv.append(("locations", .array([location(loc)])))
            if !v.evidence.isEmpty {
                kv.append(
                    (
                        "relatedLocations",
                        .array(
                            v.evidence.enumerated().compactMap { i, e in
                                e.location.map { l in
                                    if case .object(var o) = location(l, "\(e.label) = \(e.value)") {
                                        o.insert(("id", .int(i + 1)), at: 0); return .object(o)
                                    }
                                    return location(l)
                                }
                            })
                    ))
            }
            // The same finding keeps its fingerprint when it is waived: code scanning then
            // marks the alert suppressed rather than closing it as fixed.
            kv.append(
                (
                    "partialFingerprints",
                    fingerprint(
                        "\(res.facilityID)|\(rule.id)|\(isViolation ? "" : "unknown|")\(v.element ?? v.message.en)")
                ))
            if let waiver { kv.append(("suppressions", suppressions(waiver))) }
            // A waiver past its last day no longer suppresses the finding; the result says which
            // waiver it was and the last day it was valid, so a reopened alert is explained.
            let lapsed: [(String, JSON)] =
                isViolation && waiver == nil
                ? result.expiredWaiver.map { w in
                    [
                        ("waiver_valid_until", .string(w.expiresOn.description)),
                        ("waiver_note", .string(result.reason.map(r.lang.pick) ?? "")),
                    ]
                } ?? [] : []
            kv.append(
                (
                    "properties",
                    .object(
                        [
                            severity, ("state", .string(state)), ("element", .str(v.element)),
                            ("message_ja", .string(v.message.ja)), ("message_en", .string(v.message.en)),
                        ] + lapsed)
                ))
            return .object(kv)
        }
        // Findings past the per-rule cap are counted, not listed: said once per rule.
        var notifications: [JSON] =
            res.providerProfile?.warning.map {
                [.object([("level", .string("warning")), ("message", text(r.lang.pick($0)))])]
            } ?? []
        // What the input warned about (a field or table not read, an inventory chosen over
        // the snapshot's devices): tool execution notifications at their place.
        for d in res.inputWarnings {
            var kv: [(String, JSON)] = [
                ("level", .string(d.severity == .note ? "note" : "warning")), ("message", text(d.message)),
                ("descriptor", .object([("id", .string(d.id))])),
            ]
            if let l = d.location {
                note(l.file)
                kv.append(("locations", .array([location(l)])))
            }
            notifications.append(.object(kv))
        }
        for (k, (rule, result)) in r.items.enumerated() {
            func notify(_ message: String) {
                notifications.append(
                    .object([
                        ("level", .string("warning")), ("message", text("\(rule.id): " + message)),
                        ("associatedRule", .object([("id", .string(rule.id)), ("index", .int(k))])),
                    ]))
            }
            func notify(_ what: String, total: Int, listed: Int, _ more: Bilingual?) {
                guard total > listed, let more else { return }
                notify("\(total) \(what), \(listed) listed. " + r.lang.pick(more))
            }
            notify(
                "violations", total: result.violationCount, listed: result.violations.count,
                Labels.more(result, shown: result.violations.count))
            notify(
                "undetermined findings", total: result.undeterminedCount, listed: result.undetermined.count,
                Labels.moreUndetermined(result, shown: result.undetermined.count))
            if found[k].count > share {
                notify(
                    "\(found[k].count) findings, \(share) in this log: code scanning accepts at most "
                        + "\(maxResultsPerRun) results in a run, "
                        + "so each rule lists at most \(share) here; the JSON report lists them all")
            }
        }
        // A run with a rule in `error` or `unknown` did not finish its analysis (its exit code is
        // 2): `executionSuccessful` is false, and an error notification names the rules.
        let undecided = r.items.filter { $0.1.state == .error || $0.1.state == .unknown }.map(\.0.id)
        if !undecided.isEmpty {
            notifications.append(
                .object([
                    ("level", .string("error")),
                    (
                        "message",
                        text(
                            "\(undecided.count) rule\(undecided.count == 1 ? "" : "s") could not be decided (error "
                                + "or unknown): "
                                + undecided.joined(separator: ", ") + "; the run is not complete and its exit code is 2"
                        )
                    ),
                    ("descriptor", .object([("id", .string("run.undecided"))])),
                ]))
        }
        var runProperties: [(String, JSON)] = [
            ("facility", .string(res.facilityID)), ("parameters", JSONReport.parameters(res.params)),
            (
                "out_of_scope",
                .array(res.pack.outOfScope.map { .object([("id", .string($0.id)), ("reason", .string($0.reason))]) })
            ),
        ]
        if let name = res.facilityName { runProperties.insert(("facility_name", .string(name)), at: 1) }
        return .object([
            (
                "tool",
                .value(
                    .object([
                        (
                            "driver",
                            .object([
                                ("name", .string("tenken")), ("version", .string(r.toolVersion)),
                                ("semanticVersion", .string(r.toolVersion)),
                                ("informationUri", .string("https://tenken.invalid/")),
                                ("rules", .array(rules)),
                            ])
                        )
                    ]))
            ),
            (
                "automationDetails",
                .value(.object([("id", .string(automationID(pack: res.pack.id, facility: res.facilityID)))]))
            ),
            (
                "originalUriBaseIds",
                .value(
                    .object([
                        (
                            baseID,
                            .object([
                                ("uri", .string(base.uri)),
                                (
                                    "description",
                                    text(
                                        "The folder relative artifact URIs start from: the working directory, or "
                                            + "--sarif-base."
                                    )
                                ),
                            ])
                        )
                    ]))
            ),
            ("columnKind", .value(.string("unicodeCodePoints"))),
            (
                "invocations",
                .value(
                    .array([
                        .object(
                            [("executionSuccessful", .bool(undecided.isEmpty))]
                                + (notifications.isEmpty ? [] : [("toolExecutionNotifications", .array(notifications))])
                                + [
                                    (
                                        "properties",
                                        .object([
                                            ("as_of", .string(res.asOf.description)),
                                            ("pack_version", .string(res.pack.version)),
                                            ("provider_profile", JSONReport.providerProfile(res.providerProfile)),
                                        ])
                                    )
                                ])
                    ]))
            ),
            ("artifacts", .value(.array(artifacts.map { .object([("location", artifactLocation($0, index: nil))]) }))),
            ("results", .array(count: slots.count) { .value(result(slots[$0])) }),
            ("properties", .value(.object(runProperties))),
        ])
    }

    /// A waiver as SARIF states it: an accepted suppression decided outside the input
    /// (`external`), with the waiver's justification; who asked, who approved and the days it
    /// runs are in its properties.
    static func suppressions(_ w: WaiverInfo) -> JSON {
        .array([
            .object([
                ("kind", .string("external")), ("status", .string("accepted")),
                ("justification", .string(w.justification)),
                (
                    "properties",
                    .object([
                        ("requested_by", .string(w.requestedBy)), ("approved_by", .string(w.approvedBy)),
                        ("granted_on", .string(w.grantedOn.description)),
                        ("expires_on", .string(w.expiresOn.description)),
                    ])
                ),
            ])
        ])
    }

    /// The run's category: code scanning tracks the alerts of each category apart, so each
    /// facility keeps its own alerts however the runs are grouped into uploads.
    public static func automationID(pack: String, facility: String) -> String { "tenken/\(pack)/\(facility)/" }

    /// Tags of a rule, each once: `security` (code scanning's security alerts need it), the
    /// category, the level and the catalog items.
    static func tags(_ rule: CheckedRule) -> [String] {
        var seen = Set<String>()
        return (["security", rule.category?.rawValue, rule.level.rawValue].compactMap { $0 } + rule.implements).filter {
            seen.insert($0).inserted
        }
    }

    /// The largest per-rule count `k` such that listing `min(count, k)` findings of each rule
    /// stays within `limit` (every count when they fit).
    static func fairShare(_ counts: [Int], limit: Int) -> Int {
        let all = counts.max() ?? 0
        func total(_ k: Int) -> Int { counts.reduce(0) { $0 + min($1, k) } }
        if total(all) <= limit { return all }
        var lo = 0, hi = all
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if total(mid) <= limit { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }

    /// One result of a rule: a violation, an element it could not decide, or the rule as a whole.
    enum Slot {
        case violation(Int)
        case undetermined(Int)
        case rule

        var isViolation: Bool { if case .violation = self { true } else { false } }

        func finding(in r: RuleResult) -> Violation? {
            switch self {
            case .violation(let j): r.violations[j]
            case .undetermined(let j): r.undetermined[j]
            case .rule: nil
            }
        }
    }

    /// A URI reference for a path (RFC 3986): unreserved characters and `/` stay, everything
    /// else is percent-encoded as UTF-8, so `職員.csv` is a valid URI too. An absolute path
    /// becomes a `file:` URI; a relative one stays relative.
    public static func uri(_ path: String) -> String {
        var out = path.hasPrefix("/") ? "file://" : ""
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"),
                UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: "~"), UInt8(ascii: "/"):
                out.unicodeScalars.append(Unicode.Scalar(b))
            default:
                let h = String(b, radix: 16, uppercase: true)
                out += "%" + (h.count == 1 ? "0" : "") + h
            }
        }
        return out
    }
}

/// The folder SARIF artifact URIs are relative to (`--sarif-base`, by default the working
/// directory). Paths are compared as written (`.` and `..` worked out), then with symbolic
/// links resolved, so `/work/x/../y/a.json` and a link to the base both count as inside.
public struct SARIFBase: Sendable, Equatable {
    /// Absolute, without `.`, `..` or a trailing `/` (except for `/` itself).
    public let path: String
    let cwd: String

    /// `dir` relative to `cwd` unless it is absolute.
    public init(_ dir: String, cwd: String = FileManager.default.currentDirectoryPath) {
        self.cwd = SARIFBase.normalize(cwd, cwd: "/")
        path = SARIFBase.normalize(dir, cwd: self.cwd)
    }

    /// The base as an absolute `file:` URI ending in `/` (SARIF 3.14.14).
    public var uri: String { SARIFReport.uri(path == "/" ? "/" : path + "/") }

    /// `file` made absolute (against the working directory) and normalised.
    public func absolute(_ file: String) -> String { SARIFBase.normalize(file, cwd: cwd) }

    /// The path of `file` relative to the base, or nil when it is not inside it.
    public func relative(_ file: String) -> String? {
        if let r = SARIFBase.inside(absolute(file), path) { return r }
        // The same file reached through a symbolic link (of the base or on the way to the file).
        guard let f = SARIFBase.real(absolute(file)), let b = SARIFBase.real(path) else { return nil }
        return SARIFBase.inside(f, b)
    }

    static func inside(_ file: String, _ base: String) -> String? {
        if base == "/" { return file == "/" ? nil : String(file.dropFirst()) }
        guard file.hasPrefix(base + "/") else { return nil }
        let rest = String(file.dropFirst(base.count + 1))
        return rest.isEmpty ? nil : rest
    }

    static func real(_ p: String) -> String? {
        guard let r = realpath(p, nil) else { return nil }
        defer { free(r) }
        return String(cString: r)
    }

    /// Absolute, with `.` and `..` taken out and repeated `/` folded; `..` above `/` stays at `/`.
    public static func normalize(_ p: String, cwd: String) -> String {
        let full = p.hasPrefix("/") ? p : cwd + "/" + p
        var parts: [Substring] = []
        for c in full.split(separator: "/", omittingEmptySubsequences: true) {
            if c == "." { continue }
            if c == ".." { if !parts.isEmpty { parts.removeLast() }; continue }
            parts.append(c)
        }
        return "/" + parts.joined(separator: "/")
    }
}
