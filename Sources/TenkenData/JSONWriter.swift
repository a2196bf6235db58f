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
                // Controls (C0, DEL, C1) and bidirectional overrides as \u escapes: the value is
                // kept exactly, and a report shown in a terminal cannot drive it.
                if u.value < 0x20 || (0x7F...0x9F).contains(u.value) || u.value == 0x061C || u.value == 0x200E
                    || u.value == 0x200F
                    || (0x202A...0x202E).contains(u.value) || (0x2066...0x2069).contains(u.value)
                {
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

/// A JSON document produced piece by piece: arrays give their elements on demand, so a report
/// with a great many findings is written without first building it whole. Written exactly as
/// `JSON.render()` writes the same document.
public indirect enum JSONPart {
    case value(JSON)
    case object([(String, JSONPart)])
    /// `count` elements, the i-th made by `element(i)` when it is written.
    case array(count: Int, element: (Int) -> JSONPart)

    /// Writes the document to `sink` in chunks of about 64 KiB.
    public func write<E: Error>(to sink: (String) throws(E) -> Void) throws(E) {
        var buffer = ""
        try emit(level: 0, &buffer, sink)
        if !buffer.isEmpty { try sink(buffer) }
    }

    func emit<E: Error>(level: Int, _ out: inout String, _ sink: (String) throws(E) -> Void) throws(E) {
        switch self {
        case .value(let j):
            j.write(into: &out, level: level, pretty: true)
        case .object(let kvs):
            if kvs.isEmpty { out += "{}"; return }
            out += "{"
            for (i, (k, v)) in kvs.enumerated() {
                if i > 0 { out += "," }
                out += "\n" + String(repeating: "  ", count: level + 1)
                JSON.escape(k, into: &out)
                out += ": "
                try v.emit(level: level + 1, &out, sink)
            }
            out += "\n" + String(repeating: "  ", count: level) + "}"
        case .array(let n, let element):
            if n == 0 { out += "[]"; return }
            out += "["
            for i in 0..<n {
                if i > 0 { out += "," }
                out += "\n" + String(repeating: "  ", count: level + 1)
                try element(i).emit(level: level + 1, &out, sink)
                if out.utf8.count >= 1 << 16 {
                    try sink(out)
                    out = ""
                }
            }
            out += "\n" + String(repeating: "  ", count: level) + "]"
        }
    }
}
