import Foundation
import Testing
import Model
import TestSupport
@testable import API

/// `/api/v1/series`, `/api/v1/labels`, `/api/v1/label/:name/values`.
@Suite(.serialized) struct LabelEndpointTests {
    let api: APIServer

    init() throws {
        let storage = federationStorage()
        storage.add(Labels([("__name__", "otel_metric"), ("http.status", "200")]), [Sample(t: 0, v: 1)])
        api = try APIServer(storage: storage, options: options(nowMs: 6_000_000))
    }

    @Test(arguments: [
        ("/api/v1/series?match[]=test_metric1",
         #"{"status":"success","data":[{"__name__":"test_metric1","foo":"bar","instance":"i"},{"__name__":"test_metric1","foo":"boo","instance":"i"}]}"#),
        ("/api/v1/series?match[]=test_metric2&match[]=%7Bfoo%3D%22boo%22%7D",
         #"{"status":"success","data":[{"__name__":"test_metric1","foo":"boo","instance":"i"},{"__name__":"test_metric2","foo":"boo","instance":"i"}]}"#),
        ("/api/v1/series?match[]=test_metric1&limit=1",
         #"{"status":"success","data":[{"__name__":"test_metric1","foo":"bar","instance":"i"}],"warnings":["results truncated due to limit"]}"#),
        ("/api/v1/series?match[]=test_metric_old&start=5900",
         #"{"status":"success","data":[]}"#),
        ("/api/v1/series?match[]=test_metric_old&start=5880&end=2023-01-01T00:00:00Z",
         #"{"status":"success","data":[{"__name__":"test_metric_old"}]}"#),
        ("/api/v1/labels",
         #"{"status":"success","data":["__name__","foo","http.status","instance"]}"#),
        ("/api/v1/labels?match[]=test_metric_old",
         #"{"status":"success","data":["__name__"]}"#),
        ("/api/v1/labels?match[]=test_metric_old&match[]=test_metric2",
         #"{"status":"success","data":["__name__","foo","instance"]}"#),
        ("/api/v1/labels?limit=2",
         #"{"status":"success","data":["__name__","foo"],"warnings":["results truncated due to limit"]}"#),
        ("/api/v1/label/__name__/values",
         #"{"status":"success","data":["otel_metric","test_metric1","test_metric2","test_metric_old","test_metric_stale","test_metric_without_labels"]}"#),
        ("/api/v1/label/foo/values?match[]=test_metric2",
         #"{"status":"success","data":["boo"]}"#),
        ("/api/v1/label/foo/values?match[]=test_metric2&match[]=test_metric1",
         #"{"status":"success","data":["bar","boo"]}"#),
        ("/api/v1/label/foo/values?limit=1",
         #"{"status":"success","data":["bar"],"warnings":["results truncated due to limit"]}"#),
        ("/api/v1/label/nope/values",
         #"{"status":"success","data":[]}"#),
        ("/api/v1/label/U__http_2e_status/values",
         #"{"status":"success","data":["200"]}"#),
    ])
    func exactBodies(_ target: String, _ want: String) throws {
        let r = try api.get(target)
        #expect(r.status == 200)
        #expect(r.text == want)
    }

    @Test(arguments: [
        ("/api/v1/series", #"no match[] parameter provided"#),
        ("/api/v1/series?match[]=not-a-metric", #"invalid parameter "match[]": 1:4: parse error: unexpected <op:->"#),
        ("/api/v1/series?match[]=up&start=x", #"invalid parameter "start": invalid time value for 'start': cannot parse "x" to a valid timestamp"#),
        ("/api/v1/series?match[]=up&end=x", #"invalid parameter "end": invalid time value for 'end': cannot parse "x" to a valid timestamp"#),
        ("/api/v1/series?match[]=up&limit=x", #"invalid parameter "limit": strconv.Atoi: parsing "x": invalid syntax"#),
        ("/api/v1/labels?match[]=-a", #"1:1: parse error: unexpected <op:->"#),
        ("/api/v1/labels?match[]=%7Bfoo%3D%22%22%7D", "match[] must contain at least one non-empty matcher"),
        ("/api/v1/series?match[]=%7Bfoo%3D~%22.*%22%7D", #"invalid parameter "match[]": match[] must contain at least one non-empty matcher"#),
        ("/api/v1/label/foo/values?match[]=up%5B5m%5D", #"1:3: parse error: unexpected "[""#),
    ])
    func badRequests(_ target: String, _ message: String) throws {
        let r = try api.get(target)
        #expect(r.status == 400)
        #expect(r.text == #"{"status":"error","errorType":"bad_data","error":""# + jsonEscaped(message) + #""}"#)
    }

    /// Repeated `match[]` in a POST body and in the query string are all used.
    @Test func postFormWithRepeatedMatchers() throws {
        let r = try api.send("POST", "/api/v1/series?match[]=test_metric_old", body: "match[]=test_metric2&match[]=test_metric_without_labels")
        #expect(r.text == #"{"status":"success","data":[{"__name__":"test_metric2","foo":"boo","instance":"i"},{"__name__":"test_metric_old"},{"__name__":"test_metric_without_labels"}]}"#)
        let labels = try api.send("POST", "/api/v1/labels", body: "match[]=test_metric_old")
        #expect(labels.text == #"{"status":"success","data":["__name__"]}"#)
    }

    /// `U__` decoding follows prometheus/common: `__` is `_`, `_hex_` a code point, and
    /// anything malformed leaves the name as it was.
    @Test(arguments: [
        ("U__http_2e_status", "http.status"), ("U__a__b", "a_b"), ("U__caf_e9_", "café"),
        ("U__bad_zz_", "U__bad_zz_"), ("U__open_2e", "U__open_2e"), ("U__x_", "U__x_"),
        ("U__big_110000_", "U__big_110000_"), ("U__sur_d800_", "U__sur_d800_"), ("plain", "plain"),
    ])
    func labelNameUnescaping(_ input: String, _ want: String) {
        #expect(LabelNameEscaping.unescape(input) == want)
    }
}

/// A string as it appears between quotes in Go's JSON.
func jsonEscaped(_ s: String) -> String {
    var out: [UInt8] = []
    JSONWriter.appendString(s, to: &out)
    return String(decoding: out.dropFirst().dropLast(), as: UTF8.self)
}
