import Foundation
import Model

/// Settings of the query API that come from flags and configuration.
package struct QueryAPIOptions: Sendable {
    /// `--query.lookback-delta`: how far back instant selectors and `/federate` look (5m).
    package var lookbackDeltaMs: Int64 = 5 * 60 * 1000
    /// `global.external_labels`, attached by `/federate` to series that lack them.
    package var externalLabels: Labels = Labels()
    /// `--web.cors.origin`.
    package var cors: CORSPolicy = .allowAll
    /// Prometheus' fixed limit on points per series in a range query.
    package var maxPointsPerSeries: Int64 = 11_000
    /// Annotations listed per kind before the rest are summarized (Prometheus: 10).
    package var maxAnnotations: Int = 10
    /// The current time in milliseconds; tests pin it.
    package var nowMs: @Sendable () -> Int64 = {
        Int64((Date().timeIntervalSince1970 * 1000).rounded(.down))
    }

    /// Prometheus' defaults.
    package init() {}
}
