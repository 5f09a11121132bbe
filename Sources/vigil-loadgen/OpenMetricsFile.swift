import Glibc

/// Writes an OpenMetrics file of SERIES series over HOURS at STEP seconds, ending now: the
/// common input for importing the same data into Vigil (`vigil tsdb import openmetrics`) and
/// Prometheus (`promtool tsdb create-blocks-from openmetrics`) before a query benchmark.
///
/// Each instance carries 50 series: `http_requests_total` (2 methods × 4 codes, counters),
/// `http_request_duration_seconds` (a classic histogram: 10 buckets, sum, count) and 30
/// `node_cpu_usage_ratio` gauges. Instances are spread over 10 jobs. Values come from a fixed
/// seed, so two runs write the same file. `end` (Unix seconds) replaces "now" as the last
/// step's time; with `marker`, two more samples (`vigil_bench_marker`) a step and a minute and
/// two hours later than that make two newer blocks, so that both compactors merge the data's own
/// blocks (each leaves the newest block alone and needs a newer one to close the range).
enum OpenMetricsFile {
    static let buckets = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "+Inf"]

    static func write(path: String, series: Int, hours: Int, stepSeconds: Int, end endTime: Int? = nil, marker: Bool = false) -> Bool {
        guard let f = fopen(path, "w") else { return false }
        defer { fclose(f) }
        let instances = max(1, series / 50)
        let steps = hours * 3600 / stepSeconds
        let end = ((endTime ?? Int(time(nil))) / stepSeconds) * stepSeconds
        let start = end - (steps - 1) * stepSeconds
        var out = ""
        out.reserveCapacity(1 << 20)
        func flush() { fputs(out, f); out.removeAll(keepingCapacity: true) }
        func labels(_ i: Int) -> String { "job=\"api-\(i % 10)\",instance=\"10.0.\(i / 250).\(i % 250):8080\"" }

        out += "# HELP http_requests_total Requests served.\n# TYPE http_requests_total counter\n"
        for i in 0 ..< instances {
            for method in ["GET", "POST"] {
                for (c, code) in ["200", "404", "500", "503"].enumerated() {
                    var rng = UInt64(i * 31 + c * 7 + (method == "GET" ? 1 : 2))
                    var v = 0.0
                    let rate = c == 0 ? 50.0 : (c == 1 ? 5.0 : 0.5)
                    for s in 0 ..< steps {
                        v += (rate * Double(stepSeconds) * (0.5 + next(&rng))).rounded()
                        out += "http_requests_total{\(labels(i)),method=\"\(method)\",code=\"\(code)\"} \(Int(v)) \(start + s * stepSeconds)\n"
                    }
                    if out.utf8.count > 1 << 20 { flush() }
                }
            }
        }
        out += "# HELP http_request_duration_seconds Request latency.\n# TYPE http_request_duration_seconds histogram\n"
        for i in 0 ..< instances {
            var counts = [Double](repeating: 0, count: buckets.count)
            var sum = 0.0
            var rows: [[String]] = Array(repeating: [], count: buckets.count + 2)
            var rng = UInt64(i * 131 + 17)
            for s in 0 ..< steps {
                let ts = start + s * stepSeconds
                let n = Int(100 * (0.5 + next(&rng)))
                for _ in 0 ..< n {
                    let latency = -log(max(1e-9, next(&rng))) * 0.08
                    sum += latency
                    for (b, le) in buckets.enumerated() where le == "+Inf" || latency <= Double(le)! { counts[b] += 1 }
                }
                for (b, le) in buckets.enumerated() {
                    rows[b].append("http_request_duration_seconds_bucket{\(labels(i)),le=\"\(le)\"} \(Int(counts[b])) \(ts)\n")
                }
                rows[buckets.count].append("http_request_duration_seconds_sum{\(labels(i))} \(sum) \(ts)\n")
                rows[buckets.count + 1].append("http_request_duration_seconds_count{\(labels(i))} \(Int(counts[buckets.count - 1])) \(ts)\n")
            }
            for r in rows { for line in r { out += line } }
            if out.utf8.count > 1 << 20 { flush() }
        }
        out += "# HELP node_cpu_usage_ratio CPU busy ratio.\n# TYPE node_cpu_usage_ratio gauge\n"
        for i in 0 ..< instances {
            for cpu in 0 ..< 30 {
                var rng = UInt64(i * 977 + cpu)
                var v = 0.3
                for s in 0 ..< steps {
                    v = min(1, max(0, v + (next(&rng) - 0.5) * 0.1))
                    out += "node_cpu_usage_ratio{\(labels(i)),cpu=\"\(cpu)\"} \((v * 1000).rounded() / 1000) \(start + s * stepSeconds)\n"
                }
                if out.utf8.count > 1 << 20 { flush() }
            }
        }
        if marker { out += "vigil_bench_marker 1 \(end + stepSeconds + 60)\nvigil_bench_marker 1 \(end + stepSeconds + 7260)\n" }
        out += "# EOF\n"
        flush()
        return true
    }

    /// A fast deterministic generator in [0, 1).
    static func next(_ state: inout UInt64) -> Double {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return Double(state >> 11) / Double(1 << 53)
    }
}
