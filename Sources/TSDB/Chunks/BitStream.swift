/// Appends bits, most significant first, to a byte array: the write side of the chunk encodings.
///
/// `bytes` is always a complete, readable prefix: bits not yet written in the last byte are zero.
/// The first `headerBytes` bytes are left to the owner (the XOR chunk keeps its sample count there).
struct BitWriter: Sendable {
    /// The encoded bytes.
    private(set) var bytes: [UInt8]
    /// Unwritten bits left in the last byte (0 means the next bit starts a new byte).
    private var freeBits: UInt8 = 0

    init(headerBytes: Int) {
        bytes = [UInt8](repeating: 0, count: headerBytes)
    }

    /// Overwrites byte `index` (a header byte).
    @inline(__always)
    mutating func setByte(_ index: Int, _ value: UInt8) { bytes[index] = value }

    /// Writes one bit.
    @inline(__always)
    mutating func writeBit(_ bit: Bool) {
        if freeBits == 0 {
            bytes.append(0)
            freeBits = 8
        }
        freeBits -= 1
        if bit { bytes[bytes.count - 1] |= 1 &<< freeBits }
    }

    /// Writes the low `count` bits of `value` (0...64), most significant first.
    @inline(__always)
    mutating func writeBits(_ value: UInt64, _ count: Int) {
        guard count > 0 else { return }
        // Left-align the bits to write, dropping anything above `count`.
        var v = value &<< UInt64(64 - count)
        var n = count
        // Fill the partial last byte first.
        if freeBits > 0 {
            let take = min(n, Int(freeBits))
            let chunk = UInt8(truncatingIfNeeded: v &>> UInt64(64 - take))
            freeBits -= UInt8(take)
            bytes[bytes.count - 1] |= chunk &<< freeBits
            v = take == 64 ? 0 : v &<< UInt64(take)
            n -= take
        }
        // Whole bytes.
        while n >= 8 {
            bytes.append(UInt8(truncatingIfNeeded: v &>> 56))
            v &<<= 8
            n -= 8
        }
        // The leading bits of a new byte.
        if n > 0 {
            bytes.append(UInt8(truncatingIfNeeded: v &>> 56))
            freeBits = UInt8(8 - n)
        }
    }

    /// Writes `value` as a Go unsigned varint, byte by byte (the first samples' timestamps).
    mutating func writeUvarint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            writeBits(UInt64(UInt8(truncatingIfNeeded: v) | 0x80), 8)
            v &>>= 7
        }
        writeBits(v, 8)
    }

    /// Drops spare capacity, for a buffer that will not grow again.
    mutating func shrink() {
        let exact = [UInt8](unsafeUninitializedCapacity: bytes.count) { buf, n in
            _ = buf.initialize(from: bytes)
            n = bytes.count
        }
        bytes = exact
    }
}

/// Reads bits, most significant first, from a byte array: the read side of the chunk encodings.
///
/// Every read is bounds-checked and returns nil past the end; nothing here traps on damaged
/// input. Reads are served from a 64-bit window refilled eight bytes at a time (byte by byte at
/// the end of the input).
struct BitReader: Sendable {
    private let bytes: [UInt8]
    /// The next byte to load into the window.
    private var index: Int
    /// Unread bits, left-aligned.
    private var window: UInt64 = 0
    /// How many bits of `window` are valid.
    private var valid: Int = 0

    init(_ bytes: [UInt8], startByte: Int) {
        self.bytes = bytes
        self.index = min(startByte, bytes.count)
    }

    @inline(__always)
    private mutating func refill() {
        bytes.withUnsafeBufferPointer { buf in
            if valid <= 56 && index + 8 <= buf.count {
                // Eight bytes at once: as many whole bytes as fit below the valid bits go in.
                // Bits past those bytes may land in the window too; they are the stream's
                // next bits, so the next refill ORs the same values over them.
                let word = UInt64(bigEndian: UnsafeRawPointer(buf.baseAddress! + index).loadUnaligned(as: UInt64.self))
                window |= word &>> UInt64(valid)
                let take = (64 - valid) >> 3
                index += take
                valid += take << 3
                return
            }
            while valid <= 56 && index < buf.count {
                window |= UInt64(buf[index]) &<< UInt64(56 - valid)
                valid += 8
                index += 1
            }
        }
    }

    /// Makes at least `n` bits (at most 57) readable with `window`/`skip` when the input still
    /// has them; false near the end, where callers take the bit-by-bit path.
    @inline(__always)
    mutating func ensure(_ n: Int) -> Bool {
        if valid < n { refill() }
        return valid >= n
    }

    /// The unread bits, left-aligned; only the first `ensure`d ones are meaningful.
    @inline(__always)
    var peekWindow: UInt64 { window }

    /// Drops `n` bits (1 ... the count `ensure` made readable).
    @inline(__always)
    mutating func skip(_ n: Int) {
        window = n >= 64 ? 0 : window &<< UInt64(n)
        valid -= n
    }

    /// One bit, or nil at the end.
    @inline(__always)
    mutating func readBit() -> Bool? {
        if valid == 0 {
            refill()
            if valid == 0 { return nil }
        }
        let bit = window &>> 63
        window &<<= 1
        valid -= 1
        return bit == 1
    }

    /// `count` bits (0...64) as the low bits of the result, or nil when fewer remain.
    @inline(__always)
    mutating func readBits(_ count: Int) -> UInt64? {
        if count == 0 { return 0 }
        if count > valid { refill() }
        if count <= valid { return take(count) }
        // After a refill `valid` is at least 57 unless the input ran out, so only reads of more
        // than 56 bits get here with input left: take what the window has, refill, take the rest.
        guard index < bytes.count else { return nil }
        let first = valid
        let high = take(first)
        refill()
        let rest = count - first
        guard rest <= valid else { return nil }
        return (high &<< UInt64(rest)) | take(rest)
    }

    @inline(__always)
    private mutating func take(_ n: Int) -> UInt64 {
        // 1 <= n <= valid <= 64.
        let r = window &>> UInt64(64 - n)
        window = n == 64 ? 0 : window &<< UInt64(n)
        valid -= n
        return r
    }

    /// A Go unsigned varint written with `writeUvarint`, or nil when short or overlong.
    mutating func readUvarint() -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard let b = readBits(8) else { return nil }
            if shift == 63 && b > 1 { return nil }
            if b < 0x80 { return result | (b &<< shift) }
            result |= (b & 0x7f) &<< shift
            shift += 7
            if shift > 63 { return nil }
        }
    }
}
