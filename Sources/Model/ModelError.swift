/// Errors from parsing the shared vocabulary types (durations, names).
///
/// `description` uses Prometheus' own wording, because configuration files and API parameters
/// written for Prometheus must fail with messages their users recognise.
package enum ModelError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The duration text was empty.
    case emptyDuration
    /// The duration text is not `<int><unit>…` with units in descending order.
    case invalidDuration(String)
    /// A duration component used a unit other than y, w, d, h, m, s, ms.
    case unknownDurationUnit(unit: String, in: String)
    /// The duration does not fit in 63 bits of nanoseconds (about 292 years).
    case durationOutOfRange

    package var description: String {
        switch self {
        case .emptyDuration:
            return "empty duration string"
        case .invalidDuration(let text):
            return "not a valid duration string: \(goQuoted(text))"
        case .unknownDurationUnit(let unit, let text):
            return "unknown unit \(goQuoted(unit)) in duration \(goQuoted(text))"
        case .durationOutOfRange:
            return "duration out of range"
        }
    }
}
