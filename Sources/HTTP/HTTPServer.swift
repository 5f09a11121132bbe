import Glibc
import Synchronization

/// The HTTP/1.1 server: listeners, event-loop threads and graceful shutdown.
///
/// Design, in short (see `EventLoop` and `Connection` for details):
/// - One epoll loop thread per core by default, each with its own `SO_REUSEPORT` listener on the
///   same port, so accepting is spread by the kernel and never crosses threads.
/// - Non-blocking sockets, level-triggered epoll, `TCP_NODELAY`, backlog 4096, the soft
///   `RLIMIT_NOFILE` raised to the hard limit at start.
/// - `.inline` routes run on the loop thread with no hop; `.pool` routes run on a `WorkerPool`
///   and their result comes back through the loop's eventfd-woken task queue.
/// - Timeouts are enforced by a per-loop sweep every 10–250 ms over that loop's connections.
/// - Over `ServerLimits.maxConnections`, a new connection is accepted, answered 503 and closed.
package final class HTTPServer: Sendable {
    private enum Phase { case created, running, stopped }

    private struct State {
        var phase = Phase.created
        var loops: [EventLoop] = []
        var threads: [OSThread] = []
        var port = 0
    }

    private let core: ServerCore
    private let host: String
    private let requestedPort: Int
    private let loopCount: Int
    private let backlog: Int32 = 4096
    private let state = Mutex(State())

    /// A server for `router`; nothing is bound until `start()`.
    ///
    /// `host` is an IPv4 address (`127.0.0.1`, or `0.0.0.0` for all interfaces); `port` 0 picks an
    /// ephemeral port, readable from `port` after `start()`. `loops` defaults to the core count.
    package init(router: Router, limits: ServerLimits = ServerLimits(), host: String = "127.0.0.1", port: Int = 0,
                 loops: Int? = nil, observer: (any HTTPServerObserver)? = nil) {
        self.core = ServerCore(router: router, limits: limits, observer: observer)
        self.host = host
        self.requestedPort = port
        self.loopCount = max(1, loops ?? Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
    }

    /// The bound port; 0 before `start()`.
    package var port: Int { state.withLock { $0.port } }

    /// Connections open right now, across all loops.
    package var openConnections: Int { core.openConnections.load(ordering: .relaxed) }

    /// Binds the listeners and starts the loop threads. Throws if the address cannot be bound.
    package func start() throws(HTTPError) {
        LinuxSystem.raiseOpenFileLimit()
        var loops: [EventLoop] = []
        var port = requestedPort
        do {
            for index in 0..<loopCount {
                let fd = try listen(port: port)
                if index == 0 { port = try boundPort(fd) }
                do {
                    loops.append(try EventLoop(core: core, index: index, listenFD: fd))
                } catch {
                    Glibc.close(fd)
                    throw error
                }
            }
        } catch let error as HTTPError {
            // Loops that were made never ran; running and stopping them closes their sockets.
            for loop in loops { loop.stop(); loop.run() }
            throw error
        } catch {
            // Every call above throws HTTPError only.
            throw .system(call: "start", errno: 0)
        }
        let threads = loops.map { loop in OSThread(name: "http-loop-\(loop.index)") { loop.run() } }
        state.withLock { state in
            state.loops = loops
            state.threads = threads
            state.port = port
            state.phase = .running
        }
    }

    /// Stops accepting, closes idle connections, lets in-flight requests finish for up to `grace`,
    /// then closes everything and joins the loop threads. Returns when all of that is done; safe
    /// to call from any thread (it blocks the caller, so call it from a signal-handling queue or
    /// thread rather than the cooperative pool), and a second call returns at once.
    package func shutdown(grace: Duration) {
        let loops = state.withLock { state -> [EventLoop] in
            guard state.phase == .running else { return [] }
            state.phase = .stopped
            return state.loops
        }
        guard !loops.isEmpty else { return }
        for loop in loops { loop.execute { loop.beginDrain() } }
        let deadline = LinuxSystem.monotonicNanos() &+ grace.nanoseconds
        while core.openConnections.load(ordering: .relaxed) > 0, LinuxSystem.monotonicNanos() < deadline {
            usleep(5_000)
        }
        for loop in loops { loop.execute { loop.stop() } }
        let threads = state.withLock { state -> [OSThread] in
            defer { state.threads = []; state.loops = [] }
            return state.threads
        }
        for thread in threads { thread.join() }
    }

    private func listen(port: Int) throws(HTTPError) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | LinuxSystem.nonBlocking | LinuxSystem.closeOnExec, 0)
        guard fd >= 0 else { throw .system(call: "socket", errno: errno) }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        guard inet_pton(AF_INET, host, &address.sin_addr) == 1 else {
            Glibc.close(fd)
            throw .system(call: "inet_pton(\(host))", errno: EINVAL)
        }
        let bound = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .system(call: "bind(\(host):\(port))", errno: code)
        }
        guard Glibc.listen(fd, backlog) == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .system(call: "listen", errno: code)
        }
        return fd
    }

    private func boundPort(_ fd: Int32) throws(HTTPError) -> Int {
        var address = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let result = withUnsafeMutablePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard result == 0 else { throw .system(call: "getsockname", errno: errno) }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
