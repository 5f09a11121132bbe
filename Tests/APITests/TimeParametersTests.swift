import Testing
@testable import API

@Suite struct TimeParametersTests {
    @Test(arguments: [
        ("1700000000", Int64(1_700_000_000_000)), ("1700000000.123", 1_700_000_000_123),
        ("1700000000.1234", 1_700_000_000_123), ("1700000000.1235", 1_700_000_000_124), ("0", 0),
        ("-1.5", -1500), ("1e3", 1_000_000),
        ("2023-11-14T22:13:20Z", 1_700_000_000_000), ("2023-11-14T22:13:20.5Z", 1_700_000_000_500),
        ("2023-11-14T22:13:20.123456789Z", 1_700_000_000_123), ("2023-11-14T23:13:20+01:00", 1_700_000_000_000),
        ("2023-11-14T21:43:20-00:30", 1_700_000_000_000), ("1970-01-01T00:00:00Z", 0),
        ("2000-02-29T00:00:00Z", 951_782_400_000),
        (TimeParameters.minTimeFormatted, TimeParameters.minTimeMs),
        (TimeParameters.maxTimeFormatted, TimeParameters.maxTimeMs),
    ])
    func times(_ s: String, _ want: Int64) throws {
        #expect(try TimeParameters.parseTime(s) == want)
    }

    @Test(arguments: ["", "abc", "2023-11-14", "2023-13-01T00:00:00Z", "2023-02-30T00:00:00Z", "2023-11-14T22:13:20",
                      "2023-11-14T22:13:20.Z", "NaN", "Inf", "1_000", "0x10", "12:00"])
    func badTimes(_ s: String) {
        #expect {
            _ = try TimeParameters.parseTime(s)
        } throws: { e in
            (e as? APIError)?.message == "cannot parse \"\(s)\" to a valid timestamp" && (e as? APIError)?.type == .badData
        }
    }

    @Test(arguments: [("15", Int64(15_000)), ("0.5", 500), ("15s", 15_000), ("1h30m", 5_400_000), ("1e2", 100_000), ("0", 0)])
    func durations(_ s: String, _ want: Int64) throws {
        #expect(try TimeParameters.parseDuration(s) == want)
    }

    @Test func badDurations() {
        #expect { _ = try TimeParameters.parseDuration("fast") } throws: { e in
            (e as? APIError)?.message == "cannot parse \"fast\" to a valid duration"
        }
        #expect { _ = try TimeParameters.parseDuration("1e300") } throws: { e in
            (e as? APIError)?.message == "cannot parse \"1e300\" to a valid duration. It overflows int64"
        }
    }
}
