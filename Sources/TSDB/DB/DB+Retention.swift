import Model

extension DB {
    /// Deletes blocks beyond the retention time (a block whose end is `retentionMs` or more
    /// behind the newest block's end, Prometheus' `BeyondTimeRetention`) and, oldest first,
    /// blocks beyond the retention size (blocks plus the WAL). Runs on `worker`.
    func applyRetention() throws(TSDBError) {
        let newestFirst = blocks.sorted { $0.meta.maxTime > $1.meta.maxTime }
        guard let newest = newestFirst.first else { return }
        var doomed: [(Block, byTime: Bool)] = []
        var marked = Set<String>()
        if options.retentionMs > 0 {
            for b in newestFirst.dropFirst() where newest.meta.maxTime - b.meta.maxTime >= options.retentionMs {
                doomed.append((b, true))
                marked.insert(b.meta.ulid)
            }
        }
        if options.retentionBytes > 0 {
            var total = head.wal.map { DB.diskUsage($0.dir) } ?? 0
            var over = false
            for b in newestFirst where !marked.contains(b.meta.ulid) {
                total += b.sizeBytes
                if over || total > options.retentionBytes {
                    over = true
                    doomed.append((b, false))
                }
            }
        }
        if doomed.isEmpty { return }
        let ids = Set(doomed.map(\.0.meta.ulid))
        state.withLock { $0.blocks.removeAll { ids.contains($0.meta.ulid) } }
        for (b, byTime) in doomed {
            if byTime { DBMetrics.add(metrics.retentionTimeDeletions) } else { DBMetrics.add(metrics.retentionSizeDeletions) }
            logger(.info, "deleting block beyond retention", [("block", b.dir), ("reason", byTime ? "time" : "size"),
                                                              ("maxt", String(b.meta.maxTime))])
            try DB.deleteBlockDirectory(b.dir)
        }
    }
}
