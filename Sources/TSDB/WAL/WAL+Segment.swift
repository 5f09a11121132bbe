import Glibc

extension WAL {
    /// The 8 bytes that open every segment: "VWAL", format version 1, three zero bytes.
    package static let segmentHeader: [UInt8] = [0x56, 0x57, 0x41, 0x4C, 0x01, 0x00, 0x00, 0x00]

    /// The file name of segment `index`: eight decimal digits, as Prometheus names them.
    package static func segmentName(_ index: Int) -> String {
        let digits = String(index)
        return String(repeating: "0", count: max(0, 8 - digits.count)) + digits
    }

    /// The index a segment file name encodes, or nil for other names.
    package static func segmentIndex(_ name: String) -> Int? {
        guard !name.isEmpty, name.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(name)
    }

    /// The segments in `dir`, by index.
    package static func listSegments(_ dir: String) throws(TSDBError) -> [(index: Int, path: String)] {
        try DiskDirectory.list(dir)
            .compactMap { name in segmentIndex(name).map { (index: $0, path: dir + "/" + name) } }
            .sorted { $0.index < $1.index }
    }

    /// Creates segment `index` in `dir` with its header and makes the entry durable.
    static func createSegment(_ dir: String, _ index: Int) throws(TSDBError) -> DiskFile {
        let path = dir + "/" + segmentName(index)
        let file = try DiskFile.open(path, flags: O_WRONLY | O_CREAT | O_EXCL)
        try file.write(segmentHeader)
        try file.sync()
        try DiskDirectory.sync(dir)
        return file
    }
}
