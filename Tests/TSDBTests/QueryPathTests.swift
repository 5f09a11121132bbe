import Model
import Testing
@testable import TSDB

/// The read path's shortcuts give what the plain paths give: batch reads, chained parts, the
/// shared page cache.
@Suite struct QueryPathTests {
    /// Drains `it` with `read(into:)` in batches of `batch`.
    private func readAll(_ it: inout some SampleIterator, batch: Int) -> [Sample] {
        var out: [Sample] = []
        let buf = UnsafeMutableBufferPointer<Sample>.allocate(capacity: batch)
        defer { buf.deallocate() }
        while true {
            let n = it.read(into: buf)
            if n == 0 { break }
            out += buf[0 ..< n]
        }
        return out
    }

    private func parts(_ lists: [[Int64]]) -> [any SampleIterator] {
        lists.map { ArraySampleIterator($0.map { Sample(t: $0, v: Double($0) / 2) }) }
    }

    @Test(arguments: [1, 2, 3, 256])
    func chainReadsPartsInOrder(_ batch: Int) {
        let lists: [[Int64]] = [[1, 2, 3], [], [5, 6], [9], []]
        let want = lists.flatMap { $0 }.map { Sample(t: $0, v: Double($0) / 2) }
        var stepping = ChainSampleIterator(parts(lists))
        #expect(stepping.collect() == want)
        var batched = ChainSampleIterator(parts(lists))
        #expect(readAll(&batched, batch: batch) == want)
        // Mixed: a batch, then next(), then a batch.
        var mixed = ChainSampleIterator(parts(lists))
        let buf = UnsafeMutableBufferPointer<Sample>.allocate(capacity: 2)
        defer { buf.deallocate() }
        var got: [Sample] = []
        let n = mixed.read(into: buf)
        got += buf[0 ..< n]
        #expect(mixed.at().t == got.last?.t)
        if mixed.next() { got.append(Sample(t: mixed.at().t, v: mixed.at().v)) }
        got += readAll(&mixed, batch: 2)
        #expect(got == want)
    }

    @Test(arguments: [Int64(0), 2, 4, 6, 7, 9, 10])
    func chainSeeksLikeMerge(_ target: Int64) {
        let lists: [[Int64]] = [[1, 2, 3], [5, 6], [9]]
        var chain = ChainSampleIterator(parts(lists))
        var merge = MergedSampleIterator(parts(lists))
        let a = chain.seek(target), b = merge.seek(target)
        #expect(a == b)
        if a { #expect(chain.at().t == merge.at().t) }
        #expect(chain.collect() == merge.collect())
    }

    @Test func chainStopsAtAFailingPart() {
        var bad = encode((0 ..< 50).map { Sample(t: Int64($0) * 1000, v: Double($0)) }).bytes
        bad.removeLast(bad.count / 2)
        let its: [any SampleIterator] = [ArraySampleIterator([Sample(t: -5, v: 1)]), XORIterator(bad),
                                         ArraySampleIterator([Sample(t: 999_999, v: 1)])]
        var chain = ChainSampleIterator(its)
        let got = readAll(&chain, batch: 7)
        #expect(got.first?.t == -5)
        #expect(got.count < 50)
        #expect(!got.contains { $0.t == 999_999 })
        #expect(chain.error != nil)
    }

    @Test(arguments: [1, 5, 120])
    func headIteratorBatchesMatchStepping(_ batch: Int) {
        var rng = SplitMix64(seed: 7)
        var chunks: [ClosedChunk] = []
        var t: Int64 = 0
        for _ in 0 ..< 4 {
            var samples: [Sample] = []
            for _ in 0 ..< 100 {
                t += Int64(rng.next() % 30_000) + 1
                samples.append(Sample(t: t, v: Double(rng.next() % 1000) / 8))
            }
            chunks.append(ClosedChunk(chunk: Chunk(encode(samples)), minT: samples[0].t, maxT: samples[99].t))
        }
        let mint = chunks[0].maxT - 100_000, maxt = chunks[3].minT + 100_000
        let deleted = [chunks[1].minT ... chunks[1].minT + 200_000]
        var stepping = HeadSeriesIterator(chunks: chunks, mint: mint, maxt: maxt, deleted: deleted)
        let want = stepping.collect()
        #expect(!want.isEmpty && want.allSatisfy { $0.t >= mint && $0.t <= maxt && !deleted[0].contains($0.t) })
        var batched = HeadSeriesIterator(chunks: chunks, mint: mint, maxt: maxt, deleted: deleted)
        #expect(readAll(&batched, batch: batch) == want)
    }

    @Test func pageCacheStaysWithinItsBudgetAndKeepsUsedPages() {
        let cache = ChunkPageCache(capacityBytes: 64 << 10, shards: 1)
        let page = [UInt8](repeating: 7, count: 4 << 10)
        func key(_ i: Int) -> ChunkPageCache.Key { ChunkPageCache.Key(reader: 1, segment: 1, offset: i) }
        for i in 0 ..< 16 { cache.put(key(i), page) }
        #expect(cache.stats.bytes == 64 << 10)
        // Page 0 is used; the next insert evicts an unused page, not it.
        #expect(cache.get(key(0)) == page)
        cache.put(key(100), page)
        #expect(cache.stats.bytes <= 64 << 10)
        #expect(cache.get(key(0)) != nil)
        #expect(cache.get(key(100)) != nil)
        var held = 0
        for i in 1 ..< 16 where cache.get(key(i)) != nil { held += 1 }
        #expect(held == 14)
        // A page larger than a quarter of the budget is not kept.
        cache.put(key(200), [UInt8](repeating: 1, count: 17 << 10))
        #expect(cache.get(key(200)) == nil)
        cache.remove(reader: 1)
        #expect(cache.stats.bytes == 0)
        #expect(cache.get(key(0)) == nil)
    }
}
