/// The parsed form of a regular expression, before compilation.
indirect enum Node {
    case emptyMatch
    case literal(UInt32)
    case charClass(CharClass)
    /// `.`: any character, or any but `\n` without the `s` flag.
    case anyChar
    case anyCharNotNL
    case assertion(Assertion)
    case capture(index: Int, body: Node)
    /// `x*` is (0, nil), `x+` (1, nil), `x?` (0, 1), `x{n,m}` (n, m).
    case repetition(min: Int, max: Int?, greedy: Bool, body: Node)
    case concat([Node])
    case alternate([Node])
}

/// Zero-width assertions.
enum Assertion: UInt8 {
    case beginLine, endLine, beginText, endText, wordBoundary, noWordBoundary
}

/// A set of Unicode scalars as sorted, non-overlapping, non-adjacent closed ranges.
struct CharClass: Equatable {
    private(set) var ranges: [ClosedRange<UInt32>] = []

    init() {}
    init(_ ranges: [ClosedRange<UInt32>]) {
        for r in ranges { add(r) }
    }

    static let maxScalar: UInt32 = 0x10FFFF

    /// Adds a range (any order, overlaps allowed); the set stays normalized.
    mutating func add(_ r: ClosedRange<UInt32>) {
        pending.append(r)
        if pending.count > 64 { normalize() }
    }

    private var pending: [ClosedRange<UInt32>] = []

    mutating func add(_ c: UInt32) { add(c ... c) }

    mutating func add(_ other: CharClass) {
        for r in other.normalized.ranges { add(r) }
    }

    /// Sorts and merges.
    mutating func normalize() {
        if pending.isEmpty { return }
        var all = ranges + pending
        pending = []
        all.sort { $0.lowerBound < $1.lowerBound }
        var out: [ClosedRange<UInt32>] = []
        out.reserveCapacity(all.count)
        for r in all {
            if let last = out.last, r.lowerBound <= last.upperBound &+ 1 {
                if r.upperBound > last.upperBound { out[out.count - 1] = last.lowerBound ... r.upperBound }
            } else {
                out.append(r)
            }
        }
        ranges = out
    }

    var normalized: CharClass {
        var c = self
        c.normalize()
        return c
    }

    /// The complement within 0...0x10FFFF.
    var negated: CharClass {
        let n = normalized
        var out = CharClass()
        var next: UInt32 = 0
        for r in n.ranges {
            if r.lowerBound > next { out.ranges.append(next ... r.lowerBound - 1) }
            next = r.upperBound &+ 1
        }
        if next <= Self.maxScalar && !(n.ranges.last.map { $0.upperBound == Self.maxScalar } ?? false) {
            out.ranges.append(next ... Self.maxScalar)
        }
        return out
    }

    func contains(_ c: UInt32) -> Bool {
        var lo = 0, hi = ranges.count
        while lo < hi {
            let mid = (lo + hi) >> 1
            let r = ranges[mid]
            if c < r.lowerBound { hi = mid } else if c > r.upperBound { lo = mid + 1 } else { return true }
        }
        return false
    }

    static func == (a: CharClass, b: CharClass) -> Bool { a.normalized.ranges == b.normalized.ranges }
}
