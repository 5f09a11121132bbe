import Glibc
import Model

/// One chunk handed to a `BlockBuilder`.
struct BlockChunk {
    var minT: Int64
    var maxT: Int64
    var chunk: Chunk
}

/// Writes one block: series are added in increasing label order with their chunks; `finish`
/// writes the label index, `meta.json`, fsyncs everything and renames `<ULID>.tmp` to `<ULID>`.
/// An error or `abort()` leaves no block behind (the `.tmp` directory is removed, and start-up
/// removes any left by a crash). Blocking work: run it on the DB worker or a CLI thread.
final class BlockBuilder {
    let ulid: ULID
    let parentDir: String
    let tmpDir: String
    let finalDir: String
    private var meta: BlockMeta
    private let chunks: ChunkSegmentWriter
    private var sql: Writer?
    private var lastLabels: Labels?
    private var nextID: Int64 = 1
    /// Label pairs in first-seen order (their ids are 1, 2, ...): canonical pair bytes → id.
    private var pairIDs: [[UInt8]: Int] = [:]
    /// Per pair id - 1: its canonical bytes and the series carrying it (ids increasing).
    private var pairs: [[UInt8]] = []
    private var postings: [[Int64]] = []
    private var blob: [UInt8] = []
    private var labelBlob: [UInt8] = []
    private var labelIDs: [Int] = []
    private var refs: [BlockIndexSchema.ChunkRef] = []

    /// The SQLite side, released before the directory is renamed.
    private final class Writer {
        let db: SQLiteDatabase
        let insertSeries: SQLiteStatement
        init(path: String) throws(SQLiteError) {
            db = try SQLiteDatabase(path: path, mode: .create)
            try db.exec(BlockIndexSchema.writePragmas)
            try db.exec(BlockIndexSchema.create)
            try db.exec("BEGIN")
            insertSeries = try db.prepare("INSERT INTO series (id, labels, mint, maxt, chunks) VALUES (?, ?, ?, ?, ?)")
        }
    }

    /// Starts a block covering `[minTime, maxTime)` in `parentDir`.
    init(parentDir: String, minTime: Int64, maxTime: Int64, compaction: BlockMeta.Compaction?,
         compress: Bool, ulid: ULID = ULID()) throws(TSDBError) {
        self.ulid = ulid
        self.parentDir = parentDir
        finalDir = parentDir + "/" + ulid.description
        tmpDir = finalDir + ".tmp"
        meta = BlockMeta(ulid: ulid.description, minTime: minTime, maxTime: maxTime, stats: .init(),
                         compaction: compaction ?? .init(level: 1, sources: [ulid.description]), version: 1,
                         vigil: .init(index: BlockIndexSchema.format + "/" + BlockIndexSchema.version, chunkSegments: "pages"))
        try DiskDirectory.removeAll(tmpDir)
        try DiskDirectory.create(tmpDir)
        do throws(TSDBError) {
            chunks = try ChunkSegmentWriter(dir: tmpDir + "/chunks", compress: compress)
            do { sql = try Writer(path: tmpDir + "/index.sqlite") } catch { throw error.indexError(tmpDir + "/index.sqlite") }
        } catch {
            try? DiskDirectory.removeAll(tmpDir)
            throw error
        }
    }

    /// Series added so far.
    var seriesCount: Int { Int(nextID - 1) }

    /// Adds a series (labels strictly greater than the previous series') with its chunks in
    /// time order, each within the block's range. A series without chunks is skipped.
    func add(_ labels: Labels, _ list: [BlockChunk]) throws(TSDBError) {
        guard !list.isEmpty, let sql else { return }
        if let last = lastLabels, Labels.compare(last, labels) >= 0 {
            throw .invalidOption("block series out of order: \(labels) after \(last)")
        }
        lastLabels = labels
        refs.removeAll(keepingCapacity: true)
        var samples: Int64 = 0
        for c in list {
            refs.append(.init(minT: c.minT, maxT: c.maxT, ref: try chunks.add(c.chunk)))
            samples += Int64(c.chunk.count)
        }
        let id = nextID
        nextID += 1
        labelIDs.removeAll(keepingCapacity: true)
        labels.forEachRaw { n, v in
            var pair: [UInt8] = []
            pair.reserveCapacity(n.count + v.count + 4)
            Varint.appendUvarint(UInt64(n.count), to: &pair)
            pair.append(contentsOf: n)
            Varint.appendUvarint(UInt64(v.count), to: &pair)
            pair.append(contentsOf: v)
            let pid: Int
            if let known = pairIDs[pair] {
                pid = known
            } else {
                pairs.append(pair)
                postings.append([])
                pid = pairs.count
                pairIDs[pair] = pid
            }
            postings[pid - 1].append(id)
            labelIDs.append(pid)
        }
        let minT = list[0].minT, maxT = list[list.count - 1].maxT
        blob.removeAll(keepingCapacity: true)
        BlockIndexSchema.encodeChunks(refs, seriesMinT: minT, into: &blob)
        labelBlob.removeAll(keepingCapacity: true)
        BlockIndexSchema.encodeLabelIDs(labelIDs, into: &labelBlob)
        do {
            // Times relative to the block's start: 3-4 byte integers instead of 6.
            let st = sql.insertSeries
            try st.bind(1, id)
            try st.bind(2, blob: labelBlob)
            try st.bind(3, minT &- meta.minTime)
            try st.bind(4, maxT &- meta.minTime)
            try st.bind(5, blob: blob)
            try st.run()
        } catch {
            throw error.indexError(tmpDir + "/index.sqlite")
        }
        meta.stats.numSeries += 1
        meta.stats.numChunks += Int64(list.count)
        meta.stats.numSamples += samples
    }

    /// Writes the label index and `meta.json`, fsyncs, and moves the block into place. Returns
    /// its meta, or nil when no series was added (nothing is left on disk then).
    func finish() throws(TSDBError) -> BlockMeta? {
        do throws(TSDBError) {
            guard meta.stats.numSeries > 0 else {
                abort()
                return nil
            }
            try chunks.finish()
            try writeLabelIndex()
            let metaFile = try DiskFile.open(tmpDir + "/" + BlockMeta.fileName, flags: O_WRONLY | O_CREAT | O_TRUNC)
            try metaFile.write(meta.encode())
            try metaFile.sync()
            let index = try DiskFile.open(tmpDir + "/index.sqlite", flags: O_RDONLY)
            try index.sync()
            try DiskDirectory.sync(tmpDir)
            try DiskDirectory.rename(tmpDir, finalDir)
            try DiskDirectory.sync(parentDir)
            return meta
        } catch {
            abort()
            throw error
        }
    }

    private func writeLabelIndex() throws(TSDBError) {
        guard let sql else { return }
        let path = tmpDir + "/index.sqlite"
        do {
            let ins = try sql.db.prepare("INSERT INTO label_pairs (id, name, value, series_count, postings) VALUES (?, ?, ?, ?, ?)")
            for (i, pair) in pairs.enumerated() {
                // Built from a Labels value above, so it is one canonical pair.
                guard let first = Labels(canonical: pair)?.pairs.first else { continue }
                try ins.bind(1, Int64(i + 1))
                try ins.bind(2, first.name)
                try ins.bind(3, first.value)
                try ins.bind(4, Int64(postings[i].count))
                try ins.bind(5, blob: BlockIndexSchema.encodePostings(postings[i]))
                try ins.run()
            }
            let page = try sql.db.prepare("INSERT INTO pair_pages (page, pairs) VALUES (?, ?)")
            var start = 0
            while start < pairs.count {
                let end = min(pairs.count, start + BlockIndexSchema.pairsPerPage)
                try page.bind(1, Int64(start / BlockIndexSchema.pairsPerPage))
                try page.bind(2, blob: Array(pairs[start ..< end].joined()))
                try page.run()
                start = end
            }
            let info = try sql.db.prepare("INSERT INTO info (key, value) VALUES (?, ?)")
            for (k, v) in [("format", BlockIndexSchema.format), ("version", BlockIndexSchema.version),
                           ("series_count", String(meta.stats.numSeries)), ("ulid", meta.ulid),
                           ("base_time", String(meta.minTime)), ("pair_count", String(pairs.count))] {
                try info.bind(1, k)
                try info.bind(2, v)
                try info.run()
            }
            try sql.db.exec("COMMIT")
            try sql.db.exec(BlockIndexSchema.createIndexes)
        } catch {
            throw error.indexError(path)
        }
        self.sql = nil // closes the connection (statements released first)
        postings = []
        pairs = []
        pairIDs = [:]
    }

    /// Removes the unfinished block.
    func abort() {
        sql = nil
        try? DiskDirectory.removeAll(tmpDir)
    }
}
