import Model

/// Why a relabel rule could not be compiled or a discovered target could not become a scrape
/// target. Messages use Prometheus' wording (`PopulateLabels`, `relabel.NewRegexp`), because
/// they surface in logs and the targets API next to Prometheus-trained eyes.
package enum ScrapeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule's regex does not compile with ICU (config validation should have caught it).
    case invalidRegex(String)
    /// After relabeling, the target has no `__address__`.
    case noAddress
    /// `__address__` looks like a URL (contains `/`).
    case invalidAddress(String)
    /// `__scrape_interval__` is not a Prometheus duration.
    case invalidScrapeInterval(ModelError)
    /// `__scrape_timeout__` is not a Prometheus duration.
    case invalidScrapeTimeout(ModelError)
    /// `__scrape_interval__` is zero.
    case zeroScrapeInterval
    /// `__scrape_timeout__` is zero.
    case zeroScrapeTimeout
    /// The timeout label is longer than the interval label (both as written).
    case timeoutExceedsInterval(timeout: String, interval: String)
    /// One of the histogram flag labels is not a Go `ParseBool` value; `what` names it.
    case invalidBool(what: String, value: String)
    /// A label value is not valid UTF-8.
    case invalidLabelValue(name: String, value: String)

    package var description: String {
        switch self {
        case .invalidRegex(let pattern):
            return "error parsing regexp: invalid regular expression `\(pattern)`"
        case .noAddress:
            return "no address"
        case .invalidAddress(let address):
            return "\(goQuoted(address)) is not a valid hostname"
        case .invalidScrapeInterval(let e):
            return "error parsing scrape interval: \(e)"
        case .invalidScrapeTimeout(let e):
            return "error parsing scrape timeout: \(e)"
        case .zeroScrapeInterval:
            return "scrape interval cannot be 0"
        case .zeroScrapeTimeout:
            return "scrape timeout cannot be 0"
        case .timeoutExceedsInterval(let timeout, let interval):
            return "scrape timeout cannot be greater than scrape interval (\(goQuoted(timeout)) > \(goQuoted(interval)))"
        case .invalidBool(let what, let value):
            return "error parsing \(what): strconv.ParseBool: parsing \(goQuoted(value)): invalid syntax"
        case .invalidLabelValue(let name, let value):
            return "invalid label value for \(goQuoted(name)): \(goQuoted(value))"
        }
    }
}
