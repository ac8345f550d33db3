/// Timestamps as researchers' files hold them, turned into unix seconds.
///
/// Accepted forms:
/// - an integer or decimal number: unix seconds, or unix milliseconds when its magnitude is at
///   least 10¹¹ (10¹¹ s is the year 5138, 10¹¹ ms is March 1973); decimals are floored;
/// - ISO-8601 `YYYY-MM-DD`, optionally followed by `T` or a space and `HH:MM`, `HH:MM:SS` or
///   `HH:MM:SS.fff`, optionally followed by `Z`, `±HH`, `±HH:MM` or `±HHMM`. A time without a
///   zone is UTC; a date alone is midnight UTC. Fractions of a second are dropped.
public enum TimeParsing {
    /// Magnitude from which a number is read as milliseconds.
    public static let millisecondThreshold: Int64 = 100_000_000_000

    /// Parses `text` as a time in unix seconds, or nil when it is none of the accepted forms.
    public static func parse(_ text: String) -> Int64? {
        var t = text
        return t.withUTF8 { parse(UnsafeBufferPointer(start: $0.baseAddress, count: $0.count)) }
    }

    /// Parses the bytes of a field; leading and trailing spaces are allowed.
    public static func parse(_ bytes: UnsafeBufferPointer<UInt8>) -> Int64? {
        guard let base = bytes.baseAddress else { return nil }
        var lo = 0, hi = bytes.count
        while lo < hi, base[lo] == 0x20 { lo += 1 }
        while hi > lo, base[hi - 1] == 0x20 { hi -= 1 }
        guard lo < hi else { return nil }
        let s = UnsafeBufferPointer(start: base + lo, count: hi - lo)
        if s.count >= 10, s[4] == UInt8(ascii: "-"), isDigit(s[0]) { return parseISO(s) }
        return parseNumber(s)
    }

    @inline(__always) static func isDigit(_ c: UInt8) -> Bool { c &- 48 < 10 }

    /// Integer fast path, decimal (and exponent) through Double.
    static func parseNumber(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0, negative = false
        if s[0] == UInt8(ascii: "-") || s[0] == UInt8(ascii: "+") { negative = s[0] == UInt8(ascii: "-"); i = 1 }
        guard i < s.count else { return nil }
        var v: Int64 = 0, digits = 0
        while i < s.count, isDigit(s[i]) {
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (a, o2) = m.addingReportingOverflow(Int64(s[i] - 48))
            if o1 || o2 { return nil }
            v = a; i += 1; digits += 1
        }
        if i == s.count {
            guard digits > 0 else { return nil }
            let signed = negative ? -v : v
            return abs(signed) >= millisecondThreshold ? floorDiv(signed, 1000) : signed
        }
        // Decimal or exponent: the whole text must be a finite number.
        guard let d = Double(String(decoding: s, as: UTF8.self)), d.isFinite else { return nil }
        let seconds = abs(d) >= Double(millisecondThreshold) ? d / 1000 : d
        guard abs(seconds) < 9e15 else { return nil }
        return Int64(seconds.rounded(.down))
    }

    static func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
        let q = a / b
        return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
    }

    static func parseISO(_ s: UnsafeBufferPointer<UInt8>) -> Int64? {
        var i = 0
        func digits(_ n: Int) -> Int? {
            guard i + n <= s.count else { return nil }
            var v = 0
            for k in 0..<n {
                guard isDigit(s[i + k]) else { return nil }
                v = v * 10 + Int(s[i + k] - 48)
            }
            i += n
            return v
        }
        func expect(_ c: Character) -> Bool {
            guard i < s.count, s[i] == c.asciiValue! else { return false }
            i += 1
            return true
        }
        guard let year = digits(4), expect("-"), let month = digits(2), expect("-"), let day = digits(2) else { return nil }
        guard (1...12).contains(month), day >= 1, day <= daysIn(month: month, year: year) else { return nil }
        var hour = 0, minute = 0, second = 0, offset = 0
        if i < s.count, s[i] == UInt8(ascii: "T") || s[i] == UInt8(ascii: " ") {
            i += 1
            guard let h = digits(2), expect(":"), let m = digits(2) else { return nil }
            hour = h; minute = m
            if expect(":") {
                guard let sec = digits(2) else { return nil }
                second = sec
                if i < s.count, s[i] == UInt8(ascii: ".") || s[i] == UInt8(ascii: ",") {
                    i += 1
                    let start = i
                    while i < s.count, isDigit(s[i]) { i += 1 }
                    guard i > start else { return nil }
                }
            }
            guard hour <= 23, minute <= 59, second <= 60 else { return nil }
            if i < s.count {
                if s[i] == UInt8(ascii: "Z") || s[i] == UInt8(ascii: "z") {
                    i += 1
                } else if s[i] == UInt8(ascii: "+") || s[i] == UInt8(ascii: "-") {
                    let sign = s[i] == UInt8(ascii: "-") ? -1 : 1
                    i += 1
                    guard let oh = digits(2) else { return nil }
                    var om = 0
                    if expect(":") {
                        guard let m = digits(2) else { return nil }
                        om = m
                    } else if i < s.count {
                        guard let m = digits(2) else { return nil }
                        om = m
                    }
                    guard oh <= 23, om <= 59 else { return nil }
                    offset = sign * (oh * 3600 + om * 60)
                }
            }
        }
        guard i == s.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        return Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second - offset)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant, "chrono-Compatible
    /// Low-Level Date Algorithms", days_from_civil).
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
