import TenkenSyntax

/// Contradictions in a loaded facility, found before any rule runs, so that no verdict rests
/// on data that cannot be true. Each is a located data error (the run stops with exit 2):
///
/// - an end before its start (`FieldSchema.notBefore`: left before hired, a group archived
///   before it was created, a consent withdrawn before it was signed);
/// - an event dated after the as-of date (`FieldSchema.pastOnly`: a pledge signed next year);
/// - two elements of a collection with the same id (`RecordSchema.uniqueIDs`);
/// - a value that should be the id of an element of another collection and is not
///   (`FieldSchema.references`: an account owned by staff `S-999` who is not on the roster).
public enum Consistency {
    public static func check(_ f: Facility, asOf: Day) -> [Diagnostic] {
        var c = Checker(asOf: asOf)
        for (i, root) in SnapshotSchema.roots.enumerated() where root.shape == .collection {
            if case .list(let xs)? = f.roots[i], let idf = root.record.idField, let fi = root.record.index[idf] {
                c.ids[root.name] = Set(xs.compactMap { if case .record(let r) = $0, case .string(let s) = r.values[fi] { s } else { nil } })
            }
        }
        for (i, root) in SnapshotSchema.roots.enumerated() {
            switch f.roots[i] {
            case .record(let r)?: c.visit(r, what: root.name)
            case .list(let xs)?: c.visitAll(xs, what: root.name)
            default: break
            }
        }
        return c.diagnostics
    }

    struct Checker {
        let asOf: Day
        var ids: [String: Set<String>] = [:]
        var diagnostics: [Diagnostic] = []

        init(asOf: Day) { self.asOf = asOf }

        func name(_ r: Record, _ i: Int) -> String { "`\(r.headers?[i] ?? r.schema.fields[i].name)`" }

        mutating func visitAll(_ xs: [Value], what: String) {
            var seen: [String: Record] = [:]
            for case .record(let r) in xs {
                if r.schema.uniqueIDs, let idf = r.schema.idField, let fi = r.schema.index[idf], case .string(let id) = r.values[fi] {
                    if let first = seen[id] {
                        let at = first.location(ofField: fi)
                        let place = first.origin.source.kind == .json ? at.path ?? "" : "line \(at.line)"
                        diagnostics.append(Diagnostic("data.duplicate-id", .error,
                            "\(name(r, fi)) repeats the id of another element of \(what) (\(place))",
                            at: r.location(ofField: fi), help: "give every element its own id, or merge the two rows"))
                    } else {
                        seen[id] = r
                    }
                }
                visit(r, what: what)
            }
        }

        mutating func visit(_ r: Record, what: String) {
            for x in r.schema.exclusions {
                guard let si = r.schema.index[x.field], let di = r.schema.index[x.excludes], case .string(let s) = r.values[si],
                      x.values.contains(s), !r.values[di].isNull, !r.values[di].isUnknown else { continue }
                if case .date(let d) = r.values[di] {
                    if x.when == .onOrBeforeAsOf && d > asOf { continue }
                    if x.when == .afterAsOf && d <= asOf { continue }
                }
                diagnostics.append(Diagnostic("data.contradiction", .error,
                    "\(name(r, si)) is `\(s)` but \(name(r, di)) is \(r.values[di].display): the two cannot both be true",
                    at: r.location(ofField: di), help: "correct the state or remove the date"))
            }
            for (i, field) in r.schema.fields.enumerated() {
                let v = r.values[i]
                if v.isNull { continue }
                if let other = field.notBefore, let j = r.schema.index[other], case .date(let end) = v, case .date(let start) = r.values[j], end < start {
                    diagnostics.append(Diagnostic("data.contradiction", .error,
                        "\(name(r, i)) \(end) is before \(name(r, j)) \(start): it cannot end before it starts",
                        at: r.location(ofField: i), help: "correct one of the two dates"))
                }
                if field.pastOnly { future(v, r, i) }
                if let target = field.references, let known = ids[target] { reference(v, to: target, known: known, r, i) }
                if case .list(let xs) = v, case .list(.record) = field.type { visitAll(xs, what: "\(what).\(field.name)") }
                if case .record(let inner) = v { visit(inner, what: "\(what).\(field.name)") }
            }
        }

        mutating func future(_ v: Value, _ r: Record, _ i: Int) {
            let dates: [Day] = switch v {
            case .date(let d): [d]
            case .list(let xs): xs.compactMap { if case .date(let d) = $0 { d } else { nil } }
            default: []
            }
            guard let late = dates.filter({ $0 > asOf }).max() else { return }
            diagnostics.append(Diagnostic("data.future-date", .error,
                "\(name(r, i)) \(late) is after the as-of date \(asOf): an event that has happened cannot be dated later",
                at: r.location(ofField: i), help: "correct the date, or audit as of a later date with --as-of"))
        }

        mutating func reference(_ v: Value, to target: String, known: Set<String>, _ r: Record, _ i: Int) {
            let values: [String] = switch v {
            case .string(let s): [s]
            case .list(let xs): xs.compactMap { if case .string(let s) = $0 { s } else { nil } }
            default: []
            }
            for s in values where !known.contains(s) {
                diagnostics.append(Diagnostic("data.dangling-reference", .error,
                    "\(name(r, i)) holds \(ValueShape.of(s)) that is not the id of any element of \(target)",
                    at: r.location(ofField: i), help: closestMatch(to: s, in: Array(known)).map { "did you mean `\($0)`?" }))
            }
        }
    }
}
