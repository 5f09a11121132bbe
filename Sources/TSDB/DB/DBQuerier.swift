import Model

/// Reads the blocks overlapping a range plus the head (`Querier`): each part is selected sorted
/// and `MergeSeriesSet` merges them lazily. Label names and values are merged sorted unions.
///
/// A block that fails (a corrupt index or chunk) fails the query with its error instead of
/// silently answering with less data: the caller (PromQL, the HTTP API) reports it, and the
/// DB logs it. A block that cannot be opened at all was already skipped at load time.
final class DBQuerier: Querier {
    private let parts: [any Querier]
    /// Each part's time range (inclusive): a series found in parts whose ranges do not overlap
    /// is read part after part instead of merged.
    private let ranges: [ClosedRange<Int64>]
    private let logger: DB.Logger
    private var onClose: (() -> Void)?

    init(blocks: [Block], head: Head, mint: Int64, maxt: Int64, logger: @escaping DB.Logger,
         onClose: @escaping () -> Void) throws(StorageError) {
        var parts: [any Querier] = []
        for b in blocks {
            do throws(TSDBError) {
                parts.append(try b.querier(mint: mint, maxt: maxt))
            } catch {
                logger(.error, "block query failed", [("block", b.dir), ("err", error.description)])
                for p in parts { p.close() }
                throw error.storageError
            }
        }
        // The head is left out when it holds nothing in range: a query over blocks alone then
        // needs no merge. Samples appended later are not seen, as with any querier.
        let headMin = head.minTime, headMax = head.maxTime
        let headInRange = headMin <= headMax && headMin <= maxt && headMax >= mint
        if headInRange || parts.isEmpty { parts.append(try head.querier(mint: mint, maxt: maxt)) }
        self.parts = parts
        // Blocks hold [minTime, maxTime); the head holds its oldest sample onwards, and later
        // appends are never older than its lower bound for appends.
        var ranges = blocks.map { $0.meta.minTime ... $0.meta.maxTime - 1 }
        if headInRange { ranges.append(Swift.min(headMin, head.minValidTimestamp) ... Int64.max) }
        self.ranges = ranges
        self.logger = logger
        self.onClose = onClose
    }

    deinit { onClose?() }

    func select(_ matchers: [Matcher], hints: SelectHints) -> any SeriesSet {
        if parts.count == 1 { return parts[0].select(matchers, hints: hints) }
        // Merging needs sorted inputs, whatever the caller asked for; the limit applies after.
        let sub = SelectHints(sorted: true, limit: hints.limit)
        return MergeSeriesSet(parts.map { $0.select(matchers, hints: sub) }, limit: hints.limit, ranges: ranges)
    }

    func labelValues(_ name: String, matchers: [Matcher], limit: Int) throws(StorageError) -> [String] {
        var lists: [[String]] = []
        for p in parts { lists.append(try p.labelValues(name, matchers: matchers, limit: limit)) }
        return DBQuerier.mergeSorted(lists, limit: limit)
    }

    func labelNames(matchers: [Matcher], limit: Int) throws(StorageError) -> [String] {
        var lists: [[String]] = []
        for p in parts { lists.append(try p.labelNames(matchers: matchers, limit: limit)) }
        return DBQuerier.mergeSorted(lists, limit: limit)
    }

    /// Closes the parts and tells the DB this reader is done (head truncation may wait on it).
    func close() {
        for p in parts { p.close() }
        onClose?()
        onClose = nil
    }

    /// The sorted union (byte order) of sorted lists, at most `limit` when `limit > 0`.
    static func mergeSorted(_ lists: [[String]], limit: Int) -> [String] {
        let nonEmpty = lists.filter { !$0.isEmpty }
        if nonEmpty.count <= 1 {
            let only = nonEmpty.first ?? []
            return limit > 0 && only.count > limit ? Array(only.prefix(limit)) : only
        }
        var all = Set<String>()
        for l in nonEmpty { all.formUnion(l) }
        var out = all.sorted { Labels.compareUTF8($0, $1) < 0 }
        if limit > 0 && out.count > limit { out.removeLast(out.count - limit) }
        return out
    }
}
