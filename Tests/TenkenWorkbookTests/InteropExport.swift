import Foundation
import TenkenSyntax
import Testing

@testable import TenkenWorkbook

/// The sample workbook of scripts/workbook-interop.sh, which opens it in LibreOffice and
/// openpyxl. Runs only when `TENKEN_INTEROP_OUT` names a folder; it writes there:
/// - `sample.xlsx`, made by `WorkbookWriter`;
/// - `expected/<sheet>.csv`, each sheet as tenken's reader reads it, padded and quoted as
///   LibreOffice's CSV export writes a sheet (booleans as LibreOffice shows them, TRUE/FALSE);
/// - `validations.tsv`: sheet, range, type, list formula and prompt title of every data
///   validation the writer was asked for;
/// - `appended.xlsx` and `expected-appended/<sheet>.csv`: the sample with two rows appended
///   to 職員 by `Workbook.appendingRows` (attest's path).
struct WorkbookInteropExport {
    static var sample: [SheetSpec] {
        let jobs = [
            "医師", "歯科医師", "看護師", "准看護師", "保健師", "助産師", "薬剤師", "療法士", "ケアマネジャー", "介護職員", "ソーシャルワーカー", "事務職員", "その他",
        ]
        let long = (1...30).map { "とても長い選択肢の名前その\($0)" }
        return [
            .guide(
                "説明",
                [
                    GuideLine("tenken 記入用ブック", .title), GuideLine(""), GuideLine("表ごとにシートがあります。", .heading),
                    GuideLine("1 行目の見出しを選ぶと、何を書くかが表示されます。日付は 2025-04-01 の形で入力します。"),
                ]),
            .table(
                "職員",
                columns: [
                    ColumnSpec(
                        header: "職員ID", format: .text, prompt: ValidationMessage(title: "職員ID", text: "仮名のID（氏名は書きません）")
                    ),
                    ColumnSpec(
                        header: "職種", format: .text, choices: jobs,
                        prompt: ValidationMessage(title: "職種", text: "一覧から選びます")),
                    ColumnSpec(
                        header: "入職日", format: .date, prompt: ValidationMessage(title: "入職日", text: "2025-04-01 の形")),
                    ColumnSpec(header: "MCS利用", format: .text, choices: ["はい", "いいえ"]),
                    ColumnSpec(header: "研修時間", format: .number),
                    ColumnSpec(header: "備考", format: .text),
                ],
                rows: [
                    [
                        .text("S-001"), .text("医師"), .date(year: 2020, month: 4, day: 1), .text("はい"), .number(1.5),
                        .text(""),
                    ],
                    [
                        .text("S-002"), .text("看護師"), .date(year: 2024, month: 2, day: 29), .text("いいえ"), .number(3),
                        .text("カンマ, と \"引用符\""),
                    ],
                    [.text("007"), .text("事務職員"), .empty, .bool(true), .number(0.1), .text("=1+1 は式ではなく文字")],
                    [],
                    [
                        .text("S-004"), .empty, .date(year: 1999, month: 12, day: 31), .bool(false), .number(-2),
                        .text("二行\n目"),
                    ],
                ]),
            .table(
                "端末",
                columns: [
                    ColumnSpec(header: "端末ID", format: .text),
                    ColumnSpec(header: "種別", format: .text, choices: long),
                    ColumnSpec(header: "返却日", format: .date),
                ], rows: [[.text("PC-01"), .text(long[0]), .date(year: 2025, month: 3, day: 31)]]),
            .table(
                "施設", columns: [ColumnSpec(header: "項目", format: .text), ColumnSpec(header: "値", format: .text)],
                rows: [[.text("facility.kind"), .text("診療所")], [.text("facility.uses_wifi"), .text("はい")]],
                validations: [
                    DataValidation(
                        rows: 2...2, columns: 2...2, choices: ["診療所", "病院", "薬局"],
                        prompt: ValidationMessage(title: "施設種別", text: "選びます")),
                    DataValidation(rows: 3...3, columns: 2...2, choices: ["はい", "いいえ"]),
                ]),
        ]
    }

    static func csvField(_ s: String) -> String {
        s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : s
    }

    @Test func export() throws {
        guard let out = ProcessInfo.processInfo.environment["TENKEN_INTEROP_OUT"] else { return }
        let dir = URL(fileURLWithPath: out)
        let bytes = try WorkbookWriter.write(Self.sample, file: "sample.xlsx").get()
        try Data(bytes).write(to: dir.appendingPathComponent("sample.xlsx"))
        let (wb, d) = Workbook.open(bytes: bytes, file: "sample.xlsx")
        #expect(d.isEmpty)
        let book = try #require(wb)
        try Self.expectations(book, to: dir.appendingPathComponent("expected"))
        let staff = try #require(book.sheet(named: "職員"))
        let appended = try book.appendingRows(
            [
                [
                    .text("S-005"), .text("薬剤師"), .date(year: 2026, month: 11, day: 30), .text("はい"), .number(2),
                    .text("追記"),
                ],
                [.text("S-006"), .empty, .date(year: 2026, month: 12, day: 1)],
            ], to: staff
        ).get()
        try Data(appended).write(to: dir.appendingPathComponent("appended.xlsx"))
        try Self.expectations(
            try #require(Workbook.open(bytes: appended, file: "appended.xlsx").0),
            to: dir.appendingPathComponent("expected-appended"))
        try Self.validations(dir)
    }

    /// Each sheet as LibreOffice's CSV export would write what tenken reads.
    static func expectations(_ book: Workbook, to dir: URL) throws {
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        for s in book.sheets {
            let ws = try #require(book.read(s).0)
            let width = ws.columnCount
            var lines: [String] = []
            var next = 1
            for r in ws.rows {
                while next < r.number { lines.append(String(repeating: ",", count: max(width - 1, 0))); next += 1 }
                var texts = r.texts(width: width)
                for c in r.cells where c.kind == .bool { texts[c.column - 1] = c.text.uppercased() }
                lines.append(texts.map(Self.csvField).joined(separator: ","))
                next = r.number + 1
            }
            try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: dir.appendingPathComponent("\(s.name).csv"))
        }
    }

    static func validations(_ dir: URL) throws {
        var tsv = ""
        for s in Self.sample {
            var vs = s.validations
            if case .table(let columns, _) = s.layout {
                for (i, c) in columns.enumerated() {
                    if let p = c.prompt {
                        vs.append(DataValidation(rows: 1...1, columns: (i + 1)...(i + 1), prompt: p))
                    }
                    if let ch = c.choices {
                        vs.append(DataValidation(rows: 2...1_048_576, columns: (i + 1)...(i + 1), choices: ch))
                    }
                }
            }
            for v in vs {
                let a = CellReference.name(row: v.firstRow, column: v.firstColumn),
                    b = CellReference.name(row: v.lastRow, column: v.lastColumn)
                tsv +=
                    [
                        s.name, a == b ? a : a + ":" + b, v.choices == nil ? "none" : "list",
                        v.choices?.joined(separator: "|") ?? "", v.prompt?.title ?? "",
                    ].joined(separator: "\t") + "\n"
            }
        }
        try Data(tsv.utf8).write(to: dir.appendingPathComponent("validations.tsv"))
    }
}
