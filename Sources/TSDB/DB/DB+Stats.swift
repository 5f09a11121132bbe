import Glibc
import Model

extension DB {
    /// The DB's self-metrics (cheap: atomics, plus a directory listing for the WAL size and the
    /// block sizes measured when each block was opened).
    package var stats: DBStats {
        let h = head.stats
        var s = DBStats()
        s.headSeries = h.series
        s.headSeriesCreated = h.seriesCreated
        s.headSeriesRemoved = h.seriesRemoved
        s.headChunks = h.chunks
        s.headChunksCreated = h.chunksCreated
        s.headChunksRemoved = h.chunksRemoved
        s.headSamplesAppended = h.samplesAppended
        s.outOfOrderRejected = h.outOfOrderRejected
        s.duplicateRejected = h.duplicateRejected
        s.outOfBoundsRejected = h.outOfBoundsRejected
        s.headMinTime = head.minTime
        s.headMaxTime = head.maxTime
        s.headTruncations = DBMetrics.get(metrics.headTruncations)
        s.headTruncationsFailed = DBMetrics.get(metrics.headTruncationsFailed)
        if let wal = head.wal {
            let w = wal.stats
            s.walCurrentSegment = w.currentSegment
            s.walFsyncs = w.fsyncs
            s.walFsyncSeconds = Double(w.fsyncNanos) / 1e9
            s.walFsyncFailures = w.syncFailures
            s.walBytes = DB.diskUsage(wal.dir)
        }
        s.walCorruptions = h.walDamagedSegments
        s.walDroppedBytes = h.walDroppedBytes
        let blocks = self.blocks
        s.blocks = blocks.count
        s.blockBytes = blocks.reduce(0) { $0 + $1.sizeBytes }
        s.lowestTimestamp = min(blocks.first?.meta.minTime ?? .max, head.minTime)
        s.compactions = DBMetrics.get(metrics.compactions)
        s.compactionsFailed = DBMetrics.get(metrics.compactionsFailed)
        s.compactionSeconds = Double(DBMetrics.get(metrics.compactionNanos)) / 1e9
        s.headCompactions = DBMetrics.get(metrics.headCompactions)
        s.retentionTimeDeletions = DBMetrics.get(metrics.retentionTimeDeletions)
        s.retentionSizeDeletions = DBMetrics.get(metrics.retentionSizeDeletions)
        s.corruptBlocks = DBMetrics.get(metrics.corruptBlocks)
        s.reloads = DBMetrics.get(metrics.reloads)
        s.reloadsFailed = DBMetrics.get(metrics.reloadsFailed)
        return s
    }

    /// Bytes of the regular files under `path` (recursively); 0 when it cannot be read.
    static func diskUsage(_ path: String) -> Int64 {
        var st = stat()
        guard lstat(path, &st) == 0 else { return 0 }
        if (st.st_mode & S_IFMT) == S_IFREG { return Int64(st.st_size) }
        guard (st.st_mode & S_IFMT) == S_IFDIR, let names = try? DiskDirectory.list(path) else { return 0 }
        return names.reduce(0) { $0 + diskUsage(path + "/" + $1) }
    }
}
