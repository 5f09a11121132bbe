/// Errors of the storage vocabulary: what an `Appender`, a `Querier` or a `Matcher` reports.
/// The wording of the rejection cases is Prometheus' (`storage/interface.go`), because clients
/// and dashboards match on it.
package enum StorageError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The sample is older than the newest one of its series.
    case outOfOrderSample(t: Int64, newest: Int64)
    /// A sample at the newest timestamp of its series with a different value.
    case duplicateSampleForTimestamp(t: Int64)
    /// The sample is older than anything the storage still accepts (the head was truncated past it).
    case outOfBounds(t: Int64, minValid: Int64)
    /// Outside the out-of-order window (reserved until out-of-order ingestion exists).
    case tooOldSample(t: Int64)
    /// Out-of-order ingestion was requested but is not implemented yet.
    case outOfOrderNotSupported
    /// An append named neither a known series reference nor any labels.
    case unknownSeriesRef(SeriesRef)
    /// An append gave an empty label set.
    case emptyLabels
    /// A regex matcher whose pattern does not compile.
    case invalidRegex(pattern: String, reason: String)
    /// The storage was closed.
    case closed
    /// An I/O or corruption failure below the storage interface, with the lower layer's text.
    case io(String)

    /// Prometheus' wording, with the context.
    package var description: String {
        switch self {
        case let .outOfOrderSample(t, newest): "out of order sample (timestamp \(t), newest \(newest))"
        case let .duplicateSampleForTimestamp(t): "duplicate sample for timestamp (timestamp \(t))"
        case let .outOfBounds(t, minValid): "out of bounds (timestamp \(t), minimum valid \(minValid))"
        case let .tooOldSample(t): "too old sample (timestamp \(t))"
        case .outOfOrderNotSupported: "out-of-order ingestion (out_of_order_time_window > 0) is not supported yet"
        case let .unknownSeriesRef(ref): "unknown series reference \(ref.rawValue) and no labels given"
        case .emptyLabels: "empty labelset"
        case let .invalidRegex(_, reason): reason
        case .closed: "storage closed"
        case let .io(text): text
        }
    }
}
