/// A DFA built lazily from a `Program`, for yes/no matching: each state is the set of NFA
/// instructions alive at a position, created the first time a character leads to it and
/// cached, so matching a string costs about one table lookup per character.
///
/// Only for programs whose assertions are `^`/`$`/`\A`/`\z` (no `\b` or `(?m)` anchors, which
/// need the neighbouring characters). A state holds whether the program has matched already and
/// whether it matches if the input ends here (`$`). Past `maxStates` the DFA gives up and the
/// caller runs the NFA.
struct LazyDFA {
    private struct State {
        var pcs: [Int32]
        var matchNow: Bool
        var matchAtEnd: Bool
    }

    private let prog: Program
    private var states: [State] = []
    private var index: [[Int32]: Int32] = [:]
    /// Transitions on ASCII characters: `ascii[state * 128 + c]`, -1 when not computed yet.
    private var ascii: [Int32] = []
    private var other: [UInt64: Int32] = [:]
    private var start: Int32 = -1
    private var failed = false
    // Scratch for closures.
    private var visited: [Bool]
    private var stack: [Int32] = []

    static let maxStates = 10_000

    init(_ prog: Program) {
        self.prog = prog
        visited = Array(repeating: false, count: prog.insts.count)
    }

    /// Whether the program matches `text`; nil when the DFA grew too large (use the NFA).
    mutating func matches(_ text: UnsafeBufferPointer<UInt8>) -> Bool? {
        if failed { return nil }
        if start < 0 {
            guard let s = state(seeds: [prog.start], atStart: true) else { return nil }
            start = s
        }
        var s = start
        var i = 0
        let n = text.count
        let unanchored = !prog.anchoredStart
        while i < n {
            let st = states[Int(s)]
            if st.matchNow { return true }
            if st.pcs.isEmpty && !unanchored { return false }
            let b = text[i]
            let next: Int32
            if b < 0x80 {
                let t = ascii[Int(s) * 128 + Int(b)]
                if t >= 0 {
                    next = t
                } else {
                    guard let t = step(s, UInt32(b)) else { return nil }
                    ascii[Int(s) * 128 + Int(b)] = t
                    next = t
                }
                i += 1
            } else {
                let (c, w) = Machine.decode(text, i)
                let key = UInt64(UInt32(bitPattern: s)) << 32 | UInt64(c)
                if let t = other[key] {
                    next = t
                } else {
                    guard let t = step(s, c) else { return nil }
                    other[key] = t
                    next = t
                }
                i += w
            }
            s = next
        }
        let st = states[Int(s)]
        return st.matchNow || st.matchAtEnd
    }

    private mutating func step(_ s: Int32, _ c: UInt32) -> Int32? {
        var seeds: [Int32] = []
        for pc in states[Int(s)].pcs {
            let inst = prog.insts[Int(pc)]
            let ok: Bool
            switch inst.op {
            case .rune: ok = c == inst.rune
            case .charClass: ok = prog.classes[Int(inst.arg)].contains(c)
            case .any: ok = true
            case .anyNotNL: ok = c != 0x0A
            default: ok = false
            }
            if ok { seeds.append(inst.out) }
        }
        if !prog.anchoredStart { seeds.append(prog.start) }
        return state(seeds: seeds, atStart: false)
    }

    /// The state for the closure of `seeds`, interned.
    private mutating func state(seeds: [Int32], atStart: Bool) -> Int32? {
        let (pcs, matchNow) = closure(seeds, atStart: atStart, atEnd: false)
        let matchAtEnd = matchNow || closure(seeds, atStart: atStart, atEnd: true).1
        var key = pcs.sorted()
        key.append(matchNow ? -1 : -2)
        key.append(matchAtEnd ? -3 : -4)
        if let id = index[key] { return id }
        if states.count >= Self.maxStates {
            failed = true
            return nil
        }
        let id = Int32(states.count)
        states.append(State(pcs: pcs, matchNow: matchNow, matchAtEnd: matchAtEnd))
        index[key] = id
        ascii.append(contentsOf: repeatElement(-1, count: 128))
        return id
    }

    /// The consuming instructions reachable from `seeds` without input, and whether `match` is.
    private mutating func closure(_ seeds: [Int32], atStart: Bool, atEnd: Bool) -> ([Int32], Bool) {
        var pcs: [Int32] = []
        var matched = false
        var touched: [Int32] = []
        stack.removeAll(keepingCapacity: true)
        for s in seeds.reversed() { stack.append(s) }
        while let pc = stack.popLast() {
            if visited[Int(pc)] { continue }
            visited[Int(pc)] = true
            touched.append(pc)
            let inst = prog.insts[Int(pc)]
            switch inst.op {
            case .split:
                stack.append(inst.arg)
                stack.append(inst.out)
            case .save:
                stack.append(inst.out)
            case .assert:
                switch Assertion(rawValue: UInt8(inst.arg)) {
                case .beginText: if atStart { stack.append(inst.out) }
                case .endText: if atEnd { stack.append(inst.out) }
                default: break  // not used with a DFA
                }
            case .match:
                matched = true
            case .rune, .charClass, .any, .anyNotNL:
                pcs.append(pc)
            }
        }
        for pc in touched { visited[Int(pc)] = false }
        return (pcs, matched)
    }
}
