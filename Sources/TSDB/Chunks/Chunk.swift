import Model

/// A chunk in either encoding: XOR (the head's, Prometheus' bytes) or packed (blocks').
package struct Chunk: Sendable {
    /// The encoding byte a chunk segment stores before a chunk's bytes.
    package enum Encoding: UInt8, Sendable {
        /// Prometheus' XOR chunk (`XORChunk`).
        case xor = 1
        /// Vigil's packed chunk (`PackedChunk`).
        case packed = 2
    }

    /// How `bytes` are encoded.
    package let encoding: Encoding
    /// The encoded chunk.
    package let bytes: [UInt8]

    /// Adopts encoded bytes; nothing is checked until iteration.
    package init(encoding: Encoding, bytes: [UInt8]) {
        self.encoding = encoding
        self.bytes = bytes
    }

    /// An XOR chunk.
    package init(_ xor: XORChunk) {
        encoding = .xor
        bytes = xor.bytes
    }

    /// The sample count in the header (0 when it does not parse).
    package var count: Int {
        switch encoding {
        case .xor:
            return XORChunk(bytes: bytes).count
        case .packed:
            var i = 0
            return Varint.readUvarint(from: bytes, at: &i).map { Int(clamping: $0) } ?? 0
        }
    }

    /// An iterator over the samples.
    package func iterator() -> ChunkIterator { ChunkIterator(self) }
}

/// Iterates a chunk of either encoding. Both decoders are held inline (the unused one empty),
/// so switching chunks never boxes or allocates.
package struct ChunkIterator: SampleIterator {
    private var isXOR: Bool
    private var xor: XORIterator
    private var packed: PackedIterator

    /// An iterator over `chunk`.
    package init(_ chunk: Chunk) {
        switch chunk.encoding {
        case .xor:
            isXOR = true
            xor = XORIterator(chunk.bytes)
            packed = PackedIterator([0])
        case .packed:
            isXOR = false
            xor = XORIterator([0, 0])
            packed = PackedIterator(chunk.bytes)
        }
    }

    /// An iterator over no samples.
    package init() {
        isXOR = true
        xor = XORIterator([0, 0])
        packed = PackedIterator([0])
    }

    /// Why iteration stopped early.
    package var failure: TSDBError? { isXOR ? xor.failure : packed.failure }

    /// Why iteration stopped early, as a storage error.
    package var error: StorageError? { failure?.storageError }

    @inline(__always)
    package func at() -> (t: Int64, v: Double) { isXOR ? xor.at() : packed.at() }

    /// The current timestamp.
    @inline(__always)
    package var timestamp: Int64 { isXOR ? xor.timestamp : packed.timestamp }

    @inline(__always)
    package mutating func next() -> Bool { isXOR ? xor.next() : packed.next() }

    package mutating func seek(_ t: Int64) -> Bool { isXOR ? xor.seek(t) : packed.seek(t) }
}
