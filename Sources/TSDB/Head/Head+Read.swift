import Model

extension Head {
    /// A querier over samples with `mint <= t <= maxt`.
    package func querier(mint: Int64, maxt: Int64) throws(StorageError) -> any Querier {
        HeadQuerier(head: self, mint: mint, maxt: maxt)
    }

    /// Every series with chunks overlapping `[mint, maxt]`, sorted by labels, with its chunks
    /// (shared, not copied) and deleted ranges: the input of head compaction.
    func seriesSnapshot(mint: Int64, maxt: Int64) -> [(labels: Labels, chunks: [ClosedChunk], deleted: [ClosedRange<Int64>])] {
        let deleted = tombstones.withLock { $0 }
        var out: [(labels: Labels, chunks: [ClosedChunk], deleted: [ClosedRange<Int64>])] = []
        for stripe in stripes {
            stripe.state.withLock { s in
                s.forEachSlot { i in
                    let series = s.slots[i]
                    let chunks = series.chunks(mint: mint, maxt: maxt)
                    if !chunks.isEmpty { out.append((series.labels, chunks, deleted[series.ref] ?? [])) }
                }
            }
        }
        out.sort { Labels.compare($0.labels, $1.labels) < 0 }
        return out
    }

    /// The references of the series matching `matchers`, sorted (no time filter).
    package func seriesRefs(matching matchers: [Matcher]) -> [SeriesRef] {
        postings.select(matchers)
    }
}

/// Reads the head over a fixed time range (`Querier`). `select` snapshots the matching series'
/// chunks under their stripe locks (sharing the bytes, no copy), so appends can go on while the
/// result is iterated; samples committed after `select` are not seen.
final class HeadQuerier: Querier {
    private let head: Head
    private let mint: Int64
    private let maxt: Int64

    init(head: Head, mint: Int64, maxt: Int64) {
        self.head = head
        self.mint = mint
        self.maxt = maxt
    }

    func select(_ matchers: [Matcher], hints: SelectHints) -> any SeriesSet {
        if mint > maxt || maxt < head.minTime || mint > head.maxTime { return ArraySeriesSet([]) }
        let refs = head.postings.select(matchers)
        let deleted = head.tombstones.withLock { $0.isEmpty ? [:] : $0 }
        var out: [HeadSeries] = []
        out.reserveCapacity(refs.count)
        for ref in refs {
            let snap = head.stripe(for: ref).state.withLock { s -> (Labels, [ClosedChunk])? in
                guard let series = s.get(ref) else { return nil }
                return (series.labels, series.chunks(mint: mint, maxt: maxt))
            }
            guard let (labels, all) = snap else { continue }
            let gone = deleted[ref] ?? []
            let chunks = gone.isEmpty ? all : all.filter { c in !gone.contains { $0.lowerBound <= max(c.minT, mint) && $0.upperBound >= min(c.maxT, maxt) } }
            if chunks.isEmpty { continue }
            out.append(HeadSeries(labels: labels, chunks: chunks, mint: mint, maxt: maxt, deleted: gone))
        }
        if hints.sorted { out.sort { Labels.compare($0.labels, $1.labels) < 0 } }
        var warnings: [String] = []
        if hints.limit > 0 && out.count > hints.limit {
            out.removeLast(out.count - hints.limit)
            warnings.append("results truncated due to limit")
        }
        return ArraySeriesSet(out, warnings: warnings)
    }

    /// True when the querier's range covers every sample in the head, so the postings alone
    /// answer label queries; otherwise each series' time range is checked.
    private var coversHead: Bool { mint <= head.minTime && maxt >= head.maxTime }

    /// The labels of the series matching `matchers` (all when empty) with samples in range.
    private func labelsInRange(_ matchers: [Matcher]) -> [Labels] {
        let refs = head.postings.select(matchers)
        var out: [Labels] = []
        out.reserveCapacity(refs.count)
        for ref in refs {
            let labels = head.stripe(for: ref).state.withLock { s -> Labels? in
                guard let series = s.get(ref), !series.isEmpty, series.maxT >= mint, series.minT <= maxt else { return nil }
                return series.labels
            }
            if let labels { out.append(labels) }
        }
        return out
    }

    func labelValues(_ name: String, matchers: [Matcher], limit: Int) throws(StorageError) -> [String] {
        var values: [String]
        if mint > maxt || maxt < head.minTime || mint > head.maxTime {
            values = []
        } else if matchers.isEmpty && coversHead {
            values = head.postings.labelValues(name)
        } else {
            var set = Set<String>()
            for labels in labelsInRange(matchers) {
                let v = labels.get(name)
                if !v.isEmpty { set.insert(v) }
            }
            values = set.sorted { Labels.compareUTF8($0, $1) < 0 }
        }
        if limit > 0 && values.count > limit { values.removeLast(values.count - limit) }
        return values
    }

    func labelNames(matchers: [Matcher], limit: Int) throws(StorageError) -> [String] {
        var names: [String]
        if mint > maxt || maxt < head.minTime || mint > head.maxTime {
            names = []
        } else if matchers.isEmpty && coversHead {
            names = head.postings.labelNames()
        } else {
            var set = Set<String>()
            for labels in labelsInRange(matchers) { labels.forEach { set.insert($0.name) } }
            names = set.sorted { Labels.compareUTF8($0, $1) < 0 }
        }
        if limit > 0 && names.count > limit { names.removeLast(names.count - limit) }
        return names
    }

    func close() {}
}

/// A head series as selected: labels and chunk snapshots.
struct HeadSeries: Series {
    let labels: Labels
    let chunks: [ClosedChunk]
    let mint: Int64
    let maxt: Int64
    let deleted: [ClosedRange<Int64>]

    func iterator() -> any SampleIterator {
        HeadSeriesIterator(chunks: chunks, mint: mint, maxt: maxt, deleted: deleted)
    }
}

/// Iterates the samples of a series' chunks within `[mint, maxt]`, skipping deleted ranges.
/// Decodes in place; allocates nothing per sample.
struct HeadSeriesIterator: SampleIterator {
    private let chunks: [ClosedChunk]
    private let mint: Int64
    private let maxt: Int64
    private let deleted: [ClosedRange<Int64>]
    /// The index of the chunk after the current one.
    private var nextChunk = 0
    private var current = ChunkIterator()
    private var started = false
    private var done = false
    private var failure: TSDBError?

    init(chunks: [ClosedChunk], mint: Int64, maxt: Int64, deleted: [ClosedRange<Int64>]) {
        self.chunks = chunks
        self.mint = mint
        self.maxt = maxt
        self.deleted = deleted
    }

    var error: StorageError? { failure?.storageError }

    func at() -> (t: Int64, v: Double) { current.at() }

    mutating func next() -> Bool {
        if done { return false }
        while true {
            if current.next() {
                let t = current.timestamp
                if t < mint { continue }
                if t > maxt { return finish() }
                if !deleted.isEmpty && deleted.contains(where: { $0.contains(t) }) { continue }
                started = true
                return true
            }
            if let f = current.failure {
                failure = f
                return finish()
            }
            guard nextChunk < chunks.count else { return finish() }
            current = chunks[nextChunk].chunk.iterator()
            nextChunk += 1
        }
    }

    mutating func seek(_ t: Int64) -> Bool {
        if done { return false }
        if started && current.timestamp >= t { return true }
        // Skip whole chunks that end before `t`.
        while nextChunk < chunks.count && chunks[nextChunk].maxT < t {
            nextChunk += 1
            current = ChunkIterator()
        }
        while next() {
            if current.timestamp >= t { return true }
        }
        return false
    }

    /// Decodes straight into `buffer`: one call per batch for the engine, the per-sample
    /// work inlined over the concrete chunk iterator.
    mutating func read(into buffer: UnsafeMutableBufferPointer<Sample>) -> Int {
        var n = 0
        while n < buffer.count && next() {
            let (t, v) = current.at()
            buffer[n] = Sample(t: t, v: v)
            n += 1
        }
        return n
    }

    private mutating func finish() -> Bool {
        done = true
        return false
    }
}
