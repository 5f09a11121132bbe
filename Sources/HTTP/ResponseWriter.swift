/// Serialises response heads and chunk framing into a connection's outbound bytes.
enum ResponseSerializer {
    /// How the body is delimited on the wire.
    enum Framing {
        /// `Content-Length: n`.
        case contentLength(Int)
        /// `Transfer-Encoding: chunked`.
        case chunked
        /// No length: 1xx/204/304 have no body; an HTTP/1.0 stream ends at close.
        case none
    }

    /// `HTTP/1.1 <code> <reason>\r\n` for every code from 100 to 599, built once.
    private static let statusLines: [[UInt8]] = (0..<600).map { code in
        Array("HTTP/1.1 \(code) \(HTTPResponse.reasonPhrase(code))\r\n".utf8)
    }

    private static let framingHeaderNames: [[UInt8]] = ["content-length", "transfer-encoding", "connection", "date"].map { Array($0.utf8) }
    private static let contentLengthPrefix = Array("Content-Length: ".utf8)
    private static let chunkedHeader = Array("Transfer-Encoding: chunked\r\n".utf8)
    private static let closeHeader = Array("Connection: close\r\n".utf8)
    private static let keepAliveHeader = Array("Connection: keep-alive\r\n".utf8)
    private static let datePrefix = Array("Date: ".utf8)
    static let continueResponse = Array("HTTP/1.1 100 Continue\r\n\r\n".utf8)
    static let lastChunk = Array("0\r\n\r\n".utf8)

    /// Appends the status line, the handler's headers minus framing ones, then `Date`, framing
    /// and `Connection` headers and the empty line.
    static func writeHead(status: Int, headers: HTTPHeaders, framing: Framing, connection: ConnectionHeader,
                          date: [UInt8], into out: inout [UInt8]) {
        if status >= 100, status < 600 {
            out.append(contentsOf: statusLines[status])
        } else {
            out.append(contentsOf: "HTTP/1.1 \(status) Unknown\r\n".utf8)
        }
        var filtered = headers
        if headers.fields.contains(where: { field in framingHeaderNames.contains { headers.nameMatches(field, $0) } }) {
            for name in ["Content-Length", "Transfer-Encoding", "Connection", "Date"] { filtered.remove(name: name) }
        }
        filtered.write(to: &out)
        out.append(contentsOf: datePrefix)
        out.append(contentsOf: date)
        out.append(contentsOf: ASCII.crlf)
        switch framing {
        case .contentLength(let length):
            out.append(contentsOf: contentLengthPrefix)
            appendDecimal(length, to: &out)
            out.append(contentsOf: ASCII.crlf)
        case .chunked:
            out.append(contentsOf: chunkedHeader)
        case .none:
            break
        }
        switch connection {
        case .none: break
        case .close: out.append(contentsOf: closeHeader)
        case .keepAlive: out.append(contentsOf: keepAliveHeader)
        }
        out.append(contentsOf: ASCII.crlf)
    }

    /// Which `Connection` header to send.
    enum ConnectionHeader { case none, close, keepAlive }

    /// Appends one chunk: hex size, CRLF, data, CRLF (RFC 9112 §7.1). Empty data appends nothing,
    /// since a zero-size chunk would end the body.
    static func appendChunk(_ data: [UInt8], to out: inout [UInt8]) {
        guard !data.isEmpty else { return }
        appendHex(data.count, to: &out)
        out.append(contentsOf: ASCII.crlf)
        out.append(contentsOf: data)
        out.append(contentsOf: ASCII.crlf)
    }

    static func appendDecimal(_ value: Int, to out: inout [UInt8]) {
        if value < 10 {
            out.append(ASCII.zero + UInt8(truncatingIfNeeded: max(value, 0)))
            return
        }
        var digits: [UInt8] = []
        var rest = value
        while rest > 0 {
            digits.append(ASCII.zero + UInt8(truncatingIfNeeded: rest % 10))
            rest /= 10
        }
        out.append(contentsOf: digits.reversed())
    }

    static func appendHex(_ value: Int, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        var digits: [UInt8] = []
        var rest = max(value, 0)
        repeat {
            digits.append(hex[rest & 15])
            rest >>= 4
        } while rest > 0
        out.append(contentsOf: digits.reversed())
    }
}

/// Writes a streaming response body; handed to `HTTPResponse.Body.stream` closures.
///
/// On a pool route, each `write` frames the bytes as one chunk and passes them to the event loop,
/// blocking first while more than `ServerLimits.streamBufferBytes` are queued and unsent (the
/// back-pressure that keeps a slow client from growing memory). Once the client has gone every
/// `write` throws `HTTPError.clientGone`, so a long export stops early.
package final class ResponseBodyWriter: Sendable {
    struct Flow {
        /// Bytes handed to the loop but not yet appended to the connection's outbound buffer.
        var inFlight = 0
        /// Bytes in the connection's outbound buffer, last reported by the loop.
        var outboundPending = 0
        var gone = false
        /// The whole body when buffering (inline routes).
        var buffered: [UInt8] = []
    }

    private let flow = ConditionLock(Flow())
    private let threshold: Int
    private let chunked: Bool
    /// Hands framed bytes to the loop; nil means buffer everything (inline routes).
    private let deliver: (@Sendable ([UInt8]) -> Void)?
    /// The request's context, marked when the client goes.
    let context: RequestContext

    init(threshold: Int, chunked: Bool, context: RequestContext, deliver: (@Sendable ([UInt8]) -> Void)?) {
        self.threshold = threshold
        self.chunked = chunked
        self.context = context
        self.deliver = deliver
    }

    /// Whether the client has gone; a handler may poll this between expensive steps.
    package var isClientGone: Bool { flow.withLock { $0.gone } || context.isClientGone }

    /// Sends `bytes` as the next piece of the body.
    package func write(_ bytes: [UInt8]) throws(HTTPError) {
        guard !bytes.isEmpty else { return }
        var framed: [UInt8]
        if chunked {
            framed = []
            framed.reserveCapacity(bytes.count + 12)
            ResponseSerializer.appendChunk(bytes, to: &framed)
        } else {
            framed = bytes
        }
        guard let deliver else {
            flow.withLock { $0.buffered.append(contentsOf: bytes) }
            return
        }
        let limit = threshold
        let gone = flow.withLock(waitingUntil: { $0.gone || $0.inFlight + $0.outboundPending <= limit }) { flow -> Bool in
            if flow.gone { return true }
            flow.inFlight += framed.count
            return false
        }
        if gone { throw .clientGone }
        deliver(framed)
    }

    /// Sends the UTF-8 bytes of `text`.
    package func write(_ text: String) throws(HTTPError) {
        try write(Array(text.utf8))
    }

    /// Called by the loop after appending `appended` framed bytes and flushing what it could.
    func loopProgress(appended: Int, outboundPending: Int) {
        flow.withLock { flow in
            flow.inFlight -= appended
            flow.outboundPending = outboundPending
        }
        flow.broadcast()
    }

    /// Called by the loop when the connection is gone: wakes and fails the writer.
    func markGone() {
        flow.withLock { $0.gone = true }
        flow.broadcast()
        context.markClientGone()
    }

    /// The buffered body of an inline stream.
    func takeBuffered() -> [UInt8] {
        flow.withLock { flow in
            defer { flow.buffered = [] }
            return flow.buffered
        }
    }
}
