import Foundation
import TenkenSyntax

public struct LoadOptions: Sendable {
    public var limits = JSONLimits()
    public var encoding: TextEncoding = .auto
    /// Largest number of elements accepted in one collection.
    public var maxCollection = 1_000_000
    /// Say (`data.id-folded`, a note per place) where an id is read in a form other than the
    /// text written (`CellText.identifier`: full-width letters, digits, dashes and spaces as
    /// ASCII). `convert` sets it: what it writes is the form read, not the text as typed.
    public var noteFoldedIDs = false
    /// Read an ordinary JSON snapshot straight into its facility (`SnapshotScanner`), falling
    /// back to the tree path for any other; off in tests that compare the two.
    var scanSnapshots = true
    public init() {}
}

/// Opens a regular file for reading, or says why not as a located diagnostic: missing, a
/// directory, a pipe or a device (refused at once, never waited on), unreadable. On success the
/// caller owns (and closes) the descriptor; `size` is from `fstat`.
func openRegularFile(_ path: String) -> Result<(fd: Int32, size: Int), Diagnostic> {
    func failure(
        _ id: DiagnosticID, _ message: String, help: String? = nil
    ) -> Result<(fd: Int32, size: Int), Diagnostic> {
        .failure(Diagnostic(id, .error, message, at: SourceLocation(file: path), help: help))
    }
    let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
    guard fd >= 0 else {
        switch errno {
        case ENOENT, ENOTDIR: return failure(.dataFileNotFound, "no such file")
        case EISDIR: return failure(.dataIsDirectory, "expected a file, found a directory")
        case ENXIO, EOPNOTSUPP:
            return failure(
                .dataNotAFile, "expected a regular file, found a socket or a device that cannot be read",
                help: "save the data to a file and give that file")
        default: return failure(.dataUnreadable, "file cannot be read (\(String(cString: strerror(errno))))")
        }
    }
    var st = stat()
    guard fstat(fd, &st) == 0 else {
        let e = errno
        close(fd)
        return failure(.dataUnreadable, "file cannot be read (\(String(cString: strerror(e))))")
    }
    let refusal: Result<(fd: Int32, size: Int), Diagnostic>?
    switch st.st_mode & S_IFMT {
    case S_IFREG: refusal = nil
    case S_IFDIR: refusal = failure(.dataIsDirectory, "expected a file, found a directory")
    case S_IFIFO:
        refusal = failure(
            .dataNotAFile, "expected a regular file, found a named pipe (FIFO); tenken does not wait on pipes",
            help: "save the data to a file and give that file")
    case S_IFCHR, S_IFBLK:
        refusal = failure(
            .dataNotAFile, "expected a regular file, found a device",
            help: "save the data to a file and give that file")
    default:
        refusal = failure(
            .dataNotAFile, "expected a regular file, found a socket or another special file",
            help: "save the data to a file and give that file")
    }
    if let refusal {
        close(fd)
        return refusal
    }
    // Only a regular file gets here, and `O_NONBLOCK` has no effect on reading one (POSIX: it
    // applies to pipes, FIFOs and devices), so the flag is left as it is: two system calls a
    // file fewer in a batch of thousands.
    return .success((fd, Int(st.st_size)))
}

/// Reads a file's bytes, turning every failure (missing, a directory, unreadable, not a
/// regular file) into a located diagnostic instead of a crash or a hang.
///
/// The file is opened without waiting (`O_NONBLOCK`), so a named pipe with no writer, or a
/// device, is refused at once (`data.not-a-file`) rather than blocking `open()` forever; only
/// regular files are read. Memory peaks at the file's size plus one byte: the buffer is
/// sized from `fstat` once and never regrown unless the file grows while it is read.
/// `binary`: the file is not text (an .xlsx workbook), so it is not refused for looking binary.
public func readInput(_ path: String, maxBytes: Int, binary: Bool = false) -> Result<[UInt8], Diagnostic> {
    // POSIX calls, not FileManager and FileHandle: a batch reads two or more files per
    // facility, and Foundation's way cost about a tenth of the time of a clinic's whole check.
    func failure(_ id: DiagnosticID, _ message: String, help: String? = nil) -> Result<[UInt8], Diagnostic> {
        .failure(Diagnostic(id, .error, message, at: SourceLocation(file: path), help: help))
    }
    let fd: Int32, size: Int
    switch openRegularFile(path) {
    case .success(let f): (fd, size) = f
    case .failure(let d): return .failure(d)
    }
    defer { close(fd) }
    if size > maxBytes {
        return failure(
            .dataTooLarge, "file is \(size) bytes, over the limit of \(maxBytes) bytes",
            help: "raise the limit with --max-input-bytes if the file is genuine")
    }
    if !binary, size > sniffAbove, let refusal = sniffNotText(fd, path: path) { return .failure(refusal) }
    // One byte more than the size, so the end is seen without growing the buffer (and without
    // zero-filling it first).
    var (bytes, failed) = readBytes(fd, count: size + 1, at: nil)
    let count = bytes.count
    if failed == 0, count == size + 1 {
        // The file grew while it was read: go on to its end, up to the limit.
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                failed = errno
                break
            }
            if n == 0 { break }
            if bytes.count + n > maxBytes {
                return failure(.dataTooLarge, "file is over the limit of \(maxBytes) bytes")
            }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }
    if failed != 0 { return failure(.dataUnreadable, "file cannot be read (\(String(cString: strerror(failed))))") }
    return .success(bytes)
}

/// Up to `count` bytes from `fd`: from its current position (`at` nil) or from offset `at`
/// (`pread`, which leaves the position alone and may run on several threads at once). Fewer
/// at the end of the file; `failed` is the `errno` of a failed read (0 when none failed).
/// The buffer is never zero-filled first.
func readBytes(_ fd: Int32, count wanted: Int, at offset: Int?) -> (bytes: [UInt8], failed: Int32) {
    var count = 0
    var failed: Int32 = 0
    let bytes = [UInt8](unsafeUninitializedCapacity: wanted) { buf, initialized in
        // No address only for an empty buffer, when there is nothing to read.
        guard let base = buf.baseAddress else { initialized = 0; return }
        while count < buf.count {
            let n =
                if let offset { pread(fd, base + count, buf.count - count, off_t(offset + count)) } else {
                    read(fd, base + count, buf.count - count)
                }
            if n < 0 {
                if errno == EINTR { continue }
                failed = errno
                break
            }
            if n == 0 { break }
            count += n
        }
        initialized = count
    }
    return (bytes, failed)
}

/// Files larger than this (1 MiB) are sniffed before they are read whole.
let sniffAbove = 1 << 20

/// A large file that is not text (a disk image, a 2 GB file of NULs, a database) is refused
/// from its first 4 KiB, before the rest is read or indexed: a NUL byte there, unless the
/// NULs fall on alternate bytes as in UTF-16 text (which the parsers name). The diagnostic
/// gives the place, never the bytes.
func sniffNotText(_ fd: Int32, path: String) -> Diagnostic? {
    var head = [UInt8](repeating: 0, count: 4096)
    let n = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, 0) }
    guard n > 0, let first = head[0..<n].firstIndex(of: 0) else { return nil }
    var even = 0, odd = 0
    for i in 0..<n where head[i] == 0 { if i % 2 == 0 { even += 1 } else { odd += 1 } }
    let utf16Like = (even == 0 || odd == 0) && (even + odd) * 3 >= n
    if utf16Like { return nil }
    var line = 1, column = 1
    for b in head[0..<first] {
        if b == 10 { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
    }
    return Diagnostic(
        "data.not-text", .error,
        "the file is not text: it holds a NUL byte (0x00) within its first 4 KiB; it was not read further",
        at: SourceLocation(file: path, line: line, column: column),
        help:
            "give the UTF-8 JSON or CSV file itself (a spreadsheet saved as CSV, not a workbook, archive or disk image)"
    )
}

/// Turns JSON trees and CSV tables into typed records following the pack's schema (`schema`), with
/// every problem reported at its JSON pointer or CSV cell.
public struct SnapshotLoader {
    public internal(set) var diagnostics: [Diagnostic] = []
    let options: LoadOptions
    /// For a facility kept as a workbook: how each table is named in messages (`[職員]`, its
    /// sheet), in place of its CSV file name.
    var tableLabels: [String: String] = [:]
    /// Ids read in a folded form so far (`LoadOptions.noteFoldedIDs`).
    var foldedIDs = 0
    /// Snapshots read by `SnapshotScanner` rather than the tree path (for tests).
    var scanned = 0
    /// The pack's schema: the sections, records and tables the inputs are read as.
    public let schema: PackSchema
    public init(options: LoadOptions = LoadOptions(), schema: PackSchema) {
        self.options = options
        self.schema = schema
    }

    /// A table as messages name it: `staff.csv`, or the sheet `[職員]` of a workbook.
    func tableLabel(_ name: String) -> String { tableLabels[name] ?? name + ".csv" }

    public mutating func append(contentsOf ds: [Diagnostic]) { diagnostics += ds }

    // MARK: JSON snapshot

    /// Loads a snapshot file. Returns nil only when nothing usable could be read.
    public mutating func loadSnapshot(path: String) -> Facility? {
        let bytes: [UInt8]
        do { bytes = try readInput(path, maxBytes: options.limits.maxBytes).get() } catch {
            diagnostics.append(error); return nil
        }
        return loadSnapshot(bytes: bytes, path: path)
    }

    /// Loads one snapshot of a JSON Lines file (`JSONLines`): its places are the file's line
    /// and the column in that line, with the JSON pointer inside the snapshot.
    public mutating func loadSnapshot(line: JSONLine) -> Facility? {
        switch JSONLines.read(line, maxBytes: options.limits.maxBytes) {
        case .success(let bytes): return loadSnapshot(bytes: bytes, path: line.file, line: line.line)
        case .failure(let d): diagnostics.append(d); return nil
        }
    }

    /// `line`: the line of `path` that holds the snapshot (JSON Lines), nil for a whole file.
    public mutating func loadSnapshot(bytes: [UInt8], path: String, line: Int? = nil) -> Facility? {
        if options.scanSnapshots,
            let f = SnapshotScanner.read(bytes, path: path, line: line, schema: schema, options: options)
        {
            scanned += 1
            return f
        }
        let (node, diags, lines) = JSONReader.parse(
            bytes, file: path, limits: options.limits, shownKeys: .only(schema.names),
            firstLine: line ?? 1)
        diagnostics += diags
        guard let node else { return nil }
        let src = SourceFile(path: path, kind: .json, lines: lines)
        guard case .object(let members) = node.value else {
            diagnostics.append(
                Diagnostic(
                    "data.type-mismatch", .error,
                    "expected a JSON object at the top of the snapshot, found \(node.value.typeName)",
                    at: src.location(offset: node.offset, path: "")))
            return nil
        }
        var roots = [Value?](filling: nil, count: schema.sections.count)
        var overrides: [ParamOverride] = []
        let version = schema.mechanisms.snapshotVersion
        var sawVersion = false
        var rootKeys = [(key: String, offset: Int)?](filling: nil, count: schema.sections.count)
        var rootPlaces: [(root: Int, offset: Int, path: String?)] = []
        for m in members {
            let ptr = "/" + escapePointerToken(m.key)
            if m.key == "schema_version", let version {
                sawVersion = true
                if case .int(let v) = m.node.value, v == version { continue }
                diagnostics.append(
                    Diagnostic(
                        "data.unknown-schema-version", .error,
                        "unsupported schema_version (found \(ValueShape.of(json: m.node.value)), not "
                            + "\(version)); this tenken reads version \(version)",
                        at: src.location(offset: m.node.offset, path: ptr)))
                continue
            }
            if m.key == "parameters" {
                overrides = loadOverrides(m.node, src: src)
                continue
            }
            if m.key == "$schema" || m.key == "comment" { continue }
            guard let ri = schema.sectionIndex[m.key] ?? schema.section(forKey: m.key) else {
                unknownKey(
                    m.key,
                    candidates: schema.sections.map(\.name) + (version == nil ? [] : ["schema_version"])
                        + ["parameters"], src: src,
                    offset: m.keyOffset, pointer: "")
                continue
            }
            let root = schema.sections[ri]
            if let first = rootKeys[ri] {
                folded(
                    m.key, repeats: first.key, at: m.keyOffset, firstAt: first.offset, field: root.name, src: src,
                    pointer: "")
                continue
            }
            rootKeys[ri] = (m.key, m.keyOffset)
            rootPlaces.append((ri, m.node.offset, ptr))
            switch root.shape {
            case .single:
                if let r = record(m.node, root.record, src: src, pointer: ptr) { roots[ri] = .record(r) }
            case .collection:
                roots[ri] = collection(m.node, root.record, src: src, pointer: ptr)
            }
        }
        if !sawVersion, let version {
            diagnostics.append(
                Diagnostic(
                    "data.missing-schema-version", .error,
                    "snapshot has no `schema_version`; expected `\"schema_version\": \(version)`",
                    at: src.location(offset: node.offset, path: "")))
        }
        return SnapshotLoader.facility(
            roots: roots, places: rootPlaces, overrides: overrides, src: src, path: path, line: line, schema: schema)
    }

    /// A snapshot's facility from its sections (`places`: where each starts, in the order given).
    static func facility(
        roots: [Value?], places: [(root: Int, offset: Int, path: String?)], overrides: [ParamOverride],
        src: SourceFile, path: String, line: Int?, schema: PackSchema
    ) -> Facility {
        var rootLocations = SectionPlaces(count: schema.sections.count)
        for p in places { rootLocations.set(p.root, source: src, offset: p.offset, path: p.path) }
        // Without an id of its own, a facility is named by its file (and line, in JSON Lines);
        // Foundation's lastPathComponent (some 12,000 instructions) only then.
        let id = schema.subjectID(in: roots) ?? (path as NSString).lastPathComponent + (line.map { "-\($0)" } ?? "")
        var facility = Facility(id: id, roots: roots, schema: schema, overrides: overrides, sources: [path])
        facility.rootLocations = rootLocations
        return facility
    }

    /// A key the schema does not know. It is never shown (nor put into the pointer, which
    /// names the object holding it): a key may be a value typed in the wrong place. The line
    /// and column name it, and "did you mean" names the field it is close to. True when the
    /// key is ignored with a warning (not an error): then its value was not read.
    @discardableResult
    mutating func unknownKey(
        _ key: String, candidates: [String], src: SourceFile, offset: Int, pointer: String, schema: RecordSchema? = nil
    ) -> Bool {
        // A key with a control character is refused without echoing it (or its pointer).
        if let refused = CellText.clean(key).refused {
            diagnostics.append(
                Diagnostic(
                    "data.control-character", .error,
                    "a key holds the control character \(CellText.describe(refused)); it is not read",
                    at: src.location(offset: offset, path: nil), help: "remove the key"))
            return false
        }
        if let why = RefusedNames.described(key)
            ?? (key.lowercased() == "name" ? "looks like personal information (`name`)" : nil)
        {
            diagnostics.append(
                Diagnostic(
                    "data.forbidden-field", .error,
                    "a field here \(why); snapshots must not contain it (its name and value are not shown)",
                    at: src.location(offset: offset, path: pointer), help: "remove the field; use pseudonymous ids only"
                ))
            return false
        }
        // A misspelt field whose blank has a meaning would silently take that meaning: refuse
        // a key near one (the same words written another way, `LeftOn`; a near spelling; or
        // sharing its first word, `left_date`).
        let guess =
            schema.flatMap { SnapshotSchema.nearField(key, in: $0)?.name } ?? closestMatch(to: key, in: candidates)
        if let guess, let meaning = schema?.field(guess)?.absent.meaning {
            diagnostics.append(
                Diagnostic(
                    "data.unknown-field", .error,
                    "a field this schema does not know; without `\(guess)` its value would be read as "
                        + "\"\(meaning.en)\"",
                    at: src.location(offset: offset, path: pointer), help: "did you mean `\(guess)`?"))
            return false
        }
        diagnostics.append(
            Diagnostic(
                "data.unknown-field", .warning, "a field this schema does not know is ignored (its name is not shown)",
                at: src.location(offset: offset, path: pointer),
                help: guess.map { "did you mean `\($0)`?" }))
        return true
    }

    mutating func loadOverrides(_ node: JSONNode, src: SourceFile) -> [ParamOverride] {
        guard case .object(let members) = node.value else {
            diagnostics.append(
                Diagnostic(
                    "data.type-mismatch", .error,
                    "expected an object of parameter overrides, found \(node.value.typeName)",
                    at: src.location(offset: node.offset, path: "/parameters")))
            return []
        }
        var out: [ParamOverride] = []
        for m in members {
            let (name, refused) = CellText.clean(m.key)
            let ptr = "/parameters/" + escapePointerToken(refused == nil ? name : "?")
            if let refused {
                diagnostics.append(
                    Diagnostic(
                        "data.control-character", .error,
                        "a parameter name holds the control character \(CellText.describe(refused)); it is not read",
                        at: src.location(offset: m.keyOffset, path: nil)))
                continue
            }
            guard let raw = rawParam(m.node.value, src: src, offset: m.node.offset, pointer: ptr) else {
                diagnostics.append(
                    Diagnostic(
                        "data.type-mismatch", .error,
                        "parameter value must be a number, boolean, string or list, found \(m.node.value.typeName)",
                        at: src.location(offset: m.node.offset, path: ptr)))
                continue
            }
            out.append(
                ParamOverride(
                    name: name, value: raw, location: src.location(offset: m.node.offset, path: ptr), origin: "snapshot"
                ))
        }
        return out
    }

    /// A parameter value as given; strings are read as a person reads them, and one with a
    /// control character is refused (nil, with its error).
    mutating func rawParam(_ v: JSONValue, src: SourceFile, offset: Int, pointer: String) -> ParamOverride.Raw? {
        switch v {
        case .int(let n): return .int(n)
        case .bool(let b): return .bool(b)
        case .string(let raw):
            let (s, refused) = CellText.clean(raw)
            if let refused {
                diagnostics.append(
                    Diagnostic(
                        "data.control-character", .error,
                        "the value holds the control character \(CellText.describe(refused))",
                        at: src.location(offset: offset, path: pointer)))
                return .string("")
            }
            return .string(s)
        case .array(let xs):
            var out: [ParamOverride.Raw] = []
            for x in xs {
                guard let r = rawParam(x.value, src: src, offset: x.offset, pointer: pointer) else { return nil };
                out.append(r)
            }
            return .list(out)
        default: return nil
        }
    }

    mutating func collection(_ node: JSONNode, _ schema: RecordSchema, src: SourceFile, pointer: String) -> Value? {
        guard case .array(let items) = node.value else {
            diagnostics.append(
                Diagnostic(
                    "data.type-mismatch", .error,
                    "expected an array of \(schema.name) objects, found \(node.value.typeName)",
                    at: src.location(offset: node.offset, path: pointer)))
            return nil
        }
        if items.count > options.maxCollection {
            diagnostics.append(
                Diagnostic(
                    "data.too-many-elements", .error,
                    "\(items.count) elements, over the limit of \(options.maxCollection)",
                    at: src.location(offset: node.offset, path: pointer)))
            return nil
        }
        var out: [Value] = []
        out.reserveCapacity(items.count)
        for (k, item) in items.enumerated() {
            if let r = record(item, schema, src: src, pointer: pointer + "/" + String(k)) { out.append(.record(r)) }
        }
        return .list(out)
    }

    mutating func record(_ node: JSONNode, _ schema: RecordSchema, src: SourceFile, pointer: String) -> Record? {
        guard case .object(let members) = node.value else {
            diagnostics.append(
                Diagnostic(
                    "data.type-mismatch", .error, "expected a \(schema.name) object, found \(node.value.typeName)",
                    at: src.location(offset: node.offset, path: pointer)))
            return nil
        }
        var values = [Value](filling: .null, count: schema.fields.count)
        var offsets = [Int32](filling: -1, count: schema.fields.count)
        let fields = schema.fields
        var guess = 0
        var ignored: [(member: JSONMember, diagnostic: Int)] = []
        for m in members {
            // Keys usually come in schema order: check the expected field before hashing.
            guard let fi = schema.fieldIndex(forKey: m.key, from: guess) else {
                if unknownKey(
                    m.key, candidates: schema.fields.map(\.name), src: src, offset: m.keyOffset,
                    pointer: pointer, schema: schema)
                {
                    ignored.append((m, diagnostics.count - 1))
                }
                continue
            }
            guess = fi + 1
            // One field given twice under two spellings (`encryption` and `Encryption`,
            // `left_on` and `退職日`): as a table's two columns for one field, refused, and the
            // field reads as unknown, never as whichever key came last.
            // A field's value offset is set once its first key is read (no dictionary of keys
            // seen: this runs for every field of every element).
            if offsets[fi] >= 0 {
                let first = members.first { $0.node.offset == Int(offsets[fi]) } ?? m
                folded(
                    m.key, repeats: first.key, at: m.keyOffset, firstAt: first.keyOffset, field: schema.fields[fi].name,
                    src: src, pointer: pointer)
                values[fi] = .unknown
                continue
            }
            // The pointer is only spelled out if a diagnostic needs it.
            values[fi] = convert(
                m.node, schema.fields[fi].type, src: src, pointer: { pointer + "/" + m.key },
                identifier: schema.fields[fi].identifier)
            if let zero = schema.fields[fi].zeroProblem(
                values[fi], at: src.location(offset: m.node.offset, path: pointer + "/" + m.key))
            {
                diagnostics.append(zero)
                values[fi] = .null
            }
            offsets[fi] = Int32(clamping: m.node.offset)
        }
        // A key not read may be a field written another way (`retired_on`, `end_date` for
        // `left_on`): a field of the element left out whose blank has a meaning, and whose type
        // the ignored value could have, then reads as unknown, as a table's missing column
        // does. Its blank's meaning ("still employed") would otherwise decide on a value that
        // was given but not seen.
        for (m, di) in ignored {
            var doubted: [String] = []
            for (fi, f) in fields.enumerated()
            where offsets[fi] < 0 && values[fi].isNull && f.absent.meaning != nil
                && SnapshotLoader.mayHold(m.node, f.type)
            {
                values[fi] = .unknown
                doubted.append(f.name)
            }
            if !doubted.isEmpty, diagnostics.indices.contains(di) {
                diagnostics[di].message +=
                    "; it may hold \(doubted.map { "`\($0)`" }.joined(separator: ", ")), so "
                    + "\(doubted.count == 1 ? "that field reads" : "those fields read") as unknown here, not as a "
                    + "blank"
                diagnostics[di].help = diagnostics[di].help ?? "rename the key to the field it holds, or remove it"
            }
        }
        return Record.make(
            schema: schema, values: values, origin: LazyLocation(source: src, offset: node.offset, path: pointer),
            offsets: offsets)
    }

    /// `data.duplicate-key` for a key that folds to the same field as an earlier key of the
    /// object (case, width, a Japanese header, spaces): both places are named, with the field
    /// they both mean; neither value is shown. Both keys name a schema field, so they are shown.
    mutating func folded(
        _ key: String, repeats first: String, at offset: Int, firstAt: Int, field: String, src: SourceFile,
        pointer: String
    ) {
        let here = src.location(offset: offset, path: pointer + "/" + escapePointerToken(key))
        let there = src.location(offset: firstAt, path: pointer + "/" + escapePointerToken(first))
        diagnostics.append(
            Diagnostic(
                "data.duplicate-key", .error,
                "`\(key)` repeats `\(first)` (line \(there.line), column \(there.column)): both mean `\(field)`, so "
                    + "the field is given twice and neither value is read",
                at: here, help: "keep one of the two keys"))
    }

    mutating func mismatch(_ expected: String, _ node: JSONNode, src: SourceFile, pointer: () -> String) -> Value {
        diagnostics.append(
            Diagnostic(
                "data.type-mismatch", .error, "expected \(expected), found \(node.value.typeName)",
                at: src.location(offset: node.offset, path: pointer())))
        return .null
    }

    /// A JSON string as a person reads it (`CellText`); nil, with an error, when it holds a
    /// control character.
    mutating func text(_ s: String, _ node: JSONNode, src: SourceFile, pointer: () -> String) -> String? {
        let (t, refused) = CellText.clean(s)
        guard let refused else { return t }
        diagnostics.append(
            Diagnostic(
                "data.control-character", .error,
                "the string holds the control character \(CellText.describe(refused)); a value is one line of "
                    + "visible text",
                at: src.location(offset: node.offset, path: pointer())))
        return nil
    }

    /// Whether an ignored key's value could be a value of a field of `type`: a yes/no for a
    /// yes/no field, a number for a count or a period, text with a digit for a date or a period,
    /// any text for a text or a choice, a list for a list, an object for a record.
    static func mayHold(_ node: JSONNode, _ type: FieldType) -> Bool {
        switch (node.value, type) {
        case (.bool, .bool): true
        case (.int, .int), (.int, .duration), (.number, .int), (.number, .duration): true
        case (.string(let s), .date), (.string(let s), .duration):
            s.unicodeScalars.contains { $0.properties.numericType != nil }
        case (.string, .string), (.string, .enumeration): true
        case (.array, .list): true
        case (.object, .record): true
        default: false
        }
    }

    /// An id as a person reads it (`CellText.identifier`); nil, with an error naming the
    /// character, when it holds one that shows as nothing (`CellText.invisible`).
    mutating func identifierText(_ s: String, at place: @autoclosure () -> SourceLocation) -> String? {
        if let u = CellText.invisible(in: s) {
            diagnostics.append(
                Diagnostic(
                    "data.control-character", .error,
                    "the id holds the invisible character \(CellText.describe(u)); it would not match the id it "
                        + "looks like",
                    at: place(), help: "retype the id with letters, digits and dashes only"))
            return nil
        }
        let id = CellText.identifier(s)
        if options.noteFoldedIDs, id != s {
            foldedIDs += 1
            // Listed by place up to a limit, so a facility typed with the IME on gets a list, not a flood.
            if foldedIDs <= SnapshotLoader.foldedIDsListed {
                diagnostics.append(
                    Diagnostic(
                        "data.id-folded", .note,
                        "the id is read, and written, in its folded form: full-width letters, digits and spaces as "
                            + "ASCII, dashes as `-` (as tenken matches ids)"
                            + (foldedIDs == SnapshotLoader.foldedIDsListed
                                ? "; further ids folded the same way are not listed" : ""),
                        at: place()))
            }
        }
        return id
    }

    /// How many `data.id-folded` notes a load lists.
    static let foldedIDsListed = 20

    /// `identifier`: the field holds an id, read with `CellText.identifier`.
    mutating func convert(
        _ node: JSONNode, _ type: FieldType, src: SourceFile, pointer: () -> String, identifier: Bool = false
    ) -> Value {
        if case .null = node.value { return .null }
        if case .string(let raw) = node.value {
            guard let s = text(raw, node, src: src, pointer: pointer) else { return .null }
            // An empty (or all-space) string is a blank, as an empty cell is in a table.
            if s.isEmpty { return .null }
            if identifier {
                guard let id = identifierText(s, at: src.location(offset: node.offset, path: pointer())) else {
                    return .null
                }
                return convertString(id, node, type, src: src, pointer: pointer)
            }
            return convertString(s, node, type, src: src, pointer: pointer)
        }
        switch type {
        case .int:
            if case .int(let n) = node.value { return .int(n) }
            if case .number(let s) = node.value {
                diagnostics.append(
                    Diagnostic(
                        "data.number-out-of-range", .error,
                        "expected a whole number in 64-bit range, found \(ValueShape.of(json: .number(s)))",
                        at: src.location(offset: node.offset, path: pointer())))
                return .null
            }
            return mismatch("an integer", node, src: src, pointer: pointer)
        case .bool:
            if case .bool(let b) = node.value { return .bool(b) }
            return mismatch("true or false", node, src: src, pointer: pointer)
        case .string:
            return mismatch("a string", node, src: src, pointer: pointer)
        case .date:
            return mismatch("a date string YYYY-MM-DD", node, src: src, pointer: pointer)
        case .duration(let unit):
            switch node.value {
            case .int(let n):
                if n < 0 {
                    diagnostics.append(
                        Diagnostic(
                            "data.negative-duration", .error,
                            "expected a period of zero or more \(unit.rawValue), found a negative number",
                            at: src.location(offset: node.offset, path: pointer())));
                    return .null
                }
                guard let d = Duration(n, unit) else {
                    diagnostics.append(
                        Diagnostic(
                            "data.number-out-of-range", .error, "the period is longer than 10,000 years",
                            at: src.location(offset: node.offset, path: pointer())))
                    return .null
                }
                return .duration(d)
            default:
                return mismatch(
                    "a number of \(unit.rawValue) or a period like \"30 minutes\"", node, src: src, pointer: pointer)
            }
        case .enumeration:
            return mismatch("a string", node, src: src, pointer: pointer)
        case .list(let inner):
            guard case .array(let items) = node.value else {
                return mismatch("an array", node, src: src, pointer: pointer)
            }
            if items.count > options.maxCollection {
                diagnostics.append(
                    Diagnostic(
                        "data.too-many-elements", .error,
                        "\(items.count) elements, over the limit of \(options.maxCollection)",
                        at: src.location(offset: node.offset, path: pointer())))
                return .null
            }
            var out: [Value] = []
            out.reserveCapacity(items.count)
            for (k, item) in items.enumerated() {
                // A list is what it lists: a `null` element would silently shorten it.
                if case .null = item.value {
                    diagnostics.append(
                        Diagnostic(
                            "data.null-element", .error, "a list element is null; leave it out, or give the value",
                            at: src.location(offset: item.offset, path: pointer() + "/" + String(k))))
                    continue
                }
                // So would an empty (or all-space) string, which is a blank everywhere else.
                if case .string(let raw) = item.value, CellText.clean(raw).text.isEmpty {
                    diagnostics.append(
                        Diagnostic(
                            "data.blank-element", .error,
                            "a list element is an empty string; leave it out, or give the value",
                            at: src.location(offset: item.offset, path: pointer() + "/" + String(k))))
                    continue
                }
                let v = convert(item, inner, src: src, pointer: { pointer() + "/" + String(k) }, identifier: identifier)
                if !v.isNull { out.append(v) }
            }
            return .list(out)
        case .record(let rs):
            return record(node, rs, src: src, pointer: pointer()).map { .record($0) } ?? .null
        }
    }

    /// A JSON string (already cleaned) as a value of the field's type.
    mutating func convertString(
        _ s: String, _ node: JSONNode, _ type: FieldType, src: SourceFile, pointer: () -> String
    ) -> Value {
        switch type {
        case .string:
            return .string(s)
        case .date:
            return parseDate(s, at: src.location(offset: node.offset, path: pointer()), lenient: false).map(Value.date)
                ?? .null
        case .duration(let unit):
            if let d = Duration(text: s) {
                if d.isNegative {
                    diagnostics.append(
                        Diagnostic(
                            "data.negative-duration", .error,
                            "expected a period of zero or more, found a negative period",
                            at: src.location(offset: node.offset, path: pointer())));
                    return .null
                }
                return .duration(d)
            }
            diagnostics.append(
                Diagnostic(
                    "data.bad-duration", .error,
                    "expected a period like \"30 minutes\" or a number of \(unit.rawValue), found \(ValueShape.of(s))",
                    at: src.location(offset: node.offset, path: pointer())))
            return .null
        case .enumeration(let allowed):
            if allowed.contains(s) { return .string(s) }
            diagnostics.append(
                Diagnostic(
                    "data.bad-value", .error,
                    "expected one of \(allowed.map { "\"\($0)\"" }.joined(separator: ", ")), found \(ValueShape.of(s))",
                    at: src.location(offset: node.offset, path: pointer()),
                    help: closestMatch(to: s, in: allowed).map { "did you mean \"\($0)\"?" }))
            return .null
        case .int: return mismatch("an integer", node, src: src, pointer: pointer)
        case .bool: return mismatch("true or false", node, src: src, pointer: pointer)
        case .list: return mismatch("an array", node, src: src, pointer: pointer)
        case .record(let rs): return mismatch("a \(rs.name) object", node, src: src, pointer: pointer)
        }
    }

    /// Strict `YYYY-MM-DD`; CSV cells (lenient) also take Excel's `YYYY/M/D`.
    mutating func parseDate(_ s: String, at loc: @autoclosure () -> SourceLocation, lenient: Bool) -> Day? {
        if let d = Day(iso: s) { return d }
        if lenient {
            let parts = s.split(separator: "/", omittingEmptySubsequences: false)
            if parts.count == 3, parts[0].count == 4, let y = Int(parts[0]), let m = Int(parts[1]),
                let d = Int(parts[2]),
                let day = Day(year: y, month: m, day: d)
            {
                return day
            }
        }
        var help: String?
        if s.count > 10, Day(iso: String(s.prefix(10))) != nil {
            help = "dates carry no time or time zone; keep only the date (the first 10 characters)"
        }
        // Excel writes a date-and-time cell as `2025/4/1 0:00`: the fix is to format the column as a date.
        if lenient, let space = s.firstIndex(of: " "), s[..<space].split(separator: "/").count == 3 {
            help = "dates carry no time; format the column as a date, or keep only the date before the space"
        }
        // A cell says both forms it takes (`2026-06-30`, and Excel's `2026/6/30`).
        let forms = lenient ? "YYYY-MM-DD or YYYY/M/D (2026-06-30 or 2026/6/30)" : "YYYY-MM-DD"
        diagnostics.append(
            Diagnostic(
                "data.bad-date", .error, "expected a calendar date \(forms), found \(ValueShape.of(s))", at: loc(),
                help: help))
        return nil
    }
}
