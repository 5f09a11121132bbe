import Exposition
import Foundation
import Model
import TSDB

/// `vigil tsdb ...`: offline tools on a data directory, in the manner of `promtool tsdb`.
enum TSDBCommands {
    /// Runs `vigil tsdb <args>`; returns the exit code.
    static func run(_ args: [String]) -> Int32 {
        switch args.first {
        case "import":
            guard args.count >= 3, args[1] == "openmetrics" else {
                return usage("usage: vigil tsdb import openmetrics FILE [DATA_DIR]")
            }
            return importOpenMetrics(file: args[2], dataDir: args.count > 3 ? args[3] : "data")
        case "analyze":
            return analyze(dataDir: args.count > 1 ? args[1] : "data", limit: 20)
        default:
            return usage("usage: vigil tsdb import openmetrics FILE [DATA_DIR] | vigil tsdb analyze [DATA_DIR]")
        }
    }

    static func usage(_ text: String) -> Int32 {
        FileHandle.standardError.write(Data("vigil: error: \(text)\n".utf8))
        return 1
    }

    static func fail(_ text: String) -> Int32 {
        FileHandle.standardError.write(Data("\(text)\n".utf8))
        return 1
    }

    /// Like `promtool tsdb create-blocks-from openmetrics`: every sample needs a timestamp, the
    /// input must be OpenMetrics (ending in `# EOF`), samples are cut into 2 h blocks, and within
    /// one block range a sample older than the previous one of its series is an error (the head
    /// appender promtool uses refuses it). Prints the blocks written, as promtool does.
    static func importOpenMetrics(file: String, dataDir: String) -> Int32 {
        guard let data = FileManager.default.contents(atPath: file) else {
            return fail("read input: open \(file): no such file or readable")
        }
        let blockRange: Int64 = 2 * 3_600_000
        var parser = ExpositionParser(Array(data), format: .openMetrics)
        let writer: BlockWriter
        do { writer = try BlockWriter(dir: dataDir, blockRangeMs: blockRange) } catch {
            return fail("create writer: \(error)")
        }
        // Per series and block range, the last (timestamp, value) seen, for promtool's order rules.
        var last: [Labels: (t: Int64, v: Double)] = [:]
        var samples = 0
        do {
            while let entry = try parser.next() {
                guard case .series = entry else { continue }
                let labels = try parser.labels()
                guard let t = parser.timestamp else {
                    return fail("expected timestamp for series \(labels), got none")
                }
                let v = parser.value
                let key = labels
                let rangeStart = t >= 0 ? t / blockRange : (t - blockRange + 1) / blockRange
                if let prev = last[key], prev.t / blockRange == rangeStart {
                    if t < prev.t { return fail("add sample: out of order sample") }
                    if t == prev.t, prev.v.bitPattern != v.bitPattern {
                        return fail("add sample: duplicate sample for timestamp")
                    }
                }
                last[key] = (t, v)
                try writer.add(labels, t: t, v: v)
                samples += 1
            }
        } catch let e as ExpositionError {
            return fail("parse: \(e)")
        } catch {
            return fail("add sample: \(error)")
        }
        let metas: [BlockMeta]
        do { metas = try writer.flush() } catch {
            return fail("flush: \(error)")
        }
        guard !metas.isEmpty else { return 0 }
        var rows = [["BLOCK ULID", "MIN TIME", "MAX TIME", "DURATION", "NUM SAMPLES", "NUM CHUNKS", "NUM SERIES", "SIZE"]]
        for m in metas.sorted(by: { $0.minTime < $1.minTime }) {
            let size = (try? Block.open("\(dataDir)/\(m.ulid)").sizeBytes) ?? 0
            rows.append([m.ulid, String(m.minTime), String(m.maxTime), goDuration(ms: m.maxTime - m.minTime),
                         String(m.stats.numSamples), String(m.stats.numChunks), String(m.stats.numSeries), String(size)])
        }
        print(tabulate(rows), terminator: "")
        return 0
    }

    /// Like `promtool tsdb analyze`: cardinality of the newest block, or of the whole directory's
    /// head when there is no block.
    static func analyze(dataDir: String, limit: Int) -> Int32 {
        let names = ((try? FileManager.default.contentsOfDirectory(atPath: dataDir)) ?? []).filter { ULID(string: $0) != nil }.sorted()
        guard let newest = names.last else { return fail("no blocks found in \(dataDir)") }
        let block: Block
        let report: CardinalityReport
        do {
            block = try Block.open("\(dataDir)/\(newest)")
            report = try block.cardinality(limit: limit)
        } catch {
            return fail("analyze: \(error)")
        }
        var out = "Block ID: \(block.meta.ulid)\n"
        out += "Duration: \(goDuration(ms: block.meta.maxTime - block.meta.minTime))\n"
        out += "Total Series: \(report.numSeries)\n"
        out += "Label names: \(report.labelValueCountByLabelName.count)\n"
        out += "Postings (unique label pairs): \(report.numLabelPairs)\n"
        func section(_ title: String, _ entries: [CardinalityReport.Entry]) {
            out += "\n\(title):\n"
            for e in entries { out += "\(e.value) \(e.name)\n" }
        }
        section("Label names with highest cumulative label value length", report.memoryInBytesByLabelName)
        section("Highest cardinality labels", report.labelValueCountByLabelName)
        section("Highest cardinality metric names", report.seriesCountByMetricName)
        section("Most common label pairs", report.seriesCountByLabelValuePair)
        print(out, terminator: "")
        return 0
    }

    /// Go's `time.Duration.String()` for whole milliseconds: `2h0m0s`, `1m30s`, `1.5s`, `250ms`.
    static func goDuration(ms: Int64) -> String {
        if ms == 0 { return "0s" }
        let neg = ms < 0
        var rest = neg ? -ms : ms
        if rest < 1000 { return (neg ? "-" : "") + "\(rest)ms" }
        let h = rest / 3_600_000; rest %= 3_600_000
        let m = rest / 60_000; rest %= 60_000
        let s = rest / 1000, frac = rest % 1000
        var sec = String(s)
        if frac > 0 {
            var f = String(frac)
            while f.count < 3 { f = "0" + f }
            while f.hasSuffix("0") { f.removeLast() }
            sec += "." + f
        }
        var text = ""
        if h > 0 { text = "\(h)h\(m)m\(sec)s" } else if m > 0 { text = "\(m)m\(sec)s" } else { text = "\(sec)s" }
        return (neg ? "-" : "") + text
    }

    /// Go's tabwriter with minwidth 13 and padding 2, as promtool prints its block tables.
    static func tabulate(_ rows: [[String]]) -> String {
        guard let cols = rows.first?.count else { return "" }
        var widths = [Int](repeating: 0, count: cols)
        for r in rows { for (i, c) in r.enumerated() where i < cols - 1 { widths[i] = max(widths[i], max(13, c.count + 2)) } }
        var out = ""
        for r in rows {
            for (i, c) in r.enumerated() {
                out += c
                if i < cols - 1 { out += String(repeating: " ", count: widths[i] - c.count) }
            }
            out += "\n"
        }
        return out
    }
}
