/// Tokens made of indicator characters: stream and document markers, directives, flow
/// brackets, `-`, `:`, anchors, aliases and tags.
extension Scanner {
    mutating func fetchStreamEnd() throws(YAMLError) {
        try failOnOpenFlowCollection()
        unwindIndent(to: -1)
        try removeSimpleKey()
        allowSimpleKey = false
        append(.streamEnd, start: mark)
        streamEnded = true
    }

    /// An unclosed `[` or `{` would otherwise be reported far away, at whatever ends the input.
    func failOnOpenFlowCollection() throws(YAMLError) {
        guard let open = flowOpeners.last else { return }
        let (kind, closer) = open.byte == ASCII.leftBracket ? ("sequence", "]") : ("mapping", "}")
        throw error("unterminated flow \(kind): missing '\(closer)' for the '\(kind == "sequence" ? "[" : "{")' here",
                    at: open.mark)
    }

    /// `%YAML` and `%TAG` lines: tags are kept as written, so the content is not needed.
    mutating func fetchDirective() throws(YAMLError) {
        unwindIndent(to: -1)
        try removeSimpleKey()
        allowSimpleKey = false
        let start = mark
        while pos < bytes.count, bytes[pos] != ASCII.lf { advance() }
        append(.directive, start: start)
    }

    mutating func fetchDocumentIndicator(_ kind: Token.Kind) throws(YAMLError) {
        try failOnOpenFlowCollection()
        unwindIndent(to: -1)
        try removeSimpleKey()
        allowSimpleKey = false
        let start = mark
        advance(3)
        append(kind, start: start)
    }

    mutating func fetchFlowCollectionStart() throws(YAMLError) {
        // A flow collection may itself be an implicit key (`[a, b]: c`).
        try saveSimpleKey()
        let start = mark
        let b = bytes[pos]
        flowOpeners.append((b, start))
        simpleKeys.append(nil)
        try checkDepth(at: start)
        allowSimpleKey = true
        advance()
        append(b == ASCII.leftBracket ? .flowSequenceStart : .flowMappingStart, start: start)
    }

    mutating func fetchFlowCollectionEnd() throws(YAMLError) {
        let start = mark
        let b = bytes[pos]
        let expectedOpener = b == ASCII.rightBracket ? ASCII.leftBracket : ASCII.leftBrace
        guard let open = flowOpeners.last else {
            throw error("found \(describeCharacter()) without a matching opening bracket", at: start)
        }
        guard open.byte == expectedOpener else {
            let want = open.byte == ASCII.leftBracket ? "']'" : "'}'"
            throw error("found \(describeCharacter()) where \(want) was expected to close the collection "
                        + "opened at line \(open.mark.line), column \(open.mark.column)", at: start)
        }
        try removeSimpleKey()
        simpleKeys.removeLast()
        flowOpeners.removeLast()
        allowSimpleKey = false
        advance()
        jsonLikeEnd = pos
        append(b == ASCII.rightBracket ? .flowSequenceEnd : .flowMappingEnd, start: start)
    }

    mutating func fetchFlowEntry() throws(YAMLError) {
        let start = mark
        guard flowLevel > 0 else {
            throw error("found ',' outside a flow collection (quote the value if it starts with ',')", at: start)
        }
        allowSimpleKey = true
        try removeSimpleKey()
        advance()
        append(.flowEntry, start: start)
    }

    mutating func fetchBlockEntry() throws(YAMLError) {
        let start = mark
        guard flowLevel == 0 else {
            throw error("'- ' block sequence entries are not allowed inside a flow collection", at: start)
        }
        guard allowSimpleKey else {
            throw error("block sequence entries are not allowed in this context (put the '-' on its own line)",
                        at: start)
        }
        if try addIndent(column, at: start) {
            append(.blockSequenceStart, start: start)
        }
        allowSimpleKey = true
        try removeSimpleKey()
        advance()
        append(.blockEntry, start: start)
    }

    /// A `:`. If a key could have started earlier on this line, a `key` token (and, at a new
    /// indentation, a `blockMappingStart`) is inserted where it started.
    mutating func fetchValue() throws(YAMLError) {
        let start = mark
        let level = simpleKeys.count - 1
        if let key = simpleKeys[level] {
            simpleKeys[level] = nil
            let at = head + (key.tokenNumber - tokensTaken)
            queue.insert(Token(kind: .key, start: key.mark, end: key.mark), at: at)
            if flowLevel == 0, try addIndent(key.column, at: key.mark) {
                queue.insert(Token(kind: .blockMappingStart, start: key.mark, end: key.mark), at: at)
            }
            allowSimpleKey = false
        } else {
            if flowLevel == 0 {
                guard allowSimpleKey else {
                    throw error("mapping values are not allowed in this context "
                                + "(a key must fit on one line; quote values that contain ': ')", at: start)
                }
                // `: value` with an empty key at the start of a line.
                if try addIndent(column, at: start) {
                    append(.blockMappingStart, start: start)
                }
            }
            allowSimpleKey = flowLevel == 0
            try removeSimpleKey()
        }
        advance()
        append(.value, start: start)
    }

    /// `&name` or `*name`. Names run to a blank or flow indicator (§6.9.2); a trailing `:` that
    /// is followed by a blank is left for the value indicator, so `*a: b` reads as a key.
    mutating func fetchAnchorOrAlias(alias: Bool) throws(YAMLError) {
        try saveSimpleKey()
        allowSimpleKey = false
        let start = mark
        let nameStart = pos + 1
        var nameEnd = nameStart
        while nameEnd < bytes.count {
            let b = bytes[nameEnd]
            if ASCII.isBlank(b) || ASCII.isFlowIndicator(b) { break }
            if b == ASCII.colon && (nameEnd + 1 == bytes.count || ASCII.isBlank(bytes[nameEnd + 1])) { break }
            nameEnd += 1
        }
        // Measuring the name before moving also sidesteps a miscompile seen with `swiftc -O`
        // without whole-module optimization, where an advance()-then-loop here kept the '&'.
        while pos < nameEnd { advance() }
        guard nameEnd > nameStart else {
            throw error("expected an \(alias ? "alias" : "anchor") name after '\(alias ? "*" : "&")', "
                        + "found \(describeCharacter())", at: start)
        }
        let name = String(decoding: bytes[nameStart..<nameEnd], as: UTF8.self)
        append(alias ? .alias(name) : .anchor(name), start: start)
    }

    /// `!`, `!!str`, `!custom`, `!<verbatim>`: kept as written (§6.8.2, §6.9.1).
    mutating func fetchTag() throws(YAMLError) {
        try saveSimpleKey()
        allowSimpleKey = false
        let start = mark
        let tagStart = pos
        advance()
        if peek() == ASCII.less {
            while pos < bytes.count, bytes[pos] != ASCII.greater, !ASCII.isBlank(bytes[pos]) { advance() }
            guard peek() == ASCII.greater else {
                throw error("unterminated verbatim tag: missing '>'", at: start)
            }
            advance()
        } else {
            while pos < bytes.count {
                let b = bytes[pos]
                if ASCII.isBlank(b) || (flowLevel > 0 && ASCII.isFlowIndicator(b)) { break }
                advance()
            }
        }
        if !isBlankOrEnd() && !(flowLevel > 0 && ASCII.isFlowIndicator(peek())) {
            throw error("expected a space after the tag, found \(describeCharacter())", at: mark)
        }
        let tag = String(decoding: bytes[tagStart..<pos], as: UTF8.self)
        append(.tag(tag), start: start)
    }

    mutating func fetchQuotedScalar(double: Bool) throws(YAMLError) {
        try saveSimpleKey()
        allowSimpleKey = false
        let start = mark
        let text = try scanQuotedScalar(double: double)
        jsonLikeEnd = pos
        // A closing quote must be followed by a separator, `:` or a flow indicator; `'x'y`
        // otherwise surfaces later as a confusing structural error.
        let next = peek()
        if !isBlankOrEnd() && next != ASCII.colon && !(flowLevel > 0 && ASCII.isFlowIndicator(next)) {
            throw error("unexpected \(describeCharacter()) right after a quoted scalar", at: mark)
        }
        append(.scalar(text, double ? .doubleQuoted : .singleQuoted), start: start)
    }

    mutating func fetchPlainScalar() throws(YAMLError) {
        try saveSimpleKey()
        allowSimpleKey = false
        let start = mark
        let (text, end) = try scanPlainScalar()
        queue.append(Token(kind: .scalar(text, .plain), start: start, end: end))
    }

    mutating func fetchBlockScalar(folded: Bool) throws(YAMLError) {
        // A block scalar always ends at the start of a line, where a key may follow.
        allowSimpleKey = true
        try removeSimpleKey()
        let start = mark
        let text = try scanBlockScalar(folded: folded)
        append(.scalar(text, folded ? .folded : .literal), start: start)
    }
}
