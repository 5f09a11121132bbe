/// Every bound the server enforces on a client, with Prometheus-like defaults.
///
/// Each limit has one answer: `maxHeaderBytes` → 431, `maxBodyBytes` → 413, the header and body
/// timeouts → 408 then close, `idleTimeout` → silent close, `maxConnections` → accept, answer 503
/// and close (rather than leave clients hanging in the backlog, so they fail fast and visibly),
/// `writeStallTimeout` → close when a client stops reading a response.
package struct ServerLimits: Sendable {
    /// Bytes of request line plus headers (and of chunked trailers). Go's default is 1 MiB.
    package var maxHeaderBytes: Int = 1 << 20
    /// Bytes of a request body after de-chunking. Prometheus remote write allows 32 MiB.
    package var maxBodyBytes: Int = 32 << 20
    /// Time from a request's first byte (or from accept) to the end of its headers.
    package var headerTimeout: Duration = .seconds(10)
    /// Time from the end of the headers to the end of the body.
    package var bodyTimeout: Duration = .seconds(30)
    /// Time a keep-alive connection may sit between requests.
    package var idleTimeout: Duration = .seconds(300)
    /// Time a pending response may make no write progress before the connection is dropped.
    package var writeStallTimeout: Duration = .seconds(60)
    /// Open connections across all loops; further ones are answered 503 and closed.
    package var maxConnections: Int = 4096
    /// Bytes buffered for a streaming response before its writer blocks (back-pressure).
    package var streamBufferBytes: Int = 256 << 10
    /// How long a connection closed after an error keeps draining input so the client reads the
    /// error instead of a reset (the same trick as Go's `closeWriteAndWait`).
    package var lingerTimeout: Duration = .milliseconds(500)

    /// The defaults above.
    package init() {}
}

extension Duration {
    /// The duration in whole nanoseconds, saturating at zero for negatives.
    var nanoseconds: UInt64 {
        let (seconds, attoseconds) = components
        guard seconds >= 0 else { return 0 }
        return UInt64(seconds) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
    }
}
