import Glibc

/// Why a raw client call failed.
package enum RawHTTPClientError: Error, Equatable, CustomStringConvertible {
    /// socket/connect failed with this errno (ECONNREFUSED when nothing listens).
    case connectFailed(Int32)
    /// No byte arrived within the client's timeout.
    case timeout
    /// The peer closed before a complete response arrived.
    case closed
    /// A send failed with this errno (EPIPE/ECONNRESET when the peer is gone).
    case sendFailed(Int32)
    /// The bytes are not an HTTP/1.1 response.
    case malformed(String)

    /// What failed, for test output.
    package var description: String {
        switch self {
        case .connectFailed(let code): return "connect failed: \(String(cString: strerror(code)))"
        case .timeout: return "timed out waiting for the server"
        case .closed: return "connection closed by the server"
        case .sendFailed(let code): return "send failed: \(String(cString: strerror(code)))"
        case .malformed(let why): return "malformed response: \(why)"
        }
    }
}

/// A response as read off the wire by `RawHTTPClient`.
package struct RawHTTPResponse: Sendable {
    /// The status code.
    package var status: Int
    /// Header fields in order, names as sent.
    package var headers: [(name: String, value: String)]
    /// The body, de-chunked.
    package var body: [UInt8]
    /// Whether the body came with `Transfer-Encoding: chunked`.
    package var wasChunked: Bool

    /// The first value of header `name`, case-insensitive.
    package func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    /// The body as UTF-8 text.
    package var text: String { String(decoding: body, as: UTF8.self) }
}

/// A blocking TCP client that writes exact bytes and reads HTTP/1.1 responses, for protocol tests.
///
/// Every read is bounded by `timeout` (SO_RCVTIMEO), so a test never hangs on a silent server.
/// Not thread-safe: use one per thread.
package final class RawHTTPClient {
    private let fd: Int32
    private var buffer: [UInt8] = []

    /// Connects to `host:port` over IPv4.
    package init(port: Int, host: String = "127.0.0.1", timeout: Duration = .seconds(5)) throws(RawHTTPClientError) {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw .connectFailed(errno) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(truncatingIfNeeded: port).bigEndian
        inet_pton(AF_INET, host, &address.sin_addr)
        let result = withUnsafePointer(to: &address) { pointer in
            pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            let code = errno
            Glibc.close(fd)
            throw .connectFailed(code)
        }
        let (seconds, attoseconds) = timeout.components
        var interval = timeval(tv_sec: Int(seconds), tv_usec: Int(attoseconds / 1_000_000_000_000))
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &interval, socklen_t(MemoryLayout<timeval>.size))
        var one: Int32 = 1
        setsockopt(fd, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        self.fd = fd
    }

    deinit {
        Glibc.close(fd)
    }

    /// Writes all of `bytes`.
    package func send(_ bytes: [UInt8]) throws(RawHTTPClientError) {
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeBytes { raw in
                Glibc.send(fd, raw.baseAddress.map { $0 + offset }, raw.count - offset, Int32(MSG_NOSIGNAL))
            }
            if written < 0 {
                if errno == EINTR { continue }
                throw .sendFailed(errno)
            }
            offset += written
        }
    }

    /// Writes the UTF-8 bytes of `text`.
    package func send(_ text: String) throws(RawHTTPClientError) {
        try send(Array(text.utf8))
    }

    /// Half-closes: the server reads EOF, the client can still read.
    package func shutdownWrite() {
        shutdown(fd, Int32(SHUT_WR))
    }

    /// Sends a reset instead of a FIN when closed (SO_LINGER 0), then closes.
    package func reset() {
        var option = linger(l_onoff: 1, l_linger: 0)
        setsockopt(fd, SOL_SOCKET, SO_LINGER, &option, socklen_t(MemoryLayout<linger>.size))
        shutdown(fd, Int32(SHUT_RDWR))
    }

    /// Whether the server has sent bytes (or closed) that are not read yet; does not block.
    package func hasPendingData() -> Bool {
        if !buffer.isEmpty { return true }
        var byte: UInt8 = 0
        let count = recv(fd, &byte, 1, Int32(MSG_PEEK | MSG_DONTWAIT))
        return count >= 0 || (errno != EAGAIN && errno != EWOULDBLOCK)
    }

    /// Reads one response. `forHead` means no body follows whatever the headers say.
    package func readResponse(forHead: Bool = false) throws(RawHTTPClientError) -> RawHTTPResponse {
        let headEnd = try readUntil(Array("\r\n\r\n".utf8))
        let head = String(decoding: buffer[0..<headEnd], as: UTF8.self)
        buffer.removeFirst(headEnd + 4)
        var lines = head.split(separator: "\r\n", omittingEmptySubsequences: false).map(String.init)
        guard !lines.isEmpty else { throw .malformed("empty head") }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), let status = Int(parts[1]) else {
            throw .malformed("status line \(statusLine)")
        }
        var headers: [(name: String, value: String)] = []
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw .malformed("header \(line)") }
            headers.append((String(line[..<colon]), line[line.index(after: colon)...].trimmingSpaces()))
        }
        var response = RawHTTPResponse(status: status, headers: headers, body: [], wasChunked: false)
        if forHead || status < 200 || status == 204 || status == 304 { return response }
        if response.header("Transfer-Encoding")?.lowercased() == "chunked" {
            response.wasChunked = true
            response.body = try readChunkedBody()
        } else if let length = response.header("Content-Length").flatMap(Int.init) {
            try fill(atLeast: length)
            response.body = Array(buffer[0..<length])
            buffer.removeFirst(length)
        } else {
            response.body = try readUntilClose()
        }
        return response
    }

    /// Reads everything until the server closes; throws `timeout` if it never does.
    package func readUntilClose() throws(RawHTTPClientError) -> [UInt8] {
        while try readMore() {}
        defer { buffer = [] }
        return buffer
    }

    /// True when the server closes the connection (EOF or reset) with no further bytes.
    package func isClosedByPeer() -> Bool {
        do {
            return try readUntilClose().isEmpty
        } catch {
            return false
        }
    }

    private func readChunkedBody() throws(RawHTTPClientError) -> [UInt8] {
        var body: [UInt8] = []
        while true {
            let lineEnd = try readUntil(Array("\r\n".utf8))
            let sizeText = String(decoding: buffer[0..<lineEnd], as: UTF8.self).split(separator: ";").first ?? ""
            guard let size = Int(sizeText, radix: 16) else { throw .malformed("chunk size \(sizeText)") }
            buffer.removeFirst(lineEnd + 2)
            if size == 0 {
                // Trailers, then the empty line.
                while true {
                    let end = try readUntil(Array("\r\n".utf8))
                    buffer.removeFirst(end + 2)
                    if end == 0 { return body }
                }
            }
            try fill(atLeast: size + 2)
            body.append(contentsOf: buffer[0..<size])
            guard buffer[size] == 13, buffer[size + 1] == 10 else { throw .malformed("no CRLF after chunk") }
            buffer.removeFirst(size + 2)
        }
    }

    private func readUntil(_ needle: [UInt8]) throws(RawHTTPClientError) -> Int {
        var searchFrom = 0
        while true {
            if buffer.count >= needle.count {
                for start in searchFrom...(buffer.count - needle.count)
                where buffer[start..<(start + needle.count)].elementsEqual(needle) {
                    return start
                }
                searchFrom = buffer.count - needle.count + 1
            }
            guard try readMore() else { throw .closed }
        }
    }

    private func fill(atLeast count: Int) throws(RawHTTPClientError) {
        while buffer.count < count {
            guard try readMore() else { throw .closed }
        }
    }

    /// Appends what the socket has; false at EOF (or reset).
    private func readMore() throws(RawHTTPClientError) -> Bool {
        var chunk = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if count > 0 {
                buffer.append(contentsOf: chunk[0..<count])
                return true
            }
            if count == 0 { return false }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: throw .timeout
            case ECONNRESET: return false
            default: return false
            }
        }
    }
}

extension Substring {
    /// The text without leading and trailing spaces.
    fileprivate func trimmingSpaces() -> String {
        var slice = self
        while slice.first == " " { slice.removeFirst() }
        while slice.last == " " { slice.removeLast() }
        return String(slice)
    }
}
