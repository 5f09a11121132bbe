import Config
import Exposition
import Model

/// The content negotiation of a scrape request (Prometheus' `acceptHeader`, scrape/scrape.go).
package enum AcceptHeader {
    /// The Accept header for `protocols` in preference order: each media type with
    /// `;escaping=<scheme>` for the 1.0.0 text formats and a weight counting down from `q=0.6`,
    /// then `*/*` one step lower. `PrometheusProto` is left out because Vigil does not parse it.
    ///
    /// For Prometheus 3's default order and UTF-8 names this is
    /// `application/openmetrics-text;version=1.0.0;escaping=allow-utf-8;q=0.6,`
    /// `application/openmetrics-text;version=0.0.1;q=0.5,`
    /// `text/plain;version=1.0.0;escaping=allow-utf-8;q=0.4,text/plain;version=0.0.4;q=0.3,*/*;q=0.2`.
    package static func value(protocols: [ScrapeProtocol], escaping: String) -> String {
        // Prometheus starts from the number of protocols it knows plus one, whatever the list.
        var weight = ScrapeProtocol.allCases.count + 1
        var parts: [String] = []
        for p in protocols where p != .prometheusProto {
            var part = p.mediaType
            if p == .prometheusText100 || p == .openMetricsText100 { part += ";escaping=" + escaping }
            part += ";q=0.\(weight)"
            parts.append(part)
            weight -= 1
        }
        parts.append("*/*;q=0.\(weight)")
        return parts.joined(separator: ",")
    }

    /// The Accept header for a job: its `scrape_protocols` (or the default order) and its
    /// escaping scheme (`metric_name_escaping_scheme`, else derived from the validation scheme:
    /// `allow-utf-8` for UTF-8, `underscores` for legacy).
    package static func value(for config: ScrapeConfig) -> String {
        let protocols = (config.scrapeProtocols ?? []).compactMap(ScrapeProtocol.init(rawValue:))
        return value(protocols: protocols.isEmpty ? ScrapeProtocol.defaultOrder : protocols,
                     escaping: escapingScheme(for: config))
    }

    /// The escaping scheme name sent to targets.
    package static func escapingScheme(for config: ScrapeConfig) -> String {
        if !config.metricNameEscapingScheme.isEmpty { return config.metricNameEscapingScheme }
        return config.metricNameValidationScheme == .legacy ? "underscores" : "allow-utf-8"
    }

    /// The parser to use when a target's Content-Type is blank, invalid or unknown
    /// (`fallback_scrape_protocol`), nil when none is configured.
    package static func fallbackFormat(for config: ScrapeConfig) -> ExpositionFormat? {
        switch ScrapeProtocol(rawValue: config.fallbackScrapeProtocol) {
        case .prometheusText004, .prometheusText100: return .prometheusText
        case .openMetricsText001, .openMetricsText100: return .openMetrics
        case .prometheusProto, nil: return nil
        }
    }
}
