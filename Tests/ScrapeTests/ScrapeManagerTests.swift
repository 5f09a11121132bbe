import Testing
import Config
import Foundation
import Model
import Scrape
import TestSupport

/// The manager: apply/reload keeps unchanged loops, restarts changed ones, stops removed ones
/// with staleness; the API data.
@Suite(.serialized) struct ScrapeManagerTests {
    func config(_ jobs: ScrapeConfig..., file: String = "") -> VigilConfig {
        var c = VigilConfig()
        c.scrapeConfigs = jobs
        c.file = file
        return c
    }

    @Test func reloadKeepsUnchangedLoopsAndRestartsChangedOnes() async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        server.set("/metrics", body: "a 1\n")
        let storage = RecordingStorage()
        let manager = ScrapeManager(appendable: storage)
        let one = "127.0.0.1:\(server.port)", two = "localhost:\(server.port)"

        var jobA = testConfig(job: "a", targets: [one])
        let jobB = testConfig(job: "b", targets: [one])
        #expect(await manager.apply(config: config(jobA, jobB)).isEmpty)
        let a1 = try #require(await manager.loop(job: "a", address: one))
        let b1 = try #require(await manager.loop(job: "b", address: one))
        #expect(await eventually { a1.status.scrapes >= 1 && b1.status.scrapes >= 1 })

        // The same configuration again: nothing restarts.
        await manager.apply(config: config(jobA, jobB))
        #expect(await manager.loop(job: "a", address: one) === a1)
        #expect(await manager.loop(job: "b", address: one) === b1)

        // A target added to job a: the existing loop stays, one more starts; job b untouched.
        jobA.serviceDiscovery.staticConfigs = [StaticConfig(targets: [one, two])]
        await manager.apply(config: config(jobA, jobB))
        #expect(await manager.loop(job: "a", address: one) === a1)
        let a2 = try #require(await manager.loop(job: "a", address: two))
        #expect(await manager.loop(job: "b", address: one) === b1)
        #expect(await eventually { a2.status.scrapes >= 1 })

        // Metric relabeling of job a changes: its loops restart, job b's do not.
        jobA.metricRelabelConfigs = [rule(.drop, source: ["__name__"], regex: "nothing")]
        await manager.apply(config: config(jobA, jobB))
        let a1b = try #require(await manager.loop(job: "a", address: one))
        #expect(a1b !== a1)
        // The restarted target keeps its health until the new loop has scraped.
        #expect(a1b.status.health == .up)
        #expect(await manager.loop(job: "b", address: one) === b1)

        // The interval of job b changes: its target's labels change, so its loop restarts.
        var jobB2 = jobB
        jobB2.scrapeInterval = PromDuration(nanoseconds: 150_000_000)
        jobB2.scrapeTimeout = PromDuration(nanoseconds: 150_000_000)
        await manager.apply(config: config(jobA, jobB2))
        #expect(await manager.loop(job: "b", address: one) !== b1)
        #expect(await manager.loop(job: "a", address: one) === a1b)
        await manager.stop(markStale: false)
    }

    @Test func removedTargetAndRemovedJobGetStaleMarkers() async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        server.set("/metrics", body: "a 1\n")
        let storage = RecordingStorage()
        let manager = ScrapeManager(appendable: storage)
        let one = "127.0.0.1:\(server.port)", two = "localhost:\(server.port)"
        let job = testConfig(job: "j", targets: [one, two])
        let other = testConfig(job: "other", targets: [one])
        await manager.apply(config: config(job, other))
        #expect(await eventually { storage.samples(named: "a", ["instance": two]).count >= 2 && storage.samples(named: "a", ["job": "other"]).count >= 1 })

        // Drop target `two` and the whole job `other`.
        await manager.apply(config: config(testConfig(job: "j", targets: [one])))
        await manager.waitForRetiredLoops()
        for (match, what) in [(["instance": two], "removed target"), (["job": "other"], "removed job")] {
            #expect(storage.samples(named: "a", match).last.map { isStaleNaN($0.v) } == true, "\(what)")
            #expect(storage.samples(named: "up", match).last.map { isStaleNaN($0.v) } == true, "\(what)")
        }
        // The remaining target keeps going.
        let before = storage.samples(named: "a", ["instance": one, "job": "j"]).count
        #expect(await eventually { storage.samples(named: "a", ["instance": one, "job": "j"]).count > before })
        // No stale marker, except after a scrape that failed (a 100 ms timeout on a loaded
        // machine): that one has `up` 0 at the same time.
        var ups: [Int64: Double] = [:]
        for s in storage.samples(named: "up", ["instance": one, "job": "j"]) { ups[s.t] = s.v }
        #expect(storage.samples(named: "a", ["instance": one, "job": "j"]).allSatisfy { !isStaleNaN($0.v) || ups[$0.t] == 0 })

        // stop() marks the rest stale before returning.
        await manager.stop()
        #expect(storage.samples(named: "a", ["instance": one, "job": "j"]).last.map { isStaleNaN($0.v) } == true)
        #expect(storage.samples(named: "up", ["instance": one, "job": "j"]).last.map { isStaleNaN($0.v) } == true)
    }

    @Test func restartedLoopsDoNotLeaveStaleGaps() async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        server.set("/metrics", body: "a 1\n")
        let storage = RecordingStorage()
        let manager = ScrapeManager(appendable: storage)
        let one = "127.0.0.1:\(server.port)"
        var job = testConfig(job: "j", targets: [one])
        await manager.apply(config: config(job))
        #expect(await eventually { storage.samples(named: "a").count >= 2 })
        job.honorLabels = true // A loop-level change: the loop restarts.
        await manager.apply(config: config(job))
        await manager.waitForRetiredLoops()
        try await Task.sleep(for: .milliseconds(150))
        // The old loop's end-of-run markers were older than the new loop's samples: refused.
        #expect(storage.samples(named: "a").allSatisfy { !isStaleNaN($0.v) })
        #expect(storage.samples(named: "up").allSatisfy { !isStaleNaN($0.v) })
        await manager.stop(markStale: false)
    }

    @Test func targetLimitFailsEveryTargetOfTheJob() async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        server.set("/metrics", body: "a 1\n")
        let storage = RecordingStorage()
        let manager = ScrapeManager(appendable: storage)
        var job = testConfig(job: "j", targets: ["127.0.0.1:\(server.port)", "localhost:\(server.port)"])
        job.limits.targetLimit = 1
        await manager.apply(config: config(job))
        let loops = await manager.loops(job: "j")
        #expect(loops.count == 2)
        #expect(await eventually { loops.allSatisfy { $0.status.scrapes >= 1 } })
        for l in loops {
            #expect(l.status.health == .down)
            #expect(l.status.lastError == "target_limit exceeded (number of targets: 2, limit: 1)")
        }
        #expect(storage.series(named: "a").isEmpty)
        #expect(manager.metrics.exceededTargetLimit.load(ordering: .relaxed) >= 1)
        await manager.stop(markStale: false)
    }

    @Test func apiData() async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        server.set("/metrics", body: "# HELP a_total Things.\n# TYPE a_total counter\na_total 1\n# TYPE g gauge\ng 2\n")
        server.set("/other", body: "# HELP a_total Other things.\n# TYPE a_total counter\na_total 1\n")
        let storage = RecordingStorage()
        var options = ScrapeManagerOptions()
        options.externalURL = ExternalURL("https://vigil.example.com:9090/", listenPort: "9090")
        let manager = ScrapeManager(appendable: storage, options: options)
        let address = "127.0.0.1:\(server.port)"
        var job = testConfig(job: "j", targets: [address, "drop.me:1"], labels: ["env": "test"])
        job.relabelConfigs = [rule(.drop, source: ["__address__"], regex: "drop\\.me:1")]
        job.limits.keepDroppedTargets = 5
        let other = testConfig(job: "k", path: "/other", targets: [address])
        await manager.apply(config: config(job, other))
        let loops = await manager.loops(job: "j") + manager.loops(job: "k")
        #expect(await eventually { loops.allSatisfy { $0.status.scrapes >= 1 } })

        #expect(await manager.scrapePools() == ["j", "k"])
        let active = await manager.activeTargets()
        #expect(active.count == 2)
        let t = try #require(active.first)
        #expect(t.scrapePool == "j")
        #expect(t.labels == Labels(["job": "j", "instance": address, "env": "test"]))
        #expect(t.discoveredLabels.get("__address__") == address)
        #expect(t.discoveredLabels.get("env") == "test")
        #expect(t.scrapeURL == "http://\(address)/metrics")
        #expect(t.globalURL == "http://vigil.example.com:\(server.port)/metrics")
        #expect(t.health == .up)
        #expect(t.lastError == "")
        #expect(t.lastScrapeMs != nil)
        #expect(t.scrapeInterval == "100ms")
        #expect(t.scrapeTimeout == "100ms")

        let dropped = await manager.droppedTargets()
        #expect(dropped.map(\.scrapePool) == ["j"])
        #expect(dropped.first?.discoveredLabels.get("__address__") == "drop.me:1")
        #expect(await manager.droppedTargetCounts() == ["j": 1, "k": 0])

        let md = await manager.targetMetadata(matchTarget: [.equal("job", "j")])
        #expect(md.map(\.metric) == ["a_total", "g"])
        #expect(md.first?.help == "Things.")
        #expect(await manager.targetMetadata(metric: "a_total").count == 2)
        // As in Prometheus, `limit` bounds the number of targets visited, not entries.
        #expect(await manager.targetMetadata(limit: 1).map(\.metric) == ["a_total", "g"])
        #expect(await manager.targetMetadata(limit: 0).isEmpty)

        let all = await manager.metadata()
        #expect(Set(all["a_total"] ?? []) == [MetadataValue(type: "counter", help: "Things.", unit: ""),
                                               MetadataValue(type: "counter", help: "Other things.", unit: "")])
        #expect(all["g"] == [MetadataValue(type: "gauge", help: "", unit: "")])
        #expect(await manager.metadata(limitPerMetric: 1)["a_total"]?.count == 1)
        #expect(await manager.metadata(limit: 1).count == 1)
        #expect(await manager.metadata(metric: "g").keys.sorted() == ["g"])

        let selfMetrics = await manager.selfMetrics()
        #expect(selfMetrics.contains { $0.name == "vigil_target_scrapes_total" && $0.labels["scrape_job"] == "j" && $0.value >= 1 })
        #expect(selfMetrics.contains { $0.name == "vigil_target_scrapes_sample_out_of_order_total" })
        await manager.stop(markStale: false)
    }

    @Test(arguments: [
        ("http://127.0.0.1:9100/metrics", "http://vigil.example.com:9100/metrics"),
        ("http://localhost:9090/metrics", "https://vigil.example.com:9090/metrics"),
        ("http://10.0.0.1:9100/metrics", "http://10.0.0.1:9100/metrics"),
    ])
    func globalURL(_ scrape: String, _ want: String) throws {
        let external = try #require(ExternalURL("https://vigil.example.com:9090/prefix", listenPort: "9090"))
        #expect(external.globalURL(for: scrape) == want)
    }
}

/// The manager driven by configuration text, as the daemon drives it.
@Suite(.serialized) struct ScrapeManagerConfigFileTests {
    @Test func yamlConfigAndReorderedReloadKeepLoops() async throws {
        let server = try TestTargetServer()
        defer { server.shutdown() }
        server.set("/metrics", body: "a 1\nb{x=\"1\"} 2\n")
        let dir = try TempDirectory()
        defer { dir.remove() }
        let address = "127.0.0.1:\(server.port)"
        let first = """
        global:
          scrape_interval: 100ms
          scrape_timeout: 100ms
          external_labels: {replica: "1"}
        scrape_configs:
          - job_name: one
            static_configs: [{targets: ['\(address)'], labels: {env: prod}}]
            metric_relabel_configs:
              - {source_labels: [__name__], regex: b, action: drop}
          - job_name: two
            honor_labels: true
            static_configs: [{targets: ['localhost:\(server.port)']}]
        """
        let second = """
        # Same jobs, other order and spelling.
        global: {scrape_interval: 100ms, scrape_timeout: 100ms, external_labels: {replica: "1"}}
        scrape_configs:
          - job_name: two
            static_configs:
              - targets: ['localhost:\(server.port)']
            honor_labels: true
          - job_name: one
            metric_relabel_configs: [{action: drop, regex: b, source_labels: [__name__]}]
            static_configs:
              - labels: {env: prod}
                targets: ['\(address)']
        """
        let storage = RecordingStorage()
        let manager = ScrapeManager(appendable: storage)
        #expect(await manager.apply(config: try ConfigFile.parse(first, file: dir.path + "/vigil.yml")).isEmpty)
        let one = try #require(await manager.loop(job: "one", address: address))
        let two = try #require(await manager.loop(job: "two", address: "localhost:\(server.port)"))
        #expect(await eventually { storage.samples(named: "a", ["job": "one"]).count >= 1 })
        // External labels are not added at scrape time; metric relabeling applies.
        #expect(storage.series(named: "a").allSatisfy { $0.get("replica").isEmpty })
        #expect(storage.series(named: "b").allSatisfy { $0.get("job") == "two" })
        #expect(storage.series(named: "a").contains { $0 == Labels(["__name__": "a", "job": "one", "instance": address, "env": "prod"]) })

        await manager.apply(config: try ConfigFile.parse(second, file: dir.path + "/vigil.yml"))
        #expect(await manager.loop(job: "one", address: address) === one)
        #expect(await manager.loop(job: "two", address: "localhost:\(server.port)") === two)
        await manager.stop(markStale: false)
    }
}
