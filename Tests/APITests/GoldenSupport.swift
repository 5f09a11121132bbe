import Foundation
import Testing
import HTTP
import Model
import TestSupport

/// One request sent to Prometheus and to Vigil, and how the two answers are compared.
struct GoldenCase: CustomStringConvertible {
    /// Path and query string.
    var target: String
    /// `GET`, `POST` (form body), `OPTIONS`, `PUT`, ...
    var method = "GET"
    /// A form-encoded body (sent with `Content-Type: application/x-www-form-urlencoded`).
    var body: String? = nil
    var headers: [(String, String)] = []
    /// Set when Prometheus 3 answers differently from 2.42: why, and (when known) the exact
    /// Prometheus 3 body and status our answer must equal instead.
    var knownDifference: String? = nil
    var prometheus3Body: String? = nil
    var prometheus3Status: Int? = nil
    /// Response headers Prometheus 3 sends where 2.42 differs (nil value: absent).
    var prometheus3Headers: [String: String?] = [:]
    /// For differences that are a rule applied to 2.42's answer (e.g. truncation to `limit`):
    /// turns 2.42's parsed JSON into Prometheus 3's.
    var prometheus3From: (@Sendable (inout [String: Any]) -> Void)? = nil
    /// The body and status are the same in 2.42 and 3 (only headers differ).
    var prometheus3SameBody = false
    /// A request whose 2.42 answer is what Prometheus 3 answers to this one (e.g. the plain
    /// label name for a `U__`-escaped one).
    var prometheus3SameAs: String? = nil
    /// A difference Vigil does not close yet: why. Status and headers are still compared.
    var vigilGap: String? = nil
    /// Set when the values may differ in the last digits only: why. Compared with a relative
    /// tolerance of 1e-12 instead of exactly.
    var floatTolerance: String? = nil
    /// Set when only the status, `status` and `errorType` can be compared (the message depends
    /// on timing): why.
    var errorTypeOnly: String? = nil
    /// Response headers whose values must match (besides Content-Type, always compared).
    var compareHeaders: [String] = []
    /// Compare the key structure of `data.stats` and its sample counts.
    var compareStats = false

    var description: String { method == "GET" ? target : "\(method) \(target)\(body.map { " body: \($0)" } ?? "")" }

    /// The POST form of a GET case: the query string becomes the form body.
    var asPost: GoldenCase {
        var c = self
        let parts = target.split(separator: "?", maxSplits: 1)
        c.method = "POST"
        c.target = String(parts[0])
        c.body = parts.count > 1 ? String(parts[1]) : ""
        return c
    }
}

/// Endpoints Prometheus serves for both GET and POST; every GET case on them is sent as a POST too.
let postablePaths: Set<String> = ["/api/v1/query", "/api/v1/query_range", "/api/v1/series", "/api/v1/labels",
                                  "/api/v1/format_query", "/api/v1/parse_query", "/api/v1/query_exemplars"]

/// Each case, plus its POST twin when the endpoint accepts POST.
func withPostTwins(_ cases: [GoldenCase]) -> [GoldenCase] {
    var out: [GoldenCase] = []
    for c in cases {
        out.append(c)
        let path = String(c.target.split(separator: "?", maxSplits: 1)[0])
        if c.method == "GET", c.headers.isEmpty, postablePaths.contains(path) { out.append(c.asPost) }
    }
    return out
}

/// Shared pieces of the comparisons with a real Prometheus: the generated data, the canonical
/// form of answers, and the processes.
enum Golden {
    /// Data: 2 h at a 30 s interval from this Unix second.
    static let t0: Int64 = 1_700_000_000
    static let stepSeconds: Int64 = 30
    static let steps = 240

    /// What a comparison run counted.
    struct Tally {
        var matched = 0, tolerated = 0, known = 0, gaps = 0
        var line: String {
            "\(matched) match exactly, \(tolerated) within float tolerance, \(known) known 2.42-vs-3 differences, \(gaps) bodies not compared (Vigil gaps)"
        }
    }

    /// Sends every case to both servers and records an issue for each unexplained difference.
    static func compare(_ cases: [GoldenCase], prometheus: Int, vigil: Int) throws -> Tally {
        var tally = Tally()
        for c in cases {
            let theirs = try fetch(port: prometheus, c)
            let mine = try fetch(port: vigil, c)
            let sortVectors = !c.target.contains("sort") && !(c.body ?? "").contains("sort")
            let a = canonical(theirs.body, sortVectors: sortVectors)
            let b = canonical(mine.body, sortVectors: sortVectors)
            if let reason = c.knownDifference {
                tally.known += 1
                print("known 2.42-vs-3 difference: \(c)\n  reason: \(reason)")
                if let want = c.prometheus3Body {
                    let w = canonical(Array(want.utf8), sortVectors: sortVectors)
                    #expect(w == b, "\(c): not Prometheus 3's answer\n\(diff(w, b))")
                }
                if let status = c.prometheus3Status {
                    #expect(mine.status == status, "\(c): status \(mine.status), Prometheus 3 answers \(status)")
                }
                for (name, value) in c.prometheus3Headers {
                    #expect(mine.header(name) == value, "\(c): header \(name) is \(mine.header(name) ?? "absent"), Prometheus 3 sends \(value ?? "none")")
                }
                if c.prometheus3SameBody {
                    #expect(theirs.status == mine.status, "\(c): status \(theirs.status) (prometheus) vs \(mine.status) (vigil)")
                    #expect(a == b, "\(c): body differs (- prometheus, + vigil)\n\(diff(a, b))")
                }
                if let other = c.prometheus3SameAs {
                    var twin = c
                    twin.target = other
                    let want = canonical(try fetch(port: prometheus, twin).body, sortVectors: sortVectors)
                    #expect(want == b, "\(c): not Prometheus 3's answer (- 2.42 for \(other), + vigil)\n\(diff(want, b))")
                }
                if let transform = c.prometheus3From {
                    #expect(theirs.status == mine.status, "\(c): status \(theirs.status) (prometheus) vs \(mine.status) (vigil)")
                    if var json = try? JSONSerialization.jsonObject(with: Data(theirs.body)) as? [String: Any] {
                        transform(&json)
                        let w = canonical(Array((try? JSONSerialization.data(withJSONObject: json)) ?? Data()), sortVectors: sortVectors)
                        #expect(w == b, "\(c): not Prometheus 3's answer (- 2.42 turned into 3, + vigil)\n\(diff(w, b))")
                    } else {
                        Issue.record("\(c): Prometheus answered no JSON")
                    }
                }
                if a == b && theirs.status == mine.status { print("  note: 2.42 now answers the same") }
                continue
            }
            #expect(theirs.status == mine.status, "\(c): status \(theirs.status) (prometheus) vs \(mine.status) (vigil)\n\(b)")
            for name in ["Content-Type"] + c.compareHeaders {
                #expect(theirs.header(name) == mine.header(name),
                        "\(c): header \(name): \(theirs.header(name) ?? "none") (prometheus) vs \(mine.header(name) ?? "none") (vigil)")
            }
            if c.compareStats {
                // samplesRead is new in Prometheus 3 (2.42 has only totalQueryableSamples).
                let ours = statsShape(mine.body)
                #expect(ours.contains("stats.samples.samplesRead"), "\(c): no samplesRead in stats")
                let x = statsShape(theirs.body), y = ours.replacingOccurrences(of: " stats.samples.samplesRead", with: "")
                #expect(x == y, "\(c): stats differ\n- \(x)\n+ \(y)")
            }
            if let gap = c.vigilGap {
                print("not compared (Vigil gap): \(c)\n  \(gap)\n  - \(a.prefix(200))\n  + \(b.prefix(200))")
                tally.gaps += 1
            } else if let reason = c.errorTypeOnly {
                let x = errorClass(theirs.body), y = errorClass(mine.body)
                #expect(x == y && x != nil, "\(c): \(x ?? "no error") (prometheus) vs \(y ?? "no error") (vigil)")
                print("compared error class only: \(c)\n  reason: \(reason)")
                tally.matched += 1
            } else if a == b {
                tally.matched += 1
            } else if let reason = c.floatTolerance, approximatelyEqual(theirs.body, mine.body) {
                tally.tolerated += 1
                print("equal within 1e-12: \(c)\n  reason: \(reason)")
            } else {
                Issue.record("\(c): body differs (- prometheus, + vigil)\n\(diff(a, b))")
            }
        }
        return tally
    }

    /// Prometheus 3's `limit`: the first `n` items of `data` (or of `data.result`) as 2.42
    /// ordered them, plus the truncation warning when something was cut.
    static func truncated(_ n: Int) -> @Sendable (inout [String: Any]) -> Void {
        { json in
            var cut = false
            if let list = json["data"] as? [Any], list.count > n {
                json["data"] = Array(list.prefix(n)); cut = true
            } else if var data = json["data"] as? [String: Any], let list = data["result"] as? [Any], list.count > n {
                data["result"] = Array(list.prefix(n)); json["data"] = data; cut = true
            }
            if cut { json["warnings"] = ((json["warnings"] as? [String]) ?? []) + ["results truncated due to limit"] }
        }
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

    static func key(_ value: Any?, pretty: Bool = false) -> String {
        guard let value, JSONSerialization.isValidJSONObject(value) || value is [Any] || value is [String: Any],
              let data = try? JSONSerialization.data(withJSONObject: value, options: pretty ? [.sortedKeys, .prettyPrinted] : [.sortedKeys])
        else { return "\(value ?? "nil")" }
        return String(decoding: data, as: UTF8.self)
    }

    /// `data.stats` as its key paths, sorted. Sample counts are not compared: Vigil counts the
    /// samples it loads, Prometheus counts per step (a listed difference).
    static func statsShape(_ body: [UInt8]) -> String {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              let stats = (json["data"] as? [String: Any])?["stats"] else { return "no stats" }
        var paths: [String] = []
        func walk(_ v: Any, _ path: String) {
            if let o = v as? [String: Any] {
                for (k, x) in o { walk(x, path + "." + k) }
            } else {
                paths.append(path)
            }
        }
        walk(stats, "stats")
        return paths.sorted().joined(separator: " ")
    }

    /// `status/errorType` of an error envelope; nil for anything else.
    static func errorClass(_ body: [UInt8]) -> String? {
        guard let json = try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any],
              json["status"] as? String == "error" else { return nil }
        return "error/\(json["errorType"] as? String ?? "?")"
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

    // MARK: Processes and requests

    static func which(_ name: String) -> String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":") {
            let path = "\(dir)/\(name)"
            if FileManager.default.isExecutableFile(atPath: path) { return path }
        }
        return nil
    }

    /// Runs `tool` to completion; returns its exit code and combined output.
    static func run(_ tool: String, _ args: [String], stdin: Data? = nil) throws -> (Int32, String) {
        let (code, out) = try runData(tool, args, stdin: stdin)
        return (code, String(decoding: out, as: UTF8.self))
    }

    static func runData(_ tool: String, _ args: [String], stdin: Data? = nil) throws -> (Int32, Data) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: tool)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        let input = Pipe()
        if stdin != nil { p.standardInput = input }
        try p.run()
        if let stdin {
            // Written from another thread so a large output cannot deadlock against the input.
            let writer = input.fileHandleForWriting
            DispatchQueue.global().async {
                writer.write(stdin)
                try? writer.close()
            }
        }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, data)
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
            if let r = try? fetch(port: port, GoldenCase(target: "/-/ready")), r.status == 200 { return true }
            Thread.sleep(forTimeInterval: 0.2)
        }
        return false
    }

    /// Sends one case on a fresh connection; a gzip-encoded answer is decoded with gzip(1).
    static func fetch(port: Int, _ c: GoldenCase) throws -> RawHTTPResponse {
        let client = try RawHTTPClient(port: port, timeout: .seconds(30))
        var head = "\(c.method) \(c.target) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nConnection: close\r\n"
        for (n, v) in c.headers { head += "\(n): \(v)\r\n" }
        if let body = c.body {
            if !c.headers.contains(where: { $0.0.lowercased() == "content-type" }) {
                head += "Content-Type: application/x-www-form-urlencoded\r\n"
            }
            head += "Content-Length: \(body.utf8.count)\r\n"
        } else if c.method == "POST" {
            head += "Content-Length: 0\r\n"
        }
        try client.send(head + "\r\n" + (c.body ?? ""))
        var response = try client.readResponse(forHead: c.method == "HEAD")
        if response.header("Content-Encoding") == "gzip", let gzip = which("gzip") {
            let (code, plain) = try runData(gzip, ["-dc"], stdin: Data(response.body))
            if code == 0 {
                response.body = Array(plain)
                response.headers.removeAll { $0.name.lowercased() == "content-encoding" }
            }
        }
        return response
    }
}

/// A Prometheus server for a comparison: its own temp directory, a free port on 127.0.0.1.
final class ReferencePrometheus {
    let process = Process()
    let port: Int
    let logPath: String

    /// Starts `prometheus` on `tsdb` with `config` (YAML text) plus `extraArgs`, and waits until ready.
    init(binary: String, directory: TempDirectory, tsdb: String, config: String, extraArgs: [String] = []) throws {
        let configPath = directory.path + "/prometheus.yml"
        try config.write(toFile: configPath, atomically: true, encoding: .utf8)
        port = try Golden.freePort()
        logPath = directory.path + "/prometheus.log"
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["--storage.tsdb.path=\(tsdb)", "--web.listen-address=127.0.0.1:\(port)",
                             "--config.file=\(configPath)", "--log.level=warn"] + extraArgs
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        try process.run()
        guard Golden.waitReady(port: port, seconds: 60) else {
            stop()
            throw DaemonProcessError(description: "prometheus did not become ready: \(log_)")
        }
    }

    private var log_: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
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
