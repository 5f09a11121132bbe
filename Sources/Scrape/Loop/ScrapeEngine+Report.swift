import Model

/// The synthetic series (Prometheus' `report` and `reportStale`): `up`,
/// `scrape_duration_seconds`, `scrape_samples_scraped`, `scrape_samples_post_metric_relabeling`,
/// `scrape_series_added`, and with `extra_scrape_metrics` `scrape_timeout_seconds`,
/// `scrape_sample_limit`, `scrape_body_size_bytes`, all with the target's labels and the
/// scrape's timestamp.
extension ScrapeEngine {
    /// Appends the synthetic samples of one scrape; an error other than out-of-order or
    /// duplicate makes the caller roll the whole scrape back, as in Prometheus.
    func report(_ app: any Appender, t: Int64, summary: ScrapeSummary, bytes: Int) -> ScrapeError? {
        let health: Double = summary.error == nil ? 1 : 0
        for index in reportRefs.indices {
            let v: Double
            switch index {
            case 0: v = health
            case 1: v = summary.durationSeconds
            case 2: v = Double(summary.samplesScraped)
            case 3: v = Double(summary.samplesPostRelabeling)
            case 4: v = Double(summary.seriesAdded)
            case 5: v = Double(options.target.timeout.nanoseconds) / 1e9
            case 6: v = Double(options.sampleLimit)
            default: v = Double(bytes)
            }
            if let e = addReportSample(app, index, t: t, v: v) { return e }
        }
        return nil
    }

    /// Appends a stale marker to every synthetic series.
    func reportStale(_ app: any Appender, t: Int64) -> ScrapeError? {
        for index in reportRefs.indices {
            if let e = addReportSample(app, index, t: t, v: StaleNaN) { return e }
        }
        return nil
    }

    private func addReportSample(_ app: any Appender, _ index: Int, t: Int64, v: Double) -> ScrapeError? {
        do {
            reportRefs[index] = try app.append(ref: reportRefs[index], labels: reportLabels[index], t: t, v: v)
            return nil
        } catch {
            switch error {
            case .outOfOrderSample, .duplicateSampleForTimestamp: return nil
            default: return .storage(error)
            }
        }
    }
}
