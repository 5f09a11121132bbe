import Testing
import Config
import Model
import Scrape

/// The append path without timing: bodies in, committed samples out (Prometheus'
/// `TestScrapeLoopAppend*`, `TestScrapeLoopRunCreatesStaleMarkersOnFailedScrape`, ...).
@Suite struct ScrapeEngineTests {
    static let address = "127.0.0.1:9"
    static let target: [String: String] = ["job": "test", "instance": address]

    func labels(_ name: String, _ extra: [String: String] = [:]) -> Labels {
        var all = Self.target
        all["__name__"] = name
        for (k, v) in extra { all[k] = v }
        return Labels(all)
    }

    @Test func appendsSeriesWithTargetLabelsAndSyntheticSeries() throws {
        let storage = RecordingStorage()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address)
        let summary = engine.scrape("# HELP a_total A counter.\n# TYPE a_total counter\na_total{x=\"1\"} 3\nb 2.5\n", at: 1000)
        #expect(summary.error == nil)
        #expect(storage.samples(labels("a_total", ["x": "1"])) == [Sample(t: 1000, v: 3)])
        #expect(storage.samples(labels("b")) == [Sample(t: 1000, v: 2.5)])
        #expect(storage.samples(labels("up")) == [Sample(t: 1000, v: 1)])
        #expect(storage.samples(labels("scrape_duration_seconds")) == [Sample(t: 1000, v: 0.5)])
        #expect(storage.samples(labels("scrape_samples_scraped")) == [Sample(t: 1000, v: 2)])
        #expect(storage.samples(labels("scrape_samples_post_metric_relabeling")) == [Sample(t: 1000, v: 2)])
        #expect(storage.samples(labels("scrape_series_added")) == [Sample(t: 1000, v: 2)])
        #expect(storage.allSeries.count == 7)
        #expect(storage.commits == 1)
    }

    @Test func extraScrapeMetrics() throws {
        var config = testConfig(intervalMs: 2000, timeoutMs: 1500)
        config.extraScrapeMetrics = true
        config.limits.sampleLimit = 50
        let storage = RecordingStorage()
        let engine = try makeEngine(config, storage: storage, address: Self.address)
        engine.scrape("a 1\n", at: 1000)
        #expect(storage.samples(labels("scrape_timeout_seconds")) == [Sample(t: 1000, v: 1.5)])
        #expect(storage.samples(labels("scrape_sample_limit")) == [Sample(t: 1000, v: 50)])
        #expect(storage.samples(labels("scrape_body_size_bytes")) == [Sample(t: 1000, v: 4)])
        engine.fail(.bodySizeLimitExceeded, at: 2000)
        #expect(storage.samples(labels("scrape_body_size_bytes")).last == Sample(t: 2000, v: -1))
    }

    @Test func steadyStateScrapeHitsTheCache() throws {
        let storage = RecordingStorage()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address)
        let body = "a{x=\"1\"} 1\na{x=\"2\"} 2\nb 3\n"
        engine.scrape(body, at: 1000)
        #expect(engine.labelParses == 3)
        let byLabels = storage.state.withLock { $0.appendsByLabels }
        for i in 2 ... 5 {
            let s = engine.scrape(body, at: Int64(i) * 1000)
            #expect(s.seriesAdded == 0)
        }
        #expect(engine.labelParses == 3)
        // Known series and the synthetic ones are appended by reference only.
        #expect(storage.state.withLock { $0.appendsByLabels } == byLabels)
        #expect(storage.samples(labels("a", ["x": "2"])).count == 5)
        // A new series is a miss, once.
        engine.scrape(body + "c 4\n", at: 6000)
        engine.scrape(body + "c 4\n", at: 7000)
        #expect(engine.labelParses == 4)
    }

    @Test func staleMarkerWhenASeriesDisappears() throws {
        let storage = RecordingStorage()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address)
        engine.scrape("a 1\nb 2\n", at: 1000)
        engine.scrape("a 1\n", at: 2000)
        let b = storage.samples(labels("b"))
        #expect(b.count == 2)
        #expect(b.last.map { isStaleNaN($0.v) && $0.t == 2000 } == true)
        // Only once.
        engine.scrape("a 1\n", at: 3000)
        #expect(storage.samples(labels("b")).count == 2)
        // It may come back.
        engine.scrape("a 1\nb 5\n", at: 4000)
        #expect(storage.samples(labels("b")).last == Sample(t: 4000, v: 5))
    }

    @Test func explicitTimestampsGetNoStaleMarkersUnlessTracked() throws {
        for track in [false, true] {
            var config = testConfig()
            config.trackTimestampsStaleness = track
            let storage = RecordingStorage()
            let engine = try makeEngine(config, storage: storage, address: Self.address)
            engine.scrape("a 1 500\nb 2\n", at: 1000)
            engine.scrape("b 2\n", at: 2000)
            let a = storage.samples(labels("a"))
            #expect(a.first == Sample(t: 500, v: 1))
            #expect(a.count == (track ? 2 : 1), "track_timestamps_staleness: \(track)")
            if track { #expect(a.last.map { isStaleNaN($0.v) && $0.t == 2000 } == true) }
        }
    }

    @Test func failedScrapeMarksEverythingStaleOnce() throws {
        let storage = RecordingStorage()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address)
        engine.scrape("a 1\nb 2\n", at: 1000)
        let s = engine.fail(.httpStatus(500), at: 2000)
        #expect(s.error == .httpStatus(500))
        #expect(storage.samples(labels("up")).map(\.v) == [1, 0])
        #expect(storage.samples(labels("scrape_samples_scraped")).last == Sample(t: 2000, v: 0))
        for name in ["a", "b"] {
            #expect(storage.samples(labels(name)).last.map { isStaleNaN($0.v) && $0.t == 2000 } == true)
        }
        engine.fail(.httpStatus(500), at: 3000)
        #expect(storage.samples(labels("a")).count == 2)
        #expect(storage.samples(labels("up")).map(\.v) == [1, 0, 0])
        // Recovery appends again.
        engine.scrape("a 7\n", at: 4000)
        #expect(storage.samples(labels("a")).last == Sample(t: 4000, v: 7))
        #expect(storage.samples(labels("up")).last == Sample(t: 4000, v: 1))
    }

    @Test func endOfRunStalenessMarksSeriesAndSyntheticSeries() throws {
        let storage = RecordingStorage()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address)
        engine.scrape("a 1\nb{x=\"y\"} 2\nc 3 900\n", at: 1000)
        engine.writeEndOfRunStaleness(t: 1100)
        for l in [labels("a"), labels("b", ["x": "y"]), labels("up"), labels("scrape_duration_seconds"),
                  labels("scrape_samples_scraped"), labels("scrape_samples_post_metric_relabeling"), labels("scrape_series_added")] {
            #expect(storage.samples(l).last.map { isStaleNaN($0.v) && $0.t == 1100 } == true, "\(l)")
        }
        // A series with its own timestamp is left alone.
        #expect(storage.samples(labels("c")) == [Sample(t: 900, v: 3)])
        // Written once.
        engine.writeEndOfRunStaleness(t: 1200)
        #expect(storage.samples(labels("up")).count == 2)
    }

    @Test func endOfRunMarkersOlderThanASuccessorsSamplesAreRefused() throws {
        let storage = RecordingStorage()
        let old = try makeEngine(testConfig(), storage: storage, address: Self.address)
        old.scrape("a 1\n", at: 1000)
        let successor = try makeEngine(testConfig(), storage: storage, address: Self.address)
        successor.scrape("a 2\n", at: 1100)
        successor.scrape("a 3\n", at: 1200)
        old.writeEndOfRunStaleness(t: 1150)
        #expect(storage.samples(labels("a")).map(\.v) == [1, 2, 3])
    }

    struct HonorCase: Sendable, CustomStringConvertible {
        var honor: Bool
        var exposed: String
        var want: [String: String]
        var description: String { "honor_labels=\(honor) \(exposed)" }
    }

    static let honorCases: [HonorCase] = [
        .init(honor: false, exposed: "m{job=\"other\"} 1", want: ["job": "test", "exported_job": "other"]),
        .init(honor: true, exposed: "m{job=\"other\"} 1", want: ["job": "other"]),
        .init(honor: false, exposed: "m{job=\"other\",exported_job=\"x\"} 1",
              want: ["job": "test", "exported_job": "x", "exported_exported_job": "other"]),
        .init(honor: false, exposed: "m{instance=\"i\",job=\"j\"} 1",
              want: ["job": "test", "exported_job": "j", "exported_instance": "i"]),
        .init(honor: true, exposed: "m{instance=\"i\"} 1", want: ["job": "test", "instance": "i"]),
        .init(honor: false, exposed: "m{other=\"o\"} 1", want: ["job": "test", "other": "o"]),
    ]

    @Test(arguments: honorCases)
    func honorLabels(_ c: HonorCase) throws {
        var config = testConfig()
        config.honorLabels = c.honor
        let storage = RecordingStorage()
        let engine = try makeEngine(config, storage: storage, address: Self.address)
        #expect(engine.scrape(c.exposed + "\n", at: 1000).error == nil)
        var want = c.want
        want["__name__"] = "m"
        if want["instance"] == nil { want["instance"] = Self.address }
        #expect(storage.series(named: "m") == [Labels(want)])
    }

    @Test func honorTimestamps() throws {
        for honor in [true, false] {
            var config = testConfig()
            config.honorTimestamps = honor
            let storage = RecordingStorage()
            let engine = try makeEngine(config, storage: storage, address: Self.address)
            engine.scrape("a 1 1500\n", at: 2000)
            #expect(storage.samples(labels("a")) == [Sample(t: honor ? 1500 : 2000, v: 1)])
        }
    }

    @Test func timestampsTooFarAheadAreOutOfBounds() throws {
        let storage = RecordingStorage()
        let metrics = ScrapeMetrics()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address, metrics: metrics)
        let s = engine.scrape("a 1 \(1000 + 11 * 60 * 1000)\nb 2\n", at: 1000)
        #expect(s.error == nil)
        #expect(storage.samples(labels("a")).isEmpty)
        #expect(storage.samples(labels("b")).count == 1)
        #expect(metrics.sampleOutOfBounds.load(ordering: .relaxed) == 1)
    }

    @Test func outOfOrderAndDuplicatesAreCountedNotFatal() throws {
        let storage = RecordingStorage()
        let metrics = ScrapeMetrics()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address, metrics: metrics)
        engine.scrape("a 1 1000\n", at: 1000)
        let s = engine.scrape("a 2 900\nb 1\nb 2\n", at: 2000)
        #expect(s.error == nil)
        #expect(s.samplesScraped == 3)
        #expect(s.samplesPostRelabeling == 3)
        #expect(metrics.sampleOutOfOrder.load(ordering: .relaxed) == 1)
        #expect(metrics.sampleDuplicateTimestamp.load(ordering: .relaxed) == 1)
        #expect(storage.samples(labels("b")) == [Sample(t: 2000, v: 1)])
        #expect(storage.samples(labels("up")).last?.v == 1)
    }

    @Test func metricRelabelingDropKeepAndRewrite() throws {
        var config = testConfig()
        config.metricRelabelConfigs = [
            rule(.drop, source: ["__name__"], regex: "drop_.*"),
            rule(.replace, source: ["x"], regex: "(.*)", target: "y", replacement: "${1}-copy"),
        ]
        let storage = RecordingStorage()
        let engine = try makeEngine(config, storage: storage, address: Self.address)
        let body = "drop_me 1\nkeep_me{x=\"v\"} 2\n"
        let s = engine.scrape(body, at: 1000)
        #expect(s.samplesScraped == 2)
        #expect(s.samplesPostRelabeling == 1)
        #expect(storage.series(named: "drop_me").isEmpty)
        #expect(storage.samples(labels("keep_me", ["x": "v", "y": "v-copy"])) == [Sample(t: 1000, v: 2)])
        // The dropped series is cached as dropped: no more label parsing.
        engine.scrape(body, at: 2000)
        #expect(engine.labelParses == 2)

        var keep = testConfig()
        keep.metricRelabelConfigs = [rule(.keep, source: ["__name__"], regex: "keep_.*")]
        let storage2 = RecordingStorage()
        let engine2 = try makeEngine(keep, storage: storage2, address: Self.address)
        engine2.scrape(body, at: 1000)
        #expect(storage2.series(named: "drop_me").isEmpty)
        #expect(storage2.series(named: "keep_me").count == 1)
        #expect(storage2.series(named: "up").count == 1)
    }

    @Test func sampleLimitFailsTheWholeScrape() throws {
        var config = testConfig()
        config.limits.sampleLimit = 2
        let storage = RecordingStorage()
        let metrics = ScrapeMetrics()
        let engine = try makeEngine(config, storage: storage, address: Self.address, metrics: metrics)
        #expect(engine.scrape("a 1\nb 1\n", at: 1000).error == nil)
        let s = engine.scrape("a 2\nb 2\nc 2\nd 2\n", at: 2000)
        #expect(s.error == .sampleLimitExceeded)
        #expect(s.error?.description == "sample limit exceeded")
        #expect(s.samplesScraped == 4)
        #expect(s.samplesPostRelabeling == 4)
        #expect(storage.samples(labels("a")).map(\.t) == [1000])
        #expect(storage.series(named: "c").isEmpty)
        #expect(storage.samples(labels("up")).map(\.v) == [1, 0])
        #expect(storage.samples(labels("scrape_samples_scraped")).last?.v == 4)
        #expect(metrics.exceededSampleLimit.load(ordering: .relaxed) == 1)
    }

    struct LimitCase: Sendable, CustomStringConvertible {
        var name: String
        var limits: LabelLimits
        var body: String
        var want: String?
        var description: String { name }
    }

    static let limitCases: [LimitCase] = [
        .init(name: "label_limit ok", limits: LabelLimits(labelLimit: 5), body: "m{a=\"1\",b=\"2\"} 1\n", want: nil),
        .init(name: "label_limit exceeded", limits: LabelLimits(labelLimit: 4), body: "m{a=\"1\",b=\"2\"} 1\n",
              want: "label_limit exceeded (metric: m, number of labels: 5, limit: 4)"),
        .init(name: "name length", limits: LabelLimits(nameLengthLimit: 8), body: "m{long_name=\"1\"} 1\n",
              want: "label_name_length_limit exceeded (metric: m, label name: long_name, length: 9, limit: 8)"),
        .init(name: "value length", limits: LabelLimits(valueLengthLimit: 14), body: "m{v=\"0123456789abcdef\"} 1\n",
              want: "label_value_length_limit exceeded (metric: m, label name: v, value: \"0123456789abcdef\", length: 16, limit: 14)"),
    ]

    @Test(arguments: limitCases)
    func labelLimits(_ c: LimitCase) throws {
        var config = testConfig()
        config.limits.labelLimit = UInt64(c.limits.labelLimit)
        config.limits.labelNameLengthLimit = UInt64(c.limits.nameLengthLimit)
        config.limits.labelValueLengthLimit = UInt64(c.limits.valueLengthLimit)
        let storage = RecordingStorage()
        let engine = try makeEngine(config, storage: storage, address: Self.address)
        let s = engine.scrape(c.body, at: 1000)
        #expect(s.error?.description == c.want)
        #expect(storage.series(named: "m").count == (c.want == nil ? 1 : 0))
    }

    @Test func badExpositionRollsBackTheWholeScrape() throws {
        let storage = RecordingStorage()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address)
        engine.scrape("a 1\nb 1\n", at: 1000)
        let s = engine.scrape("a 2\nnew_series 5\nb{ 2\n", at: 2000)
        guard case .exposition = s.error else {
            Issue.record("want a parse error, got \(String(describing: s.error))")
            return
        }
        #expect(storage.samples(labels("up")).map(\.v) == [1, 0])
        // Nothing of the broken body was committed.
        #expect(storage.series(named: "new_series").isEmpty)
        #expect(!storage.samples(labels("a")).contains { $0.t == 2000 && !isStaleNaN($0.v) })
        // As in Prometheus, a series read before the error counts as seen for staleness; `b` was not.
        #expect(storage.samples(labels("b")).last.map { isStaleNaN($0.v) && $0.t == 2000 } == true)
    }

    @Test func contentTypeNegotiation() throws {
        let storage = RecordingStorage()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address)
        let om = "# TYPE a_seconds counter\n# UNIT a_seconds seconds\na_seconds_total 1\n# EOF\n"
        #expect(engine.scrape(om, at: 1000, contentType: "application/openmetrics-text; version=1.0.0").error == nil)
        #expect(storage.samples(labels("a_seconds_total")) == [Sample(t: 1000, v: 1)])
        #expect(engine.metadataSnapshot["a_seconds"]?.unit == "seconds")
        let bad = engine.scrape("a 1\n", at: 2000, contentType: "application/json")
        #expect(bad.error?.description == "received unsupported Content-Type \"application/json\" and no fallback_scrape_protocol specified for target")

        var config = testConfig()
        config.fallbackScrapeProtocol = "PrometheusText0.0.4"
        let storage2 = RecordingStorage()
        let engine2 = try makeEngine(config, storage: storage2, address: Self.address)
        #expect(engine2.scrape("a 1\n", at: 1000, contentType: "").error == nil)
    }

    @Test func emptyBodyIsASuccessfulEmptyScrape() throws {
        let storage = RecordingStorage()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address)
        engine.scrape("a 1\n", at: 1000)
        let s = engine.scrape("", at: 2000)
        #expect(s.error == nil)
        #expect(storage.samples(labels("up")).last == Sample(t: 2000, v: 1))
        #expect(storage.samples(labels("a")).last.map { isStaleNaN($0.v) } == true)
    }

    @Test func invalidNamesAfterRelabelingFail() throws {
        var config = testConfig()
        config.metricRelabelConfigs = [rule(.labeldrop, regex: "__name__")]
        let storage = RecordingStorage()
        let engine = try makeEngine(config, storage: storage, address: Self.address)
        #expect(engine.scrape("a 1\n", at: 1000).error == .missingMetricName)

        var legacy = testConfig()
        legacy.metricNameValidationScheme = .legacy
        let engine2 = try makeEngine(legacy, storage: RecordingStorage(), address: Self.address)
        let s = engine2.scrape("{\"a.b\"} 1\n", at: 1000)
        #expect(s.error?.description.hasPrefix("invalid metric name or label names: ") == true)
    }

    @Test func metadataIsRecorded() throws {
        let storage = RecordingStorage()
        var config = testConfig()
        config.metricRelabelConfigs = []
        let target = try makeTarget(config, address: Self.address)
        let options = ScrapeLoopOptions(config: config, target: target, metricRelabeler: try Relabeler([]))
        let engine = ScrapeEngine(options: options, appendable: storage, metrics: ScrapeMetrics())
        engine.scrape("# HELP a_total Things.\n# TYPE a_total counter\na_total 1\n# TYPE g gauge\ng 1\n", at: 1000)
        let md = engine.metadataSnapshot
        #expect(md["a_total"] == MetricMetadata(metric: "a_total", type: "counter", help: "Things.", unit: ""))
        #expect(md["g"]?.type == "gauge")
    }

    @Test func cacheIsFlushedOfSeriesThatWentAway() throws {
        let storage = RecordingStorage()
        let engine = try makeEngine(testConfig(), storage: storage, address: Self.address)
        var body = ""
        for i in 0 ..< 200 { body += "s{i=\"\(i)\"} 1\n" }
        engine.scrape(body, at: 1000)
        #expect(engine.cachedSeries == 200)
        engine.scrape("s{i=\"0\"} 1\n", at: 2000)
        #expect(engine.cachedSeries == 1)
        engine.scrape(body, at: 3000)
        #expect(engine.cachedSeries == 200)
        #expect(storage.samples(labels("s", ["i": "150"])).map(\.t) == [1000, 2000, 3000])
    }
}
