import Model

/// Appends JSON to a byte buffer with no intermediate objects, in the exact spelling Prometheus'
/// API produces (Go's encoding/json rules: `<`, `>`, `&`, U+2028 and U+2029 are escaped as
/// `\u003c`..., control characters as `\u00XX` except `\n \r \t`, invalid UTF-8 as U+FFFD).
///
/// The writer tracks whether a comma is needed, so callers write keys and values in order:
/// `w.objectStart(); w.key("a"); w.string("x"); w.objectEnd()`.
package struct JSONWriter {
    package var bytes: [UInt8]
    private var needsComma = false

    package init(capacity: Int = 256) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    package mutating func objectStart() { separator(); bytes.append(UInt8(ascii: "{")); needsComma = false }
    package mutating func objectEnd() { bytes.append(UInt8(ascii: "}")); needsComma = true }
    package mutating func arrayStart() { separator(); bytes.append(UInt8(ascii: "[")); needsComma = false }
    package mutating func arrayEnd() { bytes.append(UInt8(ascii: "]")); needsComma = true }

    /// Writes `"name":`; the next value call writes the value without a comma.
    package mutating func key(_ name: String) {
        separator()
        JSONWriter.appendString(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
        needsComma = false
    }

    package mutating func string(_ s: String) { separator(); JSONWriter.appendString(s, to: &bytes); needsComma = true }
    package mutating func bool(_ b: Bool) { separator(); bytes.append(contentsOf: (b ? "true" : "false").utf8); needsComma = true }
    package mutating func null() { separator(); bytes.append(contentsOf: "null".utf8); needsComma = true }
    package mutating func int(_ v: Int) { separator(); bytes.append(contentsOf: String(v).utf8); needsComma = true }

    /// A JSON number as Go's encoding/json prints a float64 (`'f'` for 1e-6 <= |v| < 1e21, else
    /// `'e'` with a trimmed exponent). Non-finite values have no JSON number form: they are written
    /// as strings, which is what Prometheus' API does for sample values anyway.
    package mutating func number(_ v: Double) {
        separator()
        if !v.isFinite {
            JSONWriter.appendString(FloatFormat.f(v), to: &bytes)
        } else {
            // Prometheus' float rule ('f' for 1e-6 <= |v| < 1e21, else 'e'), plus the one change
            // Go's encoding/json makes to it: a two-digit negative exponent is shortened (e-7).
            FloatFormat.appendSampleValue(v, to: &bytes)
            let n = bytes.count
            if n >= 4, bytes[n - 4] == UInt8(ascii: "e"), bytes[n - 3] == UInt8(ascii: "-"), bytes[n - 2] == UInt8(ascii: "0") {
                bytes.remove(at: n - 2)
            }
        }
        needsComma = true
    }

    /// Writes one value with `append`, which must append exactly one complete JSON value.
    package mutating func value(_ append: (inout [UInt8]) -> Void) {
        separator()
        append(&bytes)
        needsComma = true
    }

    /// Hands out the bytes written so far and empties the buffer, keeping the comma state, so
    /// a streaming writer can flush a long document in pieces.
    package mutating func takeBytes() -> [UInt8] {
        let out = bytes
        bytes.removeAll(keepingCapacity: true)
        return out
    }

    /// Inserts pre-encoded JSON as one value.
    package mutating func raw(_ json: [UInt8]) { separator(); bytes.append(contentsOf: json); needsComma = true }

    private mutating func separator() {
        if needsComma { bytes.append(UInt8(ascii: ",")) }
    }

    /// Appends `s` as a quoted JSON string with Go's escaping.
    package static func appendString(_ s: String, to out: inout [UInt8]) {
        let hex = Array("0123456789abcdef".utf8)
        out.append(UInt8(ascii: "\""))
        for scalar in s.unicodeScalars {
            let v = scalar.value
            switch v {
            case 0x22: out.append(contentsOf: [0x5c, 0x22])
            case 0x5c: out.append(contentsOf: [0x5c, 0x5c])
            case 0x0a: out.append(contentsOf: [0x5c, UInt8(ascii: "n")])
            case 0x0d: out.append(contentsOf: [0x5c, UInt8(ascii: "r")])
            case 0x09: out.append(contentsOf: [0x5c, UInt8(ascii: "t")])
            case 0 ..< 0x20, 0x3c, 0x3e, 0x26:
                out.append(contentsOf: [0x5c, UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0"),
                                        hex[Int(v >> 4)], hex[Int(v & 0xf)]])
            case 0x2028, 0x2029:
                out.append(contentsOf: "\\u202".utf8)
                out.append(hex[Int(v & 0xf)])
            default:
                if v < 0x80 {
                    out.append(UInt8(v))
                } else {
                    out.append(contentsOf: String(scalar).utf8)
                }
            }
        }
        out.append(UInt8(ascii: "\""))
    }
}
