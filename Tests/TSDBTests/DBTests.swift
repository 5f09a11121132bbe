import Model
import TestSupport
import Testing
@testable import TSDB

@Suite struct DBTests {
    static let manual = DB.Options(walSync: .always, backgroundCompaction: false)

    @Test func openAppendQueryReopen() throws {
        let tmp = try TempDirectory(prefix: "db-open")
        defer { tmp.remove() }
        let db = try DB.open(dir: tmp.path, options: Self.manual)
        let app = db.appender()
        for i in 0 ..< 100 {
            try app.append(series("up", ["job": "a"]), t: Int64(i) * 1000, v: Double(i))
        }
        try app.commit()
        #expect(db.stats.headSamplesAppended == 100)
        let want = try dump(db)
        try db.close()
        #expect(throws: StorageError.closed) { _ = try db.querier(mint: 0, maxt: 1) }
        let again = try DB.open(dir: tmp.path, options: Self.manual)
        defer { try? again.close() }
        #expect(HeadWALTests.same(try dump(again), want))
        #expect(again.stats.headSeries == 1)
    }
}
