/// The head of a request: request line, headers and the framing facts derived from them.
struct RequestHead: Sendable {
    var method: HTTPMethod
    var target: String
    var version: HTTPVersion
    var headers: HTTPHeaders
    /// Whether the connection may serve another request after this one (RFC 9112 §9.3).
    var keepAlive: Bool
    /// `Expect: 100-continue` with a body to come.
    var expectContinue: Bool
    var contentLength: Int
    var chunked: Bool
}

/// An incremental HTTP/1.1 request parser: a value type fed bytes, returning what to do next.
///
/// The caller keeps unconsumed input contiguous and passes it again with more bytes appended;
/// `consumed` says how far the parser got. The head is located by scanning for CRLFCRLF,
/// resuming where the last call stopped (so one byte at a time costs O(n) overall), then parsed
/// in one pass from a single copy that becomes the header storage. Bodies are copied out as
/// they arrive, de-chunked by a byte state machine (RFC 9112 §7.1). The parser does no I/O:
/// sending `100 Continue` or an error is the caller's job.
struct RequestParser {
    enum Action {
        /// Feed more bytes.
        case needMoreData
        /// Write `HTTP/1.1 100 Continue` before the client will send the body; then call again.
        case sendContinue
        /// A whole request; the parser is ready for the next one.
        case request(RequestHead, body: [UInt8])
        /// The input is invalid; answer `error.status` and close.
        case error(HTTPError)
    }

    /// Which timeout applies right now.
    enum Phase { case idle, head, body }

    private enum ChunkState {
        case size(value: Int, digits: Int)
        case extensions(value: Int)
        case sizeLF(value: Int)
        case data(remaining: Int)
        case dataCR
        case dataLF
        case trailerLineStart
        case trailerLine
        case trailerLineLF
        case finalLF
    }

    private enum State {
        case head(scanned: Int)
        case fixedBody(remaining: Int)
        case chunked(ChunkState)
        case failed(HTTPError)
    }

    private let maxHeaderBytes: Int
    private let maxBodyBytes: Int
    /// Bytes allowed on one chunk-size line including extensions; Go allows 4 KiB as well.
    private let maxChunkLineBytes = 4096
    private var state: State = .head(scanned: 0)
    private var head: RequestHead?
    private var body: [UInt8] = []
    private var chunkLineBytes = 0
    private var trailerBytes = 0
    private var continueHandled = false

    init(limits: ServerLimits) {
        maxHeaderBytes = limits.maxHeaderBytes
        maxBodyBytes = limits.maxBodyBytes
    }

    /// Which timeout applies: idle before a request's first byte, then head, then body.
    var phase: Phase {
        switch state {
        case .head(let scanned): return scanned == 0 ? .idle : .head
        case .fixedBody, .chunked: return .body
        case .failed: return .head
        }
    }

    /// Parses from `input[consumed...]`, advancing `consumed` past what it took.
    mutating func parse(_ input: UnsafeBufferPointer<UInt8>, consumed: inout Int) -> Action {
        switch state {
        case .failed(let error):
            return .error(error)
        case .head(let scanned):
            return parseHead(input, consumed: &consumed, scanned: scanned)
        case .fixedBody(let remaining):
            let take = min(remaining, input.count - consumed)
            if take > 0 {
                body.append(contentsOf: UnsafeBufferPointer(rebasing: input[consumed..<(consumed + take)]))
                consumed += take
            }
            if remaining - take == 0 { return finish() }
            state = .fixedBody(remaining: remaining - take)
            return .needMoreData
        case .chunked(let chunkState):
            return parseChunked(input, consumed: &consumed, chunkState)
        }
    }

    private mutating func fail(_ error: HTTPError) -> Action {
        state = .failed(error)
        return .error(error)
    }

    private mutating func finish() -> Action {
        // `head` is set before any body state is entered, so it is present here.
        guard let done = head else { return fail(.malformedRequestLine) }
        let action = Action.request(done, body: body)
        state = .head(scanned: 0)
        head = nil
        body = []
        chunkLineBytes = 0
        trailerBytes = 0
        continueHandled = false
        return action
    }

    // MARK: Head

    private mutating func parseHead(_ input: UnsafeBufferPointer<UInt8>, consumed: inout Int, scanned: Int) -> Action {
        // RFC 9112 §2.2: ignore empty lines before a request line.
        if scanned == 0 {
            while consumed < input.count, input[consumed] == ASCII.cr || input[consumed] == ASCII.lf {
                consumed += 1
            }
        }
        let start = consumed
        let available = input.count - start
        var index = max(scanned, 3)
        var headLength = -1
        while index < available {
            if input[start + index] == ASCII.lf, input[start + index - 1] == ASCII.cr,
               input[start + index - 2] == ASCII.lf, input[start + index - 3] == ASCII.cr {
                headLength = index + 1
                break
            }
            index += 1
        }
        if headLength < 0 {
            if available > maxHeaderBytes { return fail(.headersTooLarge) }
            // Every end position below `available` has been checked; resume from there.
            state = .head(scanned: available)
            return .needMoreData
        }
        if headLength > maxHeaderBytes { return fail(.headersTooLarge) }
        let storage = Array(UnsafeBufferPointer(rebasing: input[start..<(start + headLength)]))
        consumed = start + headLength
        let parsed: RequestHead
        do {
            parsed = try Self.parseHead(storage)
        } catch {
            return fail(error)
        }
        if parsed.contentLength > maxBodyBytes { return fail(.bodyTooLarge(limit: maxBodyBytes)) }
        head = parsed
        if parsed.chunked {
            state = .chunked(.size(value: 0, digits: 0))
        } else if parsed.contentLength > 0 {
            body.reserveCapacity(min(parsed.contentLength, 1 << 20))
            state = .fixedBody(remaining: parsed.contentLength)
        } else {
            return finish()
        }
        if parsed.expectContinue && !continueHandled {
            continueHandled = true
            return .sendContinue
        }
        return parse(input, consumed: &consumed)
    }

    /// Parses a complete head (request line through the empty line) held in `storage`.
    static func parseHead(_ storage: [UInt8]) throws(HTTPError) -> RequestHead {
        // The request line: method SP target SP version CRLF (RFC 9112 §3).
        guard let lineEnd = storage.firstIndex(of: ASCII.cr), lineEnd + 1 < storage.count,
              storage[lineEnd + 1] == ASCII.lf else { throw .malformedRequestLine }
        guard let methodEnd = storage[0..<lineEnd].firstIndex(of: ASCII.space), methodEnd > 0 else {
            throw .malformedRequestLine
        }
        for byte in storage[0..<methodEnd] where !ASCII.isToken(byte) { throw .malformedRequestLine }
        let targetStart = methodEnd + 1
        guard let targetEnd = storage[targetStart..<lineEnd].firstIndex(of: ASCII.space), targetEnd > targetStart else {
            throw .malformedRequestLine
        }
        for byte in storage[targetStart..<targetEnd] where byte <= ASCII.space || byte == ASCII.delete {
            throw .malformedTarget
        }
        let version = try parseVersion(storage[(targetEnd + 1)..<lineEnd])

        var fields: [HTTPHeaders.Field] = []
        var contentLength: Int?
        var transferEncodingSeen = false
        var chunked = false
        var closeRequested = false
        var keepAliveRequested = false
        var expectContinue = false
        var hostCount = 0

        var lineStart = lineEnd + 2
        while true {
            // The head ends with CRLFCRLF, so every line has a CR; a bare CR inside a line is
            // rejected below as an invalid value byte.
            guard let end = storage[lineStart...].firstIndex(of: ASCII.cr), end + 1 < storage.count,
                  storage[end + 1] == ASCII.lf else { throw .malformedHeader("line not terminated by CRLF") }
            if end == lineStart { break }
            let first = storage[lineStart]
            if first == ASCII.space || first == ASCII.tab { throw .malformedHeader("obsolete line folding") }
            guard let colon = storage[lineStart..<end].firstIndex(of: ASCII.colon) else {
                throw .malformedHeader("missing colon in \"\(String(decoding: storage[lineStart..<end], as: UTF8.self))\"")
            }
            guard colon > lineStart else { throw .malformedHeader("empty header name") }
            for byte in storage[lineStart..<colon] where !ASCII.isToken(byte) {
                throw .malformedHeader("invalid header name \"\(String(decoding: storage[lineStart..<colon], as: UTF8.self))\"")
            }
            var valueStart = colon + 1
            var valueEnd = end
            while valueStart < valueEnd, storage[valueStart] == ASCII.space || storage[valueStart] == ASCII.tab { valueStart += 1 }
            while valueEnd > valueStart, storage[valueEnd - 1] == ASCII.space || storage[valueEnd - 1] == ASCII.tab { valueEnd -= 1 }
            for byte in storage[valueStart..<valueEnd] where !ASCII.isFieldValue(byte) {
                throw .malformedHeader("invalid value for \"\(String(decoding: storage[lineStart..<colon], as: UTF8.self))\"")
            }
            let name = storage[lineStart..<colon]
            let value = storage[valueStart..<valueEnd]
            switch name.count {
            case 4 where equalsLowercase(name, "host"):
                hostCount += 1
            case 6 where equalsLowercase(name, "expect"):
                guard equalsLowercase(value, "100-continue") else { throw .unsupportedExpectation }
                expectContinue = true
            case 10 where equalsLowercase(name, "connection"):
                for token in value.split(separator: ASCII.comma) {
                    let trimmed = trim(token)
                    if equalsLowercase(trimmed, "close") { closeRequested = true }
                    if equalsLowercase(trimmed, "keep-alive") { keepAliveRequested = true }
                }
            case 14 where equalsLowercase(name, "content-length"):
                guard let length = parseDecimal(value), contentLength == nil || contentLength == length else {
                    throw .invalidContentLength
                }
                contentLength = length
            case 17 where equalsLowercase(name, "transfer-encoding"):
                // Only a single `chunked` coding is supported; Go answers others with 501 too.
                guard !transferEncodingSeen, equalsLowercase(value, "chunked") else { throw .unsupportedTransferEncoding }
                transferEncodingSeen = true
                chunked = true
            default:
                break
            }
            fields.append(HTTPHeaders.Field(nameStart: Int32(lineStart), nameEnd: Int32(colon),
                                            valueStart: Int32(valueStart), valueEnd: Int32(valueEnd)))
            lineStart = end + 2
        }
        if version.minor >= 1 {
            if hostCount == 0 { throw .missingHost }
            if hostCount > 1 { throw .malformedHeader("too many Host headers") }
        }
        if chunked && contentLength != nil { throw .conflictingFraming }
        let length = contentLength ?? 0
        return RequestHead(
            method: method(storage[0..<methodEnd]),
            target: String(decoding: storage[targetStart..<targetEnd], as: UTF8.self),
            version: version,
            headers: HTTPHeaders(storage: storage, fields: fields),
            keepAlive: version.minor >= 1 ? !closeRequested : keepAliveRequested && !closeRequested,
            expectContinue: expectContinue && version.minor >= 1 && (chunked || length > 0),
            contentLength: length,
            chunked: chunked)
    }

    /// `HTTP/1.x`; a well-formed other major version is 505, anything else 400.
    private static func parseVersion(_ bytes: ArraySlice<UInt8>) throws(HTTPError) -> HTTPVersion {
        guard bytes.count == 8, bytes.starts(with: Array("HTTP/".utf8)) else { throw .malformedVersion }
        let base = bytes.startIndex
        let major = bytes[base + 5], dot = bytes[base + 6], minor = bytes[base + 7]
        guard (ASCII.zero...ASCII.nine).contains(major), dot == 0x2E, (ASCII.zero...ASCII.nine).contains(minor) else {
            throw .malformedVersion
        }
        guard major == ASCII.zero + 1 else { throw .unsupportedVersion }
        // Later 1.x minors are served as 1.1, as Go does.
        return minor == ASCII.zero ? .http1_0 : .http1_1
    }

    /// The method, reusing the constants for common ones.
    private static func method(_ bytes: ArraySlice<UInt8>) -> HTTPMethod {
        if bytes.elementsEqual("GET".utf8) { return .get }
        if bytes.elementsEqual("POST".utf8) { return .post }
        if bytes.elementsEqual("HEAD".utf8) { return .head }
        return HTTPMethod(rawValue: String(decoding: bytes, as: UTF8.self))
    }

    private static func equalsLowercase(_ bytes: ArraySlice<UInt8>, _ lower: StaticString) -> Bool {
        guard bytes.count == lower.utf8CodeUnitCount else { return false }
        return lower.withUTF8Buffer { expected in
            var index = bytes.startIndex
            for byte in expected {
                if ASCII.lowercased(bytes[index]) != byte { return false }
                index += 1
            }
            return true
        }
    }

    private static func trim(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var slice = bytes
        while let first = slice.first, first == ASCII.space || first == ASCII.tab { slice.removeFirst() }
        while let last = slice.last, last == ASCII.space || last == ASCII.tab { slice.removeLast() }
        return slice
    }

    /// A non-negative decimal of at most 18 digits (no sign, no spaces), or nil.
    private static func parseDecimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty, bytes.count <= 18 else { return nil }
        var value = 0
        for byte in bytes {
            guard byte >= ASCII.zero, byte <= ASCII.nine else { return nil }
            value = value * 10 + Int(byte - ASCII.zero)
        }
        return value
    }

    // MARK: Chunked body

    private mutating func parseChunked(_ input: UnsafeBufferPointer<UInt8>, consumed: inout Int, _ initial: ChunkState) -> Action {
        var chunk = initial
        while consumed < input.count {
            if case .data(let remaining) = chunk {
                let take = min(remaining, input.count - consumed)
                body.append(contentsOf: UnsafeBufferPointer(rebasing: input[consumed..<(consumed + take)]))
                consumed += take
                chunk = remaining == take ? .dataCR : .data(remaining: remaining - take)
                continue
            }
            let byte = input[consumed]
            consumed += 1
            switch chunk {
            case .size(let value, let digits):
                chunkLineBytes += 1
                if let digit = ASCII.hexValue(byte) {
                    // 15 hex digits keep the size below 2^60: no overflow, far above any limit.
                    guard digits < 15 else { return fail(.invalidChunk("chunk size too large")) }
                    chunk = .size(value: value << 4 | Int(digit), digits: digits + 1)
                } else if digits == 0 {
                    return fail(.invalidChunk("invalid byte in chunk length"))
                } else if byte == ASCII.cr {
                    chunk = .sizeLF(value: value)
                } else if byte == ASCII.semicolon || byte == ASCII.space || byte == ASCII.tab {
                    chunk = .extensions(value: value)
                } else {
                    return fail(.invalidChunk("invalid byte in chunk length"))
                }
            case .extensions(let value):
                chunkLineBytes += 1
                guard chunkLineBytes <= maxChunkLineBytes else { return fail(.invalidChunk("chunk extension too long")) }
                if byte == ASCII.cr {
                    chunk = .sizeLF(value: value)
                } else if !ASCII.isFieldValue(byte) {
                    return fail(.invalidChunk("invalid byte in chunk extension"))
                }
            case .sizeLF(let value):
                guard byte == ASCII.lf else { return fail(.invalidChunk("malformed chunk size line")) }
                chunkLineBytes = 0
                if value == 0 {
                    chunk = .trailerLineStart
                } else {
                    guard value <= maxBodyBytes - body.count else { return fail(.bodyTooLarge(limit: maxBodyBytes)) }
                    chunk = .data(remaining: value)
                }
            case .data:
                break // Handled above without per-byte work.
            case .dataCR:
                guard byte == ASCII.cr else { return fail(.invalidChunk("missing CRLF after chunk data")) }
                chunk = .dataLF
            case .dataLF:
                guard byte == ASCII.lf else { return fail(.invalidChunk("missing CRLF after chunk data")) }
                chunk = .size(value: 0, digits: 0)
            case .trailerLineStart:
                // Trailers are read and dropped: nothing in the daemon needs them.
                chunk = byte == ASCII.cr ? .finalLF : .trailerLine
                trailerBytes += 1
            case .trailerLine:
                trailerBytes += 1
                if byte == ASCII.cr { chunk = .trailerLineLF }
            case .trailerLineLF:
                guard byte == ASCII.lf else { return fail(.invalidChunk("malformed trailer")) }
                chunk = .trailerLineStart
            case .finalLF:
                guard byte == ASCII.lf else { return fail(.invalidChunk("malformed trailer")) }
                return finish()
            }
            if trailerBytes > maxHeaderBytes { return fail(.headersTooLarge) }
        }
        if case .data = chunk {} else if chunkLineBytes > maxChunkLineBytes {
            return fail(.invalidChunk("chunk size line too long"))
        }
        state = .chunked(chunk)
        return .needMoreData
    }
}
