import Dispatch
import Glibc
import Model
import TSDB

/// `vigil-bench select`: select + decode throughput of the querier over a data directory.
enum SelectBench {
    static func run(dir: String, mint: Int64, maxt: Int64, rounds: Int, name: String, regex: String) throws {
        let db = try DB.open(dir: dir, options: DB.Options(retentionMs: 0, backgroundCompaction: false))
        defer { try? db.close() }
        let matcher = try Matcher(.regexMatch, name, regex)
        for round in 1 ... rounds {
            let start = DispatchTime.now().uptimeNanoseconds
            let q = try db.querier(mint: mint, maxt: maxt)
            let set = q.select([matcher], hints: SelectHints())
            var series = 0, samples = 0
            var sum = 0.0
            while set.next() {
                series += 1
                var it = set.at().iterator()
                while it.next() {
                    samples += 1
                    sum += it.at().v
                }
                if let e = it.error { print("select: \(e)"); return }
            }
            q.close()
            let s = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
            print(String(format: "select round %d: %d series, %d samples in %.3f s = %.2f M samples/s (checksum %@)",
                         round, series, samples, s, Double(samples) / s / 1e6, sum.isFinite ? "ok" : "nan"))
        }
    }
}
