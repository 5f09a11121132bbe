import Synchronization

/// A snapshot of the DB's self-metrics (the `prometheus_tsdb_*` families), read with `DB.stats`.
package struct DBStats: Sendable, Equatable {
    // MARK: Head

    /// Series in the head.
    package var headSeries: Int = 0
    /// Series created / removed by head truncation since start.
    package var headSeriesCreated: Int = 0, headSeriesRemoved: Int = 0
    /// Chunks in the head.
    package var headChunks: Int = 0
    /// Chunks created / removed since start.
    package var headChunksCreated: Int = 0, headChunksRemoved: Int = 0
    /// Samples committed to the head (replayed ones included).
    package var headSamplesAppended: Int = 0
    /// Samples rejected as out of order.
    package var outOfOrderRejected: Int = 0
    /// Samples rejected as a duplicate timestamp with another value.
    package var duplicateRejected: Int = 0
    /// Samples rejected as older than the head accepts (out of bounds).
    package var outOfBoundsRejected: Int = 0
    /// Oldest / newest sample in the head (Int64.max / Int64.min when empty).
    package var headMinTime: Int64 = .max, headMaxTime: Int64 = .min
    /// Head truncations after a head compaction, and failed ones.
    package var headTruncations: Int = 0, headTruncationsFailed: Int = 0

    // MARK: WAL

    /// Bytes of the WAL directory (segments and checkpoint) on disk.
    package var walBytes: Int64 = 0
    /// The segment being written.
    package var walCurrentSegment: Int = 0
    /// fsync(2) calls on WAL segments and their total duration in seconds.
    package var walFsyncs: Int = 0, walFsyncSeconds: Double = 0
    /// Failed background fsyncs.
    package var walFsyncFailures: Int = 0
    /// WAL segments found damaged at start-up, and the bytes cut from them.
    package var walCorruptions: Int = 0, walDroppedBytes: Int = 0

    // MARK: Blocks

    /// Blocks loaded and their bytes on disk (chunks, index, meta, tombstones).
    package var blocks: Int = 0, blockBytes: Int64 = 0
    /// The oldest sample time in the DB (blocks or head), Int64.max when empty
    /// (`prometheus_tsdb_lowest_timestamp`).
    package var lowestTimestamp: Int64 = .max
    /// Compactions run (head → block, and block merges), failed ones, and their total seconds.
    package var compactions: Int = 0, compactionsFailed: Int = 0, compactionSeconds: Double = 0
    /// Head compactions (blocks written from the head).
    package var headCompactions: Int = 0
    /// Blocks deleted by retention time and by retention size.
    package var retentionTimeDeletions: Int = 0, retentionSizeDeletions: Int = 0
    /// Blocks found unreadable at load time (skipped, left on disk).
    package var corruptBlocks: Int = 0
    /// Reloads of the block list.
    package var reloads: Int = 0, reloadsFailed: Int = 0
}

/// The DB's own counters, updated with relaxed atomics.
final class DBMetrics: Sendable {
    let compactions = Atomic<Int>(0)
    let compactionsFailed = Atomic<Int>(0)
    let compactionNanos = Atomic<Int>(0)
    let headCompactions = Atomic<Int>(0)
    let headTruncations = Atomic<Int>(0)
    let headTruncationsFailed = Atomic<Int>(0)
    let retentionTimeDeletions = Atomic<Int>(0)
    let retentionSizeDeletions = Atomic<Int>(0)
    let corruptBlocks = Atomic<Int>(0)
    let reloads = Atomic<Int>(0)
    let reloadsFailed = Atomic<Int>(0)

    @inline(__always)
    static func add(_ a: borrowing Atomic<Int>, _ n: Int = 1) {
        a.wrappingAdd(n, ordering: .relaxed)
    }

    static func get(_ a: borrowing Atomic<Int>) -> Int { a.load(ordering: .relaxed) }
}
