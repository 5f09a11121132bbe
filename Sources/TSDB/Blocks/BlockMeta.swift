import Foundation

/// A block's `meta.json`: its identity, time range and statistics, in Prometheus' layout
/// (`tsdb/docs/format/README.md`, `block.go` `BlockMeta`), so tools that read Prometheus' field
/// names find the same ones. `maxTime` is exclusive: the block holds samples with
/// `minTime <= t < maxTime`.
package struct BlockMeta: Codable, Sendable, Equatable {
    /// The block's ULID, also its directory name.
    package var ulid: String
    /// The first millisecond the block covers (inclusive).
    package var minTime: Int64
    /// The end of the range the block covers (exclusive).
    package var maxTime: Int64
    /// Counts.
    package var stats: Stats
    /// Where the block came from.
    package var compaction: Compaction
    /// The meta format version (1).
    package var version: Int
    /// Vigil's own fields: the chunk and index formats, and how the chunk segments are encoded.
    package var vigil: VigilFields?

    /// Counts of what the block holds.
    package struct Stats: Codable, Sendable, Equatable {
        /// Samples.
        package var numSamples: Int64
        /// Series.
        package var numSeries: Int64
        /// Chunks.
        package var numChunks: Int64
        /// Tombstones (series, range) applied or pending.
        package var numTombstones: Int64?

        /// Counts.
        package init(numSamples: Int64 = 0, numSeries: Int64 = 0, numChunks: Int64 = 0, numTombstones: Int64? = nil) {
            self.numSamples = numSamples
            self.numSeries = numSeries
            self.numChunks = numChunks
            self.numTombstones = numTombstones
        }
    }

    /// A parent block of a compaction.
    package struct Parent: Codable, Sendable, Equatable {
        /// The parent's ULID.
        package var ulid: String
        /// Its range.
        package var minTime: Int64, maxTime: Int64
    }

    /// The compaction history.
    package struct Compaction: Codable, Sendable, Equatable {
        /// 1 for a block written from the head or by the backfill writer, one more than the
        /// highest input level for a compacted block.
        package var level: Int
        /// The ULIDs of the level-1 blocks whose data this block holds.
        package var sources: [String]
        /// The blocks merged into this one (empty for level 1).
        package var parents: [Parent]
        /// Whether compaction of this block failed before (Prometheus' field; not set by Vigil).
        package var failed: Bool?
        /// Hints such as "from-out-of-order" (kept when read).
        package var hints: [String]?

        /// A history.
        package init(level: Int, sources: [String], parents: [Parent] = []) {
            self.level = level
            self.sources = sources
            self.parents = parents
        }

        enum CodingKeys: String, CodingKey {
            case level, sources, parents, failed, hints
        }

        /// Decodes, tolerating a missing `parents` (Prometheus omits it for level 1).
        package init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            level = try c.decode(Int.self, forKey: .level)
            sources = try c.decodeIfPresent([String].self, forKey: .sources) ?? []
            parents = try c.decodeIfPresent([Parent].self, forKey: .parents) ?? []
            failed = try c.decodeIfPresent(Bool.self, forKey: .failed)
            hints = try c.decodeIfPresent([String].self, forKey: .hints)
        }
    }

    /// Vigil's block layout fields.
    package struct VigilFields: Codable, Sendable, Equatable {
        /// The index format (`index.sqlite`, schema version in its `info` table).
        package var index: String
        /// How chunk segments store chunks: "raw" or "lz4-pages" (see `FORMAT.md`).
        package var chunkSegments: String
    }

    /// The file name.
    package static let fileName = "meta.json"

    /// Parses `meta.json` bytes, checking what the reader relies on.
    package static func decode(_ data: [UInt8], path: String) throws(TSDBError) -> BlockMeta {
        let meta: BlockMeta
        do {
            meta = try JSONDecoder().decode(BlockMeta.self, from: Data(data))
        } catch {
            throw .blockCorrupt(path: path, reason: "meta.json does not parse: \(error)")
        }
        guard meta.version == 1 else { throw .blockCorrupt(path: path, reason: "meta.json version \(meta.version), expected 1") }
        guard ULID(string: meta.ulid) != nil else { throw .blockCorrupt(path: path, reason: "meta.json ulid \"\(meta.ulid)\" is not a ULID") }
        guard meta.minTime < meta.maxTime else {
            throw .blockCorrupt(path: path, reason: "meta.json minTime \(meta.minTime) is not before maxTime \(meta.maxTime)")
        }
        return meta
    }

    /// The JSON text, indented as Prometheus writes it.
    package func encode() -> [UInt8] {
        let enc = JSONEncoder()
        enc.outputFormatting = [.prettyPrinted, .sortedKeys]
        // Encoding plain structs of strings and integers cannot fail.
        return Array((try? enc.encode(self)) ?? Data())
    }

    /// Whether the block holds any time in `[mint, maxt]` (inclusive query range).
    package func overlaps(mint: Int64, maxt: Int64) -> Bool {
        minTime <= maxt && maxTime > mint
    }
}
