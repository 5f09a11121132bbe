import Glibc

// The storage benchmark's subcommands (bench/tsdb.sh):
//   vigil-loadgen nodes FILE NODES HOURS STEP_SECONDS END_UNIX
//     node_exporter-like series (107 per node) as OpenMetrics, covering [END - HOURS, END),
//     plus two marker samples after END (see NodeExporterFile).
//   vigil-loadgen openmetrics-at FILE SERIES HOURS STEP_SECONDS END_UNIX
//     The `openmetrics` data set with its last step at END, plus the marker samples.
//   vigil-loadgen fastforward HOST:PORT TARGETS SERIES STEP_SECONDS STEPS START_UNIX SECONDS
//     Scrape targets with explicit timestamps advancing STEP_SECONDS per scrape from START
//     (see FastForwardServer); prints the port when ready.

/// Runs a storage subcommand; nil when `args` names none of them.
func storageCommand(_ args: [String]) -> Int32? {
    switch args.first {
    case "nodes":
        guard args.count == 6, let nodes = Int(args[2]), let hours = Int(args[3]), let step = Int(args[4]), let end = Int(args[5]),
              nodes > 0, nodes <= 100_000, hours > 0, hours <= 24 * 31, step > 0, step <= 3600, end > hours * 3600 else { return storageUsage() }
        guard NodeExporterFile.write(path: args[1], nodes: nodes, hours: hours, stepSeconds: step, end: end, marker: true) else {
            print("nodes: cannot write \(args[1])")
            return 1
        }
        return 0
    case "openmetrics-at":
        guard args.count == 6, let series = Int(args[2]), let hours = Int(args[3]), let step = Int(args[4]), let end = Int(args[5]),
              series > 0, series <= 10_000_000, hours > 0, hours <= 24 * 31, step > 0, step < 60, end > hours * 3600 else { return storageUsage() }
        guard OpenMetricsFile.write(path: args[1], series: series, hours: hours, stepSeconds: step, end: end, marker: true) else {
            print("openmetrics-at: cannot write \(args[1])")
            return 1
        }
        return 0
    case "fastforward":
        guard args.count == 8, let addr = TCP.address(args[1]), UInt32(bigEndian: addr.sin_addr.s_addr) >> 24 == 127,
              let targets = Int(args[2]), let series = Int(args[3]), let step = Int64(args[4]), let steps = Int(args[5]),
              let start = Int64(args[6]), let seconds = Double(args[7]),
              targets > 0, targets <= 10_000, series > 0, series <= 1_000_000, targets * series <= 20_000_000,
              step > 0, steps > 0, steps <= 100_000, seconds > 0, seconds <= 86_400 else { return storageUsage() }
        raiseFDLimit()
        signal(SIGPIPE, SIG_IGN)
        let fd = TargetsServer.listen(on: addr)
        guard fd >= 0 else {
            print("fastforward: cannot listen on \(args[1]): \(String(cString: strerror(errno)))")
            return 1
        }
        let server = FastForwardServer(targets: targets, series: series, startMs: start * 1000, stepMs: step * 1000, steps: steps)
        print("fastforward: listening on 127.0.0.1:\(TargetsServer.boundPort(fd)) targets=\(targets) series_per_target=\(series) steps=\(steps)")
        fflush(nil)
        server.serve(listenFD: fd, seconds: seconds)
        close(fd)
        print("fastforward: requests=\(server.requests.load(ordering: .relaxed)) bytes=\(server.bytesServed.load(ordering: .relaxed))")
        return 0
    default:
        return nil
    }
}

private func storageUsage() -> Int32 {
    print("usage: vigil-loadgen nodes FILE NODES HOURS STEP_SECONDS END_UNIX")
    print("       vigil-loadgen openmetrics-at FILE SERIES HOURS STEP_SECONDS END_UNIX")
    print("       vigil-loadgen fastforward HOST:PORT TARGETS SERIES STEP_SECONDS STEPS START_UNIX SECONDS")
    return 2
}
