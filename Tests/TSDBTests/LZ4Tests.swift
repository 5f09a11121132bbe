import Testing
@testable import TSDB

@Suite struct LZ4Tests {
    @Test(arguments: [0, 1, 17, 4096, 1 << 20])
    func roundTrips(_ size: Int) {
        var rng = SystemRandomNumberGenerator()
        // Half repetitive, half random: both paths of the compressor.
        let input = (0 ..< size).map { i in i % 2 == 0 ? UInt8(i % 7) : UInt8.random(in: 0 ... 255, using: &rng) }
        let packed = LZ4.compress(input)
        #expect(LZ4.decompress(packed[...], originalSize: size) == input)
    }

    @Test func corruptInputIsAnErrorNotACrash() {
        let input = [UInt8]((0 ..< 10_000).map { UInt8($0 % 251) })
        let packed = LZ4.compress(input)
        var rng = SystemRandomNumberGenerator()
        for _ in 0 ..< 2_000 {
            var bad = packed
            let i = Int.random(in: 0 ..< bad.count, using: &rng)
            bad[i] = UInt8.random(in: 0 ... 255, using: &rng)
            let cut = Int.random(in: 0 ... bad.count, using: &rng)
            _ = LZ4.decompress(bad[..<cut], originalSize: input.count)
        }
        #expect(LZ4.decompress(packed[...], originalSize: input.count + 1) == nil)
        #expect(LZ4.decompress([0xff, 0xff][...], originalSize: 10) == nil)
    }
}
