/// A series stripe's map from labels hash to slot in the stripe's `slots` array: open
/// addressing with linear probing over one `[UInt64]`, each entry packing the hash's high 32
/// bits with the slot, so a lookup touches one cache line. Deletion shifts the following entries
/// back (no tombstones). It replaces a `[UInt64: SeriesRef]` dictionary plus a collisions
/// dictionary: ~11 bytes per series instead of ~30, and no SipHash.
///
/// A multi-map: 64-bit collisions are kept (never expected). Entries are
/// `hash & 0xFFFF_FFFF_0000_0000 | slot`; all ones is empty. A lookup compares the high 32 bits
/// of the hash, then the caller compares labels.
struct HashSlotTable {
    private var entries: [UInt64] = []
    private var shift: UInt64 = 64
    private(set) var count = 0

    private static let empty = UInt64.max
    private static let highMask: UInt64 = 0xFFFF_FFFF_0000_0000

    @inline(__always)
    private func home(_ high: UInt64) -> Int {
        // The hash is already uniform: its top bits pick the bucket.
        Int(truncatingIfNeeded: high >> shift)
    }

    /// Calls `body` with each slot stored under `hash` until it returns true; returns that slot.
    @inline(__always)
    func first(_ hash: UInt64, where body: (Int) -> Bool) -> Int? {
        if count == 0 { return nil }
        let high = hash & Self.highMask
        let mask = entries.count - 1
        var i = home(high)
        while true {
            let x = entries[i]
            if x == Self.empty { return nil }
            if x & Self.highMask == high {
                let slot = Int(truncatingIfNeeded: x & 0xFFFF_FFFF)
                if body(slot) { return slot }
            }
            i = (i + 1) & mask
        }
    }

    /// Adds `slot` under `hash`.
    mutating func insert(_ hash: UInt64, slot: Int) {
        if (count + 1) * 4 > entries.count * 3 { resize(max(16, entries.count * 2)) }
        place(hash & Self.highMask | UInt64(UInt32(truncatingIfNeeded: slot)))
        count += 1
    }

    private mutating func place(_ entry: UInt64) {
        let mask = entries.count - 1
        var i = home(entry & Self.highMask)
        while entries[i] != Self.empty { i = (i + 1) & mask }
        entries[i] = entry
    }

    /// Removes the entry for `slot` under `hash`, if present.
    mutating func remove(_ hash: UInt64, slot: Int) {
        if count == 0 { return }
        let want = hash & Self.highMask | UInt64(UInt32(truncatingIfNeeded: slot))
        let mask = entries.count - 1
        var i = home(want & Self.highMask)
        while true {
            let x = entries[i]
            if x == Self.empty { return }
            if x == want { break }
            i = (i + 1) & mask
        }
        var hole = i
        var j = (i + 1) & mask
        while entries[j] != Self.empty {
            let h = home(entries[j] & Self.highMask)
            let between = hole <= j ? (h > hole && h <= j) : (h > hole || h <= j)
            if !between {
                entries[hole] = entries[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        entries[hole] = Self.empty
        count -= 1
        if entries.count > 64 && count * 16 < entries.count { resize(entries.count / 4) }
    }

    private mutating func resize(_ capacity: Int) {
        let old = entries
        entries = [UInt64](repeating: Self.empty, count: capacity)
        shift = UInt64(64 - capacity.trailingZeroBitCount)
        for x in old where x != Self.empty { place(x) }
    }
}
