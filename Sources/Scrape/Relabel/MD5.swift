import Foundation

/// MD5 (RFC 1321), written here because `hashmod` must agree bit for bit with Prometheus,
/// which hashes with Go's `crypto/md5`. Not for security.
package enum MD5 {
    /// Per-round shift amounts (RFC 1321 section 3.4).
    private static let shifts: [UInt32] = [
        7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22, 7, 12, 17, 22,
        5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20, 5, 9, 14, 20,
        4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23, 4, 11, 16, 23,
        6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21, 6, 10, 15, 21,
    ]

    /// The table T[i] = floor(2^32 * abs(sin(i + 1))) (RFC 1321 section 3.4).
    private static let sines: [UInt32] = (0..<64).map { i in
        UInt32(truncatingIfNeeded: Int64((abs(sin(Double(i + 1))) * 4_294_967_296.0).rounded(.down)))
    }

    /// The 16-byte digest of `message`.
    package static func digest<Bytes: Collection>(_ message: Bytes) -> [UInt8] where Bytes.Element == UInt8 {
        var a0: UInt32 = 0x6745_2301
        var b0: UInt32 = 0xEFCD_AB89
        var c0: UInt32 = 0x98BA_DCFE
        var d0: UInt32 = 0x1032_5476

        // Padding (section 3.1-3.2): 0x80, zeros to 56 mod 64, then the bit length little-endian.
        var data = Array(message)
        let bitLength = UInt64(data.count) &* 8
        data.append(0x80)
        while data.count % 64 != 56 { data.append(0) }
        for k in 0..<8 { data.append(UInt8(truncatingIfNeeded: bitLength >> (8 * UInt64(k)))) }

        var m = [UInt32](repeating: 0, count: 16)
        var chunk = 0
        while chunk < data.count {
            for k in 0..<16 {
                let o = chunk + 4 * k
                m[k] = UInt32(data[o]) | UInt32(data[o + 1]) << 8 | UInt32(data[o + 2]) << 16 | UInt32(data[o + 3]) << 24
            }
            var a = a0, b = b0, c = c0, d = d0
            for i in 0..<64 {
                var f: UInt32
                let g: Int
                switch i {
                case 0..<16: f = (b & c) | (~b & d); g = i
                case 16..<32: f = (d & b) | (~d & c); g = (5 * i + 1) % 16
                case 32..<48: f = b ^ c ^ d; g = (3 * i + 5) % 16
                default: f = c ^ (b | ~d); g = (7 * i) % 16
                }
                f = f &+ a &+ sines[i] &+ m[g]
                a = d
                d = c
                c = b
                b = b &+ ((f << shifts[i]) | (f >> (32 - shifts[i])))
            }
            a0 = a0 &+ a
            b0 = b0 &+ b
            c0 = c0 &+ c
            d0 = d0 &+ d
            chunk += 64
        }
        var out: [UInt8] = []
        out.reserveCapacity(16)
        for word in [a0, b0, c0, d0] {
            for k in 0..<4 { out.append(UInt8(truncatingIfNeeded: word >> (8 * UInt32(k)))) }
        }
        return out
    }

    /// Prometheus' `hashmod`: the digest's last 8 bytes read big-endian, modulo `modulus`
    /// (`binary.BigEndian.Uint64(hash[8:]) % cfg.Modulus` in `model/relabel`).
    package static func hashmod(_ value: String, modulus: UInt64) -> UInt64 {
        let sum = digest(value.utf8)
        var v: UInt64 = 0
        for k in 8..<16 { v = v << 8 | UInt64(sum[k]) }
        return modulus == 0 ? 0 : v % modulus
    }
}
