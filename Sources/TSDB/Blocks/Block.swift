import Glibc
import Model

/// An immutable block on disk: `meta.json`, `index.sqlite`, `chunks/` (see `FORMAT.md`).
/// Shared by queriers, which keep it alive (and its files mapped) after the DB drops it.
package final class Block: Sendable {
    /// The block directory.
    package let dir: String
    /// The parsed `meta.json`.
    package let meta: BlockMeta
    /// Bytes of the block's files, measured at open.
    package let sizeBytes: Int64

    private init(dir: String, meta: BlockMeta) {
        self.dir = dir
        self.meta = meta
        sizeBytes = DB.diskUsage(dir)
    }

    /// Opens the block in `dir`, checking its meta.
    package static func open(_ dir: String) throws(TSDBError) -> Block {
        let path = dir + "/" + BlockMeta.fileName
        let file = try DiskFile.open(path, flags: O_RDONLY)
        let bytes = try file.withMappedBytes { Array($0) }
        return Block(dir: dir, meta: try BlockMeta.decode(bytes, path: path))
    }

    /// Whether the block holds any time in `[mint, maxt]`.
    package func overlaps(mint: Int64, maxt: Int64) -> Bool { meta.overlaps(mint: mint, maxt: maxt) }

    /// A querier over the block.
    // TODO(blocks): read index.sqlite and chunk segments; blocks are not written yet either.
    func querier(mint: Int64, maxt: Int64) throws(TSDBError) -> any Querier { EmptyQuerier() }
}

private final class EmptyQuerier: Querier {
    func select(_ matchers: [Matcher], hints: SelectHints) -> any SeriesSet { ArraySeriesSet([]) }
    func labelValues(_ name: String, matchers: [Matcher], limit: Int) throws(StorageError) -> [String] { [] }
    func labelNames(matchers: [Matcher], limit: Int) throws(StorageError) -> [String] { [] }
    func close() {}
}
