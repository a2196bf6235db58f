import Foundation
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

/// Rule test cases kept as data next to the rules (`tests/*.test.json`): each names a rule, a
/// base snapshot under `tests/base/`, an as-of date, and cases that patch the base (RFC 6902
/// add/replace/remove) and state the expected result.
public struct RuleTestFile: Sendable {
    public struct Case: Sendable {
        public var name: String
        public var patch: [PatchOp]
        public var params: [ParamOverride]
        public var expect: RuleState
        public var violations: Int?
    }
    public var path: String
    public var rule: String
    public var base: String
    public var asOf: Day
    public var cases: [Case]
}

public struct PatchError: Error, Sendable {
    public var message: String
    init(_ m: String) { message = m }
}

/// One RFC 6902 operation of a test case's patch; `add` and `replace` carry the value they put.
public enum PatchOp: Sendable {
    case add(path: [String], value: JSONValue)
    case replace(path: [String], value: JSONValue)
    case remove(path: [String])

    /// The JSON pointer's reference tokens (unescaped).
    public var path: [String] {
        switch self {
        case .add(let p, _), .replace(let p, _), .remove(let p): p
        }
    }
}

public struct RuleTestOutcome: Sendable {
    public var file: String
    public var rule: String
    public var caseName: String
    public var expected: RuleState
    public var actual: RuleState?
    public var problem: String?
    public var passed: Bool { problem == nil }
}

public enum RuleTestRunner {
    /// Parses every test file; malformed ones become diagnostics, never a crash.
    public static func load(_ pack: LoadedPack) -> ([RuleTestFile], [String: JSONNode], [Diagnostic]) {
        var files: [RuleTestFile] = []
        var bases: [String: JSONNode] = [:]
        var diags: [Diagnostic] = []
        for t in pack.tests {
            let (node, d, lines) = JSONReader.parse(t.bytes, file: t.path, shownKeys: .all)
            diags += d
            guard let node else { continue }
            if t.path.contains("/tests/base/") {
                let name = ((t.path as NSString).lastPathComponent as NSString).deletingPathExtension
                bases[name] = node
                continue
            }
            let src = SourceFile(path: t.path, kind: .json, lines: lines)
            switch parseFile(node, path: t.path, src: src) {
            case .success(let f): files.append(f)
            case .failure(let e): diags.append(e)
            }
        }
        return (files.sorted { $0.path < $1.path }, bases, diags)
    }

    static func member(_ o: [JSONMember], _ k: String) -> JSONNode? { o.first { $0.key == k }?.node }

    static func parseFile(_ node: JSONNode, path: String, src: SourceFile) -> Result<RuleTestFile, Diagnostic> {
        func bad(_ msg: String, _ n: JSONNode, _ ptr: String) -> Result<RuleTestFile, Diagnostic> {
            .failure(Diagnostic("test.bad-file", .error, msg, at: src.location(offset: n.offset, path: ptr)))
        }
        guard case .object(let top) = node.value else { return bad("expected a test object", node, "") }
        guard let r = member(top, "rule"), case .string(let rule) = r.value else {
            return bad("expected \"rule\": \"rule-id\"", node, "/rule")
        }
        guard let b = member(top, "base"), case .string(let base) = b.value else {
            return bad("expected \"base\": \"name of a file in tests/base\"", node, "/base")
        }
        guard let a = member(top, "as_of"), case .string(let asOfText) = a.value, let asOf = Day(iso: asOfText) else {
            return bad("expected \"as_of\": \"YYYY-MM-DD\"", node, "/as_of")
        }
        guard let cs = member(top, "cases"), case .array(let items) = cs.value else {
            return bad("expected \"cases\": [ … ]", node, "/cases")
        }
        var cases: [RuleTestFile.Case] = []
        for (i, item) in items.enumerated() {
            let ptr = "/cases/\(i)"
            guard case .object(let c) = item.value else { return bad("expected a case object", item, ptr) }
            guard let n = member(c, "name"), case .string(let name) = n.value else {
                return bad("a case needs a \"name\"", item, ptr + "/name")
            }
            guard let e = member(c, "expect"), case .string(let es) = e.value, let expect = RuleState(rawValue: es)
            else {
                return bad(
                    "a case needs \"expect\": one of \(RuleState.allCases.map(\.rawValue).joined(separator: ", "))",
                    item, ptr + "/expect")
            }
            var ops: [PatchOp] = []
            if let p = member(c, "patch") {
                guard case .array(let pops) = p.value else {
                    return bad("\"patch\" must be an array of operations", p, ptr + "/patch")
                }
                for (k, po) in pops.enumerated() {
                    guard case .object(let o) = po.value, let opn = member(o, "op"), case .string(let kind) = opn.value,
                        ["add", "replace", "remove"].contains(kind), let pn = member(o, "path"),
                        case .string(let pstr) = pn.value,
                        pstr.hasPrefix("/")
                    else {
                        return bad(
                            "a patch operation needs \"op\" (add, replace, remove) and a JSON pointer \"path\"", po,
                            ptr + "/patch/\(k)")
                    }
                    let tokens = pstr.dropFirst().split(separator: "/", omittingEmptySubsequences: false).map {
                        $0.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
                    }
                    if kind == "remove" {
                        ops.append(.remove(path: tokens))
                        continue
                    }
                    guard let value = member(o, "value")?.value else {
                        return bad("\"\(kind)\" needs a \"value\"", po, ptr + "/patch/\(k)")
                    }
                    ops.append(kind == "add" ? .add(path: tokens, value: value) : .replace(path: tokens, value: value))
                }
            }
            var params: [ParamOverride] = []
            if let pm = member(c, "params"), case .object(let kvs) = pm.value {
                for kv in kvs {
                    let raw: ParamOverride.Raw
                    switch kv.node.value {
                    case .int(let n): raw = .int(n)
                    case .bool(let b): raw = .bool(b)
                    case .string(let s): raw = .string(s)
                    default:
                        return bad(
                            "parameter values in tests are numbers, booleans or strings", kv.node, ptr + "/params")
                    }
                    params.append(
                        ParamOverride(
                            name: kv.key, value: raw,
                            location: src.location(offset: kv.node.offset, path: ptr + "/params/" + kv.key),
                            origin: "command line"))
                }
            }
            var violations: Int?
            if let v = member(c, "violations"), case .int(let n) = v.value { violations = n }
            cases.append(.init(name: name, patch: ops, params: params, expect: expect, violations: violations))
        }
        return .success(RuleTestFile(path: path, rule: rule, base: base, asOf: asOf, cases: cases))
    }

    /// Applies a patch; returns an error message when a path does not exist.
    static func apply(_ op: PatchOp, to v: JSONValue) -> Result<JSONValue, PatchError> {
        // What the operation puts at its target: nil for a removal.
        let put: JSONValue?
        switch op {
        case .add(_, let value), .replace(_, let value): put = value
        case .remove: put = nil
        }
        let isAdd = if case .add = op { true } else { false }
        func go(_ v: JSONValue, _ path: ArraySlice<String>) -> Result<JSONValue, PatchError> {
            guard let head = path.first else {
                guard let put else { return .failure(PatchError("cannot remove the whole document")) }
                return .success(put)
            }
            let rest = path.dropFirst()
            switch v {
            case .object(var ms):
                let idx = ms.firstIndex { $0.key == head }
                if rest.isEmpty {
                    switch (put, idx) {
                    case (nil, nil): return .failure(PatchError("no member `\(head)` to remove"))
                    case (nil, let idx?): ms.remove(at: idx)
                    case (let put?, let idx?): ms[idx].node.value = put
                    case (let put?, nil):
                        guard isAdd else { return .failure(PatchError("no member `\(head)` to replace")) }
                        ms.append(JSONMember(key: head, keyOffset: 0, node: JSONNode(value: put, offset: 0)))
                    }
                    return .success(.object(ms))
                }
                guard let idx else { return .failure(PatchError("no member `\(head)`")) }
                switch go(ms[idx].node.value, rest) {
                case .success(let nv): ms[idx].node.value = nv
                case .failure(let e): return .failure(e)
                }
                return .success(.object(ms))
            case .array(var xs):
                if rest.isEmpty, head == "-", isAdd, let put {
                    xs.append(JSONNode(value: put, offset: 0))
                    return .success(.array(xs))
                }
                guard let i = Int(head), i >= 0, i < xs.count || (rest.isEmpty && isAdd && i == xs.count) else {
                    return .failure(PatchError("no element `\(head)`"))
                }
                if rest.isEmpty {
                    switch op {
                    case .remove: xs.remove(at: i)
                    case .add(_, let value): xs.insert(JSONNode(value: value, offset: 0), at: i)
                    case .replace(_, let value): xs[i].value = value
                    }
                    return .success(.array(xs))
                }
                switch go(xs[i].value, rest) {
                case .success(let nv): xs[i].value = nv
                case .failure(let e): return .failure(e)
                }
                return .success(.array(xs))
            default:
                return .failure(PatchError("`\(head)` is inside a \(v.typeName)"))
            }
        }
        return go(v, op.path[...])
    }

    static func toJSON(_ v: JSONValue) -> JSON {
        switch v {
        case .null: .null
        case .bool(let b): .bool(b)
        case .int(let n): .int(n)
        case .number(let s): .string(s)
        case .string(let s): .string(s)
        case .array(let xs): .array(xs.map { toJSON($0.value) })
        case .object(let ms): .object(ms.map { ($0.key, toJSON($0.node.value)) })
        }
    }

    public static func run(
        _ pack: LoadedPack, _ checked: CheckedPack, only: String? = nil
    ) -> ([RuleTestOutcome], [Diagnostic]) {
        let (files, bases, diags) = load(pack)
        let engine = Engine(pack: checked)
        let ruleIndex = Dictionary(uniqueKeysWithValues: checked.rules.enumerated().map { ($1.id, $0) })
        var outcomes: [RuleTestOutcome] = []
        let provider = pack.providerProfile?.value
        for f in files where only == nil || f.rule == only {
            for c in f.cases {
                var o = RuleTestOutcome(
                    file: f.path, rule: f.rule, caseName: c.name, expected: c.expect, actual: nil, problem: nil)
                defer { outcomes.append(o) }
                guard let ri = ruleIndex[f.rule] else { o.problem = "no rule `\(f.rule)` in the pack"; continue }
                guard var doc = bases[f.base]?.value else {
                    o.problem = "no base snapshot `\(f.base)` in tests/base"; continue
                }
                var patchError: String?
                for op in c.patch {
                    switch apply(op, to: doc) {
                    case .success(let d): doc = d
                    case .failure(let e): patchError = "patch /\(op.path.joined(separator: "/")): \(e.message)"
                    }
                    if patchError != nil { break }
                }
                if let patchError { o.problem = patchError; continue }
                let bytes = Array(toJSON(doc).render().utf8)
                var loader = SnapshotLoader(schema: pack.schema)
                guard var facility = loader.loadSnapshot(bytes: bytes, path: "\(f.path)#\(c.name)"),
                    !loader.diagnostics.contains(where: { $0.severity == .error })
                else {
                    o.problem =
                        "patched snapshot does not load: "
                        + loader.diagnostics.filter { $0.severity == .error }.map(\.description).joined(separator: "; ")
                    continue
                }
                if let pi = pack.schema.mechanisms.published?.section, facility.roots[pi] == nil {
                    facility.roots[pi] = provider
                }
                let contradictions = Consistency.check(facility, asOf: f.asOf)
                if !contradictions.isEmpty {
                    o.problem =
                        "patched snapshot contradicts itself: "
                        + contradictions.map(\.description).joined(separator: "; ")
                    continue
                }
                let (values, settings, pd) = ParamResolver.resolve(checked, overrides: facility.overrides + c.params)
                if let e = pd.first(where: { $0.severity == .error }) { o.problem = e.description; continue }
                let result = engine.evaluate(facility, asOf: f.asOf, params: values, settings: settings)
                let r = result.results[ri]
                o.actual = r.state
                if r.state != c.expect {
                    var detail = r.violations.prefix(3).map(\.message.en).joined(separator: "; ")
                    if let reason = r.reason { detail = reason.en }
                    o.problem =
                        "expected \(c.expect.rawValue), got \(r.state.rawValue)"
                        + (detail.isEmpty ? "" : " (\(detail))")
                } else if let n = c.violations, n != r.violations.count {
                    o.problem =
                        "expected \(n) violation\(n == 1 ? "" : "s"), got \(r.violations.count): "
                        + r.violations.map(\.message.en).joined(separator: "; ")
                }
            }
        }
        return (outcomes, diags)
    }

    /// Rules that lack a passing case (pass or attested) or a failing case.
    public static func gaps(_ checked: CheckedPack, _ outcomes: [RuleTestOutcome]) -> [(rule: String, missing: String)]
    {
        var out: [(String, String)] = []
        for r in checked.rules {
            let cases = outcomes.filter { $0.rule == r.id }
            if !cases.contains(where: { [.pass, .attested].contains($0.expected) }) {
                out.append((r.id, "passing case"))
            }
            if !cases.contains(where: { $0.expected == .fail }) { out.append((r.id, "failing case")) }
        }
        return out
    }
}
