import Model

/// Block compaction: which blocks to merge (Prometheus' `LeveledCompactor.plan`) and the merge
/// itself (k-way by labels, overlapping samples de-duplicated, tombstones applied).
enum Compactor {
    /// `t` rounded down to a multiple of `range` (floor, also for negative times).
    static func alignDown(_ t: Int64, _ range: Int64) -> Int64 {
        guard range > 0 else { return t }
        var q = t / range
        if t % range != 0 && t < 0 { q -= 1 }
        let (r, overflow) = q.multipliedReportingOverflow(by: range)
        return overflow ? Int64.min : r
    }

    /// `a + b`, saturating at `Int64.max` (range ends near the end of time).
    static func saturatingAdd(_ a: Int64, _ b: Int64) -> Int64 {
        let (r, overflow) = a.addingReportingOverflow(b)
        return overflow ? (b > 0 ? Int64.max : Int64.min) : r
    }

    /// The next group of blocks to merge, or nil:
    /// 1. blocks whose time ranges overlap (backfill, or data written twice), merged vertically;
    /// 2. otherwise, leaving out the newest block (a window to back it up before it changes),
    ///    for each range of `ranges[1...]`, the first aligned run of two or more blocks that
    ///    fills the range or lies entirely before the newest remaining block.
    static func plan(_ blocks: [Block], ranges: [Int64]) -> [Block]? {
        let sorted = DB.sortBlocks(blocks)
        if let overlapping = firstOverlap(sorted) { return overlapping }
        guard sorted.count >= 2, ranges.count >= 2 else { return nil }
        let candidates = Array(sorted.dropLast())
        guard let highTime = candidates.last?.meta.minTime else { return nil }
        for range in ranges.dropFirst() {
            for group in split(candidates, by: range) where group.count > 1 {
                guard let first = group.first, let last = group.last else { continue }
                let mint = first.meta.minTime, maxt = last.meta.maxTime
                if maxt - mint == range || maxt <= highTime { return group }
            }
        }
        return nil
    }

    static func firstOverlap(_ sorted: [Block]) -> [Block]? {
        var i = 0
        while i < sorted.count {
            var group = [sorted[i]]
            var end = sorted[i].meta.maxTime
            var j = i + 1
            while j < sorted.count && sorted[j].meta.minTime < end {
                group.append(sorted[j])
                end = max(end, sorted[j].meta.maxTime)
                j += 1
            }
            if group.count > 1 { return group }
            i = j
        }
        return nil
    }

    /// Groups of consecutive blocks inside one aligned window of `range` (blocks that do not fit
    /// a window are skipped), as Prometheus' `splitByRange`.
    static func split(_ sorted: [Block], by range: Int64) -> [[Block]] {
        var out: [[Block]] = []
        var i = 0
        while i < sorted.count {
            let t0 = alignDown(sorted[i].meta.minTime, range)
            if sorted[i].meta.maxTime > saturatingAdd(t0, range) {
                i += 1
                continue
            }
            var group: [Block] = []
            while i < sorted.count && sorted[i].meta.minTime >= t0 && sorted[i].meta.maxTime <= saturatingAdd(t0, range) {
                group.append(sorted[i])
                i += 1
            }
            out.append(group)
        }
        return out
    }

    /// Writes one block holding every sample of `blocks` except deleted ones; nil when nothing
    /// is left. Series present in one block only, without tombstones, keep their chunks as
    /// they are; the others are decoded, merged and re-encoded.
    static func merge(_ blocks: [Block], into dir: String, samplesPerChunk: Int, rangeMs: Int64, compress: Bool) throws(TSDBError) -> Block? {
        guard let first = blocks.first else { return nil }
        let mint = blocks.map(\.meta.minTime).min() ?? first.meta.minTime
        let maxt = blocks.map(\.meta.maxTime).max() ?? first.meta.maxTime
        var sources: [String] = []
        for b in blocks { for s in b.meta.compaction.sources where !sources.contains(s) { sources.append(s) } }
        let compaction = BlockMeta.Compaction(
            level: (blocks.map(\.meta.compaction.level).max() ?? 1) + 1,
            sources: sources.sorted(),
            parents: blocks.map { .init(ulid: $0.meta.ulid, minTime: $0.meta.minTime, maxTime: $0.meta.maxTime) })
        let builder = try BlockBuilder(parentDir: dir, minTime: mint, maxTime: maxt, compaction: compaction, compress: compress)
        do throws(TSDBError) {
            var cursors = blocks.map { BlockCursor($0) }
            var heads: [BlockCursor.Entry?] = []
            for i in cursors.indices { heads.append(try cursors[i].next()) }
            while true {
                var smallest: Labels?
                for case let e? in heads where smallest.map({ Labels.compare(e.labels, $0) < 0 }) ?? true { smallest = e.labels }
                guard let labels = smallest else { break }
                var parts: [BlockCursor.Entry] = []
                for i in heads.indices {
                    if let e = heads[i], e.labels == labels {
                        parts.append(e)
                        heads[i] = try cursors[i].next()
                    }
                }
                try builder.add(labels, try mergeChunks(parts, samplesPerChunk: samplesPerChunk, rangeMs: rangeMs))
            }
            guard try builder.finish() != nil else { return nil }
        } catch {
            builder.abort()
            throw error
        }
        return try Block.open(builder.finalDir)
    }

    private static func mergeChunks(_ parts: [BlockCursor.Entry], samplesPerChunk: Int, rangeMs: Int64) throws(TSDBError) -> [BlockChunk] {
        if parts.count == 1, let p = parts.first {
            let untouched = p.deleted.allSatisfy { d in !p.chunks.contains { $0.minT <= d.upperBound && $0.maxT >= d.lowerBound } }
            // XOR chunks (blocks written before packed chunks existed) are re-encoded.
            if untouched && p.chunks.allSatisfy({ $0.chunk.encoding == .packed }) { return p.chunks }
        }
        let its: [any SampleIterator] = parts.map { p in
            HeadSeriesIterator(chunks: p.chunks.map { ClosedChunk(chunk: $0.chunk, minT: $0.minT, maxT: $0.maxT) },
                               mint: .min, maxt: .max, deleted: p.deleted)
        }
        var merged = MergedSampleIterator(its)
        return try BlockChunkEncoder.encode(&merged, mint: .min, maxt: .max, samplesPerChunk: samplesPerChunk, rangeMs: rangeMs)
    }
}

/// Walks a block's series in label order with their chunks loaded (compaction input).
struct BlockCursor {
    struct Entry {
        var labels: Labels
        var chunks: [BlockChunk]
        var deleted: [ClosedRange<Int64>]
    }

    let block: Block
    private var id = 0
    private var cache = ChunkSegmentReader.PageCache(shared: false)
    private let deleted: BlockTombstones.Ranges

    init(_ block: Block) {
        self.block = block
        deleted = block.tombstones.withLock { $0 }
    }

    /// The next series, or nil at the end.
    mutating func next() throws(TSDBError) -> Entry? {
        guard id < block.index.seriesCount else { return nil }
        id += 1
        let ref = SeriesRef(UInt64(id))
        let row = try block.index.series(ref)
        var list: [BlockChunk] = []
        list.reserveCapacity(row.chunks.count)
        for c in row.chunks {
            list.append(BlockChunk(minT: c.minT, maxT: c.maxT, chunk: try block.chunks.chunk(c.ref, cache: &cache)))
        }
        return Entry(labels: row.labels, chunks: list, deleted: deleted[ref] ?? [])
    }
}
