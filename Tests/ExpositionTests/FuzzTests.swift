import Foundation
import Testing
import Exposition
import TestSupport

/// Seeded random mutations of every corpus file: each must parse or fail with an
/// `ExpositionError`, never crash or hang.
@Suite struct FuzzTests {
    /// SplitMix64: a tiny deterministic generator, so failures reproduce from the seed.
    struct SplitMix64 {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { n <= 0 ? 0 : Int(next() % UInt64(n)) }
    }

    /// Bytes that matter to the grammars, to make mutations hit interesting states.
    static let interesting: [UInt8] = Array("{}\",=#\\ \t\n\r\0.-+eEinfINFNaN0123456789_:# EOF".utf8) + [0xFF, 0xC3, 0x80]

    static func mutate(_ input: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var b = input
        for _ in 0..<(1 + rng.below(4)) {
            let at = rng.below(b.count + 1)
            switch rng.below(6) {
            case 0 where at < b.count: b[at] = UInt8(truncatingIfNeeded: rng.next())
            case 1: b.insert(interesting[rng.below(interesting.count)], at: at)
            case 2 where at < b.count: b.removeSubrange(at..<min(b.count, at + 1 + rng.below(16)))
            case 3 where at < b.count:
                let end = min(b.count, at + 1 + rng.below(64))
                b.insert(contentsOf: b[at..<end], at: rng.below(b.count + 1))
            case 4: b.removeSubrange(min(at, b.count)...)
            default: if at < b.count { b[at] = interesting[rng.below(interesting.count)] }
            }
        }
        return b
    }

    @Test func mutatedCorpusNeverCrashes() throws {
        guard let dir = TestData.directory("exposition") else { return }
        var files: [URL] = []
        for sub in ["captures", "edge"] {
            let d = dir.appendingPathComponent(sub)
            files += TestData.files(in: d, suffix: ".prom") + TestData.files(in: d, suffix: ".om.txt")
        }
        var rng = SplitMix64(state: 0x5EED_1234)
        var parsed = 0, failed = 0
        for url in files {
            guard let data = FileManager.default.contents(atPath: url.path) else { continue }
            // Large files get fewer rounds to keep the debug-build run short.
            let rounds = data.count > 20_000 ? 12 : 60
            for _ in 0..<rounds {
                let input = Self.mutate(Array(data), &rng)
                for format in ExpositionFormat.allCases {
                    let got = parseAll(input, format)
                    if let error = got.error {
                        failed += 1
                        #expect(error.line >= 1 && error.column >= 1, "\(error) \(String(decoding: input.prefix(300), as: UTF8.self).debugDescription)")
                    } else {
                        parsed += 1
                    }
                }
            }
        }
        #expect(parsed + failed > 0)
    }
}
