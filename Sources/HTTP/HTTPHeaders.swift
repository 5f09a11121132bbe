/// An ordered list of header fields with case-insensitive lookup (RFC 9110 §5.1).
///
/// Names and values live as bytes in one array, so parsing a request makes no `String` per
/// header: strings are made only when a handler asks for a value. The same type carries
/// response headers, which the serialiser copies out byte for byte.
package struct HTTPHeaders: Sendable, Sequence, ExpressibleByDictionaryLiteral {
    /// Byte offsets of one field inside `storage`.
    struct Field: Sendable {
        var nameStart: Int32
        var nameEnd: Int32
        var valueStart: Int32
        var valueEnd: Int32
    }

    private(set) var storage: [UInt8]
    private(set) var fields: [Field]

    /// No headers.
    package init() {
        storage = []
        fields = []
    }

    /// Headers in literal order, e.g. `["Content-Type": "text/plain"]`.
    package init(dictionaryLiteral elements: (String, String)...) {
        self.init()
        for (name, value) in elements { add(name: name, value: value) }
    }

    /// Parsed headers pointing into a copy of the request head.
    init(storage: [UInt8], fields: [Field]) {
        self.storage = storage
        self.fields = fields
    }

    /// The number of fields, repeated names counted each time.
    package var count: Int { fields.count }

    /// Appends a field. CR and LF in either part become spaces: header injection is impossible.
    package mutating func add(name: String, value: String) {
        let nameStart = Int32(storage.count)
        for byte in name.utf8 { storage.append(byte == ASCII.cr || byte == ASCII.lf || byte == ASCII.colon ? ASCII.space : byte) }
        let nameEnd = Int32(storage.count)
        for byte in value.utf8 { storage.append(byte == ASCII.cr || byte == ASCII.lf ? ASCII.space : byte) }
        fields.append(Field(nameStart: nameStart, nameEnd: nameEnd, valueStart: nameEnd, valueEnd: Int32(storage.count)))
    }

    /// Removes every field named `name`, then adds `name: value`.
    package mutating func replaceOrAdd(name: String, value: String) {
        remove(name: name)
        add(name: name, value: value)
    }

    /// Removes every field named `name` (the bytes stay in storage; headers are short-lived).
    package mutating func remove(name: String) {
        let key = Array(name.utf8)
        let kept = fields.filter { !nameMatches($0, key) }
        fields = kept
    }

    /// The first value of `name`, compared case-insensitively.
    package subscript(name: String) -> String? {
        let key = Array(name.utf8)
        for field in fields where nameMatches(field, key) {
            return valueString(field)
        }
        return nil
    }

    /// Every value of `name` in order.
    package func values(_ name: String) -> [String] {
        let key = Array(name.utf8)
        return fields.filter { nameMatches($0, key) }.map(valueString)
    }

    /// Whether a field named `name` is present.
    package func contains(_ name: String) -> Bool {
        let key = Array(name.utf8)
        return fields.contains { nameMatches($0, key) }
    }

    /// Iterates `(name, value)` pairs in order, making the strings on demand.
    package func makeIterator() -> some IteratorProtocol<(name: String, value: String)> {
        var index = 0
        return AnyIterator { () -> (name: String, value: String)? in
            guard index < fields.count else { return nil }
            let field = fields[index]
            index += 1
            return (nameString(field), valueString(field))
        }
    }

    /// Whether `field`'s name equals `key`, ignoring ASCII case. `key` may be any case.
    func nameMatches(_ field: Field, _ key: [UInt8]) -> Bool {
        let start = Int(field.nameStart)
        let length = Int(field.nameEnd) - start
        guard length == key.count else { return false }
        for offset in 0..<length where ASCII.lowercased(storage[start + offset]) != ASCII.lowercased(key[offset]) {
            return false
        }
        return true
    }

    /// Appends `name: value\r\n` for every field to `out`.
    func write(to out: inout [UInt8]) {
        for field in fields {
            out.append(contentsOf: storage[Int(field.nameStart)..<Int(field.nameEnd)])
            out.append(ASCII.colon)
            out.append(ASCII.space)
            out.append(contentsOf: storage[Int(field.valueStart)..<Int(field.valueEnd)])
            out.append(contentsOf: ASCII.crlf)
        }
    }

    private func nameString(_ field: Field) -> String {
        String(decoding: storage[Int(field.nameStart)..<Int(field.nameEnd)], as: UTF8.self)
    }

    private func valueString(_ field: Field) -> String {
        String(decoding: storage[Int(field.valueStart)..<Int(field.valueEnd)], as: UTF8.self)
    }
}
