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
        if let p = l.path {
            if p.hasPrefix("/") || p.isEmpty { kv.append(("pointer", .string(p))) } else { kv.append(("column_name", .string(p))) }
        }
        return .object(kv)
    }

    static func bilingual(_ b: Bilingual?) -> JSON {
        guard let b else { return .null }
        return .object([("ja", .string(b.ja)), ("en", .string(b.en))])
    }

    public static func summary(_ r: FacilityResult, _ pack: CheckedPack) -> JSON {
        .object(Level.allCases.map { lv in
            (lv.rawValue, .object(RuleState.allCases.map { st in (st.rawValue, .int(r.count(lv, st, rules: pack.rules))) }))
        })
    }

    public static func parameters(_ settings: [ParamSetting]) -> JSON {
        .array(settings.map { p in
            .object([
                ("name", .string(p.name)), ("value", .string(p.value.display)), ("default", .string(p.defaultValue.display)),
                ("origin", .string(p.origin.rawValue)), ("loosens_source", .bool(p.loosened)), ("limit", .str(p.limit)),
                ("location", location(p.location)),
            ])
        })
    }

    public static func document(_ r: FacilityResult, _ pack: CheckedPack) -> JSON {
        let catalog = Dictionary(uniqueKeysWithValues: pack.catalog.map { ($0.id, $0) })
        let results: [JSON] = zip(pack.rules, r.results).map { rule, res in
            var kv: [(String, JSON)] = [
                ("rule", .string(rule.id)),
                ("implements", .array(rule.implements.map(JSON.string))),
                ("level", .string(rule.level.rawValue)),
                ("category", .string(rule.category.rawValue)),
                ("scope", .string(rule.scope.rawValue)),
                ("section", .string(rule.section)),
                ("title", bilingual(rule.title)),
                ("state", .string(res.state.rawValue)),
                ("reason", bilingual(res.reason)),
                ("examined", .int(res.examined)),
                ("violation_count", .int(res.violationCount)),
                ("unlisted_violations", .int(res.unlisted)),
                ("violations", .array(res.violations.map { v in
                    .object([
                        ("element", .str(v.element)), ("message", bilingual(v.message)), ("location", location(v.location)),
                        ("evidence", .array(v.evidence.map { e in
                            .object([("path", .string(e.label)), ("value", .string(e.value)), ("location", location(e.location))])
                        })),
                    ])
                })),
            ]
            if let a = res.attestation {
                kv.append(("attestation", .object([
                    ("key", .string(a.key)), ("answer", .string(a.answer)), ("by_role", .str(a.byRole)), ("by", .str(a.by)),
                    ("signed_on", .str(a.signedOn?.description)), ("valid_until", .str(a.validUntil?.description)),
                    ("location", location(a.location)),
                ])))
            } else {
                kv.append(("attestation", .null))
            }
            kv.append(("remediation", bilingual(rule.remediation)))
            kv.append(("source", .array(rule.implements.compactMap { catalog[$0] }.map { c in
                .object([("id", .string(c.id)), ("section", .string(c.section)), ("ja", .string(c.ja)), ("en", .string(c.en))])
            })))
            return .object(kv)
        }
        return .object([
            ("tenken_report_version", .int(version)),
            ("facility", .object([("id", .string(r.facilityID)), ("name", .str(r.facilityName))])),
            ("as_of", .string(r.asOf.description)),
            ("pack", .object([
                ("id", .string(r.pack.id)), ("version", .string(r.pack.version)), ("title", bilingual(r.pack.title)),
                ("source", .string(r.pack.source)), ("edition", .string(r.pack.edition)),
            ])),
            ("inputs", .array(r.sources.map(JSON.string))),
            ("parameters", parameters(r.params)),
            ("summary", summary(r, pack)),
            ("results", .array(results)),
        ])
    }

    public static func render(_ r: FacilityResult, _ pack: CheckedPack) -> String {
        document(r, pack).render() + "\n"
    }
}
