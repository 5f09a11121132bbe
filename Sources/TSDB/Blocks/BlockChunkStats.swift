import Dispatch
import Model

/// What a block's chunks cost, measured by reading them back (`vigil-bench chunkstats`, the
/// storage benchmark): the chunk bytes with and without LZ4 at several page sizes, the time to
/// decompress and to decode them, and a breakdown by metric name. It answers "does LZ4 still pay
/// on top of packed chunks?" with the block's own data.
package struct BlockChunkStats: Sendable {
    /// One metric name's share.
    package struct Family: Sendable {
        package var name: String
        package var series = 0
        package var samples = 0
        /// Chunk bytes (encoding byte and length included, as stored in a page).
        package var bytes = 0
        /// Chunks whose values fell back to XOR (not decimal), and constant ones.
        package var xorChunks = 0
        package var constantChunks = 0
        package var chunks = 0
    }

    /// Samples and chunk records in the block.
    package var samples = 0
    package var chunks = 0
    /// Bytes of the chunk records (what pages hold before compression).
    package var rawBytes = 0
    /// Page size → bytes of those records cut into pages of that size, each LZ4-compressed
    /// when that saves at least 10% (the writer's rule), plus 10 bytes of page framing.
    package var lz4Bytes: [(pageSize: Int, bytes: Int)] = []
    /// Seconds to LZ4-decompress every 32 KiB page once, and to decode every sample.
    package var decompressSeconds = 0.0
    package var decodeSeconds = 0.0
    package var families: [Family] = []
    /// The sum of every value plus the decompressed bytes (keeps the timed work observable).
    package var checksum = 0.0

    /// Reads every chunk of `block` in series order.
    package static func measure(_ block: Block, pageSizes: [Int] = [4096, 16384, 32768, 65536]) throws(TSDBError) -> BlockChunkStats {
        var s = BlockChunkStats()
        var records: [UInt8] = []
        var byName: [String: Family] = [:]
        var all: [Chunk] = []
        var cursor = BlockCursor(block)
        while let e = try cursor.next() {
            let name = e.labels.name
            var f = byName[name] ?? Family(name: name)
            f.series += 1
            for c in e.chunks {
                let start = records.count
                Varint.appendUvarint(UInt64(c.chunk.bytes.count), to: &records)
                records.append(c.chunk.encoding.rawValue)
                records += c.chunk.bytes
                f.bytes += records.count - start
                f.samples += c.chunk.count
                f.chunks += 1
                if c.chunk.encoding == .packed, let kind = PackedChunk.valueKind(c.chunk.bytes) {
                    if kind == PackedChunk.xor { f.xorChunks += 1 }
                    if kind == PackedChunk.constant { f.constantChunks += 1 }
                }
                all.append(c.chunk)
            }
            byName[name] = f
        }
        s.rawBytes = records.count
        s.chunks = all.count
        s.samples = byName.values.reduce(0) { $0 + $1.samples }
        s.families = byName.values.sorted { $0.bytes > $1.bytes }
        for size in pageSizes {
            var total = 0
            var i = 0
            while i < records.count {
                let end = min(records.count, i + size)
                let page = Array(records[i ..< end])
                let c = LZ4.compress(page)
                total += (c.isEmpty || c.count * 10 > page.count * 9 ? page.count : c.count) + 10
                i = end
            }
            s.lz4Bytes.append((size, total))
        }
        // Decompression of 32 KiB pages, and decoding of every sample.
        var pages: [([UInt8], Int)] = []
        var i = 0
        while i < records.count {
            let end = min(records.count, i + 32768)
            pages.append((LZ4.compress(Array(records[i ..< end])), end - i))
            i = end
        }
        var start = DispatchTime.now().uptimeNanoseconds
        var check = 0
        for (c, n) in pages { check &+= LZ4.decompress(c[...], originalSize: n)?.count ?? 0 }
        s.decompressSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        start = DispatchTime.now().uptimeNanoseconds
        var sum = 0.0
        for c in all {
            var it = c.iterator()
            while it.next() { sum += it.at().v }
        }
        s.decodeSeconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        s.checksum = sum + Double(check)
        return s
    }
}
