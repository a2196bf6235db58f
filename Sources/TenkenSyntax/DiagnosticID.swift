/// A diagnostic's stable id, `family.kind`: every id that the syntax, the checker, the loaders,
/// the evaluator and the commands emit. Each case's documentation says when it is emitted;
/// `docs/diagnostics.md` lists them all, and `DiagnosticIDTests` holds the list, the sources
/// and that page to each other (an id emitted but not listed here, listed but never emitted, or
/// missing from or stale in the docs fails the tests). Ids never change meaning once published:
/// scripts filter on them. `(warning)` and `(note)` mark the ids that are not errors.
public enum DiagnosticID: String, CaseIterable, Sendable {
    // syntax.*: the rule language's lexer and parser
    /// A malformed date literal (expected YYYY-MM-DD).
    case syntaxBadDate = "syntax.bad-date"
    /// `fmt` found a comment its canonical form has no place for (inside an expression); the file
    /// is neither printed nor rewritten, so no comment is lost.
    case syntaxCommentDropped = "syntax.comment-dropped"
    /// An unknown escape in a string.
    case syntaxBadEscape = "syntax.bad-escape"
    /// A number runs into letters.
    case syntaxBadNumber = "syntax.bad-number"
    /// A `\n` or `\t` in a string (texts are one line).
    case syntaxControlCharacter = "syntax.control-character"
    /// `every`/`none` lacks `:` and the condition every element must meet.
    case syntaxExpectedBody = "syntax.expected-body"
    /// A name was expected.
    case syntaxExpectedName = "syntax.expected-name"
    /// A text was expected (`ja "…"` and/or `en "…"`).
    case syntaxExpectedText = "syntax.expected-text"
    /// A type was expected (int, bool, string, date, duration or [type]).
    case syntaxExpectedType = "syntax.expected-type"
    /// A character that is not part of the language.
    case syntaxInvalidCharacter = "syntax.invalid-character"
    /// An integer literal is too large.
    case syntaxNumberOutOfRange = "syntax.number-out-of-range"
    /// An expression nested more deeply than the parser's limit.
    case syntaxTooDeep = "syntax.too-deep"
    /// A block is not closed with `}`.
    case syntaxUnclosedBlock = "syntax.unclosed-block"
    /// A token that cannot stand there.
    case syntaxUnexpectedToken = "syntax.unexpected-token"
    /// A clause the rule or pack does not have (with "did you mean").
    case syntaxUnknownClause = "syntax.unknown-clause"
    /// A string literal is never closed.
    case syntaxUnterminatedString = "syntax.unterminated-string"

    // schema.*: a pack's schema file (schema.tenken), checked by `lint` and when the pack is loaded
    /// A record, choice set, section or table declared twice, or two tables with one Japanese name.
    case schemaDuplicateName = "schema.duplicate-name"
    /// A field's type, a section's record or a choice set that no declaration names.
    case schemaUnknownType = "schema.unknown-type"
    /// A field named (by `not_before`, `id`, a condition, an exclusion, a bound, `non_empty`, a
    /// denial or a table's columns) that its record does not have.
    case schemaUnknownField = "schema.unknown-field"
    /// A section or table named (by `references`, `via`, a table) that is not declared.
    case schemaUnknownSection = "schema.unknown-section"
    /// Two fields of one record answering to one header once case, width and spaces are folded.
    case schemaDuplicateHeader = "schema.duplicate-header"
    /// Choice words that collide: a value listed twice, two values with one Japanese word, or a
    /// Japanese word that is another value.
    case schemaChoiceCollision = "schema.choice-collision"
    /// A declaration that names the right things but cannot mean anything: a bound on a field
    /// that is not an int, a value its field cannot hold, a record containing itself, a field
    /// without a description.
    case schemaInvalid = "schema.invalid"
    /// A section no table holds, or held by two; a table leaving out its record's id, every
    /// column or a field no other table holds; `only` with `without`; a second profile table.
    case schemaTableCoverage = "schema.table-coverage"
    /// A table's name or Japanese name that is not a plain, portable file name: a path
    /// separator, a leading dot (`..`), a control character, a name Windows reserves (`CON`).
    case schemaFileName = "schema.file-name"
    /// A mechanism declaration (`statements`, `published`) the engine cannot use: a field of the
    /// wrong type, a section of the wrong shape, an answer word its field cannot hold, a
    /// required clause left out, or the mechanism declared twice.
    case schemaMechanism = "schema.mechanism"

    // check.*: the static checker (`tenken lint`, and every command that loads a pack)
    /// An `expect` condition is always true, so the expectation can never fail.
    case checkAlwaysTrue = "check.always-true"
    /// `count(…)` is given `: value` instead of a `where` filter.
    case checkBadAggregate = "check.bad-aggregate"
    /// A function is called with the wrong number of arguments.
    case checkBadArguments = "check.bad-arguments"
    /// A date literal is not a calendar date.
    case checkBadDate = "check.bad-date"
    /// A pack's `guide.txt` has text outside a block, an unknown or repeated block, or an unknown `{{…}}` line.
    case checkBadGuide = "check.bad-guide"
    /// A parameter's default is already past its own limit.
    case checkBadLimit = "check.bad-limit"
    /// A manifest label (`title`, `report title`, `called`, a category, scope or risk label) is empty or padded with
    /// white space, as the schema file refuses its labels.
    case checkBadLabel = "check.bad-label"
    /// A pack's `platform` is not a CPE 2.3 name.
    case checkBadPlatform = "check.bad-platform"
    /// A message template has an unclosed `{` or a `{…}` that is not an expression.
    case checkBadTemplate = "check.bad-template"
    /// (warning) `is present` in a filter skips elements whose blank means unknown, so they are never checked.
    case checkBlankSkipsElement = "check.blank-skips-element"
    /// `catalog.tsv` lacks a required column.
    case checkCatalogColumn = "check.catalog-column"
    /// `catalog.tsv` is empty.
    case checkCatalogEmpty = "check.catalog-empty"
    /// A rule's level, category or scope differs from its catalog item's.
    case checkCatalogMismatch = "check.catalog-mismatch"
    /// A `catalog.tsv` row is malformed: a different number of cells than the header, an id given twice, or no
    /// category (scope) where the manifest declares some.
    case checkCatalogRow = "check.catalog-row"
    /// A `catalog.tsv` cell holds a control character.
    case checkControlCharacter = "check.control-character"
    /// The manifest gives a clause it may give once (`version`, `title`, `source`, `report title`, `platform`) a second
    /// time, declares a category (scope, risk) twice, or declares the same item out of scope twice.
    case checkDuplicateClause = "check.duplicate-clause"
    /// A named condition (`define`) is used in a message placeholder, where conditions are not expanded.
    case checkDefineInMessage = "check.define-in-message"
    /// A named condition, or a condition using named conditions, is more than 10,000 nodes or 128 levels once expanded.
    case checkDefineTooLarge = "check.define-too-large"
    /// A named condition (`define`) is defined twice, takes the name of a built-in function or a reserved word, or
    /// names a variable twice, as a reserved word, a root collection or `as_of`.
    case checkDuplicateDefine = "check.duplicate-define"
    /// A second `pack` declaration (a pack has one manifest).
    case checkDuplicatePack = "check.duplicate-pack"
    /// A parameter is declared twice.
    case checkDuplicateParam = "check.duplicate-param"
    /// Two rules have the same id.
    case checkDuplicateRule = "check.duplicate-rule"
    /// A catalog cell names a category (scope, risk) that is not a name the manifest could declare
    /// (letters A–Z, digits and `_`, in parts joined by `-`): never taken as a word of the pack.
    case checkInvalidTerm = "check.invalid-term"
    /// (warning) The manifest declares no category (scope, risk), so the words the rules and catalog name are taken as
    /// declared, labelled by their ids; the warning gives the declarations to paste.
    case checkImpliedTerms = "check.implied-terms"
    /// A required clause is missing (a pack's `version`, a rule's `expect`, …).
    case checkMissingClause = "check.missing-clause"
    /// `out_of_scope` gives no reason after `because`.
    case checkMissingReason = "check.missing-reason"
    /// A rule the catalog names for an item is missing, or no longer implements it.
    case checkMissingRule = "check.missing-rule"
    /// An `applies when` condition is always false, so the rule can never apply.
    case checkNeverApplies = "check.never-applies"
    /// A rule has an `attestation` clause, and the pack's schema declares no `statements` to answer it.
    case checkNoAttestations = "check.no-attestations"
    /// The pack has no `catalog.tsv`.
    case checkNoCatalog = "check.no-catalog"
    /// The pack has no `pack` declaration (`pack.tenken`).
    case checkNoManifest = "check.no-manifest"
    /// The `--rules` folder does not exist or cannot be listed.
    case checkNoPack = "check.no-pack"
    /// The pack has no rules, so it would pass everything.
    case checkNoRules = "check.no-rules"
    /// `every`/`none`/`count` ranges over something that is not a list.
    case checkNotACollection = "check.not-a-collection"
    /// A field is read from a value that is not a record.
    case checkNotARecord = "check.not-a-record"
    /// A value that must be constant (a default, a limit, a bound) reads the snapshot.
    case checkNotConstant = "check.not-constant"
    /// `==`/`!=` with `null` (a blank reads as unknown or its documented meaning; use `is missing`/`is present`).
    case checkNullComparison = "check.null-comparison"
    /// A period literal is longer than 10,000 years.
    case checkNumberOutOfRange = "check.number-out-of-range"
    /// An item declared out of scope is implemented by a rule.
    case checkOutOfScopeImplemented = "check.out-of-scope-implemented"
    /// A named condition uses itself, directly or through another.
    case checkRecursiveDefine = "check.recursive-define"
    /// A variable name is already bound in the same expression.
    case checkShadowedName = "check.shadowed-name"
    /// An expression has the wrong type for where it stands.
    case checkTypeMismatch = "check.type-mismatch"
    /// A rule implements a catalog item whose `rules` column does not name it.
    case checkUndeclaredRule = "check.undeclared-rule"
    /// A catalog item is implemented by no rule and not declared out of scope.
    case checkUnimplementedItem = "check.unimplemented-item"
    /// A rule or manifest names an item that is not in the catalog.
    case checkUnknownCatalogId = "check.unknown-catalog-id"
    /// A string is compared with a field that can never hold it.
    case checkUnknownEnumValue = "check.unknown-enum-value"
    /// (note) The schema declares `statements` but no `roster`, so whether a signer was on the staff
    /// when signing is not checked; said once per pack, at the first `attestation` clause.
    case checkUncheckedSigners = "check.unchecked-signers"
    /// (note) The schema declares `statements` but no `appointments`, so whether a signer holds the
    /// role they sign in is not checked; said once per pack, at the first `attestation` clause.
    case checkUncheckedRoles = "check.unchecked-roles"
    /// A rule or catalog row names a category the manifest does not declare (or the pack declares none).
    case checkUnknownCategory = "check.unknown-category"
    /// A record has no field of that name.
    case checkUnknownField = "check.unknown-field"
    /// No function of that name.
    case checkUnknownFunction = "check.unknown-function"
    /// A rule or catalog row names a level that is not one of the engine's four.
    case checkUnknownLevel = "check.unknown-level"
    /// No variable, section or constant of that name.
    case checkUnknownName = "check.unknown-name"
    /// Two words a pack that declares no category (scope, risk) names are equal once width and case are folded
    /// (NFKC, case folding): one word written two ways, named at both places.
    case checkTermTwins = "check.term-twins"
    /// No parameter of that name.
    case checkUnknownParam = "check.unknown-param"
    /// A rule or catalog row names a risk the manifest does not declare (or the pack declares none).
    case checkUnknownRisk = "check.unknown-risk"
    /// An attestation names a role that its statements' role field does not hold.
    case checkUnknownRole = "check.unknown-role"
    /// A rule or catalog row names a scope the manifest does not declare (or the pack declares none).
    case checkUnknownScope = "check.unknown-scope"
    /// A `where` filter is always false, so no element is ever checked.
    case checkUnreachable = "check.unreachable"
    /// (warning) The pack has `provider.json`, and its schema declares no `published` profile
    /// for it: the file is not read.
    case checkUnreadProfile = "check.unread-profile"
    /// (warning) A named condition is used by no rule and no other condition.
    case checkUnusedDefine = "check.unused-define"

    // test.*: the rule-test runner (`tenken test`)
    /// A rule test file is malformed.
    case testBadFile = "test.bad-file"

    // data.*: the snapshot, table, inventory, parameter and baseline loaders
    /// A facility folder holds two device inventories and nothing says which is current.
    case dataAmbiguousInput = "data.ambiguous-input"
    /// A 0 where device and MDM exports write 0 for "never" (read as "at once" it would pass every bound).
    case dataAmbiguousZero = "data.ambiguous-zero"
    /// A `--baseline` file is not a tenken JSON report or aggregate.
    case dataBadBaseline = "data.bad-baseline"
    /// A table to append to cannot be read.
    case dataBadCsv = "data.bad-csv"
    /// A value is not a calendar date in an accepted form.
    case dataBadDate = "data.bad-date"
    /// A value is not a number of the field's unit or a period like "30 days".
    case dataBadDuration = "data.bad-duration"
    /// A file is not valid Shift_JIS.
    case dataBadEncoding = "data.bad-encoding"
    /// A parameter override has the wrong type or is out of its bounds.
    case dataBadParam = "data.bad-param"
    /// A value is not one of the field's choices.
    case dataBadValue = "data.bad-value"
    /// (warning) the baseline lists only some violations of a rule; the others count as new.
    case dataBaselineCapped = "data.baseline-capped"
    /// (warning) the baseline was made with another pack version.
    case dataBaselineOtherPack = "data.baseline-other-pack"
    /// A list element is an empty string.
    case dataBlankElement = "data.blank-element"
    /// Two values of one element contradict each other (an end before its start, a state against a date).
    case dataContradiction = "data.contradiction"
    /// A value or header holds a control character.
    case dataControlCharacter = "data.control-character"
    /// Text after a closing quote in a CSV cell.
    case dataCsvBadQuote = "data.csv-bad-quote"
    /// A CSV row has a different number of cells than the header.
    case dataCsvRaggedRow = "data.csv-ragged-row"
    /// A quoted CSV cell is never closed.
    case dataCsvUnterminatedQuote = "data.csv-unterminated-quote"
    /// A value that should be the id of an element names none.
    case dataDanglingReference = "data.dangling-reference"
    /// (warning) the snapshot's `devices` section is replaced by the device inventory given.
    case dataDevicesReplaced = "data.devices-replaced"
    /// Two columns of a table mean the same field.
    case dataDuplicateColumn = "data.duplicate-column"
    /// Two elements of a list have the same id.
    case dataDuplicateId = "data.duplicate-id"
    /// A JSON object gives the same field twice (under one name or two of its spellings).
    case dataDuplicateKey = "data.duplicate-key"
    /// A second row for the same member of a parent row.
    case dataDuplicateRow = "data.duplicate-row"
    /// A folder holds one table under two names (English and Japanese).
    case dataDuplicateTable = "data.duplicate-table"
    /// (warning) a workbook cell holds a value right of its sheet's header; it is not read.
    case dataCellOutsideTable = "data.cell-outside-table"
    /// A workbook sheet is named as a copy of a table's sheet (`職員 (2)`, `職員_2`); tenken never picks one of the two.
    case dataCopiedTable = "data.copied-table"
    /// A file is empty.
    case dataEmptyFile = "data.empty-file"
    /// (warning) a workbook sheet named as a table is blank, so that table is missing.
    case dataEmptySheet = "data.empty-sheet"
    /// A table is on a hidden sheet, where a person cannot see what is checked.
    case dataHiddenTable = "data.hidden-table"
    /// A merged cell range spans several table columns or reaches into the header row.
    case dataMergedCells = "data.merged-cells"
    /// (note) a table is not UTF-8 and was read as Shift_JIS.
    case dataEncodingDetected = "data.encoding-detected"
    /// An input file does not exist.
    case dataFileNotFound = "data.file-not-found"
    /// A column or field would hold personal data (a name, an address, a password) and is refused.
    case dataForbiddenField = "data.forbidden-field"
    /// An event is dated after the as-of date.
    case dataFutureDate = "data.future-date"
    /// (note) `convert`: an id is read, and written, in its folded form (full-width as ASCII).
    case dataIdFolded = "data.id-folded"
    /// A file or string is not valid UTF-8.
    case dataInvalidUtf8 = "data.invalid-utf8"
    /// A file was expected and a folder was given.
    case dataIsDirectory = "data.is-directory"
    /// Malformed JSON.
    case dataJsonSyntax = "data.json-syntax"
    /// (warning) a table lacks a column; its values are unknown.
    case dataMissingColumn = "data.missing-column"
    /// A row lacks the id of its parent row.
    case dataMissingLink = "data.missing-link"
    /// A snapshot has no `schema_version`.
    case dataMissingSchemaVersion = "data.missing-schema-version"
    /// (warning) a table is read only with another table the folder does not have.
    case dataMissingTable = "data.missing-table"
    /// (warning) a reference names no element but differs from one only in dashes or spaces.
    case dataNearReference = "data.near-reference"
    /// A parameter override is a negative period.
    case dataNegativeDuration = "data.negative-duration"
    /// A table's first line is not a header row.
    case dataNoHeader = "data.no-header"
    /// A facility folder holds neither `snapshot.json` nor any table.
    case dataNoTables = "data.no-tables"
    /// An input is a pipe, a device or a socket, not a regular file.
    case dataNotAFile = "data.not-a-file"
    /// Rows to append hold a character Shift_JIS cannot encode.
    case dataNotShiftJis = "data.not-shift-jis"
    /// A file holds a NUL byte within its first 4 KiB, so it is not text.
    case dataNotText = "data.not-text"
    /// A list element is `null`.
    case dataNullElement = "data.null-element"
    /// A number or period is beyond what tenken reads (a period over 10,000 years, an integer that overflows).
    case dataNumberOutOfRange = "data.number-out-of-range"
    /// A row names a parent row that does not exist.
    case dataOrphanRow = "data.orphan-row"
    /// JSON nested deeper than the limit (`--max-depth`).
    case dataTooDeep = "data.too-deep"
    /// A file is over the size limit (`--max-input-bytes`).
    case dataTooLarge = "data.too-large"
    /// A list is longer than the collection limit.
    case dataTooManyElements = "data.too-many-elements"
    /// Text after the JSON value.
    case dataTrailingContent = "data.trailing-content"
    /// A value has the wrong type for its field.
    case dataTypeMismatch = "data.type-mismatch"
    /// A JSON file ends inside a value.
    case dataUnexpectedEnd = "data.unexpected-end"
    /// (warning or note) a workbook sheet is not one of the tables and is not read (a warning when its name is close to
    /// a table's: a renamed tab).
    case dataUnknownSheet = "data.unknown-sheet"
    /// A folder holds a half-published set of tables from a stopped `convert` or `init`.
    case dataUnfinishedWrite = "data.unfinished-write"
    /// (note) a spreadsheet program holds the workbook open (its lock file `~$name.xlsx` is beside it); what it saves
    /// later is not what was read.
    case dataWorkbookOpen = "data.workbook-open"
    /// (warning) a table has a column that is not part of it; it is ignored.
    case dataUnknownColumn = "data.unknown-column"
    /// A snapshot has a field its schema does not know.
    case dataUnknownField = "data.unknown-field"
    /// A facility in JSON does not say a list that tables would read as none.
    case dataUnknownMemberList = "data.unknown-member-list"
    /// An unknown value that a table cell cannot write without changing its meaning.
    case dataUnknownNotWritable = "data.unknown-not-writable"
    /// A parameter override names no parameter of the pack.
    case dataUnknownParam = "data.unknown-param"
    /// A snapshot's `schema_version` is not the one this tenken reads.
    case dataUnknownSchemaVersion = "data.unknown-schema-version"
    /// A file cannot be read (permissions, I/O error).
    case dataUnreadable = "data.unreadable"
    /// A file is UTF-16 (UTF-8 or Shift_JIS expected).
    case dataUnsupportedEncoding = "data.unsupported-encoding"
    /// A table was saved with tabs or semicolons between columns, not commas.
    case dataWrongSeparator = "data.wrong-separator"

    // workbook.*: the .xlsx reader and writer
    /// A cell is malformed (a style index that is not a number, a value that does not fit its type).
    case workbookBadCell = "workbook.bad-cell"
    /// A cell or row reference is malformed or out of order.
    case workbookBadCellReference = "workbook.bad-cell-reference"
    /// A sheet name is not allowed (too long, reserved or with forbidden characters).
    case workbookBadSheetName = "workbook.bad-sheet-name"
    /// The zip container is damaged or truncated.
    case workbookBadZip = "workbook.bad-zip"
    /// A part would inflate more than the compression-ratio limit (a zip bomb).
    case workbookCompressionRatio = "workbook.compression-ratio"
    /// An entry's CRC-32 does not match its contents.
    case workbookCrcMismatch = "workbook.crc-mismatch"
    /// An XML part declares a document type or entities.
    case workbookDtd = "workbook.dtd"
    /// A cell is given twice.
    case workbookDuplicateCell = "workbook.duplicate-cell"
    /// The zip holds two entries of the same name.
    case workbookDuplicateEntry = "workbook.duplicate-entry"
    /// An .xlsx file is empty.
    case workbookEmptyFile = "workbook.empty-file"
    /// A zip entry is encrypted (a password-protected workbook).
    case workbookEncrypted = "workbook.encrypted"
    /// A cell holds an error (`#N/A`, `#REF!`, …) rather than a value.
    case workbookErrorCell = "workbook.error-cell"
    /// (warning) a formula saved without its result reads as blank.
    case workbookFormulaWithoutValue = "workbook.formula-without-value"
    /// The file is an Excel 97–2003 `.xls` workbook.
    case workbookLegacyXls = "workbook.legacy-xls"
    /// The workbook lacks a part it needs.
    case workbookMissingPart = "workbook.missing-part"
    /// A sheet is a chart or dialog sheet.
    case workbookNotAWorksheet = "workbook.not-a-worksheet"
    /// The file is text (CSV or XML), not an .xlsx workbook.
    case workbookNotXlsx = "workbook.not-xlsx"
    /// A part, a string or the whole workbook is over its size limit.
    case workbookTooLarge = "workbook.too-large"
    /// More sheets, rows, columns, cells, strings or entries than the limits allow.
    case workbookTooMany = "workbook.too-many"
    /// A zip entry name is absolute, climbs with `..` or is otherwise unsafe.
    case workbookUnsafeEntryName = "workbook.unsafe-entry-name"
    /// A zip entry uses a compression method other than stored or deflate.
    case workbookUnsupportedCompression = "workbook.unsupported-compression"
    /// Malformed XML in a part.
    case workbookXmlSyntax = "workbook.xml-syntax"

    // waiver.*: waiver files and the waiver policy
    /// A waiver's date is not YYYY-MM-DD.
    case waiverBadDate = "waiver.bad-date"
    /// A waiver's last day (`expires_on`) is before the day it is granted.
    case waiverBadDates = "waiver.bad-dates"
    /// A waiver's `elements` is not a list of element ids.
    case waiverBadElements = "waiver.bad-elements"
    /// A waiver file is not `{"waivers": [ … ]}`.
    case waiverBadFile = "waiver.bad-file"
    /// A waiver's text holds a control character.
    case waiverControlCharacter = "waiver.control-character"
    /// (warning) a waiver in use has its last day (`expires_on`) soon.
    case waiverExpiring = "waiver.expiring"
    /// A waiver lacks a justification, a requester or an approver.
    case waiverIncomplete = "waiver.incomplete"
    /// A waiver lacks a required field.
    case waiverMissingField = "waiver.missing-field"
    /// A waiver's justification says nothing.
    case waiverNoJustification = "waiver.no-justification"
    /// A waiver is approved by its own requester.
    case waiverSelfApproved = "waiver.self-approved"
    /// A waiver runs longer than `--waiver-max-term`.
    case waiverTooLong = "waiver.too-long"
    /// (warning) a waiver's requester and approver cannot be checked not to be a patient's id: the facility gives no
    /// such section (the roster's `not_people`).
    case waiverUncheckedPerson = "waiver.unchecked-person"
    /// A waiver names a facility that is not in the run.
    case waiverUnknownFacility = "waiver.unknown-facility"
    /// A waiver's requester or approver is not on the facility's staff.
    case waiverUnknownPerson = "waiver.unknown-person"
    /// A waiver names a rule the pack does not have.
    case waiverUnknownRule = "waiver.unknown-rule"

    // attestation.*: attestations read with a facility
    /// (warning) a facility's attestation names an item no rule asks for, so it vouches for nothing.
    case attestationUnknownItem = "attestation.unknown-item"

    // attest.*: `tenken attest` and its answers file
    /// An answers row's `by` is not a pseudonymous id (letters, digits, `-` and `_`).
    case attestBadId = "attest.bad-id"
    /// A spreadsheet program holds the workbook open; `attest` asks nothing and saves nothing, since that program would
    /// overwrite the answers when it saves.
    case attestWorkbookOpen = "attest.workbook-open"
    /// An answers row is signed after the as-of date.
    case attestFuture = "attest.future"
    /// An answers row's yes or not-applicable is signed so long before the as-of date that it has run out (signed_on
    /// plus the rule's renewal is before it): the report would not count it.
    case attestLapsed = "attest.lapsed"
    /// A `not-applicable` answer's reason says nothing (`なし`, `-`, `n/a`: a word the report takes as no reason).
    case attestEmptyReason = "attest.empty-reason"
    /// An answers row lacks a column the answer needs (`item`, `answer`, `by_role`, `by`).
    case attestMissing = "attest.missing"
    /// A `not-applicable` answer gives no reason.
    case attestMissingReason = "attest.missing-reason"
    /// The person answering is not on the staff table, not employed that day, or does not hold the role.
    case attestNotSigner = "attest.not-signer"
    /// The same person already answered the item that day (pass `--same-day` to record another).
    case attestSameDay = "attest.same-day"
    /// An answers row is dated before another answer to the same item (on file or in the answers): the report weighs
    /// only the latest, so it would not count the row.
    case attestSuperseded = "attest.superseded"
    /// An answer (from `--answers` or the terminal) to an item with an answer on file without a date: the report weighs
    /// none of the item's answers until that row is dated, so it would not count the new one.
    case attestUndatedOnFile = "attest.undated-on-file"
    /// An answers row names no attestation item of the pack.
    case attestUnknownItem = "attest.unknown-item"
    /// An answers row gives a role that may not answer the item.
    case attestWrongRole = "attest.wrong-role"

    // batch.*: `tenken batch`
    /// Two inputs of a batch (or of merged shards) have the same facility id.
    case batchDuplicateId = "batch.duplicate-id"
    /// (warning) a file in the batch folder is neither a facility folder nor a `*.json` snapshot, and is ignored.
    case batchIgnoredEntry = "batch.ignored-entry"
    /// The batch's folder or list file does not exist.
    case batchNoInput = "batch.no-input"
    /// A facility id cannot name a report folder (letters, digits, `.`, `_`, `-` only; no `..`).
    case batchUnsafeId = "batch.unsafe-id"
    /// A report or aggregate of a batch could not be written; nothing was published.
    case batchWriteFailed = "batch.write-failed"

    // merge.*: `tenken merge`
    /// A shard's aggregate cannot be read or is not a tenken aggregate.
    case mergeBadAggregate = "merge.bad-aggregate"
    /// The shards were made with different packs, dates or options.
    case mergeMismatch = "merge.mismatch"
    /// Some shards have SARIF reports and others do not.
    case mergeSarif = "merge.sarif"
}

extension DiagnosticID {
    /// The family: the part before the dot (`check`, `data`, …).
    public var family: String { String(rawValue.prefix { $0 != "." }) }
}

extension Diagnostic {
    /// A diagnostic with an id from the catalogue (`DiagnosticID`).
    public init(
        _ id: DiagnosticID, _ severity: Severity = .error, _ message: String,
        at location: SourceLocation? = nil, notes: [String] = [], help: String? = nil
    ) {
        self.init(id.rawValue, severity, message, at: location, notes: notes, help: help)
    }

    /// The id as a `DiagnosticID` (nil only for an id outside the catalogue, which the tests refuse).
    public var kind: DiagnosticID? { DiagnosticID(rawValue: id) }
}
