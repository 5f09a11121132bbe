/// UTF-8 validation of a byte range without allocating (Go's `utf8.Valid`: no surrogates, no
/// overlong forms, nothing above U+10FFFF).
enum UTF8Check {
    /// True when `b[start..<end]` is valid UTF-8.
    static func isValid(_ b: UnsafeBufferPointer<UInt8>, _ start: Int, _ end: Int) -> Bool {
        guard start <= end, end <= b.count else { return false }
        var i = start
        // ASCII fast path, eight bytes at a time.
        if let base = b.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= end {
                if raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
                i += 8
            }
        }
        while i < end {
            let c = b[i]
            if c < 0x80 { i += 1; continue }
            let need: Int
            var lower: UInt8 = 0x80
            var upper: UInt8 = 0xBF
            switch c {
            case 0xC2...0xDF: need = 1
            case 0xE0: need = 2; lower = 0xA0
            case 0xE1...0xEC, 0xEE...0xEF: need = 2
            case 0xED: need = 2; upper = 0x9F
            case 0xF0: need = 3; lower = 0x90
            case 0xF1...0xF3: need = 3
            case 0xF4: need = 3; upper = 0x8F
            default: return false
            }
            guard end - i > need else { return false }
            let c1 = b[i + 1]
            guard c1 >= lower && c1 <= upper else { return false }
            for k in 2..<(need + 1) where b[i + k] & 0xC0 != 0x80 { return false }
            i += need + 1
        }
        return true
    }
}
