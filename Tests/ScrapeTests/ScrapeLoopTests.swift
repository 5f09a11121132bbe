import Testing
import Synchronization
import Config
import HTTP
import Model
import Scrape

/// Scrape loops against a real loopback server, with 100 ms intervals.
@Suite(.serialized) struct ScrapeLoopTests {
    func loop(_ config: ScrapeConfig, _ address: String, storage: RecordingStorage, client: HTTPClient,
              metrics: ScrapeMetrics = ScrapeMetrics()) throws -> ScrapeLoop {
        let target = try makeTarget(config, address: address)
        let options = ScrapeLoopOptions(config: config, target: target, metricRelabeler: try Relabeler(config.metricRelabelConfigs))
        return ScrapeLoop(options: options, appendable: storage, client: client, metrics: metrics)
    }

    @Test func scrapesChangingMetricsThenReportsDownThenStale() async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        let client = HTTPClient()
        defer { client.shutdown() }
        server.set("/metrics", body: "# TYPE c counter\nc 1\ng 5\n")
        let storage = RecordingStorage()
        let config = testConfig()
        let l = try loop(config, server.address, storage: storage, client: client)
        l.start()
        #expect(await eventually { storage.samples(named: "c").count >= 2 })
        server.set("/metrics", body: "# TYPE c counter\nc 2\n")
        #expect(await eventually { storage.samples(named: "c").contains { $0.v == 2 } })
        // `g` went away: a stale marker.
        #expect(await eventually { storage.samples(named: "g").last.map { isStaleNaN($0.v) } == true })
        #expect(l.status.health == .up)
        #expect(l.status.lastError == "")
        #expect(l.metadata["c"]?.type == "counter")

        // The target fails: up 0, its series stale, the error in Go's words.
        server.set("/metrics", body: "oops", status: 500)
        #expect(await eventually { l.status.health == .down })
        #expect(l.status.lastError == "server returned HTTP status 500 Internal Server Error")
        #expect(storage.samples(named: "up").last?.v == 0)
        #expect(await eventually { storage.samples(named: "c").last.map { isStaleNaN($0.v) } == true })

        // Synthetic series carry the target's labels and the scrape's timestamp.
        let up = storage.series(named: "up")
        #expect(up == [Labels(["__name__": "up", "job": "test", "instance": server.address])])
        let ups = storage.samples(named: "up")
        let durations = storage.samples(named: "scrape_duration_seconds")
        #expect(Set(ups.map(\.t)) == Set(durations.map(\.t)))
        // Timestamps advance by the interval (aligned), never twice the same.
        let ts = ups.map(\.t)
        #expect(ts == ts.sorted() && Set(ts).count == ts.count)
        await l.stop(staleness: .none)
    }

    @Test func removedTargetGetsStaleMarkersAfterTheNextTwoTicks() async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        let client = HTTPClient()
        defer { client.shutdown() }
        server.set("/metrics", body: "a 1\nb{x=\"1\"} 2\n")
        let storage = RecordingStorage()
        let l = try loop(testConfig(), server.address, storage: storage, client: client)
        l.start()
        #expect(await eventually { storage.samples(named: "a").count >= 1 })
        let stoppedAt = ContinuousClock.now
        await l.stop(staleness: .afterTwoIntervals)
        let before = storage.samples(named: "a").count
        await l.waitForEndOfRun()
        let waited = stoppedAt.duration(to: .now)
        // The next tick, one more interval and 10 %: between 1.1 and 2.1 intervals after the stop.
        #expect(waited >= .milliseconds(105), "\(waited)")
        #expect(waited < .seconds(2), "\(waited)")
        for name in ["a", "b", "up", "scrape_duration_seconds", "scrape_samples_scraped",
                     "scrape_samples_post_metric_relabeling", "scrape_series_added"] {
            #expect(storage.samples(named: name).last.map { isStaleNaN($0.v) } == true, "\(name)")
        }
        #expect(storage.samples(named: "a").count == before + 1)
        // Stopping again writes nothing more.
        await l.stop(staleness: .immediately)
        #expect(storage.samples(named: "a").count == before + 1)
    }

    @Test func stopImmediatelyWritesMarkersBeforeReturning() async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        let client = HTTPClient()
        defer { client.shutdown() }
        server.set("/metrics", body: "a 1\n")
        let storage = RecordingStorage()
        let l = try loop(testConfig(), server.address, storage: storage, client: client)
        l.start()
        #expect(await eventually { storage.samples(named: "a").count >= 1 })
        await l.stop(staleness: .immediately)
        #expect(storage.samples(named: "a").last.map { isStaleNaN($0.v) } == true)
        #expect(storage.samples(named: "up").last.map { isStaleNaN($0.v) } == true)
    }

    struct FailureCase: Sendable, CustomStringConvertible {
        var name: String
        var reply: TestTargetServer.Reply
        var configure: @Sendable (inout ScrapeConfig) -> Void
        var want: @Sendable (String) -> Bool
        var description: String { name }
    }

    static let failures: [FailureCase] = [
        .init(name: "body_size_limit", reply: .init(body: String(repeating: "a 1\n", count: 100)),
              configure: { $0.limits.bodySizeLimit = ByteSize(bytes: 100) }, want: { $0 == "body size limit exceeded" }),
        .init(name: "body exactly at the limit", reply: .init(body: String(repeating: "a 1\n", count: 25)),
              configure: { $0.limits.bodySizeLimit = ByteSize(bytes: 100) }, want: { $0 == "body size limit exceeded" }),
        .init(name: "timeout", reply: .init(body: "a 1\n", delayMs: 400),
              configure: { $0.scrapeInterval = PromDuration(nanoseconds: 200_000_000); $0.scrapeTimeout = PromDuration(nanoseconds: 100_000_000) },
              want: { $0.hasPrefix("Get \"http://127.0.0.1:") && $0.hasSuffix("/metrics\": context deadline exceeded") }),
        .init(name: "404", reply: .init(status: 404, body: "no"), configure: { $0.metricsPath = "/missing" },
              want: { $0 == "server returned HTTP status 404 Not Found" }),
        .init(name: "sample_limit", reply: .init(body: "a 1\nb 1\nc 1\n"), configure: { $0.limits.sampleLimit = 2 },
              want: { $0 == "sample limit exceeded" }),
        .init(name: "bad exposition", reply: .init(body: "a 1\nb{ 2\n"), configure: { _ in },
              want: { $0.hasPrefix("line 2, column") }),
        .init(name: "https", reply: .init(body: "a 1\n"), configure: { $0.scheme = "https" },
              want: { $0 == "scheme \"https\" is not supported: Vigil has no TLS client yet" }),
    ]

    @Test(arguments: failures)
    func failingScrapes(_ c: FailureCase) async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        let client = HTTPClient()
        defer { client.shutdown() }
        server.set("/metrics", c.reply)
        var config = testConfig()
        c.configure(&config)
        let storage = RecordingStorage()
        let l = try loop(config, server.address, storage: storage, client: client)
        l.start()
        let done = await eventually(3) { l.status.scrapes >= 1 }
        #expect(done)
        let status = l.status
        #expect(status.health == .down)
        #expect(c.want(status.lastError), "\(status.lastError)")
        #expect(storage.samples(named: "up").first?.v == 0)
        #expect(storage.series(named: "a").isEmpty)
        await l.stop(staleness: .none)
    }

    @Test func requestCarriesAcceptHeaderParamsAndNoCompression() async throws {
        final class Seen: Sendable { let headers = Mutex<[String: String]>([:]); let query = Mutex("") }
        let seen = Seen()
        var router = Router()
        router.add(.get, "/probe") { request in
            seen.headers.withLock { h in for f in request.headers { h[f.name.lowercased()] = f.value } }
            seen.query.withLock { $0 = String(request.target.split(separator: "?", maxSplits: 1).last ?? "") }
            return HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4", body: Array("a 1\n".utf8))
        }
        let server = HTTPServer(router: router, loops: 1)
        try server.start()
        defer { server.shutdown(grace: .milliseconds(100)) }
        let client = HTTPClient()
        defer { client.shutdown() }
        var config = testConfig(path: "/probe")
        config.params = ["module": ["http_2xx"], "target": ["a b"]]
        let storage = RecordingStorage()
        let l = try loop(config, "127.0.0.1:\(server.port)", storage: storage, client: client)
        l.start()
        #expect(await eventually { l.status.scrapes >= 1 })
        await l.stop(staleness: .none)
        let headers = seen.headers.withLock { $0 }
        #expect(headers["accept"] == AcceptHeader.value(for: config))
        #expect(headers["accept-encoding"] == "identity")
        #expect(headers["x-prometheus-scrape-timeout-seconds"] == "0.1")
        #expect(seen.query.withLock { $0 } == "module=http_2xx&target=a+b")
        #expect(l.status.health == .up)
    }

    @Test(arguments: [(Int64(10_000_000_000), Int64(3_000_000_000), UInt64(0)),
                      (10_000_000_000, 3_000_000_000, 4_000_000_000),
                      (10_000_000_000, 9_000_000_000, 4_000_000_000)])
    func offsetIsPinnedToAbsoluteTime(_ interval: Int64, _ now: Int64, _ hash: UInt64) {
        let offset = ScrapeLoop.offset(intervalNs: interval, nowNs: now, targetHash: hash, seed: 0)
        #expect(offset > 0 && offset <= interval)
        // The first scrape lands on the same phase whenever the loop starts.
        #expect((now + offset) % interval == Int64(hash % UInt64(interval)))
    }
}
