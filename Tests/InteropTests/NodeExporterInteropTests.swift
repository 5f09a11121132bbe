import Foundation
import Testing
import TestSupport

/// Vigil and Prometheus 2.42 scrape the same two targets with the same configuration (the
/// example `deploy/vigil.yml`, adapted): the Debian `prometheus-node-exporter` and Vigil's own
/// `/metrics`. After a few scrapes both must store the same series — label sets including
/// `job`/`instance`, `up` and the `scrape_*` series — the same metadata, and the same value
/// for every series that stayed constant on both sides.
///
/// Vigil's `/metrics` grows a series whenever it answers a new kind of request (a handler and
/// code it had not seen), so the test sends Vigil no request from shortly before the compared
/// window until the window has been scraped, and compares series of a strict window against
/// a window one interval wider on both sides: a series that appeared or disappeared on the
/// target between one scraper's scrape and the other's (Prometheus' and Vigil's scrapes of a
/// target are at different phases) is then still found, while a series that one side never
/// stores, or stores with other labels, fails.
///
/// Known 2.42-vs-3 difference: Prometheus 3 normalizes `le` (histograms) and `quantile`
/// (summaries) label values to OpenMetrics floats at ingestion (`1` → `1.0`), which Vigil does;
/// 2.42's label sets are mapped that way before comparing.
///
/// Skipped with a notice when `prometheus` or `prometheus-node-exporter` is not on PATH, or with
/// `VIGIL_SKIP_INTEROP=1`.
@Suite(.serialized) struct NodeExporterInteropTests {
    static let intervalSeconds = 1.0

    @Test func vigilStoresTheSameSeriesAsPrometheus() throws {
        if ProcessInfo.processInfo.environment["VIGIL_SKIP_INTEROP"] == "1" {
            print("notice: NodeExporterInteropTests skipped (VIGIL_SKIP_INTEROP=1)")
            return
        }
        guard let prometheus = ExternalProcess.which("prometheus"),
              let nodeExporter = ExternalProcess.which("prometheus-node-exporter") else {
            print("notice: NodeExporterInteropTests skipped: prometheus or prometheus-node-exporter not on PATH (make test installs them)")
            return
        }
        let dir = try TempDirectory(prefix: "vigil-node-interop")
        defer { dir.remove() }
        let nodePort = try ExternalProcess.freeLoopbackPort()
        let vigilPort = try ExternalProcess.freeLoopbackPort()
        let promPort = try ExternalProcess.freeLoopbackPort()

        let node = try ExternalProcess(nodeExporter, ["--web.listen-address=127.0.0.1:\(nodePort)"],
                                       directory: dir.path, logName: "node_exporter.log")
        defer { node.stop() }
        try #require(node.waitForHTTP(port: nodePort, path: "/metrics"), "node_exporter did not start:\n\(node.log)")

        let configPath = dir.path + "/scrape.yml"
        try Self.config(vigilPort: vigilPort, nodePort: nodePort).write(toFile: configPath, atomically: true, encoding: .utf8)
        let vigil = try DaemonProcess(["--config.file=\(configPath)", "--web.listen-address=127.0.0.1:\(vigilPort)"])
        defer { vigil.stop() }
        let prom = try ExternalProcess(prometheus, ["--config.file=\(configPath)", "--storage.tsdb.path=\(dir.path)/prometheus",
                                                    "--web.listen-address=127.0.0.1:\(promPort)", "--log.level=warn"],
                                       directory: dir.path, logName: "prometheus.log")
        defer { prom.stop() }
        try #require(vigil.waitUntilReady(), "vigil not ready:\n\(vigil.log)")
        try #require(prom.waitForHTTP(port: promPort, path: "/-/ready"), "prometheus not ready:\n\(prom.log)")

        // From here until the windows have been scraped, no request reaches Vigil.
        Thread.sleep(forTimeInterval: 3 * Self.intervalSeconds)
        let start = APIComparison.now()
        Thread.sleep(forTimeInterval: 6 * Self.intervalSeconds)
        let end = APIComparison.now()
        Thread.sleep(forTimeInterval: 2.5 * Self.intervalSeconds)
        let margin = 1.5 * Self.intervalSeconds

        let types = try APIComparison.metricTypes(port: promPort)
        let toPrometheus3 = { (l: APIComparison.LabelSet) in APIComparison.prometheus3(l, types: types) }
        let vigilStrict = try APIComparison.series(port: vigilPort, start: start, end: end)
        let vigilWide = try APIComparison.series(port: vigilPort, start: start - margin, end: end + margin)
        let promStrict = try APIComparison.series(port: promPort, start: start, end: end, mapLabels: toPrometheus3)
        let promWide = try APIComparison.series(port: promPort, start: start - margin, end: end + margin, mapLabels: toPrometheus3)

        // Both scrapers stored both targets, with the synthetic series and their labels.
        for (job, port) in [("node", nodePort), ("vigil", vigilPort)] {
            for name in ["up", "scrape_duration_seconds", "scrape_samples_scraped", "scrape_samples_post_metric_relabeling", "scrape_series_added"] {
                let k = APIComparison.key(["__name__": name, "job": job, "instance": "127.0.0.1:\(port)"])
                #expect(vigilStrict[k] != nil, "vigil lacks \(k)")
                #expect(promStrict[k] != nil, "prometheus lacks \(k)")
            }
        }
        let nodeSeries = vigilStrict.values.filter { $0["job"] == "node" }.count
        #expect(nodeSeries > 100, "only \(nodeSeries) node_exporter series in Vigil")

        let missingInVigil = Set(promStrict.keys).subtracting(vigilWide.keys)
        let extraInVigil = Set(vigilStrict.keys).subtracting(promWide.keys)
        #expect(missingInVigil.isEmpty, "series Prometheus stored and Vigil did not:\n\(APIComparison.list(missingInVigil))")
        #expect(extraInVigil.isEmpty, "series Vigil stored and Prometheus did not:\n\(APIComparison.list(extraInVigil))")
        let edge = Set(promStrict.keys).symmetricDifference(vigilStrict.keys)
        if !edge.isEmpty {
            print("note: \(edge.count) series changed on a target between the two scrapers' scrapes (found in the wider window):\n\(APIComparison.list(edge))")
        }

        // The same metadata (type, help, unit) per metric.
        let vigilMeta = try Self.metadata(port: vigilPort)
        let promMeta = try Self.metadata(port: promPort)
        #expect(vigilMeta.count > 100)
        for name in Set(vigilMeta.keys).union(promMeta.keys).sorted() where vigilMeta[name] != promMeta[name] {
            Issue.record("metadata of \(name): prometheus \(promMeta[name] ?? []) vs vigil \(vigilMeta[name] ?? [])")
        }

        // Series whose value stayed the same on both sides over the window hold the same value.
        let window = Int((end - start).rounded(.down))
        let vigilSamples = try APIComparison.rawSamples(port: vigilPort, selector: #"{__name__=~".+"}"#, windowSeconds: window, at: end)
        let promSamples = try APIComparison.rawSamples(port: promPort, selector: #"{__name__=~".+"}"#, windowSeconds: window, at: end,
                                                       mapLabels: toPrometheus3)
        var constants = 0
        for (k, vs) in vigilSamples {
            guard let ps = promSamples[k] else { continue }
            let vv = Set(vs.map { $0.split(separator: " ").last.map(String.init) ?? "" })
            let pv = Set(ps.map { $0.split(separator: " ").last.map(String.init) ?? "" })
            guard vv.count == 1, pv.count == 1 else { continue }
            constants += 1
            #expect(vv == pv, "\(k): vigil \(vv.first ?? "") prometheus \(pv.first ?? "")")
        }
        #expect(constants >= 50, "only \(constants) constant series to compare")
        print("node_exporter interop: \(vigilStrict.count) series equal to Prometheus' (\(nodeSeries) of node_exporter), \(vigilMeta.count) metadata entries, \(constants) constant values")
    }

    /// `deploy/vigil.yml` with a 1 s interval, no rule files, Vigil's own target on `vigilPort`
    /// and a `node` job for node_exporter.
    static func config(vigilPort: Int, nodePort: Int) throws -> String {
        let path = TestData.projectRoot.appendingPathComponent("deploy/vigil.yml").path
        var text = try String(contentsOfFile: path, encoding: .utf8)
        let edits = [("scrape_interval: 15s", "scrape_interval: 1s"), ("scrape_timeout: 10s", "scrape_timeout: 1s"),
                     ("\"localhost:9090\"", "\"127.0.0.1:\(vigilPort)\""), ("  - rules/*.yml\n", ""), ("rule_files:\n", "")]
        for (from, to) in edits {
            guard text.contains(from) else { throw DaemonProcessError(description: "deploy/vigil.yml has no \(from.debugDescription) to adapt") }
            text = text.replacingOccurrences(of: from, with: to)
        }
        text += """
          - job_name: node
            static_configs:
              - targets: ["127.0.0.1:\(nodePort)"]

        """
        return text
    }

    /// `/api/v1/metadata` as metric → sorted "type|help|unit" entries.
    static func metadata(port: Int) throws -> [String: [String]] {
        guard let map = try APIComparison.data(port: port, "/api/v1/metadata") as? [String: [[String: String]]] else { return [:] }
        return map.mapValues { entries in entries.map { "\($0["type"] ?? "")|\($0["help"] ?? "")|\($0["unit"] ?? "")" }.sorted() }
    }
}
