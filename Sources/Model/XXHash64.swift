/// xxHash64 (the XXH64 algorithm by Yann Collet, written from its published specification),
/// used as the stable hash of label sets: the series registry keys on it and, because it is
/// stable across processes and versions, a hash may be persisted.
///
/// Test vectors: `XXH64("", 0) = 0xEF46DB3751D8E999`, `XXH64("abc", 0) = 0x44BC2CF5AD770999`.
package enum XXHash64 {
    @usableFromInline static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    @usableFromInline static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    @usableFromInline static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    @usableFromInline static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    @usableFromInline static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// The 64-bit hash of `bytes` with `seed`.
    package static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let n = bytes.count
        var i = 0
        var h: UInt64
        if n >= 32 {
            var v1 = seed &+ prime1 &+ prime2
            var v2 = seed &+ prime2
            var v3 = seed
            var v4 = seed &- prime1
            while i + 32 <= n {
                v1 = round(v1, load64(bytes, i))
                v2 = round(v2, load64(bytes, i + 8))
                v3 = round(v3, load64(bytes, i + 16))
                v4 = round(v4, load64(bytes, i + 24))
                i += 32
            }
            h = v1.rotl(1) &+ v2.rotl(7) &+ v3.rotl(12) &+ v4.rotl(18)
            h = mergeRound(h, v1)
            h = mergeRound(h, v2)
            h = mergeRound(h, v3)
            h = mergeRound(h, v4)
        } else {
            h = seed &+ prime5
        }
        h = h &+ UInt64(n)
        while i + 8 <= n {
            h ^= round(0, load64(bytes, i))
            h = h.rotl(27) &* prime1 &+ prime4
            i += 8
        }
        if i + 4 <= n {
            h ^= UInt64(load32(bytes, i)) &* prime1
            h = h.rotl(23) &* prime2 &+ prime3
            i += 4
        }
        while i < n {
            h ^= UInt64(bytes[i]) &* prime5
            h = h.rotl(11) &* prime1
            i += 1
        }
        h ^= h &>> 33
        h = h &* prime2
        h ^= h &>> 29
        h = h &* prime3
        h ^= h &>> 32
        return h
    }

    /// The hash of an array's bytes.
    package static func hash(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
        bytes.withUnsafeBytes { hash($0, seed: seed) }
    }

    @inline(__always)
    static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        (acc &+ input &* prime2).rotl(31) &* prime1
    }

    @inline(__always)
    static func mergeRound(_ acc: UInt64, _ val: UInt64) -> UInt64 {
        (acc ^ round(0, val)) &* prime1 &+ prime4
    }

    @inline(__always)
    static func load64(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
    }

    @inline(__always)
    static func load32(_ p: UnsafeRawBufferPointer, _ i: Int) -> UInt32 {
        UInt32(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt32.self))
    }
}

extension UInt64 {
    @inline(__always)
    fileprivate func rotl(_ r: UInt64) -> UInt64 { (self &<< r) | (self &>> (64 &- r)) }
}
