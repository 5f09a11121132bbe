import Glibc
import Synchronization

/// One epoll instance, its listener and its connections, run by one thread.
///
/// Level-triggered epoll: a connection is read once per readiness report (a short read means the
/// socket is drained, and anything left is reported again), and EPOLLOUT is armed only while
/// output is pending, so the common request costs epoll_wait, read and send. Level-triggering
/// was kept over edge-triggering because pausing input (a pool handler running, output backed
/// up) needs no "remember to read again" bookkeeping; its price, measured with perf under
/// `wrk -c2000`, is the kernel re-polling ready sockets (`sock_poll`/`tcp_poll`/`ep_item_poll`,
/// about 5% of server CPU, 78% of which is kernel TCP work anyway). Each loop has its
/// own `SO_REUSEPORT` listener, so the kernel spreads new connections across loops without an
/// acceptor thread or a hand-off.
///
/// Confinement: everything except `execute` and the `Mutex`/`Atomic` members is used only on
/// the loop thread; that is why the class is `@unchecked Sendable`.
final class EventLoop: @unchecked Sendable {
    let core: ServerCore
    let index: Int
    private let epollFD: Int32
    private let wakeFD: Int32
    /// Tasks from other threads; `stopped` is set when the loop has exited, after which tasks
    /// are dropped rather than kept (they hold connections, which hold the loop).
    private let tasks = Mutex<(queue: [@Sendable () -> Void], stopped: Bool)>(([], false))
    private let wakeArmed = Atomic<Bool>(false)
    private let maxEvents = 512
    private let events: UnsafeMutableRawPointer

    /// Scratch space every connection of this loop reads into, then copies what it keeps.
    let readBuffer: UnsafeMutableRawBufferPointer
    /// Monotonic nanoseconds at the last wake-up.
    private(set) var now: UInt64
    /// Set when a graceful shutdown began: responses close their connections.
    private(set) var draining = false
    private var date = HTTPDate()
    private var listenFD: Int32
    private var listenerPaused = false
    private var connections: [Connection?] = []
    private var running = true
    private var nextSweep: UInt64

    /// Pre-built answer for connections over `maxConnections`.
    private static let overloadResponse: [UInt8] = {
        let body = "503 Service Unavailable: too many connections"
        return Array(("HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\n" +
                      "Content-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n" + body).utf8)
    }()

    init(core: ServerCore, index: Int, listenFD: Int32) throws(HTTPError) {
        self.core = core
        self.index = index
        self.listenFD = listenFD
        epollFD = LinuxSystem.epollCreate1(LinuxSystem.closeOnExec)
        guard epollFD >= 0 else { throw .system(call: "epoll_create1", errno: errno) }
        wakeFD = LinuxSystem.eventFD(0, LinuxSystem.nonBlocking | LinuxSystem.closeOnExec)
        guard wakeFD >= 0 else {
            let code = errno
            Glibc.close(epollFD)
            throw .system(call: "eventfd", errno: code)
        }
        events = .allocate(byteCount: maxEvents * LinuxSystem.eventStride, alignment: 8)
        readBuffer = .allocate(byteCount: 64 << 10, alignment: 16)
        now = LinuxSystem.monotonicNanos()
        nextSweep = now &+ core.sweepIntervalNanos
        date.refresh()
        LinuxSystem.epollCtl(epollFD, LinuxSystem.ctlAdd, wakeFD, LinuxSystem.epollIn)
        LinuxSystem.epollCtl(epollFD, LinuxSystem.ctlAdd, listenFD, LinuxSystem.epollIn)
    }

    deinit {
        // The eventfd and epoll descriptors close only here, never when the loop exits: a
        // worker finishing late may still call `execute`, and writing to a closed descriptor
        // number would write 8 bytes into whatever socket reused it.
        Glibc.close(wakeFD)
        Glibc.close(epollFD)
        events.deallocate()
        readBuffer.deallocate()
    }

    /// The cached `Date` value, refreshed once per second.
    var dateBytes: [UInt8] { date.bytes }

    /// Runs `task` on the loop thread soon. Safe from any thread; tasks run in order. Tasks sent
    /// after the loop stopped are dropped, which is what late worker results should get.
    func execute(_ task: @escaping @Sendable () -> Void) {
        let accepted = tasks.withLock { tasks -> Bool in
            guard !tasks.stopped else { return false }
            tasks.queue.append(task)
            return true
        }
        // One eventfd write per batch: the flag is cleared by the loop before it takes tasks.
        if accepted, !wakeArmed.exchange(true, ordering: .sequentiallyConsistent) {
            var one: UInt64 = 1
            _ = Glibc.write(wakeFD, &one, 8)
        }
    }

    /// The loop body; returns after `stop()`, with every socket of this loop closed.
    func run() {
        while running {
            let waitMillis = nextSweep > now ? Int32(min((nextSweep - now) / 1_000_000 + 1, 1000)) : 0
            let count = LinuxSystem.epollWait(epollFD, events, Int32(maxEvents), waitMillis)
            now = LinuxSystem.monotonicNanos()
            if count < 0 && errno != EINTR { break }
            date.refresh()
            for slot in 0..<max(Int(count), 0) {
                let (flags, fd) = LinuxSystem.event(in: events, at: slot)
                if fd == wakeFD {
                    runTasks()
                } else if fd == listenFD {
                    acceptConnections()
                } else if fd >= 0, fd < connections.count, let connection = connections[Int(fd)] {
                    connection.handle(events: flags)
                }
            }
            if now >= nextSweep {
                sweep()
                nextSweep = now &+ core.sweepIntervalNanos
            }
        }
        for connection in connections.compactMap({ $0 }) { connection.close() }
        closeListener()
        let dropped = tasks.withLock { tasks -> [@Sendable () -> Void] in
            tasks.stopped = true
            defer { tasks.queue = [] }
            return tasks.queue
        }
        _ = dropped // Released outside the lock: their deinit may take other locks.
    }

    private func runTasks() {
        var counter: UInt64 = 0
        _ = Glibc.read(wakeFD, &counter, 8)
        wakeArmed.store(false, ordering: .sequentiallyConsistent)
        let batch = tasks.withLock { tasks -> [@Sendable () -> Void] in
            defer { tasks.queue.removeAll(keepingCapacity: true) }
            return tasks.queue
        }
        for task in batch { task() }
    }

    // MARK: Connections

    private func acceptConnections() {
        // A bounded batch keeps one loop from starving its connections during a connect storm.
        for _ in 0..<64 {
            var address = sockaddr_in()
            var length = socklen_t(MemoryLayout<sockaddr_in>.size)
            let fd = withUnsafeMutablePointer(to: &address) { pointer in
                pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                    LinuxSystem.accept4(listenFD, $0, &length, LinuxSystem.nonBlocking | LinuxSystem.closeOnExec)
                }
            }
            if fd < 0 {
                switch errno {
                case EINTR, ECONNABORTED, EPROTO: continue
                case EMFILE, ENFILE, ENOBUFS, ENOMEM:
                    // Out of descriptors: stop listening until the next sweep instead of spinning
                    // on a listener that stays readable.
                    LinuxSystem.epollCtl(epollFD, LinuxSystem.ctlDel, listenFD, 0)
                    listenerPaused = true
                    return
                default:
                    return
                }
            }
            let open = core.openConnections.add(1, ordering: .relaxed).newValue
            if open > core.limits.maxConnections || draining {
                core.openConnections.subtract(1, ordering: .relaxed)
                reject(fd)
                continue
            }
            var one: Int32 = 1
            setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            let connection = Connection(fd: fd, loop: self, core: core, remoteAddress: Self.format(address),
                                        interest: LinuxSystem.epollIn)
            if Int(fd) >= connections.count {
                connections.append(contentsOf: repeatElement(nil, count: Int(fd) + 1 - connections.count + 64))
            }
            connections[Int(fd)] = connection
            LinuxSystem.epollCtl(epollFD, LinuxSystem.ctlAdd, fd, LinuxSystem.epollIn)
            core.observer?.connectionOpened()
        }
    }

    /// Answers 503 to a connection over the limit and closes it, draining what the client
    /// already sent so the close does not turn into a reset that hides the answer.
    private func reject(_ fd: Int32) {
        _ = Self.overloadResponse.withUnsafeBytes {
            send(fd, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
        shutdown(fd, Int32(SHUT_WR))
        _ = recv(fd, readBuffer.baseAddress, readBuffer.count, Int32(MSG_DONTWAIT))
        Glibc.close(fd)
    }

    /// Changes the epoll interest of a connection.
    func modify(fd: Int32, events: UInt32) {
        LinuxSystem.epollCtl(epollFD, LinuxSystem.ctlMod, fd, events)
    }

    /// Forgets and closes a connection; called by `Connection.close()`.
    func remove(_ connection: Connection) {
        let fd = connection.fd
        if fd >= 0, Int(fd) < connections.count { connections[Int(fd)] = nil }
        // Closing the descriptor also removes it from the epoll set.
        Glibc.close(fd)
        core.openConnections.subtract(1, ordering: .relaxed)
        core.observer?.connectionClosed()
    }

    private func sweep() {
        if listenerPaused, listenFD >= 0, !draining {
            listenerPaused = false
            LinuxSystem.epollCtl(epollFD, LinuxSystem.ctlAdd, listenFD, LinuxSystem.epollIn)
        }
        for case let connection? in connections {
            connection.sweep(now: now)
        }
    }

    private func closeListener() {
        guard listenFD >= 0 else { return }
        Glibc.close(listenFD)
        listenFD = -1
    }

    // MARK: Shutdown (run on the loop thread through `execute`)

    /// Stops accepting and closes idle connections; busy ones close after their response.
    func beginDrain() {
        draining = true
        closeListener()
        for case let connection? in connections { connection.beginDrain() }
    }

    /// Ends the loop; remaining connections are closed as it exits.
    func stop() {
        running = false
    }

    private static func format(_ address: sockaddr_in) -> String {
        var copy = address.sin_addr
        var text = [CChar](repeating: 0, count: Int(INET_ADDRSTRLEN))
        guard inet_ntop(AF_INET, &copy, &text, socklen_t(text.count)) != nil else { return "" }
        let host = String(decoding: text.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return "\(host):\(UInt16(bigEndian: address.sin_port))"
    }
}
