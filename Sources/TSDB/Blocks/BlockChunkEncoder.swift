import Model

/// Encodes samples into packed block chunks (`PackedChunk`) of at most `samplesPerChunk`
/// samples that never cross a multiple of `rangeMs` (the block range: a chunk of a 2 h block
/// stays whole when blocks are merged). Used when the head is written as a block, when
/// compaction merges overlapping series or applies tombstones, and by the backfill writer.
struct BlockChunkEncoder {
    /// Samples per block chunk unless told otherwise (see `DB.Options.blockSamplesPerChunk`).
    static let defaultSamplesPerChunk = 480

    let samplesPerChunk: Int
    let rangeMs: Int64
    private(set) var chunks: [BlockChunk] = []
    private var ts: [Int64] = []
    private var vs: [Double] = []
    private var nextAt = Int64.max

    init(samplesPerChunk: Int = BlockChunkEncoder.defaultSamplesPerChunk, rangeMs: Int64 = 0) {
        self.samplesPerChunk = max(1, min(samplesPerChunk, Int(UInt16.max)))
        self.rangeMs = rangeMs
    }

    /// Appends a sample; timestamps must increase.
    mutating func append(_ t: Int64, _ v: Double) {
        if ts.count >= samplesPerChunk || (!ts.isEmpty && t >= nextAt) { cut() }
        if ts.isEmpty { nextAt = rangeMs > 0 ? MemSeries.rangeEnd(t, rangeMs) : .max }
        ts.append(t)
        vs.append(v)
    }

    private mutating func cut() {
        guard let first = ts.first, let last = ts.last else { return }
        chunks.append(BlockChunk(minT: first, maxT: last, chunk: Chunk(encoding: .packed, bytes: PackedChunk.encode(timestamps: ts, values: vs))))
        ts.removeAll(keepingCapacity: true)
        vs.removeAll(keepingCapacity: true)
    }

    /// The chunks, the open one included; the encoder is empty afterwards.
    mutating func finish() -> [BlockChunk] {
        cut()
        defer { chunks = [] }
        return chunks
    }

    /// Drains `it` within `[mint, maxt]` into chunks. Errors of the iterator are returned.
    static func encode(_ it: inout some SampleIterator, mint: Int64, maxt: Int64, samplesPerChunk: Int, rangeMs: Int64) throws(TSDBError) -> [BlockChunk] {
        var enc = BlockChunkEncoder(samplesPerChunk: samplesPerChunk, rangeMs: rangeMs)
        var ok = it.seek(mint)
        while ok {
            let (t, v) = it.at()
            if t > maxt { break }
            enc.append(t, v)
            ok = it.next()
        }
        if let e = it.error { throw .blockCorrupt(path: "", reason: "while re-encoding: \(e.description)") }
        return enc.finish()
    }
}
