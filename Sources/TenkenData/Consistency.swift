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
        // Each collection's ids, read once: for its own duplicates and for the references to it.
        // Sections read in place by index: a copy of each `SectionSchema` per loop retains its
        // strings and record schema, for every facility of a batch.
        // The tables are made in section order, so the next one not yet visited is the only one
        // a section can have: no array of one optional table per section is made and freed.
        let sections = f.schema.sections
        c.ids.reserveCapacity(sections.count)
        for i in sections.indices where sections[i].shape == .collection {
            if case .list(let xs)? = f.roots[i], let fi = sections[i].record.idIndex {
                c.ids.append((sections[i].name, IdTable(xs, field: fi), i))
            }
        }
        var nextTable = 0
        for i in sections.indices {
            guard let root = f.roots[i] else { continue }
            var table: IdTable?
            if nextTable < c.ids.count, c.ids[nextTable].section == i {
                table = c.ids[nextTable].table
                nextTable += 1
            }
            c.path.removeAll(keepingCapacity: true)
            c.path.append(sections[i].name)
            switch root {
            case .record(let r): c.visit(r)
            case .list(let xs):
                c.visitAll(xs, repeats: table.map { sections[i].record.uniqueIDs ? $0.repeats : [] })
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
        /// Per collection: its ids (`IdTable`) and its section's index, in section order. A short
        /// list looked through by name (a dozen collections), not a dictionary hashed for every
        /// reference field of every record.
        var ids: [(collection: String, table: IdTable, section: Int)] = []

        func known(_ collection: String) -> IdTable? {
            for e in ids where e.collection == collection { return e.table }
            return nil
        }

        /// Per plan met so far: the table of each collection its fields refer to
        /// (`Plan.targets`), looked up by name once per facility, not for every reference.
        var targetTables: [(plan: ObjectIdentifier, tables: [Unmanaged<IdTable>?])] = []
        /// The plan whose tables `lastTables` holds: the records of a list share one plan.
        var lastPlan: ObjectIdentifier?
        /// `targetTables`' entry for `lastPlan`, unretained: `ids` keeps every table alive for
        /// the whole check, so a reference looked up retains and releases nothing (each such
        /// pair, with the call that found the table, cost more than the look-up itself).
        var lastTables: [Unmanaged<IdTable>?] = []

        /// The table of the collection `plan.targets[t]` (nil when the facility lacks it).
        @inline(__always)
        mutating func table(_ plan: Plan, _ t: Int) -> Unmanaged<IdTable>? {
            if lastPlan != ObjectIdentifier(plan) { use(plan) }
            return lastTables[t]
        }

        /// Makes `plan`'s tables the ones `table` reads.
        @inline(never)
        mutating func use(_ plan: Plan) {
            let id = ObjectIdentifier(plan)
            if let k = targetTables.firstIndex(where: { $0.plan == id }) {
                lastTables = targetTables[k].tables
            } else {
                lastTables = plan.targets.map { known($0).map(Unmanaged.passUnretained) }
                targetTables.append((id, lastTables))
            }
            lastPlan = id
        }
        var diagnostics: [Diagnostic] = []
        /// The section and the fields down to the list being visited (`groups.members`): put
        /// into words only for a message that names it.
        var path: [String] = []

        init(asOf: Day?) { self.asOf = asOf }

        func name(_ r: Record, _ i: Int) -> String { "`\(r.headers?[i] ?? r.schema.fields[i].name)`" }

        /// The records of a list, and the ids among them that repeat another's (`repeats`, when
        /// a collection's ids were already read for the references to it).
        mutating func visitAll(_ xs: [Value], repeats given: [(at: Int, first: Int)]? = nil) {
            var repeats: [(at: Int, first: Int)] = given ?? []
            if given == nil, xs.count > 1,
                case .record(let r0)? = xs.first(where: { if case .record = $0 { true } else { false } }),
                r0.schema.uniqueIDs, let fi = r0.schema.idIndex
            {
                // `S-006` and `s-006` are one id, as everywhere ids are compared.
                repeats = IdTable(xs, field: fi, where: { $0.schema.uniqueIDs && $0.schema.idIndex == fi }).repeats
            }
            var next = 0
            // By index: `enumerated()` hands out a copy of each element (a retain and a release
            // of every record).
            for i in xs.indices {
                guard case .record(let r) = xs[i] else { continue }
                if next < repeats.count, repeats[next].at == i {
                    if case .record(let first) = xs[repeats[next].first], let fi = r.schema.idIndex {
                        duplicate(r, of: first, fi)
                    }
                    next += 1
                }
                visit(r)
            }
        }

        @inline(never)
        mutating func duplicate(_ r: Record, of first: Record, _ fi: Int) {
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
                    "\(name(r, fi)) repeats the id of another element of \(path.joined(separator: ".")) (\(place))",
                    at: r.location(ofField: fi),
                    help: "give every element its own id, or merge the two rows"))
        }

        mutating func visit(_ r: Record) {
            let plan = r.schema.consistency
            if plan.isEmpty { return }
            if !plan.denials.isEmpty { denials(r, plan) }
            if !plan.bounds.isEmpty { bounds(r, plan) }
            if !plan.exclusions.isEmpty { exclusions(r, plan) }
            if !plan.fields.isEmpty { fields(r, plan) }
        }

        /// A count its state bounds (`RecordSchema.bounds`).
        mutating func bounds(_ r: Record, _ plan: Plan) {
            for (b, si, ci) in plan.bounds {
                guard case .string(let state) = r.values[si], b.values.contains(state), case .int(let n) = r.values[ci]
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
        }

        /// A state that excludes a date, with the date given (`RecordSchema.exclusions`).
        mutating func exclusions(_ r: Record, _ plan: Plan) {
            for (x, si, di) in plan.exclusions {
                guard case .string(let s) = r.values[si],
                    x.values.contains(s), !r.values[di].isNull, !r.values[di].isUnknown
                else { continue }
                if case .date(let d) = r.values[di], x.when != .given {
                    // Which side of the as-of date the date falls: unknown without one.
                    guard let asOf else { continue }
                    if x.when == .onOrBeforeAsOf && d > asOf { continue }
                    if x.when == .afterAsOf && d <= asOf { continue }
                }
                excluded(r, si, s, di)
            }
        }

        @inline(never)
        mutating func excluded(_ r: Record, _ si: Int, _ s: String, _ di: Int) {
            diagnostics.append(
                Diagnostic(
                    "data.contradiction", .error,
                    "\(name(r, si)) is `\(s)` but \(name(r, di)) is \(r.values[di].display): the two cannot both "
                        + "be true",
                    at: r.location(ofField: di), help: "correct the state or remove the date"))
        }

        /// The fields with something to check (`Plan.fields`). Each is read in place, by its
        /// kind: a blank (most dates and references) or a date is looked at without a copy of
        /// the value, where a copy of each field read was most of the cost of a record.
        mutating func fields(_ r: Record, _ plan: Plan) {
            let slots = r.slots
            for check in plan.fields {
                let i = check.index
                switch slots[i].value {
                case .null: continue
                case .date(let d):
                    if let j = check.notBefore, case .date(let start) = slots[j].value, d < start {
                        notBefore(r, i, d, j, start)
                    }
                    if check.pastOnly, let asOf, d > asOf { future(d, r, i) }
                case .string(let s):
                    if let t = check.references, let table = table(plan, t),
                        !table._withUnsafeGuaranteedRef({ $0.contains(s) })
                    {
                        dangling(s, to: plan.targets[t], known: table.takeUnretainedValue(), r, i)
                    }
                default: other(r, plan, check)
                }
            }
        }

        /// The messages are made out of line (`@inline(never)`, as for every message here): the
        /// strings of a message inlined into `fields` were set up at every call, for every record.
        @inline(never)
        mutating func notBefore(_ r: Record, _ i: Int, _ end: Day, _ j: Int, _ start: Day) {
            diagnostics.append(
                Diagnostic(
                    "data.contradiction", .error,
                    "\(name(r, i)) \(end) is before \(name(r, j)) \(start): it cannot end before it starts",
                    at: r.location(ofField: i), help: "correct one of the two dates"))
        }

        /// A field whose value is neither blank, a date nor a string: a list or a record (nested
        /// checks, ids referred to, dates of which none may be late, a list that must not be
        /// empty), or a value of another kind that a check passes over.
        mutating func other(_ r: Record, _ plan: Plan, _ check: Plan.FieldCheck) {
            let i = check.index
            let v = r.values[i]
            if let j = check.notBefore, case .date(let end) = v, case .date(let start) = r.values[j], end < start {
                notBefore(r, i, end, j, start)
            }
            if check.pastOnly { future(v, r, i) }
            if let t = check.references, let table = table(plan, t) {
                reference(v, to: plan.targets[t], known: table.takeUnretainedValue(), r, i)
            }
            if let k = check.nonEmpty, case .list(let xs) = v, xs.isEmpty,
                case (let rule, let si) = plan.nonEmpty[k],
                case .string(let state) = r.values[si], rule.values.contains(state)
            {
                diagnostics.append(
                    Diagnostic(
                        "data.contradiction", .error,
                        "\(name(r, si)) is `\(state)` but \(name(r, i)) lists none: a \(state) \(r.schema.name) "
                            + "is about at least one",
                        at: r.location(ofField: i),
                        help: "give the \(r.schema.fields[i].name), or correct the \(rule.field)"))
            }
            switch (check.nested, v) {
            case (.list, .list(let xs)):
                path.append(r.schema.fields[i].name)
                visitAll(xs)
                path.removeLast()
            case (.record, .record(let inner)):
                path.append(r.schema.fields[i].name)
                visit(inner)
                path.removeLast()
            default: break
            }
        }

        /// A yes/no field that says no while its own list says yes (`RecordSchema.denials`).
        mutating func denials(_ r: Record, _ plan: Plan) {
            for (d, fi, li) in plan.denials {
                guard case .bool(false) = r.values[fi], case .list(let xs) = r.values[li] else { continue }
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
            // The latest date after the as-of date, without gathering the dates into an array.
            var latest: Day?
            switch v {
            case .date(let d): if d > asOf { latest = d }
            case .list(let xs):
                for case .date(let d) in xs where d > asOf { if latest.map({ d > $0 }) ?? true { latest = d } }
            default: break
            }
            if let late = latest { future(late, r, i) }
        }

        /// Field `i` holds `late`, a date after the as-of date.
        @inline(never)
        mutating func future(_ late: Day, _ r: Record, _ i: Int) {
            guard let asOf else { return }
            diagnostics.append(
                Diagnostic(
                    "data.future-date", .error,
                    "\(name(r, i)) \(late) is after the as-of date \(asOf): an event that has happened cannot be "
                        + "dated later",
                    at: r.location(ofField: i), help: "correct the date, or audit as of a later date with --as-of"))
        }

        mutating func reference(_ v: Value, to target: String, known: IdTable, _ r: Record, _ i: Int) {
            switch v {
            case .string(let s): reference(s, to: target, known: known, r, i)
            case .list(let xs): for case .string(let s) in xs { reference(s, to: target, known: known, r, i) }
            default: break
            }
        }

        mutating func reference(_ s: String, to target: String, known: IdTable, _ r: Record, _ i: Int) {
            if !known.contains(s) { dangling(s, to: target, known: known, r, i) }
        }

        /// Field `i` holds `s`, which is not the id of any element of `target`.
        @inline(never)
        mutating func dangling(_ s: String, to target: String, known: IdTable, _ r: Record, _ i: Int) {
            diagnostics.append(
                Diagnostic(
                    "data.dangling-reference", .error,
                    "\(name(r, i)) holds \(ValueShape.of(s)) that is not the id of any element of \(target)",
                    at: r.location(ofField: i),
                    help: closestMatch(to: s, in: known.spellings).map { "did you mean `\($0)`?" }))
        }
    }
}

extension Consistency {
    /// What `Consistency` checks in the records of one schema, worked out once per schema
    /// (`RecordSchema.consistency`) rather than looked up by name for every record: the field
    /// indexes of every bound, exclusion, denial and `nonEmpty` rule, and the fields that need a
    /// look at all. A schema with nothing to check (`isEmpty`) costs a record one test.
    ///
    /// A class, and a `FieldCheck` of plain numbers: a record's look at its plan retains one
    /// object, not each array of the plan and the strings of each field's check.
    final class Plan: Sendable {
        enum Nested: Sendable { case none, record, list }
        /// A field with something to check, in field order.
        ///
        /// Kept in 32-bit numbers (-1: none), 20 bytes: each check is copied out of `fields` for
        /// every field checked of every record, and as four `Int?` (56 bytes) that copy took a
        /// dozen moves.
        struct FieldCheck: Sendable {
            private let field: Int32, before: Int32, target: Int32, rule: Int32
            let pastOnly: Bool
            let nested: Nested

            init(index: Int, notBefore: Int?, pastOnly: Bool, references: Int?, nonEmpty: Int?, nested: Nested) {
                // Field and rule indexes of one record schema: far below 2^31.
                field = Int32(truncatingIfNeeded: index)
                before = notBefore.map { Int32(truncatingIfNeeded: $0) } ?? -1
                target = references.map { Int32(truncatingIfNeeded: $0) } ?? -1
                rule = nonEmpty.map { Int32(truncatingIfNeeded: $0) } ?? -1
                self.pastOnly = pastOnly
                self.nested = nested
            }

            var index: Int { Int(field) }
            var notBefore: Int? { before < 0 ? nil : Int(before) }
            /// The collection this field's ids refer to: an index into `Plan.targets`.
            var references: Int? { target < 0 ? nil : Int(target) }
            /// The first `nonEmpty` rule on this list: an index into `Plan.nonEmpty`.
            var nonEmpty: Int? { rule < 0 ? nil : Int(rule) }
        }
        let fields: [FieldCheck]
        /// The collections the fields refer to (`FieldSchema.references`).
        let targets: [String]
        /// The `nonEmpty` rules of the fields, each with the index of its state field.
        let nonEmpty: [(rule: RecordSchema.NonEmpty, state: Int)]
        let bounds: [(bound: RecordSchema.Bound, state: Int, count: Int)]
        let exclusions: [(exclusion: RecordSchema.Exclusion, state: Int, excluded: Int)]
        let denials: [(denial: RecordSchema.Denial, flag: Int, list: Int)]
        let isEmpty: Bool

        /// Rules whose fields the record lacks never apply, and are left out.
        init(
            fields: [FieldSchema], index: [String: Int], notBefore: [Int?], bounds: [RecordSchema.Bound],
            exclusions: [RecordSchema.Exclusion], nonEmpty: [RecordSchema.NonEmpty], denials: [RecordSchema.Denial]
        ) {
            self.bounds = bounds.compactMap { b in index[b.when].flatMap { s in index[b.field].map { (b, s, $0) } } }
            self.exclusions = exclusions.compactMap { x in
                index[x.field].flatMap { s in index[x.excludes].map { (x, s, $0) } }
            }
            self.denials = denials.compactMap { d in index[d.flag].flatMap { f in index[d.list].map { (d, f, $0) } } }
            var targets: [String] = []
            var rules: [(rule: RecordSchema.NonEmpty, state: Int)] = []
            self.fields = fields.enumerated().compactMap { i, f in
                let rule = nonEmpty.first { $0.list == f.name }
                let ne = rule.flatMap { r in index[r.field].map { (rule: r, state: $0) } }
                let nested: Nested =
                    switch f.type {
                    case .record: .record
                    case .list(.record): .list
                    default: .none
                    }
                guard notBefore[i] != nil || f.pastOnly || f.references != nil || ne != nil || nested != .none else {
                    return nil
                }
                var target: Int?
                if let r = f.references {
                    if let k = targets.firstIndex(of: r) {
                        target = k
                    } else {
                        target = targets.count
                        targets.append(r)
                    }
                }
                var ruleIndex: Int?
                if let ne {
                    ruleIndex = rules.count
                    rules.append(ne)
                }
                return FieldCheck(
                    index: i, notBefore: notBefore[i], pastOnly: f.pastOnly, references: target, nonEmpty: ruleIndex,
                    nested: nested)
            }
            self.targets = targets
            self.nonEmpty = rules
            isEmpty = self.fields.isEmpty && self.bounds.isEmpty && self.exclusions.isEmpty && self.denials.isEmpty
        }
    }

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
