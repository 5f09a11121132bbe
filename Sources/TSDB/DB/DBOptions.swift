import Model

extension DB {
    /// Settings of a `DB`. The defaults are Prometheus' (`--storage.tsdb.*`).
    package struct Options: Sendable {
        /// The block range: the head is compacted into blocks covering this many milliseconds,
        /// aligned to multiples of it (Prometheus' `min-block-duration`), default 2 h. Head chunks
        /// are cut at the same boundaries.
        package var blockRangeMs: Int64
        /// The longest block compaction may build; 0 derives it as 10% of `retentionMs` or 31 days,
        /// whichever is smaller (Prometheus' `max-block-duration`).
        package var maxBlockDurationMs: Int64
        /// Blocks whose newest sample is this much older than the newest block's are deleted;
        /// 0 keeps data forever. Default 15 days.
        package var retentionMs: Int64
        /// When > 0, the oldest blocks are deleted while blocks plus WAL exceed this many bytes.
        package var retentionBytes: Int64
        /// The WAL's fsync policy.
        package var walSync: WAL.SyncPolicy
        /// WAL segment size in bytes.
        package var walSegmentSize: Int
        /// Out-of-order ingestion window; only 0 is supported for now (anything else fails `open`).
        package var outOfOrderTimeWindowMs: Int64
        /// Samples per head chunk before it is cut (Prometheus' 120).
        package var samplesPerChunk: Int
        /// How often the background worker looks for compaction and retention work even when no
        /// append asked for it, in milliseconds; 0 disables the timer.
        package var compactionIntervalMs: Int64
        /// Whether compaction and retention run by themselves (on the background worker). Tests
        /// turn it off and call `compact()` to make every step deterministic.
        package var backgroundCompaction: Bool
        /// Most samples in one chunk of a block (packed chunks, `Chunks/FORMAT.md`); block chunks
        /// never cross a multiple of `blockRangeMs` either.
        package var blockSamplesPerChunk: Int = BlockChunkEncoder.defaultSamplesPerChunk
        /// Whether block chunk pages are LZ4-compressed (each page only when that saves 10%;
        /// measured ~45% smaller on node_exporter-like data, see `Blocks/FORMAT.md`).
        package var compressChunks: Bool = true

        /// Prometheus' defaults: 2 h blocks, 15 d retention, no size limit, WAL fsync every second.
        package init(
            blockRangeMs: Int64 = 2 * 3_600_000,
            maxBlockDurationMs: Int64 = 0,
            retentionMs: Int64 = 15 * 86_400_000,
            retentionBytes: Int64 = 0,
            walSync: WAL.SyncPolicy = .batch(intervalMs: 1000),
            walSegmentSize: Int = 128 << 20,
            outOfOrderTimeWindowMs: Int64 = 0,
            samplesPerChunk: Int = 120,
            compactionIntervalMs: Int64 = 60_000,
            backgroundCompaction: Bool = true
        ) {
            self.blockRangeMs = blockRangeMs
            self.maxBlockDurationMs = maxBlockDurationMs
            self.retentionMs = retentionMs
            self.retentionBytes = retentionBytes
            self.walSync = walSync
            self.walSegmentSize = walSegmentSize
            self.outOfOrderTimeWindowMs = outOfOrderTimeWindowMs
            self.samplesPerChunk = samplesPerChunk
            self.compactionIntervalMs = compactionIntervalMs
            self.backgroundCompaction = backgroundCompaction
        }

        /// The longest block compaction builds (see `maxBlockDurationMs`).
        package var effectiveMaxBlockDurationMs: Int64 {
            if maxBlockDurationMs > 0 { return max(maxBlockDurationMs, blockRangeMs) }
            var m: Int64 = 31 * 86_400_000
            if retentionMs > 0 { m = min(m, retentionMs / 10) }
            return max(m, blockRangeMs)
        }

        /// The compaction levels: the block range times 3, 9, 27, ... while within
        /// `effectiveMaxBlockDurationMs` (Prometheus' `ExponentialBlockRanges(min, 10, 3)`).
        package var compactionRanges: [Int64] {
            var out = [blockRangeMs]
            let limit = effectiveMaxBlockDurationMs
            while out.count < 10, let last = out.last {
                let (next, overflow) = last.multipliedReportingOverflow(by: 3)
                if overflow || next > limit { break }
                out.append(next)
            }
            return out
        }

        func validate() throws(TSDBError) {
            guard blockRangeMs > 0 else { throw .invalidOption("block range \(blockRangeMs) ms must be positive") }
            guard retentionMs >= 0 else { throw .invalidOption("retention time \(retentionMs) ms must not be negative") }
            guard retentionBytes >= 0 else { throw .invalidOption("retention size \(retentionBytes) bytes must not be negative") }
            guard compactionIntervalMs >= 0 else { throw .invalidOption("compaction interval \(compactionIntervalMs) ms must not be negative") }
        }

        var headOptions: Head.Options {
            Head.Options(chunkRangeMs: blockRangeMs, samplesPerChunk: samplesPerChunk,
                         wal: WAL.Options(segmentSize: walSegmentSize, sync: walSync),
                         outOfOrderTimeWindowMs: outOfOrderTimeWindowMs)
        }
    }

    /// Severity of a message the DB logs through its logger callback.
    package enum LogLevel: Int, Sendable, Comparable {
        case debug = 0, info, warn, error

        /// Orders by severity.
        package static func < (a: LogLevel, b: LogLevel) -> Bool { a.rawValue < b.rawValue }
    }

    /// Receives the DB's log lines: a level, a message, and key/value context (logfmt style).
    /// Called from whatever thread did the work, never under a DB lock.
    package typealias Logger = @Sendable (LogLevel, String, [(String, String)]) -> Void
}
