/// Reads YAML text into node trees.
package enum YAMLReader {
    /// Parses every document of `text` (separated by `---`, ended by `...`).
    /// An empty stream yields no documents. `file` is only used in error messages.
    package static func documents(_ text: String, file: String) throws(YAMLError) -> [YAMLNode] {
        // TODO(yaml): the reader is being written; this placeholder accepts nothing.
        throw YAMLError(file: file, mark: Mark(line: 1, column: 1), message: "YAML reader not implemented")
    }

    /// Parses a stream that must hold at most one document; nil when it holds none.
    package static func document(_ text: String, file: String) throws(YAMLError) -> YAMLNode? {
        let docs = try documents(text, file: file)
        if docs.count > 1 {
            throw YAMLError(file: file, mark: docs[1].mark, message: "expected a single document, found \(docs.count)")
        }
        return docs.first
    }
}
