internal import Glibc
import Model
import Exposition

/// One target's scrape cache (Prometheus' `scrapeCache`, scrape/scrape.go): the raw series
/// bytes of the exposition (`name{labels}` exactly as written) mapped to the storage reference
/// and final label set they produced, plus what staleness and metadata need.
///
/// Design:
/// - Keys live back to back in one byte arena; `entries` holds offsets, the key's hash, the
///   reference and two iteration numbers (plain values, so reading one copies no reference
///   and costs no retain), `labelSets` the final labels at the same index; `slots` is an
///   open-addressing (linear probing) table of entry indices. A lookup hashes the caller's bytes once
///   (xxHash64) and compares candidates with `memcmp`, so a known series costs no allocation,
///   no label parsing, no relabeling and no sorting.
/// - A series that metric relabeling dropped is an entry with `dropped` set, so it is skipped
///   as cheaply as a hit.
/// - Staleness is tracked per entry rather than in Prometheus' two ref-keyed maps:
///   `trackedIter` is the iteration in which the series was last appended without an explicit
///   timestamp. At the end of iteration `k`, the series whose `trackedIter` is `k - 1` were seen
///   in the previous scrape and not in this one: they get a stale marker. This is the set
///   difference `seriesPrev \ seriesCur` without building either set.
/// - Entries not seen in a successful scrape are dropped when the iteration ends, as are
///   metadata entries unseen for more than 10 iterations; the arena and table are rebuilt only
///   when something was dropped, so a steady-state scrape never rebuilds.
///
/// Not `Sendable`: it belongs to one scrape loop and is used by one task at a time.
final class ScrapeCache {
    /// One cached series, without its labels (those are in `labelSets` at the same index).
    struct Entry {
        var keyOffset: Int
        var keyLength: Int
        var hash: UInt64
        var ref: SeriesRef
        /// The iteration in which the key was last seen.
        var lastIter: UInt64
        /// The iteration in which the series was last tracked for staleness; 0 for never.
        var trackedIter: UInt64
        /// Metric relabeling dropped the series.
        var dropped: Bool
    }

    /// One metric family's metadata (`# TYPE`, `# HELP`, `# UNIT`).
    struct MetadataEntry: Equatable {
        var type: MetricType = .unknown
        var help = ""
        var unit = ""
        var lastIter: UInt64 = 0
    }

    private(set) var entries: [Entry] = []
    /// The final labels of `entries[i]`.
    private(set) var labelSets: [Labels] = []
    private var keys: [UInt8] = []
    private var slots: [Int32]
    private var mask: Int

    /// The current scrape iteration; starts at 1 so that 0 can mean "never".
    private(set) var iter: UInt64 = 1
    /// How many series and metadata entries there were after the last successful scrape.
    private var successfulCount = 0
    /// Metadata by metric family name.
    private(set) var metadata: [String: MetadataEntry] = [:]
    /// Set when metadata changed since the last `takeMetadataChanged()`.
    private var metadataChanged = false
    /// Number of forced flushes (the cache grew over failed scrapes).
    private(set) var forcedFlushes = 0

    /// An empty cache.
    init(capacity: Int = 64) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        slots = [Int32](repeating: -1, count: size)
        mask = size - 1
        entries.reserveCapacity(capacity)
        labelSets.reserveCapacity(capacity)
    }

    /// The number of cached keys, dropped ones included.
    var count: Int { entries.count }

    /// The hash a key is stored under.
    @inline(__always)
    static func hash(_ key: UnsafeRawBufferPointer) -> UInt64 { XXHash64.hash(key) }

    /// The index of the entry for `key` (whose hash is `hash`), or nil.
    func find(_ key: UnsafeRawBufferPointer, hash: UInt64) -> Int? {
        var slot = Int(truncatingIfNeeded: hash) & mask
        while true {
            let index = Int(slots[slot])
            if index < 0 { return nil }
            if entries[index].hash == hash && entries[index].keyLength == key.count
                && keyEquals(at: entries[index].keyOffset, key) { return index }
            slot = (slot + 1) & mask
        }
    }

    private func keyEquals(at offset: Int, _ key: UnsafeRawBufferPointer) -> Bool {
        if key.isEmpty { return true }
        return keys.withUnsafeBytes { arena in
            guard let a = arena.baseAddress, let b = key.baseAddress else { return false }
            return memcmp(a + offset, b, key.count) == 0
        }
    }

    /// Marks the entry at `index` as seen in this iteration; true when it had already been seen
    /// in this iteration (the same series twice in one scrape).
    @inline(__always)
    func markSeen(_ index: Int) -> Bool {
        let already = entries[index].lastIter == iter
        entries[index].lastIter = iter
        return already
    }

    /// The reference of the entry at `index`.
    @inline(__always)
    func ref(_ index: Int) -> SeriesRef { entries[index].ref }

    /// True when metric relabeling dropped the series at `index`.
    @inline(__always)
    func isDropped(_ index: Int) -> Bool { entries[index].dropped }

    /// The final labels of the entry at `index`.
    @inline(__always)
    func labels(_ index: Int) -> Labels { labelSets[index] }

    /// Points the entry at a new reference (the storage recreated the series).
    @inline(__always)
    func updateRef(_ index: Int, _ ref: SeriesRef) {
        if entries[index].ref != ref { entries[index].ref = ref }
    }

    /// Records that the series at `index` was appended without an explicit timestamp in this
    /// iteration, so it gets a stale marker when it disappears.
    @inline(__always)
    func trackStaleness(_ index: Int) { entries[index].trackedIter = iter }

    /// Adds a series seen in this iteration and returns its index.
    @discardableResult
    func add(_ key: UnsafeRawBufferPointer, hash: UInt64, ref: SeriesRef, labels: Labels, dropped: Bool = false) -> Int {
        let index = entries.count
        entries.append(Entry(keyOffset: keys.count, keyLength: key.count, hash: hash, ref: ref,
                             lastIter: iter, trackedIter: 0, dropped: dropped))
        labelSets.append(labels)
        keys.append(contentsOf: key)
        if (entries.count) * 2 > slots.count {
            rebuildSlots(size: slots.count * 2)
        } else {
            place(index)
        }
        return index
    }

    private func place(_ index: Int) {
        var slot = Int(truncatingIfNeeded: entries[index].hash) & mask
        while slots[slot] >= 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(index)
    }

    private func rebuildSlots(size: Int) {
        var n = 16
        while n < size { n <<= 1 }
        slots = [Int32](repeating: -1, count: n)
        mask = n - 1
        for index in entries.indices { place(index) }
    }

    /// Calls `body` with the reference and labels of every series that was tracked in the
    /// previous iteration and not in this one (Prometheus' `forEachStale`), stopping when it
    /// returns false. A reference that some other key tracked in this iteration (one series
    /// written two ways) is skipped, as Prometheus' ref-keyed sets would.
    func forEachStale(_ body: (SeriesRef, Labels) -> Bool) {
        let previous = iter - 1
        guard previous > 0 else { return }
        var candidates: [Int] = []
        for index in entries.indices where entries[index].trackedIter == previous && !entries[index].dropped {
            candidates.append(index)
        }
        if candidates.isEmpty { return }
        var current = Set<SeriesRef>()
        for e in entries where e.trackedIter == iter { current.insert(e.ref) }
        for index in candidates {
            let ref = entries[index].ref
            if current.contains(ref) { continue }
            if !body(ref, labelSets[index]) { return }
        }
    }

    /// Ends the iteration (Prometheus' `iterDone`): after a successful scrape (`flush`) entries
    /// not seen in it are dropped; after failed ones the cache is flushed anyway once it has
    /// grown past twice its last successful size plus 1000.
    func iterDone(flush: Bool) {
        let count = entries.count + metadata.count
        var flush = flush
        if flush {
            successfulCount = count
        } else if count > successfulCount * 2 + 1000 {
            flush = true
            forcedFlushes += 1
        }
        if flush {
            let now = iter
            if entries.contains(where: { $0.lastIter != now }) { compact() }
            let expired = metadata.filter { now - $0.value.lastIter > 10 }
            if !expired.isEmpty {
                for name in expired.keys { metadata.removeValue(forKey: name) }
                metadataChanged = true
            }
        }
        iter += 1
    }

    /// Keeps only the entries seen in this iteration, rebuilding the arena and the table.
    private func compact() {
        let now = iter
        var newEntries: [Entry] = []
        newEntries.reserveCapacity(entries.count)
        var newLabels: [Labels] = []
        newLabels.reserveCapacity(entries.count)
        var newKeys: [UInt8] = []
        newKeys.reserveCapacity(keys.count)
        for (i, var e) in entries.enumerated() where e.lastIter == now {
            let start = e.keyOffset
            e.keyOffset = newKeys.count
            newKeys.append(contentsOf: keys[start ..< start + e.keyLength])
            newEntries.append(e)
            newLabels.append(labelSets[i])
        }
        entries = newEntries
        labelSets = newLabels
        keys = newKeys
        rebuildSlots(size: max(16, entries.count * 2))
    }

    // MARK: Metadata

    /// Records a `# TYPE` line.
    func setType(_ family: String, _ type: MetricType) {
        updateMetadata(family) { $0.type = type }
    }

    /// Records a `# HELP` line.
    func setHelp(_ family: String, _ help: String) {
        updateMetadata(family) { $0.help = help }
    }

    /// Records a `# UNIT` line.
    func setUnit(_ family: String, _ unit: String) {
        updateMetadata(family) { $0.unit = unit }
    }

    private func updateMetadata(_ family: String, _ change: (inout MetadataEntry) -> Void) {
        var e = metadata[family] ?? MetadataEntry()
        let before = e
        change(&e)
        e.lastIter = iter
        if e.type != before.type || e.help != before.help || e.unit != before.unit { metadataChanged = true }
        metadata[family] = e
    }

    /// True once after metadata changed (added, altered or expired).
    func takeMetadataChanged() -> Bool {
        defer { metadataChanged = false }
        return metadataChanged
    }
}
