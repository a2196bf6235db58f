/// A name as written, with where it was written (`H-REQ-03`, `required`, `wifi.acceptable`).
public struct Name: Hashable, Sendable {
    public var text: String
    public var span: Span
    public init(_ text: String, _ span: Span = .unknown) {
        self.text = text
        self.span = span
    }
}

/// Bilingual text: `ja "…" en "…"`. Either may be absent; the checker says which are required.
public struct Text: Hashable, Sendable {
    public var ja: String?
    public var en: String?
    public var span: Span
    public init(ja: String? = nil, en: String? = nil, span: Span = .unknown) {
        self.ja = ja
        self.en = en
        self.span = span
    }
}

public enum DurationUnit: String, Sendable, CaseIterable {
    case minutes, hours, days, weeks, months, years

    /// Accepts singular and plural (`1 day`, `2 days`).
    public init?(word: String) {
        if let u = DurationUnit(rawValue: word) { self = u; return }
        if let u = DurationUnit(rawValue: word + "s") { self = u; return }
        return nil
    }
}

public enum Literal: Hashable, Sendable {
    case int(Int)
    case string(String)
    case bool(Bool)
    /// As written; the checker validates the calendar date.
    case date(String)
    case duration(Int, DurationUnit)
    case null
}

public enum UnaryOp: String, Sendable { case not, negate = "-" }

public enum BinaryOp: String, Sendable {
    case and, or
    case eq = "==", ne = "!=", lt = "<", le = "<=", gt = ">", ge = ">="
    case add = "+", sub = "-"
    case `in`, notIn = "not in"
    case within
}

public enum QuantifierKind: String, Sendable { case every, some, none }
public enum AggregateKind: String, Sendable { case count, min, max }

/// One `x in collection` binding of a quantifier; later bindings may use earlier ones.
public struct Binding: Hashable, Sendable {
    public var variable: Name
    public var collection: Expr
    public init(variable: Name, collection: Expr) {
        self.variable = variable
        self.collection = collection
    }
}

public indirect enum ExprKind: Hashable, Sendable {
    case literal(Literal)
    /// A bound variable or a root of the snapshot (`staff`, `facility`, `as_of`).
    case name(String)
    case member(Expr, Name)
    case param(String)
    case unary(UnaryOp, Expr)
    case binary(BinaryOp, Expr, Expr)
    case list([Expr])
    /// `x is missing` / `x is present`
    case presence(Expr, present: Bool)
    case quantifier(QuantifierKind, [Binding], filter: Expr?, body: Expr?)
    /// `count(x in C where F)`, `min(x in C where F : e)`, `max(…)`
    case aggregate(AggregateKind, [Binding], filter: Expr?, body: Expr?)
    /// `len(e)`, `days(e)`, `lower(e)` …
    case call(Name, [Expr])
}

public struct Expr: Hashable, Sendable {
    public var kind: ExprKind
    public var span: Span
    public init(_ kind: ExprKind, _ span: Span) {
        self.kind = kind
        self.span = span
    }
}

public indirect enum TypeRef: Hashable, Sendable {
    case int, bool, string, date, duration
    case list(TypeRef)
}

public enum LimitOp: String, Sendable { case ge = ">=", le = "<=" }

/// `param name: type = default [limit >= x] because "reason"`
public struct ParamDecl: Hashable, Sendable {
    public var name: Name
    public var type: TypeRef
    public var defaultValue: Expr
    /// The bound the source sets; an override past it is flagged as loosening.
    public var limit: (op: LimitOp, value: Expr)?
    public var reason: String
    public var span: Span

    public static func == (a: ParamDecl, b: ParamDecl) -> Bool {
        a.name == b.name && a.type == b.type && a.defaultValue == b.defaultValue && a.reason == b.reason
            && a.limit?.op == b.limit?.op && a.limit?.value == b.limit?.value
    }
    public func hash(into h: inout Hasher) { h.combine(name) }
}

/// `define name(x, …) = condition`: a named condition of the pack, written once and used in
/// any rule as `name(d)`. A use stands for the condition with `x` replaced by the argument,
/// exactly as if it were written there (the checker expands it before anything else).
public struct DefineDecl: Hashable, Sendable {
    public var name: Name
    public var parameters: [Name]
    public var body: Expr
    public var span: Span
    public init(name: Name, parameters: [Name], body: Expr, span: Span) {
        self.name = name
        self.parameters = parameters
        self.body = body
        self.span = span
    }
}

public enum PackClause: Hashable, Sendable {
    case version(String)
    case title(Text)
    /// `source "…" edition "…" called ja "規程" en "Source"`: the document the pack implements,
    /// and the word reports put before a source item's section (出典 / Source when not given).
    case source(String, edition: String?, called: Text?)
    /// `report title ja "…" en "…"`: the reports' title (the HTML cover's); the pack's title when
    /// not given.
    case reportTitle(Text)
    /// `platform "cpe:2.3:…"`: what the pack checks, as a CPE 2.3 name (XCCDF's platform).
    case platform(String)
    case param(ParamDecl)
    /// `out_of_scope ITEM because "…"`: a catalog item the pack deliberately does not check;
    /// every report names it with the reason.
    case outOfScope(Name, reason: String)
    case define(DefineDecl)
    /// `category ID ja "…" en "…"` (or `scope`, `risk`): a word of the pack's taxonomy that its
    /// rules and catalog rows may name, with its label.
    case term(TermKind, Name, label: Text)
}

/// The kinds of word a pack declares for classifying its items (`PackClause.term`).
public enum TermKind: String, Hashable, Sendable, CaseIterable {
    case category, scope, risk
    /// The catalog column that holds this kind (`risks` holds several, comma-separated).
    public var column: String { self == .risk ? "risks" : rawValue }
    public var plural: String { self == .category ? "categories" : rawValue + "s" }
}

public enum RuleClause: Hashable, Sendable {
    case implements([Name])
    case level(Name)
    case category(Name)
    case scope(Name)
    case risks([Name])
    case section(String)
    case title(Text)
    case remediation(Text)
    case applies(Expr, otherwise: Text?)
    case expect(Expr, message: Text?)
    /// `attestation "key" by role, role renew <duration expr> [unless <condition>]`: a person's
    /// statement, needed only when the `unless` condition (the data showing the item met) is
    /// not true.
    case attestation(key: String, roles: [Name], renew: Expr, unless: Expr?)
}

public struct Clause<K: Hashable & Sendable>: Hashable, Sendable {
    public var kind: K
    public var span: Span
    public var comments: [String]
    public init(_ kind: K, span: Span, comments: [String] = []) {
        self.kind = kind
        self.span = span
        self.comments = comments
    }
}

public struct PackDecl: Hashable, Sendable {
    public var name: Name
    public var clauses: [Clause<PackClause>]
    public var comments: [String]
    public var span: Span
    /// Comments after the last clause, before the closing `}`.
    public var closingComments: [String] = []
}

public struct RuleDecl: Hashable, Sendable {
    public var id: Name
    public var clauses: [Clause<RuleClause>]
    public var comments: [String]
    public var span: Span
    /// Comments after the last clause, before the closing `}`.
    public var closingComments: [String] = []
}

public enum Item: Hashable, Sendable {
    case pack(PackDecl)
    case rule(RuleDecl)
}

public struct RuleFile: Hashable, Sendable {
    public var path: String
    public var items: [Item]
    /// Comments after the last item.
    public var trailingComments: [String]
    public init(path: String, items: [Item], trailingComments: [String] = []) {
        self.path = path
        self.items = items
        self.trailingComments = trailingComments
    }
}
