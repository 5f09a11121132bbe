/// Choosing the parser from a response's Content-Type, as Prometheus 3's `textparse.New` and
/// `extractMediaType` do.
extension ExpositionFormat {
    /// The outcome of looking at a Content-Type: the format to parse with, and a warning to log
    /// when the fallback protocol was used (Prometheus logs these and scrapes on).
    package struct Negotiated: Sendable, Equatable {
        /// The format to parse the body with.
        package var format: ExpositionFormat
        /// Set when `fallback` was used because the Content-Type was blank, invalid or unknown.
        package var warning: String?

        /// An outcome.
        package init(format: ExpositionFormat, warning: String? = nil) {
            self.format = format
            self.warning = warning
        }
    }

    /// The format for a response with `contentType` (the header value, "" when absent).
    ///
    /// `text/plain` (any version) selects the text format and `application/openmetrics-text`
    /// (any version) OpenMetrics, by media type alone. A blank, unparsable or other media type
    /// uses `fallback` with a warning, or throws when there is none. Prometheus also parses
    /// `application/vnd.google.protobuf`; Vigil never asks for it and refuses it.
    package static func negotiate(contentType: String, fallback: ExpositionFormat?) throws(ExpositionError) -> Negotiated {
        if contentType.isEmpty {
            guard let fallback else { throw ExpositionError.unsupportedContentType(contentType) }
            return Negotiated(format: fallback, warning: "non-compliant scrape target sending blank Content-Type, using fallback_scrape_protocol \(goQuotedForWarning(fallback.mediaType))")
        }
        guard let mediaType = MediaType.parse(contentType) else {
            guard let fallback else { throw ExpositionError.invalidContentType(contentType) }
            return Negotiated(format: fallback, warning: "could not parse received Content-Type \(goQuotedForWarning(contentType)), using fallback_scrape_protocol \(goQuotedForWarning(fallback.mediaType))")
        }
        switch mediaType {
        case ExpositionFormat.prometheusText.mediaType: return Negotiated(format: .prometheusText)
        case ExpositionFormat.openMetrics.mediaType: return Negotiated(format: .openMetrics)
        case "application/vnd.google.protobuf": throw ExpositionError.unsupportedContentType(contentType)
        default:
            guard let fallback else { throw ExpositionError.unsupportedContentType(contentType) }
            return Negotiated(format: fallback, warning: "received unsupported Content-Type \(goQuotedForWarning(contentType)), using fallback_scrape_protocol \(goQuotedForWarning(fallback.mediaType))")
        }
    }

    private static func goQuotedForWarning(_ s: String) -> String { "\"" + s + "\"" }
}

/// A media type parser with the rules of Go's `mime.ParseMediaType` that matter here.
enum MediaType {
    /// The lowercased `type/subtype` of `value`, or nil when Go would report an error: no type,
    /// a missing or empty subtype, content after it, or a malformed or repeated parameter.
    static func parse(_ value: String) -> String? {
        let bytes = Array(value.utf8)
        var i = 0
        let n = bytes.count
        func skipSpace() { while i < n, bytes[i] == 0x20 || bytes[i] == 0x09 { i += 1 } }
        func token() -> [UInt8] {
            let start = i
            while i < n, isTokenByte(bytes[i]) { i += 1 }
            return Array(bytes[start..<i])
        }
        // Go trims and lowercases the part before the first ';', then checks it.
        let semicolon = bytes.firstIndex(of: 0x3B) ?? n
        var base = Array(bytes[0..<semicolon])
        while let f = base.first, f == 0x20 || f == 0x09 { base.removeFirst() }
        while let l = base.last, l == 0x20 || l == 0x09 { base.removeLast() }
        base = base.map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
        var j = 0
        while j < base.count, isTokenByte(base[j]) { j += 1 }
        guard j > 0 else { return nil }
        if j < base.count {
            guard base[j] == 0x2F else { return nil }
            var k = j + 1
            while k < base.count, isTokenByte(base[k]) { k += 1 }
            guard k > j + 1, k == base.count else { return nil }
        }
        // Parameters: `; key=value` with value a token or quoted string, keys unique.
        i = semicolon
        var keys: Set<[UInt8]> = []
        while i < n {
            skipSpace()
            guard i < n else { break }
            guard bytes[i] == 0x3B else { return nil }
            i += 1
            skipSpace()
            if i == n { break } // Go accepts a trailing ';'.
            let key = token().map { $0 >= 0x41 && $0 <= 0x5A ? $0 | 0x20 : $0 }
            guard !key.isEmpty else { return nil }
            skipSpace()
            guard i < n, bytes[i] == 0x3D else { return nil }
            i += 1
            skipSpace()
            if i < n, bytes[i] == 0x22 {
                i += 1
                var closed = false
                while i < n {
                    if bytes[i] == 0x5C { i += 2; continue }
                    if bytes[i] == 0x22 { closed = true; i += 1; break }
                    i += 1
                }
                guard closed else { return nil }
            } else {
                guard !token().isEmpty else { return nil }
            }
            guard keys.insert(key).inserted else { return nil }
        }
        return String(decoding: base, as: UTF8.self)
    }

    /// RFC 2045 token bytes: printable ASCII except space and `()<>@,;:\"/[]?=`.
    private static func isTokenByte(_ c: UInt8) -> Bool {
        guard c > 0x20, c < 0x7F else { return false }
        switch c {
        case 0x28, 0x29, 0x3C, 0x3E, 0x40, 0x2C, 0x3B, 0x3A, 0x5C, 0x22, 0x2F, 0x5B, 0x5D, 0x3F, 0x3D: return false
        default: return true
        }
    }
}
