import Model

/// The SQL of `index.sqlite` (explained in `FORMAT.md`) and the blob encodings it uses.
enum BlockIndexSchema {
    /// The value of `info.format`.
    static let format = "vigil-block-index"
    /// The value of `info.version` written. Version 1 (read only) stores each series' labels
    /// as their canonical bytes and absolute times; version 2 stores label pair ids (resolved
    /// through `pair_pages`) and times relative to `info.base_time`.
    static let version = "2"
    /// The versions this code reads.
    static let readable = ["1", "2"]

    static let create = """
        CREATE TABLE info (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
        CREATE TABLE series (
            id INTEGER PRIMARY KEY,
            labels BLOB NOT NULL,
            mint INTEGER NOT NULL,
            maxt INTEGER NOT NULL,
            chunks BLOB NOT NULL
        );
        CREATE TABLE label_pairs (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL,
            value TEXT NOT NULL,
            series_count INTEGER NOT NULL,
            postings BLOB NOT NULL
        );
        CREATE TABLE pair_pages (page INTEGER PRIMARY KEY, pairs BLOB NOT NULL);
        """

    /// Label pairs per `pair_pages` row: pair `id` is entry `(id - 1) % pairsPerPage` of page
    /// `(id - 1) / pairsPerPage`.
    static let pairsPerPage = 1024

    /// Built after the rows are in (one sorted pass instead of incremental inserts).
    static let createIndexes = "CREATE UNIQUE INDEX label_pairs_by_name ON label_pairs (name, value);"

    /// Pragmas for writing a fresh file nobody else reads until it is renamed into place: no
    /// journal (a crash leaves only the `.tmp` directory, which is deleted), no SQLite fsyncs
    /// (the builder fsyncs the finished file itself).
    static let writePragmas = "PRAGMA page_size = 4096; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF;"

    // MARK: Blobs

    /// One chunk of a series as the index records it.
    struct ChunkRef: Equatable {
        var minT: Int64
        var maxT: Int64
        var ref: UInt64
    }

    /// `series.chunks`: uvarint count, then per chunk varint(minT - previous maxT, or - series
    /// mint for the first), uvarint(maxT - minT), varint(ref - previous ref) (two's complement).
    static func encodeChunks(_ chunks: [ChunkRef], seriesMinT: Int64, into out: inout [UInt8]) {
        Varint.appendUvarint(UInt64(chunks.count), to: &out)
        var prevT = seriesMinT
        var prevRef: UInt64 = 0
        for c in chunks {
            Varint.appendVarint(c.minT &- prevT, to: &out)
            Varint.appendUvarint(UInt64(bitPattern: c.maxT &- c.minT), to: &out)
            Varint.appendVarint(Int64(bitPattern: c.ref &- prevRef), to: &out)
            prevT = c.maxT
            prevRef = c.ref
        }
    }

    /// Decodes `series.chunks`; nil when the blob is malformed.
    static func decodeChunks(_ blob: [UInt8], seriesMinT: Int64) -> [ChunkRef]? {
        var i = 0
        guard let n = Varint.readUvarint(from: blob, at: &i), n <= UInt64(blob.count) else { return nil }
        var out: [ChunkRef] = []
        out.reserveCapacity(Int(n))
        var prevT = seriesMinT
        var prevRef: UInt64 = 0
        for _ in 0 ..< n {
            guard let d = Varint.readVarint(from: blob, at: &i), let span = Varint.readUvarint(from: blob, at: &i),
                  let r = Varint.readVarint(from: blob, at: &i) else { return nil }
            let minT = prevT &+ d
            let maxT = minT &+ Int64(bitPattern: span)
            guard maxT >= minT else { return nil }
            let ref = prevRef &+ UInt64(bitPattern: r)
            out.append(ChunkRef(minT: minT, maxT: maxT, ref: ref))
            prevT = maxT
            prevRef = ref
        }
        return out
    }

    /// `series.labels` (version 2): the series' label pair ids as uvarints, in label order.
    static func encodeLabelIDs(_ ids: [Int], into out: inout [UInt8]) {
        for id in ids { Varint.appendUvarint(UInt64(id), to: &out) }
    }

    /// `pair_pages.pairs`: the canonical encodings of consecutive pairs, back to back (each is
    /// `uvarint name length, name, uvarint value length, value`, as in `Labels`). Returns the
    /// start offset of each pair plus the end, or nil when malformed.
    static func pairOffsets(_ page: [UInt8]) -> [Int32]? {
        var out: [Int32] = []
        var i = 0
        while i < page.count {
            out.append(Int32(i))
            for _ in 0 ..< 2 {
                guard let n = Varint.readUvarint(from: page, at: &i), n <= UInt64(page.count - i) else { return nil }
                i += Int(n)
            }
        }
        out.append(Int32(i))
        return out
    }

    /// `label_pairs.postings`: uvarint count, then uvarint deltas of increasing series ids.
    static func encodePostings(_ ids: [Int64]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(ids.count + 4)
        Varint.appendUvarint(UInt64(ids.count), to: &out)
        var prev: Int64 = 0
        for id in ids {
            Varint.appendUvarint(UInt64(id - prev), to: &out)
            prev = id
        }
        return out
    }

    /// Decodes postings as series references; nil when malformed or not increasing.
    static func decodePostings(_ blob: [UInt8]) -> [SeriesRef]? {
        var i = 0
        guard let n = Varint.readUvarint(from: blob, at: &i), n <= UInt64(blob.count) else { return nil }
        var out: [SeriesRef] = []
        out.reserveCapacity(Int(n))
        var prev: UInt64 = 0
        for _ in 0 ..< n {
            guard let d = Varint.readUvarint(from: blob, at: &i), d > 0 else { return nil }
            let (id, o) = prev.addingReportingOverflow(d)
            if o { return nil }
            out.append(SeriesRef(id))
            prev = id
        }
        return out
    }
}

extension SQLiteError {
    /// This failure as a block index error.
    func indexError(_ path: String) -> TSDBError { .index(path: path, reason: description) }
}
