/// One metric's metadata as a scrape target declared it (`# TYPE`, `# HELP`, `# UNIT`).
package struct MetricMetadata: Sendable, Equatable {
    /// `counter`, `gauge`, `histogram`, `summary`, `untyped`...
    package var type: String
    /// The help text.
    package var help: String
    /// The unit, often empty.
    package var unit: String

    /// A metadata entry.
    package init(type: String, help: String, unit: String) {
        self.type = type
        self.help = help
        self.unit = unit
    }
}

/// Where the API reads metric metadata from. The scrape engine implements it (it holds the
/// per-target metadata caches); until then `NoMetricMetadata` answers with nothing, so
/// federation announces every family as `untyped`, as Prometheus' federation always does.
package protocol MetricMetadataSource: Sendable {
    /// Metadata per metric name, at most `limit` names when `limit > 0`; all names when
    /// `metric` is nil, else only that one.
    func metadata(metric: String?, limit: Int) -> [String: [MetricMetadata]]
}

/// The metadata source used until the scrape engine provides one: always empty.
package struct NoMetricMetadata: MetricMetadataSource {
    /// The empty source.
    package init() {}

    /// Nothing.
    package func metadata(metric: String?, limit: Int) -> [String: [MetricMetadata]] { [:] }
}
