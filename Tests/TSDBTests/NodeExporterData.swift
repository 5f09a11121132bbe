import Model

/// Generates node_exporter-like series for storage tests and measurements: per node, CPU time
/// counters (cpu × mode), memory and filesystem gauges, disk and network counters, and one
/// request-duration histogram (buckets, sum, count), scraped every 15 s with a few ms of jitter,
/// values moving the way real ones do (counters by irregular float amounts, gauges drifting,
/// some series constant). Deterministic for a seed.
struct NodeExporterData {
    struct SeriesSpec {
        let labels: Labels
        let kind: Kind
        let scale: Double
        /// The chance a counter or gauge moves at a scrape (idle devices, rare CPU modes).
        var activity: Double = 1
        /// The target (node) the series belongs to: its series share scrape timestamps.
        var node: Int = 0
    }

    enum Kind { case counter, gauge, constant, bucket(Double), histSum, histCount }

    let series: [SeriesSpec]
    let intervalMs: Int64 = 15_000
    let seed: UInt64
    let nodes: Int
    /// Scrape timestamps wander by up to this many ms (0: aligned, as Prometheus' 2 ms
    /// timestamp tolerance makes most of them).
    let jitterMs: Int64

    init(nodes: Int, seed: UInt64 = 1, jitterMs: Int64 = 0) {
        self.seed = seed
        self.nodes = nodes
        self.jitterMs = jitterMs
        var out: [SeriesSpec] = []
        var rng = SplitMix64(seed: seed)
        for n in 0 ..< nodes {
            let base: [String: String] = ["instance": "node-\(n).example.net:9100", "job": "node"]
            func add(_ name: String, _ extra: [String: String], _ kind: Kind, _ scale: Double, activity: Double = 1) {
                var d = base
                d.merge(extra) { $1 }
                d["__name__"] = name
                out.append(SeriesSpec(labels: Labels(d), kind: kind, scale: scale, activity: activity, node: n))
            }
            for cpu in 0 ..< 4 {
                for mode in ["idle", "iowait", "irq", "nice", "softirq", "steal", "system", "user"] {
                    let busy = mode == "idle" || mode == "user" || mode == "system"
                    add("node_cpu_seconds_total", ["cpu": "\(cpu)", "mode": mode], mode == "steal" ? .constant : .counter,
                        mode == "idle" ? 14.7 : Double.random(in: 0.01 ... 2, using: &rng), activity: busy ? 1 : 0.2)
                }
            }
            for m in ["MemTotal", "MemFree", "MemAvailable", "Buffers", "Cached", "Active", "Inactive", "Dirty",
                      "Slab", "SwapTotal", "SwapFree", "Committed_AS", "PageTables", "Shmem"] {
                add("node_memory_\(m)_bytes", [:], m.hasSuffix("Total") ? .constant : .gauge, 8_000_000_000, activity: 0.8)
            }
            for dev in ["sda", "sdb", "nvme0n1"] {
                for m in ["reads_completed", "writes_completed", "read_bytes", "written_bytes", "io_time_seconds"] {
                    add("node_disk_\(m)_total", ["device": dev], .counter, m.hasSuffix("bytes") ? 40_000 : 3,
                        activity: dev == "sda" ? 0.9 : 0.05)
                }
            }
            for dev in ["eth0", "lo", "docker0"] {
                for m in ["receive_bytes", "transmit_bytes", "receive_packets", "transmit_packets", "receive_drop", "transmit_errs"] {
                    add("node_network_\(m)_total", ["device": dev], m.hasSuffix("drop") || m.hasSuffix("errs") ? .constant : .counter,
                        m.hasSuffix("bytes") ? 90_000 : 80, activity: dev == "eth0" ? 1 : 0.3)
                }
            }
            for fs in ["/", "/boot", "/var"] {
                for m in ["size", "free", "avail"] {
                    add("node_filesystem_\(m)_bytes", ["mountpoint": fs, "fstype": "ext4", "device": "/dev/sda1"],
                        m == "size" ? .constant : .gauge, 100_000_000_000, activity: fs == "/var" ? 0.5 : 0.02)
                }
            }
            for le in [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, Double.infinity] {
                add("http_request_duration_seconds_bucket", ["handler": "/metrics", "le": le.isInfinite ? "+Inf" : "\(le)"], .bucket(le), 1)
            }
            add("http_request_duration_seconds_sum", ["handler": "/metrics"], .histSum, 1)
            add("http_request_duration_seconds_count", ["handler": "/metrics"], .histCount, 1)
            for m in ["load1", "load5", "load15"] { add("node_\(m)", [:], .gauge, 2) }
            add("node_boot_time_seconds", [:], .constant, 1.7e9)
            add("up", [:], .constant, 1)
        }
        series = out.sorted { $0.labels < $1.labels }
    }

    /// Samples of every series for scrapes `0 ..< scrapes` starting at `t0`: `body(seriesIndex,
    /// t, v)` in time order per series (scrape by scrape).
    func generate(from t0: Int64, scrapes: Int, _ body: (Int, Int64, Double) throws -> Void) rethrows {
        var rng = SplitMix64(seed: seed &+ 99)
        var values = series.map { s -> Double in
            switch s.kind {
            case .constant: return s.scale
            case .gauge: return s.scale * 0.5
            default: return (s.scale * 1000).rounded()
            }
        }
        var hist = 0.0
        for i in 0 ..< scrapes {
            // One jitter per scrape of a node: every series of a target shares the timestamp;
            // targets are scraped at different offsets within the interval.
            let jitters = (0 ..< nodes).map { _ in Int64.random(in: -jitterMs ... jitterMs, using: &rng) }
            let requests = Double(Int.random(in: 0 ... 3, using: &rng))
            hist += requests
            for (k, s) in series.enumerated() {
                let t = t0 + Int64(s.node) * 397 + Int64(i) * intervalMs + (i == 0 ? 0 : jitters[s.node])
                if s.activity < 1 && Double.random(in: 0 ..< 1, using: &rng) >= s.activity {
                    try body(k, t, values[k])
                    continue
                }
                switch s.kind {
                case .constant: break
                case .counter:
                    // CPU seconds move in 1/100 s ticks; byte counters by integers.
                    let step = s.scale < 20 ? (Double.random(in: 0 ... s.scale, using: &rng) * 100).rounded() / 100
                        : Double(Int.random(in: 0 ... Int(s.scale), using: &rng))
                    values[k] = ((values[k] + step) * 100).rounded() / 100
                case .gauge:
                    values[k] = (values[k] + Double(Int.random(in: -4096 ... 4096, using: &rng)) * (s.scale > 100 ? 4096 : 0.01)).rounded(.toNearestOrEven)
                    if s.scale <= 100 { values[k] = (values[k] * 100).rounded() / 100 }
                case let .bucket(le):
                    if le >= 0.05 { values[k] += requests } else if le >= 0.01 { values[k] += (requests / 2).rounded(.down) }
                case .histSum: values[k] += requests * Double.random(in: 0.003 ... 0.04, using: &rng)
                case .histCount: values[k] = hist
                }
                try body(k, t, values[k])
            }
        }
    }
}
