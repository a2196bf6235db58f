import Foundation
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenCheck
@testable import TenkenData
@testable import TenkenEval

/// A join index finds exactly the elements a scan comparing with `Value ==` finds, in the
/// collection's order, whatever hash it uses: for every field of every collection of the
/// fixtures, every key they hold, and the same keys spelled with a character that is
/// canonically equivalent to an ASCII one (the Kelvin sign for K).
@Suite struct JoinIndexTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The key spelled with the Kelvin sign for each K: equal to it by `==`, not by its bytes.
    static func kelvin(_ v: Value) -> Value? {
        guard case .string(let s) = v, s.contains("K") else { return nil }
        return .string(s.replacingOccurrences(of: "K", with: "\u{212A}"))
    }

    @Test func kelvinSignEqualsK() {
        #expect(Value.string("\u{212A}-1") == Value.string("K-1"))
        #expect(JoinIndex.quickHash(.string("\u{212A}-1")) == nil)
        #expect(JoinIndex.quickHash(.string("K-1")) != nil)
    }

    @Test(arguments: ["clinic-sakura", "hospital-aoba", "messy-tsubaki", "pharmacy-kiri"])
    func indexFindsWhatAScanFinds(_ name: String) throws {
        let loaded = PackLoader.embedded()
        let input = try FacilityInput.folder(
            Self.root.appendingPathComponent("Fixtures/\(name)").path, schema: PackLoader.builtInSchema
        ).get()
        let facility = try #require(input.load(options: LoadOptions(), pack: loaded).0).normalised()
        var compared = 0
        for case .list(let xs)? in facility.roots {
            let records = xs.compactMap { x -> Record? in if case .record(let r) = x { r } else { nil } }
            guard let first = records.first else { continue }
            for field in first.schema.fields.indices {
                let values = records.map { $0.effective(field) }
                let contains = values.contains { if case .list = $0 { true } else { false } }
                let ix = JoinIndex(xs, field: field, contains: contains)
                var keys: [Value] = []
                for v in values {
                    if contains, case .list(let items) = v { keys += items } else { keys.append(v) }
                }
                keys = keys.filter { !$0.isNull && !$0.isUnknown }
                keys += keys.compactMap(Self.kelvin) + [.string("no-such-key"), .int(-1)]
                for key in keys {
                    let scan = records.filter { r in
                        let v = r.effective(field)
                        if contains, case .list(let items) = v { return items.contains(key) }
                        return !contains && v == key
                    }
                    let found = ix.matches(key).map { x -> ObjectIdentifier? in
                        if case .record(let r) = x { ObjectIdentifier(r) } else { nil }
                    }
                    #expect(found == scan.map { ObjectIdentifier($0) }, "\(name) field \(field) key \(key.display)")
                    compared += 1
                }
            }
        }
        #expect(compared > 100)
    }
}
