/// Byte constants for the characters YAML's grammar gives a meaning to (YAML 1.2 §5.3, §5.4).
enum ASCII {
    static let nul: UInt8 = 0x00
    static let tab: UInt8 = 0x09
    static let lf: UInt8 = 0x0A
    static let cr: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let exclamation: UInt8 = 0x21  // !
    static let doubleQuote: UInt8 = 0x22  // "
    static let hash: UInt8 = 0x23  // #
    static let percent: UInt8 = 0x25  // %
    static let ampersand: UInt8 = 0x26  // &
    static let singleQuote: UInt8 = 0x27  // '
    static let asterisk: UInt8 = 0x2A  // *
    static let plus: UInt8 = 0x2B  // +
    static let comma: UInt8 = 0x2C  // ,
    static let minus: UInt8 = 0x2D  // -
    static let dot: UInt8 = 0x2E  // .
    static let slash: UInt8 = 0x2F  // /
    static let zero: UInt8 = 0x30  // 0
    static let one: UInt8 = 0x31  // 1
    static let nine: UInt8 = 0x39  // 9
    static let colon: UInt8 = 0x3A  // :
    static let less: UInt8 = 0x3C  // <
    static let greater: UInt8 = 0x3E  // >
    static let question: UInt8 = 0x3F  // ?
    static let at: UInt8 = 0x40  // @
    static let leftBracket: UInt8 = 0x5B  // [
    static let backslash: UInt8 = 0x5C  // \
    static let rightBracket: UInt8 = 0x5D  // ]
    static let backtick: UInt8 = 0x60  // `
    static let leftBrace: UInt8 = 0x7B  // {
    static let pipe: UInt8 = 0x7C  // |
    static let rightBrace: UInt8 = 0x7D  // }
    static let del: UInt8 = 0x7F

    /// Space or tab: YAML's in-line white space (s-white).
    @inline(__always) static func isWhite(_ b: UInt8) -> Bool { b == space || b == tab }

    /// White space or a line break (line breaks are normalized to LF before scanning).
    @inline(__always) static func isBlank(_ b: UInt8) -> Bool { b == space || b == tab || b == lf }

    /// `, [ ] { }`: the characters that end plain scalars inside flow collections (c-flow-indicator).
    @inline(__always) static func isFlowIndicator(_ b: UInt8) -> Bool {
        b == comma || b == leftBracket || b == rightBracket || b == leftBrace || b == rightBrace
    }

    /// The value of a hexadecimal digit, or nil.
    @inline(__always) static func hexValue(_ b: UInt8) -> UInt32? {
        switch b {
        case 0x30...0x39: return UInt32(b - 0x30)
        case 0x41...0x46: return UInt32(b - 0x41 + 10)
        case 0x61...0x66: return UInt32(b - 0x61 + 10)
        default: return nil
        }
    }
}
