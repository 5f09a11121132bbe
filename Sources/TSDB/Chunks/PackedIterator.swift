import Model

/// Decodes a packed chunk (`PackedChunk`) without allocating after `init`.
///
/// Damaged input never traps and never reads out of bounds: a header that does not parse, or bit
/// streams that end before the header's sample count, stop iteration with `failure` set; the
/// samples decoded before are those a well-formed prefix gives.
package struct PackedIterator: SampleIterator {
    private var tReader: FastBitReader
    private var vReader: FastBitReader
    private var total = 0
    private var decoded = 0
    private var t: Int64 = 0
    private var dt: Int64 = 0
    private var tCode = DecodeCode()
    private var kind: UInt8 = PackedChunk.constant
    private var vBits: UInt64 = 0
    // Decimal state: value = m / 10^scale; order 2 adds the delta `d` (itself coded) each step.
    private var m: Int64 = 0
    private var d: Int64 = 0
    private var gcd: Int64 = 1
    private var order: UInt8 = 1
    private var divisor: Double = 1
    private var vCode = DecodeCode()
    // XOR state.
    private var leading: UInt8 = 0
    private var trailing: UInt8 = 0
    /// Why iteration stopped early, in this module's terms.
    package private(set) var failure: TSDBError?
    /// `failure != nil`, as a plain flag for the per-sample checks.
    private var failed = false

    /// An iterator over the bytes of a packed chunk (without the segment's encoding byte).
    package init(_ bytes: [UInt8]) {
        tReader = FastBitReader(bytes, from: 0, to: 0)
        vReader = tReader
        let parsed: Bool = bytes.withUnsafeBytes { p in parseHeader(p, bytes) }
        if !parsed {
            failure = .chunkCorrupt(sample: 0, reason: "packed chunk header is malformed")
            failed = true
        }
    }

    private mutating func parseHeader(_ p: UnsafeRawBufferPointer, _ bytes: [UInt8]) -> Bool {
        var i = 0
        guard let n = Varint.readUvarint(from: p, at: &i), n <= UInt64(UInt32.max) else { return false }
        total = Int(n)
        if total == 0 { return true }
        guard let t0 = Varint.readVarint(from: p, at: &i) else { return false }
        t = t0
        if total >= 2 {
            guard let d1 = Varint.readVarint(from: p, at: &i) else { return false }
            dt = d1
        }
        if total >= 3 {
            guard let c = IntCode.readHeader(p, at: &i) else { return false }
            tCode = DecodeCode(c)
        }
        guard i < p.count else { return false }
        kind = p[i]
        i += 1
        switch kind {
        case PackedChunk.constant, PackedChunk.xor:
            guard p.count - i >= 8 else { return false }
            vBits = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
            i += 8
        case PackedChunk.decimal, PackedChunk.floatBits:
            if kind == PackedChunk.decimal {
                guard i < p.count else { return false }
                let scale = Int(p[i])
                i += 1
                guard scale < PackedChunk.pow10.count, let m0 = Varint.readVarint(from: p, at: &i) else { return false }
                divisor = PackedChunk.pow10[scale]
                m = m0
            } else {
                guard p.count - i >= 8 else { return false }
                vBits = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                m = Int64(bitPattern: vBits)
                i += 8
            }
            if total >= 2 {
                guard i < p.count else { return false }
                order = p[i]
                i += 1
                guard order == 1 || order == 2 else { return false }
                if kind == PackedChunk.decimal {
                    guard let g = Varint.readUvarint(from: p, at: &i), g >= 1, g <= UInt64(Int64.max) else { return false }
                    gcd = Int64(g)
                }
                if order == 2 {
                    guard let d1 = Varint.readVarint(from: p, at: &i) else { return false }
                    d = d1
                }
                if total >= 3 || order == 1 {
                    guard let c = IntCode.readHeader(p, at: &i) else { return false }
                    vCode = DecodeCode(c)
                }
            }
        default:
            return false
        }
        guard let tLength = Varint.readUvarint(from: p, at: &i), tLength <= UInt64(p.count - i) else { return false }
        let vStart = i + Int(tLength)
        tReader = FastBitReader(bytes, from: i, to: vStart)
        vReader = FastBitReader(bytes, from: vStart, to: bytes.count)
        return true
    }

    /// Why iteration stopped early, as a storage error.
    package var error: StorageError? { failure?.storageError }

    /// The current sample. Decimal and float-bits values are made from `m` here, not in `next`,
    /// so samples a seek skips never pay for the division.
    @inline(__always)
    package func at() -> (t: Int64, v: Double) {
        switch kind {
        case PackedChunk.decimal: return (t, divisor == 1 ? Double(m) : Double(m) / divisor)
        case PackedChunk.floatBits: return (t, Double(bitPattern: UInt64(bitPattern: m)))
        default: return (t, Double(bitPattern: vBits))
        }
    }

    /// The current timestamp.
    @inline(__always)
    package var timestamp: Int64 { t }

    /// Moves to the first sample at or after `target`.
    package mutating func seek(_ target: Int64) -> Bool {
        if failed { return false }
        if decoded > 0 && t >= target { return true }
        while next() {
            if t >= target { return true }
        }
        return false
    }

    /// Decodes the next sample.
    @inline(__always)
    package mutating func next() -> Bool {
        guard decoded < total, !failed else { return false }
        if decoded == 0 {
            decoded = 1
            return true
        }
        if decoded >= 2 { dt = dt &+ tCode.read(&tReader) }
        t = t &+ dt
        switch kind {
        case PackedChunk.decimal, PackedChunk.floatBits:
            if order == 1 {
                m = m &+ gcd &* vCode.read(&vReader)
            } else {
                if decoded >= 2 { d = d &+ vCode.read(&vReader) }
                m = m &+ gcd &* d
            }

        case PackedChunk.xor:
            if !readXOR() { return fail() }
        default:
            break
        }
        if tReader.overrun || vReader.overrun { return fail() }
        decoded += 1
        return true
    }

    @inline(__always)
    private mutating func readXOR() -> Bool {
        if vReader.read(1) == 0 { return true }
        if vReader.read(1) == 1 {
            let l = vReader.read(5)
            var significant = vReader.read(6)
            if significant == 0 { significant = 64 }
            guard l + significant <= 64 else { return false }
            leading = UInt8(l)
            trailing = UInt8(64 - l - significant)
        }
        let width = 64 - Int(leading) - Int(trailing)
        vBits ^= vReader.read(width) &<< UInt64(trailing)
        return true
    }

    private mutating func fail() -> Bool {
        failure = .chunkTruncated(sample: decoded, of: total)
        failed = true
        return false
    }
}

/// An `IntCode` laid out for decoding: the class prefix and width for each value of the next
/// three bits are packed into two words (byte `i` for the bits `i`), so a value costs one
/// window refill check, a shift and a mask, with no branch per class.
struct DecodeCode {
    var base: Int64 = 0
    var classes: UInt8 = 0
    /// Truncated binary: k and u.
    var k = 0
    var u: UInt64 = 0
    /// Classes 2...4: prefix lengths and value widths by the next three bits.
    var prefixes: UInt64 = 0
    var widths: UInt64 = 0

    init() {}

    init(_ c: IntCode) {
        base = c.base
        classes = c.classes
        if c.classes == 1 {
            k = 63 - c.range.leadingZeroBitCount
            u = (UInt64(1) << UInt64(k + 1)) &- c.range
        }
        guard c.classes >= 2, c.widths.count == Int(c.classes) else { return }
        let w = c.widths.map { UInt64($0) }
        for top in 0 ..< 8 {
            // The class of a value whose next three bits are `top` (see IntCode.write).
            let (plen, cls): (UInt64, Int)
            switch (c.classes, top) {
            case (_, 0 ..< 4): (plen, cls) = (1, 0)
            case (2, _): (plen, cls) = (1, 1)
            case (3, 4 ..< 6): (plen, cls) = (2, 1)
            case (3, _): (plen, cls) = (2, 2)
            case (_, 4 ..< 6): (plen, cls) = (2, 1)
            case (_, 6): (plen, cls) = (3, 2)
            default: (plen, cls) = (3, 3)
            }
            prefixes |= plen << UInt64(top * 8)
            widths |= w[cls] << UInt64(top * 8)
        }
    }

    /// The next value.
    @inline(__always)
    func read(_ r: inout FastBitReader) -> Int64 {
        if classes == 0 { return base }
        r.fill()
        let x: UInt64
        if classes == 1 {
            if k >= 56 {
                // Wider than a refill guarantees: read in two steps.
                let y = r.read(k)
                x = y < u ? y : ((y &<< 1) | r.read(1)) &- u
            } else {
                let y = r.peek(k)
                if y < u {
                    r.skip(k)
                    x = y
                } else {
                    x = r.peek(k + 1) &- u
                    r.skip(k + 1)
                }
            }
        } else {
            let top = r.peek(3) // bits past the end read as zero; `skip` reports the overrun
            let plen = Int(truncatingIfNeeded: (prefixes >> (top << 3)) & 0xFF)
            let w = Int(truncatingIfNeeded: (widths >> (top << 3)) & 0xFF)
            r.skip(plen)
            x = r.read(w)
        }
        return base &+ Int64(bitPattern: x)
    }
}

/// Reads bits, most significant first, from a range of a byte array, eight bytes at a time.
/// Reading past the end yields zero bits and sets `overrun` (checked once per sample).
struct FastBitReader {
    private let bytes: [UInt8]
    private var index: Int
    private let end: Int
    /// Unread bits, left-aligned; bits below the `valid` ones are stream bits or zero.
    private var window: UInt64 = 0
    private var valid = 0
    private(set) var overrun = false

    init(_ bytes: [UInt8], from: Int, to: Int) {
        self.bytes = bytes
        end = max(0, min(to, bytes.count))
        index = min(max(0, from), end)
    }

    /// Tops the window up to at least 57 valid bits when the stream has them.
    @inline(__always)
    mutating func fill() {
        if valid < 57 { refill() }
    }

    /// The next `n` bits (0...57, at most `valid` after `fill`; bits past the end read as zero)
    /// without consuming them.
    @inline(__always)
    func peek(_ n: Int) -> UInt64 {
        n == 0 ? 0 : window &>> UInt64(64 - n)
    }

    /// Consumes `n` bits of the window (after `peek`); past the end of the stream it sets
    /// `overrun`.
    @inline(__always)
    mutating func skip(_ n: Int) {
        if n > valid {
            overrun = true
            window = 0
            valid = 0
            return
        }
        window = n == 64 ? 0 : window &<< UInt64(n)
        valid -= n
    }

    @inline(__always)
    private mutating func refill() {
        bytes.withUnsafeBytes { p in
            if end - index >= 8 {
                let w = UInt64(bigEndian: p.loadUnaligned(fromByteOffset: index, as: UInt64.self))
                window |= w &>> UInt64(valid)
                let take = (63 - valid) >> 3
                index += take
                valid += take << 3
            } else {
                while valid <= 56 && index < end {
                    window |= UInt64(p[index]) &<< UInt64(56 - valid)
                    valid += 8
                    index += 1
                }
            }
        }
    }

    /// `n` bits (0...64) as the low bits of the result.
    @inline(__always)
    mutating func read(_ n: Int) -> UInt64 {
        if n == 0 { return 0 }
        if n > valid {
            refill()
            if n > valid {
                // Only reads of more than 56 bits, or the end of the stream, get here.
                let first = valid
                let high = first == 0 ? 0 : window &>> UInt64(64 - first)
                window = 0
                valid = 0
                refill()
                let rest = n - first
                if rest > valid { overrun = true; valid = rest }
                let low = window &>> UInt64(64 - rest)
                window = rest == 64 ? 0 : window &<< UInt64(rest)
                valid -= rest
                return first == 0 ? low : (high &<< UInt64(rest)) | low
            }
        }
        let r = window &>> UInt64(64 - n)
        window = n == 64 ? 0 : window &<< UInt64(n)
        valid -= n
        return r
    }
}
