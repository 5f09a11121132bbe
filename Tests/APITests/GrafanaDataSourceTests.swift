import Foundation
import Testing
import HTTP
import Model
import TestSupport

/// Grafana's Prometheus data source against Vigil and Prometheus on the same data: the requests
/// it sends, in its shapes, replayed against both daemons of a `DaemonGoldenTests.Pair`.
///
/// Shapes, from Grafana's source (pkg/promlib and the data source's frontend): the backend
/// POSTs `query_range` (`end`, `query`, `start`, `step` form-encoded, sorted by key as Go's
/// `url.Values.Encode` does, times as float seconds, start and end aligned down to the step)
/// and `query` (`query`, `time`), optionally with `timeout`; its health check is the instant
/// query `1+1` at time 4; it reads `/api/v1/status/buildinfo` (no `features` means Prometheus).
/// The editor's resource calls: `POST /api/v1/labels` (`limit=40000`, `start`, `end` in whole
/// seconds), `GET /api/v1/label/<name>/values` (`limit`, `start`, `end`, optional `match[]`; GET
/// only), `POST /api/v1/series` (`match[]`, `start`, `end`, `limit`), `GET /api/v1/metadata`,
/// `POST /api/v1/query_exemplars` (`end`, `query`, `start`). Go's transport adds
/// `Accept-Encoding: gzip`; Prometheus compresses, Vigil answers identity (both are valid).
@Suite(.serialized) struct GrafanaDataSourceTests {
    static let headers: [(String, String)] = [
        ("User-Agent", "Grafana/12.1.0"), ("Accept-Encoding", "gzip"), ("X-Grafana-Org-Id", "1"),
        ("X-Dashboard-Uid", "vigil-golden"), ("X-Panel-Id", "2"),
    ]

    /// Go's `strconv.FormatFloat(seconds, 'f', -1, 64)` for the times Grafana sends.
    static func seconds(_ ms: Int64) -> String {
        ms % 1000 == 0 ? String(ms / 1000) : FloatFormat.f(Double(ms) / 1000)
    }

    /// A form POST as Grafana's backend sends it (keys sorted).
    static func post(_ path: String, _ params: [(String, String)]) -> GoldenCase {
        let body = params.sorted { $0.0 < $1.0 }.map { "\(enc($0.0))=\(enc($0.1))" }.joined(separator: "&")
        return GoldenCase(target: path, method: "POST", body: body,
                          headers: headers + [("Content-Type", "application/x-www-form-urlencoded")])
    }

    static func get(_ path: String, _ params: [(String, String)]) -> GoldenCase {
        let query = params.map { "\(enc($0.0))=\(enc($0.1))" }.joined(separator: "&")
        return GoldenCase(target: query.isEmpty ? path : path + "?" + query, headers: headers)
    }

    /// A range query as the backend aligns it: start and end floored to the step.
    static func range(_ expr: String, fromMs: Int64, toMs: Int64, stepMs: Int64, timeout: String? = nil) -> GoldenCase {
        var params = [("query", expr), ("start", seconds(fromMs / stepMs * stepMs)), ("end", seconds(toMs / stepMs * stepMs)),
                      ("step", seconds(stepMs))]
        if let timeout { params.append(("timeout", timeout)) }
        return post("/api/v1/query_range", params)
    }

    static func cases(nowMs: Int64) -> [GoldenCase] {
        let from = 1_700_003_600_123 as Int64, to = 1_700_007_199_877 as Int64
        let hourAgo = nowMs - 3_600_000
        let snapStart = String(hourAgo / 1000 / 600 * 600), snapEnd = String((nowMs / 1000 + 599) / 600 * 600)
        return [
            // Health check.
            post("/api/v1/query", [("query", "1+1"), ("time", "4")]),
            // Panels over the imported blocks.
            range(#"sum by (code) (rate(http_requests_total{job="api"}[2m]))"#, fromMs: from, toMs: to, stepMs: 30_000),
            range("histogram_quantile(0.95, sum by (le) (rate(request_duration_seconds_bucket[5m])))", fromMs: from, toMs: to, stepMs: 60_000),
            range(#"node_temperature_celsius{instance=~"host-0[1-3]:9100"}"#, fromMs: from, toMs: to, stepMs: 15_000, timeout: "60s"),
            range("count(build_info)", fromMs: from, toMs: to, stepMs: 3_600_000),
            post("/api/v1/query", [("query", "topk(5, max by (instance) (node_temperature_celsius))"), ("time", seconds(to))]),
            post("/api/v1/query", [("query", "sum(increase(http_requests_total[1h]))"), ("time", seconds(to)), ("timeout", "30s")]),
            // Panels over the scraped head (now).
            range(#"golden_temperature_celsius{room="a"}"#, fromMs: hourAgo, toMs: nowMs, stepMs: 15_000),
            post("/api/v1/query", [("query", "golden_requests_total"), ("time", seconds(nowMs))]),
            // Query editor and variables.
            post("/api/v1/labels", [("limit", "40000"), ("start", snapStart), ("end", snapEnd)]),
            post("/api/v1/labels", [("limit", "40000"), ("start", "1700000000"), ("end", "1700007200"), ("match[]", "build_info")]),
            get("/api/v1/label/__name__/values", [("limit", "40000"), ("start", snapStart), ("end", snapEnd)]),
            get("/api/v1/label/__name__/values", [("limit", "40000"), ("start", "1700000000"), ("end", "1700007200")]),
            get("/api/v1/label/instance/values", [("limit", "40000"), ("start", "1700000000"), ("end", "1700007200"),
                                                   ("match[]", #"node_temperature_celsius{sensor="gpu"}"#)]),
            get("/api/v1/label/code/values", [("match[]", #"{__name__="http_requests_total",method="PUT"}"#),
                                               ("start", "1700000000"), ("end", "1700007200"), ("limit", "40000")]),
            post("/api/v1/series", [("match[]", #"{__name__!=""}"#), ("start", snapStart), ("end", snapEnd), ("limit", "40000")]),
            post("/api/v1/series", [("match[]", #"{__name__="build_info",instance!=""}"#), ("start", "1700000000"), ("end", "1700007200"), ("limit", "40000")]),
            post("/api/v1/query_exemplars", [("query", #"histogram_quantile(0.9, rate(request_duration_seconds_bucket[5m]))"#),
                                             ("start", seconds(from)), ("end", seconds(to))]),
            post("/api/v1/query_exemplars", [("query", "golden_requests_total"), ("start", snapStart), ("end", snapEnd)]),
            // A bad query as the editor sends it while typing.
            range("sum(rate(http_requests_total[5m]", fromMs: from, toMs: to, stepMs: 30_000),
        ]
    }

    @Test func grafanaRequestsMatchPrometheus() throws {
        guard let (prometheus, promtool) = PrometheusGoldenTests.tools() else { return }
        let pair = try DaemonGoldenTests.Pair(prometheusBinary: prometheus, promtool: promtool)
        defer { pair.stop() }
        try #require(pair.vigil.waitUntilReady(), "vigil did not become ready:\n\(pair.vigil.log)")
        try #require(pair.waitForScrapes(), "the target was not scraped by both:\n\(pair.vigil.log)")

        let nowMs = Int64(Date().timeIntervalSince1970 * 1000)
        var cases = Self.cases(nowMs: nowMs)
        // The bad query is answered with the query_range prefix since Prometheus 3.0.
        if let i = cases.indices.last {
            cases[i].knownDifference = PrometheusGoldenTests.rangePrefix
            cases[i].prometheus3Body = #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:33: parse error: unclosed left parenthesis"}"#
            cases[i].prometheus3Status = 400
        }
        // Sums differ in the last digits: Prometheus 3 uses Kahan summation, 2.42 does not.
        for i in cases.indices where (cases[i].body ?? "").contains("sum") {
            cases[i].floatTolerance = PrometheusGoldenTests.kahan
        }
        let tally = try Golden.compare(cases, prometheus: pair.prometheus.port, vigil: pair.vigil.port)
        print("Grafana data source requests: \(tally.line)")

        // Build info: the fields Grafana reads, and no `features` (so it detects Prometheus).
        let build = GoldenCase(target: "/api/v1/status/buildinfo", headers: Self.headers)
        for port in [pair.prometheus.port, pair.vigil.port] {
            let r = try Golden.fetch(port: port, build)
            #expect(r.status == 200)
            let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
            #expect(json["status"] as? String == "success")
            let data = try #require(json["data"] as? [String: Any])
            #expect(Set(data.keys) == ["version", "revision", "branch", "buildUser", "buildDate", "goVersion"], "port \(port): \(data.keys)")
        }

        // Metric metadata from the scraped target (the editor's type and help hints).
        let meta = GoldenCase(target: "/api/v1/metadata", headers: Self.headers)
        let a = Golden.canonical(try Golden.fetch(port: pair.prometheus.port, meta).body, sortVectors: false)
        let b = Golden.canonical(try Golden.fetch(port: pair.vigil.port, meta).body, sortVectors: false)
        #expect(a == b, "/api/v1/metadata (- prometheus, + vigil)\n\(Golden.diff(a, b))")
    }
}
