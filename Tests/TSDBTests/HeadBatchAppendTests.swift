import Model
import Testing
@testable import TSDB

/// `HeadAppender.append(batch:)`: samples of many series across stripes, each with the verdict
/// the one-at-a-time path gives, visible only after commit.
@Suite struct HeadBatchAppendTests {
    @Test func batchGivesTheSameVerdictsAsSingleAppends() throws {
        let head = try Head.inMemory()
        let app = head.appender()
        // 300 series (spread over every stripe), one sample each at t=1000.
        var refs: [SeriesRef] = []
        for i in 0 ..< 300 {
            refs.append(try app.append(series("m", ["i": String(i)]), t: 1000, v: Double(i)))
        }
        try app.commit()

        var batch = AppendBatch()
        for (i, ref) in refs.enumerated() {
            switch i % 5 {
            case 0: batch.add(ref, 2000, Double(i))          // in order
            case 1: batch.add(ref, 500, 0)                   // out of order
            case 2: batch.add(ref, 1000, Double(i))          // same sample again: accepted, ignored
            case 3: batch.add(ref, 1000, -1)                 // same time, other value
            default: batch.add(ref, 3000, Double(i) * 2)     // in order
            }
        }
        batch.add(SeriesRef(UInt64(1) << 40 | 5), 2000, 1)   // never handed out
        app.append(batch: &batch)
        #expect(batch.errors.count == refs.count + 1)
        for i in refs.indices {
            let e = batch.errors[i]
            switch i % 5 {
            case 1: #expect(e?.kind == .outOfOrder, "\(i): \(String(describing: e))")
            case 3: #expect(e?.kind == .duplicate, "\(i): \(String(describing: e))")
            default: #expect(e == nil, "\(i): \(String(describing: e))")
            }
        }
        if case .unknownSeriesRef? = batch.errors[refs.count] {} else {
            Issue.record("unknown reference: \(String(describing: batch.errors[refs.count]))")
        }
        #expect(try dump(head).allSatisfy { $0.1.count == 1 }) // nothing visible before commit
        try app.commit()
        let got = try dump(head)
        #expect(got.count == 300)
        for (labels, samples) in got {
            guard let i = Int(labels.get("i")) else { Issue.record("no i in \(labels)"); continue }
            switch i % 5 {
            case 0: #expect(samples == [Sample(t: 1000, v: Double(i)), Sample(t: 2000, v: Double(i))])
            case 4: #expect(samples == [Sample(t: 1000, v: Double(i)), Sample(t: 3000, v: Double(i) * 2)])
            default: #expect(samples == [Sample(t: 1000, v: Double(i))])
            }
        }
        #expect(head.stats.samplesAppended == 300 + 120)
    }
}
