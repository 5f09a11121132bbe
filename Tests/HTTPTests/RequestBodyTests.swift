import Glibc
import Testing
import TestSupport
@testable import HTTP

@Suite struct RequestBodyTests {
    @Test func contentLengthBodySplitAcrossWrites() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\nhel")
            usleep(30_000)
            try client.send("lo ")
            usleep(30_000)
            try client.send("world")
            #expect(try client.readResponse().text.contains("body=hello world"))
        }
    }

    @Test func chunkedBodySplitAcrossWrites() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWi")
            usleep(30_000)
            try client.send("ki\r\n5;name=val\r\npedia\r\n")
            usleep(30_000)
            try client.send("0\r\nX-Trailer: t\r\n\r\n")
            #expect(try client.readResponse().text.contains("body=Wikipedia"))
        }
    }

    @Test func chunkedBodyOneByteAtATime() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            let request = "POST /echo HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
            for byte in request.utf8 {
                try client.send([byte])
            }
            #expect(try client.readResponse().text.contains("body=abcde"))
        }
    }

    @Test func expectContinueGets100BeforeBody() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send("POST /echo HTTP/1.1\r\nHost: h\r\nExpect: 100-continue\r\nContent-Length: 4\r\n\r\n")
            let interim = try client.readResponse()
            #expect(interim.status == 100)
            try client.send("data")
            let final = try client.readResponse()
            #expect(final.status == 200)
            #expect(final.text.contains("body=data"))
        }
    }

    @Test func largeBodyIsReadWhole() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            let body = String(repeating: "x", count: 3 << 20)
            try client.send("POST /echo HTTP/1.1\r\nHost: h\r\nContent-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let response = try client.readResponse()
            #expect(response.status == 200)
            #expect(response.body.count == "method=POST\npath=/echo\nbody=".utf8.count + body.utf8.count)
        }
    }
}

@Suite struct MalformedRequestTests {
    @Test(arguments: [
        ("GET /\r\nHost: h\r\n\r\n", 400, "malformed HTTP request line"),
        ("BAD\r\n\r\n", 400, "malformed HTTP request line"),
        ("GET / HTTP/1.1\r\n\r\n", 400, "missing required Host header"),
        ("GET / HTTP/9.9\r\nHost: h\r\n\r\n", 505, "unsupported protocol version"),
        ("GET / HTTP/1.1\r\nHost: h\r\nNo colon here\r\n\r\n", 400, "malformed header"),
        ("GET / HTTP/1.1\r\nHost: h\r\nContent-Length: 1x\r\n\r\n", 400, "bad Content-Length"),
        ("POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\nabc", 400, "both Content-Length and Transfer-Encoding"),
        ("POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\nxyz\r\n", 400, "invalid chunked body"),
    ])
    func answeredThenClosed(_ request: String, _ status: Int, _ reason: String) throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(request)
            let response = try client.readResponse()
            #expect(response.status == status)
            #expect(response.header("Connection") == "close")
            #expect(response.header("Content-Type") == "text/plain; charset=utf-8")
            #expect(response.text.hasPrefix("\(status) "))
            #expect(response.text.contains(reason))
            #expect(!response.text.contains("\n"))
            #expect(client.isClosedByPeer())
        }
    }
}
