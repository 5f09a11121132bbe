import Model

extension DB {
    /// One round of background work: compact the head while it is compactable, merge blocks,
    /// apply retention. Runs on `worker`.
    func runCompactionCycle() throws(TSDBError) {
        // TODO(blocks): head compaction, block compaction and retention land in the next commits.
    }
}
