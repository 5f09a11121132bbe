import Glibc
import Synchronization
import Testing
import TestSupport
@testable import HTTP

/// A flag a handler raises and a test waits for, with a bound.
final class Flag: Sendable {
    private let value = Atomic<Bool>(false)
    func raise() { value.store(true, ordering: .releasing) }
    var isRaised: Bool { value.load(ordering: .acquiring) }
    /// Waits up to `seconds`; returns whether it was raised.
    func wait(seconds: Double = 5) -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while !isRaised && ContinuousClock.now < deadline { usleep(2_000) }
        return isRaised
    }
}

@Suite struct WorkerPoolTests {
    @Test func slowPoolDoesNotDelayInlineOrOtherPool() throws {
        let slowPool = WorkerPool(name: "query", threads: 1, queueCapacity: 4)
        let otherPool = WorkerPool(name: "ingest", threads: 1, queueCapacity: 4)
        defer { slowPool.shutdown(); otherPool.shutdown() }
        let started = Flag()
        var router = standardRouter()
        router.add(.get, "/slow", executor: .pool(slowPool)) { _ in
            started.raise()
            usleep(2_000_000)
            return .text("slow done")
        }
        router.add(.get, "/ingest", executor: .pool(otherPool)) { _ in .text("ingested") }
        try withServer(router: router) { _, port in
            let slowClient = try RawHTTPClient(port: port)
            try slowClient.send(get("/slow"))
            #expect(started.wait())

            let client = try RawHTTPClient(port: port)
            var start = ContinuousClock.now
            try client.send(get("/-/healthy"))
            #expect(try client.readResponse().status == 200)
            #expect(elapsed(since: start) < 0.5)

            start = ContinuousClock.now
            try client.send(get("/ingest"))
            #expect(try client.readResponse().text == "ingested")
            #expect(elapsed(since: start) < 0.5)

            #expect(try slowClient.readResponse().text == "slow done")
        }
    }

    @Test func fullPoolAnswers503() throws {
        let pool = WorkerPool(name: "tiny", threads: 1, queueCapacity: 0)
        defer { pool.shutdown() }
        let started = Flag()
        let release = Flag()
        var router = Router()
        router.add(.get, "/block", executor: .pool(pool)) { _ in
            started.raise()
            _ = release.wait()
            return .text("released")
        }
        try withServer(router: router) { _, port in
            let busy = try RawHTTPClient(port: port)
            try busy.send(get("/block"))
            #expect(started.wait())
            let rejected = try RawHTTPClient(port: port)
            try rejected.send(get("/block"))
            let response = try rejected.readResponse()
            #expect(response.status == 503)
            #expect(response.text == "503 Service Unavailable: worker pool \"tiny\" is full, try again later")
            release.raise()
            #expect(try busy.readResponse().text == "released")
            // The worker counts as busy until it has handed its response back to the loop, which
            // can be just after the client read it; wait for it to be free (bounded).
            let deadline = ContinuousClock.now + .seconds(5)
            while pool.busyCount > 0, ContinuousClock.now < deadline { usleep(1_000) }
            // The rejected connection stays usable.
            try rejected.send(get("/block"))
            #expect(try rejected.readResponse().status == 200)
        }
    }

    @Test func clientGoneIsVisibleToARunningHandler() throws {
        let pool = WorkerPool(name: "watch", threads: 1, queueCapacity: 1)
        defer { pool.shutdown() }
        let started = Flag()
        let noticed = Flag()
        var router = Router()
        router.add(.get, "/long", executor: .pool(pool)) { request in
            started.raise()
            for _ in 0..<500 where !request.context.isClientGone { usleep(10_000) }
            if request.context.isClientGone { noticed.raise() }
            return .text("late")
        }
        try withServer(router: router) { _, port in
            var client: RawHTTPClient? = try RawHTTPClient(port: port)
            try client?.send(get("/long"))
            #expect(started.wait())
            client = nil
            #expect(noticed.wait())
        }
    }
}
