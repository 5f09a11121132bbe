import HTTP
import Model

/// Prometheus' `--web.cors.origin` handling (`util/httputil/cors.go`): every API response gets
/// `Vary: Origin`; when the request carries an `Origin` header, the allowed methods, headers and
/// exposed headers are added, and `Access-Control-Allow-Origin` is `*` for the default pattern
/// `.*` or the origin itself when it matches the fully anchored regex.
package struct CORSPolicy: Sendable {
    /// The regex source as given on the command line.
    package let pattern: String
    private let matcher: Matcher

    /// The default, `.*`: any origin, answered with `*`.
    package static let allowAll: CORSPolicy = {
        // `.*` always compiles; the fallback keeps this free of force unwraps anyway.
        (try? CORSPolicy(originRegex: ".*")) ?? CORSPolicy(pattern: ".*", matcher: .equal("origin", ""))
    }()

    /// A policy for `originRegex`, anchored as Prometheus anchors it (`^(?:re)$`); throws when
    /// the regex does not compile.
    package init(originRegex: String) throws(StorageError) {
        self.pattern = originRegex
        self.matcher = try Matcher(.regexMatch, "origin", originRegex)
    }

    private init(pattern: String, matcher: Matcher) {
        self.pattern = pattern
        self.matcher = matcher
    }

    /// Adds the CORS headers for a request with `origin` (nil when the header is absent).
    package func apply(origin: String?, to headers: inout HTTPHeaders) {
        headers.add(name: "Vary", value: "Origin")
        guard let origin, !origin.isEmpty else { return }
        headers.replaceOrAdd(name: "Access-Control-Allow-Headers", value: "Accept, Authorization, Content-Type, Origin")
        headers.replaceOrAdd(name: "Access-Control-Allow-Methods", value: "GET, POST, OPTIONS")
        headers.replaceOrAdd(name: "Access-Control-Expose-Headers", value: "Date")
        if pattern == ".*" {
            headers.replaceOrAdd(name: "Access-Control-Allow-Origin", value: "*")
        } else if matcher.matches(origin) {
            headers.replaceOrAdd(name: "Access-Control-Allow-Origin", value: origin)
        }
    }
}
