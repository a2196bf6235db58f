import TenkenSyntax

extension Facility {
    /// The facility as rules read it, worked out once before any rule runs:
    ///
    /// - **Ids that differ only in case are one id.** Every id and reference
    ///   (`FieldSchema.identifier`) is compared by `CellText.identifierKey`; where a facility
    ///   spells one id two ways (`S-006` on the roster, `s-006` in an account), every
    ///   occurrence takes one spelling — that of the element the id names, else the first one
    ///   met — so joins, lookups and `==` in rules match as a person reads the ids, and reports
    ///   show the id as the facility's own list writes it. (`Consistency` compares by the
    ///   same key, so two roster rows `S-006` and `s-006` are a duplicate.)
    /// - **Blanks whose documented meaning other records contradict are unknown**
    ///   (`AbsenceCondition` with a facility, nested or related scope): a patient's blank
    ///   `transferred_in_on` when a re-consent names the patient, a blank `has_account` when
    ///   the facility says it uses patient accounts.
    ///
    /// Records that change are copied; the rest are shared. Returns `self` when nothing
    /// changes. The engine calls this (`isNormalised` makes a second call free).
    public func normalised() -> Facility {
        if isNormalised { return self }
        var out = self
        out.isNormalised = true
        let spellings = IdentifierSpellings(self)
        let resolver = AbsenceResolver(roots: roots, schema: schema)
        guard spellings.hasVariants || resolver.active else { return out }
        for i in out.roots.indices {
            guard let v = out.roots[i] else { continue }
            out.roots[i] = Facility.rewrite(
                v, spellings: spellings.hasVariants ? spellings : nil, resolver: resolver.active ? resolver : nil)
        }
        return out
    }

    static func rewrite(_ v: Value, spellings: IdentifierSpellings?, resolver: AbsenceResolver?) -> Value {
        switch v {
        case .record(let r): return .record(rewrite(r, spellings: spellings, resolver: resolver))
        case .list(let xs):
            var changed = false
            let ys = xs.map { x -> Value in
                guard case .record(let r) = x else { return x }
                let n = rewrite(r, spellings: spellings, resolver: resolver)
                if n !== r { changed = true }
                return .record(n)
            }
            return changed ? .list(ys) : v
        default: return v
        }
    }

    /// The record with its ids in their one spelling, its nested records rewritten, and its
    /// contradicted blanks marked; the same object when nothing changes.
    static func rewrite(_ r: Record, spellings: IdentifierSpellings?, resolver: AbsenceResolver?) -> Record {
        let schema = r.schema
        var values: [Value]?
        func set(_ i: Int, _ v: Value) {
            var vs = values ?? Array(r.values)
            vs[i] = v
            values = vs
        }
        for (i, unified) in schema.identifierWalk {
            let v = r.values[i]
            switch schema.fields[i].type {
            case .record(let inner) where spellings != nil || inner.needsResolution:
                if case .record(let x) = v {
                    let n = rewrite(x, spellings: spellings, resolver: resolver)
                    if n !== x { set(i, .record(n)) }
                }
            case .list(.record(let inner)) where spellings != nil || inner.needsResolution:
                let n = rewrite(v, spellings: spellings, resolver: resolver)
                if case .list = v, n != v { set(i, n) }
            default:
                guard let spellings, unified else { continue }
                switch v {
                case .string(let s):
                    if let t = spellings.spelling(s) { set(i, .string(t)) }
                case .list(let xs):
                    var changed = false
                    let ys = xs.map { x -> Value in
                        if case .string(let s) = x, let t = spellings.spelling(s) { changed = true; return .string(t) }
                        return x
                    }
                    if changed { set(i, .list(ys)) }
                default: continue
                }
            }
        }
        var mask: UInt64 = 0
        if let resolver, !schema.crossConditions.isEmpty {
            let current = values.map { r.with(values: $0, contradictedBlanks: 0) } ?? r
            mask = resolver.contradictedBlanks(current)
        }
        guard values != nil || mask != 0 else { return r }
        if let values { return r.with(values: values, contradictedBlanks: mask) }
        return r.with(values: r.values, contradictedBlanks: mask)
    }
}

/// The one spelling each id takes in a facility (`Facility.normalised`).
struct IdentifierSpellings {
    /// `CellText.identifierKey` → the spelling every occurrence takes.
    var canonical: [String: String] = [:]
    var hasVariants = false

    /// Whether a field's values take part: ids and references, but not choices (validated
    /// words) and not the id of a record whose id names a kind (an attestation's item, which
    /// names a rule's key in the pack).
    static func unified(_ f: FieldSchema, in schema: RecordSchema) -> Bool {
        unified(f, idField: schema.idField, uniqueIDs: schema.uniqueIDs)
    }

    static func unified(_ f: FieldSchema, idField: String?, uniqueIDs: Bool) -> Bool {
        guard f.identifier else { return false }
        if case .enumeration = f.type { return false }
        if case .list(.enumeration) = f.type { return false }
        return !(f.name == idField && !uniqueIDs)
    }

    /// The fields of a record that normalising reads, in field order: those whose ids are
    /// unified, and those that may hold records. Worked out once per schema
    /// (`RecordSchema.identifierWalk`); the rest of a record's fields are never looked at.
    static func walk(_ fields: [FieldSchema], idField: String?, uniqueIDs: Bool) -> [(field: Int, unified: Bool)] {
        func holdsRecords(_ t: FieldType) -> Bool {
            switch t {
            case .record: true
            case .list(let e): holdsRecords(e)
            default: false
            }
        }
        return fields.enumerated().compactMap { i, f in
            let u = unified(f, idField: idField, uniqueIDs: uniqueIDs)
            return u || holdsRecords(f.type) ? (i, u) : nil
        }
    }

    init(_ facility: Facility) {
        // Where every id is its own key (ASCII, no lower case: the usual export), no two spellings
        // can be one id: a walk that builds nothing and stops at the first other id says so.
        guard
            facility.roots.contains(where: { v in
                v.map { IdentifierSpellings.someIDNotOwnKey(in: $0) } ?? false
            })
        else { return }
        // First the ids of the top-level collections (the spelling of the element an id
        // names wins), then every other id in input order.
        for (i, root) in facility.schema.sections.enumerated() where root.shape == .collection {
            guard case .list(let xs)? = facility.roots[i], let idf = root.record.idField,
                let fi = root.record.index[idf],
                IdentifierSpellings.unified(root.record.fields[fi], in: root.record)
            else { continue }
            for case .record(let r) in xs { if case .string(let s) = r.values[fi] { note(s) } }
        }
        for case let v? in facility.roots {
            _ = IdentifierSpellings.someID(in: v) {
                note($0); return false
            }
        }
    }

    /// Whether `found` is true of some id of `v` that takes part in the spellings: the unified
    /// fields of every record at any depth (`RecordSchema.identifierWalk`), read in place
    /// (`Record.slots`: through `r.values` each read copied the value) and left at the first
    /// such id. The table's own walk uses it (the probe before it, `someIDNotOwnKey`, reads the
    /// flag each record worked out with the same walk when it was made).
    static func someID(in v: Value, _ found: (String) -> Bool) -> Bool {
        switch v {
        case .list(let xs):
            for x in xs { if case .record(let r) = x, someID(in: r, found) { return true } }
            return false
        case .record(let r): return someID(in: r, found)
        default: return false
        }
    }

    static func someID(in r: Record, _ found: (String) -> Bool) -> Bool {
        let walk = r.schema.identifierWalk, slots = r.slots
        for k in walk.indices {
            switch slots[walk[k].field].value {
            case .string(let s): if walk[k].unified && found(s) { return true }
            case .list(let xs):
                if walk[k].unified {
                    for case .string(let s) in xs where found(s) { return true }
                } else {
                    for x in xs { if case .record(let e) = x, someID(in: e, found) { return true } }
                }
            case .record(let e): if someID(in: e, found) { return true }
            default: continue
            }
        }
        return false
    }

    /// Whether some id of `v` that takes part in the spellings is not its own key
    /// (`CellText.isOwnKey`): the probe before the table, which runs for every facility. Each
    /// record worked this out when it was made (`Record.hasIDNotOwnKey`), so a list costs one
    /// flag read per element.
    static func someIDNotOwnKey(in v: Value) -> Bool {
        switch v {
        case .list(let xs):
            for x in xs { if case .record(let r) = x, r.hasIDNotOwnKey { return true } }
            return false
        case .record(let r): return r.hasIDNotOwnKey
        default: return false
        }
    }

    /// `Record.hasIDNotOwnKey` of a record whose fields are written and whose held records
    /// have theirs: its unified ids (`RecordSchema.identifierWalk`), read in place, and the
    /// flags of the records it holds. A field the record lacks (fewer values than its schema
    /// has fields) holds nothing.
    static func someIDNotOwnKey(in r: Record) -> Bool {
        let slots = r.slots, count = r.count
        return Unmanaged.passUnretained(r.schema)._withUnsafeGuaranteedRef { schema in
            for k in schema.identifierWalk.indices {
                let (field, unified) = schema.identifierWalk[k]
                guard field < count else { continue }
                switch slots[field].value {
                case .string(let s): if unified && !CellText.isOwnKey(s) { return true }
                case .list(let xs):
                    if unified {
                        for case .string(let s) in xs where !CellText.isOwnKey(s) { return true }
                    } else {
                        for x in xs { if case .record(let e) = x, e.hasIDNotOwnKey { return true } }
                    }
                case .record(let e): if e.hasIDNotOwnKey { return true }
                default: continue
                }
            }
            return false
        }
    }

    mutating func note(_ s: String) {
        let k = CellText.identifierKey(s)
        if let c = canonical[k] {
            if c != s { hasVariants = true }
        } else {
            canonical[k] = s
        }
    }

    /// The spelling `s` takes, when it is not `s` itself.
    func spelling(_ s: String) -> String? {
        guard let c = canonical[CellText.identifierKey(s)], c != s else { return nil }
        return c
    }
}

/// Works out which blanks other records contradict (`AbsenceCondition` scopes `facility`,
/// `nested` and `related`). A condition that cannot be weighed — the facility profile or the
/// related collection is absent, a related element's field is unknown — contradicts: then
/// whether the thing happened is not known.
struct AbsenceResolver {
    /// The elements of a related collection by the key of the id they name, and those whose
    /// key is unknown (they may name any element); nil when the collection is absent.
    struct Related {
        var byKey: [String: [Record]] = [:]
        var unknownKeyed: [Record] = []
    }

    /// The facility's sections, for a condition on a single section's field.
    let roots: [Value?]
    /// The schema the sections are read with.
    let schema: PackSchema
    /// Each related collection a condition names, with the field its elements name an element
    /// by, and their index (nil: the collection is absent). Few, so found by comparing names:
    /// no string is built or hashed for each blank weighed.
    let related: [(collection: String, key: String, entry: Related?)]
    /// Some section present holds a record with cross-record conditions.
    let active: Bool

    /// The conditions of every record schema of `schema` that look beyond their element.
    static func allConditions(_ schema: PackSchema) -> [AbsenceCondition] {
        schema.records.values.flatMap { $0.crossConditions.flatMap(\.conditions) }
    }

    init(roots: [Value?], schema: PackSchema) {
        self.roots = roots
        self.schema = schema
        active = schema.sections.indices.contains {
            schema.sections[$0].record.needsResolution && roots[$0] != nil
        }
        var related: [(collection: String, key: String, entry: Related?)] = []
        if active {
            for c in AbsenceResolver.allConditions(schema) {
                guard case .related(let collection, let key) = c.scope,
                    !related.contains(where: { $0.collection == collection && $0.key == key })
                else { continue }
                related.append(
                    (collection, key, AbsenceResolver.index(roots, collection: collection, key: key, schema: schema)))
            }
        }
        self.related = related
    }

    static func index(_ roots: [Value?], collection: String, key: String, schema: PackSchema) -> Related? {
        guard let ri = schema.sectionIndex[collection], case .list(let xs)? = roots[ri],
            let ki = schema.sections[ri].record.index[key]
        else { return nil }
        var out = Related()
        for case .record(let r) in xs {
            switch r.effective(ki) {
            case .string(let s): out.byKey[CellText.identifierKey(s), default: []].append(r)
            case .unknown: out.unknownKeyed.append(r)
            default: continue
            }
        }
        return out
    }

    /// The mask of `r`'s blank fields whose meaning other records contradict.
    func contradictedBlanks(_ r: Record) -> UInt64 {
        var mask: UInt64 = 0
        for (i, cs) in r.schema.crossConditions where r.values[i].isNull {
            if cs.contains(where: { contradicts($0, r) }) { mask |= 1 << UInt64(i) }
        }
        return mask
    }

    func contradicts(_ c: AbsenceCondition, _ r: Record) -> Bool {
        func any(_ xs: [Record]) -> Bool {
            xs.contains { e in e.schema.index[c.field].map { c.contradicts(e.effective($0)) } ?? false }
        }
        switch c.scope {
        case .element:
            return r.schema.index[c.field].map { c.contradicts(r.effective($0)) } ?? false
        case .single(let section):
            guard let si = schema.sectionIndex[section], case .record(let s)? = roots[si],
                let fi = s.schema.index[c.field]
            else { return true }
            return c.contradicts(s.effective(fi))
        case .nested(let list):
            guard let li = r.schema.index[list] else { return false }
            switch r.effective(li) {
            case .list(let xs): return any(xs.compactMap { if case .record(let e) = $0 { e } else { nil } })
            case .unknown: return true
            default: return false
            }
        case .related(let collection, let key):
            // An absent collection cannot show that nothing contradicts.
            guard let found = related.first(where: { $0.collection == collection && $0.key == key }),
                let entry = found.entry
            else { return true }
            // An element without an id cannot be named by another: nothing contradicts.
            guard let id = r.displayID else { return false }
            return any(entry.byKey[CellText.identifierKey(id)] ?? []) || any(entry.unknownKeyed)
        }
    }
}
