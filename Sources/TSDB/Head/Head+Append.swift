import Model

extension Head {
    /// A new appender. Appenders are cheap; keep one per scrape loop and reuse it across batches.
    package func appender() -> HeadAppender { HeadAppender(head: self) }
}

/// Batches samples for the head (`Appender`).
///
/// `append` resolves the series (creating it when new), checks the sample against what is
/// committed (Prometheus' rules: out of order, duplicate timestamp, out of bounds) and buffers
/// it. `commit` writes one samples record to the WAL, then appends every buffered sample to its
/// series; a sample that lost a race with another batch (now out of order) is dropped and counted,
/// in the same way replay will treat it. Used by one task at a time.
package final class HeadAppender: Appender {
    private let head: Head
    private var samples: [RefSample] = []
    /// The stripe slot of each buffered sample's series: commit appends there without a lookup
    /// (the pending count keeps the series, and so its slot, in place until then).
    private var sampleSlots: [Int32] = []
    private var frames: [UInt8] = []
    /// The oldest buffered sample (registered in `head.pendingBatches` while the batch is open).
    private var batchMinT = Int64.max

    init(head: Head) { self.head = head }

    /// Buffers one sample; see `Appender.append`.
    package func append(ref: SeriesRef, labels: Labels, t: Int64, v: Double) throws(StorageError) -> SeriesRef {
        if head.closedFlag.load(ordering: .relaxed) { throw .closed }
        let minValid = head.appendableMinValidTime
        var resolved = ref
        var checked = ref == .none ? nil : check(ref, t, v, minValid)
        if checked == nil {
            guard !labels.isEmpty else { throw ref == .none ? .emptyLabels : .unknownSeriesRef(ref) }
            guard let created = head.getOrCreate(labels) else { throw Head.fullError }
            resolved = created.ref
            checked = check(resolved, t, v, minValid)
        }
        if checked == nil {
            // The series was garbage-collected between creation and the check: a truncation
            // raced with this append. Create it again.
            guard let created = head.getOrCreate(labels) else { throw Head.fullError }
            resolved = created.ref
            checked = check(resolved, t, v, minValid)
            guard checked?.0 == .append else { throw .outOfBounds(t: t, minValid: minValid) }
        }
        guard let (verdict, slot) = checked else { throw .outOfBounds(t: t, minValid: minValid) }
        switch verdict {
        case .append:
            samples.append(RefSample(ref: resolved, t: t, v: v))
            sampleSlots.append(slot)
            noteBuffered(t)
        case .duplicate:
            HeadMetrics.add(head.metrics.duplicatesIgnored)
        case let .reject(error):
            head.metrics.count(error.kind)
            throw error
        }
        return resolved
    }

    /// Scratch space of `append(batch:)`: sample indices grouped by stripe, and their slots.
    private var batchOrder: [Int32] = []
    private var batchSlots: [Int32] = []
    private var stripeStarts = [Int](repeating: 0, count: Head.stripeCount + 1)

    /// Appends samples of known series: groups them by stripe, then per stripe takes the lock
    /// once and looks up every series before checking any, so the cache misses of one stripe's
    /// lookups (and then of its series) overlap instead of following one another.
    package func append(batch: inout AppendBatch) {
        let n = batch.count
        batch.errors.removeAll(keepingCapacity: true)
        batch.errors.append(contentsOf: repeatElement(nil, count: n))
        if head.closedFlag.load(ordering: .relaxed) {
            for i in 0 ..< n { batch.errors[i] = .closed }
            return
        }
        let minValid = head.appendableMinValidTime
        // Counting sort of the sample indices by stripe.
        for k in stripeStarts.indices { stripeStarts[k] = 0 }
        for ref in batch.refs { stripeStarts[Int(ref.rawValue & Head.stripeMask) + 1] += 1 }
        for k in 1 ..< stripeStarts.count { stripeStarts[k] += stripeStarts[k - 1] }
        batchOrder.removeAll(keepingCapacity: true)
        batchOrder.append(contentsOf: repeatElement(0, count: n))
        var fill = stripeStarts
        for (i, ref) in batch.refs.enumerated() {
            let s = Int(ref.rawValue & Head.stripeMask)
            batchOrder[fill[s]] = Int32(i)
            fill[s] += 1
        }
        batchSlots.removeAll(keepingCapacity: true)
        batchSlots.append(contentsOf: repeatElement(-1, count: n))
        // Accepted samples are gathered here (as indices) and moved into `samples` at the end.
        var accepted = [Int32](repeating: 0, count: n)
        var acceptedSlots = [Int32](repeating: 0, count: n)
        var acceptedCount = 0
        var oldest = Int64.max
        var duplicates = 0
        let stripes = head.stripes
        let starts = stripeStarts
        batch.refs.withUnsafeBufferPointer { refs in
        batch.ts.withUnsafeBufferPointer { ts in
        batch.vs.withUnsafeBufferPointer { vs in
        batch.errors.withUnsafeMutableBufferPointer { errors in
        batchOrder.withUnsafeBufferPointer { order in
        batchSlots.withUnsafeMutableBufferPointer { slots in
        accepted.withUnsafeMutableBufferPointer { accepted in
        acceptedSlots.withUnsafeMutableBufferPointer { acceptedSlots in
            for stripeIndex in 0 ..< Head.stripeCount {
                let lo = starts[stripeIndex], hi = starts[stripeIndex + 1]
                if lo == hi { continue }
                stripes[stripeIndex].state.withLock { s in
                    for k in lo ..< hi { slots[k] = s.slot(refs[Int(order[k])]).map { Int32($0) } ?? -1 }
                    for k in lo ..< hi {
                        let i = Int(order[k])
                        let slot = slots[k]
                        guard slot >= 0 else {
                            errors[i] = .unknownSeriesRef(refs[i])
                            continue
                        }
                        let t = ts[i]
                        switch s.slots[Int(slot)].admit(t: t, v: vs[i], minValidTime: minValid) {
                        case .append:
                            accepted[acceptedCount] = Int32(i)
                            acceptedSlots[acceptedCount] = slot
                            acceptedCount += 1
                            if t < oldest { oldest = t }
                        case .duplicate:
                            duplicates += 1
                        case let .reject(error):
                            errors[i] = error
                        }
                    }
                }
            }
        }
        }
        }
        }
        }
        }
        }
        }
        samples.reserveCapacity(samples.count + acceptedCount)
        sampleSlots.reserveCapacity(sampleSlots.count + acceptedCount)
        for k in 0 ..< acceptedCount {
            let i = Int(accepted[k])
            samples.append(RefSample(ref: batch.refs[i], t: batch.ts[i], v: batch.vs[i]))
        }
        sampleSlots.append(contentsOf: acceptedSlots[0 ..< acceptedCount])
        for case let e? in batch.errors { head.metrics.count(e.kind) }
        if duplicates > 0 { HeadMetrics.add(head.metrics.duplicatesIgnored, duplicates) }
        if oldest != .max { noteBuffered(oldest) }
    }

    private func noteBuffered(_ t: Int64) {
        guard t < batchMinT else { return }
        batchMinT = t
        let id = ObjectIdentifier(self)
        head.pendingBatches.withLock { $0[id] = t }
    }

    private func endBatch() {
        guard batchMinT != Int64.max else { return }
        batchMinT = Int64.max
        let id = ObjectIdentifier(self)
        head.pendingBatches.withLock { $0[id] = nil }
    }

    deinit { endBatch() }

    /// The series' verdict and slot, counting the sample as pending when accepted; nil if no
    /// such series.
    private func check(_ ref: SeriesRef, _ t: Int64, _ v: Double, _ minValid: Int64) -> (AppendVerdict, Int32)? {
        head.stripe(for: ref).state.withLock { s in
            s.updateWithSlot(ref) { $0.admit(t: t, v: v, minValidTime: minValid) }
        }
    }

    /// Samples buffered and not yet committed.
    package var pendingCount: Int { samples.count }

    /// Logs the batch to the WAL, then makes it visible. On a WAL failure the batch is rolled
    /// back and the error returned: nothing of it is visible, and nothing was acknowledged.
    package func commit() throws(StorageError) {
        if samples.isEmpty { return }
        if let wal = head.wal {
            frames.removeAll(keepingCapacity: true)
            WALCodec.appendSamples(samples, to: &frames)
            do throws(TSDBError) {
                try wal.log(frames)
            } catch {
                try? rollback()
                throw error.storageError
            }
        }
        let range = head.options.chunkRangeMs
        let perChunk = head.options.samplesPerChunk
        var appended = 0, chunks = 0
        var minT = Int64.max, maxT = Int64.min
        var duplicates = 0
        var rejected: [StorageErrorKind] = []
        samples.withUnsafeBufferPointer { samples in
            sampleSlots.withUnsafeBufferPointer { slots in
                // Runs of samples in one stripe (a batch arrives grouped by stripe) share one
                // lock.
                var k = 0
                while k < samples.count {
                    let stripe = samples[k].ref.rawValue & Head.stripeMask
                    var end = k + 1
                    while end < samples.count && samples[end].ref.rawValue & Head.stripeMask == stripe { end += 1 }
                    head.stripes[Int(stripe)].state.withLock { st in
                        for j in k ..< end {
                            let s = samples[j]
                            switch st.update(slot: slots[j], { $0.commit(t: s.t, v: s.v, chunkRange: range, samplesPerChunk: perChunk) }) {
                            case let .appended(newChunk):
                                if newChunk { chunks += 1 }
                                appended += 1
                                if s.t < minT { minT = s.t }
                                if s.t > maxT { maxT = s.t }
                            case .duplicate: duplicates += 1
                            case let .rejected(kind): rejected.append(kind)
                            }
                        }
                    }
                    k = end
                }
            }
        }
        for kind in rejected { head.metrics.count(kind) }
        HeadMetrics.add(head.metrics.duplicatesIgnored, duplicates)
        HeadMetrics.add(head.metrics.samplesAppended, appended)
        HeadMetrics.add(head.metrics.chunksCreated, chunks)
        if appended > 0 { head.noteCommitted(minT: minT, maxT: maxT) }
        samples.removeAll(keepingCapacity: true)
        sampleSlots.removeAll(keepingCapacity: true)
        endBatch()
    }

    /// Drops the batch. Series created by it stay (empty) until truncation collects them; their
    /// definitions still reach the WAL, because a reference may have been handed out.
    package func rollback() throws(StorageError) {
        for (k, s) in samples.enumerated() {
            let slot = sampleSlots[k]
            head.stripe(for: s.ref).state.withLock { st in st.update(slot: slot) { $0.cancel() } }
        }
        samples.removeAll(keepingCapacity: true)
        sampleSlots.removeAll(keepingCapacity: true)
        endBatch()
    }
}
