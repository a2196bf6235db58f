import Testing

@testable import TenkenSyntax

// Swift Testing has a SourceLocation of its own.
typealias SourceLocation = TenkenSyntax.SourceLocation

struct SourceLocationTests {
    @Test(arguments: [
        (SourceLocation(file: "r.tenken", line: 3, column: 7), "r.tenken:3:7"),
        (SourceLocation(file: "staff.csv", line: 5, column: 36, path: "誓約書署名日"), "staff.csv:5:36 [誓約書署名日]"),
        (SourceLocation(file: "s.json", line: 1, column: 2, path: "/staff/0/id"), "s.json:1:2#/staff/0/id"),
        // A workbook cell reads as Excel names it: the tab, then the cell.
        (SourceLocation(file: "clinic.xlsx", line: 5, column: 6, sheet: "職員"), "clinic.xlsx [職員] F5"),
        (
            SourceLocation(file: "clinic.xlsx", line: 5, column: 6, path: "誓約書署名日", sheet: "職員"),
            "clinic.xlsx [職員] F5 [誓約書署名日]"
        ),
        (SourceLocation(file: "clinic.xlsx", line: 12, sheet: "端末"), "clinic.xlsx [端末] row 12"),
        (SourceLocation(file: "clinic.xlsx", sheet: "端末"), "clinic.xlsx [端末]"),
        (SourceLocation(file: "clinic.xlsx", line: 1, column: 16384, sheet: "x"), "clinic.xlsx [x] XFD1"),
    ])
    func description(_ l: SourceLocation, _ text: String) {
        #expect(l.description == text)
    }

    @Test func columnLetters() {
        #expect(
            [1, 26, 27, 52, 53, 702, 703, 16384].map(SourceLocation.columnLetters) == [
                "A", "Z", "AA", "AZ", "BA", "ZZ", "AAA", "XFD",
            ])
        #expect(SourceLocation.columnLetters(0) == "")
    }

    @Test func cellsOfOneSheetSortByRowThenColumn() {
        let a = SourceLocation(file: "b.xlsx", line: 2, column: 9, sheet: "s")
        let b = SourceLocation(file: "b.xlsx", line: 10, column: 1, sheet: "s")
        #expect(a < b)
    }
}
