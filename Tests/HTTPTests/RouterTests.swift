import Testing
import TestSupport
@testable import HTTP

@Suite struct RouterTests {
    static let router: Router = {
        var router = Router()
        let ok: HTTPHandler = { _ in .text("") }
        router.add(.get, "/-/healthy", ok)
        router.add([.get, .post], "/api/v1/query", ok)
        router.add(.get, "/api/v1/label/:name/values", ok)
        router.add(.get, "/api/v1/label/__name__/values", ok)
        router.add(.get, "/api/v1/targets/:a/:b", ok)
        router.add(.delete, "/api/v1/series/:id", ok)
        router.add(.get, "/static/*path", ok)
        router.add(.get, "/static/special/:x", ok)
        return router
    }()

    @Test(arguments: [
        ("GET", "/-/healthy", "found /-/healthy"),
        ("HEAD", "/-/healthy", "found /-/healthy"),
        ("POST", "/api/v1/query", "found /api/v1/query"),
        ("PUT", "/api/v1/query", "405 GET, HEAD, POST"),
        ("GET", "/api/v1/label/job/values", "found /api/v1/label/:name/values name=job"),
        ("GET", "/api/v1/label/__name__/values", "found /api/v1/label/__name__/values"),
        ("GET", "/api/v1/label//values", "404"),
        ("GET", "/api/v1/label/job/values/extra", "404"),
        ("GET", "/api/v1/targets/x/y", "found /api/v1/targets/:a/:b a=x b=y"),
        ("GET", "/api/v1/series/7", "405 DELETE"),
        ("GET", "/static/css/app.css", "found /static/*path path=css/app.css"),
        ("GET", "/static/", "found /static/*path path="),
        ("GET", "/static/special/1", "found /static/special/:x x=1"),
        ("GET", "/nope", "404"),
        ("GET", "/-/healthy/", "404"),
    ])
    func routes(_ method: String, _ path: String, _ want: String) {
        let got: String
        switch Self.router.match(method: HTTPMethod(rawValue: method), path: path) {
        case .found(let route, let parameters):
            got = (["found \(route.pattern)"] + parameters.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }).joined(separator: " ")
        case .methodNotAllowed(let allowed):
            got = "405 " + allowed.map(\.rawValue).joined(separator: ", ")
        case .notFound:
            got = "404"
        }
        #expect(got == want)
    }

    @Test func notFoundAndMethodNotAllowedOverTheWire() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(get("/missing"))
            let missing = try client.readResponse()
            #expect(missing.status == 404)
            try client.send("DELETE /-/healthy HTTP/1.1\r\nHost: h\r\n\r\n")
            let wrong = try client.readResponse()
            #expect(wrong.status == 405)
            #expect(wrong.header("Allow") == "GET, HEAD")
            try client.send(get("/label/instance/values"))
            #expect(try client.readResponse().text == "label=instance")
        }
    }
}
