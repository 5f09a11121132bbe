import HTTP
import Model
import PromQL

/// Timings and counters for the `stats` field of query responses (Prometheus'
/// `stats.BuiltinStats`): timings in seconds, sample counts from the engine.
package struct QueryTimings: Sendable {
    /// Whole evaluation, seconds.
    package var evalTotalSeconds: Double = 0
    /// Sorting the result, seconds.
    package var resultSortSeconds: Double = 0
    /// Parsing and preparing, seconds.
    package var preparationSeconds: Double = 0
    /// The evaluator's own time, seconds.
    package var innerEvalSeconds: Double = 0
    /// Waiting for a slot, seconds.
    package var execQueueSeconds: Double = 0
    /// Everything, seconds.
    package var execTotalSeconds: Double = 0

    /// Zero timings.
    package init() {}
}

/// Writes query results in Prometheus' JSON shapes (`web/api/v1/json_codec.go`): vectors as
/// `{"metric":{...},"value":[t,"v"]}`, matrices as `{"metric":{...},"values":[[t,"v"],...]}`,
/// scalars and strings as `[t,"v"]`. Timestamps use `jsonutil.MarshalTimestamp` for samples and
/// Go's float formatting for scalars and strings, as Prometheus does.
package enum QueryResultEncoder {
    /// Matrices with more points than this are streamed in chunks instead of built whole.
    package static let streamThresholdPoints = 20_000
    /// The size of each streamed piece.
    package static let chunkBytes = 64 << 10

    /// The success envelope for a query result: `.bytes` for small results, `.stream` for big
    /// matrices so the whole document never sits in memory at once.
    package static func response(_ value: QueryValue, stats: (QueryStats, QueryTimings)?, warnings: [String],
                                 infos: [String]) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        if case let .matrix(series) = value {
            var points = 0
            for s in series { points += s.points.count }
            if points > streamThresholdPoints {
                return HTTPResponse(status: 200, headers: headers, body: .stream { writer in
                    var w = JSONWriter(capacity: chunkBytes + 4096)
                    try write(value, stats: stats, warnings: warnings, infos: infos, to: &w) { w throws(HTTPError) in
                        if w.bytes.count >= chunkBytes { try writer.write(w.takeBytes()) }
                    }
                    if !w.bytes.isEmpty { try writer.write(w.takeBytes()) }
                })
            }
        }
        var w = JSONWriter(capacity: 1024)
        write(value, stats: stats, warnings: warnings, infos: infos, to: &w) { _ in }
        return HTTPResponse(status: 200, headers: headers, body: .bytes(w.bytes))
    }

    /// Writes the whole envelope, calling `flush` after every series so a streaming caller can
    /// hand off full chunks.
    package static func write<E: Error>(_ value: QueryValue, stats: (QueryStats, QueryTimings)?, warnings: [String],
                                        infos: [String], to w: inout JSONWriter,
                                        flush: (inout JSONWriter) throws(E) -> Void) throws(E) {
        w.objectStart()
        w.key("status"); w.string("success")
        w.key("data")
        w.objectStart()
        w.key("resultType")
        switch value {
        case .vector: w.string("vector")
        case .matrix: w.string("matrix")
        case .scalar: w.string("scalar")
        case .string: w.string("string")
        }
        w.key("result")
        switch value {
        case let .vector(elements):
            w.value { out in
                out.append(UInt8(ascii: "["))
                for (i, e) in elements.enumerated() {
                    if i > 0 { out.append(UInt8(ascii: ",")) }
                    appendSample(e, to: &out)
                }
                out.append(UInt8(ascii: "]"))
            }
        case let .matrix(series):
            w.arrayStart()
            for s in series {
                w.value { appendSeries(s, to: &$0) }
                try flush(&w)
            }
            w.arrayEnd()
        case let .scalar(t, v):
            w.arrayStart()
            w.number(Double(t) / 1000)
            w.value { out in
                out.append(UInt8(ascii: "\""))
                FloatFormat.appendF(v, to: &out)
                out.append(UInt8(ascii: "\""))
            }
            w.arrayEnd()
        case let .string(t, s):
            w.arrayStart()
            w.number(Double(t) / 1000)
            w.string(s)
            w.arrayEnd()
        }
        if let (counts, timings) = stats {
            w.key("stats")
            writeStats(counts, timings, to: &w)
        }
        w.objectEnd()
        writeAnnotations(warnings: warnings, infos: infos, to: &w)
        w.objectEnd()
        try flush(&w)
    }

    /// `"warnings":[...]` and `"infos":[...]` when non-empty.
    package static func writeAnnotations(warnings: [String], infos: [String], to w: inout JSONWriter) {
        if !warnings.isEmpty {
            w.key("warnings"); w.arrayStart(); for x in warnings { w.string(x) }; w.arrayEnd()
        }
        if !infos.isEmpty {
            w.key("infos"); w.arrayStart(); for x in infos { w.string(x) }; w.arrayEnd()
        }
    }

    /// `{"metric":{...},"value":[t,"v"]}`.
    @inlinable
    package static func appendSample(_ e: VectorElement, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"metric":"#.utf8)
        JSONWriter.appendLabels(e.labels, to: &out)
        out.append(contentsOf: #","value":["#.utf8)
        FloatFormat.appendTimestamp(e.t, to: &out)
        out.append(contentsOf: #",""#.utf8)
        FloatFormat.appendSampleValue(e.v, to: &out)
        out.append(contentsOf: #""]}"#.utf8)
    }

    /// `{"metric":{...},"values":[[t,"v"],...]}`; `values` is left out when there are none.
    @inlinable
    package static func appendSeries(_ s: PromQL.Series, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"metric":"#.utf8)
        JSONWriter.appendLabels(s.labels, to: &out)
        if !s.points.isEmpty {
            out.append(contentsOf: #","values":["#.utf8)
            for (i, p) in s.points.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                out.append(UInt8(ascii: "["))
                FloatFormat.appendTimestamp(p.t, to: &out)
                out.append(contentsOf: #",""#.utf8)
                FloatFormat.appendSampleValue(p.v, to: &out)
                out.append(contentsOf: #""]"#.utf8)
            }
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// Prometheus' stats object: `{"timings":{...},"samples":{...}}`.
    static func writeStats(_ counts: QueryStats, _ t: QueryTimings, to w: inout JSONWriter) {
        w.objectStart()
        w.key("timings")
        w.objectStart()
        w.key("evalTotalTime"); w.number(t.evalTotalSeconds)
        w.key("resultSortTime"); w.number(t.resultSortSeconds)
        w.key("queryPreparationTime"); w.number(t.preparationSeconds)
        w.key("innerEvalTime"); w.number(t.innerEvalSeconds)
        w.key("execQueueTime"); w.number(t.execQueueSeconds)
        w.key("execTotalTime"); w.number(t.execTotalSeconds)
        w.objectEnd()
        w.key("samples")
        w.objectStart()
        w.key("totalQueryableSamples"); w.int(counts.samplesLoaded)
        w.key("samplesRead"); w.int(counts.samplesLoaded)
        w.key("peakSamples"); w.int(counts.peakSamples)
        w.objectEnd()
        w.objectEnd()
    }
}
