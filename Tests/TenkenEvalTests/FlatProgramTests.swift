import Foundation
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCheck
@testable import TenkenData
@testable import TenkenEval

/// Verdicts come from the flat program (`FastEval`), evidence from the `Node` tree with
/// tracing (`Machine.eval`): the two must give the same truth for every condition of every
/// rule, and visit the same elements of every per-element loop with the same certainty.
@Suite struct FlatProgramTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test(arguments: [
        "clinic-kaede", "clinic-momiji", "clinic-sakura", "dental-tsukushi", "hospital-aoba", "messy-tsubaki",
        "pharmacy-kiri", "pharmacy-midori", "visiting-nurse-hikari",
    ])
    func everyConditionAgreesWithTheTree(_ name: String) throws {
        let loaded = PackLoader.embedded()
        let pack = try #require(Checker.check(loaded.source, schema: PackLoader.builtInSchema).pack)
        let engine = Engine(pack: pack)
        let input = try FacilityInput.folder(
            Self.root.appendingPathComponent("Fixtures/\(name)").path, schema: PackLoader.builtInSchema
        ).get()
        let facility = try #require(input.load(options: LoadOptions(), pack: loaded).0).normalised()
        let (params, _, _) = ParamResolver.resolve(pack, overrides: facility.overrides)
        let m = Machine(
            roots: facility.roots, schema: facility.schema, params: params, asOf: try #require(Day(iso: "2026-11-01")),
            slots: engine.maxSlots, lookups: engine.program.lookupCount)
        var compared = 0, singles = 0
        for (rule, code) in zip(pack.rules, engine.program.rules) {
            m.ensureSlots(rule.slotCount)
            let fast = FastEval(engine.program, m)
            if let a = rule.applies, let c = code.applies {
                #expect(fast.cond(c) == m.cond(a), "\(rule.id): applies")
                compared += 1
            }
            for (i, (e, c)) in zip(rule.expects, code.expects).enumerated() {
                switch (e.shape, c) {
                case (.single(let n), .single(let x)):
                    #expect(fast.cond(x) == m.cond(n), "\(rule.id) expect \(i + 1)")
                case (.perElement(let kind, let loop), .perElement(let lc, let body, let every)):
                    #expect(every == (kind == .every), "\(rule.id) expect \(i + 1): every or none")
                    var flat: [[UInt8]] = []
                    fast.forEach(lc) { inc in
                        flat.append([inc.rawValue, (body >= 0 ? fast.cond(body) : .yes).rawValue])
                        return .next
                    }
                    var tree: [[UInt8]] = []
                    m.forEach(loop) { inc in
                        tree.append([inc.rawValue, (loop.body.map(m.cond) ?? .yes).rawValue])
                        return .next
                    }
                    #expect(flat == tree, "\(rule.id) expect \(i + 1): the elements visited")
                    // A loop of one binding is also walked without recursion (`forEachSingle`,
                    // what `Engine.check`, quantifiers and counts use): the same elements.
                    let fl = engine.program.loops[Int(lc)]
                    if fl.count == 1 {
                        var single: [[UInt8]] = []
                        fast.forEachSingle(fl) { inc in
                            single.append([inc.rawValue, (body >= 0 ? fast.cond(body) : .yes).rawValue])
                            return .next
                        }
                        #expect(single == tree, "\(rule.id) expect \(i + 1): the elements visited in one pass")
                        singles += 1
                    }
                default:
                    Issue.record("\(rule.id) expect \(i + 1): the program's shape differs from the rule's")
                }
                compared += 1
            }
            if let a = rule.attestation, let u = a.unless, let c = code.unless {
                #expect(fast.cond(c) == m.cond(u), "\(rule.id): unless")
            }
        }
        #expect(compared > pack.rules.count)
        #expect(singles > 0)
    }

    /// `x in [...]` with the list written in the rule is weighed by `FastEval.member`, which
    /// compares a string among strings itself: it must answer as `Ops.member` does for every
    /// value against every kind of list (unknown and null items, other types, strings that
    /// differ only in case or are canonically equal without being the same bytes).
    @Test func memberOfAWrittenListAgreesWithOps() throws {
        let day = try #require(Day(iso: "2026-11-01"))
        let values: [Value] = [
            .null, .unknown, .bool(true), .int(3), .date(day), .string(""), .string("app-store"),
            .string("App-Store"), .string("google-play"), .string("caf\u{E9}"), .string("cafe\u{301}"),
            .string("a long string well past fifteen bytes"), .list([.string("app-store")]),
        ]
        let lists: [[Value]] = [
            [], [.string("app-store"), .string("google-play")], [.string("caf\u{E9}")],
            [.string("a long string well past fifteen bytes"), .unknown], [.unknown], [.null, .int(3)],
            [.string("x"), .null], [.bool(true), .date(day), .string("app-store")], [.list([.string("app-store")])],
        ]
        for x in values {
            for xs in lists {
                #expect(FastEval.member(x, xs) == Ops.member(x, .list(xs)), "\(x) in \(xs)")
            }
        }
    }
}
