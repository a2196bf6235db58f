import Foundation
import TenkenSyntax
import Testing

@testable import TenkenData

/// Rules/mcs/schema.tenken, the MCS pack's data model as pack data, against the schema the
/// engine reads snapshots with: every section, record, field and table, attribute by attribute.
struct SchemaEquivalenceTests {
    static let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func mcsSchema() throws -> PackSchema {
        let path = repo.appendingPathComponent("Rules/mcs/schema.tenken").path
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let (schema, diags) = PackSchema.compile(text, file: "Rules/mcs/schema.tenken")
        #expect(diags.isEmpty, "\(diags.map(\.description))")
        return try #require(schema)
    }

    /// Every attribute of a value in words, so a difference names where it is.
    static func describe(_ v: Value) -> String { "\(v)" }

    static func describe(_ c: AbsenceCondition) -> String {
        "\(c.scope) \(c.field) \(c.values.map(describe))"
    }

    static func describe(_ a: Absence) -> String {
        switch a {
        case .unknown: "unknown"
        case .none(let en, let ja, let cs):
            "none \(en) | \(ja) | \(cs.map(describe)) | \(a.meaning.map { "\($0)" } ?? "")"
        case .assumed(let v, let en, let ja, let cs):
            "assumed \(describe(v)) \(en) | \(ja) | \(cs.map(describe)) | \(a.meaning.map { "\($0)" } ?? "")"
        }
    }

    static func describe(_ t: FieldType) -> String {
        switch t {
        case .record(let r): "record(" + describe(r) + ")"
        case .list(let inner): "list(" + describe(inner) + ")"
        case .duration(let u): "duration(\(u))"
        default: t.description
        }
    }

    static func describe(_ f: FieldSchema) -> [String] {
        [
            "name \(f.name)", "type \(describe(f.type))", "absent \(describe(f.absent))",
            "notBefore \(f.notBefore ?? "-")", "past \(f.pastOnly)", "references \(f.references ?? "-")",
            "identifier \(f.identifier)", "zero \(f.zeroIsAmbiguous)", "aliases \(f.aliases)", "doc \(f.doc)",
            "docJa \(f.docJa)", "choicesJa \(f.choicesJa.sorted { $0.key < $1.key })",
            "byLabel \(f.choiceByLabel.sorted { $0.key < $1.key })",
        ].map { "\(f.name): \($0)" }
    }

    static func describe(_ r: RecordSchema) -> String { describeLines(r).joined(separator: " ¦ ") }

    static func describeLines(_ r: RecordSchema) -> [String] {
        var out = [
            "record \(r.name) id \(r.idField ?? "-") unique \(r.uniqueIDs) idIndex \(String(describing: r.idIndex))",
            "exclusions "
                + r.exclusions.map { "\($0.field) \($0.values) \($0.excludes) \($0.when)" }.joined(separator: "; "),
            "nonEmpty " + r.nonEmpty.map { "\($0.list) \($0.field) \($0.values)" }.joined(separator: "; "),
            "denials "
                + r.denials.map { d in
                    "\(d.flag) \(d.list) \(d.any.map { "\($0.field) \($0.values.map(describe))" }) \(d.pastWhen ?? "-")"
                }.joined(separator: "; "),
            "bounds "
                + r.bounds.map {
                    "\($0.field) \(String(describing: $0.min)) \(String(describing: $0.max)) \($0.when) \($0.values) \($0.why)"
                }
                .joined(separator: "; "),
            "headers \(r.headerIndex.sorted { $0.key < $1.key })",
            "needsResolution \(r.needsResolution) cross \(r.crossConditions.map { "\($0.field) \($0.conditions.map(describe))" })",
        ]
        for f in r.fields { out += describe(f) }
        return out
    }

    static func describe(_ t: TableSpec) -> [String] {
        let shape: String =
            switch t.shape {
            case .profile: "profile"
            case .collection(let i): "collection \(i)"
            case .nested(let p, let l, let k): "nested \(p) \(l) \(k)"
            case .supplement(let o, let k): "supplement \(o) \(k)"
            }
        return [
            "table \(t.name) \(t.nameJa) \(t.doc) \(t.docJa) \(shape) record \(t.record?.name ?? "-")",
            "row \(t.rowSchema.name) same-as-record \(t.record.map { $0 === t.rowSchema } ?? false)",
        ] + describeLines(t.rowSchema)
    }

    /// The whole schema, one attribute a line: sections, their records, tables, profile keys
    /// and choice sets.
    static func dump(
        sections: [(name: String, shape: SectionSchema.Shape, record: RecordSchema, doc: String)], tables: [TableSpec],
        choiceSets: [String: [String]]
    ) -> [String] {
        var out: [String] = []
        for s in sections {
            out.append("section \(s.name) \(s.shape) \(s.doc)")
            out += describeLines(s.record)
        }
        for t in tables { out += describe(t) }
        for k in SnapshotTables.profileKeys(of: sections.map { ($0.name, $0.shape, $0.record) }) {
            out.append("profile key \(k.key) \(k.section) \(k.field.name) \(k.index)")
        }
        for (name, values) in choiceSets.sorted(by: { $0.key < $1.key }) { out.append("choices \(name) \(values)") }
        return out
    }

    static let dumpPath = repo.appendingPathComponent("Tests/Schemas/mcs-schema.dump.txt").path

    /// The file's schema against the dump recorded from the Swift literals it replaced
    /// (`TENKEN_RECORD=1 swift test --filter theEngineReadsWithTheSchemaFile` records it again,
    /// where a change to the schema is meant).
    @Test func theSchemaFileIsTheSchemaTheEngineReadsWith() throws {
        let file = try Self.mcsSchema()
        let lines = Self.dump(
            sections: file.sections.map { ($0.name, $0.shape, $0.record, $0.doc) }, tables: file.tables,
            choiceSets: file.choiceSets)
        let recorded = try String(contentsOfFile: Self.dumpPath, encoding: .utf8).split(
            separator: "\n", omittingEmptySubsequences: false
        ).dropLast().map(String.init)
        let differ = zip(lines, recorded).enumerated().filter { $0.element.0 != $0.element.1 }
        #expect(lines.count == recorded.count, "\(lines.count) lines, \(recorded.count) recorded")
        #expect(
            differ.isEmpty,
            "first differences (line: file / recorded): \(differ.prefix(3).map { "\($0.offset + 1): \($0.element.0) / \($0.element.1)" })"
        )
    }

    /// The engine's schema (`SnapshotSchema`, `SnapshotTables`) is the file's.
    @Test func theEngineReadsWithTheSchemaFile() throws {
        let lines = Self.dump(
            sections: TestSchema.mcs.sections.map { ($0.name, $0.shape, $0.record, $0.doc) },
            tables: TestSchema.mcs.tables,
            choiceSets: [
                "facility_kind": TestSchema.choices("facility", "kind"),
                "job": TestSchema.choices("staff_member", "job"),
                "role": TestSchema.choices("role", "role"),
            ])
        if ProcessInfo.processInfo.environment["TENKEN_RECORD"] == "1" {
            let file = try Self.mcsSchema()
            let all =
                lines.filter { !$0.hasPrefix("choices") }
                + file.choiceSets.sorted { $0.key < $1.key }.map { "choices \($0.key) \($0.value)" }
            try (all.joined(separator: "\n") + "\n").write(toFile: Self.dumpPath, atomically: true, encoding: .utf8)
        }
        let recorded = try String(contentsOfFile: Self.dumpPath, encoding: .utf8).split(separator: "\n").map(
            String.init)
        let mine = lines.filter { !$0.hasPrefix("choices") }
        let theirs = recorded.filter { !$0.hasPrefix("choices") }
        #expect(mine == theirs)
        for name in ["facility_kind", "job", "role"] {
            #expect(recorded.contains(lines.first { $0.hasPrefix("choices \(name) ") } ?? "-"), "\(name)")
        }
    }

    /// The schema is a value: each compile of the file works out the same indexes by itself
    /// (the readers and the checker take the value, never a process-wide static).
    @Test func theSchemaValueCarriesItsIndexes() throws {
        let file = try Self.mcsSchema()
        let other = TestSchema.mcs
        #expect(file !== other)
        #expect(file.sections.map(\.name) == other.sections.map(\.name))
        #expect(file.sectionIndex == other.sectionIndex)
        #expect(file.names == TestSchema.mcs.names)
        #expect(file.records.keys.sorted() == TestSchema.mcs.records.keys.sorted())
        #expect(file.tables.map(\.name) == TestSchema.mcs.tables.map(\.name))
        #expect(file.tableForSection == TestSchema.mcs.tableForSection)
        #expect(file.profileKeys.map(\.key) == TestSchema.mcs.profileKeys.map(\.key))
        #expect(file.profileKeyIndex == TestSchema.mcs.profileKeyIndex)
        #expect(file.profileColumns.map(\.name) == TestSchema.mcs.profileColumns.map(\.name))
        #expect(file.choiceSets == other.choiceSets)
        // A value's tables share its records, not copies.
        #expect(other.table("staff")?.record === other.sections[try #require(other.sectionIndex["staff"])].record)
        // A key as a person writes it: any case or width, or the Japanese name of its table.
        let staff = try #require(file.sectionIndex["staff"])
        for key in ["staff", "Staff", "ＳＴＡＦＦ", "職員"] {
            #expect(file.section(forKey: key) == staff, "\(key)")
            #expect(TestSchema.mcs.section(forKey: key) == staff, "\(key)")
        }
        #expect(file.section(forKey: "staffs") == nil)
        #expect(file.tableForSection[staff] == "staff.csv")
        #expect(file.tableForSection[try #require(file.sectionIndex["facility"])] == "facility.csv")
        #expect(file.records["member"] != nil, "a record nested in a list is reachable")
    }
}

/// The schema checker: every fault of a file is reported, located, in one run.
struct SchemaCheckerTests {
    func errors(_ text: String) -> [(id: String, line: Int, column: Int, message: String)] {
        let (schema, diags) = PackSchema.compile(text, file: "s.tenken")
        #expect(schema == nil)
        #expect(diags.allSatisfy { $0.location?.file == "s.tenken" && ($0.location?.line ?? 0) > 0 })
        return diags.map { ($0.id, $0.location?.line ?? 0, $0.location?.column ?? 0, $0.message) }
    }

    @Test func everyFaultIsReportedWhereItIs() {
        let found = errors(
            """
            section people: [person] doc "people"
            section people: [person] doc "again"
            section things: [thing] doc "things"
            choices kind { "a" ja "甲"  "b" ja "甲"  "c" ja "a" }
            record person {
              field id: string ja "ID" doc "id"
              field id: string doc "again"
              field left_on: dat doc "left"
              field ended_on: date doc "ended" not_before started_on
              field boss: string doc "boss" references bosses
              field label: string ja "Id" doc "a Japanese label that is another field's name"
              field kind: choice kind doc "kind"
              field size: int doc "size"
              bound kind >= 0 when kind in ["a"] because "kinds are not counts"
              exclude ended_on when kind in ["z"]
              field status: choice ["on" ja "有効", "off" ja "on"] doc "status"
              field gone_on: date doc "gone" absent none en "not gone" ja "未" unless stat in ["on"]
            }
            table people ja "人" { section persons }
            table people ja "人" { section people }
            """)
        let want: [(String, Int)] = [
            ("schema.duplicate-name", 2),  // section people
            ("schema.unknown-type", 3),  // record thing
            ("schema.choice-collision", 4),  // 甲 twice
            ("schema.choice-collision", 4),  // "a" is a value
            ("schema.duplicate-name", 7),  // field id
            ("schema.unknown-type", 8),  // dat
            ("schema.unknown-field", 9),  // started_on
            ("schema.unknown-section", 10),  // bosses
            ("schema.duplicate-header", 11),  // "Id" is `id`
            ("schema.invalid", 14),  // bound on a choice
            ("schema.invalid", 15),  // "z" is no kind
            ("schema.choice-collision", 16),  // off's word is the value on
            ("schema.unknown-field", 17),  // stat
            ("schema.duplicate-name", 20),  // table people
        ]
        for (id, line) in want {
            #expect(found.contains { $0.id == id && $0.line == line }, "\(id) at line \(line): \(found)")
        }
        #expect(found.contains { $0.message.contains("`started_on`") && $0.column == 47 })
    }

    /// Headers are compared as a table's are read: any case, full- or half-width, so `ＳＴＡＴＵＳ`
    /// is `status`; in a record with no other fault, and between a table's link and its record.
    @Test func headersThatFoldTogetherAreRefused() {
        let found = errors(
            """
            section people: [person] doc "people"
            record person {
              field id: string doc "id"
              field status: string doc "status"
              field state: string ja "ＳＴＡＴＵＳ" doc "state"
              field kind: string ja "種別" doc "kind"
              field sort: string doc "sort" aliases ["種別 "]
            }
            """)
        #expect(found.filter { $0.id == "schema.duplicate-header" }.map(\.line) == [5, 7], "\(found)")
        let link = errors(
            """
            section people: [person] doc "people"
            record person { field id: string doc "id"  field pets: [pet] doc "pets" }
            record pet { id name  field name: string ja "人ID" doc "name" }
            table people ja "人" { section people  without pets }
            table pets ja "ペット" { nested people.pets link person_id  field person_id: string ja "人ID" doc "the person" }
            """)
        #expect(link.map(\.id) == ["schema.duplicate-header"] && link.first?.line == 5, "\(link)")
    }

    @Test func syntaxErrorsAreCollectedAndLocated() {
        let found = errors(
            """
            record a {
              field x string doc "x"
              field y: int doc "y"
              colour blue
            }
            section a: [a] doc 5
            record b { field z: duration fortnights doc "z" }
            """)
        #expect(found.contains { $0.id == "syntax.unexpected-token" && $0.line == 2 && $0.column == 11 })
        #expect(found.contains { $0.id == "syntax.unknown-clause" && $0.line == 4 })
        #expect(found.contains { $0.line == 6 })
        #expect(found.contains { $0.id == "syntax.expected-type" && $0.line == 7 })
    }

    @Test func conditionsAndTablesAreChecked() {
        let found = errors(
            """
            section facility: facility doc "profile"
            section people: [person] doc "people"
            record facility { id none  field open: bool doc "open" }
            record person {
              field id: string doc "id"
              field friends: [friend] doc "friends"
              field a: date doc "a" absent none en "x" ja "x" unless facility.closed given
              field b: date doc "b" absent none en "x" ja "x" unless some friends.age in ["old"]
              field c: date doc "c" absent none en "x" ja "x" unless some people.id given via owner
              field d: bool doc "d" absent assumed "yes" en "x" ja "x"
              field e: int doc "e" past
            }
            record friend { id name  field name: string doc "name"  field age: int doc "age" }
            """)
        for (id, line) in [
            ("schema.unknown-field", 7), ("schema.invalid", 8), ("schema.unknown-field", 9), ("schema.invalid", 10),
            ("schema.invalid", 11),
        ] {
            #expect(found.contains { $0.id == id && $0.line == line }, "\(id) at line \(line): \(found)")
        }
        let tables = errors(
            """
            section people: [person] doc "people"
            record person { field id: string doc "id"  field friends: [friend] doc "friends" }
            record friend { id name  field name: string doc "name" }
            table people ja "人" { section people without enemies }
            table friends ja "友" { nested people.friends link person_id }
            table others ja "他" { nested folk.friends link person_id  field person_id: string doc "link" }
            table more ja "人" { section people }
            """)
        for (id, line) in [
            ("schema.unknown-field", 4), ("schema.unknown-field", 5), ("schema.unknown-section", 6),
            ("schema.duplicate-name", 7),
        ] {
            #expect(tables.contains { $0.id == id && $0.line == line }, "\(id) at line \(line): \(tables)")
        }
    }

    /// Bad input never crashes or hangs: every prefix of the MCS schema (cut every 97
    /// characters, so inside strings, names and blocks), the file with each line dropped in
    /// turn, and nesting past the bounds compile to errors, each located in the file.
    @Test func everyCutOfTheSchemaFailsCleanly() throws {
        let text = try String(
            contentsOfFile: SchemaEquivalenceTests.repo.appendingPathComponent("Rules/mcs/schema.tenken").path,
            encoding: .utf8)
        let chars = Array(text)
        var inputs = stride(from: 0, to: chars.count, by: 97).map { String(chars[..<$0]) }
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for i in stride(from: 0, to: lines.count, by: 3) {
            var cut = lines
            cut.remove(at: i)
            inputs.append(cut.joined(separator: "\n"))
        }
        inputs.append("record a { field x: " + String(repeating: "[", count: 10_000) + "int" + " doc \"x\" }")
        inputs.append(
            (0..<500).map { "record r\($0) { id none  field x: r\($0 + 1) doc \"x\" }" }.joined(separator: "\n")
                + "\nrecord r500 { id none  field x: int doc \"x\" }\nsection s: r0 doc \"s\"")
        for input in inputs {
            let (_, diags) = PackSchema.compile(input, file: "cut.tenken")
            #expect(diags.allSatisfy { $0.location?.file == "cut.tenken" })
        }
    }
}

/// The checks that hold a schema's words and tables to what the table reader and writer do
/// with them (`SchemaLint`; break-19a M2–M4, L4, L7): each mistake one located error.
struct SchemaLintTests {
    /// A small schema that passes, with `extra` declarations added and `edits` made.
    func found(_ edits: [(String, String)] = [], _ extra: String = "") -> [(id: String, line: Int, message: String)] {
        var text = """
            section people: [person] doc "people"
            choices job { "doctor" ja "医師"  "nurse" ja "看護師"  "clerk" ja "事務" }
            record person {
              field id: string ja "人ID" doc "id" aliases ["person_id"]
              field job: choice job ja "職種" doc "job"
              field os: string ja "OS" doc "a label may be the name in capitals"
              field hired_on: date doc "hired"
              field left_on: date doc "left" not_before hired_on absent none en "still here" ja "在職中"
              field pets: [pet] doc "pets"
            }
            record pet { id name  field name: string doc "name"  field kind: string doc "kind" }
            table people ja "人" { section people  without pets }
            table pets ja "ペット" { nested people.pets link person_id  field person_id: string ja "人" doc "the person" }

            """
        for (a, b) in edits {
            #expect(text.contains(a), "\(a)")
            text = text.replacingOccurrences(of: a, with: b)
        }
        let (_, diags) = PackSchema.compile(text + extra, file: "s.tenken")
        #expect(diags.allSatisfy { $0.location?.file == "s.tenken" && ($0.location?.line ?? 0) > 0 })
        return diags.map { ($0.id, $0.location?.line ?? 0, $0.message) }
    }

    func expectOne(_ id: String, line: Int, _ edits: [(String, String)], _ extra: String = "") {
        let f = found(edits, extra)
        #expect(f.count == 1 && f.first?.id == id && f.first?.line == line, "\(edits) \(extra): \(f)")
    }

    @Test func theBaseSchemaPasses() { #expect(found().isEmpty, "\(found())") }

    /// A word that is another once trimmed or folded would turn one value into another on a
    /// table round trip (`"看護師 "` is read as the nurse's word): a midwife would come back a nurse.
    @Test func wordsThatCollideOnceFoldedAreRefused() {
        expectOne("schema.choice-collision", line: 2, [("\"clerk\" ja \"事務\"", "\"clerk\" ja \"看護師 \"")])
        expectOne("schema.choice-collision", line: 2, [("\"clerk\" ja \"事務\"", "\"clerk\" ja \"\u{3000}看護師\"")])
        expectOne("schema.choice-collision", line: 2, [("\"clerk\" ja \"事務\"", "\"Nurse\"")])
        expectOne(
            "schema.choice-collision", line: 2, [("\"clerk\" ja \"事務\"", "\"clerk\" ja \"ｶﾝｺﾞｼ\"  \"x\" ja \"カンゴシ\"")])
        expectOne("schema.invalid", line: 2, [("\"clerk\" ja \"事務\"", "\"clerk\" ja \"事務 \"")])
        expectOne("schema.invalid", line: 2, [("\"clerk\"", "\"clerk \"")])
        expectOne("schema.invalid", line: 5, [("field job: choice job", "field job: choice [\" a\", \"b\"]")])
        expectOne("schema.invalid", line: 4, [("ja \"人ID\"", "ja \"\"")])
        expectOne("schema.invalid", line: 4, [("[\"person_id\"]", "[\"person_id\", \"\"]")])
        expectOne("schema.invalid", line: 4, [("[\"person_id\"]", "[\"person_id \"]")])
        // L7: an alias said twice, or that is the field's own header, once folded.
        expectOne("schema.duplicate-header", line: 4, [("[\"person_id\"]", "[\"person_id\", \"Person_ID\"]")])
        expectOne("schema.duplicate-header", line: 4, [("[\"person_id\"]", "[\"ｉｄ\"]")])
        expectOne("schema.duplicate-header", line: 4, [("[\"person_id\"]", "[\"人ID\"]")])
    }

    /// Every field of every section is a column of exactly one table, so `convert --to csv`
    /// cannot drop data; a nested table holds what its parent leaves out.
    @Test func tablesHoldTheWholeSnapshot() {
        expectOne(
            "schema.table-coverage", line: 1,
            [("table people ja \"人\" { section people  without pets }\n", ""), ("table pets", "# table pets")])
        expectOne(
            "schema.table-coverage", line: 14, [], "table folk ja \"人々\" { section people  without pets }\n")
        expectOne("schema.table-coverage", line: 12, [("without pets", "without id, pets")])
        expectOne("schema.table-coverage", line: 12, [("without pets", "without job, pets")])
        expectOne("schema.table-coverage", line: 12, [("without pets", "only id")])  // no table for pets' column
        expectOne("schema.table-coverage", line: 12, [("without pets", "only id, job  without pets")])
        expectOne("schema.table-coverage", line: 13, [("link person_id", "link person_id  without name")])
        expectOne(
            "schema.table-coverage", line: 14, [],
            "table pets2 ja \"ペット2\" { nested people.pets link pid  field pid: string doc \"p\" }\n")
        // A table naming a section or list that is not there is the builder's one error, not also "lost".
        expectOne(
            "schema.unknown-section", line: 12,
            [("{ section people  without pets }", "{ section peple  without pets }")])
        expectOne("schema.invalid", line: 13, [("nested people.pets", "nested people.petz")])
        // Single sections need the profile table.
        let single = found(
            [],
            "section office: office doc \"the office\"\nrecord office { id none  field name: string doc \"name\" }\n")
        #expect(single.map(\.id) == ["schema.table-coverage"] && single.first?.line == 14, "\(single)")
    }

    /// A table's names are file names of a facility folder, in either language.
    @Test func tableNamesAreSafePortableFileNames() {
        for bad in ["../人", "人/物", "CON", "nul.txt", "Com1", ".hidden", "人 ", "人.", "a:b"] {
            expectOne("schema.file-name", line: 12, [("table people ja \"人\"", "table people ja \"\(bad)\"")])
        }
        expectOne("schema.duplicate-name", line: 13, [("table pets ja", "table People ja")])
        expectOne("schema.duplicate-name", line: 13, [("table pets ja \"ペット\"", "table pets ja \"People\"")])
        expectOne("schema.duplicate-name", line: 13, [("table pets ja \"ペット\"", "table pets ja \"ｐｅｏｐｌｅ\"")])
        expectOne("schema.duplicate-name", line: 13, [("table pets ja \"ペット\"", "table pets ja \"人\"")])
    }

    /// Declarations that cannot mean anything (L4).
    @Test func meaninglessDeclarationsAreRefused() {
        expectOne("schema.invalid", line: 8, [("not_before hired_on", "not_before left_on")])
        expectOne("schema.invalid", line: 8, [("ja \"在職中\"", "ja \"在職中\" unless left_on given")])
        expectOne(
            "schema.invalid", line: 11,
            [("record pet { id name", "record pet { id tags  field tags: [string] doc \"t\"")])
        let shadow = found([], "record int { field x: int doc \"x\" }\n")
        #expect(shadow.contains { $0.id == "schema.invalid" && $0.line == 14 }, "\(shadow)")
    }

    /// Past `DiagnosticBag.packCap` errors the builder stops looking at records: 20 000 broken
    /// records are as quick as 500 (every one of them would otherwise scan every record's name).
    @Test func manyErrorsStopAtTheCap() {
        let extra = (0..<20_000).map { "record e\($0) { field a: nosuch\($0) doc \"x\" }\n" }.joined()
        let f = found([], extra)
        #expect(f.count >= DiagnosticBag.packCap && f.count < DiagnosticBag.packCap + 50, "\(f.count)")
    }
}
