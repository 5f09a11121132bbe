import Glibc
import Testing
import TestSupport
@testable import HTTP

@Suite struct LimitTests {
    @Test func oversizedHeadersGet431() throws {
        var limits = testLimits()
        limits.maxHeaderBytes = 1024
        try withServer(limits: limits) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(get("/-/healthy", extra: "X-Big: \(String(repeating: "b", count: 2000))\r\n"))
            #expect(try client.readResponse().status == 431)
            #expect(client.isClosedByPeer())
        }
    }

    @Test func oversizedBodyGets413() throws {
        var limits = testLimits()
        limits.maxBodyBytes = 100
        try withServer(limits: limits) { _, port in
            let declared = try RawHTTPClient(port: port)
            try declared.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 1000\r\n\r\n")
            #expect(try declared.readResponse().status == 413)
            #expect(declared.isClosedByPeer())

            let chunked = try RawHTTPClient(port: port)
            try chunked.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n64\r\n\(String(repeating: "a", count: 100))\r\n1\r\nb\r\n")
            #expect(try chunked.readResponse().status == 413)
        }
    }

    @Test func tricklingHeadersGet408() throws {
        var limits = testLimits()
        limits.headerTimeout = .seconds(1)
        try withServer(limits: limits) { _, port in
            let client = try RawHTTPClient(port: port)
            let start = ContinuousClock.now
            // One byte every 300 ms of a head that would take far longer than the timeout.
            let request = Array(get("/-/healthy", extra: "X-Slow: \(String(repeating: "s", count: 100))\r\n").utf8)
            for byte in request {
                if client.hasPendingData() { break }
                try client.send([byte])
                usleep(300_000)
                #expect(elapsed(since: start) < 5)
                if elapsed(since: start) > 5 { break }
            }
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(elapsed(since: start) < 2.5)
            #expect(client.isClosedByPeer())
        }
    }

    @Test func slowBodyGets408() throws {
        var limits = testLimits()
        limits.bodyTimeout = .milliseconds(500)
        try withServer(limits: limits) { _, port in
            let client = try RawHTTPClient(port: port)
            let start = ContinuousClock.now
            try client.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\nabc")
            let response = try client.readResponse()
            #expect(response.status == 408)
            #expect(elapsed(since: start) > 0.4)
            #expect(elapsed(since: start) < 2)
        }
    }

    @Test func idleKeepAliveIsClosedSilently() throws {
        var limits = testLimits()
        limits.idleTimeout = .milliseconds(400)
        try withServer(limits: limits) { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(get("/-/healthy"))
            #expect(try client.readResponse().status == 200)
            let start = ContinuousClock.now
            #expect(client.isClosedByPeer())
            #expect(elapsed(since: start) > 0.3)
            #expect(elapsed(since: start) < 2)
        }
    }

    @Test func silentNewConnectionIsClosedAfterHeaderTimeout() throws {
        var limits = testLimits()
        limits.headerTimeout = .milliseconds(400)
        try withServer(limits: limits) { _, port in
            let client = try RawHTTPClient(port: port)
            let start = ContinuousClock.now
            #expect(client.isClosedByPeer())
            #expect(elapsed(since: start) < 2)
        }
    }

    @Test func connectionsOverTheLimitGet503() throws {
        var limits = testLimits()
        limits.maxConnections = 2
        try withServer(limits: limits) { server, port in
            var first: RawHTTPClient? = try RawHTTPClient(port: port)
            let second = try RawHTTPClient(port: port)
            for client in [first, second].compactMap({ $0 }) {
                try client.send(get("/-/healthy"))
                #expect(try client.readResponse().status == 200)
            }
            let third = try RawHTTPClient(port: port)
            let refused = try third.readResponse()
            #expect(refused.status == 503)
            #expect(refused.text.contains("too many connections"))
            #expect(third.isClosedByPeer())

            first = nil
            // The slot frees once the server has seen the close.
            for _ in 0..<100 where server.openConnections > 1 { usleep(10_000) }
            let fourth = try RawHTTPClient(port: port)
            try fourth.send(get("/-/healthy"))
            #expect(try fourth.readResponse().status == 200)
            _ = first
        }
    }
}
