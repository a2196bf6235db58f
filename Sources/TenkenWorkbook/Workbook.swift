import TenkenSyntax

/// A sheet as the workbook part lists it, in tab order.
public struct SheetInfo: Sendable, Hashable {
    public enum Visibility: String, Sendable { case visible, hidden, veryHidden }
    public enum Kind: String, Sendable {
        /// A grid of cells (the only kind that `Workbook.read` reads).
        case worksheet
        /// A chart sheet, dialog sheet or macro sheet: no cells to read.
        case other
    }

    /// As on the sheet's tab.
    public let name: String
    /// 0-based position among the tabs.
    public let index: Int
    public let visibility: Visibility
    public let kind: Kind
    /// The sheet's part in the package (`xl/worksheets/sheet1.xml`); nil when the workbook's
    /// relationships do not name one.
    public let part: String?
}

/// An Office Open XML workbook (.xlsx, .xlsm, also strict OOXML) opened from memory.
///
/// `open` reads the zip container's directory, the package relationships, the workbook part
/// (sheet names and order, the date system), the shared strings and the styles (which number
/// formats are dates). Sheets are read on demand with `read(_:)`, so a user's own extra
/// sheets cost nothing unless asked for. Every error is a located `Diagnostic`
/// (`clinic.xlsx [職員] F5`, or `clinic.xlsx [xl/worksheets/sheet1.xml]` for the package);
/// nothing traps on any input.
public struct Workbook: Sendable {
    public let file: String
    /// Every sheet in tab order.
    public let sheets: [SheetInfo]
    /// The workbook counts dates from 1904-01-01 (`<workbookPr date1904="1"/>`).
    public let date1904: Bool
    public let archive: ZipArchive
    /// The workbook part (`xl/workbook.xml`).
    public let workbookPart: String
    let sharedStrings: [String]
    /// Per cell style (`s` attribute): what its number format makes of numbers.
    let styleClasses: [NumberFormatClass]

    /// Opens a workbook. Returns nil with the reasons when it cannot be read; warnings may
    /// come with a workbook that opens.
    public static func open(
        bytes: [UInt8], file: String, limits: WorkbookLimits = WorkbookLimits()
    ) -> (Workbook?, [Diagnostic]) {
        if let d = FileSniffer.refusal(bytes, file: file) { return (nil, [d]) }
        let (archive, zipDiags) = ZipArchive.open(bytes, file: file, limits: limits)
        guard let archive else { return (nil, zipDiags) }
        var diags = zipDiags
        if let d = FileSniffer.refusal(archive) { return (nil, diags + [d]) }
        var package = PackageReader(archive: archive)
        guard let wb = package.readWorkbook() else { return (nil, diags + package.diagnostics) }
        diags += package.diagnostics
        if diags.contains(where: { $0.severity == .error }) { return (nil, diags) }
        return (wb, diags)
    }

    /// The sheet with this name: exact first, then ignoring case as Excel does.
    public func sheet(named name: String) -> SheetInfo? {
        sheets.first { $0.name == name } ?? sheets.first { $0.name.lowercased() == name.lowercased() }
    }

    /// Reads one sheet's cells. Returns nil with the reasons when the sheet cannot be read
    /// (its part is missing or malformed, or it goes over a limit); reading stops at the first
    /// structural error, since what follows it cannot be placed with confidence.
    public func read(_ sheet: SheetInfo) -> (Worksheet?, [Diagnostic]) {
        let at = SourceLocation(file: file, sheet: sheet.name)
        guard sheet.kind == .worksheet, let part = sheet.part else {
            return (
                nil,
                [
                    Diagnostic(
                        "workbook.not-a-worksheet", .error, "sheet is a chart or dialog sheet, not a grid of cells",
                        at: at)
                ]
            )
        }
        switch archive.contents(ofEntryNamed: part) {
        case .failure(var d):
            d.notes.append("the sheet \(sheet.name) is stored in the part \(part)")
            return (nil, [d])
        case .success(let xml):
            var parser = SheetParser(workbook: self, sheet: sheet, part: part)
            return parser.parse(xml)
        }
    }
}

/// Tells apart what is not an .xlsx before or just after the zip is opened, so the user is told
/// what to do: an Excel 97–2003 `.xls` or a password-protected workbook (both OLE2 compound
/// files), an OpenDocument spreadsheet, a binary `.xlsb`, a CSV or other text.
enum FileSniffer {
    static let ole2Magic: [UInt8] = [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]

    static func refusal(_ b: [UInt8], file: String) -> Diagnostic? {
        let at = SourceLocation(file: file)
        if b.isEmpty {
            return Diagnostic("workbook.empty-file", .error, "file is empty; expected an .xlsx workbook", at: at)
        }
        if b.starts(with: ole2Magic) {
            // An encrypted OOXML workbook is an OLE2 file holding the streams EncryptionInfo and
            // EncryptedPackage; directory entry names are UTF-16LE.
            if contains(b, utf16le: "EncryptionInfo") || contains(b, utf16le: "EncryptedPackage") {
                return Diagnostic(
                    "workbook.encrypted", .error,
                    "workbook is protected with a password (encrypted), so it cannot be read", at: at,
                    help:
                        "remove the password (Excel: ファイル > 情報 > ブックの保護 > パスワードを使用して暗号化, clear it; File > Info > "
                        + "Protect Workbook > Encrypt with Password) and save again"
                )
            }
            return Diagnostic(
                "workbook.legacy-xls", .error,
                "file is an Excel 97–2003 workbook (.xls), an old binary format tenken does not read", at: at,
                help: "save it as .xlsx (名前を付けて保存 > Excel ブック (*.xlsx); Save As > Excel Workbook)")
        }
        if b.starts(with: [0x50, 0x4B, 0x03, 0x04]) || b.starts(with: [0x50, 0x4B, 0x05, 0x06]) { return nil }
        if b.count >= 4, b.starts(with: [0x50, 0x4B]) { return nil }
        let head = b.prefix(512)
        let textual = head.allSatisfy { $0 >= 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 >= 0x80 }
        if textual {
            return Diagnostic(
                "workbook.not-xlsx", .error, "file is text (a CSV or XML file?), not an .xlsx workbook", at: at,
                help: "give a folder of CSV tables as a folder, or save the workbook as .xlsx")
        }
        // Not a zip at the front; the end record may still be found (a self-extracting
        // archive), so the zip reader decides.
        return nil
    }

    static func refusal(_ zip: ZipArchive) -> Diagnostic? {
        let at = SourceLocation(file: zip.file)
        if let m = zip.entry(named: "mimetype"), case .success(let t) = zip.contents(of: m),
            String(decoding: t, as: UTF8.self).hasPrefix("application/vnd.oasis.opendocument")
        {
            return Diagnostic(
                "workbook.not-xlsx", .error, "file is an OpenDocument file (.ods), not an .xlsx workbook", at: at,
                help: "save it as .xlsx (Excel 2007-365) in LibreOffice")
        }
        if zip.entry(named: "xl/workbook.bin") != nil {
            return Diagnostic(
                "workbook.not-xlsx", .error, "file is an Excel binary workbook (.xlsb), which tenken does not read",
                at: at,
                help: "save it as .xlsx (Excel ブック; Excel Workbook)")
        }
        if zip.entry(named: "[Content_Types].xml") == nil {
            return Diagnostic(
                "workbook.not-xlsx", .error,
                "file is a zip archive but not an Office Open XML workbook (it has no [Content_Types].xml)", at: at,
                help: "save the workbook as .xlsx in a spreadsheet program")
        }
        return nil
    }

    static func contains(_ b: [UInt8], utf16le s: String) -> Bool {
        let needle = s.utf16.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        guard let first = needle.first, b.count >= needle.count else { return false }
        var i = 0
        let last = b.count - needle.count
        while i <= last {
            if b[i] == first {
                var j = 1
                while j < needle.count, b[i + j] == needle[j] { j += 1 }
                if j == needle.count { return true }
            }
            i += 1
        }
        return false
    }
}
