import TenkenSyntax

/// Contradictions in a loaded facility, found before any rule runs, so that no verdict rests
/// on data that cannot be true. Each is a located data error (the run stops with exit 2):
///
/// - an end before its start (`FieldSchema.notBefore`: left before hired, a group archived
///   before it was created, a consent withdrawn before it was signed);
/// - an event dated after the as-of date (`FieldSchema.pastOnly`: a pledge signed next year);
/// - two elements of a collection with the same id (`RecordSchema.uniqueIDs`);
/// - a value that should be the id of an element of another collection and is not
///   (`FieldSchema.references`: an account owned by staff `S-999` who is not on the roster);
/// - a state that needs a list filled, with the list empty (`RecordSchema.nonEmpty`: a
///   patient group about no patient);
/// - a count its state bounds (`RecordSchema.bounds`: a clinic with 200 beds);
/// - a yes/no field its own list contradicts (`RecordSchema.denials`: a group that says it
///   does not share outside, with a current member from outside).
///
/// Ids are compared as `CellText.identifierKey` reads them: `S-006` and `s-006` are one id
/// (a duplicate on a roster, and a reference that names it). A warning, not an error: a
/// refusal's `party` that names no member's facility but differs from one only in dashes or
/// spaces (`FPH0002` beside a member from `F-PH-0002`), since the patient meant that facility.
///
/// Without an as-of date (`convert`, which has no audit date unless given one), the checks that
/// depend on it are left out: an event dated after it, and a state that excludes a date only
/// on or before it (or only after it). Every other contradiction is found whatever the date.
public enum Consistency {
    public static func check(_ f: Facility, asOf: Day?) -> [Diagnostic] {
        var c = Checker(asOf: asOf)
        for (i, root) in f.schema.sections.enumerated() where root.shape == .collection {
            if case .list(let xs)? = f.roots[i], let fi = root.record.idIndex {
                var known: [String: String] = [:]
                for case .record(let r) in xs {
                    if case .string(let s) = r.values[fi] {
                        let k = CellText.identifierKey(s); if known[k] == nil { known[k] = s }
                    }
                }
                c.ids.append((root.name, known))
            }
        }
        for (i, root) in f.schema.sections.enumerated() {
            switch f.roots[i] {
            case .record(let r)?: c.visit(r, what: root.name)
            case .list(let xs)?: c.visitAll(xs, what: root.name)
            default: break
            }
        }
        c.refusalParties(f)
        return c.diagnostics
    }

    /// An id without case, width, dashes or spaces: what is left when two spellings of one id
    /// differ only in how it was typed.
    static func looseKey(_ s: String) -> String {
        String(
            String.UnicodeScalarView(
                CellText.identifierKey(s).unicodeScalars.filter {
                    $0.properties.isAlphabetic || $0.properties.numericType != nil
                }))
    }

    struct Checker {
        let asOf: Day?
        /// Per collection: its ids by `CellText.identifierKey`, with their spelling. A short
        /// list looked through by name (a dozen collections), not a dictionary hashed for
        /// every reference field of every record.
        var ids: [(collection: String, known: [String: String])] = []

        func known(_ collection: String) -> [String: String]? {
            for e in ids where e.collection == collection { return e.known }
            return nil
        }
        var diagnostics: [Diagnostic] = []

        init(asOf: Day?) { self.asOf = asOf }

        func name(_ r: Record, _ i: Int) -> String { "`\(r.headers?[i] ?? r.schema.fields[i].name)`" }

        mutating func visitAll(_ xs: [Value], what: String) {
            var seen: [String: Record] = [:]
            for case .record(let r) in xs {
                if r.schema.uniqueIDs, let fi = r.schema.idIndex, case .string(let id) = r.values[fi] {
                    // `S-006` and `s-006` are one id, as everywhere ids are compared.
                    let key = CellText.identifierKey(id)
                    if let first = seen[key] {
                        let at = first.location(ofField: fi)
                        let place =
                            switch first.origin.source.kind {
                            case .json, .builtin: at.path ?? "";
                            case .sheet: "row \(at.line)";
                            case .csv: "line \(at.line)"
                            }
                        diagnostics.append(
                            Diagnostic(
                                "data.duplicate-id", .error,
                                "\(name(r, fi)) repeats the id of another element of \(what) (\(place))",
                                at: r.location(ofField: fi),
                                help: "give every element its own id, or merge the two rows"))
                    } else {
                        seen[key] = r
                    }
                }
                visit(r, what: what)
            }
        }

        mutating func visit(_ r: Record, what: String) {
            denials(r)
            for (b, at) in zip(r.schema.bounds, r.schema.boundIndices) {
                guard let (si, ci) = at, case .string(let state) = r.values[si],
                    b.values.contains(state), case .int(let n) = r.values[ci]
                else { continue }
                if let lo = b.min, n >= lo, b.max == nil { continue }
                if let hi = b.max, n <= hi, b.min == nil { continue }
                if let lo = b.min, let hi = b.max, n >= lo, n <= hi { continue }
                diagnostics.append(
                    Diagnostic(
                        "data.contradiction", .error,
                        "\(name(r, si)) is `\(state)` but \(name(r, ci)) is \(n): \(b.why)",
                        at: r.location(ofField: ci), help: "correct the \(b.when) or the \(b.field)"))
            }
            for (x, at) in zip(r.schema.exclusions, r.schema.exclusionIndices) {
                guard let (si, di) = at, case .string(let s) = r.values[si],
                    x.values.contains(s), !r.values[di].isNull, !r.values[di].isUnknown
                else { continue }
                if case .date(let d) = r.values[di], x.when != .given {
                    // Which side of the as-of date the date falls: unknown without one.
                    guard let asOf else { continue }
                    if x.when == .onOrBeforeAsOf && d > asOf { continue }
                    if x.when == .afterAsOf && d <= asOf { continue }
                }
                diagnostics.append(
                    Diagnostic(
                        "data.contradiction", .error,
                        "\(name(r, si)) is `\(s)` but \(name(r, di)) is \(r.values[di].display): the two cannot both "
                            + "be true",
                        at: r.location(ofField: di), help: "correct the state or remove the date"))
            }
            for (i, field) in r.schema.fields.enumerated() {
                let v = r.values[i]
                if v.isNull { continue }
                if let j = r.schema.notBeforeIndex[i], case .date(let end) = v, case .date(let start) = r.values[j],
                    end < start
                {
                    diagnostics.append(
                        Diagnostic(
                            "data.contradiction", .error,
                            "\(name(r, i)) \(end) is before \(name(r, j)) \(start): it cannot end before it starts",
                            at: r.location(ofField: i), help: "correct one of the two dates"))
                }
                if field.pastOnly { future(v, r, i) }
                if let target = field.references, let known = known(target) {
                    reference(v, to: target, known: known, r, i)
                }
                if case .list(let xs) = v, xs.isEmpty,
                    let rule = r.schema.nonEmpty.first(where: { $0.list == field.name }),
                    let si = r.schema.index[rule.field], case .string(let state) = r.values[si],
                    rule.values.contains(state)
                {
                    diagnostics.append(
                        Diagnostic(
                            "data.contradiction", .error,
                            "\(name(r, si)) is `\(state)` but \(name(r, i)) lists none: a \(state) \(r.schema.name) "
                                + "is about at least one",
                            at: r.location(ofField: i), help: "give the \(field.name), or correct the \(rule.field)"))
                }
                if case .list(let xs) = v, case .list(.record) = field.type {
                    visitAll(xs, what: "\(what).\(field.name)")
                }
                if case .record(let inner) = v { visit(inner, what: "\(what).\(field.name)") }
            }
        }

        /// A yes/no field that says no while its own list says yes (`RecordSchema.denials`).
        mutating func denials(_ r: Record) {
            for d in r.schema.denials {
                guard let fi = r.schema.index[d.flag], case .bool(false) = r.values[fi],
                    let li = r.schema.index[d.list],
                    case .list(let xs) = r.values[li]
                else { continue }
                for case .record(let m) in xs {
                    if let p = d.pastWhen, let pi = m.schema.index[p], !m.values[pi].isNull { continue }
                    guard
                        let (field, _) = d.any.first(where: { a in
                            m.schema.index[a.field].map { j in
                                !m.values[j].isNull && !m.values[j].isUnknown
                                    && (a.values.isEmpty || a.values.contains(m.values[j]))
                            } ?? false
                        }), let j = m.schema.index[field]
                    else { continue }
                    let at = m.location(ofField: j)
                    let place = Consistency.otherPlace(m, at)
                    diagnostics.append(
                        Diagnostic(
                            "data.contradiction", .error,
                            "\(name(r, fi)) is false but a current element of \(d.list) has \(name(m, j)) "
                                + "(\(place)): the two cannot both be true",
                            at: r.location(ofField: fi), help: "correct \(d.flag) to true, or the element's \(field)"))
                    break
                }
            }
        }

        /// The pack's `near_reference S.L.F` fields (the MCS refusal's `party`): a value that
        /// matches no `F` of the elements of list `L` of section `S`, but differs from one only in
        /// case, width, dashes or spaces, is a warning at the value, with the place of the `F`
        /// it likely means.
        mutating func refusalParties(_ f: Facility) {
            for near in f.schema.mechanisms.nearReferences { nearReferences(near, f) }
        }

        mutating func nearReferences(_ near: NearReference, _ f: Facility) {
            guard near.section < f.roots.count, let root = f.roots[near.section] else { return }
            let section = f.schema.sections[near.section]
            var targets: [String: Record] = [:]
            var exact: Set<String> = []
            var targetName = "", listName = ""
            let owners: [Value] = if case .list(let xs) = root { xs } else { [root] }
            for case .record(let o) in owners where near.list < o.values.count {
                listName = o.schema.fields[near.list].name
                guard case .list(let elements) = o.values[near.list] else { continue }
                for case .record(let e) in elements where near.target < e.values.count {
                    targetName = e.schema.fields[near.target].name
                    guard case .string(let s) = e.values[near.target] else { continue }
                    exact.insert(CellText.identifierKey(s))
                    targets[Consistency.looseKey(s)] = targets[Consistency.looseKey(s)] ?? e
                }
            }
            guard !targets.isEmpty else { return }
            var holders: [Record] = []
            for case let v? in f.roots { Consistency.records(named: near.record, in: v, into: &holders) }
            for r in holders where near.field < r.values.count {
                let pi = near.field
                guard case .string(let value) = r.values[pi], !exact.contains(CellText.identifierKey(value)),
                    let m = targets[Consistency.looseKey(value)]
                else { continue }
                let at = m.location(ofField: near.target)
                let place = Consistency.otherPlace(m, at)
                diagnostics.append(
                    Diagnostic(
                        "data.near-reference", .warning,
                        "\(name(r, pi)) matches no `\(targetName)` of \(section.name).\(listName), but differs only in "
                            + "case, width, dashes or spaces from one (\(place)); it is not matched to that element",
                        at: r.location(ofField: pi),
                        help: "write the value exactly as the element has it"))
            }
        }

        mutating func future(_ v: Value, _ r: Record, _ i: Int) {
            guard let asOf else { return }
            let dates: [Day] =
                switch v {
                case .date(let d): [d]
                case .list(let xs): xs.compactMap { if case .date(let d) = $0 { d } else { nil } }
                default: []
                }
            guard let late = dates.filter({ $0 > asOf }).max() else { return }
            diagnostics.append(
                Diagnostic(
                    "data.future-date", .error,
                    "\(name(r, i)) \(late) is after the as-of date \(asOf): an event that has happened cannot be "
                        + "dated later",
                    at: r.location(ofField: i), help: "correct the date, or audit as of a later date with --as-of"))
        }

        mutating func reference(_ v: Value, to target: String, known: [String: String], _ r: Record, _ i: Int) {
            switch v {
            case .string(let s): reference(s, to: target, known: known, r, i)
            case .list(let xs): for case .string(let s) in xs { reference(s, to: target, known: known, r, i) }
            default: break
            }
        }

        mutating func reference(_ s: String, to target: String, known: [String: String], _ r: Record, _ i: Int) {
            if known[CellText.identifierKey(s)] == nil {
                diagnostics.append(
                    Diagnostic(
                        "data.dangling-reference", .error,
                        "\(name(r, i)) holds \(ValueShape.of(s)) that is not the id of any element of \(target)",
                        at: r.location(ofField: i),
                        help: closestMatch(to: s, in: Array(known.values)).map { "did you mean `\($0)`?" }))
            }
        }
    }
}

extension Consistency {
    /// Another element's place in a message: its JSON pointer, `staff.csv:5`, or for a sheet
    /// the sheet and row as on the workbook's tabs, `clinic.xlsx [職員] row 5`.
    static func otherPlace(_ r: Record, _ at: SourceLocation) -> String {
        let file = r.origin.source.path.split(separator: "/").last.map(String.init) ?? ""
        switch r.origin.source.kind {
        case .json, .builtin: return at.path ?? ""
        case .sheet: return "\(file) [\(at.sheet ?? "")] row \(at.line)"
        case .csv: return "\(file):\(at.line)"
        }
    }

    /// Every record whose schema is `name`, at any depth of `value` (lists and nested records).
    static func records(named name: String, in value: Value, into out: inout [Record]) {
        switch value {
        case .list(let xs): for x in xs { records(named: name, in: x, into: &out) }
        case .record(let r):
            if r.schema.name == name { out.append(r) }
            for (i, f) in r.schema.fields.enumerated() {
                switch f.type {
                case .record, .list: records(named: name, in: r.values[i], into: &out)
                default: continue
                }
            }
        default: return
        }
    }
}
