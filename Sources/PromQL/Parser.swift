internal import Foundation
package import Model

/// Parses PromQL text into an `Expr` and type-checks it (Prometheus' `parser.ParseExpr`).
///
/// A recursive-descent parser with precedence climbing over the lexer's tokens. It follows
/// the yacc grammar in `generated_parser.y`: binary operators by the precedence table (`^`
/// right-associative), unary `+`/`-` binding like `*`, and `[...]`, `offset` and `@` binding
/// tighter than everything. Errors carry Prometheus' wording and the position of the first
/// problem. Nesting deeper than `maxDepth` is rejected rather than risking the stack.
package struct PromQLParser {
    /// The deepest expression tree accepted.
    package static let maxDepth = 256

    private let query: String
    private let tokens: [Token]
    private var index = 0
    private var depth = 0
    /// End offset of the last consumed token (Prometheus' `lastClosing`).
    private var lastEnd = 0

    private init(_ query: String) {
        self.query = query
        self.tokens = Lexer.tokenize(query).filter { $0.kind != .comment }
    }

    /// Parses and type-checks `query`.
    package static func parse(_ query: String) throws(PromQLError) -> Expr {
        var p = PromQLParser(query)
        if p.peek.kind == .eof {
            throw PromQLError.parse(message: "no expression found in input", position: PositionRange(start: 0, end: 0).lineColumn(in: query), range: PositionRange(start: 0, end: 0))
        }
        let e = try p.parseExpr(0)
        if p.peek.kind != .eof {
            try p.unexpected("", "")
        }
        try p.check(e)
        return e
    }

    /// Parses a series selector such as a `match[]` parameter (Prometheus'
    /// `parser.ParseMetricSelector`): `name`, `name{...}` or `{...}` and nothing else, with the
    /// parser's wording for errors (`1:4: parse error: unexpected <op:->`).
    package static func parseMetricSelector(_ input: String) throws(PromQLError) -> [Matcher] {
        var p = PromQLParser(input)
        let t = p.peek
        let e: Expr
        switch t.kind {
        case .leftBrace:
            // No "at least one non-empty matcher" check here: Prometheus runs it in checkAST,
            // which ParseMetricSelector skips; the API applies its own check with its wording.
            let (matchers, end) = try p.parseLabelMatchers()
            e = .vectorSelector(VectorSelector(name: "", matchers: matchers, position: PositionRange(start: t.pos, end: end)))
        case .identifier, .metricIdentifier:
            e = try p.parseSelectorWithName()
        case _ where t.kind.isKeywordLike:
            e = try p.parseSelectorWithName()
        default:
            try p.unexpected("", "", lookahead: false)
        }
        if p.peek.kind != .eof { try p.unexpected("", "", lookahead: false) }
        guard case let .vectorSelector(vs) = e else { try p.unexpected("", "", lookahead: false) }
        return vs.matchers
    }

    // MARK: Tokens

    private var peek: Token { index < tokens.count ? tokens[index] : Token(kind: .eof, pos: query.utf8.count, text: "") }

    private func peek(_ ahead: Int) -> Token {
        let i = index + ahead
        return i < tokens.count ? tokens[i] : Token(kind: .eof, pos: query.utf8.count, text: "")
    }

    @discardableResult
    private mutating func advance() -> Token {
        let t = peek
        if index < tokens.count { index += 1 }
        lastEnd = t.range.end
        return t
    }

    private func error(_ message: String, _ range: PositionRange) -> PromQLError {
        .parse(message: message, position: range.lineColumn(in: query), range: range)
    }

    /// Prometheus' `unexpected(context, expected)`; a lexer error is reported as it is.
    private func unexpected(_ context: String, _ expected: String, lookahead: Bool = true) throws(PromQLError) -> Never {
        let t = peek
        if t.kind == .error { throw error(t.text, t.range) }
        // Yacc reads one more token while recovering; a lexer error there is reported first.
        // Not in series selectors: there the grammar fails on the token itself (`sum(` as a
        // match[] is `1:4: parse error: unexpected "("`).
        if lookahead, peek(1).kind == .error { throw error(peek(1).text, peek(1).range) }
        var msg = "unexpected " + t.desc
        if !context.isEmpty { msg += " in " + context }
        if !expected.isEmpty { msg += ", expected " + expected }
        throw error(msg, t.range)
    }

    private mutating func expect(_ kind: TokenKind, _ context: String, _ expected: String) throws(PromQLError) -> Token {
        if peek.kind != kind { try unexpected(context, expected) }
        return advance()
    }

    // MARK: Expressions

    private mutating func parseExpr(_ minPrec: Int) throws(PromQLError) -> Expr {
        depth += 1
        defer { depth -= 1 }
        if depth > PromQLParser.maxDepth {
            throw error("expression nesting is too deep (more than \(PromQLParser.maxDepth) levels)", peek.range)
        }
        var lhs = try parseUnary()
        while let op = peek.kind.binaryOp, op.precedence >= minPrec {
            let opToken = advance()
            var returnBool = false
            var matching = VectorMatching()
            if peek.kind == .bool { advance(); returnBool = true }
            if peek.kind == .on || peek.kind == .ignoring {
                matching.on = advance().kind == .on
                matching.matchingLabels = try parseGroupingLabels()
                if peek.kind == .groupLeft || peek.kind == .groupRight {
                    matching.card = advance().kind == .groupLeft ? .manyToOne : .oneToMany
                    if peek.kind == .leftParen { matching.include = try parseGroupingLabels() }
                }
            }
            let rhs = try parseExpr(op.isRightAssociative ? op.precedence : op.precedence + 1)
            lhs = try makeBinary(op, opToken, lhs, rhs, matching, returnBool)
            if treeDepth(lhs) > PromQLParser.maxDepth {
                throw error("expression nesting is too deep (more than \(PromQLParser.maxDepth) levels)", lhs.position)
            }
        }
        return lhs
    }

    private func treeDepth(_ e: Expr) -> Int {
        // Left-leaning chains (`a + b + c ...`) grow without recursion in the parser; measure
        // along the left spine, which is where they grow.
        var d = 0
        var cur = e
        while case let .binary(b) = cur { d += 1; cur = b.lhs }
        return d + depth
    }

    private mutating func makeBinary(_ op: BinaryOp, _ opToken: Token, _ lhs: Expr, _ rhs: Expr,
                                     _ matchingIn: VectorMatching, _ returnBool: Bool) throws(PromQLError) -> Expr {
        var matching = matchingIn
        let lt = lhs.type, rt = rhs.type
        let opRange = opToken.range
        if returnBool && !op.isComparison {
            throw error("bool modifier can only be used on comparison operators", opRange)
        }
        if op.isComparison && !returnBool && lt == .scalar && rt == .scalar {
            throw error("comparisons between scalars must use BOOL modifier", opRange)
        }
        if op.isSetOperator && matching.card == .oneToOne { matching.card = .manyToMany }
        if matching.on {
            for l in matching.matchingLabels where matching.include.contains(l) {
                throw error("label \(goQuote(l)) must not occur in ON and GROUP clause at once", opRange)
            }
        }
        let whole = PositionRange(start: lhs.position.start, end: rhs.position.end)
        if lt != .scalar && lt != .vector {
            throw error("binary expression must contain only scalar and instant vector types", lhs.position)
        }
        if rt != .scalar && rt != .vector {
            throw error("binary expression must contain only scalar and instant vector types", rhs.position)
        }
        var finalMatching: VectorMatching? = matching
        if lt != .vector || rt != .vector {
            if !matching.matchingLabels.isEmpty {
                throw error("vector matching only allowed between instant vectors", whole)
            }
            finalMatching = nil
        } else if op.isSetOperator {
            if matching.card == .oneToMany || matching.card == .manyToOne {
                throw error("no grouping allowed for \(goQuote(op.rawValue)) operation", whole)
            }
        }
        if (lt == .scalar || rt == .scalar) && op.isSetOperator {
            throw error("set operator \(goQuote(op.rawValue)) not allowed in binary scalar expression", whole)
        }
        return .binary(BinaryExpr(op: op, lhs: lhs, rhs: rhs, matching: finalMatching, returnBool: returnBool, position: whole))
    }

    private mutating func parseUnary() throws(PromQLError) -> Expr {
        if peek.kind == .add || peek.kind == .sub {
            let opToken = advance()
            let negate = opToken.kind == .sub
            let operand = try parseExpr(BinaryOp.pow.precedence)
            if case var .number(n) = operand {
                if negate { n.value = -n.value }
                n.position.start = opToken.pos
                return .number(n)
            }
            let range = PositionRange(start: opToken.pos, end: operand.position.end)
            let t = operand.type
            if t != .scalar && t != .vector {
                throw error("unary expression only allowed on expressions of type scalar or instant vector, got \(goQuote(t.documented))", range)
            }
            return .unary(negate: negate, operand, range)
        }
        var e = try parsePrimary()
        try parsePostfix(&e)
        return e
    }

    private mutating func parsePostfix(_ e: inout Expr) throws(PromQLError) {
        while true {
            switch peek.kind {
            case .leftBracket: e = try parseRangeOrSubquery(e)
            case .offset: try parseOffset(&e)
            case .at: try parseAt(&e)
            default: return
            }
        }
    }

    private mutating func parsePrimary() throws(PromQLError) -> Expr {
        let t = peek
        switch t.kind {
        case .number:
            advance()
            guard let v = parseGoNumber(t.text) else {
                throw error("error parsing number: strconv.ParseFloat: parsing \(goQuote(t.text)): invalid syntax", t.range)
            }
            return .number(NumberLiteral(value: v, position: t.range))
        case .duration:
            advance()
            let ms = try durationMs(t)
            return .number(NumberLiteral(value: Double(ms) / 1000, isDuration: true, position: t.range))
        case .string:
            advance()
            return .string(try unquote(t), t.range)
        case .leftParen:
            advance()
            let inner = try parseExpr(0)
            if peek.kind != .rightParen { try unexpected("paren expression", "\")\"") }
            let close = advance()
            return .paren(inner, PositionRange(start: t.pos, end: close.range.end))
        case .leftBrace:
            let (matchers, end) = try parseLabelMatchers()
            return .vectorSelector(try makeSelector(name: "", matchers: matchers, range: PositionRange(start: t.pos, end: end)))
        case let .aggregator(op) where [.leftParen, .by, .without].contains(peek(1).kind):
            return try parseAggregate(op)
        case .identifier where peek(1).kind == .leftParen:
            return try parseCall()
        case .start where peek(1).kind == .leftParen, .end where peek(1).kind == .leftParen:
            return try parseCall()
        case .identifier, .metricIdentifier:
            return try parseSelectorWithName()
        case _ where t.kind.isKeywordLike:
            return try parseSelectorWithName()
        case .error:
            throw error(t.text, t.range)
        default:
            try unexpected("", "")
        }
    }

    private mutating func parseSelectorWithName() throws(PromQLError) -> Expr {
        let nameToken = advance()
        var matchers: [Matcher] = []
        var end = nameToken.range.end
        if peek.kind == .leftBrace {
            (matchers, end) = try parseLabelMatchers()
        }
        matchers.append(.equal(Labels.metricName, nameToken.text))
        return .vectorSelector(try makeSelector(name: nameToken.text, matchers: matchers,
                                                range: PositionRange(start: nameToken.pos, end: end)))
    }

    private func makeSelector(name: String, matchers: [Matcher], range: PositionRange) throws(PromQLError) -> VectorSelector {
        if !name.isEmpty {
            for m in matchers.dropLast() where m.name == Labels.metricName {
                throw error("metric name must not be set twice: \(goQuote(name)) or \(goQuote(m.value))", range)
            }
        } else if !matchers.contains(where: { !$0.matchesEmpty }) {
            throw error("vector selector must contain at least one non-empty matcher", range)
        }
        return VectorSelector(name: name, matchers: matchers, position: range)
    }

    /// `{ a="b", "c"=~"d", "metric" }`; returns the matchers and the end of `}`.
    private mutating func parseLabelMatchers() throws(PromQLError) -> ([Matcher], Int) {
        _ = advance() // {
        var matchers: [Matcher] = []
        while peek.kind != .rightBrace {
            let t = peek
            var name: String
            var nameRange = t.range
            switch t.kind {
            case .identifier:
                advance()
                name = t.text
            case .string:
                advance()
                name = try unquote(t)
                nameRange = t.range
                if peek.kind == .comma || peek.kind == .rightBrace {
                    matchers.append(.equal(Labels.metricName, name))
                    if peek.kind == .comma { advance() }
                    continue
                }
            default:
                try unexpected("label matching", "identifier or \"}\"")
            }
            let type: Matcher.MatchType
            switch peek.kind {
            case .assign: type = .equal
            case .neq: type = .notEqual
            case .eqlRegex: type = .regexMatch
            case .neqRegex: type = .regexNoMatch
            default: try unexpected("label matching", "label matching operator")
            }
            advance()
            guard peek.kind == .string else { try unexpected("label matching", "string") }
            let valueToken = advance()
            let value = try unquote(valueToken)
            do {
                matchers.append(try Matcher(type, name, value))
            } catch {
                throw self.error(error.description, PositionRange(start: nameRange.start, end: valueToken.range.end))
            }
            if peek.kind == .comma {
                advance()
            } else if peek.kind != .rightBrace {
                try unexpected("label matching", "\",\" or \"}\"")
            }
        }
        let close = advance()
        return (matchers, close.range.end)
    }

    private mutating func parseGroupingLabels() throws(PromQLError) -> [String] {
        guard peek.kind == .leftParen else { try unexpected("grouping opts", "\"(\"") }
        advance()
        var labels: [String] = []
        while peek.kind != .rightParen {
            let t = peek
            if t.kind == .identifier || t.kind == .metricIdentifier || t.kind.isKeywordLike {
                advance()
                labels.append(t.text)
            } else if t.kind == .string {
                advance()
                let name = try unquote(t)
                if !isValidLabelName(name) {
                    throw error("invalid label name for grouping: \(goQuoteBytes(name))", t.range)
                }
                labels.append(name)
            } else {
                try unexpected("grouping opts", "label")
            }
            if peek.kind == .comma {
                advance()
            } else if peek.kind != .rightParen {
                try unexpected("grouping opts", "\",\" or \")\"")
            }
        }
        advance()
        return labels
    }

    private mutating func parseCallArgs() throws(PromQLError) -> [Expr] {
        _ = advance() // (
        var args: [Expr] = []
        if peek.kind == .rightParen { advance(); return args }
        while true {
            args.append(try parseExpr(0))
            if peek.kind == .comma {
                let comma = advance()
                if peek.kind == .rightParen {
                    throw error("trailing commas not allowed in function call args", comma.range)
                }
                continue
            }
            if peek.kind == .rightParen { advance(); return args }
            try unexpected("function call args", "\",\" or \")\"")
        }
    }

    private mutating func parseCall() throws(PromQLError) -> Expr {
        let nameToken = advance()
        let name = nameToken.text
        let args = try parseCallArgs()
        let range = PositionRange(start: nameToken.pos, end: lastEnd)
        guard let fn = FunctionSignature.all[name] else {
            if FunctionSignature.unsupported.contains(name) {
                throw error("function \(goQuote(name)) is not supported (native histograms and experimental features are not implemented)", nameToken.range)
            }
            throw error("unknown function with name \(goQuote(name))", nameToken.range)
        }
        let nargs = fn.argTypes.count
        if fn.variadic == 0 {
            if nargs != args.count {
                throw error("expected \(nargs) argument(s) in call to \(goQuote(name)), got \(args.count)", range)
            }
        } else {
            let na = nargs - 1
            if na > args.count {
                throw error("expected at least \(na) argument(s) in call to \(goQuote(name)), got \(args.count)", range)
            } else if fn.variadic > 0 && na + fn.variadic < args.count {
                throw error("expected at most \(na + fn.variadic) argument(s) in call to \(goQuote(name)), got \(args.count)", range)
            }
        }
        for (i, arg) in args.enumerated() {
            var ti = i
            if i >= nargs {
                if fn.variadic == 0 { break }
                ti = nargs - 1
            }
            let want = fn.argTypes[ti]
            if arg.type != want {
                throw error("expected type \(want.documented) in call to function \(goQuote(name)), got \(arg.type.documented)", arg.position)
            }
        }
        return .call(Call(function: fn, args: args, position: range))
    }

    private mutating func parseAggregate(_ op: AggregateOp) throws(PromQLError) -> Expr {
        let opToken = advance()
        var grouping: [String] = []
        var without = false
        var modifierSeen = false
        if peek.kind == .by || peek.kind == .without {
            without = advance().kind == .without
            grouping = try parseGroupingLabels()
            modifierSeen = true
        }
        guard peek.kind == .leftParen else { try unexpected("aggregation", "") }
        let args = try parseCallArgs()
        var end = lastEnd
        if !modifierSeen && (peek.kind == .by || peek.kind == .without) {
            without = advance().kind == .without
            grouping = try parseGroupingLabels()
            end = lastEnd
        }
        let range = PositionRange(start: opToken.pos, end: end)
        if args.isEmpty { throw error("no arguments for aggregate expression provided", range) }
        if op.isExperimental {
            throw error("\(op.rawValue)() is experimental and must be enabled with --enable-feature=promql-experimental-functions", range)
        }
        let desired = op.hasParam ? 2 : 1
        if args.count != desired {
            throw error("wrong number of arguments for aggregate expression provided, expected \(desired), got \(args.count)", range)
        }
        let expr = args[desired - 1]
        let param: Expr? = op.hasParam ? args[0] : nil
        if expr.type != .vector {
            throw error("expected type instant vector in aggregation expression, got \(expr.type.documented)", expr.position)
        }
        if let param {
            let want: ValueType = op == .countValues ? .string : .scalar
            if param.type != want {
                throw error("expected type \(want.documented) in aggregation parameter, got \(param.type.documented)", param.position)
            }
        }
        return .aggregate(AggregateExpr(op: op, expr: expr, param: param, grouping: grouping, without: without, position: range))
    }

    // MARK: Postfix modifiers

    /// A duration or a number of seconds inside brackets or after `offset`, in milliseconds.
    private mutating func parseDuration(allowSign: Bool, context: String, expected: String) throws(PromQLError) -> (Int64, PositionRange) {
        var sign: Int64 = 1
        var start = peek.pos
        if allowSign && (peek.kind == .add || peek.kind == .sub) {
            sign = advance().kind == .sub ? -1 : 1
        } else {
            start = peek.pos
        }
        let t = peek
        switch t.kind {
        case .duration:
            advance()
            return (sign * (try durationMs(t)), PositionRange(start: start, end: t.range.end))
        case .number:
            advance()
            guard let v = parseGoNumber(t.text) else { throw error("error parsing number: \(t.text)", t.range) }
            let seconds = Double(sign) * v
            if !(seconds.magnitude <= Double(Int64.max) / 1e9) {
                throw error("duration out of range", PositionRange(start: start, end: t.range.end))
            }
            let ns = (seconds * 1e9).rounded()
            return (Int64(ns) / 1_000_000, PositionRange(start: start, end: t.range.end))
        default:
            try unexpected(context, expected)
        }
    }

    private func durationMs(_ t: Token) throws(PromQLError) -> Int64 {
        do {
            return try PromDuration(parsing: t.text).milliseconds
        } catch {
            // Prometheus checks the shape with a regular expression first.
            let message = error == .durationOutOfRange ? error.description : "not a valid duration string: \(goQuote(t.text))"
            throw self.error(message, t.range)
        }
    }

    private mutating func parseRangeOrSubquery(_ e: Expr) throws(PromQLError) -> Expr {
        let open = advance() // [
        if peek.kind == .error { throw error(peek.text, peek.range) }
        let (rangeMs, rangeRange) = try parseDuration(allowSign: true, context: "subquery or range selector", expected: "number or duration")
        if rangeMs <= 0 { throw error("duration must be greater than 0", rangeRange) }
        if peek.kind == .rightBracket {
            let close = advance()
            let errRange = PositionRange(start: open.pos, end: close.range.end)
            guard case let .vectorSelector(vs) = e else { throw error("ranges only allowed for vector selectors", errRange) }
            if vs.offsetMs != 0 { throw error("no offset modifiers allowed before range", errRange) }
            if vs.at != nil { throw error("no @ modifiers allowed before range", errRange) }
            return .matrixSelector(MatrixSelector(selector: vs, rangeMs: rangeMs, position: PositionRange(start: vs.position.start, end: close.range.end)))
        }
        guard peek.kind == .colon else {
            if peek.kind == .error { throw error(peek.text, peek.range) }
            try unexpected("subquery or range", "\":\" or \"]\"")
        }
        advance()
        var stepMs: Int64 = 0
        if peek.kind != .rightBracket {
            let (s, sr) = try parseDuration(allowSign: true, context: "subquery selector", expected: "number, duration, or \"]\"")
            if s <= 0 { throw error("duration must be greater than 0", sr) }
            stepMs = s
        }
        guard peek.kind == .rightBracket else {
            if peek.kind == .error { throw error(peek.text, peek.range) }
            try unexpected("subquery selector", "\"]\"")
        }
        let close = advance()
        if e.type != .vector {
            throw error("subquery is only allowed on instant vector, got \(e.type.rawValue) instead", PositionRange(start: e.position.start, end: close.range.end))
        }
        return .subquery(SubqueryExpr(expr: e, rangeMs: rangeMs, stepMs: stepMs, offsetMs: 0, at: nil,
                                      position: PositionRange(start: e.position.start, end: close.range.end)))
    }

    private mutating func parseOffset(_ e: inout Expr) throws(PromQLError) {
        advance() // offset
        let (ms, _) = try parseDuration(allowSign: true, context: "offset", expected: "number or duration")
        let end = lastEnd
        switch e {
        case var .vectorSelector(vs):
            if vs.offsetMs != 0 { throw error("offset may not be set multiple times", vs.position) }
            vs.offsetMs = ms
            vs.position.end = end
            e = .vectorSelector(vs)
        case var .matrixSelector(m):
            if m.selector.offsetMs != 0 { throw error("offset may not be set multiple times", m.position) }
            m.selector.offsetMs = ms
            m.position.end = end
            e = .matrixSelector(m)
        case var .subquery(s):
            if s.offsetMs != 0 { throw error("offset may not be set multiple times", s.position) }
            s.offsetMs = ms
            s.position.end = end
            e = .subquery(s)
        default:
            throw error("offset modifier must be preceded by an instant vector selector or range vector selector or a subquery", e.position)
        }
    }

    private mutating func parseAt(_ e: inout Expr) throws(PromQLError) {
        advance() // @
        let at: AtModifier
        if peek.kind == .start || peek.kind == .end {
            let which = advance()
            guard peek.kind == .leftParen else { try unexpected("@", "\"(\"") }
            advance()
            guard peek.kind == .rightParen else { try unexpected("@", "\")\"") }
            advance()
            at = which.kind == .start ? .start : .end
        } else {
            var sign = 1.0
            if peek.kind == .add || peek.kind == .sub { sign = advance().kind == .sub ? -1 : 1 }
            let t = peek
            var seconds: Double
            switch t.kind {
            case .number:
                advance()
                guard let v = parseGoNumber(t.text) else { throw error("error parsing number: \(t.text)", t.range) }
                seconds = v
            case .duration:
                advance()
                seconds = Double(try durationMs(t)) / 1000
            default:
                try unexpected("@", "timestamp")
            }
            seconds *= sign
            if seconds.isInfinite || seconds.isNaN || seconds >= Double(Int64.max) || seconds <= Double(Int64.min) {
                throw error("timestamp out of bounds for @ modifier: \(formatGoF6(seconds))", e.position)
            }
            // Prometheus' `timestamp.FromFloatSeconds`: round to milliseconds.
            at = .timestamp(Int64((seconds * 1000).rounded()))
        }
        let end = lastEnd
        switch e {
        case var .vectorSelector(vs):
            if vs.at != nil { throw error("@ <timestamp> may not be set multiple times", vs.position) }
            vs.at = at
            vs.position.end = end
            e = .vectorSelector(vs)
        case var .matrixSelector(m):
            if m.selector.at != nil { throw error("@ <timestamp> may not be set multiple times", m.position) }
            m.selector.at = at
            m.position.end = end
            e = .matrixSelector(m)
        case var .subquery(s):
            if s.at != nil { throw error("@ <timestamp> may not be set multiple times", s.position) }
            s.at = at
            s.position.end = end
            e = .subquery(s)
        default:
            throw error("@ modifier must be preceded by an instant vector selector or range vector selector or a subquery", e.position)
        }
    }

    // MARK: Checks after parsing

    /// The remaining semantic checks of Prometheus' `checkAST` that need the whole tree.
    private func check(_ e: Expr) throws(PromQLError) {
        // Types were checked while building; nothing left that needs the whole tree yet, but
        // the walk guards against trees built by hand.
        for c in e.children { try check(c) }
    }

    // MARK: Strings

    private func unquote(_ t: Token) throws(PromQLError) -> String {
        guard let s = unquoteGoString(t.text) else {
            throw error("error unquoting string \(goQuote(t.text)): invalid syntax", t.range)
        }
        return s
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` then `ParseFloat(s, 64)`, as Prometheus reads numbers.
package func parseGoNumber(_ text: String) -> Double? {
    let lower = text.lowercased()
    if lower == "inf" || lower == "+inf" || lower == "infinity" { return .infinity }
    if lower == "-inf" { return -.infinity }
    if lower == "nan" { return .nan }
    var s = Substring(text)
    var negative = false
    if s.hasPrefix("+") { s = s.dropFirst() } else if s.hasPrefix("-") { negative = true; s = s.dropFirst() }
    // Integers with a base prefix (or a leading 0: octal), underscores between digits.
    var base = 10
    var digits = s
    if s.count > 1, s.hasPrefix("0") {
        let second = s.dropFirst().first.map { Character($0.lowercased()) }
        switch second {
        case "x": base = 16; digits = s.dropFirst(2)
        case "o": base = 8; digits = s.dropFirst(2)
        case "b": base = 2; digits = s.dropFirst(2)
        default: base = 8; digits = s.dropFirst()
        }
    }
    let cleaned = digits.replacingOccurrences(of: "_", with: "")
    if !cleaned.isEmpty, let v = UInt64(cleaned, radix: base), v <= UInt64(Int64.max) {
        let d = Double(Int64(v))
        return negative ? -d : d
    }
    if text.contains("_") {
        if !(lower.hasPrefix("0x") || lower.hasPrefix("-0x") || lower.hasPrefix("+0x")) { return nil }
    }
    let plain = text.replacingOccurrences(of: "_", with: "")
    return Double(plain)
}

/// Go's `strconv.Unquote` extended as Prometheus' `strutil.Unquote`: `"..."` and `'...'` with
/// Go escapes (a single-quoted string may hold any number of characters), and raw `` `...` ``.
package func unquoteGoString(_ text: String) -> String? {
    let b = Array(text.utf8)
    guard b.count >= 2, let q = b.first, b.last == q else { return nil }
    let body = Array(b[1 ..< b.count - 1])
    if q == UInt8(ascii: "`") {
        if body.contains(UInt8(ascii: "`")) { return nil }
        return String(decoding: body.filter { $0 != 0x0D }, as: UTF8.self)
    }
    guard q == UInt8(ascii: "\"") || q == UInt8(ascii: "'") else { return nil }
    var out: [UInt8] = []
    var i = 0
    while i < body.count {
        let c = body[i]
        if c == q || c == 0x0A { return nil }
        if c != UInt8(ascii: "\\") { out.append(c); i += 1; continue }
        i += 1
        guard i < body.count else { return nil }
        let e = body[i]
        i += 1
        switch e {
        case UInt8(ascii: "a"): out.append(0x07)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "v"): out.append(0x0B)
        case UInt8(ascii: "\\"): out.append(0x5C)
        case UInt8(ascii: "'"), UInt8(ascii: "\""):
            out.append(e)
        case UInt8(ascii: "0") ... UInt8(ascii: "7"):
            guard i + 2 <= body.count else { return nil }
            var v = UInt32(e - 0x30)
            for k in 0 ..< 2 {
                let d = body[i + k]
                guard d >= 0x30 && d <= 0x37 else { return nil }
                v = v * 8 + UInt32(d - 0x30)
            }
            guard v <= 255 else { return nil }
            out.append(UInt8(v))
            i += 2
        case UInt8(ascii: "x"), UInt8(ascii: "u"), UInt8(ascii: "U"):
            let n = e == UInt8(ascii: "x") ? 2 : (e == UInt8(ascii: "u") ? 4 : 8)
            guard i + n <= body.count else { return nil }
            var v: UInt32 = 0
            for k in 0 ..< n {
                let d = Lexer.digitValue(body[i + k])
                guard d < 16 else { return nil }
                v = v * 16 + d
            }
            i += n
            if e == UInt8(ascii: "x") {
                out.append(UInt8(v))
            } else {
                guard let s = Unicode.Scalar(v) else { return nil }
                out.append(contentsOf: Array(String(s).utf8))
            }
        default:
            return nil
        }
    }
    return stringKeepingInvalidBytes(out)
}

/// Decodes UTF-8, keeping each invalid byte `b` as the private-use scalar U+10FF00+b, so that
/// Go strings holding arbitrary bytes (`"\xff"`) survive and can be reported as invalid.
func stringKeepingInvalidBytes(_ bytes: [UInt8]) -> String {
    if isValidUTF8(bytes) { return String(decoding: bytes, as: UTF8.self) }
    var s = ""
    var i = 0
    while i < bytes.count {
        if let (scalar, w) = decodeUTF8Scalar(bytes, at: i) {
            s.unicodeScalars.append(scalar)
            i += w
        } else {
            s.unicodeScalars.append(Unicode.Scalar(0x10FF00 + UInt32(bytes[i])) ?? "?")
            i += 1
        }
    }
    return s
}

/// The bytes a string decoded by `stringKeepingInvalidBytes` stands for.
func originalBytes(_ s: String) -> [UInt8] {
    var out: [UInt8] = []
    for sc in s.unicodeScalars {
        if sc.value >= 0x10FF00 && sc.value <= 0x10FFFF { out.append(UInt8(sc.value - 0x10FF00)) } else { out.append(contentsOf: Array(String(sc).utf8)) }
    }
    return out
}

/// Prometheus' UTF-8 label name rule: non-empty, valid UTF-8.
func isValidLabelName(_ s: String) -> Bool {
    !s.isEmpty && !s.unicodeScalars.contains { $0.value >= 0x10FF00 && $0.value <= 0x10FFFF }
}

/// Go's `%q` of a string that may stand for invalid bytes.
func goQuoteBytes(_ s: String) -> String { goQuoted(bytes: originalBytes(s)) }

/// Go's `%f`: six decimals.
func formatGoF6(_ v: Double) -> String {
    if v.isNaN { return "NaN" }
    if v.isInfinite { return v < 0 ? "-Inf" : "+Inf" }
    return String(format: "%.6f", v)
}
