/// Quotes text the way Go's `%q` / `strconv.Quote` does.
///
/// Prometheus error messages embed offending values with `%q`; reproducing that quoting keeps
/// our messages identical to theirs (`"\xff" is not a valid label name`).
package func goQuoted(_ text: String) -> String {
    goQuoted(bytes: Array(text.utf8))
}

/// Quotes raw bytes like Go's `strconv.Quote`: invalid UTF-8 bytes become `\xNN`.
///
/// Go strings may hold arbitrary bytes (a YAML `!!binary` value can be invalid UTF-8), and
/// Prometheus prints them this way, so the byte form is the general one.
package func goQuoted(bytes: [UInt8]) -> String {
    var out = "\""
    var index = 0
    while index < bytes.count {
        guard let (scalar, length) = decodeUTF8Scalar(bytes, at: index) else {
            out += "\\x" + hex(UInt32(bytes[index]), width: 2)
            index += 1
            continue
        }
        index += length
        switch scalar.value {
        case 0x22: out += "\\\""
        case 0x5C: out += "\\\\"
        case 0x07: out += "\\a"
        case 0x08: out += "\\b"
        case 0x0C: out += "\\f"
        case 0x0A: out += "\\n"
        case 0x0D: out += "\\r"
        case 0x09: out += "\\t"
        case 0x0B: out += "\\v"
        default:
            if isGoPrintable(scalar) {
                out.unicodeScalars.append(scalar)
            } else if scalar.value < 0x20 || scalar.value == 0x7F {
                out += "\\x" + hex(scalar.value, width: 2)
            } else if scalar.value < 0x10000 {
                out += "\\u" + hex(scalar.value, width: 4)
            } else {
                out += "\\U" + hex(scalar.value, width: 8)
            }
        }
    }
    return out + "\""
}

/// Go's `unicode.IsPrint`: letters, marks, numbers, punctuation, symbols and the ASCII space.
private func isGoPrintable(_ scalar: Unicode.Scalar) -> Bool {
    if scalar == " " { return true }
    switch scalar.properties.generalCategory {
    case .uppercaseLetter, .lowercaseLetter, .titlecaseLetter, .modifierLetter, .otherLetter,
         .nonspacingMark, .spacingMark, .enclosingMark,
         .decimalNumber, .letterNumber, .otherNumber,
         .connectorPunctuation, .dashPunctuation, .openPunctuation, .closePunctuation,
         .initialPunctuation, .finalPunctuation, .otherPunctuation,
         .mathSymbol, .currencySymbol, .modifierSymbol, .otherSymbol:
        return true
    default:
        return false
    }
}

private func hex(_ value: UInt32, width: Int) -> String {
    let digits = String(value, radix: 16)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
}

/// Decodes one well-formed UTF-8 scalar at `index`, or nil when the bytes there are not one.
package func decodeUTF8Scalar(_ bytes: [UInt8], at index: Int) -> (Unicode.Scalar, Int)? {
    guard index < bytes.count else { return nil }
    let lead = bytes[index]
    let length: Int
    var value: UInt32
    switch lead {
    case 0x00...0x7F: return (Unicode.Scalar(lead), 1)
    case 0xC2...0xDF: length = 2; value = UInt32(lead & 0x1F)
    case 0xE0...0xEF: length = 3; value = UInt32(lead & 0x0F)
    case 0xF0...0xF4: length = 4; value = UInt32(lead & 0x07)
    default: return nil
    }
    guard index + length <= bytes.count else { return nil }
    for offset in 1..<length {
        let byte = bytes[index + offset]
        guard byte & 0xC0 == 0x80 else { return nil }
        value = value << 6 | UInt32(byte & 0x3F)
    }
    // Overlong forms and surrogates are invalid UTF-8; Unicode.Scalar rejects surrogates.
    let minimum: UInt32 = length == 2 ? 0x80 : length == 3 ? 0x800 : 0x10000
    guard value >= minimum, let scalar = Unicode.Scalar(value) else { return nil }
    return (scalar, length)
}

/// True when `bytes` is well-formed UTF-8 (what Go's `utf8.Valid` checks).
package func isValidUTF8(_ bytes: [UInt8]) -> Bool {
    var index = 0
    while index < bytes.count {
        guard let (_, length) = decodeUTF8Scalar(bytes, at: index) else { return false }
        index += length
    }
    return true
}
