import Model

/// Operations on postings lists: sorted, duplicate-free arrays of series references.
enum Postings {
    /// The references in both lists.
    static func intersect(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        var out: [SeriesRef] = []
        out.reserveCapacity(min(a.count, b.count))
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                out.append(a[i]); i += 1; j += 1
            } else if a[i] < b[j] {
                i += 1
            } else {
                j += 1
            }
        }
        return out
    }

    /// The references in `a` but not in `b`.
    static func subtract(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        if b.isEmpty { return a }
        var out: [SeriesRef] = []
        out.reserveCapacity(a.count)
        var j = 0
        for r in a {
            while j < b.count && b[j] < r { j += 1 }
            if j < b.count && b[j] == r { continue }
            out.append(r)
        }
        return out
    }

    /// The references in any of the lists.
    static func union(_ lists: [[SeriesRef]]) -> [SeriesRef] {
        switch lists.count {
        case 0: return []
        case 1: return lists[0]
        case 2: return merge(lists[0], lists[1])
        default:
            // Pairwise merging keeps the work at n log k.
            var level = lists
            while level.count > 1 {
                var next: [[SeriesRef]] = []
                var i = 0
                while i < level.count {
                    next.append(i + 1 < level.count ? merge(level[i], level[i + 1]) : level[i])
                    i += 2
                }
                level = next
            }
            return level[0]
        }
    }

    static func merge(_ a: [SeriesRef], _ b: [SeriesRef]) -> [SeriesRef] {
        var out: [SeriesRef] = []
        out.reserveCapacity(a.count + b.count)
        var i = 0, j = 0
        while i < a.count && j < b.count {
            if a[i] == b[j] {
                out.append(a[i]); i += 1; j += 1
            } else if a[i] < b[j] {
                out.append(a[i]); i += 1
            } else {
                out.append(b[j]); j += 1
            }
        }
        out.append(contentsOf: a[i...])
        out.append(contentsOf: b[j...])
        return out
    }

    /// Inserts `ref` keeping the list sorted (appending in the common, increasing case).
    static func insert(_ ref: SeriesRef, into list: inout [SeriesRef]) {
        if let last = list.last, last >= ref {
            var lo = 0, hi = list.count
            while lo < hi {
                let mid = (lo + hi) / 2
                if list[mid] < ref { lo = mid + 1 } else { hi = mid }
            }
            if lo < list.count && list[lo] == ref { return }
            list.insert(ref, at: lo)
        } else {
            list.append(ref)
        }
    }
}
