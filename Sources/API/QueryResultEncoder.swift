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
                                 infos: [String], steps: StepTimestamps? = nil) -> HTTPResponse {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: "application/json")
        if case let .matrix(series) = value {
            var points = 0
            for s in series { points += s.points.count }
            if points > streamThresholdPoints {
                return HTTPResponse(status: 200, headers: headers, body: .stream { writer in
                    var w = JSONWriter(capacity: chunkBytes + 4096)
                    try write(value, stats: stats, warnings: warnings, infos: infos, steps: steps, to: &w) { w throws(HTTPError) in
                        if w.bytes.count >= chunkBytes { try writer.write(w.takeBytes()) }
                    }
                    if !w.bytes.isEmpty { try writer.write(w.takeBytes()) }
                })
            }
        }
        var w = JSONWriter(capacity: 1024)
        write(value, stats: stats, warnings: warnings, infos: infos, steps: steps, to: &w) { _ in }
        return HTTPResponse(status: 200, headers: headers, body: .bytes(w.bytes))
    }

    /// Writes the whole envelope, calling `flush` after every series so a streaming caller can
    /// hand off full chunks.
    package static func write<E: Error>(_ value: QueryValue, stats: (QueryStats, QueryTimings)?, warnings: [String],
                                        infos: [String], steps: StepTimestamps? = nil, to w: inout JSONWriter,
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
                w.value { appendSeries(s, steps: steps, to: &$0) }
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
    package static func appendSeries(_ s: PromQL.Series, steps: StepTimestamps? = nil, to out: inout [UInt8]) {
        out.append(contentsOf: #"{"metric":"#.utf8)
        JSONWriter.appendLabels(s.labels, to: &out)
        if !s.points.isEmpty {
            out.append(contentsOf: #","values":["#.utf8)
            appendPoints(s.points, steps: steps, to: &out)
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// The most bytes one `[t,"v"],` takes.
    static let maxPointBytes = FloatFormat.maxTimestampBytes + FloatFormat.maxSampleValueBytes + 8

    /// `[t,"v"],[t,"v"]...`: room for the worst case is made once per run of points and the
    /// digits are written straight into it, then the unused tail is cut. Timestamps on the
    /// query's step grid are copied from `steps`; a value equal to the previous point's (a step
    /// shorter than the scrape interval repeats each sample) is copied from that point's text.
    static func appendPoints(_ points: [PromQL.Point], steps: StepTimestamps? = nil, to out: inout [UInt8]) {
        var index = 0
        // The previous value's bits and text (at most 32 bytes: `maxSampleValueBytes`).
        var lastBits: UInt64 = 0
        var lastText: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var lastCount = 0
        var grid = 0
        while index < points.count {
            let run = min(points.count - index, 1024)
            let base = out.count
            out.append(contentsOf: repeatElement(0, count: run * maxPointBytes))
            let written = out.withUnsafeMutableBufferPointer { buf -> Int in
                // `buf` has at least `run * maxPointBytes` bytes after `base`, and every point
                // below stays within its own `maxPointBytes`, so the fixed-size copies fit.
                var p = buf.baseAddress! + base
                let start = p
                points.withUnsafeBufferPointer { pts in
                    for i in index ..< index + run {
                        let t = pts[i].t, v = pts[i].v
                        if i > 0 {
                            p[0] = UInt8(ascii: ",")
                            p += 1
                        }
                        p[0] = UInt8(ascii: "[")
                        p += 1
                        if let steps, let n = steps.copy(t, cursor: &grid, to: p) {
                            p += n
                        } else {
                            p += FloatFormat.writeTimestamp(t, to: p)
                        }
                        p[0] = UInt8(ascii: ",")
                        p[1] = UInt8(ascii: "\"")
                        p += 2
                        if lastCount > 0 && v.bitPattern == lastBits {
                            withUnsafeBytes(of: lastText) { UnsafeMutableRawPointer(p).copyMemory(from: $0.baseAddress!, byteCount: 32) }
                            p += lastCount
                        } else {
                            let n = FloatFormat.writeSampleValue(v, to: p)
                            withUnsafeMutableBytes(of: &lastText) { $0.baseAddress!.copyMemory(from: p, byteCount: 32) }
                            lastBits = v.bitPattern
                            lastCount = n
                            p += n
                        }
                        p[0] = UInt8(ascii: "\"")
                        p[1] = UInt8(ascii: "]")
                        p += 2
                    }
                }
                return p - start
            }
            out.removeLast(run * maxPointBytes - written)
            index += run
        }
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

/// The JSON spellings of a range query's step timestamps, made once per response and copied into
/// every series (each series' points sit on the same grid).
package struct StepTimestamps: Sendable {
    private let start: Int64
    private let step: Int64
    private let count: Int
    /// 16 bytes per step: the text, zero-padded (longer spellings are not kept).
    private let text: [UInt8]
    private let lengths: [UInt8]

    /// The grid `start, start+step, ..., end`; nil when it is too long to be worth keeping.
    package init?(start: Int64, end: Int64, stepMs: Int64) {
        guard stepMs > 0, end >= start, (end - start) / stepMs < 20_000 else { return nil }
        self.start = start
        step = stepMs
        let steps = Int((end - start) / stepMs) + 1
        count = steps
        var spelled = [UInt8](repeating: 0, count: steps * 16)
        var sizes = [UInt8](repeating: 0, count: steps)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: FloatFormat.maxTimestampBytes) { tmp in
            for i in 0 ..< steps {
                let n = FloatFormat.writeTimestamp(start + Int64(i) * stepMs, to: tmp.baseAddress!)
                guard n <= 16 else { continue }
                for k in 0 ..< n { spelled[i * 16 + k] = tmp[k] }
                sizes[i] = UInt8(n)
            }
        }
        text = spelled
        lengths = sizes
    }

    /// Copies the spelling of `t` (16 bytes are written, the length returned) when `t` is on the
    /// grid; nil otherwise. `cursor` remembers where the last lookup ended: points come in time
    /// order, so the grid is walked forward once per series.
    @inline(__always)
    func copy(_ t: Int64, cursor: inout Int, to p: UnsafeMutablePointer<UInt8>) -> Int? {
        if cursor > 0 && cursor <= count && start + Int64(cursor - 1) * step >= t { cursor = 0 }
        var j = cursor
        while j < count && start + Int64(j) * step < t { j += 1 }
        cursor = j
        guard j < count, start + Int64(j) * step == t else { return nil }
        let n = Int(lengths[j])
        guard n > 0 else { return nil }
        text.withUnsafeBytes { src in
            UnsafeMutableRawPointer(p).copyMemory(from: src.baseAddress! + j * 16, byteCount: 16)
        }
        cursor = j + 1
        return n
    }
}
