import Glibc
import Model

/// Writes a block's `chunks/` directory: segment files of pages of chunk records, each page
/// LZ4-compressed when that saves at least 10% (see `FORMAT.md`). Returns a reference per chunk.
/// Runs on the DB worker (compression and fsync are blocking work).
final class ChunkSegmentWriter {
    /// "VCKS", version 1, layout 1 (pages), two zero bytes.
    static let header: [UInt8] = [0x56, 0x43, 0x4B, 0x53, 0x01, 0x01, 0x00, 0x00]
    /// A page is closed once its uncompressed bytes reach this size.
    static let defaultPageSize = 32 << 10
    /// A segment is closed once it reaches this size.
    static let defaultSegmentSize = 512 << 20
    /// Page flags.
    static let pageRaw: UInt8 = 0, pageLZ4: UInt8 = 1

    private let dir: String
    private let compress: Bool
    private let pageSize: Int
    private let segmentSize: Int
    private var file: DiskFile?
    private var segment = 0
    private var segmentBytes = 0
    private var page: [UInt8] = []
    private var out: [UInt8] = []
    /// Bytes written to segment files (headers included).
    private(set) var bytesWritten = 0
    /// Uncompressed bytes of all pages.
    private(set) var rawBytes = 0

    init(dir: String, compress: Bool, pageSize: Int = defaultPageSize, segmentSize: Int = defaultSegmentSize) throws(TSDBError) {
        self.dir = dir
        self.compress = compress
        self.pageSize = min(pageSize, 60 << 10) // in-page offsets have 16 bits
        self.segmentSize = segmentSize
        try DiskDirectory.create(dir)
    }

    /// The file name of segment `index` (1-based, six digits as Prometheus names them).
    static func segmentName(_ index: Int) -> String {
        let d = String(index)
        return String(repeating: "0", count: max(0, 6 - d.count)) + d
    }

    /// Adds a chunk and returns its reference: segment (16 bits) | page offset (32) | offset in page (16).
    func add(_ chunk: Chunk) throws(TSDBError) -> UInt64 {
        if page.count >= pageSize { try flushPage() }
        if file == nil || segmentBytes >= segmentSize { try nextSegment() }
        guard segment < 1 << 16, segmentBytes < 1 << 32 else {
            throw .invalidOption("block chunk data exceeds 65535 segments")
        }
        let ref = UInt64(segment) << 48 | UInt64(segmentBytes) << 16 | UInt64(page.count)
        Varint.appendUvarint(UInt64(chunk.bytes.count), to: &page)
        page.append(chunk.encoding.rawValue)
        page += chunk.bytes
        return ref
    }

    private func nextSegment() throws(TSDBError) {
        if let f = file { try f.sync() }
        segment += 1
        let f = try DiskFile.open(dir + "/" + ChunkSegmentWriter.segmentName(segment), flags: O_WRONLY | O_CREAT | O_EXCL)
        try f.write(ChunkSegmentWriter.header)
        file = f
        segmentBytes = ChunkSegmentWriter.header.count
        bytesWritten += segmentBytes
    }

    /// Page: flag byte, uvarint raw length, uvarint stored length, stored bytes, CRC32C of the
    /// stored bytes (big-endian).
    private func flushPage() throws(TSDBError) {
        guard !page.isEmpty, let file else { return }
        out.removeAll(keepingCapacity: true)
        var stored = page
        var flag = ChunkSegmentWriter.pageRaw
        if compress {
            let c = LZ4.compress(page)
            // Compress only when it pays: at least 10% smaller.
            if !c.isEmpty && c.count * 10 <= page.count * 9 {
                stored = c
                flag = ChunkSegmentWriter.pageLZ4
            }
        }
        out.append(flag)
        Varint.appendUvarint(UInt64(page.count), to: &out)
        Varint.appendUvarint(UInt64(stored.count), to: &out)
        out += stored
        let crc = CRC32C.checksum(stored)
        out += [UInt8(truncatingIfNeeded: crc >> 24), UInt8(truncatingIfNeeded: crc >> 16),
                UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc)]
        try file.write(out)
        segmentBytes += out.count
        bytesWritten += out.count
        rawBytes += page.count
        page.removeAll(keepingCapacity: true)
    }

    /// Writes the last page and fsyncs the last segment and the directory.
    func finish() throws(TSDBError) {
        try flushPage()
        if let f = file { try f.sync() }
        file = nil
        try DiskDirectory.sync(dir)
    }
}
