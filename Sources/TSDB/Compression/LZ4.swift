import CLZ4

/// LZ4 block compression for chunk segments. Decompression uses `LZ4_decompress_safe`, which
/// never reads or writes outside the given buffers, so a corrupt segment is an error, not a crash.
package enum LZ4 {
    /// Compresses `input`; the result does not record the original size (callers store it).
    package static func compress(_ input: [UInt8]) -> [UInt8] {
        guard !input.isEmpty, input.count <= Int(LZ4_MAX_INPUT_SIZE) else { return [] }
        let bound = Int(LZ4_compressBound(Int32(input.count)))
        var out = [UInt8](repeating: 0, count: bound)
        let n = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                LZ4_compress_default(src.baseAddress?.assumingMemoryBound(to: CChar.self),
                                     dst.baseAddress?.assumingMemoryBound(to: CChar.self),
                                     Int32(input.count), Int32(bound))
            }
        }
        out.removeSubrange(Int(max(0, n))...)
        return out
    }

    /// Decompresses `input` that held exactly `originalSize` bytes; nil when the data is corrupt
    /// or does not decode to that size.
    package static func decompress(_ input: ArraySlice<UInt8>, originalSize: Int) -> [UInt8]? {
        guard originalSize >= 0, originalSize <= Int(LZ4_MAX_INPUT_SIZE) else { return nil }
        if originalSize == 0 { return input.isEmpty ? [] : nil }
        var out = [UInt8](repeating: 0, count: originalSize)
        let n = input.withUnsafeBytes { src in
            out.withUnsafeMutableBytes { dst in
                LZ4_decompress_safe(src.baseAddress?.assumingMemoryBound(to: CChar.self),
                                    dst.baseAddress?.assumingMemoryBound(to: CChar.self),
                                    Int32(input.count), Int32(originalSize))
            }
        }
        return n == Int32(originalSize) ? out : nil
    }

    /// liblz4's version number, e.g. 10904 for 1.9.4.
    package static var libraryVersion: Int { Int(LZ4_versionNumber()) }
}
