import Glibc

/// A pthread mutex and condition variable guarding a `State` value.
///
/// `Synchronization.Mutex` has no condition variable, and the worker pool and the streaming
/// writer both need to sleep until another thread changes state. `@unchecked Sendable`: every
/// access to `state` happens with `mutex` held.
final class ConditionLock<State>: @unchecked Sendable {
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    private let condition: UnsafeMutablePointer<pthread_cond_t>
    private var state: State

    init(_ initial: State) {
        state = initial
        mutex = .allocate(capacity: 1)
        condition = .allocate(capacity: 1)
        pthread_mutex_init(mutex, nil)
        pthread_cond_init(condition, nil)
    }

    deinit {
        pthread_cond_destroy(condition)
        pthread_mutex_destroy(mutex)
        condition.deallocate()
        mutex.deallocate()
    }

    /// Runs `body` with the lock held.
    func withLock<R>(_ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return try body(&state)
    }

    /// Sleeps until `ready(state)` holds, then runs `body` with the lock held.
    func withLock<R>(waitingUntil ready: (State) -> Bool, _ body: (inout State) throws -> R) rethrows -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        while !ready(state) {
            pthread_cond_wait(condition, mutex)
        }
        return try body(&state)
    }

    /// Wakes every waiter so each re-checks its condition.
    func broadcast() {
        pthread_cond_broadcast(condition)
    }

    /// Wakes one waiter.
    func signal() {
        pthread_cond_signal(condition)
    }
}
