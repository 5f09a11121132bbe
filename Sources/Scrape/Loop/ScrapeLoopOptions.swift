import Config
import Exposition
import Model

/// The label limits of a job (`label_limit`, `label_name_length_limit`,
/// `label_value_length_limit`); zero means no limit.
package struct LabelLimits: Sendable, Equatable {
    /// `label_limit`: most labels per series.
    package var labelLimit = 0
    /// `label_name_length_limit`: longest label name in bytes.
    package var nameLengthLimit = 0
    /// `label_value_length_limit`: longest label value in bytes.
    package var valueLengthLimit = 0

    /// Limits; zero means none.
    package init(labelLimit: Int = 0, nameLengthLimit: Int = 0, valueLengthLimit: Int = 0) {
        self.labelLimit = labelLimit
        self.nameLengthLimit = nameLengthLimit
        self.valueLengthLimit = valueLengthLimit
    }
}

/// Everything one scrape loop needs, fixed for its lifetime: the target and the parts of its
/// job's configuration that decide what a scrape produces.
package struct ScrapeLoopOptions: Sendable {
    /// The job (scrape pool) name.
    package var jobName: String
    /// The target to scrape.
    package var target: ScrapeTarget
    /// `honor_labels`: exposed labels win over the target's.
    package var honorLabels: Bool
    /// `honor_timestamps`: exposed timestamps are used.
    package var honorTimestamps: Bool
    /// `track_timestamps_staleness`: series with exposed timestamps get stale markers too.
    package var trackTimestampsStaleness: Bool
    /// `sample_limit`; 0 for none.
    package var sampleLimit: Int
    /// The label limits.
    package var labelLimits: LabelLimits
    /// `body_size_limit` in bytes; 0 for none.
    package var bodySizeLimit: Int
    /// The compiled `metric_relabel_configs`.
    package var metricRelabeler: Relabeler
    /// How metric and label names of scraped series are checked.
    package var validationScheme: NameValidationScheme
    /// The Accept header sent with every scrape.
    package var acceptHeader: String
    /// The parser used when the Content-Type is blank, invalid or unknown.
    package var fallbackFormat: ExpositionFormat?
    /// Whether to also write `scrape_timeout_seconds`, `scrape_sample_limit` and
    /// `scrape_body_size_bytes` (`extra_scrape_metrics`).
    package var reportExtraMetrics: Bool
    /// Mixed into the start offset so that several servers scraping the same target spread out
    /// (Prometheus' `offsetSeed`, from the external labels and host name).
    package var offsetSeed: UInt64
    /// The job's HTTP client settings (`basic_auth` and `authorization` are honoured).
    package var httpClient: HTTPClientConfig

    /// Options from the job's configuration for `target`.
    package init(config: ScrapeConfig, target: ScrapeTarget, metricRelabeler: Relabeler, offsetSeed: UInt64 = 0) {
        jobName = config.jobName
        self.target = target
        honorLabels = config.honorLabels
        honorTimestamps = config.honorTimestamps
        trackTimestampsStaleness = config.trackTimestampsStaleness
        sampleLimit = Int(clamping: config.limits.sampleLimit)
        labelLimits = LabelLimits(labelLimit: Int(clamping: config.limits.labelLimit),
                                  nameLengthLimit: Int(clamping: config.limits.labelNameLengthLimit),
                                  valueLengthLimit: Int(clamping: config.limits.labelValueLengthLimit))
        bodySizeLimit = Int(clamping: max(0, config.limits.bodySizeLimit.bytes))
        self.metricRelabeler = metricRelabeler
        validationScheme = config.metricNameValidationScheme ?? .utf8
        acceptHeader = AcceptHeader.value(for: config)
        fallbackFormat = AcceptHeader.fallbackFormat(for: config)
        reportExtraMetrics = config.extraScrapeMetrics == true
        self.offsetSeed = offsetSeed
        httpClient = config.httpClient
    }

    /// The scrape interval.
    package var interval: Duration { target.interval.duration }
    /// The scrape timeout.
    package var timeout: Duration { target.timeout.duration }
}

/// The parts of a scrape config that change what a running loop does, compared on reload to
/// decide which loops must restart. Target-level settings (interval, timeout, scheme, path,
/// params) are part of the target's labels and so of its identity already; discovery and
/// `relabel_configs` only decide the target set.
struct LoopConfigKey: Equatable {
    var honorLabels: Bool
    var honorTimestamps: Bool
    var trackTimestampsStaleness: Bool
    var limits: ScrapeLimits
    var metricRelabelConfigs: [RelabelConfig]
    var validationScheme: NameValidationScheme?
    var escapingScheme: String
    var scrapeProtocols: [String]?
    var fallbackScrapeProtocol: String
    var extraScrapeMetrics: Bool?
    var httpClient: HTTPClientConfig

    init(_ c: ScrapeConfig) {
        honorLabels = c.honorLabels
        honorTimestamps = c.honorTimestamps
        trackTimestampsStaleness = c.trackTimestampsStaleness
        limits = c.limits
        // Limits that only shape the target set do not affect loops.
        limits.targetLimit = 0
        limits.keepDroppedTargets = 0
        metricRelabelConfigs = c.metricRelabelConfigs
        validationScheme = c.metricNameValidationScheme
        escapingScheme = c.metricNameEscapingScheme
        scrapeProtocols = c.scrapeProtocols
        fallbackScrapeProtocol = c.fallbackScrapeProtocol
        extraScrapeMetrics = c.extraScrapeMetrics
        httpClient = c.httpClient
    }
}
