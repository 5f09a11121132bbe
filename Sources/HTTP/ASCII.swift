/// Byte constants of the HTTP/1.1 grammar (RFC 9110 §5.6, RFC 9112), kept in one place.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let percent: UInt8 = 0x25
    static let ampersand: UInt8 = 0x26
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let slash: UInt8 = 0x2F
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let semicolon: UInt8 = 0x3B
    static let equals: UInt8 = 0x3D
    static let questionMark: UInt8 = 0x3F
    static let upperA: UInt8 = 0x41
    static let upperF: UInt8 = 0x46
    static let upperZ: UInt8 = 0x5A
    static let lowerA: UInt8 = 0x61
    static let lowerF: UInt8 = 0x66
    static let delete: UInt8 = 0x7F

    static let crlf: [UInt8] = [cr, lf]

    /// `tchar` of RFC 9110 §5.6.2: the bytes allowed in methods and header names.
    static let isTokenTable: [Bool] = (0..<256).map { value in
        let byte = UInt8(value)
        switch byte {
        case 0x30...0x39, 0x41...0x5A, 0x61...0x7A: return true
        default: return Array("!#$%&'*+-.^_`|~".utf8).contains(byte)
        }
    }

    @inline(__always)
    static func isToken(_ byte: UInt8) -> Bool {
        // The table has 256 entries, so every UInt8 indexes it.
        isTokenTable[Int(byte)]
    }

    /// A header value byte: HTAB, SP, VCHAR or obs-text (RFC 9110 §5.5).
    @inline(__always)
    static func isFieldValue(_ byte: UInt8) -> Bool {
        byte == tab || (byte >= space && byte != delete)
    }

    @inline(__always)
    static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= upperA && byte <= upperZ ? byte | 0x20 : byte
    }

    /// The value of a hex digit, or nil.
    @inline(__always)
    static func hexValue(_ byte: UInt8) -> UInt8? {
        switch byte {
        case zero...nine: return byte - zero
        case upperA...upperF: return byte - upperA + 10
        case lowerA...lowerF: return byte - lowerA + 10
        default: return nil
        }
    }
}
