import Glibc
import HTTP
import Synchronization
import Testing

/// `HTTPClient.every`: the client sends a schedule's requests by itself and hands each outcome to
/// the handler on its loop thread.
@Suite(.serialized) struct PeriodicFetchTests {
    final class Ticks: Sendable {
        let list = Mutex<[PeriodicTick]>([])
        let prepared = Atomic<Int>(0)
        var count: Int { list.withLock { $0.count } }
    }

    func waitFor(_ condition: () -> Bool, seconds: Double = 30) async -> Bool {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if condition() { return true }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return condition()
    }

    @Test func ticksAtTheIntervalAndCancelWaitsForTheExchangeInFlight() async throws {
        let hits = Atomic<Int>(0)
        var router = Router()
        router.add(.get, "/metrics") { _ in
            hits.wrappingAdd(1, ordering: .relaxed)
            return .text("up 1\n")
        }
        let server = HTTPServer(router: router, port: 0, loops: 1)
        try server.start()
        defer { server.shutdown(grace: .seconds(1)) }
        let client = HTTPClient()
        defer { client.shutdown() }
        let ticks = Ticks()
        let request = ClientRequest(host: "127.0.0.1", port: server.port, target: "/metrics", timeout: .seconds(2))
        let start = ContinuousClock.now
        let schedule = client.every(intervalNs: 50_000_000, firstDelayNs: 20_000_000, prepare: {
            ticks.prepared.wrappingAdd(1, ordering: .relaxed)
            return request
        }, handle: { tick in ticks.list.withLock { $0.append(tick) } })
        #expect(await waitFor { ticks.count >= 6 })
        let elapsed = start.duration(to: .now)
        await schedule.cancel()
        let after = ticks.count
        try await Task.sleep(for: .milliseconds(200))
        #expect(ticks.count == after, "no tick after cancel() returned")
        #expect(ticks.prepared.load(ordering: .relaxed) == after)
        #expect(hits.load(ordering: .relaxed) == after)
        // Six ticks 50 ms apart after 20 ms: at least 270 ms.
        #expect(elapsed >= .milliseconds(270))
        let all = ticks.list.withLock { $0 }
        for t in all {
            guard case .success(let r)? = t.result else { Issue.record("tick failed: \(String(describing: t.result))"); continue }
            #expect(r.status == 200 && r.body == Array("up 1\n".utf8))
            #expect(t.nextTickInNs <= 50_000_000)
        }
        // Starts follow the schedule: one per 50 ms slot at most (a late tick is not made up
        // for by an extra one), in order.
        let starts = all.map { Int64($0.startedMonotonicNs) }
        #expect(starts == starts.sorted())
        if let first = starts.first, let last = starts.last {
            #expect(Int64(starts.count) <= (last - first) / 50_000_000 + 2, "\(starts.count) ticks in \(last - first) ns")
        }
        await schedule.cancel() // a second cancel returns at once
    }

    @Test func nilRequestSkipsTheExchangeAndFailuresReachTheHandler() async throws {
        let client = HTTPClient()
        defer { client.shutdown() }
        let ticks = Ticks()
        // A port nothing listens on: connection refused.
        let closedPort = 9
        let schedule = client.every(intervalNs: 30_000_000, firstDelayNs: 0, prepare: {
            let n = ticks.prepared.wrappingAdd(1, ordering: .relaxed).oldValue
            return n % 2 == 0 ? nil : ClientRequest(host: "127.0.0.1", port: closedPort, target: "/", timeout: .seconds(1))
        }, handle: { tick in ticks.list.withLock { $0.append(tick) } })
        #expect(await waitFor { ticks.count >= 4 })
        await schedule.cancel()
        let all = ticks.list.withLock { $0 }
        #expect(all.contains { $0.result == nil })
        #expect(all.contains { if case .failure(.connect)? = $0.result { return true } else { return false } })
    }

    @Test func shutdownEndsSchedules() async throws {
        let client = HTTPClient()
        let schedule = client.every(intervalNs: 1_000_000_000, firstDelayNs: 1_000_000_000, prepare: { nil }, handle: { _ in })
        client.shutdown()
        await schedule.cancel() // returns: the schedule ended with the client
    }
}
