import Model
import TestSupport
import Testing
@testable import TSDB

/// All series and samples of a head in [mint, maxt], sorted by labels.
func dump(_ q: any Queryable, _ matchers: [Matcher] = [try! Matcher(.regexMatch, "__name__", ".+")],
          mint: Int64 = .min, maxt: Int64 = .max) throws -> [(Labels, [Sample])] {
    let querier = try q.querier(mint: mint, maxt: maxt)
    defer { querier.close() }
    let set = querier.select(matchers, hints: SelectHints())
    var out: [(Labels, [Sample])] = []
    while set.next() {
        let s = set.at()
        var it = s.iterator()
        out.append((s.labels, it.collect()))
        #expect(it.error == nil)
    }
    #expect(set.error == nil)
    return out
}

func series(_ name: String, _ extra: [String: String] = [:]) -> Labels {
    var d = extra
    d["__name__"] = name
    return Labels(d)
}

@Suite struct HeadAppendTests {
    /// The per-series struct is the head's largest fixed cost per series (RSS per active series
    /// is one of the storage benchmark's figures): keep it from growing unnoticed.
    @Test func memSeriesLayout() {
        #expect(MemoryLayout<XORAppender>.size == 46)
        #expect(MemoryLayout<MemSeries>.stride == 88)
    }

    @Test func appendCommitQuery() throws {
        let head = try Head.inMemory()
        let app = head.appender()
        let a = series("up", ["job": "node"])
        let b = series("up", ["job": "api"])
        var refA = SeriesRef.none
        for t in 0 ..< 10 {
            refA = try app.append(ref: refA, labels: a, t: Int64(t) * 1000, v: Double(t))
            try app.append(b, t: Int64(t) * 1000, v: -Double(t))
        }
        #expect(try dump(head).isEmpty) // nothing visible before commit
        try app.commit()
        let got = try dump(head)
        #expect(got.map(\.0) == [b, a]) // sorted: job="api" < job="node"
        #expect(got[1].1 == (0 ..< 10).map { Sample(t: Int64($0) * 1000, v: Double($0)) })
        #expect(head.stats.series == 2)
        #expect(head.stats.samplesAppended == 20)
        #expect(head.minTime == 0 && head.maxTime == 9000)
        // By reference only.
        try app.append(ref: refA, t: 10_000, v: 10)
        try app.commit()
        #expect(try dump(head, [.equal("job", "node")]).first?.1.count == 11)
    }

    @Test func rollbackDiscards() throws {
        let head = try Head.inMemory()
        let app = head.appender()
        try app.append(series("x"), t: 1, v: 1)
        try app.rollback()
        try app.commit()
        #expect(try dump(head).isEmpty)
        // The appender is reusable.
        try app.append(series("x"), t: 2, v: 2)
        try app.commit()
        #expect(try dump(head).first?.1 == [Sample(t: 2, v: 2)])
    }

    @Test func unknownRefAndEmptyLabels() throws {
        let head = try Head.inMemory()
        let app = head.appender()
        #expect(throws: StorageError.emptyLabels) { try app.append(Labels(), t: 1, v: 1) }
        #expect(throws: StorageError.unknownSeriesRef(SeriesRef(12345))) { try app.append(ref: SeriesRef(12345), t: 1, v: 1) }
        // An unknown reference with labels falls back to the labels.
        let ref = try app.append(ref: SeriesRef(12345), labels: series("y"), t: 1, v: 1)
        #expect(ref != SeriesRef(12345))
    }

    /// (name, committed samples, new sample, expected error or nil, samples stored afterwards)
    static let orderCases: [(String, [Sample], Sample, StorageError?, Int)] = [
        ("newer", [Sample(t: 10, v: 1)], Sample(t: 11, v: 1), nil, 2),
        ("same timestamp, same value: accepted and ignored", [Sample(t: 10, v: 1)], Sample(t: 10, v: 1), nil, 1),
        ("same timestamp, other value", [Sample(t: 10, v: 1)], Sample(t: 10, v: 2), .duplicateSampleForTimestamp(t: 10), 1),
        ("older", [Sample(t: 10, v: 1)], Sample(t: 9, v: 1), .outOfOrderSample(t: 9, newest: 10), 1),
        ("much older", [Sample(t: 10, v: 1), Sample(t: 20, v: 1)], Sample(t: -5, v: 1), .outOfOrderSample(t: -5, newest: 20), 2),
        ("same NaN bits", [Sample(t: 10, v: .nan)], Sample(t: 10, v: .nan), nil, 1),
        ("stale marker after NaN at same time", [Sample(t: 10, v: .nan)], Sample(t: 10, v: StaleNaN), .duplicateSampleForTimestamp(t: 10), 1),
        ("-0 vs +0 differ in bits", [Sample(t: 10, v: 0)], Sample(t: 10, v: -0.0), .duplicateSampleForTimestamp(t: 10), 1),
        ("first sample at Int64.min", [], Sample(t: .min, v: 1), nil, 1),
    ]

    @Test(arguments: orderCases)
    func outOfOrderAndDuplicates(_ name: String, _ before: [Sample], _ s: Sample, _ want: StorageError?, _ stored: Int) throws {
        let head = try Head.inMemory()
        let app = head.appender()
        let l = series("m")
        for b in before { try app.append(l, t: b.t, v: b.v) }
        try app.commit()
        if let want {
            #expect(throws: want, "\(name)") { try app.append(l, t: s.t, v: s.v) }
        } else {
            try app.append(l, t: s.t, v: s.v)
        }
        try app.commit()
        #expect(try dump(head, [.equal("__name__", "m")]).first?.1.count == stored, "\(name)")
        let st = head.stats
        switch want {
        case .duplicateSampleForTimestamp?: #expect(st.duplicateRejected == 1)
        case .outOfOrderSample?: #expect(st.outOfOrderRejected == 1)
        default: #expect(st.duplicateRejected + st.outOfOrderRejected == 0)
        }
    }

    @Test func disorderWithinABatchIsCountedAtCommit() throws {
        let head = try Head.inMemory()
        let app = head.appender()
        try app.append(series("m"), t: 10, v: 1)
        try app.append(series("m"), t: 5, v: 2) // passes the check against committed data
        try app.append(series("m"), t: 10, v: 3)
        try app.commit()
        #expect(try dump(head).first?.1 == [Sample(t: 10, v: 1)])
        #expect(head.stats.outOfOrderRejected == 1)
        #expect(head.stats.duplicateRejected == 1)
    }

    @Test func outOfBoundsAfterTruncate() throws {
        let head = try Head.inMemory()
        let app = head.appender()
        try app.append(series("a"), t: 100, v: 1)
        try app.commit()
        try head.truncate(mint: 50)
        #expect(throws: StorageError.outOfBounds(t: 10, minValid: 50)) { try app.append(series("b"), t: 10, v: 1) }
        #expect(head.stats.outOfBoundsRejected == 1)
    }

    @Test func truncateCollectsEmptyAndOldSeriesButNotPendingOnes() throws {
        let head = try Head.inMemory()
        let app = head.appender()
        try app.append(series("old"), t: 10, v: 1)
        try app.append(series("new"), t: 1000, v: 1)
        try app.commit()
        let ref = try app.append(series("rolled-back"), t: 2000, v: 1)
        try app.rollback()
        let pending = head.appender()
        try pending.append(series("pending"), t: 3000, v: 1)
        #expect(head.stats.series == 4)
        try head.truncate(mint: 500)
        #expect(head.stats.series == 2) // "new" and "pending"
        try pending.commit()
        #expect(try dump(head).map(\.0) == [series("new"), series("pending")])
        // The collected reference still works when labels come with it.
        let again = try app.append(ref: ref, labels: series("rolled-back"), t: 4000, v: 1)
        #expect(again != ref)
        try app.commit()
        #expect(head.stats.series == 3)
    }

    @Test func outOfOrderWindowIsRefusedNotIgnored() {
        #expect(throws: TSDBError.self) { try Head.inMemory(options: .init(outOfOrderTimeWindowMs: 60_000)) }
    }

    @Test func chunksAreCutAt120SamplesAndRangeBoundaries() throws {
        let head = try Head.inMemory(options: .init(chunkRangeMs: 100_000))
        let app = head.appender()
        // 250 samples 100 ms apart within one range: 120 + 120 + 10.
        for i in 0 ..< 250 { try app.append(series("a"), t: Int64(i) * 100, v: Double(i)) }
        try app.commit()
        #expect(head.stats.chunks == 3)
        // Crossing the 100 s boundary cuts even a small chunk.
        for t: Int64 in [99_000, 99_999, 100_000, 100_001] { try app.append(series("b"), t: t, v: 1) }
        try app.commit()
        #expect(head.stats.chunks == 5)
        let b = head.seriesRefs(matching: [.equal("__name__", "b")])
        let ranges = head.stripe(for: b[0]).state.withLock { s in
            s.get(b[0]).map { [$0.closed.map { [$0.minT, $0.maxT] }, [[$0.headMinT, $0.maxT]]] }
        }
        #expect(ranges == [[[99_000, 99_999]], [[100_000, 100_001]]])
        #expect(MemSeries.rangeEnd(-1, 100) == 0)
        #expect(MemSeries.rangeEnd(-100, 100) == 0)
        #expect(MemSeries.rangeEnd(0, 100) == 100)
        #expect(MemSeries.rangeEnd(Int64.max - 5, 100) == Int64.max)
    }

    @Test func queryRangeAndSeek() throws {
        let head = try Head.inMemory()
        let app = head.appender()
        for i in 0 ..< 1000 { try app.append(series("a"), t: Int64(i) * 10, v: Double(i)) }
        try app.commit()
        let got = try dump(head, mint: 2005, maxt: 3000)
        #expect(got.first?.1.first == Sample(t: 2010, v: 201))
        #expect(got.first?.1.last == Sample(t: 3000, v: 300))
        #expect(got.first?.1.count == 100)
        #expect(try dump(head, mint: 20_000, maxt: 30_000).isEmpty)
        let q = try head.querier(mint: .min, maxt: .max)
        let set = q.select([.equal("__name__", "a")], hints: SelectHints())
        #expect(set.next())
        var it = set.at().iterator()
        var ok = it.seek(5555)
        #expect(ok && it.at().t == 5560)
        ok = it.seek(100)
        #expect(ok && it.at().t == 5560)
        ok = it.next()
        #expect(ok && it.at().t == 5570)
        ok = it.seek(9990)
        #expect(ok && it.at().t == 9990)
        ok = it.seek(9991)
        #expect(!ok)
    }

    @Test func concurrentAppendsFromSeveralTasks() async throws {
        let head = try Head.inMemory()
        let tasks = 4, seriesPerTask = 50, samples = 300
        try await withThrowingTaskGroup(of: Void.self) { group in
            for w in 0 ..< tasks {
                group.addTask {
                    let app = head.appender()
                    var refs = [SeriesRef](repeating: .none, count: seriesPerTask)
                    for t in 0 ..< samples {
                        for s in 0 ..< seriesPerTask {
                            // Every task also writes one shared series; only one value per timestamp wins.
                            refs[s] = try app.append(ref: refs[s], labels: series("c", ["w": "\(w)", "s": "\(s)"]), t: Int64(t), v: Double(t))
                        }
                        _ = try? app.append(series("shared"), t: Int64(t), v: 1)
                        if t % 10 == 9 { try app.commit() }
                    }
                    try app.commit()
                }
            }
            // A reader running alongside.
            group.addTask {
                for _ in 0 ..< 20 { _ = try dump(head, [.equal("__name__", "c")]) }
            }
            try await group.waitForAll()
        }
        let got = try dump(head, [.equal("__name__", "c")])
        #expect(got.count == tasks * seriesPerTask)
        for (_, s) in got { #expect(s == (0 ..< samples).map { Sample(t: Int64($0), v: Double($0)) }) }
        #expect(try dump(head, [.equal("__name__", "shared")]).first?.1.count == samples)
        #expect(head.stats.series == tasks * seriesPerTask + 1)
    }
}

@Suite struct HeadSelectTests {
    static func fixture() throws -> Head {
        let head = try Head.inMemory()
        let app = head.appender()
        let all: [Labels] = [
            ["__name__": "up", "job": "node", "instance": "a"],
            ["__name__": "up", "job": "node", "instance": "b"],
            ["__name__": "up", "job": "api", "instance": "a"],
            ["__name__": "up", "instance": "c"],                  // no job
            ["__name__": "http_requests_total", "job": "api", "code": "200"],
            ["__name__": "http_requests_total", "job": "api", "code": "500"],
        ]
        for l in all { try app.append(l, t: 1, v: 1) }
        try app.commit()
        return head
    }

    /// (matchers, expected series as "name/job/instance/code")
    static let cases: [([(Matcher.MatchType, String, String)], [String])] = [
        ([(.equal, "__name__", "up")], ["up//c/", "up/api/a/", "up/node/a/", "up/node/b/"]),
        ([(.equal, "job", "node")], ["up/node/a/", "up/node/b/"]),
        ([(.equal, "__name__", "up"), (.equal, "job", "")], ["up//c/"]),           // lacks job
        ([(.equal, "__name__", "up"), (.notEqual, "job", "")], ["up/api/a/", "up/node/a/", "up/node/b/"]),
        ([(.equal, "__name__", "up"), (.notEqual, "job", "node")], ["up//c/", "up/api/a/"]),
        ([(.regexMatch, "job", ".*")], ["http_requests_total/api//200", "http_requests_total/api//500", "up//c/", "up/api/a/", "up/node/a/", "up/node/b/"]),
        ([(.regexMatch, "job", ".+")], ["http_requests_total/api//200", "http_requests_total/api//500", "up/api/a/", "up/node/a/", "up/node/b/"]),
        ([(.regexMatch, "job", "no.*")], ["up/node/a/", "up/node/b/"]),
        ([(.regexMatch, "job", "no")], []),                                         // anchored
        ([(.regexMatch, "code", "2..|5..")], ["http_requests_total/api//200", "http_requests_total/api//500"]),
        ([(.regexNoMatch, "code", "5..")], ["http_requests_total/api//200", "up//c/", "up/api/a/", "up/node/a/", "up/node/b/"]),
        ([(.equal, "__name__", "up"), (.regexNoMatch, "job", "node|api")], ["up//c/"]),
        ([(.equal, "__name__", "up"), (.regexMatch, "job", "node|")], ["up//c/", "up/node/a/", "up/node/b/"]),
        ([(.equal, "instance", "a"), (.equal, "job", "api")], ["up/api/a/"]),
        ([(.equal, "nope", "x")], []),
        ([(.equal, "nope", "")], ["http_requests_total/api//200", "http_requests_total/api//500", "up//c/", "up/api/a/", "up/node/a/", "up/node/b/"]),
    ]

    @Test(arguments: cases)
    func select(_ spec: [(Matcher.MatchType, String, String)], _ want: [String]) throws {
        let head = try Self.fixture()
        let matchers = try spec.map { try Matcher($0.0, $0.1, $0.2) }
        let got = try dump(head, matchers).map { l, _ in
            [l.name, l.get("job"), l.get("instance"), l.get("code")].joined(separator: "/")
        }
        #expect(got.sorted() == want.sorted(), "\(matchers)")
    }

    @Test func labelNamesAndValues() throws {
        let head = try Self.fixture()
        let q = try head.querier(mint: .min, maxt: .max)
        #expect(try q.labelNames(matchers: [], limit: 0) == ["__name__", "code", "instance", "job"])
        #expect(try q.labelNames(matchers: [.equal("__name__", "up")], limit: 0) == ["__name__", "instance", "job"])
        #expect(try q.labelValues("job", matchers: [], limit: 0) == ["api", "node"])
        #expect(try q.labelValues("instance", matchers: [.equal("job", "node")], limit: 0) == ["a", "b"])
        #expect(try q.labelValues("instance", matchers: [], limit: 2) == ["a", "b"])
        #expect(try q.labelNames(matchers: [], limit: 1) == ["__name__"])
    }

    @Test func selectLimitAndOutOfRange() throws {
        let head = try Self.fixture()
        let q = try head.querier(mint: .min, maxt: .max)
        let set = q.select([.equal("__name__", "up")], hints: SelectHints(limit: 2))
        var n = 0
        while set.next() { n += 1 }
        #expect(n == 2)
        #expect(!set.warnings.isEmpty)
        #expect(try dump(head, mint: 2, maxt: 10).isEmpty)
    }

    @Test func deleteHidesSamples() throws {
        let head = try Head.inMemory()
        let app = head.appender()
        for t in 0 ..< 10 { try app.append(series("d"), t: Int64(t), v: 1) }
        try app.commit()
        try head.delete(mint: 3, maxt: 5, matchers: [.equal("__name__", "d")])
        #expect(try dump(head).first?.1.map(\.t) == [0, 1, 2, 6, 7, 8, 9])
    }
}
