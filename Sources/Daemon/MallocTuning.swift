import Glibc

/// glibc's allocator tuning for a daemon with many worker threads.
enum MallocTuning {
    /// glibc's `M_ARENA_MAX` (malloc.h). The Glibc module exports neither the macro nor
    /// `mallopt`, so the function is looked up with `dlsym` (as `HTTP` does for epoll).
    private static let mArenaMax: Int32 = -8

    /// Caps malloc arenas at half the cores (at least 2) unless `MALLOC_ARENA_MAX` is set.
    /// glibc gives every thread that meets contention an arena of its own, up to 8 per core, and
    /// memory freed in one arena is never reused by another: a large query on one pool thread
    /// and the next on another each grew their own, and peak RSS over a query benchmark rose to
    /// several times what any query needed (598 MB against 237 MB with 2 arenas, measured on
    /// the 24 h query suite; throughput unchanged, small blocks come from per-thread caches).
    static func limitArenas() {
        if getenv("MALLOC_ARENA_MAX") != nil { return }
        typealias Mallopt = @convention(c) (Int32, Int32) -> Int32
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "mallopt") else { return }
        let mallopt = unsafeBitCast(symbol, to: Mallopt.self)
        let cores = max(1, Int(sysconf(Int32(_SC_NPROCESSORS_ONLN))))
        _ = mallopt(mArenaMax, Int32(max(2, cores / 2)))
    }
}
