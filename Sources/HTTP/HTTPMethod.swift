/// A request method. Any token is accepted; the common ones have constants.
package struct HTTPMethod: RawRepresentable, Hashable, Sendable, CustomStringConvertible {
    /// The method exactly as sent (methods are case-sensitive, RFC 9110 §9.1).
    package let rawValue: String

    /// Wraps a method name.
    package init(rawValue: String) { self.rawValue = rawValue }

    /// `GET`.
    package static let get = HTTPMethod(rawValue: "GET")
    /// `HEAD`: routed to the GET handler, answered without body bytes.
    package static let head = HTTPMethod(rawValue: "HEAD")
    /// `POST`.
    package static let post = HTTPMethod(rawValue: "POST")
    /// `PUT`.
    package static let put = HTTPMethod(rawValue: "PUT")
    /// `DELETE`.
    package static let delete = HTTPMethod(rawValue: "DELETE")
    /// `PATCH`.
    package static let patch = HTTPMethod(rawValue: "PATCH")
    /// `OPTIONS`.
    package static let options = HTTPMethod(rawValue: "OPTIONS")

    /// The method name.
    package var description: String { rawValue }
}

/// The request's protocol version. Only major version 1 is served.
package struct HTTPVersion: Hashable, Sendable, CustomStringConvertible {
    /// The major number, always 1 for a served request.
    package let major: Int
    /// The minor number: 0 means HTTP/1.0 semantics (close unless keep-alive asked).
    package let minor: Int

    /// HTTP/1.0.
    package static let http1_0 = HTTPVersion(major: 1, minor: 0)
    /// HTTP/1.1.
    package static let http1_1 = HTTPVersion(major: 1, minor: 1)

    /// `HTTP/1.0` or `HTTP/1.1`.
    package var description: String { "HTTP/\(major).\(minor)" }
}
