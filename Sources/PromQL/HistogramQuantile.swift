internal import Foundation
internal import Model

/// `histogram_quantile` over classic `le` buckets (Prometheus' `quantile.go`).
extension Evaluator {
    struct Bucket {
        var upperBound: Double
        var count: Double
    }

    func histogramQuantile(q: Double, _ vec: [VectorElement], _ c: Call, quantileArg: Expr? = nil) -> [VectorElement] {
        let vectorArg = quantileArg == nil ? c.args[1] : c.args[0]
        if q.isNaN || q < 0 || q > 1 {
            ctx.warn("quantile value should be between 0 and 1, got \(FloatFormat.g(q))", (quantileArg ?? c.args[0]).position)
        }
        var order: [Labels] = []
        var groups: [Labels: (labels: Labels, buckets: [Bucket])] = [:]
        for e in vec {
            let le = e.labels.get("le")
            guard let upper = parseGoFloat(le) else {
                ctx.warn("bucket label \"le\" is missing or has a malformed value of \(goQuote(le)) for metric name \(goQuote(e.labels.name))", vectorArg.position)
                continue
            }
            let key = e.labels.removing(["le"])
            if groups[key] == nil {
                order.append(key)
                groups[key] = (key, [])
            }
            groups[key]?.buckets.append(Bucket(upperBound: upper, count: e.v))
        }
        var out: [VectorElement] = []
        for key in order {
            guard let g = groups[key], !g.buckets.isEmpty else { continue }
            let (value, forced) = Evaluator.bucketQuantile(q, g.buckets)
            if forced {
                ctx.info("input to histogram_quantile needed to be fixed for monotonicity (see https://prometheus.io/docs/prometheus/latest/querying/functions/#histogram_quantile) for metric name \(goQuote(g.labels.name))", vectorArg.position)
            }
            out.append(VectorElement(labels: g.labels, v: value, dropName: true))
        }
        return out
    }

    static func bucketQuantile(_ q: Double, _ input: [Bucket]) -> (Double, Bool) {
        if q.isNaN { return (.nan, false) }
        if q < 0 { return (-.infinity, false) }
        if q > 1 { return (.infinity, false) }
        var buckets = input.sorted { $0.upperBound < $1.upperBound }
        guard let last = buckets.last, last.upperBound == .infinity else { return (.nan, false) }
        // Coalesce buckets with the same upper bound.
        var merged: [Bucket] = []
        for b in buckets {
            if let l = merged.last, l.upperBound == b.upperBound { merged[merged.count - 1].count += b.count } else { merged.append(b) }
        }
        buckets = merged
        // Monotonicity fix-ups, ignoring tiny relative differences.
        var forced = false
        var prev = buckets[0].count
        for i in 1 ..< buckets.count {
            let curr = buckets[i].count
            if curr == prev { continue }
            if almostEqual(prev, curr, 1e-12) {
                buckets[i].count = prev
                continue
            }
            if curr < prev {
                buckets[i].count = prev
                forced = true
                continue
            }
            prev = curr
        }
        if buckets.count < 2 { return (.nan, forced) }
        let observations = buckets[buckets.count - 1].count
        if observations == 0 { return (.nan, forced) }
        var rank = q * observations
        var b = 0
        while b < buckets.count - 1 && !(buckets[b].count >= rank) { b += 1 }
        if b == buckets.count - 1 { return (buckets[buckets.count - 2].upperBound, forced) }
        if b == 0 && buckets[0].upperBound <= 0 { return (buckets[0].upperBound, forced) }
        var bucketStart = 0.0
        let bucketEnd = buckets[b].upperBound
        var count = buckets[b].count
        if b > 0 {
            bucketStart = buckets[b - 1].upperBound
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return (bucketStart + (bucketEnd - bucketStart) * (rank / count), forced)
    }
}

/// Prometheus' `almost.Equal`.
func almostEqual(_ a: Double, _ b: Double, _ epsilon: Double) -> Bool {
    if a == b { return true }
    if a.isNaN && b.isNaN { return true }
    let minNormal = 2.2250738585072014e-308
    let diff = abs(a - b)
    let sum = abs(a) + abs(b)
    if a == 0 || b == 0 || sum < minNormal { return diff < epsilon * minNormal }
    return diff / min(sum, Double.greatestFiniteMagnitude) < epsilon
}

/// Go's `strconv.ParseFloat(s, 64)` for label values (`le`, quantile labels).
func parseGoFloat(_ s: String) -> Double? {
    let lower = s.lowercased()
    switch lower {
    case "inf", "+inf", "infinity", "+infinity": return .infinity
    case "-inf", "-infinity": return -.infinity
    case "nan": return .nan
    default: break
    }
    if s.isEmpty || s.contains("_") { return nil }
    return Double(s)
}

/// Prometheus' `labels.FormatOpenMetricsFloat`: integral values keep a `.0`.
func formatOpenMetricsFloat(_ f: Double) -> String {
    if f.isNaN { return "NaN" }
    if f.isInfinite { return f > 0 ? "+Inf" : "-Inf" }
    let s = FloatFormat.g(f)
    if s.contains(".") || s.contains("e") { return s }
    return s + ".0"
}
