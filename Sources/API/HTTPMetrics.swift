import HTTP
import Telemetry

/// Exports the HTTP server's events as `/metrics` families: per-handler request counts by status
/// code, per-handler latency histograms and open connections.
package final class HTTPMetrics: HTTPServerObserver {
    private let requests: CounterFamily
    private let duration: HistogramFamily
    private let open: Gauge
    private let accepted: Counter

    /// Latency buckets in seconds: fine at the low end, where health checks and scrapes live.
    package static let buckets: [Double] = [0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120]

    package init(registry: MetricRegistry) {
        requests = registry.counter("vigil_http_requests_total",
                                    help: "Counter of HTTP requests.", labels: ["code", "handler"])
        duration = registry.histogram("vigil_http_request_duration_seconds",
                                      help: "Histogram of latencies for HTTP requests.", labels: ["handler"],
                                      buckets: HTTPMetrics.buckets)
        open = registry.gauge("vigil_http_open_connections", help: "Number of open HTTP connections.").with()
        accepted = registry.counter("vigil_http_connections_accepted_total",
                                    help: "Total number of accepted HTTP connections.").with()
    }

    package func requestFinished(route: String, method: String, status: Int, seconds: Double) {
        requests.with(values: [String(status), route]).inc()
        duration.with(values: [route]).observe(seconds)
    }

    package func connectionOpened() {
        open.add(1)
        accepted.inc()
    }

    package func connectionClosed() {
        open.add(-1)
    }
}
