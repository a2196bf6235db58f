import Foundation
import Testing

/// What the commands say about the `--rules` path they were given.
struct PackPathMessagesTests {
    @Test func aFileGivenAsThePackIsNotADirectoryNotMissing() throws {
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("tenken-notadir-\(UUID().uuidString)")
        try "x\n".write(to: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(at: file) }
        let r = runCLI(["lint", "--rules", file.path])
        #expect(r.code == 2)
        #expect(r.err.contains("is a file, not a directory: a rule pack is a folder"), "\(r.err)")
        #expect(!r.err.contains("not found"), "\(r.err)")
        let missing = runCLI(["lint", "--rules", file.path + "-missing"])
        #expect(missing.err.contains("rule pack directory not found"), "\(missing.err)")
    }

    @Test func initWithAPackSuggestsCheckingWithThatPack() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent(
            "tenken-init-rules-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = runCLI(["init", "--rules", "Rules/mcs", dir.path])
        #expect(r.code == 0, "\(r.err)")
        #expect(r.out.contains("  tenken check --rules Rules/mcs \(dir.path)\n"), "\(r.out)")
        let plain = dir.appendingPathComponent("plain")
        let q = runCLI(["init", plain.path])
        #expect(q.out.contains("  tenken check \(plain.path)\n"), "\(q.out)")
    }
}
