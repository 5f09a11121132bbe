import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

@Suite struct BlockTests {
    /// Writes one block of 30 min of 2-node data with `BlockWriter`, and the same samples into
    /// an in-memory head to compare against.
    static func fixture(_ dir: String, compress: Bool) throws -> (Block, Head) {
        let data = NodeExporterData(nodes: 2)
        let writer = try BlockWriter(dir: dir, blockRangeMs: 86_400_000, compress: compress)
        let head = try Head.inMemory()
        let app = head.appender()
        let t0: Int64 = 1_700_006_400_000 // a day boundary: one block
        try data.generate(from: t0, scrapes: 120) { k, t, v in
            try writer.add(data.series[k].labels, t: t, v: v)
            try app.append(data.series[k].labels, t: t, v: v)
        }
        try app.commit()
        let metas = try writer.flush()
        #expect(metas.count == 1)
        let meta = try #require(metas.first)
        #expect(meta.stats.numSeries == Int64(data.series.count))
        #expect(meta.stats.numSamples == Int64(120 * data.series.count))
        return (try Block.open(dir + "/" + meta.ulid), head)
    }

    static let matcherCases: [[Matcher]] = [
        [.equal("__name__", "node_cpu_seconds_total")],
        [try! Matcher(.regexMatch, "__name__", "node_memory_.*")],
        [.equal("__name__", "node_cpu_seconds_total"), .notEqual("mode", "idle")],
        [try! Matcher(.regexMatch, "__name__", ".+"), .equal("mode", "")],
        [try! Matcher(.regexMatch, "device", "sd.|eth0")],
        [.equal("job", "node"), try! Matcher(.regexNoMatch, "mode", "idle|user")],
        [.equal("instance", "node-1.example.net:9100"), .equal("cpu", "")],
        [.equal("__name__", "nope")],
        [try! Matcher(.regexMatch, "le", "0\\.0.*|\\+Inf")],
        [.notEqual("job", "node")],
    ]

    @Test(arguments: [true, false])
    func roundTrip(compress: Bool) throws {
        let tmp = try TempDirectory(prefix: "block-roundtrip")
        defer { tmp.remove() }
        let (block, head) = try Self.fixture(tmp.path, compress: compress)
        let bq = try block.querier(mint: .min, maxt: .max)
        let hq = try head.querier(mint: .min, maxt: .max)
        for ms in Self.matcherCases {
            let got = try dumpQuerier(bq, ms), want = try dumpQuerier(hq, ms)
            #expect(HeadWALTests.same(got, want), "\(ms)")
            #expect(try bq.labelNames(matchers: ms, limit: 0) == hq.labelNames(matchers: ms, limit: 0), "\(ms)")
            #expect(try bq.labelValues("mode", matchers: ms, limit: 0) == hq.labelValues("mode", matchers: ms, limit: 0), "\(ms)")
        }
        #expect(try bq.labelNames(matchers: [], limit: 0) == hq.labelNames(matchers: [], limit: 0))
        #expect(try bq.labelValues("instance", matchers: [], limit: 1) == ["node-0.example.net:9100"])
        // A sub-range, and seeking.
        let mid = block.meta.minTime + 600_000
        let part = try block.querier(mint: mid, maxt: mid + 300_000)
        let got = try dumpQuerier(part, [.equal("__name__", "node_load1")])
        let want = try dumpQuerier(try head.querier(mint: mid, maxt: mid + 300_000), [.equal("__name__", "node_load1")])
        #expect(HeadWALTests.same(got, want))
        #expect(got.first?.1.count == 21) // both ends inclusive
        let cardinality = try block.cardinality(limit: 3)
        #expect(cardinality.numSeries == NodeExporterData(nodes: 2).series.count)
        #expect(cardinality.seriesCountByMetricName.first == .init(name: "node_cpu_seconds_total", value: 64))
    }

    /// Blocks written before index version 2 and packed chunks (canonical labels, absolute
    /// times, XOR chunks) are still read, and compaction rewrites their chunks as packed.
    @Test func versionOneBlocksStayReadable() throws {
        let tmp = try TempDirectory(prefix: "block-v1")
        defer { tmp.remove() }
        let data = NodeExporterData(nodes: 1)
        let head = try Head.inMemory()
        let app = head.appender()
        let t0: Int64 = 1_700_006_400_000
        var samples: [[Sample]] = Array(repeating: [], count: data.series.count)
        try data.generate(from: t0, scrapes: 200) { k, t, v in
            try app.append(data.series[k].labels, t: t, v: v)
            samples[k].append(Sample(t: t, v: v))
        }
        try app.commit()
        // The old layout, written by hand: XOR chunks of 120 samples, then the index rewritten
        // to version 1.
        let builder = try BlockBuilder(parentDir: tmp.path, minTime: t0, maxTime: t0 + 7_200_000, compaction: nil, compress: true)
        for (k, spec) in data.series.enumerated() {
            var chunks: [BlockChunk] = []
            var start = 0
            while start < samples[k].count {
                let part = Array(samples[k][start ..< min(start + 120, samples[k].count)])
                chunks.append(BlockChunk(minT: part[0].t, maxT: part[part.count - 1].t, chunk: Chunk(encode(part))))
                start += 120
            }
            try builder.add(spec.labels, chunks)
        }
        let meta = try #require(try builder.finish())
        let dir = tmp.path + "/" + meta.ulid
        let written = try Block.open(dir)
        let rows = try written.index.seriesRows((1 ... written.index.seriesCount).map { SeriesRef(UInt64($0)) }[...], withChunks: false)
        do {
            let db = try SQLiteDatabase(path: dir + "/index.sqlite", mode: .create)
            let update = try db.prepare("UPDATE series SET labels = ?, mint = ?, maxt = ? WHERE id = ?")
            for (i, row) in rows.enumerated() {
                try update.bind(1, blob: row.labels.bytes)
                try update.bind(2, row.minT)
                try update.bind(3, row.maxT)
                try update.bind(4, Int64(i + 1))
                try update.run()
            }
            try db.exec("DROP TABLE pair_pages; UPDATE info SET value = '1' WHERE key = 'version'; DELETE FROM info WHERE key IN ('base_time', 'pair_count');")
        }
        let old = try Block.open(dir)
        #expect(old.index.version == 1)
        let hq = try head.querier(mint: .min, maxt: .max)
        for ms in Self.matcherCases {
            #expect(HeadWALTests.same(try dumpQuerier(try old.querier(mint: .min, maxt: .max), ms), try dumpQuerier(hq, ms)), "\(ms)")
        }
        // Compaction rewrites it as version 2 with packed chunks.
        let merged = try #require(try Compactor.merge([old], into: tmp.path + "/out", samplesPerChunk: 480, rangeMs: 7_200_000, compress: true))
        #expect(merged.index.version == 2)
        var cursor = BlockCursor(merged)
        while let e = try cursor.next() { #expect(e.chunks.allSatisfy { $0.chunk.encoding == .packed }) }
        for ms in Self.matcherCases {
            #expect(HeadWALTests.same(try dumpQuerier(try merged.querier(mint: .min, maxt: .max), ms), try dumpQuerier(hq, ms)), "\(ms)")
        }
    }

    @Test func blockFilesAreWhereFormatSaysTheyAre() throws {
        let tmp = try TempDirectory(prefix: "block-layout")
        defer { tmp.remove() }
        let (block, _) = try Self.fixture(tmp.path, compress: true)
        let names = try DiskDirectory.list(block.dir).sorted()
        #expect(names == ["chunks", "index.sqlite", "meta.json"])
        #expect(try DiskDirectory.list(block.dir + "/chunks") == ["000001"])
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: block.dir + "/meta.json"))) as? [String: Any]
        #expect(meta?["ulid"] as? String == block.meta.ulid)
        #expect((meta?["stats"] as? [String: Any])?["numSamples"] as? Int == 120 * 214)
        #expect((meta?["compaction"] as? [String: Any])?["level"] as? Int == 1)
    }

    /// How a block is damaged, and whether the damage shows at open or only when reading.
    enum Damage: String, CaseIterable {
        case truncatedChunkSegment, chunkSegmentBitFlip, badChunkSegmentHeader, missingChunks
        case garbageIndex, emptyIndex, indexWithoutInfo, missingIndex
        case missingMeta, garbageMeta, metaWrongVersion, metaSeriesCountMismatch
        case garbageTombstones

        var failsAtOpen: Bool {
            switch self {
            case .truncatedChunkSegment, .chunkSegmentBitFlip: false
            default: true
            }
        }

        func apply(to dir: String) throws {
            let seg = dir + "/chunks/000001"
            func rewrite(_ path: String, _ f: (inout Data) -> Void) throws {
                var d = try Data(contentsOf: URL(fileURLWithPath: path))
                f(&d)
                try d.write(to: URL(fileURLWithPath: path))
            }
            switch self {
            case .truncatedChunkSegment: try rewrite(seg) { $0 = $0.prefix($0.count / 2) }
            case .chunkSegmentBitFlip: try rewrite(seg) { $0[$0.count / 3] ^= 0x10 }
            case .badChunkSegmentHeader: try rewrite(seg) { $0[0] = 0x00 }
            case .missingChunks: try DiskDirectory.removeAll(dir + "/chunks")
            case .garbageIndex: try Data(repeating: 0x5A, count: 8192).write(to: URL(fileURLWithPath: dir + "/index.sqlite"))
            case .emptyIndex: try Data().write(to: URL(fileURLWithPath: dir + "/index.sqlite"))
            case .indexWithoutInfo:
                let db = try SQLiteDatabase(path: dir + "/index.sqlite", mode: .create)
                try db.exec("DROP TABLE info")
            case .missingIndex: try DiskDirectory.removeAll(dir + "/index.sqlite")
            case .missingMeta: try DiskDirectory.removeAll(dir + "/meta.json")
            case .garbageMeta: try Data("{\"ulid\": 12, ".utf8).write(to: URL(fileURLWithPath: dir + "/meta.json"))
            case .metaWrongVersion:
                try rewrite(dir + "/meta.json") { d in d = Data(String(decoding: d, as: UTF8.self).replacingOccurrences(of: "\"version\" : 1", with: "\"version\" : 7").utf8) }
            case .metaSeriesCountMismatch:
                try rewrite(dir + "/meta.json") { d in d = Data(String(decoding: d, as: UTF8.self).replacingOccurrences(of: "\"numSeries\" : 214", with: "\"numSeries\" : 215").utf8) }
            case .garbageTombstones: try Data("VTMB\u{1}junkjunk".utf8).write(to: URL(fileURLWithPath: dir + "/tombstones"))
            }
        }
    }

    @Test(arguments: Damage.allCases)
    func corruptionIsAnErrorNeverACrash(_ damage: Damage) throws {
        let tmp = try TempDirectory(prefix: "block-corrupt")
        defer { tmp.remove() }
        let (block, _) = try Self.fixture(tmp.path, compress: true)
        let dir = block.dir
        try damage.apply(to: dir)
        if damage.failsAtOpen {
            do {
                _ = try Block.open(dir)
                Issue.record("\(damage): opened")
            } catch {
                #expect(error.description.contains(dir), "\(damage): \(error)")
            }
        } else {
            let b = try Block.open(dir)
            let q = try b.querier(mint: .min, maxt: .max)
            let set = q.select(DBFixture.all, hints: SelectHints())
            var sawError = set.error != nil
            while set.next() {
                var it = set.at().iterator()
                while it.next() {}
                if it.error != nil { sawError = true }
            }
            if set.error != nil { sawError = true }
            #expect(sawError, "\(damage): no error reported")
            #expect(set.error?.description.contains("block") ?? true)
        }
        // A DB on the directory skips the unreadable block (or fails queries on it) but opens.
        let db = try DB.open(dir: tmp.path, options: DBFixture.options())
        defer { try? db.close() }
        if damage.failsAtOpen {
            #expect(db.blocks.isEmpty)
            #expect(db.stats.corruptBlocks == 1)
            #expect(try dump(db).isEmpty)
        } else {
            let q = try db.querier(mint: .min, maxt: .max)
            let set = q.select(DBFixture.all, hints: SelectHints())
            while set.next() {}
            #expect(set.error != nil)
        }
    }

    @Test func chunkListAndPostingsBlobsRoundTrip() {
        let chunks: [BlockIndexSchema.ChunkRef] = [.init(minT: -5, maxT: 10, ref: 1 << 48 | 8 << 16),
                                                   .init(minT: 11, maxT: 11, ref: 1 << 48 | 8 << 16 | 300),
                                                   .init(minT: 1 << 40, maxT: 1 << 41, ref: 2 << 48 | 8 << 16)]
        var blob: [UInt8] = []
        BlockIndexSchema.encodeChunks(chunks, seriesMinT: -5, into: &blob)
        #expect(BlockIndexSchema.decodeChunks(blob, seriesMinT: -5) == chunks)
        for cut in 0 ..< blob.count { #expect(BlockIndexSchema.decodeChunks(Array(blob.prefix(cut)), seriesMinT: -5) == nil) }
        let ids: [Int64] = [1, 2, 7, 300, 70_000]
        #expect(BlockIndexSchema.decodePostings(BlockIndexSchema.encodePostings(ids)) == ids.map { SeriesRef(UInt64($0)) })
        #expect(BlockIndexSchema.decodePostings([2, 1, 0]) == nil) // not increasing
        #expect(BlockIndexSchema.decodePostings([200]) == nil)
    }
}

func dumpQuerier(_ q: any Querier, _ matchers: [Matcher]) throws -> [(Labels, [Sample])] {
    let set = q.select(matchers, hints: SelectHints())
    var out: [(Labels, [Sample])] = []
    while set.next() {
        var it = set.at().iterator()
        out.append((set.at().labels, it.collect()))
        #expect(it.error == nil)
    }
    #expect(set.error == nil)
    return out
}
