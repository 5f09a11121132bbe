import Model

/// The DB's appender: a head appender that, after each commit, asks the background worker to
/// compact the head when it has grown past 1.5 block ranges (the check is two atomic loads).
final class DBAppender: Appender {
    private let db: DB
    private let head: HeadAppender

    init(db: DB) {
        self.db = db
        head = db.head.appender()
    }

    func append(ref: SeriesRef, labels: Labels, t: Int64, v: Double) throws(StorageError) -> SeriesRef {
        try head.append(ref: ref, labels: labels, t: t, v: v)
    }

    func append(batch: inout AppendBatch) {
        head.append(batch: &batch)
    }

    func commit() throws(StorageError) {
        try head.commit()
        if db.headCompactable { db.requestCompaction() }
    }

    func rollback() throws(StorageError) {
        try head.rollback()
    }
}
