import Exposition
import Glibc
import Model

/// `vigil-loadgen parse FILE SECONDS`: Vigil's exposition parser over one body in a loop on one
/// thread, for the scrape benchmark's parser figure. Two passes of SECONDS each:
/// - `scrape`: what a scrape of a known target costs per sample: `next()`, the value and
///   timestamp, and the xxHash64 of the raw series bytes the scrape cache looks up;
/// - `labels`: the same plus `labels()` for every sample, what a scrape of new series costs.
/// Prints bytes and samples per CPU second (the thread's own CPU time, so other processes on
/// the machine do not skew it).
enum ParseBench {
    static func run(path: String, seconds: Double) -> Int32 {
        guard let f = fopen(path, "rb") else {
            print("parse: cannot open \(path)")
            return 1
        }
        var body: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = fread(&chunk, 1, chunk.count, f)
            if n <= 0 { break }
            body.append(contentsOf: chunk[0 ..< n])
        }
        fclose(f)
        let format: ExpositionFormat = path.hasSuffix(".om.txt") || path.hasSuffix(".om") ? .openMetrics : .prometheusText
        // One checked pass first: a body the parser refuses is no benchmark.
        var check = ExpositionParser(body, format: format)
        var samplesPerBody = 0
        do {
            while let e = try check.next() { if e == .series { samplesPerBody += 1 } }
        } catch {
            print("parse: \(path): \(error)")
            return 1
        }
        for mode in ["scrape", "labels"] {
            var sink: UInt64 = 0
            var bodies = 0
            let start = threadCPU()
            while threadCPU() - start < seconds {
                for _ in 0 ..< 20 {
                    var p = ExpositionParser(body, format: format)
                    while let e = try? p.next() {
                        guard e == .series else { continue }
                        sink &+= p.withSeriesBytes { XXHash64.hash($0) }
                        sink &+= UInt64(truncatingIfNeeded: p.timestamp ?? 0) &+ p.value.bitPattern
                        if mode == "labels", let l = try? p.labels() { sink &+= UInt64(l.count) }
                    }
                    bodies += 1
                }
            }
            let cpu = threadCPU() - start
            let mb = Double(body.count * bodies) / 1e6 / cpu
            let samples = Double(samplesPerBody * bodies) / cpu
            print("parse \(mode): \(path.split(separator: "/").last ?? "") \(body.count) bytes, \(samplesPerBody) samples: "
                + "\(format2(mb)) MB/s, \(format2(samples / 1e6)) M samples/s, \(format2(1e9 / samples)) ns/sample on one core (checksum \(sink % 1000))")
        }
        return 0
    }

    static func threadCPU() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    static func format2(_ v: Double) -> String {
        let scaled = (v * 100).rounded() / 100
        return String(scaled)
    }
}
