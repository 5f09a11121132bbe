import Dispatch
import Model

extension Head {
    /// Replays the WAL into the head: series definitions recreate series under their recorded
    /// references, samples are appended with the commit-time rules (so a sample rejected live is
    /// rejected again), tombstones are restored.
    ///
    /// A definition whose reference does not carry its labels' stripe (written by another hash
    /// version), or whose slot is taken (a series removed before the crash could not be
    /// checkpointed away), gets a fresh reference, and later records are mapped to it; a repeated definition of the same labels maps to the first. Samples for a
    /// reference never defined are counted in `replayUnknownRefs`.
    func replay(walDir: String, onDamage: (WALDamage) -> Void) throws(TSDBError) -> WALReplayStats {
        var remap: [SeriesRef: SeriesRef] = [:]
        var maxSeq: UInt64 = 0
        var dropped = 0
        let appliers = ReplayAppliers(head: self, minValidTime: minValidTime.load(ordering: .relaxed))
        let stats: WALReplayStats
        do throws(TSDBError) {
            stats = try WAL.replay(dir: walDir, onDamage: { d in
                HeadMetrics.add(metrics.walDamagedSegments)
                HeadMetrics.add(metrics.walDroppedBytes, d.droppedBytes)
                onDamage(d)
            }) { (record: WALRecord) throws(TSDBError) in
                switch record {
                case let .series(list):
                    for rs in list { replayDefinition(rs, remap: &remap, maxSeq: &maxSeq, dropped: &dropped) }
                case var .samples(list):
                    // References are resolved here, in WAL order, so the appliers never read
                    // `remap` while it changes.
                    if !remap.isEmpty {
                        for i in list.indices { if let to = remap[list[i].ref] { list[i].ref = to } }
                    }
                    appliers.submit(list)
                case let .tombstones(list):
                    tombstones.withLock { t in
                        for ts in list {
                            let ref = remap[ts.ref] ?? ts.ref
                            t[ref, default: []].append(ts.mint ... max(ts.mint, ts.maxt))
                        }
                    }
                }
            }
        } catch {
            _ = appliers.finish()
            for stripe in stripes { stripe.state.withLock { $0.rebuildFreeSlots() } }
            throw error
        }
        let totals = appliers.finish()
        for stripe in stripes { stripe.state.withLock { $0.rebuildFreeSlots() } }
        raiseNextSeq(above: maxSeq)
        HeadMetrics.add(metrics.samplesAppended, totals.appended)
        HeadMetrics.add(metrics.chunksCreated, totals.chunks)
        HeadMetrics.add(metrics.replayUnknownRefs, totals.unknown + dropped)
        if totals.appended > 0 { noteCommitted(minT: totals.minT, maxT: totals.maxT) }
        return stats
    }

    /// Applies one replayed series definition (see `replay`).
    private func replayDefinition(_ rs: RefSeries, remap: inout [SeriesRef: SeriesRef], maxSeq: inout UInt64, dropped: inout Int) {
        let ref = rs.ref
        let hash = rs.labels.stableHash
        let seq = ref.rawValue >> Head.seqShift
        let stripe = stripes[Int(hash & Head.stripeMask)]
        let outcome = stripe.state.withLock { s -> ReplayDefinition in
            if let existing = s.lookup(hash: hash, labels: rs.labels) {
                return existing == ref ? .known : .mapTo(existing)
            }
            if ref != .none && ref.rawValue & Head.stripeMask == hash & Head.stripeMask && s.canReplay(ref) {
                s.insertReplayed(ref, hash: hash, series: MemSeries(labels: rs.labels))
                return .inserted
            }
            return .needsFreshRef
        }
        switch outcome {
        case .inserted:
            maxSeq = max(maxSeq, seq)
            remap[ref] = nil // a later definition of a reference wins
            postings.add(ref, rs.labels)
            HeadMetrics.add(metrics.seriesCreated)
        case .known:
            break
        case let .mapTo(existing):
            remap[ref] = existing
        case .needsFreshRef:
            // Keep sequence numbers above everything seen so far, then allocate; the new
            // definition is queued for the WAL like any new series.
            raiseNextSeq(above: maxSeq)
            if let created = getOrCreate(rs.labels) {
                remap[ref] = created.ref
            } else {
                dropped += 1
            }
        }
    }

    private func raiseNextSeq(above seq: UInt64) {
        var cur = nextSeq.load(ordering: .relaxed)
        while cur <= seq {
            let (exchanged, original) = nextSeq.compareExchange(expected: cur, desired: seq + 1, ordering: .relaxed)
            if exchanged { break }
            cur = original
        }
    }


    /// Folds the closed WAL segments into a checkpoint (live series, samples from `mint` on)
    /// and deletes them.
    func truncateWAL(mint: Int64) throws(TSDBError) {
        guard let wal else { return }
        let current = wal.currentSegment
        let last = current - 1
        let after = try WALCheckpoint.latest(in: wal.dir)?.index ?? -1
        let segments = try WAL.listSegments(wal.dir).filter { $0.index > after && $0.index <= last }
        guard !segments.isEmpty else { return }
        _ = try WALCheckpoint.create(walDir: wal.dir, through: last, mint: mint) { ref in
            stripe(for: ref).state.withLock { $0.contains(ref) }
        }
        try wal.removeSegments(through: last)
        try WALCheckpoint.removeOlder(than: last, in: wal.dir)
    }
}

/// What replay did with one series definition.
private enum ReplayDefinition {
    /// Created under its recorded reference.
    case inserted
    /// Already present under the same reference.
    case known
    /// The labels exist under another reference: map this one to it.
    case mapTo(SeriesRef)
    /// The recorded reference cannot be used (wrong stripe bits, or taken): allocate a new one.
    case needsFreshRef
}

/// Appends replayed samples on two worker threads. Each worker owns half of the lock stripes
/// and takes every samples record in WAL order, so the samples of one series are appended in
/// order by one thread; within a record it groups its samples by stripe, taking each stripe's
/// lock once and walking that stripe's series in creation order. The reader (the caller of
/// `submit`) decodes records and creates series meanwhile: a record is submitted only after
/// every definition before it was applied. At most `inFlight` records wait per worker.
///
/// Measured (200k series x 120 samples, 2 cores): the single-threaded loop with a lock and a
/// dictionary lookup per sample replayed 1.5-1.8 M samples/s.
final class ReplayAppliers: @unchecked Sendable {
    // @unchecked: each `Worker` is touched only by blocks on its own serial queue until
    // `finish()` has waited for that queue; the rest is immutable.
    struct Totals {
        var appended = 0, chunks = 0, unknown = 0
        var minT = Int64.max, maxT = Int64.min
    }

    private final class Worker: @unchecked Sendable {
        let queue: DispatchQueue
        let room: DispatchSemaphore
        var totals = Totals()
        /// Scratch: sample indices grouped by stripe, and the group bounds.
        var order: [Int32] = []
        var starts = [Int](repeating: 0, count: Head.stripeCount + 1)

        init(index: Int, inFlight: Int) {
            queue = DispatchQueue(label: "vigil.tsdb.replay.\(index)")
            room = DispatchSemaphore(value: inFlight)
        }
    }

    private let head: Head
    private let minValidTime: Int64
    private let workers: [Worker]

    init(head: Head, minValidTime: Int64, workers count: Int = 2, inFlight: Int = 16) {
        self.head = head
        self.minValidTime = minValidTime
        workers = (0 ..< count).map { Worker(index: $0, inFlight: inFlight) }
    }

    /// Queues a samples record for every worker (blocks while a worker is `inFlight` behind).
    func submit(_ samples: [RefSample]) {
        if samples.isEmpty { return }
        for (w, worker) in workers.enumerated() {
            worker.room.wait()
            worker.queue.async { [self] in
                apply(samples, worker: worker, index: w)
                worker.room.signal()
            }
        }
    }

    /// Waits for every queued record and returns the summed tallies.
    func finish() -> Totals {
        var t = Totals()
        for worker in workers {
            worker.queue.sync {}
            let w = worker.totals
            t.appended += w.appended
            t.chunks += w.chunks
            t.unknown += w.unknown
            t.minT = min(t.minT, w.minT)
            t.maxT = max(t.maxT, w.maxT)
        }
        return t
    }

    private func apply(_ samples: [RefSample], worker: Worker, index: Int) {
        let n = workers.count
        let range = head.options.chunkRangeMs
        let perChunk = head.options.samplesPerChunk
        let minValid = minValidTime
        // Counting sort of this worker's samples by stripe, keeping WAL order within a stripe.
        // Taken out of the worker while used, so the arrays stay uniquely referenced (no copy).
        var starts = worker.starts
        var order = worker.order
        worker.starts = []
        worker.order = []
        defer {
            worker.order = order
            worker.starts = starts
        }
        for i in starts.indices { starts[i] = 0 }
        for s in samples {
            let stripe = Int(s.ref.rawValue & Head.stripeMask)
            if stripe % n == index { starts[stripe + 1] += 1 }
        }
        for i in 1 ... Head.stripeCount { starts[i] += starts[i - 1] }
        let mine = starts[Head.stripeCount]
        if mine == 0 { return }
        if order.count < mine { order = [Int32](repeating: 0, count: mine) }
        var fill = starts
        for (i, s) in samples.enumerated() {
            let stripe = Int(s.ref.rawValue & Head.stripeMask)
            if stripe % n == index {
                order[fill[stripe]] = Int32(truncatingIfNeeded: i)
                fill[stripe] += 1
            }
        }
        var t = worker.totals
        for stripe in stride(from: index, to: Head.stripeCount, by: n) where starts[stripe] < starts[stripe + 1] {
            head.stripes[stripe].state.withLock { st in
                for k in starts[stripe] ..< starts[stripe + 1] {
                    let rs = samples[Int(order[k])]
                    if rs.t < minValid { continue }
                    guard let slot = st.slot(rs.ref) else {
                        t.unknown += 1
                        continue
                    }
                    switch st.slots[slot].replay(t: rs.t, v: rs.v, chunkRange: range, samplesPerChunk: perChunk) {
                    case let .appended(newChunk):
                        if newChunk { t.chunks += 1 }
                        t.appended += 1
                        if rs.t < t.minT { t.minT = rs.t }
                        if rs.t > t.maxT { t.maxT = rs.t }
                    case .duplicate, .rejected: break
                    }
                }
            }
        }
        worker.totals = t
    }
}
