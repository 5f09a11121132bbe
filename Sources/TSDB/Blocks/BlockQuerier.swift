import Model

/// Reads one block over a time range (`Querier`). `select` resolves the matchers to series ids
/// (sorted, hence in label order) and then loads one series at a time as the caller advances:
/// its row, then the chunks overlapping the range (through one page cache, so neighbouring
/// series share decompressed pages). A corrupt index or chunk ends the set with the error.
///
/// Label names and values without matchers come from the label index and are block-granular:
/// a block that overlaps the range contributes all of its names and values. With matchers, only
/// series with a chunk in the range count.
final class BlockQuerier: Querier {
    let block: Block
    let mint: Int64
    let maxt: Int64

    init(block: Block, mint: Int64, maxt: Int64) {
        self.block = block
        self.mint = mint
        self.maxt = maxt
    }

    func select(_ matchers: [Matcher], hints: SelectHints) -> any SeriesSet {
        do throws(TSDBError) {
            let ids = try block.index.select(matchers)
            return BlockSeriesSet(block: block, ids: ids, mint: mint, maxt: maxt, limit: hints.limit)
        } catch {
            return ArraySeriesSet([], error: error.storageError)
        }
    }

    /// The series matching `matchers` that have samples in range, as rows without chunks.
    private func matchingRows(_ matchers: [Matcher]) throws(TSDBError) -> [BlockIndex.SeriesRow] {
        var out: [BlockIndex.SeriesRow] = []
        let ids = try block.index.select(matchers)
        var start = 0
        while start < ids.count {
            let end = min(ids.count, start + 256)
            for row in try block.index.seriesRows(ids[start ..< end], withChunks: false) where row.maxT >= mint && row.minT <= maxt {
                out.append(row)
            }
            start = end
        }
        return out
    }

    func labelValues(_ name: String, matchers: [Matcher], limit: Int) throws(StorageError) -> [String] {
        do throws(TSDBError) {
            var values: [String]
            if matchers.isEmpty {
                values = try block.index.values(name).map(\.value)
            } else {
                var set = Set<String>()
                for row in try matchingRows(matchers) {
                    let v = row.labels.get(name)
                    if !v.isEmpty { set.insert(v) }
                }
                values = set.sorted { Labels.compareUTF8($0, $1) < 0 }
            }
            if limit > 0 && values.count > limit { values.removeLast(values.count - limit) }
            return values
        } catch {
            throw error.storageError
        }
    }

    func labelNames(matchers: [Matcher], limit: Int) throws(StorageError) -> [String] {
        do throws(TSDBError) {
            var names: [String]
            if matchers.isEmpty {
                names = try block.index.labelNames()
            } else {
                var set = Set<String>()
                for row in try matchingRows(matchers) { row.labels.forEach { set.insert($0.name) } }
                names = set.sorted { Labels.compareUTF8($0, $1) < 0 }
            }
            if limit > 0 && names.count > limit { names.removeLast(names.count - limit) }
            return names
        } catch {
            throw error.storageError
        }
    }

    func close() {}
}

/// The lazily loaded series of a block `select`.
final class BlockSeriesSet: SeriesSet {
    private let block: Block
    private let ids: [SeriesRef]
    private let mint: Int64
    private let maxt: Int64
    private let limit: Int
    private let deleted: BlockTombstones.Ranges
    private var position = 0
    private var returned = 0
    private var cache = ChunkSegmentReader.PageCache()
    private var current: HeadSeries?
    private(set) var error: StorageError?
    private(set) var warnings: [String] = []

    /// Index rows read ahead, starting at `ids[prefetchedFrom]`.
    private var prefetched: [BlockIndex.SeriesRow] = []
    private var prefetchedFrom = 0

    init(block: Block, ids: [SeriesRef], mint: Int64, maxt: Int64, limit: Int) {
        self.block = block
        self.ids = ids
        self.mint = mint
        self.maxt = maxt
        self.limit = limit
        deleted = block.tombstones.withLock { $0 }
    }

    func next() -> Bool {
        guard error == nil else { return false }
        while position < ids.count {
            if limit > 0 && returned >= limit {
                warnings.append("results truncated due to limit")
                position = ids.count
                return false
            }
            let ref = ids[position]
            position += 1
            do throws(TSDBError) {
                // Rows come from the index in batches (one connection checkout per batch).
                let index = position - 1
                if index < prefetchedFrom || index >= prefetchedFrom + prefetched.count {
                    prefetched = try block.index.seriesRows(ids[index ..< min(ids.count, index + 128)])
                    prefetchedFrom = index
                }
                let row = prefetched[index - prefetchedFrom]
                if row.maxT < mint || row.minT > maxt { continue }
                var list: [ClosedChunk] = []
                let gone = deleted[ref] ?? []
                for c in row.chunks where c.maxT >= mint && c.minT <= maxt {
                    // A chunk whose part in range is wholly deleted is not even read.
                    if gone.contains(where: { $0.lowerBound <= max(c.minT, mint) && $0.upperBound >= min(c.maxT, maxt) }) { continue }
                    list.append(ClosedChunk(chunk: try block.chunks.chunk(c.ref, cache: &cache), minT: c.minT, maxT: c.maxT))
                }
                if list.isEmpty { continue }
                current = HeadSeries(labels: row.labels, chunks: list, mint: mint, maxt: maxt, deleted: gone)
                returned += 1
                return true
            } catch {
                self.error = error.storageError
                return false
            }
        }
        return false
    }

    func at() -> any Series {
        // Valid after `next()` returned true, which set `current`.
        current ?? HeadSeries(labels: Labels(), chunks: [], mint: mint, maxt: maxt, deleted: [])
    }
}
