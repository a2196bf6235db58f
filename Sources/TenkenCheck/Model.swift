import Foundation
import TenkenData
import TenkenSyntax

/// How binding an item is: engine mechanism, not pack data. Which levels count for the exit
/// code (`--fail-on`), the gaps and the required items is fixed here, so the four words and
/// their labels (`Labels.level`) are the engine's; a pack assigns them (docs/dsl.md says why).
/// Their MCS reading: `required` and `recommended` are the facility's 必要事項 and
/// 推奨事項 (section 2); `optional` is a feature the provider offers for a facility to choose
/// ((選択的) in 1-2); `provider` is a measure the provider takes itself (1-2 「事業者として講じて
/// いる対策」): reported, but never counted among the facility's required items or gaps, and
/// never part of its exit code.
public enum Level: String, Sendable, CaseIterable, Codable, Comparable {
    case required, recommended, optional, provider
    var rank: Int {
        switch self {
        case .required: 0
        case .recommended: 1
        case .optional: 2
        case .provider: 3
        }
    }
    public static func < (a: Level, b: Level) -> Bool { a.rank < b.rank }

    /// `check.unknown-level` for a word that is not one of the four, with the nearest one.
    static func refusal(_ word: String, at: SourceLocation?) -> Diagnostic {
        let all = allCases.map(\.rawValue)
        return Diagnostic(
            .checkUnknownLevel, .error, "unknown level `\(word)`, expected one of \(all.joined(separator: ", "))",
            at: at,
            help: closestMatch(to: word, in: all).map { "did you mean `\($0)`?" })
    }
}

/// A category of the pack's taxonomy: the id a rule's `category` clause and a catalog row's
/// `category` cell name (`technical`). Which categories exist, their order and their labels
/// are the pack's (`category ID ja "…" en "…"` in the manifest, `Taxonomy`), not the engine's.
public struct Category: RawRepresentable, Hashable, Sendable, Codable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// A scope of the pack's taxonomy (`scope ID ja "…" en "…"`): which part of the checked
/// system an item concerns (the MCS pack's `mcs` and `outside-mcs`).
public struct Scope: RawRepresentable, Hashable, Sendable, Codable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }
}

/// One word a pack declares in its manifest (a category, scope or risk): its id, its label in
/// Japanese and English, and where it is declared.
public struct TaxonomyTerm: Sendable, Hashable {
    public var id: String
    public var label: Bilingual
    public var location: SourceLocation?
    public init(id: String, label: Bilingual, location: SourceLocation? = nil) {
        self.id = id
        self.label = label
        self.location = location
    }
}

/// The words a pack classifies its items by, declared in its manifest, in declaration order:
/// `category` (reports group rules by them, in this order), `scope` and `risk`. A pack may
/// declare none of a kind (a general pack has no categories); then its rules and catalog rows
/// name none of that kind. Levels are not here: their meaning (what counts for the exit code)
/// is the engine's, and so are their labels (`Level`).
public struct Taxonomy: Sendable, Hashable {
    public var categories: [TaxonomyTerm]
    public var scopes: [TaxonomyTerm]
    public var risks: [TaxonomyTerm]

    public init(categories: [TaxonomyTerm] = [], scopes: [TaxonomyTerm] = [], risks: [TaxonomyTerm] = []) {
        self.categories = categories
        self.scopes = scopes
        self.risks = risks
    }

    public typealias Kind = TermKind

    public func terms(_ kind: Kind) -> [TaxonomyTerm] {
        switch kind {
        case .category: categories
        case .scope: scopes
        case .risk: risks
        }
    }

    public func term(_ kind: Kind, _ id: String) -> TaxonomyTerm? { terms(kind).first { $0.id == id } }

    /// A category's label; the id itself for one the pack does not declare (never the case in a
    /// checked pack).
    public func label(_ c: Category) -> Bilingual {
        term(.category, c.rawValue)?.label ?? Bilingual(ja: c.rawValue, en: c.rawValue)
    }

    public func label(_ s: Scope) -> Bilingual {
        term(.scope, s.rawValue)?.label ?? Bilingual(ja: s.rawValue, en: s.rawValue)
    }

    /// The id of the diagnostic for a word of `kind` the pack does not declare.
    public static func unknownID(_ kind: Kind) -> DiagnosticID {
        switch kind {
        case .category: .checkUnknownCategory
        case .scope: .checkUnknownScope
        case .risk: .checkUnknownRisk
        }
    }

    /// `word` folded for comparison: NFKC (full-width `Ｒ１` is `R1`) and case folding. Two words
    /// of a kind equal once folded are one word written two ways, never two terms.
    public static func folded(_ word: String) -> String {
        word.precomposedStringWithCompatibilityMapping.folding(options: [.caseInsensitive], locale: nil)
    }

    /// `check.invalid-term`: a catalog cell's `word` is not a name the manifest's `category`
    /// (`scope`, `risk`) declaration could hold, so no pack can declare it. The help names the
    /// term it folds to (`Ｒ１` → `R1`), when one of `near` does.
    static func undeclarable(_ kind: Kind, _ word: String, at: SourceLocation?, near: [TaxonomyTerm]) -> Diagnostic {
        let twin = near.first { folded($0.id) == folded(word) }
        return Diagnostic(
            .checkInvalidTerm, .error,
            "\(kind.rawValue) `\(Taxonomy.shown(word))` cannot be declared: a \(kind.rawValue) is a name of letters "
                + "A–Z, digits and `_`, in parts joined by `-`",
            at: at,
            help: twin.map { "did you mean `\($0.id)`?" } ?? "write it as a name, e.g. `R1` or `outside-mcs`")
    }

    /// `word` as a message shows it: escaped control and format characters, at most 40 characters.
    static func shown(_ word: String) -> String {
        let w = word.unicodeScalars.map {
            TextSafety.isForbidden($0) ? "\\u{\(String($0.value, radix: 16))}" : String($0)
        }
        .joined()
        return w.count > 40 ? String(w.prefix(40)) + "…" : w
    }

    /// Why `word` is not a declared term of `kind`, with the nearest declared one: the message
    /// and help of `check.unknown-category`, `-scope` and `-risk`.
    public func refusal(_ kind: Kind, _ word: String) -> (message: String, help: String?) {
        let ids = terms(kind).map(\.id)
        guard !ids.isEmpty else {
            return (
                "unknown \(kind.rawValue) `\(word)`: the pack declares no \(kind.plural)",
                "declare it in the manifest (`\(kind.rawValue) \(word) ja \"…\" en \"…\"`), or leave it out"
            )
        }
        return (
            "unknown \(kind.rawValue) `\(word)`, the pack declares \(ids.joined(separator: ", "))",
            closestMatch(to: word, in: ids).map { "did you mean `\($0)`?" }
        )
    }
}

/// One row of the source catalog the pack implements.
public struct CatalogItem: Sendable, Hashable {
    public var id: String
    public var section: String
    /// Nil when the pack declares no categories (and likewise the scope).
    public var category: Category?
    public var level: Level
    public var scope: Scope?
    public var risks: [String]
    public var evidence: [String]
    public var ja: String
    public var en: String
    /// The item's row in catalog.tsv.
    public var location: SourceLocation? = nil
    /// The ids of the rules that implement the item, from the catalog's `rules` column: what
    /// the pack declares it contains, so a rule file deleted (or added) is an error even when
    /// another rule still implements the item. Nil when the catalog has no such column.
    public var rules: [String]? = nil
}

/// A catalog item the pack deliberately does not check (`out_of_scope` in the manifest).
public struct OutOfScopeItem: Sendable, Hashable {
    public var id: String
    public var reason: String
    public init(id: String, reason: String) {
        self.id = id
        self.reason = reason
    }
}

public struct ParamInfo: Sendable {
    public var name: String
    public var type: ValueType
    public var defaultValue: Value
    public var limit: (op: LimitOp, value: Value)?
    public var reason: String
    public var location: SourceLocation
    /// The values of the choice set(s) a rule compares this parameter with (`d.wifi not in
    /// param.wifi.forbidden`): every string the parameter holds must be one of them, or the
    /// comparison could never match. Nil when no rule compares it with a choice field.
    public var choiceValues: [String]? = nil

    /// The bound as reports print it: `>= 13`, `<= 60 days`, and for a list `⊆ [WPA3, …]`
    /// (no value outside the source's set) or `⊇ [tablet, smartphone]` (every listed value kept).
    public var limitText: String? { limit.map { ParamInfo.limitText($0.op, $0.value) } }

    public static func limitText(_ op: LimitOp, _ bound: Value) -> String {
        if case .list = bound { return (op == .le ? "⊆ " : "⊇ ") + bound.display }
        return "\(op.rawValue) \(bound.display)"
    }
}

/// The type of an expression. Strings from a closed set remember the set, so a rule comparing
/// `n.encryption == "WPA2_AES"` is caught before any data is read.
public indirect enum ValueType: Sendable, Hashable, CustomStringConvertible {
    case bool, int, date, duration, null, any
    case string(enumValues: [String]?)
    case list(ValueType)
    case record(RecordSchema)

    public static let plainString = ValueType.string(enumValues: nil)

    public static func == (a: ValueType, b: ValueType) -> Bool {
        switch (a, b) {
        case (.bool, .bool), (.int, .int), (.date, .date), (.duration, .duration), (.null, .null), (.any, .any): true
        case (.string, .string): true
        case let (.list(x), .list(y)): x == y
        case let (.record(x), .record(y)): x === y
        default: false
        }
    }
    public func hash(into h: inout Hasher) { h.combine(description) }

    public var description: String {
        switch self {
        case .bool: "bool"
        case .int: "int"
        case .date: "date"
        case .duration: "duration"
        case .null: "null"
        case .any: "any"
        case .string: "string"
        case .list(let t): "[\(t)]"
        case .record(let r): r.name
        }
    }

    public init(_ f: FieldType) {
        switch f {
        case .int: self = .int
        case .bool: self = .bool
        case .string: self = .plainString
        case .date: self = .date
        case .duration: self = .duration
        case .enumeration(let vs): self = .string(enumValues: vs)
        case .list(let t): self = .list(ValueType(t))
        case .record(let r): self = .record(r)
        }
    }

    public init(_ t: TypeRef) {
        switch t {
        case .int: self = .int
        case .bool: self = .bool
        case .string: self = .plainString
        case .date: self = .date
        case .duration: self = .duration
        case .list(let i): self = .list(ValueType(i))
        }
    }

    /// Whether a value of type `b` may be compared with or stored where `self` is expected.
    func compatible(_ b: ValueType) -> Bool {
        if self == .any || b == .any || self == .null || b == .null { return true }
        if case .list(let x) = self, case .list(let y) = b { return x.compatible(y) }
        return self == b
    }
}

/// A message or text with `{expr}` placeholders compiled against the rule's variables.
public struct Template: Sendable {
    public enum Part: Sendable {
        case text(String)
        case value(Node)
    }
    public var parts: [Part]
}

public struct BilingualTemplate: Sendable {
    public var ja: Template
    public var en: Template
}

public enum ExpectShape: Sendable {
    /// `every`/`none` at the top: one violation per offending element.
    case perElement(QuantifierKind, Loop)
    /// Anything else: the whole condition passes or fails once.
    case single(Node)
}

public struct CheckedExpect: Sendable {
    public var shape: ExpectShape
    public var message: BilingualTemplate?
    /// The condition as written, for explain output.
    public var source: String
    public var location: SourceLocation
}

public struct CheckedAttestation: Sendable {
    public var key: String
    public var roles: [String]
    public var renew: Node
    public var renewSource: String
    /// The data that makes the statement unnecessary ("data first, attestation for the rest"):
    /// when it is true the rule passes without one. It never fails a rule (the `expect`s do).
    public var unless: Node?
    public var unlessSource: String?
}

public struct CheckedRule: Sendable {
    public var id: String
    public var implements: [String]
    public var level: Level
    /// Nil exactly when the pack declares no categories (and likewise the scope).
    public var category: Category?
    public var scope: Scope?
    public var risks: [String]
    public var section: String
    public var title: Bilingual
    public var remediation: Bilingual
    public var applies: Node?
    public var appliesSource: String?
    public var otherwise: Bilingual?
    public var expects: [CheckedExpect]
    public var attestation: CheckedAttestation?
    /// Snapshot sections the applicability condition needs (a section it reads only after
    /// testing it present is not needed) and the sections the expectations read.
    public var appliesRoots: Set<Int>
    public var expectRoots: Set<Int>
    /// Variable slots the rule needs at evaluation.
    public var slotCount: Int
    /// Every field the rule reads, by record and field name (`staff_member.left_on`): what
    /// `lint --unknowns` lists and the absence property test removes.
    public var reads: Set<FieldRead> = []
    /// Where the rule tests a field's presence (`is present` / `is missing`): the places a
    /// rule gives a blank a meaning of its own.
    public var presenceTests: [PresenceTest] = []
    public var location: SourceLocation
}

/// A field a rule reads: the record schema's name and the field's (`staff_member`, `left_on`),
/// with where the rule reads it first, and whether it tests its presence there.
public struct FieldRead: Sendable, Hashable {
    public var record: String
    public var field: String
    public init(record: String, field: String) {
        self.record = record
        self.field = field
    }
}

extension PackSchema {
    /// The schema of the field a rule reads.
    public func field(_ r: FieldRead) -> FieldSchema? { field(r.record, r.field) }
}

public struct PresenceTest: Sendable {
    public var read: FieldRead
    public var location: SourceLocation
}

public struct PackInfo: Sendable {
    public var id: String
    public var version: String
    public var title: Bilingual
    public var source: String
    public var edition: String
    /// What the pack checks, as a CPE 2.3 formatted string (XCCDF's `platform`), if it says.
    public var platform: String? = nil
    /// The manifest's `report title ja "…" en "…"`, if it gives one.
    public var declaredReportTitle: Bilingual? = nil
    /// The manifest's `source … called ja "…" en "…"`, if it gives one.
    public var declaredSourceWord: Bilingual? = nil
    /// Catalog items the manifest declares out of scope, with why; every report names them.
    public var outOfScope: [OutOfScopeItem] = []
    /// The categories, scopes and risks the manifest declares.
    public var taxonomy = Taxonomy()
    /// The named conditions the manifest defines (`define in_use(d) = …`), in order, as written,
    /// so `explain` can say what a rule's `in_use(d)` stands for.
    public var conditions: [NamedCondition] = []

    /// The reports' title (the HTML cover's, after `TENKEN · `): the manifest's `report title`,
    /// else the pack's title.
    public var reportTitle: Bilingual { declaredReportTitle ?? title }

    /// The word reports put before a source item's section (`規程 2-1:`): the manifest's
    /// `source … called`, else 出典 / Source.
    public var sourceWord: Bilingual { declaredSourceWord ?? Bilingual(ja: "出典", en: "Source") }

    /// A CPE 2.3 formatted string binding (NISTIR 7695, 6.2): `cpe:2.3:` then the part (`a`,
    /// `o`, `h`, `*` or `-`) and ten more components, each `*`, `-` or a value of letters,
    /// digits and `._-~` (other printable characters escaped with `\`), with `*` and `?` only
    /// at its ends.
    public static func isCPE23(_ s: String) -> Bool {
        let value = ##"(\?*|\*)?([A-Za-z0-9._~-]|\\[\\!"#$%&'()+,/:;<=>@\[\]^`{|}~?*-])+(\?*|\*)?"##
        let component = "(\\*|-|" + value + ")"
        return s.range(of: "^cpe:2\\.3:[aho*-](:" + component + "){10}$", options: .regularExpression) != nil
    }
}

/// A named condition of the manifest (`define name(x, …) = condition`), for display: the
/// checker has already expanded every use in the rules.
public struct NamedCondition: Sendable, Hashable {
    public var name: String
    public var parameters: [String]
    /// The condition in the formatter's canonical form.
    public var source: String
    /// Where the name is written in the manifest.
    public var location: SourceLocation
    public init(name: String, parameters: [String], source: String, location: SourceLocation) {
        self.name = name
        self.parameters = parameters
        self.source = source
        self.location = location
    }

    /// `in_use(d) = d.status == "active" and …`
    public var text: String { "\(name)(\(parameters.joined(separator: ", "))) = \(source)" }

    /// The conditions `text` uses, and those they use in turn, once each, in order of first use.
    public static func used(in text: String, from all: [NamedCondition]) -> [NamedCondition] {
        var out: [NamedCondition] = []
        var pending = [text]
        while let t = pending.popLast() {
            for c in all where !out.contains(c) && mentions(t, c.name) {
                out.append(c)
                pending.append(c.source)
            }
        }
        return out
    }

    /// Whether `text` calls `name(` as a whole word.
    static func mentions(_ text: String, _ name: String) -> Bool {
        var rest = text[...]
        while let r = rest.range(of: name + "(") {
            let before = r.lowerBound == text.startIndex ? nil : text[text.index(before: r.lowerBound)]
            if before.map({ !($0.isLetter || $0.isNumber || $0 == "_" || $0 == ".") }) ?? true { return true }
            rest = rest[r.upperBound...]
        }
        return false
    }
}

/// A pack that passed checking: the evaluator trusts its types and names.
public struct CheckedPack: Sendable {
    public var info: PackInfo
    public var params: [ParamInfo]
    public var paramIndex: [String: Int]
    public var rules: [CheckedRule]
    public var catalog: [CatalogItem]
    /// The schema the rules were typed against, which the facilities are read with.
    public var schema: PackSchema
}
