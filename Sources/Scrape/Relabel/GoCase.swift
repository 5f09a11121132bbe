/// Go's `strings.ToLower` / `strings.ToUpper`, which map each code point with its simple
/// (one-to-one) case mapping. Swift's `lowercased()` uses full mappings (`ß` → `SS`, `İ` →
/// `i̇`), which would make `lowercase`/`uppercase` relabeling disagree with Prometheus.
enum GoCase {
    /// Lowercase, code point by code point.
    static func lower(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s.lowercased() }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars { out.append(simple(scalar, upper: false)) }
        return String(out)
    }

    /// Uppercase, code point by code point.
    static func upper(_ s: String) -> String {
        if s.utf8.allSatisfy({ $0 < 0x80 }) { return s.uppercased() }
        var out = String.UnicodeScalarView()
        for scalar in s.unicodeScalars { out.append(simple(scalar, upper: true)) }
        return String(out)
    }

    /// The simple mapping: the full mapping when it is one code point, else the code point
    /// itself, with the one exception Go's tables make (U+0130 lowercases to `i`).
    private static func simple(_ scalar: Unicode.Scalar, upper: Bool) -> Unicode.Scalar {
        if !upper && scalar.value == 0x130 { return "i" }
        let mapped = upper ? scalar.properties.uppercaseMapping : scalar.properties.lowercaseMapping
        let scalars = mapped.unicodeScalars
        if scalars.count == 1, let only = scalars.first { return only }
        return scalar
    }
}
