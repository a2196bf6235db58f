import TenkenData
import TenkenSyntax

/// Reads a CSV report back (tests use it to check quoting round-trips).
public enum CSVReaderBridge {
    public static func parse(_ text: String) -> (Int, [Diagnostic]) {
        var bytes = Array(text.utf8)
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        let (t, d) = CSVReader.parse(utf8: bytes, file: "report.csv")
        return (t?.rows.count ?? 0, d)
    }
}

import TenkenReport

/// Lets tests validate XML without importing the C module themselves.
public enum TenkenReportBridge {
    public static func validate(_ xml: String, _ xsd: String) -> [String] { XMLValidation.validate(xml: xml, xsd: xsd) }
}
