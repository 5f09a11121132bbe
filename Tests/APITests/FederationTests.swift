import Testing
import Model
import TestSupport
@testable import API

/// `/federate`, with the scenarios of Prometheus' `TestFederation` (web/federate_test.go):
/// data loaded every minute, "now" at 101 minutes, lookback 5m.
@Suite(.serialized) struct FederationTests {
    static let all = """
        # TYPE test_metric1 untyped
        test_metric1{foo="bar",instance="i"} 10000 6000000
        test_metric1{foo="boo",instance="i"} 1 6000000
        # TYPE test_metric2 untyped
        test_metric2{foo="boo",instance="i"} 1 6000000
        # TYPE test_metric_old untyped
        test_metric_old{instance=""} 981 5880000
        # TYPE test_metric_without_labels untyped
        test_metric_without_labels{instance=""} 1001 6000000

        """

    @Test(arguments: [
        ("", 200, ""),
        ("match[]=does_not_match_anything", 200, ""),
        ("match[]=-not-a-valid-metric-name", 400, "1:1: parse error: unexpected <op:->\n"),
        ("match[]=not-a-valid-metric-name", 400, "1:4: parse error: unexpected <op:->\n"),
        ("match[]=test_metric1", 200,
         "# TYPE test_metric1 untyped\ntest_metric1{foo=\"bar\",instance=\"i\"} 10000 6000000\ntest_metric1{foo=\"boo\",instance=\"i\"} 1 6000000\n"),
        ("match[]=test_metric_without_labels", 200,
         "# TYPE test_metric_without_labels untyped\ntest_metric_without_labels{instance=\"\"} 1001 6000000\n"),
        ("match[]=test_metric_stale", 200, ""),
        ("match[]=test_metric_old", 200, "# TYPE test_metric_old untyped\ntest_metric_old{instance=\"\"} 981 5880000\n"),
        ("match[]={foo='boo'}", 200,
         "# TYPE test_metric1 untyped\ntest_metric1{foo=\"boo\",instance=\"i\"} 1 6000000\n# TYPE test_metric2 untyped\ntest_metric2{foo=\"boo\",instance=\"i\"} 1 6000000\n"),
        ("match[]={__name__=~'test_metric1'}&match[]={foo='bar'}", 200,
         "# TYPE test_metric1 untyped\ntest_metric1{foo=\"bar\",instance=\"i\"} 10000 6000000\ntest_metric1{foo=\"boo\",instance=\"i\"} 1 6000000\n"),
        ("match[]={__name__=~'.%2b'}", 200, all),
        ("match[]={foo='',__name__=~'.%2b'}", 200,
         "# TYPE test_metric_old untyped\ntest_metric_old{instance=\"\"} 981 5880000\n# TYPE test_metric_without_labels untyped\ntest_metric_without_labels{instance=\"\"} 1001 6000000\n"),
    ])
    func scenarios(_ params: String, _ status: Int, _ body: String) throws {
        let api = try APIServer(storage: federationStorage(), options: options(nowMs: 101 * 60_000))
        let r = try api.get("/federate?" + params)
        #expect(r.status == status)
        #expect(r.text == body)
        if status == 200 {
            #expect(r.header("Content-Type") == "text/plain; version=0.0.4; charset=utf-8; escaping=underscores")
        }
    }

    @Test(arguments: [
        (Labels([("foo", "baz"), ("zone", "ie")]), """
            # TYPE test_metric1 untyped
            test_metric1{foo="bar",instance="i",zone="ie"} 10000 6000000
            test_metric1{foo="boo",instance="i",zone="ie"} 1 6000000
            # TYPE test_metric2 untyped
            test_metric2{foo="boo",instance="i",zone="ie"} 1 6000000
            # TYPE test_metric_old untyped
            test_metric_old{foo="baz",instance="",zone="ie"} 981 5880000
            # TYPE test_metric_without_labels untyped
            test_metric_without_labels{foo="baz",instance="",zone="ie"} 1001 6000000

            """),
        (Labels([("instance", "baz")]), """
            # TYPE test_metric1 untyped
            test_metric1{foo="bar",instance="i"} 10000 6000000
            test_metric1{foo="boo",instance="i"} 1 6000000
            # TYPE test_metric2 untyped
            test_metric2{foo="boo",instance="i"} 1 6000000
            # TYPE test_metric_old untyped
            test_metric_old{instance="baz"} 981 5880000
            # TYPE test_metric_without_labels untyped
            test_metric_without_labels{instance="baz"} 1001 6000000

            """),
    ])
    func externalLabels(_ external: Labels, _ body: String) throws {
        var o = options(nowMs: 101 * 60_000)
        o.externalLabels = external
        let api = try APIServer(storage: federationStorage(), options: o)
        let r = try api.get("/federate?match[]={__name__=~'.%2b'}")
        #expect(r.text == body)
    }

    /// Values in Go's `%g` spelling, escaped label values, non-legacy names with underscores.
    @Test func spellingAndEscaping() throws {
        let storage = MemoryStorage()
        storage.add(Labels([("__name__", "big"), ("path", "a\"b\\c\nd")]), [Sample(t: 1000, v: 1234567)])
        storage.add(Labels([("__name__", "small"), ("x", "1")]), [Sample(t: 1000, v: 0.00001)])
        storage.add(Labels([("__name__", "nan.metric"), ("ü", "1")]), [Sample(t: 1000, v: .nan)])
        var o = options(nowMs: 2000)
        o.externalLabels = Labels([("instance", "fed")])
        let api = try APIServer(storage: storage, options: o)
        let r = try api.get("/federate?match[]={__name__=~'.%2b'}")
        #expect(r.text == """
            # TYPE big untyped
            big{path="a\\"b\\\\c\\nd",instance="fed"} 1.234567e+06 1000
            # TYPE nan_metric untyped
            nan_metric{_="1",instance="fed"} NaN 1000
            # TYPE small untyped
            small{x="1",instance="fed"} 1e-05 1000

            """)
    }
}

/// `--web.cors.origin` handling and the preflight.
@Suite(.serialized) struct CORSTests {
    @Test func defaultPolicyAllowsEveryOrigin() throws {
        let api = try APIServer(storage: federationStorage(), options: options(nowMs: 6_000_000))
        let r = try api.get("/api/v1/labels", headers: [("Origin", "https://grafana.example.com")])
        #expect(r.header("Access-Control-Allow-Origin") == "*")
        #expect(r.header("Access-Control-Allow-Methods") == "GET, POST, OPTIONS")
        #expect(r.header("Access-Control-Allow-Headers") == "Accept, Authorization, Content-Type, Origin")
        #expect(r.header("Access-Control-Expose-Headers") == "Date")
        #expect(r.header("Vary") == "Origin")
        let plain = try api.get("/api/v1/labels")
        #expect(plain.header("Access-Control-Allow-Origin") == nil && plain.header("Vary") == "Origin")
        let error = try api.get("/api/v1/series", headers: [("Origin", "http://x")])
        #expect(error.status == 400 && error.header("Access-Control-Allow-Origin") == "*")
    }

    @Test func regexPolicyIsAnchored() throws {
        var o = options(nowMs: 6_000_000)
        o.cors = try CORSPolicy(originRegex: #"https://grafana\.example\.com"#)
        let api = try APIServer(storage: federationStorage(), options: o)
        let ok = try api.get("/api/v1/labels", headers: [("Origin", "https://grafana.example.com")])
        #expect(ok.header("Access-Control-Allow-Origin") == "https://grafana.example.com")
        let other = try api.get("/api/v1/labels", headers: [("Origin", "https://grafana.example.com.evil")])
        #expect(other.header("Access-Control-Allow-Origin") == nil)
        #expect(other.header("Access-Control-Allow-Methods") == "GET, POST, OPTIONS")
    }

    @Test func preflight() throws {
        let api = try APIServer(storage: federationStorage(), options: options(nowMs: 6_000_000))
        let r = try api.send("OPTIONS", "/api/v1/query_range", headers: [("Origin", "http://localhost:3000"),
                                                                         ("Access-Control-Request-Method", "POST")])
        #expect(r.status == 204)
        #expect(r.header("Access-Control-Allow-Origin") == "*")
        #expect(r.header("Access-Control-Allow-Methods") == "GET, POST, OPTIONS")
    }

    @Test func responsesAreNotCompressed() throws {
        let api = try APIServer(storage: federationStorage(), options: options(nowMs: 6_000_000))
        let r = try api.get("/api/v1/labels", headers: [("Accept-Encoding", "gzip")])
        #expect(r.header("Content-Encoding") == nil)
        #expect(r.text.hasPrefix(#"{"status":"success""#))
    }
}
