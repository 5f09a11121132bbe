import Testing
@testable import API
@testable import Model
@testable import PromQL

/// The matrix encoder's shortcuts (step-grid timestamps spelled once, repeated values copied,
/// digits written into reserved room) give the same bytes as spelling every point alone.
@Suite struct QueryResultEncoderTests {
    /// The plain spelling: `[t,"v"]` per point with the one-value formatters.
    private func plain(_ points: [Point]) -> String {
        var out: [UInt8] = []
        for (i, p) in points.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            out.append(UInt8(ascii: "["))
            FloatFormat.appendTimestamp(p.t, to: &out)
            out += Array(",\"".utf8)
            FloatFormat.appendSampleValue(p.v, to: &out)
            out += Array("\"]".utf8)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private func encoded(_ points: [Point], _ steps: StepTimestamps?) -> String {
        var out: [UInt8] = Array("prefix".utf8)
        QueryResultEncoder.appendPoints(points, steps: steps, to: &out)
        return String(decoding: out.dropFirst(6), as: UTF8.self)
    }

    @Test(arguments: [
        (Int64(1_700_000_000_000), Int64(15_000)), (1_700_000_000_500, 1_500), (0, 1), (-60_000, 7_000), (1_795_324_440_123, 300_000),
    ])
    func matchesPlainSpelling(_ start: Int64, _ step: Int64) {
        var rng = SystemRandomNumberGenerator()
        let count = 2_500 // more than one run of 1024 points
        let steps = StepTimestamps(start: start, end: start + Int64(count - 1) * step, stepMs: step)
        let specials: [Double] = [.nan, StaleNaN, .infinity, -.infinity, 0, -0.0, 1e-7, 1e21, 0.1, 123456.789]
        var series: [[Point]] = []
        // On the grid, with gaps and repeated values.
        var onGrid: [Point] = []
        for i in 0 ..< count where i % 7 != 3 {
            let t = start + Int64(i) * step
            let v: Double = i % 5 < 3 ? Double(i / 5) * 0.125 : Double.random(in: -1e6 ... 1e6, using: &rng)
            onGrid.append(Point(t: t, v: v))
        }
        series.append(onGrid)
        // Off the grid (raw samples) and special values.
        var offGrid: [Point] = []
        for i in 0 ..< count {
            offGrid.append(Point(t: start + Int64(i) * step + Int64(i % 3), v: specials[i % specials.count]))
        }
        series.append(offGrid)
        // Random bits.
        var random: [Point] = []
        for i in 0 ..< 300 { random.append(Point(t: start + Int64(i) * step, v: Double(bitPattern: rng.next()))) }
        series.append(random)
        for points in series {
            #expect(encoded(points, steps) == plain(points))
            #expect(encoded(points, nil) == plain(points))
        }
    }

    @Test func gridTooLongIsNotKept() {
        #expect(StepTimestamps(start: 0, end: 1_000_000_000, stepMs: 1) == nil)
        #expect(StepTimestamps(start: 10, end: 0, stepMs: 1) == nil)
    }
}
