import Glibc
import Synchronization

/// One tick of a periodic exchange, as its handler sees it (on the client's loop thread).
package struct PeriodicTick: Sendable {
    /// The outcome; nil when `prepare` returned no request (nothing was sent).
    package var result: Result<ClientResponse, HTTPClientError>?
    /// Wall-clock time (ns since the epoch) at which the exchange started.
    package var startedWallNs: Int64
    /// Monotonic time (ns) at which the exchange started, for durations.
    package var startedMonotonicNs: UInt64
    /// Nanoseconds from the handler's call until the next tick.
    package var nextTickInNs: UInt64
}

/// A request the client sends by itself on a fixed schedule (a scrape loop's), handled on the
/// client's loop thread: no timer thread and no hop to another thread per exchange, which on a
/// small machine costs more than parsing a small target's body. Cancel with `cancel()`.
package final class PeriodicFetch: Sendable {
    /// Builds the request of one tick; nil skips the exchange (the handler still runs).
    package typealias Prepare = @Sendable () -> ClientRequest?
    /// Runs on the loop thread after each tick's exchange; it should take milliseconds at most,
    /// since the client's other exchanges wait meanwhile.
    package typealias Handle = @Sendable (PeriodicTick) -> Void

    struct State {
        var cancelRequested = false
        var finished = false
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    let intervalNs: UInt64
    let prepare: Prepare
    let handle: Handle
    let state = Mutex(State())
    /// Loop-thread state: the next due time and whether an exchange is in flight.
    nonisolated(unsafe) var nextNs: UInt64
    nonisolated(unsafe) var inFlight = false
    private let client: HTTPClient

    init(client: HTTPClient, firstNs: UInt64, intervalNs: UInt64, prepare: @escaping Prepare, handle: @escaping Handle) {
        self.client = client
        self.nextNs = firstNs
        self.intervalNs = max(1, intervalNs)
        self.prepare = prepare
        self.handle = handle
    }

    /// Stops the schedule and returns once no exchange of it is in flight any more (an exchange
    /// under way finishes and is handled first). Safe to call more than once.
    package func cancel() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let done = state.withLock { s -> Bool in
                if s.finished { return true }
                s.waiters.append(c)
                let first = !s.cancelRequested
                s.cancelRequested = true
                if first { client.requestCancel(self) }
                return false
            }
            if done { c.resume() }
        }
    }

    var cancelRequested: Bool { state.withLock { $0.cancelRequested } }

    /// Called on the loop thread once the schedule is dropped.
    func finish() {
        let waiters = state.withLock { s -> [CheckedContinuation<Void, Never>] in
            s.finished = true
            s.cancelRequested = true
            let w = s.waiters
            s.waiters = []
            return w
        }
        for w in waiters { w.resume() }
    }
}

/// The loop's schedule of periodic exchanges: a binary min-heap on the due time.
struct PeriodicHeap {
    private var items: [PeriodicFetch] = []

    var isEmpty: Bool { items.isEmpty }
    var nextDue: UInt64? { items.first?.nextNs }
    var all: [PeriodicFetch] { items }

    mutating func push(_ p: PeriodicFetch) {
        items.append(p)
        var i = items.count - 1
        while i > 0 {
            let parent = (i - 1) / 2
            if items[parent].nextNs <= items[i].nextNs { break }
            items.swapAt(parent, i)
            i = parent
        }
    }

    mutating func pop() -> PeriodicFetch? {
        guard !items.isEmpty else { return nil }
        items.swapAt(0, items.count - 1)
        let top = items.removeLast()
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l].nextNs < items[m].nextNs { m = l }
            if r < items.count && items[r].nextNs < items[m].nextNs { m = r }
            if m == i { break }
            items.swapAt(i, m)
            i = m
        }
        return top
    }

    mutating func removeAll() -> [PeriodicFetch] {
        let out = items
        items = []
        return out
    }
}

extension HTTPClient {
    /// Sends the request `prepare` makes every `intervalNs`, the first time after `firstDelayNs`;
    /// a tick missed because the previous exchange ran late is skipped. `handle` runs on the loop
    /// thread with each outcome.
    package func every(intervalNs: UInt64, firstDelayNs: UInt64, prepare: @escaping PeriodicFetch.Prepare,
                       handle: @escaping PeriodicFetch.Handle) -> PeriodicFetch {
        let p = PeriodicFetch(client: self, firstNs: LinuxSystem.monotonicNanos() + firstDelayNs, intervalNs: intervalNs,
                              prepare: prepare, handle: handle)
        submitPeriodic(p)
        return p
    }
}

extension ClientLoop {
    /// Wall-clock nanoseconds since the epoch.
    static func wallNanos() -> Int64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return Int64(ts.tv_sec) * 1_000_000_000 + Int64(ts.tv_nsec)
    }
}
