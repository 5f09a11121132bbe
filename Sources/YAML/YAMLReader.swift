/// Reads YAML text into node trees.
///
/// Supported: the YAML 1.2 syntax used by configuration files (block and flow collections, all
/// scalar styles, comments, anchors and aliases, tags kept as written, multiple documents) plus
/// YAML 1.1 merge keys (`<<`), as Prometheus' Go YAML library reads them. Not supported:
/// explicit `? key` entries (complex keys), rejected with an "unsupported" error.
package enum YAMLReader {
    /// Nesting deeper than this is an error, so hostile input cannot exhaust memory or stack.
    package static let maxDepth = 512

    /// A document whose aliases would bring in more nodes than this (counting every node of
    /// each aliased subtree) is rejected, against "billion laughs" inputs.
    package static let maxExpandedNodes = 1_000_000

    /// Parses every document of `text` (separated by `---`, ended by `...`).
    /// An empty stream yields no documents. `file` is only used in error messages.
    package static func documents(_ text: String, file: String) throws(YAMLError) -> [YAMLNode] {
        try documents(bytes: Array(text.utf8), file: file)
    }

    /// Parses every document of raw bytes, which must be UTF-8 (a leading BOM is skipped).
    /// Malformed UTF-8 is reported with its line and column. `file` is only used in messages.
    package static func documents(bytes: [UInt8], file: String) throws(YAMLError) -> [YAMLNode] {
        let input = try InputText.prepare(bytes, file: file)
        let scanner = Scanner(bytes: input, file: file, maxDepth: maxDepth)
        var composer = Composer(parser: Parser(scanner: scanner), file: file, maxNodes: maxExpandedNodes)
        return try composer.documents()
    }

    /// Parses a stream that must hold at most one document; nil when it holds none.
    package static func document(_ text: String, file: String) throws(YAMLError) -> YAMLNode? {
        try single(try documents(text, file: file), file: file)
    }

    /// Parses raw UTF-8 bytes that must hold at most one document; nil when they hold none.
    package static func document(bytes: [UInt8], file: String) throws(YAMLError) -> YAMLNode? {
        try single(try documents(bytes: bytes, file: file), file: file)
    }

    private static func single(_ docs: [YAMLNode], file: String) throws(YAMLError) -> YAMLNode? {
        if docs.count > 1 {
            throw YAMLError(file: file, mark: docs[1].mark, message: "expected a single document, found \(docs.count)")
        }
        return docs.first
    }
}
