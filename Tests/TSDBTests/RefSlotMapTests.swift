import Model
import Testing
@testable import TSDB

/// `RefSlotMap` against a `Dictionary` model: random inserts, overwrites and removals (which
/// exercise backward-shift deletion across wrapped probe runs), lookups of present and absent
/// references, and iteration.
@Suite struct RefSlotMapTests {
    @Test(arguments: [(seed: UInt64(1), keySpace: UInt64(64)), (seed: 7, keySpace: 5000), (seed: 42, keySpace: 1 << 40)])
    func matchesDictionary(seed: UInt64, keySpace: UInt64) {
        var state = seed
        func next() -> UInt64 {
            state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            return state >> 11
        }
        var map = RefSlotMap()
        var model: [SeriesRef: Int32] = [:]
        for step in 0 ..< 20_000 {
            // References as the head makes them: a sequence number above the stripe bits.
            let ref = SeriesRef(((next() % keySpace) + 1) << 4 | 3)
            switch next() % 4 {
            case 0, 1:
                let v = Int32(truncatingIfNeeded: step)
                map[ref] = v
                model[ref] = v
            case 2:
                #expect(map.removeValue(forKey: ref) == model.removeValue(forKey: ref))
            default:
                #expect(map[ref] == model[ref])
            }
            #expect(map.count == model.count)
        }
        for (ref, slot) in model { #expect(map[ref] == slot) }
        var seen: [SeriesRef: Int32] = [:]
        for (ref, slot) in map { seen[ref] = slot }
        #expect(seen == model)
        #expect(map[SeriesRef(0)] == nil)
    }
}
