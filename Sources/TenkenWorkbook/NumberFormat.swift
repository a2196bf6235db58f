import TenkenSyntax

/// What a cell's number format makes of the number it holds. A spreadsheet stores a date as a
/// number of days (a "serial"); only the cell's number format says that it is one.
enum NumberFormatClass: Sendable, Equatable {
    /// A plain number.
    case number
    /// A date (with or without a time of day).
    case date
    /// A time of day or a duration, with no date part (`h:mm`, `[h]:mm:ss`).
    case time

    /// Built-in formats (ECMA-376 Part 1, §18.8.30) that show dates or times: 14–22 and
    /// 45–47 everywhere; 27–36 and 50–58 are the East Asian built-ins, which Japanese Excel
    /// shows as `ge.m.d`, `yyyy"年"m"月"d"日"`, `h"時"mm"分"` and the like.
    static func builtIn(_ id: Int) -> NumberFormatClass {
        switch id {
        case 14...17, 22, 27...31, 34...36, 50...58: .date
        case 18...21, 32, 33, 45...47: .time
        default: .number
        }
    }

    /// Classifies a format code by its tokens outside quoted text, `\`-escaped and `_`/`*`
    /// padding characters, and brackets (colours, conditions, locales such as `[$-411]`); the
    /// elapsed-time brackets `[h]`, `[mm]`, `[ss]` count as time. A date part is `y`, `d`,
    /// `g` (Japanese era), `e` (era year, when not the exponent of `0.0E+00`) or `m` without a
    /// neighbouring hour or second (then it is minutes).
    static func classify(code: String) -> NumberFormatClass {
        let chars = Array(code.lowercased().unicodeScalars)
        var date = false, time = false, month = false
        var i = 0
        // Whether the last date/time token seen was an hour, to tell minutes from months.
        var afterHour = false
        while i < chars.count {
            let c = chars[i]
            switch c {
            case "\"":
                i += 1
                while i < chars.count, chars[i] != "\"" { i += 1 }
            case "\\", "_", "*":
                i += 1
            case "[":
                var j = i + 1
                var inner: [Unicode.Scalar] = []
                while j < chars.count, chars[j] != "]" { inner.append(chars[j]); j += 1 }
                if !inner.isEmpty, inner.allSatisfy({ $0 == "h" || $0 == "m" || $0 == "s" }) {
                    time = true; afterHour = inner.first == "h"
                }
                i = j
            case ";":
                // The first section formats positive numbers, which is what a date's serial
                // is; the others (negative, zero, and the text section `@` Japanese Excel
                // appends to its date formats, `yyyy/m/d;@`) do not change how it shows.
                i = chars.count
                continue
            case "g" where matches(chars, at: i, "general"):
                i += 6
            case "a" where matches(chars, at: i, "am/pm"):
                i += 4
            case "a" where matches(chars, at: i, "a/p"):
                i += 2
            case "y", "d", "g":
                date = true; afterHour = false
            case "e":
                let next = i + 1 < chars.count ? chars[i + 1] : " "
                if next != "+" && next != "-" { date = true }
            case "h":
                time = true; afterHour = true
            case "s":
                time = true
            // `mm:ss`: the m before the seconds was minutes, not a month.
            case "m":
                var j = i
                while j < chars.count, chars[j] == "m" { j += 1 }
                var k = j
                while k < chars.count, chars[k] == ":" || chars[k] == " " || chars[k] == "." { k += 1 }
                let beforeSeconds = k < chars.count && chars[k] == "s"
                if afterHour || beforeSeconds { time = true } else { month = true }
                afterHour = false
                i = j - 1
            case "@":
                // A text format in the first section: its cells are not dates.
                return .number
            default:
                break
            }
            i += 1
        }
        if date || month { return .date }
        return time ? .time : .number
    }

    static func matches(_ chars: [Unicode.Scalar], at i: Int, _ word: String) -> Bool {
        let w = Array(word.unicodeScalars)
        return i + w.count <= chars.count && Array(chars[i..<(i + w.count)]) == w
    }
}

/// Converts spreadsheet serial numbers to calendar dates. The 1900 date system counts
/// 1900-01-01 as day 1 and keeps Lotus 1-2-3's phantom 1900-02-29 as day 60, so serials from
/// 61 on are one day ahead of a plain count; the 1904 system (old Mac Excel, `date1904`)
/// counts 1904-01-01 as day 0.
public enum DateSerial {
    static func daysFromCivil(_ y: Int, _ m: Int, _ d: Int) -> Int { CivilCalendar.days(year: y, month: m, day: d) }

    static func civilFromDays(_ z: Int) -> (Int, Int, Int) { CivilCalendar.date(days: z) }

    static let epoch1899_12_30 = daysFromCivil(1899, 12, 30)
    static let epoch1904_01_01 = daysFromCivil(1904, 1, 1)
    /// The last serial Excel shows as a date: 9999-12-31.
    static let maxSerial1900 = 2_958_465

    /// The date a whole serial stands for, as `YYYY-MM-DD`. Day 60 of the 1900 system is the
    /// phantom `1900-02-29` and day 0 is `1900-01-00`, as Excel shows them; the table loader
    /// then refuses them as dates that do not exist. Nil for serials Excel cannot show as
    /// dates (negative, or past 9999-12-31).
    public static func isoDate(serialDay n: Int, date1904: Bool) -> String? {
        if date1904 {
            guard n >= 0, n <= maxSerial1900 - 1462 else { return nil }
            let (y, m, d) = civilFromDays(epoch1904_01_01 + n)
            return iso(y, m, d)
        }
        guard n >= 0, n <= maxSerial1900 else { return nil }
        switch n {
        case 0: return "1900-01-00"
        case 60: return "1900-02-29"
        case 1..<60:
            let (y, m, d) = civilFromDays(epoch1899_12_30 + n + 1)
            return iso(y, m, d)
        default:
            let (y, m, d) = civilFromDays(epoch1899_12_30 + n)
            return iso(y, m, d)
        }
    }

    /// The serial of a date in the 1900 system, for dates from 1900-03-01 on (earlier dates
    /// sit on the wrong side of the phantom leap day and are written as text instead).
    public static func serial(year: Int, month: Int, day: Int) -> Int? {
        guard (1...12).contains(month), (1...31).contains(day), year <= 9999,
            (year, month) >= (1900, 3)
        else { return nil }
        let days = daysFromCivil(year, month, day)
        // Reject days past the month's end (2023-02-30) by converting back.
        let (y, m, d) = civilFromDays(days)
        guard (y, m, d) == (year, month, day) else { return nil }
        return days - epoch1899_12_30
    }

    static func iso(_ y: Int, _ m: Int, _ d: Int) -> String {
        guard (0...9999).contains(y), (0...99).contains(m), (0...99).contains(d) else {
            return pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
        }
        // Every cell of a date column passes here: ten bytes, no intermediate strings.
        let bytes: [UInt8] = [
            UInt8(48 + y / 1000), UInt8(48 + y / 100 % 10), UInt8(48 + y / 10 % 10), UInt8(48 + y % 10), 45,
            UInt8(48 + m / 10), UInt8(48 + m % 10), 45, UInt8(48 + d / 10), UInt8(48 + d % 10),
        ]
        return String(decoding: bytes, as: UTF8.self)
    }

    static func pad(_ n: Int, _ width: Int) -> String {
        let s = String(n)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// A fraction of a day as `HH:MM` (with `:SS` when the seconds are not zero), rounded to
    /// the nearest second. Hours may pass 23 when `elapsed`.
    static func clock(seconds total: Int) -> String {
        let h = total / 3600, m = total / 60 % 60, s = total % 60
        return pad(h, 2) + ":" + pad(m, 2) + (s != 0 ? ":" + pad(s, 2) : "")
    }

    /// A date or time cell's text as the tables hold it: `YYYY-MM-DD` for a whole day,
    /// `YYYY-MM-DD HH:MM[:SS]` when it has a time of day (which the table loader then refuses
    /// in a date column, as it refuses such CSV cells), `HH:MM[:SS]` for a time format.
    /// Nil when the serial is out of a date's range.
    static func text(serial x: Double, as cls: NumberFormatClass, date1904: Bool) -> String? {
        guard x.isFinite, x >= 0, x < Double(maxSerial1900 + 1) else { return nil }
        var day = Int(x.rounded(.down))
        var seconds = Int(((x - Double(day)) * 86_400).rounded())
        if seconds >= 86_400 { day += 1; seconds -= 86_400 }
        if cls == .time { return clock(seconds: day * 86_400 + seconds) }
        guard let d = isoDate(serialDay: day, date1904: date1904) else { return nil }
        return seconds == 0 ? d : d + " " + clock(seconds: seconds)
    }
}
