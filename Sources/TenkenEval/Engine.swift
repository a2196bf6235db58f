import TenkenCheck
import TenkenData
import TenkenSyntax

/// Evaluates a checked pack against facilities. Pure: the as-of date and parameters are
/// inputs; nothing reads the clock, the environment or a file.
public final class Engine: Sendable {
    public let pack: CheckedPack
    let maxSlots: Int
    /// The rules' conditions flattened for the evaluation that decides verdicts (`FastEval`).
    let program: Program
    /// The most violations a rule lists; the rest are counted (`RuleResult.unlisted`), not
    /// built, so an inventory of 20,000 blank rows cannot fill memory with findings.
    public let maxFindings: Int
    public static let defaultMaxFindings = 1000
    /// The sections' names, spelled out once.
    let rootNames: [String]
    /// Where a rule's `attestation` clause finds its answers (`statements`, docs/dsl.md
    /// "Mechanisms"); nil for a pack that declares none, whose rules have no such clause.
    let statements: Statements?
    /// Whether a rule reads the published profile's section: a facility that gives none gets
    /// the "none given" warning only then (a pack whose rules never read it has nothing to
    /// judge against it).
    let profileRead: Bool

    public convenience init(pack: CheckedPack) { self.init(pack: pack, maxFindings: Engine.defaultMaxFindings) }

    /// - Parameter maxFindings: violations listed per rule (nil: all of them).
    public init(pack: CheckedPack, maxFindings: Int?) {
        self.pack = pack
        maxSlots = pack.rules.map(\.slotCount).max() ?? 1
        program = Program(pack: pack)
        self.maxFindings = max(1, maxFindings ?? Int.max)
        rootNames = pack.schema.sections.map(\.name)
        statements = pack.schema.mechanisms.statements
        profileRead =
            pack.schema.mechanisms.published.map { p in
                pack.rules.contains { $0.appliesRoots.contains(p.section) || $0.expectRoots.contains(p.section) }
            } ?? false
    }

    /// - Parameter detail: how much of each finding to build; `.elements` for a run whose
    ///   reports only count and name findings (a batch's aggregate), `.full` otherwise.
    public func evaluate(
        _ given: Facility, asOf: Day, params: [Value], settings: [ParamSetting], detail: FindingDetail = .full
    ) -> FacilityResult {
        // Ids in one spelling, and blanks other records contradict read as unknown.
        let facility = given.normalised()
        let m = machine(facility, params: params, asOf: asOf)
        m.detail = detail
        var results: [RuleResult] = []
        results.reserveCapacity(pack.rules.count)
        // The rules and their code are read in place: a copy of each (a large struct) would
        // retain all it holds.
        pack.rules.withUnsafeBufferPointer { rules in
            program.rules.withUnsafeBufferPointer { codes in
                guard let rule = rules.baseAddress, let code = codes.baseAddress else { return }
                for i in rules.indices {
                    // Appended, then amended in place: a result is a large struct.
                    results.append(evaluate(rule + i, code + i, m))
                    let k = results.count - 1
                    // A finding that read no element points at the first section its rule examines.
                    if results[k].state == .fail, detail == .full {
                        let fallback = rules[i].expectRoots.sorted().lazy.compactMap { facility.rootLocations[$0] }
                            .first
                        for j in results[k].violations.indices where !results[k].violations[j].hasLocation {
                            results[k].violations[j].location = fallback
                        }
                    }
                }
            }
        }
        return FacilityResult(
            facilityID: facility.id, facilityName: facility.subjectName, asOf: asOf, pack: pack.info, params: settings,
            results: results, sources: facility.sources,
            providerProfile: ProviderProfile.of(
                facility.roots, pack: pack, params: params, asOf: asOf, read: profileRead))
    }

    /// A machine over `facility` with the pack's slots and lookups, the facility's tables and
    /// section places: what evaluating its rules, or one rule's `renew`, reads.
    func machine(_ facility: Facility, params: [Value], asOf: Day) -> Machine {
        let m = Machine(
            roots: facility.roots, schema: facility.schema, params: params, asOf: asOf, slots: maxSlots,
            lookups: program.lookupCount)
        m.tables = facility.tables
        m.tablesInWorkbook = facility.tablesInWorkbook
        m.rootLocations = facility.rootLocations
        return m
    }

    /// How long a statement counts, from its rule's `renew` as evaluated: a renewal that is no
    /// period (a parameter the facility left blank) is a year.
    static func renewal(_ renew: Value) -> Duration {
        if case .duration(let d) = renew { return d }
        return Duration(months: 12)
    }

    /// Resolves parameters and evaluates in one call.
    public func evaluate(
        _ facility: Facility, asOf: Day, commandLine: [ParamOverride] = [], detail: FindingDetail = .full
    ) -> (FacilityResult, [Diagnostic]) {
        let (values, settings, diags) = ParamResolver.resolve(pack, overrides: facility.overrides + commandLine)
        return (
            evaluate(facility, asOf: asOf, params: values, settings: settings, detail: detail),
            diags + orphanAttestations(facility)
        )
    }

    /// `attestation.unknown-item` (a warning, at the row): an attestation whose `item` no rule
    /// of the pack asks for vouches for nothing, while the person who gave it believes they
    /// attested (a typo, `no-written-credential`). The typed item is not shown (it is free
    /// text); "did you mean" names the item it is close to.
    public func orphanAttestations(_ facility: Facility) -> [Diagnostic] {
        guard let st = statements, case .list(let xs)? = facility.roots[st.section] else { return [] }
        let fi = st.item
        let keys = Set(pack.rules.compactMap { $0.attestation?.key })
        var out: [Diagnostic] = []
        for case .record(let r) in xs {
            guard case .string(let item) = r.values[fi], !keys.contains(item) else { continue }
            out.append(
                Diagnostic(
                    "attestation.unknown-item", .warning,
                    "this attestation names an item no rule of the pack asks for (its text is not shown), so it "
                        + "vouches for nothing",
                    at: r.location(ofField: fi),
                    help: closestMatch(to: item, in: keys).map { "did you mean `\($0)`?" }
                        ?? "`tenken attest` lists the items the pack asks for"))
        }
        return out
    }

    /// - Parameter roots: the sections the rule needs, in order.
    func missingSection(_ roots: [Int], _ m: Machine) -> RuleResult? {
        guard lacksSection(roots, m) else { return nil }
        let missing = roots.filter { m.roots[$0] == nil }
        guard !missing.isEmpty else { return nil }
        if let tables = m.tables {
            let files = Array(Set(missing.map { tables[$0] })).sorted().joined(separator: ", ")
            return RuleResult(
                ruleID: "", state: .error,
                reason: m.tablesInWorkbook
                    ? Bilingual(
                        ja: "この規則に必要なシート \(files) がブックにありません",
                        en: "this rule needs the sheet \(files), which the workbook does not have")
                    : Bilingual(
                        ja: "この規則に必要な表 \(files) がフォルダにありません",
                        en: "this rule needs the table \(files), which the folder does not have"),
                violations: [], attestation: nil, examined: 0)
        }
        let list = missing.map { "`\(rootNames[$0])`" }.joined(separator: ", ")
        return RuleResult(
            ruleID: "", state: .error,
            reason: Bilingual(
                ja: "この規則に必要なセクション \(list) が入力にありません",
                en: "the input has no \(list) section, which this rule needs"),
            violations: [], attestation: nil, examined: 0)
    }

    /// Whether a section of `roots` is missing: asked before `missingSection` builds anything,
    /// since a facility nearly always has them all.
    @inline(__always)
    func lacksSection(_ roots: [Int], _ m: Machine) -> Bool { roots.contains { m.roots[$0] == nil } }

    func evaluate(_ rule: CheckedRule, _ code: Program.RuleCode, _ m: Machine) -> RuleResult {
        withUnsafePointer(to: rule) { r in withUnsafePointer(to: code) { evaluate(r, $0, m) } }
    }

    /// Evaluates one rule, read in place: a copy of the rule (a large struct) or of its code
    /// would retain and release everything it holds, for every rule of every facility.
    func evaluate(
        _ rule: UnsafePointer<CheckedRule>, _ code: UnsafePointer<Program.RuleCode>, _ m: Machine
    )
        -> RuleResult
    {
        m.ensureSlots(rule.pointee.slotCount)
        if lacksSection(code.pointee.appliesRoots, m), var r = missingSection(code.pointee.appliesRoots, m) {
            r.ruleID = rule.pointee.id
            return r
        }
        let fast = FastEval(program, m)
        if let a = rule.pointee.applies, let ac = code.pointee.applies {
            switch fast.cond(ac) {
            case .no:
                let reason =
                    rule.pointee.otherwise
                    ?? Bilingual(
                        ja: "適用条件（\(rule.pointee.appliesSource ?? "")）を満たしません",
                        en: "does not apply: `\(rule.pointee.appliesSource ?? "")` is false")
                return RuleResult(
                    ruleID: rule.pointee.id, state: .notApplicable, reason: reason, violations: [], attestation: nil,
                    examined: 0)
            case .unknown:
                let u = undecided(m, element: nil) { _ = m.eval(a) }
                return RuleResult(
                    ruleID: rule.pointee.id, state: .unknown,
                    reason: Bilingual(
                        ja: "この規則が適用されるか判定できません（\(u.labels.ja) が不明）",
                        en: "cannot tell whether this rule applies (\(u.labels.en) unknown)"),
                    violations: [], undetermined: [u.finding], attestation: nil, examined: 0)
            case .yes: break
            }
        }
        if lacksSection(code.pointee.expectRoots, m), var r = missingSection(code.pointee.expectRoots, m) {
            r.ruleID = rule.pointee.id
            return r
        }
        var violations: [Violation] = []
        var undetermined: [Violation] = []
        var examined = 0
        var unlisted = Unlisted()
        let codes = code.pointee.expects
        rule.pointee.expects.withUnsafeBufferPointer { expects in
            guard let first = expects.baseAddress else { return }
            for i in expects.indices {
                let (v0, u0) = (violations.count, undetermined.count)
                examined += check(
                    first + i, codes[i], fast, into: &violations, undetermined: &undetermined, unlisted: &unlisted)
                for j in v0..<violations.count { violations[j].expect = i + 1 }
                for j in u0..<undetermined.count { undetermined[j].expect = i + 1 }
            }
        }
        if !violations.isEmpty {
            return RuleResult(
                ruleID: rule.pointee.id, state: .fail, reason: nil, violations: violations, undetermined: undetermined,
                attestation: nil, examined: examined, unlisted: unlisted.violations,
                unlistedUndetermined: unlisted.undetermined)
        }
        if !undetermined.isEmpty {
            return RuleResult(
                ruleID: rule.pointee.id, state: .unknown, reason: Engine.unknownReason, violations: [],
                undetermined: undetermined,
                attestation: nil, examined: examined, unlistedUndetermined: unlisted.undetermined)
        }
        if let att = rule.pointee.attestation {
            var r = attest(att, rule.pointee, code.pointee, fast)
            r.examined = examined
            return r
        }
        return RuleResult(
            ruleID: rule.pointee.id, state: .pass, reason: nil, violations: [], attestation: nil, examined: examined)
    }

    static let unknownReason = Bilingual(
        ja: "判定に必要な値が入力にありません。下の値を記入すると判定できます（空欄は「不明」、該当がなければ「なし」）",
        en:
            "the input lacks values the verdict needs; fill in the values below (a blank means unknown; write none "
            + "for an empty list)"
    )

    /// Findings found past `maxFindings`, counted, not built.
    struct Unlisted {
        var violations = 0
        var undetermined = 0
    }

    /// Checks one expectation; appends a violation per offending element and an undetermined
    /// finding per element it could not decide, up to `maxFindings` of each (the rest are
    /// counted in `unlisted`). Returns how many elements were examined.
    /// The verdicts come from `fast` (the expectation compiled as `code`); the evidence from
    /// the expectation's nodes, evaluated again with tracing.
    func check(
        _ e: UnsafePointer<CheckedExpect>, _ code: Program.RuleCode.Expect, _ fast: FastEval,
        into out: inout [Violation],
        undetermined: inout [Violation], unlisted: inout Unlisted
    ) -> Int {
        let m = fast.m
        // The expectation is read only where a finding is built.
        switch code {
        case .single(let c):
            let t = fast.cond(c)
            if t == .yes { return 1 }
            guard case .single(let n) = e.pointee.shape else { break }
            if t == .unknown {
                if undetermined.count >= maxFindings { unlisted.undetermined += 1; return 1 }
                undetermined.append(undecided(m, element: nil) { _ = m.eval(n) }.finding)
                return 1
            }
            if out.count >= maxFindings { unlisted.violations += 1; return 1 }
            if m.detail == .elements { out.append(Violation(element: nil)); return 1 }
            m.tracing = true
            m.trace.removeAll()
            _ = m.eval(n)
            m.tracing = false
            let decisive = m.trace.last { !$0.isRecordValue }.map { $0.record.lazyLocation(ofField: $0.field) }
            let ev = evidence(m)
            let message =
                render(e.pointee.message, m)
                ?? Bilingual(
                    ja: "条件を満たしていません: \(e.pointee.source)", en: "condition not met: \(e.pointee.source)")
            // No value decided it (no row meets a `some`): the section the row is missing from.
            if decisive == nil, ev.isEmpty, let missing = sectionEvidence(n.readRoots, m) {
                out.append(Violation(message: message, element: nil, location: missing.location, evidence: [missing]))
                return 1
            }
            out.append(Violation(message: message, element: nil, place: decisive ?? ev.first?.place, evidence: ev))
            return 1
        case .perElement(let lc, let body, let every):
            // The record of the per-element work, which copies the expectation and its loop.
            func elementCheck() -> ElementCheck {
                guard case .perElement(_, let loop) = e.pointee.shape else {
                    preconditionFailure("the program is compiled from the same expectations, in order")
                }
                return ElementCheck(
                    engine: self, expect: e.pointee, loop: loop, body: body, every: every, fast: fast,
                    room: maxFindings - out.count, undecidedRoom: maxFindings - undetermined.count)
            }
            let flat = fast.loops[Int(lc)]
            if flat.count == 1 {
                // One binding, the usual shape: each element is decided here, in place (no
                // closure called per element), and the per-element work's record
                // (`ElementCheck`, which copies the expectation) is made only for an element
                // that needs a finding.
                var ctx: ElementCheck?
                var examined = 0
                fast.forEachSingle(flat) { inc in
                    examined += 1
                    let p = body >= 0 ? fast.cond(body) : .yes
                    let holds = every ? inc.kleeneImplies(p) : inc.kleeneNand(p)
                    if holds != .yes {
                        let c = ctx ?? elementCheck()
                        ctx = c
                        c.note(holds)
                    }
                    return .next
                }
                if let ctx {
                    out += ctx.violations
                    undetermined += ctx.undetermined
                    unlisted.violations += ctx.unlisted.violations
                    unlisted.undetermined += ctx.unlisted.undetermined
                }
                return examined
            }
            // The visitor captures one reference: copying the expectation into the closure
            // context would happen again at every level of the loop, for every element.
            let ctx = elementCheck()
            fast.forEach(lc) { ctx.visit($0) }
            out += ctx.violations
            undetermined += ctx.undetermined
            unlisted.violations += ctx.unlisted.violations
            unlisted.undetermined += ctx.unlisted.undetermined
            return ctx.examined
        }
        preconditionFailure("the program is compiled from the same expectations, in order")
    }

    /// Re-runs `run` with tracing on and turns the unknown values it read into a finding:
    /// each unknown value is evidence with its place (the cell or JSON pointer to fill in).
    /// With `FindingDetail.elements`, only the element: nothing is run.
    func undecided(_ m: Machine, element: String?, _ run: () -> Void) -> (finding: Violation, labels: Bilingual) {
        if m.detail == .elements { return (Violation(element: element), Bilingual(ja: "値", en: "a value")) }
        m.tracing = true
        m.undecidedMode = true
        m.trace.removeAll()
        run()
        m.tracing = false
        m.undecidedMode = false
        let unknownReads = m.trace.filter(\.isUnknown)
        m.trace = unknownReads
        let ev = evidence(m)
        let ja = ev.map { $0.name(ja: true) }.joined(separator: "、")
        let en = ev.map { $0.name(ja: false) }.joined(separator: ", ")
        let labels = Bilingual(ja: ja.isEmpty ? "値" : ja, en: en.isEmpty ? "a value" : en)
        let message =
            element.map {
                Bilingual(
                    ja: "\($0) について判定できません: \(labels.ja) が不明です", en: "cannot decide for \($0): \(labels.en) unknown")
            } ?? Bilingual(ja: "判定できません: \(labels.ja) が不明です", en: "cannot decide: \(labels.en) unknown")
        return (Violation(message: message, element: element, place: ev.first?.place, evidence: ev), labels)
    }

    /// The first section of `roots` with a place in the input, as evidence that no row of it
    /// met the condition: the place of a finding about a missing row.
    func sectionEvidence(_ roots: Set<Int>, _ m: Machine) -> Evidence? {
        for r in roots.sorted() where r < m.rootLocations.count {
            if pack.schema.sections[r].shape == .collection, let l = m.rootLocations[r] {
                return Evidence(section: r, at: l, schema: pack.schema)
            }
        }
        return nil
    }

    func evidence(_ m: Machine) -> [Evidence] {
        struct Key: Hashable { let record: ObjectIdentifier; let field: Int; let label: String }
        var seen = Set<Key>()
        var out: [Evidence] = []
        for r in m.trace where !r.isRecordValue {
            guard seen.insert(Key(record: ObjectIdentifier(r.record), field: r.field, label: r.label)).inserted else {
                continue
            }
            out.append(Evidence(label: r.label, record: r.record, field: r.field))
        }
        m.trace.removeAll()
        return out
    }

    func render(_ t: BilingualTemplate?, _ m: Machine) -> Bilingual? {
        guard let t else { return nil }
        let was = m.tracing
        m.tracing = false
        defer { m.tracing = was }
        func one(_ tpl: Template, ja: Bool) -> String {
            tpl.parts.map { part in
                switch part {
                case .text(let s): s
                case .value(let n): Words.value(m.eval(n), of: field(of: n, m), ja: ja, in: pack.schema)
                }
            }.joined()
        }
        return Bilingual(ja: one(t.ja, ja: true), en: one(t.en, ja: false))
    }

    /// The schema field a template's value is read from (`{d.kind}`), so its choice is shown
    /// in the reader's words; nil for a value of no field.
    func field(of n: Node, _ m: Machine) -> FieldSchema? {
        guard case .field(let base, let i, _) = n, case .record(let r) = m.eval(base), i < r.schema.fields.count else {
            return nil
        }
        return r.schema.fields[i]
    }

    // MARK: attestation

    /// The attestation step, after the data passed. A statement that is missing, unusable or
    /// run out leaves the rule `manual` or `fail` — unless the data already shows the item met
    /// (the clause's `unless`), and then the rule passes without one. A statement on file that
    /// says "no" fails the rule whatever the data shows: a person knows something it does not.
    /// An incomplete "no" (undated, unsigned, by the wrong role…), or one whose answer cannot
    /// be read, is never replaced by the data's showing: it stays `manual`, naming what is
    /// missing. A "not applicable" runs out as a "yes" does: run out, it leaves the rule
    /// `manual` (unless the data shows the item met), never `notApplicable` for good. A
    /// statement vouches only when its signer may sign (`Signers`: on the staff
    /// roster and employed on the day, holding the role that day).
    func attest(
        _ a: CheckedAttestation, _ rule: CheckedRule, _ code: Program.RuleCode, _ fast: FastEval
    ) -> RuleResult {
        let m = fast.m
        let renew = Engine.renewal(code.renew.map(fast.eval) ?? m.eval(a.renew))
        // Checked: a rule has an `attestation` clause only in a pack that declares statements.
        guard let st = statements else {
            return RuleResult(
                ruleID: rule.id, state: .error,
                reason: Bilingual(
                    ja: "このパックは証明（statements）を宣言していません",
                    en: "this pack declares no statements to answer the attestation"),
                violations: [], attestation: nil, examined: 0)
        }
        let fields = pack.schema.sections[st.section].record.fields
        // A statement's field as the pack names it (`signed_on`), for the English messages.
        func name(_ i: Int) -> String { fields[i].name }
        var latest: Record?
        var undated: [Record] = []
        if case .list(let xs)? = m.roots[st.section] {
            for case .record(let r) in xs {
                // Fields by position, not by name: this runs for every row and attested rule.
                guard case .string(let item) = r.values[st.item], item == a.key else { continue }
                guard case .date(let d) = r.values[st.signedOn] else { undated.append(r); continue }
                // On the same date the later row wins: `tenken attest` appends, never rewrites.
                if let l = latest, case .date(let ld) = l.values[st.signedOn], ld > d { continue }
                latest = r
            }
        }
        // A row that says "no", whose answer cannot be read (a column the table lacks), or whose
        // answer is none of the declared three words, may deny the item: the data's showing
        // never stands in for it.
        func mayDeny(_ r: Record) -> Bool {
            switch r.values[st.answer] {
            case .string(let s): s != st.yes && s != st.notApplicable
            case .unknown: true
            default: false
            }
        }
        let denied = undated.contains(where: mayDeny) || latest.map(mayDeny) == true
        // The data shows the item met only when its condition is certainly true; unknown
        // evidence falls back on a person's statement.
        let shown = !denied && (code.unless.map { fast.cond($0) == .yes } ?? false)
        // The item as each language names it: 「key」 in Japanese, `key` in English.
        let keyJa = "「\(a.key)」", keyEn = "`\(a.key)`"
        func shownByData(_ info: AttestationInfo?) -> RuleResult {
            // The values that showed it, in the reader's words (the condition itself is the
            // rule's code, for `explain`).
            var shownBy = Bilingual(ja: "", en: "")
            if let u = a.unless, m.detail == .full {
                m.tracing = true
                m.trace.removeAll()
                _ = m.cond(u)
                m.tracing = false
                let ev = evidence(m)
                shownBy.ja = ev.map { "\($0.name(ja: true)) \($0.valueJa)" }.joined(separator: "、")
                shownBy.en = ev.map { "\($0.name(ja: false)) \($0.value)" }.joined(separator: ", ")
            }
            return RuleResult(
                ruleID: rule.id, state: .pass,
                reason: Bilingual(
                    ja: "データが満たしていることを示すため、証明\(keyJa)は不要です" + (shownBy.ja.isEmpty ? "" : "（\(shownBy.ja)）"),
                    en: "the data shows this met, so attestation \(keyEn) is not needed"
                        + (shownBy.en.isEmpty ? "" : " (\(shownBy.en))")),
                violations: [], attestation: info, examined: 0)
        }
        // The roles in words, for the two messages that name them.
        func roles() -> Bilingual { Words.roles(a.roles, in: pack.schema) }
        // Where the data shows the item met, an incomplete statement is not needed.
        func manual(_ ja: String, _ en: String, _ info: AttestationInfo? = nil) -> RuleResult {
            if shown { return shownByData(nil) }
            return RuleResult(
                ruleID: rule.id, state: .manual, reason: Bilingual(ja: ja, en: en), violations: [], attestation: info,
                examined: 0)
        }
        // What a field of a statement lacks: blank, or not known (the table has no column for it).
        func lacking(_ r: Record, _ field: Int) -> (ja: String, en: String)? {
            switch r.values[field] {
            case .unknown: ("不明（表にその列がありません）", "unknown (the table has no column for it)")
            case .null: ("空欄", "blank")
            case .string(let s) where CellText.clean(s).text.isEmpty: ("空欄", "blank")
            default: nil
            }
        }
        // An answer without a date cannot be weighed against the others: a person must date it.
        if let u = undated.first {
            let why = lacking(u, st.signedOn) ?? ("日付として読めません", "not a date")
            return manual(
                "証明\(keyJa)に日付のない回答があります（回答日が\(why.ja)、\(u.origin.resolved)）",
                "attestation \(keyEn) has an answer without a date (\(name(st.signedOn)) \(why.en), \(u.origin.resolved))"
            )
        }
        guard let rec = latest, case .date(let signed) = rec.values[st.signedOn] else {
            return manual(
                "\(roles().ja)による証明\(keyJa)（\(renew.descriptionJa)ごとに更新）が必要です",
                "needs attestation \(keyEn) by \(roles().en), renewed every \(renew)")
        }
        // A row with no answer vouches for nothing: it still needs a person's word.
        guard case .string(let answer) = rec.values[st.answer] else {
            let why = lacking(rec, st.answer) ?? ("読めません", "unreadable")
            return manual("証明\(keyJa)の回答が\(why.ja)です", "attestation \(keyEn) has no answer (\(why.en))")
        }
        func text(_ field: Int) -> String? {
            if case .string(let s) = rec.values[field], !CellText.clean(s).text.isEmpty { return s }
            return nil
        }
        let byRole = text(st.role), by = text(st.signer)
        let until = signed.adding(renew)
        let info = AttestationInfo(
            key: a.key, answer: answer, byRole: byRole, by: by,
            signedOn: signed, validUntil: until, location: rec.origin.resolved,
            byRoleJa: byRole.map { Words.role($0, ja: true, in: pack.schema) })
        let signedPlace = rec.lazyLocation(ofField: st.signedOn)
        let signedLabel = rec.schema.name + "." + name(st.signedOn)
        func fail(_ ja: String, _ en: String) -> RuleResult {
            RuleResult(
                ruleID: rule.id, state: .fail, reason: nil,
                violations: [
                    Violation(
                        message: Bilingual(ja: ja, en: en), element: a.key, place: signedPlace,
                        evidence: [Evidence(label: signedLabel, record: rec, field: st.signedOn)])
                ],
                attestation: info, examined: 0)
        }
        // A statement that cannot count names the cell that settles it, as every finding does.
        func at(_ field: Int) -> String { rec.lazyLocation(ofField: field).resolved.description }
        if signed > m.asOf {
            return manual(
                "証明\(keyJa)の日付 \(signed) が基準日より後です（\(at(st.signedOn))）",
                "attestation \(keyEn) is dated \(signed), after the as-of date (\(at(st.signedOn)))", info)
        }
        // Who vouches, in which role, must be on record: a statement by nobody in particular
        // vouches for nothing.
        guard let byRole else {
            let why = lacking(rec, st.role) ?? ("空欄", "blank")
            return manual(
                "証明\(keyJa)の回答者の役割が\(why.ja)です（\(at(st.role))）",
                "attestation \(keyEn) does not say in which role it was given (\(name(st.role)) \(why.en), \(at(st.role)))",
                info)
        }
        guard let by else {
            let why = lacking(rec, st.signer) ?? ("空欄", "blank")
            return manual(
                "証明\(keyJa)の回答者IDが\(why.ja)です（\(at(st.signer))）",
                "attestation \(keyEn) does not say who gave it (\(name(st.signer)) \(why.en), \(at(st.signer)))", info)
        }
        if !a.roles.contains(byRole) {
            return manual(
                "証明\(keyJa)の回答者の役割\(Words.role(byRole, ja: true, in: pack.schema))は、この項目に回答できる\(roles().ja)ではありません（\(at(st.role))）",
                "attestation \(keyEn) was signed by role \(byRole), but this item needs \(roles().en) (\(at(st.role)))",
                info)
        }
        // The roster and the appointments say who may sign: on the roster, employed that day,
        // holding the role (`Signers`; each only where the pack declares it).
        if let refusal = m.signers.check(by: by, role: byRole, on: signed) {
            let why = refusal.reason, place = rec.lazyLocation(ofField: refusal.field).resolved.description
            return manual(
                "証明\(keyJa)を数えられません: \(why.ja)（\(place)）", "attestation \(keyEn) cannot count: \(why.en) (\(place))",
                info)
        }
        let signer = Bilingual(ja: "\(Words.role(byRole, ja: true, in: pack.schema)) \(by)", en: "\(byRole) \(by)")
        switch answer {
        case st.no:
            return fail(
                "\(signer.ja) が \(signed) に「満たしていない」と回答しました",
                "\(signer.en) answered on \(signed) that this is not met")
        case st.notApplicable:
            // "Does not apply here" is a statement about the facility as it was on the day it was
            // signed, and facilities change: it is renewed as a "yes" is, and once it has run out
            // the rule needs a person's word again (or the data's showing), never a standing
            // not-applicable.
            if until < m.asOf {
                return manual(
                    "証明\(keyJa)の「対象外」は \(until) まで有効でした（\(signed) 署名、\(renew.descriptionJa)ごとに更新、"
                        + "\(at(st.signedOn))）",
                    "attestation \(keyEn) answering not applicable was valid until \(until) (signed \(signed), renewed every "
                        + "\(renew), \(at(st.signedOn)))",
                    info)
            }
            let reason = st.reason
            // A reason that only fills the cell (`なし`, `-`, `不明`, `n/a`) is no reason.
            guard let why = text(reason), !Statement.saysNothing(why) else {
                let what = lacking(rec, reason) ?? ("理由になっていない言葉だけです", "only a word that gives none")
                return manual(
                    "証明\(keyJa)は「対象外」ですが理由がありません（理由が\(what.ja)、\(at(reason))）",
                    "attestation \(keyEn) answers not applicable without a reason (\(name(reason)) \(what.en), "
                        + "\(at(reason)))",
                    info)
            }
            return RuleResult(
                ruleID: rule.id, state: .notApplicable,
                reason: Bilingual(ja: "証明により対象外: \(why)", en: "not applicable by attestation: \(why)"),
                violations: [], attestation: info, examined: 0)
        case st.yes:
            if until < m.asOf {
                if shown { return shownByData(nil) }
                return fail(
                    "証明\(keyJa)は \(until) まで有効でした（\(signed) 署名、\(renew.descriptionJa)ごとに更新）",
                    "attestation \(keyEn) was valid until \(until) (signed \(signed), renewed every \(renew))")
            }
            return RuleResult(
                ruleID: rule.id, state: .attested, reason: nil, violations: [], attestation: info, examined: 0)
        default:
            // Only the declared yes word vouches: any other value of the answer field is no answer.
            let words = [st.yes, st.no, st.notApplicable].map(Formatter.quote).joined(separator: ", ")
            return manual(
                "証明\(keyJa)の回答 \(Formatter.quote(answer)) は \(words) のどれでもありません（\(at(st.answer))）",
                "attestation \(keyEn) answers \(Formatter.quote(answer)), which is none of \(words) (\(at(st.answer)))",
                info)
        }
    }

}

/// The per-element work of one `every`/`none` expectation, held by reference.
final class ElementCheck {
    let engine: Engine
    let expect: CheckedExpect
    let loop: Loop
    /// The loop's body compiled (-1: none), for the verdict; `loop.body` gives the evidence.
    let body: Int32
    let every: Bool
    let m: Machine
    let fast: FastEval
    var examined = 0
    var violations: [Violation] = []
    var undetermined: [Violation] = []
    /// Findings found past `room` / `undecidedRoom`: counted, not built.
    var unlisted = Engine.Unlisted()
    let room: Int
    let undecidedRoom: Int

    init(
        engine: Engine, expect: CheckedExpect, loop: Loop, body: Int32, every: Bool, fast: FastEval, room: Int,
        undecidedRoom: Int
    ) {
        self.engine = engine
        self.expect = expect
        self.loop = loop
        self.body = body
        self.every = every
        m = fast.m
        self.fast = fast
        self.room = room
        self.undecidedRoom = undecidedRoom
    }

    @inline(__always)
    func visit(_ inc: Truth) -> Machine.Step {
        examined += 1
        let p = body >= 0 ? fast.cond(body) : .yes
        // `every`: the element holds unless it belongs (inc) and fails the body; `none`: it
        // holds unless it belongs and meets the body. Uncertain membership or body: unknown.
        note(every ? inc.kleeneImplies(p) : inc.kleeneNand(p))
        return .next
    }

    /// Records the current element's finding, if `holds` calls for one: a violation, or an
    /// undecided element (past `room` / `undecidedRoom`, only counted).
    func note(_ holds: Truth) {
        switch holds {
        case .no:
            if violations.count < room { record() } else { unlisted.violations += 1 }
        case .unknown:
            if undetermined.count < undecidedRoom { recordUndecided() } else { unlisted.undetermined += 1 }
        case .yes: break
        }
    }

    /// The names of the bound elements, as a violation names them (`G-12 / A-7`).
    var element: String {
        if loop.bindings.count == 1 { return name(m.slots[loop.bindings[0].slot]) }
        return loop.bindings.map { name(m.slots[$0.slot]) }.joined(separator: " / ")
    }

    /// The names of the bound elements (`G-12 / A-7`), leaving out stand-ins for unknown sets.
    var elementName: String {
        loop.bindings.compactMap { m.slots[$0.slot].isUnknown ? nil : name(m.slots[$0.slot]) }.joined(
            separator: " / ")
    }

    /// The record schema last named, and the position of its id field: `Record.displayID`
    /// finds the field by hashing its name for every element, while a loop's elements share
    /// a schema or two.
    private var namedSchema: ObjectIdentifier?
    private var idField: Int?

    /// `x.display`: a record's id, else where it is.
    func name(_ x: Value) -> String {
        guard case .record(let r) = x else { return x.display }
        let schema = r.schema
        if ObjectIdentifier(schema) != namedSchema {
            namedSchema = ObjectIdentifier(schema)
            idField = schema.idField.flatMap { schema.index[$0] }
        }
        if let f = idField, case .string(let id) = r.values[f] { return id }
        return r.origin.path
    }

    /// Evaluates what made the current combination uncertain, with tracing on: an unknown
    /// collection or join key (read again), an element whose join field is unknown, then the
    /// filter and the body.
    func traceUncertainty() {
        for b in loop.bindings {
            let x = m.slots[b.slot]
            switch b.source {
            case .scan(let n):
                if x.isUnknown { _ = m.eval(n) }
            case .lookup(_, let field, let key, let label), .lookupContains(_, let field, let key, let label):
                // The key's reads (an unknown key made every element uncertain), then the
                // element's own field if it is the unknown one.
                _ = m.eval(key)
                if case .record(let r) = x {
                    let read = Machine.Read(label: label, record: r, field: field)
                    if read.isUnknown { m.trace.append(read) }
                }
            }
        }
        if let f = loop.filter { _ = m.eval(f) }
        if let b = loop.body { _ = m.eval(b) }
    }

    func recordUndecided() {
        undetermined.append(engine.undecided(m, element: elementName) { traceUncertainty() }.finding)
    }

    /// Re-runs this element with tracing on to record the values that decided it; with
    /// `FindingDetail.elements`, records only the element.
    func record() {
        if m.detail == .elements {
            violations.append(Violation(element: element))
            return
        }
        m.tracing = true
        m.trace.removeAll()
        if let f = loop.filter { _ = m.eval(f) }
        let bodyStart = m.trace.count
        if let b = loop.body { _ = m.eval(b) }
        m.tracing = false
        let records = loop.bindings.compactMap { b -> Record? in
            if case .record(let r) = m.slots[b.slot] { return r }
            return nil
        }
        // Point at the value that decided: the last scalar the condition read from the
        // innermost element (`and` stops at the false one), else from any bound element,
        // else the element itself.
        let bodyReads = m.trace[bodyStart...].filter { !$0.isRecordValue }
        let decisive =
            bodyReads.last { $0.record === records.last }
            ?? bodyReads.last { r in records.contains { $0 === r.record } }
        let location = decisive.map { $0.record.lazyLocation(ofField: $0.field) } ?? records.last?.origin
        let ev = engine.evidence(m)
        let element = self.element
        let msg =
            engine.render(expect.message, m)
            ?? Bilingual(
                ja: "\(element) が条件を満たしていません: \(expect.source)", en: "\(element) does not meet: \(expect.source)")
        // An element that is no row (a value of the rule's own list) with nothing read: the
        // section the body found no row in.
        if location == nil, ev.isEmpty, let missing = engine.sectionEvidence(loop.readRoots, m) {
            violations.append(
                Violation(message: msg, element: element, location: missing.location, evidence: [missing]))
            return
        }
        violations.append(Violation(message: msg, element: element, place: location, evidence: ev))
    }
}
