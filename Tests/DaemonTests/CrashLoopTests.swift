import Foundation
import Glibc
import Model
import Synchronization
import Testing
import TestSupport
import TSDB

/// Issue 3's durability contract, end to end: writers push samples to a real daemon, which is
/// killed with SIGKILL at a random moment and restarted, again and again. Every sample whose push
/// was answered 204 before the kill must be there at the end, and every start must succeed.
/// `VIGIL_CRASH_ITERATIONS` sets the number of kills (default 50).
@Suite(.serialized) struct CrashLoopTests {
    static let writers = 3

    @Test func acknowledgedSamplesSurviveKillNine() throws {
        let iterations = Int(ProcessInfo.processInfo.environment["VIGIL_CRASH_ITERATIONS"] ?? "") ?? 50
        let dir = try TempDirectory(prefix: "vigil-crash")
        defer { dir.remove() }
        let data = "\(dir.path)/data"
        // Highest acknowledged sequence number per series ("iter/writer").
        let acked = Shared<[String: Int]>([:])
        var rng = SystemRandomNumberGenerator()
        let base = Int64(Date().timeIntervalSince1970 * 1000)

        for iter in 0 ..< iterations {
            let daemon = try DaemonProcess(["--storage.path=\(data)"],
                                           directory: try TempDirectory(prefix: "vigil-crash-run"))
            let port = daemon.port
            // The daemon listens before storage is open (WAL replay); pushes wait for readiness.
            #expect(daemon.waitUntilReady(), "iteration \(iter): never became ready:\n\(daemon.log)")
            let stop = Shared(false)
            let done = Shared(0)
            for w in 0 ..< Self.writers {
                let key = "\(iter)/\(w)"
                Thread.detachNewThread {
                    var seq = 0
                    while !stop.value {
                        var body = ""
                        for k in 0 ..< 10 {
                            let s = seq + k
                            body += "crash_test{iter=\"\(iter)\",writer=\"\(w)\"} \(s) \(base + Int64(iter) * 1_000_000 + Int64(s))\n"
                        }
                        guard let status = push(port: port, body: body), status == 204 else { break }
                        seq += 10
                        acked.update { $0[key] = seq - 1 }
                    }
                    done.update { $0 += 1 }
                }
            }
            usleep(UInt32.random(in: 30_000 ... 300_000, using: &rng))
            daemon.send(signal: SIGKILL)
            _ = daemon.waitForExit(timeout: .seconds(10))
            stop.update { $0 = true }
            while done.value < Self.writers { usleep(1_000) }
            daemon.stop()
        }

        // Every acknowledged sample is in the data directory the daemon left behind.
        let db = try DB.open(dir: data, options: DB.Options(backgroundCompaction: false))
        defer { try? db.close() }
        let q = try db.querier(mint: .min, maxt: .max)
        defer { q.close() }
        let set = q.select([Matcher.equal("__name__", "crash_test")], hints: SelectHints())
        var found: [String: [Int]] = [:]
        while set.next() {
            let s = set.at()
            var it = s.iterator()
            found["\(s.labels.get("iter"))/\(s.labels.get("writer"))"] = it.collect().map { Int($0.v) }
        }
        let expected = acked.value
        #expect(expected.count >= iterations, "too few acknowledged pushes to mean anything: \(expected.count)")
        var missing = 0
        for (key, last) in expected {
            let values = found[key] ?? []
            // Samples 0...last were acknowledged; more may exist (applied but not yet answered).
            if values.count < last + 1 || Array(values.prefix(last + 1)) != Array(0 ... last) {
                missing += 1
                Issue.record("series \(key): acknowledged 0...\(last), stored \(values.count) samples")
            }
        }
        #expect(missing == 0)
        print("crash loop: \(iterations) kills, \(expected.values.reduce(0) { $0 + $1 + 1 }) acknowledged samples, all present")
    }
}

/// A value shared between threads behind a lock.
private final class Shared<T: Sendable>: Sendable {
    private let m: Mutex<T>
    init(_ v: T) { m = Mutex(v) }
    var value: T { m.withLock { $0 } }
    func update(_ f: (inout T) -> Void) { m.withLock { f(&$0) } }
}

/// One push on a fresh connection; the status code, or nil when the daemon is gone.
private func push(port: Int, body: String) -> Int? {
    guard let client = try? RawHTTPClient(port: port, timeout: .seconds(5)) else { return nil }
    let req = "POST /api/v1/import/prometheus HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.utf8.count)\r\nConnection: close\r\n\r\n\(body)"
    guard (try? client.send(req)) != nil, let r = try? client.readResponse() else { return nil }
    return r.status
}
