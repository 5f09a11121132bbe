/// A bounded thread pool for blocking handlers: fixed threads and a bounded FIFO queue.
///
/// The daemon makes one pool per kind of work ("query", "ingest", ...) so a slow query cannot
/// take the threads that ingestion needs; `.inline` routes never touch a pool. When the queue is
/// full `submit` refuses at once and the server answers 503, shedding load instead of queueing
/// without bound. Threads are OS threads, not the cooperative pool, because handlers block.
package final class WorkerPool: Sendable {
    private struct State {
        var queue: [@Sendable () -> Void] = []
        var head = 0
        var stopping = false
        var busy = 0

        var queued: Int { queue.count - head }
    }

    /// The pool's name, used in the 503 reason and by metrics.
    package let name: String
    /// The number of threads.
    package let threadCount: Int
    /// Jobs that may wait beyond the ones running.
    package let queueCapacity: Int
    private let state: ConditionLock<State>
    private let threads: ConditionLock<[OSThread]>

    /// Starts `threads` workers named `name`.
    package init(name: String, threads: Int, queueCapacity: Int) {
        self.name = name
        self.threadCount = max(1, threads)
        self.queueCapacity = max(0, queueCapacity)
        self.state = ConditionLock(State())
        self.threads = ConditionLock([])
        var started: [OSThread] = []
        for index in 0..<threadCount {
            started.append(OSThread(name: "\(name)-\(index)") { [state] in Self.work(state) })
        }
        self.threads.withLock { $0 = started }
    }

    /// Queues `job`; false when the queue is full or the pool is shutting down.
    package func submit(_ job: @escaping @Sendable () -> Void) -> Bool {
        let accepted = state.withLock { state -> Bool in
            guard !state.stopping, state.queued < queueCapacity + max(0, threadCount - state.busy) else { return false }
            state.queue.append(job)
            return true
        }
        if accepted { state.signal() }
        return accepted
    }

    /// Jobs waiting for a thread.
    package var queuedCount: Int { state.withLock { $0.queued } }

    /// Jobs running now.
    package var busyCount: Int { state.withLock { $0.busy } }

    /// Refuses new jobs, lets the queued and running ones finish, then joins the threads.
    package func shutdown() {
        state.withLock { $0.stopping = true }
        state.broadcast()
        let joined = threads.withLock { threads -> [OSThread] in
            defer { threads = [] }
            return threads
        }
        for thread in joined { thread.join() }
    }

    private static func work(_ state: ConditionLock<State>) {
        while true {
            let job: (@Sendable () -> Void)? = state.withLock(waitingUntil: { $0.queued > 0 || $0.stopping }) { state in
                guard state.queued > 0 else { return nil }
                let job = state.queue[state.head]
                state.head += 1
                // Compact now and then so the array does not grow forever.
                if state.head > 64, state.head * 2 > state.queue.count {
                    state.queue.removeFirst(state.head)
                    state.head = 0
                }
                state.busy += 1
                return job
            }
            guard let job else { return }
            job()
            state.withLock { $0.busy -= 1 }
        }
    }
}
