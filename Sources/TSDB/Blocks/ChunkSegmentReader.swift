import Glibc
import Model

/// A read-only memory mapping of a whole file, unmapped when the last reference goes away.
/// `@unchecked Sendable`: the mapping is `PROT_READ` and never changes after `init`, so any
/// thread may read it; the pointer is only dereferenced through bounds-checked accessors.
final class MappedFile: @unchecked Sendable {
    let base: UnsafeRawPointer?
    let count: Int
    let path: String

    init(path: String) throws(TSDBError) {
        let f = try DiskFile.open(path, flags: O_RDONLY)
        let n = try f.size()
        self.path = path
        count = n
        if n == 0 {
            base = nil
            return
        }
        guard let p = mmap(nil, n, PROT_READ, MAP_SHARED, f.fd, 0), p != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .io(operation: "mmap", path: path, errno: errno)
        }
        base = UnsafeRawPointer(p)
    }

    deinit {
        if let base { munmap(UnsafeMutableRawPointer(mutating: base), count) }
    }

    /// The bytes `[offset, offset + length)`, or nil when they are not all inside the file.
    func bytes(_ offset: Int, _ length: Int) -> UnsafeRawBufferPointer? {
        guard let base, offset >= 0, length >= 0, offset <= count, length <= count - offset else { return nil }
        return UnsafeRawBufferPointer(start: base + offset, count: length)
    }

    /// The whole file.
    var all: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: base == nil ? 0 : count) }
}

/// Reads chunks of a block's `chunks/` directory by reference. Every read is bounds-checked and
/// every page's CRC32C verified, so a truncated or damaged segment gives `.blockCorrupt`,
/// never a crash.
final class ChunkSegmentReader: Sendable {
    private let dir: String
    /// Segments by index - 1.
    private let segments: [MappedFile]
    /// This reader's identity in the shared page cache.
    private let cacheID = ChunkPageCache.newReaderID()
    private let sharedCache: ChunkPageCache

    init(dir: String, cache: ChunkPageCache = .shared) throws(TSDBError) {
        self.dir = dir
        sharedCache = cache
        guard DiskDirectory.isDirectory(dir) else { throw .blockCorrupt(path: dir, reason: "chunks directory missing") }
        var files: [MappedFile] = []
        let names = try DiskDirectory.list(dir).filter { n in n.utf8.allSatisfy { $0 >= 0x30 && $0 <= 0x39 } }.sorted()
        for (i, name) in names.enumerated() {
            guard Int(name) == i + 1 else { throw .blockCorrupt(path: dir, reason: "chunk segment \(name) out of sequence") }
            let f = try MappedFile(path: dir + "/" + name)
            guard let h = f.bytes(0, ChunkSegmentWriter.header.count), h.elementsEqual(ChunkSegmentWriter.header) else {
                throw .blockCorrupt(path: f.path, reason: "bad chunk segment header")
            }
            files.append(f)
        }
        segments = files
    }

    deinit { sharedCache.remove(reader: cacheID) }

    /// The last decompressed page, reused while a reader walks chunks in order. Queries also
    /// go through the shared cache; a scan (compaction) passes `shared: false`.
    struct PageCache {
        var segment = -1
        var offset = -1
        var bytes: [UInt8] = []
        var shared = true

        init(shared: Bool = true) { self.shared = shared }
    }

    /// The chunk at `ref`.
    func chunk(_ ref: UInt64, cache: inout PageCache) throws(TSDBError) -> Chunk {
        let seg = Int(ref >> 48), pageOffset = Int((ref >> 16) & 0xFFFF_FFFF), inner = Int(ref & 0xFFFF)
        if cache.segment != seg || cache.offset != pageOffset {
            if cache.shared {
                let key = ChunkPageCache.Key(reader: cacheID, segment: seg, offset: pageOffset)
                if let page = sharedCache.get(key) {
                    cache.bytes = page
                } else {
                    cache.bytes = try readPage(seg, pageOffset)
                    sharedCache.put(key, cache.bytes)
                }
            } else {
                cache.bytes = try readPage(seg, pageOffset)
            }
            cache.segment = seg
            cache.offset = pageOffset
        }
        let p = cache.bytes
        var i = inner
        guard i < p.count, let len = Varint.readUvarint(from: p, at: &i), i < p.count, len <= UInt64(p.count - i - 1) else {
            throw .blockCorrupt(path: segmentPath(seg), reason: "chunk reference \(ref) runs past its page")
        }
        guard let encoding = Chunk.Encoding(rawValue: p[i]) else {
            throw .blockCorrupt(path: segmentPath(seg), reason: "chunk \(ref) has unknown encoding \(p[i])")
        }
        return Chunk(encoding: encoding, bytes: Array(p[(i + 1) ..< (i + 1 + Int(len))]))
    }

    private func segmentPath(_ seg: Int) -> String { dir + "/" + ChunkSegmentWriter.segmentName(seg) }

    private func readPage(_ seg: Int, _ offset: Int) throws(TSDBError) -> [UInt8] {
        guard seg >= 1, seg <= segments.count else {
            throw .blockCorrupt(path: dir, reason: "chunk reference names segment \(seg), the block has \(segments.count)")
        }
        let file = segments[seg - 1]
        let all = file.all
        var i = offset
        func corrupt(_ why: String) -> TSDBError { .blockCorrupt(path: file.path, reason: "page at offset \(offset): \(why)") }
        guard i >= ChunkSegmentWriter.header.count, i < all.count else { throw corrupt("past the end of the \(all.count)-byte segment") }
        let flag = all[i]
        i += 1
        guard let raw = Varint.readUvarint(from: all, at: &i), let stored = Varint.readUvarint(from: all, at: &i),
              raw <= 1 << 30, stored <= 1 << 30 else { throw corrupt("truncated page header") }
        guard let body = file.bytes(i, Int(stored)), let crcBytes = file.bytes(i + Int(stored), 4) else {
            throw corrupt("page of \(stored) bytes runs past the end of the \(all.count)-byte segment")
        }
        let want = crcBytes.reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard CRC32C.checksum(body) == want else { throw corrupt("checksum mismatch") }
        switch flag {
        case ChunkSegmentWriter.pageRaw:
            guard raw == stored else { throw corrupt("raw page lengths differ (\(raw) vs \(stored))") }
            return Array(body)
        case ChunkSegmentWriter.pageLZ4:
            guard let out = LZ4.decompress(ArraySlice(body), originalSize: Int(raw)) else { throw corrupt("LZ4 data does not decode") }
            return out
        default:
            throw corrupt("unknown page flag \(flag)")
        }
    }
}
