import Model
internal import YAML

/// One `scrape_configs` entry: a job, how to reach its targets and what to do with samples.
///
/// After loading, every inherited value is resolved: interval, timeout, limits, failure log
/// and protocols come from `global` when not set here, and the timeout defaults to
/// min(global timeout, interval). Unsupported Prometheus keys (other discovery mechanisms,
/// native-histogram options, oauth2, http_headers) are reported as `unsupported:`.
package struct ScrapeConfig: Sendable, Equatable {
    package var jobName = ""
    package var honorLabels = false
    package var honorTimestamps = true
    package var trackTimestampsStaleness = false
    /// URL query parameters, each with one or more values.
    package var params: [String: [String]] = [:]
    package var scrapeInterval = PromDuration.zero
    package var scrapeTimeout = PromDuration.zero
    /// Protocol names in preference order; nil until inherited from global or defaulted.
    package var scrapeProtocols: [String]?
    /// The protocol assumed when a target sends no usable Content-Type; empty for none.
    package var fallbackScrapeProtocol = ""
    /// Always false in Vigil (true is unsupported); kept so rendering matches Prometheus.
    package var scrapeNativeHistograms: Bool?
    package var alwaysScrapeClassicHistograms: Bool?
    /// Always false in Vigil (true is unsupported).
    package var convertClassicHistogramsToNHCB: Bool?
    package var scrapeFailureLogFile = ""
    package var metricsPath = "/metrics"
    package var scheme = "http"
    package var enableCompression = true
    /// Sample, label, target and body-size limits (zero: none / inherited).
    package var limits = ScrapeLimits()
    /// nil until inherited from global.
    package var metricNameValidationScheme: NameValidationScheme?
    /// `allow-utf-8`, `underscores`, `dots` or `values`; empty until inherited.
    package var metricNameEscapingScheme = ""
    /// Whether to record scrape_timeout_seconds, scrape_sample_limit, scrape_body_size_bytes.
    package var extraScrapeMetrics: Bool?
    package var httpClient = HTTPClientConfig()
    package var relabelConfigs: [RelabelConfig] = []
    package var metricRelabelConfigs: [RelabelConfig] = []
    package var serviceDiscovery = ServiceDiscovery()
    /// Where the job's mapping starts, for validation messages.
    var position = SourcePosition(nil)

    package init() {}

    /// Decodes one entry of `scrape_configs` (Prometheus' `ScrapeConfig.UnmarshalYAML`).
    /// Inheritance from `global` happens later, in validation.
    static func decode(_ node: YAMLNode, _ d: inout Decoder) throws(ConfigError) -> ScrapeConfig {
        var c = ScrapeConfig()
        c.position = SourcePosition(node.mark)
        let type = "config.ScrapeConfig"
        let entries = try d.entries(node, type: type)
        // The job name is needed for unsupported-feature messages, wherever it is written.
        let name = entries.first(where: { $0.key == "job_name" }).flatMap { $0.value.scalar } ?? ""
        let context = "job \(goQuoted(name))"
        for entry in entries {
            let v = entry.value
            switch entry.key {
            case "job_name": c.jobName = try d.string(v)
            case "honor_labels": c.honorLabels = try d.bool(v)
            case "honor_timestamps": c.honorTimestamps = try d.bool(v)
            case "track_timestamps_staleness": c.trackTimestampsStaleness = try d.bool(v)
            case "params":
                for param in try d.entries(v, type: "url.Values") {
                    c.params[param.key] = try d.strings(param.value)
                }
            case "scrape_interval": c.scrapeInterval = try d.duration(v)
            case "scrape_timeout": c.scrapeTimeout = try d.duration(v)
            case "scrape_protocols":
                c.scrapeProtocols = v.isNull ? nil : try d.strings(v)
            case "fallback_scrape_protocol":
                c.fallbackScrapeProtocol = try d.string(v, type: "config.ScrapeProtocol")
            case "scrape_native_histograms":
                c.scrapeNativeHistograms = v.isNull ? nil : try d.bool(v)
                if c.scrapeNativeHistograms == true { d.unsupported(key: entry.key, at: entry.keyNode, context: context) }
            case "always_scrape_classic_histograms":
                c.alwaysScrapeClassicHistograms = v.isNull ? nil : try d.bool(v)
            case "convert_classic_histograms_to_nhcb":
                c.convertClassicHistogramsToNHCB = v.isNull ? nil : try d.bool(v)
                if c.convertClassicHistogramsToNHCB == true { d.unsupported(key: entry.key, at: entry.keyNode, context: context) }
            case "scrape_failure_log_file": c.scrapeFailureLogFile = try d.string(v)
            case "metrics_path": c.metricsPath = try d.string(v)
            case "scheme": c.scheme = try d.string(v)
            case "enable_compression": c.enableCompression = try d.bool(v)
            case "native_histogram_bucket_limit":
                if try d.unsigned(v) != 0 { d.unsupported(key: entry.key, at: entry.keyNode, context: context) }
            case "native_histogram_min_bucket_factor":
                if try d.float(v) != 0 { d.unsupported(key: entry.key, at: entry.keyNode, context: context) }
            case "metric_name_validation_scheme":
                c.metricNameValidationScheme = try GlobalConfig.decodeScheme(v, &d)
            case "metric_name_escaping_scheme": c.metricNameEscapingScheme = try d.string(v)
            case "extra_scrape_metrics": c.extraScrapeMetrics = v.isNull ? nil : try d.bool(v)
            case "relabel_configs":
                c.relabelConfigs += try RelabelConfig.decodeList(v, &d, emptyMessage: "empty or null target relabeling rule in scrape config")
            case "metric_relabel_configs":
                c.metricRelabelConfigs += try RelabelConfig.decodeList(v, &d, emptyMessage: "empty or null metric relabeling rule in scrape config")
            default:
                if try c.limits.decodeField(entry.key, v, &d) { continue }
                if try c.httpClient.decodeField(entry, &d, context: context) { continue }
                if try c.serviceDiscovery.decodeField(entry, &d, context: context) { continue }
                throw d.unknownField(entry, in: type)
            }
        }
        if c.jobName.isEmpty { throw d.error("job_name is empty", at: node) }
        if let problem = c.httpClient.validate() { throw d.error(problem, at: node) }
        // Prometheus refuses URLs as static targets, unless relabeling may rewrite them.
        if c.relabelConfigs.isEmpty {
            for group in c.serviceDiscovery.staticConfigs {
                if let target = group.targets.first(where: { $0.contains("/") }) {
                    throw d.error("\(goQuoted(target)) is not a valid hostname", at: group.position.mark)
                }
            }
        }
        return c
    }
}
