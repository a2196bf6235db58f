import TenkenCheck
import TenkenData
import TenkenEval

/// What a batch keeps of each facility: one letter per rule, so memory stays small however
/// many facilities there are. Letters: P pass, F fail, W waived, N not applicable, M manual,
/// A attested, E error.
public struct FacilitySummary: Sendable, Equatable {
    public enum Status: String, Sendable { case evaluated, error }
    public var id: String
    public var name: String?
    public var input: String
    public var status: Status
    public var states: String
    /// For facilities that failed to load: their errors; for evaluated ones: the warnings
    /// their input gave (`FacilityResult.inputWarnings`). One line each, at most ten.
    public var diagnostics: [String]
    /// Failures at the gate's level that the baseline does not know (nil without a baseline).
    public var newGaps: Int?
    /// The parameters the facility's report flags as loosened (`ParamSetting.flagged`), by
    /// name: an auditor sees over the whole batch who set their own bar lower.
    public var loosened: [String]

    public init(
        id: String, name: String?, input: String, status: Status, states: String, diagnostics: [String],
        newGaps: Int? = nil,
        loosened: [String] = []
    ) {
        self.id = id
        self.name = name
        self.input = input
        self.status = status
        self.states = states
        self.diagnostics = diagnostics
        self.newGaps = newGaps
        self.loosened = loosened
    }

    public static func letter(_ s: RuleState) -> Character { Character(Unicode.Scalar(byte(s))) }

    /// The state's letter as an ASCII byte (aggregates are scanned as bytes).
    public static func byte(_ s: RuleState) -> UInt8 {
        switch s {
        case .pass: UInt8(ascii: "P")
        case .fail: UInt8(ascii: "F")
        case .waived: UInt8(ascii: "W")
        case .notApplicable: UInt8(ascii: "N")
        case .manual: UInt8(ascii: "M")
        case .attested: UInt8(ascii: "A")
        case .error: UInt8(ascii: "E")
        case .unknown: UInt8(ascii: "U")
        }
    }

    public static func state(_ c: Character) -> RuleState? {
        switch c {
        case "P": .pass
        case "F": .fail
        case "W": .waived
        case "N": .notApplicable
        case "M": .manual
        case "A": .attested
        case "E": .error
        case "U": .unknown
        default: nil
        }
    }

    public static func of(_ r: FacilityResult, input: String) -> FacilitySummary {
        FacilitySummary(
            id: r.facilityID, name: r.facilityName, input: input, status: .evaluated,
            // From the letters' bytes: a String of Characters cost some 1,400 instructions a facility.
            states: String(decoding: r.results.map { byte($0.state) }, as: UTF8.self),
            diagnostics: r.inputWarnings.prefix(10).map(\.description), loosened: r.loosenedParams)
    }

    /// Whether some rule is in `state`. Bytes, not `String.contains("U")`: that is Foundation's
    /// substring search, some 4,000 instructions a call, several calls per facility of a batch.
    public func has(_ state: RuleState) -> Bool { states.utf8.contains(FacilitySummary.byte(state)) }

    public func count(_ level: Level?, _ state: RuleState, _ rules: [AggregateRule]) -> Int {
        FacilitySummary.count(states.utf8, level, state, rules)
    }

    /// The rules of `level` (any, for nil) whose letter in `states` is `state`'s. Bytes, not
    /// Characters: this runs for every facility of a batch, several times (a summary's states
    /// and a row's, `FacilityRows.View`).
    static func count(
        _ states: some Sequence<UInt8>, _ level: Level?, _ state: RuleState, _ rules: [AggregateRule]
    ) -> Int {
        let want = byte(state)
        var n = 0
        for (i, c) in states.enumerated()
        where i < rules.count && c == want && (level == nil || rules[i].level == level) { n += 1 }
        return n
    }
}

public struct AggregateRule: Sendable, Equatable {
    public var id: String
    public var implements: [String]
    public var level: Level
    /// Nil when the pack declares no categories.
    public var category: Category?
    public var title: Bilingual

    public init(id: String, implements: [String], level: Level, category: Category?, title: Bilingual) {
        self.id = id
        self.implements = implements
        self.level = level
        self.category = category
        self.title = title
    }
}

/// The aggregate of a batch (or of one shard of it). Sharded partial aggregates merge into
/// exactly the aggregate a single run gives: nothing here depends on how the work was split.
public struct Aggregate: Sendable {
    public static let version = 1
    public var asOf: String
    public var packID: String
    public var packVersion: String
    public var rules: [AggregateRule]
    /// The facilities, sorted by id and input, each kept as a compact row (`FacilityRows`).
    public private(set) var facilities: FacilityRows
    /// `i/n` for a partial aggregate.
    public var shard: String?
    /// Catalog items the pack declares out of scope: an aggregate names them as every report does.
    public var outOfScope: [OutOfScopeItem] = []
    /// Regular files of the batch folder that are not a facility (neither a folder nor a
    /// `*.json` snapshot): listed so an auditor sees what the run did not read.
    public var ignored: [String] = []
    /// The run's own parameter overrides (`--param`), `name=value`, sorted: the same for every
    /// facility of the run, and `merge` combines only parts run with the same ones.
    public var runParameters: [String] = []
    /// Per-rule counts, computed once in one pass over the facilities.
    let ruleStats: [RuleStats]
    /// The batch's totals, counted in that same pass: each file of the aggregate and the
    /// console's line read them, and counted afresh they cost a pass over every row each.
    let totals: Totals

    /// How many facilities are evaluated, and of those how many have a rule undecided
    /// (`unknown` or `error`), a required gap, a loosened parameter.
    struct Totals {
        var evaluated = 0, undecided = 0, requiredGaps = 0, loosened = 0
    }

    public init(
        asOf: String, packID: String, packVersion: String, rules: [AggregateRule],
        facilities: [FacilitySummary], shard: String?
    ) {
        self.init(
            asOf: asOf, packID: packID, packVersion: packVersion, rules: rules, rows: FacilityRows(facilities),
            shard: shard)
    }

    /// Takes the rows over (sorted in place: a batch may hold many thousands).
    public init(
        asOf: String, packID: String, packVersion: String, rules: [AggregateRule],
        rows: consuming FacilityRows, shard: String?
    ) {
        self.asOf = asOf
        self.packID = packID
        self.packVersion = packVersion
        self.rules = rules
        var sorted = rows
        sorted.sortByIDAndInput()
        self.facilities = sorted
        self.shard = shard
        (ruleStats, totals) = Aggregate.computeStats(rules, self.facilities)
    }

    static func computeStats(_ rules: [AggregateRule], _ facilities: FacilityRows) -> ([RuleStats], Totals) {
        let n = rules.count
        let required = rules.map { $0.level == .required }
        let (fail, unknown, error) = (
            FacilitySummary.byte(.fail), FacilitySummary.byte(.unknown), FacilitySummary.byte(.error)
        )
        // Counted in a flat table by letter byte, turned into dictionaries once at the end.
        var table = [Int](repeating: 0, count: n * 128)
        var totals = Totals()
        for k in facilities.indices {
            let f = facilities.view(k)
            guard f.status == .evaluated else { continue }
            var undecided = false, gaps = false
            for (i, c) in f.states.enumerated() {
                // As `View.has` (every letter) and `View.count(.required, .fail, rules)` (the rules').
                if c == unknown || c == error { undecided = true }
                guard i < n else { continue }
                if c == fail && required[i] { gaps = true }
                if c < 128 { table[i * 128 + Int(c)] += 1 }
            }
            totals.evaluated += 1
            if undecided { totals.undecided += 1 }
            if gaps { totals.requiredGaps += 1 }
            if f.loosenedCount > 0 { totals.loosened += 1 }
        }
        let stats = (0..<n).map { i in
            var c: [RuleState: Int] = [:]
            for st in RuleState.allCases {
                let k = table[i * 128 + Int(FacilitySummary.byte(st))]
                if k > 0 { c[st] = k }
            }
            // Every facility where the rule applies counts: one it could not decide, or that
            // waits for an attestation, has not passed (a rate over the decided ones alone
            // would read 100% beside an unknown).
            var st = RuleStats(counts: c, passRate: nil)
            if st.applicable > 0 { st.passRate = Double(st.passed) / Double(st.applicable) }
            return st
        }
        return (stats, totals)
    }

    public init(pack: CheckedPack, asOf: String, facilities: [FacilitySummary], shard: String?) {
        self.init(pack: pack, asOf: asOf, rows: FacilityRows(facilities), shard: shard)
    }

    /// Takes the rows over (a batch's, from `BatchRun.evaluateRows`).
    public init(pack: CheckedPack, asOf: String, rows: consuming FacilityRows, shard: String?) {
        self.init(
            asOf: asOf, packID: pack.info.id, packVersion: pack.info.version,
            rules: pack.rules.map {
                AggregateRule(
                    id: $0.id, implements: $0.implements, level: $0.level, category: $0.category, title: $0.title)
            },
            rows: rows, shard: shard)
        outOfScope = pack.info.outOfScope
    }

    // Counted once, with the rules' stats, from the rows without decoding them (`totals`).
    public var evaluatedCount: Int { totals.evaluated }
    public var failedToLoad: Int { facilities.count - evaluatedCount }
    public func requiredGaps(_ f: FacilitySummary) -> Int { f.count(.required, .fail, rules) }
    /// Evaluated facilities with a rule in `unknown` or `error`.
    public var withUndecidedRules: Int { totals.undecided }
    /// Evaluated facilities judged on a loosened parameter.
    public var withLoosenedParams: Int { totals.loosened }
    /// Evaluated facilities with a failure at the required level.
    public var withRequiredGaps: Int { totals.requiredGaps }

    /// One facility's verdict under a gate: a facility that failed to load is undecided.
    public func verdict(_ f: FacilitySummary, gate: Gate) -> Gate.Verdict {
        verdict(
            FacilityRows.View(
                status: f.status, states: ArraySlice(f.states.utf8), diagnosticsCount: f.diagnostics.count,
                loosenedCount: f.loosened.count, newGaps: f.newGaps), gate: gate)
    }

    func verdict(_ f: FacilityRows.View, gate: Gate) -> Gate.Verdict {
        verdict(f, gate: gate, levels: rules.map(\.level))
    }

    /// `levels` is the rules' levels, in order: zipped with the rules themselves, every
    /// facility copied each rule (its strings and arrays retained and released), some 2,000
    /// instructions a facility of the 8-rule bench in `verdictCounts`.
    func verdict(_ f: FacilityRows.View, gate: Gate, levels: [Level]) -> Gate.Verdict {
        // The state letters are ASCII: read as bytes, not Characters (this runs for every
        // facility of a batch, more than once).
        if f.status == .error || f.states.count != levels.count { return .undecided }
        return gate.verdict(
            zip(levels, f.states).lazy.map {
                (level: $0.0, state: Aggregate.state(byte: $0.1), counts: true)
            },
            loosened: f.loosenedCount > 0)
    }

    /// The state a letter of `FacilitySummary.states` stands for; `.error` for any other byte.
    static func state(byte c: UInt8) -> RuleState {
        let k = c < 128 ? stateByLetter[Int(c)] : -1
        return k >= 0 ? allStates[k] : .error
    }
    static let allStates = RuleState.allCases

    /// How many facilities end in each verdict. `.gaps` counts every evaluated facility with a
    /// gap at the gate's level, undecided or not (an undecided facility can have gaps too).
    public func verdictCounts(gate: Gate) -> [Gate.Verdict: Int] {
        var c: [Gate.Verdict: Int] = [:]
        let levels = rules.map(\.level)
        for k in facilities.indices {
            let f = facilities.view(k)
            let v = verdict(f, gate: gate, levels: levels)
            if v != .gaps { c[v, default: 0] += 1 }
            if f.status == .evaluated, f.states.count == levels.count,
                gate.hasGaps(
                    zip(levels, f.states).lazy.map { ($0, Aggregate.state(byte: $1)) },
                    loosened: f.loosenedCount > 0)
            {
                c[.gaps, default: 0] += 1
            }
        }
        return c
    }

    /// Worst first: facilities that failed to load, then most required gaps, recommended gaps, items to check.
    /// Indexes into `facilities`, worst first. Each key is worked out once, and only indexes are
    /// sorted, so no copy of the list is made.
    public var worstFirst: [Int] {
        // The five counts of a key in one pass over the letters (as `View.count` counts each).
        let levels = rules.map(\.level)
        let (fail, unknown, manual, error) = (
            FacilitySummary.byte(.fail), FacilitySummary.byte(.unknown), FacilitySummary.byte(.manual),
            FacilitySummary.byte(.error)
        )
        let keys = facilities.indices.map { k -> (Int, Int, Int, Int, Int, Int) in
            let f = facilities.view(k)
            var required = 0, recommended = 0, unknowns = 0, manuals = 0, errors = 0
            for (i, c) in f.states.enumerated() where i < levels.count {
                if c == fail {
                    if levels[i] == .required { required += 1 } else if levels[i] == .recommended { recommended += 1 }
                } else if c == unknown {
                    unknowns += 1
                } else if c == manual {
                    manuals += 1
                } else if c == error {
                    errors += 1
                }
            }
            return (f.status == .error ? 0 : 1, -required, -recommended, -unknowns, -manuals, -errors)
        }
        // Ties keep the order of `facilities`, which is by id and input already.
        return facilities.indices.sorted { i, j in keys[i] != keys[j] ? keys[i] < keys[j] : i < j }
    }

    public struct RuleStats: Sendable {
        public var counts: [RuleState: Int]
        /// Passing share of the facilities where the rule applied (`passed / applicable`); nil
        /// when it applied nowhere.
        public var passRate: Double?

        /// Facilities where the rule passed or was attested.
        public var passed: Int { (counts[.pass] ?? 0) + (counts[.attested] ?? 0) }
        /// Facilities where the rule applied: every evaluated state but not applicable (an
        /// undecided or waiting rule has not passed).
        public var applicable: Int {
            RuleState.allCases.filter { $0 != .notApplicable }.reduce(0) { $0 + (counts[$1] ?? 0) }
        }
    }

    public func stats(_ i: Int) -> RuleStats { ruleStats[i] }

    // MARK: JSON (also the input of `tenken merge`), streamed one facility at a time

    /// `RuleState.allCases` index by state letter (ASCII), -1 for none.
    static let stateByLetter: [Int] = {
        var t = [Int](repeating: -1, count: 128)
        for (k, st) in RuleState.allCases.enumerated() {
            if let a = FacilitySummary.letter(st).asciiValue { t[Int(a)] = k }
        }
        return t
    }()

    /// What every facility's JSON row shares, made once per aggregate (`Aggregate.jsonRowParts()`),
    /// and the row's scratch counts: a row allocates nothing, and writes a level's counts as one
    /// copy and a digit or two.
    struct JSONRowParts {
        /// Each level's part of a row's `counts` with every count 0: `"required":{"pass":0,…}`,
        /// with a `,` before each level but the first (`countKeys()`, a `0` after each key).
        let zeroLevels: [[UInt8]]
        /// For each count slot (level `k / states`, state `k % states`, the order of a row's
        /// `counts`): where its `0` stands in its level's `zeroLevels` part.
        let digitAt: [Int]
        /// The bytes before each slot's count (`countKeys()`), for a level with a count of 10 or more.
        let keys: [[UInt8]]
        /// Each rule's level as an index into `Level.allCases`.
        let ruleLevel: [Int]
        /// One count per slot, zeroed by each row.
        var counts: [Int]
    }

    func jsonRowParts() -> JSONRowParts {
        let keys = Aggregate.countKeys()
        let nStates = Aggregate.allStates.count
        var zeroLevels: [[UInt8]] = [], digitAt: [Int] = []
        for l in Level.allCases.indices {
            var part: [UInt8] = []
            for k in 0..<nStates {
                part.append(contentsOf: keys[l * nStates + k])
                digitAt.append(part.count)
                part.append(UInt8(ascii: "0"))
            }
            part.append(UInt8(ascii: "}"))
            zeroLevels.append(part)
        }
        return JSONRowParts(
            zeroLevels: zeroLevels, digitAt: digitAt, keys: keys,
            ruleLevel: rules.map { r in Level.allCases.firstIndex(of: r.level) ?? 0 },
            counts: [Int](repeating: 0, count: keys.count))
    }

    /// One facility as one compact line of JSON, appended to `out` as UTF-8: written straight
    /// into the buffer (no tree of values per facility, no strings put together), with its
    /// counts by level and state from one pass over its states.
    ///
    /// `parts` is `jsonRowParts()`, made once for all the rows; its counts are scratch space.
    func appendFacilityRow(_ f: FacilityRows.Raw, into out: inout [UInt8], parts: inout JSONRowParts) {
        let nStates = Aggregate.allStates.count
        for k in parts.counts.indices { parts.counts[k] = 0 }
        let byLetter = Aggregate.stateByLetter
        let nRules = min(rules.count, parts.ruleLevel.count)
        var i = 0
        for c in f.states {
            if i >= nRules { break }
            if c < 128 {
                let k = byLetter[Int(c)]
                if k >= 0 { parts.counts[parts.ruleLevel[i] * nStates + k] += 1 }
            }
            i += 1
        }
        func raw(_ s: StaticString) {
            out.append(contentsOf: UnsafeBufferPointer(start: s.utf8Start, count: s.utf8CodeUnitCount))
        }
        func bytes(_ b: UnsafeBufferPointer<UInt8>) { Aggregate.appendJSONString(b, to: &out) }
        func strings(_ each: ((UnsafeBufferPointer<UInt8>) -> Void) -> Void) {
            raw("[")
            var first = true
            each { x in
                if !first { raw(",") }
                first = false
                bytes(x)
            }
            raw("]")
        }
        raw("{\"id\":"); bytes(f.id)
        raw(",\"name\":"); if let n = f.name { bytes(n) } else { raw("null") }
        raw(",\"input\":"); bytes(f.input)
        if f.status == .evaluated { raw(",\"status\":\"evaluated\"") } else { raw(",\"status\":\"error\"") }
        raw(",\"states\":"); bytes(f.states)
        raw(",\"counts\":{")
        for l in parts.zeroLevels.indices {
            let slots = (l * nStates)..<((l + 1) * nStates)
            if parts.counts[slots].allSatisfy({ $0 < 10 }) {
                // Every count one digit: the level's zero part, its digits put in place.
                let start = out.count
                out.append(contentsOf: parts.zeroLevels[l])
                for k in slots where parts.counts[k] > 0 {
                    out[start + parts.digitAt[k]] = 0x30 + UInt8(parts.counts[k])
                }
            } else {
                for k in slots {
                    out.append(contentsOf: parts.keys[k])
                    Aggregate.appendDecimal(parts.counts[k], to: &out)
                }
                raw("}")
            }
        }
        raw("}")
        if let g = f.newGaps { raw(",\"new_gaps\":"); Aggregate.appendDecimal(g, to: &out) }
        raw(",\"loosened_params\":"); strings(f.loosened)
        raw(",\"diagnostics\":"); strings(f.diagnostics)
        raw("}")
    }

    /// `n` in decimal ASCII, as `String(n)` writes it (a `-` before a negative number),
    /// appended to `out` without making a string.
    static func appendDecimal(_ n: Int, to out: inout [UInt8]) {
        if n < 0 { out.append(UInt8(ascii: "-")) }
        var m = n.magnitude
        if m < 10 {
            out.append(0x30 + UInt8(m))
            return
        }
        var div: UInt = 1
        while m / div >= 10 { div *= 10 }
        while div > 0 {
            out.append(0x30 + UInt8(m / div))
            m %= div
            div /= 10
        }
    }

    /// The JSON string `s` appended to `out` as UTF-8, as `JSON.escape` writes it. Printable
    /// ASCII without a quote or backslash is copied as it is; anything else goes through
    /// `JSON.escape`, which decides every other character.
    static func appendJSONString(_ s: String, to out: inout [UInt8]) {
        let plain =
            s.utf8.withContiguousStorageIfAvailable { b -> Bool in
                var ok = true
                for x in b { ok = ok && x >= 0x20 && x < 0x7F && x != 0x22 && x != 0x5C }
                if ok {
                    out.append(0x22)
                    out.append(contentsOf: b)
                    out.append(0x22)
                }
                return ok
            } ?? false
        if !plain {
            var e = ""
            JSON.escape(s, into: &e)
            out.append(contentsOf: e.utf8)
        }
    }

    /// As `appendJSONString(_:to:)`, for a string's UTF-8 (a facility row's field). The plain
    /// copy is written out in both: shared through a helper, the string's closure cost the JSON
    /// writer about 3 K instructions a facility (callgrind, 8-rule bench).
    static func appendJSONString(_ b: UnsafeBufferPointer<UInt8>, to out: inout [UInt8]) {
        var ok = true
        for x in b { ok = ok && x >= 0x20 && x < 0x7F && x != 0x22 && x != 0x5C }
        if ok {
            out.append(0x22)
            out.append(contentsOf: b)
            out.append(0x22)
        } else {
            appendJSONString(String(decoding: b, as: UTF8.self), to: &out)
        }
    }

    /// For each (level, state) in the order of a row's `counts`: the bytes before its count,
    /// `"required":{"pass":` for the first state of a level, `,"fail":` for the others, with a
    /// `,` before each level but the first.
    static func countKeys() -> [[UInt8]] {
        var keys: [[UInt8]] = []
        for (l, lv) in Level.allCases.enumerated() {
            for (k, st) in allStates.enumerated() {
                var key: [UInt8] = []
                if k == 0 {
                    if l > 0 { key.append(UInt8(ascii: ",")) }
                    appendJSONString(lv.rawValue, to: &key)
                    key.append(contentsOf: ":{".utf8)
                } else {
                    key.append(UInt8(ascii: ","))
                }
                appendJSONString(st.rawValue, to: &key)
                key.append(UInt8(ascii: ":"))
                keys.append(key)
            }
        }
        return keys
    }

    public func writeJSON(to out: OutputFile) throws(WriteError) {
        let head: [(String, JSON)] = [
            ("tenken_aggregate_version", .int(Aggregate.version)),
            ("as_of", .string(asOf)),
            (
                "pack",
                .object([
                    ("id", .string(packID)), ("version", .string(packVersion)),
                    (
                        "out_of_scope",
                        .array(outOfScope.map { .object([("id", .string($0.id)), ("reason", .string($0.reason))]) })
                    ),
                ])
            ),
            ("shard", .str(shard)),
            ("ignored", .array(ignored.map(JSON.string))),
            ("parameters", .array(runParameters.map(JSON.string))),
            (
                "totals",
                .object([
                    ("found", .int(facilities.count)), ("evaluated", .int(evaluatedCount)),
                    ("failed_to_load", .int(failedToLoad)),
                    ("with_undecided_rules", .int(withUndecidedRules)), ("with_required_gaps", .int(withRequiredGaps)),
                    ("with_loosened_params", .int(withLoosenedParams)),
                ])
            ),
            (
                "rules",
                .array(
                    rules.enumerated().map { i, r in
                        let st = stats(i)
                        return .object([
                            ("rule", .string(r.id)), ("implements", .array(r.implements.map(JSON.string))),
                            ("level", .string(r.level.rawValue)),
                            ("category", r.category.map { .string($0.rawValue) } ?? .null),
                            ("title", .object([("ja", .string(r.title.ja)), ("en", .string(r.title.en))])),
                            ("counts", .object(RuleState.allCases.map { ($0.rawValue, .int(st.counts[$0] ?? 0)) })),
                            ("pass_rate_permille", st.passRate.map { .int(Int(($0 * 1000).rounded())) } ?? .null),
                        ])
                    })
            ),
        ]
        try out.write("{\n")
        for (k, v) in head {
            var key = ""
            JSON.escape(k, into: &key)
            try out.write("  \(key): " + v.render(indent: 1) + ",\n")
        }
        if facilities.isEmpty {
            try out.write("  \"facilities\": []\n}\n")
            return
        }
        // One compact line per facility, streamed: a batch of thousands is never held whole.
        try out.write("  \"facilities\": [\n")
        var row: [UInt8] = []
        var parts = jsonRowParts()
        // Each row written from the facility's compact row, its strings' bytes copied as they are.
        for i in facilities.indices {
            row.removeAll(keepingCapacity: true)
            row.append(contentsOf: "    ".utf8)
            facilities.withRaw(i) { f in appendFacilityRow(f, into: &row, parts: &parts) }
            row.append(contentsOf: (i == facilities.count - 1 ? "\n" : ",\n").utf8)
            try out.write(bytes: row)
        }
        try out.write("  ]\n}\n")
    }

    // MARK: CSV, streamed

    /// One row per facility: counts, then one column per rule with its state.
    public func writeFacilitiesCSV(to out: OutputFile) throws(WriteError) {
        try out.write("\u{FEFF}")
        try out.write(
            CSVReport.line(
                [
                    "facility_id", "name", "input", "status", "required_fail", "recommended_fail", "unknown", "manual",
                    "error", "waived", "attested", "pass", "not_applicable", "input_warnings",
                ] + rules.map(\.id)))
        // One pass over each facility's letters for its counts, and the row built as bytes from
        // the facility's compact row (`FacilityRows.withRaw`): no summary decoded, no string made
        // for a cell that needs no escaping, no count spelt through a string.
        let states = Aggregate.allStates
        let counted: [RuleState] = [.unknown, .manual, .error, .waived, .attested, .pass, .notApplicable]
        let countedIndexes = counted.map { states.firstIndex(of: $0) ?? 0 }
        let stateNames = states.map { Array($0.rawValue.utf8) }
        let failIndex = states.firstIndex(of: .fail) ?? -1
        let ruleLevels = rules.map(\.level)
        let errorBytes = Array(FacilitySummary.Status.error.rawValue.utf8)
        let evaluatedBytes = Array(FacilitySummary.Status.evaluated.rawValue.utf8)
        var row: [UInt8] = []
        var counts = [Int](repeating: 0, count: states.count)
        for fi in facilities.indices {
            facilities.withRaw(fi) { f in
                row.removeAll(keepingCapacity: true)
                for k in counts.indices { counts[k] = 0 }
                var requiredFail = 0, recommendedFail = 0
                var valid = true
                for (i, c) in f.states.enumerated() {
                    let k = c < 128 ? Aggregate.stateByLetter[Int(c)] : -1
                    if k < 0 { valid = false }
                    guard i < ruleLevels.count, k >= 0 else { continue }
                    counts[k] += 1
                    if k == failIndex, ruleLevels[i] == .required { requiredFail += 1 }
                    if k == failIndex, ruleLevels[i] == .recommended { recommendedFail += 1 }
                }
                // A cell of plain bytes is copied; any other goes through `CSVReport.append`.
                func cell(_ b: UnsafeBufferPointer<UInt8>, first: Bool = false) {
                    if CSVCell.isPlain(b) {
                        if !first { row.append(0x2C) }
                        row.append(contentsOf: b)
                    } else {
                        CSVReport.append(String(decoding: b, as: UTF8.self), to: &row, first: first)
                    }
                }
                cell(f.id, first: true)
                if let n = f.name { cell(n) } else { row.append(0x2C) }
                cell(f.input)
                row.append(0x2C)
                row.append(contentsOf: f.status == .error ? errorBytes : evaluatedBytes)
                // Counts and state names are plain cells (digits, `not_applicable`): written as bytes.
                func number(_ n: Int) {
                    row.append(0x2C)
                    Aggregate.appendDecimal(n, to: &row)
                }
                number(requiredFail)
                number(recommendedFail)
                for k in countedIndexes { number(counts[k]) }
                if f.status == .evaluated { number(f.diagnosticsCount) } else { row.append(0x2C) }
                var letters = 0
                if valid {
                    // One letter, one character, one state (no two-byte character such as CR LF).
                    for c in f.states {
                        row.append(0x2C)
                        row.append(contentsOf: stateNames[Aggregate.stateByLetter[Int(c)]])
                    }
                    letters = f.states.count
                } else {
                    for c in String(decoding: f.states, as: UTF8.self) {
                        CSVReport.append(FacilitySummary.state(c)?.rawValue ?? "", to: &row)
                        letters += 1
                    }
                }
                if f.status == .error { for _ in 0..<max(0, rules.count - letters) { row.append(0x2C) } }
                CSVReport.endLine(&row)
            }
            try out.write(bytes: row)
        }
    }

    /// One row per rule: how many facilities are in each state, and the pass rate.
    public func writeRulesCSV(to out: OutputFile) throws(WriteError) {
        try out.write(
            "\u{FEFF}"
                + CSVReport.line(
                    ["rule", "catalog_ids", "level", "category"] + RuleState.allCases.map(\.rawValue) + ["pass_rate"]))
        for (i, r) in rules.enumerated() {
            let st = stats(i)
            try out.write(
                CSVReport.line(
                    [r.id, r.implements.joined(separator: " "), r.level.rawValue, r.category?.rawValue ?? ""]
                        + RuleState.allCases.map { String(st.counts[$0] ?? 0) } + [
                            st.passRate.map { String(format3($0)) } ?? ""
                        ]))
        }
    }
}

func format3(_ d: Double) -> String {
    let n = Int((d * 1000).rounded())
    let s = String(n % 1000)
    return "\(n / 1000).\(String(repeating: "0", count: 3 - s.count))\(s)"
}
