import Glibc
import Synchronization
import Testing
@testable import HTTP

/// A one-shot raw TCP server on 127.0.0.1 that answers each accepted connection with `reply`
/// (given the request bytes), for responses our own server would never produce.
final class CannedServer: @unchecked Sendable {
    let fd: Int32
    let port: Int
    let accepted = Counter()

    init(reply: @escaping @Sendable (Int32) -> Void) throws {
        let listenFD = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var one: Int32 = 1
        setsockopt(listenFD, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(4))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listenFD, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } }
        listen(listenFD, 64)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listenFD, $0, &len) } }
        fd = listenFD
        port = Int(UInt16(bigEndian: addr.sin_port))
        let counter = accepted
        TestThread.detach {
            while true {
                let c = accept(listenFD, nil, nil)
                // The accept thread owns the listening descriptor and closes it itself: if deinit
                // closed it, the number could be reused by the next test's listener while this
                // thread is about to call accept() again, stealing (and resetting) its connections.
                if c < 0 { close(listenFD); return }
                counter.add(1, ordering: .relaxed)
                TestThread.detach { reply(c); close(c) }
            }
        }
    }

    /// Wakes the accept thread (accept fails on a shut-down listener); it closes the descriptor.
    deinit { shutdown(fd, Int32(SHUT_RDWR)) }

    /// Reads until the end of a request head.
    static func readHead(_ c: Int32) {
        var got: [UInt8] = []
        var b = [UInt8](repeating: 0, count: 4096)
        while !(got.count >= 4 && got.suffix(4) == [13, 10, 13, 10]) {
            let n = recv(c, &b, b.count, 0)
            if n <= 0 { return }
            got.append(contentsOf: b[0 ..< n])
        }
    }

    static func send(_ c: Int32, _ text: String) {
        let bytes = Array(text.utf8)
        _ = bytes.withUnsafeBytes { Glibc.send(c, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
    }
}

/// Minimal detached pthread for test servers.
enum TestThread {
    static func detach(_ body: @escaping @Sendable () -> Void) {
        final class Box { let body: @Sendable () -> Void; init(_ b: @escaping @Sendable () -> Void) { body = b } }
        var t = pthread_t()
        let box = Unmanaged.passRetained(Box(body)).toOpaque()
        pthread_create(&t, nil, { raw in
            guard let raw else { return nil }
            Unmanaged<Box>.fromOpaque(raw).takeRetainedValue().body()
            return nil
        }, box)
        pthread_detach(t)
    }
}

@Suite(.serialized) struct HTTPClientTests {
    func fetch(_ client: HTTPClient, port: Int, _ target: String = "/", timeout: Duration = .seconds(5), maxBody: Int = 0) async -> Result<ClientResponse, HTTPClientError> {
        await client.fetch(ClientRequest(host: "127.0.0.1", port: port, target: target,
                                         headers: [("Accept", "text/plain")], timeout: timeout, maxBodyBytes: maxBody))
    }

    @Test func keepAliveReusesOneConnectionAgainstOurServer() async throws {
        var router = Router()
        router.add(.get, "/metrics") { req in .text("up 1 \(req.queryValue("n") ?? "")\n") }
        router.add(.get, "/big") { _ in HTTPResponse(status: 200, contentType: "text/plain", body: [UInt8](repeating: 65, count: 3 << 20)) }
        let observer = ConnectionCounter()
        let server = HTTPServer(router: router, port: 0, loops: 1, observer: observer)
        try server.start()
        defer { server.shutdown(grace: .seconds(1)) }
        let client = HTTPClient()
        defer { client.shutdown() }
        for i in 0 ..< 50 {
            let r = try await fetch(client, port: server.port, "/metrics?n=\(i)").get()
            #expect(r.status == 200)
            #expect(String(decoding: r.body, as: UTF8.self) == "up 1 \(i)\n")
        }
        #expect(observer.opened.load(ordering: .relaxed) == 1)
        let big = try await fetch(client, port: server.port, "/big").get()
        #expect(big.body.count == 3 << 20)
        let limited = await fetch(client, port: server.port, "/big", maxBody: 1 << 20)
        #expect(failure(limited) == .bodyTooLarge(limit: 1 << 20))
        let missing = try await fetch(client, port: server.port, "/nope").get()
        #expect(missing.status == 404)
    }

    @Test func chunkedAndCloseDelimitedBodies() async throws {
        let chunked = try CannedServer { c in
            CannedServer.readHead(c)
            CannedServer.send(c, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n")
            usleep(20_000)
            CannedServer.send(c, "6\r\n world\r\n0\r\nX-Trailer: 1\r\n\r\n")
            usleep(200_000)
        }
        let closing = try CannedServer { c in
            CannedServer.readHead(c)
            CannedServer.send(c, "HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil the end")
        }
        let client = HTTPClient()
        defer { client.shutdown() }
        let a = try await fetch(client, port: chunked.port).get()
        #expect(String(decoding: a.body, as: UTF8.self) == "hello world")
        let b = try await fetch(client, port: closing.port).get()
        #expect(String(decoding: b.body, as: UTF8.self) == "until the end")
        #expect(b.header("content-type") == "text/plain")
    }

    @Test(arguments: [
        ("HTTP/2 200 OK\r\n\r\n", "invalid status line"),
        ("HTTP/1.1 2000 OK\r\n\r\n", "invalid status line"),
        ("HTTP/1.1 200 OK\r\nContent-Length: x\r\n\r\n", "invalid Content-Length"),
        ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "invalid chunk size"),
        ("HTTP/1.1 200 OK\r\nbroken header\r\n\r\n", "invalid header line"),
    ])
    func malformedResponses(_ reply: String, _ message: String) async throws {
        let server = try CannedServer { c in CannedServer.readHead(c); CannedServer.send(c, reply); usleep(100_000) }
        let client = HTTPClient()
        defer { client.shutdown() }
        let r = await fetch(client, port: server.port)
        guard case .failure(.malformedResponse(let text)) = r else { Issue.record("got \(r)"); return }
        #expect(text.contains(message))
    }

    @Test func timeoutsCoverSlowServersAndTruncatedBodies() async throws {
        let silent = try CannedServer { c in CannedServer.readHead(c); usleep(2_000_000) }
        let truncated = try CannedServer { c in
            CannedServer.readHead(c)
            CannedServer.send(c, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
        }
        let client = HTTPClient()
        defer { client.shutdown() }
        let start = ContinuousClock.now
        let r = await fetch(client, port: silent.port, timeout: .milliseconds(300))
        #expect(failure(r) == .timeout)
        #expect(ContinuousClock.now - start < .seconds(1.5))
        #expect(failure(await fetch(client, port: truncated.port)) == .connectionClosed)
    }

    @Test func refusedConnectionAndServerClosingIdleConnectionIsRetried() async throws {
        let client = HTTPClient()
        defer { client.shutdown() }
        // A port nobody listens on: bound by a server that is then closed.
        var deadPort = 0
        do {
            let tmp = try CannedServer { _ in }
            deadPort = tmp.port
        }
        let refused = await fetch(client, port: deadPort)
        guard case .failure(.connect(let reason)) = refused else { Issue.record("expected a connect error, got \(refused)"); return }
        #expect(reason.contains("refused"))

        // Each connection answers once with keep-alive, then the server closes it: the second
        // request finds a dead idle connection and must transparently use a new one.
        let oneShot = try CannedServer { c in
            CannedServer.readHead(c)
            CannedServer.send(c, "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok")
            usleep(50_000)
        }
        for _ in 0 ..< 3 {
            let r = try await fetch(client, port: oneShot.port).get()
            #expect(r.body == Array("ok".utf8))
            usleep(100_000)
        }
        #expect(oneShot.accepted.value == 3)
    }

    @Test func manyConcurrentRequests() async throws {
        var router = Router()
        router.add(.get, "/m") { _ in .text("x\n") }
        let server = HTTPServer(router: router, port: 0)
        try server.start()
        defer { server.shutdown(grace: .seconds(1)) }
        let client = HTTPClient(maxIdlePerHost: 8)
        defer { client.shutdown() }
        let ok = await withTaskGroup(of: Bool.self) { group in
            for _ in 0 ..< 500 {
                group.addTask { (try? await self.fetch(client, port: server.port, "/m").get().status) == 200 }
            }
            var n = 0
            for await r in group where r { n += 1 }
            return n
        }
        #expect(ok == 500)
    }
}

func failure(_ r: Result<ClientResponse, HTTPClientError>) -> HTTPClientError? {
    if case .failure(let e) = r { return e }
    return nil
}

/// A thread-safe count, shareable with detached threads.
final class Counter: Sendable {
    private let n = Atomic<Int>(0)
    func add(_ d: Int, ordering _: AtomicUpdateOrdering = .relaxed) { n.add(d, ordering: .relaxed) }
    var value: Int { n.load(ordering: .relaxed) }
}

final class ConnectionCounter: HTTPServerObserver {
    let opened = Atomic<Int>(0)
    func connectionOpened() { opened.add(1, ordering: .relaxed) }
}
