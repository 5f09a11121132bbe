import Foundation
import Model
internal import YAML

/// Reads configuration values out of YAML nodes with Prometheus' strict-decoding rules.
///
/// Prometheus decodes with `yaml.UnmarshalStrict` (go-yaml v2): unknown keys are errors,
/// scalars convert to strings whatever their resolved type, `null` leaves a field at its zero
/// value, booleans accept YAML 1.1 spellings (`yes`, `on`), and `!!binary` scalars are base64.
/// This type reproduces those rules over our own node tree and remembers where each problem
/// was found. It also collects uses of features Vigil does not implement: those are reported
/// only after the whole file decoded and validated, so a file with a real mistake gets
/// Prometheus' error rather than "unsupported".
struct Decoder {
    /// The name used in error messages.
    let file: String
    /// Unsupported features seen so far, in document order.
    var unsupported: [ConfigError] = []
    /// Looks up environment variables for `external_labels` expansion.
    let environment: [String: String]

    init(file: String, environment: [String: String]) {
        self.file = file
        self.environment = environment
    }

    /// One mapping entry with its key decoded to text.
    struct Entry {
        var key: String
        var keyNode: YAMLNode
        var value: YAMLNode
    }

    // MARK: Errors

    func error(_ message: String, at node: YAMLNode?) -> ConfigError {
        ConfigError(.invalid, file: file, mark: node?.mark, message)
    }

    func error(_ message: String, at mark: Mark?) -> ConfigError {
        ConfigError(.invalid, file: file, mark: mark, message)
    }

    func unknownField(_ entry: Entry, in type: String) -> ConfigError {
        error("field \(entry.key) not found in type \(type)", at: entry.keyNode)
    }

    /// Records an unsupported feature unless its value is empty (an empty or null section
    /// configures nothing, so Prometheus and Vigil behave alike).
    mutating func unsupported(_ entry: Entry, context: String? = nil) {
        if entry.value.isNull { return }
        if let items = entry.value.items, items.isEmpty { return }
        if let pairs = entry.value.pairs, pairs.isEmpty { return }
        let suffix = context.map { " (\($0))" } ?? ""
        unsupported.append(ConfigError(.unsupported, file: file, mark: entry.keyNode.mark,
                                       "unsupported: \(entry.key)\(suffix)"))
    }

    /// Records an unsupported feature whose value was already judged to matter.
    mutating func unsupported(key: String, at node: YAMLNode, context: String? = nil) {
        let suffix = context.map { " (\($0))" } ?? ""
        unsupported.append(ConfigError(.unsupported, file: file, mark: node.mark,
                                       "unsupported: \(key)\(suffix)"))
    }

    /// The YAML tag go-yaml would name in a type error: `!!str`, `!!int`, `!!seq`, ...
    func tagName(_ node: YAMLNode) -> String {
        if let tag = node.tag {
            return tag.hasPrefix("tag:yaml.org,2002:") ? "!!" + tag.dropFirst(18) : tag
        }
        switch node.kind {
        case .sequence: return "!!seq"
        case .mapping: return "!!map"
        case .scalar(let text, let style):
            guard style == .plain else { return "!!str" }
            if node.isNull { return "!!null" }
            if Self.boolValue(text) != nil { return "!!bool" }
            if Self.integerValue(text) != nil { return "!!int" }
            if Self.floatValue(text) != nil { return "!!float" }
            return "!!str"
        }
    }

    /// go-yaml's "cannot unmarshal" type error for `node` decoded as Go type `type`.
    func typeError(_ node: YAMLNode, into type: String) -> ConfigError {
        if let text = node.scalar {
            return error("cannot unmarshal \(tagName(node)) `\(text)` into \(type)", at: node)
        }
        return error("cannot unmarshal \(tagName(node)) into \(type)", at: node)
    }

    // MARK: Structure

    /// The entries of a mapping node (none for null). `type` is the Go type name Prometheus
    /// reports for this section, used when the node is not a mapping.
    func entries(_ node: YAMLNode, type: String) throws(ConfigError) -> [Entry] {
        if node.isNull { return [] }
        guard let pairs = node.pairs else { throw typeError(node, into: type) }
        var out: [Entry] = []
        out.reserveCapacity(pairs.count)
        for pair in pairs {
            // Keys are only compared with field names here; a `!!binary` key that is not
            // UTF-8 gets its Go-quoted form, and sections that take arbitrary keys (label
            // sets) read `keyNode` themselves.
            let raw = try bytes(pair.key)
            let key = isValidUTF8(raw) ? String(decoding: raw, as: UTF8.self) : goQuoted(bytes: raw)
            out.append(Entry(key: key, keyNode: pair.key, value: pair.value))
        }
        return out
    }

    /// The items of a sequence node (none for null).
    func items(_ node: YAMLNode, type: String) throws(ConfigError) -> [YAMLNode] {
        if node.isNull { return [] }
        guard let items = node.items else { throw typeError(node, into: type) }
        return items
    }

    // MARK: Scalars

    /// True when the node carries the `!!binary` tag.
    private func isBinary(_ node: YAMLNode) -> Bool {
        node.tag == "!!binary" || node.tag == "tag:yaml.org,2002:binary"
    }

    /// The raw bytes of a scalar: its UTF-8 text, or the decoded base64 of a `!!binary`
    /// scalar. Null decodes to no bytes, like go-yaml's zero value.
    func bytes(_ node: YAMLNode, type: String = "string") throws(ConfigError) -> [UInt8] {
        if node.isNull { return [] }
        guard let text = node.scalar else { throw typeError(node, into: type) }
        if isBinary(node) {
            // go-yaml decodes with Go's standard base64 alphabet after dropping line breaks.
            let compact = text.filter { !$0.isWhitespace }
            guard let data = Data(base64Encoded: compact) else {
                throw error("!!binary value contains invalid base64 data", at: node)
            }
            return [UInt8](data)
        }
        return Array(text.utf8)
    }

    /// A scalar as text. Any scalar converts (numbers and booleans keep their spelling).
    func string(_ node: YAMLNode, type: String = "string") throws(ConfigError) -> String {
        if !isBinary(node) {
            if node.isNull { return "" }
            guard let text = node.scalar else { throw typeError(node, into: type) }
            return text
        }
        let raw = try bytes(node, type: type)
        guard isValidUTF8(raw) else {
            throw error("!!binary value \(goQuoted(bytes: raw)) is not valid UTF-8 text", at: node)
        }
        return String(decoding: raw, as: UTF8.self)
    }

    /// A list of strings (`[]string`); null is the empty list.
    func strings(_ node: YAMLNode) throws(ConfigError) -> [String] {
        var out: [String] = []
        for item in try items(node, type: "[]string") {
            out.append(try string(item))
        }
        return out
    }

    /// YAML 1.1 booleans as go-yaml v2 resolves them; nil for anything else.
    static func boolValue(_ text: String) -> Bool? {
        switch text {
        case "y", "Y", "yes", "Yes", "YES", "on", "On", "ON", "true", "True", "TRUE": return true
        case "n", "N", "no", "No", "NO", "off", "Off", "OFF", "false", "False", "FALSE": return false
        default: return nil
        }
    }

    /// Integers as go-yaml v2 resolves them (`_` separators, `0x`, `0b`, `0o`, leading-0 octal).
    static func integerValue(_ text: String) -> Int64? {
        var plain = text.replacingOccurrences(of: "_", with: "")
        var negative = false
        if plain.hasPrefix("-") || plain.hasPrefix("+") {
            negative = plain.hasPrefix("-")
            plain.removeFirst()
        }
        guard !plain.isEmpty else { return nil }
        var radix = 10
        if plain.hasPrefix("0x") || plain.hasPrefix("0X") {
            radix = 16; plain.removeFirst(2)
        } else if plain.hasPrefix("0b") || plain.hasPrefix("0B") {
            radix = 2; plain.removeFirst(2)
        } else if plain.hasPrefix("0o") || plain.hasPrefix("0O") {
            radix = 8; plain.removeFirst(2)
        } else if plain.count > 1, plain.hasPrefix("0") {
            radix = 8; plain.removeFirst()
        }
        guard !plain.isEmpty, plain.allSatisfy(\.isHexDigit), let magnitude = UInt64(plain, radix: radix) else {
            return nil
        }
        if negative {
            return magnitude <= UInt64(Int64.max) + 1 ? Int64(truncatingIfNeeded: 0 &- magnitude) : nil
        }
        return magnitude <= UInt64(Int64.max) ? Int64(magnitude) : nil
    }

    /// Floats as YAML resolves them (including `.inf` and `.nan`); nil for anything else.
    static func floatValue(_ text: String) -> Double? {
        switch text {
        case ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF": return .infinity
        case "-.inf", "-.Inf", "-.INF": return -.infinity
        case ".nan", ".NaN", ".NAN": return .nan
        default: break
        }
        let plain = text.replacingOccurrences(of: "_", with: "")
        guard plain.contains(where: \.isNumber),
              plain.allSatisfy({ $0.isNumber || "+-.eE".contains($0) }) else { return nil }
        return Double(plain)
    }

    /// A boolean; only plain scalars resolve, as in go-yaml (a quoted "true" is a string).
    func bool(_ node: YAMLNode) throws(ConfigError) -> Bool {
        if node.isNull { return false }
        guard case .scalar(let text, .plain) = node.kind, node.tag == nil || node.tag == "!!bool",
              let value = Self.boolValue(text) else {
            throw typeError(node, into: "bool")
        }
        return value
    }

    /// An unsigned integer (Go `uint`/`uint64`).
    func unsigned(_ node: YAMLNode, type: String = "uint") throws(ConfigError) -> UInt64 {
        if node.isNull { return 0 }
        guard case .scalar(let text, .plain) = node.kind, node.tag == nil || node.tag == "!!int",
              let value = Self.integerValue(text), value >= 0 else {
            throw typeError(node, into: type)
        }
        return UInt64(value)
    }

    /// A signed integer (Go `int64`).
    func signed(_ node: YAMLNode, type: String = "int64") throws(ConfigError) -> Int64 {
        if node.isNull { return 0 }
        guard case .scalar(let text, .plain) = node.kind, node.tag == nil || node.tag == "!!int",
              let value = Self.integerValue(text) else {
            throw typeError(node, into: type)
        }
        return value
    }

    /// A float (Go `float64`); integers are accepted too.
    func float(_ node: YAMLNode) throws(ConfigError) -> Double {
        if node.isNull { return 0 }
        guard case .scalar(let text, .plain) = node.kind else { throw typeError(node, into: "float64") }
        if let value = Self.integerValue(text) { return Double(value) }
        guard let value = Self.floatValue(text) else { throw typeError(node, into: "float64") }
        return value
    }

    /// A Prometheus duration (`model.Duration`); null is zero, meaning "use the default".
    func duration(_ node: YAMLNode) throws(ConfigError) -> PromDuration {
        if node.isNull { return .zero }
        let text = try string(node, type: "model.Duration")
        do {
            return try PromDuration(parsing: text)
        } catch {
            throw self.error(error.description, at: node)
        }
    }

    /// A byte size in Prometheus units (`units.Base2Bytes`, e.g. `15MB`, `1GiB`).
    func byteSize(_ node: YAMLNode) throws(ConfigError) -> ByteSize {
        if node.isNull { return ByteSize(bytes: 0) }
        let text = try string(node, type: "units.Base2Bytes")
        do {
            return try ByteSize(parsing: text)
        } catch {
            throw self.error(error.message, at: node)
        }
    }

    /// A label name (`model.LabelName`): non-empty UTF-8, as Prometheus 3 checks by default.
    func labelName(_ node: YAMLNode) throws(ConfigError) -> String {
        let raw = try bytes(node)
        guard isValidUTF8LabelName(bytes: raw) else {
            throw error("\(goQuoted(bytes: raw)) is not a valid label name", at: node)
        }
        return String(decoding: raw, as: UTF8.self)
    }

    /// A label value: any valid UTF-8 text.
    func labelValue(_ node: YAMLNode) throws(ConfigError) -> String {
        let raw = try bytes(node)
        guard isValidUTF8(raw) else {
            throw error("\(goQuoted(bytes: raw)) is not a valid label value", at: node)
        }
        return String(decoding: raw, as: UTF8.self)
    }

    /// A label set (`model.LabelSet`): names checked as label names, values as label values.
    func labelSet(_ node: YAMLNode) throws(ConfigError) -> [String: String] {
        var out: [String: String] = [:]
        if node.isNull { return out }
        guard let pairs = node.pairs else { throw typeError(node, into: "model.LabelSet") }
        for pair in pairs {
            out[try labelName(pair.key)] = try labelValue(pair.value)
        }
        return out
    }

    /// A list of label names (`model.LabelNames`), nil when absent or null.
    func labelNames(_ node: YAMLNode) throws(ConfigError) -> [String]? {
        if node.isNull { return nil }
        guard let items = node.items else { throw typeError(node, into: "model.LabelNames") }
        var out: [String] = []
        for item in items {
            out.append(try labelName(item))
        }
        return out
    }

    /// A map of strings (`map[string]string`).
    func stringMap(_ node: YAMLNode) throws(ConfigError) -> [String: String] {
        var out: [String: String] = [:]
        for entry in try entries(node, type: "map[string]string") {
            out[entry.key] = try string(entry.value)
        }
        return out
    }
}
