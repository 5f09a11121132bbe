import Model

/// Writes samples of any age as blocks (backfill, `vigil tsdb import`): samples are buffered
/// per series in any order; `flush()` sorts them (the last sample given for a timestamp wins),
/// cuts them at multiples of the block range and writes one level-1 block per range into `dir`.
/// A DB opened on `dir` (or `DB.reloadBlocks()` on a running one) serves and compacts them
/// like any other; blocks overlapping others are merged by the next compaction.
///
/// The buffer is flushed by itself when it holds `maxBufferedSamples`; each flush writes its own
/// blocks, which compaction later merges. Blocking: run it off the cooperative pool. Not
/// `Sendable`: one thread at a time.
package final class BlockWriter {
    /// The target directory.
    package let dir: String
    /// Blocks cover aligned ranges of this length.
    package let blockRangeMs: Int64
    private let samplesPerChunk: Int
    private let compress: Bool
    private let maxBufferedSamples: Int
    private var buffer: [Labels: [Sample]] = [:]
    private var buffered = 0
    /// The blocks written so far.
    package private(set) var written: [BlockMeta] = []

    /// A writer into `dir` (created if needed).
    package init(dir: String, blockRangeMs: Int64 = 2 * 3_600_000, samplesPerChunk: Int = BlockChunkEncoder.defaultSamplesPerChunk,
                 compress: Bool = true, maxBufferedSamples: Int = 10_000_000) throws(TSDBError) {
        guard blockRangeMs > 0 else { throw .invalidOption("block range \(blockRangeMs) ms must be positive") }
        try DiskDirectory.create(dir)
        self.dir = dir
        self.blockRangeMs = blockRangeMs
        self.samplesPerChunk = samplesPerChunk
        self.compress = compress
        self.maxBufferedSamples = max(1, maxBufferedSamples)
    }

    /// Buffers one sample; labels must not be empty.
    package func add(_ labels: Labels, t: Int64, v: Double) throws(TSDBError) {
        guard !labels.isEmpty else { throw .invalidOption("a backfilled sample needs labels") }
        buffer[labels, default: []].append(Sample(t: t, v: v))
        buffered += 1
        if buffered >= maxBufferedSamples { try flush() }
    }

    /// Writes everything buffered as blocks; returns their metas.
    @discardableResult
    package func flush() throws(TSDBError) -> [BlockMeta] {
        if buffer.isEmpty { return [] }
        var series: [(Labels, [Sample])] = []
        series.reserveCapacity(buffer.count)
        var ranges = Set<Int64>()
        for (labels, samples) in buffer {
            // Stable sort by time, then keep the last sample of each timestamp.
            let sorted = samples.enumerated().sorted { $0.element.t != $1.element.t ? $0.element.t < $1.element.t : $0.offset < $1.offset }.map(\.element)
            var out: [Sample] = []
            out.reserveCapacity(sorted.count)
            for s in sorted {
                if let last = out.last, last.t == s.t { out[out.count - 1] = s } else { out.append(s) }
            }
            for s in out { ranges.insert(Compactor.alignDown(s.t, blockRangeMs)) }
            series.append((labels, out))
        }
        buffer = [:]
        buffered = 0
        series.sort { Labels.compare($0.0, $1.0) < 0 }
        var metas: [BlockMeta] = []
        for start in ranges.sorted() {
            let end = Compactor.saturatingAdd(start, blockRangeMs)
            let builder = try BlockBuilder(parentDir: dir, minTime: start, maxTime: end, compaction: nil, compress: compress)
            do throws(TSDBError) {
                for (labels, samples) in series {
                    let lo = BlockWriter.firstIndex(samples, atOrAfter: start)
                    let hi = BlockWriter.firstIndex(samples, atOrAfter: end)
                    if lo >= hi { continue }
                    var enc = BlockChunkEncoder(samplesPerChunk: samplesPerChunk, rangeMs: blockRangeMs)
                    for s in samples[lo ..< hi] { enc.append(s.t, s.v) }
                    try builder.add(labels, enc.finish())
                }
                if let meta = try builder.finish() { metas.append(meta) }
            } catch {
                builder.abort()
                throw error
            }
        }
        written += metas
        return metas
    }

    private static func firstIndex(_ samples: [Sample], atOrAfter t: Int64) -> Int {
        var lo = 0, hi = samples.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if samples[mid].t < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }
}
