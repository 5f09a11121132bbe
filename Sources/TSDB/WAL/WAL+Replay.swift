import Glibc
import Model

/// Damage found in a segment during replay, and what was done about it.
package struct WALDamage: Sendable, Equatable, CustomStringConvertible {
    /// The segment file.
    package var path: String
    /// Where the first bad byte is; everything before it was replayed.
    package var offset: Int
    /// What was found there.
    package var reason: String
    /// Bytes from `offset` to the end of the file, dropped by the repair.
    package var droppedBytes: Int
    /// Whether the file was cut at `offset`.
    package var repaired: Bool

    /// "WAL segment <path> damaged at offset N (reason): M bytes dropped".
    package var description: String {
        "WAL segment \(path) damaged at offset \(offset) (\(reason)): \(droppedBytes) bytes \(repaired ? "cut" : "ignored")"
    }
}

/// What a replay read and what it had to drop.
package struct WALReplayStats: Sendable, Equatable {
    /// Segment files read (checkpoint segments included).
    package var segments = 0
    /// Records handed to the callback.
    package var records = 0
    /// Bytes of good records read.
    package var bytes = 0
    /// Segments found damaged.
    package var damagedSegments = 0
    /// Bytes dropped at damage points.
    package var droppedBytes = 0
    /// Intact records of a type this version does not know (skipped).
    package var unknownRecords = 0
    /// Records whose checksum matched but whose payload did not decode (skipped).
    package var invalidRecords = 0
    /// The checkpoint replayed first, if any.
    package var checkpoint: Int?

    /// An empty tally.
    package init() {}
}

extension WAL {
    /// Reads the newest checkpoint, then every segment after it, in order, calling `body` with
    /// each record.
    ///
    /// Damage never stops the replay: a segment whose header is bad, whose last record is torn,
    /// or that holds a record with a wrong checksum, is read up to the last good record; with
    /// `repair` the file is cut there (a bad header is rewritten), `onDamage` hears about it and
    /// the stats count it. Later segments are still read: they begin at a record boundary of
    /// their own, and a sample whose series was lost is the head's to count.
    package static func replay(
        dir: String,
        repair: Bool = true,
        onDamage: (WALDamage) -> Void = { _ in },
        _ body: (WALRecord) throws(TSDBError) -> Void
    ) throws(TSDBError) -> WALReplayStats {
        var stats = WALReplayStats()
        guard DiskDirectory.isDirectory(dir) else { return stats }
        var after = -1
        if let cp = try WALCheckpoint.latest(in: dir) {
            for seg in try listSegments(cp.path) {
                try replaySegment(seg.path, repair: repair, stats: &stats, onDamage: onDamage, body)
            }
            stats.checkpoint = cp.index
            after = cp.index
        }
        for seg in try listSegments(dir) where seg.index > after {
            try replaySegment(seg.path, repair: repair, stats: &stats, onDamage: onDamage, body)
        }
        return stats
    }

    /// Replays one segment file (see `replay`).
    static func replaySegment(
        _ path: String,
        repair: Bool,
        stats: inout WALReplayStats,
        onDamage: (WALDamage) -> Void,
        _ body: (WALRecord) throws(TSDBError) -> Void
    ) throws(TSDBError) {
        let file = try DiskFile.open(path, flags: repair ? O_RDWR : O_RDONLY)
        stats.segments += 1
        var tally = stats
        let (damage, size) = try file.withMappedBytes { (buf: UnsafeRawBufferPointer) throws(TSDBError) -> ((offset: Int, reason: String)?, Int) in
            let result = try scanFrames(buf) { (type: UInt8, payload: UnsafeRawBufferPointer) throws(TSDBError) in
                tally.bytes += payload.count + WALCodec.frameHeaderSize
                let record: WALRecord?
                do throws(TSDBError) {
                    record = try WALCodec.decode(type: type, payload: payload)
                } catch {
                    tally.invalidRecords += 1
                    return
                }
                guard let record else {
                    tally.unknownRecords += 1
                    return
                }
                tally.records += 1
                try body(record)
            }
            return (result, buf.count)
        }
        stats = tally
        guard let damage else { return }
        stats.damagedSegments += 1
        stats.droppedBytes += size - damage.offset
        if repair {
            if damage.offset < segmentHeader.count {
                try file.truncate(to: 0)
                try file.write(segmentHeader)
            } else {
                try file.truncate(to: damage.offset)
            }
            try file.sync()
        }
        onDamage(WALDamage(path: path, offset: damage.offset, reason: damage.reason,
                           droppedBytes: size - damage.offset, repaired: repair))
    }

    /// Walks the frames of a segment image, calling `onFrame` for each intact one. Returns nil
    /// when the whole image is good, else where the damage starts and what it is. Never reads
    /// outside `buf`.
    static func scanFrames(
        _ buf: UnsafeRawBufferPointer,
        _ onFrame: (UInt8, UnsafeRawBufferPointer) throws(TSDBError) -> Void
    ) throws(TSDBError) -> (offset: Int, reason: String)? {
        let h = segmentHeader.count
        guard buf.count >= h else {
            return (0, buf.count == 0 ? "empty file, no segment header" : "torn segment header (\(buf.count) bytes)")
        }
        for i in 0 ..< h where buf[i] != segmentHeader[i] {
            return (0, "bad segment header")
        }
        var o = h
        let fh = WALCodec.frameHeaderSize
        while o < buf.count {
            let left = buf.count - o
            if isZero(buf, from: o) { return (o, "zeroed tail of \(left) bytes") }
            guard left >= fh else { return (o, "torn record header (\(left) of \(fh) bytes)") }
            let type = buf[o]
            let length = Int(UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: o + 1, as: UInt32.self)))
            let stored = UInt32(littleEndian: buf.loadUnaligned(fromByteOffset: o + 5, as: UInt32.self))
            guard type != 0 else { return (o, "invalid record type 0") }
            guard length <= left - fh else {
                return (o, "torn record: length \(length) but \(left - fh) bytes left")
            }
            let payload = UnsafeRawBufferPointer(rebasing: buf[(o + fh) ..< (o + fh + length)])
            var crc = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: buf[o ..< o + 5]))
            crc = CRC32C.update(crc, payload)
            guard crc == stored else {
                return (o, "checksum mismatch: stored 0x\(String(stored, radix: 16)), computed 0x\(String(crc, radix: 16))")
            }
            try onFrame(type, payload)
            o += fh + length
        }
        return nil
    }

    private static func isZero(_ buf: UnsafeRawBufferPointer, from: Int) -> Bool {
        // Only the first byte is checked on the hot path: a type byte of 0 is never written.
        guard buf[from] == 0 else { return false }
        for i in from ..< buf.count where buf[i] != 0 { return false }
        return true
    }
}
