import Model
import Testing

@Suite struct LabelsTests {
    @Test func sortsDedupsAndDropsEmptyValues() {
        let l = Labels([("job", "node"), ("__name__", "up"), ("empty", ""), ("job", "api"), ("a", "1")])
        #expect(l.names == ["__name__", "a", "job"])
        #expect(l.get("job") == "api") // last wins
        #expect(l.get("empty") == "")
        #expect(l.get("missing") == "")
        #expect(l.name == "up")
        #expect(l.count == 3)
        #expect(l.description == #"{__name__="up", a="1", job="api"}"#)
    }

    @Test func equalityAndHashAreOrderIndependent() {
        let a: Labels = ["b": "2", "a": "1"]
        let b: Labels = ["a": "1", "b": "2"]
        #expect(a == b)
        #expect(a.stableHash == b.stableHash)
        #expect(a.hashValue == b.hashValue)
        let c: Labels = ["a": "1", "b": "3"]
        #expect(a != c)
        #expect(a.stableHash != c.stableHash)
    }

    @Test func canonicalBytesAreChecked() {
        let l: Labels = ["a": "1", "b": "2"]
        #expect(Labels(canonical: l.bytes) == l)
        #expect(Labels(canonical: []) == Labels())
        // Unsorted: b before a.
        #expect(Labels(canonical: [1, 98, 1, 50, 1, 97, 1, 49]) == nil)
        // Repeated name.
        #expect(Labels(canonical: [1, 97, 1, 49, 1, 97, 1, 50]) == nil)
        // Empty value, empty name, truncated.
        #expect(Labels(canonical: [1, 97, 0]) == nil)
        #expect(Labels(canonical: [0, 1, 49]) == nil)
        #expect(Labels(canonical: [5, 97]) == nil)
        #expect(Labels(canonical: [1, 97, 1]) == nil)
    }

    @Test(arguments: [
        ([("a", "1")], [("a", "1")], 0),
        ([("a", "1")], [("a", "2")], -1),
        ([("a", "2")], [("a", "1")], 1),
        ([("a", "1")], [("a", "1"), ("b", "1")], -1),
        ([("b", "1")], [("a", "1"), ("b", "1")], 1),
        ([("a", "10")], [("a", "9")], -1),
    ])
    func compareMatchesPrometheus(_ a: [(String, String)], _ b: [(String, String)], _ want: Int) {
        #expect(Labels.compare(Labels(a), Labels(b)) == want)
    }

    @Test func byteOrderNotUnicodeOrder() {
        // "é" (0xC3 0xA9) sorts after "z" in byte order.
        let l = Labels([("é", "1"), ("z", "1")])
        #expect(l.names == ["z", "é"])
    }

    @Test func builderSetsAndDeletes() {
        var b = LabelsBuilder(["__name__": "up", "job": "node", "instance": "x"])
        b.set("job", "api")
        b.delete("instance")
        b.set("zone", "eu")
        b.set("__name__", "")
        #expect(b.labels() == ["job": "api", "zone": "eu"])
        let l: Labels = ["a": "1", "b": "2", "c": "3"]
        #expect(l.removing(["b"]) == ["a": "1", "c": "3"])
        #expect(l.keeping(["b", "x"]) == ["b": "2"])
    }

    @Test func longValuesUseMultiByteLengths() {
        let long = String(repeating: "x", count: 300)
        let l = Labels([("k", long)])
        #expect(l.get("k") == long)
        #expect(Labels(canonical: l.bytes) == l)
    }

    @Test(arguments: [
        ("", UInt64(0xEF46_DB37_51D8_E999)),
        ("a", 0xD24E_C4F1_A98C_6E5B),
        ("abc", 0x44BC_2CF5_AD77_0999),
        ("message digest", 0x066E_D728_FCEE_B3BE),
        ("abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789", 0xD596_A880_D0F8_CE90),
    ])
    func xxhash64Vectors(_ input: String, _ want: UInt64) {
        #expect(XXHash64.hash(Array(input.utf8)) == want)
    }

    @Test func xxhash64LongInputWithSeed() {
        #expect(XXHash64.hash((0 ..< 100).map { UInt8($0) }) == 0x6AC1_E580_3216_6597)
        #expect(XXHash64.hash((0 ..< 100).map { UInt8($0) }, seed: 1) == 0x3D19_A3A2_098A_7023)
    }

    @Test(arguments: [0, 1, 127, 128, 300, 1 << 35, Int64.max, -1, -64, -65, Int64.min])
    func varintRoundTrip(_ v: Int64) {
        var out: [UInt8] = []
        Varint.appendVarint(v, to: &out)
        Varint.appendUvarint(UInt64(bitPattern: v), to: &out)
        var i = 0
        #expect(Varint.readVarint(from: out, at: &i) == v)
        #expect(Varint.readUvarint(from: out, at: &i) == UInt64(bitPattern: v))
        #expect(i == out.count)
        // Every truncation fails cleanly.
        for n in 0 ..< out.count {
            var j = 0
            let cut = Array(out[0 ..< n])
            _ = Varint.readVarint(from: cut, at: &j)
            _ = Varint.readUvarint(from: cut, at: &j)
            #expect(j <= n)
        }
    }

    @Test func overlongVarintIsRejected() {
        var i = 0
        #expect(Varint.readUvarint(from: [UInt8](repeating: 0xff, count: 11), at: &i) == nil)
        i = 0
        #expect(Varint.readUvarint(from: [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02], at: &i) == nil)
    }

    @Test func staleNaN() {
        #expect(isStaleNaN(StaleNaN))
        #expect(StaleNaN.isNaN)
        #expect(!isStaleNaN(.nan))
        #expect(StaleNaN.bitPattern == 0x7ff0_0000_0000_0002)
        #expect(Sample(t: 1, v: StaleNaN) != Sample(t: 1, v: .nan))
        #expect(Sample(t: 1, v: .nan) == Sample(t: 1, v: .nan))
    }
}
