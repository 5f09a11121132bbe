/// A position in a YAML source text. Lines and columns are 1-based; columns count Unicode scalars.
package struct Mark: Sendable, Equatable, Hashable, CustomStringConvertible {
    package var line: Int
    package var column: Int

    package init(line: Int, column: Int) {
        self.line = line
        self.column = column
    }

    package var description: String { "\(line):\(column)" }
}

/// How a scalar was written. Only `.plain` scalars are resolved to null, booleans and numbers.
package enum ScalarStyle: Sendable, Equatable {
    case plain, singleQuoted, doubleQuoted, literal, folded
}

/// One key/value entry of a mapping, in source order.
package struct YAMLPair: Sendable {
    package var key: YAMLNode
    package var value: YAMLNode

    package init(key: YAMLNode, value: YAMLNode) {
        self.key = key
        self.value = value
    }
}

/// A node of a parsed YAML document with the position it started at.
///
/// Aliases are resolved by the reader: an alias node is a copy of the anchored node (with the
/// alias' own mark). Mappings keep source order and never contain duplicate scalar keys (the
/// reader rejects those, as Prometheus' strict YAML decoding does).
package struct YAMLNode: Sendable {
    package indirect enum Kind: Sendable {
        /// A scalar's text after quoting, escapes and folding were applied.
        case scalar(String, ScalarStyle)
        case sequence([YAMLNode])
        case mapping([YAMLPair])
    }

    package var kind: Kind
    package var mark: Mark
    /// An explicit tag such as `!!str` or `!custom`, as written (shorthand `!!` kept), else nil.
    package var tag: String?

    package init(_ kind: Kind, mark: Mark, tag: String? = nil) {
        self.kind = kind
        self.mark = mark
        self.tag = tag
    }

    /// The scalar text, or nil for sequences and mappings.
    package var scalar: String? {
        if case .scalar(let s, _) = kind { return s }
        return nil
    }

    /// True for an empty node, a plain `~`, `null`, `Null` or `NULL` (YAML 1.2 core schema).
    package var isNull: Bool {
        guard case .scalar(let s, let style) = kind, style == .plain, tag == nil || tag == "!!null" else {
            return false
        }
        return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL"
    }

    /// The mapping entries, or nil for other kinds.
    package var pairs: [YAMLPair]? {
        if case .mapping(let p) = kind { return p }
        return nil
    }

    /// The sequence items, or nil for other kinds.
    package var items: [YAMLNode]? {
        if case .sequence(let i) = kind { return i }
        return nil
    }

    /// A word for error messages: "scalar", "sequence" or "mapping".
    package var kindName: String {
        switch kind {
        case .scalar: return "scalar"
        case .sequence: return "sequence"
        case .mapping: return "mapping"
        }
    }
}

/// A YAML syntax error with the file, line and column where the reader gave up.
package struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    package var file: String
    package var mark: Mark
    package var message: String

    package init(file: String, mark: Mark, message: String) {
        self.file = file
        self.mark = mark
        self.message = message
    }

    /// `file:line:column: message`, the form compilers and editors understand.
    package var description: String { "\(file):\(mark.line):\(mark.column): \(message)" }
}
