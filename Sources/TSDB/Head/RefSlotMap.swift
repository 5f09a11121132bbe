import Model

/// A stripe's series reference → slot map: open addressing with linear probing over two plain
/// arrays, Fibonacci hashing of the reference, deletion by backward shift (no tombstones).
///
/// Replaces a `Dictionary<SeriesRef, Int32>`, whose SipHash-based lookup was the most expensive
/// step of appending a scraped sample. References are never 0 (sequence numbers start at 1), so
/// 0 marks an empty bucket.
struct RefSlotMap: Sequence {
    private var keys: [UInt64]
    private var values: [Int32]
    private var shift: UInt64
    private(set) var count = 0

    init() {
        keys = [UInt64](repeating: 0, count: 16)
        values = [Int32](repeating: 0, count: 16)
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
            let mask = keys.count - 1
            var i = bucket(key)
            while true {
                let k = keys[i]
                if k == key { return values[i] }
                if k == 0 { return nil }
                i = (i + 1) & mask
            }
        }
        set {
            if let newValue { insert(ref.rawValue, newValue) } else { _ = removeValue(forKey: ref) }
        }
    }

    private mutating func insert(_ key: UInt64, _ value: Int32) {
        precondition(key != 0, "series reference 0 is reserved")
        if (count + 1) * 4 > keys.count * 3 { grow() }
        let mask = keys.count - 1
        var i = bucket(key)
        while true {
            let k = keys[i]
            if k == key { values[i] = value; return }
            if k == 0 {
                keys[i] = key
                values[i] = value
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
        let mask = keys.count - 1
        var i = bucket(key)
        while keys[i] != key {
            if keys[i] == 0 { return nil }
            i = (i + 1) & mask
        }
        let removed = values[i]
        // Backward shift: move later members of the probe run into the hole when their home
        // bucket does not lie cyclically in (hole, position].
        var hole = i
        var j = (i + 1) & mask
        while keys[j] != 0 {
            let home = bucket(keys[j])
            let between = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j)
            if !between {
                keys[hole] = keys[j]
                values[hole] = values[j]
                hole = j
            }
            j = (j + 1) & mask
        }
        keys[hole] = 0
        count -= 1
        return removed
    }

    private mutating func grow() {
        let oldKeys = keys, oldValues = values
        keys = [UInt64](repeating: 0, count: oldKeys.count * 2)
        values = [Int32](repeating: 0, count: oldKeys.count * 2)
        shift -= 1
        count = 0
        for (i, k) in oldKeys.enumerated() where k != 0 { insert(k, oldValues[i]) }
    }

    /// (reference, slot) pairs in bucket order.
    func makeIterator() -> AnyIterator<(SeriesRef, Int32)> {
        var i = 0
        let keys = self.keys, values = self.values
        return AnyIterator {
            while i < keys.count {
                defer { i += 1 }
                if keys[i] != 0 { return (SeriesRef(keys[i]), values[i]) }
            }
            return nil
        }
    }
}
