package import Model

/// One value of a series description: a number, a missing step (`_`) or a staleness marker.
package enum SeriesValue: Sendable, Equatable {
    /// A sample value.
    case value(Double)
    /// No sample at this step.
    case omitted
}

/// Prometheus' series description language (promtool unit tests, `promqltest` scripts):
/// `metric{label="v"} 1 2+3x4 _ _x2 stale -1-1x3`.
package enum SeriesDescription {
    /// Parses `metric{labels} values...` into labels and expanded values; nil on bad input.
    /// `{{...}}` native histogram values are not supported (nil).
    package static func parse(_ line: String) -> (Labels, [SeriesValue])? {
        let bytes = Array(line.utf8)
        var i = 0
        func skipSpace() { while i < bytes.count && Lexer.isSpace(bytes[i]) { i += 1 } }
        skipSpace()
        var pairs: [(String, String)] = []
        // Metric name.
        let nameStart = i
        while i < bytes.count && (Lexer.isAlphaNumeric(bytes[i]) || bytes[i] == UInt8(ascii: ":")) { i += 1 }
        if i > nameStart { pairs.append((Labels.metricName, String(decoding: bytes[nameStart ..< i], as: UTF8.self))) }
        if i < bytes.count && bytes[i] == UInt8(ascii: "{") {
            // Find the closing brace outside quotes and reuse the PromQL lexer for the inside.
            var j = i + 1
            var quote: UInt8? = nil
            while j < bytes.count {
                let b = bytes[j]
                if let q = quote {
                    if b == UInt8(ascii: "\\") { j += 2; continue }
                    if b == q { quote = nil }
                } else if b == UInt8(ascii: "\"") || b == UInt8(ascii: "'") || b == UInt8(ascii: "`") {
                    quote = b
                } else if b == UInt8(ascii: "}") {
                    break
                }
                j += 1
            }
            guard j < bytes.count else { return nil }
            let inner = String(decoding: bytes[i ... j], as: UTF8.self)
            let tokens = Lexer.tokenize(inner).filter { $0.kind != .comment }
            var k = 1
            while k < tokens.count && tokens[k].kind != .rightBrace {
                let t = tokens[k]
                guard t.kind == .identifier || t.kind == .string else { return nil }
                let lname = t.kind == .string ? (unquoteGoString(t.text) ?? "") : t.text
                if k + 1 < tokens.count, tokens[k + 1].kind == .assign, k + 2 < tokens.count, tokens[k + 2].kind == .string {
                    guard let v = unquoteGoString(tokens[k + 2].text) else { return nil }
                    pairs.append((lname, v))
                    k += 3
                } else if t.kind == .string {
                    pairs.append((Labels.metricName, lname))
                    k += 1
                } else {
                    return nil
                }
                if k < tokens.count && tokens[k].kind == .comma { k += 1 }
            }
            i = j + 1
        }
        var values: [SeriesValue] = []
        let rest = String(decoding: bytes[i...], as: UTF8.self)
        for item in rest.split(whereSeparator: { $0 == " " || $0 == "\t" }) {
            guard let expanded = expand(String(item)) else { return nil }
            values.append(contentsOf: expanded)
        }
        return (Labels(pairs), values)
    }

    private static func number(_ s: String) -> Double? {
        if s == "stale" { return StaleNaN }
        if s.isEmpty { return nil }
        let lower = s.lowercased()
        if lower.hasPrefix("0x") || lower.hasPrefix("-0x") || lower.hasPrefix("+0x") { return nil }
        return parseGoFloat(s)
    }

    /// Expands one item: `a`, `axn`, `a+bxn`, `a-bxn`, `_`, `_xn`, `stale`.
    static func expand(_ item: String) -> [SeriesValue]? {
        if item.contains("{{") { return nil }
        if item == "_" { return [.omitted] }
        if item.hasPrefix("_x"), let n = Int(item.dropFirst(2)) { return Array(repeating: .omitted, count: n) }
        if let v = number(item) { return [.value(v)] }
        // Split off `x<count>`.
        guard let xIndex = item.lastIndex(of: "x"), let n = Int(item[item.index(after: xIndex)...]), n >= 0 else { return nil }
        let head = String(item[..<xIndex])
        if let v = number(head) { return Array(repeating: .value(v), count: n + 1) }
        // Find the operator separating start and step: a + or - not at position 0 and not
        // right after an exponent marker.
        let chars = Array(head)
        var opIndex: Int? = nil
        var k = chars.count - 1
        while k > 0 {
            if (chars[k] == "+" || chars[k] == "-") && chars[k - 1] != "e" && chars[k - 1] != "E" { opIndex = k; break }
            k -= 1
        }
        guard let oi = opIndex, let a = number(String(chars[..<oi])), let b = number(String(chars[(oi + 1)...])) else { return nil }
        let step = chars[oi] == "-" ? -b : b
        var out: [SeriesValue] = []
        var cur = a
        for _ in 0 ... n {
            out.append(.value(cur))
            cur += step
        }
        return out
    }
}
