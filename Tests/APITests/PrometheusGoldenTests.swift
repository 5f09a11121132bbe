import Foundation
import Testing
import HTTP
import Model
import PromQL
import TestSupport
@testable import API

/// Golden comparison with a real Prometheus (2.42 on this machine): the same samples are
/// imported into Prometheus with `promtool tsdb create-blocks-from openmetrics` and loaded into
/// `MemoryStorage` behind our handlers; the same requests go to both and the parsed JSON must
/// match (ignoring `stats`). Where Prometheus 3 changed behaviour since 2.42 we follow 3, and
/// each such request is listed below with its reason.
///
/// Skipped with a notice when `prometheus`/`promtool` are not on PATH or `VIGIL_SKIP_INTEROP=1`.
@Suite(.serialized) struct PrometheusGoldenTests {
    /// One request sent to both servers.
    struct Case: CustomStringConvertible {
        var target: String
        /// Set when Prometheus 3 answers differently from 2.42: why, and (when known) the exact
        /// Prometheus 3 body our answer must equal instead.
        var knownDifference: String? = nil
        var prometheus3Body: String? = nil
        /// Set when the values may differ in the last digits only: why. Compared with a relative
        /// tolerance of 1e-12 instead of exactly.
        var floatTolerance: String? = nil

        var description: String { target }
    }

    /// Data: 2 h at a 30 s interval from this Unix second.
    static let t0: Int64 = 1_700_000_000
    static let stepSeconds: Int64 = 30
    static let steps = 240
    /// An evaluation time between sample timestamps (left-open and closed windows agree there).
    static let mid = "1700003607"
    static let range = "start=1700001007&end=1700007007&step=60"

    static var cases: [Case] {
        var c: [Case] = []
        func instant(_ q: String, tolerance: String? = nil) {
            c.append(Case(target: "/api/v1/query?time=\(mid)&query=" + enc(q), floatTolerance: tolerance))
        }
        func ranged(_ q: String, tolerance: String? = nil) {
            c.append(Case(target: "/api/v1/query_range?\(range)&query=" + enc(q), floatTolerance: tolerance))
        }
        let kahan = "Prometheus 3 sums with Kahan compensation in sum, avg and *_over_time (since 2.50); 2.42 adds naively, so the last digits can differ"
        instant(#"http_requests_total{instance="host-01:9100"}"#)
        instant(#"rate(http_requests_total{method="GET",instance=~"host-0[0-4]:9100"}[5m])"#)
        instant("sum by (code) (rate(http_requests_total[5m]))", tolerance: kahan)
        instant("sum without (instance, method) (increase(http_requests_total[10m]))", tolerance: kahan)
        instant("histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[5m])))")
        instant("histogram_quantile(0.5, rate(request_duration_seconds_bucket[5m]))")
        instant("topk(3, node_temperature_celsius)")
        instant("bottomk(2, avg by (instance) (node_temperature_celsius))")
        instant(#"max_over_time(node_temperature_celsius{sensor="cpu"}[10m:1m])"#)
        instant("scalar(sum(build_info))")
        instant(#""hello""#)
        instant("count(http_requests_total)")
        instant(#"node_temperature_celsius{instance="host-00:9100"} / 0"#)
        instant("-node_temperature_celsius * 1e-9 > -1")
        instant(#"node_temperature_celsius{instance="host-03:9100"}[2m]"#)
        instant("absent(nonexistent_metric)")
        ranged("sum by (method) (rate(http_requests_total[5m]))", tolerance: kahan)
        ranged(#"node_temperature_celsius{instance="host-02:9100"}"#)
        ranged(#"histogram_quantile(0.5, rate(request_duration_seconds_bucket{instance="host-00:9100"}[5m]))"#)
        ranged("scalar(count(build_info))")
        ranged(#"avg_over_time(node_temperature_celsius{sensor="gpu",instance="host-04:9100"}[5m:30s])"#, tolerance: kahan)
        ranged("count by (code) (http_requests_total)")
        let rangePrefix = "2.42 reports query_range parse and type errors without the `invalid parameter \"query\"` prefix; Prometheus 3.0 adds it"
        c += [
            Case(target: "/api/v1/series?match[]=build_info"),
            Case(target: "/api/v1/series?match[]=" + enc(#"node_temperature_celsius{instance="host-01:9100"}"#) + "&match[]=" + enc(#"build_info{instance="host-01:9100"}"#)),
            Case(target: "/api/v1/series?match[]=build_info&start=1700000000&end=1700000100"),
            Case(target: "/api/v1/series?match[]=build_info&start=1600000000&end=1600000100"),
            Case(target: "/api/v1/labels"),
            Case(target: "/api/v1/labels?match[]=build_info"),
            Case(target: "/api/v1/label/instance/values"),
            Case(target: "/api/v1/label/__name__/values"),
            Case(target: "/api/v1/label/code/values?match[]=" + enc(#"http_requests_total{method="PUT"}"#)),
            Case(target: "/api/v1/format_query?query=" + enc("sum(rate(http_requests_total{code=~\"5..\"}[5m]))by(job)")),
            Case(target: "/api/v1/format_query?query=" + enc("foo{b=\"2\",a=\"1\"} offset 5m + ignoring(x) group_left bar @ 100")),
            Case(target: "/api/v1/format_query?query=" + enc("histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket{job=\"api\",instance=~\"host-.*\"}[5m]))) > 0.5")),
            // Errors.
            Case(target: "/api/v1/query?time=\(mid)&query=" + enc("sum(")),
            Case(target: "/api/v1/query?time=\(mid)&query=" + enc("1 +")),
            Case(target: "/api/v1/query?time=\(mid)&query=" + enc("foo{")),
            Case(target: "/api/v1/query_range?start=1&end=2&step=1&query=" + enc("rate(x[5m])[5m:]"),
                 knownDifference: rangePrefix,
                 prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"}"#),
            Case(target: "/api/v1/query_range?start=1&end=2&step=1&query=" + enc("sum("),
                 knownDifference: rangePrefix,
                 prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"}"#),
            Case(target: "/api/v1/query?time=abc&query=up",
                 knownDifference: "2.42 capitalizes \"Invalid time value\"; Prometheus 3.2 and later write it in lower case",
                 prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": invalid time value for 'time': cannot parse \"abc\" to a valid timestamp"}"#),
            Case(target: "/api/v1/series?match[]=up&start=abc",
                 knownDifference: "2.42 capitalizes \"Invalid time value\"; Prometheus 3.2 and later write it in lower case",
                 prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": invalid time value for 'start': cannot parse \"abc\" to a valid timestamp"}"#),
            Case(target: "/api/v1/query_range?start=abc&end=2&step=1&query=up"),
            Case(target: "/api/v1/query_range?start=10&end=2&step=1&query=up"),
            Case(target: "/api/v1/query_range?start=1&end=2&step=0&query=up"),
            Case(target: "/api/v1/query_range?start=0&end=20000&step=1&query=up"),
            Case(target: "/api/v1/query_range?start=1&end=2&step=1&query=" + enc("up[5m]"),
                 knownDifference: rangePrefix,
                 prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"}"#),
            Case(target: "/api/v1/series"),
            Case(target: "/api/v1/series?match[]=" + enc("not-a-metric")),
            Case(target: "/api/v1/labels?match[]=" + enc("{foo=\"\"}")),
            // Left-open range windows (Prometheus 3): at a time that is exactly a sample
            // timestamp, `[30s]` holds 2 samples in 2.42 ([t-30s, t]) but 1 in Prometheus 3
            // ((t-30s, t]), so rate() has no result there in 3.
            Case(target: "/api/v1/query?time=1700003600&query=" + enc(#"rate(http_requests_total{instance="host-01:9100",method="GET",code="200"}[30s])"#),
                 knownDifference: "Prometheus 3 range selectors are left-open: the sample at t-30s is outside [30s]",
                 prometheus3Body: #"{"status":"success","data":{"resultType":"vector","result":[]}}"#),
            Case(target: "/api/v1/query?time=1700003600&query=" + enc(#"count_over_time(build_info{instance="host-00:9100"}[5m])"#),
                 knownDifference: "Prometheus 3 range selectors are left-open: 10 samples in (t-5m, t] instead of 11",
                 prometheus3Body: #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"host-00:9100","version":"1.2.3"},"value":[1700003600,"10"]}]}}"#),
        ]
        return c
    }

    @Test func matchesPrometheus() throws {
        let env = ProcessInfo.processInfo.environment
        if env["VIGIL_SKIP_INTEROP"] == "1" {
            print("notice: PrometheusGoldenTests skipped (VIGIL_SKIP_INTEROP=1)")
            return
        }
        guard let prometheus = Self.which("prometheus"), let promtool = Self.which("promtool") else {
            print("notice: PrometheusGoldenTests skipped: prometheus/promtool not on PATH")
            return
        }
        let dir = try TempDirectory(prefix: "vigil-golden")
        defer { dir.remove() }

        // The same samples for both sides.
        let series = Self.generate()
        let storage = MemoryStorage()
        for (labels, samples) in series { storage.add(labels, samples) }
        let om = dir.path + "/data.om"
        try Self.openMetrics(series).write(toFile: om, atomically: true, encoding: .utf8)
        let tsdb = dir.path + "/tsdb"
        let (code, output) = try Self.run(promtool, ["tsdb", "create-blocks-from", "openmetrics", om, tsdb])
        try #require(code == 0, "promtool failed: \(output)")

        let config = dir.path + "/prometheus.yml"
        try "global:\n  scrape_interval: 15s\n".write(toFile: config, atomically: true, encoding: .utf8)
        let port = try Self.freePort()
        let server = Process()
        server.executableURL = URL(fileURLWithPath: prometheus)
        server.arguments = ["--storage.tsdb.path=\(tsdb)", "--web.listen-address=127.0.0.1:\(port)",
                            "--config.file=\(config)", "--log.level=warn"]
        _ = FileManager.default.createFile(atPath: dir.path + "/prometheus.log", contents: nil)
        let log = FileHandle(forWritingAtPath: dir.path + "/prometheus.log")
        server.standardOutput = log
        server.standardError = log
        try server.run()
        defer {
            server.terminate()
            server.waitUntilExit()
        }
        try #require(Self.waitReady(port: port, seconds: 60), "prometheus did not become ready: \((try? String(contentsOfFile: dir.path + "/prometheus.log", encoding: .utf8)) ?? "")")

        let ours = try APIServer(storage: storage, options: options(nowMs: 1_700_007_200_000))
        var matched = 0
        var known = 0
        var tolerated = 0
        for c in Self.cases {
            let theirs = try Self.fetch(port: port, c.target)
            let mine = try Self.fetch(port: ours.port, c.target)
            let sortVectors = !c.target.contains("sort")
            let a = Self.canonical(theirs.body, sortVectors: sortVectors)
            let b = Self.canonical(mine.body, sortVectors: sortVectors)
            if let reason = c.knownDifference {
                known += 1
                print("known 2.42-vs-3 difference: \(c.target)\n  reason: \(reason)")
                if let want = c.prometheus3Body {
                    #expect(Self.canonical(Array(want.utf8), sortVectors: sortVectors) == b,
                            "\(c.target): not Prometheus 3's answer\n\(Self.diff(Self.canonical(Array(want.utf8), sortVectors: sortVectors), b))")
                }
                if a == b { print("  note: 2.42 now answers the same") }
                continue
            }
            #expect(theirs.status == mine.status, "\(c.target): status \(theirs.status) (prometheus) vs \(mine.status) (vigil)")
            if a == b {
                matched += 1
            } else if let reason = c.floatTolerance, Self.approximatelyEqual(theirs.body, mine.body) {
                tolerated += 1
                print("equal within 1e-12: \(c.target)\n  reason: \(reason)")
            } else {
                Issue.record("\(c.target): JSON differs (- prometheus, + vigil)\n\(Self.diff(a, b))")
            }
        }
        print("golden comparison: \(matched) requests match Prometheus 2.42 exactly, \(tolerated) within float tolerance, \(known) known 2.42-vs-3 differences")
    }

    // MARK: Data

    /// ~270 series: counters with a reset, gauges with decimals, a classic histogram, a constant.
    static func generate() -> [(Labels, [Sample])] {
        var rng = SplitMix(seed: 42)
        var out: [(Labels, [Sample])] = []
        func times() -> [Int64] { (0 ... steps).map { (t0 + Int64($0) * stepSeconds) * 1000 } }
        for i in 0 ..< 20 {
            let instance = String(format: "host-%02d:9100", i)
            for method in ["GET", "POST", "PUT"] {
                for code in ["200", "404", "500"] {
                    var v = Double(rng.next() % 1000)
                    var samples: [Sample] = []
                    for (k, t) in times().enumerated() {
                        if i == 7 && method == "GET" && k == 120 { v = 0 } // a counter reset
                        v += Double(rng.next() % 20)
                        samples.append(Sample(t: t, v: v))
                    }
                    out.append((Labels([("__name__", "http_requests_total"), ("job", "api"), ("instance", instance),
                                        ("method", method), ("code", code)]), samples))
                }
            }
            for sensor in ["cpu", "gpu"] {
                var samples: [Sample] = []
                for t in times() {
                    let v = Double(4000 + Int(rng.next() % 2500)) / 100
                    samples.append(Sample(t: t, v: v))
                }
                out.append((Labels([("__name__", "node_temperature_celsius"), ("instance", instance), ("sensor", sensor)]), samples))
            }
        }
        let bounds = ["0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]
        for i in 0 ..< 5 {
            let instance = String(format: "host-%02d:9100", i)
            var cumulative = [Double](repeating: 0, count: bounds.count)
            var sum = 0.0
            var bucketSamples = [[Sample]](repeating: [], count: bounds.count)
            var sumSamples: [Sample] = []
            for t in times() {
                for _ in 0 ..< Int(rng.next() % 30) {
                    let bucket = Int(rng.next() % UInt64(bounds.count))
                    for b in bucket ..< bounds.count { cumulative[b] += 1 }
                    sum += Double(bucket + 1) * 0.125
                }
                for b in 0 ..< bounds.count { bucketSamples[b].append(Sample(t: t, v: cumulative[b])) }
                sumSamples.append(Sample(t: t, v: sum))
            }
            for (b, le) in bounds.enumerated() {
                out.append((Labels([("__name__", "request_duration_seconds_bucket"), ("job", "api"), ("instance", instance), ("le", le)]), bucketSamples[b]))
            }
            out.append((Labels([("__name__", "request_duration_seconds_sum"), ("job", "api"), ("instance", instance)]), sumSamples))
            out.append((Labels([("__name__", "request_duration_seconds_count"), ("job", "api"), ("instance", instance)]), bucketSamples[bounds.count - 1]))
            out.append((Labels([("__name__", "build_info"), ("instance", instance), ("version", "1.2.3")]), times().map { Sample(t: $0, v: 1) }))
        }
        return out
    }

    /// The samples as an OpenMetrics file, one family after another, each series in time order.
    static func openMetrics(_ series: [(Labels, [Sample])]) -> String {
        var byFamily: [String: [(Labels, [Sample])]] = [:]
        for s in series {
            let name = s.0.name
            let family = name.hasSuffix("_total") ? String(name.dropLast(6))
                : name.hasPrefix("request_duration_seconds") ? "request_duration_seconds" : name
            byFamily[family, default: []].append(s)
        }
        let types = ["http_requests": "counter", "node_temperature_celsius": "gauge",
                     "request_duration_seconds": "histogram", "build_info": "gauge"]
        var text = ""
        for family in byFamily.keys.sorted() {
            text += "# TYPE \(family) \(types[family] ?? "unknown")\n"
            for (labels, samples) in byFamily[family] ?? [] {
                var inner: [String] = []
                for l in labels where l.name != "__name__" { inner.append("\(l.name)=\"\(l.value)\"") }
                let head = labels.name + "{" + inner.joined(separator: ",") + "}"
                for s in samples { text += "\(head) \(FloatFormat.g(s.v)) \(s.t / 1000)\n" }
            }
        }
        return text + "# EOF\n"
    }

    // MARK: Comparison

    /// The body as sorted-key pretty JSON, without `data.stats`; vector results sorted by their
    /// labels (Prometheus only orders vectors for `sort`, and its aggregation order is
    /// unspecified). Non-JSON bodies are returned as text.
    static func canonical(_ body: [UInt8], sortVectors: Bool) -> String {
        guard var json = try? JSONSerialization.jsonObject(with: Data(body), options: [.fragmentsAllowed]) as? [String: Any] else {
            return String(decoding: body, as: UTF8.self)
        }
        if var data = json["data"] as? [String: Any] {
            data.removeValue(forKey: "stats")
            if sortVectors, data["resultType"] as? String == "vector", let result = data["result"] as? [[String: Any]] {
                data["result"] = result.sorted { key($0["metric"]) < key($1["metric"]) }
            }
            json["data"] = data
        }
        return key(json, pretty: true)
    }

    private static func key(_ value: Any?, pretty: Bool = false) -> String {
        guard let value, JSONSerialization.isValidJSONObject(value) || value is [Any] || value is [String: Any],
              let data = try? JSONSerialization.data(withJSONObject: value, options: pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys])
        else { return "\(value ?? "nil")" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Equal JSON apart from numeric strings that agree within a relative 1e-12.
    static func approximatelyEqual(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        func load(_ body: [UInt8]) -> Any? {
            guard var json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any] else { return nil }
            if var data = json["data"] as? [String: Any] {
                data.removeValue(forKey: "stats")
                if data["resultType"] as? String == "vector", let result = data["result"] as? [[String: Any]] {
                    data["result"] = result.sorted { key($0["metric"]) < key($1["metric"]) }
                }
                json["data"] = data
            }
            return json
        }
        func same(_ x: Any, _ y: Any) -> Bool {
            switch (x, y) {
            case let (p as [String: Any], q as [String: Any]):
                return p.count == q.count && p.allSatisfy { k, v in q[k].map { same(v, $0) } ?? false }
            case let (p as [Any], q as [Any]):
                return p.count == q.count && zip(p, q).allSatisfy { same($0, $1) }
            case let (p as String, q as String):
                if p == q { return true }
                guard let u = Double(p), let v = Double(q) else { return false }
                return abs(u - v) <= 1e-12 * max(abs(u), abs(v))
            default:
                return key(x) == key(y)
            }
        }
        guard let x = load(a), let y = load(b) else { return false }
        return same(x, y)
    }

    /// The lines that differ, in context.
    static func diff(_ a: String, _ b: String) -> String {
        let la = a.split(separator: "\n", omittingEmptySubsequences: false)
        let lb = b.split(separator: "\n", omittingEmptySubsequences: false)
        var out: [String] = []
        for i in 0 ..< max(la.count, lb.count) {
            let x = i < la.count ? String(la[i]) : "<none>"
            let y = i < lb.count ? String(lb[i]) : "<none>"
            if x != y {
                out.append("line \(i + 1):\n- \(x)\n+ \(y)")
                if out.count >= 12 { out.append("..."); break }
            }
        }
        return out.joined(separator: "\n")
    }

    // MARK: Processes

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    static func run(_ tool: String, _ args: [String]) throws -> (Int32, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    static func freePort() throws -> Int {
        let probe = HTTPServer(router: Router(), loops: 1)
        try probe.start()
        let port = probe.port
        probe.shutdown(grace: .seconds(1))
        return port
    }

    static func waitReady(port: Int, seconds: Int) -> Bool {
        let deadline = ContinuousClock.now + .seconds(seconds)
        while ContinuousClock.now < deadline {
            if let r = try? fetch(port: port, "/-/ready"), r.status == 200 { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    static func fetch(port: Int, _ target: String) throws -> RawHTTPResponse {
        let client = try RawHTTPClient(port: port, timeout: .seconds(30))
        try client.send("GET \(target) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        return try client.readResponse()
    }
}

/// A small deterministic generator (SplitMix64) so both sides get the same data every run.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
