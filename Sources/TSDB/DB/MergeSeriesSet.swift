import Model

/// Merges series sets that are each sorted by labels into one sorted set; series with equal
/// labels in several inputs become one series whose samples are merged in time order, a
/// timestamp present in several inputs taken once (from the earliest input: blocks come before
/// the head, older blocks before newer). Lazy: it holds one current series per input.
///
/// When the inputs holding a series cover disjoint time ranges in input order (blocks that do
/// not overlap, then the head), its parts are simply read one after the other
/// (`ChainSampleIterator`) instead of merged sample by sample. Blocks written side by side for
/// different series (an import) overlap in time but rarely share a series, so this is decided
/// per series.
final class MergeSeriesSet: SeriesSet {
    private let sets: [any SeriesSet]
    private var current: [(any Series)?]
    private var started = false
    private var result: (any Series)?
    private let limit: Int
    /// Each input's time range, when known.
    private let ranges: [ClosedRange<Int64>]?
    private var returned = 0
    private var limitHit = false
    private(set) var error: StorageError?

    /// Merges `sets`, returning at most `limit` series when `limit > 0`; `ranges` are the
    /// inputs' time ranges (inclusive), when known.
    init(_ sets: [any SeriesSet], limit: Int, ranges: [ClosedRange<Int64>]? = nil) {
        self.sets = sets
        self.limit = limit
        self.ranges = ranges
        current = Array(repeating: nil, count: sets.count)
    }

    var warnings: [String] {
        var w = sets.flatMap(\.warnings)
        if limitHit { w.append("results truncated due to limit") }
        return w
    }

    func next() -> Bool {
        if error != nil { return false }
        if !started {
            started = true
            for i in sets.indices { advance(i) }
        }
        if error != nil { return false }
        // The smallest labels among the inputs' current series.
        var smallest: Labels?
        for case let s? in current where smallest.map({ Labels.compare(s.labels, $0) < 0 }) ?? true {
            smallest = s.labels
        }
        guard let labels = smallest else { return false }
        if limit > 0 && returned >= limit {
            limitHit = true
            return false
        }
        var parts: [any Series] = []
        var chained = ranges != nil
        var previous: ClosedRange<Int64>?
        for i in current.indices {
            if let s = current[i], s.labels == labels {
                parts.append(s)
                advance(i)
                if let ranges, i < ranges.count {
                    if let p = previous, ranges[i].lowerBound <= p.upperBound { chained = false }
                    previous = ranges[i]
                } else {
                    chained = false
                }
            }
        }
        result = parts.count == 1 ? parts[0] : MergedSeries(labels: labels, parts: parts, chained: chained)
        returned += 1
        return error == nil
    }

    func at() -> any Series {
        // `at()` is only valid after `next()` returned true, which set `result`.
        result ?? ArraySeries(labels: Labels(), samples: [])
    }

    private func advance(_ i: Int) {
        if sets[i].next() {
            current[i] = sets[i].at()
        } else {
            current[i] = nil
            if let e = sets[i].error, error == nil { error = e }
        }
    }
}

/// One series present in several inputs.
struct MergedSeries: Series {
    let labels: Labels
    let parts: [any Series]
    /// The parts hold disjoint, increasing time ranges.
    var chained = false

    func iterator() -> any SampleIterator {
        if chained { return ChainSampleIterator(parts.map { $0.iterator() }) }
        return MergedSampleIterator(parts.map { $0.iterator() })
    }
}

/// Reads iterators one after the other: the parts of a series split over blocks whose time
/// ranges do not overlap, in time order. No per-sample comparison; `read(into:)` hands each
/// batch to the current part.
struct ChainSampleIterator: SampleIterator {
    private var its: [any SampleIterator]
    private var index = 0
    private var started = false
    private var cur: (t: Int64, v: Double) = (0, 0)
    private(set) var error: StorageError?

    init(_ its: [any SampleIterator]) { self.its = its }

    func at() -> (t: Int64, v: Double) { cur }

    mutating func next() -> Bool {
        started = true
        while index < its.count {
            if its[index].next() {
                cur = its[index].at()
                return true
            }
            if !moveOn() { return false }
        }
        return false
    }

    mutating func seek(_ t: Int64) -> Bool {
        if started && index < its.count && cur.t >= t { return true }
        started = true
        while index < its.count {
            if its[index].seek(t) {
                cur = its[index].at()
                return true
            }
            if !moveOn() { return false }
        }
        return false
    }

    mutating func read(into buffer: UnsafeMutableBufferPointer<Sample>) -> Int {
        if buffer.isEmpty { return 0 }
        started = true
        while index < its.count {
            let n = its[index].read(into: buffer)
            if n > 0 {
                cur = (buffer[n - 1].t, buffer[n - 1].v)
                return n
            }
            if !moveOn() { return 0 }
        }
        return 0
    }

    /// Leaves an exhausted part; false (and the end) when it failed.
    private mutating func moveOn() -> Bool {
        if let e = its[index].error {
            error = e
            index = its.count
            return false
        }
        index += 1
        return true
    }
}

/// Merges sample iterators by timestamp; equal timestamps yield the sample of the first
/// iterator holding it.
struct MergedSampleIterator: SampleIterator {
    private var its: [any SampleIterator]
    /// Whether each iterator is positioned on a sample not yet returned.
    private var live: [Bool]
    /// Each live iterator's current timestamp, cached: reading it through the existential on
    /// every merge step (twice per sample per input) was most of a long query's CPU, in
    /// retain/release of the iterators' buffers.
    private var heads: [Int64]
    private var started = false
    private var cur: (t: Int64, v: Double) = (0, 0)
    private(set) var error: StorageError?

    init(_ its: [any SampleIterator]) {
        self.its = its
        live = Array(repeating: false, count: its.count)
        heads = Array(repeating: .max, count: its.count)
    }

    func at() -> (t: Int64, v: Double) { cur }

    mutating func next() -> Bool {
        if !started {
            started = true
            for i in its.indices { step(i) }
        }
        return emit()
    }

    mutating func seek(_ t: Int64) -> Bool {
        if started && cur.t >= t && error == nil { return true }
        for i in its.indices where !started || !live[i] || heads[i] < t {
            live[i] = its[i].seek(t)
            heads[i] = live[i] ? its[i].at().t : .max
            if !live[i], let e = its[i].error, error == nil { error = e }
        }
        started = true
        return emit()
    }

    private mutating func step(_ i: Int) {
        live[i] = its[i].next()
        heads[i] = live[i] ? its[i].at().t : .max
        if !live[i], let e = its[i].error, error == nil { error = e }
    }

    /// Returns the smallest current sample and moves past it in every iterator holding it.
    private mutating func emit() -> Bool {
        if error != nil { return false }
        var best = -1
        var bestT = Int64.max
        for i in heads.indices where live[i] && (best < 0 || heads[i] < bestT) {
            best = i
            bestT = heads[i]
        }
        guard best >= 0 else { return false }
        cur = its[best].at()
        for i in heads.indices where live[i] && heads[i] == bestT { step(i) }
        return error == nil
    }
}
