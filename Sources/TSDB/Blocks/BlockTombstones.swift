import Glibc
import Model

/// A block's `tombstones` file: deleted time ranges per series id, the one part of a block that
/// changes after it is written (replaced atomically: written to `tombstones.tmp`, fsynced,
/// renamed). Layout: "VTMB", version 1, uvarint count, then per range uvarint series id,
/// varint mint, varint maxt (inclusive), then CRC32C of all preceding bytes, big-endian.
enum BlockTombstones {
    static let fileName = "tombstones"
    static let magic: [UInt8] = [0x56, 0x54, 0x4D, 0x42, 0x01]

    typealias Ranges = [SeriesRef: [ClosedRange<Int64>]]

    static func encode(_ t: Ranges) -> [UInt8] {
        var out = magic
        let entries = t.sorted { $0.key < $1.key }.flatMap { e in e.value.map { (e.key, $0) } }
        Varint.appendUvarint(UInt64(entries.count), to: &out)
        for (ref, r) in entries {
            Varint.appendUvarint(ref.rawValue, to: &out)
            Varint.appendVarint(r.lowerBound, to: &out)
            Varint.appendVarint(r.upperBound, to: &out)
        }
        let crc = CRC32C.checksum(out)
        out += [UInt8(truncatingIfNeeded: crc >> 24), UInt8(truncatingIfNeeded: crc >> 16),
                UInt8(truncatingIfNeeded: crc >> 8), UInt8(truncatingIfNeeded: crc)]
        return out
    }

    static func decode(_ bytes: [UInt8], path: String) throws(TSDBError) -> Ranges {
        func bad(_ why: String) -> TSDBError { .blockCorrupt(path: path, reason: "tombstones: \(why)") }
        guard bytes.count >= magic.count + 5, bytes.prefix(magic.count).elementsEqual(magic) else { throw bad("bad header") }
        let body = bytes.dropLast(4)
        let want = bytes.suffix(4).reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
        guard CRC32C.checksum(Array(body)) == want else { throw bad("checksum mismatch") }
        let b = Array(body)
        var i = magic.count
        guard let n = Varint.readUvarint(from: b, at: &i), n <= UInt64(b.count) else { throw bad("bad count") }
        var out: Ranges = [:]
        for _ in 0 ..< n {
            guard let ref = Varint.readUvarint(from: b, at: &i), let lo = Varint.readVarint(from: b, at: &i),
                  let hi = Varint.readVarint(from: b, at: &i), lo <= hi else { throw bad("malformed entry") }
            out[SeriesRef(ref), default: []].append(lo ... hi)
        }
        return out
    }

    static func read(dir: String) throws(TSDBError) -> Ranges {
        let path = dir + "/" + fileName
        guard access(path, F_OK) == 0 else { return [:] }
        let f = try DiskFile.open(path, flags: O_RDONLY)
        let bytes = try f.withMappedBytes { Array($0) }
        return try decode(bytes, path: path)
    }

    static func write(_ t: Ranges, dir: String) throws(TSDBError) {
        let path = dir + "/" + fileName
        if t.isEmpty {
            try DiskDirectory.removeAll(path)
            try DiskDirectory.sync(dir)
            return
        }
        let tmp = path + ".tmp"
        let f = try DiskFile.open(tmp, flags: O_WRONLY | O_CREAT | O_TRUNC)
        try f.write(encode(t))
        try f.sync()
        try DiskDirectory.rename(tmp, path)
        try DiskDirectory.sync(dir)
    }
}
