/// The byte constants the exposition grammars are written in, in one place.
enum ASCII {
    static let tab: UInt8 = 0x09
    static let newline: UInt8 = 0x0A
    static let carriageReturn: UInt8 = 0x0D
    static let space: UInt8 = 0x20
    static let quote: UInt8 = 0x22
    static let hash: UInt8 = 0x23
    static let plus: UInt8 = 0x2B
    static let comma: UInt8 = 0x2C
    static let minus: UInt8 = 0x2D
    static let dot: UInt8 = 0x2E
    static let zero: UInt8 = 0x30
    static let nine: UInt8 = 0x39
    static let colon: UInt8 = 0x3A
    static let equals: UInt8 = 0x3D
    static let backslash: UInt8 = 0x5C
    static let underscore: UInt8 = 0x5F
    static let openBrace: UInt8 = 0x7B
    static let closeBrace: UInt8 = 0x7D
    static let nul: UInt8 = 0x00
    static let lowerN: UInt8 = 0x6E

    /// `[0-9]`.
    @inline(__always)
    static func isDigit(_ c: UInt8) -> Bool { c &- zero < 10 }

    /// `[a-zA-Z_]`: the first byte of a legacy label name.
    @inline(__always)
    static func isLabelNameStart(_ c: UInt8) -> Bool {
        let lower = c | 0x20
        return (lower >= 0x61 && lower <= 0x7A) || c == underscore
    }

    /// `[a-zA-Z_0-9]`.
    @inline(__always)
    static func isLabelNameByte(_ c: UInt8) -> Bool { isLabelNameStart(c) || isDigit(c) }

    /// `[a-zA-Z_:]`: the first byte of a legacy metric name.
    @inline(__always)
    static func isMetricNameStart(_ c: UInt8) -> Bool { isLabelNameStart(c) || c == colon }

    /// `[a-zA-Z_:0-9]`.
    @inline(__always)
    static func isMetricNameByte(_ c: UInt8) -> Bool { isLabelNameByte(c) || c == colon }

    /// Space or tab: the blanks the Prometheus text format skips between tokens.
    @inline(__always)
    static func isBlank(_ c: UInt8) -> Bool { c == space || c == tab }
}
