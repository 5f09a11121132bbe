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
        /// Series stored densely; a freed slot holds an empty placeholder and is reused.
        var slots: [MemSeries] = []
        var freeSlots: [Int32] = []
        /// Reference → slot. Lookups only read it, and mutation goes through `slots` in place, so
        /// a sample append never copies a series (a dictionary of structs would, on `_modify`).
        var index = RefSlotMap()
        /// The first series with a given hash.
        var byHash: [UInt64: SeriesRef] = [:]
        /// Further series whose labels hash the same (64-bit collisions: handled, never expected).
        var collisions: [UInt64: [SeriesRef]] = [:]

        /// Number of series.
        var count: Int { index.count }

        /// True when the series exists.
        func contains(_ ref: SeriesRef) -> Bool { index[ref] != nil }

        /// A copy of the series (read paths).
        func get(_ ref: SeriesRef) -> MemSeries? {
            guard let i = index[ref] else { return nil }
            return slots[Int(i)]
        }

        /// Runs `body` on the series at `slot` in place (a slot an appender holds a pending sample
        /// for, which keeps the series from being removed).
        @inline(__always)
        mutating func update<R>(slot: Int32, _ body: (inout MemSeries) -> R) -> R {
            body(&slots[Int(slot)])
        }

        /// Runs `body` on the series in place, with its slot; nil when it does not exist.
        @inline(__always)
        mutating func updateWithSlot<R>(_ ref: SeriesRef, _ body: (inout MemSeries) -> R) -> (R, Int32)? {
            guard let i = index[ref] else { return nil }
            return (body(&slots[Int(i)]), i)
        }

        /// Runs `body` on the series in place; nil when it does not exist.
        @inline(__always)
        mutating func update<R>(_ ref: SeriesRef, _ body: (inout MemSeries) -> R) -> R? {
            guard let i = index[ref] else { return nil }
            return body(&slots[Int(i)])
        }

        /// The series with exactly these labels.
        func lookup(hash: UInt64, labels: Labels) -> SeriesRef? {
            guard let first = byHash[hash] else { return nil }
            if get(first)?.labels == labels { return first }
            for ref in collisions[hash] ?? [] where get(ref)?.labels == labels { return ref }
            return nil
        }

        mutating func insert(_ ref: SeriesRef, hash: UInt64, series s: MemSeries) {
            if let free = freeSlots.popLast() {
                slots[Int(free)] = s
                index[ref] = free
            } else {
                index[ref] = Int32(slots.count)
                slots.append(s)
            }
            if byHash[hash] == nil {
                byHash[hash] = ref
            } else {
                collisions[hash, default: []].append(ref)
            }
        }

        mutating func remove(_ ref: SeriesRef, hash: UInt64) {
            guard let slot = index.removeValue(forKey: ref) else { return }
            slots[Int(slot)] = MemSeries(labels: Labels())
            freeSlots.append(slot)
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
