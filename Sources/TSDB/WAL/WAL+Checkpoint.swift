import Glibc
import Model

/// Checkpoints: a compacted prefix of the log. `create` folds the previous checkpoint and the
/// segments up to N into `checkpoint.N` (same segment format), keeping only live series and
/// samples newer than a time; afterwards segments <= N and older checkpoints can be deleted.
/// Replay reads the newest checkpoint, then the segments after it.
package enum WALCheckpoint {
    /// What a checkpoint kept and dropped.
    package struct Stats: Sendable, Equatable {
        /// Series records kept / dropped.
        package var keptSeries = 0, droppedSeries = 0
        /// Samples kept / dropped.
        package var keptSamples = 0, droppedSamples = 0
        /// Tombstones kept / dropped.
        package var keptTombstones = 0, droppedTombstones = 0
        /// Damage met while reading (read up to it, not repaired).
        package var damage: [WALDamage] = []
    }

    /// The directory name of checkpoint `index`.
    package static func name(_ index: Int) -> String { "checkpoint." + WAL.segmentName(index) }

    /// The newest complete checkpoint in `dir` (an unfinished `.tmp` one is ignored).
    package static func latest(in dir: String) throws(TSDBError) -> (index: Int, path: String)? {
        var best: (index: Int, path: String)?
        for (index, name) in try checkpoints(in: dir) where index > (best?.index ?? -1) {
            best = (index, dir + "/" + name)
        }
        return best
    }

    private static func checkpoints(in dir: String) throws(TSDBError) -> [(Int, String)] {
        guard DiskDirectory.isDirectory(dir) else { return [] }
        return try DiskDirectory.list(dir).compactMap { name in
            guard name.hasPrefix("checkpoint."), let i = WAL.segmentIndex(String(name.dropFirst(11))) else { return nil }
            return (i, name)
        }
    }

    /// Writes `checkpoint.<through>` from the newest checkpoint and the segments up to `through`
    /// (which must all be closed: see `WAL.rotate`), keeping series for which `keep` is true,
    /// their samples with `t >= mint` and their tombstones ending at or after `mint`. The
    /// checkpoint is written in a `.tmp` directory, fsynced, then renamed into place.
    package static func create(
        walDir: String,
        through: Int,
        mint: Int64,
        keep: (SeriesRef) -> Bool
    ) throws(TSDBError) -> Stats {
        let finalPath = walDir + "/" + name(through)
        let tmpPath = finalPath + ".tmp"
        try DiskDirectory.removeAll(tmpPath)
        var stats = Stats()
        let writer = try WAL.open(dir: tmpPath, options: WAL.Options(segmentSize: 128 << 20, sync: .batch(intervalMs: 3_600_000)))
        var frames: [UInt8] = []
        func emit(_ record: WALRecord) throws(TSDBError) {
            WALCodec.appendFrame(record, to: &frames)
            if frames.count >= 1 << 20 {
                try writer.log(frames)
                frames.removeAll(keepingCapacity: true)
            }
        }
        var sources: [String] = []
        var after = -1
        if let cp = try latest(in: walDir), cp.index <= through {
            sources += try WAL.listSegments(cp.path).map(\.path)
            after = cp.index
        }
        sources += try WAL.listSegments(walDir).filter { $0.index > after && $0.index <= through }.map(\.path)
        var replayStats = WALReplayStats()
        for path in sources {
            try WAL.replaySegment(path, repair: false, stats: &replayStats, onDamage: { stats.damage.append($0) }) { (record: WALRecord) throws(TSDBError) in
                switch record {
                case let .series(series):
                    let kept = series.filter { keep($0.ref) }
                    stats.keptSeries += kept.count
                    stats.droppedSeries += series.count - kept.count
                    if !kept.isEmpty { try emit(.series(kept)) }
                case let .samples(samples):
                    let kept = samples.filter { $0.t >= mint && keep($0.ref) }
                    stats.keptSamples += kept.count
                    stats.droppedSamples += samples.count - kept.count
                    if !kept.isEmpty { try emit(.samples(kept)) }
                case let .tombstones(stones):
                    let kept = stones.filter { $0.maxt >= mint && keep($0.ref) }
                    stats.keptTombstones += kept.count
                    stats.droppedTombstones += stones.count - kept.count
                    if !kept.isEmpty { try emit(.tombstones(kept)) }
                }
            }
        }
        if !frames.isEmpty { try writer.log(frames) }
        try writer.close()
        try DiskDirectory.sync(tmpPath)
        try DiskDirectory.removeAll(finalPath)
        try DiskDirectory.rename(tmpPath, finalPath)
        try DiskDirectory.sync(walDir)
        return stats
    }

    /// Deletes checkpoints older than `index`.
    package static func removeOlder(than index: Int, in dir: String) throws(TSDBError) {
        for (i, name) in try checkpoints(in: dir) where i < index {
            try DiskDirectory.removeAll(dir + "/" + name)
        }
        try DiskDirectory.sync(dir)
    }
}
