import Testing
import TestSupport
@testable import HTTP

@Suite struct DecodingTests {
    @Test(arguments: [
        ("plain", false, "plain"),
        ("a%20b", false, "a b"),
        ("a+b", false, "a+b"),
        ("a+b", true, "a b"),
        ("%E2%82%ac", true, "€"),
        ("%2Fslash", false, "/slash"),
        ("%25", true, "%"),
        ("", true, ""),
    ])
    func decodes(_ input: String, _ plusAsSpace: Bool, _ want: String) throws {
        #expect(try PercentDecoding.decode(input, plusAsSpace: plusAsSpace) == want)
    }

    @Test(arguments: [("%zz", "%zz"), ("abc%", "%"), ("abc%4", "%4"), ("%4g", "%4g"), ("a%g1b", "%g1")])
    func rejectsInvalidEscapes(_ input: String, _ escape: String) {
        #expect(throws: HTTPError.invalidURLEscape(escape)) { try PercentDecoding.decode(input, plusAsSpace: true) }
        #expect(HTTPError.invalidURLEscape(escape).description == "invalid URL escape \"\(escape)\"")
    }

    @Test func formKeepsOrderAndRepeats() throws {
        let items = try FormDecoding.decode("match[]=up&match%5B%5D=a+b&&flag&x=1%3D2&=empty")
        #expect(items == [
            QueryItem(name: "match[]", value: "up"), QueryItem(name: "match[]", value: "a b"),
            QueryItem(name: "flag", value: ""), QueryItem(name: "x", value: "1=2"), QueryItem(name: "", value: "empty"),
        ])
    }

    @Test func targetForms() throws {
        let origin = try HTTPRequest(method: .get, target: "/api/v1/label/a%2Fb/values?q=1+1")
        #expect(origin.path == "/api/v1/label/a/b/values")
        #expect(origin.queryValue("q") == "1 1")
        let absolute = try HTTPRequest(method: .get, target: "http://host:9090/x?y=z")
        #expect(absolute.path == "/x")
        #expect(absolute.queryValue("y") == "z")
        #expect(throws: HTTPError.malformedTarget) { try HTTPRequest(method: .get, target: "nope") }
    }

    @Test func invalidEscapeOverTheWireIs400AndKeepsConnection() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            try client.send(get("/echo?q=%zz"))
            let response = try client.readResponse()
            #expect(response.status == 400)
            #expect(response.text == "400 Bad Request: invalid URL escape \"%zz\"")
            try client.send(get("/-/healthy"))
            #expect(try client.readResponse().status == 200)
        }
    }

    @Test func formPostMergesBodyAndQuery() throws {
        try withServer { _, port in
            let client = try RawHTTPClient(port: port)
            let body = "match%5B%5D=b1&match[]=b2&query=from+body"
            try client.send("POST /form?match[]=q1&query=fromquery HTTP/1.1\r\nHost: h\r\n" +
                            "Content-Type: application/x-www-form-urlencoded; charset=utf-8\r\n" +
                            "Content-Length: \(body.utf8.count)\r\n\r\n\(body)")
            let response = try client.readResponse()
            #expect(response.text == "b1,b2,q1|from body")
        }
    }
}
