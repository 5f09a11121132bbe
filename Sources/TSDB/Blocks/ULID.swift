import Glibc
import Synchronization

/// A ULID (github.com/ulid/spec): 48 bits of Unix milliseconds then 80 random bits, written as
/// 26 characters of Crockford base32. Block directories are named by one, so names sort by
/// creation time. IDs made in the same millisecond by this process increase (the random part
/// of the previous one plus one), as the spec's monotonic mode does.
package struct ULID: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The 16 bytes, big-endian: time (6) then randomness (10).
    package let bytes: [UInt8]

    private static let alphabet = Array("0123456789ABCDEFGHJKMNPQRSTVWXYZ".utf8)
    /// The last randomness handed out per millisecond, for the most recent milliseconds: callers
    /// stamping different times (an import writing old ranges while compaction stamps now)
    /// interleave, and each millisecond must still count up on its own.
    private static let last = Mutex<[UInt64: [UInt8]]>([:])
    private static let rememberedMilliseconds = 64

    /// A new ULID for the current time.
    package init() {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        self.init(milliseconds: UInt64(ts.tv_sec) * 1000 + UInt64(ts.tv_nsec) / 1_000_000)
    }

    /// A new ULID for `milliseconds` since the epoch (monotonic within the process).
    package init(milliseconds: UInt64) {
        let random = ULID.last.withLock { last -> [UInt8] in
            var r: [UInt8]
            if let previous = last[milliseconds], previous.count == 10 {
                // Same millisecond: increment the previous randomness so the IDs keep increasing.
                r = previous
                var i = 9
                while i >= 0 {
                    r[i] &+= 1
                    if r[i] != 0 { break }
                    i -= 1
                }
            } else {
                var g = SystemRandomNumberGenerator()
                r = (0 ..< 10).map { _ in UInt8.random(in: 0 ... 255, using: &g) }
                if last.count >= ULID.rememberedMilliseconds, let oldest = last.keys.min() {
                    last.removeValue(forKey: oldest)
                }
            }
            last[milliseconds] = r
            return r
        }
        let ms = milliseconds
        var b: [UInt8] = []
        b.reserveCapacity(16)
        for shift in stride(from: 40, through: 0, by: -8) { b.append(UInt8(truncatingIfNeeded: ms >> UInt64(shift))) }
        b += random
        bytes = b
    }

    /// Parses the 26-character text form (case-insensitive); nil for anything else.
    package init?(string: String) {
        let chars = Array(string.utf8)
        guard chars.count == 26 else { return nil }
        var value: (hi: UInt64, lo: UInt64) = (0, 0) // 130 bits; the top 2 must be zero
        for (i, c) in chars.enumerated() {
            guard let d = ULID.decode(c) else { return nil }
            if i == 0 && d > 7 { return nil } // would overflow 128 bits
            value.hi = (value.hi << 5) | (value.lo >> 59)
            value.lo = (value.lo << 5) | UInt64(d)
        }
        var b: [UInt8] = []
        for shift in stride(from: 56, through: 0, by: -8) { b.append(UInt8(truncatingIfNeeded: value.hi >> UInt64(shift))) }
        for shift in stride(from: 56, through: 0, by: -8) { b.append(UInt8(truncatingIfNeeded: value.lo >> UInt64(shift))) }
        bytes = b
    }

    private static func decode(_ c: UInt8) -> UInt8? {
        var c = c
        if c >= 0x61 && c <= 0x7A { c -= 0x20 } // lower case
        switch c {
        case 0x4F: return 0 // O
        case 0x49, 0x4C: return 1 // I, L
        default: break
        }
        guard let i = alphabet.firstIndex(of: c) else { return nil }
        return UInt8(i)
    }

    /// The timestamp part, in milliseconds since the epoch.
    package var milliseconds: UInt64 {
        bytes.prefix(6).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
    }

    /// The 26-character text form.
    package var description: String {
        var hi: UInt64 = 0, lo: UInt64 = 0
        for b in bytes.prefix(8) { hi = hi << 8 | UInt64(b) }
        for b in bytes.dropFirst(8) { lo = lo << 8 | UInt64(b) }
        var out = [UInt8](repeating: 0, count: 26)
        for i in stride(from: 25, through: 0, by: -1) {
            out[i] = ULID.alphabet[Int(lo & 31)]
            lo = (lo >> 5) | (hi << 59)
            hi >>= 5
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Orders by bytes, which is time order.
    package static func < (a: ULID, b: ULID) -> Bool { a.bytes.lexicographicallyPrecedes(b.bytes) }
}
