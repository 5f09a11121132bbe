/// The `*_over_time` aggregations of one window.
extension Evaluator {
    /// Kahan mean, switching to an incremental mean when the sum overflows.
    func avgOverTime(_ w: ArraySlice<Point>) -> Double {
        var sum = w[w.startIndex].v, count = 1.0, mean = 0.0, c = 0.0
        var incremental = false
        for (i, p) in w.dropFirst().enumerated() {
            count = Double(i + 2)
            if !incremental {
                let (ns, nc) = kahanInc(p.v, sum, c)
                if !ns.isInfinite {
                    sum = ns
                    c = nc
                    continue
                }
                incremental = true
                mean = sum / (count - 1)
                c /= count - 1
            }
            let q = (count - 1) / count
            (mean, c) = kahanInc(p.v / count, q * mean, q * c)
        }
        if incremental { return mean + c }
        return sum / count + c / count
    }

    func sumOverTime(_ w: ArraySlice<Point>) -> Double {
        var sum = 0.0, c = 0.0
        for p in w { (sum, c) = kahanInc(p.v, sum, c) }
        if sum.isInfinite { return sum }
        return sum + c
    }

    func compareOverTime(_ w: ArraySlice<Point>, _ better: (Double, Double) -> Bool) -> Double {
        var best = w[w.startIndex].v
        for p in w where better(p.v, best) { best = p.v }
        return best
    }

    /// Welford's variance with Kahan-compensated mean and sum of squares.
    func varianceOverTime(_ w: ArraySlice<Point>) -> Double {
        var count = 0.0, mean = 0.0, cMean = 0.0, aux = 0.0, cAux = 0.0
        for p in w {
            count += 1
            let delta = p.v - (mean + cMean)
            (mean, cMean) = kahanInc(delta / count, mean, cMean)
            (aux, cAux) = kahanInc(delta * (p.v - (mean + cMean)), aux, cAux)
        }
        return (aux + cAux) / count
    }
}
