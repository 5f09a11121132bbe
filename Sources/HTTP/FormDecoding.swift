/// One `key=value` pair of a query string or form body, decoded.
package struct QueryItem: Hashable, Sendable {
    /// The decoded key.
    package var name: String
    /// The decoded value; `""` when the pair had no `=`.
    package var value: String

    /// A pair.
    package init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// Decoding of `application/x-www-form-urlencoded` text: query strings and POST bodies.
package enum FormDecoding {
    /// Splits `bytes` on `&`, then each piece at its first `=`, decoding both sides with `+` as
    /// space. Order and repeated keys are kept (`match[]` is repeated by Prometheus clients);
    /// empty pieces are skipped. `;` is not a separator (Go stopped accepting it in 1.17).
    package static func decode(_ bytes: some Collection<UInt8>) throws(HTTPError) -> [QueryItem] {
        var items: [QueryItem] = []
        var start = bytes.startIndex
        while start != bytes.endIndex {
            let end = bytes[start...].firstIndex(of: ASCII.ampersand) ?? bytes.endIndex
            let piece = bytes[start..<end]
            if !piece.isEmpty {
                if let equals = piece.firstIndex(of: ASCII.equals) {
                    let name = try PercentDecoding.decode(piece[piece.startIndex..<equals], plusAsSpace: true)
                    let value = try PercentDecoding.decode(piece[piece.index(after: equals)...], plusAsSpace: true)
                    items.append(QueryItem(name: name, value: value))
                } else {
                    items.append(QueryItem(name: try PercentDecoding.decode(piece, plusAsSpace: true), value: ""))
                }
            }
            start = end == bytes.endIndex ? end : bytes.index(after: end)
        }
        return items
    }

    /// Decodes a string; see `decode(_:)`.
    package static func decode(_ string: String) throws(HTTPError) -> [QueryItem] {
        try decode(Array(string.utf8))
    }
}
