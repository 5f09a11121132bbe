import Exposition
import Model

/// What one scrape produced, for the loop's status and the tests.
package struct ScrapeSummary: Sendable, Equatable {
    /// Why the scrape failed (`up` 0), nil when it succeeded.
    package var error: ScrapeError?
    /// `scrape_samples_scraped`.
    package var samplesScraped = 0
    /// `scrape_samples_post_metric_relabeling`.
    package var samplesPostRelabeling = 0
    /// `scrape_series_added`.
    package var seriesAdded = 0
    /// `scrape_duration_seconds`.
    package var durationSeconds: Double = 0

    /// A summary.
    package init() {}
}

/// The per-target state that turns scraped bodies into appended samples: the scrape cache, the
/// synthetic series' references and the staleness bookkeeping (Prometheus' `scrapeLoop` minus
/// its timing). `ScrapeLoop` drives it; tests can drive it directly with bytes.
///
/// `@unchecked Sendable` because it is used by exactly one task at a time and never
/// concurrently: the loop's scrape task while it runs; after that task has finished, the loop's
/// end-of-run staleness task; after that one has finished or was cancelled, whoever stops the
/// loop (`ScrapeLoop.stop`). Each hand-over awaits the previous user's task.
package final class ScrapeEngine: @unchecked Sendable {
    /// The loop's options.
    package let options: ScrapeLoopOptions
    let appendable: any Appendable
    let metrics: ScrapeMetrics
    let logger: ScrapeLogger?
    let cache = ScrapeCache()
    /// The target's public labels, in order, for attaching to samples.
    let targetPairs: [(name: String, value: String)]
    /// The synthetic series' names, label sets and references, in report order.
    let reportNames: [String]
    let reportLabels: [Labels]
    var reportRefs: [SeriesRef]

    /// Reused buffers of the known-series batch (see `append`).
    var knownBatch = AppendBatch()
    var knownBatchEntries: [(index: Int, track: Bool)] = []

    /// Series resolved through `labels()` and relabeling (cache misses).
    package private(set) var labelParses = 0
    /// True once a scrape was processed (end-of-run staleness needs one).
    package private(set) var hasScraped = false
    /// True once end-of-run stale markers were written; they are written once.
    package private(set) var endOfRunDone = false

    /// The synthetic series Prometheus writes after every scrape, in its order.
    static let reportMetricNames = ["up", "scrape_duration_seconds", "scrape_samples_scraped",
                                    "scrape_samples_post_metric_relabeling", "scrape_series_added"]
    /// The ones `extra_scrape_metrics` adds.
    static let extraReportMetricNames = ["scrape_timeout_seconds", "scrape_sample_limit", "scrape_body_size_bytes"]

    /// An engine for one target, appending to `appendable`.
    package init(options: ScrapeLoopOptions, appendable: any Appendable, metrics: ScrapeMetrics, logger: ScrapeLogger? = nil) {
        self.options = options
        self.appendable = appendable
        self.metrics = metrics
        self.logger = logger
        let targetLabels = options.target.publicLabels
        targetPairs = targetLabels.map { ($0.name, $0.value) }
        var names = Self.reportMetricNames
        if options.reportExtraMetrics { names += Self.extraReportMetricNames }
        reportNames = names
        reportLabels = names.map { Self.reportSampleLabels(name: $0, target: targetLabels) }
        reportRefs = Array(repeating: .none, count: names.count)
    }

    /// Prometheus' `mutateReportSampleLabels`: the target's labels win over the synthetic
    /// series' own, which move to `exported_<name>`.
    static func reportSampleLabels(name: String, target: Labels) -> Labels {
        let base: Labels = [Labels.metricName: name]
        var b = RelabelBuilder(base)
        for l in target {
            b.set("exported_" + l.name, base.get(l.name))
            b.set(l.name, l.value)
        }
        return b.labels()
    }

    /// The metadata seen so far, by family name, when it changed since the last call.
    func metadataIfChanged() -> [String: MetricMetadata]? {
        guard cache.takeMetadataChanged() else { return nil }
        return metadataSnapshot
    }

    /// The metadata seen so far, by family name.
    package var metadataSnapshot: [String: MetricMetadata] {
        var out: [String: MetricMetadata] = [:]
        for (name, m) in cache.metadata {
            out[name] = MetricMetadata(metric: name, type: m.type.rawValue, help: m.help, unit: m.unit)
        }
        return out
    }

    /// Entries in the scrape cache (dropped series included).
    package var cachedSeries: Int { cache.count }

    // MARK: One scrape

    /// Handles one scrape's outcome as Prometheus' `scrapeAndReport` does: append the samples
    /// in one batch (on a failure: roll back, and append nothing but stale markers in a fresh
    /// batch), add the synthetic series, commit.
    ///
    /// `appendTimeMs` is the scrape's timestamp; `nowMs` the wall clock (for the 10-minute
    /// future bound on honoured timestamps); `elapsed` gives the scrape's duration so far when
    /// the report is written.
    package func process(_ fetched: Result<ScrapedBody, ScrapeError>, forcedError: ScrapeError? = nil,
                         appendTimeMs: Int64, nowMs: Int64, elapsed: () -> Double) -> ScrapeSummary {
        hasScraped = true
        var summary = ScrapeSummary()
        var app = appendable.appender()
        var scrapeError: ScrapeError?
        var bytesRead = 0

        if let forcedError {
            scrapeError = forcedError
            if append(app, body: [], contentType: "", defTime: appendTimeMs, nowMs: nowMs).error != nil {
                try? app.rollback()
                app = appendable.appender()
            }
        } else {
            var body: [UInt8] = []
            var contentType = ""
            switch fetched {
            case .success(let b):
                body = b.bytes
                contentType = b.contentType
                bytesRead = body.count
            case .failure(let e):
                scrapeError = e
                if e == .bodySizeLimitExceeded {
                    bytesRead = -1
                    ScrapeMetrics.inc(metrics.exceededBodySizeLimit)
                }
            }
            // A failed scrape is an empty scrape: it still writes stale markers.
            let result = append(app, body: body, contentType: contentType, defTime: appendTimeMs, nowMs: nowMs)
            summary.samplesScraped = result.total
            summary.samplesPostRelabeling = result.added
            summary.seriesAdded = result.seriesAdded
            if let appendError = result.error {
                try? app.rollback()
                app = appendable.appender()
                log(.debug, "Append failed", appendError)
                if append(app, body: [], contentType: "", defTime: appendTimeMs, nowMs: nowMs).error != nil {
                    try? app.rollback()
                    app = appendable.appender()
                }
                if scrapeError == nil { scrapeError = appendError }
            }
        }

        summary.error = scrapeError
        summary.durationSeconds = elapsed()
        if let reportError = report(app, t: appendTimeMs, summary: summary, bytes: bytesRead) {
            log(.warn, "Appending scrape report failed", reportError)
            try? app.rollback()
        } else {
            do { try app.commit() } catch { log(.error, "Scrape commit failed", .storage(error)) }
        }
        return summary
    }

    /// The end-of-run stale markers (Prometheus' `endOfRunStaleness` after its waits): every
    /// series of the last scrape and every synthetic series gets a stale marker at `t`. Markers
    /// older than samples a successor loop wrote meanwhile are refused by the storage as out of
    /// order, which is what keeps a restarted target's series alive.
    package func writeEndOfRunStaleness(t: Int64) {
        guard hasScraped, !endOfRunDone else { return }
        endOfRunDone = true
        var app = appendable.appender()
        if append(app, body: [], contentType: "", defTime: t, nowMs: t).error != nil {
            try? app.rollback()
            app = appendable.appender()
        }
        if let e = reportStale(app, t: t) {
            log(.warn, "Stale report failed", e)
            try? app.rollback()
            return
        }
        do { try app.commit() } catch { log(.warn, "Stale commit failed", .storage(error)) }
    }

    func log(_ level: ScrapeLogLevel, _ message: String, _ error: ScrapeError) {
        logger?(level, message, [("scrape_pool", options.jobName), ("target", options.target.url), ("err", error.description)])
    }

    func countLabelParse() { labelParses += 1 }
}
