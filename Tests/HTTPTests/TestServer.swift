import Foundation
import Synchronization
import TestSupport
@testable import HTTP

/// Short limits so timeout tests take well under a second each.
func testLimits() -> ServerLimits {
    var limits = ServerLimits()
    limits.headerTimeout = .seconds(2)
    limits.bodyTimeout = .seconds(2)
    limits.idleTimeout = .seconds(5)
    limits.lingerTimeout = .milliseconds(200)
    return limits
}

/// The routes most tests use.
func standardRouter(pool: WorkerPool? = nil) -> Router {
    var router = Router()
    router.add(.get, "/-/healthy") { _ in .text("Healthy.\n") }
    router.add([.get, .post], "/echo") { request in
        var lines = ["method=\(request.method)", "path=\(request.path)", "body=\(String(decoding: request.body, as: UTF8.self))"]
        for item in request.queryItems { lines.append("q:\(item.name)=\(item.value)") }
        return .text(lines.joined(separator: "\n"))
    }
    router.add(.post, "/form") { request in
        .text(request.formValues("match[]").joined(separator: ",") + "|" + (request.formValue("query") ?? "-"))
    }
    router.add(.get, "/label/:name/values") { request in
        .text("label=\(request.pathParameter("name") ?? "?")")
    }
    if let pool {
        router.add(.get, "/pooled", executor: .pool(pool)) { request in
            .text("pooled \(request.queryValue("n") ?? "")")
        }
    }
    return router
}

/// Starts a server on an ephemeral loopback port, runs `body`, then shuts it down.
func withServer<R>(router: Router = standardRouter(), limits: ServerLimits = testLimits(),
                   observer: (any HTTPServerObserver)? = nil,
                   _ body: (HTTPServer, Int) throws -> R) throws -> R {
    let server = HTTPServer(router: router, limits: limits, loops: 2, observer: observer)
    try server.start()
    defer { server.shutdown(grace: .seconds(2)) }
    return try body(server, server.port)
}

/// `GET path` with Host, as bytes.
func get(_ path: String, extra: String = "") -> String {
    "GET \(path) HTTP/1.1\r\nHost: test\r\n\(extra)\r\n"
}

/// Seconds since `start`.
func elapsed(since start: ContinuousClock.Instant) -> Double {
    let duration = ContinuousClock.now - start
    return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}

/// Counts observer events for assertions.
final class CountingObserver: HTTPServerObserver {
    struct Counts { var requests: [String] = []; var opened = 0; var closed = 0 }
    let counts = Mutex(Counts())
    func requestFinished(route: String, method: String, status: Int, seconds: Double) {
        counts.withLock { $0.requests.append("\(method) \(route) \(status)") }
    }
    func connectionOpened() { counts.withLock { $0.opened += 1 } }
    func connectionClosed() { counts.withLock { $0.closed += 1 } }
}
