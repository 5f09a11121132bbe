import Config
import Dispatch
import Model
import Scrape
import TSDB

/// `vigil-bench append`: samples per second through the scrape engine (parse, cache lookup,
/// append, one WAL write per scrape) and through the head appender with cached references.
enum AppendBench {
    /// The exposition body of one scrape: `series` series of a node_exporter-like shape, values
    /// moving with `round`.
    static func body(series: Int, round: Int) -> [UInt8] {
        var out = ""
        out.reserveCapacity(series * 80)
        let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]
        for i in 0 ..< series {
            let v = Double(i % 1000) * 10 + Double(round * (i % 7 + 1)) * 1.25
            out += "bench_cpu_seconds_total{cpu=\"\(i / 8)\",mode=\"\(modes[i % 8])\"} \(v)\n"
        }
        return Array(out.utf8)
    }

    static func run(series: Int, scrapes: Int, dir: String) throws {
        let db = try DB.open(dir: dir, options: DB.Options(backgroundCompaction: false))
        defer { try? db.close() }
        var config = ScrapeConfig()
        config.jobName = "bench"
        config.scrapeInterval = PromDuration(nanoseconds: 15_000_000_000)
        config.scrapeTimeout = PromDuration(nanoseconds: 10_000_000_000)
        let relabeler = try Relabeler([])
        guard case let .target(target) = try TargetLabels.populate(config: config, relabeler: relabeler,
                                                                  target: ["__address__": "127.0.0.1:9100"], group: [:]) else {
            print("append: target dropped")
            return
        }
        let options = ScrapeLoopOptions(config: config, target: target, metricRelabeler: relabeler)
        let engine = ScrapeEngine(options: options, appendable: db, metrics: ScrapeMetrics())
        let bodies = (0 ..< 8).map { body(series: series, round: $0) }
        var t: Int64 = 1_700_000_000_000
        let contentType = "text/plain; version=0.0.4"

        var start = DispatchTime.now().uptimeNanoseconds
        _ = engine.process(.success(ScrapedBody(bytes: bodies[0], contentType: contentType)), appendTimeMs: t, nowMs: t, elapsed: { 0 })
        let first = seconds(since: start)
        print(String(format: "append: first scrape (creates %d series): %.3f s = %.0f series/s", series, first, Double(series) / first))

        start = DispatchTime.now().uptimeNanoseconds
        for k in 1 ... scrapes {
            t += 15_000
            let s = engine.process(.success(ScrapedBody(bytes: bodies[k % bodies.count], contentType: contentType)),
                                   appendTimeMs: t, nowMs: t, elapsed: { 0 })
            if let e = s.error { print("append: scrape \(k) failed: \(e)"); return }
        }
        let scrapeSeconds = seconds(since: start)
        let scraped = Double(series * scrapes)
        print(String(format: "append: scrape path (parse + scrape cache + append + WAL write): %d samples in %.3f s = %.2f M samples/s",
                     series * scrapes, scrapeSeconds, scraped / scrapeSeconds / 1e6))

        // The same number of samples straight into the head appender, with cached references.
        var refs = [SeriesRef](repeating: .none, count: series)
        let labels = (0 ..< series).map { Labels([("__name__", "bench_direct"), ("series", String($0)), ("job", "bench")]) }
        var app = db.appender()
        for i in 0 ..< series { refs[i] = try app.append(ref: .none, labels: labels[i], t: t, v: 0) }
        try app.commit()
        start = DispatchTime.now().uptimeNanoseconds
        for k in 1 ... scrapes {
            t += 15_000
            app = db.appender()
            for i in 0 ..< series { refs[i] = try app.append(ref: refs[i], labels: labels[i], t: t, v: Double(k * (i % 5))) }
            try app.commit()
        }
        let directSeconds = seconds(since: start)
        print(String(format: "append: head appender, cached refs (+ WAL write): %d samples in %.3f s = %.2f M samples/s",
                     series * scrapes, directSeconds, scraped / directSeconds / 1e6))
    }
}
