import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

@Suite struct HeadWALTests {
    /// Writes `seriesCount` series × `samples` samples with a few commits.
    static func fill(_ head: Head, seriesCount: Int, samples: Int, from t0: Int64 = 0) throws -> [(Labels, [Sample])] {
        let app = head.appender()
        var want: [(Labels, [Sample])] = []
        for s in 0 ..< seriesCount {
            want.append((series("node_cpu_seconds_total", ["cpu": "\(s)", "mode": "idle"]), []))
        }
        var refs = [SeriesRef](repeating: .none, count: seriesCount)
        for i in 0 ..< samples {
            let t = t0 + Int64(i) * 15000
            for s in 0 ..< seriesCount {
                let v = i % 50 == 7 ? StaleNaN : Double(i * s) + 0.25
                refs[s] = try app.append(ref: refs[s], labels: want[s].0, t: t, v: v)
                want[s].1.append(Sample(t: t, v: v))
            }
            if i % 25 == 24 { try app.commit() }
        }
        try app.commit()
        return want.sorted { Labels.compare($0.0, $1.0) < 0 }
    }

    static func same(_ a: [(Labels, [Sample])], _ b: [(Labels, [Sample])]) -> Bool {
        a.count == b.count && zip(a, b).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
    }

    @Test(arguments: [WAL.SyncPolicy.always, .batch(intervalMs: 50)])
    func closeAndReopen(_ policy: WAL.SyncPolicy) throws {
        let tmp = try TempDirectory(prefix: "head-reopen")
        defer { tmp.remove() }
        let opts = Head.Options(wal: .init(segmentSize: 64 << 10, sync: policy))
        let (head, first) = try Head.open(dir: tmp.path, options: opts)
        #expect(first.records == 0)
        let want = try Self.fill(head, seriesCount: 20, samples: 300)
        try head.close()
        #expect(throws: StorageError.closed) { try head.appender().append(series("x"), t: 1, v: 1) }

        let (again, stats) = try Head.open(dir: tmp.path, options: opts)
        #expect(stats.damagedSegments == 0)
        #expect(Self.same(try dump(again), want))
        #expect(again.stats.series == 20)
        #expect(again.stats.samplesAppended == 6000)
        // References survive: appending by an old reference keeps working, new series get new ones.
        let ref = again.seriesRefs(matching: [.equal("cpu", "3")])[0]
        let app = again.appender()
        let r = try app.append(ref: ref, t: 300 * 15000, v: 1)
        #expect(r == ref)
        // (At a recent time: older than half a chunk range behind the newest sample is out of bounds.)
        let fresh = try app.append(series("new"), t: 300 * 15000, v: 1)
        #expect(fresh > ref)
        try app.commit()
        try again.close()
        let (third, _) = try Head.open(dir: tmp.path, options: opts)
        #expect(try dump(third, [.equal("cpu", "3")]).first?.1.count == 301)
        #expect(try dump(third, [.equal("__name__", "new")]).count == 1)
        try third.close()
    }

    @Test func crashWithoutCloseKeepsCommittedData() throws {
        let tmp = try TempDirectory(prefix: "head-crash")
        defer { tmp.remove() }
        let opts = Head.Options(wal: .init(sync: .batch(intervalMs: 60_000)))
        var want: [(Labels, [Sample])] = []
        do {
            let (head, _) = try Head.open(dir: tmp.path, options: opts)
            want = try Self.fill(head, seriesCount: 5, samples: 100)
            // An uncommitted batch is not acknowledged and must not appear.
            try head.appender().append(series("uncommitted"), t: 1, v: 1)
            // No close(): the process "dies" with data written but not fsynced.
        }
        let (head, _) = try Head.open(dir: tmp.path, options: opts)
        #expect(Self.same(try dump(head), want))
        try head.close()
    }

    @Test func tornTailIsCutAndCounted() throws {
        let tmp = try TempDirectory(prefix: "head-torn")
        defer { tmp.remove() }
        let opts = Head.Options(wal: .init(sync: .always))
        let (head, _) = try Head.open(dir: tmp.path, options: opts)
        let app = head.appender()
        for t in 0 ..< 10 {
            try app.append(series("a"), t: Int64(t), v: 1)
            try app.commit()
        }
        try head.close()
        let seg = tmp.path + "/wal/" + WAL.segmentName(0)
        var b = try fileBytes(seg)
        b.removeLast(5)
        try writeBytes(seg, b)
        var reports: [WALDamage] = []
        let (again, stats) = try Head.open(dir: tmp.path, options: opts) { reports.append($0) }
        #expect(stats.damagedSegments == 1)
        #expect(reports.count == 1)
        #expect(again.stats.walDamagedSegments == 1)
        #expect(try dump(again).first?.1.map(\.t) == Array(0 ..< 9))
        try again.close()
    }

    @Test func truncateCheckpointsAndReopens() throws {
        let tmp = try TempDirectory(prefix: "head-truncate")
        defer { tmp.remove() }
        let opts = Head.Options(chunkRangeMs: 3_600_000, wal: .init(segmentSize: 2 << 10, sync: .always))
        let (head, _) = try Head.open(dir: tmp.path, options: opts)
        // Series "old" stops early; "live" goes on.
        let app = head.appender()
        for i in 0 ..< 600 {
            let t = Int64(i) * 15000
            try app.append(series("live"), t: t, v: Double(i))
            if i < 100 { try app.append(series("old"), t: t, v: Double(i)) }
            if i % 20 == 19 { try app.commit() }
        }
        try app.commit()
        let segmentsBefore = try WAL.listSegments(tmp.path + "/wal").count
        #expect(segmentsBefore > 3)
        let mint: Int64 = 200 * 15000
        try head.truncate(mint: mint)
        #expect(head.stats.series == 1)
        #expect(head.stats.seriesRemoved == 1)
        #expect(try WALCheckpoint.latest(in: tmp.path + "/wal") != nil)
        #expect(try WAL.listSegments(tmp.path + "/wal").count == 1)
        let before = try dump(head)
        #expect(before.count == 1)
        #expect(before[0].1.first!.t <= mint) // whole chunks are kept
        try app.append(series("live"), t: 600 * 15000, v: 600)
        try app.commit()
        try head.close()

        let (again, stats) = try Head.open(dir: tmp.path, options: opts)
        #expect(stats.checkpoint != nil)
        let after = try dump(again)
        #expect(after.count == 1)
        #expect(after[0].0 == series("live"))
        // Everything from mint on survived the checkpoint.
        let kept = after[0].1.filter { $0.t >= mint }
        #expect(kept == (200 ... 600).map { Sample(t: Int64($0) * 15000, v: Double($0)) })
        try again.close()
    }

    @Test func tombstonesSurviveRestart() throws {
        let tmp = try TempDirectory(prefix: "head-tombstone")
        defer { tmp.remove() }
        let opts = Head.Options(wal: .init(sync: .always))
        let (head, _) = try Head.open(dir: tmp.path, options: opts)
        let app = head.appender()
        for t in 0 ..< 10 { try app.append(series("d"), t: Int64(t), v: 1) }
        try app.commit()
        try head.delete(mint: 2, maxt: 7, matchers: [.equal("__name__", "d")])
        try head.close()
        let (again, _) = try Head.open(dir: tmp.path, options: opts)
        #expect(try dump(again).first?.1.map(\.t) == [0, 1, 8, 9])
        try again.close()
    }

    @Test func seriesDefinedByRollbackSurvive() throws {
        let tmp = try TempDirectory(prefix: "head-rollback")
        defer { tmp.remove() }
        let opts = Head.Options(wal: .init(sync: .always))
        let (head, _) = try Head.open(dir: tmp.path, options: opts)
        let app = head.appender()
        let ref = try app.append(series("r"), t: 1, v: 1)
        try app.rollback()
        // The reference handed out is used by a later batch of another appender.
        let other = head.appender()
        try other.append(ref: ref, t: 2, v: 2)
        try other.commit()
        try head.close()
        let (again, stats) = try Head.open(dir: tmp.path, options: opts)
        #expect(again.stats.replayUnknownRefs == 0)
        #expect(try dump(again).first?.1 == [Sample(t: 2, v: 2)])
        #expect(stats.records >= 2)
        try again.close()
    }

    @Test func foreignReferencesAreRemapped() throws {
        // A WAL whose references do not carry the stripe bits of their labels' hash (another
        // writer), plus a repeated definition and a sample for an undefined reference.
        let tmp = try TempDirectory(prefix: "head-remap")
        defer { tmp.remove() }
        let wal = try WAL.open(dir: tmp.path + "/wal", options: .init(sync: .always))
        let a = series("a"), b = series("b")
        let badRef = SeriesRef(((a.stableHash & 63) ^ 1) | (5 << 6))
        try wal.log(records: [
            .series([RefSeries(ref: badRef, labels: a)]),
            .samples([RefSample(ref: badRef, t: 1, v: 1)]),
            .series([RefSeries(ref: SeriesRef((b.stableHash & 63) | (9 << 6)), labels: b),
                     RefSeries(ref: SeriesRef(7 << 6 | 1), labels: b)]),
            .samples([RefSample(ref: SeriesRef(7 << 6 | 1), t: 2, v: 2), RefSample(ref: SeriesRef(999 << 6), t: 3, v: 3)]),
        ])
        try wal.close()
        let (head, _) = try Head.open(dir: tmp.path, options: .init(wal: .init(sync: .always)))
        let got = try dump(head)
        #expect(got.map(\.0) == [a, b])
        #expect(got.map(\.1) == [[Sample(t: 1, v: 1)], [Sample(t: 2, v: 2)]])
        #expect(head.stats.replayUnknownRefs == 1)
        // New series never reuse a replayed sequence number.
        let fresh = try head.appender().append(series("c"), t: 1, v: 1)
        #expect(fresh.rawValue >> 6 > 9)
        try head.close()
    }
}
