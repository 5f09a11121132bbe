import Synchronization

/// Decompressed, checksum-verified chunk pages shared by every block reader of the process,
/// bounded in bytes: queries that come back to the same series (dashboards refreshing, alert
/// rules) find their pages ready instead of verifying and decompressing them again. Compaction
/// reads past it, so a full scan does not wash it out.
///
/// Eviction is CLOCK (second chance): a page used since the hand last passed it stays one more
/// round. The cache is split into shards by key, each with its own lock and an equal share of
/// the budget, so concurrent queries rarely wait on each other. Loading happens outside the
/// lock, so two readers missing the same page at once both load it and the second insert is
/// dropped.
final class ChunkPageCache: Sendable {
    /// One page: the reader it belongs to, its segment and its offset in the segment.
    struct Key: Hashable, Sendable {
        var reader: UInt64
        var segment: Int
        var offset: Int
    }

    private struct Slot {
        var key: Key
        var page: [UInt8]
        var referenced: Bool
        var live: Bool
    }

    private struct State {
        var slots: [Slot] = []
        var index: [Key: Int] = [:]
        var free: [Int] = []
        var hand = 0
        var bytes = 0
        var hits = 0
        var misses = 0
    }

    /// The most page bytes held.
    let capacityBytes: Int
    private let shards: [Shard]

    /// One lock's worth of the cache.
    private final class Shard: Sendable {
        let capacityBytes: Int
        let state = Mutex(State())
        init(capacityBytes: Int) { self.capacityBytes = capacityBytes }
    }

    /// The process-wide cache the block readers use: 64 MiB.
    static let shared = ChunkPageCache(capacityBytes: 64 << 20)

    init(capacityBytes: Int, shards count: Int = 8) {
        self.capacityBytes = capacityBytes
        shards = (0 ..< max(1, count)).map { _ in Shard(capacityBytes: capacityBytes / max(1, count)) }
    }

    private func shard(_ key: Key) -> Shard {
        // Pages of one segment spread by offset; readers by identity.
        let h = UInt64(truncatingIfNeeded: key.offset) &* 0x9E37_79B9_7F4A_7C15 ^ key.reader &* 0xC2B2_AE3D_27D4_EB4F
        return shards[Int((h >> 32) % UInt64(shards.count))]
    }

    /// The cached page for `key`, or nil.
    func get(_ key: Key) -> [UInt8]? {
        shard(key).state.withLock { s -> [UInt8]? in
            guard let i = s.index[key] else {
                s.misses += 1
                return nil
            }
            s.hits += 1
            s.slots[i].referenced = true
            return s.slots[i].page
        }
    }

    /// Keeps `page` under `key`, evicting pages not used recently to stay within the budget.
    func put(_ key: Key, _ page: [UInt8]) {
        let size = page.count
        let shard = shard(key)
        let capacityBytes = shard.capacityBytes
        guard size > 0, size <= capacityBytes / 4 else { return }
        var evicted: [[UInt8]] = []
        shard.state.withLock { s in
            if s.index[key] != nil { return }
            while s.bytes + size > capacityBytes && !s.index.isEmpty {
                if s.hand >= s.slots.count { s.hand = 0 }
                let i = s.hand
                s.hand += 1
                guard s.slots[i].live else { continue }
                if s.slots[i].referenced {
                    s.slots[i].referenced = false
                    continue
                }
                s.index[s.slots[i].key] = nil
                s.bytes -= s.slots[i].page.count
                // Freed after the lock is released.
                evicted.append(s.slots[i].page)
                s.slots[i].page = []
                s.slots[i].live = false
                s.free.append(i)
            }
            let slot = Slot(key: key, page: page, referenced: false, live: true)
            if let i = s.free.popLast() {
                s.slots[i] = slot
                s.index[key] = i
            } else {
                s.index[key] = s.slots.count
                s.slots.append(slot)
            }
            s.bytes += size
        }
        evicted.removeAll()
    }

    /// Drops every page of `reader` (its block is going away).
    func remove(reader: UInt64) {
        var dropped: [[UInt8]] = []
        for shard in shards {
            shard.state.withLock { s in
                for i in s.slots.indices where s.slots[i].live && s.slots[i].key.reader == reader {
                    s.index[s.slots[i].key] = nil
                    s.bytes -= s.slots[i].page.count
                    dropped.append(s.slots[i].page)
                    s.slots[i].page = []
                    s.slots[i].live = false
                    s.free.append(i)
                }
            }
        }
        dropped.removeAll()
    }

    /// Bytes held, hits and misses so far.
    var stats: (bytes: Int, hits: Int, misses: Int) {
        var total = (bytes: 0, hits: 0, misses: 0)
        for shard in shards {
            let (b, h, m) = shard.state.withLock { ($0.bytes, $0.hits, $0.misses) }
            total.bytes += b
            total.hits += h
            total.misses += m
        }
        return total
    }

    /// A fresh reader identity (never reused, unlike object addresses).
    static func newReaderID() -> UInt64 { nextReader.add(1, ordering: .relaxed).newValue }

    private static let nextReader = Atomic<UInt64>(0)
}
