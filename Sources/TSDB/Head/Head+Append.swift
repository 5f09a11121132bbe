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
    private var frames: [UInt8] = []
    /// The oldest buffered sample (registered in `head.pendingBatches` while the batch is open).
    private var batchMinT = Int64.max

    init(head: Head) { self.head = head }

    /// Buffers one sample; see `Appender.append`.
    package func append(ref: SeriesRef, labels: Labels, t: Int64, v: Double) throws(StorageError) -> SeriesRef {
        if head.closedFlag.load(ordering: .relaxed) { throw .closed }
        let minValid = head.appendableMinValidTime
        var resolved = ref
        var verdict: AppendVerdict? = ref == .none ? nil : check(ref, t, v, minValid)
        if verdict == nil {
            guard !labels.isEmpty else { throw ref == .none ? .emptyLabels : .unknownSeriesRef(ref) }
            guard let created = head.getOrCreate(labels) else { throw Head.fullError }
            resolved = created.ref
            verdict = check(resolved, t, v, minValid)
        }
        switch verdict {
        case .append?:
            samples.append(RefSample(ref: resolved, t: t, v: v))
            noteBuffered(t)
        case .duplicate?:
            HeadMetrics.add(head.metrics.duplicatesIgnored)
        case let .reject(error)?:
            head.metrics.count(error.kind)
            throw error
        case nil:
            // The series was garbage-collected between creation and the check: a truncation
            // raced with this append. Create it again.
            guard let created = head.getOrCreate(labels) else { throw Head.fullError }
            resolved = created.ref
            guard check(resolved, t, v, minValid) == .append else { throw .outOfBounds(t: t, minValid: minValid) }
            samples.append(RefSample(ref: resolved, t: t, v: v))
            noteBuffered(t)
        }
        return resolved
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

    /// The series' verdict, counting the sample as pending when accepted; nil if no such series.
    private func check(_ ref: SeriesRef, _ t: Int64, _ v: Double, _ minValid: Int64) -> AppendVerdict? {
        head.stripe(for: ref).state.withLock { s in
            s.update(ref) { $0.admit(t: t, v: v, minValidTime: minValid) }
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
        for s in samples {
            let outcome = head.stripe(for: s.ref).state.withLock { st in
                st.update(s.ref) { $0.commit(t: s.t, v: s.v, chunkRange: range, samplesPerChunk: perChunk) }
            }
            switch outcome {
            case let .appended(newChunk)?:
                if newChunk { chunks += 1 }
                appended += 1
                if s.t < minT { minT = s.t }
                if s.t > maxT { maxT = s.t }
            case .duplicate?: duplicates += 1
            case let .rejected(kind)?: head.metrics.count(kind)
            case nil: break // garbage-collected despite the pending count: cannot happen
            }
        }
        HeadMetrics.add(head.metrics.duplicatesIgnored, duplicates)
        HeadMetrics.add(head.metrics.samplesAppended, appended)
        HeadMetrics.add(head.metrics.chunksCreated, chunks)
        if appended > 0 { head.noteCommitted(minT: minT, maxT: maxT) }
        samples.removeAll(keepingCapacity: true)
        endBatch()
    }

    /// Drops the batch. Series created by it stay (empty) until truncation collects them; their
    /// definitions still reach the WAL, because a reference may have been handed out.
    package func rollback() throws(StorageError) {
        for s in samples {
            head.stripe(for: s.ref).state.withLock { st in
                _ = st.update(s.ref) { $0.cancel() }
            }
        }
        samples.removeAll(keepingCapacity: true)
        endBatch()
    }
}
