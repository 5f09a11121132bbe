import Model

/// Decodes an XOR chunk without allocating: state lives in the struct, bits come from a 64-bit
/// window over the chunk's bytes.
///
/// Damaged input never traps and never reads out of bounds: a stream that ends before the
/// header's sample count, or a value window wider than 64 bits, stops iteration with `failure`
/// set. The samples decoded before the damage are the ones a well-formed prefix would give.
package struct XORIterator: SampleIterator {
    private var reader: BitReader
    private let total: Int
    private var decoded = 0
    private var t: Int64 = 0
    private var tDelta: UInt64 = 0
    private var vBits: UInt64 = 0
    private var leading: UInt8 = 0
    private var trailing: UInt8 = 0
    /// Why iteration stopped early, in this module's terms.
    package private(set) var failure: TSDBError?

    /// An iterator over encoded chunk bytes.
    package init(_ bytes: [UInt8]) {
        reader = BitReader(bytes, startByte: XORChunk.headerSize)
        if bytes.count < XORChunk.headerSize {
            total = 0
            failure = .chunkCorrupt(sample: 0, reason: "\(bytes.count) bytes, shorter than the 2-byte header")
        } else {
            total = Int(bytes[0]) << 8 | Int(bytes[1])
        }
    }

    /// Why iteration stopped early, as a storage error.
    package var error: StorageError? { failure?.storageError }

    /// The current sample.
    @inline(__always)
    package func at() -> (t: Int64, v: Double) { (t, Double(bitPattern: vBits)) }

    /// The current timestamp.
    @inline(__always)
    package var timestamp: Int64 { t }

    /// Moves to the first sample at or after `target`.
    package mutating func seek(_ target: Int64) -> Bool {
        if failure != nil { return false }
        if decoded > 0 && t >= target { return true }
        while next() {
            if t >= target { return true }
        }
        return false
    }

    /// Decodes the next sample.
    package mutating func next() -> Bool {
        guard failure == nil, decoded < total else { return false }
        if decoded == 0 {
            guard let zt = reader.readUvarint() else { return fail(truncated: true) }
            guard let v = reader.readBits(64) else { return fail(truncated: true) }
            t = Varint.unzigzag(zt)
            vBits = v
            decoded = 1
            return true
        }
        if decoded == 1 {
            guard let d = reader.readUvarint() else { return fail(truncated: true) }
            tDelta = d
            t = t &+ Int64(bitPattern: d)
            return readValue()
        }
        // Count the leading 1s of the delta-of-delta prefix (at most four): from the window in
        // one step when four bits are there, bit by bit at the end of the stream.
        var ones = 0
        if reader.ensure(4) {
            ones = min((~reader.peekWindow).leadingZeroBitCount, 4)
            reader.skip(ones == 4 ? 4 : ones + 1)
        } else {
            while ones < 4 {
                guard let bit = reader.readBit() else { return fail(truncated: true) }
                if !bit { break }
                ones += 1
            }
        }
        if ones > 0 {
            let width = ones == 1 ? 14 : ones == 2 ? 17 : ones == 3 ? 20 : 64
            guard var bits = reader.readBits(width) else { return fail(truncated: true) }
            if width < 64 && bits > (1 &<< UInt64(width - 1)) {
                // Sign-extend: the range is -(2^(w-1)-1) ... 2^(w-1).
                bits = bits &- (1 &<< UInt64(width))
            }
            tDelta = tDelta &+ bits
        }
        t = t &+ Int64(bitPattern: tDelta)
        return readValue()
    }

    @inline(__always)
    private mutating func readValue() -> Bool {
        // The control bits: `0` same value, `10` same window, `11` new window.
        let changed: Bool, newWindow: Bool
        if reader.ensure(2) {
            let top = reader.peekWindow &>> 62
            changed = top >= 2
            newWindow = top == 3
            reader.skip(changed ? 2 : 1)
        } else {
            guard let c = reader.readBit() else { return fail(truncated: true) }
            changed = c
            if c {
                guard let w = reader.readBit() else { return fail(truncated: true) }
                newWindow = w
            } else {
                newWindow = false
            }
        }
        if changed {
            if newWindow {
                guard let l = reader.readBits(5), var significant = reader.readBits(6) else {
                    return fail(truncated: true)
                }
                if significant == 0 { significant = 64 }
                guard l + significant <= 64 else {
                    return fail(reason: "value window of \(significant) bits after \(l) leading zeros exceeds 64")
                }
                leading = UInt8(l)
                trailing = UInt8(64 - l - significant)
            }
            let width = 64 - Int(leading) - Int(trailing)
            guard let bits = reader.readBits(width) else { return fail(truncated: true) }
            vBits ^= bits &<< UInt64(trailing)
        }
        decoded += 1
        return true
    }

    private mutating func fail(truncated: Bool) -> Bool {
        failure = .chunkTruncated(sample: decoded, of: total)
        return false
    }

    private mutating func fail(reason: String) -> Bool {
        failure = .chunkCorrupt(sample: decoded, reason: reason)
        return false
    }
}
