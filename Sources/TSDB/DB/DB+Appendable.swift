import Model

extension DB: Appendable {
    /// Makes everything committed so far durable on disk (fsync of the WAL), whatever the sync
    /// policy. Push import calls it before acknowledging a body.
    package func syncWAL() throws(TSDBError) {
        try head.wal?.sync()
    }
}
