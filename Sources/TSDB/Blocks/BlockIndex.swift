import Model
import Synchronization

/// Reads a block's `index.sqlite`. Connections with their prepared statements sit in a small
/// pool: a call checks one out, uses it alone (a `sqlite3*` must not be used from two threads at
/// once) and puts it back. One connection behind one lock made concurrent queries on a block
/// queue behind each other, and with more query threads than cores a preempted holder stalled
/// them all (measured: 8 concurrent queries ran 7× slower than 4). Series ids are `SeriesRef`s
/// 1...n in label order, so sorted ids are sorted series.
final class BlockIndex: Sendable {
    let path: String
    /// The number of series (ids are 1 ... seriesCount).
    let seriesCount: Int
    /// The format version (`BlockIndexSchema.readable`).
    let version: Int
    /// Version 2: series times are stored relative to this (the block's minTime).
    private let baseTime: Int64
    /// Version 2: the number of label pairs (ids 1 ... pairCount).
    private let pairCount: Int
    /// Version 2: `pair_pages` rows read so far, by page number.
    private let pairPages = Mutex<[Int: PairPage]>([:])

    /// One `pair_pages` row: pair encodings back to back and where each starts.
    private struct PairPage {
        let bytes: [UInt8]
        let offsets: [Int32]
    }
    /// Idle connections; more are opened on demand and at most `maxIdle` are kept.
    private let idle: Mutex<[Connection]>
    private let maxIdle = 8

    /// A connection with its statements. `@unchecked Sendable` because it moves between threads
    /// through the pool, but is only ever used by the one thread that checked it out.
    private final class Connection: @unchecked Sendable {
        let db: SQLiteDatabase
        let postingsByPair: SQLiteStatement
        let postingsByID: SQLiteStatement
        let values: SQLiteStatement
        let names: SQLiteStatement
        let series: SQLiteStatement
        let seriesRange: SQLiteStatement
        let pairs: SQLiteStatement
        /// Version 2 only.
        let pairPage: SQLiteStatement?

        init(path: String, version: Int) throws(SQLiteError) {
            db = try SQLiteDatabase(path: path, mode: .readOnly(immutable: true))
            postingsByPair = try db.prepare("SELECT postings FROM label_pairs WHERE name = ? AND value = ?")
            postingsByID = try db.prepare("SELECT postings FROM label_pairs WHERE id = ?")
            values = try db.prepare("SELECT value, id FROM label_pairs WHERE name = ? ORDER BY value")
            names = try db.prepare("SELECT DISTINCT name FROM label_pairs ORDER BY name")
            series = try db.prepare("SELECT labels, mint, maxt, chunks FROM series WHERE id = ?")
            seriesRange = try db.prepare("SELECT id, labels, mint, maxt, chunks FROM series WHERE id >= ? AND id <= ? ORDER BY id")
            pairs = try db.prepare("SELECT name, value, series_count FROM label_pairs")
            pairPage = version >= 2 ? try db.prepare("SELECT pairs FROM pair_pages WHERE page = ?") : nil
        }
    }

    /// Opens the index and checks its format and version.
    init(path: String) throws(TSDBError) {
        self.path = path
        var info: [String: String] = [:]
        let db: SQLiteDatabase
        do throws(SQLiteError) {
            db = try SQLiteDatabase(path: path, mode: .readOnly(immutable: true))
            let st = try db.prepare("SELECT key, value FROM info")
            while try st.step() { info[st.text(0)] = st.text(1) }
            // max(rowid) is one B-tree descent; a gap below it shows up as a missing series.
            let last = try db.prepare("SELECT coalesce(max(id), 0) FROM series")
            if try last.step() { info["max_id"] = String(last.int64(0)) }
        } catch {
            throw .blockCorrupt(path: path, reason: "index unreadable: \(error.description)")
        }
        guard info["format"] == BlockIndexSchema.format else {
            throw .blockCorrupt(path: path, reason: "index format \(info["format"] ?? "missing"), expected \(BlockIndexSchema.format)")
        }
        guard let v = info["version"], BlockIndexSchema.readable.contains(v), let version = Int(v) else {
            throw .blockCorrupt(path: path, reason: "index version \(info["version"] ?? "missing"), expected one of \(BlockIndexSchema.readable.joined(separator: ", "))")
        }
        self.version = version
        if version >= 2 {
            guard let base = info["base_time"].flatMap({ Int64($0) }), let pairs = info["pair_count"].flatMap({ Int($0) }), pairs >= 0 else {
                throw .blockCorrupt(path: path, reason: "index has no valid base_time or pair_count")
            }
            baseTime = base
            pairCount = pairs
        } else {
            baseTime = 0
            pairCount = 0
        }
        guard let n = info["series_count"].flatMap({ Int($0) }), n >= 0 else {
            throw .blockCorrupt(path: path, reason: "index has no valid series_count")
        }
        // Ids must be exactly 1 ... n: "all series" is that range, not a scan.
        guard info["max_id"] == String(n) else {
            throw .blockCorrupt(path: path, reason: "series ids are not 1...\(n) (max \(info["max_id"] ?? "?"))")
        }
        seriesCount = n
        let c: Connection
        do { c = try Connection(path: path, version: version) } catch {
            throw .blockCorrupt(path: path, reason: "index unreadable: \(error.description)")
        }
        idle = Mutex([c])
    }

    /// Runs `body` with a connection of its own (from the pool, or newly opened).
    private func withConnection<T>(_ body: (inout Connection) throws(TSDBError) -> T) throws(TSDBError) -> T {
        var c: Connection
        if let pooled = idle.withLock({ $0.popLast() }) {
            c = pooled
        } else {
            do { c = try Connection(path: path, version: version) } catch { throw .blockCorrupt(path: path, reason: "index unreadable: \(error.description)") }
        }
        defer {
            let back = c
            idle.withLock { if $0.count < maxIdle { $0.append(back) } }
        }
        return try body(&c)
    }

    private func corrupt(_ why: String) -> TSDBError { .blockCorrupt(path: path, reason: why) }

    private func decodePostings(_ blob: [UInt8], _ what: String) throws(TSDBError) -> [SeriesRef] {
        guard let p = BlockIndexSchema.decodePostings(blob), p.last.map({ $0.rawValue <= UInt64(seriesCount) }) ?? true else {
            throw corrupt("postings of \(what) are malformed")
        }
        return p
    }

    /// The series with `name="value"`.
    func postings(_ name: String, _ value: String) throws(TSDBError) -> [SeriesRef] {
        let blob: [UInt8]? = try withConnection { (c: inout Connection) throws(TSDBError) -> [UInt8]? in
            let st = c.postingsByPair
            defer { st.reset() }
            do throws(SQLiteError) {
                try st.bind(1, name)
                try st.bind(2, value)
                return try st.step() ? st.blob(0) : nil
            } catch { throw error.indexError(path) }
        }
        guard let blob else { return [] }
        return try decodePostings(blob, "\(name)=\"\(value)\"")
    }

    /// The values of `name` with their pair ids, sorted.
    func values(_ name: String) throws(TSDBError) -> [(value: String, id: Int64)] {
        try withConnection { (c: inout Connection) throws(TSDBError) -> [(value: String, id: Int64)] in
            let st = c.values
            defer { st.reset() }
            var out: [(value: String, id: Int64)] = []
            do throws(SQLiteError) {
                try st.bind(1, name)
                while try st.step() { out.append((st.text(0), st.int64(1))) }
            } catch { throw error.indexError(path) }
            // SQLite's default BINARY collation compares bytes (memcmp), which is Go's order.
            return out
        }
    }

    /// The series of the pairs with these ids (one union).
    func postings(ids: [Int64]) throws(TSDBError) -> [SeriesRef] {
        if ids.isEmpty { return [] }
        // One connection checkout for all ids.
        let blobs: [(Int64, [UInt8])] = try withConnection { (c: inout Connection) throws(TSDBError) -> [(Int64, [UInt8])] in
            let st = c.postingsByID
            var out: [(Int64, [UInt8])] = []
            out.reserveCapacity(ids.count)
            do throws(SQLiteError) {
                for id in ids {
                    defer { st.reset() }
                    try st.bind(1, id)
                    if try st.step() { out.append((id, st.blob(0))) }
                }
            } catch { throw error.indexError(path) }
            return out
        }
        var lists: [[SeriesRef]] = []
        lists.reserveCapacity(blobs.count)
        for (id, blob) in blobs { lists.append(try decodePostings(blob, "pair \(id)")) }
        return Postings.union(lists)
    }

    /// All label names, sorted.
    func labelNames() throws(TSDBError) -> [String] {
        try withConnection { (c: inout Connection) throws(TSDBError) -> [String] in
            let st = c.names
            defer { st.reset() }
            var out: [String] = []
            do throws(SQLiteError) { while try st.step() { out.append(st.text(0)) } } catch { throw error.indexError(path) }
            return out
        }
    }

    /// One series row: labels, time range, chunk references.
    struct SeriesRow {
        var labels: Labels
        var minT: Int64
        var maxT: Int64
        var chunks: [BlockIndexSchema.ChunkRef]
    }

    /// The series with id `ref`, checked; `withChunks: false` skips decoding the chunk list.
    func series(_ ref: SeriesRef, withChunks: Bool = true) throws(TSDBError) -> SeriesRow {
        // `seriesRows` returns one row per id or throws, so the array has exactly one element.
        try seriesRows([ref][...], withChunks: withChunks)[0]
    }

    /// The rows of `refs` (sorted), in order, read with one connection checkout (queries walk
    /// series in batches: taking the pool's lock per row was the bottleneck under concurrent
    /// queries). Ids that lie close together (one metric's series are neighbours, as ids follow
    /// label order) are read with one range scan instead of a B-tree lookup and a statement
    /// reset per row.
    func seriesRows(_ refs: ArraySlice<SeriesRef>, withChunks: Bool = true) throws(TSDBError) -> [SeriesRow] {
        typealias Raw = (labels: [UInt8], minT: Int64, maxT: Int64, chunks: [UInt8])
        let raws: [Raw?] = try withConnection { (c: inout Connection) throws(TSDBError) -> [Raw?] in
            var out: [Raw?] = []
            out.reserveCapacity(refs.count)
            do throws(SQLiteError) {
                if let first = refs.first, let last = refs.last, first.rawValue <= last.rawValue,
                   refs.count > 1, last.rawValue - first.rawValue < UInt64(refs.count) * 2 {
                    let st = c.seriesRange
                    defer { st.reset() }
                    try st.bind(1, Int64(bitPattern: first.rawValue))
                    try st.bind(2, Int64(bitPattern: last.rawValue))
                    var next = refs.startIndex
                    while next < refs.endIndex, try st.step() {
                        let id = UInt64(bitPattern: st.int64(0))
                        // Ids the scan passes that were not asked for are skipped; asked-for
                        // ids missing from the table stay nil.
                        while next < refs.endIndex && refs[next].rawValue < id {
                            out.append(nil)
                            next += 1
                        }
                        guard next < refs.endIndex, refs[next].rawValue == id else { continue }
                        out.append((st.blob(1), st.int64(2), st.int64(3), withChunks ? st.blob(4) : []))
                        next += 1
                    }
                    while out.count < refs.count { out.append(nil) }
                } else {
                    let st = c.series
                    for ref in refs {
                        defer { st.reset() }
                        try st.bind(1, Int64(bitPattern: ref.rawValue))
                        out.append(try st.step() ? (st.blob(0), st.int64(1), st.int64(2), withChunks ? st.blob(3) : []) : nil)
                    }
                }
            } catch { throw error.indexError(path) }
            return out
        }
        var rows: [SeriesRow] = []
        rows.reserveCapacity(refs.count)
        var pages: [Int: PairPage] = version >= 2 ? try loadPairPages(for: raws.map { $0?.labels ?? [] }) : [:]
        for (ref, raw) in zip(refs, raws) {
            guard let raw else { throw corrupt("series \(ref) listed in postings is missing") }
            let labels: Labels
            if version >= 2 {
                guard let l = resolveLabels(raw.labels, pages: &pages), !l.isEmpty else { throw corrupt("series \(ref) has malformed labels") }
                labels = l
            } else {
                guard let l = Labels(canonical: raw.labels), !l.isEmpty else { throw corrupt("series \(ref) has malformed labels") }
                labels = l
            }
            let minT = raw.minT &+ baseTime, maxT = raw.maxT &+ baseTime
            guard minT <= maxT else { throw corrupt("series \(ref) has minT \(minT) after maxT \(maxT)") }
            var chunks: [BlockIndexSchema.ChunkRef] = []
            if withChunks {
                guard let c = BlockIndexSchema.decodeChunks(raw.chunks, seriesMinT: minT) else {
                    throw corrupt("series \(ref) has a malformed chunk list")
                }
                chunks = c
            }
            rows.append(SeriesRow(labels: labels, minT: minT, maxT: maxT, chunks: chunks))
        }
        return rows
    }

    /// The pair pages the label blobs need, read from the cache or the index (and cached).
    private func loadPairPages(for blobs: [[UInt8]]) throws(TSDBError) -> [Int: PairPage] {
        var pages = pairPages.withLock { $0 }
        var missing = Set<Int>()
        for blob in blobs {
            var i = 0
            while i < blob.count, let id = Varint.readUvarint(from: blob, at: &i) {
                guard id >= 1, id <= UInt64(pairCount) else { break } // reported by resolveLabels
                let page = Int(id - 1) / BlockIndexSchema.pairsPerPage
                if pages[page] == nil { missing.insert(page) }
            }
        }
        if missing.isEmpty { return pages }
        let loaded: [Int: PairPage] = try withConnection { (c: inout Connection) throws(TSDBError) -> [Int: PairPage] in
            guard let st = c.pairPage else { return [:] }
            var out: [Int: PairPage] = [:]
            for page in missing.sorted() {
                defer { st.reset() }
                let row: [UInt8]?
                do throws(SQLiteError) {
                    try st.bind(1, Int64(page))
                    row = try st.step() ? st.blob(0) : nil
                } catch { throw error.indexError(path) }
                guard let bytes = row else { throw corrupt("label pair page \(page) is missing") }
                guard let offsets = BlockIndexSchema.pairOffsets(bytes) else { throw corrupt("label pair page \(page) is malformed") }
                out[page] = PairPage(bytes: bytes, offsets: offsets)
            }
            return out
        }
        for (k, v) in loaded { pages[k] = v }
        pairPages.withLock { cache in for (k, v) in loaded { cache[k] = v } }
        return pages
    }

    /// The labels of a version 2 blob (pair ids), checked; nil when malformed.
    private func resolveLabels(_ blob: [UInt8], pages: inout [Int: PairPage]) -> Labels? {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(blob.count * 16)
        var i = 0
        while i < blob.count {
            guard let id = Varint.readUvarint(from: blob, at: &i), id >= 1, id <= UInt64(pairCount) else { return nil }
            let page = Int(id - 1) / BlockIndexSchema.pairsPerPage, entry = Int(id - 1) % BlockIndexSchema.pairsPerPage
            guard let p = pages[page], entry + 1 < p.offsets.count else { return nil }
            bytes.append(contentsOf: p.bytes[Int(p.offsets[entry]) ..< Int(p.offsets[entry + 1])])
        }
        return Labels(canonical: bytes)
    }

    /// Every label pair with its series count (cardinality reports).
    func allPairs() throws(TSDBError) -> [(name: String, value: String, series: Int)] {
        try withConnection { (c: inout Connection) throws(TSDBError) -> [(name: String, value: String, series: Int)] in
            let st = c.pairs
            defer { st.reset() }
            var out: [(name: String, value: String, series: Int)] = []
            do throws(SQLiteError) { while try st.step() { out.append((st.text(0), st.text(1), Int(st.int64(2)))) } } catch { throw error.indexError(path) }
            return out
        }
    }

    /// The series matching every matcher, sorted; Prometheus' rules for absent labels (see
    /// `MemPostings.select`): a matcher that matches "" subtracts the series whose value it
    /// rejects, the others intersect the series whose value they accept.
    func select(_ matchers: [Matcher]) throws(TSDBError) -> [SeriesRef] {
        var positive: [[SeriesRef]] = []
        var negative: [[SeriesRef]] = []
        for m in matchers {
            if m.matchesEmpty {
                let rejected = try values(m.name).filter { !m.matches($0.value) }.map(\.id)
                negative.append(try postings(ids: rejected))
            } else if m.type == .equal {
                positive.append(try postings(m.name, m.value))
            } else if let set = m.setMatches {
                var lists: [[SeriesRef]] = []
                for v in set { lists.append(try postings(m.name, v)) }
                positive.append(Postings.union(lists))
            } else {
                positive.append(try postings(ids: try values(m.name).filter { m.matches($0.value) }.map(\.id)))
            }
        }
        var result: [SeriesRef]
        if positive.isEmpty {
            result = seriesCount == 0 ? [] : (1 ... seriesCount).map { SeriesRef(UInt64($0)) }
        } else {
            positive.sort { $0.count < $1.count }
            result = positive[0]
            for p in positive.dropFirst() where !result.isEmpty { result = Postings.intersect(result, p) }
        }
        for n in negative where !result.isEmpty { result = Postings.subtract(result, n) }
        return result
    }
}
