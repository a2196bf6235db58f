/// A small JSON emitter with keys in the order given, so reports are byte-for-byte
/// deterministic (Foundation's encoders order keys by hash or alphabetically).
public indirect enum JSON: Sendable {
    case null
    case bool(Bool)
    case int(Int)
    case string(String)
    case array([JSON])
    case object([(String, JSON)])

    public static func str(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }

    public func render(indent: Int = 0, pretty: Bool = true) -> String {
        var out = ""
        write(into: &out, level: indent, pretty: pretty)
        return out
    }

    func write(into out: inout String, level: Int, pretty: Bool) {
        switch self {
        case .null: out += "null"
        case .bool(let b): out += b ? "true" : "false"
        case .int(let n): out += String(n)
        case .string(let s): JSON.escape(s, into: &out)
        case .array(let xs):
            if xs.isEmpty { out += "[]"; return }
            out += "["
            for (i, x) in xs.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: level + 1) }
                x.write(into: &out, level: level + 1, pretty: pretty)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: level) }
            out += "]"
        case .object(let kvs):
            if kvs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in kvs.enumerated() {
                if i > 0 { out += "," }
                if pretty { out += "\n" + String(repeating: "  ", count: level + 1) }
                JSON.escape(k, into: &out)
                out += pretty ? ": " : ":"
                v.write(into: &out, level: level + 1, pretty: pretty)
            }
            if pretty { out += "\n" + String(repeating: "  ", count: level) }
            out += "}"
        }
    }

    public static func escape(_ s: String, into out: inout String) {
        out += "\""
        for u in s.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case "\u{2028}": out += "\\u2028"
            case "\u{2029}": out += "\\u2029"
            default:
                if u.value < 0x20 {
                    let h = String(u.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - h.count) + h
                } else {
                    out.unicodeScalars.append(u)
                }
            }
        }
        out += "\""
    }
}
