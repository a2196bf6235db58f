import Foundation
import TenkenAudit

@testable import TenkenCLI
@testable import TenkenData

/// The built `tenken` binary, for tests that run it as a child process.
func tenkenBinary() -> URL {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent(
        "tenken")
    return FileManager.default.isExecutableFile(atPath: beside.path)
        ? beside : Repo.root.appendingPathComponent(".build/debug/tenken")
}

/// Starts the binary without waiting (for kills and races). Output goes to the null device.
/// `stderr`: a file that gets the child's standard error (else it is dropped).
func spawnTenken(_ args: [String], stderr: String? = nil) throws -> Process {
    Repo.enter()
    let p = Process()
    p.executableURL = tenkenBinary()
    p.arguments = args
    p.environment = ["SWIFT_BACKTRACE": "enable=no", "ASAN_OPTIONS": "detect_leaks=0", "PATH": "/usr/bin:/bin"]
    p.standardOutput = FileHandle.nullDevice
    if let stderr {
        FileManager.default.createFile(atPath: stderr, contents: nil)
        p.standardError = FileHandle(forWritingAtPath: stderr) ?? FileHandle.nullDevice
    } else {
        p.standardError = FileHandle.nullDevice
    }
    try p.run()
    return p
}

/// Waits for a child with a time limit; kills it if it runs over (a hang must fail the test,
/// not stop the suite).
@discardableResult
func waitFor(_ p: Process, timeout: TimeInterval = 60) -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while p.isRunning, Date() < deadline { usleep(10_000) }
    if p.isRunning {
        kill(p.processIdentifier, SIGKILL)
        p.waitUntilExit()
        return false
    }
    p.waitUntilExit()
    return true
}

/// A small tmpfs for real full-disk, no-inode and read-only faults; nil where the tests may
/// not mount (not root, or no mount permission), and the caller falls back to the seam.
final class ScratchVolume {
    let url: URL
    var path: String { url.path }

    init?(size: String, inodes: Int? = nil, readOnly: Bool = false) {
        guard geteuid() == 0 else { return nil }
        url = tempDir("vol")
        var opts = "size=\(size)"
        if let inodes { opts += ",nr_inodes=\(inodes)" }
        if readOnly { opts += ",ro" }
        guard ScratchVolume.sh(["mount", "-t", "tmpfs", "-o", opts, "tmpfs", url.path]) else {
            try? FileManager.default.removeItem(at: url)
            return nil
        }
    }

    func remount(readOnly: Bool) -> Bool {
        ScratchVolume.sh(["mount", "-o", "remount,\(readOnly ? "ro" : "rw")", url.path])
    }

    deinit {
        _ = ScratchVolume.sh(["umount", "-l", url.path])
        try? FileManager.default.removeItem(at: url)
    }

    static func sh(_ args: [String]) -> Bool {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/" + args[0])
        if !FileManager.default.isExecutableFile(atPath: p.executableURL!.path) {
            p.executableURL = URL(fileURLWithPath: "/usr/bin/" + args[0])
        }
        p.arguments = Array(args.dropFirst())
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        guard (try? p.run()) != nil else { return false }
        p.waitUntilExit()
        return p.terminationStatus == 0
    }
}

/// Every file under a folder (hidden ones too), relative, with its bytes.
func snapshotTree(_ dir: String) -> [String: Data] {
    var out: [String: Data] = [:]
    guard let e = FileManager.default.enumerator(atPath: dir) else { return out }
    for case let rel as String in e {
        var isDir: ObjCBool = false
        let full = (dir as NSString).appendingPathComponent(rel)
        if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
            // Not FileManager.contents(atPath:), which leaks its buffer on an empty file (ASan).
            out[rel] = Data((try? readInput(full, maxBytes: 1 << 30).get()) ?? [])
        }
    }
    return out
}

/// A copy of a fixture folder in a fresh temporary folder.
func fixtureCopy(_ name: String, tag: String) throws -> URL {
    let dir = tempDir(tag).appendingPathComponent(name)
    try FileManager.default.copyItem(at: Repo.root.appendingPathComponent("Fixtures/\(name)"), to: dir)
    try? FileManager.default.removeItem(at: dir.appendingPathComponent("expected"))
    return dir
}

func writeText(_ text: String, _ path: String) throws {
    try text.write(toFile: path, atomically: false, encoding: .utf8)
}

func appendText(_ text: String, _ path: String) throws {
    let h = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    defer { try? h.close() }
    try h.seekToEnd()
    try h.write(contentsOf: Data(text.utf8))
}
