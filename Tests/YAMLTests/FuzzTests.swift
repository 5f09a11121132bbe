import Testing
import YAML

/// Random mutations of real files must yield nodes or a `YAMLError`, never a crash or hang.
@Suite struct FuzzTests {
    /// SplitMix64: small, fast and fully determined by its seed, so failures reproduce.
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

    /// Bytes that matter to YAML's grammar, plus a few that break UTF-8.
    static let interesting: [UInt8] = Array(":-?[]{},#&*!|>'\"%@`\\ \t\n\r.0".utf8) + [0xC3, 0xFF, 0x00, 0x85]

    static let seeds: [[UInt8]] = {
        let paths = Corpus.yamlFiles(under: "config").prefix(40) + Corpus.yamlFiles(under: "rules").prefix(20)
        var seeds = paths.map(Corpus.bytes).filter { !$0.isEmpty }
        // Built-in seeds keep the test meaningful without the corpus.
        seeds.append(Array("a: &x {b: [1, 'two', \"th\\u00e9\"]}\nc: *x\nd: |-\n  text\n  more\ne: >\n  f\n---\n- <<: *x\n".utf8))
        seeds.append(Array("groups:\n- name: g\n  rules:\n  - alert: A\n    expr: up == 0\n    for: 5m\n".utf8))
        return seeds
    }()

    @Test func mutatedInputsNeverCrash() {
        var rng = SplitMix64(state: 0x5EED_1234)
        var parsed = 0
        var rejected = 0
        for _ in 0..<2_000 {
            var bytes = Self.seeds[rng.below(Self.seeds.count)]
            for _ in 0...rng.below(4) {
                mutate(&bytes, &rng)
            }
            do {
                _ = try YAMLReader.documents(bytes: bytes, file: "fuzz.yml")
                parsed += 1
            } catch {
                #expect(error.mark.line >= 1 && error.mark.column >= 1)
                #expect(!error.message.isEmpty)
                rejected += 1
            }
        }
        #expect(parsed + rejected == 2_000)
    }

    private func mutate(_ bytes: inout [UInt8], _ rng: inout SplitMix64) {
        let count = bytes.count
        let at = rng.below(count + 1)
        switch rng.below(5) {
        case 0 where at < count:
            bytes[at] = Self.interesting[rng.below(Self.interesting.count)]
        case 1:
            bytes.insert(Self.interesting[rng.below(Self.interesting.count)], at: at)
        case 2 where at < count:
            bytes.removeSubrange(at..<min(count, at + 1 + rng.below(16)))
        case 3 where at < count:
            let end = min(count, at + 1 + rng.below(64))
            bytes.insert(contentsOf: bytes[at..<end], at: rng.below(count + 1))
        default:
            bytes.insert(UInt8(truncatingIfNeeded: rng.next()), at: at)
        }
    }
}
