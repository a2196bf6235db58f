import Foundation
import TenkenCheck
import TenkenData
import Testing

@testable import TenkenReport

/// A batch keeps its facilities' summaries as compact rows of bytes: every field comes back as
/// it went in, and the rows sort as the summaries did.
struct FacilityRowsTests {
    static let summaries: [FacilitySummary] = [
        FacilitySummary(
            id: "F-1", name: "医療法人 第一診療所", input: "/data/施設/F-1.json", status: .evaluated, states: "PFMAWNUE",
            diagnostics: ["F-1.json:3: warning[data.x]: 未知のキー `é`", ""], newGaps: 3,
            loosened: ["password.min_length", "画面ロック"]),
        FacilitySummary(
            id: "", name: "", input: "", status: .error, states: "", diagnostics: [], newGaps: 0, loosened: []),
        FacilitySummary(
            id: "F-2", name: nil, input: "in/F-2", status: .evaluated, states: "PP", diagnostics: [], newGaps: nil),
        FacilitySummary(
            id: "huge", name: String(repeating: "名", count: 70_000), input: String(repeating: "x", count: 200_000),
            status: .error, states: String(repeating: "P", count: 300),
            diagnostics: (0..<1000).map { "line \($0): \u{1F600} \0 \r\n" }, newGaps: Int.max,
            loosened: [String(repeating: "p", count: 128)]),
        FacilitySummary(
            id: "neg", name: "\u{65}\u{301}", input: "e\u{301}", status: .evaluated, states: "F", diagnostics: [],
            newGaps: Int.min),
        FacilitySummary(
            id: "neg2", name: nil, input: "x", status: .evaluated, states: "F", diagnostics: [], newGaps: -1),
    ]

    @Test func everyFieldRoundTrips() {
        let rows = FacilityRows(Self.summaries)
        #expect(rows.count == Self.summaries.count)
        #expect(Array(rows) == Self.summaries)
        for (i, s) in Self.summaries.enumerated() {
            #expect(rows[i] == s)
            #expect(rows.id(i) == s.id)
            let v = rows.view(i)
            #expect(v.status == s.status && Array(v.states) == Array(s.states.utf8))
            #expect(v.diagnosticsCount == s.diagnostics.count && v.loosenedCount == s.loosened.count)
            #expect(v.newGaps == s.newGaps)
            // Byte for byte, not only equal as strings (`==` on String is canonical equivalence).
            #expect(Array(rows[i].name?.utf8 ?? "".utf8) == Array(s.name?.utf8 ?? "".utf8))
            #expect(Array(rows[i].input.utf8) == Array(s.input.utf8))
        }
        #expect(Array(FacilityRows()) == [])
    }

    @Test func replacedAndUnsetRows() {
        var rows = FacilityRows(unset: 3)
        #expect(!rows.isSet(0) && !rows.isSet(2))
        var encoded: [UInt8] = []
        FacilityRows.encode(Self.summaries[0], into: &encoded)
        rows.set(2, encoded: encoded)
        rows.set(0, Self.summaries[2])
        rows.set(1, Self.summaries[1])
        rows.set(0, Self.summaries[4])
        #expect(Array(rows) == [Self.summaries[4], Self.summaries[1], Self.summaries[0]])
    }

    /// The rows sort as `(id, input) < (id, input)` sorts the summaries: bytes for ASCII, the
    /// strings' order otherwise (canonically equal ids, non-ASCII ids beside ASCII ones).
    @Test func sortMatchesTheSummariesOrder() {
        let ids = ["b", "a", "B", "é", "e\u{301}", "z", "ä", "a", "", "aa", "Z-10", "Z-9", "施設", "\u{212B}", "\u{C5}"]
        let inputs = ["2", "1", "e\u{301}", "é", "0", ""]
        var list: [FacilitySummary] = []
        for (k, id) in ids.enumerated() {
            for j in 0..<3 {
                list.append(
                    FacilitySummary(
                        id: id, name: nil, input: inputs[(k + j) % inputs.count], status: .evaluated,
                        states: String(k), diagnostics: ["\(k)-\(j)"]))
            }
        }
        var rows = FacilityRows(list)
        rows.sortByIDAndInput()
        let sorted = list.sorted { ($0.id, $0.input) < ($1.id, $1.input) }
        #expect(Array(rows) == sorted)
        #expect(Array(rows).map(\.diagnostics) == sorted.map(\.diagnostics))
    }

    /// The aggregate's JSON rows are written from the rows' bytes (`FacilityRows.Raw`),
    /// without a summary: every field's bytes are the string's UTF-8, and the lists in order.
    @Test func rawRowsCarryEveryFieldAsBytes() {
        let rows = FacilityRows(Self.summaries)
        for (i, s) in Self.summaries.enumerated() {
            rows.withRaw(i) { f in
                #expect(f.status == s.status && f.newGaps == s.newGaps)
                #expect(Array(f.id) == Array(s.id.utf8) && Array(f.input) == Array(s.input.utf8))
                #expect(f.name.map { Array($0) } == s.name.map { Array($0.utf8) })
                #expect(Array(f.states) == Array(s.states.utf8))
                #expect(f.diagnosticsCount == s.diagnostics.count)
                var d: [[UInt8]] = []
                f.diagnostics { d.append(Array($0)) }
                #expect(d == s.diagnostics.map { Array($0.utf8) })
                var l: [[UInt8]] = []
                f.loosened { l.append(Array($0)) }
                #expect(l == s.loosened.map { Array($0.utf8) })
            }
        }
    }

    /// A field written from its bytes is escaped exactly as the string was (quotes,
    /// backslashes, control characters, DEL, line separators, non-ASCII).
    @Test func bytesAreEscapedAsTheirStrings() {
        let texts = [
            "", "F-1", "a\"b", "a\\b", "\u{7F}", "\u{1}\t\r\n", "医療法人", "e\u{301}", "\u{1F600}", "=SUM(A1)", "'=x",
            "-1", "+", "@a", "a,b", "it's", " lead", "\u{2028}", "\u{202E}rtl", "\u{0}",
        ]
        for t in texts {
            var viaString: [UInt8] = [], viaBytes: [UInt8] = []
            Aggregate.appendJSONString(t, to: &viaString)
            Array(t.utf8).withUnsafeBufferPointer { Aggregate.appendJSONString($0, to: &viaBytes) }
            #expect(viaBytes == viaString, "JSON \(t.debugDescription)")
        }
    }

    /// A facility's JSON row, written from its compact row, reads back as the summary.
    @Test func jsonRowsReadBackAsTheSummaries() throws {
        let rules = (0..<8).map {
            AggregateRule(
                id: "R\($0)", implements: [], level: $0 % 2 == 0 ? .required : .recommended, category: nil,
                title: Bilingual(ja: "", en: ""))
        }
        let a = Aggregate(
            asOf: "2026-12-02", packID: "p", packVersion: "1", rules: rules, facilities: Self.summaries, shard: nil)
        var parts = a.jsonRowParts()
        for i in a.facilities.indices {
            var row: [UInt8] = []
            a.facilities.withRaw(i) { a.appendFacilityRow($0, into: &row, parts: &parts) }
            let o = try #require(try JSONSerialization.jsonObject(with: Data(row)) as? [String: Any])
            let s = a.facilities[i]
            #expect(o["id"] as? String == s.id && o["input"] as? String == s.input)
            #expect(o["name"] as? String == s.name && o["states"] as? String == s.states)
            #expect(o["status"] as? String == s.status.rawValue)
            #expect(o["diagnostics"] as? [String] == s.diagnostics && o["loosened_params"] as? [String] == s.loosened)
            #expect(
                o["new_gaps"] == nil
                    ? s.newGaps == nil
                    : String(decoding: row, as: UTF8.self).contains("\"new_gaps\":\(s.newGaps ?? 0),"))
            let counts = try #require(o["counts"] as? [String: [String: Int]])
            #expect(counts["required"]?["fail"] == s.count(.required, .fail, rules))
            #expect(counts["recommended"]?["pass"] == s.count(.recommended, .pass, rules))
        }
    }
}
