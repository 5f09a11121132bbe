/// A complete request as a handler sees it: head, decoded target, body and context.
///
/// Built by the connection once the parser has the whole body, so handlers never deal with
/// partial input. The target is decoded up front: an invalid escape is a 400 before routing.
package struct HTTPRequest: Sendable {
    /// The method as sent (`HEAD` requests reach GET handlers with this still `HEAD`).
    package var method: HTTPMethod
    /// The request target exactly as sent, e.g. `/api/v1/query?query=up`.
    package var target: String
    /// The percent-decoded path (no `+` → space), e.g. `/api/v1/label/job/values`.
    package var path: String
    /// The query items in order, repeated keys kept, decoded with `+` as space.
    package var queryItems: [QueryItem]
    /// The form-encoded body items when the body is `application/x-www-form-urlencoded`.
    package var bodyFormItems: [QueryItem]
    /// The headers, case-insensitive.
    package var headers: HTTPHeaders
    /// The body bytes after de-chunking; empty when none was sent.
    package var body: [UInt8]
    /// Parameters captured by the route pattern (`:name` and `*rest`).
    package var pathParameters: [String: String]
    /// The peer as `ip:port`.
    package var remoteAddress: String
    /// The protocol version of the request.
    package var version: HTTPVersion
    /// Shared with the event loop: tells a long handler the client has gone.
    package var context: RequestContext

    /// A request built by hand, for tests and internal callers; `target` is decoded here.
    package init(method: HTTPMethod, target: String, headers: HTTPHeaders = HTTPHeaders(), body: [UInt8] = [],
                 remoteAddress: String = "", version: HTTPVersion = .http1_1) throws(HTTPError) {
        self.method = method
        self.target = target
        self.headers = headers
        self.body = body
        self.remoteAddress = remoteAddress
        self.version = version
        self.pathParameters = [:]
        self.context = RequestContext()
        let bytes = Array(target.utf8)
        let decoded = try Self.decodeTarget(bytes)
        self.path = decoded.path
        self.queryItems = decoded.query
        self.bodyFormItems = try Self.decodeForm(headers: headers, body: body)
    }

    /// The first query value for `name` (query string only), or nil.
    package func queryValue(_ name: String) -> String? {
        queryItems.first { $0.name == name }?.value
    }

    /// All query values for `name` in order (query string only).
    package func queryValues(_ name: String) -> [String] {
        queryItems.filter { $0.name == name }.map(\.value)
    }

    /// All values for `name` from the form body, then from the query string, like Go's
    /// `Request.Form` after `ParseForm` (body values take precedence in `formValue`).
    package func formValues(_ name: String) -> [String] {
        bodyFormItems.filter { $0.name == name }.map(\.value) + queryValues(name)
    }

    /// The first of `formValues(name)`, or nil: Go's `FormValue`, used for `query`, `time`.
    package func formValue(_ name: String) -> String? {
        bodyFormItems.first { $0.name == name }?.value ?? queryValue(name)
    }

    /// The first value of header `name`, case-insensitive.
    package func header(_ name: String) -> String? {
        headers[name]
    }

    /// The path parameter `name` captured by the route, or nil.
    package func pathParameter(_ name: String) -> String? {
        pathParameters[name]
    }

    /// Splits and decodes an origin-form, absolute-form or `*` target.
    static func decodeTarget(_ bytes: [UInt8]) throws(HTTPError) -> (path: String, query: [QueryItem]) {
        var pathStart = 0
        if bytes.first != ASCII.slash {
            if bytes == [0x2A] { return ("*", []) }
            // Absolute-form (RFC 9112 §3.2.2): drop `scheme://authority`.
            guard let schemeEnd = firstIndex(of: Array("://".utf8), in: bytes) else { throw .malformedTarget }
            let authorityStart = schemeEnd + 3
            pathStart = bytes[authorityStart...].firstIndex(where: { $0 == ASCII.slash || $0 == ASCII.questionMark }) ?? bytes.count
        }
        let queryStart = bytes[pathStart...].firstIndex(of: ASCII.questionMark)
        let pathEnd = queryStart ?? bytes.count
        let path = pathStart == pathEnd ? "/" : try PercentDecoding.decode(bytes[pathStart..<pathEnd], plusAsSpace: false)
        guard let queryStart else { return (path, []) }
        return (path, try FormDecoding.decode(bytes[(queryStart + 1)...]))
    }

    /// Decodes the body as a form when its Content-Type says so.
    static func decodeForm(headers: HTTPHeaders, body: [UInt8]) throws(HTTPError) -> [QueryItem] {
        guard !body.isEmpty, let type = headers["Content-Type"] else { return [] }
        let mediaType = type.split(separator: ";", maxSplits: 1).first.map { $0.trimmingSpaces().lowercased() }
        guard mediaType == "application/x-www-form-urlencoded" else { return [] }
        return try FormDecoding.decode(body)
    }

    private static func firstIndex(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        for start in 0...(haystack.count - needle.count) where haystack[start..<(start + needle.count)].elementsEqual(needle) {
            return start
        }
        return nil
    }
}

extension Substring {
    /// The substring without leading and trailing spaces and tabs.
    func trimmingSpaces() -> Substring {
        var result = self
        while let first = result.first, first == " " || first == "\t" { result.removeFirst() }
        while let last = result.last, last == " " || last == "\t" { result.removeLast() }
        return result
    }
}
