import Testing

@testable import TenkenData

/// The schema parser goes on at the right token after an error, so a mistake is one error and
/// never a spurious "unclosed block" later; the errors come sorted by place; and mechanism
/// declarations that could only mislead the engine are refused before it reads them.
extension SchemaMechanismsTests {
    @Test func aBrokenClauseIsOneErrorAndTheBlockStillCloses() {
        let f = Self.full
        // A clause given twice on one line: the second is parsed, the rest of the line is fine.
        expectOne(
            "syntax.unexpected-token", line: 38, [("id code  name title", "id code  id title  name title")], base: f)
        // A label without `en`, and an empty `for` list, break off at the block's `}`, which still closes it.
        let label = compile([("label ja \"名簿\" en \"people table\"", "label ja \"名簿\"")], base: f).1
        #expect(label.count == 1 && label.first?.1 == 40, "\(label)")
        #expect(!label.contains { $0.0 == "syntax.unclosed-block" }, "\(label)")
        let standIn = compile([("stand_in \"lead\" for \"admin\" }", "stand_in \"lead\" for }")], base: f).1
        #expect(standIn.count == 1 && standIn.first?.1 == 42, "\(standIn)")
    }

    @Test func schemaErrorsAreSortedByPlace() {
        let f = Self.full
        // Mechanisms are resolved in a fixed order (the subject, the appointments, then the
        // near-references); the errors come in the order of the file.
        let e = compile(
            [
                ("stand_in \"lead\"", "stand_in \"boss\""), ("id code  ", ""),
                ("groups.members.site_id", "groups.members.sight_id"),
            ], base: f
        ).1
        #expect(e.map(\.1) == [34, 38, 42], "\(e)")
    }

    @Test func aCompanionMayNotTakeTheSnapshotsName() {
        for name in ["snapshot.json", "Snapshot.JSON", "ｓｎａｐｓｈｏｔ.json"] {
            expectOne("schema.mechanism", line: 43, [("\"人.json\"", "\"\(name)\"")], base: Self.full)
        }
    }

    @Test func aCycleOfStandInsIsRefused() {
        let f = Self.full
        let cycle = compile(
            [("stand_in \"lead\" for \"admin\"", "stand_in \"lead\" for \"admin\"  stand_in \"admin\" for \"lead\"")],
            base: f
        ).1
        #expect(cycle.count == 1 && cycle.first?.0 == "schema.mechanism" && cycle.first?.1 == 42, "\(cycle)")
        #expect(cycle.first?.2 == "the stand-ins go round: \"lead\" for \"admin\" for \"lead\"", "\(cycle)")
        // A chain that ends is fine.
        #expect(compile([], base: f).1.isEmpty)
    }

    @Test func aNearReferenceToItselfIsRefused() {
        let f = Self.full.replacingOccurrences(
            of: "field site_id: string doc \"site\" }",
            with: "field site_id: string doc \"site\" near_reference groups.members.site_id }")
        let e = compile([], base: f).1
        #expect(e.count == 1 && e.first?.0 == "schema.mechanism", "\(e)")
        #expect(e.first?.2.hasPrefix("`site_id` is a `near_reference` to itself") == true, "\(e)")
    }

    @Test func aQuoteInAMessageIsEscaped() {
        let m = compile([("stand_in \"lead\"", "stand_in \"<dir>&\\\"x\"")], base: Self.full).1
        #expect(m.first?.2.hasPrefix("\"<dir>&\\\"x\" is not a value of `post`") == true, "\(m)")
    }
}
