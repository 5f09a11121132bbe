/// A handler's answer: status, headers and a body of bytes or a stream.
///
/// The server owns the framing headers: it always writes `Date`, writes `Content-Length` for a
/// byte body (also for HEAD) and `Transfer-Encoding: chunked` for a stream, and `Connection`
/// when the connection will close; such headers set by a handler are dropped.
package struct HTTPResponse: Sendable {
    /// How the body is produced.
    package enum Body: Sendable {
        /// A complete body, sent with `Content-Length`.
        case bytes([UInt8])
        /// A body written piece by piece with `Transfer-Encoding: chunked` (HTTP/1.0 clients get
        /// the raw bytes and a close). On a pool route the closure runs on the worker thread and
        /// `write` blocks while the connection's outbound buffer is above
        /// `ServerLimits.streamBufferBytes`; it throws `HTTPError.clientGone` once the client has
        /// left. On an `.inline` route it runs on the loop thread and is buffered whole, since
        /// blocking there would stall every connection of the loop.
        case stream(@Sendable (ResponseBodyWriter) throws -> Void)
    }

    /// The status code.
    package var status: Int
    /// Headers in order; see the type comment for the ones the server writes itself.
    package var headers: HTTPHeaders
    /// The body.
    package var body: Body

    /// A response with explicit parts.
    package init(status: Int = 200, headers: HTTPHeaders = HTTPHeaders(), body: Body = .bytes([])) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    /// A byte body with a Content-Type.
    package init(status: Int = 200, contentType: String, body: [UInt8]) {
        self.status = status
        self.headers = HTTPHeaders()
        self.headers.add(name: "Content-Type", value: contentType)
        self.body = .bytes(body)
    }

    /// A `text/plain; charset=utf-8` response.
    package static func text(_ text: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, contentType: "text/plain; charset=utf-8", body: Array(text.utf8))
    }

    /// Go's `http.Error(w, message, status)`: the message and a newline as plain text, with
    /// `X-Content-Type-Options: nosniff` (what Prometheus answers for unknown paths and methods).
    package static func goError(_ message: String, status: Int) -> HTTPResponse {
        var response = text(message + "\n", status: status)
        response.headers.add(name: "X-Content-Type-Options", value: "nosniff")
        return response
    }

    /// The one-line `text/plain` answer for `error`, e.g. `400 Bad Request: bad Content-Length`.
    package static func error(_ error: HTTPError) -> HTTPResponse {
        text("\(error.status) \(reasonPhrase(error.status)): \(error.description)", status: error.status)
    }

    /// The standard reason phrase for `status` (RFC 9110 §15), or "Unknown".
    package static func reasonPhrase(_ status: Int) -> String {
        switch status {
        case 100: return "Continue"
        case 200: return "OK"
        case 201: return "Created"
        case 202: return "Accepted"
        case 204: return "No Content"
        case 206: return "Partial Content"
        case 301: return "Moved Permanently"
        case 302: return "Found"
        case 303: return "See Other"
        case 304: return "Not Modified"
        case 307: return "Temporary Redirect"
        case 308: return "Permanent Redirect"
        case 400: return "Bad Request"
        case 401: return "Unauthorized"
        case 403: return "Forbidden"
        case 404: return "Not Found"
        case 405: return "Method Not Allowed"
        case 406: return "Not Acceptable"
        case 408: return "Request Timeout"
        case 409: return "Conflict"
        case 410: return "Gone"
        case 411: return "Length Required"
        case 413: return "Request Entity Too Large"
        case 414: return "Request URI Too Long"
        case 415: return "Unsupported Media Type"
        case 417: return "Expectation Failed"
        case 422: return "Unprocessable Entity"
        case 429: return "Too Many Requests"
        case 431: return "Request Header Fields Too Large"
        case 499: return "Client Closed Request"
        case 500: return "Internal Server Error"
        case 501: return "Not Implemented"
        case 502: return "Bad Gateway"
        case 503: return "Service Unavailable"
        case 504: return "Gateway Timeout"
        case 505: return "HTTP Version Not Supported"
        default: return "Unknown"
        }
    }
}
