import Testing
import Scrape

@Suite struct MD5Tests {
    /// RFC 1321 appendix A.5.
    @Test(arguments: [
        ("", "d41d8cd98f00b204e9800998ecf8427e"),
        ("a", "0cc175b9c0f1b6a831c399e269772661"),
        ("abc", "900150983cd24fb0d6963f7d28e17f72"),
        ("message digest", "f96b697d7cb7938d525a2f31aaf161d0"),
        ("abcdefghijklmnopqrstuvwxyz", "c3fcd3d76192e4007dfb496cca67e13b"),
        ("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", "d174ab98d277d9f5a5611c2c9f419d9f"),
        ("12345678901234567890123456789012345678901234567890123456789012345678901234567890", "57edf4a22be3c955ac49da2e2107b67a"),
    ])
    func rfc1321Vectors(_ input: String, _ hex: String) {
        let digest = MD5.digest(Array(input.utf8))
        #expect(digest.map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined() == hex)
    }

    /// Block-boundary lengths around the 56-byte padding edge.
    @Test func paddingBoundaries() {
        // Values from an independent MD5 (Python's hashlib).
        #expect(hex(MD5.digest([UInt8](repeating: 0x61, count: 55))) == "ef1772b6dff9a122358552954ad0df65")
        #expect(hex(MD5.digest([UInt8](repeating: 0x61, count: 56))) == "3b0c8ac703f828b04c6c197006d17218")
        #expect(hex(MD5.digest([UInt8](repeating: 0x61, count: 64))) == "014842d480b571495a4a0363793f7367")
    }

    /// `hashmod` values: 976 and 734 are in Prometheus' relabel_test.go; the rest were
    /// computed with Python's hashlib the way relabel.go does (last 8 digest bytes, big-endian).
    @Test(arguments: [
        ("baz", UInt64(1000), UInt64(976)),
        ("foo\nbar", 1000, 734),
        ("10.132.183.40:80", 3, 1),
        ("", 10, 8),
        ("a;b", 7, 2),
        ("Zürich", 1_000_000, 214_609),
    ])
    func hashmodMatchesPrometheus(_ value: String, _ modulus: UInt64, _ want: UInt64) {
        #expect(MD5.hashmod(value, modulus: modulus) == want)
    }

    func hex(_ bytes: [UInt8]) -> String {
        bytes.map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }
}
