import Dispatch
import Glibc
import Synchronization

/// A one-shot stop request that an async task can wait for.
final class StopSignal: Sendable {
    private let state = Mutex<(fired: Bool, waiters: [CheckedContinuation<Void, Never>])>((false, []))

    /// Fires the signal; returns true the first time only. `first` runs before any waiter resumes.
    func fire(first: () -> Void = {}) -> Bool {
        let (isFirst, waiters) = state.withLock { s -> (Bool, [CheckedContinuation<Void, Never>]) in
            if s.fired { return (false, []) }
            s.fired = true
            let w = s.waiters
            s.waiters = []
            return (true, w)
        }
        if isFirst { first() }
        for w in waiters { w.resume() }
        return isFirst
    }

    /// Returns once `fire()` has been called.
    func wait() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let resumeNow = state.withLock { s -> Bool in
                if s.fired { return true }
                s.waiters.append(c)
                return false
            }
            if resumeNow { c.resume() }
        }
    }
}

/// SIGHUP reloads the config; SIGTERM and SIGINT stop the daemon gracefully. Signals are
/// received through Dispatch sources, so handlers run on a normal queue, not in signal context.
///
/// `@unchecked Sendable`: the sources are created in `init` and never mutated afterwards, and
/// Dispatch sources are themselves safe to use from any thread.
final class SignalHandlers: @unchecked Sendable {
    private let sources: [any DispatchSourceSignal]

    /// Installs the handlers at once; they live as long as this object.
    init(daemon: Daemon) {
        signal(SIGPIPE, SIG_IGN)
        let queue = DispatchQueue(label: "vigil.signals")
        var installed: [any DispatchSourceSignal] = []
        for sig in [SIGHUP, SIGTERM, SIGINT] {
            signal(sig, SIG_IGN)
            let src = DispatchSource.makeSignalSource(signal: sig, queue: queue)
            src.setEventHandler {
                if sig == SIGHUP {
                    daemon.reloadConfig(trigger: "SIGHUP")
                } else {
                    daemon.requestStop(reason: sig == SIGTERM ? "SIGTERM" : "SIGINT")
                }
            }
            src.resume()
            installed.append(src)
        }
        sources = installed
    }

    /// Stops receiving signals (the process keeps ignoring them).
    func cancel() {
        for s in sources { s.cancel() }
    }
}
