/// Single- and double-quoted scalars, YAML 1.2 §7.3.1 and §7.3.2.
extension Scanner {
    /// Scans a quoted scalar starting at its opening quote and returns its decoded text.
    ///
    /// White space before a line break is dropped and the break folds (one break → space,
    /// each further empty line → `\n`); leading white space of continuation lines is dropped.
    mutating func scanQuotedScalar(double: Bool) throws(YAMLError) -> String {
        let start = mark
        let quote = double ? ASCII.doubleQuote : ASCII.singleQuote
        advance()
        var out: [UInt8] = []
        while true {
            guard pos < bytes.count else { throw unterminated(double: double, at: start) }
            let b = bytes[pos]
            if b == quote {
                if !double && peek(1) == ASCII.singleQuote {
                    out.append(ASCII.singleQuote)
                    advance(2)
                    continue
                }
                advance()
                return String(decoding: out, as: UTF8.self)
            }
            if double && b == ASCII.backslash {
                try scanEscape(into: &out, scalarStart: start)
                continue
            }
            if ASCII.isWhite(b) {
                let whiteStart = pos
                while pos < bytes.count, ASCII.isWhite(bytes[pos]) { advance() }
                if peek() != ASCII.lf {
                    out.append(contentsOf: bytes[whiteStart..<pos])
                }
                continue
            }
            if b == ASCII.lf {
                advance()
                let emptyLines = try skipContinuationLines(double: double, scalarStart: start)
                if emptyLines == 0 {
                    out.append(ASCII.space)
                } else {
                    out.append(contentsOf: repeatElement(ASCII.lf, count: emptyLines))
                }
                continue
            }
            out.append(b)
            advance()
        }
    }

    /// After a line break inside a quoted scalar: skips the leading white space of the following
    /// lines and returns how many of them were empty. A document marker ends the stream's
    /// document, so a scalar still open there was never closed.
    private mutating func skipContinuationLines(double: Bool, scalarStart: Mark) throws(YAMLError) -> Int {
        var emptyLines = 0
        while true {
            if isDocumentMarker(ASCII.minus) || isDocumentMarker(ASCII.dot) {
                throw unterminated(double: double, at: scalarStart)
            }
            while pos < bytes.count, ASCII.isWhite(bytes[pos]) { advance() }
            guard peek() == ASCII.lf else { return emptyLines }
            advance()
            emptyLines += 1
        }
    }

    private func unterminated(double: Bool, at start: Mark) -> YAMLError {
        double
            ? error("unterminated double-quoted scalar: missing closing '\"'", at: start)
            : error("unterminated single-quoted scalar: missing closing \"'\"", at: start)
    }

    /// Decodes one escape sequence (§5.7) starting at the backslash and appends its UTF-8.
    private mutating func scanEscape(into out: inout [UInt8], scalarStart: Mark) throws(YAMLError) {
        let escapeMark = mark
        advance()
        guard pos < bytes.count else { throw unterminated(double: true, at: scalarStart) }
        let c = bytes[pos]
        let simple: UInt32?
        switch c {
        case ASCII.lf:
            // An escaped line break joins the lines without a space; empty lines that follow
            // still count as line feeds (s-double-escaped).
            advance()
            out.append(contentsOf: repeatElement(ASCII.lf, count: try skipContinuationLines(
                double: true, scalarStart: scalarStart)))
            return
        case UInt8(ascii: "0"): simple = 0x00
        case UInt8(ascii: "a"): simple = 0x07
        case UInt8(ascii: "b"): simple = 0x08
        case UInt8(ascii: "t"), ASCII.tab: simple = 0x09
        case UInt8(ascii: "n"): simple = 0x0A
        case UInt8(ascii: "v"): simple = 0x0B
        case UInt8(ascii: "f"): simple = 0x0C
        case UInt8(ascii: "r"): simple = 0x0D
        case UInt8(ascii: "e"): simple = 0x1B
        case ASCII.space: simple = 0x20
        case ASCII.doubleQuote: simple = 0x22
        case ASCII.slash: simple = 0x2F
        case ASCII.backslash: simple = 0x5C
        case UInt8(ascii: "N"): simple = 0x85
        case UInt8(ascii: "_"): simple = 0xA0
        case UInt8(ascii: "L"): simple = 0x2028
        case UInt8(ascii: "P"): simple = 0x2029
        default: simple = nil
        }
        if let simple {
            advance()
            appendUTF8(simple, to: &out)
            return
        }
        let digits: Int
        switch c {
        case UInt8(ascii: "x"): digits = 2
        case UInt8(ascii: "u"): digits = 4
        case UInt8(ascii: "U"): digits = 8
        default:
            throw error("invalid escape sequence '\\\(describeCharacter().trimmingQuotes)' in a double-quoted scalar",
                        at: escapeMark)
        }
        advance()
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let d = ASCII.hexValue(peek()) else {
                throw error("invalid escape sequence: '\\\(Character(Unicode.Scalar(c)))' needs \(digits) "
                            + "hexadecimal digits, found \(describeCharacter())", at: escapeMark)
            }
            value = value << 4 | d
            advance()
        }
        guard Unicode.Scalar(value) != nil else {
            throw error("invalid escape sequence: \(InputText.hexCodePoint(value)) is not a Unicode scalar value",
                        at: escapeMark)
        }
        appendUTF8(value, to: &out)
    }

    private func appendUTF8(_ value: UInt32, to out: inout [UInt8]) {
        guard let scalar = Unicode.Scalar(value) else { return }
        UTF8.encode(scalar) { out.append($0) }
    }
}

extension String {
    /// `'x'` → `x`, for splicing a described character into another quoted form.
    fileprivate var trimmingQuotes: String {
        guard count >= 2, first == "'", last == "'" else { return self }
        return String(dropFirst().dropLast())
    }
}
