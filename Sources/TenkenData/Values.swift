import TenkenSyntax

/// A calendar date, as days since 1970-01-01 (proleptic Gregorian). No time, no zone:
/// the source's periods are whole days, and a report must not depend on where it ran.
public struct Day: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var rawValue: Int
    public init(rawValue: Int) { self.rawValue = rawValue }

    /// Validates the calendar: 2023-02-30 is rejected, not rolled over.
    public init?(year: Int, month: Int, day: Int) {
        guard (1...9999).contains(year), (1...12).contains(month), day >= 1,
            day <= Day.daysInMonth(year: year, month: month)
        else { return nil }
        rawValue = Day.daysFromCivil(year, month, day)
    }

    /// Parses exactly `YYYY-MM-DD` (without copying the string: this runs for every date).
    public init?(iso s: String) {
        guard s.utf8.count == 10 else { return nil }
        if let parsed = s.utf8.withContiguousStorageIfAvailable({ Day(isoBytes: $0) }) {
            guard let parsed else { return nil }
            self = parsed
            return
        }
        var copy = s
        copy.makeContiguousUTF8()
        guard let v = Day(iso: copy) else { return nil }
        self = v
    }

    /// Exactly `YYYY-MM-DD` as UTF-8 bytes (the snapshot scanner reads dates from the file's).
    init?(isoBytes u: UnsafeBufferPointer<UInt8>) {
        guard u.count == 10, u[4] == 45, u[7] == 45 else { return nil }
        func num(_ r: Range<Int>) -> Int? {
            var n = 0
            for i in r {
                guard (48...57).contains(u[i]) else { return nil }
                n = n * 10 + Int(u[i] - 48)
            }
            return n
        }
        guard let y = num(0..<4), let m = num(5..<7), let d = num(8..<10) else { return nil }
        self.init(year: y, month: m, day: d)
    }

    public static func < (a: Day, b: Day) -> Bool { a.rawValue < b.rawValue }

    public static func isLeap(_ y: Int) -> Bool { (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 }
    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int { CivilCalendar.days(year: y, month: m, day: d) }

    public var civil: (year: Int, month: Int, day: Int) { CivilCalendar.date(days: rawValue) }

    /// Calendar months: 2024-01-31 plus one month is 2024-02-29 (clamped to the month's end).
    public func addingMonths(_ n: Int) -> Day {
        let c = civil
        let total = c.year * 12 + (c.month - 1) + n
        let y = total / 12, m = total % 12 + 1
        let d = min(c.day, Day.daysInMonth(year: y, month: m))
        return Day(rawValue: Day.daysFromCivil(y, m, d))
    }

    public func adding(_ d: Duration) -> Day {
        Day(rawValue: addingMonths(d.months).rawValue + d.minutes / 1440)
    }

    public func subtracting(_ d: Duration) -> Day {
        Day(rawValue: addingMonths(-d.months).rawValue - d.minutes / 1440)
    }

    public var description: String {
        let c = civil
        func pad(_ n: Int, _ w: Int) -> String {
            let s = String(n); return String(repeating: "0", count: max(0, w - s.count)) + s
        }
        return "\(pad(c.year, 4))-\(pad(c.month, 2))-\(pad(c.day, 2))"
    }
}

/// A period: calendar months plus minutes. Months stay months, so `2 months` after
/// 2023-12-31 is 2024-02-29; comparing a month-based period with a minute-based one
/// counts a month as 30 days (documented in docs/dsl.md).
public struct Duration: Hashable, Comparable, Sendable, CustomStringConvertible {
    public var months: Int
    public var minutes: Int
    public init(months: Int = 0, minutes: Int = 0) {
        self.months = months
        self.minutes = minutes
    }

    /// The longest period tenken accepts either way: 10,000 years. Bounding every period at
    /// the edge (loaders, parameters, rule literals) keeps all later date and period
    /// arithmetic far from Int overflow.
    public static let maxMonths = 120_000
    public static let maxMinutes = 10_000 * 366 * 1440

    /// `n` units, or nil when that is beyond ±10,000 years (a value from outside the
    /// process, checked rather than trapping).
    public init?(_ n: Int, _ unit: DurationUnit) {
        let factor: Int
        switch unit {
        case .minutes: factor = 1
        case .hours: factor = 60
        case .days: factor = 1440
        case .weeks: factor = 10080
        case .months: factor = 1
        case .years: factor = 12
        }
        let (v, overflow) = n.multipliedReportingOverflow(by: factor)
        if unit == .months || unit == .years {
            guard !overflow, abs(v) <= Duration.maxMonths else { return nil }
            self.init(months: v)
        } else {
            guard !overflow, abs(v) <= Duration.maxMinutes else { return nil }
            self.init(minutes: v)
        }
    }

    /// Whether both parts are within ±10,000 years.
    public var isInRange: Bool { abs(months) <= Duration.maxMonths && abs(minutes) <= Duration.maxMinutes }

    /// A whole number of days, for constants in code.
    public static func days(_ n: Int) -> Duration { Duration(minutes: n * 1440) }

    var comparable: Int { months * 30 * 1440 + minutes }
    public static func < (a: Duration, b: Duration) -> Bool { a.comparable < b.comparable }
    public static func == (a: Duration, b: Duration) -> Bool { a.comparable == b.comparable }
    public func hash(into h: inout Hasher) { h.combine(comparable) }

    public var isNegative: Bool { months < 0 || minutes < 0 }

    /// A zero period reads as days (`0 days`, `0日`): it has no unit of its own, and the pack's
    /// zero periods (a grace of none) are counted in days.
    public var description: String {
        if months == 0 && minutes == 0 { return "0 days" }
        var parts: [String] = []
        if months != 0 {
            if months % 12 == 0 {
                parts.append(Duration.word(months / 12, "year"))
            } else {
                parts.append(Duration.word(months, "month"))
            }
        }
        if minutes != 0 || parts.isEmpty {
            if minutes % 1440 == 0 && minutes != 0 {
                parts.append(Duration.word(minutes / 1440, "day"))
            } else if minutes % 60 == 0 && minutes != 0 {
                parts.append(Duration.word(minutes / 60, "hour"))
            } else {
                parts.append(Duration.word(minutes, "minute"))
            }
        }
        return parts.joined(separator: " ")
    }

    static func word(_ n: Int, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }

    /// `60日`, `1年`, `30分`, `2ヶ月` for Japanese text.
    public var descriptionJa: String {
        if months == 0 && minutes == 0 { return "0日" }
        var parts: [String] = []
        if months != 0 { parts.append(months % 12 == 0 ? "\(months / 12)年" : "\(months)ヶ月") }
        if minutes != 0 || parts.isEmpty {
            if minutes % 1440 == 0 && minutes != 0 {
                parts.append("\(minutes / 1440)日")
            } else if minutes % 60 == 0 && minutes != 0 {
                parts.append("\(minutes / 60)時間")
            } else {
                parts.append("\(minutes)分")
            }
        }
        return parts.joined()
    }

    /// Parses `30 minutes`, `2 months`, `1 day`.
    public init?(text: String) {
        let parts = text.split(separator: " ", omittingEmptySubsequences: true)
        guard parts.count == 2, let n = Int(parts[0]), let u = DurationUnit(word: String(parts[1])) else { return nil }
        self.init(n, u)
    }
}

/// One file a facility was loaded from; shared by every value that came from it. Values keep
/// byte offsets, and line and column are worked out only when a location is shown, so a
/// minified one-line snapshot costs nothing extra to load.
public final class SourceFile: Sendable {
    /// `sheet`: one sheet of an .xlsx workbook, read as a table; offsets are cell numbers
    /// (`SheetPlaces`), not bytes.
    public enum Kind: String, Sendable { case json, csv, builtin, sheet }
    public let path: String
    public let kind: Kind
    public let lines: LineIndex
    /// For a sheet: its name and where each cell number lies.
    public let places: SheetPlaces?

    public init(path: String, kind: Kind, lines: LineIndex) {
        self.path = path
        self.kind = kind
        self.lines = lines
        places = nil
    }

    /// A sheet of a workbook at `path`.
    public init(workbook path: String, places: SheetPlaces) {
        self.path = path
        kind = .sheet
        lines = LineIndex([])
        self.places = places
    }

    public func location(offset: Int, path p: String?) -> SourceLocation {
        if let places {
            // A sheet: the cell as Excel names it, `clinic.xlsx [職員] F5 [誓約書署名日]`.
            guard offset >= 0, let (row, column) = places.cell(offset) else {
                return SourceLocation(file: path, path: p, sheet: places.sheet)
            }
            return SourceLocation(file: path, line: row, column: column, path: p, sheet: places.sheet)
        }
        guard offset >= 0 else { return SourceLocation(file: path, path: p) }
        let lc = lines.position(of: offset)
        return SourceLocation(file: path, line: lc.line, column: lc.column, path: p)
    }

    /// A line of the table as a whole, or the whole table (`line` 0): `staff.csv:1:1`, or for a
    /// sheet `clinic.xlsx [職員] row 1` (a sheet's header row is the first that holds values).
    public func place(line: Int = 0) -> SourceLocation {
        if let places {
            return SourceLocation(file: path, line: line == 1 ? places.headerRow : line, sheet: places.sheet)
        }
        return line > 0 ? SourceLocation(file: path, line: line, column: 1) : SourceLocation(file: path)
    }
}

/// Where the cells of a sheet read as a table lie: cell number `n` is column `n % width + 1` of
/// the `n / width`-th row read (the header first). Rows keep their spreadsheet numbers, so a
/// blank row between records is skipped as a blank line of a CSV is, and places stay right.
public struct SheetPlaces: Sendable {
    public let sheet: String
    public let rows: [Int32]
    /// The number of table columns.
    public let width: Int
    /// The sheet column of each table column (1-based), when they are not 1…`width`: a table
    /// reads only the columns its header names.
    public let columns: [Int32]?
    public var headerRow: Int { rows.first.map(Int.init) ?? 1 }

    public init(sheet: String, rows: [Int32], width: Int) {
        self.sheet = sheet
        self.rows = rows
        self.width = max(width, 1)
        columns = nil
    }

    /// Table columns at the sheet columns `columns` (ascending).
    public init(sheet: String, rows: [Int32], columns: [Int32]) {
        self.sheet = sheet
        self.rows = rows
        width = max(columns.count, 1)
        self.columns = columns.isEmpty ? nil : columns
    }

    /// The cell number of column `column` (1-based) in the `index`-th row read; nil past Int32.
    public func number(row index: Int, column: Int) -> Int? {
        let (n, o) = index.multipliedReportingOverflow(by: width)
        guard !o, n + column - 1 <= Int(Int32.max) else { return nil }
        return n + column - 1
    }

    public func cell(_ n: Int) -> (row: Int, column: Int)? {
        let i = n / width
        guard n >= 0, i < rows.count else { return nil }
        return (Int(rows[i]), columns.map { Int($0[n % width]) } ?? n % width + 1)
    }
}

/// A location whose line and column are worked out only when someone looks at it: the
/// evaluator records thousands of evidence values that most runs never print. A record's
/// origin is one too, with its JSON pointer or CSV `row N` as the path.
public struct LazyLocation: Sendable {
    public let source: SourceFile
    public let offset: Int
    /// `path`, or for an element of a list (`index` ≥ 0) the list's path: an element's
    /// pointer (`/staff/12`) is spelled out only when someone reads it, not per element loaded.
    let base: String
    let index: Int32
    /// The place is a whole row (a CSV row without a cell for the field), not the cell at
    /// `offset`: the location gives the line only.
    public let row: Bool
    public init(source: SourceFile, offset: Int, path: String, row: Bool = false) {
        self.source = source
        self.offset = offset
        base = path
        index = -1
        self.row = row
    }

    /// The place of element `index` of the list at JSON pointer `list`.
    public init(source: SourceFile, offset: Int, list: String, index: Int) {
        self.source = source
        self.offset = offset
        if let i = Int32(exactly: index), i >= 0 {
            base = list
            self.index = i
        } else {
            base = list + "/" + String(index)
            self.index = -1
        }
        row = false
    }

    /// Its JSON pointer, or for CSV `row N`, or a field's name or header.
    public var path: String { index < 0 ? base : base + "/" + String(index) }

    public var resolved: SourceLocation {
        var l = source.location(offset: offset, path: path)
        if row { l.column = 0 }
        return l
    }
}

/// One field of a record: its value and the byte offset it was read at (-1 when absent). The
/// offset fills the padding after the value's tag, so a slot is the size a `Value` alone takes.
public struct RecordSlot {
    public var value: Value
    public var offset: Int32

    @inlinable public init(value: Value, offset: Int32) {
        self.value = value
        self.offset = offset
    }
}

/// Raw room for the slots of several records (`capacity` slots), carved out by the snapshot
/// scanner for the elements of a collection so that they need one allocation between them.
/// Each record made in it holds the block and deinitialises its own slots; the block frees
/// the memory once the last of them is gone. Written only while its records are made.
final class RecordSlotBlock: Sendable {
    nonisolated(unsafe) let base: UnsafeMutablePointer<RecordSlot>
    let capacity: Int

    init(capacity: Int) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    deinit { base.deallocate() }
}

/// A loaded record (staff member, device, group…): its values in schema order, and where
/// each came from. Fields absent from the input are `.null` at offset -1.
///
/// The fields (value and offset side by side) live in one block the record owns, not in two
/// arrays: loading a record allocates twice instead of three times, with no array metadata
/// looked up, and freeing it walks the fields inline instead of through `swift_arrayDestroy`.
/// (One allocation would need `ManagedBuffer`, which cannot be `Sendable`.) Immutable once
/// made (`make`).
public final class Record: Sendable {
    /// Schemas are process-wide constants; not retaining them per record keeps parallel
    /// loaders from contending on one reference count.
    public unowned(unsafe) let schema: RecordSchema
    /// The number of fields.
    public let count: Int
    /// `count` slots, written only while the record is made (`make`), freed by `deinit` (or,
    /// carved from a `RecordSlotBlock`, with the last record of the block).
    @usableFromInline nonisolated(unsafe) let slots: UnsafeMutablePointer<RecordSlot>
    /// The block `slots` was carved from (the snapshot scanner's collections), nil when the
    /// record allocated its own.
    let block: RecordSlotBlock?
    /// Where the element starts: its JSON pointer, or for CSV `row N` (N the line).
    public let origin: LazyLocation
    /// For CSV: the header as written in the file, per field (Japanese or English).
    public let headers: [String]?
    /// For a record assembled from two tables (a group member and its invitation): the file
    /// each field came from, where it is not `origin.source`.
    public let fieldSources: [SourceFile?]?

    /// Bit `i` set: field `i` is blank and evidence in other records contradicts what its
    /// blank means (`RecordSchema.crossConditions`), so it reads as unknown. Set by
    /// `Facility.normalised`, never by a loader.
    public let contradictedBlanks: UInt64

    /// Some id of the record that normalising unifies (`RecordSchema.identifierWalk`), here or
    /// in a record it holds, is not its own key (`CellText.isOwnKey`): only then can two
    /// spellings in a facility be one id. Worked out once when the record is made (`make`),
    /// from its own ids and the flags of the records it holds, so `Facility.normalised` reads
    /// one flag per top-level element instead of walking every id of a facility (issue 15).
    /// Written once, in `make`, before the record is shared: not checked for exclusive access
    /// (each check cost more than the walk it guards). True until worked out, so a record made
    /// by a path that does not note its ids is normalised the slow, exact way, never skipped.
    @exclusivity(unchecked) @usableFromInline nonisolated(unsafe) private(set) var hasIDNotOwnKey = true

    /// A record of `count` fields, all `.null` at offset -1.
    private init(
        schema: RecordSchema, count: Int, origin: LazyLocation, headers: [String]?, fieldSources: [SourceFile?]?,
        contradictedBlanks: UInt64, carved: (block: RecordSlotBlock, at: UnsafeMutablePointer<RecordSlot>)? = nil
    ) {
        self.schema = schema
        self.count = count
        if let carved {
            slots = carved.at
            block = carved.block
        } else {
            slots = .allocate(capacity: count)
            block = nil
        }
        slots.initialize(repeating: RecordSlot(value: .null, offset: -1), count: count)
        self.origin = origin
        self.headers = headers
        self.fieldSources = fieldSources
        self.contradictedBlanks = contradictedBlanks
    }

    /// Makes a record of `count` fields, all `.null` at offset -1, then lets `fill` set them
    /// (a loader writing fields as it reads them, without an array in between). Inlined, so the
    /// loader's `fill` is compiled into it rather than called as a closure. With `carved`, the
    /// slots are `count` slots of that block at `at`, uninitialised and given to no other record
    /// (the snapshot scanner's collections: one allocation for many records).
    @inline(__always)
    static func make<E: Error>(
        schema: RecordSchema, count: Int, origin: LazyLocation, headers: [String]? = nil,
        fieldSources: [SourceFile?]? = nil, contradictedBlanks: UInt64 = 0,
        carved: (block: RecordSlotBlock, at: UnsafeMutablePointer<RecordSlot>)? = nil,
        fill: (UnsafeMutablePointer<RecordSlot>) throws(E) -> Void
    ) throws(E) -> Record {
        let r = Record(
            schema: schema, count: count, origin: origin, headers: headers, fieldSources: fieldSources,
            contradictedBlanks: contradictedBlanks, carved: carved)
        try fill(r.slots)
        r.noteIDs()
        return r
    }

    /// Sets `hasIDNotOwnKey` once the fields are written.
    @usableFromInline @inline(never)
    func noteIDs() { hasIDNotOwnKey = IdentifierSpellings.someIDNotOwnKey(in: self) }

    /// A record of `values`, read at `offsets` (one per value).
    public static func make(
        schema: RecordSchema, values: some Collection<Value>, origin: LazyLocation, offsets: some Collection<Int32>,
        headers: [String]? = nil, fieldSources: [SourceFile?]? = nil, contradictedBlanks: UInt64 = 0
    ) -> Record {
        precondition(values.count == offsets.count, "a record needs one offset per value")
        let r = Record(
            schema: schema, count: values.count, origin: origin, headers: headers, fieldSources: fieldSources,
            contradictedBlanks: contradictedBlanks)
        for (i, (v, o)) in zip(values, offsets).enumerated() { r.slots[i] = RecordSlot(value: v, offset: o) }
        r.noteIDs()
        return r
    }

    deinit {
        for i in 0..<count {
            // Most fields hold no reference (absent, a number, a date, a short string kept in
            // the value itself): nothing to release.
            switch slots[i].value {
            case .string(let s): if !Record.holdsNoReference(s) { (slots + i).deinitialize(count: 1) }
            case .list, .record: (slots + i).deinitialize(count: 1)
            default: continue
            }
        }
        // Carved slots are freed with their block, once no record holds it.
        if block == nil { slots.deallocate() }
    }

    /// `s` refers to no storage of its own (a small string, kept in the value's two words, or a
    /// literal), so dropping it releases nothing: its second word has its top bit set (the
    /// standard library's "immortal" mark; the runtime's release, called for every string, takes
    /// such a word, a negative address, for no object and returns). Elsewhere than on 64-bit
    /// little-endian platforms every string is released as before.
    @inline(__always)
    static func holdsNoReference(_ s: String) -> Bool {
        #if (arch(x86_64) || arch(arm64)) && _endian(little)
        unsafeBitCast(s, to: (UInt64, UInt64).self).1 >> 63 == 1
        #else
        false
        #endif
    }

    /// The field values in schema order (`values[i]`, `values.count`, iteration).
    @inlinable public var values: RecordValues { RecordValues(record: self) }
    /// Byte offset of each field's value in the source; -1 when absent.
    public var offsets: [Int32] { (0..<count).map(offset) }

    /// Field `i`'s value; traps when `i` is not a field, as an array would.
    @inlinable public func value(_ i: Int) -> Value {
        precondition(i >= 0 && i < count, "field index out of range")
        return slots[i].value
    }

    /// Field `i`'s byte offset in the source; -1 when absent.
    @inlinable public func offset(_ i: Int) -> Int32 {
        precondition(i >= 0 && i < count, "field index out of range")
        return slots[i].offset
    }

    /// The same record with other values (the same place, offsets, headers and files).
    public func with(values: some Collection<Value>, contradictedBlanks: UInt64) -> Record {
        Record.make(
            schema: schema, values: values, origin: origin, offsets: (0..<count).lazy.map(offset),
            headers: headers, fieldSources: fieldSources, contradictedBlanks: contradictedBlanks)
    }

    /// The value a rule reads for field `i`: the value given, else what its absence means
    /// (`Absence`), with the field's conditions weighed (`AbsenceCondition`).
    @inline(__always)
    public func effective(_ i: Int) -> Value {
        let v = value(i)
        guard v.isNull else { return v }
        // The schema is borrowed, not retained, while its tables are read (it outlives every
        // record: `schema`), so a read of a blank copies one value and retains nothing else.
        return Unmanaged.passUnretained(schema)._withUnsafeGuaranteedRef { absence(i, $0) }
    }

    /// What blank field `i` means: `schema`'s absent value, or unknown where other evidence
    /// contradicts it.
    @inline(__always)
    func absence(_ i: Int, _ schema: RecordSchema) -> Value {
        if contradictedBlanks != 0, i < 64, contradictedBlanks & (1 << UInt64(i)) != 0 { return .unknown }
        guard let cs = schema.conditions[i] else { return schema.absentValues[i] }
        for c in cs {
            let other = value(c.field).isNull ? schema.absentValues[c.field] : value(c.field)
            if other.isUnknown { return .unknown }
            if c.values.isEmpty ? !other.isNull : c.values.contains(other) { return .unknown }
        }
        return schema.absentValues[i]
    }

    /// Field `i` is blank, its blank has a documented meaning, and other evidence contradicts
    /// it: whether the thing happened is not known, so even `is present` is unknown.
    public func blankIsContradicted(_ i: Int) -> Bool {
        guard value(i).isNull else { return false }
        return Unmanaged.passUnretained(schema)._withUnsafeGuaranteedRef { s in
            !s.absentValues[i].isUnknown && absence(i, s).isUnknown
        }
    }

    public subscript(_ name: String) -> Value {
        guard let i = schema.index[name] else { return .null }
        return value(i)
    }

    /// The id field's text, used to name the element in messages.
    public var displayID: String? {
        if let k = schema.idField, case .string(let s) = self[k] { return s }
        return nil
    }

    /// The field's value if present, else the element itself; resolved when looked at.
    public func lazyLocation(ofField i: Int) -> LazyLocation {
        let off = Int(offset(i))
        if let other = fieldSources?[i], off >= 0 {
            return LazyLocation(source: other, offset: off, path: headers?[i] ?? schema.fields[i].name)
        }
        switch origin.source.kind {
        // A table without the column: the row, not its first cell.
        case .csv, .sheet:
            return LazyLocation(
                source: origin.source, offset: off >= 0 ? off : origin.offset,
                path: headers?[i] ?? schema.fields[i].name, row: off < 0)
        case .json, .builtin:
            return LazyLocation(
                source: origin.source, offset: off >= 0 ? off : origin.offset,
                path: origin.path + "/" + schema.fields[i].name)
        }
    }

    /// The field's value if present, else the element itself.
    public func location(ofField i: Int) -> SourceLocation { lazyLocation(ofField: i).resolved }

    /// The named field's place (`lazyLocation(ofField:)`); the element's own for a name its schema lacks.
    public func lazyLocation(ofField name: String) -> LazyLocation {
        guard let i = schema.index[name] else { return origin }
        return lazyLocation(ofField: i)
    }
}

/// A record's field values, read in place (`Record.values`): `values[i]`, `values.count`, and
/// everything a random-access collection offers.
public struct RecordValues: RandomAccessCollection, Sendable {
    @usableFromInline let record: Record
    @inlinable init(record: Record) { self.record = record }
    @inlinable public var startIndex: Int { 0 }
    @inlinable public var endIndex: Int { record.count }
    @inlinable public subscript(i: Int) -> Value { record.value(i) }
}

public enum Value: Sendable {
    /// Absent, with a documented meaning ("none"): `left_on` absent is "still employed".
    case null
    /// Not known: absent where the schema gives absence no meaning (`Absence.unknown`), or
    /// computed from such a value; the evaluator produces it when it reads such a field and
    /// carries it through three-valued logic. Stored in a record only for a field its table
    /// has no column for (whatever a blank cell would mean, a missing column says nothing).
    case unknown
    case bool(Bool)
    case int(Int)
    case string(String)
    case date(Day)
    case duration(Duration)
    case list([Value])
    case record(Record)

    public var isNull: Bool { if case .null = self { true } else { false } }
    public var isUnknown: Bool { if case .unknown = self { true } else { false } }

    /// Text for Japanese messages: periods and absent values in Japanese.
    public var displayJa: String {
        switch self {
        case .null: "（なし）"
        case .unknown: "（不明）"
        case .duration(let d): d.descriptionJa
        case .list(let xs): "[" + xs.map(\.displayJa).joined(separator: "、") + "]"
        default: display
        }
    }

    /// Text for messages and evidence; never used for secrets (the loader refuses them).
    public var display: String {
        switch self {
        case .null: "(none)"
        case .unknown: "(unknown)"
        case .bool(let b): b ? "true" : "false"
        case .int(let n): String(n)
        case .string(let s): s
        case .date(let d): d.description
        case .duration(let d): d.description
        case .list(let xs): "[" + xs.map(\.display).joined(separator: ", ") + "]"
        case .record(let r): r.displayID ?? r.origin.path
        }
    }
}

extension Value: Equatable {
    /// Structural equality for scalars; records compare by identity.
    public static func == (a: Value, b: Value) -> Bool {
        switch (a, b) {
        case (.null, .null), (.unknown, .unknown): true
        case let (.bool(x), .bool(y)): x == y
        case let (.int(x), .int(y)): x == y
        case let (.string(x), .string(y)): x == y
        case let (.date(x), .date(y)): x == y
        case let (.duration(x), .duration(y)): x == y
        case let (.list(x), .list(y)): x == y
        case let (.record(x), .record(y)): x === y
        default: false
        }
    }
}

extension Value: Hashable {
    public func hash(into h: inout Hasher) {
        switch self {
        case .null: h.combine(0)
        case .unknown: h.combine(1)
        case .bool(let b): h.combine(b)
        case .int(let n): h.combine(n)
        case .string(let s): h.combine(s)
        case .date(let d): h.combine(d)
        case .duration(let d): h.combine(d)
        case .list(let xs): h.combine(xs)
        case .record(let r): h.combine(ObjectIdentifier(r))
        }
    }
}
