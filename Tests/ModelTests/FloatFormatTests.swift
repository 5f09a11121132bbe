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
}
