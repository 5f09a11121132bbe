import Config
import Foundation
import HTTP
import Model

/// Settings of a scrape manager that do not come from the configuration file.
package struct ScrapeManagerOptions: Sendable {
    /// Mixed into every target's start offset (Prometheus derives it from the external labels
    /// and the host name, so that HA pairs do not scrape in lockstep).
    package var offsetSeed: UInt64 = 0
    /// How often file_sd files are checked for changes (modification time, size, inode)
    /// between full re-reads every `refresh_interval`.
    package var fileSDPollInterval: Duration = .seconds(1)
    /// The daemon's external URL, for the targets API's `globalUrl`.
    package var externalURL: ExternalURL?
    /// Where loops and discovery log.
    package var logger: ScrapeLogger?

    /// Defaults.
    package init() {}
}

/// Owns every scrape loop (Prometheus' scrape `Manager` plus its `scrapePool`s and the file
/// discovery): `apply(config:)` builds each job's targets from `static_configs` and
/// `file_sd_configs`, starts loops for new targets, stops loops of removed targets (they write
/// stale markers after the next two ticks) and leaves loops whose target and job settings did
/// not change running, untouched. `stop(markStale:)` ends everything.
///
/// An actor because it awaits (loops stopping, discovery updates) while owning the state.
package actor ScrapeManager {
    /// The engine's counters, shared by all loops.
    package nonisolated let metrics: ScrapeMetrics
    private let appendable: any Appendable
    /// One HTTP client (one epoll thread) per core: a loop's scrapes are sent and appended on
    /// its client's thread, so the clients spread scraping over the cores.
    private let clients: [HTTPClient]
    private var nextClient = 0
    private let options: ScrapeManagerOptions
    private var pools: [String: ScrapePool] = [:]
    /// Stopped loops whose end-of-run stale markers are still pending.
    private var retiring: [ScrapeLoop] = []
    private var stopped = false

    /// A manager appending to `appendable`; nothing runs before `apply(config:)`.
    package init(appendable: any Appendable, options: ScrapeManagerOptions = ScrapeManagerOptions()) {
        self.appendable = appendable
        self.options = options
        self.metrics = ScrapeMetrics()
        self.clients = (0 ..< max(1, ProcessInfo.processInfo.activeProcessorCount)).map { _ in HTTPClient() }
    }

    /// Applies a (re)loaded configuration and returns the problems found (jobs whose relabel
    /// rules do not compile, targets that could not be built), which are also logged.
    ///
    /// Returns once removed and changed loops have stopped scraping and new ones have started.
    @discardableResult
    package func apply(config: VigilConfig) async -> [String] {
        guard !stopped else { return ["scrape manager is stopped"] }
        let directory = Self.directory(of: config.file)
        var problems: [String] = []
        var toStop: [ScrapeLoop] = []
        var toStart: [ScrapeLoop] = []
        var jobs = Set<String>()

        for sc in config.scrapeConfigs {
            jobs.insert(sc.jobName)
            let relabeler: Relabeler
            let metricRelabeler: Relabeler
            do {
                let scheme = sc.metricNameValidationScheme ?? .utf8
                relabeler = try Relabeler(sc.relabelConfigs, scheme: scheme)
                metricRelabeler = try Relabeler(sc.metricRelabelConfigs, scheme: scheme)
            } catch {
                problems.append("job \(goQuoted(sc.jobName)): \(error)")
                log(.error, "Error creating scrape pool", [("scrape_pool", sc.jobName), ("err", error.description)])
                continue
            }
            if var pool = pools[sc.jobName] {
                if pool.config == sc && pool.directory == directory { continue }
                let discoveryChanged = pool.config.serviceDiscovery.fileSDConfigs != sc.serviceDiscovery.fileSDConfigs
                    || pool.directory != directory
                let loopKey = LoopConfigKey(sc)
                if loopKey != pool.loopKey {
                    // Every loop of the job restarts with a fresh cache; the old ones write
                    // end-of-run markers that the new loops' samples overtake.
                    toStop += pool.active.values.map(\.loop)
                    pool.carriedStatus = pool.active.mapValues(\.loop.status)
                    pool.active = [:]
                    pool.order = []
                }
                pool.config = sc
                pool.loopKey = loopKey
                pool.relabeler = relabeler
                pool.metricRelabeler = metricRelabeler
                pool.staticGroups = TargetGroup.groups(from: sc.serviceDiscovery.staticConfigs)
                if discoveryChanged {
                    pool.discoveryTask?.cancel()
                    pool.directory = directory
                    startDiscovery(&pool)
                }
                pools[sc.jobName] = pool
            } else {
                var pool = ScrapePool(config: sc, directory: directory, loopKey: LoopConfigKey(sc), relabeler: relabeler,
                                      metricRelabeler: metricRelabeler,
                                      staticGroups: TargetGroup.groups(from: sc.serviceDiscovery.staticConfigs))
                startDiscovery(&pool)
                pools[sc.jobName] = pool
            }
            let (stop, start) = sync(sc.jobName)
            toStop += stop
            toStart += start
            problems += pools[sc.jobName]?.failures ?? []
        }
        for (job, pool) in pools where !jobs.contains(job) {
            pool.discoveryTask?.cancel()
            toStop += pool.active.values.map(\.loop)
            pools.removeValue(forKey: job)
        }
        await retire(toStop)
        for loop in toStart { loop.start() }
        return problems
    }

    /// Stops every loop and discovery and shuts the HTTP client down. With `markStale` every
    /// target's series and synthetic series get stale markers before this returns (Prometheus
    /// writes none on shutdown, expecting to resume; pass false for that behaviour). Returns
    /// once in-flight scrapes have finished, which their timeouts bound.
    package func stop(markStale: Bool = true) async {
        guard !stopped else { return }
        stopped = true
        var loops = retiring
        retiring = []
        for pool in pools.values {
            pool.discoveryTask?.cancel()
            loops += pool.active.values.map(\.loop)
        }
        pools = [:]
        let staleness: ScrapeLoop.StopStaleness = markStale ? .immediately : .none
        await withTaskGroup(of: Void.self) { group in
            for loop in loops { group.addTask { await loop.stop(staleness: staleness) } }
        }
        for client in clients { client.shutdown() }
    }

    // MARK: Sync

    /// Rebuilds a job's target set from its groups and works out which loops go and come
    /// (Prometheus' `scrapePool.Sync`); the caller stops and starts them.
    private func sync(_ job: String) -> (stop: [ScrapeLoop], start: [ScrapeLoop]) {
        guard var pool = pools[job] else { return ([], []) }
        let set = TargetSet(config: pool.config, relabeler: pool.relabeler, groups: pool.groups)
        for failure in set.failures {
            log(.error, "Creating target failed", [("scrape_pool", job), ("err", failure)])
        }
        var active: [TargetKey: ScrapePool.Active] = [:]
        var order: [TargetKey] = []
        var start: [ScrapeLoop] = []
        for target in set.active {
            let key = TargetKey(target)
            if active[key] != nil { continue } // A duplicate target gets one loop.
            if var existing = pool.active[key] {
                existing.target = target
                active[key] = existing
            } else {
                let loopOptions = ScrapeLoopOptions(config: pool.config, target: target, metricRelabeler: pool.metricRelabeler,
                                                    offsetSeed: options.offsetSeed)
                let client = clients[nextClient % clients.count]
                nextClient &+= 1
                let loop = ScrapeLoop(options: loopOptions, appendable: appendable, client: client, metrics: metrics,
                                      logger: options.logger)
                if let previous = pool.carriedStatus[key] { loop.inheritStatus(previous) }
                active[key] = ScrapePool.Active(loop: loop, target: target)
                start.append(loop)
            }
            order.append(key)
        }
        var stop: [ScrapeLoop] = []
        for (key, entry) in pool.active where active[key] == nil { stop.append(entry.loop) }

        let limit = Int(clamping: pool.config.limits.targetLimit)
        var forced: ScrapeError?
        if limit > 0 && active.count > limit {
            forced = .targetLimitExceeded(count: active.count, limit: limit)
            ScrapeMetrics.inc(metrics.exceededTargetLimit)
        }
        for entry in active.values { entry.loop.setForcedError(forced) }

        pool.active = active
        pool.order = order
        pool.dropped = set.dropped
        pool.droppedCount = set.droppedCount
        pool.failures = set.failures
        pool.carriedStatus = [:]
        pools[job] = pool
        return (stop, start)
    }

    /// Stops loops concurrently; each writes its end-of-run stale markers later, in the
    /// background, and is remembered until then so `stop` can hurry it.
    private func retire(_ loops: [ScrapeLoop]) async {
        retiring.removeAll { !$0.isRetiring }
        guard !loops.isEmpty else { return }
        await withTaskGroup(of: Void.self) { group in
            for loop in loops { group.addTask { await loop.stop(staleness: .afterTwoIntervals) } }
        }
        if stopped {
            // `stop` ran while these were stopping: finish them now.
            await withTaskGroup(of: Void.self) { group in
                for loop in loops { group.addTask { await loop.stop(staleness: .immediately) } }
            }
        } else {
            retiring += loops
        }
    }

    // MARK: File discovery

    /// Creates the job's file discoveries, reads them once (so targets exist when `apply`
    /// returns) and starts the task that polls them.
    private func startDiscovery(_ pool: inout ScrapePool) {
        pool.generation += 1
        pool.discoveries = pool.config.serviceDiscovery.fileSDConfigs.map {
            FileDiscovery(config: $0, directory: pool.directory, metrics: metrics, logger: options.logger)
        }
        pool.fileGroups = pool.discoveries.map { $0.refresh() ?? [] }
        pool.discoveryTask = nil
        guard !pool.discoveries.isEmpty else { return }
        let discoveries = pool.discoveries
        let job = pool.config.jobName
        let generation = pool.generation
        let poll = min(options.fileSDPollInterval, discoveries.map(\.refreshInterval).min() ?? options.fileSDPollInterval)
        pool.discoveryTask = Task { [weak self] in
            while !Task.isCancelled {
                do { try await Task.sleep(for: poll) } catch { return }
                for (index, discovery) in discoveries.enumerated() {
                    if let groups = discovery.refresh() {
                        await self?.discovered(job: job, generation: generation, index: index, groups: groups)
                    }
                }
            }
        }
    }

    /// New groups from one of a job's file discoveries.
    private func discovered(job: String, generation: Int, index: Int, groups: [TargetGroup]) async {
        guard !stopped, var pool = pools[job], pool.generation == generation, index < pool.fileGroups.count else { return }
        pool.fileGroups[index] = groups
        pools[job] = pool
        let (stop, start) = sync(job)
        await retire(stop)
        for loop in start { loop.start() }
    }

    // MARK: Helpers

    private func log(_ level: ScrapeLogLevel, _ message: String, _ context: [(String, String)]) {
        options.logger?(level, message, context)
    }

    /// The directory of the configuration file, "" for none (paths stay as written).
    static func directory(of file: String) -> String {
        guard let slash = file.lastIndex(of: "/") else { return file.isEmpty ? "" : "." }
        let dir = String(file[..<slash])
        return dir.isEmpty ? "/" : dir
    }

    // MARK: Test and API access

    /// The loop scraping `address` in `job`, if any (tests use it to check loop identity).
    package func loop(job: String, address: String) -> ScrapeLoop? {
        guard let pool = pools[job] else { return nil }
        return pool.order.lazy.compactMap { pool.active[$0] }.first { $0.target.labels.get("__address__") == address }?.loop
    }

    /// Every running loop of `job`, in discovery order.
    package func loops(job: String) -> [ScrapeLoop] {
        guard let pool = pools[job] else { return [] }
        return pool.order.compactMap { pool.active[$0]?.loop }
    }

    /// Waits until every stopped loop has written its end-of-run stale markers.
    package func waitForRetiredLoops() async {
        for loop in retiring { await loop.waitForEndOfRun() }
        retiring.removeAll { !$0.isRetiring }
    }

    /// Sorted job names (Prometheus' `/api/v1/scrape_pools`).
    package func scrapePools() -> [String] { pools.keys.sorted() }

    /// The active targets of every job, jobs sorted by name, targets in discovery order.
    package func activeTargets() -> [ActiveTargetInfo] {
        var out: [ActiveTargetInfo] = []
        for job in pools.keys.sorted() {
            guard let pool = pools[job] else { continue }
            for key in pool.order {
                guard let entry = pool.active[key] else { continue }
                let status = entry.loop.status
                let url = entry.target.url
                out.append(ActiveTargetInfo(
                    discoveredLabels: entry.target.discoveredLabels, labels: entry.target.publicLabels,
                    scrapePool: job, scrapeURL: url, globalURL: options.externalURL?.globalURL(for: url) ?? url,
                    lastError: status.lastError, lastScrapeMs: status.lastScrapeMs,
                    lastScrapeDurationSeconds: status.lastScrapeDurationSeconds, health: status.health,
                    scrapeInterval: entry.target.labels.get("__scrape_interval__"),
                    scrapeTimeout: entry.target.labels.get("__scrape_timeout__")))
            }
        }
        return out
    }

    /// The dropped targets kept for the API (at most `keep_dropped_targets` per job when set).
    package func droppedTargets() -> [DroppedTargetInfo] {
        var out: [DroppedTargetInfo] = []
        for job in pools.keys.sorted() {
            for d in pools[job]?.dropped ?? [] { out.append(DroppedTargetInfo(discoveredLabels: d.discoveredLabels, scrapePool: job)) }
        }
        return out
    }

    /// The number of dropped targets per job, including those not kept.
    package func droppedTargetCounts() -> [String: Int] {
        pools.mapValues(\.droppedCount)
    }

    /// Prometheus' `/api/v1/targets/metadata`: metadata of targets matching all of
    /// `matchTarget`, for `metric` ("" for all families), from at most `limit` targets
    /// (negative: no limit; Prometheus checks the count of entries before each target, so the
    /// last target may add several). Targets are visited job by job in discovery order, families sorted by name.
    package func targetMetadata(matchTarget: [Matcher] = [], metric: String = "", limit: Int = -1) -> [TargetMetadataInfo] {
        var out: [TargetMetadataInfo] = []
        for job in pools.keys.sorted() {
            guard let pool = pools[job] else { continue }
            for key in pool.order {
                if limit >= 0 && out.count >= limit { return out }
                guard let entry = pool.active[key] else { continue }
                let labels = entry.target.publicLabels
                if !matchTarget.allSatisfy({ $0.matches(labels) }) { continue }
                let metadata = entry.loop.metadata
                if metric.isEmpty {
                    for name in metadata.keys.sorted() {
                        guard let m = metadata[name] else { continue }
                        out.append(TargetMetadataInfo(target: labels, metric: name, type: m.type, help: m.help, unit: m.unit))
                    }
                } else if let m = metadata[metric] {
                    out.append(TargetMetadataInfo(target: labels, metric: metric, type: m.type, help: m.help, unit: m.unit))
                }
            }
        }
        return out
    }

    /// Prometheus' `/api/v1/metadata`: distinct metadata per metric family across all
    /// targets, at most `limitPerMetric` values per family and `limit` families (negative or
    /// zero where Prometheus treats it as unlimited: `limit < 0`, `limitPerMetric <= 0`).
    package func metadata(metric: String = "", limit: Int = -1, limitPerMetric: Int = -1) -> [String: [MetadataValue]] {
        var sets: [String: [MetadataValue]] = [:]
        for job in pools.keys.sorted() {
            guard let pool = pools[job] else { continue }
            for key in pool.order {
                guard let entry = pool.active[key] else { continue }
                let metadata = entry.loop.metadata
                let families = metric.isEmpty ? metadata.keys.sorted() : [metric]
                for name in families {
                    guard let m = metadata[name] else { continue }
                    let value = MetadataValue(type: m.type, help: m.help, unit: m.unit)
                    var list = sets[name] ?? []
                    if limitPerMetric > 0 && list.count >= limitPerMetric { continue }
                    if !list.contains(value) { list.append(value) }
                    sets[name] = list
                }
            }
        }
        guard limit >= 0 else { return sets }
        var out: [String: [MetadataValue]] = [:]
        for name in sets.keys.sorted() {
            if out.count >= limit { break }
            out[name] = sets[name]
        }
        return out
    }

    /// The engine's self-metrics: the shared counters plus, per target, scrapes, failures and
    /// the last and total scrape duration (labelled with `scrape_job` and `instance`).
    package func selfMetrics() -> [ScrapeSelfMetric] {
        var out = metrics.samples()
        var perLoop: [[ScrapeSelfMetric]] = [[], [], [], []]
        for job in pools.keys.sorted() {
            guard let pool = pools[job] else { continue }
            for key in pool.order {
                guard let entry = pool.active[key] else { continue }
                let s = entry.loop.status
                let labels = ["scrape_job": job, "instance": entry.target.labels.get("instance")]
                perLoop[0].append(ScrapeSelfMetric(name: "vigil_target_scrapes_total", help: "Scrapes of the target.",
                                                   type: "counter", labels: labels, value: Double(s.scrapes)))
                perLoop[1].append(ScrapeSelfMetric(name: "vigil_target_scrape_failures_total", help: "Failed scrapes of the target.",
                                                   type: "counter", labels: labels, value: Double(s.failures)))
                perLoop[2].append(ScrapeSelfMetric(name: "vigil_target_scrape_duration_seconds_total", help: "Total time spent scraping the target.",
                                                   type: "counter", labels: labels, value: s.durationSecondsTotal))
                perLoop[3].append(ScrapeSelfMetric(name: "vigil_target_last_scrape_duration_seconds", help: "Duration of the target's last scrape.",
                                                   type: "gauge", labels: labels, value: s.lastScrapeDurationSeconds))
            }
        }
        for group in perLoop { out += group }
        return out
    }
}
