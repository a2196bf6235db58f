import Foundation
import TenkenData

/// A JSON Schema (draft 4) validator for the keywords the official SARIF 2.1.0 schema uses:
/// `$ref` (within the document), `type`, `enum`, `required`, `properties`,
/// `additionalProperties`, `items`, `minItems`, `uniqueItems`, `minimum`, `maximum`,
/// `pattern`, `anyOf`, `oneOf`, and the formats `uri`, `uri-reference` and `date-time`.
/// Any other keyword in a schema is reported, so a schema that needs more is never half
/// checked. Tested against documents that break each keyword (SARIFSchemaTests), and against
/// python's `jsonschema` where it is installed.
struct JSONSchemaCheck {
    let root: JSONValue
    static let known: Set<String> = [
        "$schema", "$ref", "id", "title", "description", "default", "type", "enum", "required", "properties",
        "additionalProperties", "items", "minItems", "uniqueItems", "minimum", "maximum", "pattern",
        "anyOf", "oneOf", "format", "definitions",
    ]

    init(schema bytes: [UInt8]) throws {
        let (node, diags, _) = JSONReader.parse(
            bytes, file: "schema", limits: JSONLimits(maxDepth: 256, maxBytes: 1 << 26))
        guard let node else { throw SchemaError(message: diags.first?.message ?? "not JSON") }
        root = node.value
    }

    struct SchemaError: Error { var message: String }

    /// Every way `document` breaks the schema, as `pointer: what`.
    func errors(_ document: [UInt8]) -> [String] {
        let (node, diags, _) = JSONReader.parse(
            document, file: "document", limits: JSONLimits(maxDepth: 256, maxBytes: 1 << 30))
        guard let node else { return ["(document): not JSON: \(diags.first?.message ?? "")"] }
        var out: [String] = []
        check(node.value, root, "", &out)
        return out
    }

    func resolve(_ ref: String) -> JSONValue? {
        guard ref.hasPrefix("#") else { return nil }
        var cur = root
        for token in ref.dropFirst().split(separator: "/") {
            let t = token.replacingOccurrences(of: "~1", with: "/").replacingOccurrences(of: "~0", with: "~")
            guard let next = cur[t] else { return nil }
            cur = next
        }
        return cur
    }

    func check(_ v: JSONValue, _ s: JSONValue, _ at: String, _ out: inout [String]) {
        guard case .object(let members) = s else { out.append("\(at): the schema is not an object"); return }
        for m in members where !Self.known.contains(m.key) {
            out.append("\(at): the schema uses `\(m.key)`, which this checker does not know")
        }
        if let ref = s["$ref"]?.string {
            guard let target = resolve(ref) else { out.append("\(at): unresolvable $ref \(ref)"); return }
            check(v, target, at, &out)
            return
        }
        if let t = s["type"] {
            let types = t.string.map { [$0] } ?? (t.array ?? []).compactMap(\.string)
            if !types.contains(where: { Self.isType(v, $0) }) {
                out.append("\(at): expected \(types.joined(separator: " or ")), found \(v.typeName)")
            }
        }
        if let e = s["enum"]?.array, !e.contains(where: { Self.equal($0, v) }) {
            out.append("\(at): \(Self.show(v)) is not one of the allowed values")
        }
        if case .object(let obj) = v {
            let keys = Set(obj.map(\.key))
            for r in (s["required"]?.array ?? []).compactMap(\.string) where !keys.contains(r) {
                out.append("\(at): `\(r)` is required")
            }
            let props = s["properties"]
            for m in obj {
                let path = at + "/" + escapePointerToken(m.key)
                if let ps = props?[m.key] {
                    check(m.node.value, ps, path, &out)
                } else if let ap = s["additionalProperties"] {
                    if case .bool(false) = ap {
                        out.append("\(path): no such property is allowed here")
                    } else if case .object = ap {
                        check(m.node.value, ap, path, &out)
                    }
                }
            }
        }
        if case .array(let xs) = v {
            if let n = s["minItems"]?.int, xs.count < n {
                out.append("\(at): at least \(n) items needed, found \(xs.count)")
            }
            if case .bool(true)? = s["uniqueItems"] {
                for i in xs.indices {
                    for j in xs.indices where j > i && Self.equal(xs[i].value, xs[j].value) {
                        out.append("\(at): items \(i) and \(j) are equal")
                    }
                }
            }
            if let item = s["items"] { for (i, x) in xs.enumerated() { check(x.value, item, "\(at)/\(i)", &out) } }
        }
        if let n = Self.number(v) {
            if let lo = s["minimum"].flatMap(Self.number), n < lo {
                out.append("\(at): \(n) is below the minimum \(lo)")
            }
            if let hi = s["maximum"].flatMap(Self.number), n > hi {
                out.append("\(at): \(n) is above the maximum \(hi)")
            }
        }
        if case .string(let str) = v {
            if let p = s["pattern"]?.string {
                // Draft 4 patterns are ECMA 262 regular expressions, unanchored: a match anywhere counts.
                if (try? NSRegularExpression(pattern: p))?.firstMatch(
                    in: str, range: NSRange(str.startIndex..., in: str)) == nil
                {
                    out.append("\(at): \(Self.show(v)) does not match \(p)")
                }
            }
            if let f = s["format"]?.string, !Self.format(str, f) {
                out.append("\(at): \(Self.show(v)) is not a valid \(f)")
            }
        }
        if let any = s["anyOf"]?.array {
            if !any.contains(where: { sub in
                var e: [String] = []; check(v, sub, at, &e); return e.isEmpty
            }) {
                out.append("\(at): matches none of anyOf")
            }
        }
        if let one = s["oneOf"]?.array {
            let n = one.filter { sub in
                var e: [String] = []; check(v, sub, at, &e); return e.isEmpty
            }.count
            if n != 1 { out.append("\(at): matches \(n) of oneOf, not exactly one") }
        }
    }

    static func isType(_ v: JSONValue, _ t: String) -> Bool {
        switch (t, v) {
        case ("null", .null), ("boolean", .bool), ("string", .string), ("array", .array), ("object", .object),
            ("integer", .int), ("number", .int), ("number", .number):
            return true
        case ("integer", .number(let s)):
            return Double(s).map { $0.rounded() == $0 } ?? false
        default:
            return false
        }
    }

    static func number(_ v: JSONValue) -> Double? {
        switch v {
        case .int(let n): Double(n)
        case .number(let s): Double(s)
        default: nil
        }
    }

    static func equal(_ a: JSONValue, _ b: JSONValue) -> Bool {
        switch (a, b) {
        case (.null, .null): return true
        case (.bool(let x), .bool(let y)): return x == y
        case (.string(let x), .string(let y)): return x == y
        case (.int, _), (.number, _): return number(a) != nil && number(a) == number(b)
        case (.array(let x), .array(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0.value, $1.value) }
        case (.object(let x), .object(let y)):
            return x.count == y.count
                && x.allSatisfy { m in y.contains { $0.key == m.key && equal($0.node.value, m.node.value) } }
        default: return false
        }
    }

    static func show(_ v: JSONValue) -> String { if case .string(let s) = v { "`\(s)`" } else { v.typeName } }

    /// RFC 3986 characters: unreserved, reserved, and `%` with two hex digits.
    static func uriCharacters(_ s: String) -> Bool {
        let allowed = Set(
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~:/?#[]@!$&'()*+,;=".unicodeScalars)
        var scalars = Array(s.unicodeScalars)[...]
        while let c = scalars.first {
            scalars = scalars.dropFirst()
            if c == "%" {
                guard scalars.count >= 2, scalars.prefix(2).allSatisfy({ $0.properties.isASCIIHexDigit }) else {
                    return false
                }
                scalars = scalars.dropFirst(2)
            } else if !allowed.contains(c) {
                return false
            }
        }
        return true
    }

    static func format(_ s: String, _ f: String) -> Bool {
        switch f {
        case "uri":
            // An absolute URI: a scheme, then `:`.
            return s.range(of: "^[A-Za-z][A-Za-z0-9+.-]*:", options: .regularExpression) != nil && uriCharacters(s)
        case "uri-reference":
            return uriCharacters(s)
        case "date-time":
            return s.range(
                of: #"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$"#,
                options: .regularExpression) != nil
        default:
            return true
        }
    }
}
