import Model

/// What `ExpositionParser.next()` found (Prometheus' `textparse.Entry`).
package enum ExpositionEntry: Sendable, Hashable {
    /// A sample: read `seriesRange`, `value`, `timestamp`, and `labels()` / `exemplar()`.
    case series
    /// A `# HELP` line: read `familyName()` and `helpText()`.
    case help
    /// A `# TYPE` line: read `familyName()` and `metricType`.
    case type
    /// An OpenMetrics `# UNIT` line: read `familyName()` and `unit`.
    case unit
    /// Any other `#` line of the text format: read `commentText()`.
    case comment
}

/// The exposition formats the parser reads.
package enum ExpositionFormat: String, Sendable, Hashable, CaseIterable {
    /// Prometheus text format 0.0.4 (also served for `text/plain; version=1.0.0`).
    case prometheusText = "text/plain"
    /// OpenMetrics text 1.0.0 (and 0.0.1).
    case openMetrics = "application/openmetrics-text"

    /// The media type (without parameters) that selects this format.
    package var mediaType: String { rawValue }
}

/// One OpenMetrics exemplar attached to a sample.
///
/// As in Prometheus 3, exemplar label values are taken as written: escapes are not decoded.
package struct Exemplar: Sendable, Equatable {
    /// The exemplar's labels (`trace_id`, `span_id`, ...).
    package var labels: Labels
    /// The exemplar's value; NaN is canonical (`0x7ff8000000000001`).
    package var value: Double
    /// Milliseconds since the epoch, when the exemplar carries its own timestamp.
    package var timestamp: Int64?

    /// An exemplar.
    package init(labels: Labels, value: Double, timestamp: Int64?) {
        self.labels = labels
        self.value = value
        self.timestamp = timestamp
    }

    /// Equal labels, timestamps and value bits.
    package static func == (a: Exemplar, b: Exemplar) -> Bool {
        a.labels == b.labels && a.timestamp == b.timestamp && a.value.bitPattern == b.value.bitPattern
    }
}
