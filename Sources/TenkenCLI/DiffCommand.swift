import TenkenAudit
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

/// Compares two audits: two JSON reports of one facility, or two aggregates.
public enum AuditDiff {
    /// `waived`: a failure a waiver now covers. It is an accepted exception, not a fix, and
    /// is never counted as one.
    public enum Change: String, Sendable, CaseIterable { case fixed, waived, new, changed, unchanged }

    public struct RuleChange: Sendable {
        public var rule: String
        public var old: String
        public var new: String
        public var change: Change
        /// For rules failing in both: elements that started or stopped failing.
        public var newElements: [String]
        public var fixedElements: [String]
        /// A report listed only some violations (the findings cap): the element lists may
        /// name elements that were merely not listed.
        public var partial = false
    }

    /// A failure is fixed only by a decided state (pass, attested, not applicable); one now
    /// waived is `waived` (the failure stands, an exception was granted for it): a
    /// failure that became `unknown` or `error` lost its evidence, it was not fixed; and a
    /// facility or rule that vanished is not fixed either.
    static func classify(_ old: String, _ new: String) -> Change {
        if old == new { return .unchanged }
        let decidedOK: Set<String> = ["pass", "attested", "not-applicable"]
        if old == "fail" && new == "waived" { return .waived }
        if old == "fail" && decidedOK.contains(new) { return .fixed }
        if new == "fail" || new == "unknown" || new == "error" { return old == "fail" ? .changed : .new }
        return .changed
    }

    /// Per rule of one facility.
    public static func reports(_ a: JSONValue, _ b: JSONValue) -> [RuleChange] {
        func states(_ v: JSONValue) -> [String: (String, Set<String>)] {
            var out: [String: (String, Set<String>)] = [:]
            for r in v["results"]?.array ?? [] {
                guard let id = r["rule"]?.string, let st = r["state"]?.string else { continue }
                out[id] = (st, Set((r["violations"]?.array ?? []).map { $0["element"]?.string ?? "*" }))
            }
            return out
        }
        func capped(_ v: JSONValue) -> Set<String> {
            Set(
                (v["results"]?.array ?? []).filter { ($0["unlisted_violations"]?.int ?? 0) > 0 }.compactMap {
                    $0["rule"]?.string
                })
        }
        let partial = capped(a).union(capped(b))
        let sa = states(a), sb = states(b)
        return Set(sa.keys).union(sb.keys).sorted().map { id in
            let o = sa[id] ?? ("absent", []), n = sb[id] ?? ("absent", [])
            var c = RuleChange(
                rule: id, old: o.0, new: n.0, change: classify(o.0, n.0), newElements: [], fixedElements: [])
            if o.0 == "fail" && n.0 == "fail" {
                c.newElements = n.1.subtracting(o.1).sorted()
                c.fixedElements = o.1.subtracting(n.1).sorted()
                c.partial = partial.contains(id)
                if !c.newElements.isEmpty || !c.fixedElements.isEmpty { c.change = .changed }
            }
            return c
        }
    }

    public struct FacilityChange: Sendable {
        public var facility: String
        public var oldRequiredFails: Int?
        public var newRequiredFails: Int?
        public var rules: [RuleChange]
    }

    /// Per facility (and per rule within it) between two aggregates.
    public static func aggregates(_ a: Aggregate, _ b: Aggregate) -> [FacilityChange] {
        let ra = a.rules.map(\.id), rb = b.rules.map(\.id)
        func index(_ x: Aggregate) -> [String: FacilitySummary] {
            Dictionary(x.facilities.map { ($0.id, $0) }, uniquingKeysWith: { f, _ in f })
        }
        let fa = index(a), fb = index(b)
        return Set(fa.keys).union(fb.keys).sorted().map { id in
            let o = fa[id], n = fb[id]
            func st(_ f: FacilitySummary?, _ rules: [String]) -> [String: String] {
                guard let f else { return [:] }
                if f.status == .error { return Dictionary(uniqueKeysWithValues: rules.map { ($0, "error") }) }
                return Dictionary(
                    uniqueKeysWithValues: zip(rules, f.states.map { FacilitySummary.state($0)?.rawValue ?? "?" }).map {
                        ($0, $1)
                    })
            }
            let so = st(o, ra), sn = st(n, rb)
            let rules = Set(so.keys).union(sn.keys).sorted().map { r in
                let x = so[r] ?? "absent", y = sn[r] ?? "absent"
                return RuleChange(rule: r, old: x, new: y, change: classify(x, y), newElements: [], fixedElements: [])
            }
            return FacilityChange(
                facility: id, oldRequiredFails: o.flatMap { $0.status == .evaluated ? a.requiredGaps($0) : nil },
                newRequiredFails: n.flatMap { $0.status == .evaluated ? b.requiredGaps($0) : nil }, rules: rules)
        }
    }

    public static func json(_ changes: [RuleChange]) -> JSON {
        .object([
            (
                "counts",
                .object(Change.allCases.map { c in (c.rawValue, .int(changes.filter { $0.change == c }.count)) })
            ),
            (
                "rules",
                .array(
                    changes.map { c in
                        .object([
                            ("rule", .string(c.rule)), ("change", .string(c.change.rawValue)), ("old", .string(c.old)),
                            ("new", .string(c.new)),
                            ("new_elements", .array(c.newElements.map(JSON.string))),
                            ("fixed_elements", .array(c.fixedElements.map(JSON.string))),
                            ("elements_partial", .bool(c.partial)),
                        ])
                    })
            ),
        ])
    }
}

enum DiffCommand {
    static let spec = CommandSpec(
        name: "diff",
        summary:
            "Compare two audits (two JSON reports of one facility, or two aggregates): fixed, waived, new, changed, "
            + "unchanged.",
        usage: "tenken diff OLD.json NEW.json [--format text|json] [--lang ja|en]",
        options: [
            OptionSpec("--format", value: "FORMAT", choices: ["text", "json"], help: "text or json (default text)"),
            OptionSpec("--lang", value: "LANG", choices: ["ja", "en"], help: "ja or en for the text (default en)"),
        ], minPositionals: 2, maxPositionals: 2)

    /// A kind of change in words.
    static func word(_ c: AuditDiff.Change, ja: Bool) -> String {
        guard ja else { return c.rawValue }
        switch c {
        case .fixed: return "解消"
        case .waived: return "免除"
        case .new: return "新規"
        case .changed: return "変化"
        case .unchanged: return "変化なし"
        }
    }

    /// A state as the report's words give it (`不合格`); a rule or facility not in one of the
    /// two audits is `absent`.
    static func state(_ s: String, ja: Bool) -> String {
        if let st = RuleState(rawValue: s) { return ja ? Labels.state(st).ja : Labels.state(st).en }
        if s == "absent" { return ja ? "なし" : "absent" }
        return s
    }

    static func load(_ path: String) -> Result<JSONValue, Diagnostic> {
        let bytes: [UInt8]
        do { bytes = try readInput(path, maxBytes: 1 << 30).get() } catch { return .failure(error) }
        let (node, diags, _) = JSONReader.parse(bytes, file: path, limits: JSONLimits(maxDepth: 64, maxBytes: 1 << 30))
        guard let v = node?.value else {
            return .failure(
                diags.first
                    ?? Diagnostic("data.json-syntax", .error, "not a JSON document", at: SourceLocation(file: path)))
        }
        if let d = Baseline.tooMany(v, path, LoadOptions().maxCollection) { return .failure(d) }
        return .success(v)
    }

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        let format: String, ja: Bool
        do {
            format = try ArgumentParser.choice(p, "--format", ["text", "json"], default: "text").get()
            ja = try ArgumentParser.choice(p, "--lang", ["ja", "en"], default: "en").get() == "ja"
        } catch {
            CLI.usage(error, console)
            return ExitCode.usage
        }
        func t(_ j: String, _ e: String) -> String { ja ? j : e }
        let printer = DiagnosticPrinter()
        var docs: [JSONValue] = []
        for path in p.positionals {
            switch load(path) {
            case .success(let v): docs.append(v)
            case .failure(let d): console.err(printer.render(d)); return ExitCode.inputError
            }
        }
        let kinds = docs.map {
            $0["tenken_report_version"] != nil
                ? "report" : $0["tenken_aggregate_version"] != nil ? "aggregate" : "unknown"
        }
        guard kinds[0] == kinds[1], kinds[0] != "unknown" else {
            console.err(
                "error[diff.mismatch]: compare two JSON reports or two aggregates (got \(kinds[0]) and \(kinds[1]))\n")
            return ExitCode.inputError
        }
        if kinds[0] == "report" {
            let fa = docs[0]["facility"]?["id"]?.string ?? "", fb = docs[1]["facility"]?["id"]?.string ?? ""
            if fa != fb {
                console.err(
                    "warning: the reports are of different facilities (\(SafeText.terminal(fa)) and "
                        + "\(SafeText.terminal(fb)))\n"
                )
            }
            let changes = AuditDiff.reports(docs[0], docs[1])
            if format == "json" {
                console.out(
                    JSON.object([
                        ("facility", .string(fb)), ("old_as_of", .str(docs[0]["as_of"]?.string)),
                        ("new_as_of", .str(docs[1]["as_of"]?.string)),
                        ("diff", AuditDiff.json(changes)),
                    ]).render() + "\n")
            } else {
                let e = SafeText.terminal
                console.out("\(e(fb)): \(e(docs[0]["as_of"]?.string ?? "?")) → \(e(docs[1]["as_of"]?.string ?? "?"))\n")
                for c in AuditDiff.Change.allCases {
                    console.out("  \(word(c, ja: ja)): \(changes.filter { $0.change == c }.count)\n")
                }
                for c in changes where c.change != .unchanged {
                    let w = word(c.change, ja: ja)
                    var line =
                        "  " + w + String(repeating: " ", count: max(1, 10 - TextReport.displayWidth(w)))
                        + "\(e(c.rule)): \(e(state(c.old, ja: ja))) → \(e(state(c.new, ja: ja)))"
                    if !c.newElements.isEmpty {
                        line += t("; 新たに不合格: ", "; newly failing: ") + e(c.newElements.joined(separator: ", "))
                    }
                    if !c.fixedElements.isEmpty {
                        line += t("; 解消: ", "; fixed: ") + e(c.fixedElements.joined(separator: ", "))
                    }
                    if c.partial {
                        line += t(
                            "（報告書にはこの規則の違反の一部しか載っていません: --all-findings で作った報告書どうしを比べてください）",
                            " (a report lists only some violations of this rule: compare reports made with "
                                + "--all-findings)"
                        )
                    }
                    console.out(line + "\n")
                }
            }
            return ExitCode.ok
        }
        var aggs: [Aggregate] = []
        for path in p.positionals {
            switch AggregateReader.load(path) {
            case .success(let a): aggs.append(a)
            case .failure(let d): console.err(printer.render(d)); return ExitCode.inputError
            }
        }
        let changes = AuditDiff.aggregates(aggs[0], aggs[1])
        let all = changes.flatMap(\.rules)
        if format == "json" {
            console.out(
                JSON.object([
                    ("old_as_of", .string(aggs[0].asOf)), ("new_as_of", .string(aggs[1].asOf)),
                    (
                        "counts",
                        .object(
                            AuditDiff.Change.allCases.map { c in (c.rawValue, .int(all.filter { $0.change == c }.count))
                            })
                    ),
                    (
                        "facilities",
                        .array(
                            changes.map { f in
                                .object([
                                    ("facility", .string(f.facility)),
                                    ("old_required_fails", f.oldRequiredFails.map(JSON.int) ?? .null),
                                    ("new_required_fails", f.newRequiredFails.map(JSON.int) ?? .null),
                                    ("fixed", .array(f.rules.filter { $0.change == .fixed }.map { .string($0.rule) })),
                                    (
                                        "waived",
                                        .array(f.rules.filter { $0.change == .waived }.map { .string($0.rule) })
                                    ),
                                    ("new", .array(f.rules.filter { $0.change == .new }.map { .string($0.rule) })),
                                ])
                            })
                    ),
                ]).render() + "\n")
        } else {
            console.out(
                t(
                    "集計 \(aggs[0].asOf) → \(aggs[1].asOf): 施設 \(aggs[0].facilities.count) → "
                        + "\(aggs[1].facilities.count)\n",
                    "aggregate \(aggs[0].asOf) → \(aggs[1].asOf): \(aggs[0].facilities.count) → "
                        + "\(aggs[1].facilities.count) facilities\n"
                ))
            for c in AuditDiff.Change.allCases {
                let n = all.filter { $0.change == c }.count
                console.out(
                    t("  \(word(c, ja: true)): 施設×規則 \(n) 組\n", "  \(c.rawValue): \(n) facility × rule pairs\n"))
            }
            for f in changes {
                let fixed = f.rules.filter { $0.change == .fixed }.map(\.rule),
                    new = f.rules.filter { $0.change == .new }.map(\.rule)
                let waived = f.rules.filter { $0.change == .waived }.map(\.rule)
                if fixed.isEmpty && new.isEmpty && waived.isEmpty && f.oldRequiredFails == f.newRequiredFails {
                    continue
                }
                let counts =
                    "\(f.oldRequiredFails.map(String.init) ?? "—") → \(f.newRequiredFails.map(String.init) ?? "—")"
                console.out(
                    "  \(SafeText.terminal(f.facility)): " + t("必要事項の不合格 ", "required fails ") + counts
                        + (fixed.isEmpty ? "" : t("; 解消 ", "; fixed ") + fixed.joined(separator: ", "))
                        + (waived.isEmpty ? "" : t("; 免除 ", "; waived ") + waived.joined(separator: ", "))
                        + (new.isEmpty ? "" : t("; 新規 ", "; new ") + new.joined(separator: ", ")) + "\n")
            }
        }
        return ExitCode.ok
    }
}
