import Config
import Model

/// Building a target's label set from its discovery labels, as Prometheus'
/// `PopulateDiscoveredLabels` and `PopulateLabels` (scrape/target.go) do.
package enum TargetLabels {
    /// Internal labels Prometheus 3 seeds from the scrape config for histogram handling; they
    /// are visible to relabeling and in `discoveredLabels`, and never reach samples.
    static let convertClassicHistogramsToNHCB = "__convert_classic_histograms_to_nhcb__"
    static let alwaysScrapeClassicHistograms = "__always_scrape_classic_histograms__"
    static let scrapeNativeHistograms = "__scrape_native_histograms__"

    /// The labels before relabeling: the target's own, the group's where the target has none,
    /// then `job`, `__scrape_interval__`, `__scrape_timeout__`, `__metrics_path__`,
    /// `__scheme__`, the histogram flags and `__param_<name>` (first value), each only when not
    /// set already.
    package static func discovered(config: ScrapeConfig, target: [String: String], group: [String: String]) -> RelabelBuilder {
        var b = RelabelBuilder()
        for (name, value) in target { b.set(name, value) }
        for (name, value) in group where target[name] == nil { b.set(name, value) }
        let scrapeLabels: [(String, String)] = [
            ("job", config.jobName),
            ("__scrape_interval__", config.scrapeInterval.description),
            ("__scrape_timeout__", config.scrapeTimeout.description),
            ("__metrics_path__", config.metricsPath),
            ("__scheme__", config.scheme),
            (convertClassicHistogramsToNHCB, String(config.convertClassicHistogramsToNHCB == true)),
            (alwaysScrapeClassicHistograms, String(config.alwaysScrapeClassicHistograms == true)),
            (scrapeNativeHistograms, String(config.scrapeNativeHistograms == true)),
        ]
        for (name, value) in scrapeLabels where b.get(name).isEmpty { b.set(name, value) }
        for (key, values) in config.params {
            let name = "__param_" + key
            if let first = values.first, b.get(name).isEmpty { b.set(name, first) }
        }
        return b
    }

    /// The outcome of one discovered target.
    package enum Outcome: Sendable, Equatable {
        /// A target to scrape.
        case target(ScrapeTarget)
        /// Relabeling dropped it; reported with its discovered labels.
        case dropped(DroppedTarget)
    }

    /// Prometheus' `PopulateLabels`: discovery labels, `relabel_configs`, then the checks.
    ///
    /// Throws when the result cannot be scraped: no `__address__` after relabeling, an address
    /// containing `/`, an interval or timeout label that is not a duration, zero, or a timeout
    /// above the interval, a histogram flag label that is not a boolean, a label value that is
    /// not UTF-8. Prometheus 3 adds no default port: `instance` is `__address__` as written.
    package static func populate(config: ScrapeConfig, relabeler: Relabeler,
                                 target: [String: String], group: [String: String]) throws(ScrapeError) -> Outcome {
        var b = discovered(config: config, target: target, group: group)
        let discoveredLabels = b.labels()
        guard relabeler.process(&b) else { return .dropped(DroppedTarget(discoveredLabels: discoveredLabels)) }

        let address = b.get("__address__")
        if address.isEmpty { throw ScrapeError.noAddress }
        if address.contains("/") { throw ScrapeError.invalidAddress(address) }

        let intervalText = b.get("__scrape_interval__")
        let interval: PromDuration
        do { interval = try PromDuration(parsing: intervalText) } catch { throw ScrapeError.invalidScrapeInterval(error) }
        if interval == .zero { throw ScrapeError.zeroScrapeInterval }
        let timeoutText = b.get("__scrape_timeout__")
        let timeout: PromDuration
        do { timeout = try PromDuration(parsing: timeoutText) } catch { throw ScrapeError.invalidScrapeTimeout(error) }
        if timeout == .zero { throw ScrapeError.zeroScrapeTimeout }
        if timeout > interval { throw ScrapeError.timeoutExceedsInterval(timeout: timeoutText, interval: intervalText) }

        for (name, what) in [(convertClassicHistogramsToNHCB, "convert classic histograms to nhcb"),
                             (alwaysScrapeClassicHistograms, "always scrape classic histograms"),
                             (scrapeNativeHistograms, "scrape native histograms")] {
            let v = b.get(name)
            if !v.isEmpty && parseGoBool(v) == nil { throw ScrapeError.invalidBool(what: what, value: v) }
        }

        // Meta labels go after relabeling; other `__` labels stay and steer the scrape.
        for pair in b.snapshot() where pair.name.hasPrefix("__meta_") { b.delete(pair.name) }
        if b.get("instance").isEmpty { b.set("instance", address) }

        let labels = b.labels()
        var invalid: (String, String)?
        labels.forEachRaw { n, v in
            if invalid == nil && !isValidUTF8(Array(v)) {
                invalid = (String(decoding: n, as: UTF8.self), String(decoding: v, as: UTF8.self))
            }
        }
        if let (name, value) = invalid { throw ScrapeError.invalidLabelValue(name: name, value: value) }

        var params = config.params
        for l in labels where l.name.hasPrefix("__param_") {
            let key = String(l.name.dropFirst("__param_".count))
            if var values = params[key], !values.isEmpty {
                values[0] = l.value
                params[key] = values
            } else {
                params[key] = [l.value]
            }
        }
        return .target(ScrapeTarget(labels: labels, discoveredLabels: discoveredLabels,
                                    interval: interval, timeout: timeout, params: params))
    }

    /// Go's `strconv.ParseBool`.
    static func parseGoBool(_ s: String) -> Bool? {
        switch s {
        case "1", "t", "T", "TRUE", "true", "True": return true
        case "0", "f", "F", "FALSE", "false", "False": return false
        default: return nil
        }
    }
}

/// The targets of one job after discovery and relabeling (Prometheus' `scrapePool.Sync`).
package struct TargetSet: Sendable, Equatable {
    /// Targets to scrape, in discovery order.
    package var active: [ScrapeTarget] = []
    /// Dropped targets, at most `keep_dropped_targets` of them when that is set.
    package var dropped: [DroppedTarget] = []
    /// All dropped targets, including those not kept.
    package var droppedCount = 0
    /// Targets that could not be built, with Prometheus' message
    /// (`instance 0 in group static/0: no address`).
    package var failures: [String] = []

    /// Builds the set from `groups`.
    package init(config: ScrapeConfig, relabeler: Relabeler, groups: [TargetGroup]) {
        let keep = config.limits.keepDroppedTargets
        for group in groups {
            for (index, target) in group.targets.enumerated() {
                do {
                    switch try TargetLabels.populate(config: config, relabeler: relabeler, target: target, group: group.labels) {
                    case .target(let t):
                        active.append(t)
                    case .dropped(let d):
                        if keep == 0 || UInt64(dropped.count) < keep { dropped.append(d) }
                        droppedCount += 1
                    }
                } catch {
                    failures.append("instance \(index) in group \(group.source): \(error)")
                }
            }
        }
    }
}
