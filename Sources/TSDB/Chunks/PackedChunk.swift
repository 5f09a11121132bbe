import Model

/// The packed chunk encoding: Vigil's encoding for chunks in blocks (`FORMAT.md` beside this
/// file, "Packed chunks"). Timestamps are delta-of-delta coded; values that are decimal numbers
/// (an integer times 10^-s, as almost every scraped value is: counters, byte counts, gauges
/// printed with a few decimals) are coded as those integers' deltas or deltas of deltas, divided
/// by their greatest common divisor; other values fall back to XOR. Each integer sequence gets
/// the bit code that is smallest for it (`IntCode`). A chunk is built whole from its samples
/// (blocks are immutable), so the encoder can look at all of them before choosing.
package enum PackedChunk {
    /// Value kinds (the byte after the timestamp header).
    static let constant: UInt8 = 0, decimal: UInt8 = 1, xor: UInt8 = 2, floatBits: UInt8 = 3

    /// 10^0 ... 10^15: exact doubles.
    static let pow10: [Double] = {
        var out: [Double] = [1]
        for _ in 1 ... 15 { out.append(out[out.count - 1] * 10) }
        return out
    }()

    /// The smallest s such that `v` is exactly `m / 10^s` for an integer `|m| < 2^53`, or nil.
    static func decimalScale(_ v: Double) -> Int? {
        guard v.isFinite else { return nil }
        if v == 0 { return v.sign == .minus ? nil : 0 }
        for s in 0 ... 15 {
            let x = v * pow10[s]
            guard abs(x) < 9.007_199_254_740_992e15 else { return nil }
            let m = x.rounded()
            if (m / pow10[s]).bitPattern == v.bitPattern { return s }
        }
        return nil
    }

    /// The values as integers at one scale (`values[i] == m[i] / 10^scale` exactly), or nil.
    static func decimals(_ values: [Double]) -> (scale: Int, m: [Int64])? {
        var scale = 0
        for v in values {
            guard let s = decimalScale(v) else { return nil }
            scale = max(scale, s)
        }
        let p = pow10[scale]
        var m: [Int64] = []
        m.reserveCapacity(values.count)
        for v in values {
            let x = (v * p).rounded()
            guard abs(x) < 9.007_199_254_740_992e15 else { return nil }
            let i = Int64(x)
            // Holds whenever each value is decimal at a smaller scale; checked all the same.
            guard (Double(i) / p).bitPattern == v.bitPattern else { return nil }
            m.append(i)
        }
        return (scale, m)
    }

    /// Encodes samples (timestamps increasing, at least one sample) as a packed chunk.
    package static func encode(timestamps ts: [Int64], values vs: [Double]) -> [UInt8] {
        let n = min(ts.count, vs.count)
        var out: [UInt8] = []
        out.reserveCapacity(16 + n * 2)
        Varint.appendUvarint(UInt64(n), to: &out)
        guard n > 0 else { return out }

        // Timestamps: t0, Δ1, then delta-of-deltas.
        var tBits = BitWriter(headerBytes: 0)
        Varint.appendVarint(ts[0], to: &out)
        if n >= 2 { Varint.appendVarint(ts[1] &- ts[0], to: &out) }
        if n >= 3 {
            var dods: [Int64] = []
            dods.reserveCapacity(n - 2)
            for i in 2 ..< n { dods.append((ts[i] &- ts[i - 1]) &- (ts[i - 1] &- ts[i - 2])) }
            let code = IntCode.choose(dods).code
            code.appendHeader(to: &out)
            for d in dods { code.write(d, to: &tBits) }
        }

        // Values.
        var vBits = BitWriter(headerBytes: 0)
        let first = vs[0].bitPattern
        if vs[0 ..< n].allSatisfy({ $0.bitPattern == first }) {
            out.append(constant)
            appendUInt64LE(first, to: &out)
        } else {
            var xorBits = BitWriter(headerBytes: 0)
            var prev = first, leading: UInt8 = 0xff, trailing: UInt8 = 0
            for i in 1 ..< n { XORValues.write(vs[i].bitPattern, previous: &prev, leading: &leading, trailing: &trailing, to: &xorBits) }
            // The smallest of: XOR; the decimal integers' deltas; the bit patterns' deltas (for
            // floats that are not decimal but move by small amounts within one binade, such as a
            // histogram's _sum: ~44 bits a sample against XOR's ~56).
            var kind = xor
            var header: [UInt8] = []
            appendUInt64LE(first, to: &header)
            vBits = xorBits
            if let dec = decimals(Array(vs[0 ..< n])) {
                var h: [UInt8] = [UInt8(dec.scale)]
                Varint.appendVarint(dec.m[0], to: &h)
                let d = deltaStream(dec.m, useGCD: true, header: &h)
                if h.count + d.byteCount < header.count + vBits.byteCount { (kind, header, vBits) = (decimal, h, d) }
            }
            if kind == xor {
                var h: [UInt8] = []
                appendUInt64LE(first, to: &h)
                let d = deltaStream(vs[0 ..< n].map { Int64(bitPattern: $0.bitPattern) }, useGCD: false, header: &h)
                if h.count + d.byteCount < header.count + vBits.byteCount { (kind, header, vBits) = (floatBits, h, d) }
            }
            out.append(kind)
            out += header
        }
        let tStream = tBits.bytes(header: [])
        Varint.appendUvarint(UInt64(tStream.count), to: &out)
        out += tStream
        out += vBits.bytes(header: [])
        return out
    }

    /// The stream of an integer sequence (at least two values, not all equal) as order-1 deltas
    /// or order-2 deltas of deltas, whichever is smaller, and its header, appended to `header`:
    /// order (byte), gcd (uvarint, with `useGCD`; the deltas are divided by it), d1 (varint,
    /// order 2), the code. Arithmetic wraps, so any Int64 sequence round-trips.
    private static func deltaStream(_ m: [Int64], useGCD: Bool, header: inout [UInt8]) -> BitWriter {
        let n = m.count
        var deltas: [Int64] = []
        deltas.reserveCapacity(n - 1)
        var g: UInt64 = 0
        for i in 1 ..< n {
            let d = m[i] &- m[i - 1]
            deltas.append(d)
            if useGCD { g = gcd(g, d.magnitude) }
        }
        // A gcd above Int64.max (only 2^63, for deltas of Int64.min) is not used.
        if !useGCD || g == 0 || g > UInt64(Int64.max) { g = 1 }
        if g > 1 { for i in deltas.indices { deltas[i] /= Int64(g) } }
        var dods: [Int64] = []
        dods.reserveCapacity(max(0, n - 2))
        for i in 1 ..< deltas.count { dods.append(deltas[i] &- deltas[i - 1]) }
        let first = IntCode.choose(deltas)
        let second = IntCode.choose(dods)
        var bits = BitWriter(headerBytes: 0)
        // Order 2 pays for d1 in the header (a varint, ~2-3 bytes).
        if n >= 3 && second.bits + 24 < first.bits {
            header.append(2)
            if useGCD { Varint.appendUvarint(g, to: &header) }
            Varint.appendVarint(deltas[0], to: &header)
            second.code.appendHeader(to: &header)
            for d in dods { second.code.write(d, to: &bits) }
        } else {
            header.append(1)
            if useGCD { Varint.appendUvarint(g, to: &header) }
            first.code.appendHeader(to: &header)
            for d in deltas { first.code.write(d, to: &bits) }
        }
        return bits
    }

    /// The value kind byte of a packed chunk (`constant`, `decimal`, `xor`), nil when the
    /// header does not parse.
    static func valueKind(_ bytes: [UInt8]) -> UInt8? {
        bytes.withUnsafeBytes { p -> UInt8? in
            var i = 0
            guard let n = Varint.readUvarint(from: p, at: &i), n > 0, Varint.readVarint(from: p, at: &i) != nil else { return nil }
            if n >= 2 && Varint.readVarint(from: p, at: &i) == nil { return nil }
            if n >= 3 && IntCode.readHeader(p, at: &i) == nil { return nil }
            return i < p.count ? p[i] : nil
        }
    }

    static func gcd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        var a = a, b = b
        while b != 0 { (a, b) = (b, a % b) }
        return a
    }

    static func appendUInt64LE(_ v: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }
}

/// Gorilla XOR coding of float values, as Prometheus' XOR chunk codes them (shared by the XOR
/// appender and the packed chunk's fallback).
enum XORValues {
    /// Writes `bits` XOR'ed against `previous`, reusing the leading/trailing-zero window when
    /// it fits (`leading` is 0xff until the first window is written).
    @inline(__always)
    static func write(_ bits: UInt64, previous: inout UInt64, leading: inout UInt8, trailing: inout UInt8, to stream: inout BitWriter) {
        let delta = bits ^ previous
        previous = bits
        if delta == 0 {
            stream.writeBit(false)
            return
        }
        var newLeading = UInt8(delta.leadingZeroBitCount)
        let newTrailing = UInt8(delta.trailingZeroBitCount)
        // The leading count has 5 bits; a larger count is stored as 31 (the window widens).
        if newLeading >= 32 { newLeading = 31 }
        if leading != 0xff && newLeading >= leading && newTrailing >= trailing {
            // '10': the previous window still holds every meaningful bit.
            stream.writeBits(0b10, 2)
            stream.writeBits(delta &>> UInt64(trailing), 64 - Int(leading) - Int(trailing))
        } else {
            // '11': a new window: 5 bits of leading zeros, 6 bits of length (64 stored as 0).
            leading = newLeading
            trailing = newTrailing
            let significant = 64 - Int(newLeading) - Int(newTrailing)
            stream.writeBits(0b11, 2)
            stream.writeBits(UInt64(newLeading), 5)
            stream.writeBits(UInt64(significant), 6)
            stream.writeBits(delta &>> UInt64(newTrailing), significant)
        }
    }
}
