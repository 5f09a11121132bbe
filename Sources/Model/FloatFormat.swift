/// Float rendering that matches Go's `strconv.FormatFloat` with precision -1 (shortest
/// round-trip digits), because Prometheus' wire formats are defined by what Go prints.
///
/// - `'g'` is what the text exposition format uses (`1e+06`, `0.25`, `1.7e+09`).
/// - `'f'` is what the JSON API uses for sample values (`1000000`, `0.000001`), never an exponent.
/// Special values are spelled as Prometheus spells them: `NaN`, `+Inf`, `-Inf`.
package enum FloatFormat {
    /// Appends Go's `FormatFloat(v, 'g', -1, 64)` with Prometheus' spelling of specials.
    package static func appendG(_ v: Double, to out: inout [UInt8]) {
        if let special = specialSpelling(v) { out.append(contentsOf: special.utf8); return }
        let d = ShortestDigits(v)
        if d.digits.isEmpty { out.append(contentsOf: d.negative ? "-0".utf8 : "0".utf8); return }
        if d.negative { out.append(UInt8(ascii: "-")) }
        let exp = d.pointPosition - 1
        // Go's ftoa.go: for shortest 'g' the precision used to pick %e is fixed at 6, so the
        // exponent form is used when exp < -4 or exp >= 6 (1e+06, 1.234567e+06, 0.0001, 1e-05).
        if exp < -4 || exp >= 6 {
            appendExponent(d, exp: exp, to: &out)
        } else {
            appendFixed(d, to: &out)
        }
    }

    /// Appends Go's `FormatFloat(v, 'f', -1, 64)` with Prometheus' spelling of specials.
    package static func appendF(_ v: Double, to out: inout [UInt8]) {
        if let special = specialSpelling(v) { out.append(contentsOf: special.utf8); return }
        let d = ShortestDigits(v)
        if d.digits.isEmpty { out.append(contentsOf: d.negative ? "-0".utf8 : "0".utf8); return }
        if d.negative { out.append(UInt8(ascii: "-")) }
        appendFixed(d, to: &out)
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

    private static func specialSpelling(_ v: Double) -> String? {
        if v.isNaN { return "NaN" }
        if v == .infinity { return "+Inf" }
        if v == -.infinity { return "-Inf" }
        return nil
    }

    private static func appendFixed(_ d: ShortestDigits, to out: inout [UInt8]) {
        let n = d.digits.count
        let dp = d.pointPosition
        if dp <= 0 {
            out.append(UInt8(ascii: "0"))
            out.append(UInt8(ascii: "."))
            for _ in 0 ..< -dp { out.append(UInt8(ascii: "0")) }
            out.append(contentsOf: d.digits)
        } else if dp >= n {
            out.append(contentsOf: d.digits)
            for _ in 0 ..< (dp - n) { out.append(UInt8(ascii: "0")) }
        } else {
            out.append(contentsOf: d.digits[0 ..< dp])
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: d.digits[dp...])
        }
    }

    private static func appendExponent(_ d: ShortestDigits, exp: Int, to out: inout [UInt8]) {
        out.append(d.digits[0])
        if d.digits.count > 1 {
            out.append(UInt8(ascii: "."))
            out.append(contentsOf: d.digits[1...])
        }
        out.append(UInt8(ascii: "e"))
        out.append(UInt8(ascii: exp < 0 ? "-" : "+"))
        let mag = exp < 0 ? -exp : exp
        if mag < 10 { out.append(UInt8(ascii: "0")) }
        out.append(contentsOf: String(mag).utf8)
    }
}

/// The shortest decimal digits that round-trip a finite Double, with the decimal point position:
/// value = 0.d1d2d3... × 10^pointPosition. Zero has no digits.
///
/// Swift's `description` already produces shortest round-trip digits; we re-read them rather than
/// reimplementing the digit generation.
struct ShortestDigits {
    var negative: Bool
    var digits: [UInt8] = []
    var pointPosition: Int = 0

    init(_ v: Double) {
        negative = v.sign == .minus
        let text = Array(v.magnitude.description.utf8)
        var mantissa: [UInt8] = []
        var pointIndex: Int? = nil
        var exponent = 0
        var i = 0
        while i < text.count {
            let c = text[i]
            if c == UInt8(ascii: "e") || c == UInt8(ascii: "E") {
                var sign = 1
                var j = i + 1
                if j < text.count, text[j] == UInt8(ascii: "-") { sign = -1; j += 1 }
                else if j < text.count, text[j] == UInt8(ascii: "+") { j += 1 }
                var e = 0
                while j < text.count { e = e * 10 + Int(text[j] &- UInt8(ascii: "0")); j += 1 }
                exponent = sign * e
                break
            } else if c == UInt8(ascii: ".") {
                pointIndex = mantissa.count
            } else {
                mantissa.append(c)
            }
            i += 1
        }
        var point = (pointIndex ?? mantissa.count) + exponent
        // Strip leading zeros (each moves the point left) and trailing zeros.
        var start = 0
        while start < mantissa.count, mantissa[start] == UInt8(ascii: "0") { start += 1; point -= 1 }
        var end = mantissa.count
        while end > start, mantissa[end - 1] == UInt8(ascii: "0") { end -= 1 }
        if start == end { digits = []; pointPosition = 0; return }
        digits = Array(mantissa[start ..< end])
        pointPosition = point
    }
}
