/// Everything that can go wrong in the HTTP module, each mapped to its status in one place.
///
/// The `description` is the one-line `text/plain` reason sent to the client, worded like Go's
/// net/http where an equivalent exists so operators see familiar messages.
package enum HTTPError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The request line is not `method SP target SP version`.
    case malformedRequestLine
    /// The request target is not origin-form, absolute-form or `*`.
    case malformedTarget
    /// The version is not `HTTP/d.d`.
    case malformedVersion
    /// The version's major number is not 1.
    case unsupportedVersion
    /// A header line has no colon, a bad name, a bad value byte, or is an obs-fold.
    case malformedHeader(String)
    /// HTTP/1.1 without exactly one Host header (RFC 9112 §3.2).
    case missingHost
    /// Both Content-Length and Transfer-Encoding were sent (RFC 9112 §6.3: smuggling risk).
    case conflictingFraming
    /// Content-Length not a decimal number, or repeated with different values.
    case invalidContentLength
    /// A Transfer-Encoding other than `chunked`.
    case unsupportedTransferEncoding
    /// An `Expect` other than `100-continue`.
    case unsupportedExpectation
    /// A malformed chunk size line, or missing CRLF after chunk data.
    case invalidChunk(String)
    /// A `%` not followed by two hex digits; the payload is the escape as sent, e.g. `%zz`.
    case invalidURLEscape(String)
    /// The request head (or chunked trailers) exceeded `ServerLimits.maxHeaderBytes`.
    case headersTooLarge
    /// The body exceeded `ServerLimits.maxBodyBytes`.
    case bodyTooLarge(limit: Int)
    /// The head or body did not arrive within its timeout.
    case requestTimeout
    /// A worker pool's queue is full; the payload is the pool name.
    case poolFull(String)
    /// The server is shutting down or at its connection limit.
    case unavailable(String)
    /// The client closed the connection; a streaming writer throws this.
    case clientGone
    /// A system call failed while setting up the server.
    case system(call: String, errno: Int32)

    /// The response status for this error; `clientGone` and `system` never reach a client.
    package var status: Int {
        switch self {
        case .malformedRequestLine, .malformedTarget, .malformedVersion, .malformedHeader,
             .missingHost, .conflictingFraming, .invalidContentLength, .invalidChunk,
             .invalidURLEscape:
            return 400
        case .unsupportedVersion: return 505
        case .unsupportedTransferEncoding: return 501
        case .unsupportedExpectation: return 417
        case .headersTooLarge: return 431
        case .bodyTooLarge: return 413
        case .requestTimeout: return 408
        case .poolFull, .unavailable: return 503
        case .clientGone: return 499
        case .system: return 500
        }
    }

    /// The one-line reason sent to the client after the status, e.g. `bad Content-Length`.
    package var description: String {
        switch self {
        case .malformedRequestLine: return "malformed HTTP request line"
        case .malformedTarget: return "malformed request target"
        case .malformedVersion: return "malformed HTTP version"
        case .unsupportedVersion: return "unsupported protocol version"
        case .malformedHeader(let what): return "malformed header: \(what)"
        case .missingHost: return "missing required Host header"
        case .conflictingFraming: return "both Content-Length and Transfer-Encoding present"
        case .invalidContentLength: return "bad Content-Length"
        case .unsupportedTransferEncoding: return "unsupported transfer encoding"
        case .unsupportedExpectation: return "unsupported Expect header"
        case .invalidChunk(let what): return "invalid chunked body: \(what)"
        case .invalidURLEscape(let escape): return "invalid URL escape \"\(escape)\""
        case .headersTooLarge: return "request header too large"
        case .bodyTooLarge(let limit): return "request body too large (limit \(limit) bytes)"
        case .requestTimeout: return "request timeout"
        case .poolFull(let name): return "worker pool \"\(name)\" is full, try again later"
        case .unavailable(let why): return why
        case .clientGone: return "client closed the connection"
        case .system(let call, let code): return "\(call): \(LinuxSystem.errorText(code))"
        }
    }
}
