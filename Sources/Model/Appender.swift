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

    /// Makes the batch durable per the storage's policy, then visible.
    func commit() throws(StorageError)

    /// Discards the batch.
    func rollback() throws(StorageError)
}

extension Appender {
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
