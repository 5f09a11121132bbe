import Glibc

/// Reads the standard `process_*` metrics from /proc for the running process, with the names and
/// meanings Prometheus' Go client uses, so existing dashboards and alerts work unchanged.
package enum ProcessMetrics {
    /// A snapshot of the process' resource use. Fields are nil when /proc could not be read.
    package struct Snapshot: Sendable {
        package var cpuSeconds: Double?
        package var residentBytes: Double?
        package var virtualBytes: Double?
        package var startTimeSeconds: Double?
        package var openFDs: Double?
        package var maxFDs: Double?
        package var threads: Double?
    }

    /// Registers a collector on `registry` that reads a fresh snapshot on each scrape.
    package static func register(on registry: MetricRegistry) {
        registry.addCollector { w in
            let s = read()
            func put(_ name: String, _ help: String, _ type: MetricType, _ v: Double?) {
                guard let v else { return }
                w.family(name, help: help, type: type)
                w.sample(name, value: v)
            }
            put("process_cpu_seconds_total", "Total user and system CPU time spent in seconds.", .counter, s.cpuSeconds)
            put("process_resident_memory_bytes", "Resident memory size in bytes.", .gauge, s.residentBytes)
            put("process_virtual_memory_bytes", "Virtual memory size in bytes.", .gauge, s.virtualBytes)
            put("process_start_time_seconds", "Start time of the process since unix epoch in seconds.", .gauge, s.startTimeSeconds)
            put("process_open_fds", "Number of open file descriptors.", .gauge, s.openFDs)
            put("process_max_fds", "Maximum number of open file descriptors.", .gauge, s.maxFDs)
            put("process_threads", "Number of OS threads in the process.", .gauge, s.threads)
        }
    }

    /// Reads /proc/self/stat, /proc/stat (boot time), /proc/self/fd and the fd limit.
    package static func read() -> Snapshot {
        var s = Snapshot()
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        let pageSize = Double(sysconf(Int32(_SC_PAGESIZE)))
        if let stat = readFile("/proc/self/stat"), let fields = statFields(stat) {
            // Field numbers from proc(5), counted from 1; `fields` starts at field 3 (state).
            func f(_ n: Int) -> Double? { n - 3 < fields.count ? Double(fields[n - 3]) : nil }
            if let ut = f(14), let st = f(15), ticks > 0 { s.cpuSeconds = (ut + st) / ticks }
            s.threads = f(20)
            if let start = f(22), let boot = bootTime(), ticks > 0 { s.startTimeSeconds = boot + start / ticks }
            s.virtualBytes = f(23)
            if let rss = f(24) { s.residentBytes = rss * pageSize }
        }
        s.openFDs = countOpenFDs().map(Double.init)
        var lim = rlimit()
        if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0 { s.maxFDs = Double(lim.rlim_cur) }
        return s
    }

    /// The fields after the parenthesised command name, which may itself contain spaces and ')'.
    static func statFields(_ text: String) -> [Substring]? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        return text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
    }

    static func bootTime() -> Double? {
        guard let stat = readFile("/proc/stat") else { return nil }
        for line in stat.split(separator: "\n") where line.hasPrefix("btime ") {
            return Double(line.dropFirst(6).trimmingCharacters(in: " "))
        }
        return nil
    }

    static func countOpenFDs() -> Int? {
        guard let dir = opendir("/proc/self/fd") else { return nil }
        defer { closedir(dir) }
        var n = 0
        while let entry = readdir(dir) {
            let isDot = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                raw.first == UInt8(ascii: ".")
            }
            if !isDot { n += 1 }
        }
        // The directory stream itself holds one descriptor while we count.
        return max(0, n - 1)
    }

    /// Reads a small /proc file whole; nil on any error.
    static func readFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var out: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = buf.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0 { return nil }
            if n == 0 { break }
            out.append(contentsOf: buf[0 ..< n])
            if out.count > 1 << 20 { break }
        }
        return String(decoding: out, as: UTF8.self)
    }
}

extension Substring {
    fileprivate func trimmingCharacters(in set: Character) -> Substring {
        var s = self
        while s.first == set { s = s.dropFirst() }
        while s.last == set { s = s.dropLast() }
        return s
    }
}
