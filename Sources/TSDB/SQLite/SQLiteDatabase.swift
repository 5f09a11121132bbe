import CSQLite

/// A failed SQLite call: the result code, SQLite's message, and the statement when there is one.
package struct SQLiteError: Error, Sendable, CustomStringConvertible {
    package var code: Int32
    package var message: String
    package var sql: String?

    package var description: String {
        if let sql { return "sqlite error \(code): \(message) (in: \(sql))" }
        return "sqlite error \(code): \(message)"
    }
}

/// One SQLite connection. Not `Sendable`: a database belongs to one thread or one lock at a
/// time (the block reader keeps its connection inside a `Mutex`), because a `sqlite3*` handle
/// used from two threads at once without SQLite's own serialisation is undefined.
package final class SQLiteDatabase {
    private(set) var handle: OpaquePointer?
    package let path: String

    /// How the file is opened.
    package enum Mode: Sendable {
        /// Read-write, created if missing.
        case create
        /// Read-only. `immutable` tells SQLite the file never changes (an immutable block), so it
        /// skips locking and change detection.
        case readOnly(immutable: Bool)
    }

    /// Opens `path`. The connection uses SQLite's multi-thread mode (no internal mutex); callers
    /// serialise access.
    package init(path: String, mode: Mode) throws(SQLiteError) {
        self.path = path
        var flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_URI
        var target = path
        switch mode {
        case .create:
            flags |= SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE
        case .readOnly(let immutable):
            flags |= SQLITE_OPEN_READONLY
            if immutable { target = "file:" + SQLiteDatabase.uriEscape(path) + "?immutable=1" }
        }
        var db: OpaquePointer?
        let rc = sqlite3_open_v2(target, &db, flags, nil)
        guard rc == SQLITE_OK, let db else {
            let msg = db.map { String(cString: sqlite3_errmsg($0)) } ?? "cannot open"
            sqlite3_close_v2(db)
            throw SQLiteError(code: rc, message: msg, sql: nil)
        }
        handle = db
        sqlite3_extended_result_codes(db, 1)
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Runs one or more statements that return no rows (schema, pragmas).
    package func exec(_ sql: String) throws(SQLiteError) {
        var err: UnsafeMutablePointer<CChar>?
        let rc = sqlite3_exec(handle, sql, nil, nil, &err)
        if rc != SQLITE_OK {
            let msg = err.map { String(cString: $0) } ?? lastMessage
            sqlite3_free(err)
            throw SQLiteError(code: rc, message: msg, sql: sql)
        }
    }

    /// Compiles a statement for repeated use.
    package func prepare(_ sql: String) throws(SQLiteError) -> SQLiteStatement {
        var stmt: OpaquePointer?
        let rc = sqlite3_prepare_v3(handle, sql, -1, UInt32(SQLITE_PREPARE_PERSISTENT), &stmt, nil)
        guard rc == SQLITE_OK, let stmt else { throw SQLiteError(code: rc, message: lastMessage, sql: sql) }
        return SQLiteStatement(stmt, database: self, sql: sql)
    }

    /// Runs `body` inside `BEGIN`/`COMMIT`, rolling back when it throws.
    package func transaction<T>(_ body: () throws(SQLiteError) -> T) throws(SQLiteError) -> T {
        try exec("BEGIN")
        do {
            let result = try body()
            try exec("COMMIT")
            return result
        } catch {
            try? exec("ROLLBACK")
            throw error
        }
    }

    /// The rowid of the last successful insert on this connection.
    package var lastInsertRowID: Int64 { sqlite3_last_insert_rowid(handle) }

    var lastMessage: String { String(cString: sqlite3_errmsg(handle)) }

    /// SQLite's library version, e.g. "3.40.1".
    package static var libraryVersion: String { String(cString: sqlite3_libversion()) }

    /// Escapes a path for use in a `file:` URI.
    static func uriEscape(_ path: String) -> String {
        var out = ""
        for b in path.utf8 {
            switch b {
            case UInt8(ascii: "%"), UInt8(ascii: "?"), UInt8(ascii: "#"):
                out += "%" + String(b, radix: 16, uppercase: true)
            default:
                out.unicodeScalars.append(Unicode.Scalar(b))
            }
        }
        return out
    }
}

/// A prepared statement. Bind parameters (1-based), `step()` through rows, read columns
/// (0-based), then `reset()` to run it again. Belongs to its database's owner.
package final class SQLiteStatement {
    private let stmt: OpaquePointer
    // Keeps the connection alive as long as a statement exists.
    private let database: SQLiteDatabase
    package let sql: String

    /// SQLite copies bound text and blobs (SQLITE_TRANSIENT), so callers' buffers may go away.
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    init(_ stmt: OpaquePointer, database: SQLiteDatabase, sql: String) {
        self.stmt = stmt
        self.database = database
        self.sql = sql
    }

    deinit {
        sqlite3_finalize(stmt)
    }

    package func bind(_ index: Int32, _ value: Int64) throws(SQLiteError) {
        try check(sqlite3_bind_int64(stmt, index, value))
    }

    package func bind(_ index: Int32, _ value: Double) throws(SQLiteError) {
        try check(sqlite3_bind_double(stmt, index, value))
    }

    package func bind(_ index: Int32, _ value: String) throws(SQLiteError) {
        try check(sqlite3_bind_text(stmt, index, value, -1, SQLiteStatement.transient))
    }

    package func bind(_ index: Int32, blob: [UInt8]) throws(SQLiteError) {
        let rc = blob.withUnsafeBytes { raw in
            // A zero-length blob still needs a non-null pointer to be a blob rather than NULL.
            sqlite3_bind_blob(stmt, index, raw.baseAddress ?? UnsafeRawPointer(bitPattern: 1), Int32(raw.count), SQLiteStatement.transient)
        }
        try check(rc)
    }

    package func bindNull(_ index: Int32) throws(SQLiteError) {
        try check(sqlite3_bind_null(stmt, index))
    }

    /// Advances to the next row: true when a row is available, false when done.
    package func step() throws(SQLiteError) -> Bool {
        let rc = sqlite3_step(stmt)
        if rc == SQLITE_ROW { return true }
        if rc == SQLITE_DONE { return false }
        throw SQLiteError(code: rc, message: database.lastMessage, sql: sql)
    }

    /// Runs a statement that returns no rows, then resets it.
    package func run() throws(SQLiteError) {
        defer { reset() }
        _ = try step()
    }

    /// Makes the statement runnable again and clears its bindings.
    package func reset() {
        sqlite3_reset(stmt)
        sqlite3_clear_bindings(stmt)
    }

    package func int64(_ column: Int32) -> Int64 { sqlite3_column_int64(stmt, column) }
    package func double(_ column: Int32) -> Double { sqlite3_column_double(stmt, column) }
    package func isNull(_ column: Int32) -> Bool { sqlite3_column_type(stmt, column) == SQLITE_NULL }

    package func text(_ column: Int32) -> String {
        guard let p = sqlite3_column_text(stmt, column) else { return "" }
        let n = Int(sqlite3_column_bytes(stmt, column))
        return String(decoding: UnsafeBufferPointer(start: p, count: n), as: UTF8.self)
    }

    package func blob(_ column: Int32) -> [UInt8] {
        let n = Int(sqlite3_column_bytes(stmt, column))
        guard n > 0, let p = sqlite3_column_blob(stmt, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: p, count: n))
    }

    private func check(_ rc: Int32) throws(SQLiteError) {
        if rc != SQLITE_OK { throw SQLiteError(code: rc, message: database.lastMessage, sql: sql) }
    }
}
