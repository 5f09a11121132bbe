import Model
import Synchronization

/// One lock stripe of the head's series registry.
///
/// A series lives in stripe `ref & (Head.stripeCount - 1)`, and the head makes the low bits of
/// every reference equal to the low bits of the labels' hash, so the by-reference map and the
/// by-hash map of a series are in the same stripe and one lock covers lookup, creation and
/// append.
final class SeriesStripe: Sendable {
    struct State {
        var series: [SeriesRef: MemSeries] = [:]
        /// The first series with a given hash.
        var byHash: [UInt64: SeriesRef] = [:]
        /// Further series whose labels hash the same (64-bit collisions: handled, never expected).
        var collisions: [UInt64: [SeriesRef]] = [:]

        /// The series with exactly these labels.
        func lookup(hash: UInt64, labels: Labels) -> SeriesRef? {
            guard let first = byHash[hash] else { return nil }
            if series[first]?.labels == labels { return first }
            for ref in collisions[hash] ?? [] where series[ref]?.labels == labels { return ref }
            return nil
        }

        mutating func insert(_ ref: SeriesRef, hash: UInt64, series s: MemSeries) {
            series[ref] = s
            if byHash[hash] == nil {
                byHash[hash] = ref
            } else {
                collisions[hash, default: []].append(ref)
            }
        }

        mutating func remove(_ ref: SeriesRef, hash: UInt64) {
            series[ref] = nil
            if byHash[hash] == ref {
                if var more = collisions[hash], !more.isEmpty {
                    byHash[hash] = more.removeFirst()
                    collisions[hash] = more.isEmpty ? nil : more
                } else {
                    byHash[hash] = nil
                }
            } else if var more = collisions[hash] {
                more.removeAll { $0 == ref }
                collisions[hash] = more.isEmpty ? nil : more
            }
        }
    }

    let state = Mutex(State())
}
