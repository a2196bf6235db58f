/// Bounds on what a workbook may make the reader do. A workbook comes from outside the process,
/// so every size and count in it is checked against these before memory is committed; going
/// over one is a located error (`workbook.too-large`, `workbook.too-many` or
/// `workbook.compression-ratio`), never a crash or a hang.
///
/// The defaults sit far above a clinic's or a hospital's workbook (a 300-bed hospital's
/// tables are a few MiB of sheet XML) and far below what would exhaust a machine.
public struct WorkbookLimits: Sendable, Hashable {
    /// Entries in the zip container.
    public var maxEntries = 10_000
    /// Uncompressed bytes of one part (one sheet's XML, the shared strings, …).
    public var maxPartBytes = 256 << 20
    /// Uncompressed bytes of all parts together, as the zip's central directory declares them.
    public var maxTotalBytes = 1 << 30
    /// Uncompressed ÷ compressed size, checked for parts of at least `ratioFloorBytes`
    /// (small parts compress well without being bombs). Real sheet XML compresses 5–50×;
    /// deflate cannot exceed about 1,032×.
    public var maxCompressionRatio = 300
    public var ratioFloorBytes = 1 << 20
    /// Strings in the shared-string table, and their total UTF-8 bytes.
    public var maxSharedStrings = 1_000_000
    public var maxSharedStringBytes = 128 << 20
    /// UTF-8 bytes of one cell's text (Excel holds at most 32,767 characters in a cell).
    public var maxCellTextBytes = 128 << 10
    /// Rows and columns as Excel numbers them (its own maxima: 1,048,576 rows, 16,384 columns, XFD).
    public var maxRows = 1_048_576
    public var maxColumns = 16_384
    /// `<c>` elements in one sheet, empty ones included (they cost parse time).
    public var maxCells = 5_000_000
    /// Sheets in the workbook.
    public var maxSheets = 1_000

    public init() {}
}
