import Model
import Synchronization
import TSDB

/// The `Queryable` the query API is built on before the database is open: routes exist from
/// the first moment the server listens, storage arrives after WAL replay. Until then every
/// query fails with "storage is not open yet".
final class DeferredStorage: Queryable {
    private let db = Mutex<DB?>(nil)

    func attach(_ database: DB?) { db.withLock { $0 = database } }

    func querier(mint: Int64, maxt: Int64) throws(StorageError) -> any Querier {
        guard let d = db.withLock({ $0 }) else { throw .io("storage is not open yet") }
        return try d.querier(mint: mint, maxt: maxt)
    }
}
