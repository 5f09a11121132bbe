import Foundation
import Testing
import Model
import PromQL
import TestSupport
@testable import API
@testable import HTTP

/// `/api/v1/query` and `/api/v1/query_range` over Prometheus' federation test data
/// (samples every minute from 0 to 100m), through a real server.
@Suite(.serialized) struct QueryEndpointTests {
    let api: APIServer

    init() throws {
        api = try APIServer(storage: federationStorage(), options: options(nowMs: 6_000_000))
    }

    /// Exact bodies for results whose Prometheus spelling is known.
    @Test(arguments: [
        ("/api/v1/query?query=test_metric1&time=6000",
         #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"test_metric1","foo":"bar","instance":"i"},"value":[6000,"10000"]},{"metric":{"__name__":"test_metric1","foo":"boo","instance":"i"},"value":[6000,"1"]}]}}"#),
        ("/api/v1/query?query=test_metric2",
         #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"test_metric2","foo":"boo","instance":"i"},"value":[6000,"1"]}]}}"#),
        ("/api/v1/query?query=test_metric2%20/%203&time=6000.5",
         #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"foo":"boo","instance":"i"},"value":[6000.500,"0.3333333333333333"]}]}}"#),
        ("/api/v1/query?query=test_metric2%5B2m%5D&time=6000",
         #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"test_metric2","foo":"boo","instance":"i"},"values":[[5940,"1"],[6000,"1"]]}]}}"#),
        ("/api/v1/query?query=1.5&time=1700000000.123",
         #"{"status":"success","data":{"resultType":"scalar","result":[1700000000.123,"1.5"]}}"#),
        ("/api/v1/query?query=%22hello%22&time=10",
         #"{"status":"success","data":{"resultType":"string","result":[10,"hello"]}}"#),
        ("/api/v1/query?query=-test_metric2%20*%201e-9&time=6000",
         #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"foo":"boo","instance":"i"},"value":[6000,"-1e-09"]}]}}"#),
        ("/api/v1/query?query=test_metric2%20/%200&time=6000",
         #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"foo":"boo","instance":"i"},"value":[6000,"+Inf"]}]}}"#),
        ("/api/v1/query?query=vector(0)%20/%200&time=6000",
         #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[6000,"NaN"]}]}}"#),
        ("/api/v1/query?query=does_not_exist&time=6000",
         #"{"status":"success","data":{"resultType":"vector","result":[]}}"#),
        ("/api/v1/query_range?query=test_metric2&start=5940&end=6000&step=30",
         #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"test_metric2","foo":"boo","instance":"i"},"values":[[5940,"1"],[5970,"1"],[6000,"1"]]}]}}"#),
        ("/api/v1/query_range?query=time()&start=0&end=1&step=0.5",
         #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[0,"0"],[0.500,"0.5"],[1,"1"]]}]}}"#),
        ("/api/v1/query_range?query=does_not_exist&start=0&end=60&step=15s",
         #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#),
        ("/api/v1/query?query=test_metric1&time=6000&limit=1",
         #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"test_metric1","foo":"bar","instance":"i"},"value":[6000,"10000"]}]},"warnings":["results truncated due to limit"]}"#),
    ])
    func exactBodies(_ target: String, _ want: String) throws {
        let r = try api.get(target)
        #expect(r.status == 200)
        #expect(r.header("Content-Type") == "application/json")
        #expect(r.text == want)
    }

    /// Parameter and evaluation errors: status, class and Prometheus' wording.
    @Test(arguments: [
        ("/api/v1/query?query=up&time=x", 400, "bad_data",
         #"invalid parameter "time": invalid time value for 'time': cannot parse "x" to a valid timestamp"#),
        ("/api/v1/query?query=up&timeout=x", 400, "bad_data", #"invalid parameter "timeout": cannot parse "x" to a valid duration"#),
        ("/api/v1/query?query=up&limit=x", 400, "bad_data", #"invalid parameter "limit": strconv.Atoi: parsing "x": invalid syntax"#),
        ("/api/v1/query?query=up&limit=-1", 400, "bad_data", #"invalid parameter "limit": limit must be non-negative"#),
        ("/api/v1/query?query=up&lookback_delta=x", 400, "bad_data",
         #"error parsing lookback delta duration: cannot parse "x" to a valid duration"#),
        ("/api/v1/query?query=", 400, "bad_data", #"invalid parameter "query": unknown position: parse error: no expression found in input"#),
        ("/api/v1/query?query=1%20%2B", 400, "bad_data", #"invalid parameter "query": 1:4: parse error: unexpected end of input"#),
        ("/api/v1/query_range?query=up&end=1&step=1", 400, "bad_data", #"invalid parameter "start": cannot parse "" to a valid timestamp"#),
        ("/api/v1/query_range?query=up&start=a&end=1&step=1", 400, "bad_data", #"invalid parameter "start": cannot parse "a" to a valid timestamp"#),
        ("/api/v1/query_range?query=up&start=1&step=1", 400, "bad_data", #"invalid parameter "end": cannot parse "" to a valid timestamp"#),
        ("/api/v1/query_range?query=up&start=2&end=1&step=1", 400, "bad_data",
         #"invalid parameter "end": end timestamp must not be before start time"#),
        ("/api/v1/query_range?query=up&start=1&end=2", 400, "bad_data", #"invalid parameter "step": cannot parse "" to a valid duration"#),
        ("/api/v1/query_range?query=up&start=1&end=2&step=0", 400, "bad_data",
         #"invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer"#),
        ("/api/v1/query_range?query=up&start=1&end=2&step=-5", 400, "bad_data",
         #"invalid parameter "step": zero or negative query resolution step widths are not accepted. Try a positive integer"#),
        ("/api/v1/query_range?query=up&start=0&end=11001&step=1", 400, "bad_data",
         "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)"),
        ("/api/v1/query_range?query=up%5B5m%5D&start=0&end=10&step=1", 400, "bad_data",
         #"invalid parameter "query": invalid expression type "range vector" for range query, must be Scalar or instant Vector"#),
        ("/api/v1/query?query=test_metric1%20%2B%20on(instance)%20test_metric1&time=6000", 422, "execution", nil),
    ] as [(String, Int, String, String?)])
    func errors(_ target: String, _ status: Int, _ type: String, _ message: String?) throws {
        let r = try api.get(target)
        #expect(r.status == status)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        #expect(json["status"] as? String == "error")
        #expect(json["errorType"] as? String == type)
        if let message { #expect(json["error"] as? String == message) }
        #expect(Array(json.keys).sorted() == ["error", "errorType", "status"])
    }

    /// The range limit is inclusive at 11,000 points.
    @Test func exactlyElevenThousandStepsAreAllowed() throws {
        let r = try api.get("/api/v1/query_range?query=vector(1)&start=0&end=11000&step=1")
        #expect(r.status == 200)
    }

    /// POST form bodies are read like query strings (body values first).
    @Test func postForm() throws {
        let r = try api.send("POST", "/api/v1/query", body: "query=test_metric2&time=6000")
        #expect(r.text == #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"test_metric2","foo":"boo","instance":"i"},"value":[6000,"1"]}]}}"#)
        let range = try api.send("POST", "/api/v1/query_range?step=60", body: "query=test_metric2&start=5940&end=6000")
        #expect(range.text.contains(#""values":[[5940,"1"],[6000,"1"]]"#))
    }

    /// `stats` adds Prometheus' stats object after the result; odd values add a deprecation warning.
    @Test func stats() throws {
        let r = try api.get("/api/v1/query?query=test_metric1&time=6000&stats=all")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        let data = try #require(json["data"] as? [String: Any])
        let stats = try #require(data["stats"] as? [String: Any])
        let timings = try #require(stats["timings"] as? [String: Any])
        #expect(Set(timings.keys) == ["evalTotalTime", "resultSortTime", "queryPreparationTime", "innerEvalTime", "execQueueTime", "execTotalTime"])
        let samples = try #require(stats["samples"] as? [String: Any])
        #expect(samples["totalQueryableSamples"] as? Int != nil)
        #expect(samples["peakSamples"] as? Int != nil)
        #expect(r.text.contains(#""result":[{"#) && r.text.range(of: #""stats""#)!.lowerBound > r.text.range(of: #""result""#)!.lowerBound)
        #expect(json["warnings"] == nil)

        let odd = try api.get("/api/v1/query?query=1&stats=yes")
        #expect(odd.text.contains(#""warnings":["value \"yes\" for parameter \"stats\" is deprecated and will be rejected in the next major release, use \"true\" or \"all\""]"#))
        let none = try api.get("/api/v1/query?query=1")
        #expect(!none.text.contains("stats"))
    }

    /// A big matrix is streamed (chunked) and still parses to the right document.
    @Test func largeMatrixIsStreamed() throws {
        let r = try api.get("/api/v1/query_range?query=test_metric1&start=0&end=6000&step=0.55")
        #expect(r.status == 200)
        #expect(r.wasChunked)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.body)) as? [String: Any])
        let data = try #require(json["data"] as? [String: Any])
        let result = try #require(data["result"] as? [[String: Any]])
        #expect(result.count == 2)
        #expect((result[0]["values"] as? [[Any]])?.count == 10910)
        #expect(r.text.hasSuffix(#""values":[[0,"1"],[0.550,"1"]"#) == false && r.text.hasSuffix("]}]}}"))
        let small = try api.get("/api/v1/query?query=test_metric1&time=6000")
        #expect(!small.wasChunked)
    }

    /// A query whose client has gone is cancelled through the engine: `canceled`, 499.
    @Test func clientGoneCancelsTheQuery() throws {
        let storage = federationStorage()
        let queryAPI = QueryAPI(storage: storage, engine: PromQLEngine(), options: options(nowMs: 6_000_000))
        let request = try HTTPRequest(method: .get, target: "/api/v1/query_range?query=test_metric1&start=0&end=6000&step=1")
        request.context.markClientGone()
        do {
            _ = try QueryAPI.queryRange(queryAPI, request)
            Issue.record("expected an error")
        } catch {
            #expect(error.type == .canceled)
            #expect(error.message == "query was canceled in expression evaluation")
            #expect(error.type.httpStatus == 499)
        }
    }

    /// A `timeout` shorter than the query takes answers `timeout`, 503.
    @Test func timeoutParameter() throws {
        let r = try api.get("/api/v1/query_range?query=count_over_time(test_metric1%5B100m:1s%5D)&start=0&end=6000&step=1&timeout=0.000001")
        #expect(r.status == 503)
        #expect(r.text == #"{"status":"error","errorType":"timeout","error":"query timed out in expression evaluation"}"#)
    }
}
