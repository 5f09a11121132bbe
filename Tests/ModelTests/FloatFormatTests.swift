import Testing
@testable import Model

/// Expected strings are what Go's strconv.FormatFloat(v, 'g'/'f', -1, 64) prints.
@Suite struct FloatFormatTests {
    @Test(arguments: [
        (0.0, "0"), (-0.0, "-0"), (1, "1"), (0.5, "0.5"), (-2.5, "-2.5"), (100, "100"),
        (123456, "123456"), (1e6, "1e+06"), (1234567, "1.234567e+06"), (0.0001, "0.0001"),
        (0.00001, "1e-05"), (0.000123, "0.000123"), (1.7e9, "1.7e+09"), (0.1, "0.1"),
        (Double.leastNonzeroMagnitude, "5e-324"), (1.7976931348623157e308, "1.7976931348623157e+308"),
        (1e21, "1e+21"), (999999, "999999"), (1.5e-10, "1.5e-10"), (.infinity, "+Inf"),
        (-.infinity, "-Inf"), (.nan, "NaN"), (0.30000000000000004, "0.30000000000000004"),
    ])
    func goG(_ v: Double, _ want: String) {
        #expect(FloatFormat.g(v) == want)
    }

    @Test(arguments: [
        (0.0, "0"), (1, "1"), (1e6, "1000000"), (1e-7, "0.0000001"),
        (1e21, "1000000000000000000000"), (0.1, "0.1"), (123.456, "123.456"), (-1.5, "-1.5"),
        (1.7e9, "1700000000"), (1234567.891, "1234567.891"), (.infinity, "+Inf"), (.nan, "NaN"),
        (2.5e-5, "0.000025"),
    ])
    func goF(_ v: Double, _ want: String) {
        #expect(FloatFormat.f(v) == want)
    }

    /// Every formatted value parses back to the same bits (shortest round-trip).
    @Test func roundTrips() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0 ..< 20_000 {
            let v = Double(bitPattern: rng.next())
            guard v.isFinite else { continue }
            #expect(Double(FloatFormat.g(v))?.bitPattern == v.bitPattern)
            #expect(Double(FloatFormat.f(v))?.bitPattern == v.bitPattern)
        }
    }

    /// The short-decimal fast path of `writeSampleValue` spells every value exactly as the
    /// general shortest-digits path does: short decimals of every scale, values next to them,
    /// and random doubles.
    @Test func sampleValueFastPathAgreesWithGeneralPath() {
        var rng = SystemRandomNumberGenerator()
        var values: [Double] = [0.802, 0.1, 0.7, 1.1, 2.675, 0.000001, 0.0000015, 999999.999999999, 1e6 + 0.5,
                                123456789.123456, 999999999999.999, 0.30000000000000004, 1.0 / 3, 5e-7, 4.35, 1e-6]
        for _ in 0 ..< 50_000 {
            let digits = Int.random(in: 0 ... 12, using: &rng)
            var p = 1.0
            for _ in 0 ..< digits { p *= 10 }
            let m = Double(UInt64.random(in: 1 ... 9_999_999_999, using: &rng))
            let v = m / p
            values += [v, v.nextUp, v.nextDown, -v]
            values.append(Double(bitPattern: rng.next()))
        }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 512) { buf in
            for v in values where v.isFinite {
                let fast = FloatFormat.writeSampleValue(v, to: buf.baseAddress!)
                let fastText = String(decoding: UnsafeBufferPointer(rebasing: buf[0 ..< fast]), as: UTF8.self)
                var general: [UInt8] = []
                if let i = FloatFormat.exactInteger(v) {
                    FloatFormat.appendInt(i, to: &general)
                } else {
                    let a = v.magnitude
                    FloatFormat.appendDecimal(v, style: a != 0 && (a < 1e-6 || a >= 1e21) ? .exponent : .fixed, to: &general)
                }
                #expect(fastText == String(decoding: general, as: UTF8.self), "\(v.bitPattern)")
            }
        }
    }

    /// Timestamps: digits two at a time, the fraction always three digits.
    @Test(arguments: [(Int64(0), "0"), (999, "0.999"), (1000, "1"), (1005, "1.005"), (-1, "-0.001"), (99_999, "99.999"),
                      (Int64.max, "9223372036854775.807"), (Int64.min + 1, "-9223372036854775.807"), (1795324440000, "1795324440")])
    func timestamps(_ ms: Int64, _ want: String) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: FloatFormat.maxTimestampBytes) { buf in
            let n = FloatFormat.writeTimestamp(ms, to: buf.baseAddress!)
            #expect(String(decoding: UnsafeBufferPointer(rebasing: buf[0 ..< n]), as: UTF8.self) == want)
        }
    }
}
