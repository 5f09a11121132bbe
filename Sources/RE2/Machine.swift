/// The Pike VM: runs a `Program` over UTF-8 bytes in one pass, every thread in lock step, so
/// matching is linear in the input (times the program size) whatever the pattern. Threads are
/// kept in priority order, which gives Go's leftmost-first submatches.
struct Machine {
    private let prog: Program
    private var clist: ThreadList
    private var nlist: ThreadList
    private var stack: [StackEntry] = []
    private var work: [Int]
    private let slots: Int
    private let captures: Bool
    private var dfa: LazyDFA?

    private enum StackEntry {
        case visit(Int32)
        case restore(Int, Int)
    }

    init(_ prog: Program, captures: Bool) {
        self.prog = prog
        self.captures = captures
        slots = captures ? prog.slots : 0
        clist = ThreadList(size: prog.insts.count, slots: slots)
        nlist = ThreadList(size: prog.insts.count, slots: slots)
        work = Array(repeating: -1, count: slots)
        dfa = !captures && !prog.needsContext ? LazyDFA(prog) : nil
    }

    /// Leftmost-first match in `text`: the capture slots (byte offsets, -1 for unset), or nil.
    /// Without `captures`, an empty array stands for "matched".
    mutating func run(_ text: UnsafeBufferPointer<UInt8>) -> [Int]? {
        if dfa != nil, let yes = dfa?.matches(text) { return yes ? [] : nil }
        // Work on locals (moved out and back) so the helpers can take them inout.
        var st = State(clist: clist, nlist: nlist, stack: stack, work: work)
        clist = ThreadList(size: 0, slots: 0)
        nlist = clist
        defer {
            clist = st.clist
            nlist = st.nlist
            stack = st.stack
            work = st.work
        }
        return run(text, &st)
    }

    private struct State {
        var clist: ThreadList
        var nlist: ThreadList
        var stack: [StackEntry]
        var work: [Int]
    }

    private func run(_ text: UnsafeBufferPointer<UInt8>, _ st: inout State) -> [Int]? {
        let end = text.count
        var matched: [Int]? = nil
        var pos = 0
        var prev: UInt32 = Machine.none
        st.clist.clear()
        st.nlist.clear()
        for k in 0 ..< slots { st.work[k] = -1 }
        var first = st.clist
        st.clist = ThreadList(size: 0, slots: 0)
        add(&first, &st, prog.start, pos: 0, prev: prev, text: text)
        st.clist = first
        while true {
            if st.clist.count == 0 && (matched != nil || (prog.anchoredStart && pos > 0)) { break }
            let (c, width) = pos < end ? Machine.decode(text, pos) : (Machine.none, 0)
            var k = 0
            while k < st.clist.count {
                let pc = st.clist.pcs[k]
                let inst = prog.insts[Int(pc)]
                var ok = false
                switch inst.op {
                case .match:
                    if !captures { return [] }
                    matched = Array(st.clist.caps[(k * slots) ..< (k * slots + slots)])
                    k = st.clist.count  // cut lower-priority threads
                    continue
                case .rune: ok = c == inst.rune
                case .charClass: ok = c != Machine.none && prog.classes[Int(inst.arg)].contains(c)
                case .any: ok = c != Machine.none
                case .anyNotNL: ok = c != Machine.none && c != 0x0A
                case .split, .save, .assert: break
                }
                if ok {
                    if captures {
                        for s in 0 ..< slots { st.work[s] = st.clist.caps[k * slots + s] }
                    }
                    var next = st.nlist
                    st.nlist = ThreadList(size: 0, slots: 0)
                    add(&next, &st, inst.out, pos: pos + width, prev: c, text: text)
                    st.nlist = next
                }
                k += 1
            }
            if pos >= end { break }
            pos += width
            prev = c
            swap(&st.clist, &st.nlist)
            st.nlist.clear()
            if matched == nil && !prog.anchoredStart {
                for s in 0 ..< slots { st.work[s] = -1 }
                var cur = st.clist
                st.clist = ThreadList(size: 0, slots: 0)
                add(&cur, &st, prog.start, pos: pos, prev: prev, text: text)
                st.clist = cur
            }
        }
        return matched
    }

    /// Adds `pc` and everything reachable from it without consuming input, in priority order.
    private func add(_ list: inout ThreadList, _ st: inout State, _ pc0: Int32, pos: Int, prev: UInt32,
                     text: UnsafeBufferPointer<UInt8>) {
        st.stack.append(.visit(pc0))
        var next: UInt32? = nil
        while let entry = st.stack.popLast() {
            switch entry {
            case let .restore(slot, old):
                st.work[slot] = old
            case let .visit(pc):
                if list.contains(pc) { continue }
                let index = list.insert(pc)
                let inst = prog.insts[Int(pc)]
                switch inst.op {
                case .split:
                    st.stack.append(.visit(inst.arg))
                    st.stack.append(.visit(inst.out))
                case .save:
                    let slot = Int(inst.arg)
                    if slot < slots {
                        st.stack.append(.restore(slot, st.work[slot]))
                        st.work[slot] = pos
                    }
                    st.stack.append(.visit(inst.out))
                case .assert:
                    if next == nil && prog.needsContext {
                        next = pos < text.count ? Machine.decode(text, pos).0 : Machine.none
                    }
                    if holds(Assertion(rawValue: UInt8(inst.arg)) ?? .beginText, pos: pos, end: text.count,
                             prev: prev, next: next ?? Machine.none) {
                        st.stack.append(.visit(inst.out))
                    }
                default:
                    if captures {
                        for s in 0 ..< slots { list.caps[index * slots + s] = st.work[s] }
                    }
                }
            }
        }
    }

    private func holds(_ a: Assertion, pos: Int, end: Int, prev: UInt32, next: UInt32) -> Bool {
        switch a {
        case .beginText: return pos == 0
        case .endText: return pos == end
        case .beginLine: return pos == 0 || prev == 0x0A
        case .endLine: return pos == end || next == 0x0A
        case .wordBoundary: return Machine.isWord(prev) != Machine.isWord(next)
        case .noWordBoundary: return Machine.isWord(prev) == Machine.isWord(next)
        }
    }

    @inline(__always) private static func isWord(_ c: UInt32) -> Bool {
        (c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x5A) || (c >= 0x61 && c <= 0x7A) || c == 0x5F
    }

    /// No character (before the start or after the end).
    static let none: UInt32 = 0xFFFF_FFFF

    /// The scalar at `i` and its width; malformed bytes read as U+FFFD of width 1, as in Go.
    @inline(__always) static func decode(_ p: UnsafeBufferPointer<UInt8>, _ i: Int) -> (UInt32, Int) {
        let b0 = UInt32(p[i])
        if b0 < 0x80 { return (b0, 1) }
        let n = p.count - i
        @inline(__always) func cont(_ k: Int) -> UInt32? {
            guard k < n else { return nil }
            let b = UInt32(p[i + k])
            return b & 0xC0 == 0x80 ? b & 0x3F : nil
        }
        if b0 & 0xE0 == 0xC0, let b1 = cont(1) {
            let c = (b0 & 0x1F) << 6 | b1
            if c >= 0x80 { return (c, 2) }
        } else if b0 & 0xF0 == 0xE0, let b1 = cont(1), let b2 = cont(2) {
            let c = (b0 & 0x0F) << 12 | b1 << 6 | b2
            if c >= 0x800 && !(0xD800 ... 0xDFFF).contains(c) { return (c, 3) }
        } else if b0 & 0xF8 == 0xF0, let b1 = cont(1), let b2 = cont(2), let b3 = cont(3) {
            let c = (b0 & 0x07) << 18 | b1 << 12 | b2 << 6 | b3
            if c >= 0x10000 && c <= 0x10FFFF { return (c, 4) }
        }
        return (0xFFFD, 1)
    }
}

/// A sparse set of instruction indices in insertion order, with capture slots per entry.
struct ThreadList {
    private(set) var pcs: [Int32]
    private var sparse: [Int32]
    private(set) var count = 0
    var caps: [Int]
    private let slots: Int

    init(size: Int, slots: Int) {
        pcs = Array(repeating: 0, count: size)
        sparse = Array(repeating: 0, count: size)
        caps = Array(repeating: -1, count: size * slots)
        self.slots = slots
    }

    @inline(__always) func contains(_ pc: Int32) -> Bool {
        let s = Int(sparse[Int(pc)])
        return s < count && pcs[s] == pc
    }

    @inline(__always) mutating func insert(_ pc: Int32) -> Int {
        sparse[Int(pc)] = Int32(count)
        pcs[count] = pc
        count += 1
        return count - 1
    }

    mutating func clear() { count = 0 }
}
