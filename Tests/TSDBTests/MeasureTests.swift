import Dispatch
import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

/// Measurements run by hand (`VIGIL_MEASURE=1 swift test -c release --filter MeasureTests`);
/// they print figures instead of asserting.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["VIGIL_MEASURE"] != nil))
struct MeasureTests {
    @Test(arguments: [0, 3] as [Int64])
    func lz4OnChunkPages(jitterMs: Int64) throws {
        let data = NodeExporterData(nodes: 20, jitterMs: jitterMs)
        var apps = [XORAppender](repeating: XORAppender(), count: data.series.count)
        var chunks: [[XORChunk]] = Array(repeating: [], count: data.series.count)
        var samples = 0
        data.generate(from: 1_700_000_000_000, scrapes: 6 * 240) { k, t, v in
            if apps[k].count == 120 { chunks[k].append(apps[k].finish()); apps[k] = XORAppender() }
            apps[k].append(t, v)
            samples += 1
        }
        for k in apps.indices { chunks[k].append(apps[k].finish()) }
        var raw: [UInt8] = []
        for list in chunks { for c in list { raw += c.bytes } }
        print("jitter \(jitterMs) ms: series \(data.series.count) samples \(samples) chunk bytes \(raw.count) = \(Double(raw.count) / Double(samples)) B/sample")
        for page in [4096, 16384, 65536] {
            var total = 0
            var i = 0
            while i < raw.count {
                let end = min(raw.count, i + page)
                total += LZ4.compress(Array(raw[i ..< end])).count + 8
                i = end
            }
            print("lz4 pages of \(page): \(total) bytes = \(Double(total) / Double(samples)) B/sample (\(Int((1 - Double(total) / Double(raw.count)) * 100))% saved)")
        }
    }

    /// On-disk bytes per sample of a 6 h block made by compaction (head → 2 h blocks → 6 h).
    @Test(arguments: [true, false])
    func bytesPerSampleAfterCompaction(compress: Bool) throws {
        let tmp = try TempDirectory(prefix: "measure-bps")
        defer { tmp.remove() }
        var opts = DB.Options(walSync: .batch(intervalMs: 1000), backgroundCompaction: false)
        opts.compressChunks = compress
        let db = try DB.open(dir: tmp.path, options: opts)
        defer { try? db.close() }
        let data = NodeExporterData(nodes: 50)
        let t0: Int64 = 1_699_999_200_000 // a multiple of 6 h
        let started = DispatchTime.now().uptimeNanoseconds
        let n = try DBFixture.fill(db, data, from: t0, scrapes: 4 * 240 * 11 / 4) // 11 h
        let appendSeconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        let c0 = DispatchTime.now().uptimeNanoseconds
        try db.compact()
        let compactSeconds = Double(DispatchTime.now().uptimeNanoseconds - c0) / 1e9
        for b in db.blocks {
            let chunks = DB.diskUsage(b.dir + "/chunks"), index = DB.diskUsage(b.dir + "/index.sqlite")
            let s = Double(b.meta.stats.numSamples)
            print("lz4 \(compress): block \((b.meta.maxTime - b.meta.minTime) / 3_600_000) h level \(b.meta.compaction.level): \(b.meta.stats.numSeries) series, \(b.meta.stats.numSamples) samples, chunks \(chunks) B (\(Double(chunks) / s) B/sample), index \(index) B (\(Double(index) / s) B/sample), total \(Double(b.sizeBytes) / s) B/sample")
        }
        print("lz4 \(compress): appended \(n) samples in \(appendSeconds) s (\(Double(n) / appendSeconds / 1e6) M/s), compaction \(compactSeconds) s")
    }

    /// Select + decode of 10k series over 1 h from a 2 h block.
    @Test func selectThroughputFromBlocks() throws {
        let tmp = try TempDirectory(prefix: "measure-select")
        defer { tmp.remove() }
        let data = NodeExporterData(nodes: 94)
        let writer = try BlockWriter(dir: tmp.path, blockRangeMs: 7_200_000)
        let t0: Int64 = 1_699_999_200_000
        try data.generate(from: t0, scrapes: 480) { k, t, v in try writer.add(data.series[k].labels, t: t, v: v) }
        try writer.flush()
        let db = try DB.open(dir: tmp.path, options: DB.Options(backgroundCompaction: false))
        defer { try? db.close() }
        for round in 0 ..< 3 {
            let started = DispatchTime.now().uptimeNanoseconds
            let q = try db.querier(mint: t0 + 1_800_000, maxt: t0 + 5_400_000)
            let set = q.select([try Matcher(.regexMatch, "__name__", ".+")], hints: SelectHints())
            var series = 0, samples = 0
            var sum = 0.0
            while set.next() {
                series += 1
                var it = set.at().iterator()
                while it.next() { samples += 1; sum += it.at().v }
            }
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
            print("select round \(round): \(series) series, \(samples) samples in \(seconds) s = \(Double(samples) / seconds / 1e6) M samples/s, \(Double(series) / seconds) series/s (checksum \(sum.isFinite))")
            let one = DispatchTime.now().uptimeNanoseconds
            let q2 = try db.querier(mint: t0 + 1_800_000, maxt: t0 + 5_400_000)
            let s2 = q2.select([Matcher.equal("__name__", "node_load1"), Matcher.equal("instance", "node-7.example.net:9100")], hints: SelectHints())
            var k = 0
            while s2.next() { var it = s2.at().iterator(); while it.next() { k += 1 } }
            print("  one series: \(k) samples in \(Double(DispatchTime.now().uptimeNanoseconds - one) / 1e3) µs")
        }
    }
}
