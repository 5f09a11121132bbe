internal import Foundation
internal import Model

/// Calendar functions (`hour`, `day_of_week`, ...), in UTC.
extension Evaluator {
    /// Calendar fields of a Unix time in seconds, in UTC.
    struct CivilTime {
        var year: Int, month: Int, day: Int, hour: Int, minute: Int, weekday: Int, yearDay: Int

        init(unixSeconds s: Int64) {
            var days = s / 86400
            var rem = s % 86400
            if rem < 0 { rem += 86400; days -= 1 }
            hour = Int(rem / 3600)
            minute = Int(rem % 3600 / 60)
            // 1970-01-01 was a Thursday.
            weekday = Int(((days % 7) + 11) % 7)
            // Civil-from-days (proleptic Gregorian).
            let z = days + 719_468
            let era = (z >= 0 ? z : z - 146_096) / 146_097
            let doe = z - era * 146_097
            let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
            let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
            let mp = (5 * doy + 2) / 153
            day = Int(doy - (153 * mp + 2) / 5 + 1)
            month = Int(mp < 10 ? mp + 3 : mp - 9)
            year = Int(yoe + era * 400 + (month <= 2 ? 1 : 0))
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            let cumulative = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
            yearDay = cumulative[month - 1] + day + (leap && month > 2 ? 1 : 0)
        }

        var daysInMonth: Int {
            let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
            return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
        }
    }

    static let dateFunctions: [String: @Sendable (CivilTime) -> Double] = [
        "days_in_month": { Double($0.daysInMonth) },
        "day_of_month": { Double($0.day) },
        "day_of_week": { Double($0.weekday) },
        "day_of_year": { Double($0.yearDay) },
        "hour": { Double($0.hour) },
        "minute": { Double($0.minute) },
        "month": { Double($0.month) },
        "year": { Double($0.year) },
    ]

    /// Without an argument: the evaluation time; otherwise each element's value as seconds.
    static func dateFunction(_ input: [VectorElement]?, _ ts: Int64, _ f: (CivilTime) -> Double) -> [VectorElement] {
        guard let input else {
            return [VectorElement(labels: Labels(), v: f(CivilTime(unixSeconds: ts / 1000)))]
        }
        return input.map { e in
            // Go's int64(float) conversion: truncation; NaN and out-of-range give MinInt64.
            let secs: Int64 = (e.v.isNaN || e.v >= 9.2e18 || e.v <= -9.2e18) ? Int64.min : Int64(e.v.rounded(.towardZero))
            return VectorElement(labels: e.labels, v: f(CivilTime(unixSeconds: secs)), dropName: true)
        }
    }
}
