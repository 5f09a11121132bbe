import Foundation
import Model
import Testing
import TestSupport
import TSDB
@testable import Daemon

@Suite struct TSDBCommandsTests {
    /// 6 hours of a counter and a gauge at 15 s, as promtool's backfill input.
    func sixHours() -> String {
        var lines = ["# HELP req Requests.", "# TYPE req counter"]
        let t0 = 1_700_000_000
        for i in stride(from: 0, to: 6 * 3600, by: 15) {
            lines.append("req_total{code=\"200\"} \(i / 15) \(t0 + i)")
        }
        lines.append("# TYPE temp gauge")
        for i in stride(from: 0, to: 6 * 3600, by: 15) {
            lines.append("temp{room=\"a\"} \(20 + Double(i % 600) / 100) \(t0 + i).5")
        }
        return lines.joined(separator: "\n") + "\n# EOF\n"
    }

    @Test func importWritesQueryableBlocks() throws {
        let dir = try TempDirectory(prefix: "vigil-import")
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("in.om").path
        try sixHours().write(toFile: file, atomically: true, encoding: .utf8)
        let (code, out, err) = try DaemonProcess.runToEnd(["tsdb", "import", "openmetrics", file, "\(dir.path)/data"])
        #expect(code == 0, "\(err)")
        #expect(out.hasPrefix("BLOCK ULID"))
        #expect(out.split(separator: "\n").count == 1 + 4) // header + 4 two-hour ranges

        let db = try DB.open(dir: "\(dir.path)/data", options: DB.Options(retentionMs: 0, backgroundCompaction: false))
        defer { try? db.close() }
        let q = try db.querier(mint: .min, maxt: .max)
        defer { q.close() }
        let set = q.select([Matcher.equal("__name__", "req_total")], hints: SelectHints())
        #expect(set.next())
        var it = set.at().iterator()
        let samples = it.collect()
        #expect(samples.count == 6 * 3600 / 15)
        #expect(samples.first == Sample(t: 1_700_000_000_000, v: 0))
        #expect(samples.last?.v == Double(6 * 3600 / 15 - 1))
        let temp = q.select([Matcher.equal("__name__", "temp")], hints: SelectHints())
        #expect(temp.next())
        var ti = temp.at().iterator()
        #expect(ti.collect().first?.t == 1_700_000_000_500)

        let (ac, aout, _) = try DaemonProcess.runToEnd(["tsdb", "analyze", "\(dir.path)/data"])
        #expect(ac == 0 && aout.contains("Total Series: 2"))
    }

    /// 5000 samples of `a` at 0...4999 s: promtool's appender commits after them.
    static let committedBatch = (0 ..< 5000).map { "a \($0) \($0)\n" }.joined()

    @Test(arguments: [
        ("up 1\n# EOF\n", "expected timestamp for series"),
        ("up 1 100\n", "parse:"),
        // Checked over the whole file first, as promtool's first pass does.
        ("up 1 200\nup 2 100\nup{ 3 300\n# EOF\n", "parse:"),
        // Against a committed sample: older, or the same time with another value.
        (committedBatch + "a 7 100\n# EOF\n", "out of order sample"),
        (committedBatch + "a 7 4999\n# EOF\n", "duplicate sample for timestamp"),
    ])
    func importRejectsWhatPromtoolRejects(_ input: String, _ message: String) throws {
        let dir = try TempDirectory(prefix: "vigil-import-bad")
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("in.om").path
        try input.write(toFile: file, atomically: true, encoding: .utf8)
        let (code, _, err) = try DaemonProcess.runToEnd(["tsdb", "import", "openmetrics", file, "\(dir.path)/data"])
        #expect(code == 1)
        #expect(err.contains(message), "\(err)")
    }

    /// promtool's head checks new samples against committed ones only: within one batch, a
    /// sample that is not newer than its series' previous one is dropped at commit, so the
    /// first sample for a timestamp wins; after a commit, re-sending it unchanged is allowed.
    @Test(arguments: [
        ("up 1 200\nup 2 100\n# EOF\n", [Sample(t: 200_000, v: 1)]),
        ("up 1 100\nup 2 100\nup 3 101\n# EOF\n", [Sample(t: 100_000, v: 1), Sample(t: 101_000, v: 3)]),
        ("up{a=\"1\"} 1 100\nup{a=\"1\"} 2 100\n# EOF\n", [Sample(t: 100_000, v: 1)]),
        (committedBatch + "a 4999 4999\na 1 5000\n# EOF\n", [Sample(t: 4_999_000, v: 4999), Sample(t: 5_000_000, v: 1)]),
        // The first range starts at the oldest time truncated toward zero: -1000 s rounds to 0,
        // so that sample is skipped; -8000 s rounds to -7200 s, so only the one before it is.
        ("up 1 -1000\nup 2 5\n# EOF\n", [Sample(t: 5000, v: 2)]),
        ("up 1 -8000\nup 2 -7000\nup 3 5\n# EOF\n", [Sample(t: -7_000_000, v: 2), Sample(t: 5000, v: 3)]),
    ])
    func importKeepsWhatPromtoolKeeps(_ input: String, _ tail: [Sample]) throws {
        let dir = try TempDirectory(prefix: "vigil-import-batch")
        defer { dir.remove() }
        let file = dir.url.appendingPathComponent("in.om").path
        try input.write(toFile: file, atomically: true, encoding: .utf8)
        let (code, _, err) = try DaemonProcess.runToEnd(["tsdb", "import", "openmetrics", file, "\(dir.path)/data"])
        try #require(code == 0, "\(err)")
        let db = try DB.open(dir: "\(dir.path)/data", options: DB.Options(retentionMs: 0, backgroundCompaction: false))
        defer { try? db.close() }
        let q = try db.querier(mint: .min, maxt: .max)
        defer { q.close() }
        let set = q.select([Matcher.notEqual("__name__", "")], hints: SelectHints())
        #expect(set.next())
        var it = set.at().iterator()
        let samples = it.collect()
        #expect(Array(samples.suffix(tail.count)) == tail)
        #expect(!set.next())
    }

    @Test(arguments: [(0, "0s"), (250, "250ms"), (1500, "1.5s"), (90_000, "1m30s"), (7_200_000, "2h0m0s"), (3_723_004, "1h2m3.004s")])
    func goDurations(_ ms: Int64, _ want: String) {
        #expect(TSDBCommands.goDuration(ms: ms) == want)
    }
}
