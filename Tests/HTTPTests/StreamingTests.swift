import Glibc
import Synchronization
import Testing
import TestSupport
@testable import HTTP

@Suite struct StreamingTests {
    static func lines(_ count: Int) -> String {
        (0..<count).map { "line \($0)\n" }.joined()
    }

    static func router(pool: WorkerPool, threw: Flag) -> Router {
        var router = Router()
        router.add(.get, "/stream", executor: .pool(pool)) { request in
            let count = Int(request.queryValue("n") ?? "100") ?? 100
            return HTTPResponse(headers: ["Content-Type": "text/plain"], body: .stream { writer in
                for index in 0..<count { try writer.write("line \(index)\n") }
            })
        }
        router.add(.get, "/inline-stream") { _ in
            HTTPResponse(body: .stream { writer in
                try writer.write("a")
                try writer.write("b")
            })
        }
        router.add(.get, "/big", executor: .pool(pool)) { _ in
            HTTPResponse(body: .stream { writer in
                let piece = [UInt8](repeating: UInt8(ascii: "z"), count: 64 << 10)
                for _ in 0..<128 { try writer.write(piece) }
            })
        }
        router.add(.get, "/endless", executor: .pool(pool)) { _ in
            HTTPResponse(body: .stream { writer in
                let piece = [UInt8](repeating: UInt8(ascii: "e"), count: 64 << 10)
                do {
                    while true { try writer.write(piece) }
                } catch {
                    if (error as? HTTPError) == .clientGone { threw.raise() }
                    throw error
                }
            })
        }
        return router
    }

    @Test func chunkedStreamReadsBack() throws {
        let pool = WorkerPool(name: "stream", threads: 2, queueCapacity: 4)
        defer { pool.shutdown() }
        try withServer(router: Self.router(pool: pool, threw: Flag())) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(get("/stream?n=300"))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.wasChunked)
            #expect(response.header("Transfer-Encoding") == "chunked")
            #expect(response.header("Content-Length") == nil)
            #expect(response.text == Self.lines(300))
            // Keep-alive continues after the last chunk.
            try client.send(get("/stream?n=2"))
            #expect(try client.readResponse().text == Self.lines(2))
        }
    }

    @Test func largeStreamWithSlowReaderIsComplete() throws {
        let pool = WorkerPool(name: "stream", threads: 2, queueCapacity: 4)
        defer { pool.shutdown() }
        try withServer(router: Self.router(pool: pool, threw: Flag())) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(get("/big"))
            usleep(200_000) // Let the buffers fill so the writer has to wait.
            let response = try client.readResponse()
            #expect(response.body.count == 128 * (64 << 10))
            #expect(response.body.allSatisfy { $0 == UInt8(ascii: "z") })
        }
    }

    @Test func inlineStreamIsBufferedWithLength() throws {
        let pool = WorkerPool(name: "stream", threads: 1, queueCapacity: 4)
        defer { pool.shutdown() }
        try withServer(router: Self.router(pool: pool, threw: Flag())) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(get("/inline-stream"))
            let response = try client.readResponse()
            #expect(response.text == "ab")
            #expect(response.header("Content-Length") == "2")
        }
    }

    @Test func http10StreamEndsWithClose() throws {
        let pool = WorkerPool(name: "stream", threads: 1, queueCapacity: 4)
        defer { pool.shutdown() }
        try withServer(router: Self.router(pool: pool, threw: Flag())) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("GET /stream?n=5 HTTP/1.0\r\n\r\n")
            let response = try client.readResponse()
            #expect(!response.wasChunked)
            #expect(response.text == Self.lines(5))
        }
    }

    @Test func headOfStreamSendsNoBody() throws {
        let pool = WorkerPool(name: "stream", threads: 1, queueCapacity: 4)
        defer { pool.shutdown() }
        try withServer(router: Self.router(pool: pool, threw: Flag())) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("HEAD /stream HTTP/1.1\r\nHost: h\r\n\r\n" + get("/stream?n=1"))
            let head = try client.readResponse(forHead: true)
            #expect(head.header("Transfer-Encoding") == "chunked")
            #expect(try client.readResponse().text == Self.lines(1))
        }
    }

    @Test func clientDisconnectMakesWriterThrow() throws {
        let pool = WorkerPool(name: "stream", threads: 1, queueCapacity: 4)
        defer { pool.shutdown() }
        let threw = Flag()
        try withServer(router: Self.router(pool: pool, threw: threw)) { _, port in
            var client: RawHTTPClient? = try RawHTTPClient(port: port)
            try client?.send(get("/endless"))
            usleep(100_000)
            client?.reset()
            client = nil
            #expect(threw.wait())
        }
    }
}
