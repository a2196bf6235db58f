import Foundation
import TenkenAudit
import Testing

@testable import TenkenAudit
@testable import TenkenCLI
@testable import TenkenReport

/// Where reports go: never over an input, through links to their target, onto devices and
/// pipes directly, keeping the target's mode, and saying exactly why a write failed.
@Suite struct OutputSafetyTests {
    static let asOf = ["--as-of", "2026-11-01"]

    /// A scratch folder with the sakura snapshot and inventory.
    func scratch(_ tag: String) throws -> URL {
        let dir = tempDir(tag)
        for f in ["snapshot.json", "devices.csv"] {
            try FileManager.default.copyItem(
                at: Repo.root.appendingPathComponent("Fixtures/clinic-sakura/\(f)"), to: dir.appendingPathComponent(f))
        }
        return dir
    }

    // MARK: an output that is an input

    /// `--output` naming the snapshot or the inventory — by its own name, through a symbolic
    /// link, a hard link or `..` — replaced the facility's data with the report.
    @Test(arguments: ["same", "devices", "symlink", "hardlink", "dotdot", "folder-table"])
    func anOutputThatIsAnInputIsRefused(_ how: String) throws {
        let dir = try scratch("outin")
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = dir.path
        var args = ["check", "--snapshot", d + "/snapshot.json", "--devices", d + "/devices.csv"] + Self.asOf
        var victim = d + "/snapshot.json"
        switch how {
        case "same": args += ["--output", d + "/snapshot.json"]
        case "devices": args += ["--output", d + "/devices.csv", "--format", "csv"]; victim = d + "/devices.csv"
        case "symlink":
            try FileManager.default.createSymbolicLink(atPath: d + "/latest.json", withDestinationPath: "snapshot.json")
            args += ["--output", d + "/latest.json", "--format", "json"]
        case "hardlink":
            #expect(link(d + "/devices.csv", d + "/report.csv") == 0)
            args += ["--output", d + "/report.csv", "--format", "csv"]; victim = d + "/devices.csv"
        case "dotdot":
            try FileManager.default.createDirectory(atPath: d + "/sub", withIntermediateDirectories: true)
            args += ["--output", d + "/sub/../snapshot.json"]
        default:
            // A folder of tables, and --output-dir the same folder with a report named like nothing
            // in it, is fine; naming one of its tables is not.
            let kaede = try fixtureCopy("clinic-kaede", tag: "outin-kaede")
            defer { try? FileManager.default.removeItem(at: kaede.deletingLastPathComponent()) }
            victim = kaede.appendingPathComponent("staff.csv").path
            let before = try Data(contentsOf: URL(fileURLWithPath: victim))
            let r = runCLI(["check", kaede.path, "--output", victim, "--format", "csv"] + Self.asOf)
            #expect(r.code == 2 && r.err.contains("never writes over its own input"), "\(r.err)")
            #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == before)
            let ok = runCLI(["check", kaede.path, "--output-dir", kaede.path, "--format", "csv"] + Self.asOf)
            #expect(ok.code == 1, "\(ok.err)")
            return
        }
        let before = try Data(contentsOf: URL(fileURLWithPath: victim))
        let r = runCLI(args)
        #expect(r.code == 2, "\(how): \(r.err)")
        #expect(r.err.contains("never writes over its own input"), "\(how): \(r.err)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == before, "\(how): the input was changed")
    }

    /// `--output` into the facility folder under a name its scan reads — another spelling of
    /// a table it has, a table it lacks, or a companion of a snapshot — was accepted: the
    /// next `check` refused the folder or read the report as the facility's data.
    @Test(arguments: [
        ("clinic-kaede", "Staff.csv"), ("clinic-kaede", "職員.csv"), ("clinic-kaede", "networks.csv"),
        ("clinic-sakura", "attestations.csv"), ("clinic-kaede", "Snapshot.JSON"),
    ])
    func aReportIsNeverWrittenAsATableOfTheInputFolder(_ fixture: String, _ name: String) throws {
        let dir = try fixtureCopy(fixture, tag: "as-table")
        defer { try? FileManager.default.removeItem(at: dir.deletingLastPathComponent()) }
        let before = snapshotTree(dir.path)
        let r = runCLI(["check", dir.path, "--format", "csv", "--output", dir.path + "/" + name] + Self.asOf)
        #expect(r.code == 2 && r.err.contains("in the input facility folder"), "\(name): \(r.err)")
        #expect(snapshotTree(dir.path) == before, "\(name): the folder is untouched")
        // A report beside the tables under a name the scan does not read is still fine.
        #expect(
            runCLI(["check", dir.path, "--format", "csv", "--output", dir.path + "/report.csv"] + Self.asOf).code != 2)
    }

    // MARK: special files as outputs

    /// As root, `--output /dev/null` renamed a regular file over the device node. A private
    /// null device (made with mknod, never the system's) stays a device and gets the report.
    @Test func aDeviceIsWrittenDirectlyAndStaysADevice() throws {
        guard geteuid() == 0 else { return }  // mknod needs root; the test runs as root here
        let dir = try scratch("devout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let null = dir.appendingPathComponent("null").path
        #expect(mknod(null, S_IFCHR | 0o666, makedev(1, 3)) == 0)
        let r2 = runCLI(
            [
                "check", "--snapshot", dir.path + "/snapshot.json", "--devices", dir.path + "/devices.csv", "--output",
                null,
            ] + Self.asOf)
        #expect(r2.code == 0, "\(r2.err)")
        #expect(r2.err.contains("is a character device; the report was written to it directly, not atomically"))
        var st = stat()
        #expect(stat(null, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR, "still a device")
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == [
                "devices.csv", "null", "snapshot.json",
            ], "no temporary left")
    }

    func makedev(_ major: UInt32, _ minor: UInt32) -> dev_t { dev_t((major << 8) | minor) }

    /// A reader that stops early: a pipe given as `--output` killed the run by SIGPIPE with
    /// no word; standard output piped into `head` must stop quietly, never a crash trace.
    @Test func aReaderThatStopsEarlyIsNamedOrEndsQuietly() throws {
        let dir = try scratch("pipeearly")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let input =
            [
                "--snapshot", dir.path + "/snapshot.json", "--devices", dir.path + "/devices.csv", "--format", "json",
                "--all-findings",
            ] + Self.asOf
        let reader = Thread {
            let fd = open(fifo, O_RDONLY)
            var buf = [UInt8](repeating: 0, count: 100)
            _ = read(fd, &buf, buf.count)
            close(fd)
        }
        reader.start()
        usleep(200_000)
        let r = try runBinary(["check"] + input + ["--output", fifo], timeout: 120)
        #expect(
            r.code == 2 && r.err.contains("cannot write")
                && r.err.contains("the reader closed the pipe before the report was complete"),
            "exit \(r.code): \(r.err)")
        for command in [
            ["check"] + input, ["schema"],
            ["explain", "mdm-remote-wipe", "--snapshot", dir.path + "/snapshot.json"] + Self.asOf,
        ] {
            let sh = Process()
            sh.executableURL = URL(fileURLWithPath: "/bin/bash")
            sh.arguments =
                [
                    "-c", "\"$@\" 2>\"$0\" | head -c 1 >/dev/null; exit ${PIPESTATUS[0]}", dir.path + "/err.txt",
                    tenkenBinary().path,
                ] + command
            try sh.run()
            sh.waitUntilExit()
            let err = (try? String(contentsOfFile: dir.path + "/err.txt", encoding: .utf8)) ?? ""
            #expect(
                [0, 1, 128 + SIGPIPE].contains(sh.terminationStatus), "\(command[0]): exit \(sh.terminationStatus)")
            #expect(err.isEmpty, "\(command[0]): quiet, no trace: \(err.prefix(300))")
        }
    }

    /// An empty `--output ""` (an unset shell variable) is a usage error, not "the folder
    /// does not exist".
    @Test func anEmptyOutputIsAUsageError() {
        let r = runCLI(["check", "Fixtures/clinic-sakura", "--output", ""] + Self.asOf)
        #expect(r.code == 64 && r.err.contains("given an empty one"), "\(r.err)")
    }

    /// `--output /dev/stdout` (or `/dev/fd/1`, `/proc/self/fd/1`) with the standard output
    /// appended to a log: the link was resolved to the log and a new file renamed over it, so
    /// the log's earlier lines, and what the shell wrote after, were lost. The descriptor is
    /// written through instead; another process's descriptor and a closed one are refused.
    @Test(arguments: ["/dev/stdout", "/dev/fd/1", "/proc/self/fd/1", "../../../../../../../../../../dev/stdout"])
    func theProcessOwnDescriptorIsWrittenThrough(_ name: String) throws {
        let dir = try scratch("fdout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let log = dir.appendingPathComponent("log.txt").path
        try writeText("earlier line\n", log)
        var st = stat()
        stat(log, &st)
        let inode = st.st_ino
        let sh = Process()
        sh.executableURL = URL(fileURLWithPath: "/bin/sh")
        sh.arguments = [
            "-c",
            "{ echo before; \"$0\" check --snapshot \"$1\" --devices \"$2\" --as-of 2026-11-01 --format json "
                + "--output \"$3\"; echo after; } >> \"$4\" 2>/dev/null",
            tenkenBinary().path, dir.path + "/snapshot.json", dir.path + "/devices.csv", name, log,
        ]
        try sh.run()
        sh.waitUntilExit()
        let text = try String(contentsOfFile: log, encoding: .utf8)
        #expect(
            text.hasPrefix("earlier line\nbefore\n{") && text.contains("\"as_of\"") && text.hasSuffix("after\n"),
            "\(text.prefix(80)) … \(text.suffix(40))")
        stat(log, &st)
        #expect(st.st_ino == inode, "the same file, not one renamed over it")
        let other = try runBinary(
            [
                "check", "--snapshot", dir.path + "/snapshot.json", "--devices", dir.path + "/devices.csv", "--output",
                "/proc/\(getpid())/fd/1",
            ] + Self.asOf)
        #expect(other.code == 2 && other.err.contains("a descriptor of another process"), "\(other.err)")
        let closed = try runBinary(
            [
                "check", "--snapshot", dir.path + "/snapshot.json", "--devices", dir.path + "/devices.csv", "--output",
                "/dev/fd/97",
            ] + Self.asOf)
        #expect(closed.code == 2 && closed.err.contains("not open"), "\(closed.err)")
    }

    /// A named pipe was replaced by a regular file. Now: with a reader, the report goes down
    /// the pipe; without one, a clear error at once instead of waiting forever.
    @Test func aNamedPipeIsWrittenToItsReaderOrRefusedAtOnce() throws {
        let dir = try scratch("fifoout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let fifo = dir.appendingPathComponent("pipe").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let args =
            [
                "check", "--snapshot", dir.path + "/snapshot.json", "--devices", dir.path + "/devices.csv", "--format",
                "json", "--output", fifo,
            ] + Self.asOf
        let alone = try runBinary(args, timeout: 120)
        #expect(alone.code == 2 && alone.err.contains("no process is reading the named pipe"), "\(alone.err)")
        // A reader: the whole report arrives through the pipe.
        final class Box: @unchecked Sendable { var data = Data() }
        let box = Box()
        let reading = DispatchSemaphore(value: 0)
        let reader = Thread {
            let fd = open(fifo, O_RDONLY)
            var buf = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fd, &buf, buf.count)
                if n <= 0 { break }
                box.data.append(contentsOf: buf[0..<n])
            }
            close(fd)
            reading.signal()
        }
        reader.start()
        usleep(200_000)
        let r = try runBinary(args, timeout: 120)
        #expect(reading.wait(timeout: .now() + 20) == .success)
        #expect(r.code == 0, "\(r.err)")
        #expect((try? JSONSerialization.jsonObject(with: box.data)) != nil, "the pipe carried the whole report")
        var st = stat()
        #expect(stat(fifo, &st) == 0 && (st.st_mode & S_IFMT) == S_IFIFO, "still a pipe")
    }

    /// A symbolic link was replaced by a file; now the report goes to the link's target, the
    /// link stays, and the target keeps its mode (0600 here).
    @Test func aSymbolicLinkIsWrittenThroughAndTheModeIsKept() throws {
        let dir = try scratch("linkout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = dir.path
        try FileManager.default.createDirectory(atPath: d + "/reports", withIntermediateDirectories: true)
        try writeText("old report\n", d + "/reports/2026-11.json")
        #expect(chmod(d + "/reports/2026-11.json", 0o600) == 0)
        try FileManager.default.createSymbolicLink(
            atPath: d + "/latest.json", withDestinationPath: "reports/2026-11.json")
        let r = runCLI(
            [
                "check", "--snapshot", d + "/snapshot.json", "--devices", d + "/devices.csv", "--format", "json",
                "--output", d + "/latest.json",
            ] + Self.asOf)
        #expect(r.code == 0, "\(r.err)")
        #expect(
            try FileManager.default.destinationOfSymbolicLink(atPath: d + "/latest.json") == "reports/2026-11.json",
            "the link stays a link")
        let written = try Data(contentsOf: URL(fileURLWithPath: d + "/reports/2026-11.json"))
        #expect((try? JSONSerialization.jsonObject(with: written)) != nil)
        var st = stat()
        #expect(
            stat(d + "/reports/2026-11.json", &st) == 0 && st.st_mode & 0o777 == 0o600,
            "mode kept: \(String(st.st_mode & 0o777, radix: 8))")
        // A link whose target does not exist yet: the target is created.
        try FileManager.default.createSymbolicLink(
            atPath: d + "/next.json", withDestinationPath: "reports/2026-12.json")
        #expect(
            runCLI(
                [
                    "check", "--snapshot", d + "/snapshot.json", "--devices", d + "/devices.csv", "--format", "json",
                    "--output", d + "/next.json",
                ] + Self.asOf
            ).code == 0)
        #expect(FileManager.default.fileExists(atPath: d + "/reports/2026-12.json"))
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: d + "/next.json") == "reports/2026-12.json")
        // Nothing hidden was left in either folder.
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: d + "/reports").sorted() == [
                "2026-11.json", "2026-12.json",
            ])
    }

    /// A report over a file with another hard link replaces this name only (a report is
    /// published whole, by rename): the other name keeps the old report, and a note says so.
    @Test func aHardLinkedOutputIsReplacedAndSaysSo() throws {
        let dir = try scratch("hardout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let a = dir.path + "/a.txt", b = dir.path + "/b.txt"
        try writeText("old\n", a)
        #expect(link(a, b) == 0)
        let r = runCLI(
            ["check", "--snapshot", dir.path + "/snapshot.json", "--devices", dir.path + "/devices.csv", "--output", a]
                + Self.asOf)
        #expect(
            r.code != 2 && r.err.contains("had 1 other name (hard link)") && r.err.contains("keeps the old content"),
            "\(r.err)")
        #expect(try String(contentsOfFile: b, encoding: .utf8) == "old\n")
        #expect(try String(contentsOfFile: a, encoding: .utf8) != "old\n")
    }

    /// Kept mode on a plain file, too (an atomic rename used to reset it to the umask's).
    @Test func aReplacedFileKeepsItsMode() throws {
        let dir = try scratch("modeout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let out = dir.path + "/report.txt"
        try writeText("old\n", out)
        #expect(chmod(out, 0o640) == 0)
        #expect(
            runCLI(
                [
                    "check", "--snapshot", dir.path + "/snapshot.json", "--devices", dir.path + "/devices.csv",
                    "--output", out,
                ] + Self.asOf
            ).code == 0)
        var st = stat()
        #expect(stat(out, &st) == 0 && st.st_mode & 0o777 == 0o640)
        #expect(try String(contentsOfFile: out, encoding: .utf8).contains("tenken"))
    }

    /// A folder, or a block device, as `--output`: refused, and said why.
    @Test func aFolderOrABlockDeviceIsRefused() throws {
        let dir = try scratch("dirout")
        defer { try? FileManager.default.removeItem(at: dir) }
        let r = runCLI(["check", "--snapshot", dir.path + "/snapshot.json", "--output", dir.path] + Self.asOf)
        #expect(r.code == 2 && r.err.contains("it is a folder"), "\(r.err)")
        let slash = runCLI(
            ["check", "--snapshot", dir.path + "/snapshot.json", "--output", dir.path + "/new/"] + Self.asOf)
        #expect(slash.code == 2 && slash.err.contains("it ends with `/`"), "\(slash.err)")
        #expect(!FileManager.default.fileExists(atPath: dir.path + "/new"))
        guard geteuid() == 0 else { return }
        let blk = dir.appendingPathComponent("disk").path
        #expect(mknod(blk, S_IFBLK | 0o600, makedev(7, 200)) == 0)
        let b = runCLI(["check", "--snapshot", dir.path + "/snapshot.json", "--output", blk] + Self.asOf)
        #expect(b.code == 2 && b.err.contains("block device"), "\(b.err)")
    }

    // MARK: honest errors

    /// A full disk, a file system out of inodes and a read-only volume each say so (they used
    /// to say "permission"), and nothing is left behind. Real tmpfs volumes where the tests may
    /// mount; the fault seam otherwise.
    @Test(arguments: ["full", "inodes", "readonly"])
    func fullDiskNoInodesAndReadOnlySaySo(_ fault: String) throws {
        let src = try scratch("honest")
        defer { try? FileManager.default.removeItem(at: src) }
        let expected: String
        let vol: ScratchVolume?
        switch fault {
        case "full": vol = ScratchVolume(size: "16k"); expected = "the disk is full"
        case "inodes":
            vol = ScratchVolume(size: "1m", inodes: 3)
            if let v = vol {
                for n in ["a", "b"] { FileManager.default.createFile(atPath: v.path + "/" + n, contents: nil) }
            }
            expected = "no free inodes"
        default: vol = ScratchVolume(size: "1m", readOnly: true); expected = "read-only"
        }
        let folder = vol?.path ?? tempDir("honest-seam").path
        if vol == nil {
            WriteFaults.inject(
                .init(folder: folder, errno: fault == "full" ? ENOSPC : EROFS, step: fault == "full" ? .write : .create)
            )
        }
        defer { if vol == nil { WriteFaults.clear(folder: folder) } }
        let before = snapshotTree(folder)
        let r = runCLI(
            [
                "check", "--snapshot", src.path + "/snapshot.json", "--devices", src.path + "/devices.csv", "--format",
                "sarif",
                "--output", folder + "/report.sarif",
            ] + Self.asOf)
        if vol == nil, fault == "inodes" { return }  // the seam cannot empty an inode table
        #expect(r.code == 2)
        #expect(r.err.contains(expected), "\(r.err)")
        #expect(!r.err.contains("permission"))
        #expect(snapshotTree(folder) == before, "nothing left behind")
    }

    /// Several formats into a folder are published together: a failure on the second leaves
    /// the previous reports of all three in place.
    @Test func severalFormatsArePublishedTogetherOrNotAtAll() throws {
        let src = try scratch("together")
        defer { try? FileManager.default.removeItem(at: src) }
        let out = src.path + "/out"
        let args =
            [
                "check", "--snapshot", src.path + "/snapshot.json", "--devices", src.path + "/devices.csv", "--format",
                "json,html,sarif",
                "--output-dir", out,
            ] + Self.asOf
        #expect(runCLI(args + ["--lang", "en"]).code == 0)
        let before = snapshotTree(out)
        WriteFaults.inject(.init(folder: out + "/report.html", errno: ENOSPC, step: .write, afterBytes: 100))
        defer { WriteFaults.clear(folder: out + "/report.html") }
        let r = runCLI(args)
        #expect(r.code == 2 && r.err.contains("the disk is full"), "\(r.err)")
        #expect(snapshotTree(out) == before, "all three reports are still the English ones")
    }

    /// A second run writing into the same folder at the same time is told so.
    @Test func aLockedOutputFolderIsRefused() throws {
        let src = try scratch("lockout")
        defer { try? FileManager.default.removeItem(at: src) }
        let out = src.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        guard case .success(let held) = FileLock.acquire(out + "/.tenken.lock", wait: 0) else {
            Issue.record("cannot lock"); return
        }
        let r = runCLI(
            ["check", "--snapshot", src.path + "/snapshot.json", "--format", "json,csv", "--output-dir", out]
                + Self.asOf)
        #expect(r.code == 2 && r.err.contains("another tenken run (process \(getpid())) is writing to"), "\(r.err)")
        held.release()
        #expect(
            runCLI(
                [
                    "check", "--snapshot", src.path + "/snapshot.json", "--devices", src.path + "/devices.csv",
                    "--format", "json,csv", "--output-dir", out,
                ] + Self.asOf
            ).code == 0)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["report.csv", "report.json"],
            "the lock file goes with the run")
    }

    /// A check killed while writing a large report leaves the old report whole and no
    /// temporary file behind (the report is written unnamed until it is complete).
    @Test func aKilledCheckLeavesNoTemporary() throws {
        let src = try scratch("killcheck")
        defer { try? FileManager.default.removeItem(at: src) }
        var csv = "id,kind,ownership,status\n"
        for i in 0..<4000 { csv += "D-\(i),,,\n" }
        try writeText(csv, src.path + "/blank.csv")
        let out = src.path + "/out"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        try writeText("previous\n", out + "/report.sarif")
        var killed = 0
        for delay in [60_000, 150_000, 300_000, 500_000] as [UInt32] {
            let p = try spawnTenken(
                [
                    "check", "--snapshot", src.path + "/snapshot.json", "--devices", src.path + "/blank.csv",
                    "--format", "sarif",
                    "--output", out + "/report.sarif",
                ] + Self.asOf)
            usleep(delay)
            if p.isRunning { kill(p.processIdentifier, SIGKILL); killed += 1 }
            #expect(waitFor(p))
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: out) == ["report.sarif"],
                "no temporary after a kill at \(delay) µs")
            let text = try String(contentsOfFile: out + "/report.sarif", encoding: .utf8)
            #expect(
                text == "previous\n" || (try? JSONSerialization.jsonObject(with: Data(text.utf8))) != nil,
                "whole, old or new")
        }
        #expect(killed > 0)
    }

    /// Temporaries of a killed run on a file system without unnamed temporary files are
    /// removed by the next run, but a user's own `.x.tmp`, and a live run's, never are.
    @Test func onlyAbandonedTenkenTemporariesAreSwept() throws {
        let dir = tempDir("sweep")
        defer { try? FileManager.default.removeItem(at: dir) }
        let d = dir.path
        let dead = ".report.json.tenken-0123456789abcdef-1.tmp"
        try writeText("partial", d + "/" + dead)
        try writeText("mine", d + "/.notes.tmp")
        try writeText("old style", d + "/.report.json.123.456.tmp")
        let live = ".report.html.tenken-fedcba9876543210-2.tmp"
        try writeText("in progress", d + "/" + live)
        let fd = open(d + "/" + live, O_RDONLY)
        #expect(flock(fd, LOCK_EX) == 0)
        defer { close(fd) }
        #expect(OutputFile.sweepAbandonedTemporaries(in: d) == 1)
        #expect(
            try FileManager.default.contentsOfDirectory(atPath: d).sorted()
                == [".notes.tmp", live, ".report.json.123.456.tmp"].sorted())
    }
}
