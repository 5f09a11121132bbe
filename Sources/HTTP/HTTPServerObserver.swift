/// Receives the server's events so the daemon can export `/metrics` without HTTP depending on
/// the telemetry module.
///
/// Calls come from event-loop and worker threads, concurrently: implementations must be cheap
/// and thread-safe (atomics or a sharded lock), because they run on the request path.
package protocol HTTPServerObserver: Sendable {
    /// A response was fully queued (for a stream: finished or abandoned). `route` is the route
    /// pattern or `Router.unmatchedRouteName`; `seconds` runs from the end of the request body
    /// to the response being handed to the socket.
    func requestFinished(route: String, method: String, status: Int, seconds: Double)
    /// A connection was accepted and counted toward `ServerLimits.maxConnections`.
    func connectionOpened()
    /// A counted connection was closed.
    func connectionClosed()
}

/// Every event is optional: an observer implements only what it exports.
extension HTTPServerObserver {
    /// Does nothing.
    package func requestFinished(route: String, method: String, status: Int, seconds: Double) {}
    /// Does nothing.
    package func connectionOpened() {}
    /// Does nothing.
    package func connectionClosed() {}
}
