internal import Model

/// Selectors and subqueries: where samples come from.
extension Evaluator {
    /// The reference time of a selector at step `ts`: the `@` time or the step, minus offset.
    func referenceTime(_ ts: Int64, at: AtModifier?, offsetMs: Int64) -> Int64 {
        (at.map(atTime) ?? ts) - offsetMs
    }

    /// The smallest and largest reference time over all steps.
    func referenceBounds(at: AtModifier?, offsetMs: Int64) -> (Int64, Int64) {
        if let at { let t = atTime(at) - offsetMs; return (t, t) }
        let lastStep = start + Int64(max(numSteps - 1, 0)) * interval
        return (start - offsetMs, lastStep - offsetMs)
    }

    /// An instant selector: at each step the newest sample in `(ref - lookback, ref]`, unless it
    /// is a staleness marker. `value` turns the chosen sample into the point's value (its value,
    /// or its timestamp for `timestamp(selector)`, which also drops the metric name).
    func evalVectorSelector(_ vs: VectorSelector, dropName: Bool = false,
                            value: (Sample) -> Double = { $0.v }) throws(PromQLError) -> [Series] {
        let lookback = ctx.options.lookbackDeltaMs
        let (lo, hi) = referenceBounds(at: vs.at, offsetMs: vs.offsetMs)
        let data = try ctx.select(vs.matchers, mint: lo - lookback + 1, maxt: hi)
        var out: [Series] = []
        for (labels, samples) in data {
            var pts: [Point] = []
            var idx = 0
            try forEachStep { ts, _ throws(PromQLError) in
                let ref = referenceTime(ts, at: vs.at, offsetMs: vs.offsetMs)
                // Samples are sorted and references grow with the step, so walk forward.
                if vs.at != nil { idx = 0 }
                while idx < samples.count && samples[idx].t <= ref { idx += 1 }
                guard idx > 0 else { return }
                let s = samples[idx - 1]
                if s.t <= ref - lookback || isStaleNaN(s.v) { return }
                pts.append(Point(t: ts, v: value(s)))
            }
            if !pts.isEmpty {
                try ctx.addSamples(pts.count)
                out.append(Series(labels: labels, points: pts, dropName: dropName))
            }
        }
        return out
    }

    /// A range selector evaluated on its own (instant queries only): the raw samples in
    /// `(ref - range, ref]`, without staleness markers.
    func evalMatrixSelectorRaw(_ m: MatrixSelector) throws(PromQLError) -> [Series] {
        let ref = referenceTime(start, at: m.selector.at, offsetMs: m.selector.offsetMs)
        let data = try ctx.select(m.selector.matchers, mint: ref - m.rangeMs + 1, maxt: ref)
        var out: [Series] = []
        for (labels, samples) in data {
            let pts = samples.filter { $0.t > ref - m.rangeMs && $0.t <= ref && !isStaleNaN($0.v) }.map { Point(t: $0.t, v: $0.v) }
            if !pts.isEmpty {
                try ctx.addSamples(pts.count)
                out.append(Series(labels: labels, points: pts))
            }
        }
        return out
    }

    /// Evaluates a subquery's inner expression on its own step grid (Prometheus'
    /// `subqueryTimeRange` and `runSubquery`).
    func runSubquery(_ s: SubqueryExpr) throws(PromQLError) -> [Series] {
        var effStart = start
        var effEnd = start + Int64(max(numSteps - 1, 0)) * interval
        if let at = s.at { effStart = atTime(at); effEnd = effStart }
        let step = s.stepMs != 0 ? s.stepMs : ctx.options.defaultSubqueryStepMs
        let subEnd = effEnd - s.offsetMs
        let lowest = effStart - s.offsetMs - s.rangeMs
        var subStart = step * (lowest / step)
        if subStart <= lowest { subStart += step }
        let child = Evaluator(ctx: ctx, start: subStart, end: subEnd, interval: step)
        return try child.eval(s.expr).matrix
    }

    /// The series and samples a range-vector argument provides, with the window placement.
    struct RangeSource {
        var series: [(labels: Labels, samples: [Point], dropName: Bool)]
        var rangeMs: Int64
        var offsetMs: Int64
        var at: AtModifier?
        var fromSubquery: Bool
    }

    /// Loads a range-vector argument (a range selector or a subquery).
    func loadRangeSource(_ e: Expr) throws(PromQLError) -> RangeSource {
        switch e.unparenthesized {
        case let .matrixSelector(m):
            let (lo, hi) = referenceBounds(at: m.selector.at, offsetMs: m.selector.offsetMs)
            let data = try ctx.select(m.selector.matchers, mint: lo - m.rangeMs + 1, maxt: hi)
            let series = data.map { (labels: $0.0, samples: $0.1.compactMap { isStaleNaN($0.v) ? nil : Point(t: $0.t, v: $0.v) }, dropName: false) }
            return RangeSource(series: series, rangeMs: m.rangeMs, offsetMs: m.selector.offsetMs, at: m.selector.at, fromSubquery: false)
        case let .subquery(s):
            let mat = try runSubquery(s)
            let series = mat.map { (labels: $0.labels, samples: $0.points.filter { !isStaleNaN($0.v) }, dropName: $0.dropName) }
            return RangeSource(series: series, rangeMs: s.rangeMs, offsetMs: s.offsetMs, at: s.at, fromSubquery: true)
        default:
            throw error("expected a range vector argument")
        }
    }

    /// Calls `body` with each step's window `(ref - range, ref]` of one series' samples; skips
    /// steps with an empty window.
    func forEachWindow(_ src: RangeSource, _ samples: [Point],
                       _ body: (_ window: ArraySlice<Point>, _ ts: Int64, _ step: Int) throws(PromQLError) -> Void) throws(PromQLError) {
        var lo = 0, hi = 0
        try forEachStep { ts, step throws(PromQLError) in
            let ref = referenceTime(ts, at: src.at, offsetMs: src.offsetMs)
            let mint = ref - src.rangeMs
            if src.at != nil { lo = 0; hi = 0 }
            while hi < samples.count && samples[hi].t <= ref { hi += 1 }
            while lo < hi && samples[lo].t <= mint { lo += 1 }
            if lo >= hi { return }
            try body(samples[lo ..< hi], ts, step)
        }
    }
}
