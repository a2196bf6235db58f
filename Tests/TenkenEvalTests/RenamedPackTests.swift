import Foundation
import TenkenCheck
import TenkenData
import Testing

@testable import TenkenEval
@testable import TenkenSyntax

/// The generality test of issue 19 (docs/design/pack-data-model-phase2.md §3): in a copy of the
/// MCS pack where EVERY section and field name of its schema is `z_<name>` — in schema.tenken,
/// in the manifest and the rules (a `param.` name is the pack's parameter, left alone), and in
/// the keys of every JSON fixture — the pack checks clean and every fixture gets the same state
/// per rule and the same number of violations. Any Swift code that still read an MCS section or
/// field by its name would find nothing in the renamed copy, and a verdict would change. It is
/// stronger than EngineNamesTests' grep: it sees a name however the code spells it.
struct RenamedPackTests {
    typealias Helpers = RenamedMechanismsTests

    /// The MCS schema's section names and the names of every field of its records and tables.
    static let names: (sections: Set<String>, all: Set<String>) = {
        let path = "Rules/mcs/" + PackSchema.fileName
        guard let text = try? Helpers.read(path) else { fatalError("cannot read \(path)") }
        let (file, _) = SchemaParser.parse(text, file: path)
        let sections = Set(file.sections.map(\.name.text))
        let fields = (file.records.flatMap(\.fields) + file.tables.flatMap(\.fields)).map(\.name.text)
        return (sections, sections.union(fields))
    }()

    static func renamed(_ name: String) -> String { "z_" + name }

    /// `text` with the tokens `rename` picks (given the tokens and an index) written `z_<name>`;
    /// string tokens are passed to `inString` as written, quotes included.
    static func rewrite(
        _ text: String, rename: ([Token], Int) -> Bool, inString: (String) -> String = { $0 }
    ) -> String {
        let scalars = Array(text.unicodeScalars)
        let (tokens, _) = Lexer.tokenize(text, file: "")
        var out = String.UnicodeScalarView()
        var at = 0
        for (i, t) in tokens.enumerated() where t.kind != .eof {
            let start = t.span.offset
            guard start >= at, t.end <= scalars.count else { continue }
            // A hyphenated name (`leaver-accounts-deleted`, a rule's id) is one name, not a field.
            let hyphenated =
                (i > 0 && tokens[i - 1].kind == .minus && tokens[i - 1].end == start)
                || (i + 1 < tokens.count && tokens[i + 1].kind == .minus && tokens[i + 1].span.offset == t.end)
            if t.kind == .ident, !hyphenated, rename(tokens, i) {
                out.append(contentsOf: scalars[at..<start])
                out.append(contentsOf: renamed(t.text).unicodeScalars)
                at = t.end
            } else if t.kind == .string {
                out.append(contentsOf: scalars[at..<start])
                out.append(
                    contentsOf: inString(String(String.UnicodeScalarView(scalars[start..<t.end]))).unicodeScalars)
                at = t.end
            }
        }
        out.append(contentsOf: scalars[at...])
        return String(out)
    }

    /// Whether token `i` is part of a parameter's name (`param.a.b`, `param a.b: int`).
    static func inParam(_ tokens: [Token], _ i: Int) -> Bool {
        var j = i
        while j > 0 {
            let p = tokens[j - 1]
            if p.kind == .ident && p.text == "param" { return true }
            guard p.kind == .dot || (p.kind == .ident && tokens[j].kind == .dot) else { return false }
            j -= 1
        }
        return false
    }

    /// The rule language: a field after `.`, a section as a root (not the word of a clause such
    /// as `level provider`), and the same inside a message template's `{…}`.
    static func renameRules(_ text: String) -> String {
        let clauseWords: Set<String> = ["level", "by", "scope", "category", "risks", "implements", "rule", "define"]
        return rewrite(
            text,
            rename: { toks, i in
                let t = toks[i]
                guard names.all.contains(t.text), !inParam(toks, i) else { return false }
                let prev = i > 0 ? toks[i - 1] : nil
                if prev?.kind == .dot { return true }
                return names.sections.contains(t.text)
                    && !(prev.map { $0.kind == .ident && clauseWords.contains($0.text) } ?? false)
            },
            inString: { s in
                // `{…}` parts of a template are expressions.
                var out = ""
                var rest = Substring(s)
                while let open = rest.firstIndex(of: "{"), let close = rest[open...].firstIndex(of: "}") {
                    out += rest[..<open] + "{" + renameRules(String(rest[rest.index(after: open)..<close])) + "}"
                    rest = rest[rest.index(after: close)...]
                }
                return out + rest
            })
    }

    /// The schema language: a name anywhere but as a clause's first word (`id id`: the keyword,
    /// then the field; a keyword right after a keyword is a name) or as a record's or choice
    /// set's name.
    static func renameSchema(_ text: String) -> String {
        // The declarations' first words, and the words inside clauses (`supplement S key F`,
        // `denial D by L where …`).
        let keywords = SchemaParser.keywords.union([
            "key", "by", "row", "when", "where", "except", "given", "in", "or", "and", "for", "replaces", "appends",
            "json",
        ])
        let starts = SchemaParser.topKeywords.union(["field"])
        var afterKeyword: [Bool] = []
        let (tokens, _) = Lexer.tokenize(text, file: "")
        var last = false
        for t in tokens {
            afterKeyword.append(last)
            // A declaration's first word (`field`, `record`, `section`…) always is one.
            last = t.kind == .ident && (starts.contains(t.text) || (keywords.contains(t.text) && !last))
        }
        return rewrite(text) { toks, i in
            let t = toks[i]
            guard names.all.contains(t.text), !inParam(toks, i) else { return false }
            let prev = i > 0 ? toks[i - 1] : nil
            // A path's field (`consents.kind`); not a record's or choice set's name (`record role`,
            // `choice role`, `[role]`, `section facility: facility`), which may equal a field's.
            if prev?.kind == .dot { return true }
            if let p = prev,
                p.kind == .lbracket || p.kind == .colon || ["record", "choices", "choice"].contains(p.text)
            {
                return false
            }
            return !(keywords.contains(t.text) && !afterKeyword[i])
        }
    }

    /// A JSON value with every object key that is a section or field name renamed.
    static func renameJSON(_ json: Any) -> Any {
        if let o = json as? [String: Any] {
            var r: [String: Any] = [:]
            for (k, v) in o { r[names.all.contains(k) ? renamed(k) : k] = renameJSON(v) }
            return r
        }
        if let a = json as? [Any] { return a.map(renameJSON) }
        return json
    }

    @Test func everySectionAndFieldRenamedGivesTheSameVerdicts() throws {
        #expect(
            Self.names.sections.count >= 15 && Self.names.all.contains("signed_on") && Self.names.all.contains("id"))
        let (mcs, mcsSchema) = try Helpers.pack { $0 }
        let (renamed, renamedSchema) = try Helpers.pack(
            schema: Self.renameSchema, rules: Self.renameRules, catalog: { $0 })
        // Every name is renamed: none of the MCS names is left in the renamed schema.
        #expect(renamedSchema.sections.allSatisfy { $0.name.hasPrefix("z_") })
        let left = renamedSchema.records.values.flatMap(\.fields).map(\.name).filter { !$0.hasPrefix("z_") }
        #expect(left.isEmpty, "\(Set(left).sorted())")
        let (attested, signerRefusals) = try Helpers.sameVerdicts(
            mcs: (mcs, mcsSchema), renamed: (renamed, renamedSchema), renameJSON: Self.renameJSON)
        #expect(attested > 0 && signerRefusals > 0, "attested \(attested), signer refusals \(signerRefusals)")
    }
}
