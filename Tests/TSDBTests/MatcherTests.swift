import Model
import Testing

@Suite struct MatcherTests {
    /// (operator, matcher value, label value, want). A label value of "" stands for an absent label.
    static let cases: [(Matcher.MatchType, String, String, Bool)] = [
        (.equal, "a", "a", true),
        (.equal, "a", "b", false),
        (.equal, "a", "", false),
        (.equal, "", "", true),          // foo="" selects series without foo
        (.equal, "", "a", false),
        (.notEqual, "a", "a", false),
        (.notEqual, "a", "b", true),
        (.notEqual, "a", "", true),      // absent label is "" which is != "a"
        (.notEqual, "", "", false),      // foo!="" selects series that have foo
        (.notEqual, "", "x", true),
        (.regexMatch, "a", "a", true),
        (.regexMatch, "a", "ab", false), // fully anchored
        (.regexMatch, "a", "ba", false),
        (.regexMatch, "a.*", "abc", true),
        (.regexMatch, ".*c", "abc", true),
        (.regexMatch, ".*b.*", "abc", true),
        (.regexMatch, ".*x.*", "abc", false),
        (.regexMatch, "a|b|c", "b", true),
        (.regexMatch, "a|b|c", "d", false),
        (.regexMatch, "a|b|c", "", false),
        (.regexMatch, ".*", "", true),   // matches series lacking the label
        (.regexMatch, ".+", "", false),
        (.regexMatch, ".+", "x", true),
        (.regexMatch, "", "", true),
        (.regexMatch, "", "a", false),
        (.regexMatch, "a?", "", true),
        (.regexMatch, "[0-9]+", "123", true),
        (.regexMatch, "[0-9]+", "12a", false),
        (.regexMatch, "(?i)abc", "ABC", true),
        (.regexMatch, "a.c", "a\nc", true), // (?s): dot matches newline
        (.regexMatch, "foo\\.bar", "foo.bar", true),
        (.regexMatch, "foo\\.bar", "fooxbar", false),
        (.regexMatch, "x|.*y", "ay", true),
        (.regexNoMatch, "a", "a", false),
        (.regexNoMatch, "a", "ab", true),
        (.regexNoMatch, "a", "", true),
        (.regexNoMatch, ".*", "", false),
        (.regexNoMatch, ".+", "", true),
    ]

    @Test(arguments: cases)
    func matches(_ type: Matcher.MatchType, _ value: String, _ input: String, _ want: Bool) throws {
        let m = try Matcher(type, "foo", value)
        #expect(m.matches(input) == want, "\(m) on \(input.debugDescription)")
        let absent: Labels = ["bar": "x"]
        if input.isEmpty {
            #expect(m.matches(absent) == want, "\(m) on a series without foo")
        }
    }

    @Test func invalidRegexIsAnError() {
        #expect(throws: StorageError.self) { try Matcher(.regexMatch, "foo", "a(") }
        #expect(throws: StorageError.self) { try Matcher(.regexNoMatch, "foo", "[z-a]") }
        #expect(throws: StorageError.self) { try Matcher(.regexMatch, "foo", "a)(b") }
    }

    @Test func inverseAndDescription() throws {
        let m = try Matcher(.regexMatch, "job", "a\"b")
        #expect(m.inverse.type == .regexNoMatch)
        #expect(m.inverse.matches("x"))
        #expect(m.description == #"job=~"a\"b""#)
        #expect(try Matcher(.regexMatch, "j", "a|b").setMatches == ["a", "b"])
    }
}
