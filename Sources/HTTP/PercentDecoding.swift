/// Percent-decoding of URL components (RFC 3986 §2.1).
///
/// `+` means space only in query strings and form bodies (the WHATWG
/// application/x-www-form-urlencoded rules), never in paths. Invalid UTF-8 after decoding is
/// replaced with U+FFFD rather than rejected, because label values are matched as strings.
package enum PercentDecoding {
    /// Decodes `bytes`; a `%` not followed by two hex digits throws `invalidURLEscape` with the
    /// escape as sent (at most three bytes), matching Go's `invalid URL escape "%zz"`.
    package static func decode(_ bytes: some Collection<UInt8>, plusAsSpace: Bool) throws(HTTPError) -> String {
        // Fast path: nothing to decode.
        if !bytes.contains(where: { $0 == ASCII.percent || (plusAsSpace && $0 == ASCII.plus) }) {
            return String(decoding: bytes, as: UTF8.self)
        }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        var index = bytes.startIndex
        while index != bytes.endIndex {
            let byte = bytes[index]
            if byte == ASCII.percent {
                let first = bytes.index(after: index)
                let second = first == bytes.endIndex ? first : bytes.index(after: first)
                guard second != bytes.endIndex, let high = ASCII.hexValue(bytes[first]),
                      let low = ASCII.hexValue(bytes[second]) else {
                    let end = second == bytes.endIndex ? second : bytes.index(after: second)
                    throw .invalidURLEscape(String(decoding: bytes[index..<end], as: UTF8.self))
                }
                out.append(high << 4 | low)
                index = bytes.index(after: second)
            } else {
                out.append(plusAsSpace && byte == ASCII.plus ? ASCII.space : byte)
                index = bytes.index(after: index)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Decodes a string; see `decode(_:plusAsSpace:)`.
    package static func decode(_ string: String, plusAsSpace: Bool) throws(HTTPError) -> String {
        try decode(Array(string.utf8), plusAsSpace: plusAsSpace)
    }
}
