import Testing
@testable import Telemetry

@Suite struct MetricRegistryTests {
    @Test func rendersCountersGaugesSortedWithEscapes() {
        let r = MetricRegistry()
        let reqs = r.counter("b_requests_total", help: "Requests.\nSecond line \\ x", labels: ["code", "handler"])
        reqs.with("200", "/x").inc()
        reqs.with("200", "/x").add(2)
        reqs.with("500", "/a\"b\n").inc()
        r.gauge("a_open", help: "Open.").with().set(1e6)
        let text = String(decoding: r.render(), as: UTF8.self)
        #expect(text == """
        # HELP a_open Open.
        # TYPE a_open gauge
        a_open 1e+06
        # HELP b_requests_total Requests.\\nSecond line \\\\ x
        # TYPE b_requests_total counter
        b_requests_total{code="200",handler="/x"} 3
        b_requests_total{code="500",handler="/a\\"b\\n"} 1

        """)
    }

    @Test func histogramIsCumulative() {
        let r = MetricRegistry()
        let h = r.histogram("lat_seconds", help: "Latency.", labels: ["h"], buckets: [0.1, 1, 10])
        for v in [0.05, 0.1, 0.5, 2, 20] { h.with("q").observe(v) }
        let text = String(decoding: r.render(), as: UTF8.self)
        #expect(text.contains("lat_seconds_bucket{h=\"q\",le=\"0.1\"} 2\n"))
        #expect(text.contains("lat_seconds_bucket{h=\"q\",le=\"1\"} 3\n"))
        #expect(text.contains("lat_seconds_bucket{h=\"q\",le=\"10\"} 4\n"))
        #expect(text.contains("lat_seconds_bucket{h=\"q\",le=\"+Inf\"} 5\n"))
        #expect(text.contains("lat_seconds_sum{h=\"q\"} 22.65\n"))
        #expect(text.contains("lat_seconds_count{h=\"q\"} 5\n"))
    }

    @Test func sameNameReturnsSameFamily() {
        let r = MetricRegistry()
        r.counter("x_total", help: "X.").with().inc()
        r.counter("x_total", help: "X.").with().inc()
        #expect(String(decoding: r.render(), as: UTF8.self).contains("x_total 2\n"))
    }

    @Test func countersIgnoreNegativeDeltas() {
        let c = Counter()
        c.add(5)
        c.add(-3)
        #expect(c.get == 5)
    }

    @Test func processMetricsAreRead() throws {
        let s = ProcessMetrics.read()
        #expect(try #require(s.residentBytes) > Double(1 << 20))
        #expect(try #require(s.openFDs) >= 3)
        #expect(try #require(s.maxFDs) >= 1024)
        #expect(try #require(s.cpuSeconds) >= 0)
        let start = try #require(s.startTimeSeconds)
        #expect(start > 1_600_000_000 && start < 4_000_000_000)
        let r = MetricRegistry()
        ProcessMetrics.register(on: r)
        let text = String(decoding: r.render(), as: UTF8.self)
        for name in ["process_cpu_seconds_total", "process_resident_memory_bytes", "process_open_fds",
                     "process_max_fds", "process_start_time_seconds", "process_virtual_memory_bytes"] {
            #expect(text.contains("# TYPE \(name) "))
        }
    }
}
