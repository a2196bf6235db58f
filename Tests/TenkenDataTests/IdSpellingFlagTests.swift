import Foundation
import Testing

@testable import TenkenData
@testable import TenkenSyntax

/// `Record.hasIDNotOwnKey` is worked out when a record is made, from its own unified ids and
/// the flags of the records it holds; `Facility.normalised` reads it instead of walking every
/// id. A lower-case id anywhere, at any depth, must still give every occurrence one spelling.
struct IdSpellingFlagTests {
    func load(_ json: String) throws -> Facility {
        var l = SnapshotLoader(schema: TestSchema.mcs)
        let f = l.loadSnapshot(bytes: Array(json.utf8), path: "s.json")
        return try #require(f)
    }

    func list(_ f: Facility, _ name: String) throws -> [Record] {
        let si = try #require(f.schema.sectionIndex[name])
        guard case .list(let xs)? = f.roots[si] else { return [] }
        return xs.compactMap { if case .record(let r) = $0 { r } else { nil } }
    }

    @Test func ownKeysSetNoFlagAndNormalisingChangesNothing() throws {
        let f = try load(
            """
            {"schema_version": 1, "staff": [{"id": "S-006"}],
             "accounts": [{"id": "A-1", "staff_id": "S-006"}],
             "groups": [{"id": "G-1", "members": [{"account_id": "A-1"}]}]}
            """)
        for name in ["staff", "accounts", "groups"] {
            for r in try list(f, name) { #expect(!r.hasIDNotOwnKey, "\(name)") }
        }
        let n = f.normalised()
        for name in ["staff", "accounts", "groups"] {
            #expect(zip(try list(f, name), try list(n, name)).allSatisfy { $0 === $1 }, "\(name)")
        }
    }

    /// A lower-case id only in a nested list: the member's flag is set, and the group that
    /// holds it takes it up; normalising gives the member the roster's spelling.
    @Test func aNestedLowerCaseIdIsFoundAndUnified() throws {
        let f = try load(
            """
            {"schema_version": 1, "staff": [{"id": "S-006"}],
             "accounts": [{"id": "A-1", "staff_id": "S-006"}],
             "groups": [{"id": "G-1", "members": [{"account_id": "a-1"}]}]}
            """)
        #expect(try list(f, "staff").allSatisfy { !$0.hasIDNotOwnKey })
        #expect(try list(f, "accounts").allSatisfy { !$0.hasIDNotOwnKey })
        let g = try #require(try list(f, "groups").first)
        #expect(g.hasIDNotOwnKey)
        let n = f.normalised()
        let ng = try #require(try list(n, "groups").first)
        let mi = try #require(ng.schema.index["members"])
        guard case .list(let members) = ng.values[mi], case .record(let m)? = members.first else {
            Issue.record("no member")
            return
        }
        let ai = try #require(m.schema.index["account_id"])
        #expect(m.values[ai] == .string("A-1"))
    }

    /// A lower-case reference at the top level sets its own record's flag, and `with(values:)`
    /// works the flag out again for the record it makes.
    @Test func aTopLevelLowerCaseReferenceIsFoundAndTheRewrittenRecordHasNoFlag() throws {
        let f = try load(
            """
            {"schema_version": 1, "staff": [{"id": "S-006"}],
             "accounts": [{"id": "A-1", "staff_id": "s-006"}]}
            """)
        let a = try #require(try list(f, "accounts").first)
        #expect(a.hasIDNotOwnKey)
        let na = try #require(try list(f.normalised(), "accounts").first)
        let si = try #require(na.schema.index["staff_id"])
        #expect(na.values[si] == .string("S-006"))
        #expect(!na.hasIDNotOwnKey)
    }
}
