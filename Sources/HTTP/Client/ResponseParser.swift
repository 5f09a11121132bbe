/// An incremental HTTP/1.1 response parser: feed bytes as they arrive, get the response when
/// complete. Handles `Content-Length`, chunked and close-delimited bodies; no body for 1xx,
/// 204 and 304. A value type: the connection owns one per exchange.
struct ResponseParser {
    enum Outcome {
        case needMore
        /// The response and whether the connection can carry another request.
        case complete(ClientResponse, keepAlive: Bool)
    }

    private enum Phase {
        case head
        case fixed(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkDataEnd
        case trailers
        case untilClose
        case done
    }

    private var phase = Phase.head
    private var buffer: [UInt8] = []
    private var status = 0
    private var headers: [(name: String, value: String)] = []
    private var body: [UInt8] = []
    private var keepAlive = true
    private let maxBodyBytes: Int
    private let maxHeadBytes = 1 << 20

    init(maxBodyBytes: Int) {
        self.maxBodyBytes = maxBodyBytes
    }

    /// True once any byte of the response arrived (a reused connection that fails before that
    /// can be retried safely).
    private(set) var receivedAny = false

    /// Consumes `bytes`; returns the outcome or throws on a protocol violation.
    mutating func feed(_ bytes: UnsafeRawBufferPointer) throws(HTTPClientError) -> Outcome {
        if !bytes.isEmpty { receivedAny = true }
        buffer.append(contentsOf: bytes)
        return try advance()
    }

    /// The peer closed the connection: completes a close-delimited body, else an error.
    mutating func finishAtEOF() throws(HTTPClientError) -> ClientResponse {
        if case .untilClose = phase {
            body.append(contentsOf: buffer)
            buffer.removeAll()
            phase = .done
            return ClientResponse(status: status, headers: headers, body: body)
        }
        throw .connectionClosed
    }

    private mutating func advance() throws(HTTPClientError) -> Outcome {
        var pos = 0
        defer { if pos > 0 { buffer.removeFirst(pos) } }
        while true {
            switch phase {
            case .head:
                guard let end = findHeadEnd(from: pos) else {
                    if buffer.count - pos > maxHeadBytes { throw .malformedResponse("response headers exceed \(maxHeadBytes) bytes") }
                    return .needMore
                }
                try parseHead(buffer[pos ..< end])
                pos = end + 4
            case .fixed(let remaining):
                let n = min(remaining, buffer.count - pos)
                body.append(contentsOf: buffer[pos ..< pos + n])
                pos += n
                if remaining - n == 0 { phase = .done } else { phase = .fixed(remaining: remaining - n); return .needMore }
            case .chunkSize:
                guard let eol = findCRLF(from: pos) else {
                    if buffer.count - pos > 4096 { throw .malformedResponse("chunk size line too long") }
                    return .needMore
                }
                var size = 0
                var digits = 0
                for b in buffer[pos ..< eol] {
                    guard let h = hexValue(b) else { if digits > 0 && (b == UInt8(ascii: ";") || b == UInt8(ascii: " ")) { break }; throw .malformedResponse("invalid chunk size") }
                    size = size * 16 + h
                    digits += 1
                    if digits > 15 { throw .malformedResponse("chunk size too large") }
                }
                guard digits > 0 else { throw .malformedResponse("invalid chunk size") }
                pos = eol + 2
                if size == 0 { phase = .trailers } else {
                    try checkBody(adding: size)
                    phase = .chunkData(remaining: size)
                }
            case .chunkData(let remaining):
                let n = min(remaining, buffer.count - pos)
                body.append(contentsOf: buffer[pos ..< pos + n])
                pos += n
                if remaining - n == 0 { phase = .chunkDataEnd } else { phase = .chunkData(remaining: remaining - n); return .needMore }
            case .chunkDataEnd:
                guard buffer.count - pos >= 2 else { return .needMore }
                guard buffer[pos] == 13, buffer[pos + 1] == 10 else { throw .malformedResponse("missing CRLF after chunk data") }
                pos += 2
                phase = .chunkSize
            case .trailers:
                guard let eol = findCRLF(from: pos) else { return .needMore }
                let empty = eol == pos
                pos = eol + 2
                if empty { phase = .done }
            case .untilClose:
                try checkBody(adding: buffer.count - pos)
                body.append(contentsOf: buffer[pos...])
                pos = buffer.count
                return .needMore
            case .done:
                return .complete(ClientResponse(status: status, headers: headers, body: body), keepAlive: keepAlive)
            }
        }
    }

    private mutating func parseHead(_ head: ArraySlice<UInt8>) throws(HTTPClientError) {
        let text = String(decoding: head, as: UTF8.self)
        var lines = text.split(separator: "\r\n", omittingEmptySubsequences: false)
        guard !lines.isEmpty else { throw .malformedResponse("empty status line") }
        let statusLine = lines.removeFirst()
        let parts = statusLine.split(separator: " ", maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count >= 2, parts[0].hasPrefix("HTTP/1."), parts[1].count == 3, let code = Int(parts[1]), code >= 100 else {
            throw .malformedResponse("invalid status line \(String(statusLine.prefix(64)).debugDescription)")
        }
        status = code
        if parts[0] == "HTTP/1.0" { keepAlive = false }
        var contentLength: Int? = nil
        var chunked = false
        for line in lines {
            guard let colon = line.firstIndex(of: ":") else { throw .malformedResponse("invalid header line") }
            let name = String(line[..<colon])
            let value = String(line[line.index(after: colon)...].drop { $0 == " " || $0 == "\t" })
                .trimmingTrailingWhitespace()
            headers.append((name, value))
            switch name.lowercased() {
            case "content-length":
                guard let n = Int(value), n >= 0 else { throw .malformedResponse("invalid Content-Length \(value.debugDescription)") }
                contentLength = n
            case "transfer-encoding":
                if value.lowercased().contains("chunked") { chunked = true }
            case "connection":
                let v = value.lowercased()
                if v.contains("close") { keepAlive = false }
                if v.contains("keep-alive") && parts[0] == "HTTP/1.0" { keepAlive = true }
            default: break
            }
        }
        if status < 200 || status == 204 || status == 304 {
            if status < 200 { throw .malformedResponse("unexpected informational status \(status)") }
            phase = .done
        } else if chunked {
            phase = .chunkSize
        } else if let n = contentLength {
            try checkBody(adding: n)
            body.reserveCapacity(n)
            phase = n == 0 ? .done : .fixed(remaining: n)
        } else {
            keepAlive = false
            phase = .untilClose
        }
    }

    private func checkBody(adding n: Int) throws(HTTPClientError) {
        if maxBodyBytes > 0, body.count + n > maxBodyBytes { throw .bodyTooLarge(limit: maxBodyBytes) }
    }

    private func findHeadEnd(from start: Int) -> Int? {
        var i = start
        while i + 3 < buffer.count {
            if buffer[i] == 13, buffer[i + 1] == 10, buffer[i + 2] == 13, buffer[i + 3] == 10 { return i }
            i += 1
        }
        return nil
    }

    private func findCRLF(from start: Int) -> Int? {
        var i = start
        while i + 1 < buffer.count {
            if buffer[i] == 13, buffer[i + 1] == 10 { return i }
            i += 1
        }
        return nil
    }

    private func hexValue(_ b: UInt8) -> Int? {
        switch b {
        case 48 ... 57: return Int(b - 48)
        case 97 ... 102: return Int(b - 87)
        case 65 ... 70: return Int(b - 55)
        default: return nil
        }
    }
}

extension String {
    fileprivate func trimmingTrailingWhitespace() -> String {
        var s = Substring(self)
        while let l = s.last, l == " " || l == "\t" { s = s.dropLast() }
        return String(s)
    }
}
