import Model

/// The bit code of one integer sequence of a packed chunk (`FORMAT.md`, "Packed chunks"): the
/// sequence is shifted by its minimum (`base`), then each value is written with a code chosen
/// for the whole sequence to minimise its size:
///
/// - `classes == 0`: every value equals `base`; no bits.
/// - `classes == 1`: truncated binary over `0 ..< range`: `k = floor(log2(range))` bits, one more
///   for the values at or above `2^(k+1) - range` (near-uniform residuals cost log2(range) bits).
/// - `classes == 2...4`: a prefix (`0`, `1` / `0`, `10`, `11` / `0`, `10`, `110`, `111`) picks a
///   class, then the value in that class's width of bits (widths increasing, the last one wide
///   enough for the largest value): small values cost few bits, rare large ones stay possible.
struct IntCode: Equatable {
    /// Subtracted before coding (two's complement wrap-around, so any Int64 span fits).
    var base: Int64 = 0
    var classes: UInt8 = 0
    /// Truncated binary: the number of distinct values, at least 1.
    var range: UInt64 = 1
    /// Class widths in bits (`classes` of them for 2...4).
    var widths: [UInt8] = []

    // MARK: Choosing

    /// The cheapest code for `values` (shifted by their minimum), and its size in bits.
    static func choose(_ values: [Int64]) -> (code: IntCode, bits: Int) {
        guard let lo = values.min(), let hi = values.max() else { return (IntCode(), 0) }
        var best = IntCode(base: lo)
        if lo == hi { return (best, 0) }
        // Bit-length histogram of the shifted values.
        var lengths = [Int](repeating: 0, count: 65)
        for v in values { lengths[64 - UInt64(bitPattern: v &- lo).leadingZeroBitCount] += 1 }
        let span = UInt64(bitPattern: hi &- lo)
        let n = values.count
        // Truncated binary.
        var bestBits = Int.max
        if span < UInt64.max {
            let range = span + 1
            let k = 63 - range.leadingZeroBitCount
            let u = (UInt64(1) << UInt64(k + 1)) &- range // the shift gives 0 for k = 63
            var short = 0
            for v in values where UInt64(bitPattern: v &- lo) < u { short += 1 }
            bestBits = short * k + (n - short) * (k + 1)
            best = IntCode(base: lo, classes: 1, range: range)
        }
        // Prefix classes over the bit lengths that occur.
        let present = (0 ... 64).filter { lengths[$0] > 0 }
        let top = present[present.count - 1]
        var cumulative = [Int](repeating: 0, count: 66) // values with length < w
        for w in 0 ... 64 { cumulative[w + 1] = cumulative[w] + lengths[w] }
        func within(_ w: Int) -> Int { cumulative[w + 1] }
        let candidates = present.dropLast()
        // Two classes: '0' + w0 bits, '1' + top bits.
        for w0 in candidates {
            let bits = within(w0) * (1 + w0) + (n - within(w0)) * (1 + top)
            if bits < bestBits { bestBits = bits; best = IntCode(base: lo, classes: 2, widths: [UInt8(w0), UInt8(top)]) }
        }
        // Three classes: '0', '10', '11'.
        for (i, w0) in candidates.enumerated() {
            for w1 in candidates.dropFirst(i + 1) {
                let a = within(w0), b = within(w1) - a
                let bits = a * (1 + w0) + b * (2 + w1) + (n - a - b) * (2 + top)
                if bits < bestBits { bestBits = bits; best = IntCode(base: lo, classes: 3, widths: [UInt8(w0), UInt8(w1), UInt8(top)]) }
            }
        }
        // Four classes: '0', '10', '110', '111' (skipped for very spread values, where it would
        // cost up to C(64, 3) trials and gain little over three classes).
        if candidates.count >= 3 && candidates.count <= 24 {
            let c = Array(candidates)
            for i in 0 ..< c.count {
                for j in (i + 1) ..< c.count {
                    for k in (j + 1) ..< c.count {
                        let a = within(c[i]), b = within(c[j]) - a, d = within(c[k]) - a - b
                        let bits = a * (1 + c[i]) + b * (2 + c[j]) + d * (3 + c[k]) + (n - a - b - d) * (3 + top)
                        if bits < bestBits {
                            bestBits = bits
                            best = IntCode(base: lo, classes: 4, widths: [UInt8(c[i]), UInt8(c[j]), UInt8(c[k]), UInt8(top)])
                        }
                    }
                }
            }
        }
        return (best, bestBits)
    }

    // MARK: Header

    /// Appends the code's header: base (varint), classes (byte), then the range (uvarint) or
    /// the widths (a byte each).
    func appendHeader(to out: inout [UInt8]) {
        Varint.appendVarint(base, to: &out)
        out.append(classes)
        if classes == 1 {
            Varint.appendUvarint(range, to: &out)
        } else if classes >= 2 {
            out.append(contentsOf: widths)
        }
    }

    /// Reads a header written by `appendHeader`; nil when it is short or invalid.
    static func readHeader(_ p: UnsafeRawBufferPointer, at i: inout Int) -> IntCode? {
        guard let base = Varint.readVarint(from: p, at: &i), i < p.count else { return nil }
        let classes = p[i]
        i += 1
        switch classes {
        case 0:
            return IntCode(base: base)
        case 1:
            guard let range = Varint.readUvarint(from: p, at: &i), range >= 1 else { return nil }
            return IntCode(base: base, classes: 1, range: range)
        case 2 ... 4:
            guard p.count - i >= Int(classes) else { return nil }
            var widths: [UInt8] = []
            for k in 0 ..< Int(classes) {
                let w = p[i + k]
                guard w <= 64, widths.last.map({ $0 < w }) ?? true else { return nil }
                widths.append(w)
            }
            i += Int(classes)
            return IntCode(base: base, classes: classes, widths: widths)
        default:
            return nil
        }
    }

    // MARK: Bits

    /// Writes `v` (one of the values the code was chosen for).
    func write(_ v: Int64, to w: inout BitWriter) {
        let x = UInt64(bitPattern: v &- base)
        switch classes {
        case 0:
            return
        case 1:
            let k = 63 - range.leadingZeroBitCount
            let u = (UInt64(1) << UInt64(k + 1)) &- range
            if x < u {
                w.writeBits(x, k)
            } else {
                w.writeBits(x &+ u, k + 1)
            }
        default:
            let length = 64 - x.leadingZeroBitCount
            var c = 0
            while c < widths.count - 1 && Int(widths[c]) < length { c += 1 }
            // Prefix: c ones then a zero, except for the last class (all ones).
            if c < widths.count - 1 {
                w.writeBits((UInt64(1) << UInt64(c + 1)) &- 2, c + 1)
            } else {
                w.writeBits((UInt64(1) << UInt64(c)) &- 1, c)
            }
            w.writeBits(x, Int(widths[c]))
        }
    }
}
