import Model

/// A Gorilla-style XOR chunk of float samples, bit-compatible with Prometheus' `chunkenc` XOR
/// encoding (see `FORMAT.md` beside this file). Immutable: the bytes of a finished chunk, or a
/// snapshot of an open one taken with `XORAppender.chunk`.
package struct XORChunk: Sendable {
    /// Bytes before the bit stream: the sample count, big-endian `UInt16`.
    package static let headerSize = 2

    /// The encoded chunk: header, then the bit stream.
    package let bytes: [UInt8]

    /// Adopts encoded bytes (from an appender or from disk); nothing is checked until iteration.
    package init(bytes: [UInt8]) { self.bytes = bytes }

    /// The sample count in the header, or 0 when the bytes are shorter than the header.
    package var count: Int {
        guard bytes.count >= XORChunk.headerSize else { return 0 }
        return Int(bytes[0]) << 8 | Int(bytes[1])
    }

    /// An iterator over the samples.
    package func iterator() -> XORIterator { XORIterator(bytes) }
}

/// Appends samples to an open XOR chunk.
///
/// Timestamps are delta-of-delta coded in Prometheus' buckets (0, 14, 17, 20 bits, or a full 64),
/// values XOR'ed against the previous value with the leading/trailing-zero window reused when it
/// fits. All arithmetic wraps, so any Int64 timestamps round-trip, in any order; the head keeps
/// them increasing. Value bits are stored as they are, so every NaN payload round-trips.
package struct XORAppender: Sendable {
    // Field order keeps the struct at 46 bytes: the small fields follow the writer's two bytes.
    private var t: Int64 = 0
    private var tDelta: UInt64 = 0
    private var vBits: UInt64 = 0
    private var stream: BitWriter
    private var sampleCount: UInt16 = 0
    /// Leading zeros of the current value window; 0xff until the first window is written.
    private var leading: UInt8 = 0xff
    private var trailing: UInt8 = 0

    /// The most samples a chunk holds (the header is a `UInt16`).
    package static let maxSamples = Int(UInt16.max)

    /// An empty chunk.
    package init() {
        stream = BitWriter(headerBytes: XORChunk.headerSize)
    }

    /// Samples appended so far.
    package var count: Int { Int(sampleCount) }

    /// True when no more samples fit.
    package var isFull: Bool { sampleCount == UInt16.max }

    /// The timestamp of the last sample (meaningful when `count > 0`).
    package var lastTimestamp: Int64 { t }

    /// The timestamp of the first sample (meaningful when `count > 0`): the varint at the start
    /// of the bit stream, which is byte-aligned there.
    package var firstTimestamp: Int64 {
        var i = XORChunk.headerSize
        return Varint.readUvarint(from: stream.prefix(XORChunk.headerSize + 10), at: &i).map(Varint.unzigzag) ?? t
    }

    /// The value bits of the last sample (meaningful when `count > 0`).
    package var lastValueBits: UInt64 { vBits }

    /// Bytes used so far.
    package var byteCount: Int { stream.byteCount }

    /// A copy of the chunk as it is now.
    package var chunk: XORChunk {
        XORChunk(bytes: stream.bytes(header: [UInt8(truncatingIfNeeded: sampleCount >> 8), UInt8(truncatingIfNeeded: sampleCount)]))
    }

    /// The finished chunk, exactly sized; the appender should not be used after.
    package mutating func finish() -> XORChunk { chunk }

    /// Appends one sample. The caller checks `isFull` first (the head cuts chunks long before).
    package mutating func append(_ timestamp: Int64, _ value: Double) {
        precondition(sampleCount < UInt16.max, "XOR chunk full")
        let bits = value.bitPattern
        switch sampleCount {
        case 0:
            // First sample: the timestamp as a signed varint, the value as its 64 bits.
            stream.writeUvarint(Varint.zigzag(timestamp))
            stream.writeBits(bits, 64)
        case 1:
            // Second sample: the timestamp delta as an unsigned varint, then the XOR'ed value.
            tDelta = UInt64(bitPattern: timestamp &- t)
            stream.writeUvarint(tDelta)
            writeValue(bits)
        default:
            let delta = UInt64(bitPattern: timestamp &- t)
            let dod = Int64(bitPattern: delta &- tDelta)
            // Buckets as in Prometheus' xor.go: a prefix of 1s then the dod in 14, 17, 20 or 64
            // bits. Each range is asymmetric (-(2^(n-1)-1) ... 2^(n-1)), which the reader mirrors.
            if dod == 0 {
                stream.writeBit(false)
            } else if dod >= -8191 && dod <= 8192 {
                stream.writeBits(0b10, 2)
                stream.writeBits(UInt64(bitPattern: dod), 14)
            } else if dod >= -65535 && dod <= 65536 {
                stream.writeBits(0b110, 3)
                stream.writeBits(UInt64(bitPattern: dod), 17)
            } else if dod >= -524_287 && dod <= 524_288 {
                stream.writeBits(0b1110, 4)
                stream.writeBits(UInt64(bitPattern: dod), 20)
            } else {
                stream.writeBits(0b1111, 4)
                stream.writeBits(UInt64(bitPattern: dod), 64)
            }
            tDelta = delta
            writeValue(bits)
        }
        t = timestamp
        vBits = bits
        sampleCount += 1
    }

    @inline(__always)
    private mutating func writeValue(_ bits: UInt64) {
        var previous = vBits
        XORValues.write(bits, previous: &previous, leading: &leading, trailing: &trailing, to: &stream)
    }
}
