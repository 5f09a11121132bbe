import Dispatch
import Synchronization

/// Runs `operation` as a task and blocks the calling thread until it finishes.
///
/// Only for threads outside Swift's cooperative pool — worker-pool threads, Dispatch queues for
/// signals — that must call into an actor (the scrape manager) from synchronous code. Calling
/// it on a cooperative thread could starve the pool, so async code awaits directly instead.
func blockingAwait<T: Sendable>(_ operation: @escaping @Sendable () async -> T) -> T {
    let box = AwaitBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task {
        let v = await operation()
        box.value.withLock { $0 = v }
        done.signal()
    }
    done.wait()
    // The task stored its value before signalling, so it is there once wait() returns.
    return box.value.withLock { $0 }!
}

/// Carries a task's result back to the thread waiting in `blockingAwait`.
private final class AwaitBox<T: Sendable>: Sendable {
    let value = Mutex<T?>(nil)
}
