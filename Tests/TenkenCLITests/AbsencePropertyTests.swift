import Foundation
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCLI

/// The property behind "no silent verdicts": take a facility on which a rule of the MCS pack
/// passes, remove one piece of evidence the rule reads (a field from every element that has
/// it, a nested list, a whole section), and the rule must not pass on the strength of the gap,
/// unless the schema documents what that absence means (`Absence.none` or `.assumed`).
///
/// "On the strength of the gap" is tested, not assumed: when the rule still passes with the
/// evidence removed, the same evidence is put back with other values of its type (every choice,
/// both booleans, old and recent dates, ids of other elements, empty and non-empty lists). If
/// any of them makes the rule fail, its verdict depends on that evidence, and passing without
/// it is a silent pass. (Evidence the verdict does not depend on, such as staff ids where no
/// one has left, may be removed without changing a pass: that is not a silent verdict.)
@Suite struct AbsencePropertyTests {
    /// Something to remove: a path of keys, where `*` stands for every element of a list.
    struct Removal: CustomStringConvertible {
        var path: [String]
        /// The field removed (record and field name), or nil for a whole section.
        var field: FieldRead?
        var root: String
        /// What the schema says the absence means; nil when it leaves it unknown.
        var meaning: Bilingual?
        var description: String { path.joined(separator: "/") }
    }

    /// Every field of every section, nested lists and their fields, and every whole section.
    static func removals() -> [Removal] {
        var out: [Removal] = []
        func fields(_ r: RecordSchema, prefix: [String], root: String) {
            for f in r.fields {
                out.append(
                    Removal(
                        path: prefix + [f.name], field: FieldRead(record: r.name, field: f.name), root: root,
                        meaning: f.absent.meaning))
                switch f.type {
                case .record(let inner): fields(inner, prefix: prefix + [f.name], root: root)
                case .list(.record(let inner)): fields(inner, prefix: prefix + [f.name, "*"], root: root)
                default: break
                }
            }
        }
        for root in PackLoader.builtInSchema.sections {
            // A missing section is an `error`, never a pass (checked below with the rest).
            out.append(Removal(path: [root.name], field: nil, root: root.name, meaning: nil))
            fields(root.record, prefix: root.shape == .collection ? [root.name, "*"] : [root.name], root: root.name)
        }
        return out
    }

    /// The document with every value at `path` removed; nil when nothing was there to remove.
    static func removing(_ path: ArraySlice<String>, from v: Any) -> (Any, Bool) {
        guard let key = path.first else { return (v, false) }
        if key == "*" {
            guard let xs = v as? [Any] else { return (v, false) }
            var changed = false
            let ys = xs.map { x -> Any in
                let (y, c) = removing(path.dropFirst(), from: x); changed = changed || c; return y
            }
            return (ys, changed)
        }
        guard var o = v as? [String: Any], let inner = o[key] else { return (v, false) }
        if path.count == 1 {
            o[key] = nil
            return (o, true)
        }
        let (y, c) = removing(path.dropFirst(), from: inner)
        o[key] = y
        return (o, c)
    }

    @Test func removingEvidenceNeverPassesUnlessAbsenceIsDocumented() throws {
        Repo.enter()
        let loaded = PackLoader.embedded()
        let checked = try #require(Checker.check(loaded.source, schema: PackLoader.builtInSchema).pack)
        let engine = Engine(pack: checked)
        // The same pack without join indexes: every verdict must agree (docs/dsl.md).
        let scanning = Engine(
            pack: try #require(
                Checker.check(loaded.source, schema: PackLoader.builtInSchema, options: CheckOptions(indexJoins: false))
                    .pack))
        var disagreements: [String] = []
        let (files, bases, _) = RuleTestRunner.load(loaded)
        let ruleIndex = Dictionary(uniqueKeysWithValues: checked.rules.enumerated().map { ($1.id, $0) })

        // One passing case per rule, grouped by the document it produces.
        var byDocument: [String: (asOf: Day, rules: [(rule: Int, params: [ParamOverride])])] = [:]
        for f in files {
            guard let ri = ruleIndex[f.rule], var doc = bases[f.base]?.value,
                let c = f.cases.first(where: { $0.expect == .pass || $0.expect == .attested })
            else { continue }
            for op in c.patch { if case .success(let d) = RuleTestRunner.apply(op, to: doc) { doc = d } }
            let text = RuleTestRunner.toJSON(doc).render()
            byDocument[text, default: (f.asOf, [])].rules.append((ri, c.params))
        }
        #expect(
            Set(byDocument.values.flatMap { $0.rules.map(\.rule) }).count == checked.rules.count,
            "every rule has a passing case")

        var silent: [String] = []
        var tried = 0, dependent = 0
        for (text, group) in byDocument.sorted(by: { $0.key < $1.key }) {
            let original = try JSONSerialization.jsonObject(with: Data(text.utf8))
            for removal in Self.removals() {
                let relevant = group.rules.filter { ri, _ in
                    let rule = checked.rules[ri]
                    // Only evidence the rule reads: a field it names, or a section it examines.
                    if let f = removal.field { return rule.reads.contains(f) }
                    return rule.appliesRoots.union(rule.expectRoots).contains(
                        PackLoader.builtInSchema.sectionIndex[removal.root]!)
                }
                guard !relevant.isEmpty else { continue }
                let (mutated, changed) = Self.removing(removal.path[...], from: original)
                guard changed,
                    let facility = try Self.facility(
                        mutated, provider: removal.path == ["provider"] ? nil : loaded.providerProfile)
                else { continue }
                for (ri, params) in relevant {
                    tried += 1
                    let state = Self.state(engine, checked, facility, ri, params, group.asOf)
                    let scanned = Self.state(scanning, checked, facility, ri, params, group.asOf)
                    if scanned != state {
                        disagreements.append(
                            "\(checked.rules[ri].id) without \(removal): \(state.rawValue) with the index, "
                                + "\(scanned.rawValue) without"
                        )
                    }
                    guard state == .pass || state == .attested, removal.meaning == nil else { continue }
                    // Does the verdict depend on this evidence? Put other values in its place, in
                    // every element and in the first one alone.
                    let candidates = Self.substitutes(removal, in: original, asOf: group.asOf)
                    for (candidate, onlyFirst) in candidates.map({ ($0, false) }) + candidates.map({ ($0, true) }) {
                        let (replaced, ok) = Self.replacing(
                            removal.path[...], in: original, with: candidate, onlyFirst: onlyFirst)
                        guard ok, let f = try Self.facility(replaced, provider: loaded.providerProfile),
                            Consistency.check(f, asOf: group.asOf).isEmpty
                        else { continue }
                        let s2 = Self.state(engine, checked, f, ri, params, group.asOf)
                        if s2 != .pass && s2 != .attested {
                            dependent += 1
                            silent.append(
                                "\(checked.rules[ri].id): passes without \(removal), fails (\(s2.rawValue)) with it "
                                    + "set to \(candidate)"
                            )
                            break
                        }
                    }
                }
            }
        }
        #expect(tried > 200, "\(tried) removals evaluated")
        let listed = silent.prefix(40).joined(separator: "\n")
        #expect(silent.isEmpty, "\(silent.count) silent passes:\n\(listed)")
        let differ = disagreements.prefix(40).joined(separator: "\n")
        #expect(
            disagreements.isEmpty, "\(disagreements.count) verdicts differ with and without join indexes:\n\(differ)")
    }

    static func facility(
        _ doc: Any, provider: (value: Value, location: TenkenSyntax.SourceLocation?)?
    ) throws -> Facility? {
        let bytes = try JSONSerialization.data(withJSONObject: doc)
        var loader = SnapshotLoader(schema: PackLoader.builtInSchema)
        guard var facility = loader.loadSnapshot(bytes: Array(bytes), path: "property.json"),
            !loader.diagnostics.contains(where: { $0.severity == .error })
        else { return nil }
        if let pi = PackLoader.builtInSchema.sectionIndex["provider"], facility.roots[pi] == nil, let p = provider {
            facility.roots[pi] = p.value
        }
        return facility
    }

    static func state(
        _ engine: Engine, _ pack: CheckedPack, _ f: Facility, _ ri: Int, _ params: [ParamOverride], _ asOf: Day
    ) -> RuleState {
        let (values, settings, _) = ParamResolver.resolve(pack, overrides: f.overrides + params)
        return engine.evaluate(f, asOf: asOf, params: values, settings: settings).results[ri].state
    }

    /// The document with every value at `path` set to `value` (where the path exists).
    static func replacing(
        _ path: ArraySlice<String>, in v: Any, with value: Any, onlyFirst: Bool = false
    ) -> (Any, Bool) {
        guard let key = path.first else { return (v, false) }
        if key == "*" {
            guard let xs = v as? [Any] else { return (v, false) }
            var changed = false
            let ys = xs.map { x -> Any in
                if onlyFirst && changed { return x }
                let (y, c) = replacing(path.dropFirst(), in: x, with: value, onlyFirst: onlyFirst)
                changed = changed || c
                return y
            }
            return (ys, changed)
        }
        guard var o = v as? [String: Any] else { return (v, false) }
        if path.count == 1 {
            o[key] = value
            return (o, true)
        }
        guard let inner = o[key] else { return (v, false) }
        let (y, c) = replacing(path.dropFirst(), in: inner, with: value, onlyFirst: onlyFirst)
        o[key] = y
        return (o, c)
    }

    /// Other values the removed evidence could have had.
    static func substitutes(_ r: Removal, in doc: Any, asOf: Day) -> [Any] {
        guard let f = r.field,
            let schema = PackLoader.builtInSchema.sections.lazy.compactMap({ Self.record(f.record, in: $0.record) })
                .first,
            let field = schema.field(f.field)
        else { return [] }
        func ids(_ root: String) -> [Any] {
            guard let xs = (doc as? [String: Any])?[root] as? [[String: Any]] else { return [] }
            let idf =
                PackLoader.builtInSchema.sections[PackLoader.builtInSchema.sectionIndex[root]!].record.idField ?? "id"
            return Array(xs.compactMap { $0[idf] }.prefix(3))
        }
        let old = "2000-01-01", recent = asOf.subtracting(Duration.days(1)).description
        func values(_ t: FieldType) -> [Any] {
            switch t {
            case .bool: return [true, false]
            case .int: return [0, 5, 13, 1000]
            case .date: return [old, recent, asOf.description]
            case .duration: return [0, 1, 100_000]
            case .enumeration(let vs): return vs
            case .string: return (field.references.map(ids) ?? []) + ids(r.root) + ["ZZ-1"]
            case .list(.record): return [[Any]()]
            case .list(let inner): return [[Any]()] + values(inner).prefix(3).map { [$0] }
            case .record: return []
            }
        }
        return values(field.type)
    }

    static func record(_ name: String, in r: RecordSchema) -> RecordSchema? {
        if r.name == name { return r }
        for f in r.fields {
            switch f.type {
            case .record(let inner), .list(.record(let inner)): if let x = record(name, in: inner) { return x }
            default: continue
            }
        }
        return nil
    }

    /// Every documented absence says what it means, in both languages.
    @Test func everyDocumentedAbsenceIsWorded() {
        for removal in Self.removals() {
            guard let m = removal.meaning else { continue }
            #expect(!m.ja.isEmpty && !m.en.isEmpty, "\(removal)")
        }
    }
}
