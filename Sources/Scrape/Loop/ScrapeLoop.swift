internal import Glibc
import HTTP
import Model
import Synchronization

/// One target's scrape loop: one task that waits for the target's offset, then scrapes every
/// `scrape_interval` with a deadline of `scrape_timeout` and hands each outcome to its
/// `ScrapeEngine` (Prometheus' `scrapeLoop.run`).
///
/// Timing follows Prometheus: the first scrape waits for an offset derived from a hash of the
/// target, aligned to absolute multiples of the interval, so scrapes of many targets spread
/// over the interval and keep their phase across restarts; missed ticks are skipped; sample
/// timestamps are snapped to the ideal schedule when within min(1% of the interval, 2 ms) of
/// it (`AlignScrapeTimestamps`), which keeps timestamp deltas constant for compression.
///
/// Stopping (see `stop(staleness:)`) lets an in-flight scrape finish (it is bounded by the
/// timeout), then either writes nothing, writes end-of-run stale markers after Prometheus'
/// wait of just over two intervals (a removed or restarted target), or writes them at once.
package final class ScrapeLoop: Sendable {
    /// What to do about staleness when a loop stops.
    package enum StopStaleness: Sendable {
        /// Write no stale markers (Prometheus on shutdown: it will resume where it stopped).
        case none
        /// Write them after the next tick, one more interval and 10 % (Prometheus'
        /// `endOfRunStaleness`), in a background task, so a replacement loop for the same series
        /// has written newer samples by then and the markers are refused as out of order.
        case afterTwoIntervals
        /// Write them now, before `stop` returns.
        case immediately
    }

    private struct Control {
        var task: Task<Void, Never>?
        var endOfRun: Task<Void, Never>?
        var started = false
        var stopped = false
        var forcedError: ScrapeError?
        /// The next tick the loop would have scraped at (monotonic).
        var nextTick: ContinuousClock.Instant?
        /// The end-of-run task finished (wrote its markers or was cancelled).
        var endOfRunFinished = false
        /// The run task was cancelled, and what it waits on until then.
        var runCancelled = false
        var runWaiter: CheckedContinuation<Void, Never>?
    }

    /// Per-tick state of the schedule (used by one tick at a time, on the client's thread).
    private struct TickState {
        /// The ideal schedule's current slot in wall-clock ns (0 before the first tick).
        var aligned: Int64 = 0
        /// The forced error in effect when the tick's request was prepared.
        var forced: ScrapeError?
    }

    /// The loop's options.
    package let options: ScrapeLoopOptions
    private let engine: ScrapeEngine
    private let scraper: TargetScraper
    private let client: HTTPClient
    private let control = Mutex(Control())
    private let statusState = Mutex(TargetStatus())
    private let metadataState = Mutex<[String: MetricMetadata]>([:])
    private let tickState = Mutex(TickState())

    /// A loop for `options.target`, appending to `appendable` and fetching through `client`.
    package init(options: ScrapeLoopOptions, appendable: any Appendable, client: HTTPClient,
                 metrics: ScrapeMetrics, logger: ScrapeLogger? = nil) {
        self.options = options
        self.client = client
        engine = ScrapeEngine(options: options, appendable: appendable, metrics: metrics, logger: logger)
        scraper = TargetScraper(options: options)
    }

    /// The target's URL.
    package var url: String { scraper.url }

    /// The latest status (health, last error, last scrape, counters).
    package var status: TargetStatus { statusState.withLock { $0 } }

    /// The metadata (`# HELP`, `# TYPE`, `# UNIT`) the target exposed, by family name.
    package var metadata: [String: MetricMetadata] { metadataState.withLock { $0 } }

    /// Starts the status from a predecessor's, so a target whose loop restarts (a reload that
    /// changed its job's settings) keeps its health and last scrape until the new loop scrapes.
    package func inheritStatus(_ previous: TargetStatus) {
        statusState.withLock { s in
            guard s.scrapes == 0 else { return }
            s.health = previous.health
            s.lastError = previous.lastError
            s.lastScrapeMs = previous.lastScrapeMs
            s.lastScrapeDurationSeconds = previous.lastScrapeDurationSeconds
        }
    }

    /// Makes every scrape fail with `error` (the job's `target_limit`), or clears it.
    package func setForcedError(_ error: ScrapeError?) {
        control.withLock { $0.forcedError = error }
    }

    /// Starts the loop's task; a second call does nothing.
    package func start() {
        control.withLock { c in
            guard !c.started, !c.stopped else { return }
            c.started = true
            c.task = Task { [self] in await run() }
        }
    }

    /// Stops scraping and returns once an in-flight scrape has been appended; then handles
    /// staleness as `staleness` says. Calling it again only applies a stricter staleness choice
    /// (`.immediately` after `.afterTwoIntervals` writes the pending markers now).
    package func stop(staleness: StopStaleness) async {
        let task = control.withLock { c -> Task<Void, Never>? in
            c.stopped = true
            let t = c.task
            c.task = nil
            return t
        }
        task?.cancel()
        await task?.value
        switch staleness {
        case .none:
            await cancelEndOfRun()
        case .immediately:
            await cancelEndOfRun()
            engine.writeEndOfRunStaleness(t: Self.wallMs())
        case .afterTwoIntervals:
            scheduleEndOfRun()
        }
    }

    /// Cancels a pending end-of-run task and waits until it is gone; markers it already wrote
    /// stay.
    private func cancelEndOfRun() async {
        let pending = control.withLock { c -> Task<Void, Never>? in
            let t = c.endOfRun
            c.endOfRun = nil
            return t
        }
        pending?.cancel()
        await pending?.value
    }

    private func scheduleEndOfRun() {
        control.withLock { c in
            guard c.endOfRun == nil, let tick = c.nextTick else { return }
            let interval = options.interval
            let engine = self.engine
            c.endOfRun = Task {
                let clock = ContinuousClock()
                // The timestamp is that of the scrape that did not happen.
                do { try await Task.sleep(until: tick, clock: clock) } catch { return }
                let staleTime = Self.wallMs()
                do { try await Task.sleep(until: tick + interval + interval / 10, clock: clock) } catch { return }
                engine.writeEndOfRunStaleness(t: staleTime)
                self.control.withLock { $0.endOfRunFinished = true }
            }
        }
    }

    /// True while stopped with end-of-run stale markers still to be written.
    package var isRetiring: Bool {
        control.withLock { $0.stopped && $0.endOfRun != nil && !$0.endOfRunFinished }
    }

    /// Waits for a pending end-of-run task (tests and shutdown use this).
    package func waitForEndOfRun() async {
        let pending = control.withLock { $0.endOfRun }
        await pending?.value
    }

    // MARK: The loop

    /// Hands the schedule to the HTTP client, which sends each tick's request itself and runs
    /// `handleTick` on its own thread when the answer is in (no timer thread, no hop to the
    /// cooperative pool per scrape); then waits to be cancelled, and cancels the schedule, which
    /// lets an exchange in flight finish and be appended first.
    private func run() async {
        let intervalNs = max(Int64(1), options.target.interval.nanoseconds)
        let offset = Self.offset(intervalNs: intervalNs, nowNs: Self.wallNs(), targetHash: targetHash, seed: options.offsetSeed)
        let first = ContinuousClock.now + .nanoseconds(offset)
        control.withLock { $0.nextTick = first }
        let tolerance = min(intervalNs / 100, 2_000_000)
        let schedule = client.every(intervalNs: UInt64(intervalNs), firstDelayNs: UInt64(max(0, offset)), prepare: { [self] in
            let forced = control.withLock { $0.forcedError }
            tickState.withLock { $0.forced = forced }
            guard forced == nil, case .success(let request) = scraper.request() else { return nil }
            return request
        }, handle: { [self] tick in
            handleTick(tick, intervalNs: intervalNs, tolerance: tolerance)
        })
        await waitForCancellation()
        await schedule.cancel()
    }

    private func waitForCancellation() async {
        await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                let cancelled = control.withLock { s -> Bool in
                    if s.runCancelled { return true }
                    s.runWaiter = c
                    return false
                }
                if cancelled { c.resume() }
            }
        } onCancel: {
            let waiter = control.withLock { s -> CheckedContinuation<Void, Never>? in
                s.runCancelled = true
                let w = s.runWaiter
                s.runWaiter = nil
                return w
            }
            waiter?.resume()
        }
    }

    /// One scrape's outcome: the timestamp (snapped to the ideal schedule when within
    /// min(1% of the interval, 2 ms) of it, as Prometheus' `AlignScrapeTimestamps`), the append,
    /// the status.
    private func handleTick(_ tick: PeriodicTick, intervalNs: Int64, tolerance: Int64) {
        var scrapeTime = tick.startedWallNs
        let (aligned, forced) = tickState.withLock { s -> (Int64, ScrapeError?) in
            if s.aligned == 0 { s.aligned = scrapeTime }
            while scrapeTime - s.aligned >= intervalNs { s.aligned += intervalNs }
            return (s.aligned, s.forced)
        }
        if scrapeTime - aligned <= tolerance { scrapeTime = aligned }
        let appendTimeMs = scrapeTime / 1_000_000
        let fetched: Result<ScrapedBody, ScrapeError>
        if forced != nil {
            fetched = .success(ScrapedBody(bytes: [], contentType: ""))
        } else if let result = tick.result {
            fetched = scraper.interpret(result)
        } else if case .failure(let e) = scraper.request() {
            fetched = .failure(e)
        } else {
            fetched = .failure(.unsupportedAddress(options.target.labels.get("__address__")))
        }
        let started = tick.startedMonotonicNs
        let summary = engine.process(fetched, forcedError: forced, appendTimeMs: appendTimeMs, nowMs: Self.wallMs(),
                                     elapsed: { Double(Self.monotonicNs() &- started) / 1e9 })
        let labelParses = engine.labelParses
        let cached = engine.cachedSeries
        statusState.withLock { s in
            s.health = summary.error == nil ? .up : .down
            s.lastError = summary.error?.description ?? ""
            s.lastScrapeMs = appendTimeMs
            s.lastScrapeDurationSeconds = summary.durationSeconds
            s.scrapes += 1
            if summary.error != nil { s.failures += 1 }
            s.durationSecondsTotal += summary.durationSeconds
            s.labelParses = labelParses
            s.cachedSeries = cached
            s.lastSamplesScraped = summary.samplesScraped
        }
        if let changed = engine.metadataIfChanged() {
            metadataState.withLock { $0 = changed }
        }
        let next = ContinuousClock.now + .nanoseconds(Int64(min(tick.nextTickInNs, UInt64(Int64.max))))
        control.withLock { $0.nextTick = next }
    }

    // MARK: Time

    /// A hash of the target that decides its phase within the interval (Prometheus hashes the
    /// label set and the URL).
    private var targetHash: UInt64 {
        var bytes = options.target.labels.bytes
        bytes.append(contentsOf: options.target.url.utf8)
        return XXHash64.hash(bytes)
    }

    /// Prometheus' `Target.offset`: the time until this target's slot, pinned to absolute time
    /// so it does not depend on when the loop started.
    package static func offset(intervalNs: Int64, nowNs: Int64, targetHash: UInt64, seed: UInt64) -> Int64 {
        guard intervalNs > 0 else { return 0 }
        let base = intervalNs - nowNs % intervalNs
        let offset = Int64((targetHash ^ seed) % UInt64(intervalNs))
        var next = base + offset
        if next > intervalNs { next -= intervalNs }
        return next
    }

    static func wallNs() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }

    static func wallMs() -> Int64 { wallNs() / 1_000_000 }

    /// CLOCK_MONOTONIC in ns, the HTTP client's clock.
    static func monotonicNs() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec)
    }

    static func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
