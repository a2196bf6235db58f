import TenkenCheck
import TenkenData
import TenkenEval
import TenkenSyntax

/// The machine-readable report (`--format json`), documented in docs/report.schema.json.
public enum JSONReport {
    public static let version = 1

    public static func location(_ l: SourceLocation?) -> JSON {
        guard let l else { return .null }
        var kv: [(String, JSON)] = [("file", .string(l.file))]
        if l.line > 0 { kv.append(("line", .int(l.line))) }
        if l.column > 0 { kv.append(("column", .int(l.column))) }
        if let sheet = l.sheet {
            // A workbook: the sheet's tab and the cell as Excel names it.
            kv.append(("sheet", .string(sheet)))
            if l.line > 0, l.column > 0 {
                kv.append(("cell", .string(SourceLocation.columnLetters(l.column) + String(l.line))))
            }
        }
        if let p = l.path {
            if p.hasPrefix("/") || p.isEmpty {
                kv.append(("pointer", .string(p)))
            } else {
                kv.append(("column_name", .string(p)))
            }
        }
        return .object(kv)
    }

    static func bilingual(_ b: Bilingual?) -> JSON {
        guard let b else { return .null }
        return .object([("ja", .string(b.ja)), ("en", .string(b.en))])
    }

    public static func summary(_ r: FacilityResult, _ pack: CheckedPack) -> JSON {
        .object(
            Level.allCases.map { lv in
                (
                    lv.rawValue,
                    .object(RuleState.allCases.map { st in (st.rawValue, .int(r.count(lv, st, rules: pack.rules))) })
                )
            })
    }

    public static func providerProfile(_ p: ProviderProfile?) -> JSON {
        guard let p else { return .null }
        return .object([
            ("as_of", .str(p.asOf?.description)), ("location", location(p.location)),
            ("max_age", .str(p.maxAge?.description)),
            ("stale", .bool(p.stale)), ("warning", bilingual(p.warning)),
        ])
    }

    public static func parameters(_ settings: [ParamSetting]) -> JSON {
        .array(
            settings.map { p in
                .object([
                    ("name", .string(p.name)), ("value", .string(p.value.display)),
                    ("default", .string(p.defaultValue.display)),
                    ("origin", .string(p.origin.rawValue)), ("loosens_source", .bool(p.loosened)),
                    ("loosens_default", .bool(p.loosensDefault)), ("limit", .str(p.limit)),
                    ("location", location(p.location)),
                ])
            })
    }

    /// Diagnostics as objects: id, severity, message, location, help.
    public static func diagnostics(_ ds: [Diagnostic]) -> JSON {
        .array(
            ds.map { d in
                .object([
                    ("id", .string(d.id)), ("severity", .string(d.severity.rawValue)), ("message", .string(d.message)),
                    ("location", location(d.location)), ("help", .str(d.help)),
                ])
            })
    }

    static func violation(_ v: Violation) -> JSON {
        // `waived` only on a finding a waiver covers (every one of a waived rule; some of a
        // failing rule when the waiver names elements).
        let waived: [(String, JSON)] = v.waiver != nil ? [("waived", .bool(true))] : []
        return .object(
            [
                ("element", .str(v.element)), ("expect", v.expect.map { .int($0) } ?? .null),
                ("message", bilingual(v.message)), ("location", location(v.location)),
                (
                    "evidence",
                    .array(
                        v.evidence.map { e in
                            .object([
                                ("path", .string(e.label)), ("field", bilingual(e.header)), ("value", .string(e.value)),
                                ("value_ja", .string(e.valueJa)), ("location", location(e.location)),
                            ])
                        })
                ),
            ] + waived)
    }

    static func result(_ rule: CheckedRule, _ res: RuleResult, _ catalog: [String: CatalogItem]) -> JSONPart {
        var kv: [(String, JSONPart)] = [
            ("rule", .value(.string(rule.id))),
            ("implements", .value(.array(rule.implements.map(JSON.string)))),
            ("level", .value(.string(rule.level.rawValue))),
            // Null when the pack declares no categories (or no scopes).
            ("category", .value(rule.category.map { .string($0.rawValue) } ?? .null)),
            ("scope", .value(rule.scope.map { .string($0.rawValue) } ?? .null)),
            ("section", .value(.string(rule.section))),
            ("title", .value(bilingual(rule.title))),
            ("state", .value(.string(res.state.rawValue))),
            ("reason", .value(bilingual(res.reason))),
            ("examined", .value(.int(res.examined))),
            ("violation_count", .value(.int(res.violationCount))),
            ("unlisted_violations", .value(.int(res.unlisted))),
            // One finding at a time: an uncapped report of a huge inventory is never built whole.
            ("violations", .array(count: res.violations.count) { .value(violation(res.violations[$0])) }),
            ("undetermined_count", .value(.int(res.undeterminedCount))),
            ("unlisted_undetermined", .value(.int(res.unlistedUndetermined))),
            ("undetermined", .array(count: res.undetermined.count) { .value(violation(res.undetermined[$0])) }),
        ]
        if let a = res.attestation {
            kv.append(
                (
                    "attestation",
                    .value(
                        .object([
                            ("key", .string(a.key)), ("answer", .string(a.answer)), ("by_role", .str(a.byRole)),
                            ("by", .str(a.by)),
                            ("signed_on", .str(a.signedOn?.description)),
                            ("valid_until", .str(a.validUntil?.description)),
                            ("location", location(a.location)),
                        ]))
                ))
        } else {
            kv.append(("attestation", .value(.null)))
        }
        kv.append(("remediation", .value(bilingual(rule.remediation))))
        kv.append(
            (
                "source",
                .value(
                    .array(
                        rule.implements.compactMap { catalog[$0] }.map { c in
                            .object([
                                ("id", .string(c.id)), ("section", .string(c.section)), ("ja", .string(c.ja)),
                                ("en", .string(c.en)),
                            ])
                        }))
            ))
        return .object(kv)
    }

    /// The report as a document written piece by piece.
    public static func document(_ r: FacilityResult, _ pack: CheckedPack) -> JSONPart {
        let catalog = Dictionary(uniqueKeysWithValues: pack.catalog.map { ($0.id, $0) })
        let rules = pack.rules
        return .object([
            ("tenken_report_version", .value(.int(version))),
            ("facility", .value(.object([("id", .string(r.facilityID)), ("name", .str(r.facilityName))]))),
            ("as_of", .value(.string(r.asOf.description))),
            (
                "pack",
                .value(
                    .object([
                        ("id", .string(r.pack.id)), ("version", .string(r.pack.version)),
                        ("title", bilingual(r.pack.title)),
                        ("source", .string(r.pack.source)), ("edition", .string(r.pack.edition)),
                        (
                            "out_of_scope",
                            .array(
                                r.pack.outOfScope.map {
                                    .object([("id", .string($0.id)), ("reason", .string($0.reason))])
                                })
                        ),
                    ]))
            ),
            ("inputs", .value(.array(r.sources.map(JSON.string)))),
            ("parameters", .value(parameters(r.params))),
            ("provider_profile", .value(providerProfile(r.providerProfile))),
            ("input_warnings", .value(diagnostics(r.inputWarnings))),
            ("summary", .value(summary(r, pack))),
            ("results", .array(count: min(rules.count, r.results.count)) { result(rules[$0], r.results[$0], catalog) }),
        ])
    }

    /// Writes the report to a file (or any sink) as it is made.
    public static func write(_ r: FacilityResult, _ pack: CheckedPack, to sink: ReportSink) throws(WriteError) {
        try document(r, pack).write(to: sink.write)
        try sink.write("\n")
    }

    public static func render(_ r: FacilityResult, _ pack: CheckedPack) -> String {
        let s = StringSink()
        try? write(r, pack, to: s)  // memory never fails
        return s.text
    }
}
