import Glibc

/// One accepted socket: reads, parses, dispatches and writes, strictly one request at a time.
///
/// Confinement: every mutable property is touched only on the owning loop's thread. Worker
/// threads hold a reference only to send it back through `EventLoop.execute`, which is why the
/// class is `@unchecked Sendable`. Requests on one connection are answered in order: the next
/// request is parsed only after the current response is queued, and input is not read while a
/// handler runs or while more than `outboundSoftLimit` bytes wait to be written.
final class Connection: @unchecked Sendable {
    /// What the request in progress needs when its response is ready.
    struct InFlight {
        var context: RequestContext
        var route: String
        var method: HTTPMethod
        var version: HTTPVersion
        var keepAlive: Bool
        var startNanos: UInt64
    }

    enum State {
        /// Waiting for or parsing a request.
        case reading
        /// A pool handler is running.
        case awaitingHandler(InFlight)
        /// A pool handler is streaming the body.
        case streaming(InFlight, ResponseBodyWriter, chunked: Bool)
        /// The last response is being flushed; then write side shut down and linger.
        case closing
        /// Write side shut down; input is drained until EOF or the linger timeout.
        case lingering
        case closed
    }

    /// Which deadline `deadlineNanos` is.
    enum Deadline { case none, idle, head, body, linger }

    let fd: Int32
    let loop: EventLoop
    let core: ServerCore
    let remoteAddress: String
    private(set) var state: State = .reading
    private var parser: RequestParser
    private var inbound: [UInt8] = []
    private var inboundStart = 0
    private var outbound: [UInt8] = []
    private var outboundStart = 0
    private var lastWriteProgress: UInt64 = 0
    private var interest: UInt32
    private var deadline: Deadline = .idle
    private var deadlineNanos: UInt64
    private var peerClosed = false
    /// Set by a graceful shutdown: the response in progress is the last.
    private var closeAfterResponse = false

    /// Pipelined responses are batched up to this many unsent bytes before input is left alone.
    private let outboundSoftLimit = 64 << 10

    init(fd: Int32, loop: EventLoop, core: ServerCore, remoteAddress: String, interest: UInt32) {
        self.fd = fd
        self.loop = loop
        self.core = core
        self.remoteAddress = remoteAddress
        self.interest = interest
        self.parser = RequestParser(limits: core.limits)
        // A fresh connection gets the header timeout, not the idle one: a client that connects
        // and sends nothing must not hold a slot for five minutes.
        self.deadlineNanos = loop.now &+ core.limits.headerTimeout.nanoseconds
    }

    private var outboundPending: Int { outbound.count - outboundStart }

    // MARK: Events

    /// Handles one epoll report.
    func handle(events: UInt32) {
        if events & (LinuxSystem.epollErr | LinuxSystem.epollHup) != 0 {
            close()
            return
        }
        if events & (LinuxSystem.epollIn | LinuxSystem.epollRdHup) != 0 {
            switch state {
            case .reading:
                guard readAvailable() else { return }
            case .lingering:
                drainLingering()
                return
            case .awaitingHandler(let inFlight), .streaming(let inFlight, _, _):
                // Like Go's background read: EOF while a handler runs cancels its context. The
                // response is still written; the connection closes after it.
                peerClosed = true
                inFlight.context.markClientGone()
            case .closing, .closed:
                break
            }
        }
        drive()
    }

    /// Moves the connection forward after any change: flushes, parses, updates epoll interest.
    func drive() {
        if outboundPending > 0, !flush() { return }
        switch state {
        case .reading:
            processInput()
        case .closing where outboundPending == 0:
            if peerClosed { close() } else { beginLinger() }
        case .streaming(_, let writer, _):
            writer.loopProgress(appended: 0, outboundPending: outboundPending)
        default:
            break
        }
        if case .reading = state, peerClosed, outboundPending == 0 {
            // The client sent EOF and every complete request has been answered.
            close()
        }
        updateInterest()
    }

    /// Reads once into the loop's buffer; level-triggered epoll reports again if more is queued.
    /// Returns false when the connection was closed.
    private func readAvailable() -> Bool {
        let buffer = loop.readBuffer
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 {
                inbound.append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[0..<count]))
                return true
            }
            if count == 0 {
                peerClosed = true
                return true
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: return true
            default:
                close()
                return false
            }
        }
    }

    // MARK: Parsing and dispatch

    private func processInput() {
        while true {
            var wantsMore = false
            while case .reading = state, outboundPending < outboundSoftLimit {
                if inboundStart == inbound.count && parser.phase == .idle { wantsMore = true; break }
                var consumed = inboundStart
                let action = inbound.withUnsafeBufferPointer { parser.parse($0, consumed: &consumed) }
                inboundStart = consumed
                trackPhase()
                switch action {
                case .needMoreData:
                    wantsMore = true
                case .sendContinue:
                    outbound.append(contentsOf: ResponseSerializer.continueResponse)
                    continue
                case .error(let error):
                    sendErrorAndClose(error)
                case .request(let head, let body):
                    dispatch(head, body: body)
                }
                if wantsMore { break }
            }
            compactInbound()
            if outboundPending > 0, !flush() { return }
            // Stopped only because output piled up, and it has drained: keep going.
            if case .reading = state, !wantsMore, outboundPending == 0 { continue }
            if case .closing = state, outboundPending == 0 { beginLinger() }
            return
        }
    }

    private func compactInbound() {
        if inboundStart == inbound.count {
            if inbound.capacity > 256 << 10 { inbound = [] } else { inbound.removeAll(keepingCapacity: true) }
            inboundStart = 0
        } else if inboundStart > 0 {
            // The parser's resume offset is relative to the unconsumed start, so moving the
            // unconsumed bytes to the front is safe.
            inbound.removeFirst(inboundStart)
            inboundStart = 0
        }
    }

    /// Keeps the deadline matched to the parser phase: idle → head → body.
    private func trackPhase() {
        switch parser.phase {
        case .idle:
            break
        case .head where deadline == .idle:
            setDeadline(.head, after: core.limits.headerTimeout)
        case .body where deadline != .body:
            setDeadline(.body, after: core.limits.bodyTimeout)
        default:
            break
        }
    }

    private func setDeadline(_ kind: Deadline, after duration: Duration) {
        deadline = kind
        deadlineNanos = LinuxSystem.monotonicNanos() &+ duration.nanoseconds
    }

    private func dispatch(_ head: RequestHead, body: [UInt8]) {
        let start = LinuxSystem.monotonicNanos()
        deadline = .none
        let context = RequestContext()
        var inFlight = InFlight(context: context, route: Router.unmatchedRouteName, method: head.method,
                                version: head.version, keepAlive: head.keepAlive, startNanos: start)
        let request: HTTPRequest
        do {
            let decoded = try HTTPRequest.decodeTarget(Array(head.target.utf8))
            request = HTTPRequest(head: head, path: decoded.path, query: decoded.query,
                                  bodyForm: try HTTPRequest.decodeForm(headers: head.headers, body: body),
                                  body: body, remoteAddress: remoteAddress, context: context)
        } catch {
            complete(.error(error), inFlight)
            return
        }
        switch core.router.match(method: head.method, path: request.path) {
        case .notFound:
            complete(.goError("404 page not found", status: 404), inFlight)
        case .methodNotAllowed(let allowed):
            // Go's router answers `http.Error(w, "Method Not Allowed", 405)`.
            var response = HTTPResponse.goError("Method Not Allowed", status: 405)
            response.headers.add(name: "Allow", value: allowed.map(\.rawValue).joined(separator: ", "))
            complete(response, inFlight)
        case .found(let route, let parameters):
            inFlight.route = route.pattern
            var routed = request
            routed.pathParameters = parameters
            switch route.executor {
            case .inline:
                complete(route.handler(routed), inFlight)
            case .pool(let pool):
                state = .awaitingHandler(inFlight)
                let submitted = pool.submit { [self, routed] in
                    Self.runOnWorker(route.handler, routed, connection: self)
                }
                if !submitted {
                    state = .reading
                    complete(.error(.poolFull(pool.name)), inFlight)
                }
            }
        }
    }

    /// Runs a pool handler on the worker thread and hands the result back to the loop.
    private static func runOnWorker(_ handler: HTTPHandler, _ request: HTTPRequest, connection: Connection) {
        let response = handler(request)
        let loop = connection.loop
        guard case .stream(let produce) = response.body, request.method != .head else {
            loop.execute { connection.handlerFinished(response) }
            return
        }
        let chunked = request.version.minor >= 1
        let writer = ResponseBodyWriter(threshold: connection.core.limits.streamBufferBytes, chunked: chunked,
                                        context: request.context) { bytes in
            loop.execute { connection.streamData(bytes) }
        }
        loop.execute { connection.streamStarted(response, writer: writer, chunked: chunked) }
        let succeeded: Bool
        do { try produce(writer); succeeded = true } catch { succeeded = false }
        loop.execute { connection.streamFinished(succeeded: succeeded) }
    }

    // MARK: Responses

    private func handlerFinished(_ response: HTTPResponse) {
        guard case .awaitingHandler(let inFlight) = state else { return }
        complete(response, inFlight)
        drive()
    }

    /// Queues a whole response (running an inline stream to completion) and moves on.
    private func complete(_ response: HTTPResponse, _ inFlight: InFlight) {
        let keepAlive = inFlight.keepAlive && !closeAfterResponse && !loop.draining
        let isHead = inFlight.method == .head
        var body: [UInt8] = []
        var framing = ResponseSerializer.Framing.contentLength(0)
        var status = response.status
        var headers = response.headers
        switch response.body {
        case .bytes(let bytes):
            body = bytes
            framing = .contentLength(bytes.count)
        case .stream(let produce):
            if isHead {
                framing = inFlight.version.minor >= 1 ? .chunked : .none
            } else {
                let writer = ResponseBodyWriter(threshold: .max, chunked: false, context: inFlight.context, deliver: nil)
                do {
                    try produce(writer)
                    body = writer.takeBuffered()
                } catch {
                    status = 500
                    headers = ["Content-Type": "text/plain; charset=utf-8"]
                    body = Array("500 Internal Server Error: \(error)".utf8)
                }
                framing = .contentLength(body.count)
            }
        }
        if status < 200 || status == 204 || status == 304 { framing = .none; body = [] }
        ResponseSerializer.writeHead(status: status, headers: headers, framing: framing,
                                     connection: connectionHeader(keepAlive: keepAlive, version: inFlight.version),
                                     date: loop.dateBytes, into: &outbound)
        if !isHead { outbound.append(contentsOf: body) }
        finished(inFlight, status: status, keepAlive: keepAlive)
    }

    private func connectionHeader(keepAlive: Bool, version: HTTPVersion) -> ResponseSerializer.ConnectionHeader {
        if !keepAlive { return .close }
        return version.minor == 0 ? .keepAlive : .none
    }

    /// Records the request and sets the state for what follows it.
    private func finished(_ inFlight: InFlight, status: Int, keepAlive: Bool) {
        if let observer = core.observer {
            let seconds = Double(LinuxSystem.monotonicNanos() &- inFlight.startNanos) / 1e9
            observer.requestFinished(route: inFlight.route, method: inFlight.method.rawValue, status: status, seconds: seconds)
        }
        if keepAlive && !peerClosed {
            state = .reading
            setDeadline(.idle, after: core.limits.idleTimeout)
        } else {
            state = .closing
            deadline = .none
        }
    }

    private func streamStarted(_ response: HTTPResponse, writer: ResponseBodyWriter, chunked: Bool) {
        guard case .awaitingHandler(var inFlight) = state else {
            writer.markGone()
            return
        }
        // An HTTP/1.0 client cannot read chunks: the body ends when the connection closes.
        if !chunked { inFlight.keepAlive = false }
        let keepAlive = inFlight.keepAlive && !closeAfterResponse && !loop.draining
        inFlight.keepAlive = keepAlive
        ResponseSerializer.writeHead(status: response.status, headers: response.headers,
                                     framing: chunked ? .chunked : .none,
                                     connection: connectionHeader(keepAlive: keepAlive, version: inFlight.version),
                                     date: loop.dateBytes, into: &outbound)
        state = .streaming(inFlight, writer, chunked: chunked)
        drive()
    }

    private func streamData(_ bytes: [UInt8]) {
        guard case .streaming(_, let writer, _) = state else { return }
        outbound.append(contentsOf: bytes)
        if !flush() { return }
        writer.loopProgress(appended: bytes.count, outboundPending: outboundPending)
        updateInterest()
    }

    private func streamFinished(succeeded: Bool) {
        guard case .streaming(let inFlight, _, let chunked) = state else { return }
        if succeeded {
            if chunked { outbound.append(contentsOf: ResponseSerializer.lastChunk) }
            finished(inFlight, status: 200, keepAlive: inFlight.keepAlive)
        } else {
            // The head is out, so the only way to report failure is to end the body early; the
            // missing last chunk tells the client the body is incomplete.
            finished(inFlight, status: 500, keepAlive: false)
        }
        drive()
    }

    /// Queues `error` as a one-line `text/plain` answer with `Connection: close`.
    private func sendErrorAndClose(_ error: HTTPError) {
        let response = HTTPResponse.error(error)
        if case .bytes(let body) = response.body {
            ResponseSerializer.writeHead(status: response.status, headers: response.headers,
                                         framing: .contentLength(body.count), connection: .close,
                                         date: loop.dateBytes, into: &outbound)
            outbound.append(contentsOf: body)
        }
        state = .closing
        deadline = .none
    }

    // MARK: Writing and closing

    /// Writes as much pending output as the socket takes. Returns false when it closed the
    /// connection because the peer is gone.
    private func flush() -> Bool {
        while outboundStart < outbound.count {
            let written = outbound.withUnsafeBytes { raw in
                send(fd, raw.baseAddress.map { $0 + outboundStart }, raw.count - outboundStart, Int32(MSG_NOSIGNAL))
            }
            if written > 0 {
                outboundStart += written
                lastWriteProgress = loop.now
                continue
            }
            if written < 0 {
                let code = errno
                if code == EINTR { continue }
                if code == EAGAIN || code == EWOULDBLOCK {
                    if lastWriteProgress == 0 { lastWriteProgress = loop.now }
                    return true
                }
            }
            close()
            return false
        }
        if outbound.capacity > 1 << 20 { outbound = [] } else { outbound.removeAll(keepingCapacity: true) }
        outboundStart = 0
        lastWriteProgress = 0
        return true
    }

    private func beginLinger() {
        if peerClosed {
            close()
            return
        }
        shutdown(fd, Int32(SHUT_WR))
        state = .lingering
        setDeadline(.linger, after: core.limits.lingerTimeout)
        updateInterest()
    }

    private func drainLingering() {
        let buffer = loop.readBuffer
        while true {
            let count = Glibc.read(fd, buffer.baseAddress, buffer.count)
            if count > 0 { continue }
            if count < 0, errno == EINTR { continue }
            if count < 0, errno == EAGAIN || errno == EWOULDBLOCK { return }
            close()
            return
        }
    }

    private func updateInterest() {
        var wanted: UInt32 = 0
        switch state {
        case .reading:
            if outboundPending == 0 && !peerClosed { wanted = LinuxSystem.epollIn }
        case .awaitingHandler, .streaming:
            // Only to notice the client leaving; dropped once seen, since level-triggered
            // RDHUP would otherwise be reported on every wait.
            if !peerClosed { wanted = LinuxSystem.epollRdHup }
        case .lingering:
            wanted = LinuxSystem.epollIn
        case .closing:
            break
        case .closed:
            return
        }
        if outboundPending > 0 { wanted |= LinuxSystem.epollOut }
        if wanted != interest {
            interest = wanted
            loop.modify(fd: fd, events: wanted)
        }
    }

    /// Closes the socket and tells a running handler or stream that the client is gone.
    func close() {
        switch state {
        case .closed:
            return
        case .awaitingHandler(let inFlight):
            inFlight.context.markClientGone()
        case .streaming(_, let writer, _):
            writer.markGone()
        default:
            break
        }
        state = .closed
        loop.remove(self)
    }

    // MARK: Timeouts and shutdown

    /// Enforces the deadline and write-stall timeout; called by the loop's sweep.
    func sweep(now: UInt64) {
        if outboundPending > 0, lastWriteProgress != 0,
           now &- lastWriteProgress > core.limits.writeStallTimeout.nanoseconds {
            close()
            return
        }
        guard deadline != .none, now > deadlineNanos else { return }
        switch (deadline, state) {
        case (.idle, .reading) where parser.phase == .idle:
            close()
        case (.head, .reading), (.body, .reading), (.idle, .reading):
            sendErrorAndClose(.requestTimeout)
            drive()
        case (.linger, _):
            close()
        default:
            deadline = .none
        }
    }

    /// Graceful shutdown: closes an idle connection now, otherwise ends it after this response.
    func beginDrain() {
        closeAfterResponse = true
        if case .reading = state, parser.phase == .idle, outboundPending == 0 {
            close()
        }
    }
}

extension HTTPRequest {
    /// A request from a parsed head; the target has been decoded by the caller.
    init(head: RequestHead, path: String, query: [QueryItem], bodyForm: [QueryItem], body: [UInt8],
         remoteAddress: String, context: RequestContext) {
        self.method = head.method
        self.target = head.target
        self.path = path
        self.queryItems = query
        self.bodyFormItems = bodyForm
        self.headers = head.headers
        self.body = body
        self.pathParameters = [:]
        self.remoteAddress = remoteAddress
        self.version = head.version
        self.context = context
    }
}
