import Glibc

/// An open file descriptor, closed when the last reference goes away, so a task that is
/// syncing a segment never sees its descriptor closed (or reused) under it.
final class DiskFile: Sendable {
    let fd: Int32
    let path: String

    private init(fd: Int32, path: String) {
        self.fd = fd
        self.path = path
    }

    deinit { Glibc.close(fd) }

    /// Opens `path` with `flags` (O_CLOEXEC is added).
    static func open(_ path: String, flags: Int32, mode: mode_t = 0o644) throws(TSDBError) -> DiskFile {
        let fd = Glibc.open(path, flags | O_CLOEXEC, mode)
        guard fd >= 0 else { throw .io(operation: "open", path: path, errno: errno) }
        return DiskFile(fd: fd, path: path)
    }

    /// Writes all of `bytes` at the current offset, retrying short writes and EINTR.
    func write(_ bytes: UnsafeRawBufferPointer) throws(TSDBError) {
        var done = 0
        while done < bytes.count {
            guard let base = bytes.baseAddress else { return }
            let n = Glibc.write(fd, base + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(operation: "write", path: path, errno: errno)
            }
            done += n
        }
    }

    /// Writes all of `bytes`.
    func write(_ bytes: [UInt8]) throws(TSDBError) {
        let r: Result<Void, TSDBError> = bytes.withUnsafeBytes { buf in
            do throws(TSDBError) { try write(buf); return .success(()) } catch { return .failure(error) }
        }
        try r.get()
    }

    /// fsync(2): the data and metadata reach stable storage.
    func sync() throws(TSDBError) {
        while fsync(fd) != 0 {
            if errno == EINTR { continue }
            throw .io(operation: "fsync", path: path, errno: errno)
        }
    }

    /// Cuts the file to `size` bytes and moves the offset there.
    func truncate(to size: Int) throws(TSDBError) {
        guard ftruncate(fd, off_t(size)) == 0 else { throw .io(operation: "ftruncate", path: path, errno: errno) }
        guard lseek(fd, off_t(size), SEEK_SET) >= 0 else { throw .io(operation: "lseek", path: path, errno: errno) }
    }

    /// The file's size.
    func size() throws(TSDBError) -> Int {
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .io(operation: "fstat", path: path, errno: errno) }
        return Int(st.st_size)
    }

    /// Maps the whole file read-only and calls `body` with its bytes (an empty buffer for an
    /// empty file). The mapping is gone when `body` returns.
    func withMappedBytes<R>(_ body: (UnsafeRawBufferPointer) throws(TSDBError) -> R) throws(TSDBError) -> R {
        let n = try size()
        if n == 0 { return try body(UnsafeRawBufferPointer(start: nil, count: 0)) }
        guard let p = mmap(nil, n, PROT_READ, MAP_PRIVATE, fd, 0), p != UnsafeMutableRawPointer(bitPattern: -1) else {
            throw .io(operation: "mmap", path: path, errno: errno)
        }
        defer { munmap(p, n) }
        _ = madvise(p, n, MADV_SEQUENTIAL)
        return try body(UnsafeRawBufferPointer(start: p, count: n))
    }
}

/// Directory operations the WAL needs, with errors naming the path.
enum DiskDirectory {
    /// Creates `path` and missing parents.
    static func create(_ path: String) throws(TSDBError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw .io(operation: "mkdir", path: current, errno: errno)
            }
        }
    }

    /// The names in `path` (without "." and "..").
    static func list(_ path: String) throws(TSDBError) -> [String] {
        guard let d = opendir(path) else { throw .io(operation: "opendir", path: path, errno: errno) }
        defer { closedir(d) }
        var names: [String] = []
        while let e = readdir(d) {
            let name = withUnsafePointer(to: e.pointee.d_name) { p in
                p.withMemoryRebound(to: CChar.self, capacity: Int(NAME_MAX) + 1) { String(cString: $0) }
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// fsync(2) on the directory, so created, renamed and removed entries are durable.
    static func sync(_ path: String) throws(TSDBError) {
        let f = try DiskFile.open(path, flags: O_RDONLY | O_DIRECTORY)
        try f.sync()
    }

    /// True when `path` exists and is a directory.
    static func isDirectory(_ path: String) -> Bool {
        var st = stat()
        return stat(path, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// rename(2).
    static func rename(_ from: String, _ to: String) throws(TSDBError) {
        guard Glibc.rename(from, to) == 0 else { throw .io(operation: "rename to \(to)", path: from, errno: errno) }
    }

    /// Removes a file or a directory tree; a missing path is not an error.
    static func removeAll(_ path: String) throws(TSDBError) {
        if isDirectory(path) {
            for name in try list(path) { try removeAll(path + "/" + name) }
            guard rmdir(path) == 0 || errno == ENOENT else { throw .io(operation: "rmdir", path: path, errno: errno) }
        } else {
            guard unlink(path) == 0 || errno == ENOENT else { throw .io(operation: "unlink", path: path, errno: errno) }
        }
    }
}
