/// The staleness marker: a NaN with this exact bit pattern means "the series ended here"
/// (Prometheus' `value.StaleNaN`). Ordinary NaNs use other patterns, so storage must keep the
/// bits of every NaN exactly.
package let StaleNaN: Double = Double(bitPattern: staleNaNBits)

/// The bit pattern of `StaleNaN`.
package let staleNaNBits: UInt64 = 0x7ff0_0000_0000_0002

/// True when `v` is the staleness marker (bit-exact, not merely any NaN).
@inlinable
package func isStaleNaN(_ v: Double) -> Bool { v.bitPattern == 0x7ff0_0000_0000_0002 }

/// One float sample: a millisecond timestamp and a value.
///
/// Equality compares value bits, so two samples with the same NaN payload are equal and a stale
/// marker never equals an ordinary NaN (storage round-trips are checked this way).
package struct Sample: Sendable, Equatable, CustomStringConvertible {
    /// Milliseconds since the Unix epoch.
    package var t: Int64
    /// The value; any bit pattern, including NaN payloads and the staleness marker.
    package var v: Double

    /// A sample.
    package init(t: Int64, v: Double) {
        self.t = t
        self.v = v
    }

    /// Equal timestamps and identical value bits.
    package static func == (a: Sample, b: Sample) -> Bool {
        a.t == b.t && a.v.bitPattern == b.v.bitPattern
    }

    /// `v @t`, with NaN payloads shown in hex.
    package var description: String {
        v.isNaN ? "NaN(0x\(String(v.bitPattern, radix: 16))) @\(t)" : "\(v) @\(t)"
    }
}
