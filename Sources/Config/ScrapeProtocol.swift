/// The exposition formats a scrape can negotiate (`scrape_protocols`,
/// `fallback_scrape_protocol`), spelled case-sensitively as in Prometheus.
///
/// All five are accepted so that Prometheus files load; the scraper decides which it
/// advertises (Vigil parses the text formats, not `PrometheusProto`).
package enum ScrapeProtocol: String, Sendable, CaseIterable {
    case prometheusProto = "PrometheusProto"
    case prometheusText004 = "PrometheusText0.0.4"
    case prometheusText100 = "PrometheusText1.0.0"
    case openMetricsText001 = "OpenMetricsText0.0.1"
    case openMetricsText100 = "OpenMetricsText1.0.0"

    /// The order Prometheus offers when nothing is configured.
    package static let defaultOrder: [ScrapeProtocol] = [
        .openMetricsText100, .openMetricsText001, .prometheusText100, .prometheusText004,
    ]

    /// The media type sent in the Accept header for this protocol.
    package var mediaType: String {
        switch self {
        case .prometheusProto:
            return "application/vnd.google.protobuf;proto=io.prometheus.client.MetricFamily;encoding=delimited"
        case .prometheusText004: return "text/plain;version=0.0.4"
        case .prometheusText100: return "text/plain;version=1.0.0"
        case .openMetricsText001: return "application/openmetrics-text;version=0.0.1"
        case .openMetricsText100: return "application/openmetrics-text;version=1.0.0"
        }
    }

    /// Prometheus' message for an unknown protocol name.
    static func unknownMessage(_ name: String) -> String {
        let supported = allCases.map(\.rawValue).sorted().joined(separator: " ")
        return "unknown scrape protocol \(name), supported: [\(supported)]"
    }

    /// Prometheus' checks on a protocol list: non-empty, known names, no duplicates (ignoring
    /// case). Returns the message of the first problem, nil when valid.
    static func listError(_ names: [String]) -> String? {
        if names.isEmpty { return "scrape_protocols cannot be empty" }
        var seen: Set<String> = []
        for name in names {
            if seen.contains(name.lowercased()) {
                return "duplicated protocol in scrape_protocols, got [\(names.joined(separator: " "))]"
            }
            if ScrapeProtocol(rawValue: name) == nil {
                return "scrape_protocols: " + unknownMessage(name)
            }
            seen.insert(name.lowercased())
        }
        return nil
    }
}
