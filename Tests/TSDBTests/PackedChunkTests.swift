import Model
import Testing
@testable import TSDB

func encodePacked(_ samples: [Sample]) -> [UInt8] {
    PackedChunk.encode(timestamps: samples.map(\.t), values: samples.map(\.v))
}

func decodePacked(_ bytes: [UInt8]) -> (samples: [Sample], failure: TSDBError?) {
    var it = PackedIterator(bytes)
    var out: [Sample] = []
    while it.next() {
        let (t, v) = it.at()
        out.append(Sample(t: t, v: v))
    }
    return (out, it.failure)
}

/// The packed block encoding: the XOR contract cases plus the shapes its value coding targets
/// (decimal counters and gauges, page-sized steps, linear counters, mixed scales) and the ones
/// that must fall back (NaN, -0.0, non-decimal floats).
@Suite struct PackedChunkTests {
    static let t0: Int64 = 1_700_000_000_000

    static let series: [(String, [Sample])] = {
        var cases = XORChunkTests.series.filter { !$0.1.isEmpty }
        func every15s(_ values: [Double]) -> [Sample] { values.enumerated().map { Sample(t: t0 + Int64($0.offset) * 15000, v: $0.element) } }
        var rng = SplitMix64(seed: 5)
        var c = 1234.56
        cases.append(("cpu seconds, 2 decimals", every15s((0 ..< 480).map { _ in c += Double(Int.random(in: 0 ... 1470, using: &rng)) / 100; return (c * 100).rounded() / 100 })))
        var g = 4_000_000_000.0
        cases.append(("memory gauge, page steps", every15s((0 ..< 480).map { _ in g += Double(Int.random(in: -4096 ... 4096, using: &rng)) * 4096; return g })))
        cases.append(("linear counter", every15s((0 ..< 480).map { Double($0 * 60) })))
        cases.append(("mostly idle counter", every15s((0 ..< 480).map { i in Double(i / 50) })))
        cases.append(("mixed scales", every15s([0.1, 0.25, 3, 1e-15, 12.5, 0.001, 7])))
        cases.append(("negative decimals", every15s((0 ..< 100).map { Double($0 - 50) * 0.37 })))
        cases.append(("near 2^53", every15s([9_007_199_254_740_990, 9_007_199_254_740_991, 9_007_199_254_740_992, 9_007_199_254_740_993, 1])))
        cases.append(("negative zero inside", every15s([1, 2, -0.0, 3])))
        cases.append(("stale marker at the end", every15s([1, 2, 3, StaleNaN])))
        cases.append(("constant NaN", every15s([Double](repeating: StaleNaN, count: 10))))
        cases.append(("non-decimal sums", every15s((0 ..< 200).map { Double($0) / 3 })))
        cases.append(("jittered timestamps", (0 ..< 300).map { Sample(t: t0 + Int64($0) * 15000 + Int64.random(in: -5 ... 5, using: &rng), v: Double($0 % 7)) }))
        cases.append(("decimal with a huge outlier", every15s((0 ..< 100).map { $0 == 50 ? 1e15 : Double($0) })))
        cases.append(("float bits across signs and binades", every15s([1e-300, -2.5e10, 3.75, Double.greatestFiniteMagnitude, -0.0, 7.000000000000001, 1e300])))
        return cases
    }()

    @Test(arguments: series)
    func roundTrip(_ name: String, _ samples: [Sample]) {
        let bytes = encodePacked(samples)
        #expect(Chunk(encoding: .packed, bytes: bytes).count == samples.count)
        let (got, failure) = decodePacked(bytes)
        #expect(failure == nil, "\(name)")
        #expect(got == samples, "\(name)")
    }

    /// The sizes that make packed chunks worth having: regular data costs a few bits a sample.
    @Test(arguments: [
        // Headers only (~22 bytes: count, t0, Δ1, codes, first value); then about a bit per
        // sample for a counter that rarely moves, 13 + 2 bits for page-sized gauge steps, 11 for
        // CPU seconds moving by up to 14.7 s in hundredths.
        ("linear counter", 24), ("constant", 24), ("mostly idle counter", 90), ("memory gauge, page steps", 920),
        ("cpu seconds, 2 decimals", 700),
    ] as [(String, Int)])
    func sizes(_ name: String, _ maxBytes: Int) throws {
        let samples = try #require(Self.series.first { $0.0 == name }?.1)
        let size = encodePacked(samples).count
        #expect(size <= maxBytes, "\(name): \(size) bytes for \(samples.count) samples")
        // Never (much) worse than XOR on anything.
        #expect(size <= encode(samples).bytes.count + 16, "\(name)")
    }

    /// Each value shape gets the kind meant for it.
    @Test func valueKinds() {
        var rng = SplitMix64(seed: 8)
        var sum = 100.0
        let histogramSum = (0 ..< 480).map { i -> Sample in
            for _ in 0 ..< 50 { sum += Double.random(in: 0.001 ... 0.3, using: &rng) }
            return Sample(t: Self.t0 + Int64(i) * 15000, v: sum)
        }
        let bytes = encodePacked(histogramSum)
        #expect(PackedChunk.valueKind(bytes) == PackedChunk.floatBits)
        #expect(bytes.count < encode(histogramSum).bytes.count * 9 / 10)
        let kinds: [(String, UInt8)] = [("linear counter", PackedChunk.decimal), ("constant", PackedChunk.constant),
                                         ("cpu seconds, 2 decimals", PackedChunk.decimal), ("stale marker at the end", PackedChunk.xor)]
        for (name, kind) in kinds {
            let samples = Self.series.first { $0.0 == name }?.1 ?? []
            #expect(PackedChunk.valueKind(encodePacked(samples)) == kind, "\(name)")
        }
    }

    @Test func fallbacksStayExact() {
        // Not decimal at any scale: a third, 0.1 + 0.2, the smallest subnormal.
        for v in [1.0 / 3, 0.1 + 0.2, Double.leastNonzeroMagnitude, -0.0] {
            #expect(PackedChunk.decimalScale(v) == nil, "\(v)")
        }
        #expect(PackedChunk.decimalScale(0) == 0)
        #expect(PackedChunk.decimalScale(1234.56) == 2)
        #expect(PackedChunk.decimalScale(1e-15) == 15)
        #expect(PackedChunk.decimalScale(4e15) == 0)
    }

    @Test(arguments: series)
    func everyTruncation(_ name: String, _ samples: [Sample]) {
        let bytes = encodePacked(samples)
        for n in 0 ..< bytes.count {
            let (got, failure) = decodePacked(Array(bytes[0 ..< n]))
            #expect(got == Array(samples.prefix(got.count)), "\(name) cut at \(n)")
            if got.count < samples.count {
                #expect(failure != nil, "\(name) cut at \(n): \(got.count) samples without an error")
            }
        }
    }

    @Test(arguments: 0 ..< 4)
    func randomCorruption(_ seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed) &* 0x9876_5431)
        for (_, samples) in Self.series where samples.count > 1 {
            let original = encodePacked(samples)
            for _ in 0 ..< 100 {
                var bytes = original
                for _ in 0 ..< Int.random(in: 1 ... 3, using: &rng) {
                    let i = Int.random(in: 0 ..< bytes.count, using: &rng)
                    bytes[i] ^= UInt8.random(in: 1 ... 255, using: &rng)
                }
                let announced = Chunk(encoding: .packed, bytes: bytes).count
                let (got, failure) = decodePacked(bytes)
                #expect(got.count <= announced)
                if failure == nil { #expect(got.count == announced) }
            }
        }
    }

    @Test func garbageNeverTraps() {
        var rng = SplitMix64(seed: 17)
        for len in 0 ..< 300 {
            _ = decodePacked((0 ..< len).map { _ in UInt8.random(in: 0 ... 255, using: &rng) })
        }
        #expect(decodePacked([]).failure != nil)
        #expect(decodePacked([0]).failure == nil)
        #expect(decodePacked([0]).samples.isEmpty)
    }

    /// Each code shape is chosen where it is the cheapest, and its size is what `choose` says.
    @Test(arguments: [
        ("all equal", [Int64](repeating: 5, count: 100), 0 as UInt8),
        ("uniform 0...100", (0 ..< 1000).map { Int64($0 * 37 % 101) }, 1),
        ("mostly zero", (0 ..< 1000).map { $0 % 50 == 0 ? Int64(3000) : 0 }, 2),
        ("small with rare outliers", (0 ..< 1000).map { $0 % 97 == 0 ? Int64(1) << 40 : Int64($0 % 5) }, 3),
        ("full range", [Int64.min, Int64.max, 0, -1], 2),
    ] as [(String, [Int64], UInt8)])
    func intCodes(_ name: String, _ values: [Int64], _ classes: UInt8) {
        let (code, bits) = IntCode.choose(values)
        #expect(code.classes == classes, "\(name): \(code)")
        var w = BitWriter(headerBytes: 0)
        for v in values { code.write(v, to: &w) }
        #expect(w.byteCount == (bits + 7) / 8, "\(name)")
        var header: [UInt8] = []
        code.appendHeader(to: &header)
        var i = 0
        let read = header.withUnsafeBytes { IntCode.readHeader($0, at: &i) }
        #expect(read == code)
        let dc = DecodeCode(code)
        var r = FastBitReader(w.bytes(header: []), from: 0, to: Int.max)
        for v in values { #expect(dc.read(&r) == v, "\(name)") }
        #expect(!r.overrun)
    }

    /// Chunks from the encoder never cross a block-range boundary and hold at most N samples.
    @Test func encoderCutsAtRangesAndCounts() {
        var enc = BlockChunkEncoder(samplesPerChunk: 100, rangeMs: 3_600_000)
        for i in 0 ..< 1000 { enc.append(Int64(i) * 15000, Double(i)) }
        let chunks = enc.finish()
        #expect(chunks.reduce(0) { $0 + $1.chunk.count } == 1000)
        for c in chunks {
            #expect(c.chunk.count <= 100)
            #expect(c.minT / 3_600_000 == c.maxT / 3_600_000)
            #expect(c.chunk.encoding == .packed)
        }
    }
}
