import Model

/// A finished chunk of a head series with its time range.
struct ClosedChunk: Sendable {
    let chunk: Chunk
    let minT: Int64
    let maxT: Int64
}

/// What a series says about a new sample.
enum AppendVerdict: Sendable, Equatable {
    /// In order: append it.
    case append
    /// Same timestamp and identical value bits as the newest sample: accept and ignore it.
    case duplicate
    /// Rejected, for this reason.
    case reject(StorageError)
}

/// What committing one sample did.
enum CommitOutcome: Sendable, Equatable {
    case appended(newChunk: Bool)
    case duplicate
    case rejected(StorageErrorKind)
}

/// One series of the head: its labels, the open chunk and the finished ones.
///
/// Held by value in its stripe's `slots` array and only touched under the stripe lock. 88 bytes
/// (`HeadTests.memSeriesLayout`): labels reference (8), open chunk appender (46), pending commit
/// count (4, in the appender's padding), chunk cut time (8), reference (8), finished chunks array
/// reference (8).
struct MemSeries: Sendable {
    let labels: Labels
    /// The open chunk; empty only for a series that has never had a sample.
    var head = XORAppender()
    /// Samples accepted by appenders and not yet committed or rolled back: such a series is
    /// never garbage-collected.
    var pendingCommits: Int32 = 0
    /// The open chunk is cut before a sample at or after this time (the end of its chunk range).
    var nextAt: Int64 = 0
    /// The series' reference (`.none` in a free slot).
    var ref = SeriesRef.none
    /// Finished chunks, oldest first.
    var closed: [ClosedChunk] = []

    init(labels: Labels) { self.labels = labels }

    /// True before the first sample.
    var isEmpty: Bool { head.count == 0 }

    /// The newest timestamp (meaningful when not empty).
    var maxT: Int64 { head.lastTimestamp }

    /// The first timestamp of the open chunk (meaningful when not empty), read from the chunk
    /// rather than stored: it is needed only when a chunk is cut or read.
    var headMinT: Int64 { head.firstTimestamp }

    /// The oldest timestamp still held (meaningful when not empty).
    var minT: Int64 { closed.first?.minT ?? headMinT }

    /// Prometheus' in-order rules (`memSeries.appendable` with no out-of-order window).
    func verdict(t: Int64, v: Double, minValidTime: Int64) -> AppendVerdict {
        if t < minValidTime { return .reject(.outOfBounds(t: t, minValid: minValidTime)) }
        if isEmpty || t > head.lastTimestamp { return .append }
        if t == head.lastTimestamp {
            // Exact duplicates are accepted (federation and retries produce them).
            return v.bitPattern == head.lastValueBits ? .duplicate : .reject(.duplicateSampleForTimestamp(t: t))
        }
        return .reject(.outOfOrderSample(t: t, newest: head.lastTimestamp))
    }

    /// The verdict on a sample an appender buffers; an accepted one is counted as pending, which
    /// keeps the series from garbage collection until `commit` or `cancel`.
    mutating func admit(t: Int64, v: Double, minValidTime: Int64) -> AppendVerdict {
        let verdict = verdict(t: t, v: v, minValidTime: minValidTime)
        if verdict == .append { pendingCommits += 1 }
        return verdict
    }

    /// Drops a pending sample (rollback).
    mutating func cancel() { pendingCommits -= 1 }

    /// Commits a pending sample: checks it again against what other batches committed since, and
    /// appends it. Called in place in the stripe's dictionary, so the chunk buffer is never copied.
    mutating func commit(t: Int64, v: Double, chunkRange: Int64, samplesPerChunk: Int) -> CommitOutcome {
        pendingCommits -= 1
        return replay(t: t, v: v, chunkRange: chunkRange, samplesPerChunk: samplesPerChunk)
    }

    /// Appends a sample with the commit-time checks (no lower bound), as commit and WAL replay do.
    mutating func replay(t: Int64, v: Double, chunkRange: Int64, samplesPerChunk: Int) -> CommitOutcome {
        switch verdict(t: t, v: v, minValidTime: Int64.min) {
        case .append: return .appended(newChunk: append(t: t, v: v, chunkRange: chunkRange, samplesPerChunk: samplesPerChunk))
        case .duplicate: return .duplicate
        case let .reject(e): return .rejected(e.kind)
        }
    }

    /// Appends an in-order sample (the caller checked `verdict`), cutting the open chunk when it
    /// holds `samplesPerChunk` samples or `t` reaches the end of its chunk range. Returns true
    /// when a new chunk was started.
    mutating func append(t: Int64, v: Double, chunkRange: Int64, samplesPerChunk: Int) -> Bool {
        var cut = false
        if isEmpty {
            cut = true
        } else if head.count >= samplesPerChunk || t >= nextAt || head.isFull {
            closed.append(ClosedChunk(chunk: Chunk(head.finish()), minT: headMinT, maxT: head.lastTimestamp))
            head = XORAppender()
            cut = true
        }
        if cut { nextAt = MemSeries.rangeEnd(t, chunkRange) }
        head.append(t, v)
        return cut
    }

    /// The end of the chunk range holding `t`: ranges are aligned to multiples of `range` (the
    /// block range), so chunks never straddle a block boundary.
    static func rangeEnd(_ t: Int64, _ range: Int64) -> Int64 {
        guard range > 0 else { return Int64.max }
        var q = t / range
        if t % range != 0 && t < 0 { q -= 1 } // floor division
        let (start, o1) = q.multipliedReportingOverflow(by: range)
        let (end, o2) = start.addingReportingOverflow(range)
        return o1 || o2 ? Int64.max : end
    }

    /// Drops finished chunks that end before `mint`; returns how many.
    mutating func dropChunks(before mint: Int64) -> Int {
        let n = closed.prefix { $0.maxT < mint }.count
        if n > 0 { closed.removeFirst(n) }
        return n
    }

    /// The chunks overlapping `[mint, maxt]`, oldest first, with their ranges.
    func chunks(mint: Int64, maxt: Int64) -> [ClosedChunk] {
        var out: [ClosedChunk] = []
        for c in closed where c.maxT >= mint && c.minT <= maxt { out.append(c) }
        if !isEmpty && head.lastTimestamp >= mint && headMinT <= maxt {
            out.append(ClosedChunk(chunk: Chunk(head.chunk), minT: headMinT, maxT: head.lastTimestamp))
        }
        return out
    }
}
