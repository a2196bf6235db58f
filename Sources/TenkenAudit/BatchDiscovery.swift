import Foundation
import TenkenData
import TenkenSyntax

/// One facility a batch was asked to evaluate: a folder, a snapshot file, or one line of a
/// JSON Lines file of snapshots (`line`; `input` is then `FILE:LINE`).
public struct BatchEntry: Sendable {
    public var input: String
    public var name: String
    public var line: JSONLine?
    /// Whether `input` is a folder, when it is known already (a folder's scan, the run's check of
    /// its inputs): nil has the batch look.
    public var isFolder: Bool?
    public init(input: String, name: String, line: JSONLine? = nil, isFolder: Bool? = nil) {
        self.input = input
        self.name = name
        self.line = line
        self.isFolder = isFolder
    }
}

public enum BatchDiscovery {
    /// What a batch found: the facilities to evaluate, and the regular files of a folder that
    /// are not one (each named in a warning and counted in the summary, never dropped unsaid).
    public struct Found: Sendable {
        public var entries: [BatchEntry]
        public var ignored: [String] = []
    }

    /// A folder of facility folders (every subfolder counts, so one without a snapshot is
    /// reported rather than skipped), a list file with one folder or snapshot per line, or a
    /// JSON Lines file with one snapshot per line (`JSONLines`).
    public static func entries(
        _ path: String, maxCollection: Int = LoadOptions().maxCollection
    ) -> Result<[BatchEntry], Diagnostic> {
        discover(path, maxCollection: maxCollection).map(\.entries)
    }

    /// As `entries`, with the files of a folder that no facility reads. In a folder, every
    /// subfolder is a facility and so is every `*.json` file beside them (a snapshot, as a
    /// list file may name one), and every workbook (`*.xlsx`; `.xls` and `.ods` too, to be
    /// refused saying how to save them); any other regular file is ignored and listed.
    public static func discover(
        _ path: String, maxCollection: Int = LoadOptions().maxCollection
    ) -> Result<Found, Diagnostic> {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
            return .failure(
                Diagnostic("batch.no-input", .error, "no such folder or list file", at: SourceLocation(file: path)))
        }
        if isDir.boolValue {
            guard let names = try? FileManager.default.contentsOfDirectory(atPath: path) else {
                return .failure(
                    Diagnostic("batch.no-input", .error, "cannot list the folder", at: SourceLocation(file: path)))
            }
            if names.count > maxCollection {
                return .failure(
                    Diagnostic(
                        "data.too-many-elements", .error,
                        "\(names.count) entries in the folder, over the limit of \(maxCollection)",
                        at: SourceLocation(file: path)))
            }
            var found = Found(entries: [])
            for n in names.sorted() where !n.hasPrefix(".") {
                let full = (path as NSString).appendingPathComponent(n)
                var sub: ObjCBool = false
                guard FileManager.default.fileExists(atPath: full, isDirectory: &sub) else { continue }
                // A workbook is a facility too; Excel's owner file of an open one (`~$clinic.xlsx`) is not.
                if sub.boolValue || n.lowercased().hasSuffix(".json")
                    || (FacilityInput.isWorkbook(n) && !n.hasPrefix("~$"))
                {
                    found.entries.append(BatchEntry(input: full, name: n, isFolder: sub.boolValue))
                } else {
                    found.ignored.append(full)
                }
            }
            return .success(found)
        }
        if JSONLines.isJSONLines(path) {
            // The file's name once, not per line (Foundation's lastPathComponent is ~12,000 instructions).
            let file = (path as NSString).lastPathComponent
            return JSONLines.scan(path, maxLines: maxCollection).map { lines in
                Found(entries: lines.map { BatchEntry(input: $0.name, name: "\(file):\($0.line)", line: $0) })
            }
        }
        let bytes: [UInt8]
        switch readInput(path, maxBytes: 256 << 20) {
        case .success(let b): bytes = b
        case .failure(let d): return .failure(d)
        }
        let base = FilePath.parent(path)
        var out: [BatchEntry] = []
        // Decoded as every other text input: a BOM stripped, Shift_JIS from Japanese Windows read.
        let (decoded, decodeDiags) = CSVReader.decode(bytes, encoding: .auto, file: path)
        guard let decoded else {
            return .failure(
                decodeDiags.first
                    ?? Diagnostic("batch.no-input", .error, "cannot read the list", at: SourceLocation(file: path)))
        }
        /// One trimmed line; false once over the limit.
        func take(_ line: String) -> Bool {
            if line.isEmpty || line.hasPrefix("#") { return true }
            let full = line.hasPrefix("/") ? line : (base as NSString).appendingPathComponent(line)
            out.append(BatchEntry(input: full, name: line))
            return out.count <= maxCollection
        }
        var within = true
        if decoded.allSatisfy({ $0 < 0x80 }) {
            // A list in ASCII (the usual one) is split and trimmed as bytes: splitting a String
            // at `isNewline` Characters and trimming its scalars cost some 40,000 instructions a
            // line, all of it before any worker starts. The bytes split where the Characters do
            // (LF, VT, FF, CR; a CR LF pair leaves an empty line between, skipped as every empty
            // line is) and the ASCII spaces `CellText.isSpace` trims are tab and space.
            var i = 0
            let n = decoded.count
            while i < n && within {
                var end = i
                while end < n && !(0x0A...0x0D).contains(decoded[end]) { end += 1 }
                var a = i, b = end
                while a < b && (decoded[a] == 0x20 || decoded[a] == 0x09) { a += 1 }
                while b > a && (decoded[b - 1] == 0x20 || decoded[b - 1] == 0x09) { b -= 1 }
                if a < b { within = take(String(decoding: decoded[a..<b], as: UTF8.self)) }
                i = end + 1
            }
        } else {
            for raw in String(decoding: decoded, as: UTF8.self).split(whereSeparator: \.isNewline) where within {
                within = take(CellText.trimmed(raw))
            }
        }
        guard within else {
            return .failure(
                Diagnostic(
                    "data.too-many-elements", .error,
                    "more than \(maxCollection) facilities listed, over the limit", at: SourceLocation(file: path)))
        }
        return .success(Found(entries: out))
    }

    /// Deterministic share of the work for `--shard i/n`, stable as facilities are added.
    public static func inShard(_ e: BatchEntry, _ shard: (index: Int, count: Int)?) -> Bool {
        guard let shard else { return true }
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for b in e.name.utf8 { h ^= UInt64(b); h = h &* 0x0000_0100_0000_01b3 }
        return Int(h % UInt64(shard.count)) == shard.index - 1
    }

    /// A facility id usable as a folder name: letters, digits, `.`, `_`, `-`; never `..`.
    public static func safeName(_ id: String) -> Bool {
        // One pass over the bytes: a scalar outside the set is either an ASCII byte outside it
        // or bytes that are not ASCII, so refusing bytes refuses the same ids as refusing
        // scalars. (`contains("..")` is Foundation's substring search, some 4,000 instructions;
        // zipping the bytes and then reading the scalars took some 5,000, for every facility.)
        let dot = UInt8(ascii: ".")
        var count = 0
        var previous: UInt8 = 0
        for b in id.utf8 {
            count += 1
            switch b {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"):
                break
            case dot where count > 1 && previous != dot: break
            default: return false
            }
            previous = b
        }
        return count > 0 && count <= 128
    }
}
