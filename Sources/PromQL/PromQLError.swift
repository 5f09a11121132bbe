/// Every error the PromQL module reports. `description` uses Prometheus' wording, because API
/// clients and the test scripts match on it.
package enum PromQLError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A syntax or type error: `position` is `line:column` (1-based) of `range.start`.
    case parse(message: String, position: String, range: PositionRange)
    /// An evaluation error (many-to-many matching, duplicate label sets, bad parameters...).
    case execution(String)
    /// The query ran longer than its timeout.
    case timeout(String)
    /// The query was canceled through its cancellation hook.
    case canceled(String)
    /// The query would hold more samples in memory than the limit allows.
    case tooManySamples(String)
    /// The storage failed.
    case storage(String)

    /// Prometheus' text: `1:5: parse error: unexpected ...`, `query timed out in expression
    /// evaluation`, `query processing would load too many samples into memory in query
    /// execution`...
    package var description: String {
        switch self {
        case let .parse(message, position, _): "\(position): parse error: \(message)"
        case let .execution(m): m
        case let .timeout(env): "query timed out in \(env)"
        case let .canceled(env): "query was canceled in \(env)"
        case let .tooManySamples(env): "query processing would load too many samples into memory in \(env)"
        case let .storage(m): m
        }
    }

    /// The message of a parse error without its position (other errors: the description).
    package var message: String {
        if case let .parse(message, _, _) = self { return message }
        return description
    }
}
