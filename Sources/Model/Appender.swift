/// Adds samples to a storage in a batch that ends in `commit()` or `rollback()`
/// (Prometheus' `storage.Appender`, float samples only).
///
/// An appender is used by one task at a time and is not `Sendable`. Nothing appended is visible
/// to queries before `commit()` returns; after `commit()` or `rollback()` the appender may be used
/// for the next batch.
package protocol Appender: AnyObject {
    /// Adds one sample and returns the series reference to pass next time.
    ///
    /// `ref` is a reference returned earlier by this storage, or `.none`; when it is unknown the
    /// storage resolves `labels` (which must then be non-empty). Throws the Prometheus rejections:
    /// `.outOfOrderSample`, `.duplicateSampleForTimestamp` (a same-timestamp sample with identical
    /// value bits is accepted and ignored), `.outOfBounds`, and `.emptyLabels`/`.unknownSeriesRef`.
    /// A rejected sample leaves the rest of the batch intact.
    func append(ref: SeriesRef, labels: Labels, t: Int64, v: Double) throws(StorageError) -> SeriesRef

    /// Adds `batch`'s samples of series known by reference (a scrape's known series), each as
    /// `append(ref:labels:t:v:)` with no labels would, and records each sample's rejection in
    /// `batch.errors` (nil: accepted). One call lets a storage take each lock once and overlap
    /// the memory accesses of many series.
    func append(batch: inout AppendBatch)

    /// Makes the batch durable per the storage's policy, then visible.
    func commit() throws(StorageError)

    /// Discards the batch.
    func rollback() throws(StorageError)
}

/// Samples of series known by reference, for `Appender.append(batch:)`: parallel arrays, reused
/// across batches (`removeAll` keeps capacity).
package struct AppendBatch {
    package var refs: [SeriesRef] = []
    package var ts: [Int64] = []
    package var vs: [Double] = []
    /// Filled by the appender: nil for an accepted sample, else why it was refused.
    package var errors: [StorageError?] = []

    package init() {}

    package var count: Int { refs.count }

    package mutating func add(_ ref: SeriesRef, _ t: Int64, _ v: Double) {
        refs.append(ref)
        ts.append(t)
        vs.append(v)
    }

    package mutating func removeAll() {
        refs.removeAll(keepingCapacity: true)
        ts.removeAll(keepingCapacity: true)
        vs.removeAll(keepingCapacity: true)
        errors.removeAll(keepingCapacity: true)
    }
}

extension Appender {
    /// One sample at a time, for storages without a faster way.
    package func append(batch: inout AppendBatch) {
        batch.errors.removeAll(keepingCapacity: true)
        for i in 0 ..< batch.count {
            do throws(StorageError) {
                _ = try append(ref: batch.refs[i], labels: Labels(), t: batch.ts[i], v: batch.vs[i])
                batch.errors.append(nil)
            } catch {
                batch.errors.append(error)
            }
        }
    }

    /// Appends by labels.
    @discardableResult
    package func append(_ labels: Labels, t: Int64, v: Double) throws(StorageError) -> SeriesRef {
        try append(ref: .none, labels: labels, t: t, v: v)
    }

    /// Appends by a reference returned earlier.
    @discardableResult
    package func append(ref: SeriesRef, t: Int64, v: Double) throws(StorageError) -> SeriesRef {
        try append(ref: ref, labels: Labels(), t: t, v: v)
    }
}

/// A storage that hands out appenders (Prometheus' `storage.Appendable`): the seam the scraper,
/// the push importer and the rule engine write through.
package protocol Appendable: Sendable {
    /// A new appender for one batch at a time.
    func appender() -> any Appender
}
