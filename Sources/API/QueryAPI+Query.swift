import HTTP
import Model
import PromQL

/// `/api/v1/query` and `/api/v1/query_range` (Prometheus' `api.query` and `api.queryRange`).
extension QueryAPI {
    /// An instant query: `query`, `time` (default now), `timeout`, `limit`, `lookback_delta`,
    /// `stats`.
    static func query(_ api: QueryAPI, _ r: HTTPRequest) throws(APIError) -> HTTPResponse {
        let started = ContinuousClock.now
        let limit = try RequestParameters.limit(r)
        let time = try RequestParameters.optionalTime(r, "time", default: api.options.nowMs())
        var engine = api.engine
        try applyTimeout(r, to: &engine)
        try applyLookback(r, to: &engine)
        let text = r.formValue("query") ?? ""
        let expr = try parseExpression(text)
        return try api.execute(r, engine: engine, expr: expr, text: text, start: time, end: time, stepMs: 0,
                               limit: limit, started: started)
    }

    /// A range query: `query`, `start`, `end`, `step` (all required), `timeout`, `limit`,
    /// `lookback_delta`, `stats`. At most 11,000 steps.
    static func queryRange(_ api: QueryAPI, _ r: HTTPRequest) throws(APIError) -> HTTPResponse {
        let started = ContinuousClock.now
        let limit = try RequestParameters.limit(r)
        let start = try RequestParameters.requiredTime(r, "start")
        let end = try RequestParameters.requiredTime(r, "end")
        if end < start { throw .invalidParameter("end", "end timestamp must not be before start time") }
        let step = try RequestParameters.duration(r, "step")
        if step <= 0 {
            throw .invalidParameter("step", "zero or negative query resolution step widths are not accepted. Try a positive integer")
        }
        // For safety Prometheus caps the points per series: a week at 60s, a year at 1h.
        if (end - start) / step > api.options.maxPointsPerSeries {
            throw APIError(.badData, "exceeded maximum resolution of 11,000 points per timeseries. Try decreasing the query resolution (?step=XX)")
        }
        var engine = api.engine
        try applyTimeout(r, to: &engine)
        try applyLookback(r, to: &engine)
        let text = r.formValue("query") ?? ""
        let expr = try parseExpression(text)
        if expr.type != .vector && expr.type != .scalar {
            throw .invalidParameter("query", "invalid expression type \(goQuoted(expr.type.documented)) for range query, must be Scalar or instant Vector")
        }
        return try api.execute(r, engine: engine, expr: expr, text: text, start: start, end: end, stepMs: step,
                               limit: limit, started: started)
    }

    /// Parses `query`; a syntax error is `invalid parameter "query": 1:5: parse error: ...`.
    static func parseExpression(_ text: String) throws(APIError) -> Expr {
        do {
            return try PromQLParser.parse(text)
        } catch {
            throw .invalidParameter("query", error.description)
        }
    }

    /// `timeout`: the query stops at whichever comes first, this or the engine's own timeout.
    static func applyTimeout(_ r: HTTPRequest, to engine: inout PromQLEngine) throws(APIError) {
        guard let s = r.formValue("timeout"), !s.isEmpty else { return }
        let ms = try RequestParameters.duration(r, "timeout")
        let requested = Duration.milliseconds(max(0, ms))
        if requested < engine.options.timeout { engine.options.timeout = requested }
    }

    /// `lookback_delta`: replaces the default lookback for this query when positive.
    static func applyLookback(_ r: HTTPRequest, to engine: inout PromQLEngine) throws(APIError) {
        guard let s = r.formValue("lookback_delta"), !s.isEmpty else { return }
        let ms: Int64
        do {
            ms = try TimeParameters.parseDuration(s)
        } catch {
            throw APIError(.badData, "error parsing lookback delta duration: \(error.message)")
        }
        if ms > 0 { engine.options.lookbackDeltaMs = ms }
    }

    /// Runs a parsed query, cancelling it when the client goes away, and encodes the result.
    func execute(_ r: HTTPRequest, engine: PromQLEngine, expr: Expr, text: String, start: Int64, end: Int64,
                 stepMs: Int64, limit: Int, started: ContinuousClock.Instant) throws(APIError) -> HTTPResponse {
        let context = r.context
        let cancellation = QueryCancellation(linkedTo: { context.isClientGone })
        let evalStart = ContinuousClock.now
        var result: QueryResult
        do {
            result = try engine.run(storage, expr, query: text, start: start, end: end, step: stepMs,
                                    cancellation: cancellation)
        } catch {
            throw APIError(evaluation: error)
        }
        let evalEnd = ContinuousClock.now
        var warnings = result.warnings
        if limit > 0 {
            switch result.value {
            case let .vector(v) where v.count > limit:
                result.value = .vector(Array(v.prefix(limit)))
                warnings.append("results truncated due to limit")
            case let .matrix(m) where m.count > limit:
                result.value = .matrix(Array(m.prefix(limit)))
                warnings.append("results truncated due to limit")
            default:
                break
            }
        }
        let statsParam = r.formValue("stats") ?? ""
        if !statsParam.isEmpty && statsParam != "true" && statsParam != "all" {
            warnings.append("value \(goQuoted(statsParam)) for parameter \"stats\" is deprecated and will be rejected in the next major release, use \"true\" or \"all\"")
        }
        var stats: (QueryStats, QueryTimings)?
        if !statsParam.isEmpty {
            var t = QueryTimings()
            t.preparationSeconds = seconds(evalStart - started)
            t.innerEvalSeconds = seconds(evalEnd - evalStart)
            t.evalTotalSeconds = t.innerEvalSeconds
            t.execTotalSeconds = seconds(ContinuousClock.now - started)
            stats = (result.stats, t)
        }
        let (w, i) = capped(warnings: warnings, infos: result.infos)
        // Range results sit on the step grid; its timestamps are spelled once.
        let steps = stepMs > 0 ? StepTimestamps(start: start, end: end, stepMs: stepMs) : nil
        return QueryResultEncoder.response(result.value, stats: stats, warnings: w, infos: i, steps: steps)
    }

    private func seconds(_ d: Duration) -> Double {
        let c = d.components
        return Double(c.seconds) + Double(c.attoseconds) / 1e18
    }
}
