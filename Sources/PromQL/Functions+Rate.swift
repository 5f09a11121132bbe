internal import Model

/// `rate`, `increase`, `delta`, `irate`, `idelta`, `deriv` and `predict_linear`.
extension Evaluator {
    /// Prometheus 3's `extrapolatedRate`: the change over the window, corrected for counter
    /// resets, extrapolated towards the window's edges (at most half an average interval past
    /// the first/last sample, and never below zero for counters).
    func extrapolatedRate(_ w: ArraySlice<Point>, ts: Int64, placement src: RangePlacement, isCounter: Bool, isRate: Bool) -> Double? {
        guard w.count >= 2, let first = w.first, let last = w.last else { return nil }
        let ref = referenceTime(ts, at: src.at, offsetMs: src.offsetMs)
        let rangeStart = ref - src.rangeMs
        let rangeEnd = ref
        var result = last.v - first.v
        if isCounter {
            var prev = first.v
            for p in w.dropFirst() {
                if p.v < prev { result += prev }
                prev = p.v
            }
        }
        var durationToStart = Double(first.t - rangeStart) / 1000
        var durationToEnd = Double(rangeEnd - last.t) / 1000
        let sampledInterval = Double(last.t - first.t) / 1000
        let averageDurationBetweenSamples = sampledInterval / Double(w.count - 1)
        let extrapolationThreshold = averageDurationBetweenSamples * 1.1
        if durationToStart >= extrapolationThreshold { durationToStart = averageDurationBetweenSamples / 2 }
        if isCounter {
            var durationToZero = durationToStart
            if result > 0 && first.v >= 0 {
                durationToZero = sampledInterval * (first.v / result)
            }
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        if durationToEnd >= extrapolationThreshold { durationToEnd = averageDurationBetweenSamples / 2 }
        var factor = 1.0
        if sampledInterval != 0 { factor = (sampledInterval + durationToStart + durationToEnd) / sampledInterval }
        if isRate { factor /= Double(src.rangeMs) / 1000 }
        return result * factor
    }

    /// `irate`/`idelta`: the last two samples.
    func instantValue(_ w: ArraySlice<Point>, isRate: Bool) -> Double? {
        guard w.count >= 2 else { return nil }
        let a = w[w.endIndex - 2], b = w[w.endIndex - 1]
        let interval = b.t - a.t
        if interval == 0 { return nil }
        var v = b.v
        if !isRate || !(b.v < a.v) { v = b.v - a.v }
        if isRate { v /= Double(interval) / 1000 }
        return v
    }

    /// Least-squares fit with Kahan-compensated sums (Prometheus' `linearRegression`).
    func linearRegression(_ w: ArraySlice<Point>, interceptTime: Int64) -> (slope: Double, intercept: Double) {
        var n = 0.0
        var sumX = 0.0, cX = 0.0, sumY = 0.0, cY = 0.0, sumXY = 0.0, cXY = 0.0, sumX2 = 0.0, cX2 = 0.0
        let initY = w[w.startIndex].v
        var constY = true
        for (i, p) in w.enumerated() {
            if constY && i > 0 && p.v != initY { constY = false }
            n += 1
            let x = Double(p.t - interceptTime) / 1e3
            (sumX, cX) = kahanInc(x, sumX, cX)
            (sumY, cY) = kahanInc(p.v, sumY, cY)
            (sumXY, cXY) = kahanInc(x * p.v, sumXY, cXY)
            (sumX2, cX2) = kahanInc(x * x, sumX2, cX2)
        }
        if constY {
            if initY.isInfinite { return (.nan, .nan) }
            return (0, initY)
        }
        sumX += cX
        sumY += cY
        sumXY += cXY
        sumX2 += cX2
        let covXY = sumXY - sumX * sumY / n
        let varX = sumX2 - sumX * sumX / n
        let slope = covXY / varX
        let intercept = sumY / n - slope * sumX / n
        return (slope, intercept)
    }
}
