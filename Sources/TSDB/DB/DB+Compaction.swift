import Dispatch
import Model

extension DB {
    /// Runs one round of background work now, on the worker, and waits for it: compacts the
    /// head while it is compactable, merges blocks while the planner finds work, applies
    /// retention. Tests and admin commands use it; the daemon relies on the background worker.
    package func compact() throws(TSDBError) {
        let result: Result<Void, TSDBError> = worker.sync {
            do throws(TSDBError) { try runCompactionCycle(); return .success(()) } catch { return .failure(error) }
        }
        try result.get()
    }

    /// One round of background work. Runs on `worker`.
    func runCompactionCycle() throws(TSDBError) {
        if closedFlag.load(ordering: .relaxed) { return }
        try compactHead()
        while !closedFlag.load(ordering: .relaxed), let group = Compactor.plan(blocks, ranges: options.compactionRanges) {
            try compactBlocks(group)
        }
        try applyRetention()
    }

    /// Writes the head's oldest block range as a block and truncates the head, while the head
    /// spans more than 1.5 block ranges.
    func compactHead() throws(TSDBError) {
        while !closedFlag.load(ordering: .relaxed) && headCompactable {
            let range = options.blockRangeMs
            let mint = Compactor.alignDown(head.minTime, range)
            let maxt = Compactor.saturatingAdd(mint, range)
            if !head.waitForPendingAppends(below: maxt) {
                logger(.warn, "appender batches still open in the range being compacted; compacting anyway", [("maxt", String(maxt))])
            }
            let started = DispatchTime.now().uptimeNanoseconds
            do throws(TSDBError) {
                if let block = try writeHeadBlock(mint: mint, maxt: maxt) {
                    let generation = state.withLock { s -> UInt64 in
                        s.blocks = DB.sortBlocks(s.blocks + [block])
                        s.generation += 1
                        return s.generation
                    }
                    // Queriers that saw the block list without this block read the range from
                    // the head: let them finish before the head drops it.
                    if !waitForReaders(before: generation, mint: mint, maxt: maxt - 1) {
                        logger(.warn, "queriers still open over the range being truncated from the head; truncating anyway",
                               [("mint", String(mint)), ("maxt", String(maxt))])
                    }
                    let stats = block.meta.stats
                    let context: [(String, String)] = [("block", block.dir), ("mint", String(mint)), ("maxt", String(maxt)),
                                                       ("series", String(stats.numSeries)), ("samples", String(stats.numSamples))]
                    logger(.info, "wrote block from head", context)
                }
                DBMetrics.add(metrics.compactions)
                DBMetrics.add(metrics.headCompactions)
                DBMetrics.add(metrics.compactionNanos, Int(DispatchTime.now().uptimeNanoseconds &- started))
            } catch {
                DBMetrics.add(metrics.compactionsFailed)
                throw error
            }
            do throws(TSDBError) {
                // A fresh segment, so everything written so far can be checkpointed now.
                try head.wal?.rotate()
                try head.truncate(mint: maxt)
                DBMetrics.add(metrics.headTruncations)
            } catch {
                DBMetrics.add(metrics.headTruncationsFailed)
                throw error
            }
            if head.minTime < maxt {
                // Data below the new bound is still held (a batch that would not finish):
                // stop rather than loop; the next round tries again.
                logger(.warn, "head truncation left data below the compacted range", [("maxt", String(maxt))])
                return
            }
        }
    }

    /// Writes the head's samples in `[mint, maxt)` as a block in `parentDir` (default: the DB
    /// directory); nil when there are none.
    func writeHeadBlock(mint: Int64, maxt: Int64, parentDir: String? = nil) throws(TSDBError) -> Block? {
        let builder = try BlockBuilder(parentDir: parentDir ?? dir, minTime: mint, maxTime: maxt, compaction: nil, compress: options.compressChunks)
        do throws(TSDBError) {
            // Head chunks (XOR, 120 samples) are re-encoded as packed block chunks.
            for s in head.seriesSnapshot(mint: mint, maxt: maxt - 1) {
                var it = HeadSeriesIterator(chunks: s.chunks, mint: mint, maxt: maxt - 1, deleted: s.deleted)
                try builder.add(s.labels, try BlockChunkEncoder.encode(&it, mint: mint, maxt: maxt - 1,
                                                                     samplesPerChunk: options.blockSamplesPerChunk, rangeMs: options.blockRangeMs))
            }
            guard try builder.finish() != nil else { return nil }
        } catch {
            builder.abort()
            throw error
        }
        return try Block.open(builder.finalDir)
    }

    /// Merges `group` into one block, then drops and deletes the inputs.
    func compactBlocks(_ group: [Block]) throws(TSDBError) {
        let started = DispatchTime.now().uptimeNanoseconds
        let out: Block?
        do throws(TSDBError) {
            out = try Compactor.merge(group, into: dir, samplesPerChunk: options.blockSamplesPerChunk, rangeMs: options.blockRangeMs,
                                     compress: options.compressChunks)
            DBMetrics.add(metrics.compactions)
            DBMetrics.add(metrics.compactionNanos, Int(DispatchTime.now().uptimeNanoseconds &- started))
        } catch {
            DBMetrics.add(metrics.compactionsFailed)
            logger(.error, "block compaction failed", [("blocks", group.map(\.meta.ulid).joined(separator: ",")), ("err", error.description)])
            throw error
        }
        let gone = Set(group.map(\.meta.ulid))
        state.withLock { s in
            s.blocks = DB.sortBlocks(s.blocks.filter { !gone.contains($0.meta.ulid) } + (out.map { [$0] } ?? []))
        }
        logger(.info, "compacted blocks", [("sources", group.map(\.meta.ulid).joined(separator: ",")), ("block", out?.dir ?? "(empty)")])
        for b in group { try DB.deleteBlockDirectory(b.dir) }
    }

    /// Removes a block directory: renamed first, so a crash midway leaves a `*.tmp-for-deletion`
    /// that start-up removes rather than half a block. Queriers still holding the block keep
    /// reading their open files.
    static func deleteBlockDirectory(_ path: String) throws(TSDBError) {
        let doomed = path + ".tmp-for-deletion"
        try DiskDirectory.rename(path, doomed)
        if let slash = path.lastIndex(of: "/"), slash != path.startIndex {
            try DiskDirectory.sync(String(path[..<slash]))
        }
        try DiskDirectory.removeAll(doomed)
    }

    /// Picks up block directories that appeared since open (written by `BlockWriter` into the
    /// DB directory, e.g. by an import) and asks the worker to compact. Returns how many were added.
    @discardableResult
    package func reloadBlocks() throws(TSDBError) -> Int {
        let result: Result<Int, TSDBError> = worker.sync {
            do throws(TSDBError) {
                let known = Set(blocks.map(\.meta.ulid))
                var added: [Block] = []
                for name in try DiskDirectory.list(dir).sorted() where ULID(string: name) != nil && !known.contains(name) {
                    let path = dir + "/" + name
                    guard DiskDirectory.isDirectory(path) else { continue }
                    do throws(TSDBError) {
                        added.append(try Block.open(path))
                    } catch {
                        DBMetrics.add(metrics.corruptBlocks)
                        logger(.error, "skipping unreadable block", [("block", path), ("err", error.description)])
                    }
                }
                if !added.isEmpty { state.withLock { $0.blocks = DB.sortBlocks($0.blocks + added) } }
                DBMetrics.add(metrics.reloads)
                return .success(added.count)
            } catch {
                DBMetrics.add(metrics.reloadsFailed)
                return .failure(error)
            }
        }
        let n = try result.get()
        if n > 0 { requestCompaction() }
        return n
    }
}
