import Glibc
import Testing
import TestSupport
@testable import HTTP

@Suite struct ShutdownTests {
    @Test func inFlightRequestCompletesThenNewConnectionsAreRefused() throws {
        let pool = WorkerPool(name: "work", threads: 1, queueCapacity: 1)
        defer { pool.shutdown() }
        let started = Flag()
        var router = standardRouter()
        router.add(.get, "/work", executor: .pool(pool)) { _ in
            started.raise()
            usleep(500_000)
            return .text("finished")
        }
        let server = HTTPServer(router: router, limits: testLimits(), loops: 2)
        try server.start()
        let port = server.port
        let idle = try RawHTTPClient(port: port)
        try idle.send(get("/-/healthy"))
        #expect(try idle.readResponse().status == 200)

        let busy = try RawHTTPClient(port: port)
        try busy.send(get("/work"))
        #expect(started.wait())
        let done = Flag()
        let start = ContinuousClock.now
        runOnThreads(1) { _ in
            server.shutdown(grace: .seconds(5))
            done.raise()
        }
        // `runOnThreads` waited for shutdown, so it has returned: the in-flight request was
        // answered first, with Connection: close.
        #expect(done.isRaised)
        #expect(elapsed(since: start) < 3)
        let response = try busy.readResponse()
        #expect(response.text == "finished")
        #expect(response.header("Connection") == "close")
        #expect(idle.isClosedByPeer())
        #expect(throws: RawHTTPClientError.connectFailed(ECONNREFUSED)) { try RawHTTPClient(port: port) }
    }

    @Test func graceExpiryClosesStragglers() throws {
        let pool = WorkerPool(name: "stuck", threads: 1, queueCapacity: 1)
        defer { pool.shutdown() }
        let started = Flag()
        var router = Router()
        router.add(.get, "/stuck", executor: .pool(pool)) { request in
            started.raise()
            for _ in 0..<300 where !request.context.isClientGone { usleep(10_000) }
            return .text("too late")
        }
        let server = HTTPServer(router: router, limits: testLimits(), loops: 1)
        try server.start()
        let client = try RawHTTPClient(port: server.port)
        try client.send(get("/stuck"))
        #expect(started.wait())
        let start = ContinuousClock.now
        server.shutdown(grace: .milliseconds(300))
        #expect(elapsed(since: start) < 1.5)
        #expect(client.isClosedByPeer())
    }
}

@Suite struct LateWorkerTests {
    /// A worker finishing after shutdown must not write its wake-up into a descriptor number the
    /// loop released (it once did: 8 stray bytes landed in an unrelated socket).
    @Test func lateWorkerResultTouchesNoReusedDescriptor() throws {
        let pool = WorkerPool(name: "late", threads: 1, queueCapacity: 1)
        defer { pool.shutdown() }
        let started = Flag()
        var router = Router()
        router.add(.get, "/late", executor: .pool(pool)) { _ in
            started.raise()
            usleep(300_000)
            return .text("late")
        }
        let server = HTTPServer(router: router, limits: testLimits(), loops: 1)
        try server.start()
        let client = try RawHTTPClient(port: server.port)
        try client.send(get("/late"))
        #expect(started.wait())
        server.shutdown(grace: .milliseconds(20))
        // Take the lowest free descriptor numbers, as any new socket would.
        var pairs: [[Int32]] = []
        for _ in 0..<16 {
            var fds: [Int32] = [0, 0]
            #expect(socketpair(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0, &fds) == 0)
            pairs.append(fds)
        }
        defer { for pair in pairs { close(pair[0]); close(pair[1]) } }
        usleep(600_000)
        for pair in pairs {
            for fd in pair {
                var byte: UInt8 = 0
                #expect(recv(fd, &byte, 1, Int32(MSG_DONTWAIT)) < 0)
            }
        }
    }
}

@Suite struct ConcurrencyTests {
    @Test func fiftyClientsHundredRequestsEach() throws {
        let pool = WorkerPool(name: "mixed", threads: 4, queueCapacity: 64)
        defer { pool.shutdown() }
        try withServer(router: standardRouter(pool: pool)) { _, port in
            let failures = Flag()
            runOnThreads(50) { thread in
                do {
                    let client = try RawHTTPClient(port: port)
                    for index in 0..<100 {
                        let pooled = index % 4 == 0
                        try client.send(get(pooled ? "/pooled?n=\(thread)-\(index)" : "/echo?i=\(thread)-\(index)"))
                        let response = try client.readResponse()
                        let want = pooled ? "pooled \(thread)-\(index)" : "q:i=\(thread)-\(index)"
                        if response.status != 200 || !response.text.hasSuffix(want) { failures.raise() }
                    }
                } catch {
                    failures.raise()
                }
            }
            #expect(!failures.isRaised)
        }
    }
}
