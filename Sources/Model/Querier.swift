/// Something that can be queried over a time range (Prometheus' `storage.Queryable`).
package protocol Queryable: Sendable {
    /// A querier over samples with `mint <= t <= maxt` (milliseconds, inclusive).
    func querier(mint: Int64, maxt: Int64) throws(StorageError) -> any Querier
}

/// Reads series over the fixed time range it was created for (Prometheus' `storage.Querier`).
/// One task at a time; `close()` releases what it holds.
package protocol Querier: AnyObject {
    /// The series matching all `matchers`, with their samples in the querier's range. Series
    /// without samples in the range are left out.
    func select(_ matchers: [Matcher], hints: SelectHints) -> any SeriesSet

    /// The sorted (byte order) values of label `name` among series matching `matchers` (all
    /// series when empty); at most `limit` when `limit > 0`.
    func labelValues(_ name: String, matchers: [Matcher], limit: Int) throws(StorageError) -> [String]

    /// The sorted label names among series matching `matchers`; at most `limit` when `limit > 0`.
    func labelNames(matchers: [Matcher], limit: Int) throws(StorageError) -> [String]

    /// Releases resources; the querier must not be used afterwards.
    func close()
}

/// Options for `select` (a narrow subset of Prometheus' `SelectHints`).
package struct SelectHints: Sendable, Equatable {
    /// Return series sorted by labels (`Labels.compare`).
    package var sorted: Bool
    /// Return at most this many series when > 0.
    package var limit: Int

    /// Sorted, unlimited by default.
    package init(sorted: Bool = true, limit: Int = 0) {
        self.sorted = sorted
        self.limit = limit
    }
}

/// An iterator over series (Prometheus' `storage.SeriesSet`).
package protocol SeriesSet: AnyObject {
    /// Advances; false at the end or on error.
    func next() -> Bool
    /// The current series; valid after `next()` returned true.
    func at() -> any Series
    /// Why the set ended early, if it did.
    var error: StorageError? { get }
    /// Non-fatal notes for the caller (e.g. a limit was hit).
    var warnings: [String] { get }
}

/// One series: its labels and a way to walk its samples.
package protocol Series {
    /// The series' labels.
    var labels: Labels { get }
    /// A fresh iterator over the series' samples in the querier's range.
    func iterator() -> any SampleIterator
}

/// A series held as an array of samples (tests, and results built in memory).
package struct ArraySeries: Series, Sendable {
    /// The labels.
    package let labels: Labels
    /// The samples in time order.
    package let samples: [Sample]

    /// A series.
    package init(labels: Labels, samples: [Sample]) {
        self.labels = labels
        self.samples = samples
    }

    /// Iterates `samples`.
    package func iterator() -> any SampleIterator { ArraySampleIterator(samples) }
}

/// A `SeriesSet` over an array.
package final class ArraySeriesSet: SeriesSet {
    private let series: [any Series]
    private var index = -1
    /// Always nil unless set at creation.
    package let error: StorageError?
    /// Notes passed at creation.
    package let warnings: [String]

    /// A set over `series`, in the given order.
    package init(_ series: [any Series], error: StorageError? = nil, warnings: [String] = []) {
        self.series = series
        self.error = error
        self.warnings = warnings
    }

    /// Advances.
    package func next() -> Bool {
        if index < series.count { index += 1 }
        return index < series.count
    }

    /// The current series.
    package func at() -> any Series { series[min(max(index, 0), series.count - 1)] }
}
