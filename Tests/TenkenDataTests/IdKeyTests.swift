import Foundation
import Testing

@testable import TenkenData
@testable import TenkenSyntax

/// `IdKey` packs short ASCII keys into two words and keeps others whole (`Consistency` compares
/// ids by it): it must say two ids are one exactly when `CellText.identifierKey` does, whichever
/// form each takes.
struct IdKeyTests {
    /// `CellText.isOwnKey` tests eight bytes at a time; against the byte-by-byte definition
    /// (ASCII without `a`...`z`) on every byte value at every position of strings of 0 to 24
    /// bytes (small and large strings, whole words and a tail), and on random strings.
    @Test func ownKeyWordTestAgreesWithBytes() {
        func plain(_ s: String) -> Bool { s.utf8.allSatisfy { $0 < 0x80 && !(0x61...0x7A).contains($0) } }
        for n in 0...24 {
            #expect(CellText.isOwnKey(String(repeating: "A", count: n)), "\(n)")
            for k in 0..<n {
                for b in UInt8(0x01)...UInt8(0x7F) {
                    var bytes = [UInt8](repeating: 0x41, count: n)
                    bytes[k] = b
                    let s = String(decoding: bytes, as: UTF8.self)
                    #expect(CellText.isOwnKey(s) == plain(s), "\(bytes)")
                }
                for tail in ["é", "ａ", "Ａ", "\u{80}", "漢"] {
                    let s = String(repeating: "B", count: k) + tail + String(repeating: "C", count: n - k)
                    #expect(CellText.isOwnKey(s) == plain(s), "\(s)")
                }
            }
        }
        var g = SystemRandomNumberGenerator()
        let alphabet = Array("AZaz09-_ .zÉé漢ｓ")
        for _ in 0..<5_000 {
            let s = String((0..<Int.random(in: 0...30, using: &g)).map { _ in alphabet.randomElement(using: &g)! })
            #expect(CellText.isOwnKey(s) == plain(s), "\(s)")
        }
    }

    /// `InlineASCII.words` reads a small string's bytes from the `String` value itself: for
    /// strings made in every usual way (literals, decoded bytes, slices, appends, removals,
    /// interpolation, case changes), it gives either nil or exactly the bytes packed one by one,
    /// and it gives them for every ASCII string of up to 15 bytes decoded from bytes (what a
    /// loader makes).
    @Test func inlineWordsAreTheBytes() {
        func packed(_ s: String) -> (UInt64, UInt64)? {
            let b = Array(s.utf8)
            guard b.count <= 15, b.allSatisfy({ $0 < 0x80 }) else { return nil }
            var head: UInt64 = 0, tail: UInt64 = 0
            for (i, x) in b.enumerated() {
                if i < 8 {
                    head |= UInt64(x) << (56 - 8 * UInt64(i))
                } else {
                    tail |= UInt64(x) << (56 - 8 * UInt64(i - 8))
                }
            }
            return (head, tail | UInt64(b.count))
        }
        var made: [String] = Self.spellings + ["", "A", "F00001-S001", "abcdefghijklmno", "ZZZZZZZZZZZZZZZ", "\u{0}"]
        for n in 0...20 {
            let bytes = (0..<n).map { UInt8(0x21 + ($0 * 7) % 90) }
            let s = String(decoding: bytes, as: UTF8.self)
            made.append(s)
            if n <= 15 { #expect(InlineASCII.words(s) != nil, "\(s) is read inline") }
            var grown = String(repeating: "Q", count: 40)
            grown.removeLast(40 - n)
            made.append(grown)
            made.append(String(s.dropFirst(n / 2)))
            made.append(s.lowercased())
            made.append("\(n)-\(s)")
            var appended = s
            appended += "é"
            appended.removeLast()
            made.append(appended)
        }
        for s in made {
            guard let w = InlineASCII.words(s) else { continue }
            let p = packed(s)
            #expect(p?.0 == w.head && p?.1 == w.tail, "\(s)")
        }
    }

    /// A record frees without a call the strings that hold no storage (`Record.holdsNoReference`):
    /// small ones and literals. A string with storage of its own is always released: one made
    /// at run time longer than 15 bytes, or cut down from such a string.
    @Test func onlyStringsWithoutStorageAreLeftUnreleased() {
        #expect(Record.holdsNoReference("S-006"))
        #expect(Record.holdsNoReference(String(decoding: Array("F00001-A001".utf8), as: UTF8.self)))
        #expect(Record.holdsNoReference(""))
        let long = String(decoding: Array(repeating: UInt8(ascii: "Q"), count: 40), as: UTF8.self)
        #expect(!Record.holdsNoReference(long))
        var cut = long
        cut.removeLast(30)
        #expect(!Record.holdsNoReference(cut))
        #expect(!Record.holdsNoReference(String(decoding: Array("職員-0001-長い名前".utf8), as: UTF8.self)))
        // Records of every kind of string are made and freed (a wrong skip would show under a
        // leak or address sanitizer, a wrong release as a crash).
        let src = SourceFile(path: "t.json", kind: .json, lines: LineIndex([], firstLine: 1))
        let schema = TestSchema.mcs.sections[0].record
        for s in ["S-006", long, cut, "é", "職員-0001-長い名前"] {
            let r = Record.make(
                schema: schema, values: Array(repeating: Value.string(s), count: schema.fields.count),
                origin: LazyLocation(source: src, offset: 0, path: ""),
                offsets: Array(repeating: Int32(-1), count: schema.fields.count))
            #expect(r.values.allSatisfy { $0 == .string(s) })
        }
    }

    static let spellings = [
        "S-006", "s-006", "Ｓ－００６", "S‐006", "S−006", "ｓ－００６", "S-0060", "S-06", "S006", "", "-",
        "F00001-A001", "f00001-a001", "F00001-A0010", "ABCDEFGHIJKLMNO", "abcdefghijklmno", "ABCDEFGHIJKLMNOP",
        "abcdefghijklmnop", "ABCDEFGHIJKLMNOQ", "ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰ", "FーPHー0002", "F-PH-0002", "f-ph-0002",
        "職員-1", "職員－１", "職員-2", "e\u{301}", "\u{e9}", "É", "S-006 ", "S-006\u{0}", "S-006\u{0}\u{0}",
        "\u{212A}", "K", "k", "straße", "STRASSE",
    ]

    @Test func keysAreEqualExactlyWhenIdentifierKeysAre() {
        for a in Self.spellings {
            for b in Self.spellings {
                let same = CellText.identifierKey(a) == CellText.identifierKey(b)
                let (x, y) = (IdKey(a), IdKey(b))
                #expect((x == y) == same, "\(a) vs \(b)")
                // A strict total order that agrees with equality: exactly one of <, >, ==.
                #expect([x < y, y < x, x == y].filter { $0 }.count == 1, "\(a) vs \(b)")
            }
        }
    }

    @Test func aTableFindsEveryIdUnderAnySpellingAndNamesTheRepeats() throws {
        let ids = ["S-2", "s-1", "S-1", "Ｓ－２", "S-3", "abcdefghijklmnopq", "ABCDEFGHIJKLMNOPQ"]
        let f = try load(
            "{\"schema_version\": 1, \"accounts\": [" + ids.map { "{\"id\": \"\($0)\"}" }.joined(separator: ", ")
                + "]}")
        let si = try #require(f.schema.sectionIndex["accounts"])
        guard case .list(let list)? = f.roots[si] else { Issue.record("no accounts"); return }
        let table = IdTable(list, field: try #require(f.schema.sections[si].record.idIndex))
        #expect(table.repeats.map(\.at) == [2, 3, 6] && table.repeats.map(\.first) == [1, 0, 5])
        for id in ids + ["s-2", "S‐3", "ABCDEFGHIJKLMNOPq"] { #expect(table.contains(id), "\(id)") }
        for id in ["S-4", "S-", "", "abcdefghijklmnop"] { #expect(!table.contains(id), "\(id)") }
        #expect(Set(table.spellings) == ["S-2", "s-1", "S-3", "abcdefghijklmnopq"])
    }

    func load(_ json: String) throws -> Facility {
        var l = SnapshotLoader(schema: TestSchema.mcs)
        let f = l.loadSnapshot(bytes: Array(json.utf8), path: "s.json")
        return try #require(f)
    }

    func check(_ json: String) throws -> [Diagnostic] {
        Consistency.check(try load(json), asOf: Day(iso: "2026-11-01"))
    }

    /// Ids in lower case, full width, with other dashes or longer than a packed key: duplicates
    /// and dangling references exactly as `identifierKey` reads them, at the top level and in a
    /// nested list.
    @Test func duplicatesAndReferencesUnderEverySpelling() throws {
        let d = try check(
            """
            {"schema_version": 1,
             "staff": [{"id": "S-006"}, {"id": "Ｓ－００７"}, {"id": "s-006"}, {"id": "staff-member-0000000001"},
                       {"id": "STAFF-MEMBER-0000000001"}, {"id": "S‐008"}],
             "accounts": [{"id": "A-1", "staff_id": "s-007"}, {"id": "A-2", "staff_id": "S-999"},
                          {"id": "A-3", "staff_id": "Staff-Member-0000000001"}, {"id": "A-4", "staff_id": "s-008"},
                          {"id": "A-5", "staff_id": "S-0007"}],
             "groups": [{"id": "G-1", "members": [{"account_id": "a-1"}, {"account_id": "A-2"}, {"account_id": "Ａ－１"}]}]}
            """)
        let dup = d.filter { $0.id == "data.duplicate-id" }
        #expect(dup.map(\.location?.path) == ["/staff/2/id", "/staff/4/id", "/groups/0/members/2/account_id"], "\(d)")
        #expect(dup[0].message.contains("element of staff (/staff/0/id)"), "\(dup[0].message)")
        #expect(dup[1].message.contains("(/staff/3/id)"), "\(dup[1].message)")
        #expect(dup[2].message.contains("element of groups.members (/groups/0/members/0/account_id)"), "\(dup[2])")
        let dangling = d.filter { $0.id == "data.dangling-reference" }
        #expect(dangling.map(\.location?.path) == ["/accounts/1/staff_id", "/accounts/4/staff_id"], "\(d)")
        // Full-width ids are folded as they are read: the suggestion is the id as loaded.
        #expect(dangling[1].help == "did you mean `S-007`?", "\(dangling[1])")
    }

    /// The packed form is tested eight bytes at a time: every ASCII byte, at every place of a
    /// key of up to 15 bytes, must make the same key as `identifierKey` of the id does, and
    /// a lower-case letter anywhere must make the key of its upper case.
    @Test func everyASCIIByteAtEveryPlacePacksAsItsIdentifierKey() {
        for n in 1...15 {
            for at in 0..<n {
                for b in UInt8(0x20)...UInt8(0x7E) {
                    var bytes = [UInt8](repeating: UInt8(ascii: "A"), count: n)
                    bytes[at] = b
                    let id = String(decoding: bytes, as: UTF8.self)
                    let key = CellText.identifierKey(id)
                    #expect(IdKey(id) == IdKey(key), "\(id)")
                    if b >= 0x61 && b <= 0x7A {
                        bytes[at] = b - 0x20
                        #expect(IdKey(id) == IdKey(String(decoding: bytes, as: UTF8.self)), "\(id)")
                    }
                }
            }
        }
    }
}
