import Synchronization

/// The scrape engine's process-wide counters, the Vigil names of Prometheus'
/// `prometheus_target_*` and `prometheus_sd_file_*` metrics. Shared by every loop of a
/// manager; lock-free.
package final class ScrapeMetrics: Sendable {
    /// Samples rejected as out of order (`prometheus_target_scrapes_sample_out_of_order_total`).
    package let sampleOutOfOrder = Atomic<Int>(0)
    /// Samples rejected as duplicates (`prometheus_target_scrapes_sample_duplicate_timestamp_total`).
    package let sampleDuplicateTimestamp = Atomic<Int>(0)
    /// Samples rejected as out of bounds (`prometheus_target_scrapes_sample_out_of_bounds_total`).
    package let sampleOutOfBounds = Atomic<Int>(0)
    /// Scrapes that hit `sample_limit` (`prometheus_target_scrapes_exceeded_sample_limit_total`).
    package let exceededSampleLimit = Atomic<Int>(0)
    /// Scrapes that hit `body_size_limit` (`prometheus_target_scrapes_exceeded_body_size_limit_total`).
    package let exceededBodySizeLimit = Atomic<Int>(0)
    /// Scrapes that hit a label limit (`prometheus_target_scrape_pool_exceeded_label_limits_total`).
    package let exceededLabelLimits = Atomic<Int>(0)
    /// Pool syncs over `target_limit` (`prometheus_target_scrape_pool_exceeded_target_limit_total`).
    package let exceededTargetLimit = Atomic<Int>(0)
    /// Caches flushed because they grew over failed scrapes (`prometheus_target_scrapes_cache_flush_forced_total`).
    package let cacheFlushForced = Atomic<Int>(0)
    /// file_sd files that could not be read or decoded (`prometheus_sd_file_read_errors_total`).
    package let fileSDReadErrors = Atomic<Int>(0)
    /// file_sd refreshes (`prometheus_sd_file_scan_duration_seconds_count`).
    package let fileSDScans = Atomic<Int>(0)

    /// All counters at zero.
    package init() {}

    /// Adds one to `counter`.
    @inline(__always)
    static func inc(_ counter: borrowing Atomic<Int>, by n: Int = 1) {
        counter.add(n, ordering: .relaxed)
    }

    /// The counters as self-metric samples.
    package func samples() -> [ScrapeSelfMetric] {
        func c(_ name: String, _ help: String, _ a: borrowing Atomic<Int>) -> ScrapeSelfMetric {
            ScrapeSelfMetric(name: name, help: help, type: "counter", labels: [:], value: Double(a.load(ordering: .relaxed)))
        }
        return [
            c("vigil_target_scrapes_sample_out_of_order_total", "Total number of samples rejected due to not being out of the expected order.", sampleOutOfOrder),
            c("vigil_target_scrapes_sample_duplicate_timestamp_total", "Total number of samples rejected due to duplicate timestamps but different values.", sampleDuplicateTimestamp),
            c("vigil_target_scrapes_sample_out_of_bounds_total", "Total number of samples rejected due to timestamp falling outside of the time bounds.", sampleOutOfBounds),
            c("vigil_target_scrapes_exceeded_sample_limit_total", "Total number of scrapes that hit the sample limit and were rejected.", exceededSampleLimit),
            c("vigil_target_scrapes_exceeded_body_size_limit_total", "Total number of scrapes that hit the body size limit.", exceededBodySizeLimit),
            c("vigil_target_scrape_pool_exceeded_label_limits_total", "Total number of times scrape pools hit the label limits, during sync or config reload.", exceededLabelLimits),
            c("vigil_target_scrape_pool_exceeded_target_limit_total", "Total number of times scrape pools hit the target limit, during sync or config reload.", exceededTargetLimit),
            c("vigil_target_scrapes_cache_flush_forced_total", "How many times a scrape cache was flushed due to getting big while scrapes are failing.", cacheFlushForced),
            c("vigil_sd_file_read_errors_total", "The number of File-SD read errors.", fileSDReadErrors),
            c("vigil_sd_file_scans_total", "The number of File-SD scans.", fileSDScans),
        ]
    }
}

/// One self-metric sample for the daemon's `/metrics`: the daemon renders these; the scrape
/// engine does not depend on the telemetry module.
package struct ScrapeSelfMetric: Sendable, Equatable {
    /// The metric name.
    package var name: String
    /// The HELP text.
    package var help: String
    /// `counter` or `gauge`.
    package var type: String
    /// Labels besides the name.
    package var labels: [String: String]
    /// The value.
    package var value: Double

    /// A sample.
    package init(name: String, help: String, type: String, labels: [String: String], value: Double) {
        self.name = name
        self.help = help
        self.type = type
        self.labels = labels
        self.value = value
    }
}

/// How much a scrape loop has to say about problems; the daemon wires it to its logger.
package enum ScrapeLogLevel: String, Sendable {
    case debug, info, warn, error
}

/// A log sink: level, message, and key-value context (`job`, `target`, `err`...).
package typealias ScrapeLogger = @Sendable (ScrapeLogLevel, String, [(String, String)]) -> Void
