package import Model
internal import Foundation
internal import Synchronization

/// Engine settings (Prometheus' `EngineOpts` plus the per-query lookback delta).
package struct EngineOptions: Sendable {
    /// How far back an instant selector looks for a sample (default 5m).
    package var lookbackDeltaMs: Int64 = 5 * 60 * 1000
    /// The most samples a query may hold in memory at once (default 50M).
    package var maxSamples: Int = 50_000_000
    /// The longest a query may run (default 2m).
    package var timeout: Duration = .seconds(120)
    /// The step of subqueries written without one (`[5m:]`), default 1m.
    package var defaultSubqueryStepMs: Int64 = 60 * 1000

    /// Defaults as Prometheus ships them.
    package init() {}
}

/// A cooperative cancellation flag: the HTTP layer calls `cancel()` when the client goes away;
/// the evaluator checks it in its loops and stops with `PromQLError.canceled`.
package final class QueryCancellation: Sendable {
    private let flag = Atomic<Bool>(false)
    private let probe: (@Sendable () -> Bool)?

    /// A hook that is not canceled yet.
    package init() { probe = nil }

    /// A hook that also counts as canceled once `probe` returns true (e.g. the HTTP request's
    /// "client gone" flag), so the caller needs no watcher thread. `probe` must be cheap: it
    /// runs at every cancellation check.
    package init(linkedTo probe: @escaping @Sendable () -> Bool) { self.probe = probe }

    /// Asks the query to stop at its next check.
    package func cancel() { flag.store(true, ordering: .relaxed) }

    /// True once `cancel()` was called or the linked probe reports true.
    package var isCanceled: Bool {
        if flag.load(ordering: .relaxed) { return true }
        if let probe, probe() {
            flag.store(true, ordering: .relaxed)
            return true
        }
        return false
    }
}

/// The PromQL engine: parses and evaluates queries against any `Queryable`.
///
/// An instant query is a range query with one step, so both run through one evaluator.
/// Evaluation follows Prometheus 3: left-open range windows `(t-range, t]`, staleness markers
/// ending series, delayed `__name__` removal, Kahan summation in `sum`, `avg` and the
/// `*_over_time` functions, and Prometheus' error messages.
package struct PromQLEngine: Sendable {
    /// The settings.
    package var options: EngineOptions

    /// An engine.
    package init(options: EngineOptions = EngineOptions()) { self.options = options }

    /// Evaluates `expr` at `timeMs`.
    package func instantQuery(_ storage: any Queryable, expr: String, at timeMs: Int64,
                              cancellation: QueryCancellation? = nil) throws(PromQLError) -> QueryResult {
        let e = try PromQLParser.parse(expr)
        return try run(storage, e, query: expr, start: timeMs, end: timeMs, step: 0, cancellation: cancellation)
    }

    /// Evaluates `expr` at every step from `start` to `end` (milliseconds). The expression must
    /// have scalar or instant-vector type.
    package func rangeQuery(_ storage: any Queryable, expr: String, start: Int64, end: Int64, stepMs: Int64,
                            cancellation: QueryCancellation? = nil) throws(PromQLError) -> QueryResult {
        let e = try PromQLParser.parse(expr)
        if e.type != .vector && e.type != .scalar {
            throw PromQLError.execution("invalid expression type \(goQuote(e.type.documented)) for range query, must be Scalar or instant Vector")
        }
        if stepMs <= 0 { throw PromQLError.execution("zero or negative query resolution step widths are not accepted. Try a positive integer") }
        if end < start { throw PromQLError.execution("end timestamp must not be before start time") }
        return try run(storage, e, query: expr, start: start, end: end, step: stepMs, cancellation: cancellation)
    }

    /// Evaluates an already parsed expression (`step == 0` for an instant query).
    package func run(_ storage: any Queryable, _ e: Expr, query: String, start: Int64, end: Int64, step: Int64,
                     cancellation: QueryCancellation? = nil) throws(PromQLError) -> QueryResult {
        let ctx = QueryContext(storage: storage, options: options, query: query, cancellation: cancellation,
                               queryStart: start, queryEnd: end)
        let ev = Evaluator(ctx: ctx, start: start, end: end, interval: step == 0 ? 1 : step)
        defer { ctx.close() }
        var value = try ev.eval(e)
        value = try ev.cleanupMetricLabels(value)
        let result: QueryValue
        switch value {
        case let .string(s):
            result = .string(t: start, v: s)
        case var .matrix(mat):
            if step == 0 {
                switch e.type {
                case .vector:
                    result = .vector(mat.map { VectorElement(labels: $0.labels, v: $0.points.first?.v ?? 0, t: start) })
                case .scalar:
                    result = .scalar(t: start, v: mat.first?.points.first?.v ?? .nan)
                default:
                    mat.sort { Labels.compare($0.labels, $1.labels) < 0 }
                    result = .matrix(mat)
                }
            } else {
                mat.sort { Labels.compare($0.labels, $1.labels) < 0 }
                result = .matrix(mat)
            }
        }
        return QueryResult(value: result, warnings: ctx.warnings, infos: ctx.infos,
                           stats: QueryStats(samplesLoaded: ctx.samplesLoaded, peakSamples: ctx.peakSamples))
    }
}

/// State shared by a query's evaluators: storage, limits, annotations, counters.
final class QueryContext {
    let storage: any Queryable
    let options: EngineOptions
    let query: String
    let cancellation: QueryCancellation?
    let deadline: ContinuousClock.Instant
    let queryStart: Int64
    let queryEnd: Int64
    var currentSamples = 0
    var peakSamples = 0
    var samplesLoaded = 0
    private(set) var warnings: [String] = []
    private(set) var infos: [String] = []
    private var checks = 0
    private var queriers: [any Querier] = []

    init(storage: any Queryable, options: EngineOptions, query: String, cancellation: QueryCancellation?,
         queryStart: Int64, queryEnd: Int64) {
        self.storage = storage
        self.options = options
        self.query = query
        self.cancellation = cancellation
        self.deadline = ContinuousClock.now.advanced(by: options.timeout)
        self.queryStart = queryStart
        self.queryEnd = queryEnd
    }

    func close() {
        for q in queriers { q.close() }
        queriers.removeAll()
    }

    /// The cooperative check: cancellation every call, the clock every 64th.
    func checkInterrupt() throws(PromQLError) {
        if let c = cancellation, c.isCanceled { throw PromQLError.canceled("expression evaluation") }
        checks &+= 1
        if checks & 63 == 0 && ContinuousClock.now > deadline { throw PromQLError.timeout("expression evaluation") }
    }

    /// The check for loops that call it rarely (every few hundred steps of one series): the
    /// clock every call.
    func checkInterruptNow() throws(PromQLError) {
        if let c = cancellation, c.isCanceled { throw PromQLError.canceled("expression evaluation") }
        if ContinuousClock.now > deadline { throw PromQLError.timeout("expression evaluation") }
    }

    func addSamples(_ n: Int) throws(PromQLError) {
        currentSamples += n
        if currentSamples > peakSamples { peakSamples = currentSamples }
        if currentSamples > options.maxSamples { throw PromQLError.tooManySamples("query execution") }
    }

    func warn(_ text: String, _ pos: PositionRange) {
        let s = "PromQL warning: \(text) (\(pos.lineColumn(in: query)))"
        if !warnings.contains(s) { warnings.append(s) }
    }

    func info(_ text: String, _ pos: PositionRange) {
        let s = "PromQL info: \(text) (\(pos.lineColumn(in: query)))"
        if !infos.contains(s) { infos.append(s) }
    }

    /// Calls `body` with each series matching `matchers` that has samples in `[mint, maxt]`
    /// and a cursor over those samples, one series at a time, in label order. The cursor's
    /// batch buffer is shared by all series of the call.
    func forEachSeries(_ matchers: [Matcher], mint: Int64, maxt: Int64,
                       _ body: (Labels, inout SampleCursor) throws(PromQLError) -> Void) throws(PromQLError) {
        let q: any Querier
        do {
            q = try storage.querier(mint: mint, maxt: maxt)
        } catch {
            throw PromQLError.storage(error.description)
        }
        queriers.append(q)
        let set = q.select(matchers, hints: SelectHints(sorted: true))
        let buffer = UnsafeMutableBufferPointer<Sample>.allocate(capacity: QueryContext.batchSize)
        defer { buffer.deallocate() }
        while set.next() {
            try checkInterrupt()
            let s = set.at()
            var cursor = SampleCursor(s.iterator(), buffer: buffer, mint: mint, maxt: maxt)
            try body(s.labels, &cursor)
            if let e = cursor.error { throw PromQLError.storage(e.description) }
            samplesLoaded += cursor.loaded
        }
        if let e = set.error { throw PromQLError.storage(e.description) }
    }

    /// Samples read from storage per call.
    static let batchSize = 256
}

/// A node's value during evaluation: scalars are one-series matrices with empty labels.
enum EvalValue {
    case matrix([Series])
    case string(String)

    var matrix: [Series] {
        if case let .matrix(m) = self { return m }
        return []
    }
}
