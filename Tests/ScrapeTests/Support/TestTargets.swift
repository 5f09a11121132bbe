import Glibc
import Config
import HTTP
import Model
import Scrape
import Synchronization

/// A loopback HTTP server whose `/metrics`-style paths answer with whatever the test sets,
/// counting requests per path.
final class TestTargetServer: Sendable {
    struct Reply: Sendable {
        var status = 200
        var contentType = "text/plain; version=0.0.4"
        var body = ""
        /// Milliseconds to block before answering (runs on a worker thread).
        var delayMs = 0
    }

    final class State: Sendable {
        let replies = Mutex<[String: Reply]>([:])
        let hits = Mutex<[String: Int]>([:])
    }

    let server: HTTPServer
    let state = State()
    private let pool: WorkerPool

    init(_ replies: [String: Reply] = [:]) throws {
        state.replies.withLock { $0 = replies }
        let state = self.state
        let pool = WorkerPool(name: "test-target", threads: 4, queueCapacity: 256)
        self.pool = pool
        var router = Router()
        router.add(.get, "/*path", executor: .pool(pool)) { request in
            state.hits.withLock { $0[request.path, default: 0] += 1 }
            guard let reply = state.replies.withLock({ $0[request.path] }) else { return .text("not found", status: 404) }
            if reply.delayMs > 0 { usleepMs(reply.delayMs) }
            return HTTPResponse(status: reply.status, contentType: reply.contentType, body: Array(reply.body.utf8))
        }
        server = HTTPServer(router: router, loops: 1)
        try server.start()
    }

    var port: Int { server.port }
    var address: String { "127.0.0.1:\(port)" }

    func set(_ path: String, _ reply: Reply) { state.replies.withLock { $0[path] = reply } }
    func set(_ path: String, body: String, status: Int = 200, contentType: String = "text/plain; version=0.0.4") {
        set(path, Reply(status: status, contentType: contentType, body: body))
    }
    func remove(_ path: String) { _ = state.replies.withLock { $0.removeValue(forKey: path) } }
    func hitCount(_ path: String) -> Int { state.hits.withLock { $0[path] ?? 0 } }

    func shutdown() {
        server.shutdown(grace: .milliseconds(100))
        pool.shutdown()
    }
}

/// Blocks the calling thread (a server worker) for `ms` milliseconds.
func usleepMs(_ ms: Int) {
    usleep(UInt32(ms * 1000))
}

/// A scrape config for tests: short interval, static targets.
func testConfig(job: String = "test", intervalMs: Int64 = 100, timeoutMs: Int64? = nil, path: String = "/metrics",
                targets: [String] = [], labels: [String: String] = [:]) -> ScrapeConfig {
    var c = ScrapeConfig()
    c.jobName = job
    c.scrapeInterval = PromDuration(nanoseconds: intervalMs * 1_000_000)
    c.scrapeTimeout = PromDuration(nanoseconds: (timeoutMs ?? intervalMs) * 1_000_000)
    c.metricsPath = path
    c.scheme = "http"
    if !targets.isEmpty { c.serviceDiscovery.staticConfigs = [StaticConfig(targets: targets, labels: labels)] }
    return c
}

/// The first target `config` makes of `address`.
func makeTarget(_ config: ScrapeConfig, address: String, extra: [String: String] = [:]) throws -> ScrapeTarget {
    var t = extra
    t["__address__"] = address
    let relabeler = try Relabeler(config.relabelConfigs)
    guard case .target(let target) = try TargetLabels.populate(config: config, relabeler: relabeler, target: t, group: [:]) else {
        throw ScrapeError.noAddress
    }
    return target
}

/// An engine over `storage` for `config` and a target at `address`.
func makeEngine(_ config: ScrapeConfig, storage: RecordingStorage, address: String = "127.0.0.1:9",
                extra: [String: String] = [:], metrics: ScrapeMetrics = ScrapeMetrics()) throws -> ScrapeEngine {
    let target = try makeTarget(config, address: address, extra: extra)
    let options = ScrapeLoopOptions(config: config, target: target, metricRelabeler: try Relabeler(config.metricRelabelConfigs))
    return ScrapeEngine(options: options, appendable: storage, metrics: metrics)
}

extension ScrapeEngine {
    /// Processes `body` as a successful fetch at `t`.
    @discardableResult
    func scrape(_ body: String, at t: Int64, contentType: String = "text/plain; version=0.0.4") -> ScrapeSummary {
        process(.success(ScrapedBody(bytes: Array(body.utf8), contentType: contentType)), appendTimeMs: t, nowMs: t, elapsed: { 0.5 })
    }

    /// Processes a failed fetch at `t`.
    @discardableResult
    func fail(_ error: ScrapeError, at t: Int64) -> ScrapeSummary {
        process(.failure(error), appendTimeMs: t, nowMs: t, elapsed: { 0.25 })
    }
}

/// Polls `condition` every 10 ms for up to `seconds` (generous: it returns as soon as the
/// condition holds, and a loaded machine can delay scrapes by seconds).
func eventually(_ seconds: Double = 15, _ condition: () async -> Bool) async -> Bool {
    let deadline = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
    while ContinuousClock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}
