import Model

/// A stripe's series reference → slot map: open addressing with linear probing over one array
/// of (reference, slot) buckets (a lookup touches one cache line), Fibonacci hashing of the
/// reference, deletion by backward shift (no tombstones).
///
/// Replaces a `Dictionary<SeriesRef, Int32>`, whose SipHash-based lookup was the most expensive
/// step of appending a scraped sample. References are never 0 (sequence numbers start at 1), so
/// 0 marks an empty bucket.
struct RefSlotMap: Sequence {
    private struct Bucket {
        var key: UInt64
        var value: Int32
    }

    private var buckets: [Bucket]
    private var shift: UInt64
    private(set) var count = 0

    init() {
        buckets = [Bucket](repeating: Bucket(key: 0, value: 0), count: 16)
        shift = 64 - 4
    }

    @inline(__always)
    private func bucket(_ key: UInt64) -> Int {
        Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> shift)
    }

    /// The slot of `ref`, or nil; setting nil removes it.
    subscript(ref: SeriesRef) -> Int32? {
        get {
            let key = ref.rawValue
            guard key != 0 else { return nil }
            return buckets.withUnsafeBufferPointer { b in
                let mask = b.count - 1
                var i = bucket(key)
                while true {
                    let k = b[i].key
                    if k == key { return b[i].value }
                    if k == 0 { return nil }
                    i = (i + 1) & mask
                }
            }
        }
        set {
            if let newValue { insert(ref.rawValue, newValue) } else { _ = removeValue(forKey: ref) }
        }
    }

    private mutating func insert(_ key: UInt64, _ value: Int32) {
        precondition(key != 0, "series reference 0 is reserved")
        if (count + 1) * 4 > buckets.count * 3 { grow() }
        let mask = buckets.count - 1
        var i = bucket(key)
        while true {
            let k = buckets[i].key
            if k == key { buckets[i].value = value; return }
            if k == 0 {
                buckets[i] = Bucket(key: key, value: value)
                count += 1
                return
            }
            i = (i + 1) & mask
        }
    }

    /// Removes `ref`; returns its slot if it was there.
    @discardableResult
    mutating func removeValue(forKey ref: SeriesRef) -> Int32? {
        let key = ref.rawValue
        guard key != 0 else { return nil }
        let mask = buckets.count - 1
        var i = bucket(key)
        while buckets[i].key != key {
            if buckets[i].key == 0 { return nil }
            i = (i + 1) & mask
        }
        let removed = buckets[i].value
        // Backward shift: move later members of the probe run into the hole when their home
        // bucket does not lie cyclically in (hole, position].
        var hole = i
        var j = (i + 1) & mask
        while buckets[j].key != 0 {
            let home = bucket(buckets[j].key)
            let between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !between {
                buckets[hole] = buckets[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        buckets[hole].key = 0
        count -= 1
        return removed
    }

    private mutating func grow() {
        let old = buckets
        buckets = [Bucket](repeating: Bucket(key: 0, value: 0), count: old.count * 2)
        shift -= 1
        count = 0
        for b in old where b.key != 0 { insert(b.key, b.value) }
    }

    /// (reference, slot) pairs in bucket order.
    func makeIterator() -> AnyIterator<(SeriesRef, Int32)> {
        var i = 0
        let buckets = self.buckets
        return AnyIterator {
            while i < buckets.count {
                defer { i += 1 }
                if buckets[i].key != 0 { return (SeriesRef(buckets[i].key), buckets[i].value) }
            }
            return nil
        }
    }
}
