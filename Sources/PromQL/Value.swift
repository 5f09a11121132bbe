package import Model

/// One point of a result series.
package struct Point: Sendable, Equatable {
    /// Milliseconds.
    package var t: Int64
    /// The value.
    package var v: Double

    /// A point.
    package init(t: Int64, v: Double) {
        self.t = t
        self.v = v
    }
}

/// A series with points, as the engine passes them between nodes and returns range results.
package struct Series: Sendable, Equatable {
    /// The labels.
    package var labels: Labels
    /// Points in time order.
    package var points: [Point]
    /// Delayed `__name__` removal: drop the name when the query finishes (Prometheus 3).
    package var dropName: Bool = false

    /// A series.
    package init(labels: Labels, points: [Point], dropName: Bool = false) {
        self.labels = labels
        self.points = points
        self.dropName = dropName
    }
}

/// One element of an instant vector.
package struct VectorElement: Sendable, Equatable {
    /// The labels.
    package var labels: Labels
    /// The value.
    package var v: Double
    /// The timestamp (the evaluation time; for `timestamp()` inputs the sample's own time).
    package var t: Int64 = 0
    /// Delayed `__name__` removal.
    package var dropName: Bool = false

    /// An element.
    package init(labels: Labels, v: Double, t: Int64 = 0, dropName: Bool = false) {
        self.labels = labels
        self.v = v
        self.t = t
        self.dropName = dropName
    }
}

/// What a query returns.
package enum QueryValue: Sendable, Equatable {
    /// An instant vector (instant queries), in Prometheus' order.
    case vector([VectorElement])
    /// A matrix: range query results, or a range vector from an instant query; sorted by labels.
    case matrix([Series])
    /// A scalar at a time.
    case scalar(t: Int64, v: Double)
    /// A string at a time.
    case string(t: Int64, v: String)
}

/// Counters about one query.
package struct QueryStats: Sendable, Equatable {
    /// Samples loaded from storage (Prometheus' `totalQueryableSamples`, approximately).
    package var samplesLoaded: Int = 0
    /// The most samples held in memory at once.
    package var peakSamples: Int = 0
}

/// A query's value with its annotations and statistics.
package struct QueryResult: Sendable {
    /// The value.
    package var value: QueryValue
    /// `PromQL warning: ...` annotations, each ending in ` (line:col)`.
    package var warnings: [String]
    /// `PromQL info: ...` annotations.
    package var infos: [String]
    /// Statistics.
    package var stats: QueryStats
}
