import Foundation
import Testing
import Model
import PromQL
import TestSupport
@testable import API

/// `/api/v1/format_query`, `/api/v1/parse_query`, `/api/v1/query_exemplars`.
@Suite(.serialized) struct ExpressionEndpointTests {
    let api: APIServer

    init() throws {
        api = try APIServer(storage: federationStorage(), options: options(nowMs: 6_000_000))
    }

    @Test(arguments: [
        ("sum(rate(foo[5m]))by(job)", "sum by (job) (rate(foo[5m]))"),
        ("foo{b=\"2\",a=\"1\"} offset 5m", #"foo{a="1",b="2"} offset 5m"#),
        ("-1", "-1"),
        ("sum by (job) (rate(http_requests_total{job=\"api-server\",handler=\"/api/comments\",code=~\"5..\"}[5m])) / on (job) group_left sum by (job) (rate(http_requests_total[5m]))",
         "  sum by (job) (rate(http_requests_total{code=~\"5..\",handler=\"/api/comments\",job=\"api-server\"}[5m]))\n/ on (job) group_left ()\n  sum by (job) (rate(http_requests_total[5m]))"),
    ])
    func formatQuery(_ query: String, _ want: String) throws {
        let r = try api.get("/api/v1/format_query?query=" + enc(query))
        #expect(r.status == 200)
        #expect(r.text == #"{"status":"success","data":"# + "\"" + jsonEscaped(want) + #""}"#)
    }

    @Test func formatQueryErrors() throws {
        let r = try api.send("POST", "/api/v1/format_query", body: "query=" + enc("sum("))
        #expect(r.status == 400)
        #expect(r.text.hasPrefix(#"{"status":"error","errorType":"bad_data","error":"invalid parameter \"query\": 1:5: parse error: "#))
    }

    @Test(arguments: [
        ("up", #"{"status":"success","data":{"anchored":false,"matchers":[{"name":"__name__","type":"=","value":"up"}],"name":"up","offset":0,"offsetExpr":null,"smoothed":false,"startOrEnd":null,"timestamp":null,"type":"vectorSelector"}}"#),
        ("-1.5", #"{"status":"success","data":{"type":"numberLiteral","val":"-1.5"}}"#),
        (#"sum by (a) (rate(x{b!~"c"}[5m] @ 10 offset 1m))"#, #"{"status":"success","data":{"expr":{"args":[{"anchored":false,"matchers":[{"name":"b","type":"!~","value":"c"},{"name":"__name__","type":"=","value":"x"}],"name":"x","offset":60000,"offsetExpr":null,"range":300000,"rangeExpr":null,"smoothed":false,"startOrEnd":null,"timestamp":10000,"type":"matrixSelector"}],"func":{"argTypes":["matrix"],"name":"rate","returnType":"vector","variadic":0},"type":"call"},"grouping":["a"],"op":"sum","param":null,"type":"aggregation","without":false}}"#),
        ("a / on (b) group_left (c) d", #"{"status":"success","data":{"bool":false,"lhs":{"anchored":false,"matchers":[{"name":"__name__","type":"=","value":"a"}],"name":"a","offset":0,"offsetExpr":null,"smoothed":false,"startOrEnd":null,"timestamp":null,"type":"vectorSelector"},"matching":{"card":"many-to-one","fillValues":{"lhs":null,"rhs":null},"include":["c"],"labels":["b"],"on":true},"op":"/","rhs":{"anchored":false,"matchers":[{"name":"__name__","type":"=","value":"d"}],"name":"d","offset":0,"offsetExpr":null,"smoothed":false,"startOrEnd":null,"timestamp":null,"type":"vectorSelector"},"type":"binaryExpr"}}"#),
        ("1 + 2", #"{"status":"success","data":{"bool":false,"lhs":{"type":"numberLiteral","val":"1"},"matching":null,"op":"+","rhs":{"type":"numberLiteral","val":"2"},"type":"binaryExpr"}}"#),
        (#"label_join(up, "a", ",", "b")"#, #"{"status":"success","data":{"args":[{"anchored":false,"matchers":[{"name":"__name__","type":"=","value":"up"}],"name":"up","offset":0,"offsetExpr":null,"smoothed":false,"startOrEnd":null,"timestamp":null,"type":"vectorSelector"},{"type":"stringLiteral","val":"a"},{"type":"stringLiteral","val":","},{"type":"stringLiteral","val":"b"}],"func":{"argTypes":["vector","string","string","string"],"name":"label_join","returnType":"vector","variadic":-1},"type":"call"}}"#),
        ("-(max_over_time(up[5m:] @ end()))", #"{"status":"success","data":{"expr":{"expr":{"args":[{"expr":{"anchored":false,"matchers":[{"name":"__name__","type":"=","value":"up"}],"name":"up","offset":0,"offsetExpr":null,"smoothed":false,"startOrEnd":null,"timestamp":null,"type":"vectorSelector"},"offset":0,"offsetExpr":null,"range":300000,"rangeExpr":null,"startOrEnd":"end","step":0,"stepExpr":null,"timestamp":null,"type":"subquery"}],"func":{"argTypes":["matrix"],"name":"max_over_time","returnType":"vector","variadic":0},"type":"call"},"type":"parenExpr"},"op":"-","type":"unaryExpr"}}"#),
    ])
    func parseQuery(_ query: String, _ want: String) throws {
        let r = try api.get("/api/v1/parse_query?query=" + enc(query))
        #expect(r.status == 200)
        #expect(r.text == want)
    }

    @Test func exemplars() throws {
        #expect(try api.get("/api/v1/query_exemplars?query=test_metric1").text == #"{"status":"success","data":[]}"#)
        #expect(try api.send("POST", "/api/v1/query_exemplars", body: "query=rate(x[5m])&start=1&end=2").text == #"{"status":"success","data":[]}"#)
        let none = try api.get("/api/v1/query_exemplars?query=1")
        #expect(none.status == 204 && none.body.isEmpty)
        let bad = try api.get("/api/v1/query_exemplars?query=up&start=2&end=1")
        #expect(bad.text == #"{"status":"error","errorType":"bad_data","error":"end timestamp must not be before start timestamp"}"#)
        let parse = try api.get("/api/v1/query_exemplars?query=" + enc("1 +"))
        #expect(parse.text == #"{"status":"error","errorType":"bad_data","error":"1:4: parse error: unexpected end of input"}"#)
    }
}

/// Prometheus' prettier cases (`promql/parser/prettier_test.go`), which run with a 10-byte limit.
@Suite struct PrettierTests {
    @Test(arguments: [
        ("sum(foo)", "sum(foo)"),
        (#"sum by() (task:errors:rate10s{job="s"})"#, "sum(\n  task:errors:rate10s{job=\"s\"}\n)"),
        (#"sum(task:errors:rate10s{job="s"}) without(job,foo)"#, "sum without (job, foo) (\n  task:errors:rate10s{job=\"s\"}\n)"),
        (#"topk(10, ask:errors:rate10s{job="s"})"#, "topk(\n  10,\n  ask:errors:rate10s{job=\"s\"}\n)"),
        ("a == bool 1", "  a\n== bool\n  1"),
        ("foo_1 + foo_2 + foo_3", "    foo_1\n  +\n    foo_2\n+\n  foo_3"),
        ("foo + baar + foo_3", "  foo + baar\n+\n  foo_3"),
        ("foo_1 + ignoring(foo) foo_2 + ignoring(job) group_left foo_3 + on(instance) group_right foo_4",
         "      foo_1\n    + ignoring (foo)\n      foo_2\n  + ignoring (job) group_left ()\n    foo_3\n+ on (instance) group_right ()\n  foo_4"),
        ("(-vector_selector)", "(\n  -vector_selector\n)"),
        ("-histogram_quantile(0.9,rate(foo[1m]))", "-histogram_quantile(\n  0.9,\n  rate(\n    foo[1m]\n  )\n)"),
        ("-histogram_quantile(0.99, sum by (le) (rate(foo[1m])))",
         "-histogram_quantile(\n  0.99,\n  sum by (le) (\n    rate(\n      foo[1m]\n    )\n  )\n)"),
    ])
    func prometheusCases(_ input: String, _ want: String) throws {
        let e = try PromQLParser.parse(input)
        #expect(Prettier.format(e, maxCharactersPerLine: 10) == want)
    }

    /// Within the default 100-byte limit everything stays on one line.
    @Test func shortQueriesStayOnOneLine() throws {
        let e = try PromQLParser.parse("sum by (job) (rate(http_requests_total[5m])) > 0")
        #expect(Prettier.format(e) == "sum by (job) (rate(http_requests_total[5m])) > 0")
    }
}
