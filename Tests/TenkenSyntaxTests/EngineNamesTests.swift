import Foundation
import Testing

@testable import TenkenSyntax

/// Issue 19: the engine knows nothing of MCS; the pack brings its data model. This finds the MCS
/// pack's names in the engine modules' code and fails on any: the engine reads sections and fields
/// through the pack's schema and declarations. The only words let through are a file format's own
/// keys that happen to equal an MCS name (`formatWords`, each pair with its reason); an entry no
/// longer found fails too, so the list only shrinks.
///
/// The names come from `Rules/mcs/schema.tenken`, parsed, so the list follows the file. Comments
/// are skipped. Counted, per file (`hits`):
/// 1. the identifier `SnapshotRoot`, `SnapshotSchema.<record constant>` or the same constant read
///    from a schema value (`schema.attestation`, `pack.schema.roles`), and a section's case
///    written short (`.attestations`, `.staff`; not `.facility`, see 2, nor `.provider`, which is
///    also the level 事業者の対策, the engine's word for a shared-responsibility measure);
/// 2. a string literal equal to a section name other than `facility` (a report's `facility` key is
///    the output format's word, not the section's), or to a field name with a `_` (`"signed_on"`);
///    a word of the schema language (`max_age`, the clause of `published`, is also a field of
///    `password_policy`) is the language's, not a name;
/// 3. the lookups `[root: "facility"]`, `["facility"]` and `case "facility"`;
/// 4. the words `MCS`, `運用管理規程`, `規程`, `院長`, `事業者プロファイル` in a literal;
/// 5. `import TenkenPack` anywhere but TenkenAudit/PackLoader.swift.
struct EngineNamesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The engine: every module but the embedded pack (TenkenPack) and the command line (whose
    /// help texts name the bundled pack).
    static let modules = [
        "TenkenSyntax", "TenkenData", "TenkenWorkbook", "TenkenCheck", "TenkenEval", "TenkenReport", "TenkenAudit",
    ]

    /// `SnapshotSchema`'s constants that name an MCS record or its choices.
    static let recordConstants = [
        "facility", "role", "service", "passwordPolicy", "provider", "staff", "account", "device", "network",
        "patient", "member", "group", "refusal", "consent", "document", "incident", "monitoring", "attestation",
        "facilityKinds", "jobs", "roles",
    ]

    /// Words of the MCS pack's report texts that the pack, not the engine, should say.
    static let packWords = ["MCS", "運用管理規程", "規程", "院長", "事業者プロファイル"]

    /// Literals that equal an MCS name but are a file format's own key or another word, each pair
    /// (file, hit as the run lists it) with why it stays. Every occurrence of the hit in that file
    /// is let through; a pair not found any more fails (remove it).
    static let formatWords: [(file: String, hit: String, why: String)] = [
        // The waiver file's format (docs/waivers.md): `approved_by` is its key, whatever the pack.
        ("Sources/TenkenAudit/WaiverFile.swift", "\"approved_by\"", "a key of the waiver file format"),
        ("Sources/TenkenEval/Waivers.swift", "\"approved_by\"", "the waiver file's key, named in its messages"),
        (
            "Sources/TenkenReport/SARIFReport.swift", "\"approved_by\"",
            "a waiver's property, as the waiver file names it"
        ),
        // A baseline is a tenken JSON report: its `facility` object is the report format's.
        (
            "Sources/TenkenAudit/WaiverFile.swift", "[\"facility\"]",
            "the JSON report's `facility` key, read as a baseline"
        ),
        // The JSON report's attestation object keeps its keys whatever the pack (format stability).
        ("Sources/TenkenReport/JSONReport.swift", "\"by_role\"", "a key of the JSON report's attestation object"),
        ("Sources/TenkenReport/JSONReport.swift", "\"signed_on\"", "a key of the JSON report's attestation object"),
        // The aggregate's and the CSV report's column, kept for format stability whatever the pack.
        ("Sources/TenkenReport/Aggregate.swift", "\"facility_id\"", "an output column of the aggregate"),
        ("Sources/TenkenReport/CSVReport.swift", "\"facility_id\"", "an output column of the CSV report"),
        // A word of the refused-names list (`staff name` is a person's name).
        ("Sources/TenkenData/Schema.swift", "\"staff\"", "a refused-names word, not the section"),
        // The English word of the level 事業者の対策.
        ("Sources/TenkenReport/Labels.swift", "\"provider\"", "the level 事業者の対策 in English"),
    ]

    /// The MCS schema's section names and its field names that contain `_`.
    static func mcsNames() throws -> (sections: Set<String>, fields: Set<String>) {
        let path = root.appendingPathComponent("Rules/mcs/schema.tenken")
        let text = try String(contentsOf: path, encoding: .utf8)
        let (file, diags) = SchemaParser.parse(text, file: "Rules/mcs/schema.tenken")
        #expect(diags.filter { $0.severity == .error }.isEmpty)
        let sections = Set(file.sections.map(\.name.text))
        let fields = Set(
            (file.records.flatMap(\.fields) + file.tables.flatMap(\.fields)).map(\.name.text).filter {
                $0.contains("_")
            }
        ).subtracting(SchemaParser.keywords)
        return (sections, fields)
    }

    /// A source file split: `code` with comments and string literals blanked, `kept` with only
    /// comments blanked (line breaks and offsets kept in both), and the string literals with the
    /// offset of their opening quote.
    struct Scan {
        var code: [Character] = []
        var kept: [Character] = []
        var literals: [(text: String, at: Int)] = []
    }

    static func scan(_ text: String) -> Scan {
        let s = Array(text)
        var out = Scan()
        var i = 0
        func blank(_ j: Int, keep: Bool) {
            for k in i..<min(j, s.count) {
                let c: Character = s[k] == "\n" ? "\n" : " "
                out.code.append(c)
                out.kept.append(keep ? s[k] : c)
            }
            i = min(j, s.count)
        }
        func starts(_ p: String, at k: Int) -> Bool {
            let ps = Array(p)
            return k + ps.count <= s.count && Array(s[k..<k + ps.count]) == ps
        }
        while i < s.count {
            if starts("//", at: i) {
                var j = i
                while j < s.count && s[j] != "\n" { j += 1 }
                blank(j, keep: false)
            } else if starts("/*", at: i) {
                var j = i + 2
                while j < s.count && !starts("*/", at: j) { j += 1 }
                blank(j + 2, keep: false)
            } else if s[i] == "\"" || (s[i] == "#" && (starts("#\"", at: i) || starts("##\"", at: i))) {
                // A literal: `#`s, one or three quotes, up to the same closing. Interpolations stay
                // in the text (they rarely hold a name).
                var j = i
                var hashes = ""
                while j < s.count && s[j] == "#" {
                    hashes.append("#")
                    j += 1
                }
                let quotes = starts("\"\"\"", at: j) ? "\"\"\"" : "\""
                j += quotes.count
                let start = j
                let close = quotes + hashes
                while j < s.count && !starts(close, at: j) {
                    if s[j] == "\\" && hashes.isEmpty { j += 1 }
                    if j < s.count && quotes == "\"" && s[j] == "\n" { break }
                    j += 1
                }
                out.literals.append((String(s[start..<min(j, s.count)]), i))
                blank(j + close.count, keep: true)
            } else {
                out.code.append(s[i])
                out.kept.append(s[i])
                i += 1
            }
        }
        return out
    }

    /// `hits` of `file` without those `formatWords` lets through, and the indexes in `formatWords`
    /// of the pairs that let one through.
    static func unexplained(_ hits: [String], file: String) -> (hits: [String], used: Set<Int>) {
        var used = Set<Int>()
        let kept = hits.filter { h in
            guard
                let i = formatWords.indices.first(where: {
                    formatWords[$0].file == file && h.hasSuffix(": " + formatWords[$0].hit)
                })
            else { return true }
            used.insert(i)
            return false
        }
        return (kept, used)
    }

    /// The uses of MCS names in one file, each as `line: what`.
    static func hits(_ text: String, file: String, sections: Set<String>, fields: Set<String>) -> [String] {
        let sc = scan(text)
        var lineStarts = [0]
        for (k, c) in sc.code.enumerated() where c == "\n" { lineStarts.append(k + 1) }
        func line(_ offset: Int) -> Int {
            var lo = 0, hi = lineStarts.count - 1
            while lo < hi {
                let mid = (lo + hi + 1) / 2
                if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
            }
            return lo + 1
        }
        var out: [String] = []
        func matches(_ pattern: String, in chars: [Character]) -> [(String, Int)] {
            let str = String(chars)
            guard let re = try? NSRegularExpression(pattern: pattern) else { return [] }
            let ns = str as NSString
            return re.matches(in: str, range: NSRange(location: 0, length: ns.length)).map { m in
                let r = m.range
                // Character offset of the match (the text is mostly ASCII; count characters to be exact).
                let prefix = ns.substring(to: r.location)
                return (ns.substring(with: r), prefix.count)
            }
        }
        let shortCases = sections.subtracting(["facility", "provider"]).sorted().joined(separator: "|")
        // 1. identifiers
        for (m, at) in matches(#"\bSnapshotRoot\b"#, in: sc.code) { out.append("\(line(at)): \(m)") }
        let constants = recordConstants.joined(separator: "|")
        for (m, at) in matches(#"\b(SnapshotSchema|schema)\.(\#(constants))\b"#, in: sc.code) {
            out.append("\(line(at)): \(m)")
        }
        for (m, at) in matches(#"(?<![\w\)\]\?!])\.(\#(shortCases))\b"#, in: sc.code) {
            out.append("\(line(at)): \(m)")
        }
        // 2, 4. literals
        for lit in sc.literals {
            if (sections.contains(lit.text) && lit.text != "facility") || fields.contains(lit.text) {
                out.append("\(line(lit.at)): \"\(lit.text)\"")
            }
            for w in packWords where lit.text.contains(w) { out.append("\(line(lit.at)): \(w) in a literal") }
        }
        // 3. lookups of the facility section by its name
        for (m, at) in matches(#"\[\s*(root:\s*)?"facility"\s*\]|\bcase\s+"facility""#, in: sc.kept) {
            out.append("\(line(at)): \(m)")
        }
        // 5. the embedded pack
        if file != "Sources/TenkenAudit/PackLoader.swift" {
            for (m, at) in matches(#"\bimport\s+TenkenPack\b"#, in: sc.code) { out.append("\(line(at)): \(m)") }
        }
        return out
    }

    @Test func theCounterSeesNamesAndNothingElse() {
        let sections: Set<String> = ["facility", "staff", "attestations"]
        let fields: Set<String> = ["signed_on", "facility_id"]
        let src = """
            import TenkenPack
            let a = SnapshotRoot.staff.index, b = SnapshotSchema.attestation, c: [R] = [.attestations]
            let d = r["signed_on"], e = f[root: "facility"], g = "staff"
            switch k { case "facility": 1 }
            let h = "MCS 運用管理規程"
            // SnapshotRoot.staff "signed_on" MCS
            /* "staff" */
            let i = "facility", j = x.staff, k = "signed_on_date", l = "a staff", m = facility.attestations
            let o = pack.schema.attestation, q = schemas.roles
            let n = #"院長"#
            """
        let found = Self.hits(src, file: "Sources/TenkenData/X.swift", sections: sections, fields: fields)
        #expect(
            found.sorted()
                == [
                    "1: import TenkenPack", "2: .attestations", "2: SnapshotRoot", "2: SnapshotSchema.attestation",
                    "3: \"signed_on\"", "3: \"staff\"", "3: [root: \"facility\"]", "4: case \"facility\"",
                    "5: MCS in a literal", "5: 規程 in a literal", "5: 運用管理規程 in a literal", "10: 院長 in a literal",
                    "9: schema.attestation",
                ].sorted(), "\(found)")
        // A format's key is let through in the file named with it, and nowhere else.
        let column = "let c = \"facility_id\""
        let csv = "Sources/TenkenReport/CSVReport.swift", loader = "Sources/TenkenData/Loader.swift"
        #expect(Self.unexplained(Self.hits(column, file: csv, sections: [], fields: fields), file: csv).hits.isEmpty)
        #expect(
            Self.unexplained(Self.hits(column, file: loader, sections: [], fields: fields), file: loader).hits
                == ["1: \"facility_id\""])
    }

    @Test func engineNamesOfTheMCSPackAreNone() throws {
        let (sections, fields) = try Self.mcsNames()
        #expect(sections.contains("attestations") && fields.contains("signed_on"), "the MCS names were not read")
        var used = Set<Int>()
        for module in Self.modules {
            let base = Self.root.appendingPathComponent("Sources/" + module)
            for rel in FileManager.default.enumerator(atPath: base.path)?.compactMap({ $0 as? String }) ?? [] {
                guard rel.hasSuffix(".swift") else { continue }
                let file = "Sources/\(module)/\(rel)"
                let text = try String(contentsOf: base.appendingPathComponent(rel), encoding: .utf8)
                let (h, u) = Self.unexplained(
                    Self.hits(text, file: file, sections: sections, fields: fields), file: file)
                used.formUnion(u)
                if !h.isEmpty {
                    let message: String =
                        "\(file): \(h.count) uses of MCS names; the engine reads sections and fields through the "
                        + "pack's schema and declarations, not by name (a file format's own key goes in "
                        + "EngineNamesTests.formatWords with its reason):\n  " + h.joined(separator: "\n  ")
                    Issue.record(Comment(rawValue: message))
                }
            }
        }
        for (i, w) in Self.formatWords.enumerated() where !used.contains(i) {
            Issue.record(Comment(rawValue: "\(w.file): \(w.hit) is not found any more: remove it from formatWords"))
        }
    }
}
