import Dispatch
import Glibc
import Model
import Synchronization

/// The time-series database the daemon opens: the head (recent samples in memory, made durable
/// by the WAL under `dir/wal`) plus immutable blocks (`dir/<ULID>/`) written from it, compacted
/// together and deleted by retention.
///
/// - `appender()` writes to the head; after a commit that leaves the head spanning more than
///   1.5 block ranges, the background worker writes the oldest range as a block and truncates
///   the head.
/// - `querier(mint:maxt:)` reads every block overlapping the range and the head, merging series
///   with equal labels.
/// - Compaction and retention run on one dedicated serial queue (`worker`), never on the
///   caller's thread and never on the Swift cooperative pool; appends do not wait for them.
/// - `close()` stops the worker, flushes and fsyncs the WAL.
///
/// The set of blocks is the directory listing: every `<ULID>/` with a readable `meta.json`.
/// A block that a newer block names as its parent (a compaction finished but the crash came
/// before its inputs were deleted) is deleted at open, as is every `*.tmp` directory.
package final class DB: Queryable, Sendable {
    /// The directory holding the WAL and the blocks.
    package let dir: String
    /// The settings.
    package let options: Options
    /// The head.
    package let head: Head
    let logger: Logger
    let metrics = DBMetrics()
    let state: Mutex<State>
    /// Runs compaction, retention and other block-list changes, one at a time.
    let worker = DispatchQueue(label: "vigil.tsdb.worker")
    /// True while a compaction request is queued on `worker` (requests coalesce).
    let compactionQueued = Atomic<Bool>(false)
    let closedFlag = Atomic<Bool>(false)

    struct State {
        /// Loaded blocks, ordered by minTime (then maxTime, then ULID).
        var blocks: [Block] = []
        /// Bumped whenever blocks are added from the head.
        var generation: UInt64 = 0
        /// Open queriers: the generation of the block list they saw, and their range.
        var readers: [UInt64: (generation: UInt64, mint: Int64, maxt: Int64)] = [:]
        var nextReader: UInt64 = 0
    }

    private init(dir: String, options: Options, head: Head, blocks: [Block], logger: @escaping Logger) {
        self.dir = dir
        self.options = options
        self.head = head
        self.logger = logger
        state = Mutex(State(blocks: blocks))
    }

    /// Opens (creating if needed) the database in `dir`: removes leftovers of interrupted writes
    /// (`*.tmp`), loads the blocks, replays the WAL into the head (samples older than the newest
    /// block's end are dropped: they are in blocks already), then starts the background worker.
    /// `logger` receives what the DB has to say (damaged WAL tails, corrupt blocks, compactions).
    package static func open(dir: String, options: Options = Options(),
                             logger: @escaping Logger = { _, _, _ in }) throws(TSDBError) -> DB {
        try options.validate()
        try DiskDirectory.create(dir)
        try removeLeftovers(in: dir, logger: logger)
        let loaded = try loadBlocks(in: dir, logger: logger)
        let minValid = loaded.blocks.map(\.meta.maxTime).max() ?? Int64.min
        let (head, replay) = try Head.open(dir: dir, options: options.headOptions, minValidTime: minValid) { damage in
            logger(.warn, "WAL damaged: cut the tail", [("segment", damage.path), ("offset", String(damage.offset)),
                                                      ("reason", damage.reason), ("dropped_bytes", String(damage.droppedBytes))])
        }
        if minValid != Int64.min {
            // Drops series whose replayed samples were all in blocks already, and checkpoints
            // the replayed segments, so they are not replayed again.
            try head.truncate(mint: minValid)
        }
        let db = DB(dir: dir, options: options, head: head, blocks: loaded.blocks, logger: logger)
        DBMetrics.add(db.metrics.corruptBlocks, loaded.corrupt)
        logger(.info, "TSDB opened", [("dir", dir), ("blocks", String(loaded.blocks.count)),
                                      ("wal_records", String(replay.records)), ("head_series", String(head.stats.series))])
        if options.backgroundCompaction {
            db.scheduleTimer()
            db.requestCompaction()
        }
        return db
    }

    /// A new appender over the head. After a commit, the DB checks whether the head has grown
    /// enough to be compacted and, if so, asks the background worker to do it.
    package func appender() -> any Appender { DBAppender(db: self) }

    /// A querier over the blocks overlapping `[mint, maxt]` and the head.
    package func querier(mint: Int64, maxt: Int64) throws(StorageError) -> any Querier {
        if closedFlag.load(ordering: .relaxed) { throw .closed }
        // The block list and the reader registration are taken together, so head compaction
        // knows which queriers saw the list before its new block and waits for them before it
        // truncates the head under them.
        let (all, id) = state.withLock { s -> ([Block], UInt64) in
            s.nextReader += 1
            s.readers[s.nextReader] = (s.generation, mint, maxt)
            return (s.blocks, s.nextReader)
        }
        let blocks = all.filter { $0.overlaps(mint: mint, maxt: maxt) }
        do throws(StorageError) {
            return try DBQuerier(blocks: blocks, head: head, mint: mint, maxt: maxt, logger: logger) { [weak self] in
                _ = self?.state.withLock { $0.readers.removeValue(forKey: id) }
            }
        } catch {
            _ = state.withLock { $0.readers.removeValue(forKey: id) }
            throw error
        }
    }

    /// Waits until every querier opened before block generation `generation` that overlaps
    /// `[mint, maxt]` is closed, or `timeoutMs` passed; returns false on timeout.
    func waitForReaders(before generation: UInt64, mint: Int64, maxt: Int64, timeoutMs: Int = 30_000) -> Bool {
        var waited = 0
        while state.withLock({ $0.readers.values.contains { $0.generation < generation && $0.mint <= maxt && $0.maxt >= mint } }) {
            if waited >= timeoutMs { return false }
            usleep(5_000)
            waited += 5
        }
        return true
    }

    /// The loaded blocks, oldest first.
    package var blocks: [Block] { state.withLock { $0.blocks } }

    /// Stops the background worker (waiting for a running compaction to finish), then flushes,
    /// fsyncs and closes the WAL. Queriers opened earlier keep working; appenders fail with
    /// `.closed`. A second call does nothing.
    package func close() throws(TSDBError) {
        if closedFlag.exchange(true, ordering: .relaxed) { return }
        worker.sync {}
        try head.close()
        logger(.info, "TSDB closed", [("dir", dir)])
    }

    // MARK: Background work

    /// Asks the worker to look for compaction and retention work (coalesced: one queued request
    /// at a time).
    func requestCompaction() {
        guard options.backgroundCompaction, !closedFlag.load(ordering: .relaxed) else { return }
        if compactionQueued.exchange(true, ordering: .acquiringAndReleasing) { return }
        worker.async { [self] in
            compactionQueued.store(false, ordering: .releasing)
            if closedFlag.load(ordering: .relaxed) { return }
            do throws(TSDBError) {
                try runCompactionCycle()
            } catch {
                logger(.error, "compaction failed", [("err", error.description)])
            }
        }
    }

    private func scheduleTimer() {
        guard options.compactionIntervalMs > 0 else { return }
        worker.asyncAfter(deadline: .now() + .milliseconds(Int(options.compactionIntervalMs))) { [weak self] in
            guard let self, !self.closedFlag.load(ordering: .relaxed) else { return }
            self.requestCompaction()
            self.scheduleTimer()
        }
    }

    /// True when the head spans more than 1.5 block ranges, so its oldest range can become a
    /// block (Prometheus' `Head.compactable`).
    var headCompactable: Bool {
        let mint = head.minTime, maxt = head.maxTime
        guard mint != Int64.max, maxt != Int64.min else { return false }
        let (span, overflow) = maxt.subtractingReportingOverflow(mint)
        return overflow || span > options.blockRangeMs / 2 * 3
    }

    // MARK: Start-up

    /// Deletes `*.tmp` directories (blocks or checkpoints being written when the process died).
    static func removeLeftovers(in dir: String, logger: Logger) throws(TSDBError) {
        for name in try DiskDirectory.list(dir) where name.hasSuffix(".tmp") || name.hasSuffix(".tmp-for-deletion") {
            logger(.info, "removing leftover of an interrupted write", [("path", dir + "/" + name)])
            try DiskDirectory.removeAll(dir + "/" + name)
        }
    }

    /// Opens every block directory; unreadable ones are logged, counted and skipped (left on
    /// disk for inspection), and blocks replaced by a finished compaction are deleted.
    static func loadBlocks(in dir: String, logger: Logger) throws(TSDBError) -> (blocks: [Block], corrupt: Int) {
        var blocks: [Block] = []
        var corrupt = 0
        for name in try DiskDirectory.list(dir).sorted() where ULID(string: name) != nil {
            let path = dir + "/" + name
            guard DiskDirectory.isDirectory(path) else { continue }
            do throws(TSDBError) {
                blocks.append(try Block.open(path))
            } catch {
                corrupt += 1
                logger(.error, "skipping unreadable block", [("block", path), ("err", error.description)])
            }
        }
        // A compaction writes its output, then deletes its inputs: inputs still present were
        // interrupted mid-delete and are covered by the output.
        var replaced = Set<String>()
        for b in blocks { for p in b.meta.compaction.parents { replaced.insert(p.ulid) } }
        var kept: [Block] = []
        for b in blocks {
            if replaced.contains(b.meta.ulid) {
                logger(.info, "deleting block replaced by compaction", [("block", b.dir)])
                try DiskDirectory.removeAll(b.dir)
            } else {
                kept.append(b)
            }
        }
        return (sortBlocks(kept), corrupt)
    }

    static func sortBlocks(_ blocks: [Block]) -> [Block] {
        blocks.sorted { a, b in
            if a.meta.minTime != b.meta.minTime { return a.meta.minTime < b.meta.minTime }
            if a.meta.maxTime != b.meta.maxTime { return a.meta.maxTime < b.meta.maxTime }
            return a.meta.ulid < b.meta.ulid
        }
    }
}
