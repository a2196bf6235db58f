import TenkenCheck
import TenkenData
import TenkenEval
import TenkenSyntax

/// One row per rule (per facility in batch use), UTF-8 with a BOM so Japanese Excel opens it,
/// RFC 4180 quoting, and cells neutralised against formula injection.
public enum CSVReport {
    public static let header = [
        "facility_id", "as_of", "pack_version", "provider_profile_as_of", "rule", "catalog_ids", "level", "category",
        "scope", "state",
        "violations", "first_element", "first_message", "first_location", "reason", "title", "remediation",
    ]

    public static func rows(_ r: ReportInput) -> [[String]] {
        // Items the pack does not check get a row too, so a spreadsheet of the report is complete.
        let profileDate = r.result.providerProfile.map { $0.asOf?.description ?? "" } ?? ""
        let outOfScope = r.result.pack.outOfScope.map { o in
            [
                r.result.facilityID, r.result.asOf.description, r.result.pack.version, profileDate, "", o.id, "", "",
                "", "out-of-scope", "0", "", "", "", o.reason, "", "",
            ]
        }
        // So do the input's warnings (a field or table not read): state `input-warning`, the
        // warning's id as the rule, its message and place as the first finding's.
        let warnings = r.result.inputWarnings.map { d in
            [
                r.result.facilityID, r.result.asOf.description, r.result.pack.version, profileDate, d.id, "", "", "",
                "", "input-warning", "0", "",
                d.message, d.location?.description ?? "", d.help ?? "", "", "",
            ]
        }
        return outOfScope + warnings
            + r.items.map { rule, result in
                let v = result.violations.first ?? result.undetermined.first
                return [
                    r.result.facilityID, r.result.asOf.description, r.result.pack.version,
                    profileDate, rule.id, rule.implements.joined(separator: " "),
                    rule.level.rawValue, rule.category?.rawValue ?? "", rule.scope?.rawValue ?? "",
                    result.state.rawValue,
                    String(result.violationCount + result.undeterminedCount),
                    v?.element ?? "", v.map { r.lang.pick($0.message) } ?? "", v?.location?.description ?? "",
                    result.reason.map(r.lang.pick) ?? "", r.lang.pick(rule.title), r.lang.pick(rule.remediation),
                ]
            }
    }

    /// One CSV line of a report. Control characters from inputs (an ESC sequence in a folder
    /// name that retitles the terminal of whoever `cat`s the file, a newline that forges a
    /// row) are shown escaped, as on the terminal (`SafeText.terminal`); the line ends CRLF.
    public static func line(_ cells: [String]) -> String {
        cells.map { CSVCell.escape(SafeText.terminal($0)) }.joined(separator: ",") + "\r\n"
    }

    /// `line`'s cell appended to a row being built as bytes, after a comma unless it is the
    /// row's first; `endLine` ends the row as `line` does.
    static func append(_ cell: String, to row: inout [UInt8], first: Bool = false) {
        if !first { row.append(0x2C) }
        let plain =
            cell.utf8.withContiguousStorageIfAvailable { b -> Bool in
                guard CSVCell.isPlain(b) else { return false }
                row.append(contentsOf: b)
                return true
            } ?? false
        if !plain { row.append(contentsOf: CSVCell.escape(SafeText.terminal(cell)).utf8) }
    }

    static func endLine(_ row: inout [UInt8]) { row.append(contentsOf: [0x0D, 0x0A]) }

    public static func render(_ r: ReportInput, bom: Bool = true, withHeader: Bool = true) -> String {
        (bom ? "\u{FEFF}" : "") + (withHeader ? line(header) : "") + rows(r).map(line).joined()
    }
}
