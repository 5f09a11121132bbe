import Dispatch
import Glibc
import Model
import Synchronization

/// The write-ahead log: an append-only sequence of segment files (`00000000`, `00000001`, ...)
/// holding framed records (`FORMAT.md`). The head writes every batch here before making it
/// visible; after a crash `WAL.replay` gives the records back.
///
/// Durability (`SyncPolicy`):
/// - `.always`: `log` returns after fsync(2) covered the batch. Concurrent committers share one
///   fsync (group commit): whoever syncs first covers everything written before it.
/// - `.batch(intervalMs:)`: `log` returns after write(2), so the batch survives a crash of the
///   process at once, and a crash of the machine once the next fsync ran: a timer fsyncs every
///   `intervalMs` when something was written, and a segment is fsynced when it is closed
///   (rotation, `close()`). At most `intervalMs` of acknowledged data is exposed to power loss.
///
/// Series definitions are queued with `enqueue` when a series is created and are written ahead
/// of the next batch, in the same write(2), so a sample never reaches the log before its series.
package final class WAL: Sendable {
    /// When written data is forced to stable storage.
    package enum SyncPolicy: Sendable, Equatable {
        /// fsync before `log` returns.
        case always
        /// fsync from a timer every `intervalMs` milliseconds, and on segment close.
        case batch(intervalMs: Int)
    }

    /// WAL settings.
    package struct Options: Sendable {
        /// A segment is closed and the next one started once it would exceed this many bytes
        /// (a single larger batch gets a segment of its own).
        package var segmentSize: Int
        /// The fsync policy.
        package var sync: SyncPolicy

        /// 128 MiB segments, fsync every second.
        package init(segmentSize: Int = 128 << 20, sync: SyncPolicy = .batch(intervalMs: 1000)) {
            self.segmentSize = segmentSize
            self.sync = sync
        }
    }

    /// Counters for self-monitoring.
    package struct Stats: Sendable, Equatable {
        /// Bytes written to segments.
        package var bytesWritten: Int
        /// Batches logged.
        package var batches: Int
        /// fsync(2) calls on segments.
        package var fsyncs: Int
        /// Failed timer fsyncs (the error is also kept in `lastSyncError`).
        package var syncFailures: Int
        /// The segment being written.
        package var currentSegment: Int
        /// Time spent in fsync(2) on segments, in nanoseconds.
        package var fsyncNanos: UInt64 = 0
    }

    private struct State {
        var file: DiskFile?
        var segment: Int
        var size: Int
        /// Batches written so far (a sequence number for group commit).
        var written: UInt64 = 0
        /// Everything up to this sequence number was fsynced when its segment was closed.
        var durableByRotation: UInt64 = 0
        var closed = false
        var stats: Stats
        var lastSyncError: TSDBError?
        var scratch: [UInt8] = []
    }

    /// The directory holding the segments.
    package let dir: String
    /// The settings.
    package let options: Options
    private let state: Mutex<State>
    /// The highest sequence number known durable; held while an fsync runs, so concurrent
    /// committers wait for one fsync instead of issuing their own.
    private let synced = Mutex<UInt64>(0)
    /// Series created since the last write; a leaf lock, taken under stripe locks.
    private let pending = Mutex<[RefSeries]>([])
    private let timerQueue = DispatchQueue(label: "vigil.wal.sync")

    /// Opens the log in `dir` for writing, creating the directory if needed. Writing starts in a
    /// new segment after the last existing one (and after the newest checkpoint), so a damaged
    /// tail left by a crash is never appended to. Replay (`WAL.replay`) is separate and runs first.
    package static func open(dir: String, options: Options = Options()) throws(TSDBError) -> WAL {
        guard options.segmentSize >= segmentHeader.count + WALCodec.frameHeaderSize else {
            throw .invalidOption("WAL segment size \(options.segmentSize) is too small")
        }
        if case let .batch(ms) = options.sync, ms <= 0 {
            throw .invalidOption("WAL batch fsync interval \(ms) ms must be positive")
        }
        try DiskDirectory.create(dir)
        let last = try listSegments(dir).last?.index ?? -1
        let checkpoint = try WALCheckpoint.latest(in: dir)?.index ?? -1
        let index = max(last, checkpoint) + 1
        let file = try createSegment(dir, index)
        let wal = WAL(dir: dir, options: options, file: file, segment: index)
        wal.scheduleSync()
        return wal
    }

    private init(dir: String, options: Options, file: DiskFile, segment: Int) {
        self.dir = dir
        self.options = options
        let stats = Stats(bytesWritten: WAL.segmentHeader.count, batches: 0, fsyncs: 0, syncFailures: 0, currentSegment: segment)
        state = Mutex(State(file: file, segment: segment, size: WAL.segmentHeader.count, stats: stats))
    }

    /// Queues a series definition to be written ahead of the next batch.
    package func enqueue(_ series: RefSeries) {
        pending.withLock { $0.append(series) }
    }

    /// Writes framed records (built with `WALCodec`) as one batch, preceded by any queued series,
    /// then applies the fsync policy. On a failed write the segment is cut back to where the batch
    /// began, so the log never keeps half a batch.
    package func log(_ frames: [UInt8]) throws(TSDBError) {
        let seq = try write(frames)
        if options.sync == .always { try sync(through: seq) }
    }

    /// Encodes and logs records as one batch.
    package func log(records: [WALRecord]) throws(TSDBError) {
        var frames: [UInt8] = []
        for r in records { WALCodec.appendFrame(r, to: &frames) }
        try log(frames)
    }

    /// Writes queued series now (when nothing else will be logged soon, e.g. after a rollback).
    package func flush() throws(TSDBError) {
        try log([])
    }

    private func write(_ frames: [UInt8]) throws(TSDBError) -> UInt64 {
        try state.withLock { (s: inout State) throws(TSDBError) -> UInt64 in
            guard !s.closed, let file = s.file else { throw .closed }
            let series = pending.withLock { p -> [RefSeries] in
                let out = p
                p.removeAll(keepingCapacity: true)
                return out
            }
            var total = frames.count
            if !series.isEmpty {
                s.scratch.removeAll(keepingCapacity: true)
                WALCodec.appendSeries(series, to: &s.scratch)
                total += s.scratch.count
            }
            if total == 0 { return s.written }
            var current = file
            if s.size > WAL.segmentHeader.count && s.size + total > options.segmentSize {
                current = try rotateLocked(&s)
            }
            do throws(TSDBError) {
                if !series.isEmpty { try current.write(s.scratch) }
                try current.write(frames)
            } catch {
                // Cut the partial batch; if even that fails the segment is unusable.
                do throws(TSDBError) { try current.truncate(to: s.size) } catch {
                    s.closed = true
                }
                // The queued series were not written: keep them for the next batch.
                pending.withLock { $0.insert(contentsOf: series, at: 0) }
                throw error
            }
            s.size += total
            s.written += 1
            s.stats.bytesWritten += total
            s.stats.batches += 1
            return s.written
        }
    }

    /// Closes the current segment (fsynced) and starts the next one; returns the new index. Every
    /// segment below it is complete and may be checkpointed.
    @discardableResult
    package func rotate() throws(TSDBError) -> Int {
        try state.withLock { (s: inout State) throws(TSDBError) -> Int in
            guard !s.closed else { throw .closed }
            _ = try rotateLocked(&s)
            return s.segment
        }
    }

    private func rotateLocked(_ s: inout State) throws(TSDBError) -> DiskFile {
        if let old = s.file {
            let started = DispatchTime.now().uptimeNanoseconds
            try old.sync()
            s.stats.fsyncNanos &+= DispatchTime.now().uptimeNanoseconds &- started
            s.stats.fsyncs += 1
            s.durableByRotation = s.written
        }
        let next = s.segment + 1
        let file = try WAL.createSegment(dir, next)
        s.file = file
        s.segment = next
        s.size = WAL.segmentHeader.count
        s.stats.currentSegment = next
        s.stats.bytesWritten += WAL.segmentHeader.count
        return file
    }

    /// Makes everything logged so far durable.
    package func sync() throws(TSDBError) {
        let seq = state.withLock { $0.written }
        try sync(through: seq)
    }

    private func sync(through seq: UInt64) throws(TSDBError) {
        try synced.withLock { (done: inout UInt64) throws(TSDBError) in
            if done >= seq { return }
            let (file, written, rotated) = state.withLock { ($0.file, $0.written, $0.durableByRotation) }
            if rotated >= seq {
                done = max(done, rotated)
                return
            }
            guard let file else { throw .closed }
            let started = DispatchTime.now().uptimeNanoseconds
            try file.sync()
            let took = DispatchTime.now().uptimeNanoseconds &- started
            state.withLock {
                $0.stats.fsyncs += 1
                $0.stats.fsyncNanos &+= took
            }
            done = max(done, written)
        }
    }

    private func scheduleSync() {
        guard case let .batch(ms) = options.sync else { return }
        timerQueue.asyncAfter(deadline: .now() + .milliseconds(ms)) { [weak self] in
            guard let self else { return }
            let (closed, written) = self.state.withLock { ($0.closed, $0.written) }
            if closed { return }
            do throws(TSDBError) {
                let hasPending = self.pending.withLock { !$0.isEmpty }
                if hasPending { try self.flush() }
                let durable = self.synced.withLock { $0 }
                if durable < written || hasPending { try self.sync() }
            } catch {
                self.state.withLock {
                    $0.stats.syncFailures += 1
                    $0.lastSyncError = error
                }
            }
            self.scheduleSync()
        }
    }

    /// Counters for self-monitoring.
    package var stats: Stats { state.withLock { $0.stats } }

    /// The last error of a timer fsync, if any.
    package var lastSyncError: TSDBError? { state.withLock { $0.lastSyncError } }

    /// The segment being written.
    package var currentSegment: Int { state.withLock { $0.segment } }

    /// Deletes segments with index <= `index` (never the current one), oldest first, so a crash
    /// midway leaves a contiguous tail.
    package func removeSegments(through index: Int) throws(TSDBError) {
        let current = currentSegment
        for seg in try WAL.listSegments(dir) where seg.index <= index && seg.index < current {
            try DiskDirectory.removeAll(seg.path)
        }
        try DiskDirectory.sync(dir)
    }

    /// Writes queued series, fsyncs and closes the segment. Later calls fail with `.closed`.
    package func close() throws(TSDBError) {
        let already = state.withLock { $0.closed }
        if already { return }
        try flush()
        try sync()
        state.withLock {
            $0.closed = true
            $0.file = nil
        }
    }
}
