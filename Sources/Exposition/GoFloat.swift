#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Number parsing on raw bytes with the grammar Prometheus' scraper accepts.
///
/// Prometheus reads values with Go's `strconv.ParseFloat` after refusing `p`, `P` and `_`
/// ("pre-Go 1.13 float formats"), so hexadecimal floats and digit separators are out. What is
/// left: an optional sign, decimal digits with an optional point, an optional exponent; or,
/// ignoring case, `inf`/`infinity` with an optional sign and `nan` without one. A finite
/// number that rounds beyond the largest double is an error (Go's `ErrRange`); one that
/// underflows becomes zero, as in Go.
enum GoFloat {
    /// Powers of ten that are exact doubles, for the fast path.
    private static let exactPowers: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ]

    /// The value of `b[start..<end]`, or nil when it is not a number Prometheus accepts.
    static func parse(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        guard start < end, end <= b.count else { return nil }
        var i = start
        var negative = false
        var c = b[i]
        if c == ASCII.plus || c == ASCII.minus {
            negative = c == ASCII.minus
            i += 1
            guard i < end else { return nil }
            c = b[i]
        }
        // Specials start with a letter; digits and '.' cannot.
        if c | 0x20 == 0x69 /* i */ {
            let n = end - i
            if (n == 3 && matchesIgnoringCase(b, i, "inf")) || (n == 8 && matchesIgnoringCase(b, i, "infinity")) {
                return negative ? -.infinity : .infinity
            }
            return nil
        }
        if c | 0x20 == ASCII.lowerN {
            // Go's special(): "nan" takes no sign.
            if i == start && end - i == 3 && matchesIgnoringCase(b, i, "nan") { return .nan }
            return nil
        }

        // Decimal grammar, collecting up to 19 significant digits for the fast path.
        var mantissa: UInt64 = 0
        var digits = 0          // significant digits seen (leading zeros skipped)
        var sawDigit = false
        var sawPoint = false
        var fractionDigits = 0  // digits after the point that went into `mantissa`
        var exact = true        // false once a non-zero digit did not fit the fast path
        while i < end {
            c = b[i]
            if ASCII.isDigit(c) {
                sawDigit = true
                if digits == 0 && c == ASCII.zero {
                    if sawPoint { fractionDigits += 1 }
                } else if digits < 19 {
                    mantissa = mantissa &* 10 &+ UInt64(c &- ASCII.zero)
                    digits += 1
                    if sawPoint { fractionDigits += 1 }
                } else {
                    if c != ASCII.zero { exact = false }
                    if !sawPoint { fractionDigits -= 1 } // an integer digit dropped: scale up
                }
            } else if c == ASCII.dot && !sawPoint {
                sawPoint = true
            } else {
                break
            }
            i += 1
        }
        guard sawDigit else { return nil }
        var exponent = 0
        if i < end {
            guard b[i] | 0x20 == 0x65 /* e */ else { return nil }
            i += 1
            guard i < end else { return nil }
            var expNegative = false
            if b[i] == ASCII.plus || b[i] == ASCII.minus {
                expNegative = b[i] == ASCII.minus
                i += 1
            }
            guard i < end else { return nil }
            while i < end {
                guard ASCII.isDigit(b[i]) else { return nil }
                if exponent < 100_000 { exponent = exponent * 10 + Int(b[i] &- ASCII.zero) }
                i += 1
            }
            if expNegative { exponent = -exponent }
        }

        // Clinger's fast path: an exact mantissa below 2^53 and an exact power of ten give a
        // correctly rounded result with one IEEE operation.
        let scale = exponent - fractionDigits
        if exact && mantissa < (1 << 53) && scale >= -22 && scale <= 22 {
            var v = Double(mantissa)
            if scale < 0 { v /= exactPowers[-scale] } else { v *= exactPowers[scale] }
            return negative ? -v : v
        }
        if exact && mantissa == 0 { return negative ? -0.0 : 0.0 }
        return slowPath(b, start, end)
    }

    /// strtod on a NUL-terminated copy (the token is validated already, so strtod and Go agree).
    private static func slowPath(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Double? {
        let n = end - start
        let v = withUnsafeTemporaryAllocation(of: CChar.self, capacity: n + 1) { tmp -> Double in
            for k in 0..<n { tmp[k] = CChar(bitPattern: b[start + k]) }
            tmp[n] = 0
            guard let base = tmp.baseAddress else { return .nan }
            return strtod(base, nil)
        }
        // Overflow is Go's ErrRange; the literal infinities were handled above.
        return v.isFinite ? v : nil
    }

    /// `b[i..<i+word.count]` equals the lowercase ASCII `word`, ignoring case.
    private static func matchesIgnoringCase(_ b: UnsafeBufferPointer<UInt8>, _ i: Int, _ word: StaticString) -> Bool {
        let n = word.utf8CodeUnitCount
        guard i + n <= b.count else { return false }
        let w = word.utf8Start
        for k in 0..<n where b[i + k] | 0x20 != w[k] { return false }
        return true
    }

    /// A decimal integer made of `[0-9]+` only, or nil on any other byte or on overflow
    /// (Go's `strconv.ParseInt(s, 10, 64)` on what the text-format lexer lets through).
    static func parseDigits(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Int64? {
        guard start < end, end <= b.count else { return nil }
        var v: Int64 = 0
        for k in start..<end {
            let c = b[k]
            guard ASCII.isDigit(c) else { return nil }
            let (m, o1) = v.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(Int64(c &- ASCII.zero))
            if o1 || o2 { return nil }
            v = s
        }
        return v
    }
}
