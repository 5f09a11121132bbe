internal import Model

/// The kinds of tokens the lexer produces (Prometheus' `ItemType`, minus the series and
/// histogram description items, which `SeriesDescription` reads on its own).
enum TokenKind: Sendable, Equatable {
    case eof, error, comment
    case identifier, metricIdentifier, string, number, duration
    case leftParen, rightParen, leftBrace, rightBrace, leftBracket, rightBracket
    case comma, assign, colon
    // Operators.
    case add, sub, mul, div, mod, pow, eqlc, neq, lss, lte, gtr, gte, eqlRegex, neqRegex, at
    case land, lor, lunless, atan2
    // Aggregators.
    case aggregator(AggregateOp)
    // Keywords.
    case offset, by, without, on, ignoring, groupLeft, groupRight, bool, start, end

    var binaryOp: BinaryOp? {
        switch self {
        case .add: .add
        case .sub: .sub
        case .mul: .mul
        case .div: .div
        case .mod: .mod
        case .pow: .pow
        case .eqlc: .eql
        case .neq: .neq
        case .lss: .lss
        case .lte: .lte
        case .gtr: .gtr
        case .gte: .gte
        case .land: .and
        case .lor: .or
        case .lunless: .unless
        case .atan2: .atan2
        default: nil
        }
    }

    /// True for keywords and aggregators, which may also serve as metric or label names.
    var isKeywordLike: Bool {
        switch self {
        case .land, .lor, .lunless, .atan2, .aggregator, .offset, .by, .without, .on, .ignoring,
             .groupLeft, .groupRight, .bool, .start, .end:
            true
        default: false
        }
    }

    static let keywords: [String: TokenKind] = {
        var k: [String: TokenKind] = [
            "and": .land, "or": .lor, "unless": .lunless, "atan2": .atan2,
            "offset": .offset, "by": .by, "without": .without, "on": .on, "ignoring": .ignoring,
            "group_left": .groupLeft, "group_right": .groupRight, "bool": .bool,
            "start": .start, "end": .end, "inf": .number, "nan": .number,
        ]
        for op in AggregateOp.allCases { k[op.rawValue] = .aggregator(op) }
        return k
    }()
}

/// One token: its kind, byte offset and text (for errors, the message).
struct Token: Sendable, Equatable {
    var kind: TokenKind
    var pos: Int
    var text: String

    var range: PositionRange { PositionRange(start: pos, end: pos + text.utf8.count) }

    /// Prometheus' `Item.desc()`, used in "unexpected ..." messages.
    var desc: String {
        switch kind {
        case .eof: return "end of input"
        case .error: return text
        case .comment: return "comment"
        case .identifier: return "identifier \(goQuote(text))"
        case .metricIdentifier: return "metric identifier \(goQuote(text))"
        case .string: return "string \(shortQuote(text))"
        case .number: return "number \(shortQuote(text))"
        case .duration: return "duration \(shortQuote(text))"
        case .aggregator: return "<aggr:\(text)>"
        case .land, .lor, .lunless, .atan2, .add, .sub, .mul, .div, .mod, .pow, .eqlc, .neq, .lss, .lte,
             .gtr, .gte, .eqlRegex, .neqRegex, .at:
            return "<op:\(text)>"
        case .offset, .by, .without, .on, .ignoring, .groupLeft, .groupRight, .bool, .start, .end:
            return "<\(text.lowercased())>"
        default: return shortQuote(text)
        }
    }

    private func shortQuote(_ s: String) -> String {
        // Go's `%.10q...` for long values.
        if s.count > 10 { return goQuote(String(s.prefix(10))) + "..." }
        return goQuote(s)
    }
}

/// Splits a query into tokens, following Prometheus' `lex.go` state machine: brace, bracket
/// and parenthesis state decide how characters are read, and the first problem becomes an
/// `.error` token carrying Prometheus' message.
struct Lexer {
    private let input: [UInt8]
    private var pos = 0
    private var start = 0
    private var parenDepth = 0
    private var braceOpen = false
    private var bracketOpen = false
    private var gotColon = false
    private(set) var tokens: [Token] = []

    init(_ text: String) { input = Array(text.utf8) }

    /// Lexes everything, stopping after the first error or at the end.
    static func tokenize(_ text: String) -> [Token] {
        var l = Lexer(text)
        l.run()
        return l.tokens
    }

    private mutating func run() {
        while true {
            let before = tokens.count
            lexOne()
            if tokens.count > before, let last = tokens.last, last.kind == .eof || last.kind == .error { return }
        }
    }

    // MARK: Helpers

    private var peekByte: UInt8? { pos < input.count ? input[pos] : nil }

    private func text(_ from: Int, _ to: Int) -> String { String(decoding: input[from ..< to], as: UTF8.self) }

    private mutating func emit(_ kind: TokenKind) {
        tokens.append(Token(kind: kind, pos: start, text: text(start, pos)))
        start = pos
    }

    private mutating func fail(_ message: String) {
        tokens.append(Token(kind: .error, pos: start, text: message))
    }

    /// Decodes the rune at `pos` (Go's `utf8.DecodeRune`: 0xFFFD width 1 on bad input).
    private func runeAt(_ i: Int) -> (scalar: Unicode.Scalar?, width: Int) {
        guard i < input.count else { return (nil, 0) }
        if let (s, w) = decodeUTF8Scalar(input, at: i) { return (s, w) }
        return (Unicode.Scalar(0xFFFD), 1)
    }

    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D }
    static func isDigit(_ b: UInt8) -> Bool { b >= 0x30 && b <= 0x39 }
    static func isAlpha(_ b: UInt8) -> Bool { b == 0x5F || (b >= 0x61 && b <= 0x7A) || (b >= 0x41 && b <= 0x5A) }
    static func isAlphaNumeric(_ b: UInt8) -> Bool { isAlpha(b) || isDigit(b) }

    // MARK: States

    private mutating func lexOne() {
        if braceOpen { lexInsideBraces(); return }
        if bracketOpen { lexInsideBrackets(); return }
        guard let c = peekByte else {
            if parenDepth != 0 { fail("unclosed left parenthesis"); return }
            emit(.eof)
            return
        }
        if c == UInt8(ascii: "#") { lexComment(); return }
        let (scalar, width) = runeAt(pos)
        pos += width
        switch c {
        case UInt8(ascii: ","): emit(.comma)
        case _ where Lexer.isSpace(c): skipSpaces()
        case UInt8(ascii: "*"): emit(.mul)
        case UInt8(ascii: "/"): emit(.div)
        case UInt8(ascii: "%"): emit(.mod)
        case UInt8(ascii: "+"): emit(.add)
        case UInt8(ascii: "-"): emit(.sub)
        case UInt8(ascii: "^"): emit(.pow)
        case UInt8(ascii: "="):
            if peekByte == UInt8(ascii: "=") { pos += 1; emit(.eqlc) }
            else if peekByte == UInt8(ascii: "~") { fail("unexpected character after '=': '~'") }
            else { emit(.assign) }
        case UInt8(ascii: "!"):
            let (n, w) = runeAt(pos)
            pos += w
            if n != "=" { fail("unexpected character after '!': \(goQuoteRune(n))"); return }
            emit(.neq)
        case UInt8(ascii: "<"):
            if peekByte == UInt8(ascii: "=") { pos += 1; emit(.lte) } else { emit(.lss) }
        case UInt8(ascii: ">"):
            if peekByte == UInt8(ascii: "=") { pos += 1; emit(.gte) } else { emit(.gtr) }
        case _ where Lexer.isDigit(c) || (c == UInt8(ascii: ".") && pos < input.count && Lexer.isDigit(input[pos])):
            pos -= 1
            lexNumberOrDuration()
        case UInt8(ascii: "\""), UInt8(ascii: "'"): lexString(quote: c)
        case UInt8(ascii: "`"): lexRawString()
        case _ where Lexer.isAlpha(c) || c == UInt8(ascii: ":"):
            pos -= 1
            lexKeywordOrIdentifier()
        case UInt8(ascii: "("):
            emit(.leftParen)
            parenDepth += 1
        case UInt8(ascii: ")"):
            emit(.rightParen)
            parenDepth -= 1
            if parenDepth < 0 { fail("unexpected right parenthesis ')'") }
        case UInt8(ascii: "{"):
            emit(.leftBrace)
            braceOpen = true
        case UInt8(ascii: "["):
            gotColon = false
            emit(.leftBracket)
            bracketOpen = true
        case UInt8(ascii: "]"):
            start = pos - 1
            fail("unexpected right bracket ']'")
        case UInt8(ascii: "@"): emit(.at)
        default:
            fail("unexpected character: \(goQuoteRune(scalar))")
        }
    }

    private mutating func skipSpaces() {
        while let b = peekByte, Lexer.isSpace(b) { pos += 1 }
        start = pos
    }

    private mutating func lexComment() {
        while let b = peekByte, b != 0x0A, b != 0x0D { pos += 1 }
        emit(.comment)
    }

    private mutating func lexInsideBrackets() {
        guard let c = peekByte else { fail("unclosed left bracket"); return }
        if Lexer.isSpace(c) { pos += 1; skipSpaces(); return }
        if c == UInt8(ascii: "]") {
            pos += 1
            emit(.rightBracket)
            bracketOpen = false
            return
        }
        if c == UInt8(ascii: ":") {
            pos += 1
            if gotColon { fail("unexpected colon ':'"); return }
            emit(.colon)
            gotColon = true
            return
        }
        if Lexer.isDigit(c) || (c == UInt8(ascii: ".") && pos + 1 < input.count && Lexer.isDigit(input[pos + 1])) {
            lexNumberOrDuration()
            return
        }
        // Signs are tokens of their own (`offset -5m` never reaches here, but `[-5m]` does).
        if c == UInt8(ascii: "-") { pos += 1; emit(.sub); return }
        if c == UInt8(ascii: "+") { pos += 1; emit(.add); return }
        let (scalar, width) = runeAt(pos)
        pos += width
        if Lexer.isAlpha(c) {
            fail("unexpected character: \(goQuoteRune(scalar)), expected ':'")
        } else {
            fail("unexpected character in duration expression: \(goQuoteRune(scalar))")
        }
    }

    private mutating func lexInsideBraces() {
        guard let c = peekByte else { fail("unexpected end of input inside braces"); return }
        if c == UInt8(ascii: "#") { lexComment(); return }
        let (scalar, width) = runeAt(pos)
        pos += width
        switch c {
        case _ where Lexer.isSpace(c): skipSpaces()
        case _ where Lexer.isAlpha(c):
            while let b = peekByte, Lexer.isAlphaNumeric(b) { pos += 1 }
            emit(.identifier)
        case UInt8(ascii: ","): emit(.comma)
        case UInt8(ascii: "\""), UInt8(ascii: "'"): lexString(quote: c)
        case UInt8(ascii: "`"): lexRawString()
        case UInt8(ascii: "="):
            if peekByte == UInt8(ascii: "~") { pos += 1; emit(.eqlRegex) } else { emit(.assign) }
        case UInt8(ascii: "!"):
            let (n, w) = runeAt(pos)
            pos += w
            if n == "~" { emit(.neqRegex) }
            else if n == "=" { emit(.neq) }
            else { fail("unexpected character after '!' inside braces: \(goQuoteRune(n))") }
        case UInt8(ascii: "{"): fail("unexpected left brace '{'")
        case UInt8(ascii: "}"):
            emit(.rightBrace)
            braceOpen = false
        default:
            fail("unexpected character inside braces: \(goQuoteRune(scalar))")
        }
    }

    private mutating func lexString(quote: UInt8) {
        while true {
            guard let b = peekByte, b != 0x0A else { fail("unterminated quoted string"); return }
            if b == UInt8(ascii: "\\") {
                pos += 1
                guard let e = peekByte else { fail("escape sequence not terminated"); return }
                pos += 1
                var digits = 0, base: UInt32 = 0, maxValue: UInt32 = 0
                switch e {
                case UInt8(ascii: "a"), UInt8(ascii: "b"), UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"),
                     UInt8(ascii: "t"), UInt8(ascii: "v"), UInt8(ascii: "\\"), quote:
                    continue
                case UInt8(ascii: "0") ... UInt8(ascii: "7"): digits = 3; base = 8; maxValue = 255; pos -= 1
                case UInt8(ascii: "x"): digits = 2; base = 16; maxValue = 255
                case UInt8(ascii: "u"): digits = 4; base = 16; maxValue = 0x10FFFF
                case UInt8(ascii: "U"): digits = 8; base = 16; maxValue = 0x10FFFF
                default:
                    pos -= 1
                    let (s, _) = runeAt(pos)
                    fail("unknown escape sequence \(goUnicodeFormat(s))")
                    return
                }
                var x: UInt32 = 0
                for _ in 0 ..< digits {
                    guard let d = peekByte else { fail("escape sequence not terminated"); return }
                    let v = Lexer.digitValue(d)
                    if v >= base {
                        let (s, _) = runeAt(pos)
                        fail("illegal character \(goUnicodeFormat(s)) in escape sequence")
                        return
                    }
                    x = x &* base &+ v
                    pos += 1
                }
                if x > maxValue || (x >= 0xD800 && x < 0xE000) {
                    fail("escape sequence is an invalid Unicode code point")
                    return
                }
                continue
            }
            if decodeUTF8Scalar(input, at: pos) == nil { fail("invalid UTF-8 rune"); return }
            let (_, w) = runeAt(pos)
            pos += w
            if b == quote { break }
        }
        emit(.string)
    }

    private mutating func lexRawString() {
        while true {
            guard let b = peekByte else { fail("unterminated raw string"); return }
            if decodeUTF8Scalar(input, at: pos) == nil { fail("invalid UTF-8 rune"); return }
            let (_, w) = runeAt(pos)
            pos += w
            if b == UInt8(ascii: "`") { break }
        }
        emit(.string)
    }

    static func digitValue(_ b: UInt8) -> UInt32 {
        switch b {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): UInt32(b - UInt8(ascii: "0"))
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): UInt32(b - UInt8(ascii: "a") + 10)
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): UInt32(b - UInt8(ascii: "A") + 10)
        default: 16
        }
    }

    private mutating func lexKeywordOrIdentifier() {
        while let b = peekByte, Lexer.isAlphaNumeric(b) || b == UInt8(ascii: ":") { pos += 1 }
        let word = text(start, pos)
        if let kw = TokenKind.keywords[word.lowercased()] {
            emit(kw)
        } else if word.contains(":") {
            emit(.metricIdentifier)
        } else {
            emit(.identifier)
        }
    }

    // MARK: Numbers and durations

    private func accept(_ set: String) -> Bool {
        guard let b = peekByte else { return false }
        return set.utf8.contains(b)
    }

    private mutating func lexNumberOrDuration() {
        if scanNumber() {
            emit(.number)
            return
        }
        if acceptRemainingDuration() {
            emit(.duration)
            return
        }
        fail("bad number or duration syntax: \(goQuote(text(start, min(pos, input.count))))")
    }

    /// Prometheus' `scanNumber`: digits with at most one dot and one exponent, `_` between
    /// digits, hexadecimal after `0x`; false when a letter follows (it may be a duration).
    private mutating func scanNumber() -> Bool {
        let initial = pos
        var digits = "0123456789"
        if peekByte == UInt8(ascii: "0"), pos + 1 < input.count, input[pos + 1] == UInt8(ascii: "x") || input[pos + 1] == UInt8(ascii: "X") {
            pos += 2
            if peekByte == UInt8(ascii: "_") { pos += 1 }
            digits = "0123456789abcdefABCDEF"
        }
        if accept(".") { pos += 1 }
        if accept(digits) { pos += 1 }
        var dotSeen = false, expSeen = false
        while accept(digits + "._eE") {
            if accept(".") {
                if dotSeen { pos += 1; return false }
                pos += 1
                dotSeen = true
                if accept("_.") { pos += 1; return false }
                if digits.count > 10 { return false }
                continue
            }
            if digits.count == 10 && accept("eE") {
                if expSeen { pos += 1; return false }
                pos += 1
                expSeen = true
                if accept("+-") { pos += 1 }
                if accept("._eE") || peekByte == nil { if peekByte != nil { pos += 1 }; return false }
                continue
            }
            if accept("_") {
                pos += 1
                if accept("._eE") || peekByte == nil { if peekByte != nil { pos += 1 }; return false }
                continue
            }
            while accept(digits) { pos += 1 }
        }
        if pos == initial { return false }
        if digits.count > 10, accept("pP") {
            // Hexadecimal float exponent (`0x1p-2`).
            pos += 1
            if accept("+-") { pos += 1 }
            while accept("0123456789") { pos += 1 }
        }
        if let b = peekByte, Lexer.isAlphaNumeric(b) { return false }
        return true
    }

    private mutating func acceptRemainingDuration() -> Bool {
        guard accept("smhdwy") else { return false }
        pos += 1
        if accept("s") { pos += 1 }
        while accept("0123456789") {
            while accept("0123456789") { pos += 1 }
            guard accept("smhdw") else { return false }
            pos += 1
            if accept("s") { pos += 1 }
        }
        if let b = peekByte, Lexer.isAlphaNumeric(b) { pos += 1; return false }
        return true
    }
}

/// Go's `%q` of a string.
func goQuote(_ s: String) -> String { goQuoted(s) }

/// Go's `%q` of a rune: `'x'`, with Go's escapes.
func goQuoteRune(_ s: Unicode.Scalar?) -> String {
    guard let s else { return "'\\x00'" }
    switch s {
    case "'": return "'\\''"
    case "\"": return "'\"'"
    default:
        let q = goQuoted(String(s))
        return "'" + q.dropFirst().dropLast() + "'"
    }
}

/// Go's `%#U`: `U+0041 'A'`.
func goUnicodeFormat(_ s: Unicode.Scalar?) -> String {
    guard let s else { return "U+FFFFFFFFFFFFFFFF" }
    var hex = String(s.value, radix: 16, uppercase: true)
    while hex.count < 4 { hex = "0" + hex }
    return "U+\(hex) \(goQuoteRune(s))"
}
