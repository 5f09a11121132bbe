internal import Glibc
import Config
import Synchronization

/// One `file_sd_configs` entry (Prometheus' `discovery/file`): the files matching its patterns
/// (`*` allowed in the last path element) are read as target groups.
///
/// Prometheus re-reads everything every `refresh_interval` and on any fsnotify event. Vigil
/// re-reads everything every `refresh_interval` too, and in between notices changes by
/// polling: a cheap glob plus `stat` that compares each file's modification time, size and
/// inode (so an atomic rename is seen) and the set of matching files. A file that cannot be
/// read or decoded keeps the groups it had last time, and is logged and counted; a file that no
/// longer exists takes its groups with it.
package final class FileDiscovery: Sendable {
    /// What identifies a file version without reading it.
    struct Stamp: Equatable {
        var mtimeSeconds: Int
        var mtimeNanos: Int
        var size: Int
        var inode: UInt64
    }

    private struct FileState {
        var stamp: Stamp?
        var groups: [TargetGroup]
    }

    private struct State {
        var files: [String: FileState] = [:]
        var lastFullRefresh: ContinuousClock.Instant?
        var groups: [TargetGroup] = []
    }

    /// The patterns, made absolute against the configuration file's directory.
    package let patterns: [String]
    /// `refresh_interval`.
    package let refreshInterval: Duration
    private let state = Mutex(State())
    private let metrics: ScrapeMetrics
    private let logger: ScrapeLogger?

    /// A discovery for `config`; relative patterns are resolved against `directory`.
    package init(config: FileSDConfig, directory: String, metrics: ScrapeMetrics, logger: ScrapeLogger? = nil) {
        patterns = config.files.map { $0.hasPrefix("/") || directory.isEmpty ? $0 : directory + "/" + $0 }
        refreshInterval = config.refreshInterval.duration
        self.metrics = metrics
        self.logger = logger
    }

    /// The groups from the last refresh, in file-name order.
    package var groups: [TargetGroup] { state.withLock { $0.groups } }

    /// Looks for changes and returns the new groups when they differ from the last ones.
    ///
    /// Every file is re-read when `refresh_interval` has passed since the last full read (or on
    /// the first call); otherwise only files whose stamp changed are read.
    package func refresh(now: ContinuousClock.Instant = .now) -> [TargetGroup]? {
        let paths = listFiles()
        let (known, lastFull) = state.withLock { ($0.files, $0.lastFullRefresh) }
        let full = lastFull.map { now - $0 >= refreshInterval } ?? true
        ScrapeMetrics.inc(metrics.fileSDScans)
        var files: [String: FileState] = [:]
        for path in paths {
            let stamp = Self.stamp(path)
            if !full, let old = known[path], let stamp, old.stamp == stamp {
                files[path] = old
                continue
            }
            do {
                let bytes = try Self.read(path)
                files[path] = FileState(stamp: stamp, groups: try TargetGroupFile.decode(bytes, path: path))
            } catch {
                ScrapeMetrics.inc(metrics.fileSDReadErrors)
                logger?(.error, "Error reading file", [("path", path), ("err", error.description)])
                // Keep what the file gave before, and read it again next time.
                files[path] = FileState(stamp: nil, groups: known[path]?.groups ?? [])
            }
        }
        var groups: [TargetGroup] = []
        for path in files.keys.sorted() { groups += files[path]?.groups ?? [] }
        return state.withLock { s -> [TargetGroup]? in
            s.files = files
            if full { s.lastFullRefresh = now }
            guard groups != s.groups else { return nil }
            s.groups = groups
            return groups
        }
    }

    /// The files matching the patterns, each pattern's matches sorted, duplicates removed.
    func listFiles() -> [String] {
        var out: [String] = []
        var seen = Set<String>()
        for pattern in patterns {
            var g = glob_t()
            defer { globfree(&g) }
            let rc = glob(pattern, 0, nil, &g)
            guard rc == 0 else {
                if rc != GLOB_NOMATCH { logger?(.error, "Error expanding glob", [("glob", pattern), ("err", "glob error \(rc)")]) }
                continue
            }
            for i in 0 ..< Int(g.gl_pathc) {
                guard let p = g.gl_pathv[i] else { continue }
                let path = String(cString: p)
                if seen.insert(path).inserted { out.append(path) }
            }
        }
        return out
    }

    static func stamp(_ path: String) -> Stamp? {
        var st = stat()
        guard stat(path, &st) == 0 else { return nil }
        return Stamp(mtimeSeconds: Int(st.st_mtim.tv_sec), mtimeNanos: Int(st.st_mtim.tv_nsec),
                     size: Int(st.st_size), inode: UInt64(st.st_ino))
    }

    static func read(_ path: String) throws(ScrapeError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .fileSD(path: path, reason: "open \(path): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var out: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = buffer.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .fileSD(path: path, reason: "read \(path): \(String(cString: strerror(errno)))")
            }
            if n == 0 { break }
            out.append(contentsOf: buffer[0 ..< n])
            if out.count > 64 << 20 { throw .fileSD(path: path, reason: "file larger than 64 MiB") }
        }
        return out
    }
}
