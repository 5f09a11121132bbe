import Exposition

/// A target's health as the targets API reports it (Prometheus' `TargetHealth`).
package enum TargetHealth: String, Sendable, Equatable {
    case up
    case down
    case unknown
}

/// What a scrape loop reports about its target after every scrape.
package struct TargetStatus: Sendable, Equatable {
    /// `unknown` until the first scrape ends.
    package var health: TargetHealth = .unknown
    /// The last scrape's error in Go-like wording, "" when it succeeded.
    package var lastError = ""
    /// The timestamp of the last scrape (its samples' default timestamp), milliseconds since the
    /// epoch; nil before the first scrape.
    package var lastScrapeMs: Int64?
    /// How long the last scrape took, in seconds (request, parse and append).
    package var lastScrapeDurationSeconds: Double = 0
    /// Scrapes so far.
    package var scrapes = 0
    /// Scrapes that failed (`up` was 0).
    package var failures = 0
    /// Sum of all scrape durations, in seconds.
    package var durationSecondsTotal: Double = 0
    /// Series resolved by parsing labels (scrape-cache misses) so far; a steady target stops
    /// adding to it after its first scrape.
    package var labelParses = 0
    /// Series in the scrape cache after the last scrape.
    package var cachedSeries = 0
    /// Samples the last scrape exposed (`scrape_samples_scraped`).
    package var lastSamplesScraped = 0

    /// A status.
    package init() {}
}

/// One metric family's metadata as a target exposed it (Prometheus' `MetricMetadata`).
package struct MetricMetadata: Sendable, Hashable {
    /// The metric family name.
    package var metric: String
    /// `counter`, `gauge`, `histogram`, `gaugehistogram`, `summary`, `info`, `stateset` or
    /// `unknown`.
    package var type: String
    /// The `# HELP` text.
    package var help: String
    /// The OpenMetrics `# UNIT`, "" when none.
    package var unit: String

    /// Metadata.
    package init(metric: String, type: String, help: String, unit: String) {
        self.metric = metric
        self.type = type
        self.help = help
        self.unit = unit
    }
}
