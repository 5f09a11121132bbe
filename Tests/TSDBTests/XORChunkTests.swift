import Model
import Testing
@testable import TSDB

@Suite struct XORChunkTests {
    /// Named adversarial series; each must round-trip bit-exactly.
    static let series: [(String, [Sample])] = {
        var cases: [(String, [Sample])] = []
        func s(_ pairs: [(Int64, Double)]) -> [Sample] { pairs.map { Sample(t: $0.0, v: $0.1) } }
        cases.append(("empty", []))
        cases.append(("one sample", s([(1_700_000_000_000, 42)])))
        cases.append(("two samples", s([(1000, 1), (2000, 2)])))
        cases.append(("constant", (0 ..< 120).map { Sample(t: 1_700_000_000_000 + Int64($0) * 15000, v: 7) }))
        cases.append(("counter", (0 ..< 120).map { Sample(t: 1_700_000_000_000 + Int64($0) * 15000, v: Double($0 * 1024)) }))
        cases.append(("NaN payloads", s([
            (1, .nan), (2, Double(bitPattern: 0x7ff8_0000_0000_0001)), (3, Double(bitPattern: 0xfff8_dead_beef_0000)),
            (4, StaleNaN), (5, Double(bitPattern: 0x7ff0_0000_0000_0001)), (6, -.nan), (7, 1), (8, StaleNaN),
        ])))
        cases.append(("infinities and zeros", s([(1, .infinity), (2, -.infinity), (3, 0), (4, -0.0), (5, .infinity),
                                                 (6, .leastNonzeroMagnitude), (7, .greatestFiniteMagnitude), (8, -.greatestFiniteMagnitude)])))
        cases.append(("huge jumps", s([(0, 0), (1, 1e308), (Int64(1) << 40, -1e-308), (Int64(1) << 41, 1), (Int64(1) << 62, 2)])))
        cases.append(("negative deltas", s([(10_000, 1), (5000, 2), (9000, 3), (-1_000_000, 4), (-1_000_001, 5), (7, 6)])))
        cases.append(("every dod bucket edge", {
            var t: Int64 = 0, d: Int64 = 1000
            var out = [Sample(t: 0, v: 0), Sample(t: 1000, v: 1)]
            t = 1000
            for dod: Int64 in [0, 1, -1, 8192, -8191, 8193, -8192, 65536, -65535, 65537, -65536, 524_288, -524_287, 524_289, -524_288, 1 << 40, -(1 << 40)] {
                d += dod
                t += d
                out.append(Sample(t: t, v: Double(out.count)))
            }
            return out
        }()))
        cases.append(("Int64 limits", s([(Int64.min, 1), (Int64.max, 2), (Int64.min, 3), (0, 4), (Int64.max, 5), (Int64.max, 6), (Int64.min + 1, 7)])))
        cases.append(("near Int64.max", (0 ..< 50).map { Sample(t: Int64.max - 1_000_000 + Int64($0) * 15000, v: Double($0)) }))
        cases.append(("near Int64.min", (0 ..< 50).map { Sample(t: Int64.min + Int64($0) * 15000, v: -Double($0)) }))
        cases.append(("irregular", {
            var rng = SplitMix64(seed: 7)
            var t: Int64 = 1_700_000_000_000
            return (0 ..< 500).map { _ in
                t += Int64.random(in: 1 ... 100_000, using: &rng)
                return Sample(t: t, v: Double.random(in: -1e6 ... 1e6, using: &rng))
            }
        }()))
        cases.append(("random bits", {
            var rng = SplitMix64(seed: 11)
            return (0 ..< 1000).map { i in Sample(t: Int64(i) * 1000 + Int64.random(in: -3 ... 3, using: &rng),
                                                  v: Double(bitPattern: rng.next())) }
        }()))
        cases.append(("alternating small and big values", (0 ..< 200).map { Sample(t: Int64($0) * 10, v: $0 % 2 == 0 ? 1e-300 : 1e300) }))
        cases.append(("window shrinks and grows", (0 ..< 200).map { Sample(t: Int64($0), v: Double(bitPattern: UInt64(1) << UInt64($0 % 64))) }))
        return cases
    }()

    @Test(arguments: series)
    func roundTrip(_ name: String, _ samples: [Sample]) {
        let chunk = encode(samples)
        #expect(chunk.count == samples.count)
        let (got, failure) = decodeAll(chunk.bytes)
        #expect(failure == nil, "\(name)")
        #expect(got == samples, "\(name)")
    }

    @Test func goldenBytesMatchPrometheusLayout() {
        // Worked by hand from xor.go: header 3; varint(zigzag 1000); 1.0; uvarint 1000; '0';
        // dod '0'; new window '11' L=1 M=11 and the 11 bits of 1.0 XOR 2.0.
        let chunk = encode([Sample(t: 1000, v: 1), Sample(t: 2000, v: 1), Sample(t: 3000, v: 2)])
        #expect(chunk.bytes == [0x00, 0x03, 0xD0, 0x0F, 0x3F, 0xF0, 0, 0, 0, 0, 0, 0, 0xE8, 0x07, 0x30, 0x97, 0xFF, 0xC0])
    }

    @Test func maximumSampleCount() {
        var app = XORAppender()
        var want: [Sample] = []
        for i in 0 ..< XORAppender.maxSamples {
            let s = Sample(t: Int64(i) * 15000, v: Double(i % 17))
            app.append(s.t, s.v)
            want.append(s)
        }
        #expect(app.isFull)
        let (got, failure) = decodeAll(app.finish().bytes)
        #expect(failure == nil)
        #expect(got == want)
    }

    @Test func seekSemantics() {
        let samples = (0 ..< 10).map { Sample(t: Int64($0) * 10, v: Double($0)) }
        var it = encode(samples).iterator()
        do { let ok = it.seek(25); #expect(ok) }
        #expect(it.at().t == 30)
        do { let ok = it.seek(5); #expect(ok) } // never backwards
        #expect(it.at().t == 30)
        do { let ok = it.seek(30); #expect(ok) }
        #expect(it.at().t == 30)
        do { let ok = it.next(); #expect(ok) }
        #expect(it.at().t == 40)
        do { let ok = it.seek(91); #expect(!ok) }
        #expect(it.failure == nil)
        var fresh = encode(samples).iterator()
        do { let ok = fresh.seek(Int64.min); #expect(ok) }
        #expect(fresh.at().t == 0)
    }

    @Test func snapshotIsStableWhileAppending() {
        var app = XORAppender()
        app.append(1, 1)
        app.append(2, 2)
        let snap = app.chunk
        app.append(3, 3)
        #expect(decodeAll(snap.bytes).samples.count == 2)
        #expect(decodeAll(app.chunk.bytes).samples.count == 3)
    }

    /// Every prefix of a valid chunk decodes to a prefix of its samples, with an error whenever
    /// samples are missing.
    @Test(arguments: series.filter { !$0.1.isEmpty })
    func everyTruncation(_ name: String, _ samples: [Sample]) {
        let bytes = encode(samples).bytes
        for n in 0 ..< bytes.count {
            let (got, failure) = decodeAll(Array(bytes[0 ..< n]))
            #expect(got == Array(samples.prefix(got.count)), "\(name) cut at \(n)")
            if got.count < samples.count {
                #expect(failure != nil, "\(name) cut at \(n): \(got.count) samples without an error")
            }
        }
    }

    /// Random bit flips, byte overwrites and inflated headers never crash and never yield more
    /// samples than the header announces.
    @Test(arguments: 0 ..< 8)
    func randomCorruption(_ seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x1234_5678)
        for (_, samples) in XORChunkTests.series where samples.count > 1 {
            let original = encode(samples).bytes
            for _ in 0 ..< 200 {
                var bytes = original
                switch Int.random(in: 0 ..< 3, using: &rng) {
                case 0:
                    let i = Int.random(in: 0 ..< bytes.count, using: &rng)
                    bytes[i] ^= 1 << UInt8.random(in: 0 ..< 8, using: &rng)
                case 1:
                    for _ in 0 ..< Int.random(in: 1 ... 4, using: &rng) {
                        bytes[Int.random(in: 0 ..< bytes.count, using: &rng)] = UInt8.random(in: 0 ... 255, using: &rng)
                    }
                default:
                    bytes[0] = UInt8.random(in: 0 ... 255, using: &rng)
                    bytes[1] = UInt8.random(in: 0 ... 255, using: &rng)
                }
                let announced = Int(bytes[0]) << 8 | Int(bytes[1])
                let (got, failure) = decodeAll(bytes)
                #expect(got.count <= announced)
                if failure == nil { #expect(got.count == announced) }
            }
        }
    }

    @Test func garbageNeverTraps() {
        var rng = SplitMix64(seed: 99)
        for len in 0 ..< 300 {
            let bytes = (0 ..< len).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            _ = decodeAll(bytes)
        }
        #expect(decodeAll([]).failure != nil)
        #expect(decodeAll([0]).failure != nil)
        #expect(decodeAll([0xff, 0xff]).failure == .chunkTruncated(sample: 0, of: 65535))
    }

    @Test func compressionOfRegularCounter() {
        // 120 samples 15 s apart, a counter growing by small steps: Prometheus gets ~1.3 B/sample.
        var rng = SplitMix64(seed: 3)
        var v = 1_000_000.0
        let samples = (0 ..< 120).map { i -> Sample in
            v += Double(Int.random(in: 0 ... 100, using: &rng))
            return Sample(t: 1_700_000_000_000 + Int64(i) * 15000, v: v)
        }
        let size = encode(samples).bytes.count
        #expect(size < 120 * 4)
    }
}
