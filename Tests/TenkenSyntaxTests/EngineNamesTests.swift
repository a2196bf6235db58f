import Foundation
import Testing

@testable import TenkenSyntax

/// Issue 19: the engine knows nothing of MCS; the pack brings its data model. This finds the MCS
/// pack's names in the engine modules' code and holds each file to the uses it has today (`allowed`),
/// the way `ForceUnwrapTests` counts: a new use fails, and so does a file that has fewer than its
/// allowance (lower it). Each step of docs/design/pack-data-model-phase2.md lowers the table; the
/// last one empties it.
///
/// The names come from `Rules/mcs/schema.tenken`, parsed, so the list follows the file. Comments
/// are skipped. Counted, per file (`hits`):
/// 1. the identifier `SnapshotRoot`, `SnapshotSchema.<record constant>` or the same constant read
///    from a schema value (`schema.attestation`, `pack.schema.roles`), and a section's case
///    written short (`.attestations`, `.staff`; not `.facility`, see 2, nor `.provider`, which is
///    also the level 事業者の対策, the engine's word for a shared-responsibility measure);
/// 2. a string literal equal to a section name other than `facility` (a report's `facility` key is
///    the output format's word, not the section's), or to a field name with a `_` (`"signed_on"`);
///    `"facility_id"` is allowed as an output column of the aggregate and the CSV report, which keep
///    it for format stability whatever the pack; a word of the schema language (`max_age`, the
///    clause of `published`, is also a field of `password_policy`) is the language's, not a name;
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

    /// Today's uses, by file (143 at issue 19's step 1; 132 at step 2, which counts the record
    /// constants read from a schema value too; 122 at step 3; 51 at step 4b, the loaders and the
    /// audit layer reading the pack's declarations). Lower a number when a use goes; never raise one.
    /// The run's failure lists each file's uses with their lines.
    static let allowed: [String: Int] = [
        "Sources/TenkenAudit/FacilityTemplate.swift": 3,
        "Sources/TenkenAudit/WaiverFile.swift": 4,
        "Sources/TenkenData/Schema.swift": 9,
        "Sources/TenkenEval/Waivers.swift": 2,
        "Sources/TenkenReport/HTMLReport.swift": 1,
        "Sources/TenkenReport/JSONReport.swift": 2,
        "Sources/TenkenReport/SARIFReport.swift": 1,
        "Sources/TenkenReport/TextReport.swift": 1,
    ]

    /// `SnapshotSchema`'s constants that name an MCS record or its choices.
    static let recordConstants = [
        "facility", "role", "service", "passwordPolicy", "provider", "staff", "account", "device", "network",
        "patient", "member", "group", "refusal", "consent", "document", "incident", "monitoring", "attestation",
        "facilityKinds", "jobs", "roles",
    ]

    /// Words of the MCS pack's report texts that the pack, not the engine, should say.
    static let packWords = ["MCS", "運用管理規程", "規程", "院長", "事業者プロファイル"]

    /// `"facility_id"` is an output column of these files (CSV and aggregate formats stay stable).
    static let facilityIDColumn: Set<String> = [
        "Sources/TenkenReport/Aggregate.swift", "Sources/TenkenReport/CSVReport.swift",
    ]

    /// Literals that equal an MCS name but are not about the section, one each, for good: a word
    /// of the refused-names list (`staff name` is a person's name) and the English word of the
    /// level 事業者の対策 (`provider`).
    static let notTheSection: [(file: String, hit: String)] = [
        ("Sources/TenkenData/Schema.swift", "\"staff\""),
        ("Sources/TenkenReport/Labels.swift", "\"provider\""),
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
            if (sections.contains(lit.text) && lit.text != "facility")
                || (fields.contains(lit.text) && !(lit.text == "facility_id" && facilityIDColumn.contains(file)))
            {
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
        for (f, hit) in notTheSection where f == file {
            if let i = out.firstIndex(where: { $0.hasSuffix(": " + hit) }) { out.remove(at: i) }
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
        // The aggregate's output column.
        #expect(
            Self.hits(
                "let c = \"facility_id\"", file: "Sources/TenkenReport/CSVReport.swift", sections: [], fields: fields
            )
            .isEmpty)
        #expect(
            Self.hits("let c = \"facility_id\"", file: "Sources/TenkenData/Loader.swift", sections: [], fields: fields)
                == ["1: \"facility_id\""])
    }

    @Test func engineNamesOfTheMCSPackAreOnlyTheKnownOnes() throws {
        let (sections, fields) = try Self.mcsNames()
        #expect(sections.contains("attestations") && fields.contains("signed_on"), "the MCS names were not read")
        var found: [String: Int] = [:]
        var lines: [String: [String]] = [:]
        for module in Self.modules {
            let base = Self.root.appendingPathComponent("Sources/" + module)
            for rel in FileManager.default.enumerator(atPath: base.path)?.compactMap({ $0 as? String }) ?? [] {
                guard rel.hasSuffix(".swift") else { continue }
                let file = "Sources/\(module)/\(rel)"
                let text = try String(contentsOf: base.appendingPathComponent(rel), encoding: .utf8)
                let h = Self.hits(text, file: file, sections: sections, fields: fields)
                if !h.isEmpty {
                    found[file] = h.count
                    lines[file] = h
                }
            }
        }
        for (file, n) in found.sorted(by: { $0.key < $1.key }) where n > Self.allowed[file, default: 0] {
            let message: String =
                "\(file): \(n) uses of MCS names, \(Self.allowed[file, default: 0]) allowed; the engine reads "
                + "sections and fields through the pack's schema, not by name:\n  "
                + (lines[file] ?? []).joined(separator: "\n  ")
            Issue.record(Comment(rawValue: message))
        }
        for (file, n) in Self.allowed.sorted(by: { $0.key < $1.key }) where found[file, default: 0] < n {
            let message: String =
                "\(file): \(found[file, default: 0]) uses of MCS names, fewer than the \(n) allowed: lower its "
                + "allowance in EngineNamesTests.allowed"
            Issue.record(Comment(rawValue: message))
        }
        #expect(
            found.values.reduce(0, +) == Self.allowed.values.reduce(0, +), "total: \(found.sorted { $0.key < $1.key })")
    }
}
