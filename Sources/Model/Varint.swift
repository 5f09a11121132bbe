/// Go-compatible variable-length integers (`encoding/binary` `PutUvarint`/`PutVarint`): 7 bits
/// per byte, least significant group first, the high bit set on every byte but the last.
/// Signed values are zig-zag encoded, so small negative numbers stay short.
///
/// Writers append to a caller's buffer; readers never read past the end and return nil on short
/// or overlong input (more than 10 bytes, or a 10th byte above 1), which callers report as
/// corruption with their own context.
package enum Varint {
    /// The most bytes a 64-bit varint takes.
    package static let maxLength = 10

    /// Appends `value` as an unsigned varint.
    @inlinable
    package static func appendUvarint(_ value: UInt64, to out: inout [UInt8]) {
        var v = value
        while v >= 0x80 {
            out.append(UInt8(truncatingIfNeeded: v) | 0x80)
            v &>>= 7
        }
        out.append(UInt8(truncatingIfNeeded: v))
    }

    /// Appends `value` zig-zag encoded as a signed varint.
    @inlinable
    package static func appendVarint(_ value: Int64, to out: inout [UInt8]) {
        appendUvarint(zigzag(value), to: &out)
    }

    /// The zig-zag mapping of a signed value: 0, -1, 1, -2 ... become 0, 1, 2, 3 ...
    @inlinable
    package static func zigzag(_ value: Int64) -> UInt64 {
        UInt64(bitPattern: (value &<< 1) ^ (value &>> 63))
    }

    /// The inverse of `zigzag`.
    @inlinable
    package static func unzigzag(_ value: UInt64) -> Int64 {
        Int64(bitPattern: (value &>> 1) ^ (0 &- (value & 1)))
    }

    /// How many bytes `appendUvarint` writes for `value`.
    @inlinable
    package static func uvarintLength(_ value: UInt64) -> Int {
        var v = value
        var n = 1
        while v >= 0x80 { v &>>= 7; n += 1 }
        return n
    }

    /// Reads an unsigned varint at `index`, advancing it; nil on short or overlong input.
    @inlinable
    package static func readUvarint(from buffer: UnsafeRawBufferPointer, at index: inout Int) -> UInt64? {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        var i = index
        while i < buffer.count {
            let byte = buffer[i]
            i += 1
            if shift == 63 && byte > 1 { return nil }
            if byte < 0x80 {
                index = i
                return result | (UInt64(byte) &<< shift)
            }
            result |= UInt64(byte & 0x7f) &<< shift
            shift += 7
            if shift > 63 { return nil }
        }
        return nil
    }

    /// Reads a zig-zag signed varint at `index`, advancing it; nil on short or overlong input.
    @inlinable
    package static func readVarint(from buffer: UnsafeRawBufferPointer, at index: inout Int) -> Int64? {
        guard let u = readUvarint(from: buffer, at: &index) else { return nil }
        return unzigzag(u)
    }

    /// `readUvarint(from:at:)` over an array.
    @inlinable
    package static func readUvarint(from bytes: [UInt8], at index: inout Int) -> UInt64? {
        bytes.withUnsafeBytes { readUvarint(from: $0, at: &index) }
    }

    /// `readVarint(from:at:)` over an array.
    @inlinable
    package static func readVarint(from bytes: [UInt8], at index: inout Int) -> Int64? {
        bytes.withUnsafeBytes { readVarint(from: $0, at: &index) }
    }
}
