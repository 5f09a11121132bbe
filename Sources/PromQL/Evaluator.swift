internal import Model

/// Evaluates expressions over a grid of steps `start, start+interval, ..., end` (Prometheus'
/// `evaluator`). Every node yields a matrix with one point per step where it has a value, so
/// instant and range queries share all code; subqueries and step-invariant parts run in child
/// evaluators with their own grid.
final class Evaluator {
    let ctx: QueryContext
    let start: Int64
    let end: Int64
    let interval: Int64

    init(ctx: QueryContext, start: Int64, end: Int64, interval: Int64) {
        self.ctx = ctx
        self.start = start
        self.end = end
        self.interval = max(interval, 1)
    }

    var numSteps: Int { end < start ? 0 : Int((end - start) / interval) + 1 }

    var isInstant: Bool { start == end }

    func forEachStep(_ body: (Int64, Int) throws(PromQLError) -> Void) throws(PromQLError) {
        var ts = start
        var i = 0
        while ts <= end {
            try ctx.checkInterrupt()
            try body(ts, i)
            ts += interval
            i += 1
        }
    }

    func error(_ message: String) -> PromQLError { .execution(message) }

    /// The time an `@` modifier pins evaluation to.
    func atTime(_ at: AtModifier) -> Int64 {
        switch at {
        case let .timestamp(ms): ms
        case .start: ctx.queryStart
        case .end: ctx.queryEnd
        }
    }

    // MARK: Dispatch

    func eval(_ e: Expr) throws(PromQLError) -> EvalValue {
        try ctx.checkInterrupt()
        if end < start { return .matrix([]) }
        if !isInstant, e.type == .vector || e.type == .scalar, !isLiteral(e), isStepInvariant(e) {
            // Evaluate once at the first step and repeat the value (Prometheus' StepInvariantExpr).
            let child = Evaluator(ctx: ctx, start: start, end: start, interval: interval)
            var mat = try child.evalNode(e).matrix
            for i in mat.indices {
                guard let first = mat[i].points.first else { continue }
                var pts: [Point] = []
                pts.reserveCapacity(numSteps)
                try forEachStep { ts, _ throws(PromQLError) in pts.append(Point(t: ts, v: first.v)) }
                try ctx.addSamples(pts.count - 1)
                mat[i].points = pts
            }
            return .matrix(mat)
        }
        return try evalNode(e)
    }

    private func isLiteral(_ e: Expr) -> Bool {
        switch e.unparenthesized {
        case .number, .string: true
        default: false
        }
    }

    /// Prometheus' `preprocessExprHelper` answer: the value is the same at every step.
    func isStepInvariant(_ e: Expr) -> Bool {
        switch e {
        case let .vectorSelector(vs): return vs.at != nil
        case let .matrixSelector(m): return m.selector.at != nil
        case let .subquery(s): return s.at != nil
        case .number, .string: return true
        case let .paren(inner, _): return isStepInvariant(inner)
        case let .unary(_, inner, _): return isStepInvariant(inner)
        case let .binary(b): return isStepInvariant(b.lhs) && isStepInvariant(b.rhs)
        case let .aggregate(a): return isStepInvariant(a.expr)
        case let .call(c):
            if Evaluator.atModifierUnsafeFunctions.contains(c.function.name) {
                // `timestamp(sel @ t)` is still invariant.
                if c.function.name == "timestamp", let arg = c.args.first,
                   case let .vectorSelector(vs) = arg.unparenthesized, vs.at != nil { return true }
                return false
            }
            return c.args.allSatisfy { isStepInvariant($0) }
        }
    }

    static let atModifierUnsafeFunctions: Set<String> = [
        "days_in_month", "day_of_month", "day_of_week", "day_of_year", "hour", "minute", "month", "year",
        "predict_linear", "time", "timestamp",
    ]

    private func evalNode(_ e: Expr) throws(PromQLError) -> EvalValue {
        switch e {
        case let .number(n):
            var pts: [Point] = []
            pts.reserveCapacity(numSteps)
            try forEachStep { ts, _ throws(PromQLError) in pts.append(Point(t: ts, v: n.value)) }
            try ctx.addSamples(pts.count)
            return .matrix([Series(labels: Labels(), points: pts)])
        case let .string(s, _):
            return .string(s)
        case let .vectorSelector(vs):
            return .matrix(try evalVectorSelector(vs))
        case let .matrixSelector(m):
            return .matrix(try evalMatrixSelectorRaw(m))
        case let .subquery(s):
            return .matrix(try runSubquery(s))
        case let .paren(inner, _):
            return try eval(inner)
        case let .unary(negate, inner, _):
            var mat = try eval(inner).matrix
            if negate {
                for i in mat.indices {
                    mat[i].dropName = true
                    for j in mat[i].points.indices { mat[i].points[j].v = -mat[i].points[j].v }
                }
            }
            return .matrix(mat)
        case let .binary(b):
            return .matrix(try evalBinary(b))
        case let .aggregate(a):
            return .matrix(try evalAggregate(a))
        case let .call(c):
            return .matrix(try evalCall(c))
        }
    }

    // MARK: Step-wise evaluation of instant-vector arguments

    /// Evaluates `args` (strings become nil), then calls `body` at each step with the elements
    /// present at that step, collecting the results into series (Prometheus' `rangeEval`).
    func rangeEval(_ args: [Expr],
                   _ body: (_ inputs: [[VectorElement]], _ ts: Int64) throws(PromQLError) -> [VectorElement]) throws(PromQLError) -> [Series] {
        let base = ctx.currentSamples
        var matrices: [[Series]] = []
        for a in args {
            if a.type == .string { matrices.append([]); continue }
            matrices.append(try eval(a).matrix)
        }
        var cursors = matrices.map { [Int](repeating: 0, count: $0.count) }
        var out = SeriesCollector(instant: isInstant)
        let inputSamples = ctx.currentSamples
        try forEachStep { ts, _ throws(PromQLError) in
            var inputs: [[VectorElement]] = []
            inputs.reserveCapacity(matrices.count)
            for m in matrices.indices {
                var vec: [VectorElement] = []
                for s in matrices[m].indices {
                    let c = cursors[m][s]
                    if c < matrices[m][s].points.count && matrices[m][s].points[c].t == ts {
                        vec.append(VectorElement(labels: matrices[m][s].labels, v: matrices[m][s].points[c].v, t: ts, dropName: matrices[m][s].dropName))
                        cursors[m][s] = c + 1
                    }
                }
                inputs.append(vec)
            }
            let result = try body(inputs, ts)
            try ctx.addSamples(result.count)
            try out.add(result, ts: ts)
        }
        let series = out.series
        ctx.currentSamples = base + series.reduce(0) { $0 + $1.points.count }
        _ = inputSamples
        return series
    }

    // MARK: Final label cleanup

    /// Drops `__name__` where delayed removal asked for it and merges series that became equal
    /// (Prometheus' `cleanupMetricLabels`).
    func cleanupMetricLabels(_ v: EvalValue) throws(PromQLError) -> EvalValue {
        guard case var .matrix(mat) = v else { return v }
        for i in mat.indices where mat[i].dropName {
            mat[i].labels = mat[i].labels.droppingMetricName
        }
        return .matrix(try mergeSeriesWithSameLabels(mat))
    }

    func mergeSeriesWithSameLabels(_ mat: [Series]) throws(PromQLError) -> [Series] {
        if mat.count <= 1 { return mat }
        var index: [Labels: Int] = [:]
        var merged: [Series] = []
        var hadDuplicate = false
        for s in mat {
            if let i = index[s.labels] {
                hadDuplicate = true
                merged[i].points.append(contentsOf: s.points)
            } else {
                index[s.labels] = merged.count
                merged.append(s)
            }
        }
        if !hadDuplicate { return mat }
        for i in merged.indices {
            merged[i].points.sort { $0.t < $1.t }
            var j = 1
            while j < merged[i].points.count {
                if merged[i].points[j].t == merged[i].points[j - 1].t {
                    throw error("vector cannot contain metrics with the same labelset")
                }
                j += 1
            }
        }
        return merged
    }
}

/// Collects per-step result vectors into series, keeping first-seen order and rejecting two
/// elements with the same labels at one step.
struct SeriesCollector {
    let instant: Bool
    private var index: [Labels: Int] = [:]
    private(set) var series: [Series] = []

    init(instant: Bool) { self.instant = instant }

    mutating func add(_ vec: [VectorElement], ts: Int64) throws(PromQLError) {
        if instant {
            // Duplicates are reported after delayed name removal, as Prometheus does.
            for e in vec { series.append(Series(labels: e.labels, points: [Point(t: ts, v: e.v)], dropName: e.dropName)) }
            return
        }
        for e in vec {
            if let i = index[e.labels] {
                if series[i].points.last?.t == ts { throw PromQLError.execution("vector cannot contain metrics with the same labelset") }
                series[i].points.append(Point(t: ts, v: e.v))
            } else {
                index[e.labels] = series.count
                series.append(Series(labels: e.labels, points: [Point(t: ts, v: e.v)], dropName: e.dropName))
            }
        }
    }
}
