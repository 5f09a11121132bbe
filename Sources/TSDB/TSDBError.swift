import Glibc
import Model

/// Everything the TSDB module reports, with where it happened and what was found.
package enum TSDBError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A chunk ended before the number of samples its header announces.
    case chunkTruncated(sample: Int, of: Int)
    /// A chunk's bytes cannot be decoded.
    case chunkCorrupt(sample: Int, reason: String)
    /// A system call failed.
    case io(operation: String, path: String, errno: Int32)
    /// A WAL segment is damaged at `offset` (used where damage is reported, not repaired).
    case walCorrupt(segment: String, offset: Int, reason: String)
    /// A WAL record's payload does not decode although its checksum matched.
    case walRecordInvalid(type: UInt8, reason: String)
    /// A directory entry that should be a WAL segment or checkpoint is not.
    case walLayout(path: String, reason: String)
    /// The WAL or head was closed.
    case closed
    /// A setting is out of range.
    case invalidOption(String)
    /// A block directory cannot be used: what is wrong and where (file, series, chunk).
    case blockCorrupt(path: String, reason: String)
    /// An SQLite call on a block index failed.
    case index(path: String, reason: String)

    /// What, where, and what was found.
    package var description: String {
        switch self {
        case let .chunkTruncated(sample, of): "chunk truncated: sample \(sample) of \(of) runs past the end"
        case let .chunkCorrupt(sample, reason): "chunk corrupt at sample \(sample): \(reason)"
        case let .io(operation, path, errno): "\(operation) \(path): \(String(cString: strerror(errno))) (errno \(errno))"
        case let .walCorrupt(segment, offset, reason): "WAL segment \(segment) offset \(offset): \(reason)"
        case let .walRecordInvalid(type, reason): "WAL record of type \(type): \(reason)"
        case let .walLayout(path, reason): "WAL layout at \(path): \(reason)"
        case .closed: "closed"
        case let .invalidOption(text): "invalid option: \(text)"
        case let .blockCorrupt(path, reason): "block \(path): \(reason)"
        case let .index(path, reason): "block index \(path): \(reason)"
        }
    }

    /// The same failure as a `StorageError`, for callers behind the storage protocols.
    package var storageError: StorageError {
        self == .closed ? .closed : .io(description)
    }
}
