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

    init(head: Head) { self.head = head }

    /// Buffers one sample; see `Appender.append`.
    package func append(ref: SeriesRef, labels: Labels, t: Int64, v: Double) throws(StorageError) -> SeriesRef {
        if head.closedFlag.load(ordering: .relaxed) { throw .closed }
        let minValid = head.minValidTime.load(ordering: .relaxed)
        var resolved = ref
        var verdict: AppendVerdict? = ref == .none ? nil : check(ref, t, v, minValid)
        if verdict == nil {
            guard !labels.isEmpty else { throw ref == .none ? .emptyLabels : .unknownSeriesRef(ref) }
            resolved = head.getOrCreate(labels).ref
            verdict = check(resolved, t, v, minValid)
        }
        switch verdict {
        case .append?:
            samples.append(RefSample(ref: resolved, t: t, v: v))
        case .duplicate?:
            HeadMetrics.add(head.metrics.duplicatesIgnored)
        case let .reject(error)?:
            head.metrics.count(error.kind)
            throw error
        case nil:
            // The series was garbage-collected between creation and the check: a truncation
            // raced with this append. Create it again.
            resolved = head.getOrCreate(labels).ref
            guard check(resolved, t, v, minValid) == .append else { throw .outOfBounds(t: t, minValid: minValid) }
            samples.append(RefSample(ref: resolved, t: t, v: v))
        }
        return resolved
    }

    /// The series' verdict, counting the sample as pending when accepted; nil if no such series.
    private func check(_ ref: SeriesRef, _ t: Int64, _ v: Double, _ minValid: Int64) -> AppendVerdict? {
        head.stripe(for: ref).state.withLock { s -> AppendVerdict? in
            guard let series = s.series[ref] else { return nil }
            let verdict = series.verdict(t: t, v: v, minValidTime: minValid)
            if verdict == .append { s.series[ref]?.pendingCommits += 1 }
            return verdict
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
        for s in samples {
            head.stripe(for: s.ref).state.withLock { st in
                guard var series = st.series[s.ref] else { return }
                // Mutate a copy and store it back: the dictionary's value is uniquely referenced
                // again after the removal, so the chunk buffer is not copied on append.
                st.series[s.ref] = nil
                series.pendingCommits -= 1
                switch series.verdict(t: s.t, v: s.v, minValidTime: Int64.min) {
                case .append:
                    if series.append(t: s.t, v: s.v, chunkRange: range, samplesPerChunk: perChunk) { chunks += 1 }
                    appended += 1
                    minT = min(minT, s.t)
                    maxT = max(maxT, s.t)
                case .duplicate:
                    HeadMetrics.add(head.metrics.duplicatesIgnored)
                case let .reject(e):
                    head.metrics.count(e.kind)
                }
                st.series[s.ref] = series
            }
        }
        HeadMetrics.add(head.metrics.samplesAppended, appended)
        HeadMetrics.add(head.metrics.chunksCreated, chunks)
        if appended > 0 { head.noteCommitted(minT: minT, maxT: maxT) }
        samples.removeAll(keepingCapacity: true)
    }

    /// Drops the batch. Series created by it stay (empty) until truncation collects them; their
    /// definitions still reach the WAL, because a reference may have been handed out.
    package func rollback() throws(StorageError) {
        for s in samples {
            head.stripe(for: s.ref).state.withLock { st in
                st.series[s.ref]?.pendingCommits -= 1
            }
        }
        samples.removeAll(keepingCapacity: true)
    }
}
