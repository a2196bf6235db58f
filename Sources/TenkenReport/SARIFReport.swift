import TenkenData
import TenkenCheck
import TenkenEval
import TenkenSyntax

/// SARIF 2.1.0 for code-scanning tools (GitHub): every rule in `tool.driver.rules`, a result per
/// violation, located in the input file with a region (line and column of the offending JSON
/// value or CSV cell), so the annotation lands on the configuration line.
public enum SARIFReport {
    static func level(_ l: Level) -> String {
        switch l {
        case .required: "error"
        case .recommended: "warning"
        case .optional, .provider: "note"
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
        let res = r.result
        let fallback = SourceLocation(file: res.sources.first ?? res.facilityID)
        // The artifacts come before the results in the log, so their list is made first, in
        // the order the results name them.
        var artifacts: [String] = res.sources
        var artifactIndexes: [String: Int] = [:]
        for (i, a) in artifacts.enumerated() where artifactIndexes[a] == nil { artifactIndexes[a] = i }
        func note(_ file: String) {
            if artifactIndexes[file] == nil { artifactIndexes[file] = artifacts.count; artifacts.append(file) }
        }
        // Each result: the rule's position and one of its findings, or nil for a rule-level result.
        var slots: [(Int, Slot?)] = []
        for (k, (_, result)) in r.items.enumerated() {
            switch result.state {
            case .fail, .unknown:
                // An undecided element is a problem to look at too: a value the verdict needs is blank.
                let found = result.violations.indices.map { Slot.violation($0) } + result.undetermined.indices.map { Slot.undetermined($0) }
                for slot in found {
                    let v = slot.finding(in: result)
                    note((v.location ?? v.evidence.first?.location ?? fallback).file)
                    for e in v.evidence { if let l = e.location { note(l.file) } }
                    slots.append((k, slot))
                }
            case .error, .manual:
                note(fallback.file)
                slots.append((k, nil))
            default:
                continue
            }
        }
        func artifactIndex(_ file: String) -> Int { artifactIndexes[file] ?? 0 }
        func physical(_ l: SourceLocation) -> JSON {
            var kv: [(String, JSON)] = [("artifactLocation", .object([("uri", .string(uri(l.file))), ("index", .int(artifactIndex(l.file)))]))]
            if l.line > 0 {
                var region: [(String, JSON)] = [("startLine", .int(l.line))]
                if l.column > 0 { region.append(("startColumn", .int(l.column))) }
                kv.append(("region", .object(region)))
            }
            return .object(kv)
        }
        func location(_ l: SourceLocation, _ message: String? = nil) -> JSON {
            var kv: [(String, JSON)] = [("physicalLocation", physical(l))]
            if let p = l.path { kv.append(("logicalLocations", .array([.object([("fullyQualifiedName", .string(p)), ("kind", .string(p.hasPrefix("/") ? "object" : "member"))])]))) }
            if let message { kv.append(("message", text(message))) }
            return .object(kv)
        }
        let rules: [JSON] = r.pack.rules.map { rule in
            let src = r.sources(rule)
            let help = rule.remediation.en + "\n" + rule.remediation.ja
            let md = "**Source / 規程**: " + src.map { "\($0.id) (\($0.section)): \($0.ja) — \($0.en)" }.joined(separator: "; ")
                + "\n\n**Fix**: \(rule.remediation.en)\n\n**対応**: \(rule.remediation.ja)"
            return .object([
                ("id", .string(rule.id)),
                ("name", .string(rule.id.split(separator: "-").map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined())),
                ("shortDescription", text(r.lang.pick(rule.title))),
                ("fullDescription", text(src.map { "\($0.id): \($0.ja) / \($0.en)" }.joined(separator: " "))),
                ("help", .object([("text", .string(help)), ("markdown", .string(md))])),
                ("defaultConfiguration", .object([("level", .string(level(rule.level)))])),
                ("properties", .object([
                    ("level", .string(rule.level.rawValue)), ("category", .string(rule.category.rawValue)),
                    ("scope", .string(rule.scope.rawValue)), ("catalog", .array(rule.implements.map(JSON.string))),
                    ("risks", .array(rule.risks.map(JSON.string))), ("section", .string(rule.section)),
                    ("title", .object([("ja", .string(rule.title.ja)), ("en", .string(rule.title.en))])),
                    ("tags", .array(([rule.category.rawValue, rule.level.rawValue] + rule.implements).map(JSON.string))),
                ])),
            ])
        }
        let ruleIndex = Dictionary(uniqueKeysWithValues: r.pack.rules.enumerated().map { ($1.id, $0) })
        let items = r.items
        func result(_ slot: (Int, Slot?)) -> JSON {
            let (rule, result) = items[slot.0]
            var kv: [(String, JSON)] = [("ruleId", .string(rule.id)), ("ruleIndex", .int(ruleIndex[rule.id]!))]
            guard let found = slot.1 else {
                kv.append(("kind", .string(result.state == .error ? "fail" : "review")))
                kv.append(("level", .string(result.state == .error ? "error" : "note")))
                kv.append(("message", text(result.reason.map(r.lang.pick) ?? result.state.rawValue)))
                kv.append(("locations", .array([location(fallback)])))
                kv.append(("properties", .object([("state", .string(result.state.rawValue))])))
                return .object(kv)
            }
            let v = found.finding(in: result)
            let state = found.isViolation ? "fail" : "unknown"
            kv.append(("level", .string(found.isViolation ? level(rule.level) : "warning")))
            kv.append(("message", text(r.lang.pick(v.message))))
            let loc = v.location ?? v.evidence.first?.location ?? fallback
            kv.append(("locations", .array([location(loc)])))
            if !v.evidence.isEmpty {
                kv.append(("relatedLocations", .array(v.evidence.enumerated().compactMap { i, e in
                    e.location.map { l in
                        if case .object(var o) = location(l, "\(e.label) = \(e.value)") { o.insert(("id", .int(i + 1)), at: 0); return .object(o) }
                        return location(l)
                    }
                })))
            }
            kv.append(("partialFingerprints", .object([("tenken/v1", .string(stableHash("\(res.facilityID)|\(rule.id)|\(found.isViolation ? "" : "unknown|")\(v.element ?? v.message.en)")))])))
            kv.append(("properties", .object([("state", .string(state)), ("element", .str(v.element)), ("message_ja", .string(v.message.ja)), ("message_en", .string(v.message.en))])))
            return .object(kv)
        }
        // Findings past the per-rule cap are counted, not listed: said once per rule.
        var notifications: [JSON] = res.providerProfile?.warning.map { [.object([("level", .string("warning")), ("message", text(r.lang.pick($0)))])] } ?? []
        // What the input warned about (a field or table not read, an inventory chosen over
        // the snapshot's devices): tool execution notifications at their place.
        for d in res.inputWarnings {
            var kv: [(String, JSON)] = [("level", .string(d.severity == .note ? "note" : "warning")), ("message", text(d.message)),
                                        ("descriptor", .object([("id", .string(d.id))]))]
            if let l = d.location {
                note(l.file)
                kv.append(("locations", .array([location(l)])))
            }
            notifications.append(.object(kv))
        }
        for (rule, result) in r.items {
            func notify(_ what: String, total: Int, listed: Int, _ more: Bilingual?) {
                guard total > listed, let more else { return }
                notifications.append(.object([("level", .string("warning")), ("message", text("\(rule.id): \(total) \(what), \(listed) listed. " + r.lang.pick(more))),
                                              ("associatedRule", .object([("id", .string(rule.id)), ("index", .int(ruleIndex[rule.id]!))]))]))
            }
            notify("violations", total: result.violationCount, listed: result.violations.count, Labels.more(result, shown: result.violations.count))
            notify("undetermined findings", total: result.undeterminedCount, listed: result.undetermined.count,
                   Labels.moreUndetermined(result, shown: result.undetermined.count))
        }
        let run: JSONPart = .object([
            ("tool", .value(.object([("driver", .object([
                ("name", .string("tenken")), ("version", .string(r.toolVersion)), ("semanticVersion", .string(r.toolVersion)),
                ("informationUri", .string("https://tenken.invalid/")),
                ("rules", .array(rules)),
            ]))]))),
            ("automationDetails", .value(.object([("id", .string("tenken/\(res.pack.id)/\(res.facilityID)/"))]))),
            ("invocations", .value(.array([.object([("executionSuccessful", .bool(true))] + (notifications.isEmpty ? [] : [("toolExecutionNotifications", .array(notifications))])
                + [("properties", .object([("as_of", .string(res.asOf.description)), ("pack_version", .string(res.pack.version)),
                                           ("provider_profile", JSONReport.providerProfile(res.providerProfile))]))])]))),
            ("artifacts", .value(.array(artifacts.map { .object([("location", .object([("uri", .string(uri($0)))]))]) }))),
            ("results", .array(count: slots.count) { .value(result(slots[$0])) }),
            ("properties", .value(.object([("facility", .string(res.facilityID)), ("parameters", JSONReport.parameters(res.params)),
                                           ("out_of_scope", .array(res.pack.outOfScope.map { .object([("id", .string($0.id)), ("reason", .string($0.reason))]) }))]))),
        ])
        let log: JSONPart = .object([
            ("$schema", .value(.string("https://json.schemastore.org/sarif-2.1.0.json"))),
            ("version", .value(.string("2.1.0"))),
            ("runs", .array(count: 1) { _ in run }),
        ])
        try log.write(to: sink.write)
        try sink.write("\n")
    }

    /// One finding of a rule: a violation or an element the rule could not decide.
    enum Slot {
        case violation(Int)
        case undetermined(Int)

        var isViolation: Bool { if case .violation = self { true } else { false } }

        func finding(in r: RuleResult) -> Violation {
            switch self {
            case .violation(let j): r.violations[j]
            case .undetermined(let j): r.undetermined[j]
            }
        }
    }

    /// Relative paths stay relative (code scanning resolves them against the repository);
    /// absolute ones become file URIs. Anything but unreserved characters and `/` is
    /// percent-encoded as UTF-8 (RFC 3986), so `職員.csv` is a valid URI too.
    static func uri(_ path: String) -> String {
        var out = path.hasPrefix("/") ? "file://" : ""
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
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
