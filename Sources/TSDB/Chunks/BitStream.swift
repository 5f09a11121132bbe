/// Appends bits, most significant first: the write side of the chunk encodings.
///
/// Bits collect in a 64-bit accumulator and reach storage a whole word at a time, so an append
/// touches the array (a separate heap block: cache misses on its header and its tail) only every
/// few samples, with one single-element append; in WAL replay the per-byte appends of the first
/// version took a third of the time (measured). `bytes(header:)` gives the stream as bytes, the
/// pending bits included, after `headerBytes` bytes that the owner fills (the XOR chunk keeps its
/// sample count there).
struct BitWriter: Sendable {
    // Field order: the two bytes last, so an enclosing struct can use the padding after them.
    /// Pending bits, left-aligned: the stream continues with the top `accBits` bits of `acc`.
    private var acc: UInt64 = 0
    /// Full 64-bit words of the stream, in order (most significant byte first when serialized).
    private var words: [UInt64] = []
    private var accBits: UInt8 = 0
    /// Bytes reserved before the stream.
    private let headerBytes: UInt8

    init(headerBytes: Int) {
        self.headerBytes = UInt8(truncatingIfNeeded: headerBytes)
    }

    /// Writes one bit.
    @inline(__always)
    mutating func writeBit(_ bit: Bool) { writeBits(bit ? 1 : 0, 1) }

    /// Writes the low `count` bits of `value` (0...64), most significant first.
    @inline(__always)
    mutating func writeBits(_ value: UInt64, _ count: Int) {
        guard count > 0 else { return }
        let v = count >= 64 ? value : value & ((1 &<< UInt64(count)) &- 1)
        let free = 64 - Int(accBits)
        if count < free {
            acc |= v &<< UInt64(free - count)
            accBits &+= UInt8(truncatingIfNeeded: count)
        } else {
            // Fill the accumulator, store it as a word, keep the rest.
            let rest = count - free
            acc |= rest == 0 ? v : v &>> UInt64(rest)
            words.append(acc)
            acc = rest == 0 ? 0 : v &<< UInt64(64 - rest)
            accBits = UInt8(truncatingIfNeeded: rest)
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

    /// Bytes of the stream so far, the header included; the last byte's unwritten bits count.
    var byteCount: Int { Int(headerBytes) + words.count * 8 + (Int(accBits) + 7) / 8 }

    /// The stream as bytes, exactly sized: `header` (padded with zeros to the reserved size),
    /// then the bits written, the last byte's unwritten bits zero.
    func bytes(header: [UInt8]) -> [UInt8] {
        let h = Int(headerBytes)
        let pending = (Int(accBits) + 7) / 8
        let n = h + words.count * 8 + pending
        return [UInt8](unsafeUninitializedCapacity: n) { buf, initialized in
            for i in 0 ..< h { buf[i] = i < header.count ? header[i] : 0 }
            var o = h
            words.withUnsafeBufferPointer { src in
                for w in src {
                    var x = w
                    for _ in 0 ..< 8 {
                        buf[o] = UInt8(truncatingIfNeeded: x >> 56)
                        x <<= 8
                        o += 1
                    }
                }
            }
            var a = acc
            for _ in 0 ..< pending {
                buf[o] = UInt8(truncatingIfNeeded: a >> 56)
                a <<= 8
                o += 1
            }
            initialized = n
        }
    }

    /// Up to `count` leading bytes of the stream (the header bytes zero).
    func prefix(_ count: Int) -> [UInt8] {
        let all = bytes(header: [])
        return Array(all[0 ..< min(count, all.count)])
    }

    /// Releases spare capacity (for a buffer that will not grow again).
    mutating func shrink() {
        words = Array(words)
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
