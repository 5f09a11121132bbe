import Testing
import Model
import PromQL
import TestSupport

@Suite struct EngineTests {
    static func storage() -> MemoryStorage {
        let s = MemoryStorage()
        for job in ["a", "b"] {
            s.add(["__name__": "reqs_total", "job": job], (0 ..< 100).map { Sample(t: Int64($0) * 15_000, v: Double($0) * 10) })
        }
        return s
    }

    @Test func instantVectorResult() throws {
        let r = try PromQLEngine().instantQuery(EngineTests.storage(), expr: "sum by (job) (rate(reqs_total[1m]))", at: 600_000)
        guard case let .vector(v) = r.value else { Issue.record("not a vector"); return }
        #expect(v.count == 2)
        #expect(v.allSatisfy { abs($0.v - 10.0 / 15) < 1e-9 && $0.t == 600_000 })
        #expect(r.stats.samplesLoaded > 0)
    }

    @Test func rangeMatrixResultIsSortedAndDropsName() throws {
        let r = try PromQLEngine().rangeQuery(EngineTests.storage(), expr: "reqs_total * 2", start: 0, end: 60_000, stepMs: 30_000)
        guard case let .matrix(m) = r.value else { Issue.record("not a matrix"); return }
        #expect(m.map(\.labels) == [["job": "a"], ["job": "b"]])
        #expect(m[0].points.map(\.v) == [0, 40, 80])
    }

    @Test func scalarAndString() throws {
        let e = PromQLEngine()
        #expect(try e.instantQuery(MemoryStorage(), expr: "1 + 2", at: 0).value == .scalar(t: 0, v: 3))
        #expect(try e.instantQuery(MemoryStorage(), expr: "\"x\"", at: 5).value == .string(t: 5, v: "x"))
    }

    @Test func maxSamplesIsEnforced() {
        var o = EngineOptions()
        o.maxSamples = 10
        #expect(throws: PromQLError.tooManySamples("query execution")) {
            _ = try PromQLEngine(options: o).rangeQuery(EngineTests.storage(), expr: "reqs_total", start: 0, end: 600_000, stepMs: 15_000)
        }
    }

    @Test func cancellationStopsTheQuery() {
        let c = QueryCancellation()
        c.cancel()
        #expect(throws: PromQLError.canceled("expression evaluation")) {
            _ = try PromQLEngine().instantQuery(EngineTests.storage(), expr: "reqs_total", at: 0, cancellation: c)
        }
    }

    @Test func timeoutIsEnforced() {
        var o = EngineOptions()
        o.timeout = .zero
        #expect(throws: PromQLError.timeout("expression evaluation")) {
            _ = try PromQLEngine(options: o).rangeQuery(EngineTests.storage(), expr: "reqs_total", start: 0, end: 10_000_000, stepMs: 1000)
        }
    }

    @Test func rangeQueryRejectsMatrixType() {
        #expect(throws: PromQLError.self) {
            _ = try PromQLEngine().rangeQuery(EngineTests.storage(), expr: "reqs_total[5m]", start: 0, end: 60_000, stepMs: 15_000)
        }
    }

    @Test func deepExpressionEvaluatesWithoutCrashing() throws {
        let q = (0 ..< 200).map { _ in "reqs_total" }.joined(separator: " + ")
        _ = try PromQLEngine().instantQuery(EngineTests.storage(), expr: q, at: 60_000)
        let nested = String(repeating: "abs(", count: 120) + "reqs_total" + String(repeating: ")", count: 120)
        _ = try PromQLEngine().rangeQuery(EngineTests.storage(), expr: nested, start: 0, end: 60_000, stepMs: 15_000)
    }
}
