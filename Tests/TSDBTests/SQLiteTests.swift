import Testing
import TestSupport
@testable import TSDB

@Suite struct SQLiteTests {
    @Test func roundTripsTypesAndTransactions() throws {
        let dir = try TempDirectory(prefix: "vigil-sqlite")
        defer { dir.remove() }
        let path = dir.path + "/t.sqlite"
        do {
            let db = try SQLiteDatabase(path: path, mode: .create)
            try db.exec("CREATE TABLE t (i INTEGER, d REAL, s TEXT, b BLOB)")
            let insert = try db.prepare("INSERT INTO t VALUES (?, ?, ?, ?)")
            try db.transaction { () throws(SQLiteError) in
                for i in 0 ..< 100 {
                    try insert.bind(1, Int64(i) - 50)
                    try insert.bind(2, Double(i) / 3)
                    try insert.bind(3, "name \(i) ü")
                    try insert.bind(4, blob: [UInt8](repeating: UInt8(i), count: i))
                    try insert.run()
                }
            }
            // A failing body rolls back.
            #expect(throws: SQLiteError.self) {
                try db.transaction { () throws(SQLiteError) in
                    try db.exec("INSERT INTO t VALUES (1000, 0, 'x', x'00')")
                    try db.exec("INSERT INTO nope VALUES (1)")
                }
            }
        }
        let ro = try SQLiteDatabase(path: path, mode: .readOnly(immutable: true))
        let q = try ro.prepare("SELECT i, d, s, b FROM t WHERE i >= ? ORDER BY i")
        try q.bind(1, Int64(48))
        var rows = 0
        while try q.step() {
            let i = q.int64(0)
            #expect(q.double(1) == Double(i + 50) / 3)
            #expect(q.text(2) == "name \(i + 50) ü")
            #expect(q.blob(3) == [UInt8](repeating: UInt8(i + 50), count: Int(i + 50)))
            rows += 1
        }
        #expect(rows == 2)
        #expect(throws: SQLiteError.self) { try ro.exec("INSERT INTO t VALUES (1, 1, 'a', x'00')") }
    }

    @Test func errorsNameTheStatement() throws {
        let dir = try TempDirectory(prefix: "vigil-sqlite")
        defer { dir.remove() }
        let db = try SQLiteDatabase(path: dir.path + "/e.sqlite", mode: .create)
        do {
            _ = try db.prepare("SELEC nonsense")
            Issue.record("expected an error")
        } catch {
            #expect(error.description.contains("SELEC nonsense"))
        }
        #expect(throws: SQLiteError.self) { _ = try SQLiteDatabase(path: dir.path + "/missing/x.sqlite", mode: .readOnly(immutable: false)) }
    }
}
