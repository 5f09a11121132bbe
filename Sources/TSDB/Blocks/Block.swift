import Glibc
import Model
import Synchronization

/// An immutable block on disk: `meta.json`, `index.sqlite`, `chunks/`, and optionally
/// `tombstones` (see `FORMAT.md`). Shared by queriers, which keep it alive (its index
/// connection open and its segments mapped) after the DB drops or even deletes it.
package final class Block: Sendable {
    /// The block directory.
    package let dir: String
    /// The parsed `meta.json`.
    package let meta: BlockMeta
    /// Bytes of the block's files, measured at open.
    package let sizeBytes: Int64
    let index: BlockIndex
    let chunks: ChunkSegmentReader
    /// Deleted ranges per series id (the `tombstones` file).
    let tombstones: Mutex<BlockTombstones.Ranges>

    private init(dir: String, meta: BlockMeta, index: BlockIndex, chunks: ChunkSegmentReader, tombstones: BlockTombstones.Ranges) {
        self.dir = dir
        self.meta = meta
        self.index = index
        self.chunks = chunks
        self.tombstones = Mutex(tombstones)
        sizeBytes = DB.diskUsage(dir)
    }

    /// Opens the block in `dir`: parses `meta.json`, opens the index (checking its format), maps
    /// the chunk segments (checking their headers) and reads the tombstones. Any defect is a
    /// `.blockCorrupt` naming the file.
    package static func open(_ dir: String) throws(TSDBError) -> Block {
        let path = dir + "/" + BlockMeta.fileName
        guard access(path, F_OK) == 0 else { throw .blockCorrupt(path: path, reason: "meta.json missing") }
        let file = try DiskFile.open(path, flags: O_RDONLY)
        let bytes = try file.withMappedBytes { Array($0) }
        let meta = try BlockMeta.decode(bytes, path: path)
        let indexPath = dir + "/index.sqlite"
        guard access(indexPath, F_OK) == 0 else { throw .blockCorrupt(path: indexPath, reason: "index missing") }
        let index = try BlockIndex(path: indexPath)
        guard Int64(index.seriesCount) == meta.stats.numSeries else {
            throw .blockCorrupt(path: indexPath, reason: "index holds \(index.seriesCount) series, meta.json says \(meta.stats.numSeries)")
        }
        let chunks = try ChunkSegmentReader(dir: dir + "/chunks")
        return Block(dir: dir, meta: meta, index: index, chunks: chunks, tombstones: try BlockTombstones.read(dir: dir))
    }

    /// Whether the block holds any time in `[mint, maxt]`.
    package func overlaps(mint: Int64, maxt: Int64) -> Bool { meta.overlaps(mint: mint, maxt: maxt) }

    /// The number of tombstone ranges.
    package var tombstoneCount: Int { tombstones.withLock { $0.values.reduce(0) { $0 + $1.count } } }

    /// A querier over the block.
    func querier(mint: Int64, maxt: Int64) throws(TSDBError) -> any Querier {
        BlockQuerier(block: self, mint: mint, maxt: maxt)
    }

    /// Adds tombstones for the series matching `matchers` over `[mint, maxt]` and persists them.
    /// Returns how many series were affected.
    @discardableResult
    func delete(mint: Int64, maxt: Int64, matchers: [Matcher]) throws(TSDBError) -> Int {
        guard meta.overlaps(mint: mint, maxt: maxt) else { return 0 }
        let refs = try index.select(matchers)
        if refs.isEmpty { return 0 }
        let updated = tombstones.withLock { t -> BlockTombstones.Ranges in
            for r in refs { t[r, default: []].append(mint ... maxt) }
            return t
        }
        try BlockTombstones.write(updated, dir: dir)
        return refs.count
    }

    /// Every series with its chunks (loaded) and deleted ranges, in label order: the input of
    /// compaction. `body` returns false to stop.
    func forEachSeries(_ body: (Labels, [BlockChunk], [ClosedRange<Int64>]) throws(TSDBError) -> Bool) throws(TSDBError) {
        let deleted = tombstones.withLock { $0 }
        var cache = ChunkSegmentReader.PageCache(shared: false)
        if index.seriesCount == 0 { return }
        for id in 1 ... index.seriesCount {
            let ref = SeriesRef(UInt64(id))
            let row = try index.series(ref)
            var list: [BlockChunk] = []
            list.reserveCapacity(row.chunks.count)
            for c in row.chunks {
                list.append(BlockChunk(minT: c.minT, maxT: c.maxT, chunk: try chunks.chunk(c.ref, cache: &cache)))
            }
            if try !body(row.labels, list, deleted[ref] ?? []) { return }
        }
    }
}
