import Foundation
import Model
import TestSupport
import Testing
@testable import TSDB

@Suite struct CRC32CTests {
    static let pdu: [UInt8] = [
        0x01, 0xc0, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x14, 0x00, 0x00, 0x00, 0x00, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, 0x14, 0x00, 0x00, 0x00, 0x18,
        0x28, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ]

    /// RFC 3720 appendix B.4, plus the common check value.
    @Test(arguments: [
        ("32 bytes of zeros", [UInt8](repeating: 0, count: 32), UInt32(0x8A91_36AA)),
        ("32 bytes of 0xFF", [UInt8](repeating: 0xff, count: 32), 0x62A8_AB43),
        ("32 increasing", (0 ..< 32).map { UInt8($0) }, 0x46DD_794E),
        ("32 decreasing", (0 ..< 32).reversed().map { UInt8($0) }, 0x113F_DB5C),
        ("iSCSI read PDU", pdu, 0xD996_3A56),
        ("123456789", Array("123456789".utf8), 0xE306_9283),
        ("empty", [], 0),
    ])
    func vector(_ name: String, _ input: [UInt8], _ want: UInt32) {
        #expect(CRC32C.checksum(input) == want, "\(name)")
    }

    @Test func incrementalEqualsWhole() {
        var rng = SplitMix64(seed: 5)
        let data = (0 ..< 1000).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
        for split in [0, 1, 7, 8, 9, 500, 999, 1000] {
            let a = data.withUnsafeBytes { CRC32C.update(0, UnsafeRawBufferPointer(rebasing: $0[0 ..< split])) }
            let b = data.withUnsafeBytes { CRC32C.update(a, UnsafeRawBufferPointer(rebasing: $0[split...])) }
            #expect(b == CRC32C.checksum(data))
        }
    }
}

/// Replays `dir` and returns the records, the damage reports and the stats.
func replayAll(_ dir: String, repair: Bool = true) throws -> ([WALRecord], [WALDamage], WALReplayStats) {
    var records: [WALRecord] = []
    var damage: [WALDamage] = []
    let stats = try WAL.replay(dir: dir, repair: repair, onDamage: { damage.append($0) }) { records.append($0) }
    return (records, damage, stats)
}

/// The record numbered `i` in the corruption tests: one sample whose fields are all `i`.
func numbered(_ i: Int) -> WALRecord {
    .samples([RefSample(ref: SeriesRef(UInt64(i + 1)), t: Int64(i), v: Double(i))])
}

/// Frame offsets in a segment file.
func frameOffsets(_ path: String) throws -> [Int] {
    let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
    var offsets: [Int] = []
    var o = WAL.segmentHeader.count
    while o + WALCodec.frameHeaderSize <= bytes.count {
        offsets.append(o)
        let len = Int(bytes[o + 1]) | Int(bytes[o + 2]) << 8 | Int(bytes[o + 3]) << 16 | Int(bytes[o + 4]) << 24
        o += WALCodec.frameHeaderSize + len
    }
    return offsets
}

func fileBytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }
func writeBytes(_ path: String, _ bytes: [UInt8]) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

@Suite struct WALTests {
    @Test func codecRoundTrip() throws {
        let records: [WALRecord] = [
            .series([RefSeries(ref: SeriesRef(1), labels: ["__name__": "up", "job": "node"]),
                     RefSeries(ref: SeriesRef(UInt64.max), labels: ["a": String(repeating: "x", count: 1000)])]),
            .series([]),
            .samples([RefSample(ref: SeriesRef(5), t: 1_700_000_000_000, v: 1.5),
                      RefSample(ref: SeriesRef(3), t: 1_700_000_000_000, v: StaleNaN),
                      RefSample(ref: SeriesRef(UInt64.max), t: Int64.min, v: Double(bitPattern: 0x7ff8_0000_dead_beef)),
                      RefSample(ref: SeriesRef(0), t: Int64.max, v: -.infinity)]),
            .samples([]),
            .tombstones([Tombstone(ref: SeriesRef(9), mint: Int64.min, maxt: Int64.max), Tombstone(ref: SeriesRef(1), mint: 5, maxt: 6)]),
        ]
        for r in records {
            var frame: [UInt8] = []
            WALCodec.appendFrame(r, to: &frame)
            var got: [WALRecord] = []
            let seg = WAL.segmentHeader + frame
            let damage = try seg.withUnsafeBytes { buf in
                try WAL.scanFrames(buf) { (type: UInt8, payload: UnsafeRawBufferPointer) throws(TSDBError) in
                    if let rec = try WALCodec.decode(type: type, payload: payload) { got.append(rec) }
                }
            }
            #expect(damage == nil)
            #expect(got == [r])
            // Every truncated payload is an error or nothing, never a crash.
            let payload = Array(frame[WALCodec.frameHeaderSize...])
            for n in 0 ..< payload.count {
                _ = try? Array(payload[0 ..< n]).withUnsafeBytes { try WALCodec.decode(type: r.type.rawValue, payload: $0) }
            }
        }
        // Unknown types decode to nil (skipped by readers).
        #expect(try [UInt8]([0]).withUnsafeBytes { try WALCodec.decode(type: 77, payload: $0) } == nil)
    }

    @Test func writeReplayAcrossSegments() throws {
        let tmp = try TempDirectory(prefix: "wal-rotate")
        defer { tmp.remove() }
        let dir = tmp.path + "/wal"
        let wal = try WAL.open(dir: dir, options: .init(segmentSize: 256, sync: .always))
        var want: [WALRecord] = []
        for i in 0 ..< 100 {
            let r = numbered(i)
            want.append(r)
            try wal.log(records: [r])
        }
        try wal.close()
        #expect(throws: TSDBError.closed) { try wal.log(records: [numbered(0)]) }
        let segments = try WAL.listSegments(dir)
        #expect(segments.count > 5)
        #expect(segments.map(\.index) == Array(0 ..< segments.count))
        let (got, damage, stats) = try replayAll(dir)
        #expect(got == want)
        #expect(damage.isEmpty)
        #expect(stats.records == 100)
        // A reopened WAL writes a new segment after the last; replay sees old and new.
        let again = try WAL.open(dir: dir, options: .init(segmentSize: 256, sync: .always))
        #expect(again.currentSegment == segments.count)
        try again.log(records: [numbered(100)])
        try again.close()
        #expect(try replayAll(dir).0 == want + [numbered(100)])
    }

    @Test func queuedSeriesPrecedeTheNextBatch() throws {
        let tmp = try TempDirectory(prefix: "wal-series")
        defer { tmp.remove() }
        let wal = try WAL.open(dir: tmp.path, options: .init(sync: .always))
        let s = RefSeries(ref: SeriesRef(7), labels: ["job": "a"])
        wal.enqueue(s)
        try wal.log(records: [.samples([RefSample(ref: SeriesRef(7), t: 1, v: 1)])])
        wal.enqueue(RefSeries(ref: SeriesRef(8), labels: ["job": "b"]))
        try wal.close() // flushes the queued series
        let (got, _, _) = try replayAll(tmp.path)
        #expect(got == [.series([s]), .samples([RefSample(ref: SeriesRef(7), t: 1, v: 1)]),
                        .series([RefSeries(ref: SeriesRef(8), labels: ["job": "b"])])])
    }

    @Test(arguments: [WAL.SyncPolicy.always, .batch(intervalMs: 5)])
    func concurrentWriters(_ policy: WAL.SyncPolicy) async throws {
        let tmp = try TempDirectory(prefix: "wal-concurrent")
        defer { tmp.remove() }
        let wal = try WAL.open(dir: tmp.path, options: .init(segmentSize: 4096, sync: policy))
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0 ..< 4 {
                group.addTask {
                    for i in 0 ..< 200 { try wal.log(records: [numbered(w * 1000 + i)]) }
                }
            }
            try await group.waitForAll()
        }
        if policy == .always {
            // Group commit: never more fsyncs than batches (plus rotations).
            #expect(wal.stats.fsyncs <= wal.stats.batches + 400)
        } else {
            try await Task.sleep(for: .milliseconds(30))
            #expect(wal.stats.fsyncs >= 1)
        }
        try wal.close()
        let (got, damage, _) = try replayAll(tmp.path)
        #expect(damage.isEmpty)
        #expect(got.count == 800)
        // Each writer's records stay in its order.
        for w in 0 ..< 4 {
            let mine = got.compactMap { r -> Int? in
                guard case let .samples(s) = r, let t = s.first?.t, t / 1000 == Int64(w) else { return nil }
                return Int(t)
            }
            #expect(mine == (0 ..< 200).map { w * 1000 + $0 })
        }
    }

    /// The corruption table: each case damages the last segment of a 10-record WAL (or adds a
    /// segment) and says how many records must survive.
    struct Damage: Sendable, CustomStringConvertible {
        var description: String
        var damage: @Sendable (_ dir: String, _ lastSegment: String, _ offsets: [Int]) throws -> Void
        var survivors: Int
        var damaged: Int = 1
    }

    static let damages: [Damage] = [
        Damage(description: "torn last record", damage: { _, seg, _ in
            var b = try fileBytes(seg); b.removeLast(3); try writeBytes(seg, b)
        }, survivors: 9),
        Damage(description: "truncated record header", damage: { _, seg, offsets in
            let b = try fileBytes(seg); try writeBytes(seg, Array(b[0 ..< offsets[9] + 4]))
        }, survivors: 9),
        Damage(description: "bad checksum mid-segment", damage: { _, seg, offsets in
            var b = try fileBytes(seg); b[offsets[4] + WALCodec.frameHeaderSize + 2] ^= 0x40; try writeBytes(seg, b)
        }, survivors: 4),
        Damage(description: "bad checksum in first record", damage: { _, seg, offsets in
            var b = try fileBytes(seg); b[offsets[0] + 6] ^= 0x01; try writeBytes(seg, b)
        }, survivors: 0),
        Damage(description: "length field too large", damage: { _, seg, offsets in
            var b = try fileBytes(seg); b[offsets[6] + 4] = 0x7f; try writeBytes(seg, b)
        }, survivors: 6),
        Damage(description: "zeroed tail", damage: { _, seg, _ in
            try writeBytes(seg, try fileBytes(seg) + [UInt8](repeating: 0, count: 4096))
        }, survivors: 10),
        Damage(description: "zeroed last record", damage: { _, seg, offsets in
            var b = try fileBytes(seg)
            for i in offsets[9] ..< b.count { b[i] = 0 }
            try writeBytes(seg, b)
        }, survivors: 9),
        Damage(description: "garbage after last record", damage: { _, seg, _ in
            try writeBytes(seg, try fileBytes(seg) + [0x02, 0xff, 0xee, 0x01, 0x00, 0x13, 0x37, 0x00, 0x00, 0x99])
        }, survivors: 10),
        Damage(description: "bad segment header", damage: { _, seg, _ in
            var b = try fileBytes(seg); b[0] = 0x58; try writeBytes(seg, b)
        }, survivors: 0),
        Damage(description: "truncated segment header", damage: { _, seg, _ in
            try writeBytes(seg, Array(try fileBytes(seg)[0 ..< 5]))
        }, survivors: 0),
        Damage(description: "empty segment appended", damage: { dir, _, _ in
            try writeBytes(dir + "/" + WAL.segmentName(1), [])
        }, survivors: 10),
        Damage(description: "garbage segment appended", damage: { dir, _, _ in
            var rng = SplitMix64(seed: 42)
            try writeBytes(dir + "/" + WAL.segmentName(1), (0 ..< 5000).map { _ in UInt8.random(in: 0 ... 255, using: &rng) })
        }, survivors: 10),
        Damage(description: "garbage segment after a valid header", damage: { dir, _, _ in
            try writeBytes(dir + "/" + WAL.segmentName(1), WAL.segmentHeader + [UInt8](repeating: 0xA5, count: 100))
        }, survivors: 10),
    ]

    @Test(arguments: damages)
    func corruption(_ c: Damage) throws {
        let tmp = try TempDirectory(prefix: "wal-damage")
        defer { tmp.remove() }
        let dir = tmp.path
        let wal = try WAL.open(dir: dir, options: .init(sync: .always))
        for i in 0 ..< 10 { try wal.log(records: [numbered(i)]) }
        try wal.close()
        let seg = dir + "/" + WAL.segmentName(0)
        let offsets = try frameOffsets(seg)
        #expect(offsets.count == 10)
        try c.damage(dir, seg, offsets)

        let (got, damage, stats) = try replayAll(dir)
        #expect(got == (0 ..< c.survivors).map(numbered), "\(c)")
        #expect(damage.count == c.damaged, "\(c): \(damage)")
        #expect(stats.damagedSegments == c.damaged)

        // Repaired: a second replay is clean and identical.
        let (again, damage2, _) = try replayAll(dir)
        #expect(again == got, "\(c)")
        #expect(damage2.isEmpty, "\(c): \(damage2)")

        // And the log accepts new records after the repaired ones.
        let reopened = try WAL.open(dir: dir, options: .init(sync: .always))
        try reopened.log(records: [numbered(99)])
        try reopened.close()
        #expect(try replayAll(dir).0 == got + [numbered(99)])
    }

    @Test func damageInAMiddleSegmentKeepsLaterSegments() throws {
        let tmp = try TempDirectory(prefix: "wal-middle")
        defer { tmp.remove() }
        let wal = try WAL.open(dir: tmp.path, options: .init(segmentSize: 128, sync: .always))
        for i in 0 ..< 30 { try wal.log(records: [numbered(i)]) }
        try wal.close()
        let segments = try WAL.listSegments(tmp.path)
        #expect(segments.count >= 4)
        let victim = segments[1].path
        let perSegment = try frameOffsets(segments[0].path).count
        var b = try fileBytes(victim)
        b[b.count - 2] ^= 0xff // the last record of segment 1
        try writeBytes(victim, b)
        let (got, damage, _) = try replayAll(tmp.path)
        #expect(damage.count == 1)
        let lost = perSegment * 2 - 1 // index of the damaged record
        #expect(got == (0 ..< 30).filter { $0 != lost }.map(numbered))
    }

    @Test func readOnlyReplayDoesNotRepair() throws {
        let tmp = try TempDirectory(prefix: "wal-readonly")
        defer { tmp.remove() }
        let wal = try WAL.open(dir: tmp.path, options: .init(sync: .always))
        for i in 0 ..< 3 { try wal.log(records: [numbered(i)]) }
        try wal.close()
        let seg = tmp.path + "/" + WAL.segmentName(0)
        var b = try fileBytes(seg); b.removeLast(); try writeBytes(seg, b)
        let (_, d1, _) = try replayAll(tmp.path, repair: false)
        let (_, d2, _) = try replayAll(tmp.path, repair: false)
        #expect(d1.count == 1 && d2.count == 1)
        #expect(try fileBytes(seg).count == b.count)
    }

    @Test func checkpointKeepsLiveSeriesAndNewSamples() throws {
        let tmp = try TempDirectory(prefix: "wal-checkpoint")
        defer { tmp.remove() }
        let dir = tmp.path
        let wal = try WAL.open(dir: dir, options: .init(segmentSize: 200, sync: .always))
        let a = RefSeries(ref: SeriesRef(1), labels: ["s": "a"])
        let b = RefSeries(ref: SeriesRef(2), labels: ["s": "b"])
        try wal.log(records: [.series([a, b])])
        for t in 0 ..< 20 {
            try wal.log(records: [.samples([RefSample(ref: a.ref, t: Int64(t), v: 1), RefSample(ref: b.ref, t: Int64(t), v: 2)])])
        }
        try wal.log(records: [.tombstones([Tombstone(ref: a.ref, mint: 0, maxt: 2), Tombstone(ref: a.ref, mint: 15, maxt: 16)])])
        let through = try wal.rotate() - 1
        try wal.log(records: [.samples([RefSample(ref: a.ref, t: 100, v: 3)])])

        let stats = try WALCheckpoint.create(walDir: dir, through: through, mint: 10) { $0 == a.ref }
        #expect(stats.keptSeries == 1 && stats.droppedSeries == 1)
        #expect(stats.keptSamples == 10 && stats.droppedSamples == 30)
        #expect(stats.keptTombstones == 1 && stats.droppedTombstones == 1)
        try wal.removeSegments(through: through)
        try WALCheckpoint.removeOlder(than: through, in: dir)
        try wal.close()
        #expect(try WAL.listSegments(dir).map(\.index) == [through + 1])

        let (got, damage, rstats) = try replayAll(dir)
        #expect(damage.isEmpty)
        #expect(rstats.checkpoint == through)
        var samples: [RefSample] = []
        var series: [RefSeries] = []
        var stones: [Tombstone] = []
        for r in got {
            switch r {
            case let .series(s): series += s
            case let .samples(s): samples += s
            case let .tombstones(s): stones += s
            }
        }
        #expect(series == [a])
        #expect(samples == (10 ..< 20).map { RefSample(ref: a.ref, t: Int64($0), v: 1) } + [RefSample(ref: a.ref, t: 100, v: 3)])
        #expect(stones == [Tombstone(ref: a.ref, mint: 15, maxt: 16)])

        // A new writer numbers its segment after the checkpoint and the remaining segments.
        let w2 = try WAL.open(dir: dir)
        #expect(w2.currentSegment == through + 2)
        try w2.close()

        // A second checkpoint folds the first one in.
        let w3 = try WAL.open(dir: dir, options: .init(sync: .always))
        let through2 = try w3.rotate() - 1
        _ = try WALCheckpoint.create(walDir: dir, through: through2, mint: 15) { _ in true }
        try w3.removeSegments(through: through2)
        try WALCheckpoint.removeOlder(than: through2, in: dir)
        try w3.close()
        let (got2, _, stats2) = try replayAll(dir)
        #expect(stats2.checkpoint == through2)
        let samples2 = got2.flatMap { r -> [RefSample] in if case let .samples(s) = r { return s } else { return [] } }
        #expect(samples2 == (15 ..< 20).map { RefSample(ref: a.ref, t: Int64($0), v: 1) } + [RefSample(ref: a.ref, t: 100, v: 3)])
    }
}
