import Dispatch
import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

/// Test fixtures for the DB: 10-minute blocks so a few hours of 15 s data make many blocks.
enum DBFixture {
    static let range: Int64 = 600_000
    static let t0: Int64 = 1_700_000_400_000 // a multiple of `range`

    static func options(retentionMs: Int64 = 0, retentionBytes: Int64 = 0, compress: Bool = true) -> DB.Options {
        var o = DB.Options(blockRangeMs: range, retentionMs: retentionMs, retentionBytes: retentionBytes,
                           walSync: .always, walSegmentSize: 1 << 20, backgroundCompaction: false)
        o.compressChunks = compress
        return o
    }

    /// Appends `scrapes` scrapes of `data` from `from`, committing each scrape.
    @discardableResult
    static func fill(_ db: DB, _ data: NodeExporterData, from: Int64 = t0, scrapes: Int) throws -> Int {
        let app = db.appender()
        var refs = [SeriesRef](repeating: .none, count: data.series.count)
        var n = 0
        var lastT = Int64.min
        try data.generate(from: from, scrapes: scrapes) { k, t, v in
            if t / data.intervalMs != lastT / data.intervalMs && n > 0 { try app.commit() }
            lastT = t
            refs[k] = try app.append(ref: refs[k], labels: data.series[k].labels, t: t, v: v)
            n += 1
        }
        try app.commit()
        return n
    }

    static let all = [try! Matcher(.regexMatch, "__name__", ".+")]

    static func count(_ dump: [(Labels, [Sample])]) -> Int { dump.reduce(0) { $0 + $1.1.count } }
}

@Suite struct DBTests {
    @Test func openAppendQueryReopen() throws {
        let tmp = try TempDirectory(prefix: "db-open")
        defer { tmp.remove() }
        let db = try DB.open(dir: tmp.path, options: DBFixture.options())
        let app = db.appender()
        for i in 0 ..< 100 {
            try app.append(series("up", ["job": "a"]), t: Int64(i) * 1000, v: Double(i))
        }
        try app.commit()
        #expect(db.stats.headSamplesAppended == 100)
        let want = try dump(db)
        try db.close()
        #expect(throws: StorageError.closed) { _ = try db.querier(mint: 0, maxt: 1) }
        let again = try DB.open(dir: tmp.path, options: DBFixture.options())
        defer { try? again.close() }
        #expect(HeadWALTests.same(try dump(again), want))
        #expect(again.stats.headSeries == 1)
    }

    @Test(arguments: [true, false])
    func sameAnswersBeforeAndAfterHeadCompaction(compress: Bool) throws {
        let tmp = try TempDirectory(prefix: "db-compact-head")
        defer { tmp.remove() }
        let db = try DB.open(dir: tmp.path, options: DBFixture.options(compress: compress))
        defer { try? db.close() }
        let data = NodeExporterData(nodes: 1)
        let appended = try DBFixture.fill(db, data, scrapes: 200) // 50 minutes
        let before = try dump(db)
        let middle = try dump(db, mint: DBFixture.t0 + 700_000, maxt: DBFixture.t0 + 1_900_000)
        let names = try db.querier(mint: .min, maxt: .max).labelValues("__name__", matchers: [], limit: 0)
        #expect(DBFixture.count(before) == appended)
        try db.compact()
        let s = db.stats
        #expect(s.blocks >= 3)
        #expect(s.headCompactions >= 3)
        #expect(s.headMinTime >= DBFixture.t0 + 3 * DBFixture.range)
        #expect(HeadWALTests.same(try dump(db), before))
        #expect(HeadWALTests.same(try dump(db, mint: DBFixture.t0 + 700_000, maxt: DBFixture.t0 + 1_900_000), middle))
        #expect(try db.querier(mint: .min, maxt: .max).labelValues("__name__", matchers: [], limit: 0) == names)
        // Appends into the compacted range are out of bounds now.
        #expect(throws: StorageError.self) { try db.appender().append(series("late"), t: DBFixture.t0, v: 1) }
        // A limit applies to the merged set.
        let q = try db.querier(mint: .min, maxt: .max)
        let limited = q.select(DBFixture.all, hints: SelectHints(limit: 5))
        var n = 0
        while limited.next() { n += 1 }
        #expect(n == 5)
        #expect(limited.warnings.contains("results truncated due to limit"))
    }

    @Test func restartWithBlocksAndWAL() throws {
        let tmp = try TempDirectory(prefix: "db-restart")
        defer { tmp.remove() }
        let data = NodeExporterData(nodes: 1)
        var want: [(Labels, [Sample])] = []
        do {
            let db = try DB.open(dir: tmp.path, options: DBFixture.options())
            // A series that stops early: truncation removes it from the head.
            let app = db.appender()
            try app.append(series("gone_soon"), t: DBFixture.t0 + 1000, v: 1)
            try app.append(series("gone_soon"), t: DBFixture.t0 + 2000, v: 2)
            try app.commit()
            try DBFixture.fill(db, data, scrapes: 160)
            try db.compact()
            #expect(db.stats.blocks >= 2)
            try DBFixture.fill(db, data, from: DBFixture.t0 + 160 * 15_000, scrapes: 20)
            want = try dump(db)
            try db.close()
        }
        let db = try DB.open(dir: tmp.path, options: DBFixture.options())
        defer { try? db.close() }
        #expect(HeadWALTests.same(try dump(db), want))
        #expect(db.head.labels(of: db.head.seriesRefs(matching: [.equal("__name__", "gone_soon")]).first ?? .none) == nil)
        #expect(try dump(db, [.equal("__name__", "gone_soon")]).first?.1.count == 2)
        // Close and open once more: nothing duplicated or lost.
        try db.close()
        let third = try DB.open(dir: tmp.path, options: DBFixture.options())
        defer { try? third.close() }
        #expect(HeadWALTests.same(try dump(third), want))
    }

    @Test func compactionMergesAndKeepsEverySample() throws {
        let tmp = try TempDirectory(prefix: "db-merge")
        defer { tmp.remove() }
        let db = try DB.open(dir: tmp.path, options: DBFixture.options())
        defer { try? db.close() }
        let data = NodeExporterData(nodes: 1)
        let appended = try DBFixture.fill(db, data, scrapes: 480) // 2 h: 10 m, 30 m and 90 m levels
        let before = try dump(db)
        try db.compact()
        let blocks = db.blocks
        #expect(blocks.contains { $0.meta.compaction.level >= 3 })
        // Every block lies inside one aligned window of a compaction range.
        let ranges = DBFixture.options().compactionRanges
        #expect(ranges.prefix(3) == [DBFixture.range, 3 * DBFixture.range, 9 * DBFixture.range])
        for b in blocks {
            let span = b.meta.maxTime - b.meta.minTime
            let r = try #require(ranges.first { $0 >= span })
            #expect(Compactor.alignDown(b.meta.minTime, r) + r >= b.meta.maxTime)
        }
        // Blocks never overlap after compaction, and they hold everything the head lost.
        for (a, b) in zip(blocks, blocks.dropFirst()) { #expect(a.meta.maxTime <= b.meta.minTime) }
        let inBlocks = blocks.reduce(Int64(0)) { $0 + $1.meta.stats.numSamples }
        let inHead = DBFixture.count(try dump(db, mint: db.head.minTime, maxt: .max))
        #expect(Int(inBlocks) + inHead == appended)
        #expect(HeadWALTests.same(try dump(db), before))
        // Merged blocks list their sources and parents; the parents are gone from disk.
        let merged = try #require(blocks.first { $0.meta.compaction.level > 1 })
        #expect(merged.meta.compaction.sources.count > 1)
        for p in merged.meta.compaction.parents { #expect(!DiskDirectory.isDirectory(tmp.path + "/" + p.ulid)) }
    }

    @Test func tombstonesAppliedByCompaction() throws {
        let tmp = try TempDirectory(prefix: "db-tombstones")
        defer { tmp.remove() }
        let db = try DB.open(dir: tmp.path, options: DBFixture.options())
        let data = NodeExporterData(nodes: 1)
        try DBFixture.fill(db, data, scrapes: 160)
        try db.compact()
        let victim: [Matcher] = [.equal("__name__", "node_load1")]
        let mint = DBFixture.t0 + 300_000, maxt = DBFixture.t0 + 2_100_000 // spans blocks and head
        let before = try #require(try dump(db, victim).first?.1)
        try db.deleteSeries(victim, mint: mint, maxt: maxt)
        let want = before.filter { $0.t < mint || $0.t > maxt }
        #expect(try dump(db, victim).first?.1 == want)
        #expect(db.blocks.contains { $0.tombstoneCount > 0 })
        // Everything else is untouched.
        #expect(try dump(db, [.equal("__name__", "node_load5")]).first?.1.count == 160)
        try db.cleanTombstones()
        #expect(db.blocks.allSatisfy { $0.tombstoneCount == 0 })
        #expect(try dump(db, victim).first?.1 == want)
        let total = db.blocks.reduce(Int64(0)) { $0 + $1.meta.stats.numSamples }
        try db.close()
        let again = try DB.open(dir: tmp.path, options: DBFixture.options())
        defer { try? again.close() }
        #expect(try dump(again, victim).first?.1 == want)
        #expect(again.blocks.reduce(Int64(0)) { $0 + $1.meta.stats.numSamples } == total)
        // A series deleted entirely within a range is not returned for that range.
        #expect(try dump(again, victim, mint: mint, maxt: maxt).isEmpty)
    }

    @Test func retentionByTimeAcrossRestarts() throws {
        let tmp = try TempDirectory(prefix: "db-retention-time")
        defer { tmp.remove() }
        let opts = DBFixture.options(retentionMs: 30 * 60_000)
        let data = NodeExporterData(nodes: 1)
        do {
            let db = try DB.open(dir: tmp.path, options: opts)
            try DBFixture.fill(db, data, scrapes: 480)
            try db.compact()
            let newest = try #require(db.blocks.map(\.meta.maxTime).max())
            #expect(db.blocks.allSatisfy { newest - $0.meta.maxTime < opts.retentionMs })
            #expect(db.stats.retentionTimeDeletions > 0)
            #expect(try dump(db, mint: .min, maxt: newest - opts.retentionMs - DBFixture.range).isEmpty)
            try db.close()
        }
        let db = try DB.open(dir: tmp.path, options: opts)
        defer { try? db.close() }
        try DBFixture.fill(db, data, from: DBFixture.t0 + 480 * 15_000, scrapes: 160)
        try db.compact()
        let newest = try #require(db.blocks.map(\.meta.maxTime).max())
        #expect(db.blocks.allSatisfy { newest - $0.meta.maxTime < opts.retentionMs })
        #expect(db.stats.retentionTimeDeletions > 0)
    }

    @Test func retentionBySizeAcrossRestarts() throws {
        let tmp = try TempDirectory(prefix: "db-retention-size")
        defer { tmp.remove() }
        let data = NodeExporterData(nodes: 1)
        var sizes: [Int64] = []
        do {
            let db = try DB.open(dir: tmp.path, options: DBFixture.options())
            try DBFixture.fill(db, data, scrapes: 480)
            try db.compact()
            sizes = db.blocks.map(\.sizeBytes)
            try db.close()
        }
        #expect(sizes.count >= 3)
        // Room for the WAL and the newest two blocks only.
        let wal = DB.diskUsage(tmp.path + "/wal")
        let limit = wal + sizes.suffix(2).reduce(0, +) + 1
        let db = try DB.open(dir: tmp.path, options: DBFixture.options(retentionBytes: limit))
        defer { try? db.close() }
        try db.compact()
        #expect(db.blocks.count == 2)
        #expect(db.blocks.map(\.sizeBytes) == Array(sizes.suffix(2)))
        #expect(db.stats.retentionSizeDeletions == sizes.count - 2)
        #expect(db.stats.blockBytes + db.stats.walBytes <= limit)
        try db.close()
        let again = try DB.open(dir: tmp.path, options: DBFixture.options(retentionBytes: limit))
        defer { try? again.close() }
        #expect(again.blocks.count == 2)
    }

    @Test func backfilledBlocksAreQueriedAndCompacted() throws {
        let tmp = try TempDirectory(prefix: "db-backfill")
        defer { tmp.remove() }
        let db = try DB.open(dir: tmp.path, options: DBFixture.options())
        defer { try? db.close() }
        let data = NodeExporterData(nodes: 1)
        try DBFixture.fill(db, data, scrapes: 40)
        // Two hours of older data, given newest first, written in two flushes of which the
        // second overlaps the first.
        let writer = try BlockWriter(dir: tmp.path, blockRangeMs: DBFixture.range, maxBufferedSamples: 1 << 30)
        let old = DBFixture.t0 - 2 * 3_600_000
        var want: [Labels: [Sample]] = [:]
        var batch: [(Labels, Int64, Double)] = []
        data.generate(from: old, scrapes: 480) { k, t, v in
            batch.append((data.series[k].labels, t, v))
            want[data.series[k].labels, default: []].append(Sample(t: t, v: v))
        }
        let half = batch.count / 2
        for (l, t, v) in batch[..<half].reversed() { try writer.add(l, t: t, v: v) }
        try writer.flush()
        for (l, t, v) in batch[(half - 1000)...] { try writer.add(l, t: t, v: v) } // overlaps by 1000 samples
        try writer.flush()
        #expect(writer.written.count > 12)
        #expect(try db.reloadBlocks() == writer.written.count)
        let got = try dump(db, mint: old, maxt: DBFixture.t0 - 1)
        #expect(got.count == want.count)
        for (labels, samples) in got { #expect(samples == want[labels]) }
        try db.compact()
        #expect(db.blocks.count < writer.written.count)
        #expect(db.blocks.contains { $0.meta.compaction.level > 1 })
        for (a, b) in zip(db.blocks, db.blocks.dropFirst()) { #expect(a.meta.maxTime <= b.meta.minTime) }
        let after = try dump(db, mint: old, maxt: DBFixture.t0 - 1)
        #expect(after.count == want.count)
        for (labels, samples) in after { #expect(samples == want[labels]) }
    }

    @Test func leftoversOfInterruptedWritesAreRemovedAtOpen() throws {
        let tmp = try TempDirectory(prefix: "db-leftovers")
        defer { tmp.remove() }
        let tmpBlock = tmp.path + "/" + ULID().description + ".tmp"
        try DiskDirectory.create(tmpBlock + "/chunks")
        try Data("half".utf8).write(to: URL(fileURLWithPath: tmpBlock + "/chunks/000001"))
        let doomed = tmp.path + "/" + ULID().description + ".tmp-for-deletion"
        try DiskDirectory.create(doomed)
        let db = try DB.open(dir: tmp.path, options: DBFixture.options())
        defer { try? db.close() }
        #expect(!DiskDirectory.isDirectory(tmpBlock))
        #expect(!DiskDirectory.isDirectory(doomed))
        #expect(db.blocks.isEmpty)
    }

    @Test func interruptedCompactionLeavesParentsThatOpenDeletes() throws {
        let tmp = try TempDirectory(prefix: "db-parents")
        defer { tmp.remove() }
        let data = NodeExporterData(nodes: 1)
        let writer = try BlockWriter(dir: tmp.path, blockRangeMs: DBFixture.range)
        data.generate(from: DBFixture.t0, scrapes: 120) { k, t, v in try? writer.add(data.series[k].labels, t: t, v: v) }
        try writer.flush()
        let blocks = try writer.written.map { try Block.open(tmp.path + "/" + $0.ulid) }
        // The merge finished, the crash came before its inputs were deleted.
        let merged = try #require(try Compactor.merge(blocks, into: tmp.path, samplesPerChunk: 120, rangeMs: 7_200_000, compress: true))
        let db = try DB.open(dir: tmp.path, options: DBFixture.options())
        defer { try? db.close() }
        #expect(db.blocks.map(\.meta.ulid) == [merged.meta.ulid])
        for b in blocks { #expect(!DiskDirectory.isDirectory(b.dir)) }
        #expect(DBFixture.count(try dump(db)) == 120 * data.series.count)
    }

    @Test func snapshotWithHead() throws {
        let tmp = try TempDirectory(prefix: "db-snapshot")
        defer { tmp.remove() }
        let db = try DB.open(dir: tmp.path + "/db", options: DBFixture.options())
        defer { try? db.close() }
        try DBFixture.fill(db, NodeExporterData(nodes: 1), scrapes: 100)
        try db.compact()
        let want = try dump(db)
        let dirs = try db.snapshot(into: tmp.path + "/snap", withHead: true)
        #expect(dirs.count == db.blocks.count + 1)
        let copy = try DB.open(dir: tmp.path + "/snap", options: DBFixture.options())
        defer { try? copy.close() }
        #expect(HeadWALTests.same(try dump(copy), want))
    }

    @Test func cardinalityReport() throws {
        let db = try DB.open(dir: try TempDirectory(prefix: "db-card").path, options: DBFixture.options())
        defer { try? db.close(); try? DiskDirectory.removeAll(db.dir) }
        let app = db.appender()
        for i in 0 ..< 5 { try app.append(series("a", ["i": "\(i)"]), t: 1, v: 1) }
        for i in 0 ..< 2 { try app.append(series("bb", ["i": "\(i)"]), t: 2, v: 1) }
        try app.commit()
        let r = db.cardinality(limit: 2)
        #expect(r.numSeries == 7)
        #expect(r.numLabelPairs == 2 + 5)
        #expect(r.minTime == 1 && r.maxTime == 2)
        #expect(r.seriesCountByMetricName == [.init(name: "a", value: 5), .init(name: "bb", value: 2)])
        #expect(r.labelValueCountByLabelName == [.init(name: "i", value: 5), .init(name: "__name__", value: 2)])
        // Prometheus 3's SizeOfLabels: (len(name)+1 + len(value)+1) per series carrying the pair.
        #expect(r.memoryInBytesByLabelName == [.init(name: "__name__", value: 11 * 5 + 12 * 2), .init(name: "i", value: 4 * 7)])
        #expect(r.seriesCountByLabelValuePair.first == .init(name: "__name__=a", value: 5))
    }

    @Test func ulidTextRoundTripAndOrder() throws {
        var last = ULID(milliseconds: 1_700_000_000_000)
        #expect(last.milliseconds == 1_700_000_000_000)
        for _ in 0 ..< 100 {
            let next = ULID(milliseconds: 1_700_000_000_000)
            #expect(last < next)
            #expect(ULID(string: next.description) == next)
            #expect(ULID(string: next.description.lowercased()) == next)
            last = next
        }
        #expect(ULID(string: "01ARZ3NDEKTSV4RRFFQ69G5FAV")?.description == "01ARZ3NDEKTSV4RRFFQ69G5FAV")
        #expect(ULID(string: "81ARZ3NDEKTSV4RRFFQ69G5FAV") == nil)
        #expect(ULID(string: "01ARZ3NDEKTSV4RRFFQ69G5FA") == nil)
        #expect(ULID(string: "01ARZ3NDEKTSV4RRFFQ69G5FAU!") == nil)
    }
}

@Suite struct DBLabelRangeTests {
    @Test func headLabelQueriesRespectTheTimeRange() throws {
        let head = try Head.inMemory()
        let app = head.appender()
        try app.append(series("early", ["a": "1"]), t: 1000, v: 1)
        try app.append(series("late", ["b": "2"]), t: 9000, v: 1)
        try app.commit()
        let early = try head.querier(mint: 0, maxt: 5000)
        #expect(try early.labelValues("__name__", matchers: [], limit: 0) == ["early"])
        #expect(try early.labelNames(matchers: [], limit: 0) == ["__name__", "a"])
        let all = try head.querier(mint: .min, maxt: .max)
        #expect(try all.labelValues("__name__", matchers: [], limit: 0) == ["early", "late"])
        #expect(try all.labelNames(matchers: [.equal("__name__", "late")], limit: 0) == ["__name__", "b"])
        #expect(try head.querier(mint: 20_000, maxt: 30_000).labelNames(matchers: [], limit: 0).isEmpty)
    }

    @Test func backgroundCompactionRunsWithoutBlockingAppends() throws {
        let tmp = try TempDirectory(prefix: "db-background")
        defer { tmp.remove() }
        var opts = DBFixture.options()
        opts.backgroundCompaction = true
        let db = try DB.open(dir: tmp.path, options: opts)
        let data = NodeExporterData(nodes: 1)
        let n = try DBFixture.fill(db, data, scrapes: 200)
        // The last commits asked the worker to compact; wait for it (bounded).
        var waited = 0
        while db.stats.headCompactions < 3 && waited < 10_000 {
            usleep(10_000)
            waited += 10
        }
        #expect(db.stats.headCompactions >= 3)
        #expect(DBFixture.count(try dump(db)) == n)
        try db.close()
    }
}

@Suite struct DBReaderIsolationTests {
    /// A querier opened before a head compaction still sees the compacted range: the head is
    /// not truncated under it until it is closed.
    @Test func openQuerierKeepsItsDataThroughHeadCompaction() throws {
        let tmp = try TempDirectory(prefix: "db-readers")
        defer { tmp.remove() }
        let db = try DB.open(dir: tmp.path, options: DBFixture.options())
        defer { try? db.close() }
        try DBFixture.fill(db, NodeExporterData(nodes: 1), scrapes: 200)
        let want = try dump(db)
        let q = try db.querier(mint: .min, maxt: .max)
        let done = DispatchSemaphore(value: 0)
        DispatchQueue.global().async {
            try? db.compact()
            done.signal()
        }
        // Let the compaction write its first block and wait for this querier.
        var waited = 0
        while db.blocks.isEmpty && waited < 10_000 { usleep(5_000); waited += 5 }
        #expect(db.blocks.count >= 1)
        #expect(db.stats.headTruncations == 0)
        #expect(HeadWALTests.same(try dumpQuerier(q, DBFixture.all), want))
        q.close()
        done.wait()
        #expect(db.stats.headTruncations >= 3)
        #expect(HeadWALTests.same(try dump(db), want))
    }
}
