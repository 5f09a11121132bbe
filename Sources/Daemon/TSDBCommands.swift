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

    /// promtool commits its appender after this many samples of one block range.
    static let samplesPerCommit = 5000

    /// One block range's appender state, as promtool's pass over that range sees it.
    final class RangeBatch {
        /// Samples appended since the last commit, in file order.
        var pending: [(labels: Labels, t: Int64, v: Double)] = []
        /// Per series, the newest committed sample.
        var committed: [Labels: (t: Int64, v: Double)] = [:]
        /// The oldest and newest sample kept, for the block table.
        var minT = Int64.max, maxT = Int64.min
    }

    /// Like `promtool tsdb create-blocks-from openmetrics`: the input must be OpenMetrics
    /// (ending in `# EOF`) with a timestamp on every sample, checked over the whole file before
    /// anything is written; samples are cut into 2 h blocks.
    ///
    /// promtool appends each block range's samples, in file order, to a head appender that it
    /// commits every 5000 samples, and the head checks a new sample only against committed ones.
    /// So, per series: a sample older than a committed one is an error (`out of order sample`),
    /// as is one at a committed timestamp with other value bits (`duplicate sample for
    /// timestamp`); within one uncommitted batch, a sample not newer than the series' previous
    /// one is silently dropped at commit (the first one for a timestamp wins). The same rules
    /// apply here, batch boundaries included, and so does promtool's skipping of negative
    /// timestamps before the first range (see `firstRangeStart`). Prints the blocks written, as promtool does, with
    /// the oldest and newest+1 sample time of each.
    static func importOpenMetrics(file: String, dataDir: String) -> Int32 {
        guard let data = FileManager.default.contents(atPath: file) else {
            return fail("read input: open \(file): no such file or readable")
        }
        let bytes = Array(data)
        let blockRange: Int64 = 2 * 3_600_000
        // Pass 1: the whole file parses and every sample has a timestamp.
        var check = ExpositionParser(bytes, format: .openMetrics)
        var oldest = Int64.max
        do {
            while let entry = try check.next() {
                guard case .series = entry else { continue }
                guard let t = check.timestamp else {
                    return fail("expected timestamp for series \((try? check.labels())?.description ?? ""), got none")
                }
                oldest = min(oldest, t)
            }
        } catch {
            return fail("parse: \(error)")
        }
        // Pass 2: append with promtool's batches.
        let writer: BlockWriter
        do { writer = try BlockWriter(dir: dataDir, blockRangeMs: blockRange) } catch {
            return fail("create writer: \(error)")
        }
        // promtool's first block range starts at the oldest sample time truncated toward zero to
        // a multiple of the range; for negative times that is after the oldest sample, and the
        // samples before it are never appended.
        let firstRangeStart = oldest == .max ? 0 : blockRange * (oldest / blockRange)
        var batches: [Int64: RangeBatch] = [:]
        func commit(_ batch: RangeBatch) throws(TSDBError) {
            for s in batch.pending {
                if let c = batch.committed[s.labels], s.t <= c.t { continue }
                batch.committed[s.labels] = (s.t, s.v)
                try writer.add(s.labels, t: s.t, v: s.v)
                batch.minT = min(batch.minT, s.t)
                batch.maxT = max(batch.maxT, s.t)
            }
            batch.pending.removeAll(keepingCapacity: true)
        }
        var parser = ExpositionParser(bytes, format: .openMetrics)
        do {
            while let entry = try parser.next() {
                guard case .series = entry, let t = parser.timestamp, t >= firstRangeStart else { continue }
                let labels = try parser.labels()
                let v = parser.value
                let range = t >= 0 ? t / blockRange : (t - blockRange + 1) / blockRange
                let batch: RangeBatch
                if let b = batches[range] { batch = b } else { batch = RangeBatch(); batches[range] = batch }
                if let c = batch.committed[labels] {
                    if t < c.t { return fail("add sample: out of order sample") }
                    if t == c.t, c.v.bitPattern != v.bitPattern { return fail("add sample: duplicate sample for timestamp") }
                }
                batch.pending.append((labels, t, v))
                if batch.pending.count >= samplesPerCommit { try commit(batch) }
            }
            for range in batches.keys.sorted() { if let b = batches[range] { try commit(b) } }
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
            // promtool's blocks span their samples: the oldest, and the newest plus 1 ms.
            let batch = batches[m.minTime >= 0 ? m.minTime / blockRange : (m.minTime - blockRange + 1) / blockRange]
            let minT = batch.map { $0.minT } ?? m.minTime
            let maxT = batch.map { $0.maxT + 1 } ?? m.maxTime
            rows.append([m.ulid, String(minT), String(maxT), goDuration(ms: maxT - minT),
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
