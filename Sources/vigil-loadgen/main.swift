import Glibc
import Dispatch

// vigil-loadgen: connection-level load for benchmarks (never points anywhere but loopback).
//   vigil-loadgen idle-conns HOST:PORT COUNT HOLD_SECONDS
//     Opens COUNT keep-alive connections, sends GET /-/healthy on each, keeps them open and idle
//     for HOLD_SECONDS, then prints how many were opened and answered.
//   vigil-loadgen slowloris HOST:PORT COUNT SECONDS
//     Opens COUNT connections that send request headers one byte per second, while a probe
//     requests /-/healthy on a fresh connection every 100 ms; prints probe latency figures.
//   vigil-loadgen openmetrics FILE SERIES HOURS STEP_SECONDS
//     Writes SERIES series over HOURS at STEP_SECONDS, ending now, as an OpenMetrics file for
//     `vigil tsdb import openmetrics` and `promtool tsdb create-blocks-from openmetrics`.
//   vigil-loadgen parse FILE SECONDS
//     Parses one exposition body in a loop on one thread with Vigil's parser and prints
//     MB/s and samples/s per CPU second.
//   vigil-loadgen targets HOST:PORT TARGETS SERIES SECONDS
//     Serves TARGETS scrape targets of SERIES series each at /target/<i>/metrics on one
//     loopback port (0 picks one) for SECONDS, with counters rising, gauges wandering and a
//     histogram family; prints the port when ready and request totals at the end.

func usage() -> Never {
    print("usage: vigil-loadgen idle-conns|slowloris HOST:PORT COUNT SECONDS")
    print("       vigil-loadgen targets HOST:PORT TARGETS SERIES SECONDS")
    print("       vigil-loadgen openmetrics FILE SERIES HOURS STEP_SECONDS")
    print("       vigil-loadgen parse FILE SECONDS")
    exit(2)
}

func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
}

func raiseFDLimit() {
    var lim = rlimit()
    if getrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim) == 0 {
        lim.rlim_cur = lim.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &lim)
    }
}

let args = Array(CommandLine.arguments.dropFirst())
if let code = storageCommand(args) { exit(code) } // StorageCommands.swift
if args.first == "openmetrics" {
    guard args.count == 5, let series = Int(args[2]), let hours = Int(args[3]), let step = Int(args[4]),
          series > 0, series <= 10_000_000, hours > 0, hours <= 24 * 31, step > 0, step <= 3600 else { usage() }
    guard OpenMetricsFile.write(path: args[1], series: series, hours: hours, stepSeconds: step) else {
        print("openmetrics: cannot write \(args[1])")
        exit(1)
    }
    exit(0)
}
if args.first == "parse" {
    guard args.count == 3, let seconds = Double(args[2]), seconds > 0, seconds <= 600 else { usage() }
    exit(ParseBench.run(path: args[1], seconds: seconds))
}
if args.first == "targets" {
    // Loopback only: the address must be 127.0.0.0/8 (or localhost).
    guard args.count == 5, let addr = TCP.address(args[1]), UInt32(bigEndian: addr.sin_addr.s_addr) >> 24 == 127,
          let targets = Int(args[2]), let series = Int(args[3]), let seconds = Double(args[4]),
          targets > 0, targets <= 100_000, series > 0, series <= 1_000_000, targets * series <= 20_000_000,
          seconds > 0, seconds <= 86_400 else { usage() }
    raiseFDLimit()
    signal(SIGPIPE, SIG_IGN)
    let fd = TargetsServer.listen(on: addr)
    guard fd >= 0 else {
        print("targets: cannot listen on \(args[1]): \(String(cString: strerror(errno)))")
        exit(1)
    }
    let server = TargetsServer(targets: targets, series: series, now: wallSeconds())
    print("targets: listening on 127.0.0.1:\(TargetsServer.boundPort(fd)) targets=\(targets) series_per_target=\(series) seconds=\(seconds)")
    fflush(nil)
    server.serve(listenFD: fd, seconds: seconds)
    close(fd)
    print("targets: requests=\(server.requests) bytes=\(server.bytesServed)")
    exit(0)
}
guard args.count == 4, let addr = TCP.address(args[1]), let count = Int(args[2]), let seconds = Double(args[3]),
      count > 0, count <= 100_000, seconds > 0, seconds <= 600 else { usage() }
let host = args[1]
raiseFDLimit()
signal(SIGPIPE, SIG_IGN)

let request = Array("GET /-/healthy HTTP/1.1\r\nHost: \(host)\r\n\r\n".utf8)

switch args[0] {
case "idle-conns":
    var fds: [Int32] = []
    var answered = 0
    for _ in 0 ..< count {
        let fd = TCP.connect(addr)
        guard fd >= 0 else { continue }
        fds.append(fd)
        if TCP.send(fd, request), TCP.readResponse(fd) == 200 { answered += 1 }
    }
    print("idle-conns: opened=\(fds.count) answered=\(answered) holding=\(seconds)s")
    fflush(nil)
    let end = now() + seconds
    while now() < end { usleep(100_000) }
    for fd in fds { close(fd) }

case "slowloris":
    var fds: [Int32] = []
    for _ in 0 ..< count {
        let fd = TCP.connect(addr)
        if fd >= 0 { fds.append(fd) }
    }
    let trickle = Array("GET /-/healthy HTTP/1.1\r\nHost: \(host)\r\nX-Slow: ".utf8) + Array(repeating: UInt8(ascii: "a"), count: 4096)
    let start = now()
    var latencies: [Double] = []
    var failures = 0
    var position = 0
    var nextTrickle = start
    while now() - start < seconds {
        if now() >= nextTrickle, position < trickle.count {
            for fd in fds { _ = send(fd, [trickle[position]], 1, Int32(MSG_NOSIGNAL | MSG_DONTWAIT)) }
            position += 1
            nextTrickle += 1
        }
        let t0 = now()
        let fd = TCP.connect(addr)
        if fd >= 0, TCP.send(fd, request), TCP.readResponse(fd) == 200 {
            latencies.append(now() - t0)
        } else {
            failures += 1
        }
        if fd >= 0 { close(fd) }
        usleep(100_000)
    }
    // A connection the server cut off has data (its 408) or EOF waiting; one still open has neither.
    var stillOpen = 0
    var answered408 = 0
    for fd in fds {
        var pfd = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
        if poll(&pfd, 1, 0) == 0 {
            stillOpen += 1
        } else {
            var buf = [UInt8](repeating: 0, count: 64)
            let n = recv(fd, &buf, buf.count, Int32(MSG_DONTWAIT))
            if n > 12, String(decoding: buf[0 ..< n], as: UTF8.self).hasPrefix("HTTP/1.1 408") { answered408 += 1 }
        }
        close(fd)
    }
    latencies.sort()
    let p = { (q: Double) -> Double in latencies.isEmpty ? .nan : latencies[min(latencies.count - 1, Int(Double(latencies.count) * q))] }
    let over = latencies.filter { $0 > 0.1 }.count
    print("slowloris: connections=\(fds.count) still_open=\(stillOpen) cut_with_408=\(answered408) probes=\(latencies.count) failed=\(failures) "
        + "p50_ms=\(Int(p(0.5) * 1000)) p99_ms=\(Int(p(0.99) * 1000)) max_ms=\(Int((latencies.last ?? .nan) * 1000)) over_100ms=\(over)")

default:
    usage()
}
