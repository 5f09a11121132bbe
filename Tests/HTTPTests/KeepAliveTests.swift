import Testing
import TestSupport
@testable import HTTP

@Suite struct KeepAliveTests {
    @Test func healthyAnswers() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(get("/-/healthy"))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.text == "Healthy.\n")
            #expect(response.header("Content-Length") == "9")
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(response.header("Date")?.hasSuffix(" GMT") == true)
            #expect(response.header("Connection") == nil)
        }
    }

    @Test func thousandRequestsOnOneConnection() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            for index in 0..<1000 {
                try client.send(get("/echo?i=\(index)"))
                let response = try client.readResponse()
                #expect(response.status == 200)
                #expect(response.text.hasSuffix("q:i=\(index)"))
            }
        }
    }

    @Test func pipelinedRequestsAnsweredInOrder() throws {
        let pool = WorkerPool(name: "pipeline", threads: 2, queueCapacity: 16)
        defer { pool.shutdown() }
        try withServer(router: standardRouter(pool: pool)) { _, port in
            let client = try RawHTTPClient(port: port)
            // Inline and pooled routes interleaved: the order must hold across executors.
            let batch = (0..<10).map { index in
                get(index % 2 == 0 ? "/echo?i=\(index)" : "/pooled?n=\(index)")
            }.joined()
            try client.send(batch)
            for index in 0..<10 {
                let response = try client.readResponse()
                #expect(response.status == 200)
                if index % 2 == 0 {
                    #expect(response.text.hasSuffix("q:i=\(index)"))
                } else {
                    #expect(response.text == "pooled \(index)")
                }
            }
        }
    }

    @Test func connectionCloseIsHonoured() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(get("/-/healthy", extra: "Connection: close\r\n"))
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.header("Connection") == "close")
            #expect(client.isClosedByPeer())
        }
    }

    @Test func http10ClosesUnlessKeepAliveAsked() throws {
        try withServer { _, port in
            let plain = try RawHTTPClient(port: port)
            try plain.send("GET /-/healthy HTTP/1.0\r\n\r\n")
            let first = try plain.readResponse()
            #expect(first.status == 200)
            #expect(first.header("Connection") == "close")
            #expect(plain.isClosedByPeer())

            let kept = try RawHTTPClient(port: port)
            for _ in 0..<3 {
                try kept.send("GET /-/healthy HTTP/1.0\r\nConnection: keep-alive\r\n\r\n")
                let response = try kept.readResponse()
                #expect(response.status == 200)
                #expect(response.header("Connection") == "keep-alive")
            }
        }
    }

    @Test func headHasHeadersButNoBody() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("HEAD /-/healthy HTTP/1.1\r\nHost: x\r\n\r\n" + get("/-/healthy"))
            let head = try client.readResponse(forHead: true)
            #expect(head.status == 200)
            #expect(head.header("Content-Length") == "9")
            #expect(head.body.isEmpty)
            // The next response starts right after the head: no body bytes were sent.
            let next = try client.readResponse()
            #expect(next.text == "Healthy.\n")
        }
    }

    @Test func observerSeesRoutesAndConnections() throws {
        let observer = CountingObserver()
        try withServer(observer: observer) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(get("/label/job/values") + get("/nope") + get("/-/healthy", extra: "Connection: close\r\n"))
            for _ in 0..<3 { _ = try client.readResponse() }
            #expect(client.isClosedByPeer())
        }
        let counts = observer.counts.withLock { $0 }
        #expect(counts.requests == ["GET /label/:name/values 200", "GET notfound 404", "GET /-/healthy 200"])
        #expect(counts.opened == 1)
        #expect(counts.closed == 1)
    }
}
