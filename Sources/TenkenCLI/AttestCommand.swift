import Foundation
import Synchronization
import TenkenAudit
import TenkenCheck
import TenkenData
import TenkenEval
import TenkenReport
import TenkenSyntax

/// `tenken attest`: walks a person through the statements only they can make (missing,
/// answered "no", expired or running out soon), and records each answer as a dated row of the
/// folder's attestations table. Rows are only ever appended, each answer is saved atomically
/// as soon as it is given, so Ctrl-C keeps what was answered and leaves nothing half-written.
enum AttestCommand {
    static let spec = CommandSpec(
        name: "attest",
        summary:
            "Answer, in the terminal, the items only a person can vouch for; answers are saved as dated attestations.",
        usage:
            "tenken attest DIR|FILE.xlsx [--as-of DATE] [--lang ja|en] [--role ROLE] [--by ID] [--answers FILE] "
            + "[--param NAME=VALUE]",
        options: [
            CLI.asOfOption,
            OptionSpec("--lang", value: "LANG", choices: ["ja", "en"], help: "ja (default) or en"),
            OptionSpec(
                "--role", value: "ROLE", choices: Words.roleIDs(in: PackLoader.builtInSchema),
                help: "the answering person's role, as its id or Japanese word: "
                    + Words.roleList(in: PackLoader.builtInSchema)
                    + " for the bundled pack; with --rules, the roles its schema's statements declare (asked if not "
                    + "given)"),
            OptionSpec(
                "--by", value: "ID", help: "the answering person's pseudonymous id, e.g. S-001 (asked if not given)"),
            OptionSpec(
                "--within", value: "PERIOD",
                help: "also ask about attestations running out within this period (default 30 days)"),
            OptionSpec(
                "--answers", value: "FILE",
                help:
                    "take the answers from a CSV table (item, answer, by_role, by, signed_on, reason) instead of "
                    + "asking; signed_on may be left out or blank (then the as-of date), reason is needed only for "
                    + "not-applicable"
            ),
            OptionSpec(
                "--same-day",
                help: "with --answers: record an answer even if the same person answered the same item today"),
            OptionSpec(
                "--param", value: "NAME=VALUE", repeatable: true,
                help:
                    "override a pack parameter, as for check (a renewal period: the statements due and the ones "
                    + "refused as lapsed are those the check with the same --param would count)"),
            CLI.rulesOption,
        ] + CLI.inputOptions,
        minPositionals: 1, maxPositionals: 1)

    static func run(_ args: [String], _ console: Console) -> Int32 {
        let (parsed, code) = CLI.parse(args, spec, console)
        guard let p = parsed else { return code }
        let asOf: Day, ja: Bool, window: Duration, options: LoadOptions, cliParams: [ParamOverride]
        var role: String?
        let loaded: LoadedPack, pack: CheckedPack, table: TableSpec
        do {
            asOf = try CLI.asOf(p).get()
            ja = try ArgumentParser.choice(p, "--lang", ["ja", "en"], default: "ja").get() == "ja"
            options = try CLI.loadOptions(p).get()
            cliParams = try CLI.commandLineParams(p).get()
            let w = p.value("--within") ?? "30 days"
            guard let d = Duration(text: w), !d.isNegative else {
                throw UsageError(message: "`--within` needs a period like \"30 days\", not `\(w)`", help: nil)
            }
            window = d
            // The roles are the pack's schema's.
            guard let checked = CLI.checkedPack(p, console, printWarnings: false) else { return ExitCode.inputError }
            (loaded, pack) = checked
            // A pack without `statements` has nothing a person answers, and no table to append to.
            guard let statements = pack.schema.mechanisms.statements,
                let t = pack.schema.collectionTable(statements.section)
            else {
                console.err(
                    "error: this pack (\(pack.info.id)) declares no statements, so there is nothing to attest; "
                        + "tenken attest answers a pack's `attestation` items\n")
                return ExitCode.inputError
            }
            table = t
            if let r = p.value("--role") {
                guard let id = Words.roleID(r, in: pack.schema) else {
                    throw UsageError(
                        message: "`--role \(r)` names no role; the roles are \(Words.roleList(in: pack.schema))",
                        help: closestMatch(to: r, in: Words.roleIDs(in: pack.schema)).map { "did you mean `\($0)`?" })
                }
                role = id
            }
            if let b = p.value("--by"), !AttestationLog.plausibleID(b) {
                throw UsageError(
                    message: "`--by` must be a pseudonymous staff id like S-001 (letters, digits, - _ .), never a name",
                    help: nil)
            }
            if p.value("--answers") == nil && !console.stdinIsTTY {
                throw UsageError(
                    message: "tenken attest asks its questions in a terminal, and standard input is not one",
                    help: "run it in a terminal, or pass --answers FILE to answer from a table")
            }
        } catch let e as UsageError {
            CLI.usage(e, console)
            return ExitCode.usage
        } catch { return ExitCode.usage }
        let dir = p.positionals[0]
        let input: FacilityInput
        switch FacilityInput.isWorkbook(dir)
            ? .success(FacilityInput.file(dir, schema: loaded.schema))
            : FacilityInput.folder(dir, schema: loaded.schema)
        {
        case .success(let i): input = i
        case .failure(let d): console.err(DiagnosticPrinter().render(d)); return ExitCode.inputError
        }
        // A workbook open in Excel or LibreOffice: the program would write its own copy over
        // the answers at its next save, so nothing is asked until it is closed.
        if let book = input.workbook, let lock = WorkbookLockFile.present(for: book).first {
            console.err(
                "error[attest.workbook-open]: \(book) is open in a spreadsheet program "
                    + "(\((lock as NSString).lastPathComponent) is beside it); answers written now would be lost when "
                    + "it saves. Nothing was asked and nothing was saved\n"
                    + "  help: save and close the workbook, then run tenken attest again (if no program has it open, "
                    + "the file \(lock) was left by one that stopped: delete it)\n"
            )
            return ExitCode.inputError
        }
        guard let facility = CLI.loadFacility(input, options: options, pack: loaded, console)
        else { return ExitCode.inputError }
        // The parameters as the report resolves them (the facility's own overrides, then
        // --param): a renewal period changed on the command line changes which statements are
        // due and which are refused as lapsed, exactly as it changes the report. An override the
        // report would refuse (an unknown name, a value of the wrong kind) stops attest too.
        let engine = Engine(pack: pack)
        let (result, paramDiags) = engine.evaluate(facility, asOf: asOf, commandLine: cliParams)
        if paramDiags.contains(where: { $0.severity == .error }) {
            let printer = DiagnosticPrinter()
            for d in paramDiags where d.severity == .error { console.err(printer.render(d)) }
            console.err("error: the parameters have errors; nothing was asked and nothing was saved\n")
            return ExitCode.inputError
        }
        let target =
            input.workbook ?? input.tables.map {
                $0.files[table.name] ?? ($0.dir as NSString).appendingPathComponent(table.fileName)
            }
            ?? input.attestations ?? (dir as NSString).appendingPathComponent(table.fileName)
        guard
            let log = AttestationLog(
                pack: pack, facility: facility, asOf: asOf, japanese: ja, target: target, commandLine: cliParams)
        else { return ExitCode.inputError }
        var session = AttestSession(log: log, console: console)
        guard session.tableCanHoldAnswers() else { return ExitCode.inputError }
        if let answers = p.value("--answers") {
            // Answers read from the very table they would be appended to would double it.
            if let id = FileIdentity(answers), id == FileIdentity(target) {
                console.err(
                    "error: cannot write \(target): it is the answers file \(answers) itself; give the answers in a "
                        + "separate file\n"
                )
                return ExitCode.inputError
            }
            return session.fromFile(answers, sameDay: p.flag("--same-day"), options: options)
        }
        let due = AttestationPlan.due(pack: pack, result: result, window: window, facility: facility)
        return session.interactive(due, role: role, by: p.value("--by"))
    }
}

/// Set from the SIGINT handler's point of view: a save in progress finishes before exit.
private let saving = Atomic<Bool>(false)
private let interruptedWhileSaving = Atomic<Bool>(false)
private let interruptMessage = Array(
    "\n中断しました。回答済みの分は保存されています / interrupted; the answers given so far are saved\n".utf8)

private func installInterruptHandler() {
    signal(SIGINT) { _ in
        if saving.load(ordering: .sequentiallyConsistent) {
            interruptedWhileSaving.store(true, ordering: .sequentiallyConsistent)
            return
        }
        interruptMessage.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count) }
        _exit(130)
    }
}

/// The questions in the terminal and what they print; the table and its saves are the
/// library's `AttestationLog`.
struct AttestSession {
    var log: AttestationLog
    let console: Console
    var saved = 0

    var pack: CheckedPack { log.pack }
    var facility: Facility { log.facility }
    var asOf: Day { log.asOf }
    var japanese: Bool { log.japanese }
    var target: String { log.target }
    var signers: Signers { log.signers }

    init(log given: AttestationLog, console: Console) {
        var log = given
        self.console = console
        // A save finishes before an interrupt ends the process (see `installInterruptHandler`).
        log.willSave = { saving.store(true, ordering: .sequentiallyConsistent) }
        log.didSave = {
            saving.store(false, ordering: .sequentiallyConsistent)
            if interruptedWhileSaving.load(ordering: .sequentiallyConsistent) {
                interruptMessage.withUnsafeBufferPointer { _ = write(2, $0.baseAddress, $0.count) }
                _exit(130)
            }
        }
        self.log = log
    }

    /// Saves the rows (`AttestationLog.save`), printing why not.
    mutating func save(_ rows: [[String: Value]], sameDay: Bool = false) -> Bool {
        if case .failure(let r) = log.save(rows, sameDay: sameDay) {
            _ = CLI.refused(r, console)
            return false
        }
        saved += rows.count
        return true
    }

    /// Refuses, before any question, a table that could not hold every part of an answer.
    func tableCanHoldAnswers() -> Bool {
        if case .failure(let r) = log.tableCanHoldAnswers() {
            _ = CLI.refused(r, console)
            return false
        }
        return true
    }

    /// Every row is checked before anything is written; one bad row writes nothing.
    mutating func fromFile(_ path: String, sameDay: Bool, options: LoadOptions) -> Int32 {
        let (rows, diagnostics) = log.answers(from: path, sameDay: sameDay, options: options)
        let printer = DiagnosticPrinter()
        for d in diagnostics { console.err(printer.render(d)) }
        guard let rows else {
            console.err("error: the answers have errors; nothing was saved\n")
            return ExitCode.inputError
        }
        guard save(rows, sameDay: sameDay) else { return ExitCode.inputError }
        console.out(
            t(
                "\(rows.count) 件の回答を \(target) に記録しました\n",
                "recorded \(rows.count) answer\(rows.count == 1 ? "" : "s") in \(target)\n"))
        return ExitCode.ok
    }

    func t(_ ja: String, _ en: String) -> String { japanese ? ja : en }

    // MARK: in the terminal

    func ask(_ prompt: String) -> String? {
        console.out(prompt)
        return console.readLine()?.trimmingCharacters(in: .whitespaces)
    }

    /// A role in the session's language: `運用責任者` / `operations-lead`.
    func roleLabel(_ r: String) -> String { Words.role(r, ja: japanese, in: pack.schema) }

    mutating func interactive(_ due: [DueAttestation], role givenRole: String?, by givenBy: String?) -> Int32 {
        let name = SafeText.terminal(facility.subjectName ?? facility.id)
        console.out(t("tenken attest — \(name)（基準日 \(asOf)）\n", "tenken attest — \(name) (as of \(asOf))\n"))
        if due.isEmpty {
            console.out(t("回答が必要な項目はありません。\n", "Nothing needs an answer now.\n"))
            return ExitCode.ok
        }
        console.out(
            t(
                "回答が必要な項目が \(due.count) 件あります。回答は1件ごとに \(target) に保存されます（Ctrl-C で中断しても回答済みの分は残ります）。\n\n",
                "\(due.count) item\(due.count == 1 ? " needs" : "s need") an answer. Each answer is saved to "
                    + "\(target) as soon as it is given (Ctrl-C keeps what was answered).\n\n"
            ))
        installInterruptHandler()
        // The menu offers the roles that can answer something now.
        let answering = Set(due.flatMap(\.roles))
        guard let role = givenRole ?? askRole(Words.roleIDs(in: pack.schema).filter(answering.contains)) else {
            return stop()
        }
        // The signer must be one the report counts (`Signers`): given on the command line and
        // refused, the run stops; typed, it is asked again.
        var by: String
        if let givenBy {
            if let refusal = signers.check(by: givenBy, role: role, on: asOf) {
                console.err(
                    t(
                        "エラー: \(refusal.reason.ja)。この回答は点検で数えられないため記録しません\n",
                        "error: \(refusal.reason.en); the check would not count the answer, so none is recorded\n"))
                return ExitCode.usage
            }
            by = givenBy
        } else {
            guard let id = askID(role: role) else { return stop() }
            by = id
        }
        let already = log.onFile
        // Rows on file the report weighs instead of an answer given now (one dated after the
        // as-of date, one without a date): such an item is not asked, since the answer would
        // be saved and never counted, as `--answers` refuses it (`AttestationLog.notWeighed`).
        let latest = log.latestOnFile, undated = log.undatedOnFile
        var notAsked = 0
        var othersToAsk: [String: [String]] = [:]
        for (n, d) in due.enumerated() {
            console.out("\n[\(n + 1)/\(due.count)] " + describe(d))
            guard d.roles.contains(role) else {
                console.out(
                    t(
                        "  → この項目は\(Words.roles(d.roles, ja: true, in: pack.schema))が回答します。飛ばします。\n",
                        "  → this item is answered by \(Words.roles(d.roles, ja: false, in: pack.schema)); skipped.\n"))
                othersToAsk[Words.roles(d.roles, ja: japanese, in: pack.schema), default: []].append(d.key)
                continue
            }
            if let why = log.notWeighed(item: d.key, on: asOf, latest: latest, undated: undated) {
                console.out(
                    t(
                        "  → \(SafeText.terminal(why.ja))。\(SafeText.terminal(why.helpJa))。飛ばします。\n",
                        "  → \(SafeText.terminal(why.en)); \(SafeText.terminal(why.help)). Skipped.\n"))
                notAsked += 1
                continue
            }
            guard let answer = askAnswer() else { return stop() }
            if answer == "skip" { continue }
            if answer == "quit" { break }
            var reason: String?
            if answer == log.statements.notApplicable {
                guard let r = askReason() else { return stop() }
                reason = r
            } else if answer == log.statements.no {
                // Optional: what is missing, or the plan; kept with the answer for the auditor.
                guard
                    let r = askText(
                        t(
                            "  満たしていない点や対応予定（任意、Enterで省略）: ",
                            "  what is missing, or the plan (optional, Enter to skip): "), required: false)
                else { return stop() }
                reason = r.isEmpty ? nil : r
            }
            if already.contains(log.sameDayKey(d.key, by, asOf.description)) {
                guard
                    let yes = askYesNo(
                        t(
                            "  \(by) は \(asOf) にこの項目に回答済みです。もう1件記録しますか（前の回答は残ります）? [y/N] ",
                            "  \(by) already answered this item on \(asOf). Record another answer (the earlier one "
                                + "stays)? [y/N] "
                        ))
                else { return stop() }
                if !yes { continue }
            }
            let row: [String: Value]
            switch log.row(item: d.key, answer: answer, role: role, by: by, on: asOf, reason: reason) {
            case .success(let r): row = r
            case .failure(let e):
                // Only the pack's own words can get here (the typed text was checked as it was typed).
                console.err(DiagnosticPrinter().render(e))
                console.err("error: nothing was saved\n")
                return ExitCode.inputError
            }
            guard save([row], sameDay: true) else { return ExitCode.inputError }
            console.out(t("  保存しました。\n", "  saved.\n"))
        }
        for (roles, keys) in othersToAsk.sorted(by: { $0.key < $1.key }) {
            console.out(
                t(
                    "\n\(roles)に回答を依頼してください（\(keys.count) 件）: \(keys.joined(separator: "、"))\n",
                    "\nAsk \(roles) to answer \(keys.count) item\(keys.count == 1 ? "" : "s"): "
                        + "\(keys.joined(separator: ", "))\n"
                ))
        }
        if notAsked > 0 {
            console.out(
                t(
                    "\n回答しても点検で数えられないため尋ねなかった項目が \(notAsked) 件あります（上記）。\n",
                    "\n\(notAsked) item\(notAsked == 1 ? " was" : "s were") not asked: the check would not count an "
                        + "answer given now (see above).\n"))
        }
        console.out(
            t(
                "\n\(saved) 件の回答を \(target) に記録しました。次に: tenken check \(log.checkTarget)\n",
                "\nRecorded \(saved) answer\(saved == 1 ? "" : "s") in \(target). Next: tenken check \(log.checkTarget)\n"
            ))
        return ExitCode.ok
    }

    /// End of input (Ctrl-D): stop cleanly, keeping what was saved.
    func stop() -> Int32 {
        console.out(
            t("\n入力が終わりました。\(saved) 件の回答を保存済みです。\n", "\nInput ended; \(saved) answer\(saved == 1 ? "" : "s") saved.\n"))
        return ExitCode.ok
    }

    func describe(_ d: DueAttestation) -> String {
        var s = ""
        let rule = d.rules[0]
        // The pack's words (a --rules pack may be anyone's) are shown escaped, as inputs are.
        let e = SafeText.terminal
        s +=
            e(japanese ? rule.title.ja : rule.title.en)
            + "  [\(japanese ? Labels.level(rule.level).ja : Labels.level(rule.level).en)]\n"
        switch d.why {
        case .missing: s += t("  状態: 回答がありません\n", "  status: no answer on file\n")
        case .notCounted(let reason):
            s += t(
                "  状態: 回答はありますが、点検で数えられません: \(e(reason.ja))\n",
                "  status: an answer is on file, but the check does not count it: \(e(reason.en))\n")
        case .answeredNo: s += t("  状態: 前回「いいえ」と回答されています\n", "  status: last answered \"no\"\n")
        // `day` is the last day the statement counted (valid through it, inclusive).
        case .expired(let day): s += t("  状態: \(day) まで有効でした\n", "  status: was valid until \(day)\n")
        case .expiring(let day): s += t("  状態: \(day) まで有効です（期限が近づいています）\n", "  status: valid until \(day), soon\n")
        }
        // The pack's word for its source (`source … called`; MCS: 規程), in the prompt's lower case.
        let word = Bilingual(
            ja: pack.info.sourceWord.ja,
            en: pack.info.sourceWord.en.prefix(1).lowercased() + pack.info.sourceWord.en.dropFirst())
        for id in Array(Set(d.rules.flatMap(\.implements))).sorted() {
            guard let item = pack.catalog.first(where: { $0.id == id }) else { continue }
            s += t(
                "  \(e(word.ja))（\(e(item.section))）: 「\(e(item.ja))」\n",
                "  \(e(word.en)) (\(e(item.section))): \(e(item.en))\n")
            if japanese == false { s += "    (source: 「\(e(item.ja))」)\n" }
        }
        s += t("  実務では: ", "  in practice: ") + e(japanese ? rule.remediation.ja : rule.remediation.en) + "\n"
        s += t("  回答者: ", "  answered by: ") + d.roles.map(roleLabel).joined(separator: t("・", ", ")) + "\n"
        return s
    }

    /// The role, by its number in the menu or as the menu shows it (either language).
    func askRole(_ roles: [String]) -> String? {
        console.out(t("回答するあなたの役割を選んでください:\n", "Your role:\n"))
        for (i, r) in roles.enumerated() { console.out("  \(i + 1). \(roleLabel(r))\n") }
        while true {
            guard let a = ask(t("番号または名前: ", "number or name: ")) else { return nil }
            if let n = Int(a.precomposedStringWithCompatibilityMapping), n >= 1, n <= roles.count {
                return roles[n - 1]
            }
            if let id = Words.roleID(a, in: pack.schema), roles.contains(id) { return id }
            console.out(
                t(
                    "  1〜\(roles.count) の番号か、役割の名前（\(roles.map(roleLabel).joined(separator: "、"))）を入力してください。\n",
                    "  enter 1–\(roles.count) or a role name (\(roles.joined(separator: ", "))).\n"))
        }
    }

    /// The signer's id: a pseudonymous id of someone the report would count as signing in
    /// `role` today (on the staff, employed, holding the role).
    func askID(role: String) -> String? {
        let signers = signers
        while true {
            guard let a = ask(t("あなたの職員ID（仮名ID、例 S-001）: ", "your staff id (pseudonymous, e.g. S-001): ")) else {
                return nil
            }
            guard AttestationLog.plausibleID(a) else {
                console.out(
                    t(
                        "  英数字と - _ . だけのIDを入力してください（氏名は入力しません）。\n",
                        "  use letters, digits, - _ . only (an id, never a name).\n"))
                continue
            }
            if let refusal = signers.check(by: a, role: role, on: asOf) {
                console.out(
                    t(
                        "  \(refusal.reason.ja)。この回答は点検で数えられません。職員名簿と役割表を確かめ、IDを入力し直してください。\n",
                        "  \(refusal.reason.en); the check would not count the answer. Check the staff and roles "
                            + "tables and enter the id again.\n"
                    ))
                continue
            }
            return a
        }
    }

    /// The statements' yes / no / not-applicable words (`statements … answer`), or skip / quit.
    func askAnswer() -> String? {
        while true {
            guard
                let a = ask(
                    t(
                        "  満たしていますか? はい(y) / いいえ(n) / 対象外(na) / 飛ばす(s) / 終了(q): ",
                        "  Is this met? yes (y) / no (n) / not applicable (na) / skip (s) / quit (q): "))
            else { return nil }
            switch a.lowercased() {
            case "y", "yes", "はい": return log.statements.yes
            case "n", "no", "いいえ": return log.statements.no
            case "na", "n/a", "not-applicable", "対象外": return log.statements.notApplicable
            case "s", "skip", "飛ばす", "": return "skip"
            case "q", "quit", "終了": return "quit"
            default: console.out(t("  y, n, na, s, q のどれかを入力してください。\n", "  enter y, n, na, s or q.\n"))
            }
        }
    }

    func askReason() -> String? { askText(t("  対象外とする理由: ", "  why it does not apply: "), required: true) }

    /// A reason or note for the table's reason column, asked again until the table's reader
    /// would take it (`AttestationLog.checked`: the loader's cell rules, the same check every
    /// saved row passes) and, when `required`, until it gives a reason the report counts: not
    /// empty, and not a word that fills the cell and says nothing (`Statement.saysNothing`:
    /// `なし`, `-`, `n/a`).
    func askText(_ prompt: String, required: Bool) -> String? {
        while true {
            guard let a = ask(prompt) else { return nil }
            let field = log.key.reason
            switch log.checked([field: .string(a)]) {
            case .failure(let d):
                console.out(
                    t(
                        "  この文は保存できません（\(d.message)）。入力し直してください。\n",
                        "  this cannot be saved: \(d.message). Enter it again.\n"))
            case .success(let read):
                guard required else { return a }
                // Blank as the reader reads it (nothing but spaces, say): no reason.
                guard case .string(let text)? = read[field] else {
                    console.out(t("  理由を入力してください。\n", "  a reason is needed.\n"))
                    continue
                }
                guard Statement.saysNothing(text) else { return a }
                console.out(
                    t(
                        "  「\(SafeText.terminal(text))」は理由になっていないため、点検で数えられません（なし・不明・n/a や記号だけなど）。"
                            + "対象外とする理由を書いてください。\n",
                        "  \"\(SafeText.terminal(text))\" gives no reason (a word like none, n/a or unknown, or symbols "
                            + "alone), so the check would not count it; say why it does not apply.\n"))
            }
        }
    }

    func askYesNo(_ prompt: String) -> Bool? {
        guard let a = ask(prompt) else { return nil }
        return ["y", "yes", "はい"].contains(a.lowercased())
    }
}
