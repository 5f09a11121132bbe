import Exposition
import HTTP
import Model

/// Why a relabel rule could not be compiled, a discovered target could not become a scrape
/// target, a scrape failed or a service-discovery file was refused. Messages use Prometheus'
/// wording (`PopulateLabels`, `relabel.NewRegexp`, scrape/scrape.go, scrape/target.go),
/// because they surface in logs and as `lastError` in the targets API next to
/// Prometheus-trained eyes.
package enum ScrapeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The rule's regex does not compile (Go's error text; config validation catches it first).
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

    // MARK: Scrape failures (the target's `lastError`)

    /// The request failed before a response arrived: `Get "<url>": <cause>` as Go's client
    /// wraps it (`context deadline exceeded` on timeout).
    case request(url: String, HTTPClientError)
    /// The target answered with a status other than 200.
    case httpStatus(Int)
    /// The body reached `body_size_limit`.
    case bodySizeLimitExceeded
    /// The target's scheme needs something Vigil does not have yet (TLS for `https`).
    case unsupportedScheme(String)
    /// The response is compressed although Vigil never asks for compression.
    case unsupportedContentEncoding(String)
    /// The target's address cannot be dialled (IPv6 literals, a bad port).
    case unsupportedAddress(String)
    /// The body or its Content-Type was refused by the parser.
    case exposition(ExpositionError)
    /// After metric relabeling a series has no `__name__`.
    case missingMetricName
    /// After metric relabeling a series has a name that the validation scheme refuses.
    case invalidLabelNames(String)
    /// More samples than `sample_limit` after metric relabeling.
    case sampleLimitExceeded
    /// A series has more labels than `label_limit`.
    case labelLimitExceeded(metric: String, count: Int, limit: Int)
    /// A label name is longer than `label_name_length_limit`.
    case labelNameLengthLimitExceeded(metric: String, name: String, length: Int, limit: Int)
    /// A label value is longer than `label_value_length_limit`.
    case labelValueLengthLimitExceeded(metric: String, name: String, value: String, length: Int, limit: Int)
    /// The job has more targets than `target_limit`; every target of the job fails with this.
    case targetLimitExceeded(count: Int, limit: Int)
    /// The storage refused the batch for a reason other than a per-sample rejection.
    case storage(StorageError)

    // MARK: Service discovery

    /// A file_sd file could not be read or decoded; its previous targets are kept.
    case fileSD(path: String, reason: String)

    package var description: String {
        switch self {
        case .invalidRegex(let goError):
            return goError
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
        case .request(let url, let cause):
            return "Get \(goQuoted(url)): \(cause)"
        case .httpStatus(let status):
            return "server returned HTTP status \(status) \(HTTPResponse.reasonPhrase(status))"
        case .bodySizeLimitExceeded:
            return "body size limit exceeded"
        case .unsupportedScheme(let scheme):
            return "scheme \(goQuoted(scheme)) is not supported: Vigil has no TLS client yet"
        case .unsupportedContentEncoding(let encoding):
            return "unsupported Content-Encoding \(goQuoted(encoding)): Vigil does not ask for compressed scrapes"
        case .unsupportedAddress(let address):
            return "cannot dial \(goQuoted(address)): only IPv4 addresses and host names are supported"
        case .exposition(let e):
            return e.description
        case .missingMetricName:
            return "missing metric name (__name__ label)"
        case .invalidLabelNames(let labels):
            return "invalid metric name or label names: \(labels)"
        case .sampleLimitExceeded:
            return "sample limit exceeded"
        case .labelLimitExceeded(let metric, let count, let limit):
            return "label_limit exceeded (metric: \(goTruncated(metric)), number of labels: \(count), limit: \(limit))"
        case .labelNameLengthLimitExceeded(let metric, let name, let length, let limit):
            return "label_name_length_limit exceeded (metric: \(goTruncated(metric)), label name: \(goTruncated(name)), length: \(length), limit: \(limit))"
        case .labelValueLengthLimitExceeded(let metric, let name, let value, let length, let limit):
            return "label_value_length_limit exceeded (metric: \(goTruncated(metric)), label name: \(goTruncated(name)), value: \(goQuoted(goTruncated(value))), length: \(length), limit: \(limit))"
        case .targetLimitExceeded(let count, let limit):
            return "target_limit exceeded (number of targets: \(count), limit: \(limit))"
        case .storage(let e):
            return e.description
        case .fileSD(let path, let reason):
            return "error reading file \(goQuoted(path)): \(reason)"
        }
    }
}

/// Go's `%.50s`: at most 50 characters (runes).
func goTruncated(_ s: String, _ limit: Int = 50) -> String {
    var scalars = s.unicodeScalars
    guard scalars.count > limit else { return s }
    scalars = String.UnicodeScalarView(scalars.prefix(limit))
    return String(scalars)
}
