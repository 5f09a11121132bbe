import Glibc
import Model
import Synchronization

/// The in-memory, writable part of the TSDB: recent samples of every series in XOR chunks,
/// an inverted index over their labels, and the WAL that makes them survive a restart.
///
/// - Series live in `stripeCount` lock stripes (see `SeriesStripe`); references are
///   `sequence << 30 | slot << 6 | (labels hash & 63)`: increasing in creation order, never
///   reused, and carrying their stripe and their place in it.
/// - `appender()` batches samples; `commit()` writes them to the WAL, then makes them visible.
/// - `querier(mint:maxt:)` selects series through the index and iterates their chunks.
/// - `truncate(mint:)` drops chunks older than `mint`, removes empty series, checkpoints the WAL.
package final class Head: Queryable, Sendable {
    /// Head settings.
    package struct Options: Sendable {
        /// Chunks are cut at multiples of this range (the block range), default 2 h.
        package var chunkRangeMs: Int64
        /// Chunks are cut after this many samples (Prometheus' 120).
        package var samplesPerChunk: Int
        /// The WAL settings (used when the head has a directory).
        package var wal: WAL.Options
        /// Out-of-order ingestion window; only 0 is supported for now.
        package var outOfOrderTimeWindowMs: Int64

        /// Prometheus' defaults.
        package init(chunkRangeMs: Int64 = 2 * 3600 * 1000, samplesPerChunk: Int = 120,
                     wal: WAL.Options = WAL.Options(), outOfOrderTimeWindowMs: Int64 = 0) {
            self.chunkRangeMs = chunkRangeMs
            self.samplesPerChunk = samplesPerChunk
            self.wal = wal
            self.outOfOrderTimeWindowMs = outOfOrderTimeWindowMs
        }
    }

    /// Number of lock stripes; fixed, because references carry their stripe in the low bits.
    package static let stripeCount = 64
    static let stripeBits: UInt64 = 6
    static let stripeMask: UInt64 = 63
    /// A reference's slot bits (above the stripe bits) and sequence bits (above those).
    static let slotMask: UInt64 = (1 << 24) - 1
    static let seqShift: UInt64 = 30
    /// The largest sequence number (17 billion series created over the WAL's life).
    static let maxSeq: UInt64 = (1 << 34) - 1

    /// The settings.
    package let options: Options
    /// The WAL, when the head has a directory.
    package let wal: WAL?
    let stripes: [SeriesStripe]
    let postings = MemPostings()
    let metrics = HeadMetrics()
    /// The next series sequence number (the reference's high bits, `seqShift`).
    let nextSeq = Atomic<UInt64>(1)
    /// Samples older than this are rejected as out of bounds (raised by `truncate`).
    let minValidTime = Atomic<Int64>(Int64.min)
    /// The oldest and newest committed timestamps (Int64.max / Int64.min when empty).
    let minTimeAtomic = Atomic<Int64>(Int64.max)
    let maxTimeAtomic = Atomic<Int64>(Int64.min)
    let tombstones = Mutex<[SeriesRef: [ClosedRange<Int64>]]>([:])
    let closedFlag = Atomic<Bool>(false)
    /// The oldest buffered sample of each appender batch not yet committed or rolled back, so
    /// head compaction can wait for batches that still write into the range it compacts.
    let pendingBatches = Mutex<[ObjectIdentifier: Int64]>([:])

    init(options: Options, wal: WAL?) {
        self.options = options
        self.wal = wal
        stripes = (0 ..< Head.stripeCount).map { _ in SeriesStripe() }
    }

    /// A head without a directory: nothing survives the process (tests, scratch use).
    package static func inMemory(options: Options = Options()) throws(TSDBError) -> Head {
        try validate(options)
        return Head(options: options, wal: nil)
    }

    /// Opens the head stored in `dir`: replays `dir/wal` (checkpoint, then segments; damaged
    /// tails are cut, reported to `onDamage` and counted, never fatal), then starts a new WAL
    /// segment for writing.
    ///
    /// `minValidTime` is where the head starts (the end of the newest block, when the DB has
    /// blocks): replayed samples older than it are skipped, because they were compacted into a
    /// block before the process stopped, and appends older than it are rejected as out of bounds.
    package static func open(
        dir: String,
        options: Options = Options(),
        minValidTime: Int64 = Int64.min,
        onDamage: (WALDamage) -> Void = { _ in }
    ) throws(TSDBError) -> (head: Head, replay: WALReplayStats) {
        try validate(options)
        let walDir = dir + "/wal"
        let wal = try WAL.open(dir: walDir, options: options.wal)
        let head = Head(options: options, wal: wal)
        head.minValidTime.store(minValidTime, ordering: .relaxed)
        let stats = try head.replay(walDir: walDir, onDamage: onDamage)
        return (head, stats)
    }

    private static func validate(_ options: Options) throws(TSDBError) {
        // TODO(tsdb): out-of-order ingestion (a second, out-of-order chunk per series and WAL
        // records for it). Until then a window is refused at start rather than silently ignored.
        guard options.outOfOrderTimeWindowMs == 0 else {
            throw .invalidOption("out_of_order_time_window \(options.outOfOrderTimeWindowMs) ms: out-of-order ingestion is not supported yet")
        }
        guard options.chunkRangeMs > 0 else { throw .invalidOption("chunk range \(options.chunkRangeMs) ms must be positive") }
        guard options.samplesPerChunk > 0 && options.samplesPerChunk <= XORAppender.maxSamples else {
            throw .invalidOption("samples per chunk \(options.samplesPerChunk) must be in 1...\(XORAppender.maxSamples)")
        }
    }

    // MARK: Series registry

    @inline(__always)
    func stripe(for ref: SeriesRef) -> SeriesStripe {
        stripes[Int(ref.rawValue & Head.stripeMask)]
    }

    /// The series with these labels, created (and queued for the WAL) when new; nil when the
    /// head is full (over a billion series, or a trillion created since the WAL began).
    func getOrCreate(_ labels: Labels) -> (ref: SeriesRef, created: Bool)? {
        let hash = labels.stableHash
        let stripe = stripes[Int(hash & Head.stripeMask)]
        let result = stripe.state.withLock { s -> (SeriesRef, Bool)? in
            if let ref = s.lookup(hash: hash, labels: labels) { return (ref, false) }
            guard let slot = s.nextSlot() else { return nil }
            let seq = nextSeq.wrappingAdd(1, ordering: .relaxed).oldValue
            guard seq <= Head.maxSeq else { return nil }
            let ref = SeriesRef(seq << Head.seqShift | UInt64(slot) << Head.stripeBits | hash & Head.stripeMask)
            s.insert(ref, hash: hash, series: MemSeries(labels: labels))
            // Queued under the stripe lock: no appender can see the reference before its
            // definition is queued, so no sample reaches the WAL ahead of its series.
            wal?.enqueue(RefSeries(ref: ref, labels: labels))
            return (ref, true)
        }
        if let result, result.1 {
            postings.add(result.0, labels)
            HeadMetrics.add(metrics.seriesCreated)
        }
        return result
    }

    /// What appending a new series to a full head fails with.
    static let fullError = StorageError.io("head series limit reached (\(Head.slotMask + 1) series per stripe, \(Head.maxSeq) created)")

    /// The labels of a series, if it exists.
    package func labels(of ref: SeriesRef) -> Labels? {
        stripe(for: ref).state.withLock { $0.get(ref)?.labels }
    }

    // MARK: State

    /// Counters for self-monitoring.
    package var stats: HeadStats { metrics.snapshot }

    /// The oldest committed timestamp still in the head (Int64.max when empty).
    package var minTime: Int64 { minTimeAtomic.load(ordering: .relaxed) }

    /// The newest committed timestamp (Int64.min when empty).
    package var maxTime: Int64 { maxTimeAtomic.load(ordering: .relaxed) }

    /// Samples older than this are rejected as out of bounds.
    package var minValidTimestamp: Int64 { minValidTime.load(ordering: .relaxed) }

    /// The lower bound for appends (Prometheus' `appendableMinValidTime`): `minValidTimestamp`,
    /// raised to half a chunk range behind the newest sample. The DB compacts a range only once
    /// the head spans 1.5 ranges, so a range being compacted is already closed to appends.
    var appendableMinValidTime: Int64 {
        let floor = minValidTime.load(ordering: .relaxed)
        let newest = maxTimeAtomic.load(ordering: .relaxed)
        if newest == Int64.min { return floor }
        let (bound, overflow) = newest.subtractingReportingOverflow(options.chunkRangeMs / 2)
        return overflow ? floor : max(floor, bound)
    }

    /// Waits until no uncommitted appender batch holds a sample older than `maxt`, or until
    /// `timeoutMs` passed; returns false on timeout. Blocking: call it off the cooperative pool.
    func waitForPendingAppends(below maxt: Int64, timeoutMs: Int = 10_000) -> Bool {
        var waited = 0
        while pendingBatches.withLock({ $0.values.contains { $0 < maxt } }) {
            if waited >= timeoutMs { return false }
            usleep(5_000)
            waited += 5
        }
        return true
    }

    func noteCommitted(minT: Int64, maxT: Int64) {
        var cur = minTimeAtomic.load(ordering: .relaxed)
        while minT < cur {
            let (exchanged, original) = minTimeAtomic.compareExchange(expected: cur, desired: minT, ordering: .relaxed)
            if exchanged { break }
            cur = original
        }
        cur = maxTimeAtomic.load(ordering: .relaxed)
        while maxT > cur {
            let (exchanged, original) = maxTimeAtomic.compareExchange(expected: cur, desired: maxT, ordering: .relaxed)
            if exchanged { break }
            cur = original
        }
    }

    /// Flushes and closes the WAL. Appenders fail with `.closed` afterwards; queriers keep working.
    package func close() throws(TSDBError) {
        if closedFlag.exchange(true, ordering: .relaxed) { return }
        try wal?.close()
    }

    // MARK: Deletion and truncation

    /// Deletes samples in `[mint, maxt]` of the series matching `matchers`: a tombstone record
    /// goes to the WAL, and queries skip the range from then on.
    package func delete(mint: Int64, maxt: Int64, matchers: [Matcher]) throws(TSDBError) {
        let refs = postings.select(matchers)
        if refs.isEmpty { return }
        let stones = refs.map { Tombstone(ref: $0, mint: mint, maxt: maxt) }
        if let wal {
            var frames: [UInt8] = []
            WALCodec.appendTombstones(stones, to: &frames)
            try wal.log(frames)
        }
        tombstones.withLock { t in
            for s in stones { t[s.ref, default: []].append(s.mint ... s.maxt) }
        }
    }

    /// Drops everything older than `mint`: finished chunks ending before it, and series with no
    /// sample at or after it, or none at all (unless an appender holds samples for them). Appends older than
    /// `mint` are rejected from now on. Then the closed WAL segments are folded into a checkpoint
    /// keeping the remaining series and their samples from `mint` on, and deleted.
    package func truncate(mint: Int64) throws(TSDBError) {
        var cur = minValidTime.load(ordering: .relaxed)
        while mint > cur {
            let (exchanged, original) = minValidTime.compareExchange(expected: cur, desired: mint, ordering: .relaxed)
            if exchanged { break }
            cur = original
        }
        var removed: [(SeriesRef, Labels)] = []
        var droppedChunks = 0
        var newMin = Int64.max
        for stripe in stripes {
            stripe.state.withLock { s in
                var gone: [(SeriesRef, Labels)] = []
                for i in s.slots.indices where s.slots[i].ref != .none {
                    droppedChunks += s.slots[i].dropChunks(before: mint)
                    let series = s.slots[i]
                    let ref = series.ref
                    // Series without samples (created by a batch that was rolled back) go too;
                    // an appender that still holds the reference falls back to its labels.
                    if series.pendingCommits == 0 && (series.isEmpty || series.maxT < mint) {
                        droppedChunks += (series.isEmpty ? 0 : 1) + series.closed.count
                        gone.append((ref, series.labels))
                        continue
                    }
                    if !series.isEmpty { newMin = min(newMin, series.minT) }
                }
                for (ref, labels) in gone { s.remove(ref, hash: labels.stableHash) }
                removed += gone
            }
        }
        postings.delete(removed)
        HeadMetrics.add(metrics.seriesRemoved, removed.count)
        HeadMetrics.add(metrics.chunksRemoved, droppedChunks)
        minTimeAtomic.store(newMin, ordering: .relaxed)
        let removedSet = Set(removed.map(\.0))
        tombstones.withLock { t in
            for ref in removedSet { t[ref] = nil }
            for (ref, ranges) in t {
                let kept = ranges.filter { $0.upperBound >= mint }
                t[ref] = kept.isEmpty ? nil : kept
            }
        }
        try truncateWAL(mint: mint)
    }
}
