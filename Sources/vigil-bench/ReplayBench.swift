import Dispatch
import Model
import TSDB

/// `vigil-bench wal` and `vigil-bench open`: writes a head WAL shaped like the scrape benchmark's
/// (targets of series scraped together, one batch per scrape) and times opening it (replay).
enum ReplayBench {
    static func write(dir: String, targets: Int, perTarget: Int, steps: Int) throws {
        let db = try DB.open(dir: dir, options: DB.Options(blockRangeMs: 4 * 3_600_000, backgroundCompaction: false))
        defer { try? db.close() }
        let codes = ["200", "404", "500", "503"]
        var labels: [[Labels]] = []
        for t in 0 ..< targets {
            labels.append((0 ..< perTarget).map { i in
                Labels([("__name__", "ff_requests_total"), ("handler", "/api/v1/h\(i / 8)"), ("code", codes[i % 4]),
                        ("method", i / 4 % 2 == 0 ? "GET" : "POST"), ("instance", "target-\(t)"), ("job", "ff")])
            })
        }
        var refs = [[SeriesRef]](repeating: [SeriesRef](repeating: .none, count: perTarget), count: targets)
        let t0: Int64 = 1_700_000_000_000
        let start = DispatchTime.now().uptimeNanoseconds
        for k in 0 ..< steps {
            for t in 0 ..< targets {
                let app = db.appender()
                for i in 0 ..< perTarget {
                    let v = Double(i % 1000 * 100 + k * (1 + i % 200) + (i &* 31 &+ k &* 17) % (1 + i % 200))
                    refs[t][i] = try app.append(ref: refs[t][i], labels: labels[t][i], t: t0 + Int64(k) * 60_000, v: v)
                }
                try app.commit()
            }
        }
        let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        print(String(format: "wal: %d series x %d samples written in %.1f s", targets * perTarget, steps, s))
    }

    static func open(dir: String) throws {
        let start = DispatchTime.now().uptimeNanoseconds
        let db = try DB.open(dir: dir, options: DB.Options(blockRangeMs: 4 * 3_600_000, backgroundCompaction: false))
        let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        let st = db.stats
        print(String(format: "open: %d series, %d samples replayed in %.2f s = %.1f M samples/s", st.headSeries, st.headSamplesAppended, s,
                     Double(st.headSamplesAppended) / s / 1e6))
        try db.close()
    }
}
