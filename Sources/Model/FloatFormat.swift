/// Receives the shortest round-trip digits Swift's `Double.write(to:)` produces. The standard
/// library hands them over through `_writeASCII` (a `TextOutputStream` requirement) from a
/// stack buffer, so implementing it avoids the `String` that `description` allocates: measured
/// 64 ns instead of 118 ns per value.
struct ShortestDigitsSink: TextOutputStream {
    let buffer: UnsafeMutableBufferPointer<UInt8>
    var count = 0

    init(buffer: UnsafeMutableBufferPointer<UInt8>) { self.buffer = buffer }

    mutating func _writeASCII(_ bytes: UnsafeBufferPointer<UInt8>) {
        for b in bytes where count < buffer.count {
            buffer[count] = b
            count += 1
        }
    }

    mutating func write(_ string: String) {
        for b in string.utf8 where count < buffer.count {
            buffer[count] = b
            count += 1
        }
    }
}

/// Float rendering that matches Go's `strconv.FormatFloat` with precision -1 (shortest
/// round-trip digits), because Prometheus' wire formats are defined by what Go prints: `'g'` for
/// the text exposition format (`1e+06`, `0.25`), `'f'` for JSON sample values and label values
/// (`1000000`, `0.000001`), Prometheus' `jsonutil.MarshalFloat` for API sample values. Special
/// values are spelled as Prometheus spells them: `NaN`, `+Inf`, `-Inf`. Appends to a byte buffer
/// without intermediate allocations on the common paths.
///
/// Integral values below 2^53 (counters, most gauges) are written digit by digit. Other values
/// take their shortest round-trip digits from Swift's `Double.write(to:)` (shortest round-trip
/// like Go's, so the digits agree) through `ShortestDigitsSink`, then are laid out in Go's form.
package enum FloatFormat {
    /// Go's `strconv.FormatFloat(v, 'f', -1, 64)` with `NaN`, `+Inf`, `-Inf`.
    @inlinable
    package static func appendF(_ v: Double, to out: inout [UInt8]) {
        if let i = exactInteger(v) { appendInt(i, to: &out); return }
        appendDecimal(v, style: .fixed, to: &out)
    }

    /// Prometheus' `jsonutil.MarshalFloat` (without quotes): `'f'` for 1e-6 <= |v| < 1e21 (and
    /// zero), `'e'` outside.
    @inlinable
    package static func appendSampleValue(_ v: Double, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxSampleValueBytes) { buf in
            // The allocation is never empty, so the base address exists.
            let n = writeSampleValue(v, to: buf.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0 ..< n]))
        }
    }

    /// The most bytes `writeSampleValue` writes.
    package static let maxSampleValueBytes = 32

    /// The most bytes `writeTimestamp` writes.
    package static let maxTimestampBytes = 24

    /// `appendSampleValue` into raw memory with room for `maxSampleValueBytes`; returns the
    /// number of bytes written. Encoders of large results write through this.
    package static func writeSampleValue(_ v: Double, to p: UnsafeMutablePointer<UInt8>) -> Int {
        if let i = exactInteger(v) { return writeInt(i, to: p) }
        let a = v.magnitude
        if a >= 1e-6, let (m, k) = shortDecimal(a) {
            var n = 0
            if v < 0 { p[0] = UInt8(ascii: "-"); n = 1 }
            return n + writeFixedPoint(m, fractionDigits: k, to: p + n)
        }
        return writeDecimal(v, style: a != 0 && (a < 1e-6 || a >= 1e21) ? .exponent : .fixed,
                            into: UnsafeMutableBufferPointer(start: p, count: maxSampleValueBytes))
    }

    /// Scales and their powers of ten for `shortDecimal`: (largest magnitude, digits after the point).
    private static let shortDecimalScales: [(limit: Double, k: Int, p10: Double)] = [(1e6, 9, 1e9), (1e9, 6, 1e6), (1e12, 3, 1e3)]

    /// The shortest decimal spelling of `a` (positive, not integral) as an integer `m` and a
    /// digit count `k` (`a` is `m / 10^k` rounded to the nearest double), when it has at most
    /// 9 digits after the point (fewer for large values); nil otherwise, and the general
    /// shortest-digits path decides.
    ///
    /// Why this is exact: `a * 10^k` stays below 2^51, so the one candidate integer is found by
    /// rounding the product (its error is under a half), there is at most one multiple of
    /// `10^-k` in `a`'s rounding interval (narrower than `10^-k`), and the division round-trip
    /// check is correctly rounded, as parsing is. Stripping trailing zeros then gives the fewest
    /// digits: a shorter spelling would be that same multiple.
    @inline(__always)
    static func shortDecimal(_ a: Double) -> (UInt64, Int)? {
        for scale in shortDecimalScales where a < scale.limit {
            // The product is below 2^51, so adding a half is exact and truncating rounds; a
            // tie that rounds the wrong way only fails the check below (the general path then
            // answers).
            var mi = UInt64(a * scale.p10 + 0.5)
            guard Double(mi) / scale.p10 == a else { return nil }
            var k = scale.k
            // Trailing zeros off, in halving steps (k is at most 9).
            if k >= 8 && mi % 100_000_000 == 0 { mi /= 100_000_000; k -= 8 }
            if k >= 4 && mi % 10_000 == 0 { mi /= 10_000; k -= 4 }
            if k >= 2 && mi % 100 == 0 { mi /= 100; k -= 2 }
            if k >= 1 && mi % 10 == 0 { mi /= 10; k -= 1 }
            return (mi, k)
        }
        return nil
    }

    /// `m / 10^k` in fixed notation (`k` digits after the point, leading `0.` when needed).
    @inline(__always)
    static func writeFixedPoint(_ m: UInt64, fractionDigits k: Int, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let count = decimalCount(m)
        if count <= k {
            p[0] = UInt8(ascii: "0")
            p[1] = UInt8(ascii: ".")
            var n = 2
            for _ in 0 ..< (k - count) { p[n] = UInt8(ascii: "0"); n += 1 }
            writeDigits(m, count: count, to: p + n)
            return n + count
        }
        if k == 0 {
            writeDigits(m, count: count, to: p)
            return count
        }
        // The integer digits, then the point, then the fraction's k digits.
        let intDigits = count - k
        var scale: UInt64 = 1
        for _ in 0 ..< k { scale &*= 10 }
        writeDigits(m / scale, count: intDigits, to: p)
        p[intDigits] = UInt8(ascii: ".")
        writeDigits(m % scale, count: k, to: p + intDigits + 1)
        return count + 1
    }

    /// Decimal digits of `v` into raw memory (at most 20 bytes); returns the count.
    @inline(__always)
    static func writeInt(_ v: Int64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        var n = 0
        if v < 0 { p[0] = UInt8(ascii: "-"); n = 1 }
        return n + writeUInt(v.magnitude, to: p + n)
    }

    /// Decimal digits of `x` into raw memory (at most 20 bytes); returns the count.
    @inline(__always)
    static func writeUInt(_ x: UInt64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let count = decimalCount(x)
        writeDigits(x, count: count, to: p)
        return count
    }

    /// The number of decimal digits of `x` (1 for zero).
    @inline(__always)
    static func decimalCount(_ x: UInt64) -> Int {
        // Comparisons against constants: no table, no division.
        var n = 1
        var v = x
        if v >= 10_000_000_000 { v /= 10_000_000_000; n += 10 }
        if v >= 100_000 {
            if v >= 100_000_000 { return n + (v >= 1_000_000_000 ? 9 : 8) }
            return n + (v >= 10_000_000 ? 7 : v >= 1_000_000 ? 6 : 5)
        }
        if v >= 100 { return n + (v >= 10_000 ? 4 : v >= 1000 ? 3 : 2) }
        return n + (v >= 10 ? 1 : 0)
    }

    /// Two ASCII digits for each of 0...99.
    private static let digitPairs: StaticString = "00010203040506070809101112131415161718192021222324252627282930313233343536373839404142434445464748495051525354555657585960616263646566676869707172737475767778798081828384858687888990919293949596979899"

    /// Writes exactly `count` digits of `x` (zero-padded on the left), two per division.
    @inline(__always)
    static func writeDigits(_ x: UInt64, count: Int, to p: UnsafeMutablePointer<UInt8>) {
        let pairs = digitPairs.utf8Start
        var i = count
        var v = x
        while i >= 2 {
            let r = Int(v % 100) &* 2
            v /= 100
            i -= 2
            p[i] = pairs[r]
            p[i + 1] = pairs[r + 1]
        }
        if i == 1 { p[0] = UInt8(truncatingIfNeeded: v % 10) &+ 48 }
    }

    /// Go's `strconv.FormatFloat(v, 'g', -1, 64)` (the text exposition format's spelling).
    @inlinable
    package static func appendG(_ v: Double, to out: inout [UInt8]) {
        if let i = exactInteger(v), i.magnitude < 1_000_000 { appendInt(i, to: &out); return }
        appendDecimal(v, style: .general, to: &out)
    }

    /// `appendG` as a String, for places that are not hot.
    package static func g(_ v: Double) -> String {
        var out: [UInt8] = []
        appendG(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// `appendF` as a String, for places that are not hot.
    package static func f(_ v: Double) -> String {
        var out: [UInt8] = []
        appendF(v, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Prometheus' `jsonutil.MarshalTimestamp`: milliseconds as seconds; a non-zero fraction is
    /// always three digits (`1500` is `1.500`, `1000` is `1`), exactly as Prometheus prints it.
    @inlinable
    package static func appendTimestamp(_ ms: Int64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxTimestampBytes) { buf in
            // The allocation is never empty, so the base address exists.
            let n = writeTimestamp(ms, to: buf.baseAddress!)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[0 ..< n]))
        }
    }

    /// `appendTimestamp` into raw memory with room for `maxTimestampBytes`; returns the count.
    @inline(__always)
    package static func writeTimestamp(_ ms: Int64, to p: UnsafeMutablePointer<UInt8>) -> Int {
        let mag = ms.magnitude
        let fraction = Int(mag % 1000)
        var n = 0
        if ms < 0 { p[0] = UInt8(ascii: "-"); n = 1 }
        n += writeUInt(mag / 1000, to: p + n)
        if fraction != 0 {
            p[n] = UInt8(ascii: ".")
            writeDigits(UInt64(fraction), count: 3, to: p + n + 1)
            n += 4
        }
        return n
    }

    /// Decimal digits of `v`.
    @inlinable
    package static func appendInt(_ v: Int64, to out: inout [UInt8]) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { buf in
            var i = 20
            var mag = v.magnitude
            repeat {
                i -= 1
                buf[i] = UInt8(truncatingIfNeeded: mag % 10) &+ 48
                mag /= 10
            } while mag > 0
            if v < 0 { out.append(UInt8(ascii: "-")) }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: buf[i ..< 20]))
        }
    }

    /// `v` as an Int64 when it is integral and small enough that every digit is exact; -0 is
    /// left to the general path (Go prints it `-0`).
    @inlinable
    static func exactInteger(_ v: Double) -> Int64? {
        guard v.magnitude < 9_007_199_254_740_992 else { return nil }
        // Below 2^53 the conversion truncates exactly, and converting back is exact.
        let i = Int64(v)
        guard Double(i) == v else { return nil }
        if i == 0 && v.sign == .minus { return nil }
        return i
    }

    /// Which of Go's float formats to produce.
    @usableFromInline
    enum Style { case fixed, exponent, general }

    /// The general path: shortest digits from the standard library, laid out in Go's format.
    @usableFromInline
    static func appendDecimal(_ v: Double, style: Style, to out: inout [UInt8]) {
        // 'f' of a huge value can be long (1e300 has 301 digits), hence the size.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 400) { text in
            let n = writeDecimal(v, style: style, into: text)
            out.append(contentsOf: UnsafeBufferPointer(rebasing: text[0 ..< n]))
        }
    }

    /// `appendDecimal` into `text`; returns the bytes written (output beyond `text` is cut).
    static func writeDecimal(_ v: Double, style: Style, into text: UnsafeMutableBufferPointer<UInt8>) -> Int {
        var k = 0
        func put(_ b: UInt8) {
            if k < text.count { text[k] = b; k += 1 }
        }
        if v.isNaN { put(78); put(97); put(78); return k } // NaN
        if v.isInfinite {
            for b in (v < 0 ? "-Inf" : "+Inf").utf8 { put(b) }
            return k
        }
        if v.sign == .minus { put(UInt8(ascii: "-")) }
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { scratch in
            var sink = ShortestDigitsSink(buffer: scratch)
            v.magnitude.write(to: &sink)
            let bytes = UnsafeBufferPointer(rebasing: scratch[0 ..< sink.count])
            // Up to 17 significant digits; value = 0.d1d2... * 10^point.
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 24) { digits in
                var n = 0
                var point = 0
                var sawPoint = false
                var exponent = 0
                var i = 0
                while i < bytes.count {
                    let c = bytes[i]
                    if c == UInt8(ascii: ".") {
                        sawPoint = true
                    } else if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                        var sign = 1
                        var j = i + 1
                        if j < bytes.count, bytes[j] == UInt8(ascii: "-") { sign = -1; j += 1 } else if j < bytes.count, bytes[j] == UInt8(ascii: "+") { j += 1 }
                        var e = 0
                        while j < bytes.count { e = e * 10 + Int(bytes[j] &- 48); j += 1 }
                        exponent = sign * e
                        break
                    } else {
                        if n == 0 && c == UInt8(ascii: "0") {
                            // A leading zero: moves the point left when after '.', else nothing.
                            if sawPoint { point -= 1 }
                        } else if n < 24 {
                            digits[n] = c
                            n += 1
                            if !sawPoint { point += 1 }
                        }
                    }
                    i += 1
                }
                while n > 0 && digits[n - 1] == UInt8(ascii: "0") { n -= 1 }
                if n == 0 { put(UInt8(ascii: "0")); return }
                point += exponent
                let exp10 = point - 1
                let useExponent: Bool
                switch style {
                case .fixed: useExponent = false
                case .exponent: useExponent = true
                // strconv's ftoa.go fixes the switch-over precision at 6 for the shortest form.
                case .general: useExponent = exp10 < -4 || exp10 >= 6
                }
                if useExponent {
                    put(digits[0])
                    if n > 1 {
                        put(UInt8(ascii: "."))
                        for d in 1 ..< n { put(digits[d]) }
                    }
                    put(UInt8(ascii: "e"))
                    put(UInt8(ascii: exp10 < 0 ? "-" : "+"))
                    let mag = exp10 < 0 ? -exp10 : exp10
                    if mag >= 100 { put(UInt8(truncatingIfNeeded: mag / 100) &+ 48) }
                    put(UInt8(truncatingIfNeeded: mag / 10 % 10) &+ 48)
                    put(UInt8(truncatingIfNeeded: mag % 10) &+ 48)
                } else if point <= 0 {
                    put(UInt8(ascii: "0"))
                    put(UInt8(ascii: "."))
                    for _ in 0 ..< -point { put(UInt8(ascii: "0")) }
                    for d in 0 ..< n { put(digits[d]) }
                } else if point >= n {
                    for d in 0 ..< n { put(digits[d]) }
                    for _ in 0 ..< (point - n) { put(UInt8(ascii: "0")) }
                } else {
                    for d in 0 ..< point { put(digits[d]) }
                    put(UInt8(ascii: "."))
                    for d in point ..< n { put(digits[d]) }
                }
            }
        }
        return k
    }
}
