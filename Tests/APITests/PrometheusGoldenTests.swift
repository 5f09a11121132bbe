import Foundation
import Testing
import HTTP
import Model
import PromQL
import TestSupport
@testable import API

/// Golden comparison with a real Prometheus (2.42 on this machine): the same samples are
/// imported into Prometheus with `promtool tsdb create-blocks-from openmetrics` and loaded into
/// `MemoryStorage` behind our handlers; the same requests (GET, and POST with a form body for
/// the endpoints that take it) go to both and the parsed JSON, status and Content-Type must
/// match (ignoring `stats` timings). Where Prometheus 3 changed behaviour since 2.42 we follow
/// 3, and each such request is listed below with its reason and Prometheus 3's exact answer.
///
/// `DaemonGoldenTests` sends the same cases to a `vigil` process over its TSDB.
/// Skipped with a notice when `prometheus`/`promtool` are not on PATH or `VIGIL_SKIP_INTEROP=1`.
@Suite(.serialized) struct PrometheusGoldenTests {
    /// An evaluation time between sample timestamps (left-open and closed windows agree there).
    static let mid = "1700003607"
    static let range = "start=1700001007&end=1700007007&step=60"
    static let kahan = "Prometheus 3 sums with Kahan compensation in sum, avg and *_over_time (since 2.50); 2.42 adds naively, so the last digits can differ"
    static let rangePrefix = "2.42 reports query_range parse and type errors without the `invalid parameter \"query\"` prefix; Prometheus 3.0 adds it"
    static let lowerCaseTime = "2.42 capitalizes \"Invalid time value\"; Prometheus 3.2 and later write it in lower case"
    static let noParseQuery = "/api/v1/parse_query is new in Prometheus 3 (2.42 answers 404); the shape is translateAST's"
    static let lookback = "2.42 ignores the lookback_delta parameter; Prometheus 3 applies it (and rejects a bad one)"
    static let utf8Names = "Prometheus 3 validates label names as UTF-8 and decodes U__ escapes in /label/<name>/values; 2.42 only accepts legacy names"

    /// The cases every comparison sends, each GET on a POST-capable endpoint also as a POST.
    static var cases: [GoldenCase] { withPostTwins(baseCases) }

    static var baseCases: [GoldenCase] {
        var c: [GoldenCase] = []
        func instant(_ q: String, _ extra: String = "", tolerance: String? = nil) {
            c.append(GoldenCase(target: "/api/v1/query?time=\(mid)\(extra)&query=" + enc(q), floatTolerance: tolerance))
        }
        func ranged(_ q: String, _ extra: String = "", tolerance: String? = nil) {
            c.append(GoldenCase(target: "/api/v1/query_range?\(range)\(extra)&query=" + enc(q), floatTolerance: tolerance))
        }
        // Instant queries.
        instant(#"http_requests_total{instance="host-01:9100"}"#)
        instant(#"rate(http_requests_total{method="GET",instance=~"host-0[0-4]:9100"}[5m])"#)
        instant("sum by (code) (rate(http_requests_total[5m]))", tolerance: kahan)
        instant("sum without (instance, method) (increase(http_requests_total[10m]))", tolerance: kahan)
        instant("histogram_quantile(0.9, sum by (le) (rate(request_duration_seconds_bucket[5m])))")
        instant("histogram_quantile(0.5, rate(request_duration_seconds_bucket[5m]))")
        instant("topk(3, node_temperature_celsius)")
        instant("bottomk(2, avg by (instance) (node_temperature_celsius))")
        instant(#"max_over_time(node_temperature_celsius{sensor="cpu"}[10m:1m])"#)
        instant("scalar(sum(build_info))")
        instant(#""hello""#)
        instant("count(http_requests_total)")
        instant(#"node_temperature_celsius{instance="host-00:9100"} / 0"#)
        instant("-node_temperature_celsius * 1e-9 > -1")
        instant(#"node_temperature_celsius{instance="host-03:9100"}[2m]"#)
        instant("absent(nonexistent_metric)")
        // Regular expressions: Go's RE2 syntax, semantics and error texts.
        instant(#"count by (instance) (node_temperature_celsius{instance=~"host-0[0-2]:\d+",sensor!~"(?i)GPU"})"#)
        instant(#"label_replace(build_info{instance="host-01:9100"}, "host", "$1-${2}", "instance", "(?P<h>[^:]+):(\d+)")"#)
        instant(#"node_temperature_celsius{instance=~"a**"}"#)
        instant(#"node_temperature_celsius{instance=~"[z-a]"}"#)
        instant(#"node_temperature_celsius{instance=~"(?=x)"}"#)
        instant(#"label_replace(build_info, "x", "$1", "instance", "(")"#)
        c.append(GoldenCase(target: "/api/v1/query?time=\(mid)&query=" + enc(#"node_temperature_celsius{instance=~"a(b"}"#),
                            knownDifference: "2.42 compiles `^(?:re)$` and quotes that in a missing-paren error; Prometheus 3 parses the pattern alone first (`syntax.Parse(v, Perl|DotNL)`) and quotes it",
                            prometheus3From: { json in
                                if let e = json["error"] as? String { json["error"] = e.replacingOccurrences(of: "`^(?:a(b)$`", with: "`a(b`") }
                            }))
        instant("sort_desc(sum by (instance) (node_temperature_celsius))")
        // Parameters of /query: time spellings, limit, timeout, stats.
        for t in ["2023-11-14T23:13:27Z", "2023-11-15T00:13:27%2B01:00", "2023-11-14T23:13:27.250Z", "1700003607.25", "1.700003607e9"] {
            c.append(GoldenCase(target: "/api/v1/query?time=\(t)&query=" + enc("count by (sensor) (node_temperature_celsius)")))
        }
        instant("node_temperature_celsius", "&limit=0")
        instant("count(build_info)", "&limit=1")
        instant("count(build_info)", "&timeout=30s")
        instant("count(build_info)", "&timeout=1.5")
        c.append(GoldenCase(target: "/api/v1/query?time=\(mid)&stats=true&query=" + enc("sum(rate(http_requests_total[5m]))"),
                            floatTolerance: kahan, compareStats: true))
        c.append(GoldenCase(target: "/api/v1/query?time=\(mid)&stats=all&query=" + enc(#"node_temperature_celsius{sensor="cpu"}"#),
                            compareStats: true))
        // Range queries and their step spellings.
        ranged("sum by (method) (rate(http_requests_total[5m]))", tolerance: kahan)
        ranged(#"node_temperature_celsius{instance="host-02:9100"}"#)
        ranged(#"histogram_quantile(0.5, rate(request_duration_seconds_bucket{instance="host-00:9100"}[5m]))"#)
        ranged("scalar(count(build_info))")
        ranged(#"avg_over_time(node_temperature_celsius{sensor="gpu",instance="host-04:9100"}[5m:30s])"#, tolerance: kahan)
        ranged("count by (code) (http_requests_total)")
        for step in ["1m", "90s", "1m30s", "60.5", "0.5e2", "2h"] {
            c.append(GoldenCase(target: "/api/v1/query_range?start=1700001007&end=1700007007&step=\(step)&query=" + enc("count(build_info)")))
        }
        c.append(GoldenCase(target: "/api/v1/query_range?start=2023-11-14T22:30:00Z&end=2023-11-14T23:30:00.5Z&step=300&query=" + enc("max(node_temperature_celsius)")))
        c.append(GoldenCase(target: "/api/v1/query_range?start=1700001000&end=1700002000&step=100&stats=true&query=" + enc("count(build_info)"),
                            compareStats: true))
        c.append(GoldenCase(target: "/api/v1/query_range?start=0&end=11000&step=1&query=up"))
        // Series, labels, label values.
        c += [
            GoldenCase(target: "/api/v1/series?match[]=build_info"),
            GoldenCase(target: "/api/v1/series?match%5B%5D=build_info&match%5B%5D=" + enc(#"{__name__="request_duration_seconds_count",instance="host-01:9100"}"#)),
            GoldenCase(target: "/api/v1/series?match[]=" + enc(#"node_temperature_celsius{instance="host-01:9100"}"#) + "&match[]=" + enc(#"build_info{instance="host-01:9100"}"#)),
            GoldenCase(target: "/api/v1/series?match[]=build_info&start=1700000000&end=1700000100"),
            GoldenCase(target: "/api/v1/series?match[]=build_info&start=1600000000&end=1600000100"),
            GoldenCase(target: "/api/v1/series?match[]=build_info&start=2023-11-14T22:13:20Z&end=2023-11-14T23:00:00Z"),
            GoldenCase(target: "/api/v1/series?match[]=build_info&limit=5"),
            GoldenCase(target: "/api/v1/labels"),
            GoldenCase(target: "/api/v1/labels?match[]=build_info"),
            GoldenCase(target: "/api/v1/labels?match[]=build_info&match[]=" + enc(#"http_requests_total{code="500"}"#)),
            GoldenCase(target: "/api/v1/labels?start=1700000000&end=1700000100"),
            GoldenCase(target: "/api/v1/labels?start=1600000000&end=1600000100"),
            GoldenCase(target: "/api/v1/label/instance/values"),
            GoldenCase(target: "/api/v1/label/__name__/values"),
            GoldenCase(target: "/api/v1/label/code/values?match[]=" + enc(#"http_requests_total{method="PUT"}"#)),
            GoldenCase(target: "/api/v1/label/instance/values?match[]=build_info&match[]=" + enc(#"node_temperature_celsius{instance=~"host-1[0-2]:9100"}"#)),
            GoldenCase(target: "/api/v1/label/version/values?start=1600000000&end=1600000100"),
            GoldenCase(target: "/api/v1/label/version/values?start=1700000000&end=1700000100"),
            GoldenCase(target: "/api/v1/label/nonexistent/values"),
            GoldenCase(target: "/api/v1/label/U__foo_zz_/values"),
            GoldenCase(target: "/api/v1/label/%FF/values"),
            // format_query.
            GoldenCase(target: "/api/v1/format_query?query=" + enc("sum(rate(http_requests_total{code=~\"5..\"}[5m]))by(job)")),
            GoldenCase(target: "/api/v1/format_query?query=" + enc("foo{b=\"2\",a=\"1\"} offset 5m + ignoring(x) group_left bar @ 100")),
            GoldenCase(target: "/api/v1/format_query?query=" + enc("histogram_quantile(0.9, sum by (le, job) (rate(request_duration_seconds_bucket{job=\"api\",instance=~\"host-.*\"}[5m]))) > 0.5")),
            GoldenCase(target: "/api/v1/format_query?query=" + enc("sum(")),
            // query_exemplars: no exemplars are stored on either side.
            GoldenCase(target: "/api/v1/query_exemplars?query=http_requests_total&start=1700000000&end=1700007200"),
            GoldenCase(target: "/api/v1/query_exemplars?query=" + enc("sum(rate(http_requests_total[5m])) / sum(rate(build_info[5m]))")),
            GoldenCase(target: "/api/v1/query_exemplars?query=1%2B1"),
            GoldenCase(target: "/api/v1/query_exemplars?query=up&start=20&end=10"),
            GoldenCase(target: "/api/v1/query_exemplars?query=" + enc("sum(")),
        ]
        // Errors: wording and status for every class the query endpoints answer with.
        c += [
            GoldenCase(target: "/api/v1/query?time=\(mid)&query=" + enc("sum(")),
            GoldenCase(target: "/api/v1/query?time=\(mid)&query=" + enc("1 +")),
            GoldenCase(target: "/api/v1/query?time=\(mid)&query=" + enc("foo{")),
            GoldenCase(target: "/api/v1/query?time=\(mid)&query=" + enc(#"label_replace(build_info, "instance", "x", "", "")"#)),
            GoldenCase(target: "/api/v1/query_range?\(range)&query=" + enc(#"label_replace(build_info, "instance", "x", "", "")"#)),
            GoldenCase(target: "/api/v1/query?time=\(mid)&timeout=abc&query=up"),
            GoldenCase(target: "/api/v1/query?time=\(mid)&timeout=1ns&query=up"),
            GoldenCase(target: "/api/v1/query?time=\(mid)&timeout=0.000001&query=" + enc("sum(rate(http_requests_total[1h]))"),
                       errorTypeOnly: "the phase that notices the deadline (queue, execution, evaluation) depends on timing"),
            GoldenCase(target: "/api/v1/query_range?\(range)&timeout=0.000001&query=" + enc("sum(rate(http_requests_total[1h]))"),
                       errorTypeOnly: "the phase that notices the deadline (queue, execution, evaluation) depends on timing"),
            GoldenCase(target: "/api/v1/query_range?start=abc&end=2&step=1&query=up"),
            GoldenCase(target: "/api/v1/query_range?start=1&end=abc&step=1&query=up"),
            GoldenCase(target: "/api/v1/query_range?start=10&end=2&step=1&query=up"),
            GoldenCase(target: "/api/v1/query_range?start=1&end=2&step=0&query=up"),
            GoldenCase(target: "/api/v1/query_range?start=1&end=2&step=-1&query=up"),
            GoldenCase(target: "/api/v1/query_range?start=1&end=2&step=abc&query=up"),
            GoldenCase(target: "/api/v1/query_range?start=1&end=2&query=up"),
            GoldenCase(target: "/api/v1/query_range?start=1&end=2&step=1e300&query=up"),
            GoldenCase(target: "/api/v1/query_range?start=0&end=20000&step=1&query=up"),
            GoldenCase(target: "/api/v1/query_range?start=0&end=11001&step=1&query=up"),
            GoldenCase(target: "/api/v1/query_range?start=1&end=2&step=1&timeout=x&query=up"),
            GoldenCase(target: "/api/v1/query_range"),
            GoldenCase(target: "/api/v1/series"),
            GoldenCase(target: "/api/v1/series?match[]=" + enc("not-a-metric")),
            GoldenCase(target: "/api/v1/series?match[]=" + enc(#"{foo=""}"#)),
            GoldenCase(target: "/api/v1/series?match[]=up&end=abc",
                       knownDifference: lowerCaseTime,
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"end\": invalid time value for 'end': cannot parse \"abc\" to a valid timestamp"}"#),
            GoldenCase(target: "/api/v1/labels?match[]=" + enc(#"{foo=""}"#)),
            GoldenCase(target: "/api/v1/labels?match[]=" + enc("sum(")),
            GoldenCase(target: "/api/v1/label/instance/values?match[]=" + enc("foo{")),
            GoldenCase(target: "/api/v1/label/instance/values?start=abc",
                       knownDifference: lowerCaseTime,
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": invalid time value for 'start': cannot parse \"abc\" to a valid timestamp"}"#),
            GoldenCase(target: "/api/v1/query_exemplars?query=up&start=abc",
                       knownDifference: lowerCaseTime,
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": invalid time value for 'start': cannot parse \"abc\" to a valid timestamp"}"#),
            GoldenCase(target: "/api/v1/query_range?start=1&end=2&step=1&query=" + enc("rate(x[5m])[5m:]"),
                       knownDifference: rangePrefix,
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"}"#),
            GoldenCase(target: "/api/v1/query_range?start=1&end=2&step=1&query=" + enc("sum("),
                       knownDifference: rangePrefix,
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"}"#),
            GoldenCase(target: "/api/v1/query_range?start=1&end=2&step=1&query=" + enc("up[5m]"),
                       knownDifference: rangePrefix,
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": invalid expression type \"range vector\" for range query, must be Scalar or instant Vector"}"#),
            GoldenCase(target: "/api/v1/query?time=abc&query=up",
                       knownDifference: lowerCaseTime,
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"time\": invalid time value for 'time': cannot parse \"abc\" to a valid timestamp"}"#),
            GoldenCase(target: "/api/v1/series?match[]=up&start=abc",
                       knownDifference: lowerCaseTime,
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\": invalid time value for 'start': cannot parse \"abc\" to a valid timestamp"}"#),
            GoldenCase(target: "/api/v1/query?time=\(mid)&query=",
                       knownDifference: "Prometheus 3 reports an empty query at `unknown position` instead of 1:1",
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": unknown position: parse error: no expression found in input"}"#),
            GoldenCase(target: "/api/v1/query",
                       knownDifference: "Prometheus 3 reports an empty query at `unknown position` instead of 1:1",
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": unknown position: parse error: no expression found in input"}"#),
        ]
        // Left-open range windows (Prometheus 3): at a time that is exactly a sample timestamp,
        // `[30s]` holds 2 samples in 2.42 ([t-30s, t]) but 1 in Prometheus 3 ((t-30s, t]), so
        // rate() has no result there in 3.
        c += [
            GoldenCase(target: "/api/v1/query?time=1700003600&query=" + enc(#"rate(http_requests_total{instance="host-01:9100",method="GET",code="200"}[30s])"#),
                       knownDifference: "Prometheus 3 range selectors are left-open: the sample at t-30s is outside [30s]",
                       prometheus3Body: #"{"status":"success","data":{"resultType":"vector","result":[]}}"#),
            GoldenCase(target: "/api/v1/query?time=1700003600&query=" + enc(#"count_over_time(build_info{instance="host-00:9100"}[5m])"#),
                       knownDifference: "Prometheus 3 range selectors are left-open: 10 samples in (t-5m, t] instead of 11",
                       prometheus3Body: #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"instance":"host-00:9100","version":"1.2.3"},"value":[1700003600,"10"]}]}}"#),
        ]
        c += knownDifferenceCases
        // Method and path handling, CORS (Prometheus' default --web.cors.origin=.*).
        let cors = ["Access-Control-Allow-Headers", "Access-Control-Allow-Methods", "Access-Control-Allow-Origin",
                    "Access-Control-Expose-Headers", "Vary"]
        c += [
            GoldenCase(target: "/api/v1/label/instance/values", method: "POST", body: "", compareHeaders: ["X-Content-Type-Options"]),
            GoldenCase(target: "/api/v1/query?query=1", method: "PUT", body: "", compareHeaders: ["X-Content-Type-Options"]),
            GoldenCase(target: "/api/v1/nonexistent", compareHeaders: ["X-Content-Type-Options"]),
            GoldenCase(target: "/api/v1/query?time=\(mid)&query=1", headers: [("Origin", "https://grafana.example.com")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/labels?match[]=" + enc("sum("), headers: [("Origin", "http://a.example")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/query", method: "OPTIONS", headers: [("Origin", "http://a.example")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/label/job/values", method: "OPTIONS", headers: [("Origin", "http://a.example")], compareHeaders: cors),
            GoldenCase(target: "/api/v1/query?time=\(mid)", method: "POST", body: "query=" + enc("count(build_info)") + "&time=1700000100"),
            GoldenCase(target: "/api/v1/query_range?step=600", method: "POST", body: "query=" + enc("count(build_info)") + "&start=1700000000&end=1700003600"),
            GoldenCase(target: "/api/v1/series?match[]=build_info", method: "POST", body: "match[]=" + enc(#"node_temperature_celsius{instance="host-03:9100"}"#)),
        ]
        return c
    }

    /// Requests where Prometheus 3 (followed) answers differently from the installed 2.42.
    static var knownDifferenceCases: [GoldenCase] {
        let series = Golden.generate()
        let cpu00 = series.first { $0.0.get("instance") == "host-00:9100" && $0.0.get("sensor") == "cpu" }
        let last = cpu00.map { FloatFormat.f($0.1.last?.v ?? 0) } ?? "?"
        let selector = enc(#"node_temperature_celsius{instance="host-00:9100",sensor="cpu"}"#)
        let deprecated = #"value \"yes\" for parameter \"stats\" is deprecated and will be rejected in the next major release, use \"true\" or \"all\""#
        let noLimit = "2.42 has no limit parameter; Prometheus 3 keeps the first `limit` results and warns"
        let dup = #"[{__name__=\"build_info\", instance=\"host-00:9100\", version=\"1.2.3\"}, {__name__=\"build_info\", instance=\"host-01:9100\", version=\"1.2.3\"}]"#
        func limitError(_ target: String, _ reason: String) -> GoldenCase {
            GoldenCase(target: target, knownDifference: noLimit,
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"limit\": \#(reason)"}"#,
                       prometheus3Status: 400)
        }
        var c: [GoldenCase] = [
            // limit (the order being cut is 2.42's, which Prometheus 3 keeps).
            GoldenCase(target: "/api/v1/query?time=\(mid)&limit=3&query=node_temperature_celsius", knownDifference: noLimit,
                       prometheus3From: Golden.truncated(3)),
            GoldenCase(target: "/api/v1/query_range?\(range)&limit=2&query=" + enc(#"node_temperature_celsius{sensor="cpu"}"#),
                       knownDifference: noLimit, prometheus3From: Golden.truncated(2)),
            GoldenCase(target: "/api/v1/series?match[]=node_temperature_celsius&limit=3", knownDifference: noLimit,
                       prometheus3From: Golden.truncated(3)),
            GoldenCase(target: "/api/v1/series?match[]=build_info&match[]=" + enc(#"node_temperature_celsius{sensor="cpu"}"#) + "&limit=4",
                       knownDifference: noLimit, prometheus3From: Golden.truncated(4)),
            GoldenCase(target: "/api/v1/labels?limit=3", knownDifference: noLimit, prometheus3From: Golden.truncated(3)),
            GoldenCase(target: "/api/v1/label/instance/values?limit=4", knownDifference: noLimit, prometheus3From: Golden.truncated(4)),
            limitError("/api/v1/query?time=\(mid)&limit=abc&query=up", #"strconv.Atoi: parsing \"abc\": invalid syntax"#),
            limitError("/api/v1/query?time=\(mid)&limit=-1&query=up", "limit must be non-negative"),
            limitError("/api/v1/query?time=\(mid)&limit=99999999999999999999&query=up",
                       #"strconv.Atoi: parsing \"99999999999999999999\": value out of range"#),
            limitError("/api/v1/query_range?start=1&end=2&step=1&limit=x&query=up", #"strconv.Atoi: parsing \"x\": invalid syntax"#),
            limitError("/api/v1/series?match[]=up&limit=x", #"strconv.Atoi: parsing \"x\": invalid syntax"#),
            limitError("/api/v1/labels?limit=-5", "limit must be non-negative"),
            limitError("/api/v1/label/instance/values?limit=abc", #"strconv.Atoi: parsing \"abc\": invalid syntax"#),
            // Many-to-many errors name the two series in sorted order since Prometheus 3.
            GoldenCase(target: "/api/v1/query?time=\(mid)&query=" + enc("build_info + on(version) build_info"),
                       knownDifference: "Prometheus 3 sorts the two duplicate series it names; 2.42 lists them in match order",
                       prometheus3Body: #"{"status":"error","errorType":"execution","error":"found duplicate series for the match group {version=\"1.2.3\"} on the right hand-side of the operation: \#(dup);many-to-many matching not allowed: matching labels must be unique on one side"}"#,
                       prometheus3Status: 422),
            // CORS: Prometheus 3 sends Vary: Origin on every API answer, 2.42 only with an Origin.
            GoldenCase(target: "/api/v1/series?match[]=build_info",
                       knownDifference: "Prometheus 3 adds Vary: Origin to every API answer; 2.42 only when the request has an Origin",
                       prometheus3Status: 200, prometheus3Headers: ["Vary": "Origin", "Access-Control-Allow-Origin": nil]),
            // lookback_delta: the last sample is at 1700007200.
            GoldenCase(target: "/api/v1/query?time=1700007320&lookback_delta=1m&query=\(selector)", knownDifference: lookback,
                       prometheus3Body: #"{"status":"success","data":{"resultType":"vector","result":[]}}"#),
            GoldenCase(target: "/api/v1/query?time=1700007620&lookback_delta=10m&query=\(selector)", knownDifference: lookback,
                       prometheus3Body: #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{"__name__":"node_temperature_celsius","instance":"host-00:9100","sensor":"cpu"},"value":[1700007620,"\#(last)"]}]}}"#),
            GoldenCase(target: "/api/v1/query?time=1700007320&lookback_delta=abc&query=\(selector)", knownDifference: lookback,
                       prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"error parsing lookback delta duration: cannot parse \"abc\" to a valid duration"}"#,
                       prometheus3Status: 400),
            GoldenCase(target: "/api/v1/query_range?start=1700007200&end=1700007500&step=150&lookback_delta=2m&query=\(selector)",
                       knownDifference: lookback,
                       prometheus3Body: #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"node_temperature_celsius","instance":"host-00:9100","sensor":"cpu"},"values":[[1700007200,"\#(last)"]]}]}}"#),
            // stats: values other than true/all still work but warn (Prometheus 3.x).
            GoldenCase(target: "/api/v1/query?time=\(mid)&stats=yes&query=" + enc("count(build_info)"),
                       knownDifference: "Prometheus 3 warns that stats values other than true/all are deprecated",
                       prometheus3Body: #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700003607,"5"]}]},"warnings":["\#(deprecated)"]}"#),
            // UTF-8 label names in /label/<name>/values.
            GoldenCase(target: "/api/v1/label/U__job/values", knownDifference: utf8Names, prometheus3SameAs: "/api/v1/label/job/values"),
            GoldenCase(target: "/api/v1/label/U__in_73_tance/values?match[]=build_info", knownDifference: utf8Names,
                       prometheus3SameAs: "/api/v1/label/instance/values?match[]=build_info"),
            GoldenCase(target: "/api/v1/label/U__node_2e_name/values", knownDifference: utf8Names,
                       prometheus3Body: #"{"status":"success","data":[]}"#),
            GoldenCase(target: "/api/v1/label/foo.bar/values", knownDifference: utf8Names,
                       prometheus3Body: #"{"status":"success","data":[]}"#, prometheus3Status: 200),
        ]
        // parse_query (Prometheus 3 only).
        let name = { (n: String) in #"{"name":"__name__","type":"=","value":"\#(n)"}"# }
        func vs(_ n: String, offset: Int = 0, extra: [String] = [], at: String = #""startOrEnd":null,"timestamp":null"#) -> String {
            let matchers = "[" + (extra + [name(n)]).joined(separator: ",") + "]"
            return #"{"anchored":false,"matchers":\#(matchers),"name":"\#(n)","offset":\#(offset),"offsetExpr":null,"smoothed":false,\#(at),"type":"vectorSelector"}"#
        }
        let rate = #"{"args":[{"anchored":false,"matchers":[{"name":"code","type":"=","value":"500"},\#(name("http_requests_total"))],"name":"http_requests_total","offset":0,"offsetExpr":null,"range":300000,"rangeExpr":null,"smoothed":false,"startOrEnd":null,"timestamp":null,"type":"matrixSelector"}],"func":{"argTypes":["matrix"],"name":"rate","returnType":"vector","variadic":0},"type":"call"}"#
        let parsed: [(String, String)] = [
            (#"sum by (job) (rate(http_requests_total{code="500"}[5m]))"#,
             #"{"expr":\#(rate),"grouping":["job"],"op":"sum","param":null,"type":"aggregation","without":false}"#),
            ("foo / on(instance) group_left(version) bar offset 5m",
             #"{"bool":false,"lhs":\#(vs("foo")),"matching":{"card":"many-to-one","fillValues":{"lhs":null,"rhs":null},"include":["version"],"labels":["instance"],"on":true},"op":"/","rhs":\#(vs("bar", offset: 300000)),"type":"binaryExpr"}"#),
            ("2 * -foo",
             #"{"bool":false,"lhs":{"type":"numberLiteral","val":"2"},"matching":null,"op":"*","rhs":{"expr":\#(vs("foo")),"op":"-","type":"unaryExpr"},"type":"binaryExpr"}"#),
            ("foo @ 100", vs("foo", at: #""startOrEnd":null,"timestamp":100000"#)),
            ("max_over_time(foo[10m:1m] @ start())",
             #"{"args":[{"expr":\#(vs("foo")),"offset":0,"offsetExpr":null,"range":600000,"rangeExpr":null,"startOrEnd":"start","step":60000,"stepExpr":null,"timestamp":null,"type":"subquery"}],"func":{"argTypes":["matrix"],"name":"max_over_time","returnType":"vector","variadic":0},"type":"call"}"#),
            (#"(label_replace(up, "a", "$1", "job", "(.*)"))"#,
             #"{"expr":{"args":[\#(vs("up")),{"type":"stringLiteral","val":"a"},{"type":"stringLiteral","val":"$1"},{"type":"stringLiteral","val":"job"},{"type":"stringLiteral","val":"(.*)"}],"func":{"argTypes":["vector","string","string","string","string"],"name":"label_replace","returnType":"vector","variadic":0},"type":"call"},"type":"parenExpr"}"#),
            ("1.5e3 > bool 2",
             #"{"bool":true,"lhs":{"type":"numberLiteral","val":"1500"},"matching":null,"op":">","rhs":{"type":"numberLiteral","val":"2"},"type":"binaryExpr"}"#),
        ]
        for (q, want) in parsed {
            c.append(GoldenCase(target: "/api/v1/parse_query?query=" + enc(q), knownDifference: noParseQuery,
                                prometheus3Body: #"{"status":"success","data":\#(want)}"#, prometheus3Status: 200))
        }
        c.append(GoldenCase(target: "/api/v1/parse_query?query=" + enc("sum("), knownDifference: noParseQuery,
                            prometheus3Body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: unclosed left parenthesis"}"#,
                            prometheus3Status: 400))
        return c
    }

    @Test func matchesPrometheus() throws {
        guard let (prometheus, promtool) = Self.tools() else { return }
        let dir = try TempDirectory(prefix: "vigil-golden")
        defer { dir.remove() }

        // The same samples for both sides.
        let series = Golden.generate()
        let storage = MemoryStorage()
        for (labels, samples) in series { storage.add(labels, samples) }
        let om = dir.path + "/data.om"
        try Golden.openMetrics(series).write(toFile: om, atomically: true, encoding: .utf8)
        let tsdb = dir.path + "/tsdb"
        let (code, output) = try Golden.run(promtool, ["tsdb", "create-blocks-from", "openmetrics", om, tsdb])
        try #require(code == 0, "promtool failed: \(output)")

        let server = try ReferencePrometheus(binary: prometheus, directory: dir, tsdb: tsdb,
                                             config: "global:\n  scrape_interval: 15s\n")
        defer { server.stop() }
        let ours = try APIServer(storage: storage, options: options(nowMs: 1_700_007_200_000))
        let tally = try Golden.compare(Self.cases, prometheus: server.port, vigil: ours.port)
        print("golden comparison (in-process, MemoryStorage): \(tally.line)")
    }

    /// prometheus and promtool, or nil with a printed notice.
    static func tools() -> (String, String)? {
        if ProcessInfo.processInfo.environment["VIGIL_SKIP_INTEROP"] == "1" {
            print("notice: Prometheus golden tests skipped (VIGIL_SKIP_INTEROP=1)")
            return nil
        }
        guard let prometheus = Golden.which("prometheus"), let promtool = Golden.which("promtool") else {
            print("notice: Prometheus golden tests skipped: prometheus/promtool not on PATH")
            return nil
        }
        return (prometheus, promtool)
    }
}
