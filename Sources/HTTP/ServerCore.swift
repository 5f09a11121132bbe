import Synchronization

/// What every event loop of one server shares: configuration and the connection count.
final class ServerCore: Sendable {
    let router: Router
    let limits: ServerLimits
    let observer: (any HTTPServerObserver)?
    /// Open connections across all loops, for `ServerLimits.maxConnections`.
    let openConnections = Atomic<Int>(0)
    /// Nanoseconds between timeout sweeps: a quarter of the shortest timeout, 10–250 ms, so a
    /// deadline fires at most 25% late while 2000 idle connections cost a few µs per sweep.
    let sweepIntervalNanos: UInt64

    init(router: Router, limits: ServerLimits, observer: (any HTTPServerObserver)?) {
        self.router = router
        self.limits = limits
        self.observer = observer
        let shortest = [limits.headerTimeout, limits.bodyTimeout, limits.idleTimeout, limits.lingerTimeout,
                        limits.writeStallTimeout].map(\.nanoseconds).min() ?? 1_000_000_000
        sweepIntervalNanos = min(max(shortest / 4, 10_000_000), 250_000_000)
    }
}
