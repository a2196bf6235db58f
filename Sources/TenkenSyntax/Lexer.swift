/// A position inside one rule file.
public struct Span: Hashable, Sendable {
    public var line: Int
    public var column: Int
    public var offset: Int
    public init(line: Int, column: Int, offset: Int) {
        self.line = line
        self.column = column
        self.offset = offset
    }
    public static let unknown = Span(line: 0, column: 0, offset: 0)
}

public enum TokenKind: Hashable, Sendable {
    case ident, int, string, date
    case lbrace, rbrace, lparen, rparen, lbracket, rbracket
    case comma, dot, colon, plus, minus, star
    case eq, ne, lt, le, gt, ge, assign
    case eof
    case invalid
}

public struct Token: Hashable, Sendable {
    public var kind: TokenKind
    /// Identifier or keyword text, decoded string value, digits, or the date as written.
    public var text: String
    public var span: Span
    /// Offset just past the token, for adjacency tests (`H-REQ-03` is one name).
    public var end: Int
    /// Comments on the lines right before this token; the formatter keeps them.
    public var leadingComments: [String] = []
}

/// Turns rule text into tokens. Never fails: bad characters become `.invalid` tokens and a
/// diagnostic, so the parser can recover and still build a tree.
public struct Lexer {
    let scalars: [Unicode.Scalar]
    let file: String
    var i = 0
    var line = 1
    var col = 1
    /// The UTF-8 of the token being read, reused across tokens: a String grown one scalar at a
    /// time cost most of lexing a pack (every rule text, the schema, at every start).
    var buffer: [UInt8] = []
    public private(set) var diagnostics: [Diagnostic] = []

    public init(_ text: String, file: String) {
        var s = Array(text.unicodeScalars)
        if s.first == "\u{FEFF}" { s.removeFirst() }
        scalars = s
        self.file = file
    }

    public static func tokenize(_ text: String, file: String) -> ([Token], [Diagnostic]) {
        var lx = Lexer(text, file: file)
        var out: [Token] = []
        while true {
            let t = lx.next()
            out.append(t)
            if t.kind == .eof { break }
        }
        return (out, lx.diagnostics)
    }

    private func peek(_ k: Int = 0) -> Unicode.Scalar? {
        i + k < scalars.count ? scalars[i + k] : nil
    }

    private mutating func advance() {
        if scalars[i] == "\n" { line += 1; col = 1 } else { col += 1 }
        i += 1
    }

    /// Appends `c` to `buffer` as UTF-8.
    private mutating func take(_ c: Unicode.Scalar) {
        if c.isASCII {
            buffer.append(UInt8(truncatingIfNeeded: c.value))
        } else {
            UTF8.encode(c) { buffer.append($0) }
        }
    }

    /// The text `buffer` holds, and `buffer` emptied for the next token.
    private mutating func takeText() -> String {
        let s = String(decoding: buffer, as: UTF8.self)
        buffer.removeAll(keepingCapacity: true)
        return s
    }

    private func loc(_ sp: Span) -> SourceLocation { SourceLocation(file: file, line: sp.line, column: sp.column) }

    static func isIdentStart(_ c: Unicode.Scalar) -> Bool {
        c == "_" || ("a"..."z").contains(c) || ("A"..."Z").contains(c)
    }
    static func isIdentPart(_ c: Unicode.Scalar) -> Bool { isIdentStart(c) || isDigit(c) }
    static func isDigit(_ c: Unicode.Scalar) -> Bool { ("0"..."9").contains(c) }

    public mutating func next() -> Token {
        var comments: [String] = []
        // Skip white space and collect `#` comments as trivia of the next token.
        while let c = peek() {
            if c == " " || c == "\t" || c == "\r" || c == "\n" { advance(); continue }
            if c == "#" {
                while let d = peek(), d != "\n" { take(d); advance() }
                comments.append(takeText())
                continue
            }
            break
        }
        let start = Span(line: line, column: col, offset: i)
        guard let c = peek() else {
            return Token(kind: .eof, text: "", span: start, end: i, leadingComments: comments)
        }
        var tok: Token
        if Lexer.isIdentStart(c) {
            while let d = peek(), Lexer.isIdentPart(d) { take(d); advance() }
            tok = Token(kind: .ident, text: takeText(), span: start, end: i)
        } else if Lexer.isDigit(c) {
            tok = lexNumberOrDate(start)
        } else if c == "\"" {
            tok = lexString(start)
        } else {
            advance()
            let kind: TokenKind
            switch c {
            case "{": kind = .lbrace
            case "}": kind = .rbrace
            case "(": kind = .lparen
            case ")": kind = .rparen
            case "[": kind = .lbracket
            case "]": kind = .rbracket
            case ",": kind = .comma
            case ".": kind = .dot
            case ":": kind = .colon
            case "+": kind = .plus
            case "-": kind = .minus
            case "*": kind = .star
            case "=":
                if peek() == "=" { advance(); kind = .eq } else { kind = .assign }
            case "!":
                if peek() == "=" { advance(); kind = .ne } else { kind = .invalid }
            case "<":
                if peek() == "=" { advance(); kind = .le } else { kind = .lt }
            case ">":
                if peek() == "=" { advance(); kind = .ge } else { kind = .gt }
            default: kind = .invalid
            }
            tok = Token(kind: kind, text: String(c), span: start, end: i)
            if kind == .invalid {
                diagnostics.append(
                    Diagnostic(
                        "syntax.invalid-character", .error,
                        "unexpected character `\(c.escaped(asASCII: false))`", at: loc(start)))
            }
        }
        tok.leadingComments = comments
        return tok
    }

    private mutating func lexNumberOrDate(_ start: Span) -> Token {
        var text = ""
        while let d = peek(), Lexer.isDigit(d) { text.unicodeScalars.append(d); advance() }
        // YYYY-MM-DD written without spaces is a date literal.
        if text.count == 4, peek() == "-", let a = peek(1), let b = peek(2), Lexer.isDigit(a), Lexer.isDigit(b),
            peek(3) == "-", let e = peek(4), let f = peek(5), Lexer.isDigit(e), Lexer.isDigit(f)
        {
            text.unicodeScalars.append(contentsOf: ["-", a, b, "-", e, f])
            for _ in 0..<6 { advance() }
            if let g = peek(), Lexer.isDigit(g) {
                diagnostics.append(
                    Diagnostic(
                        "syntax.bad-date", .error, "malformed date literal, expected YYYY-MM-DD",
                        at: loc(start)))
                while let d = peek(), Lexer.isDigit(d) { advance() }
            }
            return Token(kind: .date, text: text, span: start, end: i)
        }
        if let d = peek(), Lexer.isIdentStart(d) {
            // `30minutes` — ask for a space rather than guess.
            diagnostics.append(
                Diagnostic(
                    "syntax.bad-number", .error,
                    "a number must be followed by a space or an operator, found `\(d)`", at: loc(start),
                    help: "write `\(text) \(d)…` with a space"))
        }
        return Token(kind: .int, text: text, span: start, end: i)
    }

    private mutating func lexString(_ start: Span) -> Token {
        advance()  // opening quote
        while true {
            guard let c = peek() else {
                diagnostics.append(
                    Diagnostic(
                        "syntax.unterminated-string", .error,
                        "unterminated string literal, expected a closing `\"`", at: loc(start)))
                break
            }
            if c == "\n" {
                diagnostics.append(
                    Diagnostic(
                        "syntax.unterminated-string", .error,
                        "string literal runs to the end of the line, expected a closing `\"`", at: loc(start)))
                break
            }
            advance()
            if c == "\"" { break }
            if c == "\\" {
                guard let e = peek() else { continue }
                let escLoc = SourceLocation(file: file, line: line, column: col - 1)
                advance()
                switch e {
                case "\"", "\\": take(e)
                case "n", "t":
                    // Every text of a pack is shown on one line of a report.
                    diagnostics.append(
                        Diagnostic(
                            "syntax.control-character", .error,
                            "`\\\(e)` puts a \(e == "n" ? "line break" : "tab") in the string; texts are one line",
                            at: escLoc))
                default:
                    diagnostics.append(
                        Diagnostic(
                            "syntax.bad-escape", .error,
                            "unknown escape `\\\(e)` in string, expected \\\" or \\\\", at: escLoc))
                }
                continue
            }
            if TextSafety.isForbidden(c) {
                diagnostics.append(
                    Diagnostic(
                        "syntax.control-character", .error,
                        "the string holds the control character \(TextSafety.describe(c))",
                        at: SourceLocation(file: file, line: line, column: col - 1)))
                continue
            }
            take(c)
        }
        return Token(kind: .string, text: takeText(), span: start, end: i)
    }
}
