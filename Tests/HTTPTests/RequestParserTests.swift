import Testing
@testable import HTTP

/// Feeds `chunks` the way a connection does (unconsumed bytes kept, new ones appended) and
/// describes each non-`needMoreData` action.
func run(_ chunks: [[UInt8]], limits: ServerLimits = ServerLimits()) -> [String] {
    var parser = RequestParser(limits: limits)
    var buffer: [UInt8] = []
    var start = 0
    var out: [String] = []
    for chunk in chunks {
        buffer.append(contentsOf: chunk)
        parsing: while true {
            var consumed = start
            let action = buffer.withUnsafeBufferPointer { parser.parse($0, consumed: &consumed) }
            start = consumed
            switch action {
            case .needMoreData:
                break parsing
            case .sendContinue:
                out.append("continue")
            case .request(let head, let body):
                out.append("\(head.method) \(head.target) \(head.version) keepAlive=\(head.keepAlive) body=\(String(decoding: body, as: UTF8.self))")
                if start == buffer.count { break parsing }
            case .error(let error):
                out.append("error \(error.status) \(error)")
                return out
            }
        }
    }
    return out
}

private func bytes(_ text: String) -> [UInt8] { Array(text.utf8) }
private func oneByteAtATime(_ text: String) -> [[UInt8]] { text.utf8.map { [$0] } }

@Suite struct RequestParserTests {
    static let chunkedRequest = "POST /w HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n" +
        "5;ext=1\r\nhello\r\n1\r\n,\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n"

    @Test func simpleGet() {
        #expect(run([bytes("GET /a?b=c HTTP/1.1\r\nHost: h\r\n\r\n")]) == ["GET /a?b=c HTTP/1.1 keepAlive=true body="])
    }

    @Test func leadingEmptyLinesIgnored() {
        #expect(run([bytes("\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n")]) == ["GET / HTTP/1.1 keepAlive=true body="])
    }

    @Test func chunkedBodyWholeAndByteByByte() {
        let want = ["POST /w HTTP/1.1 keepAlive=true body=hello, world"]
        #expect(run([bytes(Self.chunkedRequest)]) == want)
        #expect(run(oneByteAtATime(Self.chunkedRequest)) == want)
    }

    @Test func contentLengthBodyByteByByteThenNextRequest() {
        let text = "POST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nabcdeGET /n HTTP/1.0\r\n\r\n"
        let want = ["POST /p HTTP/1.1 keepAlive=true body=abcde", "GET /n HTTP/1.0 keepAlive=false body="]
        #expect(run([bytes(text)]) == want)
        #expect(run(oneByteAtATime(text)) == want)
    }

    @Test func expectContinueAnnouncedBeforeBody() {
        let head = "PUT /x HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 2\r\n\r\n"
        #expect(run([bytes(head), bytes("ok")]) == ["continue", "PUT /x HTTP/1.1 keepAlive=true body=ok"])
    }

    @Test func headerNamesAreCaseInsensitive() throws {
        var storage = bytes("GET / HTTP/1.1\r\nhOsT: h\r\nX-Multi: 1\r\nx-multi:  2 \r\n\r\n")
        let head = try RequestParser.parseHead(storage)
        #expect(head.headers["host"] == "h")
        #expect(head.headers.values("X-MULTI") == ["1", "2"])
        storage.removeAll()
    }

    @Test(arguments: [
        ("GET /\r\nHost: h\r\n\r\n", 400),
        ("GET  / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("G@T / HTTP/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.x\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/1.1 extra\r\nHost: h\r\n\r\n", 400),
        ("GET / FOO/1.1\r\nHost: h\r\n\r\n", 400),
        ("GET / HTTP/2.0\r\nHost: h\r\n\r\n", 505),
        ("GET / HTTP/1.1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nNoColon\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nBad Name: v\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\n: v\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\r\n folded\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\u{01}b\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nX: a\rb\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: abc\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: -1\r\n\r\n", 400),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: gzip\r\n\r\n", 501),
        ("POST / HTTP/1.1\r\nHost: h\r\nExpect: something\r\n\r\n", 417),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n1234567890abcdef0\r\n", 400),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\nabc\r\n", 400),
    ])
    func malformedRequests(_ text: String, _ status: Int) {
        let result = run([bytes(text)])
        #expect(result.count == 1)
        #expect(result.first?.hasPrefix("error \(status) ") == true, "\(result)")
    }

    @Test func headerLimit() {
        var limits = ServerLimits()
        limits.maxHeaderBytes = 64
        let long = "GET / HTTP/1.1\r\nHost: h\r\nX: \(String(repeating: "a", count: 100))\r\n\r\n"
        #expect(run([bytes(long)], limits: limits).first?.hasPrefix("error 431") == true)
        // Also when the head never ends.
        #expect(run([bytes(String(long.prefix(80)))], limits: limits).first?.hasPrefix("error 431") == true)
    }

    @Test func bodyLimit() {
        var limits = ServerLimits()
        limits.maxBodyBytes = 4
        #expect(run([bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\n")], limits: limits).first?.hasPrefix("error 413") == true)
        let chunked = "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
        #expect(run([bytes(chunked)], limits: limits).first?.hasPrefix("error 413") == true)
    }

    @Test func phasesTrackProgress() {
        var parser = RequestParser(limits: ServerLimits())
        #expect(parser.phase == .idle)
        var consumed = 0
        let head = bytes("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\na")
        _ = Array(head.prefix(5)).withUnsafeBufferPointer { parser.parse($0, consumed: &consumed) }
        #expect(parser.phase == .head)
        consumed = 0
        _ = head.withUnsafeBufferPointer { parser.parse($0, consumed: &consumed) }
        #expect(parser.phase == .body)
    }
}

@Suite struct RequestParserSplitTests {
    /// Every split point of two pipelined requests gives the same two requests.
    @Test func everySplitPoint() {
        let text = "GET /echo?i=44 HTTP/1.1\r\nHost: test\r\n\r\nPOST /p HTTP/1.1\r\nHost: h\r\nContent-Length: 2\r\n\r\nok"
        let want = ["GET /echo?i=44 HTTP/1.1 keepAlive=true body=", "POST /p HTTP/1.1 keepAlive=true body=ok"]
        let all = Array(text.utf8)
        for split in 1..<all.count {
            let got = run([Array(all[0..<split]), Array(all[split...])])
            #expect(got == want, "split at \(split)")
        }
    }
}
