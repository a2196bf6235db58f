import Foundation
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

/// A facility's attestations table (a CSV file, or the 確認 sheet of its workbook) as
/// `tenken attest` appends to it: rows are only ever appended, each save is one critical
/// section under a lock beside the table and an atomic replacement of it, and answers taken
/// from a file are checked whole before any is saved. Nothing here prints or asks: the
/// command does, and reports what comes back.
public struct AttestationLog {
    public let pack: CheckedPack
    public let facility: Facility
    public let asOf: Day
    /// The language of appended rows' words (a CSV table's header, yes/no) when the table is new.
    public let japanese: Bool
    /// The table's file: `attestations.csv` (or its Japanese name) or the workbook.
    public let target: String
    /// Called once the save's lock is held, and when the save is over whatever its outcome;
    /// the command defers an interrupt between the two so that a save always finishes.
    public var willSave: () -> Void = {}
    public var didSave: () -> Void = {}
    /// The pack's `statements` declaration: the section appended to and its fields.
    public let statements: Statements
    /// The statements' record (the table's columns).
    public var record: RecordSchema { pack.schema.sections[statements.section].record }
    /// The names of the statements' fields, as a row's keys (`item`, `by`, `signed_on`…).
    public let key: (item: String, answer: String, role: String, signer: String, signed: String, reason: String)
    /// The run's `--param` overrides: a renewal period is the one the report would use with
    /// them (`check --param attestation.renewal=…`), so attest refuses as lapsed exactly the
    /// statements that report would not count.
    public let commandLine: [ParamOverride]

    /// Nil when the pack declares no `statements`: there is nothing to append to.
    public init?(
        pack: CheckedPack, facility: Facility, asOf: Day, japanese: Bool, target: String,
        commandLine: [ParamOverride] = []
    ) {
        guard let st = pack.schema.mechanisms.statements else { return nil }
        self.pack = pack
        self.facility = facility
        self.asOf = asOf
        self.commandLine = commandLine
        self.japanese = japanese
        self.target = target
        statements = st
        let fields = pack.schema.sections[st.section].record.fields
        key = (
            fields[st.item].name, fields[st.answer].name, fields[st.role].name, fields[st.signer].name,
            fields[st.signedOn].name, fields[st.reason].name
        )
    }

    /// The statements' table name (`attestations`).
    public var tableName: String { pack.schema.collectionTable(statements.section)?.name ?? "" }

    /// Who may sign, and in which role, on a day (`Signers`): the staff and roles tables.
    public var signers: Signers { Signers(facility) }

    /// Roles for a message in both languages: `operations-lead (運用責任者) or system-admin (システム管理者)`.
    public static func described(_ roles: [String], in schema: PackSchema) -> String {
        roles.map { "\($0) (\(Words.role($0, ja: true, in: schema)))" }.joined(separator: " or ")
    }

    /// Statements already on file, as (item, by, date), so a second one on the same day is
    /// never recorded without a yes.
    public var onFile: Set<String> {
        guard case .list(let xs)? = facility.roots[statements.section] else { return [] }
        return Set(
            xs.compactMap { v -> String? in
                guard case .record(let r) = v else { return nil }
                return sameDayKey(r[key.item].display, r[key.signer].display, r[key.signed].display)
            })
    }

    public func sameDayKey(_ item: String, _ by: String, _ day: String) -> String { "\(item)\u{0}\(by)\u{0}\(day)" }

    // MARK: saving

    /// Appends rows to the attestations table as one critical section: under an advisory lock
    /// on a lock file beside the table (other `tenken attest` runs wait their turn), the table
    /// is read as it is now, the rows are checked against it (an answer from the same person
    /// for the same item and day recorded meanwhile is refused unless `sameDay`), appended to
    /// its bytes, written to a temporary file, and — after a last look that nothing (a program
    /// that takes no lock, such as Excel) saved the table in between — renamed over it.
    public func save(_ rows: [[String: Value]], sameDay: Bool = false) -> Result<Void, WriteRefusal> {
        // Every row passes the reader's cell rules first: a cell `check` would refuse is never
        // written, whoever built the row.
        var rows = rows
        for i in rows.indices {
            switch checked(rows[i]) {
            case .success(let r): rows[i] = r
            case .failure(let d): return .failure(WriteRefusal([d], message: "nothing was saved"))
            }
        }
        let dir = FilePath.parent(target)
        let lockPath = (dir.isEmpty ? "." : dir) + "/.\((target as NSString).lastPathComponent).tenken-lock"
        let lock: FileLock
        switch FileLock.acquire(lockPath, wait: 30) {
        case .success(let l): lock = l
        case .failure(.busy(let holder)):
            return .failure(
                WriteRefusal(
                    message: "another tenken attest\(holder.map { " (process \(SafeText.terminal($0)))" } ?? "") "
                        + "has been saving to \(target) for 30 seconds; nothing was saved"))
        case .failure(.io(let e)):
            return .failure(WriteRefusal(message: "\(e); nothing was saved"))
        }
        defer { lock.release() }
        willSave()
        defer { didSave() }
        for _ in 0..<20 {
            guard let before = AttestationLog.snapshot(target) else {
                return .failure(WriteRefusal(message: "cannot read \(target); nothing was saved"))
            }
            if !sameDay, let clash = sameDayClash(rows, in: before.bytes) {
                return .failure(
                    WriteRefusal(
                        id: "attest.same-day",
                        message: "\(clash) was recorded in \(target) meanwhile; nothing was saved",
                        help: "pass --same-day to record another answer for that day"))
            }
            // Another writer may have saved, meanwhile, an answer the report would weigh instead
            // (a later one, or one without a date): the rows were checked against the table as
            // it was read, so they are checked again against the table as it is now.
            if let why = notWeighedNow(rows, in: before.bytes) {
                return .failure(
                    WriteRefusal(
                        id: why.id, message: "\(target) was saved meanwhile, and now \(why.en); nothing was saved",
                        help: why.help))
            }
            let bytes: [UInt8]
            switch appended(to: before.bytes, rows) {
            case .success(let b): bytes = b
            case .failure(let d): return .failure(WriteRefusal([d], message: "nothing was saved"))
            }
            do throws(WriteError) {
                let f = try OutputFile(path: target)
                do throws(WriteError) {
                    try f.write(bytes: bytes)
                    // The last look: a program that takes no lock may have saved the table.
                    AttestationLog.beforeLastLook?(target)
                    guard AttestationLog.snapshot(target) == before else { f.abandon(); continue }
                    try f.commit()
                } catch {
                    f.abandon()
                    throw error
                }
            } catch {
                return .failure(WriteRefusal(message: "\(error); nothing was saved"))
            }
            return .success(())
        }
        return .failure(
            WriteRefusal(
                message: "\(target) keeps changing (another program is saving it); nothing was saved. Close it and "
                    + "run tenken attest again."))
    }

    /// The attestations table is a sheet of a workbook (`確認` or `attestations`).
    public var inWorkbook: Bool { FacilityInput.isWorkbook(target) }

    /// The table's new bytes with `rows` appended: to the CSV file as text, or to the
    /// workbook's attestations sheet, rewriting that sheet's part alone.
    func appended(to bytes: [UInt8]?, _ rows: [[String: Value]]) -> Result<[UInt8], Diagnostic> {
        guard inWorkbook else {
            return TableAppender.append(
                to: bytes, file: target, schema: record, rows: rows, japanese: japanese)
        }
        guard let bytes else {
            return .failure(
                Diagnostic(
                    "data.file-not-found", .error, "the workbook is gone (moved or deleted since it was read)",
                    at: SourceLocation(file: target)))
        }
        guard let table = pack.schema.collectionTable(statements.section) else {
            return .failure(
                Diagnostic(
                    "data.missing-table", .error, "the pack's statements have no table to record answers in",
                    at: SourceLocation(file: target)))
        }
        return WorkbookTables.appendingRows(
            to: bytes, file: target, tables: pack.schema, table: table, schema: record, rows: rows,
            japanese: japanese)
    }

    /// What to check next: the workbook, or the folder.
    public var checkTarget: String { inWorkbook ? target : FilePath.parent(target) }

    /// A test seam: runs just before the last look (a test saves the table there, as Excel would).
    nonisolated(unsafe) public static var beforeLastLook: ((String) -> Void)?

    /// The table as it is now: its bytes (nil when there is none yet) and its identity, so a
    /// save can tell whether anything replaced or changed it.
    struct TableState: Equatable {
        var bytes: [UInt8]?
        var device: UInt64 = 0, inode: UInt64 = 0, size: Int64 = 0, modified: Int = 0
    }

    static func snapshot(_ path: String) -> TableState? {
        var st = stat()
        guard stat(path, &st) == 0 else { return errno == ENOENT ? TableState(bytes: nil) : nil }
        let workbook = FacilityInput.isWorkbook(path)
        guard case .success(let bytes) = readInput(path, maxBytes: workbook ? 256 << 20 : 64 << 20, binary: workbook)
        else { return nil }
        return TableState(
            bytes: bytes, device: UInt64(st.st_dev), inode: UInt64(st.st_ino), size: Int64(st.st_size),
            modified: Int(st.st_mtim.tv_sec) * 1_000_000_000 + Int(st.st_mtim.tv_nsec))
    }

    /// The statements table's rows as `bytes` (the target file, read under the lock) hold them;
    /// nil without bytes or when they do not read as the table.
    func rowsOnFile(_ bytes: [UInt8]?) -> [Value]? {
        guard let bytes else { return nil }
        var loader = SnapshotLoader(schema: pack.schema)
        let table =
            inWorkbook
            ? loader.loadWorkbookTable(bytes: bytes, path: target, table: tableName)
            : loader.loadTable(bytes: bytes, path: target, schema: record)
        guard case .list(let xs)? = table else { return nil }
        return xs
    }

    /// The first new row whose person, item and day the table already holds, as words.
    func sameDayClash(_ rows: [[String: Value]], in bytes: [UInt8]?) -> String? {
        guard let xs = rowsOnFile(bytes) else { return nil }
        let onFile = Set(
            xs.compactMap { v -> String? in
                guard case .record(let r) = v else { return nil }
                return sameDayKey(r[key.item].display, r[key.signer].display, r[key.signed].display)
            })
        for r in rows {
            let item = r[key.item]?.display ?? "", by = r[key.signer]?.display ?? ""
            let day = r[key.signed]?.display ?? ""
            if onFile.contains(sameDayKey(item, by, day)) { return "\(by)'s answer to `\(item)` on \(day)" }
        }
        return nil
    }

    /// Why the report would not weigh one of `rows` beside the table as it is now (`bytes`, read
    /// under the lock): `notWeighed` against its rows; nil when it would weigh every one.
    func notWeighedNow(
        _ rows: [[String: Value]], in bytes: [UInt8]?
    ) -> (id: String, en: String, ja: String, help: String, helpJa: String)? {
        guard let xs = rowsOnFile(bytes) else { return nil }
        var latest: [String: Day] = [:]
        var undated: [String: SourceLocation] = [:]
        for case .record(let r) in xs {
            guard case .string(let item) = r[key.item] else { continue }
            if case .date(let d) = r[key.signed] {
                if latest[item].map({ $0 < d }) ?? true { latest[item] = d }
            } else if undated[item] == nil {
                undated[item] = r.origin.resolved
            }
        }
        for r in rows {
            guard case .string(let item)? = r[key.item], case .date(let day)? = r[key.signed] else { continue }
            if let why = notWeighed(item: item, on: day, latest: latest, undated: undated) { return why }
        }
        return nil
    }

    /// Refuses, before any question, a table that could not hold every part of an answer.
    public func tableCanHoldAnswers() -> Result<Void, WriteRefusal> {
        guard let state = AttestationLog.snapshot(target) else { return .success(()) }
        var probe: [String: Value] = [
            key.item: .string("x"), key.answer: .string(statements.yes), key.role: .string("x"),
            key.signer: .string("x"), key.signed: .date(asOf),
        ]
        probe[key.reason] = .string("x")
        if case .failure(let d) = appended(to: state.bytes, [probe]),
            d.id == "data.missing-column" || d.id == "data.missing-table"
        {
            return .failure(WriteRefusal([d], message: "nothing was asked and nothing was saved"))
        }
        return .success(())
    }

    /// A row to save, as the table's reader will read it back (`checked`); fails with the
    /// error the reader would report at the first cell it would refuse.
    public func row(
        item: String, answer: String, role: String, by: String, on day: Day, reason: String?
    ) -> Result<[String: Value], Diagnostic> {
        var r: [String: Value] = [
            key.item: .string(item), key.answer: .string(answer), key.role: .string(role), key.signer: .string(by),
            key.signed: .date(day),
        ]
        if let reason, !reason.isEmpty { r[key.reason] = .string(reason) }
        return checked(r)
    }

    /// Each cell of `row` written as the table writes it (`SnapshotWriter.cell`, with a CSV
    /// table's formula guard) and read back with the loader's cell rules
    /// (`SnapshotLoader.readBack`: control characters, invisible characters in ids, choices…),
    /// so tenken never saves a table that `check` refuses. The row comes back as read (text
    /// trimmed and normalised as the loader does); the first refused cell fails it, with the
    /// reader's error located at the table and the column. The interactive questions ask a
    /// reason again with that error.
    public func checked(_ row: [String: Value]) -> Result<[String: Value], Diagnostic> {
        var out: [String: Value] = [:]
        for field in record.fields {
            guard let v = row[field.name] else { continue }
            let text = SnapshotWriter.cell(v, of: field, japanese: japanese)
            let (value, errors) = SnapshotLoader.readBack(
                inWorkbook ? text : CSVCell.neutralised(text), of: field, unescape: !inWorkbook,
                at: SourceLocation(file: target, path: japanese ? (field.aliases.first ?? field.name) : field.name))
            if let e = errors.first { return .failure(e) }
            if !value.isNull { out[field.name] = value }
        }
        return .success(out)
    }

    // MARK: answers from a file

    /// The rows of an answers table (item, answer, by_role, by, signed_on, reason), each
    /// checked as the interactive questions check it: an item of the pack, a role that may
    /// answer it, a pseudonymous id of a signer the report would count, no date after the
    /// as-of date nor, for a yes or not-applicable, so long before it that the statement has
    /// run out (its rules' renewal, with the run's `--param`s) nor before another answer to the
    /// same item (on file or in the answers: the report weighs only the latest; an old "no"
    /// that is the latest is recorded, as the report fails the rule with it), a reason for
    /// not-applicable that gives one
    /// (`Statement.saysNothing`), and (unless `sameDay`) no second answer by the same person to
    /// the same item on the same day. `rows` is nil when any row has an error:
    /// one bad row writes nothing. The diagnostics come sorted.
    public func answers(
        from path: String, sameDay: Bool, options: LoadOptions
    ) -> (rows: [[String: Value]]?, diagnostics: [Diagnostic]) {
        var loader = SnapshotLoader(options: options, schema: pack.schema)
        // signed_on may be left out (the as-of date, as --help says); reason is needed only
        // for not-applicable, and a row that needs it is refused below.
        let value = loader.loadInventory(
            path: path, section: statements.section, optional: [key.signed, key.reason])
        // Cells the loader already refused (say, a role that is no role): one error per cell.
        let refused = Set(
            loader.diagnostics.filter { $0.severity == .error }.compactMap { d in
                d.location.map { "\($0.file):\($0.line):\($0.column)" }
            })
        var diags = DiagnosticBag()
        diags.add(contentsOf: loader.diagnostics)
        let keys = AttestationPlan.keys(pack)
        let renewals = Engine(pack: pack).renewals(facility, asOf: asOf, commandLine: commandLine)
        let already = onFile
        // The report weighs only the latest dated answer to an item (a later row of the same
        // date wins): the latest day on file for each item, so that a row older than it, which
        // the report would never weigh, is refused rather than recorded as if it counted.
        var latest = latestOnFile
        var accepted: [(row: [String: Value], item: String, day: Day, at: SourceLocation)] = []
        var seen: Set<String> = []
        if case .list(let xs)? = value {
            for case .record(let r) in xs {
                func err(_ field: String, _ id: String, _ msg: String, help: String? = nil) {
                    let at = record.index[field].map { r.location(ofField: $0) } ?? r.origin.resolved
                    // A cell the loader refused has its error already; no follow-on error there.
                    if refused.contains("\(at.file):\(at.line):\(at.column)") { return }
                    diags.add(Diagnostic(id, .error, msg, at: at, help: help))
                }
                guard case .string(let item) = r[key.item] else {
                    err(key.item, "attest.missing", "row has no \(key.item)"); continue
                }
                guard let roles = keys[item] else {
                    err(
                        key.item, "attest.unknown-item",
                        "the row's item is not an attestation item of this pack (found \(ValueShape.of(item)))",
                        help: closestMatch(to: item, in: Array(keys.keys)).map { "did you mean `\($0)`?" })
                    continue
                }
                guard case .string(let answer) = r[key.answer] else {
                    err(
                        key.answer, "attest.missing",
                        "row has no \(key.answer) (\(statements.yes), \(statements.no) or \(statements.notApplicable))")
                    continue
                }
                guard case .string(let role) = r[key.role] else {
                    err(key.role, "attest.missing", "row has no \(key.role)"); continue
                }
                guard roles.contains(role) else {
                    // A role is no personal data: the message names the one given.
                    let given = Words.role(role, ja: true, in: pack.schema)
                    err(
                        key.role, "attest.wrong-role",
                        "`\(item)` is answered by \(AttestationLog.described(roles, in: pack.schema)); the row gives \(role) (\(given))"
                            + " (「\(item)」に回答できるのは \(roles.map { Words.role($0, ja: true, in: pack.schema) }.joined(separator: "・")) "
                            + "です。この行の役割は \(given) です)"
                    ); continue
                }
                guard case .string(let by) = r[key.signer], AttestationLog.plausibleID(by) else {
                    err(
                        key.signer, "attest.bad-id",
                        "`\(key.signer)` must be a pseudonymous id like S-001 (letters, digits, - and _)")
                    continue
                }
                let reason: String? = if case .string(let s) = r[key.reason] { s } else { nil }
                if answer == statements.notApplicable && (reason ?? "").isEmpty {
                    err(key.reason, "attest.missing-reason", "\(statements.notApplicable) needs a reason")
                    continue
                }
                // A reason that only fills the cell (`なし`, `-`, `n/a`) is no reason to the report
                // (`Statement.saysNothing`); the text is free and is not shown.
                if answer == statements.notApplicable, let reason, Statement.saysNothing(reason) {
                    err(
                        key.reason, "attest.empty-reason",
                        "the reason for \(statements.notApplicable) gives none (a word like none, n/a or unknown, or "
                            + "symbols alone), so the check would not count it (理由になっていないため、点検で数えられません)",
                        help: "say why the item does not apply here")
                    continue
                }
                var day = asOf
                if case .date(let d) = r[key.signed] { day = d }
                if day > asOf {
                    err(key.signed, "attest.future", "\(key.signed) \(day) is after the as-of date \(asOf)"); continue
                }
                // A yes or not-applicable signed so long ago that it has run out: the report would
                // not count it. A "no" never runs out there (`Engine.attest`: the latest answer
                // "no" fails the rule, however old, until a later answer replaces it; a denial
                // does not fade into "unknown"), so an old "no" is recorded and the report fails
                // the rule with it, as attest says when it lists what is due.
                if answer != statements.no, let renew = renewals[item], day.adding(renew) < asOf {
                    let until = day.adding(renew)
                    err(
                        key.signed, "attest.lapsed",
                        "signed on \(day), renewed every \(renew): it was valid until \(until), before the as-of date "
                            + "\(asOf), so the check would not count it (\(day) の回答は \(until) まで有効でした。"
                            + "基準日 \(asOf) には期限が切れているため、点検で数えられません)",
                        help: "a statement that old no longer counts: answer the item again as of today (leave "
                            + "\(key.signed) blank)")
                    continue
                }
                // The report counts a statement only from someone on the staff, employed that
                // day and holding the role: one it would not count is not recorded.
                if let refusal = signers.check(by: by, role: role, on: day) {
                    err(
                        refusal.field, "attest.not-signer", refusal.reason.en + " (" + refusal.reason.ja + ")",
                        help:
                            "a statement counts only from a person on the staff table who holds the role in the "
                            + "roles table on the signing day"
                    )
                    continue
                }
                let k = sameDayKey(item, by, day.description)
                if !sameDay && (already.contains(k) || seen.contains(k)) {
                    err(
                        key.item, "attest.same-day", "\(by) already answered `\(item)` on \(day)",
                        help: "pass --same-day to record another answer for that day")
                    continue
                }
                switch row(item: item, answer: answer, role: role, by: by, on: day, reason: reason) {
                case .success(let checked):
                    seen.insert(k)
                    if latest[item].map({ $0 < day }) ?? true { latest[item] = day }
                    accepted.append(
                        (
                            checked, item, day,
                            record.index[key.signed].map { r.location(ofField: $0) } ?? r.origin.resolved
                        ))
                case .failure(let d):
                    // Unreachable from a table the loader read (it applies the same cell rules);
                    // kept so that every row saved goes through one check.
                    diags.add(Diagnostic(d.id, .error, d.message, at: r.origin.resolved, help: d.help))
                }
            }
        }
        var rows: [[String: Value]] = []
        let undated = undatedOnFile
        for a in accepted {
            // Older than an answer on file or another row of these answers, or beside an answer on
            // file without a date: the report would not weigh it.
            if let why = notWeighed(item: a.item, on: a.day, latest: latest, undated: undated, inAnswers: true) {
                diags.add(Diagnostic(why.id, .error, why.en + " (" + why.ja + ")", at: a.at, help: why.help))
                continue
            }
            rows.append(a.row)
        }
        return (diags.hasErrors || value == nil ? nil : rows, diags.sorted)
    }

    /// The latest day each item was answered on in the table as it was read (rows with a date).
    public var latestOnFile: [String: Day] {
        guard case .list(let xs)? = facility.roots[statements.section] else { return [:] }
        var out: [String: Day] = [:]
        for case .record(let r) in xs {
            guard case .string(let item) = r.values[statements.item], case .date(let d) = r.values[statements.signedOn]
            else { continue }
            if out[item].map({ $0 < d }) ?? true { out[item] = d }
        }
        return out
    }

    /// Where each item has an answer on file without a date (the first such row): the report
    /// cannot weigh it against the others and leaves the item `manual` whatever else is on file
    /// (`Engine.attest`), until a person dates it.
    public var undatedOnFile: [String: SourceLocation] {
        guard case .list(let xs)? = facility.roots[statements.section] else { return [:] }
        var out: [String: SourceLocation] = [:]
        for case .record(let r) in xs {
            guard case .string(let item) = r.values[statements.item], out[item] == nil else { continue }
            if case .date = r.values[statements.signedOn] { continue }
            out[item] = r.origin.resolved
        }
        return out
    }

    /// Why the report would not weigh an answer to `item` signed on `day`, given the latest
    /// dated answer to each item (`latestOnFile`, and the answers taken so far) and the items
    /// with an undated answer on file (`undatedOnFile`); nil when it would. The engine weighs only
    /// the latest dated answer, and none while an undated one is on file: an answer recorded
    /// anyway would read as given while the report still asks for it. Both ways of answering
    /// (`--answers` and the terminal) ask this before saving. `inAnswers`: the later answer may
    /// be another row of an answers file (the message says where it may be).
    public func notWeighed(
        item: String, on day: Day, latest: [String: Day], undated: [String: SourceLocation], inAnswers: Bool = false
    ) -> (id: String, en: String, ja: String, help: String, helpJa: String)? {
        if let at = undated[item] {
            return (
                "attest.undated-on-file",
                "`\(item)` has an answer on file without a date (\(at)): the check cannot weigh the item's answers "
                    + "while it is there, so it would not count this one",
                "\(at) に日付のない回答があるため、この回答は点検で数えられません",
                "date that row (\(key.signed)) or delete it, then answer again",
                "その行に日付（\(key.signed)）を入れるか削除してから、もう一度回答してください"
            )
        }
        guard let last = latest[item], day < last else { return nil }
        let (help, helpJa) =
            last > asOf
            ? (
                "the answer on file signed on \(last) is dated after the as-of date \(asOf): correct its "
                    + "\(key.signed), or attest as of a later date with --as-of",
                "\(last) の回答は基準日 \(asOf) より後の日付です。その日付（\(key.signed)）を直すか、--as-of で後の日を基準日にしてください"
            )
            : (
                "to change the answer, answer the item again as of today (leave \(key.signed) blank)",
                "回答を変えるには、基準日の日付でもう一度回答してください（\(key.signed) は空欄）"
            )
        return (
            "attest.superseded",
            "signed on \(day), but `\(item)` has a later answer (signed on \(last)) on file"
                + (inAnswers ? " or in these answers" : "")
                + ": the check weighs only the latest answer, so it would not count this one",
            "\(last) の回答があるため、\(day) の回答は点検で数えられません",
            help, helpJa
        )
    }

    /// A pseudonymous id: 1 to 64 ASCII letters, digits, `-`, `_` and `.`; never a name.
    public static func plausibleID(_ s: String) -> Bool {
        !s.isEmpty && s.count <= 64
            && s.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0)
                    || "-_.".unicodeScalars.contains($0)
            }
    }
}
