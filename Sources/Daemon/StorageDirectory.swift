import Foundation
import Glibc

/// The data directory, created on start and held with an exclusive `flock` on `<path>/lock` so
/// that two daemons never write one directory (Prometheus does the same with its lock file).
final class StorageDirectory: Sendable {
    let path: String
    private let lockFD: Int32

    struct OpenError: Error, CustomStringConvertible {
        var description: String
    }

    /// Creates `path` if needed and takes the lock; fails when another process holds it.
    init(path: String) throws(OpenError) {
        self.path = path
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw OpenError(description: "cannot create storage directory \(path): \(error.localizedDescription)")
        }
        let lockPath = (path as NSString).appendingPathComponent("lock")
        let fd = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw OpenError(description: "cannot open lock file \(lockPath): \(String(cString: strerror(errno)))")
        }
        guard flock(fd, LOCK_EX | LOCK_NB) == 0 else {
            let reason = errno == EWOULDBLOCK ? "another process holds it; is a Vigil already running on this directory?"
                                              : String(cString: strerror(errno))
            _ = Glibc.close(fd)
            throw OpenError(description: "cannot lock storage directory \(path): \(reason)")
        }
        let pid = Array("\(getpid())\n".utf8)
        _ = ftruncate(fd, 0)
        _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
        lockFD = fd
    }

    /// Releases the lock. Later issues flush and close the TSDB here first.
    func close() {
        _ = flock(lockFD, LOCK_UN)
        _ = Glibc.close(lockFD)
    }
}
