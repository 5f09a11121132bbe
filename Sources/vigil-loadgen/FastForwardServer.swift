import Glibc
import Synchronization

/// `vigil-loadgen fastforward`: scrape targets whose samples carry explicit timestamps that
/// advance one step per scrape, so a scraper with `honor_timestamps: true` fills hours of head
/// data in minutes (the storage benchmark's 1M series × 2 h head).
///
/// Target `i` is served at `/ff/<scraper>/<i>/metrics`; `<scraper>` is any token naming the
/// scraping server. Each (scraper, target) pair has its own step counter: its k-th scrape is
/// answered with the samples of step k at `start + k × step`, until `steps` steps were served;
/// later scrapes repeat the last step (duplicates, which storage ignores). Values are a function
/// of (target, series, step) only, so every scraper stores the same data however its scrapes
/// interleave. `GET /status` answers one line per scraper with the fewest and most steps served
/// to any target, for a benchmark to wait on.
///
/// Each target exposes S series: `ff_requests_total` counters, `ff_queue_depth` gauges and an
/// `ff_request_duration_seconds` histogram family (11 buckets, sum, count) for about a fifth.
/// One thread per connection (a scraper keeps one keep-alive connection per target).
final class FastForwardServer: Sendable {
    let targets: Int
    let seriesPerTarget: Int
    let startMs: Int64
    let stepMs: Int64
    let steps: Int
    private let counters: Int
    private let gauges: Int
    private let histograms: Int
    /// Static series text (`name{labels} `) per target-independent series index.
    private let counterPrefixes: [[UInt8]]
    private let gaugePrefixes: [[UInt8]]
    private let bucketPrefixes: [[[UInt8]]]
    private let sumPrefixes: [[UInt8]]
    private let countPrefixes: [[UInt8]]
    /// Steps served per scraper, per target.
    private let served = Mutex<[String: [Int]]>([:])
    let requests = Atomic<Int>(0)
    let bytesServed = Atomic<Int>(0)

    static let boundText = ["0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1", "2.5", "5", "+Inf"]
    /// Cumulative share of observations at or below each bound.
    static let cumulative: [Double] = [0.05, 0.15, 0.35, 0.55, 0.75, 0.87, 0.94, 0.97, 0.99, 0.995, 1]

    init(targets: Int, series: Int, startMs: Int64, stepMs: Int64, steps: Int) {
        self.targets = targets
        seriesPerTarget = series
        self.startMs = startMs
        self.stepMs = stepMs
        self.steps = steps
        histograms = series >= 65 ? series / 5 / 13 : 0
        let rest = series - histograms * 13
        counters = rest / 2
        gauges = rest - counters
        let codes = ["200", "404", "500", "503"]
        let methods = ["GET", "POST"]
        counterPrefixes = (0 ..< counters).map {
            Array("ff_requests_total{handler=\"/api/v1/h\($0 / 8)\",method=\"\(methods[$0 / 4 % 2])\",code=\"\(codes[$0 % 4])\"} ".utf8)
        }
        gaugePrefixes = (0 ..< gauges).map { Array("ff_queue_depth{queue=\"q\($0)\",shard=\"\($0 % 16)\"} ".utf8) }
        bucketPrefixes = (0 ..< histograms).map { h in
            Self.boundText.map { Array("ff_request_duration_seconds_bucket{handler=\"/api/v1/h\(h)\",le=\"\($0)\"} ".utf8) }
        }
        sumPrefixes = (0 ..< histograms).map { Array("ff_request_duration_seconds_sum{handler=\"/api/v1/h\($0)\"} ".utf8) }
        countPrefixes = (0 ..< histograms).map { Array("ff_request_duration_seconds_count{handler=\"/api/v1/h\($0)\"} ".utf8) }
    }

    /// The step to serve to `scraper` for `target`, counting it as served.
    func takeStep(scraper: String, target: Int) -> Int {
        served.withLock { s in
            let fresh = [Int](repeating: 0, count: targets)
            let done = s[scraper, default: fresh][target]
            s[scraper, default: fresh][target] = min(done + 1, steps)
            return min(done, steps - 1)
        }
    }

    /// One line per scraper: `<scraper> min=<steps> max=<steps>` over its targets.
    func status() -> String {
        served.withLock { s in
            s.keys.sorted().map { k in
                let v = s[k] ?? []
                return "\(k) min=\(v.min() ?? 0) max=\(v.max() ?? 0) steps=\(steps)\n"
            }.joined()
        }
    }

    /// A deterministic 64-bit mix of the inputs.
    @inline(__always)
    static func mix(_ a: Int, _ b: Int, _ c: Int) -> UInt64 {
        var z = UInt64(truncatingIfNeeded: a) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(truncatingIfNeeded: b) &* 0xBF58_476D_1CE4_E5B9
            ^ UInt64(truncatingIfNeeded: c) &* 0x94D0_49BB_1331_11EB
        z = (z ^ (z >> 31)) &* 0xBF58_476D_1CE4_E5B9
        return z ^ (z >> 29)
    }

    /// Renders step `k` of target `t` into `body`.
    func render(target t: Int, step k: Int, into body: inout [UInt8]) {
        body.removeAll(keepingCapacity: true)
        var ts: [UInt8] = [UInt8(ascii: " ")]
        appendInt(startMs + Int64(k) * stepMs, to: &ts)
        ts.append(UInt8(ascii: "\n"))
        body.append(contentsOf: "# HELP ff_requests_total Requests handled.\n# TYPE ff_requests_total counter\n".utf8)
        for i in 0 ..< counters {
            // Rate per step, then a noise below one step's worth: increasing in k.
            let rate = 1 + Int(Self.mix(t, i, -1) % 200)
            let v = Int(Self.mix(t, i, -2) % 100_000) + k * rate + Int(Self.mix(t, i, k) % UInt64(rate))
            body.append(contentsOf: counterPrefixes[i])
            appendInt(Int64(v), to: &body)
            body.append(contentsOf: ts)
        }
        body.append(contentsOf: "# HELP ff_queue_depth Items queued.\n# TYPE ff_queue_depth gauge\n".utf8)
        for i in 0 ..< gauges {
            let phase = Double(Self.mix(t, i, -3) % 1000) / 100
            let noise = Double(Self.mix(t, i, k) % 200) / 100
            let v = ((40 + 30 * sin(Double(k) / 9 + phase) + noise) * 100).rounded()
            body.append(contentsOf: gaugePrefixes[i])
            appendFixed(Int64(v), decimals: 2, to: &body)
            body.append(contentsOf: ts)
        }
        if histograms > 0 {
            body.append(contentsOf: "# HELP ff_request_duration_seconds Request latency.\n# TYPE ff_request_duration_seconds histogram\n".utf8)
        }
        for h in 0 ..< histograms {
            let perStep = Double(5 + Self.mix(t, h, -4) % 50)
            let total = Double(k) * perStep
            for b in 0 ..< 11 {
                body.append(contentsOf: bucketPrefixes[h][b])
                appendInt(Int64((total * Self.cumulative[b]).rounded(.down)), to: &body)
                body.append(contentsOf: ts)
            }
            body.append(contentsOf: sumPrefixes[h])
            appendFixed(Int64((total * 0.12 * 1000).rounded()), decimals: 3, to: &body)
            body.append(contentsOf: ts)
            body.append(contentsOf: countPrefixes[h])
            appendInt(Int64(total), to: &body)
            body.append(contentsOf: ts)
        }
    }

    private func appendInt(_ n: Int64, to out: inout [UInt8]) {
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var x = n.magnitude
        if n < 0 { out.append(UInt8(ascii: "-")) }
        withUnsafeMutableBytes(of: &digits) { buf in
            var i = buf.count
            repeat {
                i -= 1
                buf[i] = UInt8(ascii: "0") + UInt8(x % 10)
                x /= 10
            } while x > 0
            out.append(contentsOf: buf[i...])
        }
    }

    /// `scaled / 10^decimals` with exactly `decimals` fraction digits.
    private func appendFixed(_ scaled: Int64, decimals: Int, to out: inout [UInt8]) {
        var p: Int64 = 1
        for _ in 0 ..< decimals { p *= 10 }
        if scaled < 0 { out.append(UInt8(ascii: "-")) }
        let m = scaled.magnitude
        appendInt(Int64(m / UInt64(p)), to: &out)
        out.append(UInt8(ascii: "."))
        var frac = m % UInt64(p)
        var d = [UInt8](repeating: UInt8(ascii: "0"), count: decimals)
        for i in stride(from: decimals - 1, through: 0, by: -1) {
            d[i] = UInt8(ascii: "0") + UInt8(frac % 10)
            frac /= 10
        }
        out.append(contentsOf: d)
    }

    // MARK: Serving

    /// Accepts connections until `seconds` have passed; each gets a thread of its own.
    func serve(listenFD: Int32, seconds: Double) {
        let end = monotonic() + seconds
        _ = fcntl(listenFD, F_SETFL, fcntl(listenFD, F_GETFL) & ~O_NONBLOCK)
        var tv = timeval(tv_sec: 0, tv_usec: 200_000)
        setsockopt(listenFD, SOL_SOCKET, SO_RCVTIMEO, &tv, socklen_t(MemoryLayout<timeval>.size))
        while monotonic() < end {
            let c = accept(listenFD, nil, nil)
            if c < 0 { continue }
            var one: Int32 = 1
            setsockopt(c, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            spawnThread { [self] in handle(c) }
        }
    }

    /// Answers requests on one connection until the peer closes it.
    private func handle(_ fd: Int32) {
        defer { close(fd) }
        var input: [UInt8] = []
        var buf = [UInt8](repeating: 0, count: 16384)
        var body: [UInt8] = []
        body.reserveCapacity(seriesPerTarget * 90 + 4096)
        while true {
            guard let end = TargetsServer.headerEnd(input) else {
                let n = buf.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
                if n <= 0 { return }
                input.append(contentsOf: buf[0 ..< n])
                continue
            }
            let head = String(decoding: input[0 ..< end], as: UTF8.self)
            input.removeFirst(end + 4)
            let closeAfter = head.lowercased().contains("connection: close")
            let parts = head.split(separator: "\r\n").first?.split(separator: " ") ?? []
            let path = parts.count >= 2 ? String(parts[1].split(separator: "?").first ?? "") : ""
            requests.add(1, ordering: .relaxed)
            let comps = path.split(separator: "/")
            var header: String
            if comps.count == 4, comps[0] == "ff", comps[3] == "metrics", let i = Int(comps[2]), i >= 0, i < targets {
                let k = takeStep(scraper: String(comps[1]), target: i)
                render(target: i, step: k, into: &body)
                header = "HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: \(body.count)\r\n\r\n"
                bytesServed.add(body.count, ordering: .relaxed)
            } else if path == "/status" {
                body = Array(status().utf8)
                header = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: \(body.count)\r\n\r\n"
            } else {
                body = Array("not found\n".utf8)
                header = "HTTP/1.1 404 Not Found\r\nContent-Length: \(body.count)\r\n\r\n"
            }
            guard sendAll(fd, Array(header.utf8)), sendAll(fd, body) else { return }
            if closeAfter { return }
        }
    }

    private func sendAll(_ fd: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes.withUnsafeBytes { send(fd, $0.baseAddress! + sent, $0.count - sent, Int32(MSG_NOSIGNAL)) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }
}

/// Starts a detached thread running `body` (Foundation's Thread is not imported here: it
/// clashes with names the socket helpers use).
func spawnThread(_ body: @escaping @Sendable () -> Void) {
    final class Box: Sendable {
        let body: @Sendable () -> Void
        init(_ body: @escaping @Sendable () -> Void) { self.body = body }
    }
    let context = Unmanaged.passRetained(Box(body)).toOpaque()
    var thread = pthread_t()
    let rc = pthread_create(&thread, nil, { raw in
        guard let raw else { return nil }
        let box = Unmanaged<Box>.fromOpaque(raw).takeRetainedValue()
        box.body()
        return nil
    }, context)
    if rc == 0 {
        pthread_detach(thread)
    } else {
        Unmanaged<Box>.fromOpaque(context).release()
    }
}
