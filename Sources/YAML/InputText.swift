/// Checks and normalizes raw input before scanning, so the scanner can trust every byte.
///
/// YAML streams are Unicode text (YAML 1.2 §5.1, §5.2): this pass rejects malformed UTF-8 and
/// the non-printable characters the spec forbids, drops a leading byte order mark, and turns
/// CR LF and lone CR line breaks into LF (§5.4 says breaks are normalized to LF anyway). After it,
/// the scanner only ever sees LF as a line break, and NUL never occurs, so `0` can mean "end".
enum InputText {
    static func prepare(_ input: [UInt8], file: String) throws(YAMLError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(input.count)
        var i = 0
        if input.count >= 3, input[0] == 0xEF, input[1] == 0xBB, input[2] == 0xBF { i = 3 }
        var line = 1
        var column = 1
        func fail(_ message: String) -> YAMLError {
            YAMLError(file: file, mark: Mark(line: line, column: column), message: message)
        }
        while i < input.count {
            let b = input[i]
            if b < 0x80 {
                switch b {
                case ASCII.lf:
                    out.append(ASCII.lf)
                    line += 1
                    column = 1
                    i += 1
                    continue
                case ASCII.cr:
                    // CR LF counts as one break; a lone CR (old Mac files) is a break too.
                    out.append(ASCII.lf)
                    line += 1
                    column = 1
                    i += (i + 1 < input.count && input[i + 1] == ASCII.lf) ? 2 : 1
                    continue
                case ASCII.tab, 0x20..<0x7F:
                    out.append(b)
                default:
                    throw fail("control character \(hexCodePoint(UInt32(b))) is not allowed in YAML text")
                }
                i += 1
                column += 1
                continue
            }
            guard let (scalar, length) = decodeMultiByte(input, at: i) else {
                throw fail("invalid UTF-8 byte 0x\(String(b, radix: 16, uppercase: true))")
            }
            // §5.1: C1 controls (except NEL), surrogates (already excluded) and U+FFFE/U+FFFF
            // are not printable.
            if (0x80...0x9F).contains(scalar) && scalar != 0x85 || scalar == 0xFFFE || scalar == 0xFFFF {
                throw fail("control character \(hexCodePoint(scalar)) is not allowed in YAML text")
            }
            out.append(contentsOf: input[i..<(i + length)])
            i += length
            column += 1
        }
        return out
    }

    /// Decodes one multi-byte UTF-8 sequence at `i`: the scalar value and its length, or nil when
    /// the bytes are truncated, overlong, a surrogate or beyond U+10FFFF.
    private static func decodeMultiByte(_ b: [UInt8], at i: Int) -> (UInt32, Int)? {
        let lead = b[i]
        let length: Int
        var value: UInt32
        switch lead {
        case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
        case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
        case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
        default: return nil
        }
        guard i + length <= b.count else { return nil }
        for k in 1..<length {
            let c = b[i + k]
            guard c & 0xC0 == 0x80 else { return nil }
            value = value << 6 | UInt32(c & 0x3F)
        }
        switch length {
        case 3 where value < 0x800 || (0xD800...0xDFFF).contains(value): return nil
        case 4 where value < 0x10000 || value > 0x10FFFF: return nil
        default: return (value, length)
        }
    }

    /// `U+0007`-style spelling of a code point for messages.
    static func hexCodePoint(_ v: UInt32) -> String {
        let hex = String(v, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }
}
