import Glibc

/// The client's event loop, owned by its one thread: connections, idle pools and deadlines.
/// Not Sendable by design: only the loop thread touches it (the client hands it over once).
final class ClientLoop: @unchecked Sendable {
    typealias Completion = @Sendable (Result<ClientResponse, HTTPClientError>) -> Void
    typealias Submission = (ClientRequest, UInt64, sockaddr_in?, Completion)

    private enum Phase { case connecting, writing, reading }

    private final class Conn {
        let fd: Int32
        let key: String
        var phase = Phase.connecting
        var out: [UInt8] = []
        var written = 0
        var parser = ResponseParser(maxBodyBytes: 0)
        var job: Submission?
        var reused = false
        init(fd: Int32, key: String) { self.fd = fd; self.key = key }
    }

    private let epfd: Int32
    private let wakeFD: Int32
    private let maxIdlePerHost: Int
    private var conns: [Int32: Conn] = [:]
    private var idle: [String: [Conn]] = [:]
    private var readBuffer = [UInt8](repeating: 0, count: 64 * 1024)
    private var periodic = PeriodicHeap()
    /// Resolves a host without waiting (literals, cache); set by `run`.
    private var resolveNow: (String, Int) -> sockaddr_in? = { _, _ in nil }
    /// Resolves a host off the loop, then hands the exchange back as a submission; set by `run`.
    private var resolveLater: (ClientRequest, UInt64, @escaping Completion) -> Void = { _, _, c in c(.failure(.shutdown)) }

    init(epfd: Int32, wakeFD: Int32, maxIdlePerHost: Int) {
        self.epfd = epfd
        self.wakeFD = wakeFD
        self.maxIdlePerHost = maxIdlePerHost
    }

    func run(take: () -> [Submission], takePeriodic: () -> (add: [PeriodicFetch], cancel: [PeriodicFetch]),
             resolve: @escaping (String, Int) -> sockaddr_in?,
             resolveLater: @escaping (ClientRequest, UInt64, @escaping Completion) -> Void, stopping: () -> Bool) {
        resolveNow = resolve
        self.resolveLater = resolveLater
        let events = UnsafeMutableRawPointer.allocate(byteCount: 256 * LinuxSystem.eventStride, alignment: 8)
        defer { events.deallocate() }
        while !stopping() {
            let n = LinuxSystem.epollWait(epfd, events, 256, waitMillis())
            if n > 0 {
                for i in 0 ..< Int(n) {
                    let (ev, fd) = LinuxSystem.event(in: events, at: i)
                    if fd == wakeFD {
                        var v: UInt64 = 0
                        _ = read(wakeFD, &v, 8)
                        for s in take() { start(s) }
                        let changes = takePeriodic()
                        for p in changes.add { periodic.push(p) }
                        for p in changes.cancel where !p.inFlight { dropIfCancelled(p) }
                    } else if let c = conns[fd] {
                        handle(c, events: ev)
                    }
                }
            }
            expire()
            firePeriodic()
        }
        for c in Array(conns.values) { finish(c, .failure(.shutdown), reusable: false) }
        for s in take() { s.3(.failure(.shutdown)) }
        let changes = takePeriodic()
        for p in periodic.removeAll() + changes.add + changes.cancel { p.finish() }
    }

    /// epoll timeout: until the nearest deadline or periodic tick, at most 250 ms.
    private func waitMillis() -> Int32 {
        let now = LinuxSystem.monotonicNanos()
        var nearest = now + 250_000_000
        for c in conns.values { if let j = c.job, j.1 < nearest { nearest = j.1 } }
        if let due = periodic.nextDue, due < nearest { nearest = due }
        guard nearest > now else { return 0 }
        // Round up, so a tick is never fired a little early and then waited for again.
        return Int32(min(250, (nearest - now + 999_999) / 1_000_000))
    }

    // MARK: Periodic exchanges

    /// Starts every periodic exchange that is due.
    private func firePeriodic() {
        guard let due = periodic.nextDue, due <= LinuxSystem.monotonicNanos() else { return }
        var now = LinuxSystem.monotonicNanos()
        while let next = periodic.nextDue, next <= now, let p = periodic.pop() {
            if p.cancelRequested { p.finish(); continue }
            fire(p)
            now = LinuxSystem.monotonicNanos()
        }
    }

    /// One tick: sends the request (or skips it) and arranges for the handler and the next tick.
    private func fire(_ p: PeriodicFetch) {
        let startedWall = ClientLoop.wallNanos()
        let startedMono = LinuxSystem.monotonicNanos()
        guard let request = p.prepare() else {
            completeTick(p, nil, startedWall, startedMono)
            return
        }
        p.inFlight = true
        let completion: Completion = { [unowned self] result in
            self.completeTick(p, result, startedWall, startedMono)
        }
        let timeout = UInt64(max(0, request.timeout.components.seconds)) * 1_000_000_000
            + UInt64(max(0, request.timeout.components.attoseconds / 1_000_000_000))
        let deadline = startedMono + timeout
        if let addr = resolveNow(request.host, request.port) {
            start((request, deadline, addr, completion))
            return
        }
        // A name not in the cache: resolved off the loop, back as a submission; the completion
        // still runs on this thread.
        resolveLater(request, deadline, completion)
    }

    /// The handler, then the next tick (or the end of the schedule).
    private func completeTick(_ p: PeriodicFetch, _ result: Result<ClientResponse, HTTPClientError>?, _ wall: Int64, _ mono: UInt64) {
        p.inFlight = false
        if case .failure(.shutdown)? = result {
            // The client is going away: not a failed scrape.
            p.finish()
            return
        }
        var next = p.nextNs + p.intervalNs
        let now = LinuxSystem.monotonicNanos()
        while next <= now { next += p.intervalNs }
        p.nextNs = next
        p.handle(PeriodicTick(result: result, startedWallNs: wall, startedMonotonicNs: mono, nextTickInNs: next - now))
        if p.cancelRequested { p.finish() } else { periodic.push(p) }
    }

    /// A cancelled schedule with nothing in flight is finished now; it leaves the heap lazily.
    private func dropIfCancelled(_ p: PeriodicFetch) {
        guard p.cancelRequested, !p.inFlight else { return }
        p.finish()
    }

    private func expire() {
        let now = LinuxSystem.monotonicNanos()
        for c in Array(conns.values) where (c.job?.1 ?? .max) <= now {
            finish(c, .failure(.timeout), reusable: false)
        }
    }

    private func start(_ s: Submission) {
        guard let addr = s.2 else { s.3(.failure(.connect("no address"))); return }
        if LinuxSystem.monotonicNanos() >= s.1 { s.3(.failure(.timeout)); return }
        let key = "\(s.0.host):\(s.0.port)"
        while var pool = idle[key], let c = pool.popLast() {
            idle[key] = pool
            if isStillOpen(c.fd) {
                c.reused = true
                begin(c, s)
                return
            }
            close(c, register: true)
        }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | LinuxSystem.nonBlocking | LinuxSystem.closeOnExec, 0)
        guard fd >= 0 else { s.3(.failure(.connect(LinuxSystem.errorText(errno)))); return }
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var a = addr
        let rc = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if rc != 0 && errno != EINPROGRESS {
            let reason = LinuxSystem.errorText(errno)
            Glibc.close(fd)
            s.3(.failure(.connect("connect \(key): \(reason)")))
            return
        }
        let c = Conn(fd: fd, key: key)
        conns[fd] = c
        LinuxSystem.epollCtl(epfd, LinuxSystem.ctlAdd, fd, LinuxSystem.epollOut | LinuxSystem.epollIn | LinuxSystem.epollRdHup)
        c.job = s
        c.parser = ResponseParser(maxBodyBytes: s.0.maxBodyBytes)
        c.out = requestBytes(s.0)
        c.written = 0
        c.phase = rc == 0 ? .writing : .connecting
        if rc == 0 { writeSome(c) }
    }

    /// Sends a new request on a connection that was idle.
    private func begin(_ c: Conn, _ s: Submission) {
        conns[c.fd] = c
        c.job = s
        c.parser = ResponseParser(maxBodyBytes: s.0.maxBodyBytes)
        c.out = requestBytes(s.0)
        c.written = 0
        c.phase = .writing
        LinuxSystem.epollCtl(epfd, LinuxSystem.ctlMod, c.fd, LinuxSystem.epollOut | LinuxSystem.epollIn | LinuxSystem.epollRdHup)
        writeSome(c)
    }

    private func handle(_ c: Conn, events: UInt32) {
        if c.phase == .connecting {
            var err: Int32 = 0
            var len = socklen_t(MemoryLayout<Int32>.size)
            getsockopt(c.fd, SOL_SOCKET, SO_ERROR, &err, &len)
            if err != 0 {
                finish(c, .failure(.connect("connect \(c.key): \(LinuxSystem.errorText(err))")), reusable: false)
                return
            }
            c.phase = .writing
        }
        if c.phase == .writing, events & LinuxSystem.epollOut != 0 { writeSome(c) }
        if c.phase == .reading, events & (LinuxSystem.epollIn | LinuxSystem.epollHup | LinuxSystem.epollRdHup | LinuxSystem.epollErr) != 0 {
            readSome(c)
        }
    }

    private func writeSome(_ c: Conn) {
        while c.written < c.out.count {
            // `out` is non-empty here (written < count), so its base address exists.
            let n = c.out.withUnsafeBytes { raw in
                send(c.fd, raw.baseAddress.map { $0 + c.written }, c.out.count - c.written, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { c.written += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
            failOrRetry(c, .connect("write \(c.key): \(LinuxSystem.errorText(errno))"))
            return
        }
        c.phase = .reading
        c.out = []
        LinuxSystem.epollCtl(epfd, LinuxSystem.ctlMod, c.fd, LinuxSystem.epollIn | LinuxSystem.epollRdHup)
    }

    private func readSome(_ c: Conn) {
        while true {
            let n = readBuffer.withUnsafeMutableBytes { recv(c.fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                let outcome: Result<ResponseParser.Outcome, HTTPClientError> = readBuffer.withUnsafeBytes { raw in
                    do throws(HTTPClientError) {
                        return .success(try c.parser.feed(UnsafeRawBufferPointer(rebasing: raw[0 ..< n])))
                    } catch {
                        return .failure(error)
                    }
                }
                switch outcome {
                case .success(.complete(let response, let keepAlive)):
                    finish(c, .success(response), reusable: keepAlive)
                    return
                case .success(.needMore):
                    continue
                case .failure(let error):
                    finish(c, .failure(error), reusable: false)
                    return
                }
            }
            if n == 0 {
                do {
                    let response = try c.parser.finishAtEOF()
                    finish(c, .success(response), reusable: false)
                } catch {
                    failOrRetry(c, error)
                }
                return
            }
            if errno == EAGAIN || errno == EWOULDBLOCK { return }
            if errno == EINTR { continue }
            failOrRetry(c, .connect("read \(c.key): \(LinuxSystem.errorText(errno))"))
            return
        }
    }

    /// A reused keep-alive connection the server had already closed: retry once on a new one,
    /// since nothing of the response arrived. Anything else fails the request.
    private func failOrRetry(_ c: Conn, _ error: HTTPClientError) {
        if c.reused, !c.parser.receivedAny, let job = c.job {
            c.job = nil
            close(c, register: true)
            start(job)
            return
        }
        finish(c, .failure(error), reusable: false)
    }

    private func finish(_ c: Conn, _ result: Result<ClientResponse, HTTPClientError>, reusable: Bool) {
        let job = c.job
        c.job = nil
        if reusable, (idle[c.key]?.count ?? 0) < maxIdlePerHost {
            conns[c.fd] = nil
            LinuxSystem.epollCtl(epfd, LinuxSystem.ctlMod, c.fd, LinuxSystem.epollRdHup)
            idle[c.key, default: []].append(c)
        } else {
            close(c, register: true)
        }
        job?.3(result)
    }

    private func close(_ c: Conn, register: Bool) {
        conns[c.fd] = nil
        if register { LinuxSystem.epollCtl(epfd, LinuxSystem.ctlDel, c.fd, 0) }
        Glibc.close(c.fd)
    }

    /// An idle connection is usable if the server has neither closed it nor sent stray bytes.
    private func isStillOpen(_ fd: Int32) -> Bool {
        var b: UInt8 = 0
        let n = recv(fd, &b, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)
    }

    private func requestBytes(_ r: ClientRequest) -> [UInt8] {
        var s = "GET \(r.target.isEmpty ? "/" : r.target) HTTP/1.1\r\nHost: \(r.host):\(r.port)\r\n"
        for (k, v) in r.headers { s += "\(k): \(v)\r\n" }
        s += "\r\n"
        return Array(s.utf8)
    }
}
