import Foundation
import HTTP
import Model
import PromQL
import TestSupport
@testable import API

/// Loads series in promqltest's `load <interval>` notation: the i-th value is at `i * interval`.
func loadStorage(intervalMs: Int64, _ lines: [String]) -> MemoryStorage {
    let storage = MemoryStorage()
    for line in lines {
        guard let (labels, values) = SeriesDescription.parse(line) else {
            fatalError("bad series description in test: \(line)")
        }
        var samples: [Sample] = []
        for (i, v) in values.enumerated() {
            if case let .value(x) = v { samples.append(Sample(t: Int64(i) * intervalMs, v: x)) }
        }
        storage.add(labels, samples)
    }
    return storage
}

/// Prometheus' `TestFederation` data (web/federate_test.go), also used by the API tests.
func federationStorage() -> MemoryStorage {
    loadStorage(intervalMs: 60_000, [
        #"test_metric1{foo="bar",instance="i"} 0+100x100"#,
        #"test_metric1{foo="boo",instance="i"} 1+0x100"#,
        #"test_metric2{foo="boo",instance="i"} 1+0x100"#,
        "test_metric_without_labels 1+10x100",
        "test_metric_stale 1+10x99 stale",
        "test_metric_old 1+10x98",
    ])
}

/// A running server with the query API over `storage`.
final class APIServer {
    let server: HTTPServer
    let pool: WorkerPool
    var port: Int { server.port }

    init(storage: any Queryable, options: QueryAPIOptions = QueryAPIOptions(),
         engineOptions: EngineOptions = EngineOptions()) throws {
        pool = WorkerPool(name: "api-test", threads: 2, queueCapacity: 64)
        var router = Router()
        QueryAPI(storage: storage, engine: PromQLEngine(options: engineOptions), options: options)
            .register(on: &router, pool: pool)
        server = HTTPServer(router: router, loops: 1)
        try server.start()
    }

    deinit {
        server.shutdown(grace: .seconds(2))
        pool.shutdown()
    }

    /// Sends one request on a fresh connection and reads the answer.
    func send(_ method: String = "GET", _ target: String, body: String? = nil,
              headers: [(String, String)] = []) throws -> RawHTTPResponse {
        let client = try RawHTTPClient(port: port, timeout: .seconds(20))
        var head = "\(method) \(target) HTTP/1.1\r\nHost: test\r\n"
        for (n, v) in headers { head += "\(n): \(v)\r\n" }
        if let body {
            head += "Content-Type: application/x-www-form-urlencoded\r\nContent-Length: \(body.utf8.count)\r\n"
        }
        head += "\r\n" + (body ?? "")
        try client.send(head)
        return try client.readResponse(forHead: method == "HEAD")
    }

    /// `GET target`.
    func get(_ target: String, headers: [(String, String)] = []) throws -> RawHTTPResponse {
        try send("GET", target, headers: headers)
    }
}

/// Percent-encodes a query parameter value (everything but unreserved characters).
func enc(_ s: String) -> String {
    var allowed = CharacterSet.alphanumerics
    allowed.insert(charactersIn: "-._~")
    return s.addingPercentEncoding(withAllowedCharacters: allowed) ?? s
}

/// Options with the clock pinned to `ms`.
func options(nowMs ms: Int64) -> QueryAPIOptions {
    var o = QueryAPIOptions()
    o.nowMs = { ms }
    return o
}
