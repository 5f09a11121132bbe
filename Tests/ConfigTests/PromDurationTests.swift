import Model
import Testing

@Suite struct PromDurationTests {
    /// Text, nanoseconds it parses to, and Prometheus' rendering of it.
    @Test(arguments: [
        ("0", Int64(0), "0s"),
        ("0s", 0, "0s"),
        ("15s", 15_000_000_000, "15s"),
        ("1m", 60_000_000_000, "1m"),
        ("90m", 5_400_000_000_000, "1h30m"),
        ("1h30m", 5_400_000_000_000, "1h30m"),
        ("500ms", 500_000_000, "500ms"),
        ("1s500ms", 1_500_000_000, "1s500ms"),
        ("24h", 86_400_000_000_000, "1d"),
        ("1d", 86_400_000_000_000, "1d"),
        ("7d", 604_800_000_000_000, "1w"),
        ("8d", 691_200_000_000_000, "8d"),
        ("90d", 7_776_000_000_000_000, "90d"),
        ("2w", 1_209_600_000_000_000, "2w"),
        ("365d", 31_536_000_000_000_000, "1y"),
        ("1y2w", 32_745_600_000_000_000, "379d"),
        ("1y1w1d1h1m1s1ms", 32_230_861_001_000_000, "373d1h1m1s1ms"),
        ("010s", 10_000_000_000, "10s"),
    ])
    func parsesAndFormats(_ text: String, _ nanoseconds: Int64, _ rendered: String) throws {
        let duration = try PromDuration(parsing: text)
        #expect(duration.nanoseconds == nanoseconds)
        #expect(duration.description == rendered)
    }

    /// Text and Prometheus' error message for it.
    @Test(arguments: [
        ("", "empty duration string"),
        ("1", #"not a valid duration string: "1""#),
        ("-1h", #"not a valid duration string: "-1h""#),
        ("h", #"not a valid duration string: "h""#),
        (" 1h", #"not a valid duration string: " 1h""#),
        ("1m1h", #"not a valid duration string: "1m1h""#),
        ("1s1s", #"not a valid duration string: "1s1s""#),
        ("1.5h", #"unknown unit "." in duration "1.5h""#),
        ("1hm", #"unknown unit "hm" in duration "1hm""#),
        ("1M", #"unknown unit "M" in duration "1M""#),
        ("1us", #"unknown unit "us" in duration "1us""#),
        ("300y", "duration out of range"),
        ("292y30w", "duration out of range"),
        ("99999999999999999999s", #"not a valid duration string: "99999999999999999999s""#),
    ])
    func rejects(_ text: String, _ message: String) {
        #expect(throws: ModelError.self) { try PromDuration(parsing: text) }
        do {
            _ = try PromDuration(parsing: text)
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func formatsNegativeAndSubMillisecond() {
        #expect(PromDuration(nanoseconds: -90_000_000_000).description == "-1m30s")
        #expect(PromDuration(nanoseconds: 999_999).description == "0s")
    }

    @Test func namesValidity() {
        #expect(isValidLegacyLabelName("__name__"))
        #expect(isValidLegacyLabelName("a1"))
        #expect(!isValidLegacyLabelName("1a"))
        #expect(!isValidLegacyLabelName("a:b"))
        #expect(isValidLegacyMetricName("a:b"))
        #expect(!isValidLegacyLabelName(""))
        #expect(NameValidationScheme.utf8.isValidLabelName("測試.name"))
        #expect(!NameValidationScheme.utf8.isValidLabelName(""))
        #expect(!isValidUTF8LabelName(bytes: [0xFF]))
        #expect(goQuoted(bytes: [0xFF]) == #""\xff""#)
        #expect(goQuoted("a\"b\n") == #""a\"b\n""#)
    }
}
