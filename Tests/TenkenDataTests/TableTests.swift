import Foundation
import Testing

@testable import TenkenData

/// Appending to a table keeps every byte already there and follows the file's own shape.
struct TableAppenderTests {
    let row: [String: Value] = [
        "item": .string("k"), "answer": .string("yes"), "by_role": .string("operations-lead"),
        "by": .string("S-1"), "signed_on": .date(Day(iso: "2026-11-01")!),
    ]

    func append(_ existing: [UInt8]?, japanese: Bool = true) throws -> [UInt8] {
        try TableAppender.append(
            to: existing, file: "a.csv", schema: TestSchema.record("attestation"), rows: [row], japanese: japanese
        ).get()
    }

    @Test func aNewTableGetsAHeaderAndABOM() throws {
        #expect(
            String(decoding: try append(nil), as: UTF8.self)
                == "\u{FEFF}確認項目,回答,回答者の役割,回答者ID,回答日,理由\r\nk,はい,運用責任者,S-1,2026-11-01,\r\n")
        #expect(
            String(decoding: try append(Array("\u{FEFF}\r\n".utf8), japanese: false), as: UTF8.self)
                == "\u{FEFF}item,answer,by_role,by,signed_on,reason\r\nk,yes,operations-lead,S-1,2026-11-01,\r\n")
    }

    @Test func followsTheHeaderOrderLineEndsAndUnknownColumns() throws {
        let existing = Array("by,note,item,signed_on,answer,by_role\nS-0,hello,k,2025-01-01,no,operations-lead".utf8)
        let out = try append(existing)
        #expect(Array(out.prefix(existing.count)) == existing)
        #expect(
            String(decoding: out, as: UTF8.self).hasSuffix("operations-lead\nS-1,,k,2026-11-01,yes,operations-lead\n"))
    }

    @Test func keepsShiftJIS() throws {
        let existing = [UInt8]("確認項目,回答,回答者の役割,回答者ID,回答日,理由\r\n".data(using: .shiftJIS)!)
        var r = row
        r["reason"] = .string("共用端末なし")
        let out = try TableAppender.append(
            to: existing, file: "a.csv", schema: TestSchema.record("attestation"), rows: [r], japanese: true
        ).get()
        #expect(Array(out.prefix(existing.count)) == existing)
        #expect(
            String(data: Data(out), encoding: .shiftJIS)?.hasSuffix("\r\nk,はい,運用責任者,S-1,2026-11-01,共用端末なし\r\n") == true)
        r["reason"] = .string("🏥")
        let bad = TableAppender.append(
            to: existing, file: "a.csv", schema: TestSchema.record("attestation"), rows: [r], japanese: true)
        guard case .failure(let d) = bad else { Issue.record("expected a failure"); return }
        #expect(d.id == "data.not-shift-jis")
    }
}
