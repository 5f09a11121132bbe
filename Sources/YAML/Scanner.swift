/// Turns normalized YAML bytes into tokens (YAML 1.2 chapters 6 to 9).
///
/// Indentation is tracked with a stack: a deeper block collection pushes its column and emits a
/// `blockSequenceStart`/`blockMappingStart`, and a less indented line pops and emits `blockEnd`s.
/// Implicit ("simple") keys are only recognized when their `:` shows up, so the scanner remembers
/// where a key could have started and inserts the `key` token there afterwards. A simple key must
/// fit on one line and in 1024 characters (§7.4.2), which bounds how far back that can reach.
///
/// Every loop advances `pos` or throws, and nesting is capped at `maxDepth`, so no input can make
/// the scanner hang or grow its stacks without bound.
struct Scanner {
    /// A place where an implicit key may start, remembered until its `:` is found.
    struct SimpleKey {
        var tokenNumber: Int
        var required: Bool
        var pos: Int
        var line: Int
        var mark: Mark
        var column: Int
    }

    let file: String
    let bytes: [UInt8]
    let maxDepth: Int
    var pos = 0
    var line = 1
    /// 0-based column counted in Unicode scalars; marks report it 1-based.
    var column = 0
    /// Byte offset of the first byte of the current line.
    var lineStart = 0

    /// Tokens scanned but not yet handed out; `queue[head...]` are pending.
    var queue: [Token] = []
    var head = 0
    var tokensTaken = 0
    var streamStarted = false
    var streamEnded = false

    /// Column of the innermost block collection, -1 outside all of them.
    var indent = -1
    var indents: [Int] = []
    var allowSimpleKey = true
    /// One slot per flow level (index 0 is block context).
    var simpleKeys: [SimpleKey?] = [nil]
    /// The open `[`/`{` with their marks; its count is the flow level.
    var flowOpeners: [(byte: UInt8, mark: Mark)] = []
    /// Byte offset just after the last quoted scalar or flow collection end: a `:` right there
    /// is a value indicator even without a following space (JSON-like keys, §7.4.2).
    var jsonLikeEnd = -1

    init(bytes: [UInt8], file: String, maxDepth: Int) {
        self.bytes = bytes
        self.file = file
        self.maxDepth = maxDepth
    }

    var flowLevel: Int { flowOpeners.count }
    var mark: Mark { Mark(line: line, column: column + 1) }
    var atEnd: Bool { pos >= bytes.count }

    /// The byte `offset` ahead of the current one, or NUL past the end (NUL never occurs in input).
    @inline(__always) func peek(_ offset: Int = 0) -> UInt8 {
        let i = pos + offset
        return i < bytes.count ? bytes[i] : ASCII.nul
    }

    /// True when the byte `offset` ahead is blank or past the end.
    @inline(__always) func isBlankOrEnd(_ offset: Int = 0) -> Bool {
        let b = peek(offset)
        return b == ASCII.nul || ASCII.isBlank(b)
    }

    /// Moves one byte forward, keeping line and column (in Unicode scalars) up to date.
    @inline(__always) mutating func advance() {
        guard pos < bytes.count else { return }
        let b = bytes[pos]
        pos += 1
        if b == ASCII.lf {
            line += 1
            column = 0
            lineStart = pos
        } else if b & 0xC0 != 0x80 {
            column += 1
        }
    }

    mutating func advance(_ count: Int) {
        for _ in 0..<count { advance() }
    }

    func error(_ message: String, at mark: Mark) -> YAMLError {
        YAMLError(file: file, mark: mark, message: message)
    }

    /// The character at `pos` quoted for messages, e.g. `'@'`, `tab` or `U+00A0`.
    func describeCharacter() -> String {
        guard pos < bytes.count else { return "the end of the input" }
        let b = bytes[pos]
        switch b {
        case ASCII.tab: return "a tab"
        case ASCII.lf: return "a line break"
        case 0x21..<0x7F: return "'\(Character(Unicode.Scalar(b)))'"
        default:
            var end = pos + 1
            while end < bytes.count, bytes[end] & 0xC0 == 0x80 { end += 1 }
            return "'\(String(decoding: bytes[pos..<end], as: UTF8.self))'"
        }
    }

    // MARK: Token queue

    /// The next token without consuming it.
    mutating func peekToken() throws(YAMLError) -> Token {
        while needMoreTokens() {
            try fetchMoreTokens()
        }
        if head < queue.count { return queue[head] }
        // Only reachable when a caller reads past the stream end: keep answering stream end.
        return Token(kind: .streamEnd, start: mark, end: mark)
    }

    /// Consumes and returns the next token.
    mutating func nextToken() throws(YAMLError) -> Token {
        let token = try peekToken()
        if head < queue.count {
            head += 1
            tokensTaken += 1
            if head > 256 && head * 2 > queue.count {
                queue.removeFirst(head)
                head = 0
            }
        }
        return token
    }

    var pendingCount: Int { queue.count - head }

    mutating func append(_ kind: Token.Kind, start: Mark) {
        queue.append(Token(kind: kind, start: start, end: mark))
    }

    /// More tokens are needed while the queue is empty, or while its head might still turn out
    /// to be preceded by an implicit `key` token.
    mutating func needMoreTokens() -> Bool {
        if streamEnded { return false }
        if head >= queue.count { return true }
        // Dropping stale keys here cannot fail the way it matters: a required key that went
        // stale is reported by the fetch that follows (staleSimpleKeys runs there too).
        if let next = nextPossibleSimpleKey(), next == tokensTaken { return true }
        return false
    }

    func nextPossibleSimpleKey() -> Int? {
        var lowest: Int?
        for key in simpleKeys {
            if let key, lowest.map({ key.tokenNumber < $0 }) ?? true { lowest = key.tokenNumber }
        }
        return lowest
    }

    // MARK: Dispatch

    mutating func fetchMoreTokens() throws(YAMLError) {
        if !streamStarted {
            streamStarted = true
            append(.streamStart, start: mark)
            return
        }
        try scanToNextToken()
        try staleSimpleKeys()
        unwindIndent(to: column)
        if atEnd { return try fetchStreamEnd() }
        let c = bytes[pos]
        if column == 0 {
            if c == ASCII.percent { return try fetchDirective() }
            if isDocumentMarker(ASCII.minus) { return try fetchDocumentIndicator(.documentStart) }
            if isDocumentMarker(ASCII.dot) { return try fetchDocumentIndicator(.documentEnd) }
        }
        switch c {
        case ASCII.leftBracket, ASCII.leftBrace: return try fetchFlowCollectionStart()
        case ASCII.rightBracket, ASCII.rightBrace: return try fetchFlowCollectionEnd()
        case ASCII.comma: return try fetchFlowEntry()
        case ASCII.minus where isBlankOrEnd(1): return try fetchBlockEntry()
        case ASCII.question where isBlankOrEnd(1) || (flowLevel > 0 && ASCII.isFlowIndicator(peek(1))):
            // Explicit keys are how complex (collection) keys are written; no Prometheus or
            // Kubernetes file uses them, so they are rejected rather than half supported.
            throw error("unsupported: explicit mapping keys ('? key') are not supported", at: mark)
        case ASCII.colon where isValueIndicator(): return try fetchValue()
        case ASCII.asterisk: return try fetchAnchorOrAlias(alias: true)
        case ASCII.ampersand: return try fetchAnchorOrAlias(alias: false)
        case ASCII.exclamation: return try fetchTag()
        case ASCII.pipe where flowLevel == 0: return try fetchBlockScalar(folded: false)
        case ASCII.greater where flowLevel == 0: return try fetchBlockScalar(folded: true)
        case ASCII.singleQuote: return try fetchQuotedScalar(double: false)
        case ASCII.doubleQuote: return try fetchQuotedScalar(double: true)
        default:
            if canStartPlainScalar() { return try fetchPlainScalar() }
            throw error("found character \(describeCharacter()) that cannot start any token", at: mark)
        }
    }

    /// `---` or `...` at the start of a line, followed by a blank or the end (§9.1.2).
    func isDocumentMarker(_ b: UInt8) -> Bool {
        column == 0 && peek() == b && peek(1) == b && peek(2) == b && isBlankOrEnd(3)
    }

    /// A plain scalar cannot start with an indicator, except `-`, `?` and `:` followed by a
    /// character that is "safe" in the current context (§7.3.3, ns-plain-first).
    func canStartPlainScalar() -> Bool {
        let c = peek()
        switch c {
        case ASCII.minus, ASCII.question, ASCII.colon:
            let next = peek(1)
            if next == ASCII.nul || ASCII.isBlank(next) { return false }
            return flowLevel == 0 || !ASCII.isFlowIndicator(next)
        case ASCII.comma, ASCII.leftBracket, ASCII.rightBracket, ASCII.leftBrace, ASCII.rightBrace,
             ASCII.hash, ASCII.ampersand, ASCII.asterisk, ASCII.exclamation, ASCII.pipe,
             ASCII.greater, ASCII.singleQuote, ASCII.doubleQuote, ASCII.percent, ASCII.at,
             ASCII.backtick:
            return false
        default:
            return !ASCII.isBlank(c) && c != ASCII.nul
        }
    }

    /// `:` is a value indicator when followed by a blank, or inside flow collections when
    /// followed by a flow indicator or written right after a JSON-like key (§7.4.2).
    func isValueIndicator() -> Bool {
        if isBlankOrEnd(1) { return true }
        guard flowLevel > 0 else { return false }
        return ASCII.isFlowIndicator(peek(1)) || jsonLikeEnd == pos
    }

    // MARK: White space, comments and indentation

    /// Skips blanks, comments and line breaks up to the next token.
    ///
    /// Tabs may separate tokens but never indent block content (§6.1): a tab among the leading
    /// white space of a line in block context, followed by content, is an error.
    mutating func scanToNextToken() throws(YAMLError) {
        while true {
            var tabMark: Mark?
            var tabPos = 0
            while pos < bytes.count, ASCII.isWhite(bytes[pos]) {
                if bytes[pos] == ASCII.tab && tabMark == nil {
                    tabMark = mark
                    tabPos = pos
                }
                advance()
            }
            if peek() == ASCII.hash {
                while pos < bytes.count, bytes[pos] != ASCII.lf { advance() }
            }
            if peek() == ASCII.lf {
                advance()
                if flowLevel == 0 { allowSimpleKey = true }
                continue
            }
            if let tabMark, flowLevel == 0, !atEnd, onlyWhiteSpaceBefore(tabPos) {
                throw error("found a tab character where indentation is expected (indent with spaces)",
                            at: tabMark)
            }
            return
        }
    }

    /// True when the current line holds only spaces and tabs before byte offset `p`. Scans
    /// backwards, so a tab after content (`key:<tab>value`) is settled by one byte.
    func onlyWhiteSpaceBefore(_ p: Int) -> Bool {
        var i = p - 1
        while i >= lineStart {
            if !ASCII.isWhite(bytes[i]) { return false }
            i -= 1
        }
        return true
    }

    /// Closes every block collection indented deeper than `column`. Flow content ignores
    /// indentation, so nothing is closed inside `[ ]` or `{ }`.
    mutating func unwindIndent(to col: Int) {
        guard flowLevel == 0 else { return }
        while indent > col {
            append(.blockEnd, start: mark)
            indent = indents.popLast() ?? -1
        }
    }

    /// Opens a block collection at `col` if it is deeper than the current one.
    mutating func addIndent(_ col: Int, at m: Mark) throws(YAMLError) -> Bool {
        guard indent < col else { return false }
        indents.append(indent)
        indent = col
        try checkDepth(at: m)
        return true
    }

    func checkDepth(at m: Mark) throws(YAMLError) {
        if indents.count + flowOpeners.count > maxDepth {
            throw error("nesting is deeper than \(maxDepth) levels", at: m)
        }
    }

    // MARK: Simple keys

    /// Forgets possible keys that can no longer be keys: they must stay on one line and within
    /// 1024 characters of their `:` (§7.4.2). A required key (one at the block indentation) that
    /// goes stale means a mapping entry lacks its `:`.
    mutating func staleSimpleKeys() throws(YAMLError) {
        for level in simpleKeys.indices {
            guard let key = simpleKeys[level] else { continue }
            if key.line != line || pos - key.pos > 1024 {
                if key.required {
                    throw error("could not find expected ':' after this mapping key", at: key.mark)
                }
                simpleKeys[level] = nil
            }
        }
    }

    /// Remembers that a key may start at the current position.
    mutating func saveSimpleKey() throws(YAMLError) {
        guard allowSimpleKey else { return }
        let required = flowLevel == 0 && indent == column
        try removeSimpleKey()
        simpleKeys[simpleKeys.count - 1] = SimpleKey(
            tokenNumber: tokensTaken + pendingCount, required: required, pos: pos, line: line,
            mark: mark, column: column)
    }

    mutating func removeSimpleKey() throws(YAMLError) {
        let level = simpleKeys.count - 1
        if let key = simpleKeys[level], key.required {
            throw error("could not find expected ':' after this mapping key", at: key.mark)
        }
        simpleKeys[level] = nil
    }
}
