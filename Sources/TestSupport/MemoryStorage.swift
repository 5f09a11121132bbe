package import Model
internal import Synchronization

/// An in-memory `Queryable` for tests: series are loaded whole, queried by matchers.
package final class MemoryStorage: Queryable, Sendable {
    private let state = Mutex<[Labels: [Sample]]>([:])

    /// An empty storage.
    package init() {}

    /// Appends samples to the series `labels` (kept in time order; a sample at an existing
    /// timestamp replaces the old one).
    package func add(_ labels: Labels, _ samples: [Sample]) {
        state.withLock { all in
            var existing = all[labels] ?? []
            existing.append(contentsOf: samples)
            existing.sort { $0.t < $1.t }
            var dedup: [Sample] = []
            for s in existing {
                if let last = dedup.last, last.t == s.t { dedup[dedup.count - 1] = s } else { dedup.append(s) }
            }
            all[labels] = dedup
        }
    }

    /// Drops everything.
    package func clear() { state.withLock { $0.removeAll() } }

    /// A querier over `[mint, maxt]`.
    package func querier(mint: Int64, maxt: Int64) throws(StorageError) -> any Querier {
        let snapshot = state.withLock { $0 }
        return MemoryQuerier(data: snapshot, mint: mint, maxt: maxt)
    }
}

final class MemoryQuerier: Querier {
    let data: [Labels: [Sample]]
    let mint: Int64
    let maxt: Int64

    init(data: [Labels: [Sample]], mint: Int64, maxt: Int64) {
        self.data = data
        self.mint = mint
        self.maxt = maxt
    }

    func select(_ matchers: [Matcher], hints: SelectHints) -> any SeriesSet {
        var out: [ArraySeries] = []
        for (labels, samples) in data where matchers.allSatisfy({ $0.matches(labels) }) {
            let window = samples.filter { $0.t >= mint && $0.t <= maxt }
            if window.isEmpty { continue }
            out.append(ArraySeries(labels: labels, samples: window))
        }
        out.sort { Labels.compare($0.labels, $1.labels) < 0 }
        if hints.limit > 0 && out.count > hints.limit { out = Array(out.prefix(hints.limit)) }
        return ArraySeriesSet(out)
    }

    func labelValues(_ name: String, matchers: [Matcher], limit: Int) throws(StorageError) -> [String] {
        var values = Set<String>()
        for (labels, samples) in data where inRange(samples) && matchers.allSatisfy({ $0.matches(labels) }) {
            let v = labels.get(name)
            if !v.isEmpty { values.insert(v) }
        }
        let sorted = values.sorted { Labels.compareUTF8($0, $1) < 0 }
        return limit > 0 ? Array(sorted.prefix(limit)) : sorted
    }

    func labelNames(matchers: [Matcher], limit: Int) throws(StorageError) -> [String] {
        var names = Set<String>()
        for (labels, samples) in data where inRange(samples) && matchers.allSatisfy({ $0.matches(labels) }) {
            for l in labels { names.insert(l.name) }
        }
        let sorted = names.sorted { Labels.compareUTF8($0, $1) < 0 }
        return limit > 0 ? Array(sorted.prefix(limit)) : sorted
    }

    /// Whether the series has a sample in `[mint, maxt]` (label lookups skip the rest, as a
    /// TSDB skips blocks and chunks outside the querier's range).
    private func inRange(_ samples: [Sample]) -> Bool {
        samples.contains { $0.t >= mint && $0.t <= maxt }
    }

    func close() {}
}
