import Foundation
import TenkenSyntax

/// One snapshot of a JSON Lines file: the file, the line that holds it (1-based), and where
/// that line's bytes are (without its line feed).
public struct JSONLine: Sendable, Equatable {
    public let file: String
    public let line: Int
    /// Byte offset of the line's first byte in the file.
    public let offset: Int
    /// The line's length in bytes, without the line feed (a carriage return before it is kept:
    /// JSON reads it as white space).
    public let length: Int
    /// The file as `scan` opened it, kept open for the lines to be read from (`pread`, on any
    /// thread) rather than opened, checked and closed again for every line: nil for a line made
    /// by hand, which is read by its file's name.
    let opened: OpenedFile?

    public init(file: String, line: Int, offset: Int, length: Int) {
        self.init(file: file, line: line, offset: offset, length: length, opened: nil)
    }

    init(file: String, line: Int, offset: Int, length: Int, opened: OpenedFile?) {
        self.file = file
        self.line = line
        self.offset = offset
        self.length = length
        self.opened = opened
    }

    /// `file:line`, as the line is named in a batch's aggregate and messages.
    public var name: String { "\(file):\(line)" }

    public static func == (a: JSONLine, b: JSONLine) -> Bool {
        a.file == b.file && a.line == b.line && a.offset == b.offset && a.length == b.length
    }
}

/// A file descriptor open for reading, closed when the last line that reads from it is gone.
final class OpenedFile: Sendable {
    let fd: Int32
    init(_ fd: Int32) { self.fd = fd }
    deinit { close(fd) }
}

/// Snapshots kept one per line in one file (JSON Lines, `https://jsonlines.org`): an auditor
/// collects the members' snapshots into one file. The file is scanned once for its lines
/// (read 1 MiB at a time, so memory stays flat however large the file or a line), and each
/// snapshot is read on its own when it is loaded (`SnapshotLoader.loadSnapshot(line:)`), so
/// a bad line is that facility's error and the other lines are still checked.
///
/// Lines end with LF (a CR before it is white space to JSON); blank lines (spaces, tabs, CR
/// only) are skipped; a UTF-8 byte order mark at the start of the file is skipped.
public enum JSONLines {
    /// File names that are JSON Lines by their extension.
    public static let extensions = ["jsonl", "ndjson"]

    /// Whether a batch input file is JSON Lines rather than a list of paths: named `*.jsonl`
    /// or `*.ndjson`, or its first byte other than white space (and a BOM) is `{`, which no
    /// path starts with.
    public static func isJSONLines(_ path: String) -> Bool {
        if extensions.contains(FilePath.fileExtension(path)) { return true }
        guard case .success(let (fd, _)) = openRegularFile(path) else { return false }
        defer { close(fd) }
        var head = [UInt8](repeating: 0, count: 4096)
        let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
        guard n > 0 else { return false }
        return firstByte(head[..<n]) == UInt8(ascii: "{")
    }

    /// The first byte of `b` other than a UTF-8 byte order mark at its start and white space
    /// (space, tab, CR, LF); nil when there is none.
    static func firstByte(_ b: ArraySlice<UInt8>) -> UInt8? {
        var i = b.starts(with: [0xEF, 0xBB, 0xBF]) ? b.startIndex + 3 : b.startIndex
        while i < b.endIndex, isBlank(b[i]) || b[i] == 10 { i += 1 }
        return i < b.endIndex ? b[i] : nil
    }

    static func isBlank(_ b: UInt8) -> Bool { b == 32 || b == 9 || b == 13 }

    /// The snapshots of a JSON Lines file, one per non-blank line, in file order. Fails (with
    /// the file named) when the file cannot be read, or holds more than `maxLines` snapshots.
    public static func scan(_ path: String, maxLines: Int) -> Result<[JSONLine], Diagnostic> {
        let fd: Int32
        switch openRegularFile(path) {
        case .success(let f): fd = f.fd
        case .failure(let d): return .failure(d)
        }
        let opened = OpenedFile(fd)
        var lines: [JSONLine] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        var chunkStart = 0  // file offset of chunk[0]
        var lineNumber = 1
        var lineStart = 0  // file offset of the current line's first byte
        var content = false  // the current line has a byte other than white space
        var failure: Diagnostic?
        func endLine(at end: Int) {
            if content, failure == nil {
                if lines.count >= maxLines {
                    failure = Diagnostic(
                        "data.too-many-elements", .error, "more than \(maxLines) snapshots in the file, over the limit",
                        at: SourceLocation(file: path, line: lineNumber))
                } else {
                    lines.append(
                        JSONLine(
                            file: path, line: lineNumber, offset: lineStart, length: end - lineStart, opened: opened))
                }
            }
            lineNumber += 1
            lineStart = end + 1
            content = false
        }
        while failure == nil {
            let n = chunk.withUnsafeMutableBytes { buf -> Int in
                while true {
                    let r = Glibc.read(fd, buf.baseAddress, buf.count)
                    if r < 0, errno == EINTR { continue }
                    return r
                }
            }
            if n < 0 {
                return .failure(
                    Diagnostic(
                        "data.unreadable", .error, "file cannot be read (\(String(cString: strerror(errno))))",
                        at: SourceLocation(file: path, line: lineNumber)))
            }
            if n == 0 { break }
            chunk.withUnsafeBufferPointer { buf in
                // The chunk is never empty, so it has an address.
                guard let base = buf.baseAddress else { return }
                var i = 0
                if chunkStart == 0, n >= 3, buf[0] == 0xEF, buf[1] == 0xBB, buf[2] == 0xBF {
                    i = 3
                    lineStart = 3
                }
                while i < n {
                    if !content {
                        // Most lines start with `{`: white space is looked at byte by byte only
                        // until the line's first other byte.
                        let b = buf[i]
                        if b == 10 {
                            endLine(at: chunkStart + i)
                            i += 1
                            continue
                        }
                        if isBlank(b) {
                            i += 1
                            continue
                        }
                        content = true
                    }
                    guard let hit = memchr(base + i, 10, n - i) else {
                        i = n
                        break
                    }
                    let at = UnsafeRawPointer(hit) - UnsafeRawPointer(base)
                    endLine(at: chunkStart + at)
                    i = at + 1
                }
            }
            chunkStart += n
        }
        if let failure { return .failure(failure) }
        // The last line needs no line feed.
        endLine(at: chunkStart)
        if let failure { return .failure(failure) }
        return .success(lines)
    }

    /// The bytes of one snapshot line. A line longer than `maxBytes` is refused as a file that
    /// size is (`data.too-large`), without being read; a file changed since it was scanned is
    /// `data.unreadable`.
    public static func read(_ line: JSONLine, maxBytes: Int) -> Result<[UInt8], Diagnostic> {
        let here = SourceLocation(file: line.file, line: line.line, column: 1)
        if line.length > maxBytes {
            return .failure(
                Diagnostic(
                    "data.too-large", .error,
                    "line \(line.line) is \(line.length) bytes, over the limit of \(maxBytes) bytes for one snapshot",
                    at: here, help: "raise the limit with --max-input-bytes if the snapshot is genuine"))
        }
        let fd: Int32
        if let opened = line.opened {
            fd = opened.fd
        } else {
            switch openRegularFile(line.file) {
            case .success(let f): fd = f.fd
            case .failure(let d): return .failure(d)
            }
        }
        defer { if line.opened == nil { close(fd) } }
        let (bytes, failed) = readBytes(fd, count: line.length, at: line.offset)
        if failed != 0 {
            return .failure(
                Diagnostic(
                    "data.unreadable", .error, "file cannot be read (\(String(cString: strerror(failed))))", at: here))
        }
        if bytes.count < line.length {
            return .failure(
                Diagnostic(
                    "data.unreadable", .error,
                    "the file is shorter than when it was scanned; line \(line.line) ends early", at: here,
                    help: "run the batch again once the file is complete"))
        }
        return .success(bytes)
    }
}
