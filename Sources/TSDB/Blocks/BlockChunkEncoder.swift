import Model

/// Re-encodes samples into block chunks of at most `samplesPerChunk` samples: used when
/// compaction merges overlapping series or applies tombstones, and by the backfill writer.
struct BlockChunkEncoder {
    let samplesPerChunk: Int
    private(set) var chunks: [BlockChunk] = []
    private var app = XORAppender()
    private var minT: Int64 = 0
    private var lastT: Int64 = 0

    init(samplesPerChunk: Int = 120) {
        self.samplesPerChunk = max(1, min(samplesPerChunk, XORAppender.maxSamples))
    }

    /// Appends a sample; timestamps must increase.
    mutating func append(_ t: Int64, _ v: Double) {
        if app.count >= samplesPerChunk { cut() }
        if app.count == 0 { minT = t }
        app.append(t, v)
        lastT = t
    }

    private mutating func cut() {
        guard app.count > 0 else { return }
        chunks.append(BlockChunk(minT: minT, maxT: lastT, chunk: app.finish()))
        app = XORAppender()
    }

    /// The chunks, the open one included; the encoder is empty afterwards.
    mutating func finish() -> [BlockChunk] {
        cut()
        defer { chunks = [] }
        return chunks
    }

    /// Drains `it` within `[mint, maxt]` into chunks. Errors of the iterator are returned.
    static func encode(_ it: inout some SampleIterator, mint: Int64, maxt: Int64, samplesPerChunk: Int) throws(TSDBError) -> [BlockChunk] {
        var enc = BlockChunkEncoder(samplesPerChunk: samplesPerChunk)
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
