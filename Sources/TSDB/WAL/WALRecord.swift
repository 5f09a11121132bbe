import Model

/// A series definition in the WAL: the reference the head gave it and its labels.
package struct RefSeries: Sendable, Equatable {
    /// The head's reference.
    package var ref: SeriesRef
    /// The labels.
    package var labels: Labels

    /// A definition.
    package init(ref: SeriesRef, labels: Labels) {
        self.ref = ref
        self.labels = labels
    }
}

/// A sample of a series named by reference.
package struct RefSample: Sendable, Equatable {
    /// The series.
    package var ref: SeriesRef
    /// Milliseconds.
    package var t: Int64
    /// The value (bits preserved).
    package var v: Double

    /// A sample.
    package init(ref: SeriesRef, t: Int64, v: Double) {
        self.ref = ref
        self.t = t
        self.v = v
    }

    /// Equal references and timestamps, identical value bits.
    package static func == (a: RefSample, b: RefSample) -> Bool {
        a.ref == b.ref && a.t == b.t && a.v.bitPattern == b.v.bitPattern
    }
}

/// A deletion: samples of `ref` with `mint <= t <= maxt` are gone.
package struct Tombstone: Sendable, Equatable {
    /// The series.
    package var ref: SeriesRef
    /// First deleted millisecond.
    package var mint: Int64
    /// Last deleted millisecond.
    package var maxt: Int64

    /// A deletion.
    package init(ref: SeriesRef, mint: Int64, maxt: Int64) {
        self.ref = ref
        self.mint = mint
        self.maxt = maxt
    }
}

/// The kinds of WAL record (the type byte of a frame; `FORMAT.md`).
package enum WALRecordType: UInt8, Sendable {
    /// Series definitions.
    case series = 1
    /// Float samples.
    case samples = 2
    /// Deletions.
    case tombstones = 3
}

/// One decoded WAL record.
package enum WALRecord: Sendable, Equatable {
    /// Series definitions.
    case series([RefSeries])
    /// Float samples, delta-encoded on disk.
    case samples([RefSample])
    /// Deletions.
    case tombstones([Tombstone])

    /// The record's type byte.
    package var type: WALRecordType {
        switch self {
        case .series: .series
        case .samples: .samples
        case .tombstones: .tombstones
        }
    }
}

/// Encodes records into frames and decodes payloads (`FORMAT.md` beside this file).
package enum WALCodec {
    /// Bytes of a frame header: type, length, CRC32C.
    package static let frameHeaderSize = 9

    /// Appends one frame to `out`: the header, then the payload `body` appends, then the length
    /// and checksum are filled in. The checksum covers the type, the length and the payload.
    package static func appendFrame(_ type: WALRecordType, to out: inout [UInt8], _ body: (inout [UInt8]) -> Void) {
        let start = out.count
        out.append(type.rawValue)
        out.append(contentsOf: [0, 0, 0, 0, 0, 0, 0, 0] as [UInt8])
        body(&out)
        let length = UInt32(truncatingIfNeeded: out.count - start - frameHeaderSize)
        out.withUnsafeMutableBytes { buf in
            buf.storeBytes(of: length.littleEndian, toByteOffset: start + 1, as: UInt32.self)
            var crc = CRC32C.update(0, UnsafeRawBufferPointer(rebasing: buf[start ..< start + 5]))
            crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: buf[(start + frameHeaderSize)...]))
            buf.storeBytes(of: crc.littleEndian, toByteOffset: start + 5, as: UInt32.self)
        }
    }

    /// Appends `record` as one frame.
    package static func appendFrame(_ record: WALRecord, to out: inout [UInt8]) {
        switch record {
        case let .series(series): appendSeries(series, to: &out)
        case let .samples(samples): appendSamples(samples, to: &out)
        case let .tombstones(stones): appendTombstones(stones, to: &out)
        }
    }

    /// Appends a series frame.
    package static func appendSeries(_ series: [RefSeries], to out: inout [UInt8]) {
        appendFrame(.series, to: &out) { p in
            Varint.appendUvarint(UInt64(series.count), to: &p)
            for s in series {
                Varint.appendUvarint(s.ref.rawValue, to: &p)
                Varint.appendUvarint(UInt64(s.labels.bytes.count), to: &p)
                p.append(contentsOf: s.labels.bytes)
            }
        }
    }

    /// Appends a samples frame: the first sample in full, each next one as deltas of reference and
    /// timestamp from the previous sample, every value as its 8 bytes.
    package static func appendSamples(_ samples: [RefSample], to out: inout [UInt8]) {
        appendFrame(.samples, to: &out) { p in
            appendSamplesPayload(samples, to: &p)
        }
    }

    /// The payload of a samples record, for callers that frame it themselves.
    package static func appendSamplesPayload(_ samples: [RefSample], to p: inout [UInt8]) {
        Varint.appendUvarint(UInt64(samples.count), to: &p)
        var prevRef: UInt64 = 0
        var prevT: Int64 = 0
        for s in samples {
            Varint.appendVarint(Int64(bitPattern: s.ref.rawValue &- prevRef), to: &p)
            Varint.appendVarint(s.t &- prevT, to: &p)
            appendUInt64LE(s.v.bitPattern, to: &p)
            prevRef = s.ref.rawValue
            prevT = s.t
        }
    }

    /// Appends a tombstones frame.
    package static func appendTombstones(_ stones: [Tombstone], to out: inout [UInt8]) {
        appendFrame(.tombstones, to: &out) { p in
            Varint.appendUvarint(UInt64(stones.count), to: &p)
            for s in stones {
                Varint.appendUvarint(s.ref.rawValue, to: &p)
                Varint.appendVarint(s.mint, to: &p)
                Varint.appendVarint(s.maxt, to: &p)
            }
        }
    }

    @inline(__always)
    static func appendUInt64LE(_ v: UInt64, to out: inout [UInt8]) {
        withUnsafeBytes(of: v.littleEndian) { out.append(contentsOf: $0) }
    }

    /// Decodes the payload of a frame whose checksum matched. Returns nil for an unknown type
    /// (skipped by readers, so newer record kinds do not stop older binaries).
    package static func decode(type: UInt8, payload p: UnsafeRawBufferPointer) throws(TSDBError) -> WALRecord? {
        guard let kind = WALRecordType(rawValue: type) else { return nil }
        var i = 0
        func invalid(_ why: String) -> TSDBError { .walRecordInvalid(type: type, reason: "\(why) at payload byte \(i) of \(p.count)") }
        guard let count64 = Varint.readUvarint(from: p, at: &i) else { throw invalid("short count") }
        // Every entry takes at least one byte, which bounds a corrupt count before reserving.
        guard count64 <= UInt64(p.count) else { throw invalid("count \(count64) exceeds payload") }
        let count = Int(count64)
        switch kind {
        case .series:
            var out: [RefSeries] = []
            out.reserveCapacity(count)
            for _ in 0 ..< count {
                guard let ref = Varint.readUvarint(from: p, at: &i),
                      let len = Varint.readUvarint(from: p, at: &i), len <= UInt64(p.count - i)
                else { throw invalid("short series entry") }
                let bytes = [UInt8](UnsafeRawBufferPointer(rebasing: p[i ..< i + Int(len)]))
                i += Int(len)
                guard let labels = Labels(canonical: bytes) else { throw invalid("labels not canonical") }
                out.append(RefSeries(ref: SeriesRef(ref), labels: labels))
            }
            guard i == p.count else { throw invalid("trailing bytes") }
            return .series(out)
        case .samples:
            var out: [RefSample] = []
            out.reserveCapacity(count)
            var ref: UInt64 = 0
            var t: Int64 = 0
            for _ in 0 ..< count {
                guard let dr = Varint.readVarint(from: p, at: &i),
                      let dt = Varint.readVarint(from: p, at: &i), p.count - i >= 8
                else { throw invalid("short sample") }
                ref = ref &+ UInt64(bitPattern: dr)
                t = t &+ dt
                let bits = UInt64(littleEndian: p.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                i += 8
                out.append(RefSample(ref: SeriesRef(ref), t: t, v: Double(bitPattern: bits)))
            }
            guard i == p.count else { throw invalid("trailing bytes") }
            return .samples(out)
        case .tombstones:
            var out: [Tombstone] = []
            out.reserveCapacity(count)
            for _ in 0 ..< count {
                guard let ref = Varint.readUvarint(from: p, at: &i),
                      let mint = Varint.readVarint(from: p, at: &i),
                      let maxt = Varint.readVarint(from: p, at: &i)
                else { throw invalid("short tombstone") }
                out.append(Tombstone(ref: SeriesRef(ref), mint: mint, maxt: maxt))
            }
            guard i == p.count else { throw invalid("trailing bytes") }
            return .tombstones(out)
        }
    }
}
