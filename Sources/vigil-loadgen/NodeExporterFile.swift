import Glibc

/// Writes node_exporter-like series as an OpenMetrics file, for the storage benchmark
/// (`bench/tsdb.sh`): the same file is imported into Vigil and Prometheus, both compact it, and
/// the on-disk bytes per sample are compared.
///
/// Per node (107 series): CPU time counters (4 CPUs × 8 modes; idle, user and system always
/// move, the other modes one scrape in five, steal never), 14 memory gauges (page multiples,
/// the totals constant), disk counters for three devices (one busy, two mostly idle), network
/// counters for three interfaces (drops and errors constant), filesystem gauges for three mount
/// points, one request-duration histogram (12 buckets, sum, count), load averages, boot time
/// and `up`. Counters advance by irregular amounts (CPU seconds in 1/100 s ticks, bytes by
/// integers), gauges wander; nodes are scraped at different offsets within the interval and
/// every series of a node shares its scrape timestamps. Values come from a fixed seed.
///
/// The data covers `[end - hours, end)`; with `marker` two more samples (`vigil_bench_marker`)
/// a minute and two hours after `end` make two newer blocks, so that both compactors merge the
/// data's own blocks (each leaves the newest block alone, and Prometheus merges a range that
/// does not span its full width only when a newer block starts after it).
enum NodeExporterFile {
    enum Kind { case counter, gauge, constant, bucket(Double), histSum, histCount }

    struct Spec {
        /// `name{labels}` as written, labels in name order.
        let series: String
        let kind: Kind
        let scale: Double
        /// The chance that the series moves at a scrape.
        let activity: Double
        let node: Int
    }

    static let modes = ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"]

    static func specs(nodes: Int) -> [Spec] {
        var rng = SplitMix(seed: 1)
        var out: [Spec] = []
        for n in 0 ..< nodes {
            let base = [("instance", "node-\(n).example.net:9100"), ("job", "node")]
            func add(_ name: String, _ extra: [(String, String)], _ kind: Kind, _ scale: Double, activity: Double = 1) {
                let pairs = (base + extra).sorted { $0.0 < $1.0 }
                let text = name + "{" + pairs.map { "\($0.0)=\"\($0.1)\"" }.joined(separator: ",") + "}"
                out.append(Spec(series: text, kind: kind, scale: scale, activity: activity, node: n))
            }
            for cpu in 0 ..< 4 {
                for mode in modes {
                    let busy = mode == "idle" || mode == "user" || mode == "system"
                    add("node_cpu_seconds_total", [("cpu", "\(cpu)"), ("mode", mode)], mode == "steal" ? .constant : .counter,
                        mode == "idle" ? 14.7 : rng.double(in: 0.01, 2), activity: busy ? 1 : 0.2)
                }
            }
            for m in ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "Active", "Inactive", "Dirty",
                      "Slab", "SwapTotal", "SwapFree", "Committed_AS", "PageTables", "Shmem"] {
                add("node_memory_\(m)_bytes", [], m.hasSuffix("Total") ? .constant : .gauge, 8_000_000_000, activity: 0.8)
            }
            for dev in ["sda", "sdb", "nvme0n1"] {
                for m in ["reads_completed", "writes_completed", "read_bytes", "written_bytes", "io_time_seconds"] {
                    add("node_disk_\(m)_total", [("device", dev)], .counter, m.hasSuffix("bytes") ? 40_000 : 3,
                        activity: dev == "sda" ? 0.9 : 0.05)
                }
            }
            for dev in ["eth0", "lo", "docker0"] {
                for m in ["receive_bytes", "transmit_bytes", "receive_packets", "transmit_packets", "receive_drop", "transmit_errs"] {
                    add("node_network_\(m)_total", [("device", dev)], m.hasSuffix("drop") || m.hasSuffix("errs") ? .constant : .counter,
                        m.hasSuffix("bytes") ? 90_000 : 80, activity: dev == "eth0" ? 1 : 0.3)
                }
            }
            for fs in ["/", "/boot", "/var"] {
                for m in ["size", "free", "avail"] {
                    add("node_filesystem_\(m)_bytes", [("device", "/dev/sda1"), ("fstype", "ext4"), ("mountpoint", fs)],
                        m == "size" ? .constant : .gauge, 100_000_000_000, activity: fs == "/var" ? 0.5 : 0.02)
                }
            }
            for le in [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Double.infinity] {
                add("http_request_duration_seconds_bucket", [("handler", "/metrics"), ("le", le.isInfinite ? "+Inf" : "\(le)")], .bucket(le), 1)
            }
            add("http_request_duration_seconds_sum", [("handler", "/metrics")], .histSum, 1)
            add("http_request_duration_seconds_count", [("handler", "/metrics")], .histCount, 1)
            for m in ["load1", "load5", "load15"] { add("node_\(m)", [], .gauge, 2) }
            add("node_boot_time_seconds", [], .constant, 1.7e9)
            add("up", [], .constant, 1)
        }
        return out
    }

    /// Writes `nodes` nodes scraped every `stepSeconds` over `hours` ending at `end` (Unix
    /// seconds, exclusive). False when the file cannot be written.
    static func write(path: String, nodes: Int, hours: Int, stepSeconds: Int, end: Int, marker: Bool) -> Bool {
        guard let f = fopen(path, "w") else { return false }
        defer { fclose(f) }
        let specs = specs(nodes: nodes)
        let scrapes = hours * 3600 / stepSeconds
        let start = end - scrapes * stepSeconds
        // Values scrape by scrape (shared draws such as the histogram's requests need it),
        // then written series by series, grouped by metric name as OpenMetrics requires.
        var values = [Double](repeating: 0, count: specs.count * scrapes)
        var current = specs.map { s -> Double in
            switch s.kind {
            case .constant: return s.scale
            case .gauge: return s.scale * 0.5
            default: return (s.scale * 1000).rounded()
            }
        }
        var rng = SplitMix(seed: 100)
        var hist = 0.0
        for i in 0 ..< scrapes {
            let requests = Double(rng.int(in: 0, 3))
            hist += requests
            for (k, s) in specs.enumerated() {
                if s.activity >= 1 || rng.double(in: 0, 1) < s.activity {
                    switch s.kind {
                    case .constant: break
                    case .counter:
                        // CPU seconds move in 1/100 s ticks; byte and packet counters by integers.
                        let step = s.scale < 20 ? (rng.double(in: 0, s.scale) * 100).rounded() / 100 : Double(rng.int(in: 0, Int(s.scale)))
                        current[k] = ((current[k] + step) * 100).rounded() / 100
                    case .gauge:
                        if s.scale > 100 {
                            current[k] += Double(rng.int(in: -4096, 4096)) * 4096 // page-sized moves
                        } else {
                            current[k] = ((current[k] + Double(rng.int(in: -4096, 4096)) * 0.01) * 100).rounded() / 100
                        }
                    case let .bucket(le):
                        if le >= 0.05 { current[k] += requests } else if le >= 0.01 { current[k] += (requests / 2).rounded(.down) }
                    case .histSum: current[k] += requests * rng.double(in: 0.003, 0.04)
                    case .histCount: current[k] = hist
                    }
                }
                values[k * scrapes + i] = current[k]
            }
        }
        let order = specs.indices.sorted { specs[$0].series < specs[$1].series }
        var out = ""
        out.reserveCapacity(1 << 21)
        for k in order {
            let s = specs[k]
            // Nodes are scraped at whole-second offsets within the interval.
            let offset = s.node % stepSeconds
            for i in 0 ..< scrapes {
                out += s.series
                out += " "
                out += format(values[k * scrapes + i])
                out += " "
                out += String(start + i * stepSeconds + offset)
                out += "\n"
            }
            if out.utf8.count > 1 << 20 {
                fputs(out, f)
                out.removeAll(keepingCapacity: true)
            }
        }
        if marker { out += "vigil_bench_marker 1 \(end + 60)\nvigil_bench_marker 1 \(end + 7260)\n" }
        out += "# EOF\n"
        fputs(out, f)
        return ferror(f) == 0
    }

    /// A float as OpenMetrics text (shortest round-trip digits; integers without a fraction).
    static func format(_ v: Double) -> String {
        if v == v.rounded(), abs(v) < 1e15 { return String(Int64(v)) }
        return v.description
    }
}

/// SplitMix64: a small deterministic generator.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in `[lo, hi)`.
    mutating func double(in lo: Double, _ hi: Double) -> Double {
        lo + (hi - lo) * Double(next() >> 11) / Double(1 << 53)
    }

    /// Uniform in `lo ... hi`.
    mutating func int(in lo: Int, _ hi: Int) -> Int {
        lo + Int(next() % UInt64(hi - lo + 1))
    }
}
