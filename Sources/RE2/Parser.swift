/// Parses Go RE2 syntax with Go's `syntax.Perl` flags (Perl classes, non-greedy operators,
/// `(?flags)`, `\A \z`, `\Q…\E`, `\pN`; `^` and `$` match at the text's ends unless `(?m)`),
/// reporting errors with Go's codes and excerpts.
///
/// Recursive descent over the pattern's scalars; group nesting is limited (see `maxDepth`) so a
/// hostile pattern cannot exhaust the stack.
struct Parser {
    struct Flags {
        var foldCase = false
        var dotNL = false
        var oneLine = true
        var nonGreedy = false
    }

    /// Deepest group nesting accepted. Go allows 1000; Vigil parses on threads with smaller
    /// stacks and stops earlier, with Go's error.
    static let maxDepth = 200
    /// Largest `{n,m}` count (Go's limit), also for nested counts multiplied together.
    static let maxRepeat = 1000

    private let s: [UInt32]
    private let whole: String
    private var i = 0
    private var depth = 0
    /// Capture names by group number; index 0 (the whole match) is "".
    private(set) var names: [String] = [""]

    init(_ expr: String) {
        whole = expr
        s = expr.unicodeScalars.map(\.value)
    }

    /// Parses the whole expression.
    mutating func parse(dotNL: Bool = false) throws(SyntaxError) -> Node {
        var flags = Flags()
        flags.dotNL = dotNL
        let node = try parseAlternation(flags: flags)
        if i < s.count { throw SyntaxError(code: .unexpectedParen, expr: whole) }  // a stray ')'
        return node
    }

    private func text(_ a: Int, _ b: Int) -> String {
        var out = String.UnicodeScalarView()
        for k in a ..< min(b, s.count) { if let u = Unicode.Scalar(s[k]) { out.append(u) } }
        return String(out)
    }

    private func at(_ k: Int) -> UInt32? { k < s.count ? s[k] : nil }

    private static func ch(_ c: Unicode.Scalar) -> UInt32 { c.value }

    /// An alternation up to a `)` (not consumed) or the end.
    private mutating func parseAlternation(flags inherited: Flags) throws(SyntaxError) -> Node {
        var flags = inherited
        var branches: [Node] = []
        var items: [Node] = []
        // Where the repetition operator just before the current token started, if it was one.
        var lastRepeat: Int? = nil
        loop: while i < s.count {
            let c = s[i]
            var repeatStart: Int? = nil
            switch c {
            case 0x7C: // |
                branches.append(Self.concat(items))
                items = []
                i += 1
            case 0x29: // )
                break loop
            case 0x28: // (
                if let node = try parseGroup(flags: &flags) { items.append(node) }
            case 0x2A, 0x2B, 0x3F: // * + ?
                let start = i
                i += 1
                let (min, max): (Int, Int?) = c == 0x2A ? (0, nil) : c == 0x2B ? (1, nil) : (0, 1)
                try applyRepeat(&items, min: min, max: max, start: start, lastRepeat: lastRepeat, flags: flags)
                repeatStart = start
            case 0x7B: // {
                let start = i
                if let (min, max, end) = parseBraces(at: i) {
                    if min > Self.maxRepeat || (max ?? 0) > Self.maxRepeat || (max.map { $0 < min } ?? false) {
                        throw SyntaxError(code: .invalidRepeatSize, expr: text(start, end))
                    }
                    i = end
                    try applyRepeat(&items, min: min, max: max, start: start, lastRepeat: lastRepeat, flags: flags)
                    repeatStart = start
                } else {
                    items.append(literal(c, flags))
                    i += 1
                }
            case 0x5E: // ^
                items.append(.assertion(flags.oneLine ? .beginText : .beginLine))
                i += 1
            case 0x24: // $
                items.append(.assertion(flags.oneLine ? .endText : .endLine))
                i += 1
            case 0x2E: // .
                items.append(flags.dotNL ? .anyChar : .anyCharNotNL)
                i += 1
            case 0x5B: // [
                items.append(try parseClass(flags: flags))
            case 0x5C: // backslash
                try parseBackslash(into: &items, flags: flags)
            default:
                items.append(literal(c, flags))
                i += 1
            }
            lastRepeat = repeatStart
        }
        branches.append(Self.concat(items))
        return branches.count == 1 ? branches[0] : .alternate(branches)
    }

    private static func concat(_ items: [Node]) -> Node {
        switch items.count {
        case 0: return .emptyMatch
        case 1: return items[0]
        default: return .concat(items)
        }
    }

    private func literal(_ c: UInt32, _ flags: Flags) -> Node {
        if flags.foldCase {
            let orbit = UnicodeTables.foldOrbit(c)
            if orbit.count > 1 { return .charClass(CharClass(orbit.map { $0 ... $0 })) }
        }
        return .literal(c)
    }

    /// Applies `*`, `+`, `?` or `{n,m}` (already consumed up to its end) to the last item.
    private mutating func applyRepeat(_ items: inout [Node], min: Int, max: Int?, start: Int, lastRepeat: Int?,
                                      flags: Flags) throws(SyntaxError) {
        var greedy = true
        if at(i) == 0x3F { // lazy
            i += 1
            greedy = false
        }
        if flags.nonGreedy { greedy.toggle() }
        if let lastRepeat { throw SyntaxError(code: .invalidRepeatOp, expr: text(lastRepeat, i)) }
        guard let body = items.popLast() else {
            throw SyntaxError(code: .missingRepeatArgument, expr: text(start, i))
        }
        let node = Node.repetition(min: min, max: max, greedy: greedy, body: body)
        if (min >= 2 || (max ?? 0) >= 2), !Self.repeatIsValid(node, Self.maxRepeat) {
            throw SyntaxError(code: .invalidRepeatSize, expr: text(start, i))
        }
        items.append(node)
    }

    /// Go's check that nested counted repetitions stay within `n` copies in all.
    private static func repeatIsValid(_ node: Node, _ limit: Int) -> Bool {
        var n = limit
        switch node {
        case let .repetition(min, max, _, body):
            var m = max ?? min
            if max == 0 { return true }
            if max == nil { m = min }
            if m > n { return false }
            if m > 0 { n /= m }
            return repeatIsValid(body, n)
        case let .capture(_, body): return repeatIsValid(body, n)
        case let .concat(items), let .alternate(items):
            for item in items where !repeatIsValid(item, n) { return false }
            return true
        default: return true
        }
    }

    /// `{n}`, `{n,}` or `{n,m}` at `k`: (min, max, index after `}`); nil when it is a literal `{`.
    private func parseBraces(at k: Int) -> (Int, Int?, Int)? {
        var j = k + 1
        func number() -> Int? {
            let begin = j
            guard let d = at(j), d >= 0x30, d <= 0x39 else { return nil }
            if d == 0x30, let n = at(j + 1), n >= 0x30, n <= 0x39 { return nil }  // no leading zeros
            var v = 0
            while let d = at(j), d >= 0x30, d <= 0x39 {
                if v < 100_000_000 { v = v * 10 + Int(d - 0x30) } else { v = Int.max / 2 }
                j += 1
            }
            return j > begin ? v : nil
        }
        guard let min = number() else { return nil }
        var max: Int? = min
        if at(j) == 0x2C { // ,
            j += 1
            if at(j) == 0x7D { max = nil } else {
                guard let m = number() else { return nil }
                max = m
            }
        }
        guard at(j) == 0x7D else { return nil }
        return (min, max, j + 1)
    }

    /// `(…)`, `(?:…)`, `(?P<name>…)`, `(?<name>…)` or a flag group `(?i)` (which returns nil and
    /// changes `flags` for the rest of the enclosing group).
    private mutating func parseGroup(flags: inout Flags) throws(SyntaxError) -> Node? {
        let open = i
        var inner = flags
        var capture: Int? = nil
        if at(i + 1) == 0x3F { // ?
            let afterQ = i + 2
            let pStyle = at(afterQ) == 0x50 && at(afterQ + 1) == 0x3C && s.count - open > 4  // (?P<
            let angle = at(afterQ) == 0x3C && s.count - open > 3                            // (?<
            if pStyle || angle {
                let nameStart = pStyle ? afterQ + 2 : afterQ + 1
                guard let close = s[open...].firstIndex(of: 0x3E) else {
                    throw SyntaxError(code: .invalidNamedCapture, expr: text(open, s.count))
                }
                let name = text(nameStart, close)
                if !Self.isValidCaptureName(name) {
                    throw SyntaxError(code: .invalidNamedCapture, expr: text(open, close + 1))
                }
                names.append(name)
                capture = names.count - 1
                i = close + 1
            } else {
                // Flags: (?i) (?-s) (?im-sU:…)
                var j = afterQ
                var negate = false
                var sawFlag = false
                var f = flags
                while true {
                    guard let c = at(j) else {
                        throw SyntaxError(code: .invalidPerlOp, expr: text(open, j))
                    }
                    j += 1
                    switch c {
                    case 0x69: f.foldCase = !negate; sawFlag = true       // i
                    case 0x6D: f.oneLine = negate; sawFlag = true         // m
                    case 0x73: f.dotNL = !negate; sawFlag = true          // s
                    case 0x55: f.nonGreedy = !negate; sawFlag = true      // U
                    case 0x2D where !negate:                              // -
                        negate = true
                        sawFlag = false
                    case 0x3A, 0x29:                                      // : )
                        if negate && !sawFlag { throw SyntaxError(code: .invalidPerlOp, expr: text(open, j)) }
                        i = j
                        if c == 0x29 {
                            flags = f
                            return nil
                        }
                        inner = f
                    default:
                        throw SyntaxError(code: .invalidPerlOp, expr: text(open, j))
                    }
                    if c == 0x3A { break }
                }
            }
        } else {
            names.append("")
            capture = names.count - 1
            i += 1
        }
        depth += 1
        defer { depth -= 1 }
        if depth > Self.maxDepth { throw SyntaxError(code: .nestingDepth, expr: whole) }
        let body = try parseAlternation(flags: inner)
        guard at(i) == 0x29 else { throw SyntaxError(code: .missingParen, expr: whole) }
        i += 1
        if let capture { return .capture(index: capture, body: body) }
        return body
    }

    private static func isValidCaptureName(_ name: String) -> Bool {
        if name.isEmpty { return false }
        return name.unicodeScalars.allSatisfy { c in
            c == "_" || (c >= "0" && c <= "9") || (c >= "a" && c <= "z") || (c >= "A" && c <= "Z")
        }
    }

    /// A backslash outside a class: assertions, `\Q…\E`, Perl and Unicode classes, escapes.
    private mutating func parseBackslash(into items: inout [Node], flags: Flags) throws(SyntaxError) {
        guard let c = at(i + 1) else { throw SyntaxError(code: .trailingBackslash, expr: "") }
        switch c {
        case 0x41: items.append(.assertion(.beginText)); i += 2; return          // \A
        case 0x7A: items.append(.assertion(.endText)); i += 2; return            // \z
        case 0x62: items.append(.assertion(.wordBoundary)); i += 2; return       // \b
        case 0x42: items.append(.assertion(.noWordBoundary)); i += 2; return     // \B
        case 0x43: throw SyntaxError(code: .invalidEscape, expr: text(i, i + 2)) // \C (any byte)
        case 0x51: // \Q…\E
            var j = i + 2
            while j < s.count, !(s[j] == 0x5C && at(j + 1) == 0x45) {
                items.append(literal(s[j], flags))
                j += 1
            }
            i = j < s.count ? j + 2 : j
            return
        default: break
        }
        if let cls = try parseClassEscape(flags: flags) {
            items.append(.charClass(cls))
            return
        }
        items.append(literal(try parseEscape(), flags))
    }

    /// `\d \D \s \S \w \W` or `\pX \p{Name} \PX \p{^Name}` at `i`, consumed; nil otherwise.
    private mutating func parseClassEscape(flags: Flags) throws(SyntaxError) -> CharClass? {
        guard at(i) == 0x5C, let c = at(i + 1) else { return nil }
        if let u = Unicode.Scalar(c), let base = UnicodeTables.perl[Character(String(u).lowercased())],
           "dswDSW".unicodeScalars.contains(u) {
            i += 2
            var cls = flags.foldCase ? UnicodeTables.folded(base) : base
            if u.properties.isUppercase { cls = cls.negated }
            return cls
        }
        guard c == 0x70 || c == 0x50 else { return nil } // p P
        let start = i
        var negate = c == 0x50
        var name: String
        var end: Int
        guard let first = at(i + 2) else {
            throw SyntaxError(code: .invalidCharRange, expr: text(start, i + 2))
        }
        if first != 0x7B {
            name = text(i + 2, i + 3)
            end = i + 3
        } else {
            guard let close = s[(i + 2)...].firstIndex(of: 0x7D) else {
                throw SyntaxError(code: .invalidCharRange, expr: text(start, s.count))
            }
            name = text(i + 3, close)
            end = close + 1
        }
        if name.hasPrefix("^") {
            negate.toggle()
            name.removeFirst()
        }
        guard var cls = UnicodeTables.category(name) else {
            let looksLikeScript = name.count > 2 && name.first?.isUppercase == true
            throw SyntaxError(code: looksLikeScript ? .unsupportedScript : .invalidCharRange, expr: text(start, end))
        }
        if flags.foldCase { cls = UnicodeTables.folded(cls) }
        i = end
        return negate ? cls.negated : cls
    }

    /// One escaped character at `i` (a backslash), consumed.
    private mutating func parseEscape() throws(SyntaxError) -> UInt32 {
        let start = i
        guard let c = at(i + 1) else { throw SyntaxError(code: .trailingBackslash, expr: "") }
        i += 2
        func bad() -> SyntaxError { SyntaxError(code: .invalidEscape, expr: text(start, i)) }
        func isOctal(_ d: UInt32?) -> Bool { d.map { $0 >= 0x30 && $0 <= 0x37 } ?? false }
        func hex(_ d: UInt32?) -> UInt32? {
            guard let d else { return nil }
            switch d {
            case 0x30 ... 0x39: return d - 0x30
            case 0x41 ... 0x46: return d - 0x41 + 10
            case 0x61 ... 0x66: return d - 0x61 + 10
            default: return nil
            }
        }
        switch c {
        case 0x31 ... 0x37 where !isOctal(at(i)): // \1..\7 alone: a back-reference, unsupported
            throw bad()
        case 0x30 ... 0x37:
            var r = c - 0x30
            for _ in 1 ..< 3 where isOctal(at(i)) {
                r = r * 8 + (s[i] - 0x30)
                i += 1
            }
            return r
        case 0x78: // x
            guard let n = at(i) else { throw bad() }
            i += 1
            if n == 0x7B {
                var r: UInt32 = 0
                var digits = 0
                while true {
                    guard let d = at(i) else { throw bad() }
                    i += 1
                    if d == 0x7D { break }
                    guard let v = hex(d) else { throw bad() }
                    r = r * 16 + v
                    digits += 1
                    if r > CharClass.maxScalar { throw bad() }
                }
                if digits == 0 { throw bad() }
                return r
            }
            guard let hi = hex(n) else { throw bad() }
            guard let d = at(i) else { throw bad() }
            i += 1
            guard let lo = hex(d) else { throw bad() }
            return hi * 16 + lo
        case 0x61: return 0x07 // \a
        case 0x66: return 0x0C // \f
        case 0x6E: return 0x0A // \n
        case 0x72: return 0x0D // \r
        case 0x74: return 0x09 // \t
        case 0x76: return 0x0B // \v
        default:
            let alnum = (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A)
            if c < 0x80 && !alnum { return c }
            throw bad()
        }
    }

    /// `[…]` at `i`, consumed.
    private mutating func parseClass(flags: Flags) throws(SyntaxError) -> Node {
        let start = i
        let wholeClass = text(start, s.count)
        i += 1
        var negate = false
        if at(i) == 0x5E { negate = true; i += 1 }
        var cls = CharClass()
        var first = true
        func add(_ r: ClosedRange<UInt32>) {
            if flags.foldCase { cls.add(UnicodeTables.folded(CharClass([r]))) } else { cls.add(r) }
        }
        while at(i) != 0x5D || first {
            guard let c = at(i) else { throw SyntaxError(code: .missingBracket, expr: wholeClass) }
            first = false
            // [:alpha:] and [:^alpha:]
            if c == 0x5B, at(i + 1) == 0x3A {
                var j = i + 2
                var found: Int? = nil
                while j + 1 < s.count {
                    if s[j] == 0x3A, s[j + 1] == 0x5D { found = j; break }
                    j += 1
                }
                if let found {
                    let spelled = text(i, found + 2)
                    var name = text(i + 2, found)
                    var neg = false
                    if name.hasPrefix("^") { neg = true; name.removeFirst() }
                    guard let named = UnicodeTables.posix[name] else {
                        throw SyntaxError(code: .invalidCharRange, expr: spelled)
                    }
                    let adjusted = flags.foldCase ? UnicodeTables.folded(named) : named
                    cls.add(neg ? adjusted.negated : adjusted)
                    i = found + 2
                    continue
                }
            }
            if c == 0x5C, let named = try parseClassEscape(flags: flags) {
                cls.add(named)
                continue
            }
            let rangeStart = i
            let lo = try classChar(wholeClass)
            var hi = lo
            if at(i) == 0x2D, let after = at(i + 1), after != 0x5D {
                i += 1
                hi = try classChar(wholeClass)
                if hi < lo { throw SyntaxError(code: .invalidCharRange, expr: text(rangeStart, i)) }
            }
            add(lo ... hi)
        }
        i += 1
        cls.normalize()
        return .charClass(negate ? cls.negated : cls)
    }

    private mutating func classChar(_ wholeClass: String) throws(SyntaxError) -> UInt32 {
        guard let c = at(i) else { throw SyntaxError(code: .missingBracket, expr: wholeClass) }
        if c == 0x5C { return try parseEscape() }
        i += 1
        return c
    }
}
