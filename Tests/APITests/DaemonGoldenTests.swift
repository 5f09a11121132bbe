import Foundation
import Testing
import HTTP
import Model
import TestSupport

/// Daemon against daemon: a `vigil` process and a `prometheus` process on the same data, with
/// the same flags and configuration, answer the same requests.
///
/// Both get the golden data set as blocks (`vigil tsdb import openmetrics` / `promtool tsdb
/// create-blocks-from openmetrics`) and both scrape one in-process target whose samples carry
/// fixed recent timestamps, so their heads hold the same series. On top of every case of
/// `PrometheusGoldenTests` (now answered from Vigil's TSDB, head and blocks merged), this covers
/// what needs the real daemon: `/federate` with external labels, `/api/v1/status/tsdb`,
/// `/api/v1/status/walreplay`, `--web.cors.origin`, `--query.max-samples`.
@Suite(.serialized) struct DaemonGoldenTests {
    static let corsOrigin = #"https?://(grafana|dash)\.example\.com"#
    static let maxSamples = 50_000

    /// The scraped target: fixed timestamps (honored by both), values that exercise escaping.
    static func exposition(at ms: Int64) -> String {
        """
        # HELP golden_temperature_celsius Room temperature.
        # TYPE golden_temperature_celsius gauge
        golden_temperature_celsius{room="a"} 21.5 \(ms)
        golden_temperature_celsius{room="b",note="say \\"hi\\"\\\\ there\\nnow"} 19 \(ms)
        # TYPE golden_requests_total counter
        golden_requests_total{code="200"} 1027 \(ms)
        golden_requests_total{code="500"} 3 \(ms)
        # TYPE golden_ratio untyped
        golden_ratio 1e-09 \(ms)
        golden_nan NaN \(ms)
        golden_inf +Inf \(ms)
        golden_neg_inf -Inf \(ms)
        golden_big 1.7976931348623157e+308 \(ms)

        """
    }

    /// A pair of daemons over the same data; `stop()` ends both and removes their files.
    final class Pair {
        let dir: TempDirectory
        let target: HTTPServer
        let prometheus: ReferencePrometheus
        let vigil: DaemonProcess
        /// The scraped samples' timestamp (ms).
        let sampleMs: Int64

        init(prometheusBinary: String, promtool: String, extraFlags: [String] = []) throws {
            dir = try TempDirectory(prefix: "vigil-daemon-golden")
            let ms = Int64(Date().timeIntervalSince1970 * 1000) / 1000 * 1000 - 30_000
            sampleMs = ms
            var router = Router()
            let body = DaemonGoldenTests.exposition(at: ms)
            router.add(.get, "/metrics") { _ in
                HTTPResponse(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: Array(body.utf8))
            }
            target = HTTPServer(router: router, host: "127.0.0.1", port: 0, loops: 1)
            try target.start()

            let om = dir.path + "/data.om"
            try Golden.openMetrics(Golden.generate()).write(toFile: om, atomically: true, encoding: .utf8)
            let (pc, pout) = try Golden.run(promtool, ["tsdb", "create-blocks-from", "openmetrics", om, dir.path + "/prometheus-data"])
            guard pc == 0 else { throw DaemonProcessError(description: "promtool failed: \(pout)") }
            let (vc, vout) = try Golden.run(DaemonProcess.executable.path, ["tsdb", "import", "openmetrics", om, dir.path + "/vigil-data"])
            guard vc == 0 else { throw DaemonProcessError(description: "vigil tsdb import failed: \(vout)") }

            let config = """
                global:
                  scrape_interval: 1s
                  scrape_timeout: 1s
                  external_labels:
                    cluster: golden
                    replica: "1"
                scrape_configs:
                  - job_name: golden
                    static_configs:
                      - targets: ['127.0.0.1:\(target.port)']

                """
            let configPath = dir.path + "/vigil.yml"
            try config.write(toFile: configPath, atomically: true, encoding: .utf8)
            let flags = ["--web.cors.origin=\(DaemonGoldenTests.corsOrigin)", "--query.max-samples=\(DaemonGoldenTests.maxSamples)"] + extraFlags
            prometheus = try ReferencePrometheus(binary: prometheusBinary, directory: dir, tsdb: dir.path + "/prometheus-data",
                                                 config: config, extraArgs: flags + ["--storage.tsdb.retention.time=3650d"])
            do {
                vigil = try DaemonProcess(["--config.file=\(configPath)", "--storage.path=\(dir.path)/vigil-data",
                                           "--storage.retention.time=3650d"] + flags,
                                          directory: try TempDirectory(prefix: "vigil-daemon-golden-run"))
            } catch {
                prometheus.stop()
                target.shutdown(grace: .seconds(1))
                throw error
            }
        }

        /// Waits until both have scraped the target twice (so every head series exists).
        func waitForScrapes() -> Bool {
            let deadline = ContinuousClock.now + .seconds(60)
            let probes = ["count_over_time(up[1m]) >= 2", "golden_requests_total"].map {
                GoldenCase(target: "/api/v1/query?query=" + enc($0))
            }
            while ContinuousClock.now < deadline {
                let ready = [prometheus.port, vigil.port].allSatisfy { port in
                    probes.allSatisfy { probe in
                        guard let r = try? Golden.fetch(port: port, probe),
                              let json = try? JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any],
                              let result = (json["data"] as? [String: Any])?["result"] as? [Any] else { return false }
                        return !result.isEmpty
                    }
                }
                if ready { return true }
                Thread.sleep(forTimeInterval: 0.25)
            }
            return false
        }

        func stop() {
            vigil.stop()
            vigil.directory.remove()
            prometheus.stop()
            target.shutdown(grace: .seconds(1))
            dir.remove()
        }
    }

    /// Requests only a daemon answers, or whose answers depend on the daemon's flags and head.
    static func daemonCases(sampleMs: Int64) -> [GoldenCase] {
        let cors = ["Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin",
                    "Access-Control-Expose-Headers", "Vary"]
        let escaping = "Prometheus 3 negotiates federation output with an escaping scheme: Content-Type gains `; escaping=underscores`"
        let fed3 = ["Content-Type": "text/plain; version=0.0.4; charset=utf-8; escaping=underscores"]
        let t = String(format: "%.3f", Double(sampleMs) / 1000)
        var c: [GoldenCase] = []
        for target in ["/federate?match[]=golden_temperature_celsius",
                       "/federate?match[]=" + enc(#"{__name__=~"golden_.*"}"#),
                       "/federate?match[]=golden_requests_total&match[]=" + enc(#"golden_temperature_celsius{room="a"}"#) + "&match[]=golden_ratio",
                       "/federate?match[]=build_info"] {
            c.append(GoldenCase(target: target, knownDifference: escaping, prometheus3Headers: fed3, prometheus3SameBody: true))
        }
        c += [
            GoldenCase(target: "/federate", knownDifference: escaping, prometheus3Headers: fed3, prometheus3SameBody: true),
            GoldenCase(target: "/federate?match[]=" + enc("sum(")),
            GoldenCase(target: "/federate?match[]=" + enc("{a=~\"(\"}"),
                       knownDifference: "2.42 compiles `^(?:re)$` and quotes that in a missing-paren error; Prometheus 3 parses the pattern alone first (`syntax.Parse(v, Perl|DotNL)`) and quotes it",
                       prometheus3Body: "1:2: parse error: error parsing regexp: missing closing ): `(`\n", prometheus3Status: 400),
            // The scraped head, through the query endpoints.
            GoldenCase(target: "/api/v1/query?time=\(t)&query=" + enc(#"{__name__=~"golden_.*"}"#)),
            GoldenCase(target: "/api/v1/query?time=\(t)&query=" + enc("up")),
            GoldenCase(target: "/api/v1/series?match[]=" + enc(#"{job="golden"}"#)),
            GoldenCase(target: "/api/v1/labels?match[]=" + enc(#"{job="golden"}"#)),
            GoldenCase(target: "/api/v1/label/__name__/values?match[]=" + enc(#"{job="golden"}"#)),
            GoldenCase(target: "/api/v1/label/note/values"),
            // TSDB status: the head holds the scraped series only.
            GoldenCase(target: "/api/v1/status/walreplay"),
            GoldenCase(target: "/api/v1/status/tsdb?limit=0", knownDifference: "2.42's status/tsdb has no limit parameter",
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"limit must be a positive number"}"#, prometheus3Status: 400),
            GoldenCase(target: "/api/v1/status/tsdb?limit=abc", knownDifference: "2.42's status/tsdb has no limit parameter",
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"limit must be a positive number"}"#, prometheus3Status: 400),
            GoldenCase(target: "/api/v1/status/tsdb?limit=10001",
                       knownDifference: "Prometheus 3 caps the status/tsdb limit at 10000",
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"limit must not exceed 10000"}"#,
                       prometheus3Status: 400),
            // --query.max-samples: a raw 2 h range over every series holds 64,800 samples at once.
            GoldenCase(target: "/api/v1/query?time=1700007200&query=" + enc(#"{__name__=~".+",job!="golden"}[2h]"#)),
            GoldenCase(target: "/api/v1/query?time=1700007200&query=" + enc(#"count_over_time({__name__=~".+",job!="golden"}[2h])"#)),
            // --web.cors.origin: matching and other origins, preflight, errors.
            GoldenCase(target: "/api/v1/query?query=1&time=10", headers: [("Origin", "https://grafana.example.com")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/query?query=1&time=10", headers: [("Origin", "http://dash.example.com")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/query?query=1&time=10", headers: [("Origin", "https://evil.example.org")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/query?query=1&time=10", headers: [("Origin", "https://grafana.example.com.evil.org")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/query_range", method: "OPTIONS", headers: [("Origin", "https://grafana.example.com")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/label/job/values", headers: [("Origin", "https://dash.example.com")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/query?query=" + enc("sum("), headers: [("Origin", "https://grafana.example.com")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/status/walreplay", headers: [("Origin", "https://grafana.example.com")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/nonexistent/path", compareHeaders: ["X-Content-Type-Options"]),
        ]
        return c
    }

    @Test func daemonsAnswerAlike() throws {
        guard let (prometheus, promtool) = PrometheusGoldenTests.tools() else { return }
        let pair = try Pair(prometheusBinary: prometheus, promtool: promtool)
        defer { pair.stop() }
        try #require(pair.vigil.waitUntilReady(), "vigil did not become ready:\n\(pair.vigil.log)")
        try #require(pair.waitForScrapes(), "the target was not scraped by both:\n\(pair.vigil.log)")

        let general = try Golden.compare(PrometheusGoldenTests.cases, prometheus: pair.prometheus.port, vigil: pair.vigil.port)
        print("golden comparison (daemons, TSDB): \(general.line)")
        let specific = try Golden.compare(Self.daemonCases(sampleMs: pair.sampleMs), prometheus: pair.prometheus.port, vigil: pair.vigil.port)
        print("golden comparison (daemon-only requests): \(specific.line)")

        // status/tsdb (the head: the scraped series). memoryInBytesByLabelName is Prometheus 3's
        // estimate (each pair's name and value plus length prefixes, per series); 2.42 summed the
        // distinct values' lengths. The 3 figures are computed from the head's series as 2.42
        // lists them.
        let theirs = try Golden.fetch(port: pair.prometheus.port, GoldenCase(target: "/api/v1/status/tsdb"))
        let mine = try Golden.fetch(port: pair.vigil.port, GoldenCase(target: "/api/v1/status/tsdb"))
        let a = Self.tsdbStatus(theirs, dropping: "memoryInBytesByLabelName")
        let b = Self.tsdbStatus(mine, dropping: "memoryInBytesByLabelName")
        #expect(a == b, "/api/v1/status/tsdb: (- prometheus, + vigil)\n\(Golden.diff(a, b))")
        print("known 2.42-vs-3 difference: /api/v1/status/tsdb memoryInBytesByLabelName\n  reason: Prometheus 3 estimates label memory per series with length prefixes (labels.SizeOfLabels); 2.42 summed distinct value lengths")
        let headSeries = try Golden.fetch(port: pair.prometheus.port, GoldenCase(target: "/api/v1/series?match[]=" + enc(#"{job="golden"}"#)))
        let series = try #require((try JSONSerialization.jsonObject(with: Data(headSeries.body)) as? [String: Any])?["data"] as? [[String: String]])
        var bytes: [String: Int] = [:]
        for s in series {
            for (n, v) in s { bytes[n, default: 0] += n.utf8.count + 1 + v.utf8.count + 1 }
        }
        let want = bytes.map { ["name": $0.key, "value": $0.value] as [String: Any] }
            .sorted { ($0["value"] as? Int ?? 0) > ($1["value"] as? Int ?? 0) }.prefix(10)
        let wantJSON = try JSONSerialization.data(withJSONObject: ["status": "success", "data": ["headStats": [:], "memoryInBytesByLabelName": Array(want)]] as [String: Any])
        let x = Self.tsdbStatus(Array(wantJSON), only: "memoryInBytesByLabelName")
        let y = Self.tsdbStatus(mine, only: "memoryInBytesByLabelName")
        #expect(x == y, "memoryInBytesByLabelName: (- Prometheus 3's estimate, + vigil)\n\(Golden.diff(x, y))")
        // 2.42 has no limit parameter; Prometheus 3 cuts every list to it.
        let limited = try Golden.fetch(port: pair.vigil.port, GoldenCase(target: "/api/v1/status/tsdb?limit=3"))
        let data = try #require((try JSONSerialization.jsonObject(with: Data(limited.body)) as? [String: Any])?["data"] as? [String: Any])
        for key in ["seriesCountByMetricName", "labelValueCountByLabelName", "memoryInBytesByLabelName", "seriesCountByLabelValuePair"] {
            #expect((data[key] as? [Any])?.count == 3, "status/tsdb?limit=3: \(key)")
        }
    }

    /// The status/tsdb answer, comparable across servers: `minTime`/`maxTime` only checked to be
    /// recent (the head's bounds follow each side's scrape times), and within each top-N list
    /// the names in the lowest-count group replaced by `*` (Prometheus orders and cuts ties
    /// arbitrarily: its heap sorts by count alone).
    static func tsdbStatus(_ r: RawHTTPResponse, dropping: String? = nil, only: String? = nil) -> String {
        tsdbStatus(r.body, dropping: dropping, only: only)
    }

    static func tsdbStatus(_ body: [UInt8], dropping: String? = nil, only: String? = nil) -> String {
        guard var json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              var data = json["data"] as? [String: Any], var head = data["headStats"] as? [String: Any] else {
            return String(decoding: body, as: UTF8.self)
        }
        if let dropping { data.removeValue(forKey: dropping) }
        if let only { data = data.filter { $0.key == only || $0.key == "headStats" }; head = [:] }
        let now = Date().timeIntervalSince1970 * 1000
        for k in ["minTime", "maxTime"] {
            let t = (head[k] as? NSNumber)?.doubleValue ?? 0
            head[k] = abs(t - now) < 2 * 3_600_000 ? "recent" : "not recent: \(t)"
        }
        data["headStats"] = head
        for (k, v) in data {
            guard let list = v as? [[String: Any]] else { continue }
            let entries = list.map { ($0["name"] as? String ?? "", ($0["value"] as? NSNumber)?.intValue ?? -1) }
            let lowest = entries.map(\.1).min() ?? 0
            let canonicalList = entries.map { $0.1 == lowest ? ("*", $0.1) : $0 }
                .sorted { $0.1 != $1.1 ? $0.1 > $1.1 : $0.0 < $1.0 }
                .map { ["name": $0.0, "value": $0.1] as [String: Any] }
            data[k] = canonicalList
        }
        json["data"] = data
        return Golden.key(json, pretty: true)
    }
}
