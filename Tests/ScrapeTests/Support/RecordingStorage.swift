import Model
import Synchronization

/// An in-memory `Appendable` for the scrape tests that refuses samples the way the TSDB head
/// does (out of order, duplicate timestamp with other value bits; identical re-appends are
/// accepted and ignored) and records every committed sample in order.
final class RecordingStorage: Appendable, Sendable {
    struct State {
        var series: [Labels: [Sample]] = [:]
        var refs: [SeriesRef: Labels] = [:]
        var refByLabels: [Labels: SeriesRef] = [:]
        var nextRef: UInt64 = 1
        var commits = 0
        var rollbacks = 0
        /// Appends by labels only (no ref): a cache-hit path should never do this.
        var appendsByLabels = 0
    }

    let state = Mutex(State())

    func appender() -> any Appender { RecordingAppender(storage: self) }

    /// The committed samples of the series with exactly `labels`.
    func samples(_ labels: Labels) -> [Sample] { state.withLock { $0.series[labels] ?? [] } }

    /// The committed samples of the series named `name` whose labels include `match`.
    func samples(named name: String, _ match: [String: String] = [:]) -> [Sample] {
        state.withLock { s in
            let hits = s.series.filter { l, _ in l.name == name && match.allSatisfy { l.get($0.key) == $0.value } }
            return hits.values.flatMap { $0 }.sorted { $0.t < $1.t }
        }
    }

    /// The label sets of all series.
    var allSeries: [Labels] { state.withLock { Array($0.series.keys) } }

    /// The label sets of the series named `name`.
    func series(named name: String) -> [Labels] { allSeries.filter { $0.name == name } }

    var commits: Int { state.withLock { $0.commits } }
    var rollbacks: Int { state.withLock { $0.rollbacks } }

    fileprivate func resolve(_ ref: SeriesRef, _ labels: Labels) throws(StorageError) -> (SeriesRef, Labels) {
        try state.withLock { s throws(StorageError) -> (SeriesRef, Labels) in
            if ref != .none, let l = s.refs[ref] { return (ref, l) }
            if labels.isEmpty { throw StorageError.unknownSeriesRef(ref) }
            s.appendsByLabels += 1
            if let r = s.refByLabels[labels] { return (r, labels) }
            let r = SeriesRef(s.nextRef)
            s.nextRef += 1
            s.refs[r] = labels
            s.refByLabels[labels] = r
            return (r, labels)
        }
    }
}

final class RecordingAppender: Appender {
    let storage: RecordingStorage
    var pending: [(Labels, Sample)] = []

    init(storage: RecordingStorage) { self.storage = storage }

    func append(ref: SeriesRef, labels: Labels, t: Int64, v: Double) throws(StorageError) -> SeriesRef {
        let (r, l) = try storage.resolve(ref, labels)
        let committedLast = storage.state.withLock { $0.series[l]?.last }
        let pendingLast = pending.last(where: { $0.0 == l })?.1
        if let last = pendingLast ?? committedLast {
            if t < last.t { throw StorageError.outOfOrderSample(t: t, newest: last.t) }
            if t == last.t {
                if last.v.bitPattern == v.bitPattern { return r }
                throw StorageError.duplicateSampleForTimestamp(t: t)
            }
        }
        pending.append((l, Sample(t: t, v: v)))
        return r
    }

    func commit() throws(StorageError) {
        let batch = pending
        pending = []
        storage.state.withLock { s in
            for (l, sample) in batch { s.series[l, default: []].append(sample) }
            s.commits += 1
        }
    }

    func rollback() throws(StorageError) {
        pending = []
        storage.state.withLock { $0.rollbacks += 1 }
    }
}
