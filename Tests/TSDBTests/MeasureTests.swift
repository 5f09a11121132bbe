import Foundation
import Model
import Testing
@testable import TSDB

/// Measurements run by hand (`VIGIL_MEASURE=1 swift test -c release --filter MeasureTests`);
/// they print figures instead of asserting.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["VIGIL_MEASURE"] != nil))
struct MeasureTests {
    @Test(arguments: [0, 3] as [Int64])
    func lz4OnChunkPages(jitterMs: Int64) throws {
        let data = NodeExporterData(nodes: 20, jitterMs: jitterMs)
        var apps = [XORAppender](repeating: XORAppender(), count: data.series.count)
        var chunks: [[XORChunk]] = Array(repeating: [], count: data.series.count)
        var samples = 0
        data.generate(from: 1_700_000_000_000, scrapes: 6 * 240) { k, t, v in
            if apps[k].count == 120 { chunks[k].append(apps[k].finish()); apps[k] = XORAppender() }
            apps[k].append(t, v)
            samples += 1
        }
        for k in apps.indices { chunks[k].append(apps[k].finish()) }
        var raw: [UInt8] = []
        for list in chunks { for c in list { raw += c.bytes } }
        print("jitter \(jitterMs) ms: series \(data.series.count) samples \(samples) chunk bytes \(raw.count) = \(Double(raw.count) / Double(samples)) B/sample")
        for page in [4096, 16384, 65536] {
            var total = 0
            var i = 0
            while i < raw.count {
                let end = min(raw.count, i + page)
                total += LZ4.compress(Array(raw[i ..< end])).count + 8
                i = end
            }
            print("lz4 pages of \(page): \(total) bytes = \(Double(total) / Double(samples)) B/sample (\(Int((1 - Double(total) / Double(raw.count)) * 100))% saved)")
        }
    }
}
