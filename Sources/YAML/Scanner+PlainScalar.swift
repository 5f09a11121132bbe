/// Plain (unquoted) scalars, YAML 1.2 §7.3.3.
extension Scanner {
    /// Scans a plain scalar and returns its folded text and end mark.
    ///
    /// The scalar ends at `: ` (or `:` before a flow indicator inside flow collections), at ` #`,
    /// at flow indicators inside flow collections, at a document marker, or, in block context,
    /// at a line indented no deeper than the enclosing collection. Line breaks fold (§6.5): one
    /// break becomes a space, and each further empty line a `\n`.
    mutating func scanPlainScalar() throws(YAMLError) -> (String, Mark) {
        var out: [UInt8] = []
        var end = mark
        let minIndent = indent + 1
        var separator: [UInt8] = []
        while true {
            if peek() == ASCII.hash { break }
            let chunkStart = pos
            while pos < bytes.count {
                let b = bytes[pos]
                if ASCII.isBlank(b) { break }
                if b == ASCII.colon {
                    let next = peek(1)
                    if next == ASCII.nul || ASCII.isBlank(next) { break }
                    if flowLevel > 0 && ASCII.isFlowIndicator(next) { break }
                }
                if flowLevel > 0 && ASCII.isFlowIndicator(b) { break }
                advance()
            }
            if pos == chunkStart { break }
            // Text continued on this line, so no key can start before the next line.
            allowSimpleKey = false
            out.append(contentsOf: separator)
            out.append(contentsOf: bytes[chunkStart..<pos])
            end = mark
            guard let next = scanPlainSeparator(minIndent: minIndent) else { break }
            separator = next
            if peek() == ASCII.hash || (flowLevel == 0 && column < minIndent) { break }
        }
        return (String(decoding: out, as: UTF8.self), end)
    }

    /// Consumes the white space after a chunk of a plain scalar and returns the text it stands
    /// for, or nil when the scalar cannot continue (no white space, or a document marker).
    private mutating func scanPlainSeparator(minIndent: Int) -> [UInt8]? {
        let start = pos
        while pos < bytes.count, ASCII.isWhite(bytes[pos]) { advance() }
        guard peek() == ASCII.lf else {
            return pos > start ? Array(bytes[start..<pos]) : nil
        }
        advance()
        allowSimpleKey = flowLevel == 0
        var emptyLines = 0
        while true {
            if isDocumentMarker(ASCII.minus) || isDocumentMarker(ASCII.dot) { return nil }
            while peek() == ASCII.space { advance() }
            // Tabs may follow the indentation but never make it up (§6.1); stop before them so
            // the next token's scan reports the tab.
            if peek() == ASCII.tab {
                var i = pos
                while i < bytes.count, ASCII.isWhite(bytes[i]) { i += 1 }
                let blankLine = i >= bytes.count || bytes[i] == ASCII.lf
                if blankLine || flowLevel > 0 || column >= minIndent {
                    while pos < i { advance() }
                }
            }
            guard peek() == ASCII.lf else { break }
            advance()
            emptyLines += 1
        }
        return emptyLines == 0 ? [ASCII.space] : Array(repeating: ASCII.lf, count: emptyLines)
    }
}
