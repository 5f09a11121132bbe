import Dispatch
import Glibc
import Synchronization

/// An HTTP/1.1 client for scraping: one epoll thread drives every exchange, so thousands of
/// targets (and thousands of dead ones waiting out their timeouts) cost file descriptors, not
/// threads. Connections are kept alive per host:port and reused; each request has one deadline
/// covering resolve, connect, send and receive; bodies are bounded.
///
/// Chosen over FoundationNetworking's URLSession because a scrape needs exact control of the
/// deadline and the body limit while reading, and because a loop that reads straight into one
/// reusable buffer allocates far less per scrape than `Data`-based delegates.
package final class HTTPClient: Sendable {
    private struct Job {
        var request: ClientRequest
        var deadline: UInt64
        var address: sockaddr_in?
        var completion: @Sendable (Result<ClientResponse, HTTPClientError>) -> Void
    }

    private let epfd: Int32
    private let wakeFD: Int32
    private let submissions = Mutex<[Job]>([])
    /// Periodic exchanges to add, and ones to cancel, handed to the loop thread.
    private let periodicChanges = Mutex<(add: [PeriodicFetch], cancel: [PeriodicFetch])>(([], []))
    private let stopping = Atomic<Bool>(false)
    private let thread = Mutex<OSThread?>(nil)
    private let resolver = HostResolver()
    private let maxIdlePerHost: Int

    /// Starts the client's loop thread.
    package init(maxIdlePerHost: Int = 2) {
        self.maxIdlePerHost = maxIdlePerHost
        LinuxSystem.raiseOpenFileLimit()
        epfd = LinuxSystem.epollCreate1(LinuxSystem.closeOnExec)
        wakeFD = LinuxSystem.eventFD(0, LinuxSystem.closeOnExec | LinuxSystem.nonBlocking)
        LinuxSystem.epollCtl(epfd, LinuxSystem.ctlAdd, wakeFD, LinuxSystem.epollIn)
        let loop = ClientLoop(epfd: epfd, wakeFD: wakeFD, maxIdlePerHost: maxIdlePerHost)
        let t = OSThread(name: "vigil-httpclient") { [self] in
            loop.run(take: { self.submissions.withLock { s in let j = s; s.removeAll(); return j.map { ($0.request, $0.deadline, $0.address, $0.completion) } } },
                     takePeriodic: { self.periodicChanges.withLock { c in let x = c; c = ([], []); return x } },
                     resolve: { host, port in self.resolver.resolveNow(host, port: port) },
                     resolveLater: { request, deadline, completion in self.resolveThenSubmit(request, deadline: deadline, completion: completion) },
                     stopping: { self.stopping.load(ordering: .acquiring) })
        }
        thread.withLock { $0 = t }
    }

    /// Sends `request`; `completion` runs on the client's loop thread and must be quick.
    package func send(_ request: ClientRequest, completion: @escaping @Sendable (Result<ClientResponse, HTTPClientError>) -> Void) {
        if stopping.load(ordering: .acquiring) { completion(.failure(.shutdown)); return }
        let timeoutNanos = UInt64(max(0, request.timeout.components.seconds)) * 1_000_000_000
            + UInt64(max(0, request.timeout.components.attoseconds / 1_000_000_000))
        let deadline = LinuxSystem.monotonicNanos() + timeoutNanos
        resolver.resolve(request.host, port: request.port) { [self] result in
            switch result {
            case .failure(let e): completion(.failure(e))
            case .success(let addr):
                submissions.withLock { $0.append(Job(request: request, deadline: deadline, address: addr, completion: completion)) }
                var one: UInt64 = 1
                _ = write(wakeFD, &one, 8)
            }
        }
    }

    /// Resolves `request`'s host off the loop, then queues the exchange (or its failure) for it.
    private func resolveThenSubmit(_ request: ClientRequest, deadline: UInt64,
                                   completion: @escaping @Sendable (Result<ClientResponse, HTTPClientError>) -> Void) {
        resolver.resolve(request.host, port: request.port) { [self] result in
            switch result {
            case .failure(let e):
                submissions.withLock { $0.append(Job(request: request, deadline: deadline, address: nil, completion: { _ in completion(.failure(e)) })) }
            case .success(let addr):
                submissions.withLock { $0.append(Job(request: request, deadline: deadline, address: addr, completion: completion)) }
            }
            wake()
        }
    }

    /// Hands a new periodic exchange to the loop.
    func submitPeriodic(_ p: PeriodicFetch) {
        if stopping.load(ordering: .acquiring) { p.finish(); return }
        periodicChanges.withLock { $0.add.append(p) }
        wake()
    }

    /// Asks the loop to drop a periodic exchange (after its exchange in flight, if any).
    func requestCancel(_ p: PeriodicFetch) {
        if stopping.load(ordering: .acquiring) { p.finish(); return }
        periodicChanges.withLock { $0.cancel.append(p) }
        wake()
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    /// `send` for async callers.
    package func fetch(_ request: ClientRequest) async -> Result<ClientResponse, HTTPClientError> {
        await withCheckedContinuation { c in send(request) { c.resume(returning: $0) } }
    }

    /// Fails everything in flight with `.shutdown`, closes every connection and joins the thread.
    package func shutdown() {
        guard !stopping.exchange(true, ordering: .acquiringAndReleasing) else { return }
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
        let t = thread.withLock { t -> OSThread? in let x = t; t = nil; return x }
        t?.join()
        close(wakeFD)
        close(epfd)
        let left = submissions.withLock { s in let j = s; s.removeAll(); return j }
        for j in left { j.completion(.failure(.shutdown)) }
        let changes = periodicChanges.withLock { c in let x = c; c = ([], []); return x }
        for p in changes.add + changes.cancel { p.finish() }
    }

    deinit { shutdown() }
}

/// Resolves host names off the loop thread, caching answers for 30 s. IPv4 literals and
/// `localhost` never touch the resolver.
final class HostResolver: Sendable {
    private let cache = Mutex<[String: (addr: in_addr, expires: UInt64)]>([:])
    private let queue = DispatchQueue(label: "vigil.httpclient.resolve", attributes: .concurrent)

    /// The address without waiting: IPv4 literals, `localhost` and cached names; nil otherwise.
    func resolveNow(_ host: String, port: Int) -> sockaddr_in? {
        guard (0 ... 65535).contains(port) else { return nil }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        let name = host == "localhost" ? "127.0.0.1" : host
        if inet_pton(AF_INET, name, &addr.sin_addr) == 1 { return addr }
        guard let hit = cache.withLock({ $0[name] }), hit.expires > LinuxSystem.monotonicNanos() else { return nil }
        addr.sin_addr = hit.addr
        return addr
    }

    func resolve(_ host: String, port: Int, _ done: @escaping @Sendable (Result<sockaddr_in, HTTPClientError>) -> Void) {
        guard (0 ... 65535).contains(port) else { done(.failure(.connect("invalid port \(port)"))); return }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = UInt16(port).bigEndian
        let name = host == "localhost" ? "127.0.0.1" : host
        if inet_pton(AF_INET, name, &addr.sin_addr) == 1 { done(.success(addr)); return }
        let now = LinuxSystem.monotonicNanos()
        if let hit = cache.withLock({ $0[name] }), hit.expires > now {
            addr.sin_addr = hit.addr
            done(.success(addr))
            return
        }
        let base = addr
        queue.async { [self] in
            var resolved = base
            var hints = addrinfo()
            hints.ai_family = AF_INET
            hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
            var res: UnsafeMutablePointer<addrinfo>?
            let rc = getaddrinfo(name, nil, &hints, &res)
            defer { if let res { freeaddrinfo(res) } }
            guard rc == 0, let first = res, let sa = first.pointee.ai_addr else {
                done(.failure(.resolve(host: host, reason: String(cString: gai_strerror(rc)))))
                return
            }
            let found = sa.withMemoryRebound(to: sockaddr_in.self, capacity: 1) { $0.pointee.sin_addr }
            cache.withLock { $0[name] = (found, LinuxSystem.monotonicNanos() + 30_000_000_000) }
            resolved.sin_addr = found
            done(.success(resolved))
        }
    }
}
