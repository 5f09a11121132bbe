/// A request handler. Handlers are synchronous: blocking work (SQLite, queries) runs in them,
/// on the thread the route's executor chooses.
package typealias HTTPHandler = @Sendable (HTTPRequest) -> HTTPResponse

/// Where a route's handler runs.
package enum RouteExecutor: Sendable {
    /// On the event-loop thread: only for cheap, non-blocking handlers (`/-/healthy`, `/metrics`).
    case inline
    /// On a bounded worker pool; a full queue answers 503.
    case pool(WorkerPool)
}

/// One registered route.
package struct Route: Sendable {
    /// The pattern as registered; the stable route name used for metrics.
    package let pattern: String
    /// The method it answers (HEAD reaches GET routes unless one is registered for HEAD).
    package let method: HTTPMethod
    /// Where the handler runs.
    package let executor: RouteExecutor
    /// The handler.
    package let handler: HTTPHandler
}

/// The outcome of routing one request.
package enum RouteMatch: Sendable {
    /// A route and the parameters captured from the path.
    case found(Route, parameters: [String: String])
    /// The path exists for other methods; `allowed` feeds the `Allow` header of the 405.
    case methodNotAllowed(allowed: [HTTPMethod])
    /// No pattern matches the path.
    case notFound
}

/// Method + path-pattern routing.
///
/// Patterns are literal segments, `:name` (one non-empty segment) and a final `*name` (the rest
/// of the path, possibly empty). Patterns without parameters are looked up in a dictionary
/// (the fast path for `/-/healthy`, `/metrics`, `/api/v1/query`); the others are tried in
/// turn and the most specific match wins, literal before `:param` before `*wildcard`, segment by
/// segment from the left.
package struct Router: Sendable {
    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
        case wildcard(String)

        var rank: Int {
            switch self {
            case .literal: return 0
            case .parameter: return 1
            case .wildcard: return 2
            }
        }
    }

    private struct PatternRoutes: Sendable {
        var pattern: String
        var segments: [Segment]
        var byMethod: [HTTPMethod: Route]
    }

    private var exact: [String: [HTTPMethod: Route]] = [:]
    private var dynamic: [PatternRoutes] = []

    /// The route name for requests that matched no route (404) or no method (405).
    package static let unmatchedRouteName = "notfound"

    /// An empty router: everything is 404.
    package init() {}

    /// Adds `handler` for `method` on `pattern`, replacing an earlier identical registration.
    package mutating func add(_ method: HTTPMethod, _ pattern: String, executor: RouteExecutor = .inline,
                              _ handler: @escaping HTTPHandler) {
        let route = Route(pattern: pattern, method: method, executor: executor, handler: handler)
        let segments = Self.segments(of: pattern)
        if segments.allSatisfy({ if case .literal = $0 { return true } else { return false } }) {
            exact[pattern, default: [:]][method] = route
        } else if let index = dynamic.firstIndex(where: { $0.pattern == pattern }) {
            dynamic[index].byMethod[method] = route
        } else {
            dynamic.append(PatternRoutes(pattern: pattern, segments: segments, byMethod: [method: route]))
        }
    }

    /// Adds `handler` for each of `methods` (e.g. GET and POST for `/api/v1/query`).
    package mutating func add(_ methods: [HTTPMethod], _ pattern: String, executor: RouteExecutor = .inline,
                              _ handler: @escaping HTTPHandler) {
        for method in methods { add(method, pattern, executor: executor, handler) }
    }

    /// Routes a decoded path.
    package func match(method: HTTPMethod, path: String) -> RouteMatch {
        if let routes = exact[path] {
            if let route = Self.route(in: routes, for: method) { return .found(route, parameters: [:]) }
            return .methodNotAllowed(allowed: Self.allowed(routes))
        }
        guard !dynamic.isEmpty else { return .notFound }
        let parts = Self.pathParts(path)
        var best: (route: Route, parameters: [String: String], segments: [Segment])?
        var allowed = Set<HTTPMethod>()
        // The most specific pattern that matched the path but not the method.
        var mismatched: [Segment]?
        for candidate in dynamic {
            guard let parameters = Self.capture(candidate.segments, parts) else { continue }
            guard let route = Self.route(in: candidate.byMethod, for: method) else {
                allowed.formUnion(Self.allowed(candidate.byMethod))
                if mismatched.map({ Self.isMoreSpecific(candidate.segments, than: $0) }) ?? true { mismatched = candidate.segments }
                continue
            }
            if let current = best, !Self.isMoreSpecific(candidate.segments, than: current.segments) { continue }
            best = (route, parameters, candidate.segments)
        }
        // A catch-all for the method does not hide a more specific path's 405 (as in Go's
        // httprouter, where the specific route owns the path).
        if let best, !(mismatched.map { Self.isMoreSpecific($0, than: best.segments) } ?? false) {
            return .found(best.route, parameters: best.parameters)
        }
        if !allowed.isEmpty { return .methodNotAllowed(allowed: allowed.sorted { $0.rawValue < $1.rawValue }) }
        return .notFound
    }

    private static func route(in routes: [HTTPMethod: Route], for method: HTTPMethod) -> Route? {
        if let route = routes[method] { return route }
        return method == .head ? routes[.get] : nil
    }

    private static func allowed(_ routes: [HTTPMethod: Route]) -> [HTTPMethod] {
        var methods = Set(routes.keys)
        if methods.contains(.get) { methods.insert(.head) }
        return methods.sorted { $0.rawValue < $1.rawValue }
    }

    private static func segments(of pattern: String) -> [Segment] {
        pathParts(pattern).map { part in
            if part.hasPrefix(":"), part.count > 1 { return .parameter(String(part.dropFirst())) }
            if part.hasPrefix("*") { return .wildcard(String(part.dropFirst())) }
            return .literal(String(part))
        }
    }

    /// The segments between slashes; `/a/b/` gives `a`, `b`, `` so trailing slashes matter.
    private static func pathParts(_ path: String) -> [Substring] {
        let trimmed = path.hasPrefix("/") ? path.dropFirst() : Substring(path)
        return trimmed.split(separator: "/", omittingEmptySubsequences: false)
    }

    private static func capture(_ segments: [Segment], _ parts: [Substring]) -> [String: String]? {
        var parameters: [String: String] = [:]
        for (index, segment) in segments.enumerated() {
            switch segment {
            case .wildcard(let name):
                parameters[name] = index < parts.count ? parts[index...].joined(separator: "/") : ""
                return index <= parts.count ? parameters : nil
            case .literal(let text):
                guard index < parts.count, parts[index] == text else { return nil }
            case .parameter(let name):
                guard index < parts.count, !parts[index].isEmpty else { return nil }
                parameters[name] = String(parts[index])
            }
        }
        return segments.count == parts.count ? parameters : nil
    }

    private static func isMoreSpecific(_ lhs: [Segment], than rhs: [Segment]) -> Bool {
        for (left, right) in zip(lhs, rhs) where left.rank != right.rank {
            return left.rank < right.rank
        }
        return lhs.count > rhs.count
    }
}
