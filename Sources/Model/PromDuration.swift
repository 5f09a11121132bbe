/// A non-negative span of time as Prometheus writes it: `1h30m`, `15s`, `0`, `2w`.
///
/// Parsing follows Prometheus' `model.ParseDuration`: integer counts only, units `y w d h m s
/// ms` in strictly descending order (so `1m1d` is an error rather than a month), a year of
/// 365 days, a bare `0` allowed, and a total that must fit Go's `time.Duration` (int64 ns).
/// Formatting follows `model.Duration.String()`: millisecond precision, years and weeks only
/// when they divide the value exactly (`90d`, not `12w6d`), `0s` for zero.
package struct PromDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The length in nanoseconds, as Go's `time.Duration` stores it.
    package var nanoseconds: Int64

    package init(nanoseconds: Int64) {
        self.nanoseconds = nanoseconds
    }

    /// A duration of whole seconds.
    package static func seconds(_ value: Int64) -> PromDuration {
        PromDuration(nanoseconds: value * 1_000_000_000)
    }

    /// A duration of whole minutes.
    package static func minutes(_ value: Int64) -> PromDuration {
        PromDuration(nanoseconds: value * 60_000_000_000)
    }

    /// A duration of whole hours.
    package static func hours(_ value: Int64) -> PromDuration {
        PromDuration(nanoseconds: value * 3_600_000_000_000)
    }

    package static let zero = PromDuration(nanoseconds: 0)

    /// The length in whole milliseconds (Prometheus' timestamp unit), truncated.
    package var milliseconds: Int64 { nanoseconds / 1_000_000 }

    /// The length as a Swift `Duration`.
    package var duration: Duration { .nanoseconds(nanoseconds) }

    package static func < (lhs: PromDuration, rhs: PromDuration) -> Bool {
        lhs.nanoseconds < rhs.nanoseconds
    }

    /// Units with their order (larger units first) and length in nanoseconds.
    private static let units: [String: (position: Int, nanoseconds: UInt64)] = [
        "ms": (7, 1_000_000),
        "s": (6, 1_000_000_000),
        "m": (5, 60_000_000_000),
        "h": (4, 3_600_000_000_000),
        "d": (3, 86_400_000_000_000),
        "w": (2, 604_800_000_000_000),
        "y": (1, 31_536_000_000_000_000),
    ]

    /// Parses Prometheus duration text; see the type's comment for the grammar.
    package init(parsing text: String) throws(ModelError) {
        if text == "0" {
            self.init(nanoseconds: 0)
            return
        }
        if text.isEmpty { throw .emptyDuration }
        let bytes = Array(text.utf8)
        var index = 0
        var total: UInt64 = 0
        var lastPosition = 0
        func isDigit(_ byte: UInt8) -> Bool { byte >= 0x30 && byte <= 0x39 }
        while index < bytes.count {
            guard isDigit(bytes[index]) else { throw .invalidDuration(text) }
            var count: UInt64 = 0
            while index < bytes.count, isDigit(bytes[index]) {
                // Go's ParseUint fails on overflow, which ParseDuration reports as invalid.
                let (times10, overflowA) = count.multipliedReportingOverflow(by: 10)
                let (next, overflowB) = times10.addingReportingOverflow(UInt64(bytes[index] - 0x30))
                if overflowA || overflowB { throw .invalidDuration(text) }
                count = next
                index += 1
            }
            let unitStart = index
            while index < bytes.count, !isDigit(bytes[index]) { index += 1 }
            guard index > unitStart else { throw .invalidDuration(text) }
            let unit = String(decoding: bytes[unitStart..<index], as: UTF8.self)
            guard let (position, scale) = Self.units[unit] else {
                throw .unknownDurationUnit(unit: unit, in: text)
            }
            guard position > lastPosition else { throw .invalidDuration(text) }
            lastPosition = position
            if count > (UInt64(1) << 63) / scale { throw .durationOutOfRange }
            total += count * scale
            if total > UInt64(Int64.max) { throw .durationOutOfRange }
        }
        self.init(nanoseconds: Int64(total))
    }

    /// Prometheus' rendering, e.g. `1h30m`, `1d`, `2w`, `1y`, `500ms`, `0s`.
    package var description: String {
        var ms = nanoseconds / 1_000_000
        if ms == 0 { return "0s" }
        var sign = ""
        if ms < 0 {
            sign = "-"
            ms = -ms
        }
        var out = ""
        func emit(_ unit: String, _ scale: Int64, exactOnly: Bool) {
            if exactOnly && ms % scale != 0 { return }
            let count = ms / scale
            if count > 0 {
                out += "\(count)\(unit)"
                ms -= count * scale
            }
        }
        emit("y", 31_536_000_000, exactOnly: true)
        emit("w", 604_800_000, exactOnly: true)
        emit("d", 86_400_000, exactOnly: false)
        emit("h", 3_600_000, exactOnly: false)
        emit("m", 60_000, exactOnly: false)
        emit("s", 1_000, exactOnly: false)
        emit("ms", 1, exactOnly: false)
        return sign + out
    }
}
