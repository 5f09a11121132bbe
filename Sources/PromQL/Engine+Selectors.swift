internal import Model

/// Selectors and subqueries: where samples come from.
///
/// Selectors stream: storage is walked one series at a time through a `SampleCursor`, and each
/// series is reduced to its result points on the spot (the newest sample per step for an instant
/// selector, a window sliding over a per-series buffer for a range function), so a query never
/// holds the raw samples of more than one series.
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
        let fixedRef = vs.at.map { atTime($0) - vs.offsetMs }
        let steps = numSteps
        var out: [Series] = []
        var scratch: [Point] = []
        scratch.reserveCapacity(steps)
        try ctx.forEachSeries(vs.matchers, mint: lo - lookback + 1, maxt: hi) { labels, cursor throws(PromQLError) in
            var have = false
            var last = Sample(t: 0, v: 0)
            var ts = start
            for step in 0 ..< steps {
                if step & 1023 == 1023 { try ctx.checkInterruptNow() }
                // References never decrease from step to step, so the walk only moves forward.
                let ref = fixedRef ?? ts - vs.offsetMs
                while let s = cursor.peek(), s.t <= ref {
                    last = s
                    have = true
                    cursor.advance()
                }
                if have && last.t > ref - lookback && !isStaleNaN(last.v) {
                    scratch.append(Point(t: ts, v: value(last)))
                }
                ts += interval
            }
            if !scratch.isEmpty {
                try ctx.addSamples(scratch.count)
                out.append(Series(labels: labels, points: Array(scratch), dropName: dropName))
                scratch.removeAll(keepingCapacity: true)
            }
        }
        return out
    }

    /// A range selector evaluated on its own (instant queries only): the raw samples in
    /// `(ref - range, ref]`, without staleness markers.
    func evalMatrixSelectorRaw(_ m: MatrixSelector) throws(PromQLError) -> [Series] {
        let ref = referenceTime(start, at: m.selector.at, offsetMs: m.selector.offsetMs)
        let mint = ref - m.rangeMs
        var out: [Series] = []
        try ctx.forEachSeries(m.selector.matchers, mint: mint + 1, maxt: ref) { labels, cursor throws(PromQLError) in
            var pts: [Point] = []
            while let s = cursor.peek() {
                if s.t > mint && s.t <= ref && !isStaleNaN(s.v) { pts.append(Point(t: s.t, v: s.v)) }
                cursor.advance()
            }
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

    /// The window placement of a range-vector argument (a range selector or a subquery).
    func rangePlacement(_ e: Expr) -> RangePlacement {
        switch e.unparenthesized {
        case let .matrixSelector(m): RangePlacement(rangeMs: m.rangeMs, offsetMs: m.selector.offsetMs, at: m.selector.at)
        case let .subquery(s): RangePlacement(rangeMs: s.rangeMs, offsetMs: s.offsetMs, at: s.at)
        default: RangePlacement(rangeMs: 0, offsetMs: 0, at: nil)
        }
    }

    /// Calls `body` for each series of a range-vector argument (a range selector, streamed, or a
    /// subquery) with each step's non-empty window `(ref - range, ref]` of its samples, without
    /// staleness markers; `done` follows each series' last window.
    func forEachRangeSeries(_ e: Expr,
                            window body: (_ window: ArraySlice<Point>, _ ts: Int64, _ step: Int) throws(PromQLError) -> Void,
                            done: (_ labels: Labels, _ dropName: Bool) throws(PromQLError) -> Void) throws(PromQLError) {
        var window: [Point] = []
        switch e.unparenthesized {
        case let .matrixSelector(m):
            let place = RangePlacement(rangeMs: m.rangeMs, offsetMs: m.selector.offsetMs, at: m.selector.at)
            let (lo, hi) = referenceBounds(at: m.selector.at, offsetMs: m.selector.offsetMs)
            try ctx.forEachSeries(m.selector.matchers, mint: lo - m.rangeMs + 1, maxt: hi) { labels, cursor throws(PromQLError) in
                try slideWindow(place, over: &cursor, buffer: &window, body)
                try done(labels, false)
            }
        case let .subquery(s):
            let place = RangePlacement(rangeMs: s.rangeMs, offsetMs: s.offsetMs, at: s.at)
            let mat = try runSubquery(s)
            for series in mat {
                var source = PointSource(points: series.points)
                try slideWindow(place, over: &source, buffer: &window, body)
                try done(series.labels, series.dropName)
            }
        default:
            throw error("expected a range vector argument")
        }
    }

    /// Moves a window over one series' samples, step by step: samples enter once their time is
    /// at or before the reference time and leave once they fall out of the range. Samples that
    /// are already out of range when read (steps wider than the range) never enter.
    private func slideWindow<S: PointStream>(_ place: RangePlacement, over source: inout S, buffer win: inout [Point],
                                              _ body: (ArraySlice<Point>, Int64, Int) throws(PromQLError) -> Void) throws(PromQLError) {
        win.removeAll(keepingCapacity: true)
        let fixedRef = place.at.map { atTime($0) - place.offsetMs }
        var lo = 0
        var ts = start
        for step in 0 ..< numSteps {
            if step & 1023 == 1023 { try ctx.checkInterruptNow() }
            let ref = fixedRef ?? ts - place.offsetMs
            let mint = ref - place.rangeMs
            while let p = source.peekPoint(), p.t <= ref {
                if p.t > mint && !isStaleNaN(p.v) { win.append(p) }
                source.advance()
            }
            while lo < win.count && win[lo].t <= mint { lo += 1 }
            if lo < win.count {
                try body(win[lo ..< win.count], ts, step)
            }
            if lo == win.count {
                win.removeAll(keepingCapacity: true)
                lo = 0
            } else if lo >= 512 && lo * 2 >= win.count {
                win.removeSubrange(0 ..< lo)
                lo = 0
            }
            ts += interval
        }
    }
}

/// A forward-only source of points for `slideWindow`.
protocol PointStream {
    mutating func peekPoint() -> Point?
    mutating func advance()
}

extension SampleCursor: PointStream {
    @inline(__always)
    mutating func peekPoint() -> Point? {
        guard let s = peek() else { return nil }
        return Point(t: s.t, v: s.v)
    }
}

/// The points of a series already in memory (a subquery's result).
struct PointSource: PointStream {
    let points: [Point]
    var index = 0

    @inline(__always)
    mutating func peekPoint() -> Point? { index < points.count ? points[index] : nil }

    @inline(__always)
    mutating func advance() { index += 1 }
}
