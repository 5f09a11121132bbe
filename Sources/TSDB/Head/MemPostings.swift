import Model
import Synchronization

/// The head's inverted index: label name → value → sorted references of the series carrying that
/// pair, plus the list of all references. One lock; readers copy the (copy-on-write) maps they
/// need and do the matching and merging outside it.
final class MemPostings: Sendable {
    struct State {
        var index: [String: [String: [SeriesRef]]] = [:]
        var all: [SeriesRef] = []
    }

    private let state = Mutex(State())

    /// Indexes a new series.
    func add(_ ref: SeriesRef, _ labels: Labels) {
        let pairs = labels.pairs
        state.withLock { s in
            for p in pairs {
                Postings.insert(ref, into: &s.index[p.name, default: [:]][p.value, default: []])
            }
            Postings.insert(ref, into: &s.all)
        }
    }

    /// Removes series from the index (garbage collection), one pass over each affected list.
    func delete(_ removed: [(SeriesRef, Labels)]) {
        if removed.isEmpty { return }
        var byPair: [String: [String: Set<SeriesRef>]] = [:]
        var all = Set<SeriesRef>()
        for (ref, labels) in removed {
            all.insert(ref)
            for p in labels { byPair[p.name, default: [:]][p.value, default: []].insert(ref) }
        }
        state.withLock { s in
            for (name, values) in byPair {
                for (value, refs) in values {
                    guard var list = s.index[name]?[value] else { continue }
                    list.removeAll { refs.contains($0) }
                    if list.isEmpty {
                        s.index[name]?[value] = nil
                        if s.index[name]?.isEmpty == true { s.index[name] = nil }
                    } else {
                        s.index[name]?[value] = list
                    }
                }
            }
            s.all.removeAll { all.contains($0) }
        }
    }

    /// The series matching every matcher, sorted by reference.
    ///
    /// Prometheus' rule for labels a series lacks: a matcher that matches "" (`foo=""`,
    /// `foo!="x"`, `foo=~".*"`, `foo!~"x"`) also selects series without `foo`; so it is applied
    /// by *subtracting* the series whose value it rejects. The other matchers intersect the
    /// union of the series whose value they accept. With only subtracting matchers, the start
    /// is all series.
    func select(_ matchers: [Matcher]) -> [SeriesRef] {
        var positive: [[SeriesRef]] = []
        var negative: [[SeriesRef]] = []
        for m in matchers {
            let values = state.withLock { $0.index[m.name] } ?? [:]
            if m.matchesEmpty {
                var lists: [[SeriesRef]] = []
                for (v, refs) in values where !m.matches(v) { lists.append(refs) }
                negative.append(Postings.union(lists))
            } else if m.type == .equal {
                positive.append(values[m.value] ?? [])
            } else if let set = m.setMatches {
                positive.append(Postings.union(set.compactMap { values[$0] }))
            } else {
                var lists: [[SeriesRef]] = []
                for (v, refs) in values where m.matches(v) { lists.append(refs) }
                positive.append(Postings.union(lists))
            }
        }
        var result: [SeriesRef]
        if positive.isEmpty {
            result = state.withLock { $0.all }
        } else {
            positive.sort { $0.count < $1.count }
            result = positive[0]
            for p in positive.dropFirst() {
                if result.isEmpty { break }
                result = Postings.intersect(result, p)
            }
        }
        for n in negative where !result.isEmpty {
            result = Postings.subtract(result, n)
        }
        return result
    }

    /// All label names, sorted in byte order.
    func labelNames() -> [String] {
        let names = state.withLock { Array($0.index.keys) }
        return names.sorted { Labels.compareUTF8($0, $1) < 0 }
    }

    /// All values of `name`, sorted in byte order.
    func labelValues(_ name: String) -> [String] {
        let values = state.withLock { $0.index[name].map { Array($0.keys) } } ?? []
        return values.sorted { Labels.compareUTF8($0, $1) < 0 }
    }

    /// Every label pair with the number of series carrying it.
    func pairCounts() -> [(name: String, value: String, series: Int)] {
        let index = state.withLock { $0.index }
        var out: [(name: String, value: String, series: Int)] = []
        for (name, values) in index { for (value, refs) in values { out.append((name, value, refs.count)) } }
        return out
    }

    /// Number of indexed series.
    var count: Int { state.withLock { $0.all.count } }
}
