import Foundation
import TenkenSyntax
import Testing

@testable import TenkenAudit
@testable import TenkenData

/// A batch's list file in ASCII is split and trimmed as bytes: the same lines as splitting the
/// text at `isNewline` Characters and trimming `CellText.isSpace`, for every line ending and
/// space a list can hold; a list with other characters takes the Characters' way.
struct BatchListLinesTests {
    static func names(_ text: String, maxCollection: Int = 1000) throws -> Result<[String], Diagnostic> {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-list-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(text.utf8).write(to: dir.appendingPathComponent("list.txt"))
        return BatchDiscovery.entries(dir.path + "/list.txt", maxCollection: maxCollection).map { es in
            es.map(\.name)
        }
    }

    /// What the Characters' way gives (the code before the byte path).
    static func expected(_ text: String) -> [String] {
        var t = Substring(text)
        if t.hasPrefix("\u{FEFF}") { t = t.dropFirst() }
        return t.split(whereSeparator: \.isNewline).map(CellText.trimmed).filter { !$0.isEmpty && !$0.hasPrefix("#") }
    }

    @Test func asciiListsSplitAsTheCharactersDo() throws {
        let texts = [
            "a\nb\r\nc\rd\u{0B}e\u{0C}f", "  a \t\n\t\n \n#x\n  # y\nb/c.json  ", "\r\n\r\n", "", "one",
            "a\n\n\nb\n", " \t ", "#only", "x\r\n\ny\r\r\nz \r\n",
        ]
        for t in texts {
            #expect(try Self.names(t).get() == Self.expected(t), "\(t.debugDescription)")
        }
    }

    @Test func otherListsTooAndTheLimitHolds() throws {
        for t in ["施設/a.json\n\u{3000}b\u{3000}\n", "a\u{2028}b\u{85}c\n", "\u{FEFF}a\nb", "é\r\nü"] {
            #expect(try Self.names(t).get() == Self.expected(t), "\(t.debugDescription)")
        }
        for t in ["a\nb\nc\n", "a\nb\n施設\n"] {
            if case .failure(let d) = try Self.names(t, maxCollection: 2) {
                #expect(d.id == "data.too-many-elements")
            } else {
                Issue.record("list over the limit accepted")
            }
            #expect(try Self.names(t, maxCollection: 3).get().count == 3)
        }
    }

    /// Each entry's input is the line joined to the list's folder (or the line, absolute).
    @Test func inputsJoinTheListsFolder() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-list-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try Data(" x/a.json \n/abs/b.json\r\n".utf8).write(to: dir.appendingPathComponent("list.txt"))
        let es = try BatchDiscovery.entries(dir.path + "/list.txt").get()
        #expect(es.map(\.input) == [dir.path + "/x/a.json", "/abs/b.json"])
    }
}
