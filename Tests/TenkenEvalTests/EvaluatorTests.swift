import Foundation
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCheck
@testable import TenkenData
@testable import TenkenEval

let catalog = """
    id\tsection\tcategory\tlevel\tscope\trisks\tevidence\tja\ten
    X-1\t1\thuman-organizational\trequired\tmcs\tR1\tstaff\tx\tx
    """
let manifest = """
    pack t {
      version "1"
      title ja "t" en "t"
      param grace: duration = 7 days limit <= 14 days
        because "promptly"
      param period: duration = 1 year
        because "yearly"
      category human-organizational ja "人的・組織的対策" en "Human and organisational"
      scope mcs ja "MCS" en "MCS"
      risk R1 ja "不正な閲覧" en "Unauthorised viewing"
    }
    """

/// A checked one-rule pack whose rule has the given body.
func onePack(_ body: String, indexJoins: Bool = true) throws -> CheckedPack {
    let rule = """
        rule r {
          implements X-1
          level required
          category human-organizational
          scope mcs
          title ja "t" en "t"
          remediation ja "r" en "r"
        \(body)
        }
        """
    let o = Checker.check(
        PackSource(files: [("pack.tenken", manifest), ("r.tenken", rule)], catalog: ("c.tsv", catalog)),
        schema: PackLoader.builtInSchema,
        options: CheckOptions(indexJoins: indexJoins))
    return try #require(o.pack, "\(o.diagnostics)")
}

/// Checks a one-rule pack whose rule has the given body, and evaluates it on a snapshot.
func evaluate(
    _ body: String, _ snapshot: String, asOf: String = "2026-11-01", params: [ParamOverride] = [],
    indexJoins: Bool = true
) throws -> (RuleResult, FacilityResult) {
    let pack = try onePack(body, indexJoins: indexJoins)
    var l = SnapshotLoader(schema: PackLoader.builtInSchema)
    let loaded = l.loadSnapshot(bytes: Array(("{\"schema_version\": 1, " + snapshot + "}").utf8), path: "s.json")
    let f = try #require(loaded)
    #expect(!l.diagnostics.contains { $0.severity == .error }, "\(l.diagnostics)")
    let (r, d) = Engine(pack: pack).evaluate(f, asOf: Day(iso: asOf)!, commandLine: params)
    #expect(d.isEmpty, "\(d)")
    return (r.results[0], r)
}

let staff3 = """
    "staff": [{"id": "S-1", "job": "nurse", "left_on": "2026-10-20"}, {"id": "S-2", "job": "clerk"}, {"id": "S-3", "job": "nurse", "left_on": "2026-10-25"}],
    "accounts": [{"id": "A-1", "staff_id": "S-1", "status": "active"}, {"id": "A-2", "staff_id": "S-2", "status": "active"}, {"id": "A-3", "staff_id": "S-3", "status": "deleted"}]
    """

struct QuantifierTests {
    @Test func everyReportsEachOffendingElementWithEvidence() throws {
        let (r, _) = try evaluate(
            """
              expect every s in staff where s.left_on is present and s.left_on + param.grace < as_of : none a in accounts where a.staff_id == s.id and a.status == "active"
                message ja "{s.id} 退職" en "{s.id} left on {s.left_on}"
            """, staff3)
        #expect(r.state == .fail)
        #expect(r.violations.map(\.element) == ["S-1"])
        #expect(r.violations[0].message.en == "S-1 left on 2026-10-20")
        let labels = r.violations[0].evidence.map(\.label)
        #expect(labels.contains("s.left_on") && labels.contains("a.status"))
        let status = r.violations[0].evidence.first { $0.label == "a.status" }!
        #expect(status.location?.path == "/accounts/0/status")
        #expect(r.examined == 1)
    }

    @Test func graceBoundaryIsExclusive() throws {
        // Left 2026-10-25 + 7 days = 2026-11-01 = as-of: not yet overdue.
        let body =
            "  expect every s in staff where s.left_on is present and s.left_on + param.grace < as_of : none a in "
            + "accounts where a.staff_id == s.id and a.status != \"deleted\""
        let snap =
            "\"staff\": [{\"id\": \"S-3\", \"left_on\": \"2026-10-25\"}], \"accounts\": [{\"id\": \"A\", "
            + "\"staff_id\": \"S-3\", \"status\": \"active\"}]"
        #expect(try evaluate(body, snap).0.state == .pass)
        #expect(try evaluate(body, snap, asOf: "2026-11-02").0.state == .fail)
    }

    @Test func someNoneAndCount() throws {
        #expect(try evaluate("  expect some s in staff : s.job == \"clerk\"", staff3).0.state == .pass)
        #expect(try evaluate("  expect some s in staff : s.job == \"doctor\"", staff3).0.state == .fail)
        let (n, _) = try evaluate(
            "  expect none s in staff where s.job == \"nurse\"\n    message ja \"{s.id}\" en \"{s.id}\"", staff3)
        #expect(n.violations.map(\.element) == ["S-1", "S-3"])
        #expect(try evaluate("  expect count(s in staff where s.job == \"nurse\") == 2", staff3).0.state == .pass)
        #expect(try evaluate("  expect count(s in staff where s.job == \"nurse\") <= 1", staff3).0.state == .fail)
    }

    @Test func emptyCollectionsAreVacuouslyTrue() throws {
        #expect(try evaluate("  expect every s in staff : s.job == \"clerk\"", "\"staff\": []").0.state == .pass)
        #expect(try evaluate("  expect some s in staff : true", "\"staff\": []").0.state == .fail)
    }

    @Test func multipleBindingsNameEachElement() throws {
        let snap = """
            "groups": [{"id": "G-1", "kind": "patient", "members": [{"account_id": "M-1"}, {"account_id": "M-2", "approved_by": "A-1"}]},
                       {"id": "G-2", "kind": "free", "members": [{"account_id": "M-3"}]}]
            """
        let (r, _) = try evaluate(
            "  expect every g in groups, m in g.members where g.kind == \"patient\" : m.approved_by is present", snap)
        #expect(r.violations.map(\.element) == ["G-1 / M-1"])
        #expect(r.violations[0].location?.path == "/groups/0/members/0/approved_by", "the value that decided")
    }

    @Test func minAndMaxOverDates() throws {
        let snap = "\"staff\": [{\"id\": \"S\", \"training_dates\": [\"2025-01-01\", \"2026-06-01\", \"2025-09-09\"]}]"
        #expect(
            try evaluate("  expect every s in staff : max(t in s.training_dates : t) == 2026-06-01", snap).0.state
                == .pass)
        #expect(
            try evaluate("  expect every s in staff : min(t in s.training_dates : t) == 2025-01-01", snap).0.state
                == .pass)
        #expect(
            try evaluate(
                "  expect every s in staff : max(t in s.training_dates where t > 2030-01-01 : t) is missing", snap
            ).0.state == .pass)
    }
}

struct DateAndNullTests {
    @Test(arguments: [
        ("2025-11-01", "2026-11-01", true),  // exactly one year: inside
        ("2025-10-31", "2026-11-01", false),
        ("2026-11-02", "2026-11-01", false),  // after as-of: not within
        ("2024-02-29", "2025-02-28", true),  // leap day plus one year is Feb 28
        ("2024-02-28", "2025-02-28", true),
        ("2024-02-27", "2025-02-28", false),
    ])
    func withinAYear(_ trained: String, _ asOf: String, _ inside: Bool) throws {
        let snap = "\"staff\": [{\"id\": \"S\", \"training_dates\": [\"\(trained)\"]}]"
        let (r, _) = try evaluate(
            "  expect every s in staff : some t in s.training_dates : t within param.period", snap, asOf: asOf)
        #expect(r.state == (inside ? .pass : .fail))
    }

    @Test func monthArithmeticClampsToMonthEnd() throws {
        let snap = "\"facility\": {\"committee_established_on\": \"2026-01-31\"}"
        #expect(
            try evaluate("  expect facility.committee_established_on + 1 month == 2026-02-28", snap).0.state == .pass)
        #expect(
            try evaluate("  expect facility.committee_established_on - 2026-01-01 == 30 days", snap).0.state == .pass)
    }

    @Test func unknownValuesAreCarriedThrough() throws {
        // `beds` has no documented meaning when absent: every operation on it is unknown.
        let snap = "\"facility\": {\"id\": \"F\"}"
        #expect(try evaluate("  expect facility.beds < 5 or facility.beds >= 5", snap).0.state == .unknown)
        #expect(try evaluate("  expect facility.beds != 3", snap).0.state == .unknown)
        #expect(try evaluate("  expect not facility.uses_wifi", snap).0.state == .unknown)
        // Presence is definite, as SQL's IS NULL: the input leaves it out.
        #expect(try evaluate("  expect facility.beds is missing", snap).0.state == .pass)
        #expect(try evaluate("  expect facility.beds is present", snap).0.state == .fail)
        // Kleene: a known false decides `and`, a known true decides `or`.
        #expect(try evaluate("  expect facility.beds > 3 and facility.id == \"G\"", snap).0.state == .fail)
        #expect(try evaluate("  expect facility.beds > 3 or facility.id == \"F\"", snap).0.state == .pass)
    }

    @Test func documentedAbsenceIsADefiniteNone() throws {
        // `committee_established_on` absent means "no committee": a definite none.
        let snap = "\"facility\": {\"id\": \"F\"}"
        #expect(
            try evaluate(
                "  expect facility.committee_established_on < 2020-01-01 or facility.committee_established_on >= "
                    + "2020-01-01",
                snap
            ).0.state == .fail)
        #expect(try evaluate("  expect facility.committee_established_on != 2020-01-01", snap).0.state == .pass)
        #expect(try evaluate("  expect facility.committee_established_on is missing", snap).0.state == .pass)
    }
}

/// The truth tables of docs/dsl.md, and how quantifiers, joins and aggregates carry unknown.
struct ThreeValuedLogicTests {
    @Test func kleeneTables() {
        let all: [Truth] = [.yes, .no, .unknown]
        let and: [[Truth]] = [[.yes, .no, .unknown], [.no, .no, .no], [.unknown, .no, .unknown]]
        let or: [[Truth]] = [[.yes, .yes, .yes], [.yes, .no, .unknown], [.yes, .unknown, .unknown]]
        for (i, a) in all.enumerated() {
            for (j, b) in all.enumerated() {
                #expect(a.and(b) == and[i][j], "\(a) and \(b)")
                #expect(a.or(b) == or[i][j], "\(a) or \(b)")
            }
        }
        #expect(!Truth.unknown == .unknown && !Truth.yes == .no)
        #expect(Ops.compare(.eq, .unknown, .unknown) == .unknown)
        #expect(Ops.member(.string("x"), .list([.unknown])) == .unknown)
        #expect(Ops.member(.string("x"), .list([.unknown, .string("x")])) == .yes)
        #expect(Ops.arith(.intAdd, .int(1), .unknown) == .unknown)
        #expect(Ops.call(.len, [.unknown]) == .unknown)
    }

    /// A group with no `members` key: its members are unknown, not none.
    @Test func absentNestedListIsUnknown() throws {
        let body = "  expect every g in groups, m in g.members : m.approved_by is present"
        let (r, _) = try evaluate(body, "\"groups\": [{\"id\": \"G-1\", \"kind\": \"patient\"}]")
        #expect(r.state == .unknown)
        #expect(r.undetermined.count == 1)
        #expect(r.undetermined[0].element == "G-1")
        #expect(r.undetermined[0].evidence.map(\.label) == ["g.members"])
        #expect(r.undetermined[0].location?.path == "/groups/0/members")
        // An empty list is known: nothing to check.
        #expect(try evaluate(body, "\"groups\": [{\"id\": \"G-1\", \"members\": []}]").0.state == .pass)
        // A definite violation elsewhere still fails, and the unknown group is listed beside it.
        let (r2, _) = try evaluate(
            body, "\"groups\": [{\"id\": \"G-1\"}, {\"id\": \"G-2\", \"members\": [{\"account_id\": \"A\"}]}]")
        #expect(r2.state == .fail && r2.violations.count == 1 && r2.undetermined.count == 1)
    }

    @Test func quantifiersOverUnknownElements() throws {
        let snap = "\"accounts\": [{\"id\": \"A-1\", \"status\": \"active\", \"is_admin\": true}, {\"id\": \"A-2\"}]"
        // every: A-2's status is unknown and its body false → undecided.
        #expect(
            try evaluate("  expect every a in accounts where a.status == \"active\" : a.is_admin", snap).0.state
                == .unknown)
        // …but a body that holds anyway decides it.
        #expect(
            try evaluate("  expect every a in accounts where a.status == \"active\" : a.id != \"X\"", snap).0.state
                == .pass)
        // some: a definite match decides; none: an uncertain match leaves it open.
        #expect(try evaluate("  expect some a in accounts where a.status == \"active\"", snap).0.state == .pass)
        #expect(try evaluate("  expect none a in accounts where a.status == \"suspended\"", snap).0.state == .unknown)
        #expect(
            try evaluate("  expect count(a in accounts where a.status == \"active\") == 1", snap).0.state == .unknown)
        #expect(try evaluate("  expect count(a in accounts where a.id == \"A-1\") == 1", snap).0.state == .pass)
    }

    /// A join on a field that is unknown for some elements visits them as uncertain matches,
    /// with the index and without it alike.
    @Test func joinsOnUnknownKeys() throws {
        let snap = """
            "staff": [{"id": "S-1", "left_on": "2026-01-01"}],
            "accounts": [{"id": "A-1", "status": "active"}]
            """
        let body =
            "  expect every s in staff where s.left_on is present : none a in accounts where a.staff_id == s.id and "
            + "a.status == \"active\""
        // `accounts.staff_id` absent means "no owner": a definite none, so no match.
        #expect(try evaluate(body, snap).0.state == .pass)
        let body2 =
            "  expect every a in accounts where a.status == \"active\" : some s in staff where s.id == a.staff_id"
        for joins in [true, false] {
            #expect(try evaluate(body2, snap, indexJoins: joins).0.state == .fail)
        }
        // An account whose status is unknown: the leaver may still have an active account.
        let snap3 = """
            "staff": [{"id": "S-1", "left_on": "2026-01-01"}],
            "accounts": [{"id": "A-1", "staff_id": "S-1"}]
            """
        for joins in [true, false] {
            let (r, _) = try evaluate(body, snap3, indexJoins: joins)
            #expect(r.state == .unknown)
            #expect(r.undetermined.first?.evidence.map(\.label) == ["a.status"])
        }
    }

    @Test func unknownApplicabilityIsUndecided() throws {
        let (r, _) = try evaluate(
            "  applies when facility.uses_wifi\n  expect every n in networks : n.encryption == \"WPA3\"",
            "\"facility\": {\"id\": \"F\"}, \"networks\": []")
        #expect(r.state == .unknown)
        #expect(r.undetermined.first?.evidence.first?.label == "facility.uses_wifi")
    }

    /// The meanings the pack relies on, each shown once.
    @Test func documentedMeaningsHold() throws {
        // A staff member with no `left_on` is employed: her pledge is checked.
        let staff = "\"staff\": [{\"id\": \"S-1\", \"job\": \"clerk\", \"hired_on\": \"2020-01-01\"}]"
        #expect(
            try evaluate("  expect every s in staff where s.left_on is missing : s.pledge_signed_on is present", staff)
                .0.state == .fail)
        // No `pledge_signed_on`: not signed (a gap, not an unknown).
        #expect(try evaluate("  expect every s in staff : s.pledge_signed_on is present", staff).0.state == .fail)
        // A device with no `status` is in use; with no `used_for_mcs`, used for MCS.
        let device = "\"devices\": [{\"id\": \"D-1\", \"screen_lock_minutes\": 5}]"
        #expect(
            try evaluate("  expect every d in devices : d.status == \"active\" and d.used_for_mcs", device).0.state
                == .pass)
        // No `screen_lock_minutes`: the screen never locks, so a bound fails.
        #expect(
            try evaluate(
                "  expect every d in devices : d.screen_lock_minutes is present", "\"devices\": [{\"id\": \"D-1\"}]"
            ).0.state == .fail)
        // An account with no `staff_id` has no owner: it joins no one.
        let acc = "\"staff\": [{\"id\": \"S-1\"}], \"accounts\": [{\"id\": \"A-1\", \"status\": \"active\"}]"
        #expect(
            try evaluate("  expect every a in accounts : some s in staff where s.id == a.staff_id", acc).0.state
                == .fail)
    }

    /// A waiver covers the failures it was granted for, not the elements a rule could not decide.
    @Test func waiversDoNotHideUndecidedElements() throws {
        let body = "  expect every a in accounts : a.identity_verified"
        let snap = "\"accounts\": [{\"id\": \"A-1\", \"identity_verified\": false}, {\"id\": \"A-2\"}]"
        var (r, whole) = try evaluate(body, snap)
        #expect(r.state == .fail && r.violations.count == 1 && r.undetermined.count == 1)
        let w = Waiver(
            rule: "r", facility: nil, justification: "j", requestedBy: "S-1", approvedBy: "S-2",
            grantedOn: Day(iso: "2026-01-01")!, expiresOn: Day(iso: "2027-01-01")!, location: SourceLocation(file: "w"))
        _ = WaiverPolicy.apply([w], to: &whole)
        #expect(whole.results[0].state == .unknown)
        (r, whole) = try evaluate(body, "\"accounts\": [{\"id\": \"A-1\", \"identity_verified\": false}]")
        _ = WaiverPolicy.apply([w], to: &whole)
        #expect(whole.results[0].state == .waived)
    }

    /// A count with uncertain elements lies in a range; a comparison that holds (or fails) for
    /// the whole range is still decided.
    @Test func countsWithUncertainElementsAreRanges() throws {
        let phones = (1...3).map { "{\"id\": \"D-\($0)\", \"kind\": \"smartphone\"}" }.joined(separator: ", ")
        let snap = "\"devices\": [\(phones), {\"id\": \"D-9\"}]"
        #expect(try evaluate("  expect count(d in devices where d.kind == \"smartphone\") <= 1", snap).0.state == .fail)
        #expect(try evaluate("  expect count(d in devices where d.kind == \"smartphone\") <= 4", snap).0.state == .pass)
        #expect(
            try evaluate("  expect count(d in devices where d.kind == \"smartphone\") <= 3", snap).0.state == .unknown)
        #expect(try evaluate("  expect 2 < count(d in devices where d.kind == \"smartphone\")", snap).0.state == .pass)
        #expect(try evaluate("  expect count(d in devices where d.kind == \"smartphone\") == 5", snap).0.state == .fail)
        #expect(try evaluate("  expect count(d in devices where d.kind == \"smartphone\") != 5", snap).0.state == .pass)
    }

    /// A documented absence is no value; an unknown value is some value: they are never equal,
    /// with the join index and without it.
    @Test func noneAndUnknownAreNeverEqual() throws {
        let snap = """
            "accounts": [{"id": "A-1", "status": "active", "is_admin": true}],
            "roles": [{"role": "system-admin", "since": "2024-01-01"}]
            """
        let body = "  expect some a in accounts where a.is_admin : some r in roles where r.staff_id == a.staff_id"
        for joins in [true, false] {
            #expect(try evaluate(body, snap, indexJoins: joins).0.state == .fail, "indexJoins \(joins)")
        }
        #expect(Ops.compare(.eq, .null, .unknown) == .bool(false) && Ops.compare(.ne, .unknown, .null) == .bool(true))
    }

    /// A documented "none" gives way to unknown where another field says the thing happened.
    @Test func conditionalAbsence() throws {
        let body =
            "  expect every p in patients where p.transferred_out_on is present : p.receiving_facility_accepted_on "
            + "is present"
        #expect(try evaluate(body, "\"patients\": [{\"id\": \"P-1\", \"status\": \"active\"}]").0.state == .pass)
        let (r, _) = try evaluate(body, "\"patients\": [{\"id\": \"P-1\", \"status\": \"transferred-out\"}]")
        #expect(r.state == .unknown)
        #expect(r.undetermined.first?.evidence.first?.label == "p.transferred_out_on")
        // An outside member with no facility named could be the refused party.
        let member = "  expect every g in groups, m in g.members : m.facility_id != \"F-9\""
        #expect(
            try evaluate(
                member, "\"groups\": [{\"id\": \"G\", \"members\": [{\"account_id\": \"X\", \"external\": true}]}]"
            ).0.state == .unknown)
        #expect(
            try evaluate(
                member, "\"groups\": [{\"id\": \"G\", \"members\": [{\"account_id\": \"A\", \"staff_id\": \"S\"}]}]"
            ).0.state == .pass)
        // An approval date without the approver: the approver is unknown, not "not approved".
        let approved = "  expect every g in groups, m in g.members : m.approved_by is present"
        #expect(
            try evaluate(
                approved,
                "\"groups\": [{\"id\": \"G\", \"members\": [{\"account_id\": \"A\", \"approved_on\": \"2026-01-01\"}]}]"
            ).0.state == .unknown)
        #expect(
            try evaluate(approved, "\"groups\": [{\"id\": \"G\", \"members\": [{\"account_id\": \"A\"}]}]").0.state
                == .fail)
    }

    /// The evidence of an undecided verdict names what left it open, not what was decided.
    @Test func undecidedEvidenceNamesOnlyTheOpenElements() throws {
        // D-1's kind is blank, but it holds whatever its kind: its blank is no evidence.
        let body = "  expect every d in documents where d.kind == \"backup-plan\" : d.communicated"
        let snap =
            "\"documents\": [{\"id\": \"D-1\", \"communicated\": true}, {\"id\": \"D-2\", \"kind\": \"backup-plan\"}]"
        let (r, _) = try evaluate(body, snap)
        #expect(r.state == .unknown)
        #expect(r.undetermined.count == 1 && r.undetermined.first?.element == "D-2")
        #expect(r.undetermined.first?.evidence.map(\.label) == ["d.communicated"])
        #expect(r.undetermined.first?.location?.path == "/documents/1/communicated")
        // The same inside one condition: D-1 (kind blank, not communicated) cannot be the
        // plan that settles it; D-2 could.
        let some = "  expect some d in documents where d.kind == \"backup-plan\" : d.communicated"
        let snap2 =
            "\"documents\": [{\"id\": \"D-1\", \"communicated\": false}, {\"id\": \"D-2\", \"kind\": \"backup-plan\"}]"
        let (r2, _) = try evaluate(some, snap2)
        #expect(r2.state == .unknown)
        #expect(r2.undetermined.first?.evidence.map(\.label) == ["d.communicated"])
    }

    @Test func assumedValuesAreUsedAndShown() throws {
        // A device with no `used_for_mcs` is taken to be used for MCS; its lock is checked.
        let snap = "\"devices\": [{\"id\": \"D-1\", \"screen_lock_minutes\": 60}]"
        let (r, _) = try evaluate(
            "  expect every d in devices where d.used_for_mcs : d.screen_lock_minutes <= 10 minutes", snap)
        #expect(r.state == .fail)
        let used = r.violations.first?.evidence.first { $0.label == "d.used_for_mcs" }
        #expect(used?.value == "true (assumed: blank)")
    }
}

struct RuleOutcomeTests {
    let attBody = "  attestation \"k\" by operations-lead renew param.period"

    func att(_ fields: String) -> String { "\"attestations\": [{\"item\": \"k\", \(fields)}]" }

    /// S-1, who signs the statements: on the staff since 2020 and appointed operations lead
    /// then, so a statement's own fields are what a test weighs (a facility without the staff
    /// or the roles section cannot show its signer entitled).
    let s1 = "{\"id\": \"S-1\", \"hired_on\": \"2020-01-01\"}"
    let s1Lead = "{\"role\": \"operations-lead\", \"staff_id\": \"S-1\", \"since\": \"2020-01-01\"}"
    var signers: String { "\"staff\": [\(s1)], \"roles\": [\(s1Lead)], " }

    /// A statement signed by S-1's facility (`signers`).
    func signed(_ fields: String) -> String { signers + att(fields) }

    @Test func attestationStates() throws {
        let (ok, _) = try evaluate(
            attBody,
            signed(
                "\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-01-10\"")
        )
        #expect(ok.state == .attested)
        #expect(ok.attestation?.validUntil?.description == "2027-01-10")
        #expect(
            try evaluate(
                attBody,
                signed(
                    "\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": "
                        + "\"2025-10-31\""
                )
            ).0.state == .fail)
        #expect(
            try evaluate(
                attBody,
                signed(
                    "\"answer\": \"no\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": "
                        + "\"2026-10-31\""
                )
            ).0.state == .fail)
        #expect(
            try evaluate(
                attBody,
                signed(
                    "\"answer\": \"yes\", \"by_role\": \"audit-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-10-31\"")
            ).0.state == .manual)
        #expect(
            try evaluate(
                attBody,
                signed(
                    "\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": "
                        + "\"2026-12-01\""
                )
            ).0.state == .manual)
        #expect(try evaluate(attBody, "\"attestations\": []").0.state == .manual)
        #expect(try evaluate(attBody, "\"staff\": []").0.state == .manual)
        // The newest of several attestations counts.
        let two =
            signers
            + "\"attestations\": [{\"item\": \"k\", \"answer\": \"no\", \"by_role\": \"operations-lead\", \"by\": "
            + "\"S-1\", \"signed_on\": \"2026-01-01\"}, {\"item\": \"k\", \"answer\": \"yes\", \"by_role\": "
            + "\"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-06-01\"}]"
        #expect(try evaluate(attBody, two).0.state == .attested)
    }

    /// A statement counts only with who gave it, in which role, when, and (for "not
    /// applicable") why; and the roles table must say the signer holds the role.
    @Test func incompleteAttestationsVouchForNothing() throws {
        let ok = "\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-10-01\""
        #expect(try evaluate(attBody, signed(ok)).0.state == .attested)
        #expect(
            try evaluate(attBody, signed("\"answer\": \"yes\", \"by\": \"S-1\", \"signed_on\": \"2026-10-01\"")).0.state
                == .manual)
        #expect(
            try evaluate(
                attBody, signed("\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"signed_on\": \"2026-10-01\"")
            ).0.state == .manual)
        #expect(
            try evaluate(
                attBody,
                signed(
                    "\"answer\": \"not-applicable\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", "
                        + "\"signed_on\": \"2026-10-01\""
                )
            ).0.state == .manual)
        #expect(
            try evaluate(
                attBody,
                signed(
                    "\"answer\": \"not-applicable\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", "
                        + "\"signed_on\": \"2026-10-01\", \"reason\": \"no Wi-Fi\""
                )
            ).0.state == .notApplicable)
        // An undated "no" beside a dated "yes" cannot be weighed.
        let undated =
            signers + "\"attestations\": [{\"item\": \"k\", \(ok)}, {\"item\": \"k\", \"answer\": \"no\", \"by_role\": "
            + "\"operations-lead\", \"by\": \"S-1\"}]"
        #expect(try evaluate(attBody, undated).0.state == .manual)
        // The roles table names S-2 as operations lead: S-1's word is not the lead's.
        let roles = "\"roles\": [{\"role\": \"operations-lead\", \"staff_id\": \"S-2\", \"since\": \"2020-01-01\"}], "
        let (r, _) = try evaluate(attBody, "\"staff\": [\(s1)], " + roles + att(ok))
        #expect(r.state == .manual && r.reason?.en.contains("does not hold the role operations-lead") == true)
        let roles1 = "\"roles\": [{\"role\": \"operations-lead\", \"staff_id\": \"S-1\", \"since\": \"2020-01-01\"}], "
        #expect(try evaluate(attBody, "\"staff\": [\(s1)], " + roles1 + att(ok)).0.state == .attested)
    }

    /// The staff and roles tables say who may sign (`Signers`): someone on the staff,
    /// employed on the signing day, holding the role — or the director, for a lead no one
    /// else is named for (section 3).
    @Test func onlyAStaffMemberHoldingTheRoleMaySign() throws {
        let ok = "\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-10-01\""
        func state(staff: String, roles: String) throws -> (RuleState, String) {
            let (r, _) = try evaluate(attBody, "\"staff\": [\(staff)], \"roles\": [\(roles)], " + att(ok))
            return (r.state, r.reason?.en ?? "")
        }
        let s1 = "{\"id\": \"S-1\", \"hired_on\": \"2020-04-01\"}",
            s2 = "{\"id\": \"S-2\", \"hired_on\": \"2020-04-01\"}"
        let lead1 = "{\"role\": \"operations-lead\", \"staff_id\": \"S-1\", \"since\": \"2020-04-01\"}"
        #expect(try state(staff: s1, roles: lead1).0 == .attested)
        let (notStaff, why) = try state(
            staff: s2, roles: "{\"role\": \"operations-lead\", \"staff_id\": \"S-2\", \"since\": \"2020-04-01\"}")
        #expect(notStaff == .manual && why.contains("S-1 is not in the staff table"), "\(why)")
        let (left, whyLeft) = try state(
            staff: "{\"id\": \"S-1\", \"hired_on\": \"2020-04-01\", \"left_on\": \"2026-09-30\"}", roles: lead1)
        #expect(left == .manual && whyLeft.contains("left on 2026-09-30"), "\(whyLeft)")
        let (hired, whyHired) = try state(staff: "{\"id\": \"S-1\", \"hired_on\": \"2026-10-02\"}", roles: lead1)
        #expect(hired == .manual && whyHired.contains("hired on 2026-10-02"), "\(whyHired)")
        // The director stands in for the operations lead when no one else holds it …
        let director1 = "{\"role\": \"director\", \"staff_id\": \"S-1\", \"since\": \"2020-04-01\"}"
        #expect(try state(staff: s1 + ", " + s2, roles: director1).0 == .attested)
        // … but not when someone else is the operations lead.
        let (other, whyOther) = try state(
            staff: s1 + ", " + s2,
            roles: director1 + ", {\"role\": \"operations-lead\", \"staff_id\": \"S-2\", \"since\": \"2020-04-01\"}")
        #expect(other == .manual && whyOther.contains("it is held by S-2"), "\(whyOther)")
        // A role no attestation may be signed in is refused at load: it names no role.
        var l = SnapshotLoader(schema: PackLoader.builtInSchema)
        _ = l.loadSnapshot(
            bytes: Array(
                ("{\"schema_version\": 1, " + att("\"answer\": \"yes\", \"by_role\": \"boss\", \"by\": \"S-1\"") + "}")
                    .utf8), path: "s.json")
        #expect(
            l.diagnostics.contains { $0.severity == .error && $0.location?.path == "/attestations/0/by_role" },
            "\(l.diagnostics)")
    }

    /// Data first, attestation for the rest: a statement is needed only when the `unless`
    /// data does not show the item met; a "no" on file still fails, whatever the data shows.
    @Test func attestationIsNeededOnlyWhenTheDataCannotShow() throws {
        let body = attBody + "\n    unless some s in staff : s.pledge_signed_on is present"
        // S-1 signs the statements: on the roster, employed since 2020, the operations lead.
        let signer = "{\"id\": \"S-1\", \"hired_on\": \"2020-01-01\"}"
        let shown =
            "\"staff\": [{\"id\": \"S\", \"pledge_signed_on\": \"2026-01-01\"}, \(signer)], \"roles\": [\(s1Lead)]"
        let notShown = "\"staff\": [{\"id\": \"S\"}, \(signer)], \"roles\": [\(s1Lead)]"
        let (byData, _) = try evaluate(body, shown)
        #expect(byData.state == .pass)
        #expect(byData.reason?.en.contains("the data shows this met") == true)
        #expect(try evaluate(body, notShown).0.state == .manual)
        let no = att(
            "\"answer\": \"no\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-10-31\"")
        #expect(try evaluate(body, shown + ", " + no).0.state == .fail)
        let expired = att(
            "\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2025-01-01\"")
        #expect(try evaluate(body, shown + ", " + expired).0.state == .pass)
        #expect(try evaluate(body, notShown + ", " + expired).0.state == .fail)
        let yes = att(
            "\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-10-31\"")
        #expect(try evaluate(body, shown + ", " + yes).0.state == .attested)
        // A section the condition reads may be absent: then the data shows nothing.
        #expect(try evaluate(body, "\"facility\": {}").0.state == .manual)
    }

    /// A pack that declares the roster and the appointments checks every signer against them:
    /// a facility that gives no staff or no roles section (absent; an empty one is a real "no
    /// one") cannot show its signer entitled, so the statement does not count (manual) and
    /// says which section is missing, rather than counting unchecked.
    @Test func aMissingStaffOrRolesSectionLeavesNoSignerEntitled() throws {
        let ok = "\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-10-01\""
        func verdict(_ sections: String) throws -> (RuleState, Bilingual?) {
            let (r, _) = try evaluate(attBody, sections + att(ok))
            return (r.state, r.reason)
        }
        #expect(try verdict(signers).0 == .attested)
        let noRoles = try verdict("\"staff\": [\(s1)], ")
        #expect(noRoles.0 == .manual)
        #expect(
            noRoles.1?.en.contains("the facility gives no roles table (`roles`), so the signer S-1 cannot be checked")
                == true,
            "\(String(describing: noRoles.1))")
        #expect(noRoles.1?.ja.contains("役割表（roles）がないため") == true, "\(String(describing: noRoles.1))")
        let noStaff = try verdict("\"roles\": [\(s1Lead)], ")
        #expect(noStaff.0 == .manual)
        #expect(
            noStaff.1?.en.contains("the signer S-1 cannot be checked: the facility gives no staff table") == true,
            "\(String(describing: noStaff.1))")
        #expect(noStaff.1?.ja.contains("職員名簿がないため") == true, "\(String(describing: noStaff.1))")
        #expect(try verdict("").0 == .manual)
        // Empty sections are a real "no one": refused as before, naming no missing section.
        let nobody = try verdict("\"staff\": [\(s1)], \"roles\": [], ")
        #expect(nobody.0 == .manual && nobody.1?.en.contains("does not hold the role operations-lead") == true)
        let noStaffListed = try verdict("\"staff\": [], \"roles\": [\(s1Lead)], ")
        #expect(noStaffListed.0 == .manual && noStaffListed.1?.en.contains("S-1 is not in the staff table") == true)
        // The roster's own answer, for every caller (statements, waivers): no section, no one shown employed.
        let roster = try #require(PackLoader.builtInSchema.mechanisms.roster)
        let day = try #require(Day(iso: "2026-10-01"))
        #expect(
            Roster.employmentGap(of: "S-1", on: day, in: roster, people: nil)?.en.contains("cannot be checked") == true)
        #expect(
            Roster.employmentGap(of: "S-1", on: day, in: roster, people: .list([]))?.en.contains("is not in") == true)
    }

    /// "Does not apply here" is renewed as "yes" is: once run out it no longer counts, and the
    /// rule needs a person's word again (manual), unless the data shows the item met; `tenken
    /// attest` asks for it again, as expired.
    @Test func expiredNotApplicableNeedsAPersonAgain() throws {
        // S-1 is on the staff and holds the role, so only the statement's age is at stake.
        let people =
            "\"staff\": [{\"id\": \"S-1\", \"hired_on\": \"2020-01-01\"}], \"roles\": [{\"role\": "
            + "\"operations-lead\", \"staff_id\": \"S-1\", \"since\": \"2020-01-01\"}], "
        func na(_ signed: String) -> String {
            att(
                "\"answer\": \"not-applicable\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", "
                    + "\"signed_on\": \"\(signed)\", \"reason\": \"no Wi-Fi\"")
        }
        #expect(try evaluate(attBody, people + na("2025-11-01")).0.state == .notApplicable)
        let (lapsed, result) = try evaluate(attBody, people + na("2025-10-01"))
        #expect(lapsed.state == .manual)
        let en = lapsed.reason?.en ?? "", ja = lapsed.reason?.ja ?? ""
        #expect(
            en.contains("attestation `k` answering not applicable was valid until 2026-10-01 (signed 2025-10-01"),
            "\(en)")
        #expect(en.contains("renewed every 1 year") && en.contains("s.json"), "\(en)")
        #expect(ja.contains("「対象外」は 2026-10-01 まで有効でした") && ja.contains("2025-10-01 署名"), "\(ja)")
        #expect(lapsed.attestation?.validUntil == Day(iso: "2026-10-01"))
        let due = AttestationPlan.due(pack: try onePack(attBody), result: result, window: Duration(30, .days)!)
        #expect(due.map(\.why) == [.expired(Day(iso: "2026-10-01")!)])
        // Where the data shows the item met, the lapsed statement is not needed.
        let body = attBody + "\n    unless some s in staff : s.pledge_signed_on is present"
        let shown =
            "\"staff\": [{\"id\": \"S-1\", \"hired_on\": \"2020-01-01\", \"pledge_signed_on\": \"2026-01-01\"}], "
            + "\"roles\": [{\"role\": \"operations-lead\", \"staff_id\": \"S-1\", \"since\": \"2020-01-01\"}], "
        #expect(try evaluate(body, shown + na("2025-10-01")).0.state == .pass)
        #expect(try evaluate(body, people + na("2025-10-01")).0.state == .manual)
    }

    /// `tenken attest` appends: of two statements with the same date, the later row counts.
    @Test func laterRowWinsOnTheSameDate() throws {
        let two =
            signers
            + "\"attestations\": [{\"item\": \"k\", \"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": "
            + "\"S-1\", \"signed_on\": \"2026-06-01\"}, {\"item\": \"k\", \"answer\": \"no\", \"by_role\": "
            + "\"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-06-01\"}]"
        #expect(try evaluate(attBody, two).0.state == .fail)
    }

    /// What `tenken attest` asks about: missing, "no", expired, or running out within the window.
    @Test func dueAttestations() throws {
        func due(_ fields: String?, asOf: String = "2026-11-01") throws -> [DueAttestation] {
            let snap = fields.map { self.signed($0) } ?? "\"attestations\": []"
            let (_, result) = try evaluate(attBody, snap, asOf: asOf)
            let pack = try onePack(attBody)
            return AttestationPlan.due(pack: pack, result: result, window: Duration(30, .days)!)
        }
        let signed =
            "\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-01-10\""
        #expect(try due(nil).map(\.why) == [.missing])
        #expect(try due(signed).isEmpty)
        #expect(try due(signed, asOf: "2026-12-11").map(\.why) == [.expiring(Day(iso: "2027-01-10")!)])
        #expect(try due(signed, asOf: "2026-12-10").isEmpty)
        #expect(try due(signed, asOf: "2027-02-01").map(\.why) == [.expired(Day(iso: "2027-01-10")!)])
        #expect(
            try due(
                "\"answer\": \"no\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", \"signed_on\": \"2026-10-01\""
            ).map(\.why) == [.answeredNo])
        #expect(try due(signed, asOf: "2026-12-11").first?.roles == ["operations-lead"])
        // On file but not counted (a not-applicable without a reason, a signer not on the
        // staff): due with the engine's reason, never as "no answer on file".
        for (fields, words) in [
            (
                "\"answer\": \"not-applicable\", \"by_role\": \"operations-lead\", \"by\": \"S-1\", "
                    + "\"signed_on\": \"2026-10-01\", \"reason\": \"なし\"", "without a reason"
            ),
            (
                "\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"by\": \"S-9\", "
                    + "\"signed_on\": \"2026-10-01\"", "S-9"
            ),
        ] {
            let d = try due(fields)
            guard case .notCounted(let why)? = d.first?.why else {
                Issue.record("\(d.map(\.why))")
                continue
            }
            #expect(why.en.contains(words), "\(why.en)")
        }
    }

    @Test func dataGapsWinOverAttestation() throws {
        let body = "  expect every s in staff : s.pledge_signed_on is present\n" + attBody
        let snap =
            "\"staff\": [{\"id\": \"S\"}], "
            + att("\"answer\": \"yes\", \"by_role\": \"operations-lead\", \"signed_on\": \"2026-10-31\"")
        #expect(try evaluate(body, snap).0.state == .fail)
    }

    @Test func applicabilityAndMissingSections() throws {
        let body =
            "  applies when facility.uses_wifi\n    otherwise ja \"Wi-Fiなし\" en \"no Wi-Fi\"\n  expect every n in "
            + "networks : n.encryption == \"WPA3\""
        let (na, _) = try evaluate(body, "\"facility\": {\"uses_wifi\": false}")
        #expect(na.state == .notApplicable)
        #expect(na.reason?.en == "no Wi-Fi")
        let (err, _) = try evaluate(body, "\"facility\": {\"uses_wifi\": true}")
        #expect(err.state == .error)
        #expect(err.reason?.en.contains("`networks`") == true)
        #expect(try evaluate(body, "\"facility\": {\"uses_wifi\": true}, \"networks\": []").0.state == .pass)
    }

    /// A section `applies when` reads only after testing it present may be absent: the
    /// condition is decided without it. Read without the test, it is still needed.
    @Test func applicabilityMayTestASectionPresent() throws {
        let guarded =
            "  applies when facility.uses_wifi or (networks is present and (some n in networks : n.used_for_mcs))\n"
            + "  expect every n in networks : n.encryption == \"WPA3\""
        #expect(try evaluate(guarded, "\"facility\": {\"uses_wifi\": false}").0.state == .notApplicable)
        #expect(
            try evaluate(guarded, "\"facility\": {\"uses_wifi\": false}, \"networks\": []").0.state == .notApplicable)
        let open = "\"networks\": [{\"id\": \"N\", \"encryption\": \"open\", \"used_for_mcs\": true}]"
        #expect(try evaluate(guarded, "\"facility\": {\"uses_wifi\": false}, " + open).0.state == .fail)
        // Applies, and then the expectation needs the section.
        #expect(try evaluate(guarded, "\"facility\": {\"uses_wifi\": true}").0.state == .error)
        // Undecided without the section: unknown, never not-applicable.
        #expect(try evaluate(guarded, "\"facility\": {}").0.state == .unknown)
        let unguarded =
            "  applies when facility.uses_wifi or (some n in networks : n.used_for_mcs)\n"
            + "  expect every n in networks : n.encryption == \"WPA3\""
        #expect(try evaluate(unguarded, "\"facility\": {\"uses_wifi\": false}").0.state == .error)
        let pack = try onePack(guarded)
        #expect(pack.rules[0].appliesRoots == [try #require(pack.schema.sectionIndex["facility"])])
    }

    @Test func parameterOverridesAreTypedAndLooseningIsFlagged() throws {
        let body =
            "  expect every s in staff where s.left_on is present and s.left_on + param.grace < as_of : s.id == "
            + "\"none\""
        let snap = "\"staff\": [{\"id\": \"S\", \"left_on\": \"2026-10-20\"}], \"parameters\": {\"grace\": \"30 days\"}"
        let (r, whole) = try evaluate(body, snap)
        #expect(r.state == .pass)
        let g = whole.params.first { $0.name == "grace" }!
        #expect(g.origin == .snapshot && g.loosened)
        // The command line wins over the snapshot.
        let cli = ParamResolver.parseCommandLine("grace=5 days")!
        let (r2, whole2) = try evaluate(body, snap, params: [cli])
        #expect(r2.state == .fail)
        #expect(whole2.params.first { $0.name == "grace" }?.loosened == false)
    }

    @Test func badOverridesAreErrors() throws {
        let pack = try onePack("  expect facility.uses_wifi")
        let loc = SourceLocation(file: "x")
        let (_, _, d) = ParamResolver.resolve(
            pack,
            overrides: [
                ParamOverride(name: "grase", value: .string("3 days"), location: loc, origin: "snapshot"),
                ParamOverride(name: "grace", value: .int(3), location: loc, origin: "snapshot"),
                ParamOverride(name: "period", value: .string("-3 days"), location: loc, origin: "snapshot"),
            ])
        #expect(d.map(\.id) == ["data.unknown-param", "data.bad-param", "data.negative-duration"])
        #expect(d[0].help == "did you mean `grace`?")
    }

    /// A list the source fixes is a set: adding a value outside it (WEP to the acceptable
    /// encryptions) or dropping one the rules must keep looking at (smartphones from the
    /// mobile devices) loosens the source, like a shorter password.
    @Test func listOverridesPastTheSourcesSetAreFlagged() throws {
        let packText = """
            pack t {
              version "1"
              title ja "t" en "t"
              param wifi: [string] = ["WPA3", "WPA2-AES"] limit <= ["WPA3", "WPA2-AES", "WPA2-TKIP"]
                because "the source's examples"
              param kinds: [string] = ["tablet", "smartphone"] limit >= ["tablet", "smartphone"]
                because "mobile devices"
              category human-organizational ja "人的・組織的対策" en "Human and organisational"
              scope mcs ja "MCS" en "MCS"
              risk R1 ja "不正な閲覧" en "Unauthorised viewing"
            }
            """
        let rule =
            "rule r {\n  implements X-1\n  level required\n  category human-organizational\n  scope mcs\n  title ja "
            + "\"t\" en \"t\"\n  remediation ja \"r\" en \"r\"\n  expect facility.uses_wifi\n}\n"
        let pack = try #require(
            Checker.check(
                PackSource(files: [("pack.tenken", packText), ("r.tenken", rule)], catalog: ("c.tsv", catalog)),
                schema: PackLoader.builtInSchema
            ).pack)
        #expect(pack.params.map(\.limitText) == ["⊆ [WPA3, WPA2-AES, WPA2-TKIP]", "⊇ [tablet, smartphone]"])
        func loosened(_ name: String, _ values: [String]) -> Bool {
            let o = ParamOverride(
                name: name, value: .list(values.map { .string($0) }), location: SourceLocation(file: "x"),
                origin: "command line")
            let (_, settings, d) = ParamResolver.resolve(pack, overrides: [o])
            #expect(d.isEmpty)
            return settings.first { $0.name == name }!.loosened
        }
        #expect(loosened("wifi", ["WPA3", "WPA2-AES", "WEP"]))
        #expect(!loosened("wifi", ["WPA3"]))
        #expect(!loosened("wifi", ["WPA3", "WPA2-AES", "WPA2-TKIP"]))
        #expect(loosened("kinds", ["tablet"]))
        #expect(!loosened("kinds", ["smartphone", "tablet", "pc"]))
        // A default already outside its own set is a pack error.
        let bad = packText.replacingOccurrences(of: "[\"WPA3\", \"WPA2-AES\"] limit", with: "[\"WPA3\", \"WEP\"] limit")
        #expect(
            Checker.check(
                PackSource(files: [("pack.tenken", bad), ("r.tenken", rule)], catalog: ("c.tsv", catalog)),
                schema: PackLoader.builtInSchema
            )
            .diagnostics.map(\.id) == ["check.bad-limit"])
    }
}

/// Indexed joins must give exactly the results of nested scans, on random facilities.
struct JoinEquivalenceTests {
    @Test func indexedAndScannedAgreeOnRandomFacilities() throws {
        let loaded = PackLoader.embedded()
        let fast = try #require(Checker.check(loaded.source, schema: PackLoader.builtInSchema).pack)
        let slow = try #require(
            Checker.check(loaded.source, schema: PackLoader.builtInSchema, options: CheckOptions(indexJoins: false))
                .pack)
        var seed: UInt64 = 12345
        func rnd(_ n: Int) -> Int {
            seed = seed &* 6364136223846793005 &+ 1442695040888963407
            return Int((seed >> 33) % UInt64(n))
        }
        for _ in 0..<60 {
            let nStaff = 1 + rnd(8), nGroups = rnd(6)
            var staff: [String] = [], accounts: [String] = [], groups: [String] = [], consents: [String] = [],
                patients: [String] = []
            for i in 0..<nStaff {
                let left = rnd(3) == 0 ? ", \"left_on\": \"2026-0\(1 + rnd(9))-15\"" : ""
                staff.append(
                    "{\"id\": \"S-\(i)\", \"job\": \"\(["nurse", "clerk"][rnd(2)])\", \"account_id\": "
                        + "\"A-\(rnd(nStaff))\", \"uses_mcs\": true\(left)}"
                )
                accounts.append(
                    "{\"id\": \"A-\(i)\", \"staff_id\": \"S-\(rnd(nStaff + 1))\", \"status\": "
                        + "\"\(["active", "deleted"][rnd(2)])\", \"is_admin\": \(rnd(2) == 0)}"
                )
            }
            for g in 0..<nGroups {
                let pid = rnd(2) == 0 ? "P-\(rnd(4))" : "P-\(rnd(4))\", \"P-\(rnd(4))"
                let members = (0..<rnd(4)).map { _ in
                    "{\"account_id\": \"A-\(rnd(nStaff))\", \"staff_id\": \"S-\(rnd(nStaff))\", \"facility_id\": "
                        + "\"F-\(rnd(3))\"}"
                }
                groups.append(
                    "{\"id\": \"G-\(g)\", \"kind\": \"patient\", \"patient_ids\": [\"\(pid)\"], \"first_shared_on\": "
                        + "\"2026-02-01\", \"shares_outside\": true, \"members\": [\(members.joined(separator: ","))]}"
                )
            }
            for p in 0..<4 {
                patients.append(
                    "{\"id\": \"P-\(p)\", \"status\": \"\(["active", "discharged"][rnd(2)])\", \"care_ended_on\": "
                        + "\"2026-03-01\"}"
                )
                if rnd(2) == 0 {
                    consents.append(
                        "{\"id\": \"C-\(p)\", \"patient_id\": \"P-\(p)\", \"signed_on\": \"2026-0\(1 + rnd(3))-01\", "
                            + "\"refusals\": [{\"party\": \"F-\(rnd(3))\", \"recorded_on\": \"2026-01-01\"}]}"
                    )
                }
            }
            let json =
                "{\"schema_version\": 1, \"staff\": [\(staff.joined(separator: ","))], \"accounts\": "
                + "[\(accounts.joined(separator: ","))], \"groups\": [\(groups.joined(separator: ","))], "
                + "\"patients\": [\(patients.joined(separator: ","))], \"consents\": "
                + "[\(consents.joined(separator: ","))], \"roles\": []}"
            var l = SnapshotLoader(schema: PackLoader.builtInSchema)
            let loaded = l.loadSnapshot(bytes: Array(json.utf8), path: "r.json")
            let f = try #require(loaded)
            let asOf = Day(iso: "2026-11-01")!
            let a = Engine(pack: fast).evaluate(f, asOf: asOf).0, b = Engine(pack: slow).evaluate(f, asOf: asOf).0
            for (x, y) in zip(a.results, b.results) {
                #expect(x.state == y.state, "\(x.ruleID)")
                #expect(x.violations.map(\.element) == y.violations.map(\.element), "\(x.ruleID)")
            }
        }
    }
}
