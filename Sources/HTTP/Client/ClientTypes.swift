/// One outgoing HTTP/1.1 GET, as a scrape sends it.
package struct ClientRequest: Sendable {
    /// A host name or IPv4 address.
    package var host: String
    package var port: Int
    /// Path and query, e.g. `/metrics?module=x`.
    package var target: String
    /// Extra request headers (`Accept`, `User-Agent`, ...); `Host` is added automatically.
    package var headers: [(name: String, value: String)]
    /// The whole exchange (resolve, connect, send, receive) must finish within this.
    package var timeout: Duration
    /// Largest body accepted; 0 means no limit.
    package var maxBodyBytes: Int

    package init(host: String, port: Int, target: String, headers: [(name: String, value: String)] = [],
                 timeout: Duration = .seconds(10), maxBodyBytes: Int = 0) {
        self.host = host
        self.port = port
        self.target = target
        self.headers = headers
        self.timeout = timeout
        self.maxBodyBytes = maxBodyBytes
    }
}

/// A complete response: status, headers in order, and the de-chunked body.
package struct ClientResponse: Sendable {
    package var status: Int
    package var headers: [(name: String, value: String)]
    package var body: [UInt8]

    /// The first header named `name`, compared case-insensitively.
    package func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.name.lowercased() == lower }?.value
    }
}

/// Why a request failed. Descriptions read like Prometheus' scrape errors where one exists.
package enum HTTPClientError: Error, Sendable, Equatable, CustomStringConvertible {
    case resolve(host: String, reason: String)
    case connect(String)
    /// The deadline passed (Go's client says "context deadline exceeded").
    case timeout
    /// The body is larger than `maxBodyBytes`.
    case bodyTooLarge(limit: Int)
    case malformedResponse(String)
    /// The server closed the connection before the response was complete.
    case connectionClosed
    /// The client was shut down.
    case shutdown

    package var description: String {
        switch self {
        case .resolve(let host, let reason): return "dial tcp: lookup \(host): \(reason)"
        case .connect(let reason): return "dial tcp: \(reason)"
        case .timeout: return "context deadline exceeded"
        case .bodyTooLarge(let limit): return "body size limit exceeded (\(limit) bytes)"
        case .malformedResponse(let reason): return "malformed HTTP response: \(reason)"
        case .connectionClosed: return "EOF: connection closed before the response was complete"
        case .shutdown: return "client shut down"
        }
    }
}
