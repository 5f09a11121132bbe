import Glibc

/// A joinable OS thread running one closure: event loops and pool workers need real threads
/// (they block in epoll_wait or in handlers), never the cooperative pool.
struct OSThread: Sendable {
    private let handle: pthread_t

    /// Starts `body` on a new thread named `name` (truncated to the 15 bytes Linux keeps).
    init(name: String, _ body: @escaping @Sendable () -> Void) {
        final class Box { let body: @Sendable () -> Void; let name: String
            init(_ body: @escaping @Sendable () -> Void, _ name: String) { self.body = body; self.name = name } }
        let box = Unmanaged.passRetained(Box(body, name)).toOpaque()
        var thread = pthread_t()
        let rc = pthread_create(&thread, nil, { raw in
            // The pointer was made by passRetained just above, so it is non-nil and a Box.
            guard let raw else { return nil }
            let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
            _ = String(box.name.utf8.prefix(15))?.withCString { LinuxSystem.setThreadName(pthread_self(), $0) }
            box.body()
            return nil
        }, box)
        if rc != 0 {
            // Thread creation only fails on resource exhaustion; the server cannot run without it.
            fatalError("HTTP: pthread_create failed: \(LinuxSystem.errorText(rc))")
        }
        handle = thread
    }

    /// Waits for the thread to return.
    func join() {
        pthread_join(handle, nil)
    }
}
