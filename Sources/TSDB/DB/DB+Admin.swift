import Glibc
import Model

extension DB {
    /// Deletes the samples in `[mint, maxt]` of the series matching `matchers`: tombstones in
    /// the head (logged to the WAL) and in every overlapping block (its `tombstones` file).
    /// Queries stop returning the data at once; compaction or `cleanTombstones()` removes it
    /// from disk. Runs on the worker, so it never races a compaction reading the same block.
    package func deleteSeries(_ matchers: [Matcher], mint: Int64, maxt: Int64) throws(TSDBError) {
        try onWorker { () throws(TSDBError) in
            for b in blocks where b.overlaps(mint: mint, maxt: maxt) {
                try b.delete(mint: mint, maxt: maxt, matchers: matchers)
            }
            try head.delete(mint: mint, maxt: maxt, matchers: matchers)
        }
    }

    /// Rewrites every block that has tombstones without the deleted data (a block left empty is
    /// deleted). Head tombstones go when the head is compacted.
    package func cleanTombstones() throws(TSDBError) {
        try onWorker { () throws(TSDBError) in
            for b in blocks where b.tombstoneCount > 0 {
                try compactBlocks([b])
            }
        }
    }

    /// Writes a consistent copy of the database into `target` (created if needed): hard links
    /// of every block's files (cheap, and safe because blocks never change in place; a block's
    /// `tombstones` file is replaced by rename, never rewritten) and, when `withHead`, the head's
    /// samples as one more block. Returns the directories written.
    @discardableResult
    package func snapshot(into target: String, withHead: Bool) throws(TSDBError) -> [String] {
        try onWorker { () throws(TSDBError) -> [String] in
            try DiskDirectory.create(target)
            var out: [String] = []
            for b in blocks {
                let dest = target + "/" + b.meta.ulid
                try DB.linkTree(b.dir, dest)
                out.append(dest)
            }
            if withHead, head.minTime != Int64.max {
                if let block = try writeHeadBlock(mint: head.minTime, maxt: head.maxTime + 1, parentDir: target) {
                    out.append(block.dir)
                }
            }
            try DiskDirectory.sync(target)
            return out
        }
    }

    /// The cardinality report of the head (what `/api/v1/status/tsdb` shows), top `limit` of each list.
    package func cardinality(limit: Int = 10) -> CardinalityReport {
        let h = head.stats
        return CardinalityReport(pairs: head.postings.pairCounts(), numSeries: h.series, chunkCount: h.chunks,
                                 minTime: head.minTime, maxTime: head.maxTime, limit: limit)
    }

    /// Runs `body` on the worker and waits for it.
    func onWorker<T>(_ body: () throws(TSDBError) -> T) throws(TSDBError) -> T {
        if closedFlag.load(ordering: .relaxed) { throw .closed }
        let r: Result<T, TSDBError> = worker.sync {
            do throws(TSDBError) { return .success(try body()) } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// Recreates the tree `from` at `to` with hard links to its files.
    static func linkTree(_ from: String, _ to: String) throws(TSDBError) {
        try DiskDirectory.create(to)
        for name in try DiskDirectory.list(from) {
            let src = from + "/" + name, dst = to + "/" + name
            if DiskDirectory.isDirectory(src) {
                try linkTree(src, dst)
            } else if link(src, dst) != 0 {
                throw .io(operation: "link to \(dst)", path: src, errno: errno)
            }
        }
        try DiskDirectory.sync(to)
    }
}
