import Glibc
import Model

/// Time and duration query parameters, parsed as Prometheus' `web/api/v1` does: Unix seconds
/// as a float (rounded to milliseconds) or RFC 3339 with optional fraction and zone offset; a
/// duration as float seconds or a Prometheus duration (`5m`, `1h30m`).
package enum TimeParameters {
    /// Prometheus' lowest and highest representable times, in milliseconds.
    package static let minTimeMs: Int64 = (Int64.min / 1000 + 62_135_596_801) * 1000
    package static let maxTimeMs: Int64 = (Int64.max / 1000 - 62_135_596_801) * 1000 + 999

    /// The RFC 3339 spellings of those bounds that clients (Grafana, promtool) send.
    package static let minTimeFormatted = "-292273086-05-16T16:47:06Z"
    package static let maxTimeFormatted = "292277025-08-18T07:12:54.999999999Z"

    /// Parses a timestamp parameter to milliseconds; the error text is Prometheus'.
    package static func parseTime(_ s: String) throws(APIError) -> Int64 {
        if let f = goParseFloat(s) {
            guard f.isFinite else { throw APIError(.badData, "cannot parse \(goQuoted(s)) to a valid timestamp") }
            let whole = f.rounded(.towardZero)
            let frac = ((f - whole) * 1000).rounded() / 1000
            let ms = whole * 1000 + frac * 1000
            guard ms > -9.2e18, ms < 9.2e18 else { throw APIError(.badData, "cannot parse \(goQuoted(s)) to a valid timestamp") }
            return Int64(ms.rounded())
        }
        if let t = parseRFC3339(s) { return t }
        if s == minTimeFormatted { return minTimeMs }
        if s == maxTimeFormatted { return maxTimeMs }
        throw APIError(.badData, "cannot parse \(goQuoted(s)) to a valid timestamp")
    }

    /// Parses a duration parameter (`step`, `timeout`, `lookback_delta`) to milliseconds.
    package static func parseDuration(_ s: String) throws(APIError) -> Int64 {
        if let f = goParseFloat(s) {
            let ns = f * 1e9
            guard ns.isFinite, ns < 9.223372036854775807e18, ns > -9.223372036854775808e18 else {
                throw APIError(.badData, "cannot parse \(goQuoted(s)) to a valid duration. It overflows int64")
            }
            return Int64(ns) / 1_000_000
        }
        if let d = try? PromDuration(parsing: s) { return d.milliseconds }
        throw APIError(.badData, "cannot parse \(goQuoted(s)) to a valid duration")
    }

    /// Go's `strconv.ParseFloat(s, 64)` for the forms clients send: decimal with optional
    /// exponent, `Inf`/`Infinity`/`NaN` in any case with a sign. Nil when not a number.
    static func goParseFloat(_ s: String) -> Double? {
        guard !s.isEmpty, s.utf8.count < 400 else { return nil }
        let lower = s.lowercased()
        var body = Substring(lower)
        var negative = false
        if body.first == "+" || body.first == "-" { negative = body.first == "-"; body = body.dropFirst() }
        if body == "inf" || body == "infinity" { return negative ? -.infinity : .infinity }
        if body == "nan" { return .nan }
        // Only digits, one '.', and an exponent; hex floats and underscores are left out on purpose.
        var sawDigit = false, sawDot = false, sawExp = false
        var prev: Character = " "
        for c in body {
            switch c {
            case "0" ... "9": sawDigit = true
            case ".": if sawDot || sawExp { return nil }; sawDot = true
            case "e": if sawExp || !sawDigit { return nil }; sawExp = true
            case "+", "-": if prev != "e" { return nil }
            default: return nil
            }
            prev = c
        }
        guard sawDigit, prev != "e", prev != "+", prev != "-" else { return nil }
        return Double(s)
    }

    /// RFC 3339 (`2006-01-02T15:04:05.999999999Z07:00`, as Go's `time.RFC3339Nano` accepts it)
    /// to milliseconds, truncating below the millisecond as Prometheus' `timestamp.FromTime` does.
    static func parseRFC3339(_ s: String) -> Int64? {
        let b = Array(s.utf8)
        func num(_ from: Int, _ count: Int) -> Int? {
            guard from + count <= b.count else { return nil }
            var v = 0
            for i in from ..< from + count {
                guard b[i] >= 48, b[i] <= 57 else { return nil }
                v = v * 10 + Int(b[i] - 48)
            }
            return v
        }
        guard b.count >= 20, let year = num(0, 4), b[4] == UInt8(ascii: "-"), let month = num(5, 2),
              b[7] == UInt8(ascii: "-"), let day = num(8, 2), b[10] == UInt8(ascii: "T") || b[10] == UInt8(ascii: "t"),
              let hour = num(11, 2), b[13] == UInt8(ascii: ":"), let minute = num(14, 2), b[16] == UInt8(ascii: ":"),
              let second = num(17, 2) else { return nil }
        guard (1 ... 12).contains(month), day >= 1, day <= daysIn(month: month, year: year),
              hour < 24, minute < 60, second < 60 else { return nil }
        var i = 19
        var nanos = 0
        if i < b.count, b[i] == UInt8(ascii: ".") {
            i += 1
            var digits = 0
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                if digits < 9 { nanos = nanos * 10 + Int(b[i] - 48) }
                digits += 1
                i += 1
            }
            guard digits > 0 else { return nil }
            for _ in digits ..< 9 where digits < 9 { nanos *= 10 }
        }
        guard i < b.count else { return nil }
        var offsetSeconds = 0
        if b[i] == UInt8(ascii: "Z") || b[i] == UInt8(ascii: "z") {
            i += 1
        } else if b[i] == UInt8(ascii: "+") || b[i] == UInt8(ascii: "-") {
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == UInt8(ascii: ":"), let om = num(i + 4, 2),
                  oh < 24, om < 60 else { return nil }
            offsetSeconds = (oh * 3600 + om * 60) * (b[i] == UInt8(ascii: "-") ? -1 : 1)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = daysFromCivil(year: year, month: month, day: day)
        let seconds = Int64(days) * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offsetSeconds)
        return seconds * 1000 + Int64(nanos / 1_000_000)
    }

    static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// Days since 1970-01-01 for a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let mp = (month + 9) % 12
        let doy = (153 * mp + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }
}
