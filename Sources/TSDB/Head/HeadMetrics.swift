import Model
import Synchronization

/// The head's counters for self-monitoring, updated with relaxed atomics.
final class HeadMetrics: Sendable {
    let seriesCreated = Atomic<Int>(0)
    let seriesRemoved = Atomic<Int>(0)
    let chunksCreated = Atomic<Int>(0)
    let chunksRemoved = Atomic<Int>(0)
    let samplesAppended = Atomic<Int>(0)
    let outOfOrderRejected = Atomic<Int>(0)
    let duplicateRejected = Atomic<Int>(0)
    let outOfBoundsRejected = Atomic<Int>(0)
    let duplicatesIgnored = Atomic<Int>(0)
    let replayUnknownRefs = Atomic<Int>(0)
    let walDamagedSegments = Atomic<Int>(0)
    let walDroppedBytes = Atomic<Int>(0)

    @inline(__always)
    static func add(_ a: borrowing Atomic<Int>, _ n: Int = 1) {
        a.wrappingAdd(n, ordering: .relaxed)
    }

    func count(_ error: StorageErrorKind) {
        switch error {
        case .outOfOrder: HeadMetrics.add(outOfOrderRejected)
        case .duplicate: HeadMetrics.add(duplicateRejected)
        case .outOfBounds: HeadMetrics.add(outOfBoundsRejected)
        case .other: break
        }
    }

    var snapshot: HeadStats {
        let created = seriesCreated.load(ordering: .relaxed)
        let removed = seriesRemoved.load(ordering: .relaxed)
        let chunks = chunksCreated.load(ordering: .relaxed)
        let chunksGone = chunksRemoved.load(ordering: .relaxed)
        return HeadStats(
            series: created - removed, seriesCreated: created, seriesRemoved: removed,
            chunks: chunks - chunksGone, chunksCreated: chunks, chunksRemoved: chunksGone,
            samplesAppended: samplesAppended.load(ordering: .relaxed),
            outOfOrderRejected: outOfOrderRejected.load(ordering: .relaxed),
            duplicateRejected: duplicateRejected.load(ordering: .relaxed),
            outOfBoundsRejected: outOfBoundsRejected.load(ordering: .relaxed),
            duplicatesIgnored: duplicatesIgnored.load(ordering: .relaxed),
            replayUnknownRefs: replayUnknownRefs.load(ordering: .relaxed),
            walDamagedSegments: walDamagedSegments.load(ordering: .relaxed),
            walDroppedBytes: walDroppedBytes.load(ordering: .relaxed))
    }
}

/// Which counter a rejection goes to.
enum StorageErrorKind: Sendable, Equatable {
    case outOfOrder, duplicate, outOfBounds, other
}

/// A snapshot of the head's counters (the `prometheus_tsdb_head_*` family).
package struct HeadStats: Sendable, Equatable {
    /// Series in memory.
    package var series: Int
    /// Series created since start (replayed ones included).
    package var seriesCreated: Int
    /// Series garbage-collected by truncation.
    package var seriesRemoved: Int
    /// Chunks in memory (open and finished).
    package var chunks: Int
    /// Chunks started since start.
    package var chunksCreated: Int
    /// Chunks dropped by truncation.
    package var chunksRemoved: Int
    /// Samples committed (replayed ones included).
    package var samplesAppended: Int
    /// Samples rejected as out of order (at append, or at commit when another batch won).
    package var outOfOrderRejected: Int
    /// Samples rejected as a duplicate timestamp with a different value.
    package var duplicateRejected: Int
    /// Samples rejected as older than the head accepts.
    package var outOfBoundsRejected: Int
    /// Identical duplicates accepted and ignored.
    package var duplicatesIgnored: Int
    /// Replayed samples or tombstones naming a series the WAL never defined.
    package var replayUnknownRefs: Int
    /// WAL segments found damaged (and cut) at start-up.
    package var walDamagedSegments: Int
    /// Bytes dropped from damaged WAL segments.
    package var walDroppedBytes: Int
}

extension StorageError {
    var kind: StorageErrorKind {
        switch self {
        case .outOfOrderSample: .outOfOrder
        case .duplicateSampleForTimestamp: .duplicate
        case .outOfBounds: .outOfBounds
        default: .other
        }
    }
}
