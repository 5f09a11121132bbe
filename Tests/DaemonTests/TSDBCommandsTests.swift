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

    @Test(arguments: [
        ("up 1\n# EOF\n", "expected timestamp for series"),
        ("up 1 100\n", "parse:"),
        ("up 1 200\nup 2 100\n# EOF\n", "out of order sample"),
        ("up 1 100\nup 2 100\n# EOF\n", "duplicate sample for timestamp"),
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

    @Test(arguments: [(0, "0s"), (250, "250ms"), (1500, "1.5s"), (90_000, "1m30s"), (7_200_000, "2h0m0s"), (3_723_004, "1h2m3.004s")])
    func goDurations(_ ms: Int64, _ want: String) {
        #expect(TSDBCommands.goDuration(ms: ms) == want)
    }
}
