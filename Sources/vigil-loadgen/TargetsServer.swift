import Glibc

/// `vigil-loadgen targets`: T scrape targets of S series each on one loopback port, at
/// `/target/<i>/metrics`, for side-by-side scrape benchmarks against Prometheus.
///
/// Each target exposes three families in the text format 0.0.4, sized to S series in total:
/// - `loadgen_requests_total{handler,code}` counters that grow at a per-series rate,
/// - `loadgen_temperature_celsius{sensor}` gauges doing a bounded random walk,
/// - `loadgen_request_duration_seconds` histograms (11 buckets, `_sum`, `_count`) about a fifth
///   of the series, whose observations accumulate over time.
/// Values advance with wall time when a target is scraped, so two scrapers see the same
/// evolution. One thread serves every connection with keep-alive; bodies are rendered
/// into a reused buffer without Strings.
final class TargetsServer {
    struct Target {
        var counters: [Double]
        var gauges: [Double]
        /// Per histogram: cumulative bucket counts (11), sum.
        var buckets: [[Double]]
        var sums: [Double]
        var lastUpdate: Double
        var rng: UInt64
        /// The static series prefixes (`name{labels} `) in exposition order.
        var counterPrefixes: [[UInt8]]
        var gaugePrefixes: [[UInt8]]
        var bucketPrefixes: [[[UInt8]]]
        var sumPrefixes: [[UInt8]]
        var countPrefixes: [[UInt8]]
    }

    static let bounds: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]
    static let boundText = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"]

    var targets: [Target] = []
    let seriesPerTarget: Int
    var body: [UInt8] = []
    var requests = 0
    var bytesServed = 0

    init(targets count: Int, series: Int, now: Double) {
        seriesPerTarget = series
        let histograms = series >= 65 ? series / 5 / 13 : (series >= 13 ? 1 : 0)
        let rest = series - histograms * 13
        let counters = rest / 2
        let gauges = rest - counters
        for t in 0 ..< count {
            var target = Target(counters: [], gauges: [], buckets: [], sums: [], lastUpdate: now,
                                rng: 0x9E37_79B9_7F4A_7C15 &* UInt64(t + 1),
                                counterPrefixes: [], gaugePrefixes: [], bucketPrefixes: [], sumPrefixes: [], countPrefixes: [])
            let codes = ["200", "404", "500", "503"]
            for i in 0 ..< counters {
                target.counters.append(Double(i * 17 % 1000))
                target.counterPrefixes.append(Array("loadgen_requests_total{handler=\"/api/h\(i / 4)\",code=\"\(codes[i % 4])\"} ".utf8))
            }
            for i in 0 ..< gauges {
                target.gauges.append(20 + Double(i % 15))
                target.gaugePrefixes.append(Array("loadgen_temperature_celsius{sensor=\"s\(i)\",zone=\"z\(i % 8)\"} ".utf8))
            }
            for h in 0 ..< histograms {
                target.buckets.append([Double](repeating: 0, count: 11))
                target.sums.append(0)
                target.bucketPrefixes.append(Self.boundText.map {
                    Array("loadgen_request_duration_seconds_bucket{handler=\"/api/h\(h)\",le=\"\($0)\"} ".utf8)
                })
                target.sumPrefixes.append(Array("loadgen_request_duration_seconds_sum{handler=\"/api/h\(h)\"} ".utf8))
                target.countPrefixes.append(Array("loadgen_request_duration_seconds_count{handler=\"/api/h\(h)\"} ".utf8))
            }
            targets.append(target)
        }
        body.reserveCapacity(series * 80 + 1024)
    }

    /// Advances target `i` to `now` and renders its body into `body`.
    func render(_ i: Int, now: Double) {
        var t = targets[i]
        let dt = max(0, now - t.lastUpdate)
        t.lastUpdate = now
        for k in t.counters.indices { t.counters[k] += (Double(k % 7) + 0.5) * dt * 3 }
        for k in t.gauges.indices {
            t.rng = t.rng &* 6364136223846793005 &+ 1442695040888963407
            let step = (Double(t.rng >> 40) / Double(1 << 24) - 0.5) * min(dt, 10)
            t.gauges[k] = min(90, max(-10, t.gauges[k] + step))
        }
        for h in t.buckets.indices {
            let observations = (Double(h % 5) + 1) * dt * 10
            // Roughly log-normal latencies: most below 100 ms, a tail up to seconds.
            let shares: [Double] = [0.05, 0.1, 0.2, 0.2, 0.2, 0.12, 0.07, 0.03, 0.02, 0.005, 0.005]
            var cumulative = 0.0
            for b in 0 ..< 11 {
                cumulative += shares[b]
                t.buckets[h][b] += (observations * cumulative).rounded(.down)
            }
            t.sums[h] += observations * 0.12
        }

        body.removeAll(keepingCapacity: true)
        append("# HELP loadgen_requests_total Requests handled.\n# TYPE loadgen_requests_total counter\n")
        for k in t.counters.indices { line(t.counterPrefixes[k], t.counters[k], decimals: 0) }
        append("# HELP loadgen_temperature_celsius Sensor temperature.\n# TYPE loadgen_temperature_celsius gauge\n")
        for k in t.gauges.indices { line(t.gaugePrefixes[k], t.gauges[k], decimals: 2) }
        if !t.buckets.isEmpty {
            append("# HELP loadgen_request_duration_seconds Request latency.\n# TYPE loadgen_request_duration_seconds histogram\n")
            for h in t.buckets.indices {
                for b in 0 ..< 11 { line(t.bucketPrefixes[h][b], t.buckets[h][b], decimals: 0) }
                line(t.sumPrefixes[h], t.sums[h], decimals: 3)
                line(t.countPrefixes[h], t.buckets[h][10], decimals: 0)
            }
        }
        targets[i] = t
    }

    private func append(_ s: StaticString) {
        s.withUTF8Buffer { body.append(contentsOf: $0) }
    }

    /// `prefix` then `v` with `decimals` fraction digits, then a newline; no Strings.
    private func line(_ prefix: [UInt8], _ v: Double, decimals: Int) {
        body.append(contentsOf: prefix)
        var x = v
        if x < 0 { body.append(UInt8(ascii: "-")); x = -x }
        var scale: UInt64 = 1
        for _ in 0 ..< decimals { scale *= 10 }
        let scaled = UInt64((x * Double(scale)).rounded())
        appendInt(scaled / scale)
        if decimals > 0 {
            body.append(UInt8(ascii: "."))
            var frac = scaled % scale
            var digits = [UInt8](repeating: UInt8(ascii: "0"), count: decimals)
            for d in stride(from: decimals - 1, through: 0, by: -1) {
                digits[d] = UInt8(ascii: "0") + UInt8(frac % 10)
                frac /= 10
            }
            body.append(contentsOf: digits)
        }
        body.append(UInt8(ascii: "\n"))
    }

    private func appendInt(_ n: UInt64) {
        if n < 10 { body.append(UInt8(ascii: "0") + UInt8(n)); return }
        appendInt(n / 10)
        body.append(UInt8(ascii: "0") + UInt8(n % 10))
    }

    // MARK: Serving

    struct Connection {
        var input: [UInt8] = []
        var output: [UInt8] = []
        var sent = 0
        var close = false
    }

    /// Serves until `seconds` have passed. Uses `poll(2)` (Glibc does not import epoll), which
    /// is fine for the few thousand keep-alive connections a benchmark opens.
    func serve(listenFD: Int32, seconds: Double) {
        var conns: [Int32: Connection] = [:]
        let end = monotonic() + seconds
        var readBuf = [UInt8](repeating: 0, count: 16384)
        var fds: [pollfd] = []
        while monotonic() < end {
            fds.removeAll(keepingCapacity: true)
            fds.append(pollfd(fd: listenFD, events: Int16(POLLIN), revents: 0))
            for (fd, c) in conns {
                fds.append(pollfd(fd: fd, events: Int16(POLLIN) | (c.output.isEmpty ? 0 : Int16(POLLOUT)), revents: 0))
            }
            let n = poll(&fds, nfds_t(fds.count), 100)
            if n <= 0 { continue }
            for p in fds where p.revents != 0 {
                let fd = p.fd
                if fd == listenFD {
                    while true {
                        let c = accept(listenFD, nil, nil)
                        if c < 0 { break }
                        _ = fcntl(c, F_SETFL, fcntl(c, F_GETFL) | O_NONBLOCK)
                        var one: Int32 = 1
                        setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
                        conns[c] = Connection()
                    }
                    continue
                }
                guard var conn = conns[fd] else { continue }
                var dead = false
                if p.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 {
                    while true {
                        let r = readBuf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                        if r > 0 { conn.input.append(contentsOf: readBuf[0 ..< r]); continue }
                        if r == 0 || (errno != EAGAIN && errno != EWOULDBLOCK) { dead = true }
                        break
                    }
                    handleRequests(&conn)
                }
                if !dead { dead = !flush(fd, &conn) }
                if dead || (conn.close && conn.output.isEmpty) {
                    close(fd)
                    conns.removeValue(forKey: fd)
                    continue
                }
                conns[fd] = conn
            }
        }
        for fd in conns.keys { close(fd) }
    }

    /// Answers every complete request in `conn.input`.
    private func handleRequests(_ conn: inout Connection) {
        while let end = Self.headerEnd(conn.input) {
            let head = String(decoding: conn.input[0 ..< end], as: UTF8.self)
            conn.input.removeFirst(end + 4)
            let lines = head.split(separator: "\r\n", omittingEmptySubsequences: false)
            let parts = lines.first?.split(separator: " ") ?? []
            let path = parts.count >= 2 ? String(parts[1].split(separator: "?").first ?? "") : ""
            if lines.dropFirst().contains(where: { $0.lowercased().hasPrefix("connection:") && $0.lowercased().contains("close") }) {
                conn.close = true
            }
            requests += 1
            let comps = path.split(separator: "/")
            if comps.count == 3, comps[0] == "target", comps[2] == "metrics", let i = Int(comps[1]), i >= 0, i < targets.count {
                render(i, now: wallSeconds())
                conn.output.append(contentsOf: Array("HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: \(body.count)\r\n\r\n".utf8))
                conn.output.append(contentsOf: body)
                bytesServed += body.count
            } else {
                conn.output.append(contentsOf: Array("HTTP/1.1 404 Not Found\r\nContent-Length: 10\r\n\r\nnot found\n".utf8))
            }
        }
    }

    /// Sends what it can; false when the connection broke.
    private func flush(_ fd: Int32, _ conn: inout Connection) -> Bool {
        while conn.sent < conn.output.count {
            let n = conn.output.withUnsafeBytes { buf in
                send(fd, buf.baseAddress! + conn.sent, buf.count - conn.sent, Int32(MSG_NOSIGNAL))
            }
            if n > 0 { conn.sent += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return true }
            return false
        }
        conn.output.removeAll(keepingCapacity: true)
        conn.sent = 0
        return true
    }

    static func headerEnd(_ b: [UInt8]) -> Int? {
        guard b.count >= 4 else { return nil }
        for i in 0 ... (b.count - 4) where b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { return i }
        return nil
    }

    /// Binds a non-blocking listener on a loopback address (port 0 picks one); -1 on failure.
    static func listen(on addr: sockaddr_in) -> Int32 {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return -1 }
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, socklen_t(MemoryLayout<Int32>.size))
        var a = addr
        let rc = withUnsafePointer(to: &a) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard rc == 0, Glibc.listen(fd, 1024) == 0 else { close(fd); return -1 }
        return fd
    }

    /// The port a listener is bound to.
    static func boundPort(_ fd: Int32) -> Int {
        var a = sockaddr_in()
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &a) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &len) } }
        return Int(UInt16(bigEndian: a.sin_port))
    }
}

func monotonic() -> Double { now() }

func wallSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_REALTIME, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}
