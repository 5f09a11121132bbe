/// Prometheus 3's `U__` value encoding of UTF-8 label names in URL paths
/// (`model.UnescapeName(name, ValueEncodingEscaping)` in prometheus/common): after the `U__`
/// prefix, `__` is `_`, `_<hex>_` is the code point `<hex>`, anything else is literal. A name
/// that is not a valid encoding is returned unchanged, as Prometheus does.
package enum LabelNameEscaping {
    /// The decoded name, or `name` itself when it is not a valid `U__` encoding.
    package static func unescape(_ name: String) -> String {
        let bytes = Array(name.utf8)
        let prefix: [UInt8] = Array("U__".utf8)
        guard bytes.count >= 3, Array(bytes[0 ..< 3]) == prefix else { return name }
        var out: [UInt8] = []
        var i = 3
        while i < bytes.count {
            let b = bytes[i]
            if b != UInt8(ascii: "_") {
                out.append(b)
                i += 1
                continue
            }
            i += 1
            guard i < bytes.count else { return name }
            if bytes[i] == UInt8(ascii: "_") {
                out.append(b)
                i += 1
                continue
            }
            var value: UInt32 = 0
            var digits = 0
            while true {
                // As in Go, the sixth position must not be reached: at most five hex digits.
                guard i < bytes.count, digits < 6 else { return name }
                let c = bytes[i] | 0x20
                if bytes[i] == UInt8(ascii: "_") {
                    // Go's utf8.ValidRune: not a surrogate, at most U+10FFFF.
                    guard let scalar = Unicode.Scalar(value) else { return name }
                    out.append(contentsOf: Array(String(scalar).utf8))
                    i += 1
                    break
                }
                switch c {
                case UInt8(ascii: "0") ... UInt8(ascii: "9"): value = value * 16 + UInt32(c - UInt8(ascii: "0"))
                case UInt8(ascii: "a") ... UInt8(ascii: "f"): value = value * 16 + UInt32(c - UInt8(ascii: "a") + 10)
                default: return name
                }
                digits += 1
                i += 1
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
