import Testing
@testable import API
@testable import Model

/// Go's float spellings as Prometheus' API and exposition use them.
@Suite struct FloatFormatPrometheusTests {
    private func text(_ f: (inout [UInt8]) -> Void) -> String {
        var out: [UInt8] = []
        f(&out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `jsonutil.MarshalFloat`: 'f', or 'e' outside [1e-6, 1e21).
    @Test(arguments: [
        (0.0, "0"), (-0.0, "-0"), (1, "1"), (-1, "-1"), (0.1, "0.1"), (1.5, "1.5"), (100, "100"),
        (1e-6, "0.000001"), (9.99e-7, "9.99e-07"), (1e-7, "1e-07"), (1e20, "100000000000000000000"),
        (1e21, "1e+21"), (1.2345e300, "1.2345e+300"), (123456789.125, "123456789.125"),
        (2.0 / 3.0, "0.6666666666666666"), (9007199254740992, "9007199254740992"),
        (1e16, "10000000000000000"), (12345.678901234567, "12345.678901234567"), (Double.leastNonzeroMagnitude, "5e-324"),
        (.nan, "NaN"), (.infinity, "+Inf"), (-.infinity, "-Inf"), (0.000123, "0.000123"),
    ])
    func sampleValues(_ v: Double, _ want: String) {
        #expect(text { FloatFormat.appendSampleValue(v, to: &$0) } == want)
    }

    /// `strconv.FormatFloat(v, 'f', -1, 64)`.
    @Test(arguments: [(1e-7, "0.0000001"), (1e21, "1000000000000000000000"), (-2.5, "-2.5"), (0.3, "0.3")])
    func fixed(_ v: Double, _ want: String) {
        #expect(text { FloatFormat.appendF(v, to: &$0) } == want)
    }

    /// `strconv.FormatFloat(v, 'g', -1, 64)`.
    @Test(arguments: [
        (1.0, "1"), (10000, "10000"), (999999, "999999"), (1000000, "1e+06"), (1234567, "1.234567e+06"),
        (0.0001, "0.0001"), (0.00001, "1e-05"), (1.5, "1.5"), (-0.0, "-0"), (.nan, "NaN"), (123456.5, "123456.5"),
    ])
    func general(_ v: Double, _ want: String) {
        #expect(text { FloatFormat.appendG(v, to: &$0) } == want)
    }

    /// `jsonutil.MarshalTimestamp`: the fraction is printed as three digits, zeros kept.
    @Test(arguments: [
        (Int64(0), "0"), (1000, "1"), (1500, "1.500"), (1001, "1.001"), (1010, "1.010"), (1700000000123, "1700000000.123"),
        (-1500, "-1.500"), (-1, "-0.001"),
    ])
    func timestamps(_ ms: Int64, _ want: String) {
        #expect(text { FloatFormat.appendTimestamp(ms, to: &$0) } == want)
    }

    /// Label bytes are escaped as Go's encoding/json escapes strings.
    @Test(arguments: ["plain", "a\"b\\c", "<a>&", "tab\tnl\ncr\r", "\u{01}\u{1f}", "\u{2028}\u{2029}", "ü€😀"])
    func byteEscapingMatchesStringEscaping(_ s: String) {
        var viaString: [UInt8] = []
        JSONWriter.appendString(s, to: &viaString)
        var viaBytes: [UInt8] = []
        Array(s.utf8).withUnsafeBytes { JSONWriter.appendString(bytes: $0, to: &viaBytes) }
        #expect(viaBytes == viaString)
    }

    @Test func invalidUTF8BecomesReplacementCharacter() {
        var out: [UInt8] = []
        ([0x61, 0xff, 0x62, 0xed, 0xa0, 0x80] as [UInt8]).withUnsafeBytes { JSONWriter.appendString(bytes: $0, to: &out) }
        #expect(String(decoding: out, as: UTF8.self) == "\"a\u{FFFD}b\u{FFFD}\u{FFFD}\u{FFFD}\"")
    }
}
