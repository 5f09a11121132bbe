internal import Foundation
internal import Model

/// Aggregation operators (Prometheus' `rangeEvalAgg`, `aggregation`, `aggregationK`,
/// `aggregationCountValues`).
extension Evaluator {
    private struct Group {
        var seen = false
        var value = 0.0
        var mean = 0.0
        var kahanC = 0.0
        var count = 0.0
        var incrementalMean = false
        var dropName = false
        var values: [Double] = []
        var heap: [VectorElement] = []
    }

    func evalAggregate(_ a: AggregateExpr) throws(PromQLError) -> [Series] {
        let grouping = a.grouping.sorted { Labels.compareUTF8($0, $1) < 0 }
        let groupSet = Set(grouping)
        if a.op == .countValues {
            guard case let .string(valueLabel, _)? = a.param?.unparenthesized else {
                throw error("count_values requires a string parameter")
            }
            if !isValidLabelName(valueLabel) {
                throw error("invalid label name \(goQuoteBytes(valueLabel))")
            }
            var groupLabels = groupSet
            if !a.without { groupLabels.insert(valueLabel) }
            return try rangeEval([a.expr]) { inputs, _ throws(PromQLError) in
                var order: [Labels] = []
                var counts: [Labels: Int] = [:]
                for e in inputs[0] {
                    var b = LabelsBuilder(e.labels)
                    b.set(valueLabel, FloatFormat.f(e.v))
                    let g = Evaluator.groupingLabels(b.labels(), groupLabels, without: a.without)
                    if counts[g] == nil { order.append(g) }
                    counts[g, default: 0] += 1
                }
                return order.map { VectorElement(labels: $0, v: Double(counts[$0] ?? 0)) }
            }
        }

        // The parameter, one value per step.
        var params: [Double] = []
        if let p = a.param {
            let pm = try eval(p).matrix
            var byT: [Int64: Double] = [:]
            for pt in pm.first?.points ?? [] { byT[pt.t] = pt.v }
            try forEachStep { ts, _ throws(PromQLError) in params.append(byT[ts] ?? .nan) }
        }
        let input = try eval(a.expr).matrix

        // Group membership.
        var groupIndex: [Labels: Int] = [:]
        var groupLabels: [Labels] = []
        var seriesGroup: [Int] = []
        for s in input {
            let key = a.without ? s.labels.removing(groupSet.union([Labels.metricName])) : s.labels.keeping(groupSet)
            if let g = groupIndex[key] {
                seriesGroup.append(g)
            } else {
                groupIndex[key] = groupLabels.count
                seriesGroup.append(groupLabels.count)
                groupLabels.append(key)
            }
        }

        switch a.op {
        case .topk, .bottomk:
            if let maxP = params.max(), maxP < 1, !params.contains(where: \.isNaN) { return [] }
            if params.contains(where: \.isNaN) { throw error("Parameter value is NaN") }
            if let minP = params.min(), minP <= -9.223372036854775808e18 { throw error("Scalar value \(FloatFormat.g(minP)) underflows int64") }
            if let maxP = params.max(), maxP >= 9.223372036854775807e18 { throw error("Scalar value \(FloatFormat.g(maxP)) overflows int64") }
        case .quantile:
            if params.contains(where: \.isNaN) { ctx.warn("quantile value should be between 0 and 1, got NaN", a.param?.position ?? a.position) }
            if let m = params.max(), m > 1 { ctx.warn("quantile value should be between 0 and 1, got \(FloatFormat.g(m))", a.param?.position ?? a.position) }
            if let m = params.min(), m < 0 { ctx.warn("quantile value should be between 0 and 1, got \(FloatFormat.g(m))", a.param?.position ?? a.position) }
        default: break
        }

        var cursors = [Int](repeating: 0, count: input.count)
        var out = SeriesCollector(instant: isInstant)
        var groups = [Group](repeating: Group(), count: groupLabels.count)
        var outSeries = groupLabels.map { Series(labels: $0, points: []) }
        try forEachStep { ts, step throws(PromQLError) in
            for g in groups.indices { groups[g].seen = false }
            let param = step < params.count ? params[step] : .nan
            var kSelected: [VectorElement] = []
            var k = 0
            if a.op == .topk || a.op == .bottomk {
                k = Int(Swift.min(param.rounded(.towardZero), Double(input.count)))
                if k < 1 { return }
            }
            for si in input.indices {
                let c = cursors[si]
                // Read in place: binding the points array to a local retained it per series
                // per step.
                guard c < input[si].points.count, input[si].points[c].t == ts else { continue }
                cursors[si] = c + 1
                let f = input[si].points[c].v
                let gi = seriesGroup[si]
                if a.op == .topk || a.op == .bottomk {
                    let el = VectorElement(labels: input[si].labels, v: f, dropName: input[si].dropName)
                    if !groups[gi].seen {
                        groups[gi] = Group()
                        groups[gi].seen = true
                        groups[gi].heap = [el]
                        continue
                    }
                    if a.op == .topk {
                        if groups[gi].heap.count < k {
                            HeapOps.push(&groups[gi].heap, el, less: HeapOps.byValue)
                        } else if groups[gi].heap[0].v < f || (groups[gi].heap[0].v.isNaN && !f.isNaN) {
                            groups[gi].heap[0] = el
                            if k > 1 { HeapOps.fix(&groups[gi].heap, 0, less: HeapOps.byValue) }
                        }
                    } else {
                        if groups[gi].heap.count < k {
                            HeapOps.push(&groups[gi].heap, el, less: HeapOps.byReverseValue)
                        } else if groups[gi].heap[0].v > f || (groups[gi].heap[0].v.isNaN && !f.isNaN) {
                            groups[gi].heap[0] = el
                            if k > 1 { HeapOps.fix(&groups[gi].heap, 0, less: HeapOps.byReverseValue) }
                        }
                    }
                    continue
                }
                if !groups[gi].seen {
                    var g = Group()
                    g.seen = true
                    g.value = f
                    g.mean = f
                    g.count = 1
                    g.dropName = input[si].dropName
                    switch a.op {
                    case .stddev, .stdvar: g.value = (f.isNaN || f.isInfinite) ? .nan : 0
                    case .quantile: g.values = [f]
                    case .group: g.value = 1
                    default: break
                    }
                    groups[gi] = g
                    continue
                }
                if input[si].dropName { groups[gi].dropName = true }
                switch a.op {
                case .sum:
                    (groups[gi].value, groups[gi].kahanC) = kahanInc(f, groups[gi].value, groups[gi].kahanC)
                case .avg:
                    groups[gi].count += 1
                    let count = groups[gi].count
                    if !groups[gi].incrementalMean {
                        let (nv, nc) = kahanInc(f, groups[gi].value, groups[gi].kahanC)
                        if !nv.isInfinite {
                            groups[gi].value = nv
                            groups[gi].kahanC = nc
                            break
                        }
                        groups[gi].incrementalMean = true
                        groups[gi].mean = groups[gi].value / (count - 1)
                        groups[gi].kahanC /= count - 1
                    }
                    let q = (count - 1) / count
                    (groups[gi].mean, groups[gi].kahanC) = kahanInc(f / count, q * groups[gi].mean, q * groups[gi].kahanC)
                case .max:
                    if groups[gi].value < f || groups[gi].value.isNaN { groups[gi].value = f }
                case .min:
                    if groups[gi].value > f || groups[gi].value.isNaN { groups[gi].value = f }
                case .count:
                    groups[gi].count += 1
                case .stddev, .stdvar:
                    groups[gi].count += 1
                    let delta = f - groups[gi].mean
                    groups[gi].mean += delta / groups[gi].count
                    groups[gi].value += delta * (f - groups[gi].mean)
                case .quantile:
                    groups[gi].values.append(f)
                case .group, .topk, .bottomk, .countValues, .limitk, .limitRatio:
                    break
                }
            }
            if a.op == .topk || a.op == .bottomk {
                for g in groups.indices where groups[g].seen {
                    var h = groups[g].heap
                    if h.count > 1 {
                        // Go's sort.Sort(sort.Reverse(heap)).
                        let less = a.op == .topk ? HeapOps.byValue : HeapOps.byReverseValue
                        goSort(&h) { x, y in less(y, x) }
                    }
                    kSelected.append(contentsOf: h)
                }
                try ctx.addSamples(kSelected.count)
                try out.add(kSelected, ts: ts)
                return
            }
            for g in groups.indices where groups[g].seen {
                var value = groups[g].value
                let count = groups[g].count
                switch a.op {
                case .avg:
                    value = groups[g].incrementalMean ? groups[g].mean + groups[g].kahanC
                        : groups[g].value / count + groups[g].kahanC / count
                case .count: value = count
                case .stdvar: value = groups[g].value / count
                case .stddev: value = (groups[g].value / count).squareRoot()
                case .quantile: value = quantileOf(param, groups[g].values)
                case .sum: value = groups[g].value + groups[g].kahanC
                default: break
                }
                outSeries[g].points.append(Point(t: ts, v: value))
                outSeries[g].dropName = groups[g].dropName
                try ctx.addSamples(1)
            }
        }
        if a.op == .topk || a.op == .bottomk { return out.series }
        return outSeries.filter { !$0.points.isEmpty }
    }

    static func groupingLabels(_ l: Labels, _ grouping: Set<String>, without: Bool) -> Labels {
        without ? l.removing(grouping.union([Labels.metricName])) : l.keeping(grouping)
    }
}

/// Prometheus' `kahansum.Inc`: Neumaier's compensated addition.
@inline(__always)
func kahanInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
    let t = sum + inc
    var c = c
    if t.isInfinite {
        c = 0
    } else if abs(sum) >= abs(inc) {
        c += (sum - t) + inc
    } else {
        c += (inc - t) + sum
    }
    return (t, c)
}

/// Prometheus' `quantile`: linear interpolation between the closest ranks.
func quantileOf(_ q: Double, _ valuesIn: [Double]) -> Double {
    if valuesIn.isEmpty || q.isNaN { return .nan }
    if q < 0 { return -.infinity }
    if q > 1 { return .infinity }
    let values = valuesIn.sorted { a, b in a.isNaN ? !b.isNaN : a < b }
    let n = Double(values.count)
    let rank = q * (n - 1)
    let lower = max(0, rank.rounded(.down))
    let upper = min(n - 1, lower + 1)
    let weight = rank - rank.rounded(.down)
    return values[Int(lower)] * (1 - weight) + values[Int(upper)] * weight
}

/// Go's `container/heap` over an array with a caller's `less`, step for step, so that ties
/// resolve as they do in Prometheus.
enum HeapOps {
    static let byValue: @Sendable (VectorElement, VectorElement) -> Bool = { a, b in a.v.isNaN ? true : a.v < b.v }
    static let byReverseValue: @Sendable (VectorElement, VectorElement) -> Bool = { a, b in a.v.isNaN ? true : a.v > b.v }

    static func push(_ h: inout [VectorElement], _ x: VectorElement, less: (VectorElement, VectorElement) -> Bool) {
        h.append(x)
        up(&h, h.count - 1, less)
    }

    static func fix(_ h: inout [VectorElement], _ i: Int, less: (VectorElement, VectorElement) -> Bool) {
        if !down(&h, i, h.count, less) { up(&h, i, less) }
    }

    static func up(_ h: inout [VectorElement], _ j0: Int, _ less: (VectorElement, VectorElement) -> Bool) {
        var j = j0
        while true {
            let i = (j - 1) / 2
            if i == j || !less(h[j], h[i]) { break }
            h.swapAt(i, j)
            j = i
        }
    }

    @discardableResult
    static func down(_ h: inout [VectorElement], _ i0: Int, _ n: Int, _ less: (VectorElement, VectorElement) -> Bool) -> Bool {
        var i = i0
        while true {
            let j1 = 2 * i + 1
            if j1 >= n || j1 < 0 { break }
            var j = j1
            let j2 = j1 + 1
            if j2 < n && less(h[j2], h[j1]) { j = j2 }
            if !less(h[j], h[i]) { break }
            h.swapAt(i, j)
            i = j
        }
        return i > i0
    }
}

/// Go's `sort.Sort` ordering for equal elements: insertion sort for short inputs (what Go's
/// pdqsort does below 13 elements), a stable merge otherwise.
func goSort<T>(_ a: inout [T], _ less: (T, T) -> Bool) {
    if a.count <= 12 {
        var i = 1
        while i < a.count {
            var j = i
            while j > 0 && less(a[j], a[j - 1]) {
                a.swapAt(j, j - 1)
                j -= 1
            }
            i += 1
        }
        return
    }
    let indexed = a.enumerated().map { ($0.offset, $0.element) }
    a = indexed.sorted { x, y in
        if less(x.1, y.1) { return true }
        if less(y.1, x.1) { return false }
        return x.0 < y.0
    }.map(\.1)
}
