/// A compiled expression: instructions for the Pike VM in `Machine.swift`.
struct Program: Sendable {
    enum Op: UInt8, Sendable {
        case rune       // one scalar: `rune`
        case charClass  // `classes[arg]`
        case any        // any scalar
        case anyNotNL   // any scalar but `\n`
        case split      // try `out`, then `arg` (in that priority)
        case save       // capture slot `arg` := position
        case assert     // zero-width `Assertion(rawValue: arg)`
        case match
    }

    struct Inst: Sendable {
        var op: Op
        var out: Int32
        var arg: Int32
        var rune: UInt32
    }

    var insts: [Inst] = []
    var classes: [ClassSet] = []
    var start: Int32 = 0
    /// Capture slots: two per group, group 0 being the whole match.
    var slots = 2
    /// Only matches at position 0 (the expression starts with `^` or `\A`).
    var anchoredStart = false
    /// Some assertion needs the neighbouring characters (`\b`, `\B`, or `(?m)` line anchors).
    var needsContext = false

    /// Most instructions a program may have.
    static let maxInsts = 200_000
}

/// A character class prepared for matching: an ASCII bitmap plus sorted ranges for the rest.
struct ClassSet: Sendable {
    private let low: UInt64
    private let high: UInt64
    private let lows: [UInt32]
    private let highs: [UInt32]

    init(_ cls: CharClass) {
        var low: UInt64 = 0, high: UInt64 = 0
        var lows: [UInt32] = [], highs: [UInt32] = []
        for r in cls.normalized.ranges {
            if r.lowerBound < 128 {
                for c in r.lowerBound ... min(r.upperBound, 127) {
                    if c < 64 { low |= 1 << UInt64(c) } else { high |= 1 << UInt64(c - 64) }
                }
            }
            if r.upperBound >= 128 {
                lows.append(max(r.lowerBound, 128))
                highs.append(r.upperBound)
            }
        }
        self.low = low
        self.high = high
        self.lows = lows
        self.highs = highs
    }

    @inline(__always) func contains(_ c: UInt32) -> Bool {
        if c < 64 { return low & (1 << UInt64(c)) != 0 }
        if c < 128 { return high & (1 << UInt64(c - 64)) != 0 }
        var lo = 0, hi = lows.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            if c < lows[mid] { hi = mid } else if c > highs[mid] { lo = mid + 1 } else { return true }
        }
        return false
    }
}

/// Compiles a parsed expression. Each node is compiled given the instruction that follows it,
/// so the program is built from the end; `x{n,m}` is expanded into copies as Go does.
struct Compiler {
    private var prog = Program()

    static func compile(_ root: Node, captures: Int) throws(SyntaxError) -> Program {
        var c = Compiler()
        c.prog.slots = 2 * (captures + 1)
        let match = try c.emit(.match, out: -1)
        let end = try c.emit(.save, out: match, arg: 1)
        let body = try c.compile(root, next: end)
        c.prog.start = try c.emit(.save, out: body, arg: 0)
        c.prog.anchoredStart = Self.startsAnchored(root)
        return c.prog
    }

    private static func startsAnchored(_ node: Node) -> Bool {
        switch node {
        case .assertion(.beginText): return true
        case let .concat(items): return items.first.map(startsAnchored) ?? false
        case let .capture(_, body): return startsAnchored(body)
        case let .alternate(branches): return !branches.isEmpty && branches.allSatisfy(startsAnchored)
        default: return false
        }
    }

    private mutating func emit(_ op: Program.Op, out: Int32, arg: Int32 = 0, rune: UInt32 = 0) throws(SyntaxError) -> Int32 {
        if prog.insts.count >= Program.maxInsts { throw SyntaxError(code: .large, expr: "") }
        prog.insts.append(Program.Inst(op: op, out: out, arg: arg, rune: rune))
        return Int32(prog.insts.count - 1)
    }

    private mutating func compile(_ node: Node, next: Int32) throws(SyntaxError) -> Int32 {
        switch node {
        case .emptyMatch:
            return next
        case let .literal(c):
            return try emit(.rune, out: next, rune: c)
        case let .charClass(cls):
            let n = cls.normalized
            if n.ranges.count == 1, n.ranges[0].lowerBound == n.ranges[0].upperBound {
                return try emit(.rune, out: next, rune: n.ranges[0].lowerBound)
            }
            if n.ranges == [0 ... CharClass.maxScalar] { return try emit(.any, out: next) }
            prog.classes.append(ClassSet(n))
            return try emit(.charClass, out: next, arg: Int32(prog.classes.count - 1))
        case .anyChar:
            return try emit(.any, out: next)
        case .anyCharNotNL:
            return try emit(.anyNotNL, out: next)
        case let .assertion(a):
            if a == .wordBoundary || a == .noWordBoundary || a == .beginLine || a == .endLine { prog.needsContext = true }
            return try emit(.assert, out: next, arg: Int32(a.rawValue))
        case let .capture(index, body):
            let close = try emit(.save, out: next, arg: Int32(2 * index + 1))
            let inner = try compile(body, next: close)
            return try emit(.save, out: inner, arg: Int32(2 * index))
        case let .concat(items):
            var pc = next
            for item in items.reversed() { pc = try compile(item, next: pc) }
            return pc
        case let .alternate(branches):
            var entries: [Int32] = []
            for b in branches { entries.append(try compile(b, next: next)) }
            var pc = entries[entries.count - 1]
            for e in entries.dropLast().reversed() { pc = try split(prefer: e, other: pc) }
            return pc
        case let .repetition(min, max, greedy, body):
            var pc: Int32
            if let max {
                // (x(x(x)?)?)? for the optional copies, then `min` required copies.
                pc = next
                for _ in 0 ..< (max - min) {
                    let copy = try compile(body, next: pc)
                    pc = greedy ? try split(prefer: copy, other: next) : try split(prefer: next, other: copy)
                }
                for _ in 0 ..< min { pc = try compile(body, next: pc) }
                return pc
            }
            // x{min,}: min-1 copies then x+, or x* when min is 0.
            let loop = try emit(.split, out: -1, arg: -1)
            let bodyEntry = try compile(body, next: loop)
            if greedy {
                prog.insts[Int(loop)].out = bodyEntry
                prog.insts[Int(loop)].arg = next
            } else {
                prog.insts[Int(loop)].out = next
                prog.insts[Int(loop)].arg = bodyEntry
            }
            pc = min == 0 ? loop : bodyEntry
            for _ in 0 ..< Swift.max(0, min - 1) { pc = try compile(body, next: pc) }
            return pc
        }
    }

    private mutating func split(prefer: Int32, other: Int32) throws(SyntaxError) -> Int32 {
        try emit(.split, out: prefer, arg: other)
    }
}
