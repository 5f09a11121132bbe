import Model

extension Head {
    /// Replays the WAL into the head: series definitions recreate series under their recorded
    /// references, samples are appended with the commit-time rules (so a sample rejected live is
    /// rejected again), tombstones are restored.
    ///
    /// A definition whose reference does not carry its labels' stripe (written by another hash
    /// version), or collides with another series, gets a fresh reference, and later records are
    /// mapped to it; a repeated definition of the same labels maps to the first. Samples for a
    /// reference never defined are counted in `replayUnknownRefs`.
    func replay(walDir: String, onDamage: (WALDamage) -> Void) throws(TSDBError) -> WALReplayStats {
        var remap: [SeriesRef: SeriesRef] = [:]
        var maxSeq: UInt64 = 0
        var unknown = 0
        var appended = 0, chunks = 0
        var minT = Int64.max, maxT = Int64.min
        let range = options.chunkRangeMs
        let perChunk = options.samplesPerChunk
        let stats = try WAL.replay(dir: walDir, onDamage: { d in
            HeadMetrics.add(metrics.walDamagedSegments)
            HeadMetrics.add(metrics.walDroppedBytes, d.droppedBytes)
            onDamage(d)
        }) { (record: WALRecord) throws(TSDBError) in
            switch record {
            case let .series(list):
                for rs in list {
                    let ref = rs.ref
                    let hash = rs.labels.stableHash
                    let stripe = stripes[Int(hash & Head.stripeMask)]
                    let outcome = stripe.state.withLock { s -> ReplayDefinition in
                        if let existing = s.lookup(hash: hash, labels: rs.labels) {
                            return existing == ref ? .known : .mapTo(existing)
                        }
                        if ref != .none && ref.rawValue & Head.stripeMask == hash & Head.stripeMask && !s.contains(ref) {
                            s.insert(ref, hash: hash, series: MemSeries(labels: rs.labels))
                            return .inserted
                        }
                        return .needsFreshRef
                    }
                    switch outcome {
                    case .inserted:
                        maxSeq = max(maxSeq, ref.rawValue >> Head.stripeBits)
                        remap[ref] = nil // a later definition of a reference wins
                        postings.add(ref, rs.labels)
                        HeadMetrics.add(metrics.seriesCreated)
                    case .known:
                        break
                    case let .mapTo(existing):
                        remap[ref] = existing
                    case .needsFreshRef:
                        // Keep sequence numbers above everything seen so far, then allocate; the
                        // new definition is queued for the WAL like any new series.
                        raiseNextSeq(above: maxSeq)
                        remap[ref] = getOrCreate(rs.labels).ref
                    }
                }
            case let .samples(list):
                let minValid = minValidTime.load(ordering: .relaxed)
                for rs in list where rs.t >= minValid {
                    let ref = remap.isEmpty ? rs.ref : (remap[rs.ref] ?? rs.ref)
                    let outcome = stripe(for: ref).state.withLock { s in
                        s.update(ref) { $0.replay(t: rs.t, v: rs.v, chunkRange: range, samplesPerChunk: perChunk) }
                    }
                    switch outcome {
                    case let .appended(newChunk)?:
                        if newChunk { chunks += 1 }
                        appended += 1
                        if rs.t < minT { minT = rs.t }
                        if rs.t > maxT { maxT = rs.t }
                    case .duplicate?, .rejected?: break
                    case nil: unknown += 1
                    }
                }
            case let .tombstones(list):
                tombstones.withLock { t in
                    for ts in list {
                        let ref = remap[ts.ref] ?? ts.ref
                        t[ref, default: []].append(ts.mint ... max(ts.mint, ts.maxt))
                    }
                }
            }
        }
        raiseNextSeq(above: maxSeq)
        HeadMetrics.add(metrics.samplesAppended, appended)
        HeadMetrics.add(metrics.chunksCreated, chunks)
        HeadMetrics.add(metrics.replayUnknownRefs, unknown)
        if appended > 0 { noteCommitted(minT: minT, maxT: maxT) }
        return stats
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
