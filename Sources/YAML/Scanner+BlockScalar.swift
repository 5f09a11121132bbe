/// Literal (`|`) and folded (`>`) block scalars, YAML 1.2 §8.1.
extension Scanner {
    private enum Chomping { case strip, clip, keep }

    /// Scans a block scalar from its `|` or `>` indicator and returns its text.
    ///
    /// The header may carry a chomping indicator (`-` strip, `+` keep, default clip) and an
    /// indentation indicator (1–9) in either order. Without the latter, the content indentation
    /// is that of the first non-empty line (§8.1.1.1). Folding (§8.1.3) joins two adjacent
    /// "normal" lines with a space; lines that start with white space ("more indented") keep
    /// their line breaks, as do empty lines.
    mutating func scanBlockScalar(folded: Bool) throws(YAMLError) -> String {
        let headerMark = mark
        advance()
        var chomping = Chomping.clip
        var increment: Int?
        var sawChomping = false
        for _ in 0..<2 {
            let c = peek()
            if (c == ASCII.plus || c == ASCII.minus) && !sawChomping {
                chomping = c == ASCII.plus ? .keep : .strip
                sawChomping = true
                advance()
            } else if c >= ASCII.one && c <= ASCII.nine && increment == nil {
                increment = Int(c - ASCII.zero)
                advance()
            } else if c == ASCII.zero {
                throw error("the indentation indicator of a block scalar must be 1 to 9, found '0'", at: mark)
            }
        }
        let whiteStart = pos
        while pos < bytes.count, ASCII.isWhite(bytes[pos]) { advance() }
        if peek() == ASCII.hash && pos > whiteStart {
            while pos < bytes.count, bytes[pos] != ASCII.lf { advance() }
        }
        guard isAtLineEnd else {
            throw error("expected a comment or a line break after the block scalar header, found "
                        + describeCharacter(), at: mark)
        }
        advance()

        // Indentation indicators count from the parent collection's column, and from column 0
        // at the top level. Content is indented at least one space, even at the top level,
        // as in libyaml (which Prometheus' Go YAML library is a port of).
        let parentIndent = max(indent, 0)
        let minIndent = max(indent + 1, 1)
        var contentIndent: Int
        var pendingBreaks = 0
        if let increment {
            contentIndent = parentIndent + increment
            pendingBreaks = skipEmptyLines(upTo: contentIndent)
        } else {
            var maxEmptyIndent = 0
            while true {
                while peek() == ASCII.space { advance() }
                guard peek() == ASCII.lf else { break }
                maxEmptyIndent = max(maxEmptyIndent, column)
                advance()
                pendingBreaks += 1
            }
            contentIndent = max(minIndent, column)
            if !atEnd && column >= minIndent && maxEmptyIndent > column {
                throw error("a leading empty line of this block scalar has more spaces than its first "
                            + "content line (\(maxEmptyIndent) > \(column))", at: headerMark)
            }
        }

        var out: [UInt8] = []
        var sawContent = false
        var previousMoreIndented = false
        var endsWithBreak = false
        while column == contentIndent && !atEnd {
            let moreIndented = ASCII.isWhite(peek())
            if sawContent {
                if folded && !previousMoreIndented && !moreIndented {
                    if pendingBreaks == 0 {
                        out.append(ASCII.space)
                    } else {
                        out.append(contentsOf: repeatElement(ASCII.lf, count: pendingBreaks))
                    }
                } else {
                    out.append(contentsOf: repeatElement(ASCII.lf, count: pendingBreaks + 1))
                }
            } else {
                out.append(contentsOf: repeatElement(ASCII.lf, count: pendingBreaks))
            }
            let lineStartPos = pos
            while pos < bytes.count, bytes[pos] != ASCII.lf { advance() }
            out.append(contentsOf: bytes[lineStartPos..<pos])
            sawContent = true
            previousMoreIndented = moreIndented
            endsWithBreak = !atEnd
            advance()
            pendingBreaks = skipEmptyLines(upTo: contentIndent)
        }

        switch chomping {
        case .strip:
            break
        case .clip:
            if sawContent && endsWithBreak { out.append(ASCII.lf) }
        case .keep:
            if sawContent && endsWithBreak { out.append(ASCII.lf) }
            out.append(contentsOf: repeatElement(ASCII.lf, count: pendingBreaks))
        }
        return String(decoding: out, as: UTF8.self)
    }

    private var isAtLineEnd: Bool { atEnd || peek() == ASCII.lf }

    /// Consumes lines that are empty (only up to `indent` spaces) and returns how many there
    /// were. Stops at the first content line with its indentation consumed, or at a less
    /// indented line with only the spaces before `indent` consumed.
    private mutating func skipEmptyLines(upTo indent: Int) -> Int {
        var breaks = 0
        while true {
            while column < indent && peek() == ASCII.space { advance() }
            guard peek() == ASCII.lf else { return breaks }
            advance()
            breaks += 1
        }
    }
}
