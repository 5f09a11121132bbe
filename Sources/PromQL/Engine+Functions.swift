internal import Model

/// Function calls: how arguments are evaluated and which implementation runs.
extension Evaluator {
    func evalCall(_ c: Call) throws(PromQLError) -> [Series] {
        let name = c.function.name
        switch name {
        case "label_replace": return try evalLabelReplace(c)
        case "label_join": return try evalLabelJoin(c)
        case "timestamp":
            if case let .vectorSelector(vs) = c.args[0].unparenthesized { return try evalTimestampOfSelector(vs) }
        default: break
        }
        if let idx = c.args.firstIndex(where: { $0.type == .matrix }) {
            return try evalRangeFunction(c, matrixArg: idx)
        }
        if name.hasPrefix("sort") && !isInstant {
            ctx.warn("sort is ineffective for range queries since results are always ordered by labels", c.position)
        }
        return try rangeEval(c.args) { inputs, ts throws(PromQLError) in
            try self.instantFunction(c, inputs, ts)
        }
    }

    /// Functions of instant vectors and scalars, at one step.
    private func instantFunction(_ c: Call, _ inputs: [[VectorElement]], _ ts: Int64) throws(PromQLError) -> [VectorElement] {
        let name = c.function.name
        if let f = Evaluator.mathFunctions[name] { return Evaluator.mapValues(inputs[0], f) }
        if let f = Evaluator.dateFunctions[name] { return Evaluator.dateFunction(inputs.first, ts, f) }
        switch name {
        case "time": return [VectorElement(labels: Labels(), v: Double(ts) / 1000)]
        case "pi": return [VectorElement(labels: Labels(), v: Double.pi)]
        case "vector": return [VectorElement(labels: Labels(), v: inputs[0].first?.v ?? .nan)]
        case "scalar":
            return [VectorElement(labels: Labels(), v: inputs[0].count == 1 ? inputs[0][0].v : .nan)]
        case "round":
            let toNearest = inputs.count > 1 ? (inputs[1].first?.v ?? 1) : 1
            let inverse = 1.0 / toNearest
            return Evaluator.mapValues(inputs[0]) { ($0 * inverse + 0.5).rounded(.down) / inverse }
        case "clamp":
            return Evaluator.clamp(inputs[0], inputs[1].first?.v ?? .nan, inputs[2].first?.v ?? .nan)
        case "clamp_min":
            return Evaluator.clamp(inputs[0], inputs[1].first?.v ?? .nan, .infinity)
        case "clamp_max":
            return Evaluator.clamp(inputs[0], -.infinity, inputs[1].first?.v ?? .nan)
        case "timestamp":
            return inputs[0].map { VectorElement(labels: $0.labels, v: Double($0.t) / 1000, dropName: true) }
        case "absent":
            if !inputs[0].isEmpty { return [] }
            return [VectorElement(labels: Evaluator.absentLabels(c.args[0]), v: 1)]
        case "sort":
            var v = inputs[0]
            goSort(&v) { a, b in HeapOps.byReverseValue(b, a) }
            return v
        case "sort_desc":
            var v = inputs[0]
            goSort(&v) { a, b in HeapOps.byValue(b, a) }
            return v
        case "sort_by_label", "sort_by_label_desc":
            return Evaluator.sortByLabel(inputs[0], labels: c.args.dropFirst().compactMap { arg -> String? in
                if case let .string(s, _) = arg.unparenthesized { return s }
                return nil
            }, descending: name == "sort_by_label_desc")
        case "histogram_quantile":
            return histogramQuantile(q: inputs[0].first?.v ?? .nan, inputs[1], c)
        case "histogram_quantiles":
            guard case let .string(label, _) = c.args[1].unparenthesized else { return [] }
            var out: [VectorElement] = []
            for (i, qs) in inputs.enumerated() where i >= 2 {
                let q = qs.first?.v ?? .nan
                for var e in histogramQuantile(q: q, inputs[0], c, quantileArg: c.args[i]) {
                    var b = LabelsBuilder(e.labels)
                    b.set(label, formatOpenMetricsFloat(q))
                    e.labels = b.labels()
                    out.append(e)
                }
            }
            return out
        default:
            throw error("function \(goQuote(name)) is not implemented")
        }
    }

    static func mapValues(_ vec: [VectorElement], _ f: (Double) -> Double) -> [VectorElement] {
        vec.map { VectorElement(labels: $0.labels, v: f($0.v), t: $0.t, dropName: true) }
    }

    static func clamp(_ vec: [VectorElement], _ lo: Double, _ hi: Double) -> [VectorElement] {
        if hi < lo { return [] }
        return mapValues(vec) { goMax(lo, goMin(hi, $0)) }
    }

    /// Labels for `absent()`: the selector's equality matchers (a label matched twice or not
    /// by equality is left out), without the name.
    static func absentLabels(_ arg: Expr) -> Labels {
        let matchers: [Matcher]
        switch arg.unparenthesized {
        case let .vectorSelector(vs): matchers = vs.matchers
        case let .matrixSelector(m): matchers = m.selector.matchers
        default: return Labels()
        }
        var b = LabelsBuilder()
        var has: Set<String> = []
        for m in matchers where m.name != Labels.metricName {
            if m.type == .equal && !has.contains(m.name) {
                b.set(m.name, m.value)
                has.insert(m.name)
            } else {
                b.delete(m.name)
            }
        }
        return b.labels()
    }

    /// `timestamp(selector)`: the timestamps of the samples the selector picks.
    private func evalTimestampOfSelector(_ vs: VectorSelector) throws(PromQLError) -> [Series] {
        try evalVectorSelector(vs, dropName: true) { Double($0.t) / 1000 }
    }

    /// Functions over a range vector: one window per series and step.
    private func evalRangeFunction(_ c: Call, matrixArg: Int) throws(PromQLError) -> [Series] {
        let name = c.function.name
        guard let kind = RangeFunction(rawValue: name) else { throw error("function \(goQuote(name)) is not implemented") }
        // The scalar argument (predict_linear's t, quantile_over_time's q), one value per step.
        var scalarArg: [Double] = []
        for (i, a) in c.args.enumerated() where i != matrixArg {
            let m = try eval(a).matrix
            var byT: [Int64: Double] = [:]
            for p in m.first?.points ?? [] { byT[p.t] = p.v }
            var byStep: [Double] = []
            try forEachStep { ts, _ throws(PromQLError) in byStep.append(byT[ts] ?? .nan) }
            if scalarArg.isEmpty { scalarArg = byStep }
        }
        let keepName = kind == .lastOverTime || kind == .firstOverTime
        let counterCheck = kind == .rate || kind == .increase
        var out: [Series] = []
        var points: [Point] = []
        points.reserveCapacity(numSteps)
        let placement = rangePlacement(c.args[matrixArg])
        try forEachRangeSeries(c.args[matrixArg], window: { window, ts, step throws(PromQLError) in
            let scalar = step < scalarArg.count ? scalarArg[step] : .nan
            if let v = try rangeFunction(kind, window, ts: ts, scalar: scalar, placement: placement, call: c) {
                points.append(Point(t: ts, v: v))
            }
        }, done: { labels, dropName throws(PromQLError) in
            guard !points.isEmpty else { return }
            try ctx.addSamples(points.count)
            out.append(Series(labels: labels, points: Array(points), dropName: !keepName || dropName))
            points.removeAll(keepingCapacity: true)
            if counterCheck {
                let metric = labels.name
                if !metric.isEmpty && !metric.hasSuffix("_total") && !metric.hasSuffix("_sum")
                    && !metric.hasSuffix("_count") && !metric.hasSuffix("_bucket") {
                    ctx.info("metric might not be a counter, name does not end in _total/_sum/_count/_bucket: \(goQuote(metric))", c.args[matrixArg].position)
                }
            }
        })
        if kind == .absentOverTime {
            let steps = numSteps
            var found: Set<Int64> = []
            for s in out { for p in s.points { found.insert(p.t) } }
            if found.count == steps { return [] }
            var pts: [Point] = []
            try forEachStep { ts, _ throws(PromQLError) in if !found.contains(ts) { pts.append(Point(t: ts, v: 1)) } }
            return [Series(labels: Evaluator.absentLabels(c.args[matrixArg]), points: pts, dropName: true)]
        }
        return out
    }

    /// The functions of a range vector, resolved once per call rather than per window.
    enum RangeFunction: String {
        case rate, increase, delta, irate, idelta, deriv
        case predictLinear = "predict_linear"
        case avgOverTime = "avg_over_time", sumOverTime = "sum_over_time", countOverTime = "count_over_time"
        case minOverTime = "min_over_time", maxOverTime = "max_over_time"
        case lastOverTime = "last_over_time", firstOverTime = "first_over_time"
        case presentOverTime = "present_over_time", absentOverTime = "absent_over_time"
        case stddevOverTime = "stddev_over_time", stdvarOverTime = "stdvar_over_time"
        case quantileOverTime = "quantile_over_time", madOverTime = "mad_over_time"
        case changes, resets
    }

    /// One range function on one window; nil leaves the step empty.
    private func rangeFunction(_ kind: RangeFunction, _ w: ArraySlice<Point>, ts: Int64, scalar: Double,
                               placement: RangePlacement, call: Call) throws(PromQLError) -> Double? {
        switch kind {
        case .rate: return extrapolatedRate(w, ts: ts, placement: placement, isCounter: true, isRate: true)
        case .increase: return extrapolatedRate(w, ts: ts, placement: placement, isCounter: true, isRate: false)
        case .delta: return extrapolatedRate(w, ts: ts, placement: placement, isCounter: false, isRate: false)
        case .irate: return instantValue(w, isRate: true)
        case .idelta: return instantValue(w, isRate: false)
        case .deriv:
            guard w.count >= 2, let first = w.first else { return nil }
            return linearRegression(w, interceptTime: first.t).slope
        case .predictLinear:
            guard w.count >= 2 else { return nil }
            let r = linearRegression(w, interceptTime: ts)
            return r.slope * scalar + r.intercept
        case .avgOverTime: return avgOverTime(w)
        case .sumOverTime: return sumOverTime(w)
        case .countOverTime: return Double(w.count)
        case .minOverTime:
            return compareOverTime(w) { cur, best in cur < best || best.isNaN }
        case .maxOverTime:
            return compareOverTime(w) { cur, best in cur > best || best.isNaN }
        case .lastOverTime: return w.last?.v
        case .firstOverTime: return w.first?.v
        case .presentOverTime: return 1
        case .absentOverTime: return 1
        case .stddevOverTime: return varianceOverTime(w).squareRoot()
        case .stdvarOverTime: return varianceOverTime(w)
        case .quantileOverTime:
            let q = scalar
            if q.isNaN || q < 0 || q > 1 {
                ctx.warn("quantile value should be between 0 and 1, got \(FloatFormat.g(q))", call.args[0].position)
            }
            return quantileOf(q, w.map(\.v))
        case .madOverTime:
            if w.contains(where: { $0.v.isNaN }) { return .nan }
            let values = w.map(\.v)
            let median = quantileOf(0.5, values)
            return quantileOf(0.5, values.map { abs($0 - median) })
        case .changes:
            var changes = 0
            var prev = w[w.startIndex].v
            for p in w.dropFirst() {
                if p.v != prev && !(p.v.isNaN && prev.isNaN) { changes += 1 }
                prev = p.v
            }
            return Double(changes)
        case .resets:
            var resets = 0
            var prev = w[w.startIndex].v
            for p in w.dropFirst() {
                if p.v < prev { resets += 1 }
                prev = p.v
            }
            return Double(resets)
        }
    }
}

/// Go's `math.Max`: NaN wins, +0 beats -0.
func goMax(_ a: Double, _ b: Double) -> Double {
    if a.isInfinite && a > 0 || b.isInfinite && b > 0 { return .infinity }
    if a.isNaN || b.isNaN { return .nan }
    if a == 0 && a == b { return a.sign == .minus ? b : a }
    return a > b ? a : b
}

/// Go's `math.Min`: NaN wins, -0 beats +0.
func goMin(_ a: Double, _ b: Double) -> Double {
    if a.isInfinite && a < 0 || b.isInfinite && b < 0 { return -.infinity }
    if a.isNaN || b.isNaN { return .nan }
    if a == 0 && a == b { return a.sign == .minus ? a : b }
    return a < b ? a : b
}
